/* frameutil.h: small helpers the frame kernels share: arrays through a context's allocator, result
   columns, the double comparison qsort takes. Internal to src/frame (not part of the API). */
#ifndef PF_FRAMEUTIL_H
#define PF_FRAMEUTIL_H

#include <stddef.h>
#include <stdint.h>

#include "table.h"

#define NS_PER_S 1000000000LL

/* n elements of size bytes through ctx's allocator, counting n at least one
   (so that n == 0 is not a failure); NULL when out of memory or when n *
   size overflows. Free with pf_arr_free and the same n. */
void *pf_arr_new(const pf_ctx *ctx, size_t n, size_t size);
void pf_arr_free(const pf_ctx *ctx, void *p, size_t n, size_t size);
/* Resizes an array of on elements (p NULL: none) to nn, both counted at
   least one. NULL (p untouched) when out of memory. */
void *pf_arr_resize(const pf_ctx *ctx, void *p, size_t on, size_t nn, size_t size);

/* A result column: type t, no field, n rows all null, named name. NULL with
   *rc ENOMEM, else *rc OK. */
pf_column *pf_result_new(const pf_ctx *ctx, pf_ftype t, size_t n, const char *name, int *rc);
/* The same with field fid (of type t: the result keeps that field's text). */
pf_column *pf_result_new_fid(const pf_ctx *ctx, pf_ftype t, int fid, size_t n, const char *name, int *rc);
/* Releases c (may be NULL), sets *rc to code and returns NULL: a kernel's failure exit. */
pf_column *pf_result_fail(pf_column *c, int *rc, int code);

/* ---- numbers and times in cells ---- */

/* What arithmetic sees in a type: integers, doubles, absolute and relative times, or none of those. */
enum { PF_K_INT, PF_K_DBL, PF_K_ABS, PF_K_REL, PF_K_OTHER };
int pf_kind_of_type(pf_ftype t);
/* a + b with seconds and nanoseconds of one sign (as pf_time_delta gives). */
pf_time pf_time_sum(pf_time a, pf_time b);
pf_time pf_time_neg(pf_time a);
/* Stores t in row r of the time column c (padding zeroed: cells are hashed bytewise). */
void pf_put_time(pf_column *c, size_t r, pf_time t);
/* Cell r (valid) of a number or time column as a double (times in seconds). */
double pf_num_of(const pf_column *c, size_t r);
int pf_cmp_u64(uint64_t a, uint64_t b);

/* qsort's comparison of doubles, ascending (no NaN among them). */
int pf_cmp_double(const void *x, const void *y);

#endif
