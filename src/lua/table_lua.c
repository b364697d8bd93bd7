/* table_lua.c: the pktframe.Table userdata: length, columns, rows, head, text and CSV output. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lauxlib.h"
#include "lua.h"
#include "pktframe_lua.h"
#include "table.h"

/* Raises for a writer that stopped: out of memory or an interrupt. */
static int write_failed(lua_State *L, int interrupted) {
  if (interrupted) {
    pf_lua_interrupted = 0;
    return luaL_error(L, "interrupted");
  }
  return luaL_error(L, "not enough memory");
}

#define checktable pf_lua_checktable

static int tbl_release(lua_State *L) {   /* __gc, __close, :close(); idempotent */
  LTable *lt = (LTable *)luaL_checkudata(L, 1, PF_TABLE_MT);
  if (lt->t != NULL) {
    pf_table_free(lt->t);
    lt->t = NULL;
  }
  return 0;
}

static int tbl_len(lua_State *L) {
  lua_pushinteger(L, (lua_Integer)pf_table_nrows(checktable(L, 1)));
  return 1;
}

/* Pushes the aligned text of t with the display options (pf_lua_renderopts) of the table at arg. */
static void push_render(lua_State *L, const pf_table *t, int arg) {
  pf_render_opts o;
  pf_lua_renderopts(L, arg, &o);
  pf_lua_pushrender(L, t, &o);
}

static int tbl_tostring(lua_State *L) {
  LTable *lt = (LTable *)luaL_checkudata(L, 1, PF_TABLE_MT);
  if (lt->t == NULL) {
    lua_pushliteral(L, "pktframe.Table (closed)");
    return 1;
  }
  push_render(L, lt->t, 0);
  return 1;
}

/* t:to_string([opts]): the text tostring gives, with display options
   ({all = true}, {max_rows = 0, max_colwidth = 80}, ...) over pf.options.display. */
static int tbl_to_string(lua_State *L) {
  pf_table *t = checktable(L, 1);
  push_render(L, t, 2);
  return 1;
}

/* t:print([opts]): writes t:to_string(opts) and a newline to standard output. */
static int tbl_print(lua_State *L) {
  pf_table *t = checktable(L, 1);
  push_render(L, t, 2);
  size_t n;
  const char *s = lua_tolstring(L, -1, &n);
  fwrite(s, 1, n, stdout);
  fputc('\n', stdout);
  fflush(stdout);
  return 0;
}

/* The __index of pktframe.Table (installed by pktframe's init.lua once every binding file has
   added its methods; upvalue 1 the method table): methods, then a column by name (t["ip.src"],
   as a pandas DataFrame), else an error that names the closest columns for a string that is no
   identifier; nil for other keys. */
static int tbl_index(lua_State *L) {
  lua_pushvalue(L, 2);
  if (lua_rawget(L, lua_upvalueindex(1)) != LUA_TNIL || lua_type(L, 2) != LUA_TSTRING) return 1;
  lua_pop(L, 1);
  LTable *lt = (LTable *)luaL_checkudata(L, 1, PF_TABLE_MT);
  if (lt->t == NULL) return 0;
  const char *k = lua_tostring(L, 2);
  int col = pf_table_find(lt->t, k);
  if (col >= 0) {
    pf_lua_pushcolumn(L, 1, col);
    return 1;
  }
  int ident = (*k == '_' || (*k >= 'a' && *k <= 'z') || (*k >= 'A' && *k <= 'Z'));
  for (const char *p = k; *p && ident; p++)
    ident = *p == '_' || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9');
  if (ident) return 0;
  return luaL_error(L, "%s", pf_lua_pushnocolumn(L, lt->t, k));
}

static int tbl_columns(lua_State *L) {
  pf_table *t = checktable(L, 1);
  int n = pf_table_ncols(t);
  lua_createtable(L, n, 0);
  for (int i = 0; i < n; i++) {
    lua_pushstring(L, pf_table_colname(t, i));
    lua_rawseti(L, -2, i + 1);
  }
  return 1;
}

/* t:types(): {name = type, ...} */
static int tbl_types(lua_State *L) {
  pf_table *t = checktable(L, 1);
  int n = pf_table_ncols(t);
  lua_createtable(L, 0, n);
  for (int i = 0; i < n; i++) {
    lua_pushstring(L, pf_ftype_name(pf_table_col(t, i)->type));
    lua_setfield(L, -2, pf_table_colname(t, i));
  }
  return 1;
}

static int tbl_col(lua_State *L) {
  pf_table *t = checktable(L, 1);
  const char *name = luaL_checkstring(L, 2);
  pf_lua_pushcolumn(L, 1, pf_lua_findcol(L, t, 2, name));
  return 1;
}

/* t:row(i): {field = first value, ...} without the nulls; nil past the end. */
static int tbl_row(lua_State *L) {
  pf_table *t = checktable(L, 1);
  lua_Integer i = luaL_checkinteger(L, 2);
  if (i < 1 || (lua_Unsigned)i > (lua_Unsigned)pf_table_nrows(t)) {
    luaL_pushfail(L);
    return 1;
  }
  int n = pf_table_ncols(t);
  lua_createtable(L, 0, n);
  for (int j = 0; j < n; j++) {
    pf_colref r = pf_table_colref(t, j);
    pf_lua_pushcell(L, r.c, r.off + (size_t)(i - 1), 0);
    lua_setfield(L, -2, pf_table_colname(t, j));
  }
  return 1;
}

/* The iterator of t:rows(): upvalue 1 the table, 2 the next row (1-based).
   Returns a fresh {name = value} (nulls absent) and the row index, nil at the end. */
static int rows_next(lua_State *L) {
  LTable *lt = (LTable *)lua_touserdata(L, lua_upvalueindex(1));
  lua_Integer i = lua_tointeger(L, lua_upvalueindex(2));
  if (lt->t == NULL) return luaL_error(L, "rows: the table was closed during the loop");
  if (i < 1 || (lua_Unsigned)i > (lua_Unsigned)pf_table_nrows(lt->t)) return 0;
  lua_pushinteger(L, i + 1);
  lua_replace(L, lua_upvalueindex(2));
  int n = pf_table_ncols(lt->t);
  lua_createtable(L, 0, n);
  for (int j = 0; j < n; j++) {
    pf_colref r = pf_table_colref(lt->t, j);
    pf_lua_pushcell(L, r.c, r.off + (size_t)(i - 1), 0);
    lua_setfield(L, -2, pf_table_colname(lt->t, j));
  }
  lua_pushinteger(L, i);
  return 2;
}

/* t:rows(): for row, i in t:rows() do ... end, each row as t:row(i) gives it. */
static int tbl_rows(lua_State *L) {
  checktable(L, 1);
  lua_settop(L, 1);
  lua_pushinteger(L, 1);
  lua_pushcclosure(L, rows_next, 2);
  return 1;
}

static int tbl_head(lua_State *L) {
  pf_table *t = checktable(L, 1);
  lua_Integer n = luaL_optinteger(L, 2, 5);
  if (n < 0) return luaL_argerror(L, 2, lua_pushfstring(L, "non-negative count expected, got %I", n));
  LTable *h = pf_lua_newtable(L);
  h->t = pf_table_head(t, (size_t)n);
  if (h->t == NULL) return luaL_error(L, "not enough memory");
  return 1;
}

/* t:tail([n]): the last n rows (default 5), sharing the columns. */
static int tbl_tail(lua_State *L) {
  pf_table *t = checktable(L, 1);
  lua_Integer n = luaL_optinteger(L, 2, 5);
  if (n < 0) return luaL_argerror(L, 2, lua_pushfstring(L, "non-negative count expected, got %I", n));
  size_t rows = pf_table_nrows(t), k = (lua_Unsigned)n < rows ? (size_t)n : rows;
  LTable *h = pf_lua_newtable(L);
  h->t = pf_table_slice(t, rows - k, k);
  if (h->t == NULL) return luaL_error(L, "not enough memory");
  return 1;
}

/* t:slice(i, [j]): rows i .. j (1-based, inclusive; j defaults to #t, negative
   counts from the end as string.sub does), sharing the columns. */
static int tbl_slice(lua_State *L) {
  pf_table *t = checktable(L, 1);
  lua_Integer rows = (lua_Integer)pf_table_nrows(t);
  lua_Integer i = luaL_checkinteger(L, 2), j = luaL_optinteger(L, 3, -1);
  if (i < 0) i = rows + i + 1;
  if (j < 0) j = rows + j + 1;
  if (i < 1) i = 1;
  if (j > rows) j = rows;
  LTable *h = pf_lua_newtable(L);
  h->t = pf_table_slice(t, (size_t)(i - 1), i > j ? 0 : (size_t)(j - i + 1));
  if (h->t == NULL) return luaL_error(L, "not enough memory");
  return 1;
}

/* t:select(name, ...) or t:select{names}: those columns in that order, shared. */
static int tbl_select(lua_State *L) {
  pf_table *t = checktable(L, 1);
  int list = lua_type(L, 2) == LUA_TTABLE;
  lua_Integer n = list ? luaL_len(L, 2) : lua_gettop(L) - 1;
  if (!list && n == 0) luaL_checkstring(L, 2);
  luaL_argcheck(L, n <= 4096, 2, "too many columns");
  int *cols = (int *)lua_newuserdatauv(L, sizeof(int) * (size_t)(n ? n : 1), 0);
  for (lua_Integer k = 1; k <= n; k++) {
    int arg = list ? 2 : (int)k + 1;
    if (list) lua_geti(L, 2, k);
    else lua_pushvalue(L, arg);
    if (lua_type(L, -1) != LUA_TSTRING) {
      if (list)
        luaL_argerror(L, arg, lua_pushfstring(L, "names[%I]: string expected, got %s", k, luaL_typename(L, -1)));
      luaL_typeerror(L, arg, "string");
    }
    const char *name = lua_tostring(L, -1);
    cols[k - 1] = pf_lua_findcol(L, t, arg, name);
    for (lua_Integer m = 1; m < k; m++)
      if (cols[m - 1] == cols[k - 1]) luaL_argerror(L, arg, lua_pushfstring(L, "column '%s' selected twice", name));
    lua_pop(L, 1);
  }
  LTable *h = pf_lua_newtable(L);
  h->t = pf_table_select(t, cols, (int)n);
  if (h->t == NULL) return luaL_error(L, "not enough memory");
  return 1;
}

/* t:rename{old = new, ...}: the same columns (shared) under new names. */
static int tbl_rename(lua_State *L) {
  pf_table *t = checktable(L, 1);
  luaL_checktype(L, 2, LUA_TTABLE);
  int n = pf_table_ncols(t);
  const char **names = (const char **)lua_newuserdatauv(L, sizeof(char *) * (size_t)(n ? n : 1), 0);
  for (int i = 0; i < n; i++) names[i] = pf_table_colname(t, i);
  lua_pushnil(L);
  while (lua_next(L, 2) != 0) {
    if (lua_type(L, -2) != LUA_TSTRING || lua_type(L, -1) != LUA_TSTRING)
      luaL_argerror(L, 2, lua_pushfstring(L, "{old = new} names expected, got %s = %s", luaL_typename(L, -2),
                                          luaL_typename(L, -1)));
    int i = pf_lua_findcol(L, t, 2, lua_tostring(L, -2));
    names[i] = lua_tostring(L, -1);   /* anchored in the argument table */
    lua_pop(L, 1);
  }
  for (int i = 0; i < n; i++)
    for (int j = 0; j < i; j++)
      if (strcmp(names[i], names[j]) == 0)
        luaL_argerror(L, 2, lua_pushfstring(L, "two columns would be named '%s'", names[i]));
  LTable *h = pf_lua_newtable(L);
  h->t = pf_table_slice(t, 0, pf_table_nrows(t));
  for (int i = 0; i < n && h->t != NULL; i++) {
    if (strcmp(names[i], pf_table_colname(t, i)) == 0) continue;
    pf_table *r = pf_table_rename(h->t, i, names[i]);
    pf_table_free(h->t);
    h->t = r;
  }
  if (h->t == NULL) return luaL_error(L, "not enough memory");
  return 1;
}

static int tbl_diagnostics(lua_State *L) {
  pf_diag *g = pf_table_diag(checktable(L, 1));
  lua_createtable(L, g->n, 0);
  for (int i = 0; i < g->n; i++) {
    lua_pushstring(L, g->msgs[i]);
    lua_rawseti(L, -2, i + 1);
  }
  return 1;
}

typedef struct filewriter {
  FILE *f;
  int interrupted;
} filewriter;

static int file_write(void *ud, const char *s, size_t n) {
  filewriter *fw = (filewriter *)ud;
  if (pf_lua_interrupted) { fw->interrupted = 1; return 1; }
  return fwrite(s, 1, n, fw->f) != n;
}

typedef int (*table_writer)(const pf_table *t, pf_write_fn w, void *ud);

/* The text, or true after writing it to path (nil, msg, errno on failure). */
static int write_out(lua_State *L, table_writer fn) {
  pf_table *t = checktable(L, 1);
  if (lua_isnoneornil(L, 2)) {
    pf_lua_buf *b = pf_lua_newbuf(L);
    int rc = fn(t, pf_lua_bufwrite, b);
    if (rc != PF_TABLE_OK) return write_failed(L, b->interrupted);
    lua_pushlstring(L, b->p, b->len);
    return 1;
  }
  if (lua_type(L, 2) != LUA_TSTRING) return luaL_typeerror(L, 2, "string");   /* not a number made a name */
  const char *path = lua_tostring(L, 2);
  filewriter fw;
  fw.interrupted = 0;
  fw.f = fopen(path, "wb");
  if (fw.f == NULL) return luaL_fileresult(L, 0, path);
  int rc = fn(t, file_write, &fw);
  int saved = errno;
  int failed = rc != PF_TABLE_OK || ferror(fw.f);
  if (fclose(fw.f) != 0 && !failed) {
    failed = 1;
    saved = errno;
  }
  if (rc == PF_TABLE_ENOMEM || fw.interrupted) return write_failed(L, fw.interrupted);
  errno = saved;
  return luaL_fileresult(L, !failed, path);
}

/* t:to_csv([path]), t:to_tsv([path]), t:to_json([path]) */
static int tbl_to_csv(lua_State *L) { return write_out(L, pf_table_csv); }
static int tbl_to_tsv(lua_State *L) { return write_out(L, pf_table_tsv); }
static int tbl_to_json(lua_State *L) { return write_out(L, pf_table_json); }

/* ---- pf.read that remembers what it read: t:paths(), t:reread{} (init.lua) ---- */

#define PF_ORIGINS_KEY "pktframe.origins"   /* registry: weak-keyed {[Table] = {paths =, opts =}} */

/* Pushes a shallow copy of the table at idx (nil: an empty table); a string s as {s}. */
static void push_copy(lua_State *L, int idx) {
  idx = lua_absindex(L, idx);
  lua_newtable(L);
  if (lua_type(L, idx) == LUA_TSTRING) {
    lua_pushvalue(L, idx);
    lua_rawseti(L, -2, 1);
  } else if (lua_type(L, idx) == LUA_TTABLE) {
    lua_pushnil(L);
    while (lua_next(L, idx)) {
      lua_pushvalue(L, -2);
      lua_insert(L, -2);
      lua_rawset(L, -4);
    }
  }
}

/* pf.read as the module gives it: the core's read (upvalue 1), called with the same arguments,
   and the table it makes remembers its paths and options in PF_ORIGINS_KEY. A C function, so
   that errors read as the core's own: at the caller's position (a tail call included), named
   'read'. */
static int read_recording(lua_State *L) {
  int nargs = lua_gettop(L);
  luaL_checkstack(L, nargs + 8, "too many arguments");
  lua_pushvalue(L, lua_upvalueindex(1));
  for (int i = 1; i <= nargs; i++) lua_pushvalue(L, i);
  int st = lua_pcall(L, nargs, LUA_MULTRET, 0);
  if (st != LUA_OK) {
    if (st == LUA_ERRRUN && lua_type(L, -1) == LUA_TSTRING) {
      /* raised by luaL_error in the core's read, which blamed its caller (this function): blame ours */
      const char *m = lua_tostring(L, -1);
      static const char *const names[] = { " to 'pktframe.core.read' (", " to '?' (" };
      luaL_where(L, 1);
      for (int k = 0; k < 2; k++) {
        const char *at = strstr(m, names[k]);
        if (strncmp(m, "bad argument #", 14) == 0 && at) {
          lua_pushlstring(L, m, (size_t)(at - m));
          lua_pushliteral(L, " to 'read' (");
          lua_pushstring(L, at + strlen(names[k]));
          lua_concat(L, 3);
          lua_replace(L, -3);
          break;
        }
      }
      lua_insert(L, -2);
      lua_concat(L, 2);
    }
    return lua_error(L);
  }
  int nres = lua_gettop(L) - nargs;
  if (nres >= 1 && luaL_testudata(L, nargs + 1, PF_TABLE_MT)) {
    lua_getfield(L, LUA_REGISTRYINDEX, PF_ORIGINS_KEY);
    lua_pushvalue(L, nargs + 1);
    lua_createtable(L, 0, 2);
    push_copy(L, 1);
    lua_setfield(L, -2, "paths");
    push_copy(L, 2);
    lua_setfield(L, -2, "opts");
    lua_rawset(L, -3);
    lua_pop(L, 1);
  }
  return nres;
}

/* wrap(read): read_recording over read. */
static int pf_lua_wrap_read(lua_State *L) {
  luaL_checktype(L, 1, LUA_TFUNCTION);
  lua_settop(L, 1);
  lua_pushcclosure(L, read_recording, 1);
  return 1;
}

static const luaL_Reg tbl_methods[] = {
  {"close", tbl_release},
  {"columns", tbl_columns},
  {"col", tbl_col},
  {"row", tbl_row},
  {"rows", tbl_rows},
  {"types", tbl_types},
  {"head", tbl_head},
  {"tail", tbl_tail},
  {"slice", tbl_slice},
  {"select", tbl_select},
  {"rename", tbl_rename},
  {"diagnostics", tbl_diagnostics},
  {"to_csv", tbl_to_csv},
  {"to_tsv", tbl_to_tsv},
  {"to_json", tbl_to_json},
  {"to_string", tbl_to_string},
  {"print", tbl_print},
  {NULL, NULL}
};

static const luaL_Reg tbl_meta[] = {
  {"__index", NULL},    /* the method table */
  {"__gc", tbl_release},
  {"__close", tbl_release},
  {"__len", tbl_len},
  {"__tostring", tbl_tostring},
  {NULL, NULL}
};

void pf_lua_open_table(lua_State *L) {
  luaL_newmetatable(L, PF_TABLE_MT);
  luaL_setfuncs(L, tbl_meta, 0);
  luaL_newlibtable(L, tbl_methods);
  luaL_setfuncs(L, tbl_methods, 0);
  lua_pushvalue(L, -1);
  lua_setfield(L, -3, "__index");
  lua_pushcclosure(L, tbl_index, 1);
  lua_setfield(L, -2, "__pf_index");   /* made __index by init.lua, after the other files' methods */
  lua_pushcfunction(L, pf_lua_wrap_read);
  lua_setfield(L, -2, "__pf_wrap_read");   /* init.lua: pf.read = wrap(core.read) */
  lua_pop(L, 1);
  lua_newtable(L);   /* the origins of tables pf.read made, weak keys */
  lua_createtable(L, 0, 1);
  lua_pushliteral(L, "k");
  lua_setfield(L, -2, "__mode");
  lua_setmetatable(L, -2);
  lua_setfield(L, LUA_REGISTRYINDEX, PF_ORIGINS_KEY);
}
