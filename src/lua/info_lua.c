/* info_lua.c: pf.info(path): what `pktframe info` (capinfos) says of a capture file, as a Lua table. */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lauxlib.h"
#include "lua.h"
#include "info.h"
#include "pktframe_lua.h"

static void setint(lua_State *L, const char *k, uint64_t v) {
  lua_pushinteger(L, (lua_Integer)v);
  lua_setfield(L, -2, k);
}

/* {packets =, bytes =} at key k of the table on top. */
static void setcount(lua_State *L, const char *k, const pf_info_count *c) {
  lua_createtable(L, 0, 2);
  setint(L, "packets", c->packets);
  setint(L, "bytes", c->bytes);
  lua_setfield(L, -2, k);
}

/* pf_info_write's text, the same report `pktframe info` prints; nil when out of memory. */
static void pushreport(lua_State *L, const char *path, const pf_info *inf) {
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  if (f == NULL) { lua_pushnil(L); return; }
  pf_info_write(f, path, inf);
  if (fclose(f) != 0 || text == NULL) { free(text); lua_pushnil(L); return; }
  /* the report is a few hundred bytes: only a memory error in this push could leak it */
  lua_pushlstring(L, text, len);
  free(text);
}

/* pf.info(path) -> table | nil, "path: message". Raises "interrupted" on Ctrl-C. */
static int l_info(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  pf_scan_opts so;
  memset(&so, 0, sizeof so);
  so.interrupted = &pf_lua_interrupted;
  pf_lua_optprogress(L, &so.progress, &so.progress_ud);
  pf_info *inf = (pf_info *)lua_newuserdatauv(L, sizeof *inf, 0);   /* freed by the collector */
  pf_diag diag;
  pf_diag_init(&diag);
  char err[512];
  int rc = pf_info_scan(path, &so, inf, &diag, err, sizeof err);
  if (rc == PF_SCAN_INTERRUPTED) {
    pf_diag_free(&diag);
    pf_lua_interrupted = 0;
    return luaL_error(L, "interrupted");
  }
  if (rc == PF_SCAN_ERROR) {
    pf_diag_free(&diag);
    return pf_lua_fail(L, err);
  }
  /* the messages first, into a Lua list, so that no C memory is held when a push raises */
  lua_createtable(L, diag.n, 0);
  for (int i = 0; i < diag.n; i++) {
    lua_pushstring(L, diag.msgs[i]);
    lua_rawseti(L, -2, i + 1);
  }
  pf_diag_free(&diag);
  int diags = lua_gettop(L);
  lua_createtable(L, 0, 20);
  lua_pushstring(L, path);
  lua_setfield(L, -2, "path");
  lua_pushstring(L, inf->format);
  lua_setfield(L, -2, "format");
  setint(L, "file_size", inf->file_size);
  setint(L, "packets", inf->all.packets);
  setint(L, "records", inf->records);
  setint(L, "bytes", inf->all.bytes);
  setint(L, "captured", inf->captured);
  if (inf->has_time) {
    lua_pushnumber(L, pf_time_to_double(inf->first));
    lua_setfield(L, -2, "first");
    lua_pushnumber(L, pf_time_to_double(inf->last));
    lua_setfield(L, -2, "last");
    lua_pushnumber(L, pf_time_to_double(pf_time_delta(inf->last, inf->first)));
    lua_setfield(L, -2, "duration");
    lua_pushboolean(L, inf->time_ordered);
    lua_setfield(L, -2, "time_ordered");
  }
  lua_createtable(L, inf->nlinktypes, 0);
  for (int i = 0; i < inf->nlinktypes; i++) {
    int lt = inf->linktype[i];
    lua_createtable(L, 0, 4);
    lua_pushinteger(L, lt);
    lua_setfield(L, -2, "linktype");
    if (lt >= 0) {
      int dlt = lt == 101 ? DLT_RAW : lt;    /* files carry LINKTYPE numbers; libpcap names DLTs */
      const char *name = pcap_datalink_val_to_name(dlt);
      const char *desc = pcap_datalink_val_to_description(dlt);
      if (name) { lua_pushstring(L, name); lua_setfield(L, -2, "name"); }
      if (desc) { lua_pushstring(L, desc); lua_setfield(L, -2, "description"); }
    }
    setint(L, "packets", inf->linktype_packets[i]);
    lua_rawseti(L, -2, i + 1);
  }
  lua_setfield(L, -2, "linktypes");
  lua_createtable(L, 0, 8);
  setcount(L, "all", &inf->all);
  setcount(L, "ip", &inf->ip);
  setcount(L, "ipv4", &inf->ipv4);
  setcount(L, "ipv6", &inf->ipv6);
  setcount(L, "tcp", &inf->tcp);
  setcount(L, "udp", &inf->udp);
  setcount(L, "other_ip", &inf->other_ip);
  setcount(L, "non_ip", &inf->non_ip);
  lua_setfield(L, -2, "protocols");
  lua_pushvalue(L, diags);
  lua_setfield(L, -2, "diagnostics");
  pushreport(L, path, inf);
  lua_setfield(L, -2, "report");
  return 1;
}

void pf_lua_info_register(lua_State *L) {
  lua_pushcfunction(L, l_info);
  lua_setfield(L, -2, "info");
}
