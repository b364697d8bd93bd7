/* dissect_link.c: link layers (Ethernet, 802.1Q/802.1ad, Linux SLL/SLL2, NULL, raw IP)
   and the Ethernet padding/trailer/FCS split exactly as tshark 4.0 makes it. */
#include "dissect.h"

/* The bytes a network layer left over in an Ethernet-type payload: padding,
   trailer and FCS as Wireshark 4.0's add_ethernet_trailer() splits them
   (pref eth.padding "zeros", FCS heuristic). tvb_rlen is the reported length
   of the buffer the caller passed to its ethertype dissector: the whole frame
   when untagged, from the 802.1Q tag on when tagged, which is why the FCS
   heuristic rarely fires behind a VLAN tag. */
static void eth_trailer(pf_dctx *c, int trailer_fid, const uint8_t *t, uint32_t tcap, uint32_t trep,
                        uint32_t tvb_rlen) {
  uint32_t frame_len = c->p->len;
  uint32_t padding = 0;
  if (frame_len >= 60 && frame_len - trep < 60) {
    padding = 60 - (frame_len - trep);
    if (padding > trep) padding = trep;
    if (padding > tcap) padding = 0;   /* not captured: tshark's padding item would throw */
    for (uint32_t i = 0; i < padding; i++)
      if (t[i] != 0) { padding = 0; break; }   /* 4.0: non-zero padding is all trailer */
  }
  uint32_t tlen = tcap - padding, trlen = trep - padding;
  int has_fcs = 0;
  if (!c->no_fcs && tvb_rlen >= 64 && trlen >= 4) {
    if (tlen < trlen) {
      trlen -= 4;
      if (tlen > trlen) tlen = trlen;
    } else {
      tlen -= 4;
      trlen -= 4;
    }
    has_fcs = 1;
  }
  if (padding) pf_emit_s(c, PF_F_ETH_PADDING, t, padding);
  if (trlen != 0 && tlen != 0) pf_emit_s(c, trailer_fid, t + padding, tlen);
  if (has_fcs && padding + tlen + 4 <= tcap) pf_emit_u(c, PF_F_ETH_FCS, pf_get32(t + padding + tlen));
}

/* Dispatches an Ethernet type with its payload; then splits what the
   payload's protocol did not claim into padding/trailer/FCS. */
static void ethertype_with_trailer(pf_dctx *c, uint16_t type, const uint8_t *d, uint32_t len,
                                   uint32_t rlen, int trailer_fid, uint32_t tvb_rlen) {
  uint32_t consumed = rlen;
  pf_dissect_ethertype(c, type, d, len, rlen, &consumed);
  if (consumed < rlen && c->depth >= PF_LY_NET) {
    uint32_t tcap = len > consumed ? len - consumed : 0;
    eth_trailer(c, trailer_fid, d + consumed, tcap, rlen - consumed, tvb_rlen);
  }
}

static void dissect_vlan(pf_dctx *c, const uint8_t *d, uint32_t len, uint32_t rlen, int ad) {
  pf_proto(c, ad ? PF_P_IEEE8021AD : PF_P_VLAN, d, len);
  if (len < 4) return;
  uint16_t tci = pf_get16(d), type = pf_get16(d + 2);
  pf_emit_u(c, ad ? PF_F_IEEE8021AD_ID : PF_F_VLAN_ID, tci & 0x0fff);
  if (type <= 1500) return;   /* 802.3 length inside a tag: LLC, not decoded */
  if (!ad) pf_emit_u(c, PF_F_VLAN_ETYPE, type);
  ethertype_with_trailer(c, type, d + 4, len - 4, rlen - 4, ad ? PF_F_ETH_TRAILER : PF_F_VLAN_TRAILER, rlen);
}

void pf_dissect_ethertype(pf_dctx *c, uint16_t type, const uint8_t *d, uint32_t len, uint32_t rlen,
                          uint32_t *consumed) {
  switch (type) {
    case 0x0800: if (c->depth >= PF_LY_NET) pf_dissect_ipv4(c, d, len, rlen, consumed); break;
    case 0x86dd: if (c->depth >= PF_LY_NET) pf_dissect_ipv6(c, d, len, rlen, consumed); break;
    case 0x0806: if (c->depth >= PF_LY_NET) pf_dissect_arp(c, d, len, rlen, consumed); break;
    case 0x8100: case 0x9100: dissect_vlan(c, d, len, rlen, 0); break;
    case 0x88a8: dissect_vlan(c, d, len, rlen, 1); break;
    default: break;
  }
}

static void dissect_eth(pf_dctx *c, const uint8_t *d, uint32_t len, uint32_t rlen) {
  pf_proto(c, PF_P_ETH, d, len);
  if (len < 14) return;
  uint16_t type = pf_get16(d + 12);
  if (type == 0x8903 && len >= 16 + 14 && !c->no_fcs) {
    /* Cisco FabricPath: tshark's heuristic takes the frame before Ethernet
       does, and shows only the inner frame; the outer frame's last 4 bytes
       are its FCS, so the inner one has none */
    uint32_t irlen = rlen >= 16 + 14 + 4 ? rlen - 16 - 4 : 14;
    uint32_t ilen = len - 16 < irlen ? len - 16 : irlen;
    c->no_fcs = 1;
    dissect_eth(c, d + 16, ilen, irlen);
    return;
  }
  pf_emit_a(c, PF_F_ETH_DST, d, 6);
  pf_emit_a(c, PF_F_ETH_SRC, d + 6, 6);
  pf_emit_a(c, PF_F_ETH_ADDR, d, 6);
  pf_emit_a(c, PF_F_ETH_ADDR, d + 6, 6);
  if (type <= 1500) return;   /* 802.3 with LLC: addresses only */
  pf_emit_u(c, PF_F_ETH_TYPE, type);
  ethertype_with_trailer(c, type, d + 14, len - 14, rlen - 14, PF_F_ETH_TRAILER, rlen);
}

/* BSD loopback: a 4-byte address family in the writer's byte order. */
static void dissect_null(pf_dctx *c, const uint8_t *d, uint32_t len, uint32_t rlen, int network_order) {
  pf_proto(c, PF_P_NULL, d, len);
  if (len < 4) return;
  uint32_t af = network_order ? pf_get32(d)
                              : (uint32_t)d[0] | (uint32_t)d[1] << 8 | (uint32_t)d[2] << 16 | (uint32_t)d[3] << 24;
  /* a family written in the other byte order has its value in the top bytes */
  if (!network_order && (af & 0xffff0000u) != 0) af = pf_get32(d);
  uint32_t consumed = rlen - 4;
  switch (af) {
    case 2: pf_dissect_ipv4(c, d + 4, len - 4, rlen - 4, &consumed); break;
    case 10: case 24: case 28: case 30: pf_dissect_ipv6(c, d + 4, len - 4, rlen - 4, &consumed); break;
    default: pf_dissect_data(c, d + 4, len - 4); break;   /* an unknown family: tshark shows data */
  }
}

static void dissect_rawip(pf_dctx *c, const uint8_t *d, uint32_t len, uint32_t rlen) {
  pf_proto(c, PF_P_RAW, d, len);
  if (len < 1) return;
  uint32_t consumed = rlen;
  switch (d[0] >> 4) {
    case 4: pf_dissect_ipv4(c, d, len, rlen, &consumed); break;
    case 6: pf_dissect_ipv6(c, d, len, rlen, &consumed); break;
    default: break;
  }
}

static void sll_protocol(pf_dctx *c, uint16_t hatype, uint16_t proto, const uint8_t *d, uint32_t len,
                         uint32_t rlen) {
  (void)hatype;
  if (proto <= 1500) return;   /* 802.2/802.3 frames, CAN and other non-Ethernet types */
  uint32_t consumed = rlen;
  pf_dissect_ethertype(c, proto, d, len, rlen, &consumed);
}

void pf_dissect_link(pf_dctx *c, int linktype, const uint8_t *d, uint32_t len, uint32_t rlen) {
  switch (linktype) {
    case 1: dissect_eth(c, d, len, rlen); break;
    case 0: dissect_null(c, d, len, rlen, 0); break;
    case 108: dissect_null(c, d, len, rlen, 1); break;
    case 12: case 14: case 101: dissect_rawip(c, d, len, rlen); break;
    case 228: { uint32_t k = rlen; pf_dissect_ipv4(c, d, len, rlen, &k); break; }
    case 229: { uint32_t k = rlen; pf_dissect_ipv6(c, d, len, rlen, &k); break; }
    case 113:
      pf_proto(c, PF_P_SLL, d, len);
      if (len < 16) return;
      pf_emit_u(c, PF_F_SLL_PKTTYPE, pf_get16(d));
      sll_protocol(c, pf_get16(d + 2), pf_get16(d + 14), d + 16, len - 16, rlen - 16);
      break;
    case 276:
      pf_proto(c, PF_P_SLL, d, len);
      if (len < 20) return;
      pf_emit_u(c, PF_F_SLL_PKTTYPE, d[10]);
      sll_protocol(c, pf_get16(d + 8), pf_get16(d), d + 20, len - 20, rlen - 20);
      break;
    default: break;   /* other link types: frame fields only */
  }
}
