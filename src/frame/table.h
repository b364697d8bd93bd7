/* table.h: the columnar packet table: typed, null-masked, shareable columns, filled packet by packet
   or built by the verbs (derived columns have their own name and no field). */
#ifndef PF_TABLE_H
#define PF_TABLE_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "pf.h"
#include "scan.h"

/* The allocator, as lua_Alloc: nsize 0 frees ptr (and returns NULL); otherwise
   it returns a block of nsize bytes holding the first min(osize, nsize) bytes
   of ptr, or NULL leaving ptr untouched. osize is the block's current size
   (0 when ptr is NULL). Tests pass one that fails the Nth call. */
typedef void *(*pf_alloc_fn)(void *ud, void *ptr, size_t osize, size_t nsize);

/* Results of the functions below that can fail. */
enum {
  PF_TABLE_OK = 0,
  PF_TABLE_ENOMEM = -1,    /* out of memory; the table is as it was before the call */
  PF_TABLE_EFROZEN = -2,   /* append to a table that sees fewer rows than its shared columns hold */
  PF_TABLE_EWRITE = -3,    /* the write callback asked to stop */
  PF_TABLE_EINTR = -4,     /* *ctx->interrupted was set: the result was dropped */
  PF_TABLE_ETYPE = -5,     /* operands or columns of types that do not go together */
  PF_TABLE_ERANGE = -6     /* values beyond what was asked: times too far apart, too many buckets */
};

/* What the verbs need besides their operands: the allocator of what they
   make (NULL: the C library's) and the flag long loops poll (may be NULL). */
typedef struct pf_ctx {
  pf_alloc_fn alloc;
  void *ud;
  volatile sig_atomic_t *interrupted;
} pf_ctx;

/* The context's allocator (as pf_alloc_fn) and its interrupt flag (1: stop). */
void *pf_ctx_alloc(const pf_ctx *ctx, void *ptr, size_t osize, size_t nsize);
int pf_ctx_stop(const pf_ctx *ctx);
/* Rows between two looks at the interrupt flag in long loops. */
#define PF_POLL_ROWS 65536

/* A row index meaning "no row": a null row in pf_table_take. */
#define PF_NOROW ((size_t)-1)

/* A string or bytes value: arena[off .. off + len). */
typedef struct pf_span {
  uint64_t off;
  uint64_t len;
} pf_span;

/* A row whose field occurs more than once: its occurrences after the first
   are xdata values first .. first + count - 1 (count >= 1). */
typedef struct pf_multi {
  size_t row;
  size_t first;
  size_t count;
} pf_multi;

/* One column: the values of one field for rows 0 .. n-1, or of a derived
   column (fid < 0, or the field whose text form its values take, under a
   name of its own). Read-only once shared; kernels read it through the
   functions below or the arrays:
     uint, int, bool, framenum:  int64_t   (uint bit patterns kept as is)
     double:                     double
     abstime, reltime:           pf_time
     ipv4:                       4 bytes, network order (uint32_t storage)
     ipv6:                       16 bytes
     ether:                      6 bytes (8 bytes storage)
     string, bytes:              pf_span into arena (packet data is copied)
     none:                       nothing: presence is the valid bit
   valid has bit (row % 8) of byte row / 8 set when the row has a value: the
   column holds the FIRST occurrence; later ones are in the side store (multi,
   xdata). Columns are reference counted so that tables made by verbs such as
   head share them: a column only grows, so rows a table can see never change. */
typedef struct pf_column {
  int refs;
  int fid;                 /* field id: name and text form come from pf_fields[fid]; -1: none */
  pf_ftype type;
  char *name;              /* own name (owned), or NULL for the field's */
  size_t width;            /* bytes per value in data and xdata, 0 for none */
  size_t n;                /* rows stored */
  unsigned char *data;  size_t data_size;     /* sizes are allocated bytes */
  unsigned char *valid; size_t valid_size;
  pf_multi *multi;      size_t nmulti, multi_size;
  unsigned char *xdata; size_t nx, xdata_size;
  unsigned char *arena; size_t arena_len, arena_size;
  pf_alloc_fn alloc;
  void *ud;
} pf_column;

typedef struct pf_table pf_table;

/* A column as one table sees it: rows off .. off + n - 1 of c. */
typedef struct pf_colref {
  const pf_column *c;
  size_t off;
  size_t n;
} pf_colref;

static inline int pf_cell_valid(const pf_column *c, size_t row) {
  return c->valid[row >> 3] >> (row & 7) & 1;
}
static inline int64_t pf_cell_i64(const pf_column *c, size_t row) {
  return ((const int64_t *)(const void *)c->data)[row];
}
static inline double pf_cell_f64(const pf_column *c, size_t row) {
  return ((const double *)(const void *)c->data)[row];
}
static inline pf_time pf_cell_time(const pf_column *c, size_t row) {
  return ((const pf_time *)(const void *)c->data)[row];
}
static inline pf_span pf_cell_span(const pf_column *c, size_t row) {
  return ((const pf_span *)(const void *)c->data)[row];
}
/* Bytes of a fixed-width cell (ipv4, ipv6, ether). */
static inline const unsigned char *pf_cell_bytes(const pf_column *c, size_t row) {
  return c->data + row * c->width;
}
/* Types whose cells are int64_t: uint (bit pattern), int, bool, framenum. */
static inline int pf_type_is_int(pf_ftype t) {
  return t == PF_FT_UINT || t == PF_FT_INT || t == PF_FT_BOOL || t == PF_FT_FRAMENUM;
}
static inline int pf_type_is_time(pf_ftype t) { return t == PF_FT_ABSTIME || t == PF_FT_RELTIME; }

/* ---- building columns (derived columns, the verbs' results) ---- */

/* A new empty column of type, formatted as field fid (its type must be type)
   or, with fid -1, in a generic text form; name NULL means the field's name.
   NULL when out of memory. The caller holds its one reference. */
pf_column *pf_column_new(const pf_ctx *ctx, pf_ftype type, int fid, const char *name);
void pf_column_retain(pf_column *c);
/* Drops a reference; the last frees the column. NULL is a no-op. */
void pf_column_release(pf_column *c);
/* Grows c (holding no shared rows) to n rows: the new rows are null with
   zeroed data, ready for writing in place. PF_TABLE_OK or PF_TABLE_ENOMEM. */
int pf_column_setlen(pf_column *c, size_t n);
static inline void pf_column_setvalid(pf_column *c, size_t row) {
  c->valid[row >> 3] |= (unsigned char)(1u << (row & 7));
}
/* Stores a string or bytes value in row (< c->n) and marks it valid; the
   arena grows by doubling. PF_TABLE_OK or PF_TABLE_ENOMEM. */
int pf_column_setspan(pf_column *c, size_t row, const void *s, size_t len);
/* Appends rows off + rows[0 .. n) of src (PF_NOROW: a null; rows NULL: the
   n rows from off; src NULL: n nulls) to dst, every occurrence included. dst and src are
   of the same type. Reserves once, then copies. PF_TABLE_OK, ENOMEM or EINTR. */
int pf_column_append_rows(const pf_ctx *ctx, pf_column *dst, const pf_column *src, size_t off,
                          const size_t *rows, size_t n);
/* A new column holding rows[0 .. n) of r (relative to r, PF_NOROW: null),
   of r's type and field, named name (NULL: r's own). NULL on failure with *rc set. */
pf_column *pf_column_take(const pf_ctx *ctx, pf_colref r, const size_t *rows, size_t n, const char *name,
                          int *rc);
/* The same keeping only each row's first occurrence: the value that keys,
   comparisons and aggregations see. */
pf_column *pf_column_take_first(const pf_ctx *ctx, pf_colref r, const size_t *rows, size_t n, const char *name,
                                int *rc);
/* Writes the text of a value of type as a derived column (fid -1) shows it;
   returns the length as snprintf. Doubles in the shortest form that reads
   back to the same value, with ".0" when integral ("300.0", "0.1", "1e-05"). */
int pf_format_double(double d, char *buf, size_t n);

/* A table with one empty column per field id (ids must be valid; duplicates
   are allowed here, the bindings refuse them). alloc NULL means the C library
   allocator. NULL when out of memory or an id is invalid. */
pf_table *pf_table_new(const int *fids, int nfids, pf_alloc_fn alloc, void *ud);
/* Drops the table's reference to each column; NULL is a no-op. */
void pf_table_free(pf_table *t);

/* Appends one row: for each column the occurrences of its field in p
   (p->first[fid], then vals[i].next), copying string and bytes values, which
   point into packet memory, into the column's arena. Either the whole row is
   appended or, on failure, nothing is: PF_TABLE_OK, PF_TABLE_ENOMEM or
   PF_TABLE_EFROZEN. Growth doubles, so there is no allocation per row. */
int pf_table_append(pf_table *t, const pf_pkt *p);
/* Hands t and its columns over to alloc (NULL: the C library's), which must
   free what the first allocator gave: a read's budget (pf_budget_alloc) ends
   with the read. Only for a table that shares no column with another. */
void pf_table_setalloc(pf_table *t, pf_alloc_fn alloc, void *ud);
/* Empties a table made by pf_table_new whose columns nothing else holds,
   keeping their memory for the next rows (a streaming scan's chunk).
   PF_TABLE_OK, or PF_TABLE_EFROZEN for a shared or derived table. */
int pf_table_clear(pf_table *t);
/* 1 when p has at least one value of every field of t (the strict reading). */
int pf_table_has_all(const pf_table *t, const pf_pkt *p);

/* The first min(n, rows) rows as a new table sharing t's columns (and a copy
   of its diagnostics); NULL when out of memory. */
pf_table *pf_table_head(const pf_table *t, size_t n);

/* ---- tables made by the verbs: these share columns, copying no data ---- */

/* A table of nrows rows over cols[i] from row offs[i] (NULL: 0) named
   names[i] (NULL or a NULL entry: the column's own name); each column is
   retained and must hold offs[i] + nrows rows. NULL when out of memory. */
pf_table *pf_table_build(const pf_ctx *ctx, int ncols, pf_column *const *cols, const size_t *offs,
                         const char *const *names, size_t nrows);
/* Rows from .. from + n - 1 (cut to the rows t has). */
pf_table *pf_table_slice(const pf_table *t, size_t from, size_t n);
/* Columns cols[0 .. n) of t in that order (indices may not repeat). */
pf_table *pf_table_select(const pf_table *t, const int *cols, int n);
/* t with column col named name (NULL: its own name). */
pf_table *pf_table_rename(const pf_table *t, int col, const char *name);
/* t with column r named name: in place of the column of that name, or last.
   r must have pf_table_nrows(t) rows. */
pf_table *pf_table_with(const pf_table *t, const char *name, pf_colref r);
/* ---- tables made by copying rows ---- */
/* Rows rows[0 .. n) of t (PF_NOROW: an all-null row), all occurrences kept.
   NULL on failure with *rc set (ENOMEM or EINTR). */
pf_table *pf_table_take(const pf_ctx *ctx, const pf_table *t, const size_t *rows, size_t n, int *rc);
/* ts[0 .. nt) one after the other; columns are matched by name, in order of
   first appearance, with nulls where a table lacks one. Columns of one name
   must have one type: otherwise PF_TABLE_ETYPE with *bad_table (0-based) and
   *bad_col (its column) naming the first that differs. NULL on failure. */
pf_table *pf_table_concat(const pf_ctx *ctx, const pf_table *const *ts, int nt, int *rc, int *bad_table,
                          int *bad_col);

size_t pf_table_nrows(const pf_table *t);
int pf_table_ncols(const pf_table *t);
/* The column itself: row 0 of the table is row pf_table_colref(t, col).off of it. */
const pf_column *pf_table_col(const pf_table *t, int col);
pf_colref pf_table_colref(const pf_table *t, int col);
/* The name of column col in t (a rename gives it another than the column's). */
const char *pf_table_colname(const pf_table *t, int col);
/* Column index of the column named name, or -1. */
int pf_table_find(const pf_table *t, const char *name);
const char *pf_column_name(const pf_column *c);
/* The diagnostics of the read that made the table; pf_scan writes here. */
pf_diag *pf_table_diag(pf_table *t);

/* 1 when row has a value (row < c->n). */
int pf_column_valid(const pf_column *c, size_t row);
/* Number of occurrences in row: 0 for a null. */
size_t pf_column_count(const pf_column *c, size_t row);
/* Fills *v with occurrence occ (0 = first) of row; string and bytes values
   point into the column's arena. Returns 1, or 0 when there is no such value. */
int pf_column_get(const pf_column *c, size_t row, size_t occ, pf_val *v);
/* Writes occurrence occ of row as tshark prints it, as pf_val_format: at most
   n - 1 bytes and a NUL; returns the full length, or -1 when there is no such value. */
int pf_column_format(const pf_column *c, size_t row, size_t occ, char *buf, size_t n);
/* The same for cell (row, col) of a table: -1 also for rows the table does not see. */
int pf_table_format_cell(const pf_table *t, size_t row, int col, size_t occ, char *buf, size_t n);

/* Output sink for the writers below: 0 to go on, nonzero to stop. */
typedef int (*pf_write_fn)(void *ud, const char *s, size_t n);

/* Writes t as CSV: a header of column names, then one line per row; cells in
   tshark's text, every occurrence joined by ',', nulls empty, a cell holding
   ',', '"', CR or LF quoted as RFC 4180 says. Returns PF_TABLE_OK,
   PF_TABLE_ENOMEM or PF_TABLE_EWRITE. */
int pf_table_csv(const pf_table *t, pf_write_fn w, void *ud);
/* The same as tshark -T fields -E header=y writes it: tab-separated, no
   quoting (a tab, CR or LF inside a value becomes a space). */
int pf_table_tsv(const pf_table *t, pf_write_fn w, void *ud);
/* JSON lines: one object per row, keys in column order; numbers and times
   as JSON numbers in tshark's text, addresses, strings and bytes as strings,
   presence flags as true, nulls as null, several occurrences as an array. */
int pf_table_json(const pf_table *t, pf_write_fn w, void *ud);

/* How pf_table_render lays a table out (after pandas' display options). */
typedef struct pf_render_opts {
  size_t width;         /* widest line before middle columns give way to "..." */
  size_t max_rows;      /* more rows than this and only min_rows show ... */
  size_t min_rows;      /* ... half from the top and half from the bottom */
  size_t max_colwidth;  /* longer cells end in "..."; 0: never cut */
  size_t max_cols;      /* more columns than this and the middle ones give way; 0: as many as fit width */
  int dates;            /* abstime cells as UTC dates ("2013-05-02 20:20:33.491822"), else epoch seconds */
  int series;           /* one column shown as a Series: no header, footer "Name: n, Length: N, dtype: t" */
} pf_render_opts;

#define PF_RENDER_WIDTH 120
#define PF_RENDER_MAX_ROWS 60
#define PF_RENDER_MIN_ROWS 10
#define PF_RENDER_MAX_COLWIDTH 30
/* width, max_rows and max_colwidth 0 mean no limit. */

/* Writes t as aligned text: a header of field names, one line per row
   prefixed by the 1-based row number, numbers right-aligned, other values
   left-aligned, nulls as "nil", multiple occurrences joined by ','; then a
   blank line and "[N rows x M columns]". opts NULL means the PF_RENDER_ defaults.
   With opts->dates an abstime column shows UTC dates with microseconds when
   every value of the column is a whole microsecond, else nanoseconds.
   Returns as pf_table_csv. */
int pf_table_render(const pf_table *t, const pf_render_opts *opts, pf_write_fn w, void *ud);

#endif
