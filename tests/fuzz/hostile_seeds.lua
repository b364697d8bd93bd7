-- hostile_seeds.lua: writes the damaged captures of spec/hostile_spec.lua as seeds of the reader
-- harness, so fuzzing starts from every framing fault the spec knows.
-- usage: LUA_PATH='lua/?.lua;lua/?/init.lua;spec/?.lua;;' lua5.4 tests/fuzz/hostile_seeds.lua DIR
local H = require "hostile_files"
local dir = assert(arg[1], "usage: hostile_seeds.lua DIR")
local q = string.pack(">I2I2", 1, 1)
local function ng(...) return H.shb() .. H.idb(1) .. table.concat({ ... }) end
local seeds = {
  H.pcap(H.good_records(1, 3)),
  H.pcap(H.good_records(1, 2)) .. H.pcap_record{ data = H.good(3) }:sub(1, 7),
  H.pcap(H.good_records(1, 2), 64),
  H.pcap({ { data = H.good(1), len = 40 }, { data = "", len = 74 }, { data = "", len = 0 } }),
  H.pcap(H.good_records(1, 1)) .. string.pack("<I4I4I4I4", 1, 0, 0xfffffff0, 0xfffffff0),
  H.pcap({}, 262144, 189) .. string.pack("<I4I4I4I4", 1, 0, 100 << 20, 100 << 20) .. "short",
  H.pcap(H.good_records(1, 2), 262144, 999),
  H.pcap({ { data = H.ipv4_ihl(4) }, { data = H.ipv4_ihl(15) }, { data = H.ipv6_chain(20) }, { data = H.tcp_doff(2) } }),
  H.pcap({ { data = H.dns_udp(H.dns_header(1, 1) .. "\xc0\x0c" .. q) },
           { data = H.dns_udp(H.dns_header(4, 2) .. "\x01a\xc0\x12" .. q .. "\x01b\xc0\x0c" .. q) } }),
  H.shb(),
  ng(H.good_epbs(1, 2), H.block(0x12345, "zzzz"), H.good_epbs(3, 3)),
  ng(H.good_epbs(1, 1), H.epb(7, 0, H.good(2)), H.epb(0, 0, H.good(3), 400)),
  ng(H.good_epbs(1, 1), H.block(6, string.pack("<I4I4I4I4I4", 0, 0, 0, 4, 4) .. "abcd", nil, 200)),
  ng(H.block(1, "")) .. H.epb(1, 0, H.good(1)),
  H.shb() .. H.idb(999) .. H.good_epbs(1, 1),
  H.idb(1) .. H.good_epbs(1, 1),
}
for i, s in ipairs(seeds) do
  local f = assert(io.open(string.format("%s/hostile-%02d", dir, i), "wb"))
  f:write(s)
  f:close()
end
print(#seeds .. " hostile seeds")
