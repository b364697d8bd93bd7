#!/usr/bin/env python3
"""oracle_test.py: the seed analyses (stream summary, bytes per second, volume by destination, RTT per
conversation, inter-arrival times per source) computed by pktframe (tests/oracle.lua) and by pandas from
`tshark -T fields` output, compared: integers and times exactly, other floats to 1e-9 relative.

usage: tests/oracle_test.py PKTFRAME CAPTURES_DIR
Prints one line per capture and analysis, then "oracle: N passed, M failed". Skips, saying why, when
tshark, pandas (Debian's python3-pandas) or the captures are absent."""
import math
import os
import shutil
import subprocess
import sys
import tempfile

# python3 on PATH may be another interpreter than Debian's, which holds python3-pandas
try:
    import pandas as pd
except ImportError:
    if os.path.exists("/usr/bin/python3") and os.path.realpath(sys.executable) != os.path.realpath("/usr/bin/python3") \
            and not os.environ.get("PF_ORACLE_REEXEC"):
        os.environ["PF_ORACLE_REEXEC"] = "1"
        os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)
    pd = None

# captures whose clocks span less than a day get the 1 s buckets; the others would make millions of them
CAPTURES = [
    ("http-browsing-2013.pcap", True), ("mixed-alexa-app.pcapng", True), ("tls-sni-v4v6.pcap", True),
    ("sll-mixed.pcap", True), ("pcapng-multi-iface.pcapng", True), ("ipv6-in-ipv4-tunnel.pcap", True),
    ("vlan-tcp-ajp.pcap", True), ("dns-mixed.pcap", True), ("tcp-anomalies-tls.pcap", False),
    ("http-browsing-1kxun.pcap", False), ("mixed-many-protocols.pcap", False),
]
FIELDS = ["frame.number", "frame.time_epoch", "frame.len", "ip.src", "ip.dst", "tcp.srcport", "tcp.dstport",
          "tcp.stream", "tcp.len", "tcp.analysis.ack_rtt"]
STREAM_FIELDS = ["frame.time_epoch", "tcp.stream", "ip.src", "tcp.srcport", "ip.dst", "tcp.dstport", "tcp.len"]


def ns(text):
    """'1367526033.491822000' (tshark's and pktframe's text) as integer nanoseconds."""
    if text is None or (isinstance(text, float) and math.isnan(text)) or text == "":
        return None
    neg = text.startswith("-")
    whole, _, frac = text.lstrip("-").partition(".")
    v = int(whole) * 10**9 + int((frac + "000000000")[:9])
    return -v if neg else v


def same_float(a, b):
    if a is None or b is None:
        return a is None and b is None
    return a == b or abs(a - b) <= 1e-9 * max(abs(a), abs(b))


def num(v):
    """A pandas cell as float or None."""
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA or v is pd.NaT:
        return None
    return float(v)


def text(v):
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    return str(v)


def read_pf(path):
    """pktframe's CSV as a list of dicts of strings (None for empty cells)."""
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    return [{k: (v if v != "" else None) for k, v in row.items()} for row in df.to_dict("records")]


def compare_rows(want, got, cols):
    """want, got: lists of dicts; cols: {name: kind} with kind 'int', 'text', 'ns' or 'float'. Returns a
    message for the first difference, or None."""
    if len(want) != len(got):
        return "%d rows from pandas, %d from pktframe" % (len(want), len(got))
    for i, (w, g) in enumerate(zip(want, got)):
        for c, kind in cols.items():
            a, b = w[c], g[c]
            if kind == "float":
                ok = same_float(num(a), None if b is None else float(b))
            elif kind == "ns":
                ok = a == ns(b)
            elif kind == "int":
                ok = (a is None and b is None) or (a is not None and b is not None and int(a) == int(b))
            else:
                ok = text(a) == b
            if not ok:
                return "row %d, %s: pandas %r, pktframe %r" % (i + 1, c, a, b)
    return None


def tshark_table(tshark, cap):
    out = subprocess.run([tshark, "-r", cap, "-n", "-T", "fields", "-E", "header=y", "-E", "separator=/t",
                          "-E", "occurrence=f"] + sum([["-e", f] for f in FIELDS], []),
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=False)
    lines = out.stdout.decode("utf-8", "replace").splitlines()
    rows = [l.split("\t") for l in lines[1:]]
    df = pd.DataFrame(rows, columns=lines[0].split("\t")).replace("", None)
    df["t"] = pd.to_datetime([ns(v) for v in df["frame.time_epoch"]], unit="ns")
    for c in ["frame.number", "frame.len", "tcp.len"]:
        df[c] = pd.to_numeric(df[c]).astype("Int64")
    df["rtt"] = pd.to_numeric(df["tcp.analysis.ack_rtt"])
    return df


def streams(df):
    s = df.dropna(subset=STREAM_FIELDS)
    g = s.groupby("tcp.stream", sort=False)
    a = g.agg(start=("t", "min"), end=("t", "max"), bytes=("tcp.len", "sum"), src=("ip.src", "first"),
              sport=("tcp.srcport", "first"), dst=("ip.dst", "first"), dport=("tcp.dstport", "first")).reset_index()
    rows = a.to_dict("records")
    for r in rows:
        r["start"], r["end"] = r["start"].value, r["end"].value
    return rows, {"tcp.stream": "text", "start": "ns", "end": "ns", "bytes": "int", "src": "text", "sport": "text",
                  "dst": "text", "dport": "text"}


def bytes_1s(df):
    r = df.resample("1s", on="t")["frame.len"].sum().reset_index()
    rows = [{"frame.time_epoch": t.value, "bytes": b} for t, b in zip(r["t"], r["frame.len"])]
    return rows, {"frame.time_epoch": "ns", "bytes": "int"}


def volume(df):
    v = df.groupby("ip.dst", sort=False)["frame.len"].sum().reset_index()
    v = v.sort_values("frame.len", ascending=False, kind="stable")
    rows = [{"ip.dst": d, "bytes": b} for d, b in zip(v["ip.dst"], v["frame.len"])]
    return rows, {"ip.dst": "text", "bytes": "int"}


def rtt(df):
    a = df.groupby(["ip.src", "ip.dst", "tcp.srcport"], sort=False)["rtt"].agg(["min", "mean", "max", "count"])
    rows = a.reset_index().to_dict("records")
    return rows, {"ip.src": "text", "ip.dst": "text", "tcp.srcport": "text", "min": "float", "mean": "float",
                  "max": "float", "count": "int"}


def iat(df):
    d = df.groupby("ip.src", sort=False)["t"].diff()
    rows = [{"frame.number": n, "iat": (None if pd.isna(x) else x.value)} for n, x in zip(df["frame.number"], d)]
    return rows, {"frame.number": "int", "iat": "ns"}


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: oracle_test.py PKTFRAME CAPTURES_DIR")
    pktframe, capdir = sys.argv[1], sys.argv[2]
    tshark = shutil.which("tshark")
    why = None
    if pd is None:
        why = "pandas is not installed (apt-get install python3-pandas)"
    elif tshark is None:
        why = "tshark is not installed"
    elif not os.path.isdir(capdir):
        why = "no captures at %s" % capdir
    if why:
        print("oracle: skipped: " + why)
        print("oracle: 0 passed, 0 failed")
        return 0
    passed = failed = 0
    tmp = tempfile.mkdtemp(prefix="pf-oracle-")
    try:
        for name, do_resample in CAPTURES:
            cap = os.path.join(capdir, name)
            if not os.path.exists(cap):
                print("skip %-28s absent" % name)
                continue
            out = os.path.join(tmp, name)
            os.mkdir(out)
            run = subprocess.run([pktframe, "run", os.path.join(os.path.dirname(__file__), "oracle.lua"), cap, out,
                                  "1" if do_resample else "0"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            df = tshark_table(tshark, cap)
            checks = [("streams", streams, "streams.csv"), ("volume", volume, "volume.csv"), ("rtt", rtt, "rtt.csv"),
                      ("iat", iat, "iat.csv")]
            if do_resample:
                checks.insert(1, ("bytes_1s", bytes_1s, "bytes_1s.csv"))
            for label, fn, csv in checks:
                path = os.path.join(out, csv)
                if run.returncode != 0 or not os.path.exists(path):
                    msg = "pktframe failed: " + run.stdout.decode("utf-8", "replace").strip()[-300:]
                else:
                    want, cols = fn(df)
                    msg = compare_rows(want, read_pf(path), cols)
                    if msg is None:
                        msg = "%d rows" % len(want)
                        print("ok   %-28s %-9s %s" % (name, label, msg))
                        passed += 1
                        continue
                print("FAIL %-28s %-9s %s" % (name, label, msg))
                failed += 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("oracle: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
