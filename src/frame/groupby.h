/* groupby.h: rows into groups by hashing key values; aggregations per group; hash joins; time buckets. Pure C. */
#ifndef PF_GROUPBY_H
#define PF_GROUPBY_H

#include "pf.h"
#include "table.h"

/* Rows in groups. Row indices are relative to the key columns. */
typedef struct pf_groups {
  size_t nrows;     /* rows grouped */
  size_t ngroups;
  size_t *gid;      /* per row: its group, or PF_NOROW (a null key with dropna) */
  size_t *first;    /* per group: its first row, or PF_NOROW for an empty group (a resample bucket) */
  size_t *start;    /* after pf_groups_index, NULL before: group g is rows[start[g] .. start[g + 1]) */
  size_t *rows;     /* ... in row order */
  pf_ctx ctx;       /* how the arrays were allocated */
} pf_groups;

/* Groups rows 0 .. keys[0].n - 1 by the values of keys[0 .. nkeys) (one
   length), hashing them (open addressing): groups are numbered in order of
   first appearance, or, with sort, in the order of their keys (pf_sort's,
   nulls last). A row with a null key (a null or a NaN: cellhash.h) is in
   no group when dropna is set, else null keys form a group of their own, as
   pandas' dropna. Only the first
   occurrence of a field takes part. PF_TABLE_OK, ENOMEM or EINTR; g is
   zeroed on failure. */
int pf_groups_make(const pf_ctx *ctx, const pf_colref *keys, int nkeys, int dropna, int sort, pf_groups *g);
/* All n rows in one group (n > 0) or none: reductions of a whole column. */
int pf_groups_all(const pf_ctx *ctx, size_t n, pf_groups *g);
/* Fills start and rows (a counting sort: stable). PF_TABLE_OK or ENOMEM. */
int pf_groups_index(pf_groups *g);
/* For each row, the row periods rows earlier in its group (later when
   negative), or PF_NOROW: what a grouped diff or shift reads. */
int pf_groups_prev(pf_groups *g, long long periods, size_t *prev);
void pf_groups_free(pf_groups *g);

/* Aggregations, in the order of pf_agg_names. */
enum {
  PF_AGG_COUNT, PF_AGG_SIZE, PF_AGG_SUM, PF_AGG_MEAN, PF_AGG_MIN, PF_AGG_MAX, PF_AGG_FIRST, PF_AGG_LAST,
  PF_AGG_NUNIQUE, PF_AGG_STD, PF_AGG_VAR, PF_AGG_MEDIAN, PF_AGG_N_
};
extern const char *const pf_agg_names[PF_AGG_N_ + 1];   /* NULL-terminated */

/* The column of one value per group of fn over the rows of col (the rows g
   grouped), named name:
     count, size, nunique    int: non-null values, rows, distinct non-null values
     sum                     int for integers, double, reltime (0 for a group without values)
     mean, median            double (reltimes as seconds); abstime for abstime
     std, var                double, one degree of freedom less (ddof = 1); seconds for times
     min, max, first, last   col's own type and text; first and last skip nulls, as pandas
   Groups without values (or with one, for std and var) give null, but 0 for
   the counts and sums. median needs pf_groups_index (done here when not
   yet). NULL with *rc: ENOMEM, EINTR, or ETYPE (fn undefined for the type:
   see pf_agg_supports). */
pf_column *pf_agg(const pf_ctx *ctx, pf_groups *g, pf_colref col, int fn, const char *name, int *rc);
int pf_agg_supports(int fn, pf_ftype t);

/* value_counts' finishing step, for t:value_counts and pf.scan's: from the
   distinct values (group k's is row keyrows[k] of key, or row k when keyrows
   is NULL) and their counts (count: int, one per group, groups in order of
   first appearance), out[0] the values (named keyname, or their column's
   name when NULL) and out[1] their counts (int "count") or, with normalize,
   their shares of the total (double "proportion"): most frequent first, ties
   in order of first appearance. PF_TABLE_OK, ENOMEM or EINTR (out[] NULL). */
int pf_value_counts_finish(const pf_ctx *ctx, pf_colref key, const size_t *keyrows, pf_colref count, int normalize,
                           const char *keyname, pf_column *out[2]);

/* Pairs of rows whose keys are equal (null keys, NaN among them, match
   one another, as pandas' merge):
   for each row of the left keys in order, its matches in the right rows'
   order; with left set, a left row without a match once with PF_NOROW on
   the right. *lrows and *rrows (ctx's allocator, *nout elements, at least
   one allocated) are the caller's. Key pairs must have one type. */
int pf_join(const pf_ctx *ctx, const pf_colref *lk, const pf_colref *rk, int nkeys, int left, size_t **lrows,
            size_t **rrows, size_t *nout);

/* ---- time buckets ---- */

enum { PF_ORIGIN_START_DAY, PF_ORIGIN_EPOCH, PF_ORIGIN_START };

/* Parses "100ms", "1s", "5min", "1.5h", "10us", "250ns" into nanoseconds
   (> 0). 0 or -1. */
int pf_parse_interval(const char *s, int64_t *ns);

/* Buckets of interval ns over the time column t (abstime or reltime), per
   group of outer (NULL: all rows one group): each outer group gets the
   buckets from the one of its first time to the one of its last, empty ones
   included, and out groups the rows by (outer group, bucket) in that order.
   Bucket starts are origin + k * interval: origin the midnight (UTC) before
   each group's first time (start_day, pandas' default), the epoch, or that
   first time (start, as tshark's io,stat). Rows with a null time are in no
   bucket. (*outer_of)[b] and (*bstart)[b] give each bucket's outer group and
   start (ctx's allocator, out->ngroups elements, the caller's).
   PF_TABLE_OK, ENOMEM, EINTR, or ERANGE when there would be more than
   max_buckets buckets or the times are too far apart for int64 nanoseconds. */
int pf_resample(const pf_ctx *ctx, pf_colref t, int64_t interval, int origin, const pf_groups *outer,
                size_t max_buckets, pf_groups *out, size_t **outer_of, pf_time **bstart);

/* Cell r of c as a double, as the aggregations read it: seconds since base for
   an abstime (keeping precision when the times are close together), seconds
   for a reltime. */
double pf_agg_value(const pf_column *c, size_t r, pf_time base);

#endif
