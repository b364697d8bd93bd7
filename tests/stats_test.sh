#!/bin/sh
# stats_test.sh: `pktframe stats` against `tshark -q -n -z ...` (tests/stats_test.py does the work).
# usage: tests/stats_test.sh PKTFRAME SHARED_DIR
exec /usr/bin/python3 "$(dirname "$0")/stats_test.py" "$@"
