/* dissect_http.c: HTTP/1.x as tshark 4.0's packet-http.c and req_resp_hdrs.c read it: which
   bytes make one message (header and body reassembly), and the request and response
   fields of each message, shown on the frame that completes it. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

#include "app.h"

enum { HTTP_OTHERS, HTTP_REQUEST, HTTP_RESPONSE, HTTP_NOTIFICATION };
enum { TE_NONE, TE_UNKNOWN, TE_OTHER };

#define MAX_CHUNK_LINE 1024   /* longest chunk-size line read from the hole (see chunk_state) */

/* The body walk of one chunked message, kept with its PDU between segments so that
   chunk-size lines which have left the PDU store need not be read again: the walk
   over the same bytes with more of them available passes through the same states. */
typedef struct chunk_state {
  uint32_t valid;
  uint32_t body;          /* where the body starts in the PDU */
  uint32_t p;             /* the chunk-size line the walk stopped at */
  uint32_t line_known;    /* that line is complete: its size and data offset */
  uint32_t size, data;
} chunk_state;
typedef char chunk_state_fits[sizeof(chunk_state) <= PF_MSP_STATE ? 1 : -1];

/* ---- reading the buffer ---- */

/* tvb_find_line_end over [off, off + len): the length of the line up to CR or LF,
   *next after its terminator (CR LF counts as one). With desegment, -1 when there
   is no terminator (or a CR is the last byte: an LF may follow). *hole: a byte in
   the range was not available. */
static int64_t find_line_end(const pf_vbuf *b, uint32_t off, uint32_t len, uint32_t *next, int desegment,
                             int *hole) {
  uint32_t eob = off + len, i = off;
  while (i < eob) {
    uint32_t run;
    const uint8_t *sp = pf_vbuf_run(b, i, &run);
    if (sp == NULL) {
      if (i >= b->len) break;
      *hole = 1;
      return -1;
    }
    /* scan the contiguous run */
    if (run > eob - i) run = eob - i;
    for (uint32_t k = 0; k < run; k++) {
      uint8_t ch = sp[k];
      if (ch == '\r' || ch == '\n') {
        uint32_t eol = i + k;
        int64_t linelen = eol - off;
        if (ch == '\r') {
          if (eol + 1 >= eob) {
            if (desegment) return -1;
          } else {
            int nb = pf_vbuf_byte(b, eol + 1);
            if (nb < 0) {
              if (eol + 1 < b->len) { *hole = 1; return -1; }
              *hole = 2;   /* past the data: tshark's exception */
              return -1;
            }
            if (nb == '\n') eol++;
          }
        }
        *next = eol + 1;
        return linelen;
      }
    }
    i += run;
  }
  if (desegment) return -1;
  *next = eob;
  return (int64_t)(eob - off);
}

/* Copies up to cap bytes of [off, off + n) into out; 0 when some byte is missing. */
static int copy_bytes(const pf_vbuf *b, uint32_t off, uint32_t n, uint8_t *out) {
  const uint8_t *s = pf_vbuf_span(b, off, n);
  if (s) { memcpy(out, s, n); return 1; }
  for (uint32_t i = 0; i < n; i++) {
    int c = pf_vbuf_byte(b, off + i);
    if (c < 0) return 0;
    out[i] = (uint8_t)c;
  }
  return 1;
}

static int ascii_isspace(int c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
static int ascii_lower(int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }
static int strncaseeq(const uint8_t *a, const char *b, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (ascii_lower(a[i]) != ascii_lower((unsigned char)b[i])) return 0;
  return 1;
}

/* get_token_len: up to a blank (or CR/LF), then past the blanks */
static uint32_t token_len(const uint8_t *line, const uint8_t *end, const uint8_t **next) {
  const uint8_t *p = line;
  while (p < end && *p != ' ' && *p != '\r' && *p != '\n') p++;
  uint32_t n = (uint32_t)(p - line);
  while (p < end && *p == ' ') p++;
  *next = p;
  return n;
}

/* sscanf(line, "%x") on the ENC_ASCII text of a chunk-size line cut at ';'
   (bytes >= 0x80 are U+FFFD there, which stops the number, as does a NUL).
   Returns 0 when no number was read. */
static int scan_hex(const uint8_t *s, uint32_t n, uint32_t *out) {
  uint32_t i = 0;
  while (i < n && s[i] != ';' && s[i] != 0 && ascii_isspace(s[i])) i++;
  if (i < n && (s[i] == '+' || s[i] == '-')) i++;
  int neg = i > 0 && s[i - 1] == '-';
  if (i + 1 < n && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X')) {
    /* "0x" counts as a prefix only when a hex digit follows */
    if (i + 2 < n && ((s[i + 2] >= '0' && s[i + 2] <= '9') || (ascii_lower(s[i + 2]) >= 'a' && ascii_lower(s[i + 2]) <= 'f')))
      i += 2;
  }
  uint64_t v = 0;
  int digits = 0, over = 0;
  for (; i < n && s[i] != ';'; i++) {
    int c = s[i], d;
    if (c >= '0' && c <= '9') d = c - '0';
    else if (ascii_lower(c) >= 'a' && ascii_lower(c) <= 'f') d = ascii_lower(c) - 'a' + 10;
    else break;
    digits++;
    if (v > (UINT64_MAX >> 4)) over = 1;
    v = v * 16 + (uint64_t)d;
  }
  if (!digits) return 0;
  if (over) v = UINT64_MAX;
  if (neg) v = (uint64_t)0 - v;
  *out = (uint32_t)v;   /* glibc stores the unsigned long result into an unsigned int */
  return 1;
}

/* ---- request and response lines ---- */

/* is_http_request_or_reply: the first word decides; sets *type. method/mlen:
   the method as the conversation keeps it (after an "M-" prefix). */
static int is_request_or_reply(const uint8_t *data, int64_t linelen, int *type, const uint8_t **method,
                               uint32_t *mlen) {
  if (linelen >= 2 && data[0] == 'M' && data[1] == '-') { data += 2; linelen -= 2; }
  if ((linelen >= 5 && memcmp(data, "HTTP/", 5) == 0) || (linelen >= 3 && memcmp(data, "ICY", 3) == 0)) {
    *type = HTTP_RESPONSE;
    return 1;
  }
  int64_t indx = 0;
  while (indx < linelen && data[indx] != ' ') indx++;
  static const char *const req[] = {
    "GET", "PUT", "COPY", "HEAD", "LOCK", "MOVE", "POLL", "POST", "BCOPY", "BMOVE", "MKCOL", "TRACE",
    "PATCH", "LABEL", "MERGE", "DELETE", "SEARCH", "UNLOCK", "REPORT", "UPDATE", "BDELETE", "CONNECT",
    "OPTIONS", "CHECKIN", "PROPFIND", "CHECKOUT", "CCM_POST", "PROPPATCH", "BPROPFIND", "BPROPPATCH",
    "UNCHECKOUT", "MKACTIVITY", "MKWORKSPACE", "RPC_CONNECT", "RPC_IN_DATA", "RPC_OUT_DATA",
    "VERSION-CONTROL", "BASELINE-CONTROL", "SSTP_DUPLEX_POST" };
  static const char *const notif[] = { "NOTIFY", "SUBSCRIBE", "UNSUBSCRIBE" };
  int t = HTTP_OTHERS;
  for (size_t i = 0; i < sizeof req / sizeof req[0] && t == HTTP_OTHERS; i++)
    if ((int64_t)strlen(req[i]) == indx && memcmp(data, req[i], (size_t)indx) == 0) t = HTTP_REQUEST;
  for (size_t i = 0; i < sizeof notif / sizeof notif[0] && t == HTTP_OTHERS; i++)
    if ((int64_t)strlen(notif[i]) == indx && memcmp(data, notif[i], (size_t)indx) == 0) t = HTTP_NOTIFICATION;
  if (t == HTTP_OTHERS) return 0;
  *type = t;
  if (method) { *method = data; *mlen = (uint32_t)indx; }
  return 1;
}

/* The status code as parse_http_status_code reads it (the reassembly decision). */
static unsigned parse_status(const uint8_t *line, const uint8_t *end) {
  const uint8_t *next;
  if (token_len(line, end, &next) == 0) return 0;
  line = next;
  if (token_len(line, end, &next) != 3) return 0;
  unsigned v = 0;
  for (int i = 0; i < 3; i++) {
    if (line[i] < '0' || line[i] > '9') return 0;   /* ws_strtoi32 wants the whole token */
    v = v * 10 + (unsigned)(line[i] - '0');
  }
  return v;
}

/* strtoul(first three characters, NULL, 10) */
static uint32_t strtoul3(const uint8_t *s) {
  char t[4] = { (char)s[0], (char)s[1], (char)s[2], 0 };
  return (uint32_t)strtoul(t, NULL, 10);
}

/* ---- reassembly decisions (req_resp_hdrs_do_reassembly) ---- */

/* The chunked body starting at body; returns 1 complete, 0 more needed (*req set),
   -1 exception. */
static int chunks_complete(const pf_vbuf *b, uint32_t msg_off, uint32_t body, pf_deseg *req) {
  chunk_state *cs = b->state ? (chunk_state *)(void *)b->state : NULL;
  uint32_t next = body;
  int line_known = 0;
  uint32_t ksize = 0, kdata = 0;
  if (cs && cs->valid && cs->body == body) {
    next = cs->p;
    line_known = (int)cs->line_known;
    ksize = cs->size;
    kdata = cs->data;
  } else if (cs) {
    memset(cs, 0, sizeof *cs);
  }
  for (;;) {
    if (next >= b->rlen) goto more;
    uint32_t length_remaining = b->len - next;
    uint32_t reported_remaining = b->rlen - next;
    uint32_t size, chunk_off;
    if (line_known) {
      size = ksize;
      chunk_off = kdata;
      line_known = 0;
    } else {
      int hole = 0;
      uint32_t lnext = 0;
      int64_t linelen = find_line_end(b, next, length_remaining, &lnext, 1, &hole);
      if (hole == 1) return 1;   /* the line left the store: stop as tshark would on a bad line */
      if (hole == 2) return -1;
      if (linelen < 0) goto more;
      uint8_t line[MAX_CHUNK_LINE];
      uint32_t n = linelen > MAX_CHUNK_LINE ? MAX_CHUNK_LINE : (uint32_t)linelen;
      if (!copy_bytes(b, next, n, line)) return 1;
      if (!scan_hex(line, n, &size)) return 1;
      chunk_off = lnext;
    }
    if (size > (1u << 31)) return 1;
    if (size == 0) {
      /* the last chunk: one more line (tshark passes the length left from the
         size line, which reaches past the data: a CR as the last byte reads on) */
      int hole = 0;
      uint32_t lnext = 0;
      uint32_t len2 = length_remaining;
      if (chunk_off + len2 < chunk_off) len2 = UINT32_MAX - chunk_off;
      int64_t l2 = find_line_end(b, chunk_off, len2, &lnext, 1, &hole);
      if (hole == 2) return -1;
      if (hole == 1) return 1;
      if (l2 < 0) {
        if (cs) { cs->valid = 1; cs->body = body; cs->p = next; cs->line_known = 1; cs->size = 0; cs->data = chunk_off; }
        goto more;
      }
      return 1;
    }
    if (reported_remaining > size) {
      next = chunk_off + size + 2;
      if (next < chunk_off) return 1;
      continue;
    }
    if (cs) { cs->valid = 1; cs->body = body; cs->p = next; cs->line_known = 1; cs->size = size; cs->data = chunk_off; }
    goto more;
  }
more:
  if (cs && !(cs->valid && cs->body == body && cs->p == next)) {
    cs->valid = 1;
    cs->body = body;
    cs->p = next;
    cs->line_known = 0;
  }
  req->offset = msg_off;
  req->len = PF_DESEG_ONE_MORE;
  /* with a walk state kept, later walks resume where this one stopped (its line
     is in the recent bytes): the header is enough; without, they walk again */
  req->keep = cs ? body - msg_off + 1 : 0;
  req->window = 1;
  return 0;
}

/* req_resp_hdrs_do_reassembly: 1 when the message at off is complete, 0 when
   *req says what is missing, -1 exception. */
static int reassembly_done(const pf_vbuf *b, uint32_t off, int can_desegment, int desegment_body,
                           int until_fin, pf_deseg *req) {
  uint32_t next = off;
  int cl_found = 0, chunked = 0;
  int64_t cl = 0;
  if (can_desegment) {
    for (;;) {
      uint32_t sav = next;
      if (next >= b->rlen) { req->offset = off; req->len = PF_DESEG_ONE_MORE; req->keep = 0; return 0; }
      uint32_t length_remaining = b->len - next;
      int hole = 0;
      int64_t linelen = find_line_end(b, next, length_remaining, &next, 1, &hole);
      if (hole) return -1;
      if (linelen < 0) { req->offset = off; req->len = PF_DESEG_ONE_MORE; req->keep = 0; return 0; }
      if (linelen == 0) break;
      if (!desegment_body) continue;
      int first = pf_vbuf_byte(b, sav);
      if (!(first == 'c' || first == 'C' || first == 't' || first == 'T')) continue;
      const uint8_t *line = pf_vbuf_span(b, sav, (uint32_t)linelen);
      if (line == NULL) return -1;
      /* the line as a C string (ENC_UTF_8: a NUL ends it) */
      uint32_t ln = 0;
      while (ln < linelen && line[ln]) ln++;
      if (ln >= 15 && strncaseeq(line, "Content-Length:", 15)) {
        /* g_strstrip, then ws_strtoi32 on all of it; it stores a value even
           when it fails (0, or the clipped bound), which the check below uses */
        uint32_t a = 15, e = ln;
        while (a < e && ascii_isspace(line[a])) a++;
        while (e > a && ascii_isspace(line[e - 1])) e--;
        uint32_t i = a;
        int neg = 0, ok = 1, range = 0;
        if (i < e && (line[i] == '-' || line[i] == '+')) { neg = line[i] == '-'; i++; }
        uint32_t d0 = i;
        uint64_t v = 0;
        while (i < e && line[i] >= '0' && line[i] <= '9') {
          if (v > (UINT64_MAX - 9) / 10) range = 1;
          else v = v * 10 + (uint64_t)(line[i] - '0');
          i++;
        }
        if (!neg && v > (uint64_t)INT64_MAX) range = 1;
        if (neg && v > (uint64_t)INT64_MAX + 1) range = 1;
        if (i == d0 || i != e) { cl = 0; ok = 0; }
        else if (range) { cl = neg ? INT32_MIN : INT32_MAX; ok = 0; }
        else {
          int64_t sv = neg ? (int64_t)(0 - v) : (int64_t)v;
          if (sv < INT32_MIN) { cl = INT32_MIN; ok = 0; }
          else if (sv > INT32_MAX) { cl = INT32_MAX; ok = 0; }
          else cl = sv;
        }
        if (ok && cl >= 0) cl_found = 1;
      } else if (ln >= 18 && strncaseeq(line, "Transfer-Encoding:", 18)) {
        uint32_t p = 18;
        while (p < ln && (line[p] == ' ' || line[p] == '\t')) p++;
        if (ln - p >= 7 && strncaseeq(line + p, "chunked", 7)) chunked = 1;
      }
    }
  }
  if (desegment_body) {
    if (chunked) return chunks_complete(b, off, next, req);
    if (cl_found) {
      if (cl >= 128 * 1024) {
        /* MS-RPCH: a content length that means nothing (the tshark test looks at
           the first bytes of the whole buffer and the Content-Type) */
        uint8_t head[12];
        if (copy_bytes(b, 0, b->len < 12 ? b->len : 12, head)) {
          uint32_t hn = b->len < 12 ? b->len : 12;
          if ((hn >= 11 && memcmp(head, "RPC_IN_DATA", 11) == 0) || (hn >= 12 && memcmp(head, "RPC_OUT_DATA", 12) == 0))
            return 1;
        }
      }
      /* tvb_bytes_exist: a length of -1 means "to the end", below that nothing exists */
      int exists = cl == -1 || (cl >= 0 && (uint64_t)next + (uint64_t)cl <= b->len);
      if (!exists) {
        uint32_t length_remaining = b->len > next ? b->len - next : 0;
        uint32_t reported_remaining = b->rlen > next ? b->rlen - next : 0;
        if (length_remaining < reported_remaining) return 1;
        req->offset = off;
        req->len = (uint32_t)cl - length_remaining;
        if (req->len == 0) req->len = 1;   /* 0 would mean "done" (cl < -1 wrapping to 0) */
        /* the header and the byte after it (a CR ending the header looks at it);
           the body is skipped by its length */
        req->keep = next - off + 1;
        req->window = 0;
        return 0;
      }
    } else if (until_fin && can_desegment) {
      uint32_t length_remaining = b->len > next ? b->len - next : 0;
      uint32_t reported_remaining = b->rlen > next ? b->rlen - next : 0;
      if (length_remaining < reported_remaining) return 1;
      req->offset = off;
      req->len = PF_DESEG_UNTIL_FIN;
      /* at the FIN the whole PDU is read again without reassembly, where what
         follows this header may parse as more messages: keep it all */
      req->keep = 0;
      return 0;
    }
  }
  return 1;
}

/* ---- one message ---- */

typedef struct headers {
  int have_cl;
  int64_t cl;
  int te;                 /* TE_NONE, else a Transfer-Encoding header was there */
  int chunked;
  int upgrade;
  int have_ctype;         /* a Content-Type header was there ... */
  int ctype_octet;        /* ... and its media type is application/octet-stream */
  int cenc;               /* Content-Encoding: CE_NONE (or identity), CE_ZLIB, CE_OTHER */
  /* for http.request.full_uri (copies, only when it is wanted): the request
     URI and the last Host header's value, both up to a NUL */
  const uint8_t *uri, *host;
  uint32_t uri_len, host_len;
} headers;

/* a copy of n bytes up to the first NUL in the packet's text storage (NULL when it cannot) */
static const uint8_t *copy_text(pf_dctx *c, const uint8_t *v, uint32_t n, uint32_t *outn) {
  const uint8_t *z = memchr(v, 0, n);
  if (z) n = (uint32_t)(z - v);
  uint8_t *o = pf_app_text_alloc(c, n ? n : 1);
  if (o == NULL) return NULL;
  memcpy(o, v, n);
  *outn = n;
  return o;
}
enum { CE_NONE, CE_ZLIB, CE_OTHER };

/* 1 when the n bytes at v, up to a ';' and without surrounding blanks, equal
   word case-insensitively (how tshark reduces a Content-Type to its media type) */
static int value_is(const uint8_t *v, uint32_t n, const char *word) {
  uint32_t i = 0, e;
  while (i < n && (v[i] == ' ' || v[i] == '\t')) i++;
  e = i;
  while (e < n && v[e] != ';' && v[e] != 0) e++;
  while (e > i && (v[e - 1] == ' ' || v[e - 1] == '\t')) e--;
  return e - i == strlen(word) && strncaseeq(v + i, word, e - i);
}

static int is_token_char(uint8_t c) {
  return (c && strchr("!#$%&\\:*+-.^_`|~", c) != NULL) || (c >= '0' && c <= '9') ||
         (ascii_lower(c) >= 'a' && ascii_lower(c) <= 'z');
}

/* process_header for one "name: value" line */
static void process_header(pf_dctx *c, const uint8_t *line, uint32_t linelen, uint32_t colon, headers *h) {
  if (colon == 0) return;
  for (uint32_t i = 0; i < colon; i++)
    if (!is_token_char(line[i])) return;   /* a bad header name: shown as a line only */
  uint32_t v = colon + 1;
  while (v < linelen && (line[v] == ' ' || line[v] == '\t')) v++;
  const uint8_t *val = line + v;
  uint32_t vlen = linelen - v;
#define IS(name) (colon == sizeof(name) - 1 && strncaseeq(line, name, sizeof(name) - 1))
  if (IS("Host")) {
    pf_app_emit_ascii(c, PF_F_HTTP_HOST, val, vlen);
    if (pf_wants(c, PF_F_HTTP_REQUEST_FULL_URI)) h->host = copy_text(c, val, vlen, &h->host_len);
  } else if (IS("Authorization")) {
    pf_app_emit_ascii(c, PF_F_HTTP_AUTHORIZATION, val, vlen);
  } else if (IS("Server")) {
    pf_app_emit_ascii(c, PF_F_HTTP_SERVER, val, vlen);
  } else if (IS("Referer")) {
    pf_app_emit_ascii(c, PF_F_HTTP_REFERER, val, vlen);
  } else if (IS("Cookie")) {
    pf_app_emit_ascii(c, PF_F_HTTP_COOKIE, val, vlen);
  } else if (IS("Location")) {
    pf_app_emit_ascii(c, PF_F_HTTP_LOCATION, val, vlen);
  } else if (IS("Accept")) {
    pf_app_emit_ascii(c, PF_F_HTTP_ACCEPT, val, vlen);
  } else if (IS("Connection")) {
    pf_app_emit_ascii(c, PF_F_HTTP_CONNECTION, val, vlen);
  } else if (IS("User-Agent")) {
    pf_app_emit_ascii(c, PF_F_HTTP_USER_AGENT, val, vlen);
  } else if (IS("Content-Type")) {
    pf_app_emit_ascii(c, PF_F_HTTP_CONTENT_TYPE, val, vlen);
    h->have_ctype = 1;
    h->ctype_octet = value_is(val, vlen, "application/octet-stream");
  } else if (IS("Content-Encoding")) {
    if (value_is(val, vlen, "identity")) h->cenc = CE_NONE;
    else if (value_is(val, vlen, "gzip") || value_is(val, vlen, "deflate") || value_is(val, vlen, "x-gzip") ||
             value_is(val, vlen, "x-deflate"))
      h->cenc = CE_ZLIB;
    else h->cenc = CE_OTHER;
  } else if (IS("Content-Length")) {
    pf_app_emit_ascii(c, PF_F_HTTP_CONTENT_LENGTH_HEADER, val, vlen);
    /* g_ascii_strtoll(value, &end, 10): valid when non-negative, some digits,
       no overflow, and followed by the end or a space */
    uint32_t i = 0, n = 0;
    while (n < vlen && val[n]) n++;
    while (i < n && ascii_isspace(val[i])) i++;
    int neg = 0;
    if (i < n && (val[i] == '-' || val[i] == '+')) { neg = val[i] == '-'; i++; }
    uint32_t d0 = i;
    uint64_t x = 0;
    int over = 0;
    while (i < n && val[i] >= '0' && val[i] <= '9') {
      if (x > (UINT64_MAX - 9) / 10) over = 1;
      x = x * 10 + (uint64_t)(val[i] - '0');
      i++;
    }
    if (!neg && x > (uint64_t)INT64_MAX) over = 1;
    if (neg && x > (uint64_t)INT64_MAX + 1) over = 1;
    int64_t cl = neg ? (int64_t)(0 - x) : (int64_t)x;
    if (i == d0 || over || cl < 0 || (i < n && !ascii_isspace(val[i]))) {
      h->have_cl = 0;
    } else {
      h->have_cl = 1;
      h->cl = cl;
      pf_emit_u(c, PF_F_HTTP_CONTENT_LENGTH, (uint64_t)cl);
    }
  } else if (IS("Transfer-Encoding")) {
    /* http_parse_transfer_coding: any value marks the header present;
       "chunked" (case-sensitive) anywhere in the list counts */
    uint32_t n = 0;
    while (n < vlen && val[n]) n++;
    h->te = TE_UNKNOWN;
    uint32_t i = 0;
    int enc = 0;
    while (i < n) {
      while (i < n && (val[i] == ' ' || val[i] == '\t' || val[i] == ',')) i++;
      if (i >= n) break;
      if (n - i >= 7 && memcmp(val + i, "chunked", 7) == 0) { h->chunked = 1; i += 7; continue; }
      if (enc) break;
      static const char *const codings[] = { "compress", "deflate", "gzip", "identity", "x-compress", "x-gzip" };
      size_t k;
      for (k = 0; k < sizeof codings / sizeof codings[0]; k++) {
        size_t l = strlen(codings[k]);
        if (n - i >= l && memcmp(val + i, codings[k], l) == 0) { i += (uint32_t)l; enc = 1; break; }
      }
      if (k == sizeof codings / sizeof codings[0]) {
        while (i < n && val[i] != ',') i++;
        if (i >= n) break;
      }
    }
  } else if (IS("Upgrade")) {
    h->upgrade = 1;
  }
#undef IS
}

/* After asking for more of a PDU: when data.data is wanted the body is read
   again, so the reassembly keeps the whole PDU (up to PF_MSP_STORE). Returns -1. */
static int64_t keep_body(pf_dctx *c, pf_deseg *req) {
  if (pf_wants(c, PF_F_DATA_DATA) || pf_wants(c, PF_F_DATA_LEN)) {
    req->keep = 0;
    req->window = 0;
  }
  return -1;
}

/* The body with its chunked transfer coding taken off (tshark's
   chunked_encoding_dissector: a chunk's size is cut to what is left), in text
   storage until the next packet; *n its length. NULL when there is none. */
static const uint8_t *dechunk(pf_dctx *c, const pf_vbuf *b, uint32_t off, uint32_t datalen, uint32_t *n) {
  uint32_t end = off + datalen, capend = b->len < end ? b->len : end, pos = off, k = 0;
  uint8_t *out = capend > off ? pf_app_text_alloc(c, capend - off) : NULL;
  *n = 0;
  if (out == NULL) return NULL;
  while (pos < capend) {
    uint32_t lnext = 0;
    int hole = 0;
    int64_t linelen = find_line_end(b, pos, capend - pos, &lnext, 1, &hole);
    if (hole || linelen <= 0) break;
    uint8_t line[MAX_CHUNK_LINE];
    uint32_t ln = linelen > MAX_CHUNK_LINE ? MAX_CHUNK_LINE : (uint32_t)linelen;
    if (!copy_bytes(b, pos, ln, line)) break;
    uint32_t size = 0;
    if (!scan_hex(line, ln, &size)) size = 0;
    if (size > end - lnext) size = end - lnext;
    if (size == 0) break;
    uint32_t have = lnext < capend ? (capend - lnext < size ? capend - lnext : size) : 0;
    if (have == 0 || !copy_bytes(b, lnext, have, out + k)) break;
    k += have;
    pos = lnext + size + 2;
  }
  *n = k;
  return k ? out : NULL;
}

/* Inflates gzip, zlib or raw deflate data (tshark's tvb_uncompress tries them
   in turn): 1 when it inflates without an error (a cut stream must give
   something: it gives what it had). With keep, the output goes to text storage
   (*out, *outn); output longer than one piece of it (64 KiB) is then a failure. */
static int inflate_body(pf_dctx *c, const uint8_t *in, uint32_t n, int keep, const uint8_t **out, uint32_t *outn) {
  static const int wbits[] = { 15 + 32, -15 };
  uint8_t buf[65536];
  for (size_t w = 0; w < sizeof wbits / sizeof wbits[0]; w++) {
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, wbits[w]) != Z_OK) return 0;
    z.next_in = (Bytef *)(uintptr_t)in;
    z.avail_in = n;
    uint64_t total = 0;
    uint32_t first = 0;
    int r;
    do {
      z.next_out = buf;
      z.avail_out = sizeof buf;
      r = inflate(&z, Z_NO_FLUSH);
      uint32_t got = (uint32_t)(sizeof buf - z.avail_out);
      if (total == 0) first = got;
      total += got;
      if (keep && total > sizeof buf) break;
    } while (r == Z_OK && z.avail_in > 0);
    inflateEnd(&z);
    /* a complete stream may be empty (then so is the body); a cut one must give something */
    int ok = r == Z_STREAM_END || ((r == Z_OK || r == Z_BUF_ERROR) && total > 0);
    if (!ok) continue;
    if (!keep) return 1;
    if (total > sizeof buf) return 0;
    uint8_t *o = first ? pf_app_text_alloc(c, first) : buf;
    if (o == NULL) return 0;
    if (first) memcpy(o, buf, first);
    *out = o;
    *outn = first;
    return 1;
  }
  return 0;
}

/* A message body as tshark's HTTP dissector ends with it: the data dissector
   gets what no media-type dissector takes (no Content-Type, or
   application/octet-stream) after the transfer and content codings are taken
   off, and a body whose content coding cannot be taken off. */
static void body_data(pf_dctx *c, const pf_vbuf *b, uint32_t off, uint32_t datalen, const headers *h) {
  if (datalen == 0 || (!pf_wants(c, PF_F_DATA_DATA) && !pf_wants(c, PF_F_DATA_LEN))) return;
  const uint8_t *body = NULL;
  uint32_t n = 0;
  if (h->chunked) {
    body = dechunk(c, b, off, datalen, &n);
    if (body == NULL) return;
  }
  if (h->cenc != CE_NONE) {
    if (body == NULL) {   /* the coded body in one piece */
      n = b->len > off ? (b->len - off < datalen ? b->len - off : datalen) : 0;
      body = n ? pf_vbuf_span(b, off, n) : NULL;
      if (body == NULL && n) {
        uint8_t *o = pf_app_text_alloc(c, n);
        if (o == NULL || !copy_bytes(b, off, n, o)) return;
        body = o;
      }
    }
    const uint8_t *plain = NULL;
    uint32_t pn = 0;
    int keep = !h->have_ctype || h->ctype_octet;
    if (h->cenc != CE_ZLIB || body == NULL || !inflate_body(c, body, n, keep, &plain, &pn)) {
      /* "Decompression failed": the coded body is data (the dechunked copy, or
         the bytes of b, which pf_app_data copies when they are not the packet's) */
      if (h->chunked) pf_dissect_data(c, body, n);
      else pf_app_data(c, b, off, n);
      return;
    }
    if (!keep) return;   /* a media-type dissector's, or media's */
    body = plain;
    n = pn;
  }
  if (h->have_ctype && !h->ctype_octet) return;   /* a media-type dissector's, or media's */
  if (body) pf_dissect_data(c, body, n);
  else pf_app_data(c, b, off, datalen);
}

/* dissect_http_message at off; returns the bytes it took, or -1 (stop: more data
   needed, see *req, or not HTTP), or -2 for an exception. */
static int64_t http_message(pf_dctx *c, pf_http_conv *hc, const pf_vbuf *b, uint32_t off, int can_desegment,
                            int end_of_stream, pf_deseg *req) {
  uint32_t orig = off;
  if (off >= b->rlen) return -1;
  uint32_t reported_length = b->rlen - off;
  if (reported_length > 3) {
    int a = pf_vbuf_byte(b, off), d = pf_vbuf_byte(b, off + 1);
    if (a < 0 || d < 0) return -2;
    if (a == '\r' && d == '\n') off += 2;
  }
  int have_seen_http = hc->have_request_uri;
  int first = pf_vbuf_byte(b, off);
  if (first < 0) return -2;
  if (!(first >= 0x20 && first < 0x7f)) {   /* binary: not worth reading as text */
    /* in a conversation that has had HTTP, a continuation shown as data */
    if (have_seen_http) {
      pf_proto(c, PF_P_HTTP, NULL, 0);
      pf_app_data(c, b, orig, b->len - orig);
    }
    return -1;
  }

  int hole = 0;
  uint32_t nx = 0;
  int64_t first_linelen = find_line_end(b, off, b->len - off, &nx, 1, &hole);
  if (hole) return -2;
  if (first_linelen < 0) {
    int r = reassembly_done(b, off, can_desegment, 1, 0, req);
    if (r < 0) return -2;
    if (r == 0) return keep_body(c, req);
  }
  int type = HTTP_OTHERS;
  const uint8_t *firstline = NULL;
  if (first_linelen >= 0) {
    firstline = pf_vbuf_span(b, off, (uint32_t)first_linelen);
    if (firstline == NULL) return -2;
  }
  int is_rr = firstline && is_request_or_reply(firstline, first_linelen, &type, NULL, NULL);
  if (is_rr) {
    int try_body = !end_of_stream;
    if (try_body && type == HTTP_RESPONSE) {
      unsigned code = parse_status(firstline, firstline + first_linelen);
      const char *m = hc->request_method;
      if (strcmp(m, "HEAD") == 0 ||
          (code / 100 == 2 && (strcmp(m, "CONNECT") == 0 || strcmp(m, "SSTP_DUPLEX_POST") == 0)) ||
          code / 100 == 1 || code == 204 || code == 304)
        try_body = 0;
    }
    int r = reassembly_done(b, off, can_desegment, try_body, type == HTTP_RESPONSE, req);
    if (r < 0) return -2;
    if (r == 0) return keep_body(c, req);
  }

  /* the header lines */
  headers h;
  memset(&h, 0, sizeof h);
  int saw = 0;
  unsigned code = 0;
  type = HTTP_OTHERS;
  while (off < b->len) {
    uint32_t next = 0;
    hole = 0;
    int64_t linelen = find_line_end(b, off, b->len - off, &next, 0, &hole);
    if (hole) return -2;
    const uint8_t *line = pf_vbuf_span(b, off, (uint32_t)linelen);
    if (line == NULL) return -2;
    const uint8_t *lend = line + linelen;
    const uint8_t *method = NULL;
    uint32_t mlen = 0;
    int ltype = type;
    int rr = is_request_or_reply(line, linelen, &ltype, &method, &mlen);
    int32_t colon = -1;
    if (rr) {
      type = ltype;
    } else if (linelen != 0) {
      const uint8_t *cp = memchr(line, ':', (size_t)linelen);
      if (cp) {
        colon = (int32_t)(cp - line);
      } else {
        /* no colon: after request/header lines, a line that ends the data is
           an incomplete header (tshark's exception) */
        if (saw && (uint64_t)off + (uint64_t)linelen + 1 > b->len) return -2;
        break;
      }
    }
    if (linelen == 0) { off = next; break; }
    saw = 1;
    if (rr) {
      if (type == HTTP_RESPONSE) {
        /* basic_response_dissector */
        const uint8_t *nt;
        uint32_t vl = token_len(line, lend, &nt);
        if (vl != 0) {
          const uint8_t *p2 = nt;
          pf_app_emit_ascii(c, PF_F_HTTP_RESPONSE_VERSION, line, vl);
          if (token_len(p2, lend, &nt) >= 3) {
            code = strtoul3(p2);
            hc->response_code = code;
            pf_emit_u(c, PF_F_HTTP_RESPONSE_CODE, code);
            /* the rest of the line is the reason phrase */
            if (lend > nt) pf_app_emit_ascii(c, PF_F_HTTP_RESPONSE_PHRASE, nt, (size_t)(lend - nt));
          }
        }
      } else {
        /* the conversation remembers the method (for HEAD and CONNECT replies) */
        uint32_t ml = mlen < sizeof hc->request_method - 1 ? mlen : (uint32_t)sizeof hc->request_method - 1;
        memcpy(hc->request_method, method, ml);
        hc->request_method[ml] = 0;
        /* basic_request_dissector */
        const uint8_t *nt;
        uint32_t tl = token_len(line, lend, &nt);
        if (tl != 0) {
          pf_app_emit_ascii(c, PF_F_HTTP_REQUEST_METHOD, line, tl);
          if (nt - line > 2 && nt[-1] == ' ' && nt[-2] == ' ') nt--;
          const uint8_t *u = nt;
          uint32_t ul = token_len(u, lend, &nt);
          pf_app_emit_ascii(c, PF_F_HTTP_REQUEST_URI, u, ul);
          hc->have_request_uri = 1;
          if (pf_wants(c, PF_F_HTTP_REQUEST_FULL_URI)) h.uri = copy_text(c, u, ul, &h.uri_len);
          /* everything to the end of the line is the version */
          pf_app_emit_ascii(c, PF_F_HTTP_REQUEST_VERSION, nt, (size_t)(lend - nt));
          /* a CONNECT tunnel's port: strtol after the first ':' */
          const uint8_t *ucolon = memchr(u, ':', ul);
          uint32_t ulen0 = 0;
          while (ulen0 < ul && u[ulen0]) ulen0++;
          hc->uri_has_port = ucolon != NULL && (uint32_t)(ucolon - u) < ulen0;
          if (hc->uri_has_port) {
            char num[24];
            uint32_t k = 0;
            for (const uint8_t *q = ucolon + 1; q < u + ulen0 && k < sizeof num - 1; q++) num[k++] = (char)(*q >= 0x80 ? '?' : *q);
            num[k] = 0;
            hc->uri_port = strtol(num, NULL, 10);
          }
        }
      }
    } else {
      process_header(c, line, (uint32_t)linelen, (uint32_t)colon, &h);
    }
    off = next;
  }

  /* the full URI, when the request had a Host header: an absolute URI (or a
     CONNECT's authority) as it is, else "http://" + the host without
     surrounding blanks + the URI (pktframe does not decrypt TLS, so never https) */
  if (h.uri && h.host && type != HTTP_RESPONSE) {
    uint32_t hs = 0, he = h.host_len;
    while (hs < he && ascii_isspace(h.host[hs])) hs++;
    while (he > hs && ascii_isspace(h.host[he - 1])) he--;
    if ((h.uri_len >= 7 && strncaseeq(h.uri, "http://", 7)) || (h.uri_len >= 8 && strncaseeq(h.uri, "https://", 8)) ||
        strncasecmp(hc->request_method, "CONNECT", 7) == 0) {
      pf_app_emit_ascii(c, PF_F_HTTP_REQUEST_FULL_URI, h.uri, h.uri_len);
    } else {
      uint8_t *o = pf_app_text_alloc(c, 7 + (he - hs) + h.uri_len);
      if (o) {
        memcpy(o, "http://", 7);
        memcpy(o + 7, h.host + hs, he - hs);
        memcpy(o + 7 + (he - hs), h.uri, h.uri_len);
        pf_app_emit_ascii(c, PF_F_HTTP_REQUEST_FULL_URI, o, 7 + (he - hs) + h.uri_len);
      }
    }
  }

  /* the body: how many bytes belong to this message */
  uint32_t datalen = b->len > off ? b->len - off : 0;
  if (h.have_cl && h.te == TE_NONE) {
    if ((int64_t)datalen > h.cl) datalen = (uint32_t)h.cl;
  } else if (type == HTTP_REQUEST) {
    if (h.te == TE_NONE) datalen = 0;
  } else if (type == HTTP_RESPONSE) {
    if (code / 100 == 1 || code == 204 || code == 304) datalen = 0;
  }
  if (datalen > 0 && h.chunked) {
    /* chunked_encoding_dissector: the bytes the chunks take (resuming where the
       reassembly walk stopped: same bytes, same walk) */
    chunk_state *cs = b->state ? (chunk_state *)(void *)b->state : NULL;
    uint32_t pos = off, end = off + datalen;
    if (cs && cs->valid && cs->body == off && cs->p > off && cs->p <= end) pos = cs->p;
    uint32_t consumed = 0;
    for (;;) {
      if (pos >= b->rlen) break;
      uint32_t remaining = b->rlen - pos;
      uint32_t lnext = 0;
      hole = 0;
      int64_t linelen = find_line_end(b, pos, b->len - pos, &lnext, 1, &hole);
      if (hole == 2) return -2;
      if (linelen <= 0) break;
      uint8_t line[MAX_CHUNK_LINE];
      uint32_t n = linelen > MAX_CHUNK_LINE ? MAX_CHUNK_LINE : (uint32_t)linelen;
      if (!copy_bytes(b, pos, n, line)) break;
      uint32_t size = 0;
      if (!scan_hex(line, n, &size)) size = 0;   /* strtol gives 0 */
      if (size > remaining) size = remaining;
      pos = lnext + size;
      if (size > 0) pos += 2;
      if (size == 0) {
        /* trailer lines up to the empty line */
        uint32_t t = pos;
        int64_t fl;
        do {
          uint32_t tn = t;
          hole = 0;
          fl = t < b->len ? find_line_end(b, t, b->len - t, &tn, 1, &hole) : -1;
          if (fl >= 0) t = tn;
        } while (fl > 0);
        if (fl == 0) pos = t;
        else {
          /* no empty line: only the complete trailer lines count */
          uint32_t t2 = pos;
          int64_t f2;
          do {
            uint32_t tn = t2;
            hole = 0;
            f2 = t2 < b->len ? find_line_end(b, t2, b->len - t2, &tn, 1, &hole) : -1;
            if (f2 > 0) t2 = tn;
          } while (f2 > 0);
          pos = t2;
        }
        break;
      }
    }
    if (pos > end) pos = end;
    consumed = pos - off;
    if (consumed > 0) datalen = consumed;
  }
  body_data(c, b, off, datalen, &h);
  off += datalen;

  /* protocol switch after a 101 response with Upgrade */
  if (hc->request_method[0] && type == HTTP_RESPONSE && h.upgrade && hc->response_code == 101) {
    hc->switched = 1;
    hc->startframe = c->p->num;
    hc->startoffset = off;
  }
  return (int64_t)off - orig;
}

void pf_http_dissect(pf_dctx *c, pf_http_conv *hc, const pf_vbuf *b, int can_desegment, int end_of_stream,
                     pf_deseg *req) {
  uint32_t off = 0;
  req->offset = req->len = req->keep = 0;
  req->exception = 0;
  while (off < b->rlen) {
    if (hc->switched && (c->p->num > hc->startframe || (c->p->num == hc->startframe && off >= hc->startoffset)))
      break;   /* another protocol from here on (WebSocket, ...) */
    int64_t n = http_message(c, hc, b, off, can_desegment, end_of_stream, req);
    if (n == -2) { req->exception = 1; return; }
    if (n < 0) break;
    if (n == 0) break;
    pf_proto(c, PF_P_HTTP, pf_vbuf_span(b, off, (uint32_t)n), (uint32_t)n);
    off += (uint32_t)n;
  }
}

int pf_http_heuristic(const uint8_t *d, uint32_t len) {
  /* dissect_http_heur_tcp: the first line (CR LF or LF ended, not 8 bytes long)
     must start, or have its last 8 bytes start, with "HTTP/1." (case-insensitive) */
  pf_vbuf b = pf_vbuf_flat(d, len, len);
  uint32_t next = 0;
  int hole = 0;
  int64_t linelen = find_line_end(&b, 0, len, &next, 1, &hole);
  if (linelen < 0 || linelen == 8) return 0;
  if (linelen > 8 && strncaseeq(d + linelen - 8, "HTTP/1.", 7)) return 1;
  if (len >= 7 && strncaseeq(d, "HTTP/1.", 7)) return 1;
  return 0;
}
