/* resolve_lua.c: pf.resolve: reverse lookups of addresses by DNS PTR queries over UDP, with a cache.
   The resolver itself is src/net/resolve.c; here are the arguments, the cache (a table in
   the Lua state, kept for its life) and the result. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "lauxlib.h"
#include "lua.h"
#include "pktframe_lua.h"
#include "resolve.h"

#define CACHE_KEY "pktframe.resolve_cache"
#define SOCK_MT "pktframe.ResolverSocket"

/* The socket of a call in progress, in a userdata so that an error raised
   half-way (no memory) closes it. */
typedef struct LSock { int fd; } LSock;

static int sock_release(lua_State *L) {
  LSock *s = (LSock *)luaL_checkudata(L, 1, SOCK_MT);
  if (s->fd >= 0) { close(s->fd); s->fd = -1; }
  return 0;
}

/* Where the answers go: found[index + 1] = name, or false for a negative answer. */
typedef struct found_ctx {
  lua_State *L;
  int found;
} found_ctx;

static void on_answer(void *ud, int index, int result, const char *name) {
  found_ctx *fc = (found_ctx *)ud;
  if (result == PF_DNS_NAME) lua_pushstring(fc->L, name);
  else lua_pushboolean(fc->L, 0);
  lua_rawseti(fc->L, fc->found, index + 1);
}

/* Canonical text of an address (the cache key): inet_ntop's. */
static void addr_key(int family, const uint8_t *a, char *out, size_t outsz) {
  inet_ntop(family, a, out, (socklen_t)outsz);
}

/* pf.resolve(addrs, [{timeout = 1.0, server = "ip[:port]", cache = true}]):
   {[addr] = name | false} for the IPv4 and IPv6 address strings of the list
   (or Column) addrs. Sends PTR queries only, up to PF_DNS_MAX_INFLIGHT at once, each
   given timeout seconds; answers and negative answers (no such name, no PTR)
   are cached for the life of the Lua state, failures (timeouts, server
   errors) are not. Returns nil, message when no query can be sent. */
static int pf_resolve(lua_State *L) {
  static const char *const known[] = { "timeout", "server", "cache", NULL };
  lua_settop(L, 2);
  if (lua_type(L, 1) == LUA_TUSERDATA) {   /* a Column: its values, as totable gives them */
    pf_lua_checkcolumn(L, 1);
    lua_getfield(L, 1, "totable");
    lua_pushvalue(L, 1);
    lua_call(L, 1, 1);
    lua_replace(L, 1);
  }
  if (lua_type(L, 1) != LUA_TTABLE) luaL_typeerror(L, 1, "table or pktframe.Column");
  pf_lua_checkopts(L, 2, known);
  double timeout = 1.0;
  const char *server = NULL;
  if (!lua_isnoneornil(L, 2)) {
    int t = lua_getfield(L, 2, "timeout");
    if (t != LUA_TNIL) {
      if (t != LUA_TNUMBER)
        luaL_argerror(L, 2, lua_pushfstring(L, "timeout: number expected, got %s", luaL_typename(L, -1)));
      timeout = lua_tonumber(L, -1);
      if (!(timeout > 0 && timeout <= 3600)) luaL_argerror(L, 2, "timeout: expected seconds in (0, 3600]");
    }
    lua_pop(L, 1);
    t = lua_getfield(L, 2, "server");
    if (t != LUA_TNIL) {
      if (t != LUA_TSTRING)
        luaL_argerror(L, 2, lua_pushfstring(L, "server: string expected, got %s", luaL_typename(L, -1)));
      server = lua_tostring(L, -1);   /* anchored in the options */
    }
    lua_pop(L, 1);
  }
  int usecache = pf_lua_optbool(L, 2, "cache", 1);
  struct sockaddr_storage ss;
  socklen_t sslen = 0;
  if (server && pf_dns_parse_server(server, &ss, &sslen) != 0)
    luaL_argerror(L, 2, lua_pushfstring(L, "server: '%s' is not an address, [address] or address:port", server));

  /* the list: n = addrs.n when set (totable's holes), else #addrs */
  lua_Integer n;
  if (lua_getfield(L, 1, "n") == LUA_TNUMBER && lua_isinteger(L, -1)) n = lua_tointeger(L, -1);
  else n = (lua_Integer)lua_rawlen(L, 1);
  lua_pop(L, 1);
  luaL_argcheck(L, n >= 0 && n <= 1000000, 1, "too many addresses (at most 1000000 a call)");

  lua_getfield(L, LUA_REGISTRYINDEX, CACHE_KEY);
  if (!lua_istable(L, -1)) {
    lua_pop(L, 1);
    lua_newtable(L);
    lua_pushvalue(L, -1);
    lua_setfield(L, LUA_REGISTRYINDEX, CACHE_KEY);
  }
  int cache = lua_gettop(L);
  lua_newtable(L);                 /* result */
  int result = lua_gettop(L);
  lua_newtable(L);                 /* canonical key -> index in queries (to query each address once) */
  int pending = lua_gettop(L);
  lua_newtable(L);                 /* input text -> canonical key, for the addresses asked */
  int askedas = lua_gettop(L);
  pf_dns_query *qs = (pf_dns_query *)lua_newuserdatauv(L, sizeof(pf_dns_query) * (size_t)(n ? n : 1), 0);
  int nq = 0;
  for (lua_Integer i = 1; i <= n; i++) {
    int t = lua_rawgeti(L, 1, i);
    if (t == LUA_TNIL) { lua_pop(L, 1); continue; }
    if (t != LUA_TSTRING)
      luaL_argerror(L, 1, lua_pushfstring(L, "addrs[%I]: string expected, got %s", i, luaL_typename(L, -1)));
    const char *text = lua_tostring(L, -1);
    uint8_t a[16] = { 0 };   /* an IPv4 address fills 4 bytes; the rest is copied too */
    int family = AF_INET;
    if (inet_pton(AF_INET, text, a) != 1) {
      family = AF_INET6;
      if (inet_pton(AF_INET6, text, a) != 1)
        luaL_argerror(L, 1, lua_pushfstring(L, "addrs[%I]: '%s' is not an IPv4 or IPv6 address", i, text));
    }
    char key[INET6_ADDRSTRLEN];
    addr_key(family, a, key, sizeof key);
    if (usecache && lua_getfield(L, cache, key) != LUA_TNIL) {   /* known: straight into the result */
      lua_setfield(L, result, text);
      lua_pop(L, 1);
      continue;
    }
    if (usecache) lua_pop(L, 1);
    lua_pushstring(L, key);
    lua_setfield(L, askedas, text);   /* input text is still on the stack */
    if (lua_getfield(L, pending, key) == LUA_TNIL) {
      pf_dns_query *q = &qs[nq];
      memset(q, 0, sizeof *q);
      q->family = family;
      memcpy(q->addr, a, 16);
      pf_dns_ptr_qname(family, a, q->qname, sizeof q->qname);
      lua_pushinteger(L, nq++);
      lua_setfield(L, pending, key);
    }
    lua_pop(L, 2);
  }
  if (nq == 0) {
    lua_pushvalue(L, result);
    return 1;
  }
  if (server == NULL && pf_dns_system_server(PF_DNS_RESOLV_CONF, &ss, &sslen) != 0)
    return pf_lua_fail(L, PF_DNS_RESOLV_CONF ": no nameserver line with an address we can use");

  LSock *sock = (LSock *)lua_newuserdatauv(L, sizeof(LSock), 0);
  sock->fd = -1;
  luaL_setmetatable(L, SOCK_MT);
  const char *step = NULL;
  sock->fd = pf_dns_open(&ss, sslen, &step);
  if (sock->fd < 0) {
    if (step[0] == 's') return luaL_fileresult(L, 0, "resolve: socket");
    int e = errno;
    char addr[INET6_ADDRSTRLEN + 8];
    pf_dns_server_text(&ss, addr, sizeof addr);
    errno = e;
    return luaL_fileresult(L, 0, lua_pushfstring(L, "resolve: nameserver %s", addr));
  }

  /* names found go in a Lua table by query index: [i + 1] = name or false */
  lua_createtable(L, nq, 0);
  found_ctx fc = { L, lua_gettop(L) };
  int rc = pf_dns_exchange(sock->fd, qs, nq, timeout, &pf_lua_interrupted, on_answer, &fc);
  int e = errno;
  close(sock->fd);
  sock->fd = -1;
  if (rc == PF_DNS_EINTERRUPTED) {
    pf_lua_interrupted = 0;
    return luaL_error(L, "interrupted");
  }
  if (rc == PF_DNS_EPOLL) {
    errno = e;
    return luaL_fileresult(L, 0, "resolve: poll");
  }
  int found = fc.found;

  /* the cache takes answers; the result takes every asked address */
  for (int j = 0; j < nq; j++) {
    char key[INET6_ADDRSTRLEN];
    addr_key(qs[j].family, qs[j].addr, key, sizeof key);
    if (lua_rawgeti(L, found, j + 1) != LUA_TNIL && usecache) {
      lua_pushvalue(L, -1);
      lua_setfield(L, cache, key);
    }
    lua_pop(L, 1);
  }
  lua_pushnil(L);
  while (lua_next(L, askedas) != 0) {   /* [text, key] */
    lua_getfield(L, pending, lua_tostring(L, -1));
    int j = (int)lua_tointeger(L, -1);
    lua_pop(L, 2);
    lua_pushvalue(L, -1);                  /* text */
    if (lua_rawgeti(L, found, j + 1) == LUA_TNIL) {
      lua_pop(L, 1);
      lua_pushboolean(L, 0);
    }
    lua_settable(L, result);
  }
  lua_pushvalue(L, result);
  return 1;
}

static const luaL_Reg sock_meta[] = {
  {"__gc", sock_release}, {"__close", sock_release}, {NULL, NULL}
};

void pf_lua_resolve_register(lua_State *L) {
  if (luaL_newmetatable(L, SOCK_MT)) luaL_setfuncs(L, sock_meta, 0);
  lua_pop(L, 1);
  lua_pushcfunction(L, pf_resolve);
  lua_setfield(L, -2, "resolve");
}
