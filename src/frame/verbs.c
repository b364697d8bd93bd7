/* verbs.c: sorting, column arithmetic and comparisons, running values, describe, display filters over rows. */
#include "verbs.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "frameutil.h"

/* ---- times ---- */

/* a + b with seconds and nanoseconds of one sign (as pf_time_delta gives). */
static pf_time time_add(pf_time a, pf_time b) {
  pf_time r;
  int64_t s = (int64_t)((uint64_t)a.secs + (uint64_t)b.secs);
  int64_t ns = (int64_t)a.nsecs + (int64_t)b.nsecs;
  while (ns >= NS_PER_S) { ns -= NS_PER_S; s = (int64_t)((uint64_t)s + 1); }
  while (ns <= -NS_PER_S) { ns += NS_PER_S; s = (int64_t)((uint64_t)s - 1); }
  if (s > 0 && ns < 0) { s--; ns += NS_PER_S; }
  if (s < 0 && ns > 0) { s++; ns -= NS_PER_S; }
  memset(&r, 0, sizeof r);   /* no stray padding bytes: cells are hashed bytewise */
  r.secs = s;
  r.nsecs = (int32_t)ns;
  return r;
}

static pf_time time_neg(pf_time a) {
  pf_time r;
  memset(&r, 0, sizeof r);
  r.secs = (int64_t)(0 - (uint64_t)a.secs);
  r.nsecs = -a.nsecs;
  return r;
}

static void put_time(pf_column *c, size_t r, pf_time t) {
  pf_time *d = (pf_time *)(void *)c->data + r;
  memset(d, 0, sizeof *d);
  d->secs = t.secs;
  d->nsecs = t.nsecs;
}

static double num_of(const pf_column *c, size_t r) {
  switch (c->type) {
    case PF_FT_INT: return (double)pf_cell_i64(c, r);
    case PF_FT_UINT: case PF_FT_BOOL: case PF_FT_FRAMENUM: return (double)(uint64_t)pf_cell_i64(c, r);
    case PF_FT_DOUBLE: return pf_cell_f64(c, r);
    case PF_FT_ABSTIME: case PF_FT_RELTIME: return pf_time_to_double(pf_cell_time(c, r));
    default: return 0;
  }
}

/* ---- order ---- */

static int cmp_u64(uint64_t a, uint64_t b) { return a < b ? -1 : a > b; }

int pf_cell_cmp(const pf_column *a, size_t r1, const pf_column *b, size_t r2) {
  switch (a->type) {
    case PF_FT_INT: {
      int64_t x = pf_cell_i64(a, r1), y = pf_cell_i64(b, r2);
      return x < y ? -1 : x > y;
    }
    case PF_FT_UINT: case PF_FT_BOOL: case PF_FT_FRAMENUM:
      return cmp_u64((uint64_t)pf_cell_i64(a, r1), (uint64_t)pf_cell_i64(b, r2));
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

/* ---- operands ---- */

enum { K_INT, K_DBL, K_ABS, K_REL, K_OTHER };

static int kind_of_type(pf_ftype t) {
  if (pf_type_is_int(t)) return K_INT;
  if (t == PF_FT_DOUBLE) return K_DBL;
  if (t == PF_FT_ABSTIME) return K_ABS;
  if (t == PF_FT_RELTIME) return K_REL;
  return K_OTHER;
}

static int kind_of(const pf_operand *o) {
  switch (o->kind) {
    case PF_OPD_COL: return kind_of_type(o->col.c->type);
    case PF_OPD_INT: return K_INT;
    case PF_OPD_DOUBLE: return K_DBL;
    default: return kind_of_type(o->type);
  }
}

static pf_ftype type_of(const pf_operand *o) {
  switch (o->kind) {
    case PF_OPD_COL: return o->col.c->type;
    case PF_OPD_INT: return PF_FT_INT;
    case PF_OPD_DOUBLE: return PF_FT_DOUBLE;
    default: return o->type;
  }
}

static int opd_valid(const pf_operand *o, size_t r) {
  return o->kind != PF_OPD_COL || pf_cell_valid(o->col.c, o->col.off + r);
}

static int64_t opd_int(const pf_operand *o, size_t r) {
  if (o->kind == PF_OPD_COL) return pf_cell_i64(o->col.c, o->col.off + r);
  if (o->kind == PF_OPD_INT) return o->i;
  return o->v.v.i;
}

static double opd_dbl(const pf_operand *o, size_t r) {
  switch (o->kind) {
    case PF_OPD_COL: return num_of(o->col.c, o->col.off + r);
    case PF_OPD_INT: return (double)o->i;
    case PF_OPD_DOUBLE: return o->d;
    default:
      switch (o->type) {
        case PF_FT_DOUBLE: return o->v.v.d;
        case PF_FT_INT: return (double)o->v.v.i;
        case PF_FT_ABSTIME: case PF_FT_RELTIME: return pf_time_to_double(o->v.v.t);
        default: return (double)o->v.v.u;
      }
  }
}

static pf_time opd_time(const pf_operand *o, size_t r) {
  if (o->kind == PF_OPD_COL) return pf_cell_time(o->col.c, o->col.off + r);
  return o->v.v.t;
}

/* Type-specific comparison of the cell r of a with b (same type, both valid). */
static int opd_cmp_same(const pf_operand *a, const pf_operand *b, size_t r, pf_ftype t) {
  pf_val x, y;
  memset(&x, 0, sizeof x);
  memset(&y, 0, sizeof y);
  if (a->kind == PF_OPD_COL && b->kind == PF_OPD_COL)
    return pf_cell_cmp(a->col.c, a->col.off + r, b->col.c, b->col.off + r);
  const pf_operand *side[2] = { a, b };
  pf_val *out[2] = { &x, &y };
  for (int i = 0; i < 2; i++) {
    if (side[i]->kind == PF_OPD_COL) pf_column_get(side[i]->col.c, side[i]->col.off + r, 0, out[i]);
    else *out[i] = side[i]->v;
  }
  switch (t) {
    case PF_FT_IPV4: return memcmp(x.v.a, y.v.a, 4);
    case PF_FT_IPV6: return memcmp(x.v.a, y.v.a, 16);
    case PF_FT_ETHER: return memcmp(x.v.a, y.v.a, 6);
    case PF_FT_STRING: case PF_FT_BYTES: {
      uint32_t m = x.v.s.len < y.v.s.len ? x.v.s.len : y.v.s.len;
      int c = m ? memcmp(x.v.s.p, y.v.s.p, m) : 0;
      if (c) return c;
      return x.v.s.len < y.v.s.len ? -1 : x.v.s.len > y.v.s.len;
    }
    case PF_FT_NONE: return 0;
    default: return 0;
  }
}

/* Python's floor division and modulo on int64, wrapping where Lua wraps. */
static int64_t idiv64(int64_t a, int64_t b) {
  if (b == -1) return (int64_t)(0 - (uint64_t)a);
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) q--;
  return q;
}

static int64_t imod64(int64_t a, int64_t b) {
  if (b == -1) return 0;
  int64_t m = a % b;
  if (m != 0 && ((m < 0) != (b < 0))) m += b;
  return m;
}

static double dmod(double a, double b) {
  double m = fmod(a, b);
  if (m != 0 && ((m < 0) != (b < 0))) m += b;
  return m;
}

pf_column *pf_arith(const pf_ctx *ctx, int op, const pf_operand *a, const pf_operand *b, size_t n,
                    const char *name, int *rc) {
  int ka = kind_of(a), kb = kind_of(b);
  if (ka == K_OTHER || kb == K_OTHER) {
    *rc = PF_TABLE_ETYPE;
    return NULL;
  }
  /* exact time arithmetic */
  int tres = -1;
  if (op == PF_OP_SUB && ka == K_ABS && kb == K_ABS) tres = K_REL;
  else if ((op == PF_OP_ADD || op == PF_OP_SUB) && ka == K_ABS && kb == K_REL) tres = K_ABS;
  else if (op == PF_OP_ADD && ka == K_REL && kb == K_ABS) tres = K_ABS;
  else if ((op == PF_OP_ADD || op == PF_OP_SUB) && ka == K_REL && kb == K_REL) tres = K_REL;
  if (tres >= 0) {
    pf_column *c = pf_result_new(ctx, tres == K_ABS ? PF_FT_ABSTIME : PF_FT_RELTIME, n, name, rc);
    if (c == NULL) return NULL;
    for (size_t r = 0; r < n; r++) {
      if ((r & (PF_POLL_ROWS - 1)) == 0 && pf_ctx_stop(ctx)) return pf_result_fail(c, rc, PF_TABLE_EINTR);
      if (!opd_valid(a, r) || !opd_valid(b, r)) continue;
      pf_time x = opd_time(a, r), y = opd_time(b, r);
      put_time(c, r, ka == K_ABS && kb == K_ABS ? pf_time_delta(x, y)
                     : time_add(x, op == PF_OP_SUB ? time_neg(y) : y));
      pf_column_setvalid(c, r);
    }
    return c;
  }
  if (ka == K_INT && kb == K_INT && op != PF_OP_DIV && op != PF_OP_POW) {
    pf_column *c = pf_result_new(ctx, PF_FT_INT, n, name, rc);
    if (c == NULL) return NULL;
    int64_t *out = (int64_t *)(void *)c->data;
    for (size_t r = 0; r < n; r++) {
      if ((r & (PF_POLL_ROWS - 1)) == 0 && pf_ctx_stop(ctx)) return pf_result_fail(c, rc, PF_TABLE_EINTR);
      if (!opd_valid(a, r) || !opd_valid(b, r)) continue;
      uint64_t x = (uint64_t)opd_int(a, r), y = (uint64_t)opd_int(b, r);
      switch (op) {
        case PF_OP_ADD: out[r] = (int64_t)(x + y); break;
        case PF_OP_SUB: out[r] = (int64_t)(x - y); break;
        case PF_OP_MUL: out[r] = (int64_t)(x * y); break;
        case PF_OP_IDIV: if (y == 0) continue; out[r] = idiv64((int64_t)x, (int64_t)y); break;
        default: if (y == 0) continue; out[r] = imod64((int64_t)x, (int64_t)y); break;
      }
      pf_column_setvalid(c, r);
    }
    return c;
  }
  pf_column *c = pf_result_new(ctx, PF_FT_DOUBLE, n, name, rc);
  if (c == NULL) return NULL;
  double *out = (double *)(void *)c->data;
  for (size_t r = 0; r < n; r++) {
    if ((r & (PF_POLL_ROWS - 1)) == 0 && pf_ctx_stop(ctx)) return pf_result_fail(c, rc, PF_TABLE_EINTR);
    if (!opd_valid(a, r) || !opd_valid(b, r)) continue;
    double x = opd_dbl(a, r), y = opd_dbl(b, r), z;
    switch (op) {
      case PF_OP_ADD: z = x + y; break;
      case PF_OP_SUB: z = x - y; break;
      case PF_OP_MUL: z = x * y; break;
      case PF_OP_DIV: z = x / y; break;
      case PF_OP_IDIV: z = floor(x / y); break;
      case PF_OP_MOD: z = dmod(x, y); break;
      default: z = pow(x, y); break;
    }
    if (isnan(z)) continue;
    out[r] = z;
    pf_column_setvalid(c, r);
  }
  return c;
}

static int cmp_holds(int cmp, int o) {
  switch (cmp) {
    case PF_CMP_EQ: return o == 0;
    case PF_CMP_NE: return o != 0;
    case PF_CMP_LT: return o < 0;
    case PF_CMP_LE: return o <= 0;
    case PF_CMP_GT: return o > 0;
    default: return o >= 0;
  }
}

pf_column *pf_compare(const pf_ctx *ctx, int cmp, const pf_operand *a, const pf_operand *b, size_t n,
                      const char *name, int *rc) {
  int ka = kind_of(a), kb = kind_of(b);
  pf_ftype ta = type_of(a), tb = type_of(b);
  /* how to compare: 0 int, 1 double, 2 time, 3 same-type bytes */
  int how;
  if (ka == K_INT && kb == K_INT) how = 0;
  else if ((ka == K_ABS && kb == K_ABS) || (ka == K_REL && kb == K_REL)) how = 2;
  else if (ka != K_OTHER && kb != K_OTHER && !(ka == K_ABS && kb == K_REL) && !(ka == K_REL && kb == K_ABS)) how = 1;
  else if (ka == K_OTHER && ta == tb) how = 3;
  else {
    *rc = PF_TABLE_ETYPE;
    return NULL;
  }
  pf_column *c = pf_result_new(ctx, PF_FT_BOOL, n, name, rc);
  if (c == NULL) return NULL;
  int64_t *out = (int64_t *)(void *)c->data;
  int unsig_a = ta == PF_FT_UINT || ta == PF_FT_FRAMENUM, unsig_b = tb == PF_FT_UINT || tb == PF_FT_FRAMENUM;
  if (a->kind == PF_OPD_COL && b->kind != PF_OPD_COL && (how == 0 || (how == 1 && ta == PF_FT_DOUBLE))) {
    /* a column against a number: the usual mask, one tight loop */
    const pf_column *ac = a->col.c;
    size_t off = a->col.off;
    int64_t y = how == 0 ? opd_int(b, 0) : 0;
    double yd = opd_dbl(b, 0);
    int ybig = unsig_b && y < 0;   /* a uint above INT64_MAX */
    for (size_t r = 0; r < n; r++) {
      if ((r & (PF_POLL_ROWS - 1)) == 0 && pf_ctx_stop(ctx)) return pf_result_fail(c, rc, PF_TABLE_EINTR);
      int o;
      if (!pf_cell_valid(ac, off + r)) {
        out[r] = cmp == PF_CMP_NE;
      } else {
        if (how == 0) {
          int64_t x = pf_cell_i64(ac, off + r);
          if (unsig_a && x < 0) o = ybig ? cmp_u64((uint64_t)x, (uint64_t)y) : 1;
          else o = ybig ? -1 : (x < y ? -1 : x > y);
        } else {
          double x = pf_cell_f64(ac, off + r);
          o = x < yd ? -1 : x > yd;
          if (isnan(x) || isnan(yd)) o = 2;   /* unordered: only != holds */
        }
        out[r] = o == 2 ? cmp == PF_CMP_NE : cmp_holds(cmp, o);
      }
      pf_column_setvalid(c, r);
    }
    return c;
  }
  for (size_t r = 0; r < n; r++) {
    if ((r & (PF_POLL_ROWS - 1)) == 0 && pf_ctx_stop(ctx)) return pf_result_fail(c, rc, PF_TABLE_EINTR);
    pf_column_setvalid(c, r);
    if (!opd_valid(a, r) || !opd_valid(b, r)) {
      out[r] = cmp == PF_CMP_NE;
      continue;
    }
    int o;
    switch (how) {
      case 0: {
        int64_t x = opd_int(a, r), y = opd_int(b, r);
        /* a uint above INT64_MAX is larger than any int */
        if (unsig_a && x < 0 && !(unsig_b && y < 0)) o = 1;
        else if (unsig_b && y < 0 && !(unsig_a && x < 0)) o = -1;
        else if (unsig_a && unsig_b) o = cmp_u64((uint64_t)x, (uint64_t)y);
        else o = x < y ? -1 : x > y;
        break;
      }
      case 1: {
        double x = opd_dbl(a, r), y = opd_dbl(b, r);
        if (isnan(x) || isnan(y)) { out[r] = cmp == PF_CMP_NE; continue; }
        o = x < y ? -1 : x > y;
        break;
      }
      case 2: {
        pf_time x = opd_time(a, r), y = opd_time(b, r);
        o = x.secs != y.secs ? (x.secs < y.secs ? -1 : 1) : (x.nsecs < y.nsecs ? -1 : x.nsecs > y.nsecs);
        break;
      }
      default: o = opd_cmp_same(a, b, r, ta); break;
    }
    out[r] = cmp_holds(cmp, o);
  }
  return c;
}

static int truth(pf_colref a, size_t r) {
  return pf_cell_valid(a.c, a.off + r) && pf_cell_i64(a.c, a.off + r) != 0;
}

pf_column *pf_logic(const pf_ctx *ctx, char op, pf_colref a, pf_colref b, const char *name, int *rc) {
  if (!pf_type_is_int(a.c->type) || (op != '!' && !pf_type_is_int(b.c->type))) {
    *rc = PF_TABLE_ETYPE;
    return NULL;
  }
  pf_column *c = pf_result_new(ctx, PF_FT_BOOL, a.n, name, rc);
  if (c == NULL) return NULL;
  int64_t *out = (int64_t *)(void *)c->data;
  for (size_t r = 0; r < a.n; r++) {
    if ((r & (PF_POLL_ROWS - 1)) == 0 && pf_ctx_stop(ctx)) return pf_result_fail(c, rc, PF_TABLE_EINTR);
    switch (op) {
      case '&': out[r] = truth(a, r) && truth(b, r); break;
      case '|': out[r] = truth(a, r) || truth(b, r); break;
      default: out[r] = !truth(a, r); break;
    }
    pf_column_setvalid(c, r);
  }
  return c;
}

pf_column *pf_unary(const pf_ctx *ctx, int op, pf_colref a, const char *name, int *rc) {
  pf_ftype t = a.c->type;
  int k = kind_of_type(t);
  if (op == PF_UN_ISNULL || op == PF_UN_NOTNULL) {
    pf_column *c = pf_result_new(ctx, PF_FT_BOOL, a.n, name, rc);
    if (c == NULL) return NULL;
    int64_t *out = (int64_t *)(void *)c->data;
    for (size_t r = 0; r < a.n; r++) {
      out[r] = pf_cell_valid(a.c, a.off + r) == (op == PF_UN_NOTNULL);
      pf_column_setvalid(c, r);
    }
    return c;
  }
  if (k != K_INT && k != K_DBL && k != K_REL) {
    *rc = PF_TABLE_ETYPE;
    return NULL;
  }
  pf_column *c = pf_result_new(ctx, k == K_INT ? PF_FT_INT : t, a.n, name, rc);
  if (c == NULL) return NULL;
  for (size_t r = 0; r < a.n; r++) {
    if ((r & (PF_POLL_ROWS - 1)) == 0 && pf_ctx_stop(ctx)) return pf_result_fail(c, rc, PF_TABLE_EINTR);
    size_t at = a.off + r;
    if (!pf_cell_valid(a.c, at)) continue;
    if (k == K_INT) {
      int64_t x = pf_cell_i64(a.c, at);
      if (t != PF_FT_INT && op == PF_UN_ABS) { /* unsigned: already its own magnitude */ }
      else if (op == PF_UN_NEG || x < 0) x = (int64_t)(0 - (uint64_t)x);
      ((int64_t *)(void *)c->data)[r] = x;
    } else if (k == K_DBL) {
      double x = pf_cell_f64(a.c, at);
      ((double *)(void *)c->data)[r] = op == PF_UN_NEG ? -x : fabs(x);
    } else {
      pf_time x = pf_cell_time(a.c, at);
      put_time(c, r, op == PF_UN_NEG || x.secs < 0 || x.nsecs < 0 ? time_neg(x) : x);
    }
    pf_column_setvalid(c, r);
  }
  return c;
}

/* ---- where ---- */

/* The type a scalar integer i takes beside an integer column of type t: t
   when i is one of t's values, else int. */
static pf_ftype int_scalar_type(int64_t i, pf_ftype t) {
  if (t == PF_FT_INT) return t;
  if (t == PF_FT_BOOL) return i == 0 || i == 1 ? t : PF_FT_INT;
  return i >= 0 ? t : PF_FT_INT;
}

/* The common type of where's sides and the field whose text form it keeps
   (-1: none); 0, or -1 when the sides do not go together. */
static int where_type(const pf_operand *a, const pf_operand *b, pf_ftype *type, int *fid) {
  const pf_operand *side[2] = { a, b };
  pf_ftype t[2];
  int f[2];
  for (int k = 0; k < 2; k++) {
    f[k] = side[k]->kind == PF_OPD_COL ? side[k]->col.c->fid : -1;
    t[k] = side[k]->kind == PF_OPD_NULL ? PF_FT_COUNT_ : type_of(side[k]);
  }
  if (t[0] == PF_FT_COUNT_ && t[1] == PF_FT_COUNT_) return -1;
  /* a scalar integer beside an integer column takes the column's type when it fits */
  for (int k = 0; k < 2; k++) {
    const pf_operand *o = side[k], *other = side[1 - k];
    if (o->kind == PF_OPD_INT && other->kind == PF_OPD_COL && pf_type_is_int(t[1 - k]))
      t[k] = int_scalar_type(o->i, t[1 - k]);
  }
  if (t[0] == PF_FT_COUNT_ || t[1] == PF_FT_COUNT_ || t[0] == t[1]) {
    *type = t[0] == PF_FT_COUNT_ ? t[1] : t[0];
    if (side[0]->kind == PF_OPD_COL && side[1]->kind == PF_OPD_COL)
      /* two columns: a field's text form when both print alike */
      *fid = f[0] == f[1] || (f[0] >= 0 && f[1] >= 0 && pf_fields[f[0]].base == pf_fields[f[1]].base) ? f[0] : -1;
    else
      *fid = side[0]->kind == PF_OPD_COL ? f[0] : f[1];
    if (*fid >= 0 && pf_fields[*fid].type != *type) *fid = -1;
    return 0;
  }
  int ka = kind_of_type(t[0]), kb = kind_of_type(t[1]);
  *fid = -1;
  if (ka == K_INT && kb == K_INT) *type = PF_FT_INT;
  else if ((ka == K_INT || ka == K_DBL) && (kb == K_INT || kb == K_DBL)) *type = PF_FT_DOUBLE;
  else return -1;
  return 0;
}

/* Writes side o's value for row r into row r of c (of the common type);
   nothing for a null. PF_TABLE_OK or ENOMEM. */
static int where_put(pf_column *c, const pf_operand *o, size_t r) {
  if (o->kind == PF_OPD_NULL || !opd_valid(o, r)) return PF_TABLE_OK;
  switch (c->type) {
    case PF_FT_NONE: break;
    case PF_FT_BOOL: case PF_FT_UINT: case PF_FT_INT: case PF_FT_FRAMENUM:
      ((int64_t *)(void *)c->data)[r] = opd_int(o, r);
      break;
    case PF_FT_DOUBLE: ((double *)(void *)c->data)[r] = opd_dbl(o, r); break;
    case PF_FT_ABSTIME: case PF_FT_RELTIME: put_time(c, r, opd_time(o, r)); break;
    case PF_FT_IPV4: case PF_FT_IPV6: case PF_FT_ETHER: {
      size_t w = c->type == PF_FT_IPV4 ? 4 : c->type == PF_FT_IPV6 ? 16 : 6;
      const unsigned char *s = o->kind == PF_OPD_COL ? pf_cell_bytes(o->col.c, o->col.off + r) : o->v.v.a;
      memcpy(c->data + r * c->width, s, w);   /* setlen zeroed the rest of an ether cell */
      break;
    }
    case PF_FT_STRING: case PF_FT_BYTES: {
      if (o->kind == PF_OPD_COL) {
        pf_span sp = pf_cell_span(o->col.c, o->col.off + r);
        return pf_column_setspan(c, r, o->col.c->arena + sp.off, (size_t)sp.len);
      }
      return pf_column_setspan(c, r, o->v.v.s.p, o->v.v.s.len);
    }
    default: return PF_TABLE_OK;
  }
  pf_column_setvalid(c, r);
  return PF_TABLE_OK;
}

pf_column *pf_where(const pf_ctx *ctx, pf_colref m, const pf_operand *a, const pf_operand *b, size_t n,
                    const char *name, int *rc) {
  pf_ftype type;
  int fid;
  if (!pf_type_is_int(m.c->type) || where_type(a, b, &type, &fid) < 0) {
    *rc = PF_TABLE_ETYPE;
    return NULL;
  }
  pf_column *c = pf_column_new(ctx, type, fid, name);
  if (c == NULL || pf_column_setlen(c, n) != PF_TABLE_OK) {
    pf_column_release(c);
    *rc = PF_TABLE_ENOMEM;
    return NULL;
  }
  /* the common case, two columns of the result's fixed-width type, in a tight loop */
  if (a->kind == PF_OPD_COL && b->kind == PF_OPD_COL && a->col.c->type == type && b->col.c->type == type &&
      type != PF_FT_STRING && type != PF_FT_BYTES) {
    size_t w = c->width;
    for (size_t r = 0; r < n; r++) {
      if ((r & (PF_POLL_ROWS - 1)) == 0 && pf_ctx_stop(ctx)) return pf_result_fail(c, rc, PF_TABLE_EINTR);
      const pf_colref *s = truth(m, r) ? &a->col : &b->col;
      size_t sr = s->off + r;
      if (!pf_cell_valid(s->c, sr)) continue;
      switch (w) {   /* constant sizes: a move, not a call */
        case 4: memcpy(c->data + r * 4, s->c->data + sr * 4, 4); break;
        case 8: memcpy(c->data + r * 8, s->c->data + sr * 8, 8); break;
        case 16: memcpy(c->data + r * 16, s->c->data + sr * 16, 16); break;
        default: memcpy(c->data + r * w, s->c->data + sr * w, w); break;
      }
      pf_column_setvalid(c, r);
    }
    *rc = PF_TABLE_OK;
    return c;
  }
  for (size_t r = 0; r < n; r++) {
    if ((r & (PF_POLL_ROWS - 1)) == 0 && pf_ctx_stop(ctx)) return pf_result_fail(c, rc, PF_TABLE_EINTR);
    *rc = where_put(c, truth(m, r) ? a : b, r);
    if (*rc != PF_TABLE_OK) {
      pf_column_release(c);
      return NULL;
    }
  }
  *rc = PF_TABLE_OK;
  return c;
}

/* ---- running values ---- */

size_t pf_shift_row(size_t r, size_t n, long long periods) {
  if (periods >= 0) return (unsigned long long)periods <= r ? r - (size_t)periods : PF_NOROW;
  unsigned long long ahead = 0ULL - (unsigned long long)periods;
  return ahead < n - r ? r + (size_t)ahead : PF_NOROW;
}

pf_column *pf_diff(const pf_ctx *ctx, pf_colref a, const size_t *prev, long long periods, const char *name,
                   int *rc) {
  int k = kind_of_type(a.c->type);
  if (k == K_OTHER) {
    *rc = PF_TABLE_ETYPE;
    return NULL;
  }
  pf_ftype rt = k == K_INT ? PF_FT_INT : k == K_DBL ? PF_FT_DOUBLE : PF_FT_RELTIME;
  pf_column *c = pf_result_new(ctx, rt, a.n, name, rc);
  if (c == NULL) return NULL;
  for (size_t r = 0; r < a.n; r++) {
    if ((r & (PF_POLL_ROWS - 1)) == 0 && pf_ctx_stop(ctx)) return pf_result_fail(c, rc, PF_TABLE_EINTR);
    size_t p = prev ? prev[r] : pf_shift_row(r, a.n, periods);
    if (p == PF_NOROW || !pf_cell_valid(a.c, a.off + r) || !pf_cell_valid(a.c, a.off + p)) continue;
    size_t x = a.off + r, y = a.off + p;
    if (k == K_INT)
      ((int64_t *)(void *)c->data)[r] = (int64_t)((uint64_t)pf_cell_i64(a.c, x) - (uint64_t)pf_cell_i64(a.c, y));
    else if (k == K_DBL)
      ((double *)(void *)c->data)[r] = pf_cell_f64(a.c, x) - pf_cell_f64(a.c, y);
    else
      put_time(c, r, pf_time_delta(pf_cell_time(a.c, x), pf_cell_time(a.c, y)));
    pf_column_setvalid(c, r);
  }
  return c;
}

pf_column *pf_cumsum(const pf_ctx *ctx, pf_colref a, const char *name, int *rc) {
  int k = kind_of_type(a.c->type);
  if (k != K_INT && k != K_DBL && k != K_REL) {
    *rc = PF_TABLE_ETYPE;
    return NULL;
  }
  pf_column *c = pf_result_new(ctx, k == K_INT ? PF_FT_INT : a.c->type, a.n, name, rc);
  if (c == NULL) return NULL;
  uint64_t si = 0;
  double sd = 0;
  pf_time st;
  memset(&st, 0, sizeof st);
  for (size_t r = 0; r < a.n; r++) {
    if ((r & (PF_POLL_ROWS - 1)) == 0 && pf_ctx_stop(ctx)) return pf_result_fail(c, rc, PF_TABLE_EINTR);
    size_t at = a.off + r;
    if (!pf_cell_valid(a.c, at)) continue;
    if (k == K_INT) {
      si += (uint64_t)pf_cell_i64(a.c, at);
      ((int64_t *)(void *)c->data)[r] = (int64_t)si;
    } else if (k == K_DBL) {
      sd += pf_cell_f64(a.c, at);
      ((double *)(void *)c->data)[r] = sd;
    } else {
      st = time_add(st, pf_cell_time(a.c, at));
      put_time(c, r, st);
    }
    pf_column_setvalid(c, r);
  }
  return c;
}

/* numpy's linear interpolation between the two values around quantile q */
static double quantile(const double *v, size_t n, double q) {
  double pos = q * (double)(n - 1);
  size_t lo = (size_t)floor(pos);
  size_t hi = lo + 1 < n ? lo + 1 : lo;
  double t = pos - (double)lo, a = v[lo], b = v[hi], d = b - a;
  return t >= 0.5 ? b - d * (1 - t) : a + d * t;
}

int pf_describe(const pf_ctx *ctx, pf_colref a, double out[8]) {
  int k = kind_of_type(a.c->type);
  if (k == K_OTHER) return PF_TABLE_ETYPE;
  double *v = (double *)pf_arr_new(ctx, a.n, sizeof(double));
  if (v == NULL) return PF_TABLE_ENOMEM;
  size_t m = 0;
  for (size_t r = 0; r < a.n; r++)
    if (pf_cell_valid(a.c, a.off + r)) {
      double x = num_of(a.c, a.off + r);
      if (!isnan(x)) v[m++] = x;
    }
  if (pf_ctx_stop(ctx)) {
    pf_arr_free(ctx, v, a.n, sizeof(double));
    return PF_TABLE_EINTR;
  }
  for (int i = 1; i < 8; i++) out[i] = NAN;
  out[0] = (double)m;
  if (m > 0) {
    double s = 0;
    for (size_t i = 0; i < m; i++) s += v[i];
    double mean = s / (double)m;
    out[1] = mean;
    if (m > 1) {
      double ss = 0;
      for (size_t i = 0; i < m; i++) ss += (v[i] - mean) * (v[i] - mean);
      out[2] = sqrt(ss / (double)(m - 1));
    }
    qsort(v, m, sizeof(double), pf_cmp_double);
    out[3] = v[0];
    out[4] = quantile(v, m, 0.25);
    out[5] = quantile(v, m, 0.5);
    out[6] = quantile(v, m, 0.75);
    out[7] = v[m - 1];
  }
  pf_arr_free(ctx, v, a.n, sizeof(double));
  return PF_TABLE_OK;
}

/* ---- display filters on rows ---- */

/* The first value of (valid) cell at of c into v, as pf_column_get gives it
   but without clearing the rest of v: the filter reads only the value's bytes. */
static void fill_value(const pf_column *c, size_t at, pf_val *v) {
  switch (c->type) {
    case PF_FT_ABSTIME: case PF_FT_RELTIME: v->v.t = pf_cell_time(c, at); break;
    case PF_FT_IPV4: memcpy(v->v.a, pf_cell_bytes(c, at), 4); break;
    case PF_FT_IPV6: memcpy(v->v.a, pf_cell_bytes(c, at), 16); break;
    case PF_FT_ETHER: memcpy(v->v.a, pf_cell_bytes(c, at), 6); break;
    case PF_FT_STRING: case PF_FT_BYTES: {
      pf_span sp = pf_cell_span(c, at);
      v->v.s.p = c->arena ? c->arena + sp.off : (const uint8_t *)"";
      v->v.s.len = (uint32_t)sp.len;
      break;
    }
    case PF_FT_NONE: break;
    default: v->v.u = (uint64_t)pf_cell_i64(c, at); break;
  }
}

pf_column *pf_filter_column(const pf_ctx *ctx, const pf_filter *f, const int *fids, const pf_colref *cols,
                            int nf, size_t n, pf_pkt *p, const char *name, int *rc) {
  pf_column *c = pf_result_new(ctx, PF_FT_BOOL, n, name, rc);
  if (c == NULL) return NULL;
  int64_t *out = (int64_t *)(void *)c->data;
  for (size_t r = 0; r < n; r++) {
    if ((r & (PF_POLL_ROWS - 1)) == 0 && pf_ctx_stop(ctx)) return pf_result_fail(c, rc, PF_TABLE_EINTR);
    p->nvals = 0;
    for (int k = 0; k < nf; k++) p->first[fids[k]] = -1;
    for (int k = 0; k < nf; k++) {
      const pf_column *col = cols[k].c;
      size_t at = cols[k].off + r;
      int fid = fids[k];
      if (col->nmulti == 0) {   /* one value or none: read it in place */
        if (!pf_cell_valid(col, at) || p->nvals >= PF_MAX_VALS) continue;
        int i = p->nvals++;
        pf_val *v = &p->vals[i];
        fill_value(col, at, v);
        v->fid = (uint16_t)fid;
        v->next = -1;
        if (p->first[fid] < 0) p->first[fid] = (int16_t)i;
        else p->vals[p->last[fid]].next = (int16_t)i;
        p->last[fid] = (int16_t)i;
        continue;
      }
      size_t cnt = pf_column_count(col, at);
      for (size_t occ = 0; occ < cnt && p->nvals < PF_MAX_VALS; occ++) {
        int i = p->nvals++;
        pf_val *v = &p->vals[i];
        pf_column_get(col, at, occ, v);
        v->fid = (uint16_t)fid;
        v->next = -1;   /* chained as pf_emit chains a decoder's values */
        if (p->first[fid] < 0) p->first[fid] = (int16_t)i;
        else p->vals[p->last[fid]].next = (int16_t)i;
        p->last[fid] = (int16_t)i;
      }
    }
    out[r] = pf_filter_eval(f, p) != 0;
    pf_column_setvalid(c, r);
  }
  return c;
}

size_t pf_mask_rows(pf_colref m, size_t *rows) {
  size_t k = 0;
  for (size_t r = 0; r < m.n; r++)
    if (pf_cell_valid(m.c, m.off + r) && pf_cell_i64(m.c, m.off + r) != 0) rows[k++] = r;
  return k;
}
