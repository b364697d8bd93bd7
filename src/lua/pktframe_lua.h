/* pktframe_lua.h: what the Lua binding files offer each other beyond aux.h: the Column views
   (column_lua.c) and each file's opener or register function, which luaopen_pktframe_core calls.
   The binding files call each other without a cycle, each only the ones before it:
     aux.c                     (aux.h: options, errors, Table and Groups basics, agg specs)
     filter_lua.c              (filter_lua.h)
     column_lua.c              the Column views below
     table_lua.c, frame_lua.c, groupby_lua.c, verbs_lua.c, info_lua.c, live_lua.c, bytes_lua.c,
     resolve_lua.c, userfield_lua.c (userfield_lua.h: uses filter_lua.c)
     query_lua.c               (uses userfield_lua.c, filter_lua.c, column_lua.c)
     pktframe_lua.c            luaopen_pktframe_core and pf.read, on top: calls them all
   A helper more than one file needs goes into aux.c (which calls none of them), not into
   the file that needed it first. tests/binding_deps.sh checks the order from the objects. */
#ifndef PKTFRAME_LUA_H
#define PKTFRAME_LUA_H

#include "aux.h"
#include "groupby.h"
#include "lua.h"
#include "scan.h"
#include "table.h"

/* A column view: column col of the table pinned in user value 1 (rows off ..
   off + n - 1 of c); c stays valid while that table is open. */
typedef struct LColumn {
  const pf_column *c;
  size_t off, n;
  int col;
} LColumn;

/* The module pktframe.core: {read, fields, version}. */
int luaopen_pktframe_core(lua_State *L);

/* ---- the openers: only luaopen_pktframe_core (pktframe_lua.c) calls them ---- */

/* Each registers its metatable (and methods) in the registry. Stack unchanged.
   open_verbs and open_groupby add methods to the Table's, so come after open_table. */
void pf_lua_open_table(lua_State *L);
void pf_lua_open_column(lua_State *L);
void pf_lua_open_verbs(lua_State *L);
void pf_lua_open_groupby(lua_State *L);
/* Sets concat and read_csv in the module table at the top of the stack. */
void pf_lua_verbs_register(lua_State *L);
/* Sets capture (live_lua.c) in the module table at the top of the stack. */
void pf_lua_live_register(lua_State *L);
/* Sets hex, unhex, printable, printable_ratio (bytes_lua.c) in the module table at the top. */
void pf_lua_bytes_register(lua_State *L);
/* Sets resolve (resolve_lua.c) in the module table at the top of the stack. */
void pf_lua_resolve_register(lua_State *L);

/* Sets info (info_lua.c: pf.info, capinfos' numbers) in the module table at the top of the stack. */
void pf_lua_info_register(lua_State *L);
/* Sets table (frame_lua.c: pf.table, a Table from Lua lists) in the module table at the top of the stack. */
void pf_lua_frame_register(lua_State *L);
/* Sets scan and each (query_lua.c) in the module table at the top of the stack (upvalue:
   that table, for default_fields). */
void pf_lua_query_register(lua_State *L);

/* ---- column_lua.c ---- */

/* Pushes a pktframe.Column viewing column col of the table at index tbl,
   pinning that table in its user value. [-0, +1, m] */
void pf_lua_pushcolumn(lua_State *L, int tbl, int col);
/* Checks that arg is a column whose table is open. */
LColumn *pf_lua_checkcolumn(lua_State *L, int arg);
pf_colref pf_lua_colref(const LColumn *lc);
/* Pushes a view of c (one reference, handed over) as the only column of a
   new table of n rows, taking that table from the closed pktframe.Table at
   index holder, which the caller pushed before it made c so that a memory
   error leaks nothing. Leaves the view where holder was. [-0, +0, m] */
void pf_lua_pushresult(lua_State *L, int holder, pf_column *c, size_t n);
/* A column of the n values of the list at index list (nil: null): int when
   all are integers, double when all are numbers, string, or bool; NULL and
   a message in *why (a literal) when they mix kinds or out of memory
   ("not enough memory"). Reads with lua_rawgeti: never raises. */
pf_column *pf_lua_valuescolumn(lua_State *L, int list, size_t n, const char *name, const char **why);
/* Pushes occurrence occ of row of c as Lua sees it (nil when absent):
   integers for uint/int/framenum and 0/1 for bool, seconds as a float for
   times, tshark text for addresses and bytes, true for none. [-0, +1, m] */
void pf_lua_pushcell(lua_State *L, const pf_column *c, size_t row, size_t occ);

#endif
