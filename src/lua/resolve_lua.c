/* resolve_lua.c: pf.resolve: reverse lookups of addresses by DNS PTR queries over UDP, with a cache. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "lauxlib.h"
#include "lua.h"
#include "pktframe_lua.h"

/* Only PTR queries of class IN ever leave this file: the query builder below
   writes no other type, and nothing else sends. */
#define DNS_PTR 12
#define DNS_CNAME 5
#define DNS_IN 1

#define RESOLV_CONF "/etc/resolv.conf"
#define CACHE_KEY "pktframe.resolve_cache"
#define SOCK_MT "pktframe.ResolverSocket"
#define MAX_INFLIGHT 32          /* queries outstanding at once: a burst a server takes */
#define NAME_TEXT 1100           /* 255 wire bytes, each at most "\DDD" */

/* ---- DNS messages (no Lua below until the bindings) ---- */

/* The query name of addr: "4.3.2.1.in-addr.arpa" or the 32 nibbles of ip6.arpa. */
static void ptr_qname(int family, const uint8_t *a, char *out, size_t outsz) {
  if (family == AF_INET) {
    snprintf(out, outsz, "%u.%u.%u.%u.in-addr.arpa", a[3], a[2], a[1], a[0]);
    return;
  }
  static const char hex[] = "0123456789abcdef";
  size_t o = 0;
  for (int i = 15; i >= 0; i--) {
    out[o++] = hex[a[i] & 15];
    out[o++] = '.';
    out[o++] = hex[a[i] >> 4];
    out[o++] = '.';
  }
  memcpy(out + o, "ip6.arpa", 9);
}

/* Writes the PTR query for qname (dotted, labels of 1..63 bytes: we made it)
   with id into buf; returns its length. */
static size_t build_query(uint16_t id, const char *qname, uint8_t *buf) {
  size_t o = 0;
  buf[o++] = (uint8_t)(id >> 8);
  buf[o++] = (uint8_t)id;
  buf[o++] = 0x01;   /* RD: the server recurses for us */
  buf[o++] = 0x00;
  buf[o++] = 0; buf[o++] = 1;   /* one question */
  memset(buf + o, 0, 6);        /* no answers, authority, additional records */
  o += 6;
  const char *s = qname;
  while (*s) {
    const char *dot = strchr(s, '.');
    size_t l = dot ? (size_t)(dot - s) : strlen(s);
    buf[o++] = (uint8_t)l;
    memcpy(buf + o, s, l);
    o += l;
    s += l + (dot ? 1 : 0);
  }
  buf[o++] = 0;
  buf[o++] = 0; buf[o++] = DNS_PTR;
  buf[o++] = 0; buf[o++] = DNS_IN;
  return o;
}

static int plain_char(uint8_t b) {
  return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') || b == '-' || b == '_';
}

/* Reads the (possibly compressed) name at *off of msg[0..len) as text: labels
   joined by dots, no final dot, bytes other than letters, digits, '-' and '_'
   written as \DDD (as dig does), so a hostile server cannot put a dot inside
   a label or control characters in our output. The root is ".". Advances *off
   past the name where it starts. Returns 0, or -1 for a malformed name: past
   the end, a label type other than 0 or pointer, a name over 255 bytes, or a
   pointer that does not go back before every earlier jump (which rules out
   loops: the targets strictly decrease). */
static int read_name(const uint8_t *msg, size_t len, size_t *off, char *out, size_t outsz) {
  size_t pos = *off, end = 0, o = 0, wire = 1, limit = *off;
  int jumped = 0;
  for (;;) {
    if (pos >= len) return -1;
    uint8_t l = msg[pos];
    if ((l & 0xC0) == 0xC0) {
      if (pos + 1 >= len) return -1;
      size_t ptr = ((size_t)(l & 0x3F) << 8) | msg[pos + 1];
      if (!jumped) end = pos + 2;
      jumped = 1;
      if (ptr >= limit) return -1;
      limit = ptr;
      pos = ptr;
      continue;
    }
    if (l & 0xC0) return -1;
    pos++;
    if (l == 0) break;
    if (l > len - pos) return -1;
    wire += (size_t)l + 1;
    if (wire > 255) return -1;
    if (o > 0) out[o++] = '.';
    for (size_t i = 0; i < l; i++) {
      uint8_t b = msg[pos + i];
      if (o + 5 >= outsz) return -1;
      if (plain_char(b)) out[o++] = (char)b;
      else o += (size_t)snprintf(out + o, outsz - o, "\\%03u", b);
    }
    pos += l;
  }
  if (!jumped) end = pos;
  if (o == 0) out[o++] = '.';
  out[o] = '\0';
  *off = end;
  return 0;
}

enum { R_IGNORE, R_FAIL, R_NONE, R_NAME };

static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

/* What a response says of the PTR query (id, qname): R_NAME with the name in
   name (following CNAMEs, as classless in-addr.arpa delegation uses them),
   R_NONE (no such name, or no PTR record: a negative answer), R_FAIL (the
   server failed, refused or sent something malformed), R_IGNORE (not an
   answer to this question: a stray or forged datagram). */
static int parse_response(const uint8_t *msg, size_t len, uint16_t id, const char *qname, char *name, size_t namesz) {
  char buf[NAME_TEXT], target[NAME_TEXT];
  if (len < 12 || get16(msg) != id) return R_IGNORE;
  if (!(msg[2] & 0x80) || ((msg[2] >> 3) & 15) != 0) return R_IGNORE;   /* a query, or not QUERY */
  if (get16(msg + 4) != 1) return R_IGNORE;
  size_t off = 12;
  if (read_name(msg, len, &off, buf, sizeof buf) != 0 || strcasecmp(buf, qname) != 0) return R_IGNORE;
  if (len - off < 4 || get16(msg + off) != DNS_PTR || get16(msg + off + 2) != DNS_IN) return R_IGNORE;
  off += 4;
  int rcode = msg[3] & 15, tc = (msg[2] & 0x02) != 0;
  if (rcode == 3) return R_NONE;   /* NXDOMAIN */
  if (rcode != 0) return R_FAIL;
  unsigned an = get16(msg + 6);
  size_t answers = off;
  snprintf(target, sizeof target, "%s", qname);
  /* each pass looks for the PTR of target, or a CNAME that moves target on */
  for (int pass = 0; pass < 9; pass++) {
    int moved = 0;
    off = answers;
    for (unsigned i = 0; i < an && !moved; i++) {
      if (read_name(msg, len, &off, buf, sizeof buf) != 0) return R_FAIL;
      if (len - off < 10) return R_FAIL;
      uint16_t type = get16(msg + off), cls = get16(msg + off + 2), rdlen = get16(msg + off + 8);
      off += 10;
      if (rdlen > len - off) return R_FAIL;
      size_t rd = off, rdend = off + rdlen;
      off = rdend;
      if (cls != DNS_IN || (type != DNS_PTR && type != DNS_CNAME) || strcasecmp(buf, target) != 0) continue;
      size_t p = rd;
      /* the name must lie inside rdata: read_name checks only the message */
      if (read_name(msg, rdend, &p, buf, sizeof buf) != 0 || p != rdend) return R_FAIL;
      if (type == DNS_PTR) {
        snprintf(name, namesz, "%s", buf);
        return R_NAME;
      }
      snprintf(target, sizeof target, "%s", buf);
      moved = 1;
    }
    if (!moved) break;
  }
  return tc ? R_FAIL : R_NONE;
}

/* ---- the server ---- */

/* Parses "ip", "ip:port", "[ip6]:port" or "ip6" into ss; 0 or -1. */
static int parse_server(const char *s, struct sockaddr_storage *ss, socklen_t *sslen) {
  char host[INET6_ADDRSTRLEN + 8];
  long port = 53;
  const char *colon = strrchr(s, ':');
  size_t n = strlen(s);
  if (s[0] == '[') {
    const char *close = strchr(s, ']');
    if (close == NULL || (size_t)(close - s - 1) >= sizeof host) return -1;
    memcpy(host, s + 1, (size_t)(close - s - 1));
    host[close - s - 1] = '\0';
    if (close[1] == ':') colon = close + 1;
    else if (close[1] != '\0') return -1;
    else colon = NULL;
  } else if (colon && strchr(s, ':') == colon) {   /* one colon: v4:port */
    if ((size_t)(colon - s) >= sizeof host) return -1;
    memcpy(host, s, (size_t)(colon - s));
    host[colon - s] = '\0';
  } else {                                         /* no colon, or a bare IPv6 address */
    if (n >= sizeof host) return -1;
    memcpy(host, s, n + 1);
    colon = NULL;
  }
  if (colon) {
    char *endp;
    errno = 0;
    port = strtol(colon + 1, &endp, 10);
    if (colon[1] == '\0' || *endp != '\0' || errno || port < 1 || port > 65535) return -1;
  }
  memset(ss, 0, sizeof *ss);
  struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
  struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;
  char *pct = strchr(host, '%');   /* fe80::1%eth0: the scope is not ours to resolve */
  if (pct) *pct = '\0';
  if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons((uint16_t)port);
    *sslen = sizeof *v4;
    return 0;
  }
  if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons((uint16_t)port);
    *sslen = sizeof *v6;
    return 0;
  }
  return -1;
}

/* The first usable "nameserver" of /etc/resolv.conf, or 127.0.0.1 as the C
   library assumes when there is none. Returns 0, or -1 when the file names
   only servers we cannot parse. */
static int system_server(struct sockaddr_storage *ss, socklen_t *sslen) {
  FILE *f = fopen(RESOLV_CONF, "r");
  int seen = 0;
  if (f) {
    char line[512];
    while (fgets(line, sizeof line, f)) {
      char *p = line;
      while (*p == ' ' || *p == '\t') p++;
      if (strncmp(p, "nameserver", 10) != 0 || (p[10] != ' ' && p[10] != '\t')) continue;
      p += 10;
      while (*p == ' ' || *p == '\t') p++;
      char *e = p;
      while (*e && !isspace((unsigned char)*e)) e++;
      *e = '\0';
      seen = 1;
      /* an IPv6 address has colons: bracketed, its last group is not taken for a port */
      char br[INET6_ADDRSTRLEN + 16];
      if ((size_t)snprintf(br, sizeof br, strchr(p, ':') ? "[%s]" : "%s", p) < sizeof br &&
          parse_server(br, ss, sslen) == 0) {
        fclose(f);
        return 0;
      }
    }
    fclose(f);
  }
  if (seen) return -1;
  return parse_server("127.0.0.1", ss, sslen);
}

/* ---- bindings ---- */

typedef struct LSock { int fd; } LSock;

static int sock_release(lua_State *L) {
  LSock *s = (LSock *)luaL_checkudata(L, 1, SOCK_MT);
  if (s->fd >= 0) { close(s->fd); s->fd = -1; }
  return 0;
}

/* One address to look up. */
typedef struct query {
  int family;
  uint8_t addr[16];
  int key;            /* index in the list of keys (cache key text) */
  uint16_t id;
  double deadline;
  char qname[80];
} query;

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Query ids: unpredictable, so that an off-path forger must guess them. */
static uint16_t random_id(void) {
  static uint64_t x = 0;
  if (x == 0) {
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
      if (read(fd, &x, sizeof x) != (ssize_t)sizeof x) x = 0;
      close(fd);
    }
    if (x == 0) x = (uint64_t)time(NULL) * 0x9E3779B97F4A7C15u ^ (uint64_t)getpid();
    if (x == 0) x = 1;
  }
  x ^= x >> 12; x ^= x << 25; x ^= x >> 27;
  return (uint16_t)((x * 0x2545F4914F6CDD1Du) >> 48);
}

/* Canonical text of an address (the cache key): inet_ntop's. */
static void addr_key(int family, const uint8_t *a, char *out, size_t outsz) {
  inet_ntop(family, a, out, (socklen_t)outsz);
}

/* pf.resolve(addrs, [{timeout = 1.0, server = "ip[:port]", cache = true}]):
   {[addr] = name | false} for the IPv4 and IPv6 address strings of the list
   (or Column) addrs. Sends PTR queries only, up to MAX_INFLIGHT at once, each
   given timeout seconds; answers and negative answers (no such name, no PTR)
   are cached for the life of the Lua state, failures (timeouts, server
   errors) are not. Returns nil, message when no query can be sent. */
static int pf_resolve(lua_State *L) {
  static const char *const known[] = { "timeout", "server", "cache", NULL };
  lua_settop(L, 2);
  if (lua_type(L, 1) == LUA_TUSERDATA) {   /* a Column: its values, as totable gives them */
    pf_lua_checkcolumn(L, 1);
    lua_getfield(L, 1, "totable");
    lua_pushvalue(L, 1);
    lua_call(L, 1, 1);
    lua_replace(L, 1);
  }
  if (lua_type(L, 1) != LUA_TTABLE) luaL_typeerror(L, 1, "table or pktframe.Column");
  pf_lua_checkopts(L, 2, known);
  double timeout = 1.0;
  const char *server = NULL;
  if (!lua_isnoneornil(L, 2)) {
    int t = lua_getfield(L, 2, "timeout");
    if (t != LUA_TNIL) {
      if (t != LUA_TNUMBER)
        luaL_argerror(L, 2, lua_pushfstring(L, "timeout: number expected, got %s", luaL_typename(L, -1)));
      timeout = lua_tonumber(L, -1);
      if (!(timeout > 0 && timeout <= 3600)) luaL_argerror(L, 2, "timeout: expected seconds in (0, 3600]");
    }
    lua_pop(L, 1);
    t = lua_getfield(L, 2, "server");
    if (t != LUA_TNIL) {
      if (t != LUA_TSTRING)
        luaL_argerror(L, 2, lua_pushfstring(L, "server: string expected, got %s", luaL_typename(L, -1)));
      server = lua_tostring(L, -1);   /* anchored in the options */
    }
    lua_pop(L, 1);
  }
  int usecache = pf_lua_optbool(L, 2, "cache", 1);
  struct sockaddr_storage ss;
  socklen_t sslen = 0;
  if (server && parse_server(server, &ss, &sslen) != 0)
    luaL_argerror(L, 2, lua_pushfstring(L, "server: '%s' is not an address, [address] or address:port", server));

  /* the list: n = addrs.n when set (totable's holes), else #addrs */
  lua_Integer n;
  if (lua_getfield(L, 1, "n") == LUA_TNUMBER && lua_isinteger(L, -1)) n = lua_tointeger(L, -1);
  else n = (lua_Integer)lua_rawlen(L, 1);
  lua_pop(L, 1);
  luaL_argcheck(L, n >= 0 && n <= 1000000, 1, "too many addresses (at most 1000000 a call)");

  lua_getfield(L, LUA_REGISTRYINDEX, CACHE_KEY);
  if (!lua_istable(L, -1)) {
    lua_pop(L, 1);
    lua_newtable(L);
    lua_pushvalue(L, -1);
    lua_setfield(L, LUA_REGISTRYINDEX, CACHE_KEY);
  }
  int cache = lua_gettop(L);
  lua_newtable(L);                 /* result */
  int result = lua_gettop(L);
  lua_newtable(L);                 /* canonical key -> index in queries (to query each address once) */
  int pending = lua_gettop(L);
  lua_newtable(L);                 /* input text -> canonical key, for the addresses asked */
  int askedas = lua_gettop(L);
  query *qs = (query *)lua_newuserdatauv(L, sizeof(query) * (size_t)(n ? n : 1), 0);
  int nq = 0;
  for (lua_Integer i = 1; i <= n; i++) {
    int t = lua_rawgeti(L, 1, i);
    if (t == LUA_TNIL) { lua_pop(L, 1); continue; }
    if (t != LUA_TSTRING)
      luaL_argerror(L, 1, lua_pushfstring(L, "addrs[%I]: string expected, got %s", i, luaL_typename(L, -1)));
    const char *text = lua_tostring(L, -1);
    uint8_t a[16] = { 0 };   /* an IPv4 address fills 4 bytes; the rest is copied too */
    int family = AF_INET;
    if (inet_pton(AF_INET, text, a) != 1) {
      family = AF_INET6;
      if (inet_pton(AF_INET6, text, a) != 1)
        luaL_argerror(L, 1, lua_pushfstring(L, "addrs[%I]: '%s' is not an IPv4 or IPv6 address", i, text));
    }
    char key[INET6_ADDRSTRLEN];
    addr_key(family, a, key, sizeof key);
    if (usecache && lua_getfield(L, cache, key) != LUA_TNIL) {   /* known: straight into the result */
      lua_setfield(L, result, text);
      lua_pop(L, 1);
      continue;
    }
    if (usecache) lua_pop(L, 1);
    lua_pushstring(L, key);
    lua_setfield(L, askedas, text);   /* input text is still on the stack */
    if (lua_getfield(L, pending, key) == LUA_TNIL) {
      query *q = &qs[nq];
      memset(q, 0, sizeof *q);
      q->family = family;
      memcpy(q->addr, a, 16);
      ptr_qname(family, a, q->qname, sizeof q->qname);
      lua_pushinteger(L, nq++);
      lua_setfield(L, pending, key);
    }
    lua_pop(L, 2);
  }
  if (nq == 0) {
    lua_pushvalue(L, result);
    return 1;
  }
  if (server == NULL && system_server(&ss, &sslen) != 0) {
    return pf_lua_fail(L, RESOLV_CONF ": no nameserver line with an address we can use");
  }

  LSock *sock = (LSock *)lua_newuserdatauv(L, sizeof(LSock), 0);
  sock->fd = -1;
  luaL_setmetatable(L, SOCK_MT);
  sock->fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (sock->fd < 0) return luaL_fileresult(L, 0, "resolve: socket");
  /* connected: the kernel drops datagrams from anyone but the server */
  if (connect(sock->fd, (struct sockaddr *)&ss, sslen) != 0) {
    char addr[INET6_ADDRSTRLEN + 8] = "?";
    if (ss.ss_family == AF_INET) inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, addr, sizeof addr);
    else inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, addr, sizeof addr);
    return luaL_fileresult(L, 0, lua_pushfstring(L, "resolve: nameserver %s", addr));
  }

  /* names found go in a Lua table by query index: [i + 1] = name or false */
  lua_createtable(L, nq, 0);
  int found = lua_gettop(L);
  int slot[MAX_INFLIGHT];   /* indices of the queries in flight */
  int next = 0, inflight = 0, refused = 0;
  uint8_t pkt[512], resp[4096];
  char name[NAME_TEXT];
  while ((next < nq && !refused) || inflight > 0) {
    if (pf_lua_interrupted) {
      pf_lua_interrupted = 0;
      close(sock->fd);
      sock->fd = -1;
      return luaL_error(L, "interrupted");
    }
    double now = now_s();
    while (inflight < MAX_INFLIGHT && next < nq && !refused) {
      query *q = &qs[next++];
      /* an id no query in flight has, so answers cannot be mixed up */
      int clash;
      do {
        q->id = random_id();
        clash = 0;
        for (int k = 0; k < inflight; k++) clash |= qs[slot[k]].id == q->id;
      } while (clash);
      size_t qlen = build_query(q->id, q->qname, pkt);
      if (send(sock->fd, pkt, qlen, 0) < 0) {
        if (errno == ECONNREFUSED) refused = 1;   /* an earlier query met a closed port */
        continue;                                 /* a failure: false, not cached */
      }
      q->deadline = now + timeout;
      slot[inflight++] = (int)(q - qs);
    }
    if (inflight == 0) continue;
    double first = qs[slot[0]].deadline;
    for (int k = 1; k < inflight; k++)
      if (qs[slot[k]].deadline < first) first = qs[slot[k]].deadline;
    int ms = first <= now ? 0 : (int)ceil((first - now) * 1000.0);
    if (ms > 100) ms = 100;   /* wake for Ctrl-C */
    struct pollfd pfd = { sock->fd, POLLIN, 0 };
    if (poll(&pfd, 1, ms) < 0 && errno != EINTR) {
      int e = errno;
      close(sock->fd);
      sock->fd = -1;
      errno = e;
      return luaL_fileresult(L, 0, "resolve: poll");
    }
    for (;;) {   /* every datagram waiting */
      ssize_t got = recv(sock->fd, resp, sizeof resp, 0);
      if (got < 0) {
        if (errno == ECONNREFUSED) refused = 1;
        break;
      }
      if (got < 2) continue;
      for (int k = 0; k < inflight; k++) {
        int j = slot[k];
        if (qs[j].id != get16(resp)) continue;
        int r = parse_response(resp, (size_t)got, qs[j].id, qs[j].qname, name, sizeof name);
        if (r == R_IGNORE) break;
        slot[k] = slot[--inflight];
        if (r == R_FAIL) break;   /* nothing stored, nothing cached */
        if (r == R_NAME) lua_pushstring(L, name);
        else lua_pushboolean(L, 0);
        lua_rawseti(L, found, j + 1);
        break;
      }
    }
    if (refused) {   /* nothing listens at the server: the rest would fail alike */
      inflight = 0;
      break;
    }
    now = now_s();
    for (int k = 0; k < inflight;)   /* timed out: false, not cached */
      if (now >= qs[slot[k]].deadline) slot[k] = slot[--inflight];
      else k++;
  }
  close(sock->fd);
  sock->fd = -1;

  /* the cache takes answers; the result takes every asked address */
  for (int j = 0; j < nq; j++) {
    char key[INET6_ADDRSTRLEN];
    addr_key(qs[j].family, qs[j].addr, key, sizeof key);
    if (lua_rawgeti(L, found, j + 1) != LUA_TNIL && usecache) {
      lua_pushvalue(L, -1);
      lua_setfield(L, cache, key);
    }
    lua_pop(L, 1);
  }
  lua_pushnil(L);
  while (lua_next(L, askedas) != 0) {   /* [text, key] */
    lua_getfield(L, pending, lua_tostring(L, -1));
    int j = (int)lua_tointeger(L, -1);
    lua_pop(L, 2);
    lua_pushvalue(L, -1);                  /* text */
    if (lua_rawgeti(L, found, j + 1) == LUA_TNIL) {
      lua_pop(L, 1);
      lua_pushboolean(L, 0);
    }
    lua_settable(L, result);
  }
  lua_pushvalue(L, result);
  return 1;
}

static const luaL_Reg sock_meta[] = {
  {"__gc", sock_release}, {"__close", sock_release}, {NULL, NULL}
};

void pf_lua_resolve_register(lua_State *L) {
  if (luaL_newmetatable(L, SOCK_MT)) luaL_setfuncs(L, sock_meta, 0);
  lua_pop(L, 1);
  lua_pushcfunction(L, pf_resolve);
  lua_setfield(L, -2, "resolve");
}
