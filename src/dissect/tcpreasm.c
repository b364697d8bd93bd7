/* tcpreasm.c: TCP desegmentation as tshark 4.0's desegment_tcp() does it (with its
   defaults: out-of-order reassembly off), over a few recent PDUs per direction. */
#include "tcpreasm.h"

#include <stdlib.h>
#include <string.h>

#define SEQ_DIFF(x, y) ((int32_t)(uint32_t)((uint32_t)(x) - (uint32_t)(y)))
#define LT_SEQ(x, y) (SEQ_DIFF(x, y) < 0)
#define LE_SEQ(x, y) (SEQ_DIFF(x, y) <= 0)
#define GT_SEQ(x, y) (SEQ_DIFF(x, y) > 0)

/* tshark keeps every multi-segment PDU of a stream; lookups only ever reach the
   latest few (older ones end before anything that is not a retransmission, and
   those are skipped), so a handful per direction bound the memory. */
#define MAX_MSPS 4
/* received byte ranges of one PDU; more holes than this and the PDU is dropped */
#define MAX_RANGES 16
/* tshark refuses to start a PDU whose first piece is longer than 1 MiB */
#define MAX_FIRST_PIECE (1024u * 1024u)

#define MSP_ENTIRE 1u   /* MSP_FLAGS_REASSEMBLE_ENTIRE_SEGMENT */

typedef struct range { uint32_t off, end; } range;

typedef struct msp msp;

/* The bytes and receive state of a PDU: only while it is being reassembled (and
   while it may still reopen); freed once it is complete. */
typedef struct msp_data {
  uint8_t state[PF_MSP_STATE];   /* the dissector's per-PDU state */
  uint32_t nranges;
  range ranges[MAX_RANGES];
  uint8_t *buf;             /* bytes [0, min(stored extent, limit)) */
  uint32_t cap;
  uint32_t limit;           /* bytes from the start worth storing (<= PF_MSP_STORE) */
  uint32_t frag_end;        /* where the latest fragment ended */
  int window;               /* keep the bytes before the latest fragment (recent, last) */
  /* past the store: the last PF_MSP_RECENT bytes before the latest fragment,
     and the end of the latest fragment itself (it becomes "recent" when the
     next one arrives; by then the packet holding it is gone) */
  uint8_t *recent, *last;
  uint32_t recent_off, recent_len, last_off, last_len;
  /* the pool's accounting: least recently used order, bytes charged */
  struct msp_data *prev, *next;
  msp *owner;
  pf_tcppool *pool;
  size_t charged;
} msp_data;

/* One multi-segment PDU (tshark's tcp_multisegment_pdu and its fragment_head). */
struct msp {
  uint32_t seq, nxtpdu;
  uint32_t datalen;         /* the fragment_head's length, once known */
  uint32_t age;             /* insertion order, to evict the oldest */
  uint64_t last_frame;
  uint64_t reassembled_in;
  uint8_t used, flags;
  uint8_t defragmented, partial, datalen_set;
  uint8_t broken;           /* too fragmented, or its bytes given up to the
                               pool's budget: it never completes */
  msp_data *d;              /* NULL once complete */
};

struct pf_tcpflow {
  msp msps[MAX_MSPS];
  uint32_t next_age;
  int until_fin;            /* TCP_FLOW_REASSEMBLE_UNTIL_FIN */
  uint64_t fin_frame;       /* the FIN that ended the stream */
  pf_tcppool *pool;
};

/* The incomplete PDUs of all flows of a decoder, most recently used first, and
   the bytes they hold. */
struct pf_tcppool {
  size_t bytes, limit;
  msp_data *head, *tail;
  /* PDUs done with during the current frame: the values that frame's dissection
     emitted point into their bytes, so they are freed when the next frame
     comes (chained through next) */
  msp_data *retired;
  uint64_t frame;
};

pf_tcppool *pf_tcppool_new(size_t limit) {
  pf_tcppool *p = calloc(1, sizeof *p);
  if (p) p->limit = limit;
  return p;
}

static void free_data(msp_data *md) {
  free(md->buf);
  free(md->recent);
  free(md->last);
  free(md);
}

/* A new frame: what the last one retired can go. */
static void pool_reap(pf_tcppool *p, uint64_t frame) {
  if (p == NULL || p->frame == frame) return;
  while (p->retired) {
    msp_data *md = p->retired;
    p->retired = md->next;
    free_data(md);
  }
  p->frame = frame;
}

void pf_tcppool_free(pf_tcppool *p) {
  if (p == NULL) return;
  pool_reap(p, p->frame + 1);
  free(p);
}

size_t pf_tcppool_bytes(const pf_tcppool *p) { return p->bytes; }

static void pool_unlink(msp_data *md) {
  pf_tcppool *p = md->pool;
  if (md->prev) md->prev->next = md->next;
  else p->head = md->next;
  if (md->next) md->next->prev = md->prev;
  else p->tail = md->prev;
  md->prev = md->next = NULL;
}

/* md was just used: to the front, charged for what it holds now */
static void pool_touch(msp_data *md) {
  pf_tcppool *p = md->pool;
  if (p == NULL) return;
  if (p->head != md) {
    if (md->prev || md->next || p->tail == md) pool_unlink(md);
    md->next = p->head;
    if (p->head) p->head->prev = md;
    p->head = md;
    if (p->tail == NULL) p->tail = md;
  }
  size_t c = sizeof *md + md->cap + (md->recent ? PF_MSP_RECENT : 0) + (md->last ? PF_MSP_RECENT : 0);
  p->bytes = p->bytes - md->charged + c;
  md->charged = c;
}

pf_tcpflow *pf_tcpflow_new(pf_tcppool *pool) {
  pf_tcpflow *f = calloc(1, sizeof *f);
  if (f) f->pool = pool;
  return f;
}

static void msp_data_free(msp *m) {
  msp_data *md = m->d;
  if (md == NULL) return;
  m->d = NULL;
  if (md->pool) {
    pool_unlink(md);
    md->pool->bytes -= md->charged;
    md->owner = NULL;
    md->next = md->pool->retired;   /* kept until the next frame: see pf_tcppool */
    md->pool->retired = md;
    return;
  }
  free_data(md);
}

/* Over budget: the least recently used incomplete PDUs (not keep) give up their
   bytes and will never complete. */
static void pool_trim(pf_tcppool *p, const msp_data *keep) {
  if (p == NULL) return;
  while (p->bytes > p->limit && p->tail && p->tail != keep) {
    msp *o = p->tail->owner;
    o->broken = 1;
    msp_data_free(o);
  }
}

static void msp_clear(msp *m) {
  msp_data_free(m);
  memset(m, 0, sizeof *m);
}

void pf_tcpflow_free(pf_tcpflow *f) {
  if (f == NULL) return;
  for (int i = 0; i < MAX_MSPS; i++) msp_clear(&f->msps[i]);
  free(f);
}

int pf_tcpflow_until_fin(const pf_tcpflow *f) { return f->until_fin; }

size_t pf_tcpflow_bytes(const pf_tcpflow *f) {
  size_t n = 0;
  for (int i = 0; i < MAX_MSPS; i++) {
    const msp_data *d = f->msps[i].d;
    if (d) n += sizeof *d + d->cap + (d->recent ? PF_MSP_RECENT : 0) + (d->last ? PF_MSP_RECENT : 0);
  }
  return n;
}

/* wmem_tree_lookup32: the PDU starting exactly at seq */
static msp *find_exact(pf_tcpflow *f, uint32_t seq) {
  for (int i = 0; i < MAX_MSPS; i++)
    if (f->msps[i].used && f->msps[i].seq == seq) return &f->msps[i];
  return NULL;
}

/* wmem_tree_lookup32_le: the PDU with the greatest start <= key (plain
   unsigned order, as the tree compares keys) */
static msp *find_le(pf_tcpflow *f, uint32_t key) {
  msp *best = NULL;
  for (int i = 0; i < MAX_MSPS; i++) {
    msp *m = &f->msps[i];
    if (m->used && m->seq <= key && (best == NULL || m->seq > best->seq)) best = m;
  }
  return best;
}

/* pdu_store_sequencenumber_of_next_pdu: a new PDU replaces one with the same
   start, else the oldest slot */
static msp *msp_new(pf_tcpflow *f, uint32_t seq, uint32_t nxtpdu, uint64_t frame) {
  msp *m = find_exact(f, seq);
  if (m == NULL) {
    for (int i = 0; i < MAX_MSPS; i++) {
      msp *c = &f->msps[i];
      if (!c->used) { m = c; break; }
      if (m == NULL || c->age < m->age) m = c;
    }
  }
  msp_clear(m);
  m->d = calloc(1, sizeof *m->d);
  if (m->d == NULL) return NULL;
  m->d->limit = PF_MSP_STORE;
  m->d->window = 1;
  m->d->owner = m;
  m->d->pool = f->pool;
  pool_touch(m->d);
  m->used = 1;
  m->seq = seq;
  m->nxtpdu = nxtpdu;
  m->last_frame = frame;
  m->age = ++f->next_age;
  return m;
}

/* Tracks the bytes past the store (they arrive in order there: a PDU that long
   is an HTTP body) so that the bytes just before the current fragment can be
   read. -1 out of memory. */
static int msp_recent(msp_data *m, uint32_t off, const uint8_t *d, uint32_t len) {
  uint32_t end = off + len;
  if (!m->window || end <= m->limit || len == 0) return 0;
  if (off < m->limit) {
    d += m->limit - off;
    len -= m->limit - off;
    off = m->limit;
  }
  if (m->recent == NULL || m->last == NULL) {
    if (m->recent == NULL) m->recent = malloc(PF_MSP_RECENT);
    if (m->last == NULL) m->last = malloc(PF_MSP_RECENT);
    if (m->recent == NULL || m->last == NULL) return -1;
    m->recent_len = m->last_len = 0;
  }
  /* the previous fragment joins "recent" (contiguous: slide; else replace) */
  if (m->last_len) {
    if (m->recent_len && m->recent_off + m->recent_len == m->last_off) {
      uint32_t keep = m->recent_len + m->last_len > PF_MSP_RECENT ? PF_MSP_RECENT - m->last_len
                                                                  : m->recent_len;
      memmove(m->recent, m->recent + (m->recent_len - keep), keep);
      memcpy(m->recent + keep, m->last, m->last_len);
      m->recent_off = m->last_off + m->last_len - (keep + m->last_len);
      m->recent_len = keep + m->last_len;
    } else {
      memcpy(m->recent, m->last, m->last_len);
      m->recent_off = m->last_off;
      m->recent_len = m->last_len;
    }
  }
  uint32_t k = len < PF_MSP_RECENT ? len : PF_MSP_RECENT;
  memcpy(m->last, d + (len - k), k);
  m->last_off = end - k;
  m->last_len = k;
  return 0;
}

/* Stores data at [off, off + len) of the PDU buffer, as far as PF_MSP_STORE
   allows. Returns -1 out of memory. */
static int msp_store(msp_data *m, uint32_t off, const uint8_t *d, uint32_t len) {
  if (len == 0) return 0;
  if (msp_recent(m, off, d, len) < 0) return -1;
  if (off >= m->limit) return 0;
  uint32_t end = off + len > m->limit || off + len < off ? m->limit : off + len;
  if (end > m->cap) {
    uint32_t ncap = m->cap ? m->cap : 1024;
    while (ncap < end) ncap *= 2;
    if (ncap > m->limit) ncap = m->limit;
    uint8_t *nb = realloc(m->buf, ncap);
    if (nb == NULL) return -1;
    m->buf = nb;
    m->cap = ncap;
  }
  /* the first data received for a byte stays (tshark's defragmentation copies
     fragments in order and keeps the earlier bytes of an overlap) */
  uint32_t pos = off;
  for (uint32_t i = 0; i < m->nranges && pos < end; i++) {
    range r = m->ranges[i];
    if (r.end <= pos) continue;
    if (r.off > pos) {
      uint32_t stop = r.off < end ? r.off : end;
      memcpy(m->buf + pos, d + (pos - off), stop - pos);
    }
    pos = r.end > pos ? r.end : pos;
  }
  if (pos < end) memcpy(m->buf + pos, d + (pos - off), end - pos);
  return 0;
}

/* Adds [off, off + len) to the received ranges, merging neighbours. */
static int msp_add_range(msp_data *m, uint32_t off, uint32_t len) {
  if (len == 0) return 0;
  uint32_t end = off + len < off ? UINT32_MAX : off + len;
  range nr[MAX_RANGES + 1];
  uint32_t n = 0, i = 0;
  while (i < m->nranges && m->ranges[i].end < off) nr[n++] = m->ranges[i++];
  range cur = { off, end };
  while (i < m->nranges && m->ranges[i].off <= cur.end) {
    if (m->ranges[i].off < cur.off) cur.off = m->ranges[i].off;
    if (m->ranges[i].end > cur.end) cur.end = m->ranges[i].end;
    i++;
  }
  nr[n++] = cur;
  while (i < m->nranges && n <= MAX_RANGES) nr[n++] = m->ranges[i++];
  if (n > MAX_RANGES) return -1;
  memcpy(m->ranges, nr, n * sizeof nr[0]);
  m->nranges = n;
  return 0;
}

/* Later dissections read only [0, keep) of the PDU (and the bytes just before the
   fragment they come with): the store shrinks to that. The end of the latest
   fragment, when it lies past keep, moves to the recent window. */
static void msp_shrink(msp_data *m, uint64_t keep, int window) {
  if (keep == 0) return;
  if (keep > PF_MSP_STORE) keep = PF_MSP_STORE;
  uint32_t limit = (uint32_t)keep;
  m->window = window;
  if (!window && (m->recent || m->last)) {
    free(m->recent);
    free(m->last);
    m->recent = m->last = NULL;
    m->recent_len = m->last_len = 0;
  }
  if (limit >= m->limit) {
    pool_touch(m);
    return;
  }
  if (window && m->recent == NULL && m->last == NULL && m->frag_end > limit) {
    /* the received bytes ending at the latest fragment's end */
    uint32_t end = m->frag_end < m->cap ? m->frag_end : m->cap, start = end;
    for (uint32_t i = 0; i < m->nranges; i++)
      if (m->ranges[i].off < end && m->ranges[i].end >= end) start = m->ranges[i].off;
    if (start < limit) start = limit;
    if (end > start && end - start > PF_MSP_RECENT) start = end - PF_MSP_RECENT;
    if (end > start) {
      m->recent = malloc(PF_MSP_RECENT);
      m->last = malloc(PF_MSP_RECENT);
      if (m->recent && m->last) {
        memcpy(m->last, m->buf + start, end - start);
        m->last_off = start;
        m->last_len = end - start;
        m->recent_len = 0;
      }
      /* else: msp_recent retries the allocation; the bytes are a hole */
    }
  }
  m->limit = limit;
  if (m->cap > limit) {
    uint8_t *nb = realloc(m->buf, limit);
    if (nb != NULL) {
      m->buf = nb;
      m->cap = limit;
    }
  }
  pool_touch(m);
}

/* tshark's fragment_add for this PDU. Returns 1 when this call completed the
   reassembly, 0 otherwise, -1 out of memory. */
static int fragment_add(msp *m, uint32_t off, const uint8_t *d, uint32_t len, int more,
                        uint64_t frame) {
  if (m->partial) {
    /* a partial reassembly reopens: what was reassembled becomes the first
       fragment and the length is learned again */
    m->defragmented = 0;
    m->partial = 0;
    m->datalen_set = 0;
    m->datalen = 0;
    m->reassembled_in = 0;
  }
  if (!more) {
    /* the first tail decides the length; a later different one is an error
       tshark flags and otherwise ignores */
    if (!m->datalen_set) {
      m->datalen = off + len;
      m->datalen_set = 1;
    }
  }
  if (m->defragmented) return 0;   /* an overlap with a finished PDU */
  msp_data *md = m->d;
  if (md == NULL) return 0;
  int r = msp_store(md, off, d, len);
  pool_touch(md);
  if (r < 0) return -1;
  if (msp_add_range(md, off, len) < 0) m->broken = 1;
  md->frag_end = off + len;
  if (m->broken || !m->datalen_set) return 0;
  /* complete when the bytes from 0 are contiguous up to the length */
  if (md->nranges == 0 || md->ranges[0].off != 0 || md->ranges[0].end < m->datalen) return 0;
  m->defragmented = 1;
  m->reassembled_in = frame;
  return 1;
}

/* The reassembled PDU as a buffer; cur/cur_off: the current segment's piece. */
static pf_vbuf msp_view(msp *m, const uint8_t *cur, uint32_t cur_off, uint32_t cur_len) {
  pf_vbuf b;
  msp_data *md = m->d;
  uint32_t len = m->datalen;
  b.head = md->buf;
  b.head_len = len < md->limit ? len : md->limit;
  if (b.head_len > md->cap) b.head_len = md->cap;
  b.tail = cur;
  b.tail_off = cur_off;
  b.tail_len = cur_off < len ? (len - cur_off < cur_len ? len - cur_off : cur_len) : 0;
  /* the recent bytes before the current piece */
  b.mid = md->recent;
  b.mid_off = md->recent_off;
  b.mid_len = 0;
  if (md->recent && md->recent_off < cur_off) {
    uint32_t e = md->recent_off + md->recent_len;
    b.mid_len = (e < cur_off ? e : cur_off) - md->recent_off;
  }
  b.len = len;
  b.rlen = len;
  b.state = md->state;
  return b;
}

int pf_tcpflow_in_pdu(pf_tcpflow *f, uint32_t seq, uint32_t nxtseq, uint64_t frame) {
  msp *m = find_exact(f, seq);
  if (m && LE_SEQ(nxtseq, m->nxtpdu) && m->last_frame != frame) return 1;
  if (m == NULL) m = find_le(f, seq - 1);
  return m && LE_SEQ(m->seq, seq) && GT_SEQ(m->nxtpdu, seq);
}

int pf_tcpflow_segment(pf_tcpflow *f, const pf_tcpdata *s, pf_subdissector sub, void *ud) {
  pool_reap(f->pool, s->frame);
  uint32_t seq = s->seq, nxtseq = s->nxtseq, offset = 0;
  const uint8_t *data = s->data;
  uint32_t plen = s->len;

  for (;;) {   /* tshark's "again:" */
    int complete = 0, must_desegment = 0;
    uint32_t last_fragment_len = 0, another = 0, deseg_offset = offset;
    pf_deseg req = { 0, 0, 0, 0, 0 };
    msp *m = find_exact(f, seq);

    /* a PDU seen before from its first byte: a retransmission, nothing new */
    if (m && LE_SEQ(nxtseq, m->nxtpdu) && m->last_frame != s->frame) return 0;
    if (s->spurious || s->retransmission) return 0;
    if (m == NULL) m = find_le(f, seq - 1);

    if (m && LE_SEQ(m->seq, seq) && GT_SEQ(m->nxtpdu, seq)) {
      /* this segment continues a PDU */
      m->last_frame = s->frame;
      uint32_t len;
      if (m->flags & MSP_ENTIRE) {
        len = plen - offset;
      } else {
        uint32_t a = nxtseq - seq, b = m->nxtpdu - seq;
        len = a < b ? a : b;
      }
      last_fragment_len = len;
      int r = fragment_add(m, seq - m->seq, data + offset, len, LT_SEQ(nxtseq, m->nxtpdu), s->frame);
      if (r < 0) return -1;
      pool_trim(f->pool, m->d);
      complete = r;
      if (m->flags & MSP_ENTIRE) {
        m->flags &= ~MSP_ENTIRE;
        if (LT_SEQ(m->nxtpdu, nxtseq)) m->nxtpdu = nxtseq;
      }
      if (m->nxtpdu < nxtseq && m->nxtpdu >= seq && len > 0) another = m->nxtpdu - seq;
    } else {
      /* no PDU continues here: the dissector sees the segment itself */
      m = NULL;
      pf_vbuf b = pf_vbuf_flat(data + offset, plen - offset, plen - offset);
      sub(ud, &b, 1, &req);
      if (req.exception) return 0;
      if (req.len) {
        must_desegment = 1;
        deseg_offset = offset + req.offset;
      }
    }

    if (complete && m->reassembled_in == s->frame) {
      pf_vbuf b = msp_view(m, data + offset, seq - m->seq, last_fragment_len);
      uint32_t datalen = m->datalen;
      sub(ud, &b, 1, &req);
      if (req.exception) return 0;
      uint32_t old_len = datalen - last_fragment_len;
      if (req.len && req.offset <= old_len) {
        /* it needs more for the PDU it thought complete */
        m->partial = 1;
        msp_shrink(m->d, req.keep ? (uint64_t)req.offset + req.keep : 0, req.window);
        if (req.len == PF_DESEG_ONE_MORE) {
          uint32_t end = seq + (plen - offset);
          m->nxtpdu = (GT_SEQ(end, m->nxtpdu) ? end : m->nxtpdu) + 1;
          m->flags |= MSP_ENTIRE;
        } else if (req.len == PF_DESEG_UNTIL_FIN) {
          f->until_fin = 1;
          m->nxtpdu = m->seq + 0x40000000u;
        } else if (seq + last_fragment_len >= m->nxtpdu) {
          m->nxtpdu = seq + last_fragment_len + req.len;
        } else {
          m->nxtpdu += req.len;
        }
        offset += last_fragment_len;
        seq += last_fragment_len;
        if (offset < plen) continue;
        return 0;
      }
      if (req.len) {
        /* a new PDU starts in the tail of this segment */
        must_desegment = 1;
        deseg_offset = plen - (datalen - req.offset);
      }
      msp_data_free(m);   /* done: only its sequence range is still needed */
    }

    if (must_desegment) {
      uint32_t deseg_seq = seq + (deseg_offset - offset);
      if (req.len == PF_DESEG_UNTIL_FIN) f->until_fin = 1;
      if (nxtseq - deseg_seq <= MAX_FIRST_PIECE) {
        msp *n;
        if (req.len == PF_DESEG_ONE_MORE) {
          n = msp_new(f, deseg_seq, nxtseq + 1, s->frame);
          if (n) n->flags |= MSP_ENTIRE;
        } else if (req.len == PF_DESEG_UNTIL_FIN) {
          n = msp_new(f, deseg_seq, nxtseq + 0x40000000u, s->frame);
        } else {
          n = msp_new(f, deseg_seq, nxtseq + req.len, s->frame);
        }
        if (n == NULL) return -1;
        msp_shrink(n->d, req.keep, req.window);
        if (deseg_offset <= plen &&
            fragment_add(n, 0, data + deseg_offset, nxtseq - deseg_seq, LT_SEQ(nxtseq, n->nxtpdu),
                         s->frame) < 0)
          return -1;
        pool_trim(f->pool, n->d);
      }
    }

    if (another == 0) return 0;
    offset += another;
    seq += another;
  }
}

int pf_tcpflow_fin(pf_tcpflow *f, const pf_tcpdata *s, pf_subdissector sub, void *ud) {
  pool_reap(f->pool, s->frame);
  if (!f->until_fin) return 0;
  if (f->fin_frame != 0 && f->fin_frame != s->frame) return 0;
  f->fin_frame = s->frame;
  msp *m = find_le(f, s->seq - 1);
  if (m == NULL) return 0;
  int r = fragment_add(m, s->seq - m->seq, s->data, s->len, 0, s->frame);
  if (r < 0) return -1;
  if (r == 0 || m->reassembled_in != s->frame) return 0;
  pf_vbuf b = msp_view(m, s->data, s->seq - m->seq, s->len);
  pf_deseg req = { 0, 0, 0, 0, 0 };
  sub(ud, &b, 0, &req);
  msp_data_free(m);
  return 1;
}
