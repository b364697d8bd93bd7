/* pf.h: the shared vocabulary of the pure C core: times, field ids, decoded values, packets. */
#ifndef PF_H
#define PF_H

#include <stddef.h>
#include <stdint.h>

#define PF_VERSION "0.1.0"

/* Time as Wireshark's nstime_t: seconds and nanoseconds with the same sign.
   int64 nanoseconds cannot hold every timestamp tshark prints (pcapng lets
   an interface count microseconds up to 2^64, about 1.8e13 s), and a file
   may carry a raw nanosecond part >= 1e9 that tshark prints verbatim. */
typedef struct pf_time {
  int64_t secs;
  int32_t nsecs;
} pf_time;

pf_time pf_time_delta(pf_time b, pf_time a);          /* b - a, as nstime_delta */
int pf_time_cmp(pf_time a, pf_time b);
double pf_time_to_double(pf_time t);
/* Floor division, as Python's //. */
int64_t pf_floordiv64(int64_t a, int64_t b);
/* t - o in nanoseconds; 0 and *ok cleared when it does not fit in an int64. */
int64_t pf_time_ns_since(pf_time t, pf_time o, int *ok);
/* o + ns nanoseconds (ns may be negative), both parts of one sign. */
pf_time pf_time_ns_after(pf_time o, int64_t ns);
/* base + x seconds, to the nearest nanosecond. */
pf_time pf_time_plus_seconds(pf_time base, double x);
/* Formats as tshark prints a relative time: "-1.000200000"; returns length. */
int pf_time_fmt_rel(char *buf, size_t n, pf_time t);
/* Formats as tshark prints frame.time_epoch: "%lld.%09d" of the raw parts. */
int pf_time_fmt_abs(char *buf, size_t n, pf_time t);

/* Field value types (how a value is stored and printed). */
typedef enum pf_ftype {
  PF_FT_NONE,      /* presence only (analysis flags); prints "1" */
  PF_FT_BOOL,      /* prints 0 or 1 */
  PF_FT_UINT,      /* unsigned; base decides the text */
  PF_FT_INT,       /* signed decimal */
  PF_FT_FRAMENUM,  /* a frame number, decimal */
  PF_FT_IPV4,      /* 4 bytes, network order, in v.a */
  PF_FT_IPV6,      /* 16 bytes in v.a */
  PF_FT_ETHER,     /* 6 bytes in v.a */
  PF_FT_ABSTIME,   /* pf_time since the epoch */
  PF_FT_RELTIME,   /* pf_time difference */
  PF_FT_STRING,    /* v.s.p / v.s.len: text (points into packet or scratch) */
  PF_FT_BYTES,     /* v.s.p / v.s.len: raw bytes, printed as hex */
  PF_FT_DOUBLE,    /* v.d */
  PF_FT_COUNT_
} pf_ftype;

/* The layer a field needs decoded, so a read decodes no deeper than its fields ask. */
typedef enum pf_layer {
  PF_LY_FRAME = 0,  /* record header only */
  PF_LY_LINK,       /* link layer (Ethernet, VLAN, SLL, ...) */
  PF_LY_NET,        /* IPv4, IPv6, ARP */
  PF_LY_TRANS,      /* TCP, UDP, ICMP headers */
  PF_LY_STATE,      /* conversation tracking (streams, relative seq, RTT) */
  PF_LY_APP         /* application payloads */
} pf_layer;

/* Field ids, generated from fields.def (one line per field). */
#define PF_FIELD(id, name, type, base, layer, doc) PF_F_##id,
typedef enum pf_fid {
#include "fields.def"
  PF_NFIELDS
} pf_fid;
#undef PF_FIELD

/* User-defined fields (pf.define_field) take the ids from PF_NFIELDS up, so
   every array indexed by a field id is sized PF_MAXFIELDS. */
#define PF_MAXUSERFIELDS 64
#define PF_MAXFIELDS (PF_NFIELDS + PF_MAXUSERFIELDS)

typedef struct pf_field_info {
  const char *name;
  pf_ftype type;
  int base;          /* PF_FT_UINT: 0 decimal, N > 0: "0x" and N hex digits */
  pf_layer layer;
  const char *doc;
} pf_field_info;

/* The registry: the built-in fields, then the user fields up to
   pf_field_count(). Only fields.c writes it (pf_field_define). */
extern pf_field_info pf_fields[PF_MAXFIELDS];
/* One past the highest field id in use (PF_NFIELDS + user fields). */
int pf_field_count(void);
const char *pf_ftype_name(pf_ftype t);
/* Field id by exact name (built-in or user), or -1. */
int pf_field_lookup(const char *name);
/* Up to max names closest to name (edit distance), for "did you mean"; returns count. */
int pf_field_suggest(const char *name, const char **out, int max);

/* One decoded value of one field in one packet. */
typedef struct pf_val {
  uint16_t fid;
  int16_t next;     /* next occurrence of the same field in this packet, or -1 */
  uint32_t pad_;
  union {
    uint64_t u;
    int64_t i;
    double d;
    pf_time t;
    uint8_t a[16];
    struct { const uint8_t *p; uint32_t len; } s;
  } v;
} pf_val;

#define PF_MAX_VALS 1024

/* Protocols a packet holds, as tshark's frame.protocols names them: bit
   1 << PF_P_x of pf_pkt.protos, set by each dissector where it recognises its
   layer (also when the layer is then found truncated or malformed). Display
   filters test a protocol name with it ("tcp", "dns"). */
enum {
  PF_P_ETH, PF_P_VLAN, PF_P_IEEE8021AD, PF_P_SLL, PF_P_NULL, PF_P_RAW, PF_P_IP, PF_P_IPV6, PF_P_ARP,
  PF_P_TCP, PF_P_UDP, PF_P_ICMP, PF_P_ICMPV6, PF_P_DNS, PF_P_MDNS, PF_P_LLMNR, PF_P_HTTP, PF_P_SSDP,
  PF_P_TLS, PF_P_DHCP, PF_P_DATA, PF_P_COUNT_
};
/* The bytes of the first layers of a packet, in its captured bytes or in an
   IP datagram reassembled on it ("tcp contains ..." reads them). */
#define PF_MAX_LAYERS 16
typedef struct pf_layerspan {
  const uint8_t *p;
  uint32_t len;
  uint8_t proto;
} pf_layerspan;
#define PF_SCRATCH 8192

/* One packet as read and decoded. The decoder fills vals[]; occurrences of a
   field chain from first[fid] through vals[i].next in packet order.
   Nothing in it is allocated per packet. */
typedef struct pf_pkt {
  /* from the reader */
  uint64_t num;          /* frame number, 1-based, tshark's numbering */
  pf_time ts;
  int has_ts;            /* 0 for pcapng blocks without a timestamp */
  int is_packet;         /* 0 for pcapng custom blocks tshark shows as frames */
  uint32_t caplen, len;
  int linktype;          /* DLT/LINKTYPE number, -1 for non-packet records */
  const uint8_t *data;
  uint32_t file_index;   /* which file of a multi-file read */
  uint64_t file_num;     /* packet number within that file, 1-based: what messages name */
  uint64_t offset;       /* byte offset of the record in its file */
  /* from the decoder */
  int nvals;
  uint64_t protos;       /* 1 << PF_P_x for each protocol present */
  int nlayers;
  pf_layerspan layers[PF_MAX_LAYERS];
  int16_t first[PF_MAXFIELDS];
  int16_t last[PF_MAXFIELDS];
  pf_val vals[PF_MAX_VALS];
  size_t scratch_used;
  uint8_t scratch[PF_SCRATCH];   /* decoded text that is not in the packet (DNS names) */
  /* what was malformed in this packet, "" when nothing (or no longer listed):
     "IPv4: bogus header length 16 (at least 20) at frame byte 14"; pf_scan
     makes it a diagnostic "FILE: packet N at offset O: ..." */
  char malformed[160];
} pf_pkt;

/* Resets p's values (call once per pf_pkt before its first use; pkt.c). */
void pf_pkt_init(pf_pkt *p);
/* Appends an occurrence of field fid (any id below pf_field_count()) to p,
   chained after its earlier ones; NULL when p holds PF_MAX_VALS values. */
pf_val *pf_pkt_add(pf_pkt *p, int fid);
/* Occurrence iteration: for (i = p->first[f]; i >= 0; i = p->vals[i].next) */

#endif
