/* column_lua.c: the pktframe.Column userdata: a view of one column that pins its table. */
#include <string.h>

#include "decode.h"
#include "lauxlib.h"
#include "lua.h"
#include "pktframe_lua.h"
#include "table.h"

/* The view: the column stays valid while the pinned table (user value 1) is
   open, since the table holds a reference to it; n is the table's row count,
   which may be less than the column holds when columns are shared. */
typedef struct LColumn {
  const pf_column *c;
  size_t n;
} LColumn;

/* Checks that arg is a column whose table is still open. */
static LColumn *checkcolumn(lua_State *L, int arg) {
  LColumn *lc = (LColumn *)luaL_checkudata(L, arg, PF_COLUMN_MT);
  lua_getiuservalue(L, arg, 1);
  LTable *lt = (LTable *)lua_touserdata(L, -1);
  lua_pop(L, 1);
  luaL_argcheck(L, lt != NULL && lt->t != NULL, arg, "table is closed");
  return lc;
}

void pf_lua_pushcolumn(lua_State *L, int tbl, int col) {
  tbl = lua_absindex(L, tbl);
  LTable *lt = (LTable *)luaL_checkudata(L, tbl, PF_TABLE_MT);
  LColumn *lc = (LColumn *)lua_newuserdatauv(L, sizeof(LColumn), 1);
  lc->c = pf_table_col(lt->t, col);
  lc->n = pf_table_nrows(lt->t);
  luaL_setmetatable(L, PF_COLUMN_MT);
  lua_pushvalue(L, tbl);
  lua_setiuservalue(L, -2, 1);
}

void pf_lua_pushcell(lua_State *L, const pf_column *c, size_t row, size_t occ) {
  pf_val v;
  char buf[64];
  if (!pf_column_get(c, row, occ, &v)) {
    lua_pushnil(L);
    return;
  }
  switch (c->type) {
    case PF_FT_NONE: lua_pushboolean(L, 1); break;
    /* tshark prints booleans as 0/1 and analysts group on them: keep them numbers */
    case PF_FT_BOOL: lua_pushinteger(L, v.v.u ? 1 : 0); break;
    case PF_FT_UINT: case PF_FT_FRAMENUM: lua_pushinteger(L, (lua_Integer)v.v.u); break;
    case PF_FT_INT: lua_pushinteger(L, (lua_Integer)v.v.i); break;
    case PF_FT_DOUBLE: lua_pushnumber(L, (lua_Number)v.v.d); break;
    case PF_FT_ABSTIME: case PF_FT_RELTIME: lua_pushnumber(L, (lua_Number)pf_time_to_double(v.v.t)); break;
    case PF_FT_STRING: lua_pushlstring(L, (const char *)v.v.s.p, v.v.s.len); break;
    case PF_FT_BYTES: {
      luaL_Buffer b;
      size_t need = (size_t)v.v.s.len * 2;
      char *s = luaL_buffinitsize(L, &b, need + 1);
      pf_val_format(c->fid, &v, s, need + 1);
      luaL_pushresultsize(&b, need);
      break;
    }
    case PF_FT_IPV4: case PF_FT_IPV6: case PF_FT_ETHER:
      pf_val_format(c->fid, &v, buf, sizeof buf);
      lua_pushstring(L, buf);
      break;
    default: lua_pushnil(L); break;
  }
}

/* Row index argument: 0-based row, or (size_t)-1 when outside the column. */
static size_t checkrow(lua_State *L, const LColumn *lc, int arg) {
  lua_Integer i = luaL_checkinteger(L, arg);
  if (i < 1 || (lua_Unsigned)i > (lua_Unsigned)lc->n) return (size_t)-1;
  return (size_t)(i - 1);
}

static int col_len(lua_State *L) {
  lua_pushinteger(L, (lua_Integer)checkcolumn(L, 1)->n);
  return 1;
}

/* c[i] for integer keys (nil for a null or outside 1..#c), methods for string keys. */
static int col_index(lua_State *L) {
  if (lua_type(L, 2) == LUA_TSTRING) {
    lua_pushvalue(L, 2);
    lua_rawget(L, lua_upvalueindex(1));
    return 1;
  }
  LColumn *lc = checkcolumn(L, 1);
  int isint;
  lua_Integer i = lua_tointegerx(L, 2, &isint);
  if (!isint || i < 1 || (lua_Unsigned)i > (lua_Unsigned)lc->n) {
    lua_pushnil(L);
    return 1;
  }
  pf_lua_pushcell(L, lc->c, (size_t)(i - 1), 0);
  return 1;
}

static int col_tostring(lua_State *L) {
  LColumn *lc = (LColumn *)luaL_checkudata(L, 1, PF_COLUMN_MT);
  lua_getiuservalue(L, 1, 1);
  LTable *lt = (LTable *)lua_touserdata(L, -1);
  if (lt == NULL || lt->t == NULL) {
    lua_pushliteral(L, "pktframe.Column (closed)");
    return 1;
  }
  lua_pushfstring(L, "pktframe.Column '%s' (%s, %I rows)", pf_column_name(lc->c), pf_ftype_name(lc->c->type),
                  (lua_Integer)lc->n);
  return 1;
}

static int col_name(lua_State *L) {
  lua_pushstring(L, pf_column_name(checkcolumn(L, 1)->c));
  return 1;
}

static int col_type(lua_State *L) {
  lua_pushstring(L, pf_ftype_name(checkcolumn(L, 1)->c->type));
  return 1;
}

/* c:totable(): {v1, v2, ..., n = #c} with nil holes for the nulls. */
static int col_totable(lua_State *L) {
  LColumn *lc = checkcolumn(L, 1);
  lua_createtable(L, lc->n > (size_t)0x7fffffff ? 0x7fffffff : (int)lc->n, 1);
  for (size_t r = 0; r < lc->n; r++) {
    if (!pf_column_valid(lc->c, r)) continue;
    pf_lua_pushcell(L, lc->c, r, 0);
    lua_rawseti(L, -2, (lua_Integer)r + 1);
  }
  lua_pushinteger(L, (lua_Integer)lc->n);
  lua_setfield(L, -2, "n");
  return 1;
}

/* c:all(i): every occurrence in packet order ({} for a null), nil outside 1..#c. */
static int col_all(lua_State *L) {
  LColumn *lc = checkcolumn(L, 1);
  size_t r = checkrow(L, lc, 2);
  if (r == (size_t)-1) {
    luaL_pushfail(L);
    return 1;
  }
  size_t k = pf_column_count(lc->c, r);
  lua_createtable(L, k > 64 ? 64 : (int)k, 0);
  for (size_t occ = 0; occ < k; occ++) {
    pf_lua_pushcell(L, lc->c, r, occ);
    lua_rawseti(L, -2, (lua_Integer)occ + 1);
  }
  return 1;
}

/* c:ns(i): a time as integer nanoseconds; nil for a null or outside 1..#c;
   nil and a message when it does not fit in an integer (pcapng lets a time
   reach 1.8e13 s). */
static int col_ns(lua_State *L) {
  LColumn *lc = checkcolumn(L, 1);
  pf_ftype t = lc->c->type;
  if (t != PF_FT_ABSTIME && t != PF_FT_RELTIME)
    return luaL_argerror(L, 1, lua_pushfstring(L, "abstime or reltime column expected, got %s", pf_ftype_name(t)));
  size_t r = checkrow(L, lc, 2);
  pf_val v;
  if (r == (size_t)-1 || !pf_column_get(lc->c, r, 0, &v)) {
    luaL_pushfail(L);
    return 1;
  }
  const lua_Integer NS = 1000000000;
  lua_Integer s = (lua_Integer)v.v.t.secs, ns = (lua_Integer)v.v.t.nsecs;
  if (s > (LUA_MAXINTEGER - (ns > 0 ? ns : 0)) / NS || s < (LUA_MININTEGER - (ns < 0 ? ns : 0)) / NS) {
    luaL_pushfail(L);
    lua_pushliteral(L, "time does not fit in integer nanoseconds");
    return 2;
  }
  lua_pushinteger(L, s * NS + ns);
  return 1;
}

static const luaL_Reg col_methods[] = {
  {"name", col_name},
  {"type", col_type},
  {"totable", col_totable},
  {"all", col_all},
  {"ns", col_ns},
  {NULL, NULL}
};

static const luaL_Reg col_meta[] = {
  {"__len", col_len},
  {"__tostring", col_tostring},
  {NULL, NULL}
};

void pf_lua_open_column(lua_State *L) {
  luaL_newmetatable(L, PF_COLUMN_MT);
  luaL_setfuncs(L, col_meta, 0);
  luaL_newlibtable(L, col_methods);
  luaL_setfuncs(L, col_methods, 0);
  lua_pushcclosure(L, col_index, 1);    /* __index: integer keys are cells, string keys methods */
  lua_setfield(L, -2, "__index");
  lua_pop(L, 1);
}
