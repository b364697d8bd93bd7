/* live.h: live capture: packets from a network interface through libpcap into a
   pcap file, until a duration, a count or Ctrl-C; and mkdir -p for the output
   directory. Pure C (no Lua): pf.capture and pf.mkdir (src/lua/live_lua.c)
   check their arguments and call these. */
#ifndef PF_LIVE_H
#define PF_LIVE_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#define PF_LIVE_SNAPLEN_MAX 262144   /* bytes kept of a packet; libpcap's own maximum */
#define PF_LIVE_DURATION_MAX 1e9     /* seconds */
/* How long one wait for packets lasts at most: the longest a Ctrl-C or a
   passed deadline goes unnoticed. */
#define PF_LIVE_WAIT_MS 100

typedef struct pf_live_opts {
  const char *iface;   /* the interface: required, not empty */
  const char *out;     /* the pcap file written: required, not empty */
  const char *bpf;     /* a capture filter (tcpdump syntax); NULL or "" for none */
  double duration;     /* seconds in (0, PF_LIVE_DURATION_MAX]; 0 for no limit */
  int64_t count;       /* packets, >= 1; 0 for no limit */
  int snaplen;         /* 1..PF_LIVE_SNAPLEN_MAX; 0 for PF_LIVE_SNAPLEN_MAX */
  int promisc;         /* promiscuous mode */
} pf_live_opts;

typedef struct pf_live_result {
  int64_t packets;     /* written to out */
  int64_t dropped;     /* by the kernel and the interface, as libpcap counts them */
  double seconds;      /* the capture's length */
  int interrupted;     /* ended by Ctrl-C (or *interrupted) rather than duration or count */
} pf_live_result;

/* NULL when the options are valid, else what is wrong ("duration: expected
   seconds > 0"). */
const char *pf_live_check(const pf_live_opts *o);

/* A size of err for pf_live_capture that holds any of its messages whole. */
size_t pf_live_errsz(const pf_live_opts *o);

/* The message for pcap_activate's error rc on iface, in err: "IFACE: no such
   interface", "IFACE: permission denied (capturing needs root or CAP_NET_RAW)
   (DETAIL)", ...; detail is pcap_geterr's text (may be NULL or ""). */
void pf_live_activate_error(const char *iface, int rc, const char *detail, char *err, size_t errsz);

enum {
  PF_LIVE_OK = 0,
  PF_LIVE_EFAIL = -1,   /* the interface cannot be opened, the file written, a read failed */
  PF_LIVE_EBPF = -2,    /* the capture filter does not compile: a mistake of the caller's */
  PF_LIVE_EOPTS = -3    /* pf_live_check's complaint */
};

/* Captures from o->iface into the pcap file o->out until o->duration seconds
   have passed, o->count packets were written, SIGINT (Ctrl-C: the handler is
   ours during the capture, the previous one comes back after) or *interrupted
   is nonzero (read, never cleared). Returns PF_LIVE_OK with res filled in, or
   an error with its message in err. Every handle is closed on return. */
int pf_live_capture(const pf_live_opts *o, volatile sig_atomic_t *interrupted, pf_live_result *res,
                    char *err, size_t errsz);

/* mkdir -p: creates the directory path[0..len) and its missing parents. Returns
   0, or -1 with errno set (ENOTDIR when a component exists and is not a
   directory) and path cut at the end of the component that failed. */
int pf_mkdir_p(char *path, size_t len);

#endif
