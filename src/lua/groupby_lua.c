/* groupby_lua.c: the pktframe.GroupBy userdata (t:groupby), aggregations (agg, size), per-group tables
   (each, apply), grouped running values (diff, shift) and time buckets (t:resample, gb:resample). */
#include <stdlib.h>
#include <string.h>

#include "groupby.h"
#include "lauxlib.h"
#include "lua.h"
#include "pktframe_lua.h"
#include "table.h"
#include "verbs.h"

#define MAX_KEYS 64
#define MAX_BUCKETS 100000000   /* resample output rows: beyond this a typo ("1ns") is likelier than a wish */

/* Groups of the rows of the table pinned in user value 1. */
typedef struct LGroupBy {
  pf_groups g;
  int live;               /* g holds groups (freed at __gc) */
  int nkeys;
  int keys[MAX_KEYS];     /* key column indices in the table */
} LGroupBy;

static int gb_release(lua_State *L) {
  LGroupBy *gb = (LGroupBy *)luaL_checkudata(L, 1, PF_GROUPBY_MT);
  if (gb->live) {
    pf_groups_free(&gb->g);
    gb->live = 0;
  }
  return 0;
}

/* The GroupBy at arg and its table (open). */
static LGroupBy *checkgb(lua_State *L, int arg, pf_table **t) {
  LGroupBy *gb = (LGroupBy *)luaL_checkudata(L, arg, PF_GROUPBY_MT);
  lua_getiuservalue(L, arg, 1);
  LTable *lt = (LTable *)lua_touserdata(L, -1);
  lua_pop(L, 1);
  luaL_argcheck(L, lt != NULL && lt->t != NULL && gb->live, arg, "table is closed");
  *t = lt->t;
  return gb;
}

/* t:groupby(key | {keys}, [{sort = false, dropna = true}]) */
static int tbl_groupby(lua_State *L) {
  static const char *const known[] = { "sort", "dropna", NULL };
  pf_table *t = pf_lua_checktable(L, 1);
  lua_settop(L, 3);
  int list = lua_type(L, 2) == LUA_TTABLE;
  if (!list && lua_type(L, 2) != LUA_TSTRING) luaL_typeerror(L, 2, "string or table");
  lua_Integer n = list ? luaL_len(L, 2) : 1;
  luaL_argcheck(L, n >= 1, 2, "no key columns given");
  luaL_argcheck(L, n <= MAX_KEYS, 2, "too many key columns");
  pf_lua_checkopts(L, 3, known);
  int sort = pf_lua_optbool(L, 3, "sort", 0), dropna = pf_lua_optbool(L, 3, "dropna", 1);
  LGroupBy *gb = (LGroupBy *)lua_newuserdatauv(L, sizeof(LGroupBy), 1);
  memset(gb, 0, sizeof *gb);
  luaL_setmetatable(L, PF_GROUPBY_MT);
  lua_pushvalue(L, 1);
  lua_setiuservalue(L, -2, 1);
  pf_colref keys[MAX_KEYS];
  for (lua_Integer k = 1; k <= n; k++) {
    if (list) lua_geti(L, 2, k);
    else lua_pushvalue(L, 2);
    if (lua_type(L, -1) != LUA_TSTRING)
      luaL_argerror(L, 2, lua_pushfstring(L, "keys[%I]: string expected, got %s", k, luaL_typename(L, -1)));
    int c = pf_lua_findcol(L, t, 2, lua_tostring(L, -1));
    for (lua_Integer j = 1; j < k; j++)
      if (gb->keys[j - 1] == c) luaL_argerror(L, 2, lua_pushfstring(L, "key '%s' given twice", lua_tostring(L, -1)));
    gb->keys[k - 1] = c;
    keys[k - 1] = pf_table_colref(t, c);
    lua_pop(L, 1);
  }
  gb->nkeys = (int)n;
  pf_lua_checkrc(L, pf_groups_make(&pf_lua_ctx, keys, gb->nkeys, dropna, sort, &gb->g));
  gb->live = 1;
  return 1;
}

static int gb_len(lua_State *L) {
  pf_table *t;
  lua_pushinteger(L, (lua_Integer)checkgb(L, 1, &t)->g.ngroups);
  return 1;
}

static int gb_tostring(lua_State *L) {
  LGroupBy *gb = (LGroupBy *)luaL_checkudata(L, 1, PF_GROUPBY_MT);
  lua_getiuservalue(L, 1, 1);
  LTable *lt = (LTable *)lua_touserdata(L, -1);
  if (lt == NULL || lt->t == NULL || !gb->live) {
    lua_pushliteral(L, "pktframe.GroupBy (closed)");
    return 1;
  }
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  lua_pushfstring(L, "pktframe.GroupBy (%I groups by ", (lua_Integer)gb->g.ngroups);
  luaL_addvalue(&b);
  for (int k = 0; k < gb->nkeys; k++) {
    if (k) luaL_addstring(&b, ", ");
    luaL_addstring(&b, pf_table_colname(lt->t, gb->keys[k]));
  }
  luaL_addchar(&b, ')');
  luaL_pushresult(&b);
  return 1;
}

/* ---- aggregation specs (pf_lua_checkaggs: the parser q:groupby():agg uses too) ---- */

typedef pf_lua_aggspec aggspec;   /* id: the input column of the table; fn -1: the Lua function fns[name] */

static int cmp_names(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* pf_lua_aggcol_fn: a column of the table ud. */
static int tablecol(lua_State *L, void *ud, const char *name, pf_ftype *type) {
  (void)L;
  pf_table *t = (pf_table *)ud;
  int c = pf_table_find(t, name);
  if (c >= 0) *type = pf_table_col(t, c)->type;
  return c;
}

/* The aggregations of the spec table at arg (pf_lua_checkaggs), Lua functions allowed. */
static aggspec *checkaggs(lua_State *L, pf_table *t, int arg, int *nspec, int *fns, const char **taken, int ntaken) {
  return pf_lua_checkaggs(L, arg, tablecol, t, fns, taken, ntaken, nspec);
}

/* Pushes, for each spec, a Column view of its values per group of g (over
   the rows of t); Lua functions get each group's values as a list. Returns
   the stack index of the first. */
static int runaggs(lua_State *L, pf_table *t, pf_groups *g, const aggspec *s, int nspec, int fns, const char *verb) {
  int base = lua_gettop(L) + 1;
  luaL_checkstack(L, nspec + 8, "too many aggregations");
  for (int i = 0; i < nspec; i++) {
    pf_colref col = pf_table_colref(t, s[i].id);
    if (s[i].fn >= 0) {
      pf_lua_newtable(L);
      int rc;
      pf_column *c = pf_agg(&pf_lua_ctx, g, col, s[i].fn, s[i].name, &rc);
      pf_lua_checkrc(L, rc);
      pf_lua_pushresult(L, -1, c, g->ngroups);
      continue;
    }
    pf_lua_checkrc(L, pf_groups_index(g));
    lua_createtable(L, g->ngroups > 0x7fffffff ? 0x7fffffff : (int)g->ngroups, 0);
    int results = lua_gettop(L);
    lua_getfield(L, fns, s[i].name);
    int fn = lua_gettop(L);
    for (size_t k = 0; k < g->ngroups; k++) {
      size_t m = g->start[k + 1] - g->start[k];
      lua_pushvalue(L, fn);
      lua_createtable(L, m > 0x7fffffff ? 0x7fffffff : (int)m, 1);
      for (size_t j = 0; j < m; j++) {
        size_t r = g->rows[g->start[k] + j];
        pf_lua_pushcell(L, col.c, col.off + r, 0);
        lua_rawseti(L, -2, (lua_Integer)j + 1);
      }
      lua_pushinteger(L, (lua_Integer)m);
      lua_setfield(L, -2, "n");
      if (lua_pcall(L, 1, 1, 0) != LUA_OK) {
        const char *msg = lua_tostring(L, -1);
        luaL_error(L, "%s: group %I: %s", verb, (lua_Integer)k + 1, msg ? msg : luaL_typename(L, -1));
      }
      lua_rawseti(L, results, (lua_Integer)k + 1);
    }
    lua_pop(L, 1);   /* the function */
    pf_lua_newtable(L);
    const char *why;
    pf_column *c = pf_lua_valuescolumn(L, results, g->ngroups, s[i].name, &why);
    if (c == NULL) {
      if (strcmp(why, "not enough memory") == 0) luaL_error(L, "not enough memory");
      luaL_error(L, "%s: '%s': the function's results: %s", verb, s[i].name, why);
    }
    pf_lua_pushresult(L, -1, c, g->ngroups);
    lua_replace(L, results);
  }
  return base;
}

/* Pushes the output table: key columns of t at rows keyrows (one per group,
   or NULL for none), then the ncols Column views from stack index first. */
static void pushoutput(lua_State *L, pf_table *t, const int *keys, int nkeys, const size_t *keyrows, size_t ng,
                       int first, int ncols) {
  luaL_checkstack(L, nkeys + 4, "too many key columns");
  pf_column **cols = (pf_column **)lua_newuserdatauv(L, sizeof(pf_column *) * (size_t)(nkeys + ncols + 1), 0);
  for (int k = 0; k < nkeys; k++) {
    pf_lua_newtable(L);
    int rc;
    const char *name = pf_table_colname(t, keys[k]);
    pf_column *c = pf_column_take_first(&pf_lua_ctx, pf_table_colref(t, keys[k]), keyrows, ng, name, &rc);
    pf_lua_checkrc(L, rc);
    pf_lua_pushresult(L, -1, c, ng);
    cols[k] = (pf_column *)((LColumn *)lua_touserdata(L, -1))->c;
  }
  for (int i = 0; i < ncols; i++) cols[nkeys + i] = (pf_column *)((LColumn *)lua_touserdata(L, first + i))->c;
  LTable *out = pf_lua_newtable(L);
  out->t = pf_table_build(&pf_lua_ctx, nkeys + ncols, cols, NULL, NULL, ng);
  if (out->t == NULL) luaL_error(L, "not enough memory");
}

static const char **keynames(lua_State *L, pf_table *t, const int *keys, int nkeys, const char *extra) {
  const char **names = (const char **)lua_newuserdatauv(L, sizeof(char *) * (size_t)(nkeys + 1), 0);
  for (int k = 0; k < nkeys; k++) names[k] = pf_table_colname(t, keys[k]);
  names[nkeys] = extra;
  return names;
}

/* gb:agg{name = {col, fn}, ...} or gb:agg{{"name", col, fn}, ...} */
static int gb_agg(lua_State *L) {
  pf_table *t;
  LGroupBy *gb = checkgb(L, 1, &t);
  luaL_checktype(L, 2, LUA_TTABLE);
  lua_settop(L, 2);
  const char **taken = keynames(L, t, gb->keys, gb->nkeys, NULL);
  int nspec, fns;
  aggspec *s = checkaggs(L, t, 2, &nspec, &fns, taken, gb->nkeys);
  int first = runaggs(L, t, &gb->g, s, nspec, fns, "agg");
  pushoutput(L, t, gb->keys, gb->nkeys, gb->g.first, gb->g.ngroups, first, nspec);
  return 1;
}

/* gb:size(): keys and the rows of each group, as "size" */
static int gb_size(lua_State *L) {
  pf_table *t;
  LGroupBy *gb = checkgb(L, 1, &t);
  pf_lua_newtable(L);
  int rc;
  pf_column *c = pf_agg(&pf_lua_ctx, &gb->g, pf_table_colref(t, gb->keys[0]), PF_AGG_SIZE, "size", &rc);
  pf_lua_checkrc(L, rc);
  pf_lua_pushresult(L, -1, c, gb->g.ngroups);
  pushoutput(L, t, gb->keys, gb->nkeys, gb->g.first, gb->g.ngroups, lua_gettop(L), 1);
  return 1;
}

/* Calls fn(group table, key values...) for group k under pcall, leaving its result. */
static void callgroup(lua_State *L, int fn, pf_table *t, LGroupBy *gb, size_t k, const char *verb) {
  pf_groups *g = &gb->g;
  lua_pushvalue(L, fn);
  LTable *lt = pf_lua_newtable(L);
  int rc;
  lt->t = pf_table_take(&pf_lua_ctx, t, g->rows + g->start[k], g->start[k + 1] - g->start[k], &rc);
  pf_lua_checkrc(L, rc);
  for (int j = 0; j < gb->nkeys; j++) {
    pf_colref c = pf_table_colref(t, gb->keys[j]);
    pf_lua_pushcell(L, c.c, c.off + g->first[k], 0);
  }
  if (lua_pcall(L, 1 + gb->nkeys, 1, 0) != LUA_OK) {
    const char *msg = lua_tostring(L, -1);
    luaL_error(L, "%s: group %I: %s", verb, (lua_Integer)k + 1, msg ? msg : luaL_typename(L, -1));
  }
}

/* gb:each(fn): fn(group, key1, key2, ...) for each group in order */
static int gb_each(lua_State *L) {
  pf_table *t;
  LGroupBy *gb = checkgb(L, 1, &t);
  luaL_checktype(L, 2, LUA_TFUNCTION);
  lua_settop(L, 2);
  pf_lua_checkrc(L, pf_groups_index(&gb->g));
  for (size_t k = 0; k < gb->g.ngroups; k++) {
    callgroup(L, 2, t, gb, k, "each");
    lua_pop(L, 1);
  }
  return 0;
}

/* gb:apply(fn): fn(group, keys...) returns a Table (the results are
   concatenated), a record {name = value} (one row per group after the keys,
   fields sorted by name), or nil (the group is left out). */
static int gb_apply(lua_State *L) {
  pf_table *t;
  LGroupBy *gb = checkgb(L, 1, &t);
  luaL_checktype(L, 2, LUA_TFUNCTION);
  lua_settop(L, 2);
  pf_lua_checkrc(L, pf_groups_index(&gb->g));
  lua_newtable(L);   /* 3: results (tables or records) */
  size_t *kept = (size_t *)lua_newuserdatauv(L, sizeof(size_t) * (gb->g.ngroups ? gb->g.ngroups : 1), 0);   /* 4 */
  lua_Integer nres = 0;
  int mode = 0;   /* 1 tables, 2 records */
  for (size_t k = 0; k < gb->g.ngroups; k++) {
    callgroup(L, 2, t, gb, k, "apply");
    int m = 0;
    if (luaL_testudata(L, -1, PF_TABLE_MT)) m = 1;
    else if (lua_type(L, -1) == LUA_TTABLE) m = 2;
    else if (!lua_isnil(L, -1))
      return luaL_error(L, "apply: group %I: a pktframe.Table, a table of values or nil expected, got %s",
                        (lua_Integer)k + 1, luaL_typename(L, -1));
    if (m == 0) {
      lua_pop(L, 1);
      continue;
    }
    if (mode && m != mode)
      return luaL_error(L, "apply: group %I: returned %s after %s", (lua_Integer)k + 1,
                        m == 1 ? "a pktframe.Table" : "a table of values",
                        mode == 1 ? "pktframe.Tables" : "tables of values");
    mode = m;
    if (m == 1 && ((LTable *)lua_touserdata(L, -1))->t == NULL)
      return luaL_error(L, "apply: group %I: returned a closed table", (lua_Integer)k + 1);
    kept[nres] = gb->g.first[k];
    lua_rawseti(L, 3, ++nres);
  }
  if (mode == 1) {
    const pf_table **ts = (const pf_table **)lua_newuserdatauv(L, sizeof(pf_table *) * (size_t)nres, 0);
    for (lua_Integer i = 1; i <= nres; i++) {
      lua_rawgeti(L, 3, i);
      ts[i - 1] = ((LTable *)lua_touserdata(L, -1))->t;   /* anchored in the results */
      lua_pop(L, 1);
    }
    LTable *out = pf_lua_newtable(L);
    int rc, bt, bc;
    out->t = pf_table_concat(&pf_lua_ctx, ts, (int)nres, &rc, &bt, &bc);
    if (rc == PF_TABLE_ETYPE)
      return luaL_error(L, "apply: the tables of groups disagree on the type of column '%s'",
                        pf_table_colname(ts[bt], bc));
    pf_lua_checkrc(L, rc);
    return 1;
  }
  /* records: the union of their fields, sorted */
  lua_newtable(L);   /* 5: field name -> true */
  for (lua_Integer i = 1; i <= nres; i++) {
    lua_rawgeti(L, 3, i);
    lua_pushnil(L);
    while (lua_next(L, -2) != 0) {
      if (lua_type(L, -2) != LUA_TSTRING)
        return luaL_error(L, "apply: a record's keys must be column names, got %s", luaL_typename(L, -2));
      lua_pop(L, 1);
      lua_pushvalue(L, -1);
      lua_pushboolean(L, 1);
      lua_rawset(L, 5);
    }
    lua_pop(L, 1);
  }
  lua_Integer nf = 0;   /* 6: the names, sorted */
  lua_pushnil(L);
  while (lua_next(L, 5) != 0) {
    lua_pop(L, 1);
    nf++;
  }
  const char **fields = (const char **)lua_newuserdatauv(L, sizeof(char *) * (size_t)(nf ? nf : 1), 0);
  nf = 0;
  lua_pushnil(L);
  while (lua_next(L, 5) != 0) {
    lua_pop(L, 1);
    fields[nf++] = lua_tostring(L, -1);   /* anchored: keys of table 5 */
  }
  qsort(fields, (size_t)nf, sizeof *fields, cmp_names);
  const char **taken = keynames(L, t, gb->keys, gb->nkeys, NULL);
  int first = lua_gettop(L) + 1;
  luaL_checkstack(L, (int)nf + 8, "too many fields");
  for (lua_Integer f = 0; f < nf; f++) {
    const char *name = fields[f];
    lua_pushstring(L, name);
    for (int j = 0; j < gb->nkeys; j++)
      if (strcmp(name, taken[j]) == 0) return luaL_error(L, "apply: field '%s' names a key column", name);
    lua_createtable(L, (int)nres, 0);
    int vals = lua_gettop(L);
    for (lua_Integer i = 1; i <= nres; i++) {
      lua_rawgeti(L, 3, i);
      lua_pushvalue(L, vals - 1);
      lua_rawget(L, -2);
      lua_rawseti(L, vals, i);
      lua_pop(L, 1);
    }
    pf_lua_newtable(L);
    const char *why;
    pf_column *c = pf_lua_valuescolumn(L, vals, (size_t)nres, name, &why);
    if (c == NULL) {
      if (strcmp(why, "not enough memory") == 0) return luaL_error(L, "not enough memory");
      return luaL_error(L, "apply: field '%s': %s", name, why);
    }
    pf_lua_pushresult(L, -1, c, (size_t)nres);
    lua_replace(L, vals - 1);   /* the view where the name was */
    lua_pop(L, 1);
  }
  pushoutput(L, t, gb->keys, gb->nkeys, kept, (size_t)nres, first, (int)nf);
  return 1;
}

/* gb:diff(col, [n]) and gb:shift(col, [n]): a Column as long as the table,
   each row against the row n before it in its group (null for rows in no group) */
static int gb_running(lua_State *L, int shift) {
  pf_table *t;
  LGroupBy *gb = checkgb(L, 1, &t);
  int col = pf_lua_findcol(L, t, 2, luaL_checkstring(L, 2));
  lua_Integer k = luaL_optinteger(L, 3, 1);
  pf_colref r = pf_table_colref(t, col);
  const char *name = pf_table_colname(t, col);
  pf_lua_newtable(L);
  int holder = lua_gettop(L);
  size_t *prev = (size_t *)lua_newuserdatauv(L, sizeof(size_t) * (r.n ? r.n : 1), 0);
  pf_lua_checkrc(L, pf_groups_prev(&gb->g, (long long)k, prev));
  int rc;
  pf_column *c = shift ? pf_column_take(&pf_lua_ctx, r, prev, r.n, name, &rc)
                       : pf_diff(&pf_lua_ctx, r, prev, 0, name, &rc);
  if (rc == PF_TABLE_ETYPE)
    return luaL_argerror(L, 2, lua_pushfstring(L, "cannot diff %s column '%s'", pf_ftype_name(r.c->type), name));
  pf_lua_checkrc(L, rc);
  lua_settop(L, holder);
  pf_lua_pushresult(L, holder, c, r.n);
  return 1;
}

static int gb_diff(lua_State *L) { return gb_running(L, 0); }
static int gb_shift(lua_State *L) { return gb_running(L, 1); }

/* ---- resample ---- */

/* t:resample(interval, aggs, [opts]) and gb:resample(...): self at 1. */
static int resample(lua_State *L, pf_table *t, LGroupBy *gb) {
  const char *iv = luaL_checkstring(L, 2);
  int64_t interval;
  if (pf_parse_interval(iv, &interval) < 0)
    luaL_argerror(L, 2, lua_pushfstring(L, "bad interval '%s': expected a number and a unit: ns us ms s min h", iv));
  luaL_checktype(L, 3, LUA_TTABLE);
  lua_settop(L, 4);
  const char *on;
  int origin;
  pf_lua_optresample(L, 4, &on, &origin);
  int tc = pf_table_find(t, on);
  if (tc < 0) luaL_argerror(L, 4, lua_pushfstring(L, "no column named '%s' (the times: {on = name})", on));
  pf_ftype tt = pf_table_col(t, tc)->type;
  if (!pf_type_is_time(tt))
    luaL_argerror(L, 4, lua_pushfstring(L, "on: column '%s' is %s, not a time", on, pf_ftype_name(tt)));
  int nkeys = gb ? gb->nkeys : 0;
  const int *keys = gb ? gb->keys : NULL;
  const char **taken = keynames(L, t, keys, nkeys, pf_table_colname(t, tc));
  int nspec, fns;
  aggspec *s = checkaggs(L, t, 3, &nspec, &fns, taken, nkeys + 1);
  LGroups *b = pf_lua_newgroups(L);
  int rc = pf_resample(&pf_lua_ctx, pf_table_colref(t, tc), interval, origin, gb ? &gb->g : NULL, MAX_BUCKETS, &b->g,
                       &b->outer_of, &b->bstart);
  if (rc == PF_TABLE_ERANGE)
    luaL_argerror(L, 2, lua_pushfstring(L, "interval '%s' over these times makes more than %d buckets, or the times "
                                           "are too far apart", iv, MAX_BUCKETS));
  pf_lua_checkrc(L, rc);
  size_t nb = b->g.ngroups;
  /* the key rows of each bucket, and the time column */
  size_t *keyrows = (size_t *)lua_newuserdatauv(L, sizeof(size_t) * (nb ? nb : 1), 0);
  for (size_t k = 0; k < nb; k++) keyrows[k] = gb ? gb->g.first[b->outer_of[k]] : PF_NOROW;
  int first = lua_gettop(L) + 1;
  pf_lua_newtable(L);
  pf_column *tcol = pf_column_new(&pf_lua_ctx, tt, -1, pf_table_colname(t, tc));
  if (tcol == NULL || pf_column_setlen(tcol, nb) != PF_TABLE_OK) {
    pf_column_release(tcol);
    return luaL_error(L, "not enough memory");
  }
  for (size_t k = 0; k < nb; k++) {
    ((pf_time *)(void *)tcol->data)[k] = b->bstart[k];
    pf_column_setvalid(tcol, k);
  }
  pf_lua_pushresult(L, -1, tcol, nb);
  runaggs(L, t, &b->g, s, nspec, fns, "resample");
  pushoutput(L, t, keys, nkeys, keyrows, nb, first, nspec + 1);
  return 1;
}

static int tbl_resample(lua_State *L) {
  pf_table *t = pf_lua_checktable(L, 1);
  return resample(L, t, NULL);
}

static int gb_resample(lua_State *L) {
  pf_table *t;
  LGroupBy *gb = checkgb(L, 1, &t);
  return resample(L, t, gb);
}

static const luaL_Reg gb_methods[] = {
  {"agg", gb_agg},
  {"size", gb_size},
  {"each", gb_each},
  {"apply", gb_apply},
  {"diff", gb_diff},
  {"shift", gb_shift},
  {"resample", gb_resample},
  {"close", gb_release},
  {NULL, NULL}
};

static const luaL_Reg gb_meta[] = {
  {"__index", NULL},
  {"__gc", gb_release},
  {"__close", gb_release},
  {"__len", gb_len},
  {"__tostring", gb_tostring},
  {NULL, NULL}
};

static const luaL_Reg tbl_more[] = {
  {"groupby", tbl_groupby},
  {"resample", tbl_resample},
  {NULL, NULL}
};

void pf_lua_open_groupby(lua_State *L) {
  luaL_newmetatable(L, PF_GROUPBY_MT);
  luaL_setfuncs(L, gb_meta, 0);
  luaL_newlibtable(L, gb_methods);
  luaL_setfuncs(L, gb_methods, 0);
  lua_setfield(L, -2, "__index");
  lua_pop(L, 1);
  luaL_getmetatable(L, PF_TABLE_MT);
  lua_getfield(L, -1, "__index");
  luaL_setfuncs(L, tbl_more, 0);
  lua_pop(L, 2);
}
