/* test_conv.c: unit tests of conv.c on hand-built segment sequences; the expected
   values are what tshark 4.0.17 prints for the same segments. */
#include "conv.h"
#include "check.h"

#include <stdlib.h>
#include <string.h>

#define FIN 0x001
#define SYN 0x002
#define RST 0x004
#define PSH 0x008
#define ACK 0x010

static const uint8_t A4[4] = {10, 0, 0, 1}, B4[4] = {10, 0, 0, 2}, C4[4] = {10, 0, 0, 3};
static const uint8_t A6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
static const uint8_t B6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};

/* A segment from A:1000 to B:80 (dir 0) or back (dir 1), one frame number and
   one millisecond further on each call unless the test sets them. */
typedef struct feed {
  pf_conv *c;
  uint64_t frame;
  pf_time ts;
} feed;

static void feed_init(feed *f) {
  f->c = pf_conv_new();
  f->frame = 0;
  f->ts.secs = 1000;
  f->ts.nsecs = 0;
}

static pf_tcpseg mkseg(feed *f, int dir, uint32_t seq, uint32_t ack, uint16_t flags, uint16_t win,
                       uint32_t len, int wscale) {
  pf_tcpseg s;
  memset(&s, 0, sizeof s);
  s.af = 4;
  s.src = dir ? B4 : A4;
  s.dst = dir ? A4 : B4;
  s.sport = dir ? 80 : 1000;
  s.dport = dir ? 1000 : 80;
  s.seq = seq;
  s.ack = ack;
  s.flags = flags;
  s.win = win;
  s.len = len;
  s.wscale = wscale;
  s.full_header = 1;
  f->frame++;
  f->ts.nsecs += 1000000;
  if (f->ts.nsecs >= 1000000000) {
    f->ts.nsecs -= 1000000000;
    f->ts.secs++;
  }
  s.frame = f->frame;
  s.ts = f->ts;
  return s;
}

/* Builds and feeds one segment; returns it with the outputs filled. */
static pf_tcpseg tx(feed *f, int dir, uint32_t seq, uint32_t ack, uint16_t flags, uint16_t win,
                    uint32_t len, int wscale) {
  pf_tcpseg s = mkseg(f, dir, seq, ack, flags, win, len, wscale);
  if (pf_conv_tcp(f->c, &s) != 0) CHECK(!"pf_conv_tcp failed");
  return s;
}

static int rtt_is(const pf_tcpseg *s, int64_t secs, int32_t nsecs) {
  return s->has_rtt && s->rtt.secs == secs && s->rtt.nsecs == nsecs;
}

static void test_handshake_window_scaling(void) {
  feed f;
  pf_tcpseg s;
  feed_init(&f);
  s = tx(&f, 0, 1000, 0, SYN, 29200, 0, 7);
  CHECK(s.has_stream && s.stream == 0);
  CHECK(s.rel_seq == 0 && s.nxtseq == 1);
  CHECK(s.has_ack && s.rel_ack == 0);         /* no ACK flag: the raw field */
  CHECK(!s.has_scalefactor && s.win_size == 29200);
  s = tx(&f, 1, 5000, 1001, SYN | ACK, 28960, 0, 8);
  CHECK(s.stream == 0 && s.rel_seq == 0 && s.rel_ack == 1 && s.nxtseq == 1);
  CHECK(!s.has_scalefactor && s.win_size == 28960);
  s = tx(&f, 0, 1001, 5001, ACK, 229, 0, -1);
  CHECK(s.rel_seq == 1 && s.rel_ack == 1 && s.nxtseq == 1);
  CHECK(s.has_scalefactor && s.scalefactor == 128 && s.win_size == 229 * 128);
  s = tx(&f, 0, 1001, 5001, ACK | PSH, 229, 100, -1);
  CHECK(s.rel_seq == 1 && s.nxtseq == 101);
  s = tx(&f, 1, 5001, 1101, ACK, 113, 0, -1);
  CHECK(s.scalefactor == 256 && s.win_size == 113 * 256 && s.rel_ack == 101);
  pf_conv_free(f.c);
}

static void test_scaling_not_negotiated(void) {
  feed f;
  pf_tcpseg s;
  feed_init(&f);
  tx(&f, 0, 7, 0, SYN, 1000, 0, 2);             /* the SYN offers scaling */
  tx(&f, 1, 9, 8, SYN | ACK, 2000, 0, -1);      /* the SYN/ACK does not */
  s = tx(&f, 0, 8, 10, ACK, 1000, 0, -1);
  CHECK(s.scalefactor == -2 && s.win_size == 1000);
  s = tx(&f, 1, 10, 8, ACK, 2000, 0, -1);
  CHECK(s.scalefactor == -2 && s.win_size == 2000);
  pf_conv_free(f.c);
}

static void test_syn_not_seen(void) {
  feed f;
  pf_tcpseg s;
  feed_init(&f);
  s = tx(&f, 0, 123456, 654321, ACK | PSH, 500, 10, -1);
  CHECK(s.stream == 0 && s.rel_seq == 1 && s.rel_ack == 1 && s.nxtseq == 11);
  CHECK(s.scalefactor == -1 && s.win_size == 500);
  s = tx(&f, 1, 654321, 123466, ACK, 600, 0, -1);
  CHECK(s.rel_seq == 1 && s.rel_ack == 11 && s.scalefactor == -1);
  CHECK(s.acks_frame == 1 && rtt_is(&s, 0, 1000000));
  pf_conv_free(f.c);
}

static void test_rtt_on_handshake(void) {
  feed f;
  pf_tcpseg s;
  feed_init(&f);
  s = tx(&f, 0, 100, 0, SYN, 1000, 0, -1);
  CHECK(!s.has_rtt && s.acks_frame == 0);
  f.ts.nsecs += 20000000;                       /* 21 ms to the SYN/ACK */
  s = tx(&f, 1, 200, 101, SYN | ACK, 1000, 0, -1);
  CHECK(s.acks_frame == 1 && rtt_is(&s, 0, 21000000));
  f.ts.nsecs += 4000000;                        /* 5 ms to the third ACK */
  s = tx(&f, 0, 101, 201, ACK, 1000, 0, -1);
  CHECK(s.acks_frame == 2 && rtt_is(&s, 0, 5000000));
  pf_conv_free(f.c);
}

static void test_no_rtt_on_duplicate_or_partial_ack(void) {
  feed f;
  pf_tcpseg s;
  feed_init(&f);
  tx(&f, 0, 1000, 0, SYN, 1000, 0, -1);
  tx(&f, 1, 2000, 1001, SYN | ACK, 1000, 0, -1);
  tx(&f, 0, 1001, 2001, ACK, 1000, 0, -1);
  tx(&f, 1, 2001, 1001, ACK | PSH, 1000, 50, -1);  /* frame 4: 50 bytes */
  s = tx(&f, 0, 1001, 2026, ACK, 1000, 0, -1);     /* acks half of it */
  CHECK(s.acks_frame == 0 && !s.has_rtt);
  s = tx(&f, 0, 1001, 2026, ACK, 1000, 0, -1);     /* duplicate */
  CHECK(s.acks_frame == 0 && !s.has_rtt);
  s = tx(&f, 0, 1001, 2051, ACK, 1000, 0, -1);     /* the rest: RTT to frame 4 */
  CHECK(s.acks_frame == 4 && rtt_is(&s, 0, 3000000));
  s = tx(&f, 0, 1001, 2051, ACK, 1000, 0, -1);     /* duplicate again */
  CHECK(s.acks_frame == 0 && !s.has_rtt);
  s = tx(&f, 0, 1001, 2051, ACK, 2000, 0, -1);     /* window update */
  CHECK(s.acks_frame == 0 && !s.has_rtt);
  pf_conv_free(f.c);
}

static void test_retransmission_acks_oldest(void) {
  feed f;
  pf_tcpseg s;
  feed_init(&f);
  tx(&f, 0, 10, 0, SYN, 1000, 0, -1);
  tx(&f, 1, 20, 11, SYN | ACK, 1000, 0, -1);
  tx(&f, 0, 11, 21, ACK | PSH, 1000, 5, -1);       /* frame 3 */
  tx(&f, 0, 11, 21, ACK | PSH, 1000, 5, -1);       /* retransmissions */
  tx(&f, 0, 11, 21, ACK | PSH, 1000, 5, -1);
  s = tx(&f, 1, 21, 16, ACK, 1000, 0, -1);
  CHECK(s.acks_frame == 3 && rtt_is(&s, 0, 3000000));
  pf_conv_free(f.c);
}

static void test_zero_and_negative_rtt(void) {
  feed f;
  pf_tcpseg s;
  feed_init(&f);
  tx(&f, 0, 10, 0, SYN, 1000, 0, -1);
  s = mkseg(&f, 1, 20, 11, SYN | ACK, 1000, 0, -1);
  s.ts.nsecs -= 1000000;                           /* same time as the SYN */
  CHECK(pf_conv_tcp(f.c, &s) == 0);
  CHECK(s.acks_frame == 1 && !s.has_rtt);          /* acks_frame without ack_rtt */
  tx(&f, 0, 11, 21, ACK | PSH, 1000, 5, -1);       /* frame 3 at t0+2ms */
  s = mkseg(&f, 1, 21, 16, ACK, 1000, 0, -1);
  s.ts.nsecs -= 3000000;                           /* 2 ms before frame 3 */
  CHECK(pf_conv_tcp(f.c, &s) == 0);
  CHECK(s.acks_frame == 3 && rtt_is(&s, 0, -2000000));  /* prints -0.002000000 */
  pf_conv_free(f.c);
}

static void test_port_reuse_new_isn(void) {
  feed f;
  pf_tcpseg s;
  feed_init(&f);
  tx(&f, 0, 1000, 0, SYN, 1000, 0, -1);
  tx(&f, 1, 2000, 1001, SYN | ACK, 1000, 0, -1);
  tx(&f, 0, 1001, 2001, FIN | ACK, 1000, 0, -1);
  tx(&f, 1, 2001, 1002, FIN | ACK, 1000, 0, -1);
  s = tx(&f, 0, 1002, 2002, ACK, 1000, 0, -1);
  CHECK(s.stream == 0);
  s = tx(&f, 0, 50000, 0, SYN, 1000, 0, -1);        /* new ISN: new stream */
  CHECK(s.stream == 1 && s.rel_seq == 0);
  s = tx(&f, 1, 60000, 50001, SYN | ACK, 1000, 0, -1);
  CHECK(s.stream == 1 && s.rel_seq == 0 && s.rel_ack == 1);
  s = tx(&f, 0, 50001, 60001, ACK, 1000, 0, -1);
  CHECK(s.stream == 1 && s.rel_seq == 1 && s.rel_ack == 1);
  /* the new stream's state starts afresh: unknown scaling */
  CHECK(s.scalefactor == -2);
  pf_conv_free(f.c);
}

static void test_same_isn_syn_keeps_stream(void) {
  feed f;
  pf_tcpseg s;
  feed_init(&f);
  tx(&f, 0, 1000, 0, SYN, 1000, 0, -1);
  tx(&f, 1, 2000, 1001, SYN | ACK, 1000, 0, -1);
  tx(&f, 0, 1001, 2001, FIN | ACK, 1000, 0, -1);
  tx(&f, 1, 2001, 1002, RST, 0, 0, -1);
  s = tx(&f, 0, 1000, 0, SYN, 1000, 0, -1);         /* same ISN after FIN/RST */
  CHECK(s.stream == 0 && s.rel_seq == 0);
  /* FIN and RST alone never split, nor does time */
  s = mkseg(&f, 0, 1001, 2001, ACK, 1000, 0, -1);
  s.ts.secs += 100000;
  CHECK(pf_conv_tcp(f.c, &s) == 0);
  CHECK(s.stream == 0);
  pf_conv_free(f.c);
}

static void test_synack_new_isn_rebases(void) {
  feed f;
  pf_tcpseg s;
  feed_init(&f);
  tx(&f, 0, 1000, 0, SYN, 1000, 0, -1);
  tx(&f, 1, 2000, 1001, SYN | ACK, 1000, 0, -1);
  s = tx(&f, 1, 7000, 1001, SYN | ACK, 1000, 0, -1); /* another ISN from the server */
  CHECK(s.stream == 0 && s.rel_seq == 0);
  s = tx(&f, 1, 7001, 1001, ACK | PSH, 1000, 5, -1);
  CHECK(s.stream == 0 && s.rel_seq == 1 && s.nxtseq == 6);
  pf_conv_free(f.c);
}

static void test_reuse_from_other_side(void) {
  /* the newest conversation of an address/port pair wins in both directions */
  feed f;
  pf_tcpseg s;
  feed_init(&f);
  tx(&f, 1, 100, 200, ACK | PSH, 1000, 3, -1);      /* stream 0 begins from B */
  tx(&f, 0, 200, 103, ACK, 1000, 0, -1);
  s = tx(&f, 0, 9000, 0, SYN, 1000, 0, -1);          /* A reuses: stream 1 */
  CHECK(s.stream == 1);
  s = tx(&f, 1, 7000, 9001, SYN | ACK, 1000, 0, -1);
  CHECK(s.stream == 1);
  s = tx(&f, 1, 7001, 9001, ACK | PSH, 1000, 4, -1);
  CHECK(s.stream == 1 && s.rel_seq == 1);
  s = tx(&f, 1, 5555, 0, SYN, 1000, 0, -1);          /* B reuses: stream 2 */
  CHECK(s.stream == 2);
  s = tx(&f, 0, 9001, 7005, ACK, 1000, 0, -1);
  CHECK(s.stream == 2 && s.rel_ack == 1450);
  pf_conv_free(f.c);
}

static void test_seq_wrap(void) {
  feed f;
  pf_tcpseg s;
  feed_init(&f);
  tx(&f, 0, 0xfffffff0u, 0, SYN, 1000, 0, -1);
  tx(&f, 1, 0xffffffffu, 0xfffffff1u, SYN | ACK, 1000, 0, -1);
  s = tx(&f, 0, 0xfffffff1u, 0, ACK | PSH, 1000, 40, -1);
  CHECK(s.rel_seq == 1 && s.rel_ack == 1 && s.nxtseq == 41);
  s = tx(&f, 1, 0, 0x19, ACK, 1000, 0, -1);
  CHECK(s.rel_seq == 1 && s.rel_ack == 41);
  CHECK(s.acks_frame == 3);
  /* a segment before the base prints as a large number, as tshark does */
  s = tx(&f, 0, 0xffffffe0u, 0, ACK, 1000, 0, -1);
  CHECK(s.rel_seq == 4294967280u);
  pf_conv_free(f.c);
}

static void test_icmp_quoted_header(void) {
  feed f;
  pf_tcpseg s;
  feed_init(&f);
  tx(&f, 0, 1000, 0, SYN, 1000, 0, 2);
  tx(&f, 1, 2000, 1001, SYN | ACK, 1000, 0, 3);
  s = mkseg(&f, 0, 1001, 2001, ACK | PSH, 1000, 10, -1);
  s.in_error = 1;                                   /* full header in an ICMP error */
  CHECK(pf_conv_tcp(f.c, &s) == 0);
  CHECK(s.stream == 0 && s.rel_seq == 1001 && s.rel_ack == 2001);   /* raw */
  CHECK(s.win_size == 1000 && s.scalefactor == 4);  /* not scaled, factor shown */
  CHECK(s.acks_frame == 0);
  s = mkseg(&f, 0, 1, 0, SYN, 1000, 0, -1);
  s.sport = 1001;
  s.full_header = 0;                                /* 8-byte quote: no stream */
  CHECK(pf_conv_tcp(f.c, &s) == 0);
  CHECK(!s.has_stream && s.rel_seq == 1);
  s = mkseg(&f, 0, 1, 0, SYN, 1000, 0, -1);
  s.sport = 1002;
  s.in_error = 1;                                   /* unseen pair: takes a number */
  CHECK(pf_conv_tcp(f.c, &s) == 0);
  CHECK(s.stream == 1);
  s = mkseg(&f, 0, 424242, 0, SYN, 1000, 0, -1);
  s.in_error = 1;                                   /* quoted SYN, other ISN: reuse */
  CHECK(pf_conv_tcp(f.c, &s) == 0);
  CHECK(s.stream == 2 && s.rel_seq == 424242);
  pf_conv_free(f.c);
}

static void test_header_cut_and_short(void) {
  feed f;
  pf_tcpseg s;
  feed_init(&f);
  s = mkseg(&f, 0, 10, 0, SYN, 1000, 0, -1);
  s.full_header = 2;                                /* options cut by the snaplen */
  CHECK(pf_conv_tcp(f.c, &s) == 0);
  CHECK(s.stream == 0);
  s = tx(&f, 1, 20, 11, SYN | ACK, 1000, 0, 5);
  CHECK(s.acks_frame == 1);
  s = mkseg(&f, 0, 11, 21, ACK, 1000, 0, -1);
  s.full_header = 2;
  CHECK(pf_conv_tcp(f.c, &s) == 0);
  CHECK(s.has_ack && s.rel_ack == 1 && s.acks_frame == 0);   /* no analysis output */
  /* the cut SYN skipped the window-scale check: this side stays unknown */
  CHECK(s.scalefactor == -1);
  s = mkseg(&f, 0, 11, 21, ACK, 1000, 0, -1);
  s.full_header = 3;                                /* data offset below 20 */
  CHECK(pf_conv_tcp(f.c, &s) == 0);
  CHECK(s.has_stream && s.rel_seq == 1 && !s.has_ack && !s.has_scalefactor);
  pf_conv_free(f.c);
}

static void test_unacked_cap(void) {
  feed f;
  pf_tcpseg s;
  uint32_t i, seq = 1;
  feed_init(&f);
  tx(&f, 0, 0, 0, SYN, 1000, 0, -1);
  tx(&f, 1, 0, 1, SYN | ACK, 1000, 0, -1);
  for (i = 0; i < 10005; i++, seq++) tx(&f, 0, seq, 1, ACK, 1000, 1, -1);
  /* only 10000 unacked segments are kept (frames 3..10002, the SYN being
     acked already): later ones never get an RTT */
  s = tx(&f, 1, 1, 10000, ACK, 1000, 0, -1);
  CHECK(s.acks_frame == 10001);
  s = tx(&f, 1, 1, 10001, ACK, 1000, 0, -1);
  CHECK(s.acks_frame == 10002);
  s = tx(&f, 1, 1, 10003, ACK, 1000, 0, -1);
  CHECK(s.acks_frame == 0);
  s = tx(&f, 1, 1, seq, ACK, 1000, 0, -1);
  CHECK(s.acks_frame == 0);
  /* with the list drained, new segments are remembered again */
  tx(&f, 0, seq, 1, ACK | PSH, 1000, 1, -1);
  s = tx(&f, 1, 1, seq + 1, ACK, 1000, 0, -1);
  CHECK(s.acks_frame == f.frame - 1);
  pf_conv_free(f.c);
}

static void test_many_conversations(void) {
  pf_conv *c = pf_conv_new();
  pf_tcpseg s;
  uint32_t i, ok = 1;
  uint8_t src[4], dst[4] = {192, 168, 0, 1};
  for (i = 0; i < 200000; i++) {
    memset(&s, 0, sizeof s);
    src[0] = 10;
    src[1] = (uint8_t)(i >> 16);
    src[2] = (uint8_t)(i >> 8);
    src[3] = (uint8_t)i;
    s.af = 4;
    s.src = src;
    s.dst = dst;
    s.sport = (uint16_t)(i * 7);
    s.dport = 443;
    s.seq = i;
    s.flags = SYN;
    s.win = 1000;
    s.wscale = -1;
    s.full_header = 1;
    s.frame = i + 1;
    if (pf_conv_tcp(c, &s) != 0 || s.stream != i) ok = 0;
  }
  CHECK(ok);
  /* and each is found again from the other side */
  for (i = 0; i < 200000; i += 997) {
    memset(&s, 0, sizeof s);
    src[0] = 10;
    src[1] = (uint8_t)(i >> 16);
    src[2] = (uint8_t)(i >> 8);
    src[3] = (uint8_t)i;
    s.af = 4;
    s.src = dst;
    s.dst = src;
    s.sport = 443;
    s.dport = (uint16_t)(i * 7);
    s.seq = 5;
    s.ack = i + 1;
    s.flags = SYN | ACK;
    s.wscale = -1;
    s.full_header = 1;
    s.frame = 300000 + i;
    if (pf_conv_tcp(c, &s) != 0 || s.stream != i || s.acks_frame != i + 1) ok = 0;
  }
  CHECK(ok);
  pf_conv_free(c);
}

static void test_udp_stream(void) {
  pf_conv *c = pf_conv_new();
  pf_tcpseg s;
  CHECK(pf_conv_udp(c, 4, A4, B4, 5353, 53) == 0);
  CHECK(pf_conv_udp(c, 4, B4, A4, 53, 5353) == 0);      /* both directions */
  CHECK(pf_conv_udp(c, 4, A4, B4, 5354, 53) == 1);
  CHECK(pf_conv_udp(c, 4, A4, C4, 5353, 53) == 2);
  CHECK(pf_conv_udp(c, 6, A6, B6, 5353, 53) == 3);      /* IPv6 apart from IPv4 */
  CHECK(pf_conv_udp(c, 6, B6, A6, 53, 5353) == 3);
  CHECK(pf_conv_udp(c, 4, A4, A4, 7, 7) == 4);          /* to itself */
  CHECK(pf_conv_udp(c, 4, A4, B4, 5353, 53) == 0);
  /* TCP counts on its own */
  memset(&s, 0, sizeof s);
  s.af = 4;
  s.src = A4;
  s.dst = B4;
  s.sport = 5353;
  s.dport = 53;
  s.flags = SYN;
  s.wscale = -1;
  s.full_header = 1;
  s.frame = 1;
  CHECK(pf_conv_tcp(c, &s) == 0 && s.stream == 0);
  CHECK(pf_conv_udp(c, 4, C4, B4, 1, 2) == 5);
  pf_conv_free(c);
}

static void test_garbage_does_not_crash(void) {
  /* random headers, flags and times: every call returns 0 and the outputs
     are consistent with the inputs */
  pf_conv *c = pf_conv_new();
  uint8_t addrs[3][16] = {{1}, {2}, {3}};
  uint32_t x = 12345, i, ok = 1;
  for (i = 0; i < 200000; i++) {
    pf_tcpseg s;
    memset(&s, 0, sizeof s);
    x = x * 1103515245u + 12345u;
    s.af = (x >> 5) & 1 ? 6 : 4;
    s.src = addrs[(x >> 7) % 3];
    s.dst = addrs[(x >> 9) % 3];
    s.sport = (uint16_t)((x >> 11) & 3);
    s.dport = (uint16_t)((x >> 13) & 3);
    x = x * 1103515245u + 12345u;
    s.seq = x;
    x = x * 1103515245u + 12345u;
    s.ack = (x & 1) ? x : s.seq + (x & 0xff);
    x = x * 1103515245u + 12345u;
    s.flags = (uint16_t)(x & 0xfff);
    s.win = (uint16_t)(x >> 12);
    s.len = (x >> 28) & 1 ? 0 : x >> 20;
    s.wscale = (int)((x >> 3) % 40) - 2;
    s.in_error = (x >> 1) % 7 == 0;
    s.full_header = (int)((x >> 24) % 4);
    s.frame = i + 1;
    s.ts.secs = (int64_t)(x % 1000);
    s.ts.nsecs = (int32_t)((x >> 8) % 1000000000u);
    if (pf_conv_tcp(c, &s) != 0) ok = 0;
    if (s.full_header == 0 && s.has_stream) ok = 0;
    if (s.has_rtt && s.acks_frame == 0) ok = 0;
    if (s.acks_frame > s.frame) ok = 0;
  }
  CHECK(ok);
  pf_conv_free(c);
  pf_conv_free(NULL);
}

int main(void) {
  test_handshake_window_scaling();
  test_scaling_not_negotiated();
  test_syn_not_seen();
  test_rtt_on_handshake();
  test_no_rtt_on_duplicate_or_partial_ack();
  test_retransmission_acks_oldest();
  test_zero_and_negative_rtt();
  test_port_reuse_new_isn();
  test_same_isn_syn_keeps_stream();
  test_synack_new_isn_rebases();
  test_reuse_from_other_side();
  test_seq_wrap();
  test_icmp_quoted_header();
  test_header_cut_and_short();
  test_unacked_cap();
  test_many_conversations();
  test_udp_stream();
  test_garbage_does_not_crash();
  return check_report("test_conv");
}
