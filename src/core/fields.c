/* fields.c: the field registry (names, types, docs), user-defined fields and name look-up with suggestions. */
#include "fields.h"

#include <stdio.h>
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

int pf_field_retired(int fid) { return fid >= 0 && fid < PF_MAXFIELDS && retired[fid]; }

int pf_field_undefine(int fid) {
  if (fid < PF_NFIELDS || fid >= nfields || retired[fid]) return -1;
  retired[fid] = 1;
  return 0;
}

int pf_ftype_lookup(const char *name) {
  for (int t = 0; t < PF_FT_COUNT_; t++)
    if (strcmp(ftype_names[t], name) == 0) return t;
  return -1;
}

/* NULL for a good user field name, else why it is not one. */
static const char *bad_name(const char *name) {
  size_t len = strlen(name);
  int dots = 0;
  if (len == 0) return "empty";
  if (len > 63) return "longer than 63 characters";
  if (!(name[0] >= 'a' && name[0] <= 'z')) return "it must start with a lowercase letter";
  for (size_t i = 0; i < len; i++) {
    char ch = name[i];
    if (ch == '.') {
      if (name[i + 1] == '.' || name[i + 1] == 0) return "an empty part between dots";
      dots++;
    } else if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' || ch == '-')) {
      return "only lowercase letters, digits, '_', '-' and dots";
    }
  }
  /* a dotless name is a protocol's in a display filter ("tcp") */
  if (dots == 0) return "it needs a protocol part, as in 'myproto.op'";
  return NULL;
}

static char *dup_str(const char *s) {
  size_t n = strlen(s) + 1;
  char *d = malloc(n);
  if (d) memcpy(d, s, n);
  return d;
}

int pf_field_define(const char *name, pf_ftype type, int base, const char *doc, char *err, size_t errlen) {
  const char *why = bad_name(name);
  if (why) { snprintf(err, errlen, "bad field name '%s': %s", name, why); return -1; }
  if ((unsigned)type >= PF_FT_COUNT_) { snprintf(err, errlen, "bad field type"); return -1; }
  int old = pf_field_lookup(name);
  if (old >= 0 && old < PF_NFIELDS) {
    snprintf(err, errlen, "'%s' is a built-in field", name);
    return -1;
  }
  char *ndoc = dup_str(doc ? doc : "");
  if (ndoc == NULL) { snprintf(err, errlen, "out of memory"); return -1; }
  pf_field_info *f;
  if (old >= 0 && pf_fields[old].type == type && pf_fields[old].base == base) {
    f = &pf_fields[old];
    free((char *)f->doc);   /* user docs are ours; readers copy them */
    f->doc = ndoc;
    return old;
  }
  if (nfields == PF_MAXFIELDS) {
    free(ndoc);
    snprintf(err, errlen, "too many user fields (at most %d definitions)", PF_MAXUSERFIELDS);
    return -1;
  }
  char *nname = dup_str(name);
  if (nname == NULL) { free(ndoc); snprintf(err, errlen, "out of memory"); return -1; }
  if (old >= 0) retired[old] = 1;   /* its name and type live on for the tables that hold it */
  f = &pf_fields[nfields];
  f->name = nname;   /* never freed: a table may name its column by it */
  f->type = type;
  f->base = base;
  f->layer = PF_LY_FRAME;   /* what the decoder needs is asked for on its behalf (userfield_lua.c) */
  f->doc = ndoc;
  return nfields++;
}

/* The names and docs of user fields live as long as the module; when it is
   unloaded (lua_close of the state that loaded it), they go too, so leak
   checkers see nothing left behind. */
#if defined(__GNUC__)
__attribute__((destructor))
#endif
static void free_user_fields(void) {
  for (int i = PF_NFIELDS; i < nfields; i++) {
    free((char *)pf_fields[i].name);
    free((char *)pf_fields[i].doc);
    pf_fields[i].name = pf_fields[i].doc = NULL;
  }
  nfields = PF_NFIELDS;
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

/* How near name is to cand: its edit distance, a prefix or substring match counting as two typos. */
static int nearness(const char *name, const char *cand) {
  int d = edit_distance(name, cand);
  if (d > 1 && *name && strstr(cand, name)) d = 2;
  return d;
}

/* The most edits a suggestion for name may need: one good guess beats a list of poor ones. */
static int suggest_limit(const char *name) {
  int limit = (int)strlen(name) / 3 + 1;
  return limit > 4 ? 4 : limit;
}

int pf_field_suggest(const char *name, const char **out, int max) {
  int best[PF_MAXFIELDS];
  int n = 0;
  for (int i = 0; i < nfields; i++) {
    best[i] = 99;
    if (retired[i]) continue;   /* never suggest a name look-up would refuse */
    best[i] = nearness(name, pf_fields[i].name);
  }
  int limit = suggest_limit(name);
  /* only the closest names */
  for (int d = 0; d <= limit && n == 0; d++)
    for (int i = 0; i < nfields && n < max; i++)
      if (best[i] == d) out[n++] = pf_fields[i].name;
  return n;
}

int pf_name_suggest(const char *name, const char *const *names, int count, const char **out, int max) {
  int n = 0, bestd = 99;
  for (int i = 0; i < count; i++) {
    int d = nearness(name, names[i]);
    if (d < bestd) bestd = d;
  }
  if (bestd > suggest_limit(name)) return 0;
  for (int i = 0; i < count && n < max; i++)
    if (nearness(name, names[i]) == bestd) out[n++] = names[i];
  return n;
}

size_t pf_field_unknown(const char *name, char *buf, size_t n) {
  const char *sug[3];
  int ns = pf_field_suggest(name, sug, 3);
  size_t len = 0;
  char dummy[1];
  if (buf == NULL || n == 0) {   /* measure only */
    buf = dummy;
    n = 1;
  }
  /* snprintf at buf + min(len, n - 1) with the room left: truncates, counts all */
#define PUT(...)                                                             \
  do {                                                                       \
    size_t at = len < n ? len : n - 1;                                       \
    int k = snprintf(buf + at, n - at, __VA_ARGS__);                         \
    if (k > 0) len += (size_t)k;                                             \
  } while (0)
  PUT("unknown field '%s'", name);
  for (int i = 0; i < ns; i++) PUT("%s'%s'", i == 0 ? "; did you mean " : i == ns - 1 ? " or " : ", ", sug[i]);
  if (ns > 0) PUT("?");
#undef PUT
  return len;
}
