/* test_live.c: what of live capture (src/net/live.c) runs without an interface: the
   option checks, the messages of pcap_activate's errors, the errors found before the
   capture starts (no such interface), and mkdir -p. */
#include <errno.h>
#include <math.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "live.h"

static void test_check(void) {
  pf_live_opts o = { "eth0", "out.pcap", NULL, 0, 0, 0, 0 };
  CHECK(pf_live_check(&o) == NULL);
  o.duration = 2.5; o.count = 10; o.snaplen = 96; o.bpf = "udp";
  CHECK(pf_live_check(&o) == NULL);
  o.duration = PF_LIVE_DURATION_MAX; o.snaplen = PF_LIVE_SNAPLEN_MAX;
  CHECK(pf_live_check(&o) == NULL);
  pf_live_opts bad = o;
  bad.iface = NULL;
  CHECK(pf_live_check(&bad) && strcmp(pf_live_check(&bad), "iface: string expected, got nil") == 0);
  bad = o; bad.out = NULL;
  CHECK(pf_live_check(&bad) && strcmp(pf_live_check(&bad), "out: string expected, got nil") == 0);
  bad = o; bad.iface = "";
  CHECK(pf_live_check(&bad) && strcmp(pf_live_check(&bad), "iface: empty interface name") == 0);
  bad = o; bad.out = "";
  CHECK(pf_live_check(&bad) && strcmp(pf_live_check(&bad), "out: empty path") == 0);
  double durations[] = { -1, -1e-300, PF_LIVE_DURATION_MAX * 2, NAN, INFINITY };
  for (size_t i = 0; i < sizeof durations / sizeof *durations; i++) {
    bad = o; bad.duration = durations[i];
    CHECK(pf_live_check(&bad) && strcmp(pf_live_check(&bad), "duration: expected seconds > 0") == 0);
  }
  bad = o; bad.count = -1;
  CHECK(pf_live_check(&bad) != NULL);
  bad = o; bad.snaplen = PF_LIVE_SNAPLEN_MAX + 1;
  CHECK(pf_live_check(&bad) != NULL);
  bad = o; bad.snaplen = -5;
  CHECK(pf_live_check(&bad) != NULL);
  /* the capture refuses them before opening anything */
  char err[256];
  pf_live_result r;
  bad = o; bad.iface = "";
  CHECK(pf_live_capture(&bad, NULL, &r, err, sizeof err) == PF_LIVE_EOPTS &&
        strcmp(err, "iface: empty interface name") == 0);
  /* err's size holds every message whole: the longest adds two libpcap messages */
  CHECK(pf_live_errsz(&o) >= strlen(o.iface) + strlen(o.out) + strlen(o.bpf) + 2 * PCAP_ERRBUF_SIZE);
}

static void test_activate_messages(void) {
  char err[512];
  pf_live_activate_error("eth9", PCAP_ERROR_NO_SUCH_DEVICE, "eth9: No such device exists", err, sizeof err);
  CHECK(strcmp(err, "eth9: no such interface") == 0);
  pf_live_activate_error("eth0", PCAP_ERROR_PERM_DENIED, "socket: Operation not permitted", err, sizeof err);
  CHECK(strcmp(err, "eth0: permission denied (capturing needs root or CAP_NET_RAW) (socket: Operation not permitted)") == 0);
  pf_live_activate_error("eth0", PCAP_ERROR_PERM_DENIED, "", err, sizeof err);
  CHECK(strcmp(err, "eth0: permission denied (capturing needs root or CAP_NET_RAW)") == 0);
  pf_live_activate_error("eth1", PCAP_ERROR_IFACE_NOT_UP, NULL, err, sizeof err);
  CHECK(strcmp(err, "eth1: interface is down") == 0);
  pf_live_activate_error("eth1", PCAP_ERROR_PROMISC_PERM_DENIED, "x", err, sizeof err);
  CHECK(strcmp(err, "eth1: permission denied for promiscuous mode (x)") == 0);
  pf_live_activate_error("eth2", PCAP_ERROR, "something odd", err, sizeof err);
  CHECK(strcmp(err, "eth2: something odd") == 0);
  pf_live_activate_error("eth2", PCAP_ERROR_RFMON_NOTSUP, "", err, sizeof err);
  char want[256];
  snprintf(want, sizeof want, "eth2: %s", pcap_statustostr(PCAP_ERROR_RFMON_NOTSUP));
  CHECK(strcmp(err, want) == 0);
  /* a small buffer: cut, terminated */
  char small[8];
  pf_live_activate_error("eth0", PCAP_ERROR_IFACE_NOT_UP, NULL, small, sizeof small);
  CHECK(strcmp(small, "eth0: i") == 0);
}

/* No interface of that name: an error before any capture (as root "no such interface";
   without the right to capture, permission denied), and no file written. */
static void test_no_interface(void) {
  char out[] = "/tmp/test_live_XXXXXX";
  int fd = mkstemp(out);
  CHECK(fd >= 0);
  if (fd < 0) return;
  close(fd);
  unlink(out);
  pf_live_opts o = { "pf-no-such0", out, "udp", 1.0, 1, 0, 0 };
  size_t errsz = pf_live_errsz(&o);
  char *err = malloc(errsz);
  pf_live_result r;
  volatile sig_atomic_t stop = 0;
  int rc = pf_live_capture(&o, &stop, &r, err, errsz);
  CHECK(rc == PF_LIVE_EFAIL);
  CHECK(strncmp(err, "pf-no-such0: ", 13) == 0);
  CHECK(strcmp(err, "pf-no-such0: no such interface") == 0 || strstr(err, "permission denied") != NULL);
  CHECK(access(out, F_OK) != 0);
  free(err);
}

static int isdir(const char *p) {
  struct stat st;
  return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static void test_mkdir(void) {
  char base[] = "/tmp/test_live_XXXXXX";
  CHECK(mkdtemp(base) != NULL);
  char p[256];
  snprintf(p, sizeof p, "%s/a/b/c", base);
  CHECK(pf_mkdir_p(p, strlen(p)) == 0 && isdir(p) && strlen(p) == strlen(base) + 6);
  CHECK(pf_mkdir_p(p, strlen(p)) == 0);   /* again: all there */
  snprintf(p, sizeof p, "%s/a//d/", base);   /* doubled and final slashes */
  CHECK(pf_mkdir_p(p, strlen(p)) == 0);
  snprintf(p, sizeof p, "%s/a/d", base);
  CHECK(isdir(p));
  /* a file in the way: ENOTDIR, and the path cut at it */
  snprintf(p, sizeof p, "%s/f", base);
  FILE *f = fopen(p, "w");
  CHECK(f != NULL);
  if (f) fclose(f);
  snprintf(p, sizeof p, "%s/f/g/h", base);
  errno = 0;
  CHECK(pf_mkdir_p(p, strlen(p)) == -1 && errno == ENOTDIR);
  char want[256];
  snprintf(want, sizeof want, "%s/f", base);
  CHECK(strcmp(p, want) == 0);
  snprintf(p, sizeof p, "%s/f", base);
  CHECK(pf_mkdir_p(p, strlen(p)) == -1 && errno == ENOTDIR);
  /* relative paths work from the current directory */
  char cwd[512];
  CHECK(getcwd(cwd, sizeof cwd) != NULL && chdir(base) == 0);
  char rel[] = "r/s";
  CHECK(pf_mkdir_p(rel, strlen(rel)) == 0 && isdir("r/s"));
  CHECK(chdir(cwd) == 0);
  /* clean up */
  char cmd[600];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", base);
  CHECK(system(cmd) == 0);
}

int main(void) {
  test_check();
  test_activate_messages();
  test_no_interface();
  test_mkdir();
  return check_report("test_live");
}
