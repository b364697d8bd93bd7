/* frameutil.c: small helpers the frame kernels share (see frameutil.h). */
#include "frameutil.h"

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
  pf_column *c = pf_column_new(ctx, t, -1, name);
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
