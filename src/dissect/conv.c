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

/* Per-segment analysis flags (tshark's TCP_A_*). pf_tcpseg carries them out
   only when conv.h defines PF_TCPSEG_ANALYSIS with the matching outputs. */
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
#ifdef PF_TCPSEG_ANALYSIS
/* pf_tcpseg.analysis passes these bits on as they are */
typedef char ta_bits_check[(TA_RETRANSMISSION == PF_TCPA_RETRANSMISSION &&
                            TA_LOST_PACKET == PF_TCPA_LOST_SEGMENT &&
                            TA_KEEP_ALIVE == PF_TCPA_KEEP_ALIVE &&
                            TA_DUPLICATE_ACK == PF_TCPA_DUPLICATE_ACK &&
                            TA_ZERO_WINDOW == PF_TCPA_ZERO_WINDOW &&
                            TA_ZERO_WINDOW_PROBE == PF_TCPA_ZERO_WINDOW_PROBE &&
                            TA_ZERO_WINDOW_PROBE_ACK == PF_TCPA_ZERO_WINDOW_PROBE_ACK &&
                            TA_KEEP_ALIVE_ACK == PF_TCPA_KEEP_ALIVE_ACK &&
                            TA_OUT_OF_ORDER == PF_TCPA_OUT_OF_ORDER &&
                            TA_FAST_RETRANSMISSION == PF_TCPA_FAST_RETRANSMISSION &&
                            TA_WINDOW_UPDATE == PF_TCPA_WINDOW_UPDATE &&
                            TA_WINDOW_FULL == PF_TCPA_WINDOW_FULL &&
                            TA_REUSED_PORTS == PF_TCPA_REUSED_PORTS &&
                            TA_SPURIOUS_RETRANSMISSION == PF_TCPA_SPURIOUS_RETRANSMISSION)
                               ? 1
                               : -1];
#endif

/* tshark stores at most this many unacknowledged segments per direction
   (TCP_MAX_UNACKED_SEGMENTS); beyond it segments are not remembered, which
   changes which ACKs get an RTT, so the cap is part of the behaviour. */
#define MAX_UNACKED 10000

/* How far tshark gets through a TCP header, passed in pf_tcpseg.full_header
   (conv.h documents only 0 and 1 so far):
   HDR_NONE  fewer than 16 bytes: it stops before finding the conversation;
   HDR_FULL  the header and its options were all there;
   HDR_CUT   at least 20 bytes, but the captured bytes end before the end of
             the options: it stops there (an exception), after the window, the
             handshake bookkeeping and tcp.time_*, but before the ACK analysis
             output and the SYN window-scale check; wscale is the option if it
             was read before the cut;
   HDR_SHORT the data offset field says fewer than 20 bytes: it stops right
             after tcp.seq (the sequence analysis has already run);
   HDR_CUT_FIXED 16 to 19 bytes: as HDR_CUT, but it stops before tcp.time_*. */
#define HDR_NONE 0
#define HDR_FULL 1
#define HDR_CUT 2
#define HDR_SHORT 3
#define HDR_CUT_FIXED 4

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

/* Canonical key: the two endpoints of a pair in a fixed order (make_key). */
typedef struct conv_key {
  uint8_t af;
  uint8_t pad_[3];
  uint16_t port[2];
  uint8_t addr[2][16];
} conv_key;
/* key_hash reads the key as 64-bit words */
typedef char conv_key_size_check[sizeof(conv_key) % 8 == 0 ? 1 : -1];

/* One TCP conversation: both directions of an address/port pair until a
   port reuse starts the next one. */
typedef struct tcp_conv {
  conv_key key;               /* first: the hash table points here */
  uint32_t stream;
  pf_time ts_first, ts_prev;  /* tcp.time_relative / tcp.time_delta bases */
  pf_time ts_mru_syn;         /* most recent pure SYN */
  pf_time ts_first_rtt;       /* handshake RTT (tcp.analysis.initial_rtt) */
  flow fl[2];                 /* [0]: sent by the lower endpoint of the key */
} tcp_conv;

/* What one segment's analysis found (tshark's tcp_acked). */
typedef struct seg_result {
  int exists;                 /* tshark created its tcp_acked record: it prints an analysis tree */
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

/* One UDP conversation. */
typedef struct udp_conv {
  conv_key key;               /* first: the hash table points here */
  uint32_t stream;
} udp_conv;

/* Open-addressing slot: the key's hash and the key inside its conversation
   (NULL: empty), so a probe touches 16 bytes and a hit lands on the
   conversation the caller needs next anyway. For TCP the slot holds the
   latest conversation of the pair: tshark 4.0 keys conversations by ordered
   (src, dst), but its exact lookup tries both orders and keeps the newer one. */
typedef struct slot {
  uint32_t hash;
  uint32_t pad_;
  conv_key *key;
} slot;

typedef struct table {
  slot *slots;
  size_t cap;   /* power of two, or 0 */
  size_t count;
} table;

/* Conversations are never freed before the end of the read (tshark keeps
   them too), so they come from chunks. */
#define CONV_CHUNK 256
typedef struct conv_chunk {
  struct conv_chunk *next;
  size_t used;
  tcp_conv convs[CONV_CHUNK];
} conv_chunk;

#define UDP_CHUNK 1024
typedef struct udp_chunk {
  struct udp_chunk *next;
  size_t used;
  udp_conv convs[UDP_CHUNK];
} udp_chunk;

struct pf_conv {
  table tcp, udp;
  uint32_t tcp_streams, udp_streams;
  conv_chunk *convs;
  udp_chunk *udps;
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
  while (c->udps != NULL) {
    udp_chunk *n = c->udps->next;
    free(c->udps);
    c->udps = n;
  }
  while (c->segs != NULL) {
    seg_chunk *n = c->segs->next;
    free(c->segs);
    c->segs = n;
  }
  free(c);
}

/* Makes sure a free segment node exists; -1 out of memory. */
static int seg_reserve(pf_conv *c) {
  seg_chunk *ch;
  size_t i;
  if (c->free_segs != NULL) return 0;
  ch = (seg_chunk *)malloc(sizeof *ch);
  if (ch == NULL) return -1;
  ch->next = c->segs;
  c->segs = ch;
  for (i = 0; i < SEG_CHUNK; i++) {
    ch->nodes[i].next = c->free_segs;
    c->free_segs = &ch->nodes[i];
  }
  return 0;
}

/* A node from the free list; seg_reserve must have succeeded. */
static unacked *seg_alloc(pf_conv *c) {
  unacked *u = c->free_segs;
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

/* A new conversation of key k takes the next stream number (tshark's
   init_tcp_conversation_data). NULL when out of memory. */
static tcp_conv *tcp_conv_new(pf_conv *c, const conv_key *k, pf_time ts) {
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
  t->key = *k;
  t->stream = c->tcp_streams++;
  t->ts_first = ts;
  t->ts_prev = ts;
  flow_init(&t->fl[0]);
  flow_init(&t->fl[1]);
  return t;
}

static udp_conv *udp_conv_new(pf_conv *c, const conv_key *k) {
  udp_conv *u;
  if (c->udps == NULL || c->udps->used == UDP_CHUNK) {
    udp_chunk *ch = (udp_chunk *)malloc(sizeof *ch);
    if (ch == NULL) return NULL;
    ch->next = c->udps;
    ch->used = 0;
    c->udps = ch;
  }
  u = &c->udps->convs[c->udps->used++];
  u->key = *k;
  u->stream = c->udp_streams++;
  return u;
}

/* ---------- hash table ---------- */

static int time_is_zero(pf_time t) { return t.secs == 0 && t.nsecs == 0; }

/* Builds the canonical key; returns which endpoint sent the packet
   (0: src is the lower endpoint, 1: src is the higher one). Any total order
   of endpoints does: it only has to put both directions on one key. */
static int make_key(conv_key *k, int af, const uint8_t *src, const uint8_t *dst,
                    uint16_t sport, uint16_t dport) {
  uint64_t a[2] = {0, 0}, b[2] = {0, 0};
  size_t n = af == 6 ? 16 : 4;
  int lower;
  memcpy(a, src, n);
  memcpy(b, dst, n);
  if (a[0] != b[0])
    lower = a[0] < b[0];
  else if (a[1] != b[1])
    lower = a[1] < b[1];
  else
    lower = sport <= dport;
  k->af = (uint8_t)(af == 6 ? 6 : 4);
  memset(k->pad_, 0, sizeof k->pad_);
  if (lower) {
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
  /* independent multiplies of the key's five 64-bit words, then a final mix */
  uint64_t w[sizeof(conv_key) / 8], h;
  memcpy(w, k, sizeof w);
  h = w[0] * 0x9e3779b97f4a7c15u + w[1] * 0xc2b2ae3d27d4eb4fu + w[2] * 0x165667b19e3779f9u +
      w[3] * 0xd6e8feb86659fd93u + w[4] * 0xff51afd7ed558ccdu;
  h ^= h >> 32;
  h *= 0xc4ceb9fe1a85ec53u;
  h ^= h >> 29;
  return (uint32_t)h;
}

static int key_eq(const conv_key *a, const conv_key *b) {
  uint64_t x[sizeof(conv_key) / 8], y[sizeof(conv_key) / 8], d = 0;
  size_t i;
  memcpy(x, a, sizeof x);
  memcpy(y, b, sizeof y);
  for (i = 0; i < sizeof x / sizeof x[0]; i++) d |= x[i] ^ y[i];
  return d == 0;
}

/* Finds the slot of k, or the empty slot where it would go. */
static slot *table_find(const table *t, const conv_key *k, uint32_t h) {
  size_t mask = t->cap - 1, i = h & mask;
  for (;;) {
    slot *s = &t->slots[i];
    if (s->key == NULL) return s;
    if (s->hash == h && key_eq(s->key, k)) return s;
    i = (i + 1) & mask;
  }
}

/* Makes room for one more entry (load at most 1/2: short linear probes); -1 out of memory. */
static int table_reserve(table *t) {
  slot *old = t->slots;
  size_t oldcap = t->cap, i, ncap;
  if (t->cap != 0 && (t->count + 1) * 2 <= t->cap) return 0;
  ncap = t->cap ? t->cap * 2 : 256;
  if (ncap < t->cap || ncap > ((size_t)-1) / sizeof(slot)) return -1;
  t->slots = (slot *)calloc(ncap, sizeof(slot));
  if (t->slots == NULL) {
    t->slots = old;
    return -1;
  }
  t->cap = ncap;
  for (i = 0; i < oldcap; i++) {
    if (old[i].key != NULL) *table_find(t, old[i].key, old[i].hash) = old[i];
  }
  free(old);
  return 0;
}

/* The slot holding k, or an empty slot ready for it with room reserved
   (fill it before the next table call). NULL out of memory. */
static slot *table_slot(table *t, const conv_key *k, uint32_t h) {
  slot *s;
  if (t->cap != 0) {
    s = table_find(t, k, h);
    if (s->key != NULL || (t->count + 1) * 2 <= t->cap) return s;
  }
  if (table_reserve(t) != 0) return NULL;
  return table_find(t, k, h);
}

static void table_fill(table *t, slot *s, uint32_t h, conv_key *k) {
  s->hash = h;
  s->key = k;
  t->count++;
}

/* ---------- sequence analysis ---------- */

/* ns between two times as tshark computes them for its thresholds: an
   unsigned 64-bit value, so a negative difference is huge. */
static uint64_t ns_since(pf_time now, pf_time then) {
  /* unsigned all the way: pcapng times span all of int64, and the difference wraps as tshark's does */
  uint64_t t = ((uint64_t)now.secs - (uint64_t)then.secs) * 1000000000u;
  return t + (uint64_t)(int64_t)now.nsecs - (uint64_t)(int64_t)then.nsecs;
}

/* Updates both directions for one segment and records in r what tshark's
   tcp_analyze_sequence_number finds (flags, the frame this ACK acknowledges
   and its RTT). The caller has reserved a free segment node. */
static void analyze(pf_conv *pc, tcp_conv *tc, flow *fwd, flow *rev, const pf_tcpseg *s,
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
    fwd->dupacknum++;
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
    r->flags |= TA_ACK_LOST_PACKET;
    /* once per hole: the other side's mark jumps to its highest nextseq */
    rev->maxseqtobeacked = rev->nextseq;
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
  if (r->flags) r->exists = 1;

  /* Drop what this ACK covers from the other direction's list; an ACK that
     lands exactly on a segment's end gives that segment's RTT (the oldest
     such segment wins, as the list runs newest first). The ACK field is
     used whether or not the ACK flag is set. */
  prev = NULL;
  u = rev->segments;
  while (u != NULL) {
    unacked *next;
    if (ack == u->nextseq) {
      r->exists = 1;
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
    r->exists = 1;
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
  int side, hdr = seg->full_header;
  uint32_t h;
  uint16_t flags = seg->flags;
  pf_time prev_ts;

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
#ifdef PF_TCPSEG_ANALYSIS
  seg->analysis = 0;
  seg->dupack_num = 0;
  seg->dupack_frame = 0;
  seg->has_times = 0;
  seg->time_relative = seg->rtt;
  seg->time_delta = seg->rtt;
#endif

  /* tshark finds the conversation only after reading the window field; a
     shorter header (an 8-byte ICMP quote) ends the dissection before that. */
  if (hdr == HDR_NONE) return 0;

  /* allocations first, so that running out of memory changes no state */
  if (!seg->in_error && seg_reserve(c) != 0) return -1;
  side = make_key(&key, seg->af, seg->src, seg->dst, seg->sport, seg->dport);
  h = key_hash(&key);
  s = table_slot(&c->tcp, &key, h);
  if (s == NULL) return -1;
  if (s->key == NULL) {
    tc = tcp_conv_new(c, &key, seg->ts);
    if (tc == NULL) return -1;
    table_fill(&c->tcp, s, h, &tc->key);
  } else {
    tc = (tcp_conv *)(void *)s->key;
  }
  fwd = &tc->fl[side];
  rev = &tc->fl[side ^ 1];
  memset(&r, 0, sizeof r);

  /* Port reuse (tshark 4.0): only a pure SYN with a different ISN starts a
     new conversation. The same ISN is a retransmission in the old one, whose
     next expected sequence number falls back to the highest contiguous one. */
  if ((flags & (TH_SYN | TH_ACK)) == TH_SYN && fwd->base_set) {
    if (seg->seq != fwd->base_seq) {
      tc = tcp_conv_new(c, &key, seg->ts);
      if (tc == NULL) return -1;
      s->key = &tc->key;
      fwd = &tc->fl[side];
      rev = &tc->fl[side ^ 1];
      r.flags |= TA_REUSED_PORTS;
      r.exists = 1;
    } else {
      fwd->nextseq = fwd->maxseqtobeacked;
    }
  }
  /* A SYN/ACK with a new ISN stays in its conversation (tshark looks it up
     again from the other side, which finds the same latest one) and rebases
     this direction. */
  if ((flags & (TH_SYN | TH_ACK)) == (TH_SYN | TH_ACK) && fwd->base_set &&
      seg->seq != fwd->base_seq) {
    fwd->base_seq = seg->seq;
    r.flags |= TA_REUSED_PORTS;
    r.exists = 1;
  }

  seg->stream = tc->stream;
  seg->has_stream = 1;
  prev_ts = tc->ts_prev;
  tc->ts_prev = seg->ts;

  /* Sequence analysis and relative numbers need the segment length, which
     tshark does not trust inside ICMP errors (nor in unreassembled fragments). */
  if (!seg->in_error) {
    analyze(c, tc, fwd, rev, seg, &r);
    seg->rel_seq = seg->seq - fwd->base_seq;
    if (flags & TH_ACK) seg->rel_ack = seg->ack - rev->base_seq;
    seg->nxtseq = seg->rel_seq + seg->len + ((flags & (TH_SYN | TH_FIN)) ? 1u : 0u);
    if (!(flags & TH_SYN) && fwd->win_scale >= 0)
      seg->win_size = (int64_t)((uint32_t)seg->win << fwd->win_scale);
  }
  /* A header length field below 20 ends tshark's dissection here: no ack,
     window or analysis output, and none of the state changes below. */
  if (hdr == HDR_SHORT) return 0;
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

#ifdef PF_TCPSEG_ANALYSIS
  /* tcp.time_relative and tcp.time_delta come just before the options */
  if (hdr != HDR_CUT_FIXED) {
    seg->has_times = 1;
    seg->time_relative = pf_time_delta(seg->ts, tc->ts_first);
    seg->time_delta = pf_time_delta(seg->ts, prev_ts);
  }
#else
  (void)prev_ts;
#endif

  /* A header cut short in the capture ends tshark's dissection in the
     options, before the analysis output and the SYN window-scale check. */
  if (hdr == HDR_CUT || hdr == HDR_CUT_FIXED) return 0;

#ifdef PF_TCPSEG_ANALYSIS
  /* ack_lost_segment is left out: tshark 4.0's rule for it is not matched
     yet. bytes_in_flight is exact once the caller subtracts the other
     direction's latest SACK blocks (dissect_l4.c does) */
  seg->analysis = r.flags & ~(uint32_t)TA_ACK_LOST_PACKET;
  seg->bytes_in_flight = r.bytes_in_flight;
  if (r.flags & TA_DUPLICATE_ACK) {
    seg->dupack_num = (uint32_t)r.dupack_num;
    seg->dupack_frame = r.dupack_frame;
  }
#endif

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
  uint32_t h;
  udp_conv *u;
  make_key(&key, af, src, dst, sport, dport);
  h = key_hash(&key);
  s = table_slot(&c->udp, &key, h);
  if (s == NULL) return -1;
  if (s->key == NULL) {
    u = udp_conv_new(c, &key);
    if (u == NULL) return -1;
    table_fill(&c->udp, s, h, &u->key);
  } else {
    u = (udp_conv *)(void *)s->key;
  }
  return (int64_t)u->stream;
}
