#!/usr/bin/python3
"""resolve_test.py: pf.resolve against a fake DNS server on 127.0.0.1 that records every query.

usage: python3 tests/resolve_test.py BUILD/pktframe

The server answers some names, denies some, sends malformed, forged or no answers for others,
and checks that every datagram it receives is a plain PTR query of class IN. Prints "N passed,
M failed"; exits nonzero on a failure.
"""
import socket
import struct
import subprocess
import sys
import threading
import time

PASSED = 0
FAILED = 0


def check(cond, what):
    global PASSED, FAILED
    if cond:
        PASSED += 1
    else:
        FAILED += 1
        print("FAIL:", what)


def encode_name(name):
    out = b""
    for label in name.split("."):
        if label:
            b = label.encode("latin-1")
            out += bytes([len(b)]) + b
    return out + b"\0"


def decode_qname(msg, off):
    labels = []
    while True:
        n = msg[off]
        off += 1
        if n == 0:
            return ".".join(labels), off
        if n & 0xC0:
            raise ValueError("compressed name in a query")
        labels.append(msg[off:off + n].decode("latin-1"))
        off += n


PTR, CNAME = 12, 5


def rr(owner, rtype, rdata):
    return owner + struct.pack(">HHIH", rtype, 1, 300, len(rdata)) + rdata


class FakeDNS(threading.Thread):
    """Answers by the address in the query name; records (qname, qtype, qclass, ok) per query."""

    def __init__(self):
        super().__init__(daemon=True)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.queries = []
        self.problems = []
        self.stop = False

    def run(self):
        self.sock.settimeout(0.1)
        while not self.stop:
            try:
                msg, peer = self.sock.recvfrom(4096)
            except socket.timeout:
                continue
            try:
                self.handle(msg, peer)
            except Exception as e:  # a malformed query is a finding, not a crash of the server
                self.problems.append("bad query %r: %s" % (msg, e))

    def handle(self, msg, peer):
        ident, flags, qd, an, ns, ar = struct.unpack(">HHHHHH", msg[:12])
        qname, off = decode_qname(msg, 12)
        qtype, qclass = struct.unpack(">HH", msg[off:off + 4])
        off += 4
        self.queries.append(qname)
        if flags & 0x8000 or (flags >> 11) & 15 or qd != 1 or an or ns or ar:
            self.problems.append("not a plain query: flags %04x counts %d %d %d %d" % (flags, qd, an, ns, ar))
        if qtype != PTR or qclass != 1:
            self.problems.append("query of type %d class %d for %s" % (qtype, qclass, qname))
        if off != len(msg):
            self.problems.append("%d bytes after the question" % (len(msg) - off))
        question = msg[12:off]
        qptr = b"\xc0\x0c"  # a pointer to the question's name

        def reply(rcode, answers=b"", count=None, q=question, ident_=ident):
            n = count if count is not None else (1 if answers else 0)
            hdr = struct.pack(">HHHHHH", ident_, 0x8180 | rcode, 1, n, 0, 0)
            self.sock.sendto(hdr + q + answers, peer)

        if qname == "1.0.0.10.in-addr.arpa":
            reply(0, rr(qptr, PTR, encode_name("alice.example.com")))
        elif qname == "2.0.0.10.in-addr.arpa":
            reply(3)  # NXDOMAIN
        elif qname == "3.0.0.10.in-addr.arpa":
            pass  # silence: the timeout path
        elif qname == "4.0.0.10.in-addr.arpa":
            reply(0)  # no data
        elif qname.endswith("8.b.d.0.1.0.0.2.ip6.arpa"):
            # the PTR's target reuses the owner's tail by a pointer: "v6" + pointer to "arpa"
            # is silly, so point at "ip6.arpa" inside the question and expect "v6.ip6.arpa"
            idx = question.find(b"\x03ip6")
            target = b"\x02v6" + struct.pack(">H", 0xC000 | (12 + idx))
            reply(0, rr(qptr, PTR, target))
        elif qname == "5.0.0.10.in-addr.arpa":
            # classless delegation: a CNAME to 5.0/25.0.0.10.in-addr.arpa, whose PTR follows
            alias = encode_name("5.0/25.0.0.10.in-addr.arpa")
            ans = rr(qptr, CNAME, alias)
            alias_off = 12 + len(question) + 2 + 10  # where the CNAME's rdata starts
            ans += rr(struct.pack(">H", 0xC000 | alias_off), PTR, encode_name("classless.example"))
            reply(0, ans, count=2)
        elif qname == "6.0.0.10.in-addr.arpa":
            # a pointer loop in the answer's owner name: points at itself
            loop_off = 12 + len(question)
            reply(0, struct.pack(">H", 0xC000 | loop_off) + struct.pack(">HHIH", PTR, 1, 1, 2) + b"\xc0\x0c")
        elif qname == "7.0.0.10.in-addr.arpa":
            # forged: an answer for another question, then silence
            reply(0, rr(qptr, PTR, encode_name("forged.example")), q=encode_name("9.9.9.9.in-addr.arpa") + b"\x00\x0c\x00\x01")
            reply(0, rr(qptr, PTR, encode_name("forged.example")), ident_=ident ^ 1)
        elif qname == "8.0.0.10.in-addr.arpa":
            # control characters and a dot inside a label
            reply(0, rr(qptr, PTR, b"\x08evil\x1b[m.\x03a.b\x00"))
        elif qname == "9.0.0.10.in-addr.arpa":
            reply(2)  # SERVFAIL
        elif qname == "10.0.0.10.in-addr.arpa":
            # rdlength past the end of the message
            reply(0, qptr + struct.pack(">HHIH", PTR, 1, 1, 200) + b"\x01x\x00")
        elif qname == "11.0.0.10.in-addr.arpa":
            # the PTR's name runs past its rdata
            reply(0, rr(qptr, PTR, b"\x05abcde"))
        elif qname.endswith(".0.0.10.in-addr.arpa") and 100 <= int(qname.split(".")[0]) < 140:
            # garbage after the question, claimed to be 5 records: seeded, so the same each run
            import random
            seed = int(qname.split(".")[0])
            rnd = random.Random(seed)
            reply(0, bytes(rnd.randrange(256) for _ in range(rnd.randrange(1, 300))), count=5)
        else:
            reply(3)


LUA = r'''
local pf = require "pktframe"
local addrs = {}
for a in arg[2]:gmatch("[^,]+") do addrs[#addrs + 1] = a end
local opts = {server = arg[1], timeout = tonumber(arg[3])}
if arg[4] == "nocache" then opts.cache = false end
local rounds = tonumber(arg[5] or "1")
for r = 1, rounds do
  local t0 = os.clock()
  local res = pf.resolve(addrs, opts)
  local keys = {}
  for k in pairs(res) do keys[#keys + 1] = k end
  table.sort(keys)
  for _, k in ipairs(keys) do print(r, k, tostring(res[k])) end
end
'''


def run(pktframe, server, addrs, timeout=0.5, cache="cache", rounds=1):
    t0 = time.monotonic()
    p = subprocess.run([pktframe, "-e", LUA, server, ",".join(addrs), str(timeout), cache, str(rounds)],
                       capture_output=True, text=True, timeout=60)
    took = time.monotonic() - t0
    if p.returncode != 0:
        print(p.stderr)
    out = {}
    for line in p.stdout.splitlines():
        r, k, v = line.split("\t")
        out.setdefault(int(r), {})[k] = v
    return out, took, p


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        sys.exit(2)
    pktframe = sys.argv[1]
    srv = FakeDNS()
    srv.start()
    server = "127.0.0.1:%d" % srv.port
    addrs = ["10.0.0.%d" % i for i in range(1, 12)] + ["2001:db8::1", "10.0.0.1", "2001:DB8:0::1"]
    expect = {
        "10.0.0.1": "alice.example.com",
        "10.0.0.2": "false",
        "10.0.0.3": "false",
        "10.0.0.4": "false",
        "10.0.0.5": "classless.example",
        "10.0.0.6": "false",
        "10.0.0.7": "false",
        "10.0.0.8": "evil\\027\\091m\\046.a\\046b",  # labels "evil ESC [ m ." and "a.b"
        "10.0.0.9": "false",
        "10.0.0.10": "false",
        "10.0.0.11": "false",
        "2001:db8::1": "v6.ip6.arpa",
        "2001:DB8:0::1": "v6.ip6.arpa",
    }
    out, took, p = run(pktframe, server, addrs, rounds=2)
    check(p.returncode == 0, "pktframe -e exits 0 (got %d)" % p.returncode)
    check(out.get(1) == expect, "first round: %r" % out.get(1))
    check(out.get(2) == expect, "second round: %r" % out.get(2))
    # each address asked once in round 1 (the two spellings of one v6 address and the duplicate
    # are one query), and in round 2 only those with no cacheable answer: the silent one, the
    # malformed ones, the forged one (ignored, so timed out) and the server failure
    from collections import Counter
    c = Counter(srv.queries)
    once = ["1", "2", "4", "5", "8"]
    twice = ["3", "6", "7", "9", "10", "11"]
    for i in once:
        check(c["%s.0.0.10.in-addr.arpa" % i] == 1, "10.0.0.%s queried %d times, expected 1 (cached)" % (i, c["%s.0.0.10.in-addr.arpa" % i]))
    for i in twice:
        check(c["%s.0.0.10.in-addr.arpa" % i] == 2, "10.0.0.%s queried %d times, expected 2 (not cached)" % (i, c["%s.0.0.10.in-addr.arpa" % i]))
    v6 = [q for q in srv.queries if q.endswith("ip6.arpa")]
    check(v6 == ["1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa"], "v6 queries %r" % v6)
    check(len(srv.queries) == 11 + 1 + len(twice), "%d queries in all" % len(srv.queries))
    # queries go out in parallel: two rounds with timeouts of 0.5 s take about 1 s, not 6 x 0.5 s
    check(took < 3.0, "two rounds took %.2f s" % took)
    # 40 answers of seeded garbage (10.0.0.100 .. 10.0.0.139): no crash, every one false
    junk = ["10.0.0.%d" % i for i in range(100, 140)]
    out, took, p = run(pktframe, server, junk)
    check(p.returncode == 0 and out.get(1) == {a: "false" for a in junk}, "garbage answers: %r %s" % (out.get(1), p.stderr[-300:]))
    # cache = false asks again
    n0 = len(srv.queries)
    out, took, p = run(pktframe, server, ["10.0.0.1"], cache="nocache", rounds=2)
    check(out.get(1) == {"10.0.0.1": "alice.example.com"} and out.get(2) == out.get(1), "nocache: %r" % out)
    check(len(srv.queries) - n0 == 2, "cache = false sends a query per call (%d)" % (len(srv.queries) - n0))
    check(srv.problems == [], "every query is a plain PTR query: %r" % srv.problems)
    # a closed port: every address false, quickly (ICMP port unreachable), never a hang
    closed = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    closed.bind(("127.0.0.1", 0))
    cport = closed.getsockname()[1]
    closed.close()
    out, took, p = run(pktframe, "127.0.0.1:%d" % cport, ["10.0.0.1", "10.0.0.2"], timeout=2.0)
    check(out.get(1) == {"10.0.0.1": "false", "10.0.0.2": "false"}, "closed port: %r" % out)
    check(took < 1.9, "closed port took %.2f s" % took)
    srv.stop = True
    print("%d passed, %d failed" % (PASSED, FAILED))
    sys.exit(1 if FAILED else 0)


if __name__ == "__main__":
    main()
