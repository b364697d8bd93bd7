#!/bin/sh
# cli_test.sh: the pktframe command as a user meets it: help, errors, exit codes, options.
# usage: tests/cli_test.sh PKTFRAME SHARED_DIR
PF=$1
SHARED=$2
CAP=$SHARED/captures
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ok() { pass=$((pass + 1)); echo "ok   $1"; }
no() { fail=$((fail + 1)); echo "FAIL $1"; [ -n "$2" ] && printf '%s\n' "$2" | sed 's/^/     /'; }

# expect NAME STATUS PATTERN CMD...: exit status and a fixed string in stdout+stderr
expect() {
  name=$1 want=$2 pat=$3
  shift 3
  "$@" >"$tmp/out" 2>&1
  got=$?
  if [ "$got" -ne "$want" ]; then no "$name" "exit $got, wanted $want: $(head -c 400 "$tmp/out")"; return; fi
  if [ -n "$pat" ] && ! grep -qF -- "$pat" "$tmp/out"; then
    no "$name" "output lacks '$pat': $(head -c 400 "$tmp/out")"
    return
  fi
  ok "$name"
}

expect "no arguments print the usage" 0 "usage: pktframe COMMAND" "$PF"
expect "--version names the version" 0 "pktframe 0." "$PF" --version
expect "help fields describes -e" 0 "-e FIELD" "$PF" help fields
expect "fields --help" 0 "occurrence=f|l|a" "$PF" fields --help
expect "an unknown command is a usage error" 2 "unknown command 'fieldz'" "$PF" fieldz
expect "an unknown field suggests the closest" 2 "unknown field 'ip.scr'; did you mean 'ip.src'?" "$PF" fields x.pcap -e ip.scr
expect "fields without -e is a usage error" 2 "no field given" "$PF" fields x.pcap
expect "fields without a file is a usage error" 2 "no capture file given" "$PF" fields -e ip.src
expect "a bad -E option is a usage error" 2 "bad -E option 'header=maybe'" "$PF" fields x.pcap -e ip.src -E header=maybe
expect "--list finds fields by regex" 0 "tcp.analysis.ack_rtt" "$PF" fields --list 'rtt'
expect "a missing file names the file" 1 "nope.pcap: No such file or directory" "$PF" fields "$tmp/nope.pcap" -e frame.number
expect "a directory is refused" 1 "is a directory" "$PF" fields "$tmp" -e frame.number
expect "-e runs Lua" 0 "42" "$PF" -e 'print(6 * 7)'
expect "a Lua error exits 1 with the message" 1 "boom" "$PF" -e 'error("boom")'
printf 'print(arg[1] .. "," .. arg[2] .. "," .. select("#", ...) .. "," .. arg[0]:match("[^/]*$"))\n' >"$tmp/args.lua"
expect "run sets arg and ... as lua does" 0 "x,y,2,args.lua" "$PF" run "$tmp/args.lua" x y

if [ ! -d "$CAP" ]; then
  echo "cli: skipped the capture cases: $CAP is absent"
else
  expect "a non-capture is refused with the file name" 1 "garbage-not-a-capture.pcap: not a pcap or pcapng capture file" \
    "$PF" fields "$CAP/garbage-not-a-capture.pcap" -e frame.number
  expect "a cut file keeps its packets and names packet and offset" 1 \
    "truncated-midheader-dns.pcap: packet 2 at offset 240: truncated record header (7 of 16 bytes); the file was cut short; the 1 packet before it was kept" \
    "$PF" fields "$CAP/truncated-midheader-dns.pcap" -e frame.number
  "$PF" fields "$CAP/truncated-midheader-dns.pcap" -e frame.number -e dns.id -E header=n >"$tmp/out" 2>/dev/null
  "$PF" fields "$CAP/truncated-midheader-dns.pcap" -e frame.number -E header=n >"$tmp/out" 2>/dev/null
  if [ "$(cat "$tmp/out")" = "1" ]; then ok "the cut file's good packet is printed"; else no "the cut file's good packet is printed" "$(cat "$tmp/out")"; fi
  expect "a display filter with a typo suggests the field" 2 "bad filter 'ip.scr == 1.2.3.4': column 1: unknown field 'ip.scr'; did you mean 'ip.src'?" \
    "$PF" fields "$CAP/dns-mixed.pcap" -e ip.src -Y "ip.scr == 1.2.3.4"
  expect "an incomplete display filter names the column" 2 "column 10: expected a value at the end" \
    "$PF" fields "$CAP/dns-mixed.pcap" -e ip.src -Y "ip.dst =="
  n=$("$PF" fields "$CAP/dhcp-dora.pcap" -e frame.number -Y "udp.srcport == 67" -E header=n | tr '\n' ' ')
  if [ "$n" = "2 4 " ]; then ok "-Y keeps the matching frames"; else no "-Y keeps the matching frames" "$n"; fi
  expect "a bad BPF filter is a usage error" 2 "bad capture filter" "$PF" fields "$CAP/dns-mixed.pcap" -e ip.src -f "udp port"
  n=$("$PF" fields "$CAP/dns-mixed.pcap" -e frame.number -f "ip6" -E header=n | wc -l)
  m=$(tshark -n -r "$CAP/dns-mixed.pcap" -Y ipv6 2>/dev/null | wc -l)
  if command -v tshark >/dev/null 2>&1; then
    if [ "$n" -eq "$m" ] && [ "$n" -gt 0 ]; then ok "-f ip6 keeps the IPv6 packets ($n)"; else no "-f ip6 keeps the IPv6 packets" "pktframe $n, tshark $m"; fi
  fi
  "$PF" fields "$CAP/dhcp-dora.pcap" "$CAP/dhcp-dora.pcap" -e frame.number -E header=n >"$tmp/out"
  if [ "$(tr '\n' ' ' <"$tmp/out")" = "1 2 3 4 5 6 7 8 " ]; then ok "two files read as one, frames numbered on"; else no "two files read as one" "$(cat "$tmp/out")"; fi
  "$PF" fields "$CAP/ipv6-in-ipv4-tunnel.pcap" -e ip.version -E header=n -E occurrence=f >"$tmp/f"
  "$PF" fields "$CAP/ipv6-in-ipv4-tunnel.pcap" -e ip.version -E header=n -E occurrence=l >"$tmp/l"
  "$PF" fields "$CAP/ipv6-in-ipv4-tunnel.pcap" -e ip.version -E header=n -E aggregator=/s >"$tmp/a"
  if [ "$(head -n 1 "$tmp/f")" = "4" ] && [ "$(head -n 1 "$tmp/l")" = "6" ] && [ "$(head -n 1 "$tmp/a")" = "4 6" ]; then
    ok "occurrence f, l and the aggregator"
  else
    no "occurrence f, l and the aggregator" "$(head -n 1 "$tmp/f") / $(head -n 1 "$tmp/l") / $(head -n 1 "$tmp/a")"
  fi
  "$PF" fields "$CAP/dhcp-dora.pcap" -e frame.number -e frame.len -E separator=, >"$tmp/out"
  if [ "$(head -n 2 "$tmp/out" | tr '\n' ' ')" = "frame.number,frame.len 1,342 " ]; then ok "header and separator"; else no "header and separator" "$(head -n 2 "$tmp/out")"; fi
  # odd file names reach the reader as they are: no shell ever sees them
  for name in 'a b.pcap' "q'uote.pcap" 'd$(touch x).pcap' 'new
line.pcap'; do
    cp "$CAP/dhcp-dora.pcap" "$tmp/$name"
    c=$("$PF" fields "$tmp/$name" -e frame.number -E header=n | wc -l)
    if [ "$c" -eq 4 ] && [ ! -e x ]; then ok "file name $(printf '%s' "$name" | tr '\n' '?') read as is"; else no "file name $name" "$c rows"; fi
  done
fi
echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
