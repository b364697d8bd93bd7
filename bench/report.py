#!/usr/bin/python3
"""bench/report.py - the Markdown tables of a bench/run.sh run.

Usage: /usr/bin/python3 bench/report.py WORKDIR     (run.sh calls it; prints to stdout)

WORKDIR holds what run.sh recorded, one line per item, space-separated:
  header   free text: machine, versions, run counts
  files    size path bytes packets                 (the capture, then its slice, per size)
  runs     size task tool run wall_us peak_rss_kib cpu_us (task "read" = libpcap's bare read;
           cpu_us -1 = not measured)
  checks   size task peer status message...        (status equal / DIFFER; peer "-" WITHHELD)
  phases   size task run phase seconds              (pktframe's own per-phase timing)
"""
import os
import statistics
import sys
from collections import defaultdict

TASK_NAMES = {
    "T1": "T1 stream summary (group by tcp.stream)",
    "T2": "T2 bandwidth (sum of frame.len per 1 s)",
    "T3": "T3 volume by ip.dst (sum of frame.len)",
    "T4": "T4 RTT per conversation (ack_rtt by client, server, client port)",
    "F": "F `fields` export of fields-core.txt to /dev/null",
}
TOOL_NAMES = {
    "pktframe": "pktframe",
    "tshark": "tshark -T fields + pandas",
    "dpkt": "dpkt + pandas",
    "tshark-z": "tshark -z (timing only)",
    "scapy": "scapy + pandas (slice)",
    "tshark-fields": "tshark -T fields",
    "libpcap": "libpcap bare read (floor)",
}
Z = {"T1": "conv,tcp", "T2": "io,stat,1", "T3": "endpoints,ip"}
TARGETS = {"tshark": 70, "dpkt": 25, "tshark-fields": 50}


def lines(work, name):
    p = os.path.join(work, name)
    if not os.path.exists(p):
        return []
    with open(p) as f:
        return [ln.rstrip("\n").split(" ") for ln in f if ln.strip()]


def main(argv):
    if len(argv) != 2:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    work = argv[1]
    header = open(os.path.join(work, "header")).read().strip().split("\n")

    files = defaultdict(list)
    for size, path, nbytes, npk in lines(work, "files"):
        files[size].append((os.path.basename(path), int(nbytes), int(npk)))
    sizes = list(files)

    walls, rss, cpus = defaultdict(list), defaultdict(int), defaultdict(list)
    for size, task, tool, _, us, kib, cpu in lines(work, "runs"):
        walls[size, task, tool].append(int(us) / 1e6)
        rss[size, task, tool] = max(rss[size, task, tool], int(kib))
        if int(cpu) >= 0:
            cpus[size, task, tool].append(int(cpu) / 1e6)
    checks = defaultdict(list)
    withheld = set()
    for rec in lines(work, "checks"):
        size, task, peer, st = rec[:4]
        if st == "WITHHELD":
            withheld.add((size, task))
        else:
            checks[size, task].append((peer, st, " ".join(rec[4:])))
    phases, wphases = defaultdict(list), {}
    for size, task, run, ph, sec in lines(work, "phases"):
        if run == "wall":
            wphases[size, task, ph] = float(sec)
        else:
            phases[size, task, ph].append(float(sec))
    tasks = []
    for size, task, _ in list(walls) + [(s, t, "") for s, t in withheld]:
        if task != "read" and task not in tasks:
            tasks.append(task)
    tasks.sort(key=lambda t: "T1 T2 T3 T4 F".split().index(t))

    def med(size, task, tool):
        w = walls.get((size, task, tool))
        return statistics.median(w) if w else None

    def cpu(size, task, tool):
        c = cpus.get((size, task, tool))
        return "%.3f" % statistics.median(c) if c else "-"

    def mbps(size, tool, secs):
        nbytes = files[size][1][1] if tool == "scapy" else files[size][0][1]
        return nbytes / 1e6 / secs

    out = []
    w = out.append
    w("# Benchmark results")
    w("")
    w("Written by `bench/run.sh` (`make bench`); see bench/README.md for what each task and tool does.")
    w("")
    w("```")
    out.extend(header)
    for size in sizes:
        (big, b, n), (sl, sb, sn) = files[size]
        w("capture %s MB: %s, %d bytes, %d packets; scapy's slice %s, %d bytes, %d packets" % (size, big, b, n, sl, sb, sn))
    w("```")
    w("")

    # ---- summary against the targets ---------------------------------------------
    summary = []
    big = sizes[-1]
    summary.append("| task | size | pktframe s | MB/s | peak RSS MiB | x tshark+pandas | x dpkt+pandas | x tshark -z | x scapy (MB/s) | / libpcap floor |")
    summary.append("|---|---|---|---|---|---|---|---|---|---|")
    floor = {s: med(s, "read", "libpcap") for s in sizes}
    for task in tasks:
        for size in sizes:
            if (size, task) in withheld:
                summary.append("| %s | %s | withheld: results differ | | | | | | | |" % (task, size))
                continue
            pf = med(size, task, "pktframe")
            if pf is None:
                continue
            cells = ["%s" % task, "%s MB" % size, "%.3f" % pf, "%.0f" % mbps(size, "pktframe", pf),
                     "%.1f" % (rss[size, task, "pktframe"] / 1024)]
            for tool in (("tshark-fields",) if task == "F" else ("tshark",)) + ("dpkt", "tshark-z", "scapy"):
                m = med(size, task, tool)
                if m is None:
                    cells.append("n/a")
                elif tool == "scapy":
                    cells.append("%.0fx" % (mbps(size, "pktframe", pf) / mbps(size, "scapy", m)))
                else:
                    cells.append("%.1fx" % (m / pf))
            cells.append("%.2fx" % (pf / floor[size]) if floor.get(size) else "n/a")
            summary.append("| " + " | ".join(cells) + " |")
    w("## Summary")
    w("")
    w("`x PEER` = the peer's median wall time over pktframe's (how many times faster pktframe is; for scapy,")
    w("pktframe's MB/s on the whole capture over scapy's on the slice). `/ libpcap floor` = pktframe's time over")
    w("libpcap's bare read of the same file (1.00x would be as fast as reading the records at all).")
    w("")
    out.extend(summary)
    w("")

    # targets
    w("### Against the targets of issue 6 (%s MB capture)" % big)
    w("")
    w("| target | reached | verdict |")
    w("|---|---|---|")
    t14 = [t for t in tasks if t != "F" and (big, t) not in withheld and med(big, t, "pktframe")]

    def verdict(ok):
        return "met" if ok else "NOT met"
    for t in t14:
        pf = med(big, t, "pktframe")
        r = mbps(big, "pktframe", pf)
        w("| %s at >= 1.5 GB/s | %.2f GB/s | %s |" % (t, r / 1000, verdict(r >= 1500)))
    for t in t14:
        pf = med(big, t, "pktframe")
        for tool in ("tshark", "dpkt"):
            m = med(big, t, tool)
            if m:
                w("| %s ~%dx %s | %.1fx | %s |" % (t, TARGETS[tool], TOOL_NAMES[tool], m / pf, verdict(m / pf >= TARGETS[tool])))
        if floor.get(big):
            w("| %s within 3x of libpcap's read | %.2fx | %s |" % (t, pf / floor[big], verdict(pf / floor[big] <= 3)))
        w("| %s peak RSS < 256 MiB | %.1f MiB | %s |" % (t, rss[big, t, "pktframe"] / 1024, verdict(rss[big, t, "pktframe"] < 256 * 1024)))
    if "F" in tasks and (big, "F") not in withheld and med(big, "F", "pktframe") and med(big, "F", "tshark-fields"):
        x = med(big, "F", "tshark-fields") / med(big, "F", "pktframe")
        w("| F >= 50x tshark -T fields | %.1fx | %s |" % (x, verdict(x >= 50)))
    if len(sizes) >= 2:
        small = sizes[0]
        scale = files[big][0][1] / files[small][0][1]
        for t in tasks:
            a, b = med(small, t, "pktframe"), med(big, t, "pktframe")
            if a and b and (small, t) not in withheld and (big, t) not in withheld:
                w("| %s: %s MB run ~%.0fx the %s MB run | %.1fx | %s |" % (t, big, scale, small, b / a,
                                                                            verdict(b / a <= scale * 1.25)))
    w("")

    # ---- per size and task ----------------------------------------------------------------
    for size in sizes:
        (bigf, b, n), (sl, sb, sn) = files[size]
        w("## %s MB: %s (%d packets)" % (size, bigf, n))
        w("")
        fl = med(size, "read", "libpcap")
        if fl:
            w("libpcap's bare read (bench/pcapread.c, `pcap_next_ex` loop, the floor): %.3f s median, %.0f MB/s, "
              "peak RSS %.1f MiB, CPU %s s (runs: %s)" % (fl, mbps(size, "libpcap", fl), rss[size, "read", "libpcap"] / 1024,
                                                          cpu(size, "read", "libpcap"),
                                                          " ".join("%.3f" % x for x in walls[size, "read", "libpcap"])))
            w("")
        for task in tasks:
            w("### %s" % TASK_NAMES[task])
            w("")
            for peer, st, msg in checks.get((size, task), []):
                name = TOOL_NAMES.get(peer, peer) if task != "F" else "tshark -T fields"
                if peer == "scapy":
                    msg += "; both on the slice"
                w("- check against %s: %s%s" % (name, "" if st == "equal" else "**DIFFERENT** ", msg))
            if task in Z:
                w("- tshark -z %s: timing only; its text (units such as `26 kB`, relative times, "
                  "bins from the first packet) is not machine-comparable" % Z[task])
            if task == "T4":
                w("- dpkt, scapy, tshark -z: not available (no tcp.analysis.ack_rtt; no per-conversation RTT statistic)")
            w("")
            if (size, task) in withheld:
                w("**Timings withheld: the results differ (see above and the run's log).**")
                w("")
                continue
            pf = med(size, task, "pktframe")
            w("| tool | runs | median wall s | MB/s | peak RSS MiB | pktframe faster by | median CPU s | runs (wall s) |")
            w("|---|---|---|---|---|---|---|---|")
            order = ["pktframe", "tshark-fields"] if task == "F" else ["pktframe", "tshark", "dpkt", "tshark-z", "scapy"]
            for tool in order:
                m = med(size, task, tool)
                if m is None:
                    continue
                name = TOOL_NAMES[tool]
                if tool == "tshark-z":
                    name = "tshark -z %s (timing only)" % Z[task]
                if tool == "pktframe":
                    ratio = "-"
                elif tool == "scapy":
                    ratio = "%.0fx (by MB/s)" % (mbps(size, "pktframe", pf) / mbps(size, "scapy", m))
                else:
                    ratio = "%.1fx" % (m / pf)
                w("| %s | %d | %.3f | %.1f | %.1f | %s | %s | %s |" % (
                    name, len(walls[size, task, tool]), m, mbps(size, tool, m), rss[size, task, tool] / 1024, ratio,
                    cpu(size, task, tool), " ".join("%.3f" % x for x in walls[size, task, tool])))
            if fl:
                w("| %s | %d | %.3f | %.1f | %.1f | pktframe takes %.2fx the floor | %s | |" % (
                    TOOL_NAMES["libpcap"], len(walls[size, "read", "libpcap"]), fl, mbps(size, "libpcap", fl),
                    rss[size, "read", "libpcap"] / 1024, pf / fl, cpu(size, "read", "libpcap")))
            ph = [(k[2], statistics.median(v)) for k, v in phases.items() if k[0] == size and k[1] == task]
            if ph:
                w("")
                w("pktframe's phases (bench/tasks.lua), CPU s (median over the timed runs): " +
                  ", ".join("%s %.3f" % p for p in ph) + "; total %.3f" % sum(p[1] for p in ph))
                wp = [(k[2], v) for k, v in wphases.items() if k[0] == size and k[1] == task]
                if wp:
                    w("wall s (one extra run with BENCH_WALL=1): " + ", ".join("%s %.3f" % p for p in wp) +
                      "; total %.3f" % sum(p[1] for p in wp))
            w("")
    sys.stdout.write("\n".join(out) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
