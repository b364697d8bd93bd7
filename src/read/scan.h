/* scan.h: one pass over one or more capture files: read, pre-filter, decode, hand each
   packet to a sink. The shared loop under `pktframe fields`, pf.read and friends. */
#ifndef PF_SCAN_H
#define PF_SCAN_H

#include <signal.h>

#include "filter.h"
#include "pf.h"

/* Diagnostics: one line each, "FILE: packet N at offset O: what". */
typedef struct pf_diag {
  char **msgs;
  int n, cap;
} pf_diag;

void pf_diag_init(pf_diag *g);
void pf_diag_add(pf_diag *g, const char *fmt, ...);
void pf_diag_free(pf_diag *g);

/* Returns nonzero to stop the scan early (then pf_scan returns PF_SCAN_STOPPED). */
typedef int (*pf_sink_fn)(void *ud, const pf_pkt *p);

/* Progress: bytes done of bytes total (0 if unknown) and packets so far. */
typedef void (*pf_progress_fn)(void *ud, uint64_t done, uint64_t total, uint64_t packets);

typedef struct pf_scan_opts {
  const char *bpf;                        /* libpcap filter expression, or NULL */
  volatile sig_atomic_t *interrupted;     /* polled; set by a SIGINT handler */
  pf_progress_fn progress;                /* called every few MB, or NULL */
  void *progress_ud;
  const pf_filter *filter;                /* display filter on decoded packets, or NULL */
  const struct pf_user_hook *user;        /* user-defined fields (decode.h), or NULL */
  /* 2 or more: read and decode in a second thread while the sink runs in
     the caller's, packets handed over in batches (same packets, same order;
     a two-stage pipeline, so more than 2 is 2). 0 or 1: one thread. Also one
     thread when user fields decode (they may call Lua). */
  int threads;
  int sink_skips_data;                    /* the sink reads no p->data: with threads, the record's bytes
                                             are not handed over (p->data is NULL, p->caplen kept) */
  int layer_bytes;                        /* the sink's filters read a protocol's bytes (tcp contains ...):
                                             the decoder keeps each layer's span (the scan's own filter
                                             and user fields ask for them themselves) */
} pf_scan_opts;

enum {
  PF_SCAN_OK = 0,
  PF_SCAN_ERROR = -1,        /* could not start or continue: message in err */
  PF_SCAN_STOPPED = -2,      /* the sink asked to stop */
  PF_SCAN_INTERRUPTED = -3   /* *interrupted was set */
};

/* Reads paths in order as one stream of frames (numbered across files, one
   set of conversations), decoding the fields fids (which must include the
   filter's, see pf_filter_fields); packets the filter rejects are decoded,
   so streams are numbered as without it, but not given to the sink. Damaged files end with a
   diagnostic in diag, keeping every packet before the damage, and the scan
   goes on with the next file. A file that cannot be opened, a bad BPF
   expression or running out of memory is PF_SCAN_ERROR with a one-line
   message in err naming the file. */
int pf_scan(const char *const *paths, int npaths, const int *fids, int nfids,
            const pf_scan_opts *opts, pf_sink_fn sink, void *ud, pf_diag *diag,
            char *err, size_t errlen);

#endif
