/* dissect_tls.c: TLS records as tshark 4.0's packet-tls.c reads them without keys: record
   reassembly requests, handshake messages (also across records), the server name. */
#include <stdlib.h>
#include <string.h>

#include "app.h"

#define V_SSL3 0x0300
#define V_TLS10 0x0301
#define V_TLS11 0x0302
#define V_TLS12 0x0303
#define V_TLS13 0x0304
#define V_TLCP 0x0101
#define V_SSL2 0x0002

enum { CT_CCS = 20, CT_ALERT = 21, CT_HANDSHAKE = 22, CT_APPDATA = 23, CT_HEARTBEAT = 24, CT_CID = 25 };

/* Handshake types tshark 4.0 has names for (ssl_31_handshake_type): only these
   get a tls.handshake.type; any other first byte reads as an encrypted message. */
static int hs_type_known(int t) {
  switch (t) {
    case 0: case 1: case 2: case 3: case 4: case 5: case 6: case 8: case 11: case 12: case 13:
    case 14: case 15: case 16: case 20: case 21: case 22: case 23: case 24: case 25: case 67:
    case 254:
      return 1;
    default: return 0;
  }
}

static int content_type_valid(int t) { return t >= CT_CCS && t <= CT_CID; }

/* The TLS dissection of one buffer. */
typedef struct tls_ctx {
  pf_dctx *c;
  pf_tls_conv *t;
  const pf_vbuf *b;
  const uint8_t *d;   /* the whole buffer when it is contiguous (records are read from it) */
  int from_server;
  int side;
  int same_addr;
} tls_ctx;

static int byte_at(const tls_ctx *x, uint32_t i) { return pf_vbuf_byte(x->b, i); }

/* bytes of a non-handshake record a PDU stores: its header and the first bytes
   of its data (all that is read of it, however the record is parsed) */
#define KEEP_NON_HS 16u

void pf_tls_conv_free(pf_tls_conv *t) {
  free(t->hs_buf[0]);
  free(t->hs_buf[1]);
  t->hs_buf[0] = t->hs_buf[1] = NULL;
}

/* tls_try_get_version for TLS (not DTLS) */
static uint16_t known_version(uint16_t v) {
  switch (v) {
    case V_SSL3: case V_TLS10: case V_TLS11: case V_TLS12: case V_TLS13: case V_TLCP: return v;
    default:
      if ((v & 0xff00) == 0x7f00) return V_TLS13;   /* TLS 1.3 drafts */
      return 0;
  }
}

/* ssl_try_set_version: only "authoritative" records (not a ClientHello) decide */
static void try_set_version(pf_tls_conv *t, int content_type, int hs_type, uint16_t version) {
  int auth = (content_type == CT_HANDSHAKE && hs_type_known(hs_type) && hs_type != 1) ||
             (content_type != CT_HANDSHAKE && content_type_valid(content_type));
  if (!auth) return;
  uint16_t v = known_version(version);
  if (v) t->version = v;
}

/* ---- the ClientHello's server name ---- */

/* ssl_add_vector: reads a length of lsize bytes at *off (bounded by end);
   returns 0 when it does not fit (tshark stops that part of the dissection). */
static int add_vector(const uint8_t *m, uint32_t mlen, uint32_t *off, uint32_t end, uint32_t lsize,
                      uint32_t *len, int *exc) {
  if (*off > end) { *len = 0; return 0; }
  if (end - *off < lsize) { *len = 0; return 0; }
  if (*off + lsize > mlen) { *exc = 1; return 0; }
  uint32_t v = 0;
  for (uint32_t i = 0; i < lsize; i++) v = v << 8 | m[*off + i];
  *off += lsize;
  if (end - *off < v) { *len = end - *off; return 0; }
  *len = v;
  return 1;
}

/* ssl_dissect_hnd_cli_hello and ssl_dissect_hnd_srv_hello, as far as the
   fields pktframe has: version, cipher suites, the server_name and
   supported_versions extensions. m/mlen: the buffer the message is in (reads
   past the message stay inside it); off/end: the message body. Returns 0, or
   -1 for tshark's exception. */
static int hello(pf_dctx *c, const uint8_t *m, uint32_t mlen, uint32_t off, uint32_t end, int client) {
  int exc = 0;
  uint32_t len;
  if (off + 2 > mlen) return -1;
  pf_emit_u(c, PF_F_TLS_HANDSHAKE_VERSION, (uint32_t)(m[off] << 8 | m[off + 1]));
  /* random, session id */
  if (off + 2 + 32 + 1 > mlen) return -1;
  off += 2 + 32;
  uint32_t sid = m[off++];
  if (sid > 0) {
    if (off + sid > mlen) return -1;
    off += sid;
  }
  if (client) {
    if (!add_vector(m, mlen, &off, end, 2, &len, &exc)) return exc ? -1 : 0;
    uint32_t cend = off + len;   /* cipher suites, one item each */
    for (; off + 2 <= cend; off += 2) {
      if (off + 2 > mlen) return -1;
      pf_emit_u(c, PF_F_TLS_HANDSHAKE_CIPHERSUITE, (uint32_t)(m[off] << 8 | m[off + 1]));
    }
    off = cend;
    if (!add_vector(m, mlen, &off, end, 1, &len, &exc)) return exc ? -1 : 0;
    off += len;   /* compression methods */
  } else {
    if (off + 2 > mlen) return -1;
    pf_emit_u(c, PF_F_TLS_HANDSHAKE_CIPHERSUITE, (uint32_t)(m[off] << 8 | m[off + 1]));
    off += 2;
    if (off + 1 > mlen) return -1;
    off += 1;   /* compression method */
  }
  if (off >= end) return 0;   /* SSL 3.0: no extensions */
  if (!add_vector(m, mlen, &off, end, 2, &len, &exc)) return exc ? -1 : 0;
  uint32_t eend = off + len;
  while (eend - off >= 4) {
    uint16_t type = (uint16_t)(m[off] << 8 | m[off + 1]);
    uint32_t elen = (uint32_t)(m[off + 2] << 8 | m[off + 3]);
    if (off + 4 + elen > mlen) return -1;   /* the extension's tree item */
    off += 2;
    if (!add_vector(m, mlen, &off, eend, 2, &elen, &exc)) return exc ? -1 : 0;
    uint32_t next = off + elen;
    if (type == 0 && client) {
      /* server_name: a list of (type, name); every name is shown, whatever its type */
      uint32_t p = off, llen;
      if (add_vector(m, mlen, &p, next, 2, &llen, &exc)) {
        uint32_t lend = p + llen;
        while (p < lend) {
          if (p >= mlen) return -1;
          p++;   /* name type */
          uint32_t nlen;
          if (!add_vector(m, mlen, &p, lend, 2, &nlen, &exc)) {
            if (exc) return -1;
            break;
          }
          if (p + nlen > mlen) return -1;
          pf_app_emit_ascii(c, PF_F_TLS_HANDSHAKE_EXTENSIONS_SERVER_NAME, m + p, nlen);
          p += nlen;
        }
      } else if (exc) {
        return -1;
      }
    } else if (type == 43 && client) {
      /* supported_versions: a vector of 2 to 254 bytes, one item per version */
      uint32_t p = off, vlen;
      if (add_vector(m, mlen, &p, next, 1, &vlen, &exc) && vlen >= 2 && vlen <= 254) {
        uint32_t vend = p + vlen;
        for (; p + 2 <= vend; p += 2) {
          if (p + 2 > mlen) return -1;
          pf_emit_u(c, PF_F_TLS_HANDSHAKE_EXTENSIONS_SUPPORTED_VERSION, (uint32_t)(m[p] << 8 | m[p + 1]));
        }
      } else if (exc) {
        return -1;
      }
    } else if (type == 43) {
      /* a ServerHello's (or HelloRetryRequest's) selected version */
      if (off + 2 > mlen) return -1;
      pf_emit_u(c, PF_F_TLS_HANDSHAKE_EXTENSIONS_SUPPORTED_VERSION, (uint32_t)(m[off] << 8 | m[off + 1]));
    }
    off = next;
  }
  return 0;
}

/* 1 when a hello's fields are wanted (the message is then read) */
static int hello_wanted(pf_dctx *c) {
  return pf_wants(c, PF_F_TLS_HANDSHAKE_EXTENSIONS_SERVER_NAME) || pf_wants(c, PF_F_TLS_HANDSHAKE_VERSION) ||
         pf_wants(c, PF_F_TLS_HANDSHAKE_CIPHERSUITE) || pf_wants(c, PF_F_TLS_HANDSHAKE_EXTENSIONS_SUPPORTED_VERSION);
}

/* tls_scan_server_hello: the version from supported_versions, if any */
static uint16_t scan_server_hello(const uint8_t *m, uint32_t mlen, uint32_t off, uint32_t end) {
  if (off + 2 > mlen) return 0;
  uint16_t v = (uint16_t)(m[off] << 8 | m[off + 1]);
  if (v == V_TLS12 && end - off >= 46) {
    off += 2 + 32;
    uint32_t sid = m[off++];
    if (end - off < sid + 5u) return v;
    off += sid + 5;
    while (end - off >= 6) {
      uint16_t et = (uint16_t)(m[off] << 8 | m[off + 1]);
      uint16_t el = (uint16_t)(m[off + 2] << 8 | m[off + 3]);
      if (end - off < 4u + el) break;
      if (et == 43 && el == 2) return (uint16_t)(m[off + 4] << 8 | m[off + 5]);
      off += 4 + el;
    }
  }
  return v;
}

/* dissect_tls_handshake_full: one complete message at off in m (mlen bytes).
   Returns -1 for an exception. */
static int handshake_full(tls_ctx *x, const uint8_t *m, uint32_t mlen, uint32_t off, int is_first) {
  if (off + 4 > mlen) return -1;
  int type = m[off];
  uint32_t length = (uint32_t)(m[off + 1] << 16 | m[off + 2] << 8 | m[off + 3]);
  int known = hs_type_known(type);
  if (!known && !is_first) return 0;
  if (is_first && type == 2 && length > 2) {
    uint16_t sv = scan_server_hello(m, mlen, off + 4, off + 4 + length);
    try_set_version(x->t, CT_HANDSHAKE, 2, sv);
  }
  if (!known) return 0;
  pf_emit_u(x->c, PF_F_TLS_HANDSHAKE_TYPE, (uint64_t)type);
  if (type == 1) {
    /* the ClientHello tells who the server is */
    x->t->srv_known = 1;
    x->t->srv_side = x->side ^ 1;
    if (hello_wanted(x->c) && hello(x->c, m, mlen, off + 4, off + 4 + length, 1) < 0) return -1;
  }
  if (type == 2 && hello_wanted(x->c) && hello(x->c, m, mlen, off + 4, off + 4 + length, 0) < 0) return -1;
  return 0;
}

/* is_encrypted_handshake_message for the record data at [off, end) */
static int looks_encrypted(tls_ctx *x, uint32_t off, uint32_t end) {
  if (end - off < 16) return 0;
  /* five zero bytes: an explicit nonce (AEAD) */
  int zero = 1;
  for (uint32_t i = 0; i < 5; i++) {
    int bb = byte_at(x, off + i);
    if (bb != 0) { zero = 0; break; }
  }
  if (zero) return 1;
  uint64_t ccs = x->t->ccs_frame[x->from_server];
  if (ccs != 0 && x->c->p->num > ccs) return 1;
  int type = byte_at(x, off);
  if (!hs_type_known(type)) return 1;
  int b1 = byte_at(x, off + 1), b2 = byte_at(x, off + 2), b3 = byte_at(x, off + 3);
  /* a length not captured (a hole in a reassembled record): tshark's read
     would throw, so nothing of it is decoded as a handshake */
  if (b1 < 0 || b2 < 0 || b3 < 0) return 1;
  uint32_t len = (uint32_t)b1 << 16 | (uint32_t)b2 << 8 | (uint32_t)b3;
  return len >= 0x10000;
}

/* Appends record data to the pending handshake message of this direction. */
static void hs_append(pf_tls_conv *t, int dir, const uint8_t *p, uint32_t n) {
  for (uint32_t i = 0; i < n && t->hs_have[dir] + i < 4; i++) t->hs_head[dir][t->hs_have[dir] + i] = p[i];
  if ((t->hs_head[dir][0] == 1 || t->hs_head[dir][0] == 2) && t->hs_have[dir] + n <= PF_MSP_STORE) {
    /* a ClientHello or ServerHello is kept whole for its fields */
    uint32_t need = t->hs_have[dir] + n;
    if (need > t->hs_cap[dir]) {
      uint32_t cap = t->hs_cap[dir] ? t->hs_cap[dir] : 512;
      while (cap < need) cap *= 2;
      uint8_t *nb = realloc(t->hs_buf[dir], cap);
      if (nb == NULL) { free(t->hs_buf[dir]); t->hs_buf[dir] = NULL; t->hs_cap[dir] = 0; }
      else { t->hs_buf[dir] = nb; t->hs_cap[dir] = cap; }
    }
    if (t->hs_buf[dir]) memcpy(t->hs_buf[dir] + t->hs_have[dir], p, n);
  }
  t->hs_have[dir] += n;
}

/* dissect_tls_handshake over record data [off, end) of the buffer. -1: exception. */
static int handshake(tls_ctx *x, uint32_t off, uint32_t end) {
  pf_tls_conv *t = x->t;
  int dir = x->from_server;
  const uint8_t *d = x->d;
  int is_first = 1, continued = 0, is_last = 0;
  uint32_t subset = 0;
  if (t->hs_active[dir]) {
    /* 1. a message that started in an earlier record continues; its reassembly
       is found by addresses, so the other side's packets fail an assertion */
    if (t->hs_side[dir] != x->side && !x->same_addr) return -1;
    uint32_t frags = t->hs_have[dir];
    subset = end - off;
    uint8_t h4[4];
    uint32_t n4 = 0;
    for (; n4 < frags && n4 < 4; n4++) h4[n4] = t->hs_head[dir][n4];
    for (uint32_t i = off; n4 < 4 && i < x->b->len; i++) h4[n4++] = d[i];
    uint32_t msg_len = 0;
    if (n4 >= 4) {
      msg_len = 4 + (uint32_t)(h4[1] << 16 | h4[2] << 8 | h4[3]);
      if (subset > msg_len - frags) subset = msg_len - frags;
    }
    if (x->b->len < off + subset) {
      t->hs_active[dir] = 0;   /* not captured: reassembly stops */
    } else {
      is_last = frags + subset == msg_len;
      hs_append(t, dir, d + off, subset);
      continued = 1;
      if (is_last) t->hs_active[dir] = 0;
    }
  }
  if (continued) {
    /* 2. */
    if (!is_last) return 0;
    off += subset;
    int type = t->hs_head[dir][0];
    uint32_t have = t->hs_have[dir];
    if ((type == 1 || type == 2) && t->hs_buf[dir] && have <= t->hs_cap[dir]) {
      if (handshake_full(x, t->hs_buf[dir], have, 0, type == 1) < 0) return -1;
    } else {
      /* only the type matters for messages other than a ClientHello */
      if (hs_type_known(type)) pf_emit_u(x->c, PF_F_TLS_HANDSHAKE_TYPE, (uint64_t)type);
    }
    free(t->hs_buf[dir]);
    t->hs_buf[dir] = NULL;
    t->hs_cap[dir] = 0;
    is_first = 0;
  } else {
    /* 3. a new message: does it look encrypted? */
    if (looks_encrypted(x, off, end)) return 0;
  }
  /* 4. the messages of this record */
  while (off < end) {
    uint32_t left = end - off, msg_len = 0;
    if (left >= 4) {
      if (off + 4 > x->b->len) return -1;
      msg_len = 4 + (uint32_t)(d[off + 1] << 16 | d[off + 2] << 8 | d[off + 3]);
    }
    if (msg_len == 0 || left < msg_len) {
      if (off >= x->b->len) return -1;
      if (off + left > x->b->len) left = x->b->len - off;   /* only what was captured */
      /* the rest continues in a later record */
      t->hs_active[dir] = 1;
      t->hs_side[dir] = (uint8_t)x->side;
      t->hs_have[dir] = 0;
      memset(t->hs_head[dir], 0, 4);
      free(t->hs_buf[dir]);
      t->hs_buf[dir] = NULL;
      t->hs_cap[dir] = 0;
      t->hs_head[dir][0] = d[off];
      hs_append(t, dir, d + off, left);
      break;
    }
    if (handshake_full(x, d, x->b->len, off, is_first) < 0) return -1;
    off += msg_len;
    is_first = 0;
  }
  return 0;
}

/* dissect_ssl3_record at off; returns the offset after it, or -1 when it set
   *req (desegmentation), or -2 for an exception. */
static int64_t ssl3_record(tls_ctx *x, uint32_t off, int can_desegment, pf_deseg *req) {
  pf_tls_conv *t = x->t;
  const pf_vbuf *b = x->b;
  uint32_t avail = b->rlen - off;
  if ((t->version == V_TLS10 || t->version == V_TLS11 || t->version == V_TLS12 || t->version == V_TLCP) &&
      avail >= 1 && !content_type_valid(byte_at(x, off)))
    return (int64_t)off + avail;   /* "Ignored Unknown Record" */
  if (avail < 5) {
    if (can_desegment) { req->offset = off; req->len = PF_DESEG_ONE_MORE; req->keep = 0; return -1; }
    return (int64_t)off + avail;
  }
  if (off + 5 > b->len) return -2;
  uint8_t h[5];
  for (uint32_t i = 0; i < 5; i++) {
    int v = byte_at(x, off + i);
    if (v < 0) return -2;
    h[i] = (uint8_t)v;
  }
  int ct = h[0];
  uint16_t version = (uint16_t)(h[1] << 8 | h[2]);
  uint32_t rlen = (uint32_t)(h[3] << 8 | h[4]);
  if (!content_type_valid(ct)) return (int64_t)off + 5 + rlen;   /* "Continuation Data" */
  if (avail < rlen + 5) {
    if (can_desegment) {
      req->offset = off;
      req->len = rlen + 5 - avail;
      /* only a handshake record's data is read again (KEEP_NON_HS covers the
         header and what an SSLv2 reading of it looks at) */
      req->keep = ct == CT_HANDSHAKE ? 0 : KEEP_NON_HS;
      req->window = 0;
      return -1;
    }
    return (int64_t)off + avail;
  }
  /* the record's tree: its content type (TLS 1.3 application data shows an
     "opaque type" instead) and version, before the session's version is set */
  if (!(t->version == V_TLS13 && ct == CT_APPDATA)) pf_emit_u(x->c, PF_F_TLS_RECORD_CONTENT_TYPE, (uint64_t)ct);
  pf_emit_u(x->c, PF_F_TLS_RECORD_VERSION, version);
  uint32_t data = off + 5;
  if (data >= b->len) return -2;   /* the byte after the header is read */
  int next_byte = byte_at(x, data);
  if (next_byte < 0) return -2;
  if (t->version == 0) try_set_version(t, ct, next_byte, version);
  uint32_t end = data + rlen;
  switch (ct) {
    case CT_CCS:
      if (t->version != V_TLS13 && t->ccs_frame[x->from_server] == 0) t->ccs_frame[x->from_server] = x->c->p->num;
      break;
    case CT_HANDSHAKE: {
      /* the record's data as one flat buffer (part of it may not be captured:
         the messages that are, are read) */
      uint32_t have = (end < b->len ? end : b->len) - data;
      const uint8_t *rd = pf_vbuf_span(b, data, have);
      if (rd == NULL) {
        /* not all in memory (a PDU longer than the store): what is, from the start */
        have = b->head_len > data ? b->head_len - data : 0;
        if (have > rlen) have = rlen;
        rd = b->head + data;
      }
      pf_vbuf rb = pf_vbuf_flat(rd, have, rlen);
      tls_ctx rx = *x;
      rx.b = &rb;
      rx.d = rd;
      if (handshake(&rx, 0, rlen) < 0) return -2;
      break;
    }
    default: break;
  }
  return (int64_t)end;
}

/* ssl_is_valid_ssl_version: the versions tshark has names for */
static int valid_ssl_version(uint16_t v) {
  switch (v) {
    case 0x0002: case V_SSL3: case V_TLS10: case V_TLS11: case V_TLS12: case V_TLS13: case V_TLCP:
    case 0x0100: case 0xfeff: case 0xfefd: case 0xfefc:
      return 1;
    default:
      return v >= 0x7f0e && v <= 0x7f1c;   /* TLS 1.3 drafts 14 to 28 */
  }
}

/* dissect_ssl2_record; returns the offset after it, -1 (desegmentation, *req
   set) or -2 (exception). Its message type is tls.handshake.type too. */
static int64_t ssl2_record(tls_ctx *x, uint32_t off, int can_desegment, pf_deseg *req) {
  uint32_t avail = x->b->rlen - off;
  int b0 = byte_at(x, off);
  if (b0 < 0) return -2;
  uint32_t hl = (b0 & 0x80) ? 2 : 3;
  if (avail < hl) {
    if (can_desegment) { req->offset = off; req->len = PF_DESEG_ONE_MORE; req->keep = 0; return -1; }
    return (int64_t)off + avail;
  }
  int b1 = byte_at(x, off + 1);
  if (b1 < 0 || (hl == 3 && byte_at(x, off + 2) < 0)) return -2;
  uint32_t len = (b0 & 0x80) ? (uint32_t)((b0 & 0x7f) << 8 | b1) : (uint32_t)((b0 & 0x3f) << 8 | b1);
  if (avail < hl + len) {
    if (can_desegment) { req->offset = off; req->len = hl + len - avail; req->keep = 0; return -1; }
    return (int64_t)off + avail;
  }
  uint32_t m = off + hl;
  int type = byte_at(x, m);
  if (type < 0) return -2;
  if (x->t->version == 0 && type >= 2 && type <= 8) x->t->version = V_SSL2;
  /* ssl_looks_like_valid_v2_handshake: only these three show as handshake */
  int valid = 0;
  uint16_t hello_version = 0;
  if (type == 1 || type == 4) {
    uint32_t vo = type == 1 ? m + 1 : m + 3;
    int a = byte_at(x, vo), c = byte_at(x, vo + 1);
    if (a < 0 || c < 0) return -2;
    hello_version = (uint16_t)(a << 8 | c);
    valid = valid_ssl_version(hello_version);
  } else if (type == 2) {
    uint32_t sum = 0;
    for (uint32_t k = 4; k <= 8; k += 2) {
      int a = byte_at(x, m + k), c = byte_at(x, m + k + 1);
      if (a < 0 || c < 0) return -2;
      sum += (uint32_t)(a << 8 | c);
    }
    valid = sum <= len;
  }
  if (!valid) {
    /* "Encrypted Data": SSLv2 has no record version; tshark shows a
       generated tls.record.version of SSL 2.0 */
    pf_emit_u(x->c, PF_F_TLS_RECORD_VERSION, V_SSL2);
  } else {
    pf_emit_u(x->c, PF_F_TLS_HANDSHAKE_TYPE, (uint64_t)type);
    if (type == 1) pf_emit_u(x->c, PF_F_TLS_HANDSHAKE_VERSION, hello_version);   /* the client's version */
    if (type == 1) {
      x->t->srv_known = 1;   /* the ClientHello names the server */
      x->t->srv_side = x->side ^ 1;
    }
  }
  return (int64_t)off + hl + len;
}

static int looks_like_sslv3(const tls_ctx *x, uint32_t off) {
  int ct = byte_at(x, off), a = byte_at(x, off + 1), b = byte_at(x, off + 2);
  if (ct < 0 || a < 0 || b < 0) return 0;
  if (!content_type_valid(ct)) return 0;
  uint16_t v = (uint16_t)(a << 8 | b);
  return v == V_SSL3 || v == V_TLS10 || v == V_TLS11 || v == V_TLS12 || v == V_TLS13 || v == V_TLCP;
}

static int looks_like_sslv2(const tls_ctx *x, uint32_t off) {
  int b0 = byte_at(x, off), b2 = byte_at(x, off + 2);
  if (b0 < 0x80 || b2 < 0) return 0;
  return b2 == 0 || b2 == 1 || b2 == 2 || b2 == 4;
}

static int is_v2_client_hello(const tls_ctx *x, uint32_t off) {
  return byte_at(x, off) == 0x80 && byte_at(x, off + 2) == 0x01;
}

int pf_tls_dissect(pf_dctx *c, pf_tls_conv *t, int side, int same_addr, int assoc_from_server,
                   const pf_vbuf *b, int can_desegment, pf_deseg *req) {
  req->offset = req->len = req->keep = 0;
  req->exception = 0;
  if (b->len > 4) {
    int p = 1;
    for (uint32_t i = 0; i < 4; i++) {
      int ch = pf_vbuf_byte(b, i);
      if (!(ch >= 0x20 && ch < 0x7f)) { p = 0; break; }
    }
    if (p) return 0;   /* plain text: not TLS */
  }
  pf_proto(c, PF_P_TLS, NULL, 0);   /* tshark shows TLS on a segment it keeps for reassembly too */
  /* record headers are read from b; a handshake record's data is flat (a PDU
     keeps all of a handshake record, at most 18 KiB, and only the header of
     other records) */
  tls_ctx x = { c, t, b, NULL, t->srv_known ? side == t->srv_side : assoc_from_server, side, same_addr };
  uint32_t off = 0;
  while (off < b->rlen) {
    int64_t r;
    uint32_t left = b->rlen - off;
    switch (t->version) {
      case V_SSL2:
        r = ssl2_record(&x, off, can_desegment, req);
        break;
      case V_SSL3: case V_TLS10: case V_TLS11: case V_TLS12: case V_TLCP:
        if (left < 5) {
          if (can_desegment) { req->offset = off; req->len = PF_DESEG_ONE_MORE; req->keep = 0; return 1; }
          return 1;
        }
        r = is_v2_client_hello(&x, off) ? ssl2_record(&x, off, can_desegment, req)
                                        : ssl3_record(&x, off, can_desegment, req);
        break;
      default:
        if (left < 5) {
          if (can_desegment) { req->offset = off; req->len = PF_DESEG_ONE_MORE; req->keep = 0; return 1; }
          return 1;
        }
        if (looks_like_sslv2(&x, off)) r = ssl2_record(&x, off, can_desegment, req);
        else if (looks_like_sslv3(&x, off)) r = ssl3_record(&x, off, can_desegment, req);
        else return 1;   /* "Continuation Data" */
        break;
    }
    if (r == -1) return 1;
    if (r == -2) { req->offset = req->len = req->keep = 0; req->exception = 1; return 1; }
    off = (uint32_t)r;
    x.from_server = t->srv_known ? side == t->srv_side : assoc_from_server;
  }
  return 1;
}

int pf_tls_heuristic(const uint8_t *d, uint32_t len) {
  /* is_sslv3_or_tls: a Handshake or Application Data record header of a
     common version with a sane length */
  if (len >= 5) {
    int ct = d[0];
    uint16_t v = (uint16_t)(d[1] << 8 | d[2]);
    uint32_t rl = (uint32_t)(d[3] << 8 | d[4]);
    if ((ct == CT_HANDSHAKE || ct == CT_APPDATA) &&
        (v == V_SSL3 || v == V_TLS10 || v == V_TLS11 || v == V_TLS12 || v == V_TLCP) && rl != 0 &&
        rl < 16384 + 2048)
      return 1;
  }
  /* is_sslv2_clienthello */
  if (len < 46 || d[0] != 0x80 || d[2] != 1) return 0;
  uint16_t csl = (uint16_t)(d[5] << 8 | d[6]), sidl = (uint16_t)(d[7] << 8 | d[8]);
  if (csl == 0 || csl % 3 != 0) return 0;
  if (sidl != 0 && sidl != 16) return 0;
  return (d[9] << 8 | d[10]) == 32;
}
