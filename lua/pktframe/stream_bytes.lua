-- pktframe.stream_bytes: TCP payload bytes per stream and the biggest stream (the notebook's
-- ts.groupby("tcp.stream")["tcp.len"].sum(), .max() and .idxmax()).
--
--   local sb = require "pktframe.stream_bytes"
--   local t <close> = assert(pf.read(paths, {fields = sb.fields, strict = true}))
--   local per = sb.per_stream(t)          -- Table tcp.stream, bytes (sum of tcp.len), packets
--   local id, bytes = sb.biggest(per)     -- idxmax: the first stream with the most bytes
local M = {}

M.fields = { "tcp.stream", "tcp.len" }

-- per_stream(t) -> Table tcp.stream, bytes, packets in stream order
function M.per_stream(t)
  return t:groupby("tcp.stream", { sort = true }):agg{ { "bytes", "tcp.len", "sum" }, { "packets", "tcp.len", "size" } }
end

-- biggest(per) -> stream, bytes (nil when there is no stream); a tie goes to the lower stream
-- number, as idxmax() takes the first
function M.biggest(per)
  if #per == 0 then return nil end
  local top = per:sort("bytes", { desc = true })
  return top:col("tcp.stream")[1], top:col("bytes")[1]
end

-- top(per, n) -> the n biggest streams, most bytes first (ties in stream order)
function M.top(per, n)
  return per:sort("bytes", { desc = true }):head(n)
end

return M
