/* pktframe_lua.c: luaopen_pktframe_core: pf.read (captures into tables), pf.fields, pf.version. */
#include <stdio.h>
#include <string.h>

#include "lauxlib.h"
#include "lua.h"
#include "pf.h"
#include "filter_lua.h"
#include "pktframe_lua.h"
#include "budget.h"
#include "scan.h"
#include "table.h"
#include "fields.h"
#include "exec_lua.h"


/* Paths of argument 1 (a string or a table: the caller checked) in a new userdata,
   their strings anchored in a new table below it. [-0, +2, e] */
static const char **checkpaths(lua_State *L, int *npaths) {
  lua_Integer n = 1;
  if (lua_type(L, 1) == LUA_TTABLE) {
    n = luaL_len(L, 1);
    luaL_argcheck(L, n >= 1, 1, "empty list of paths");
    luaL_argcheck(L, n <= 0xffffff, 1, "too many paths");
  }
  lua_createtable(L, (int)n, 0);
  int anchor = lua_gettop(L);
  const char **paths = (const char **)lua_newuserdatauv(L, sizeof(char *) * (size_t)n, 0);
  if (lua_type(L, 1) == LUA_TSTRING) {
    paths[0] = lua_tostring(L, 1);
  } else {
    for (lua_Integer i = 1; i <= n; i++) {
      lua_geti(L, 1, i);
      if (lua_type(L, -1) != LUA_TSTRING)
        luaL_argerror(L, 1, lua_pushfstring(L, "paths[%I]: string expected, got %s", i, luaL_typename(L, -1)));
      paths[i - 1] = lua_tostring(L, -1);
      lua_rawseti(L, anchor, i);
    }
  }
  *npaths = (int)n;
  return paths;
}

/* Checks the options table (argument 2) for keys we do not know. */
static void checkoptkeys(lua_State *L) {
  lua_pushnil(L);
  while (lua_next(L, 2) != 0) {
    lua_pop(L, 1);
    if (lua_type(L, -1) == LUA_TSTRING) {
      const char *k = lua_tostring(L, -1);
      if (strcmp(k, "fields") && strcmp(k, "bpf") && strcmp(k, "strict") && strcmp(k, "filter") &&
          strcmp(k, "max_memory") && strcmp(k, "threads"))
        luaL_argerror(L, 2, lua_pushfstring(L, "unknown option '%s'", k));
    } else if (lua_isinteger(L, -1)) {
      /* pf.read(p, {"ip.src"}): the fields list passed where the options go */
      luaL_argerror(L, 2, "fields go in {fields = {...}}");
    } else {
      luaL_argerror(L, 2, lua_pushfstring(L, "unknown option of type %s", luaL_typename(L, -1)));
    }
  }
}


/* pf.read(path | {paths}, [{fields = {...}, bpf = "...", strict = bool}]):
   a pktframe.Table, or nil and "path: message" when a file cannot be read.
   Upvalue 1 is the module table, whose default_fields serve when no fields are given. */
static int pf_read(lua_State *L) {
  int npaths, nfids, strict = 0;
  const char *bpf = NULL, *ftext = NULL;
  if (lua_type(L, 1) != LUA_TSTRING && lua_type(L, 1) != LUA_TTABLE) luaL_typeerror(L, 1, "string or table");
  lua_settop(L, 2);   /* what checkpaths pushes must not pass for the options */
  const char **paths = checkpaths(L, &npaths);
  if (!lua_isnoneornil(L, 2)) luaL_checktype(L, 2, LUA_TTABLE);
  int *fids = NULL;
  if (lua_istable(L, 2)) {
    checkoptkeys(L);
    if (lua_getfield(L, 2, "strict") != LUA_TNIL) {
      if (!lua_isboolean(L, -1))
        luaL_argerror(L, 2, lua_pushfstring(L, "strict: boolean expected, got %s", luaL_typename(L, -1)));
      strict = lua_toboolean(L, -1);
    }
    if (lua_getfield(L, 2, "bpf") != LUA_TNIL) {
      if (lua_type(L, -1) != LUA_TSTRING)
        luaL_argerror(L, 2, lua_pushfstring(L, "bpf: string expected, got %s", luaL_typename(L, -1)));
      bpf = lua_tostring(L, -1);   /* anchored in the options table */
    }
    if (lua_getfield(L, 2, "filter") != LUA_TNIL) {
      if (lua_type(L, -1) != LUA_TSTRING)
        luaL_argerror(L, 2, lua_pushfstring(L, "filter: string expected, got %s", luaL_typename(L, -1)));
      ftext = lua_tostring(L, -1);
    }
    int ft = lua_getfield(L, 2, "fields");
    if (ft != LUA_TNIL) {
      if (ft != LUA_TTABLE)
        luaL_argerror(L, 2, lua_pushfstring(L, "fields: table expected, got %s", luaL_typename(L, -1)));
      fids = pf_lua_checkfields(L, -1, 2, &nfids);
    }
  }
  pf_budget bud;   /* max_memory, or pktframe --max-memory: raises for a bad size */
  char blabel[64];
  int hasb = pf_lua_budget(L, 2, "read", &bud, blabel, sizeof blabel);
  if (fids == NULL) {
    if (lua_getfield(L, lua_upvalueindex(1), "default_fields") != LUA_TTABLE)
      luaL_argerror(L, 2, "no fields given and no default_fields (require \"pktframe\")");
    fids = pf_lua_checkfields(L, -1, 2, &nfids);
  }
  char err[512];
  pf_filter *flt = NULL;
  if (ftext) {
    flt = pf_lua_pushfilter(L, ftext, err, sizeof err);   /* owned by the stack */
    if (flt == NULL) luaL_argerror(L, 2, lua_pushfstring(L, "bad filter '%s': %s", ftext, err));
  }
  pf_exec_opts o;
  memset(&o, 0, sizeof o);
  o.paths = paths;
  o.npaths = npaths;
  o.bpf = bpf;
  o.check_bpf = 1;   /* a bad BPF expression is the caller's mistake, a bad file is not */
  o.filters = (const pf_filter *const *)&flt;
  o.nfilters = flt != NULL;
  o.strict = strict ? fids : NULL;   /* every column: pf_table_has_all */
  o.nstrict = strict ? nfids : 0;
  pf_lua_execuser eu;
  pf_lua_execuser_init(&eu, L);
  o.user = &eu.hook;
  o.interrupted = &pf_lua_interrupted;
  o.threads = pf_lua_optthreads(L, 2);
  pf_lua_exec_progress(L, &o);
  o.budget = hasb;
  o.max_memory = bud.limit;
  pf_exec_verb v;
  memset(&v, 0, sizeof v);
  v.kind = PF_EXEC_COLLECT;
  v.fids = fids;
  v.nfids = nfids;
  v.bucket = -1;
  pf_exec *x = pf_lua_exec_push(L);
  int rc = pf_exec_plan(x, &o, &v, 1);
  if (rc == PF_EXEC_USER) return lua_error(L);   /* the user fields' error, on the stack */
  if (rc == PF_EXEC_BADBPF) {
    if (strcmp(x->err, "out of memory") == 0) return pf_lua_fail(L, x->err);
    luaL_argerror(L, 2, lua_pushstring(L, x->err));
  }
  if (rc == PF_EXEC_OK) rc = pf_exec_run(x);
  if (rc == PF_EXEC_OK) {
    LTable *lt = pf_lua_newtable(L);
    lt->t = x->table;
    x->table = NULL;
    return 1;
  }
  if (rc == PF_EXEC_INTERRUPTED) {
    pf_lua_interrupted = 0;
    return luaL_error(L, "interrupted");
  }
  if (rc == PF_EXEC_BUDGET) {
    pf_lua_budget_error(L, paths[x->err_file], x->err_num, blabel, "the table holds", x->err_held, "row",
                        x->err_bytes);
    return pf_lua_fail(L, lua_tostring(L, -1));
  }
  if (rc == PF_EXEC_NOMEM) {
    lua_pushfstring(L, "%s: packet %I: out of memory", paths[x->err_file], (lua_Integer)x->err_num);
    return pf_lua_fail(L, lua_tostring(L, -1));
  }
  return pf_lua_fail(L, x->err);
}

/* The message inside "bad argument #2 to 'find' (MESSAGE)", or all of msg. */
static void push_inner_message(lua_State *L, const char *msg) {
  const char *open = strstr(msg, "' (");
  size_t len = strlen(msg);
  if (strncmp(msg, "bad argument", 12) == 0 && open != NULL && len > 0 && msg[len - 1] == ')') {
    open += 3;
    lua_pushlstring(L, open, (size_t)(msg + len - 1 - open));
  } else {
    lua_pushstring(L, msg);
  }
}

/* string.find(s, pattern) under pcall: 1 match, 0 no match; raises an
   argument error naming argument 1 for a bad pattern. Stack: [find, pattern]
   at find, find + 1. */
static int matches(lua_State *L, int find, const char *s) {
  lua_pushvalue(L, find);
  lua_pushstring(L, s);
  lua_pushvalue(L, find + 1);
  if (lua_pcall(L, 2, 1, 0) != LUA_OK) {
    push_inner_message(L, lua_tostring(L, -1));
    luaL_argerror(L, 1, lua_tostring(L, -1));
  }
  int m = !lua_isnil(L, -1);
  lua_pop(L, 1);
  return m;
}

/* pf.fields([pattern]): {{name =, type =, doc =}, ...} of every field, or of
   those whose name or doc matches the Lua pattern. */
static int pf_fields_fn(lua_State *L) {
  int haspat = !lua_isnoneornil(L, 1);
  if (haspat) luaL_checkstring(L, 1);
  lua_settop(L, 1);
  int find = 0;
  if (haspat) {
    lua_getfield(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
    if (lua_getfield(L, -1, "string") != LUA_TTABLE || lua_getfield(L, -1, "find") != LUA_TFUNCTION)
      return luaL_error(L, "pf.fields needs the string library");
    find = lua_gettop(L);
    lua_pushvalue(L, 1);          /* [find, pattern] */
    matches(L, find, "");         /* a malformed pattern fails even with no field to match */
  }
  lua_newtable(L);
  lua_Integer n = 0;
  for (int i = 0; i < pf_field_count(); i++) {
    if (pf_field_retired(i)) continue;   /* a user field redefined with another type */
    const pf_field_info *f = &pf_fields[i];
    if (haspat && !matches(L, find, f->name) && !matches(L, find, f->doc)) continue;
    lua_createtable(L, 0, 3);
    lua_pushstring(L, f->name);
    lua_setfield(L, -2, "name");
    lua_pushstring(L, pf_ftype_name(f->type));
    lua_setfield(L, -2, "type");
    lua_pushstring(L, f->doc);
    lua_setfield(L, -2, "doc");
    if (i >= PF_NFIELDS) {
      lua_pushboolean(L, 1);
      lua_setfield(L, -2, "user");
    }
    lua_rawseti(L, -2, ++n);
  }
  return 1;
}

int luaopen_pktframe_core(lua_State *L) {
  pf_lua_open_table(L);
  pf_lua_open_column(L);
  pf_lua_open_verbs(L);
  pf_lua_open_groupby(L);
  pf_lua_open_filter(L);
  lua_newtable(L);
  pf_lua_filter_register(L);
  pf_lua_info_register(L);
  pf_lua_frame_register(L);
  pf_lua_verbs_register(L);
  pf_lua_query_register(L);
  pf_lua_live_register(L);
  pf_lua_bytes_register(L);
  pf_lua_userfield_register(L);
  pf_lua_resolve_register(L);
  lua_pushvalue(L, -1);
  lua_pushcclosure(L, pf_read, 1);
  lua_setfield(L, -2, "read");
  lua_pushcfunction(L, pf_fields_fn);
  lua_setfield(L, -2, "fields");
  lua_pushliteral(L, PF_VERSION);
  lua_setfield(L, -2, "version");
  return 1;
}
