/* capture.h: reading pcap and pcapng files record by record, with tshark's frame numbering. */
#ifndef PF_CAPTURE_H
#define PF_CAPTURE_H

#include "pf.h"

typedef struct pf_reader pf_reader;

/* Opens path and reads its file header. path "-" is standard input; pipes,
   FIFOs and devices are read as they come (nothing is read twice), gzip
   included. On failure returns NULL and writes a one-line reason (without
   the file name) to err. */
pf_reader *pf_reader_open(const char *path, char *err, size_t errlen);

/* Reads the next record into p: data, lengths, time, link type, offset
   (p->num is the caller's). p->data stays valid until the next call.
   Returns 1 for a record, 0 at a clean end of file, -1 on a damaged or
   truncated file: pf_reader_error() then says what and where, and no further
   record can be read. */
int pf_reader_next(pf_reader *r, pf_pkt *p);

const char *pf_reader_error(const pf_reader *r);

/* Damage the reader stepped over (a pcapng block skipped because its content
   is bad though its framing is sound: a packet for an interface that does not
   exist, a captured length past its block) and oddities kept as they are but
   worth knowing (more captured bytes than the snapshot length or the wire
   length: noted once per file). Each "packet N at offset O: what" (N the
   number the next packet gets). pf_reader_warning returns the oldest not yet
   taken, or NULL; call it after each pf_reader_next. At most
   PF_READER_WARN_LIMIT are kept per file; pf_reader_warnings counts them all. */
#define PF_READER_MAXWARN 21   /* PF_READER_WARN_LIMIT and the count of the rest */
#define PF_READER_WARN_LIMIT 20
const char *pf_reader_warning(pf_reader *r);
uint64_t pf_reader_warnings(const pf_reader *r);
/* "pcap", "pcap-nsec", "pcapng", with byte order: for capinfos-style reports. */
const char *pf_reader_format(const pf_reader *r);
/* Link type of the file (pcap) or of the first interface (pcapng); -1 unknown. */
int pf_reader_linktype(const pf_reader *r);
uint64_t pf_reader_offset(const pf_reader *r);   /* bytes consumed so far */
uint64_t pf_reader_size(const pf_reader *r);     /* bytes of the capture, 0 when unknown (gzip, pipes) */
uint64_t pf_reader_file_size(const pf_reader *r); /* bytes of the file as stored (compressed), 0 for a pipe */

/* What a scan checks of each file before it reads any: a regular file opens
   and has a capture's header (its size in *size); standard input ("-"),
   pipes, FIFOs and devices are not touched (they can be read only once: their
   header is checked when they are read; *size 0). 0, or -1 with the reason
   in err as pf_reader_open gives it. */
int pf_reader_check(const char *path, uint64_t *size, char *err, size_t errlen);
void pf_reader_close(pf_reader *r);

/* The most bytes of one record tshark accepts for this link type. */
uint32_t pf_max_snaplen(int linktype);

#endif
