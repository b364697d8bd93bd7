/* fuzz_resolve.c: libFuzzer harness: a DNS reply (bytes as a server or a forger sends
   them) through the PTR reply parser of the stub resolver (src/net/resolve.c), as the
   answer to an IPv4 and to an IPv6 query with the reply's own id, and with another id.
   A name it returns must be text: NUL-terminated, of letters, digits, '-', '_', dots and
   \DDD escapes only. */
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "resolve.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_name(const char *name, size_t namesz) {
  size_t n = strnlen(name, namesz);
  if (n == 0 || n == namesz) abort();
  for (size_t i = 0; i < n; i++) {
    char c = name[i];
    int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
             c == '.' || c == '\\';
    if (!ok) abort();
    if (c == '\\' && (i + 3 >= n || name[i + 1] < '0' || name[i + 1] > '2' || name[i + 2] < '0' ||
                       name[i + 2] > '9' || name[i + 3] < '0' || name[i + 3] > '9'))
      abort();
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static char q4[PF_DNS_QNAME_MAX], q6[PF_DNS_QNAME_MAX];
  if (q4[0] == '\0') {
    /* the seeds (make fuzz) answer these two: 192.0.2.1 and 2001:db8::1 */
    static const uint8_t a4[4] = { 192, 0, 2, 1 };
    static const uint8_t a6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 };
    if (pf_dns_ptr_qname(AF_INET, a4, q4, sizeof q4) != 0 || pf_dns_ptr_qname(AF_INET6, a6, q6, sizeof q6) != 0)
      abort();
  }
  /* an exact copy: ASan sees a read past the datagram */
  uint8_t *buf = malloc(size ? size : 1);
  if (buf == NULL) return 0;
  memcpy(buf, data, size);
  uint16_t id = size >= 2 ? (uint16_t)(buf[0] << 8 | buf[1]) : 0;
  char name[PF_DNS_NAME_TEXT];
  const char *qnames[2] = { q4, q6 };
  for (int i = 0; i < 2; i++) {
    int r = pf_dns_parse_ptr_reply(buf, size, id, qnames[i], name, sizeof name);
    if (r == PF_DNS_NAME) check_name(name, sizeof name);
    else if (r != PF_DNS_NONE && r != PF_DNS_FAIL && r != PF_DNS_IGNORE) abort();
    /* another id: never an answer */
    if (pf_dns_parse_ptr_reply(buf, size, (uint16_t)(id ^ 0x8000), qnames[i], name, sizeof name) != PF_DNS_IGNORE)
      abort();
    /* a small name buffer: cut, still terminated */
    char small[8];
    if (pf_dns_parse_ptr_reply(buf, size, id, qnames[i], small, sizeof small) != r) abort();
    if (r == PF_DNS_NAME && strnlen(small, sizeof small) == sizeof small) abort();
  }
  free(buf);
  return 0;
}
