/* decode.c: the per-record driver: frame fields, time references, dispatch to the link layer. */
#include "decode.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "dissect.h"

struct pf_decoder {
  uint8_t want[PF_MAXFIELDS];
  int depth;
  pf_conv *conv;
  struct pf_reasm *reasm;
  struct pf_app *app;       /* application-layer state (TCP streams, text) */
  int have_ref;
  pf_time ref, prev;
  const pf_user_hook *user; /* user-defined fields, or NULL: one branch per record */
  int nmalformed;           /* malformed packets reported (pf_malformed) */
};

pf_decoder *pf_decoder_new(const int *fids, int nfids) {
  /* whole cache lines of its own: with pf_scan's threads, the sink's thread
     writes small blocks (table columns) that would otherwise share a line
     with the state written here every record */
  size_t size = (sizeof(pf_decoder) + 63) & ~(size_t)63;
  void *mem;
  if (posix_memalign(&mem, 64, size) != 0) return NULL;
  pf_decoder *d = mem;
  memset(d, 0, size);
  d->depth = PF_LY_FRAME;
  for (int i = 0; i < nfids; i++) {
    if (fids[i] < 0 || fids[i] >= pf_field_count()) continue;
    d->want[fids[i]] = 1;
    if ((int)pf_fields[fids[i]].layer > d->depth) d->depth = (int)pf_fields[fids[i]].layer;
  }
  if (d->depth >= PF_LY_STATE) {
    d->conv = pf_conv_new();
    if (d->conv == NULL) { free(d); return NULL; }
  }
  if (d->depth >= PF_LY_TRANS) {
    d->reasm = pf_reasm_new();
    if (d->reasm == NULL) { pf_decoder_free(d); return NULL; }
  }
  if (d->depth >= PF_LY_STATE) {
    d->app = pf_app_new();
    if (d->app == NULL) { pf_decoder_free(d); return NULL; }
  }
  return d;
}

void pf_decoder_free(pf_decoder *d) {
  if (d == NULL) return;
  pf_conv_free(d->conv);
  pf_reasm_free(d->reasm);
  pf_app_free(d->app);
  free(d);
}

void pf_decoder_set_user(pf_decoder *d, const pf_user_hook *h) { d->user = h; }

pf_val *pf_pkt_add(pf_pkt *p, int fid) {
  if (p->nvals >= PF_MAX_VALS) return NULL;
  int i = p->nvals++;
  pf_val *v = &p->vals[i];
  v->fid = (uint16_t)fid;
  v->next = -1;
  if (p->first[fid] < 0) p->first[fid] = (int16_t)i;
  else p->vals[p->last[fid]].next = (int16_t)i;
  p->last[fid] = (int16_t)i;
  return v;
}

void pf_pkt_init(pf_pkt *p) {
  p->nvals = 0;
  p->protos = 0, p->nlayers = 0;
  p->scratch_used = 0;
  p->malformed[0] = 0;
  for (int i = 0; i < PF_MAXFIELDS; i++) p->first[i] = -1;
}

static void reset_vals(pf_pkt *p) {
  for (int i = 0; i < p->nvals; i++) p->first[p->vals[i].fid] = -1;
  p->nvals = 0;
  p->protos = 0, p->nlayers = 0;
  p->scratch_used = 0;
  p->malformed[0] = 0;
}

/* Malformed packets listed per decoder (per read): past this they still decode
   as well as they can, but only the count would grow, not the information. */
#define MALFORMED_LIMIT 20

void pf_malformed(pf_dctx *c, const uint8_t *at, const char *fmt, ...) {
  pf_pkt *p = c->p;
  if (p->malformed[0] || c->nmalformed == NULL || *c->nmalformed >= MALFORMED_LIMIT) return;
  ++*c->nmalformed;
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(p->malformed, sizeof p->malformed, fmt, ap);
  va_end(ap);
  if (n < 0) n = 0;
  if ((size_t)n >= sizeof p->malformed) n = (int)sizeof p->malformed - 1;
  size_t left = sizeof p->malformed - (size_t)n;
  /* where in the frame, as Wireshark's bytes pane counts; a reassembled
     datagram or stream is not in any one frame */
  if (at != NULL && p->data != NULL && at >= p->data && at <= p->data + p->caplen)
    n += snprintf(p->malformed + n, left, " at frame byte %lu", (unsigned long)(at - p->data));
  else if (at != NULL)
    n += snprintf(p->malformed + n, left, " in reassembled data");
  if (*c->nmalformed == MALFORMED_LIMIT && n >= 0 && (size_t)n < sizeof p->malformed)
    snprintf(p->malformed + n, sizeof p->malformed - (size_t)n, "; later malformed packets are not listed");
}

int pf_decode(pf_decoder *d, pf_pkt *p) {
  reset_vals(p);
  pf_dctx c = { p, d->want, d->depth, d->conv, d->reasm, 0, 0, 0, 0, d->app, &d->nmalformed, NULL, 0 };
  /* tshark's first-frame reference and previous-frame time come from every
     record, even one without a time stamp of its own (it then carries 0 or
     the previous record's time: see capture.c) */
  if (!d->have_ref) { d->ref = p->ts; d->prev = p->ts; d->have_ref = 1; }
  pf_emit_u(&c, PF_F_FRAME_NUMBER, p->num);
  if (p->has_ts) {
    pf_emit_t(&c, PF_F_FRAME_TIME_EPOCH, p->ts);
    pf_emit_t(&c, PF_F_FRAME_TIME_RELATIVE, pf_time_delta(p->ts, d->ref));
    pf_emit_t(&c, PF_F_FRAME_TIME_DELTA, pf_time_delta(p->ts, d->prev));
  }
  d->prev = p->ts;
  pf_emit_u(&c, PF_F_FRAME_LEN, p->len);
  pf_emit_u(&c, PF_F_FRAME_CAP_LEN, p->caplen);
  if (d->depth >= PF_LY_LINK && p->is_packet) {
    uint32_t rlen = p->len > p->caplen ? p->len : p->caplen;
    pf_dissect_link(&c, p->linktype, p->data, p->caplen, rlen);
  } else if (d->depth >= PF_LY_APP && !p->is_packet && p->data) {
    pf_dissect_data(&c, p->data, p->caplen);   /* tshark shows a custom block's bytes as data */
  }
  if (c.oom) return -1;
  return d->user ? d->user->fn(d->user->ud, p) : 0;
}

/* Text forms are written by hand: snprintf was two thirds of the time of a
   `pktframe fields` run with many fields. */
static const char hexdig[] = "0123456789abcdef";

/* "00" "01" ... "99": two digits per division */
static const char dig2[201] =
  "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
  "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
  "8081828384858687888990919293949596979899";

/* Writes the last n (<= 10) decimal digits of v ending at e (backwards), in
   32-bit arithmetic. */
static void put_digits32(char *e, uint32_t v, int n) {
  while (n >= 4) {   /* four at a time: a shorter chain of dependent divisions */
    uint32_t q = v / 10000, r = v - q * 10000;
    uint32_t hi = r / 100, lo = r - hi * 100;
    v = q;
    e -= 4;
    memcpy(e, dig2 + 2 * hi, 2);
    memcpy(e + 2, dig2 + 2 * lo, 2);
    n -= 4;
  }
  while (n >= 2) {
    uint32_t q = v / 100, r = v - q * 100;
    v = q;
    e -= 2;
    memcpy(e, dig2 + 2 * r, 2);
    n -= 2;
  }
  if (n) *--e = (char)('0' + v % 10);
}

/* Writes the last n decimal digits of v ending at e (backwards). */
static void put_digits_back(char *e, uint64_t v, int n) {
  while (n > 8 && v > UINT32_MAX) {   /* eight digits at a time down to 32 bits */
    uint64_t q = v / 100000000u;
    put_digits32(e, (uint32_t)(v - q * 100000000u), 8);
    e -= 8;
    n -= 8;
    v = q;
  }
  if (n > 10) {   /* zeros above the 32-bit part */
    put_digits32(e, (uint32_t)v, 10);
    for (e -= 10, n -= 10; n > 0; n--) *--e = '0';
    return;
  }
  put_digits32(e, (uint32_t)v, n);
}

static int count_digits(uint64_t v) {
  int n = 1;
  for (;;) {
    if (v < 10) return n;
    if (v < 100) return n + 1;
    if (v < 1000) return n + 2;
    if (v < 10000) return n + 3;
    v /= 10000;
    n += 4;
  }
}

/* Decimal digits of v at b (no NUL); returns the count. */
static int put_u64(char *b, uint64_t v) {
  if (v < 10) {
    b[0] = (char)('0' + v);
    return 1;
  }
  int n = count_digits(v);
  put_digits_back(b + n, v, n);
  return n;
}

static int put_hex(char *b, uint64_t v, int digits) {
  b[0] = '0';
  b[1] = 'x';
  int n = 0;
  uint64_t t = v;
  do { n++; t >>= 4; } while (t);
  if (n < digits) n = digits;
  for (int i = n - 1; i >= 0; i--, v >>= 4) b[2 + i] = hexdig[v & 15];
  return n + 2;
}

/* secs "." 9-digit nsecs, the raw magnitude of each (tshark's form) */
static int put_time(char *b, pf_time t) {
  int n = 0;
  uint64_t s = (uint64_t)t.secs;
  long ns = t.nsecs;
  if (t.secs < 0 || t.nsecs < 0) {
    b[n++] = '-';
    s = t.secs < 0 ? 0 - (uint64_t)t.secs : (uint64_t)t.secs;
    ns = ns < 0 ? -ns : ns;
  }
  n += put_u64(b + n, s);
  b[n++] = '.';
  if (ns < 1000000000) {   /* the usual case: exactly 9 digits, zero-padded */
    put_digits_back(b + n + 9, (uint64_t)ns, 9);
    return n + 9;
  }
  return n + put_u64(b + n, (uint64_t)ns);   /* a raw fraction >= 1 s prints whole */
}

static int fmt_hex_bytes(const uint8_t *s, uint32_t n, char *buf, size_t cap) {
  size_t need = (size_t)n * 2;
  if (need + 1 <= cap) {
    for (uint32_t i = 0; i < n; i++) {
      buf[2 * i] = hexdig[s[i] >> 4];
      buf[2 * i + 1] = hexdig[s[i] & 15];
    }
    buf[need] = 0;
  } else if (cap) {
    buf[0] = 0;
  }
  return (int)need;
}

static int fmt_ipv6(const uint8_t *a, char *buf, size_t n) {
  /* RFC 5952: longest run (>= 2) of zero groups becomes "::", first on ties;
     an IPv4-mapped or -compatible tail is not special-cased by tshark's -T fields */
  uint16_t g[8];
  for (int i = 0; i < 8; i++) g[i] = (uint16_t)(a[2 * i] << 8 | a[2 * i + 1]);
  int best = -1, bestlen = 0;
  for (int i = 0; i < 8;) {
    if (g[i] == 0) {
      int j = i;
      while (j < 8 && g[j] == 0) j++;
      if (j - i > bestlen) { best = i; bestlen = j - i; }
      i = j;
    } else {
      i++;
    }
  }
  if (bestlen < 2) best = -1;
  char tmp[64];
  size_t o = 0;
  for (int i = 0; i < 8; i++) {
    if (i == best) {
      tmp[o++] = ':';
      if (i == 0) tmp[o++] = ':';
      i += bestlen - 1;
      continue;
    }
    /* %x of the group: no leading zeros */
    int started = 0;
    for (int sh = 12; sh >= 0; sh -= 4) {
      int d = g[i] >> sh & 15;
      if (d || started || sh == 0) { tmp[o++] = hexdig[d]; started = 1; }
    }
    if (i < 7) tmp[o++] = ':';
  }
  if (o + 1 <= n) {
    memcpy(buf, tmp, o);
    buf[o] = 0;
  } else if (n) {
    buf[0] = 0;
  }
  return (int)o;
}

int pf_fmt_u64(char *buf, uint64_t v) { return put_u64(buf, v); }

int pf_fmt_time(char *buf, pf_time t) { return put_time(buf, t); }

int pf_fmt_hex(char *buf, uint64_t v, int digits) { return put_hex(buf, v, digits); }

int pf_val_format(int fid, const pf_val *v, char *buf, size_t n) {
  const pf_field_info *f = &pf_fields[fid];
  char small[64];
  /* scalars are at most 48 characters: write in place when they fit */
  char *tmp = n >= sizeof small ? buf : small;
  int len = 0;
  switch (f->type) {
    case PF_FT_STRING:
      if ((size_t)v->v.s.len + 1 <= n) {
        memcpy(buf, v->v.s.p, v->v.s.len);
        buf[v->v.s.len] = 0;
      } else if (n) {
        buf[0] = 0;
      }
      return (int)v->v.s.len;
    case PF_FT_BYTES: return fmt_hex_bytes(v->v.s.p, v->v.s.len, buf, n);
    case PF_FT_IPV6: return fmt_ipv6(v->v.a, buf, n);
    case PF_FT_NONE: tmp[len++] = '1'; break;
    case PF_FT_BOOL: tmp[len++] = v->v.u ? '1' : '0'; break;
    case PF_FT_UINT:
      len = f->base > 0 ? put_hex(tmp, v->v.u, f->base) : put_u64(tmp, v->v.u);
      break;
    case PF_FT_FRAMENUM: len = put_u64(tmp, v->v.u); break;
    case PF_FT_INT:
      if (v->v.i < 0) { tmp[len++] = '-'; len += put_u64(tmp + 1, 0 - (uint64_t)v->v.i); }
      else len = put_u64(tmp, (uint64_t)v->v.i);
      break;
    case PF_FT_IPV4:
      for (int i = 0; i < 4; i++) {
        if (i) tmp[len++] = '.';
        len += put_u64(tmp + len, v->v.a[i]);
      }
      break;
    case PF_FT_ETHER:
      for (int i = 0; i < 6; i++) {
        if (i) tmp[len++] = ':';
        tmp[len++] = hexdig[v->v.a[i] >> 4];
        tmp[len++] = hexdig[v->v.a[i] & 15];
      }
      break;
    case PF_FT_ABSTIME: case PF_FT_RELTIME: len = put_time(tmp, v->v.t); break;
    case PF_FT_DOUBLE: len = snprintf(tmp, sizeof small, "%.17g", v->v.d); break;
    case PF_FT_COUNT_: break;
  }
  if (tmp == buf) {
    buf[len] = 0;
  } else if ((size_t)len + 1 <= n) {
    memcpy(buf, tmp, (size_t)len);
    buf[len] = 0;
  } else if (n) {
    buf[0] = 0;
  }
  return len;
}
