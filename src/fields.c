/* fields.c: the field registry (names, types, docs), user-defined fields and name look-up with suggestions. */
#include "pf.h"

#include <stdlib.h>
#include <string.h>

#define PF_FIELD(id, name, type, base, layer, doc) { name, type, base, layer, doc },
pf_field_info pf_fields[PF_MAXFIELDS] = {
#include "fields.def"
};
#undef PF_FIELD

/* Ids in use; a user field redefined with another type is retired (its id
   stays valid for the tables that hold it, but look-up no longer finds it). */
static int nfields = PF_NFIELDS;
static unsigned char retired[PF_MAXFIELDS];

int pf_field_count(void) { return nfields; }

static const char *const ftype_names[PF_FT_COUNT_] = {
  "none", "bool", "uint", "int", "framenum", "ipv4", "ipv6", "ether",
  "abstime", "reltime", "string", "bytes", "double"
};

const char *pf_ftype_name(pf_ftype t) {
  return (unsigned)t < PF_FT_COUNT_ ? ftype_names[t] : "?";
}

int pf_field_lookup(const char *name) {
  /* linear: called once per requested field, never per packet */
  for (int i = 0; i < nfields; i++)
    if (!retired[i] && strcmp(pf_fields[i].name, name) == 0) return i;
  return -1;
}

/* Edit distance with adjacent transpositions (optimal string alignment), so
   the commonest typo, two swapped letters, costs 1. Names are short. */
static int edit_distance(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b);
  if (la > 63 || lb > 63) return 99;
  int d[64][64];
  for (size_t i = 0; i <= la; i++) d[i][0] = (int)i;
  for (size_t j = 0; j <= lb; j++) d[0][j] = (int)j;
  for (size_t i = 1; i <= la; i++) {
    for (size_t j = 1; j <= lb; j++) {
      int sub = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
      int del = d[i - 1][j] + 1, ins = d[i][j - 1] + 1;
      int m = sub < del ? sub : del;
      if (ins < m) m = ins;
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < m)
        m = d[i - 2][j - 2] + 1;
      d[i][j] = m;
    }
  }
  return d[la][lb];
}

int pf_field_suggest(const char *name, const char **out, int max) {
  int best[PF_MAXFIELDS];
  int n = 0;
  for (int i = 0; i < nfields; i++) {
    int d = retired[i] ? 99 : edit_distance(name, pf_fields[i].name);
    /* a prefix or substring match is as good as one typo */
    if (d > 1 && *name && strstr(pf_fields[i].name, name)) d = 2;
    best[i] = d;
  }
  int limit = (int)strlen(name) / 3 + 1;
  if (limit > 4) limit = 4;
  /* only the closest names: one good guess beats a list of poor ones */
  for (int d = 0; d <= limit && n == 0; d++)
    for (int i = 0; i < nfields && n < max; i++)
      if (best[i] == d) out[n++] = pf_fields[i].name;
  return n;
}
