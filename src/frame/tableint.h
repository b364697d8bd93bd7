/* tableint.h: what the files of the table share beyond table.h (table.c storage, view.c views,
   tabletext.c display and line buffer, writers.c): the table's layout and their helpers. Internal to
   src/frame: the verbs and bindings use table.h. */
#ifndef PF_TABLEINT_H
#define PF_TABLEINT_H

#include "table.h"

struct pf_table {
  pf_alloc_fn alloc;
  void *ud;
  size_t nrows;        /* rows this table sees: offs[i] + nrows <= cols[i]->n */
  int ncols;
  pf_column **cols;
  size_t *offs;        /* per column: its row that is the table's row 0; NULL: all 0 */
  char **names;        /* per column: the table's name for it, NULL: the column's own; NULL: all own */
  pf_diag diag;
};

/* Row of column col that is t's row 0. */
static inline size_t pf_tbl_off(const pf_table *t, int col) { return t->offs ? t->offs[col] : 0; }

/* ---- table.c ---- */

/* Grows the block *p of *size bytes to hold at least need bytes, doubling
   (new bytes zeroed when zero is set). 0, or -1 leaving *p and *size as they were.
   The check that there is room is inline (every append makes it); pf_tbl_grow grows. */
int pf_tbl_grow(pf_alloc_fn a, void *ud, void *pp, size_t *size, size_t need, int zero);
static inline int pf_tbl_reserve(pf_alloc_fn a, void *ud, void *pp, size_t *size, size_t need, int zero) {
  return need <= *size ? 0 : pf_tbl_grow(a, ud, pp, size, need, zero);
}
/* A copy of s from a (NUL included), or NULL; and its release. */
char *pf_tbl_strdup(pf_alloc_fn a, void *ud, const char *s);
void pf_tbl_strfree(pf_alloc_fn a, void *ud, char *s);
/* ctx's allocator (the default one for NULL) and its user data. */
pf_alloc_fn pf_tbl_ctx_alloc(const pf_ctx *ctx);
void *pf_tbl_ctx_ud(const pf_ctx *ctx);
/* A table of ncols NULL columns, no offsets or names; NULL when out of memory. */
pf_table *pf_tbl_alloc(pf_alloc_fn a, void *ud, int ncols);
/* Gives t (from pf_tbl_alloc) per-column offsets and names, all zero/NULL. 0 or -1. */
int pf_tbl_extras(pf_table *t);
/* Adds from's diagnostics to to's (a dropped one, out of memory, is not worth failing for). */
void pf_tbl_copy_diag(pf_table *to, const pf_table *from);

/* ---- view.c ---- */

/* A new table of t's allocator with n columns, offsets and names, the
   diagnostics of t copied; NULL when out of memory. */
pf_table *pf_tbl_derive(const pf_table *t, int n);
/* Names column j of d (from pf_tbl_derive or pf_tbl_extras) name, or its column's own name for NULL. 0 or -1. */
int pf_tbl_set_name(pf_table *d, int j, const char *name);

/* ---- tabletext.c: a line buffer ---- */

/* A growing byte buffer from the table's allocator; oom latches. */
typedef struct sbuf {
  char *p;
  size_t len, size;
  pf_alloc_fn a;
  void *ud;
  int oom;
} sbuf;

void pf_sb_init(sbuf *b, const pf_table *t);
void pf_sb_free(sbuf *b);
/* Room for extra more bytes (and a NUL). 0, or -1 (oom latched). */
int pf_sb_room(sbuf *b, size_t extra);
void pf_sb_addn(sbuf *b, const char *s, size_t n);
void pf_sb_adds(sbuf *b, const char *s);
void pf_sb_pad(sbuf *b, size_t n);
/* Appends every occurrence of (row, col) in tshark text, joined by ','. */
void pf_sb_cell(sbuf *b, const pf_column *c, size_t row);
/* Hands line to w when it is big enough (or when force is set) and empties it. */
int pf_sb_flush(sbuf *line, pf_write_fn w, void *ud, int force);

#endif
