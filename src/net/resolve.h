/* resolve.h: a DNS stub resolver for reverse lookups: PTR queries over UDP.
   Pure C (no Lua): the PTR query builder, the parser of replies (untrusted
   bytes from the network), /etc/resolv.conf, and the exchange with a server
   with a timeout. pf.resolve (src/lua/resolve_lua.c) adds the arguments and
   the cache, which lives in the Lua state. */
#ifndef PF_RESOLVE_H
#define PF_RESOLVE_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define PF_DNS_PTR 12
#define PF_DNS_CNAME 5
#define PF_DNS_IN 1

#define PF_DNS_RESOLV_CONF "/etc/resolv.conf"
/* A query name's text with its NUL: 32 nibbles of ip6.arpa are 73 bytes. */
#define PF_DNS_QNAME_MAX 80
/* A query's bytes: 12 of header, the name (at most 255), 4 of type and class. */
#define PF_DNS_QUERY_MAX 512
/* A name read from a reply, as text with its NUL: 255 wire bytes, each at most "\DDD". */
#define PF_DNS_NAME_TEXT 1100
/* Queries outstanding at once: a burst a server takes. */
#define PF_DNS_MAX_INFLIGHT 32

/* What a reply says of a PTR query (pf_dns_parse_ptr_reply). */
enum {
  PF_DNS_IGNORE,   /* not an answer to this question: a stray or forged datagram */
  PF_DNS_FAIL,     /* the server failed, refused or sent something malformed */
  PF_DNS_NONE,     /* no such name, or no PTR record: a negative answer */
  PF_DNS_NAME      /* the name the address has */
};

/* The query name of the address a (4 bytes for AF_INET, 16 for AF_INET6):
   "4.3.2.1.in-addr.arpa" or the 32 nibbles of ip6.arpa, in out (at least
   PF_DNS_QNAME_MAX bytes). Returns 0, or -1 (out = "") for another family or
   too small an out. */
int pf_dns_ptr_qname(int family, const uint8_t *a, char *out, size_t outsz);

/* Writes the PTR query of class IN for qname (dotted text, no final dot,
   labels of 1..63 bytes, 255 bytes on the wire at most) with id and the RD
   bit into buf. Returns its length, or 0 when qname is not such a name or
   the query does not fit bufsz. Only PTR queries are ever built. */
size_t pf_dns_build_ptr_query(uint16_t id, const char *qname, uint8_t *buf, size_t bufsz);

/* Parses the reply buf[0..len) to the PTR query (id, qname): PF_DNS_NAME with
   the name as text in name (following CNAMEs, as classless in-addr.arpa
   delegation uses them; bytes other than letters, digits, '-' and '_' written
   \DDD as dig does, labels joined by dots, the root "."), or PF_DNS_NONE,
   PF_DNS_FAIL, PF_DNS_IGNORE. Reads nothing outside buf[0..len); every
   compression pointer must go back before the earlier ones (no loops). name
   is written only for PF_DNS_NAME, and is cut to namesz (PF_DNS_NAME_TEXT
   holds any). */
int pf_dns_parse_ptr_reply(const uint8_t *buf, size_t len, uint16_t id, const char *qname,
                           char *name, size_t namesz);

/* Parses "ip", "ip:port", "[ip6]:port" or "ip6" (port 53 by default; a %scope
   is dropped) into ss. Returns 0 or -1. */
int pf_dns_parse_server(const char *s, struct sockaddr_storage *ss, socklen_t *sslen);

/* The first usable "nameserver" line of the resolv.conf at path, or 127.0.0.1
   as the C library assumes when there is none (or no file). Returns 0, or -1
   when the file names only servers that cannot be parsed. */
int pf_dns_system_server(const char *path, struct sockaddr_storage *ss, socklen_t *sslen);

/* The address of ss as text (no port), "?" when it is neither IPv4 nor IPv6. */
void pf_dns_server_text(const struct sockaddr_storage *ss, char *out, size_t outsz);

/* A UDP socket connected to the server (the kernel then drops datagrams from
   anyone else), non-blocking. Returns the descriptor, or -1 with errno set and
   *step = "socket" or "connect". */
int pf_dns_open(const struct sockaddr_storage *ss, socklen_t sslen, const char **step);

/* One address to look up: the caller sets family, addr and qname (with
   pf_dns_ptr_qname); pf_dns_exchange sets id and deadline. */
typedef struct pf_dns_query {
  int family;
  uint8_t addr[16];
  uint16_t id;
  double deadline;
  char qname[PF_DNS_QNAME_MAX];
} pf_dns_query;

/* Called once for each query answered: result PF_DNS_NAME (with name) or
   PF_DNS_NONE (name NULL). May not return (a longjmp): the caller then owns
   and closes fd. */
typedef void pf_dns_answer_fn(void *ud, int index, int result, const char *name);

enum { PF_DNS_DONE = 0, PF_DNS_EPOLL = -1, PF_DNS_EINTERRUPTED = -2 };

/* Sends the PTR queries qs[0..nq) on fd (from pf_dns_open), at most
   PF_DNS_MAX_INFLIGHT outstanding, each given timeout seconds, and calls
   answer for every reply that answers one. Queries without an answer
   (timeouts, send errors, server failures, nothing listening) get no call.
   Returns PF_DNS_DONE; PF_DNS_EPOLL with errno set when poll failed; or
   PF_DNS_EINTERRUPTED as soon as *interrupted is nonzero (checked every
   100 ms at most; left set). */
int pf_dns_exchange(int fd, pf_dns_query *qs, int nq, double timeout, volatile sig_atomic_t *interrupted,
                    pf_dns_answer_fn *answer, void *ud);

#endif
