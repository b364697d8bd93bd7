/* column_lua.c: the pktframe.Column userdata: a view of one column that pins its table; vectorized arithmetic,
   comparisons, running values and reductions on it. */
#include <arpa/inet.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "decode.h"
#include "groupby.h"
#include "lauxlib.h"
#include "lua.h"
#include "pktframe_lua.h"
#include "table.h"
#include "verbs.h"

LColumn *pf_lua_checkcolumn(lua_State *L, int arg) {
  LColumn *lc = (LColumn *)luaL_checkudata(L, arg, PF_COLUMN_MT);
  lua_getiuservalue(L, arg, 1);
  LTable *lt = (LTable *)lua_touserdata(L, -1);
  lua_pop(L, 1);
  luaL_argcheck(L, lt != NULL && lt->t != NULL, arg, "table is closed");
  return lc;
}

#define checkcolumn pf_lua_checkcolumn

pf_colref pf_lua_colref(const LColumn *lc) {
  pf_colref r;
  r.c = lc->c;
  r.off = lc->off;
  r.n = lc->n;
  return r;
}

void pf_lua_pushcolumn(lua_State *L, int tbl, int col) {
  tbl = lua_absindex(L, tbl);
  LTable *lt = (LTable *)luaL_checkudata(L, tbl, PF_TABLE_MT);
  LColumn *lc = (LColumn *)lua_newuserdatauv(L, sizeof(LColumn), 1);
  pf_colref r = pf_table_colref(lt->t, col);
  lc->c = r.c;
  lc->off = r.off;
  lc->n = r.n;
  lc->col = col;
  luaL_setmetatable(L, PF_COLUMN_MT);
  lua_pushvalue(L, tbl);
  lua_setiuservalue(L, -2, 1);
}

void pf_lua_pushresult(lua_State *L, int holder, pf_column *c, size_t n) {
  holder = lua_absindex(L, holder);
  LTable *lt = (LTable *)luaL_checkudata(L, holder, PF_TABLE_MT);
  lt->t = pf_table_build(&pf_lua_ctx, 1, &c, NULL, NULL, n);
  pf_column_release(c);
  if (lt->t == NULL) luaL_error(L, "not enough memory");
  pf_lua_pushcolumn(L, holder, 0);
  lua_replace(L, holder);
}

/* The name of the view's column in its table. */
/* "a" or "an" before a type name in a message: "an ipv4 column", "a string column" */
static const char *art(pf_ftype t) {
  const char *n = pf_ftype_name(t);
  return strchr("aeiou", n[0]) ? "an" : "a";
}

static const char *colname(lua_State *L, int arg, const LColumn *lc) {
  lua_getiuservalue(L, arg, 1);
  LTable *lt = (LTable *)lua_touserdata(L, -1);
  lua_pop(L, 1);   /* the view pins the table: the name outlives this call */
  return pf_table_colname(lt->t, lc->col);
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
    /* scripts get the bytes themselves (string.unpack, pf.hex); text output stays hex */
    case PF_FT_BYTES: lua_pushlstring(L, (const char *)v.v.s.p, v.v.s.len); break;
    case PF_FT_IPV4: case PF_FT_IPV6: case PF_FT_ETHER:
      pf_column_format(c, row, occ, buf, sizeof buf);
      lua_pushstring(L, buf);
      break;
    default: lua_pushnil(L); break;
  }
}

pf_column *pf_lua_valuescolumn(lua_State *L, int list, size_t n, const char *name, const char **why) {
  int seen_int = 0, seen_num = 0, seen_str = 0, seen_bool = 0;
  list = lua_absindex(L, list);
  for (size_t i = 1; i <= n; i++) {
    int t = lua_rawgeti(L, list, (lua_Integer)i);
    if (t == LUA_TNUMBER) {
      if (lua_isinteger(L, -1)) seen_int = 1;
      else seen_num = 1;
    } else if (t == LUA_TSTRING) {
      seen_str = 1;
    } else if (t == LUA_TBOOLEAN) {
      seen_bool = 1;
    } else if (t != LUA_TNIL) {
      lua_pop(L, 1);
      *why = "values must be numbers, strings, booleans or nil";
      return NULL;
    }
    lua_pop(L, 1);
  }
  if ((seen_int || seen_num) + seen_str + seen_bool > 1) {
    *why = "values mix numbers, strings and booleans";
    return NULL;
  }
  pf_ftype type = seen_str ? PF_FT_STRING : seen_bool ? PF_FT_BOOL : seen_int && !seen_num ? PF_FT_INT : PF_FT_DOUBLE;
  pf_column *c = pf_column_new(&pf_lua_ctx, type, -1, name);
  *why = "not enough memory";
  if (c == NULL || pf_column_setlen(c, n) != PF_TABLE_OK) {
    pf_column_release(c);
    return NULL;
  }
  for (size_t i = 0; i < n; i++) {
    int t = lua_rawgeti(L, list, (lua_Integer)i + 1);
    if (t != LUA_TNIL) {
      if (type == PF_FT_STRING) {
        size_t len;
        const char *s = lua_tolstring(L, -1, &len);
        if (pf_column_setspan(c, i, s, len) != PF_TABLE_OK) {
          lua_pop(L, 1);
          pf_column_release(c);
          return NULL;
        }
      } else if (type == PF_FT_BOOL) {
        ((int64_t *)(void *)c->data)[i] = lua_toboolean(L, -1);
      } else if (type == PF_FT_INT) {
        ((int64_t *)(void *)c->data)[i] = (int64_t)lua_tointeger(L, -1);
      } else {
        double d = (double)lua_tonumber(L, -1);
        if (isnan(d)) {   /* NaN is a null, as in pandas */
          lua_pop(L, 1);
          continue;
        }
        ((double *)(void *)c->data)[i] = d;
      }
      pf_column_setvalid(c, i);
    }
    lua_pop(L, 1);
  }
  *why = NULL;
  return c;
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
  pf_lua_pushcell(L, lc->c, lc->off + (size_t)(i - 1), 0);
  return 1;
}

/* Pushes a new Table of the view's rows as one column named as in its table (shares the data). */
static void push_astable(lua_State *L, int arg, const LColumn *lc) {
  const char *name = colname(L, arg, lc);
  LTable *out = pf_lua_newtable(L);
  pf_column *c = (pf_column *)lc->c;   /* retained by the new table, not changed */
  size_t off = lc->off;
  out->t = pf_table_build(&pf_lua_ctx, 1, &c, &off, &name, lc->n);
  if (out->t == NULL) luaL_error(L, "not enough memory");
}

/* tostring(c): as a pandas Series: row numbers and values (the first and last when long), then
   "Name: ip.src, Length: 4631, dtype: ipv4"; display options as tostring(t). */
static int col_tostring(lua_State *L) {
  LColumn *lc = (LColumn *)luaL_checkudata(L, 1, PF_COLUMN_MT);
  lua_getiuservalue(L, 1, 1);
  LTable *lt = (LTable *)lua_touserdata(L, -1);
  if (lt == NULL || lt->t == NULL) {
    lua_pushliteral(L, "pktframe.Column (closed)");
    return 1;
  }
  lua_pop(L, 1);
  push_astable(L, 1, lc);
  LTable *one = (LTable *)lua_touserdata(L, -1);
  pf_render_opts o;
  pf_lua_renderopts(L, 0, &o);
  o.series = 1;
  pf_lua_pushrender(L, one->t, &o);
  return 1;
}

static int col_name(lua_State *L) {
  LColumn *lc = checkcolumn(L, 1);
  lua_pushstring(L, colname(L, 1, lc));
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
    if (!pf_column_valid(lc->c, lc->off + r)) continue;
    pf_lua_pushcell(L, lc->c, lc->off + r, 0);
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
  size_t k = pf_column_count(lc->c, lc->off + r);
  lua_createtable(L, k > 64 ? 64 : (int)k, 0);
  for (size_t occ = 0; occ < k; occ++) {
    pf_lua_pushcell(L, lc->c, lc->off + r, occ);
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
  if (r == (size_t)-1 || !pf_column_get(lc->c, lc->off + r, 0, &v)) {
    luaL_pushfail(L);
    return 1;
  }
  const lua_Integer NS = 1000000000;
  lua_Integer s = (lua_Integer)v.v.t.secs, ns = (lua_Integer)v.v.t.nsecs;
  if (s > (LUA_MAXINTEGER - (ns > 0 ? ns : 0)) / NS || s < (LUA_MININTEGER - (ns < 0 ? ns : 0)) / NS) {
    return pf_lua_fail(L, "time does not fit in integer nanoseconds");
  }
  lua_pushinteger(L, s * NS + ns);
  return 1;
}

/* ---- operands ---- */

/* The operand at arg for comparing with column type t: a column, a number,
   a boolean (1 or 0), or a string read as a value of t (an address, a MAC,
   text, the bytes themselves). Raises naming arg. */
static void checkoperand(lua_State *L, int arg, pf_ftype t, pf_operand *o, size_t n) {
  memset(o, 0, sizeof *o);
  switch (lua_type(L, arg)) {
    case LUA_TNUMBER:
      if (lua_isinteger(L, arg)) {
        o->kind = PF_OPD_INT;
        o->i = (int64_t)lua_tointeger(L, arg);
      } else {
        o->kind = PF_OPD_DOUBLE;
        o->d = (double)lua_tonumber(L, arg);
      }
      return;
    case LUA_TBOOLEAN:
      o->kind = PF_OPD_INT;
      o->i = lua_toboolean(L, arg);
      return;
    case LUA_TSTRING: {
      size_t len;
      const char *s = lua_tolstring(L, arg, &len);
      o->kind = PF_OPD_VALUE;
      o->type = t;
      int ok = 1;
      switch (t) {
        case PF_FT_IPV4: ok = inet_pton(AF_INET, s, o->v.v.a) == 1; break;
        case PF_FT_IPV6: ok = inet_pton(AF_INET6, s, o->v.v.a) == 1; break;
        case PF_FT_ETHER: {
          unsigned x[6];
          char tail;
          ok = sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &x[0], &x[1], &x[2], &x[3], &x[4], &x[5], &tail) == 6 &&
               len == 17;
          for (int i = 0; ok && i < 6; i++) o->v.v.a[i] = (uint8_t)x[i];
          break;
        }
        /* a bytes cell is a Lua string of the bytes, so a string compares as
           bytes too (pf.unhex turns hex text into them) */
        case PF_FT_STRING: case PF_FT_BYTES:
          o->v.v.s.p = (const uint8_t *)s;
          o->v.v.s.len = (uint32_t)len;
          break;
        default:
          luaL_argerror(L, arg, lua_pushfstring(L, "number expected (the column is %s), got string", pf_ftype_name(t)));
      }
      if (!ok) luaL_argerror(L, arg, lua_pushfstring(L, "bad %s value '%s'", pf_ftype_name(t), s));
      return;
    }
    default: {
      LColumn *lc = (LColumn *)luaL_testudata(L, arg, PF_COLUMN_MT);
      if (lc == NULL) luaL_typeerror(L, arg, "pktframe.Column, number or string");
      checkcolumn(L, arg);
      if (lc->n != n)
        luaL_argerror(L, arg, lua_pushfstring(L, "column of %I rows, expected %I", (lua_Integer)lc->n, (lua_Integer)n));
      o->kind = PF_OPD_COL;
      o->col = pf_lua_colref(lc);
      return;
    }
  }
}

static int col_compare(lua_State *L, int cmp) {
  LColumn *lc = checkcolumn(L, 1);
  lua_settop(L, 2);
  luaL_checkany(L, 2);
  pf_operand a, b;
  memset(&a, 0, sizeof a);
  a.kind = PF_OPD_COL;
  a.col = pf_lua_colref(lc);
  checkoperand(L, 2, lc->c->type, &b, lc->n);
  const char *name = colname(L, 1, lc);
  pf_lua_newtable(L);
  int rc;
  pf_column *c = pf_compare(&pf_lua_ctx, cmp, &a, &b, lc->n, name, &rc);
  if (rc == PF_TABLE_ETYPE) {
    const char *other = b.kind == PF_OPD_COL ? pf_ftype_name(b.col.c->type) : luaL_typename(L, 2);
    return luaL_argerror(L, 2, lua_pushfstring(L, "cannot compare %s %s column with %s", art(lc->c->type), pf_ftype_name(lc->c->type),
                                               other));
  }
  pf_lua_checkrc(L, rc);
  pf_lua_pushresult(L, -1, c, lc->n);
  return 1;
}

static int col_eq(lua_State *L) { return col_compare(L, PF_CMP_EQ); }
static int col_ne(lua_State *L) { return col_compare(L, PF_CMP_NE); }
static int col_lt(lua_State *L) { return col_compare(L, PF_CMP_LT); }
static int col_le(lua_State *L) { return col_compare(L, PF_CMP_LE); }
static int col_gt(lua_State *L) { return col_compare(L, PF_CMP_GT); }
static int col_ge(lua_State *L) { return col_compare(L, PF_CMP_GE); }

/* The operand at i of an arithmetic metamethod: a column or a number. */
static int arith_operand(lua_State *L, int i, pf_operand *o, const char *opname) {
  memset(o, 0, sizeof *o);
  if (lua_type(L, i) == LUA_TNUMBER) {
    if (lua_isinteger(L, i)) {
      o->kind = PF_OPD_INT;
      o->i = (int64_t)lua_tointeger(L, i);
    } else {
      o->kind = PF_OPD_DOUBLE;
      o->d = (double)lua_tonumber(L, i);
    }
    return 0;
  }
  LColumn *lc = (LColumn *)luaL_testudata(L, i, PF_COLUMN_MT);
  if (lc == NULL) return luaL_error(L, "attempt to perform arithmetic (%s) on a pktframe.Column and a %s value", opname,
                                    luaL_typename(L, i));
  checkcolumn(L, i);
  o->kind = PF_OPD_COL;
  o->col = pf_lua_colref(lc);
  return 1;
}

static int col_arith(lua_State *L, int op, const char *opname) {
  pf_operand a, b;
  int ca = arith_operand(L, 1, &a, opname), cb = arith_operand(L, 2, &b, opname);
  size_t n = ca ? a.col.n : b.col.n;
  if (ca && cb && a.col.n != b.col.n)
    return luaL_error(L, "attempt to perform arithmetic (%s) on columns of %I and %I rows", opname,
                      (lua_Integer)a.col.n, (lua_Integer)b.col.n);
  int named = ca ? 1 : 2;
  const char *name = colname(L, named, (LColumn *)lua_touserdata(L, named));
  pf_lua_newtable(L);
  int rc;
  pf_column *c = pf_arith(&pf_lua_ctx, op, &a, &b, n, name, &rc);
  if (rc == PF_TABLE_ETYPE) {
    pf_ftype ta = a.kind == PF_OPD_COL ? a.col.c->type : PF_FT_INT;
    const pf_operand *bad = pf_type_is_int(ta) || ta == PF_FT_DOUBLE || pf_type_is_time(ta) ? &b : &a;
    return luaL_error(L, "attempt to perform arithmetic (%s) on %s %s column", opname, art(bad->col.c->type),
                      pf_ftype_name(bad->col.c->type));
  }
  pf_lua_checkrc(L, rc);
  pf_lua_pushresult(L, -1, c, n);
  return 1;
}

static int col_add(lua_State *L) { return col_arith(L, PF_OP_ADD, "+"); }
static int col_sub(lua_State *L) { return col_arith(L, PF_OP_SUB, "-"); }
static int col_mul(lua_State *L) { return col_arith(L, PF_OP_MUL, "*"); }
static int col_div(lua_State *L) { return col_arith(L, PF_OP_DIV, "/"); }
static int col_idiv(lua_State *L) { return col_arith(L, PF_OP_IDIV, "//"); }
static int col_mod(lua_State *L) { return col_arith(L, PF_OP_MOD, "%"); }
static int col_pow(lua_State *L) { return col_arith(L, PF_OP_POW, "^"); }

static int col_unary(lua_State *L, int op) {
  LColumn *lc = checkcolumn(L, 1);
  const char *name = colname(L, 1, lc);
  pf_lua_newtable(L);
  int rc;
  pf_column *c = pf_unary(&pf_lua_ctx, op, pf_lua_colref(lc), name, &rc);
  if (rc == PF_TABLE_ETYPE)
    return luaL_error(L, "attempt to perform arithmetic (%s) on %s %s column", op == PF_UN_NEG ? "-" : "abs",
                      art(lc->c->type), pf_ftype_name(lc->c->type));
  pf_lua_checkrc(L, rc);
  pf_lua_pushresult(L, -1, c, lc->n);
  return 1;
}

static int col_unm(lua_State *L) { return col_unary(L, PF_UN_NEG); }
static int col_abs(lua_State *L) { return col_unary(L, PF_UN_ABS); }
static int col_isnull(lua_State *L) { return col_unary(L, PF_UN_ISNULL); }
static int col_notnull(lua_State *L) { return col_unary(L, PF_UN_NOTNULL); }

/* a & b, a | b, ~a on truth columns (comparisons' results) */
static int col_logic(lua_State *L, char op) {
  const char *opname = op == '&' ? "&" : op == '|' ? "|" : "~";
  LColumn *a = (LColumn *)luaL_testudata(L, 1, PF_COLUMN_MT);
  LColumn *b = op == '!' ? a : (LColumn *)luaL_testudata(L, 2, PF_COLUMN_MT);
  if (a == NULL || b == NULL)
    return luaL_error(L, "attempt to combine (%s) a pktframe.Column with a %s value", opname,
                      luaL_typename(L, a == NULL ? 1 : 2));
  checkcolumn(L, 1);
  if (op != '!') checkcolumn(L, 2);
  if (a->n != b->n)
    return luaL_error(L, "attempt to combine (%s) columns of %I and %I rows", opname, (lua_Integer)a->n,
                      (lua_Integer)b->n);
  const char *name = colname(L, 1, a);
  pf_lua_newtable(L);
  int rc;
  pf_column *c = pf_logic(&pf_lua_ctx, op, pf_lua_colref(a), pf_lua_colref(b), name, &rc);
  if (rc == PF_TABLE_ETYPE)
    return luaL_error(L, "attempt to combine (%s) %s %s column: bool or integer columns expected", opname,
                      art(pf_type_is_int(a->c->type) ? b->c->type : a->c->type),
                      pf_ftype_name(pf_type_is_int(a->c->type) ? b->c->type : a->c->type));
  pf_lua_checkrc(L, rc);
  pf_lua_pushresult(L, -1, c, a->n);
  return 1;
}

static int col_band(lua_State *L) { return col_logic(L, '&'); }
static int col_bor(lua_State *L) { return col_logic(L, '|'); }
static int col_bnot(lua_State *L) { return col_logic(L, '!'); }

/* ---- row-wise choice ---- */

/* A side of mask:where at arg: nil is no value; a string is read as a value
   of the other side's column type when the other side is a column, else as
   text. Raises naming arg. */
static void where_operand(lua_State *L, int arg, int other, pf_operand *o, size_t n) {
  memset(o, 0, sizeof *o);
  switch (lua_type(L, arg)) {
    case LUA_TNIL: o->kind = PF_OPD_NULL; return;
    case LUA_TNUMBER: case LUA_TBOOLEAN: checkoperand(L, arg, PF_FT_INT, o, n); return;
    case LUA_TSTRING: {
      LColumn *oc = (LColumn *)luaL_testudata(L, other, PF_COLUMN_MT);
      if (oc != NULL) {
        checkcolumn(L, other);
        checkoperand(L, arg, oc->c->type, o, n);
      } else {
        size_t len;
        o->kind = PF_OPD_VALUE;
        o->type = PF_FT_STRING;
        o->v.v.s.p = (const uint8_t *)lua_tolstring(L, arg, &len);
        o->v.v.s.len = (uint32_t)len;
      }
      return;
    }
    default:
      if (luaL_testudata(L, arg, PF_COLUMN_MT) == NULL) luaL_typeerror(L, arg, "pktframe.Column, number, string or nil");
      checkoperand(L, arg, PF_FT_INT, o, n);
      return;
  }
}

/* mask:where(a [, b]): a's cell where mask is true, b's (nil: a null) where it is false or null. */
static int col_where(lua_State *L) {
  LColumn *lm = checkcolumn(L, 1);
  luaL_checkany(L, 2);
  lua_settop(L, 3);
  if (!pf_type_is_int(lm->c->type))
    return luaL_argerror(L, 1, lua_pushfstring(L, "the mask must be a bool or integer column, not %s",
                                               pf_ftype_name(lm->c->type)));
  pf_operand a, b;
  where_operand(L, 2, 3, &a, lm->n);
  where_operand(L, 3, 2, &b, lm->n);
  if (a.kind == PF_OPD_NULL && b.kind == PF_OPD_NULL) return luaL_argerror(L, 2, "a value or a column expected, got nil");
  const char *name = "where";
  if (a.kind == PF_OPD_COL) name = colname(L, 2, (LColumn *)lua_touserdata(L, 2));
  else if (b.kind == PF_OPD_COL) name = colname(L, 3, (LColumn *)lua_touserdata(L, 3));
  pf_lua_newtable(L);
  int rc;
  pf_column *c = pf_where(&pf_lua_ctx, pf_lua_colref(lm), &a, &b, lm->n, name, &rc);
  if (rc == PF_TABLE_ETYPE) {
    const char *ta = a.kind == PF_OPD_COL ? pf_ftype_name(a.col.c->type) : luaL_typename(L, 2);
    const char *tb = b.kind == PF_OPD_COL ? pf_ftype_name(b.col.c->type) : luaL_typename(L, 3);
    return luaL_argerror(L, 3, lua_pushfstring(L, "cannot choose between %s and %s values", ta, tb));
  }
  pf_lua_checkrc(L, rc);
  pf_lua_pushresult(L, -1, c, lm->n);
  return 1;
}

/* Lua turns the result of '<' into a boolean: say what to write instead. */
static int col_order(lua_State *L) {
  return luaL_error(L, "attempt to compare a pktframe.Column with '<': Lua makes that a boolean; "
                       "use c:lt(x), c:le(x), c:gt(x), c:ge(x)");
}

/* ---- running values ---- */

static lua_Integer optperiods(lua_State *L, int arg) {
  return luaL_optinteger(L, arg, 1);
}

static int col_diff(lua_State *L) {
  LColumn *lc = checkcolumn(L, 1);
  lua_Integer k = optperiods(L, 2);
  const char *name = colname(L, 1, lc);
  pf_lua_newtable(L);
  int rc;
  pf_column *c = pf_diff(&pf_lua_ctx, pf_lua_colref(lc), NULL, (long long)k, name, &rc);
  if (rc == PF_TABLE_ETYPE)
    return luaL_argerror(L, 1, lua_pushfstring(L, "cannot diff %s %s column", art(lc->c->type), pf_ftype_name(lc->c->type)));
  pf_lua_checkrc(L, rc);
  pf_lua_pushresult(L, -1, c, lc->n);
  return 1;
}

static int col_shift(lua_State *L) {
  LColumn *lc = checkcolumn(L, 1);
  lua_Integer k = optperiods(L, 2);
  const char *name = colname(L, 1, lc);
  pf_lua_newtable(L);
  size_t n = lc->n;
  size_t *rows = (size_t *)lua_newuserdatauv(L, sizeof(size_t) * (n ? n : 1), 0);
  for (size_t r = 0; r < n; r++) rows[r] = pf_shift_row(r, n, (long long)k);
  int rc;
  pf_column *c = pf_column_take(&pf_lua_ctx, pf_lua_colref(lc), rows, n, name, &rc);
  lua_pop(L, 1);
  pf_lua_checkrc(L, rc);
  pf_lua_pushresult(L, -1, c, n);
  return 1;
}

static int col_cumsum(lua_State *L) {
  LColumn *lc = checkcolumn(L, 1);
  const char *name = colname(L, 1, lc);
  pf_lua_newtable(L);
  int rc;
  pf_column *c = pf_cumsum(&pf_lua_ctx, pf_lua_colref(lc), name, &rc);
  if (rc == PF_TABLE_ETYPE)
    return luaL_argerror(L, 1, lua_pushfstring(L, "cannot sum %s %s column", art(lc->c->type), pf_ftype_name(lc->c->type)));
  pf_lua_checkrc(L, rc);
  pf_lua_pushresult(L, -1, c, lc->n);
  return 1;
}

/* ---- reductions: one group of every row ---- */

static int col_reduce(lua_State *L, int fn) {
  LColumn *lc = checkcolumn(L, 1);
  LGroups *lg = pf_lua_newgroups(L);
  pf_lua_checkrc(L, pf_groups_all(&pf_lua_ctx, lc->n, &lg->g));
  if (lc->n == 0) {   /* what pandas gives for an empty Series */
    if (fn == PF_AGG_COUNT || fn == PF_AGG_SIZE || fn == PF_AGG_NUNIQUE) lua_pushinteger(L, 0);
    else if (fn == PF_AGG_SUM && pf_agg_supports(fn, lc->c->type)) {
      if (lc->c->type == PF_FT_DOUBLE || lc->c->type == PF_FT_RELTIME) lua_pushnumber(L, 0);
      else lua_pushinteger(L, 0);
    } else if (!pf_agg_supports(fn, lc->c->type)) {
      goto unsupported;
    } else lua_pushnil(L);
    return 1;
  }
  pf_lua_newtable(L);
  int rc;
  pf_column *c = pf_agg(&pf_lua_ctx, &lg->g, pf_lua_colref(lc), fn, "", &rc);
  if (rc == PF_TABLE_ETYPE) goto unsupported;
  pf_lua_checkrc(L, rc);
  pf_lua_pushresult(L, -1, c, 1);
  LColumn *res = (LColumn *)lua_touserdata(L, -1);
  pf_lua_pushcell(L, res->c, res->off, 0);
  return 1;
unsupported:
  return luaL_argerror(L, 1, lua_pushfstring(L, "'%s' is not defined for %s %s column", pf_agg_names[fn],
                                            art(lc->c->type), pf_ftype_name(lc->c->type)));
}

/* ---- Series verbs: views, distinct values, counts, membership ---- */

/* Pushes a view of rows from .. from + n - 1 of the view at arg (same table, nothing copied). */
static void push_subview(lua_State *L, int arg, const LColumn *lc, size_t from, size_t n) {
  LColumn *v = (LColumn *)lua_newuserdatauv(L, sizeof(LColumn), 1);
  *v = *lc;
  v->off = lc->off + from;
  v->n = n;
  luaL_setmetatable(L, PF_COLUMN_MT);
  lua_getiuservalue(L, arg, 1);
  lua_setiuservalue(L, -2, 1);
}

/* c:head([n]), c:tail([n]): the first (last) n values (default 5; a negative n: all but the
   last (first) -n, as pandas), a Column sharing the data. */
static int col_headtail(lua_State *L, int tail) {
  LColumn *lc = checkcolumn(L, 1);
  lua_Integer k = luaL_optinteger(L, 2, 5);
  size_t n = lc->n, m;
  if (k >= 0) m = (lua_Unsigned)k < n ? (size_t)k : n;
  else m = (lua_Unsigned)(-(k + 1)) + 1 < n ? n - (size_t)(-(k + 1)) - 1 : 0;
  push_subview(L, 1, lc, tail ? n - m : 0, m);
  return 1;
}
static int col_head(lua_State *L) { return col_headtail(L, 0); }
static int col_tail(lua_State *L) { return col_headtail(L, 1); }

/* c:to_table(): a one-column Table of c, named as c (shares the data). */
static int col_to_table(lua_State *L) {
  LColumn *lc = checkcolumn(L, 1);
  push_astable(L, 1, lc);
  return 1;
}

/* c:print([opts]): tostring(c) with display options, to standard output. */
static int col_print(lua_State *L) {
  LColumn *lc = checkcolumn(L, 1);
  lua_settop(L, 2);
  push_astable(L, 1, lc);
  LTable *one = (LTable *)lua_touserdata(L, -1);
  pf_render_opts o;
  pf_lua_renderopts(L, 2, &o);
  o.series = 1;
  pf_lua_pushrender(L, one->t, &o);
  size_t n;
  const char *text = lua_tolstring(L, -1, &n);
  fwrite(text, 1, n, stdout);
  fputc('\n', stdout);
  fflush(stdout);
  return 0;
}

/* c:unique(): the distinct values (a null included, once) in order of first appearance, a Column. */
static int col_unique(lua_State *L) {
  LColumn *lc = checkcolumn(L, 1);
  const char *name = colname(L, 1, lc);
  pf_colref key = pf_lua_colref(lc);
  pf_groups *g = &pf_lua_newgroups(L)->g;
  pf_lua_checkrc(L, pf_groups_make(&pf_lua_ctx, &key, 1, 0, 0, g));
  pf_lua_newtable(L);
  int rc;
  pf_column *c = pf_column_take_first(&pf_lua_ctx, key, g->first, g->ngroups, name, &rc);
  pf_lua_checkrc(L, rc);
  pf_lua_pushresult(L, -1, c, g->ngroups);
  return 1;
}

/* c:value_counts([{normalize = bool}]): Table of the distinct non-null values and their counts
   (or proportions), most frequent first, ties in order of first appearance: t:value_counts. */
static int col_value_counts(lua_State *L) {
  static const char *const known[] = { "normalize", NULL };
  LColumn *lc = checkcolumn(L, 1);
  pf_lua_checkopts(L, 2, known);
  int normalize = pf_lua_optbool(L, 2, "normalize", 0);
  const char *name = colname(L, 1, lc);
  pf_colref key = pf_lua_colref(lc);
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
  pf_lua_checkrc(L, pf_value_counts_finish(&pf_lua_ctx, key, g->first, pf_lua_colref(cc), normalize, name, cols));
  out->t = pf_table_build(&pf_lua_ctx, 2, cols, NULL, NULL, ng);
  pf_column_release(cols[0]);
  pf_column_release(cols[1]);
  if (out->t == NULL) return luaL_error(L, "not enough memory");
  return 1;
}

/* c:describe(): {count, mean, std, min, ["25%"], ["50%"], ["75%"], max} as t:describe(col). */
static int col_describe(lua_State *L) {
  static const char *const keys[] = { "count", "mean", "std", "min", "25%", "50%", "75%", "max" };
  LColumn *lc = checkcolumn(L, 1);
  double out[8];
  int rc = pf_describe(&pf_lua_ctx, pf_lua_colref(lc), out);
  if (rc == PF_TABLE_ETYPE)
    return luaL_argerror(L, 1, lua_pushfstring(L, "cannot describe %s column '%s'", pf_ftype_name(lc->c->type),
                                              colname(L, 1, lc)));
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

/* c:isin(values): a bool Column, true where the value equals one of the list's values (numbers,
   or strings read as the column's type, as c:eq); a null is never in it. One vectorized
   comparison per listed value. */
static int col_isin(lua_State *L) {
  LColumn *lc = checkcolumn(L, 1);
  luaL_checktype(L, 2, LUA_TTABLE);
  lua_settop(L, 2);
  lua_pushvalue(L, 2);   /* 3: the list; 2 then holds each value, so that errors name argument #2 */
  const char *name = colname(L, 1, lc);
  lua_Integer k = luaL_len(L, 3);
  pf_operand a, b;
  memset(&a, 0, sizeof a);
  a.kind = PF_OPD_COL;
  a.col = pf_lua_colref(lc);
  int rc;
  /* start from all false: isnull & notnull */
  pf_lua_newtable(L);
  pf_column *c = pf_unary(&pf_lua_ctx, PF_UN_ISNULL, a.col, name, &rc);
  pf_lua_checkrc(L, rc);
  pf_lua_pushresult(L, -1, c, lc->n);
  pf_lua_newtable(L);
  c = pf_unary(&pf_lua_ctx, PF_UN_NOTNULL, a.col, name, &rc);
  pf_lua_checkrc(L, rc);
  pf_lua_pushresult(L, -1, c, lc->n);
  pf_lua_newtable(L);
  c = pf_logic(&pf_lua_ctx, '&', pf_lua_colref((LColumn *)lua_touserdata(L, 4)),
               pf_lua_colref((LColumn *)lua_touserdata(L, 5)), name, &rc);
  pf_lua_checkrc(L, rc);
  pf_lua_pushresult(L, -1, c, lc->n);
  lua_replace(L, 4);
  lua_settop(L, 4);   /* 4: the result so far */
  for (lua_Integer i = 1; i <= k; i++) {
    int t = lua_geti(L, 3, i);   /* 5 */
    if (t == LUA_TNIL) {
      lua_settop(L, 4);
      continue;
    }
    if (t != LUA_TNUMBER && t != LUA_TSTRING && t != LUA_TBOOLEAN)
      return luaL_argerror(L, 2, lua_pushfstring(L, "values[%I]: number or string expected, got %s", i, luaL_typename(L, 5)));
    lua_copy(L, 5, 2);
    checkoperand(L, 2, lc->c->type, &b, lc->n);
    pf_lua_newtable(L);   /* 6 */
    c = pf_compare(&pf_lua_ctx, PF_CMP_EQ, &a, &b, lc->n, name, &rc);
    if (rc == PF_TABLE_ETYPE)
      return luaL_argerror(L, 2, lua_pushfstring(L, "values[%I]: cannot compare %s %s column with %s", i, art(lc->c->type),
                                                pf_ftype_name(lc->c->type), luaL_typename(L, 5)));
    pf_lua_checkrc(L, rc);
    pf_lua_pushresult(L, -1, c, lc->n);
    pf_lua_newtable(L);   /* 7 */
    c = pf_logic(&pf_lua_ctx, '|', pf_lua_colref((LColumn *)lua_touserdata(L, 4)),
                 pf_lua_colref((LColumn *)lua_touserdata(L, 6)), name, &rc);
    pf_lua_checkrc(L, rc);
    pf_lua_pushresult(L, -1, c, lc->n);
    lua_replace(L, 4);
    lua_settop(L, 4);
  }
  return 1;
}

static int col_sum(lua_State *L) { return col_reduce(L, PF_AGG_SUM); }
static int col_mean(lua_State *L) { return col_reduce(L, PF_AGG_MEAN); }
static int col_min(lua_State *L) { return col_reduce(L, PF_AGG_MIN); }
static int col_max(lua_State *L) { return col_reduce(L, PF_AGG_MAX); }
static int col_count(lua_State *L) { return col_reduce(L, PF_AGG_COUNT); }
static int col_std(lua_State *L) { return col_reduce(L, PF_AGG_STD); }
static int col_var(lua_State *L) { return col_reduce(L, PF_AGG_VAR); }
static int col_median(lua_State *L) { return col_reduce(L, PF_AGG_MEDIAN); }
static int col_nunique(lua_State *L) { return col_reduce(L, PF_AGG_NUNIQUE); }

static const luaL_Reg col_methods[] = {
  {"name", col_name},
  {"type", col_type},
  {"totable", col_totable},
  {"all", col_all},
  {"ns", col_ns},
  {"eq", col_eq},
  {"ne", col_ne},
  {"lt", col_lt},
  {"le", col_le},
  {"gt", col_gt},
  {"ge", col_ge},
  {"abs", col_abs},
  {"isnull", col_isnull},
  {"notnull", col_notnull},
  {"where", col_where},
  {"diff", col_diff},
  {"shift", col_shift},
  {"cumsum", col_cumsum},
  {"sum", col_sum},
  {"mean", col_mean},
  {"min", col_min},
  {"max", col_max},
  {"count", col_count},
  {"std", col_std},
  {"var", col_var},
  {"median", col_median},
  {"nunique", col_nunique},
  {"head", col_head},
  {"tail", col_tail},
  {"to_table", col_to_table},
  {"print", col_print},
  {"unique", col_unique},
  {"value_counts", col_value_counts},
  {"describe", col_describe},
  {"isin", col_isin},
  {NULL, NULL}
};

static const luaL_Reg col_meta[] = {
  {"__len", col_len},
  {"__tostring", col_tostring},
  {"__add", col_add},
  {"__sub", col_sub},
  {"__mul", col_mul},
  {"__div", col_div},
  {"__idiv", col_idiv},
  {"__mod", col_mod},
  {"__pow", col_pow},
  {"__unm", col_unm},
  {"__band", col_band},
  {"__bor", col_bor},
  {"__bnot", col_bnot},
  {"__lt", col_order},
  {"__le", col_order},
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
