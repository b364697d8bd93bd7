/* pftime.c: Wireshark-compatible time arithmetic and text forms. */
#include "pf.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define NS_PER_S 1000000000

/* b - a with seconds and nanoseconds of one sign, as Wireshark's nstime_delta,
   so that relative times print exactly as tshark prints them. */
/* Wrapping differences: damaged files carry any bit patterns, and tshark's
   int arithmetic wraps on them in practice; in C a signed overflow is
   undefined, so go through the unsigned types. */
static int64_t sub64(int64_t x, int64_t y) { return (int64_t)((uint64_t)x - (uint64_t)y); }
static int32_t sub32(int32_t x, int32_t y) { return (int32_t)((uint32_t)x - (uint32_t)y); }

pf_time pf_time_delta(pf_time b, pf_time a) {
  pf_time d;
  if (b.secs == a.secs) {
    d.secs = 0;
    d.nsecs = sub32(b.nsecs, a.nsecs);
  } else if (b.secs < a.secs) {
    d.secs = sub64(b.secs, a.secs);
    d.nsecs = sub32(b.nsecs, a.nsecs);
    if (d.nsecs > 0) { d.nsecs = sub32(d.nsecs, NS_PER_S); d.secs = sub64(d.secs, -1); }
  } else {
    d.secs = sub64(b.secs, a.secs);
    d.nsecs = sub32(b.nsecs, a.nsecs);
    if (d.nsecs < 0) { d.nsecs = sub32(d.nsecs, -NS_PER_S); d.secs = sub64(d.secs, 1); }
  }
  return d;
}

int pf_time_cmp(pf_time a, pf_time b) {
  if (a.secs != b.secs) return a.secs < b.secs ? -1 : 1;
  if (a.nsecs != b.nsecs) return a.nsecs < b.nsecs ? -1 : 1;
  return 0;
}

double pf_time_to_double(pf_time t) {
  return (double)t.secs + (double)t.nsecs / 1e9;
}

int pf_time_fmt_rel(char *buf, size_t n, pf_time t) {
  /* tshark prints the sign once and both parts as magnitudes */
  if (t.secs < 0 || t.nsecs < 0) {
    unsigned long long s = t.secs < 0 ? 0ULL - (unsigned long long)t.secs : (unsigned long long)t.secs;
    long ns = t.nsecs < 0 ? -(long)t.nsecs : (long)t.nsecs;
    return snprintf(buf, n, "-%llu.%09ld", s, ns);
  }
  return snprintf(buf, n, "%lld.%09ld", (long long)t.secs, (long)t.nsecs);
}

int pf_time_fmt_abs(char *buf, size_t n, pf_time t) {
  if (t.secs < 0 || t.nsecs < 0) return pf_time_fmt_rel(buf, n, t);
  return snprintf(buf, n, "%lld.%09ld", (long long)t.secs, (long)t.nsecs);
}

/* ---- time buckets (resample.c, query.c) and aggregated times (groupby.c, query.c) ---- */

#define NS64 1000000000LL
#define SECS_LIMIT ((int64_t)1 << 33)   /* |secs| below: secs * 1e9 + nsecs fits in an int64 */

int64_t pf_floordiv64(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) q--;
  return q;
}

int64_t pf_time_ns_since(pf_time t, pf_time o, int *ok) {
  pf_time d = pf_time_delta(t, o);
  if (d.secs >= SECS_LIMIT || d.secs <= -SECS_LIMIT) {
    *ok = 0;
    return 0;
  }
  return d.secs * NS64 + d.nsecs;
}

pf_time pf_time_ns_after(pf_time o, int64_t ns) {
  int64_t s = o.secs + pf_floordiv64(ns, NS64);
  int64_t n = o.nsecs + (ns - pf_floordiv64(ns, NS64) * NS64);
  if (n >= NS64) { n -= NS64; s++; }
  if (s < 0 && n > 0) { s++; n -= NS64; }   /* one sign for both parts, as Wireshark keeps times */
  pf_time r;
  memset(&r, 0, sizeof r);
  r.secs = s;
  r.nsecs = (int32_t)n;
  return r;
}

pf_time pf_time_plus_seconds(pf_time base, double x) {
  double s = floor(x);
  long long ns = llround((x - s) * 1e9);
  long long secs = (long long)s;
  if (ns >= NS64) { ns -= NS64; secs++; }
  long long S = (long long)base.secs + secs, N = (long long)base.nsecs + ns;
  if (N >= NS64) { N -= NS64; S++; }
  if (N < 0 && S > 0) { N += NS64; S--; }
  pf_time t;
  memset(&t, 0, sizeof t);
  t.secs = S;
  t.nsecs = (int32_t)N;
  return t;
}
