/* tabletext.c: a table as text: the growing line buffer the writers share, and the aligned display
   (tostring, after pandas). */
#include "table.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "fields.h"
#include "tableint.h"

/* ---- line buffer ---- */

void pf_sb_init(sbuf *b, const pf_table *t) {
  b->p = NULL;
  b->len = b->size = 0;
  b->a = t->alloc;
  b->ud = t->ud;
  b->oom = 0;
}

void pf_sb_free(sbuf *b) {
  if (b->p) b->a(b->ud, b->p, b->size, 0);
  b->p = NULL;
  b->len = b->size = 0;
}

int pf_sb_room(sbuf *b, size_t extra) {
  if (b->oom) return -1;
  if (extra > (size_t)-1 - b->len - 1 || pf_tbl_reserve(b->a, b->ud, &b->p, &b->size, b->len + extra + 1, 0) < 0) {
    b->oom = 1;
    return -1;
  }
  return 0;
}

void pf_sb_addn(sbuf *b, const char *s, size_t n) {
  if (pf_sb_room(b, n) < 0) return;
  if (n) memcpy(b->p + b->len, s, n);
  b->len += n;
  b->p[b->len] = 0;
}

void pf_sb_adds(sbuf *b, const char *s) { pf_sb_addn(b, s, strlen(s)); }

void pf_sb_pad(sbuf *b, size_t n) {
  if (pf_sb_room(b, n) < 0) return;
  memset(b->p + b->len, ' ', n);
  b->len += n;
  b->p[b->len] = 0;
}

/* Appends every occurrence of (row, col) in tshark text, joined by ','. */
void pf_sb_cell(sbuf *b, const pf_column *c, size_t row) {
  size_t k = pf_column_count(c, row);
  for (size_t occ = 0; occ < k; occ++) {
    if (occ > 0) pf_sb_addn(b, ",", 1);
    if (pf_sb_room(b, 64) < 0) return;
    int need = pf_column_format(c, row, occ, b->p + b->len, b->size - b->len);
    if (need < 0) continue;
    if ((size_t)need >= b->size - b->len) {
      if (pf_sb_room(b, (size_t)need) < 0) return;
      need = pf_column_format(c, row, occ, b->p + b->len, b->size - b->len);
    }
    b->len += (size_t)need;
  }
}

/* Hands line to w when it is big enough (or when force is set) and empties it. */
int pf_sb_flush(sbuf *line, pf_write_fn w, void *ud, int force) {
  if (line->oom) return PF_TABLE_ENOMEM;
  if (line->len == 0 || (!force && line->len < 65536)) return PF_TABLE_OK;
  if (w(ud, line->p, line->len)) return PF_TABLE_EWRITE;
  line->len = 0;
  return PF_TABLE_OK;
}

/* ---- aligned display ---- */

static int right_aligned(pf_ftype t) {
  switch (t) {
    case PF_FT_NONE: case PF_FT_BOOL: case PF_FT_UINT: case PF_FT_INT: case PF_FT_FRAMENUM:
    case PF_FT_ABSTIME: case PF_FT_RELTIME: case PF_FT_DOUBLE:
      return 1;
    default:
      return 0;
  }
}

/* Digits of the fraction an abstime column shows as dates: 6 when every value is a
   whole microsecond (a microsecond capture), else 9. */
static int date_digits(const pf_column *c, size_t off, size_t n) {
  for (size_t r = 0; r < n; r++) {
    size_t k = pf_column_count(c, off + r);
    for (size_t occ = 0; occ < k; occ++) {
      pf_val v;
      if (pf_column_get(c, off + r, occ, &v) && v.v.t.nsecs % 1000 != 0) return 9;
    }
  }
  return 6;
}

/* Appends every occurrence of (row, col), an abstime, as a UTC date, joined by ','. */
static void sb_date(sbuf *b, const pf_column *c, size_t row, int digits) {
  size_t k = pf_column_count(c, row);
  for (size_t occ = 0; occ < k; occ++) {
    pf_val v;
    char buf[64];
    struct tm tm;
    if (occ > 0) pf_sb_addn(b, ",", 1);
    if (!pf_column_get(c, row, occ, &v)) continue;
    time_t secs = (time_t)v.v.t.secs;
    size_t l = 0;
    if (v.v.t.secs >= 0 && v.v.t.nsecs >= 0 && v.v.t.nsecs < 1000000000 && (int64_t)secs == v.v.t.secs && gmtime_r(&secs, &tm) &&
        tm.tm_year + 1900 <= 9999 && (l = strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm)) > 0) {
      long frac = digits == 6 ? (long)v.v.t.nsecs / 1000 : (long)v.v.t.nsecs;
      l += (size_t)snprintf(buf + l, sizeof buf - l, ".%0*ld", digits, frac);
      pf_sb_addn(b, buf, l);
    } else {   /* before 1970 or past 9999: the epoch seconds */
      int need = pf_column_format(c, row, occ, buf, sizeof buf);
      if (need > 0 && (size_t)need < sizeof buf) pf_sb_addn(b, buf, (size_t)need);
    }
  }
}

/* Text of one displayed cell into b (emptied first): row SIZE_MAX is the
   "..." row; long text is cut to maxw bytes ending in "..." (maxw 0: never);
   digits > 0 shows an abstime as a date with that many fraction digits. */
static void display_cell(sbuf *b, const pf_column *c, size_t row, size_t maxw, int digits) {
  b->len = 0;
  if (row == (size_t)-1) pf_sb_adds(b, "...");
  else if (!pf_column_valid(c, row)) pf_sb_adds(b, "nil");
  else if (digits > 0) sb_date(b, c, row, digits);
  else pf_sb_cell(b, c, row);
  if (maxw && b->len > maxw && maxw >= 4 && !b->oom) {
    memcpy(b->p + maxw - 3, "...", 3);
    b->len = maxw;
    b->p[b->len] = 0;
  }
}

static void sb_aligned(sbuf *line, const char *s, size_t n, size_t w, int right) {
  if (right && n < w) pf_sb_pad(line, w - n);
  pf_sb_addn(line, s, n);
  if (!right && n < w) pf_sb_pad(line, w - n);
}

int pf_table_render(const pf_table *t, const pf_render_opts *opts, pf_write_fn w, void *ud) {
  pf_render_opts def = { PF_RENDER_WIDTH, PF_RENDER_MAX_ROWS, PF_RENDER_MIN_ROWS, PF_RENDER_MAX_COLWIDTH, 0, 0, 0 };
  if (opts == NULL) opts = &def;
  int rc = PF_TABLE_OK;
  size_t width = opts->width ? opts->width : (size_t)-1;
  int cut = opts->max_rows && t->nrows > opts->max_rows && t->nrows > opts->min_rows;
  size_t top = cut ? (opts->min_rows + 1) / 2 : t->nrows;
  size_t bottom = cut ? opts->min_rows / 2 : 0;
  size_t nlines = cut ? top + 1 + bottom : t->nrows;
  int series = opts->series && t->ncols == 1;
  /* rows[i]: table row of display line i, SIZE_MAX for the "..." line */
  size_t *rows = nlines ? (size_t *)t->alloc(t->ud, NULL, 0, sizeof(size_t) * nlines) : NULL;
  size_t *wid = t->ncols ? (size_t *)t->alloc(t->ud, NULL, 0, sizeof(size_t) * (size_t)t->ncols) : NULL;
  int *shown = t->ncols ? (int *)t->alloc(t->ud, NULL, 0, sizeof(int) * (size_t)t->ncols) : NULL;
  int *digits = t->ncols ? (int *)t->alloc(t->ud, NULL, 0, sizeof(int) * (size_t)t->ncols) : NULL;
  sbuf line, cell;
  pf_sb_init(&line, t);
  pf_sb_init(&cell, t);
  if ((nlines && rows == NULL) || (t->ncols && (wid == NULL || shown == NULL || digits == NULL))) {
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
    digits[j] = opts->dates && t->cols[j]->type == PF_FT_ABSTIME ? date_digits(t->cols[j], pf_tbl_off(t, j), t->nrows) : 0;
    size_t nl = series ? 0 : strlen(pf_table_colname(t, j));
    wid[j] = nl < opts->max_colwidth || !opts->max_colwidth ? nl : opts->max_colwidth;
    for (size_t i = 0; i < nlines; i++) {
      display_cell(&cell, t->cols[j], rows[i] == (size_t)-1 ? rows[i] : pf_tbl_off(t, j) + rows[i], opts->max_colwidth,
                   digits[j]);
      if (cell.len > wid[j]) wid[j] = cell.len;
    }
  }
  if (cell.oom) { rc = PF_TABLE_ENOMEM; goto done; }
  /* columns: all if they fit (and are at most max_cols), else as many from both ends as fit around "..." */
  size_t total = idxw;
  for (int j = 0; j < t->ncols; j++) total += 2 + wid[j];
  int nleft = t->ncols, nright = 0;
  int maxc = opts->max_cols && opts->max_cols < (size_t)t->ncols ? (int)opts->max_cols : t->ncols;
  if ((total > width || maxc < t->ncols) && t->ncols > 1) {
    size_t used = idxw + 2 + 3 + 2 + wid[0];
    nleft = 1;
    for (int k = 2; k < t->ncols && k <= maxc; k++) {   /* k columns: ceil(k/2) from the left, the rest from the right */
      int l = (k + 1) / 2, r = k / 2;
      int add = (k % 2) ? l - 1 : t->ncols - r;
      if (used + 2 + wid[add] > width) break;
      used += 2 + wid[add];
      nleft = l;
      nright = r;
    }
  }
  for (int j = 0; j < t->ncols; j++) shown[j] = j < nleft || j >= t->ncols - nright;
  /* header, rows, footer */
  for (size_t i = series ? 1 : 0; i <= nlines && rc == PF_TABLE_OK; i++) {
    int header = i == 0;
    size_t row = header ? 0 : rows[i - 1];
    if (header) pf_sb_pad(&line, idxw);
    else if (row == (size_t)-1) sb_aligned(&line, "...", 3, idxw, 0);
    else {
      int l = snprintf(label, sizeof label, "%zu", row + 1);
      sb_aligned(&line, label, (size_t)l, idxw, 0);   /* pandas left-aligns the index */
    }
    for (int j = 0; j < t->ncols; j++) {
      if (!shown[j]) {
        if (j == nleft) pf_sb_adds(&line, "  ...");
        continue;
      }
      const pf_column *c = t->cols[j];
      if (header) {
        const char *name = pf_table_colname(t, j);
        size_t nl = strlen(name);
        cell.len = 0;
        pf_sb_addn(&cell, name, nl);
        if (opts->max_colwidth && cell.len > opts->max_colwidth && opts->max_colwidth >= 4 && !cell.oom) {
          memcpy(cell.p + opts->max_colwidth - 3, "...", 3);
          cell.len = opts->max_colwidth;
        }
      } else {
        display_cell(&cell, c, row == (size_t)-1 ? row : pf_tbl_off(t, j) + row, opts->max_colwidth, digits[j]);
      }
      if (cell.oom) break;
      pf_sb_pad(&line, 2);
      sb_aligned(&line, cell.p, cell.len, wid[j], right_aligned(c->type));
    }
    while (line.len > 0 && line.p[line.len - 1] == ' ') line.len--;
    pf_sb_addn(&line, "\n", 1);
    if (cell.oom) line.oom = 1;
    rc = pf_sb_flush(&line, w, ud, 0);
  }
  if (rc == PF_TABLE_OK) {
    if (series) {
      const char *name = pf_table_colname(t, 0);
      char foot[96];
      pf_sb_adds(&line, "Name: ");
      pf_sb_adds(&line, name);
      int l = snprintf(foot, sizeof foot, ", Length: %zu, dtype: %s", t->nrows, pf_ftype_name(t->cols[0]->type));
      pf_sb_addn(&line, foot, (size_t)l);
    } else {
      char foot[96];
      int l = snprintf(foot, sizeof foot, "\n[%zu rows x %d columns]", t->nrows, t->ncols);
      pf_sb_addn(&line, foot, (size_t)l);
    }
    rc = pf_sb_flush(&line, w, ud, 1);
  }
done:
  pf_sb_free(&line);
  pf_sb_free(&cell);
  if (rows) t->alloc(t->ud, rows, sizeof(size_t) * nlines, 0);
  if (wid) t->alloc(t->ud, wid, sizeof(size_t) * (size_t)t->ncols, 0);
  if (shown) t->alloc(t->ud, shown, sizeof(int) * (size_t)t->ncols, 0);
  if (digits) t->alloc(t->ud, digits, sizeof(int) * (size_t)t->ncols, 0);
  return rc;
}
