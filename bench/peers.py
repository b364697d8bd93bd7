#!/usr/bin/python3
"""bench/peers.py - the peers of pktframe's benchmark tasks, written as the notebooks write them.

Usage: /usr/bin/python3 bench/peers.py TOOL TASK CAPTURE OUT.tsv

  TOOL  tshark   tshark -T fields piped into pandas.read_table (notebooks 000-003's read_traffic)
        dpkt     dpkt parses the capture in Python, pandas aggregates (no tcp.stream, no ack_rtt)
        scapy    scapy's rdpcap, a DataFrame built packet by packet (notebook 004), pandas aggregates
  TASK  T1 stream summary   T2 bandwidth per 1 s   T3 volume by ip.dst   T4 RTT per conversation
  OUT   the result in the canonical TSV that bench/check.py compares (see bench/README.md)

Run it with Debian's /usr/bin/python3 (python3-pandas, python3-dpkt, python3-scapy), not a pyenv
python. Exit status: 0 done, 3 the task is not available from this tool (dpkt/scapy T4), 2 usage.
The tasks are defined once, in bench/README.md; the canonical output formats in write_* below.
"""
import subprocess
import sys

import numpy as np
import pandas as pd

# ---------------------------------------------------------------------------------------------
# canonical output (the same columns tasks.lua writes). Floats are written with repr (17
# significant digits), so nothing is lost before bench/check.py compares them.


def fmt(v):
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return ""
    if isinstance(v, (float, np.floating)):
        return repr(float(v))
    if isinstance(v, (np.integer,)):
        return str(int(v))
    return str(v)


def write_rows(path, header, rows, ids=None):
    with open(path, "w") as f:
        if ids:
            f.write("# ids: %s\n" % ids)
        f.write("\t".join(header) + "\n")
        for r in rows:
            f.write("\t".join(fmt(v) for v in r) + "\n")


T1_HEADER = ["stream", "start", "end", "bytes", "src", "srcport", "dst", "dstport"]
T2_HEADER = ["second", "bytes"]
T3_HEADER = ["ip.dst", "bytes"]
T4_HEADER = ["client", "server", "cliport", "ip.len", "rtt_min", "rtt_mean", "rtt_max", "rtt_count"]


def write_t1(out, streams, ids):
    # streams: index = stream id; columns start, end, bytes, src, srcport, dst, dstport
    rows = streams[["start", "end", "bytes", "src", "srcport", "dst", "dstport"]].itertuples()
    write_rows(out, T1_HEADER, rows, ids)


def write_t2(out, per_second):
    # per_second: Series indexed by DatetimeIndex (1 s bins); empty bins (sum 0) are left out
    s = per_second[per_second > 0]
    secs = s.index.values.astype("datetime64[s]").astype(np.int64)
    write_rows(out, T2_HEADER, zip(secs, s.values.astype(np.int64)))


def write_t3(out, volume):
    # volume: Series indexed by address, sorted by volume (descending) as notebook 002 shows it
    write_rows(out, T3_HEADER, zip(volume.index, volume.values.astype(np.int64)))


def write_t4(out, agg):
    rows = agg.reset_index()[["client", "server", "cliport", "ip.len",
                              "rtt_min", "rtt_mean", "rtt_max", "rtt_count"]].itertuples(index=False)
    write_rows(out, T4_HEADER, rows)


def stream_summary(df, key):
    """T1's aggregation, notebook 000: per stream the first/last time, the sum of tcp.len and
    the addresses and ports of the stream's first packet (file order)."""
    g = df.groupby(key, sort=True)
    return g.agg(start=("time", "min"), end=("time", "max"), bytes=("tcp.len", "sum"),
                 src=("ip.src", "first"), srcport=("tcp.srcport", "first"),
                 dst=("ip.dst", "first"), dstport=("tcp.dstport", "first"))


def bandwidth(times, lengths):
    """T2, notebook 001: frame.len summed over 1 s bins of a DatetimeIndex (epoch-aligned, UTC)."""
    s = pd.Series(np.asarray(lengths, dtype=np.int64),
                  index=pd.to_datetime(np.asarray(times, dtype=np.float64), unit="s"))
    return s.resample("1s").sum()


def volume(df):
    """T3, notebook 002: frame.len summed by ip.dst (frames without IPv4 drop out of the groupby)."""
    return df.groupby("ip.dst")["frame.len"].sum().sort_values(ascending=False)


# ---------------------------------------------------------------------------------------------
# tshark -T fields | pandas.read_table (the notebooks' read_traffic, with modern pandas)

def read_traffic(filename, fields, display_filter="", strict=False):
    """Notebook 000's read_traffic: tshark's fields into a DataFrame through a pipe.
    -E occurrence=f keeps the first occurrence of a field (the outer IP header of an ICMP error),
    which is what a pktframe column holds. frame.time_epoch stays a float column (the notebook's
    date_parser=datetime.fromtimestamp per row is a slow local-time conversion; the tasks that
    need a time index build it with pd.to_datetime(unit='s'))."""
    filters = list(fields) if strict else []
    if display_filter:
        filters.append(display_filter)
    cmd = ["tshark", "-r", filename, "-n", "-T", "fields", "-E", "header=y", "-E", "occurrence=f"]
    if filters:
        cmd += ["-Y", " and ".join(filters)]
    for f in fields:
        cmd += ["-e", f]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    df = pd.read_table(proc.stdout)
    if proc.wait() != 0:
        sys.exit("peers.py: tshark failed (exit %d): %s" % (proc.returncode, " ".join(cmd)))
    return df


def tshark_task(task, pcap, out):
    if task == "T1":
        fields = ["frame.time_epoch", "tcp.stream", "ip.src", "tcp.srcport", "ip.dst", "tcp.dstport", "tcp.len"]
        ts = read_traffic(pcap, fields, strict=True)
        ts = ts.rename(columns={"frame.time_epoch": "time"})
        write_t1(out, stream_summary(ts, "tcp.stream"), "tcp.stream")
    elif task == "T2":
        fl = read_traffic(pcap, ["frame.time_epoch", "frame.len"])
        write_t2(out, bandwidth(fl["frame.time_epoch"].values, fl["frame.len"].values))
    elif task == "T3":
        df = read_traffic(pcap, ["ip.dst", "frame.len"])
        write_t3(out, volume(df))
    elif task == "T4":
        df = read_traffic(pcap, ["ip.src", "ip.dst", "tcp.srcport", "tcp.dstport", "ip.len",
                                 "tcp.analysis.ack_rtt"], display_filter="tcp")
        write_t4(out, rtt_per_conversation(df))


def rtt_per_conversation(df):
    """T4, notebook 003: client/server by port, then ack_rtt min/mean/max/count (and the sum of
    ip.len) per (client, server, client port). The rule: the side with the higher port is the
    client, the lower port the server; equal ports: the source is the client. Rows without
    IPv4 (IPv6 TCP) drop out of the groupby, as in the notebook."""
    srv_src = df["tcp.srcport"] < df["tcp.dstport"]        # the source has the lower port: server
    df = pd.DataFrame({
        "client": np.where(srv_src, df["ip.dst"], df["ip.src"]),
        "server": np.where(srv_src, df["ip.src"], df["ip.dst"]),
        "cliport": np.where(srv_src, df["tcp.dstport"], df["tcp.srcport"]),
        "ip.len": df["ip.len"],
        "rtt": df["tcp.analysis.ack_rtt"],
    })
    df = df[df["client"].notna() & df["server"].notna()]
    df["cliport"] = df["cliport"].astype(np.int64)
    df["ip.len"] = df["ip.len"].astype(np.int64)
    gb = df.groupby(["client", "server", "cliport"])
    return gb.agg(**{"ip.len": ("ip.len", "sum"), "rtt_min": ("rtt", "min"), "rtt_mean": ("rtt", "mean"),
                     "rtt_max": ("rtt", "max"), "rtt_count": ("rtt", "count")})


# ---------------------------------------------------------------------------------------------
# dpkt + pandas

def dpkt_records(pcap):
    """(time, wire length, bytes) of every record. dpkt.pcap.Reader yields only (time, bytes),
    and frame.len is the record's original length, so this reads dpkt's record header itself."""
    import dpkt
    f = open(pcap, "rb")
    r = dpkt.pcap.Reader(f)
    ph = r._Reader__ph                      # dpkt's record-header class for this file's byte order
    hl = ph.__hdr_len__
    div = r._divisor
    read = f.read
    while True:
        h = read(hl)
        if len(h) < hl:
            break
        hdr = ph(h)
        yield hdr.tv_sec + hdr.tv_usec / div, hdr.len, read(hdr.caplen)


def dpkt_task(task, pcap, out):
    import socket
    import dpkt
    Ethernet, IP, TCP = dpkt.ethernet.Ethernet, dpkt.ip.IP, dpkt.tcp.TCP
    if task == "T1":
        # IPv4 TCP packets (with a TCP header: not ICMP quotes, not non-first fragments). dpkt has no
        # tcp.stream: streams are numbered by canonical 4-tuple in order of first appearance, which
        # is tshark's order as long as no port is reused with a new ISN (the captures have none).
        sid = {}
        ids, times, lens, srcs, sports, dsts, dports = [], [], [], [], [], [], []
        for ts, _, buf in dpkt_records(pcap):
            try:
                ip = Ethernet(buf).data
            except dpkt.UnpackError:
                continue
            if not isinstance(ip, IP):
                continue
            tcp = ip.data
            if not isinstance(tcp, TCP):
                continue
            a, b = (ip.src, tcp.sport), (ip.dst, tcp.dport)
            k = (a, b) if a <= b else (b, a)
            s = sid.get(k)
            if s is None:
                s = sid[k] = len(sid)
            ids.append(s); times.append(ts)
            lens.append(ip.len - ip.hl * 4 - tcp.off * 4)
            srcs.append(ip.src); sports.append(tcp.sport); dsts.append(ip.dst); dports.append(tcp.dport)
        df = pd.DataFrame({"stream": ids, "time": times, "tcp.len": lens, "ip.src": srcs,
                           "tcp.srcport": sports, "ip.dst": dsts, "tcp.dstport": dports})
        st = stream_summary(df, "stream")
        st["src"] = st["src"].map(socket.inet_ntoa)
        st["dst"] = st["dst"].map(socket.inet_ntoa)
        write_t1(out, st, "4-tuple")
    elif task == "T2":
        times, lens = [], []
        for ts, wirelen, _ in dpkt_records(pcap):
            times.append(ts); lens.append(wirelen)
        write_t2(out, bandwidth(times, lens))
    elif task == "T3":
        dsts, lens = [], []
        for _, wirelen, buf in dpkt_records(pcap):
            try:
                ip = Ethernet(buf).data
            except dpkt.UnpackError:
                continue
            if isinstance(ip, IP):
                dsts.append(ip.dst); lens.append(wirelen)
        df = pd.DataFrame({"ip.dst": dsts, "frame.len": lens})
        v = volume(df)
        v.index = v.index.map(socket.inet_ntoa)
        write_t3(out, v)
    else:
        print("peers.py: %s is not available from dpkt (it has no tcp.analysis.ack_rtt)" % task, file=sys.stderr)
        sys.exit(3)


# ---------------------------------------------------------------------------------------------
# scapy + pandas (notebook 004: rdpcap, then a DataFrame built packet by packet)

def scapy_task(task, pcap, out):
    import logging
    logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
    from scapy.all import rdpcap, IP, TCP
    if task == "T4":
        print("peers.py: T4 is not available from scapy (it has no tcp.analysis.ack_rtt)", file=sys.stderr)
        sys.exit(3)
    cap = rdpcap(pcap)
    if task == "T1":
        sid = {}
        rows = {"stream": [], "time": [], "tcp.len": [], "ip.src": [], "tcp.srcport": [],
                "ip.dst": [], "tcp.dstport": []}
        for pkt in cap:
            if IP not in pkt:
                continue
            ip = pkt[IP]
            if type(ip.payload) is not TCP:       # a TCP header right after the outer IPv4 header
                continue
            tcp = ip.payload
            a, b = (ip.src, tcp.sport), (ip.dst, tcp.dport)
            k = (a, b) if a <= b else (b, a)
            s = sid.get(k)
            if s is None:
                s = sid[k] = len(sid)
            rows["stream"].append(s); rows["time"].append(float(pkt.time))
            rows["tcp.len"].append(ip.len - ip.ihl * 4 - tcp.dataofs * 4)
            rows["ip.src"].append(ip.src); rows["tcp.srcport"].append(tcp.sport)
            rows["ip.dst"].append(ip.dst); rows["tcp.dstport"].append(tcp.dport)
        write_t1(out, stream_summary(pd.DataFrame(rows), "stream"), "4-tuple")
    elif task == "T2":
        times = [float(p.time) for p in cap]
        lens = [p.wirelen if p.wirelen is not None else len(p) for p in cap]
        write_t2(out, bandwidth(times, lens))
    elif task == "T3":
        dsts, lens = [], []
        for p in cap:
            if IP in p:
                dsts.append(p[IP].dst); lens.append(p.wirelen if p.wirelen is not None else len(p))
        write_t3(out, volume(pd.DataFrame({"ip.dst": dsts, "frame.len": lens})))


def main(argv):
    if len(argv) != 5 or argv[1] not in ("tshark", "dpkt", "scapy") or argv[2] not in ("T1", "T2", "T3", "T4"):
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    tool, task, pcap, out = argv[1:]
    {"tshark": tshark_task, "dpkt": dpkt_task, "scapy": scapy_task}[tool](task, pcap, out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
