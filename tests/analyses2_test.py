#!/usr/bin/python3
"""analyses2_test.py: analyses 8 (RTT per conversation), 9 (the graph's edges), 10 (payload by address and
port), 12 (inter-arrival and inter-departure times) and 13 (bursts), run as examples/*.lua --out DIR, against the same analyses
computed by pandas from `tshark -T fields` output, following notebooks 003 and 004: integers and times
exactly, other floats to 1e-9 relative.

usage: tests/analyses2_test.py PKTFRAME CAPTURES_DIR
Prints one line per capture and analysis, then "N passed, M failed". Skips, saying why, when
tshark, pandas (Debian's python3-pandas) or the captures are absent. Besides the shared captures it runs
on the demo capture (examples/make_demo_capture.lua), which has large transfers, RTTs and bursts."""
import ipaddress
import math
import os
import shutil
import subprocess
import sys
import tempfile

try:
    import numpy as np
    import pandas as pd
except ImportError:
    if os.path.exists("/usr/bin/python3") and os.path.realpath(sys.executable) != os.path.realpath("/usr/bin/python3") \
            and not os.environ.get("PF_ANALYSES2_REEXEC"):
        os.environ["PF_ANALYSES2_REEXEC"] = "1"
        os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)
    pd = None

CAPTURES = ["http-browsing-2013.pcap", "tcp-anomalies-tls.pcap", "mixed-alexa-app.pcapng", "tls-sni-v4v6.pcap",
            "vlan-tcp-ajp.pcap", "dns-mixed.pcap", "sll-tcp-handshake-nsec.pcap", "http-browsing-1kxun.pcap",
            "mixed-many-protocols.pcap", "ipv4-fragments.pcap"]
BURST_SIZE, BURST_TIME_NS = 300, 300_000_000   # notebook 004's thresholds

PASSED = FAILED = 0


def report(ok, what, why=""):
    global PASSED, FAILED
    if ok:
        PASSED += 1
        print("ok   " + what)
    else:
        FAILED += 1
        print("FAIL " + what + (": " + why if why else ""))


# ---------------------------------------------------------------- values

def ns(text):
    """'1367526033.491822000' (tshark's and pktframe's text of a time) as integer nanoseconds."""
    if text is None or text == "" or (isinstance(text, float) and math.isnan(text)):
        return None
    neg = text.startswith("-")
    whole, _, frac = text.lstrip("-").partition(".")
    v = int(whole) * 10**9 + int((frac + "000000000")[:9])
    return -v if neg else v


def isnull(v):
    return v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and math.isnan(v))


def same(kind, want, got):
    """want: pandas' value; got: pktframe's CSV text (None for an empty cell)."""
    if isnull(want) or got is None:
        return isnull(want) and got is None
    if kind == "int":
        return int(want) == int(got)
    if kind == "ns":
        return int(want) == ns(got)
    if kind == "float":
        a, b = float(want), float(got)
        return a == b or abs(a - b) <= 1e-9 * max(abs(a), abs(b))
    return str(want) == got


def read_csv(path):
    """pktframe's CSV as a list of dicts of strings (None for empty cells)."""
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    return [{k: (v if v != "" else None) for k, v in row.items()} for row in df.to_dict("records")]


def compare_keyed(want, got, keys, cols):
    """want: list of dicts from pandas; got: CSV rows; keys: key columns (compared as text); cols:
    {column: kind}. Rows are matched by key, whatever their order. A message, or None."""
    def key(r):
        return tuple(None if isnull(r[k]) else str(r[k]) for k in keys)
    w = {key(r): r for r in want}
    g = {key(r): r for r in got}
    if len(w) != len(want) or len(g) != len(got):
        return "duplicate keys (%d/%d pandas, %d/%d pktframe)" % (len(w), len(want), len(g), len(got))
    if set(w) != set(g):
        return "keys only in pandas %s, only in pktframe %s" % (sorted(set(w) - set(g), key=str)[:3],
                                                                  sorted(set(g) - set(w), key=str)[:3])
    for k in sorted(w, key=str):
        for c, kind in cols.items():
            if not same(kind, w[k][c], g[k][c]):
                return "%s, %s: pandas %r, pktframe %r" % (k, c, w[k][c], g[k][c])
    return None


def compare_ordered(want, got, cols):
    if len(want) != len(got):
        return "%d rows from pandas, %d from pktframe" % (len(want), len(got))
    for i, (w, g) in enumerate(zip(want, got)):
        for c, kind in cols.items():
            if not same(kind, w[c], g[c]):
                return "row %d, %s: pandas %r, pktframe %r" % (i + 1, c, w[c], g[c])
    return None


def ipkey(a):
    return (0, int(ipaddress.ip_address(a))) if not isnull(a) else (1, 0)


# ---------------------------------------------------------------- tshark

def tshark_df(tshark, cfgdir, cap, fields, yfilter=None):
    cmd = [tshark, "-r", cap, "-n", "-T", "fields", "-E", "header=y", "-E", "separator=/t", "-E", "occurrence=f"]
    if yfilter:
        cmd += ["-Y", yfilter]
    for f in fields:
        cmd += ["-e", f]
    out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=False,
                         env=dict(os.environ, WIRESHARK_CONFIG_DIR=cfgdir))
    lines = out.stdout.decode("utf-8", "replace").splitlines()
    rows = [l.split("\t") for l in lines[1:]]
    df = pd.DataFrame(rows, columns=fields).replace("", None)
    df["t_ns"] = pd.array([ns(v) for v in df["frame.time_epoch"]], dtype="Int64")
    for c in fields:
        if c in ("frame.number", "ip.len", "tcp.len", "udp.length", "tcp.srcport", "tcp.dstport", "udp.srcport",
                 "udp.dstport", "tcp.stream", "tcp.flags.syn", "tcp.flags.ack"):
            df[c] = pd.to_numeric(df[c]).astype("Int64")
    return df


def with_payload(df):
    """notebook 004's Raw_load for TCP and UDP: tcp.len, else udp.length - 8."""
    df = df.copy()
    df["payload"] = df["tcp.len"].where(df["tcp.len"].notna(), df["udp.length"] - 8)
    return df


# ---------------------------------------------------------------- 8. RTT (notebook 003)

def rtt_expect(df):
    syn = (df["tcp.flags.syn"] == 1) & (df["tcp.flags.ack"] == 0)
    first = df[syn.fillna(False)].groupby("tcp.stream").agg(syn_ip=("ip.src", "first"),
                                                           syn_port=("tcp.srcport", "first"))
    df = df.merge(first, left_on="tcp.stream", right_index=True, how="left")
    sp, dp = df["tcp.srcport"], df["tcp.dstport"]
    by_syn = ((df["ip.src"] == df["syn_ip"]) & (sp == df["syn_port"])).fillna(False)
    src_gt = pd.Series([(not isnull(a) and not isnull(b) and ipaddress.ip_address(a) > ipaddress.ip_address(b))
                        for a, b in zip(df["ip.src"], df["ip.dst"])], index=df.index, dtype=bool)
    by_port = ((sp > dp) | ((sp == dp) & src_gt)).fillna(False)
    src_cli = pd.Series(np.where(df["syn_port"].notna(), by_syn, by_port), index=df.index).astype(bool)
    # notebook 003's assign_col: the column takes one side where the expression holds, the other elsewhere
    df["ip.cli"] = df["ip.src"].where(src_cli, df["ip.dst"])
    df["ip.srv"] = df["ip.dst"].where(src_cli, df["ip.src"])
    df["tcp.cliport"] = df["tcp.srcport"].where(src_cli, df["tcp.dstport"])
    df["tcp.srvport"] = df["tcp.dstport"].where(src_cli, df["tcp.srcport"])
    df["rtt"] = pd.to_numeric(df["tcp.analysis.ack_rtt"])
    gb = df.groupby(["ip.cli", "ip.srv", "tcp.cliport"])
    agg = gb.agg(server_port=("tcp.srvport", "first"), packets=("frame.number", "size"), bytes=("ip.len", "sum"),
                 rtt_min=("rtt", "min"), rtt_mean=("rtt", "mean"), rtt_max=("rtt", "max"),
                 rtt_count=("rtt", "count")).reset_index()
    agg = agg.rename(columns={"ip.cli": "client", "ip.srv": "server", "tcp.cliport": "client_port"})
    return df, agg


def check_rtt(name, df, out):
    conv_df, agg = rtt_expect(df)
    got = read_csv(os.path.join(out, "conversations.csv"))
    cols = {"server_port": "int", "packets": "int", "bytes": "int", "rtt_min": "float", "rtt_mean": "float",
            "rtt_max": "float", "rtt_count": "int"}
    why = compare_keyed(agg.to_dict("records"), got, ["client", "server", "client_port"], cols)
    report(why is None, "%s rtt: conversations (%d)" % (name, len(got)), why)
    # the busiest: most RTT samples, ties to the first by (client, server, client port) as addresses sort
    best = agg[agg["rtt_count"] > 0]
    has_series = os.path.exists(os.path.join(out, "rtt_series.csv"))
    if len(best) == 0:
        report(not has_series, "%s rtt: no samples, no series" % name)
        return
    best = sorted(best.to_dict("records"), key=lambda r: (-r["rtt_count"], ipkey(r["client"]), ipkey(r["server"]),
                                                           r["client_port"]))[0]
    s = conv_df[(conv_df["ip.cli"] == best["client"]) & (conv_df["ip.srv"] == best["server"])
                & (conv_df["tcp.cliport"] == best["client_port"])]
    series = s[s["rtt"].notna()]
    want = [{"frame.number": n, "frame.time_epoch": t, "rtt": r}
            for n, t, r in zip(series["frame.number"], series["t_ns"], series["rtt"])]
    why = compare_ordered(want, read_csv(os.path.join(out, "rtt_series.csv")) if has_series else [],
                          {"frame.number": "int", "frame.time_epoch": "ns", "rtt": "float"})
    report(why is None, "%s rtt: series of %s:%s (%d samples)" % (name, best["client"], best["client_port"], len(want)), why)
    # notebook 003: s.resample('100L', {'tcp.analysis.ack_rtt': ['min', 'mean', 'max']})
    s = s.set_index(pd.to_datetime(s["t_ns"].astype("int64"), unit="ns"))
    r = s["rtt"].resample("100ms").agg(["min", "mean", "max"])
    want = [{"frame.time_epoch": t.value, "rtt_min": a, "rtt_mean": b, "rtt_max": c}
            for t, a, b, c in zip(r.index, r["min"], r["mean"], r["max"])]
    why = compare_ordered(want, read_csv(os.path.join(out, "rtt_resampled.csv")),
                          {"frame.time_epoch": "ns", "rtt_min": "float", "rtt_mean": "float", "rtt_max": "float"})
    report(why is None, "%s rtt: resampled 100 ms (%d buckets)" % (name, len(want)), why)


# ---------------------------------------------------------------- 9. graph (notebook 004), an extra

def check_graph(name, df, out):
    # connections = df.groupby(['IP_src','IP_dst']).size(), without 0.0.0.0 and 255.255.255.255
    c = df.groupby(["ip.src", "ip.dst"]).size().rename("count").reset_index()
    skip = ["0.0.0.0", "255.255.255.255", "::"]
    drop = c["ip.src"].isin(skip) | c["ip.dst"].isin(skip)
    c = c[~drop]
    want = [{"src": a, "dst": b, "packets": n} for a, b, n in zip(c["ip.src"], c["ip.dst"], c["count"])]
    got = read_csv(os.path.join(out, "edges.csv"))
    why = compare_keyed(want, got, ["src", "dst"], {"packets": "int"})
    report(why is None, "%s graph: edges (%d)" % (name, len(want)), why)


# ---------------------------------------------------------------- 10. payload (notebook 004)

def check_payload(name, df, out, family=None):
    df = with_payload(df)
    ksrc, kdst = PAYLOAD_KEYS[family]
    for key, col in [("ip_src", "ip.src"), ("ip_dst", "ip.dst"), ("tcp_srcport", "tcp.srcport"),
                     ("tcp_dstport", "tcp.dstport"), ("udp_srcport", "udp.srcport"), ("udp_dstport", "udp.dstport")]:
        # df.groupby("IP_src")['Raw_load'].sum(), with the count of packets that have a payload
        g = df.groupby(col)["payload"].agg(["sum", "count"]).reset_index()
        want = [{col: k, "bytes": s, "packets": c} for k, s, c in zip(g[col], g["sum"], g["count"])]
        got = read_csv(os.path.join(out, "payload_%s.csv" % key))
        kname = {"ip.src": ksrc, "ip.dst": kdst}.get(col)
        if kname and got and kname in got[0]:
            got = [dict(r, **{col: r[kname]}) for r in got]
        why = compare_keyed(want, got, [col], {"bytes": "int", "packets": "int"})
        if why is None:
            b = [int(r["bytes"]) for r in got]
            if any(b[i] < b[i + 1] for i in range(len(b) - 1)):
                why = "not sorted by bytes, most first"
        report(why is None, "%s payload by %s (%d)" % (name, col, len(want)), why)


# ---------------------------------------------------------------- 12. inter-arrival (notebook 004)

def check_interarrival(name, df, out):
    df = df[df["ip.src"].notna()].copy()
    df["idt"] = pd.array([None] * len(df), dtype="Int64")
    df["iat"] = pd.array([None] * len(df), dtype="Int64")
    # notebook 004, In [41]: per address, its packets in time order, diff of the times
    for addr in set(df["ip.src"].unique()) | set(df["ip.dst"].unique()):
        d = df[df["ip.src"] == addr].sort_values("t_ns", kind="stable")
        df.loc[d.index, "idt"] = d["t_ns"].diff()
        a = df[df["ip.dst"] == addr].sort_values("t_ns", kind="stable")
        df.loc[a.index, "iat"] = a["t_ns"].diff()
    want = [{"frame.number": n, "inter_departure": x, "inter_arrival": y}
            for n, x, y in zip(df["frame.number"], df["idt"], df["iat"])]
    got = read_csv(os.path.join(out, "interarrival_packets.csv"))
    got = [dict(r, inter_departure=None if r["inter_departure"] is None else str(ns(r["inter_departure"])),
                inter_arrival=None if r["inter_arrival"] is None else str(ns(r["inter_arrival"]))) for r in got]
    why = compare_keyed(want, got, ["frame.number"], {"inter_departure": "int", "inter_arrival": "int"})
    report(why is None, "%s inter-arrival: per packet (%d)" % (name, len(want)), why)
    rows = []
    for addr in set(df["ip.src"].unique()) | set(df["ip.dst"].unique()):
        r = {"address": addr}
        for side, gap, count, pre in (("ip.src", "idt", "sent", "departure"), ("ip.dst", "iat", "received", "arrival")):
            m = df[df[side] == addr]
            g = m[gap].dropna().astype("int64")
            r[count] = len(m) if len(m) else None
            r[pre + "_mean"] = g.mean() / 1e9 if len(g) else None
            r[pre + "_median"] = g.median() / 1e9 if len(g) else None
            r[pre + "_min"] = g.min() if len(g) else None
            r[pre + "_max"] = g.max() if len(g) else None
        rows.append(r)
    cols = {}
    for pre, count in (("departure", "sent"), ("arrival", "received")):
        cols.update({count: "int", pre + "_mean": "float", pre + "_median": "float", pre + "_min": "ns",
                     pre + "_max": "ns"})
    got = read_csv(os.path.join(out, "interarrival_addresses.csv"))
    why = compare_keyed(rows, got, ["address"], cols)
    report(why is None, "%s inter-arrival: per address (%d)" % (name, len(rows)), why)


# ---------------------------------------------------------------- 13. bursts (notebook 004)

def check_bursts(name, df, out):
    df = with_payload(df)
    q = df[(df["payload"] >= BURST_SIZE).fillna(False) & df["ip.src"].notna()].sort_values("t_ns", kind="stable")
    gap = q.groupby(["ip.src", "ip.dst"])["t_ns"].diff()
    new = (gap.isna() | (gap > BURST_TIME_NS)).astype(int)
    q = q.assign(burst_no=new.groupby([q["ip.src"], q["ip.dst"]]).cumsum())
    b = q.groupby(["ip.src", "ip.dst", "burst_no"]).agg(start=("t_ns", "min"), end=("t_ns", "max"),
                                                        packets=("t_ns", "size"), bytes=("payload", "sum")).reset_index()
    b = b[b["packets"] >= 2]
    want = sorted(b.to_dict("records"), key=lambda r: (r["start"], ipkey(r["ip.src"]), ipkey(r["ip.dst"])))
    for r in want:
        r["src"], r["dst"], r["duration"] = r["ip.src"], r["ip.dst"], r["end"] - r["start"]
    got = read_csv(os.path.join(out, "bursts.csv"))
    why = None
    if [r["id"] for r in got] != [str(i + 1) for i in range(len(got))]:
        why = "ids are not 1..n in order"
    got = sorted(got, key=lambda r: (ns(r["start"]), ipkey(r["src"]), ipkey(r["dst"])))
    why = why or compare_ordered(want, got, {"src": "text", "dst": "text", "start": "ns", "end": "ns",
                                             "packets": "int", "bytes": "int", "duration": "ns"})
    report(why is None, "%s bursts (%d)" % (name, len(want)), why)


# ---------------------------------------------------------------- IP families

def tshark_fields(fields):
    """The fields of both families: ipv6.src, ipv6.dst (ipv6.plen) beside ip.src, ip.dst (ip.len)."""
    out = list(fields)
    for v4, v6 in (("ip.src", "ipv6.src"), ("ip.dst", "ipv6.dst"), ("ip.len", "ipv6.plen")):
        if v4 in fields:
            out.append(v6)
    return out


def fold(df, family):
    """The columns ip.src, ip.dst (ip.len) the checks read, for family None (both: a packet's IPv6
    addresses when it has them, the inner layer of 6in4, else its IPv4 ones; IPv6 lengths are
    ipv6.plen + 40), "ipv4" (as tshark gives them) or "ipv6" (the IPv6 columns)."""
    df = df.copy()
    if family == "ipv4":
        return df
    v6 = df["ipv6.src"].notna()
    plen = pd.to_numeric(df["ipv6.plen"]).astype("Int64") + 40 if "ipv6.plen" in df.columns else None
    if family == "ipv6":
        df["ip.src"], df["ip.dst"] = df["ipv6.src"], df["ipv6.dst"]
        if plen is not None:
            df["ip.len"] = plen
        return df
    df["ip.src"] = df["ipv6.src"].where(v6, df["ip.src"])
    df["ip.dst"] = df["ipv6.dst"].where(v6, df["ip.dst"])
    if plen is not None:
        df["ip.len"] = plen.where(v6, df["ip.len"])
    return df


# the key column of payload's address tables in each mode
PAYLOAD_KEYS = {None: ("src", "dst"), "ipv4": ("ip.src", "ip.dst"), "ipv6": ("ipv6.src", "ipv6.dst")}
# per-family runs (--ipv4, --ipv6, --ip6) on these dual-stack captures; the others run the default
PER_FAMILY = ("tls-sni-v4v6.pcap", "office.pcap (demo)")


# ---------------------------------------------------------------- main

ANALYSES = [
    ("rtt", ["frame.number", "frame.time_epoch", "ip.src", "ip.dst", "ip.len", "tcp.srcport", "tcp.dstport",
             "tcp.stream", "tcp.flags.syn", "tcp.flags.ack", "tcp.analysis.ack_rtt"], "tcp", check_rtt),
    ("graph", ["frame.time_epoch", "ip.src", "ip.dst"], None, check_graph),
    ("payload", ["frame.number", "frame.time_epoch", "ip.src", "ip.dst", "tcp.srcport", "tcp.dstport", "udp.srcport",
                 "udp.dstport", "tcp.len", "udp.length"], None, check_payload),
    ("interarrival", ["frame.number", "frame.time_epoch", "ip.src", "ip.dst"], None, check_interarrival),
    ("bursts", ["frame.number", "frame.time_epoch", "ip.src", "ip.dst", "tcp.len", "udp.length"], None, check_bursts),
]


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: analyses2_test.py PKTFRAME CAPTURES_DIR")
    pktframe, capdir = os.path.abspath(sys.argv[1]), sys.argv[2]
    tshark = shutil.which("tshark")
    why = None
    if pd is None:
        why = "pandas is not installed (apt-get install python3-pandas)"
    elif tshark is None:
        why = "tshark is not installed"
    elif not os.path.isdir(capdir):
        why = "no captures at %s" % capdir
    if why:
        print("analyses2: skipped: " + why)
        print("0 passed, 0 failed")
        return 0
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    tmp = tempfile.mkdtemp(prefix="pf-analyses2-")
    cfgdir = os.path.join(tmp, "wireshark")
    os.mkdir(cfgdir)
    try:
        demo = os.path.join(tmp, "office.pcap")
        subprocess.run([pktframe, "run", os.path.join(root, "examples/make_demo_capture.lua"), demo],
                       stdout=subprocess.DEVNULL, check=True)
        caps = [("office.pcap (demo)", demo)] + [(c, os.path.join(capdir, c)) for c in CAPTURES
                                                 if os.path.exists(os.path.join(capdir, c))]
        for name, cap in caps:
            modes = [(None, [])]
            if name in PER_FAMILY:
                modes += [("ipv4", ["--ipv4"]), ("ipv6", ["--ipv6"]), ("ipv6", ["--ip6"])]
            for analysis, fields, yfilter, check in ANALYSES:
                all_df = tshark_df(tshark, cfgdir, cap, tshark_fields(fields), yfilter)
                for family, opts in modes:
                    label = name + (" " + opts[0] if opts else "")
                    out = os.path.join(tmp, "%s-%s%s" % (os.path.basename(cap), analysis, "".join(opts)))
                    p = subprocess.run([pktframe, "run", os.path.join(root, "examples", analysis + ".lua"), cap,
                                        "--out", out] + opts, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                    if p.returncode != 0:
                        report(False, "%s %s: examples/%s.lua exits %d" % (label, analysis, analysis, p.returncode),
                               p.stderr.decode("utf-8", "replace")[-400:])
                        continue
                    df = fold(all_df, family)
                    try:
                        if check is check_payload:
                            check(label, df, out, family)
                        else:
                            check(label, df, out)
                    except Exception as e:   # a crash of the check is a failure, with its reason
                        report(False, "%s %s: the pandas side raised" % (label, analysis), repr(e))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("%d passed, %d failed" % (PASSED, FAILED))   # run.sh reads a name without digits, or none
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
