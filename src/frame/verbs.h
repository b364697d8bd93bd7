/* verbs.h: column-at-a-time kernels of the table verbs: sorting (sort.c), arithmetic and comparisons on
   columns and display filters over table rows (expr.c), running values: diff, cumsum (window.c),
   describe (describe.c). Pure C. */
#ifndef PF_VERBS_H
#define PF_VERBS_H

#include "filter.h"
#include "pf.h"
#include "table.h"

/* ---- order ---- */

/* Compares cell r1 of a with cell r2 of b (absolute rows, both valid, the
   same type): <0, 0 or >0. Numbers by value (uint as unsigned), times by
   seconds then nanoseconds, addresses as unsigned big-endian numbers
   (as Wireshark orders them), strings and bytes bytewise, then by length. */
int pf_cell_cmp(const pf_column *a, size_t r1, const pf_column *b, size_t r2);

/* Sorts perm[0 .. n) (rows relative to the keys) stably by keys[0], ties by
   keys[1] and so on; desc[k] (NULL: none) sorts key k descending, keeping
   ties in their order as pandas does. Nulls go last for every key
   (na_position = "last"). Radix sort for numbers, times and addresses, merge
   sort otherwise. PF_TABLE_OK, ENOMEM or EINTR. */
int pf_sort(const pf_ctx *ctx, const pf_colref *keys, const int *desc, int nkeys, size_t *perm, size_t n);

/* ---- column expressions ---- */

enum { PF_OPD_COL, PF_OPD_INT, PF_OPD_DOUBLE, PF_OPD_VALUE, PF_OPD_NULL /* pf_where only: no value */ };

/* One side of an operation: a column, or a scalar used for every row. */
typedef struct pf_operand {
  int kind;
  pf_colref col;      /* PF_OPD_COL */
  int64_t i;          /* PF_OPD_INT */
  double d;           /* PF_OPD_DOUBLE */
  pf_ftype type;      /* PF_OPD_VALUE: a value of this type in v (strings point at caller memory) */
  pf_val v;
} pf_operand;

enum { PF_OP_ADD, PF_OP_SUB, PF_OP_MUL, PF_OP_DIV, PF_OP_IDIV, PF_OP_MOD, PF_OP_POW };

/* a OP b over n rows, as a new column named name. Integers (uint, int,
   bool, framenum) give int64 for + - * // % (wrapping like Lua; // and %
   floor like Python, and null when dividing by zero); / and ** give doubles,
   as does any double. abstime - abstime is a reltime, abstime +- reltime an
   abstime, reltime +- reltime a reltime; otherwise times take part as float
   seconds. A NaN result is a null. NULL with *rc: ENOMEM, EINTR, or ETYPE
   for types without arithmetic (addresses, strings). */
pf_column *pf_arith(const pf_ctx *ctx, int op, const pf_operand *a, const pf_operand *b, size_t n,
                    const char *name, int *rc);

/* a CMP b (PF_CMP_EQ, NE, LT, LE, GT, GE of filter.h) as a bool column with no
   nulls: a comparison with a null is false, but != is true, as in pandas.
   Numbers compare with numbers, times with times of their kind or with
   numbers (seconds), other types with values of their own type. ETYPE else. */
pf_column *pf_compare(const pf_ctx *ctx, int cmp, const pf_operand *a, const pf_operand *b, size_t n,
                      const char *name, int *rc);

/* '&', '|' or '!' (b unused) of truth columns (integer types: nonzero is
   true, null false), as a bool column with no nulls. ETYPE for other types. */
pf_column *pf_logic(const pf_ctx *ctx, char op, pf_colref a, pf_colref b, const char *name, int *rc);

enum { PF_UN_NEG, PF_UN_ABS, PF_UN_ISNULL, PF_UN_NOTNULL };
/* -a and |a| (integers, doubles, reltimes), a is null, a is not null. */
pf_column *pf_unary(const pf_ctx *ctx, int op, pf_colref a, const char *name, int *rc);

/* Row-wise choice, as numpy.where(m, a, b): row r is a's cell where the
   truth column m (integer types: nonzero is true) is true, b's where it is
   false or null (pandas' where treats a missing condition as false); a null
   chosen cell, or a PF_OPD_NULL side, gives a null. Each cell's first
   occurrence only. The result's type: the sides' common type (a scalar
   integer takes an integer column's type when its value fits it: >= 0 for
   uint and framenum, 0 or 1 for bool); integer types that differ give int,
   integers with doubles give double; a VALUE side must be of the other
   side's type. It keeps the field's text form when both columns have it (or
   one column and a scalar). ETYPE for other mixes or no typed side. */
pf_column *pf_where(const pf_ctx *ctx, pf_colref m, const pf_operand *a, const pf_operand *b, size_t n,
                    const char *name, int *rc);

/* ---- running values ---- */

/* a[r] - a[prev[r]] for each row (prev relative to a; PF_NOROW or a null on
   either side: null); prev NULL means r - periods (r + |periods| when
   negative), as pandas' diff. Integers give int64, doubles doubles, abstime
   and reltime a reltime. ETYPE for other types. */
pf_column *pf_diff(const pf_ctx *ctx, pf_colref a, const size_t *prev, long long periods, const char *name,
                   int *rc);
/* The row that is periods rows before r (after, when negative), or PF_NOROW. */
size_t pf_shift_row(size_t r, size_t n, long long periods);
/* Running sum skipping nulls (which stay null): integers to int64, doubles,
   reltimes. ETYPE for other types. */
pf_column *pf_cumsum(const pf_ctx *ctx, pf_colref a, const char *name, int *rc);

/* Summary of the non-null values of a number or time column (times as float
   seconds): out = {count, mean, std, min, 25%, 50%, 75%, max}, quantiles
   interpolated linearly between the two nearest values, std with one degree
   of freedom less, as pandas' describe; NaN where there are too few values.
   PF_TABLE_OK, ENOMEM, EINTR or ETYPE. */
int pf_describe(const pf_ctx *ctx, pf_colref a, double out[8]);

/* ---- display filters on rows ---- */

/* Evaluates f on each of n rows, as a bool column named name (no nulls).
   cols[k] holds the values of field fids[k] (of that field's type), for each
   field the filter reads; every occurrence takes part, as when reading. p is
   scratch space, pf_pkt_init'ed once; only the filter's fields are reset per row. */
/* np protocol columns: protocol bit pbits[k] (PF_P_x) is set on a row where pcols[k] is not null. */
pf_column *pf_filter_column(const pf_ctx *ctx, const pf_filter *f, const int *fids, const pf_colref *cols,
                            const int *pbits, const pf_colref *pcols, int np,
                            int nf, size_t n, pf_pkt *p, const char *name, int *rc);

/* Rows (relative to m) where the truth column m holds a nonzero value, into
   rows (room for m.n); returns how many. */
size_t pf_mask_rows(pf_colref m, size_t *rows);

#endif
