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
#include "userfield_lua.h"

/* The field ids of the list at idx in a new userdata (pf_lua_checkfields). [-0, +1, e] */
static int *checkfields(lua_State *L, int idx, int arg, int *nfids) { return pf_lua_checkfields(L, idx, arg, nfids); }

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

typedef struct readctx {
  pf_table *t;
  int strict;
  int oom;
  uint64_t oom_num;
  uint32_t oom_file;
} readctx;

/* pf_sink_fn: one row per packet kept. Never raises: it runs inside pf_scan. */
static int read_sink(void *ud, const pf_pkt *p) {
  readctx *rc = (readctx *)ud;
  if (rc->strict && !pf_table_has_all(rc->t, p)) return 0;
  if (pf_table_append(rc->t, p) != PF_TABLE_OK) {
    rc->oom = 1;
    rc->oom_num = p->file_num;
    rc->oom_file = p->file_index;
    return 1;
  }
  return 0;
}

static int nosink(void *ud, const pf_pkt *p) {
  (void)ud;
  (void)p;
  return 0;
}

/* pf_read's name for pf_lua_fail (aux.h): a shim until pf_read's rewrite lands. */
static int fail(lua_State *L, const char *msg) { return pf_lua_fail(L, msg); }

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
      fids = checkfields(L, -1, 2, &nfids);
    }
  }
  pf_budget bud;   /* max_memory, or pktframe --max-memory: raises for a bad size */
  char blabel[64];
  int hasb = pf_lua_budget(L, 2, "read", &bud, blabel, sizeof blabel);
  if (fids == NULL) {
    if (lua_getfield(L, lua_upvalueindex(1), "default_fields") != LUA_TTABLE)
      luaL_argerror(L, 2, "no fields given and no default_fields (require \"pktframe\")");
    fids = checkfields(L, -1, 2, &nfids);
  }
  char err[512];
  pf_scan_opts opts;
  memset(&opts, 0, sizeof opts);   /* options added to pf_scan_opts later stay off */
  opts.bpf = bpf;
  /* the decoder must produce what the display filter reads, too */
  int ndec = nfids;
  /* room for the filter's fields and what user decoders need (userfield_lua.h) */
  int *dec = (int *)lua_newuserdatauv(L, sizeof(int) * ((size_t)nfids + PF_MAXFIELDS + PF_NFIELDS), 0);
  memcpy(dec, fids, sizeof(int) * (size_t)nfids);
  if (ftext) {
    pf_filter *flt = pf_lua_pushfilter(L, ftext, err, sizeof err);   /* owned by the stack */
    if (flt == NULL) luaL_argerror(L, 2, lua_pushfstring(L, "bad filter '%s': %s", ftext, err));
    ndec += pf_filter_fields(flt, dec + nfids, PF_MAXFIELDS);
    opts.filter = flt;
  }
  pf_lua_ufplan *uf = pf_lua_ufplan_push(L, dec, &ndec);   /* NULL: no user field */
  opts.interrupted = &pf_lua_interrupted;
  opts.threads = pf_lua_optthreads(L, 2);
  opts.sink_skips_data = 1;   /* read_sink appends values only */
  if (lua_getfield(L, LUA_REGISTRYINDEX, PF_LUA_PROGRESS_KEY) == LUA_TLIGHTUSERDATA) {
    const pf_lua_progress *pg = (const pf_lua_progress *)lua_touserdata(L, -1);
    opts.progress = pg->fn;
    opts.progress_ud = pg->ud;
  }
  lua_pop(L, 1);
  if (bpf && *bpf) {
    /* pf_scan compiles the filter before it opens any file, so a scan of no
       files tells a bad filter (the caller's mistake) from a bad file */
    pf_diag none;
    pf_diag_init(&none);
    int rc = pf_scan(NULL, 0, fids, nfids, &opts, nosink, NULL, &none, err, sizeof err);
    pf_diag_free(&none);
    if (rc == PF_SCAN_ERROR) {
      if (strcmp(err, "out of memory") == 0) return fail(L, err);
      luaL_argerror(L, 2, lua_pushstring(L, err));
    }
  }
  LTable *lt = pf_lua_newtable(L);
  lt->t = pf_table_new(fids, nfids, hasb ? pf_budget_alloc : NULL, &bud);
  if (lt->t == NULL) return fail(L, hasb && bud.hit ? "memory budget reached before the first packet" : "out of memory");
  readctx ctx = { lt->t, strict, 0, 0, 0 };
  if (uf) {
    pf_lua_ufplan_attach(uf, &opts, pf_table_diag(lt->t));
    opts.threads = 1;   /* the decoders call Lua: decoding stays in this thread */
  }
  int rc = pf_scan(paths, npaths, dec, ndec, &opts, read_sink, &ctx, pf_table_diag(lt->t), err, sizeof err);
  if (uf) pf_lua_ufplan_finish(uf);
  if (rc == PF_SCAN_OK) {
    if (hasb) pf_table_setalloc(lt->t, NULL, NULL);   /* the budget ends with the read */
    return 1;
  }
  size_t held = pf_table_nrows(lt->t), heldbytes = bud.used;
  pf_table_free(lt->t);   /* now, not at the next collection: it may be large */
  lt->t = NULL;
  if (rc == PF_SCAN_INTERRUPTED) {
    pf_lua_interrupted = 0;
    return luaL_error(L, "interrupted");
  }
  if (rc == PF_SCAN_STOPPED && ctx.oom && hasb && bud.hit) {
    pf_lua_budget_error(L, paths[ctx.oom_file], ctx.oom_num, blabel, "the table holds", held, "row", heldbytes);
    return fail(L, lua_tostring(L, -1));
  }
  if (rc == PF_SCAN_STOPPED && ctx.oom) {
    lua_pushfstring(L, "%s: packet %I: out of memory", paths[ctx.oom_file], (lua_Integer)ctx.oom_num);
    return fail(L, lua_tostring(L, -1));
  }
  return fail(L, err);
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
