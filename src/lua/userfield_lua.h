/* userfield_lua.h: user-defined fields (pf.define_field) in a read: what pf.read, pf.scan
   and `pktframe fields --load` call so that user decoders run on the packets they match. */
#ifndef PF_USERFIELD_LUA_H
#define PF_USERFIELD_LUA_H

#include "lua.h"
#include "scan.h"

typedef struct pf_lua_ufplan pf_lua_ufplan;

/* For a read that decodes the fields dec[0 .. *ndec) (its columns and its
   filter's): when none is a user field, returns NULL and pushes nothing, so
   the read costs nothing more. Otherwise appends to dec the built-in fields
   the user decoders need that it lacks (tcp.payload, udp.payload, the fields
   of their where filters and rows: at most PF_NFIELDS more, dec must have
   that room), pushes a userdata owning the plan (keep it on the stack until
   the scan ends) and returns the plan. Raises for a user field defined in
   another Lua state (its decoder is not here). [-0, +(0|1), e] */
pf_lua_ufplan *pf_lua_ufplan_push(lua_State *L, int *dec, int *ndec);

/* pf_lua_ufplan_push run protected: for hosts outside a Lua call (main.c).
   NULL with nothing pushed and a message in err when it fails; *none set
   when there was no user field (NULL, nothing pushed, no error). */
pf_lua_ufplan *pf_lua_ufplan_ppush(lua_State *L, int *dec, int *ndec, int *none, char *err, size_t errlen);

/* Points opts->user at the plan: the decoders run on the lua_State given to
   pf_lua_ufplan_push, inside the scan, so the scan must decode in the
   calling thread (threads 1); their errors go to diag (the first few of
   each field, also as Lua warnings) as "myproto.op: packet 12: decode: MESSAGE". */
void pf_lua_ufplan_attach(pf_lua_ufplan *u, pf_scan_opts *opts, pf_diag *diag);

/* After the scan: one diagnostic per field whose errors were not all listed.
   Never raises. */
void pf_lua_ufplan_finish(pf_lua_ufplan *u);

/* Sets define_field and undefine_field in the module table at the top of the stack. */
void pf_lua_userfield_register(lua_State *L);

#endif
