#!/bin/sh
# run.sh: runs each test suite, echoes its output, and ends with one line
# "N passed, M failed" summed over all suites (exit 1 on any failure).
# usage: tests/run.sh 'label command...' ...   (each argument is one suite)
total_pass=0
total_fail=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for suite in "$@"; do
  label=${suite%% *}
  cmd=${suite#* }
  echo "== $label"
  sh -c "$cmd" >"$log" 2>&1
  rc=$?
  cat "$log"
  # a suite reports "N passed, M failed" (ours) or busted's "N successes / M failures / K errors"
  line=$(grep -E '^[A-Za-z_ -]*:? ?[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
  if [ -n "$line" ]; then
    p=$(echo "$line" | sed -E 's/^[^0-9]*([0-9]+) passed, ([0-9]+) failed.*/\1/')
    f=$(echo "$line" | sed -E 's/^[^0-9]*([0-9]+) passed, ([0-9]+) failed.*/\2/')
  else
    line=$(grep -E '[0-9]+ successes? / [0-9]+ failures? / [0-9]+ errors?' "$log" | tail -n 1)
    if [ -n "$line" ]; then
      p=$(echo "$line" | sed -E 's/^[^0-9]*([0-9]+) success.*/\1/')
      f1=$(echo "$line" | sed -E 's/.* ([0-9]+) failures?.*/\1/')
      f2=$(echo "$line" | sed -E 's/.* ([0-9]+) errors?.*/\1/')
      f=$((f1 + f2))
    else
      p=0
      f=1
      echo "$label: no result line (exit $rc): counted as one failure"
    fi
  fi
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
    f=1
    echo "$label: exited $rc with no failure counted: counted as one failure"
  fi
  total_pass=$((total_pass + p))
  total_fail=$((total_fail + f))
done
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
