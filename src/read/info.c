/* info.c: `pktframe info`: one pass over a capture for capinfos' numbers and a protocol summary. */
#include "info.h"

#include <pcap/pcap.h>
#include <string.h>
#include <time.h>

#include "capture.h"

/* Only presence is looked at: the decoder stops at the transport layer. */
/* ip.src, not ip.version: tshark (and pktframe) give IPv6 packets an ip.version of 6 too */
static const int info_fids[] = { PF_F_IP_SRC, PF_F_IPV6_SRC, PF_F_TCP_SRCPORT, PF_F_UDP_SRCPORT };

static void count(pf_info_count *c, uint32_t len) {
  c->packets++;
  c->bytes += len;
}

/* pf_sink_fn: never stops the scan. */
static int info_sink(void *ud, const pf_pkt *p) {
  pf_info *inf = (pf_info *)ud;
  inf->records++;
  if (!p->is_packet) return 0;
  count(&inf->all, p->len);
  inf->captured += p->caplen;
  if (p->has_ts) {
    if (!inf->has_time) {
      inf->first = inf->last = inf->prev = p->ts;
      inf->has_time = 1;
      inf->time_ordered = 1;
    } else {
      if (pf_time_cmp(p->ts, inf->first) < 0) inf->first = p->ts;
      if (pf_time_cmp(p->ts, inf->last) > 0) inf->last = p->ts;
      if (pf_time_cmp(p->ts, inf->prev) < 0) inf->time_ordered = 0;
      inf->prev = p->ts;
    }
  }
  int i;
  for (i = 0; i < inf->nlinktypes; i++)
    if (inf->linktype[i] == p->linktype) break;
  if (i == inf->nlinktypes) {
    if (inf->nlinktypes < PF_INFO_MAXLT) inf->linktype[inf->nlinktypes++] = p->linktype;
    else i = PF_INFO_MAXLT - 1;
  }
  inf->linktype_packets[i]++;
  int v4 = p->first[PF_F_IP_SRC] >= 0, v6 = p->first[PF_F_IPV6_SRC] >= 0;
  if (!v4 && !v6) {
    count(&inf->non_ip, p->len);
    return 0;
  }
  count(&inf->ip, p->len);
  if (v4) count(&inf->ipv4, p->len);
  if (v6) count(&inf->ipv6, p->len);
  if (p->first[PF_F_TCP_SRCPORT] >= 0) count(&inf->tcp, p->len);
  else if (p->first[PF_F_UDP_SRCPORT] >= 0) count(&inf->udp, p->len);
  else count(&inf->other_ip, p->len);
  return 0;
}

int pf_info_scan(const char *path, const pf_scan_opts *so, pf_info *inf, pf_diag *diag,
                 char *err, size_t errlen) {
  memset(inf, 0, sizeof *inf);
  char rerr[256];
  pf_reader *r = pf_reader_open(path, rerr, sizeof rerr);
  if (r == NULL) {
    snprintf(err, errlen, "%s: %s", path, rerr);
    return PF_SCAN_ERROR;
  }
  snprintf(inf->format, sizeof inf->format, "%s", pf_reader_format(r));
  inf->file_size = pf_reader_file_size(r);
  pf_reader_close(r);
  pf_scan_opts o = { NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, 0 };
  if (so) {
    o.interrupted = so->interrupted;
    o.progress = so->progress;
    o.progress_ud = so->progress_ud;
  }
  const char *paths[1] = { path };
  int nf = (int)(sizeof info_fids / sizeof info_fids[0]);
  return pf_scan(paths, 1, info_fids, nf, &o, info_sink, inf, diag, err, errlen);
}

/* "pcap-le-usec-gzip" as words. */
static void format_text(char *out, size_t n, const char *f) {
  int ng = strncmp(f, "pcapng", 6) == 0;
  snprintf(out, n, "%s%s%s%s%s", ng ? "pcapng" : "pcap",
           ng ? "" : strstr(f, "nsec") ? ", nanosecond timestamps" : ", microsecond timestamps",
           strstr(f, "-be") ? ", big-endian" : ", little-endian",
           strstr(f, "modified") ? ", modified (Kuznetzov) format" : "",
           strstr(f, "gzip") ? ", gzip-compressed" : "");
}

/* "Ethernet (1, EN10MB)" */
static void linktype_text(char *out, size_t n, int lt) {
  if (lt < 0) {
    snprintf(out, n, "none (pcapng records that are not packets)");
    return;
  }
  /* files carry LINKTYPE numbers; libpcap names DLTs, equal but for raw IP */
  int dlt = lt == 101 ? DLT_RAW : lt;
  const char *name = pcap_datalink_val_to_name(dlt);
  const char *desc = pcap_datalink_val_to_description(dlt);
  if (name && desc) snprintf(out, n, "%s (%d, %s)", desc, lt, name);
  else snprintf(out, n, "link type %d", lt);
}

static void time_text(char *out, size_t n, pf_time t) {
  char epoch[64];
  pf_time_fmt_abs(epoch, sizeof epoch, t);
  time_t s = (time_t)t.secs;
  struct tm tm;
  char date[64];
  if ((int64_t)s == t.secs && t.nsecs >= 0 && t.nsecs < 1000000000 && gmtime_r(&s, &tm) != NULL &&
      strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S", &tm) > 0)
    snprintf(out, n, "%s.%09d UTC (%s)", date, (int)t.nsecs, epoch);
  else
    snprintf(out, n, "%s", epoch);
}

static void proto_line(FILE *out, const char *label, const pf_info_count *c, const pf_info_count *all) {
  double pp = all->packets ? 100.0 * (double)c->packets / (double)all->packets : 0;
  double pb = all->bytes ? 100.0 * (double)c->bytes / (double)all->bytes : 0;
  fprintf(out, "  %-12s %12llu %6.1f%% %14llu %6.1f%%\n", label, (unsigned long long)c->packets, pp,
          (unsigned long long)c->bytes, pb);
}

void pf_info_write(FILE *out, const char *path, const pf_info *inf) {
  char buf[160];
  fprintf(out, "File name:           %s\n", path);
  format_text(buf, sizeof buf, inf->format);
  fprintf(out, "File format:         %s\n", buf);
  if (inf->nlinktypes == 1) {
    linktype_text(buf, sizeof buf, inf->linktype[0]);
    fprintf(out, "Link type:           %s\n", buf);
  } else if (inf->nlinktypes > 1) {
    fprintf(out, "Link types:\n");
    for (int i = 0; i < inf->nlinktypes; i++) {
      linktype_text(buf, sizeof buf, inf->linktype[i]);
      fprintf(out, "                     %s: %llu packets%s\n", buf, (unsigned long long)inf->linktype_packets[i],
              i == PF_INFO_MAXLT - 1 ? " (and others)" : "");
    }
  }
  fprintf(out, "File size:           %llu bytes\n", (unsigned long long)inf->file_size);
  fprintf(out, "Packets:             %llu\n", (unsigned long long)inf->all.packets);
  if (inf->records != inf->all.packets)
    fprintf(out, "Other records:       %llu\n", (unsigned long long)(inf->records - inf->all.packets));
  fprintf(out, "Data size:           %llu bytes (%llu captured)\n", (unsigned long long)inf->all.bytes,
          (unsigned long long)inf->captured);
  double dur = 0;
  if (inf->has_time) {
    time_text(buf, sizeof buf, inf->first);
    fprintf(out, "First packet time:   %s\n", buf);
    time_text(buf, sizeof buf, inf->last);
    fprintf(out, "Last packet time:    %s\n", buf);
    pf_time d = pf_time_delta(inf->last, inf->first);
    pf_time_fmt_rel(buf, sizeof buf, d);
    fprintf(out, "Duration:            %s seconds\n", buf);
    fprintf(out, "Strict time order:   %s\n", inf->time_ordered ? "yes" : "no");
    dur = pf_time_to_double(d);
  }
  if (dur > 0) {
    double b = (double)inf->all.bytes, p = (double)inf->all.packets;
    fprintf(out, "Data byte rate:      %.0f bytes/s\n", b / dur);
    fprintf(out, "Data bit rate:       %.0f bits/s\n", 8 * b / dur);
    fprintf(out, "Average packet rate: %.1f packets/s\n", p / dur);
  }
  if (inf->all.packets)
    fprintf(out, "Average packet size: %.2f bytes\n", (double)inf->all.bytes / (double)inf->all.packets);
  fprintf(out, "%-14s %12s %7s %14s %7s\n", "Protocols:", "packets", "%", "bytes", "%");
  proto_line(out, "all", &inf->all, &inf->all);
  proto_line(out, "IP", &inf->ip, &inf->all);
  proto_line(out, "  IPv4", &inf->ipv4, &inf->all);
  proto_line(out, "  IPv6", &inf->ipv6, &inf->all);
  proto_line(out, "TCP", &inf->tcp, &inf->all);
  proto_line(out, "UDP", &inf->udp, &inf->all);
  proto_line(out, "other IP", &inf->other_ip, &inf->all);
  proto_line(out, "non-IP", &inf->non_ip, &inf->all);
}
