-- hostile_files.lua: damaged and malformed captures built byte by byte, for hostile_spec.lua
-- (and for seeding the reader fuzz harness). Each builder returns the bytes of one file.
-- Lengths, offsets and counts are written out by hand here so the spec can state, from the
-- file layout alone, where the damage is (the offsets a diagnostic must name).
local synth = require "pktframe.synth"

local M = {}
local spack, srep = string.pack, string.rep

M.CLIENT, M.SERVER = "10.0.0.1", "10.0.0.2"
local MAC_C, MAC_S = "02:00:00:00:00:01", "02:00:00:00:00:02"

-- A good frame: Ethernet, IPv4, UDP 40000 -> 53, a DNS query with id `id` (74 bytes: 14 + 20 + 8 + 32).
function M.good(id)
  local q = synth.dns_query{id = id, name = "example.com"}
  return synth.eth{src = MAC_C, dst = MAC_S,
    payload = synth.ipv4{src = M.CLIENT, dst = M.SERVER, id = id, payload = synth.udp{sport = 40000, dport = 53, payload = q}}}
end
M.GOOD_LEN = #M.good(1)

-- Ethernet around a raw IPv4 or IPv6 packet given as bytes.
function M.eth4(ip) return synth.eth{src = MAC_C, dst = MAC_S, type = 0x0800, payload = ip} end
function M.eth6(ip) return synth.eth{src = MAC_C, dst = MAC_S, type = 0x86dd, payload = ip} end

-- ---- pcap ----

-- The 24-byte file header: little-endian microsecond pcap 2.4.
function M.pcap_header(snaplen, linktype)
  return spack("<I4I2I2i4I4I4I4", 0xa1b2c3d4, 2, 4, 0, 0, snaplen or 262144, linktype or 1)
end

-- One record: r.data, r.caplen (default #data), r.len (default caplen), r.sec, r.usec.
function M.pcap_record(r)
  local data = r.data or ""
  return spack("<I4I4I4I4", r.sec or 1000, r.usec or 0, r.caplen or #data, r.len or r.caplen or #data) .. data
end

-- A whole pcap: records after the header; each a table for pcap_record or raw bytes.
function M.pcap(records, snaplen, linktype)
  local parts = { M.pcap_header(snaplen, linktype) }
  for _, r in ipairs(records) do parts[#parts + 1] = type(r) == "string" and r or M.pcap_record(r) end
  return table.concat(parts)
end

-- Records of good frames ids from..to, one a second from t0.
function M.good_records(from, to, t0)
  local out = {}
  for i = from, to do out[#out + 1] = { data = M.good(i), sec = (t0 or 1000) + i } end
  return out
end

-- ---- pcapng ----

local function pad4(s) return s .. srep("\0", (4 - #s % 4) % 4) end

-- A block: type, total length, body (padded), total length again; len overrides both lengths,
-- trailer_len the trailing one alone.
function M.block(btype, body, len, trailer_len)
  body = pad4(body)
  local total = 12 + #body
  return spack("<I4I4", btype, len or total) .. body .. spack("<I4", trailer_len or len or total)
end

function M.shb() return M.block(0x0a0d0d0a, spack("<I4I2I2i8", 0x1a2b3c4d, 1, 0, -1)) end
function M.idb(linktype, snaplen) return M.block(1, spack("<I2I2I4", linktype or 1, 0, snaplen or 262144)) end

-- An enhanced packet block: interface ifid, time in microseconds, data, caplen/len override.
function M.epb(ifid, usecs, data, caplen, len)
  return M.block(6, spack("<I4I4I4I4I4", ifid, usecs >> 32, usecs & 0xffffffff, caplen or #data, len or #data) .. data)
end

-- EPBs of good frames from..to on interface 0, one a second from t0.
function M.good_epbs(from, to, t0)
  local out = {}
  for i = from, to do out[#out + 1] = M.epb(0, ((t0 or 1000) + i) * 1000000, M.good(i)) end
  return table.concat(out)
end

-- ---- malformed packets ----

-- IPv4 with header length field ihl (in 4-byte units) over a UDP payload; the checksum is not fixed.
function M.ipv4_ihl(ihl)
  local ip = synth.ipv4{src = M.CLIENT, dst = M.SERVER, payload = synth.udp{sport = 40000, dport = 9, payload = "abcd"}}
  return M.eth4(string.char(0x40 | ihl) .. ip:sub(2))
end

-- IPv6 with n hop-by-hop-style headers of type nxt (each 8 bytes, next header nxt again),
-- the last pointing at UDP.
function M.ipv6_chain(n, kind)
  kind = kind or 60
  local parts = {}
  for i = 1, n do parts[i] = spack("BB", i < n and kind or 17, 0) .. "\1\4\0\0\0\0" end
  local udp = synth.udp{sport = 40000, dport = 9, payload = "abcd"}:bytes()
  local payload = table.concat(parts) .. udp
  return M.eth6(spack(">I4I2BB", 6 << 28, #payload, kind, 64) .. synth.parse_ipv6("2001:db8::1") ..
    synth.parse_ipv6("2001:db8::2") .. payload)
end

-- TCP with data offset doff (4-byte units) and a payload.
function M.tcp_doff(doff)
  local tcp = spack(">I2I2I4I4BBI2I2I2", 40000, 80, 1000, 0, doff << 4, 0x18, 65535, 0, 0) .. "hello"
  return M.eth4(synth.ipv4{src = M.CLIENT, dst = M.SERVER, proto = 6, payload = tcp})
end

-- A DNS response over UDP whose message is given as bytes.
function M.dns_udp(msg)
  return M.eth4(synth.ipv4{src = M.SERVER, dst = M.CLIENT, payload = synth.udp{sport = 53, dport = 40000, payload = msg}})
end

-- DNS header: id, flags (response), counts.
function M.dns_header(id, qd, an) return spack(">I2I2I2I2I2I2", id, 0x8180, qd, an or 0, 0, 0) end

return M
