/* fieldsout.c: rows of field values as tshark -T fields prints them. */
#include "fieldsout.h"

#include <stdlib.h>
#include <string.h>

#include "format.h"

#define OUTBUF (1u << 20)

/* How a column's values are written: the common kinds without pf_val_format's dispatch. */
enum { K_ANY, K_DEC, K_TIME, K_BOOL, K_HEX };

struct pf_fields_out {
  FILE *out;
  int *fids;
  unsigned char *kind;   /* per column, K_ */
  int nfids;
  pf_fields_opts o;
  char *buf;
  size_t used;
  int failed;
  int header_done;
};

static void flush(pf_fields_out *w) {
  if (w->used && fwrite(w->buf, 1, w->used, w->out) != w->used) w->failed = 1;
  w->used = 0;
}

static void put(pf_fields_out *w, const char *s, size_t n) {
  if (w->used + n > OUTBUF) flush(w);
  if (n > OUTBUF) {
    if (fwrite(s, 1, n, w->out) != n) w->failed = 1;
    return;
  }
  memcpy(w->buf + w->used, s, n);
  w->used += n;
}

pf_fields_out *pf_fields_out_new(FILE *out, const int *fids, int nfids, const pf_fields_opts *o) {
  pf_fields_out *w = calloc(1, sizeof *w);
  if (w == NULL) return NULL;
  w->buf = malloc(OUTBUF);
  w->fids = malloc(sizeof(int) * (size_t)(nfids ? nfids : 1));
  w->kind = malloc((size_t)(nfids ? nfids : 1));
  if (w->buf == NULL || w->fids == NULL || w->kind == NULL) { pf_fields_out_free(w); return NULL; }
  memcpy(w->fids, fids, sizeof(int) * (size_t)nfids);
  for (int i = 0; i < nfids; i++) {
    const pf_field_info *f = &pf_fields[fids[i]];
    w->kind[i] = (f->type == PF_FT_UINT && f->base == 0) || f->type == PF_FT_FRAMENUM ? K_DEC
               : f->type == PF_FT_UINT ? K_HEX
               : f->type == PF_FT_BOOL ? K_BOOL
               : (f->type == PF_FT_ABSTIME && f->base == 0) || f->type == PF_FT_RELTIME ? K_TIME : K_ANY;
  }
  w->nfids = nfids;
  w->out = out;
  w->o = *o;
  return w;
}

/* Room the row writer keeps free before each value: any scalar's text and a
   separator fit, so they are written in place without more checks. */
#define ROOM 4096

/* Formats v at o, the end of the buffer (the caller left ROOM free); returns the new end. */
static char *put_value(pf_fields_out *w, char *o, int fid, const pf_val *v) {
  size_t room = (size_t)(w->buf + OUTBUF - o);
  int n = pf_val_format(fid, v, o, room);
  if ((size_t)n < room) return o + n;   /* formatted in place */
  w->used = (size_t)(o - w->buf);
  char *big = malloc((size_t)n + 1);    /* long payload hex: rare */
  if (big == NULL) {
    w->failed = 1;
  } else {
    pf_val_format(fid, v, big, (size_t)n + 1);
    put(w, big, (size_t)n);
    free(big);
  }
  if (OUTBUF - w->used < ROOM) flush(w);
  return w->buf + w->used;
}

static void header(pf_fields_out *w) {
  if (w->o.header && !w->header_done) {
    for (int i = 0; i < w->nfids; i++) {
      if (i) put(w, &w->o.separator, 1);
      const char *name = pf_fields[w->fids[i]].name;
      put(w, name, strlen(name));
    }
    put(w, "\n", 1);
  }
  w->header_done = 1;
}

/* The write position lives in a local: a store through char * may alias
   anything, so w->used and w->fids would be reloaded after every byte. */
int pf_fields_out_row(void *self, const pf_pkt *p) {
  pf_fields_out *w = self;
  if (!w->header_done) header(w);
  const char sep = w->o.separator, agg = w->o.aggregator, occ = w->o.occurrence;
  const int *fids = w->fids;
  const unsigned char *kind = w->kind;
  const int nf = w->nfids;
  char *o = w->buf + w->used;
  for (int i = 0; i < nf; i++) {
    if ((size_t)(w->buf + OUTBUF - o) < ROOM) {
      w->used = (size_t)(o - w->buf);
      flush(w);
      o = w->buf + w->used;
    }
    if (i) *o++ = sep;
    int fid = fids[i];
    int k = p->first[fid];
    if (k < 0) continue;
    if (kind[i] != K_ANY && p->vals[k].next < 0) {   /* one value of a common kind: ROOM holds it */
      const pf_val *v = &p->vals[k];
      switch (kind[i]) {
        case K_DEC: o += pf_fmt_u64(o, v->v.u); break;
        case K_TIME: o += pf_fmt_time(o, v->v.t); break;
        case K_BOOL: *o++ = v->v.u ? '1' : '0'; break;
        default: o += pf_fmt_hex(o, v->v.u, pf_fields[fid].base); break;
      }
      continue;
    }
    if (occ == 'f') {
      o = put_value(w, o, fid, &p->vals[k]);
    } else if (occ == 'l') {
      o = put_value(w, o, fid, &p->vals[p->last[fid]]);
    } else {
      o = put_value(w, o, fid, &p->vals[k]);
      for (k = p->vals[k].next; k >= 0; k = p->vals[k].next) {
        if ((size_t)(w->buf + OUTBUF - o) < ROOM) {
          w->used = (size_t)(o - w->buf);
          flush(w);
          o = w->buf + w->used;
        }
        *o++ = agg;
        o = put_value(w, o, fid, &p->vals[k]);
      }
    }
  }
  if (o == w->buf + OUTBUF) {
    w->used = OUTBUF;
    flush(w);
    o = w->buf;
  }
  *o++ = '\n';
  w->used = (size_t)(o - w->buf);
  return w->failed;
}

int pf_fields_out_finish(pf_fields_out *w) {
  header(w);   /* no packets: tshark still prints the header */
  flush(w);
  if (fflush(w->out) != 0) w->failed = 1;
  return w->failed;
}

void pf_fields_out_free(pf_fields_out *w) {
  if (w == NULL) return;
  free(w->buf);
  free(w->fids);
  free(w->kind);
  free(w);
}
