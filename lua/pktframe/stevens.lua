-- pktframe.stevens: the data of Wireshark's TCP time-sequence graph (Stevens) for one stream.
--
--   local stevens = require "pktframe.stevens"
--   local t <close> = assert(pf.read(paths, {fields = stevens.fields}))
--   local g = stevens.graph(t)            -- the stream with the most payload; or stevens.graph(t, 7)
--   -- g.stream, g.client, g.server, g.segments (Table), g.acks (Table)
--
-- As the notebook does it: the client is the sender of the stream's first frame; its segments
-- (time, relative tcp.seq, tcp.len, tcp.nxtseq) are the dots Wireshark draws, and the server's
-- tcp.ack over time is the ack line under them. Sequence numbers are relative, as Wireshark
-- shows them (tcp.seq), so the graph starts near 0.
local pf = require "pktframe"

local M = {}
local IP4, IP6 = pf.ipfields(false), pf.ipfields(true)

M.fields = { "frame.number", "frame.time_epoch", "tcp.stream", IP4.src, IP6.src, "tcp.srcport",
  "tcp.dstport", "tcp.seq", "tcp.nxtseq", "tcp.ack", "tcp.len", "tcp.window_size" }

-- biggest(t) -> the tcp.stream with the largest sum of tcp.len (the first such stream on a tie),
-- or nil when t has no TCP
function M.biggest(t)
  local per = t:groupby("tcp.stream", { sort = true }):agg{ { "bytes", "tcp.len", "sum" } }
  if #per == 0 then return nil end
  return per:sort("bytes", { desc = true }):col("tcp.stream")[1]
end

-- graph(t, [stream], [{side = "auto"}]) -> {stream =, client = "addr:port", server = "addr:port",
-- side =, segments = Table, acks = Table} | nil, message (no such stream, no TCP). segments are
-- the frames the side sends (side "server": the other direction, the one a download fills),
-- acks the frames of the other end. side "auto" (the default) is the side that sent the most
-- payload bytes (the client on a tie): the server of a download, the client of an upload.
function M.graph(t, stream, opts)
  local side = opts and opts.side or "auto"
  if side ~= "client" and side ~= "server" and side ~= "auto" then
    error("bad argument #3 to 'graph' (side: 'client', 'server' or 'auto' expected, got '" .. tostring(side) .. "')", 2)
  end
  if stream == nil then
    stream = M.biggest(t)
    if stream == nil then return nil, "no TCP stream in the capture" end
  end
  if math.type(stream) ~= "integer" then
    error("bad argument #2 to 'graph' (integer expected, got " .. (math.type(stream) or type(stream)) .. ")", 2)
  end
  local s = t:filter(t:col("tcp.stream"):eq(stream))
  if #s == 0 then return nil, ("no TCP stream %d in the capture"):format(stream) end
  local first = s:row(1)
  local v6 = first[IP4.src] == nil
  local addr = (v6 and IP6 or IP4).src
  local client = s:col(addr):eq(first[addr]) & s:col("tcp.srcport"):eq(first["tcp.srcport"])
  local keep = { "frame.number", "frame.time_epoch", "tcp.seq", "tcp.len", "tcp.nxtseq", "tcp.ack", "tcp.window_size" }
  local from_client, from_server = s:filter(client), s:filter(~client)
  local function ep(a, p) return (v6 and "[" .. a .. "]" or a) .. ":" .. p end
  local server = "(no frame from the server)"
  if #from_server > 0 then server = ep(from_server:col(addr)[1], from_server:col("tcp.srcport")[1]) end
  local segs, acks = from_client:select(keep), from_server:select(keep)
  if side == "auto" then
    side = (from_server:col("tcp.len"):sum() or 0) > (from_client:col("tcp.len"):sum() or 0) and "server" or "client"
  end
  if side == "server" then segs, acks = acks, segs end
  return { stream = stream, client = ep(first[addr], first["tcp.srcport"]), server = server,
    side = side, segments = segs, acks = acks }
end

return M
