/* test_query.c: unit tests of the read executor (exec.c), the streaming aggregation (query.c) and the memory
   budget (budget.c): the executor's verbs over a generated capture equal the rows collected then grouped
   (every aggregation, chunk sizes, the second pass), budgets reached at every size leak nothing, sizes parse
   as documented, allocation failures in the query leak nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "budget.h"
#include "check.h"
#include "csv.h"
#include "exec.h"
#include "filter.h"
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

typedef struct out { char buf[65536]; size_t len; } out;

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

/* Rows in three chunks (the header repeated), for the query's allocation failures. */
static const char *const CHUNKS[] = {
  "host,port,bytes,rtt\n" "a,80,100,0.5\n" "b,443,,0.25\n" "a,80,300,\n",
  "host,port,bytes,rtt\n" "c,,50,1.0\n" "b,443,200,0.75\n",
  "host,port,bytes,rtt\n" "a,22,100,0.125\n" ",80,70,2.0\n" "d,80,1,0.1\n",
};

/* ---- a generated capture: UDP from four hosts, ARP among them (null keys), times out of order, a cut end ---- */

#define NPKT 240
static char cap_path[64];
static int F_SRC, F_PORT, F_LEN, F_TIME;
static int npackets;   /* whole records written */

static void put16(unsigned char *p, unsigned v) { p[0] = (unsigned char)(v >> 8); p[1] = (unsigned char)v; }
static void le32(unsigned char *p, uint32_t v) {
  for (int i = 0; i < 4; i++) p[i] = (unsigned char)(v >> (8 * i));
}

/* One Ethernet frame for packet i into f: ARP every 9th, else IPv4/UDP. */
static size_t frame_of(int i, unsigned char *f) {
  memset(f, 0, 128);
  memset(f, 0xff, 6);
  f[6] = 2, f[11] = (unsigned char)(i % 4 + 1);
  if (i % 9 == 4) {
    put16(f + 12, 0x0806);
    put16(f + 14, 1), put16(f + 16, 0x0800), f[18] = 6, f[19] = 4, put16(f + 20, 1);
    return 14 + 28;
  }
  put16(f + 12, 0x0800);
  unsigned char *ip = f + 14;
  size_t pay = (size_t)(i % 50);
  ip[0] = 0x45;
  put16(ip + 2, (unsigned)(20 + 8 + pay));
  ip[8] = 64, ip[9] = 17;
  ip[12] = 10, ip[15] = (unsigned char)(i % 4 + 1);
  ip[16] = 10, ip[19] = 99;
  unsigned sum = 0;
  for (int k = 0; k < 20; k += 2) sum += (unsigned)(ip[k] << 8 | ip[k + 1]);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  put16(ip + 10, ~sum & 0xffff);
  unsigned char *udp = ip + 20;
  put16(udp, (unsigned)(1000 + i % 7));
  put16(udp + 2, 9999);
  put16(udp + 4, (unsigned)(8 + pay));
  for (size_t k = 0; k < pay; k++) udp[8 + k] = (unsigned char)('a' + k % 26);
  return 14 + 20 + 8 + pay;
}

/* Writes the capture; 0, or -1 (a failed check) when it cannot. */
static int make_capture(void) {
  F_SRC = pf_field_lookup("ip.src");
  F_PORT = pf_field_lookup("udp.srcport");
  F_LEN = pf_field_lookup("frame.len");
  F_TIME = pf_field_lookup("frame.time_epoch");
  CHECK(F_SRC >= 0 && F_PORT >= 0 && F_LEN >= 0 && F_TIME >= 0);
  snprintf(cap_path, sizeof cap_path, "/tmp/test_query_XXXXXX");
  int fd = mkstemp(cap_path);
  FILE *fp = fd >= 0 ? fdopen(fd, "wb") : NULL;
  CHECK(fp != NULL);
  if (fp == NULL) return -1;
  unsigned char gh[24] = { 0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0 };
  le32(gh + 16, 65535);
  le32(gh + 20, 1);
  fwrite(gh, 1, sizeof gh, fp);
  for (int i = 0; i < NPKT; i++) {
    unsigned char f[128], rh[16];
    size_t n = frame_of(i, f);
    /* 37 ms apart from 1000 s; every 23rd 150 ms and more before the first (not a whole interval) */
    int64_t us = i % 23 == 22 ? 1000000000 - 150000 - 1000 * (int64_t)i : 1000000000 + 37000 * (int64_t)i;
    le32(rh, (uint32_t)(us / 1000000));
    le32(rh + 4, (uint32_t)(us % 1000000));
    le32(rh + 8, (uint32_t)n);
    le32(rh + 12, (uint32_t)n);
    fwrite(rh, 1, sizeof rh, fp);
    fwrite(f, 1, i == NPKT - 1 ? n / 2 : n, fp);   /* the last record cut: a diagnostic */
  }
  npackets = NPKT - 1;
  return fclose(fp) == 0 ? 0 : -1;
}

static const char *const cap_paths[1] = { cap_path };

static void base_opts(pf_exec_opts *o) {
  memset(o, 0, sizeof *o);
  o->paths = cap_paths;
  o->npaths = 1;
  o->threads = 1;
}

static void verb_init(pf_exec_verb *v, int kind) {
  memset(v, 0, sizeof *v);
  v->kind = kind;
  v->bucket = -1;
  v->dropna = 1;
}

/* The four fields, the collected table's columns in order. */
static const int *allf(void) {
  static int f[4];
  f[0] = F_SRC, f[1] = F_PORT, f[2] = F_LEN, f[3] = F_TIME;
  return f;
}

/* Every row of the capture as the COLLECT verb reads it (opts o), or NULL. */
static pf_table *collect(const pf_exec_opts *o) {
  pf_exec x;
  pf_exec_init(&x);
  pf_exec_verb v;
  verb_init(&v, PF_EXEC_COLLECT);
  v.fids = allf();
  v.nfids = 4;
  pf_table *t = NULL;
  if (pf_exec_plan(&x, o, &v, 1) == PF_EXEC_OK && pf_exec_run(&x) == PF_EXEC_OK) {
    t = x.table;
    x.table = NULL;
  }
  pf_exec_free(&x);
  return t;
}

/* Query i's result as a table (max buckets max), or NULL with *rc. */
static pf_table *result_table(pf_exec *x, int i, int ncols, int sort, size_t max, int *rc) {
  pf_column *cols[1 + PF_AGG_N_];
  size_t nrows;
  const char *why;
  *rc = pf_query_result(x->query[i], &plain, sort, "frame.time_epoch", max, cols, &nrows, &why);
  if (*rc != PF_TABLE_OK) return NULL;
  pf_table *t = pf_table_build(&plain, ncols, cols, NULL, NULL, nrows);
  for (int k = 0; k < ncols; k++) pf_column_release(cols[k]);
  return t;
}

/* The specs of every aggregation defined for field fid's type. */
static int all_specs(int fid, pf_qspec *specs) {
  int n = 0;
  for (int fn = 0; fn < PF_AGG_N_; fn++) {
    if (!pf_agg_supports(fn, pf_fields[fid].type)) continue;
    specs[n].col = fid;
    specs[n].fn = fn;
    specs[n].name = pf_agg_names[fn];
    n++;
  }
  return n;
}

/* gb by ip.src over the collected t, specs over column col of t: the expected table. */
static pf_table *grouped(pf_table *t, int col, const pf_qspec *specs, int n, int sort, int dropna) {
  pf_colref kr = pf_table_colref(t, 0);
  pf_groups g;
  CHECK(pf_groups_make(&plain, &kr, 1, dropna, sort, &g) == PF_TABLE_OK);
  int rc;
  pf_column *want[1 + PF_AGG_N_];
  want[0] = pf_column_take_first(&plain, kr, g.first, g.ngroups, NULL, &rc);
  for (int k = 0; k < n; k++) want[1 + k] = pf_agg(&plain, &g, pf_table_colref(t, col), specs[k].fn, specs[k].name, &rc);
  pf_table *exp = pf_table_build(&plain, 1 + n, want, NULL, NULL, g.ngroups);
  for (int k = 0; k < 1 + n; k++) pf_column_release(want[k]);
  pf_groups_free(&g);
  return exp;
}

static int same_csv(const pf_table *a, const pf_table *b, const char *what) {
  char *x = a ? csv_of(a) : strdup("(none)"), *y = b ? csv_of(b) : strdup("(none)");
  int same = strcmp(x, y) == 0;
  if (!same) fprintf(stderr, "%s:\n%s---\n%s", what, x, y);
  free(x);
  free(y);
  return same;
}

/* Two display filters built in C: udp (run by the scan) and frame.len >= 60 (run by the executor's sink). */
static pf_filter *flt_udp, *flt_len;
static void make_filters(void) {
  char err[256];
  flt_udp = pf_filter_new();
  pf_filter_exists(flt_udp, pf_filter_protocol("udp"));
  flt_len = pf_filter_new();
  CHECK(pf_filter_cmp(flt_len, F_LEN, PF_CMP_GE, "60", 2, 0, err, sizeof err) >= 0);
}

/* AGG verbs (groupby ip.src, every aggregation of each other column) equal the collected rows grouped by
   groupby.c, for every chunk size, sort and dropna, with and without filters. */
static void test_exec_groupby(void) {
  static const size_t chunks[] = { 1, 2, 3, 7, 0 };
  make_filters();
  const pf_filter *fl[2] = { flt_udp, flt_len };
  for (int filtered = 0; filtered <= 1; filtered++) {
    pf_exec_opts o;
    base_opts(&o);
    if (filtered) o.filters = fl, o.nfilters = 2;
    pf_table *t = collect(&o);
    CHECK(t != NULL && pf_table_nrows(t) > 20);
    if (t == NULL) continue;
    CHECK(pf_table_diag(t)->n == 1);   /* the cut record */
    if (!filtered) CHECK(pf_table_nrows(t) == (size_t)npackets);
    for (int col = 1; col < 4; col++) {
      pf_qspec specs[PF_AGG_N_];
      int n = all_specs(allf()[col], specs);
      for (int sort = 0; sort <= 1; sort++) {
        for (int dropna = 0; dropna <= 1; dropna++) {
          pf_table *exp = grouped(t, col, specs, n, sort, dropna);
          for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
            o.chunk_rows = chunks[c];
            pf_exec_verb v;
            verb_init(&v, PF_EXEC_AGG);
            v.keys = &F_SRC;
            v.nkeys = 1;
            v.dropna = dropna;
            v.specs = specs;
            v.nspecs = n;
            pf_exec x;
            pf_exec_init(&x);
            int rc = pf_exec_plan(&x, &o, &v, 1);
            if (rc == PF_EXEC_OK) rc = pf_exec_run(&x);
            CHECK(rc == PF_EXEC_OK && x.count == pf_table_nrows(t) && x.diag.n == 1);
            pf_table *got = rc == PF_EXEC_OK ? result_table(&x, 0, 1 + n, sort, 1000, &rc) : NULL;
            CHECK(got != NULL);
            char what[96];
            snprintf(what, sizeof what, "filtered %d col %d sort %d dropna %d chunk %zu", filtered, col, sort, dropna,
                     chunks[c]);
            CHECK(same_csv(got, exp, what));
            pf_table_free(got);
            pf_exec_free(&x);
          }
          pf_table_free(exp);
        }
      }
    }
    pf_table_free(t);
  }
  pf_filter_free(flt_udp);
  pf_filter_free(flt_len);
}

/* Time buckets (an AGG verb with a bucket column) equal pf_resample's over the collected rows, for each origin
   and chunk size: times before the first move origin start by no whole interval, so the executor's second
   pass (with pf_query_misplaced's origin) must place them; its diagnostics are the second pass's only. */
static void test_exec_buckets(void) {
  static const int64_t ivs[] = { 1000000000, 300000000, 7 };
  static const size_t chunks[] = { 1, 5, 0 };
  pf_exec_opts o;
  base_opts(&o);
  pf_table *t = collect(&o);
  CHECK(t != NULL);
  if (t == NULL) return;
  pf_qspec s[4] = { { F_LEN, PF_AGG_SUM, "s" }, { F_LEN, PF_AGG_SIZE, "n" }, { F_TIME, PF_AGG_MEAN, "m" },
                    { F_PORT, PF_AGG_MEDIAN, "md" } };
  int tcol[4] = { 2, 2, 3, 1 };   /* the columns of t they read */
  int ranges = 0, second = 0;
  for (int origin = PF_ORIGIN_START_DAY; origin <= PF_ORIGIN_START; origin++) {
    for (size_t iv = 0; iv < sizeof ivs / sizeof ivs[0]; iv++) {
      /* one pass over the rows in order misplaces these buckets: the executor needs its second */
      int tc = 3;
      pf_qspec one = { 2, PF_AGG_SUM, "s" };
      pf_query *q1 = pf_query_new(&plain, t, NULL, 0, 1, tc, ivs[iv], origin, &one, 1);
      size_t bad;
      pf_time org1;
      CHECK(q1 != NULL && pf_query_add(q1, t, &bad) == PF_TABLE_OK);
      second += q1 && pf_query_misplaced(q1, &org1);
      pf_query_free(q1);
      for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
        size_t max = iv == 2 ? 10 : 1000;   /* 7 ns buckets over 9 s: too many */
        o.chunk_rows = chunks[c];
        pf_exec_verb v;
        verb_init(&v, PF_EXEC_AGG);
        v.bucket = F_TIME;
        v.interval = ivs[iv];
        v.origin = origin;
        v.specs = s;
        v.nspecs = 4;
        pf_exec x;
        pf_exec_init(&x);
        int rc = pf_exec_plan(&x, &o, &v, 1);
        if (rc == PF_EXEC_OK) rc = pf_exec_run(&x);
        CHECK(rc == PF_EXEC_OK && x.count == (size_t)npackets && x.diag.n == 1);
        pf_time org;
        CHECK(rc != PF_EXEC_OK || !pf_query_misplaced(x.query[0], &org));
        int qrc = PF_TABLE_ERANGE;
        pf_table *got = rc == PF_EXEC_OK ? result_table(&x, 0, 5, 0, max, &qrc) : NULL;
        pf_groups g;
        size_t *outer_of;
        pf_time *bstart;
        int wrc = pf_resample(&plain, pf_table_colref(t, 3), ivs[iv], origin, NULL, max, &g, &outer_of, &bstart);
        CHECK(qrc == wrc);
        ranges += qrc == PF_TABLE_ERANGE;
        if (qrc == PF_TABLE_OK && wrc == PF_TABLE_OK) {
          pf_column *want[5];
          want[0] = pf_column_new(&plain, PF_FT_ABSTIME, -1, "frame.time_epoch");
          pf_column_setlen(want[0], g.ngroups);
          for (size_t k = 0; k < g.ngroups; k++) {
            ((pf_time *)(void *)want[0]->data)[k] = bstart[k];
            pf_column_setvalid(want[0], k);
          }
          int arc;
          for (int k = 0; k < 4; k++) want[1 + k] = pf_agg(&plain, &g, pf_table_colref(t, tcol[k]), s[k].fn, s[k].name, &arc);
          pf_table *exp = pf_table_build(&plain, 5, want, NULL, NULL, g.ngroups);
          char what[96];
          snprintf(what, sizeof what, "origin %d interval %lld chunk %zu", origin, (long long)ivs[iv], chunks[c]);
          CHECK(same_csv(got, exp, what));
          for (int k = 0; k < 5; k++) pf_column_release(want[k]);
          pf_table_free(exp);
        }
        if (wrc == PF_TABLE_OK) {
          free(outer_of);
          free(bstart);
          pf_groups_free(&g);
        }
        pf_table_free(got);
        pf_exec_free(&x);
      }
    }
  }
  CHECK(ranges == 3 * 3);   /* 7 ns buckets too many, for each origin and chunk size */
  CHECK(second >= 2);       /* origin start moved by 0.15 s and more */
  pf_table_free(t);
}

/* Several verbs in one pass (q:run) give what each gives alone; strict, a bad BPF expression, a missing file. */
static void test_exec_run(void) {
  pf_exec_opts o;
  base_opts(&o);
  pf_qspec sz = { F_LEN, PF_AGG_SIZE, "size" }, sum = { F_LEN, PF_AGG_SUM, "sum" };
  pf_exec_verb v[3];
  verb_init(&v[0], PF_EXEC_AGG);
  v[0].keys = &F_PORT, v[0].nkeys = 1, v[0].specs = &sz, v[0].nspecs = 1;
  verb_init(&v[1], PF_EXEC_COUNT);
  verb_init(&v[2], PF_EXEC_AGG);
  v[2].bucket = F_TIME, v[2].interval = 300000000, v[2].origin = PF_ORIGIN_START, v[2].specs = &sum, v[2].nspecs = 1;
  pf_exec all;
  pf_exec_init(&all);
  CHECK(pf_exec_plan(&all, &o, v, 3) == PF_EXEC_OK && pf_exec_run(&all) == PF_EXEC_OK);
  CHECK(all.count == (size_t)npackets);
  for (int i = 0; i < 3; i += 2) {
    pf_exec one;
    pf_exec_init(&one);
    CHECK(pf_exec_plan(&one, &o, &v[i], 1) == PF_EXEC_OK && pf_exec_run(&one) == PF_EXEC_OK);
    int rc1, rc2;
    pf_table *a = result_table(&all, i, 2, 1, 1000, &rc1), *b = result_table(&one, 0, 2, 1, 1000, &rc2);
    CHECK(rc1 == PF_TABLE_OK && rc2 == PF_TABLE_OK && same_csv(a, b, "q:run"));
    pf_table_free(a);
    pf_table_free(b);
    pf_exec_free(&one);
  }
  pf_exec_free(&all);
  /* strict: only the rows with every strict field */
  int strict[2] = { F_SRC, F_PORT };
  o.strict = strict, o.nstrict = 2;
  pf_table *t = collect(&o);
  CHECK(t != NULL && pf_table_nrows(t) > 0 && pf_table_nrows(t) < (size_t)npackets);
  for (size_t r = 0; t && r < pf_table_nrows(t); r++) CHECK(pf_column_valid(pf_table_col(t, 1), r));
  pf_table_free(t);
  o.nstrict = 0;
  /* COLLECT, EACH and ROWS run alone */
  pf_exec x;
  pf_exec_init(&x);
  verb_init(&v[1], PF_EXEC_COLLECT);
  CHECK(pf_exec_plan(&x, &o, v, 2) == PF_EXEC_FAIL);
  pf_exec_free(&x);
  /* a bad BPF expression before any file; a missing file during the pass, named */
  char err[512];
  CHECK(pf_exec_check_bpf("udp", err, sizeof err) == 0);
  CHECK(pf_exec_check_bpf("udp and and", err, sizeof err) == -1 && strstr(err, "bad capture filter") != NULL);
  o.bpf = "udp and and";
  o.check_bpf = 1;
  pf_exec_init(&x);
  verb_init(&v[1], PF_EXEC_COUNT);
  CHECK(pf_exec_plan(&x, &o, &v[1], 1) == PF_EXEC_BADBPF && strstr(x.err, "bad capture filter") != NULL);
  pf_exec_free(&x);
  base_opts(&o);
  const char *two[2] = { cap_path, "/nonexistent/x.pcap" };
  o.paths = two, o.npaths = 2;
  pf_exec_init(&x);
  CHECK(pf_exec_plan(&x, &o, &v[1], 1) == PF_EXEC_OK && pf_exec_run(&x) == PF_EXEC_FAIL);
  CHECK(strstr(x.err, "/nonexistent/x.pcap") != NULL);
  pf_exec_free(&x);
}

/* A budget reached at every size from nothing to enough: the first packet's number and what was held, or
   the message before the first packet; never a crash, nothing left allocated (ASan), results equal without. */
static void test_exec_budget(void) {
  pf_exec_opts o;
  base_opts(&o);
  pf_qspec specs[3] = { { F_LEN, PF_AGG_MEDIAN, "m" }, { F_PORT, PF_AGG_NUNIQUE, "u" }, { F_TIME, PF_AGG_MAX, "x" } };
  pf_exec_verb agg, col;
  verb_init(&agg, PF_EXEC_AGG);
  agg.keys = &F_SRC, agg.nkeys = 1, agg.specs = specs, agg.nspecs = 3;
  verb_init(&col, PF_EXEC_COLLECT);
  col.fids = allf(), col.nfids = 4;
  pf_exec x;
  pf_exec_init(&x);
  CHECK(pf_exec_plan(&x, &o, &agg, 1) == PF_EXEC_OK && pf_exec_run(&x) == PF_EXEC_OK);
  int rc;
  pf_table *want = result_table(&x, 0, 4, 0, 1000, &rc);
  pf_exec_free(&x);
  int outcomes[2][4] = { { 0 } };   /* per verb: ok, budget at a packet, before the first, other */
  for (int k = 0; k < 2; k++) {
    for (size_t limit = 64; limit < 96 * 1024; limit += limit / 8 + 16) {
      o.budget = 1;
      o.max_memory = limit;
      o.chunk_rows = k == 0 ? 16 : 0;
      pf_exec_init(&x);
      rc = pf_exec_plan(&x, &o, k == 0 ? &agg : &col, 1);
      if (rc == PF_EXEC_OK) rc = pf_exec_run(&x);
      if (rc == PF_EXEC_OK) {
        outcomes[k][0]++;
        if (k == 0) {
          int qrc;
          pf_table *got = result_table(&x, 0, 4, 0, 1000, &qrc);
          CHECK(same_csv(got, want, "budget"));
          pf_table_free(got);
        } else {
          CHECK(x.table != NULL && pf_table_nrows(x.table) == (size_t)npackets);
        }
      } else if (rc == PF_EXEC_BUDGET) {
        outcomes[k][1]++;
        CHECK(x.err_file == 0 && x.err_num >= 1 && x.err_num <= (uint64_t)npackets);
        CHECK(x.err_groups == (k == 0) && x.err_bytes <= limit);
        CHECK(k == 0 ? x.err_held <= 4 : x.err_held < (size_t)npackets);
        CHECK(x.table == NULL && x.query[0] == NULL);
      } else if (rc == PF_EXEC_FAIL) {
        outcomes[k][2]++;
        CHECK(strcmp(x.err, "memory budget reached before the first packet") == 0);
      } else {
        outcomes[k][3]++;
      }
      pf_exec_free(&x);
    }
    CHECK(outcomes[k][0] > 0 && outcomes[k][1] > 0 && outcomes[k][2] > 0 && outcomes[k][3] == 0);
  }
  pf_table_free(want);
}

/* EACH: a call per row with that row, false stops, an error names its packet; ROWS: the sink stops the pass. */
typedef struct calls {
  int n, stop_at, fail_at;
  int bad;
} calls;

static int each_fn(void *ud, const pf_table *row, const pf_pkt *p) {
  calls *c = (calls *)ud;
  c->n++;
  if (pf_table_nrows(row) != 1 || pf_table_ncols(row) != 4 || p == NULL) c->bad = 1;
  if (c->n == c->fail_at) return -1;
  return c->n == c->stop_at;
}

static int rows_fn(void *ud, const pf_pkt *p) {
  calls *c = (calls *)ud;
  (void)p;
  return ++c->n == c->stop_at;
}

static void test_exec_callbacks(void) {
  pf_exec_opts o;
  base_opts(&o);
  pf_exec_verb v;
  verb_init(&v, PF_EXEC_EACH);
  v.fids = allf(), v.nfids = 4, v.each = each_fn;
  for (int k = 0; k < 3; k++) {
    calls c = { 0, k == 1 ? 10 : 0, k == 2 ? 5 : 0, 0 };
    v.ud = &c;
    pf_exec x;
    pf_exec_init(&x);
    int rc = pf_exec_plan(&x, &o, &v, 1);
    if (rc == PF_EXEC_OK) rc = pf_exec_run(&x);
    CHECK(!c.bad);
    if (k == 0) CHECK(rc == PF_EXEC_OK && c.n == npackets && x.count == (size_t)npackets);
    if (k == 1) CHECK(rc == PF_EXEC_OK && c.n == 10 && x.count == 10);
    if (k == 2) CHECK(rc == PF_EXEC_CALLBACK && c.n == 5 && x.err_file == 0 && x.err_num == 5);
    pf_exec_free(&x);
  }
  verb_init(&v, PF_EXEC_ROWS);
  v.fids = allf(), v.nfids = 4, v.rows = rows_fn;
  for (int k = 0; k < 2; k++) {
    calls c = { 0, k ? 3 : 0, 0, 0 };
    v.ud = &c;
    pf_exec x;
    pf_exec_init(&x);
    int rc = pf_exec_plan(&x, &o, &v, 1);
    if (rc == PF_EXEC_OK) rc = pf_exec_run(&x);
    CHECK(k ? rc == PF_EXEC_STOPPED && c.n == 3 : rc == PF_EXEC_OK && c.n == npackets);
    CHECK(x.diag.n == (k ? 0 : 1));
    pf_exec_free(&x);
  }
}

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
  test_nan_keys();
  test_value_counts_finish();
  if (make_capture() == 0) {
    test_exec_groupby();
    test_exec_buckets();
    test_exec_run();
    test_exec_budget();
    test_exec_callbacks();
    remove(cap_path);
  }
  test_out_of_memory();
  return check_report("test_query");
}
