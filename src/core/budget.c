/* budget.c: the counting allocator behind max_memory, and sizes as users write them. */
#include "budget.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *pf_budget_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
  pf_budget *b = (pf_budget *)ud;
  if (ptr == NULL) osize = 0;
  if (nsize == 0) {
    free(ptr);
    b->used -= osize < b->used ? osize : b->used;
    return NULL;
  }
  if (nsize > osize && b->limit && nsize - osize > b->limit - (b->used < b->limit ? b->used : b->limit)) {
    b->hit = 1;
    return NULL;
  }
  void *np = realloc(ptr, nsize);
  if (np == NULL) return NULL;
  b->used = b->used - (osize < b->used ? osize : b->used) + nsize;
  return np;
}

int pf_budget_parse(const char *s, size_t *bytes) {
  const char *p = s;
  if (*p < '0' || *p > '9') return -1;   /* no sign, no blank */
  char *end;
  double x = strtod(p, &end);
  if (end == p || !isfinite(x)) return -1;
  double mult = 1;
  switch (*end) {
    case 'K': case 'k': mult = 1024.0; end++; break;
    case 'M': case 'm': mult = 1024.0 * 1024; end++; break;
    case 'G': case 'g': mult = 1024.0 * 1024 * 1024; end++; break;
    case 'T': case 't': mult = 1024.0 * 1024 * 1024 * 1024; end++; break;
    default: break;
  }
  if (*end != 0) return -1;
  if (mult == 1 && strpbrk(s, ".eExX") != NULL) return -1;   /* bytes are whole: no "1.5", "1e6" */
  double v = floor(x * mult);
  if (v < 1 || v >= 9.0e18 || v >= (double)(size_t)-1) return -1;
  *bytes = (size_t)v;
  return 0;
}

void pf_budget_format(size_t bytes, char *buf, size_t n) {
  static const char units[] = "TGMK";
  for (int i = 0; i < 4; i++) {
    size_t u = (size_t)1 << (10 * (4 - i));
    if (bytes >= u && bytes % u == 0) {
      snprintf(buf, n, "%zu%c", bytes / u, units[i]);
      return;
    }
  }
  snprintf(buf, n, "%zu bytes", bytes);
}
