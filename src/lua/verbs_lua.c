/* verbs_lua.c: the table verbs as pktframe.Table methods (filter, sort, with, unique, value_counts, describe,
   diff, shift, cumsum, join) and the module's concat and read_csv. Kernels live in verbs.c, groupby.c, csv.c. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "decode.h"
#include "filter_lua.h"
#include "groupby.h"
#include "lauxlib.h"
#include "lua.h"
#include "pktframe_lua.h"
#include "table.h"
#include "verbs.h"

#define checktable pf_lua_checktable

/* Row indices in a userdata left on the stack (collected with it). */
static size_t *newrows(lua_State *L, size_t n) {
  if (n > ((size_t)-1 >> 4)) luaL_error(L, "not enough memory");
  return (size_t *)lua_newuserdatauv(L, sizeof(size_t) * (n ? n : 1), 0);
}

/* Pushes the rows of t as a new table (all occurrences kept). */
static void pushtake(lua_State *L, pf_table *t, const size_t *rows, size_t n) {
  LTable *lt = pf_lua_newtable(L);
  int rc;
  lt->t = pf_table_take(&pf_lua_ctx, t, rows, n, &rc);
  pf_lua_checkrc(L, rc);
}

/* Pushes t as a Lua table {name = value} of row r (0-based), nulls left out. */
static void pushrow(lua_State *L, pf_table *t, size_t r) {
  int n = pf_table_ncols(t);
  lua_createtable(L, 0, n);
  for (int j = 0; j < n; j++) {
    pf_colref c = pf_table_colref(t, j);
    pf_lua_pushcell(L, c.c, c.off + r, 0);
    lua_setfield(L, -2, pf_table_colname(t, j));
  }
}

/* Calls the function at fn with (row table, i) for row r, under pcall,
   leaving its result; a failure is re-raised with the row in front. */
static void callrow(lua_State *L, int fn, pf_table *t, size_t r, const char *verb) {
  lua_pushvalue(L, fn);
  pushrow(L, t, r);
  lua_pushinteger(L, (lua_Integer)r + 1);
  if (lua_pcall(L, 2, 1, 0) != LUA_OK) {
    const char *msg = lua_tostring(L, -1);
    luaL_error(L, "%s: row %I: %s", verb, (lua_Integer)r + 1, msg ? msg : luaL_typename(L, -1));
  }
}

/* ---- display filters over a table ---- */

/* Fields that mean "either side": a table that lacks them may have both sides. */
static const struct { const char *either, *a, *b; } sides[] = {
  { "ip.addr", "ip.src", "ip.dst" }, { "ipv6.addr", "ipv6.src", "ipv6.dst" },
  { "tcp.port", "tcp.srcport", "tcp.dstport" }, { "udp.port", "udp.srcport", "udp.dstport" },
  { "eth.addr", "eth.dst", "eth.src" },
};

/* The column of t holding field fid's values, checked for its type; -1 when
   there is none. Raises naming arg for a column of another type. */
static int fieldcol(lua_State *L, pf_table *t, int arg, int fid, const char *name) {
  int i = pf_table_find(t, name);
  if (i < 0) return -1;
  pf_ftype want = pf_fields[fid].type, got = pf_table_col(t, i)->type;
  if (want != got)
    luaL_argerror(L, arg, lua_pushfstring(L, "column '%s' is %s; the filter reads it as %s", name, pf_ftype_name(got),
                                          pf_ftype_name(want)));
  return i;
}

/* Pushes a bool Column: the display filter text evaluated on each row of
   the table at index 1; argument errors name arg. */
static void pushfiltercol(lua_State *L, pf_table *t, int arg, const char *text, const char *name) {
  char err[512];
  pf_filter *f = pf_lua_pushfilter(L, text, err, sizeof err);   /* anchored on the stack */
  if (f == NULL) luaL_argerror(L, arg, lua_pushfstring(L, "bad filter '%s': %s", text, err));
  int fids[PF_NFIELDS];
  int nf = pf_filter_value_fields(f, fids, PF_NFIELDS);
  /* a protocol name: true on the rows where any of the table's columns of that
     protocol ("tcp.*" for tcp) has a value; its bytes are not in a table */
  int bytes;
  uint64_t protos = pf_filter_protocols(f, &bytes);
  if (bytes)
    luaL_argerror(L, arg, lua_pushfstring(L, "bad filter '%s': a table holds no packet bytes (frame, tcp "
                                             "contains ...): filter when reading", text));
  int ntc = pf_table_ncols(t), np = 0;
  int *pbits = (int *)lua_newuserdatauv(L, sizeof(int) * (size_t)(ntc ? ntc : 1), 0);
  pf_colref *pcols = (pf_colref *)lua_newuserdatauv(L, sizeof(pf_colref) * (size_t)(ntc ? ntc : 1), 0);
  for (int pr = 0; pr < PF_P_COUNT_; pr++) {
    if (!(protos >> pr & 1)) continue;
    const char *pn = pf_filter_protocol_name(pr);
    size_t pl = strlen(pn);
    for (int i = 0; i < ntc; i++) {
      const char *cn = pf_table_colname(t, i);
      if (cn && strncmp(cn, pn, pl) == 0 && cn[pl] == '.') {
        pbits[np] = pr;
        pcols[np++] = pf_table_colref(t, i);
      }
    }
  }
  int *cf = (int *)lua_newuserdatauv(L, sizeof(int) * 2 * (size_t)(nf ? nf : 1), 0);
  pf_colref *cols = (pf_colref *)lua_newuserdatauv(L, sizeof(pf_colref) * 2 * (size_t)(nf ? nf : 1), 0);
  int ncols = 0;
  for (int k = 0; k < nf; k++) {
    const char *fname = pf_fields[fids[k]].name;
    int i = fieldcol(L, t, arg, fids[k], fname);
    if (i >= 0) {
      cf[ncols] = fids[k];
      cols[ncols++] = pf_table_colref(t, i);
      continue;
    }
    int found = 0;
    for (size_t s = 0; s < sizeof sides / sizeof sides[0] && !found; s++) {
      if (strcmp(sides[s].either, fname) != 0) continue;
      int a = fieldcol(L, t, arg, fids[k], sides[s].a), b = fieldcol(L, t, arg, fids[k], sides[s].b);
      if (a < 0 || b < 0) break;
      cf[ncols] = fids[k];
      cols[ncols++] = pf_table_colref(t, a);
      cf[ncols] = fids[k];
      cols[ncols++] = pf_table_colref(t, b);
      found = 1;
    }
    if (!found) {
      const char *hint = "";
      for (size_t s = 0; s < sizeof sides / sizeof sides[0]; s++)
        if (strcmp(sides[s].either, fname) == 0)
          hint = lua_pushfstring(L, ", nor both '%s' and '%s'", sides[s].a, sides[s].b);
      luaL_argerror(L, arg, lua_pushfstring(L, "no column named '%s' (the filter reads it)%s", fname, hint));
    }
  }
  pf_pkt *p = (pf_pkt *)lua_newuserdatauv(L, sizeof(pf_pkt), 0);   /* one per call: it is large */
  pf_pkt_init(p);
  size_t n = pf_table_nrows(t);
  pf_lua_newtable(L);
  int rc;
  pf_column *c = pf_filter_column(&pf_lua_ctx, f, cf, cols, pbits, pcols, np, ncols, n, p, name, &rc);
  pf_lua_checkrc(L, rc);
  pf_lua_pushresult(L, -1, c, n);
}

/* The truth column at arg, checked against a table of n rows. Only bool: an
   integer column as a mask would be pandas' selection by label, not by truth. */
static LColumn *checkmask(lua_State *L, int arg, size_t n) {
  LColumn *m = pf_lua_checkcolumn(L, arg);
  if (m->c->type != PF_FT_BOOL)
    luaL_argerror(L, arg, lua_pushfstring(L, "bool column expected, got %s column", pf_ftype_name(m->c->type)));
  if (m->n != n)
    luaL_argerror(L, arg, lua_pushfstring(L, "column of %I rows for a table of %I", (lua_Integer)m->n, (lua_Integer)n));
  return m;
}

/* t:filter(expr | Column | function(row, i) -> bool) */
static int tbl_filter(lua_State *L) {
  pf_table *t = checktable(L, 1);
  lua_settop(L, 2);
  size_t n = pf_table_nrows(t);
  if (lua_type(L, 2) == LUA_TSTRING) {
    pushfiltercol(L, t, 2, lua_tostring(L, 2), "filter");
    lua_replace(L, 2);
    lua_settop(L, 2);
  }
  size_t *rows = newrows(L, n);
  size_t k = 0;
  if (lua_type(L, 2) == LUA_TFUNCTION) {
    for (size_t r = 0; r < n; r++) {
      callrow(L, 2, t, r, "filter");
      if (lua_toboolean(L, -1)) rows[k++] = r;
      lua_pop(L, 1);
    }
  } else {
    if (luaL_testudata(L, 2, PF_COLUMN_MT) == NULL) luaL_typeerror(L, 2, "string, pktframe.Column or function");
    k = pf_mask_rows(pf_lua_colref(checkmask(L, 2, n)), rows);
  }
  pushtake(L, t, rows, k);
  return 1;
}

/* t:with(name, Column | expr | function(row, i) -> value) */
static int tbl_with(lua_State *L) {
  pf_table *t = checktable(L, 1);
  const char *name = luaL_checkstring(L, 2);
  lua_settop(L, 3);
  size_t n = pf_table_nrows(t);
  if (lua_type(L, 3) == LUA_TSTRING) {
    pushfiltercol(L, t, 3, lua_tostring(L, 3), name);
    lua_replace(L, 3);
  } else if (lua_type(L, 3) == LUA_TFUNCTION) {
    lua_createtable(L, n > 0x7fffffff ? 0x7fffffff : (int)n, 0);
    int list = lua_gettop(L);
    for (size_t r = 0; r < n; r++) {
      callrow(L, 3, t, r, "with");
      lua_rawseti(L, list, (lua_Integer)r + 1);
    }
    pf_lua_newtable(L);
    const char *why;
    pf_column *c = pf_lua_valuescolumn(L, list, n, name, &why);
    if (c == NULL) {
      if (strcmp(why, "not enough memory") == 0) return luaL_error(L, "not enough memory");
      return luaL_argerror(L, 3, why);
    }
    pf_lua_pushresult(L, -1, c, n);
    lua_replace(L, 3);
  } else if (luaL_testudata(L, 3, PF_COLUMN_MT) == NULL) {
    return luaL_typeerror(L, 3, "pktframe.Column, string or function");
  }
  LColumn *lc = pf_lua_checkcolumn(L, 3);
  if (lc->n != n)
    return luaL_argerror(L, 3, lua_pushfstring(L, "column of %I rows for a table of %I", (lua_Integer)lc->n,
                                               (lua_Integer)n));
  LTable *h = pf_lua_newtable(L);
  h->t = pf_table_with(t, name, pf_lua_colref(lc));
  if (h->t == NULL) return luaL_error(L, "not enough memory");
  return 1;
}

/* Key columns from arg (a name or a list of names) into a new userdata. */
static pf_colref *checkkeys(lua_State *L, pf_table *t, int arg, int *nkeys, int **idx) {
  int list = lua_type(L, arg) == LUA_TTABLE;
  if (!list && lua_type(L, arg) != LUA_TSTRING) luaL_typeerror(L, arg, "string or table");
  lua_Integer n = list ? luaL_len(L, arg) : 1;
  luaL_argcheck(L, n >= 1, arg, "no columns given");
  luaL_argcheck(L, n <= 64, arg, "too many columns");
  pf_colref *keys = (pf_colref *)lua_newuserdatauv(L, sizeof(pf_colref) * (size_t)n + sizeof(int) * (size_t)n, 0);
  int *ix = (int *)(void *)(keys + n);
  for (lua_Integer k = 1; k <= n; k++) {
    if (list) lua_geti(L, arg, k);
    else lua_pushvalue(L, arg);
    if (lua_type(L, -1) != LUA_TSTRING)
      luaL_argerror(L, arg, lua_pushfstring(L, "names[%I]: string expected, got %s", k, luaL_typename(L, -1)));
    ix[k - 1] = pf_lua_findcol(L, t, arg, lua_tostring(L, -1));
    keys[k - 1] = pf_table_colref(t, ix[k - 1]);
    lua_pop(L, 1);
  }
  *nkeys = (int)n;
  if (idx) *idx = ix;
  return keys;
}

/* t:sort(col | {cols}, [{desc = bool | {bool, ...}}]) */
static int tbl_sort(lua_State *L) {
  static const char *const known[] = { "desc", NULL };
  pf_table *t = checktable(L, 1);
  lua_settop(L, 3);
  int nkeys;
  pf_colref *keys = checkkeys(L, t, 2, &nkeys, NULL);
  pf_lua_checkopts(L, 3, known);
  int *desc = (int *)lua_newuserdatauv(L, sizeof(int) * (size_t)nkeys, 0);
  for (int k = 0; k < nkeys; k++) desc[k] = 0;
  if (!lua_isnil(L, 3)) {
    int ty = lua_getfield(L, 3, "desc");
    if (ty == LUA_TBOOLEAN) {
      for (int k = 0; k < nkeys; k++) desc[k] = lua_toboolean(L, -1);
    } else if (ty == LUA_TTABLE) {
      if (luaL_len(L, -1) != nkeys)
        luaL_argerror(L, 3, lua_pushfstring(L, "desc: %I flags for %d columns", luaL_len(L, -1), nkeys));
      for (int k = 0; k < nkeys; k++) {
        lua_geti(L, -1, k + 1);
        if (!lua_isboolean(L, -1))
          luaL_argerror(L, 3, lua_pushfstring(L, "desc[%d]: boolean expected, got %s", k + 1, luaL_typename(L, -1)));
        desc[k] = lua_toboolean(L, -1);
        lua_pop(L, 1);
      }
    } else if (ty != LUA_TNIL) {
      luaL_argerror(L, 3, lua_pushfstring(L, "desc: boolean or table expected, got %s", luaL_typename(L, -1)));
    }
    lua_pop(L, 1);
  }
  size_t n = pf_table_nrows(t);
  size_t *perm = newrows(L, n);
  for (size_t r = 0; r < n; r++) perm[r] = r;
  pf_lua_checkrc(L, pf_sort(&pf_lua_ctx, keys, desc, nkeys, perm, n));
  pushtake(L, t, perm, n);
  return 1;
}

/* Pushes a one-column table: rows of column col of t, named as in t. */
static void pushtakecol(lua_State *L, pf_table *t, int col, const size_t *rows, size_t n) {
  LTable *lt = pf_lua_newtable(L);
  int rc;
  pf_column *c = pf_column_take_first(&pf_lua_ctx, pf_table_colref(t, col), rows, n, pf_table_colname(t, col), &rc);
  pf_lua_checkrc(L, rc);
  lt->t = pf_table_build(&pf_lua_ctx, 1, &c, NULL, NULL, n);
  pf_column_release(c);
  if (lt->t == NULL) luaL_error(L, "not enough memory");
}

/* t:unique(col): a one-column table of its distinct values (nil included), in order of first appearance */
static int tbl_unique(lua_State *L) {
  pf_table *t = checktable(L, 1);
  int col = pf_lua_findcol(L, t, 2, luaL_checkstring(L, 2));
  pf_colref key = pf_table_colref(t, col);
  pf_groups *g = &pf_lua_newgroups(L)->g;
  pf_lua_checkrc(L, pf_groups_make(&pf_lua_ctx, &key, 1, 0, 0, g));
  pushtakecol(L, t, col, g->first, g->ngroups);
  return 1;
}

/* t:value_counts(col, [{normalize = bool}]): the distinct values and their
   counts, most frequent first, ties in order of first appearance; nulls left out */
static int tbl_value_counts(lua_State *L) {
  static const char *const known[] = { "normalize", NULL };
  pf_table *t = checktable(L, 1);
  int col = pf_lua_findcol(L, t, 2, luaL_checkstring(L, 2));
  pf_lua_checkopts(L, 3, known);
  int normalize = pf_lua_optbool(L, 3, "normalize", 0);
  pf_colref key = pf_table_colref(t, col);
  pf_groups *g = &pf_lua_newgroups(L)->g;
  pf_lua_checkrc(L, pf_groups_make(&pf_lua_ctx, &key, 1, 1, 0, g));
  size_t ng = g->ngroups;
  int rc;
  pf_lua_newtable(L);   /* holds the counts */
  pf_column *cnt = pf_agg(&pf_lua_ctx, g, key, PF_AGG_SIZE, "count", &rc);
  pf_lua_checkrc(L, rc);
  pf_lua_pushresult(L, -1, cnt, ng);
  LColumn *cc = (LColumn *)lua_touserdata(L, -1);
  LTable *out = pf_lua_newtable(L);
  pf_column *cols[2];
  pf_lua_checkrc(L, pf_value_counts_finish(&pf_lua_ctx, key, g->first, pf_lua_colref(cc), normalize,
                                           pf_table_colname(t, col), cols));
  out->t = pf_table_build(&pf_lua_ctx, 2, cols, NULL, NULL, ng);
  pf_column_release(cols[0]);
  pf_column_release(cols[1]);
  if (out->t == NULL) return luaL_error(L, "not enough memory");
  return 1;
}

/* t:describe(col): {count =, mean =, std =, min =, ["25%"] =, ["50%"] =, ["75%"] =, max =} */
static int tbl_describe(lua_State *L) {
  static const char *const keys[] = { "count", "mean", "std", "min", "25%", "50%", "75%", "max" };
  pf_table *t = checktable(L, 1);
  int col = pf_lua_findcol(L, t, 2, luaL_checkstring(L, 2));
  double out[8];
  int rc = pf_describe(&pf_lua_ctx, pf_table_colref(t, col), out);
  if (rc == PF_TABLE_ETYPE)
    return luaL_argerror(L, 2, lua_pushfstring(L, "cannot describe %s column '%s'",
                                               pf_ftype_name(pf_table_col(t, col)->type), pf_table_colname(t, col)));
  pf_lua_checkrc(L, rc);
  lua_createtable(L, 0, 8);
  lua_pushinteger(L, (lua_Integer)out[0]);
  lua_setfield(L, -2, "count");
  for (int i = 1; i < 8; i++) {
    if (isnan(out[i])) continue;
    lua_pushnumber(L, out[i]);
    lua_setfield(L, -2, keys[i]);
  }
  return 1;
}

/* t:diff(col, [n]), t:shift(col, [n]), t:cumsum(col): a Column as long as t */
static int running(lua_State *L, int what) {
  static const char *const verbs[] = { "diff", "sum" };
  pf_table *t = checktable(L, 1);
  int col = pf_lua_findcol(L, t, 2, luaL_checkstring(L, 2));
  lua_Integer k = what == 2 ? 0 : luaL_optinteger(L, 3, 1);
  pf_colref r = pf_table_colref(t, col);
  const char *name = pf_table_colname(t, col);
  pf_lua_newtable(L);
  int rc;
  pf_column *c;
  if (what == 1) {
    size_t *rows = newrows(L, r.n);
    for (size_t i = 0; i < r.n; i++) rows[i] = pf_shift_row(i, r.n, (long long)k);
    c = pf_column_take(&pf_lua_ctx, r, rows, r.n, name, &rc);
    lua_pop(L, 1);
  } else if (what == 0) {
    c = pf_diff(&pf_lua_ctx, r, NULL, (long long)k, name, &rc);
  } else {
    c = pf_cumsum(&pf_lua_ctx, r, name, &rc);
  }
  if (rc == PF_TABLE_ETYPE)
    return luaL_argerror(L, 2, lua_pushfstring(L, "cannot %s %s column '%s'", verbs[what == 2],
                                               pf_ftype_name(r.c->type), name));
  pf_lua_checkrc(L, rc);
  pf_lua_pushresult(L, -1, c, r.n);
  return 1;
}

static int tbl_diff(lua_State *L) { return running(L, 0); }
static int tbl_shift(lua_State *L) { return running(L, 1); }
static int tbl_cumsum(lua_State *L) { return running(L, 2); }

/* t:join(other, on, [{how = "inner" | "left"}]) */
static int tbl_join(lua_State *L) {
  static const char *const known[] = { "how", NULL };
  static const char *const hows[] = { "inner", "left", NULL };
  pf_table *t = checktable(L, 1);
  pf_table *o = checktable(L, 2);
  lua_settop(L, 4);
  pf_lua_checkopts(L, 4, known);
  int left = 0;
  if (!lua_isnil(L, 4)) {
    int ty = lua_getfield(L, 4, "how");
    if (ty != LUA_TNIL) {
      if (ty != LUA_TSTRING)
        luaL_argerror(L, 4, lua_pushfstring(L, "how: 'inner' or 'left' expected, got %s", luaL_typename(L, -1)));
      const char *how = lua_tostring(L, -1);
      int i = 0;
      while (hows[i] && strcmp(hows[i], how) != 0) i++;
      if (hows[i] == NULL) luaL_argerror(L, 4, lua_pushfstring(L, "how: 'inner' or 'left' expected, got '%s'", how));
      left = i == 1;
    }
    lua_pop(L, 1);
  }
  int nkeys, *li;
  pf_colref *lk = checkkeys(L, t, 3, &nkeys, &li);
  pf_colref *rk = (pf_colref *)lua_newuserdatauv(L, sizeof(pf_colref) * (size_t)nkeys + sizeof(int) * (size_t)nkeys, 0);
  int *ri = (int *)(void *)(rk + nkeys);
  for (int k = 0; k < nkeys; k++) {
    const char *name = pf_table_colname(t, li[k]);
    ri[k] = pf_table_find(o, name);
    if (ri[k] < 0) luaL_argerror(L, 3, lua_pushfstring(L, "no column named '%s' in the other table", name));
    rk[k] = pf_table_colref(o, ri[k]);
    pf_ftype a = lk[k].c->type, b = rk[k].c->type;
    if (a != b && !(pf_type_is_int(a) && pf_type_is_int(b)))
      luaL_argerror(L, 3, lua_pushfstring(L, "key '%s' is %s here and %s in the other table", name, pf_ftype_name(a),
                                          pf_ftype_name(b)));
  }
  /* the pairs of rows, then both sides' rows */
  size_t *lrows, *rrows, n;
  pf_lua_checkrc(L, pf_join(&pf_lua_ctx, lk, rk, nkeys, left, &lrows, &rrows, &n));
  LTable *lt = pf_lua_newtable(L), *rt = pf_lua_newtable(L);
  int rc;
  lt->t = pf_table_take(&pf_lua_ctx, t, lrows, n, &rc);
  if (rc == PF_TABLE_OK) rt->t = pf_table_take(&pf_lua_ctx, o, rrows, n, &rc);
  pf_ctx_alloc(&pf_lua_ctx, lrows, sizeof(size_t) * (n ? n : 1), 0);
  pf_ctx_alloc(&pf_lua_ctx, rrows, sizeof(size_t) * (n ? n : 1), 0);
  pf_lua_checkrc(L, rc);
  /* the columns: all of the left, then the right's other than the keys; a
     name on both sides gets pandas' suffixes _x and _y */
  int nl = pf_table_ncols(t), nr = pf_table_ncols(o), nc = 0;
  pf_column **cols = (pf_column **)lua_newuserdatauv(L, sizeof(pf_column *) * (size_t)(nl + nr), 0);
  const char **names = (const char **)lua_newuserdatauv(L, sizeof(char *) * (size_t)(nl + nr), 0);
  for (int j = 0; j < nl + nr; j++) {
    int right = j >= nl, c = right ? j - nl : j;
    pf_table *src = right ? o : t, *other = right ? t : o;
    const char *name = pf_table_colname(src, c);
    int iskey = 0;
    for (int k = 0; k < nkeys; k++) iskey |= (right ? ri[k] : li[k]) == c;
    if (right && iskey) continue;
    cols[nc] = (pf_column *)pf_table_col(right ? rt->t : lt->t, c);
    names[nc] = name;
    if (!iskey && pf_table_find(other, name) >= 0) {
      int okey = 0;
      for (int k = 0; k < nkeys; k++) okey |= strcmp(pf_table_colname(t, li[k]), name) == 0;
      if (!okey) names[nc] = lua_pushfstring(L, "%s%s", name, right ? "_y" : "_x");
    }
    nc++;
  }
  LTable *out = pf_lua_newtable(L);
  out->t = pf_table_build(&pf_lua_ctx, nc, cols, NULL, names, n);
  if (out->t == NULL) return luaL_error(L, "not enough memory");
  return 1;
}

/* pf.concat(t1, t2, ...) or pf.concat{t1, t2, ...}: the rows of each in turn */
static int pf_concat(lua_State *L) {
  int list = lua_type(L, 1) == LUA_TTABLE && lua_gettop(L) == 1;
  lua_Integer n = list ? luaL_len(L, 1) : lua_gettop(L);
  luaL_argcheck(L, n >= 1, 1, "no tables given");
  luaL_argcheck(L, n <= 0xffffff, 1, "too many tables");
  const pf_table **ts = (const pf_table **)lua_newuserdatauv(L, sizeof(pf_table *) * (size_t)n, 0);
  int anchor = lua_gettop(L);
  lua_createtable(L, (int)n, 0);   /* keeps the list's tables while we run */
  for (lua_Integer i = 1; i <= n; i++) {
    if (list) {
      lua_geti(L, 1, i);
      LTable *lt = (LTable *)luaL_testudata(L, -1, PF_TABLE_MT);
      if (lt == NULL)
        luaL_argerror(L, 1, lua_pushfstring(L, "tables[%I]: pktframe.Table expected, got %s", i, luaL_typename(L, -1)));
      if (lt->t == NULL) luaL_argerror(L, 1, lua_pushfstring(L, "tables[%I]: table is closed", i));
      ts[i - 1] = lt->t;
      lua_rawseti(L, anchor + 1, i);
    } else {
      ts[i - 1] = checktable(L, (int)i);
    }
  }
  LTable *out = pf_lua_newtable(L);
  int rc, bt = 0, bc = 0;
  out->t = pf_table_concat(&pf_lua_ctx, ts, (int)n, &rc, &bt, &bc);
  if (rc == PF_TABLE_ETYPE) {
    const char *name = pf_table_colname(ts[bt], bc);
    int first = 0;
    while (pf_table_find(ts[first], name) < 0) first++;
    const char *t1 = pf_ftype_name(pf_table_col(ts[bt], bc)->type);
    const char *t0 = pf_ftype_name(pf_table_col(ts[first], pf_table_find(ts[first], name))->type);
    if (list)
      return luaL_argerror(L, 1, lua_pushfstring(L, "tables[%d]: column '%s' is %s, but %s in tables[%d]", bt + 1, name,
                                                 t1, t0, first + 1));
    return luaL_argerror(L, bt + 1, lua_pushfstring(L, "column '%s' is %s, but %s in argument #%d", name, t1, t0,
                                                    first + 1));
  }
  pf_lua_checkrc(L, rc);
  return 1;
}

/* pf.read_csv(path, [{sep = ","}]): a Table, or nil and "path: message" */
static int pf_read_csv(lua_State *L) {
  static const char *const known[] = { "sep", NULL };
  const char *path = luaL_checkstring(L, 1);
  lua_settop(L, 2);
  pf_lua_checkopts(L, 2, known);
  char sep = ',';
  if (!lua_isnil(L, 2)) {
    int ty = lua_getfield(L, 2, "sep");
    if (ty != LUA_TNIL) {
      size_t len;
      const char *s = lua_tolstring(L, -1, &len);
      if (ty != LUA_TSTRING || len != 1 || *s == '"' || *s == '\n' || *s == '\r')
        luaL_argerror(L, 2, "sep: one character expected (not a quote or line break)");
      sep = *s;
    }
    lua_pop(L, 1);
  }
  FILE *f = fopen(path, "rb");
  if (f == NULL) return luaL_fileresult(L, 0, path);
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  size_t got;
  do {
    char *p = luaL_prepbuffsize(&b, 1 << 16);
    got = fread(p, 1, 1 << 16, f);
    luaL_addsize(&b, got);
  } while (got > 0);
  int err = ferror(f);
  int saved = errno;
  fclose(f);
  if (err) {
    errno = saved;
    return luaL_fileresult(L, 0, path);
  }
  luaL_pushresult(&b);
  size_t len;
  const char *text = lua_tolstring(L, -1, &len);
  LTable *out = pf_lua_newtable(L);
  int rc;
  char msg[512];
  out->t = pf_csv_parse(&pf_lua_ctx, text, len, sep, &rc, msg, sizeof msg);
  if (rc == PF_TABLE_EWRITE) return pf_lua_fail(L, lua_pushfstring(L, "%s: %s", path, msg));
  pf_lua_checkrc(L, rc);
  return 1;
}

static const luaL_Reg verb_methods[] = {
  {"filter", tbl_filter},
  {"with", tbl_with},
  {"sort", tbl_sort},
  {"unique", tbl_unique},
  {"value_counts", tbl_value_counts},
  {"describe", tbl_describe},
  {"diff", tbl_diff},
  {"shift", tbl_shift},
  {"cumsum", tbl_cumsum},
  {"join", tbl_join},
  {NULL, NULL}
};

void pf_lua_open_verbs(lua_State *L) {
  luaL_getmetatable(L, PF_TABLE_MT);
  lua_getfield(L, -1, "__index");
  luaL_setfuncs(L, verb_methods, 0);
  lua_pop(L, 2);
}

void pf_lua_verbs_register(lua_State *L) {
  lua_pushcfunction(L, pf_concat);
  lua_setfield(L, -2, "concat");
  lua_pushcfunction(L, pf_read_csv);
  lua_setfield(L, -2, "read_csv");
}
