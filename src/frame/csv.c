/* csv.c: delimited text into a table: two passes (check and infer types, then parse), no allocation per row. */
#include "csv.h"

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"

/* ---- cells ---- */

typedef struct lexer {
  const char *p, *end;
  char sep;
  size_t line;          /* of the cell just read, 1-based */
  char *buf;            /* an unquoted copy of the last quoted cell */
  size_t cap;
  const pf_ctx *ctx;
  int oom;
} lexer;

static int buf_room(const pf_ctx *ctx, char **buf, size_t *cap, size_t need) {
  if (need <= *cap) return 0;
  size_t nc = *cap ? *cap : 256;
  while (nc < need) nc *= 2;
  char *nb = (char *)pf_ctx_alloc(ctx, *buf, *buf ? *cap : 0, nc);
  if (nb == NULL) return -1;
  *buf = nb;
  *cap = nc;
  return 0;
}

/* The next cell in *s, *n; *eol set when it ends its line. 0 at the end of
   the text (blank lines are skipped), -1 on a malformed quote or out of
   memory (lx->oom). */
static int next_cell(lexer *lx, int at_start, const char **s, size_t *n, int *eol) {
  if (at_start)
    while (lx->p < lx->end && (*lx->p == '\n' || *lx->p == '\r')) {
      if (*lx->p == '\n') lx->line++;
      lx->p++;
    }
  if (at_start && lx->p >= lx->end) return 0;
  if (lx->p < lx->end && *lx->p == '"') {
    size_t k = 0;
    lx->p++;
    for (;;) {
      if (lx->p >= lx->end) return -1;   /* no closing quote */
      char ch = *lx->p++;
      if (ch == '"') {
        if (lx->p < lx->end && *lx->p == '"') lx->p++;
        else break;
      }
      if (ch == '\n') lx->line++;
      if (buf_room(lx->ctx, &lx->buf, &lx->cap, k + 1) < 0) { lx->oom = 1; return -1; }
      lx->buf[k++] = ch;
    }
    *s = lx->buf;
    *n = k;
    if (lx->p < lx->end && *lx->p != lx->sep && *lx->p != '\n' && *lx->p != '\r') return -1;
  } else {
    const char *b = lx->p;
    while (lx->p < lx->end && *lx->p != lx->sep && *lx->p != '\n' && *lx->p != '\r') lx->p++;
    *s = b;
    *n = (size_t)(lx->p - b);
  }
  if (lx->p < lx->end && *lx->p == lx->sep) {
    lx->p++;
    *eol = 0;
    return 1;
  }
  *eol = 1;
  if (lx->p < lx->end && *lx->p == '\r') lx->p++;
  if (lx->p < lx->end && *lx->p == '\n') {
    lx->p++;
    lx->line++;
  }
  return 1;
}

/* ---- values ---- */

/* s[0 .. n) NUL-terminated in tmp (cut at 63 bytes: longer is no number). */
static const char *cstr(const char *s, size_t n, char tmp[64]) {
  if (n > 63) n = 63;
  memcpy(tmp, s, n);
  tmp[n] = 0;
  return tmp;
}

static int parse_u64(const char *s, size_t n, uint64_t *out) {
  uint64_t v = 0;
  size_t i = 0;
  if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    for (i = 2; i < n; i++) {
      int d = s[i] >= '0' && s[i] <= '9' ? s[i] - '0' : s[i] >= 'a' && s[i] <= 'f' ? s[i] - 'a' + 10
            : s[i] >= 'A' && s[i] <= 'F' ? s[i] - 'A' + 10 : -1;
      if (d < 0 || v >> 60) return -1;
      v = v << 4 | (uint64_t)d;
    }
  } else {
    if (n == 0) return -1;
    for (; i < n; i++) {
      if (s[i] < '0' || s[i] > '9') return -1;
      uint64_t d = (uint64_t)(s[i] - '0');
      if (v > (UINT64_MAX - d) / 10) return -1;
      v = v * 10 + d;
    }
  }
  *out = v;
  return 0;
}

static int parse_i64(const char *s, size_t n, int64_t *out) {
  int neg = n > 0 && s[0] == '-';
  uint64_t u;
  if (n > 0 && (s[0] == '-' || s[0] == '+')) { s++; n--; }
  if (n == 0 || (n > 1 && s[1] == 'x') || parse_u64(s, n, &u) < 0) return -1;
  if (neg ? u > (uint64_t)INT64_MAX + 1 : u > (uint64_t)INT64_MAX) return -1;
  *out = neg ? (int64_t)(0 - u) : (int64_t)u;
  return 0;
}

static int parse_double(const char *s, size_t n, double *out) {
  char tmp[64];
  if (n == 0 || n > 63) return -1;
  const char *c = cstr(s, n, tmp);
  char *end;
  errno = 0;
  double d = strtod(c, &end);
  if (*end != 0 || end == c) return -1;
  *out = d;
  return 0;
}

/* "[-]secs[.fraction]": exact to the nanosecond (more digits are cut). */
static int parse_time(const char *s, size_t n, pf_time *t) {
  int neg = n > 0 && s[0] == '-';
  size_t i = neg;
  uint64_t secs = 0;
  int64_t ns = 0;
  if (i >= n) return -1;
  size_t digits = 0;
  for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, digits++) {
    if (secs > (uint64_t)INT64_MAX / 10) return -1;
    secs = secs * 10 + (uint64_t)(s[i] - '0');
  }
  if (i < n && s[i] == '.') {
    i++;
    int k = 0;
    for (; i < n && s[i] >= '0' && s[i] <= '9'; i++, k++, digits++)
      if (k < 9) ns = ns * 10 + (s[i] - '0');
    for (; k < 9; k++) ns *= 10;
  }
  if (i != n || digits == 0 || secs > (uint64_t)INT64_MAX) return -1;
  memset(t, 0, sizeof *t);
  t->secs = neg ? -(int64_t)secs : (int64_t)secs;
  t->nsecs = (int32_t)(neg ? -ns : ns);
  return 0;
}

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

static int parse_ether(const char *s, size_t n, uint8_t *a) {
  if (n != 17) return -1;
  for (int i = 0; i < 6; i++) {
    int h = hexval(s[3 * i]), l = hexval(s[3 * i + 1]);
    if (h < 0 || l < 0 || (i < 5 && s[3 * i + 2] != ':' && s[3 * i + 2] != '-')) return -1;
    a[i] = (uint8_t)(h << 4 | l);
  }
  return 0;
}

static int is_true(const char *s, size_t n) {
  return (n == 4 && memcmp(s, "True", 4) == 0) || (n == 4 && memcmp(s, "true", 4) == 0);
}
static int is_false(const char *s, size_t n) {
  return (n == 5 && memcmp(s, "False", 5) == 0) || (n == 5 && memcmp(s, "false", 5) == 0);
}

/* One occurrence of field fid from s[0 .. n) into v (bytes decoded into
   *buf). 0, or -1 for text that is no value of the field. */
static int parse_field(const pf_ctx *ctx, int fid, const char *s, size_t n, pf_val *v, char **buf, size_t *cap) {
  char tmp[64];
  memset(v, 0, sizeof *v);
  switch (pf_fields[fid].type) {
    case PF_FT_NONE: return 0;
    case PF_FT_BOOL:
      if (is_true(s, n)) { v->v.u = 1; return 0; }
      if (is_false(s, n)) { v->v.u = 0; return 0; }
      return parse_u64(s, n, &v->v.u) < 0 || v->v.u > 1 ? -1 : 0;
    case PF_FT_UINT: case PF_FT_FRAMENUM: return parse_u64(s, n, &v->v.u);
    case PF_FT_INT: return parse_i64(s, n, &v->v.i);
    case PF_FT_DOUBLE: return parse_double(s, n, &v->v.d);
    case PF_FT_ABSTIME: case PF_FT_RELTIME: return parse_time(s, n, &v->v.t);
    case PF_FT_IPV4: return n < 64 && inet_pton(AF_INET, cstr(s, n, tmp), v->v.a) == 1 ? 0 : -1;
    case PF_FT_IPV6: return n < 64 && inet_pton(AF_INET6, cstr(s, n, tmp), v->v.a) == 1 ? 0 : -1;
    case PF_FT_ETHER: return parse_ether(s, n, v->v.a);
    case PF_FT_STRING:
      v->v.s.p = (const uint8_t *)s;
      v->v.s.len = (uint32_t)n;
      return n > UINT32_MAX ? -1 : 0;
    case PF_FT_BYTES: {
      if (n % 2 || n / 2 > UINT32_MAX) return -1;
      if (buf_room(ctx, buf, cap, n / 2 + 1) < 0) return -2;
      for (size_t i = 0; i < n; i += 2) {
        int h = hexval(s[i]), l = hexval(s[i + 1]);
        if (h < 0 || l < 0) return -1;
        (*buf)[i / 2] = (char)(h << 4 | l);
      }
      v->v.s.p = (const uint8_t *)*buf;
      v->v.s.len = (uint32_t)(n / 2);
      return 0;
    }
    default: return -1;
  }
}

/* ---- the table ---- */

enum { INF_BOOL = 1, INF_INT = 2, INF_NUM = 4 };

typedef struct colinfo {
  char *name;
  int fid;             /* >= 0: a known field */
  int can;             /* INF_ bits still possible */
  pf_table *ft;        /* known field: a one-column table filled through a pf_pkt */
  pf_column *dc;       /* otherwise: the derived column */
} colinfo;

static int bad(char *err, size_t errlen, int *rc, size_t line, const char *what) {
  snprintf(err, errlen, "line %zu: %s", line, what);
  *rc = PF_TABLE_EWRITE;
  return -1;
}

pf_table *pf_csv_parse(const pf_ctx *ctx, const char *text, size_t len, char sep, int *rc, char *err,
                       size_t errlen) {
  lexer lx;
  memset(&lx, 0, sizeof lx);
  lx.p = text;
  lx.end = text + len;
  lx.sep = sep;
  lx.line = 1;
  lx.ctx = ctx;
  colinfo *cols = NULL;
  int ncols = 0, capcols = 0;
  pf_pkt *pkt = NULL;
  pf_table *out = NULL;
  char *bytes = NULL, *what = NULL;
  size_t bcap = 0, wcap = 0, nrows = 0;
  const char *s;
  size_t n;
  int eol = 0, k;
  *rc = PF_TABLE_ENOMEM;
  if (errlen) err[0] = 0;
  /* header */
  if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) lx.p += 3;   /* a UTF-8 byte order mark */
  k = next_cell(&lx, 1, &s, &n, &eol);
  if (k == 0) { bad(err, errlen, rc, 1, "no header line"); goto done; }
  for (;;) {
    if (k < 0) {
      if (!lx.oom) bad(err, errlen, rc, lx.line, "unterminated quote");
      goto done;
    }
    if (ncols == capcols) {
      int nc = capcols ? capcols * 2 : 16;
      colinfo *ncs = (colinfo *)pf_ctx_alloc(ctx, cols, sizeof(colinfo) * (size_t)capcols,
                                             sizeof(colinfo) * (size_t)nc);
      if (ncs == NULL) goto done;
      cols = ncs;
      capcols = nc;
    }
    colinfo *ci = &cols[ncols];
    memset(ci, 0, sizeof *ci);
    ci->name = (char *)pf_ctx_alloc(ctx, NULL, 0, n + 1);
    if (ci->name == NULL) goto done;
    ncols++;
    memcpy(ci->name, s, n);
    ci->name[n] = 0;
    ci->fid = pf_field_lookup(ci->name);
    ci->can = INF_BOOL | INF_INT | INF_NUM;
    for (int j = 0; j < ncols - 1; j++)
      if (strcmp(cols[j].name, ci->name) == 0) {
        if (buf_room(ctx, &what, &wcap, n + 64) < 0) goto done;
        snprintf(what, wcap, "column '%s' appears twice", ci->name);
        bad(err, errlen, rc, 1, what);
        goto done;
      }
    if (eol) break;
    k = next_cell(&lx, 0, &s, &n, &eol);
  }
  const char *body = lx.p;
  size_t body_line = lx.line;
  /* pass 1: count the rows, check their widths and the known fields' values, infer the other types */
  pkt = (pf_pkt *)pf_ctx_alloc(ctx, NULL, 0, sizeof *pkt);
  if (pkt == NULL) goto done;
  pf_pkt_init(pkt);
  for (;;) {
    size_t line = lx.line;
    k = next_cell(&lx, 1, &s, &n, &eol);
    if (k == 0) break;
    if ((nrows & (PF_POLL_ROWS - 1)) == 0 && pf_ctx_stop(ctx)) { *rc = PF_TABLE_EINTR; goto done; }
    int j = 0;
    for (;;) {
      if (k < 0) {
        if (!lx.oom) bad(err, errlen, rc, line, "unterminated quote");
        goto done;
      }
      if (j < ncols && n > 0) {
        colinfo *ci = &cols[j];
        if (ci->fid >= 0) {
          int multi = pf_fields[ci->fid].type != PF_FT_STRING;
          size_t a = 0;
          while (a <= n) {   /* the occurrences: to_csv joins them with ',' */
            size_t b = a;
            while (multi && b < n && s[b] != ',') b++;
            if (!multi) b = n;
            pf_val v;
            int pr = parse_field(ctx, ci->fid, s + a, b - a, &v, &bytes, &bcap);
            if (pr == -2) goto done;
            if (pr < 0) {
              if (buf_room(ctx, &what, &wcap, strlen(ci->name) + (b - a) + 64) < 0) goto done;
              snprintf(what, wcap, "column '%s': bad %s value '%.*s'", ci->name,
                       pf_ftype_name(pf_fields[ci->fid].type), (int)(b - a), s + a);
              bad(err, errlen, rc, line, what);
              goto done;
            }
            a = b + 1;
          }
        } else {
          int64_t iv;
          double dv;
          if ((ci->can & INF_BOOL) && !is_true(s, n) && !is_false(s, n)) ci->can &= ~INF_BOOL;
          if ((ci->can & INF_INT) && parse_i64(s, n, &iv) < 0) ci->can &= ~INF_INT;
          if ((ci->can & INF_NUM) && parse_double(s, n, &dv) < 0) ci->can &= ~INF_NUM;
        }
      }
      j++;
      if (eol) break;
      k = next_cell(&lx, 0, &s, &n, &eol);
    }
    if (j != ncols) {
      char m[96];
      snprintf(m, sizeof m, "%d fields, expected %d", j, ncols);
      bad(err, errlen, rc, line, m);
      goto done;
    }
    nrows++;
  }
  /* the columns */
  for (int j = 0; j < ncols; j++) {
    colinfo *ci = &cols[j];
    if (ci->fid >= 0) {
      ci->ft = pf_table_new(&ci->fid, 1, ctx ? ctx->alloc : NULL, ctx ? ctx->ud : NULL);
      if (ci->ft == NULL) goto done;
      continue;
    }
    pf_ftype t = PF_FT_STRING;
    if (nrows > 0 && (ci->can & INF_BOOL)) t = PF_FT_BOOL;
    else if (nrows > 0 && (ci->can & INF_INT)) t = PF_FT_INT;
    else if (nrows > 0 && (ci->can & INF_NUM)) t = PF_FT_DOUBLE;
    ci->dc = pf_column_new(ctx, t, -1, ci->name);
    if (ci->dc == NULL || pf_column_setlen(ci->dc, nrows) != PF_TABLE_OK) goto done;
  }
  /* pass 2: the values */
  lx.p = body;
  lx.line = body_line;
  for (size_t r = 0; r < nrows; r++) {
    if ((r & (PF_POLL_ROWS - 1)) == 0 && pf_ctx_stop(ctx)) { *rc = PF_TABLE_EINTR; goto done; }
    next_cell(&lx, 1, &s, &n, &eol);
    for (int j = 0; j < ncols; j++) {
      colinfo *ci = &cols[j];
      if (ci->fid >= 0) {
        pkt->first[ci->fid] = -1;
        pkt->nvals = 0;
        int multi = pf_fields[ci->fid].type != PF_FT_STRING;
        size_t a = 0;
        while (n > 0 && a <= n && pkt->nvals < PF_MAX_VALS) {
          size_t b = a;
          while (multi && b < n && s[b] != ',') b++;
          if (!multi) b = n;
          int i = pkt->nvals++;
          pf_val *v = &pkt->vals[i];
          /* bytes values point into one buffer: only the last of a cell survives, so decode those one per row */
          if (parse_field(ctx, ci->fid, s + a, b - a, v, &bytes, &bcap) == -2) goto done;
          v->fid = (uint16_t)ci->fid;
          v->next = -1;
          if (pkt->first[ci->fid] < 0) pkt->first[ci->fid] = (int16_t)i;
          else pkt->vals[pkt->last[ci->fid]].next = (int16_t)i;
          pkt->last[ci->fid] = (int16_t)i;
          a = b + 1;
          if (pf_fields[ci->fid].type == PF_FT_BYTES) break;
        }
        if (pf_table_append(ci->ft, pkt) != PF_TABLE_OK) goto done;
      } else if (n > 0) {
        pf_column *c = ci->dc;
        switch (c->type) {
          case PF_FT_BOOL: ((int64_t *)(void *)c->data)[r] = is_true(s, n); break;
          case PF_FT_INT: parse_i64(s, n, (int64_t *)(void *)c->data + r); break;
          case PF_FT_DOUBLE: {
            double d = 0;
            parse_double(s, n, &d);
            if (isnan(d)) goto next;   /* NaN is pandas' null */
            ((double *)(void *)c->data)[r] = d;
            break;
          }
          default:
            if (pf_column_setspan(c, r, s, n) != PF_TABLE_OK) goto done;
            break;
        }
        pf_column_setvalid(c, r);
      }
    next:
      if (j + 1 < ncols) next_cell(&lx, 0, &s, &n, &eol);
    }
  }
  {
    pf_column **all = (pf_column **)pf_ctx_alloc(ctx, NULL, 0, sizeof(pf_column *) * (size_t)(ncols ? ncols : 1));
    if (all == NULL) goto done;
    for (int j = 0; j < ncols; j++) all[j] = cols[j].fid >= 0 ? (pf_column *)pf_table_col(cols[j].ft, 0) : cols[j].dc;
    out = pf_table_build(ctx, ncols, all, NULL, NULL, nrows);
    pf_ctx_alloc(ctx, all, sizeof(pf_column *) * (size_t)(ncols ? ncols : 1), 0);
    if (out == NULL) goto done;
  }
  *rc = PF_TABLE_OK;
done:
  if (lx.oom) *rc = PF_TABLE_ENOMEM;
  for (int j = 0; j < ncols; j++) {
    pf_ctx_alloc(ctx, cols[j].name, strlen(cols[j].name) + 1, 0);
    pf_table_free(cols[j].ft);
    pf_column_release(cols[j].dc);
  }
  if (cols) pf_ctx_alloc(ctx, cols, sizeof(colinfo) * (size_t)capcols, 0);
  if (pkt) pf_ctx_alloc(ctx, pkt, sizeof *pkt, 0);
  if (bytes) pf_ctx_alloc(ctx, bytes, bcap, 0);
  if (what) pf_ctx_alloc(ctx, what, wcap, 0);
  if (lx.buf) pf_ctx_alloc(ctx, lx.buf, lx.cap, 0);
  if (*rc != PF_TABLE_OK) {
    pf_table_free(out);
    out = NULL;
  }
  return out;
}
