/* filter.h: compiled display filters: a small tree of tests on field occurrences,
   evaluated on a decoded packet. Built node by node (the parser is Lua's). */
#ifndef PF_FILTER_H
#define PF_FILTER_H

#include "pf.h"

typedef struct pf_filter pf_filter;

enum { PF_CMP_EQ, PF_CMP_NE, PF_CMP_ALL_EQ, PF_CMP_ANY_NE, PF_CMP_LT, PF_CMP_LE, PF_CMP_GT, PF_CMP_GE };

pf_filter *pf_filter_new(void);
void pf_filter_free(pf_filter *f);

/* Builders return a node index (>= 0), or -1 with a message in err (a value
   that does not fit the field's type, out of memory). The last node built is
   the root unless pf_filter_set_root says otherwise. */
int pf_filter_logic(pf_filter *f, char op, int a, int b);   /* op: '|' or, '&' and, '^' xor, '!' not (b unused) */
int pf_filter_exists(pf_filter *f, int fid);
/* literal: the value as written; quoted: it came from a "string" */
int pf_filter_cmp(pf_filter *f, int fid, int cmp, const char *literal, size_t len, int quoted,
                  char *err, size_t errlen);
/* field against field: fid CMP fid2 (the same type) */
int pf_filter_cmp_field(pf_filter *f, int fid, int cmp, int fid2, char *err, size_t errlen);
int pf_filter_range(pf_filter *f, int fid, const char *lo, size_t lolen, const char *hi, size_t hilen,
                    char *err, size_t errlen);
int pf_filter_contains(pf_filter *f, int fid, const char *literal, size_t len, int quoted, char *err, size_t errlen);
int pf_filter_matches(pf_filter *f, int fid, const char *regex, size_t len, char *err, size_t errlen);
void pf_filter_set_root(pf_filter *f, int node);

/* The field ids the filter reads (the decoder must produce them). */
int pf_filter_fields(const pf_filter *f, int *out, int max);

/* Evaluates on a decoded packet. */
int pf_filter_eval(const pf_filter *f, const pf_pkt *p);

/* The field id a protocol name stands for in a presence test ("tcp"), or -1. */
int pf_filter_protocol(const char *name);

#endif
