#!/bin/sh
# live_test.sh: pf.capture on the loopback interface while python3 sends UDP datagrams to 127.0.0.1,
# then pf.read of what it wrote; stopping by count, by duration and by Ctrl-C; examples/live.lua.
# usage: tests/live_test.sh PKTFRAME
# Needs root (or CAP_NET_RAW) and python3 to send the traffic; says "skipped: ..." without them.
PF=$1
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ok() { pass=$((pass + 1)); echo "ok   $1"; }
no() { fail=$((fail + 1)); echo "FAIL $1"; [ -n "$2" ] && printf '%s\n' "$2" | sed 's/^/     /'; }
skip() { echo "live: skipped: $1"; echo "live: 0 passed, 0 failed"; exit 0; }

PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3)
[ -n "$PY" ] || skip "python3 (which sends the test traffic) is absent"

# A port nobody else uses in this test run, so the filter sees only our datagrams.
PORT=$(( 20000 + $$ % 20000 ))

# send N SIZE0 STEP: after 0.5 s, N datagrams to 127.0.0.1:PORT, of SIZE0, SIZE0+STEP, ... bytes, 50 ms apart
send() {
  "$PY" -c "
import socket, sys, time
time.sleep(0.5)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range($1):
    s.sendto(b'x' * ($2 + $3 * i), ('127.0.0.1', $PORT))
    time.sleep(0.05)
" &
}

# The capture script: prints the summary, then one line per packet read back.
cat >"$tmp/cap.lua" <<'EOF'
local out, port, dur, cnt = arg[1], arg[2], tonumber(arg[3]), tonumber(arg[4])
local r, err = pf.capture{iface = "lo", out = out, bpf = "udp dst port " .. port,
                          duration = dur ~= 0 and dur or nil, count = cnt ~= 0 and math.tointeger(cnt) or nil}
if not r then print("error", err) os.exit(3) end
print("summary", r.packets, r.path == out, r.dropped, r.interrupted, string.format("%.2f", r.seconds))
local t <close> = assert(pf.read(out, {fields = {"ip.src", "ip.dst", "udp.dstport", "udp.length"}}))
for i = 1, #t do
  print("pkt", t:col("ip.src")[i], t:col("ip.dst")[i], t:col("udp.dstport")[i], t:col("udp.length")[i])
end
EOF

# 1. count: five datagrams of 10..50 bytes; the capture ends at the fifth, long before 20 s
send 5 10 10
start=$(date +%s)
"$PF" -e "$(cat "$tmp/cap.lua")" "$tmp/a.pcap" "$PORT" 20 5 >"$tmp/out" 2>&1
rc=$?
end=$(date +%s)
if grep -q "permission denied" "$tmp/out"; then skip "no permission to capture on lo: $(cat "$tmp/out")"; fi
if grep -q "^error" "$tmp/out"; then skip "cannot capture on lo: $(cat "$tmp/out")"; fi
wait
if [ "$rc" -eq 0 ] && grep -q "^summary	5	true	0	false" "$tmp/out"; then ok "count = 5 stops after five packets"
else no "count = 5 stops after five packets" "$(cat "$tmp/out")"; fi
[ $((end - start)) -lt 10 ] && ok "the count ends the capture before the duration" \
  || no "the count ends the capture before the duration" "took $((end - start)) s"
# udp.length = 8 + payload: 18, 28, 38, 48, 58, computed from what send() sent
want=$(printf 'pkt\t127.0.0.1\t127.0.0.1\t%s\t%s\n' "$PORT" 18 "$PORT" 28 "$PORT" 38 "$PORT" 48 "$PORT" 58)
got=$(grep '^pkt' "$tmp/out")
[ "$got" = "$want" ] && ok "pf.read reads back every datagram with its length" \
  || no "pf.read reads back every datagram with its length" "got:
$got
wanted:
$want"

# 2. duration: nothing matches the filter; the capture ends after about 1 s with 0 packets
"$PF" -e "$(cat "$tmp/cap.lua")" "$tmp/b.pcap" 9 1 0 >"$tmp/out" 2>&1
secs=$(awk -F'\t' '/^summary/ { print $6 }' "$tmp/out")
if grep -q "^summary	0	true	0	false" "$tmp/out" && awk -v s="$secs" 'BEGIN { exit !(s >= 0.99 && s < 1.5) }'; then
  ok "duration = 1 ends an empty capture after one second ($secs s)"
else no "duration = 1 ends an empty capture after one second" "$(cat "$tmp/out")"; fi

# 3. Ctrl-C: no limit; SIGINT ends the capture, keeps the file and the script goes on
send 3 100 1
"$PF" -e "$(cat "$tmp/cap.lua")" "$tmp/c.pcap" "$PORT" 0 0 >"$tmp/out" 2>&1 &
pid=$!
sleep 2
kill -INT "$pid"
wait "$pid"
rc=$?
if [ "$rc" -eq 0 ] && grep -q "^summary	3	true	0	true" "$tmp/out" && [ "$(grep -c '^pkt' "$tmp/out")" -eq 3 ]; then
  ok "Ctrl-C ends the capture, which keeps its three packets"
else no "Ctrl-C ends the capture, which keeps its three packets" "exit $rc: $(cat "$tmp/out")"; fi

# 4. errors: a bad filter raises naming the argument; an unwritable path is nil, message
"$PF" -e 'pf.capture{iface = "lo", out = arg[1], bpf = "udp prt 1", count = 1}' "$tmp/d.pcap" >"$tmp/out" 2>&1
grep -qF "bad argument #1 to 'capture' (bpf: bad capture filter 'udp prt 1': " "$tmp/out" \
  && ok "a bad capture filter is a bad argument" || no "a bad capture filter is a bad argument" "$(cat "$tmp/out")"
"$PF" -e 'print(pf.capture{iface = "lo", out = arg[1], count = 1})' "$tmp/no/such/dir.pcap" >"$tmp/out" 2>&1
grep -qF "nil	$tmp/no/such/dir.pcap: No such file or directory" "$tmp/out" \
  && ok "an unwritable output path gives nil and the path's error" \
  || no "an unwritable output path gives nil and the path's error" "$(cat "$tmp/out")"

# 5. examples/live.lua captures and then analyses what it caught
if [ -f examples/live.lua ]; then
  send 4 200 0
  "$PF" run examples/live.lua --iface lo --bpf "udp dst port $PORT" --duration 2 --out "$tmp/live" >"$tmp/out" 2>&1
  rc=$?
  if [ "$rc" -eq 0 ] && grep -q "captured 4 packets" "$tmp/out" && [ -f "$tmp/live/capture.pcap" ]; then
    ok "examples/live.lua captures, writes and analyses"
  else no "examples/live.lua captures, writes and analyses" "exit $rc: $(cat "$tmp/out")"; fi
fi
wait
echo "live: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
