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

expect "--help prints the usage" 0 "usage: pktframe [CAPTURE...]" "$PF" --help
expect "help names every command" 0 "info FILE..." "$PF" help
expect "no arguments start the REPL, which ends with its input" 0 "" "$PF" </dev/null
expect "help info describes info" 0 "other IP and non-IP" "$PF" help info
expect "help run describes tracebacks" 0 "traceback" "$PF" help run
expect "help repl describes the REPL" 0 "Ctrl-C" "$PF" help repl
expect "help of an unknown command is a usage error" 2 "no help for 'frob'" "$PF" help frob
expect "an unknown option is a usage error" 2 "unknown option '--frob'" "$PF" --frob
expect "info without a file is a usage error" 2 "info: no capture file given" "$PF" info
expect "info with a bad option is a usage error" 2 "unknown option '-z'" "$PF" info -z x.pcap
expect "info of a missing file names it" 1 "nope.pcap: No such file or directory" "$PF" info "$tmp/nope.pcap"
expect "run without a script is a usage error" 2 "run: no script given" "$PF" run
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
expect "run -q runs the script" 0 "x,y,2,args.lua" "$PF" run -q "$tmp/args.lua" x y
expect "run --threads N runs the script" 0 "x,y,2,args.lua" "$PF" run --threads 2 -q "$tmp/args.lua" x y
expect "a bad --threads value is a usage error" 2 "bad --threads value '0' (1 to 64)" "$PF" fields x.pcap -e ip.src --threads 0
expect "run --threads without a number is a usage error" 2 "option --threads needs an argument" "$PF" run --threads
expect "-e has the global pf" 0 "0.1.0" "$PF" -e 'print(pf.version)'
printf 'print(pf.version, pf == require "pktframe")\n' >"$tmp/pfglobal.lua"
expect "run scripts have the global pf too" 0 "0.1.0	true" "$PF" run "$tmp/pfglobal.lua"
expect "scripts see pf.options.display" 0 "50" "$PF" -e 'print(pf.options.display.max_colwidth)'
expect "a missing script is an error naming it" 1 "cannot open $tmp/nope.lua" "$PF" run "$tmp/nope.lua"
# shipped examples by name; pktframe's own options after the script get a hint
expect "run NAME finds a shipped example" 0 "usage: pktframe run" "$PF" run streams --help
expect "run NAME.lua finds a shipped example" 0 "usage: pktframe run" "$PF" run payload_time.lua --help
expect "run -q after the script says it goes first" 2 "goes before the script: pktframe run -q SCRIPT" \
  "$PF" run streams x.pcap -q
# the man page reads from the source tree (README says: man ./docs/pktframe.1)
if command -v man >/dev/null 2>&1; then
  src=$(dirname "$0")/..
  expect "man ./docs/pktframe.1 renders from the source tree" 0 "shipped analysis" \
    env MANPAGER=cat MANWIDTH=200 man "$src/docs/pktframe.1"
fi
# examples check their options before any reading: nothing printed on stdout
"$PF" run examples/streams.lua examples/nope.pcap --ip 1.2.3 >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ "$rc" -eq 2 ] && [ ! -s "$tmp/out" ] && grep -qF "option '--ip': expected an IPv4 or IPv6 address" "$tmp/err"; then
  ok "streams --ip 1.2.3 is a usage error before the analysis"
else no "streams --ip 1.2.3" "exit $rc: $(cat "$tmp/out" "$tmp/err" | head -c 400)"; fi
"$PF" run volume examples/nope.pcap --server dns.example >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ "$rc" -eq 2 ] && [ ! -s "$tmp/out" ] && grep -qF "option '--server': expected an address" "$tmp/err"; then
  ok "volume --server of a name is a usage error before the analysis"
else no "volume --server dns.example" "exit $rc: $(cat "$tmp/out" "$tmp/err" | head -c 400)"; fi
if [ -f "$CAP/dns-mixed.pcap" ]; then
  "$PF" run payload_time "$CAP/dns-mixed.pcap" --source 1.2.3.4 >"$tmp/out" 2>"$tmp/err"
  rc=$?
  if [ "$rc" -eq 0 ] && grep -qF "no packets with a TCP or UDP payload from 1.2.3.4 in $CAP/dns-mixed.pcap" "$tmp/err"; then
    ok "payload_time --source of an address not in the capture says so"
  else no "payload_time --source 1.2.3.4" "exit $rc: $(cat "$tmp/out" "$tmp/err" | head -c 400)"; fi
fi
# errors in scripts: script.lua:LINE: message, then a traceback of the script's frames only
cat >"$tmp/deep.lua" <<'EOF'
local pf = require "pktframe"
local function load(p)
  return pf.read(p, {fields = {"ip.scr"}})
end
local function main()
  local t = load("x.pcap")
  return #t
end
main()
EOF
"$PF" run "$tmp/deep.lua" >"$tmp/out" 2>&1
rc=$?
first=$(head -n 1 "$tmp/out")
if [ "$rc" -eq 1 ] && [ "$first" = "$tmp/deep.lua:3: bad argument #2 to 'read' (unknown field 'ip.scr'; did you mean 'ip.src'?)" ]; then
  ok "a script error starts with script.lua:LINE: message"
else
  no "a script error starts with script.lua:LINE: message" "exit $rc: $(cat "$tmp/out")"
fi
if grep -qF "$tmp/deep.lua:6: in local 'main'" "$tmp/out" && grep -qF "$tmp/deep.lua:9: in main chunk" "$tmp/out" &&
   ! grep -qF "[C]" "$tmp/out" && ! grep -qF "/pktframe/" "$tmp/out"; then
  ok "the traceback shows user frames only"
else
  no "the traceback shows user frames only" "$(cat "$tmp/out")"
fi
printf 'error("plain")\n' >"$tmp/plain.lua"
expect "error() in a script names the script and line" 1 "$tmp/plain.lua:1: plain" "$PF" run "$tmp/plain.lua"
printf 'x = = 1\n' >"$tmp/syntax.lua"
expect "a syntax error names the script and line" 1 "$tmp/syntax.lua:1: unexpected symbol near '='" "$PF" run "$tmp/syntax.lua"

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
  # --threads 2: decoding in a second thread changes nothing in the output
  set -- -e frame.number -e frame.time_delta -e ip.src -e tcp.stream -e tcp.seq -e tcp.analysis.ack_rtt \
    -e eth.trailer -e dns.qry.name -e http.host -e udp.stream
  "$PF" fields -q "$CAP/http-browsing-2013.pcap" "$CAP/mixed-many-protocols.pcap" "$@" >"$tmp/t1" 2>&1
  "$PF" fields -q --threads 2 "$CAP/http-browsing-2013.pcap" "$CAP/mixed-many-protocols.pcap" "$@" >"$tmp/t2" 2>&1
  if cmp -s "$tmp/t1" "$tmp/t2" && [ "$(wc -l <"$tmp/t1")" -eq 9341 ]; then
    ok "fields --threads 2 prints byte for byte what one thread prints"
  else
    no "fields --threads 2 prints byte for byte what one thread prints" "$(wc -l <"$tmp/t1") lines; $(cmp "$tmp/t1" "$tmp/t2" 2>&1)"
  fi
  set --
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
  # info: capinfos' numbers, and the protocol summary
  "$PF" info "$CAP/http-browsing-2013.pcap" >"$tmp/info" 2>&1
  if grep -qx "Packets: *4631" "$tmp/info" && grep -qx "Data size: *3738523 bytes (3738523 captured)" "$tmp/info" &&
     grep -qx "Link type: *Ethernet (1, EN10MB)" "$tmp/info" &&
     grep -qx "First packet time: *2013-05-02 20:20:33.491822000 UTC (1367526033.491822000)" "$tmp/info" &&
     grep -qx "Duration: *15.645760000 seconds" "$tmp/info"; then
    ok "info gives packets, data size, link type, times"
  else
    no "info gives packets, data size, link type, times" "$(cat "$tmp/info")"
  fi
  if grep -qE "^  TCP +4492 +97.0% +3723469 +99.6%$" "$tmp/info" && grep -qE "^  UDP +139 " "$tmp/info" &&
     grep -qE "^  non-IP +0 " "$tmp/info"; then
    ok "info counts TCP, UDP and non-IP packets"
  else
    no "info counts TCP, UDP and non-IP packets" "$(cat "$tmp/info")"
  fi
  "$PF" info "$CAP/pcapng-multi-iface.pcapng" >"$tmp/info" 2>&1
  if grep -qF "Ethernet (1, EN10MB): 62 packets" "$tmp/info" && grep -qF "(0, NULL): 2 packets" "$tmp/info" &&
     grep -qx "Strict time order: *no" "$tmp/info"; then
    ok "info lists the link types of a pcapng file"
  else
    no "info lists the link types of a pcapng file" "$(cat "$tmp/info")"
  fi
  expect "info of a cut file reports the damage and exits 1" 1 "the 1 packet before it was kept" \
    "$PF" info "$CAP/truncated-midheader-dns.pcap"
  if command -v capinfos >/dev/null 2>&1; then
    bad=""
    for f in "$CAP"/*.pcap "$CAP"/*.pcapng; do
      want=$(capinfos -M -T -r -c -d "$f" 2>/dev/null | cut -f 2,3)
      [ -n "$want" ] || continue
      got=$("$PF" info "$f" 2>/dev/null | sed -nE 's/^Packets: +([0-9]+)$/\1/p; s/^Data size: +([0-9]+) bytes.*/\1/p' | tr '\n' '\t' | sed 's/\t$//')
      [ "$got" = "$want" ] || bad="$bad $(basename "$f") (pktframe '$got', capinfos '$want')"
    done
    if [ -z "$bad" ]; then ok "info agrees with capinfos on packets and data size"; else no "info agrees with capinfos" "$bad"; fi
  fi
  # the REPL command line
  expect "a capture on the command line loads as cap" 0 "cap: 4 packets from" sh -c 'echo "#cap" | "$0" "$1"' "$PF" "$CAP/dhcp-dora.pcap"
  expect "a missing capture is a runtime error" 1 "nope.pcap: No such file or directory" "$PF" "$tmp/nope.pcap" </dev/null
  # odd file names reach the reader as they are: no shell ever sees them
  for name in 'a b.pcap' "q'uote.pcap" 'd$(touch x).pcap' 'new
line.pcap'; do
    cp "$CAP/dhcp-dora.pcap" "$tmp/$name"
    c=$("$PF" fields "$tmp/$name" -e frame.number -E header=n | wc -l)
    if [ "$c" -eq 4 ] && [ ! -e x ]; then ok "file name $(printf '%s' "$name" | tr '\n' '?') read as is"; else no "file name $name" "$c rows"; fi
  done
fi
# make install PREFIX=...: the command, the modules, the man page; the installed command finds them
if command -v make >/dev/null 2>&1 && [ -f Makefile ]; then
  make -s install PREFIX="$tmp/inst" BUILD="$(dirname "$PF")" >"$tmp/out" 2>&1
  if [ -x "$tmp/inst/bin/pktframe" ] && [ -f "$tmp/inst/share/lua/5.4/pktframe/repl/init.lua" ] &&
     [ -f "$tmp/inst/share/man/man1/pktframe.1" ] && [ -f "$tmp/inst/lib/lua/5.4/pktframe/core.so" ]; then
    ok "make install puts the command, the modules and the man page"
  else
    no "make install puts the command, the modules and the man page" "$(cat "$tmp/out"; find "$tmp/inst" | head -n 20)"
  fi
  if echo 'help(pf.read)' | "$tmp/inst/bin/pktframe" 2>&1 | grep -qF "Reads one capture"; then
    ok "the installed command finds its modules and the API docs"
  else
    no "the installed command finds its modules and the API docs" "$(echo 'help(pf.read)' | "$tmp/inst/bin/pktframe" 2>&1 | head -n 5)"
  fi
fi
if command -v groff >/dev/null 2>&1 && [ -f docs/pktframe.1 ]; then
  warn=$(groff -man -ww -z docs/pktframe.1 2>&1)
  if [ -z "$warn" ]; then ok "the man page formats without warnings"; else no "the man page formats without warnings" "$warn"; fi
fi
# modules: a script requires what sits next to it, then PKTFRAME_PATH's folders (colon-separated,
# in order), then ~/.pktframe/lua, then pktframe's own modules
mkdir -p "$tmp/scr" "$tmp/pp1/pkg" "$tmp/pp2" "$tmp/home/.pktframe/lua"
echo 'return "beside"' >"$tmp/scr/mod_beside.lua"
echo 'return "pp1"' >"$tmp/pp1/mod_first.lua"
echo 'return "pp2"' >"$tmp/pp2/mod_first.lua"
echo 'return "pp2 only"' >"$tmp/pp2/mod_pp2.lua"
echo 'return "init of pkg"' >"$tmp/pp1/pkg/init.lua"
echo 'return "home"' >"$tmp/home/.pktframe/lua/mod_home.lua"
echo 'return "pp2 wins over home"' >"$tmp/pp2/mod_home2.lua"
echo 'return "home loses"' >"$tmp/home/.pktframe/lua/mod_home2.lua"
echo 'return "beside wins"' >"$tmp/scr/mod_first.lua"
cat >"$tmp/scr/main.lua" <<'LUA'
print(require "mod_beside", require "mod_first", require "mod_pp2", require "pkg", require "mod_home",
      require "mod_home2", require("pktframe").version ~= nil)
LUA
expect "a script requires modules beside it, from PKTFRAME_PATH and ~/.pktframe/lua, in that order" 0 \
  "beside	beside wins	pp2 only	init of pkg	home	pp2 wins over home	true" \
  env HOME="$tmp/home" PKTFRAME_PATH="$tmp/pp1::$tmp/pp2" "$PF" run "$tmp/scr/main.lua"
echo 'print(require "mod_beside")' >"$tmp/scr/rel.lua"
pf_abs="$(cd "$(dirname "$PF")" && pwd)/$(basename "$PF")"
expect "a script run by a relative path finds the modules beside it" 0 "beside" \
  sh -c 'cd "$1" && "$2" run rel.lua' sh "$tmp/scr" "$pf_abs"
echo 'print(require "mod_first")' >"$tmp/scr2.lua"
expect "PKTFRAME_PATH folders are searched in the order given" 0 "pp1" \
  env PKTFRAME_PATH="$tmp/pp1:$tmp/pp2" "$PF" run "$tmp/scr2.lua"
expect "a missing module names the folders searched" 1 "$tmp/home/.pktframe/lua/nosuch.lua" \
  env HOME="$tmp/home" "$PF" -e 'require "nosuch"'
# fields --load: user fields (pf.define_field) in -e, -Y and --list; examples/custom_field.lua
cat >"$tmp/method.lua" <<'LUA'
local pf = require "pktframe"
pf.define_field{name = "myhttp.method", type = "string", where = "tcp.port == 80", doc = "request method, by hand",
  decode = function(payload) return payload:match("^(%u+) %S+ HTTP/%d%.%d\r\n") end}
LUA
printf 'pf.define_field{name = "myx.f", type = "uint", decode = function() error("boom", 0) end}\n' >"$tmp/boom.lua"
printf 'local x = nil\nx.y = 1\n' >"$tmp/bad.lua"
expect "fields --list shows the fields a --load script defines" 0 "myhttp.method                    string    request method, by hand" \
  "$PF" fields --load "$tmp/method.lua" --list myhttp
expect "a --load script's error stops fields, naming the line" 1 "bad.lua:2: attempt to index a nil value" \
  "$PF" fields --load "$tmp/bad.lua" --list
expect "--load without a script is a usage error" 2 "option --load needs an argument" "$PF" fields x.pcap -e ip.src --load
if [ ! -d "$CAP" ]; then
  echo "cli: skipped the --load capture cases: $CAP is absent"
else
  expect "a decoder's error names field and packet and exits 1" 1 "pktframe: myx.f: packet 1: decode: boom" \
    "$PF" fields --load "$tmp/boom.lua" -q "$CAP/dhcp-dora.pcap" -e myx.f
  if ! command -v tshark >/dev/null 2>&1; then
    echo "cli: skipped the --load comparisons with tshark: tshark is absent"
  else
    "$PF" fields -q --load "$tmp/method.lua" "$CAP/http-browsing-2013.pcap" -e frame.number -e myhttp.method \
      -Y 'myhttp.method' -E header=n >"$tmp/mine" 2>&1
    tshark -n -r "$CAP/http-browsing-2013.pcap" -o tcp.desegment_tcp_streams:FALSE -Y http.request \
      -T fields -e frame.number -e http.request.method >"$tmp/theirs" 2>/dev/null
    if cmp -s "$tmp/mine" "$tmp/theirs" && [ "$(wc -l <"$tmp/mine")" -gt 300 ]; then
      ok "fields --load -e/-Y a user field gives tshark's http.request.method frames ($(wc -l <"$tmp/mine"))"
    else
      no "fields --load -e/-Y a user field gives tshark's http.request.method frames" "$(diff "$tmp/mine" "$tmp/theirs" | head -5)"
    fi
    "$PF" run examples/custom_field.lua "$CAP/dns-mixed.pcap" --top 3 >"$tmp/ex" 2>&1
    rc=$?
    n=$(tshark -n -r "$CAP/dns-mixed.pcap" -Y 'udp.port == 53 && dns.qry.name' 2>/dev/null | wc -l)
    g=$(tshark -n -r "$CAP/dns-mixed.pcap" -Y 'udp.port == 53 && dns.qry.name contains "google"' 2>/dev/null | wc -l)
    top=$(tshark -n -r "$CAP/dns-mixed.pcap" -Y 'udp.port == 53 && dns.qry.name' -T fields -e dns.qry.name 2>/dev/null |
      tr ',' '\n' | sort | uniq -c | sort -rn | head -1 | awk '{print $2 "  *" $1}')
    if [ "$rc" -eq 0 ] && grep -q "^$n packets with a question on UDP port 53; 0 differ from dns.qry.name" "$tmp/ex" &&
       grep -q "^$g packets ask for a name containing 'google'" "$tmp/ex" && grep -q "^1  $top\$" "$tmp/ex"; then
      ok "examples/custom_field.lua agrees with tshark ($n questions, $g for google, top: $top)"
    else
      no "examples/custom_field.lua agrees with tshark" "exit $rc, tshark: $n, $g, $top: $(cat "$tmp/ex")"
    fi
  fi
fi
# --max-memory SIZE (before the command): the default budget of every pf.read and pf.scan
expect "--max-memory without a size is a usage error" 2 "option --max-memory needs a size" "$PF" --max-memory
expect "--max-memory with a bad size is a usage error" 2 "bad --max-memory size '12X'" "$PF" --max-memory 12X -e 'print(1)'
if [ -r "$CAP/http-browsing-2013.pcap" ]; then
  # the read stops; the packet named is the one after the rows held (no filter: one row per packet)
  cat >"$tmp/budget.lua" <<'LUA'
local pf = require "pktframe"
local t, err = pf.read(arg[1])
local pkt, rows = err:match(": packet (%d+): memory budget 64K reached %(the table holds (%d+) rows")
assert(t == nil and tonumber(pkt) == tonumber(rows) + 1, err)
local own <close> = assert(pf.read(arg[1], {max_memory = "1G"}))   -- an option overrides the default
local g = assert(pf.scan(arg[1]):groupby("ip.src"):size())          -- a scan fits where the read did not
print("budget ok", #own, #g == #own:groupby("ip.src"))
LUA
  expect "--max-memory SIZE stops pf.read and bounds pf.scan" 0 "budget ok	4631	true" \
    "$PF" --max-memory 64K -e "$(cat "$tmp/budget.lua")" "$CAP/http-browsing-2013.pcap"
  expect "--max-memory=SIZE works too, for run" 0 "budget ok" \
    "$PF" --max-memory=64K run "$tmp/budget.lua" "$CAP/http-browsing-2013.pcap"
  expect "the REPL's capture obeys --max-memory" 1 "memory budget 64K reached" \
    sh -c '"$1" --max-memory 64K -q "$2" </dev/null' sh "$PF" "$CAP/http-browsing-2013.pcap"
  expect "fields holds no table: --max-memory leaves it as it is" 0 "4631" \
    sh -c '"$1" --max-memory 1K fields -q "$2" -e frame.number | tail -1' sh "$PF" "$CAP/http-browsing-2013.pcap"
else
  echo "skipped: --max-memory reads (no $CAP/http-browsing-2013.pcap)"
fi
# hostile files (issue #7): the diagnostic on stderr, the good rows on stdout, exit 1.
# Built by spec/hostile_files.lua: a pcapng whose third block names interface 7 (offset
# 28 + 20 + 2 * 104 = 256), a pcap whose second frame has an IPv4 header length of 16.
cat >"$tmp/mkhostile.lua" <<'EOF'
package.path = "spec/?.lua;" .. package.path
local H = require "hostile_files"
local function put(name, bytes) local f = assert(io.open(arg[1] .. "/" .. name, "wb")); f:write(bytes); f:close() end
put("badif.pcapng", H.shb() .. H.idb(1) .. H.good_epbs(1, 2) .. H.epb(7, 0, H.good(3)) .. H.good_epbs(4, 5))
put("ihl.pcap", H.pcap({ { data = H.good(1) }, { data = H.ipv4_ihl(4) }, { data = H.good(3) } }))
put("cut.pcap", H.pcap(H.good_records(1, 2)) .. H.pcap_record{ data = H.good(3) }:sub(1, 7))
EOF
if "$PF" run "$tmp/mkhostile.lua" "$tmp" >"$tmp/out" 2>&1; then
  "$PF" fields "$tmp/badif.pcapng" -e frame.number -e dns.id -E header=n >"$tmp/rows" 2>"$tmp/err"
  rc=$?
  if [ "$rc" -eq 1 ] && [ "$(tr '\n' ' ' <"$tmp/rows")" = "1	0x0001 2	0x0002 3	0x0004 4	0x0005 " ] &&
     [ "$(cat "$tmp/err")" = "pktframe: $tmp/badif.pcapng: packet 3 at offset 256: packet for interface 7, but only 1 interface is described; block skipped" ]; then
    ok "fields skips a pcapng block for a missing interface, says so on stderr, keeps the rows after"
  else
    no "fields on a pcapng block for a missing interface" "exit $rc: $(cat "$tmp/rows" "$tmp/err")"
  fi
  "$PF" info "$tmp/badif.pcapng" >"$tmp/rows" 2>"$tmp/err"
  rc=$?
  if [ "$rc" -eq 1 ] && grep -qx "Packets: *4" "$tmp/rows" && grep -qF "packet 3 at offset 256: packet for interface 7" "$tmp/err"; then
    ok "info counts the packets around a skipped block and names it on stderr"
  else
    no "info on a skipped block" "exit $rc: $(cat "$tmp/rows" "$tmp/err")"
  fi
  "$PF" fields "$tmp/ihl.pcap" -e frame.number -e ip.hdr_len -e ip.src -E header=n >"$tmp/rows" 2>"$tmp/err"
  rc=$?
  if [ "$rc" -eq 1 ] && [ "$(tr '\n' ' ' <"$tmp/rows")" = "1	20	10.0.0.1 2	16	 3	20	10.0.0.1 " ] &&
     [ "$(cat "$tmp/err")" = "pktframe: $tmp/ihl.pcap: packet 2 at offset 111: IPv4: bogus header length 16 (at least 20) at frame byte 14" ]; then
    ok "fields names a malformed packet by number, offset and frame byte, and prints every row"
  else
    no "fields on a malformed packet" "exit $rc: $(cat "$tmp/rows" "$tmp/err")"
  fi
  "$PF" info "$tmp/cut.pcap" >"$tmp/rows" 2>"$tmp/err"
  rc=$?
  if [ "$rc" -eq 1 ] && grep -qx "Packets: *2" "$tmp/rows" &&
     grep -qF "cut.pcap: packet 3 at offset 198: truncated record header (7 of 16 bytes); the file was cut short; the 2 packets before it were kept" "$tmp/err"; then
    ok "info on a cut file counts the packets before the cut and names packet and offset"
  else
    no "info on a cut file" "exit $rc: $(cat "$tmp/rows" "$tmp/err")"
  fi
else
  no "hostile files for the CLI cases" "$(cat "$tmp/out")"
fi
# ---- captures from pipes: -r -, /dev/stdin, FIFOs, gzip through a pipe (read once, never twice) ----
# on a capture the project writes itself, so these run without ../shared
if "$PF" run examples/make_demo_capture.lua "$tmp/pipe.pcap" >/dev/null 2>"$tmp/err"; then
  F="-e frame.number -e ip.src -e tcp.stream -e tcp.seq"
  "$PF" fields "$tmp/pipe.pcap" $F >"$tmp/want" 2>&1
  pipe_same() {   # NAME: stdout of the command read from stdin equals the file's
    if [ "$?" -eq 0 ] && [ -s "$tmp/want" ] && cmp -s "$tmp/want" "$tmp/got"; then ok "$1"
    else no "$1" "$(diff "$tmp/want" "$tmp/got" | head -5)"; fi
  }
  cat "$tmp/pipe.pcap" | "$PF" fields -r - $F >"$tmp/got" 2>&1; pipe_same "fields -r - reads a capture from a pipe"
  cat "$tmp/pipe.pcap" | "$PF" fields - $F >"$tmp/got" 2>&1; pipe_same "fields - reads standard input"
  cat "$tmp/pipe.pcap" | "$PF" fields /dev/stdin $F >"$tmp/got" 2>&1; pipe_same "fields /dev/stdin reads a pipe"
  gzip -c "$tmp/pipe.pcap" | "$PF" fields -r - $F >"$tmp/got" 2>&1; pipe_same "a gzip-compressed capture through a pipe"
  gzip -c "$tmp/pipe.pcap" >"$tmp/pipe.pcap.gz"
  "$PF" fields "$tmp/pipe.pcap.gz" $F >"$tmp/got" 2>&1; pipe_same "a gzip-compressed capture file"
  if mkfifo "$tmp/fifo" 2>/dev/null; then
    # a reader that opened the FIFO twice would wait for a writer forever: bounded, and the writer ended
    cat "$tmp/pipe.pcap" >"$tmp/fifo" &
    w=$!
    timeout 60 "$PF" fields "$tmp/fifo" $F >"$tmp/got" 2>&1; pipe_same "a FIFO is read once"
    kill $w 2>/dev/null; wait $w 2>/dev/null
    cat "$tmp/pipe.pcap" >"$tmp/fifo" &
    w=$!
    timeout 60 "$PF" fields "$tmp/pipe.pcap" "$tmp/fifo" -e frame.number >"$tmp/got" 2>&1
    rc=$? n=$(wc -l <"$tmp/want")
    kill $w 2>/dev/null; wait $w 2>/dev/null
    if [ "$rc" -eq 0 ] && [ "$(wc -l <"$tmp/got")" -eq $((2 * n - 1)) ]; then ok "a file then a FIFO: one stream of frames"
    else no "a file then a FIFO" "exit $rc, $(wc -l <"$tmp/got") lines"; fi
  fi
  cat "$tmp/pipe.pcap" | "$PF" -e 'local t = assert(pf.read("-", {fields = {"frame.number"}})) print(#t)' >"$tmp/got" 2>&1
  if [ "$(cat "$tmp/got")" = "$(($(wc -l <"$tmp/want") - 1))" ]; then ok "pf.read(\"-\") reads standard input"
  else no "pf.read(\"-\") reads standard input" "$(head -c 300 "$tmp/got")"; fi
  head -c 3000 "$tmp/pipe.pcap" | "$PF" fields -r - -e frame.number >"$tmp/got" 2>"$tmp/err"
  rc=$?
  if [ "$rc" -eq 1 ] && grep -qF -- "-: packet " "$tmp/err" && grep -qF "the file was cut short" "$tmp/err" &&
     [ -s "$tmp/got" ]; then ok "a stream that ends mid-record names the packet and keeps the ones before"
  else no "a stream that ends mid-record" "exit $rc: $(cat "$tmp/err")"; fi
  gzip -c "$tmp/pipe.pcap" | head -c 3000 | "$PF" fields -r - -e frame.number >"$tmp/got" 2>"$tmp/err"
  rc=$?
  if [ "$rc" -eq 1 ] && grep -qF "the file was cut short" "$tmp/err"; then ok "a cut gzip stream ends like a cut file"
  else no "a cut gzip stream" "exit $rc: $(cat "$tmp/err")"; fi
  printf '' | "$PF" fields -r - -e frame.number >"$tmp/got" 2>"$tmp/err"
  rc=$?
  if [ "$rc" -eq 1 ] && grep -qF -- "-: empty file: not a pcap or pcapng capture file" "$tmp/err"; then ok "an empty pipe says so"
  else no "an empty pipe" "exit $rc: $(cat "$tmp/err")"; fi
  "$PF" info "$tmp/pipe.pcap.gz" >"$tmp/got" 2>&1
  if grep -qx "File size: *$(wc -c <"$tmp/pipe.pcap.gz") bytes" "$tmp/got"; then ok "info gives a gzip file's size as stored, as capinfos"
  else no "info of a gzip file's size" "$(head -5 "$tmp/got")"; fi
else
  no "the project's capture generator for the pipe cases" "$(cat "$tmp/err")"
fi
echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
