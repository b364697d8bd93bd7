/* pkt.c: a packet's decoded values: resetting them, appending an occurrence. */
#include "pf.h"

pf_val *pf_pkt_add(pf_pkt *p, int fid) {
  if (p->nvals >= PF_MAX_VALS) return NULL;
  int i = p->nvals++;
  pf_val *v = &p->vals[i];
  v->fid = (uint16_t)fid;
  v->next = -1;
  if (p->first[fid] < 0) p->first[fid] = (int16_t)i;
  else p->vals[p->last[fid]].next = (int16_t)i;
  p->last[fid] = (int16_t)i;
  return v;
}

void pf_pkt_init(pf_pkt *p) {
  p->nvals = 0;
  p->protos = 0, p->nlayers = 0;
  p->scratch_used = 0;
  p->malformed[0] = 0;
  for (int i = 0; i < PF_MAXFIELDS; i++) p->first[i] = -1;
}
