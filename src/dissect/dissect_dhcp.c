/* dissect_dhcp.c: DHCP/BOOTP as tshark 4.0's packet-dhcp.c reads it: the client hardware
   address, the message type and host name options, the client identifier's MAC. */
#include "app.h"

#define OFF_CHADDR 28
#define OFF_SNAME 44
#define OFF_FILE 108
#define OFF_COOKIE 236

/* One option at off (tshark's dhcp_option, second pass); returns the offset after
   it, or 0 for tshark's exception (the option is not all there). *at_end: the
   End option was read. */
static uint32_t dhcp_option(pf_dctx *c, const uint8_t *d, uint32_t len, uint32_t off, uint32_t eoff,
                            int *at_end, int *overload) {
  uint8_t code = d[off];
  if (code == 0) {   /* a run of padding */
    uint32_t i = off + 1;
    while (i < eoff && i < len && d[i] == 0) i++;
    if (i < eoff && i >= len) return 0;
    return i;
  }
  if (code == 255) {
    *at_end = 1;
    return off + 1;
  }
  if (off + 1 >= len) return 0;
  uint32_t optlen = d[off + 1];
  /* the option's tree item covers it all: not captured is an exception */
  if (off + 2 + optlen > len) return 0;
  const uint8_t *v = d + off + 2;
  switch (code) {
    case 53:
      if (optlen >= 1) pf_emit_u(c, PF_F_DHCP_OPTION_DHCP, v[0]);
      break;
    case 12:
      if (optlen > 0) pf_app_emit_ascii(c, PF_F_DHCP_OPTION_HOSTNAME, v, optlen);
      break;
    case 52:
      if (optlen >= 1) *overload = v[0];
      break;
    case 61:
      /* seven bytes with a hardware type below 48: type and address; an
         Ethernet or IEEE 802 type gives the address as a MAC */
      if (optlen == 7 && v[0] > 0 && v[0] < 48 && (v[0] == 1 || v[0] == 6))
        pf_emit_a(c, PF_F_DHCP_HW_MAC_ADDR, v + 1, 6);
      break;
    default: break;
  }
  return off + 2 + optlen;
}

/* The options in [off, eoff); returns 0 when an exception ended the dissection. */
static int dhcp_options(pf_dctx *c, const uint8_t *d, uint32_t len, uint32_t off, uint32_t eoff,
                        int *overload) {
  int at_end = 0;
  while (off < eoff && !at_end) {
    if (off >= len) return 0;
    off = dhcp_option(c, d, len, off, eoff, &at_end, overload);
    if (off == 0) return 0;
  }
  return 1;
}

void pf_dhcp_dissect(pf_dctx *c, const uint8_t *d, uint32_t len, uint32_t rlen) {
  pf_proto(c, PF_P_DHCP, d, len);
  if (len < OFF_CHADDR + 6) return;
  uint8_t htype = d[1], hlen = d[2];
  if (hlen > 0 && hlen <= 16 && (htype == 1 || htype == 6) && hlen == 6)
    pf_emit_a(c, PF_F_DHCP_HW_MAC_ADDR, d + OFF_CHADDR, 6);
  if (!pf_wants(c, PF_F_DHCP_OPTION_DHCP) && !pf_wants(c, PF_F_DHCP_OPTION_HOSTNAME) &&
      !pf_wants(c, PF_F_DHCP_HW_MAC_ADDR))
    return;
  /* server name, boot file name, then the magic cookie */
  if (len < OFF_COOKIE + 4) return;
  if (pf_get32(d + OFF_COOKIE) != 0x63825363u) return;   /* plain BOOTP: no options */
  int overload = 0;
  if (!dhcp_options(c, d, len, OFF_COOKIE + 4, rlen, &overload)) return;
  /* options carried in the file and server name fields (option 52) */
  if (overload & 1) {
    if (!dhcp_options(c, d, len, OFF_FILE, OFF_COOKIE, &overload)) return;
  }
  if (overload & 2) dhcp_options(c, d, len, OFF_SNAME, OFF_FILE, &overload);
}
