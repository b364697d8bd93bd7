/* format.h: the tshark text of a field value, as -T fields prints it (format.c). */
#ifndef PF_FORMAT_H
#define PF_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "pf.h"

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
