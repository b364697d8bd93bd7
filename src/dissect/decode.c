/* decode.c: the per-record driver: frame fields, time references, dispatch to the link layer. */
#include "decode.h"

#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "dissect.h"

struct pf_decoder {
  uint8_t want[PF_MAXFIELDS];
  int depth;
  pf_conv *conv;
  struct pf_reasm *reasm;
  struct pf_app *app;       /* application-layer state (TCP streams) */
  struct pf_textarena *text; /* text values that do not fit a packet's scratch area */
  int have_ref;
  pf_time ref, prev;
  /* the previous displayed frame, for frame.time_delta_displayed: every frame
     is displayed until pf_decoder_not_displayed takes the last one back */
  int have_dis, undo_have_dis;
  pf_time prev_dis, undo_prev_dis;
  const pf_user_hook *user; /* user-defined fields, or NULL: one branch per record */
  int spans;                /* keep each layer's bytes (pf_decoder_set_spans) */
  int nmalformed;           /* malformed packets reported (pf_malformed) */
};

pf_decoder *pf_decoder_new(const int *fids, int nfids) {
  /* whole cache lines of its own: with pf_scan's threads, the sink's thread
     writes small blocks (table columns) that would otherwise share a line
     with the state written here every record */
  size_t size = (sizeof(pf_decoder) + 63) & ~(size_t)63;
  void *mem;
  if (posix_memalign(&mem, 64, size) != 0) return NULL;
  pf_decoder *d = mem;
  memset(d, 0, size);
  d->depth = PF_LY_FRAME;
  for (int i = 0; i < nfids; i++) {
    if (fids[i] < 0 || fids[i] >= pf_field_count()) continue;
    d->want[fids[i]] = 1;
    if ((int)pf_fields[fids[i]].layer > d->depth) d->depth = (int)pf_fields[fids[i]].layer;
  }
  if (d->depth >= PF_LY_STATE) {
    d->conv = pf_conv_new();
    if (d->conv == NULL) { free(d); return NULL; }
  }
  if (d->depth >= PF_LY_TRANS) {
    d->reasm = pf_reasm_new();
    if (d->reasm == NULL) { pf_decoder_free(d); return NULL; }
  }
  if (d->depth >= PF_LY_STATE) {
    d->app = pf_app_new();
    d->text = pf_textarena_new();
    if (d->app == NULL || d->text == NULL) { pf_decoder_free(d); return NULL; }
  }
  return d;
}

void pf_decoder_free(pf_decoder *d) {
  if (d == NULL) return;
  pf_conv_free(d->conv);
  pf_reasm_free(d->reasm);
  pf_app_free(d->app);
  pf_textarena_free(d->text);
  free(d);
}

void pf_decoder_set_user(pf_decoder *d, const pf_user_hook *h) { d->user = h; }
void pf_decoder_set_spans(pf_decoder *d, int on) { d->spans = on; }

void pf_decoder_not_displayed(pf_decoder *d) {
  d->have_dis = d->undo_have_dis;
  d->prev_dis = d->undo_prev_dis;
}

static void reset_vals(pf_pkt *p) {
  for (int i = 0; i < p->nvals; i++) p->first[p->vals[i].fid] = -1;
  p->nvals = 0;
  p->protos = 0, p->nlayers = 0;
  p->scratch_used = 0;
  p->malformed[0] = 0;
}

int pf_decode(pf_decoder *d, pf_pkt *p) {
  reset_vals(p);
  pf_dctx c = { p, d->want, d->depth, d->conv, d->reasm, 0, 0, 0, 0, d->app, &d->nmalformed, d->text, NULL, 0,
                d->spans };
  /* tshark's first-frame reference and previous-frame time come from every
     record, even one without a time stamp of its own (it then carries 0 or
     the previous record's time: see capture.c) */
  if (!d->have_ref) { d->ref = p->ts; d->prev = p->ts; d->have_ref = 1; }
  pf_emit_u(&c, PF_F_FRAME_NUMBER, p->num);
  if (p->has_ts) {
    pf_emit_t(&c, PF_F_FRAME_TIME, p->ts);
    pf_emit_t(&c, PF_F_FRAME_TIME_EPOCH, p->ts);
    pf_emit_t(&c, PF_F_FRAME_TIME_RELATIVE, pf_time_delta(p->ts, d->ref));
    pf_emit_t(&c, PF_F_FRAME_TIME_DELTA, pf_time_delta(p->ts, d->prev));
  }
  d->prev = p->ts;
  /* relative to the previous frame shown (tshark -Y), 0 for the first */
  if (p->has_ts) {
    pf_time z = { 0, 0 };
    pf_emit_t(&c, PF_F_FRAME_TIME_DELTA_DISPLAYED, d->have_dis ? pf_time_delta(p->ts, d->prev_dis) : z);
  }
  d->undo_have_dis = d->have_dis;
  d->undo_prev_dis = d->prev_dis;
  d->have_dis = 1;
  d->prev_dis = p->ts;
  pf_emit_u(&c, PF_F_FRAME_LEN, p->len);
  pf_emit_u(&c, PF_F_FRAME_CAP_LEN, p->caplen);
  if (d->depth >= PF_LY_LINK && p->is_packet) {
    uint32_t rlen = p->len > p->caplen ? p->len : p->caplen;
    pf_dissect_link(&c, p->linktype, p->data, p->caplen, rlen);
  } else if (d->depth >= PF_LY_APP && !p->is_packet && p->data) {
    pf_dissect_data(&c, p->data, p->caplen);   /* tshark shows a custom block's bytes as data */
  }
  if (c.oom) return -1;
  return d->user ? d->user->fn(d->user->ud, p) : 0;
}
