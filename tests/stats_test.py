#!/usr/bin/env python3
"""stats_test.py: `pktframe stats -z NAME` against `tshark -q -n -z NAME`, byte for byte.

usage: tests/stats_test.py PKTFRAME SHARED_DIR

Runs on a capture the project writes (examples/make_demo_capture.lua) and, when SHARED_DIR/captures
exists, on every capture there that tshark reads. tshark runs once per capture with every -z (it
prints them last first); pktframe runs once per -z, and each of its tables must appear in tshark's
output in that place. KNOWN lists the (capture, -z) pairs that differ for a reason written down
(docs/cli.md): they are reported, and fail if they agree in the combined run (so the list stays true).
Last line: "stats: N passed, M failed"; exit status 1 on a failure.
"""
import concurrent.futures
import os
import shutil
import subprocess
import sys
import tempfile

PF = sys.argv[1]
SHARED = sys.argv[2] if len(sys.argv) > 2 else "../shared"
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

ZS = ["conv,eth", "conv,ip", "conv,ipv6", "conv,tcp", "conv,udp",
      "endpoints,eth", "endpoints,ip", "endpoints,ipv6", "endpoints,tcp", "endpoints,udp",
      "io,stat,1", "io,stat,0", "io,stat,0.1,tcp,udp,ip.len > 1000",
      "io,stat,2,COUNT(tcp.analysis.retransmission)tcp.analysis.retransmission,SUM(frame.len)frame.len,"
      "MAX(tcp.len)tcp.len,AVG(frame.len)frame.len,MIN(frame.len)frame.len",
      "follow,udp,ascii,0", "follow,udp,hex,1", "follow,udp,raw,2"]
# extra statistics on the project's own capture only (filters name its hosts)
ZS_DEMO = ["conv,tcp,tcp.port == 443", "endpoints,ip,ip.addr == 192.168.10.22"]

# io,phs is compared where pktframe decodes every layer tshark lists (elsewhere tshark names more:
# data, tls records, ntp, pppoed, ...; docs/cli.md says so)
PHS_EXACT = {"dhcp-dora.pcap", "icmpv6-ra-mld.pcap", "sll-tcp-handshake-nsec.pcap", "pcapng-bad-shb.pcapng"}

# (capture, -z) -> why pktframe differs from tshark there
KNOWN = {
    ("vlan-tcp-ajp.pcap", z): "Cisco FabricPath frames (eth:cfp:eth) are not decoded by pktframe"
    for z in ("conv,eth", "conv,tcp", "endpoints,eth", "endpoints,tcp")
}
KNOWN.update({
    ("ipv6-fragments.pcap", z): "datagrams reassembled from IPv6 fragments: pktframe's udp.payload is longer than tshark's"
    for z in ("follow,udp,ascii,0", "follow,udp,hex,1")
})
KNOWN[("ipv6-ext-headers.pcapng", "follow,udp,ascii,0")] = "tshark follows no datagram past the IPv6 routing header"
KNOWN[("vlan-tcp-ajp.pcap", "io,stat,0.1,tcp,udp,ip.len > 1000")] = KNOWN[("vlan-tcp-ajp.pcap", "conv,tcp")]
KNOWN.update({
    ("ipv6-ext-headers.pcapng", z): "tshark takes the UDP destination from the IPv6 routing header"
    for z in ("conv,udp", "endpoints,udp")
})
KNOWN.update({
    ("pcapng-comments-snaplen.pcapng", z): "a timestamp past tshark's nstime range makes its relative times overflow"
    for z in ("conv,ip", "conv,ipv6", "conv,tcp")
})

passed = failed = 0


def ok(name):
    global passed
    passed += 1
    print("ok   " + name)


def no(name, detail=""):
    global failed
    failed += 1
    print("FAIL " + name)
    for line in detail.splitlines()[:12]:
        print("     " + line)


def first_diff(a, b):
    al, bl = a.splitlines(), b.splitlines()
    for i in range(max(len(al), len(bl))):
        x = al[i] if i < len(al) else "<end>"
        y = bl[i] if i < len(bl) else "<end>"
        if x != y:
            return "line %d\n pktframe: %s\n tshark:   %s" % (i + 1, x, y)
    return ""


def tshark(cap, zs):
    args = ["tshark", "-q", "-n", "-r", cap]
    for z in zs:
        args += ["-z", z]
    r = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=120)
    return r.stdout.decode("utf-8", "replace")


def pktframe(cap, z):
    r = subprocess.run([PF, "stats", "-z", z, cap], stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    return r.returncode, r.stdout.decode("utf-8", "replace"), r.stderr.decode("utf-8", "replace")


def duration(cap):
    r = subprocess.run([PF, "-e", "local t = pf.read(arg[1], {fields = {'frame.time_relative'}}); "
                        "print(t and t:col('frame.time_relative'):max() or -1)", cap],
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        return float(r.stdout.decode().strip() or -1)
    except ValueError:
        return -1


def check_capture(cap, zs):
    """the results of one capture: a list of (kind, label, detail)"""
    res = []
    name = os.path.basename(cap)
    d = duration(cap)
    if not (0 <= d <= 1500):   # io,stat prints a row per interval: keep to captures of minutes
        zs = [z for z in zs if not z.startswith("io,stat")]
    want = tshark(cap, zs)
    if not want.strip():
        res.append(("skip", "%s (tshark reads nothing of it)" % name, ""))
        return res
    runs = [(z,) + pktframe(cap, z) for z in reversed(zs)]
    pos = 0
    for k, (z, rc, got, err) in enumerate(runs):
        label = "%s -z %s" % (name, z)
        known = KNOWN.get((name, z))
        if rc == 0 and got and want.startswith(got, pos):
            if known:
                res.append(("no", label, "listed as a known difference (%s) but now equal: update KNOWN" % known))
            else:
                res.append(("ok", label, ""))
            pos += len(got)
            continue
        # tshark's table for this -z: up to where pktframe's next table starts in it
        end = -1
        for z2, rc2, got2, err2 in runs[k + 1:]:
            if rc2 == 0 and got2:
                end = want.find(got2, pos)
                break
        if end < 0:
            end = len(want)
        if known:   # (a known difference is not run again alone: it keeps the test under 90 s)
            res.append(("known", label, known))
        elif rc == 0 and got and got == tshark(cap, [z]):   # tshark alone agrees (a combined run may stop early)
            res.append(("ok", label, ""))
        elif known:
            res.append(("known", label, known))
        elif rc != 0:
            res.append(("no", label, "exit %d: %s" % (rc, err.strip())))
        else:
            res.append(("no", label, first_diff(got, want[pos:end])))
        pos = end
    return res


def report(res):
    for kind, label, detail in res:
        if kind == "ok":
            ok(label)
        elif kind == "no":
            no(label, detail)
        elif kind == "known":
            print("known %s: %s" % (label, detail))
            passed_known.append(label)
        else:
            print("skip " + label)


passed_known = []
if shutil.which("tshark") is None:
    print("skipped: no tshark (the oracle)")
    print("stats: 0 passed, 0 failed")
    sys.exit(0)

tmp = tempfile.mkdtemp()
try:
    demo = os.path.join(tmp, "demo.pcap")
    r = subprocess.run([PF, "run", os.path.join(ROOT, "examples", "make_demo_capture.lua"), demo],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if r.returncode != 0:
        no("make_demo_capture.lua", r.stderr.decode())
    else:
        report(check_capture(demo, ZS + ZS_DEMO))
        # several -z at once: printed as tshark prints them, the last given first
        zs = ["conv,ip", "endpoints,tcp", "conv,udp"]
        args = [PF, "stats", "-q", "-n"]
        for z in zs:
            args += ["-z", z]
        got = subprocess.run(args + ["-r", demo], stdout=subprocess.PIPE).stdout.decode()
        want = tshark(demo, zs)
        if got == want:
            ok("demo.pcap: three -z at once, -r FILE")
        else:
            no("demo.pcap: three -z at once, -r FILE", first_diff(got, want))
        # usage errors: exit status 2 and a message naming the statistic
        for argv, pat in ((["-z", "conv,frob", demo], "conv,frob"), (["-z", "nosuch", demo], "nosuch"),
                          (["-z", "rtp,streams", demo], "not supported"), ([demo], "no statistic")):
            r = subprocess.run([PF, "stats"] + argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            err = r.stderr.decode()
            if r.returncode == 2 and pat in err and len(err.strip().splitlines()) == 1:
                ok("usage error: stats %s" % " ".join(argv[:2]))
            else:
                no("usage error: stats %s" % " ".join(argv[:2]), "exit %d: %s" % (r.returncode, err))
        # --csv prints the Tables
        r = subprocess.run([PF, "stats", "--csv", "-z", "conv,tcp", demo], stdout=subprocess.PIPE)
        lines = r.stdout.decode().splitlines()
        if r.returncode == 0 and lines[:2] == ["# conv,tcp", "address_a,port_a,address_b,port_b,frames_b_to_a,"
                                               "bytes_b_to_a,frames_a_to_b,bytes_a_to_b,frames,bytes,rel_start,duration"]:
            ok("--csv prints the conversation table")
        else:
            no("--csv prints the conversation table", "\n".join(lines[:3]))

    caps = os.path.join(SHARED, "captures")
    if not os.path.isdir(caps):
        print("skipped: %s is absent (only the project's own capture was compared)" % caps)
    else:
        files = [os.path.join(caps, f) for f in sorted(os.listdir(caps)) if f.endswith((".pcap", ".pcapng"))]
        with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:   # tshark's start-up dominates
            zs_of = lambda f: ZS + (["io,phs"] if os.path.basename(f) in PHS_EXACT else [])
            for res in pool.map(lambda f: check_capture(f, zs_of(f)), files):
                report(res)
finally:
    shutil.rmtree(tmp, ignore_errors=True)

if passed_known:
    print("%d known differences (see KNOWN in tests/stats_test.py and docs/cli.md)" % len(passed_known))
print("stats: %d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
