/* writers.c: a table written out as CSV, TSV (as tshark -T fields) or JSON lines. */
#include "table.h"

#include <math.h>
#include <string.h>

#include "tableint.h"

static int needs_quotes(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n') return 1;
  return 0;
}

static void sb_csv_field(sbuf *line, const char *s, size_t n) {
  if (!needs_quotes(s, n)) {
    pf_sb_addn(line, s, n);
    return;
  }
  pf_sb_addn(line, "\"", 1);
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '"') pf_sb_addn(line, "\"", 1);
    pf_sb_addn(line, s + i, 1);
  }
  pf_sb_addn(line, "\"", 1);
}

enum { FMT_CSV, FMT_TSV, FMT_JSON };

/* Appends s as a JSON string. */
static void sb_json_str(sbuf *b, const char *s, size_t n) {
  static const char hex[] = "0123456789abcdef";
  pf_sb_addn(b, "\"", 1);
  for (size_t i = 0; i < n; i++) {
    unsigned char ch = (unsigned char)s[i];
    if (ch == '"' || ch == '\\') {
      char e[2] = { '\\', (char)ch };
      pf_sb_addn(b, e, 2);
    } else if (ch < 0x20) {
      char e[6] = { '\\', 'u', '0', '0', hex[ch >> 4], hex[ch & 15] };
      pf_sb_addn(b, e, 6);
    } else {
      pf_sb_addn(b, s + i, 1);
    }
  }
  pf_sb_addn(b, "\"", 1);
}

/* Types whose text is a JSON number (times are "secs.nnnnnnnnn"). */
static int json_number(pf_ftype t) {
  return pf_type_is_int(t) || pf_type_is_time(t) || t == PF_FT_DOUBLE;
}

/* One JSON value for occurrence occ of absolute row r of c. */
static void sb_json_value(sbuf *b, sbuf *cell, const pf_column *c, size_t r, size_t occ) {
  if (c->type == PF_FT_NONE) { pf_sb_adds(b, "true"); return; }
  cell->len = 0;
  if (pf_sb_room(cell, 64) < 0) { b->oom = 1; return; }
  int need = pf_column_format(c, r, occ, cell->p, cell->size);
  if (need >= 0 && (size_t)need >= cell->size) {
    if (pf_sb_room(cell, (size_t)need) < 0) { b->oom = 1; return; }
    need = pf_column_format(c, r, occ, cell->p, cell->size);
  }
  if (need < 0) { pf_sb_adds(b, "null"); return; }
  cell->len = (size_t)need;
  if (json_number(c->type)) {
    if (c->type == PF_FT_DOUBLE && !isfinite(pf_cell_f64(c, r))) pf_sb_adds(b, "null");   /* JSON has no inf */
    else pf_sb_addn(b, cell->p, cell->len);
  } else {
    sb_json_str(b, cell->p, cell->len);
  }
}

static int write_table(const pf_table *t, pf_write_fn w, void *ud, int fmt) {
  sbuf line, cell;
  int rc = PF_TABLE_OK;
  char sep = fmt == FMT_TSV ? '\t' : ',';
  pf_sb_init(&line, t);
  pf_sb_init(&cell, t);
  if (fmt != FMT_JSON) {
    for (int j = 0; j < t->ncols; j++) {
      const char *name = pf_table_colname(t, j);
      if (j > 0) pf_sb_addn(&line, &sep, 1);
      if (fmt == FMT_CSV) sb_csv_field(&line, name, strlen(name));
      else pf_sb_adds(&line, name);
    }
    pf_sb_addn(&line, "\n", 1);
  }
  for (size_t r = 0; r < t->nrows && rc == PF_TABLE_OK; r++) {
    if (fmt == FMT_JSON) pf_sb_addn(&line, "{", 1);
    for (int j = 0; j < t->ncols; j++) {
      const pf_column *c = t->cols[j];
      size_t at = pf_tbl_off(t, j) + r;
      if (fmt == FMT_JSON) {
        const char *name = pf_table_colname(t, j);
        if (j > 0) pf_sb_addn(&line, ", ", 2);
        sb_json_str(&line, name, strlen(name));
        pf_sb_addn(&line, ": ", 2);
        size_t k = pf_column_count(c, at);
        if (k == 0) pf_sb_adds(&line, "null");
        else if (k == 1) sb_json_value(&line, &cell, c, at, 0);
        else {
          pf_sb_addn(&line, "[", 1);
          for (size_t occ = 0; occ < k; occ++) {
            if (occ) pf_sb_addn(&line, ", ", 2);
            sb_json_value(&line, &cell, c, at, occ);
          }
          pf_sb_addn(&line, "]", 1);
        }
        continue;
      }
      if (j > 0) pf_sb_addn(&line, &sep, 1);
      cell.len = 0;
      pf_sb_cell(&cell, c, at);
      if (cell.oom) { line.oom = 1; break; }
      if (fmt == FMT_CSV) {
        sb_csv_field(&line, cell.p, cell.len);
      } else {
        for (size_t i = 0; i < cell.len; i++)
          if (cell.p[i] == '\t' || cell.p[i] == '\n' || cell.p[i] == '\r') cell.p[i] = ' ';
        pf_sb_addn(&line, cell.p, cell.len);
      }
    }
    if (fmt == FMT_JSON) pf_sb_addn(&line, "}", 1);
    if (cell.oom) line.oom = 1;
    pf_sb_addn(&line, "\n", 1);
    rc = pf_sb_flush(&line, w, ud, 0);
  }
  if (rc == PF_TABLE_OK) rc = pf_sb_flush(&line, w, ud, 1);
  pf_sb_free(&line);
  pf_sb_free(&cell);
  return rc;
}

int pf_table_csv(const pf_table *t, pf_write_fn w, void *ud) { return write_table(t, w, ud, FMT_CSV); }
int pf_table_tsv(const pf_table *t, pf_write_fn w, void *ud) { return write_table(t, w, ud, FMT_TSV); }
int pf_table_json(const pf_table *t, pf_write_fn w, void *ud) { return write_table(t, w, ud, FMT_JSON); }
