/* conv.h: TCP and UDP conversation state: stream numbers, relative sequence numbers,
   window scaling and ACK round-trip times, computed in one pass as tshark 4.0 does. */
#ifndef PF_CONV_H
#define PF_CONV_H

#include "pf.h"

typedef struct pf_conv pf_conv;   /* all conversations of one read */

/* NULL when out of memory. */
pf_conv *pf_conv_new(void);
void pf_conv_free(pf_conv *c);

/* One TCP segment as the dissector saw it (inputs), and what the
   conversation state says about it (outputs). */
typedef struct pf_tcpseg {
  /* inputs */
  int af;                     /* 4 or 6 */
  const uint8_t *src, *dst;   /* 4 or 16 bytes, network order */
  uint16_t sport, dport;
  uint32_t seq, ack;          /* raw */
  uint16_t flags;             /* 12-bit flag field */
  uint16_t win;               /* raw window */
  uint32_t len;               /* payload length (tcp.len) */
  int wscale;                 /* window scale option shift, -1 when absent */
  int in_error;               /* header quoted inside an ICMP error */
  int full_header;            /* the whole fixed header was present (an 8-byte ICMP quote is not) */
  uint64_t frame;             /* frame number */
  pf_time ts;
  /* outputs */
  uint32_t stream;
  uint32_t rel_seq, rel_ack, nxtseq;
  int has_stream;
  int has_ack;                /* print tcp.ack */
  int64_t win_size;           /* tcp.window_size */
  int scalefactor;            /* tcp.window_size_scalefactor value */
  int has_scalefactor;        /* SYN segments print none */
  int has_rtt;
  pf_time rtt;                /* tcp.analysis.ack_rtt */
  uint64_t acks_frame;        /* tcp.analysis.acks_frame */
} pf_tcpseg;

/* Updates the conversation of seg and fills its outputs. Returns 0, or -1 out of memory. */
int pf_conv_tcp(pf_conv *c, pf_tcpseg *seg);

/* udp.stream for a datagram (one number per address/port pair and direction-free). -1 out of memory. */
int64_t pf_conv_udp(pf_conv *c, int af, const uint8_t *src, const uint8_t *dst,
                    uint16_t sport, uint16_t dport);

#endif
