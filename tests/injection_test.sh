#!/bin/sh
# injection_test.sh: no user text ever reaches a shell or the Lua compiler (issue #7).
# File names with spaces, quotes, $(), backticks, semicolons, pipes and newlines go through
# `pktframe fields [-r]`, `pktframe info`, `pktframe run`, pf.read and t:to_csv; each must read
# the file it names and nothing may run (names that would `touch` a marker, were they ever given
# to a shell, leave no marker). Field names and filters get the same treatment. Then a static
# check: the C and Lua sources spawn no shell and load code only where a user asked to run it.
# usage: tests/injection_test.sh PKTFRAME
PF=$1
case $PF in /*) ;; *) PF=$(pwd)/$PF ;; esac
root=$(pwd)
pass=0
fail=0
tmp=$(mktemp -d)
marker=/tmp/pwned-pktframe-$$
trap 'rm -rf "$tmp" "$marker"*' EXIT

ok() { pass=$((pass + 1)); echo "ok   $1"; }
no() { fail=$((fail + 1)); echo "FAIL $1"; [ -n "$2" ] && printf '%s\n' "$2" | sed 's/^/     /'; }
# a name as one line for the report
show() { printf '%s' "$1" | tr '\n' '?'; }

# four packets, built without a shell (spec/hostile_files.lua)
cat >"$tmp/mk.lua" <<'EOF'
package.path = arg[2] .. "/spec/?.lua;" .. package.path
local H = require "hostile_files"
local f = assert(io.open(arg[1], "wb"))
f:write(H.pcap(H.good_records(1, 4)))
f:close()
EOF
if ! "$PF" run "$tmp/mk.lua" "$tmp/good.pcap" "$root" >"$tmp/out" 2>&1; then
  no "the test capture is written" "$(cat "$tmp/out")"
  echo "injection: $pass passed, $fail failed"
  exit 1
fi

# the script `pktframe run` is given: reads arg[1], writes a CSV beside it, reads that back
cat >"$tmp/read.lua" <<'EOF'
local pf = require "pktframe"
local t <close> = assert(pf.read(arg[1], {fields = {"frame.number", "ip.src"}}))
local csv = arg[1] .. ".csv"
assert(t:to_csv(csv))
local back <close> = assert(pf.read_csv(csv))
print(#t, #back, back:col("ip.src")[4])
assert(os.remove(csv))
EOF

nl='
'
# every name is run with the current directory in $tmp, so a relative `touch` would land there
for name in 'a b.pcap' "q'uote.pcap" 'd"quote.pcap' 'd$(touch pwned1).pcap' 'b`touch pwned2`.pcap' \
            's;touch pwned3;.pcap' 'p|touch pwned4.pcap' 'a&touch pwned5&.pcap' 'r>pwned6.pcap' \
            "new${nl}line.pcap" 'g*?[x].pcap' '$HOME.pcap' "x\$(touch $marker).pcap"; do
  path="$tmp/$name"
  mkdir -p "$(dirname "$path")"
  cp "$tmp/good.pcap" "$path"
  label=$(show "$name")
  got=$(cd "$tmp" && "$PF" fields -r "$path" -e frame.number -E header=n 2>&1 | tr '\n' ' ')
  if [ "$got" = "1 2 3 4 " ]; then ok "fields -r reads '$label'"; else no "fields -r reads '$label'" "$got"; fi
  got=$(cd "$tmp" && "$PF" fields "$path" -e ip.src -E header=n 2>&1 | sort -u)
  if [ "$got" = "10.0.0.1" ]; then ok "fields reads '$label'"; else no "fields reads '$label'" "$got"; fi
  got=$(cd "$tmp" && "$PF" info "$path" 2>&1)
  if printf '%s\n' "$got" | grep -qx "Packets: *4"; then ok "info reads '$label'"; else no "info reads '$label'" "$got"; fi
  got=$(cd "$tmp" && "$PF" run "$tmp/read.lua" "$path" 2>&1)
  if [ "$got" = "4	4	10.0.0.1" ]; then ok "pf.read and to_csv take '$label'"; else no "pf.read and to_csv take '$label'" "$got"; fi
  rm -f "$path"
done
# a missing file is named as given, not interpreted
got=$(cd "$tmp" && "$PF" fields "$tmp/no\$(touch pwned7).pcap" -e frame.number 2>&1)
if [ "$got" = "pktframe: $tmp/no\$(touch pwned7).pcap: No such file or directory" ]; then
  ok "a missing file is named verbatim"
else
  no "a missing file is named verbatim" "$got"
fi
# a script whose own name has shell syntax in it
cp "$tmp/read.lua" "$tmp/s;touch pwned8;\$(touch pwned9).lua"
got=$(cd "$tmp" && "$PF" run "$tmp/s;touch pwned8;\$(touch pwned9).lua" "$tmp/good.pcap" 2>&1)
if [ "$got" = "4	4	10.0.0.1" ]; then ok "run takes a script named with shell syntax"; else no "run takes a script named with shell syntax" "$got"; fi
# field names and filters are parsed, never evaluated
got=$(cd "$tmp" && "$PF" fields "$tmp/good.pcap" -e '$(touch pwned10)' 2>&1)
case $got in *"unknown field '\$(touch pwned10)'"*) ok "a field name with shell syntax is an unknown field" ;;
  *) no "a field name with shell syntax is an unknown field" "$got" ;; esac
got=$(cd "$tmp" && "$PF" fields "$tmp/good.pcap" -e frame.number -Y 'ip.src == `touch pwned11`' 2>&1)
case $got in *"bad filter"*) ok "a display filter with backticks is a bad filter" ;;
  *) no "a display filter with backticks is a bad filter" "$got" ;; esac
got=$(cd "$tmp" && "$PF" fields "$tmp/good.pcap" -e frame.number -f 'udp; touch pwned12' 2>&1)
case $got in *"bad capture filter"*) ok "a BPF with a semicolon is a bad capture filter" ;;
  *) no "a BPF with a semicolon is a bad capture filter" "$got" ;; esac
cat >"$tmp/code.lua" <<'EOF'
local pf = require "pktframe"
-- Lua code as a filter, a field name and a CSV path: text, never compiled
local ok, err = pcall(pf.read, arg[1], {fields = {"frame.number"}, filter = "os.execute('touch pwned13')"})
print(ok, err ~= nil)
ok = pcall(pf.read, arg[1], {fields = {"load('os.execute(\"touch pwned14\")')()"}})
print(ok)
local t <close> = assert(pf.read(arg[1], {fields = {"frame.number"}}))
print(t:to_csv("pwned15`touch pwned16`.csv"), os.remove("pwned15`touch pwned16`.csv"))
EOF
got=$(cd "$tmp" && "$PF" run "$tmp/code.lua" "$tmp/good.pcap" 2>&1 | tr '\n' ' ')
if [ "$got" = "false	true false true	true " ]; then ok "Lua text in filters, fields and paths stays text"; else no "Lua text in filters, fields and paths stays text" "$got"; fi
# nothing ran
left=$(ls -a "$tmp" "$root" | grep -E '^pwned[0-9]+$'; ls "$marker" 2>/dev/null)
if [ -z "$left" ]; then ok "no name, field or filter ran a command"; else no "no name, field or filter ran a command" "$left"; fi

# ---- static check ----
# A shell (system, popen, exec*, posix_spawn; os.execute, io.popen) appears nowhere in the C or
# Lua sources; Lua code is compiled only where the user asked for it: the script of
# `pktframe run`, the code of `-e`, the REPL's input. Every other match fails.
allowed='src/cli/main.c:.*luaL_loadfile\(\*L, script\)
src/cli/main.c:.*is_code \? luaL_loadbuffer\(L, argv\[0\], strlen\(argv\[0\]\), "=\(command line\)"\) : luaL_loadfile\(L, argv\[0\]\)
src/cli/repl.c:.*luaL_loadbuffer\(L, (retline|ret|chunk), (strlen\((retline|ret)\)|len), "=stdin"\)
lua/pktframe/repl/help.lua:.*(local function load\(\)|= load\(\)|in pairs\(load\(\)\.byname\))
lua/pktframe/repl/init.lua:.*function M\.load\('
cd "$root"
hits=$(grep -nE '\b(system|popen|execl|execlp|execle|execv|execvp|execve|posix_spawnp?|dlopen)[[:space:]]*\(|luaL_(do|load)(string|buffer|bufferx|file|filex)\b|\blua_load\b' src/*/*.c src/*/*.h 2>/dev/null;
       grep -nE 'os\.execute|io\.popen|(^|[^.:_[:alnum:]])(load|loadstring|dofile|loadfile)[[:space:]]*\(' lua/pktframe/*.lua lua/pktframe/*/*.lua 2>/dev/null)
bad=$(printf '%s\n' "$hits" | grep -v '^$' | grep -vE "$(printf '%s' "$allowed" | tr '\n' '|')")
if [ -z "$bad" ]; then
  ok "no shell in the sources; code is loaded only from scripts, -e and the REPL ($(printf '%s\n' "$hits" | grep -c .) reviewed sites)"
else
  no "no shell in the sources; code is loaded only from scripts, -e and the REPL" "$bad"
fi
echo "injection: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
