/* aux.h: the helpers every Lua binding file shares, as lauxlib is Lua's: the
   option readers (budget, threads, progress, booleans, unknown keys), the
   error helpers (fail, checkrc, the unknown-field message), the Table and
   Groups userdata basics and the one parser of aggregation specs.
   aux.c is the bottom of the binding files: it calls none of them, and they
   call each other without a cycle (aux, filter, column, table, ..., with
   luaopen_pktframe_core in pktframe_lua.c on top: see pktframe_lua.h). */
#ifndef PF_LUA_AUX_H
#define PF_LUA_AUX_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "groupby.h"
#include "lua.h"
#include "pf.h"
#include "scan.h"
#include "table.h"

#define PF_TABLE_MT "pktframe.Table"
#define PF_COLUMN_MT "pktframe.Column"
#define PF_GROUPBY_MT "pktframe.GroupBy"

/* ---- what the host sets in the registry (main.c) ---- */

/* Registry key of a light userdata pf_lua_progress: the host (main.c) sets it
   when stderr is a terminal, and pf.read then draws its progress bar. */
#define PF_LUA_PROGRESS_KEY "pktframe.progress"
typedef struct pf_lua_progress {
  pf_progress_fn fn;
  void *ud;
} pf_lua_progress;
/* Registry key of the default of pf.read's threads option (an integer; `pktframe run --threads N`). */
#define PF_LUA_THREADS_KEY "pktframe.threads"
/* Registry key of the default budget: the text of pktframe --max-memory. */
#define PF_LUA_MAXMEM_KEY "pktframe.max_memory"

/* Set by a SIGINT handler (the REPL's); long loops in the bindings poll it,
   clear it and raise "interrupted". */
extern volatile sig_atomic_t pf_lua_interrupted;

/* What the verbs run with from Lua: the C allocator, pf_lua_interrupted. */
extern const pf_ctx pf_lua_ctx;

/* ---- errors ---- */

/* Pushes fail (nil) and msg: the "nil, message" of a call that failed on its
   input (a file, the budget). Returns 2, for `return pf_lua_fail(L, msg)`. */
int pf_lua_fail(lua_State *L, const char *msg);
/* Raises for a failed kernel: "not enough memory", "interrupted" (clearing
   the flag). Returns for PF_TABLE_OK and the codes the caller explains. */
void pf_lua_checkrc(lua_State *L, int rc);
/* Pushes pf_field_unknown's message for name ("unknown field 'ip.scr'; did
   you mean 'ip.src'?") and returns it. [-0, +1, m] */
const char *pf_lua_pushunknownfield(lua_State *L, const char *name);

/* The field ids of the list of names at index idx (pf.read's and pf.scan's
   fields) in a new userdata pushed on the stack, *n of them; argument errors
   on arg: "no fields requested", "too many fields" (over 4096),
   "fields[2]: string expected, got number", pf_field_unknown's message,
   "field 'ip.src' requested twice". [-0, +1, e] */
int *pf_lua_checkfields(lua_State *L, int idx, int arg, int *n);

/* ---- options: the table at index arg (absent or nil: the defaults) ---- */

/* Checks that the options table at arg (or nil) holds only the keys in the
   NULL-terminated known: "unknown option 'x'". */
void pf_lua_checkopts(lua_State *L, int arg, const char *const *known);
/* Boolean option key of the options at arg (or nil), def when absent. */
int pf_lua_optbool(lua_State *L, int arg, const char *key, int def);
/* The threads option of the options table at index opts (absent or not a
   table: the PF_LUA_THREADS_KEY default, else 1), for pf_scan_opts.threads;
   raises "bad argument #opts to 'fn' (threads: integer from 1 to 64 expected, got 0)". */
int pf_lua_optthreads(lua_State *L, int opts);
/* The host's progress bar (PF_LUA_PROGRESS_KEY) into *fn and *ud, for
   pf_scan_opts.progress and progress_ud; 0 (both left alone) when none. */
int pf_lua_optprogress(lua_State *L, pf_progress_fn *fn, void **ud);
/* The options {on = "frame.time_epoch", origin = "start_day"} of t:resample
   and q:resample at opts (or nil): the time column's name into *on (anchored
   in the options; the default when absent) and PF_ORIGIN_* into *origin;
   raises "unknown option 'x'", "on: column name expected, got number",
   "origin: 'start_day', 'epoch' or 'start' expected, got 'x'". */
void pf_lua_optresample(lua_State *L, int opts, const char **on, int *origin);
struct pf_budget;
/* Fills *b from the max_memory option of the options table at opts (nil:
   none), else from the registry default; raises "bad argument #opts to
   'fn' (max_memory: ...)" for a bad size. Returns 1 when there is a limit
   (its text in label), 0 when none (b->limit 0). */
int pf_lua_budget(lua_State *L, int opts, const char *fn, struct pf_budget *b, char *label, size_t n);
/* Pushes "FILE: packet N: memory budget LABEL reached (WHAT COUNT UNIT(s), BYTES bytes; ...)". */
void pf_lua_budget_error(lua_State *L, const char *file, uint64_t pktno, const char *label, const char *what,
                         size_t count, const char *unit, size_t bytes);

/* ---- the Table and Groups userdata ---- */

typedef struct LTable { pf_table *t; } LTable;      /* t == NULL: closed */

/* Pushes a new closed pktframe.Table; the caller stores the pf_table in ->t,
   so that an error raised in between leaks nothing. [-0, +1, m] */
LTable *pf_lua_newtable(lua_State *L);
/* Checks that arg is an open pktframe.Table and returns its pf_table. */
pf_table *pf_lua_checktable(lua_State *L, int arg);
/* The index of the column named name in t, or an argument error on arg:
   "no column named 'ip.scr'; did you mean 'ip.src'? (columns: frame.number, ip.src, ...)",
   with how to read a field the table lacks. */
int pf_lua_findcol(lua_State *L, pf_table *t, int arg, const char *name);
/* Pushes and returns that message (without the "bad argument" part). [-0, +1, m] */
const char *pf_lua_pushnocolumn(lua_State *L, const pf_table *t, const char *name);

/* How tostring(t), t:print and a Column's text lay a table out: the defaults
   (width: the terminal's, from TIOCGWINSZ on stdout when it is one, else
   $COLUMNS, else PF_RENDER_WIDTH; max_rows 60, min_rows 10, max_colwidth 50,
   max_cols 0; dates on), then pf.options.display (package.loaded.pktframe),
   then the options table at arg (0 or nil: none), whose keys are those and
   all = true (no limit at all). A limit of 0 or false is none. Raises
   "bad argument #arg to 'fn' (max_rows: non-negative integer expected, got x)"
   and "pf.options.display.max_rows: ...". */
void pf_lua_renderopts(lua_State *L, int arg, pf_render_opts *o);
/* Pushes the aligned text of t laid out by o (pf_table_render); raises "interrupted" or
   "not enough memory". [-0, +1, e] */
void pf_lua_pushrender(lua_State *L, const pf_table *t, const pf_render_opts *o);

/* Output collected in C memory owned by a userdata, so that a Lua error
   (out of memory pushing the result) cannot leak it. pf_lua_newbuf pushes an
   empty one [-0, +1, m]; pf_lua_bufwrite is a pf_write_fn into it that calls
   no Lua function (never raises), noting an interrupt or a failed growth. */
typedef struct pf_lua_buf {
  char *p;
  size_t len, cap;
  int oom, interrupted;
} pf_lua_buf;
pf_lua_buf *pf_lua_newbuf(lua_State *L);
int pf_lua_bufwrite(void *ud, const char *s, size_t n);

/* Groups owned by a new userdata pushed on the stack, freed by the collector
   (with the bucket arrays of a resample, when set). [-0, +1, m] */
typedef struct LGroups {
  pf_groups g;
  size_t *outer_of;
  pf_time *bstart;
} LGroups;
LGroups *pf_lua_newgroups(lua_State *L);

/* ---- aggregation specs: t:groupby():agg, q:groupby():agg, resample ---- */

typedef struct pf_lua_aggspec {
  const char *name;   /* output column (anchored in the spec table) */
  const char *col;    /* input column as named (anchored too) */
  int id;             /* the input column: a table's column index, or a scan's field id */
  int fn;             /* PF_AGG_*, or -1: the Lua function under name in the fns table */
} pf_lua_aggspec;

/* How a parser finds an input column: its id (and type in *type), or -1
   ("no column named 'x' for 'name'"). ud is the caller's. */
typedef int (*pf_lua_aggcol_fn)(lua_State *L, void *ud, const char *name, pf_ftype *type);

/* The aggregations of the spec table at arg, in output order: the listed
   {name, col, fn} first, in order, then the named name = {col, fn} sorted
   by name, in a new userdata pushed on the stack (*nspec of them). With fns
   not NULL, a Lua function is allowed: a new table is pushed first (its
   index in *fns) that holds them under their output names; with fns NULL
   (a scan), a function is refused. Output names must not repeat or be one
   of taken[0 .. ntaken). Raises argument errors on arg. */
pf_lua_aggspec *pf_lua_checkaggs(lua_State *L, int arg, pf_lua_aggcol_fn find, void *ud, int *fns,
                                 const char **taken, int ntaken, int *nspec);

#endif
