/* dissect.h: what the protocol dissectors share: the decoding context and value emitters. */
#ifndef PF_DISSECT_H
#define PF_DISSECT_H

#include <string.h>

#include "conv.h"
#include "pf.h"

typedef struct pf_dctx {
  pf_pkt *p;
  const uint8_t *want;    /* want[fid]: store values of this field */
  int depth;              /* deepest pf_layer the requested fields need */
  pf_conv *conv;          /* NULL unless depth >= PF_LY_STATE */
  struct pf_reasm *reasm; /* IP fragments waiting for the rest of their datagram */
  int in_error;           /* inside the quote of an ICMP error: 4 or 6 (which ICMP) */
  int no_fcs;             /* Ethernet known to carry no FCS (inside FabricPath) */
  int fragment;           /* decoding the first fragment of a datagram not reassembled */
  int oom;
  struct pf_app *app;     /* application-layer state (dissect_app.c); NULL below PF_LY_STATE */
  int *nmalformed;        /* the decoder's count of malformed packets reported */
  struct pf_textarena *text; /* text values past the packet's scratch area; NULL below PF_LY_STATE */
  const uint8_t *whole;   /* an IP datagram reassembled on this packet (lives until the next) */
  uint32_t wholelen;
  int spans;              /* record each layer's byte span (a filter reads protocol bytes) */
} pf_dctx;

/* ---- shared by every dissector and the dispatchers (dissect_common.c) ----
   The dispatchers (decode.c, dissect_app.c) call the dissectors; a dissector
   calls dissect_common.c and the state below it (conv.c, reasm.c, tcpreasm.c),
   never back into a dispatcher: tests/layers_test.sh finds any cycle. */

/* Notes what is malformed in this packet (the first thing only), at byte `at`
   of the data being dissected (NULL: no position): pf_scan lists it as a
   diagnostic. printf-style; the text says what, as tshark's expert info would. */
void pf_malformed(pf_dctx *c, const uint8_t *at, const char *fmt, ...)
#if defined(__GNUC__)
  __attribute__((format(printf, 3, 4)))
#endif
  ;

/* Bytes no dissector claims, as tshark's data dissector shows them: data.data
   (the captured bytes, pointing at d) and data.len; nothing when len is 0. */
void pf_dissect_data(pf_dctx *c, const uint8_t *d, uint32_t len);

/* The decoder's storage for text values that do not fit a packet's scratch
   area (pf_app_text_alloc in app.h): NULL when out of memory. */
struct pf_textarena *pf_textarena_new(void);
void pf_textarena_free(struct pf_textarena *ar);

/* IP reassembly (reasm.c). Adds one fragment; when it completes its datagram,
   returns 1 and points *out and *outlen at the whole payload (valid until the next
   call). 0: still incomplete; -1: out of memory. */
struct pf_reasm *pf_reasm_new(void);
void pf_reasm_free(struct pf_reasm *r);
int pf_reasm_add(struct pf_reasm *r, int af, const uint8_t *src, const uint8_t *dst, uint32_t id,
                 int proto, uint32_t offset, int more, const uint8_t *d, uint32_t len,
                 const uint8_t **out, uint32_t *outlen);

static inline uint16_t pf_get16(const uint8_t *b) { return (uint16_t)(b[0] << 8 | b[1]); }
static inline uint32_t pf_get32(const uint8_t *b) {
  return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* A slot for one more value of fid, chained after its earlier occurrences,
   or NULL when the field was not asked for (or the packet is full). */
static inline pf_val *pf_emit(pf_dctx *c, int fid) {
  pf_pkt *p = c->p;
  if (!c->want[fid] || p->nvals >= PF_MAX_VALS) return NULL;
  int i = p->nvals++;
  pf_val *v = &p->vals[i];
  v->fid = (uint16_t)fid;
  v->next = -1;
  if (p->first[fid] < 0) p->first[fid] = (int16_t)i;
  else p->vals[p->last[fid]].next = (int16_t)i;
  p->last[fid] = (int16_t)i;
  return v;
}

static inline void pf_emit_u(pf_dctx *c, int fid, uint64_t u) {
  pf_val *v = pf_emit(c, fid);
  if (v) v->v.u = u;
}
static inline void pf_emit_i(pf_dctx *c, int fid, int64_t i) {
  pf_val *v = pf_emit(c, fid);
  if (v) v->v.i = i;
}
static inline void pf_emit_t(pf_dctx *c, int fid, pf_time t) {
  pf_val *v = pf_emit(c, fid);
  if (v) v->v.t = t;
}
static inline void pf_emit_a(pf_dctx *c, int fid, const uint8_t *a, size_t n) {
  pf_val *v = pf_emit(c, fid);
  if (v) { memset(v->v.a, 0, sizeof v->v.a); memcpy(v->v.a, a, n); }
}
static inline void pf_emit_s(pf_dctx *c, int fid, const uint8_t *s, uint32_t n) {
  pf_val *v = pf_emit(c, fid);
  if (v) { v->v.s.p = s; v->v.s.len = n; }
}
/* Notes that protocol proto (PF_P_x) is present, its layer at d (len bytes). */
static inline void pf_proto(pf_dctx *c, int proto, const uint8_t *d, uint32_t len) {
  pf_pkt *p = c->p;
  p->protos |= (uint64_t)1 << proto;
  if (c->spans && p->nlayers < PF_MAX_LAYERS && d != NULL &&
      ((p->data != NULL && d >= p->data && d <= p->data + p->caplen && len <= p->caplen - (uint32_t)(d - p->data)) ||
       (c->whole != NULL && d >= c->whole && d <= c->whole + c->wholelen &&
        len <= c->wholelen - (uint32_t)(d - c->whole)))) {
    pf_layerspan *l = &p->layers[p->nlayers++];
    l->p = d;
    l->len = len;
    l->proto = (uint8_t)proto;
  }
}
static inline int pf_wants(const pf_dctx *c, int fid) { return c->want[fid]; }

/* Protocol entry points: data/len is what was captured from this layer on;
   rlen is the reported length (what the wire had), >= len. */
void pf_dissect_link(pf_dctx *c, int linktype, const uint8_t *d, uint32_t len, uint32_t rlen);
void pf_dissect_ethertype(pf_dctx *c, uint16_t type, const uint8_t *d, uint32_t len, uint32_t rlen,
                          uint32_t *consumed);
void pf_dissect_ipv4(pf_dctx *c, const uint8_t *d, uint32_t len, uint32_t rlen, uint32_t *consumed);
void pf_dissect_ipv6(pf_dctx *c, const uint8_t *d, uint32_t len, uint32_t rlen, uint32_t *consumed);
void pf_dissect_arp(pf_dctx *c, const uint8_t *d, uint32_t len, uint32_t rlen, uint32_t *consumed);
/* What an IP payload holds (dissect_ip.c): TCP, UDP, ICMP, ICMPv6, IP in IP by
   protocol number proto. af 4 or 6; src/dst addresses for conversations. */
void pf_dissect_ipproto(pf_dctx *c, int proto, int af, const uint8_t *src, const uint8_t *dst,
                        const uint8_t *d, uint32_t len, uint32_t rlen);

/* Transports (dissect_l4.c): one TCP segment or UDP datagram over IP. */
void pf_dissect_tcp(pf_dctx *c, int af, const uint8_t *src, const uint8_t *dst,
                    const uint8_t *d, uint32_t len, uint32_t rlen);
void pf_dissect_udp(pf_dctx *c, int af, const uint8_t *src, const uint8_t *dst,
                    const uint8_t *d, uint32_t len, uint32_t rlen);

/* ---- application layer (dissect_app.c) ---- */

/* The application payload of a UDP datagram (DNS, mDNS, LLMNR, DHCP, SSDP; QUIC
   and gQUIC are recognised, not decoded). af/src/dst: its IP addresses. */
void pf_app_udp(pf_dctx *c, int af, const uint8_t *src, const uint8_t *dst, uint16_t sport, uint16_t dport,
                const uint8_t *d, uint32_t len,
                uint32_t rlen);

/* One TCP segment after the conversation state has seen it (s: its pf_conv_tcp
   result; nsack/sack_delivered: its SACK option, see tcp.analysis.bytes_in_flight).
   payload/caplen: the captured payload, s->len its reported length. Updates the
   per-stream state and dissects the payload. Returns
   tcp.analysis.bytes_in_flight for the segment (0: none), from conv.c's value and
   the SACK blocks the other direction sent last. */
uint32_t pf_app_tcp(pf_dctx *c, const pf_tcpseg *s, int nsack, uint32_t sack_delivered,
                    const uint8_t *payload, uint32_t caplen);

#endif
