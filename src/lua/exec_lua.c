/* exec_lua.c: the executor for the bindings: its userdata, the user-field callbacks, the progress bar. */
#include <stdio.h>

#include "exec_lua.h"
#include "lauxlib.h"
#include "pktframe_lua.h"

#define PF_EXEC_MT "pktframe.Exec"

static int exec_gc(lua_State *L) {
  pf_exec_free((pf_exec *)lua_touserdata(L, 1));
  return 0;
}

pf_exec *pf_lua_exec_push(lua_State *L) {
  pf_exec *x = (pf_exec *)lua_newuserdatauv(L, sizeof(pf_exec), 0);
  pf_exec_init(x);
  if (luaL_newmetatable(L, PF_EXEC_MT)) {
    lua_pushcfunction(L, exec_gc);
    lua_setfield(L, -2, "__gc");
  }
  lua_setmetatable(L, -2);
  return x;
}

/* Under lua_pcall: pf_lua_ufplan_push for [dec, ndec]; the plan (or nil) returned. */
static int ppush(lua_State *L) {
  int *dec = (int *)lua_touserdata(L, 1), *ndec = (int *)lua_touserdata(L, 2);
  if (pf_lua_ufplan_push(L, dec, ndec) == NULL) lua_pushnil(L);
  return 1;
}

static int user_plan(void *ud, int *dec, int *ndec, char *err, size_t errlen) {
  pf_lua_execuser *u = (pf_lua_execuser *)ud;
  lua_State *L = u->L;
  lua_pushcfunction(L, ppush);
  lua_pushlightuserdata(L, dec);
  lua_pushlightuserdata(L, ndec);
  if (lua_pcall(L, 2, 1, 0) != LUA_OK) {   /* the error stays on the stack, its message in err */
    const char *msg = lua_tostring(L, -1);
    snprintf(err, errlen, "%s", msg ? msg : "out of memory");
    return -1;
  }
  if (lua_isnil(L, -1)) {
    lua_pop(L, 1);
    return 0;
  }
  u->plan = (pf_lua_ufplan *)lua_touserdata(L, -1);   /* stays on the stack */
  return 1;
}

static void user_attach(void *ud, pf_scan_opts *opts, pf_diag *diag) {
  pf_lua_ufplan_attach(((pf_lua_execuser *)ud)->plan, opts, diag);
}

static void user_finish(void *ud) { pf_lua_ufplan_finish(((pf_lua_execuser *)ud)->plan); }

void pf_lua_execuser_init(pf_lua_execuser *u, lua_State *L) {
  u->L = L;
  u->plan = NULL;
  u->hook.plan = user_plan;
  u->hook.attach = user_attach;
  u->hook.finish = user_finish;
  u->hook.ud = u;
}

void pf_lua_exec_progress(lua_State *L, pf_exec_opts *opts) {
  pf_lua_optprogress(L, &opts->progress, &opts->progress_ud);
}
