/* capture.c: pcap and pcapng readers written against the formats, not through libpcap's
   reader, because libpcap refuses files tshark reads (pcapng interfaces of different link
   types), drops records tshark numbers as frames (pcapng custom blocks), and hides the byte
   offsets a diagnostic needs. File data is never trusted: every length is checked against
   what is left, and a clean end of file differs from a record cut short. */
#include "capture.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define BUF_INIT (4u << 20)
#define MAX_IFACES 4096

typedef enum { FMT_PCAP, FMT_PCAPNG } fmt_kind;

typedef struct iface {
  int linktype;
  uint32_t snaplen;
  uint64_t units;        /* timestamp units per second */
  int64_t tsoffset;      /* seconds added to every timestamp */
} iface;

struct pf_reader {
  int fd;
  int gzipped;           /* the bytes of fd are a gzip stream, inflated through z */
  z_stream z;
  uint8_t *zin;          /* compressed bytes read from fd, not yet inflated */
  size_t zcap;
  int zin_eof, zdone;    /* fd at its end; the last gzip member ended */
  fmt_kind kind;
  int swap;              /* file byte order differs from ours */
  int nsec;              /* pcap: nanosecond timestamps */
  int lengths_swapped;   /* pcap < 2.3: caplen and len swapped; 2: maybe (2.3) */
  int modified;          /* pcap: Alexey Kuznetsov's modified format, 8 more header bytes */
  int linktype;          /* pcap: the file's; pcapng: first interface's */
  uint32_t snaplen;
  iface *ifs;
  int nifs, capifs;
  pf_time last_ts;       /* pcapng custom blocks carry the previous record's time, as tshark shows */
  uint8_t *buf;
  size_t cap, pos, end;  /* buf[pos..end) holds unread bytes */
  uint64_t base;         /* file offset of buf[0] */
  uint64_t size;         /* bytes of the stream (uncompressed), 0 when unknown */
  uint64_t file_size;    /* bytes of the file as stored, 0 for a pipe */
  uint64_t records;      /* records returned so far */
  int eof, failed;
  char err[256];
  /* warnings: damage the reader stepped over (a pcapng block whose own framing is
     intact but whose content is not), and oddities reported once per file */
  char warn[PF_READER_MAXWARN][200];
  int nwarn, warn_head;
  uint64_t nwarned;            /* warnings raised in this file, listed or not */
  int noted_snaplen, noted_caplen;
  char fmtname[32];
};

static uint16_t rd16(const pf_reader *r, const uint8_t *p) {
  uint16_t v = (uint16_t)(p[0] | p[1] << 8);
  return r->swap ? (uint16_t)(v >> 8 | v << 8) : v;
}

static uint32_t rd32(const pf_reader *r, const uint8_t *p) {
  uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
  if (r->swap) v = (v >> 24) | ((v >> 8) & 0xff00) | ((v << 8) & 0xff0000) | (v << 24);
  return v;
}

static int fail(pf_reader *r, uint64_t offset, const char *fmt, ...) {
  va_list ap;
  int n = snprintf(r->err, sizeof r->err, "packet %llu at offset %llu: ",
                   (unsigned long long)(r->records + 1), (unsigned long long)offset);
  if (n < 0 || (size_t)n >= sizeof r->err) n = 0;
  va_start(ap, fmt);
  vsnprintf(r->err + n, sizeof r->err - (size_t)n, fmt, ap);
  va_end(ap);
  r->failed = 1;
  return -1;
}

/* Queues a warning about the record at offset (the next packet number). Past
   PF_READER_MAXWARN waiting, or PF_READER_WARN_LIMIT in a file, later ones are
   counted but not kept (a file of a million bad blocks must not make a million lines). */
static void warn(pf_reader *r, uint64_t offset, const char *fmt, ...) {
  r->nwarned++;
  if (r->nwarn == PF_READER_MAXWARN || r->nwarned > PF_READER_WARN_LIMIT) return;
  char *w = r->warn[(r->warn_head + r->nwarn++) % PF_READER_MAXWARN];
  int n = snprintf(w, sizeof r->warn[0], "packet %llu at offset %llu: ", (unsigned long long)(r->records + 1),
                   (unsigned long long)offset);
  if (n < 0 || (size_t)n >= sizeof r->warn[0]) n = 0;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(w + n, sizeof r->warn[0] - (size_t)n, fmt, ap);
  va_end(ap);
}

/* In next_pcapng: skips the current block (its framing is sound, its content is
   not) with a warning, and reads on. */
#define SKIP_BLOCK(...) { warn(r, off, __VA_ARGS__); goto skip_block; }

const char *pf_reader_warning(pf_reader *r) {
  if (r->nwarn == 0) return NULL;
  const char *w = r->warn[r->warn_head];
  r->warn_head = (r->warn_head + 1) % PF_READER_MAXWARN;
  r->nwarn--;
  return w;
}

uint64_t pf_reader_warnings(const pf_reader *r) { return r->nwarned; }

/* The record lengths a file should not have but tshark shows as they are: noted once a file. */
static void note_lengths(pf_reader *r, uint64_t off, uint32_t caplen, uint32_t len, uint32_t snaplen) {
  if (snaplen && caplen > snaplen && !r->noted_snaplen) {
    r->noted_snaplen = 1;
    warn(r, off, "%u captured bytes, more than the snapshot length of %u; kept as captured "
         "(noted once per file)", caplen, snaplen);
  }
  if (caplen > len && !r->noted_caplen) {
    r->noted_caplen = 1;
    warn(r, off, "%u captured bytes, more than the %u bytes on the wire; kept as captured "
         "(noted once per file)", caplen, len);
  }
}

/* Inflates into dst (at most n bytes) from the compressed bytes of fd, as
   gzread does: concatenated gzip members are one stream, bytes after the last
   member that start no other are ignored. Returns the bytes produced; 0 at
   the end of the stream, also for a cut or damaged one (which then ends like
   a cut file: the record cut short is what the caller reports). */
#if defined(__GNUC__)
__attribute__((noinline))   /* kept out of fill, whose fast path runs once a record */
#endif
static size_t inflate_some(pf_reader *r, uint8_t *dst, size_t n) {
  z_stream *z = &r->z;
  if (n > (1u << 30)) n = 1u << 30;
  z->next_out = dst;
  z->avail_out = (uInt)n;
  while (z->avail_out == n && !(r->zdone && z->avail_in == 0 && r->zin_eof)) {
    if (z->avail_in == 0 && !r->zin_eof) {
      ssize_t got = read(r->fd, r->zin, r->zcap);
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) r->zin_eof = 1;
      z->next_in = r->zin;
      z->avail_in = got > 0 ? (uInt)got : 0;
      continue;
    }
    if (r->zdone) {
      /* another gzip member follows, or the stream is over */
      if (z->avail_in == 1 && !r->zin_eof && z->next_in[0] == 0x1f) {
        r->zin[0] = 0x1f;
        ssize_t got = read(r->fd, r->zin + 1, r->zcap - 1);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) r->zin_eof = 1;
        z->next_in = r->zin;
        z->avail_in = 1 + (got > 0 ? (uInt)got : 0);
        continue;
      }
      if (z->avail_in >= 2 && z->next_in[0] == 0x1f && z->next_in[1] == 0x8b && inflateReset(z) == Z_OK) {
        r->zdone = 0;
        continue;
      }
      z->avail_in = 0;   /* trailing bytes that start no member: the end */
      r->zin_eof = 1;
      break;
    }
    int rc = inflate(z, Z_NO_FLUSH);
    if (rc == Z_STREAM_END) {
      r->zdone = 1;
    } else if (rc != Z_OK && !(rc == Z_BUF_ERROR && z->avail_in == 0 && !r->zin_eof)) {
      r->zdone = 1;   /* damaged, or cut short: no more bytes */
      r->zin_eof = 1;
      z->avail_in = 0;
      break;
    }
  }
  return n - z->avail_out;
}

/* Makes at least want bytes available at buf+pos; returns how many are (less only at EOF). */
static size_t fill(pf_reader *r, size_t want) {
  if (r->end - r->pos >= want || r->eof) return r->end - r->pos;
  if (r->pos > 0) {
    memmove(r->buf, r->buf + r->pos, r->end - r->pos);
    r->base += r->pos;
    r->end -= r->pos;
    r->pos = 0;
  }
  while (r->end < want) {
    /* grow only once the buffer is full: a damaged length asking for a
       gigabyte costs at most twice the bytes the file really has */
    if (r->end == r->cap) {
      size_t ncap = r->cap * 2 < want ? r->cap * 2 : want;
      uint8_t *nb = realloc(r->buf, ncap);
      if (nb == NULL) break;
      r->buf = nb;
      r->cap = ncap;
    }
    ssize_t got;
    if (r->gzipped) {
      got = (ssize_t)inflate_some(r, r->buf + r->end, r->cap - r->end);
    } else {
      got = read(r->fd, r->buf + r->end, r->cap - r->end);
    }
    if (got < 0) {
      if (errno == EINTR) continue;
      r->eof = 1;
      break;
    }
    if (got == 0) { r->eof = 1; break; }
    r->end += (size_t)got;
  }
  return r->end - r->pos;
}

/* The bytes read so far (buf[0 .. end)) are the start of a gzip stream: they
   become its first compressed input, and buf fills again from the inflated
   stream. Works on pipes as on files (nothing is read twice). 0, or -1. */
static int start_gzip(pf_reader *r) {
  r->zcap = r->end > (64u << 10) ? r->end : (64u << 10);
  r->zin = malloc(r->zcap);
  if (r->zin == NULL) return -1;
  memcpy(r->zin, r->buf, r->end);
  memset(&r->z, 0, sizeof r->z);
  r->z.next_in = r->zin;
  r->z.avail_in = (uInt)r->end;
  if (inflateInit2(&r->z, 16 + MAX_WBITS) != Z_OK) {
    free(r->zin);
    r->zin = NULL;
    return -1;
  }
  r->gzipped = 1;
  r->zin_eof = r->eof;
  r->eof = 0;
  r->pos = r->end = 0;
  r->base = 0;
  r->size = 0;   /* the uncompressed size is not known up front */
  if (r->cap < BUF_INIT) {
    uint8_t *nb = realloc(r->buf, BUF_INIT);
    if (nb == NULL) return -1;
    r->buf = nb;
    r->cap = BUF_INIT;
  }
  return 0;
}

uint32_t pf_max_snaplen(int linktype) {
  switch (linktype) {
    case 189: case 220: case 231: return 128u << 20;   /* USB, D-Bus: tshark allows more */
    default: return 262144;
  }
}

static const char *linktype_fmt(const pf_reader *r) { return r->swap ? "be" : "le"; }

static int open_pcap(pf_reader *r, const uint8_t *h, uint32_t magic, char *err, size_t errlen) {
  r->kind = FMT_PCAP;
  r->nsec = (magic == 0xa1b23c4d);
  r->modified = (magic == 0xa1b2cd34);
  uint16_t major = rd16(r, h + 4), minor = rd16(r, h + 6);
  if (major < 2) {
    snprintf(err, errlen, "pcap version %u.%u is not supported", major, minor);
    return -1;
  }
  r->lengths_swapped = (major == 2 && minor < 3) ? 1 : (major == 2 && minor == 3) ? 2 : 0;
  r->snaplen = rd32(r, h + 16);
  /* upper bits carry FCS-length flags; the link type is the low 26 */
  r->linktype = (int)(rd32(r, h + 20) & 0x03FFFFFF);
  snprintf(r->fmtname, sizeof r->fmtname, "pcap-%s-%s%s%s", linktype_fmt(r),
           r->nsec ? "nsec" : "usec", r->modified ? "-modified" : "", r->gzipped ? "-gzip" : "");
  r->pos = 24;
  return 0;
}

static int add_iface(pf_reader *r, int linktype, uint32_t snaplen) {
  if (r->nifs == r->capifs) {
    int ncap = r->capifs ? r->capifs * 2 : 8;
    iface *n = realloc(r->ifs, sizeof(iface) * (size_t)ncap);
    if (n == NULL) return -1;
    r->ifs = n;
    r->capifs = ncap;
  }
  iface *f = &r->ifs[r->nifs++];
  f->linktype = linktype;
  f->snaplen = snaplen;
  f->units = 1000000;
  f->tsoffset = 0;
  if (r->linktype < 0) r->linktype = linktype;
  return 0;
}

/* Opens path for reading: "-" is standard input (tshark's -r -). */
static int open_input(const char *path) {
  if (strcmp(path, "-") == 0) return dup(0);
  return open(path, O_RDONLY);
}

pf_reader *pf_reader_open(const char *path, char *err, size_t errlen) {
  pf_reader *r = calloc(1, sizeof *r);
  if (r == NULL) { snprintf(err, errlen, "out of memory"); return NULL; }
  r->linktype = -1;
  r->fd = open_input(path);
  if (r->fd < 0) {
    snprintf(err, errlen, "%s", strerror(errno));
    free(r);
    return NULL;
  }
  struct stat st;
  if (fstat(r->fd, &st) == 0) {
    if (S_ISDIR(st.st_mode)) {
      snprintf(err, errlen, "is a directory");
      close(r->fd);
      free(r);
      return NULL;
    }
    if (S_ISREG(st.st_mode)) r->size = r->file_size = (uint64_t)st.st_size;
  }
  /* a small file gets a small buffer: opening one must be cheap (the fuzzer opens millions) */
  r->cap = BUF_INIT;
  if (r->size > 0 && r->size < BUF_INIT) r->cap = r->size < 4096 ? 4096 : (size_t)r->size;
  r->buf = malloc(r->cap);
  if (r->buf == NULL) {
    snprintf(err, errlen, "out of memory");
    pf_reader_close(r);
    return NULL;
  }
  size_t have = fill(r, 28);
  /* gzip-compressed captures (.pcap.gz, .pcapng.gz, or gzip through a pipe) are
     inflated as they are read; offsets in messages are then offsets in the
     uncompressed stream */
  if (have >= 2 && r->buf[0] == 0x1f && r->buf[1] == 0x8b) {
    if (start_gzip(r) < 0) {
      snprintf(err, errlen, "cannot open the gzip stream: out of memory");
      pf_reader_close(r);
      return NULL;
    }
    have = fill(r, 28);
  }
  if (have == 0) {
    snprintf(err, errlen, "empty file: not a pcap or pcapng capture file");
    pf_reader_close(r);
    return NULL;
  }
  if (have < 4) goto notcap;
  const uint8_t *h = r->buf;
  uint32_t le = (uint32_t)h[0] | (uint32_t)h[1] << 8 | (uint32_t)h[2] << 16 | (uint32_t)h[3] << 24;
  uint32_t be = (uint32_t)h[3] | (uint32_t)h[2] << 8 | (uint32_t)h[1] << 16 | (uint32_t)h[0] << 24;
  if (le == 0xa1b2c3d4 || le == 0xa1b23c4d || le == 0xa1b2cd34 ||
      be == 0xa1b2c3d4 || be == 0xa1b23c4d || be == 0xa1b2cd34) {
    r->swap = !(le == 0xa1b2c3d4 || le == 0xa1b23c4d || le == 0xa1b2cd34);
    if (have < 24) {
      snprintf(err, errlen, "truncated pcap file header (%zu of 24 bytes)", have);
      pf_reader_close(r);
      return NULL;
    }
    if (open_pcap(r, h, r->swap ? be : le, err, errlen) < 0) {
      pf_reader_close(r);
      return NULL;
    }
    return r;
  }
  if (le == 0x0a0d0d0a) {
    r->kind = FMT_PCAPNG;
    if (have < 12) {
      snprintf(err, errlen, "truncated pcapng section header");
      pf_reader_close(r);
      return NULL;
    }
    uint32_t bom = (uint32_t)h[8] | (uint32_t)h[9] << 8 | (uint32_t)h[10] << 16 | (uint32_t)h[11] << 24;
    if (bom != 0x1a2b3c4d && bom != 0x4d3c2b1a) goto notcap;
    r->swap = (bom == 0x4d3c2b1a);
    snprintf(r->fmtname, sizeof r->fmtname, "pcapng-%s%s", linktype_fmt(r), r->gzipped ? "-gzip" : "");
    /* the section header is read as an ordinary block by pf_reader_next */
    return r;
  }
  if (have >= 8 && (le == 1 || le == 2 || le == 3 || le == 5 || le == 6) && h[4] % 4 == 0 && h[4] >= 12) {
    /* the blocks of a pcapng section with its section header lost */
    snprintf(err, errlen, "not a pcap or pcapng capture file: it starts with a pcapng block of type %u, "
             "not a section header block", le);
    pf_reader_close(r);
    return NULL;
  }
notcap:
  snprintf(err, errlen, "not a pcap or pcapng capture file");
  pf_reader_close(r);
  return NULL;
}

static int next_pcap(pf_reader *r, pf_pkt *p) {
  size_t hlen = r->modified ? 24 : 16;
  uint64_t off = r->base + r->pos;
  size_t have = fill(r, hlen);
  if (have == 0) return 0;
  if (have < hlen)
    return fail(r, off, "truncated record header (%zu of %zu bytes); the file was cut short", have, hlen);
  const uint8_t *h = r->buf + r->pos;
  uint32_t sec = rd32(r, h), frac = rd32(r, h + 4);
  uint32_t caplen = rd32(r, h + 8), len = rd32(r, h + 12);
  if (r->lengths_swapped == 1 || (r->lengths_swapped == 2 && caplen > len)) {
    uint32_t t = caplen; caplen = len; len = t;
  }
  if (caplen > pf_max_snaplen(r->linktype))
    return fail(r, off, "record claims %u captured bytes, more than the maximum of %u; the file is damaged",
                caplen, pf_max_snaplen(r->linktype));
  have = fill(r, hlen + caplen);
  if (have < hlen + caplen)
    return fail(r, off, "truncated record (%zu of %u bytes of packet data); the file was cut short",
                have - hlen, caplen);
  h = r->buf + r->pos;
  note_lengths(r, off, caplen, len, r->snaplen);
  p->ts.secs = (int64_t)sec;
  /* the raw fraction, even when >= 1 s: tshark prints it that way */
  p->ts.nsecs = (int32_t)(r->nsec ? frac : frac * 1000u);
  p->has_ts = 1;
  p->is_packet = 1;
  p->caplen = caplen;
  p->len = len;
  p->linktype = r->linktype;
  p->data = h + hlen;
  p->offset = off;
  r->pos += hlen + caplen;
  r->records++;
  return 1;
}

/* Options of an interface description block: if_tsresol (9) and if_tsoffset (14). */
static void idb_options(pf_reader *r, iface *f, const uint8_t *o, size_t n) {
  while (n >= 4) {
    uint16_t code = rd16(r, o), olen = rd16(r, o + 2);
    size_t padded = ((size_t)olen + 3) & ~(size_t)3;
    if (code == 0 || 4 + padded > n) break;
    if (code == 9 && olen >= 1) {
      uint8_t v = o[4];
      uint64_t units = 1;
      if (v & 0x80) {
        int e = v & 0x7f;
        units = e < 64 ? (uint64_t)1 << e : 0;
      } else {
        for (int i = 0; i < v && units; i++)
          units = units > UINT64_MAX / 10 ? 0 : units * 10;
      }
      if (units) f->units = units;
    } else if (code == 14 && olen >= 8) {
      uint32_t a = rd32(r, o + 4), b = rd32(r, o + 8);
      uint64_t v = r->swap ? ((uint64_t)a << 32 | b) : ((uint64_t)b << 32 | a);
      f->tsoffset = (int64_t)v;
    }
    o += 4 + padded;
    n -= 4 + padded;
  }
}

static pf_time ng_time(const iface *f, uint32_t hi, uint32_t lo) {
  uint64_t ts = (uint64_t)hi << 32 | lo;
  pf_time t;
  t.secs = (int64_t)(ts / f->units + (uint64_t)f->tsoffset);   /* wraps, as tshark's does */
  uint64_t rem = ts % f->units;
  /* rem < units; scale without overflow for units up to 2^64 */
  if (f->units <= UINT64_MAX / 1000000000u)
    t.nsecs = (int32_t)(rem * 1000000000u / f->units);
  else
    t.nsecs = (int32_t)((double)rem * 1e9 / (double)f->units);
  return t;
}

/* Fills the record fields of p; returns 1. */
static int set_record(pf_pkt *p, pf_time ts, int has_ts, int is_packet, uint32_t caplen, uint32_t len,
                      int linktype, const uint8_t *data) {
  p->ts = ts;
  p->has_ts = has_ts;
  p->is_packet = is_packet;
  p->caplen = caplen;
  p->len = len;
  p->linktype = linktype;
  p->data = data;
  return 1;
}

static int next_pcapng(pf_reader *r, pf_pkt *p) {
  for (;;) {
    uint64_t off = r->base + r->pos;
    size_t have = fill(r, 12);
    if (have == 0) return 0;
    if (have < 12)
      return fail(r, off, "truncated block header (%zu of 12 bytes); the file was cut short", have);
    const uint8_t *b = r->buf + r->pos;
    uint32_t type = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
    if (type == 0x0a0d0d0a) {
      /* a section header may switch byte order; read it from the magic */
      uint32_t bom = (uint32_t)b[8] | (uint32_t)b[9] << 8 | (uint32_t)b[10] << 16 | (uint32_t)b[11] << 24;
      if (bom == 0x1a2b3c4d) r->swap = 0;
      else if (bom == 0x4d3c2b1a) r->swap = 1;
      else return fail(r, off, "section header with a bad byte-order magic");
    } else {
      type = rd32(r, b);
    }
    uint32_t blen = rd32(r, b + 4);
    if (blen < 12 || (blen & 3))
      return fail(r, off, "block of type 0x%08x with invalid length %u", type, blen);
    if (blen > (256u << 20))
      return fail(r, off, "block of type 0x%08x claims %u bytes, more than any packet; the file is damaged",
                  type, blen);
    /* a damaged length must not make us allocate far past the end of the file */
    if (r->size && off + blen > r->size)
      return fail(r, off, "truncated block (%llu of %u bytes); the file was cut short",
                  (unsigned long long)(r->size - off), blen);
    have = fill(r, blen);
    if (have < blen)
      return fail(r, off, "truncated block (%zu of %u bytes); the file was cut short", have, blen);
    b = r->buf + r->pos;
    const uint8_t *body = b + 8;
    size_t blen_body = blen - 12;
    if (rd32(r, b + blen - 4) != blen)
      return fail(r, off, "block of type 0x%08x: trailing length does not match %u", type, blen);
    int got = 0;
    switch (type) {
      case 0x0a0d0d0a: {   /* section header: new interfaces */
        if (blen_body < 16) return fail(r, off, "section header too short");
        uint16_t major = rd16(r, body + 4), minor = rd16(r, body + 6);
        if (major != 1)
          return fail(r, off, "unsupported pcapng section version %u.%u", major, minor);
        r->nifs = 0;
        break;
      }
      case 1: {            /* interface description */
        if (r->nifs >= MAX_IFACES) return fail(r, off, "more than %d interfaces", MAX_IFACES);
        if (blen_body < 8) {
          /* keep its place, so the interfaces after it keep their numbers */
          if (add_iface(r, -1, 0) < 0) return fail(r, off, "out of memory");
          SKIP_BLOCK("interface description block too short (%zu bytes of content, at least 8 expected); "
                     "its packets are not decoded", blen_body);
        }
        if (add_iface(r, rd16(r, body), rd32(r, body + 4)) < 0) return fail(r, off, "out of memory");
        idb_options(r, &r->ifs[r->nifs - 1], body + 8, blen_body - 8);
        break;
      }
      case 6: case 2: {    /* enhanced packet, obsolete packet */
        if (blen_body < 20)
          SKIP_BLOCK("packet block too short (%u bytes); block skipped", blen);
        uint32_t ifid = type == 6 ? rd32(r, body) : rd16(r, body);
        if (ifid >= (uint32_t)r->nifs)
          SKIP_BLOCK("packet for interface %u, but only %d interface%s described; block skipped", ifid,
                     r->nifs, r->nifs == 1 ? " is" : "s are");
        const iface *f = &r->ifs[ifid];
        uint32_t caplen = rd32(r, body + 12), len = rd32(r, body + 16);
        if (caplen > blen_body - 20)
          SKIP_BLOCK("packet claims %u captured bytes in a block of %u; block skipped", caplen, blen);
        if (caplen > pf_max_snaplen(f->linktype))
          SKIP_BLOCK("packet claims %u captured bytes, more than the maximum of %u; block skipped",
                     caplen, pf_max_snaplen(f->linktype));
        note_lengths(r, off, caplen, len, f->snaplen);
        got = set_record(p, ng_time(f, rd32(r, body + 4), rd32(r, body + 8)), 1, 1, caplen, len,
                         f->linktype, body + 20);
        break;
      }
      case 3: {            /* simple packet: no timestamp, interface 0 */
        if (blen_body < 4) SKIP_BLOCK("simple packet block too short (%u bytes); block skipped", blen);
        if (r->nifs < 1) SKIP_BLOCK("simple packet block before any interface description; block skipped");
        const iface *f = &r->ifs[0];
        uint32_t len = rd32(r, body), caplen = len;
        if (f->snaplen && caplen > f->snaplen) caplen = f->snaplen;
        if (caplen > blen_body - 4) caplen = (uint32_t)(blen_body - 4);
        pf_time zero = { 0, 0 };
        got = set_record(p, zero, 0, 1, caplen, len, f->linktype, body + 4);
        break;
      }
      case 0x00000bad: case 0x40000bad: {   /* custom blocks: tshark 4.0 shows them as frames */
        if (blen_body < 4) SKIP_BLOCK("custom block too short (%u bytes); block skipped", blen);
        got = set_record(p, r->last_ts, 0, 0, (uint32_t)(blen_body - 4), (uint32_t)(blen_body - 4), -1, body + 4);
        break;
      }
      default:             /* name resolution, statistics, unknown: not frames */
        break;
    }
    r->pos += blen;
    if (got) {
      p->offset = off;
      r->last_ts = p->ts;
      r->records++;
      return 1;
    }
    continue;
  skip_block:
    r->pos += blen;
  }
}

int pf_reader_next(pf_reader *r, pf_pkt *p) {
  if (r->failed) return -1;
  int got = r->kind == FMT_PCAP ? next_pcap(r, p) : next_pcapng(r, p);
  if (got <= 0 && r->nwarned > PF_READER_WARN_LIMIT && r->nwarn < PF_READER_MAXWARN) {
    /* the count of those not listed, once, as the file ends */
    uint64_t more = r->nwarned - PF_READER_WARN_LIMIT;
    snprintf(r->warn[(r->warn_head + r->nwarn++) % PF_READER_MAXWARN], sizeof r->warn[0],
             "%llu more damaged or odd record%s not listed", (unsigned long long)more, more == 1 ? "" : "s");
    r->nwarned = PF_READER_WARN_LIMIT;
  }
  return got;
}

const char *pf_reader_error(const pf_reader *r) { return r->err; }
const char *pf_reader_format(const pf_reader *r) { return r->fmtname; }
int pf_reader_linktype(const pf_reader *r) { return r->linktype; }
uint64_t pf_reader_offset(const pf_reader *r) { return r->base + r->pos; }
uint64_t pf_reader_size(const pf_reader *r) { return r->size; }
uint64_t pf_reader_file_size(const pf_reader *r) { return r->file_size; }

int pf_reader_check(const char *path, uint64_t *size, char *err, size_t errlen) {
  struct stat st;
  *size = 0;
  /* standard input, a pipe, a FIFO or a device is read once, so not opened
     twice: its header is checked when the scan reaches it */
  if (strcmp(path, "-") == 0 || (stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)))
    return 0;
  pf_reader *r = pf_reader_open(path, err, errlen);
  if (r == NULL) return -1;
  *size = pf_reader_size(r);
  pf_reader_close(r);
  return 0;
}

void pf_reader_close(pf_reader *r) {
  if (r == NULL) return;
  if (r->gzipped) inflateEnd(&r->z);
  free(r->zin);
  if (r->fd >= 0) close(r->fd);
  free(r->buf);
  free(r->ifs);
  free(r);
}
