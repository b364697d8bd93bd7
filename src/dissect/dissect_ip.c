/* dissect_ip.c: the network layer: IPv4 (with fragments), IPv6 (extension headers,
   fragments), ARP, ICMP and ICMPv6, and which protocol an IP payload goes to. They
   recurse (an ICMP error quotes an IP header, IP in IP carries one), so they share
   this file; TCP and UDP (dissect_l4.c) are below it and never call back. */
#include "dissect.h"

#define MAX_EXT_HEADERS 495

/* The payload of an IP datagram: reassembled when it is a fragment whose bytes
   were all captured, as tshark does with its default defragment preferences. */
static void ip_payload(pf_dctx *c, int af, const uint8_t *src, const uint8_t *dst, int proto,
                       int fragmented, uint32_t id, uint32_t frag_off, int more,
                       const uint8_t *d, uint32_t len, uint32_t rlen) {
  /* tunnelled IP headers and those quoted by ICMP errors are network layer too */
  if (c->depth < PF_LY_TRANS && proto != 4 && proto != 41 && proto != 1 && proto != 58) return;
  if (fragmented) {
    if (len == rlen && !c->in_error && c->reasm) {
      const uint8_t *whole;
      uint32_t wlen;
      int done = pf_reasm_add(c->reasm, af, src, dst, id, proto, frag_off, more, d, len, &whole, &wlen);
      if (done < 0) { c->oom = 1; return; }
      if (done == 0) {   /* tshark shows a fragment waiting for the rest as data */
        pf_dissect_data(c, d, len);
        return;
      }
      c->whole = whole, c->wholelen = wlen;
      pf_dissect_ipproto(c, proto, af, src, dst, whole, wlen, wlen);
      return;
    }
    if (frag_off != 0) {   /* a later fragment alone holds no transport header */
      pf_dissect_data(c, d, len);
      return;
    }
    c->fragment = 1;
    pf_dissect_ipproto(c, proto, af, src, dst, d, len, rlen);
    c->fragment = 0;
    return;
  }
  pf_dissect_ipproto(c, proto, af, src, dst, d, len, rlen);
}

void pf_dissect_ipv4(pf_dctx *c, const uint8_t *d, uint32_t len, uint32_t rlen, uint32_t *consumed) {
  /* the bytes Wireshark's ip covers end at ip.len (its tvb is cut there) */
  pf_proto(c, PF_P_IP, d, len >= 4 && pf_get16(d + 2) >= 20 && pf_get16(d + 2) < len ? pf_get16(d + 2) : len);
  if (len < 1) return;
  int version = d[0] >> 4;
  uint32_t hlen = (uint32_t)(d[0] & 15) * 4;
  pf_emit_u(c, PF_F_IP_VERSION, (uint64_t)version);
  if (version != 4) return;
  pf_emit_u(c, PF_F_IP_HDR_LEN, hlen);
  if (hlen < 20) {
    pf_malformed(c, d, "IPv4: bogus header length %u (at least 20)", hlen);
    return;
  }
  /* each field as far as the bytes go: tshark shows those before the first it
     cannot read */
  if (len < 20) {
    /* cut by the snapshot length is no fault of the packet's */
    if (rlen <= len && !c->in_error) pf_malformed(c, d, "IPv4: %u bytes, too short for the 20-byte header", len);
    if (len >= 2) pf_emit_u(c, PF_F_IP_DSFIELD, d[1]);
    if (len < 4) return;
  } else {
    pf_emit_u(c, PF_F_IP_DSFIELD, d[1]);
  }
  uint32_t tot = pf_get16(d + 2);
  /* 0 is what TSO hardware leaves: tshark takes the length the frame gives */
  if (tot == 0) tot = rlen;
  pf_emit_u(c, PF_F_IP_LEN, tot);
  if (tot < hlen) {
    pf_malformed(c, d + 2, "IPv4: bogus total length %u (less than the header length %u)", tot, hlen);
    return;
  }
  if (len < 6) return;
  uint32_t id = pf_get16(d + 4);
  pf_emit_u(c, PF_F_IP_ID, id);
  if (len < 8) return;
  uint16_t off = pf_get16(d + 6);
  pf_emit_u(c, PF_F_IP_FLAGS, (uint64_t)(off >> 13));
  pf_emit_u(c, PF_F_IP_FLAGS_DF, (off >> 14) & 1);
  pf_emit_u(c, PF_F_IP_FLAGS_MF, (off >> 13) & 1);
  pf_emit_u(c, PF_F_IP_FRAG_OFFSET, off & 0x1fff);
  if (len < 9) return;
  pf_emit_u(c, PF_F_IP_TTL, d[8]);
  if (len < 10) return;
  pf_emit_u(c, PF_F_IP_PROTO, d[9]);
  if (len < 12) return;
  pf_emit_u(c, PF_F_IP_CHECKSUM, pf_get16(d + 10));
  if (len < 16) return;
  pf_emit_a(c, PF_F_IP_SRC, d + 12, 4);
  pf_emit_a(c, PF_F_IP_ADDR, d + 12, 4);
  if (len < 20) return;
  pf_emit_a(c, PF_F_IP_DST, d + 16, 4);
  pf_emit_a(c, PF_F_IP_ADDR, d + 16, 4);
  if (hlen > len) {
    if (rlen <= len && !c->in_error)
      pf_malformed(c, d, "IPv4: header length %u runs past the end of the packet (%u bytes)", hlen, len);
    return;
  }
  /* the datagram claims tot bytes; what follows in the frame is a trailer */
  if (tot < rlen) {
    *consumed = tot;
    rlen = tot;
    if (len > tot) len = tot;
  }
  int fragmented = (off & 0x3fff) != 0;
  ip_payload(c, 4, d + 12, d + 16, d[9], fragmented, id, (uint32_t)(off & 0x1fff) * 8,
             (off >> 13) & 1, d + hlen, len - hlen, rlen - hlen);
}

void pf_dissect_ipv6(pf_dctx *c, const uint8_t *d, uint32_t len, uint32_t rlen, uint32_t *consumed) {
  pf_proto(c, PF_P_IPV6, d, len >= 40 && 40u + pf_get16(d + 4) < len ? 40u + pf_get16(d + 4) : len);
  if (len < 40 || (d[0] >> 4) != 6) {
    if (len < 40 && rlen <= len && !c->in_error)
      pf_malformed(c, d, "IPv6: %u bytes, too short for the 40-byte header", len);
    return;
  }
  uint32_t plen = pf_get16(d + 4);
  pf_emit_u(c, PF_F_IP_VERSION, 6);   /* tshark's IPv6 header reuses ip.version */
  pf_emit_u(c, PF_F_IPV6_FLOW, pf_get32(d) & 0xfffff);
  pf_emit_u(c, PF_F_IPV6_PLEN, plen);
  pf_emit_u(c, PF_F_IPV6_NXT, d[6]);
  pf_emit_u(c, PF_F_IPV6_HLIM, d[7]);
  pf_emit_a(c, PF_F_IPV6_SRC, d + 8, 16);
  pf_emit_a(c, PF_F_IPV6_DST, d + 24, 16);
  pf_emit_a(c, PF_F_IPV6_ADDR, d + 8, 16);
  pf_emit_a(c, PF_F_IPV6_ADDR, d + 24, 16);
  if (plen != 0 && plen + 40 < rlen) {
    *consumed = plen + 40;
    rlen = plen + 40;
    if (len > rlen) len = rlen;
  }
  const uint8_t *src = d + 8, *dst = d + 24;
  int nxt = d[6];
  uint32_t o = 40;
  /* Extension headers. Each takes at least 8 bytes, so the walk ends with the
     packet; a chain of hundreds ends where tshark's does: it allows 500 protocol
     layers (frame, eth, ethertype, ipv6 and 495 headers over untagged Ethernet),
     and past that the packet is malformed with no transport layer. */
  for (int hops = 0;; hops++) {
    if (hops == MAX_EXT_HEADERS && (nxt == 0 || nxt == 43 || nxt == 60 || nxt == 135 || nxt == 139 ||
                                    nxt == 140 || nxt == 51)) {
      pf_malformed(c, d + o, "IPv6: more than %d extension headers", MAX_EXT_HEADERS);
      return;
    }
    switch (nxt) {
      case 0: case 43: case 60: case 135: case 139: case 140: case 51: {
        if (o + 8 > len) {
          if (rlen <= len && !c->in_error)
            pf_malformed(c, d + o, "IPv6: extension header %d runs past the end of the packet", hops + 1);
          return;
        }
        /* AH counts 4-byte units, minus 2; the others 8-byte units, minus 1 */
        uint32_t hl = nxt == 51 ? ((uint32_t)d[o + 1] + 2) * 4 : ((uint32_t)d[o + 1] + 1) * 8;
        nxt = d[o];
        o += hl;
        if (o > len) {
          if (rlen <= len && !c->in_error)
            pf_malformed(c, d + o - hl, "IPv6: extension header %d runs past the end of the packet", hops + 1);
          return;
        }
        continue;
      }
      case 44: {
        if (o + 8 > len) return;
        uint16_t fo = pf_get16(d + o + 2);
        uint32_t id = pf_get32(d + o + 4);
        int fnxt = d[o];
        o += 8;
        ip_payload(c, 6, src, dst, fnxt, 1, id, (uint32_t)(fo & 0xfff8), fo & 1, d + o, len - o, rlen - o);
        return;
      }
      default:
        ip_payload(c, 6, src, dst, nxt, 0, 0, 0, 0, d + o, len - o, rlen - o);
        return;
    }
  }
}

void pf_dissect_arp(pf_dctx *c, const uint8_t *d, uint32_t len, uint32_t rlen, uint32_t *consumed) {
  pf_proto(c, PF_P_ARP, d, len);
  if (len < 8) return;
  uint16_t pro = pf_get16(d + 2);
  uint32_t hln = d[4], pln = d[5];
  uint32_t total = 8 + 2 * (hln + pln);
  pf_emit_u(c, PF_F_ARP_OPCODE, pf_get16(d + 6));
  if (total < rlen) *consumed = total;
  if (total > len) return;
  const uint8_t *sha = d + 8, *spa = sha + hln, *tha = spa + pln, *tpa = tha + hln;
  int ip4 = (pro == 0x0800 && pln == 4);
  if (hln == 6) pf_emit_a(c, PF_F_ARP_SRC_HW_MAC, sha, 6);
  if (ip4) pf_emit_a(c, PF_F_ARP_SRC_PROTO_IPV4, spa, 4);
  if (hln == 6) pf_emit_a(c, PF_F_ARP_DST_HW_MAC, tha, 6);
  if (ip4) pf_emit_a(c, PF_F_ARP_DST_PROTO_IPV4, tpa, 4);
}

/* 1 when secs, read from an echo's data, is within a day of the frame's time
   as packet-icmp.c tests it: abs((int)(ts.secs - pinfo->abs_ts.secs)) < 86400,
   the difference cut to 32 bits (abs(INT_MIN) stays negative, so it passes). */
static int icmp_near_frame(uint32_t secs, int64_t fsecs) {
  int32_t d = (int32_t)(uint32_t)((uint64_t)secs - (uint64_t)fsecs);
  if (d == INT32_MIN) return 1;
  return (d < 0 ? -d : d) < 3600 * 24;
}

/* The data of an ICMP echo request or reply, as packet-icmp.c hands it to the
   data dissector: after the first 8 bytes of data when they read (big-endian,
   else little-endian) as a timeval within a day of the frame's time. */
static void icmp_echo_data(pf_dctx *c, const uint8_t *d, uint32_t len) {
  if (len <= 8) return;
  const uint8_t *data = d + 8;
  uint32_t n = len - 8;
  if (n >= 8) {
    int64_t fsecs = c->p->ts.secs;
    uint32_t secs = pf_get32(data);
    int32_t usecs = (int32_t)pf_get32(data + 4);   /* nstime_t's nsecs is an int */
    if (!icmp_near_frame(secs, fsecs) || usecs >= 1000000) {
      secs = (uint32_t)data[0] | (uint32_t)data[1] << 8 | (uint32_t)data[2] << 16 | (uint32_t)data[3] << 24;
      usecs = (int32_t)((uint32_t)data[4] | (uint32_t)data[5] << 8 | (uint32_t)data[6] << 16 | (uint32_t)data[7] << 24);
    }
    if (icmp_near_frame(secs, fsecs) && usecs < 1000000) {
      data += 8;
      n -= 8;
    }
  }
  pf_dissect_data(c, data, n);
}

static void dissect_icmp(pf_dctx *c, const uint8_t *d, uint32_t len, uint32_t rlen) {
  pf_proto(c, PF_P_ICMP, d, len);
  if (len < 4) return;
  uint8_t type = d[0];
  pf_emit_u(c, PF_F_ICMP_TYPE, type);
  pf_emit_u(c, PF_F_ICMP_CODE, d[1]);
  if (c->in_error) return;   /* an error about an error quotes nothing further */
  if ((type == 0 || type == 8) && c->depth >= PF_LY_APP) icmp_echo_data(c, d, len);
  if ((type == 3 || type == 4 || type == 5 || type == 11 || type == 12) && len > 8) {
    uint32_t k = rlen - 8;
    c->in_error = 4;
    pf_dissect_ipv4(c, d + 8, len - 8, rlen - 8, &k);
    c->in_error = 0;
  }
}

static void dissect_icmpv6(pf_dctx *c, const uint8_t *d, uint32_t len, uint32_t rlen) {
  pf_proto(c, PF_P_ICMPV6, d, len);
  if (len < 4) return;
  uint8_t type = d[0];
  pf_emit_u(c, PF_F_ICMPV6_TYPE, type);
  pf_emit_u(c, PF_F_ICMPV6_CODE, d[1]);
  if (c->in_error) return;
  /* echo request and reply: the data after identifier and sequence number
     (packet-icmpv6.c has no time stamp guess) */
  if ((type == 128 || type == 129) && len > 8 && c->depth >= PF_LY_APP) pf_dissect_data(c, d + 8, len - 8);
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
    case 6: if (c->depth >= PF_LY_TRANS) pf_dissect_tcp(c, af, src, dst, d, len, rlen); break;
    case 17: if (c->depth >= PF_LY_TRANS) pf_dissect_udp(c, af, src, dst, d, len, rlen); break;
    case 1: if (af == 4) dissect_icmp(c, d, len, rlen); break;
    case 58: dissect_icmpv6(c, d, len, rlen); break;
    case 4: pf_dissect_ipv4(c, d, len, rlen, &k); break;
    case 41: pf_dissect_ipv6(c, d, len, rlen, &k); break;
    default: break;
  }
}
