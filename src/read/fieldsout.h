/* fieldsout.h: `pktframe fields`: tshark -T fields compatible text output. */
#ifndef PF_FIELDSOUT_H
#define PF_FIELDSOUT_H

#include <stdio.h>

#include "pf.h"

typedef struct pf_fields_opts {
  int header;          /* print the field names first */
  char separator;      /* between fields */
  char occurrence;     /* 'f' first, 'l' last, 'a' all */
  char aggregator;     /* between occurrences with 'a' */
} pf_fields_opts;

typedef struct pf_fields_out pf_fields_out;

/* Writes to out through its own buffer. NULL when out of memory. */
pf_fields_out *pf_fields_out_new(FILE *out, const int *fids, int nfids, const pf_fields_opts *o);
/* Writes one row (the sink of pf_scan); returns nonzero on a write error. */
int pf_fields_out_row(void *self, const pf_pkt *p);
/* Flushes; returns nonzero if any write failed. */
int pf_fields_out_finish(pf_fields_out *w);
void pf_fields_out_free(pf_fields_out *w);

#endif
