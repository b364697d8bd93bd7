/* decode.h: turning a record into the values of the requested fields. */
#ifndef PF_DECODE_H
#define PF_DECODE_H

#include "pf.h"

typedef struct pf_decoder pf_decoder;

/* A decoder for the given field ids: it decodes only as deep as they need.
   State (streams, first frame time) spans every record given to it, so one
   decoder serves a multi-file read. NULL when out of memory. */
pf_decoder *pf_decoder_new(const int *fids, int nfids);
void pf_decoder_free(pf_decoder *d);

/* Resets p's values (call once per pf_pkt before its first use). */
void pf_pkt_init(pf_pkt *p);

/* Decodes p (as filled by the reader, with p->num set) into p->vals.
   Malformed packet data never fails: fields it could not decode are absent.
   Returns 0, or -1 when out of memory. */
int pf_decode(pf_decoder *d, pf_pkt *p);

/* A hook adding the values of user-defined fields (pf.define_field) to a
   packet: pf_decode calls fn after the built-in fields of every record.
   fn returns 0, or -1 when out of memory (pf_decode then fails). */
typedef struct pf_user_hook {
  int (*fn)(void *ud, pf_pkt *p);
  void *ud;
} pf_user_hook;

/* Sets (or with NULL clears) d's user-field hook; h must outlive d. */
void pf_decoder_set_user(pf_decoder *d, const pf_user_hook *h);

/* Appends an occurrence of field fid (any id below pf_field_count()) to p,
   chained after its earlier ones; NULL when p holds PF_MAX_VALS values. */
pf_val *pf_pkt_add(pf_pkt *p, int fid);

/* Occurrence iteration: for (i = p->first[f]; i >= 0; i = p->vals[i].next) */

/* Appends the tshark text of value v of field fid to buf; returns the length
   (at most n - 1 bytes written, NUL-terminated), or the length needed. */
int pf_val_format(int fid, const pf_val *v, char *buf, size_t n);
/* The decimal digits of v at buf (no NUL; at most 20 bytes); returns the count. */
int pf_fmt_u64(char *buf, uint64_t v);
/* A time as pf_val_format writes it (no NUL; at most 32 bytes); returns the length. */
int pf_fmt_time(char *buf, pf_time t);
/* "0x" and at least digits hex digits of v (no NUL; at most 18 bytes); returns the length. */
int pf_fmt_hex(char *buf, uint64_t v, int digits);

#endif
