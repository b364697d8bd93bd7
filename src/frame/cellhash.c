/* cellhash.c: cells as keys: one hash and one equality for groups, distinct counts and joins. */
#include "cellhash.h"

#include <math.h>
#include <string.h>

#define NULL_HASH 0x6e756c6c6e756c6cULL

uint64_t pf_hash_mix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

uint64_t pf_hash_bytes(const unsigned char *p, size_t n) {
  uint64_t h = 0xcbf29ce484222325ULL ^ n;
  while (n >= 8) {
    uint64_t w;
    memcpy(&w, p, 8);
    h = (h ^ pf_hash_mix(w)) * 0x100000001b3ULL;
    p += 8;
    n -= 8;
  }
  uint64_t w = 0;
  if (n) memcpy(&w, p, n);
  return pf_hash_mix(h ^ w);
}

int pf_cell_nullkey(const pf_column *c, size_t r) {
  return !pf_cell_valid(c, r) || (c->type == PF_FT_DOUBLE && isnan(pf_cell_f64(c, r)));
}

uint64_t pf_cell_keyhash(const pf_column *c, size_t r) {
  if (pf_cell_nullkey(c, r)) return NULL_HASH;
  switch (c->type) {
    case PF_FT_NONE: return 1;
    case PF_FT_DOUBLE: {
      double d = pf_cell_f64(c, r);
      uint64_t u;
      if (d == 0) d = 0;   /* -0.0 and 0.0 are one key */
      memcpy(&u, &d, 8);
      return pf_hash_mix(u ^ 0x5bd1e995);
    }
    case PF_FT_ABSTIME: case PF_FT_RELTIME: {
      pf_time t = pf_cell_time(c, r);
      return pf_hash_mix((uint64_t)t.secs * 0x9e3779b97f4a7c15ULL ^ (uint64_t)(uint32_t)t.nsecs);
    }
    case PF_FT_IPV4: {
      uint32_t u;
      memcpy(&u, pf_cell_bytes(c, r), 4);
      return pf_hash_mix(u);
    }
    case PF_FT_ETHER: {
      uint64_t u;
      memcpy(&u, pf_cell_bytes(c, r), 8);   /* the two pad bytes are zero */
      return pf_hash_mix(u ^ 0xe7e7);
    }
    case PF_FT_STRING: case PF_FT_BYTES: {
      pf_span s = pf_cell_span(c, r);
      return pf_hash_bytes(c->arena + s.off, (size_t)s.len);
    }
    default:
      if (pf_type_is_int(c->type)) return pf_hash_mix((uint64_t)pf_cell_i64(c, r));
      return pf_hash_bytes(pf_cell_bytes(c, r), c->width);   /* IPv6 */
  }
}

int pf_cell_keyeq(const pf_column *a, size_t r1, const pf_column *b, size_t r2) {
  int na = pf_cell_nullkey(a, r1), nb = pf_cell_nullkey(b, r2);
  if (na || nb) return na == nb;
  if (pf_type_is_int(a->type)) return pf_type_is_int(b->type) && pf_cell_i64(a, r1) == pf_cell_i64(b, r2);
  if (a->type != b->type) return 0;
  switch (a->type) {
    case PF_FT_NONE: return 1;
    case PF_FT_DOUBLE: return pf_cell_f64(a, r1) == pf_cell_f64(b, r2);   /* no NaN here; -0.0 == 0.0 */
    case PF_FT_ABSTIME: case PF_FT_RELTIME: {
      pf_time x = pf_cell_time(a, r1), y = pf_cell_time(b, r2);
      return x.secs == y.secs && x.nsecs == y.nsecs;
    }
    case PF_FT_STRING: case PF_FT_BYTES: {
      pf_span x = pf_cell_span(a, r1), y = pf_cell_span(b, r2);
      return x.len == y.len && (x.len == 0 || memcmp(a->arena + x.off, b->arena + y.off, (size_t)x.len) == 0);
    }
    default: return memcmp(pf_cell_bytes(a, r1), pf_cell_bytes(b, r2), a->width) == 0;
  }
}
