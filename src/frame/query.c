/* query.c: grouped aggregations fed chunk by chunk, for pf.scan: per-group state that merges rows in
   table order, so the results are those of groupby.c over one table holding every row. */
#include "query.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cellhash.h"
#include "frameutil.h"
#include "groupby.h"
#include "verbs.h"

#define MAX_KEYS 64

typedef struct medpair {
  size_t g;
  double v;
} medpair;

/* One aggregation's state. Per group: st (width bytes each: counts, sums,
   Welford's triple), or a row of pick (min, max, first, last: the value
   itself), or (nunique) entries of a set of (group, value), or (median)
   every (group, value) pair in row order. */
typedef struct qagg {
  int col, fn;
  const char *name;
  pf_ftype type;
  unsigned char *st;
  size_t width, stcap;     /* stcap: groups st has room for */
  pf_column *pick;
  size_t live;             /* bytes of pick's arena that current values use */
  pf_time base;            /* first time of the column (abstime): what val_of subtracts */
  int has_base;
  size_t *nslot, nmask;    /* nunique: slot -> entry + 1 */
  pf_column *nval;         /* ... entry values */
  size_t *ngrp;            /* ... entry groups */
  uint64_t *nh;            /* ... entry hashes */
  size_t nn, ncap;
  medpair *med;
  size_t nmed, medcap;
} qagg;

struct pf_query {
  pf_ctx ctx;
  int nkeys;               /* key columns (1 for buckets: their index) */
  int keys[MAX_KEYS];
  pf_column *kcol[MAX_KEYS];   /* per group its key values (first occurrences) */
  int dropna;
  int bcol;                /* bucket mode: the time column, else -1 */
  int64_t interval;
  int origin;
  pf_ftype ttype;          /* the time column's */
  int has_t;
  int forced;              /* org0 given by pf_query_set_origin */
  pf_time org0, tmin, tmax;    /* provisional origin (of the first time), extremes */
  pf_column *bkey;         /* per chunk row: its bucket from org0 */
  size_t *slot, mask;      /* group + 1, 0 for empty */
  uint64_t *gh;            /* per group: hash */
  size_t ng, gcap;
  size_t *gid, gidcap;     /* per chunk row */
  int nspecs;
  qagg *a;
};

static void *q_alloc(pf_query *q, void *p, size_t on, size_t nn) { return pf_ctx_alloc(&q->ctx, p, on, nn); }

static void *arr_grow(pf_query *q, void *p, size_t on, size_t nn, size_t size) {
  return pf_arr_resize(&q->ctx, p, on, nn, size);
}

static void arr_free(pf_query *q, void *p, size_t n, size_t size) { pf_arr_free(&q->ctx, p, n, size); }

/* Stores the first occurrence of cell r of src (valid) in row of dst (of
   src's type, row < dst->n). PF_TABLE_OK or ENOMEM. */
static int copy_cell(pf_column *dst, size_t row, const pf_column *src, size_t r) {
  if (src->type == PF_FT_STRING || src->type == PF_FT_BYTES) {
    pf_span s = pf_cell_span(src, r);
    return pf_column_setspan(dst, row, src->arena + s.off, (size_t)s.len);
  }
  if (dst->width) memcpy(dst->data + row * dst->width, src->data + r * src->width, dst->width);
  pf_column_setvalid(dst, row);
  return PF_TABLE_OK;
}

/* The origin of buckets whose earliest time is t. */
static pf_time origin_of(int origin, pf_time t) {
  pf_time d;
  memset(&d, 0, sizeof d);
  if (origin == PF_ORIGIN_EPOCH) return d;
  if (origin == PF_ORIGIN_START) return t;
  int64_t s = t.secs - (t.nsecs < 0);
  d.secs = pf_floordiv64(s, 86400) * 86400;
  return d;
}

/* Bytes of per-group state of fn over type t. */
static size_t state_width(int fn, pf_ftype t) {
  switch (fn) {
    case PF_AGG_COUNT: case PF_AGG_SIZE: case PF_AGG_NUNIQUE: return 8;
    case PF_AGG_SUM:
      if (pf_type_is_int(t)) return 8;
      if (t == PF_FT_RELTIME) return 16;
      return 24;
    case PF_AGG_MEAN: case PF_AGG_STD: case PF_AGG_VAR: return 24;
    default: return 0;
  }
}

static int is_pick(int fn) { return fn == PF_AGG_MIN || fn == PF_AGG_MAX || fn == PF_AGG_FIRST || fn == PF_AGG_LAST; }

/* ---- the query ---- */

void pf_query_free(pf_query *q) {
  if (q == NULL) return;
  for (int k = 0; k < q->nkeys; k++) pf_column_release(q->kcol[k]);
  pf_column_release(q->bkey);
  arr_free(q, q->slot, q->mask + 1, sizeof(size_t));
  arr_free(q, q->gh, q->gcap, sizeof(uint64_t));
  free(q->gid);
  if (q->a) {
    for (int i = 0; i < q->nspecs; i++) {
      qagg *a = &q->a[i];
      arr_free(q, a->st, a->stcap, a->width ? a->width : 1);
      pf_column_release(a->pick);
      pf_column_release(a->nval);
      arr_free(q, a->nslot, a->nslot ? a->nmask + 1 : 0, sizeof(size_t));
      arr_free(q, a->ngrp, a->ncap, sizeof(size_t));
      arr_free(q, a->nh, a->ncap, sizeof(uint64_t));
      arr_free(q, a->med, a->medcap, sizeof(medpair));
    }
    arr_free(q, q->a, (size_t)q->nspecs, sizeof(qagg));
  }
  pf_ctx ctx = q->ctx;
  pf_ctx_alloc(&ctx, q, sizeof *q, 0);
}

pf_query *pf_query_new(const pf_ctx *ctx, const pf_table *chunk, const int *keys, int nkeys, int dropna,
                       int bucket_col, int64_t interval, int origin, const pf_qspec *specs, int nspecs) {
  if (nkeys > MAX_KEYS || (nkeys == 0 && bucket_col < 0)) return NULL;
  pf_query *q = (pf_query *)pf_ctx_alloc(ctx, NULL, 0, sizeof *q);
  if (q == NULL) return NULL;
  memset(q, 0, sizeof *q);
  q->ctx = *ctx;
  q->dropna = bucket_col >= 0 ? 1 : dropna;
  q->bcol = bucket_col;
  q->interval = interval;
  q->origin = origin;
  q->nspecs = nspecs;
  if (bucket_col >= 0) q->ttype = pf_table_col(chunk, bucket_col)->type;
  q->mask = 255;
  q->gcap = 0;
  q->slot = (size_t *)arr_grow(q, NULL, 0, q->mask + 1, sizeof(size_t));
  q->a = (qagg *)arr_grow(q, NULL, 0, (size_t)(nspecs ? nspecs : 1), sizeof(qagg));
  if (q->a) memset(q->a, 0, sizeof(qagg) * (size_t)(nspecs ? nspecs : 1));   /* what pf_query_free reads */
  if (q->slot == NULL || q->a == NULL) {
    if (q->slot == NULL) q->mask = 0;
    if (q->a == NULL) q->nspecs = 0;
    pf_query_free(q);
    return NULL;
  }
  memset(q->slot, 0, (q->mask + 1) * sizeof(size_t));
  if (bucket_col >= 0) {
    q->nkeys = 1;
    q->keys[0] = -1;
    q->kcol[0] = pf_column_new(ctx, PF_FT_INT, -1, "bucket");
    q->bkey = pf_column_new(ctx, PF_FT_INT, -1, "bucket");
    if (q->kcol[0] == NULL || q->bkey == NULL) goto fail;
  } else {
    q->nkeys = nkeys;
    for (int k = 0; k < nkeys; k++) {
      const pf_column *c = pf_table_col(chunk, keys[k]);
      q->keys[k] = keys[k];
      q->kcol[k] = pf_column_new(ctx, c->type, c->fid, pf_table_colname(chunk, keys[k]));
      if (q->kcol[k] == NULL) goto fail;
    }
  }
  for (int i = 0; i < nspecs; i++) {
    qagg *a = &q->a[i];
    const pf_column *c = pf_table_col(chunk, specs[i].col);
    a->col = specs[i].col;
    a->fn = specs[i].fn;
    a->name = specs[i].name;
    a->type = c->type;
    a->width = state_width(a->fn, a->type);
    if (is_pick(a->fn) && (a->pick = pf_column_new(ctx, c->type, c->fid, specs[i].name)) == NULL) goto fail;
    if (a->fn == PF_AGG_NUNIQUE) {
      a->nmask = 255;
      a->nslot = (size_t *)arr_grow(q, NULL, 0, a->nmask + 1, sizeof(size_t));
      a->nval = pf_column_new(ctx, c->type, c->fid, NULL);
      if (a->nslot == NULL || a->nval == NULL) goto fail;
      memset(a->nslot, 0, (a->nmask + 1) * sizeof(size_t));
    }
  }
  return q;
fail:
  pf_query_free(q);
  return NULL;
}

size_t pf_query_ngroups(const pf_query *q) { return q->ng; }

int pf_query_misplaced(const pf_query *q, pf_time *org) {
  if (q->bcol < 0 || !q->has_t || q->forced) return 0;
  *org = origin_of(q->origin, q->tmin);
  int ok = 1;
  int64_t d = pf_time_ns_since(q->org0, *org, &ok);
  return ok && d % q->interval != 0;
}

void pf_query_set_origin(pf_query *q, pf_time org) {
  q->org0 = org;
  q->forced = 1;
}

/* Room for one more group in every per-group array (each keeps its own
   capacity, so a failure halfway leaves every array consistent). 0 or -1. */
static int grow_groups(pf_query *q) {
  size_t need = q->ng + 1;
  if (need > q->gcap) {
    size_t ncap = q->gcap ? q->gcap * 2 : 64;
    uint64_t *gh = (uint64_t *)arr_grow(q, q->gh, q->gcap, ncap, sizeof(uint64_t));
    if (gh == NULL) return -1;
    q->gh = gh;
    q->gcap = ncap;
  }
  for (int i = 0; i < q->nspecs; i++) {
    qagg *a = &q->a[i];
    if (a->width == 0 || need <= a->stcap) continue;
    size_t ncap = a->stcap ? a->stcap * 2 : 64;
    unsigned char *st = (unsigned char *)arr_grow(q, a->st, a->stcap, ncap, a->width);
    if (st == NULL) return -1;
    memset(st + a->stcap * a->width, 0, (ncap - a->stcap) * a->width);
    a->st = st;
    a->stcap = ncap;
  }
  return 0;
}

static int grow_slots(pf_query *q) {
  size_t nmask = q->mask * 2 + 1;
  size_t *ns = (size_t *)arr_grow(q, NULL, 0, nmask + 1, sizeof(size_t));
  if (ns == NULL) return -1;
  memset(ns, 0, (nmask + 1) * sizeof(size_t));
  for (size_t g = 0; g < q->ng; g++) {
    size_t i = (size_t)q->gh[g] & nmask;
    while (ns[i]) i = (i + 1) & nmask;
    ns[i] = g + 1;
  }
  arr_free(q, q->slot, q->mask + 1, sizeof(size_t));
  q->slot = ns;
  q->mask = nmask;
  return 0;
}

/* A new group for row r of the key columns kc, at empty slot i: its id, or PF_NOROW. */
static size_t add_group(pf_query *q, const pf_column *const *kc, size_t r, uint64_t h, size_t i) {
  if (grow_groups(q) < 0) return PF_NOROW;
  size_t g = q->ng;
  for (int k = 0; k < q->nkeys; k++) {
    if (pf_column_setlen(q->kcol[k], g + 1) != PF_TABLE_OK) return PF_NOROW;
    if (pf_cell_valid(kc[k], r) && copy_cell(q->kcol[k], g, kc[k], r) != PF_TABLE_OK) return PF_NOROW;
  }
  for (int j = 0; j < q->nspecs; j++)
    if (q->a[j].pick && pf_column_setlen(q->a[j].pick, g + 1) != PF_TABLE_OK) return PF_NOROW;
  /* the group exists from here on: a failure below leaves a consistent state */
  q->gh[g] = h;
  q->slot[i] = g + 1;
  q->ng++;
  if (q->ng * 2 > q->mask + 1 && grow_slots(q) < 0) return PF_NOROW;
  return g;
}

/* Each row's bucket from the provisional origin, in q->bkey. */
static int buckets(pf_query *q, const pf_table *chunk, size_t n, size_t *bad_row) {
  pf_column *b = q->bkey;
  b->n = 0;
  if (pf_column_setlen(b, n) != PF_TABLE_OK) return PF_TABLE_ENOMEM;
  memset(b->valid, 0, b->valid_size);
  pf_colref t = pf_table_colref(chunk, q->bcol);
  int64_t *out = (int64_t *)(void *)b->data;
  for (size_t r = 0; r < n; r++) {
    if (!pf_cell_valid(t.c, t.off + r)) continue;
    pf_time x = pf_cell_time(t.c, t.off + r);
    if (!q->has_t) {
      q->has_t = 1;
      if (!q->forced) q->org0 = origin_of(q->origin, x);
      q->tmin = q->tmax = x;
    }
    if (pf_time_cmp(x, q->tmin) < 0) q->tmin = x;
    if (pf_time_cmp(x, q->tmax) > 0) q->tmax = x;
    int ok = 1;
    int64_t ns = pf_time_ns_since(x, q->org0, &ok);
    if (!ok) {
      *bad_row = r;
      return PF_TABLE_ERANGE;
    }
    out[r] = pf_floordiv64(ns, q->interval);
    pf_column_setvalid(b, r);
  }
  return PF_TABLE_OK;
}

/* Inserts (group k, cell r of c) into a's set of distinct pairs, counting new ones. 0 or -1. */
static int nunique_add(pf_query *q, qagg *a, size_t k, const pf_column *c, size_t r) {
  uint64_t h = pf_hash_mix(pf_cell_keyhash(c, r) ^ pf_hash_mix((uint64_t)k + 1));
  size_t i = (size_t)h & a->nmask, s;
  while ((s = a->nslot[i]) != 0) {
    size_t e = s - 1;
    if (a->nh[e] == h && a->ngrp[e] == k && pf_cell_keyeq(a->nval, e, c, r)) return 0;
    i = (i + 1) & a->nmask;
  }
  if (a->nn == a->ncap) {
    size_t ncap = a->ncap ? a->ncap * 2 : 64;
    size_t *ng = (size_t *)arr_grow(q, a->ngrp, a->ncap, ncap, sizeof(size_t));
    if (ng == NULL) return -1;
    a->ngrp = ng;
    uint64_t *nh = (uint64_t *)arr_grow(q, a->nh, a->ncap, ncap, sizeof(uint64_t));
    if (nh == NULL) {
      a->ngrp = (size_t *)q_alloc(q, a->ngrp, ncap * sizeof(size_t), a->ncap * sizeof(size_t));
      return -1;
    }
    a->nh = nh;
    a->ncap = ncap;
  }
  size_t e = a->nn;
  if (pf_column_setlen(a->nval, e + 1) != PF_TABLE_OK || copy_cell(a->nval, e, c, r) != PF_TABLE_OK) return -1;
  a->ngrp[e] = k;
  a->nh[e] = h;
  a->nslot[i] = e + 1;
  a->nn++;
  ((int64_t *)(void *)a->st)[k]++;
  if (a->nn * 2 > a->nmask + 1) {
    size_t nmask = a->nmask * 2 + 1;
    size_t *ns = (size_t *)arr_grow(q, NULL, 0, nmask + 1, sizeof(size_t));
    if (ns == NULL) return -1;   /* the pair is in: the set is only fuller than it likes */
    memset(ns, 0, (nmask + 1) * sizeof(size_t));
    for (size_t x = 0; x < a->nn; x++) {
      size_t j = (size_t)a->nh[x] & nmask;
      while (ns[j]) j = (j + 1) & nmask;
      ns[j] = x + 1;
    }
    arr_free(q, a->nslot, a->nmask + 1, sizeof(size_t));
    a->nslot = ns;
    a->nmask = nmask;
  }
  return 0;
}

/* Sets group k's picked value to cell r of c; compacts the arena of string
   values when most of it holds values since replaced. 0 or -1. */
static int pick_set(pf_query *q, qagg *a, size_t k, const pf_column *c, size_t r) {
  pf_column *p = a->pick;
  int span = p->type == PF_FT_STRING || p->type == PF_FT_BYTES;
  if (span && pf_cell_valid(p, k)) a->live -= (size_t)pf_cell_span(p, k).len;
  if (copy_cell(p, k, c, r) != PF_TABLE_OK) {
    if (span && pf_cell_valid(p, k)) a->live += (size_t)pf_cell_span(p, k).len;
    return -1;
  }
  if (!span) return 0;
  a->live += (size_t)pf_cell_span(p, k).len;
  if (p->arena_len > 2 * a->live + (1u << 20)) {
    pf_colref all = { p, 0, q->ng };
    int rc;
    pf_column *np = pf_column_take_first(&q->ctx, all, NULL, q->ng, NULL, &rc);
    if (np != NULL) {   /* else keep the fragmented one: still correct */
      pf_column_release(p);
      a->pick = np;
    }
  }
  return 0;
}

/* Group k's picked value against cell r of c: 1 when r replaces it. */
static int pick_wins(const qagg *a, const pf_column *c, size_t r, size_t k) {
  const pf_column *p = a->pick;
  if (!pf_cell_valid(p, k) || a->fn == PF_AGG_LAST) return 1;
  if (a->fn == PF_AGG_FIRST) return 0;
  int o;
  switch (c->type) {
    case PF_FT_INT: {
      int64_t x = pf_cell_i64(c, r), y = pf_cell_i64(p, k);
      o = x < y ? -1 : x > y;
      break;
    }
    case PF_FT_DOUBLE: {
      double x = pf_cell_f64(c, r), y = pf_cell_f64(p, k);
      o = x < y ? -1 : x > y;
      break;
    }
    default: o = pf_cell_cmp(c, r, p, k); break;
  }
  return (a->fn == PF_AGG_MIN && o < 0) || (a->fn == PF_AGG_MAX && o > 0);
}

/* Adds rows 0 .. n of c (grouped by q->gid) to a: a loop per kind of
   aggregation, each the update of groupby.c for that kind. PF_NOROW, or the
   row that needed memory the budget refused. */
static size_t add_agg(pf_query *q, qagg *a, const pf_column *c, size_t n) {
  const size_t *gid = q->gid;
  if (c->type == PF_FT_ABSTIME && !a->has_base) {
    for (size_t r = 0; r < n; r++)
      if (pf_cell_valid(c, r)) {
        a->base = pf_cell_time(c, r);
        a->has_base = 1;
        break;
      }
  }
  int fn = a->fn;
  switch (fn) {
    case PF_AGG_SIZE: case PF_AGG_COUNT: {
      int64_t *st = (int64_t *)(void *)a->st;
      for (size_t r = 0; r < n; r++)
        if (gid[r] != PF_NOROW && (fn == PF_AGG_SIZE || pf_cell_valid(c, r))) st[gid[r]]++;
      return PF_NOROW;
    }
    case PF_AGG_NUNIQUE:
      for (size_t r = 0; r < n; r++)
        if (gid[r] != PF_NOROW && !pf_cell_nullkey(c, r) && nunique_add(q, a, gid[r], c, r) < 0) return r;
      return PF_NOROW;
    case PF_AGG_MEDIAN:
      for (size_t r = 0; r < n; r++) {
        size_t k = gid[r];
        if (k == PF_NOROW || !pf_cell_valid(c, r)) continue;
        double v = pf_agg_value(c, r, a->base);
        if (isnan(v)) continue;
        if (a->nmed == a->medcap) {
          size_t ncap = a->medcap ? a->medcap * 2 : 1024;
          medpair *m = (medpair *)arr_grow(q, a->med, a->medcap, ncap, sizeof(medpair));
          if (m == NULL) return r;
          a->med = m;
          a->medcap = ncap;
        }
        a->med[a->nmed].g = k;
        a->med[a->nmed++].v = v;
      }
      return PF_NOROW;
    case PF_AGG_MIN: case PF_AGG_MAX: case PF_AGG_FIRST: case PF_AGG_LAST:
      for (size_t r = 0; r < n; r++) {
        size_t k = gid[r];
        if (k == PF_NOROW || !pf_cell_valid(c, r)) continue;
        if (pick_wins(a, c, r, k) && pick_set(q, a, k, c, r) < 0) return r;
      }
      return PF_NOROW;
    default: break;
  }
  if (fn == PF_AGG_SUM && pf_type_is_int(c->type)) {
    uint64_t *st = (uint64_t *)(void *)a->st;
    for (size_t r = 0; r < n; r++)
      if (gid[r] != PF_NOROW && pf_cell_valid(c, r)) st[gid[r]] += (uint64_t)pf_cell_i64(c, r);
    return PF_NOROW;
  }
  if (fn == PF_AGG_SUM && c->type == PF_FT_RELTIME) {
    /* exact: whole seconds and nanoseconds apart */
    int64_t *acc = (int64_t *)(void *)a->st;
    for (size_t r = 0; r < n; r++) {
      size_t k = gid[r];
      if (k == PF_NOROW || !pf_cell_valid(c, r)) continue;
      pf_time x = pf_cell_time(c, r);
      acc[2 * k] = (int64_t)((uint64_t)acc[2 * k] + (uint64_t)x.secs);
      acc[2 * k + 1] += x.nsecs;
    }
    return PF_NOROW;
  }
  double *st = (double *)(void *)a->st;
  if (fn == PF_AGG_STD || fn == PF_AGG_VAR) {
    for (size_t r = 0; r < n; r++) {   /* Welford: count, mean, sum of squared deviations */
      size_t k = gid[r];
      if (k == PF_NOROW || !pf_cell_valid(c, r)) continue;
      double v = pf_agg_value(c, r, a->base);
      if (isnan(v)) continue;
      double *s = st + 3 * k;
      s[0] += 1;
      double old = s[1];
      s[1] += (v - old) / s[0];
      s[2] += (v - s[1]) * (v - old);
    }
    return PF_NOROW;
  }
  for (size_t r = 0; r < n; r++) {   /* sum, mean: Kahan's sum, compensation, count */
    size_t k = gid[r];
    if (k == PF_NOROW || !pf_cell_valid(c, r)) continue;
    double v = pf_agg_value(c, r, a->base);
    if (isnan(v)) continue;
    double *s = st + 3 * k;
    double y = v - s[1], t = s[0] + y;
    s[1] = t - s[0] - y;
    s[0] = t;
    s[2] += 1;
  }
  return PF_NOROW;
}

int pf_query_add(pf_query *q, const pf_table *chunk, size_t *bad_row) {
  size_t n = pf_table_nrows(chunk);
  *bad_row = PF_NOROW;
  if (n == 0) return PF_TABLE_OK;
  if (pf_ctx_stop(&q->ctx)) return PF_TABLE_EINTR;
  if (n > q->gidcap) {
    /* scratch as long as a chunk, outside the budget: a fixed cost, like the chunk's frame numbers */
    size_t *g = n > (size_t)-1 / sizeof(size_t) ? NULL : (size_t *)realloc(q->gid, n * sizeof(size_t));
    if (g == NULL) return PF_TABLE_ENOMEM;
    q->gid = g;
    q->gidcap = n;
  }
  const pf_column *kc[MAX_KEYS];
  if (q->bcol >= 0) {
    int rc = buckets(q, chunk, n, bad_row);
    if (rc != PF_TABLE_OK) return rc;
    kc[0] = q->bkey;
  } else {
    for (int k = 0; k < q->nkeys; k++) kc[k] = pf_table_col(chunk, q->keys[k]);   /* offsets 0: a fresh table */
  }
  /* each row's group, new groups in order of first appearance */
  for (size_t r = 0; r < n; r++) {
    uint64_t h = PF_HASH_SEED;
    int null = 0;
    for (int k = 0; k < q->nkeys; k++) {
      null |= pf_cell_nullkey(kc[k], r);
      h = PF_HASH_COMBINE(h, pf_cell_keyhash(kc[k], r));
    }
    if (null && q->dropna) {
      q->gid[r] = PF_NOROW;
      continue;
    }
    size_t i = (size_t)h & q->mask, s, g = PF_NOROW;
    while ((s = q->slot[i]) != 0) {
      size_t c = s - 1;
      if (q->gh[c] == h) {
        int eq = 1;
        for (int k = 0; k < q->nkeys && eq; k++) eq = pf_cell_keyeq(q->kcol[k], c, kc[k], r);
        if (eq) {
          g = c;
          break;
        }
      }
      i = (i + 1) & q->mask;
    }
    if (g == PF_NOROW && (g = add_group(q, kc, r, h, i)) == PF_NOROW) {
      *bad_row = r;
      return PF_TABLE_ENOMEM;
    }
    q->gid[r] = g;
  }
  /* each aggregation, rows in order: the same updates as groupby.c's loops */
  for (int j = 0; j < q->nspecs; j++) {
    size_t bad = add_agg(q, &q->a[j], pf_table_col(chunk, q->a[j].col), n);
    if (bad != PF_NOROW) {
      *bad_row = bad;
      return PF_TABLE_ENOMEM;
    }
  }
  return PF_TABLE_OK;
}

/* ---- results ---- */

/* a's column: output row i from group src[i] (PF_NOROW: an empty bucket). */
static pf_column *finish(pf_query *q, qagg *a, const pf_ctx *out, const size_t *src, size_t nout, int *rc) {
  *rc = PF_TABLE_ENOMEM;
  if (is_pick(a->fn)) {
    pf_colref all = { a->pick, 0, q->ng };
    return pf_column_take_first(out, all, src, nout, a->name, rc);
  }
  int abst = a->type == PF_FT_ABSTIME;
  pf_ftype rt;
  switch (a->fn) {
    case PF_AGG_COUNT: case PF_AGG_SIZE: case PF_AGG_NUNIQUE: rt = PF_FT_INT; break;
    case PF_AGG_SUM: rt = pf_type_is_int(a->type) ? PF_FT_INT : a->type == PF_FT_RELTIME ? PF_FT_RELTIME : PF_FT_DOUBLE; break;
    case PF_AGG_MEAN: case PF_AGG_MEDIAN: rt = abst ? PF_FT_ABSTIME : PF_FT_DOUBLE; break;
    default: rt = PF_FT_DOUBLE; break;
  }
  int nrc;
  pf_column *o = pf_result_new(out, rt, nout, a->name, &nrc);
  if (o == NULL) return NULL;
  double *vals = NULL;
  size_t *start = NULL;
  if (a->fn == PF_AGG_MEDIAN) {
    /* the values of each group in row order: a stable counting sort of the pairs */
    start = (size_t *)pf_arr_new(out, q->ng + 1, sizeof(size_t));
    vals = (double *)pf_arr_new(out, 2 * a->nmed, sizeof(double));
    if (start == NULL || vals == NULL) goto oom;
    memset(start, 0, (q->ng + 1) * sizeof(size_t));
    for (size_t i = 0; i < a->nmed; i++) start[a->med[i].g + 1]++;
    for (size_t g = 0; g < q->ng; g++) start[g + 1] += start[g];
    for (size_t i = 0; i < a->nmed; i++) vals[start[a->med[i].g]++] = a->med[i].v;
    for (size_t g = q->ng; g > 0; g--) start[g] = start[g - 1];
    start[0] = 0;
  }
  for (size_t i = 0; i < nout; i++) {
    size_t g = src[i];
    switch (a->fn) {
      case PF_AGG_COUNT: case PF_AGG_SIZE: case PF_AGG_NUNIQUE:
        ((int64_t *)(void *)o->data)[i] = g == PF_NOROW ? 0 : ((int64_t *)(void *)a->st)[g];
        pf_column_setvalid(o, i);
        break;
      case PF_AGG_SUM:
        if (rt == PF_FT_INT) {
          ((int64_t *)(void *)o->data)[i] = g == PF_NOROW ? 0 : ((int64_t *)(void *)a->st)[g];
        } else if (rt == PF_FT_RELTIME) {
          int64_t s = 0, ns = 0;
          if (g != PF_NOROW) {
            const int64_t *acc = (const int64_t *)(const void *)a->st;
            s = (int64_t)((uint64_t)acc[2 * g] + (uint64_t)(acc[2 * g + 1] / NS_PER_S));
            ns = acc[2 * g + 1] % NS_PER_S;
            if (s > 0 && ns < 0) { s--; ns += NS_PER_S; }
            if (s < 0 && ns > 0) { s++; ns -= NS_PER_S; }
          }
          pf_time *d = (pf_time *)(void *)o->data + i;
          d->secs = s;
          d->nsecs = (int32_t)ns;
        } else {
          ((double *)(void *)o->data)[i] = g == PF_NOROW ? 0 : ((double *)(void *)a->st)[3 * g];
        }
        pf_column_setvalid(o, i);
        break;
      case PF_AGG_MEAN: {
        if (g == PF_NOROW) break;
        const double *s = (const double *)(const void *)a->st + 3 * g;
        if (s[2] == 0) break;
        double m = s[0] / s[2];
        if (abst) {
          pf_time tm = pf_time_plus_seconds(a->base, m);
          memcpy((pf_time *)(void *)o->data + i, &tm, sizeof tm);
        } else {
          ((double *)(void *)o->data)[i] = m;
        }
        pf_column_setvalid(o, i);
        break;
      }
      case PF_AGG_STD: case PF_AGG_VAR: {
        if (g == PF_NOROW) break;
        const double *s = (const double *)(const void *)a->st + 3 * g;
        if (s[0] < 2) break;
        double var = s[2] / (s[0] - 1);
        ((double *)(void *)o->data)[i] = a->fn == PF_AGG_STD ? sqrt(var) : var;
        pf_column_setvalid(o, i);
        break;
      }
      default: {   /* median */
        if (g == PF_NOROW) break;
        size_t m = start[g + 1] - start[g];
        if (m == 0) break;
        double *v = vals + a->nmed;   /* scratch after the values */
        if (m > a->nmed) break;
        memcpy(v, vals + start[g], m * sizeof(double));
        qsort(v, m, sizeof(double), pf_cmp_double);
        double med = m % 2 ? v[m / 2] : (v[m / 2 - 1] + v[m / 2]) / 2;
        if (abst) {
          pf_time tm = pf_time_plus_seconds(a->base, med);
          memcpy((pf_time *)(void *)o->data + i, &tm, sizeof tm);
        } else {
          ((double *)(void *)o->data)[i] = med;
        }
        pf_column_setvalid(o, i);
        break;
      }
    }
  }
  pf_arr_free(out, start, q->ng + 1, sizeof(size_t));
  pf_arr_free(out, vals, 2 * a->nmed, sizeof(double));
  *rc = PF_TABLE_OK;
  return o;
oom:
  pf_arr_free(out, start, q->ng + 1, sizeof(size_t));
  pf_arr_free(out, vals, 2 * a->nmed, sizeof(double));
  pf_column_release(o);
  return NULL;
}

int pf_query_result(pf_query *q, const pf_ctx *out, int sort, const char *time_name, size_t max_buckets,
                    pf_column **cols, size_t *nrows, const char **why) {
  size_t ng = q->ng, nout = ng;
  int nk = q->bcol >= 0 ? 1 : q->nkeys;
  int ncols = nk + q->nspecs;
  for (int i = 0; i < ncols; i++) cols[i] = NULL;
  *nrows = 0;
  *why = NULL;
  size_t *perm = (size_t *)pf_arr_new(out, ng, sizeof(size_t));
  size_t *src = NULL;
  int rc = PF_TABLE_ENOMEM, nrc;
  if (perm == NULL) return rc;
  for (size_t g = 0; g < ng; g++) perm[g] = g;
  if ((sort || q->bcol >= 0) && ng > 1) {
    pf_colref kr[MAX_KEYS];
    for (int k = 0; k < q->nkeys; k++) {
      kr[k].c = q->kcol[k];
      kr[k].off = 0;
      kr[k].n = ng;
    }
    rc = pf_sort(out, kr, NULL, q->nkeys, perm, ng);
    if (rc != PF_TABLE_OK) goto done;
  }
  int64_t shift = 0, bmin = 0;
  if (q->bcol >= 0 && ng > 0) {
    /* the origin of the earliest time; the buckets were counted from the first time's */
    pf_time org = origin_of(q->origin, q->tmin);
    int ok = 1;
    int64_t d = pf_time_ns_since(q->org0, org, &ok);
    pf_time_ns_since(q->tmax, org, &ok);
    pf_time_ns_since(q->tmin, org, &ok);
    rc = PF_TABLE_ERANGE;
    if (!ok) {
      *why = "the times are too far apart";
      goto done;
    }
    if (d % q->interval != 0) {
      *why = "a packet's time before the first packet's moves the buckets' origin by a time that is not a whole "
             "number of intervals, which one pass cannot place (use origin = \"epoch\", or pf.read)";
      goto done;
    }
    shift = d / q->interval;
    bmin = pf_cell_i64(q->kcol[0], perm[0]);
    int64_t bmax = pf_cell_i64(q->kcol[0], perm[ng - 1]);
    uint64_t span = (uint64_t)bmax - (uint64_t)bmin + 1;
    if (span > max_buckets) {
      *why = "too many buckets";
      goto done;
    }
    nout = (size_t)span;
    src = (size_t *)pf_arr_new(out, nout, sizeof(size_t));
    rc = PF_TABLE_ENOMEM;
    if (src == NULL) goto done;
    for (size_t i = 0; i < nout; i++) src[i] = PF_NOROW;
    for (size_t g = 0; g < ng; g++) src[pf_cell_i64(q->kcol[0], perm[g]) - bmin] = perm[g];
    cols[0] = pf_result_new(out, q->ttype, nout, time_name, &nrc);
    if (cols[0] == NULL) goto done;
    for (size_t i = 0; i < nout; i++) {
      ((pf_time *)(void *)cols[0]->data)[i] = pf_time_ns_after(org, ((int64_t)i + bmin + shift) * q->interval);
      pf_column_setvalid(cols[0], i);
    }
  } else if (q->bcol >= 0) {
    nout = 0;
    cols[0] = pf_result_new(out, q->ttype, 0, time_name, &nrc);
    if (cols[0] == NULL) goto done;
  } else {
    for (int k = 0; k < q->nkeys; k++) {
      pf_colref kr = { q->kcol[k], 0, ng };
      cols[k] = pf_column_take_first(out, kr, perm, ng, NULL, &rc);
      if (cols[k] == NULL) goto done;
    }
  }
  for (int j = 0; j < q->nspecs; j++) {
    cols[nk + j] = finish(q, &q->a[j], out, src ? src : perm, nout, &rc);
    if (cols[nk + j] == NULL) goto done;
  }
  *nrows = nout;
  rc = PF_TABLE_OK;
done:
  pf_arr_free(out, perm, ng, sizeof(size_t));
  pf_arr_free(out, src, nout, sizeof(size_t));
  if (rc != PF_TABLE_OK)
    for (int i = 0; i < ncols; i++) {
      pf_column_release(cols[i]);
      cols[i] = NULL;
    }
  return rc;
}
