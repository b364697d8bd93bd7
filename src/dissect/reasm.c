/* reasm.c: IPv4 and IPv6 fragment reassembly, so that the transport fields appear on
   the frame that completes a datagram, as tshark (ip.defragment, ipv6.defragment on) shows them. */
#include <stdlib.h>
#include <string.h>

#include "dissect.h"

#define MAX_PENDING 256        /* datagrams waiting at once; the oldest is dropped past this */
#define MAX_PIECES 128
#define MAX_DGRAM 65535u

typedef struct piece { uint32_t off, len; } piece;

typedef struct pending {
  int used;
  int af, proto;
  uint8_t src[16], dst[16];
  uint32_t id;
  uint64_t age;
  uint32_t total;              /* known once the last fragment arrived; 0 before */
  int npieces;
  piece pieces[MAX_PIECES];
  uint8_t *buf;                /* MAX_DGRAM bytes */
} pending;

/* slots are allocated on first use: most captures have no fragments, and a
   decoder (one per read, one per fuzz input) must be cheap to make */
struct pf_reasm {
  pending *slots[MAX_PENDING];
  uint64_t clock;
  uint8_t *done;               /* the last completed datagram */
};

struct pf_reasm *pf_reasm_new(void) {
  struct pf_reasm *r = calloc(1, sizeof *r);
  return r;
}

void pf_reasm_free(struct pf_reasm *r) {
  if (r == NULL) return;
  for (int i = 0; i < MAX_PENDING; i++) {
    if (r->slots[i] == NULL) continue;
    free(r->slots[i]->buf);
    free(r->slots[i]);
  }
  free(r->done);
  free(r);
}

static int covered(const pending *p) {
  /* is [0, total) covered by the pieces? (few pieces: quadratic is fine) */
  uint32_t reach = 0;
  for (;;) {
    uint32_t best = reach;
    for (int i = 0; i < p->npieces; i++)
      if (p->pieces[i].off <= reach && p->pieces[i].off + p->pieces[i].len > best)
        best = p->pieces[i].off + p->pieces[i].len;
    if (best >= p->total) return 1;
    if (best == reach) return 0;
    reach = best;
  }
}

int pf_reasm_add(struct pf_reasm *r, int af, const uint8_t *src, const uint8_t *dst, uint32_t id,
                 int proto, uint32_t offset, int more, const uint8_t *d, uint32_t len,
                 const uint8_t **out, uint32_t *outlen) {
  size_t alen = af == 4 ? 4 : 16;
  pending *p = NULL, *victim = NULL, *freeslot = NULL;
  int empty = -1;
  for (int i = 0; i < MAX_PENDING; i++) {
    pending *s = r->slots[i];
    if (s == NULL) { if (empty < 0) empty = i; continue; }
    if (!s->used) { if (!freeslot) freeslot = s; continue; }
    if (s->af == af && s->id == id && s->proto == proto && memcmp(s->src, src, alen) == 0 &&
        memcmp(s->dst, dst, alen) == 0) { p = s; break; }
    if (!victim || s->age < victim->age) victim = s;
  }
  if (p == NULL && freeslot == NULL && empty >= 0) {
    freeslot = r->slots[empty] = calloc(1, sizeof(pending));
    if (freeslot == NULL) return -1;
  }
  if (p == NULL) {
    p = freeslot ? freeslot : victim;
    if (p->buf == NULL) {
      p->buf = malloc(MAX_DGRAM);
      if (p->buf == NULL) return -1;
    }
    p->used = 1;
    p->af = af;
    p->proto = proto;
    p->id = id;
    memcpy(p->src, src, alen);
    memcpy(p->dst, dst, alen);
    p->total = 0;
    p->npieces = 0;
  }
  p->age = ++r->clock;
  if (offset >= MAX_DGRAM) return 0;
  if (len > MAX_DGRAM - offset) len = MAX_DGRAM - offset;
  if (p->npieces < MAX_PIECES) {
    memcpy(p->buf + offset, d, len);
    p->pieces[p->npieces].off = offset;
    p->pieces[p->npieces].len = len;
    p->npieces++;
  }
  if (!more) p->total = offset + len;
  if (p->total == 0 || !covered(p)) return 0;
  /* hand the finished buffer over and keep the old one for the slot */
  uint8_t *t = r->done;
  r->done = p->buf;
  p->buf = t;
  p->used = 0;
  *out = r->done;
  *outlen = p->total;
  return 1;
}
