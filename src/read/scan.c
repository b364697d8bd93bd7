/* scan.c: the read-filter-decode loop shared by every consumer. */
#include "scan.h"

#include <pcap/pcap.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <pthread.h>
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

/* ---- the scan, in one thread or two ----

   One thread reads, pre-filters, decodes and filters (the decoder's state, TCP
   conversations above all, is one sequence, so decoding stays in one thread);
   with two, it hands the decoded packets in batches to the calling thread,
   which runs the sink (formatting, table appends) and the progress callback.
   The sink sees the same packets in the same order either way. */

/* A decoded packet in a batch: this header; the field ids of its nvals
   values (uint16, padded to 8 bytes); their payloads, paysize bytes: 16 for
   times and IPv6 addresses, 8 for the others (a string or bytes value: its
   offset and length in the bytes that follow, two uint32); then nbytes of
   bytes: the record's data (has_data), then the string values that were not
   in it. The occurrence chains are not sent: values of one field are chained
   in the order they were added (pf_emit), so the consumer rebuilds them. */
typedef struct rec {
  uint64_t num, offset, file_num;
  pf_time ts;
  uint32_t caplen, len, file_index, nbytes;
  int32_t has_ts, is_packet, linktype, nvals;
  int32_t has_data;
  uint32_t paysize;
} rec;

enum { PAY8, PAY16, PAYSPAN };

static int pay_kind(int fid) {
  switch (pf_fields[fid].type) {
    case PF_FT_ABSTIME: case PF_FT_RELTIME: case PF_FT_IPV6: return PAY16;
    case PF_FT_STRING: case PF_FT_BYTES: return PAYSPAN;
    default: return PAY8;
  }
}

#define NBATCH 8                  /* batches in the ring */
#define BATCH_BYTES (128u << 10)  /* a batch is handed over when it holds this much */

typedef struct batch {
  unsigned char *buf;
  size_t cap, used;
  int n;                          /* records */
  int prog;                       /* progress to report after it: */
  uint64_t pdone, ptotal, pframes;
} batch;

/* A batch on cache lines of its own: the producer writes its batch's counts
   every record while the consumer reads another's. */
typedef union batch_slot {
  batch b;
  unsigned char line[64 * ((sizeof(batch) + 63) / 64)];
} batch_slot;

typedef struct pipeline {
  batch_slot slot[NBATCH];        /* first: the allocation is 64-byte aligned */
  pthread_mutex_t mu;
  pthread_cond_t filled, freed;
  int ridx, widx, count;          /* count filled batches from ridx; the consumer's is counted until done */
  int done;                       /* the producer has published its last batch */
  int stop;                       /* the consumer wants no more */
  int pwait, cwait;               /* producer, consumer waiting: signal only then (a wake-up is a system call) */
} pipeline;

typedef struct scanner scanner;
struct scanner {
  const char *const *paths;
  int npaths;
  const pf_scan_opts *opts;
  pf_diag *diag;
  char *err;
  size_t errlen;
  pf_decoder *dec;
  pf_pkt *p;
  bpf_cache bc;
  pf_sink_fn sink;
  void *ud;
  pipeline *pl;                   /* NULL: one thread */
  int final_progress;             /* the scan got to its end: report 100% */
  uint64_t frames, total;
  int rc;                         /* the producer's result */
};

static size_t align8(size_t n) { return (n + 7) & ~(size_t)7; }

static void publish(pipeline *pl) {
  pthread_mutex_lock(&pl->mu);
  pl->count++;
  pl->widx = (pl->widx + 1) % NBATCH;
  if (pl->cwait) pthread_cond_signal(&pl->filled);
  pthread_mutex_unlock(&pl->mu);
}

/* Waits for the next free batch and empties it; 0, or -1 when the consumer stopped. */
static int next_batch(pipeline *pl) {
  pthread_mutex_lock(&pl->mu);
  while (pl->count == NBATCH && !pl->stop) {
    pl->pwait = 1;
    pthread_cond_wait(&pl->freed, &pl->mu);
    pl->pwait = 0;
  }
  int stop = pl->stop;
  pthread_mutex_unlock(&pl->mu);
  batch *b = &pl->slot[pl->widx].b;
  b->used = 0;
  b->n = 0;
  b->prog = 0;
  return stop ? -1 : 0;
}

/* Copies the decoded packet p into the batch being filled, handing the
   batch over when it is full. 0, 1 when the consumer stopped, -1 when out of memory. */
static int pack(pipeline *pl, const pf_pkt *p, int with_data) {
  batch *b = &pl->slot[pl->widx].b;
  const uint8_t *d0 = with_data ? p->data : NULL, *d1 = d0 ? d0 + p->caplen : NULL;
  size_t extra = 0, pay = 0;
  int nv = p->nvals;
  for (int i = 0; i < nv; i++) {
    const pf_val *v = &p->vals[i];
    int k = pay_kind(v->fid);
    pay += k == PAY16 ? 16 : 8;
    if (k == PAYSPAN && !(d0 && v->v.s.p >= d0 && v->v.s.p + v->v.s.len <= d1)) extra += v->v.s.len;
  }
  size_t dlen = d0 ? p->caplen : 0;
  size_t nb = dlen + extra;
  size_t fidbytes = align8((size_t)nv * sizeof(uint16_t));
  size_t need = sizeof(rec) + fidbytes + pay + align8(nb);
  if (b->used + need > b->cap) {
    if (b->n > 0) {
      publish(pl);
      if (next_batch(pl) < 0) return 1;
      b = &pl->slot[pl->widx].b;
    }
    if (need > b->cap) {   /* a big record: the batch grows once and stays grown */
      size_t ncap = b->cap * 2 > need ? b->cap * 2 : need;
      unsigned char *nbuf = realloc(b->buf, ncap);
      if (nbuf == NULL) return -1;
      b->buf = nbuf;
      b->cap = ncap;
    }
  }
  unsigned char *o = b->buf + b->used;
  rec *h = (rec *)(void *)o;
  h->num = p->num;
  h->offset = p->offset;
  h->ts = p->ts;
  h->caplen = p->caplen;
  h->len = p->len;
  h->file_index = p->file_index;
  h->file_num = p->file_num;
  h->nbytes = (uint32_t)nb;
  h->has_ts = p->has_ts;
  h->is_packet = p->is_packet;
  h->linktype = p->linktype;
  h->nvals = nv;
  h->has_data = d0 != NULL;
  h->paysize = (uint32_t)pay;
  uint16_t *fids = (uint16_t *)(void *)(o + sizeof(rec));
  unsigned char *py = o + sizeof(rec) + fidbytes;
  uint8_t *bytes = py + pay;
  if (dlen) memcpy(bytes, d0, dlen);
  size_t at = dlen;
  for (int i = 0; i < nv; i++) {   /* one pass: read the packet's value, write the copy */
    const pf_val *v = &p->vals[i];
    fids[i] = v->fid;
    switch (pay_kind(v->fid)) {
      case PAY8: memcpy(py, &v->v, 8); py += 8; break;
      case PAY16: memcpy(py, &v->v, 16); py += 16; break;
      default: {
        uint32_t sp[2];
        if (d0 && v->v.s.p >= d0 && v->v.s.p + v->v.s.len <= d1) {
          sp[0] = (uint32_t)(v->v.s.p - d0);
        } else {
          sp[0] = (uint32_t)at;
          if (v->v.s.len) memcpy(bytes + at, v->v.s.p, v->v.s.len);
          at += v->v.s.len;
        }
        sp[1] = v->v.s.len;
        memcpy(py, sp, 8);
        py += 8;
        break;
      }
    }
  }
  b->used += need;
  b->n++;
  return 0;
}

/* Rebuilds in q the packet of record h (the inverse of pack); returns the next record. */
static const unsigned char *unpack(pf_pkt *q, const unsigned char *o) {
  const rec *h = (const rec *)(const void *)o;
  int nv = h->nvals;
  const uint16_t *fids = (const uint16_t *)(const void *)(o + sizeof(rec));
  const unsigned char *py = o + sizeof(rec) + align8((size_t)nv * sizeof(uint16_t));
  const uint8_t *bytes = py + h->paysize;
  for (int i = 0; i < q->nvals; i++) q->first[q->vals[i].fid] = -1;
  q->num = h->num;
  q->offset = h->offset;
  q->ts = h->ts;
  q->caplen = h->caplen;
  q->len = h->len;
  q->file_index = h->file_index;
  q->file_num = h->file_num;
  q->has_ts = h->has_ts;
  q->is_packet = h->is_packet;
  q->linktype = h->linktype;
  q->data = h->has_data ? bytes : NULL;
  for (int i = 0; i < nv; i++) {
    pf_val *v = &q->vals[i];
    int fid = fids[i];
    v->fid = (uint16_t)fid;
    v->next = -1;
    v->pad_ = 0;
    if (q->first[fid] < 0) q->first[fid] = (int16_t)i;
    else q->vals[q->last[fid]].next = (int16_t)i;
    q->last[fid] = (int16_t)i;
    switch (pay_kind(fid)) {
      case PAY8:
        memcpy(&v->v, py, 8);
        memset((unsigned char *)&v->v + 8, 0, sizeof v->v - 8);
        py += 8;
        break;
      case PAY16: memcpy(&v->v, py, 16); py += 16; break;
      default: {
        uint32_t sp[2];
        memcpy(sp, py, 8);
        v->v.s.p = bytes + sp[0];
        v->v.s.len = sp[1];
        py += 8;
        break;
      }
    }
  }
  q->nvals = nv;
  q->scratch_used = 0;
  return o + sizeof(rec) + align8((size_t)nv * sizeof(uint16_t)) + h->paysize + align8(h->nbytes);
}

/* A packet that passed every filter: to the sink, or into a batch. 0 to go on. */
static int emit(scanner *s, const pf_pkt *p) {
  if (s->pl == NULL) {
    if (s->sink(s->ud, p)) { s->rc = PF_SCAN_STOPPED; return 1; }
    return 0;
  }
  int r = pack(s->pl, p, !s->opts->sink_skips_data);
  if (r < 0) {
    snprintf(s->err, s->errlen, "%s: packet %llu: out of memory", s->paths[p->file_index],
             (unsigned long long)p->file_num);
    s->rc = PF_SCAN_ERROR;
  }
  return r != 0;
}

static void progress(scanner *s, uint64_t done, uint64_t total, uint64_t frames) {
  if (s->pl == NULL) {
    s->opts->progress(s->opts->progress_ud, done, total, frames);
    return;
  }
  batch *b = &s->pl->slot[s->pl->widx].b;   /* reported once the consumer is past this batch */
  b->prog = 1;
  b->pdone = done;
  b->ptotal = total;
  b->pframes = frames;
}

/* The read-filter-decode loop over every file; sets s->rc. */
static void produce(scanner *s) {
  const pf_scan_opts *opts = s->opts;
  pf_pkt *p = s->p;
  uint64_t before = 0;
  for (int f = 0; f < s->npaths && s->rc == PF_SCAN_OK; f++) {
    char rerr[256];
    const char *path = s->paths[f];
    pf_reader *r = pf_reader_open(path, rerr, sizeof rerr);
    if (r == NULL) {
      snprintf(s->err, s->errlen, "%s: %s", path, rerr);
      s->rc = PF_SCAN_ERROR;
      break;
    }
    uint64_t kept = 0, next_progress = 4u << 20;
    for (;;) {
      int got = pf_reader_next(r, p);
      for (const char *w; (w = pf_reader_warning(r)) != NULL;) pf_diag_add(s->diag, "%s: %s", path, w);
      if (got == 0) break;
      if (got < 0) {
        pf_diag_add(s->diag, "%s: %s; the %llu packet%s before it %s kept", path, pf_reader_error(r),
                    (unsigned long long)kept, kept == 1 ? "" : "s", kept == 1 ? "was" : "were");
        break;
      }
      p->num = ++s->frames;
      p->file_index = (uint32_t)f;
      p->file_num = ++kept;
      if (opts->interrupted && *opts->interrupted) { s->rc = PF_SCAN_INTERRUPTED; break; }
      if (opts->progress && pf_reader_offset(r) >= next_progress) {
        next_progress = pf_reader_offset(r) + (4u << 20);
        progress(s, before + pf_reader_offset(r), s->total, s->frames);
      }
      if (opts->bpf && *opts->bpf) {
        if (!p->is_packet) continue;
        struct bpf_program *prog = bpf_for(&s->bc, opts->bpf, p->linktype, rerr, sizeof rerr);
        if (prog == NULL) continue;   /* no filter for this link type: nothing matches */
        struct pcap_pkthdr h;
        h.ts.tv_sec = (time_t)p->ts.secs;
        h.ts.tv_usec = p->ts.nsecs / 1000;
        h.caplen = p->caplen;
        h.len = p->len;
        if (!pcap_offline_filter(prog, &h, p->data)) continue;
      }
      if (pf_decode(s->dec, p) < 0) {
        snprintf(s->err, s->errlen, "%s: packet %llu: out of memory", path, (unsigned long long)kept);
        s->rc = PF_SCAN_ERROR;
        break;
      }
      /* numbered within its file, as the reader's messages are (one file: frame.number) */
      if (p->malformed[0])
        pf_diag_add(s->diag, "%s: packet %llu at offset %llu: %s", path, (unsigned long long)kept,
                    (unsigned long long)p->offset, p->malformed);
      if (opts->filter && !pf_filter_eval(opts->filter, p)) { pf_decoder_not_displayed(s->dec); continue; }
      if (emit(s, p)) break;
    }
    before += pf_reader_size(r);
    pf_reader_close(r);
  }
  s->final_progress = 1;
}

static void *producer_main(void *arg) {
  scanner *s = arg;
  pipeline *pl = s->pl;
  if (next_batch(pl) == 0) produce(s);
  pthread_mutex_lock(&pl->mu);
  pl->count++;   /* the last batch, perhaps empty */
  pl->done = 1;
  pthread_cond_signal(&pl->filled);
  pthread_mutex_unlock(&pl->mu);
  return NULL;
}

static void pipeline_free(pipeline *pl) {
  if (pl == NULL) return;
  for (int i = 0; i < NBATCH; i++) free(pl->slot[i].b.buf);
  pthread_mutex_destroy(&pl->mu);
  pthread_cond_destroy(&pl->filled);
  pthread_cond_destroy(&pl->freed);
  free(pl);
}

static pipeline *pipeline_new(void) {
  void *mem;
  if (posix_memalign(&mem, 64, sizeof(pipeline)) != 0) return NULL;
  pipeline *pl = mem;
  memset(pl, 0, sizeof *pl);
  pthread_mutex_init(&pl->mu, NULL);
  pthread_cond_init(&pl->filled, NULL);
  pthread_cond_init(&pl->freed, NULL);
  for (int i = 0; i < NBATCH; i++) {
    pl->slot[i].b.cap = BATCH_BYTES;
    pl->slot[i].b.buf = malloc(BATCH_BYTES);
    if (pl->slot[i].b.buf == NULL) { pipeline_free(pl); return NULL; }
  }
  return pl;
}

/* The calling thread's side of a two-thread scan: the sink and the progress
   callback, batch by batch, until the producer is done; returns the result. */
static int consume(scanner *s, pf_pkt *q) {
  pipeline *pl = s->pl;
  const pf_scan_opts *opts = s->opts;
  pf_sink_fn sink = s->sink;   /* locals: the producer writes near them */
  void *ud = s->ud;
  int rc = PF_SCAN_OK;
  pf_pkt_init(q);
  for (;;) {
    pthread_mutex_lock(&pl->mu);
    while (pl->count == 0) {
      pl->cwait = 1;
      pthread_cond_wait(&pl->filled, &pl->mu);
      pl->cwait = 0;
    }
    int last = pl->done && pl->count == 1;
    pthread_mutex_unlock(&pl->mu);
    batch *b = &pl->slot[pl->ridx].b;
    const unsigned char *o = b->buf;
    if (rc == PF_SCAN_OK && opts->interrupted && *opts->interrupted) rc = PF_SCAN_INTERRUPTED;
    int n = b->n;
    for (int i = 0; i < n && rc == PF_SCAN_OK; i++) {
      o = unpack(q, o);
      if (sink(ud, q)) rc = PF_SCAN_STOPPED;
    }
    if (rc == PF_SCAN_OK && b->prog && opts->progress)
      opts->progress(opts->progress_ud, b->pdone, b->ptotal, b->pframes);
    pthread_mutex_lock(&pl->mu);
    pl->count--;
    pl->ridx = (pl->ridx + 1) % NBATCH;
    if (rc != PF_SCAN_OK) pl->stop = 1;
    if (pl->pwait) pthread_cond_signal(&pl->freed);
    pthread_mutex_unlock(&pl->mu);
    if (last) break;
  }
  return rc;
}

int pf_scan(const char *const *paths, int npaths, const int *fids, int nfids,
            const pf_scan_opts *opts, pf_sink_fn sink, void *ud, pf_diag *diag,
            char *err, size_t errlen) {
  pf_scan_opts none;
  memset(&none, 0, sizeof none);
  if (opts == NULL) opts = &none;
  /* the producer's counters on cache lines of their own, away from the
     consumer's stack (false sharing cost more than the decoding) */
  void *smem;
  size_t ssize = (sizeof(scanner) + 63) & ~(size_t)63;
  if (posix_memalign(&smem, 64, ssize) != 0) {
    snprintf(err, errlen, "out of memory");
    return PF_SCAN_ERROR;
  }
  memset(smem, 0, ssize);
  scanner *s = smem;
  s->paths = paths;
  s->npaths = npaths;
  s->opts = opts;
  s->diag = diag;
  s->err = err;
  s->errlen = errlen;
  s->sink = sink;
  s->ud = ud;
  s->rc = PF_SCAN_OK;
  s->dec = pf_decoder_new(fids, nfids);
  s->p = malloc(sizeof *s->p);
  pf_pkt *q = NULL;
  if (s->dec == NULL || s->p == NULL) {
    snprintf(err, errlen, "out of memory");
    s->rc = PF_SCAN_ERROR;
    goto done;
  }
  pf_pkt_init(s->p);
  pf_decoder_set_user(s->dec, opts->user);
  {
    int bytes = 0;
    if (opts->filter) pf_filter_protocols(opts->filter, &bytes);
    /* user fields' where filters may read protocol bytes too: keep the spans for them */
    pf_decoder_set_spans(s->dec, bytes || opts->layer_bytes || opts->user != NULL);
  }
  if (opts->bpf && *opts->bpf) {
    /* compile once up front so a typo fails before any file is read */
    if (bpf_for(&s->bc, opts->bpf, 1, err, errlen) == NULL) { s->rc = PF_SCAN_ERROR; goto done; }
  }
  for (int f = 0; f < npaths; f++) {
    char rerr[256];
    uint64_t size;
    if (pf_reader_check(paths[f], &size, rerr, sizeof rerr) < 0) {
      snprintf(err, errlen, "%s: %s", paths[f], rerr);
      s->rc = PF_SCAN_ERROR;
      goto done;
    }
    s->total += size;
  }
  /* two threads when asked for, unless user-defined fields decode (they may
     call back into Lua, which must stay in the calling thread); one thread
     when the second cannot be had */
  if (opts->threads >= 2 && opts->user == NULL && npaths > 0) {
    q = malloc(sizeof *q);
    s->pl = q ? pipeline_new() : NULL;
    pthread_t th;
    /* signals (Ctrl-C) stay with the calling thread, as without threads: the
       producer starts with every signal blocked */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    int started = s->pl && pthread_create(&th, NULL, producer_main, s) == 0;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (started) {
      int crc = consume(s, q);
      pthread_join(th, NULL);
      /* the consumer's stop comes first: the producer only saw it as a refusal */
      if (crc != PF_SCAN_OK) s->rc = crc;
      if (s->final_progress && crc == PF_SCAN_OK && opts->progress)
        opts->progress(opts->progress_ud, s->total, s->total, s->frames);
      goto done;
    }
    pipeline_free(s->pl);
    s->pl = NULL;
  }
  produce(s);
  if (s->final_progress && opts->progress) opts->progress(opts->progress_ud, s->total, s->total, s->frames);
done:
  pipeline_free(s->pl);
  free(q);
  bpf_free(&s->bc);
  pf_decoder_free(s->dec);
  free(s->p);
  int rc = s->rc;
  free(s);
#ifdef __GLIBC__
  /* the conversation state of a long read is many small blocks, freed now
     amid the table's: give their pages back (a 2 GB read keeps ~60 MB otherwise) */
  malloc_trim(0);
#endif
  return rc;
}
