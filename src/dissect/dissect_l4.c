/* dissect_l4.c: transports over IP: TCP (with conversation state) and UDP. */
#include "dissect.h"

/* Walks TCP options as tshark's tcp_dissect_options does: EOL ends the walk,
   NOP is skipped, a bad length stops it. Emits the option fields asked for,
   sets o->wscale when a window scale option (length exactly 3) is read and
   sums SACK blocks as dissect_tcpopt_sack stores them for bytes in flight
   (it keeps blocks 1 to 3 of an option: MAX_TCP_SACK_RANGES is 4 and it
   stores a block only while its 1-based count is below that).
   Returns 1 when the walk had to read past the captured bytes (tshark stops
   the TCP dissection there), else 0. */
typedef struct tcp_opts {
  int wscale;              /* window scale shift, -1 when absent */
  int nsack;               /* SACK blocks kept for bytes in flight (at most 3) */
  uint32_t sack_delivered; /* bytes those blocks cover */
} tcp_opts;

static int tcp_options(pf_dctx *c, const uint8_t *d, uint32_t cap, uint32_t hlen, tcp_opts *o) {
  uint32_t off = 20, left = hlen - 20;
  while (left > 0) {
    if (off >= cap) return 1;
    uint8_t kind = d[off];
    left--;
    if (kind == 0) break;
    if (kind == 1) { off++; continue; }
    if (left == 0) break;
    if (off + 1 >= cap) return 1;
    uint32_t ol = d[off + 1];
    left--;
    if (ol < 2) break;
    if (ol - 2 > left) return off + left > cap;   /* tshark's item over the rest must exist */
    /* each option's dissector checks its own length (tcp_option_len_check)
       and reads its value only when the length is the expected one */
    if (kind == 4) {
      /* an FT_PROTOCOL item over the option: tshark prints its captured bytes */
      uint32_t n = off + ol <= cap ? ol : cap - off;
      pf_emit_s(c, PF_F_TCP_OPTIONS_SACK_PERM, d + off, n);
    }
    if (kind == 8 && ol == 10) {   /* each value shown as far as it was captured */
      if (off + 6 <= cap) pf_emit_u(c, PF_F_TCP_OPTIONS_TIMESTAMP_TSVAL, pf_get32(d + off + 2));
      if (off + 10 <= cap) pf_emit_u(c, PF_F_TCP_OPTIONS_TIMESTAMP_TSECR, pf_get32(d + off + 6));
    }
    if (off + ol > cap) return 1;
    if (kind == 2 && ol == 4) pf_emit_u(c, PF_F_TCP_OPTIONS_MSS_VAL, pf_get16(d + off + 2));
    if (kind == 5) {
      uint32_t p = off + 2, rest = ol - 2;
      int n = 0;
      o->nsack = 0;
      o->sack_delivered = 0;
      while (rest >= 8) {
        n++;
        if (n < 4) {
          o->nsack = n;
          o->sack_delivered += pf_get32(d + p + 4) - pf_get32(d + p);
        }
        p += 8;
        rest -= 8;
      }
    }
    if (kind == 3 && ol == 3) {
      o->wscale = d[off + 2];
      pf_emit_u(c, PF_F_TCP_OPTIONS_WSCALE_SHIFT, d[off + 2]);
    }
    off += ol;
    left -= ol - 2;
  }
  return 0;
}

void pf_dissect_tcp(pf_dctx *c, int af, const uint8_t *src, const uint8_t *dst,
                    const uint8_t *d, uint32_t len, uint32_t rlen) {
  pf_proto(c, PF_P_TCP, d, len);
  if (len < 4) return;
  uint16_t sport = pf_get16(d), dport = pf_get16(d + 2);
  pf_emit_u(c, PF_F_TCP_SRCPORT, sport);
  pf_emit_u(c, PF_F_TCP_DSTPORT, dport);
  pf_emit_u(c, PF_F_TCP_PORT, sport);
  pf_emit_u(c, PF_F_TCP_PORT, dport);
  if (len < 16) {
    /* an ICMP quote: tshark shows the raw sequence number and stops */
    if (len >= 8) pf_emit_u(c, PF_F_TCP_SEQ, pf_get32(d + 4));
    return;
  }
  uint32_t seq = pf_get32(d + 4), ack = pf_get32(d + 8);
  uint32_t hlen = (uint32_t)(d[12] >> 4) * 4;
  uint16_t flags = (uint16_t)((d[12] & 0x0f) << 8 | d[13]);
  uint16_t win = pf_get16(d + 14);
  /* no segment length inside an ICMP quote, in an unreassembled fragment, or
     when the IP payload is shorter than the TCP header ("short segment"):
     tshark then shows raw numbers and skips the sequence analysis */
  int seglen_known = !c->in_error && !c->fragment && rlen >= hlen;
  uint32_t plen = rlen >= hlen ? rlen - hlen : 0;
  pf_tcpseg s;
  int have_state = 0;
  tcp_opts opts = { -1, 0, 0 };
  if (c->depth >= PF_LY_STATE && c->conv) {
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
    s.wscale = -1;
    s.in_error = !seglen_known;
    if (hlen < 20) s.full_header = 3;
    else if (len < 20) s.full_header = 4;
    else if (hlen > 20 && tcp_options(c, d, len, hlen, &opts)) s.full_header = 2;
    else s.full_header = 1;
    s.frame = c->p->num;
    s.ts = c->p->ts;
    s.wscale = opts.wscale;
    if (pf_conv_tcp(c->conv, &s) < 0) { c->oom = 1; return; }
    have_state = 1;
  }
  uint32_t bif = 0;
  if (have_state) {
    uint32_t off = hlen <= len ? hlen : len;
    bif = pf_app_tcp(c, &s, opts.nsack, opts.sack_delivered, d + off, len - off);
  }
  if (!have_state && hlen > 20 && len >= 20 && c->depth >= PF_LY_TRANS &&
      (pf_wants(c, PF_F_TCP_OPTIONS_MSS_VAL) || pf_wants(c, PF_F_TCP_OPTIONS_WSCALE_SHIFT) ||
       pf_wants(c, PF_F_TCP_OPTIONS_SACK_PERM) || pf_wants(c, PF_F_TCP_OPTIONS_TIMESTAMP_TSVAL) ||
       pf_wants(c, PF_F_TCP_OPTIONS_TIMESTAMP_TSECR))) {
    tcp_options(c, d, len, hlen, &opts);
  }
  if (have_state && s.has_stream) pf_emit_u(c, PF_F_TCP_STREAM, s.stream);
  /* tshark gives the length even for a bogus header length: the IP payload less it */
  if (seglen_known) pf_emit_u(c, PF_F_TCP_LEN, plen);
  pf_emit_u(c, PF_F_TCP_SEQ, have_state ? s.rel_seq : seq);
  pf_emit_u(c, PF_F_TCP_SEQ_RAW, seq);
  if (hlen < 20) {   /* bogus header length: tshark gives up after saying so */
    pf_malformed(c, d + 12, "TCP: bogus header length %u (at least 20)", hlen);
    pf_emit_u(c, PF_F_TCP_HDR_LEN, hlen);
    return;
  }
  if (have_state && seglen_known) pf_emit_u(c, PF_F_TCP_NXTSEQ, s.nxtseq);
  if (have_state && s.has_ack) pf_emit_u(c, PF_F_TCP_ACK, s.rel_ack);
  pf_emit_u(c, PF_F_TCP_ACK_RAW, ack);
  pf_emit_u(c, PF_F_TCP_HDR_LEN, hlen);
  pf_emit_u(c, PF_F_TCP_FLAGS, flags);
  pf_emit_u(c, PF_F_TCP_FLAGS_RES, (flags & 0xe00) != 0);
  pf_emit_u(c, PF_F_TCP_FLAGS_AE, (flags >> 8) & 1);
  pf_emit_u(c, PF_F_TCP_FLAGS_CWR, (flags >> 7) & 1);
  pf_emit_u(c, PF_F_TCP_FLAGS_ECE, (flags >> 6) & 1);
  pf_emit_u(c, PF_F_TCP_FLAGS_URG, (flags >> 5) & 1);
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
  if (len < 20) return;   /* checksum and urgent pointer were not captured */
  pf_emit_u(c, PF_F_TCP_CHECKSUM, pf_get16(d + 16));
  pf_emit_u(c, PF_F_TCP_URGENT_POINTER, pf_get16(d + 18));
  /* tshark hands the captured bytes after the header to the payload dissectors
     (also inside an ICMPv6 quote), except on a RST, whose data is its reset
     cause; an options walk that ran past the capture stopped it earlier */
  if (len > hlen && !(flags & 0x004) && !(have_state && s.full_header == 2))
    pf_emit_s(c, PF_F_TCP_PAYLOAD, d + hlen, len - hlen);
  if (!have_state) return;
  /* tshark prints the acked frame even when the RTT is zero and not shown */
  if (s.acks_frame) pf_emit_u(c, PF_F_TCP_ANALYSIS_ACKS_FRAME, s.acks_frame);
  if (s.has_rtt) pf_emit_t(c, PF_F_TCP_ANALYSIS_ACK_RTT, s.rtt);
  if (bif) pf_emit_u(c, PF_F_TCP_ANALYSIS_BYTES_IN_FLIGHT, bif);
  if (s.analysis & (PF_TCPA_RETRANSMISSION | PF_TCPA_FAST_RETRANSMISSION | PF_TCPA_SPURIOUS_RETRANSMISSION))
    pf_emit_u(c, PF_F_TCP_ANALYSIS_RETRANSMISSION, 1);
  if (s.analysis & PF_TCPA_REUSED_PORTS) pf_emit_u(c, PF_F_TCP_ANALYSIS_REUSED_PORTS, 1);
  if (s.analysis & PF_TCPA_LOST_SEGMENT) pf_emit_u(c, PF_F_TCP_ANALYSIS_LOST_SEGMENT, 1);
  if (s.analysis & PF_TCPA_KEEP_ALIVE) pf_emit_u(c, PF_F_TCP_ANALYSIS_KEEP_ALIVE, 1);
  if (s.analysis & PF_TCPA_WINDOW_UPDATE) pf_emit_u(c, PF_F_TCP_ANALYSIS_WINDOW_UPDATE, 1);
  if (s.analysis & PF_TCPA_WINDOW_FULL) pf_emit_u(c, PF_F_TCP_ANALYSIS_WINDOW_FULL, 1);
  if (s.analysis & PF_TCPA_KEEP_ALIVE_ACK) pf_emit_u(c, PF_F_TCP_ANALYSIS_KEEP_ALIVE_ACK, 1);
  if (s.analysis & PF_TCPA_SPURIOUS_RETRANSMISSION) pf_emit_u(c, PF_F_TCP_ANALYSIS_SPURIOUS_RETRANSMISSION, 1);
  if (s.analysis & PF_TCPA_FAST_RETRANSMISSION) pf_emit_u(c, PF_F_TCP_ANALYSIS_FAST_RETRANSMISSION, 1);
  if (s.analysis & PF_TCPA_OUT_OF_ORDER) pf_emit_u(c, PF_F_TCP_ANALYSIS_OUT_OF_ORDER, 1);
  if (s.analysis & PF_TCPA_ZERO_WINDOW) pf_emit_u(c, PF_F_TCP_ANALYSIS_ZERO_WINDOW, 1);
  if (s.analysis & PF_TCPA_DUPLICATE_ACK) {   /* tshark adds this item twice */
    pf_emit_u(c, PF_F_TCP_ANALYSIS_DUPLICATE_ACK, 1);
    pf_emit_u(c, PF_F_TCP_ANALYSIS_DUPLICATE_ACK, 1);
  }
  if (s.has_times) {
    pf_emit_t(c, PF_F_TCP_TIME_RELATIVE, s.time_relative);
    pf_emit_t(c, PF_F_TCP_TIME_DELTA, s.time_delta);
  }
}

void pf_dissect_udp(pf_dctx *c, int af, const uint8_t *src, const uint8_t *dst,
                    const uint8_t *d, uint32_t len, uint32_t rlen) {
  pf_proto(c, PF_P_UDP, d, len);
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
  /* the whole captured IP payload after the header, even when the length field
     says less (a reassembled datagram longer than udp.length keeps its tail) */
  if (len > 8) pf_emit_s(c, PF_F_UDP_PAYLOAD, d + 8, len - 8);
  if (c->depth >= PF_LY_STATE && c->conv && pf_wants(c, PF_F_UDP_STREAM)) {
    int64_t st = pf_conv_udp(c->conv, af, src, dst, sport, dport);
    if (st < 0) { c->oom = 1; return; }
    pf_emit_u(c, PF_F_UDP_STREAM, (uint64_t)st);
  }
  if (c->depth >= PF_LY_APP && !c->fragment) {
    uint32_t ulen = pf_get16(d + 4);
    /* the payload as UDP delimits it (a short length field wins, tshark's
       "bad length" cases leave it out) */
    if (ulen >= 8 && ulen <= rlen) pf_app_udp(c, af, src, dst, sport, dport, d + 8, (ulen < len ? ulen : len) - 8, ulen - 8);
  }
}
