/* live_lua.c: pf.capture: writes a capture file from a network interface through libpcap;
   pf.mkdir: the output directory of a capture or an analysis, without a shell. */
#include <errno.h>
#include <math.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "lauxlib.h"
#include "lua.h"
#include "pktframe_lua.h"

#define PF_CAPTURE_MT "pktframe.LiveCapture"

/* How long one wait for packets lasts at most: the longest a Ctrl-C or a
   passed deadline goes unnoticed. */
#define WAIT_MS 100

/* The handles of a capture in progress, in a userdata so that an error raised
   half-way (a bad filter, no memory) closes them and puts SIGINT back. */
typedef struct LCapture {
  pcap_t *p;
  pcap_dumper_t *d;
  struct sigaction oldint;
  int siginstalled;
} LCapture;

/* Set by our SIGINT handler while a capture runs: Ctrl-C ends the capture
   and keeps the file, as with tcpdump, instead of killing the script. */
static volatile sig_atomic_t cap_stop = 0;

static void on_sigint(int sig) {
  (void)sig;
  cap_stop = 1;
}

/* __gc, __close and the normal end: idempotent. Returns nonzero when the
   file could not be completed (flush failed). */
static int cap_release_(LCapture *c) {
  int bad = 0;
  if (c->d) {
    if (pcap_dump_flush(c->d) != 0) bad = 1;
    pcap_dump_close(c->d);
    c->d = NULL;
  }
  if (c->p) {
    pcap_close(c->p);
    c->p = NULL;
  }
  if (c->siginstalled) {
    sigaction(SIGINT, &c->oldint, NULL);
    c->siginstalled = 0;
  }
  return bad;
}

static int cap_release(lua_State *L) {
  cap_release_((LCapture *)luaL_checkudata(L, 1, PF_CAPTURE_MT));
  return 0;
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef struct dumpctx {
  pcap_dumper_t *d;
  lua_Integer n;
} dumpctx;

/* pcap_handler: one record to the file. */
static void dump_one(u_char *ud, const struct pcap_pkthdr *h, const u_char *bytes) {
  dumpctx *dc = (dumpctx *)ud;
  pcap_dump((u_char *)dc->d, h, bytes);
  dc->n++;
}

/* Option key of the options table (argument 1) as a string, or NULL when absent. */
static const char *optstring(lua_State *L, const char *key, int required) {
  int t = lua_getfield(L, 1, key);
  if (t == LUA_TNIL) {
    if (required) luaL_argerror(L, 1, lua_pushfstring(L, "%s: string expected, got nil", key));
    lua_pop(L, 1);
    return NULL;
  }
  if (t != LUA_TSTRING)
    luaL_argerror(L, 1, lua_pushfstring(L, "%s: string expected, got %s", key, luaL_typename(L, -1)));
  const char *s = lua_tostring(L, -1);
  lua_pop(L, 1);   /* still anchored in the options table */
  return s;
}

/* Positive integer option in 1..max, 0 when absent. */
static lua_Integer optposint(lua_State *L, const char *key, lua_Integer max) {
  int t = lua_getfield(L, 1, key);
  lua_Integer v = 0;
  if (t != LUA_TNIL) {
    int isint;
    v = lua_tointegerx(L, -1, &isint);
    if (t != LUA_TNUMBER || !isint)
      luaL_argerror(L, 1, lua_pushfstring(L, "%s: integer expected, got %s", key,
                                          t == LUA_TNUMBER ? "float" : luaL_typename(L, -1)));
    if (v < 1 || v > max)
      luaL_argerror(L, 1, lua_pushfstring(L, "%s: %I is out of range 1..%I", key, v, max));
  }
  lua_pop(L, 1);
  return v;
}

/* pf.capture{iface =, out =, bpf =, duration =, count =, snaplen =, promisc =}:
   captures from iface into the pcap file out until duration seconds have
   passed, count packets were written or Ctrl-C. Returns {packets =, path =,
   dropped =, seconds =, interrupted =}, or nil and a message when the
   interface cannot be opened or the file written. */
static int pf_capture(lua_State *L) {
  static const char *const known[] = { "iface", "out", "bpf", "duration", "count", "snaplen", "promisc", NULL };
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_settop(L, 1);
  pf_lua_checkopts(L, 1, known);
  const char *iface = optstring(L, "iface", 1);
  const char *out = optstring(L, "out", 1);
  const char *bpf = optstring(L, "bpf", 0);
  luaL_argcheck(L, *iface != '\0', 1, "iface: empty interface name");
  luaL_argcheck(L, *out != '\0', 1, "out: empty path");
  double duration = 0;
  int t = lua_getfield(L, 1, "duration");
  if (t != LUA_TNIL) {
    if (t != LUA_TNUMBER)
      luaL_argerror(L, 1, lua_pushfstring(L, "duration: number expected, got %s", luaL_typename(L, -1)));
    duration = lua_tonumber(L, -1);
    if (!(duration > 0 && duration <= 1e9))   /* NaN fails too */
      luaL_argerror(L, 1, "duration: expected seconds > 0");
  }
  lua_pop(L, 1);
  lua_Integer count = optposint(L, "count", LUA_MAXINTEGER);
  lua_Integer snaplen = optposint(L, "snaplen", 262144);
  if (snaplen == 0) snaplen = 262144;
  int promisc = pf_lua_optbool(L, 1, "promisc", 0);

  LCapture *c = (LCapture *)lua_newuserdatauv(L, sizeof(LCapture), 0);
  memset(c, 0, sizeof *c);
  luaL_setmetatable(L, PF_CAPTURE_MT);
  char errbuf[PCAP_ERRBUF_SIZE];
  errbuf[0] = '\0';
  c->p = pcap_create(iface, errbuf);
  if (c->p == NULL) return pf_lua_fail(L, lua_pushfstring(L, "%s: %s", iface, errbuf));
  pcap_set_snaplen(c->p, (int)snaplen);
  pcap_set_promisc(c->p, promisc);
  pcap_set_timeout(c->p, WAIT_MS);
  pcap_set_immediate_mode(c->p, 1);   /* packets reach us as they come, not a buffer-full later */
  int rc = pcap_activate(c->p);
  if (rc < 0) {
    const char *why;
    switch (rc) {
    case PCAP_ERROR_NO_SUCH_DEVICE: why = "no such interface"; break;
    case PCAP_ERROR_PERM_DENIED: why = "permission denied (capturing needs root or CAP_NET_RAW)"; break;
    case PCAP_ERROR_IFACE_NOT_UP: why = "interface is down"; break;
    case PCAP_ERROR_PROMISC_PERM_DENIED: why = "permission denied for promiscuous mode"; break;
    default: why = NULL;
    }
    /* pcap_geterr adds the system's words; rc's meaning is the useful part */
    const char *detail = pcap_geterr(c->p);
    if (rc == PCAP_ERROR_NO_SUCH_DEVICE) detail = NULL;   /* says the same */
    if (why && detail && *detail) lua_pushfstring(L, "%s: %s (%s)", iface, why, detail);
    else if (why) lua_pushfstring(L, "%s: %s", iface, why);
    else lua_pushfstring(L, "%s: %s", iface, detail && *detail ? detail : pcap_statustostr(rc));
    cap_release_(c);
    return pf_lua_fail(L, lua_tostring(L, -1));
  }
  if (bpf && *bpf) {
    struct bpf_program prog;
    if (pcap_compile(c->p, &prog, bpf, 1, PCAP_NETMASK_UNKNOWN) != 0) {
      lua_pushfstring(L, "bpf: bad capture filter '%s': %s", bpf, pcap_geterr(c->p));
      cap_release_(c);
      luaL_argerror(L, 1, lua_tostring(L, -1));
    }
    int frc = pcap_setfilter(c->p, &prog);
    pcap_freecode(&prog);
    if (frc != 0) {
      lua_pushfstring(L, "%s: cannot set the capture filter: %s", iface, pcap_geterr(c->p));
      cap_release_(c);
      return pf_lua_fail(L, lua_tostring(L, -1));
    }
  }
  c->d = pcap_dump_open(c->p, out);
  if (c->d == NULL) {
    lua_pushstring(L, pcap_geterr(c->p));   /* "out: No such file or directory" */
    cap_release_(c);
    return pf_lua_fail(L, lua_tostring(L, -1));
  }
  if (pcap_setnonblock(c->p, 1, errbuf) != 0) {
    lua_pushfstring(L, "%s: %s", iface, errbuf);
    cap_release_(c);
    return pf_lua_fail(L, lua_tostring(L, -1));
  }
  int fd = pcap_get_selectable_fd(c->p);

  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_sigint;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;   /* no SA_RESTART: poll returns at once on Ctrl-C */
  cap_stop = 0;
  if (sigaction(SIGINT, &sa, &c->oldint) == 0) c->siginstalled = 1;

  dumpctx dc = { c->d, 0 };
  double start = now_s(), elapsed = 0;
  const char *readerr = NULL;
  int interrupted = 0;
  for (;;) {
    if (count && dc.n >= count) break;
    elapsed = now_s() - start;
    if (duration > 0 && elapsed >= duration) break;
    if (cap_stop || pf_lua_interrupted) { interrupted = 1; break; }
    int wait = WAIT_MS;
    if (duration > 0) {
      double left_ms = (duration - elapsed) * 1000.0;
      if (left_ms < wait) wait = (int)ceil(left_ms);
    }
    if (fd >= 0) {
      struct pollfd pfd = { fd, POLLIN, 0 };
      if (poll(&pfd, 1, wait) < 0 && errno != EINTR) { readerr = strerror(errno); break; }
    } else {
      struct timespec ts = { 0, 10 * 1000000L };   /* no selectable descriptor: check every 10 ms */
      nanosleep(&ts, NULL);
    }
    int got = pcap_dispatch(c->p, count ? (int)(count - dc.n > 0x7fffffff ? 0x7fffffff : count - dc.n) : -1,
                            dump_one, (u_char *)&dc);
    if (got == PCAP_ERROR) { readerr = pcap_geterr(c->p); break; }
  }
  elapsed = now_s() - start;
  lua_Integer dropped = 0;
  struct pcap_stat st;
  if (pcap_stats(c->p, &st) == 0) dropped = (lua_Integer)st.ps_drop + (lua_Integer)st.ps_ifdrop;
  if (readerr) {
    lua_pushfstring(L, "%s: read error after %I packets: %s", iface, dc.n, readerr);
    cap_release_(c);
    return pf_lua_fail(L, lua_tostring(L, -1));
  }
  if (cap_release_(c)) return pf_lua_fail(L, lua_pushfstring(L, "%s: %s", out, strerror(errno)));
  lua_createtable(L, 0, 5);
  lua_pushinteger(L, dc.n);
  lua_setfield(L, -2, "packets");
  lua_pushstring(L, out);
  lua_setfield(L, -2, "path");
  lua_pushinteger(L, dropped);
  lua_setfield(L, -2, "dropped");
  lua_pushnumber(L, elapsed);
  lua_setfield(L, -2, "seconds");
  lua_pushboolean(L, interrupted);
  lua_setfield(L, -2, "interrupted");
  return 1;
}

/* pf.mkdir(path): creates the directory and its missing parents (mkdir -p):
   true, or nil and "path: message". */
static int pf_mkdir(lua_State *L) {
  size_t len;
  const char *path = luaL_checklstring(L, 1, &len);
  luaL_argcheck(L, len > 0, 1, "empty path");
  luaL_argcheck(L, strlen(path) == len, 1, "path contains a zero byte");
  char *buf = (char *)lua_newuserdatauv(L, len + 1, 0);
  memcpy(buf, path, len + 1);
  for (size_t i = 1; i <= len; i++) {
    if (i < len && buf[i] != '/') continue;
    char c = buf[i];
    buf[i] = '\0';
    struct stat st;
    if (mkdir(buf, 0777) != 0) {
      int e = errno;
      if (e != EEXIST || stat(buf, &st) != 0 || !S_ISDIR(st.st_mode)) {
        errno = e == EEXIST ? ENOTDIR : e;
        return luaL_fileresult(L, 0, buf);
      }
    }
    buf[i] = c;
  }
  lua_pushboolean(L, 1);
  return 1;
}

static const luaL_Reg cap_meta[] = {
  {"__gc", cap_release}, {"__close", cap_release}, {NULL, NULL}
};

void pf_lua_live_register(lua_State *L) {
  if (luaL_newmetatable(L, PF_CAPTURE_MT)) luaL_setfuncs(L, cap_meta, 0);
  lua_pop(L, 1);
  lua_pushcfunction(L, pf_capture);
  lua_setfield(L, -2, "capture");
  lua_pushcfunction(L, pf_mkdir);
  lua_setfield(L, -2, "mkdir");
}
