/* dissect_app.c: which application dissector tshark 4.0 gives a UDP or TCP payload (port
   tables, conversation and heuristic dissectors) and the per-stream state. */
#include <stdlib.h>
#include <string.h>

#include "app.h"

/* ---- port registries ----
   tshark's "udp.port" and "tcp.port" dissector tables (tshark -G decodes, 4.0.17):
   every registered port, marked with the dissectors pktframe implements, so that
   the lower-port-first rule picks the same dissector tshark does. */
enum { P_NONE = 0, P_OTHER, P_DNS, P_DHCP, P_SSDP, P_HTTP, P_TLS, P_MYSQL };
enum { R_HTTP = 1, R_TLS = 2, R_DNS = 4 };
typedef struct port_entry { uint16_t port; uint8_t proto, rejects; } port_entry;
#include "app_ports.inc"   /* generated from tshark -G decodes */

/* The entry of a registered port, or NULL. */
static const port_entry *port_find(const port_entry *t, size_t n, uint16_t port) {
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (t[mid].port < port) lo = mid + 1;
    else if (t[mid].port > port) hi = mid;
    else return &t[mid];
  }
  return NULL;
}
#define TCP_PORT(p) port_find(tcp_ports, sizeof tcp_ports / sizeof tcp_ports[0], (p))
#define UDP_PORT(p) port_find(udp_ports, sizeof udp_ports / sizeof udp_ports[0], (p))

/* tshark's "tls.port" table (ssl_associations): a segment from one of these
   ports is from the server until a ClientHello says who the server is */
static int tls_assoc_port(uint16_t p) {
  static const uint16_t ports[] = { 324, 443, 465, 636, 802, 853, 993, 995, 1300, 2221, 2443,
                                    3249, 3250, 3251, 3252, 3389, 3496, 5061, 5671, 5684,
                                    5868, 8883, 11207, 19999, 27017 };
  for (size_t i = 0; i < sizeof ports / sizeof ports[0]; i++)
    if (ports[i] == p) return 1;
  return 0;
}

/* ---- per-stream state ---- */

/* The per-conversation state of the dissectors. A CONNECT tunnel gets its own:
   tshark looks its conversation up with the tunnel's port in place of the
   server's. */
typedef struct app_scope {
  int conv_proto;            /* dissector set on the conversation (heuristic, STARTTLS) */
  uint64_t conv_from;        /* ... from this frame on */
  pf_http_conv http;
  pf_tls_conv tls;
} app_scope;

typedef struct app_stream {
  uint8_t a_addr[16];        /* side 0: the first sender seen */
  uint16_t a_port;
  uint16_t server_port;      /* tcpd->server_port: from the SYN (0 unknown) */
  uint32_t sack_delivered[2];
  uint8_t sack_n[2];
  pf_tcpflow *flow[2];
  app_scope outer;
  app_scope *tunnel;         /* after CONNECT and 200 */
} app_stream;

struct pf_app {
  app_stream **streams;      /* by tcp.stream */
  size_t nstreams;
  uint8_t *udp_conv;         /* by UDP conversation: the dissector a heuristic set on it (U_*) */
  size_t nudp;
  pf_tcppool *pool;          /* the reassembly's memory budget */
};

struct pf_app *pf_app_new(void) {
  struct pf_app *a = calloc(1, sizeof(struct pf_app));
  if (a == NULL) return NULL;
  a->pool = pf_tcppool_new(PF_TCPPOOL_LIMIT);
  if (a->pool == NULL) {
    free(a);
    return NULL;
  }
  return a;
}

static void stream_free(app_stream *st) {
  if (st == NULL) return;
  pf_tcpflow_free(st->flow[0]);
  pf_tcpflow_free(st->flow[1]);
  pf_tls_conv_free(&st->outer.tls);
  if (st->tunnel) pf_tls_conv_free(&st->tunnel->tls);
  free(st->tunnel);
  free(st);
}

void pf_app_free(struct pf_app *a) {
  if (a == NULL) return;
  for (size_t i = 0; i < a->nstreams; i++) stream_free(a->streams[i]);
  free(a->streams);
  free(a->udp_conv);
  pf_tcppool_free(a->pool);
  free(a);
}

static app_stream *stream_get(pf_dctx *c, const pf_tcpseg *s) {
  struct pf_app *a = c->app;
  if (s->stream >= a->nstreams) {
    size_t n = a->nstreams ? a->nstreams : 64;
    while (n <= s->stream) n *= 2;
    app_stream **ns = realloc(a->streams, n * sizeof *ns);
    if (ns == NULL) { c->oom = 1; return NULL; }
    memset(ns + a->nstreams, 0, (n - a->nstreams) * sizeof *ns);
    a->streams = ns;
    a->nstreams = n;
  }
  app_stream *st = a->streams[s->stream];
  if (st == NULL) {
    st = calloc(1, sizeof *st);
    if (st == NULL) { c->oom = 1; return NULL; }
    memcpy(st->a_addr, s->src, s->af == 6 ? 16 : 4);
    st->a_port = s->sport;
    a->streams[s->stream] = st;
  }
  return st;
}

static int stream_side(const app_stream *st, const pf_tcpseg *s) {
  return !(s->sport == st->a_port && memcmp(st->a_addr, s->src, s->af == 6 ? 16 : 4) == 0);
}

/* data.data over a whole TCP buffer */
static void data_vbuf(pf_dctx *c, const pf_vbuf *b) { pf_app_data(c, b, 0, b->len); }

/* ---- UDP ---- */

/* tshark's DNS heuristic over UDP (dns_udp): a plain query or a small response
   whose counts fit the payload */
static int dns_heuristic(const uint8_t *d, uint32_t len, uint32_t rlen) {
  if (rlen <= 12 || len < 12) return 0;
  uint16_t flags = pf_get16(d + 2);
  if (flags & 0x7800) return 0;   /* opcode */
  uint32_t quest = pf_get16(d + 4), ans = pf_get16(d + 6), auth = pf_get16(d + 8), add = pf_get16(d + 10);
  if (!(flags & 0x8000)) {
    if (quest != 1 || ans != 0 || auth != 0) return 0;
  } else {
    if (quest > 1 || ans > 10 || auth > 10) return 0;
  }
  if (add > 10) return 0;
  if (quest + ans == 0) return 0;
  return quest * 6 + (ans + auth + add) * 11 <= rlen - 12;
}

/* The dissector for one registered port; 1 when it took the datagram. */
static int udp_try(pf_dctx *c, const port_entry *e, const uint8_t *d, uint32_t len, uint32_t rlen) {
  if (e == NULL) return 0;
  /* some port dissectors turn down what looks like DNS (it then goes to the
     DNS heuristic) */
  if ((e->rejects & R_DNS) && dns_heuristic(d, len, rlen)) return 0;
  switch (e->proto) {
    case P_DNS:
      pf_dns_dissect_kind(c, d, len, rlen, e->port == 5353 ? PF_DNS_MDNS : e->port == 5355 ? PF_DNS_LLMNR : PF_DNS_PLAIN);
      if (e->port == 5353 || e->port == 5355) {   /* tshark's mdns and llmnr: DNS fields, another protocol */
        c->p->protos &= ~((uint64_t)1 << PF_P_DNS);
        c->p->protos |= (uint64_t)1 << (e->port == 5353 ? PF_P_MDNS : PF_P_LLMNR);
      }
      return 1;
    case P_DHCP: pf_dhcp_dissect(c, d, len, rlen); return 1;
    case P_SSDP: {
      pf_http_conv hc;
      memset(&hc, 0, sizeof hc);
      pf_vbuf b = pf_vbuf_flat(d, len, rlen);
      pf_deseg req = { 0, 0, 0, 0, 0 };
      int had = (c->p->protos >> PF_P_HTTP) & 1;
      pf_http_dissect(c, &hc, &b, 0, 0, &req);
      if (!had && (c->p->protos >> PF_P_HTTP & 1)) {   /* tshark's ssdp: HTTP fields, another protocol */
        c->p->protos &= ~((uint64_t)1 << PF_P_HTTP);
        c->p->protos |= (uint64_t)1 << PF_P_SSDP;
      }
      return 1;
    }
    default: return 1;   /* another protocol */
  }
}

/* dissect_quic_heur: a long header (or a short one, when it goes on a QUIC
   conversation: see pf_app_udp) with a version of draft 11 or later and
   connection id lengths of at most 20 */
static int quic_heuristic(const uint8_t *d, uint32_t len) {
  if (len < 13 || !(d[0] & 0x80)) return 0;
  uint32_t v = pf_get32(d + 1);
  int draft = 0;
  if ((v >> 8) == 0xff0000) draft = (uint8_t)v;
  else if (v == 0xfaceb001 || v == 0xfaceb002 || v == 0xfaceb00e || v == 0x51303530 || v == 0x54303530 ||
           v == 0x54303531 || (v & 0x0f0f0f0f) == 0x0a0a0a0a || v == 0x00000001 || v == 0x709a50c4)
    draft = 22;
  if (draft < 11) return 0;
  uint32_t off = 5;
  if (d[off] > 20) return 0;
  off += 1u + d[off];
  if (off >= len) return 0;
  return d[off] <= 20;
}

/* dissect_gquic_heur: public flags with the version bit and "Q0" where the
   version goes (after the 8-byte connection id when there is one), or a Q046+
   long header */
static int gquic_heuristic(const uint8_t *d, uint32_t len) {
  if (len < 1) return 0;
  uint8_t f = d[0];
  if (!(f & 0x80) && (f & 0x01)) {
    uint32_t off = 1 + ((f & 0x08) ? 8u : 0u);
    return len >= off + 4 && d[off] == 'Q' && d[off + 1] == '0';
  }
  if ((f & 0x40) && (f & 0x80)) return len >= 5 && d[1] == 'Q' && d[2] == '0';
  return 0;
}

/* dissect_rpc_heur for a call: message type 0, RPC version 2, a program tshark
   has a dissector for (the common ONC RPC ones). A reply is taken only when
   tshark matched its call, which pktframe does not follow: replies are left
   out (they then show as data, as they do in the corpus when the call went
   unmatched). */
static int rpc_call_heuristic(const uint8_t *d, uint32_t len) {
  static const uint32_t progs[] = { 100000, 100001, 100002, 100003, 100004, 100005, 100007, 100008, 100009,
                                    100011, 100012, 100017, 100020, 100021, 100024, 100026, 100028, 100029,
                                    100069, 100083, 100099, 100227, 100300, 100301, 150001, 300019, 395650 };
  if (len < 24 || pf_get32(d + 4) != 0 || pf_get32(d + 8) != 2) return 0;
  uint32_t prog = pf_get32(d + 12);
  for (size_t i = 0; i < sizeof progs / sizeof progs[0]; i++)
    if (progs[i] == prog) return 1;
  return 0;
}

enum { U_NONE = 0, U_QUIC, U_GQUIC };

/* The dissector set on UDP conversation st (U_NONE when st < 0). */
static int udp_conv_get(const struct pf_app *a, int64_t st) {
  return st >= 0 && (size_t)st < a->nudp ? a->udp_conv[st] : U_NONE;
}

static void udp_conv_set(pf_dctx *c, int64_t st, int proto) {
  struct pf_app *a = c->app;
  if (st < 0) return;
  if ((size_t)st >= a->nudp) {
    size_t n = a->nudp ? a->nudp : 256;
    while (n <= (size_t)st) n *= 2;
    uint8_t *nu = realloc(a->udp_conv, n);
    if (nu == NULL) { c->oom = 1; return; }
    memset(nu + a->nudp, 0, n - a->nudp);
    a->udp_conv = nu;
    a->nudp = n;
  }
  a->udp_conv[st] = (uint8_t)proto;
}

void pf_app_udp(pf_dctx *c, int af, const uint8_t *src, const uint8_t *dst, uint16_t sport, uint16_t dport,
                const uint8_t *d, uint32_t len, uint32_t rlen) {
  if (c->depth < PF_LY_APP || c->in_error || c->app == NULL) return;
  /* tshark tries the conversation's dissector (set by a heuristic), the lower
     port, then the higher, then the heuristics */
  int64_t st = -1;
  if (c->conv) {
    st = pf_conv_udp(c->conv, af, src, dst, sport, dport);
    if (st < 0) { c->oom = 1; return; }
  }
  if (udp_conv_get(c->app, st) != U_NONE) return;   /* QUIC's or gQUIC's: no fields of ours */
  uint16_t lo = sport < dport ? sport : dport, hi = sport < dport ? dport : sport;
  if (lo && udp_try(c, UDP_PORT(lo), d, len, rlen)) return;
  if (hi && udp_try(c, UDP_PORT(hi), d, len, rlen)) return;
  /* in the order tshark -G heuristic-decodes lists them for udp */
  if (rpc_call_heuristic(d, len)) return;
  if (quic_heuristic(d, len)) { udp_conv_set(c, st, U_QUIC); return; }
  if (gquic_heuristic(d, len)) { udp_conv_set(c, st, U_GQUIC); return; }
  if (dns_heuristic(d, len, rlen)) pf_dns_dissect(c, d, len, rlen);
  else pf_dissect_data(c, d, len);   /* no port or heuristic dissector took it */
}

/* ---- TCP ---- */

/* What one TCP payload dispatch needs (tshark's decode_tcp_ports inputs). */
typedef struct tcp_ctx {
  pf_dctx *c;
  app_stream *st;
  const pf_tcpseg *s;
  app_scope *sc;           /* the conversation state in use */
  uint16_t sport, dport;   /* the ports dispatched on (the tunnel's port inside one) */
  int side;
  int fin;
  int in_tunnel;           /* depth inside CONNECT tunnels */
} tcp_ctx;

/* MySQL (no fields of ours) only matters for its STARTTLS: a client's login
   request that stops after the fixed part with CLIENT_SSL set asks for TLS,
   which tshark's mysql dissector hands the conversation to from the next
   frame on (ssl_starttls_ack). */
static void mysql_starttls(tcp_ctx *t, const pf_vbuf *b) {
  if (t->dport != 3306) return;
  const uint8_t *d = pf_vbuf_span(b, 0, b->len);
  if (d == NULL || b->len != 36) return;
  uint32_t plen = (uint32_t)(d[0] | d[1] << 8 | d[2] << 16);
  if (plen != 32 || d[3] != 1) return;
  if (!((d[4] | d[5] << 8) & 0x0800)) return;
  t->sc->conv_proto = P_TLS;
  t->sc->conv_from = t->s->frame + 1;
}

/* The first bytes of b (as the heuristics see them). */
static const uint8_t *first_bytes(const pf_vbuf *b, uint32_t *n) {
  const uint8_t *d = pf_vbuf_span(b, 0, b->len);
  *n = b->len;
  if (d == NULL) { d = b->head; *n = b->head_len; }
  return d;
}

static void decode_ports(tcp_ctx *t, const pf_vbuf *b, uint16_t server_port, int can_desegment,
                         pf_deseg *req);

/* After a CONNECT and its 200 response the stream is a tunnel: tshark's
   http_payload_subdissector hands the data to the dissectors of the port in the
   request URI (unless that is an HTTP port), in place of the server's port. */
static void http_tunnel(tcp_ctx *t, const pf_vbuf *b, int can_desegment, pf_deseg *req) {
  pf_http_conv *hc = &t->sc->http;
  if (!hc->uri_has_port) return;
  if (hc->tunnel_side == 0) hc->tunnel_side = (t->side ^ 1) + 1;   /* the first packet goes to the server */
  long up = hc->uri_port;
  static const long http_ports[] = { 80, 3128, 3132, 5985, 8080, 8088, 11371, 1900, 2869, 2710 };
  for (size_t i = 0; i < sizeof http_ports / sizeof http_ports[0]; i++)
    if (up == http_ports[i]) {   /* the data dissector */
      data_vbuf(t->c, b);
      return;
    }
  app_stream *st = t->st;
  int from_server = t->side == hc->tunnel_side - 1;
  /* the conversation tshark finds with the tunnel's port: the stream's own when
     that port is the server's real one */
  app_scope *sc;
  if ((from_server ? t->sport : t->dport) == up) {
    sc = t->sc;
  } else {
    if (st->tunnel == NULL) {
      st->tunnel = calloc(1, sizeof *st->tunnel);
      if (st->tunnel == NULL) { t->c->oom = 1; return; }
    }
    sc = st->tunnel;
  }
  /* a conversation whose dissector is HTTP (set by the heuristic) gets the data
     dissector, against endless recursion (conversation_dissector_is_http) */
  if (sc->conv_proto == P_HTTP && t->s->frame >= sc->conv_from) {
    data_vbuf(t->c, b);
    return;
  }
  tcp_ctx in = *t;
  in.sc = sc;
  in.in_tunnel = t->in_tunnel + 1;
  /* a port outside 0..65535 matches no table entry */
  long sp = from_server ? up : t->sport, dp = from_server ? t->dport : up;
  in.sport = (sp >= 0 && sp <= 65535) ? (uint16_t)sp : 0;
  in.dport = (dp >= 0 && dp <= 65535) ? (uint16_t)dp : 0;
  decode_ports(&in, b, 0, can_desegment, req);
}

/* DNS over TCP: tshark's tcp_dissect_pdus with a 2-byte length before each
   message (an exception inside one message does not stop the next). */
static void dns_tcp(tcp_ctx *t, const pf_vbuf *b, int can_desegment, pf_deseg *req) {
  uint32_t off = 0;
  while (off < b->rlen) {
    uint32_t cap = b->len > off ? b->len - off : 0;
    if (cap == 0) { req->exception = 1; return; }
    if (can_desegment && cap < 2) { req->offset = off; req->len = PF_DESEG_ONE_MORE; req->keep = 0; return; }
    int h = pf_vbuf_byte(b, off), l = pf_vbuf_byte(b, off + 1);
    if (h < 0 || l < 0) { req->exception = 1; return; }
    uint32_t plen = (uint32_t)(h << 8 | l) + 2;
    if (can_desegment && cap < plen) { req->offset = off; req->len = plen - cap; req->keep = 0; return; }
    uint32_t n = cap < plen ? cap : plen;
    const uint8_t *d = pf_vbuf_span(b, off, n);
    if (d) pf_dns_dissect(t->c, d + 2, n - 2, plen - 2);
    off += plen;
  }
}

/* One dissector; returns 1 when it took the payload. */
static int try_proto(tcp_ctx *t, int proto, const pf_vbuf *b, int can_desegment, pf_deseg *req) {
  switch (proto) {
    case P_HTTP: {
      pf_http_conv *hc = &t->sc->http;
      if (hc->response_code == 200 && strcmp(hc->request_method, "CONNECT") == 0 && hc->have_request_uri) {
        /* a tunnel inside the tunnel: tshark recurses (until a conversation
           turns out to be HTTP, or its recursion limit raises an exception) */
        if (t->in_tunnel > 8) { req->exception = 1; return 1; }
        http_tunnel(t, b, can_desegment, req);
        return 1;
      }
      pf_http_dissect(t->c, hc, b, can_desegment, t->fin, req);
      return 1;
    }
    case P_TLS:
      return pf_tls_dissect(t->c, &t->sc->tls, t->side,
                            memcmp(t->s->src, t->s->dst, t->s->af == 6 ? 16 : 4) == 0,
                            tls_assoc_port(t->sport), b, can_desegment, req);
    case P_MYSQL: mysql_starttls(t, b); return 1;
    case P_DNS: dns_tcp(t, b, can_desegment, req); return 1;
    case P_OTHER: return 1;   /* another protocol's dissector: no fields of ours */
    default: return 0;
  }
}

/* A registered port's dissector; 1 when it took the payload. Some turn down
   what one of the heuristics would take (tshark then goes on). */
static int try_port(tcp_ctx *t, const port_entry *e, const pf_vbuf *b, int can_desegment, pf_deseg *req) {
  if (e == NULL) return 0;
  if (e->proto == P_OTHER && (e->rejects & (R_HTTP | R_TLS))) {
    uint32_t n;
    const uint8_t *d = first_bytes(b, &n);
    if ((e->rejects & R_TLS) && pf_tls_heuristic(d, n)) return 0;
    if ((e->rejects & R_HTTP) && pf_http_heuristic(d, n)) return 0;
    /* a dissector that turned down both probes checks what it is given (as
       5co_legacy on 8010 does): what pktframe cannot tell it would take, it
       is taken to refuse, so the payload goes on to the heuristics and data */
    if ((e->rejects & (R_HTTP | R_TLS)) == (R_HTTP | R_TLS)) return 0;
  }
  return try_proto(t, e->proto, b, can_desegment, req);
}

/* decode_tcp_ports after its analysis checks: the conversation's dissector, the
   server port, the lower port, the higher port, the heuristics. */
static void decode_ports(tcp_ctx *t, const pf_vbuf *b, uint16_t server_port, int can_desegment,
                         pf_deseg *req) {
  app_scope *sc = t->sc;
  uint64_t frame = t->s->frame;
  if (sc->conv_proto && frame >= sc->conv_from) {
    if (try_proto(t, sc->conv_proto, b, can_desegment, req)) return;
    req->offset = req->len = req->keep = 0;
  }
  uint16_t lo = t->sport < t->dport ? t->sport : t->dport;
  uint16_t hi = t->sport < t->dport ? t->dport : t->sport;
  uint16_t order[3] = { server_port, lo, hi };
  for (int i = 0; i < 3; i++) {
    if (order[i] == 0) continue;
    if (try_port(t, TCP_PORT(order[i]), b, can_desegment, req)) return;
    req->offset = req->len = req->keep = 0;
  }
  /* heuristic dissectors: tshark's list runs TLS before HTTP; the one that
     takes the payload becomes the conversation's dissector */
  uint32_t n;
  const uint8_t *d = first_bytes(b, &n);
  if (pf_tls_heuristic(d, n)) {
    sc->conv_proto = P_TLS;
    sc->conv_from = frame;
    try_proto(t, P_TLS, b, can_desegment, req);
    return;
  }
  if (pf_http_heuristic(d, n)) {
    sc->conv_proto = P_HTTP;
    sc->conv_from = frame;
    try_proto(t, P_HTTP, b, can_desegment, req);
    return;
  }
  data_vbuf(t->c, b);   /* "we don't know this; dissect it as data" */
}

/* tshark's decode_tcp_ports for one buffer (a segment or a reassembled PDU). */
static void tcp_dispatch(void *ud, const pf_vbuf *b, int can_desegment, pf_deseg *req) {
  tcp_ctx *t = ud;
  req->offset = req->len = req->keep = 0;
  req->exception = 0;
  /* keep-alives carry garbage; with tcp.no_subdissector_on_error (default on)
     retransmitted and out-of-order segments are not dissected either */
  if (t->s->analysis & (PF_TCPA_KEEP_ALIVE | PF_TCPA_RETRANSMISSION | PF_TCPA_OUT_OF_ORDER)) return;
  if (b->len == 0) return;
  decode_ports(t, b, t->st->server_port, can_desegment, req);
}

uint32_t pf_app_tcp(pf_dctx *c, const pf_tcpseg *s, int nsack, uint32_t sack_delivered,
                    const uint8_t *payload, uint32_t caplen) {
  if (c->app == NULL || !s->has_stream) return s->bytes_in_flight;
  int want_bif = pf_wants(c, PF_F_TCP_ANALYSIS_BYTES_IN_FLIGHT);
  int want_app = c->depth >= PF_LY_APP;
  if (!want_bif && !want_app) return 0;
  if (s->in_error) return 0;
  app_stream *st = c->app->nstreams > s->stream ? c->app->streams[s->stream] : NULL;
  /* streams are created lazily: for the application layer, or once a SACK shows up */
  if (st == NULL && (want_app || nsack > 0)) st = stream_get(c, s);
  uint32_t bif = s->bytes_in_flight;
  int side = st ? stream_side(st, s) : 0;
  if (st && want_bif) {
    /* tshark subtracts the SACKed ranges the other side reported last
       (tcp_analyze_sequence_number, tcp_track_bytes_in_flight) */
    uint32_t d = st->sack_delivered[side ^ 1];
    if (bif != 0 && st->sack_n[side ^ 1] > 0) {
      uint32_t synfin = (s->flags & 0x003) ? 1 : 0;
      uint32_t raw = bif + synfin - d;
      bif = (raw > 0 && raw < 2000000000u) ? raw - synfin : 0;
    }
    st->sack_n[side] = (uint8_t)nsack;
    st->sack_delivered[side] = sack_delivered;
  }
  if (!want_app || st == NULL) return bif;

  uint16_t flags = s->flags;
  if ((flags & 0x012) == 0x002 && s->full_header == 1) st->server_port = s->dport;   /* SYN */
  if ((flags & 0x012) == 0x012 && s->full_header == 1) st->server_port = s->sport;   /* SYN/ACK */
  if (s->full_header != 1) return bif;   /* tshark stopped in the header */
  if (flags & 0x004) return bif;         /* the payload of a RST is its reset cause */

  tcp_ctx t = { c, st, s, &st->outer, s->sport, s->dport, side, (flags & 0x001) != 0, 0 };
  if (st->flow[side] == NULL) {
    st->flow[side] = pf_tcpflow_new(c->app->pool);
    if (st->flow[side] == NULL) { c->oom = 1; return bif; }
  }
  pf_tcpdata td;
  td.seq = s->rel_seq;
  td.nxtseq = s->rel_seq + s->len;
  td.data = payload;
  td.len = s->len;
  td.frame = s->frame;
  td.retransmission = (s->analysis & PF_TCPA_RETRANSMISSION) != 0;
  td.spurious = (s->analysis & PF_TCPA_SPURIOUS_RETRANSMISSION) != 0;
  int whole = caplen >= s->len;
  if ((flags & 0x001) && whole && pf_tcpflow_until_fin(st->flow[side])) {
    int r = pf_tcpflow_fin(st->flow[side], &td, tcp_dispatch, &t);
    if (r < 0) c->oom = 1;
    if (r != 0) return bif;
  }
  if (s->len == 0) return bif;
  /* keep-alives never reach a dissector, but tshark shows their byte as data
     unless its reassembly takes the segment for a piece of a PDU first */
  if (s->analysis & PF_TCPA_KEEP_ALIVE) {
    if (!whole || !pf_tcpflow_in_pdu(st->flow[side], td.seq, td.nxtseq, td.frame))
      pf_dissect_data(c, payload, caplen);
    return bif;
  }
  if (whole) {
    if (pf_tcpflow_segment(st->flow[side], &td, tcp_dispatch, &t) < 0) c->oom = 1;
  } else {
    /* cut by the snapshot length: no reassembly, the dissector sees what was captured */
    pf_vbuf b = pf_vbuf_flat(payload, caplen, s->len);
    pf_deseg req = { 0, 0, 0, 0, 0 };
    tcp_dispatch(&t, &b, 0, &req);
  }
  return bif;
}
