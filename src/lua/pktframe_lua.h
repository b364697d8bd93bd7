/* pktframe_lua.h: what the Lua binding files share: metatable names, the table userdata, openers. */
#ifndef PKTFRAME_LUA_H
#define PKTFRAME_LUA_H

#include <signal.h>

#include "groupby.h"
#include "lua.h"
#include "scan.h"
#include "table.h"

#define PF_TABLE_MT "pktframe.Table"
#define PF_COLUMN_MT "pktframe.Column"

/* Registry key of a light userdata pf_lua_progress: the host (main.c) sets it
   when stderr is a terminal, and pf.read then draws its progress bar. */
#define PF_LUA_PROGRESS_KEY "pktframe.progress"
/* Registry key of the default of pf.read's threads option (an integer; `pktframe run --threads N`). */
#define PF_LUA_THREADS_KEY "pktframe.threads"
/* The threads option of the options table at index opts (absent or not a
   table: the PF_LUA_THREADS_KEY default, else 1), for pf_scan_opts.threads;
   raises "bad argument #opts to 'fn' (threads: integer from 1 to 64 expected, got 0)". */
int pf_lua_optthreads(lua_State *L, int opts);
typedef struct pf_lua_progress {
  pf_progress_fn fn;
  void *ud;
} pf_lua_progress;
#define PF_GROUPBY_MT "pktframe.GroupBy"

typedef struct LTable { pf_table *t; } LTable;      /* t == NULL: closed */

/* A column view: column col of the table pinned in user value 1 (rows off ..
   off + n - 1 of c); c stays valid while that table is open. */
typedef struct LColumn {
  const pf_column *c;
  size_t off, n;
  int col;
} LColumn;

/* What the verbs run with from Lua: the C allocator, pf_lua_interrupted. */
extern const pf_ctx pf_lua_ctx;

/* Set by a SIGINT handler (the REPL's); long loops in the bindings poll it,
   clear it and raise "interrupted". */
extern volatile sig_atomic_t pf_lua_interrupted;

/* The module pktframe.core: {read, fields, version}. */
int luaopen_pktframe_core(lua_State *L);

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

/* Pushes a new closed pktframe.Table; the caller stores the pf_table in ->t,
   so that an error raised in between leaks nothing. [-0, +1, m] */
LTable *pf_lua_newtable(lua_State *L);
/* Checks that arg is an open pktframe.Table and returns its pf_table. */
pf_table *pf_lua_checktable(lua_State *L, int arg);
/* Pushes a pktframe.Column viewing column col of the table at index tbl,
   pinning that table in its user value. [-0, +1, m] */
void pf_lua_pushcolumn(lua_State *L, int tbl, int col);
/* Checks that arg is a column whose table is open. */
LColumn *pf_lua_checkcolumn(lua_State *L, int arg);
pf_colref pf_lua_colref(const LColumn *lc);
/* The index of the column named name in t, or an argument error on arg:
   "no column named 'x'". */
int pf_lua_findcol(lua_State *L, pf_table *t, int arg, const char *name);
/* Pushes a view of c (one reference, handed over) as the only column of a
   new table of n rows, taking that table from the closed pktframe.Table at
   index holder, which the caller pushed before it made c so that a memory
   error leaks nothing. Leaves the view where holder was. [-0, +0, m] */
void pf_lua_pushresult(lua_State *L, int holder, pf_column *c, size_t n);
/* Raises for a failed kernel: "not enough memory", "interrupted" (clearing
   the flag). Returns for PF_TABLE_OK and the codes the caller explains. */
void pf_lua_checkrc(lua_State *L, int rc);
/* A column of the n values of the list at index list (nil: null): int when
   all are integers, double when all are numbers, string, or bool; NULL and
   a message in *why (a literal) when they mix kinds or out of memory
   ("not enough memory"). Reads with lua_rawgeti: never raises. */
pf_column *pf_lua_valuescolumn(lua_State *L, int list, size_t n, const char *name, const char **why);
/* Checks that the options table at arg (or nil) holds only the keys in the
   NULL-terminated known: "unknown option 'x'". */
void pf_lua_checkopts(lua_State *L, int arg, const char *const *known);
/* Boolean option key of the options at arg (or nil), def when absent. */
int pf_lua_optbool(lua_State *L, int arg, const char *key, int def);

/* Groups owned by a new userdata pushed on the stack, freed by the collector
   (with the bucket arrays of a resample, when set). [-0, +1, m] */
typedef struct LGroups {
  pf_groups g;
  size_t *outer_of;
  pf_time *bstart;
} LGroups;
LGroups *pf_lua_newgroups(lua_State *L);

/* ---- streaming and the memory budget (query_lua.c) ---- */
/* Registry key of the default budget: the text of pktframe --max-memory. */
#define PF_LUA_MAXMEM_KEY "pktframe.max_memory"
struct pf_budget;
/* Fills *b from the max_memory option of the options table at opts (nil:
   none), else from the registry default; raises "bad argument #opts to
   'fn' (max_memory: ...)" for a bad size. Returns 1 when there is a limit
   (its text in label), 0 when none (b->limit 0). */
int pf_lua_budget(lua_State *L, int opts, const char *fn, struct pf_budget *b, char *label, size_t n);
/* Pushes "FILE: packet N: memory budget LABEL reached (WHAT COUNT UNIT(s), BYTES bytes; ...)". */
void pf_lua_budget_error(lua_State *L, const char *file, uint64_t pktno, const char *label, const char *what,
                         size_t count, const char *unit, size_t bytes);
/* Sets scan and each in the module table at the top of the stack (upvalue:
   that table, for default_fields). */
void pf_lua_query_register(lua_State *L);

/* Pushes occurrence occ of row of c as Lua sees it (nil when absent):
   integers for uint/int/framenum and 0/1 for bool, seconds as a float for
   times, tshark text for addresses and bytes, true for none. [-0, +1, m] */
void pf_lua_pushcell(lua_State *L, const pf_column *c, size_t row, size_t occ);

#endif
