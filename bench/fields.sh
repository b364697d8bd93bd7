#!/usr/bin/env bash
# bench/fields.sh - time `pktframe fields` against `tshark -T fields` on a large capture.
#
# A benchmark, not a test. Both tools print every field of fields-core.txt for every frame of
# bench/data/big-$SIZE_MB.pcap (built from the shared seed captures when absent), in the
# differential-test format (header, tab separator, all occurrences joined by ","). First both
# outputs must be byte-identical, else no timings are printed (a fast wrong answer is not a
# result). Then each tool runs RUNS times, interleaved, output to /dev/null, under
# /usr/bin/time; the table reports the median wall time, the capture throughput at that median,
# the largest peak RSS over the runs, and the tshark/pktframe ratios.
#
# Usage: bench/fields.sh            (from anywhere; paths resolve from this script's folder)
# Environment:
#   RUNS=3          timed runs per tool
#   SIZE_MB=200     size of the benchmark capture, MB (1 MB = 10^6 bytes)
#   PKTFRAME=path   binary to time (default: build/pktframe after `make`, else /tmp/t1/pktframe)
#   SHARED=path     the shared folder (default: ../shared relative to the repo root)
#   FIELDS=path     field list (default: $SHARED/fields-core.txt)
#   KEEP=1          keep the two outputs of the equality check (printed paths)
#   THREADS=1       pktframe's --threads (2: decoding in a second thread)
# Exit status: 0 timings printed, 1 outputs differ or a tool failed, 2 missing tool or file.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
SHARED=${SHARED:-$root/../shared}
FIELDS=${FIELDS:-$SHARED/fields-core.txt}
RUNS=${RUNS:-3}
SIZE_MB=${SIZE_MB:-200}
THREADS=${THREADS:-1}
DATA=$root/bench/data/big-$SIZE_MB.pcap

die() { echo "bench/fields.sh: $1" >&2; exit "${2:-1}"; }
note() { echo "bench/fields.sh: $*" >&2; }

[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive integer (got '$RUNS')" 2
[[ $SIZE_MB =~ ^[1-9][0-9]*$ ]] || die "SIZE_MB must be a positive integer (got '$SIZE_MB')" 2
[[ $THREADS =~ ^[1-9][0-9]*$ ]] || die "THREADS must be a positive integer (got '$THREADS')" 2
[ -r "$FIELDS" ] || die "cannot read the field list $FIELDS (set SHARED or FIELDS)" 2

# ---- tools ------------------------------------------------------------------
# GNU time, not the shell keyword: it reports the peak RSS (%M, KiB)
missing=()
[ -x /usr/bin/time ] || missing+=("/usr/bin/time (apt-get install time)")
command -v tshark >/dev/null || missing+=("tshark (apt-get install tshark)")
command -v sha256sum >/dev/null || missing+=("sha256sum (apt-get install coreutils)")
if [ ! -s "$DATA" ]; then
  for t in capinfos editcap mergecap; do
    command -v $t >/dev/null || missing+=("$t (apt-get install wireshark-common)")
  done
  command -v tcprewrite >/dev/null || missing+=("tcprewrite (apt-get install tcpreplay)")
fi
if [ ${#missing[@]} -gt 0 ]; then
  note "missing tools:"
  printf '  %s\n' "${missing[@]}" >&2
  die "install them (or run 'make bench', which installs the benchmark's dependencies)" 2
fi

# ---- the pktframe binary ------------------------------------------------------
if [ -n "${PKTFRAME:-}" ]; then
  [ -x "$PKTFRAME" ] || die "PKTFRAME=$PKTFRAME is not an executable" 2
else
  # keep build/pktframe current; an interim binary stands in while the tree does not build
  if make -C "$root" -s build/pktframe >"${TMPDIR:-/tmp}/pktframe-bench-make.log" 2>&1; then
    PKTFRAME=$root/build/pktframe
  elif [ -x "$root/build/pktframe" ]; then
    PKTFRAME=$root/build/pktframe
    note "warning: 'make' failed (${TMPDIR:-/tmp}/pktframe-bench-make.log); timing the existing, possibly stale, build/pktframe"
  elif [ -x /tmp/t1/pktframe ]; then
    PKTFRAME=/tmp/t1/pktframe
    note "warning: 'make' failed (${TMPDIR:-/tmp}/pktframe-bench-make.log); timing the interim binary /tmp/t1/pktframe"
  else
    die "no pktframe binary: 'make' failed (${TMPDIR:-/tmp}/pktframe-bench-make.log); set PKTFRAME" 2
  fi
fi

# ---- the capture ------------------------------------------------------------
if [ ! -s "$DATA" ]; then
  seeds_file=$SHARED/bench/SEEDS.txt
  builder=$SHARED/bench/make-big-capture.sh
  [ -r "$seeds_file" ] && [ -x "$builder" ] || die "cannot find $builder and $seeds_file (set SHARED)" 2
  mapfile -t seeds < <(grep -v '^[[:space:]]*#' "$seeds_file" | grep -v '^[[:space:]]*$')
  note "building $DATA from ${#seeds[@]} seeds (once; this takes a few minutes)"
  # seed paths are relative to the repo root; make-big-capture.sh renames into place at the
  # end, so an interrupted build leaves no half-written capture behind
  (cd "$root" && "$builder" "bench/data/big-$SIZE_MB.pcap" "$SIZE_MB" "${seeds[@]}") >&2 \
    || die "building the capture failed"
fi
bytes=$(stat -c %s "$DATA")

mapfile -t fields < <(grep -v '^[[:space:]]*#' "$FIELDS" | grep -v '^[[:space:]]*$')
eargs=()
for f in "${fields[@]}"; do eargs+=(-e "$f"); done
fmt=(-E header=y -E separator=/t -E occurrence=a -E aggregator=,)
pf_cmd=("$PKTFRAME" fields -q --threads "$THREADS" "$DATA" "${fmt[@]}" "${eargs[@]}")
ts_cmd=(tshark -n -r "$DATA" -T fields "${fmt[@]}" "${eargs[@]}")

work=$(mktemp -d "${TMPDIR:-/tmp}/pktframe-bench.XXXXXX")
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$work"' EXIT

echo "# pktframe fields vs tshark -T fields"
echo "capture:  ${DATA#"$root"/} ($bytes bytes, $(capinfos -c -M "$DATA" 2>/dev/null | awk -F': *' '/Number of packets/ {print $2}') packets)"
echo "fields:   ${#fields[@]} from ${FIELDS#"$root"/}"
echo "pktframe: $PKTFRAME ($("$PKTFRAME" --version 2>&1 | head -1)), --threads $THREADS"
echo "tshark:   $(tshark --version 2>/dev/null | head -1)"
echo "machine:  $(nproc) CPUs, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), $(date -u +%Y-%m-%dT%H:%MZ)"
echo "runs:     $RUNS per tool, interleaved, stdout to /dev/null"

# ---- 1. same output, or no timings ---------------------------------------------
"${pf_cmd[@]}" >"$work/pktframe.out" 2>"$work/pktframe.err" \
  || { cat "$work/pktframe.err" >&2; die "pktframe failed on $DATA"; }
"${ts_cmd[@]}" >"$work/tshark.out" 2>"$work/tshark.err" \
  || { cat "$work/tshark.err" >&2; die "tshark failed on $DATA"; }
pf_sum=$(sha256sum <"$work/pktframe.out" | cut -c1-64)
ts_sum=$(sha256sum <"$work/tshark.out" | cut -c1-64)
lines=$(wc -l <"$work/tshark.out")
if [ "$pf_sum" != "$ts_sum" ]; then
  echo "check:    FAILED: outputs differ (pktframe sha256 $pf_sum, tshark $ts_sum)"
  ndiff=$(diff "$work/pktframe.out" "$work/tshark.out" | grep -c '^[<>]' || true)
  echo "          $ndiff differing lines (< pktframe, > tshark); the first ones:"
  diff "$work/pktframe.out" "$work/tshark.out" | head -12 | cut -c1-240 | sed 's/^/          /'
  [ "${KEEP:-0}" = 1 ] && echo "          outputs kept in $work"
  die "refusing to print timings for different outputs"
fi
echo "check:    identical output, $lines lines, sha256 $pf_sum"
[ "${KEEP:-0}" = 1 ] && echo "          outputs kept in $work"
rm -f "$work"/*.out

# ---- 2. timed runs ---------------------------------------------------------------
# one line per run: "tool wall_s peak_rss_kib". GNU time's %e has only 10 ms resolution, so the
# wall time comes from the ns clock around it (a fork of overhead); %M is the peak RSS in KiB.
timed() {  # tool-name command...
  local name=$1 t0 t1; shift
  t0=$(date +%s%N)
  /usr/bin/time -f '%e %M' -o "$work/time" "$@" >/dev/null 2>"$work/err" \
    || { cat "$work/err" >&2; die "$name failed in a timed run"; }
  t1=$(date +%s%N)
  echo "$name $(( (t1 - t0) / 1000000 )) $(tail -1 "$work/time" | cut -d' ' -f2)" >>"$work/runs"
}
: >"$work/runs"
for ((i = 1; i <= RUNS; i++)); do
  # alternate who goes first, so neither always runs on the warmer cache
  if ((i % 2)); then
    timed pktframe "${pf_cmd[@]}"; timed tshark "${ts_cmd[@]}"
  else
    timed tshark "${ts_cmd[@]}"; timed pktframe "${pf_cmd[@]}"
  fi
done

echo
awk -v bytes="$bytes" '
  { w = $2 / 1000; wall[$1, ++n[$1]] = w; if ($3 > rss[$1]) rss[$1] = $3; runs[$1] = runs[$1] sprintf(" %.3f", w) }
  function median(tool,   k, m, i, j, t, a) {
    m = n[tool]
    for (i = 1; i <= m; i++) a[i] = wall[tool, i]
    for (i = 2; i <= m; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
    return (m % 2) ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
  }
  END {
    printf "%-9s %14s %10s %15s   %s\n", "tool", "median wall s", "MB/s", "peak RSS MiB", "runs (wall s)"
    for (k = 1; k <= 2; k++) {
      tool = k == 1 ? "pktframe" : "tshark"
      med[tool] = median(tool)
      printf "%-9s %14.3f %10.1f %15.1f  %s\n", tool, med[tool],
        (med[tool] > 0 ? bytes / 1e6 / med[tool] : 0), rss[tool] / 1024, runs[tool]
    }
    printf "\ntshark/pktframe: time %.1fx, peak RSS %.1fx\n",
      (med["pktframe"] > 0 ? med["tshark"] / med["pktframe"] : 0),
      (rss["pktframe"] > 0 ? rss["tshark"] / rss["pktframe"] : 0)
  }' "$work/runs"
