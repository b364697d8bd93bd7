/* repl.h: the host's Lua runner: protected calls with Ctrl-C and user-code tracebacks, and the REPL. */
#ifndef PF_REPL_H
#define PF_REPL_H

#include <stdint.h>
#include <time.h>

#include "lua.h"
#include "pktframe_lua.h"

/* How `pktframe [CAPTURE...]` starts the REPL. */
typedef struct pf_repl_opts {
  const char *const *captures;   /* loaded as the global cap, or none */
  int ncaptures;
  const char *fields;            /* "a,b,c" for pf.read, or NULL for the default fields */
  const char *filter;            /* display filter for pf.read, or NULL */
  const char *bpf;               /* capture filter for pf.read, or NULL */
  int quiet;                     /* no load summary, no progress bar */
} pf_repl_opts;

/* Calls the function below narg arguments on the stack with lua_pcall, with
   Ctrl-C interrupting it (a hook for Lua code, pf_lua_interrupted for C
   loops) and a message handler that appends a traceback of user code only:
   C functions and pktframe's own modules are left out. The traceback is
   added when it has at least min_frames frames. Returns the lua_pcall
   status; nres results or the message on the stack. */
int pf_repl_docall(lua_State *L, int narg, int nres, int min_frames);

/* Prints the message on top of the stack to stderr (prefixed by prefix
   unless NULL) and pops it. */
void pf_repl_report(lua_State *L, const char *prefix);

/* Runs the REPL on L: loads the captures, then reads chunks from stdin
   (readline on a terminal when built with it) until end of input.
   Returns the exit status: 0; 1 when loading failed or, with stdin not a
   terminal, any chunk failed; 130 when Ctrl-C stopped the loading. */
int pf_repl_run(lua_State *L, const pf_repl_opts *o);

/* The host's progress bar, for pf.read through the registry: while
   registry["pktframe.progress"] is a light userdata pointing to a
   pf_lua_progress, pf.read passes fn and ud to pf_scan. Defined here until
   pktframe_lua.h has it (then this copy steps aside). */
#ifndef PF_LUA_PROGRESS_KEY
#define PF_LUA_PROGRESS_KEY "pktframe.progress"
typedef struct pf_lua_progress {
  void (*fn)(void *ud, uint64_t done, uint64_t total, uint64_t packets);
  void *ud;
} pf_lua_progress;
#endif

/* A progress bar on stderr: bytes, packets, packets/s, ETA. pf_bar_step is a
   pf_progress_fn (ud: the pf_bar); nothing is drawn unless on, nor before
   half a second has passed. pf_bar_end erases what was drawn. */
typedef struct pf_bar {
  int on;
  struct timespec start;
  double last;
  int drawn;   /* width of the widest line drawn, 0 for none */
} pf_bar;

void pf_bar_start(pf_bar *b, int on);
void pf_bar_step(void *ud, uint64_t done, uint64_t total, uint64_t packets);
void pf_bar_end(pf_bar *b);

/* Installs (on != 0) or removes the progress bar on stderr for pf.read in L. */
void pf_repl_progress(lua_State *L, int on);

#endif
