/* dissect_dns.c: DNS, mDNS and LLMNR messages as tshark 4.0's packet-dns.c reads them:
   header, questions, and the A, AAAA, CNAME and TTL of every resource record. */
#include "app.h"

#define MAX_DNAME_LEN 255
/* tshark follows at most this many compression pointers in one name */
#define MAX_POINTERS MAX_DNAME_LEN
/* Work bound for hostile packets: label bytes read per message. tshark has none
   (a name may follow 255 pointers through the whole packet each time); no real
   message comes near it. */
#define MAX_NAME_WORK (4u * 1024u * 1024u)

/* The message being read: captured bytes; reading past them is tshark's
   exception, which ends the dissection (fields so far stay). */
typedef struct dns_msg {
  const uint8_t *d;
  uint32_t len;
  uint32_t work;
} dns_msg;

/* A name as expand_dns_name() builds it: up to 254 characters (its length
   counter ignores bitstring labels, a tshark quirk kept here) or a fixed text. */
typedef struct dns_name {
  uint8_t buf[MAX_DNAME_LEN + 1];
  uint32_t len;           /* tshark's name_len */
  const char *fixed;      /* "<Root>", "<Name contains a pointer that loops>", ... */
} dns_name;

/* tshark's expand_dns_name: returns the bytes the name takes at off (a
   pointer counts 2 and ends it), or -1 for tshark's exception. */
static int expand_name(dns_msg *m, uint32_t off, dns_name *nm, uint32_t *written) {
  uint32_t start = off;
  int len = -1, pointers = 0, maxname = MAX_DNAME_LEN;
  uint32_t np = 0;
  nm->len = 0;
  nm->fixed = NULL;
  for (;;) {
    if (off >= m->len) return -1;
    uint32_t clen = m->d[off++];
    if (clen == 0) break;
    switch (clen & 0xc0) {
      case 0x00:
        if (np != 0) {
          if (maxname > 0) { nm->buf[np++] = '.'; nm->len++; maxname--; }
        } else {
          maxname--;
        }
        if (m->work + clen > MAX_NAME_WORK) return -1;
        m->work += clen;
        while (clen > 0) {
          if (off >= m->len) return -1;
          if (maxname > 0) { nm->buf[np++] = m->d[off]; nm->len++; maxname--; }
          clen--;
          off++;
        }
        break;
      case 0x40:
        if ((clen & 0x3f) == 0x01) {
          /* bitstring label: "\[x" hex "/bits]" (written past name_len) */
          if (off >= m->len) return -1;
          int bits = m->d[off++];
          int lablen = (bits - 1) / 8 + 1;
          char tmp[16];
          int k = 0;
          const char *pre = "\\[x";
          for (; pre[k]; k++) tmp[k] = pre[k];
          /* snprintf(np, maxname, ...) semantics: it is written (maybe cut, with its
             NUL in the last slot) only if it fits in maxname, else printing stops */
#define PUTS(str, slen)                                                             \
  do {                                                                              \
    if (maxname > 0) {                                                              \
      if ((slen) <= maxname) {                                                      \
        for (int q_ = 0; q_ < (slen); q_++)                                         \
          nm->buf[np + q_] = (q_ == maxname - 1) ? 0 : (uint8_t)(str)[q_];         \
        np += (uint32_t)(slen);                                                     \
        maxname -= (slen);                                                          \
      } else {                                                                      \
        maxname = 0;                                                                \
      }                                                                             \
    }                                                                               \
  } while (0)
          PUTS(tmp, k);
          static const char hx[] = "0123456789abcdef";
          while (lablen--) {
            if (off >= m->len) return -1;
            char h[2] = { hx[m->d[off] >> 4], hx[m->d[off] & 15] };
            PUTS(h, 2);
            off++;
          }
          char tail[16];
          int tl = 0;
          tail[tl++] = '/';
          char dig[8];
          int nd = 0, v = bits;
          do { dig[nd++] = (char)('0' + v % 10); v /= 10; } while (v);
          while (nd) tail[tl++] = dig[--nd];
          tail[tl++] = ']';
          PUTS(tail, tl);
#undef PUTS
        } else {
          nm->fixed = "<Unknown extended label>";
          *written = np;
          return (int)(off - start);
        }
        break;
      case 0x80:
        return -1;
      default: {   /* 0xc0: pointer */
        if (off >= m->len) return -1;
        uint32_t target = ((clen & 0x3f) << 8) | m->d[off];
        off++;
        pointers++;
        if (len < 0) len = (int)(off - start);
        /* tshark's trivial-loop test compares with the offset two bytes past the
           pointer (never true for a pointer to itself); the count catches loops */
        if (target == off + 2 || pointers > MAX_POINTERS) {
          nm->fixed = "<Name contains a pointer that loops>";
          *written = np;
          return len;
        }
        off = target;
        break;
      }
    }
  }
  if (maxname <= 0) nm->fixed = "<Name too long>";
  if (len < 0) len = (int)(off - start);
  *written = np;
  return len;
}

/* tshark's get_dns_name: the root name, and the exceptions for names too short
   to be real or empty but long */
static int get_name(dns_msg *m, uint32_t off, dns_name *nm) {
  uint32_t np = 0;
  int len = expand_name(m, off, nm, &np);
  if (len < 0) return -1;
  if (nm->fixed == NULL && (np == 0 || nm->buf[0] == 0) && len <= 2) {
    nm->fixed = "<Root>";
    return len;
  }
  if (len < 2) return -1;
  if (len > 2 && nm->fixed == NULL && nm->len == 0) return -1;
  return len;
}

static void emit_name(pf_dctx *c, int fid, const dns_name *nm) {
  if (!pf_wants(c, fid)) return;
  if (nm->fixed) {
    uint32_t n = 0;
    while (nm->fixed[n]) n++;
    pf_emit_s(c, fid, (const uint8_t *)nm->fixed, n);
    return;
  }
  pf_app_emit_format(c, fid, nm->buf, nm->len);
}

/* One resource record (dissect_dns_answer); returns its length or -1 (exception). */
static int dns_rr(pf_dctx *c, dns_msg *m, uint32_t off) {
  dns_name nm;
  int nlen = get_name(m, off, &nm);
  if (nlen < 0) return -1;
  uint32_t p = off + (uint32_t)nlen;
  if (p + 10 > m->len) return -1;   /* type, class, TTL and the data length */
  uint16_t type = pf_get16(m->d + p);
  uint32_t ttl = pf_get32(m->d + p + 4);
  uint32_t dlen = pf_get16(m->d + p + 8);
  uint32_t data = p + 10;
  /* the record's tree item covers its data: not captured is an exception */
  if (data + dlen > m->len) return -1;
  if (type != 41) pf_emit_u(c, PF_F_DNS_RESP_TTL, ttl);   /* OPT has no TTL */
  if (dlen == 0) return (int)(data - off);
  switch (type) {
    case 1:   /* A: four bytes, whatever the data length says */
      if (data + 4 > m->len) return -1;
      pf_emit_a(c, PF_F_DNS_A, m->d + data, 4);
      break;
    case 28:  /* AAAA */
      if (data + 16 > m->len) return -1;
      pf_emit_a(c, PF_F_DNS_AAAA, m->d + data, 16);
      break;
    case 5: {  /* CNAME */
      dns_name cn;
      if (get_name(m, data, &cn) < 0) return -1;
      emit_name(c, PF_F_DNS_CNAME, &cn);
      break;
    }
    /* types whose data starts with (or is) a name: their names can raise
       tshark's exception too, which ends the message */
    case 2: case 3: case 4: case 7: case 8: case 9: case 12: {
      dns_name x;
      if (get_name(m, data, &x) < 0) return -1;
      break;
    }
    case 6: {  /* SOA: two names, five numbers */
      dns_name x;
      int a = get_name(m, data, &x);
      if (a < 0) return -1;
      int b = get_name(m, data + (uint32_t)a, &x);
      if (b < 0) return -1;
      if (data + (uint32_t)a + (uint32_t)b + 20 > m->len) return -1;
      break;
    }
    case 15: {  /* MX: preference, name */
      dns_name x;
      if (data + 2 > m->len || get_name(m, data + 2, &x) < 0) return -1;
      break;
    }
    case 33: {  /* SRV: priority, weight, port, target */
      dns_name x;
      if (data + 6 > m->len || get_name(m, data + 6, &x) < 0) return -1;
      break;
    }
    default: break;
  }
  return (int)(data + dlen - off);
}

void pf_dns_dissect(pf_dctx *c, const uint8_t *d, uint32_t len, uint32_t rlen) {
  (void)rlen;
  dns_msg m = { d, len, 0 };
  /* the id and flags are read before anything is shown, the counts next */
  if (len < 4) return;
  uint16_t flags = pf_get16(d + 2);
  pf_emit_u(c, PF_F_DNS_ID, pf_get16(d));
  pf_emit_u(c, PF_F_DNS_FLAGS_RESPONSE, flags >> 15);
  if (flags & 0x8000) pf_emit_u(c, PF_F_DNS_FLAGS_RCODE, flags & 0x000f);
  /* each count is read as it is shown: a cut header shows the counts it has */
  if (len < 8) return;
  pf_emit_u(c, PF_F_DNS_COUNT_ANSWERS, pf_get16(d + 6));
  if (len < 12) return;
  uint32_t quest = pf_get16(d + 4), ans = pf_get16(d + 6), auth = pf_get16(d + 8), add = pf_get16(d + 10);
  if (!pf_wants(c, PF_F_DNS_QRY_NAME) && !pf_wants(c, PF_F_DNS_QRY_TYPE) && !pf_wants(c, PF_F_DNS_A) &&
      !pf_wants(c, PF_F_DNS_AAAA) && !pf_wants(c, PF_F_DNS_CNAME) && !pf_wants(c, PF_F_DNS_RESP_TTL))
    return;
  uint32_t off = 12;
  for (uint32_t i = 0; i < quest; i++) {
    dns_name nm;
    int n = get_name(&m, off, &nm);
    if (n < 0) return;
    uint32_t p = off + (uint32_t)n;
    if (p + 2 > len) return;
    uint16_t type = pf_get16(d + p);
    if (p + 4 > len) return;   /* the class is read with the type, before anything is shown */
    emit_name(c, PF_F_DNS_QRY_NAME, &nm);
    pf_emit_u(c, PF_F_DNS_QRY_TYPE, type);
    off = p + 4;
  }
  uint32_t counts[3] = { ans, auth, add };
  for (int s = 0; s < 3; s++) {
    for (uint32_t i = 0; i < counts[s]; i++) {
      int n = dns_rr(c, &m, off);
      if (n < 0) return;
      off += (uint32_t)n;
    }
  }
}
