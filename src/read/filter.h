/* filter.h: compiled display filters: a small tree of tests on field occurrences,
   evaluated on a decoded packet. Built node by node (the parser is Lua's). */
#ifndef PF_FILTER_H
#define PF_FILTER_H

#include "pf.h"

typedef struct pf_filter pf_filter;

enum { PF_CMP_EQ, PF_CMP_NE, PF_CMP_ALL_EQ, PF_CMP_ANY_NE, PF_CMP_LT, PF_CMP_LE, PF_CMP_GT, PF_CMP_GE,
       PF_CMP_CONTAINS, PF_CMP_MATCHES };

/* "frame" as a protocol (the other protocols are pf.h's PF_P_x). */
#define PF_FILTER_FRAME (-2)
/* How a slice range ends: after rv bytes ([i:j]), at offset rv inclusive ([i-j]), at the end ([i:]). */
enum { PF_SLICE_LEN, PF_SLICE_TO, PF_SLICE_END };

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

/* Operands: nodes producing values (of a field, a protocol's bytes, ...) that
   tests read. A node index, or -1 with a message in err. */
int pf_filter_op_field(pf_filter *f, int fid);
int pf_filter_op_proto(pf_filter *f, int proto);   /* PF_P_x or PF_FILTER_FRAME: the layer's bytes */
int pf_filter_op_slice(pf_filter *f, int a, const int32_t *starts, const int *kinds, const int32_t *vals, int n,
                       char *err, size_t errlen);
int pf_filter_op_bitand(pf_filter *f, int a, const char *lit, size_t len, char *err, size_t errlen);
int pf_filter_op_func(pf_filter *f, const char *name, int a, char *err, size_t errlen);   /* len count upper lower string */
/* Tests on operands. quant: 1 all values must pass ("all"), 0 any one ("any") */
int pf_filter_truth(pf_filter *f, int a);   /* a has a value (a non-zero one after '&') */
int pf_filter_proto_exists(pf_filter *f, int proto);
int pf_filter_test(pf_filter *f, int a, int cmp, int quant, const char *lit, size_t len, int quoted, char *err,
                   size_t errlen);
int pf_filter_test_op(pf_filter *f, int a, int cmp, int quant, int b, char *err, size_t errlen);
int pf_filter_test_range(pf_filter *f, int a, const char *lo, size_t lolen, const char *hi, size_t hilen,
                         char *err, size_t errlen);

/* The field ids the filter reads (the decoder must produce them; a protocol
   test adds a field of that protocol, so that the decoder goes that deep). */
int pf_filter_fields(const pf_filter *f, int *out, int max);
/* The same without the protocols' fields: the fields whose values it reads. */
int pf_filter_value_fields(const pf_filter *f, int *out, int max);
/* The protocols whose presence it tests (1 << PF_P_x); *bytes set when it
   reads the bytes of a protocol (frame, tcp contains ...). */
uint64_t pf_filter_protocols(const pf_filter *f, int *bytes);

/* Evaluates on a decoded packet. */
int pf_filter_eval(const pf_filter *f, const pf_pkt *p);

/* The field id a protocol name stands for in a presence test ("tcp"), or -1. */
int pf_filter_protocol(const char *name);
/* PF_P_x (or PF_FILTER_FRAME) for a protocol name pktframe decodes, or -1; and back. */
int pf_filter_protocol_id(const char *name);
const char *pf_filter_protocol_name(int proto);

#endif
