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
  int in_error;               /* no segment length: ICMP quote, short segment, unreassembled fragment */
  int full_header;            /* how far tshark gets: 0 fewer than 16 TCP bytes (no conversation);
                                 1 complete; 2 at least 20 bytes but the capture ends inside the
                                 options; 3 data offset below 20 (it stops after tcp.seq);
                                 4 16 to 19 bytes captured */
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
  /* tcp.analysis flags and per-stream times */
  uint32_t analysis;          /* PF_TCPA_* bits: the tcp.analysis.* flags this segment prints */
  uint32_t dupack_num;        /* tcp.analysis.duplicate_ack_num; 0: not printed */
  uint64_t dupack_frame;      /* tcp.analysis.duplicate_ack_frame */
  int has_times;              /* print tcp.time_relative and tcp.time_delta */
  pf_time time_relative;      /* tcp.time_relative: since the stream's first segment */
  pf_time time_delta;         /* tcp.time_delta: since the stream's previous segment */
  uint32_t bytes_in_flight;   /* tcp.analysis.bytes_in_flight; 0: not printed */
} pf_tcpseg;

#define PF_TCPSEG_ANALYSIS 1
/* A fast or spurious retransmission also prints tcp.analysis.retransmission;
   a duplicate ACK prints tcp.analysis.duplicate_ack twice ("1,1"). */
#define PF_TCPA_RETRANSMISSION 0x0001
#define PF_TCPA_LOST_SEGMENT 0x0002
#define PF_TCPA_KEEP_ALIVE 0x0008
#define PF_TCPA_DUPLICATE_ACK 0x0010
#define PF_TCPA_ZERO_WINDOW 0x0020
#define PF_TCPA_ZERO_WINDOW_PROBE 0x0040
#define PF_TCPA_ZERO_WINDOW_PROBE_ACK 0x0080
#define PF_TCPA_KEEP_ALIVE_ACK 0x0100
#define PF_TCPA_OUT_OF_ORDER 0x0200
#define PF_TCPA_FAST_RETRANSMISSION 0x0400
#define PF_TCPA_WINDOW_UPDATE 0x0800
#define PF_TCPA_WINDOW_FULL 0x1000
#define PF_TCPA_REUSED_PORTS 0x2000
#define PF_TCPA_SPURIOUS_RETRANSMISSION 0x4000

/* Updates the conversation of seg and fills its outputs. Returns 0, or -1 out of memory. */
int pf_conv_tcp(pf_conv *c, pf_tcpseg *seg);

/* udp.stream for a datagram (one number per address/port pair and direction-free). -1 out of memory. */
int64_t pf_conv_udp(pf_conv *c, int af, const uint8_t *src, const uint8_t *dst,
                    uint16_t sport, uint16_t dport);

#endif
