#!/usr/bin/env python3
"""tables_pandas.py: the operations of bench/tables.lua done with pandas on the same data, for the ratios.

usage: tables_pandas.py BASE.csv COPIES
Reads the table bench/tables.lua wrote (one copy of the capture's rows), repeats it COPIES times as
tables.lua does with pf.concat, adds the same derived columns, and prints one line per operation:
"name seconds check", where check is a number both tools must agree on."""
import sys
import time

import pandas as pd


def ns(text):
    whole, _, frac = text.partition(".")
    return int(whole) * 10**9 + int((frac + "000000000")[:9])


def main():
    base, copies = sys.argv[1], int(sys.argv[2])
    df = pd.read_csv(base, dtype={"ip.src": str, "ip.dst": str, "frame.time_epoch": str})
    # several occurrences (an ICMP error's quoted header) are joined by ','; take the first, as pktframe's
    # verbs do (and tshark -E occurrence=f)
    for c in df.columns:
        if df[c].dtype == object and c != "frame.time_epoch":
            df[c] = df[c].str.split(",").str[0]
            if c not in ("ip.src", "ip.dst"):
                df[c] = pd.to_numeric(df[c])
    df["t"] = pd.to_datetime([ns(v) for v in df["frame.time_epoch"]], unit="ns")
    df = df.drop(columns=["frame.time_epoch"])   # ports and lengths with blanks stay float64, as read_table makes them
    df = pd.concat([df] * copies, ignore_index=True)
    idx = pd.Series(range(1, len(df) + 1), dtype="int64")
    df["k10"] = idx % 10
    df["k100k"] = idx % 100000
    df = df.copy()   # consolidates pandas' blocks now, not inside the first timed operation

    def run(name, fn, check):
        t0 = time.perf_counter()
        r = fn()
        dt = time.perf_counter() - t0
        print("%s %.6f %s" % (name, dt, check(r)), flush=True)

    run("filter_expr", lambda: df[(df["tcp.len"] > 1000) & (df["tcp.dstport"] == 443)], len)
    run("filter_column", lambda: df[df["frame.len"] > 1000], len)
    run("groupby_10", lambda: df.groupby("k10", sort=False).agg(bytes=("frame.len", "sum"), mean=("frame.len", "mean"),
                                                              n=("frame.len", "count")), len)
    run("groupby_100k", lambda: df.groupby("k100k", sort=False).agg(bytes=("frame.len", "sum"),
                                                                  mean=("frame.len", "mean"), n=("frame.len", "count")),
        len)
    run("groupby_ip_src", lambda: df.groupby("ip.src", sort=False)["frame.len"].sum(), len)
    run("resample_1s", lambda: df.resample("1s", on="t")["frame.len"].sum(), len)
    run("sort_len", lambda: df.sort_values("frame.len", kind="stable"), lambda r: int(r["frame.len"].iloc[-1]))
    run("sort_time", lambda: df.sort_values("t", kind="stable"), len)
    run("diff_by_src", lambda: df.groupby("ip.src", sort=False)["t"].diff(), lambda r: int(r.notna().sum()))
    run("value_counts", lambda: df["ip.dst"].value_counts(), len)


if __name__ == "__main__":
    main()
