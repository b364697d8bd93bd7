/* exec.h: the read executor: one plan and one pass over capture files for a list of verbs
   (collect the rows, count them, aggregate them chunk by chunk, call a function per row, hand
   each packet to a sink). What pf.read, every pf.scan verb and `pktframe fields` run. Pure C. */
#ifndef PF_EXEC_H
#define PF_EXEC_H

#include <signal.h>

#include "budget.h"
#include "filter.h"
#include "pf.h"
#include "query.h"
#include "scan.h"
#include "table.h"

#define PF_EXEC_MAXVERBS 32        /* verbs of one pass (q:run) */
#define PF_EXEC_CHUNK_ROWS 65536   /* rows an aggregating pass holds before it adds them to the groups */

/* The verbs. COLLECT, EACH and ROWS run alone; AGG and COUNT verbs share one pass. */
enum {
  PF_EXEC_COLLECT,   /* a pf_table of every row kept (pf.read, q:collect) */
  PF_EXEC_COUNT,     /* the rows kept, counted */
  PF_EXEC_AGG,       /* a pf_query: groups by keys or time buckets, fed chunk by chunk */
  PF_EXEC_EACH,      /* a function per row kept */
  PF_EXEC_ROWS       /* a pf_sink_fn per packet kept (`pktframe fields`) */
};

/* EACH: called per row kept with a table holding that one row (the verb's
   columns) and its packet; the table is emptied after the call. 0 goes on,
   1 stops the pass (not an error), -1 is an error (the callback keeps its
   own record of what; the pass stops with PF_EXEC_CALLBACK). */
typedef int (*pf_exec_each_fn)(void *ud, const pf_table *row, const pf_pkt *p);

/* User-defined fields (the Lua binding's pf_lua_ufplan), as callbacks so that
   the executor needs no Lua. plan gets the fields the read decodes, dec[0 ..
   *ndec), with room for PF_NFIELDS more, and may append what its decoders
   need: 1 when user fields decode (the scan then decodes in the calling
   thread), 0 when there are none, -1 when it failed (a message in err, or
   kept by the callback). attach points opts->user at the decoders (their
   errors into diag) before each pass over the files; finish runs after each. */
typedef struct pf_exec_user {
  int (*plan)(void *ud, int *dec, int *ndec, char *err, size_t errlen);
  void (*attach)(void *ud, pf_scan_opts *opts, pf_diag *diag);
  void (*finish)(void *ud);
  void *ud;
} pf_exec_user;

/* How to read. Everything pointed at must outlive pf_exec_run. */
typedef struct pf_exec_opts {
  const char *const *paths;                /* read in order as one stream (pf_scan) */
  int npaths;
  const char *bpf;                         /* libpcap filter expression, or NULL */
  int check_bpf;                           /* pf_exec_plan compiles bpf first (PF_EXEC_BADBPF) */
  const pf_filter *const *filters;         /* display filters, all of which a packet must pass */
  int nfilters;
  const int *strict;                       /* fields every packet kept must have (strict = true) */
  int nstrict;
  const pf_exec_user *user;                /* user-defined fields, or NULL */
  int threads;                             /* as pf_scan_opts */
  pf_progress_fn progress;                 /* as pf_scan_opts, or NULL */
  void *progress_ud;
  volatile sig_atomic_t *interrupted;      /* polled by the scan and the aggregations */
  int budget;                              /* 1: the rows and groups held count against max_memory */
  size_t max_memory;
  size_t chunk_rows;                       /* AGG: 0 for PF_EXEC_CHUNK_ROWS (tests use small ones) */
} pf_exec_opts;

/* One verb. Columns are field ids; the executor reads one chunk holding the
   union of every verb's columns. */
typedef struct pf_exec_verb {
  int kind;                   /* PF_EXEC_* */
  const int *fids;           /* COLLECT, EACH: the table's columns in order; ROWS: the fields the sink reads */
  int nfids;
  const int *keys;           /* AGG: group keys (at most 64), or none with a bucket */
  int nkeys;
  int dropna;                /* AGG: as pf_query_new */
  int bucket;                /* AGG: field id of the times for buckets (nkeys 0), else -1 */
  int64_t interval;          /* AGG, bucket: as pf_query_new */
  int origin;
  const pf_qspec *specs;     /* AGG: the aggregations, col a field id */
  int nspecs;
  pf_exec_each_fn each;      /* EACH */
  pf_sink_fn rows;           /* ROWS: its return value stops the pass (PF_EXEC_STOPPED) */
  void *ud;                  /* EACH, ROWS: their first argument */
} pf_exec_verb;

/* What a plan or a pass ends with (pf_exec.status). */
enum {
  PF_EXEC_OK = 0,
  PF_EXEC_FAIL,          /* err: a file that cannot be read, a bad BPF expression met by the scan,
                            "memory budget reached before the first packet" or "out of memory" */
  PF_EXEC_BADBPF,        /* check_bpf: bpf does not compile (or "out of memory"), err says why */
  PF_EXEC_USER,          /* the user plan callback failed (its message in err, if it gave one) */
  PF_EXEC_BUDGET,        /* max_memory reached at packet err_num of paths[err_file] */
  PF_EXEC_NOMEM,         /* out of memory at packet err_num of paths[err_file] */
  PF_EXEC_CALLBACK,      /* an EACH callback failed at packet err_num of paths[err_file] */
  PF_EXEC_STOPPED,       /* a ROWS sink asked to stop */
  PF_EXEC_INTERRUPTED,   /* *interrupted was set */
  PF_EXEC_RANGE          /* an AGG's times too far apart for its buckets */
};

/* A plan, its pass and their results. Fields above the line are the
   results; the rest is private. Must not move between pf_exec_init and
   pf_exec_free (the budget's allocator points into it). */
typedef struct pf_exec {
  int status;                        /* PF_EXEC_* */
  char err[512];                     /* PF_EXEC_FAIL, BADBPF, USER */
  uint32_t err_file;                 /* BUDGET, NOMEM, CALLBACK: the file (index into paths) */
  uint64_t err_num;                  /* ... and the packet number within that file */
  size_t err_held;                   /* BUDGET, NOMEM: rows (or with AGG verbs groups) held */
  int err_groups;                    /* err_held counts groups */
  size_t err_bytes;                  /* BUDGET: bytes the budget had handed out */
  size_t count;                      /* rows kept (COLLECT, COUNT, EACH; not counted for ROWS) */
  pf_diag diag;                      /* the scan's diagnostics (damaged files, user decoders) */
  pf_table *table;                   /* COLLECT: the rows (the caller may take it, setting NULL) */
  pf_query *query[PF_EXEC_MAXVERBS]; /* AGG: verb i's groups, for pf_query_result */
  /* ---- private ---- */
  pf_exec_opts o;
  const pf_exec_verb *v;
  int nv, mode, planned;
  pf_budget b;
  pf_ctx qctx;
  int fids[PF_MAXFIELDS];            /* the chunk's columns: the union of the verbs' */
  int nfids;
  int *dec, ndec;                    /* the fields decoded */
  int hasuser;
  pf_table *chunk;
  int *cols;                         /* AGG: per verb, keys and bucket as chunk columns */
  pf_qspec *specs[PF_EXEC_MAXVERBS]; /* AGG: per verb, the specs over chunk columns */
  unsigned char skip[PF_EXEC_MAXVERBS];
  uint64_t *frames;                  /* AGG: each chunk row's packet number within its file */
  uint32_t *files;
  int errkind;                        /* the first error the sink or a flush met (E_*) */
} pf_exec;

void pf_exec_init(pf_exec *x);

/* Plans a read of opts for the verbs v[0 .. nv) (1 to PF_EXEC_MAXVERBS; read
   again by pf_exec_run, so a callback or its ud may be set in between): the
   fields to decode (every verb's columns, the filters' and strict fields,
   then the user callback's), the BPF check, the chunk, the queries. The
   status: PF_EXEC_OK, USER, BADBPF or FAIL. */
int pf_exec_plan(pf_exec *x, const pf_exec_opts *opts, const pf_exec_verb *v, int nv);

/* Runs a plan in one pass over the files (two when a time before the first
   moved an AGG's bucket origin by a time that is not a whole number of
   intervals: the misplaced queries are fed again from the right origin).
   Packets pass the filters and strict fields; diagnostics go to x->diag;
   the first error stops the pass and is the status, with the file, packet
   and what was held. On every status but PF_EXEC_OK the chunk, table and
   queries are freed already. */
int pf_exec_run(pf_exec *x);

void pf_exec_free(pf_exec *x);

/* Compiles a BPF expression without opening a file, telling a bad expression
   (the caller's mistake) from a bad file before any reading: 0, or -1 with
   pf_scan's message in err ("out of memory" included). */
int pf_exec_check_bpf(const char *bpf, char *err, size_t errlen);

#endif
