/* fuzz_read.c: libFuzzer harness: a whole capture file read and every field decoded.
   Per input it costs a memfd, the reader and a decoder: both are sized to what they
   read (no 4 MiB buffer, no reassembly table before a fragment), so it runs 10,000+
   inputs a second. */
#define _GNU_SOURCE 1
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "decode.h"
#include "scan.h"

/* every value goes through its text form too, as `pktframe fields` prints it */
static int sink(void *ud, const pf_pkt *p) {
  char buf[512];
  (void)ud;
  for (int i = 0; i < p->nvals; i++) pf_val_format(p->vals[i].fid, &p->vals[i], buf, sizeof buf);
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static int all[PF_NFIELDS];
  for (int i = 0; i < PF_NFIELDS; i++) all[i] = i;
  int fd = memfd_create("capture", 0);
  if (fd < 0) return 0;
  if (write(fd, data, size) != (ssize_t)size) { close(fd); return 0; }
  char path[64];
  snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
  pf_diag diag;
  pf_diag_init(&diag);
  char err[512];
  pf_scan_opts opts = { NULL, NULL, NULL, NULL, NULL, NULL };
  const char *paths[1] = { path };
  pf_scan(paths, 1, all, PF_NFIELDS, &opts, sink, NULL, &diag, err, sizeof err);
  pf_diag_free(&diag);
  close(fd);
  return 0;
}
