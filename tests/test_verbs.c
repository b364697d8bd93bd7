/* test_verbs.c: unit tests of the verbs' kernels: derived columns, row copies, sort, expressions, groups,
   aggregations, resample, joins, CSV input, display filters on rows, interrupts and allocation failures. */
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "csv.h"
#include "decode.h"
#include "filter.h"
#include "groupby.h"
#include "pf.h"
#include "table.h"
#include "verbs.h"

/* ---- allocator that counts, checks sizes and fails on request (as test_table.c's) ---- */

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

/* ---- building tables ---- */

static const char HOSTS[] =
  "host,port,bytes,rtt\n"
  "a,80,100,0.5\n"
  "b,443,,0.25\n"
  "a,80,300,\n"
  "c,,50,1.0\n"
  "b,443,200,0.75\n"
  "a,22,100,0.125\n"
  ",80,70,2.0\n";

static pf_table *parse(const pf_ctx *ctx, const char *text) {
  int rc;
  char err[256];
  return pf_csv_parse(ctx, text, strlen(text), ',', &rc, err, sizeof err);
}

static int64_t ival(pf_colref r, size_t row) { return pf_cell_i64(r.c, r.off + row); }
static int valid(pf_colref r, size_t row) { return pf_cell_valid(r.c, r.off + row); }

typedef struct out { char buf[8192]; size_t len; } out;

static int out_write(void *ud, const char *s, size_t n) {
  out *o = (out *)ud;
  if (o->len + n >= sizeof o->buf) return 1;
  memcpy(o->buf + o->len, s, n);
  o->len += n;
  o->buf[o->len] = 0;
  return 0;
}

static const char *csv_of(const pf_table *t) {
  static out o;
  o.len = 0;
  o.buf[0] = 0;
  return pf_table_csv(t, out_write, &o) == PF_TABLE_OK ? o.buf : "";
}

/* ---- cases ---- */

static void test_csv_types(void) {
  pf_table *t = parse(&plain, HOSTS);
  CHECK(t != NULL && pf_table_nrows(t) == 7 && pf_table_ncols(t) == 4);
  CHECK(pf_table_col(t, 0)->type == PF_FT_STRING && pf_table_col(t, 1)->type == PF_FT_INT);
  CHECK(pf_table_col(t, 3)->type == PF_FT_DOUBLE && pf_table_col(t, 0)->fid == -1);
  CHECK(strcmp(csv_of(t), HOSTS) == 0);
  pf_table_free(t);
  const char *f = "frame.time_epoch,ip.src,tcp.flags,eth.padding\n1.5,10.0.0.1,0x012,00ff\n-2,::1,,\n";
  int rc;
  char err[128];
  t = pf_csv_parse(&plain, f, strlen(f), ',', &rc, err, sizeof err);
  CHECK(t == NULL && rc == PF_TABLE_EWRITE && strcmp(err, "line 3: column 'ip.src': bad ipv4 value '::1'") == 0);
  f = "frame.time_epoch,ip.src,tcp.flags,eth.padding\n1.5,10.0.0.1,0x012,00ff\n-2,,,\n";
  t = pf_csv_parse(&plain, f, strlen(f), ',', &rc, err, sizeof err);
  CHECK(t != NULL && pf_table_col(t, 0)->type == PF_FT_ABSTIME && pf_table_col(t, 2)->fid == PF_F_TCP_FLAGS);
  CHECK(strcmp(csv_of(t), "frame.time_epoch,ip.src,tcp.flags,eth.padding\n"
                          "1.500000000,10.0.0.1,0x0012,00ff\n-2.000000000,,,\n") == 0);
  pf_table_free(t);
}

static void test_slices_share(void) {
  pf_table *t = parse(&plain, HOSTS);
  pf_table *s = pf_table_slice(t, 2, 3);
  CHECK(s && pf_table_nrows(s) == 3 && pf_table_col(s, 2) == pf_table_col(t, 2) && pf_table_col(t, 2)->refs == 2);
  CHECK(pf_table_colref(s, 2).off == 2 && ival(pf_table_colref(s, 2), 0) == 300);
  int cols[2] = { 3, 0 };
  pf_table *sel = pf_table_select(s, cols, 2);
  CHECK(sel && strcmp(pf_table_colname(sel, 0), "rtt") == 0 && pf_table_colref(sel, 1).off == 2);
  pf_table *r = pf_table_rename(sel, 1, "who");
  CHECK(r && pf_table_find(r, "who") == 1 && pf_table_find(r, "host") == -1);
  CHECK(strcmp(pf_column_name(pf_table_col(r, 1)), "host") == 0);   /* the column keeps its own name */
  CHECK(strcmp(csv_of(r), "rtt,who\n,a\n1.0,c\n0.75,b\n") == 0);
  pf_table *w = pf_table_with(r, "bytes", pf_table_colref(s, 2));
  CHECK(w && pf_table_ncols(w) == 3 && strcmp(csv_of(w), "rtt,who,bytes\n,a,300\n1.0,c,50\n0.75,b,200\n") == 0);
  pf_table *ws = pf_table_slice(w, 1, 2);
  pf_table *w2 = pf_table_with(ws, "who", pf_table_colref(ws, 2));
  CHECK(w2 != NULL && strcmp(csv_of(w2), "rtt,who,bytes\n1.0,50,50\n0.75,200,200\n") == 0);
  pf_table_free(ws);
  pf_table_free(t);
  pf_table_free(s);
  pf_table_free(sel);
  pf_table_free(r);
  CHECK(strcmp(csv_of(w), "rtt,who,bytes\n,a,300\n1.0,c,50\n0.75,b,200\n") == 0);   /* alive through w */
  pf_table_free(w);
  pf_table_free(w2);
}

static void test_take_and_concat(void) {
  pf_table *t = parse(&plain, "vlan.id,name\n\"1,2\",x\n3,\n\"4,5,6\",zz\n");
  CHECK(t && pf_column_count(pf_table_col(t, 0), 2) == 3);
  size_t rows[4] = { 2, PF_NOROW, 0, 2 };
  int rc;
  pf_table *k = pf_table_take(&plain, t, rows, 4, &rc);
  CHECK(k && rc == PF_TABLE_OK && strcmp(csv_of(k), "vlan.id,name\n\"4,5,6\",zz\n,\n\"1,2\",x\n\"4,5,6\",zz\n") == 0);
  const pf_table *both[2] = { k, t };
  int bt, bc;
  pf_table *c = pf_table_concat(&plain, both, 2, &rc, &bt, &bc);
  CHECK(c && pf_table_nrows(c) == 7 && pf_table_col(c, 0)->fid == PF_F_VLAN_ID);
  CHECK(strcmp(csv_of(c), "vlan.id,name\n\"4,5,6\",zz\n,\n\"1,2\",x\n\"4,5,6\",zz\n"
                          "\"1,2\",x\n3,\n\"4,5,6\",zz\n") == 0);
  pf_table *other = parse(&plain, "name\n7\n");
  const pf_table *bad[2] = { t, other };
  CHECK(pf_table_concat(&plain, bad, 2, &rc, &bt, &bc) == NULL && rc == PF_TABLE_ETYPE && bt == 1 && bc == 0);
  pf_table_free(t);
  pf_table_free(k);
  pf_table_free(c);
  pf_table_free(other);
}

static void test_sort(void) {
  pf_table *t = parse(&plain, HOSTS);
  size_t perm[7];
  for (size_t i = 0; i < 7; i++) perm[i] = i;
  pf_colref k = pf_table_colref(t, 2);
  CHECK(pf_sort(&plain, &k, NULL, 1, perm, 7) == PF_TABLE_OK);
  size_t want[7] = { 3, 6, 0, 5, 4, 2, 1 };
  CHECK(memcmp(perm, want, sizeof want) == 0);
  pf_colref keys[2] = { pf_table_colref(t, 0), pf_table_colref(t, 2) };
  int desc[2] = { 0, 1 };
  for (size_t i = 0; i < 7; i++) perm[i] = i;
  CHECK(pf_sort(&plain, keys, desc, 2, perm, 7) == PF_TABLE_OK);
  size_t want2[7] = { 2, 0, 5, 4, 1, 3, 6 };
  CHECK(memcmp(perm, want2, sizeof want2) == 0);
  pf_table_free(t);
  /* big enough for the radix path: doubles with negatives, -0.0 and 0.0 tied */
  size_t n = 100000;
  pf_column *c = pf_column_new(&plain, PF_FT_DOUBLE, -1, "x");
  pf_column_setlen(c, n);
  size_t *p = malloc(n * sizeof *p);
  unsigned s = 1;
  for (size_t i = 0; i < n; i++) {
    s = s * 1103515245u + 12345u;
    double v = (double)(int)(s >> 8 & 0xffff) - 30000.5;
    if (i == 10) v = -0.0;
    if (i == 20) v = 0.0;
    ((double *)(void *)c->data)[i] = v;
    if (i % 97) pf_column_setvalid(c, i);
    p[i] = i;
  }
  pf_colref r = { c, 0, n };
  int d1 = 1;
  CHECK(pf_sort(&plain, &r, &d1, 1, p, n) == PF_TABLE_OK);
  int ok = 1;
  size_t nulls = 0;
  for (size_t i = 1; i < n; i++) {
    int va = pf_cell_valid(c, p[i - 1]), vb = pf_cell_valid(c, p[i]);
    if (!vb) { nulls++; continue; }
    if (!va) ok = 0;   /* a null before a value */
    double a = pf_cell_f64(c, p[i - 1]), b = pf_cell_f64(c, p[i]);
    if (a < b || (a == b && p[i - 1] > p[i])) ok = 0;   /* descending, ties in row order */
  }
  CHECK(ok && nulls == (n + 96) / 97 - (pf_cell_valid(c, p[0]) ? 0 : 1));
  free(p);
  pf_column_release(c);
}

static void test_expressions(void) {
  pf_table *t = parse(&plain, "a,b,t\n7,2,1.5\n-7,2,\n7,-2,3\n7,0,4\n,1,5\n");
  pf_operand a = { PF_OPD_COL, pf_table_colref(t, 0), 0, 0, PF_FT_NONE, { 0 } };
  pf_operand b = { PF_OPD_COL, pf_table_colref(t, 1), 0, 0, PF_FT_NONE, { 0 } };
  int rc;
  pf_column *q = pf_arith(&plain, PF_OP_IDIV, &a, &b, 5, "q", &rc);
  pf_colref qr = { q, 0, 5 };
  CHECK(q && q->type == PF_FT_INT && ival(qr, 0) == 3 && ival(qr, 1) == -4 && ival(qr, 2) == -4);
  CHECK(!valid(qr, 3) && !valid(qr, 4));
  pf_column *m = pf_arith(&plain, PF_OP_MOD, &a, &b, 5, "m", &rc);
  pf_colref mr = { m, 0, 5 };
  CHECK(m && ival(mr, 0) == 1 && ival(mr, 1) == 1 && ival(mr, 2) == -1);
  pf_column *dv = pf_arith(&plain, PF_OP_DIV, &a, &b, 5, "d", &rc);
  CHECK(dv && dv->type == PF_FT_DOUBLE && pf_cell_f64(dv, 0) == 3.5 && isinf(pf_cell_f64(dv, 3)));
  pf_operand three = { PF_OPD_INT, { NULL, 0, 0 }, 3, 0, PF_FT_NONE, { 0 } };
  pf_column *gt = pf_compare(&plain, PF_CMP_GT, &a, &three, 5, "gt", &rc);
  pf_column *ne = pf_compare(&plain, PF_CMP_NE, &a, &three, 5, "ne", &rc);
  pf_colref gr = { gt, 0, 5 }, nr = { ne, 0, 5 };
  CHECK(gt && ival(gr, 0) == 1 && ival(gr, 1) == 0 && ival(gr, 4) == 0 && valid(gr, 4));
  CHECK(ne && ival(nr, 4) == 1);   /* a null is not equal */
  pf_column *both = pf_logic(&plain, '&', gr, nr, "x", &rc);
  pf_column *nt = pf_logic(&plain, '!', gr, gr, "x", &rc);
  CHECK(both && nt && pf_cell_i64(both, 0) == 1 && pf_cell_i64(nt, 1) == 1 && pf_cell_i64(nt, 0) == 0);
  pf_operand str = { PF_OPD_COL, { NULL, 0, 0 }, 0, 0, PF_FT_NONE, { 0 } };
  pf_table *s = parse(&plain, "s\nx\n");
  str.col = pf_table_colref(s, 0);
  CHECK(pf_arith(&plain, PF_OP_ADD, &str, &three, 1, "x", &rc) == NULL && rc == PF_TABLE_ETYPE);
  pf_column *neg = pf_unary(&plain, PF_UN_ABS, pf_table_colref(t, 0), "abs", &rc);
  CHECK(neg && pf_cell_i64(neg, 1) == 7 && !pf_cell_valid(neg, 4));
  pf_column *isn = pf_unary(&plain, PF_UN_ISNULL, pf_table_colref(t, 2), "n", &rc);
  CHECK(isn && pf_cell_i64(isn, 1) == 1 && pf_cell_i64(isn, 0) == 0);
  pf_column *df = pf_diff(&plain, pf_table_colref(t, 2), NULL, 1, "d", &rc);
  CHECK(df && !pf_cell_valid(df, 0) && !pf_cell_valid(df, 2) && pf_cell_f64(df, 3) == 1 && pf_cell_f64(df, 4) == 1);
  pf_column *cs = pf_cumsum(&plain, pf_table_colref(t, 0), "c", &rc);
  CHECK(cs && pf_cell_i64(cs, 3) == 14 && !pf_cell_valid(cs, 4));
  double d[8];
  CHECK(pf_describe(&plain, pf_table_colref(t, 2), d) == PF_TABLE_OK && d[0] == 4 && d[1] == 3.375 && d[5] == 3.5);
  CHECK(pf_describe(&plain, str.col, d) == PF_TABLE_ETYPE);
  pf_column *cols[] = { q, m, dv, gt, ne, both, nt, neg, isn, df, cs };
  for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++) pf_column_release(cols[i]);
  pf_table_free(t);
  pf_table_free(s);
}

static void test_times(void) {
  pf_table *t = parse(&plain, "frame.time_epoch\n1000.900000000\n1001.100000000\n1003.999999999\n");
  pf_operand a = { PF_OPD_COL, pf_table_colref(t, 0), 0, 0, PF_FT_NONE, { 0 } };
  pf_colref sh = pf_table_colref(t, 0);
  int rc;
  size_t prev[3] = { PF_NOROW, 0, 1 };
  pf_column *d = pf_diff(&plain, sh, prev, 0, "d", &rc);
  CHECK(d && d->type == PF_FT_RELTIME && pf_cell_time(d, 1).secs == 0 && pf_cell_time(d, 1).nsecs == 200000000);
  CHECK(pf_cell_time(d, 2).secs == 2 && pf_cell_time(d, 2).nsecs == 899999999);
  pf_operand rel = { PF_OPD_COL, { d, 0, 3 }, 0, 0, PF_FT_NONE, { 0 } };
  pf_column *back = pf_arith(&plain, PF_OP_SUB, &a, &rel, 3, "b", &rc);
  CHECK(back && back->type == PF_FT_ABSTIME);
  CHECK(pf_cell_time(back, 2).secs == 1001 && pf_cell_time(back, 2).nsecs == 100000000);
  /* resample, pandas-aligned and from the start */
  pf_groups g;
  size_t *outer_of;
  pf_time *bstart;
  CHECK(pf_resample(&plain, sh, 1000000000, PF_ORIGIN_START_DAY, NULL, 100, &g, &outer_of, &bstart) == PF_TABLE_OK);
  CHECK(g.ngroups == 4 && bstart[0].secs == 1000 && bstart[3].secs == 1003 && g.gid[2] == 3 && g.first[2] == PF_NOROW);
  free(outer_of);
  free(bstart);
  pf_groups_free(&g);
  CHECK(pf_resample(&plain, sh, 1000000000, PF_ORIGIN_START, NULL, 100, &g, &outer_of, &bstart) == PF_TABLE_OK);
  CHECK(g.ngroups == 4 && bstart[1].secs == 1001 && bstart[1].nsecs == 900000000 && g.gid[1] == 0);
  free(outer_of);
  free(bstart);
  pf_groups_free(&g);
  CHECK(pf_resample(&plain, sh, 1, PF_ORIGIN_EPOCH, NULL, 100, &g, &outer_of, &bstart) == PF_TABLE_ERANGE);
  int64_t ns;
  CHECK(pf_parse_interval("100ms", &ns) == 0 && ns == 100000000);
  CHECK(pf_parse_interval("1.5min", &ns) == 0 && ns == 90000000000LL);
  CHECK(pf_parse_interval("1x", &ns) < 0 && pf_parse_interval("-1s", &ns) < 0 && pf_parse_interval(" 1s", &ns) < 0);
  CHECK(pf_parse_interval("0.5ns", &ns) < 0 && pf_parse_interval("1e400s", &ns) < 0 && pf_parse_interval("", &ns) < 0);
  pf_column_release(d);
  pf_column_release(back);
  pf_table_free(t);
}

static void test_groups_and_aggs(void) {
  pf_table *t = parse(&plain, HOSTS);
  pf_colref key = pf_table_colref(t, 0);
  pf_groups g;
  CHECK(pf_groups_make(&plain, &key, 1, 1, 0, &g) == PF_TABLE_OK);
  CHECK(g.ngroups == 3 && g.gid[6] == PF_NOROW && g.gid[5] == 0 && g.first[2] == 3);
  int rc;
  static const double want_sum[3] = { 500, 200, 50 };
  pf_column *s = pf_agg(&plain, &g, pf_table_colref(t, 2), PF_AGG_SUM, "s", &rc);
  CHECK(s && s->type == PF_FT_INT && pf_cell_i64(s, 0) == (int64_t)want_sum[0] && pf_cell_i64(s, 2) == 50);
  pf_column *med = pf_agg(&plain, &g, pf_table_colref(t, 3), PF_AGG_MEDIAN, "m", &rc);
  CHECK(med && pf_cell_f64(med, 0) == 0.3125 && pf_cell_f64(med, 1) == 0.5);
  pf_column *nu = pf_agg(&plain, &g, pf_table_colref(t, 1), PF_AGG_NUNIQUE, "u", &rc);
  CHECK(nu && pf_cell_i64(nu, 0) == 2 && pf_cell_i64(nu, 2) == 0);
  pf_column *mx = pf_agg(&plain, &g, pf_table_colref(t, 2), PF_AGG_MAX, "x", &rc);
  CHECK(mx && pf_cell_i64(mx, 0) == 300 && pf_cell_valid(mx, 1));
  pf_column *sd = pf_agg(&plain, &g, pf_table_colref(t, 3), PF_AGG_STD, "sd", &rc);
  CHECK(sd && fabs(pf_cell_f64(sd, 0) - 0.2651650429449553) < 1e-15 && !pf_cell_valid(sd, 2));
  CHECK(pf_agg(&plain, &g, key, PF_AGG_SUM, "x", &rc) == NULL && rc == PF_TABLE_ETYPE);
  size_t prev[7];
  CHECK(pf_groups_prev(&g, 1, prev) == PF_TABLE_OK);
  CHECK(prev[2] == 0 && prev[5] == 2 && prev[4] == 1 && prev[6] == PF_NOROW);
  pf_groups_free(&g);
  /* sorted, nulls kept (last) */
  CHECK(pf_groups_make(&plain, &key, 1, 0, 1, &g) == PF_TABLE_OK && g.ngroups == 4 && g.gid[6] == 3 && g.gid[3] == 2);
  pf_groups_free(&g);
  /* many groups: the slots grow */
  pf_column *c = pf_column_new(&plain, PF_FT_INT, -1, "k");
  pf_column_setlen(c, 50000);
  for (size_t i = 0; i < 50000; i++) {
    ((int64_t *)(void *)c->data)[i] = (int64_t)(i % 20000);
    pf_column_setvalid(c, i);
  }
  pf_colref ck = { c, 0, 50000 };
  CHECK(pf_groups_make(&plain, &ck, 1, 1, 0, &g) == PF_TABLE_OK && g.ngroups == 20000 && g.gid[45678] == 45678 % 20000);
  pf_groups_free(&g);
  pf_column *cols[] = { s, med, nu, mx, sd, c };
  for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++) pf_column_release(cols[i]);
  pf_table_free(t);
}

static void test_join(void) {
  pf_table *l = parse(&plain, HOSTS);
  pf_table *r = parse(&plain, "host,name\na,alpha\nb,beta\nb,bravo\n,none\n");
  pf_colref lk = pf_table_colref(l, 0), rk = pf_table_colref(r, 0);
  size_t *lr, *rr, n;
  CHECK(pf_join(&plain, &lk, &rk, 1, 1, &lr, &rr, &n) == PF_TABLE_OK && n == 9);
  size_t wl[9] = { 0, 1, 1, 2, 3, 4, 4, 5, 6 }, wr[9] = { 0, 1, 2, 0, PF_NOROW, 1, 2, 0, 3 };
  CHECK(memcmp(lr, wl, sizeof wl) == 0 && memcmp(rr, wr, sizeof wr) == 0);
  free(lr);
  free(rr);
  CHECK(pf_join(&plain, &lk, &rk, 1, 0, &lr, &rr, &n) == PF_TABLE_OK && n == 8);
  free(lr);
  free(rr);
  pf_table_free(l);
  pf_table_free(r);
}

static void test_filter_rows(void) {
  pf_table *t = parse(&plain, "ip.src,tcp.srcport\n10.0.0.1,80\n10.0.0.2,\n10.0.0.1,443\n");
  pf_filter *f = pf_filter_new();
  char err[128];
  int a = pf_filter_cmp(f, PF_F_IP_SRC, PF_CMP_EQ, "10.0.0.1", 8, 0, err, sizeof err);
  int b = pf_filter_exists(f, PF_F_TCP_SRCPORT);
  int c = pf_filter_cmp(f, PF_F_TCP_SRCPORT, PF_CMP_GT, "100", 3, 0, err, sizeof err);
  pf_filter_set_root(f, pf_filter_logic(f, '&', a, pf_filter_logic(f, '&', b, c)));
  int fids[2] = { PF_F_IP_SRC, PF_F_TCP_SRCPORT };
  pf_colref cols[2] = { pf_table_colref(t, 0), pf_table_colref(t, 1) };
  pf_pkt *p = malloc(sizeof *p);
  pf_pkt_init(p);
  int rc;
  pf_column *m = pf_filter_column(&plain, f, fids, cols, NULL, NULL, 0, 2, 3, p, "m", &rc);
  CHECK(m && pf_cell_i64(m, 0) == 0 && pf_cell_i64(m, 1) == 0 && pf_cell_i64(m, 2) == 1);
  size_t rows[3];
  pf_colref mr = { m, 0, 3 };
  CHECK(pf_mask_rows(mr, rows) == 1 && rows[0] == 2);
  pf_column_release(m);
  pf_filter_free(f);
  free(p);
  pf_table_free(t);
}

static void test_writers(void) {
  pf_table *t = parse(&plain, "s,ip.src,d\n\"a\tb\",10.0.0.1,0.1\n,,\n");
  out o;
  o.len = 0;
  CHECK(pf_table_tsv(t, out_write, &o) == PF_TABLE_OK);
  CHECK(strcmp(o.buf, "s\tip.src\td\na b\t10.0.0.1\t0.1\n\t\t\n") == 0);
  o.len = 0;
  CHECK(pf_table_json(t, out_write, &o) == PF_TABLE_OK &&
        strcmp(o.buf, "{\"s\": \"a\\u0009b\", \"ip.src\": \"10.0.0.1\", \"d\": 0.1}\n"
                      "{\"s\": null, \"ip.src\": null, \"d\": null}\n") == 0);
  char buf[32];
  CHECK(pf_format_double(300, buf, sizeof buf) == 5 && strcmp(buf, "300.0") == 0);
  CHECK(pf_format_double(1e-5, buf, sizeof buf) > 0 && strcmp(buf, "1e-05") == 0);
  CHECK(pf_format_double(0.1 + 0.2, buf, sizeof buf) > 0 && strcmp(buf, "0.30000000000000004") == 0);
  pf_table_free(t);
}

static volatile sig_atomic_t stop_flag;

static void test_interrupt(void) {
  pf_ctx ctx = { NULL, NULL, &stop_flag };
  size_t n = 200000;
  pf_column *c = pf_column_new(&ctx, PF_FT_INT, -1, "k");
  pf_column_setlen(c, n);
  size_t *perm = malloc(n * sizeof *perm);
  for (size_t i = 0; i < n; i++) {
    ((int64_t *)(void *)c->data)[i] = (int64_t)(n - i);
    pf_column_setvalid(c, i);
    perm[i] = i;
  }
  pf_colref r = { c, 0, n };
  stop_flag = 1;
  pf_groups g;
  int rc;
  CHECK(pf_sort(&ctx, &r, NULL, 1, perm, n) == PF_TABLE_EINTR);
  CHECK(pf_groups_make(&ctx, &r, 1, 1, 0, &g) == PF_TABLE_EINTR && g.gid == NULL);
  CHECK(pf_column_take(&ctx, r, perm, n, "x", &rc) == NULL && rc == PF_TABLE_EINTR);
  pf_operand a = { PF_OPD_COL, r, 0, 0, PF_FT_NONE, { 0 } };
  CHECK(pf_arith(&ctx, PF_OP_ADD, &a, &a, n, "x", &rc) == NULL && rc == PF_TABLE_EINTR);
  stop_flag = 0;
  CHECK(pf_sort(&ctx, &r, NULL, 1, perm, n) == PF_TABLE_OK && perm[0] == n - 1);
  free(perm);
  pf_column_release(c);
}

/* Each operation under an allocator failing its Nth call, for every N: a
   failure is reported, nothing leaks, no block is freed with a wrong size. */
static void test_out_of_memory(void) {
  int reported = 1, sizes_ok = 1, no_leak = 1, finished = 0;
  for (long n = 1; n < 3000 && !finished; n++) {
    counting cnt = { 0, n, 0, 0 };
    pf_ctx ctx = { count_alloc, &cnt, NULL };
    int rc = PF_TABLE_OK, ok = 1;
    pf_table *t = parse(&ctx, HOSTS);
    pf_groups g;
    memset(&g, 0, sizeof g);
    if (t) {
      pf_colref key = pf_table_colref(t, 0);
      if (pf_groups_make(&ctx, &key, 1, 1, 1, &g) == PF_TABLE_OK) {
        for (int fn = 0; fn < PF_AGG_N_; fn++) {
          pf_column *c = pf_agg(&ctx, &g, pf_table_colref(t, 2), fn, "x", &rc);
          if (c == NULL && rc != PF_TABLE_ENOMEM) reported = 0;
          if (c == NULL) ok = 0;
          pf_column_release(c);
        }
        pf_groups_free(&g);
      } else {
        ok = 0;
      }
      size_t perm[7] = { 0, 1, 2, 3, 4, 5, 6 };
      if (pf_sort(&ctx, &key, NULL, 1, perm, 7) != PF_TABLE_OK) ok = 0;
      pf_table *k = pf_table_take(&ctx, t, perm, 7, &rc);
      if (k == NULL && rc != PF_TABLE_ENOMEM) reported = 0;
      const pf_table *two[2] = { t, k ? k : t };
      int bt, bc;
      pf_table *c = pf_table_concat(&ctx, two, 2, &rc, &bt, &bc);
      if (c == NULL && rc != PF_TABLE_ENOMEM) reported = 0;
      size_t *lr, *rr, m;
      if (pf_join(&ctx, &key, &key, 1, 1, &lr, &rr, &m) == PF_TABLE_OK) {
        pf_ctx_alloc(&ctx, lr, m * sizeof(size_t), 0);
        pf_ctx_alloc(&ctx, rr, m * sizeof(size_t), 0);
      } else {
        ok = 0;
      }
      pf_groups b;
      size_t *oo;
      pf_time *bs;
      pf_table *tt = parse(&ctx, "frame.time_epoch\n1.5\n4.25\n");
      if (tt && pf_resample(&ctx, pf_table_colref(tt, 0), 1000000000, PF_ORIGIN_START_DAY, NULL, 100, &b, &oo, &bs) ==
                    PF_TABLE_OK) {
        pf_ctx_alloc(&ctx, oo, b.ngroups * sizeof(size_t), 0);
        pf_ctx_alloc(&ctx, bs, b.ngroups * sizeof(pf_time), 0);
        pf_groups_free(&b);
      } else {
        ok = 0;
      }
      pf_table_free(tt);
      pf_table_free(k);
      pf_table_free(c);
      pf_table_free(t);
      if (k == NULL || c == NULL) ok = 0;
    } else {
      ok = 0;
    }
    if (cnt.bad_osize) sizes_ok = 0;
    if (cnt.live != 0) no_leak = 0;
    if (ok && cnt.calls < n) finished = 1;   /* the Nth allocation was never reached */
  }
  CHECK(finished);
  CHECK(reported);
  CHECK(sizes_ok);
  CHECK(no_leak);
}

int main(void) {
  test_csv_types();
  test_slices_share();
  test_take_and_concat();
  test_sort();
  test_expressions();
  test_times();
  test_groups_and_aggs();
  test_join();
  test_filter_rows();
  test_writers();
  test_interrupt();
  test_out_of_memory();
  return check_report("test_verbs");
}
