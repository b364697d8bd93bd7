/* window.c: running values along a column: shift, diff, cumsum. */
#include "verbs.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "frameutil.h"

/* ---- running values ---- */

size_t pf_shift_row(size_t r, size_t n, long long periods) {
  if (periods >= 0) return (unsigned long long)periods <= r ? r - (size_t)periods : PF_NOROW;
  unsigned long long ahead = 0ULL - (unsigned long long)periods;
  return ahead < n - r ? r + (size_t)ahead : PF_NOROW;
}

pf_column *pf_diff(const pf_ctx *ctx, pf_colref a, const size_t *prev, long long periods, const char *name,
                   int *rc) {
  int k = pf_kind_of_type(a.c->type);
  if (k == PF_K_OTHER) {
    *rc = PF_TABLE_ETYPE;
    return NULL;
  }
  pf_ftype rt = k == PF_K_INT ? PF_FT_INT : k == PF_K_DBL ? PF_FT_DOUBLE : PF_FT_RELTIME;
  pf_column *c = pf_result_new(ctx, rt, a.n, name, rc);
  if (c == NULL) return NULL;
  for (size_t r = 0; r < a.n; r++) {
    if ((r & (PF_POLL_ROWS - 1)) == 0 && pf_ctx_stop(ctx)) return pf_result_fail(c, rc, PF_TABLE_EINTR);
    size_t p = prev ? prev[r] : pf_shift_row(r, a.n, periods);
    if (p == PF_NOROW || !pf_cell_valid(a.c, a.off + r) || !pf_cell_valid(a.c, a.off + p)) continue;
    size_t x = a.off + r, y = a.off + p;
    if (k == PF_K_INT)
      ((int64_t *)(void *)c->data)[r] = (int64_t)((uint64_t)pf_cell_i64(a.c, x) - (uint64_t)pf_cell_i64(a.c, y));
    else if (k == PF_K_DBL)
      ((double *)(void *)c->data)[r] = pf_cell_f64(a.c, x) - pf_cell_f64(a.c, y);
    else
      pf_put_time(c, r, pf_time_delta(pf_cell_time(a.c, x), pf_cell_time(a.c, y)));
    pf_column_setvalid(c, r);
  }
  return c;
}

pf_column *pf_cumsum(const pf_ctx *ctx, pf_colref a, const char *name, int *rc) {
  int k = pf_kind_of_type(a.c->type);
  if (k != PF_K_INT && k != PF_K_DBL && k != PF_K_REL) {
    *rc = PF_TABLE_ETYPE;
    return NULL;
  }
  pf_column *c = pf_result_new(ctx, k == PF_K_INT ? PF_FT_INT : a.c->type, a.n, name, rc);
  if (c == NULL) return NULL;
  uint64_t si = 0;
  double sd = 0;
  pf_time st;
  memset(&st, 0, sizeof st);
  for (size_t r = 0; r < a.n; r++) {
    if ((r & (PF_POLL_ROWS - 1)) == 0 && pf_ctx_stop(ctx)) return pf_result_fail(c, rc, PF_TABLE_EINTR);
    size_t at = a.off + r;
    if (!pf_cell_valid(a.c, at)) continue;
    if (k == PF_K_INT) {
      si += (uint64_t)pf_cell_i64(a.c, at);
      ((int64_t *)(void *)c->data)[r] = (int64_t)si;
    } else if (k == PF_K_DBL) {
      sd += pf_cell_f64(a.c, at);
      ((double *)(void *)c->data)[r] = sd;
    } else {
      st = pf_time_sum(st, pf_cell_time(a.c, at));
      pf_put_time(c, r, st);
    }
    pf_column_setvalid(c, r);
  }
  return c;
}
