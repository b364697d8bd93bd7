/* conv.c: TCP and UDP conversation state (stream numbers, relative sequence numbers,
   window scaling, ACK round-trip times), computed in one pass as tshark 4.0 does. */
#include "conv.h"

#include <stdlib.h>
#include <string.h>

/* TCP flag bits of the 12-bit flag field. */
#define TH_FIN 0x001
#define TH_SYN 0x002
#define TH_RST 0x004
#define TH_PUSH 0x008
#define TH_ACK 0x010

/* Per-segment analysis flags (tshark's TCP_A_*); kept internally so that the
   analysis flags can be exposed later without restructuring. */
#define TA_RETRANSMISSION 0x0001
#define TA_LOST_PACKET 0x0002
#define TA_ACK_LOST_PACKET 0x0004
#define TA_KEEP_ALIVE 0x0008
#define TA_DUPLICATE_ACK 0x0010
#define TA_ZERO_WINDOW 0x0020
#define TA_ZERO_WINDOW_PROBE 0x0040
#define TA_ZERO_WINDOW_PROBE_ACK 0x0080
#define TA_KEEP_ALIVE_ACK 0x0100
#define TA_OUT_OF_ORDER 0x0200
#define TA_FAST_RETRANSMISSION 0x0400
#define TA_WINDOW_UPDATE 0x0800
#define TA_WINDOW_FULL 0x1000
#define TA_REUSED_PORTS 0x2000
#define TA_SPURIOUS_RETRANSMISSION 0x4000

/* tshark stores at most this many unacknowledged segments per direction
   (TCP_MAX_UNACKED_SEGMENTS); beyond it segments are not remembered, which
   changes which ACKs get an RTT, so the cap is part of the behaviour. */
#define MAX_UNACKED 10000

/* How far tshark gets through a TCP header, passed in pf_tcpseg.full_header
   (conv.h documents only 0 and 1 so far):
   HDR_NONE  fewer than 16 bytes: it stops before finding the conversation;
   HDR_FULL  the header and its options were all there;
   HDR_CUT   the captured bytes end after the window field but before the end of
             the options: it stops there (an exception), after the window and the
             handshake bookkeeping but before the ACK analysis output and the
             SYN window-scale check; wscale is the option if read before the cut;
   HDR_SHORT the data offset field says fewer than 20 bytes: it stops right
             after tcp.seq (the sequence analysis has already run). */
#define HDR_NONE 0
#define HDR_FULL 1
#define HDR_CUT 2
#define HDR_SHORT 3

/* Window scale: -1 unknown, -2 known not to be used. */
#define WS_UNKNOWN (-1)
#define WS_NONE (-2)

/* Sequence-space comparisons (modulo 2^32), as tshark's LT_SEQ and friends. */
#define SEQ_DIFF(x, y) ((int32_t)(uint32_t)((uint32_t)(x) - (uint32_t)(y)))
#define LT_SEQ(x, y) (SEQ_DIFF(x, y) < 0)
#define LE_SEQ(x, y) (SEQ_DIFF(x, y) <= 0)
#define GT_SEQ(x, y) (SEQ_DIFF(x, y) > 0)

/* One segment sent but not yet acknowledged. */
typedef struct unacked {
  struct unacked *next;
  uint64_t frame;
  pf_time ts;
  uint32_t seq, nextseq;
} unacked;

/* Segment nodes come from chunks and return to a free list when acknowledged,
   so the per-packet path never calls malloc once the pool has warmed up. */
#define SEG_CHUNK 1024
typedef struct seg_chunk {
  struct seg_chunk *next;
  unacked nodes[SEG_CHUNK];
} seg_chunk;

/* One direction of a TCP conversation (tshark's tcp_flow_t plus its
   tcp_analyze_seq_flow_info_t). */
typedef struct flow {
  int base_set;               /* base_seq known */
  uint32_t base_seq;          /* relative numbers count from here */
  int win_scale;              /* shift, WS_UNKNOWN or WS_NONE */
  uint32_t window;            /* last raw window seen (starts at 0xffffffff) */
  int is_first_ack;           /* no pure ACK seen since the SYN */
  int valid_bif;              /* bytes in flight trustworthy */
  uint32_t push_bytes_sent;
  int push_set_last;
  /* sequence analysis */
  unacked *segments;          /* newest first */
  uint32_t segment_count;
  uint32_t nextseq;           /* highest next sequence number seen */
  uint64_t nextseqframe;
  pf_time nextseqtime;
  uint32_t maxseqtobeacked;
  uint32_t lastack;
  pf_time lastacktime;
  uint64_t lastnondupack;
  int32_t dupacknum;
  uint32_t lastsegmentflags;
} flow;

/* One TCP conversation: both directions of an address/port pair until a
   port reuse starts the next one. */
typedef struct tcp_conv {
  uint32_t stream;
  pf_time ts_first, ts_prev;  /* tcp.time_relative / tcp.time_delta bases */
  pf_time ts_mru_syn;         /* most recent pure SYN */
  pf_time ts_first_rtt;       /* handshake RTT (tcp.analysis.initial_rtt) */
  flow fl[2];                 /* [0]: sent by the lower endpoint of the key */
} tcp_conv;

/* What one segment's analysis found (tshark's tcp_acked). */
typedef struct seg_result {
  uint32_t flags;
  uint64_t frame_acked;
  pf_time rtt;
  int32_t dupack_num;
  uint64_t dupack_frame;
  uint32_t bytes_in_flight;
  uint32_t push_bytes_sent;
  pf_time rto;
  uint64_t rto_frame;
} seg_result;

/* Canonical key: the two endpoints in ascending (address, port) order. */
typedef struct conv_key {
  uint8_t af;
  uint8_t pad_[3];
  uint16_t port[2];
  uint8_t addr[2][16];
} conv_key;

/* Open-addressing slot. tshark 4.0 keys conversations by ordered (src, dst)
   but its exact lookup tries both orders and keeps the newer conversation, so
   one slot per unordered pair holding the latest conversation is equivalent. */
typedef struct slot {
  uint32_t hash;
  uint32_t used;
  conv_key key;
  union {
    tcp_conv *c;
    uint32_t udp_stream;
  } v;
} slot;

typedef struct table {
  slot *slots;
  size_t cap;   /* power of two, or 0 */
  size_t count;
} table;

#define CONV_CHUNK 256
typedef struct conv_chunk {
  struct conv_chunk *next;
  size_t used;
  tcp_conv convs[CONV_CHUNK];
} conv_chunk;

struct pf_conv {
  table tcp, udp;
  uint32_t tcp_streams, udp_streams;
  conv_chunk *convs;
  seg_chunk *segs;
  unacked *free_segs;
};

/* ---------- allocation ---------- */

pf_conv *pf_conv_new(void) {
  pf_conv *c = (pf_conv *)calloc(1, sizeof *c);
  return c;
}

void pf_conv_free(pf_conv *c) {
  if (c == NULL) return;
  free(c->tcp.slots);
  free(c->udp.slots);
  while (c->convs != NULL) {
    conv_chunk *n = c->convs->next;
    free(c->convs);
    c->convs = n;
  }
  while (c->segs != NULL) {
    seg_chunk *n = c->segs->next;
    free(c->segs);
    c->segs = n;
  }
  free(c);
}

static unacked *seg_alloc(pf_conv *c) {
  unacked *u;
  if (c->free_segs == NULL) {
    seg_chunk *ch = (seg_chunk *)malloc(sizeof *ch);
    size_t i;
    if (ch == NULL) return NULL;
    ch->next = c->segs;
    c->segs = ch;
    for (i = 0; i < SEG_CHUNK; i++) {
      ch->nodes[i].next = c->free_segs;
      c->free_segs = &ch->nodes[i];
    }
  }
  u = c->free_segs;
  c->free_segs = u->next;
  return u;
}

static void seg_release(pf_conv *c, unacked *u) {
  u->next = c->free_segs;
  c->free_segs = u;
}

static void flow_init(flow *f) {
  memset(f, 0, sizeof *f);
  f->win_scale = WS_UNKNOWN;
  f->window = 0xffffffffu;
  f->valid_bif = 1;
}

/* A new conversation takes the next stream number (tshark's
   init_tcp_conversation_data). NULL when out of memory. */
static tcp_conv *tcp_conv_new(pf_conv *c, pf_time ts) {
  tcp_conv *t;
  if (c->convs == NULL || c->convs->used == CONV_CHUNK) {
    conv_chunk *ch = (conv_chunk *)malloc(sizeof *ch);
    if (ch == NULL) return NULL;
    ch->next = c->convs;
    ch->used = 0;
    c->convs = ch;
  }
  t = &c->convs->convs[c->convs->used++];
  memset(t, 0, sizeof *t);
  t->stream = c->tcp_streams++;
  t->ts_first = ts;
  t->ts_prev = ts;
  flow_init(&t->fl[0]);
  flow_init(&t->fl[1]);
  return t;
}

/* ---------- hash table ---------- */

static int time_is_zero(pf_time t) { return t.secs == 0 && t.nsecs == 0; }

/* Builds the canonical key; returns which endpoint sent the packet
   (0: src is the lower endpoint, 1: src is the higher one). */
static int make_key(conv_key *k, int af, const uint8_t *src, const uint8_t *dst,
                    uint16_t sport, uint16_t dport) {
  uint8_t a[16], b[16];
  size_t n = af == 6 ? 16 : 4;
  int cmp;
  memset(a, 0, sizeof a);
  memset(b, 0, sizeof b);
  memcpy(a, src, n);
  memcpy(b, dst, n);
  cmp = memcmp(a, b, 16);
  if (cmp == 0) cmp = (int)sport - (int)dport;
  memset(k, 0, sizeof *k);
  k->af = (uint8_t)(af == 6 ? 6 : 4);
  if (cmp <= 0) {
    memcpy(k->addr[0], a, 16);
    memcpy(k->addr[1], b, 16);
    k->port[0] = sport;
    k->port[1] = dport;
    return 0;
  }
  memcpy(k->addr[0], b, 16);
  memcpy(k->addr[1], a, 16);
  k->port[0] = dport;
  k->port[1] = sport;
  return 1;
}

static uint32_t key_hash(const conv_key *k) {
  /* FNV-1a over the key bytes, then a final mix so the low bits used for
     indexing depend on every byte. */
  const uint8_t *p = (const uint8_t *)k;
  uint32_t h = 2166136261u;
  size_t i;
  for (i = 0; i < sizeof *k; i++) {
    h ^= p[i];
    h *= 16777619u;
  }
  h ^= h >> 16;
  h *= 0x7feb352du;
  h ^= h >> 15;
  return h;
}

/* Finds the slot of k, or the empty slot where it would go. */
static slot *table_find(const table *t, const conv_key *k, uint32_t h) {
  size_t mask = t->cap - 1, i = h & mask;
  for (;;) {
    slot *s = &t->slots[i];
    if (!s->used) return s;
    if (s->hash == h && memcmp(&s->key, k, sizeof *k) == 0) return s;
    i = (i + 1) & mask;
  }
}

/* Makes room for one more entry; -1 out of memory. */
static int table_reserve(table *t) {
  slot *old = t->slots;
  size_t oldcap = t->cap, i, ncap;
  if (t->cap != 0 && (t->count + 1) * 4 <= t->cap * 3) return 0;
  ncap = t->cap ? t->cap * 2 : 256;
  if (ncap < t->cap || ncap > ((size_t)-1) / sizeof(slot)) return -1;
  t->slots = (slot *)calloc(ncap, sizeof(slot));
  if (t->slots == NULL) {
    t->slots = old;
    return -1;
  }
  t->cap = ncap;
  for (i = 0; i < oldcap; i++) {
    if (old[i].used) *table_find(t, &old[i].key, old[i].hash) = old[i];
  }
  free(old);
  return 0;
}

/* The slot of k, inserted empty if absent; NULL out of memory. */
static slot *table_get(table *t, const conv_key *k, int *created) {
  uint32_t h = key_hash(k);
  slot *s;
  *created = 0;
  if (t->cap != 0) {
    s = table_find(t, k, h);
    if (s->used) return s;
  }
  if (table_reserve(t) != 0) return NULL;
  s = table_find(t, k, h);
  s->used = 1;
  s->hash = h;
  s->key = *k;
  memset(&s->v, 0, sizeof s->v);
  t->count++;
  *created = 1;
  return s;
}

/* ---------- sequence analysis ---------- */

/* ns between two times as tshark computes them for its thresholds: an
   unsigned 64-bit value, so a negative difference is huge. */
static uint64_t ns_since(pf_time now, pf_time then) {
  uint64_t t = (uint64_t)(now.secs - then.secs) * 1000000000u;
  return t + (uint64_t)(int64_t)now.nsecs - (uint64_t)(int64_t)then.nsecs;
}

/* Updates both directions for one segment and records in r what tshark's
   tcp_analyze_sequence_number finds (flags, the frame this ACK acknowledges
   and its RTT). win is the raw window. -1 out of memory. */
static int analyze(pf_conv *pc, tcp_conv *tc, flow *fwd, flow *rev, const pf_tcpseg *s,
                   seg_result *r) {
  uint32_t seq = s->seq, ack = s->ack, seglen = s->len, win = s->win;
  uint16_t flags = s->flags;
  uint32_t nextseq;
  unacked *u, *prev;

  if (!fwd->base_set) {
    fwd->base_seq = (flags & TH_SYN) ? seq : seq - 1;
    fwd->base_set = 1;
  }
  /* The reverse ISN comes from the first ACK, not the SYN: a SYN's ACK
     field need not be zero. */
  if (!rev->base_set && (flags & TH_ACK)) {
    rev->base_seq = ack - 1;
    rev->base_set = 1;
  }
  if (flags & TH_ACK) rev->valid_bif = 1;

  if (seglen == 1 && seq == fwd->nextseq && rev->window == 0) {
    r->flags |= TA_ZERO_WINDOW_PROBE;
    goto finished_fwd;
  }
  if (win == 0 && (flags & (TH_RST | TH_FIN | TH_SYN)) == 0) r->flags |= TA_ZERO_WINDOW;
  if (fwd->nextseq != 0 && GT_SEQ(seq, fwd->nextseq) && (flags & TH_RST) == 0) {
    r->flags |= TA_LOST_PACKET;
    fwd->valid_bif = 0;
  }
  if ((seglen == 0 || seglen == 1) && seq == fwd->nextseq - 1 &&
      (flags & (TH_SYN | TH_FIN | TH_RST)) == 0)
    r->flags |= TA_KEEP_ALIVE;
  if (seglen == 0 && win != 0 && win != fwd->window && seq == fwd->nextseq &&
      ack == fwd->lastack && (flags & (TH_SYN | TH_FIN | TH_RST)) == 0)
    r->flags |= TA_WINDOW_UPDATE;
  if (seglen > 0 && rev->win_scale != WS_UNKNOWN && (flags & (TH_SYN | TH_FIN | TH_RST)) == 0) {
    int sh = (rev->is_first_ack || rev->win_scale == WS_NONE) ? 0 : rev->win_scale;
    if (seq + seglen == rev->lastack + (uint32_t)(rev->window << sh)) r->flags |= TA_WINDOW_FULL;
  }
  if (seglen == 0 && win != 0 && win == fwd->window && seq == fwd->nextseq &&
      ack == fwd->lastack && (rev->lastsegmentflags & TA_KEEP_ALIVE) &&
      (flags & (TH_SYN | TH_FIN | TH_RST)) == 0) {
    r->flags |= TA_KEEP_ALIVE_ACK;
    goto finished_fwd;
  }
  if (seglen == 0 && win == 0 && win == fwd->window && seq == fwd->nextseq &&
      ack == fwd->lastack && (rev->lastsegmentflags & TA_ZERO_WINDOW_PROBE) &&
      (flags & (TH_SYN | TH_FIN | TH_RST)) == 0) {
    r->flags |= TA_ZERO_WINDOW_PROBE_ACK;
    goto finished_fwd;
  }
  if (seglen == 0 && win != 0 && win == fwd->window && seq == fwd->nextseq &&
      ack == fwd->lastack && (flags & (TH_SYN | TH_FIN | TH_RST)) == 0) {
    fwd->dupacknum = fwd->dupacknum == -1 ? 1 : fwd->dupacknum + 1;
    r->flags |= TA_DUPLICATE_ACK;
    r->dupack_num = fwd->dupacknum;
    r->dupack_frame = fwd->lastnondupack;
  }

finished_fwd:
  if (ack != fwd->lastack) {
    fwd->lastnondupack = s->frame;
    fwd->dupacknum = 0;
  }
  if (rev->maxseqtobeacked != 0 && GT_SEQ(ack, rev->maxseqtobeacked) && (flags & TH_ACK)) {
    /* plain (not sequence-space) comparison, as tshark does */
    if (rev->maxseqtobeacked > rev->nextseq) {
      rev->maxseqtobeacked = rev->nextseq;
      r->flags |= TA_ACK_LOST_PACKET;
    } else {
      if (rev->dupacknum == 0) r->flags |= TA_ACK_LOST_PACKET;
      rev->dupacknum = -1;
    }
  }

  if (seglen > 0 || (flags & (TH_SYN | TH_FIN))) {
    int not_advanced = fwd->nextseq != 0 && LT_SEQ(seq, fwd->nextseq);
    uint64_t t, thres;
    if (r->flags & TA_KEEP_ALIVE) goto finished_retrans;
    if (seglen > 1 && fwd->nextseq - 1 == seq) not_advanced = 0;
    if (seglen > 0 && rev->lastack != 0 && LE_SEQ(seq + seglen, rev->lastack)) {
      r->flags |= TA_SPURIOUS_RETRANSMISSION;
      goto finished_retrans;
    }
    t = ns_since(s->ts, rev->lastacktime);
    if (not_advanced && rev->dupacknum >= 2 && rev->lastack == seq && t < 20000000u) {
      r->flags |= TA_FAST_RETRANSMISSION;
      goto finished_retrans;
    }
    t = ns_since(s->ts, fwd->nextseqtime);
    if (time_is_zero(tc->ts_first_rtt))
      thres = 3000000u;
    else
      thres = (uint64_t)(int64_t)tc->ts_first_rtt.nsecs +
              (uint64_t)tc->ts_first_rtt.secs * 1000000000u;
    if (not_advanced && t < thres &&
        fwd->nextseq != seq + seglen + ((flags & (TH_SYN | TH_FIN)) ? 1u : 0u)) {
      r->flags |= TA_OUT_OF_ORDER;
      goto finished_retrans;
    }
    if (not_advanced) {
      r->flags |= TA_RETRANSMISSION;
      r->rto = pf_time_delta(s->ts, fwd->nextseqtime);
      r->rto_frame = fwd->nextseqframe;
      for (u = fwd->segments; u != NULL; u = u->next) {
        r->rto = pf_time_delta(s->ts, u->ts);
        r->rto_frame = u->frame;
      }
    }
  }

finished_retrans:
  nextseq = seq + seglen;
  if ((seglen != 0 || (flags & (TH_SYN | TH_FIN))) && fwd->segment_count < MAX_UNACKED) {
    u = seg_alloc(pc);
    if (u == NULL) return -1;
    u->next = fwd->segments;
    fwd->segments = u;
    fwd->segment_count++;
    u->frame = s->frame;
    u->seq = seq;
    u->ts = s->ts;
    /* SYN and FIN occupy one sequence number; only counted here, as in tshark */
    if (flags & (TH_SYN | TH_FIN)) nextseq += 1;
    u->nextseq = nextseq;
  }
  if ((GT_SEQ(nextseq, fwd->nextseq) || fwd->nextseq == 0) &&
      !(r->flags & TA_ZERO_WINDOW_PROBE)) {
    fwd->nextseq = nextseq;
    fwd->nextseqframe = s->frame;
    fwd->nextseqtime = s->ts;
  }
  if ((seq == fwd->maxseqtobeacked || fwd->maxseqtobeacked == 0) &&
      !(r->flags & TA_ZERO_WINDOW_PROBE))
    fwd->maxseqtobeacked = fwd->nextseq;

  fwd->window = win;
  fwd->lastack = ack;
  fwd->lastacktime = s->ts;
  fwd->lastsegmentflags = r->flags;

  /* Drop what this ACK covers from the other direction's list; an ACK that
     lands exactly on a segment's end gives that segment's RTT (the oldest
     such segment wins, as the list runs newest first). The ACK field is
     used whether or not the ACK flag is set. */
  prev = NULL;
  u = rev->segments;
  while (u != NULL) {
    unacked *next;
    if (ack == u->nextseq) {
      r->frame_acked = u->frame;
      r->rtt = pf_time_delta(s->ts, u->ts);
    } else if (GT_SEQ(ack, u->seq) && LE_SEQ(ack, u->nextseq)) {
      u->seq = ack; /* partly acknowledged */
      continue;
    } else if (GT_SEQ(u->nextseq, ack)) {
      prev = u;
      u = u->next;
      continue;
    }
    next = u->next;
    if (prev == NULL)
      rev->segments = next;
    else
      prev->next = next;
    seg_release(pc, u);
    rev->segment_count--;
    u = next;
  }

  /* bytes in flight, from the payloads of this direction's unacked list */
  u = fwd->segments;
  if (seglen != 0 && u != NULL && fwd->valid_bif) {
    uint32_t first = u->seq - fwd->base_seq, last = u->nextseq - fwd->base_seq, in_flight;
    for (; u != NULL; u = u->next) {
      if (u->nextseq - fwd->base_seq > last) last = u->nextseq - fwd->base_seq;
      if (u->seq - fwd->base_seq < first) first = u->seq - fwd->base_seq;
    }
    in_flight = last - first;
    if (in_flight > 0 && in_flight < 2000000000u) {
      r->bytes_in_flight = in_flight;
      if (flags & (TH_SYN | TH_FIN)) r->bytes_in_flight -= 1;
    }
    if (flags & TH_PUSH) {
      fwd->push_bytes_sent = fwd->push_set_last ? seglen : fwd->push_bytes_sent + seglen;
      fwd->push_set_last = 1;
    } else if (fwd->push_set_last) {
      fwd->push_bytes_sent = seglen;
      fwd->push_set_last = 0;
    } else {
      fwd->push_bytes_sent += seglen;
    }
    r->push_bytes_sent = fwd->push_bytes_sent;
  }
  return 0;
}

/* tshark's verify_tcp_window_scaling, run after a SYN's options: scaling is
   used only if both SYNs carried the option. */
static void verify_window_scaling(int is_synack, flow *fwd, flow *rev) {
  if (fwd->win_scale == WS_UNKNOWN) {
    fwd->win_scale = WS_NONE;
    rev->win_scale = WS_NONE;
  } else if (is_synack && rev->win_scale == WS_NONE) {
    fwd->win_scale = WS_NONE;
  }
}

/* ---------- public entry points ---------- */

int pf_conv_tcp(pf_conv *c, pf_tcpseg *seg) {
  conv_key key;
  slot *s;
  tcp_conv *tc;
  flow *fwd, *rev;
  seg_result r;
  int side, created;
  uint16_t flags = seg->flags;

  seg->has_stream = 0;
  seg->stream = 0;
  seg->rel_seq = seg->seq;
  seg->rel_ack = seg->ack;
  seg->nxtseq = 0;
  seg->has_ack = 0;
  seg->win_size = seg->win;
  seg->scalefactor = 0;
  seg->has_scalefactor = 0;
  seg->has_rtt = 0;
  seg->rtt.secs = 0;
  seg->rtt.nsecs = 0;
  seg->acks_frame = 0;

  /* tshark finds the conversation only after reading the window field; a
     shorter header (an 8-byte ICMP quote) ends the dissection before that. */
  if (seg->full_header == HDR_NONE) return 0;

  side = make_key(&key, seg->af, seg->src, seg->dst, seg->sport, seg->dport);
  s = table_get(&c->tcp, &key, &created);
  if (s == NULL) return -1;
  if (s->v.c == NULL) {
    s->v.c = tcp_conv_new(c, seg->ts);
    if (s->v.c == NULL) return -1;
  }
  tc = s->v.c;
  fwd = &tc->fl[side];
  rev = &tc->fl[side ^ 1];
  memset(&r, 0, sizeof r);

  /* Port reuse (tshark 4.0): only a pure SYN with a different ISN starts a
     new conversation; the same ISN is a retransmission in the old one. */
  if ((flags & (TH_SYN | TH_ACK)) == TH_SYN && fwd->base_set) {
    if (seg->seq != fwd->base_seq) {
      tc = tcp_conv_new(c, seg->ts);
      if (tc == NULL) return -1;
      s->v.c = tc;
      fwd = &tc->fl[side];
      rev = &tc->fl[side ^ 1];
    } else {
      fwd->nextseq = fwd->maxseqtobeacked;
    }
    r.flags |= TA_REUSED_PORTS;
  }
  /* A SYN/ACK with a new ISN stays in its conversation (tshark looks it up
     again from the other side, which finds the same latest one) and rebases
     this direction. */
  if ((flags & (TH_SYN | TH_ACK)) == (TH_SYN | TH_ACK) && fwd->base_set &&
      seg->seq != fwd->base_seq) {
    fwd->base_seq = seg->seq;
    r.flags |= TA_REUSED_PORTS;
  }

  seg->stream = tc->stream;
  seg->has_stream = 1;
  tc->ts_prev = seg->ts;

  /* Sequence analysis and relative numbers need the segment length, which
     tshark does not trust inside ICMP errors (nor in unreassembled fragments). */
  if (!seg->in_error) {
    if (analyze(c, tc, fwd, rev, seg, &r) != 0) return -1;
    seg->rel_seq = seg->seq - fwd->base_seq;
    if (flags & TH_ACK) seg->rel_ack = seg->ack - rev->base_seq;
    seg->nxtseq = seg->rel_seq + seg->len + ((flags & (TH_SYN | TH_FIN)) ? 1u : 0u);
    if (!(flags & TH_SYN) && fwd->win_scale >= 0)
      seg->win_size = (int64_t)((uint32_t)seg->win << fwd->win_scale);
  }
  /* A header length field below 20 ends tshark's dissection here: no ack,
     window or analysis output, and none of the state changes below. */
  if (seg->full_header == HDR_SHORT) return 0;
  seg->has_ack = 1;

  if (!(flags & TH_SYN)) {
    seg->has_scalefactor = 1;
    seg->scalefactor = fwd->win_scale >= 0 ? 1 << fwd->win_scale : fwd->win_scale;
  }

  if (flags & TH_SYN) {
    if (!(flags & TH_ACK)) tc->ts_mru_syn = seg->ts;
    fwd->is_first_ack = 1;
  }
  if ((flags & (TH_SYN | TH_ACK)) == TH_ACK) {
    if (!time_is_zero(tc->ts_mru_syn) && time_is_zero(tc->ts_first_rtt))
      tc->ts_first_rtt = pf_time_delta(seg->ts, tc->ts_mru_syn);
    fwd->is_first_ack = 0;
  }

  /* The window scale option counts from any segment, after this segment's
     own window was scaled; shifts above 14 mean 14 (RFC 7323). */
  if (seg->wscale >= 0) fwd->win_scale = seg->wscale > 14 ? 14 : seg->wscale;

  /* A header cut short in the capture ends tshark's dissection in the
     options, before the analysis output and the SYN window-scale check. */
  if (seg->full_header == HDR_CUT) return 0;

  if (r.frame_acked != 0) {
    seg->acks_frame = r.frame_acked;
    if (!time_is_zero(r.rtt)) {
      seg->has_rtt = 1;
      seg->rtt = r.rtt;
    }
  }

  if (flags & TH_SYN) verify_window_scaling((flags & TH_ACK) != 0, fwd, rev);
  return 0;
}

int64_t pf_conv_udp(pf_conv *c, int af, const uint8_t *src, const uint8_t *dst,
                    uint16_t sport, uint16_t dport) {
  conv_key key;
  slot *s;
  int created;
  make_key(&key, af, src, dst, sport, dport);
  s = table_get(&c->udp, &key, &created);
  if (s == NULL) return -1;
  if (created) s->v.udp_stream = c->udp_streams++;
  return (int64_t)s->v.udp_stream;
}
