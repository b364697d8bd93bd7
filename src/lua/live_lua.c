/* live_lua.c: pf.capture: writes a capture file from a network interface through libpcap;
   pf.mkdir: the output directory of a capture or an analysis, without a shell. The
   capture and mkdir -p are src/net/live.c; here are the arguments and the results. */
#include <string.h>

#include "lauxlib.h"
#include "live.h"
#include "lua.h"
#include "pktframe_lua.h"


/* Option key of the options table (argument 1) as a string, or NULL when absent. */
static const char *optstring(lua_State *L, const char *key, int required) {
  int t = lua_getfield(L, 1, key);
  if (t == LUA_TNIL) {
    if (required) luaL_argerror(L, 1, lua_pushfstring(L, "%s: string expected, got nil", key));
    lua_pop(L, 1);
    return NULL;
  }
  if (t != LUA_TSTRING)
    luaL_argerror(L, 1, lua_pushfstring(L, "%s: string expected, got %s", key, luaL_typename(L, -1)));
  const char *s = lua_tostring(L, -1);
  lua_pop(L, 1);   /* still anchored in the options table */
  return s;
}

/* Positive integer option in 1..max, 0 when absent. */
static lua_Integer optposint(lua_State *L, const char *key, lua_Integer max) {
  int t = lua_getfield(L, 1, key);
  lua_Integer v = 0;
  if (t != LUA_TNIL) {
    int isint;
    v = lua_tointegerx(L, -1, &isint);
    if (t != LUA_TNUMBER || !isint)
      luaL_argerror(L, 1, lua_pushfstring(L, "%s: integer expected, got %s", key,
                                          t == LUA_TNUMBER ? "float" : luaL_typename(L, -1)));
    if (v < 1 || v > max)
      luaL_argerror(L, 1, lua_pushfstring(L, "%s: %I is out of range 1..%I", key, v, max));
  }
  lua_pop(L, 1);
  return v;
}

/* pf.capture{iface =, out =, bpf =, duration =, count =, snaplen =, promisc =}:
   captures from iface into the pcap file out until duration seconds have
   passed, count packets were written or Ctrl-C. Returns {packets =, path =,
   dropped =, seconds =, interrupted =}, or nil and a message when the
   interface cannot be opened or the file written. */
static int pf_capture(lua_State *L) {
  static const char *const known[] = { "iface", "out", "bpf", "duration", "count", "snaplen", "promisc", NULL };
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_settop(L, 1);
  pf_lua_checkopts(L, 1, known);
  const char *iface = optstring(L, "iface", 1);
  const char *out = optstring(L, "out", 1);
  const char *bpf = optstring(L, "bpf", 0);
  luaL_argcheck(L, *iface != '\0', 1, "iface: empty interface name");
  luaL_argcheck(L, *out != '\0', 1, "out: empty path");
  double duration = 0;
  int t = lua_getfield(L, 1, "duration");
  if (t != LUA_TNIL) {
    if (t != LUA_TNUMBER)
      luaL_argerror(L, 1, lua_pushfstring(L, "duration: number expected, got %s", luaL_typename(L, -1)));
    duration = lua_tonumber(L, -1);
    if (!(duration > 0 && duration <= PF_LIVE_DURATION_MAX))   /* NaN fails too */
      luaL_argerror(L, 1, "duration: expected seconds > 0");
  }
  lua_pop(L, 1);
  lua_Integer count = optposint(L, "count", LUA_MAXINTEGER);
  lua_Integer snaplen = optposint(L, "snaplen", PF_LIVE_SNAPLEN_MAX);   /* 0: the maximum */
  int promisc = pf_lua_optbool(L, 1, "promisc", 0);

  pf_live_opts o = { iface, out, bpf, duration, count, (int)snaplen, promisc };
  size_t errsz = pf_live_errsz(&o);
  char *err = (char *)lua_newuserdatauv(L, errsz, 0);
  pf_live_result r;
  int rc = pf_live_capture(&o, &pf_lua_interrupted, &r, err, errsz);
  if (rc == PF_LIVE_EBPF || rc == PF_LIVE_EOPTS) luaL_argerror(L, 1, err);
  if (rc != PF_LIVE_OK) return pf_lua_fail(L, err);
  lua_createtable(L, 0, 5);
  lua_pushinteger(L, (lua_Integer)r.packets);
  lua_setfield(L, -2, "packets");
  lua_pushstring(L, out);
  lua_setfield(L, -2, "path");
  lua_pushinteger(L, (lua_Integer)r.dropped);
  lua_setfield(L, -2, "dropped");
  lua_pushnumber(L, r.seconds);
  lua_setfield(L, -2, "seconds");
  lua_pushboolean(L, r.interrupted);
  lua_setfield(L, -2, "interrupted");
  return 1;
}

/* pf.mkdir(path): creates the directory and its missing parents (mkdir -p):
   true, or nil and "path: message". */
static int pf_mkdir(lua_State *L) {
  size_t len;
  const char *path = luaL_checklstring(L, 1, &len);
  luaL_argcheck(L, len > 0, 1, "empty path");
  luaL_argcheck(L, strlen(path) == len, 1, "path contains a zero byte");
  char *buf = (char *)lua_newuserdatauv(L, len + 1, 0);
  memcpy(buf, path, len + 1);
  if (pf_mkdir_p(buf, len) != 0) return luaL_fileresult(L, 0, buf);   /* buf: the part that failed */
  lua_pushboolean(L, 1);
  return 1;
}

void pf_lua_live_register(lua_State *L) {
  lua_pushcfunction(L, pf_capture);
  lua_setfield(L, -2, "capture");
  lua_pushcfunction(L, pf_mkdir);
  lua_setfield(L, -2, "mkdir");
}
