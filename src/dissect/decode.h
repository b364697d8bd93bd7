/* decode.h: turning a record into the values of the requested fields. */
#ifndef PF_DECODE_H
#define PF_DECODE_H

#include "format.h"
#include "pf.h"

typedef struct pf_decoder pf_decoder;

/* A decoder for the given field ids: it decodes only as deep as they need.
   State (streams, first frame time) spans every record given to it, so one
   decoder serves a multi-file read. NULL when out of memory. */
pf_decoder *pf_decoder_new(const int *fids, int nfids);
void pf_decoder_free(pf_decoder *d);

/* Decodes p (as filled by the reader, with p->num set) into p->vals.
   Malformed packet data never fails: fields it could not decode are absent.
   Returns 0, or -1 when out of memory. */
int pf_decode(pf_decoder *d, pf_pkt *p);

/* The packet last decoded is not displayed (a display filter dropped it):
   the next frame's frame.time_delta_displayed counts from the one before. */
void pf_decoder_not_displayed(pf_decoder *d);

/* A hook adding the values of user-defined fields (pf.define_field) to a
   packet: pf_decode calls fn after the built-in fields of every record.
   fn returns 0, or -1 when out of memory (pf_decode then fails). */
typedef struct pf_user_hook {
  int (*fn)(void *ud, pf_pkt *p);
  void *ud;
} pf_user_hook;

/* Sets (or with NULL clears) d's user-field hook; h must outlive d. */
void pf_decoder_set_user(pf_decoder *d, const pf_user_hook *h);

/* Whether packets keep the byte span of each layer (pf_pkt.layers) for
   filters that read a protocol's bytes; off by default, so a read that
   needs none records only the protocols present. */
void pf_decoder_set_spans(pf_decoder *d, int on);

/* pf_pkt_init and pf_pkt_add (appending an occurrence of a field) are in pf.h;
   the text of a value (pf_val_format) in format.h. */

#endif
