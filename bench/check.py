#!/usr/bin/python3
"""bench/check.py - are two results of a benchmark task the same?

Usage: /usr/bin/python3 bench/check.py TASK A.tsv B.tsv [NAME_A NAME_B]

A and B are results in the canonical TSV that bench/tasks.lua and bench/peers.py write (a
header line of column names, one row per group; an optional first line "# ids: KIND" says how
T1's streams are numbered: "tcp.stream" or "4-tuple"). Rows are matched by the task's key
columns, so row order does not matter:

  T1  stream (see below)          T2  second        T3  ip.dst        T4  client, server, cliport

Cells are compared by their first occurrence (the text before a ","): to_tsv joins the
occurrences of a field, tshark -E occurrence=f, dpkt and scapy give the first only.
T2: bins with no bytes are left out (pandas and pktframe list the empty 1 s bins between the first
and the last, dpkt's and tshark's results may not), and a bin start may be written with or
without zero decimals. Every other column must be equal: integers and text exactly, floats (T1 start/end, T4 rtt_*)
to 1e-9 relative; an empty cell (a null) only equals an empty cell. T1: when both sides number
streams by tcp.stream the numbers must be equal too; when one side numbers them by 4-tuple
(dpkt, scapy: in order of first appearance), streams are matched by rank, i.e. the k-th
smallest stream number on one side with the k-th on the other (tcp.stream numbers are also
given in order of first appearance, so the ranks agree when the streams do).

Prints "equal: N rows" and exits 0, or prints the differences (at most 10 of each kind) and
exits 1. Exit 2: usage or unreadable file.
"""
import math
import sys

KEYS = {"T1": ["stream"], "T2": ["second"], "T3": ["ip.dst"], "T4": ["client", "server", "cliport"]}
FLOATS = {"start", "end", "rtt_min", "rtt_mean", "rtt_max"}
RTOL = 1e-9
SHOW = 10


def load(path):
    ids = None
    with open(path) as f:
        lines = f.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if lines and lines[0].startswith("# ids:"):
        ids = lines.pop(0).split(":", 1)[1].strip()
    if not lines:
        raise ValueError("%s: no header line" % path)
    header = lines[0].split("\t")
    rows = [ln.split("\t") for ln in lines[1:]]
    for i, r in enumerate(rows):
        if len(r) != len(header):
            raise ValueError("%s: line %d has %d cells, the header %d" % (path, i + 2, len(r), len(header)))
    # a field that occurs more than once in a packet (the IP header quoted in an ICMP error) counts
    # with its first occurrence: pktframe's to_tsv writes all of them joined by ",", tshark with
    # -E occurrence=f, dpkt and scapy only the first
    rows = [[c.split(",", 1)[0] for c in r] for r in rows]
    return ids, header, rows


def same_value(col, a, b):
    if a == b:
        return True
    if a == "" or b == "":
        return False
    if col in FLOATS:
        try:
            x, y = float(a), float(b)
        except ValueError:
            return False
        if math.isnan(x) or math.isnan(y):
            return math.isnan(x) and math.isnan(y)
        return abs(x - y) <= RTOL * max(abs(x), abs(y))
    # integers may be written 5 or 5.0 by different writers
    try:
        x, y = float(a), float(b)
        return x == y and x.is_integer()
    except ValueError:
        return False


def main(argv):
    if len(argv) not in (4, 6) or argv[1] not in KEYS:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    task, pa, pb = argv[1:4]
    na, nb = (argv[4], argv[5]) if len(argv) == 6 else ("A", "B")
    try:
        ida, ha, ra = load(pa)
        idb, hb, rb = load(pb)
    except (OSError, ValueError) as e:
        print("check.py: %s" % e, file=sys.stderr)
        return 2
    if ha != hb:
        print("columns differ: %s has %s, %s has %s" % (na, " ".join(ha), nb, " ".join(hb)))
        return 1
    keys = KEYS[task]
    try:
        ki = [ha.index(k) for k in keys]
    except ValueError:
        print("key columns %s missing: the columns are %s" % (" ".join(keys), " ".join(ha)))
        return 1
    if task == "T2":
        # empty bins (resample's, sum 0) are left out; bin starts in whole seconds, written
        # 1704067200 or 1704067200.000000000
        bi = ha.index("bytes")
        for rows in (ra, rb):
            rows[:] = [r for r in rows if r[bi] not in ("", "0")]
            for r in rows:
                sec, _, frac = r[ki[0]].partition(".")
                if frac.strip("0") == "":
                    r[ki[0]] = sec
    if task == "T1" and (ida or "tcp.stream") != (idb or "tcp.stream"):
        # match streams by rank of their number
        for rows in (ra, rb):
            rows.sort(key=lambda r: int(r[ki[0]]))
            for rank, r in enumerate(rows):
                r[ki[0]] = "#%d" % rank
        note = " (T1 streams matched by rank: %s numbers them by %s, %s by %s)" % (
            na, ida or "tcp.stream", nb, idb or "tcp.stream")
    else:
        note = ""
    ma = {tuple(r[i] for i in ki): r for r in ra}
    mb = {tuple(r[i] for i in ki): r for r in rb}
    problems = 0
    if len(ma) != len(ra) or len(mb) != len(rb):
        print("duplicate keys: %s %d rows / %d keys, %s %d rows / %d keys" % (na, len(ra), len(ma), nb, len(rb), len(mb)))
        problems += 1
    only_a = [k for k in ma if k not in mb]
    only_b = [k for k in mb if k not in ma]
    for name, only, m in ((na, only_a, ma), (nb, only_b, mb)):
        if only:
            problems += len(only)
            print("%d rows only in %s, e.g.:" % (len(only), name))
            for k in sorted(only)[:SHOW]:
                print("  %s" % "\t".join(m[k]))
    diffs = []
    for k, a in ma.items():
        b = mb.get(k)
        if b is None:
            continue
        bad = [(ha[i], a[i], b[i]) for i in range(len(ha)) if not same_value(ha[i], a[i], b[i])]
        if bad:
            diffs.append((k, bad))
    if diffs:
        problems += len(diffs)
        print("%d rows differ (key: column %s / %s), e.g.:" % (len(diffs), na, nb))
        for k, bad in sorted(diffs)[:SHOW]:
            print("  %s: %s" % ("/".join(k), ", ".join("%s %s / %s" % d for d in bad)))
    if problems:
        return 1
    print("equal: %d rows%s" % (len(ra), note))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
