/* test_table.c: unit tests of the columnar table: append, nulls, occurrences, growth, sharing, text, memory. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "decode.h"
#include "pf.h"
#include "table.h"

/* ---- building packets by hand ---- */

static pf_pkt *pkt;    /* one, reused: it is large */

static void pkt_reset(void) {
  for (int i = 0; i < PF_NFIELDS; i++) pkt->first[i] = -1;
  pkt->nvals = 0;
  pkt->scratch_used = 0;
}

/* A new occurrence of fid, chained after the earlier ones. */
static pf_val *emit(int fid) {
  int i = pkt->nvals++;
  pf_val *v = &pkt->vals[i];
  memset(v, 0, sizeof *v);
  v->fid = (uint16_t)fid;
  v->next = -1;
  if (pkt->first[fid] < 0) {
    pkt->first[fid] = (int16_t)i;
  } else {
    int j = pkt->first[fid];
    while (pkt->vals[j].next >= 0) j = pkt->vals[j].next;
    pkt->vals[j].next = (int16_t)i;
  }
  return v;
}

static void emit_u(int fid, uint64_t u) { emit(fid)->v.u = u; }
static void emit_a(int fid, const uint8_t *a, size_t n) { memcpy(emit(fid)->v.a, a, n); }
static void emit_t(int fid, int64_t s, int32_t ns) {
  pf_val *v = emit(fid);
  v->v.t.secs = s;
  v->v.t.nsecs = ns;
}
static void emit_s(int fid, const uint8_t *s, uint32_t n) {
  pf_val *v = emit(fid);
  v->v.s.p = s;
  v->v.s.len = n;
}

static const uint8_t ip_a[4] = { 10, 0, 0, 1 }, ip_b[4] = { 192, 168, 1, 254 };
static const uint8_t mac[6] = { 0x00, 0x0c, 0x29, 0x1f, 0x74, 0x06 };
static const uint8_t ip6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };

/* ---- output collected from the writers ---- */

typedef struct out { char buf[65536]; size_t len; int limit; int calls; } out;   /* limit: calls allowed, -1 any */

static int out_write(void *ud, const char *s, size_t n) {
  out *o = (out *)ud;
  if (o->limit >= 0 && ++o->calls > o->limit) return 1;
  if (o->len + n >= sizeof o->buf) return 1;
  memcpy(o->buf + o->len, s, n);
  o->len += n;
  o->buf[o->len] = 0;
  return 0;
}

static char *csv_of(const pf_table *t) {
  static out o;
  o.len = 0;
  o.buf[0] = 0;
  o.limit = -1;
  return pf_table_csv(t, out_write, &o) == PF_TABLE_OK ? o.buf : NULL;
}

static char *render_of(const pf_table *t, const pf_render_opts *opts) {
  static out o;
  o.len = 0;
  o.buf[0] = 0;
  o.limit = -1;
  return pf_table_render(t, opts, out_write, &o) == PF_TABLE_OK ? o.buf : NULL;
}

/* ---- allocator that counts, checks sizes and fails on request ---- */

typedef struct counting {
  long calls;       /* allocations and growths so far */
  long fail_at;     /* the call number that fails (0: none) */
  long live;        /* bytes held */
  int bad_osize;
} counting;

/* Each block is preceded by its size, so a wrong osize is caught. */
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

/* ---- cases ---- */

static void test_append_and_nulls(void) {
  int fids[] = { PF_F_FRAME_NUMBER, PF_F_IP_SRC, PF_F_TCP_SRCPORT, PF_F_ETH_SRC };
  pf_table *t = pf_table_new(fids, 4, NULL, NULL);
  CHECK(t != NULL);
  CHECK(pf_table_nrows(t) == 0 && pf_table_ncols(t) == 4);
  pkt_reset();
  emit_u(PF_F_FRAME_NUMBER, 1);
  emit_a(PF_F_IP_SRC, ip_a, 4);
  emit_u(PF_F_TCP_SRCPORT, 443);
  emit_a(PF_F_ETH_SRC, mac, 6);
  CHECK(pf_table_append(t, pkt) == PF_TABLE_OK);
  pkt_reset();
  emit_u(PF_F_FRAME_NUMBER, 2);     /* an ARP frame: no IP, no TCP, no Ethernet field asked */
  CHECK(pf_table_append(t, pkt) == PF_TABLE_OK);
  CHECK(pf_table_nrows(t) == 2);
  const pf_column *ip = pf_table_col(t, 1);
  CHECK(pf_column_valid(ip, 0) && !pf_column_valid(ip, 1));
  CHECK(pf_column_count(ip, 0) == 1 && pf_column_count(ip, 1) == 0);
  pf_val v;
  CHECK(pf_column_get(ip, 0, 0, &v) == 1 && memcmp(v.v.a, ip_a, 4) == 0);
  CHECK(pf_column_get(ip, 1, 0, &v) == 0);
  CHECK(pf_column_get(ip, 0, 1, &v) == 0);
  CHECK(pf_column_get(ip, 7, 0, &v) == 0);
  CHECK(pf_column_get(pf_table_col(t, 2), 0, 0, &v) == 1 && v.v.u == 443);
  CHECK(pf_table_find(t, "tcp.srcport") == 2 && pf_table_find(t, "tcp.dstport") == -1);
  CHECK(strcmp(pf_column_name(ip), "ip.src") == 0);
  CHECK(pf_table_col(t, 4) == NULL && pf_table_col(t, -1) == NULL);
  char buf[64];
  CHECK(pf_table_format_cell(t, 0, 1, 0, buf, sizeof buf) == 8 && strcmp(buf, "10.0.0.1") == 0);
  CHECK(pf_table_format_cell(t, 0, 3, 0, buf, sizeof buf) == 17 && strcmp(buf, "00:0c:29:1f:74:06") == 0);
  CHECK(pf_table_format_cell(t, 1, 1, 0, buf, sizeof buf) == -1 && buf[0] == 0);
  CHECK(pf_table_format_cell(t, 2, 0, 0, buf, sizeof buf) == -1);
  pf_table_free(t);
  pf_table_free(NULL);
}

static void test_has_all(void) {
  int fids[] = { PF_F_IP_SRC, PF_F_TCP_LEN };
  pf_table *t = pf_table_new(fids, 2, NULL, NULL);
  pkt_reset();
  emit_a(PF_F_IP_SRC, ip_a, 4);
  CHECK(!pf_table_has_all(t, pkt));
  emit_u(PF_F_TCP_LEN, 0);
  CHECK(pf_table_has_all(t, pkt));
  pf_table_free(t);
}

static void test_multi_occurrence(void) {
  int fids[] = { PF_F_IP_SRC, PF_F_FRAME_NUMBER };
  pf_table *t = pf_table_new(fids, 2, NULL, NULL);
  for (int r = 0; r < 5; r++) {
    pkt_reset();
    emit_u(PF_F_FRAME_NUMBER, (uint64_t)r + 1);
    emit_a(PF_F_IP_SRC, ip_a, 4);
    if (r == 1 || r == 3) emit_a(PF_F_IP_SRC, ip_b, 4);   /* an ICMP error quoting a header */
    if (r == 3) emit_a(PF_F_IP_SRC, ip_a, 4);
    CHECK(pf_table_append(t, pkt) == PF_TABLE_OK);
  }
  const pf_column *c = pf_table_col(t, 0);
  CHECK(pf_column_count(c, 0) == 1);
  CHECK(pf_column_count(c, 1) == 2);
  CHECK(pf_column_count(c, 2) == 1);
  CHECK(pf_column_count(c, 3) == 3);
  pf_val v;
  CHECK(pf_column_get(c, 1, 0, &v) && memcmp(v.v.a, ip_a, 4) == 0);   /* the first is the typed value */
  CHECK(pf_column_get(c, 1, 1, &v) && memcmp(v.v.a, ip_b, 4) == 0);
  CHECK(!pf_column_get(c, 1, 2, &v));
  CHECK(pf_column_get(c, 3, 2, &v) && memcmp(v.v.a, ip_a, 4) == 0);
  char buf[32];
  CHECK(pf_column_format(c, 3, 1, buf, sizeof buf) == 13 && strcmp(buf, "192.168.1.254") == 0);
  const char *csv = csv_of(t);
  CHECK(csv != NULL && strcmp(csv, "ip.src,frame.number\n"
                                   "10.0.0.1,1\n"
                                   "\"10.0.0.1,192.168.1.254\",2\n"
                                   "10.0.0.1,3\n"
                                   "\"10.0.0.1,192.168.1.254,10.0.0.1\",4\n"
                                   "10.0.0.1,5\n") == 0);
  pf_table_free(t);
}

static void test_types_and_formatting(void) {
  int fids[] = { PF_F_FRAME_TIME_EPOCH, PF_F_FRAME_TIME_DELTA, PF_F_ETH_TYPE, PF_F_IPV6_SRC, PF_F_ETH_PADDING,
                 PF_F_IP_FLAGS_DF, PF_F_TCP_WINDOW_SIZE_SCALEFACTOR };
  pf_table *t = pf_table_new(fids, 7, NULL, NULL);
  static const uint8_t pad[6] = { 0, 0, 0, 0, 0xde, 0xad };
  uint8_t packet[6];
  memcpy(packet, pad, sizeof packet);
  pkt_reset();
  emit_t(PF_F_FRAME_TIME_EPOCH, 1418145369, 924505488);
  emit_t(PF_F_FRAME_TIME_DELTA, -1, -200000);
  emit_u(PF_F_ETH_TYPE, 0x0800);
  emit_a(PF_F_IPV6_SRC, ip6, 16);
  emit_s(PF_F_ETH_PADDING, packet, 6);
  emit_u(PF_F_IP_FLAGS_DF, 1);
  emit(PF_F_TCP_WINDOW_SIZE_SCALEFACTOR)->v.i = -2;
  CHECK(pf_table_append(t, pkt) == PF_TABLE_OK);
  memset(packet, 0xff, sizeof packet);   /* the table copied the bytes out of the packet */
  pkt_reset();
  emit_s(PF_F_ETH_PADDING, packet, 0);   /* present but empty */
  CHECK(pf_table_append(t, pkt) == PF_TABLE_OK);
  char buf[64];
  CHECK(pf_table_format_cell(t, 0, 0, 0, buf, sizeof buf) > 0 && strcmp(buf, "1418145369.924505488") == 0);
  CHECK(pf_table_format_cell(t, 0, 1, 0, buf, sizeof buf) > 0 && strcmp(buf, "-1.000200000") == 0);
  CHECK(pf_table_format_cell(t, 0, 2, 0, buf, sizeof buf) > 0 && strcmp(buf, "0x0800") == 0);
  CHECK(pf_table_format_cell(t, 0, 3, 0, buf, sizeof buf) > 0 && strcmp(buf, "2001:db8::1") == 0);
  CHECK(pf_table_format_cell(t, 0, 4, 0, buf, sizeof buf) == 12 && strcmp(buf, "00000000dead") == 0);
  CHECK(pf_table_format_cell(t, 0, 5, 0, buf, sizeof buf) == 1 && strcmp(buf, "1") == 0);
  CHECK(pf_table_format_cell(t, 0, 6, 0, buf, sizeof buf) == 2 && strcmp(buf, "-2") == 0);
  CHECK(pf_table_format_cell(t, 1, 4, 0, buf, sizeof buf) == 0 && strcmp(buf, "") == 0);
  CHECK(pf_table_format_cell(t, 1, 0, 0, buf, sizeof buf) == -1);
  /* a buffer too small: the length needed, as snprintf */
  CHECK(pf_table_format_cell(t, 0, 0, 0, buf, 5) == 20);
  pf_val v;
  CHECK(pf_column_get(pf_table_col(t, 1), 0, 0, &v) && v.v.t.secs == -1 && v.v.t.nsecs == -200000);
  CHECK(pf_column_get(pf_table_col(t, 6), 0, 0, &v) && v.v.i == -2);
  pf_table_free(t);
}

static void test_growth(void) {
  int fids[] = { PF_F_FRAME_NUMBER, PF_F_IP_SRC, PF_F_ETH_TRAILER };
  pf_table *t = pf_table_new(fids, 3, NULL, NULL);
  uint8_t bytes[3];
  int ok = 1;
  for (uint64_t r = 0; r < 100000 && ok; r++) {
    pkt_reset();
    emit_u(PF_F_FRAME_NUMBER, r + 1);
    if (r % 3 == 0) {
      uint8_t a[4] = { 10, (uint8_t)(r >> 16), (uint8_t)(r >> 8), (uint8_t)r };
      emit_a(PF_F_IP_SRC, a, 4);
    }
    if (r % 1000 == 7) emit_a(PF_F_IP_SRC, ip_b, 4);
    bytes[0] = (uint8_t)r;
    bytes[1] = (uint8_t)(r >> 8);
    bytes[2] = (uint8_t)(r >> 16);
    if (r % 2) emit_s(PF_F_ETH_TRAILER, bytes, 3);
    ok = pf_table_append(t, pkt) == PF_TABLE_OK;
  }
  CHECK(ok && pf_table_nrows(t) == 100000);
  const pf_column *num = pf_table_col(t, 0), *ip = pf_table_col(t, 1), *tr = pf_table_col(t, 2);
  int good = 1;
  pf_val v;
  for (size_t r = 0; r < 100000; r++) {
    if (!pf_column_get(num, r, 0, &v) || v.v.u != r + 1) good = 0;
    size_t want = (r % 3 == 0) + (r % 1000 == 7);
    if (pf_column_count(ip, r) != want) good = 0;
    if (r % 3 == 0 && (!pf_column_get(ip, r, 0, &v) || v.v.a[3] != (uint8_t)r || v.v.a[2] != (uint8_t)(r >> 8)))
      good = 0;
    if (r % 2) {
      if (!pf_column_get(tr, r, 0, &v) || v.v.s.len != 3 || v.v.s.p[0] != (uint8_t)r ||
          v.v.s.p[2] != (uint8_t)(r >> 16))
        good = 0;
    } else if (pf_column_valid(tr, r)) {
      good = 0;
    }
  }
  CHECK(good);
  CHECK(pf_column_count(ip, 7) == 1 && pf_column_get(ip, 7, 0, &v) && memcmp(v.v.a, ip_b, 4) == 0);
  CHECK(pf_column_count(ip, 2007) == 2);   /* 2007 % 3 == 0: its own address, then ip_b */
  CHECK(pf_column_get(ip, 2007, 1, &v) && memcmp(v.v.a, ip_b, 4) == 0);
  pf_table_free(t);
}

static void test_head_shares(void) {
  int fids[] = { PF_F_FRAME_NUMBER, PF_F_ETH_PADDING };
  pf_table *t = pf_table_new(fids, 2, NULL, NULL);
  static const uint8_t pad[2] = { 0, 0 };
  for (uint64_t r = 1; r <= 10; r++) {
    pkt_reset();
    emit_u(PF_F_FRAME_NUMBER, r);
    emit_s(PF_F_ETH_PADDING, pad, 2);
    pf_table_append(t, pkt);
  }
  pf_diag_add(pf_table_diag(t), "x.pcap: packet 11 at offset 900: truncated record");
  pf_table *h = pf_table_head(t, 3);
  CHECK(h != NULL && pf_table_nrows(h) == 3 && pf_table_ncols(h) == 2);
  CHECK(pf_table_col(h, 0) == pf_table_col(t, 0));   /* shared, not copied */
  CHECK(pf_table_col(h, 0)->refs == 2);
  CHECK(pf_table_diag(h)->n == 1 && strstr(pf_table_diag(h)->msgs[0], "packet 11") != NULL);
  char buf[16];
  CHECK(pf_table_format_cell(h, 2, 0, 0, buf, sizeof buf) == 1 && strcmp(buf, "3") == 0);
  CHECK(pf_table_format_cell(h, 3, 0, 0, buf, sizeof buf) == -1);   /* beyond the head */
  pkt_reset();
  emit_u(PF_F_FRAME_NUMBER, 99);
  CHECK(pf_table_append(h, pkt) == PF_TABLE_EFROZEN);
  CHECK(pf_table_append(t, pkt) == PF_TABLE_OK);   /* the source grows; the head does not see it */
  CHECK(pf_table_nrows(t) == 11 && pf_table_nrows(h) == 3);
  pf_table *big = pf_table_head(t, 1000);
  CHECK(big != NULL && pf_table_nrows(big) == 11);
  pf_table *none = pf_table_head(t, 0);
  CHECK(none != NULL && pf_table_nrows(none) == 0);
  CHECK(strcmp(csv_of(none), "frame.number,eth.padding\n") == 0);
  pf_table_free(t);   /* the heads keep the columns alive */
  CHECK(pf_table_format_cell(h, 0, 1, 0, buf, sizeof buf) == 4 && strcmp(buf, "0000") == 0);
  CHECK(pf_table_col(h, 0)->refs == 3);
  pf_table_free(h);
  pf_table_free(big);
  pf_table_free(none);
}

static void test_render(void) {
  int fids[] = { PF_F_FRAME_NUMBER, PF_F_IP_SRC, PF_F_TCP_DSTPORT };
  pf_table *t = pf_table_new(fids, 3, NULL, NULL);
  pkt_reset();
  emit_u(PF_F_FRAME_NUMBER, 1);
  emit_a(PF_F_IP_SRC, ip_a, 4);
  emit_u(PF_F_TCP_DSTPORT, 80);
  pf_table_append(t, pkt);
  pkt_reset();
  emit_u(PF_F_FRAME_NUMBER, 2);
  emit_a(PF_F_IP_SRC, ip_b, 4);
  emit_a(PF_F_IP_SRC, ip_a, 4);
  pf_table_append(t, pkt);
  const char *s = render_of(t, NULL);
  CHECK(s != NULL && strcmp(s, "   frame.number  ip.src                  tcp.dstport\n"
                               "1             1  10.0.0.1                         80\n"
                               "2             2  192.168.1.254,10.0.0.1          nil\n"
                               "\n"
                               "[2 rows x 3 columns]") == 0);
  if (s && strncmp(s, "   frame", 8)) fprintf(stderr, "%s\n", s);
  /* narrow: the middle column gives way; long cells are cut */
  pf_render_opts narrow = { 34, 60, 10, 12, 0, 0, 0 };
  s = render_of(t, &narrow);
  CHECK(s != NULL && strcmp(s, "   frame.number  ...  tcp.dstport\n"
                               "1             1  ...           80\n"
                               "2             2  ...          nil\n"
                               "\n"
                               "[2 rows x 3 columns]") == 0);
  pf_render_opts cut = { 200, 60, 10, 12, 0, 0, 0 };
  s = render_of(t, &cut);
  CHECK(s != NULL && strstr(s, "192.168.1...") != NULL);
  pf_table_free(t);
}

static void test_render_long(void) {
  int fids[] = { PF_F_FRAME_NUMBER };
  pf_table *t = pf_table_new(fids, 1, NULL, NULL);
  for (uint64_t r = 1; r <= 100; r++) {
    pkt_reset();
    emit_u(PF_F_FRAME_NUMBER, r);
    pf_table_append(t, pkt);
  }
  const char *s = render_of(t, NULL);
  CHECK(s != NULL && strcmp(s, "     frame.number\n"
                               "1               1\n"
                               "2               2\n"
                               "3               3\n"
                               "4               4\n"
                               "5               5\n"
                               "...           ...\n"
                               "96             96\n"
                               "97             97\n"
                               "98             98\n"
                               "99             99\n"
                               "100           100\n"
                               "\n"
                               "[100 rows x 1 columns]") == 0);
  pf_table *h = pf_table_head(t, 0);
  s = render_of(h, NULL);
  CHECK(s != NULL && strcmp(s, "  frame.number\n\n[0 rows x 1 columns]") == 0);
  pf_table_free(h);
  /* a writer that stops is reported, not ignored */
  out o;
  o.len = 0;
  o.limit = 0;
  o.calls = 0;
  CHECK(pf_table_render(t, NULL, out_write, &o) == PF_TABLE_EWRITE);
  pf_table_free(t);
}

static void test_csv_empty_and_quotes(void) {
  int fids[] = { PF_F_FRAME_NUMBER, PF_F_VLAN_ID, PF_F_TCP_LEN };
  pf_table *t = pf_table_new(fids, 3, NULL, NULL);
  pkt_reset();
  emit_u(PF_F_FRAME_NUMBER, 1);
  emit_u(PF_F_VLAN_ID, 100);
  emit_u(PF_F_VLAN_ID, 200);
  pf_table_append(t, pkt);
  CHECK(strcmp(csv_of(t), "frame.number,vlan.id,tcp.len\n1,\"100,200\",\n") == 0);
  pf_table_free(t);
}

static void test_out_of_memory(void) {
  int fids[] = { PF_F_FRAME_NUMBER, PF_F_IP_SRC, PF_F_ETH_PADDING };
  static const uint8_t pad[4] = { 0, 0, 0, 0 };
  /* fail each allocation in turn: every failure is reported, none corrupts the table */
  int all_reported = 1, all_consistent = 1, finished = 0, sizes_ok = 1, no_leak = 1;
  for (long n = 1; n < 400 && !finished; n++) {
    counting c = { 0, n, 0, 0 };
    pf_table *t = pf_table_new(fids, 3, count_alloc, &c);
    if (t == NULL) {
      if (c.live != 0) no_leak = 0;
      continue;
    }
    size_t rows = 0;
    for (uint64_t r = 0; r < 300; r++) {
      pkt_reset();
      emit_u(PF_F_FRAME_NUMBER, r + 1);
      emit_a(PF_F_IP_SRC, ip_a, 4);
      if (r % 5 == 0) emit_a(PF_F_IP_SRC, ip_b, 4);
      emit_s(PF_F_ETH_PADDING, pad, 4);
      int rc = pf_table_append(t, pkt);
      if (rc == PF_TABLE_OK) rows++;
      else if (rc != PF_TABLE_ENOMEM) all_reported = 0;
    }
    if (pf_table_nrows(t) != rows) all_consistent = 0;
    for (size_t r = 0; r < rows; r++) {
      for (int j = 0; j < 3; j++)
        if (pf_column_count(pf_table_col(t, j), r) == 0) all_consistent = 0;
    }
    out o;
    o.len = 0;
    o.limit = -1;
    int rc = pf_table_csv(t, out_write, &o);
    if (rc != PF_TABLE_OK && rc != PF_TABLE_ENOMEM) all_reported = 0;
    rc = pf_table_render(t, NULL, out_write, &o);
    if (rc != PF_TABLE_OK && rc != PF_TABLE_ENOMEM && rc != PF_TABLE_EWRITE) all_reported = 0;
    pf_table *h = pf_table_head(t, 2);
    pf_table_free(h);
    pf_table_free(t);
    if (c.bad_osize) sizes_ok = 0;
    if (c.live != 0) no_leak = 0;
    if (c.calls < n) finished = 1;   /* the Nth allocation was never reached: all paths covered */
  }
  CHECK(finished);
  CHECK(all_reported);
  CHECK(all_consistent);
  CHECK(sizes_ok);
  CHECK(no_leak);
}

static void test_bad_ids(void) {
  int bad[] = { PF_F_FRAME_NUMBER, PF_NFIELDS };
  CHECK(pf_table_new(bad, 2, NULL, NULL) == NULL);
  int neg[] = { -1 };
  CHECK(pf_table_new(neg, 1, NULL, NULL) == NULL);
  pf_table *t = pf_table_new(NULL, 0, NULL, NULL);
  CHECK(t != NULL && pf_table_ncols(t) == 0);
  pkt_reset();
  CHECK(pf_table_append(t, pkt) == PF_TABLE_OK && pf_table_nrows(t) == 1);
  pf_table_free(t);
}

int main(void) {
  pkt = (pf_pkt *)malloc(sizeof *pkt);
  if (pkt == NULL) return 2;
  pf_pkt_init(pkt);
  test_append_and_nulls();
  test_has_all();
  test_multi_occurrence();
  test_types_and_formatting();
  test_growth();
  test_head_shares();
  test_render();
  test_render_long();
  test_csv_empty_and_quotes();
  test_out_of_memory();
  test_bad_ids();
  free(pkt);
  return check_report("test_table");
}
