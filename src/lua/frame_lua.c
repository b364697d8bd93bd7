/* frame_lua.c: pf.table{{name, values}, ...}: a Table made from Lua lists (small results of analyses). */
#include <string.h>

#include "lauxlib.h"
#include "lua.h"
#include "pktframe_lua.h"
#include "table.h"

#define MAXCOLS 256

/* The length of the list at idx: its field n when it is an integer, else #list. */
static lua_Integer listlen(lua_State *L, int idx) {
  lua_Integer n;
  idx = lua_absindex(L, idx);
  if (lua_getfield(L, idx, "n") == LUA_TNUMBER && lua_isinteger(L, -1)) n = lua_tointeger(L, -1);
  else n = (lua_Integer)lua_rawlen(L, idx);
  lua_pop(L, 1);
  return n;
}

/* pf.table{ {"name", {v1, v2, ...}}, ... } -> Table. Each column's type is inferred as t:with
   infers it (int, double, string or bool; nil is a null); every list must be as long as the first. */
static int l_table(lua_State *L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_settop(L, 1);
  int ncols = (int)luaL_len(L, 1);
  luaL_argcheck(L, ncols >= 1, 1, "no columns given");
  luaL_argcheck(L, ncols <= MAXCOLS, 1, "more than 256 columns");
  lua_Integer nrows = -1;
  /* check everything before anything is allocated */
  for (int i = 1; i <= ncols; i++) {
    if (lua_rawgeti(L, 1, i) != LUA_TTABLE)
      return luaL_argerror(L, 1, lua_pushfstring(L, "column %d: {name, values} expected, got %s", i,
                                                 luaL_typename(L, -1)));
    if (lua_rawgeti(L, -1, 1) != LUA_TSTRING)
      return luaL_argerror(L, 1, lua_pushfstring(L, "column %d: name expected, got %s", i, luaL_typename(L, -1)));
    const char *name = lua_tostring(L, -1);
    for (int j = 1; j < i; j++) {
      lua_rawgeti(L, 1, j);
      lua_rawgeti(L, -1, 1);
      int same = strcmp(lua_tostring(L, -1), name) == 0;
      lua_pop(L, 2);
      if (same) return luaL_argerror(L, 1, lua_pushfstring(L, "column '%s' given twice", name));
    }
    if (lua_rawgeti(L, -2, 2) != LUA_TTABLE)
      return luaL_argerror(L, 1, lua_pushfstring(L, "column '%s': list of values expected, got %s", name,
                                                 luaL_typename(L, -1)));
    lua_Integer n = listlen(L, -1);
    if (nrows < 0) nrows = n;
    else if (n != nrows)
      return luaL_argerror(L, 1, lua_pushfstring(L, "column '%s' has %I values, the first column %I", name, n,
                                                 nrows));
    lua_pop(L, 3);
  }
  /* one column at a time: each new table holds the ones before it and pins nothing else */
  LTable *acc = NULL;
  for (int i = 1; i <= ncols; i++) {
    lua_rawgeti(L, 1, i);
    lua_rawgeti(L, -1, 1);
    lua_rawgeti(L, -2, 2);
    const char *name = lua_tostring(L, -2);
    LTable *h = pf_lua_newtable(L);                 /* [.. spec name list holder] */
    const char *why;
    pf_column *c = pf_lua_valuescolumn(L, -2, (size_t)nrows, name, &why);
    if (c == NULL) {
      if (strcmp(why, "not enough memory") == 0) return luaL_error(L, "not enough memory");
      return luaL_argerror(L, 1, lua_pushfstring(L, "column '%s': %s", name, why));
    }
    (void)h;
    pf_lua_pushresult(L, -1, c, (size_t)nrows);     /* holder is now a Column view */
    LColumn *lc = pf_lua_checkcolumn(L, -1);
    if (acc == NULL) {
      lua_getiuservalue(L, -1, 1);                  /* the one-column table the view pins */
      acc = (LTable *)lua_touserdata(L, -1);
    } else {
      LTable *next = pf_lua_newtable(L);
      next->t = pf_table_with(acc->t, name, pf_lua_colref(lc));
      if (next->t == NULL) return luaL_error(L, "not enough memory");
      acc = next;
    }
    /* keep only the accumulated table above the spec */
    lua_replace(L, 2);
    lua_settop(L, 2);
  }
  return 1;
}

void pf_lua_frame_register(lua_State *L) {
  lua_pushcfunction(L, l_table);
  lua_setfield(L, -2, "table");
}
