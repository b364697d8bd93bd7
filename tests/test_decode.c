/* test_decode.c: the decoders and the reader on hand-built packets and files, hostile ones included. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "capture.h"
#include "check.h"
#include "decode.h"

static pf_pkt pkt;

/* Decodes one frame with every field requested; returns the packet. */
static pf_pkt *decode(int linktype, const uint8_t *d, uint32_t caplen, uint32_t len) {
  static int all[PF_NFIELDS];
  for (int i = 0; i < PF_NFIELDS; i++) all[i] = i;
  pf_decoder *dec = pf_decoder_new(all, PF_NFIELDS);
  pf_pkt_init(&pkt);
  pkt.num = 1;
  pkt.ts.secs = 1;
  pkt.ts.nsecs = 0;
  pkt.has_ts = 1;
  pkt.is_packet = 1;
  pkt.caplen = caplen;
  pkt.len = len;
  pkt.linktype = linktype;
  pkt.data = d;
  CHECK(pf_decode(dec, &pkt) == 0);
  pf_decoder_free(dec);
  return &pkt;
}

/* The text of occurrence occ of field fid, or "" when absent. */
static const char *text(const pf_pkt *p, int fid, int occ) {
  static char buf[4096];
  int k = p->first[fid];
  while (k >= 0 && occ-- > 0) k = p->vals[k].next;
  if (k < 0) return "";
  pf_val_format(fid, &p->vals[k], buf, sizeof buf);
  return buf;
}

static int count(const pf_pkt *p, int fid) {
  int n = 0;
  for (int k = p->first[fid]; k >= 0; k = p->vals[k].next) n++;
  return n;
}

/* An Ethernet + IPv4 + payload frame in buf; returns its length. */
static uint32_t eth_ipv4(uint8_t *buf, int proto, const uint8_t *l4, uint32_t l4len) {
  static const uint8_t eth[14] = { 0, 1, 2, 3, 4, 5, 0, 0x1d, 0xd9, 0x2e, 0x4f, 0x61, 0x08, 0x00 };
  memcpy(buf, eth, 14);
  uint8_t *ip = buf + 14;
  memset(ip, 0, 20);
  ip[0] = 0x45;
  ip[2] = (uint8_t)((20 + l4len) >> 8);
  ip[3] = (uint8_t)(20 + l4len);
  ip[4] = 0x1e;
  ip[5] = 0xa0;
  ip[6] = 0x40;   /* DF */
  ip[8] = 64;
  ip[9] = (uint8_t)proto;
  ip[12] = 10, ip[15] = 1;
  ip[16] = 10, ip[19] = 2;
  memcpy(ip + 20, l4, l4len);
  return 34 + l4len;
}

static void test_ipv4_udp_fields(void) {
  uint8_t udp[12] = { 0x30, 0x39, 0, 53, 0, 12, 0xab, 0xcd, 'a', 'b', 'c', 'd' };
  uint8_t f[128];
  uint32_t n = eth_ipv4(f, 17, udp, sizeof udp);
  while (n < 60) f[n++] = 0;   /* zero padding to the Ethernet minimum */
  pf_pkt *p = decode(1, f, n, n);
  CHECK(strcmp(text(p, PF_F_ETH_SRC, 0), "00:1d:d9:2e:4f:61") == 0);
  CHECK(strcmp(text(p, PF_F_ETH_TYPE, 0), "0x0800") == 0);
  CHECK(strcmp(text(p, PF_F_IP_SRC, 0), "10.0.0.1") == 0);
  CHECK(strcmp(text(p, PF_F_IP_ID, 0), "0x1ea0") == 0);
  CHECK(strcmp(text(p, PF_F_IP_FLAGS, 0), "0x02") == 0);
  CHECK(strcmp(text(p, PF_F_IP_FLAGS_DF, 0), "1") == 0);
  CHECK(strcmp(text(p, PF_F_UDP_SRCPORT, 0), "12345") == 0);
  CHECK(strcmp(text(p, PF_F_UDP_CHECKSUM, 0), "0xabcd") == 0);
  CHECK(strcmp(text(p, PF_F_UDP_STREAM, 0), "0") == 0);
  CHECK(strcmp(text(p, PF_F_ETH_PADDING, 0), "0000000000000000000000000000") == 0);
  CHECK(count(p, PF_F_ETH_TRAILER) == 0);
}

static void test_nonzero_padding_is_trailer(void) {
  uint8_t udp[8] = { 0, 1, 0, 2, 0, 8, 0, 0 };
  uint8_t f[128];
  uint32_t n = eth_ipv4(f, 17, udp, sizeof udp);
  memset(f + n, 0, 60 - n);
  f[n + 3] = 'A';
  n = 60;
  pf_pkt *p = decode(1, f, n, n);
  CHECK(count(p, PF_F_ETH_PADDING) == 0);
  CHECK(strcmp(text(p, PF_F_ETH_TRAILER, 0), "000000410000000000000000000000000000") == 0);
}

static void test_fcs_heuristic(void) {
  uint8_t udp[8] = { 0, 1, 0, 2, 0, 8, 0, 0 };
  uint8_t f[128];
  uint32_t n = eth_ipv4(f, 17, udp, sizeof udp);
  memset(f + n, 0, 60 - n);
  n = 60;
  f[n++] = 0xde, f[n++] = 0xad, f[n++] = 0xbe, f[n++] = 0xef;
  pf_pkt *p = decode(1, f, n, n);
  CHECK(count(p, PF_F_ETH_PADDING) == 1);
  CHECK(strcmp(text(p, PF_F_ETH_FCS, 0), "0xdeadbeef") == 0);
  CHECK(count(p, PF_F_ETH_TRAILER) == 0);
}

static void test_short_and_bogus_headers(void) {
  uint8_t f[64];
  memset(f, 0, sizeof f);
  pf_pkt *p = decode(1, f, 10, 10);   /* shorter than an Ethernet header */
  CHECK(count(p, PF_F_ETH_SRC) == 0);
  CHECK(strcmp(text(p, PF_F_FRAME_CAP_LEN, 0), "10") == 0);

  uint8_t l4[8] = { 0 };
  uint32_t n = eth_ipv4(f, 6, l4, 0);
  f[14] = 0x44;   /* IHL 4: a 16-byte header is bogus */
  p = decode(1, f, n, n);
  CHECK(strcmp(text(p, PF_F_IP_HDR_LEN, 0), "16") == 0);
  CHECK(count(p, PF_F_IP_SRC) == 0);

  n = eth_ipv4(f, 6, l4, 0);
  f[14] = 0x4f;   /* IHL 15: 60 bytes, past the end of the frame */
  f[16] = 0, f[17] = 80;
  p = decode(1, f, n, n);
  CHECK(strcmp(text(p, PF_F_IP_SRC, 0), "10.0.0.1") == 0);
  CHECK(count(p, PF_F_TCP_SRCPORT) == 0);

  n = eth_ipv4(f, 6, l4, 0);
  f[16] = 0, f[17] = 10;   /* total length below the header length */
  p = decode(1, f, n, n);
  CHECK(strcmp(text(p, PF_F_IP_LEN, 0), "10") == 0);
  CHECK(count(p, PF_F_IP_SRC) == 0);
}

static void test_tcp_bad_offset_and_options(void) {
  uint8_t tcp[28] = { 0x1f, 0x90, 0xc0, 0x01, 0, 0, 0, 1, 0, 0, 0, 0, 0x30, 0x02, 0xff, 0xff };
  uint8_t f[128];
  uint32_t n = eth_ipv4(f, 6, tcp, 20);
  pf_pkt *p = decode(1, f, n, n);   /* data offset 3: below the minimum */
  CHECK(strcmp(text(p, PF_F_TCP_HDR_LEN, 0), "12") == 0);
  CHECK(strcmp(text(p, PF_F_TCP_LEN, 0), "8") == 0);   /* tshark 4.0: the IP payload less the bogus 12 */
  CHECK(strcmp(p->malformed, "TCP: bogus header length 12 (at least 20) at frame byte 46") == 0);
  tcp[12] = 0x70;   /* 28 bytes: options with a zero length must not loop */
  tcp[20] = 3, tcp[21] = 0, tcp[22] = 2, tcp[23] = 1;
  n = eth_ipv4(f, 6, tcp, 28);
  p = decode(1, f, n, n);
  CHECK(strcmp(text(p, PF_F_TCP_HDR_LEN, 0), "28") == 0);
  CHECK(strcmp(text(p, PF_F_TCP_LEN, 0), "0") == 0);
  CHECK(strcmp(text(p, PF_F_TCP_FLAGS, 0), "0x0002") == 0);
  CHECK(strcmp(text(p, PF_F_TCP_SEQ, 0), "0") == 0);
}

static void test_ipv6_extension_loop(void) {
  uint8_t f[14 + 40 + 8 * 100];
  memset(f, 0, sizeof f);
  f[12] = 0x86, f[13] = 0xdd;
  uint8_t *ip6 = f + 14;
  ip6[0] = 0x60;
  ip6[4] = (8 * 100) >> 8, ip6[5] = (uint8_t)(8 * 100);
  ip6[6] = 0;   /* hop-by-hop, each pointing at another hop-by-hop */
  ip6[7] = 1;
  pf_pkt *p = decode(1, f, sizeof f, sizeof f);
  CHECK(strcmp(text(p, PF_F_IPV6_NXT, 0), "0") == 0);
  CHECK(strcmp(text(p, PF_F_IP_VERSION, 0), "6") == 0);
  CHECK(strcmp(text(p, PF_F_IPV6_SRC, 0), "::") == 0);
  CHECK(count(p, PF_F_TCP_SRCPORT) == 0 && count(p, PF_F_UDP_SRCPORT) == 0);
}

static void test_icmp_error_quotes(void) {
  uint8_t icmp[8 + 28] = { 3, 3, 0, 0, 0, 0, 0, 0 };
  uint8_t *q = icmp + 8;
  q[0] = 0x45, q[3] = 40, q[8] = 64, q[9] = 17;
  q[12] = 192, q[13] = 168, q[15] = 7;
  q[16] = 8, q[17] = 8, q[18] = 8, q[19] = 8;
  q[20] = 0x04, q[21] = 0xd2, q[22] = 0, q[23] = 53, q[25] = 20;
  uint8_t f[128];
  uint32_t n = eth_ipv4(f, 1, icmp, sizeof icmp);
  pf_pkt *p = decode(1, f, n, n);
  CHECK(count(p, PF_F_IP_SRC) == 2);
  CHECK(strcmp(text(p, PF_F_IP_SRC, 1), "192.168.0.7") == 0);
  CHECK(strcmp(text(p, PF_F_ICMP_TYPE, 0), "3") == 0);
  CHECK(strcmp(text(p, PF_F_UDP_DSTPORT, 0), "53") == 0);
}

static void test_vlan_and_qinq(void) {
  uint8_t f[64];
  memset(f, 0, sizeof f);
  f[12] = 0x88, f[13] = 0xa8, f[14] = 0, f[15] = 200, f[16] = 0x81, f[17] = 0x00;
  f[18] = 0x07, f[19] = 0xd1, f[20] = 0x08, f[21] = 0x06;
  uint8_t *arp = f + 22;
  arp[1] = 1, arp[2] = 8, arp[4] = 6, arp[5] = 4, arp[7] = 1;
  arp[14] = 172, arp[15] = 21, arp[16] = 79, arp[17] = 97;
  pf_pkt *p = decode(1, f, 64, 64);
  CHECK(strcmp(text(p, PF_F_VLAN_ID, 0), "2001") == 0);
  CHECK(strcmp(text(p, PF_F_IEEE8021AD_ID, 0), "200") == 0);
  CHECK(strcmp(text(p, PF_F_ETH_TYPE, 0), "0x88a8") == 0);
  CHECK(strcmp(text(p, PF_F_ARP_SRC_PROTO_IPV4, 0), "172.21.79.97") == 0);
  CHECK(strcmp(text(p, PF_F_ETH_PADDING, 0), "00000000000000000000") == 0);
  CHECK(strcmp(text(p, PF_F_VLAN_TRAILER, 0), "00000000") == 0);
}

/* Writes bytes to a temporary file and returns its name (static buffer). */
static const char *tmpfile_with(const uint8_t *b, size_t n) {
  static char name[64];
  strcpy(name, "/tmp/pf_test_XXXXXX");
  int fd = mkstemp(name);
  CHECK(fd >= 0);
  if (fd < 0) return name;
  CHECK(write(fd, b, n) == (ssize_t)n);
  close(fd);
  return name;
}

static void test_reader_pcap_variants(void) {
  /* version 2.2: caplen and len are swapped in every record header, as in libpcap */
  uint8_t f[24 + 16 + 4] = { 0x4d, 0x3c, 0xb2, 0xa1, 2, 0, 2, 0 };
  f[16] = 0xff, f[17] = 0xff;
  uint8_t *r = f + 24;
  r[0] = 10, r[4] = 0x80, r[5] = 0x96, r[6] = 0x98;   /* 10 s + 10,000,000 ns */
  r[8] = 100;   /* "caplen" field: really len */
  r[12] = 4;    /* "len" field: really caplen */
  const char *name = tmpfile_with(f, sizeof f);
  char err[256];
  pf_reader *rd = pf_reader_open(name, err, sizeof err);
  CHECK(rd != NULL);
  if (rd) {
    pf_pkt *p = &pkt;
    CHECK(pf_reader_next(rd, p) == 1);
    CHECK(p->caplen == 4 && p->len == 100);
    CHECK(p->ts.secs == 10 && p->ts.nsecs == 10000000);
    CHECK(pf_reader_next(rd, p) == 0);
    pf_reader_close(rd);
  }
  unlink(name);
}

static void test_reader_truncation(void) {
  uint8_t f[24 + 16 + 4 + 7] = { 0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0 };
  f[16] = 0xff, f[17] = 0xff, f[20] = 1;
  f[24 + 8] = 4, f[24 + 12] = 4;
  const char *name = tmpfile_with(f, sizeof f);
  char err[256];
  pf_reader *rd = pf_reader_open(name, err, sizeof err);
  CHECK(rd != NULL);
  if (rd) {
    CHECK(pf_reader_next(rd, &pkt) == 1);
    CHECK(pf_reader_next(rd, &pkt) == -1);
    CHECK(strcmp(pf_reader_error(rd),
                 "packet 2 at offset 44: truncated record header (7 of 16 bytes); the file was cut short") == 0);
    CHECK(pf_reader_next(rd, &pkt) == -1);
    pf_reader_close(rd);
  }
  unlink(name);
  uint8_t g[10] = "not a cap";
  name = tmpfile_with(g, sizeof g);
  CHECK(pf_reader_open(name, err, sizeof err) == NULL);
  CHECK(strcmp(err, "not a pcap or pcapng capture file") == 0);
  unlink(name);
  CHECK(pf_reader_open("/nonexistent/x.pcap", err, sizeof err) == NULL);
  CHECK(strcmp(err, "No such file or directory") == 0);
}

static void test_reader_huge_caplen(void) {
  uint8_t f[24 + 16] = { 0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0 };
  f[20] = 1;
  f[24 + 8 + 3] = 0x40;   /* caplen 1 GiB */
  f[24 + 12] = 60;
  const char *name = tmpfile_with(f, sizeof f);
  char err[256];
  pf_reader *rd = pf_reader_open(name, err, sizeof err);
  CHECK(rd != NULL);
  if (rd) {
    CHECK(pf_reader_next(rd, &pkt) == -1);
    CHECK(strstr(pf_reader_error(rd), "more than the maximum of 262144") != NULL);
    pf_reader_close(rd);
  }
  unlink(name);
}

static void put32le(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)(v >> 16), p[3] = (uint8_t)(v >> 24);
}

static void test_reader_pcapng_blocks(void) {
  /* SHB, IDB (ns resolution), custom block, EPB, bad-interface EPB */
  uint8_t f[512];
  memset(f, 0, sizeof f);
  size_t o = 0;
  put32le(f + o, 0x0a0d0d0a), put32le(f + o + 4, 28), put32le(f + o + 8, 0x1a2b3c4d);
  f[o + 12] = 1, f[o + 14] = 0;
  memset(f + o + 16, 0xff, 8);
  put32le(f + o + 24, 28);
  o += 28;
  put32le(f + o, 1), put32le(f + o + 4, 28), f[o + 8] = 1, put32le(f + o + 12, 0);
  f[o + 16] = 9, f[o + 18] = 1, f[o + 20] = 9;   /* if_tsresol = 9: nanoseconds */
  put32le(f + o + 24, 28);
  o += 28;
  put32le(f + o, 0x00000bad), put32le(f + o + 4, 20), put32le(f + o + 8, 32473), put32le(f + o + 12, 0);
  put32le(f + o + 16, 20);
  o += 20;
  put32le(f + o, 6), put32le(f + o + 4, 36), put32le(f + o + 8, 0);
  put32le(f + o + 12, 0), put32le(f + o + 16, 1500000000);   /* 1.5 s */
  put32le(f + o + 20, 4), put32le(f + o + 24, 60), memset(f + o + 28, 0xaa, 4);
  put32le(f + o + 32, 36);
  o += 36;
  put32le(f + o, 6), put32le(f + o + 4, 36), put32le(f + o + 8, 7);
  put32le(f + o + 20, 4), put32le(f + o + 24, 4);
  put32le(f + o + 32, 36);
  o += 36;
  const char *name = tmpfile_with(f, o);
  char err[256];
  pf_reader *rd = pf_reader_open(name, err, sizeof err);
  CHECK(rd != NULL);
  if (rd) {
    CHECK(pf_reader_next(rd, &pkt) == 1);
    CHECK(!pkt.is_packet && pkt.len == 4);
    CHECK(pf_reader_next(rd, &pkt) == 1);
    CHECK(pkt.is_packet && pkt.caplen == 4 && pkt.len == 60);
    CHECK(pkt.ts.secs == 1 && pkt.ts.nsecs == 500000000);
    /* the block's framing is sound: it is skipped with a warning and the file ends cleanly */
    CHECK(pf_reader_next(rd, &pkt) == 0);
    const char *w = pf_reader_warning(rd);
    CHECK(w != NULL && strcmp(w, "packet 3 at offset 112: packet for interface 7, but only 1 interface is "
                                 "described; block skipped") == 0);
    CHECK(pf_reader_warning(rd) == NULL);
    pf_reader_close(rd);
  }
  unlink(name);
}

static void test_reader_gzip(void) {
  /* the same two-record pcap, gzip-compressed: read through zlib */
  uint8_t f[24 + 2 * (16 + 4)] = { 0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0 };
  f[16] = 0xff, f[17] = 0xff, f[20] = 1;
  for (int k = 0; k < 2; k++) {
    uint8_t *r = f + 24 + k * 20;
    r[0] = (uint8_t)(7 + k), r[8] = 4, r[12] = 4;
    memset(r + 16, 0xab, 4);
  }
  char name[64];
  strcpy(name, "/tmp/pf_test_gz_XXXXXX");
  int fd = mkstemp(name);
  CHECK(fd >= 0);
  if (fd < 0) return;
  gzFile gz = gzdopen(fd, "wb");
  CHECK(gz != NULL && gzwrite(gz, f, sizeof f) == (int)sizeof f);
  gzclose(gz);
  char err[256];
  pf_reader *rd = pf_reader_open(name, err, sizeof err);
  CHECK(rd != NULL);
  if (rd) {
    CHECK(strcmp(pf_reader_format(rd), "pcap-le-usec-gzip") == 0);
    CHECK(pf_reader_next(rd, &pkt) == 1 && pkt.ts.secs == 7 && pkt.caplen == 4 && pkt.data[3] == 0xab);
    CHECK(pf_reader_next(rd, &pkt) == 1 && pkt.ts.secs == 8);
    CHECK(pf_reader_next(rd, &pkt) == 0);
    pf_reader_close(rd);
  }
  unlink(name);
}

static void test_time_arithmetic(void) {
  pf_time a = { 10, 100 }, b = { 9, 900000000 };
  pf_time d = pf_time_delta(b, a);
  char buf[64];
  pf_time_fmt_rel(buf, sizeof buf, d);
  CHECK(strcmp(buf, "-0.100000100") == 0);
  d = pf_time_delta(a, b);
  pf_time_fmt_rel(buf, sizeof buf, d);
  CHECK(strcmp(buf, "0.100000100") == 0);
  pf_time raw = { 980658802, 1882137472 };   /* a raw fraction >= 1 s prints as tshark does */
  pf_time_fmt_abs(buf, sizeof buf, raw);
  CHECK(strcmp(buf, "980658802.1882137472") == 0);
}

static void test_field_registry(void) {
  CHECK(pf_field_lookup("tcp.stream") == PF_F_TCP_STREAM);
  CHECK(pf_field_lookup("tcp.streams") == -1);
  const char *s[3];
  CHECK(pf_field_suggest("ip.scr", s, 3) == 1 && strcmp(s[0], "ip.src") == 0);
  CHECK(pf_field_suggest("zzzzzzzzzz", s, 3) == 0);
}

int main(void) {
  test_ipv4_udp_fields();
  test_nonzero_padding_is_trailer();
  test_fcs_heuristic();
  test_short_and_bogus_headers();
  test_tcp_bad_offset_and_options();
  test_ipv6_extension_loop();
  test_icmp_error_quotes();
  test_vlan_and_qinq();
  test_reader_pcap_variants();
  test_reader_truncation();
  test_reader_huge_caplen();
  test_reader_pcapng_blocks();
  test_reader_gzip();
  test_time_arithmetic();
  test_field_registry();
  return check_report("test_decode");
}
