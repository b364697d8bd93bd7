/* filter_lua.c: display filters from Lua: parse with pktframe.filter (LPeg), compile to pf_filter. */
#include <stdio.h>
#include <string.h>

#include "lauxlib.h"
#include "lua.h"

#include "fields.h"
#include "filter.h"
#include "filter_lua.h"

#define PF_FILTER_MT "pktframe.Filter"

typedef struct LFilter { pf_filter *f; } LFilter;

static int flt_release(lua_State *L) {
  LFilter *lf = (LFilter *)luaL_checkudata(L, 1, PF_FILTER_MT);
  if (lf->f != NULL) { pf_filter_free(lf->f); lf->f = NULL; }
  return 0;
}

static int unknown(char *err, size_t errlen, const char *name, lua_Integer pos) {
  int k = snprintf(err, errlen, "column %lld: ", (long long)pos);
  if (k > 0 && (size_t)k < errlen) pf_field_unknown(name, err + k, errlen - (size_t)k);
  return -1;
}

static const char *getstr(lua_State *L, int t, const char *key, size_t *len) {
  lua_getfield(L, t, key);
  const char *s = lua_tolstring(L, -1, len);
  lua_pop(L, 1);   /* the AST table keeps the string alive */
  return s ? s : "";
}

static lua_Integer getint(lua_State *L, int t, const char *key) {
  lua_getfield(L, t, key);
  lua_Integer v = lua_tointeger(L, -1);
  lua_pop(L, 1);
  return v;
}

/* Protocols Wireshark has that pktframe does not decode: a test on one is an
   error saying so, never a silent "false". */
static const char *const undecoded[] = {
  "ethertype", "ip6", "quic", "gquic", "smb", "smb2", "sip", "rtp", "rtcp", "ssh", "ftp", "ftp-data", "smtp", "pop",
  "imap", "telnet", "ntp", "snmp", "ldap", "kerberos", "nbns", "nbss", "nbdgm", "browser", "llc", "stp", "cdp",
  "lldp", "igmp", "ospf", "bgp", "rip", "gre", "pptp", "ppp", "pppoe", "pppoed", "lcp", "esp", "ah", "isakmp",
  "dhcpv6", "bootp", "x509sat", "x509ce", "pkix1implicit", "pkix1explicit", "ocsp", "json", "xml", "urlencoded-form",
  "media", "image-jfif", "image-gif", "png", "data-text-lines", "x11", "rpc", "nfs", "mysql", "pgsql", "tds",
  "radius", "diameter", "wlan", "wlan_radio", "radiotap", "eapol", "vxlan", "geneve", "mpls", "sctp", "websocket",
  "http2", "http3", "ajp13", "cfp", "mndp", "db-lsp-disc", "syslog", "tftp", "netbios", "dcerpc", "epm", "ntlmssp",
  "gssapi", "spnego", "dtls", "stun", "mqtt", "coap", "modbus", "s7comm", "dnp3", "ieee802154", "bluetooth",
  "usb", "icmpv6.opt", "ipv6.fraghdr", "ipv6.hopopts", "ipv6.routing", "ipv6.dstopts", "wol", "pkcs-1", "ns_cert_exts",
  "ipx", "vrrp", "hsrp", "lacp", "slow", "pim", "mdns_response", "cups", "elasticsearch",
  NULL
};

static int is_undecoded(const char *name) {
  for (int i = 0; undecoded[i]; i++)
    if (strcmp(undecoded[i], name) == 0) return 1;
  return 0;
}

static int name_error(char *err, size_t errlen, const char *name, lua_Integer pos) {
  if (is_undecoded(name)) {
    snprintf(err, errlen, "column %lld: '%s' is a protocol pktframe does not decode: filter on it with tshark",
             (long long)pos, name);
    return -1;
  }
  return unknown(err, errlen, name, pos);
}

static int fail(char *err, size_t errlen, lua_Integer pos, const char *why) {
  snprintf(err, errlen, "column %lld: %s", (long long)pos, why[0] ? why : "out of memory");
  return -1;
}

/* Compiles the operand AST node at index t; returns its node index or -1. */
static int build_operand(lua_State *L, pf_filter *f, int t, char *err, size_t errlen, int depth) {
  if (depth > 200) { snprintf(err, errlen, "filter nested too deeply"); return -1; }
  luaL_checkstack(L, 8, "filter");
  const char *kind = getstr(L, t, "kind", NULL);
  lua_Integer pos = getint(L, t, "pos");
  char why[256];
  why[0] = 0;
  if (strcmp(kind, "field") == 0) {
    const char *name = getstr(L, t, "field", NULL);
    int fid = pf_field_lookup(name);
    if (fid >= 0) return pf_filter_op_field(f, fid);
    int pr = pf_filter_protocol_id(name);
    if (pr != -1) return pf_filter_op_proto(f, pr);
    if (strcmp(name, "http.request") == 0 || strcmp(name, "http.response") == 0 || strcmp(name, "tcp.analysis.flags") == 0) {
      snprintf(err, errlen, "column %lld: '%s' is a flag that is present or not: test it alone", (long long)pos, name);
      return -1;
    }
    return name_error(err, errlen, name, pos);
  }
  if (strcmp(kind, "arith") == 0)
    return fail(err, errlen, pos, "arithmetic in braces ({a + b}) is not supported by pktframe");
  if (strcmp(kind, "func") == 0 || strcmp(kind, "slice") == 0 || strcmp(kind, "bitand") == 0) {
    lua_getfield(L, t, kind[0] == 'f' ? "arg" : "of");
    int a = build_operand(L, f, lua_gettop(L), err, errlen, depth + 1);
    lua_pop(L, 1);
    if (a < 0) return -1;
    int r;
    if (kind[0] == 'f') {
      r = pf_filter_op_func(f, getstr(L, t, "name", NULL), a, why, sizeof why);
    } else if (kind[0] == 's') {
      int32_t starts[8], vals[8];
      int kinds[8];
      lua_getfield(L, t, "ranges");
      int rt = lua_gettop(L);
      int n = (int)luaL_len(L, rt);
      if (n > 8) n = 9;
      for (int i = 0; i < n && i < 8; i++) {
        lua_rawgeti(L, rt, i + 1);
        lua_Integer st = getint(L, lua_gettop(L), "start"), v = getint(L, lua_gettop(L), "val");
        const char *k = getstr(L, lua_gettop(L), "kind", NULL);
        lua_pop(L, 1);
        if (st < -65535 || st > 65535 || v < -65535 || v > 65535) { n = 9; break; }
        starts[i] = (int32_t)st;
        vals[i] = (int32_t)v;
        kinds[i] = k[0] == 'l' ? PF_SLICE_LEN : k[0] == 't' ? PF_SLICE_TO : PF_SLICE_END;
        if (kinds[i] == PF_SLICE_LEN && v <= 0) { n = -1; break; }
      }
      lua_pop(L, 1);
      if (n < 0) return fail(err, errlen, pos, "a slice's length must be positive");
      r = pf_filter_op_slice(f, a, starts, kinds, vals, n, why, sizeof why);
    } else {
      lua_getfield(L, t, "value");
      size_t len;
      const char *text = getstr(L, lua_gettop(L), "text", &len);
      int quoted = strcmp(getstr(L, lua_gettop(L), "kind", NULL), "string") == 0;
      lua_pop(L, 1);
      if (quoted) return fail(err, errlen, pos, "'&' needs a number or bytes, not a string");
      r = pf_filter_op_bitand(f, a, text, len, why, sizeof why);
    }
    if (r < 0) return fail(err, errlen, pos, why);
    return r;
  }
  return fail(err, errlen, pos, "unexpected operand");
}

/* A name tested alone: a field, a protocol, or one of tshark's flags pktframe
   derives from its fields. */
static int build_exists(pf_filter *f, const char *name, lua_Integer pos, char *err, size_t errlen) {
  int fid = pf_field_lookup(name);
  if (fid >= 0) return pf_filter_exists(f, fid);
  int pr = pf_filter_protocol_id(name);
  if (pr != -1) return pf_filter_proto_exists(f, pr);
  /* http.request and http.response mark every request and response, whose
     first line always gives a method or a status code */
  if (strcmp(name, "http.request") == 0) {
    /* tshark's is_request_or_reply types NOTIFY, SUBSCRIBE and UNSUBSCRIBE as
       notifications, which carry a method but no http.request */
    static const char *const notif[] = { "NOTIFY", "SUBSCRIBE", "UNSUBSCRIBE" };
    int r = pf_filter_exists(f, PF_F_HTTP_REQUEST_METHOD);
    for (int i = 0; i < 3 && r >= 0; i++) {
      char why[128];
      int m = pf_filter_cmp(f, PF_F_HTTP_REQUEST_METHOD, PF_CMP_ALL_EQ, notif[i], strlen(notif[i]), 1, why, sizeof why);
      if (m < 0) return -1;
      int n = pf_filter_logic(f, '!', m, -1);
      if (n < 0) return -1;
      r = pf_filter_logic(f, '&', r, n);
    }
    return r;
  }
  if (strcmp(name, "http.response") == 0) return pf_filter_exists(f, PF_F_HTTP_RESPONSE_CODE);
  if (strcmp(name, "tcp.analysis.flags") == 0) {   /* any analysis flag pktframe decodes */
    static const int flags[] = { PF_F_TCP_ANALYSIS_RETRANSMISSION, PF_F_TCP_ANALYSIS_OUT_OF_ORDER,
                                 PF_F_TCP_ANALYSIS_DUPLICATE_ACK, PF_F_TCP_ANALYSIS_ZERO_WINDOW };
    int r = -1;
    for (int i = 0; i < 4; i++) {
      int e = pf_filter_exists(f, flags[i]);
      if (e < 0) return -1;
      r = r < 0 ? e : pf_filter_logic(f, '|', r, e);
      if (r < 0) return -1;
    }
    return r;
  }
  return name_error(err, errlen, name, pos);
}

/* The right side of a comparison as an operand, when it is one (a function, a
   field); else -1 and the caller reads it as a value. -2 on an error. */
static int rhs_operand(lua_State *L, pf_filter *f, int v, char *err, size_t errlen, int depth) {
  const char *kind = getstr(L, v, "kind", NULL);
  if (strcmp(kind, "func") == 0) {
    int r = build_operand(L, f, v, err, errlen, depth + 1);
    return r < 0 ? -2 : r;
  }
  if (strcmp(kind, "literal") != 0) return -1;
  /* an unquoted field name on the right compares two fields, as Wireshark reads it */
  int fid = pf_field_lookup(getstr(L, v, "text", NULL));
  return fid >= 0 ? pf_filter_op_field(f, fid) : -1;
}

/* Compiles the AST node at the top of the stack; returns its node index or -1. [-0, +0] */
static int build(lua_State *L, pf_filter *f, char *err, size_t errlen, int depth) {
  int t = lua_gettop(L);
  if (depth > 200) { snprintf(err, errlen, "filter nested too deeply"); return -1; }
  luaL_checkstack(L, 8, "filter");
  size_t oplen;
  const char *op = getstr(L, t, "op", &oplen);
  lua_Integer pos = getint(L, t, "pos");
  if (strcmp(op, "or") == 0 || strcmp(op, "and") == 0 || strcmp(op, "xor") == 0 || strcmp(op, "not") == 0) {
    lua_rawgeti(L, t, 1);
    int a = build(L, f, err, errlen, depth + 1);
    lua_pop(L, 1);
    if (a < 0) return -1;
    int b = -1;
    if (op[0] != 'n') {
      lua_rawgeti(L, t, 2);
      b = build(L, f, err, errlen, depth + 1);
      lua_pop(L, 1);
      if (b < 0) return -1;
    }
    int r = pf_filter_logic(f, op[0] == 'o' ? '|' : op[0] == 'a' ? '&' : op[0] == 'x' ? '^' : '!', a, b);
    if (r < 0) snprintf(err, errlen, "out of memory");
    return r;
  }
  if (strcmp(op, "exists") == 0) {
    int r = build_exists(f, getstr(L, t, "field", NULL), pos, err, errlen);
    if (r < 0 && !err[0]) snprintf(err, errlen, "out of memory");
    return r;
  }
  int quant = strcmp(getstr(L, t, "quant", NULL), "all") == 0;
  lua_getfield(L, t, "lhs");
  int a = build_operand(L, f, lua_gettop(L), err, errlen, depth + 1);
  lua_pop(L, 1);
  if (a < 0) return -1;
  int r = -1;
  char why[256];
  why[0] = 0;
  if (strcmp(op, "truth") == 0) {
    r = pf_filter_truth(f, a);
  } else if (strcmp(op, "cmp") == 0 || strcmp(op, "contains") == 0 || strcmp(op, "matches") == 0) {
    lua_getfield(L, t, "value");
    int v = lua_gettop(L);
    size_t len;
    const char *text = getstr(L, v, "text", &len);
    int quoted = strcmp(getstr(L, v, "kind", NULL), "string") == 0;
    pos = getint(L, v, "pos");
    int k;
    if (op[0] == 'c' && op[1] == 'm') {
      const char *cmp = getstr(L, t, "cmp", NULL);
      static const char *const cmps[] = { "==", "!=", "===", "~=", "<", "<=", ">", ">=" };
      k = 0;
      while (k < 8 && strcmp(cmps[k], cmp) != 0) k++;
      if (strcmp(cmp, "!==") == 0) k = PF_CMP_ANY_NE;
    } else {
      k = op[0] == 'c' ? PF_CMP_CONTAINS : PF_CMP_MATCHES;
    }
    int b = k == PF_CMP_MATCHES ? -1 : rhs_operand(L, f, v, err, errlen, depth);
    if (b == -2) { lua_pop(L, 1); return -1; }
    if (b >= 0) r = pf_filter_test_op(f, a, k, quant, b, why, sizeof why);
    else r = pf_filter_test(f, a, k, quant, text, len, quoted, why, sizeof why);
    lua_pop(L, 1);
  } else if (strcmp(op, "in") == 0) {
    /* a set is the "or" of its members, each tested with "any" semantics */
    lua_getfield(L, t, "set");
    int s = lua_gettop(L);
    lua_Integer n = luaL_len(L, s);
    if (n == 0) { snprintf(err, errlen, "column %lld: empty set", (long long)pos); lua_pop(L, 1); return -1; }
    for (lua_Integer i = 1; i <= n; i++) {
      lua_rawgeti(L, s, i);
      int m = lua_gettop(L), node;
      lua_getfield(L, m, "lo");
      if (!lua_isnil(L, -1)) {
        size_t ll, hl;
        const char *lo = getstr(L, lua_gettop(L), "text", &ll);
        pos = getint(L, lua_gettop(L), "pos");
        lua_getfield(L, m, "hi");
        const char *hi = getstr(L, lua_gettop(L), "text", &hl);
        node = pf_filter_test_range(f, a, lo, ll, hi, hl, why, sizeof why);
        lua_pop(L, 1);
      } else {
        size_t len;
        const char *text = getstr(L, m, "text", &len);
        int quoted = strcmp(getstr(L, m, "kind", NULL), "string") == 0;
        pos = getint(L, m, "pos");
        node = pf_filter_test(f, a, PF_CMP_EQ, 0, text, len, quoted, why, sizeof why);
      }
      lua_pop(L, 2);
      if (node < 0) break;
      r = r < 0 ? node : pf_filter_logic(f, '|', r, node);
      if (r < 0) break;
    }
    lua_pop(L, 1);
  }
  if (r < 0) return fail(err, errlen, pos, why);
  return r;
}

pf_filter *pf_lua_filter_compile(lua_State *L, const char *text, char *err, size_t errlen) {
  int top = lua_gettop(L);
  lua_getglobal(L, "require");
  lua_pushliteral(L, "pktframe.filter");
  if (lua_pcall(L, 1, 1, 0) != LUA_OK) {
    snprintf(err, errlen, "cannot load pktframe.filter: %s", lua_tostring(L, -1));
    lua_settop(L, top);
    return NULL;
  }
  lua_getfield(L, -1, "parse");
  lua_pushstring(L, text);
  if (lua_pcall(L, 1, 2, 0) != LUA_OK) {
    snprintf(err, errlen, "%s", lua_tostring(L, -1));
    lua_settop(L, top);
    return NULL;
  }
  if (lua_isnil(L, -2)) {
    snprintf(err, errlen, "%s", lua_tostring(L, -1));
    lua_settop(L, top);
    return NULL;
  }
  lua_pop(L, 1);   /* [filter module, ast] */
  pf_filter *f = pf_filter_new();
  if (f == NULL) { snprintf(err, errlen, "out of memory"); lua_settop(L, top); return NULL; }
  err[0] = 0;
  int root = build(L, f, err, errlen, 0);
  lua_settop(L, top);
  if (root < 0) { pf_filter_free(f); return NULL; }
  pf_filter_set_root(f, root);
  return f;
}

pf_filter *pf_lua_checkfilter(lua_State *L, int arg) {
  LFilter *lf = (LFilter *)luaL_checkudata(L, arg, PF_FILTER_MT);
  luaL_argcheck(L, lf->f != NULL, arg, "filter is closed");
  return lf->f;
}

pf_filter *pf_lua_pushfilter(lua_State *L, const char *text, char *err, size_t errlen) {
  LFilter *lf = (LFilter *)lua_newuserdatauv(L, sizeof(LFilter), 0);
  lf->f = NULL;
  luaL_setmetatable(L, PF_FILTER_MT);
  lf->f = pf_lua_filter_compile(L, text, err, errlen);
  if (lf->f == NULL) lua_pop(L, 1);
  return lf->f;
}

/* pf.compile_filter(text) -> pktframe.Filter; a bad filter is the caller's mistake. */
static int flt_compile(lua_State *L) {
  const char *text = luaL_checkstring(L, 1);
  char err[512];
  if (pf_lua_pushfilter(L, text, err, sizeof err) == NULL) {
    lua_pushfstring(L, "bad filter '%s': %s", text, err);
    return luaL_argerror(L, 1, lua_tostring(L, -1));
  }
  return 1;
}

static int flt_fields(lua_State *L) {
  pf_filter *f = pf_lua_checkfilter(L, 1);
  int fids[PF_MAXFIELDS];
  int n = pf_filter_fields(f, fids, PF_MAXFIELDS);
  lua_createtable(L, n, 0);
  for (int i = 0; i < n; i++) {
    lua_pushstring(L, pf_fields[fids[i]].name);
    lua_rawseti(L, -2, i + 1);
  }
  return 1;
}

static int flt_tostring(lua_State *L) {
  LFilter *lf = (LFilter *)luaL_checkudata(L, 1, PF_FILTER_MT);
  lua_pushstring(L, lf->f ? "pktframe.Filter" : "pktframe.Filter (closed)");
  return 1;
}

static const luaL_Reg flt_methods[] = {
  {"fields", flt_fields},
  {"close", flt_release},
  {NULL, NULL}
};

static const luaL_Reg flt_meta[] = {
  {"__index", NULL},
  {"__gc", flt_release},
  {"__close", flt_release},
  {"__tostring", flt_tostring},
  {NULL, NULL}
};

void pf_lua_open_filter(lua_State *L) {
  luaL_newmetatable(L, PF_FILTER_MT);
  luaL_setfuncs(L, flt_meta, 0);
  luaL_newlib(L, flt_methods);
  lua_setfield(L, -2, "__index");
  lua_pop(L, 1);
}

/* Adds compile_filter to the module table at the top of the stack. */
void pf_lua_filter_register(lua_State *L) {
  lua_pushcfunction(L, flt_compile);
  lua_setfield(L, -2, "compile_filter");
}
