/* app.h: what the application-layer dissectors (DNS, DHCP, HTTP, TLS) share: tshark's
   text forms for strings, per-packet text storage, and the per-read state they keep. */
#ifndef PF_APP_H
#define PF_APP_H

#include "dissect.h"
#include "tcpreasm.h"

/* ---- text (apptext.c) ----
   Every string field is stored in the form tshark 4.0 prints with -T fields. Two
   layers make that form: what the dissector does to the bytes (format_text() for
   DNS names; the ENC_ASCII conversion for most other strings: bytes >= 0x80 become
   U+FFFD, a NUL ends the string), then the output writer, which escapes \b \f \n
   \r \t as two characters and leaves everything else alone. */

/* tshark's format_text(): printable ASCII as is, C escapes for other ASCII
   (\a \b \f \n \r \t \v, else \ooo), UTF-8 decoded permissively (overlong forms
   accepted), U+FFFD for broken sequences, \uXXXX or \UXXXXXXXX for code points
   GLib does not call printable. Writes at most cap bytes; returns the length the
   whole text needs (at most 10 * n). */
size_t pf_text_format(const uint8_t *s, size_t n, uint8_t *out, size_t cap);
/* An ENC_ASCII string as -T fields prints it: stops at a NUL, U+FFFD for each
   byte >= 0x80, \b \f \n \r \t escaped. Returns the length needed (at most 3 * n). */
size_t pf_text_ascii(const uint8_t *s, size_t n, uint8_t *out, size_t cap);
/* The output writer's escapes only, for text that is already valid UTF-8 (and
   stops at a NUL). Returns the length needed (at most 2 * n). */
size_t pf_text_escape(const uint8_t *s, size_t n, uint8_t *out, size_t cap);
/* 1 when pf_text_ascii would return the bytes unchanged (so a value can point
   into the packet instead of being copied). */
int pf_text_ascii_is_plain(const uint8_t *s, size_t n);

/* Room for n bytes of text that must live until the next packet (dissect_common.c):
   the packet's scratch area, else the decoder's overflow arena (pf_dctx.text). NULL when both are full (the
   value is then left out). */
uint8_t *pf_app_text_alloc(pf_dctx *c, size_t n);

/* Emits string field fid from raw bytes converted as ENC_ASCII (see above). */
void pf_app_emit_ascii(pf_dctx *c, int fid, const uint8_t *s, size_t n);
/* Emits string field fid formatted with format_text(). */
void pf_app_emit_format(pf_dctx *c, int fid, const uint8_t *s, size_t n);
/* data.data and data.len over bytes off .. off + len of b (cut to what b holds;
   dissect_common.c):
   the packet's bytes when they are in one piece there, else a copy until the next
   packet (a reassembled PDU's store does not live that long). */
void pf_app_data(pf_dctx *c, const pf_vbuf *b, uint32_t off, uint32_t len);

/* ---- protocol entry points ---- */

/* DNS, mDNS and LLMNR messages (dissect_dns.c): d/len captured, rlen reported. */
void pf_dns_dissect(pf_dctx *c, const uint8_t *d, uint32_t len, uint32_t rlen);
/* the same for mDNS (class without the cache-flush bit) and LLMNR (its own flags) */
#define PF_DNS_PLAIN 0
#define PF_DNS_MDNS 1
#define PF_DNS_LLMNR 2
void pf_dns_dissect_kind(pf_dctx *c, const uint8_t *d, uint32_t len, uint32_t rlen, int kind);
/* DHCP/BOOTP (dissect_dhcp.c). */
void pf_dhcp_dissect(pf_dctx *c, const uint8_t *d, uint32_t len, uint32_t rlen);

/* HTTP (dissect_http.c). Per-conversation state, as tshark's http_conv_t. */
typedef struct pf_http_conv {
  char request_method[20];   /* the latest request's method ("" none) */
  int have_request_uri;      /* an HTTP request was seen (have_seen_http) */
  unsigned response_code;    /* the latest response's status code */
  int uri_has_port;          /* the latest request URI had a ':' ... */
  long uri_port;             /* ... and strtol read this after it (CONNECT host:port) */
  int tunnel_side;           /* after CONNECT and 200: the side the tunnel's server is (+1) */
  uint64_t startframe;       /* after a 101 Switching Protocols: not HTTP from here */
  uint32_t startoffset;
  int switched;
} pf_http_conv;

/* One HTTP message parse over buffer b (tshark's dissect_http_on_stream): emits the
   fields of every complete message and says in *req what more it needs.
   can_desegment: TCP reassembly allowed; end_of_stream: the segment has FIN. */
void pf_http_dissect(pf_dctx *c, pf_http_conv *hc, const pf_vbuf *b, int can_desegment,
                     int end_of_stream, pf_deseg *req);
/* 1 when tshark's HTTP heuristic (dissect_http_heur_tcp) accepts the payload. */
int pf_http_heuristic(const uint8_t *d, uint32_t len);

/* TLS (dissect_tls.c). Per-conversation state, as much of SslSession as the
   handshake fields need. Directions are "from server" (1) or not (0). */
typedef struct pf_tls_conv {
  uint16_t version;          /* session version, 0 unknown */
  int srv_known;             /* a ClientHello named the server ... */
  int srv_side;              /* ... as this side of the stream */
  uint64_t ccs_frame[2];     /* first ChangeCipherSpec frame per direction (0 none) */
  /* a handshake message spanning records, per direction */
  uint8_t hs_active[2];
  uint8_t hs_side[2];        /* the stream side that started it (tshark keys the
                                reassembly by addresses: the other side cannot
                                continue it) */
  uint8_t hs_head[2][4];     /* its first bytes (type, length) */
  uint32_t hs_have[2];       /* bytes of it collected so far */
  uint8_t *hs_buf[2];        /* a ClientHello so far (for the server name) */
  uint32_t hs_cap[2];
} pf_tls_conv;

void pf_tls_conv_free(pf_tls_conv *t);
/* TLS records over buffer b (tshark's dissect_ssl). side: the stream side the
   payload came from; assoc_from_server: its source port is in tshark's TLS port
   table (who is the server before a ClientHello says). Returns 0 when tshark's
   TLS dissector rejects the payload (four printable bytes first), else 1. */
int pf_tls_dissect(pf_dctx *c, pf_tls_conv *t, int side, int same_addr, int assoc_from_server,
                   const pf_vbuf *b, int can_desegment, pf_deseg *req);
/* 1 when tshark's TLS heuristic (dissect_ssl_heur) accepts the payload. */
int pf_tls_heuristic(const uint8_t *d, uint32_t len);

/* The decoder-wide application state (dissect_app.c): TCP streams, UDP conversations. */
struct pf_app;
struct pf_app *pf_app_new(void);
void pf_app_free(struct pf_app *a);

#endif
