/* fuzz_decode.c: libFuzzer harness: one packet per link type through every decoder,
   with conversation state carried across inputs (reset now and then). */
#include <stdlib.h>
#include <string.h>

#include "decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int linktypes[] = { 1, 0, 101, 113, 276, 108, 12, 228, 229, 127 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static pf_decoder *dec;
  static pf_pkt *pkt;
  static unsigned runs;
  static int all[PF_NFIELDS];
  if (size < 2) return 0;
  if (dec == NULL || ++runs % 20000 == 0) {
    pf_decoder_free(dec);
    for (int i = 0; i < PF_NFIELDS; i++) all[i] = i;
    dec = pf_decoder_new(all, PF_NFIELDS);
    if (pkt == NULL) pkt = malloc(sizeof *pkt);
    if (dec == NULL || pkt == NULL) abort();
    pf_pkt_init(pkt);
  }
  /* byte 0: link type; byte 1: how much of the wire length was not captured */
  uint8_t *copy = malloc(size - 2 ? size - 2 : 1);   /* exact size: ASan sees overreads */
  if (copy == NULL) return 0;
  memcpy(copy, data + 2, size - 2);
  pkt->num = runs + 1;
  pkt->ts.secs = runs;
  pkt->ts.nsecs = 0;
  pkt->has_ts = 1;
  pkt->is_packet = 1;
  pkt->caplen = (uint32_t)(size - 2);
  pkt->len = (uint32_t)(size - 2) + data[1];
  pkt->linktype = linktypes[data[0] % (sizeof linktypes / sizeof linktypes[0])];
  pkt->data = copy;
  if (pf_decode(dec, pkt) < 0) abort();
  char buf[256];
  for (int i = 0; i < pkt->nvals; i++) pf_val_format(pkt->vals[i].fid, &pkt->vals[i], buf, sizeof buf);
  free(copy);
  return 0;
}
