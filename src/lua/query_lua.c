/* query_lua.c: pf.scan (lazy queries run in one bounded pass), pf.each (a function per packet) and the
   max_memory budget's option and message. The aggregation kernel is query.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "budget.h"
#include "filter_lua.h"
#include "groupby.h"
#include "lauxlib.h"
#include "lua.h"
#include "pktframe_lua.h"
#include "query.h"
#include "scan.h"
#include "table.h"
#include "verbs.h"
#include "exec_lua.h"

#ifndef PF_MAXFIELDS   /* fields defined at run time take ids up to it */
#define PF_MAXFIELDS PF_NFIELDS
#endif

#define PF_QUERY_MT "pktframe.Query"
#define PF_QGROUPBY_MT "pktframe.QueryGroupBy"
#define MAX_KEYS 64
#define MAX_BUCKETS 100000000   /* as t:resample */
#define MAX_RUN 32              /* verbs of one q:run */
#define PF_PENDING_MT "pktframe.Pending"

/* Pushes a shallow copy of the query description at S; returns its index. */
static int pushcopy(lua_State *L, int S) {
  lua_newtable(L);
  int N = lua_gettop(L);
  lua_pushnil(L);
  while (lua_next(L, S) != 0) {
    lua_pushvalue(L, -2);
    lua_insert(L, -2);
    lua_rawset(L, N);
  }
  return N;
}

/* ---- options and the query's description ---- */

/* Checks the field list at idx as pf.read does (messages naming arg). */
static void checkfields(lua_State *L, int idx, int arg) {
  int n;
  pf_lua_checkfields(L, idx, arg, &n);
  lua_pop(L, 1);
}

/* Reads pf.scan's or pf.each's arguments (paths at 1, options at opts) into
   a new description table pushed on the stack: {paths, fields, bpf, strict,
   filters = {...}, max_memory}. Raises as pf.read does for a bad argument. */
static void pushspec(lua_State *L, int opts) {
  static const char *const known[] = { "fields", "filter", "bpf", "strict", "max_memory", "threads", NULL };
  if (lua_type(L, 1) != LUA_TSTRING && lua_type(L, 1) != LUA_TTABLE) luaL_typeerror(L, 1, "string or table");
  lua_newtable(L);
  int S = lua_gettop(L);
  lua_newtable(L);
  if (lua_type(L, 1) == LUA_TSTRING) {
    lua_pushvalue(L, 1);
    lua_rawseti(L, -2, 1);
  } else {
    lua_Integer n = luaL_len(L, 1);
    luaL_argcheck(L, n >= 1, 1, "empty list of paths");
    luaL_argcheck(L, n <= 0xffffff, 1, "too many paths");
    for (lua_Integer i = 1; i <= n; i++) {
      if (lua_geti(L, 1, i) != LUA_TSTRING)
        luaL_argerror(L, 1, lua_pushfstring(L, "paths[%I]: string expected, got %s", i, luaL_typename(L, -1)));
      lua_rawseti(L, -2, i);
    }
  }
  lua_setfield(L, S, "paths");
  lua_newtable(L);
  lua_setfield(L, S, "filters");
  if (lua_isnoneornil(L, opts)) return;
  luaL_checktype(L, opts, LUA_TTABLE);
  lua_pushnil(L);
  while (lua_next(L, opts) != 0) {
    lua_pop(L, 1);
    if (lua_isinteger(L, -1)) luaL_argerror(L, opts, "fields go in {fields = {...}}");
  }
  pf_lua_checkopts(L, opts, known);
  if (lua_getfield(L, opts, "strict") != LUA_TNIL && !lua_isboolean(L, -1))
    luaL_argerror(L, opts, lua_pushfstring(L, "strict: boolean expected, got %s", luaL_typename(L, -1)));
  lua_setfield(L, S, "strict");
  if (lua_getfield(L, opts, "bpf") != LUA_TNIL) {
    if (lua_type(L, -1) != LUA_TSTRING)
      luaL_argerror(L, opts, lua_pushfstring(L, "bpf: string expected, got %s", luaL_typename(L, -1)));
    char err[512];
    if (pf_exec_check_bpf(lua_tostring(L, -1), err, sizeof err) < 0) luaL_argerror(L, opts, lua_pushstring(L, err));
  }
  lua_setfield(L, S, "bpf");
  if (lua_getfield(L, opts, "filter") != LUA_TNIL) {
    if (lua_type(L, -1) != LUA_TSTRING)
      luaL_argerror(L, opts, lua_pushfstring(L, "filter: string expected, got %s", luaL_typename(L, -1)));
    char err[512];
    const char *text = lua_tostring(L, -1);
    if (pf_lua_pushfilter(L, text, err, sizeof err) == NULL)
      luaL_argerror(L, opts, lua_pushfstring(L, "bad filter '%s': %s", text, err));
    lua_pop(L, 1);
    lua_getfield(L, S, "filters");
    lua_pushvalue(L, -2);
    lua_rawseti(L, -2, 1);
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  int ft = lua_getfield(L, opts, "fields");
  if (ft != LUA_TNIL) {
    if (ft != LUA_TTABLE)
      luaL_argerror(L, opts, lua_pushfstring(L, "fields: table expected, got %s", luaL_typename(L, -1)));
    checkfields(L, -1, opts);
    /* a copy: later changes to the caller's list do not change the query */
    lua_Integer n = luaL_len(L, -1);
    lua_createtable(L, (int)n, 0);
    for (lua_Integer i = 1; i <= n; i++) {
      lua_geti(L, -2, i);
      lua_rawseti(L, -2, i);
    }
    lua_setfield(L, S, "fields");
  }
  lua_pop(L, 1);
  pf_budget b;
  char label[64];
  pf_lua_budget(L, opts, "scan", &b, label, sizeof label);   /* checks the size now */
  lua_getfield(L, opts, "max_memory");
  lua_setfield(L, S, "max_memory");
  pf_lua_optthreads(L, opts);   /* checks it now */
  lua_getfield(L, opts, "threads");
  lua_setfield(L, S, "threads");
}

/* The Query at arg and its description pushed. */
static int checkquery(lua_State *L, int arg) {
  luaL_checkudata(L, arg, PF_QUERY_MT);
  lua_getiuservalue(L, arg, 1);
  return lua_gettop(L);
}

static void pushquery(lua_State *L, int spec) {
  lua_newuserdatauv(L, 1, 1);
  luaL_setmetatable(L, PF_QUERY_MT);
  lua_pushvalue(L, spec);
  lua_setiuservalue(L, -2, 1);
}

/* The fields list of the description at S (or default_fields) pushed. */
static void pushfieldlist(lua_State *L, int S) {
  if (lua_getfield(L, S, "fields") == LUA_TTABLE) return;
  lua_pop(L, 1);
  if (lua_getfield(L, lua_upvalueindex(1), "default_fields") != LUA_TTABLE)
    luaL_error(L, "no fields given and no default_fields (require \"pktframe\")");
  checkfields(L, -1, 2);
}

/* The field id of column name for a verb of the query at S, or -1: with a
   fields list, one of those; without, any field pktframe knows. */
static int qcol(lua_State *L, int S, const char *name) {
  int fid = pf_field_lookup(name);
  if (fid < 0) return -1;
  if (lua_getfield(L, S, "fields") != LUA_TTABLE) {
    lua_pop(L, 1);
    return fid;
  }
  lua_Integer n = luaL_len(L, -1);
  int found = 0;
  for (lua_Integer i = 1; i <= n && !found; i++) {
    lua_geti(L, -1, i);
    found = strcmp(lua_tostring(L, -1), name) == 0;
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  return found ? fid : -1;
}

/* ---- the scan ---- */

enum { M_AGG, M_COLLECT, M_COUNT, M_EACH };

/* Called under lua_pcall by each_row: fn(row) for the one row of the table. [fn, table] */
static int each_call(lua_State *L) {
  const pf_table *t = (const pf_table *)lua_touserdata(L, 2);
  int n = pf_table_ncols(t);
  lua_pushvalue(L, 1);
  lua_createtable(L, 0, n);
  for (int j = 0; j < n; j++) {
    pf_colref c = pf_table_colref(t, j);
    pf_lua_pushcell(L, c.c, c.off, 0);
    lua_setfield(L, -2, pf_table_colname(t, j));
  }
  lua_call(L, 1, 1);
  return 1;
}

typedef struct eachctx {
  lua_State *L;
  int fn;   /* stack index of the function */
} eachctx;

/* pf_exec_each_fn: runs inside the pass, so it never raises (the call goes
   through lua_pcall, whose error it leaves on the stack). */
static int each_row(void *ud, const pf_table *row, const pf_pkt *p) {
  eachctx *e = (eachctx *)ud;
  lua_State *L = e->L;
  (void)p;
  lua_pushcfunction(L, each_call);
  lua_pushvalue(L, e->fn);
  lua_pushlightuserdata(L, (void *)row);
  if (lua_pcall(L, 2, 1, 0) != LUA_OK) return -1;
  int stop = lua_isboolean(L, -1) && !lua_toboolean(L, -1);
  lua_pop(L, 1);
  return stop;
}

/* What a terminal verb asks of the scan. */
typedef struct runspec {
  int mode;
  int fids[PF_MAXFIELDS];  /* the chunk's columns (agg, collect, each) */
  int nfids;
  int keys[MAX_KEYS];      /* agg: chunk columns */
  int nkeys, dropna, sort;
  int bucket_col;          /* resample: chunk column of the times, else -1 */
  int64_t interval;
  int origin;
  const char *time_name;
  const char *iv;          /* resample: the interval as given */
  pf_qspec *specs;
  int nspecs;
  int fn;                  /* each: stack index of the function */
  int post;                /* value_counts: 1 counts, 2 proportions (sorted after the scan) */
} runspec;

static void initspec(runspec *r, int mode);

/* The chunk column of field fid, added when new. */
static int chunkcol(runspec *r, int fid) {
  for (int i = 0; i < r->nfids; i++)
    if (r->fids[i] == fid) return i;
  r->fids[r->nfids] = fid;
  return r->nfids++;
}

/* runscan_n's name for pf_lua_fail (aux.h): a shim until runscan_n's rewrite lands. */

/* Replaces the value_counts table at the top (key, count in order of first
   appearance) by the sorted one: most frequent first, ties in order of first
   appearance, counts or (normalize) proportions, as t:value_counts. */
static void vc_finish(lua_State *L, int normalize) {
  int T = lua_gettop(L);
  pf_table *t = pf_lua_checktable(L, T);
  size_t ng = pf_table_nrows(t);
  LTable *out = pf_lua_newtable(L);
  pf_column *cols[2];
  pf_lua_checkrc(L, pf_value_counts_finish(&pf_lua_ctx, pf_table_colref(t, 0), NULL, pf_table_colref(t, 1), normalize,
                                           NULL, cols));
  out->t = pf_table_build(&pf_lua_ctx, 2, cols, NULL, NULL, ng);
  pf_column_release(cols[0]);
  pf_column_release(cols[1]);
  if (out->t == NULL) luaL_error(L, "not enough memory");
  for (int i = 0; i < pf_table_diag(t)->n; i++) pf_diag_add(pf_table_diag(out->t), "%s", pf_table_diag(t)->msgs[i]);
  lua_replace(L, T);
  lua_settop(L, T);
}

/* Pushes the Table of verb i's query for r (its result). */
static void pushtable(lua_State *L, pf_exec *x, int i, const runspec *r) {
  LTable *out = pf_lua_newtable(L);
  int ncols = (r->bucket_col >= 0 ? 1 : r->nkeys) + r->nspecs;
  pf_column **cols = (pf_column **)lua_newuserdatauv(L, sizeof(pf_column *) * (size_t)ncols, 0);
  size_t nrows;
  const char *why;
  int qrc = pf_query_result(x->query[i], &pf_lua_ctx, r->sort, r->time_name, MAX_BUCKETS, cols, &nrows, &why);
  if (qrc == PF_TABLE_ERANGE) {
    if (strcmp(why, "too many buckets") == 0 || strcmp(why, "the times are too far apart") == 0)
      luaL_argerror(L, 2, lua_pushfstring(L, "interval '%s' over these times makes more than %d buckets, or "
                                             "the times are too far apart", r->iv, MAX_BUCKETS));
    luaL_error(L, "resample: %s", why);
  }
  pf_lua_checkrc(L, qrc);
  out->t = pf_table_build(&pf_lua_ctx, ncols, cols, NULL, NULL, nrows);
  for (int j = 0; j < ncols; j++) pf_column_release(cols[j]);
  if (out->t == NULL) luaL_error(L, "not enough memory");
  lua_pop(L, 1);   /* cols */
  for (int j = 0; j < x->diag.n; j++) pf_diag_add(pf_table_diag(out->t), "%s", x->diag.msgs[j]);
  if (r->post) vc_finish(L, r->post == 2);
}

/* Verb r as the executor's (columns as field ids, in userdata pushed on the stack). */
static void execverb(lua_State *L, const runspec *r, pf_exec_verb *v, eachctx *each) {
  memset(v, 0, sizeof *v);
  v->kind = r->mode == M_AGG ? PF_EXEC_AGG : r->mode == M_COLLECT ? PF_EXEC_COLLECT
          : r->mode == M_EACH ? PF_EXEC_EACH : PF_EXEC_COUNT;
  v->fids = r->fids;
  v->nfids = r->nfids;
  v->bucket = r->bucket_col >= 0 ? r->fids[r->bucket_col] : -1;
  v->dropna = r->dropna;
  v->interval = r->interval;
  v->origin = r->origin;
  if (r->mode == M_EACH) {
    v->each = each_row;
    v->ud = each;
  }
  if (r->mode != M_AGG) return;
  int *keys = (int *)lua_newuserdatauv(L, sizeof(int) * (size_t)(r->nkeys ? r->nkeys : 1), 0);
  for (int k = 0; k < r->nkeys; k++) keys[k] = r->fids[r->keys[k]];
  v->keys = keys;
  v->nkeys = r->nkeys;
  pf_qspec *specs = (pf_qspec *)lua_newuserdatauv(L, sizeof(pf_qspec) * (size_t)(r->nspecs ? r->nspecs : 1), 0);
  for (int k = 0; k < r->nspecs; k++) {
    specs[k] = r->specs[k];
    specs[k].col = r->fids[r->specs[k].col];
  }
  v->specs = specs;
  v->nspecs = r->nspecs;
}

/* Runs the verbs rs[0 .. nr) of the query described at S in one pass over
   its files (exec.h). With names NULL (one verb) pushes its result (a Table,
   or a count) and returns 1; with names, a table {[names[i]] = result}.
   Returns nil and a message (2) for a file that cannot be read or the
   budget; raises for interrupts and callback errors. */
static int runscan_n(lua_State *L, int S, runspec *rs, int nr, const char *const *names, const char *verb) {
  int top = lua_gettop(L);
  pf_exec *x = pf_lua_exec_push(L);
  pf_exec_opts o;
  memset(&o, 0, sizeof o);
  pf_budget b;
  char label[64];
  o.budget = pf_lua_budget(L, S, verb, &b, label, sizeof label);
  o.max_memory = b.limit;
  /* paths */
  lua_getfield(L, S, "paths");
  int np = (int)luaL_len(L, -1);
  const char **paths = (const char **)lua_newuserdatauv(L, sizeof(char *) * (size_t)np, 0);
  for (int i = 0; i < np; i++) {
    lua_geti(L, -2, i + 1);
    paths[i] = lua_tostring(L, -1);   /* anchored in the description */
    lua_pop(L, 1);
  }
  o.paths = paths;
  o.npaths = np;
  /* strict: the packets that have every field of the list */
  int *strict = (int *)lua_newuserdatauv(L, sizeof(int) * PF_MAXFIELDS, 0);
  int nstrict = 0;
  if (lua_getfield(L, S, "strict") == LUA_TBOOLEAN && lua_toboolean(L, -1)) {
    pushfieldlist(L, S);
    lua_Integer n = luaL_len(L, -1);
    for (lua_Integer i = 1; i <= n; i++) {
      lua_geti(L, -1, i);
      strict[nstrict++] = pf_field_lookup(lua_tostring(L, -1));
      lua_pop(L, 1);
    }
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  o.strict = strict;
  o.nstrict = nstrict;
  /* filters, compiled again (each owned by the stack) */
  lua_getfield(L, S, "filters");
  int FL = lua_gettop(L);
  int nf = (int)luaL_len(L, FL);
  pf_filter **flt = (pf_filter **)lua_newuserdatauv(L, sizeof(pf_filter *) * (size_t)(nf ? nf : 1), 0);
  char err[512];
  for (int i = 0; i < nf; i++) {
    lua_geti(L, FL, i + 1);
    const char *text = lua_tostring(L, -1);
    flt[i] = pf_lua_pushfilter(L, text, err, sizeof err);
    if (flt[i] == NULL) return luaL_error(L, "bad filter '%s': %s", text, err);
  }
  o.filters = (const pf_filter *const *)flt;
  o.nfilters = nf;
  if (lua_getfield(L, S, "bpf") == LUA_TSTRING) o.bpf = lua_tostring(L, -1);
  lua_pop(L, 1);
  o.interrupted = &pf_lua_interrupted;
  o.threads = pf_lua_optthreads(L, S);
  if (rs[0].mode != M_EACH) pf_lua_exec_progress(L, &o);
  pf_lua_execuser eu;   /* user fields (userfield_lua.h) */
  pf_lua_execuser_init(&eu, L);
  o.user = &eu.hook;
  /* the verbs */
  eachctx each = { L, rs[0].fn };
  pf_exec_verb *v = (pf_exec_verb *)lua_newuserdatauv(L, sizeof(pf_exec_verb) * (size_t)nr, 0);
  for (int i = 0; i < nr; i++) execverb(L, &rs[i], &v[i], &each);
  luaL_checkstack(L, 16, "scan");
  int rc = pf_exec_plan(x, &o, v, nr);
  if (rc == PF_EXEC_USER) return lua_error(L);   /* the user fields' error, on the stack */
  if (rc == PF_EXEC_OK) rc = pf_exec_run(x);
  if (rc == PF_EXEC_INTERRUPTED) {
    pf_lua_interrupted = 0;
    return luaL_error(L, "interrupted");
  }
  if (rc == PF_EXEC_FAIL) return pf_lua_fail(L, x->err);
  if (rc == PF_EXEC_CALLBACK) {
    const char *msg = lua_tostring(L, -1);   /* the callback's error */
    return luaL_error(L, "%s: packet %I: %s", paths[x->err_file], (lua_Integer)x->err_num,
                      msg ? msg : lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, -1)));
  }
  if (rc == PF_EXEC_BUDGET || rc == PF_EXEC_NOMEM) {
    int agg = x->err_groups;
    if (rc == PF_EXEC_BUDGET)
      pf_lua_budget_error(L, paths[x->err_file], x->err_num, label, agg ? "the scan holds" : "the table holds",
                          x->err_held, agg ? "group" : "row", x->err_bytes);
    else
      lua_pushfstring(L, "%s: packet %I: out of memory", paths[x->err_file], (lua_Integer)x->err_num);
    return pf_lua_fail(L, lua_tostring(L, -1));
  }
  if (rc == PF_EXEC_RANGE)
    return luaL_argerror(L, 2, lua_pushfstring(L, "interval '%s' over these times makes more than %d buckets, or "
                                                  "the times are too far apart", rs[0].iv, MAX_BUCKETS));
  /* results */
  if (names) lua_createtable(L, 0, nr);
  for (int i = 0; i < nr; i++) {
    runspec *r = &rs[i];
    if (r->mode == M_COUNT || r->mode == M_EACH) {
      lua_pushinteger(L, (lua_Integer)x->count);
    } else if (r->mode == M_COLLECT) {
      LTable *out = pf_lua_newtable(L);
      out->t = x->table;
      x->table = NULL;
    } else {
      pushtable(L, x, i, r);
    }
    if (names) lua_setfield(L, -2, names[i]);
  }
  lua_replace(L, top + 1);
  lua_settop(L, top + 1);
  return 1;
}

/* Runs r now, or, for a query from q:plan(), returns it as a pktframe.Pending
   that q:run{} runs with others in one pass. */
static int runscan(lua_State *L, int S, runspec *r, const char *verb) {
  if (lua_getfield(L, S, "plan_of") != LUA_TNIL) {
    if (r->mode == M_COLLECT || r->mode == M_EACH)
      return luaL_error(L, "%s cannot be planned: q:run runs grouped verbs, resample, value_counts and count", verb);
    int top = lua_gettop(L);
    runspec *p = (runspec *)lua_newuserdatauv(L, sizeof(runspec), 2);
    *p = *r;
    luaL_setmetatable(L, PF_PENDING_MT);
    lua_pushvalue(L, top);   /* the query planned */
    lua_setiuservalue(L, -2, 1);
    lua_createtable(L, top, 0);   /* what p points into: the arguments, the specs, their names */
    for (int i = 1; i < top; i++) {
      lua_pushvalue(L, i);
      lua_rawseti(L, -2, i);
    }
    lua_setiuservalue(L, -2, 2);
    return 1;
  }
  lua_pop(L, 1);
  return runscan_n(L, S, r, 1, NULL, verb);
}

/* ---- aggregation specs (pf_lua_checkaggs: the parser gb:agg uses too) ---- */

typedef pf_lua_aggspec aggspec;   /* id: the field id of the input column */

/* pf_lua_aggcol_fn: a column of the query whose description is at *(int *)ud (qcol). */
static int querycol(lua_State *L, void *ud, const char *name, pf_ftype *type) {
  int fid = qcol(L, *(const int *)ud, name);
  if (fid >= 0) *type = pf_fields[fid].type;
  return fid;
}

/* The aggregations at arg in output order (listed first, then named ones
   sorted), in a userdata pushed on the stack; a Lua function is refused. */
static aggspec *checkaggs(lua_State *L, int S, int arg, int *nspec, const char **taken, int ntaken) {
  return pf_lua_checkaggs(L, arg, querycol, &S, NULL, taken, ntaken, nspec);
}

/* Fills r's specs from the aggregations (their columns added to the chunk). */
static void setspecs(lua_State *L, runspec *r, const aggspec *a, int n) {
  r->specs = (pf_qspec *)lua_newuserdatauv(L, sizeof(pf_qspec) * (size_t)n, 0);
  r->nspecs = n;
  for (int i = 0; i < n; i++) {
    r->specs[i].col = chunkcol(r, a[i].id);
    r->specs[i].fn = a[i].fn;
    r->specs[i].name = a[i].name;
  }
}

/* ---- Query methods ---- */

static void initspec(runspec *r, int mode) {
  memset(r, 0, sizeof *r);
  r->mode = mode;
  r->bucket_col = -1;
  r->dropna = 1;
}

/* q:filter(expr): the query with one more display filter */
static int q_filter(lua_State *L) {
  lua_settop(L, 2);
  int S = checkquery(L, 1);
  if (lua_type(L, 2) != LUA_TSTRING)
    luaL_argerror(L, 2, lua_pushfstring(L, "display filter text expected, got %s", luaL_typename(L, 2)));
  const char *text = lua_tostring(L, 2);
  char err[512];
  if (pf_lua_pushfilter(L, text, err, sizeof err) == NULL)
    luaL_argerror(L, 2, lua_pushfstring(L, "bad filter '%s': %s", text, err));
  lua_pop(L, 1);
  int N = pushcopy(L, S);   /* a shallow copy with its own filters list */
  lua_getfield(L, S, "filters");
  lua_Integer n = luaL_len(L, -1);
  lua_createtable(L, (int)n + 1, 0);
  for (lua_Integer i = 1; i <= n; i++) {
    lua_geti(L, -2, i);
    lua_rawseti(L, -2, i);
  }
  lua_pushvalue(L, 2);
  lua_rawseti(L, -2, n + 1);
  lua_setfield(L, N, "filters");
  lua_pop(L, 1);
  if (lua_getfield(L, N, "plan_of") != LUA_TNIL) {   /* a plan filtered plans another query */
    lua_pushvalue(L, N);
    lua_setfield(L, N, "plan_of");
  }
  lua_pop(L, 1);
  pushquery(L, N);
  return 1;
}

/* q:count(): the packets the query keeps */
static int q_count(lua_State *L) {
  lua_settop(L, 1);
  int S = checkquery(L, 1);
  runspec r;
  initspec(&r, M_COUNT);
  return runscan(L, S, &r, "count");
}

/* The fields list (or default_fields) as the chunk's columns. */
static void allfields(lua_State *L, int S, runspec *r) {
  pushfieldlist(L, S);
  lua_Integer n = luaL_len(L, -1);
  for (lua_Integer i = 1; i <= n; i++) {
    lua_geti(L, -1, i);
    chunkcol(r, pf_field_lookup(lua_tostring(L, -1)));
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
}

/* q:collect(): the Table pf.read would give (with the budget) */
static int q_collect(lua_State *L) {
  lua_settop(L, 1);
  int S = checkquery(L, 1);
  runspec r;
  initspec(&r, M_COLLECT);
  allfields(L, S, &r);
  return runscan(L, S, &r, "collect");
}

static int each_run(lua_State *L, int S, int fn) {
  runspec r;
  initspec(&r, M_EACH);
  r.fn = fn;
  allfields(L, S, &r);
  return runscan(L, S, &r, "each");
}

/* q:each(fn): fn(row) per packet; returning false stops */
static int q_each(lua_State *L) {
  lua_settop(L, 2);
  int S = checkquery(L, 1);
  luaL_checktype(L, 2, LUA_TFUNCTION);
  return each_run(L, S, 2);
}

/* q:value_counts(col, [{normalize = bool}]) */
static int q_value_counts(lua_State *L) {
  static const char *const known[] = { "normalize", NULL };
  lua_settop(L, 3);
  int S = checkquery(L, 1);
  const char *name = luaL_checkstring(L, 2);
  int fid = qcol(L, S, name);
  if (fid < 0) luaL_argerror(L, 2, lua_pushfstring(L, "no column named '%s'", name));
  pf_lua_checkopts(L, 3, known);
  int normalize = pf_lua_optbool(L, 3, "normalize", 0);
  runspec r;
  initspec(&r, M_AGG);
  r.keys[0] = chunkcol(&r, fid);
  r.nkeys = 1;
  aggspec a = { "count", name, fid, PF_AGG_SIZE };
  setspecs(L, &r, &a, 1);
  r.post = normalize ? 2 : 1;   /* sorted by count after the scan */
  return runscan(L, S, &r, "value_counts");
}

/* q:resample(interval, aggs, [{on = "frame.time_epoch", origin = "start_day"}]) */
static int q_resample(lua_State *L) {
  lua_settop(L, 4);
  int S = checkquery(L, 1);
  const char *iv = luaL_checkstring(L, 2);
  int64_t interval;
  if (pf_parse_interval(iv, &interval) < 0)
    luaL_argerror(L, 2, lua_pushfstring(L, "bad interval '%s': expected a number and a unit: ns us ms s min h", iv));
  luaL_checktype(L, 3, LUA_TTABLE);
  const char *on;
  int origin;
  pf_lua_optresample(L, 4, &on, &origin);
  int tf = qcol(L, S, on);
  if (tf < 0) luaL_argerror(L, 4, lua_pushfstring(L, "no column named '%s' (the times: {on = name})", on));
  pf_ftype tt = pf_fields[tf].type;
  if (!pf_type_is_time(tt))
    luaL_argerror(L, 4, lua_pushfstring(L, "on: column '%s' is %s, not a time", on, pf_ftype_name(tt)));
  runspec r;
  initspec(&r, M_AGG);
  r.bucket_col = chunkcol(&r, tf);
  r.interval = interval;
  r.origin = origin;
  r.time_name = pf_fields[tf].name;
  r.iv = iv;
  const char *taken[1] = { r.time_name };
  int nspec;
  aggspec *a = checkaggs(L, S, 3, &nspec, taken, 1);
  setspecs(L, &r, a, nspec);
  return runscan(L, S, &r, "resample");
}

/* q:groupby(key | {keys}, [{sort = false, dropna = true}]): a pending grouping */
static int q_groupby(lua_State *L) {
  static const char *const known[] = { "sort", "dropna", NULL };
  lua_settop(L, 3);
  int S = checkquery(L, 1);
  int list = lua_type(L, 2) == LUA_TTABLE;
  if (!list && lua_type(L, 2) != LUA_TSTRING) luaL_typeerror(L, 2, "string or table");
  lua_Integer n = list ? luaL_len(L, 2) : 1;
  luaL_argcheck(L, n >= 1, 2, "no key columns given");
  luaL_argcheck(L, n <= MAX_KEYS, 2, "too many key columns");
  pf_lua_checkopts(L, 3, known);
  int sort = pf_lua_optbool(L, 3, "sort", 0), dropna = pf_lua_optbool(L, 3, "dropna", 1);
  lua_createtable(L, 0, 4);
  int G = lua_gettop(L);
  lua_pushvalue(L, 1);
  lua_setfield(L, G, "q");
  lua_createtable(L, (int)n, 0);
  for (lua_Integer k = 1; k <= n; k++) {
    if (list) lua_geti(L, 2, k);
    else lua_pushvalue(L, 2);
    if (lua_type(L, -1) != LUA_TSTRING)
      luaL_argerror(L, 2, lua_pushfstring(L, "keys[%I]: string expected, got %s", k, luaL_typename(L, -1)));
    const char *name = lua_tostring(L, -1);
    if (qcol(L, S, name) < 0) luaL_argerror(L, 2, lua_pushfstring(L, "no column named '%s'", name));
    for (lua_Integer j = 1; j < k; j++) {
      lua_geti(L, G + 1, j);
      if (strcmp(lua_tostring(L, -1), name) == 0) luaL_argerror(L, 2, lua_pushfstring(L, "key '%s' given twice", name));
      lua_pop(L, 1);
    }
    lua_rawseti(L, G + 1, k);
  }
  lua_setfield(L, G, "keys");
  lua_pushboolean(L, sort);
  lua_setfield(L, G, "sort");
  lua_pushboolean(L, dropna);
  lua_setfield(L, G, "dropna");
  lua_newuserdatauv(L, 1, 1);
  luaL_setmetatable(L, PF_QGROUPBY_MT);
  lua_pushvalue(L, G);
  lua_setiuservalue(L, -2, 1);
  return 1;
}

/* The pending grouping at 1: fills r's keys, pushes the query's description, returns its index. */
static int checkqgb(lua_State *L, runspec *r, const char **taken) {
  luaL_checkudata(L, 1, PF_QGROUPBY_MT);
  lua_getiuservalue(L, 1, 1);
  int G = lua_gettop(L);
  lua_getfield(L, G, "q");
  lua_getiuservalue(L, -1, 1);
  int S = lua_gettop(L);
  initspec(r, M_AGG);
  lua_getfield(L, G, "sort");
  r->sort = lua_toboolean(L, -1);
  lua_getfield(L, G, "dropna");
  r->dropna = lua_toboolean(L, -1);
  lua_pop(L, 2);
  lua_getfield(L, G, "keys");
  r->nkeys = (int)luaL_len(L, -1);
  for (int k = 0; k < r->nkeys; k++) {
    lua_geti(L, -1, k + 1);
    taken[k] = lua_tostring(L, -1);   /* anchored in the keys list */
    r->keys[k] = chunkcol(r, pf_field_lookup(taken[k]));
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  return S;
}

/* gb:agg{...} on a scan */
static int qgb_agg(lua_State *L) {
  const char *taken[MAX_KEYS];
  runspec r;
  luaL_checktype(L, 2, LUA_TTABLE);
  lua_settop(L, 2);
  int S = checkqgb(L, &r, taken);
  int nspec;
  aggspec *a = checkaggs(L, S, 2, &nspec, taken, r.nkeys);
  setspecs(L, &r, a, nspec);
  return runscan(L, S, &r, "agg");
}

/* gb:size() on a scan */
static int qgb_size(lua_State *L) {
  const char *taken[MAX_KEYS];
  runspec r;
  lua_settop(L, 1);
  int S = checkqgb(L, &r, taken);
  aggspec a = { "size", taken[0], pf_field_lookup(taken[0]), PF_AGG_SIZE };
  setspecs(L, &r, &a, 1);
  return runscan(L, S, &r, "size");
}

static int q_tostring(lua_State *L) {
  int S = checkquery(L, 1);
  lua_getfield(L, S, "paths");
  lua_Integer np = luaL_len(L, -1);
  lua_getfield(L, S, "filters");
  lua_Integer nf = luaL_len(L, -1);
  lua_pushfstring(L, "pktframe.Query (%I file%s, %I filter%s)", np, np == 1 ? "" : "s", nf, nf == 1 ? "" : "s");
  return 1;
}

static int qgb_tostring(lua_State *L) {
  luaL_checkudata(L, 1, PF_QGROUPBY_MT);
  lua_getiuservalue(L, 1, 1);
  lua_getfield(L, -1, "keys");
  int K = lua_gettop(L);
  lua_Integer nk = luaL_len(L, K);
  lua_pushliteral(L, "pktframe.QueryGroupBy (by ");
  for (lua_Integer k = 1; k <= nk; k++) {
    lua_geti(L, K, k);
    lua_pushstring(L, k < nk ? ", " : ")");
    lua_concat(L, 3);
  }
  return 1;
}

/* q:plan(): the same query, whose verbs return pending results for q:run */
static int q_plan(lua_State *L) {
  lua_settop(L, 1);
  int S = checkquery(L, 1);
  int N = pushcopy(L, S);
  lua_pushvalue(L, S);
  lua_setfield(L, N, "plan_of");
  pushquery(L, N);
  return 1;
}

/* q:run{name = pending, ...}: the pending results of q:plan()'s verbs, all
   computed in one pass; a table {name = result} */
static int q_run(lua_State *L) {
  lua_settop(L, 2);
  int S = checkquery(L, 1);
  luaL_checktype(L, 2, LUA_TTABLE);
  int n = 0;
  lua_pushnil(L);
  while (lua_next(L, 2) != 0) {
    lua_pop(L, 1);
    if (lua_type(L, -1) != LUA_TSTRING)
      luaL_argerror(L, 2, lua_pushfstring(L, "names expected as keys, got %s", luaL_typename(L, -1)));
    n++;
  }
  luaL_argcheck(L, n > 0, 2, "no pending results given");
  luaL_argcheck(L, n <= MAX_RUN, 2, "too many results for one pass");
  runspec *rs = (runspec *)lua_newuserdatauv(L, sizeof(runspec) * (size_t)n, 0);
  const char **names = (const char **)lua_newuserdatauv(L, sizeof(char *) * (size_t)n, 0);
  int k = 0;
  lua_pushnil(L);
  while (lua_next(L, 2) != 0) {
    const char *name = lua_tostring(L, -2);
    runspec *p = (runspec *)luaL_testudata(L, -1, PF_PENDING_MT);
    if (p == NULL)
      luaL_argerror(L, 2, lua_pushfstring(L, "'%s': a pending result of q:plan() expected, got %s", name,
                                          luaL_typename(L, -1)));
    lua_getiuservalue(L, -1, 1);
    if (!lua_rawequal(L, -1, S))
      luaL_argerror(L, 2, lua_pushfstring(L, "'%s': planned on another query (plan the verbs on this one's "
                                             "q:plan(), with no filter after it)", name));
    lua_pop(L, 1);
    rs[k] = *p;   /* what it points into stays anchored by the pending, in the table at 2 */
    names[k++] = name;
    lua_pop(L, 1);
  }
  return runscan_n(L, S, rs, n, names, "run");
}

static int pending_tostring(lua_State *L) {
  luaL_checkudata(L, 1, PF_PENDING_MT);
  lua_pushliteral(L, "pktframe.Pending (run it with q:run{name = pending})");
  return 1;
}

/* pf.scan(paths, [opts]): a Query; nothing is read until a terminal verb */
static int pf_scan_fn(lua_State *L) {
  lua_settop(L, 2);
  pushspec(L, 2);
  pushquery(L, lua_gettop(L));
  return 1;
}

/* pf.each(paths, [opts], fn): fn(row) per packet kept; false stops. The count of calls. */
static int pf_each_fn(lua_State *L) {
  if (lua_type(L, 2) == LUA_TFUNCTION && lua_isnone(L, 3)) {
    lua_pushnil(L);
    lua_insert(L, 2);
  }
  luaL_checktype(L, 3, LUA_TFUNCTION);
  lua_settop(L, 3);
  pushspec(L, 2);
  return each_run(L, lua_gettop(L), 3);
}

static const luaL_Reg q_methods[] = {
  {"filter", q_filter},
  {"groupby", q_groupby},
  {"resample", q_resample},
  {"value_counts", q_value_counts},
  {"each", q_each},
  {"count", q_count},
  {"collect", q_collect},
  {"plan", q_plan},
  {"run", q_run},
  {NULL, NULL}
};

static const luaL_Reg qgb_methods[] = {
  {"agg", qgb_agg},
  {"size", qgb_size},
  {NULL, NULL}
};

/* Registers a metatable with methods whose upvalue is the module table at mod. */
static void newmeta(lua_State *L, const char *name, const luaL_Reg *methods, lua_CFunction tostr, int mod) {
  luaL_newmetatable(L, name);
  lua_pushcfunction(L, tostr);
  lua_setfield(L, -2, "__tostring");
  luaL_newlibtable(L, q_methods);
  lua_pushvalue(L, mod);
  luaL_setfuncs(L, methods, 1);
  lua_setfield(L, -2, "__index");
  lua_pop(L, 1);
}

void pf_lua_query_register(lua_State *L) {
  int mod = lua_gettop(L);
  newmeta(L, PF_QUERY_MT, q_methods, q_tostring, mod);
  newmeta(L, PF_QGROUPBY_MT, qgb_methods, qgb_tostring, mod);
  luaL_newmetatable(L, PF_PENDING_MT);
  lua_pushcfunction(L, pending_tostring);
  lua_setfield(L, -2, "__tostring");
  lua_pop(L, 1);
  lua_pushvalue(L, mod);
  lua_pushcclosure(L, pf_scan_fn, 1);
  lua_setfield(L, mod, "scan");
  lua_pushvalue(L, mod);
  lua_pushcclosure(L, pf_each_fn, 1);
  lua_setfield(L, mod, "each");
}
