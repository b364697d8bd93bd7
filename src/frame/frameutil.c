/* frameutil.c: small helpers the frame kernels share (see frameutil.h). */
#include "frameutil.h"

#include <string.h>

void *pf_arr_new(const pf_ctx *ctx, size_t n, size_t size) {
  if (n == 0) n = 1;
  if (n > (size_t)-1 / size) return NULL;
  return pf_ctx_alloc(ctx, NULL, 0, n * size);
}

void pf_arr_free(const pf_ctx *ctx, void *p, size_t n, size_t size) {
  if (p) pf_ctx_alloc(ctx, p, (n ? n : 1) * size, 0);
}

void *pf_arr_resize(const pf_ctx *ctx, void *p, size_t on, size_t nn, size_t size) {
  if (nn == 0) nn = 1;
  if (on == 0) on = 1;
  if (nn > (size_t)-1 / size) return NULL;
  return pf_ctx_alloc(ctx, p, p ? on * size : 0, nn * size);
}

pf_column *pf_result_new(const pf_ctx *ctx, pf_ftype t, size_t n, const char *name, int *rc) {
  return pf_result_new_fid(ctx, t, -1, n, name, rc);
}

pf_column *pf_result_new_fid(const pf_ctx *ctx, pf_ftype t, int fid, size_t n, const char *name, int *rc) {
  pf_column *c = pf_column_new(ctx, t, fid, name);
  if (c == NULL || pf_column_setlen(c, n) != PF_TABLE_OK) {
    pf_column_release(c);
    *rc = PF_TABLE_ENOMEM;
    return NULL;
  }
  *rc = PF_TABLE_OK;
  return c;
}

pf_column *pf_result_fail(pf_column *c, int *rc, int code) {
  pf_column_release(c);
  *rc = code;
  return NULL;
}

int pf_cmp_double(const void *x, const void *y) {
  double a = *(const double *)x, b = *(const double *)y;
  return a < b ? -1 : a > b;
}

/* ---- numbers and times in cells ---- */

int pf_kind_of_type(pf_ftype t) {
  if (pf_type_is_int(t)) return PF_K_INT;
  if (t == PF_FT_DOUBLE) return PF_K_DBL;
  if (t == PF_FT_ABSTIME) return PF_K_ABS;
  if (t == PF_FT_RELTIME) return PF_K_REL;
  return PF_K_OTHER;
}

int pf_cmp_u64(uint64_t a, uint64_t b) { return a < b ? -1 : a > b; }

/* a + b with seconds and nanoseconds of one sign (as pf_time_delta gives). */
pf_time pf_time_sum(pf_time a, pf_time b) {
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

pf_time pf_time_neg(pf_time a) {
  pf_time r;
  memset(&r, 0, sizeof r);
  r.secs = (int64_t)(0 - (uint64_t)a.secs);
  r.nsecs = -a.nsecs;
  return r;
}

void pf_put_time(pf_column *c, size_t r, pf_time t) {
  pf_time *d = (pf_time *)(void *)c->data + r;
  memset(d, 0, sizeof *d);
  d->secs = t.secs;
  d->nsecs = t.nsecs;
}

double pf_num_of(const pf_column *c, size_t r) {
  switch (c->type) {
    case PF_FT_INT: return (double)pf_cell_i64(c, r);
    case PF_FT_UINT: case PF_FT_BOOL: case PF_FT_FRAMENUM: return (double)(uint64_t)pf_cell_i64(c, r);
    case PF_FT_DOUBLE: return pf_cell_f64(c, r);
    case PF_FT_ABSTIME: case PF_FT_RELTIME: return pf_time_to_double(pf_cell_time(c, r));
    default: return 0;
  }
}
