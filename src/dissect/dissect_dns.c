/* dissect_dns.c: DNS, mDNS and LLMNR messages as tshark 4.0's packet-dns.c reads them:
   header, questions, and the A, AAAA, CNAME and TTL of every resource record. */
#include <stdio.h>

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
  /* the first fault met, for the diagnostic: what and where */
  const char *why;         /* NULL: none */
  uint32_t at, arg;
  int kind;                /* PF_DNS_PLAIN, PF_DNS_MDNS or PF_DNS_LLMNR */
} dns_msg;

/* Records the first fault; returns -1 (tshark's exception) for the caller to return. */
static int fault(dns_msg *m, const char *why, uint32_t at, uint32_t arg) {
  if (m->why == NULL) { m->why = why; m->at = at; m->arg = arg; }
  return -1;
}

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
    if (off >= m->len) return fault(m, "name runs past the end of the message", off, 0);
    uint32_t clen = m->d[off++];
    if (clen == 0) break;
    switch (clen & 0xc0) {
      case 0x00:
        if (np != 0) {
          if (maxname > 0) { nm->buf[np++] = '.'; nm->len++; maxname--; }
        } else {
          maxname--;
        }
        if (m->work + clen > MAX_NAME_WORK) return fault(m, "names too costly to expand", off - 1, 0);
        m->work += clen;
        while (clen > 0) {
          if (off >= m->len) return fault(m, "label runs past the end of the message", off, 0);
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
        return fault(m, "label of the reserved type 0x80", off - 1, 0);
      default: {   /* 0xc0: pointer */
        if (off >= m->len) return fault(m, "compression pointer cut off at the end of the message", off - 1, 0);
        uint32_t target = ((clen & 0x3f) << 8) | m->d[off];
        if (target >= m->len) fault(m, "compression pointer to byte %u, past the end of the message", off - 1, target);
        off++;
        pointers++;
        if (len < 0) len = (int)(off - start);
        /* tshark's trivial-loop test compares with the offset two bytes past the
           pointer (never true for a pointer to itself); the count catches loops */
        if (target == off + 2 || pointers > MAX_POINTERS) {
          fault(m, "name with a compression pointer loop", off - 2, 0);
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

/* n bytes at off are in the message */
static int have(const dns_msg *m, uint32_t off, uint32_t n) {
  return off <= m->len && n <= m->len - off;
}

/* proto_tree_add_item's length check: -1 runs to the end, other negative
   lengths are exceptions */
static int item(const dns_msg *m, uint32_t off, int64_t len) {
  if (len == -1) return off < m->len;
  if (len < 0) return 0;
  return have(m, off, (uint32_t)len);
}

/* A length-prefixed character string at *o; 0 for the exception. */
static int cstring(const dns_msg *m, uint32_t *o) {
  if (!have(m, *o, 1)) return 0;
  uint32_t n = m->d[*o];
  if (!have(m, *o + 1, n)) return 0;
  *o += 1 + n;
  return 1;
}

/* dissect_type_bitmap: windows until the length is used up exactly */
static int type_bitmap(pf_dctx *c, const dns_msg *m, uint32_t o, int64_t left) {
  /* each type in the map is a dns.resp.type of the record, listed as the
     bytes are read (a map cut short lists the types before the cut) */
  int want = pf_wants(c, PF_F_DNS_RESP_TYPE);
  while (left != 0) {
    if (!have(m, o, 2)) return 0;
    uint32_t base = (uint32_t)m->d[o] * 256, blocks = m->d[o + 1];
    o += 2;
    left -= 2;
    for (uint32_t b = 0; b < blocks; b++, o++, left--) {
      if (!have(m, o, 1)) return 0;
      for (int i = 0; i < 8 && want; i++)
        if (m->d[o] & (0x80 >> i)) pf_emit_u(c, PF_F_DNS_RESP_TYPE, base + b * 8 + (uint32_t)i);
    }
  }
  return 1;
}

/* The options of an OPT record; 0 for the exception. */
static int opt_options(const dns_msg *m, uint32_t o, uint32_t dlen) {
  int64_t left = dlen;
  while (left > 0) {
    if (!have(m, o, 4)) return 0;
    uint32_t code = pf_get16(m->d + o);
    uint16_t olen = pf_get16(m->d + o + 2);
    left -= 4;
    if (!item(m, o, 4 + (int64_t)olen)) return 0;
    o += 4;
    if (!item(m, o, olen)) return 0;
    switch (code) {
      case 5: case 6: case 7:  /* DAU, DHU, N3U: a byte each */
        while (olen != 0) {
          if (!have(m, o, 1)) return 0;
          o++;
          left--;
          olen--;
        }
        break;
      case 8: case 0x50fa: {  /* client subnet: family, netmask, scope, address */
        uint16_t alen = (uint16_t)(olen - 4);
        if (!have(m, o, 4)) return 0;
        uint32_t family = pf_get16(m->d + o);
        o += 4;
        if (alen > 16) alen = 16;
        if (!have(m, o, alen)) return 0;
        if (family != 1 && family != 2 && !item(m, o, (int64_t)olen - 4)) return 0;
        o += (uint32_t)((int64_t)olen - 4);
        left -= olen;
        break;
      }
      case 10:  /* cookie: client 8 bytes, the server's in the rest */
        if (!have(m, o, 8)) return 0;
        o += 8;
        left -= 8;
        olen = (uint16_t)(olen - 8);
        if (!have(m, o, olen)) return 0;
        o += olen;
        left -= olen;
        break;
      case 15:  /* extended error: code, text */
        if (olen >= 2) {
          if (!have(m, o, 2)) return 0;
          o += 2;
          left -= 2;
          if (olen > 2) {
            if (!have(m, o, olen - 2u)) return 0;
            o += olen - 2u;
            left -= olen - 2;
          }
        }
        break;
      case 11: case 12: case 13:
      default:
        if (code == 12 && !have(m, o, olen)) return 0;   /* padding */
        if (code == 13 && olen && !have(m, o, olen)) return 0;   /* chain */
        if (code == 11 && olen == 2 && !have(m, o, 2)) return 0;   /* TCP keepalive */
        o += olen;
        left -= olen;
        break;
    }
  }
  return 1;
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
  /* the record's tree: its owner name and type, then (but for OPT) its TTL */
  if (type != 33) emit_name(c, PF_F_DNS_RESP_NAME, &nm);   /* SRV: srv.service, proto, name instead */
  pf_emit_u(c, PF_F_DNS_RESP_TYPE, type);
  /* OPT has a UDP payload size in place of the class; mDNS's class field
     (mask 0x7fff) leaves out the cache-flush bit */
  if (type != 41) pf_emit_u(c, PF_F_DNS_RESP_CLASS, pf_get16(m->d + p + 2) & (m->kind == PF_DNS_MDNS ? 0x7fff : 0xffff));
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
    /* the types below read by their own lengths, which may run past the
       record (and past the packet: the exception) */
    case 13: {  /* HINFO: two character strings */
      if (!have(m, data, 1)) return -1;
      uint32_t os = data + 1 + m->d[data];
      if (!have(m, data + 1, m->d[data]) || !have(m, os, 1) || !have(m, os + 1, m->d[os])) return -1;
      break;
    }
    case 16: case 99: {  /* TXT, SPF: character strings until the length is used up
                            (exactly: one running over reads on to the end) */
      int64_t left = dlen;
      uint32_t o = data;
      while (left != 0) {
        if (!have(m, o, 1)) return -1;
        uint32_t n = m->d[o];
        o++;
        left -= 1;
        if (!have(m, o, n)) return -1;
        o += n;
        left -= n;
      }
      break;
    }
    case 63:  /* ZONEMD: serial, scheme, algorithm, then a digest of length - 6
                 (-1 means "to the end", other negative lengths are exceptions) */
      if (!have(m, data, 6)) return -1;
      if (dlen < 5) return -1;
      if (dlen == 5 && !have(m, data + 6, 1)) return -1;
      break;
    case 64: case 65: {  /* SVCB, HTTPS */
      dns_name x;
      if (!have(m, data, 2)) return -1;
      int n = get_name(m, data + 2, &x);
      if (n < 0) return -1;
      uint32_t o = data + 2 + (uint32_t)n;
      while (dlen > o - data) {
        if (!have(m, o, 4)) return -1;
        uint32_t key = pf_get16(m->d + o), plen = pf_get16(m->d + o + 2);
        o += 4;
        switch (key) {
          case 0:  /* mandatory: keys */
            for (uint32_t k = 0; k < plen; k += 2, o += 2)
              if (!have(m, o, 2)) return -1;
            break;
          case 1:  /* alpn: length-prefixed strings */
            for (uint32_t k = 0; k < plen;) {
              if (!have(m, o, 1)) return -1;
              uint32_t l = m->d[o];
              if (!have(m, o + 1, l)) return -1;
              o += 1 + l;
              k += 1 + l;
            }
            break;
          case 2: break;   /* no-default-alpn: nothing read, nothing skipped */
          case 3:          /* port: two bytes, whatever the length */
            if (!have(m, o, 2)) return -1;
            o += 2;
            break;
          case 4: case 6: {  /* address hints */
            uint32_t w = key == 4 ? 4 : 16;
            for (uint32_t k = 0; k < plen; k += w, o += w)
              if (!have(m, o, w)) return -1;
            break;
          }
          default:  /* ech, odoh config, others: the value */
            if (!have(m, o, plen)) return -1;
            o += plen;
            break;
        }
      }
      break;
    }
    case 47: {  /* NSEC: next name, then type bitmap windows until the length is
                   used up exactly */
      dns_name x;
      int n = get_name(m, data, &x);
      if (n < 0) return -1;
      if (!type_bitmap(c, m, data + (uint32_t)n, (int64_t)dlen - n)) return -1;
      break;
    }
    case 65281: {  /* WINS: three numbers, a server count, servers while both
                      the length (by fours, exactly) and the count last */
      if (!have(m, data, 16)) return -1;
      int64_t left = (int64_t)dlen - 16;
      uint32_t count = pf_get32(m->d + data + 12), o = data + 16;
      while (left != 0 && count != 0) {
        if (!have(m, o, 4)) return -1;
        o += 4;
        left -= 4;
        count--;
      }
      break;
    }
    case 65282: {  /* WINS-R: three numbers, a name */
      dns_name x;
      if (!have(m, data, 12) || get_name(m, data + 12, &x) < 0) return -1;
      break;
    }
    case 14: case 17: {  /* MINFO, RP: two names */
      dns_name x;
      int a = get_name(m, data, &x);
      if (a < 0 || get_name(m, data + (uint32_t)a, &x) < 0) return -1;
      break;
    }
    case 18: case 21: case 36: {  /* AFSDB, RT, KX: the name after a number is read first */
      dns_name x;
      if (get_name(m, data + 2, &x) < 0 || !have(m, data, 2)) return -1;
      break;
    }
    case 19: {  /* X25: a character string */
      uint32_t o = data;
      if (!cstring(m, &o)) return -1;
      break;
    }
    case 20: {  /* ISDN: address, then a subaddress when more than a byte is left */
      uint32_t o = data;
      if (!cstring(m, &o)) return -1;
      if ((int64_t)dlen - (o - data) > 1 && !cstring(m, &o)) return -1;
      break;
    }
    case 23: case 39: {  /* NSAP-PTR, DNAME: a name */
      dns_name x;
      if (get_name(m, data, &x) < 0) return -1;
      break;
    }
    case 25: case 48: case 60:  /* KEY, DNSKEY, CDNSKEY: flags, protocol, algorithm, key */
      if (!have(m, data, 4)) return -1;
      if (dlen != 4 && !item(m, data + 4, (int64_t)dlen - 4)) return -1;
      break;
    case 26: {  /* PX: preference, two names */
      dns_name x;
      if (!have(m, data, 2)) return -1;
      int a = get_name(m, data + 2, &x);
      if (a < 0 || get_name(m, data + 2 + (uint32_t)a, &x) < 0) return -1;
      break;
    }
    case 27: {  /* GPOS: three character strings */
      uint32_t o = data;
      if (!cstring(m, &o) || !cstring(m, &o) || !cstring(m, &o)) return -1;
      break;
    }
    case 29:  /* LOC: version 0 has 16 bytes of fields */
      if (!have(m, data, 1) || (m->d[data] == 0 && !have(m, data, 16))) return -1;
      break;
    case 30: {  /* NXT: name, then bitmap bytes until the length is used up exactly */
      dns_name x;
      int n = get_name(m, data, &x);
      if (n < 0) return -1;
      int64_t left = (int64_t)dlen - n;
      uint32_t o = data + (uint32_t)n, t = 0;
      while (left != 0) {   /* bit t of the map: type t, a dns.resp.type each */
        if (!have(m, o, 1)) return -1;
        for (int i = 0; i < 8; i++, t++)
          if (m->d[o] & (0x80 >> i)) pf_emit_u(c, PF_F_DNS_RESP_TYPE, t);
        o++;
        left--;
      }
      break;
    }
    case 35: {  /* NAPTR: order, preference, three strings, a name */
      dns_name x;
      uint32_t o = data + 4;
      if (!have(m, data, 4) || !cstring(m, &o) || !cstring(m, &o) || !cstring(m, &o) ||
          get_name(m, o, &x) < 0)
        return -1;
      break;
    }
    case 37:  /* CERT: type, key tag, algorithm, certificate */
      if (!have(m, data, 5)) return -1;
      if (dlen != 5 && !item(m, data + 5, (int64_t)dlen - 5)) return -1;
      break;
    case 38: {  /* A6: prefix length, suffix bytes, prefix name */
      if (!have(m, data, 1)) return -1;
      uint32_t pre = m->d[data];
      uint16_t suf = (uint16_t)(128 - pre);
      uint32_t octets = suf ? (uint32_t)(suf - 1) / 8 + 1 : 0;   /* 16 bits: a prefix
                                                                       over 128 makes it huge */
      uint32_t got = octets > 16 ? 16 : octets;
      dns_name x;
      if (!have(m, data + 1, got) || (pre > 0 && get_name(m, data + 1 + got, &x) < 0)) return -1;
      if (!have(m, data + 1, octets)) return -1;   /* the suffix item */
      break;
    }
    case 43: case 59: case 32769:  /* DS, CDS, DLV: key id, algorithm, digest type, digest */
      if (!have(m, data, 4) || !item(m, data + 4, (int64_t)dlen - 4)) return -1;
      break;
    case 44:  /* SSHFP: algorithm, type, fingerprint */
      if (!have(m, data, 2)) return -1;
      if (dlen != 2 && !item(m, data + 2, (int64_t)dlen - 2)) return -1;
      break;
    case 11: {  /* WKS: address, protocol, bitmap bytes until the length is used up exactly */
      if (!have(m, data, 5)) return -1;
      int64_t left = (int64_t)dlen - 5;
      uint32_t o = data + 5;
      while (left != 0) {
        if (!have(m, o, 1)) return -1;
        o++;
        left--;
      }
      break;
    }
    case 45: {  /* IPSECKEY: precedence, gateway type, algorithm, gateway, key */
      if (!have(m, data, 3)) return -1;
      uint32_t gw = m->d[data + 1], o = data + 3;
      int64_t left = (int64_t)dlen - 3;
      if (gw == 1 || gw == 2) {
        uint32_t w = gw == 1 ? 4 : 16;
        if (!have(m, o, w)) return -1;
        o += w;
        left -= w;
      } else if (gw == 3) {
        dns_name x;
        int n = get_name(m, o, &x);
        if (n < 0) return -1;
        o += (uint32_t)n;
        left -= n;
      }
      if (left != 0 && !item(m, o, left)) return -1;
      break;
    }
    case 24: case 46: {  /* SIG, RRSIG: 18 bytes of fields, signer, signature */
      dns_name x;
      if (!have(m, data, 18)) return -1;
      int n = get_name(m, data + 18, &x);
      if (n < 0) return -1;
      int64_t left = (int64_t)dlen - 18 - n;
      if (left != 0 && !item(m, data + 18 + (uint32_t)n, left)) return -1;
      break;
    }
    case 41:  /* OPT */
      if (!opt_options(m, data, dlen)) return -1;
      break;
    case 42: {  /* APL: family, prefix, length byte, address part */
      int64_t left = dlen;
      uint32_t o = data;
      while (left > 1) {
        if (!have(m, o, 4)) return -1;
        uint32_t afd = m->d[o + 3] & 0x7f;
        o += 4;
        left -= 4;
        if (!have(m, o, afd)) return -1;
        o += afd;
        left -= afd;
      }
      break;
    }
    case 50: {  /* NSEC3: algorithm, flags, iterations, salt, hash (read 5 bits at a
                   time, the last group reaching into the next byte), type bitmap */
      if (!have(m, data, 5)) return -1;
      uint32_t salt = m->d[data + 4], o = data + 5;
      if (!have(m, o, salt) || !have(m, o + salt, 1)) return -1;
      o += salt;
      uint32_t hash = m->d[o];
      o++;
      if (hash) {
        uint32_t last = 5 * ((8 * hash - 1) / 5);
        if (!have(m, o, (last + 4) / 8 + 1)) return -1;
        o += hash;
      }
      if (!type_bitmap(c, m, o, (int64_t)dlen - (o - data))) return -1;
      break;
    }
    case 51:  /* NSEC3PARAM: algorithm, flags, iterations, salt */
      if (!have(m, data, 5) || !have(m, data + 5, m->d[data + 4])) return -1;
      break;
    case 52:  /* TLSA: usage, selector, matching type, data */
      if (!have(m, data, 3) || !item(m, data + 3, (int64_t)dlen - 3)) return -1;
      break;
    case 55: {  /* HIP: HIT length, algorithm, key length, HIT, key, servers */
      if (!have(m, data, 4)) return -1;
      uint32_t hit = m->d[data], pk = pf_get16(m->d + data + 2), o = data + 4;
      if (!have(m, o, hit) || !have(m, o + hit, pk)) return -1;
      o += hit + pk;
      int64_t left = (int64_t)dlen - 4 - hit - pk;
      while (left > 1) {
        dns_name x;
        int n = get_name(m, o, &x);
        if (n < 0) return -1;
        o += (uint32_t)n;
        left -= n;
      }
      break;
    }
    case 62:  /* CSYNC: serial, flags, type bitmap */
      if (!have(m, data, 6) || !item(m, data + 6, (int64_t)dlen - 6) ||
          !type_bitmap(c, m, data + 6, (int64_t)dlen - 6))
        return -1;
      break;
    case 249: {  /* TKEY: algorithm, times, mode, error, key, other data */
      dns_name x;
      int n = get_name(m, data, &x);
      if (n < 0) return -1;
      uint32_t o = data + (uint32_t)n;
      if (!have(m, o, 14)) return -1;
      uint32_t klen = pf_get16(m->d + o + 12);
      o += 14;
      if (klen && !have(m, o, klen)) return -1;
      o += klen;
      if (!have(m, o, 2)) return -1;
      uint32_t olen = pf_get16(m->d + o);
      if (olen && !have(m, o + 2, olen)) return -1;
      break;
    }
    case 250: {  /* TSIG: algorithm, time, fudge, MAC, id, error, other data */
      dns_name x;
      int n = get_name(m, data, &x);
      if (n < 0) return -1;
      uint32_t o = data + (uint32_t)n;
      if (!have(m, o, 10)) return -1;
      uint32_t mlen = pf_get16(m->d + o + 8);
      o += 10;
      if (mlen && !have(m, o, mlen)) return -1;
      o += mlen;
      if (!have(m, o, 6)) return -1;
      uint32_t olen = pf_get16(m->d + o + 4);
      if (olen && !have(m, o + 6, olen)) return -1;
      break;
    }
    case 104: case 106:  /* NID, L64: preference and 8 bytes */
      if (!have(m, data, 10)) return -1;
      break;
    case 105:  /* L32: preference and 4 bytes */
    case 108:  /* EUI48 */
      if (!have(m, data, 6)) return -1;
      break;
    case 109:  /* EUI64 */
      if (!have(m, data, 8)) return -1;
      break;
    case 107: {  /* LP: preference, name */
      dns_name x;
      if (!have(m, data, 2) || get_name(m, data + 2, &x) < 0) return -1;
      break;
    }
    case 257: {  /* CAA: flags, tag length, tag, then a value of the 16-bit
                    length - tag length - 2 (wrapping when the tag is too long) */
      if (!have(m, data, 2)) return -1;
      uint32_t tl = m->d[data + 1];
      uint32_t vl = (uint16_t)(dlen - (tl + 2));
      if (!have(m, data + 2, tl) || !have(m, data + 2 + tl, vl)) return -1;
      break;
    }
    default: break;
  }
  return (int)(data + dlen - off);
}

static int dns_records(pf_dctx *c, dns_msg *m, const uint8_t *d, uint32_t len);

/* The faults a message of all its bytes has are the packet's (one cut short by the
   snapshot length is not malformed, only incomplete). */
void pf_dns_dissect(pf_dctx *c, const uint8_t *d, uint32_t len, uint32_t rlen) {
  pf_dns_dissect_kind(c, d, len, rlen, PF_DNS_PLAIN);
}

void pf_dns_dissect_kind(pf_dctx *c, const uint8_t *d, uint32_t len, uint32_t rlen, int kind) {
  pf_proto(c, PF_P_DNS, d, len);
  dns_msg m = { d, len, 0, NULL, 0, 0, kind };
  dns_records(c, &m, d, len);
  if (m.why && len >= rlen) {
    char what[96];
    snprintf(what, sizeof what, m.why, m.arg);
    pf_malformed(c, d + m.at, "DNS: %s", what);
  }
}

/* Reads the message; 0 when it ended where the counts say or a field was not
   wanted, -1 when a record ran past its end (tshark's exception). */
static int dns_records(pf_dctx *c, dns_msg *m, const uint8_t *d, uint32_t len) {
  /* the id and flags are read before anything is shown, the counts next */
  if (len < 4) return 0;
  uint16_t flags = pf_get16(d + 2);
  pf_emit_u(c, PF_F_DNS_ID, pf_get16(d));
  pf_emit_u(c, PF_F_DNS_FLAGS_RESPONSE, flags >> 15);
  pf_emit_u(c, PF_F_DNS_FLAGS_OPCODE, (flags >> 11) & 0xf);
  /* the flag items tshark shows depend on the protocol and the direction */
  int resp = (flags & 0x8000) != 0;
  if (m->kind != PF_DNS_LLMNR && resp) pf_emit_u(c, PF_F_DNS_FLAGS_AUTHORITATIVE, (flags >> 10) & 1);
  pf_emit_u(c, PF_F_DNS_FLAGS_TRUNCATED, (flags >> 9) & 1);
  if (m->kind != PF_DNS_LLMNR) {
    pf_emit_u(c, PF_F_DNS_FLAGS_RECDESIRED, (flags >> 8) & 1);
    if (resp) pf_emit_u(c, PF_F_DNS_FLAGS_RECAVAIL, (flags >> 7) & 1);
  }
  if (resp) pf_emit_u(c, PF_F_DNS_FLAGS_RCODE, flags & 0x000f);
  /* each count is read as it is shown: a cut header shows the counts it has;
     a dynamic update names its counts zones, prerequisites and updates */
  int update = ((flags >> 11) & 0xf) == 5;
  if (len < 6) return 0;
  if (!update) pf_emit_u(c, PF_F_DNS_COUNT_QUERIES, pf_get16(d + 4));
  if (len < 8) return 0;
  if (!update) pf_emit_u(c, PF_F_DNS_COUNT_ANSWERS, pf_get16(d + 6));
  if (len < 10) return 0;
  if (!update) pf_emit_u(c, PF_F_DNS_COUNT_AUTH_RR, pf_get16(d + 8));
  if (len < 12) return 0;
  pf_emit_u(c, PF_F_DNS_COUNT_ADD_RR, pf_get16(d + 10));
  uint32_t quest = pf_get16(d + 4), ans = pf_get16(d + 6), auth = pf_get16(d + 8), add = pf_get16(d + 10);
  if (!pf_wants(c, PF_F_DNS_QRY_NAME) && !pf_wants(c, PF_F_DNS_QRY_TYPE) && !pf_wants(c, PF_F_DNS_A) &&
      !pf_wants(c, PF_F_DNS_AAAA) && !pf_wants(c, PF_F_DNS_CNAME) && !pf_wants(c, PF_F_DNS_RESP_TTL) &&
      !pf_wants(c, PF_F_DNS_RESP_NAME) && !pf_wants(c, PF_F_DNS_RESP_TYPE) &&
      !pf_wants(c, PF_F_DNS_RESP_CLASS))
    return 0;
  uint32_t off = 12;
  for (uint32_t i = 0; i < quest; i++) {
    dns_name nm;
    int n = get_name(m, off, &nm);
    if (n < 0) return fault(m, "question %u runs past the end of the message", off, i + 1);
    uint32_t p = off + (uint32_t)n;
    if (p + 4 > len) return fault(m, "question %u runs past the end of the message", off, i + 1);
    uint16_t type = pf_get16(d + p);   /* the class is read with the type, before anything is shown */
    emit_name(c, PF_F_DNS_QRY_NAME, &nm);
    pf_emit_u(c, PF_F_DNS_QRY_TYPE, type);
    off = p + 4;
  }
  uint32_t counts[3] = { ans, auth, add };
  for (int s = 0; s < 3; s++) {
    for (uint32_t i = 0; i < counts[s]; i++) {
      int n = dns_rr(c, m, off);
      if (n < 0) return fault(m, "resource record runs past the end of the message", off, 0);
      off += (uint32_t)n;
    }
  }
  return 0;
}
