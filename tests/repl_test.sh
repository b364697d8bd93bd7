#!/bin/sh
# repl_test.sh: the REPL as a user meets it: through piped stdin, and in a real terminal
# (tmux send-keys / capture-pane): completion, multi-line input, errors, Ctrl-C, history, Ctrl-D.
# usage: tests/repl_test.sh PKTFRAME SHARED_DIR
PF=$1
SHARED=$2
case $PF in /*) ;; *) PF=$(pwd)/$PF ;; esac
case $SHARED in /*) ;; *) SHARED=$(pwd)/$SHARED ;; esac
CAP=$SHARED/captures
HTTP=$CAP/http-browsing-2013.pcap
DHCP=$CAP/dhcp-dora.pcap
pass=0
fail=0
unset COLUMNS   # tables printed to a pipe are as wide as COLUMNS says: the tests set it where they need it
tmp=$(mktemp -d)
SOCK="pktframe-repl-test-$$"
cleanup() {
  if command -v tmux >/dev/null 2>&1; then tmux -L "$SOCK" kill-server 2>/dev/null; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
mkdir -p "$tmp/home"

ok() { pass=$((pass + 1)); echo "ok   $1"; }
no() { fail=$((fail + 1)); echo "FAIL $1"; [ -n "$2" ] && printf '%s\n' "$2" | sed 's/^/     /'; }

# piped NAME STATUS PATTERN INPUT [ARGS...]: INPUT on stdin; exit status and a fixed string in stdout+stderr
piped() {
  name=$1 want=$2 pat=$3 input=$4
  shift 4
  printf '%s\n' "$input" | HOME="$tmp/home" "$PF" "$@" >"$tmp/out" 2>&1
  got=$?
  if [ "$got" -ne "$want" ]; then no "$name" "exit $got, wanted $want: $(head -c 600 "$tmp/out")"; return; fi
  if ! grep -qF -- "$pat" "$tmp/out"; then no "$name" "output lacks '$pat': $(head -c 600 "$tmp/out")"; return; fi
  ok "$name"
}

# without ../shared, the cases that only need some capture read one the project writes itself
if [ ! -f "$DHCP" ] &&
   "$PF" run "$(dirname "$0")/../examples/make_demo_capture.lua" "$tmp/generated.pcap" >/dev/null 2>&1; then
  DHCP=$tmp/generated.pcap
fi

# ---- piped stdin ----
piped "an expression prints its value" 0 "42" "6 * 7"
piped "a statement prints nothing, a later expression its value" 0 "3" "x = 1 + 2
x"
piped "an incomplete chunk reads on" 0 "30" "s = 0
for i = 1, 3 do
  s = s + i * 5
end
print(s)"
piped "a multi-line expression reads on" 0 "7" "(3 +
4)"
piped "an error does not end the REPL; status 1 when piped" 1 "after" 'error("boom")
print("after")'
piped "the error names stdin and the line" 1 "stdin:1: boom" 'error("boom")'
piped "an error inside a function gets a traceback of user code" 1 "in function 'f'" 'function f() error("deep") end
local ok = f() ; print(ok)'
printf '%s\n' 'function f() error("deep") end
local ok = f() ; print(ok)' | "$PF" >"$tmp/out" 2>&1
if grep -q '\[C\]' "$tmp/out"; then no "the traceback has no C frames" "$(cat "$tmp/out")"; else ok "the traceback has no C frames"; fi
piped "no prompt when stdin is not a terminal" 0 "" "1"
if grep -qF "pf>" "$tmp/out"; then no "no prompt text in piped output" "$(cat "$tmp/out")"; else ok "no prompt text in piped output"; fi
piped "_ is the last value" 0 "12" "3 * 4
_"
piped "plain tables print inline" 0 '{1, 2, a = "x"}' '{1, 2, a = "x"}'
piped "pf is a global" 0 "0.1.0" "pf.version"
piped "help() describes the REPL" 0 "Tab completes" "help()"
piped "help(pf.read) shows the signature and doc" 0 "Reads one capture" "help(pf.read)"
piped "help(pf.read) lists the options" 0 "options: fields, filter, bpf, strict" "help(pf.read)"
piped 'help "col" finds a method' 0 "t:col(name)" 'help "col"'
piped 'help "tcp.stream" shows the field' 0 "tcp.stream (uint)" 'help "tcp.stream"'
piped 'help of an unknown name says so' 0 "no help for 'frobnicate'" 'help "frobnicate"'
piped 'fields("rtt") searches the registry' 0 "tcp.analysis.ack_rtt" 'fields("rtt")'
piped "completion engine: field names in strings" 0 "tcp.stream" \
  'table.concat(require("pktframe.repl").complete([[x = cap:col("tcp.st]], "tcp.st"), " ")'
piped "completion engine: methods through the metatable" 0 "cap:col( cap:columns(" \
  'cap = pf.read(arg and arg[1] or "'"$DHCP"'")
table.concat(require("pktframe.repl").complete("cap:co", "cap:co"), " ")'
piped "completion engine: module fields" 0 "pf.read" \
  'table.concat(require("pktframe.repl").complete("pf.re", "pf.re"), " ")'
piped "completion engine: globals" 0 "print" \
  'table.concat(require("pktframe.repl").complete("x = pri", "pri"), " ")'
piped "completion engine: a path asks for file names" 0 "files" \
  'require("pktframe.repl").complete([[pf.read("/tmp/x]], "/tmp/x")'

piped "--help describes the REPL command line" 0 "--fields A,B,C" "" --help

if [ ! -d "$CAP" ]; then
  echo "repl: skipped the capture cases: $CAP is absent"
else
  piped "a capture loads as cap" 0 "4631" "#cap" "$HTTP"
  piped "loading says packets, time span and columns" 0 \
    "cap: 4631 packets from $HTTP, 2013-05-02 20:20:33.491822 to 20:20:49.137582 UTC (15.646 s)" "#cap" "$HTTP"
  piped "loading lists the columns" 0 "14 columns: frame.number frame.time_epoch" "#cap" "$HTTP"
  piped "-q loads quietly" 0 "4" "#cap" -q "$DHCP"
  if grep -qF "cap:" "$tmp/out"; then no "-q prints no summary" "$(cat "$tmp/out")"; else ok "-q prints no summary"; fi
  piped "a table prints its head with its shape" 0 "[4631 rows x 14 columns]" "cap" "$HTTP"
  piped "--fields picks the columns" 0 '{"ip.src", "udp.srcport"}' "cap:columns()" --fields ip.src,udp.srcport "$DHCP"
  piped "-Y keeps the matching packets" 0 "2" "#cap" -Y "udp.srcport == 67" "$DHCP"
  piped "two captures load as one" 0 "8" "#cap" "$DHCP" "$DHCP"
  piped "help(cap) describes the table" 0 "t:head([n])" "help(cap)" "$DHCP"
  piped "help of a column gives its field" 0 "ip.src (ipv4): IPv4 source address" 'help(cap:col("ip.src"))' "$DHCP"
  piped "a missing capture is a runtime error" 1 "nope.pcap: No such file or directory" "" "$tmp/nope.pcap"
  piped "an unknown --fields name is a usage error" 2 "unknown field 'ip.scr'; did you mean 'ip.src'?" "" --fields ip.scr "$DHCP"
  piped "a bad -Y filter is a usage error" 2 "bad filter 'ip.src =='" "" -Y "ip.src ==" "$DHCP"
  piped "a bad -f filter is a usage error" 2 "bad capture filter" "" -f "udp port" "$DHCP"
  # issue 15, the first hour: seeing the data and getting more of it
  piped "a Column prints as a Series" 0 "Name: ip.src, Length: 4631, dtype: ipv4" 'cap:col("ip.src")' "$HTTP"
  piped "cap[name] is the column" 0 "Name: ip.src, Length: 4631, dtype: ipv4" 'cap["ip.src"]' "$HTTP"
  piped "a Column has value_counts" 0 "1  212.199.202.9   2347" 'cap:col("ip.src"):value_counts():head(1)' "$HTTP"
  piped "times print as UTC dates" 0 "1                1  2013-05-02 20:20:33.491822" "cap" "$HTTP"
  piped "a time value keeps its microseconds" 0 "1367526036.616543" 'cap:col("frame.time_epoch")[5]' "$HTTP"
  piped "a float prints with every digit it needs" 0 "1770126425.73256" "1770126425.732560"
  piped "describe keeps the precision of times" 0 "min = 1367526033.491822" 'cap:col("frame.time_epoch"):describe()' "$HTTP"
  printf 'cap\n' | COLUMNS=300 HOME="$tmp/home" "$PF" -q "$HTTP" >"$tmp/out" 2>&1
  if head -n 1 "$tmp/out" | grep -q 'frame.time_epoch  frame.len  eth.src            eth.dst            ip.src .* tcp.len$' &&
     ! head -n 1 "$tmp/out" | grep -qF '  ...  '; then
    ok "COLUMNS widens a table printed to a pipe"
  else
    no "COLUMNS widens a table printed to a pipe" "$(head -n 2 "$tmp/out")"
  fi
  piped "t:print{all = true} prints every row" 0 "4631          4631  2013-05-02 20:20:49.137582" "cap:print{all = true}" "$HTTP"
  piped "a filter on a field cap lacks says how to read it" 1 \
    'hint: cap was read without "tcp.analysis.zero_window": cap = cap:reread{fields = {"tcp.analysis.zero_window"}}' \
    'cap:filter("tcp.analysis.zero_window")' "$HTTP"
  piped "a mistyped column suggests the closest" 1 "no column named 'ip.scr'; did you mean 'ip.src'? Columns: frame.number," \
    'cap:col("ip.scr")' "$HTTP"
  piped "cap:paths() keeps the capture's path" 0 "$HTTP" 'cap:paths()[1]' "$HTTP"
  piped "arg holds the captures in the REPL" 0 "$DHCP 2" 'print(arg[2] .. " " .. #arg)' "$HTTP" "$DHCP"
  piped "cap:reread adds a field" 0 "rows x 15 columns]" 'cap = cap:reread{fields = {"tcp.analysis.zero_window"}}
cap:filter("tcp.analysis.zero_window")' "$HTTP"
  piped 'help "plot" finds pktframe.plot by its short name' 0 'pktframe.plot: local plot = require "pktframe.plot"' 'help "plot"'
  piped "completion offers cap's columns" 0 "[frame.number frame.time_epoch frame.len eth.src" \
    '"[" .. table.concat(require("pktframe.repl").complete([[cap:col("]], ""), " ")' "$HTTP"
  piped "completion offers only the columns that match" 0 "[ip.src ip.dst ip.proto]" \
    '"[" .. table.concat(require("pktframe.repl").complete([[cap:col("ip.]], "ip."), " ") .. "]"' "$HTTP"
  piped "completion offers the fields when no column matches" 0 "tcp.analysis.zero_window" \
    'table.concat(require("pktframe.repl").complete([[cap:col("tcp.analysis.z]], "tcp.analysis.z"), " ")' "$HTTP"
  piped "completion offers derived columns" 0 "bytes2" 't2 = cap:with("bytes2", cap:col("frame.len"))
table.concat(require("pktframe.repl").complete([[t2:groupby("by]], "by"), " ")' "$HTTP"
  # a capture set over two days: the banner gives the end's date too
  "$PF" -e 'local synth = require "pktframe.synth"
    local w <close> = assert(synth.writer(arg[1]))
    local f = synth.eth{src = "02:00:00:00:00:01", dst = "02:00:00:00:00:02", payload = synth.ipv4{src = "10.0.0.1",
      dst = "10.0.0.2", payload = synth.udp{sport = 1, dport = 2}}}
    assert(w:packet({1331909229, 0}, f)); assert(w:packet({1331992026, 0}, f))' "$tmp/days.pcap"
  piped "the banner gives the end date when the captures span days" 0 \
    "2012-03-16 14:47:09.000000 to 2012-03-17 13:47:06.000000 UTC" "#cap" "$tmp/days.pcap"

  # SIGINT stops a long read; the REPL goes on with the next line
  big=$tmp/big.pcap
  if command -v mergecap >/dev/null 2>&1; then
    set -- ; for i in 1 2 3 4 5 6 7 8 9 10; do set -- "$@" "$HTTP"; done
    mergecap -a -w "$big" "$@" 2>/dev/null || cp "$HTTP" "$big"
  else
    cp "$HTTP" "$big"
  fi
  # the loops end by themselves after 20 s, so that a lost signal fails the test instead of hanging it
  { printf 't0 = os.time(); while os.time() - t0 < 20 do t = pf.read("%s") end\nprint("alive", #cap)\n' "$big"; sleep 3; } |
    HOME="$tmp/home" "$PF" -q "$DHCP" >"$tmp/out" 2>&1 &
  pid=$!
  sleep 1
  kill -INT "$pid"
  wait "$pid"
  if grep -qF "interrupted" "$tmp/out" && grep -qF "alive	4" "$tmp/out"; then
    ok "SIGINT stops a long read and the REPL goes on"
  else
    no "SIGINT stops a long read and the REPL goes on" "$(head -c 600 "$tmp/out")"
  fi
fi

# ---- a real terminal ----
if ! command -v tmux >/dev/null 2>&1; then
  echo "repl: skipped the terminal cases: tmux is absent"
  echo "repl: $pass passed, $fail failed"
  [ "$fail" -eq 0 ]
  exit
fi
if ! "$PF" --version | grep -q readline; then
  echo "repl: skipped the terminal cases: pktframe was built without readline (READLINE=0)"
  echo "repl: $pass passed, $fail failed"
  [ "$fail" -eq 0 ]
  exit
fi

tm() { tmux -L "$SOCK" "$@"; }
# start SESSION ARGS...: pktframe in a new 160x50 terminal; EXIT=status when it ends
cat >"$tmp/run.sh" <<EOF
cd "$tmp" || exit 1
trap : INT   # Ctrl-C is for pktframe; the shell reports its exit status
HOME="$tmp/home" PKTFRAME_HISTORY="$tmp/history" "$PF" "\$@"
echo EXIT=\$?
sleep 60
EOF
start() {
  s=$1
  shift
  tm new-session -d -s "$s" -x 160 -y 50 sh "$tmp/run.sh" "$@"
}
screen() { tm capture-pane -p -t "$1"; }
# waitfor SESSION TEXT [SECONDS]: until TEXT is on the screen
waitfor() {
  i=0
  while [ "$i" -lt "${3:-10}0" ]; do
    if screen "$1" | grep -qF -- "$2"; then return 0; fi
    sleep 0.1
    i=$((i + 1))
  done
  return 1
}
# type SESSION TEXT: literal text (send-keys would read "end" as the End key)
typ() { tm send-keys -t "$1" -l "$2"; }
key() { s=$1; shift; tm send-keys -t "$s" "$@"; }
check() {   # check NAME SESSION TEXT
  if waitfor "$2" "$3"; then ok "$1"; else no "$1" "$(screen "$2" | grep -v '^$' | tail -n 15)"; fi
}

if [ ! -f "$HTTP" ]; then
  echo "repl: skipped the terminal cases: $HTTP is absent"
  echo "repl: $pass passed, $fail failed"
  [ "$fail" -eq 0 ]
  exit
fi
start a "$HTTP"
if ! waitfor a "pf>" 20; then
  no "the REPL starts in a terminal" "$(screen a)"
else
  ok "the REPL starts in a terminal"
  check "the banner and the load summary show" a "cap: 4631 packets"
  typ a 'cap:col("tcp.st'; key a Tab
  check "Tab completes a field name in a string" a 'pf> cap:col("tcp.stream'
  typ a '"):name()'; key a Enter
  check "the completed line runs" a "tcp.stream"
  typ a 'cap:co'; key a Tab; sleep 0.3; key a Tab
  check "Tab Tab lists the methods of a pktframe.Table" a "cap:columns("
  key a C-u; typ a 'cap:col("udp.'; key a Tab; sleep 0.3; key a Tab
  if waitfor a "udp.dstport" && ! screen a | grep -qF "udp.length"; then ok "Tab Tab in cap:col(\" lists cap's columns"
  else no "Tab Tab in cap:col(\" lists cap's columns" "$(screen a | tail -n 8)"; fi
  key a C-u; typ a 'pf.rea'; key a Tab   # 'pf.re' is ambiguous since pf.resolve
  check "Tab completes a module field" a "pf> pf.read"
  key a C-u; typ a "pf.read(\"$CAP/dhcp-d"; key a Tab
  check "Tab completes a file name in a string" a "pf> pf.read(\"$CAP/dhcp-dora.pcap"
  key a C-u; typ a 'for i = 1, 2 do'; key a Enter
  check "an incomplete chunk prompts for more" a "..>"
  typ a 'print("line" .. i)'; key a Enter; typ a 'end'; key a Enter
  check "the multi-line chunk runs" a "line2"
  typ a 'error("oops")'; key a Enter
  check "an error is shown" a "stdin:1: oops"
  typ a '6 * 7'; key a Enter
  check "the next line after an error runs" a "42"
  typ a 'cap:head(2)'; key a Enter
  check "a table fills the terminal's 160 columns" a "eth.src            eth.dst            ...  tcp.dstport"
  if screen a | awk 'length > 160 { bad = 1 } END { exit !bad }'; then no "no line is wider than the terminal" "$(screen a | tail -n 6)"
  else ok "no line is wider than the terminal"; fi
  big=$tmp/big.pcap
  [ -f "$big" ] || cp "$HTTP" "$big"
  typ a "t0 = os.time(); while os.time() - t0 < 20 do t = pf.read(\"$big\") end"; key a Enter
  sleep 1
  key a C-c
  check "Ctrl-C interrupts a long read" a "interrupted"
  typ a 'print("still" .. #cap)'; key a Enter
  check "the REPL and cap survive Ctrl-C" a "still4631"
  typ a 't0 = os.time(); while os.time() - t0 < 20 do end'; key a Enter
  sleep 0.5
  key a C-c
  typ a 'print("after" .. "loop")'; key a Enter
  check "Ctrl-C interrupts a Lua loop" a "afterloop"
  typ a 'print("dropped")'; key a C-c
  typ a 'print("kept")'; key a Enter
  if waitfor a "kept" && ! screen a | grep -q '^dropped'; then ok "Ctrl-C at the prompt drops the line"
  else no "Ctrl-C at the prompt drops the line" "$(screen a | tail -n 8)"; fi
  key a C-d
  check "Ctrl-D leaves with status 0" a "EXIT=0"
  if grep -qF 'for i = 1, 2 do' "$tmp/history" && grep -qF 'print("line" .. i)' "$tmp/history"; then
    ok "history is saved, multi-line chunks whole"
  else
    no "history is saved" "$(cat "$tmp/history" 2>/dev/null)"
  fi
  start b
  waitfor b "pf>" 20
  key b Up
  check "a new session recalls the history" b 'print("kept")'
  key b C-u; key b C-r; typ b 'print("line"'; key b Enter
  check "a recalled multi-line chunk runs whole" b "line2"
  key b C-d
  check "Ctrl-D leaves the second session" b "EXIT=0"
fi

# Ctrl-C during the first read stops it and keeps the session (docs/repl.md): an endless capture
# (a FIFO fed a capture's packets over and over), so that the read cannot end before the Ctrl-C
if waitfor a "EXIT=0" 1 && mkfifo "$tmp/endless.pcap" 2>/dev/null; then
  { cat "$HTTP"; while :; do tail -c +25 "$HTTP" || exit; done; } >"$tmp/endless.pcap" 2>/dev/null &
  feeder=$!
  start c "$tmp/endless.pcap"
  sleep 1
  key c C-c
  check "Ctrl-C during the first read stops it" c "interrupted: the read of $tmp/endless.pcap stopped; cap is not set"
  check "the session goes on after Ctrl-C in the first read" c "pf>"
  typ c 'print("alive" .. tostring(cap == nil) .. pf.version)'; key c Enter
  check "pf and the REPL work after the interrupted read" c "alivetrue0.1.0"
  key c C-d
  check "Ctrl-D leaves after the interrupted read" c "EXIT=0"
  kill "$feeder" 2>/dev/null
  wait "$feeder" 2>/dev/null
fi

echo "repl: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
