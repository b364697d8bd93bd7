/* fuzz_filter.c: libFuzzer harness: display-filter text through the LPeg parser and
   the C compiler, then evaluated on a fixed decoded packet. */
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "filter_lua.h"
#include "lauxlib.h"
#include "lualib.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t frame[] = {
  0x00, 0x1d, 0xd9, 0x2e, 0x4f, 0x61, 0x08, 0x00, 0x27, 0x19, 0x1c, 0x78, 0x08, 0x00,
  0x45, 0x00, 0x00, 0x28, 0x1e, 0xa0, 0x40, 0x00, 0x40, 0x06, 0x00, 0x00,
  10, 0, 0, 1, 10, 0, 0, 2,
  0x30, 0x39, 0x00, 0x50, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0xff, 0xff, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static lua_State *L;
  static pf_decoder *dec;
  static pf_pkt *pkt;
  static int all[PF_NFIELDS];
  if (L == NULL) {
    L = luaL_newstate();
    luaL_openlibs(L);
    const char *dir = getenv("PKTFRAME_LUA");
    lua_getglobal(L, "package");
    lua_pushfstring(L, "%s/?.lua;%s/?/init.lua", dir ? dir : "lua", dir ? dir : "lua");
    lua_setfield(L, -2, "path");
    lua_pop(L, 1);
    for (int i = 0; i < PF_NFIELDS; i++) all[i] = i;
    dec = pf_decoder_new(all, PF_NFIELDS);
    pkt = malloc(sizeof *pkt);
    if (dec == NULL || pkt == NULL) abort();
    pf_pkt_init(pkt);
    pkt->num = 1;
    pkt->has_ts = 1;
    pkt->is_packet = 1;
    pkt->caplen = pkt->len = sizeof frame;
    pkt->linktype = 1;
    pkt->data = frame;
    pf_decode(dec, pkt);
  }
  char *text = malloc(size + 1);
  if (text == NULL) return 0;
  memcpy(text, data, size);
  text[size] = 0;
  char err[512];
  pf_filter *f = pf_lua_filter_compile(L, text, err, sizeof err);
  if (f) {
    pf_filter_eval(f, pkt);
    pf_filter_free(f);
  }
  free(text);
  lua_settop(L, 0);
  lua_gc(L, LUA_GCSTEP, 0);
  return 0;
}
