/* view.c: tables over other tables' columns, sharing them without copying: slice, head, select,
   rename, with, build. */
#include "table.h"

#include <string.h>

#include "tableint.h"

/* Column j of d takes column i of t (its offset and name too). 0 or -1. */
static int share_col(pf_table *d, int j, const pf_table *t, int i) {
  d->cols[j] = t->cols[i];
  d->cols[j]->refs++;
  d->offs[j] = pf_tbl_off(t, i);
  if (t->names && t->names[i]) {
    d->names[j] = pf_tbl_strdup(d->alloc, d->ud, t->names[i]);
    if (d->names[j] == NULL) return -1;
  }
  return 0;
}

pf_table *pf_table_slice(const pf_table *t, size_t from, size_t n) {
  pf_table *d = pf_tbl_derive(t, t->ncols);
  if (d == NULL) return NULL;
  if (from > t->nrows) from = t->nrows;
  d->nrows = n < t->nrows - from ? n : t->nrows - from;
  for (int i = 0; i < t->ncols; i++) {
    if (share_col(d, i, t, i) < 0) { pf_table_free(d); return NULL; }
    d->offs[i] += from;
  }
  return d;
}

pf_table *pf_table_head(const pf_table *t, size_t n) { return pf_table_slice(t, 0, n); }

pf_table *pf_table_select(const pf_table *t, const int *cols, int n) {
  pf_table *d = pf_tbl_derive(t, n);
  if (d == NULL) return NULL;
  d->nrows = t->nrows;
  for (int j = 0; j < n; j++)
    if (share_col(d, j, t, cols[j]) < 0) { pf_table_free(d); return NULL; }
  return d;
}

int pf_tbl_set_name(pf_table *d, int j, const char *name) {
  pf_tbl_strfree(d->alloc, d->ud, d->names[j]);
  d->names[j] = NULL;
  if (name == NULL || strcmp(name, pf_column_name(d->cols[j])) == 0) return 0;
  d->names[j] = pf_tbl_strdup(d->alloc, d->ud, name);
  return d->names[j] ? 0 : -1;
}

pf_table *pf_table_rename(const pf_table *t, int col, const char *name) {
  pf_table *d = pf_table_slice(t, 0, t->nrows);
  if (d == NULL) return NULL;
  if (col >= 0 && col < d->ncols && pf_tbl_set_name(d, col, name) < 0) { pf_table_free(d); return NULL; }
  return d;
}

pf_table *pf_table_with(const pf_table *t, const char *name, pf_colref r) {
  int at = pf_table_find(t, name);
  pf_table *d = pf_tbl_derive(t, at < 0 ? t->ncols + 1 : t->ncols);
  if (d == NULL) return NULL;
  d->nrows = t->nrows;
  for (int i = 0; i < t->ncols; i++) {
    if (i == at) continue;
    if (share_col(d, i, t, i) < 0) { pf_table_free(d); return NULL; }
  }
  int j = at < 0 ? t->ncols : at;
  d->cols[j] = (pf_column *)r.c;   /* shared: the reference counts are ours */
  d->cols[j]->refs++;
  d->offs[j] = r.off;
  if (pf_tbl_set_name(d, j, name) < 0) { pf_table_free(d); return NULL; }
  return d;
}

pf_table *pf_table_build(const pf_ctx *ctx, int ncols, pf_column *const *cols, const size_t *offs,
                         const char *const *names, size_t nrows) {
  pf_table *d = pf_tbl_alloc(pf_tbl_ctx_alloc(ctx), pf_tbl_ctx_ud(ctx), ncols);
  if (d == NULL) return NULL;
  if (pf_tbl_extras(d) < 0) { pf_table_free(d); return NULL; }
  d->nrows = nrows;
  for (int j = 0; j < ncols; j++) {
    d->cols[j] = cols[j];
    cols[j]->refs++;
    d->offs[j] = offs ? offs[j] : 0;
    if (names && names[j] && pf_tbl_set_name(d, j, names[j]) < 0) { pf_table_free(d); return NULL; }
  }
  return d;
}
