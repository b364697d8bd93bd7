/* pftime.c: Wireshark-compatible time arithmetic and text forms. */
#include "pf.h"

#include <stdio.h>

#define NS_PER_S 1000000000

/* b - a with seconds and nanoseconds of one sign, as Wireshark's nstime_delta,
   so that relative times print exactly as tshark prints them. */
pf_time pf_time_delta(pf_time b, pf_time a) {
  pf_time d;
  if (b.secs == a.secs) {
    d.secs = 0;
    d.nsecs = b.nsecs - a.nsecs;
  } else if (b.secs < a.secs) {
    d.secs = b.secs - a.secs;
    d.nsecs = b.nsecs - a.nsecs;
    if (d.nsecs > 0) { d.nsecs -= NS_PER_S; d.secs++; }
  } else {
    d.secs = b.secs - a.secs;
    d.nsecs = b.nsecs - a.nsecs;
    if (d.nsecs < 0) { d.nsecs += NS_PER_S; d.secs--; }
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
