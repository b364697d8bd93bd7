/* pktframe_lua.h: what the Lua binding files share: metatable names, the table userdata, openers. */
#ifndef PKTFRAME_LUA_H
#define PKTFRAME_LUA_H

#include <signal.h>

#include "lua.h"
#include "table.h"

#define PF_TABLE_MT "pktframe.Table"
#define PF_COLUMN_MT "pktframe.Column"

typedef struct LTable { pf_table *t; } LTable;      /* t == NULL: closed */

/* Set by a SIGINT handler (the REPL's); long loops in the bindings poll it,
   clear it and raise "interrupted". */
extern volatile sig_atomic_t pf_lua_interrupted;

/* The module pktframe.core: {read, fields, version}. */
int luaopen_pktframe_core(lua_State *L);

/* Each registers its metatable (and methods) in the registry. Stack unchanged. */
void pf_lua_open_table(lua_State *L);
void pf_lua_open_column(lua_State *L);

/* Pushes a new closed pktframe.Table; the caller stores the pf_table in ->t,
   so that an error raised in between leaks nothing. [-0, +1, m] */
LTable *pf_lua_newtable(lua_State *L);
/* Checks that arg is an open pktframe.Table and returns its pf_table. */
pf_table *pf_lua_checktable(lua_State *L, int arg);
/* Pushes a pktframe.Column viewing column col of the table at index tbl,
   pinning that table in its user value. [-0, +1, m] */
void pf_lua_pushcolumn(lua_State *L, int tbl, int col);
/* Pushes occurrence occ of row of c as Lua sees it (nil when absent):
   integers for uint/int/framenum and 0/1 for bool, seconds as a float for
   times, tshark text for addresses and bytes, true for none. [-0, +1, m] */
void pf_lua_pushcell(lua_State *L, const pf_column *c, size_t row, size_t occ);

#endif
