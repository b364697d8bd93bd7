/* filter.c: Wireshark 4.0 display filters, compiled to a tree of tests over
   operands. An operand produces values: a field's occurrences, a protocol's
   bytes (the layers the dissectors noted in pf_pkt), a slice of either, a
   bitwise and, or len/count/upper/lower/string of one. Semantics are 4.0's: a
   test on an absent value is false; == and the ordering tests hold when any
   value matches; != holds when none does (4.0's "all not equal"); === and
   "all" when all do; ~= when any does not. A protocol name tests pf_pkt.protos.
   Nothing is allocated while evaluating (derived values use a stack scratch). */
#define _GNU_SOURCE 1   /* memmem */
#include "filter.h"

#include "decode.h"   /* pf_val_format, for string() */

#define PCRE2_CODE_UNIT_WIDTH 8
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Node kinds. Tests (boolean) and operands (value producers) share one array. */
enum {
  N_OR, N_AND, N_XOR, N_NOT,             /* logic */
  N_TRUTH,                               /* operand present (and non-zero after '&') */
  N_TEST,                                /* operand CMP literal */
  N_TESTOP,                              /* operand CMP operand */
  N_RANGE,                               /* operand in lo..hi */
  N_PROTO_EXISTS,                        /* protocol present */
  /* operands */
  O_FIELD, O_PROTO, O_SLICE, O_BITAND, O_FUNC
};

enum { FN_LEN, FN_COUNT, FN_UPPER, FN_LOWER, FN_STRING };

#define MAX_RANGES 8

typedef struct fvalue {
  pf_val v;             /* v.v.s points into bytes when a string or bytes */
  uint8_t *bytes;       /* owned copy for strings and bytes */
  int prefix;           /* CIDR prefix length; -1 none */
} fvalue;

typedef struct fnode {
  int kind, fid, cmp;
  int quant;            /* tests: 1 "all", 0 "any" */
  int a, b;             /* children: logic operands; tests: the operand(s) */
  pf_ftype type;        /* operands: the type of the values produced */
  int proto;            /* O_PROTO, N_PROTO_EXISTS: PF_P_x or PF_FILTER_FRAME */
  int fn;               /* O_FUNC */
  int nranges;          /* O_SLICE */
  int32_t rs[MAX_RANGES], rv[MAX_RANGES];   /* start (< 0: from the end), and by rk: */
  uint8_t rk[MAX_RANGES];                    /* PF_SLICE_LEN rv bytes, PF_SLICE_TO offset rv, PF_SLICE_END */
  fvalue x, y;          /* value; y: range upper bound */
  pcre2_code *re_;
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
    if (f->n[i].re_) pcre2_code_free(f->n[i].re_);
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
  x->proto = -1;
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

static int parse_uint(const char *s, uint64_t *out) {
  char *end;
  errno = 0;
  if (*s == '-' || *s == '+' || *s == 0) return -1;
  unsigned long long v;
  if (s[0] == '0' && (s[1] == 'b' || s[1] == 'B') && s[2]) v = strtoull(s + 2, &end, 2);   /* 0b101, as 4.0 */
  else v = strtoull(s, &end, 0);
  if (errno || *end) return -1;
  *out = v;
  return 0;
}

static int parse_int(const char *s, int64_t *out) {
  int neg = *s == '-';
  uint64_t u;
  if (parse_uint(s + (neg || *s == '+'), &u) < 0) return -1;
  if (u > (uint64_t)INT64_MAX + (uint64_t)neg) return -1;
  *out = neg ? (int64_t)(0 - u) : (int64_t)u;
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

/* Reads literal as a value of type t (what operand `name` produces) into fv. */
static int parse_value(pf_ftype t, const char *name, const char *lit, size_t len, int quoted, fvalue *fv,
                       int allow_prefix, char *err, size_t errlen) {
  char buf[256];
  fv->prefix = -1;
  if (t != PF_FT_STRING && t != PF_FT_BYTES) {
    if (quoted && t != PF_FT_NONE) {   /* 4.0: a quoted value is a string, which no other type converts from */
      snprintf(err, errlen, "%s cannot be converted from a string (\"%.*s\") for '%s'", pf_ftype_name(t),
               (int)(len > 64 ? 64 : len), lit, name);
      return -1;
    }
    if (len >= sizeof buf) goto bad;
    memcpy(buf, lit, len);
    buf[len] = 0;
  }
  switch (t) {
    case PF_FT_UINT: case PF_FT_FRAMENUM:
      if (parse_uint(buf, &fv->v.v.u) < 0) goto bad;
      return 0;
    case PF_FT_INT:
      if (parse_int(buf, &fv->v.v.i) < 0) goto bad;
      return 0;
    case PF_FT_BOOL:
      if (strcmp(buf, "1") == 0 || strcmp(buf, "True") == 0 || strcmp(buf, "TRUE") == 0) fv->v.v.u = 1;
      else if (strcmp(buf, "0") == 0 || strcmp(buf, "False") == 0 || strcmp(buf, "FALSE") == 0) fv->v.v.u = 0;
      else goto bad;
      return 0;
    case PF_FT_NONE:
      snprintf(err, errlen, "'%s' is a flag that is present or not: test it alone, as '%s'", name, name);
      return -1;
    case PF_FT_IPV4: case PF_FT_IPV6: {
      char *slash = strchr(buf, '/');
      if (slash) {
        if (!allow_prefix) goto bad;
        *slash = 0;
        uint64_t p;
        if (parse_uint(slash + 1, &p) < 0 || p > (t == PF_FT_IPV4 ? 32u : 128u)) goto bad;
        fv->prefix = (int)p;
      }
      memset(fv->v.v.a, 0, 16);
      if (inet_pton(t == PF_FT_IPV4 ? AF_INET : AF_INET6, buf, fv->v.v.a) != 1) goto bad;
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
      free(fv->bytes);
      fv->bytes = malloc(len + 1);
      if (fv->bytes == NULL) { snprintf(err, errlen, "out of memory"); return -1; }
      if (t == PF_FT_BYTES && !quoted) {
        if (len >= sizeof buf) goto bad;
        memcpy(buf, lit, len);
        buf[len] = 0;
        const char *h = buf;
        if (h[0] == '0' && (h[1] == 'x' || h[1] == 'X') && h[2]) h += 2;   /* & 0x22 on bytes */
        long n = parse_hexbytes(h, fv->bytes, len);
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
  snprintf(err, errlen, "'%.*s' is not a valid %s value for %s'%s'", (int)(len > 64 ? 64 : len), lit,
           pf_ftype_name(t), pf_field_lookup(name) >= 0 ? "field " : "", name);
  return -1;
}

/* ---- operands ---- */

static const char *const proto_names[PF_P_COUNT_] = {
  [PF_P_ETH] = "eth", [PF_P_VLAN] = "vlan", [PF_P_IEEE8021AD] = "ieee8021ad", [PF_P_SLL] = "sll",
  [PF_P_NULL] = "null", [PF_P_RAW] = "raw", [PF_P_IP] = "ip", [PF_P_IPV6] = "ipv6", [PF_P_ARP] = "arp",
  [PF_P_TCP] = "tcp", [PF_P_UDP] = "udp", [PF_P_ICMP] = "icmp", [PF_P_ICMPV6] = "icmpv6", [PF_P_DNS] = "dns",
  [PF_P_MDNS] = "mdns", [PF_P_LLMNR] = "llmnr", [PF_P_HTTP] = "http", [PF_P_SSDP] = "ssdp", [PF_P_TLS] = "tls",
  [PF_P_DHCP] = "dhcp", [PF_P_DATA] = "data",
};

/* A field of each protocol: asking the decoder for it makes it decode that deep. */
static const int proto_rep[PF_P_COUNT_] = {
  [PF_P_ETH] = PF_F_ETH_SRC, [PF_P_VLAN] = PF_F_VLAN_ID, [PF_P_IEEE8021AD] = PF_F_IEEE8021AD_ID,
  [PF_P_SLL] = PF_F_SLL_PKTTYPE, [PF_P_NULL] = PF_F_ETH_SRC, [PF_P_RAW] = PF_F_ETH_SRC,
  [PF_P_IP] = PF_F_IP_VERSION, [PF_P_IPV6] = PF_F_IPV6_PLEN, [PF_P_ARP] = PF_F_ARP_OPCODE,
  [PF_P_TCP] = PF_F_TCP_SRCPORT, [PF_P_UDP] = PF_F_UDP_SRCPORT, [PF_P_ICMP] = PF_F_ICMP_TYPE,
  [PF_P_ICMPV6] = PF_F_ICMPV6_TYPE, [PF_P_DNS] = PF_F_DNS_ID, [PF_P_MDNS] = PF_F_DNS_ID,
  [PF_P_LLMNR] = PF_F_DNS_ID, [PF_P_HTTP] = PF_F_HTTP_HOST, [PF_P_SSDP] = PF_F_HTTP_HOST,
  [PF_P_TLS] = PF_F_TLS_HANDSHAKE_TYPE, [PF_P_DHCP] = PF_F_DHCP_OPTION_DHCP, [PF_P_DATA] = PF_F_DATA_DATA,
};

int pf_filter_protocol_id(const char *name) {
  if (strcmp(name, "frame") == 0) return PF_FILTER_FRAME;
  for (int i = 0; i < PF_P_COUNT_; i++)
    if (proto_names[i] && strcmp(proto_names[i], name) == 0) return i;
  return -1;
}

const char *pf_filter_protocol_name(int proto) {
  if (proto == PF_FILTER_FRAME) return "frame";
  return proto >= 0 && proto < PF_P_COUNT_ ? proto_names[proto] : "?";
}

int pf_filter_op_field(pf_filter *f, int fid) {
  int i = add(f, O_FIELD, fid);
  if (i >= 0) f->n[i].type = pf_fields[fid].type;
  return i;
}

int pf_filter_op_proto(pf_filter *f, int proto) {
  int i = add(f, O_PROTO, proto == PF_P_DATA ? PF_F_DATA_DATA : -1);
  if (i < 0) return -1;
  f->n[i].type = PF_FT_BYTES;
  f->n[i].proto = proto;
  return i;
}

static const char *op_name(const pf_filter *f, int a) {
  const fnode *x = &f->n[a];
  if (x->kind == O_FIELD) return pf_fields[x->fid].name;
  if (x->kind == O_PROTO) return pf_filter_protocol_name(x->proto);
  if (x->kind == O_SLICE) return "a slice";
  if (x->kind == O_BITAND) return "a bitwise and";
  return "a function's value";
}

int pf_filter_op_slice(pf_filter *f, int a, const int32_t *starts, const int *kinds, const int32_t *vals, int n,
                       char *err, size_t errlen) {
  pf_ftype t = f->n[a].type;
  if (t != PF_FT_BYTES && t != PF_FT_STRING && t != PF_FT_ETHER && t != PF_FT_IPV4 && t != PF_FT_IPV6) {
    snprintf(err, errlen, "'%s' cannot be sliced: it is %s, not bytes, text, an address or a protocol",
             op_name(f, a), pf_ftype_name(t));
    return -1;
  }
  if (n < 1 || n > MAX_RANGES) {
    snprintf(err, errlen, "a slice takes 1 to %d ranges", MAX_RANGES);
    return -1;
  }
  int i = add(f, O_SLICE, -1);
  if (i < 0) { snprintf(err, errlen, "out of memory"); return -1; }
  fnode *x = &f->n[i];
  x->a = a;
  x->type = PF_FT_BYTES;
  x->nranges = n;
  for (int k = 0; k < n; k++) { x->rs[k] = starts[k]; x->rk[k] = (uint8_t)kinds[k]; x->rv[k] = vals[k]; }
  return i;
}

int pf_filter_op_bitand(pf_filter *f, int a, const char *lit, size_t len, char *err, size_t errlen) {
  pf_ftype t = f->n[a].type;
  if (t != PF_FT_UINT && t != PF_FT_INT && t != PF_FT_BOOL && t != PF_FT_BYTES && t != PF_FT_FRAMENUM) {
    snprintf(err, errlen, "'&' needs an integer or bytes operand; '%s' is %s", op_name(f, a), pf_ftype_name(t));
    return -1;
  }
  int i = add(f, O_BITAND, -1);
  if (i < 0) { snprintf(err, errlen, "out of memory"); return -1; }
  f->n[i].a = a;
  f->n[i].type = t;
  if (parse_value(t, op_name(f, a), lit, len, 0, &f->n[i].x, 0, err, errlen) < 0) return -1;
  return i;
}

int pf_filter_op_func(pf_filter *f, const char *name, int a, char *err, size_t errlen) {
  static const char *const fns[] = { "len", "count", "upper", "lower", "string" };
  int fn = 0;
  while (fn < 5 && strcmp(fns[fn], name) != 0) fn++;
  if (fn == 5) {
    snprintf(err, errlen, "the function '%s' does not exist (Wireshark 4.0 has len, count, upper, lower, string)",
             name);
    return -1;
  }
  pf_ftype t = f->n[a].type;
  int k = f->n[a].kind;
  if (fn == FN_COUNT && k != O_FIELD && k != O_PROTO) {
    snprintf(err, errlen, "count() takes a field");
    return -1;
  }
  if (fn == FN_LEN && k == O_PROTO && f->n[a].proto != PF_FILTER_FRAME) {
    snprintf(err, errlen, "len() of a protocol other than frame is not supported by pktframe");
    return -1;
  }
  if (fn == FN_LEN && t != PF_FT_BYTES && t != PF_FT_STRING && t != PF_FT_ETHER && t != PF_FT_IPV4 &&
      t != PF_FT_IPV6) {
    snprintf(err, errlen, "len() needs bytes, text or an address; '%s' is %s", op_name(f, a), pf_ftype_name(t));
    return -1;
  }
  if ((fn == FN_UPPER || fn == FN_LOWER) && t != PF_FT_STRING) {
    snprintf(err, errlen, "%s() needs a text field; '%s' is %s", name, op_name(f, a), pf_ftype_name(t));
    return -1;
  }
  if (fn == FN_STRING && k != O_FIELD) {
    snprintf(err, errlen, "string() takes a field");
    return -1;
  }
  int i = add(f, O_FUNC, -1);
  if (i < 0) { snprintf(err, errlen, "out of memory"); return -1; }
  f->n[i].a = a;
  f->n[i].fn = fn;
  f->n[i].type = fn == FN_LEN || fn == FN_COUNT ? PF_FT_UINT : PF_FT_STRING;
  return i;
}

/* ---- tests ---- */

int pf_filter_truth(pf_filter *f, int a) {
  int i = add(f, N_TRUTH, -1);
  if (i >= 0) f->n[i].a = a;
  return i;
}

int pf_filter_proto_exists(pf_filter *f, int proto) {
  if (proto == PF_P_DATA) return pf_filter_truth(f, pf_filter_op_field(f, PF_F_DATA_DATA));
  int i = add(f, N_PROTO_EXISTS, -1);
  if (i >= 0) f->n[i].proto = proto;
  return i;
}

static int set_matches(pf_filter *f, int i, const char *regex, size_t len, char *err, size_t errlen) {
  int code;
  PCRE2_SIZE off;
  fnode *x = &f->n[i];
  /* 4.0's "matches" ignores case unless the pattern says (?-i) */
  x->re_ = pcre2_compile((PCRE2_SPTR)regex, len, PCRE2_CASELESS, &code, &off, NULL);
  if (x->re_ == NULL) {
    char msg[128];
    pcre2_get_error_message(code, (PCRE2_UCHAR *)msg, sizeof msg);
    snprintf(err, errlen, "bad regular expression at character %zu: %s", (size_t)off + 1, msg);
    return -1;
  }
  x->md = pcre2_match_data_create_from_pattern(x->re_, NULL);
  if (x->md == NULL) { snprintf(err, errlen, "out of memory"); return -1; }
  return i;
}

int pf_filter_test(pf_filter *f, int a, int cmp, int quant, const char *lit, size_t len, int quoted, char *err,
                   size_t errlen) {
  pf_ftype t = f->n[a].type;
  const char *name = op_name(f, a);
  if ((cmp == PF_CMP_CONTAINS || cmp == PF_CMP_MATCHES) && t != PF_FT_STRING && t != PF_FT_BYTES) {
    snprintf(err, errlen, "'%s' needs text or bytes; '%s' is %s", cmp == PF_CMP_CONTAINS ? "contains" : "matches",
             name, pf_ftype_name(t));
    return -1;
  }
  if (cmp == PF_CMP_MATCHES && !quoted) {
    snprintf(err, errlen, "'matches' needs a quoted regular expression");
    return -1;
  }
  int i = add(f, N_TEST, -1);
  if (i < 0) { snprintf(err, errlen, "out of memory"); return -1; }
  f->n[i].a = a;
  f->n[i].cmp = cmp;
  f->n[i].quant = quant;
  if (cmp == PF_CMP_MATCHES) return set_matches(f, i, lit, len, err, errlen);
  int eq_like = cmp == PF_CMP_EQ || cmp == PF_CMP_NE || cmp == PF_CMP_ALL_EQ || cmp == PF_CMP_ANY_NE;
  if (parse_value(t, name, lit, len, quoted, &f->n[i].x, eq_like, err, errlen) < 0) return -1;
  return i;
}

static int same_kind(pf_ftype a, pf_ftype b) {
  if (a == b) return 1;
  int ia = a == PF_FT_UINT || a == PF_FT_INT || a == PF_FT_FRAMENUM || a == PF_FT_BOOL;
  int ib = b == PF_FT_UINT || b == PF_FT_INT || b == PF_FT_FRAMENUM || b == PF_FT_BOOL;
  if (ia && ib) return 1;
  int ba = a == PF_FT_BYTES || a == PF_FT_STRING, bb = b == PF_FT_BYTES || b == PF_FT_STRING;
  return ba && bb;
}

int pf_filter_test_op(pf_filter *f, int a, int cmp, int quant, int b, char *err, size_t errlen) {
  pf_ftype ta = f->n[a].type, tb = f->n[b].type;
  if (cmp == PF_CMP_MATCHES || !same_kind(ta, tb) ||
      (cmp == PF_CMP_CONTAINS && ta != PF_FT_STRING && ta != PF_FT_BYTES)) {
    snprintf(err, errlen, "cannot compare '%s' (%s) with '%s' (%s)", op_name(f, a), pf_ftype_name(ta),
             op_name(f, b), pf_ftype_name(tb));
    return -1;
  }
  int i = add(f, N_TESTOP, -1);
  if (i < 0) { snprintf(err, errlen, "out of memory"); return -1; }
  f->n[i].a = a;
  f->n[i].b = b;
  f->n[i].cmp = cmp;
  f->n[i].quant = quant;
  return i;
}

int pf_filter_test_range(pf_filter *f, int a, const char *lo, size_t lolen, const char *hi, size_t hilen,
                         char *err, size_t errlen) {
  int i = add(f, N_RANGE, -1);
  if (i < 0) { snprintf(err, errlen, "out of memory"); return -1; }
  f->n[i].a = a;
  pf_ftype t = f->n[a].type;
  if (parse_value(t, op_name(f, a), lo, lolen, 0, &f->n[i].x, 0, err, errlen) < 0) return -1;
  if (parse_value(t, op_name(f, a), hi, hilen, 0, &f->n[i].y, 0, err, errlen) < 0) return -1;
  return i;
}

/* The builders of the first version, on a field's values. */
int pf_filter_exists(pf_filter *f, int fid) {
  int a = pf_filter_op_field(f, fid);
  return a < 0 ? -1 : pf_filter_truth(f, a);
}

int pf_filter_cmp(pf_filter *f, int fid, int cmp, const char *literal, size_t len, int quoted,
                  char *err, size_t errlen) {
  int a = pf_filter_op_field(f, fid);
  if (a < 0) { snprintf(err, errlen, "out of memory"); return -1; }
  return pf_filter_test(f, a, cmp, 0, literal, len, quoted, err, errlen);
}

int pf_filter_cmp_field(pf_filter *f, int fid, int cmp, int fid2, char *err, size_t errlen) {
  int a = pf_filter_op_field(f, fid), b = pf_filter_op_field(f, fid2);
  if (a < 0 || b < 0) { snprintf(err, errlen, "out of memory"); return -1; }
  return pf_filter_test_op(f, a, cmp, 0, b, err, errlen);
}

int pf_filter_range(pf_filter *f, int fid, const char *lo, size_t lolen, const char *hi, size_t hilen,
                    char *err, size_t errlen) {
  int a = pf_filter_op_field(f, fid);
  if (a < 0) { snprintf(err, errlen, "out of memory"); return -1; }
  return pf_filter_test_range(f, a, lo, lolen, hi, hilen, err, errlen);
}

int pf_filter_contains(pf_filter *f, int fid, const char *literal, size_t len, int quoted, char *err, size_t errlen) {
  int a = pf_filter_op_field(f, fid);
  if (a < 0) { snprintf(err, errlen, "out of memory"); return -1; }
  return pf_filter_test(f, a, PF_CMP_CONTAINS, 0, literal, len, quoted, err, errlen);
}

int pf_filter_matches(pf_filter *f, int fid, const char *regex, size_t len, char *err, size_t errlen) {
  int a = pf_filter_op_field(f, fid);
  if (a < 0) { snprintf(err, errlen, "out of memory"); return -1; }
  return pf_filter_test(f, a, PF_CMP_MATCHES, 0, regex, len, 1, err, errlen);
}

static int fields_of(const pf_filter *f, int *out, int max, int reps) {
  int n = 0;
  for (int i = 0; i < f->len; i++) {
    int fid = f->n[i].fid;
    if (reps && (f->n[i].kind == N_PROTO_EXISTS || f->n[i].kind == O_PROTO) && f->n[i].proto >= 0)
      fid = proto_rep[f->n[i].proto];
    if (fid < 0) continue;
    int seen = 0;
    for (int k = 0; k < n; k++) if (out[k] == fid) seen = 1;
    if (!seen && n < max) out[n++] = fid;
  }
  return n;
}

int pf_filter_fields(const pf_filter *f, int *out, int max) { return fields_of(f, out, max, 1); }
int pf_filter_value_fields(const pf_filter *f, int *out, int max) { return fields_of(f, out, max, 0); }

uint64_t pf_filter_protocols(const pf_filter *f, int *bytes) {
  uint64_t m = 0;
  if (bytes) *bytes = 0;
  for (int i = 0; i < f->len; i++) {
    const fnode *x = &f->n[i];
    if (x->kind == N_PROTO_EXISTS && x->proto >= 0) m |= (uint64_t)1 << x->proto;
    if (x->kind == O_PROTO && x->proto != PF_P_DATA && bytes) *bytes = 1;
  }
  return m;
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

static int contains(const pf_val *v, const pf_val *x) {
  uint32_t n = x->v.s.len;
  if (n == 0) return 1;
  if (v->v.s.len < n) return 0;
  return memmem(v->v.s.p, v->v.s.len, x->v.s.p, n) != NULL;
}

static int cmp_result(int cmp, int o) {
  switch (cmp) {
    case PF_CMP_EQ: case PF_CMP_ALL_EQ: return o == 0;
    case PF_CMP_NE: case PF_CMP_ANY_NE: return o != 0;
    case PF_CMP_LT: return o < 0;
    case PF_CMP_LE: return o <= 0;
    case PF_CMP_GT: return o > 0;
    case PF_CMP_GE: return o >= 0;
    default: return 0;
  }
}

static int test_one(const fnode *x, pf_ftype t, const pf_val *v) {
  switch (x->kind) {
    case N_TEST:
      switch (x->cmp) {
        case PF_CMP_EQ: case PF_CMP_ALL_EQ: return equal(t, &x->x, v);
        case PF_CMP_NE: case PF_CMP_ANY_NE: return !equal(t, &x->x, v);
        case PF_CMP_CONTAINS: return contains(v, &x->x.v);
        case PF_CMP_MATCHES:
          return pcre2_match(x->re_, (PCRE2_SPTR)v->v.s.p, v->v.s.len, 0, 0, x->md, NULL) >= 0;
        default: return cmp_result(x->cmp, ord(t, v, &x->x.v));
      }
    case N_RANGE: return ord(t, v, &x->x.v) >= 0 && ord(t, v, &x->y.v) <= 0;
    default: return 0;
  }
}

#define OUTMAX 512
#define SCRATCH 8192

typedef struct scratch { uint8_t b[SCRATCH]; size_t used; } scratch;

static uint8_t *salloc(scratch *s, size_t n) {
  if (n > SCRATCH - s->used) return NULL;
  uint8_t *r = s->b + s->used;
  s->used += n;
  return r;
}

/* The bytes a value of type t covers. */
static const uint8_t *val_bytes(pf_ftype t, const pf_val *v, uint32_t *len) {
  switch (t) {
    case PF_FT_ETHER: *len = 6; return v->v.a;
    case PF_FT_IPV4: *len = 4; return v->v.a;
    case PF_FT_IPV6: *len = 16; return v->v.a;
    default: *len = v->v.s.len; return v->v.s.p;
  }
}

/* The values operand i produces on p into out (at most max); returns the count. */
static int gen(const pf_filter *f, int i, const pf_pkt *p, pf_val *out, int max, scratch *sc) {
  const fnode *x = &f->n[i];
  switch (x->kind) {
    case O_FIELD: {
      int n = 0;
      for (int k = p->first[x->fid]; k >= 0 && n < max; k = p->vals[k].next) out[n++] = p->vals[k];
      return n;
    }
    case O_PROTO: {
      if (x->proto == PF_P_DATA) {
        int n = 0;
        for (int k = p->first[PF_F_DATA_DATA]; k >= 0 && n < max; k = p->vals[k].next) out[n++] = p->vals[k];
        return n;
      }
      if (x->proto == PF_FILTER_FRAME) {
        if (p->data == NULL || max < 1) return 0;
        out[0].v.s.p = p->data;
        out[0].v.s.len = p->caplen;
        return 1;
      }
      int n = 0;
      for (int k = 0; k < p->nlayers && n < max; k++) {
        if (p->layers[k].proto != x->proto) continue;
        out[n].v.s.p = p->layers[k].p;
        out[n].v.s.len = p->layers[k].len;
        n++;
      }
      return n;
    }
    case O_SLICE: {
      pf_ftype t = f->n[x->a].type;
      int n = gen(f, x->a, p, out, max, sc), m = 0;
      for (int k = 0; k < n; k++) {
        uint32_t len;
        const uint8_t *b = val_bytes(t, &out[k], &len);
        if (t == PF_FT_ETHER || t == PF_FT_IPV4 || t == PF_FT_IPV6) {   /* the bytes live in out[k]: copy */
          uint8_t *c = salloc(sc, len);
          if (c == NULL) continue;
          memcpy(c, b, len);
          b = c;
        }
        /* each range in [start, end) of the value; one out of bounds drops the value, as Wireshark */
        const uint8_t *piece = NULL;
        uint32_t total = 0;
        int ok = 1;
        uint8_t *cat = NULL;
        for (int r = 0; r < x->nranges && ok; r++) {
          int64_t s = x->rs[r], e;
          if (s < 0) s += len;
          if (x->rk[r] == PF_SLICE_LEN) e = s + x->rv[r];
          else if (x->rk[r] == PF_SLICE_TO) e = (x->rv[r] < 0 ? x->rv[r] + (int64_t)len : x->rv[r]) + 1;
          else e = len;
          if (s < 0 || s > (int64_t)len || e > (int64_t)len || e < s) { ok = 0; break; }
          if (x->nranges == 1) { piece = b + s; total = (uint32_t)(e - s); break; }
          if (cat == NULL) { cat = salloc(sc, 0); if (cat == NULL) { ok = 0; break; } }
          uint8_t *dst = salloc(sc, (size_t)(e - s));
          if (dst == NULL) { ok = 0; break; }
          memcpy(dst, b + s, (size_t)(e - s));
          total += (uint32_t)(e - s);
          piece = cat;
        }
        if (!ok) continue;
        out[m].v.s.p = piece;
        out[m].v.s.len = total;
        m++;
      }
      return m;
    }
    case O_BITAND: {
      int n = gen(f, x->a, p, out, max, sc);
      for (int k = 0; k < n; k++) {
        if (x->type == PF_FT_BYTES) {
          uint32_t len = out[k].v.s.len < x->x.v.v.s.len ? out[k].v.s.len : x->x.v.v.s.len;
          uint8_t *c = salloc(sc, len);
          if (c == NULL) { out[k].v.s.len = 0; continue; }
          for (uint32_t j = 0; j < len; j++) c[j] = out[k].v.s.p[j] & x->x.v.v.s.p[j];
          out[k].v.s.p = c;
          out[k].v.s.len = len;
        } else {
          out[k].v.u &= x->x.v.v.u;
        }
      }
      return n;
    }
    case O_FUNC: {
      const fnode *a = &f->n[x->a];
      int n = gen(f, x->a, p, out, max, sc);
      if (x->fn == FN_COUNT) {
        if (n == 0) return 0;
        out[0].v.u = (uint64_t)n;
        return 1;
      }
      for (int k = 0; k < n; k++) {
        if (x->fn == FN_LEN) {
          uint32_t len;
          val_bytes(a->type, &out[k], &len);
          out[k].v.u = len;
        } else if (x->fn == FN_STRING) {
          char buf[512];
          int len = pf_val_format(a->fid, &out[k], buf, sizeof buf);
          if (len < 0 || (size_t)len >= sizeof buf) len = 0;
          uint8_t *c = salloc(sc, (size_t)len);
          if (c == NULL) len = 0;
          else memcpy(c, buf, (size_t)len);
          out[k].v.s.p = c;
          out[k].v.s.len = (uint32_t)len;
        } else {
          uint32_t len = out[k].v.s.len;
          uint8_t *c = salloc(sc, len);
          if (c == NULL) { out[k].v.s.len = 0; continue; }
          for (uint32_t j = 0; j < len; j++) {
            uint8_t ch = out[k].v.s.p[j];
            if (x->fn == FN_UPPER && ch >= 'a' && ch <= 'z') ch = (uint8_t)(ch - 32);
            if (x->fn == FN_LOWER && ch >= 'A' && ch <= 'Z') ch = (uint8_t)(ch + 32);
            c[j] = ch;
          }
          out[k].v.s.p = c;
        }
      }
      return n;
    }
    default: return 0;
  }
}

static int truthy(pf_ftype t, const pf_val *v) {
  if (t == PF_FT_BYTES) {
    for (uint32_t j = 0; j < v->v.s.len; j++) if (v->v.s.p[j]) return 1;
    return 0;
  }
  return v->v.u != 0;
}

static int eval(const pf_filter *f, int i, const pf_pkt *p) {
  const fnode *x = &f->n[i];
  switch (x->kind) {
    case N_OR: return eval(f, x->a, p) || eval(f, x->b, p);
    case N_AND: return eval(f, x->a, p) && eval(f, x->b, p);
    case N_XOR: return eval(f, x->a, p) != eval(f, x->b, p);
    case N_NOT: return !eval(f, x->a, p);
    case N_PROTO_EXISTS:
      return x->proto == PF_FILTER_FRAME ? 1 : (int)(p->protos >> x->proto & 1);
    default: break;
  }
  const fnode *a = &f->n[x->a];
  if (a->kind == O_FIELD && x->kind == N_TRUTH) return p->first[a->fid] >= 0;
  if (a->kind == O_FIELD && x->kind != N_TESTOP) {   /* the common case: in place, no copies */
    int k = p->first[a->fid];
    if (k < 0) return 0;   /* a test on an absent field is false, != included */
    int all = x->quant || x->cmp == PF_CMP_NE || x->cmp == PF_CMP_ALL_EQ;
    for (; k >= 0; k = p->vals[k].next) {
      int r = test_one(x, a->type, &p->vals[k]);
      if (all && !r) return 0;
      if (!all && r) return 1;
    }
    return all;
  }
  scratch sc;
  sc.used = 0;
  pf_val va[OUTMAX];
  int n = gen(f, x->a, p, va, OUTMAX, &sc);
  if (n == 0) return 0;
  if (x->kind == N_TRUTH) {
    if (a->kind != O_BITAND) return 1;
    for (int k = 0; k < n; k++) if (truthy(a->type, &va[k])) return 1;
    return 0;
  }
  if (x->kind == N_TESTOP) {   /* operand against operand: over all pairs */
    pf_val vb[OUTMAX];
    int m = gen(f, x->b, p, vb, OUTMAX, &sc);
    if (m == 0) return 0;
    pf_ftype t = a->type, tb = f->n[x->b].type;
    int all = x->quant || x->cmp == PF_CMP_NE || x->cmp == PF_CMP_ALL_EQ;
    int signed_ = t == PF_FT_INT || tb == PF_FT_INT;
    for (int k = 0; k < n; k++) {
      for (int j = 0; j < m; j++) {
        int r;
        if (x->cmp == PF_CMP_CONTAINS) r = contains(&va[k], &vb[j]);
        else r = cmp_result(x->cmp, ord(signed_ ? PF_FT_INT : (t == PF_FT_STRING ? PF_FT_BYTES : t), &va[k], &vb[j]));
        if (all && !r) return 0;
        if (!all && r) return 1;
      }
    }
    return all;
  }
  int all = x->quant || x->cmp == PF_CMP_NE || x->cmp == PF_CMP_ALL_EQ;
  for (int k = 0; k < n; k++) {
    int r = test_one(x, a->type, &va[k]);
    if (all && !r) return 0;
    if (!all && r) return 1;
  }
  return all;
}

int pf_filter_eval(const pf_filter *f, const pf_pkt *p) {
  return f->root < 0 ? 1 : eval(f, f->root, p);
}

int pf_filter_protocol(const char *name) {
  int pr = pf_filter_protocol_id(name);
  if (pr == PF_FILTER_FRAME) return PF_F_FRAME_NUMBER;
  return pr >= 0 ? proto_rep[pr] : -1;
}
