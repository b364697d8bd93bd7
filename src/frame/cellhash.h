/* cellhash.h: hashing and equality of cells as keys, the one definition that groupby.c (groups,
   nunique, joins) and query.c (pf.scan's groups and nunique) share. Internal to src/frame. */
#ifndef PF_CELLHASH_H
#define PF_CELLHASH_H

#include <stddef.h>
#include <stdint.h>

#include "table.h"

/* What a hash of rows starts from, and how each key's hash joins it. */
#define PF_HASH_SEED 0x243f6a8885a308d3ULL
#define PF_HASH_COMBINE(h, x) pf_hash_mix((h) ^ ((x) + 0x9e3779b97f4a7c15ULL + ((h) << 6)))

uint64_t pf_hash_mix(uint64_t x);
uint64_t pf_hash_bytes(const unsigned char *p, size_t n);

/* Cell r of c is a null key: a null, or a NaN double (pandas' groupby,
   value_counts, nunique and merge take NaN for a missing value). Null keys
   are one key: they hash alike and equal one another. */
int pf_cell_nullkey(const pf_column *c, size_t r);

/* A hash of cell r as a key: equal keys (pf_cell_keyeq) share it. -0.0 and
   0.0 are one key; integer types hash their values alike. */
uint64_t pf_cell_keyhash(const pf_column *c, size_t r);

/* Cell r1 of a and cell r2 of b are one key: both null keys, or equal
   values (integers of any integer types compare by value; other types only
   equal their own type). */
int pf_cell_keyeq(const pf_column *a, size_t r1, const pf_column *b, size_t r2);

#endif
