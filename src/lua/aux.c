/* aux.c: the helpers every Lua binding file shares (aux.h), as lauxlib is Lua's.
   It calls no other binding file: the others are built on it. */
#include "aux.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "budget.h"
#include "fields.h"
#include "groupby.h"
#include "lauxlib.h"
#include "lua.h"
#include "table.h"

volatile sig_atomic_t pf_lua_interrupted = 0;

const pf_ctx pf_lua_ctx = { NULL, NULL, &pf_lua_interrupted };

/* ---- errors ---- */

int pf_lua_fail(lua_State *L, const char *msg) {
  luaL_pushfail(L);
  lua_pushstring(L, msg);
  return 2;
}

void pf_lua_checkrc(lua_State *L, int rc) {
  if (rc == PF_TABLE_ENOMEM) luaL_error(L, "not enough memory");
  if (rc == PF_TABLE_EINTR) {
    pf_lua_interrupted = 0;
    luaL_error(L, "interrupted");
  }
}

const char *pf_lua_pushunknownfield(lua_State *L, const char *name) {
  size_t n = pf_field_unknown(name, NULL, 0);
  luaL_Buffer b;
  char *p = luaL_buffinitsize(L, &b, n + 1);
  pf_field_unknown(name, p, n + 1);
  luaL_pushresultsize(&b, n);
  return lua_tostring(L, -1);
}

int *pf_lua_checkfields(lua_State *L, int idx, int arg, int *nfids) {
  idx = lua_absindex(L, idx);
  lua_Integer n = luaL_len(L, idx);
  if (n < 1) luaL_argerror(L, arg, "no fields requested");
  if (n > 4096) luaL_argerror(L, arg, "too many fields");
  int *fids = (int *)lua_newuserdatauv(L, sizeof(int) * (size_t)n, 0);
  unsigned char seen[PF_MAXFIELDS];
  memset(seen, 0, sizeof seen);
  for (lua_Integer i = 1; i <= n; i++) {
    lua_geti(L, idx, i);
    if (lua_type(L, -1) != LUA_TSTRING)
      luaL_argerror(L, arg, lua_pushfstring(L, "fields[%I]: string expected, got %s", i, luaL_typename(L, -1)));
    const char *name = lua_tostring(L, -1);
    int fid = pf_field_lookup(name);
    if (fid < 0) luaL_argerror(L, arg, pf_lua_pushunknownfield(L, name));
    if (seen[fid]++) luaL_argerror(L, arg, lua_pushfstring(L, "field '%s' requested twice", name));
    fids[i - 1] = fid;
    lua_pop(L, 1);
  }
  *nfids = (int)n;
  return fids;
}

/* ---- options ---- */

void pf_lua_checkopts(lua_State *L, int arg, const char *const *known) {
  if (lua_isnoneornil(L, arg)) return;
  luaL_checktype(L, arg, LUA_TTABLE);
  lua_pushnil(L);
  while (lua_next(L, arg) != 0) {
    lua_pop(L, 1);
    int ok = 0;
    if (lua_type(L, -1) == LUA_TSTRING)
      for (int i = 0; known[i] && !ok; i++) ok = strcmp(known[i], lua_tostring(L, -1)) == 0;
    if (!ok) {
      if (lua_type(L, -1) == LUA_TSTRING)
        luaL_argerror(L, arg, lua_pushfstring(L, "unknown option '%s'", lua_tostring(L, -1)));
      luaL_argerror(L, arg, lua_pushfstring(L, "unknown option of type %s", luaL_typename(L, -1)));
    }
  }
}

int pf_lua_optbool(lua_State *L, int arg, const char *key, int def) {
  if (lua_isnoneornil(L, arg)) return def;
  int t = lua_getfield(L, arg, key);
  int v = def;
  if (t == LUA_TBOOLEAN) v = lua_toboolean(L, -1);
  else if (t != LUA_TNIL)
    luaL_argerror(L, arg, lua_pushfstring(L, "%s: boolean expected, got %s", key, luaL_typename(L, -1)));
  lua_pop(L, 1);
  return v;
}

int pf_lua_optthreads(lua_State *L, int opts) {
  lua_Integer n = 1;
  int t = lua_istable(L, opts) ? lua_getfield(L, opts, "threads") : LUA_TNONE;
  if (t != LUA_TNIL && t != LUA_TNONE) {
    int isint = 0;
    if (t == LUA_TNUMBER) n = lua_tointegerx(L, -1, &isint);
    if (!isint || n < 1 || n > 64)
      luaL_argerror(L, opts, lua_pushfstring(L, "threads: integer from 1 to 64 expected, got %s",
                                             t == LUA_TNUMBER ? lua_tostring(L, -1) : luaL_typename(L, -1)));
  } else {
    if (t == LUA_TNIL) lua_pop(L, 1);
    if (lua_getfield(L, LUA_REGISTRYINDEX, PF_LUA_THREADS_KEY) == LUA_TNUMBER) n = lua_tointeger(L, -1);
  }
  lua_pop(L, 1);
  return (int)n;
}

int pf_lua_optprogress(lua_State *L, pf_progress_fn *fn, void **ud) {
  int has = 0;
  if (lua_getfield(L, LUA_REGISTRYINDEX, PF_LUA_PROGRESS_KEY) == LUA_TLIGHTUSERDATA) {
    const pf_lua_progress *pg = (const pf_lua_progress *)lua_touserdata(L, -1);
    *fn = pg->fn;
    *ud = pg->ud;
    has = 1;
  }
  lua_pop(L, 1);
  return has;
}

void pf_lua_optresample(lua_State *L, int opts, const char **on, int *origin) {
  static const char *const known[] = { "on", "origin", NULL };
  static const char *const origins[] = { "start_day", "epoch", "start", NULL };
  pf_lua_checkopts(L, opts, known);
  *on = "frame.time_epoch";
  *origin = PF_ORIGIN_START_DAY;
  if (lua_isnoneornil(L, opts)) return;
  int ty = lua_getfield(L, opts, "on");
  if (ty != LUA_TNIL && ty != LUA_TSTRING)
    luaL_argerror(L, opts, lua_pushfstring(L, "on: column name expected, got %s", luaL_typename(L, -1)));
  if (ty == LUA_TSTRING) *on = lua_tostring(L, -1);   /* anchored in the options */
  lua_pop(L, 1);
  ty = lua_getfield(L, opts, "origin");
  if (ty != LUA_TNIL) {
    const char *o = ty == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
    int k = 0;
    while (o && origins[k] && strcmp(origins[k], o) != 0) k++;
    if (o == NULL || origins[k] == NULL)
      luaL_argerror(L, opts, lua_pushfstring(L, "origin: 'start_day', 'epoch' or 'start' expected, got %s%s%s",
                                             o ? "'" : "", o ? o : luaL_typename(L, -1), o ? "'" : ""));
    *origin = k;
  }
  lua_pop(L, 1);
}

int pf_lua_budget(lua_State *L, int opts, const char *fn, pf_budget *b, char *label, size_t n) {
  (void)fn;
  memset(b, 0, sizeof *b);
  label[0] = 0;
  opts = lua_absindex(L, opts);
  int t = lua_istable(L, opts) ? lua_getfield(L, opts, "max_memory") : LUA_TNIL;
  int fromreg = 0;
  if (t == LUA_TNIL) {
    if (lua_istable(L, opts)) lua_pop(L, 1);
    t = lua_getfield(L, LUA_REGISTRYINDEX, PF_LUA_MAXMEM_KEY);
    fromreg = 1;
    if (t == LUA_TNIL) {
      lua_pop(L, 1);
      return 0;
    }
  }
  size_t bytes = 0;
  if (t == LUA_TNUMBER) {
    lua_Number v = lua_tonumber(L, -1);
    if (!lua_isinteger(L, -1) || v < 1)
      luaL_argerror(L, opts, lua_pushfstring(L, "max_memory: a positive whole number of bytes or a size such as "
                                                "\"512M\" expected, got %s", lua_tostring(L, -1)));
    bytes = (size_t)lua_tointeger(L, -1);
    pf_budget_format(bytes, label, n);
  } else if (t == LUA_TSTRING) {
    const char *s = lua_tostring(L, -1);
    if (pf_budget_parse(s, &bytes) < 0) {
      if (fromreg) luaL_error(L, "--max-memory: bad size '%s'", s);
      luaL_argerror(L, opts, lua_pushfstring(L, "max_memory: bad size '%s': expected bytes or a number and K, M, G "
                                                "or T (\"512M\", \"1.5G\")", s));
    }
    snprintf(label, n, "%s", s);
  } else {
    luaL_argerror(L, opts, lua_pushfstring(L, "max_memory: size expected, got %s", luaL_typename(L, -1)));
  }
  lua_pop(L, 1);
  b->limit = bytes;
  return 1;
}

void pf_lua_budget_error(lua_State *L, const char *file, uint64_t pktno, const char *label, const char *what,
                         size_t count, const char *unit, size_t bytes) {
  lua_pushfstring(L, "%s: packet %I: memory budget %s reached (%s %I %s%s, %I bytes)", file, (lua_Integer)pktno,
                  label, what, (lua_Integer)count, unit, count == 1 ? "" : "s", (lua_Integer)bytes);
}

/* ---- the Table and Groups userdata ---- */

LTable *pf_lua_newtable(lua_State *L) {
  LTable *lt = (LTable *)lua_newuserdatauv(L, sizeof(LTable), 0);
  lt->t = NULL;
  luaL_setmetatable(L, PF_TABLE_MT);
  return lt;
}

pf_table *pf_lua_checktable(lua_State *L, int arg) {
  LTable *lt = (LTable *)luaL_checkudata(L, arg, PF_TABLE_MT);
  luaL_argcheck(L, lt->t != NULL, arg, "table is closed");
  return lt->t;
}

const char *pf_lua_pushnocolumn(lua_State *L, const pf_table *t, const char *name) {
  int nc = pf_table_ncols(t);
  const char *names[64], *sug[3];
  int nn = nc < 64 ? nc : 64;   /* suggestions among the first 64 columns: tables are narrow */
  for (int i = 0; i < nn; i++) names[i] = pf_table_colname(t, i);
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  lua_pushfstring(L, "no column named '%s'", name);
  luaL_addvalue(&b);
  int ns = pf_name_suggest(name, names, nn, sug, 3);
  for (int i = 0; i < ns; i++) {
    luaL_addstring(&b, i == 0 ? "; did you mean '" : i == ns - 1 ? " or '" : ", '");
    luaL_addstring(&b, sug[i]);
    luaL_addstring(&b, i == ns - 1 ? "'?" : "'");
  }
  if (ns == 0 && pf_field_lookup(name) >= 0) {
    lua_pushfstring(L, "; '%s' is a field the table was not read with: add it to pf.read's fields, "
                       "or t:reread{fields = {\"%s\"}}", name, name);
    luaL_addvalue(&b);
  }
  if (nc) luaL_addstring(&b, ns ? " Columns: " : "; columns: ");
  else luaL_addstring(&b, "; the table has no columns");
  for (int i = 0; i < nc && i < 40; i++) {
    if (i) luaL_addstring(&b, ", ");
    luaL_addstring(&b, pf_table_colname(t, i));
  }
  if (nc > 40) {
    lua_pushfstring(L, ", ... %d more", nc - 40);
    luaL_addvalue(&b);
  }
  luaL_pushresult(&b);
  return lua_tostring(L, -1);
}

int pf_lua_findcol(lua_State *L, pf_table *t, int arg, const char *name) {
  int i = pf_table_find(t, name);
  if (i < 0) luaL_argerror(L, arg, pf_lua_pushnocolumn(L, t, name));
  return i;
}

/* ---- display options ---- */

static size_t terminal_width(void) {
  struct winsize ws;
  if (isatty(1) && ioctl(1, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  const char *cols = getenv("COLUMNS");
  if (cols && *cols) {
    char *end;
    long n = strtol(cols, &end, 10);
    if (*end == 0 && n > 0 && n < 100000) return (size_t)n;
  }
  return PF_RENDER_WIDTH;
}

static const char *const render_keys[] = { "all", "width", "max_rows", "min_rows", "max_cols", "max_colwidth", "dates", NULL };

/* Reads the display keys of the table at idx into o; where names the table in errors
   (NULL: argument arg of the running function). */
static void render_from(lua_State *L, int idx, int arg, const char *where, pf_render_opts *o) {
  idx = lua_absindex(L, idx);
  size_t *dest[] = { &o->width, &o->max_rows, &o->min_rows, &o->max_cols, &o->max_colwidth };
  for (int k = 0; render_keys[k]; k++) {
    int t = lua_getfield(L, idx, render_keys[k]);
    if (t != LUA_TNIL) {
      const char *bad = NULL;
      if (k == 0 || k == 6) {   /* all (first, so that the other keys override it), dates: booleans */
        if (t != LUA_TBOOLEAN) bad = "boolean";
        else if (k == 6) o->dates = lua_toboolean(L, -1);
        else if (lua_toboolean(L, -1)) o->width = o->max_rows = o->max_cols = o->max_colwidth = 0;
      } else if (t == LUA_TBOOLEAN && !lua_toboolean(L, -1)) {
        *dest[k - 1] = 0;
      } else {
        int isint;
        lua_Integer v = lua_tointegerx(L, -1, &isint);
        if (t != LUA_TNUMBER || !isint || v < 0) bad = "non-negative integer or false";
        else *dest[k - 1] = (size_t)v;
      }
      if (bad) {
        const char *msg = lua_pushfstring(L, "%s: %s expected, got %s", render_keys[k], bad,
                                          t == LUA_TNUMBER ? lua_tostring(L, -1) : luaL_typename(L, -1));
        if (where) luaL_error(L, "%s.%s", where, msg);
        else luaL_argerror(L, arg, msg);
      }
    }
    lua_pop(L, 1);
  }
}

void pf_lua_renderopts(lua_State *L, int arg, pf_render_opts *o) {
  o->width = terminal_width();
  o->max_rows = PF_RENDER_MAX_ROWS;
  o->min_rows = PF_RENDER_MIN_ROWS;
  o->max_colwidth = 50;
  o->max_cols = 0;
  o->dates = 1;
  o->series = 0;
  int top = lua_gettop(L);
  if (lua_getfield(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE) == LUA_TTABLE &&
      lua_getfield(L, -1, "pktframe") == LUA_TTABLE && lua_getfield(L, -1, "options") == LUA_TTABLE &&
      lua_getfield(L, -1, "display") == LUA_TTABLE)
    render_from(L, -1, 0, "pf.options.display", o);
  lua_settop(L, top);
  if (arg > 0 && !lua_isnoneornil(L, arg)) {
    luaL_checktype(L, arg, LUA_TTABLE);
    pf_lua_checkopts(L, arg, render_keys);
    render_from(L, arg, arg, NULL, o);
  }
  if (o->min_rows > o->max_rows && o->max_rows) o->min_rows = o->max_rows;
}

#define PF_BUFFER_MT "pktframe.Buffer"

static int buf_gc(lua_State *L) {
  pf_lua_buf *b = (pf_lua_buf *)luaL_checkudata(L, 1, PF_BUFFER_MT);
  free(b->p);
  b->p = NULL;
  b->len = b->cap = 0;
  return 0;
}

pf_lua_buf *pf_lua_newbuf(lua_State *L) {
  pf_lua_buf *b = (pf_lua_buf *)lua_newuserdatauv(L, sizeof(pf_lua_buf), 0);
  memset(b, 0, sizeof *b);
  if (luaL_newmetatable(L, PF_BUFFER_MT)) {
    lua_pushcfunction(L, buf_gc);
    lua_setfield(L, -2, "__gc");
  }
  lua_setmetatable(L, -2);
  return b;
}

int pf_lua_bufwrite(void *ud, const char *s, size_t n) {
  pf_lua_buf *b = (pf_lua_buf *)ud;
  if (pf_lua_interrupted) { b->interrupted = 1; return 1; }
  if (n > b->cap - b->len) {
    size_t ncap = b->cap ? b->cap : 4096;
    while (ncap - b->len < n) {
      if (ncap > (size_t)-1 / 2) { b->oom = 1; return 1; }
      ncap *= 2;
    }
    char *np = (char *)realloc(b->p, ncap);
    if (np == NULL) { b->oom = 1; return 1; }
    b->p = np;
    b->cap = ncap;
  }
  memcpy(b->p + b->len, s, n);
  b->len += n;
  return 0;
}

void pf_lua_pushrender(lua_State *L, const pf_table *t, const pf_render_opts *o) {
  pf_lua_buf *b = pf_lua_newbuf(L);
  int rc = pf_table_render(t, o, pf_lua_bufwrite, b);
  if (rc != PF_TABLE_OK) {
    if (b->interrupted) {
      pf_lua_interrupted = 0;
      luaL_error(L, "interrupted");
    }
    luaL_error(L, "not enough memory");
  }
  lua_pushlstring(L, b->p ? b->p : "", b->len);
  lua_remove(L, -2);
}

static int lgroups_gc(lua_State *L) {
  LGroups *lg = (LGroups *)lua_touserdata(L, 1);
  size_t ng = lg->g.ngroups ? lg->g.ngroups : 1;
  if (lg->outer_of) pf_ctx_alloc(&lg->g.ctx, lg->outer_of, ng * sizeof(size_t), 0);
  if (lg->bstart) pf_ctx_alloc(&lg->g.ctx, lg->bstart, ng * sizeof(pf_time), 0);
  lg->outer_of = NULL;
  lg->bstart = NULL;
  pf_groups_free(&lg->g);
  return 0;
}

LGroups *pf_lua_newgroups(lua_State *L) {
  LGroups *lg = (LGroups *)lua_newuserdatauv(L, sizeof(LGroups), 0);
  memset(lg, 0, sizeof *lg);
  if (luaL_newmetatable(L, "pktframe.Groups")) {
    lua_pushcfunction(L, lgroups_gc);
    lua_setfield(L, -2, "__gc");
  }
  lua_setmetatable(L, -2);
  return lg;
}

/* ---- aggregation specs ---- */

static int sort_by_name(const void *a, const void *b) {
  return strcmp(((const pf_lua_aggspec *)a)->name, ((const pf_lua_aggspec *)b)->name);
}

/* Reads one {col, fn} (at idx, from position first, named s->name) into s;
   with fns (not 0) a function goes into the table at fns under the output
   name, without one it is refused. */
static void readagg(lua_State *L, int arg, int idx, int first, pf_lua_aggspec *s, pf_lua_aggcol_fn find, void *ud,
                    int fns) {
  lua_geti(L, idx, first);
  if (lua_type(L, -1) != LUA_TSTRING)
    luaL_argerror(L, arg, lua_pushfstring(L, "aggregation '%s': column name expected, got %s", s->name,
                                          luaL_typename(L, -1)));
  const char *col = lua_tostring(L, -1);
  pf_ftype ty = PF_FT_NONE;
  s->col = col;
  s->id = find(L, ud, col, &ty);
  if (s->id < 0) luaL_argerror(L, arg, lua_pushfstring(L, "no column named '%s' for '%s'", col, s->name));
  lua_geti(L, idx, first + 1);
  if (lua_type(L, -1) == LUA_TFUNCTION) {
    if (fns == 0)
      luaL_argerror(L, arg, lua_pushfstring(L, "aggregation '%s': a Lua function needs every value of a group, "
                                               "which a scan does not keep (use a named aggregation, or pf.read)",
                                            s->name));
    s->fn = -1;
    lua_pushvalue(L, -1);
    lua_setfield(L, fns, s->name);
  } else {
    if (lua_type(L, -1) != LUA_TSTRING)
      luaL_argerror(L, arg, lua_pushfstring(L, "aggregation for '%s': name or function expected, got %s", s->name,
                                            luaL_typename(L, -1)));
    const char *fn = lua_tostring(L, -1);
    s->fn = 0;
    while (pf_agg_names[s->fn] && strcmp(pf_agg_names[s->fn], fn) != 0) s->fn++;
    if (pf_agg_names[s->fn] == NULL) {
      luaL_Buffer b;
      luaL_buffinit(L, &b);
      for (int i = 0; pf_agg_names[i]; i++) {
        luaL_addstring(&b, i ? ", " : "");
        luaL_addstring(&b, pf_agg_names[i]);
      }
      luaL_pushresult(&b);
      luaL_argerror(L, arg, lua_pushfstring(L, "unknown aggregation '%s' for '%s'; expected one of %s or a function",
                                            fn, s->name, lua_tostring(L, -1)));
    }
    if (!pf_agg_supports(s->fn, ty))
      luaL_argerror(L, arg, lua_pushfstring(L, "'%s' is not defined for %s column '%s' (for '%s')", fn,
                                            pf_ftype_name(ty), col, s->name));
  }
  lua_pop(L, 2);
}

pf_lua_aggspec *pf_lua_checkaggs(lua_State *L, int arg, pf_lua_aggcol_fn find, void *ud, int *fns,
                                 const char **taken, int ntaken, int *nspec) {
  luaL_checktype(L, arg, LUA_TTABLE);
  lua_Integer nl = luaL_len(L, arg);
  int n = 0;
  lua_pushnil(L);
  while (lua_next(L, arg) != 0) {
    lua_pop(L, 1);
    if (n < 4096) n++;
    if (!lua_isinteger(L, -1) && lua_type(L, -1) != LUA_TSTRING)
      luaL_argerror(L, arg, lua_pushfstring(L, "aggregation keys are names or list positions, got %s",
                                            luaL_typename(L, -1)));
  }
  luaL_argcheck(L, n > 0, arg, "no aggregations given");
  luaL_argcheck(L, n < 4096, arg, "too many aggregations");
  int ft = 0;
  if (fns) {
    lua_newtable(L);
    ft = *fns = lua_gettop(L);
  }
  pf_lua_aggspec *s = (pf_lua_aggspec *)lua_newuserdatauv(L, sizeof(pf_lua_aggspec) * (size_t)n, 0);
  int k = 0;
  for (lua_Integer i = 1; i <= nl; i++) {
    lua_geti(L, arg, i);
    int e = lua_gettop(L);
    if (lua_type(L, e) != LUA_TTABLE || lua_geti(L, e, 1) != LUA_TSTRING)
      luaL_argerror(L, arg, lua_pushfstring(L, "aggregations[%I]: {name, column, function} expected", i));
    s[k].name = lua_tostring(L, -1);   /* anchored: the entry is in the spec table */
    lua_pop(L, 1);
    readagg(L, arg, e, 2, &s[k], find, ud, ft);
    lua_pop(L, 1);
    k++;
  }
  int listed = k;
  lua_pushnil(L);
  while (lua_next(L, arg) != 0) {
    if (lua_type(L, -2) == LUA_TSTRING) {
      s[k].name = lua_tostring(L, -2);
      if (lua_type(L, -1) != LUA_TTABLE)
        luaL_argerror(L, arg, lua_pushfstring(L, "aggregation '%s': {column, function} expected, got %s", s[k].name,
                                              luaL_typename(L, -1)));
      readagg(L, arg, lua_gettop(L), 1, &s[k], find, ud, ft);
      k++;
    } else if (!(lua_isinteger(L, -2) && lua_tointeger(L, -2) >= 1 && lua_tointeger(L, -2) <= nl)) {
      luaL_argerror(L, arg, lua_pushfstring(L, "aggregations[%I]: not part of the list", lua_tointeger(L, -2)));
    }
    lua_pop(L, 1);
  }
  qsort(s + listed, (size_t)(k - listed), sizeof *s, sort_by_name);
  for (int i = 0; i < k; i++) {
    for (int j = 0; j < ntaken; j++)
      if (strcmp(s[i].name, taken[j]) == 0)
        luaL_argerror(L, arg, lua_pushfstring(L, "'%s' names a key column", s[i].name));
    for (int j = 0; j < i; j++)
      if (strcmp(s[i].name, s[j].name) == 0)
        luaL_argerror(L, arg, lua_pushfstring(L, "two aggregations named '%s'", s[i].name));
  }
  *nspec = k;
  return s;
}
