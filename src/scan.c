/* scan.c: the read-filter-decode loop shared by every consumer. */
#include "scan.h"

#include <pcap/pcap.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "decode.h"

void pf_diag_init(pf_diag *g) { g->msgs = NULL; g->n = g->cap = 0; }

void pf_diag_add(pf_diag *g, const char *fmt, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  if (g->n == g->cap) {
    int ncap = g->cap ? g->cap * 2 : 8;
    char **m = realloc(g->msgs, sizeof(char *) * (size_t)ncap);
    if (m == NULL) return;
    g->msgs = m;
    g->cap = ncap;
  }
  size_t l = strlen(buf) + 1;
  char *s = malloc(l);
  if (s == NULL) return;
  memcpy(s, buf, l);
  g->msgs[g->n++] = s;
}

void pf_diag_free(pf_diag *g) {
  for (int i = 0; i < g->n; i++) free(g->msgs[i]);
  free(g->msgs);
  pf_diag_init(g);
}

/* One compiled BPF program per link type met (pcapng mixes them). */
typedef struct bpf_cache {
  int linktype[16];
  struct bpf_program prog[16];
  int ok[16];
  int n;
} bpf_cache;

static struct bpf_program *bpf_for(bpf_cache *bc, const char *expr, int linktype, char *err, size_t errlen) {
  for (int i = 0; i < bc->n; i++)
    if (bc->linktype[i] == linktype) return bc->ok[i] ? &bc->prog[i] : NULL;
  if (bc->n == 16) { snprintf(err, errlen, "too many link types for one filter"); return NULL; }
  int i = bc->n++;
  bc->linktype[i] = linktype;
  bc->ok[i] = 0;
  /* libpcap compiles for a DLT; files carry LINKTYPE numbers, equal but for raw IP */
  pcap_t *dead = pcap_open_dead(linktype == 101 ? DLT_RAW : linktype, 262144);
  if (dead == NULL) { snprintf(err, errlen, "out of memory"); return NULL; }
  if (pcap_compile(dead, &bc->prog[i], expr, 1, PCAP_NETMASK_UNKNOWN) != 0) {
    snprintf(err, errlen, "bad capture filter \"%s\": %s", expr, pcap_geterr(dead));
    pcap_close(dead);
    return NULL;
  }
  pcap_close(dead);
  bc->ok[i] = 1;
  return &bc->prog[i];
}

static void bpf_free(bpf_cache *bc) {
  for (int i = 0; i < bc->n; i++)
    if (bc->ok[i]) pcap_freecode(&bc->prog[i]);
}

int pf_scan(const char *const *paths, int npaths, const int *fids, int nfids,
            const pf_scan_opts *opts, pf_sink_fn sink, void *ud, pf_diag *diag,
            char *err, size_t errlen) {
  pf_scan_opts none = { NULL, NULL, NULL, NULL, NULL, NULL };
  if (opts == NULL) opts = &none;
  int rc = PF_SCAN_OK;
  pf_decoder *dec = pf_decoder_new(fids, nfids);
  pf_pkt *p = malloc(sizeof *p);
  bpf_cache bc;
  bc.n = 0;
  if (dec == NULL || p == NULL) {
    snprintf(err, errlen, "out of memory");
    pf_decoder_free(dec);
    free(p);
    return PF_SCAN_ERROR;
  }
  pf_pkt_init(p);
  pf_decoder_set_user(dec, opts->user);
  if (opts->bpf && *opts->bpf) {
    /* compile once up front so a typo fails before any file is read */
    if (bpf_for(&bc, opts->bpf, 1, err, errlen) == NULL) { rc = PF_SCAN_ERROR; goto done; }
  }
  uint64_t frame = 0, total = 0, before = 0;
  for (int f = 0; f < npaths; f++) {
    char rerr[256];
    pf_reader *r = pf_reader_open(paths[f], rerr, sizeof rerr);
    if (r == NULL) {
      snprintf(err, errlen, "%s: %s", paths[f], rerr);
      rc = PF_SCAN_ERROR;
      goto done;
    }
    total += pf_reader_size(r);
    pf_reader_close(r);
  }
  for (int f = 0; f < npaths && rc == PF_SCAN_OK; f++) {
    char rerr[256];
    pf_reader *r = pf_reader_open(paths[f], rerr, sizeof rerr);
    if (r == NULL) {
      snprintf(err, errlen, "%s: %s", paths[f], rerr);
      rc = PF_SCAN_ERROR;
      break;
    }
    uint64_t kept = 0, next_progress = 4u << 20;
    for (;;) {
      int got = pf_reader_next(r, p);
      for (const char *w; (w = pf_reader_warning(r)) != NULL;) pf_diag_add(diag, "%s: %s", paths[f], w);
      if (got == 0) break;
      if (got < 0) {
        pf_diag_add(diag, "%s: %s; the %llu packet%s before it %s kept", paths[f], pf_reader_error(r),
                    (unsigned long long)kept, kept == 1 ? "" : "s", kept == 1 ? "was" : "were");
        break;
      }
      p->num = ++frame;
      p->file_index = (uint32_t)f;
      kept++;
      if (opts->interrupted && *opts->interrupted) { rc = PF_SCAN_INTERRUPTED; break; }
      if (opts->progress && pf_reader_offset(r) >= next_progress) {
        next_progress = pf_reader_offset(r) + (4u << 20);
        opts->progress(opts->progress_ud, before + pf_reader_offset(r), total, frame);
      }
      if (opts->bpf && *opts->bpf) {
        if (!p->is_packet) continue;
        struct bpf_program *prog = bpf_for(&bc, opts->bpf, p->linktype, rerr, sizeof rerr);
        if (prog == NULL) continue;   /* no filter for this link type: nothing matches */
        struct pcap_pkthdr h;
        h.ts.tv_sec = (time_t)p->ts.secs;
        h.ts.tv_usec = p->ts.nsecs / 1000;
        h.caplen = p->caplen;
        h.len = p->len;
        if (!pcap_offline_filter(prog, &h, p->data)) continue;
      }
      if (pf_decode(dec, p) < 0) {
        snprintf(err, errlen, "%s: packet %llu: out of memory", paths[f], (unsigned long long)frame);
        rc = PF_SCAN_ERROR;
        break;
      }
      if (p->malformed[0])
        pf_diag_add(diag, "%s: packet %llu at offset %llu: %s", paths[f], (unsigned long long)frame,
                    (unsigned long long)p->offset, p->malformed);
      if (opts->filter && !pf_filter_eval(opts->filter, p)) continue;
      if (sink(ud, p)) { rc = PF_SCAN_STOPPED; break; }
    }
    before += pf_reader_size(r);
    pf_reader_close(r);
  }
  if (opts->progress) opts->progress(opts->progress_ud, total, total, frame);
done:
  bpf_free(&bc);
  pf_decoder_free(dec);
  free(p);
  return rc;
}
