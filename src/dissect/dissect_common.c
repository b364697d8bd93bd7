/* dissect_common.c: what every dissector and both dispatchers (decode.c, dissect_app.c)
   share: the malformed-packet note, the data dissector, storage for text values.
   It calls no dissector, so the dissectors below it never call back into a
   dispatcher (tests/layers_test.sh checks the link graph has no cycle). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"

/* ---- malformed packets ---- */

/* Malformed packets listed per decoder (per read): past this they still decode
   as well as they can, but only the count would grow, not the information. */
#define MALFORMED_LIMIT 20

void pf_malformed(pf_dctx *c, const uint8_t *at, const char *fmt, ...) {
  pf_pkt *p = c->p;
  if (p->malformed[0] || c->nmalformed == NULL || *c->nmalformed >= MALFORMED_LIMIT) return;
  ++*c->nmalformed;
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(p->malformed, sizeof p->malformed, fmt, ap);
  va_end(ap);
  if (n < 0) n = 0;
  if ((size_t)n >= sizeof p->malformed) n = (int)sizeof p->malformed - 1;
  size_t left = sizeof p->malformed - (size_t)n;
  /* where in the frame, as Wireshark's bytes pane counts; a reassembled
     datagram or stream is not in any one frame */
  if (at != NULL && p->data != NULL && at >= p->data && at <= p->data + p->caplen)
    n += snprintf(p->malformed + n, left, " at frame byte %lu", (unsigned long)(at - p->data));
  else if (at != NULL)
    n += snprintf(p->malformed + n, left, " in reassembled data");
  if (*c->nmalformed == MALFORMED_LIMIT && n >= 0 && (size_t)n < sizeof p->malformed)
    snprintf(p->malformed + n, sizeof p->malformed - (size_t)n, "; later malformed packets are not listed");
}

/* ---- the data dissector ---- */

void pf_dissect_data(pf_dctx *c, const uint8_t *d, uint32_t len) {
  /* packet-data.c adds nothing for an empty buffer, and counts captured bytes */
  if (len == 0) return;
  pf_emit_s(c, PF_F_DATA_DATA, d, len);
  pf_emit_u(c, PF_F_DATA_LEN, len);
}

void pf_app_data(pf_dctx *c, const pf_vbuf *b, uint32_t off, uint32_t len) {
  if (off >= b->len || (!pf_wants(c, PF_F_DATA_DATA) && !pf_wants(c, PF_F_DATA_LEN))) return;
  if (len > b->len - off) len = b->len - off;
  if (len == 0) return;
  const uint8_t *d = pf_vbuf_span(b, off, len);
  /* a value must live until the packet is consumed: the packet's own bytes do,
     a reassembled PDU's store is freed as soon as it has been dissected */
  const uint8_t *pd = c->p->data;
  if (d != NULL && !(pd != NULL && d >= pd && len <= c->p->caplen && d - pd <= (ptrdiff_t)(c->p->caplen - len)))
    d = NULL;
  if (d == NULL) {
    uint8_t *o = pf_app_text_alloc(c, len);
    if (o == NULL) return;
    for (uint32_t i = 0; i < len; i++) {
      int v = pf_vbuf_byte(b, off + i);
      o[i] = (uint8_t)(v < 0 ? 0 : v);
    }
    d = o;
  }
  pf_dissect_data(c, d, len);
}

/* ---- text storage ---- */

/* Text that does not fit the packet's scratch area lives in arena blocks until
   the next packet (blocks are never moved, so earlier values stay valid). */
#define ARENA_BLOCK 65536u
#define ARENA_MAX_BLOCKS 16
struct pf_textarena {
  uint8_t *blocks[ARENA_MAX_BLOCKS];
  size_t used[ARENA_MAX_BLOCKS];
  int n;
  const pf_pkt *pkt;
  uint64_t num;
};

struct pf_textarena *pf_textarena_new(void) { return calloc(1, sizeof(struct pf_textarena)); }

void pf_textarena_free(struct pf_textarena *ar) {
  if (ar == NULL) return;
  for (int i = 0; i < ARENA_MAX_BLOCKS; i++) free(ar->blocks[i]);
  free(ar);
}

uint8_t *pf_app_text_alloc(pf_dctx *c, size_t n) {
  pf_pkt *p = c->p;
  if (n <= PF_SCRATCH - p->scratch_used) {
    uint8_t *o = p->scratch + p->scratch_used;
    p->scratch_used += n;
    return o;
  }
  if (c->text == NULL || n > ARENA_BLOCK) return NULL;
  struct pf_textarena *ar = c->text;
  if (ar->pkt != p || ar->num != p->num) {   /* a new packet: earlier text is dead */
    ar->pkt = p;
    ar->num = p->num;
    ar->n = 0;
    for (int i = 0; i < ARENA_MAX_BLOCKS; i++) ar->used[i] = 0;
  }
  for (int i = 0; i < ARENA_MAX_BLOCKS; i++) {
    if (i >= ar->n) {
      if (ar->blocks[i] == NULL) {
        ar->blocks[i] = malloc(ARENA_BLOCK);
        if (ar->blocks[i] == NULL) { c->oom = 1; return NULL; }
      }
      ar->n = i + 1;
    }
    if (n <= ARENA_BLOCK - ar->used[i]) {
      uint8_t *o = ar->blocks[i] + ar->used[i];
      ar->used[i] += n;
      return o;
    }
  }
  return NULL;
}
