/* dissect_l4.c: transports over IP: TCP (with conversation state), UDP, ICMP, ICMPv6, IP in IP. */
#include "dissect.h"

/* The window scale option's shift, or -1 when the options hold none. */
static int tcp_wscale(const uint8_t *o, uint32_t n) {
  uint32_t i = 0;
  while (i < n) {
    uint8_t kind = o[i];
    if (kind == 0) break;
    if (kind == 1) { i++; continue; }
    if (i + 1 >= n) break;
    uint8_t l = o[i + 1];
    if (l < 2 || i + l > n) break;
    if (kind == 3 && l == 3) return o[i + 2];
    i += l;
  }
  return -1;
}

static void dissect_tcp(pf_dctx *c, int af, const uint8_t *src, const uint8_t *dst,
                        const uint8_t *d, uint32_t len, uint32_t rlen) {
  if (len < 4) return;
  uint16_t sport = pf_get16(d), dport = pf_get16(d + 2);
  pf_emit_u(c, PF_F_TCP_SRCPORT, sport);
  pf_emit_u(c, PF_F_TCP_DSTPORT, dport);
  pf_emit_u(c, PF_F_TCP_PORT, sport);
  pf_emit_u(c, PF_F_TCP_PORT, dport);
  int full = len >= 20;
  if (c->in_error && !full) {
    if (len >= 8) pf_emit_u(c, PF_F_TCP_SEQ, pf_get32(d + 4));   /* raw, as tshark shows a quote */
    return;
  }
  if (!full) return;
  uint32_t seq = pf_get32(d + 4), ack = pf_get32(d + 8);
  uint32_t hlen = (uint32_t)(d[12] >> 4) * 4;
  uint16_t flags = (uint16_t)((d[12] & 0x0f) << 8 | d[13]);
  uint16_t win = pf_get16(d + 14);
  uint32_t plen = rlen >= hlen ? rlen - hlen : 0;
  /* "short segment": the IP payload is shorter than the TCP header says, so
     tshark knows no segment length and, as in an ICMP quote, shows raw
     numbers and skips sequence analysis */
  int seglen_known = !c->in_error && rlen >= hlen;
  pf_tcpseg s;
  int have_state = 0;
  if (c->depth >= PF_LY_STATE && c->conv && hlen >= 20) {
    memset(&s, 0, sizeof s);
    s.af = af;
    s.src = src;
    s.dst = dst;
    s.sport = sport;
    s.dport = dport;
    s.seq = seq;
    s.ack = ack;
    s.flags = flags;
    s.win = win;
    s.len = plen;
    s.wscale = hlen > 20 && len >= hlen && seglen_known ? tcp_wscale(d + 20, hlen - 20) : -1;
    s.in_error = !seglen_known;
    s.full_header = 1;
    s.frame = c->p->num;
    s.ts = c->p->ts;
    if (pf_conv_tcp(c->conv, &s) < 0) { c->oom = 1; return; }
    have_state = 1;
  }
  if (have_state && s.has_stream) pf_emit_u(c, PF_F_TCP_STREAM, s.stream);
  if (hlen < 20) {
    pf_emit_u(c, PF_F_TCP_HDR_LEN, hlen);
    return;
  }
  if (seglen_known) pf_emit_u(c, PF_F_TCP_LEN, plen);
  if (have_state) pf_emit_u(c, PF_F_TCP_SEQ, s.rel_seq);
  pf_emit_u(c, PF_F_TCP_SEQ_RAW, seq);
  if (have_state && seglen_known) pf_emit_u(c, PF_F_TCP_NXTSEQ, s.nxtseq);
  if (have_state && s.has_ack) pf_emit_u(c, PF_F_TCP_ACK, s.rel_ack);
  pf_emit_u(c, PF_F_TCP_ACK_RAW, ack);
  pf_emit_u(c, PF_F_TCP_HDR_LEN, hlen);
  pf_emit_u(c, PF_F_TCP_FLAGS, flags);
  pf_emit_u(c, PF_F_TCP_FLAGS_ACK, (flags >> 4) & 1);
  pf_emit_u(c, PF_F_TCP_FLAGS_PUSH, (flags >> 3) & 1);
  pf_emit_u(c, PF_F_TCP_FLAGS_RESET, (flags >> 2) & 1);
  pf_emit_u(c, PF_F_TCP_FLAGS_SYN, (flags >> 1) & 1);
  pf_emit_u(c, PF_F_TCP_FLAGS_FIN, flags & 1);
  pf_emit_u(c, PF_F_TCP_WINDOW_SIZE_VALUE, win);
  if (have_state) {
    pf_emit_u(c, PF_F_TCP_WINDOW_SIZE, (uint64_t)s.win_size);
    if (s.has_scalefactor) pf_emit_i(c, PF_F_TCP_WINDOW_SIZE_SCALEFACTOR, s.scalefactor);
  }
  pf_emit_u(c, PF_F_TCP_CHECKSUM, pf_get16(d + 16));
  pf_emit_u(c, PF_F_TCP_URGENT_POINTER, pf_get16(d + 18));
  /* tshark prints the acked frame even when the RTT is zero and not shown */
  if (have_state && s.acks_frame) pf_emit_u(c, PF_F_TCP_ANALYSIS_ACKS_FRAME, s.acks_frame);
  if (have_state && s.has_rtt) pf_emit_t(c, PF_F_TCP_ANALYSIS_ACK_RTT, s.rtt);
}

static void dissect_udp(pf_dctx *c, int af, const uint8_t *src, const uint8_t *dst,
                        const uint8_t *d, uint32_t len) {
  if (len < 8) {
    if (len >= 4) {
      pf_emit_u(c, PF_F_UDP_SRCPORT, pf_get16(d));
      pf_emit_u(c, PF_F_UDP_DSTPORT, pf_get16(d + 2));
      pf_emit_u(c, PF_F_UDP_PORT, pf_get16(d));
      pf_emit_u(c, PF_F_UDP_PORT, pf_get16(d + 2));
    }
    return;
  }
  uint16_t sport = pf_get16(d), dport = pf_get16(d + 2);
  pf_emit_u(c, PF_F_UDP_SRCPORT, sport);
  pf_emit_u(c, PF_F_UDP_DSTPORT, dport);
  pf_emit_u(c, PF_F_UDP_PORT, sport);
  pf_emit_u(c, PF_F_UDP_PORT, dport);
  pf_emit_u(c, PF_F_UDP_LENGTH, pf_get16(d + 4));
  pf_emit_u(c, PF_F_UDP_CHECKSUM, pf_get16(d + 6));
  if (c->depth >= PF_LY_STATE && c->conv && pf_wants(c, PF_F_UDP_STREAM)) {
    int64_t st = pf_conv_udp(c->conv, af, src, dst, sport, dport);
    if (st < 0) { c->oom = 1; return; }
    pf_emit_u(c, PF_F_UDP_STREAM, (uint64_t)st);
  }
}

static void dissect_icmp(pf_dctx *c, const uint8_t *d, uint32_t len, uint32_t rlen) {
  if (len < 4) return;
  uint8_t type = d[0];
  pf_emit_u(c, PF_F_ICMP_TYPE, type);
  pf_emit_u(c, PF_F_ICMP_CODE, d[1]);
  if (c->in_error) return;   /* an error about an error quotes nothing further */
  if ((type == 3 || type == 4 || type == 5 || type == 11 || type == 12) && len > 8) {
    uint32_t k = rlen - 8;
    c->in_error = 4;
    pf_dissect_ipv4(c, d + 8, len - 8, rlen - 8, &k);
    c->in_error = 0;
  }
}

static void dissect_icmpv6(pf_dctx *c, const uint8_t *d, uint32_t len, uint32_t rlen) {
  if (len < 4) return;
  uint8_t type = d[0];
  pf_emit_u(c, PF_F_ICMPV6_TYPE, type);
  pf_emit_u(c, PF_F_ICMPV6_CODE, d[1]);
  if (c->in_error) return;
  if (type >= 1 && type <= 4 && len > 8) {
    uint32_t k = rlen - 8;
    c->in_error = 6;
    pf_dissect_ipv6(c, d + 8, len - 8, rlen - 8, &k);
    c->in_error = 0;
  }
}

void pf_dissect_ipproto(pf_dctx *c, int proto, int af, const uint8_t *src, const uint8_t *dst,
                        const uint8_t *d, uint32_t len, uint32_t rlen) {
  uint32_t k = rlen;
  /* tshark decodes only the first 8 bytes of a transport header quoted in an
     ICMPv4 error (RFC 792's "64 bits of data"), even when more were quoted */
  if (c->in_error == 4 && len > 8) len = rlen = 8;
  switch (proto) {
    case 6: if (c->depth >= PF_LY_TRANS) dissect_tcp(c, af, src, dst, d, len, rlen); break;
    case 17: if (c->depth >= PF_LY_TRANS) dissect_udp(c, af, src, dst, d, len); break;
    case 1: if (af == 4) dissect_icmp(c, d, len, rlen); break;
    case 58: dissect_icmpv6(c, d, len, rlen); break;
    case 4: pf_dissect_ipv4(c, d, len, rlen, &k); break;
    case 41: pf_dissect_ipv6(c, d, len, rlen, &k); break;
    default: break;
  }
}
