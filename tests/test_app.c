/* test_app.c: the application-layer decoders (DNS, HTTP, TLS) and the TCP reassembly
   under them, on hand-built packets, hostile ones included. Expected values are what
   tshark 4.0.17 prints for the same packets. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "check.h"
#include "decode.h"
#include "tcpreasm.h"

/* ---- packets ---- */

static pf_decoder *dec;
static pf_pkt pkt;
static uint64_t frame_no;

static void decoder_reset(void) {
  static int all[PF_NFIELDS];
  for (int i = 0; i < PF_NFIELDS; i++) all[i] = i;
  if (dec) pf_decoder_free(dec);
  dec = pf_decoder_new(all, PF_NFIELDS);
  frame_no = 0;
}

/* Decodes one Ethernet frame with the shared decoder (streams carry over). */
static pf_pkt *decode(const uint8_t *d, uint32_t len) {
  pf_pkt_init(&pkt);
  pkt.num = ++frame_no;
  pkt.ts.secs = 1000 + (int64_t)frame_no;
  pkt.ts.nsecs = 0;
  pkt.has_ts = 1;
  pkt.is_packet = 1;
  pkt.caplen = len;
  pkt.len = len;
  pkt.linktype = 1;
  pkt.data = d;
  CHECK(pf_decode(dec, &pkt) == 0);
  return &pkt;
}

/* All occurrences of field fid, comma-separated, as tshark -E occurrence=a. */
static const char *text(const pf_pkt *p, int fid) {
  static char buf[8192];
  size_t n = 0;
  buf[0] = 0;
  for (int k = p->first[fid]; k >= 0; k = p->vals[k].next) {
    if (n && n + 1 < sizeof buf) buf[n++] = ',';
    int w = pf_val_format(fid, &p->vals[k], buf + n, sizeof buf - n);
    if (w < 0 || (size_t)w >= sizeof buf - n) break;
    n += (size_t)w;
  }
  buf[n] = 0;
  return buf;
}

#define FIELD_IS(p, fid, s) CHECK(strcmp(text(p, fid), s) == 0)

static size_t unhex(const char *h, uint8_t *out, size_t cap) {
  size_t n = 0;
  for (; h[0] && h[1] && n < cap; h += 2) {
    unsigned v;
    if (sscanf(h, "%2x", &v) != 1) break;
    out[n++] = (uint8_t)v;
  }
  return n;
}

/* Ethernet + IPv4 (10.0.0.1 <-> 10.0.0.2) around an L4 header and payload. */
static uint32_t eth_ipv4(uint8_t *buf, int dir, int proto, const uint8_t *l4, uint32_t l4len) {
  static const uint8_t eth[14] = { 0, 1, 2, 3, 4, 5, 0, 0x1d, 0xd9, 0x2e, 0x4f, 0x61, 0x08, 0x00 };
  memcpy(buf, eth, 14);
  uint8_t *ip = buf + 14;
  memset(ip, 0, 20);
  ip[0] = 0x45;
  ip[2] = (uint8_t)((20 + l4len) >> 8);
  ip[3] = (uint8_t)(20 + l4len);
  ip[6] = 0x40;
  ip[8] = 64;
  ip[9] = (uint8_t)proto;
  ip[12] = 10, ip[15] = (uint8_t)(dir ? 2 : 1);
  ip[16] = 10, ip[19] = (uint8_t)(dir ? 1 : 2);
  memcpy(ip + 20, l4, l4len);
  return 34 + l4len;
}

/* Ethernet + IPv6 (2001:db8::1 <-> 2001:db8::2). */
static uint32_t eth_ipv6(uint8_t *buf, int dir, int proto, const uint8_t *l4, uint32_t l4len) {
  static const uint8_t eth[14] = { 0, 1, 2, 3, 4, 5, 0, 0x1d, 0xd9, 0x2e, 0x4f, 0x61, 0x86, 0xdd };
  memcpy(buf, eth, 14);
  uint8_t *ip = buf + 14;
  memset(ip, 0, 40);
  ip[0] = 0x60;
  ip[4] = (uint8_t)(l4len >> 8);
  ip[5] = (uint8_t)l4len;
  ip[6] = (uint8_t)proto;
  ip[7] = 64;
  ip[8] = 0x20, ip[9] = 0x01, ip[10] = 0x0d, ip[11] = 0xb8, ip[23] = (uint8_t)(dir ? 2 : 1);
  ip[24] = 0x20, ip[25] = 0x01, ip[26] = 0x0d, ip[27] = 0xb8, ip[39] = (uint8_t)(dir ? 1 : 2);
  memcpy(ip + 40, l4, l4len);
  return 54 + l4len;
}

static uint8_t frame_buf[70000];

static pf_pkt *udp(uint16_t sport, uint16_t dport, const uint8_t *pl, uint32_t n) {
  static uint8_t l4[66000];
  l4[0] = (uint8_t)(sport >> 8), l4[1] = (uint8_t)sport;
  l4[2] = (uint8_t)(dport >> 8), l4[3] = (uint8_t)dport;
  l4[4] = (uint8_t)((8 + n) >> 8), l4[5] = (uint8_t)(8 + n);
  l4[6] = l4[7] = 0;
  memcpy(l4 + 8, pl, n);
  return decode(frame_buf, eth_ipv4(frame_buf, 0, 17, l4, 8 + n));
}

/* A TCP conversation between client port cport and server port sport. */
typedef struct sess {
  uint16_t cport, sport;
  uint32_t seq[2];
  int v6;
} sess;

enum { FIN = 1, SYN = 2, PSH = 8, ACK = 16 };

static pf_pkt *seg(sess *s, int dir, uint8_t flags, const void *data, uint32_t n) {
  static uint8_t l4[66000];
  uint16_t sp = dir ? s->sport : s->cport, dp = dir ? s->cport : s->sport;
  memset(l4, 0, 20);
  l4[0] = (uint8_t)(sp >> 8), l4[1] = (uint8_t)sp;
  l4[2] = (uint8_t)(dp >> 8), l4[3] = (uint8_t)dp;
  uint32_t sq = s->seq[dir], ak = (flags & ACK) ? s->seq[!dir] : 0;
  for (int i = 0; i < 4; i++) {
    l4[4 + i] = (uint8_t)(sq >> (24 - 8 * i));
    l4[8 + i] = (uint8_t)(ak >> (24 - 8 * i));
  }
  l4[12] = 0x50;
  l4[13] = flags;
  l4[14] = 0xff, l4[15] = 0xff;
  if (n) memcpy(l4 + 20, data, n);
  s->seq[dir] += n + ((flags & (SYN | FIN)) ? 1 : 0);
  uint32_t len = s->v6 ? eth_ipv6(frame_buf, dir, 6, l4, 20 + n) : eth_ipv4(frame_buf, dir, 6, l4, 20 + n);
  return decode(frame_buf, len);
}

static void sess_open(sess *s, uint16_t cport, uint16_t sport, int v6) {
  s->cport = cport;
  s->sport = sport;
  s->seq[0] = 1000;
  s->seq[1] = 5000;
  s->v6 = v6;
  seg(s, 0, SYN, NULL, 0);
  seg(s, 1, SYN | ACK, NULL, 0);
  seg(s, 0, ACK, NULL, 0);
}

static pf_pkt *send_str(sess *s, int dir, const char *str) {
  return seg(s, dir, PSH | ACK, str, (uint32_t)strlen(str));
}

/* ---- DNS ---- */

static pf_pkt *dns_hex(const char *hex, int response) {
  static uint8_t b[2048];
  size_t n = unhex(hex, b, sizeof b);
  return response ? udp(53, 40000, b, (uint32_t)n) : udp(40000, 53, b, (uint32_t)n);
}

static void test_dns_hostile_names(void) {
  decoder_reset();
  pf_pkt *p;
  /* a name that is a pointer to itself */
  p = dns_hex("123401000001000000000000c00c00010001", 0);
  FIELD_IS(p, PF_F_DNS_ID, "0x1234");
  FIELD_IS(p, PF_F_DNS_QRY_NAME, "<Name contains a pointer that loops>");
  FIELD_IS(p, PF_F_DNS_COUNT_ANSWERS, "0");
  /* two pointers pointing at each other (the second in the class field) */
  p = dns_hex("1235010000010000000000000161c0120001c00c", 0);
  FIELD_IS(p, PF_F_DNS_QRY_NAME, "<Name contains a pointer that loops>");
  /* a pointer past the end of the packet: the exception, no name */
  p = dns_hex("12360100000100000000000003777777c0ff00010001", 0);
  FIELD_IS(p, PF_F_DNS_ID, "0x1236");
  FIELD_IS(p, PF_F_DNS_QRY_NAME, "");
  FIELD_IS(p, PF_F_DNS_QRY_TYPE, "");
  /* a pointer into the header */
  p = dns_hex("123701000001000000000000c00000010001", 0);
  FIELD_IS(p, PF_F_DNS_QRY_NAME, "");
  /* a label then a pointer back to it */
  p = dns_hex("1239010000010000000000003f787878787878787878787878787878787878787878787878787878787878"
              "787878787878787878787878787878787878787878787878787878787878787878c00c00010001", 0);
  FIELD_IS(p, PF_F_DNS_QRY_NAME, "<Name contains a pointer that loops>");
  /* five 63-byte labels: longer than a name may be */
  char h[1024] = "123c01000001000000000000";
  for (int i = 0; i < 5; i++) {
    strcat(h, "3f");
    for (int k = 0; k < 63; k++) strcat(h, "79");
  }
  strcat(h, "0000010001");
  p = dns_hex(h, 0);
  FIELD_IS(p, PF_F_DNS_QRY_NAME, "<Name too long>");
  /* a tab, a comma, UTF-8, a NUL inside labels */
  p = dns_hex("123b01000001000000000000066109622cc3a902007a0000010001", 0);
  FIELD_IS(p, PF_F_DNS_QRY_NAME, "a\\tb,\xc3\xa9.\\000z");
}

static void test_dns_answers(void) {
  decoder_reset();
  /* CNAME (compressed), A, AAAA with the largest TTL */
  pf_pkt *p = dns_hex("12388180000100030000000003777777076578616d706c6503636f6d0000010001c00c000500010000012c"
                      "00060363646ec010c02d000100010000003c00045db8d822c02d001c0001ffffffff001020010db800000000"
                      "0000000000000001", 1);
  FIELD_IS(p, PF_F_DNS_FLAGS_RESPONSE, "1");
  FIELD_IS(p, PF_F_DNS_FLAGS_RCODE, "0");
  FIELD_IS(p, PF_F_DNS_QRY_NAME, "www.example.com");
  FIELD_IS(p, PF_F_DNS_QRY_TYPE, "1");
  FIELD_IS(p, PF_F_DNS_COUNT_ANSWERS, "3");
  FIELD_IS(p, PF_F_DNS_CNAME, "cdn.example.com");
  FIELD_IS(p, PF_F_DNS_A, "93.184.216.34");
  FIELD_IS(p, PF_F_DNS_AAAA, "2001:db8::1");
  FIELD_IS(p, PF_F_DNS_RESP_TTL, "300,60,4294967295");
  /* counts of 65535 over a short message: what is there, then the exception */
  p = dns_hex("123a8180ffffffffffffffff03777777076578616d706c6503636f6d0000010001c00c0001000100000005"
              "000401020304", 1);
  FIELD_IS(p, PF_F_DNS_COUNT_ANSWERS, "65535");
  FIELD_IS(p, PF_F_DNS_QRY_NAME, "www.example.com,www.example.com,<Root>");
  FIELD_IS(p, PF_F_DNS_A, "");
}

/* Formatting of names as tshark's format_text() does it. */
static void test_dns_name_text(void) {
  static const struct { const char *label_hex, *want; } cases[] = {
    { "c0af", "/" },                      /* overlong '/' is accepted */
    { "eda080", "\xef\xbf\xbd" },         /* a surrogate: U+FFFD */
    { "efbfbf", "\\uFFFF" },              /* a noncharacter */
    { "f09f9880", "\xf0\x9f\x98\x80" },   /* an emoji as is */
    { "7f01", "\\177\\001" },
    { "fffe", "\xef\xbf\xbd\xef\xbf\xbd" },
    { "615c62", "a\\b" },                 /* a backslash is not escaped */
    { "e2808b", "\\u200B" },              /* a format character */
    { "cc8178", "\xcc\x81x" },            /* a combining mark as is */
  };
  decoder_reset();
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char h[256];
    size_t ll = strlen(cases[i].label_hex) / 2;
    snprintf(h, sizeof h, "2000010000010000000000000%zx%s0000010001", ll, cases[i].label_hex);
    pf_pkt *p = dns_hex(h, 0);
    FIELD_IS(p, PF_F_DNS_QRY_NAME, cases[i].want);
  }
  /* the formatter itself: bounded output, length needed returned */
  uint8_t out[8];
  size_t need = pf_text_format((const uint8_t *)"\x01\x02\x03\x04", 4, out, sizeof out);
  CHECK(need == 16);   /* four \ooo escapes */
  CHECK(memcmp(out, "\\001\\002", 8) == 0);
}

/* ---- HTTP ---- */

static void test_http_split_header(void) {
  decoder_reset();
  sess s;
  sess_open(&s, 40001, 80, 0);
  pf_pkt *p = send_str(&s, 0, "GET /index.html HTTP/1.1\r\nHo");
  FIELD_IS(p, PF_F_HTTP_REQUEST_METHOD, "");
  p = send_str(&s, 0, "st: example.com\r\nUser-Agent: t\x01" "est\r\n");
  FIELD_IS(p, PF_F_HTTP_HOST, "");
  p = send_str(&s, 0, "\r\n");   /* the header is complete here */
  FIELD_IS(p, PF_F_HTTP_REQUEST_METHOD, "GET");
  FIELD_IS(p, PF_F_HTTP_REQUEST_URI, "/index.html");
  FIELD_IS(p, PF_F_HTTP_HOST, "example.com");
  FIELD_IS(p, PF_F_HTTP_USER_AGENT, "t\x01" "est");
  p = send_str(&s, 1, "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5\r\n\r\n");
  FIELD_IS(p, PF_F_HTTP_RESPONSE_CODE, "");
  p = send_str(&s, 1, "hello");   /* the body completes the message */
  FIELD_IS(p, PF_F_HTTP_RESPONSE_CODE, "200");
  FIELD_IS(p, PF_F_HTTP_CONTENT_TYPE, "text/html");
}

static void test_http_chunked(void) {
  decoder_reset();
  sess s;
  sess_open(&s, 40003, 80, 0);
  pf_pkt *p = send_str(&s, 0, "GET /c HTTP/1.1\r\nHost: c.example\r\n\r\n");
  FIELD_IS(p, PF_F_HTTP_REQUEST_URI, "/c");
  FIELD_IS(p, PF_F_HTTP_HOST, "c.example");
  p = send_str(&s, 1, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\n\r\n1");
  FIELD_IS(p, PF_F_HTTP_RESPONSE_CODE, "");
  p = send_str(&s, 1, "0\r\n0123456789abcdef\r\n");   /* a chunk-size line split in two */
  FIELD_IS(p, PF_F_HTTP_RESPONSE_CODE, "");
  p = send_str(&s, 1, "0\r\n\r\n");
  FIELD_IS(p, PF_F_HTTP_RESPONSE_CODE, "200");
  FIELD_IS(p, PF_F_HTTP_CONTENT_TYPE, "text/plain");
}

/* A header line of 100 000 bytes: no crash, and the reassembly stays bounded
   (the fields of a header longer than PF_MSP_STORE are not shown). */
static void test_http_huge_header(void) {
  decoder_reset();
  sess s;
  sess_open(&s, 40002, 80, 0);
  static char piece[1401];
  pf_pkt *p = send_str(&s, 0, "POST /up HTTP/1.1\r\nX-Big: ");
  memset(piece, 'a', 1400);
  piece[1400] = 0;
  for (int i = 0; i < 72; i++) p = send_str(&s, 0, piece);
  p = send_str(&s, 0, "\r\nHost: big.example\r\n\r\n");
  CHECK(p->first[PF_F_TCP_LEN] >= 0);
  seg(&s, 1, ACK, NULL, 0);
  /* the stream goes on normally afterwards */
  p = send_str(&s, 1, "HTTP/1.1 204 No Content\r\n\r\n");
  FIELD_IS(p, PF_F_HTTP_RESPONSE_CODE, "204");
}

/* ---- TLS ---- */

/* A ClientHello record naming sni; extra: bytes appended to the extensions. */
static uint32_t client_hello(uint8_t *out, const char *sni, const uint8_t *extra, uint32_t extra_len) {
  uint8_t body[512];
  uint32_t n = 0, nl = (uint32_t)strlen(sni);
  body[n++] = 3, body[n++] = 3;
  memset(body + n, 0x11, 32), n += 32;
  body[n++] = 0;                          /* session id */
  body[n++] = 0, body[n++] = 2, body[n++] = 0x13, body[n++] = 0x01;
  body[n++] = 1, body[n++] = 0;           /* compression */
  uint32_t ext_len = 9 + nl + extra_len;
  body[n++] = (uint8_t)(ext_len >> 8), body[n++] = (uint8_t)ext_len;
  body[n++] = 0, body[n++] = 0;           /* server_name */
  body[n++] = (uint8_t)((nl + 5) >> 8), body[n++] = (uint8_t)(nl + 5);
  body[n++] = (uint8_t)((nl + 3) >> 8), body[n++] = (uint8_t)(nl + 3);
  body[n++] = 0;
  body[n++] = (uint8_t)(nl >> 8), body[n++] = (uint8_t)nl;
  memcpy(body + n, sni, nl), n += nl;
  if (extra_len) memcpy(body + n, extra, extra_len), n += extra_len;
  uint32_t o = 0;
  out[o++] = 0x16, out[o++] = 3, out[o++] = 1;
  out[o++] = (uint8_t)((n + 4) >> 8), out[o++] = (uint8_t)(n + 4);
  out[o++] = 1, out[o++] = (uint8_t)(n >> 16), out[o++] = (uint8_t)(n >> 8), out[o++] = (uint8_t)n;
  memcpy(out + o, body, n);
  return o + n;
}

static void test_tls_split_client_hello(void) {
  uint8_t ch[600];
  for (int v6 = 0; v6 <= 1; v6++) {
    decoder_reset();
    sess s;
    sess_open(&s, 40004, 443, v6);
    uint32_t n = client_hello(ch, "split.example.org", NULL, 0);
    pf_pkt *p = seg(&s, 0, PSH | ACK, ch, 40);
    FIELD_IS(p, PF_F_TLS_HANDSHAKE_TYPE, "");
    p = seg(&s, 0, PSH | ACK, ch + 40, n - 40);
    FIELD_IS(p, PF_F_TLS_HANDSHAKE_TYPE, "1");
    FIELD_IS(p, PF_F_TLS_HANDSHAKE_EXTENSIONS_SERVER_NAME, "split.example.org");
  }
}

static void test_tls_truncated_and_broken(void) {
  decoder_reset();
  sess s;
  sess_open(&s, 40005, 443, 0);
  /* a record longer than the stream, which then ends */
  static const uint8_t cut[] = { 0x16, 3, 1, 2, 0, 1, 0, 1, 0xfc, 3, 3, 0, 0, 0, 0 };
  pf_pkt *p = seg(&s, 0, PSH | ACK, cut, sizeof cut);
  FIELD_IS(p, PF_F_TLS_HANDSHAKE_TYPE, "");
  p = seg(&s, 0, FIN | ACK, NULL, 0);
  FIELD_IS(p, PF_F_TLS_HANDSHAKE_TYPE, "");

  /* an extension whose length runs far past the message; then a record with
     three handshake messages */
  decoder_reset();
  sess_open(&s, 40006, 443, 0);
  static const uint8_t bad_ext[] = { 0, 0x10, 0xff, 0xff, 'a', 'b' };
  uint8_t ch[600];
  uint32_t n = client_hello(ch, "bad.example", bad_ext, sizeof bad_ext);
  p = seg(&s, 0, PSH | ACK, ch, n);
  FIELD_IS(p, PF_F_TLS_HANDSHAKE_TYPE, "1");
  FIELD_IS(p, PF_F_TLS_HANDSHAKE_EXTENSIONS_SERVER_NAME, "bad.example");
  uint8_t rec[128];
  uint32_t r = 5;
  rec[r++] = 2, rec[r++] = 0, rec[r++] = 0, rec[r++] = 0x26, rec[r++] = 3, rec[r++] = 3;
  memset(rec + r, 0x22, 32), r += 32;
  rec[r++] = 0, rec[r++] = 0x13, rec[r++] = 0x01, rec[r++] = 0;
  static const uint8_t cert_done[] = { 0x0b, 0, 0, 3, 0, 0, 0, 0x0e, 0, 0, 0 };
  memcpy(rec + r, cert_done, sizeof cert_done), r += sizeof cert_done;
  rec[0] = 0x16, rec[1] = 3, rec[2] = 3, rec[3] = (uint8_t)((r - 5) >> 8), rec[4] = (uint8_t)(r - 5);
  p = seg(&s, 1, PSH | ACK, rec, r);
  FIELD_IS(p, PF_F_TLS_HANDSHAKE_TYPE, "2,11,14");

  /* a lone record header, then garbage: no crash, nothing shown */
  decoder_reset();
  sess_open(&s, 40007, 443, 0);
  static const uint8_t hdr_only[] = { 0x16, 3, 3, 0x40, 0 };
  p = seg(&s, 0, PSH | ACK, hdr_only, sizeof hdr_only);
  FIELD_IS(p, PF_F_TLS_HANDSHAKE_TYPE, "");
  static uint8_t junk[3000];
  for (size_t i = 0; i < sizeof junk; i++) junk[i] = (uint8_t)(i * 7 + 1);
  p = seg(&s, 0, PSH | ACK, junk, sizeof junk);
  p = seg(&s, 0, PSH | ACK, junk, sizeof junk);
  CHECK(p->first[PF_F_TCP_LEN] >= 0);
}

/* ---- the reassembly engine ---- */

typedef struct sub_state {
  int calls, complete;
  uint32_t last_len;
  uint32_t need;          /* PDU length (from a 4-byte prefix) */
  uint32_t keep;
  int always_more;
  int saw_first;          /* the first 4 bytes were readable in the reassembled PDU */
} sub_state;

/* A PDU is a 4-byte big-endian length and that many bytes; keep: what the test
   says later dissections read. always_more: never satisfied (an endless header). */
static void length_prefixed(void *ud, const pf_vbuf *b, int can_desegment, pf_deseg *req) {
  sub_state *st = ud;
  st->calls++;
  st->last_len = b->len;
  req->offset = req->len = req->keep = 0;
  req->window = 0;
  req->exception = 0;
  if (st->always_more) {
    if (can_desegment) req->len = PF_DESEG_ONE_MORE;
    return;
  }
  uint32_t off = 0;
  while (off < b->len) {   /* as tcp_dissect_pdus: PDU after PDU */
    if (b->len - off < 4) {
      if (can_desegment) req->offset = off, req->len = PF_DESEG_ONE_MORE;
      return;
    }
    uint32_t v = 0;
    for (uint32_t i = 0; i < 4; i++) {
      int c = pf_vbuf_byte(b, off + i);
      if (c < 0) return;
      v = v << 8 | (uint32_t)c;
    }
    if (off == 0) st->saw_first = 1;
    st->need = v + 4;
    if (b->len - off < v + 4) {
      if (can_desegment) {
        req->offset = off;
        req->len = v + 4 - (b->len - off);
        req->keep = st->keep;
      }
      return;
    }
    st->complete++;
    off += v + 4;
  }
}

static void feed_stream(pf_tcpflow *f, sub_state *st, const uint8_t *d, uint32_t total, uint32_t piece,
                        size_t *max_bytes) {
  uint32_t seq = 1;
  for (uint32_t off = 0; off < total; off += piece) {
    uint32_t n = total - off < piece ? total - off : piece;
    pf_tcpdata s;
    memset(&s, 0, sizeof s);
    s.seq = seq;
    s.nxtseq = seq + n;
    s.data = d + off;
    s.len = n;
    s.frame = off / piece + 1;
    CHECK(pf_tcpflow_segment(f, &s, length_prefixed, st) == 0);
    size_t b = pf_tcpflow_bytes(f);
    if (b > *max_bytes) *max_bytes = b;
    seq += n;
  }
}

static void test_reassembly_bounds(void) {
  static uint8_t data[1u << 20];
  uint32_t body = sizeof data - 4;
  data[0] = (uint8_t)(body >> 24), data[1] = (uint8_t)(body >> 16);
  data[2] = (uint8_t)(body >> 8), data[3] = (uint8_t)body;
  for (uint32_t i = 4; i < sizeof data; i++) data[i] = (uint8_t)i;

  /* a 1 MiB PDU whose dissector reads only its first 4 bytes again */
  sub_state st;
  memset(&st, 0, sizeof st);
  st.keep = 4;
  size_t max_bytes = 0;
  pf_tcpflow *f = pf_tcpflow_new(NULL);
  CHECK(f != NULL);
  feed_stream(f, &st, data, sizeof data, 1460, &max_bytes);
  CHECK(st.complete == 1);
  CHECK(st.last_len == sizeof data);
  CHECK(st.saw_first);
  CHECK(max_bytes < 4096);                 /* the store holds the 4 bytes, not the PDU */
  CHECK(pf_tcpflow_bytes(f) == 0);         /* freed once complete */
  pf_tcpflow_free(f);

  /* the same PDU with the whole of it wanted: the store stops at PF_MSP_STORE */
  memset(&st, 0, sizeof st);
  max_bytes = 0;
  f = pf_tcpflow_new(NULL);
  feed_stream(f, &st, data, sizeof data, 1460, &max_bytes);
  CHECK(st.complete == 1);
  CHECK(max_bytes <= PF_MSP_STORE + 2 * PF_MSP_RECENT + 1024);
  CHECK(pf_tcpflow_bytes(f) == 0);
  pf_tcpflow_free(f);

  /* a PDU that never completes (an endless header): bounded all along */
  memset(&st, 0, sizeof st);
  st.always_more = 1;
  max_bytes = 0;
  f = pf_tcpflow_new(NULL);
  feed_stream(f, &st, data, sizeof data, 1000, &max_bytes);
  CHECK(st.calls > 1000);
  CHECK(max_bytes <= PF_MSP_STORE + 2 * PF_MSP_RECENT + 1024);
  pf_tcpflow_free(f);

  /* many small PDUs back to back, split at odd places */
  static uint8_t many[4000];
  uint32_t n = 0, pdus = 0;
  while (n + 13 <= sizeof many) {
    many[n] = 0, many[n + 1] = 0, many[n + 2] = 0, many[n + 3] = 9;
    memset(many + n + 4, 'x', 9);
    n += 13;
    pdus++;
  }
  memset(&st, 0, sizeof st);
  max_bytes = 0;
  f = pf_tcpflow_new(NULL);
  feed_stream(f, &st, many, n, 7, &max_bytes);
  CHECK(st.complete == (int)pdus);
  CHECK(max_bytes < 4096);
  pf_tcpflow_free(f);
}

/* The shared budget: old incomplete PDUs give up their bytes, recent ones complete. */
static void test_reassembly_pool(void) {
  static uint8_t pdu[20004];
  uint32_t body = sizeof pdu - 4;
  pdu[0] = 0, pdu[1] = 0, pdu[2] = (uint8_t)(body >> 8), pdu[3] = (uint8_t)body;
  memset(pdu + 4, 'p', body);
  pf_tcppool *pool = pf_tcppool_new(100000);
  CHECK(pool != NULL);
  enum { NF = 10 };
  pf_tcpflow *f[NF];
  sub_state st[NF];
  memset(st, 0, sizeof st);
  /* every flow gets all but the last byte of its PDU */
  for (int i = 0; i < NF; i++) {
    f[i] = pf_tcpflow_new(pool);
    pf_tcpdata s;
    memset(&s, 0, sizeof s);
    s.seq = 1;
    s.nxtseq = 1 + sizeof pdu - 1;
    s.data = pdu;
    s.len = sizeof pdu - 1;
    s.frame = (uint64_t)i + 1;
    CHECK(pf_tcpflow_segment(f[i], &s, length_prefixed, &st[i]) == 0);
    CHECK(pf_tcppool_bytes(pool) <= 100000 + sizeof pdu + 4096);
  }
  /* then the last byte */
  int done = 0;
  for (int i = 0; i < NF; i++) {
    pf_tcpdata s;
    memset(&s, 0, sizeof s);
    s.seq = sizeof pdu;
    s.nxtseq = sizeof pdu + 1;
    s.data = pdu + sizeof pdu - 1;
    s.len = 1;
    s.frame = 100 + (uint64_t)i;
    CHECK(pf_tcpflow_segment(f[i], &s, length_prefixed, &st[i]) == 0);
    done += st[i].complete;
  }
  CHECK(st[NF - 1].complete == 1);   /* the most recent ones kept their bytes */
  CHECK(st[0].complete == 0);        /* the oldest gave them up */
  CHECK(done >= 3 && done < NF);
  for (int i = 0; i < NF; i++) pf_tcpflow_free(f[i]);
  CHECK(pf_tcppool_bytes(pool) == 0);
  pf_tcppool_free(pool);
}

int main(void) {
  test_dns_hostile_names();
  test_dns_answers();
  test_dns_name_text();
  test_http_split_header();
  test_http_chunked();
  test_http_huge_header();
  test_tls_split_client_hello();
  test_tls_truncated_and_broken();
  test_reassembly_bounds();
  test_reassembly_pool();
  if (dec) pf_decoder_free(dec);
  return check_report("test_app");
}
