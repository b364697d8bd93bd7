/* info.h: `pktframe info`: what capinfos tells of a capture file, and a protocol summary. */
#ifndef PF_INFO_H
#define PF_INFO_H

#include <stdint.h>
#include <stdio.h>

#include "pf.h"
#include "scan.h"

#define PF_INFO_MAXLT 16

/* Packets and bytes (on the wire) of one class. */
typedef struct pf_info_count {
  uint64_t packets, bytes;
} pf_info_count;

typedef struct pf_info {
  char format[48];           /* pf_reader_format(): "pcap-le-usec", "pcapng-be-gzip", ... */
  uint64_t file_size;
  uint64_t records;          /* frames as tshark numbers them, packets or not */
  uint64_t captured;         /* sum of captured lengths */
  int has_time;              /* some packet had a timestamp */
  pf_time first, last;       /* earliest and latest, as capinfos */
  int time_ordered;          /* each timestamp >= the one before */
  pf_time prev;
  int nlinktypes;            /* link types in packet order of appearance; more are folded into the last */
  int linktype[PF_INFO_MAXLT];
  uint64_t linktype_packets[PF_INFO_MAXLT];
  pf_info_count all, ip, ipv4, ipv6, tcp, udp, other_ip, non_ip;
} pf_info;

/* Reads path once (decoding to the transport layer) into inf. so supplies
   the interrupt flag and progress callback (its bpf and filter are ignored).
   Returns a pf_scan status: PF_SCAN_OK (damage ends up in diag, with the
   packets before it counted), PF_SCAN_ERROR (message in err, naming the
   file) or PF_SCAN_INTERRUPTED. */
int pf_info_scan(const char *path, const pf_scan_opts *so, pf_info *inf, pf_diag *diag,
                 char *err, size_t errlen);

/* Writes the report of one file, capinfos-style "Label: value" lines and a
   protocol table. */
void pf_info_write(FILE *out, const char *path, const pf_info *inf);

#endif
