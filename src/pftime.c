/* pftime.c: Wireshark-compatible time arithmetic and text forms. */
#include "pf.h"

#include <stdio.h>

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
