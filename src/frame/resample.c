/* resample.c: fixed time buckets over a time column, per group, aligned as pandas or tshark's io,stat align them. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "frameutil.h"
#include "groupby.h"

int pf_parse_interval(const char *s, int64_t *ns) {
  static const struct { const char *unit; double ns; } units[] = {
    { "ns", 1 }, { "us", 1e3 }, { "ms", 1e6 }, { "s", 1e9 }, { "min", 60e9 }, { "h", 3600e9 },
  };
  const char *p = s;
  if (*p < '0' || *p > '9') return -1;   /* no sign, no blank, no bare unit */
  char *end;
  double x = strtod(p, &end);
  if (end == p || !isfinite(x)) return -1;
  for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
    if (strcmp(end, units[i].unit) != 0) continue;
    double v = x * units[i].ns;
    if (v < 1 || v > 9.2e18 || v != floor(v)) return -1;   /* whole nanoseconds, at least one */
    *ns = (int64_t)v;
    return 0;
  }
  return -1;
}

int pf_resample(const pf_ctx *ctx, pf_colref t, int64_t interval, int origin, const pf_groups *outer,
                size_t max_buckets, pf_groups *out, size_t **outer_of, pf_time **bstart) {
  size_t n = t.n, ng = outer ? outer->ngroups : (n > 0);
  memset(out, 0, sizeof *out);
  if (ctx) out->ctx = *ctx;
  out->nrows = n;
  *outer_of = NULL;
  *bstart = NULL;
  int rc = PF_TABLE_ENOMEM;
  pf_time *org = (pf_time *)pf_arr_new(ctx, ng, sizeof(pf_time));      /* per outer group: origin */
  int64_t *bmin = (int64_t *)pf_arr_new(ctx, 2 * ng, sizeof(int64_t)); /* and first, last bucket */
  size_t *boff = (size_t *)pf_arr_new(ctx, ng, sizeof(size_t));       /* and its first output bucket */
  unsigned char *seen = (unsigned char *)pf_arr_new(ctx, ng, 1);
  int64_t *b = (int64_t *)pf_arr_new(ctx, n, sizeof(int64_t));          /* per row: its bucket */
  size_t total = 0;
  if (org == NULL || bmin == NULL || boff == NULL || seen == NULL || b == NULL) goto done;
  memset(seen, 0, ng ? ng : 1);
  /* the first time of each group */
  for (size_t r = 0; r < n; r++) {
    size_t g = outer ? outer->gid[r] : 0;
    if (g == PF_NOROW || !pf_cell_valid(t.c, t.off + r)) continue;
    pf_time x = pf_cell_time(t.c, t.off + r);
    if (!seen[g] || pf_time_cmp(x, org[g]) < 0) org[g] = x;
    seen[g] = 1;
  }
  for (size_t g = 0; g < ng; g++) {
    if (!seen[g]) continue;
    if (origin == PF_ORIGIN_EPOCH) {
      memset(&org[g], 0, sizeof org[g]);
    } else if (origin == PF_ORIGIN_START_DAY) {
      int64_t s = org[g].secs - (org[g].nsecs < 0);   /* whole seconds at or before it */
      pf_time d;
      memset(&d, 0, sizeof d);
      d.secs = pf_floordiv64(s, 86400) * 86400;
      org[g] = d;
    }
  }
  /* each row's bucket, and each group's range */
  int ok = 1;
  memset(seen, 0, ng ? ng : 1);
  for (size_t r = 0; r < n; r++) {
    if ((r & (PF_POLL_ROWS - 1)) == 0 && pf_ctx_stop(ctx)) { rc = PF_TABLE_EINTR; goto done; }
    size_t g = outer ? outer->gid[r] : 0;
    if (g == PF_NOROW || !pf_cell_valid(t.c, t.off + r)) continue;
    b[r] = pf_floordiv64(pf_time_ns_since(pf_cell_time(t.c, t.off + r), org[g], &ok), interval);
    if (!seen[g] || b[r] < bmin[2 * g]) bmin[2 * g] = b[r];
    if (!seen[g] || b[r] > bmin[2 * g + 1]) bmin[2 * g + 1] = b[r];
    seen[g] = 1;
  }
  if (!ok) { rc = PF_TABLE_ERANGE; goto done; }
  for (size_t g = 0; g < ng; g++) {
    boff[g] = total;
    if (!seen[g]) continue;
    uint64_t span = (uint64_t)bmin[2 * g + 1] - (uint64_t)bmin[2 * g] + 1;
    if (span > max_buckets || total > max_buckets - span) { rc = PF_TABLE_ERANGE; goto done; }
    total += (size_t)span;
  }
  out->ngroups = total;
  out->gid = (size_t *)pf_arr_new(ctx, n, sizeof(size_t));
  out->first = (size_t *)pf_arr_new(ctx, total, sizeof(size_t));
  *outer_of = (size_t *)pf_arr_new(ctx, total, sizeof(size_t));
  *bstart = (pf_time *)pf_arr_new(ctx, total, sizeof(pf_time));
  if (out->gid == NULL || out->first == NULL || *outer_of == NULL || *bstart == NULL) goto done;
  for (size_t k = 0; k < total; k++) out->first[k] = PF_NOROW;
  for (size_t g = 0; g < ng; g++) {
    if (!seen[g]) continue;
    for (int64_t k = bmin[2 * g]; k <= bmin[2 * g + 1]; k++) {
      size_t o = boff[g] + (size_t)(k - bmin[2 * g]);
      (*outer_of)[o] = g;
      (*bstart)[o] = pf_time_ns_after(org[g], k * interval);
    }
  }
  for (size_t r = 0; r < n; r++) {
    size_t g = outer ? outer->gid[r] : 0;
    if (g == PF_NOROW || !pf_cell_valid(t.c, t.off + r)) {
      out->gid[r] = PF_NOROW;
      continue;
    }
    size_t o = boff[g] + (size_t)(b[r] - bmin[2 * g]);
    out->gid[r] = o;
    if (out->first[o] == PF_NOROW) out->first[o] = r;
  }
  rc = PF_TABLE_OK;
done:
  pf_arr_free(ctx, org, ng, sizeof(pf_time));
  pf_arr_free(ctx, bmin, 2 * ng, sizeof(int64_t));
  pf_arr_free(ctx, boff, ng, sizeof(size_t));
  pf_arr_free(ctx, seen, ng, 1);
  pf_arr_free(ctx, b, n, sizeof(int64_t));
  if (rc != PF_TABLE_OK) {
    pf_arr_free(ctx, *outer_of, total, sizeof(size_t));
    pf_arr_free(ctx, *bstart, total, sizeof(pf_time));
    *outer_of = NULL;
    *bstart = NULL;
    pf_groups_free(out);
  }
  return rc;
}
