#!/bin/sh
# layers_test.sh: the source tree keeps its layers (Makefile LAYERS: core < dissect <
# read < frame < net < lua < cli). Three checks, one test each:
#   lua-includes  no file outside src/lua and src/cli includes lua.h, lauxlib.h or lualib.h
#   cycles        the link graph between source files has no cycle: an edge A -> B when
#                 A's object leaves a symbol undefined that B's object defines (nm); each
#                 strongly connected component of more than one file is printed with the
#                 symbols on its edges
#   layering      no file uses a symbol defined in a file of a later layer
# usage: tests/layers_test.sh BUILD_DIR   (after make: reads BUILD_DIR/obj/*/*.o)
# The check is strict. LAYERS_KNOWN_CYCLES="lua ..." names folders whose cycles (all
# files of the cycle in those folders) are printed as known and not counted.
BUILD=${1:-build}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
LAYERS="core dissect read frame net lua cli"
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ok() { pass=$((pass + 1)); echo "ok   $1"; }
no() { fail=$((fail + 1)); echo "FAIL $1"; [ -n "$2" ] && printf '%s\n' "$2" | sed 's/^/     /'; }

# ---- (a) only the bindings and the command see Lua ----
grep -lE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"](lua|lauxlib|lualib)\.h[>"]' \
  "$ROOT"/src/*/*.c "$ROOT"/src/*/*.h 2>/dev/null |
  sed "s|^$ROOT/||" | grep -vE '^src/(lua|cli)/' >"$tmp/luainc"
if [ -s "$tmp/luainc" ]; then
  no "lua-includes: only src/lua and src/cli include lua.h, lauxlib.h, lualib.h" "$(cat "$tmp/luainc")"
else
  ok "lua-includes: only src/lua and src/cli include lua.h, lauxlib.h, lualib.h"
fi

# ---- the symbol table: "D file sym" (defined, global) and "U file sym" (undefined) ----
# file is the source's path under src/ ("dissect/decode.c"); objects whose source is
# gone (a stale build after a rename) are left out
nobj=0
for o in "$BUILD"/obj/*/*.o; do
  [ -f "$o" ] || continue
  rel=${o#"$BUILD"/obj/}
  rel=${rel%.o}.c
  [ -f "$ROOT/src/$rel" ] || continue
  nobj=$((nobj + 1))
  nm --defined-only -g "$o" | awk -v f="$rel" 'NF >= 3 { print "D", f, $3 }'
  nm -u "$o" | awk -v f="$rel" '{ print "U", f, $NF }'
done >"$tmp/syms"
if [ "$nobj" -eq 0 ]; then
  no "cycles: no object files under $BUILD/obj (build first)"
  no "layering: no object files under $BUILD/obj (build first)"
  echo "layers: $pass passed, $fail failed"
  exit 1
fi

# the edges "A B sym sym ...", A using what B defines (a file's own symbols are no edge)
awk '
  $1 == "D" { if (!($3 in def)) def[$3] = $2; next }
  $1 == "U" { use[++n] = $2 SUBSEP $3 }
  END {
    for (i = 1; i <= n; i++) {
      split(use[i], u, SUBSEP)
      if (!(u[2] in def) || def[u[2]] == u[1]) continue
      e = u[1] " " def[u[2]]
      syms[e] = syms[e] " " u[2]
    }
    for (e in syms) print e syms[e]
  }' "$tmp/syms" | sort >"$tmp/edges"

# ---- (b) no cycle: strongly connected components by transitive closure ----
awk -v known="${LAYERS_KNOWN_CYCLES:-}" '
  BEGIN { nk = split(known, kl, " "); for (i = 1; i <= nk; i++) isknown[kl[i]] = 1 }
  { a = $1; b = $2
    if (!(a in id)) { id[a] = ++n; name[n] = a }
    if (!(b in id)) { id[b] = ++n; name[n] = b }
    r[id[a], id[b]] = 1
    s = ""; for (i = 3; i <= NF; i++) s = s " " $i
    syms[id[a], id[b]] = s }
  END {
    for (k = 1; k <= n; k++)
      for (i = 1; i <= n; i++)
        if ((i, k) in r)
          for (j = 1; j <= n; j++)
            if ((k, j) in r) r[i, j] = 1
    for (i = 1; i <= n; i++) {
      if (i in done || !((i, i) in r)) continue
      m = 0
      for (j = 1; j <= n; j++)
        if (j == i || ((i, j) in r && (j, i) in r)) { mem[++m] = j; done[j] = 1 }
      allknown = 1
      for (x = 1; x <= m; x++) { split(name[mem[x]], f, "/"); if (!(f[1] in isknown)) allknown = 0 }
      line = allknown ? "known cycle among" : "cycle among"
      for (x = 1; x <= m; x++) line = line " " name[mem[x]]
      print line
      for (x = 1; x <= m; x++)
        for (y = 1; y <= m; y++)
          if ((mem[x], mem[y]) in syms)
            print "  " name[mem[x]] " -> " name[mem[y]] ":" syms[mem[x], mem[y]]
    }
  }' "$tmp/edges" >"$tmp/cycles"
if grep -q '^cycle' "$tmp/cycles"; then
  no "cycles: the link graph between source files has $(grep -c '^cycle' "$tmp/cycles") cycle(s)" "$(cat "$tmp/cycles")"
elif [ -s "$tmp/cycles" ]; then
  ok "cycles: the link graph between $nobj source files has no cycle but known ones (LAYERS_KNOWN_CYCLES=$LAYERS_KNOWN_CYCLES)"
  sed 's/^/     /' "$tmp/cycles"
else
  ok "cycles: the link graph between $nobj source files has no cycle"
fi

# ---- (c) layering: an earlier layer never uses a later one ----
awk -v layers="$LAYERS" '
  BEGIN { nl = split(layers, l, " "); for (i = 1; i <= nl; i++) rank[l[i]] = i }
  { split($1, a, "/"); split($2, b, "/")
    if (!(a[1] in rank) || !(b[1] in rank)) { print "  " $1 " -> " $2 ": a folder not in LAYERS"; next }
    if (rank[a[1]] < rank[b[1]]) {
      s = ""; for (i = 3; i <= NF; i++) s = s " " $i
      print "  " $1 " (" a[1] ") -> " $2 " (" b[1] "):" s } }' "$tmp/edges" >"$tmp/up"
if [ -s "$tmp/up" ]; then
  no "layering: $(wc -l <"$tmp/up" | tr -d ' ') use(s) of a later layer ($LAYERS)" "$(cat "$tmp/up")"
else
  ok "layering: no file uses a later layer ($LAYERS)"
fi

echo "layers: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
