/* exec.c: the read executor (exec.h): plans the fields, the chunk and the queries of a read,
   runs the pass (a second one for misplaced bucket origins) and records the first error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "budget.h"
#include "exec.h"

enum { E_NONE, E_BUDGET, E_NOMEM, E_QUERY, E_CALLBACK, E_RANGE };

#define MAX_KEYS 64

void pf_exec_init(pf_exec *x) {
  memset(x, 0, sizeof *x);
  pf_diag_init(&x->diag);
}

/* Frees what a pass holds (not the results' diagnostics, nor the plan's fields). */
static void release(pf_exec *x) {
  pf_table_free(x->chunk);
  x->chunk = NULL;
  pf_table_free(x->table);
  x->table = NULL;
  for (int i = 0; i < PF_EXEC_MAXVERBS; i++) {
    pf_query_free(x->query[i]);
    x->query[i] = NULL;
  }
  free(x->frames);
  free(x->files);
  x->frames = NULL;
  x->files = NULL;
}

void pf_exec_free(pf_exec *x) {
  release(x);
  for (int i = 0; i < PF_EXEC_MAXVERBS; i++) {
    free(x->specs[i]);
    x->specs[i] = NULL;
  }
  free(x->cols);
  x->cols = NULL;
  free(x->dec);
  x->dec = NULL;
  pf_diag_free(&x->diag);
  pf_diag_init(&x->diag);
}

static int nosink(void *ud, const pf_pkt *p) {
  (void)ud;
  (void)p;
  return 0;
}

int pf_exec_check_bpf(const char *bpf, char *err, size_t errlen) {
  pf_scan_opts so;
  memset(&so, 0, sizeof so);
  so.bpf = bpf;
  pf_diag none;
  pf_diag_init(&none);
  int fid = PF_F_FRAME_NUMBER;
  /* pf_scan compiles the filter before it opens any file */
  int rc = pf_scan(NULL, 0, &fid, 1, &so, nosink, NULL, &none, err, errlen);
  pf_diag_free(&none);
  return rc == PF_SCAN_ERROR ? -1 : 0;
}

/* The chunk column of field fid, added when new. */
static int chunkcol(pf_exec *x, int fid) {
  for (int i = 0; i < x->nfids; i++)
    if (x->fids[i] == fid) return i;
  x->fids[x->nfids] = fid;
  return x->nfids++;
}

static int fail(pf_exec *x, int status, const char *msg) {
  if (msg) snprintf(x->err, sizeof x->err, "%s", msg);
  x->status = status;
  return status;
}

/* The failure to make the chunk or a query before the first packet. */
static int early(pf_exec *x) {
  return fail(x, PF_EXEC_FAIL, x->o.budget && x->b.hit ? "memory budget reached before the first packet"
                                                       : "out of memory");
}

/* A new query for AGG verb i over the chunk. */
static pf_query *newquery(pf_exec *x, int i) {
  const pf_exec_verb *v = &x->v[i];
  const int *c = x->cols + (size_t)i * (MAX_KEYS + 1);
  return pf_query_new(&x->qctx, x->chunk, c, v->nkeys, v->dropna, c[MAX_KEYS], v->interval, v->origin, x->specs[i],
                      v->nspecs);
}

int pf_exec_plan(pf_exec *x, const pf_exec_opts *opts, const pf_exec_verb *v, int nv) {
  x->o = *opts;
  x->v = v;
  x->nv = nv;
  x->status = PF_EXEC_OK;
  if (nv < 1 || nv > PF_EXEC_MAXVERBS) return fail(x, PF_EXEC_FAIL, "bad number of verbs");
  /* one mode for the pass: the first verb's, or AGG when any aggregates */
  x->mode = v[0].kind;
  for (int i = 0; i < nv; i++) {
    if (v[i].kind == PF_EXEC_AGG) x->mode = PF_EXEC_AGG;
    if (nv > 1 && v[i].kind != PF_EXEC_AGG && v[i].kind != PF_EXEC_COUNT)
      return fail(x, PF_EXEC_FAIL, "only aggregations and counts share a pass");
    if (v[i].kind == PF_EXEC_AGG && (v[i].nkeys > MAX_KEYS || v[i].nspecs < 0))
      return fail(x, PF_EXEC_FAIL, "too many keys");
  }
  /* one chunk for every verb: the union of their columns */
  x->cols = (int *)malloc(sizeof(int) * (size_t)nv * (MAX_KEYS + 1));
  if (x->cols == NULL) return early(x);
  for (int i = 0; i < nv; i++) {
    const pf_exec_verb *w = &v[i];
    int *c = x->cols + (size_t)i * (MAX_KEYS + 1);
    if (w->kind == PF_EXEC_COLLECT || w->kind == PF_EXEC_EACH)
      for (int k = 0; k < w->nfids; k++) chunkcol(x, w->fids[k]);
    if (w->kind != PF_EXEC_AGG) continue;
    for (int k = 0; k < w->nkeys; k++) c[k] = chunkcol(x, w->keys[k]);
    c[MAX_KEYS] = w->bucket >= 0 ? chunkcol(x, w->bucket) : -1;
    x->specs[i] = (pf_qspec *)malloc(sizeof(pf_qspec) * (size_t)(w->nspecs ? w->nspecs : 1));
    if (x->specs[i] == NULL) return early(x);
    for (int k = 0; k < w->nspecs; k++) {
      x->specs[i][k] = w->specs[k];
      x->specs[i][k].col = chunkcol(x, w->specs[k].col);
    }
  }
  /* the fields decoded: the chunk's, the strict ones, the filters', the user decoders' */
  size_t room = (size_t)x->nfids + (size_t)opts->nstrict + (size_t)(opts->nfilters + 1) * PF_MAXFIELDS + PF_NFIELDS + 1;
  for (int i = 0; i < nv; i++)
    if (v[i].kind == PF_EXEC_ROWS) room += (size_t)v[i].nfids;
  x->dec = (int *)malloc(sizeof(int) * room);
  if (x->dec == NULL) return early(x);
  x->ndec = 0;
  for (int i = 0; i < x->nfids; i++) x->dec[x->ndec++] = x->fids[i];
  for (int i = 0; i < nv; i++)
    if (v[i].kind == PF_EXEC_ROWS)
      for (int k = 0; k < v[i].nfids; k++) x->dec[x->ndec++] = v[i].fids[k];
  for (int i = 0; i < opts->nstrict; i++) x->dec[x->ndec++] = opts->strict[i];
  for (int i = 0; i < opts->nfilters; i++) x->ndec += pf_filter_fields(opts->filters[i], x->dec + x->ndec, PF_MAXFIELDS);
  if (x->ndec == 0) x->dec[x->ndec++] = PF_F_FRAME_NUMBER;   /* a count of every packet still decodes a field */
  if (opts->user) {
    x->hasuser = opts->user->plan(opts->user->ud, x->dec, &x->ndec, x->err, sizeof x->err);
    if (x->hasuser < 0) {
      x->hasuser = 0;
      return fail(x, PF_EXEC_USER, NULL);
    }
  }
  if (opts->check_bpf && opts->bpf && *opts->bpf && pf_exec_check_bpf(opts->bpf, x->err, sizeof x->err) < 0)
    return fail(x, PF_EXEC_BADBPF, NULL);
  /* the chunk and the queries */
  pf_alloc_fn alloc = opts->budget ? pf_budget_alloc : NULL;
  x->b.limit = opts->max_memory;
  x->qctx.alloc = alloc;
  x->qctx.ud = &x->b;
  x->qctx.interrupted = opts->interrupted;
  if (x->mode != PF_EXEC_COUNT && x->mode != PF_EXEC_ROWS) {
    x->chunk = pf_table_new(x->fids, x->nfids, alloc, &x->b);
    if (x->chunk == NULL) return early(x);
  }
  if (x->mode == PF_EXEC_AGG) {
    if (x->o.chunk_rows == 0) x->o.chunk_rows = PF_EXEC_CHUNK_ROWS;
    x->frames = (uint64_t *)malloc(sizeof(uint64_t) * x->o.chunk_rows);
    x->files = (uint32_t *)malloc(sizeof(uint32_t) * x->o.chunk_rows);
    if (x->frames == NULL || x->files == NULL) return fail(x, PF_EXEC_FAIL, "out of memory");
  }
  for (int i = 0; i < nv; i++) {
    if (v[i].kind != PF_EXEC_AGG) continue;
    x->query[i] = newquery(x, i);
    if (x->query[i] == NULL) return early(x);
  }
  x->planned = 1;
  return PF_EXEC_OK;
}

static size_t ngroups(const pf_exec *x) {
  size_t n = 0;
  for (int i = 0; i < x->nv; i++)
    if (x->query[i]) n += pf_query_ngroups(x->query[i]);
  return n;
}

/* Runs the chunk through the queries and empties it. 0, or -1 with the
   error recorded against the row that needed memory (or packet p, NULL: the last row). */
static int flush(pf_exec *x, const pf_pkt *p) {
  size_t bad = PF_NOROW;
  int rc = PF_TABLE_OK;
  for (int i = 0; i < x->nv && rc == PF_TABLE_OK; i++)
    if (x->query[i] && !x->skip[i]) rc = pf_query_add(x->query[i], x->chunk, &bad);
  if (rc != PF_TABLE_OK) {
    x->errkind = rc == PF_TABLE_ERANGE ? E_RANGE : rc == PF_TABLE_EINTR ? E_QUERY : x->b.hit ? E_BUDGET : E_NOMEM;
    if (bad == PF_NOROW && p != NULL) {
      x->err_num = p->file_num;
      x->err_file = p->file_index;
    } else {
      if (bad == PF_NOROW) bad = pf_table_nrows(x->chunk) - 1;
      x->err_num = x->frames[bad];
      x->err_file = x->files[bad];
    }
    x->err_held = ngroups(x);
    return -1;
  }
  pf_table_clear(x->chunk);
  return 0;
}

/* pf_sink_fn: runs inside pf_scan. */
static int exec_sink(void *ud, const pf_pkt *p) {
  pf_exec *x = (pf_exec *)ud;
  for (int i = 0; i < x->o.nstrict; i++)
    if (p->first[x->o.strict[i]] < 0) return 0;
  /* the first filter runs in the scan */
  for (int i = 1; i < x->o.nfilters; i++)
    if (!pf_filter_eval(x->o.filters[i], p)) return 0;
  if (x->mode == PF_EXEC_COUNT) {
    x->count++;
    return 0;
  }
  if (x->mode == PF_EXEC_ROWS) {
    x->count++;
    return x->v[0].rows(x->v[0].ud, p);
  }
  int agg = x->mode == PF_EXEC_AGG;
  /* near a budget, a chunk gives way early: the groups may need the room */
  if (agg && x->o.budget && x->b.used > x->b.limit / 4 * 3 && pf_table_nrows(x->chunk) > 0 && flush(x, p) < 0)
    return 1;
  int rc = pf_table_append(x->chunk, p);
  if (rc != PF_TABLE_OK && agg && x->b.hit && pf_table_nrows(x->chunk) > 0) {
    /* the budget is full: aggregate what the chunk holds and try again in its room */
    if (flush(x, p) < 0) return 1;
    x->b.hit = 0;
    rc = pf_table_append(x->chunk, p);
  }
  if (rc != PF_TABLE_OK) {
    x->errkind = x->b.hit ? E_BUDGET : E_NOMEM;
    x->err_num = p->file_num;
    x->err_file = p->file_index;
    x->err_held = agg ? ngroups(x) : pf_table_nrows(x->chunk);
    return 1;
  }
  x->count++;
  if (x->mode == PF_EXEC_EACH) {
    int r = x->v[0].each(x->v[0].ud, x->chunk, p);
    pf_table_clear(x->chunk);
    if (r < 0) {
      x->errkind = E_CALLBACK;
      x->err_num = p->file_num;
      x->err_file = p->file_index;
      return 1;
    }
    return r != 0;
  }
  if (agg) {
    size_t r = pf_table_nrows(x->chunk) - 1;
    x->frames[r] = p->file_num;
    x->files[r] = p->file_index;
    if (r + 1 == x->o.chunk_rows && flush(x, NULL) < 0) return 1;
  }
  return 0;
}

/* The common read: every row kept appended, no filter past the scan's own
   (what exec_sink does for COLLECT, without its other verbs' tests). */
static int collect_sink(void *ud, const pf_pkt *p) {
  pf_exec *x = (pf_exec *)ud;
  for (int i = 0; i < x->o.nstrict; i++)
    if (p->first[x->o.strict[i]] < 0) return 0;
  if (pf_table_append(x->chunk, p) != PF_TABLE_OK) {
    x->errkind = x->b.hit ? E_BUDGET : E_NOMEM;
    x->err_num = p->file_num;
    x->err_file = p->file_index;
    x->err_held = pf_table_nrows(x->chunk);
    return 1;
  }
  x->count++;
  return 0;
}

/* One pass over the files: a pf_scan return code. */
static int pass(pf_exec *x, pf_scan_opts *so) {
  const pf_exec_user *u = x->o.user;
  if (x->hasuser) {
    u->attach(u->ud, so, &x->diag);
    so->threads = 1;   /* the decoders may call Lua: decoding stays in this thread */
  }
  /* packets go straight to the verb when nothing else needs testing: the
     rows of `pktframe fields` to their sink, a read's to its table */
  int plain = x->o.nstrict == 0 && x->o.nfilters <= 1;
  pf_sink_fn sink = exec_sink;
  void *sud = x;
  if (x->mode == PF_EXEC_ROWS && plain) {
    sink = x->v[0].rows;
    sud = x->v[0].ud;
  } else if (x->mode == PF_EXEC_COLLECT && x->o.nfilters <= 1) {
    sink = collect_sink;
  }
  int rc = pf_scan(x->o.paths, x->o.npaths, x->dec, x->ndec, so, sink, sud, &x->diag, x->err, sizeof x->err);
  if (x->hasuser) u->finish(u->ud);
  if (rc == PF_SCAN_OK && x->mode == PF_EXEC_AGG && pf_table_nrows(x->chunk) > 0 && flush(x, NULL) < 0)
    rc = PF_SCAN_STOPPED;
  return rc;
}

int pf_exec_run(pf_exec *x) {
  if (!x->planned) return x->status;
  x->planned = 0;
  pf_scan_opts so;
  memset(&so, 0, sizeof so);   /* options added to pf_scan_opts later stay off */
  so.bpf = x->o.bpf;
  so.interrupted = x->o.interrupted;
  so.progress = x->o.progress;
  so.progress_ud = x->o.progress_ud;
  so.threads = x->o.threads;
  if (x->o.nfilters > 0) so.filter = x->o.filters[0];
  /* the sink reads values only, unless a filter it runs reads the bytes (ROWS: pf_fields_out_row reads none) */
  so.sink_skips_data = x->o.nfilters <= 1;
  for (int i = 1; i < x->o.nfilters; i++) {
    int bytes = 0;
    pf_filter_protocols(x->o.filters[i], &bytes);
    so.layer_bytes |= bytes;
  }
  int rc = pass(x, &so);
  /* a time before the first moved a resample's buckets off the ones counted: a second pass, from the right
     origin, for the queries that need it */
  int again = 0;
  for (int i = 0; i < x->nv && rc == PF_SCAN_OK; i++) {
    pf_time org;
    if (x->query[i] == NULL) continue;
    if (pf_query_misplaced(x->query[i], &org)) {
      pf_query_free(x->query[i]);
      x->query[i] = newquery(x, i);
      if (x->query[i] == NULL) {
        release(x);
        return fail(x, PF_EXEC_FAIL, "out of memory");
      }
      pf_query_set_origin(x->query[i], org);
      again = 1;
    } else {
      x->skip[i] = 1;
    }
  }
  if (again) {
    pf_table_clear(x->chunk);
    pf_diag_free(&x->diag);
    pf_diag_init(&x->diag);
    x->count = 0;
    rc = pass(x, &so);
  }
  x->err_groups = x->mode == PF_EXEC_AGG;
  x->err_bytes = x->b.used;
  if (rc == PF_SCAN_INTERRUPTED || x->errkind == E_QUERY) x->status = PF_EXEC_INTERRUPTED;
  else if (rc == PF_SCAN_ERROR) x->status = PF_EXEC_FAIL;
  else if (x->errkind == E_CALLBACK) x->status = PF_EXEC_CALLBACK;
  else if (x->errkind == E_BUDGET) x->status = PF_EXEC_BUDGET;
  else if (x->errkind == E_NOMEM) x->status = PF_EXEC_NOMEM;
  else if (x->errkind == E_RANGE) x->status = PF_EXEC_RANGE;
  else if (rc == PF_SCAN_STOPPED && x->mode == PF_EXEC_ROWS) x->status = PF_EXEC_STOPPED;
  else x->status = PF_EXEC_OK;
  if (x->status != PF_EXEC_OK) {
    release(x);   /* now: it may be large */
    return x->status;
  }
  if (x->mode == PF_EXEC_COLLECT) {
    x->table = x->chunk;
    x->chunk = NULL;
    if (x->o.budget) pf_table_setalloc(x->table, NULL, NULL);   /* the budget ends with the read */
    for (int j = 0; j < x->diag.n; j++) pf_diag_add(pf_table_diag(x->table), "%s", x->diag.msgs[j]);
  }
  return PF_EXEC_OK;
}
