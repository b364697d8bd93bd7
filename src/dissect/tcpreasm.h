/* tcpreasm.h: TCP desegmentation for the application dissectors, following tshark 4.0's
   desegment_tcp(): multi-segment PDUs (MSPs), "one more segment", "until FIN". */
#ifndef PF_TCPREASM_H
#define PF_TCPREASM_H

#include <stddef.h>
#include <stdint.h>

/* What a subdissector asks for after looking at a buffer (tshark's
   pinfo->desegment_offset and desegment_len). len 0: nothing more needed. */
#define PF_DESEG_ONE_MORE 0x0fffffffu   /* DESEGMENT_ONE_MORE_SEGMENT */
#define PF_DESEG_UNTIL_FIN 0x0ffffffeu  /* DESEGMENT_UNTIL_FIN */
typedef struct pf_deseg {
  uint32_t offset;
  uint32_t len;
  int exception;   /* the dissector hit malformed data: tshark's exception unwinds the
                      TCP layer too, so nothing more happens with this segment */
  uint32_t keep;   /* with len: later dissections of the PDU read only its first
                      offset + keep bytes (an HTTP header; the body is skipped by its
                      length, chunk-size lines are read as they arrive), so only those
                      are stored; 0: store the PDU (up to PF_MSP_STORE) */
  int window;      /* with keep: later dissections also read the few kilobytes
                      before the fragment they come with (PF_MSP_RECENT) */
} pf_deseg;

/* Bytes a subdissector parses: a stored prefix (the bytes the dissector said it
   reads again: pf_deseg.keep, at most PF_MSP_STORE), then (when it asked for
   them: pf_deseg.window) the last few kilobytes before the current segment,
   then the current segment; what lies between is a hole. So a PDU being
   reassembled holds at most PF_MSP_STORE + 2 * PF_MSP_RECENT bytes, and a long
   HTTP body or TLS record costs little: the dissectors read headers, record
   headers and chunk-size lines, never bodies. */
#define PF_MSP_STORE 65536u
#define PF_MSP_RECENT 4096u
typedef struct pf_vbuf {
  const uint8_t *head;   /* bytes [0, head_len) */
  uint32_t head_len;
  const uint8_t *mid;    /* bytes [mid_off, mid_off + mid_len) */
  uint32_t mid_off, mid_len;
  const uint8_t *tail;   /* bytes [tail_off, tail_off + tail_len) */
  uint32_t tail_off, tail_len;
  uint32_t len;          /* total length (captured) */
  uint32_t rlen;         /* reported length (>= len; more only for snaplen-cut segments) */
  uint8_t *state;        /* PF_MSP_STATE bytes the dissector may keep with this PDU
                            (zero when the PDU starts); NULL for a plain segment */
} pf_vbuf;
#define PF_MSP_STATE 64

/* The byte at i, or -1 when it is not available (in the hole or past len). */
static inline int pf_vbuf_byte(const pf_vbuf *b, uint32_t i) {
  if (i < b->head_len) return b->head[i];
  if (i >= b->tail_off && i - b->tail_off < b->tail_len) return b->tail[i - b->tail_off];
  if (i >= b->mid_off && i - b->mid_off < b->mid_len) return b->mid[i - b->mid_off];
  return -1;
}
/* A pointer to n contiguous available bytes at i, or NULL. */
static inline const uint8_t *pf_vbuf_span(const pf_vbuf *b, uint32_t i, uint32_t n) {
  if (i <= b->head_len && n <= b->head_len - i) return b->head + i;
  if (i >= b->tail_off && i - b->tail_off <= b->tail_len && n <= b->tail_len - (i - b->tail_off))
    return b->tail + (i - b->tail_off);
  if (i >= b->mid_off && i - b->mid_off <= b->mid_len && n <= b->mid_len - (i - b->mid_off))
    return b->mid + (i - b->mid_off);
  return NULL;
}
/* The longest run of available bytes from i: a pointer to it and *n its length
   (NULL, *n = 0 when byte i is not available). */
static inline const uint8_t *pf_vbuf_run(const pf_vbuf *b, uint32_t i, uint32_t *n) {
  const uint8_t *best = NULL;
  *n = 0;
  if (i < b->head_len) { best = b->head + i; *n = b->head_len - i; }
  if (i >= b->mid_off && i - b->mid_off < b->mid_len && b->mid_len - (i - b->mid_off) > *n) {
    best = b->mid + (i - b->mid_off);
    *n = b->mid_len - (i - b->mid_off);
  }
  if (i >= b->tail_off && i - b->tail_off < b->tail_len && b->tail_len - (i - b->tail_off) > *n) {
    best = b->tail + (i - b->tail_off);
    *n = b->tail_len - (i - b->tail_off);
  }
  return best;
}
/* A whole buffer of len bytes in memory. */
static inline pf_vbuf pf_vbuf_flat(const uint8_t *d, uint32_t len, uint32_t rlen) {
  pf_vbuf b;
  b.head = d;
  b.head_len = len;
  b.mid = d;
  b.mid_off = len;
  b.mid_len = 0;
  b.tail = d;
  b.tail_off = len;
  b.tail_len = 0;
  b.len = len;
  b.rlen = rlen;
  b.state = NULL;
  return b;
}

/* The protocol dissector behind the reassembly: looks at b (a segment or a
   reassembled PDU) and sets *req. */
typedef void (*pf_subdissector)(void *ud, const pf_vbuf *b, int can_desegment, pf_deseg *req);

typedef struct pf_tcpflow pf_tcpflow;   /* one direction of one TCP conversation */

/* The budget the flows of one read share: when the bytes held by incomplete PDUs
   pass limit, the least recently used ones are given up (they then never
   complete, where tshark, which keeps everything, might still complete them). */
typedef struct pf_tcppool pf_tcppool;
#define PF_TCPPOOL_LIMIT (32u * 1024u * 1024u)
pf_tcppool *pf_tcppool_new(size_t limit);
void pf_tcppool_free(pf_tcppool *p);   /* after every flow using it */
size_t pf_tcppool_bytes(const pf_tcppool *p);

/* One TCP segment as desegment_tcp() sees it. */
typedef struct pf_tcpdata {
  uint32_t seq, nxtseq;     /* relative sequence numbers of the payload */
  const uint8_t *data;      /* the payload */
  uint32_t len;             /* = nxtseq - seq, all captured */
  uint64_t frame;
  int retransmission;       /* tcp.analysis: retransmission (not fast/spurious) */
  int spurious;             /* tcp.analysis: spurious retransmission */
} pf_tcpdata;

/* pool: the budget to charge (NULL: none). */
pf_tcpflow *pf_tcpflow_new(pf_tcppool *pool);
void pf_tcpflow_free(pf_tcpflow *f);
/* Feeds one segment with payload; calls sub for what tshark would dissect.
   Returns 0, or -1 when out of memory (the segment is then skipped). */
int pf_tcpflow_segment(pf_tcpflow *f, const pf_tcpdata *s, pf_subdissector sub, void *ud);
/* The FIN of this direction (tshark's TCP_FLOW_REASSEMBLE_UNTIL_FIN handling):
   completes a PDU waiting for the end of the stream, with the FIN segment's
   payload (may be empty), and calls sub on it without desegmentation. */
int pf_tcpflow_fin(pf_tcpflow *f, const pf_tcpdata *s, pf_subdissector sub, void *ud);
/* 1 when a subdissector asked for reassembly until FIN on this flow. */
int pf_tcpflow_until_fin(const pf_tcpflow *f);
/* 1 when desegment_tcp would take the segment seq..nxtseq of frame as part of a
   PDU (a retransmission of one's start, or a piece of one) instead of handing it
   to the dissectors; looks only, changes nothing. */
int pf_tcpflow_in_pdu(pf_tcpflow *f, uint32_t seq, uint32_t nxtseq, uint64_t frame);
/* Bytes held by the flow's incomplete PDUs (for tests). */
size_t pf_tcpflow_bytes(const pf_tcpflow *f);

#endif
