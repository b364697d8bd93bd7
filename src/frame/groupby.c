/* groupby.c: groups of rows by hashed key values (open addressing), aggregations per group, hash joins. */
#include "groupby.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cellhash.h"
#include "frameutil.h"

#include "verbs.h"

const char *const pf_agg_names[PF_AGG_N_ + 1] = {
  "count", "size", "sum", "mean", "min", "max", "first", "last", "nunique", "std", "var", "median", NULL
};

/* ---- hashing rows (cells as cellhash.c hashes them) ---- */

/* Hashes of the keys of rows 0 .. n into h, a key column at a time. */
static void hash_rows(const pf_colref *keys, int nkeys, size_t n, uint64_t *h) {
  for (size_t r = 0; r < n; r++) h[r] = PF_HASH_SEED;
  for (int k = 0; k < nkeys; k++) {
    const pf_column *c = keys[k].c;
    size_t off = keys[k].off;
    for (size_t r = 0; r < n; r++) h[r] = PF_HASH_COMBINE(h[r], pf_cell_keyhash(c, off + r));
  }
}

static int rows_eq(const pf_colref *a, size_t r1, const pf_colref *b, size_t r2, int nkeys) {
  for (int k = 0; k < nkeys; k++)
    if (!pf_cell_keyeq(a[k].c, a[k].off + r1, b[k].c, b[k].off + r2)) return 0;
  return 1;
}

/* ---- a set of distinct keys: group ids by open addressing ---- */

typedef struct kent {
  uint64_t h;            /* the group's hash */
  size_t first;          /* its first row */
} kent;

typedef struct keyset {
  const pf_ctx *ctx;
  const pf_colref *keys;
  int nkeys;
  int words;             /* kent.h holds a one-word key itself, whose hash is mix64 of it */
  size_t unslotted;      /* a group in no slot (the null key's, for words), or PF_NOROW */
  size_t *slot;          /* group + 1, 0 for an empty slot */
  size_t mask;           /* slots - 1 (a power of two) */
  kent *g;               /* per group */
  size_t ng, gcap;
} keyset;

static int ks_init(keyset *ks, const pf_ctx *ctx, const pf_colref *keys, int nkeys) {
  memset(ks, 0, sizeof *ks);
  ks->unslotted = PF_NOROW;
  ks->ctx = ctx;
  ks->keys = keys;
  ks->nkeys = nkeys;
  ks->mask = 1023;
  ks->gcap = 512;
  ks->slot = (size_t *)pf_arr_new(ctx, ks->mask + 1, sizeof(size_t));
  ks->g = (kent *)pf_arr_new(ctx, ks->gcap, sizeof(kent));
  if (ks->slot == NULL || ks->g == NULL) return -1;
  memset(ks->slot, 0, (ks->mask + 1) * sizeof(size_t));
  return 0;
}

static void ks_free(keyset *ks) {
  pf_arr_free(ks->ctx, ks->slot, ks->mask + 1, sizeof(size_t));
  pf_arr_free(ks->ctx, ks->g, ks->gcap, sizeof(kent));
  ks->slot = NULL;
  ks->g = NULL;
}

/* Doubles the slots (keeping the load under a half). 0 or -1. */
static int ks_grow(keyset *ks) {
  size_t nmask = ks->mask * 2 + 1;
  size_t *ns = (size_t *)pf_arr_new(ks->ctx, nmask + 1, sizeof(size_t));
  if (ns == NULL) return -1;
  memset(ns, 0, (nmask + 1) * sizeof(size_t));
  for (size_t g = 0; g < ks->ng; g++) {
    if (g == ks->unslotted) continue;
    size_t i = (size_t)(ks->words ? pf_hash_mix(ks->g[g].h) : ks->g[g].h) & nmask;
    while (ns[i]) i = (i + 1) & nmask;
    ns[i] = g + 1;
  }
  pf_arr_free(ks->ctx, ks->slot, ks->mask + 1, sizeof(size_t));
  ks->slot = ns;
  ks->mask = nmask;
  return 0;
}

/* A new group of first row r and hash h, in no slot yet: its id, or
   PF_NOROW when out of memory. */
static size_t ks_push(keyset *ks, size_t r, uint64_t h) {
  if (ks->ng == ks->gcap) {
    kent *ng = (kent *)pf_arr_resize(ks->ctx, ks->g, ks->gcap, ks->gcap * 2, sizeof(kent));
    if (ng == NULL) return PF_NOROW;
    ks->g = ng;
    ks->gcap *= 2;
  }
  size_t g = ks->ng++;
  ks->g[g].h = h;
  ks->g[g].first = r;
  return g;
}

/* Adds a group of first row r and hash h at empty slot i: its id, or PF_NOROW
   when out of memory. */
static size_t ks_add(keyset *ks, size_t i, size_t r, uint64_t h) {
  size_t g = ks_push(ks, r, h);
  if (g == PF_NOROW) return PF_NOROW;
  ks->slot[i] = g + 1;
  if (ks->ng * 2 > ks->mask + 1 && ks_grow(ks) < 0) return PF_NOROW;
  return g;
}

/* The group of row r (hash h) of the keyset's own keys, added when new:
   its id, or PF_NOROW when out of memory. */
static size_t ks_insert(keyset *ks, size_t r, uint64_t h) {
  size_t i = (size_t)h & ks->mask, s;
  while ((s = ks->slot[i]) != 0) {
    size_t g = s - 1;
    if (ks->g[g].h == h && rows_eq(ks->keys, ks->g[g].first, ks->keys, r, ks->nkeys)) return g;
    i = (i + 1) & ks->mask;
  }
  return ks_add(ks, i, r, h);
}

/* The group whose keys equal row r (hash h) of other, or PF_NOROW. */
static size_t ks_find(const keyset *ks, const pf_colref *other, size_t r, uint64_t h) {
  size_t i = (size_t)h & ks->mask, s;
  while ((s = ks->slot[i]) != 0) {
    size_t g = s - 1;
    if (ks->g[g].h == h && rows_eq(ks->keys, ks->g[g].first, other, r, ks->nkeys)) return g;
    i = (i + 1) & ks->mask;
  }
  return PF_NOROW;
}

/* Types whose values fit a word that equal values share. */
static int word_type(pf_ftype t) {
  return pf_type_is_int(t) || t == PF_FT_DOUBLE || t == PF_FT_IPV4 || t == PF_FT_ETHER;
}

static uint64_t word_of(const pf_column *c, size_t r) {
  switch (c->type) {
    case PF_FT_DOUBLE: {
      double d = pf_cell_f64(c, r);
      uint64_t u;
      if (d == 0) d = 0;   /* -0.0 and 0.0 are one key */
      memcpy(&u, &d, 8);
      return u;
    }
    case PF_FT_IPV4: {
      uint32_t u;
      memcpy(&u, pf_cell_bytes(c, r), 4);
      return u;
    }
    case PF_FT_ETHER: {
      uint64_t u;
      memcpy(&u, pf_cell_bytes(c, r), 8);
      return u;
    }
    default: return (uint64_t)pf_cell_i64(c, r);
  }
}

static int any_null(const pf_colref *keys, int nkeys, size_t r) {
  for (int k = 0; k < nkeys; k++)
    if (pf_cell_nullkey(keys[k].c, keys[k].off + r)) return 1;
  return 0;
}

/* ---- groups ---- */

void pf_groups_free(pf_groups *g) {
  const pf_ctx *ctx = &g->ctx;
  pf_arr_free(ctx, g->gid, g->nrows, sizeof(size_t));
  pf_arr_free(ctx, g->first, g->ngroups, sizeof(size_t));
  pf_arr_free(ctx, g->start, g->ngroups + 1, sizeof(size_t));
  pf_arr_free(ctx, g->rows, g->nrows, sizeof(size_t));
  pf_ctx keep = g->ctx;
  memset(g, 0, sizeof *g);
  g->ctx = keep;
}

static void groups_init(pf_groups *g, const pf_ctx *ctx, size_t n) {
  memset(g, 0, sizeof *g);
  if (ctx) g->ctx = *ctx;
  g->nrows = n;
}

int pf_groups_all(const pf_ctx *ctx, size_t n, pf_groups *g) {
  groups_init(g, ctx, n);
  g->ngroups = n > 0;
  g->gid = (size_t *)pf_arr_new(ctx, n, sizeof(size_t));
  g->first = (size_t *)pf_arr_new(ctx, g->ngroups, sizeof(size_t));
  if (g->gid == NULL || g->first == NULL) {
    pf_groups_free(g);
    return PF_TABLE_ENOMEM;
  }
  for (size_t r = 0; r < n; r++) g->gid[r] = 0;
  g->first[0] = 0;
  return PF_TABLE_OK;
}

int pf_groups_make(const pf_ctx *ctx, const pf_colref *keys, int nkeys, int dropna, int sort, pf_groups *g) {
  size_t n = nkeys > 0 ? keys[0].n : 0;
  groups_init(g, ctx, n);
  keyset ks;
  int words = nkeys == 1 && word_type(keys[0].c->type);
  uint64_t *h = words ? NULL : (uint64_t *)pf_arr_new(ctx, n, sizeof(uint64_t));
  g->gid = (size_t *)pf_arr_new(ctx, n, sizeof(size_t));
  int rc = PF_TABLE_ENOMEM;
  if (ks_init(&ks, ctx, keys, nkeys) < 0 || (!words && h == NULL) || g->gid == NULL) goto done;
  if (words) {
    /* one key of one word (numbers, IPv4 and MAC addresses): compare the words themselves */
    const pf_column *c = keys[0].c;
    size_t off = keys[0].off, nullg = PF_NOROW;
    ks.words = 1;
    for (size_t r = 0; r < n; r++) {
      if ((r & (PF_POLL_ROWS - 1)) == 0 && pf_ctx_stop(ctx)) { rc = PF_TABLE_EINTR; goto done; }
      if (pf_cell_nullkey(c, off + r)) {   /* the nulls' (and NaNs') group is no word: it stays out of the slots */
        if (!dropna && nullg == PF_NOROW && (ks.unslotted = nullg = ks_push(&ks, r, 0)) == PF_NOROW) goto done;
        g->gid[r] = dropna ? PF_NOROW : nullg;
        continue;
      }
      uint64_t w = word_of(c, off + r);
      size_t i = (size_t)pf_hash_mix(w) & ks.mask, sl, id = PF_NOROW;
      while ((sl = ks.slot[i]) != 0) {
        if (ks.g[sl - 1].h == w) {
          id = sl - 1;
          break;
        }
        i = (i + 1) & ks.mask;
      }
      if (id == PF_NOROW && (id = ks_add(&ks, i, r, w)) == PF_NOROW) goto done;
      g->gid[r] = id;
    }
  } else {
    hash_rows(keys, nkeys, n, h);
    for (size_t r = 0; r < n; r++) {
      if ((r & (PF_POLL_ROWS - 1)) == 0 && pf_ctx_stop(ctx)) { rc = PF_TABLE_EINTR; goto done; }
      if (dropna && any_null(keys, nkeys, r)) {
        g->gid[r] = PF_NOROW;
        continue;
      }
      size_t id = ks_insert(&ks, r, h[r]);
      if (id == PF_NOROW) goto done;
      g->gid[r] = id;
    }
  }
  g->first = (size_t *)pf_arr_new(ctx, ks.ng, sizeof(size_t));
  if (g->first == NULL) goto done;
  g->ngroups = ks.ng;
  for (size_t k = 0; k < ks.ng; k++) g->first[k] = ks.g[k].first;
  if (sort && g->ngroups > 1) {
    /* sort the first rows by their keys, then renumber the groups in that order */
    size_t ng = g->ngroups;
    size_t *perm = (size_t *)pf_arr_new(ctx, ng, sizeof(size_t));
    size_t *newid = (size_t *)pf_arr_new(ctx, ng, sizeof(size_t));
    if (perm && newid) {
      memcpy(perm, g->first, ng * sizeof(size_t));
      rc = pf_sort(ctx, keys, NULL, nkeys, perm, ng);
      if (rc == PF_TABLE_OK) {
        for (size_t k = 0; k < ng; k++) newid[g->gid[perm[k]]] = k;
        for (size_t r = 0; r < n; r++)
          if (g->gid[r] != PF_NOROW) g->gid[r] = newid[g->gid[r]];
        memcpy(g->first, perm, ng * sizeof(size_t));
      }
    }
    pf_arr_free(ctx, perm, ng, sizeof(size_t));
    pf_arr_free(ctx, newid, ng, sizeof(size_t));
    if (perm == NULL || newid == NULL) rc = PF_TABLE_ENOMEM;
    if (rc != PF_TABLE_OK) goto done;
  }
  rc = PF_TABLE_OK;
done:
  ks_free(&ks);
  pf_arr_free(ctx, h, n, sizeof(uint64_t));
  if (rc != PF_TABLE_OK) pf_groups_free(g);
  return rc;
}

int pf_groups_index(pf_groups *g) {
  if (g->start) return PF_TABLE_OK;
  const pf_ctx *ctx = &g->ctx;
  size_t ng = g->ngroups;
  g->start = (size_t *)pf_arr_new(ctx, ng + 1, sizeof(size_t));
  g->rows = (size_t *)pf_arr_new(ctx, g->nrows, sizeof(size_t));
  if (g->start == NULL || g->rows == NULL) {
    pf_arr_free(ctx, g->start, ng + 1, sizeof(size_t));
    pf_arr_free(ctx, g->rows, g->nrows, sizeof(size_t));
    g->start = g->rows = NULL;
    return PF_TABLE_ENOMEM;
  }
  memset(g->start, 0, (ng + 1) * sizeof(size_t));
  for (size_t r = 0; r < g->nrows; r++)
    if (g->gid[r] != PF_NOROW) g->start[g->gid[r] + 1]++;
  for (size_t k = 0; k < ng; k++) g->start[k + 1] += g->start[k];
  /* fill with start[] as moving cursors, then shift them back */
  for (size_t r = 0; r < g->nrows; r++)
    if (g->gid[r] != PF_NOROW) g->rows[g->start[g->gid[r]]++] = r;
  for (size_t k = ng; k > 0; k--) g->start[k] = g->start[k - 1];
  g->start[0] = 0;
  return PF_TABLE_OK;
}

int pf_groups_prev(pf_groups *g, long long periods, size_t *prev) {
  int rc = pf_groups_index(g);
  if (rc != PF_TABLE_OK) return rc;
  for (size_t r = 0; r < g->nrows; r++) prev[r] = PF_NOROW;
  for (size_t k = 0; k < g->ngroups; k++) {
    size_t s = g->start[k], m = g->start[k + 1] - s;
    for (size_t i = 0; i < m; i++) {
      size_t p = pf_shift_row(i, m, periods);
      if (p != PF_NOROW) prev[g->rows[s + i]] = g->rows[s + p];
    }
  }
  return PF_TABLE_OK;
}

/* ---- aggregations ---- */

int pf_agg_supports(int fn, pf_ftype t) {
  switch (fn) {
    case PF_AGG_SUM: return pf_type_is_int(t) || t == PF_FT_DOUBLE || t == PF_FT_RELTIME;
    case PF_AGG_MEAN: case PF_AGG_MEDIAN: case PF_AGG_STD: case PF_AGG_VAR:
      return pf_type_is_int(t) || t == PF_FT_DOUBLE || pf_type_is_time(t);
    default: return fn >= 0 && fn < PF_AGG_N_;
  }
}

/* Cell r as a double: seconds since base for an abstime (keeping precision
   when the times are close together), seconds for a reltime. */
double pf_agg_value(const pf_column *c, size_t r, pf_time base) {
  switch (c->type) {
    case PF_FT_INT: return (double)pf_cell_i64(c, r);
    case PF_FT_UINT: case PF_FT_BOOL: case PF_FT_FRAMENUM: return (double)(uint64_t)pf_cell_i64(c, r);
    case PF_FT_DOUBLE: return pf_cell_f64(c, r);
    case PF_FT_ABSTIME: return pf_time_to_double(pf_time_delta(pf_cell_time(c, r), base));
    case PF_FT_RELTIME: return pf_time_to_double(pf_cell_time(c, r));
    default: return 0;
  }
}

static pf_time first_time(pf_colref col) {
  pf_time z;
  memset(&z, 0, sizeof z);
  if (col.c->type != PF_FT_ABSTIME) return z;
  for (size_t r = 0; r < col.n; r++)
    if (pf_cell_valid(col.c, col.off + r)) return pf_cell_time(col.c, col.off + r);
  return z;
}

#define POLL(r) if (((r) & (PF_POLL_ROWS - 1)) == 0 && pf_ctx_stop(ctx)) goto stop

/* count, size, nunique: integer results, never null */
static pf_column *agg_counts(const pf_ctx *ctx, pf_groups *g, pf_colref col, int fn, const char *name, int *rc) {
  size_t ng = g->ngroups;
  pf_column *c = pf_result_new(ctx, PF_FT_INT, ng, name, rc);
  if (c == NULL) return NULL;
  int64_t *out = (int64_t *)(void *)c->data;
  for (size_t k = 0; k < ng; k++) pf_column_setvalid(c, k);
  if (fn != PF_AGG_NUNIQUE) {
    for (size_t r = 0; r < g->nrows; r++) {
      POLL(r);
      size_t k = g->gid[r];
      if (k != PF_NOROW && (fn == PF_AGG_SIZE || pf_cell_valid(col.c, col.off + r))) out[k]++;
    }
    return c;
  }
  /* distinct (group, value) pairs: a set of rows keyed by both */
  {
    pf_colref key = col;
    keyset ks;
    if (ks_init(&ks, ctx, &key, 1) < 0) {
      ks_free(&ks);
      return pf_result_fail(c, rc, PF_TABLE_ENOMEM);
    }
    for (size_t r = 0; r < g->nrows; r++) {
      if ((r & (PF_POLL_ROWS - 1)) == 0 && pf_ctx_stop(ctx)) {
        ks_free(&ks);
        goto stop;
      }
      size_t k = g->gid[r];
      if (k == PF_NOROW || pf_cell_nullkey(col.c, col.off + r)) continue;   /* NaN is no value, as pandas' nunique */
      uint64_t h = pf_hash_mix(pf_cell_keyhash(col.c, col.off + r) ^ pf_hash_mix((uint64_t)k + 1));
      size_t i = (size_t)h & ks.mask, s;
      int found = 0;
      while ((s = ks.slot[i]) != 0) {
        const kent *e = &ks.g[s - 1];
        if (e->h == h && g->gid[e->first] == k && pf_cell_keyeq(col.c, col.off + e->first, col.c, col.off + r)) {
          found = 1;
          break;
        }
        i = (i + 1) & ks.mask;
      }
      if (found) continue;
      /* a new (group, value) pair: ks_insert would compare by value alone */
      if (ks_add(&ks, i, r, h) == PF_NOROW) {
        ks_free(&ks);
        return pf_result_fail(c, rc, PF_TABLE_ENOMEM);
      }
      out[k]++;
    }
    ks_free(&ks);
  }
  return c;
stop:
  return pf_result_fail(c, rc, PF_TABLE_EINTR);
}

/* min, max, first, last: a row per group, then those rows of col */
static pf_column *agg_pick(const pf_ctx *ctx, pf_groups *g, pf_colref col, int fn, const char *name, int *rc) {
  size_t ng = g->ngroups;
  size_t *sel = (size_t *)pf_arr_new(ctx, ng, sizeof(size_t));
  if (sel == NULL) {
    *rc = PF_TABLE_ENOMEM;
    return NULL;
  }
  for (size_t k = 0; k < ng; k++) sel[k] = PF_NOROW;
  const pf_column *c = col.c;
  int fast_int = c->type == PF_FT_INT, fast_dbl = c->type == PF_FT_DOUBLE;
  for (size_t r = 0; r < g->nrows; r++) {
    if ((r & (PF_POLL_ROWS - 1)) == 0 && pf_ctx_stop(ctx)) {
      pf_arr_free(ctx, sel, ng, sizeof(size_t));
      *rc = PF_TABLE_EINTR;
      return NULL;
    }
    size_t k = g->gid[r], at = col.off + r;
    if (k == PF_NOROW || !pf_cell_valid(c, at)) continue;
    size_t cur = sel[k];
    if (cur == PF_NOROW || fn == PF_AGG_LAST) {
      if (fn != PF_AGG_FIRST || cur == PF_NOROW) sel[k] = r;
      continue;
    }
    if (fn == PF_AGG_FIRST) continue;
    int o;
    if (fast_int) {
      int64_t x = pf_cell_i64(c, at), y = pf_cell_i64(c, col.off + cur);
      o = x < y ? -1 : x > y;
    } else if (fast_dbl) {
      double x = pf_cell_f64(c, at), y = pf_cell_f64(c, col.off + cur);
      o = x < y ? -1 : x > y;
    } else {
      o = pf_cell_cmp(c, at, c, col.off + cur);
    }
    if ((fn == PF_AGG_MIN && o < 0) || (fn == PF_AGG_MAX && o > 0)) sel[k] = r;
  }
  pf_column *out = pf_column_take_first(ctx, col, sel, ng, name, rc);
  pf_arr_free(ctx, sel, ng, sizeof(size_t));
  return out;
}

static pf_column *agg_sum_mean(const pf_ctx *ctx, pf_groups *g, pf_colref col, int fn, const char *name,
                               int *rc) {
  size_t ng = g->ngroups;
  const pf_column *c = col.c;
  pf_ftype t = c->type;
  if (fn == PF_AGG_SUM && pf_type_is_int(t)) {
    pf_column *o = pf_result_new(ctx, PF_FT_INT, ng, name, rc);
    if (o == NULL) return NULL;
    uint64_t *out = (uint64_t *)(void *)o->data;
    for (size_t k = 0; k < ng; k++) pf_column_setvalid(o, k);
    for (size_t r = 0; r < g->nrows; r++) {
      if ((r & (PF_POLL_ROWS - 1)) == 0 && pf_ctx_stop(ctx)) return pf_result_fail(o, rc, PF_TABLE_EINTR);
      size_t k = g->gid[r];
      if (k != PF_NOROW && pf_cell_valid(c, col.off + r)) out[k] += (uint64_t)pf_cell_i64(c, col.off + r);
    }
    return o;
  }
  if (fn == PF_AGG_SUM && t == PF_FT_RELTIME) {
    /* exact: whole seconds and nanoseconds apart (1e16 ns of headroom per 1e7 rows) */
    pf_column *o = pf_result_new(ctx, PF_FT_RELTIME, ng, name, rc);
    int64_t *acc = (int64_t *)pf_arr_new(ctx, 2 * ng, sizeof(int64_t));
    if (o == NULL || acc == NULL) {
      pf_arr_free(ctx, acc, 2 * ng, sizeof(int64_t));
      return pf_result_fail(o, rc, PF_TABLE_ENOMEM);
    }
    memset(acc, 0, 2 * ng * sizeof(int64_t));
    for (size_t r = 0; r < g->nrows; r++) {
      if ((r & (PF_POLL_ROWS - 1)) == 0 && pf_ctx_stop(ctx)) {
        pf_arr_free(ctx, acc, 2 * ng, sizeof(int64_t));
        return pf_result_fail(o, rc, PF_TABLE_EINTR);
      }
      size_t k = g->gid[r];
      if (k == PF_NOROW || !pf_cell_valid(c, col.off + r)) continue;
      pf_time x = pf_cell_time(c, col.off + r);
      acc[2 * k] = (int64_t)((uint64_t)acc[2 * k] + (uint64_t)x.secs);
      acc[2 * k + 1] += x.nsecs;
    }
    for (size_t k = 0; k < ng; k++) {
      int64_t s = (int64_t)((uint64_t)acc[2 * k] + (uint64_t)(acc[2 * k + 1] / NS_PER_S));
      int64_t ns = acc[2 * k + 1] % NS_PER_S;
      if (s > 0 && ns < 0) { s--; ns += NS_PER_S; }
      if (s < 0 && ns > 0) { s++; ns -= NS_PER_S; }
      pf_time *d = (pf_time *)(void *)o->data + k;
      d->secs = s;
      d->nsecs = (int32_t)ns;
      pf_column_setvalid(o, k);
    }
    pf_arr_free(ctx, acc, 2 * ng, sizeof(int64_t));
    return o;
  }
  /* doubles: Kahan-compensated sums per group, as pandas' group_add and group_mean */
  int abst = t == PF_FT_ABSTIME;
  pf_column *o = pf_result_new(ctx, abst ? PF_FT_ABSTIME : PF_FT_DOUBLE, ng, name, rc);
  double *acc = (double *)pf_arr_new(ctx, 3 * ng, sizeof(double));
  if (o == NULL || acc == NULL) {
    pf_arr_free(ctx, acc, 3 * ng, sizeof(double));
    return pf_result_fail(o, rc, PF_TABLE_ENOMEM);
  }
  memset(acc, 0, 3 * ng * sizeof(double));
  pf_time base = first_time(col);
  for (size_t r = 0; r < g->nrows; r++) {
    if ((r & (PF_POLL_ROWS - 1)) == 0 && pf_ctx_stop(ctx)) {
      pf_arr_free(ctx, acc, 3 * ng, sizeof(double));
      return pf_result_fail(o, rc, PF_TABLE_EINTR);
    }
    size_t k = g->gid[r];
    if (k == PF_NOROW || !pf_cell_valid(c, col.off + r)) continue;
    double v = pf_agg_value(c, col.off + r, base);
    if (isnan(v)) continue;
    double *a = acc + 3 * k;   /* sum, compensation, count */
    double y = v - a[1], s = a[0] + y;
    a[1] = s - a[0] - y;
    a[0] = s;
    a[2] += 1;
  }
  for (size_t k = 0; k < ng; k++) {
    double *a = acc + 3 * k;
    if (fn == PF_AGG_SUM) {
      ((double *)(void *)o->data)[k] = a[0];
    } else {
      if (a[2] == 0) continue;
      double m = a[0] / a[2];
      if (abst) {
        pf_time tm = pf_time_plus_seconds(base, m);
        memcpy((pf_time *)(void *)o->data + k, &tm, sizeof tm);
      } else {
        ((double *)(void *)o->data)[k] = m;
      }
    }
    pf_column_setvalid(o, k);
  }
  pf_arr_free(ctx, acc, 3 * ng, sizeof(double));
  return o;
}

/* std, var: Welford's updates, as pandas' group_var */
static pf_column *agg_var(const pf_ctx *ctx, pf_groups *g, pf_colref col, int fn, const char *name, int *rc) {
  size_t ng = g->ngroups;
  pf_column *o = pf_result_new(ctx, PF_FT_DOUBLE, ng, name, rc);
  double *acc = (double *)pf_arr_new(ctx, 3 * ng, sizeof(double));
  if (o == NULL || acc == NULL) {
    pf_arr_free(ctx, acc, 3 * ng, sizeof(double));
    return pf_result_fail(o, rc, PF_TABLE_ENOMEM);
  }
  memset(acc, 0, 3 * ng * sizeof(double));
  pf_time base = first_time(col);
  for (size_t r = 0; r < g->nrows; r++) {
    if ((r & (PF_POLL_ROWS - 1)) == 0 && pf_ctx_stop(ctx)) {
      pf_arr_free(ctx, acc, 3 * ng, sizeof(double));
      return pf_result_fail(o, rc, PF_TABLE_EINTR);
    }
    size_t k = g->gid[r];
    if (k == PF_NOROW || !pf_cell_valid(col.c, col.off + r)) continue;
    double v = pf_agg_value(col.c, col.off + r, base);
    if (isnan(v)) continue;
    double *a = acc + 3 * k;   /* count, mean, sum of squared deviations */
    a[0] += 1;
    double old = a[1];
    a[1] += (v - old) / a[0];
    a[2] += (v - a[1]) * (v - old);
  }
  for (size_t k = 0; k < ng; k++) {
    double *a = acc + 3 * k;
    if (a[0] < 2) continue;
    double var = a[2] / (a[0] - 1);
    ((double *)(void *)o->data)[k] = fn == PF_AGG_STD ? sqrt(var) : var;
    pf_column_setvalid(o, k);
  }
  pf_arr_free(ctx, acc, 3 * ng, sizeof(double));
  return o;
}

static pf_column *agg_median(const pf_ctx *ctx, pf_groups *g, pf_colref col, const char *name, int *rc) {
  size_t ng = g->ngroups;
  if (pf_groups_index(g) != PF_TABLE_OK) {
    *rc = PF_TABLE_ENOMEM;
    return NULL;
  }
  size_t most = 0;
  for (size_t k = 0; k < ng; k++)
    if (g->start[k + 1] - g->start[k] > most) most = g->start[k + 1] - g->start[k];
  int abst = col.c->type == PF_FT_ABSTIME;
  pf_column *o = pf_result_new(ctx, abst ? PF_FT_ABSTIME : PF_FT_DOUBLE, ng, name, rc);
  double *v = (double *)pf_arr_new(ctx, most, sizeof(double));
  if (o == NULL || v == NULL) {
    pf_arr_free(ctx, v, most, sizeof(double));
    return pf_result_fail(o, rc, PF_TABLE_ENOMEM);
  }
  pf_time base = first_time(col);
  for (size_t k = 0; k < ng; k++) {
    if ((k & 1023) == 0 && pf_ctx_stop(ctx)) {
      pf_arr_free(ctx, v, most, sizeof(double));
      return pf_result_fail(o, rc, PF_TABLE_EINTR);
    }
    size_t m = 0;
    for (size_t i = g->start[k]; i < g->start[k + 1]; i++) {
      size_t at = col.off + g->rows[i];
      if (!pf_cell_valid(col.c, at)) continue;
      double x = pf_agg_value(col.c, at, base);
      if (!isnan(x)) v[m++] = x;
    }
    if (m == 0) continue;
    qsort(v, m, sizeof(double), pf_cmp_double);
    double med = m % 2 ? v[m / 2] : (v[m / 2 - 1] + v[m / 2]) / 2;
    if (abst) {
      pf_time tm = pf_time_plus_seconds(base, med);
      memcpy((pf_time *)(void *)o->data + k, &tm, sizeof tm);
    } else {
      ((double *)(void *)o->data)[k] = med;
    }
    pf_column_setvalid(o, k);
  }
  pf_arr_free(ctx, v, most, sizeof(double));
  return o;
}

pf_column *pf_agg(const pf_ctx *ctx, pf_groups *g, pf_colref col, int fn, const char *name, int *rc) {
  if (!pf_agg_supports(fn, col.c->type)) {
    *rc = PF_TABLE_ETYPE;
    return NULL;
  }
  switch (fn) {
    case PF_AGG_COUNT: case PF_AGG_SIZE: case PF_AGG_NUNIQUE: return agg_counts(ctx, g, col, fn, name, rc);
    case PF_AGG_MIN: case PF_AGG_MAX: case PF_AGG_FIRST: case PF_AGG_LAST: return agg_pick(ctx, g, col, fn, name, rc);
    case PF_AGG_SUM: case PF_AGG_MEAN: return agg_sum_mean(ctx, g, col, fn, name, rc);
    case PF_AGG_STD: case PF_AGG_VAR: return agg_var(ctx, g, col, fn, name, rc);
    default: return agg_median(ctx, g, col, name, rc);
  }
}

/* ---- value_counts ---- */

int pf_value_counts_finish(const pf_ctx *ctx, pf_colref key, const size_t *keyrows, pf_colref count, int normalize,
                           const char *keyname, pf_column *out[2]) {
  size_t ng = count.n;
  out[0] = out[1] = NULL;
  size_t *perm = (size_t *)pf_arr_new(ctx, ng, sizeof(size_t));
  size_t *rows = (size_t *)pf_arr_new(ctx, ng, sizeof(size_t));
  int rc = PF_TABLE_ENOMEM;
  if (perm == NULL || rows == NULL) goto done;
  for (size_t k = 0; k < ng; k++) perm[k] = k;
  int desc = 1;
  rc = pf_sort(ctx, &count, &desc, 1, perm, ng);   /* stable: ties keep the order of first appearance */
  if (rc != PF_TABLE_OK) goto done;
  for (size_t k = 0; k < ng; k++) rows[k] = keyrows ? keyrows[perm[k]] : perm[k];
  out[0] = pf_column_take_first(ctx, key, rows, ng, keyname, &rc);
  if (out[0] == NULL) goto done;
  if (normalize) {
    out[1] = pf_result_new(ctx, PF_FT_DOUBLE, ng, "proportion", &rc);
    if (out[1] == NULL) goto done;
    size_t total = 0;
    for (size_t k = 0; k < ng; k++) total += (size_t)pf_cell_i64(count.c, count.off + k);
    for (size_t k = 0; k < ng; k++) {
      ((double *)(void *)out[1]->data)[k] = (double)pf_cell_i64(count.c, count.off + perm[k]) / (double)total;
      pf_column_setvalid(out[1], k);
    }
  } else {
    out[1] = pf_column_take(ctx, count, perm, ng, "count", &rc);
  }
done:
  pf_arr_free(ctx, perm, ng, sizeof(size_t));
  pf_arr_free(ctx, rows, ng, sizeof(size_t));
  if (rc != PF_TABLE_OK || out[1] == NULL) {
    if (rc == PF_TABLE_OK) rc = PF_TABLE_ENOMEM;
    pf_column_release(out[0]);
    pf_column_release(out[1]);
    out[0] = out[1] = NULL;
  }
  return rc;
}

/* ---- joins ---- */

int pf_join(const pf_ctx *ctx, const pf_colref *lk, const pf_colref *rk, int nkeys, int left, size_t **lrows,
            size_t **rrows, size_t *nout) {
  size_t nl = lk[0].n, nr = rk[0].n;
  *lrows = *rrows = NULL;
  *nout = 0;
  keyset ks;
  uint64_t *h = (uint64_t *)pf_arr_new(ctx, nl > nr ? nl : nr, sizeof(uint64_t));
  size_t *next = (size_t *)pf_arr_new(ctx, nr, sizeof(size_t));    /* right rows of a group, chained */
  size_t *lg = (size_t *)pf_arr_new(ctx, nl, sizeof(size_t));      /* each left row's right group */
  size_t *head = NULL, *tail = NULL, nhead = 0, total = 0;
  int rc = PF_TABLE_ENOMEM;
  if (ks_init(&ks, ctx, rk, nkeys) < 0 || h == NULL || next == NULL || lg == NULL) goto done;
  hash_rows(rk, nkeys, nr, h);
  for (size_t r = 0; r < nr; r++) {
    if ((r & (PF_POLL_ROWS - 1)) == 0 && pf_ctx_stop(ctx)) { rc = PF_TABLE_EINTR; goto done; }
    next[r] = ks_insert(&ks, r, h[r]);   /* the group for now; chained below */
    if (next[r] == PF_NOROW) goto done;
  }
  nhead = ks.ng;
  head = (size_t *)pf_arr_new(ctx, nhead, sizeof(size_t));
  tail = (size_t *)pf_arr_new(ctx, nhead, sizeof(size_t));
  if (head == NULL || tail == NULL) goto done;
  for (size_t k = 0; k < nhead; k++) head[k] = tail[k] = PF_NOROW;
  for (size_t r = 0; r < nr; r++) {
    size_t k = next[r];
    next[r] = PF_NOROW;
    if (head[k] == PF_NOROW) head[k] = r;
    else next[tail[k]] = r;
    tail[k] = r;
  }
  /* count the pairs, then fill them */
  hash_rows(lk, nkeys, nl, h);
  for (size_t r = 0; r < nl; r++) {
    if ((r & (PF_POLL_ROWS - 1)) == 0 && pf_ctx_stop(ctx)) { rc = PF_TABLE_EINTR; goto done; }
    lg[r] = ks_find(&ks, lk, r, h[r]);
    if (lg[r] == PF_NOROW) total += left != 0;
    else
      for (size_t x = head[lg[r]]; x != PF_NOROW; x = next[x]) total++;
  }
  *lrows = (size_t *)pf_arr_new(ctx, total, sizeof(size_t));
  *rrows = (size_t *)pf_arr_new(ctx, total, sizeof(size_t));
  if (*lrows == NULL || *rrows == NULL) goto done;
  size_t o = 0;
  for (size_t r = 0; r < nl; r++) {
    if (lg[r] == PF_NOROW) {
      if (left) {
        (*lrows)[o] = r;
        (*rrows)[o++] = PF_NOROW;
      }
      continue;
    }
    for (size_t x = head[lg[r]]; x != PF_NOROW; x = next[x]) {
      (*lrows)[o] = r;
      (*rrows)[o++] = x;
    }
  }
  *nout = total;
  rc = PF_TABLE_OK;
done:
  ks_free(&ks);
  pf_arr_free(ctx, h, nl > nr ? nl : nr, sizeof(uint64_t));
  pf_arr_free(ctx, next, nr, sizeof(size_t));
  pf_arr_free(ctx, lg, nl, sizeof(size_t));
  pf_arr_free(ctx, head, nhead, sizeof(size_t));
  pf_arr_free(ctx, tail, nhead, sizeof(size_t));
  if (rc != PF_TABLE_OK) {
    pf_arr_free(ctx, *lrows, total, sizeof(size_t));
    pf_arr_free(ctx, *rrows, total, sizeof(size_t));
    *lrows = *rrows = NULL;
    *nout = 0;
  }
  return rc;
}
