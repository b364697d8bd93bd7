/* aux.c: the helpers every Lua binding file shares (aux.h), as lauxlib is Lua's.
   It calls no other binding file: the others are built on it. */
#include "aux.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int pf_lua_findcol(lua_State *L, pf_table *t, int arg, const char *name) {
  int i = pf_table_find(t, name);
  if (i < 0) luaL_argerror(L, arg, lua_pushfstring(L, "no column named '%s'", name));
  return i;
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
