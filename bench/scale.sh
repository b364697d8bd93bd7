#!/usr/bin/env bash
# bench/scale.sh - a capture set larger than the memory budget: pf.scan summarises it in bounded
# memory, pf.read with the same budget stops with the budget's error. Not a test; see bench/README.md.
#
#   bench/scale.sh                      # big-2000.pcap x10 (20 GB) under --max-memory 512M
#   COPIES=3 BUDGET=256M bench/scale.sh
# Prints each run's wall time, GB/s (capture bytes read / wall time) and peak RSS (GNU time).
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
PKTFRAME=${PKTFRAME:-$root/build/pktframe}
SHARED=${SHARED:-$root/../shared}
SIZE_MB=${SIZE_MB:-2000}
COPIES=${COPIES:-10}
BUDGET=${BUDGET:-512M}
cap=$root/bench/data/big-$SIZE_MB.pcap

[ -x /usr/bin/time ] || { echo "scale.sh: needs /usr/bin/time (apt-get install time)" >&2; exit 2; }
[ -x "$PKTFRAME" ] || { echo "scale.sh: no $PKTFRAME (make, or set PKTFRAME)" >&2; exit 2; }
if [ ! -s "$cap" ]; then
  mapfile -t seeds < <(grep -v '^[[:space:]]*#' "$SHARED/bench/SEEDS.txt" | grep -v '^[[:space:]]*$')
  echo "scale.sh: building bench/data/big-$SIZE_MB.pcap (once)" >&2
  (cd "$root" && "$SHARED/bench/make-big-capture.sh" "bench/data/big-$SIZE_MB.pcap" "$SIZE_MB" "${seeds[@]}") >&2 || exit 2
fi
bytes=$(( $(stat -c %s "$cap") * COPIES ))
cat "$cap" >/dev/null   # into the page cache: the speed of decoding, not of the disk

run() {  # mode
  local t0 t1 out status
  t0=$(date +%s%N)
  out=$(/usr/bin/time -f 'rss_kib %M' "$PKTFRAME" --max-memory "$BUDGET" run "$here/scale.lua" "$1" "$cap" "x$COPIES" 2>&1)
  status=$?
  t1=$(date +%s%N)
  local wall rss
  wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", (b - a) / 1e9 }')
  rss=$(echo "$out" | awk '/^rss_kib/ { printf "%.1f", $2 / 1024 }')
  echo "$out" | grep -v '^rss_kib' | sed 's/^/  /'
  if [ "$status" = 0 ]; then
    echo "$1: exit $status, wall $wall s, $(awk -v n="$bytes" -v w="$wall" 'BEGIN { printf "%.2f", n / 1e9 / w }') GB/s, peak RSS $rss MiB"
  else
    echo "$1: exit $status, wall $wall s (until it stopped), peak RSS $rss MiB"
  fi
}

echo "# bench/scale.sh: $(basename "$cap") x$COPIES = $(awk -v n="$bytes" 'BEGIN { printf "%.1f", n / 1e9 }') GB as one capture set, --max-memory $BUDGET"
echo "machine: $(nproc) CPUs, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%Y-%m-%dT%H:%MZ), git $(git -C "$root" describe --always --dirty 2>/dev/null)"
run scan
run read
