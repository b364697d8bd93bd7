/* table.c: the columnar packet table: typed, null-masked, shareable columns; CSV and text output. */
#include "table.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"

struct pf_table {
  pf_alloc_fn alloc;
  void *ud;
  size_t nrows;        /* rows this table sees: <= every column's n */
  int ncols;
  pf_column **cols;
  pf_diag diag;
};

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
static int reserve(pf_alloc_fn a, void *ud, void *pp, size_t *size, size_t need, int zero) {
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

static pf_column *col_new(pf_alloc_fn a, void *ud, int fid) {
  pf_column *c = (pf_column *)a(ud, NULL, 0, sizeof *c);
  if (c == NULL) return NULL;
  memset(c, 0, sizeof *c);
  c->refs = 1;
  c->fid = fid;
  c->type = pf_fields[fid].type;
  c->width = type_width(c->type);
  c->alloc = a;
  c->ud = ud;
  return c;
}

static void col_release(pf_column *c) {
  if (c == NULL || --c->refs > 0) return;
  pf_alloc_fn a = c->alloc;
  a(c->ud, c->data, c->data_size, 0);
  a(c->ud, c->valid, c->valid_size, 0);
  a(c->ud, c->multi, c->multi_size, 0);
  a(c->ud, c->xdata, c->xdata_size, 0);
  a(c->ud, c->arena, c->arena_size, 0);
  a(c->ud, c, sizeof *c, 0);
}

static pf_table *table_alloc(pf_alloc_fn a, void *ud, int ncols) {
  pf_table *t = (pf_table *)a(ud, NULL, 0, sizeof *t);
  if (t == NULL) return NULL;
  t->alloc = a;
  t->ud = ud;
  t->nrows = 0;
  t->ncols = ncols;
  t->cols = NULL;
  pf_diag_init(&t->diag);
  if (ncols > 0) {
    t->cols = (pf_column **)a(ud, NULL, 0, sizeof(pf_column *) * (size_t)ncols);
    if (t->cols == NULL) { a(ud, t, sizeof *t, 0); return NULL; }
    for (int i = 0; i < ncols; i++) t->cols[i] = NULL;
  }
  return t;
}

pf_table *pf_table_new(const int *fids, int nfids, pf_alloc_fn alloc, void *ud) {
  if (alloc == NULL) alloc = default_alloc;
  if (nfids < 0) return NULL;
  for (int i = 0; i < nfids; i++)
    if (fids[i] < 0 || fids[i] >= PF_NFIELDS) return NULL;
  pf_table *t = table_alloc(alloc, ud, nfids);
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
  pf_diag_free(&t->diag);
  t->alloc(t->ud, t, sizeof *t, 0);
}

/* Makes room in c for one more row holding the occurrences of its field in p,
   so that the commit that follows cannot fail. 0 or -1. */
static int reserve_row(pf_column *c, const pf_pkt *p) {
  pf_alloc_fn a = c->alloc;
  size_t rows = c->n + 1;
  if (c->width && reserve(a, c->ud, &c->data, &c->data_size, rows * c->width, 0) < 0) return -1;
  if (reserve(a, c->ud, &c->valid, &c->valid_size, (rows + 7) / 8, 1) < 0) return -1;
  int i = p->first[c->fid];
  if (i < 0) return 0;
  size_t k = 0;
  uint64_t bytes = 0;
  for (int j = i; j >= 0; j = p->vals[j].next) {
    k++;
    if (c->type == PF_FT_STRING || c->type == PF_FT_BYTES) bytes += p->vals[j].v.s.len;
  }
  if (k > 1) {
    if (reserve(a, c->ud, &c->multi, &c->multi_size, (c->nmulti + 1) * sizeof(pf_multi), 0) < 0) return -1;
    if (c->width && reserve(a, c->ud, &c->xdata, &c->xdata_size, (c->nx + k - 1) * c->width, 0) < 0)
      return -1;
  }
  if (bytes > 0) {
    if (bytes > (uint64_t)((size_t)-1 - c->arena_len)) return -1;
    if (reserve(a, c->ud, &c->arena, &c->arena_size, c->arena_len + (size_t)bytes, 0) < 0) return -1;
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
    if (t->cols[i]->n != t->nrows) return PF_TABLE_EFROZEN;
  for (int i = 0; i < t->ncols; i++)
    if (reserve_row(t->cols[i], p) < 0) return PF_TABLE_ENOMEM;
  for (int i = 0; i < t->ncols; i++) commit_row(t->cols[i], p);
  t->nrows++;
  return PF_TABLE_OK;
}

int pf_table_has_all(const pf_table *t, const pf_pkt *p) {
  for (int i = 0; i < t->ncols; i++)
    if (p->first[t->cols[i]->fid] < 0) return 0;
  return 1;
}

pf_table *pf_table_head(const pf_table *t, size_t n) {
  pf_table *h = table_alloc(t->alloc, t->ud, t->ncols);
  if (h == NULL) return NULL;
  h->nrows = n < t->nrows ? n : t->nrows;
  for (int i = 0; i < t->ncols; i++) {
    h->cols[i] = t->cols[i];
    h->cols[i]->refs++;
  }
  /* diagnostics are few; a dropped one (out of memory) is not worth failing for */
  for (int i = 0; i < t->diag.n; i++) pf_diag_add(&h->diag, "%s", t->diag.msgs[i]);
  return h;
}

size_t pf_table_nrows(const pf_table *t) { return t->nrows; }
int pf_table_ncols(const pf_table *t) { return t->ncols; }

const pf_column *pf_table_col(const pf_table *t, int col) {
  return col >= 0 && col < t->ncols ? t->cols[col] : NULL;
}

int pf_table_find(const pf_table *t, const char *name) {
  for (int i = 0; i < t->ncols; i++)
    if (strcmp(pf_fields[t->cols[i]->fid].name, name) == 0) return i;
  return -1;
}

const char *pf_column_name(const pf_column *c) { return pf_fields[c->fid].name; }
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

int pf_column_format(const pf_column *c, size_t row, size_t occ, char *buf, size_t n) {
  pf_val v;
  if (!pf_column_get(c, row, occ, &v)) {
    if (n) buf[0] = 0;
    return -1;
  }
  return pf_val_format(c->fid, &v, buf, n);
}

int pf_table_format_cell(const pf_table *t, size_t row, int col, size_t occ, char *buf, size_t n) {
  if (row >= t->nrows || col < 0 || col >= t->ncols) {
    if (n) buf[0] = 0;
    return -1;
  }
  return pf_column_format(t->cols[col], row, occ, buf, n);
}

/* ---- text output ---- */

/* A growing byte buffer from the table's allocator; oom latches. */
typedef struct sbuf {
  char *p;
  size_t len, size;
  pf_alloc_fn a;
  void *ud;
  int oom;
} sbuf;

static void sb_init(sbuf *b, const pf_table *t) {
  b->p = NULL;
  b->len = b->size = 0;
  b->a = t->alloc;
  b->ud = t->ud;
  b->oom = 0;
}

static void sb_free(sbuf *b) {
  if (b->p) b->a(b->ud, b->p, b->size, 0);
  b->p = NULL;
  b->len = b->size = 0;
}

static int sb_room(sbuf *b, size_t extra) {
  if (b->oom) return -1;
  if (extra > (size_t)-1 - b->len - 1 || reserve(b->a, b->ud, &b->p, &b->size, b->len + extra + 1, 0) < 0) {
    b->oom = 1;
    return -1;
  }
  return 0;
}

static void sb_addn(sbuf *b, const char *s, size_t n) {
  if (sb_room(b, n) < 0) return;
  if (n) memcpy(b->p + b->len, s, n);
  b->len += n;
  b->p[b->len] = 0;
}

static void sb_adds(sbuf *b, const char *s) { sb_addn(b, s, strlen(s)); }

static void sb_pad(sbuf *b, size_t n) {
  if (sb_room(b, n) < 0) return;
  memset(b->p + b->len, ' ', n);
  b->len += n;
  b->p[b->len] = 0;
}

/* Appends every occurrence of (row, col) in tshark text, joined by ','. */
static void sb_cell(sbuf *b, const pf_column *c, size_t row) {
  size_t k = pf_column_count(c, row);
  for (size_t occ = 0; occ < k; occ++) {
    if (occ > 0) sb_addn(b, ",", 1);
    if (sb_room(b, 64) < 0) return;
    int need = pf_column_format(c, row, occ, b->p + b->len, b->size - b->len);
    if (need < 0) continue;
    if ((size_t)need >= b->size - b->len) {
      if (sb_room(b, (size_t)need) < 0) return;
      need = pf_column_format(c, row, occ, b->p + b->len, b->size - b->len);
    }
    b->len += (size_t)need;
  }
}

static int needs_quotes(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n') return 1;
  return 0;
}

static void sb_csv_field(sbuf *line, const char *s, size_t n) {
  if (!needs_quotes(s, n)) {
    sb_addn(line, s, n);
    return;
  }
  sb_addn(line, "\"", 1);
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '"') sb_addn(line, "\"", 1);
    sb_addn(line, s + i, 1);
  }
  sb_addn(line, "\"", 1);
}

/* Hands line to w when it is big enough (or when force is set) and empties it. */
static int flush(sbuf *line, pf_write_fn w, void *ud, int force) {
  if (line->oom) return PF_TABLE_ENOMEM;
  if (line->len == 0 || (!force && line->len < 65536)) return PF_TABLE_OK;
  if (w(ud, line->p, line->len)) return PF_TABLE_EWRITE;
  line->len = 0;
  return PF_TABLE_OK;
}

int pf_table_csv(const pf_table *t, pf_write_fn w, void *ud) {
  sbuf line, cell;
  int rc = PF_TABLE_OK;
  sb_init(&line, t);
  sb_init(&cell, t);
  for (int j = 0; j < t->ncols; j++) {
    const char *name = pf_column_name(t->cols[j]);
    if (j > 0) sb_addn(&line, ",", 1);
    sb_csv_field(&line, name, strlen(name));
  }
  sb_addn(&line, "\n", 1);
  for (size_t r = 0; r < t->nrows && rc == PF_TABLE_OK; r++) {
    for (int j = 0; j < t->ncols; j++) {
      if (j > 0) sb_addn(&line, ",", 1);
      cell.len = 0;
      sb_cell(&cell, t->cols[j], r);
      if (cell.oom) { line.oom = 1; break; }
      sb_csv_field(&line, cell.p, cell.len);
    }
    sb_addn(&line, "\n", 1);
    rc = flush(&line, w, ud, 0);
  }
  if (rc == PF_TABLE_OK) rc = flush(&line, w, ud, 1);
  sb_free(&line);
  sb_free(&cell);
  return rc;
}

static int right_aligned(pf_ftype t) {
  switch (t) {
    case PF_FT_NONE: case PF_FT_BOOL: case PF_FT_UINT: case PF_FT_INT: case PF_FT_FRAMENUM:
    case PF_FT_ABSTIME: case PF_FT_RELTIME: case PF_FT_DOUBLE:
      return 1;
    default:
      return 0;
  }
}

/* Text of one displayed cell into b (emptied first): row SIZE_MAX is the
   "..." row; long text is cut to maxw bytes ending in "...". */
static void display_cell(sbuf *b, const pf_column *c, size_t row, size_t maxw) {
  b->len = 0;
  if (row == (size_t)-1) sb_adds(b, "...");
  else if (!pf_column_valid(c, row)) sb_adds(b, "nil");
  else sb_cell(b, c, row);
  if (b->len > maxw && maxw >= 4 && !b->oom) {
    memcpy(b->p + maxw - 3, "...", 3);
    b->len = maxw;
    b->p[b->len] = 0;
  }
}

static void sb_aligned(sbuf *line, const char *s, size_t n, size_t w, int right) {
  if (right && n < w) sb_pad(line, w - n);
  sb_addn(line, s, n);
  if (!right && n < w) sb_pad(line, w - n);
}

int pf_table_render(const pf_table *t, const pf_render_opts *opts, pf_write_fn w, void *ud) {
  pf_render_opts def = { PF_RENDER_WIDTH, PF_RENDER_MAX_ROWS, PF_RENDER_MIN_ROWS, PF_RENDER_MAX_COLWIDTH };
  if (opts == NULL) opts = &def;
  int rc = PF_TABLE_OK;
  int cut = t->nrows > opts->max_rows && t->nrows > opts->min_rows;
  size_t top = cut ? (opts->min_rows + 1) / 2 : t->nrows;
  size_t bottom = cut ? opts->min_rows / 2 : 0;
  size_t nlines = cut ? top + 1 + bottom : t->nrows;
  /* rows[i]: table row of display line i, SIZE_MAX for the "..." line */
  size_t *rows = nlines ? (size_t *)t->alloc(t->ud, NULL, 0, sizeof(size_t) * nlines) : NULL;
  size_t *wid = t->ncols ? (size_t *)t->alloc(t->ud, NULL, 0, sizeof(size_t) * (size_t)t->ncols) : NULL;
  int *shown = t->ncols ? (int *)t->alloc(t->ud, NULL, 0, sizeof(int) * (size_t)t->ncols) : NULL;
  sbuf line, cell;
  sb_init(&line, t);
  sb_init(&cell, t);
  if ((nlines && rows == NULL) || (t->ncols && (wid == NULL || shown == NULL))) {
    rc = PF_TABLE_ENOMEM;
    goto done;
  }
  for (size_t i = 0; i < nlines; i++) {
    if (i < top) rows[i] = i;
    else if (i == top) rows[i] = (size_t)-1;
    else rows[i] = t->nrows - bottom + (i - top - 1);
  }
  /* index column: 1-based row numbers, the widest is the last shown */
  char label[32];
  size_t idxw = 0;
  for (size_t i = 0; i < nlines; i++) {
    size_t l = rows[i] == (size_t)-1 ? 3 : (size_t)snprintf(label, sizeof label, "%zu", rows[i] + 1);
    if (l > idxw) idxw = l;
  }
  for (int j = 0; j < t->ncols; j++) {
    size_t nl = strlen(pf_column_name(t->cols[j]));
    wid[j] = nl < opts->max_colwidth ? nl : opts->max_colwidth;
    for (size_t i = 0; i < nlines; i++) {
      display_cell(&cell, t->cols[j], rows[i], opts->max_colwidth);
      if (cell.len > wid[j]) wid[j] = cell.len;
    }
  }
  if (cell.oom) { rc = PF_TABLE_ENOMEM; goto done; }
  /* columns: all if they fit, else as many from both ends as fit around "..." */
  size_t total = idxw;
  for (int j = 0; j < t->ncols; j++) total += 2 + wid[j];
  int nleft = t->ncols, nright = 0;
  if (total > opts->width && t->ncols > 1) {
    size_t used = idxw + 2 + 3 + 2 + wid[0];
    nleft = 1;
    for (int k = 2; k < t->ncols; k++) {   /* k columns: ceil(k/2) from the left, the rest from the right */
      int l = (k + 1) / 2, r = k / 2;
      int add = (k % 2) ? l - 1 : t->ncols - r;
      if (used + 2 + wid[add] > opts->width) break;
      used += 2 + wid[add];
      nleft = l;
      nright = r;
    }
  }
  for (int j = 0; j < t->ncols; j++) shown[j] = j < nleft || j >= t->ncols - nright;
  /* header, rows, footer */
  for (size_t i = 0; i <= nlines && rc == PF_TABLE_OK; i++) {
    int header = i == 0;
    size_t row = header ? 0 : rows[i - 1];
    if (header) sb_pad(&line, idxw);
    else if (row == (size_t)-1) sb_aligned(&line, "...", 3, idxw, 0);
    else {
      int l = snprintf(label, sizeof label, "%zu", row + 1);
      sb_aligned(&line, label, (size_t)l, idxw, 0);   /* pandas left-aligns the index */
    }
    for (int j = 0; j < t->ncols; j++) {
      if (!shown[j]) {
        if (j == nleft) sb_adds(&line, "  ...");
        continue;
      }
      const pf_column *c = t->cols[j];
      if (header) {
        const char *name = pf_column_name(c);
        size_t nl = strlen(name);
        cell.len = 0;
        sb_addn(&cell, name, nl);
        if (cell.len > opts->max_colwidth && opts->max_colwidth >= 4 && !cell.oom) {
          memcpy(cell.p + opts->max_colwidth - 3, "...", 3);
          cell.len = opts->max_colwidth;
        }
      } else {
        display_cell(&cell, c, row, opts->max_colwidth);
      }
      if (cell.oom) break;
      sb_pad(&line, 2);
      sb_aligned(&line, cell.p, cell.len, wid[j], right_aligned(c->type));
    }
    while (line.len > 0 && line.p[line.len - 1] == ' ') line.len--;
    sb_addn(&line, "\n", 1);
    if (cell.oom) line.oom = 1;
    rc = flush(&line, w, ud, 0);
  }
  if (rc == PF_TABLE_OK) {
    char foot[96];
    int l = snprintf(foot, sizeof foot, "\n[%zu rows x %d columns]", t->nrows, t->ncols);
    sb_addn(&line, foot, (size_t)l);
    rc = flush(&line, w, ud, 1);
  }
done:
  sb_free(&line);
  sb_free(&cell);
  if (rows) t->alloc(t->ud, rows, sizeof(size_t) * nlines, 0);
  if (wid) t->alloc(t->ud, wid, sizeof(size_t) * (size_t)t->ncols, 0);
  if (shown) t->alloc(t->ud, shown, sizeof(int) * (size_t)t->ncols, 0);
  return rc;
}
