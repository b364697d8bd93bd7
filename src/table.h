/* table.h: the columnar packet table: one typed column per field, null masks, filled packet by packet. */
#ifndef PF_TABLE_H
#define PF_TABLE_H

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
  PF_TABLE_EWRITE = -3     /* the write callback asked to stop */
};

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

/* One column: the values of one field for rows 0 .. n-1. Read-only outside
   table.c; kernels read it through the functions below or the arrays:
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
  int fid;                 /* field id: name, type and text form come from pf_fields[fid] */
  pf_ftype type;
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
/* 1 when p has at least one value of every field of t (the strict reading). */
int pf_table_has_all(const pf_table *t, const pf_pkt *p);

/* The first min(n, rows) rows as a new table sharing t's columns (and a copy
   of its diagnostics); NULL when out of memory. */
pf_table *pf_table_head(const pf_table *t, size_t n);

size_t pf_table_nrows(const pf_table *t);
int pf_table_ncols(const pf_table *t);
const pf_column *pf_table_col(const pf_table *t, int col);
/* Column index of the field named name, or -1. */
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

/* Writes t as CSV: a header of field names, then one line per row; cells in
   tshark's text, every occurrence joined by ',', nulls empty, a cell holding
   ',', '"', CR or LF quoted as RFC 4180 says. Returns PF_TABLE_OK,
   PF_TABLE_ENOMEM or PF_TABLE_EWRITE. */
int pf_table_csv(const pf_table *t, pf_write_fn w, void *ud);

/* How pf_table_render lays a table out (after pandas' display options). */
typedef struct pf_render_opts {
  size_t width;         /* widest line before middle columns give way to "..." */
  size_t max_rows;      /* more rows than this and only min_rows show ... */
  size_t min_rows;      /* ... half from the top and half from the bottom */
  size_t max_colwidth;  /* longer cells end in "..." */
} pf_render_opts;

#define PF_RENDER_WIDTH 120
#define PF_RENDER_MAX_ROWS 60
#define PF_RENDER_MIN_ROWS 10
#define PF_RENDER_MAX_COLWIDTH 30

/* Writes t as aligned text: a header of field names, one line per row
   prefixed by the 1-based row number, numbers right-aligned, other values
   left-aligned, nulls as "nil", multiple occurrences joined by ','; then a
   blank line and "[N rows x M columns]". opts NULL means the PF_RENDER_ defaults.
   Returns as pf_table_csv. */
int pf_table_render(const pf_table *t, const pf_render_opts *opts, pf_write_fn w, void *ud);

#endif
