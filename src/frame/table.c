/* table.c: the columnar packet table's storage: typed, null-masked, shareable columns, appends packet by
   packet, cell access and cell text, row copies (take, concat). Views are in view.c, text output in
   tabletext.c and writers.c. */
#include "table.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"

#include "tableint.h"   /* struct pf_table */

static void *default_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
  (void)ud;
  (void)osize;
  if (nsize == 0) {
    free(ptr);
    return NULL;
  }
  return realloc(ptr, nsize);
}

/* Grows the block *p of *size bytes to hold at least need bytes, doubling so
   that appends cost amortized O(1). New bytes are zeroed when zero is set (the
   valid bitmap relies on it). 0, or -1 leaving *p and *size as they were. */
int pf_tbl_grow(pf_alloc_fn a, void *ud, void *pp, size_t *size, size_t need, int zero) {
  void **p = (void **)pp;
  if (need <= *size) return 0;
  size_t ns = *size ? *size : 64;
  while (ns < need) {
    if (ns > (size_t)-1 / 2) { ns = need; break; }
    ns *= 2;
  }
  void *np = a(ud, *p, *size, ns);
  if (np == NULL) return -1;
  if (zero) memset((unsigned char *)np + *size, 0, ns - *size);
  *p = np;
  *size = ns;
  return 0;
}

static size_t type_width(pf_ftype t) {
  switch (t) {
    case PF_FT_NONE: return 0;
    case PF_FT_BOOL: case PF_FT_UINT: case PF_FT_INT: case PF_FT_FRAMENUM: return sizeof(int64_t);
    case PF_FT_DOUBLE: return sizeof(double);
    case PF_FT_ABSTIME: case PF_FT_RELTIME: return sizeof(pf_time);
    case PF_FT_IPV4: return 4;
    case PF_FT_IPV6: return 16;
    case PF_FT_ETHER: return 8;
    case PF_FT_STRING: case PF_FT_BYTES: return sizeof(pf_span);
    case PF_FT_COUNT_: break;
  }
  return 0;
}

/* A copy of s from a (NUL included), or NULL. */
char *pf_tbl_strdup(pf_alloc_fn a, void *ud, const char *s) {
  size_t n = strlen(s) + 1;
  char *p = (char *)a(ud, NULL, 0, n);
  if (p) memcpy(p, s, n);
  return p;
}

void pf_tbl_strfree(pf_alloc_fn a, void *ud, char *s) {
  if (s) a(ud, s, strlen(s) + 1, 0);
}

static pf_column *col_alloc(pf_alloc_fn a, void *ud, pf_ftype type, int fid, const char *name) {
  pf_column *c = (pf_column *)a(ud, NULL, 0, sizeof *c);
  if (c == NULL) return NULL;
  memset(c, 0, sizeof *c);
  c->refs = 1;
  c->fid = fid;
  c->type = type;
  c->width = type_width(c->type);
  c->alloc = a;
  c->ud = ud;
  if (name != NULL && (fid < 0 || strcmp(name, pf_fields[fid].name) != 0)) {
    c->name = pf_tbl_strdup(a, ud, name);
    if (c->name == NULL) { a(ud, c, sizeof *c, 0); return NULL; }
  }
  return c;
}

static pf_column *col_new(pf_alloc_fn a, void *ud, int fid) {
  return col_alloc(a, ud, pf_fields[fid].type, fid, NULL);
}

static void col_release(pf_column *c) {
  if (c == NULL || --c->refs > 0) return;
  pf_alloc_fn a = c->alloc;
  a(c->ud, c->data, c->data_size, 0);
  a(c->ud, c->valid, c->valid_size, 0);
  a(c->ud, c->multi, c->multi_size, 0);
  a(c->ud, c->xdata, c->xdata_size, 0);
  a(c->ud, c->arena, c->arena_size, 0);
  pf_tbl_strfree(a, c->ud, c->name);
  a(c->ud, c, sizeof *c, 0);
}

pf_alloc_fn pf_tbl_ctx_alloc(const pf_ctx *ctx) {
  return ctx && ctx->alloc ? ctx->alloc : default_alloc;
}
void *pf_tbl_ctx_ud(const pf_ctx *ctx) { return ctx ? ctx->ud : NULL; }
static int ctx_stop(const pf_ctx *ctx) { return ctx && ctx->interrupted && *ctx->interrupted; }

void *pf_ctx_alloc(const pf_ctx *ctx, void *ptr, size_t osize, size_t nsize) {
  return pf_tbl_ctx_alloc(ctx)(pf_tbl_ctx_ud(ctx), ptr, osize, nsize);
}
int pf_ctx_stop(const pf_ctx *ctx) { return ctx_stop(ctx); }

pf_column *pf_column_new(const pf_ctx *ctx, pf_ftype type, int fid, const char *name) {
  if (fid >= pf_field_count() || (fid >= 0 && pf_fields[fid].type != type) || type >= PF_FT_COUNT_) return NULL;
  if (fid < 0) fid = -1;
  return col_alloc(pf_tbl_ctx_alloc(ctx), pf_tbl_ctx_ud(ctx), type, fid, name);
}

void pf_column_retain(pf_column *c) { c->refs++; }
void pf_column_release(pf_column *c) { col_release(c); }

int pf_column_setlen(pf_column *c, size_t n) {
  if (n <= c->n) return PF_TABLE_OK;
  if (c->width && n > (size_t)-1 / c->width) return PF_TABLE_ENOMEM;
  if (c->width && pf_tbl_reserve(c->alloc, c->ud, &c->data, &c->data_size, n * c->width, 0) < 0) return PF_TABLE_ENOMEM;
  if (pf_tbl_reserve(c->alloc, c->ud, &c->valid, &c->valid_size, n / 8 + 1, 1) < 0) return PF_TABLE_ENOMEM;
  if (c->width) memset(c->data + c->n * c->width, 0, (n - c->n) * c->width);   /* n > c->n: data is allocated */
  c->n = n;
  return PF_TABLE_OK;
}

int pf_column_setspan(pf_column *c, size_t row, const void *s, size_t len) {
  if (len > (size_t)-1 - c->arena_len) return PF_TABLE_ENOMEM;
  if (pf_tbl_reserve(c->alloc, c->ud, &c->arena, &c->arena_size, c->arena_len + len, 0) < 0) return PF_TABLE_ENOMEM;
  pf_span sp;
  sp.off = c->arena_len;
  sp.len = len;
  if (len) memcpy(c->arena + c->arena_len, s, len);
  c->arena_len += len;
  memcpy(c->data + row * c->width, &sp, sizeof sp);
  pf_column_setvalid(c, row);
  return PF_TABLE_OK;
}

pf_table *pf_tbl_alloc(pf_alloc_fn a, void *ud, int ncols) {
  pf_table *t = (pf_table *)a(ud, NULL, 0, sizeof *t);
  if (t == NULL) return NULL;
  t->alloc = a;
  t->ud = ud;
  t->nrows = 0;
  t->ncols = ncols;
  t->cols = NULL;
  t->offs = NULL;
  t->names = NULL;
  pf_diag_init(&t->diag);
  if (ncols > 0) {
    t->cols = (pf_column **)a(ud, NULL, 0, sizeof(pf_column *) * (size_t)ncols);
    if (t->cols == NULL) { a(ud, t, sizeof *t, 0); return NULL; }
    for (int i = 0; i < ncols; i++) t->cols[i] = NULL;
  }
  return t;
}

/* Gives t (from table_alloc) per-column offsets and names, all zero/NULL. 0 or -1. */
int pf_tbl_extras(pf_table *t) {
  if (t->ncols == 0) return 0;
  t->offs = (size_t *)t->alloc(t->ud, NULL, 0, sizeof(size_t) * (size_t)t->ncols);
  if (t->offs == NULL) return -1;
  for (int i = 0; i < t->ncols; i++) t->offs[i] = 0;
  t->names = (char **)t->alloc(t->ud, NULL, 0, sizeof(char *) * (size_t)t->ncols);
  if (t->names == NULL) return -1;
  for (int i = 0; i < t->ncols; i++) t->names[i] = NULL;
  return 0;
}

pf_table *pf_table_new(const int *fids, int nfids, pf_alloc_fn alloc, void *ud) {
  if (alloc == NULL) alloc = default_alloc;
  if (nfids < 0) return NULL;
  for (int i = 0; i < nfids; i++)
    if (fids[i] < 0 || fids[i] >= pf_field_count()) return NULL;
  pf_table *t = pf_tbl_alloc(alloc, ud, nfids);
  if (t == NULL) return NULL;
  for (int i = 0; i < nfids; i++) {
    t->cols[i] = col_new(alloc, ud, fids[i]);
    if (t->cols[i] == NULL) { pf_table_free(t); return NULL; }
  }
  return t;
}

void pf_table_free(pf_table *t) {
  if (t == NULL) return;
  for (int i = 0; i < t->ncols; i++) col_release(t->cols[i]);
  if (t->cols) t->alloc(t->ud, t->cols, sizeof(pf_column *) * (size_t)t->ncols, 0);
  if (t->offs) t->alloc(t->ud, t->offs, sizeof(size_t) * (size_t)t->ncols, 0);
  if (t->names) {
    for (int i = 0; i < t->ncols; i++) pf_tbl_strfree(t->alloc, t->ud, t->names[i]);
    t->alloc(t->ud, t->names, sizeof(char *) * (size_t)t->ncols, 0);
  }
  pf_diag_free(&t->diag);
  t->alloc(t->ud, t, sizeof *t, 0);
}

void pf_table_setalloc(pf_table *t, pf_alloc_fn alloc, void *ud) {
  if (alloc == NULL) alloc = default_alloc;
  t->alloc = alloc;
  t->ud = ud;
  for (int i = 0; i < t->ncols; i++) {
    t->cols[i]->alloc = alloc;
    t->cols[i]->ud = ud;
  }
}

int pf_table_clear(pf_table *t) {
  for (int i = 0; i < t->ncols; i++)
    if (t->cols[i]->refs != 1 || pf_tbl_off(t, i) != 0 || t->cols[i]->fid < 0) return PF_TABLE_EFROZEN;
  for (int i = 0; i < t->ncols; i++) {
    pf_column *c = t->cols[i];
    if (c->valid_size) memset(c->valid, 0, c->valid_size);   /* appends rely on zeroed bits */
    c->n = c->nmulti = c->nx = c->arena_len = 0;
  }
  t->nrows = 0;
  return PF_TABLE_OK;
}

/* Makes room in c for one more row holding the occurrences of its field in p,
   so that the commit that follows cannot fail. 0 or -1. */
static int reserve_row(pf_column *c, const pf_pkt *p) {
  pf_alloc_fn a = c->alloc;
  size_t rows = c->n + 1;
  if (c->width && pf_tbl_reserve(a, c->ud, &c->data, &c->data_size, rows * c->width, 0) < 0) return -1;
  if (pf_tbl_reserve(a, c->ud, &c->valid, &c->valid_size, (rows + 7) / 8, 1) < 0) return -1;
  int i = p->first[c->fid];
  if (i < 0) return 0;
  size_t k = 0;
  uint64_t bytes = 0;
  for (int j = i; j >= 0; j = p->vals[j].next) {
    k++;
    if (c->type == PF_FT_STRING || c->type == PF_FT_BYTES) bytes += p->vals[j].v.s.len;
  }
  if (k > 1) {
    if (pf_tbl_reserve(a, c->ud, &c->multi, &c->multi_size, (c->nmulti + 1) * sizeof(pf_multi), 0) < 0) return -1;
    if (c->width && pf_tbl_reserve(a, c->ud, &c->xdata, &c->xdata_size, (c->nx + k - 1) * c->width, 0) < 0)
      return -1;
  }
  if (bytes > 0) {
    if (bytes > (uint64_t)((size_t)-1 - c->arena_len)) return -1;
    if (pf_tbl_reserve(a, c->ud, &c->arena, &c->arena_size, c->arena_len + (size_t)bytes, 0) < 0) return -1;
  }
  return 0;
}

/* Stores v at dst (width bytes), copying string and bytes into the arena
   (reserve_row made room). */
static void store(pf_column *c, unsigned char *dst, const pf_val *v) {
  switch (c->type) {
    case PF_FT_NONE: break;
    case PF_FT_BOOL: case PF_FT_UINT: case PF_FT_INT: case PF_FT_FRAMENUM: case PF_FT_DOUBLE:
      memcpy(dst, &v->v, 8);
      break;
    case PF_FT_ABSTIME: case PF_FT_RELTIME: {
      pf_time tm;
      memset(&tm, 0, sizeof tm);   /* no stray padding bytes in the column */
      tm.secs = v->v.t.secs;
      tm.nsecs = v->v.t.nsecs;
      memcpy(dst, &tm, sizeof tm);
      break;
    }
    case PF_FT_IPV4: memcpy(dst, v->v.a, 4); break;
    case PF_FT_IPV6: memcpy(dst, v->v.a, 16); break;
    case PF_FT_ETHER:
      memcpy(dst, v->v.a, 6);
      dst[6] = dst[7] = 0;
      break;
    case PF_FT_STRING: case PF_FT_BYTES: {
      pf_span s;
      s.off = c->arena_len;
      s.len = v->v.s.len;
      if (s.len > 0) memcpy(c->arena + c->arena_len, v->v.s.p, (size_t)s.len);
      c->arena_len += (size_t)s.len;
      memcpy(dst, &s, sizeof s);
      break;
    }
    case PF_FT_COUNT_: break;
  }
}

static void commit_row(pf_column *c, const pf_pkt *p) {
  size_t r = c->n;
  int i = p->first[c->fid];
  if (i < 0) {
    if (c->width) memset(c->data + r * c->width, 0, c->width);
  } else {
    c->valid[r / 8] |= (unsigned char)(1u << (r % 8));
    store(c, c->width ? c->data + r * c->width : NULL, &p->vals[i]);
    int j = p->vals[i].next;
    if (j >= 0) {
      pf_multi *m = &c->multi[c->nmulti++];
      m->row = r;
      m->first = c->nx;
      m->count = 0;
      for (; j >= 0; j = p->vals[j].next) {
        store(c, c->width ? c->xdata + c->nx * c->width : NULL, &p->vals[j]);
        c->nx++;
        m->count++;
      }
    }
  }
  c->n++;
}

int pf_table_append(pf_table *t, const pf_pkt *p) {
  /* a table that sees fewer rows than its columns hold (a head) must not
     append: the new row would land after rows it does not see */
  for (int i = 0; i < t->ncols; i++)
    if (t->cols[i]->n != t->nrows || pf_tbl_off(t, i) != 0 || t->cols[i]->fid < 0) return PF_TABLE_EFROZEN;
  for (int i = 0; i < t->ncols; i++)
    if (reserve_row(t->cols[i], p) < 0) return PF_TABLE_ENOMEM;
  for (int i = 0; i < t->ncols; i++) commit_row(t->cols[i], p);
  t->nrows++;
  return PF_TABLE_OK;
}

int pf_table_has_all(const pf_table *t, const pf_pkt *p) {
  for (int i = 0; i < t->ncols; i++)
    if (t->cols[i]->fid < 0 || p->first[t->cols[i]->fid] < 0) return 0;
  return 1;
}

void pf_tbl_copy_diag(pf_table *to, const pf_table *from) {
  /* diagnostics are few; a dropped one (out of memory) is not worth failing for */
  for (int i = 0; i < from->diag.n; i++) pf_diag_add(&to->diag, "%s", from->diag.msgs[i]);
}

size_t pf_table_nrows(const pf_table *t) { return t->nrows; }
int pf_table_ncols(const pf_table *t) { return t->ncols; }

const pf_column *pf_table_col(const pf_table *t, int col) {
  return col >= 0 && col < t->ncols ? t->cols[col] : NULL;
}

pf_colref pf_table_colref(const pf_table *t, int col) {
  pf_colref r;
  r.c = t->cols[col];
  r.off = pf_tbl_off(t, col);
  r.n = t->nrows;
  return r;
}

const char *pf_table_colname(const pf_table *t, int col) {
  if (t->names && t->names[col]) return t->names[col];
  return pf_column_name(t->cols[col]);
}

int pf_table_find(const pf_table *t, const char *name) {
  for (int i = 0; i < t->ncols; i++)
    if (strcmp(pf_table_colname(t, i), name) == 0) return i;
  return -1;
}

const char *pf_column_name(const pf_column *c) {
  if (c->name) return c->name;
  return c->fid >= 0 ? pf_fields[c->fid].name : "";
}
pf_diag *pf_table_diag(pf_table *t) { return &t->diag; }

int pf_column_valid(const pf_column *c, size_t row) {
  return row < c->n && (c->valid[row / 8] >> (row % 8) & 1);
}

/* The side-store entry of row, or NULL: rows are appended in order, so multi is sorted. */
static const pf_multi *find_multi(const pf_column *c, size_t row) {
  size_t lo = 0, hi = c->nmulti;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (c->multi[mid].row < row) lo = mid + 1;
    else hi = mid;
  }
  return lo < c->nmulti && c->multi[lo].row == row ? &c->multi[lo] : NULL;
}

/* The first side-store entry of c at or after row, searching from lo. */
static size_t multi_lower(const pf_column *c, size_t lo, size_t row) {
  size_t hi = c->nmulti;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (c->multi[mid].row < row) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/* find_multi for a run of rows that mostly ascend (filters, slices): the
   cursor *mi (the entry found last) steps forward a little, else searches. */
static const pf_multi *multi_at(const pf_column *c, size_t row, size_t *mi) {
  size_t i = *mi;
  if (i > c->nmulti || (i > 0 && c->multi[i - 1].row >= row)) {
    i = multi_lower(c, 0, row);   /* went back */
  } else {
    for (int steps = 0; i < c->nmulti && c->multi[i].row < row && steps < 8; steps++) i++;
    if (i < c->nmulti && c->multi[i].row < row) i = multi_lower(c, i, row);   /* far ahead */
  }
  *mi = i;
  return i < c->nmulti && c->multi[i].row == row ? &c->multi[i] : NULL;
}

size_t pf_column_count(const pf_column *c, size_t row) {
  if (!pf_column_valid(c, row)) return 0;
  const pf_multi *m = find_multi(c, row);
  return m ? 1 + m->count : 1;
}

int pf_column_get(const pf_column *c, size_t row, size_t occ, pf_val *v) {
  if (!pf_column_valid(c, row)) return 0;
  size_t at = row;
  const unsigned char *base = c->data;
  if (occ > 0) {
    const pf_multi *m = find_multi(c, row);
    if (m == NULL || occ > m->count) return 0;
    at = m->first + occ - 1;
    base = c->xdata;
  }
  memset(v, 0, sizeof *v);
  v->fid = (uint16_t)c->fid;
  v->next = -1;
  if (c->width == 0) return 1;
  const unsigned char *src = base + at * c->width;
  switch (c->type) {
    case PF_FT_BOOL: case PF_FT_UINT: case PF_FT_INT: case PF_FT_FRAMENUM: case PF_FT_DOUBLE:
      memcpy(&v->v, src, 8);
      break;
    case PF_FT_ABSTIME: case PF_FT_RELTIME: memcpy(&v->v.t, src, sizeof(pf_time)); break;
    case PF_FT_IPV4: memcpy(v->v.a, src, 4); break;
    case PF_FT_IPV6: memcpy(v->v.a, src, 16); break;
    case PF_FT_ETHER: memcpy(v->v.a, src, 6); break;
    case PF_FT_STRING: case PF_FT_BYTES: {
      pf_span s;
      memcpy(&s, src, sizeof s);
      v->v.s.p = c->arena ? c->arena + s.off : (const uint8_t *)"";
      v->v.s.len = (uint32_t)s.len;
      break;
    }
    case PF_FT_NONE: case PF_FT_COUNT_: break;
  }
  return 1;
}

int pf_format_double(double d, char *buf, size_t n) {
  char tmp[40];
  int len = 0;
  if (isnan(d)) len = snprintf(tmp, sizeof tmp, "nan");
  else if (isinf(d)) len = snprintf(tmp, sizeof tmp, d < 0 ? "-inf" : "inf");
  else {
    for (int prec = 15; prec <= 17; prec++) {   /* the shortest that reads back the same */
      len = snprintf(tmp, sizeof tmp, "%.*g", prec, d);
      if (strtod(tmp, NULL) == d) break;
    }
    if (strpbrk(tmp, ".e") == NULL && len + 2 < (int)sizeof tmp) {   /* an integral double: "300.0" */
      memcpy(tmp + len, ".0", 3);
      len += 2;
    }
  }
  if ((size_t)len < n) memcpy(buf, tmp, (size_t)len + 1);
  else if (n) buf[0] = 0;
  return len;
}

/* A field of type t with decimal text, whose formatting a derived column of
   that type borrows; -1 when there is none. The registry is constant, so a
   race on the first calls only repeats the search. */
static int generic_fid(pf_ftype t) {
  static int rep[PF_FT_COUNT_];
  static int ready;
  if (!ready) {
    for (int k = 0; k < PF_FT_COUNT_; k++) rep[k] = -1;
    for (int i = PF_NFIELDS - 1; i >= 0; i--)
      if (pf_fields[i].base == 0) rep[pf_fields[i].type] = i;
    ready = 1;
  }
  return t < PF_FT_COUNT_ ? rep[t] : -1;
}

int pf_column_format(const pf_column *c, size_t row, size_t occ, char *buf, size_t n) {
  pf_val v;
  if (!pf_column_get(c, row, occ, &v)) {
    if (n) buf[0] = 0;
    return -1;
  }
  if (c->fid >= 0) return pf_val_format(c->fid, &v, buf, n);
  switch (c->type) {
    case PF_FT_DOUBLE: return pf_format_double(v.v.d, buf, n);
    case PF_FT_INT: return snprintf(buf, n, "%lld", (long long)v.v.i);
    case PF_FT_UINT: case PF_FT_FRAMENUM: return snprintf(buf, n, "%llu", (unsigned long long)v.v.u);
    case PF_FT_BOOL: return snprintf(buf, n, "%d", v.v.u ? 1 : 0);
    case PF_FT_NONE: return snprintf(buf, n, "1");
    case PF_FT_ABSTIME: return pf_time_fmt_abs(buf, n, v.v.t);
    case PF_FT_RELTIME: return pf_time_fmt_rel(buf, n, v.v.t);
    case PF_FT_STRING:
      if ((size_t)v.v.s.len < n) {
        memcpy(buf, v.v.s.p, v.v.s.len);
        buf[v.v.s.len] = 0;
      } else if (n) {
        buf[0] = 0;
      }
      return (int)v.v.s.len;
    case PF_FT_BYTES: {
      static const char hex[] = "0123456789abcdef";
      if ((size_t)v.v.s.len * 2 < n) {
        for (uint32_t i = 0; i < v.v.s.len; i++) {
          buf[2 * i] = hex[v.v.s.p[i] >> 4];
          buf[2 * i + 1] = hex[v.v.s.p[i] & 15];
        }
        buf[2 * (size_t)v.v.s.len] = 0;
      } else if (n) {
        buf[0] = 0;
      }
      return (int)(2 * (size_t)v.v.s.len);
    }
    default: {
      int fid = generic_fid(c->type);
      if (fid >= 0) return pf_val_format(fid, &v, buf, n);
      if (n) buf[0] = 0;
      return 0;
    }
  }
}

int pf_table_format_cell(const pf_table *t, size_t row, int col, size_t occ, char *buf, size_t n) {
  if (row >= t->nrows || col < 0 || col >= t->ncols) {
    if (n) buf[0] = 0;
    return -1;
  }
  return pf_column_format(t->cols[col], pf_tbl_off(t, col) + row, occ, buf, n);
}

/* ---- copying rows ---- */

/* Room for rows rows in data and valid, exactly, without changing n. */
static int col_reserve_rows(pf_column *c, size_t rows) {
  if (c->width && rows > (size_t)-1 / c->width) return -1;
  if (c->width && rows * c->width > c->data_size) {
    void *np = c->alloc(c->ud, c->data, c->data_size, rows * c->width);
    if (np == NULL) return -1;
    c->data = (unsigned char *)np;
    c->data_size = rows * c->width;
  }
  if (rows / 8 + 1 > c->valid_size) {
    void *np = c->alloc(c->ud, c->valid, c->valid_size, rows / 8 + 1);
    if (np == NULL) return -1;
    memset((unsigned char *)np + c->valid_size, 0, rows / 8 + 1 - c->valid_size);
    c->valid = (unsigned char *)np;
    c->valid_size = rows / 8 + 1;
  }
  return 0;
}

static int is_span(pf_ftype t) { return t == PF_FT_STRING || t == PF_FT_BYTES; }

/* 1 when every row of c has a value. */
static int all_valid(const pf_column *c) {
  size_t full = c->n / 8;
  for (size_t i = 0; i < full; i++)
    if (c->valid[i] != 0xff) return 0;
  unsigned tail = (unsigned)(c->n % 8);
  return tail == 0 || (c->valid[full] & ((1u << tail) - 1)) == (1u << tail) - 1;
}

/* Copies one value (width bytes at s, of src) to d in dst, moving string bytes. */
static void copy_value(pf_column *dst, unsigned char *d, const pf_column *src, const unsigned char *s) {
  if (is_span(dst->type)) {
    pf_span sp;
    memcpy(&sp, s, sizeof sp);
    if (sp.len) memcpy(dst->arena + dst->arena_len, src->arena + sp.off, (size_t)sp.len);
    sp.off = dst->arena_len;
    dst->arena_len += (size_t)sp.len;
    memcpy(d, &sp, sizeof sp);
  } else {
    switch (dst->width) {
      case 8: *(uint64_t *)(void *)d = *(const uint64_t *)(const void *)s; break;
      case 0: break;
      default: memcpy(d, s, dst->width); break;
    }
  }
}

/* A new table of t's allocator with n columns, offsets and names, the
   diagnostics of t copied; NULL when out of memory. */
pf_table *pf_tbl_derive(const pf_table *t, int n) {
  pf_table *d = pf_tbl_alloc(t->alloc, t->ud, n);
  if (d == NULL) return NULL;
  if (pf_tbl_extras(d) < 0) {
    pf_table_free(d);
    return NULL;
  }
  pf_tbl_copy_diag(d, t);
  return d;
}

/* pf_column_append_rows, with all set: every occurrence, else the first only. */
static int append_rows(const pf_ctx *ctx, pf_column *dst, const pf_column *src, size_t off, const size_t *rows,
                       size_t n, int all) {
  size_t base = dst->n, w = dst->width;
  if (n > (size_t)-1 - base) return PF_TABLE_ENOMEM;
  /* the new rows' valid bits are clear (reserve zeroes them); their values are written below, zeros for
     nulls, so the data needs no clearing first */
  if (col_reserve_rows(dst, base + n) < 0) return PF_TABLE_ENOMEM;
  dst->n = base + n;
  if (src == NULL) {   /* n nulls */
    if (w) memset(dst->data + base * w, 0, n * w);
    return PF_TABLE_OK;
  }
  size_t nm = 0, nx = 0, mi = 0;
  uint64_t bytes = 0;
  int spans = is_span(src->type);
  int multi = all && src->nmulti > 0;
  if (!spans) {
    /* fixed-width values: the first occurrences in one tight loop per width; a column without
       nulls spares a random read of its valid bits per row (a sort's take) */
    int dense = all_valid(src);
    for (size_t k0 = 0; k0 < n; k0 += PF_POLL_ROWS) {
      if (ctx_stop(ctx)) return PF_TABLE_EINTR;
      size_t k1 = n - k0 < PF_POLL_ROWS ? n : k0 + PF_POLL_ROWS;
#define COPY_LOOP(T)                                                              \
      do {                                                                        \
        const T *sv = (const T *)(const void *)src->data;                         \
        T *dv = (T *)(void *)dst->data, zero;                                     \
        memset(&zero, 0, sizeof zero);                                            \
        for (size_t k = k0; k < k1; k++) {                                        \
          size_t r = rows ? rows[k] : k;                                          \
          if (r == PF_NOROW || (!dense && !pf_cell_valid(src, r + off))) {        \
            dv[base + k] = zero;                                                  \
            continue;                                                             \
          }                                                                       \
          dv[base + k] = sv[r + off];                                             \
          pf_column_setvalid(dst, base + k);                                      \
        }                                                                         \
      } while (0)
      switch (w) {
        case 8: COPY_LOOP(uint64_t); break;
        case sizeof(pf_time): COPY_LOOP(pf_time); break;
        case 4: COPY_LOOP(uint32_t); break;
        default:
          for (size_t k = k0; k < k1; k++) {
            size_t r = rows ? rows[k] : k;
            int ok = r != PF_NOROW && pf_cell_valid(src, r + off);
            if (w && ok) memcpy(dst->data + (base + k) * w, src->data + (r + off) * w, w);
            else if (w) memset(dst->data + (base + k) * w, 0, w);
            if (ok) pf_column_setvalid(dst, base + k);
          }
          break;
      }
#undef COPY_LOOP
    }
    if (!multi) return PF_TABLE_OK;
  }
  /* a big take from a column with a side store: mark the rows that have an entry, so that the
     others (nearly all) need no search even when the rows come in any order (a sort's) */
  unsigned char *has = NULL;
  size_t hsize = src->n / 8 + 1;
  if (multi && n >= src->n / 32) {
    has = (unsigned char *)dst->alloc(dst->ud, NULL, 0, hsize);
    if (has) {
      memset(has, 0, hsize);
      for (size_t i = 0; i < src->nmulti; i++) {
        size_t r = src->multi[i].row;
        has[r >> 3] |= (unsigned char)(1u << (r & 7));
      }
    }
  }
#define MULTI_OF(r) (!multi || (has && !(has[(r) >> 3] >> ((r) & 7) & 1)) ? NULL : multi_at(src, (r), &mi))
  /* first pass: what the side store and the arena need */
  for (size_t k = 0; k < n; k++) {
    size_t r = rows ? rows[k] : k;
    if (r == PF_NOROW) continue;
    r += off;
    if (!pf_cell_valid(src, r)) continue;
    if (spans) bytes += pf_cell_span(src, r).len;
    const pf_multi *m = MULTI_OF(r);
    if (m == NULL) continue;
    nm++;
    nx += m->count;
    if (spans)
      for (size_t i = 0; i < m->count; i++) {
        pf_span sp;
        memcpy(&sp, src->xdata + (m->first + i) * src->width, sizeof sp);
        bytes += sp.len;
      }
  }
  pf_alloc_fn a = dst->alloc;
  int rc = PF_TABLE_ENOMEM;
  if (nm && pf_tbl_reserve(a, dst->ud, &dst->multi, &dst->multi_size, (dst->nmulti + nm) * sizeof(pf_multi), 0) < 0) goto done;
  if (nx && w && pf_tbl_reserve(a, dst->ud, &dst->xdata, &dst->xdata_size, (dst->nx + nx) * w, 0) < 0) goto done;
  if (bytes > (uint64_t)((size_t)-1 - dst->arena_len)) goto done;
  if (bytes && pf_tbl_reserve(a, dst->ud, &dst->arena, &dst->arena_size, dst->arena_len + (size_t)bytes, 0) < 0) goto done;
  /* second pass: the values (strings), then the later occurrences */
  rc = PF_TABLE_EINTR;
  mi = 0;
  for (size_t k = 0; k < n; k++) {
    if ((k & (PF_POLL_ROWS - 1)) == 0 && ctx_stop(ctx)) goto done;
    size_t r = rows ? rows[k] : k, to = base + k;
    if (r == PF_NOROW || !pf_cell_valid(src, r + off)) {
      if (spans) memset(dst->data + to * w, 0, w);
      continue;
    }
    r += off;
    if (spans) {
      pf_column_setvalid(dst, to);
      copy_value(dst, dst->data + to * w, src, src->data + r * src->width);
    }
    const pf_multi *m = MULTI_OF(r);
    if (m == NULL) continue;
    pf_multi *dm = &dst->multi[dst->nmulti++];
    dm->row = to;
    dm->first = dst->nx;
    dm->count = m->count;
    for (size_t i = 0; i < m->count; i++) {
      copy_value(dst, dst->xdata + dst->nx * w, src, src->xdata + (m->first + i) * src->width);
      dst->nx++;
    }
  }
#undef MULTI_OF
  rc = PF_TABLE_OK;
done:
  if (has) dst->alloc(dst->ud, has, hsize, 0);
  return rc;
}

int pf_column_append_rows(const pf_ctx *ctx, pf_column *dst, const pf_column *src, size_t off,
                          const size_t *rows, size_t n) {
  return append_rows(ctx, dst, src, off, rows, n, 1);
}

static pf_column *take(const pf_ctx *ctx, pf_colref r, const size_t *rows, size_t n, const char *name, int *rc,
                       int all) {
  pf_column *c = pf_column_new(ctx, r.c->type, r.c->fid, name ? name : pf_column_name(r.c));
  if (c == NULL) {
    *rc = PF_TABLE_ENOMEM;
    return NULL;
  }
  *rc = append_rows(ctx, c, r.c, r.off, rows, n, all);
  if (*rc != PF_TABLE_OK) {
    col_release(c);
    return NULL;
  }
  return c;
}

pf_column *pf_column_take(const pf_ctx *ctx, pf_colref r, const size_t *rows, size_t n, const char *name,
                          int *rc) {
  return take(ctx, r, rows, n, name, rc, 1);
}

pf_column *pf_column_take_first(const pf_ctx *ctx, pf_colref r, const size_t *rows, size_t n, const char *name,
                                int *rc) {
  return take(ctx, r, rows, n, name, rc, 0);
}

pf_table *pf_table_take(const pf_ctx *ctx, const pf_table *t, const size_t *rows, size_t n, int *rc) {
  pf_table *d = pf_tbl_derive(t, t->ncols);
  *rc = PF_TABLE_ENOMEM;
  if (d == NULL) return NULL;
  d->nrows = n;
  for (int j = 0; j < t->ncols; j++) {
    if (t->names && t->names[j] && (d->names[j] = pf_tbl_strdup(d->alloc, d->ud, t->names[j])) == NULL) {
      *rc = PF_TABLE_ENOMEM;
      pf_table_free(d);
      return NULL;
    }
    d->cols[j] = pf_column_take(ctx, pf_table_colref(t, j), rows, n, NULL, rc);
    if (d->cols[j] == NULL) {
      pf_table_free(d);
      return NULL;
    }
  }
  *rc = PF_TABLE_OK;
  return d;
}

pf_table *pf_table_concat(const pf_ctx *ctx, const pf_table *const *ts, int nt, int *rc, int *bad_table,
                          int *bad_col) {
  *rc = PF_TABLE_ENOMEM;
  /* the union of the names, in order of first appearance: (table, column) of each */
  int cap = 0;
  for (int i = 0; i < nt; i++) cap += ts[i]->ncols;
  pf_alloc_fn a = pf_tbl_ctx_alloc(ctx);
  void *ud = pf_tbl_ctx_ud(ctx);
  int *from = cap ? (int *)a(ud, NULL, 0, sizeof(int) * 2 * (size_t)cap) : NULL;
  if (cap && from == NULL) return NULL;
  int nu = 0;
  size_t total = 0;
  for (int i = 0; i < nt; i++) {
    total += ts[i]->nrows;
    for (int j = 0; j < ts[i]->ncols; j++) {
      const char *name = pf_table_colname(ts[i], j);
      int k = 0;
      while (k < nu && strcmp(pf_table_colname(ts[from[2 * k]], from[2 * k + 1]), name) != 0) k++;
      if (k < nu) {
        if (ts[from[2 * k]]->cols[from[2 * k + 1]]->type != ts[i]->cols[j]->type) {
          *rc = PF_TABLE_ETYPE;
          *bad_table = i;
          *bad_col = j;
          a(ud, from, sizeof(int) * 2 * (size_t)cap, 0);
          return NULL;
        }
        continue;
      }
      from[2 * nu] = i;
      from[2 * nu + 1] = j;
      nu++;
    }
  }
  pf_table *d = pf_tbl_alloc(a, ud, nu);
  if (d == NULL || pf_tbl_extras(d) < 0) goto fail;
  if (nt > 0) pf_tbl_copy_diag(d, ts[0]);
  d->nrows = total;
  for (int k = 0; k < nu; k++) {
    const pf_table *t0 = ts[from[2 * k]];
    const pf_column *c0 = t0->cols[from[2 * k + 1]];
    const char *name = pf_table_colname(t0, from[2 * k + 1]);
    int fid = c0->fid;
    for (int i = 0; i < nt; i++) {   /* one field's text form only when every part has it */
      int j = pf_table_find(ts[i], name);
      if (j >= 0 && ts[i]->cols[j]->fid != fid) fid = -1;
    }
    d->cols[k] = pf_column_new(ctx, c0->type, fid, name);
    if (d->cols[k] == NULL || col_reserve_rows(d->cols[k], total) < 0) goto fail;
    for (int i = 0; i < nt; i++) {
      int j = pf_table_find(ts[i], name);
      *rc = pf_column_append_rows(ctx, d->cols[k], j >= 0 ? ts[i]->cols[j] : NULL, j >= 0 ? pf_tbl_off(ts[i], j) : 0,
                                  NULL, ts[i]->nrows);
      if (*rc != PF_TABLE_OK) goto fail;
    }
  }
  if (from) a(ud, from, sizeof(int) * 2 * (size_t)cap, 0);
  *rc = PF_TABLE_OK;
  return d;
fail:
  if (*rc == PF_TABLE_OK || *rc == PF_TABLE_ETYPE) *rc = PF_TABLE_ENOMEM;
  pf_table_free(d);
  if (from) a(ud, from, sizeof(int) * 2 * (size_t)cap, 0);
  return NULL;
}
