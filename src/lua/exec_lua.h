/* exec_lua.h: what the bindings that read (pf.read, pf.scan's verbs) share to run the executor (exec.h). */
#ifndef PF_EXEC_LUA_H
#define PF_EXEC_LUA_H

#include "exec.h"
#include "lua.h"
#include "userfield_lua.h"

/* A new pf_exec (pf_exec_init'd) in a userdata pushed on the stack, freed by
   its __gc, so that an error raised before or after the pass leaks nothing.
   [-0, +1, e] */
pf_exec *pf_lua_exec_push(lua_State *L);

/* User-defined fields of a read run from L: the executor's callbacks over
   pf_lua_ufplan. Keep it (and the stack above the plan) until the pass ends. */
typedef struct pf_lua_execuser {
  lua_State *L;
  pf_lua_ufplan *plan;
  pf_exec_user hook;
} pf_lua_execuser;

/* Sets u's callbacks. Its plan pushes the plan userdata (none when no field
   is a user field) or, when pf_lua_ufplan_push raised, the error object
   (which a binding raises with lua_error on PF_EXEC_USER) with its message
   in the executor's err (for hosts outside a Lua call: main.c). */
void pf_lua_execuser_init(pf_lua_execuser *u, lua_State *L);

/* The progress bar the host registered (PF_LUA_PROGRESS_KEY) into opts, if any. */
void pf_lua_exec_progress(lua_State *L, pf_exec_opts *opts);

#endif
