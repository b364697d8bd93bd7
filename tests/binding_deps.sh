#!/bin/sh
# binding_deps.sh OBJDIR: checks that the Lua binding files (src/lua/*.c, compiled in OBJDIR,
# default build/obj/lua) call each other without a cycle, from their objects' defined and
# undefined symbols (nm), and prints them in an order where each uses only those before it.
# Exit 1 and the files left over when there is a cycle.
d=${1:-build/obj/lua}
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
for o in "$d"/*.o; do
  nm --defined-only -g "$o" | awk -v f="$(basename "$o" .o)" 'NF >= 3 {print $3, f}'
done | sort > "$tmp/defs"
for o in "$d"/*.o; do
  f=$(basename "$o" .o)
  echo "$f $f" >> "$tmp/edges"
  nm -u "$o" | awk '{print $NF}' | sort | join - "$tmp/defs" | awk -v f="$f" '$2 != f {print $2, f}' >> "$tmp/edges"
done
# tsort: "a b" means a comes before b (b uses a); it reports a cycle on stderr
sort -u "$tmp/edges" | tsort > "$tmp/order" 2> "$tmp/cycle"
if [ -s "$tmp/cycle" ]; then
  echo "binding_deps: a cycle among the binding files:" >&2
  cat "$tmp/cycle" >&2
  exit 1
fi
cat "$tmp/order"
