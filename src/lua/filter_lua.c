/* filter_lua.c: display filters from Lua: parse with pktframe.filter (LPeg), compile to pf_filter. */
#include <stdio.h>
#include <string.h>

#include "lauxlib.h"
#include "lua.h"

#include "fields.h"
#include "filter.h"
#include "filter_lua.h"

#define PF_FILTER_MT "pktframe.Filter"

typedef struct LFilter { pf_filter *f; } LFilter;

static int flt_release(lua_State *L) {
  LFilter *lf = (LFilter *)luaL_checkudata(L, 1, PF_FILTER_MT);
  if (lf->f != NULL) { pf_filter_free(lf->f); lf->f = NULL; }
  return 0;
}

/* The field id for a name in a filter: a field, or a protocol's marker. */
static int resolve(const char *name, int protocol_ok) {
  int fid = pf_field_lookup(name);
  if (fid < 0 && protocol_ok) fid = pf_filter_protocol(name);
  return fid;
}

static int unknown(char *err, size_t errlen, const char *name, lua_Integer pos) {
  int k = snprintf(err, errlen, "column %lld: ", (long long)pos);
  if (k > 0 && (size_t)k < errlen) pf_field_unknown(name, err + k, errlen - (size_t)k);
  return -1;
}

static const char *getstr(lua_State *L, int t, const char *key, size_t *len) {
  lua_getfield(L, t, key);
  const char *s = lua_tolstring(L, -1, len);
  lua_pop(L, 1);   /* the AST table keeps the string alive */
  return s ? s : "";
}

static lua_Integer getint(lua_State *L, int t, const char *key) {
  lua_getfield(L, t, key);
  lua_Integer v = lua_tointeger(L, -1);
  lua_pop(L, 1);
  return v;
}

/* Compiles the AST node at the top of the stack; returns its node index or -1. [-0, +0] */
static int build(lua_State *L, pf_filter *f, char *err, size_t errlen, int depth) {
  int t = lua_gettop(L);
  if (depth > 200) { snprintf(err, errlen, "filter nested too deeply"); return -1; }
  luaL_checkstack(L, 8, "filter");
  size_t oplen;
  const char *op = getstr(L, t, "op", &oplen);
  lua_Integer pos = getint(L, t, "pos");
  if (strcmp(op, "or") == 0 || strcmp(op, "and") == 0 || strcmp(op, "xor") == 0 || strcmp(op, "not") == 0) {
    lua_rawgeti(L, t, 1);
    int a = build(L, f, err, errlen, depth + 1);
    lua_pop(L, 1);
    if (a < 0) return -1;
    int b = -1;
    if (op[0] != 'n') {
      lua_rawgeti(L, t, 2);
      b = build(L, f, err, errlen, depth + 1);
      lua_pop(L, 1);
      if (b < 0) return -1;
    }
    int r = pf_filter_logic(f, op[0] == 'o' ? '|' : op[0] == 'a' ? '&' : op[0] == 'x' ? '^' : '!', a, b);
    if (r < 0) snprintf(err, errlen, "out of memory");
    return r;
  }
  const char *name = getstr(L, t, "field", NULL);
  int fid = resolve(name, strcmp(op, "exists") == 0);
  if (fid < 0) {
    if (pf_filter_protocol(name) >= 0) {
      snprintf(err, errlen, "column %lld: '%s' is a protocol: test its fields, such as '%s.len'", (long long)pos,
               name, name);
      return -1;
    }
    return unknown(err, errlen, name, pos);
  }
  int r = -1;
  char why[256];
  why[0] = 0;
  if (strcmp(op, "exists") == 0) {
    r = pf_filter_exists(f, fid);
  } else if (strcmp(op, "cmp") == 0 || strcmp(op, "contains") == 0 || strcmp(op, "matches") == 0) {
    lua_getfield(L, t, "value");
    int v = lua_gettop(L);
    size_t len;
    const char *text = getstr(L, v, "text", &len);
    int quoted = strcmp(getstr(L, v, "kind", NULL), "string") == 0;
    pos = getint(L, v, "pos");
    if (op[0] == 'c' && op[1] == 'm') {
      const char *cmp = getstr(L, t, "cmp", NULL);
      static const char *const cmps[] = { "==", "!=", "===", "~=", "<", "<=", ">", ">=" };
      int k = 0;
      while (k < 8 && strcmp(cmps[k], cmp) != 0) k++;
      if (strcmp(cmp, "!==") == 0) k = PF_CMP_ANY_NE;
      int fid2 = quoted ? -1 : pf_field_lookup(text);
      /* an unquoted field name on the right compares two fields, as Wireshark
         reads it, unless it is a valid value of the left field's type */
      if (fid2 >= 0) r = pf_filter_cmp_field(f, fid, k, fid2, why, sizeof why);
      else r = pf_filter_cmp(f, fid, k, text, len, quoted, why, sizeof why);
    } else if (op[0] == 'c') {
      r = pf_filter_contains(f, fid, text, len, quoted, why, sizeof why);
    } else {
      r = pf_filter_matches(f, fid, text, len, why, sizeof why);
    }
    lua_pop(L, 1);
  } else if (strcmp(op, "in") == 0) {
    /* a set is the "or" of its members, each tested with "any" semantics */
    lua_getfield(L, t, "set");
    int s = lua_gettop(L);
    lua_Integer n = luaL_len(L, s);
    if (n == 0) { snprintf(err, errlen, "column %lld: empty set", (long long)pos); lua_pop(L, 1); return -1; }
    for (lua_Integer i = 1; i <= n; i++) {
      lua_rawgeti(L, s, i);
      int m = lua_gettop(L), node;
      lua_getfield(L, m, "lo");
      if (!lua_isnil(L, -1)) {
        size_t ll, hl;
        const char *lo = getstr(L, lua_gettop(L), "text", &ll);
        pos = getint(L, lua_gettop(L), "pos");
        lua_getfield(L, m, "hi");
        const char *hi = getstr(L, lua_gettop(L), "text", &hl);
        node = pf_filter_range(f, fid, lo, ll, hi, hl, why, sizeof why);
        lua_pop(L, 1);
      } else {
        size_t len;
        const char *text = getstr(L, m, "text", &len);
        int quoted = strcmp(getstr(L, m, "kind", NULL), "string") == 0;
        pos = getint(L, m, "pos");
        node = pf_filter_cmp(f, fid, PF_CMP_EQ, text, len, quoted, why, sizeof why);
      }
      lua_pop(L, 2);
      if (node < 0) break;
      r = r < 0 ? node : pf_filter_logic(f, '|', r, node);
      if (r < 0) break;
    }
    lua_pop(L, 1);
  }
  if (r < 0) {
    snprintf(err, errlen, "column %lld: %s", (long long)pos, why[0] ? why : "out of memory");
    return -1;
  }
  return r;
}

pf_filter *pf_lua_filter_compile(lua_State *L, const char *text, char *err, size_t errlen) {
  int top = lua_gettop(L);
  lua_getglobal(L, "require");
  lua_pushliteral(L, "pktframe.filter");
  if (lua_pcall(L, 1, 1, 0) != LUA_OK) {
    snprintf(err, errlen, "cannot load pktframe.filter: %s", lua_tostring(L, -1));
    lua_settop(L, top);
    return NULL;
  }
  lua_getfield(L, -1, "parse");
  lua_pushstring(L, text);
  if (lua_pcall(L, 1, 2, 0) != LUA_OK) {
    snprintf(err, errlen, "%s", lua_tostring(L, -1));
    lua_settop(L, top);
    return NULL;
  }
  if (lua_isnil(L, -2)) {
    snprintf(err, errlen, "%s", lua_tostring(L, -1));
    lua_settop(L, top);
    return NULL;
  }
  lua_pop(L, 1);   /* [filter module, ast] */
  pf_filter *f = pf_filter_new();
  if (f == NULL) { snprintf(err, errlen, "out of memory"); lua_settop(L, top); return NULL; }
  int root = build(L, f, err, errlen, 0);
  lua_settop(L, top);
  if (root < 0) { pf_filter_free(f); return NULL; }
  pf_filter_set_root(f, root);
  return f;
}

pf_filter *pf_lua_checkfilter(lua_State *L, int arg) {
  LFilter *lf = (LFilter *)luaL_checkudata(L, arg, PF_FILTER_MT);
  luaL_argcheck(L, lf->f != NULL, arg, "filter is closed");
  return lf->f;
}

pf_filter *pf_lua_pushfilter(lua_State *L, const char *text, char *err, size_t errlen) {
  LFilter *lf = (LFilter *)lua_newuserdatauv(L, sizeof(LFilter), 0);
  lf->f = NULL;
  luaL_setmetatable(L, PF_FILTER_MT);
  lf->f = pf_lua_filter_compile(L, text, err, errlen);
  if (lf->f == NULL) lua_pop(L, 1);
  return lf->f;
}

/* pf.compile_filter(text) -> pktframe.Filter; a bad filter is the caller's mistake. */
static int flt_compile(lua_State *L) {
  const char *text = luaL_checkstring(L, 1);
  char err[512];
  if (pf_lua_pushfilter(L, text, err, sizeof err) == NULL) {
    lua_pushfstring(L, "bad filter '%s': %s", text, err);
    return luaL_argerror(L, 1, lua_tostring(L, -1));
  }
  return 1;
}

static int flt_fields(lua_State *L) {
  pf_filter *f = pf_lua_checkfilter(L, 1);
  int fids[PF_MAXFIELDS];
  int n = pf_filter_fields(f, fids, PF_MAXFIELDS);
  lua_createtable(L, n, 0);
  for (int i = 0; i < n; i++) {
    lua_pushstring(L, pf_fields[fids[i]].name);
    lua_rawseti(L, -2, i + 1);
  }
  return 1;
}

static int flt_tostring(lua_State *L) {
  LFilter *lf = (LFilter *)luaL_checkudata(L, 1, PF_FILTER_MT);
  lua_pushstring(L, lf->f ? "pktframe.Filter" : "pktframe.Filter (closed)");
  return 1;
}

static const luaL_Reg flt_methods[] = {
  {"fields", flt_fields},
  {"close", flt_release},
  {NULL, NULL}
};

static const luaL_Reg flt_meta[] = {
  {"__index", NULL},
  {"__gc", flt_release},
  {"__close", flt_release},
  {"__tostring", flt_tostring},
  {NULL, NULL}
};

void pf_lua_open_filter(lua_State *L) {
  luaL_newmetatable(L, PF_FILTER_MT);
  luaL_setfuncs(L, flt_meta, 0);
  luaL_newlib(L, flt_methods);
  lua_setfield(L, -2, "__index");
  lua_pop(L, 1);
}

/* Adds compile_filter to the module table at the top of the stack. */
void pf_lua_filter_register(lua_State *L) {
  lua_pushcfunction(L, flt_compile);
  lua_setfield(L, -2, "compile_filter");
}
