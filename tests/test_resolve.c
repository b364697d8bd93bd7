/* test_resolve.c: the DNS stub resolver (src/net/resolve.c) without a network: the PTR
   reply parser on hand-built replies (good, compressed, hostile, truncated), the query
   builder's bytes, the server and resolv.conf parsing, and the exchange's edges. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "resolve.h"

/* ---- building replies ---- */

typedef struct msg {
  uint8_t b[4096];
  size_t n;
} msg;

static void put8(msg *m, unsigned v) { m->b[m->n++] = (uint8_t)v; }
static void put16(msg *m, unsigned v) { put8(m, v >> 8); put8(m, v & 255); }
static void putbytes(msg *m, const void *p, size_t len) { memcpy(m->b + m->n, p, len); m->n += len; }

/* A dotted name as labels and the root ("" is the root alone). */
static void putname(msg *m, const char *dotted) {
  while (*dotted) {
    const char *dot = strchr(dotted, '.');
    size_t l = dot ? (size_t)(dot - dotted) : strlen(dotted);
    put8(m, (unsigned)l);
    putbytes(m, dotted, l);
    dotted += l + (dot ? 1 : 0);
  }
  put8(m, 0);
}

/* Header (a response, QUERY, RD RA, rcode) and the question (qname, qtype, class IN). */
static void head(msg *m, unsigned id, unsigned rcode, unsigned an, const char *qname, unsigned qtype) {
  m->n = 0;
  put16(m, id);
  put8(m, 0x81);
  put8(m, 0x80 | rcode);
  put16(m, 1);
  put16(m, an);
  put16(m, 0);
  put16(m, 0);
  putname(m, qname);
  put16(m, qtype);
  put16(m, PF_DNS_IN);
}

/* A record's fixed part after its owner name: type, class, TTL, rdlength. */
static void rrfix(msg *m, unsigned type, unsigned cls, unsigned rdlen) {
  put16(m, type);
  put16(m, cls);
  put16(m, 0);
  put16(m, 300);
  put16(m, rdlen);
}

/* An answer owned by the question's name (pointer to 12) whose rdata is the name dotted. */
static void rr_name(msg *m, unsigned type, const char *dotted) {
  put16(m, 0xC00C);
  msg tmp = { { 0 }, 0 };
  putname(&tmp, dotted);
  rrfix(m, type, PF_DNS_IN, (unsigned)tmp.n);
  putbytes(m, tmp.b, tmp.n);
}

/* An answer of the owner name dotted (uncompressed) whose rdata is the name rdname. */
static void rr_owned(msg *m, const char *owner, unsigned type, const char *rdname) {
  putname(m, owner);
  msg tmp = { { 0 }, 0 };
  putname(&tmp, rdname);
  rrfix(m, type, PF_DNS_IN, (unsigned)tmp.n);
  putbytes(m, tmp.b, tmp.n);
}

static const char *V4Q = "4.3.2.1.in-addr.arpa";
static char name[PF_DNS_NAME_TEXT];

/* Parses m at exactly its length (a malloc'ed copy: ASan sees any overread). */
static int parse(const msg *m, unsigned id, const char *qname) {
  uint8_t *copy = malloc(m->n ? m->n : 1);
  if (copy == NULL) abort();
  memcpy(copy, m->b, m->n);
  memset(name, 0x55, sizeof name);
  name[sizeof name - 1] = '\0';
  int r = pf_dns_parse_ptr_reply(copy, m->n, (uint16_t)id, qname, name, sizeof name);
  free(copy);
  return r;
}

static void test_good(void) {
  msg m;
  head(&m, 0x1234, 0, 1, V4Q, PF_DNS_PTR);
  rr_name(&m, PF_DNS_PTR, "host.example.com");
  CHECK(parse(&m, 0x1234, V4Q) == PF_DNS_NAME);
  CHECK(strcmp(name, "host.example.com") == 0);
  /* names compare without case; the name comes out as the server wrote it */
  CHECK(parse(&m, 0x1234, "4.3.2.1.IN-ADDR.Arpa") == PF_DNS_NAME);
  /* a small buffer gets the name cut, with its NUL */
  char small[5];
  CHECK(pf_dns_parse_ptr_reply(m.b, m.n, 0x1234, V4Q, small, sizeof small) == PF_DNS_NAME);
  CHECK(strcmp(small, "host") == 0);
  /* the first PTR of several wins; records of other names and classes are passed over */
  head(&m, 7, 0, 4, V4Q, PF_DNS_PTR);
  rr_name(&m, 1, "x");                                   /* type A: not PTR */
  rr_owned(&m, "other.in-addr.arpa", PF_DNS_PTR, "no");   /* another owner */
  put16(&m, 0xC00C); rrfix(&m, PF_DNS_PTR, 3, 4); putname(&m, "ch");   /* class CH */
  rr_name(&m, PF_DNS_PTR, "first");
  CHECK(parse(&m, 7, V4Q) == PF_DNS_NAME);
  CHECK(strcmp(name, "first") == 0);
  /* the root name */
  head(&m, 7, 0, 1, V4Q, PF_DNS_PTR);
  rr_name(&m, PF_DNS_PTR, "");
  CHECK(parse(&m, 7, V4Q) == PF_DNS_NAME && strcmp(name, ".") == 0);
  /* bytes that are not letters, digits, '-' or '_' come out as \DDD: no dot inside a label */
  head(&m, 7, 0, 1, V4Q, PF_DNS_PTR);
  put16(&m, 0xC00C);
  rrfix(&m, PF_DNS_PTR, PF_DNS_IN, 9);
  put8(&m, 3); putbytes(&m, "a.\n", 3); put8(&m, 3); putbytes(&m, "b_-", 3); put8(&m, 0);
  CHECK(parse(&m, 7, V4Q) == PF_DNS_NAME && strcmp(name, "a\\046\\010.b_-") == 0);
}

static void test_compressed(void) {
  msg m;
  /* rdata "www" + pointer to the question name at 12 */
  head(&m, 1, 0, 1, V4Q, PF_DNS_PTR);
  put16(&m, 0xC00C);
  rrfix(&m, PF_DNS_PTR, PF_DNS_IN, 6);
  put8(&m, 3); putbytes(&m, "www", 3); put16(&m, 0xC00C);
  CHECK(parse(&m, 1, V4Q) == PF_DNS_NAME && strcmp(name, "www.4.3.2.1.in-addr.arpa") == 0);
  /* a chain of pointers going back: rdata -> name in an earlier record -> question */
  head(&m, 1, 0, 2, V4Q, PF_DNS_PTR);
  putname(&m, "");                 /* owner: the root, not our name */
  rrfix(&m, PF_DNS_CNAME, PF_DNS_IN, 6);
  size_t target = m.n;
  put8(&m, 3); putbytes(&m, "abc", 3); put16(&m, 0xC000 | 18);   /* "abc" + "1.in-addr.arpa" */
  put16(&m, 0xC00C);
  rrfix(&m, PF_DNS_PTR, PF_DNS_IN, 2);
  put16(&m, 0xC000 | (unsigned)target);
  CHECK(parse(&m, 1, V4Q) == PF_DNS_NAME && strcmp(name, "abc.1.in-addr.arpa") == 0);
  /* the owner name compressed in the answer, into the middle of the question */
  head(&m, 1, 0, 1, "9.4.3.2.1.in-addr.arpa", PF_DNS_PTR);
  put16(&m, 0xC000 | 14);   /* "4.3.2.1.in-addr.arpa": not the qname */
  rrfix(&m, PF_DNS_PTR, PF_DNS_IN, 3);
  putname(&m, "no");
  CHECK(parse(&m, 1, "9.4.3.2.1.in-addr.arpa") == PF_DNS_NONE);
  /* CNAME (classless delegation, RFC 2317): the PTR of the target */
  head(&m, 2, 0, 2, V4Q, PF_DNS_PTR);
  rr_name(&m, PF_DNS_CNAME, "4.0/25.3.2.1.in-addr.arpa");
  rr_owned(&m, "4.0/25.3.2.1.in-addr.arpa", PF_DNS_PTR, "delegated");
  CHECK(parse(&m, 2, V4Q) == PF_DNS_NAME && strcmp(name, "delegated") == 0);
  /* the PTR before the CNAME that leads to it: found in the second pass */
  head(&m, 2, 0, 2, V4Q, PF_DNS_PTR);
  rr_owned(&m, "t.example", PF_DNS_PTR, "late");
  rr_name(&m, PF_DNS_CNAME, "t.example");
  CHECK(parse(&m, 2, V4Q) == PF_DNS_NAME && strcmp(name, "late") == 0);
  /* a CNAME loop ends: a negative answer */
  head(&m, 2, 0, 2, V4Q, PF_DNS_PTR);
  rr_name(&m, PF_DNS_CNAME, "a.example");
  rr_owned(&m, "a.example", PF_DNS_CNAME, V4Q);
  CHECK(parse(&m, 2, V4Q) == PF_DNS_NONE);
}

static void test_pointer_loops(void) {
  msg m;
  /* the question's name points at itself */
  m.n = 0;
  put16(&m, 9); put8(&m, 0x81); put8(&m, 0x80); put16(&m, 1); put16(&m, 1); put16(&m, 0); put16(&m, 0);
  put16(&m, 0xC00C);
  put16(&m, PF_DNS_PTR); put16(&m, PF_DNS_IN);
  CHECK(parse(&m, 9, V4Q) == PF_DNS_IGNORE);
  /* the answer's owner points at itself */
  head(&m, 9, 0, 1, V4Q, PF_DNS_PTR);
  put16(&m, 0xC000 | (unsigned)m.n);
  rrfix(&m, PF_DNS_PTR, PF_DNS_IN, 2); put16(&m, 0xC00C);
  CHECK(parse(&m, 9, V4Q) == PF_DNS_FAIL);
  /* rdata: two pointers to each other (a -> b -> a) */
  head(&m, 9, 0, 1, V4Q, PF_DNS_PTR);
  put16(&m, 0xC00C);
  rrfix(&m, PF_DNS_PTR, PF_DNS_IN, 6);
  size_t a = m.n;
  put8(&m, 1); put8(&m, 'x'); put16(&m, 0xC000 | (unsigned)(a + 4));
  put16(&m, 0xC000 | (unsigned)a);
  CHECK(parse(&m, 9, V4Q) == PF_DNS_FAIL);
  /* a forward pointer, even to a good name */
  head(&m, 9, 0, 1, V4Q, PF_DNS_PTR);
  put16(&m, 0xC00C);
  rrfix(&m, PF_DNS_PTR, PF_DNS_IN, 2);
  put16(&m, 0xC000 | (unsigned)(m.n + 2));
  putname(&m, "fwd");
  CHECK(parse(&m, 9, V4Q) == PF_DNS_FAIL);
  /* a pointer beyond the message */
  head(&m, 9, 0, 1, V4Q, PF_DNS_PTR);
  put16(&m, 0xC00C);
  rrfix(&m, PF_DNS_PTR, PF_DNS_IN, 2);
  put16(&m, 0xFFFF);
  CHECK(parse(&m, 9, V4Q) == PF_DNS_FAIL);
  /* rdata pointing into itself past its start would be forward: a pointer to rdata's own start */
  head(&m, 9, 0, 1, V4Q, PF_DNS_PTR);
  put16(&m, 0xC00C);
  rrfix(&m, PF_DNS_PTR, PF_DNS_IN, 2);
  put16(&m, 0xC000 | (unsigned)m.n);
  CHECK(parse(&m, 9, V4Q) == PF_DNS_FAIL);
  /* the label types 01 and 10 (extended, obsolete) */
  head(&m, 9, 0, 1, V4Q, PF_DNS_PTR);
  put16(&m, 0xC00C);
  rrfix(&m, PF_DNS_PTR, PF_DNS_IN, 3);
  put8(&m, 0x41); put8(&m, 'x'); put8(&m, 0);
  CHECK(parse(&m, 9, V4Q) == PF_DNS_FAIL);
  m.b[m.n - 3] = 0x81;
  CHECK(parse(&m, 9, V4Q) == PF_DNS_FAIL);
}

static void test_truncated(void) {
  msg m, cut;
  head(&m, 0xBEEF, 0, 1, V4Q, PF_DNS_PTR);
  put16(&m, 0xC00C);
  rrfix(&m, PF_DNS_PTR, PF_DNS_IN, 10);
  put8(&m, 3); putbytes(&m, "www", 3); put8(&m, 3); putbytes(&m, "org", 3); put8(&m, 0);
  /* rdlength said 10, the name is 9: the name must fill its rdata exactly */
  CHECK(parse(&m, 0xBEEF, V4Q) == PF_DNS_FAIL);
  m.b[m.n - 10] = 9;
  CHECK(parse(&m, 0xBEEF, V4Q) == PF_DNS_NAME && strcmp(name, "www.org") == 0);
  /* every shorter prefix: never a name, and nothing read beyond it */
  int names = 0, ignored = 0;
  for (size_t len = 0; len < m.n; len++) {
    cut = m;
    cut.n = len;
    int r = parse(&cut, 0xBEEF, V4Q);
    names += r == PF_DNS_NAME;
    ignored += r == PF_DNS_IGNORE;
  }
  CHECK(names == 0);
  CHECK(ignored == 12 + 22 + 4);   /* header, question: not an answer to us; then malformed */
  /* rdlength past the end of the message */
  head(&m, 1, 0, 1, V4Q, PF_DNS_PTR);
  put16(&m, 0xC00C);
  rrfix(&m, PF_DNS_PTR, PF_DNS_IN, 200);
  putname(&m, "x");
  CHECK(parse(&m, 1, V4Q) == PF_DNS_FAIL);
  /* the name inside rdata runs past rdlength (it would end inside the message) */
  head(&m, 1, 0, 1, V4Q, PF_DNS_PTR);
  put16(&m, 0xC00C);
  rrfix(&m, PF_DNS_PTR, PF_DNS_IN, 2);
  putname(&m, "longer");
  CHECK(parse(&m, 1, V4Q) == PF_DNS_FAIL);
  /* more answers announced than present */
  head(&m, 1, 0, 3, V4Q, PF_DNS_PTR);
  rr_name(&m, 1, "x");
  CHECK(parse(&m, 1, V4Q) == PF_DNS_FAIL);
  /* TC: no PTR in what came, the rest may have had one: a failure, not a negative answer */
  head(&m, 1, 0, 0, V4Q, PF_DNS_PTR);
  m.b[2] |= 0x02;
  CHECK(parse(&m, 1, V4Q) == PF_DNS_FAIL);
  /* an empty datagram, and no buffer at all */
  CHECK(pf_dns_parse_ptr_reply(NULL, 0, 0, V4Q, name, sizeof name) == PF_DNS_IGNORE);
}

static void test_not_ours(void) {
  msg m;
  head(&m, 0x1234, 0, 1, V4Q, PF_DNS_PTR);
  rr_name(&m, PF_DNS_PTR, "host");
  CHECK(parse(&m, 0x1235, V4Q) == PF_DNS_IGNORE);   /* wrong id */
  CHECK(parse(&m, 0x3412, V4Q) == PF_DNS_IGNORE);
  CHECK(parse(&m, 0x1234, "5.3.2.1.in-addr.arpa") == PF_DNS_IGNORE);   /* another question */
  CHECK(parse(&m, 0x1234, "3.2.1.in-addr.arpa") == PF_DNS_IGNORE);
  m.b[2] &= 0x7F;   /* a query, not a response */
  CHECK(parse(&m, 0x1234, V4Q) == PF_DNS_IGNORE);
  m.b[2] = 0x81 | (2 << 3);   /* opcode STATUS */
  CHECK(parse(&m, 0x1234, V4Q) == PF_DNS_IGNORE);
  m.b[2] = 0x81;
  m.b[5] = 2;   /* two questions */
  CHECK(parse(&m, 0x1234, V4Q) == PF_DNS_IGNORE);
  m.b[5] = 0;
  CHECK(parse(&m, 0x1234, V4Q) == PF_DNS_IGNORE);
  m.b[5] = 1;
  CHECK(parse(&m, 0x1234, V4Q) == PF_DNS_NAME);
  /* wrong qtype, wrong qclass */
  head(&m, 5, 0, 1, V4Q, 1);
  rr_name(&m, PF_DNS_PTR, "host");
  CHECK(parse(&m, 5, V4Q) == PF_DNS_IGNORE);
  head(&m, 5, 0, 1, V4Q, PF_DNS_PTR);
  m.b[m.n - 1] = 3;
  rr_name(&m, PF_DNS_PTR, "host");
  CHECK(parse(&m, 5, V4Q) == PF_DNS_IGNORE);
  /* the question cut before its type */
  head(&m, 5, 0, 0, V4Q, PF_DNS_PTR);
  m.n -= 3;
  CHECK(parse(&m, 5, V4Q) == PF_DNS_IGNORE);
}

static void test_negative(void) {
  msg m;
  head(&m, 3, 0, 0, V4Q, PF_DNS_PTR);   /* zero answers */
  CHECK(parse(&m, 3, V4Q) == PF_DNS_NONE);
  head(&m, 3, 3, 0, V4Q, PF_DNS_PTR);   /* NXDOMAIN */
  CHECK(parse(&m, 3, V4Q) == PF_DNS_NONE);
  head(&m, 3, 3, 1, V4Q, PF_DNS_PTR);   /* NXDOMAIN wins over a record */
  rr_name(&m, PF_DNS_PTR, "host");
  CHECK(parse(&m, 3, V4Q) == PF_DNS_NONE);
  head(&m, 3, 2, 0, V4Q, PF_DNS_PTR);   /* SERVFAIL */
  CHECK(parse(&m, 3, V4Q) == PF_DNS_FAIL);
  head(&m, 3, 5, 0, V4Q, PF_DNS_PTR);   /* REFUSED */
  CHECK(parse(&m, 3, V4Q) == PF_DNS_FAIL);
  /* answers that are not PTR: an A and a TXT record of our name */
  head(&m, 3, 0, 2, V4Q, PF_DNS_PTR);
  put16(&m, 0xC00C); rrfix(&m, 1, PF_DNS_IN, 4); put16(&m, 0x0102); put16(&m, 0x0304);
  put16(&m, 0xC00C); rrfix(&m, 16, PF_DNS_IN, 4); put8(&m, 3); putbytes(&m, "txt", 3);
  CHECK(parse(&m, 3, V4Q) == PF_DNS_NONE);
  /* a CNAME that leads nowhere */
  head(&m, 3, 0, 1, V4Q, PF_DNS_PTR);
  rr_name(&m, PF_DNS_CNAME, "elsewhere");
  CHECK(parse(&m, 3, V4Q) == PF_DNS_NONE);
}

static void test_oversize(void) {
  msg m;
  char label[64];
  memset(label, 'a', 63);
  label[63] = '\0';
  /* 255 bytes on the wire: 3 labels of 63, one of 61 (4 * 1 + 63 * 3 + 61 + 1 = 255) */
  char big[300];
  snprintf(big, sizeof big, "%s.%s.%s.%.61s", label, label, label, label);
  head(&m, 4, 0, 1, V4Q, PF_DNS_PTR);
  rr_name(&m, PF_DNS_PTR, big);
  CHECK(parse(&m, 4, V4Q) == PF_DNS_NAME && strcmp(name, big) == 0 && strlen(name) == 253);
  /* one byte more */
  snprintf(big, sizeof big, "%s.%s.%s.%.62s", label, label, label, label);
  head(&m, 4, 0, 1, V4Q, PF_DNS_PTR);
  rr_name(&m, PF_DNS_PTR, big);
  CHECK(parse(&m, 4, V4Q) == PF_DNS_FAIL);
  /* over 255 through pointers: each part is short, the whole is not */
  head(&m, 4, 0, 1, V4Q, PF_DNS_PTR);
  size_t at[5];
  put16(&m, 0xC00C);
  rrfix(&m, PF_DNS_PTR, PF_DNS_IN, 0);
  size_t rdl = m.n - 2, rd = m.n;
  at[0] = m.n;
  put8(&m, 63); putbytes(&m, label, 63); put8(&m, 0);   /* a first name, the end of the chain */
  for (int i = 1; i < 5; i++) {
    at[i] = m.n;
    put8(&m, 63); putbytes(&m, label, 63); put16(&m, 0xC000 | (unsigned)at[i - 1]);
  }
  m.b[rdl] = (uint8_t)((m.n - rd) >> 8);
  m.b[rdl + 1] = (uint8_t)(m.n - rd);
  /* the rdata's name starts at its first byte, so it is the short one: make the record's
     name the last one by putting a pointer first */
  CHECK(parse(&m, 4, V4Q) == PF_DNS_FAIL);   /* the name does not fill its rdata */
  head(&m, 4, 0, 2, V4Q, PF_DNS_PTR);
  put16(&m, 0xC00C);
  rrfix(&m, 99, PF_DNS_IN, 0);   /* a record of another type holds the labels */
  rdl = m.n - 2;
  rd = m.n;
  at[0] = m.n;
  put8(&m, 63); putbytes(&m, label, 63); put8(&m, 0);
  for (int i = 1; i < 5; i++) {
    at[i] = m.n;
    put8(&m, 63); putbytes(&m, label, 63); put16(&m, 0xC000 | (unsigned)at[i - 1]);
  }
  m.b[rdl] = (uint8_t)((m.n - rd) >> 8);
  m.b[rdl + 1] = (uint8_t)(m.n - rd);
  put16(&m, 0xC00C);
  rrfix(&m, PF_DNS_PTR, PF_DNS_IN, 2);
  put16(&m, 0xC000 | (unsigned)at[3]);   /* 4 labels of 63: 257 bytes */
  CHECK(parse(&m, 4, V4Q) == PF_DNS_FAIL);
  m.b[m.n - 1] = (uint8_t)at[2];          /* 3 labels: 193 bytes, a name */
  m.b[m.n - 2] = (uint8_t)(0xC0 | at[2] >> 8);
  CHECK(parse(&m, 4, V4Q) == PF_DNS_NAME && strlen(name) == 3 * 63 + 2);
  /* the longest text: 255 wire bytes of escaped bytes fit PF_DNS_NAME_TEXT */
  memset(label, 1, 63);
  head(&m, 4, 0, 1, V4Q, PF_DNS_PTR);
  put16(&m, 0xC00C);
  rrfix(&m, PF_DNS_PTR, PF_DNS_IN, 255);
  for (int i = 0; i < 3; i++) { put8(&m, 63); putbytes(&m, label, 63); }
  put8(&m, 61); putbytes(&m, label, 61); put8(&m, 0);
  CHECK(parse(&m, 4, V4Q) == PF_DNS_NAME && strlen(name) == 253 * 4 - 3 * 3);
  CHECK(strncmp(name, "\\001\\001", 8) == 0);
}

static void test_query(void) {
  char q[PF_DNS_QNAME_MAX];
  uint8_t buf[PF_DNS_QUERY_MAX];
  uint8_t a4[4] = { 192, 0, 2, 10 };
  CHECK(pf_dns_ptr_qname(AF_INET, a4, q, sizeof q) == 0 && strcmp(q, "10.2.0.192.in-addr.arpa") == 0);
  size_t n = pf_dns_build_ptr_query(0xABCD, q, buf, sizeof buf);
  static const uint8_t want4[] = {
    0xAB, 0xCD, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,
    2, '1', '0', 1, '2', 1, '0', 3, '1', '9', '2', 7, 'i', 'n', '-', 'a', 'd', 'd', 'r', 4, 'a', 'r', 'p', 'a', 0,
    0, 12, 0, 1,
  };
  CHECK(n == sizeof want4 && memcmp(buf, want4, sizeof want4) == 0);
  uint8_t a6[16];
  inet_pton(AF_INET6, "2001:db8::567:89ab", a6);
  CHECK(pf_dns_ptr_qname(AF_INET6, a6, q, sizeof q) == 0);
  CHECK(strcmp(q, "b.a.9.8.7.6.5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa") == 0);
  n = pf_dns_build_ptr_query(0x0102, q, buf, sizeof buf);
  CHECK(n == 12 + 32 * 2 + 4 + 5 + 1 + 4);
  CHECK(buf[0] == 1 && buf[1] == 2 && buf[2] == 1 && buf[5] == 1);
  CHECK(buf[12] == 1 && buf[13] == 'b' && buf[14] == 1 && buf[15] == 'a');
  CHECK(buf[12 + 64] == 3 && memcmp(buf + 12 + 65, "ip6", 3) == 0 && buf[12 + 68] == 4);
  CHECK(memcmp(buf + n - 5, "\0\0\x0c\0\x01", 5) == 0);
  /* a reply built on the query is an answer to it */
  msg m;
  memcpy(m.b, buf, n);
  m.n = n;
  m.b[2] = 0x81; m.b[3] = 0x80; m.b[7] = 1;
  rr_name(&m, PF_DNS_PTR, "v6.example");
  CHECK(parse(&m, 0x0102, q) == PF_DNS_NAME && strcmp(name, "v6.example") == 0);
  /* what the builder refuses: no such name, a buffer too small */
  CHECK(pf_dns_build_ptr_query(1, "", buf, sizeof buf) == 0);
  CHECK(pf_dns_build_ptr_query(1, "a..b", buf, sizeof buf) == 0);
  CHECK(pf_dns_build_ptr_query(1, "a.b.", buf, sizeof buf) == 0);
  CHECK(pf_dns_build_ptr_query(1, ".a", buf, sizeof buf) == 0);
  char l64[70];
  memset(l64, 'x', 64);
  l64[64] = '\0';
  CHECK(pf_dns_build_ptr_query(1, l64, buf, sizeof buf) == 0);
  l64[63] = '\0';
  CHECK(pf_dns_build_ptr_query(1, l64, buf, sizeof buf) == 12 + 65 + 4);
  CHECK(pf_dns_build_ptr_query(1, l64, buf, 12 + 65 + 3) == 0);
  char long_name[300];
  memset(long_name, 'y', sizeof long_name);
  for (int i = 50; i < 300; i += 51) long_name[i] = '.';
  long_name[254] = '\0';   /* 254 bytes of text: 256 on the wire */
  CHECK(pf_dns_build_ptr_query(1, long_name, buf, sizeof buf) == 0);
  long_name[253] = '\0';
  CHECK(pf_dns_build_ptr_query(1, long_name, buf, sizeof buf) == 12 + 255 + 4);
  /* the query name needs its room */
  char tiny[20];
  CHECK(pf_dns_ptr_qname(AF_INET6, a6, tiny, sizeof tiny) == -1 && tiny[0] == '\0');
  CHECK(pf_dns_ptr_qname(AF_UNIX, a6, q, sizeof q) == -1);
}

static int port_of(const struct sockaddr_storage *ss) {
  if (ss->ss_family == AF_INET) return ntohs(((const struct sockaddr_in *)ss)->sin_port);
  return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
}

static void test_server(void) {
  struct sockaddr_storage ss;
  socklen_t len = 0;
  char text[64];
  CHECK(pf_dns_parse_server("192.0.2.1", &ss, &len) == 0 && ss.ss_family == AF_INET && port_of(&ss) == 53);
  CHECK(len == sizeof(struct sockaddr_in));
  pf_dns_server_text(&ss, text, sizeof text);
  CHECK(strcmp(text, "192.0.2.1") == 0);
  CHECK(pf_dns_parse_server("192.0.2.1:5353", &ss, &len) == 0 && port_of(&ss) == 5353);
  CHECK(pf_dns_parse_server("[2001:db8::1]:54", &ss, &len) == 0 && ss.ss_family == AF_INET6 && port_of(&ss) == 54);
  pf_dns_server_text(&ss, text, sizeof text);
  CHECK(strcmp(text, "2001:db8::1") == 0);
  CHECK(pf_dns_parse_server("2001:db8::1", &ss, &len) == 0 && port_of(&ss) == 53);
  CHECK(pf_dns_parse_server("[::1]", &ss, &len) == 0 && port_of(&ss) == 53);
  CHECK(pf_dns_parse_server("fe80::1%eth0", &ss, &len) == 0 && ss.ss_family == AF_INET6);
  const char *bad[] = { "", "host", "192.0.2.1:0", "192.0.2.1:65536", "192.0.2.1:", "192.0.2.1:53x",
                        "[::1", "[::1]x", "[::1]:", "1.2.3", "[192.0.2.1", "::1:99999999999999999999999" };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) CHECK(pf_dns_parse_server(bad[i], &ss, &len) == -1);
  char huge[200];
  memset(huge, '1', sizeof huge - 1);
  huge[sizeof huge - 1] = '\0';
  CHECK(pf_dns_parse_server(huge, &ss, &len) == -1);
  huge[0] = '[';
  CHECK(pf_dns_parse_server(huge, &ss, &len) == -1);
}

/* resolv.conf with text in a temporary file: pf_dns_system_server's result and port. */
static int conf(const char *text, struct sockaddr_storage *ss, char *addr, size_t addrsz) {
  char path[] = "/tmp/test_resolve_XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0) return -9;
  if (write(fd, text, strlen(text)) != (ssize_t)strlen(text)) { close(fd); return -9; }
  close(fd);
  socklen_t len = 0;
  int r = pf_dns_system_server(path, ss, &len);
  unlink(path);
  if (r == 0) pf_dns_server_text(ss, addr, addrsz);
  return r;
}

static void test_resolv_conf(void) {
  struct sockaddr_storage ss;
  char a[64];
  CHECK(conf("# comment\nsearch example\nnameserver 192.0.2.53\nnameserver 192.0.2.54\n", &ss, a, sizeof a) == 0);
  CHECK(strcmp(a, "192.0.2.53") == 0 && port_of(&ss) == 53);
  CHECK(conf("  nameserver\t2001:db8::53  # v6\n", &ss, a, sizeof a) == 0 && strcmp(a, "2001:db8::53") == 0);
  CHECK(port_of(&ss) == 53);   /* the last group is not a port */
  CHECK(conf("nameserver fe80::1%eth0\n", &ss, a, sizeof a) == 0 && strcmp(a, "fe80::1") == 0);
  CHECK(conf("nameserver bogus\nnameserver 192.0.2.7\n", &ss, a, sizeof a) == 0 && strcmp(a, "192.0.2.7") == 0);
  CHECK(conf("nameserver bogus\n", &ss, a, sizeof a) == -1);
  CHECK(conf("nameservers 192.0.2.1\nnameserver\n", &ss, a, sizeof a) == 0 && strcmp(a, "127.0.0.1") == 0);
  CHECK(conf("", &ss, a, sizeof a) == 0 && strcmp(a, "127.0.0.1") == 0);
  CHECK(pf_dns_system_server("/nonexistent/resolv.conf", &ss, &(socklen_t){ 0 }) == 0);
  pf_dns_server_text(&ss, a, sizeof a);
  CHECK(strcmp(a, "127.0.0.1") == 0);
}

static int answers;
static void count_answer(void *ud, int index, int result, const char *nm) {
  (void)ud; (void)index; (void)result; (void)nm;
  answers++;
}

/* The exchange's edges without a server: nothing listens (ECONNREFUSED ends it at once),
   and an interruption. */
static void test_exchange(void) {
  struct sockaddr_storage ss;
  socklen_t len = 0;
  /* a port just closed: nothing listens there */
  int s = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in sin = { 0 };
  sin.sin_family = AF_INET;
  sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t sl = sizeof sin;
  CHECK(s >= 0 && bind(s, (struct sockaddr *)&sin, sizeof sin) == 0 &&
        getsockname(s, (struct sockaddr *)&sin, &sl) == 0);
  char spec[40];
  snprintf(spec, sizeof spec, "127.0.0.1:%u", ntohs(sin.sin_port));
  close(s);
  CHECK(pf_dns_parse_server(spec, &ss, &len) == 0);
  const char *step = NULL;
  int fd = pf_dns_open(&ss, len, &step);
  CHECK(fd >= 0);
  if (fd < 0) return;
  pf_dns_query qs[40];
  memset(qs, 0, sizeof qs);
  for (int i = 0; i < 40; i++) {
    uint8_t a[4] = { 192, 0, 2, (uint8_t)i };
    qs[i].family = AF_INET;
    memcpy(qs[i].addr, a, 4);
    pf_dns_ptr_qname(AF_INET, a, qs[i].qname, sizeof qs[i].qname);
  }
  volatile sig_atomic_t stop = 0;
  answers = 0;
  CHECK(pf_dns_exchange(fd, qs, 40, 5.0, &stop, count_answer, NULL) == PF_DNS_DONE);
  CHECK(answers == 0);
  stop = 1;
  CHECK(pf_dns_exchange(fd, qs, 40, 5.0, &stop, count_answer, NULL) == PF_DNS_EINTERRUPTED && stop == 1);
  CHECK(pf_dns_exchange(fd, qs, 0, 5.0, &stop, count_answer, NULL) == PF_DNS_DONE);
  close(fd);
}

/* A fake server in a child process: for the query of 192.0.2.i it first sends a forged
   reply (another id), then a PTR "hI" when i is even, NXDOMAIN when i % 3 == 1 and odd,
   nothing when i % 3 == 0 and odd (a timeout), SERVFAIL when i % 3 == 2 and odd. */
static void serve(int s) {
  struct timeval tv = { 2, 0 };
  setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  for (;;) {
    uint8_t q[512];
    struct sockaddr_storage from;
    socklen_t fl = sizeof from;
    ssize_t n = recvfrom(s, q, sizeof q, 0, (struct sockaddr *)&from, &fl);
    if (n < 12 + 5) _exit(0);
    int i = 0;
    for (int k = 13; k < 13 + q[12]; k++) i = i * 10 + (q[k] - '0');
    msg m;
    memcpy(m.b, q, (size_t)n);
    m.n = (size_t)n;
    m.b[2] = 0x81;
    m.b[3] = 0x80;
    m.b[1] ^= 1;   /* the forgery first */
    sendto(s, m.b, m.n, 0, (struct sockaddr *)&from, fl);
    m.b[1] ^= 1;
    if (i % 2 == 0) {
      char h[16];
      snprintf(h, sizeof h, "h%d", i);
      m.b[7] = 1;
      rr_name(&m, PF_DNS_PTR, h);
    } else if (i % 3 == 0) {
      continue;
    } else {
      m.b[3] |= i % 3 == 1 ? 3 : 2;
    }
    sendto(s, m.b, m.n, 0, (struct sockaddr *)&from, fl);
  }
}

static char got[40][8];
static void keep_answer(void *ud, int index, int result, const char *nm) {
  (void)ud;
  answers++;
  snprintf(got[index], sizeof got[index], "%s", result == PF_DNS_NAME ? nm : "-");
}

static void test_fake_server(void) {
  int s = socket(AF_INET, SOCK_DGRAM, 0);
  struct sockaddr_in sin = { 0 };
  sin.sin_family = AF_INET;
  sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t sl = sizeof sin;
  if (s < 0 || bind(s, (struct sockaddr *)&sin, sizeof sin) != 0 ||
      getsockname(s, (struct sockaddr *)&sin, &sl) != 0) {
    CHECK(!"a UDP socket on 127.0.0.1");
    return;
  }
  pid_t pid = fork();
  if (pid == 0) serve(s);
  close(s);
  struct sockaddr_storage ss;
  socklen_t len = 0;
  char spec[40];
  snprintf(spec, sizeof spec, "127.0.0.1:%u", ntohs(sin.sin_port));
  CHECK(pf_dns_parse_server(spec, &ss, &len) == 0);
  const char *step = NULL;
  int fd = pf_dns_open(&ss, len, &step);
  CHECK(fd >= 0);
  pf_dns_query qs[40];
  memset(qs, 0, sizeof qs);
  for (int i = 0; i < 40; i++) {
    uint8_t a[4] = { 192, 0, 2, (uint8_t)i };
    qs[i].family = AF_INET;
    memcpy(qs[i].addr, a, 4);
    pf_dns_ptr_qname(AF_INET, a, qs[i].qname, sizeof qs[i].qname);
  }
  memset(got, 0, sizeof got);
  answers = 0;
  volatile sig_atomic_t stop = 0;
  double t0 = (double)time(NULL);
  CHECK(pf_dns_exchange(fd, qs, 40, 0.3, &stop, keep_answer, NULL) == PF_DNS_DONE);
  CHECK((double)time(NULL) - t0 < 3);
  int bad = 0;
  for (int i = 0; i < 40; i++) {
    char want[16] = "";
    if (i % 2 == 0) snprintf(want, sizeof want, "h%d", i);
    else if (i % 3 == 1) snprintf(want, sizeof want, "-");
    if (strcmp(got[i], want) != 0) {
      fprintf(stderr, "query %d: got '%s', wanted '%s'\n", i, got[i], want);
      bad++;
    }
  }
  CHECK(bad == 0);
  CHECK(answers == 20 + 7);   /* 20 names; NXDOMAIN for 1, 7, 13, 19, 25, 31, 37 */
  close(fd);
  kill(pid, SIGTERM);
  waitpid(pid, NULL, 0);
}

int main(void) {
  test_good();
  test_compressed();
  test_pointer_loops();
  test_truncated();
  test_not_ours();
  test_negative();
  test_oversize();
  test_query();
  test_server();
  test_resolv_conf();
  test_exchange();
  test_fake_server();
  return check_report("test_resolve");
}
