/* bytes_lua.c: pf.hex, pf.unhex, pf.printable and pf.printable_ratio: the helpers for payload
   bytes, which reach scripts as Lua strings. */
#include <stddef.h>

#include "lauxlib.h"
#include "lua.h"
#include "pktframe_lua.h"

static const char hexdigits[] = "0123456789abcdef";

/* The printable set of pf.printable and pf.printable_ratio: ASCII 0x20 (space)
   to 0x7e ('~'). Tab, CR and LF are not in it: a leak detector should not
   take a run of line ends for text. */
static int isprintbyte(unsigned char b) { return b >= 0x20 && b <= 0x7e; }

/* pf.hex(s, [sep]): lowercase hex of every byte, sep between bytes. */
static int bytes_hex(lua_State *L) {
  size_t n, seplen = 0;
  const unsigned char *s = (const unsigned char *)luaL_checklstring(L, 1, &n);
  const char *sep = luaL_optlstring(L, 2, "", &seplen);
  if (n == 0) {
    lua_pushliteral(L, "");
    return 1;
  }
  if (n > ((size_t)-1 / 2) / (seplen + 2)) return luaL_error(L, "result too large");
  size_t need = 2 * n + (n - 1) * seplen;
  luaL_Buffer b;
  char *o = luaL_buffinitsize(L, &b, need);
  for (size_t i = 0; i < n; i++) {
    if (i > 0)
      for (size_t k = 0; k < seplen; k++) *o++ = sep[k];
    *o++ = hexdigits[s[i] >> 4];
    *o++ = hexdigits[s[i] & 15];
  }
  luaL_pushresultsize(&b, need);
  return 1;
}

static int hexval(unsigned char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

static int issep(unsigned char c) { return c == ':' || c == '-' || c == ' '; }

/* Raises "bad argument #1 to 'unhex' (what 'c' at position pos)", showing a
   byte that is not printable as \xNN. */
static int unhex_error(lua_State *L, const char *what, unsigned char c, size_t pos) {
  char shown[8];
  if (isprintbyte(c)) {
    shown[0] = (char)c;
    shown[1] = 0;
  } else {
    shown[0] = '\\';
    shown[1] = 'x';
    shown[2] = hexdigits[c >> 4];
    shown[3] = hexdigits[c & 15];
    shown[4] = 0;
  }
  return luaL_argerror(L, 1, lua_pushfstring(L, "%s '%s' at position %I", what, shown, (lua_Integer)pos));
}

/* pf.unhex(s): the bytes of hex text: pairs of digits (either case), with one
   separator (':', '-' or ' ') allowed between two pairs. Positions in errors
   are 1-based byte offsets into s. */
static int bytes_unhex(lua_State *L) {
  size_t n;
  const unsigned char *s = (const unsigned char *)luaL_checklstring(L, 1, &n);
  luaL_Buffer b;
  char *o = luaL_buffinitsize(L, &b, n / 2 + 1);
  size_t out = 0, i = 0;
  while (i < n) {
    int h = hexval(s[i]);
    if (h < 0) {
      if (issep(s[i])) return unhex_error(L, "unexpected separator", s[i], i + 1);
      return unhex_error(L, "invalid hex digit", s[i], i + 1);
    }
    if (i + 1 >= n)
      return luaL_argerror(L, 1, lua_pushfstring(L, "odd number of hex digits (a lone digit at position %I)",
                                                 (lua_Integer)(i + 1)));
    int l = hexval(s[i + 1]);
    if (l < 0) {
      if (issep(s[i + 1]))
        return luaL_argerror(L, 1, lua_pushfstring(L, "odd number of hex digits (a lone digit at position %I)",
                                                   (lua_Integer)(i + 1)));
      return unhex_error(L, "invalid hex digit", s[i + 1], i + 2);
    }
    o[out++] = (char)(h << 4 | l);
    i += 2;
    if (i < n && issep(s[i])) {
      if (i + 1 >= n) return unhex_error(L, "unexpected separator", s[i], i + 1);   /* trailing */
      i++;
    }
  }
  luaL_pushresultsize(&b, out);
  return 1;
}

/* pf.printable(s): s with every byte outside 0x20..0x7e replaced by '.'. */
static int bytes_printable(lua_State *L) {
  size_t n;
  const unsigned char *s = (const unsigned char *)luaL_checklstring(L, 1, &n);
  luaL_Buffer b;
  char *o = luaL_buffinitsize(L, &b, n);
  for (size_t i = 0; i < n; i++) o[i] = isprintbyte(s[i]) ? (char)s[i] : '.';
  luaL_pushresultsize(&b, n);
  return 1;
}

/* pf.printable_ratio(s): the fraction of bytes in 0x20..0x7e, 0 for "". */
static int bytes_printable_ratio(lua_State *L) {
  size_t n, k = 0;
  const unsigned char *s = (const unsigned char *)luaL_checklstring(L, 1, &n);
  for (size_t i = 0; i < n; i++) k += (size_t)isprintbyte(s[i]);
  lua_pushnumber(L, n ? (lua_Number)k / (lua_Number)n : 0.0);
  return 1;
}

static const luaL_Reg bytes_funcs[] = {
  {"hex", bytes_hex},
  {"unhex", bytes_unhex},
  {"printable", bytes_printable},
  {"printable_ratio", bytes_printable_ratio},
  {NULL, NULL}
};

void pf_lua_bytes_register(lua_State *L) {
  luaL_setfuncs(L, bytes_funcs, 0);
}
