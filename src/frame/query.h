/* query.h: grouped aggregations fed chunk by chunk (pf.scan): the state of every group, never the rows. Pure C. */
#ifndef PF_QUERY_H
#define PF_QUERY_H

#include "groupby.h"
#include "pf.h"
#include "table.h"

/* One aggregation: fn (PF_AGG_*, not a Lua function) over column col of
   the chunks, output column name. */
typedef struct pf_qspec {
  int col;
  int fn;
  const char *name;
} pf_qspec;

typedef struct pf_query pf_query;

/* State for groups by keys[0 .. nkeys) (column indices of the chunks, whose
   columns keep one type across chunks) with the aggregations specs[0 ..
   nspecs); dropna as pf_groups_make. With nkeys 0 and bucket_col >= 0 the
   groups are time buckets of interval ns over that column instead, aligned
   as pf_resample's origin (one series, no outer groups). Everything is
   allocated through ctx (a budget's allocator). The chunk gives each
   column's type: every chunk has the same columns. NULL when out of memory. */
pf_query *pf_query_new(const pf_ctx *ctx, const pf_table *chunk, const int *keys, int nkeys, int dropna,
                       int bucket_col, int64_t interval, int origin, const pf_qspec *specs, int nspecs);
void pf_query_free(pf_query *q);

/* Adds the rows of chunk, in order, to the groups: each group's state
   changes exactly as pf_agg's loop over the whole table would change it, so
   the results equal those of one table holding every chunk's rows.
   PF_TABLE_OK; ENOMEM (ctx refused: *bad_row is the chunk row that needed
   the memory, PF_NOROW when no row did), ERANGE (*bad_row's time is too far
   from the first for int64 nanoseconds) or EINTR. The query keeps no pointer into the chunk. */
int pf_query_add(pf_query *q, const pf_table *chunk, size_t *bad_row);

size_t pf_query_ngroups(const pf_query *q);

/* Buckets are counted from the origin of the first time seen; a later,
   earlier time moves the origin. 1 (with the origin the buckets need in
   *org) when it moved by a time that is not a whole number of intervals, so
   that the rows must be added again to a query told that origin with
   pf_query_set_origin (before its first pf_query_add); else 0. */
int pf_query_misplaced(const pf_query *q, pf_time *org);
void pf_query_set_origin(pf_query *q, pf_time org);

/* The result as new columns allocated by out (not the query's allocator):
   the keys (first occurrences, named and formatted as the chunk's columns),
   or for buckets the bucket start (an abstime or reltime named time_name),
   then one column per aggregation; groups in order of first appearance or,
   with sort, by key (pf_sort's order, nulls last); buckets from the first to
   the last, empty ones included. cols must have room for nkeys (or 1) +
   nspecs columns; *nrows is their length. PF_TABLE_OK, ENOMEM, EINTR, or
   ERANGE: more than max_buckets buckets, times too far apart, or (origin
   start or start_day) a time before the first that moves the origin by a
   time that is not a whole number of intervals, which a streaming pass
   cannot place (*why says which, a literal). */
int pf_query_result(pf_query *q, const pf_ctx *out, int sort, const char *time_name, size_t max_buckets,
                    pf_column **cols, size_t *nrows, const char **why);

#endif
