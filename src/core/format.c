/* format.c: the tshark text of a field value (-T fields), written by hand. */
#include "format.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

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

/* tshark's abs_time_to_str(ABSOLUTE_TIME_LOCAL): "Dec  9, 2014 17:16:09.924505488 UTC",
   in the local time zone (TZ) with its abbreviation */
static int put_local_time(char *b, size_t cap, pf_time t) {
  static const char mon[12][4] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
  struct tm tm;
  time_t secs = (time_t)t.secs;
  if (localtime_r(&secs, &tm) == NULL) return snprintf(b, cap, "Not representable");
  return snprintf(b, cap, "%s %2d, %d %02d:%02d:%02d.%09ld %s", mon[tm.tm_mon], tm.tm_mday, tm.tm_year + 1900,
                  tm.tm_hour, tm.tm_min, tm.tm_sec, (long)t.nsecs, tm.tm_zone ? tm.tm_zone : "");
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
    case PF_FT_ABSTIME: case PF_FT_RELTIME:
      if (f->type == PF_FT_ABSTIME && f->base == 1) len = put_local_time(tmp, sizeof small, v->v.t);
      else len = put_time(tmp, v->v.t);
      break;
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
