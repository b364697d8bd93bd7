/* sort.c: stable multi-key sorting of row indices (radix on one-word keys, else merge sort), and the cell order it uses. */
#include "verbs.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "frameutil.h"

/* ---- order ---- */

int pf_cell_cmp(const pf_column *a, size_t r1, const pf_column *b, size_t r2) {
  switch (a->type) {
    case PF_FT_INT: {
      int64_t x = pf_cell_i64(a, r1), y = pf_cell_i64(b, r2);
      return x < y ? -1 : x > y;
    }
    case PF_FT_UINT: case PF_FT_BOOL: case PF_FT_FRAMENUM:
      return pf_cmp_u64((uint64_t)pf_cell_i64(a, r1), (uint64_t)pf_cell_i64(b, r2));
    case PF_FT_DOUBLE: {
      double x = pf_cell_f64(a, r1), y = pf_cell_f64(b, r2);
      return x < y ? -1 : x > y;
    }
    case PF_FT_ABSTIME: case PF_FT_RELTIME: {
      pf_time x = pf_cell_time(a, r1), y = pf_cell_time(b, r2);
      if (x.secs != y.secs) return x.secs < y.secs ? -1 : 1;
      return x.nsecs < y.nsecs ? -1 : x.nsecs > y.nsecs;
    }
    case PF_FT_IPV4: return memcmp(pf_cell_bytes(a, r1), pf_cell_bytes(b, r2), 4);
    case PF_FT_IPV6: return memcmp(pf_cell_bytes(a, r1), pf_cell_bytes(b, r2), 16);
    case PF_FT_ETHER: return memcmp(pf_cell_bytes(a, r1), pf_cell_bytes(b, r2), 6);
    case PF_FT_STRING: case PF_FT_BYTES: {
      pf_span x = pf_cell_span(a, r1), y = pf_cell_span(b, r2);
      size_t m = (size_t)(x.len < y.len ? x.len : y.len);
      int c = m ? memcmp(a->arena + x.off, b->arena + y.off, m) : 0;
      if (c) return c;
      return x.len < y.len ? -1 : x.len > y.len;
    }
    default: return 0;
  }
}

/* The cell as an unsigned 64-bit number that orders as the cell does; 0
   when the type has none (or this time does not fit in nanoseconds). */
static int radix_ok(const pf_column *c) {
  switch (c->type) {
    case PF_FT_INT: case PF_FT_UINT: case PF_FT_BOOL: case PF_FT_FRAMENUM: case PF_FT_DOUBLE:
    case PF_FT_IPV4: case PF_FT_ETHER: case PF_FT_ABSTIME: case PF_FT_RELTIME:
      return 1;
    default: return 0;
  }
}

#define TIME_SECS_MAX ((int64_t)1 << 33)   /* |secs| below this: secs * 1e9 + nsecs fits in an int64 */

static uint64_t sortable(const pf_column *c, size_t r) {
  switch (c->type) {
    case PF_FT_INT: return (uint64_t)pf_cell_i64(c, r) ^ (uint64_t)1 << 63;
    case PF_FT_DOUBLE: {
      double d = pf_cell_f64(c, r);
      uint64_t u;
      if (d == 0) d = 0;   /* -0.0 ties with 0.0 */
      memcpy(&u, &d, 8);
      return u >> 63 ? ~u : u | (uint64_t)1 << 63;
    }
    case PF_FT_IPV4: {
      const unsigned char *b = pf_cell_bytes(c, r);
      return (uint64_t)b[0] << 24 | (uint64_t)b[1] << 16 | (uint64_t)b[2] << 8 | b[3];
    }
    case PF_FT_ETHER: {
      const unsigned char *b = pf_cell_bytes(c, r);
      uint64_t u = 0;
      for (int i = 0; i < 6; i++) u = u << 8 | b[i];
      return u;
    }
    case PF_FT_ABSTIME: case PF_FT_RELTIME: {
      pf_time t = pf_cell_time(c, r);
      return (uint64_t)(t.secs * NS_PER_S + t.nsecs) ^ (uint64_t)1 << 63;
    }
    default: return (uint64_t)pf_cell_i64(c, r);
  }
}

typedef struct kv {
  uint64_t k;
  size_t v;
} kv;

/* Stable merge sort of a[0 .. n) by k, tmp of n. */
static void msort_kv(kv *a, kv *tmp, size_t n) {
  if (n <= 16) {
    for (size_t i = 1; i < n; i++) {
      kv x = a[i];
      size_t j = i;
      while (j > 0 && a[j - 1].k > x.k) { a[j] = a[j - 1]; j--; }
      a[j] = x;
    }
    return;
  }
  size_t h = n / 2;
  msort_kv(a, tmp, h);
  msort_kv(a + h, tmp, n - h);
  if (a[h - 1].k <= a[h].k) return;
  memcpy(tmp, a, h * sizeof *a);
  size_t i = 0, j = h, o = 0;
  while (i < h && j < n) a[o++] = a[j].k < tmp[i].k ? a[j++] : tmp[i++];
  while (i < h) a[o++] = tmp[i++];
}

/* LSD radix sort of a[0 .. n) by k in 16-bit digits, skipping digits all keys share. */
static int radix_kv(const pf_ctx *ctx, kv *a, kv *tmp, size_t n) {
  size_t *hist = (size_t *)pf_arr_new(ctx, 4 * 65536, sizeof(size_t));
  if (hist == NULL) return PF_TABLE_ENOMEM;
  memset(hist, 0, 4 * 65536 * sizeof(size_t));
  for (size_t i = 0; i < n; i++) {
    uint64_t k = a[i].k;
    hist[k & 0xffff]++;
    hist[65536 + (k >> 16 & 0xffff)]++;
    hist[2 * 65536 + (k >> 32 & 0xffff)]++;
    hist[3 * 65536 + (k >> 48)]++;
  }
  kv *src = a, *dst = tmp;
  for (int d = 0; d < 4; d++) {
    if (pf_ctx_stop(ctx)) {
      pf_arr_free(ctx, hist, 4 * 65536, sizeof(size_t));
      return PF_TABLE_EINTR;
    }
    size_t *h = hist + (size_t)d * 65536;
    int shift = 16 * d;
    if (h[src[0].k >> shift & 0xffff] == n) continue;
    size_t sum = 0;
    for (size_t b = 0; b < 65536; b++) {
      size_t c = h[b];
      h[b] = sum;
      sum += c;
    }
    for (size_t i = 0; i < n; i++) dst[h[src[i].k >> shift & 0xffff]++] = src[i];
    kv *x = src;
    src = dst;
    dst = x;
  }
  if (src != a) memcpy(a, src, n * sizeof *a);
  pf_arr_free(ctx, hist, 4 * 65536, sizeof(size_t));
  return PF_TABLE_OK;
}

typedef struct cmpctx {
  const pf_column *c;
  size_t off;
  int sign;
} cmpctx;

static void msort_rows(const cmpctx *x, size_t *a, size_t *tmp, size_t n) {
  if (n <= 16) {
    for (size_t i = 1; i < n; i++) {
      size_t v = a[i], j = i;
      while (j > 0 && x->sign * pf_cell_cmp(x->c, x->off + a[j - 1], x->c, x->off + v) > 0) {
        a[j] = a[j - 1];
        j--;
      }
      a[j] = v;
    }
    return;
  }
  size_t h = n / 2;
  msort_rows(x, a, tmp, h);
  msort_rows(x, a + h, tmp, n - h);
  memcpy(tmp, a, h * sizeof *a);
  size_t i = 0, j = h, o = 0;
  while (i < h && j < n)
    a[o++] = x->sign * pf_cell_cmp(x->c, x->off + a[j], x->c, x->off + tmp[i]) < 0 ? a[j++] : tmp[i++];
  while (i < h) a[o++] = tmp[i++];
}

/* One stable pass of pf_sort: perm by key k, nulls last. */
static int sort_pass(const pf_ctx *ctx, pf_colref k, int desc, size_t *perm, size_t n, kv *pairs, kv *ptmp) {
  const pf_column *c = k.c;
  size_t m = 0, nn = 0;
  /* non-null rows first, in order; the nulls after them, in order (ptmp holds them) */
  for (size_t i = 0; i < n; i++) {
    size_t r = perm[i];
    if (pf_cell_valid(c, k.off + r)) perm[m++] = r;
    else ptmp[nn++].v = r;
  }
  for (size_t i = 0; i < nn; i++) perm[m + i] = ptmp[i].v;
  int radix = radix_ok(c);
  if (radix && pf_type_is_time(c->type))
    for (size_t i = 0; i < m && radix; i++) {
      pf_time t = pf_cell_time(c, k.off + perm[i]);
      if (t.secs >= TIME_SECS_MAX || t.secs <= -TIME_SECS_MAX || t.nsecs >= NS_PER_S || t.nsecs <= -NS_PER_S)
        radix = 0;
    }
  if (radix) {
    uint64_t flip = desc ? ~(uint64_t)0 : 0;
    for (size_t i = 0; i < m; i++) {
      pairs[i].k = sortable(c, k.off + perm[i]) ^ flip;
      pairs[i].v = perm[i];
    }
    if (m < 65536) msort_kv(pairs, ptmp, m);
    else {
      int rc = radix_kv(ctx, pairs, ptmp, m);
      if (rc != PF_TABLE_OK) return rc;
    }
    for (size_t i = 0; i < m; i++) perm[i] = pairs[i].v;
    return PF_TABLE_OK;
  }
  cmpctx x = { c, k.off, desc ? -1 : 1 };
  msort_rows(&x, perm, (size_t *)(void *)ptmp, m);
  return pf_ctx_stop(ctx) ? PF_TABLE_EINTR : PF_TABLE_OK;
}

int pf_sort(const pf_ctx *ctx, const pf_colref *keys, const int *desc, int nkeys, size_t *perm, size_t n) {
  if (n < 2 || nkeys == 0) return PF_TABLE_OK;
  kv *pairs = (kv *)pf_arr_new(ctx, n, sizeof(kv));
  kv *ptmp = (kv *)pf_arr_new(ctx, n, sizeof(kv));
  int rc = PF_TABLE_ENOMEM;
  if (pairs && ptmp) {
    rc = PF_TABLE_OK;
    /* least significant key first: each pass is stable, so the passes compose */
    for (int k = nkeys - 1; k >= 0 && rc == PF_TABLE_OK; k--)
      rc = sort_pass(ctx, keys[k], desc ? desc[k] : 0, perm, n, pairs, ptmp);
  }
  pf_arr_free(ctx, pairs, n, sizeof(kv));
  pf_arr_free(ctx, ptmp, n, sizeof(kv));
  return rc;
}
