/* test_query.c: unit tests of the streaming aggregation (query.c) and the memory budget (budget.c):
   chunked results equal the one-table kernels, sizes parse as documented, allocation failures leak nothing. */
#include <stdlib.h>
#include <string.h>

#include "budget.h"
#include "check.h"
#include "csv.h"
#include "groupby.h"
#include "pf.h"
#include "query.h"
#include "table.h"

/* ---- allocator that counts, checks sizes and fails on request (as test_verbs.c's) ---- */

typedef struct counting {
  long calls, fail_at, live;
  int bad_osize;
} counting;

static void *count_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
  counting *c = (counting *)ud;
  size_t *h = ptr ? (size_t *)ptr - 2 : NULL;
  if (h && h[0] != osize) c->bad_osize = 1;
  if (nsize == 0) {
    if (h) c->live -= (long)h[0];
    free(h);
    return NULL;
  }
  if (c->fail_at && ++c->calls == c->fail_at) return NULL;
  size_t *nh = (size_t *)realloc(h, nsize + 2 * sizeof(size_t));
  if (nh == NULL) return NULL;
  c->live += (long)nsize - (long)(h ? osize : 0);
  nh[0] = nsize;
  return nh + 2;
}

static const pf_ctx plain = { NULL, NULL, NULL };

static pf_table *parse(const char *text) {
  int rc;
  char err[256];
  return pf_csv_parse(&plain, text, strlen(text), ',', &rc, err, sizeof err);
}

typedef struct out { char buf[16384]; size_t len; } out;

static int out_write(void *ud, const char *s, size_t n) {
  out *o = (out *)ud;
  if (o->len + n >= sizeof o->buf) return 1;
  memcpy(o->buf + o->len, s, n);
  o->len += n;
  o->buf[o->len] = 0;
  return 0;
}

/* The CSV text of t (a new string). */
static char *csv_of(const pf_table *t) {
  static out o;
  o.len = 0;
  o.buf[0] = 0;
  if (pf_table_csv(t, out_write, &o) != PF_TABLE_OK) return strdup("(failed)");
  return strdup(o.buf);
}

/* The same rows as one table and as three chunks (the header repeated). */
static const char ALL[] =
  "host,port,bytes,rtt\n"
  "a,80,100,0.5\n" "b,443,,0.25\n" "a,80,300,\n"
  "c,,50,1.0\n" "b,443,200,0.75\n"
  "a,22,100,0.125\n" ",80,70,2.0\n" "d,80,1,0.1\n";
static const char *const CHUNKS[] = {
  "host,port,bytes,rtt\n" "a,80,100,0.5\n" "b,443,,0.25\n" "a,80,300,\n",
  "host,port,bytes,rtt\n" "c,,50,1.0\n" "b,443,200,0.75\n",
  "host,port,bytes,rtt\n" "a,22,100,0.125\n" ",80,70,2.0\n" "d,80,1,0.1\n",
};

/* ---- cases ---- */

static void test_sizes(void) {
  size_t b = 0;
  CHECK(pf_budget_parse("1", &b) == 0 && b == 1);
  CHECK(pf_budget_parse("1048576", &b) == 0 && b == 1048576);
  CHECK(pf_budget_parse("800K", &b) == 0 && b == 800 * 1024);
  CHECK(pf_budget_parse("512M", &b) == 0 && b == (size_t)512 * 1024 * 1024);
  CHECK(pf_budget_parse("512m", &b) == 0 && b == (size_t)512 * 1024 * 1024);
  CHECK(pf_budget_parse("1.5G", &b) == 0 && b == (size_t)1536 * 1024 * 1024);
  CHECK(pf_budget_parse("2T", &b) == 0 && b == (size_t)2 << 40);
  static const char *const bad[] = { "", "0", "0K", "-1", "1.5", "1e6", "1MB", " 1M", "1M ", "M", "0x10", "nan" };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) CHECK(pf_budget_parse(bad[i], &b) == -1);
  char buf[32];
  pf_budget_format((size_t)512 * 1024 * 1024, buf, sizeof buf);
  CHECK(strcmp(buf, "512M") == 0);
  pf_budget_format((size_t)1536 * 1024 * 1024, buf, sizeof buf);
  CHECK(strcmp(buf, "1536M") == 0);
  pf_budget_format(4096, buf, sizeof buf);
  CHECK(strcmp(buf, "4K") == 0);
  pf_budget_format(1000, buf, sizeof buf);
  CHECK(strcmp(buf, "1000 bytes") == 0);
}

static void test_budget_alloc(void) {
  pf_budget b = { 100, 0, 0 };
  void *p = pf_budget_alloc(&b, NULL, 0, 60);
  CHECK(p != NULL && b.used == 60 && !b.hit);
  p = pf_budget_alloc(&b, p, 60, 90);   /* grows within */
  CHECK(p != NULL && b.used == 90);
  void *q = pf_budget_alloc(&b, NULL, 0, 20);   /* would pass 100 */
  CHECK(q == NULL && b.hit && b.used == 90);
  p = pf_budget_alloc(&b, p, 90, 40);   /* shrinking always works */
  CHECK(p != NULL && b.used == 40);
  q = pf_budget_alloc(&b, NULL, 0, 60);
  CHECK(q != NULL && b.used == 100);
  pf_budget_alloc(&b, p, 40, 0);
  pf_budget_alloc(&b, q, 60, 0);
  CHECK(b.used == 0);
  pf_budget none = { 0, 0, 0 };   /* no limit */
  p = pf_budget_alloc(&none, NULL, 0, 1 << 20);
  CHECK(p != NULL && none.used == 1 << 20);
  pf_budget_alloc(&none, p, 1 << 20, 0);
}

/* The query's result over the chunks equals groupby.c's over the whole table, for every aggregation. */
static void test_chunks_equal_table(void) {
  pf_table *all = parse(ALL);
  pf_table *ch[3];
  for (int i = 0; i < 3; i++) ch[i] = parse(CHUNKS[i]);
  CHECK(all && ch[0] && ch[1] && ch[2]);
  for (int j = 0; j < 4; j++) CHECK(pf_table_col(ch[0], j)->type == pf_table_col(all, j)->type);
  for (int sort = 0; sort <= 1; sort++) {
    for (int dropna = 0; dropna <= 1; dropna++) {
      for (int col = 1; col < 4; col++) {
        pf_qspec specs[PF_AGG_N_];
        int n = 0;
        for (int fn = 0; fn < PF_AGG_N_; fn++) {
          if (!pf_agg_supports(fn, pf_table_col(all, col)->type)) continue;
          specs[n].col = col;
          specs[n].fn = fn;
          specs[n].name = pf_agg_names[fn];
          n++;
        }
        int key = 0;
        pf_query *q = pf_query_new(&plain, ch[0], &key, 1, dropna, -1, 0, 0, specs, n);
        CHECK(q != NULL);
        size_t bad;
        for (int i = 0; i < 3; i++) CHECK(pf_query_add(q, ch[i], &bad) == PF_TABLE_OK);
        pf_column *cols[1 + PF_AGG_N_];
        size_t nrows;
        const char *why;
        CHECK(pf_query_result(q, &plain, sort, NULL, 1000, cols, &nrows, &why) == PF_TABLE_OK);
        pf_table *got = pf_table_build(&plain, 1 + n, cols, NULL, NULL, nrows);
        /* the same through the one-table kernels */
        pf_colref kr = pf_table_colref(all, 0);
        pf_groups g;
        CHECK(pf_groups_make(&plain, &kr, 1, dropna, sort, &g) == PF_TABLE_OK);
        int rc;
        pf_column *want[1 + PF_AGG_N_];
        want[0] = pf_column_take_first(&plain, kr, g.first, g.ngroups, NULL, &rc);
        for (int k = 0; k < n; k++)
          want[1 + k] = pf_agg(&plain, &g, pf_table_colref(all, col), specs[k].fn, specs[k].name, &rc);
        pf_table *exp = pf_table_build(&plain, 1 + n, want, NULL, NULL, g.ngroups);
        char *a = csv_of(got), *b = csv_of(exp);
        CHECK(strcmp(a, b) == 0);
        if (strcmp(a, b) != 0) fprintf(stderr, "sort %d dropna %d col %d:\n%s---\n%s", sort, dropna, col, a, b);
        free(a);
        free(b);
        for (int k = 0; k < 1 + n; k++) {
          pf_column_release(cols[k]);
          pf_column_release(want[k]);
        }
        pf_table_free(got);
        pf_table_free(exp);
        pf_groups_free(&g);
        pf_query_free(q);
      }
    }
  }
  /* by hand: host a has bytes 100, 300, 100; b has 200 (and a null) */
  int key = 0;
  pf_qspec s[2] = { { 2, PF_AGG_SUM, "sum" }, { 2, PF_AGG_COUNT, "n" } };
  pf_query *q = pf_query_new(&plain, ch[0], &key, 1, 1, -1, 0, 0, s, 2);
  size_t bad;
  for (int i = 0; i < 3; i++) pf_query_add(q, ch[i], &bad);
  pf_column *cols[3];
  size_t nrows;
  const char *why;
  CHECK(pf_query_result(q, &plain, 0, NULL, 1000, cols, &nrows, &why) == PF_TABLE_OK && nrows == 4);
  CHECK(pf_cell_i64(cols[1], 0) == 500 && pf_cell_i64(cols[2], 0) == 3);
  CHECK(pf_cell_i64(cols[1], 1) == 200 && pf_cell_i64(cols[2], 1) == 1);
  for (int k = 0; k < 3; k++) pf_column_release(cols[k]);
  pf_query_free(q);
  pf_table_free(all);
  for (int i = 0; i < 3; i++) pf_table_free(ch[i]);
}

/* Time buckets over chunks equal pf_resample's over the table, for each origin, the times out of order
   (a time before the first moves the origin: a second pass from pf_query_misplaced's origin). */
static const char TALL[] =
  "frame.time_epoch,frame.len\n"
  "1000.100000000,100\n" "1000.900000000,200\n" "999.950000000,300\n"
  "1003.700000000,50\n" "1001.250000000,25\n"
  "1002.000000000,7\n" "1010.5,\n";
static const char *const TCHUNKS[] = {
  "frame.time_epoch,frame.len\n" "1000.100000000,100\n" "1000.900000000,200\n" "999.950000000,300\n",
  "frame.time_epoch,frame.len\n" "1003.700000000,50\n" "1001.250000000,25\n",
  "frame.time_epoch,frame.len\n" "1002.000000000,7\n" "1010.5,\n",
};

static void test_buckets(void) {
  pf_table *all = parse(TALL);
  pf_table *ch[3];
  for (int i = 0; i < 3; i++) ch[i] = parse(TCHUNKS[i]);
  CHECK(pf_table_col(all, 0)->type == PF_FT_ABSTIME && pf_table_col(ch[2], 0)->type == PF_FT_ABSTIME);
  static const int64_t ivs[] = { 1000000000, 300000000, 7 };
  pf_qspec s[4] = { { 1, PF_AGG_SUM, "s" }, { 1, PF_AGG_SIZE, "n" }, { 0, PF_AGG_MEAN, "m" }, { 1, PF_AGG_MEDIAN, "md" } };
  int second = 0, ranges = 0;
  for (int origin = PF_ORIGIN_START_DAY; origin <= PF_ORIGIN_START; origin++) {
    for (size_t v = 0; v < sizeof ivs / sizeof ivs[0]; v++) {
      size_t max = v == 2 ? 10 : 1000;   /* 7 ns buckets over 10 s: too many */
      pf_query *q = pf_query_new(&plain, ch[0], NULL, 0, 1, 0, ivs[v], origin, s, 4);
      size_t bad;
      for (int i = 0; i < 3; i++) CHECK(pf_query_add(q, ch[i], &bad) == PF_TABLE_OK);
      pf_time org;
      if (pf_query_misplaced(q, &org)) {
        second++;
        pf_query_free(q);
        q = pf_query_new(&plain, ch[0], NULL, 0, 1, 0, ivs[v], origin, s, 4);
        pf_query_set_origin(q, org);
        for (int i = 0; i < 3; i++) CHECK(pf_query_add(q, ch[i], &bad) == PF_TABLE_OK);
        CHECK(!pf_query_misplaced(q, &org));
      }
      pf_column *cols[5];
      size_t nrows;
      const char *why;
      int rc = pf_query_result(q, &plain, 0, "frame.time_epoch", max, cols, &nrows, &why);
      pf_groups g;
      size_t *outer_of;
      pf_time *bstart;
      int wrc = pf_resample(&plain, pf_table_colref(all, 0), ivs[v], origin, NULL, max, &g, &outer_of, &bstart);
      CHECK(rc == wrc);
      ranges += rc == PF_TABLE_ERANGE;
      if (rc == PF_TABLE_OK && wrc == PF_TABLE_OK) {
        pf_table *got = pf_table_build(&plain, 5, cols, NULL, NULL, nrows);
        pf_column *want[5];
        want[0] = pf_column_new(&plain, PF_FT_ABSTIME, -1, "frame.time_epoch");
        pf_column_setlen(want[0], g.ngroups);
        for (size_t k = 0; k < g.ngroups; k++) {
          ((pf_time *)(void *)want[0]->data)[k] = bstart[k];
          pf_column_setvalid(want[0], k);
        }
        for (int k = 0; k < 4; k++) want[1 + k] = pf_agg(&plain, &g, pf_table_colref(all, s[k].col), s[k].fn, s[k].name, &rc);
        pf_table *exp = pf_table_build(&plain, 5, want, NULL, NULL, g.ngroups);
        char *a = csv_of(got), *b = csv_of(exp);
        CHECK(strcmp(a, b) == 0);
        if (strcmp(a, b) != 0) fprintf(stderr, "origin %d interval %lld:\n%s---\n%s", origin, (long long)ivs[v], a, b);
        free(a);
        free(b);
        for (int k = 0; k < 5; k++) {
          pf_column_release(cols[k]);
          pf_column_release(want[k]);
        }
        pf_table_free(got);
        pf_table_free(exp);
        free(outer_of);
        free(bstart);
        pf_groups_free(&g);
      }
      pf_query_free(q);
    }
  }
  CHECK(second >= 2 && ranges == 3);   /* origin start moved by 0.15 s; 7 ns buckets too many */
  pf_table_free(all);
  for (int i = 0; i < 3; i++) pf_table_free(ch[i]);
}

/* Failing each allocation in turn: ENOMEM or NULL, never a crash, and nothing left allocated. */
static void test_out_of_memory(void) {
  pf_table *ch[3];
  for (int i = 0; i < 3; i++) ch[i] = parse(CHUNKS[i]);
  int key = 0;
  pf_qspec s[4] = { { 3, PF_AGG_MEDIAN, "m" }, { 1, PF_AGG_NUNIQUE, "u" }, { 0, PF_AGG_MAX, "x" }, { 2, PF_AGG_STD, "sd" } };
  int failures = 0, successes = 0;
  for (long n = 1; n < 200; n++) {
    counting c = { 0, n, 0, 0 };
    pf_ctx ctx = { count_alloc, &c, NULL };
    pf_query *q = pf_query_new(&ctx, ch[0], &key, 1, 1, -1, 0, 0, s, 4);
    int rc = q ? PF_TABLE_OK : PF_TABLE_ENOMEM;
    size_t bad;
    for (int i = 0; i < 3 && rc == PF_TABLE_OK; i++) rc = pf_query_add(q, ch[i], &bad);
    if (rc == PF_TABLE_OK) {
      pf_column *cols[5];
      size_t nrows;
      const char *why;
      rc = pf_query_result(q, &ctx, 1, NULL, 1000, cols, &nrows, &why);
      if (rc == PF_TABLE_OK)
        for (int k = 0; k < 5; k++) pf_column_release(cols[k]);
    }
    pf_query_free(q);
    CHECK(rc == PF_TABLE_OK || rc == PF_TABLE_ENOMEM);
    CHECK(c.live == 0 && !c.bad_osize);
    if (rc == PF_TABLE_OK) successes++;
    else failures++;
  }
  CHECK(failures > 10 && successes > 0);
  for (int i = 0; i < 3; i++) pf_table_free(ch[i]);
}

/* ---- NaN, -0.0 and nulls as keys: t:groupby (pf_groups_make) and pf.scan (query.c) agree ---- */

/* A double column of n cells: NaN in v where isnull[i] is 0 and v[i] is NaN; null where isnull[i]. */
static pf_column *dcol(const char *name, const double *v, const int *isnull, size_t n) {
  pf_column *c = pf_column_new(&plain, PF_FT_DOUBLE, -1, name);
  if (c == NULL || pf_column_setlen(c, n) != PF_TABLE_OK) return c;
  for (size_t i = 0; i < n; i++) {
    if (isnull[i]) continue;
    ((double *)(void *)c->data)[i] = v[i];
    pf_column_setvalid(c, i);
  }
  return c;
}

/* A two-column table (key, val) of rows from .. from + n of the arrays. */
static pf_table *kv_table(const double *k, const int *kn, const double *v, const int *vn, size_t from, size_t n) {
  pf_column *cols[2] = { dcol("key", k + from, kn + from, n), dcol("val", v + from, vn + from, n) };
  pf_table *t = pf_table_build(&plain, 2, cols, NULL, NULL, n);
  pf_column_release(cols[0]);
  pf_column_release(cols[1]);
  return t;
}

static void test_nan_keys(void) {
  double nan_pos, nan_neg, nan_payload;
  uint64_t u = 0x7ff8000000000000ULL;
  memcpy(&nan_pos, &u, 8);
  u = 0xfff8000000000000ULL;   /* 0/0 on x86: the sign bit set */
  memcpy(&nan_neg, &u, 8);
  u = 0x7ff800000000beefULL;
  memcpy(&nan_payload, &u, 8);
  /* keys: 1, NaN, -0.0, null, 0.0, -NaN, 1, NaN with a payload, 2, 0.0 */
  double k[] = { 1, nan_pos, -0.0, 0, 0.0, nan_neg, 1, nan_payload, 2, 0.0 };
  int kn[] = { 0, 0, 0, 1, 0, 0, 0, 0, 0, 0 };
  double v[] = { 5, 6, nan_neg, 7, 8, nan_pos, 5, 9, 0, 0 };
  int vn[] = { 0, 0, 0, 0, 0, 0, 0, 1, 0, 0 };
  size_t n = sizeof k / sizeof k[0];
  pf_table *all = kv_table(k, kn, v, vn, 0, n);
  pf_table *ch[3] = { kv_table(k, kn, v, vn, 0, 3), kv_table(k, kn, v, vn, 3, 4), kv_table(k, kn, v, vn, 7, 3) };
  CHECK(all && ch[0] && ch[1] && ch[2]);
  pf_qspec specs[] = { { 1, PF_AGG_SIZE, "size" }, { 1, PF_AGG_COUNT, "count" }, { 1, PF_AGG_NUNIQUE, "nunique" },
                       { 1, PF_AGG_SUM, "sum" } };
  int ns = (int)(sizeof specs / sizeof specs[0]);
  for (int sort = 0; sort <= 1; sort++) {
    for (int dropna = 0; dropna <= 1; dropna++) {
      int key = 0;
      pf_query *q = pf_query_new(&plain, ch[0], &key, 1, dropna, -1, 0, 0, specs, ns);
      CHECK(q != NULL);
      size_t bad;
      for (int i = 0; i < 3; i++) CHECK(pf_query_add(q, ch[i], &bad) == PF_TABLE_OK);
      pf_column *cols[5];
      size_t nrows;
      const char *why;
      CHECK(pf_query_result(q, &plain, sort, NULL, 1000, cols, &nrows, &why) == PF_TABLE_OK);
      pf_table *got = pf_table_build(&plain, 1 + ns, cols, NULL, NULL, nrows);
      pf_colref kr = pf_table_colref(all, 0);
      pf_groups g;
      CHECK(pf_groups_make(&plain, &kr, 1, dropna, sort, &g) == PF_TABLE_OK);
      /* 1, 0.0 (-0.0 first), 2; and with dropna 0 one group of the null and the three NaNs */
      CHECK(g.ngroups == (dropna ? 3u : 4u) && nrows == g.ngroups);
      int rc;
      pf_column *want[5];
      want[0] = pf_column_take_first(&plain, kr, g.first, g.ngroups, NULL, &rc);
      for (int j = 0; j < ns; j++) want[1 + j] = pf_agg(&plain, &g, pf_table_colref(all, 1), specs[j].fn, specs[j].name, &rc);
      pf_table *exp = pf_table_build(&plain, 1 + ns, want, NULL, NULL, g.ngroups);
      char *a = csv_of(got), *b = csv_of(exp);
      CHECK(strcmp(a, b) == 0);
      if (strcmp(a, b) != 0) fprintf(stderr, "NaN keys, sort %d dropna %d:\n%s---\n%s", sort, dropna, a, b);
      if (!sort) {
        /* the null-and-NaN group: rows 1, 3, 5, 7, vals 6, 7, NaN, null (nunique skips NaN, as pandas) */
        CHECK(pf_cell_f64(cols[0], 0) == 1 && pf_cell_i64(cols[1], 0) == 2);
        size_t z = dropna ? 1 : 2;   /* the zeros' group: -0.0, 0.0, 0.0 */
        CHECK(pf_cell_f64(cols[0], z) == 0 && pf_cell_i64(cols[1], z) == 3 && pf_cell_i64(cols[3], z) == 2);
        if (!dropna) CHECK(pf_cell_i64(cols[1], 1) == 4 && pf_cell_i64(cols[3], 1) == 2 && pf_cell_f64(cols[4], 1) == 13);
      }
      free(a);
      free(b);
      for (int j = 0; j < 1 + ns; j++) {
        pf_column_release(cols[j]);
        pf_column_release(want[j]);
      }
      pf_table_free(got);
      pf_table_free(exp);
      pf_groups_free(&g);
      pf_query_free(q);
    }
  }
  /* joins: a NaN key matches a null or NaN key, -0.0 matches 0.0 */
  pf_colref lk = pf_table_colref(all, 0), rk = pf_table_colref(ch[1], 0);   /* right: null, 0.0, -NaN, 1 */
  size_t *lr, *rr, nout;
  CHECK(pf_join(&plain, &lk, &rk, 1, 0, &lr, &rr, &nout) == PF_TABLE_OK);
  /* left 1, NaN, -0.0, null, 0.0, -NaN, 1, NaN, 2, 0.0: 1 + 2 + 1 + 2 + 1 + 2 + 1 + 2 + 0 + 1 */
  CHECK(nout == 13);
  pf_ctx_alloc(&plain, lr, nout * sizeof(size_t), 0);
  pf_ctx_alloc(&plain, rr, nout * sizeof(size_t), 0);
  pf_table_free(all);
  for (int i = 0; i < 3; i++) pf_table_free(ch[i]);
}

/* value_counts' finishing step: most frequent first, ties in order of first appearance; counts or shares */
static void test_value_counts_finish(void) {
  pf_table *t = parse("host\nb\na\nc\na\nb\nd\na\n");
  CHECK(t != NULL);
  pf_colref key = pf_table_colref(t, 0);
  pf_groups g;
  CHECK(pf_groups_make(&plain, &key, 1, 1, 0, &g) == PF_TABLE_OK && g.ngroups == 4);
  int rc;
  pf_column *cnt = pf_agg(&plain, &g, key, PF_AGG_SIZE, "n", &rc);
  pf_colref cr = { cnt, 0, g.ngroups };
  for (int normalize = 0; normalize <= 1; normalize++) {
    pf_column *vc[2];
    CHECK(pf_value_counts_finish(&plain, key, g.first, cr, normalize, "h", vc) == PF_TABLE_OK);
    pf_table *r = pf_table_build(&plain, 2, vc, NULL, NULL, g.ngroups);
    char *csv = csv_of(r);
    CHECK(strcmp(csv, normalize ? "h,proportion\na,0.42857142857142855\nb,0.2857142857142857\nc,0.14285714285714285\n"
                                  "d,0.14285714285714285\n"
                                : "h,count\na,3\nb,2\nc,1\nd,1\n") == 0);
    free(csv);
    pf_column_release(vc[0]);
    pf_column_release(vc[1]);
    pf_table_free(r);
  }
  /* out of memory at each allocation: nothing leaks, out[] NULL */
  int failures = 0;
  for (long at = 1; at < 40; at++) {
    counting c = { 0, at, 0, 0 };
    pf_ctx ctx = { count_alloc, &c, NULL };
    pf_column *vc[2];
    rc = pf_value_counts_finish(&ctx, key, g.first, cr, (int)(at & 1), NULL, vc);
    if (rc != PF_TABLE_OK) {
      failures++;
      CHECK(rc == PF_TABLE_ENOMEM && vc[0] == NULL && vc[1] == NULL);
    }
    pf_column_release(vc[0]);
    pf_column_release(vc[1]);
    CHECK(c.live == 0 && !c.bad_osize);
  }
  CHECK(failures > 2);
  pf_column_release(cnt);
  pf_groups_free(&g);
  pf_table_free(t);
}

int main(void) {
  test_sizes();
  test_budget_alloc();
  test_chunks_equal_table();
  test_buckets();
  test_nan_keys();
  test_value_counts_finish();
  test_out_of_memory();
  return check_report("test_query");
}
