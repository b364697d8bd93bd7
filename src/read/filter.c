/* filter.c: display-filter tests on field occurrences with Wireshark's semantics:
   a test on an absent field is false; == and the ordering tests hold when any
   occurrence matches; != holds when none does (4.0's "all not equal"); ===
   when all do; ~= when any does not. Nothing is allocated while evaluating. */
#define _GNU_SOURCE 1   /* memmem */
#include "filter.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <arpa/inet.h>
#include <errno.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { N_OR, N_AND, N_XOR, N_NOT, N_EXISTS, N_CMP, N_RANGE, N_CONTAINS, N_MATCHES, N_CMPF };

typedef struct fvalue {
  pf_val v;             /* v.v.s points into bytes when a string or bytes */
  uint8_t *bytes;       /* owned copy for strings and bytes */
  int prefix;           /* CIDR prefix length; -1 none */
} fvalue;

typedef struct fnode {
  int kind, fid, cmp;
  int fid2;             /* N_CMPF: the field on the right */
  int a, b;             /* children */
  fvalue x, y;          /* value; y: range upper bound */
  pcre2_code *re;
  pcre2_match_data *md;
} fnode;

struct pf_filter {
  fnode *n;
  int len, cap, root;
};

pf_filter *pf_filter_new(void) {
  pf_filter *f = calloc(1, sizeof *f);
  if (f) f->root = -1;
  return f;
}

void pf_filter_free(pf_filter *f) {
  if (f == NULL) return;
  for (int i = 0; i < f->len; i++) {
    free(f->n[i].x.bytes);
    free(f->n[i].y.bytes);
    if (f->n[i].md) pcre2_match_data_free(f->n[i].md);
    if (f->n[i].re) pcre2_code_free(f->n[i].re);
  }
  free(f->n);
  free(f);
}

static int add(pf_filter *f, int kind, int fid) {
  if (f->len == f->cap) {
    int ncap = f->cap ? f->cap * 2 : 16;
    fnode *nn = realloc(f->n, sizeof(fnode) * (size_t)ncap);
    if (nn == NULL) return -1;
    f->n = nn;
    f->cap = ncap;
  }
  fnode *x = &f->n[f->len];
  memset(x, 0, sizeof *x);
  x->kind = kind;
  x->fid = fid;
  x->a = x->b = -1;
  x->x.prefix = x->y.prefix = -1;
  f->root = f->len;
  return f->len++;
}

void pf_filter_set_root(pf_filter *f, int node) { f->root = node; }

int pf_filter_logic(pf_filter *f, char op, int a, int b) {
  int kind = op == '|' ? N_OR : op == '&' ? N_AND : op == '^' ? N_XOR : N_NOT;
  int i = add(f, kind, -1);
  if (i < 0) return -1;
  f->n[i].a = a;
  f->n[i].b = b;
  return i;
}

int pf_filter_exists(pf_filter *f, int fid) { return add(f, N_EXISTS, fid); }

static int parse_uint(const char *s, uint64_t *out) {
  char *end;
  errno = 0;
  if (*s == '-' || *s == '+' || *s == 0) return -1;
  unsigned long long v = strtoull(s, &end, 0);
  if (errno || *end) return -1;
  *out = v;
  return 0;
}

static int parse_time(const char *s, pf_time *out) {
  int neg = 0;
  if (*s == '-') { neg = 1; s++; }
  if (!(*s >= '0' && *s <= '9') && *s != '.') return -1;
  int64_t secs = 0;
  while (*s >= '0' && *s <= '9') {
    if (secs > (INT64_MAX - 9) / 10) return -1;
    secs = secs * 10 + (*s++ - '0');
  }
  int32_t ns = 0;
  if (*s == '.') {
    s++;
    int digits = 0;
    while (*s >= '0' && *s <= '9') {
      if (digits < 9) { ns = ns * 10 + (*s - '0'); digits++; }
      s++;
    }
    while (digits++ < 9) ns *= 10;
  }
  if (*s) return -1;
  out->secs = neg ? -secs : secs;
  out->nsecs = neg ? -ns : ns;
  return 0;
}

static int hexval(int c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* "aa:bb:cc", "aa-bb-cc", "aa.bb.cc" or "aabbcc"; returns the byte count or -1. */
static long parse_hexbytes(const char *s, uint8_t *out, size_t max) {
  size_t n = 0;
  while (*s) {
    int h = hexval((unsigned char)s[0]), l = s[0] ? hexval((unsigned char)s[1]) : -1;
    if (h < 0) return -1;
    if (l < 0) {   /* a single digit octet, as in 0:1:2 */
      if (n == max) return -1;
      out[n++] = (uint8_t)h;
      s += 1;
    } else {
      if (n == max) return -1;
      out[n++] = (uint8_t)(h << 4 | l);
      s += 2;
    }
    if (*s == ':' || *s == '-' || *s == '.') {
      s++;
      if (!*s) return -1;
    }
  }
  return (long)n;
}

/* Reads literal as a value of field fid's type into fv. */
static int parse_value(int fid, const char *lit, size_t len, int quoted, fvalue *fv, int allow_prefix,
                       char *err, size_t errlen) {
  const pf_field_info *fi = &pf_fields[fid];
  char buf[256];
  fv->prefix = -1;
  if (fi->type != PF_FT_STRING && fi->type != PF_FT_BYTES) {
    if (len >= sizeof buf) goto bad;
    memcpy(buf, lit, len);
    buf[len] = 0;
  }
  switch (fi->type) {
    case PF_FT_UINT: case PF_FT_FRAMENUM:
      if (parse_uint(buf, &fv->v.v.u) < 0) goto bad;
      return 0;
    case PF_FT_INT: {
      char *end;
      errno = 0;
      long long v = strtoll(buf, &end, 0);
      if (errno || *end || !*buf) goto bad;
      fv->v.v.i = v;
      return 0;
    }
    case PF_FT_BOOL:
      if (strcmp(buf, "1") == 0 || strcmp(buf, "true") == 0 || strcmp(buf, "True") == 0 || strcmp(buf, "TRUE") == 0)
        fv->v.v.u = 1;
      else if (strcmp(buf, "0") == 0 || strcmp(buf, "false") == 0 || strcmp(buf, "False") == 0 || strcmp(buf, "FALSE") == 0)
        fv->v.v.u = 0;
      else
        goto bad;
      return 0;
    case PF_FT_NONE:
      snprintf(err, errlen, "'%s' is a flag that is present or not: test it alone, as '%s'", fi->name, fi->name);
      return -1;
    case PF_FT_IPV4: case PF_FT_IPV6: {
      char *slash = strchr(buf, '/');
      if (slash) {
        if (!allow_prefix) goto bad;
        *slash = 0;
        uint64_t p;
        if (parse_uint(slash + 1, &p) < 0 || p > (fi->type == PF_FT_IPV4 ? 32u : 128u)) goto bad;
        fv->prefix = (int)p;
      }
      memset(fv->v.v.a, 0, 16);
      if (inet_pton(fi->type == PF_FT_IPV4 ? AF_INET : AF_INET6, buf, fv->v.v.a) != 1) goto bad;
      return 0;
    }
    case PF_FT_ETHER:
      if (parse_hexbytes(buf, fv->v.v.a, 6) != 6) goto bad;
      return 0;
    case PF_FT_ABSTIME: case PF_FT_RELTIME:
      if (parse_time(buf, &fv->v.v.t) < 0) goto bad;
      return 0;
    case PF_FT_DOUBLE: {
      char *end;
      fv->v.v.d = strtod(buf, &end);
      if (*end || !*buf) goto bad;
      return 0;
    }
    case PF_FT_STRING: case PF_FT_BYTES: {
      fv->bytes = malloc(len + 1);
      if (fv->bytes == NULL) { snprintf(err, errlen, "out of memory"); return -1; }
      if (fi->type == PF_FT_BYTES && !quoted) {
        if (len >= sizeof buf) goto bad;
        memcpy(buf, lit, len);
        buf[len] = 0;
        long n = parse_hexbytes(buf, fv->bytes, len);
        if (n < 0) goto bad;
        fv->v.v.s.len = (uint32_t)n;
      } else {
        memcpy(fv->bytes, lit, len);
        fv->v.v.s.len = (uint32_t)len;
      }
      fv->bytes[fv->v.v.s.len] = 0;
      fv->v.v.s.p = fv->bytes;
      return 0;
    }
    case PF_FT_COUNT_: break;
  }
bad:
  snprintf(err, errlen, "'%.*s' is not a valid %s value for field '%s'", (int)(len > 64 ? 64 : len), lit,
           pf_ftype_name(fi->type), fi->name);
  return -1;
}

int pf_filter_cmp(pf_filter *f, int fid, int cmp, const char *literal, size_t len, int quoted,
                  char *err, size_t errlen) {
  int i = add(f, N_CMP, fid);
  if (i < 0) { snprintf(err, errlen, "out of memory"); return -1; }
  f->n[i].cmp = cmp;
  int eq_like = cmp == PF_CMP_EQ || cmp == PF_CMP_NE || cmp == PF_CMP_ALL_EQ || cmp == PF_CMP_ANY_NE;
  if (parse_value(fid, literal, len, quoted, &f->n[i].x, eq_like, err, errlen) < 0) return -1;
  return i;
}

int pf_filter_cmp_field(pf_filter *f, int fid, int cmp, int fid2, char *err, size_t errlen) {
  if (pf_fields[fid].type != pf_fields[fid2].type) {
    snprintf(err, errlen, "cannot compare '%s' (%s) with '%s' (%s)", pf_fields[fid].name,
             pf_ftype_name(pf_fields[fid].type), pf_fields[fid2].name, pf_ftype_name(pf_fields[fid2].type));
    return -1;
  }
  int i = add(f, N_CMPF, fid);
  if (i < 0) { snprintf(err, errlen, "out of memory"); return -1; }
  f->n[i].cmp = cmp;
  f->n[i].fid2 = fid2;
  return i;
}

int pf_filter_range(pf_filter *f, int fid, const char *lo, size_t lolen, const char *hi, size_t hilen,
                    char *err, size_t errlen) {
  int i = add(f, N_RANGE, fid);
  if (i < 0) { snprintf(err, errlen, "out of memory"); return -1; }
  if (parse_value(fid, lo, lolen, 0, &f->n[i].x, 0, err, errlen) < 0) return -1;
  if (parse_value(fid, hi, hilen, 0, &f->n[i].y, 0, err, errlen) < 0) return -1;
  return i;
}

int pf_filter_contains(pf_filter *f, int fid, const char *literal, size_t len, int quoted, char *err, size_t errlen) {
  pf_ftype t = pf_fields[fid].type;
  if (t != PF_FT_STRING && t != PF_FT_BYTES) {
    snprintf(err, errlen, "'contains' needs a text or bytes field; '%s' is %s", pf_fields[fid].name, pf_ftype_name(t));
    return -1;
  }
  int i = add(f, N_CONTAINS, fid);
  if (i < 0) { snprintf(err, errlen, "out of memory"); return -1; }
  if (parse_value(fid, literal, len, quoted, &f->n[i].x, 0, err, errlen) < 0) return -1;
  return i;
}

int pf_filter_matches(pf_filter *f, int fid, const char *regex, size_t len, char *err, size_t errlen) {
  pf_ftype t = pf_fields[fid].type;
  if (t != PF_FT_STRING && t != PF_FT_BYTES) {
    snprintf(err, errlen, "'matches' needs a text field; '%s' is %s", pf_fields[fid].name, pf_ftype_name(t));
    return -1;
  }
  int i = add(f, N_MATCHES, fid);
  if (i < 0) { snprintf(err, errlen, "out of memory"); return -1; }
  int code;
  PCRE2_SIZE off;
  fnode *x = &f->n[i];
  x->re = pcre2_compile((PCRE2_SPTR)regex, len, 0, &code, &off, NULL);
  if (x->re == NULL) {
    char msg[128];
    pcre2_get_error_message(code, (PCRE2_UCHAR *)msg, sizeof msg);
    snprintf(err, errlen, "bad regular expression at character %zu: %s", (size_t)off + 1, msg);
    return -1;
  }
  x->md = pcre2_match_data_create_from_pattern(x->re, NULL);
  if (x->md == NULL) { snprintf(err, errlen, "out of memory"); return -1; }
  return i;
}

int pf_filter_fields(const pf_filter *f, int *out, int max) {
  int n = 0;
  for (int i = 0; i < f->len; i++) {
    int fid = f->n[i].fid;
    for (int side = 0; side < 2; side++) {
      if (side == 1) {
        if (f->n[i].kind != N_CMPF) break;
        fid = f->n[i].fid2;
      }
      if (fid < 0) continue;
      int seen = 0;
      for (int k = 0; k < n; k++) if (out[k] == fid) seen = 1;
      if (!seen && n < max) out[n++] = fid;
    }
  }
  return n;
}

/* ---- evaluation ---- */

static int ord(pf_ftype t, const pf_val *a, const pf_val *b) {
  switch (t) {
    case PF_FT_INT: return a->v.i < b->v.i ? -1 : a->v.i > b->v.i;
    case PF_FT_IPV4: return memcmp(a->v.a, b->v.a, 4);
    case PF_FT_IPV6: return memcmp(a->v.a, b->v.a, 16);
    case PF_FT_ETHER: return memcmp(a->v.a, b->v.a, 6);
    case PF_FT_ABSTIME: case PF_FT_RELTIME: {
      /* as Wireshark 4.0's nstime_cmp, which returns the seconds' difference
         cast to int: times more than 68 years apart compare by its low 32 bits */
      if (a->v.t.secs == b->v.t.secs) return a->v.t.nsecs < b->v.t.nsecs ? -1 : a->v.t.nsecs > b->v.t.nsecs;
      int32_t d = (int32_t)(uint32_t)((uint64_t)a->v.t.secs - (uint64_t)b->v.t.secs);
      return d < 0 ? -1 : d > 0;
    }
    case PF_FT_DOUBLE: return a->v.d < b->v.d ? -1 : a->v.d > b->v.d;
    case PF_FT_STRING: case PF_FT_BYTES: {
      uint32_t n = a->v.s.len < b->v.s.len ? a->v.s.len : b->v.s.len;
      int c = n ? memcmp(a->v.s.p, b->v.s.p, n) : 0;
      if (c) return c;
      return a->v.s.len < b->v.s.len ? -1 : a->v.s.len > b->v.s.len;
    }
    default: return a->v.u < b->v.u ? -1 : a->v.u > b->v.u;
  }
}

static int equal(pf_ftype t, const fvalue *x, const pf_val *v) {
  if (x->prefix >= 0) {   /* CIDR: the leading prefix bits agree */
    int bits = x->prefix, i = 0;
    for (; bits >= 8; bits -= 8, i++)
      if (x->v.v.a[i] != v->v.a[i]) return 0;
    if (bits) {
      uint8_t mask = (uint8_t)(0xff << (8 - bits));
      if ((x->v.v.a[i] & mask) != (v->v.a[i] & mask)) return 0;
    }
    return 1;
  }
  return ord(t, v, &x->v) == 0;
}

static int test_one(const fnode *x, pf_ftype t, const pf_val *v) {
  switch (x->kind) {
    case N_CMP:
      switch (x->cmp) {
        case PF_CMP_EQ: case PF_CMP_ALL_EQ: return equal(t, &x->x, v);
        case PF_CMP_NE: case PF_CMP_ANY_NE: return !equal(t, &x->x, v);
        case PF_CMP_LT: return ord(t, v, &x->x.v) < 0;
        case PF_CMP_LE: return ord(t, v, &x->x.v) <= 0;
        case PF_CMP_GT: return ord(t, v, &x->x.v) > 0;
        case PF_CMP_GE: return ord(t, v, &x->x.v) >= 0;
        default: return 0;
      }
    case N_RANGE: return ord(t, v, &x->x.v) >= 0 && ord(t, v, &x->y.v) <= 0;
    case N_CONTAINS: {
      uint32_t n = x->x.v.v.s.len;
      if (n == 0) return 1;
      if (v->v.s.len < n) return 0;
      return memmem(v->v.s.p, v->v.s.len, x->x.v.v.s.p, n) != NULL;
    }
    case N_MATCHES:
      return pcre2_match(x->re, (PCRE2_SPTR)v->v.s.p, v->v.s.len, 0, 0, x->md, NULL) >= 0;
    default: return 0;
  }
}

static int eval(const pf_filter *f, int i, const pf_pkt *p) {
  const fnode *x = &f->n[i];
  switch (x->kind) {
    case N_OR: return eval(f, x->a, p) || eval(f, x->b, p);
    case N_AND: return eval(f, x->a, p) && eval(f, x->b, p);
    case N_XOR: return eval(f, x->a, p) != eval(f, x->b, p);
    case N_NOT: return !eval(f, x->a, p);
    case N_EXISTS: return p->first[x->fid] >= 0;
    default: break;
  }
  int k = p->first[x->fid];
  if (k < 0) return 0;   /* a test on an absent field is false, != included */
  pf_ftype t = pf_fields[x->fid].type;
  if (x->kind == N_CMPF) {   /* field against field: over all pairs of occurrences */
    int k2 = p->first[x->fid2];
    if (k2 < 0) return 0;
    int all = x->cmp == PF_CMP_NE || x->cmp == PF_CMP_ALL_EQ;
    for (; k >= 0; k = p->vals[k].next) {
      for (int j = k2; j >= 0; j = p->vals[j].next) {
        int o = ord(t, &p->vals[k], &p->vals[j]), r;
        switch (x->cmp) {
          case PF_CMP_EQ: case PF_CMP_ALL_EQ: r = o == 0; break;
          case PF_CMP_NE: case PF_CMP_ANY_NE: r = o != 0; break;
          case PF_CMP_LT: r = o < 0; break;
          case PF_CMP_LE: r = o <= 0; break;
          case PF_CMP_GT: r = o > 0; break;
          default: r = o >= 0; break;
        }
        if (all && !r) return 0;
        if (!all && r) return 1;
      }
    }
    return all;
  }
  /* "all" forms hold when no occurrence breaks them; the others when one matches */
  int all = x->kind == N_CMP && (x->cmp == PF_CMP_NE || x->cmp == PF_CMP_ALL_EQ);
  for (; k >= 0; k = p->vals[k].next) {
    int r = test_one(x, t, &p->vals[k]);
    if (all && !r) return 0;
    if (!all && r) return 1;
  }
  return all;
}

int pf_filter_eval(const pf_filter *f, const pf_pkt *p) {
  return f->root < 0 ? 1 : eval(f, f->root, p);
}

int pf_filter_protocol(const char *name) {
  static const struct { const char *proto; int fid; } protos[] = {
    { "frame", PF_F_FRAME_NUMBER }, { "eth", PF_F_ETH_ADDR }, { "vlan", PF_F_VLAN_ID },
    { "ieee8021ad", PF_F_IEEE8021AD_ID }, { "sll", PF_F_SLL_PKTTYPE }, { "ip", PF_F_IP_HDR_LEN },
    { "ipv6", PF_F_IPV6_PLEN }, { "arp", PF_F_ARP_OPCODE }, { "tcp", PF_F_TCP_SRCPORT },
    { "udp", PF_F_UDP_SRCPORT }, { "icmp", PF_F_ICMP_TYPE }, { "icmpv6", PF_F_ICMPV6_TYPE },
  };
  for (size_t i = 0; i < sizeof protos / sizeof protos[0]; i++)
    if (strcmp(protos[i].proto, name) == 0) return protos[i].fid;
  return -1;
}
