/* userfield_lua.c: pf.define_field, and the per-packet calls of user decoders inside a read. */
#include <arpa/inet.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lauxlib.h"
#include "lua.h"

#include "decode.h"
#include "fields.h"
#include "filter.h"
#include "filter_lua.h"
#include "pktframe_lua.h"
#include "userfield_lua.h"

/* Registry table: field id -> its definition {decode =, where =, rowfids =, nrow =}.
   Definitions live in the Lua state that made them: only there can a read run them. */
#define PF_USERFIELDS_KEY "pktframe.userfields"
#define PF_UFPLAN_MT "pktframe.UserFieldPlan"

#define UF_SHOWN 5      /* errors listed per field and read; the rest are counted */
#define UF_MAXROW 64    /* built-in fields one decoder's row may ask for */

/* ---- pf.define_field ---- */

static const char *const spec_keys[] = { "name", "type", "decode", "where", "doc", "fields", "base", NULL };

/* The value of key in the spec at 1, checked to be of type t (or nil when
   optional); left on the stack. */
static int specfield(lua_State *L, const char *key, int t, int optional) {
  int got = lua_getfield(L, 1, key);
  if (got == t || (optional && got == LUA_TNIL)) return got;
  return luaL_argerror(L, 1, lua_pushfstring(L, "%s: %s expected, got %s", key, lua_typename(L, t),
                                             luaL_typename(L, -1)));
}

/* pf.define_field{name =, type =, decode =, [where =], [fields =], [doc =], [base =]} -> name */
static int uf_define(lua_State *L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_settop(L, 1);
  lua_pushnil(L);
  while (lua_next(L, 1) != 0) {
    lua_pop(L, 1);
    int ok = 0;
    if (lua_type(L, -1) == LUA_TSTRING)
      for (int i = 0; spec_keys[i]; i++) ok |= strcmp(lua_tostring(L, -1), spec_keys[i]) == 0;
    if (!ok) {
      lua_pushvalue(L, -1);   /* luaL_tolstring on the key itself would upset lua_next */
      return luaL_argerror(L, 1, lua_pushfstring(L, "unknown key '%s'", luaL_tolstring(L, -1, NULL)));
    }
  }
  specfield(L, "name", LUA_TSTRING, 0);         /* 2 */
  const char *name = lua_tostring(L, 2);
  specfield(L, "type", LUA_TSTRING, 0);         /* 3 */
  int type = pf_ftype_lookup(lua_tostring(L, 3));
  if (type < 0 || type == PF_FT_COUNT_)
    return luaL_argerror(L, 1, lua_pushfstring(L, "type: unknown type '%s' (none, bool, uint, int, framenum, "
                                                  "double, string, bytes, ipv4, ipv6, ether, abstime or reltime)",
                                               lua_tostring(L, 3)));
  specfield(L, "decode", LUA_TFUNCTION, 0);     /* 4 */
  specfield(L, "doc", LUA_TSTRING, 1);          /* 5 */
  int base = 0;
  if (lua_getfield(L, 1, "base") != LUA_TNIL) {   /* 6 */
    int isint;
    lua_Integer b = lua_tointegerx(L, 6, &isint);
    if (!isint || lua_type(L, 6) != LUA_TNUMBER || b < 0 || b > 16)
      return luaL_argerror(L, 1, "base: an integer from 0 (decimal) to 16 (hex digits) expected");
    if (b > 0 && type != PF_FT_UINT) return luaL_argerror(L, 1, "base: only a uint field has a base");
    base = (int)b;
  }
  /* the definition table, filled as the checks pass */
  lua_createtable(L, 0, 4);                     /* 7 */
  int def = 7;
  lua_pushvalue(L, 4);
  lua_setfield(L, def, "decode");
  if (specfield(L, "where", LUA_TSTRING, 1) != LUA_TNIL) {   /* 8 */
    char err[512];
    const char *text = lua_tostring(L, 8);
    pf_filter *w = pf_lua_pushfilter(L, text, err, sizeof err);
    if (w == NULL) return luaL_argerror(L, 1, lua_pushfstring(L, "where: bad filter '%s': %s", text, err));
    int fids[PF_MAXFIELDS];
    int n = pf_filter_fields(w, fids, PF_MAXFIELDS);
    for (int i = 0; i < n; i++)
      if (fids[i] >= PF_NFIELDS)
        return luaL_argerror(L, 1, lua_pushfstring(L, "where: '%s' is a user field; where tests built-in fields only",
                                                   pf_fields[fids[i]].name));
    lua_setfield(L, def, "where");
  }
  lua_settop(L, def);
  int nrow = 0;
  if (specfield(L, "fields", LUA_TTABLE, 1) != LUA_TNIL) {   /* 8 */
    lua_Integer n = luaL_len(L, 8);
    if (n > UF_MAXROW) return luaL_argerror(L, 1, lua_pushfstring(L, "fields: at most %d", UF_MAXROW));
    int *rowfids = (int *)lua_newuserdatauv(L, sizeof(int) * (size_t)(n > 0 ? n : 1), 0);   /* 9 */
    for (lua_Integer i = 1; i <= n; i++) {
      if (lua_rawgeti(L, 8, i) != LUA_TSTRING)
        return luaL_argerror(L, 1, lua_pushfstring(L, "fields[%I]: string expected, got %s", i, luaL_typename(L, -1)));
      const char *fname = lua_tostring(L, -1);
      int fid = pf_field_lookup(fname);
      if (fid < 0)
        return luaL_argerror(L, 1, lua_pushfstring(L, "fields[%I]: %s", i, pf_lua_pushunknownfield(L, fname)));
      if (fid >= PF_NFIELDS)
        return luaL_argerror(L, 1, lua_pushfstring(L, "fields[%I]: '%s' is a user field; a row holds built-in fields only",
                                                   i, fname));
      rowfids[nrow++] = fid;
      lua_pop(L, 1);
    }
    lua_setfield(L, def, "rowfids");
  }
  lua_pushinteger(L, nrow);
  lua_setfield(L, def, "nrow");
  char err[256];
  int fid = pf_field_define(name, (pf_ftype)type, base, lua_tostring(L, 5), err, sizeof err);
  if (fid < 0) return luaL_argerror(L, 1, lua_pushstring(L, err));
  lua_settop(L, def);
  luaL_getsubtable(L, LUA_REGISTRYINDEX, PF_USERFIELDS_KEY);
  lua_pushvalue(L, def);
  lua_rawseti(L, -2, fid);
  lua_pushvalue(L, 2);
  return 1;
}

/* pf.undefine_field(name): the user field is no longer known (tables keep their columns). */
static int uf_undefine(lua_State *L) {
  const char *name = luaL_checkstring(L, 1);
  int fid = pf_field_lookup(name);
  if (fid < 0) return luaL_argerror(L, 1, pf_lua_pushunknownfield(L, name));
  if (fid < PF_NFIELDS) return luaL_argerror(L, 1, lua_pushfstring(L, "'%s' is a built-in field", name));
  pf_field_undefine(fid);
  luaL_getsubtable(L, LUA_REGISTRYINDEX, PF_USERFIELDS_KEY);
  lua_pushnil(L);
  lua_rawseti(L, -2, fid);
  return 0;
}

/* ---- a read's plan ---- */

typedef struct ufield {
  int fid;
  const char *name;         /* pf_fields[fid].name: never freed */
  pf_ftype type;
  const pf_filter *where;   /* NULL: packets with a TCP or UDP payload */
  const int *rowfids;       /* anchored by the definition in the entries table */
  int nrow;
  uint64_t errors;
} ufield;

struct pf_lua_ufplan {
  lua_State *L;
  int ref;                  /* registry ref of the entries: [2k-1] decode, [2k] row, [2n+k] definition */
  int n;
  ufield f[PF_MAXUSERFIELDS];
  pf_user_hook hook;
  pf_diag *diag;
  pf_pkt *cur;              /* the packet being decoded */
  /* string values of the current packet, copied out of Lua: p->vals[fix[i].val]
     points at arena + fix[i].off once every field is done (the arena may move) */
  char *arena;
  size_t arena_len, arena_cap;
  int nfix;
  struct { int val; size_t off; } fix[PF_MAX_VALS];
};

static int ufp_gc(lua_State *L) {
  pf_lua_ufplan *u = (pf_lua_ufplan *)luaL_checkudata(L, 1, PF_UFPLAN_MT);
  free(u->arena);
  u->arena = NULL;
  if (u->ref != LUA_NOREF) luaL_unref(L, LUA_REGISTRYINDEX, u->ref);
  u->ref = LUA_NOREF;
  return 0;
}

static void add_fid(int *dec, int *ndec, int fid) {
  for (int i = 0; i < *ndec; i++)
    if (dec[i] == fid) return;
  dec[(*ndec)++] = fid;
}

pf_lua_ufplan *pf_lua_ufplan_push(lua_State *L, int *dec, int *ndec) {
  int users[PF_MAXUSERFIELDS], n = 0;
  for (int i = 0; i < *ndec; i++) {
    if (dec[i] < PF_NFIELDS) continue;
    int seen = 0;
    for (int k = 0; k < n; k++) seen |= users[k] == dec[i];
    if (!seen && n < PF_MAXUSERFIELDS) users[n++] = dec[i];
  }
  if (n == 0) return NULL;
  luaL_checkstack(L, 8, "user fields");
  luaL_getsubtable(L, LUA_REGISTRYINDEX, PF_USERFIELDS_KEY);
  int defs = lua_gettop(L);
  pf_lua_ufplan *u = (pf_lua_ufplan *)lua_newuserdatauv(L, sizeof *u, 0);
  memset(u, 0, sizeof *u);
  u->ref = LUA_NOREF;
  if (luaL_newmetatable(L, PF_UFPLAN_MT)) {
    lua_pushcfunction(L, ufp_gc);
    lua_setfield(L, -2, "__gc");
  }
  lua_setmetatable(L, -2);
  lua_createtable(L, 3 * n, 0);
  int entries = lua_gettop(L);
  u->L = L;
  u->n = n;
  for (int k = 0; k < n; k++) {
    ufield *f = &u->f[k];
    f->fid = users[k];
    f->name = pf_fields[f->fid].name;
    f->type = pf_fields[f->fid].type;
    if (lua_rawgeti(L, defs, f->fid) != LUA_TTABLE)
      luaL_error(L, "field '%s' has no decoder in this Lua state (pf.define_field runs per state)", f->name);
    int d = lua_gettop(L);
    lua_getfield(L, d, "decode");
    lua_rawseti(L, entries, 2 * k + 1);
    lua_newtable(L);
    lua_rawseti(L, entries, 2 * k + 2);
    if (lua_getfield(L, d, "where") != LUA_TNIL) f->where = pf_lua_checkfilter(L, lua_gettop(L));
    lua_pop(L, 1);
    lua_getfield(L, d, "nrow");
    f->nrow = (int)lua_tointeger(L, -1);
    lua_pop(L, 1);
    lua_getfield(L, d, "rowfids");
    f->rowfids = (const int *)lua_touserdata(L, -1);
    lua_pop(L, 1);
    lua_rawseti(L, entries, 2 * n + k + 1);   /* the definition: anchors where and rowfids */
  }
  u->ref = luaL_ref(L, LUA_REGISTRYINDEX);
  lua_remove(L, defs);   /* the plan stays, where defs was */
  /* the decoders read the payloads and what their where and rows name */
  add_fid(dec, ndec, PF_F_TCP_PAYLOAD);
  add_fid(dec, ndec, PF_F_UDP_PAYLOAD);
  for (int k = 0; k < n; k++) {
    const ufield *f = &u->f[k];
    if (f->where) {
      int fids[PF_MAXFIELDS];
      int m = pf_filter_fields(f->where, fids, PF_MAXFIELDS);
      for (int i = 0; i < m; i++) add_fid(dec, ndec, fids[i]);
    }
    for (int i = 0; i < f->nrow; i++) add_fid(dec, ndec, f->rowfids[i]);
  }
  return u;
}

static int ufp_ppush(lua_State *L) {
  int *dec = (int *)lua_touserdata(L, 1);
  int *ndec = (int *)lua_touserdata(L, 2);
  pf_lua_ufplan *u = pf_lua_ufplan_push(L, dec, ndec);
  if (u == NULL) return 0;
  return 1;
}

pf_lua_ufplan *pf_lua_ufplan_ppush(lua_State *L, int *dec, int *ndec, int *none, char *err, size_t errlen) {
  *none = 0;
  lua_pushcfunction(L, ufp_ppush);
  lua_pushlightuserdata(L, dec);
  lua_pushlightuserdata(L, ndec);
  int st = lua_pcall(L, 2, 1, 0);
  if (st != LUA_OK) {
    const char *msg = lua_tostring(L, -1);
    snprintf(err, errlen, "%s", msg ? msg : "out of memory");
    lua_pop(L, 1);
    return NULL;
  }
  if (lua_isnil(L, -1)) {
    lua_pop(L, 1);
    *none = 1;
    return NULL;
  }
  return (pf_lua_ufplan *)lua_touserdata(L, -1);
}

/* ---- per packet ---- */

/* Pushes the first value of built-in field fid in p as t:col gives it, or nil. */
static void push_val(lua_State *L, const pf_pkt *p, int fid) {
  int i = p->first[fid];
  if (i < 0) { lua_pushnil(L); return; }
  const pf_val *v = &p->vals[i];
  char buf[64];
  switch (pf_fields[fid].type) {
    case PF_FT_NONE: lua_pushboolean(L, 1); break;
    case PF_FT_BOOL: lua_pushinteger(L, v->v.u ? 1 : 0); break;
    case PF_FT_UINT: case PF_FT_FRAMENUM: lua_pushinteger(L, (lua_Integer)v->v.u); break;
    case PF_FT_INT: lua_pushinteger(L, (lua_Integer)v->v.i); break;
    case PF_FT_DOUBLE: lua_pushnumber(L, (lua_Number)v->v.d); break;
    case PF_FT_ABSTIME: case PF_FT_RELTIME: lua_pushnumber(L, (lua_Number)pf_time_to_double(v->v.t)); break;
    case PF_FT_STRING: case PF_FT_BYTES: lua_pushlstring(L, (const char *)v->v.s.p, v->v.s.len); break;
    default:
      pf_val_format(fid, v, buf, sizeof buf);
      lua_pushstring(L, buf);
      break;
  }
}

/* The transport payload of p (the first of TCP's and UDP's), or NULL. */
static const pf_val *payload(const pf_pkt *p) {
  int t = p->first[PF_F_TCP_PAYLOAD], u = p->first[PF_F_UDP_PAYLOAD];
  int i = t < 0 ? u : u < 0 ? t : t < u ? t : u;
  return i < 0 ? NULL : &p->vals[i];
}

/* Calls the decoder of field k (1-based) on the current packet: (plan, k) -> value.
   Runs protected: a decoder's error, or no memory for the payload string, ends it. */
static int uf_call(lua_State *L) {
  pf_lua_ufplan *u = (pf_lua_ufplan *)lua_touserdata(L, 1);
  int k = (int)lua_tointeger(L, 2);
  const ufield *f = &u->f[k - 1];
  const pf_pkt *p = u->cur;
  lua_rawgeti(L, LUA_REGISTRYINDEX, u->ref);   /* 3 */
  lua_rawgeti(L, 3, 2 * k - 1);
  const pf_val *pl = payload(p);
  if (pl) lua_pushlstring(L, (const char *)pl->v.s.p, pl->v.s.len);
  else lua_pushliteral(L, "");
  lua_rawgeti(L, 3, 2 * k);
  lua_pushinteger(L, (lua_Integer)p->num);
  lua_setfield(L, -2, "frame.number");
  for (int i = 0; i < f->nrow; i++) {
    push_val(L, p, f->rowfids[i]);
    lua_setfield(L, -2, pf_fields[f->rowfids[i]].name);
  }
  lua_call(L, 2, 1);
  return 1;
}

/* Copies s into the arena for value val of the current packet; -1 when out of memory. */
static int keep_bytes(pf_lua_ufplan *u, int val, const char *s, size_t len) {
  if (u->arena_len + len > u->arena_cap) {
    size_t cap = u->arena_cap ? u->arena_cap : 4096;
    while (cap < u->arena_len + len) cap *= 2;
    char *a = realloc(u->arena, cap);
    if (a == NULL) return -1;
    u->arena = a;
    u->arena_cap = cap;
  }
  if (len) memcpy(u->arena + u->arena_len, s, len);
  u->fix[u->nfix].val = val;
  u->fix[u->nfix].off = u->arena_len;
  u->nfix++;
  u->arena_len += len;
  return 0;
}

/* "aa:bb:cc:dd:ee:ff" (or '-' separated) into a; 0 or -1. */
static int parse_ether(const char *s, size_t len, uint8_t *a) {
  if (len != 17) return -1;
  for (int i = 0; i < 6; i++) {
    int v = 0;
    for (int j = 0; j < 2; j++) {
      char ch = s[3 * i + j];
      int d = ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
            : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : -1;
      if (d < 0) return -1;
      v = v * 16 + d;
    }
    if (i < 5 && s[3 * i + 2] != ':' && s[3 * i + 2] != '-') return -1;
    a[i] = (uint8_t)v;
  }
  return 0;
}

/* Stores the Lua value at idx as one occurrence of f in p. 0; 1 when it
   stands for no value (false for a none field); -1 with a message in err
   (a wrong type, out of range); -2 when out of memory. Never raises. */
static int store_one(pf_lua_ufplan *u, const ufield *f, pf_pkt *p, int idx, char *err, size_t errlen) {
  lua_State *L = u->L;
  int t = lua_type(L, idx);
  const char *want = pf_ftype_name(f->type);
  pf_val tmp;
  memset(&tmp, 0, sizeof tmp);
  const char *s = NULL;
  size_t len = 0;
  switch (f->type) {
    case PF_FT_NONE:
      if (t != LUA_TBOOLEAN) goto badtype;
      if (!lua_toboolean(L, idx)) return 1;
      break;
    case PF_FT_BOOL:
      if (t == LUA_TBOOLEAN) { tmp.v.u = (uint64_t)lua_toboolean(L, idx); break; }
      if (t == LUA_TNUMBER && lua_isinteger(L, idx) && (lua_tointeger(L, idx) == 0 || lua_tointeger(L, idx) == 1)) {
        tmp.v.u = (uint64_t)lua_tointeger(L, idx);
        break;
      }
      goto badtype;
    case PF_FT_UINT: case PF_FT_FRAMENUM: case PF_FT_INT: {
      int isint;
      if (t != LUA_TNUMBER) goto badtype;
      lua_Integer i = lua_tointegerx(L, idx, &isint);
      if (!isint) {
        snprintf(err, errlen, "%s expected, got non-integer number %.17g", want, (double)lua_tonumber(L, idx));
        return -1;
      }
      if (f->type != PF_FT_INT && i < 0) {
        snprintf(err, errlen, "%lld is out of range for %s", (long long)i, want);
        return -1;
      }
      if (f->type == PF_FT_INT) tmp.v.i = (int64_t)i;
      else tmp.v.u = (uint64_t)i;
      break;
    }
    case PF_FT_DOUBLE:
      if (t != LUA_TNUMBER) goto badtype;
      tmp.v.d = (double)lua_tonumber(L, idx);
      break;
    case PF_FT_ABSTIME: case PF_FT_RELTIME: {
      if (t != LUA_TNUMBER) goto badtype;
      if (lua_isinteger(L, idx)) {
        tmp.v.t.secs = (int64_t)lua_tointeger(L, idx);
        tmp.v.t.nsecs = 0;
        break;
      }
      double x = (double)lua_tonumber(L, idx);
      if (!isfinite(x) || fabs(x) >= 9.2e18) {
        snprintf(err, errlen, "%.17g is out of range for %s", x, want);
        return -1;
      }
      /* seconds and nanoseconds with the same sign, as pf_time keeps them */
      int64_t secs = (int64_t)x;
      long ns = lround((x - (double)secs) * 1e9);
      if (ns >= 1000000000L) { secs++; ns -= 1000000000L; }
      if (ns <= -1000000000L) { secs--; ns += 1000000000L; }
      tmp.v.t.secs = secs;
      tmp.v.t.nsecs = (int32_t)ns;
      break;
    }
    case PF_FT_STRING: case PF_FT_BYTES:
      if (t != LUA_TSTRING) goto badtype;
      s = lua_tolstring(L, idx, &len);
      if (len > UINT32_MAX) { snprintf(err, errlen, "value of %zu bytes is too long", len); return -1; }
      break;
    case PF_FT_IPV4: case PF_FT_IPV6: case PF_FT_ETHER: {
      if (t != LUA_TSTRING) goto badtype;
      s = lua_tolstring(L, idx, &len);
      char buf[64];
      int ok = len < sizeof buf;
      if (ok) {
        memcpy(buf, s, len);
        buf[len] = 0;
        if (f->type == PF_FT_ETHER) ok = parse_ether(buf, len, tmp.v.a) == 0;
        else ok = inet_pton(f->type == PF_FT_IPV4 ? AF_INET : AF_INET6, buf, tmp.v.a) == 1 && strlen(buf) == len;
      }
      if (!ok) {
        snprintf(err, errlen, "'%.*s' is not an %s address", (int)(len > 64 ? 64 : len), s, want);
        return -1;
      }
      s = NULL;
      break;
    }
    case PF_FT_COUNT_: goto badtype;
  }
  pf_val *v = pf_pkt_add(p, f->fid);
  if (v == NULL) {
    snprintf(err, errlen, "too many values in one packet (at most %d)", PF_MAX_VALS);
    return -1;
  }
  v->v = tmp.v;
  if (s != NULL) {
    if (keep_bytes(u, (int)(v - p->vals), s, len) < 0) return -2;
    v->v.s.len = (uint32_t)len;
    v->v.s.p = NULL;   /* set once the packet's fields are all done */
  }
  return 0;
badtype:
  snprintf(err, errlen, "%s expected, got %s", want, luaL_typename(L, idx));
  return -1;
}

/* Stores the decoder's result (at the top) for f in p: nil for no value, a
   value, or a list of values. 0, -1 with a message in err (nothing stored),
   -2 when out of memory. */
static int store(pf_lua_ufplan *u, const ufield *f, pf_pkt *p, char *err, size_t errlen) {
  lua_State *L = u->L;
  int t = lua_type(L, -1);
  if (t == LUA_TNIL) return 0;
  int nvals = p->nvals, nfix = u->nfix;
  size_t alen = u->arena_len;
  int rc = 0;
  if (t == LUA_TTABLE) {
    lua_Unsigned n = lua_rawlen(L, -1);
    for (lua_Unsigned i = 1; i <= n && rc >= 0; i++) {
      lua_rawgeti(L, -1, (lua_Integer)i);
      char why[300];
      rc = store_one(u, f, p, lua_gettop(L), why, sizeof why);
      lua_pop(L, 1);
      if (rc == -1) snprintf(err, errlen, "item %llu: %s", (unsigned long long)i, why);
    }
  } else {
    rc = store_one(u, f, p, lua_gettop(L), err, errlen);
  }
  if (rc < 0) {   /* nothing of a failed result stays */
    p->nvals = nvals;
    p->first[f->fid] = -1;
    u->nfix = nfix;
    u->arena_len = alen;
    return rc;
  }
  return 0;
}

static void report(pf_lua_ufplan *u, ufield *f, const pf_pkt *p, const char *msg) {
  f->errors++;
  if (f->errors > UF_SHOWN) return;
  char line[512];
  snprintf(line, sizeof line, "%s: packet %llu: decode: %s", f->name, (unsigned long long)p->num, msg);
  pf_diag_add(u->diag, "%s", line);
  lua_warning(u->L, line, 0);
}

/* pf_user_hook: runs the decoders whose where p matches. */
static int ufp_hook(void *ud, pf_pkt *p) {
  pf_lua_ufplan *u = (pf_lua_ufplan *)ud;
  lua_State *L = u->L;
  u->cur = p;
  u->arena_len = 0;
  u->nfix = 0;
  /* the caller's frame may have filled its stack since the plan was made */
  if (!lua_checkstack(L, 8)) return -1;
  for (int k = 0; k < u->n; k++) {
    ufield *f = &u->f[k];
    if (f->where ? !pf_filter_eval(f->where, p) : payload(p) == NULL) continue;
    lua_pushcfunction(L, uf_call);
    lua_pushlightuserdata(L, u);
    lua_pushinteger(L, k + 1);
    int st = lua_pcall(L, 2, 1, 0);
    if (st == LUA_ERRMEM) { lua_pop(L, 1); return -1; }
    if (st != LUA_OK && pf_lua_interrupted) {   /* Ctrl-C in the REPL stops the decoder, then the scan */
      lua_pop(L, 1);
      return 0;
    }
    if (st != LUA_OK) {
      const char *msg = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
      char buf[64];
      if (msg == NULL) {
        snprintf(buf, sizeof buf, "(error object is a %s value)", luaL_typename(L, -1));
        msg = buf;
      }
      report(u, f, p, msg);
      lua_pop(L, 1);
      continue;
    }
    char err[400];
    int rc = store(u, f, p, err, sizeof err);
    lua_pop(L, 1);
    if (rc == -2) return -1;
    if (rc == -1) report(u, f, p, err);
  }
  for (int i = 0; i < u->nfix; i++) p->vals[u->fix[i].val].v.s.p = (const uint8_t *)u->arena + u->fix[i].off;
  return 0;
}

void pf_lua_ufplan_attach(pf_lua_ufplan *u, pf_scan_opts *opts, pf_diag *diag) {
  u->diag = diag;
  u->hook.fn = ufp_hook;
  u->hook.ud = u;
  for (int k = 0; k < u->n; k++) u->f[k].errors = 0;
  opts->user = &u->hook;
}

void pf_lua_ufplan_finish(pf_lua_ufplan *u) {
  for (int k = 0; k < u->n; k++)
    if (u->f[k].errors > UF_SHOWN)
      pf_diag_add(u->diag, "%s: %llu packets with decode errors (the first %d are listed)", u->f[k].name,
                  (unsigned long long)u->f[k].errors, UF_SHOWN);
}

void pf_lua_userfield_register(lua_State *L) {
  lua_pushcfunction(L, uf_define);
  lua_setfield(L, -2, "define_field");
  lua_pushcfunction(L, uf_undefine);
  lua_setfield(L, -2, "undefine_field");
}
