/* filter_lua.h: compiling display filters through the Lua parser. */
#ifndef PF_FILTER_LUA_H
#define PF_FILTER_LUA_H

#include "filter.h"
#include "lua.h"

/* Parses text with pktframe.filter and compiles it. NULL with a message in err
   ("column 9: expected a value near ..."): never raises but for memory errors. */
pf_filter *pf_lua_filter_compile(lua_State *L, const char *text, char *err, size_t errlen);
/* Compiles text and pushes a pktframe.Filter that owns the result (freed by
   the collector), returning it; on a bad filter pushes nothing and returns
   NULL with the message in err. [-0, +(0|1), m] */
pf_filter *pf_lua_pushfilter(lua_State *L, const char *text, char *err, size_t errlen);
/* Checks that arg is an open pktframe.Filter. */
pf_filter *pf_lua_checkfilter(lua_State *L, int arg);
void pf_lua_open_filter(lua_State *L);
/* Sets compile_filter in the table at the top of the stack. */
void pf_lua_filter_register(lua_State *L);

#endif
