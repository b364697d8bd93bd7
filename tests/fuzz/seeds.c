/* seeds.c: writes the packets of captures as fuzz_decode seeds: one file per packet,
   a link-type selector byte, a byte of uncaptured length, then the packet. */
#include <stdio.h>
#include <string.h>

#include "capture.h"

static const int linktypes[] = { 1, 0, 101, 113, 276, 108, 12, 228, 229, 127 };

int main(int argc, char **argv) {
  if (argc < 3) { fprintf(stderr, "usage: seeds OUTDIR CAPTURE...\n"); return 2; }
  int count = 0;
  for (int a = 2; a < argc; a++) {
    char err[256];
    pf_reader *r = pf_reader_open(argv[a], err, sizeof err);
    if (r == NULL) continue;
    static pf_pkt p;
    for (int k = 0; k < 64 && pf_reader_next(r, &p) == 1; k++) {
      if (!p.is_packet) continue;
      int sel = -1;
      for (int i = 0; i < (int)(sizeof linktypes / sizeof linktypes[0]); i++)
        if (linktypes[i] == p.linktype) sel = i;
      if (sel < 0) continue;
      char name[512];
      snprintf(name, sizeof name, "%s/seed-%05d", argv[1], count++);
      FILE *f = fopen(name, "wb");
      if (f == NULL) { perror(name); return 1; }
      unsigned char hdr[2] = { (unsigned char)sel, 0 };
      fwrite(hdr, 1, 2, f);
      fwrite(p.data, 1, p.caplen, f);
      fclose(f);
    }
    pf_reader_close(r);
  }
  printf("%d seeds\n", count);
  return 0;
}
