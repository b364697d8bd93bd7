#!/usr/bin/env bash
# bench/run.sh - the benchmark suite (`make bench`): pktframe's Lua tasks against the peers.
#
# For each capture size (bench/data/big-$SIZE.pcap, built from the shared seeds when absent) and
# each task:
#   T1 stream summary   T2 bandwidth per 1 s   T3 volume by ip.dst   T4 RTT per conversation
#   F  `pktframe fields` of fields-core.txt against `tshark -T fields` (bench/fields.sh)
# it runs pktframe (bench/tasks.lua) and the peers (bench/peers.py: tshark -T fields + pandas,
# dpkt + pandas, scapy + pandas on a slice; tshark's own -z statistics, timing only) and
# libpcap's bare read (bench/pcapread.c, the floor). The first run of every tool writes its
# result; bench/check.py compares pktframe's with each peer's, and a task whose results differ
# gets no timings (the differences are printed instead). Then the remaining runs, interleaved,
# and bench/report.py prints the tables (and writes bench/RESULTS.md).
#
# Usage: bench/run.sh            (from anywhere; paths resolve from this script's folder)
# Environment:
#   SIZES="200 2000"   capture sizes, MB (1 MB = 10^6 bytes)
#   TASKS="T1 T2 T3 T4 F"
#   RUNS=5             timed runs of pktframe and of libpcap's read
#   PEER_RUNS=         timed runs of each peer: default 3 for captures up to 500 MB, else 1
#   SLICE_MB=20        size of the slice scapy reads
#   PKTFRAME=path      the binary (default build/pktframe after `make`)
#   PYTHON=/usr/bin/python3   Debian's python (python3-pandas, -dpkt, -scapy), not a pyenv one
#   SHARED=path        the shared folder (default ../shared from the repo root)
#   RESULTS=path       where the Markdown tables go (default bench/RESULTS.md; "-" for none)
#   KEEP=1             keep the work folder (results of every tool, logs)
# Exit status: 0 all timings printed, 1 some result differed or a tool failed, 2 missing tool or file.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
SHARED=${SHARED:-$root/../shared}
SIZES=${SIZES:-200 2000}
TASKS=${TASKS:-T1 T2 T3 T4 F}
RUNS=${RUNS:-5}
SLICE_MB=${SLICE_MB:-20}
PYTHON=${PYTHON:-/usr/bin/python3}
RESULTS=${RESULTS:-$here/RESULTS.md}

die() { echo "bench/run.sh: $1" >&2; exit "${2:-1}"; }
note() { echo "bench/run.sh: $*" >&2; }
say() { echo "$*" | tee -a "$work/log" >&2; }

[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive integer (got '$RUNS')" 2
[ -z "${PEER_RUNS:-}" ] || [[ $PEER_RUNS =~ ^[1-9][0-9]*$ ]] || die "PEER_RUNS must be a positive integer" 2
[[ $SLICE_MB =~ ^[1-9][0-9]*$ ]] || die "SLICE_MB must be a positive integer" 2
for s in $SIZES; do [[ $s =~ ^[1-9][0-9]*$ ]] || die "SIZES: '$s' is not a size in MB" 2; done
for t in $TASKS; do [[ $t =~ ^(T1|T2|T3|T4|F)$ ]] || die "TASKS: unknown task '$t' (T1 T2 T3 T4 F)" 2; done

# ---- tools ---------------------------------------------------------------------
missing=()
[ -x /usr/bin/time ] || missing+=("/usr/bin/time (apt-get install time)")
for t in tshark capinfos editcap mergecap tcprewrite cc; do
  if ! command -v $t >/dev/null; then
    case $t in
      tshark) missing+=("tshark (apt-get install tshark)") ;;
      tcprewrite) missing+=("tcprewrite (apt-get install tcpreplay)") ;;
      cc) missing+=("cc (apt-get install gcc)") ;;
      *) missing+=("$t (apt-get install wireshark-common)") ;;
    esac
  fi
done
[ -x "$PYTHON" ] || missing+=("$PYTHON (apt-get install python3)")
if [ -x "$PYTHON" ]; then
  for m in pandas dpkt scapy; do
    "$PYTHON" -c "import $m" 2>/dev/null || missing+=("python module $m for $PYTHON (apt-get install python3-$m)")
  done
fi
[ -e /usr/include/pcap/pcap.h ] || missing+=("pcap.h (apt-get install libpcap-dev)")
if [ ${#missing[@]} -gt 0 ]; then
  note "missing:"
  printf '  %s\n' "${missing[@]}" >&2
  die "install them, or run 'make bench', which installs the benchmark's dependencies" 2
fi

if [ -n "${PKTFRAME:-}" ]; then
  [ -x "$PKTFRAME" ] || die "PKTFRAME=$PKTFRAME is not an executable" 2
else
  make -C "$root" -s all >"${TMPDIR:-/tmp}/pktframe-bench-make.log" 2>&1 \
    || die "'make' failed (${TMPDIR:-/tmp}/pktframe-bench-make.log); set PKTFRAME to time another binary" 2
  PKTFRAME=$root/build/pktframe
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/pktframe-run.XXXXXX")
if [ "${KEEP:-0}" = 1 ]; then note "work folder: $work"; else trap 'rm -rf "$work"' EXIT; fi
mkdir -p "$work/res"
: >"$work/runs"      # size task tool run wall_s rss_kib        one line per timed run
: >"$work/checks"    # size task peer status message            one line per comparison
: >"$work/files"     # size path bytes packets                   the captures and slices
: >"$work/phases"    # size task run phase seconds               pktframe's per-phase times
: >"$work/log"

cc -O2 -Wall -o "$work/pcapread" "$here/pcapread.c" -lpcap || die "cannot compile bench/pcapread.c" 2

packets() { capinfos -c -M "$1" 2>/dev/null | awk -F': *' '/Number of packets/ {print $2}'; }

# ---- captures ----------------------------------------------------------------------
build_capture() {  # size
  local out=$root/bench/data/big-$1.pcap
  [ -s "$out" ] && return 0
  local seeds_file=$SHARED/bench/SEEDS.txt builder=$SHARED/bench/make-big-capture.sh
  [ -r "$seeds_file" ] && [ -x "$builder" ] || die "cannot find $builder and $seeds_file (set SHARED)" 2
  mapfile -t seeds < <(grep -v '^[[:space:]]*#' "$seeds_file" | grep -v '^[[:space:]]*$')
  note "building bench/data/big-$1.pcap from ${#seeds[@]} seeds (once; a few minutes for 2 GB)"
  (cd "$root" && "$builder" "bench/data/big-$1.pcap" "$1" "${seeds[@]}") >"$work/build-$1.log" 2>&1 \
    || { tail -20 "$work/build-$1.log" >&2; die "building the capture failed"; }
}

# the first packets of the capture, about SLICE_MB: what scapy reads (editcap keeps classic pcap)
make_slice() {  # size -> path
  local big=$root/bench/data/big-$1.pcap slice=$root/bench/data/big-$1-slice-$SLICE_MB.pcap
  if [ ! -s "$slice" ] || [ "$slice" -ot "$big" ]; then
    local k
    k=$("$work/pcapread" -c $(( SLICE_MB * 1000000 )) "$big")
    editcap -F pcap -r "$big" "$slice.tmp" "1-$k" && mv -f "$slice.tmp" "$slice"
  fi
  echo "$slice"
}

# ---- timing ----------------------------------------------------------------------------
# timed SIZE TASK TOOL RUN command...: one line in runs; the command's stdout and stderr go to
# $work/out.TOOL and $work/err.TOOL. Wall time from the ns clock around GNU time (whose %e has
# 10 ms resolution); peak RSS from its %M (KiB): the largest single process of the tree
# (tshark's or python's for the tshark+pandas pipeline), not their sum; CPU time = %U + %S, the
# whole tree's (tshark's and python's together), which a busy machine inflates less than wall time.
timed() {
  local size=$1 task=$2 tool=$3 run=$4 t0 t1; shift 4
  t0=$(date +%s%N)
  if ! /usr/bin/time -f '%M %U %S' -o "$work/time" "$@" >"$work/out.$tool" 2>"$work/err.$tool"; then
    say "  $tool failed on $task (run $run): $*"
    sed 's/^/    /' "$work/err.$tool" | tail -15 | tee -a "$work/log" >&2
    return 1
  fi
  t1=$(date +%s%N)
  echo "$size $task $tool $run $(( (t1 - t0) / 1000 )) $(tail -1 "$work/time" | awk '{printf "%d %d", $1, ($2 + $3) * 1e6}')" >>"$work/runs"
}

# the command of TOOL for TASK on CAPTURE writing RESULT
tool_cmd() {  # tool task capture result
  case $1 in
    pktframe) cmd=("$PKTFRAME" run "$here/tasks.lua" "$2" "$3" "$4") ;;
    tshark|dpkt|scapy) cmd=("$PYTHON" "$here/peers.py" "$1" "$2" "$3" "$4") ;;
    tshark-z)
      local z; case $2 in T1) z=conv,tcp ;; T2) z=io,stat,1 ;; T3) z=endpoints,ip ;; esac
      cmd=(tshark -n -q -r "$3" -z "$z") ;;
    libpcap) cmd=("$work/pcapread" "$3") ;;
  esac
}

# the tools of a task (scapy reads the slice; libpcap is timed once per size, under "read")
task_tools() {
  case $1 in
    T4) echo "pktframe tshark" ;;
    *) echo "pktframe tshark dpkt tshark-z scapy" ;;
  esac
}

compare() {  # size task peer pktframe-result peer-result
  local out
  if out=$("$PYTHON" "$here/check.py" "$2" "$4" "$5" pktframe "$3" 2>&1); then
    echo "$1 $2 $3 equal $(echo "$out" | head -1)" >>"$work/checks"
    say "  check $2: pktframe = $3: $(echo "$out" | head -1)"
    return 0
  fi
  echo "$1 $2 $3 DIFFER $(echo "$out" | head -1)" >>"$work/checks"
  say "  check $2: pktframe and $3 DIFFER:"
  echo "$out" | head -40 | sed 's/^/    /' | tee -a "$work/log" >&2
  return 1
}

status=0

run_task() {  # size task capture slice peer_runs
  local size=$1 task=$2 cap=$3 slice=$4 pruns=$5 tools tool i maxruns ok=1 cap_of n
  read -r -a tools <<<"$(task_tools "$task")"
  say "[$size MB] $task: ${tools[*]}"
  # run 1 of every tool: the results to compare
  for tool in "${tools[@]}"; do
    cap_of=$cap; [ "$tool" = scapy ] && cap_of=$slice
    tool_cmd "$tool" "$task" "$cap_of" "$work/res/$size.$task.$tool.tsv"
    timed "$size" "$task" "$tool" 1 "${cmd[@]}" || { ok=0; continue; }
    if [ "$tool" = pktframe ]; then
      sed -n 's/^phase /'"$size $task 1 "'/p' "$work/err.pktframe" >>"$work/phases"
    fi
  done
  if [ $ok = 1 ] && [[ " ${tools[*]} " == *" scapy "* ]]; then
    # pktframe on the slice, untimed, for the comparison with scapy
    tool_cmd pktframe "$task" "$slice" "$work/res/$size.$task.pktframe-slice.tsv"
    "${cmd[@]}" >/dev/null 2>"$work/err.slice" || { cat "$work/err.slice" >&2; ok=0; }
  fi
  if [ $ok = 1 ]; then
    for tool in "${tools[@]}"; do
      case $tool in
        pktframe|tshark-z) ;;
        scapy) compare "$size" "$task" scapy "$work/res/$size.$task.pktframe-slice.tsv" "$work/res/$size.$task.scapy.tsv" || ok=0 ;;
        *) compare "$size" "$task" "$tool" "$work/res/$size.$task.pktframe.tsv" "$work/res/$size.$task.$tool.tsv" || ok=0 ;;
      esac
    done
  fi
  if [ $ok = 1 ]; then
    # one more pktframe run, untimed, with wall-clock phases (BENCH_WALL=1 forks `date` at each)
    tool_cmd pktframe "$task" "$cap" "$work/res/run.tsv"
    if BENCH_WALL=1 "${cmd[@]}" >/dev/null 2>"$work/err.wall"; then
      sed -n 's/^phase \([^ ]*\) [0-9.]* wall \([0-9.]*\)$/'"$size $task wall"' \1 \2/p' "$work/err.wall" >>"$work/phases"
    fi
  fi
  if [ $ok = 0 ]; then
    echo "$size $task - WITHHELD" >>"$work/checks"
    say "  $task: no timings for this task (results differ or a tool failed)"
    status=1
    return 0
  fi
  # the other runs, interleaved; the order rotates so no tool always runs on the warmest cache
  maxruns=$(( RUNS > pruns ? RUNS : pruns ))
  for ((i = 2; i <= maxruns; i++)); do
    n=${#tools[@]}
    for ((j = 0; j < n; j++)); do
      tool=${tools[$(( (j + i - 1) % n ))]}
      if [ "$tool" = pktframe ]; then [ "$i" -le "$RUNS" ] || continue; else [ "$i" -le "$pruns" ] || continue; fi
      cap_of=$cap; [ "$tool" = scapy ] && cap_of=$slice
      tool_cmd "$tool" "$task" "$cap_of" "$work/res/run.tsv"
      timed "$size" "$task" "$tool" "$i" "${cmd[@]}" || { status=1; continue; }
      if [ "$tool" = pktframe ]; then
        sed -n 's/^phase /'"$size $task $i "'/p' "$work/err.pktframe" >>"$work/phases"
      fi
    done
  done
}

run_fields() {  # size peer_runs
  local size=$1 pruns=$2
  say "[$size MB] F: pktframe fields vs tshark -T fields (bench/fields.sh, RUNS=$pruns)"
  if SIZE_MB=$size RUNS=$pruns PKTFRAME=$PKTFRAME SHARED=$SHARED bash "$here/fields.sh" >"$work/fields-$size.out" 2>&1; then
    local c; c=$(grep '^check:' "$work/fields-$size.out" | sed 's/^check: *//')
    echo "$size F tshark equal $c" >>"$work/checks"
    say "  check F: pktframe = tshark: $c"
    # its table: tool, median wall s, MB/s, peak RSS MiB (over the runs), then each run's wall s
    awk -v size="$size" '
      ($1 == "pktframe" || $1 == "tshark") && $2 ~ /^[0-9.]+$/ {
        for (i = 5; i <= NF; i++) printf "%s F %s %d %d %d -1\n", size, ($1 == "tshark" ? "tshark-fields" : "pktframe"), i - 4, $i * 1e6, $4 * 1024
      }' "$work/fields-$size.out" >>"$work/runs"
  else
    echo "$size F tshark DIFFER see bench/fields.sh output" >>"$work/checks"
    echo "$size F - WITHHELD" >>"$work/checks"
    say "  F: bench/fields.sh failed or the outputs differ:"
    sed 's/^/    /' "$work/fields-$size.out" | tail -25 | tee -a "$work/log" >&2
    status=1
  fi
}

for size in $SIZES; do
  build_capture "$size"
done
load0=$(cut -d' ' -f1-3 /proc/loadavg)
for size in $SIZES; do
  cap=$root/bench/data/big-$size.pcap
  pruns=${PEER_RUNS:-$(( size <= 500 ? 3 : 1 ))}
  slice=$(make_slice "$size")
  echo "$size $cap $(stat -c %s "$cap") $(packets "$cap")" >>"$work/files"
  echo "$size $slice $(stat -c %s "$slice") $(packets "$slice")" >>"$work/files"
  # the floor, first: also warms the page cache for everyone
  "$work/pcapread" "$cap" >/dev/null
  for ((i = 1; i <= RUNS; i++)); do timed "$size" read libpcap "$i" "$work/pcapread" "$cap"; done
  for task in $TASKS; do
    if [ "$task" = F ]; then run_fields "$size" "$pruns"; else run_task "$size" "$task" "$cap" "$slice" "$pruns"; fi
  done
done

{
  echo "machine: $(nproc) CPUs, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), $(date -u +%Y-%m-%dT%H:%MZ)"
  echo "pktframe: $PKTFRAME ($("$PKTFRAME" --version 2>&1 | head -1)), git $(git -C "$root" describe --always --dirty 2>/dev/null || echo '?')"
  echo "peers: $(tshark --version 2>/dev/null | head -1); $("$PYTHON" -c 'import sys, pandas, dpkt, scapy; print("python %s, pandas %s, dpkt %s, scapy %s" % (sys.version.split()[0], pandas.__version__, dpkt.__version__, scapy.VERSION))'); $(pcap-config --version 2>/dev/null || dpkg-query -W -f='libpcap ${Version}' libpcap0.8 2>/dev/null)"
  echo "load average: $load0 at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end (a shared machine: other jobs run too)"
  echo "runs: pktframe and libpcap $RUNS; peers ${PEER_RUNS:-3 up to 500 MB, 1 above}; scapy on the first ${SLICE_MB} MB"
} >"$work/header"

"$PYTHON" "$here/report.py" "$work" >"$work/report.md" || die "bench/report.py failed"
cat "$work/report.md"
if [ "$RESULTS" != "-" ]; then
  cp "$work/report.md" "$RESULTS"
  note "tables written to ${RESULTS#"$root"/}"
fi
exit $status
