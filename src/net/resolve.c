/* resolve.c: the DNS stub resolver of pf.resolve: PTR queries over UDP, the
   parser of their replies (bytes from the network: nothing read outside the
   datagram), /etc/resolv.conf, the exchange with a timeout. No Lua here. */
#include "resolve.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

/* ---- DNS messages ---- */

int pf_dns_ptr_qname(int family, const uint8_t *a, char *out, size_t outsz) {
  if (outsz < PF_DNS_QNAME_MAX || (family != AF_INET && family != AF_INET6)) {
    if (outsz > 0) out[0] = '\0';
    return -1;
  }
  if (family == AF_INET) {
    snprintf(out, outsz, "%u.%u.%u.%u.in-addr.arpa", a[3], a[2], a[1], a[0]);
    return 0;
  }
  static const char hex[] = "0123456789abcdef";
  size_t o = 0;
  for (int i = 15; i >= 0; i--) {   /* 64 bytes, then 9: within PF_DNS_QNAME_MAX */
    out[o++] = hex[a[i] & 15];
    out[o++] = '.';
    out[o++] = hex[a[i] >> 4];
    out[o++] = '.';
  }
  memcpy(out + o, "ip6.arpa", 9);
  return 0;
}

size_t pf_dns_build_ptr_query(uint16_t id, const char *qname, uint8_t *buf, size_t bufsz) {
  size_t qlen = strlen(qname);
  /* the wire name is the text plus one: each dot becomes a length, and a
     final length byte; then 12 of header, 4 of type and class */
  if (qlen == 0 || qlen + 1 > 254 || 12 + qlen + 2 + 4 > bufsz) return 0;
  size_t o = 0;
  buf[o++] = (uint8_t)(id >> 8);
  buf[o++] = (uint8_t)id;
  buf[o++] = 0x01;   /* RD: the server recurses for us */
  buf[o++] = 0x00;
  buf[o++] = 0; buf[o++] = 1;   /* one question */
  memset(buf + o, 0, 6);        /* no answers, authority, additional records */
  o += 6;
  const char *s = qname;
  for (;;) {
    const char *dot = strchr(s, '.');
    size_t l = dot ? (size_t)(dot - s) : strlen(s);
    if (l == 0 || l > 63) return 0;   /* an empty label (".." or a final dot) or too long a one */
    buf[o++] = (uint8_t)l;
    memcpy(buf + o, s, l);
    o += l;
    if (!dot) break;
    s = dot + 1;
  }
  buf[o++] = 0;
  buf[o++] = 0; buf[o++] = PF_DNS_PTR;
  buf[o++] = 0; buf[o++] = PF_DNS_IN;
  return o;
}

static int plain_char(uint8_t b) {
  return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') || b == '-' || b == '_';
}

static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

/* Reads the (possibly compressed) name at *off of msg[0..len) as text: labels
   joined by dots, no final dot, bytes other than letters, digits, '-' and '_'
   written as \DDD (as dig does), so a hostile server cannot put a dot inside
   a label or control characters in our output. The root is ".". Advances *off
   past the name where it starts. Returns 0, or -1 for a malformed name: past
   the end, a label type other than 0 or pointer, a name over 255 bytes, text
   longer than outsz, or a pointer that does not go back before every earlier
   jump (which rules out loops: the targets strictly decrease). */
static int read_name(const uint8_t *msg, size_t len, size_t *off, char *out, size_t outsz) {
  size_t pos = *off, end = 0, o = 0, wire = 1, limit = *off;
  int jumped = 0;
  if (outsz < 2) return -1;
  for (;;) {
    if (pos >= len) return -1;
    uint8_t l = msg[pos];
    if ((l & 0xC0) == 0xC0) {
      if (pos + 1 >= len) return -1;
      size_t ptr = ((size_t)(l & 0x3F) << 8) | msg[pos + 1];
      if (!jumped) end = pos + 2;
      jumped = 1;
      if (ptr >= limit) return -1;
      limit = ptr;
      pos = ptr;
      continue;
    }
    if (l & 0xC0) return -1;
    pos++;
    if (l == 0) break;
    if (l > len - pos) return -1;
    wire += (size_t)l + 1;
    if (wire > 255) return -1;
    if (o > 0) out[o++] = '.';   /* o + 1 < outsz: the last byte written left 4 free */
    for (size_t i = 0; i < l; i++) {
      uint8_t b = msg[pos + i];
      if (o + 5 >= outsz) return -1;
      if (plain_char(b)) out[o++] = (char)b;
      else o += (size_t)snprintf(out + o, outsz - o, "\\%03u", b);
    }
    pos += l;
  }
  if (!jumped) end = pos;
  if (o == 0) out[o++] = '.';
  out[o] = '\0';
  *off = end;
  return 0;
}

int pf_dns_parse_ptr_reply(const uint8_t *msg, size_t len, uint16_t id, const char *qname,
                           char *name, size_t namesz) {
  char buf[PF_DNS_NAME_TEXT], target[PF_DNS_NAME_TEXT];
  if (len < 12 || get16(msg) != id) return PF_DNS_IGNORE;
  if (!(msg[2] & 0x80) || ((msg[2] >> 3) & 15) != 0) return PF_DNS_IGNORE;   /* a query, or not QUERY */
  if (get16(msg + 4) != 1) return PF_DNS_IGNORE;
  size_t off = 12;
  if (read_name(msg, len, &off, buf, sizeof buf) != 0 || strcasecmp(buf, qname) != 0) return PF_DNS_IGNORE;
  if (len - off < 4 || get16(msg + off) != PF_DNS_PTR || get16(msg + off + 2) != PF_DNS_IN) return PF_DNS_IGNORE;
  off += 4;
  int rcode = msg[3] & 15, tc = (msg[2] & 0x02) != 0;
  if (rcode == 3) return PF_DNS_NONE;   /* NXDOMAIN */
  if (rcode != 0) return PF_DNS_FAIL;
  unsigned an = get16(msg + 6);
  size_t answers = off;
  snprintf(target, sizeof target, "%s", qname);
  /* each pass looks for the PTR of target, or a CNAME that moves target on */
  for (int pass = 0; pass < 9; pass++) {
    int moved = 0;
    off = answers;
    for (unsigned i = 0; i < an && !moved; i++) {
      if (read_name(msg, len, &off, buf, sizeof buf) != 0) return PF_DNS_FAIL;
      if (len - off < 10) return PF_DNS_FAIL;
      uint16_t type = get16(msg + off), cls = get16(msg + off + 2), rdlen = get16(msg + off + 8);
      off += 10;
      if (rdlen > len - off) return PF_DNS_FAIL;
      size_t rd = off, rdend = off + rdlen;
      off = rdend;
      if (cls != PF_DNS_IN || (type != PF_DNS_PTR && type != PF_DNS_CNAME) || strcasecmp(buf, target) != 0)
        continue;
      size_t p = rd;
      /* the name must lie inside rdata: read_name checks only the message */
      if (read_name(msg, rdend, &p, buf, sizeof buf) != 0 || p != rdend) return PF_DNS_FAIL;
      if (type == PF_DNS_PTR) {
        if (namesz > 0) snprintf(name, namesz, "%s", buf);
        return PF_DNS_NAME;
      }
      snprintf(target, sizeof target, "%s", buf);
      moved = 1;
    }
    if (!moved) break;
  }
  return tc ? PF_DNS_FAIL : PF_DNS_NONE;
}

/* ---- the server ---- */

int pf_dns_parse_server(const char *s, struct sockaddr_storage *ss, socklen_t *sslen) {
  char host[INET6_ADDRSTRLEN + 8];
  long port = 53;
  const char *colon = strrchr(s, ':');
  size_t n = strlen(s);
  if (s[0] == '[') {
    const char *close = strchr(s, ']');
    if (close == NULL || (size_t)(close - s - 1) >= sizeof host) return -1;
    memcpy(host, s + 1, (size_t)(close - s - 1));
    host[close - s - 1] = '\0';
    if (close[1] == ':') colon = close + 1;
    else if (close[1] != '\0') return -1;
    else colon = NULL;
  } else if (colon && strchr(s, ':') == colon) {   /* one colon: v4:port */
    if ((size_t)(colon - s) >= sizeof host) return -1;
    memcpy(host, s, (size_t)(colon - s));
    host[colon - s] = '\0';
  } else {                                         /* no colon, or a bare IPv6 address */
    if (n >= sizeof host) return -1;
    memcpy(host, s, n + 1);
    colon = NULL;
  }
  if (colon) {
    char *endp;
    errno = 0;
    port = strtol(colon + 1, &endp, 10);
    if (colon[1] == '\0' || *endp != '\0' || errno || port < 1 || port > 65535) return -1;
  }
  memset(ss, 0, sizeof *ss);
  struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
  struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;
  char *pct = strchr(host, '%');   /* fe80::1%eth0: the scope is not ours to resolve */
  if (pct) *pct = '\0';
  if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons((uint16_t)port);
    *sslen = sizeof *v4;
    return 0;
  }
  if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons((uint16_t)port);
    *sslen = sizeof *v6;
    return 0;
  }
  return -1;
}

int pf_dns_system_server(const char *path, struct sockaddr_storage *ss, socklen_t *sslen) {
  FILE *f = fopen(path, "r");
  int seen = 0;
  if (f) {
    char line[512];
    while (fgets(line, sizeof line, f)) {
      char *p = line;
      while (*p == ' ' || *p == '\t') p++;
      if (strncmp(p, "nameserver", 10) != 0 || (p[10] != ' ' && p[10] != '\t')) continue;
      p += 10;
      while (*p == ' ' || *p == '\t') p++;
      char *e = p;
      while (*e && !isspace((unsigned char)*e)) e++;
      *e = '\0';
      seen = 1;
      /* an IPv6 address has colons: bracketed, its last group is not taken for a port */
      char br[INET6_ADDRSTRLEN + 16];
      if ((size_t)snprintf(br, sizeof br, strchr(p, ':') ? "[%s]" : "%s", p) < sizeof br &&
          pf_dns_parse_server(br, ss, sslen) == 0) {
        fclose(f);
        return 0;
      }
    }
    fclose(f);
  }
  if (seen) return -1;
  return pf_dns_parse_server("127.0.0.1", ss, sslen);
}

void pf_dns_server_text(const struct sockaddr_storage *ss, char *out, size_t outsz) {
  snprintf(out, outsz, "?");
  if (ss->ss_family == AF_INET) inet_ntop(AF_INET, &((const struct sockaddr_in *)ss)->sin_addr, out, (socklen_t)outsz);
  else if (ss->ss_family == AF_INET6)
    inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ss)->sin6_addr, out, (socklen_t)outsz);
}

int pf_dns_open(const struct sockaddr_storage *ss, socklen_t sslen, const char **step) {
  int fd = socket(ss->ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    *step = "socket";
    return -1;
  }
  if (connect(fd, (const struct sockaddr *)ss, sslen) != 0) {
    int e = errno;
    close(fd);
    errno = e;
    *step = "connect";
    return -1;
  }
  return fd;
}

/* ---- the exchange ---- */

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Query ids: unpredictable, so that an off-path forger must guess them. */
static uint16_t random_id(void) {
  static uint64_t x = 0;
  if (x == 0) {
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
      if (read(fd, &x, sizeof x) != (ssize_t)sizeof x) x = 0;
      close(fd);
    }
    if (x == 0) x = (uint64_t)time(NULL) * 0x9E3779B97F4A7C15u ^ (uint64_t)getpid();
    if (x == 0) x = 1;
  }
  x ^= x >> 12; x ^= x << 25; x ^= x >> 27;
  return (uint16_t)((x * 0x2545F4914F6CDD1Du) >> 48);
}

int pf_dns_exchange(int fd, pf_dns_query *qs, int nq, double timeout, volatile sig_atomic_t *interrupted,
                    pf_dns_answer_fn *answer, void *ud) {
  int slot[PF_DNS_MAX_INFLIGHT];   /* indices of the queries in flight */
  int next = 0, inflight = 0, refused = 0;
  uint8_t pkt[PF_DNS_QUERY_MAX], resp[4096];
  char name[PF_DNS_NAME_TEXT];
  while ((next < nq && !refused) || inflight > 0) {
    if (interrupted && *interrupted) return PF_DNS_EINTERRUPTED;
    double now = now_s();
    while (inflight < PF_DNS_MAX_INFLIGHT && next < nq && !refused) {
      pf_dns_query *q = &qs[next++];
      /* an id no query in flight has, so answers cannot be mixed up */
      int clash;
      do {
        q->id = random_id();
        clash = 0;
        for (int k = 0; k < inflight; k++) clash |= qs[slot[k]].id == q->id;
      } while (clash);
      size_t qlen = pf_dns_build_ptr_query(q->id, q->qname, pkt, sizeof pkt);
      if (qlen == 0) continue;                    /* not a name we can ask: a failure */
      if (send(fd, pkt, qlen, 0) < 0) {
        if (errno == ECONNREFUSED) refused = 1;   /* an earlier query met a closed port */
        continue;                                 /* a failure: no answer */
      }
      q->deadline = now + timeout;
      slot[inflight++] = (int)(q - qs);
    }
    if (inflight == 0) continue;
    double first = qs[slot[0]].deadline;
    for (int k = 1; k < inflight; k++)
      if (qs[slot[k]].deadline < first) first = qs[slot[k]].deadline;
    int ms = first <= now ? 0 : (int)ceil((first - now) * 1000.0);
    if (ms > 100) ms = 100;   /* wake for Ctrl-C */
    struct pollfd pfd = { fd, POLLIN, 0 };
    if (poll(&pfd, 1, ms) < 0 && errno != EINTR) return PF_DNS_EPOLL;
    for (;;) {   /* every datagram waiting */
      ssize_t got = recv(fd, resp, sizeof resp, 0);
      if (got < 0) {
        if (errno == ECONNREFUSED) refused = 1;
        break;
      }
      if (got < 2) continue;
      for (int k = 0; k < inflight; k++) {
        int j = slot[k];
        if (qs[j].id != get16(resp)) continue;
        int r = pf_dns_parse_ptr_reply(resp, (size_t)got, qs[j].id, qs[j].qname, name, sizeof name);
        if (r == PF_DNS_IGNORE) break;
        slot[k] = slot[--inflight];
        if (r == PF_DNS_FAIL) break;   /* no answer */
        answer(ud, j, r, r == PF_DNS_NAME ? name : NULL);
        break;
      }
    }
    if (refused) break;   /* nothing listens at the server: the rest would fail alike */
    now = now_s();
    for (int k = 0; k < inflight;)   /* timed out: no answer */
      if (now >= qs[slot[k]].deadline) slot[k] = slot[--inflight];
      else k++;
  }
  return PF_DNS_DONE;
}
