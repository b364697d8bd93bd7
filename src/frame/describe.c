/* describe.c: describe: count, mean, std, min, quartiles and max of a number or time column, as pandas. */
#include "verbs.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "frameutil.h"

/* numpy's linear interpolation between the two values around quantile q */
static double quantile(const double *v, size_t n, double q) {
  double pos = q * (double)(n - 1);
  size_t lo = (size_t)floor(pos);
  size_t hi = lo + 1 < n ? lo + 1 : lo;
  double t = pos - (double)lo, a = v[lo], b = v[hi], d = b - a;
  return t >= 0.5 ? b - d * (1 - t) : a + d * t;
}

int pf_describe(const pf_ctx *ctx, pf_colref a, double out[8]) {
  int k = pf_kind_of_type(a.c->type);
  if (k == PF_K_OTHER) return PF_TABLE_ETYPE;
  double *v = (double *)pf_arr_new(ctx, a.n, sizeof(double));
  if (v == NULL) return PF_TABLE_ENOMEM;
  size_t m = 0;
  for (size_t r = 0; r < a.n; r++)
    if (pf_cell_valid(a.c, a.off + r)) {
      double x = pf_num_of(a.c, a.off + r);
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
