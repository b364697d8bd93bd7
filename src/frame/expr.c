/* expr.c: column expressions: arithmetic, comparisons, logic, unary operators, where, display filters over rows and masks. */
#include "verbs.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "frameutil.h"

/* ---- operands ---- */

static int kind_of(const pf_operand *o) {
  switch (o->kind) {
    case PF_OPD_COL: return pf_kind_of_type(o->col.c->type);
    case PF_OPD_INT: return PF_K_INT;
    case PF_OPD_DOUBLE: return PF_K_DBL;
    default: return pf_kind_of_type(o->type);
  }
}

static pf_ftype type_of(const pf_operand *o) {
  switch (o->kind) {
    case PF_OPD_COL: return o->col.c->type;
    case PF_OPD_INT: return PF_FT_INT;
    case PF_OPD_DOUBLE: return PF_FT_DOUBLE;
    default: return o->type;
  }
}

static int opd_valid(const pf_operand *o, size_t r) {
  return o->kind != PF_OPD_COL || pf_cell_valid(o->col.c, o->col.off + r);
}

static int64_t opd_int(const pf_operand *o, size_t r) {
  if (o->kind == PF_OPD_COL) return pf_cell_i64(o->col.c, o->col.off + r);
  if (o->kind == PF_OPD_INT) return o->i;
  return o->v.v.i;
}

static double opd_dbl(const pf_operand *o, size_t r) {
  switch (o->kind) {
    case PF_OPD_COL: return pf_num_of(o->col.c, o->col.off + r);
    case PF_OPD_INT: return (double)o->i;
    case PF_OPD_DOUBLE: return o->d;
    default:
      switch (o->type) {
        case PF_FT_DOUBLE: return o->v.v.d;
        case PF_FT_INT: return (double)o->v.v.i;
        case PF_FT_ABSTIME: case PF_FT_RELTIME: return pf_time_to_double(o->v.v.t);
        default: return (double)o->v.v.u;
      }
  }
}

static pf_time opd_time(const pf_operand *o, size_t r) {
  if (o->kind == PF_OPD_COL) return pf_cell_time(o->col.c, o->col.off + r);
  return o->v.v.t;
}

/* Type-specific comparison of the cell r of a with b (same type, both valid). */
static int opd_cmp_same(const pf_operand *a, const pf_operand *b, size_t r, pf_ftype t) {
  pf_val x, y;
  memset(&x, 0, sizeof x);
  memset(&y, 0, sizeof y);
  if (a->kind == PF_OPD_COL && b->kind == PF_OPD_COL)
    return pf_cell_cmp(a->col.c, a->col.off + r, b->col.c, b->col.off + r);
  const pf_operand *side[2] = { a, b };
  pf_val *out[2] = { &x, &y };
  for (int i = 0; i < 2; i++) {
    if (side[i]->kind == PF_OPD_COL) pf_column_get(side[i]->col.c, side[i]->col.off + r, 0, out[i]);
    else *out[i] = side[i]->v;
  }
  switch (t) {
    case PF_FT_IPV4: return memcmp(x.v.a, y.v.a, 4);
    case PF_FT_IPV6: return memcmp(x.v.a, y.v.a, 16);
    case PF_FT_ETHER: return memcmp(x.v.a, y.v.a, 6);
    case PF_FT_STRING: case PF_FT_BYTES: {
      uint32_t m = x.v.s.len < y.v.s.len ? x.v.s.len : y.v.s.len;
      int c = m ? memcmp(x.v.s.p, y.v.s.p, m) : 0;
      if (c) return c;
      return x.v.s.len < y.v.s.len ? -1 : x.v.s.len > y.v.s.len;
    }
    case PF_FT_NONE: return 0;
    default: return 0;
  }
}

/* Python's floor division and modulo on int64, wrapping where Lua wraps. */
static int64_t idiv64(int64_t a, int64_t b) {
  if (b == -1) return (int64_t)(0 - (uint64_t)a);
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) q--;
  return q;
}

static int64_t imod64(int64_t a, int64_t b) {
  if (b == -1) return 0;
  int64_t m = a % b;
  if (m != 0 && ((m < 0) != (b < 0))) m += b;
  return m;
}

static double dmod(double a, double b) {
  double m = fmod(a, b);
  if (m != 0 && ((m < 0) != (b < 0))) m += b;
  return m;
}

pf_column *pf_arith(const pf_ctx *ctx, int op, const pf_operand *a, const pf_operand *b, size_t n,
                    const char *name, int *rc) {
  int ka = kind_of(a), kb = kind_of(b);
  if (ka == PF_K_OTHER || kb == PF_K_OTHER) {
    *rc = PF_TABLE_ETYPE;
    return NULL;
  }
  /* exact time arithmetic */
  int tres = -1;
  if (op == PF_OP_SUB && ka == PF_K_ABS && kb == PF_K_ABS) tres = PF_K_REL;
  else if ((op == PF_OP_ADD || op == PF_OP_SUB) && ka == PF_K_ABS && kb == PF_K_REL) tres = PF_K_ABS;
  else if (op == PF_OP_ADD && ka == PF_K_REL && kb == PF_K_ABS) tres = PF_K_ABS;
  else if ((op == PF_OP_ADD || op == PF_OP_SUB) && ka == PF_K_REL && kb == PF_K_REL) tres = PF_K_REL;
  if (tres >= 0) {
    pf_column *c = pf_result_new(ctx, tres == PF_K_ABS ? PF_FT_ABSTIME : PF_FT_RELTIME, n, name, rc);
    if (c == NULL) return NULL;
    for (size_t r = 0; r < n; r++) {
      if ((r & (PF_POLL_ROWS - 1)) == 0 && pf_ctx_stop(ctx)) return pf_result_fail(c, rc, PF_TABLE_EINTR);
      if (!opd_valid(a, r) || !opd_valid(b, r)) continue;
      pf_time x = opd_time(a, r), y = opd_time(b, r);
      pf_put_time(c, r, ka == PF_K_ABS && kb == PF_K_ABS ? pf_time_delta(x, y)
                     : pf_time_sum(x, op == PF_OP_SUB ? pf_time_neg(y) : y));
      pf_column_setvalid(c, r);
    }
    return c;
  }
  if (ka == PF_K_INT && kb == PF_K_INT && op != PF_OP_DIV && op != PF_OP_POW) {
    pf_column *c = pf_result_new(ctx, PF_FT_INT, n, name, rc);
    if (c == NULL) return NULL;
    int64_t *out = (int64_t *)(void *)c->data;
    for (size_t r = 0; r < n; r++) {
      if ((r & (PF_POLL_ROWS - 1)) == 0 && pf_ctx_stop(ctx)) return pf_result_fail(c, rc, PF_TABLE_EINTR);
      if (!opd_valid(a, r) || !opd_valid(b, r)) continue;
      uint64_t x = (uint64_t)opd_int(a, r), y = (uint64_t)opd_int(b, r);
      switch (op) {
        case PF_OP_ADD: out[r] = (int64_t)(x + y); break;
        case PF_OP_SUB: out[r] = (int64_t)(x - y); break;
        case PF_OP_MUL: out[r] = (int64_t)(x * y); break;
        case PF_OP_IDIV: if (y == 0) continue; out[r] = idiv64((int64_t)x, (int64_t)y); break;
        default: if (y == 0) continue; out[r] = imod64((int64_t)x, (int64_t)y); break;
      }
      pf_column_setvalid(c, r);
    }
    return c;
  }
  pf_column *c = pf_result_new(ctx, PF_FT_DOUBLE, n, name, rc);
  if (c == NULL) return NULL;
  double *out = (double *)(void *)c->data;
  for (size_t r = 0; r < n; r++) {
    if ((r & (PF_POLL_ROWS - 1)) == 0 && pf_ctx_stop(ctx)) return pf_result_fail(c, rc, PF_TABLE_EINTR);
    if (!opd_valid(a, r) || !opd_valid(b, r)) continue;
    double x = opd_dbl(a, r), y = opd_dbl(b, r), z;
    switch (op) {
      case PF_OP_ADD: z = x + y; break;
      case PF_OP_SUB: z = x - y; break;
      case PF_OP_MUL: z = x * y; break;
      case PF_OP_DIV: z = x / y; break;
      case PF_OP_IDIV: z = floor(x / y); break;
      case PF_OP_MOD: z = dmod(x, y); break;
      default: z = pow(x, y); break;
    }
    if (isnan(z)) continue;
    out[r] = z;
    pf_column_setvalid(c, r);
  }
  return c;
}

static int cmp_holds(int cmp, int o) {
  switch (cmp) {
    case PF_CMP_EQ: return o == 0;
    case PF_CMP_NE: return o != 0;
    case PF_CMP_LT: return o < 0;
    case PF_CMP_LE: return o <= 0;
    case PF_CMP_GT: return o > 0;
    default: return o >= 0;
  }
}

pf_column *pf_compare(const pf_ctx *ctx, int cmp, const pf_operand *a, const pf_operand *b, size_t n,
                      const char *name, int *rc) {
  int ka = kind_of(a), kb = kind_of(b);
  pf_ftype ta = type_of(a), tb = type_of(b);
  /* how to compare: 0 int, 1 double, 2 time, 3 same-type bytes */
  int how;
  if (ka == PF_K_INT && kb == PF_K_INT) how = 0;
  else if ((ka == PF_K_ABS && kb == PF_K_ABS) || (ka == PF_K_REL && kb == PF_K_REL)) how = 2;
  else if (ka != PF_K_OTHER && kb != PF_K_OTHER && !(ka == PF_K_ABS && kb == PF_K_REL) && !(ka == PF_K_REL && kb == PF_K_ABS)) how = 1;
  else if (ka == PF_K_OTHER && ta == tb) how = 3;
  else {
    *rc = PF_TABLE_ETYPE;
    return NULL;
  }
  pf_column *c = pf_result_new(ctx, PF_FT_BOOL, n, name, rc);
  if (c == NULL) return NULL;
  int64_t *out = (int64_t *)(void *)c->data;
  int unsig_a = ta == PF_FT_UINT || ta == PF_FT_FRAMENUM, unsig_b = tb == PF_FT_UINT || tb == PF_FT_FRAMENUM;
  if (a->kind == PF_OPD_COL && b->kind != PF_OPD_COL && (how == 0 || (how == 1 && ta == PF_FT_DOUBLE))) {
    /* a column against a number: the usual mask, one tight loop */
    const pf_column *ac = a->col.c;
    size_t off = a->col.off;
    int64_t y = how == 0 ? opd_int(b, 0) : 0;
    double yd = opd_dbl(b, 0);
    int ybig = unsig_b && y < 0;   /* a uint above INT64_MAX */
    for (size_t r = 0; r < n; r++) {
      if ((r & (PF_POLL_ROWS - 1)) == 0 && pf_ctx_stop(ctx)) return pf_result_fail(c, rc, PF_TABLE_EINTR);
      int o;
      if (!pf_cell_valid(ac, off + r)) {
        out[r] = cmp == PF_CMP_NE;
      } else {
        if (how == 0) {
          int64_t x = pf_cell_i64(ac, off + r);
          if (unsig_a && x < 0) o = ybig ? pf_cmp_u64((uint64_t)x, (uint64_t)y) : 1;
          else o = ybig ? -1 : (x < y ? -1 : x > y);
        } else {
          double x = pf_cell_f64(ac, off + r);
          o = x < yd ? -1 : x > yd;
          if (isnan(x) || isnan(yd)) o = 2;   /* unordered: only != holds */
        }
        out[r] = o == 2 ? cmp == PF_CMP_NE : cmp_holds(cmp, o);
      }
      pf_column_setvalid(c, r);
    }
    return c;
  }
  for (size_t r = 0; r < n; r++) {
    if ((r & (PF_POLL_ROWS - 1)) == 0 && pf_ctx_stop(ctx)) return pf_result_fail(c, rc, PF_TABLE_EINTR);
    pf_column_setvalid(c, r);
    if (!opd_valid(a, r) || !opd_valid(b, r)) {
      out[r] = cmp == PF_CMP_NE;
      continue;
    }
    int o;
    switch (how) {
      case 0: {
        int64_t x = opd_int(a, r), y = opd_int(b, r);
        /* a uint above INT64_MAX is larger than any int */
        if (unsig_a && x < 0 && !(unsig_b && y < 0)) o = 1;
        else if (unsig_b && y < 0 && !(unsig_a && x < 0)) o = -1;
        else if (unsig_a && unsig_b) o = pf_cmp_u64((uint64_t)x, (uint64_t)y);
        else o = x < y ? -1 : x > y;
        break;
      }
      case 1: {
        double x = opd_dbl(a, r), y = opd_dbl(b, r);
        if (isnan(x) || isnan(y)) { out[r] = cmp == PF_CMP_NE; continue; }
        o = x < y ? -1 : x > y;
        break;
      }
      case 2: {
        pf_time x = opd_time(a, r), y = opd_time(b, r);
        o = x.secs != y.secs ? (x.secs < y.secs ? -1 : 1) : (x.nsecs < y.nsecs ? -1 : x.nsecs > y.nsecs);
        break;
      }
      default: o = opd_cmp_same(a, b, r, ta); break;
    }
    out[r] = cmp_holds(cmp, o);
  }
  return c;
}

static int truth(pf_colref a, size_t r) {
  return pf_cell_valid(a.c, a.off + r) && pf_cell_i64(a.c, a.off + r) != 0;
}

pf_column *pf_logic(const pf_ctx *ctx, char op, pf_colref a, pf_colref b, const char *name, int *rc) {
  if (!pf_type_is_int(a.c->type) || (op != '!' && !pf_type_is_int(b.c->type))) {
    *rc = PF_TABLE_ETYPE;
    return NULL;
  }
  pf_column *c = pf_result_new(ctx, PF_FT_BOOL, a.n, name, rc);
  if (c == NULL) return NULL;
  int64_t *out = (int64_t *)(void *)c->data;
  for (size_t r = 0; r < a.n; r++) {
    if ((r & (PF_POLL_ROWS - 1)) == 0 && pf_ctx_stop(ctx)) return pf_result_fail(c, rc, PF_TABLE_EINTR);
    switch (op) {
      case '&': out[r] = truth(a, r) && truth(b, r); break;
      case '|': out[r] = truth(a, r) || truth(b, r); break;
      default: out[r] = !truth(a, r); break;
    }
    pf_column_setvalid(c, r);
  }
  return c;
}

pf_column *pf_unary(const pf_ctx *ctx, int op, pf_colref a, const char *name, int *rc) {
  pf_ftype t = a.c->type;
  int k = pf_kind_of_type(t);
  if (op == PF_UN_ISNULL || op == PF_UN_NOTNULL) {
    pf_column *c = pf_result_new(ctx, PF_FT_BOOL, a.n, name, rc);
    if (c == NULL) return NULL;
    int64_t *out = (int64_t *)(void *)c->data;
    for (size_t r = 0; r < a.n; r++) {
      out[r] = pf_cell_valid(a.c, a.off + r) == (op == PF_UN_NOTNULL);
      pf_column_setvalid(c, r);
    }
    return c;
  }
  if (k != PF_K_INT && k != PF_K_DBL && k != PF_K_REL) {
    *rc = PF_TABLE_ETYPE;
    return NULL;
  }
  pf_column *c = pf_result_new(ctx, k == PF_K_INT ? PF_FT_INT : t, a.n, name, rc);
  if (c == NULL) return NULL;
  for (size_t r = 0; r < a.n; r++) {
    if ((r & (PF_POLL_ROWS - 1)) == 0 && pf_ctx_stop(ctx)) return pf_result_fail(c, rc, PF_TABLE_EINTR);
    size_t at = a.off + r;
    if (!pf_cell_valid(a.c, at)) continue;
    if (k == PF_K_INT) {
      int64_t x = pf_cell_i64(a.c, at);
      if (t != PF_FT_INT && op == PF_UN_ABS) { /* unsigned: already its own magnitude */ }
      else if (op == PF_UN_NEG || x < 0) x = (int64_t)(0 - (uint64_t)x);
      ((int64_t *)(void *)c->data)[r] = x;
    } else if (k == PF_K_DBL) {
      double x = pf_cell_f64(a.c, at);
      ((double *)(void *)c->data)[r] = op == PF_UN_NEG ? -x : fabs(x);
    } else {
      pf_time x = pf_cell_time(a.c, at);
      pf_put_time(c, r, op == PF_UN_NEG || x.secs < 0 || x.nsecs < 0 ? pf_time_neg(x) : x);
    }
    pf_column_setvalid(c, r);
  }
  return c;
}

/* ---- where ---- */

/* The type a scalar integer i takes beside an integer column of type t: t
   when i is one of t's values, else int. */
static pf_ftype int_scalar_type(int64_t i, pf_ftype t) {
  if (t == PF_FT_INT) return t;
  if (t == PF_FT_BOOL) return i == 0 || i == 1 ? t : PF_FT_INT;
  return i >= 0 ? t : PF_FT_INT;
}

/* The common type of where's sides and the field whose text form it keeps
   (-1: none); 0, or -1 when the sides do not go together. */
static int where_type(const pf_operand *a, const pf_operand *b, pf_ftype *type, int *fid) {
  const pf_operand *side[2] = { a, b };
  pf_ftype t[2];
  int f[2];
  for (int k = 0; k < 2; k++) {
    f[k] = side[k]->kind == PF_OPD_COL ? side[k]->col.c->fid : -1;
    t[k] = side[k]->kind == PF_OPD_NULL ? PF_FT_COUNT_ : type_of(side[k]);
  }
  if (t[0] == PF_FT_COUNT_ && t[1] == PF_FT_COUNT_) return -1;
  /* a scalar integer beside an integer column takes the column's type when it fits */
  for (int k = 0; k < 2; k++) {
    const pf_operand *o = side[k], *other = side[1 - k];
    if (o->kind == PF_OPD_INT && other->kind == PF_OPD_COL && pf_type_is_int(t[1 - k]))
      t[k] = int_scalar_type(o->i, t[1 - k]);
  }
  if (t[0] == PF_FT_COUNT_ || t[1] == PF_FT_COUNT_ || t[0] == t[1]) {
    *type = t[0] == PF_FT_COUNT_ ? t[1] : t[0];
    if (side[0]->kind == PF_OPD_COL && side[1]->kind == PF_OPD_COL)
      /* two columns: a field's text form when both print alike */
      *fid = f[0] == f[1] || (f[0] >= 0 && f[1] >= 0 && pf_fields[f[0]].base == pf_fields[f[1]].base) ? f[0] : -1;
    else
      *fid = side[0]->kind == PF_OPD_COL ? f[0] : f[1];
    if (*fid >= 0 && pf_fields[*fid].type != *type) *fid = -1;
    return 0;
  }
  int ka = pf_kind_of_type(t[0]), kb = pf_kind_of_type(t[1]);
  *fid = -1;
  /* an IPv4 and an IPv6 column (ip.src beside ipv6.src): one column of both families'
     addresses, as text (tshark's form of each), since no address type holds both */
  if (side[0]->kind == PF_OPD_COL && side[1]->kind == PF_OPD_COL &&
      ((t[0] == PF_FT_IPV4 && t[1] == PF_FT_IPV6) || (t[0] == PF_FT_IPV6 && t[1] == PF_FT_IPV4))) {
    *type = PF_FT_STRING;
    return 0;
  }
  if (ka == PF_K_INT && kb == PF_K_INT) *type = PF_FT_INT;
  else if ((ka == PF_K_INT || ka == PF_K_DBL) && (kb == PF_K_INT || kb == PF_K_DBL)) *type = PF_FT_DOUBLE;
  else return -1;
  return 0;
}

/* Writes side o's value for row r into row r of c (of the common type);
   nothing for a null. PF_TABLE_OK or ENOMEM. */
static int where_put(pf_column *c, const pf_operand *o, size_t r) {
  if (o->kind == PF_OPD_NULL || !opd_valid(o, r)) return PF_TABLE_OK;
  switch (c->type) {
    case PF_FT_NONE: break;
    case PF_FT_BOOL: case PF_FT_UINT: case PF_FT_INT: case PF_FT_FRAMENUM:
      ((int64_t *)(void *)c->data)[r] = opd_int(o, r);
      break;
    case PF_FT_DOUBLE: ((double *)(void *)c->data)[r] = opd_dbl(o, r); break;
    case PF_FT_ABSTIME: case PF_FT_RELTIME: pf_put_time(c, r, opd_time(o, r)); break;
    case PF_FT_IPV4: case PF_FT_IPV6: case PF_FT_ETHER: {
      size_t w = c->type == PF_FT_IPV4 ? 4 : c->type == PF_FT_IPV6 ? 16 : 6;
      const unsigned char *s = o->kind == PF_OPD_COL ? pf_cell_bytes(o->col.c, o->col.off + r) : o->v.v.a;
      memcpy(c->data + r * c->width, s, w);   /* setlen zeroed the rest of an ether cell */
      break;
    }
    case PF_FT_STRING: case PF_FT_BYTES: {
      if (o->kind == PF_OPD_COL && (o->col.c->type == PF_FT_IPV4 || o->col.c->type == PF_FT_IPV6)) {
        char buf[64];   /* an address beside one of the other family: its text */
        int len = pf_column_format(o->col.c, o->col.off + r, 0, buf, sizeof buf);
        return pf_column_setspan(c, r, (const unsigned char *)buf, len > 0 ? (size_t)len : 0);
      }
      if (o->kind == PF_OPD_COL) {
        pf_span sp = pf_cell_span(o->col.c, o->col.off + r);
        return pf_column_setspan(c, r, o->col.c->arena + sp.off, (size_t)sp.len);
      }
      return pf_column_setspan(c, r, o->v.v.s.p, o->v.v.s.len);
    }
    default: return PF_TABLE_OK;
  }
  pf_column_setvalid(c, r);
  return PF_TABLE_OK;
}

pf_column *pf_where(const pf_ctx *ctx, pf_colref m, const pf_operand *a, const pf_operand *b, size_t n,
                    const char *name, int *rc) {
  pf_ftype type;
  int fid;
  if (!pf_type_is_int(m.c->type) || where_type(a, b, &type, &fid) < 0) {
    *rc = PF_TABLE_ETYPE;
    return NULL;
  }
  pf_column *c = pf_result_new_fid(ctx, type, fid, n, name, rc);
  if (c == NULL) return NULL;
  /* the common case, two columns of the result's fixed-width type, in a tight loop */
  if (a->kind == PF_OPD_COL && b->kind == PF_OPD_COL && a->col.c->type == type && b->col.c->type == type &&
      type != PF_FT_STRING && type != PF_FT_BYTES) {
    size_t w = c->width;
    for (size_t r = 0; r < n; r++) {
      if ((r & (PF_POLL_ROWS - 1)) == 0 && pf_ctx_stop(ctx)) return pf_result_fail(c, rc, PF_TABLE_EINTR);
      const pf_colref *s = truth(m, r) ? &a->col : &b->col;
      size_t sr = s->off + r;
      if (!pf_cell_valid(s->c, sr)) continue;
      switch (w) {   /* constant sizes: a move, not a call */
        case 4: memcpy(c->data + r * 4, s->c->data + sr * 4, 4); break;
        case 8: memcpy(c->data + r * 8, s->c->data + sr * 8, 8); break;
        case 16: memcpy(c->data + r * 16, s->c->data + sr * 16, 16); break;
        default: memcpy(c->data + r * w, s->c->data + sr * w, w); break;
      }
      pf_column_setvalid(c, r);
    }
    *rc = PF_TABLE_OK;
    return c;
  }
  for (size_t r = 0; r < n; r++) {
    if ((r & (PF_POLL_ROWS - 1)) == 0 && pf_ctx_stop(ctx)) return pf_result_fail(c, rc, PF_TABLE_EINTR);
    *rc = where_put(c, truth(m, r) ? a : b, r);
    if (*rc != PF_TABLE_OK) {
      pf_column_release(c);
      return NULL;
    }
  }
  *rc = PF_TABLE_OK;
  return c;
}

/* ---- display filters on rows ---- */

/* The first value of (valid) cell at of c into v, as pf_column_get gives it
   but without clearing the rest of v: the filter reads only the value's bytes. */
static void fill_value(const pf_column *c, size_t at, pf_val *v) {
  switch (c->type) {
    case PF_FT_ABSTIME: case PF_FT_RELTIME: v->v.t = pf_cell_time(c, at); break;
    case PF_FT_IPV4: memcpy(v->v.a, pf_cell_bytes(c, at), 4); break;
    case PF_FT_IPV6: memcpy(v->v.a, pf_cell_bytes(c, at), 16); break;
    case PF_FT_ETHER: memcpy(v->v.a, pf_cell_bytes(c, at), 6); break;
    case PF_FT_STRING: case PF_FT_BYTES: {
      pf_span sp = pf_cell_span(c, at);
      v->v.s.p = c->arena ? c->arena + sp.off : (const uint8_t *)"";
      v->v.s.len = (uint32_t)sp.len;
      break;
    }
    case PF_FT_NONE: break;
    default: v->v.u = (uint64_t)pf_cell_i64(c, at); break;
  }
}

pf_column *pf_filter_column(const pf_ctx *ctx, const pf_filter *f, const int *fids, const pf_colref *cols,
                            const int *pbits, const pf_colref *pcols, int np,
                            int nf, size_t n, pf_pkt *p, const char *name, int *rc) {
  pf_column *c = pf_result_new(ctx, PF_FT_BOOL, n, name, rc);
  if (c == NULL) return NULL;
  int64_t *out = (int64_t *)(void *)c->data;
  for (size_t r = 0; r < n; r++) {
    if ((r & (PF_POLL_ROWS - 1)) == 0 && pf_ctx_stop(ctx)) return pf_result_fail(c, rc, PF_TABLE_EINTR);
    p->nvals = 0;
    p->protos = 0;
    p->nlayers = 0;
    for (int k = 0; k < np; k++)   /* a protocol is present where any of its columns has a value */
      if (pf_cell_valid(pcols[k].c, pcols[k].off + r)) p->protos |= (uint64_t)1 << pbits[k];
    for (int k = 0; k < nf; k++) p->first[fids[k]] = -1;
    for (int k = 0; k < nf; k++) {
      const pf_column *col = cols[k].c;
      size_t at = cols[k].off + r;
      int fid = fids[k];
      if (col->nmulti == 0) {   /* one value or none: read it in place */
        if (!pf_cell_valid(col, at) || p->nvals >= PF_MAX_VALS) continue;
        int i = p->nvals++;
        pf_val *v = &p->vals[i];
        fill_value(col, at, v);
        v->fid = (uint16_t)fid;
        v->next = -1;
        if (p->first[fid] < 0) p->first[fid] = (int16_t)i;
        else p->vals[p->last[fid]].next = (int16_t)i;
        p->last[fid] = (int16_t)i;
        continue;
      }
      size_t cnt = pf_column_count(col, at);
      for (size_t occ = 0; occ < cnt && p->nvals < PF_MAX_VALS; occ++) {
        int i = p->nvals++;
        pf_val *v = &p->vals[i];
        pf_column_get(col, at, occ, v);
        v->fid = (uint16_t)fid;
        v->next = -1;   /* chained as pf_emit chains a decoder's values */
        if (p->first[fid] < 0) p->first[fid] = (int16_t)i;
        else p->vals[p->last[fid]].next = (int16_t)i;
        p->last[fid] = (int16_t)i;
      }
    }
    out[r] = pf_filter_eval(f, p) != 0;
    pf_column_setvalid(c, r);
  }
  return c;
}

size_t pf_mask_rows(pf_colref m, size_t *rows) {
  size_t k = 0;
  for (size_t r = 0; r < m.n; r++)
    if (pf_cell_valid(m.c, m.off + r) && pf_cell_i64(m.c, m.off + r) != 0) rows[k++] = r;
  return k;
}
