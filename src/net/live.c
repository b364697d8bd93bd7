/* live.c: live capture through libpcap into a pcap file, and mkdir -p. No Lua here. */
#include "live.h"

#include <errno.h>
#include <math.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

const char *pf_live_check(const pf_live_opts *o) {
  if (o->iface == NULL) return "iface: string expected, got nil";
  if (o->out == NULL) return "out: string expected, got nil";
  if (*o->iface == '\0') return "iface: empty interface name";
  if (*o->out == '\0') return "out: empty path";
  if (!(o->duration == 0 || (o->duration > 0 && o->duration <= PF_LIVE_DURATION_MAX)))   /* NaN fails too */
    return "duration: expected seconds > 0";
  if (o->count < 0) return "count: expected packets >= 1";
  if (o->snaplen < 0 || o->snaplen > PF_LIVE_SNAPLEN_MAX) return "snaplen: out of range 1..262144";
  return NULL;
}

size_t pf_live_errsz(const pf_live_opts *o) {
  return (o->iface ? strlen(o->iface) : 0) + (o->out ? strlen(o->out) : 0) + (o->bpf ? strlen(o->bpf) : 0) +
         2 * PCAP_ERRBUF_SIZE + 256;
}

void pf_live_activate_error(const char *iface, int rc, const char *detail, char *err, size_t errsz) {
  const char *why;
  switch (rc) {
  case PCAP_ERROR_NO_SUCH_DEVICE: why = "no such interface"; break;
  case PCAP_ERROR_PERM_DENIED: why = "permission denied (capturing needs root or CAP_NET_RAW)"; break;
  case PCAP_ERROR_IFACE_NOT_UP: why = "interface is down"; break;
  case PCAP_ERROR_PROMISC_PERM_DENIED: why = "permission denied for promiscuous mode"; break;
  default: why = NULL;
  }
  /* pcap_geterr adds the system's words; rc's meaning is the useful part */
  if (rc == PCAP_ERROR_NO_SUCH_DEVICE) detail = NULL;   /* says the same */
  if (why && detail && *detail) snprintf(err, errsz, "%s: %s (%s)", iface, why, detail);
  else if (why) snprintf(err, errsz, "%s: %s", iface, why);
  else snprintf(err, errsz, "%s: %s", iface, detail && *detail ? detail : pcap_statustostr(rc));
}

/* The handles of a capture in progress. */
typedef struct capture {
  pcap_t *p;
  pcap_dumper_t *d;
  struct sigaction oldint;
  int siginstalled;
} capture;

/* Set by our SIGINT handler while a capture runs: Ctrl-C ends the capture
   and keeps the file, as with tcpdump, instead of killing the script. */
static volatile sig_atomic_t cap_stop = 0;

static void on_sigint(int sig) {
  (void)sig;
  cap_stop = 1;
}

/* Closes what is open and puts SIGINT back. Returns nonzero when the file
   could not be completed (flush failed). */
static int release(capture *c) {
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

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef struct dumpctx {
  pcap_dumper_t *d;
  int64_t n;
} dumpctx;

/* pcap_handler: one record to the file. */
static void dump_one(u_char *ud, const struct pcap_pkthdr *h, const u_char *bytes) {
  dumpctx *dc = (dumpctx *)ud;
  pcap_dump((u_char *)dc->d, h, bytes);
  dc->n++;
}

int pf_live_capture(const pf_live_opts *o, volatile sig_atomic_t *interrupted, pf_live_result *res,
                    char *err, size_t errsz) {
  const char *bad = pf_live_check(o);
  if (bad) {
    snprintf(err, errsz, "%s", bad);
    return PF_LIVE_EOPTS;
  }
  const char *iface = o->iface, *out = o->out;
  int64_t count = o->count;
  double duration = o->duration;
  capture cap, *c = &cap;
  memset(c, 0, sizeof *c);
  char errbuf[PCAP_ERRBUF_SIZE];
  errbuf[0] = '\0';
  c->p = pcap_create(iface, errbuf);
  if (c->p == NULL) {
    snprintf(err, errsz, "%s: %s", iface, errbuf);
    return PF_LIVE_EFAIL;
  }
  pcap_set_snaplen(c->p, o->snaplen ? o->snaplen : PF_LIVE_SNAPLEN_MAX);
  pcap_set_promisc(c->p, o->promisc);
  pcap_set_timeout(c->p, PF_LIVE_WAIT_MS);
  pcap_set_immediate_mode(c->p, 1);   /* packets reach us as they come, not a buffer-full later */
  int rc = pcap_activate(c->p);
  if (rc < 0) {
    pf_live_activate_error(iface, rc, pcap_geterr(c->p), err, errsz);
    release(c);
    return PF_LIVE_EFAIL;
  }
  if (o->bpf && *o->bpf) {
    struct bpf_program prog;
    if (pcap_compile(c->p, &prog, o->bpf, 1, PCAP_NETMASK_UNKNOWN) != 0) {
      snprintf(err, errsz, "bpf: bad capture filter '%s': %s", o->bpf, pcap_geterr(c->p));
      release(c);
      return PF_LIVE_EBPF;
    }
    int frc = pcap_setfilter(c->p, &prog);
    pcap_freecode(&prog);
    if (frc != 0) {
      snprintf(err, errsz, "%s: cannot set the capture filter: %s", iface, pcap_geterr(c->p));
      release(c);
      return PF_LIVE_EFAIL;
    }
  }
  c->d = pcap_dump_open(c->p, out);
  if (c->d == NULL) {
    snprintf(err, errsz, "%s", pcap_geterr(c->p));   /* "out: No such file or directory" */
    release(c);
    return PF_LIVE_EFAIL;
  }
  if (pcap_setnonblock(c->p, 1, errbuf) != 0) {
    snprintf(err, errsz, "%s: %s", iface, errbuf);
    release(c);
    return PF_LIVE_EFAIL;
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
  int stopped = 0;
  for (;;) {
    if (count && dc.n >= count) break;
    elapsed = now_s() - start;
    if (duration > 0 && elapsed >= duration) break;
    if (cap_stop || (interrupted && *interrupted)) { stopped = 1; break; }
    int wait = PF_LIVE_WAIT_MS;
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
  int64_t dropped = 0;
  struct pcap_stat st;
  if (pcap_stats(c->p, &st) == 0) dropped = (int64_t)st.ps_drop + (int64_t)st.ps_ifdrop;
  if (readerr) {
    snprintf(err, errsz, "%s: read error after %lld packets: %s", iface, (long long)dc.n, readerr);
    release(c);
    return PF_LIVE_EFAIL;
  }
  if (release(c)) {
    snprintf(err, errsz, "%s: %s", out, strerror(errno));
    return PF_LIVE_EFAIL;
  }
  res->packets = dc.n;
  res->dropped = dropped;
  res->seconds = elapsed;
  res->interrupted = stopped;
  return PF_LIVE_OK;
}

int pf_mkdir_p(char *path, size_t len) {
  for (size_t i = 1; i <= len; i++) {
    if (i < len && path[i] != '/') continue;
    char c = path[i];
    path[i] = '\0';
    struct stat st;
    if (mkdir(path, 0777) != 0) {
      int e = errno;
      if (e != EEXIST || stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
        errno = e == EEXIST ? ENOTDIR : e;
        return -1;
      }
    }
    path[i] = c;
  }
  return 0;
}
