/* table_lua.c: the pktframe.Table userdata: length, columns, rows, head, text and CSV output. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lauxlib.h"
#include "lua.h"
#include "pktframe_lua.h"
#include "table.h"

#define PF_BUFFER_MT "pktframe.Buffer"

/* Output collected in C memory owned by a userdata, so that a Lua error
   (out of memory pushing the result) cannot leak it. */
typedef struct LBuf {
  char *p;
  size_t len, cap;
  int oom, interrupted;
} LBuf;

static int buf_gc(lua_State *L) {
  LBuf *b = (LBuf *)luaL_checkudata(L, 1, PF_BUFFER_MT);
  free(b->p);
  b->p = NULL;
  b->len = b->cap = 0;
  return 0;
}

static LBuf *newbuf(lua_State *L) {   /* [-0, +1, m] */
  LBuf *b = (LBuf *)lua_newuserdatauv(L, sizeof(LBuf), 0);
  b->p = NULL;
  b->len = b->cap = 0;
  b->oom = b->interrupted = 0;
  luaL_setmetatable(L, PF_BUFFER_MT);
  return b;
}

/* pf_write_fn into an LBuf; calls no Lua function, so it never raises. */
static int buf_write(void *ud, const char *s, size_t n) {
  LBuf *b = (LBuf *)ud;
  if (pf_lua_interrupted) { b->interrupted = 1; return 1; }
  if (n > b->cap - b->len) {
    size_t ncap = b->cap ? b->cap : 4096;
    while (ncap - b->len < n) {
      if (ncap > (size_t)-1 / 2) { b->oom = 1; return 1; }
      ncap *= 2;
    }
    char *np = (char *)realloc(b->p, ncap);
    if (np == NULL) { b->oom = 1; return 1; }
    b->p = np;
    b->cap = ncap;
  }
  memcpy(b->p + b->len, s, n);
  b->len += n;
  return 0;
}

/* Raises for a writer that stopped: out of memory or an interrupt. */
static int write_failed(lua_State *L, int interrupted) {
  if (interrupted) {
    pf_lua_interrupted = 0;
    return luaL_error(L, "interrupted");
  }
  return luaL_error(L, "not enough memory");
}

LTable *pf_lua_newtable(lua_State *L) {
  LTable *lt = (LTable *)lua_newuserdatauv(L, sizeof(LTable), 0);
  lt->t = NULL;
  luaL_setmetatable(L, PF_TABLE_MT);
  return lt;
}

pf_table *pf_lua_checktable(lua_State *L, int arg) {
  LTable *lt = (LTable *)luaL_checkudata(L, arg, PF_TABLE_MT);
  luaL_argcheck(L, lt->t != NULL, arg, "table is closed");
  return lt->t;
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

static int tbl_tostring(lua_State *L) {
  LTable *lt = (LTable *)luaL_checkudata(L, 1, PF_TABLE_MT);
  if (lt->t == NULL) {
    lua_pushliteral(L, "pktframe.Table (closed)");
    return 1;
  }
  LBuf *b = newbuf(L);
  int rc = pf_table_render(lt->t, NULL, buf_write, b);
  if (rc != PF_TABLE_OK) return write_failed(L, b->interrupted);
  lua_pushlstring(L, b->p, b->len);
  return 1;
}

static int tbl_columns(lua_State *L) {
  pf_table *t = checktable(L, 1);
  int n = pf_table_ncols(t);
  lua_createtable(L, n, 0);
  for (int i = 0; i < n; i++) {
    lua_pushstring(L, pf_column_name(pf_table_col(t, i)));
    lua_rawseti(L, -2, i + 1);
  }
  return 1;
}

static int tbl_col(lua_State *L) {
  pf_table *t = checktable(L, 1);
  const char *name = luaL_checkstring(L, 2);
  int i = pf_table_find(t, name);
  if (i < 0) return luaL_argerror(L, 2, lua_pushfstring(L, "no column named '%s'", name));
  pf_lua_pushcolumn(L, 1, i);
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
    const pf_column *c = pf_table_col(t, j);
    pf_lua_pushcell(L, c, (size_t)(i - 1), 0);
    lua_setfield(L, -2, pf_column_name(c));
  }
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

/* t:to_csv([path]): the CSV text, or true after writing it to path (nil, msg, errno on failure). */
static int tbl_to_csv(lua_State *L) {
  pf_table *t = checktable(L, 1);
  if (lua_isnoneornil(L, 2)) {
    LBuf *b = newbuf(L);
    int rc = pf_table_csv(t, buf_write, b);
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
  int rc = pf_table_csv(t, file_write, &fw);
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

static const luaL_Reg tbl_methods[] = {
  {"close", tbl_release},
  {"columns", tbl_columns},
  {"col", tbl_col},
  {"row", tbl_row},
  {"head", tbl_head},
  {"diagnostics", tbl_diagnostics},
  {"to_csv", tbl_to_csv},
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
  lua_setfield(L, -2, "__index");
  lua_pop(L, 1);
  luaL_newmetatable(L, PF_BUFFER_MT);
  lua_pushcfunction(L, buf_gc);
  lua_setfield(L, -2, "__gc");
  lua_pop(L, 1);
}
