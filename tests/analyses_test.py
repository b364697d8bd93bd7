"""analyses_test.py: analyses 2, 3, 5 and 7 (examples/streams.lua, bandwidth.lua, stream_bytes.lua,
volume.lua) give what pandas computes from tshark's output with the notebooks' recipes; and
1, 4, 6 (capinfo.lua, stevens.lua, padding.lua) what capinfos and tshark say.

usage: /usr/bin/python3 tests/analyses_test.py PKTFRAME CAPTURE_DIR

Each capture is read by tshark once (the fields every recipe needs, occurrence=f, as the
notebooks' read_traffic gets them) plus once for the DNS answers (occurrence=a); a recipe's
strict=True (tshark -Y 'f1 and f2 ...') keeps the rows where those fields are present, which is
dropna on them. The expected tables are computed here, independently of pktframe, and compared
with the CSV files the examples write (exact integers, times in integer ns, 1e-9 relative floats).
"""
import json
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pandas_common import (Suite, captures, compare, pd, preflight, read_out, run_example,  # noqa: E402
                           time_ns, tshark_fields)

NAME = "analyses"
if len(sys.argv) != 3:
    print("usage: analyses_test.py PKTFRAME CAPTURE_DIR")
    sys.exit(2)
PKTFRAME, CAPDIR = sys.argv[1], sys.argv[2]
preflight(NAME, PKTFRAME, CAPDIR)
EXAMPLES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "examples")

# captures with TCP, UDP, DNS, IPv6; the two that join captures years apart get a coarse interval
CAPS = captures(CAPDIR, [
    "http-browsing-2013.pcap", "http-browsing-1kxun.pcap", "mixed-many-protocols.pcap",
    "mixed-alexa-app.pcapng", "tls-sni-v4v6.pcap", "tcp-anomalies-tls.pcap", "sll-mixed.pcap",
    "dns-mixed.pcap", "vlan-tcp-ajp.pcap", "ipv6-in-ipv4-tunnel.pcap", "null-loopback-ipv6-http.pcap",
    "eth-trailer.pcap", "qinq-arp-padding.pcap", "ipv4-frag-vlan-padding.pcap",
])
INTERVAL = {"http-browsing-1kxun.pcap": "1h", "mixed-many-protocols.pcap": "1h", "eth-trailer.pcap": "1h"}
FIELDS = ["frame.number", "frame.time_epoch", "frame.len", "tcp.stream", "ip.src", "tcp.srcport",
          "ip.dst", "tcp.dstport", "tcp.len", "ipv6.src", "ipv6.dst"]


def strict(df, fields):
    """read_traffic(..., strict=True): the frames that have every field."""
    keep = pd.Series(True, index=df.index)
    for f in fields:
        keep &= df[f] != ""
    return df[keep].copy()


def ints(df, cols):
    for c in cols:
        df[c] = df[c].astype("int64")
    return df


def interval_ns(text):
    m = re.match(r"^(\d+)(ms|s|min|h)$", text)
    return int(m.group(1)) * {"ms": 10**6, "s": 10**9, "min": 60 * 10**9, "h": 3600 * 10**9}[m.group(2)]


# ---------------------------------------------------------------- 2. stream summary (notebook 000)
def both_families(df):
    """One src and one dst column of both families, as the analyses build them: a packet's IPv6
    address when it has one (the inner layer of 6in4), else its IPv4 one."""
    df = df.copy()
    v6 = df["ipv6.src"].notna() & (df["ipv6.src"] != "")
    df["src"] = df["ipv6.src"].where(v6, df["ip.src"])
    df["dst"] = df["ipv6.dst"].where(v6, df["ip.dst"])
    return df


def expect_streams(df, family=None):
    """family None: IPv4 and IPv6 (the default of streams.lua); "ipv4" or "ipv6": one family."""
    if family is None:
        df = both_families(df)
        src, dst = "src", "dst"
    else:
        src, dst = ("ipv6.src", "ipv6.dst") if family == "ipv6" else ("ip.src", "ip.dst")
    fields = ["frame.time_epoch", "tcp.stream", src, "tcp.srcport", dst, "tcp.dstport", "tcp.len"]
    ts = ints(strict(df, fields), ["tcp.stream", "tcp.srcport", "tcp.dstport", "tcp.len"])
    ts["ip.src"], ts["ip.dst"] = ts[src], ts[dst]
    ts["t"] = ts["frame.time_epoch"].map(time_ns)
    g = ts.groupby("tcp.stream")
    s = g.agg(src_ip=("ip.src", lambda x: x.iloc[0]), src_port=("tcp.srcport", lambda x: x.iloc[0]),
              dst_ip=("ip.dst", lambda x: x.iloc[0]), dst_port=("tcp.dstport", lambda x: x.iloc[0]),
              start_time=("t", "min"), end_time=("t", "max"), packets=("tcp.len", "size"),
              stream_len=("tcp.len", "sum"))
    s.index.rename("stream_id", inplace=True)
    s = s.reset_index()
    s["duration"] = s["end_time"] - s["start_time"]
    first = ts.merge(s[["stream_id", "src_ip", "src_port"]], left_on="tcp.stream", right_on="stream_id")
    fwd = (first["ip.src"] == first["src_ip"]) & (first["tcp.srcport"] == first["src_port"])
    ab = first[fwd].groupby("tcp.stream")["tcp.len"].sum()
    ba = first[~fwd].groupby("tcp.stream")["tcp.len"].sum()
    s["bytes_ab"] = s["stream_id"].map(ab).fillna(0).astype("int64")
    s["bytes_ba"] = s["stream_id"].map(ba).fillna(0).astype("int64")
    counts = s["src_ip"].value_counts()
    vc = pd.DataFrame({"src_ip": counts.index, "count": counts.values})
    return s, vc


STREAM_KINDS = {"stream_id": "int", "src_ip": "str", "src_port": "int", "dst_ip": "str", "dst_port": "int",
                "start_time": "time", "end_time": "time", "duration": "reltime", "packets": "int",
                "stream_len": "int", "bytes_ab": "int", "bytes_ba": "int"}


def by_count(vc, key):
    """value_counts order with ties broken by the key: pandas does not promise an order for ties."""
    vc = vc.copy()
    vc["count"] = vc["count"].astype("int64")
    return vc.sort_values(["count", key], ascending=[False, True], kind="stable").reset_index(drop=True)


# ---------------------------------------------------------------- 3. bandwidth (notebook 001)
def expect_bandwidth(df, interval, origin="start_day"):
    fl = df[["frame.time_epoch", "frame.len"]].copy()
    fl["frame.len"] = fl["frame.len"].astype("int64")
    fl.index = pd.to_datetime(fl["frame.time_epoch"].map(time_ns), unit="ns")
    r = fl["frame.len"].resample(pd.Timedelta(interval_ns(interval), unit="ns"), origin=origin)
    bw = pd.DataFrame({"bytes": r.sum(), "packets": r.size()})
    bw["time"] = bw.index.astype("int64")
    bw["bits_per_second"] = bw["bytes"] * (8 / (interval_ns(interval) / 1e9))
    d = fl["frame.len"].describe()
    desc = pd.DataFrame({"statistic": list(d.index), "frame.len": [float(v) for v in d.values]})
    return bw.reset_index(drop=True), desc


# ---------------------------------------------------------------- 5. bytes per stream (notebook 001)
def expect_stream_bytes(df):
    ts = ints(strict(df, ["tcp.stream", "tcp.len"]), ["tcp.stream", "tcp.len"])
    per = ts.groupby("tcp.stream")["tcp.len"]
    out = pd.DataFrame({"bytes": per.sum(), "packets": per.size()}).reset_index()
    biggest = None
    if len(out):
        b = ts.groupby("tcp.stream")["tcp.len"].sum()
        biggest = (int(b.idxmax()), int(b.max()))
    return out, biggest


# ---------------------------------------------------------------- 7. volume (notebook 002)
def expect_volume(df, dns):
    def by(cols):
        parts = []
        for c in cols:
            x = df[df[c] != ""][[c, "frame.len"]].copy()
            x["frame.len"] = x["frame.len"].astype("int64")
            g = x.groupby(c)["frame.len"]
            parts.append(pd.DataFrame({"address": g.sum().index, "bytes": g.sum().values, "packets": g.size().values}))
        v = pd.concat(parts, ignore_index=True)
        return v.sort_values(["bytes", "address"], ascending=[False, True], kind="stable").reset_index(drop=True)
    dst, src = by(["ip.dst", "ipv6.dst"]), by(["ip.src", "ipv6.src"])
    names = dns   # passive DNS: tshark_passive_dns's names, from tshark's own records
    for v in (dst, src):
        v["name"] = v["address"].map(lambda a: names.get(a, "(no name)"))
        v["source"] = v["address"].map(lambda a: "dns" if a in names else "")
    g = dst.groupby("name")
    byname = pd.DataFrame({"addresses": g.size(), "bytes": g["bytes"].sum(), "packets": g["packets"].sum()}).reset_index()
    byname = byname.sort_values(["bytes", "name"], ascending=[False, True], kind="stable").reset_index(drop=True)
    return dst, src, byname, names


def tshark_passive_dns(cap):
    """{address: name} from tshark's JSON of the DNS responses that carry addresses, record by record:
    an A/AAAA record names its address by its own owner (dns.resp.name), except that in the answer
    section a record reached from the question through the answers' CNAME chain gets the question's
    name; the first response that names an address wins. Glue records keep their owners."""
    cmd = ["tshark", "-r", cap, "-n", "-Y", "dns.flags.response == 1 and (dns.a or dns.aaaa)", "-T", "json"]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300)
    if p.returncode != 0 and not p.stdout:
        raise RuntimeError("tshark failed on %s: %s" % (cap, p.stderr.decode(errors="replace")[:300]))
    # records of one section can share a key (the same text): keep them all, in order
    packets = json.loads(p.stdout.decode("utf-8", errors="replace") or "[]", object_pairs_hook=lambda kv: kv)
    names = {}

    def get(pairs, key):
        return [v for k, v in pairs if k == key]

    for pkt in packets:
        layers = get(get(pkt, "_source")[0], "layers")[0]
        for proto in ("dns", "mdns", "llmnr"):
            for msg in get(layers, proto):
                qs = [r for sec in get(msg, "Queries") for _, r in sec]
                if not qs:
                    continue
                q = get(qs[0], "dns.qry.name")[0]
                secs = [(title, [r for sec in get(msg, title) for _, r in sec])
                        for title in ("Answers", "Authoritative nameservers", "Additional records")]
                alias = {}
                for r in secs[0][1]:
                    if get(r, "dns.cname") and get(r, "dns.resp.name"):
                        alias[get(r, "dns.resp.name")[0].lower()] = get(r, "dns.cname")[0]
                chain, at = {q.lower()}, q.lower()
                while at in alias and alias[at].lower() not in chain:
                    at = alias[at].lower()
                    chain.add(at)
                for title, recs in secs:
                    for r in recs:
                        for a in get(r, "dns.a") + get(r, "dns.aaaa"):
                            if a in names or not get(r, "dns.resp.name"):
                                continue
                            owner = get(r, "dns.resp.name")[0]
                            names[a] = q if title == "Answers" and owner.lower() in chain else owner
    return names


VOL_KINDS = {"address": "str", "bytes": "int", "packets": "int", "name": "str", "source": "str"}


# ---------------------------------------------------------------- 1. capture info, against capinfos
def check_capinfo(suite, cap, out):
    import subprocess
    from shutil import which
    name = os.path.basename(cap)
    if which("capinfos") is None:
        print("skipped: capinfos is not installed (capture info of %s)" % name)
        return
    p = subprocess.run(["capinfos", "-T", "-m", "-M", "-S", "-r", "-c", "-s", "-d", "-u", "-a", "-e", cap],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=600)
    cells = p.stdout.decode(errors="replace").strip().split(",")
    if p.returncode != 0 or len(cells) < 7:
        suite.fail("capinfo %s: capinfos" % name, p.stderr.decode(errors="replace")[:300])
        return
    # -c packets, -s file size, -d data size, -u duration, -a start, -e end (epoch seconds, -S)
    _, packets, fsize, dsize, dur, start, end = cells[:7]
    run_example(PKTFRAME, os.path.join(EXAMPLES, "capinfo.lua"), cap, [], out)
    got = read_out(out, "capinfo").iloc[0]
    errs = []
    for k, want in (("packets", packets), ("file_size", fsize), ("bytes", dsize)):
        if int(got[k]) != int(want):
            errs.append("%s: %s, capinfos %s" % (k, got[k], want))
    for k, want in (("duration", dur), ("first", start), ("last", end)):
        if abs(float(got[k]) - float(want)) > 1e-6 * max(1.0, 1e-9 * abs(float(want))) + 1e-6:
            errs.append("%s: %s, capinfos %s" % (k, got[k], want))
    suite.check(not errs, "capinfo %s: packets, sizes, times as capinfos" % name, "\n".join(errs))


# ---------------------------------------------------------------- 6. padding leaks (notebook 001)
def check_padding(suite, cap, out):
    name = os.path.basename(cap)
    df = tshark_fields(cap, ["frame.number", "eth.src", "eth.trailer", "vlan.trailer", "eth.padding"],
                       display_filter="eth.trailer or vlan.trailer or eth.padding")
    rows = []
    for _, r in df.iterrows():
        for f in ("eth.trailer", "vlan.trailer", "eth.padding"):
            if r[f] != "":
                raw = bytes.fromhex(r[f].replace(":", ""))
                if any(raw):
                    # the notebook's printable and ratio_printable: isalnum per byte
                    pr = "".join(chr(c) if chr(c).isascii() and chr(c).isalnum() else "." for c in raw)
                    ratio = sum(1.0 for c in raw if chr(c).isascii() and chr(c).isalnum()) / len(raw)
                    rows.append({"frame.number": int(r["frame.number"]), "eth.src": r["eth.src"], "field": f,
                                 "len": len(raw), "hex": raw.hex(), "printable": pr, "ratio": ratio})
                break
    want = pd.DataFrame(rows, columns=["frame.number", "eth.src", "field", "len", "hex", "printable", "ratio"])
    run_example(PKTFRAME, os.path.join(EXAMPLES, "padding.lua"), cap, [], out)
    compare(suite, "padding %s" % name, read_out(out, "padding"), want,
            {"frame.number": "int", "eth.src": "str", "field": "str", "len": "int", "hex": "str",
             "printable": "str", "ratio": "float"})
    leaks = want[want["ratio"] > 0.5]
    srcs = sorted(set(leaks["eth.src"]))
    got = sorted(set(read_out(out, "leak_sources")["eth.src"]))
    suite.check(got == srcs, "padding %s: the MACs that leak %s" % (name, srcs), "got %s" % got)


# ---------------------------------------------------------------- 4. Stevens graph (notebook 001)
def check_stevens(suite, cap, df, out):
    name = os.path.basename(cap)
    t = tshark_fields(cap, ["frame.number", "tcp.stream", "ip.src", "ipv6.src", "tcp.srcport", "tcp.seq",
                            "tcp.len", "tcp.nxtseq", "tcp.ack"], display_filter="tcp")
    if len(t) == 0:
        return
    t = t[t["tcp.stream"] != ""]
    has = t[t["tcp.len"] != ""]
    per = has.groupby(has["tcp.stream"].astype("int64"))["tcp.len"].apply(lambda x: x.astype("int64").sum())
    stream = int(per.idxmax())                 # the first stream with the most payload
    s = t[t["tcp.stream"].astype("int64") == stream]
    first = s.iloc[0]
    addr = "ip.src" if first["ip.src"] != "" else "ipv6.src"
    client = s[(s[addr] == first[addr]) & (s["tcp.srcport"] == first["tcp.srcport"])]
    server = s[~s.index.isin(client.index)]
    kinds = {"frame.number": "int", "tcp.seq": "int", "tcp.len": "int", "tcp.nxtseq": "int", "tcp.ack": "int"}
    run_example(PKTFRAME, os.path.join(EXAMPLES, "stevens.lua"), cap, ["--side", "client"], out)
    compare(suite, "stevens %s stream %d, the client's segments" % (name, stream),
            read_out(out, "stevens_segments"), client.reset_index(drop=True), kinds)
    # the default: the side that sent the most payload (the client on a tie)
    def payload(x):
        return x["tcp.len"].replace("", "0").astype("int64").sum()
    bigger = server if payload(server) > payload(client) else client
    run_example(PKTFRAME, os.path.join(EXAMPLES, "stevens.lua"), cap, [], out + "-auto")
    compare(suite, "stevens %s stream %d by default, the %s's segments (most bytes)" % (
        name, stream, "server" if bigger is server else "client"),
        read_out(out + "-auto", "stevens_segments"), bigger.reset_index(drop=True), kinds)


# ---------------------------------------------------------------- 7. --resolve, against a local responder
def check_resolve(suite, cap, out):
    """volume.lua --resolve --server 127.0.0.1:PORT: a tiny DNS responder here answers every PTR
    query for a.b.c.d with h-a-b-c-d.test; the addresses the capture named keep their DNS name,
    the others get the PTR name (source "ptr")."""
    import socket
    import struct
    import threading
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(0.2)
    port = sock.getsockname()[1]
    stop = threading.Event()

    def name_of(q):
        labels = q.split(".")
        if q.endswith(".in-addr.arpa"):
            return "h-" + "-".join(reversed(labels[:4])) + ".test"
        return "v6-" + "".join(reversed(labels[:32]))[-4:] + ".test"

    def serve():
        while not stop.is_set():
            try:
                data, peer = sock.recvfrom(2048)
            except socket.timeout:
                continue
            qid, _, qd = struct.unpack(">HHH", data[:6])
            pos, labels = 12, []
            while data[pos]:
                n = data[pos]
                labels.append(data[pos + 1:pos + 1 + n].decode())
                pos += 1 + n
            question = data[12:pos + 5]
            target = b"".join(bytes([len(x)]) + x.encode() for x in name_of(".".join(labels)).split(".")) + b"\0"
            answer = struct.pack(">HHHIH", 0xC00C, 12, 1, 60, len(target)) + target
            sock.sendto(struct.pack(">HHHHHH", qid, 0x8180, 1, 1, 0, 0) + question + answer, peer)

    th = threading.Thread(target=serve, daemon=True)
    th.start()
    try:
        run_example(PKTFRAME, os.path.join(EXAMPLES, "volume.lua"), cap,
                    ["--resolve", "--server", "127.0.0.1:%d" % port, "--timeout", "2s"], out)
    finally:
        stop.set()
        th.join()
        sock.close()
    got = read_out(out, "volume_dst")
    bad = []
    for _, r in got.iterrows():
        a = r["address"]
        if r["source"] == "dns":
            continue
        want = ("h-" + a.replace(".", "-") + ".test") if "." in a else None
        if r["source"] != "ptr" or (want and r["name"] != want):
            bad.append("%s: %s (%s), expected %s (ptr)" % (a, r["name"], r["source"], want or "a v6-....test name"))
    nptr = int((got["source"] == "ptr").sum())
    suite.check(not bad and nptr > 0, "volume %s --resolve: %d unnamed addresses named by PTR" % (
        os.path.basename(cap), nptr), "\n".join(bad[:10]))


def check_cli(suite):
    """Every example of analyses 1-7 has --help (status 0) and rejects an unknown option (status 2)."""
    import subprocess
    for ex in ["capinfo", "streams", "bandwidth", "stevens", "stream_bytes", "padding", "volume"]:
        script = os.path.join(EXAMPLES, ex + ".lua")
        h = subprocess.run([PKTFRAME, "run", script, "--help"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        text = h.stdout.decode(errors="replace")
        suite.check(h.returncode == 0 and text.startswith("usage: pktframe run ") and "--out DIR" in text,
                    "%s.lua --help prints the usage and exits 0" % ex, "exit %d: %s" % (h.returncode, text[:300]))
        b = subprocess.run([PKTFRAME, "run", script, "x.pcap", "--bogus"], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE)
        err = b.stderr.decode(errors="replace")
        suite.check(b.returncode == 2 and err.startswith("%s.lua: unknown option '--bogus'\nusage: " % ex),
                    "%s.lua --bogus is a usage error (status 2)" % ex, "exit %d: %s" % (b.returncode, err[:300]))


def main():
    suite = Suite(NAME)
    check_cli(suite)
    if not CAPS:
        print("skipped: none of the captures is in " + CAPDIR)
        suite.finish()
    tmp = tempfile.mkdtemp(prefix="pf-analyses-")
    for cap in CAPS:
        name = os.path.basename(cap)
        out = os.path.join(tmp, name)
        try:
            df = tshark_fields(cap, FIELDS)
            dns = tshark_passive_dns(cap)
        except Exception as e:               # noqa: BLE001 - reported as a failure of this capture
            suite.fail(name + ": tshark", e)
            continue
        try:
            check_capinfo(suite, cap, out + "/capinfo")
            check_padding(suite, cap, out + "/padding")
            check_stevens(suite, cap, df, out + "/stevens")
        except Exception as e:                 # noqa: BLE001 - one capture's failure, reported
            suite.fail("capinfo, padding, stevens " + name, repr(e))
        # 2
        try:
            run_example(PKTFRAME, os.path.join(EXAMPLES, "streams.lua"), cap, [], out + "/streams")
            s, vc = expect_streams(df)
            compare(suite, "streams %s" % name, read_out(out + "/streams", "streams"), s, STREAM_KINDS)
            compare(suite, "streams %s: value counts of src_ip" % name,
                    by_count(read_out(out + "/streams", "src_counts"), "src_ip"), by_count(vc, "src_ip"),
                    {"src_ip": "str", "count": "int"})
        except RuntimeError as e:
            suite.fail("streams " + name, e)
        if name in ("tls-sni-v4v6.pcap", "ipv6-in-ipv4-tunnel.pcap", "null-loopback-ipv6-http.pcap"):
            for fam, opt in (("ipv6", "--ipv6"), ("ipv6", "--ip6"), ("ipv4", "--ipv4")):
                try:
                    run_example(PKTFRAME, os.path.join(EXAMPLES, "streams.lua"), cap, [opt], out + "/streams" + opt)
                    s1, _ = expect_streams(df, family=fam)
                    compare(suite, "streams %s %s" % (opt, name), read_out(out + "/streams" + opt, "streams"), s1,
                            STREAM_KINDS)
                except RuntimeError as e:
                    suite.fail("streams %s %s" % (opt, name), e)
        # 3
        iv = INTERVAL.get(name, "1s")
        try:
            run_example(PKTFRAME, os.path.join(EXAMPLES, "bandwidth.lua"), cap, ["--interval", iv], out + "/bw")
            bw, desc = expect_bandwidth(df, iv)
            compare(suite, "bandwidth %s per %s" % (name, iv), read_out(out + "/bw", "bandwidth"), bw,
                    {"time": "time", "packets": "int", "bytes": "int", "bits_per_second": "float"})
            compare(suite, "bandwidth %s: describe() of frame.len" % name, read_out(out + "/bw", "frame_len"), desc,
                    {"statistic": "str", "frame.len": "float"})
        except RuntimeError as e:
            suite.fail("bandwidth " + name, e)
        if name == "http-browsing-2013.pcap":       # another interval, and tshark io,stat's alignment
            try:
                run_example(PKTFRAME, os.path.join(EXAMPLES, "bandwidth.lua"), cap,
                            ["--interval", "100ms", "--origin", "start"], out + "/bw100")
                bw, _ = expect_bandwidth(df, "100ms", origin="start")
                compare(suite, "bandwidth %s per 100ms from the first frame" % name,
                        read_out(out + "/bw100", "bandwidth"), bw,
                        {"time": "time", "packets": "int", "bytes": "int", "bits_per_second": "float"})
            except RuntimeError as e:
                suite.fail("bandwidth 100ms " + name, e)
        # 5
        try:
            stdout, _ = run_example(PKTFRAME, os.path.join(EXAMPLES, "stream_bytes.lua"), cap, [], out + "/sb")
            per, biggest = expect_stream_bytes(df)
            compare(suite, "stream_bytes %s" % name, read_out(out + "/sb", "stream_bytes"), per,
                    {"tcp.stream": "int", "bytes": "int", "packets": "int"})
            m = re.search(r"biggest stream: (\d+) with (\d+) bytes", stdout)
            got = (int(m.group(1)), int(m.group(2))) if m else None
            suite.check(got == biggest, "stream_bytes %s: idxmax and max %r" % (name, biggest),
                        "printed %r, pandas %r" % (got, biggest))
        except RuntimeError as e:
            suite.fail("stream_bytes " + name, e)
        if name == "http-browsing-2013.pcap":
            try:
                check_resolve(suite, cap, out + "/resolve")
            except Exception as e:             # noqa: BLE001
                suite.fail("volume --resolve " + name, repr(e))
        # 7
        try:
            run_example(PKTFRAME, os.path.join(EXAMPLES, "volume.lua"), cap, [], out + "/vol")
            dst, src, byname, _ = expect_volume(df, dns)
            compare(suite, "volume %s by destination" % name, read_out(out + "/vol", "volume_dst"), dst, VOL_KINDS)
            compare(suite, "volume %s by source" % name, read_out(out + "/vol", "volume_src"), src, VOL_KINDS)
            compare(suite, "volume %s by destination name" % name, read_out(out + "/vol", "volume_name"), byname,
                    {"name": "str", "addresses": "int", "bytes": "int", "packets": "int"})
        except RuntimeError as e:
            suite.fail("volume " + name, e)
    suite.finish()


main()
