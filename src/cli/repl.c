/* repl.c: the host's Lua runner and the interactive loop, after lua.c: protected calls,
   Ctrl-C, tracebacks of user code, multi-line chunks, readline with completion and history. */
#include "repl.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <time.h>
#include <unistd.h>

#include "lauxlib.h"
#include "lua.h"
#include "pf.h"
#include "pktframe_lua.h"

#ifdef PF_USE_READLINE
#include <readline/history.h>
#include <readline/readline.h>
#endif

#define PROMPT1 "pf> "
#define PROMPT2 "..> "
#define HISTORY_MAX 1000

/* The state a signal handler or a readline callback acts on: they take no user data. */
static lua_State *globalL = NULL;

/* ---- progress bar (stderr, terminals only) ---- */

static double now_since(const struct timespec *t0) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

void pf_bar_start(pf_bar *b, int on) {
  memset(b, 0, sizeof *b);
  b->on = on;
  clock_gettime(CLOCK_MONOTONIC, &b->start);
}

/* Draws at most five times a second, and only once a read has taken half a
   second, so that short reads leave the terminal alone. */
void pf_bar_step(void *ud, uint64_t done, uint64_t total, uint64_t packets) {
  pf_bar *b = (pf_bar *)ud;
  if (!b->on) return;
  double el = now_since(&b->start);
  if (el < 0.5 || (el - b->last < 0.2 && done < total)) return;
  b->last = el;
  double frac = total ? (double)done / (double)total : 0;
  if (frac > 1) frac = 1;
  int width = 30, fill = (int)(frac * width);
  char bar[64];
  for (int i = 0; i < width; i++) bar[i] = i < fill ? '#' : '.';
  bar[width] = 0;
  double rate = (double)packets / el, eta = frac > 0 ? el * (1 - frac) / frac : 0;
  int n = fprintf(stderr, "\r[%s] %3.0f%% %7.1f MB %10llu pkts %8.0f pkt/s ETA %4.0fs", bar, frac * 100,
                  (double)done / 1e6, (unsigned long long)packets, rate, eta);
  if (n > b->drawn) b->drawn = n;
}

void pf_bar_end(pf_bar *b) {
  if (b->drawn) fprintf(stderr, "\r%*s\r", b->drawn + 2, "");   /* + the ^C a terminal echoes */
  b->drawn = 0;
}

/* The bar pf.read draws. pf_scan reports no start, so a read's clock starts
   with the chunk that runs it, or at the first report after the previous
   read ended (done == total), or at an explicit start (done == 0). */
static pf_bar read_bar;
static int read_bar_fresh = 1;

static void read_step(void *ud, uint64_t done, uint64_t total, uint64_t packets) {
  (void)ud;
  if (read_bar_fresh || (done == 0 && packets == 0)) {
    int on = read_bar.on;
    pf_bar_start(&read_bar, on);
    read_bar_fresh = 0;
  }
  pf_bar_step(&read_bar, done, total, packets);
  if (done >= total) {
    pf_bar_end(&read_bar);
    read_bar_fresh = 1;
  }
}

static pf_lua_progress read_progress = { read_step, NULL };

void pf_repl_progress(lua_State *L, int on) {
  pf_bar_start(&read_bar, on);
  read_bar_fresh = 1;
  if (on) lua_pushlightuserdata(L, &read_progress);
  else lua_pushnil(L);
  lua_setfield(L, LUA_REGISTRYINDEX, PF_LUA_PROGRESS_KEY);
}

/* ---- protected calls: Ctrl-C and tracebacks ---- */

/* The hook Ctrl-C sets: raises at the next Lua instruction. */
static void lstop(lua_State *L, lua_Debug *ar) {
  (void)ar;
  lua_sethook(L, NULL, 0, 0);
  luaL_where(L, 0);   /* in a hook, level 0 is the function that was running */
  lua_pushliteral(L, "interrupted");
  lua_concat(L, 2);
  lua_error(L);
}

/* SIGINT while Lua runs: C loops poll pf_lua_interrupted; Lua code meets the
   hook (a count hook only: it never fires inside the message handler, a C
   function). The default action comes back, so a second Ctrl-C kills a
   program stuck where neither can see the first, as in lua.c. */
static void laction(int sig) {
  signal(sig, SIG_DFL);
  pf_lua_interrupted = 1;
  if (globalL) lua_sethook(globalL, lstop, LUA_MASKCOUNT, 1);
}

static int is_interrupt(const char *msg) {
  size_t n = strlen(msg);
  return n >= 11 && strcmp(msg + n - 11, "interrupted") == 0;
}

/* A frame of user code: Lua, and not one of pktframe's own modules (their
   sources start with the module folder, registry["pktframe.luadir"]). */
static int user_frame(const lua_Debug *ar, const char *dir, size_t dirlen) {
  if (strcmp(ar->what, "C") == 0) return 0;
  const char *s = ar->source;
  if (dir && s[0] == '@' && strncmp(s + 1, dir, dirlen) == 0 && strncmp(s + 1 + dirlen, "/pktframe/", 10) == 0)
    return 0;
  return 1;
}

static void add_frame(lua_State *L, luaL_Buffer *b, const lua_Debug *ar) {
  if (ar->currentline > 0) lua_pushfstring(L, "\n\t%s:%d: in ", ar->short_src, ar->currentline);
  else lua_pushfstring(L, "\n\t%s: in ", ar->short_src);
  luaL_addvalue(b);
  if (*ar->what == 'm') lua_pushliteral(L, "main chunk");
  else if (ar->name && *ar->namewhat)
    lua_pushfstring(L, "%s '%s'", strcmp(ar->namewhat, "global") == 0 ? "function" : ar->namewhat, ar->name);
  else lua_pushfstring(L, "function <%s:%d>", ar->short_src, ar->linedefined);
  luaL_addvalue(b);
  if (ar->istailcall) luaL_addstring(b, "\n\t(...tail calls...)");
}

/* Message handler: the message, then a traceback of user frames when there
   are at least upvalue 1 of them. Interrupts get no traceback. */
static int msghandler(lua_State *L) {
  const char *msg = lua_tostring(L, 1);
  if (msg == NULL) {
    if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING) return 1;
    msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
  }
  if (is_interrupt(msg)) {
    lua_pushstring(L, msg);
    return 1;
  }
  int min = (int)lua_tointeger(L, lua_upvalueindex(1));
  lua_getfield(L, LUA_REGISTRYINDEX, "pktframe.luadir");
  const char *dir = lua_tostring(L, -1);   /* anchored in the registry */
  size_t dirlen = dir ? strlen(dir) : 0;
  lua_pop(L, 1);
  lua_Debug ar;
  int n = 0;
  int callers = 0;   /* frames a tail call replaced count for the minimum */
  for (int level = 1; lua_getstack(L, level, &ar); level++) {
    lua_getinfo(L, "St", &ar);
    int u = user_frame(&ar, dir, dirlen);
    n += u;
    callers += u && ar.istailcall;
  }
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  luaL_addstring(&b, msg);
  if (n + callers >= min && n > 0) {
    /* deep recursion: the first and last frames say enough */
    const int head = 10, tail = 10;
    int k = 0;
    luaL_addstring(&b, "\nstack traceback:");
    for (int level = 1; lua_getstack(L, level, &ar); level++) {
      lua_getinfo(L, "Slnt", &ar);
      if (!user_frame(&ar, dir, dirlen)) continue;
      k++;
      if (k <= head || k > n - tail) add_frame(L, &b, &ar);
      else if (k == head + 1) {
        lua_pushfstring(L, "\n\t...\t(skipping %d levels)", n - head - tail);
        luaL_addvalue(&b);
      }
    }
  }
  luaL_pushresult(&b);
  return 1;
}

static void set_sigint(void (*handler)(int), int restart) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = handler;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = restart ? SA_RESTART : 0;
  sigaction(SIGINT, &sa, NULL);
}

int pf_repl_docall(lua_State *L, int narg, int nres, int min_frames) {
  int base = lua_gettop(L) - narg;
  lua_pushinteger(L, min_frames);
  lua_pushcclosure(L, msghandler, 1);
  lua_insert(L, base);
  globalL = L;
  pf_lua_interrupted = 0;
  read_bar_fresh = 1;
  set_sigint(laction, 1);
  int status = lua_pcall(L, narg, nres, base);
  set_sigint(SIG_DFL, 1);
  lua_sethook(L, NULL, 0, 0);
  pf_lua_interrupted = 0;
  if (read_bar.drawn) {   /* an error or interrupt ended a read mid-bar */
    pf_bar_end(&read_bar);
    read_bar_fresh = 1;
  }
  lua_remove(L, base);
  return status;
}

void pf_repl_report(lua_State *L, const char *prefix) {
  const char *msg = lua_tostring(L, -1);
  fflush(stdout);
  if (prefix) fprintf(stderr, "%s: ", prefix);
  fprintf(stderr, "%s\n", msg ? msg : "(error object is not a string)");
  fflush(stderr);
  lua_pop(L, 1);
}

/* ---- reading input ---- */

enum { IN_LINE, IN_EOF, IN_INTR };

static volatile sig_atomic_t prompt_intr = 0;
static int use_prompts = 0;

/* SIGINT at the prompt: installed without SA_RESTART, so the read fails with
   EINTR and the loop drops the line being typed. */
static void on_prompt_sigint(int sig) {
  (void)sig;
  prompt_intr = 1;
}

static int plain_input(const char *prompt, char **out) {
  for (;;) {
    if (use_prompts) {
      fputs(prompt, stdout);
      fflush(stdout);
    }
    char *line = NULL;
    size_t cap = 0;
    errno = 0;
    ssize_t n = getline(&line, &cap, stdin);
    if (n >= 0) {
      if (n > 0 && line[n - 1] == '\n') line[--n] = 0;
      if (n > 0 && line[n - 1] == '\r') line[--n] = 0;
      *out = line;
      return IN_LINE;
    }
    free(line);
    if (errno == EINTR && ferror(stdin)) {
      clearerr(stdin);
      if (prompt_intr) {
        prompt_intr = 0;
        fputc('\n', stdout);
        return IN_INTR;
      }
      continue;
    }
    if (use_prompts) fputc('\n', stdout);   /* Ctrl-D: the shell's prompt on a line of its own */
    return IN_EOF;
  }
}

#ifdef PF_USE_READLINE

static int use_readline = 0;
static char history_path[PATH_MAX];
static char *pf_rl_got = NULL;
static int pf_rl_have = 0;

static void pf_rl_on_line(char *line) {
  pf_rl_got = line;
  pf_rl_have = 1;
  /* removed now, or readline would show the prompt again before we are done */
  rl_callback_handler_remove();
}

/* readline's callback interface under select(), as Python's REPL does it,
   so that Ctrl-C can drop the line cleanly instead of longjmp'ing out. */
static int pf_rl_input(const char *prompt, char **out) {
  int fd = fileno(rl_instream ? rl_instream : stdin);
  pf_rl_have = 0;
  pf_rl_got = NULL;
  rl_callback_handler_install(prompt, pf_rl_on_line);
  while (!pf_rl_have) {
    fd_set fds;
    FD_ZERO(&fds);
    FD_SET(fd, &fds);
    int r = select(fd + 1, &fds, NULL, NULL, NULL);
    if (r < 0 && errno == EINTR) {
      if (prompt_intr) {
        prompt_intr = 0;
        rl_free_line_state();
        rl_callback_sigcleanup();
        rl_cleanup_after_signal();
        rl_callback_handler_remove();
        fputc('\n', stdout);
        fflush(stdout);
        return IN_INTR;
      }
      continue;
    }
    if (r < 0) {
      rl_callback_handler_remove();
      return IN_EOF;
    }
    rl_callback_read_char();
  }
  if (pf_rl_got == NULL) {
    fputc('\n', stdout);
    return IN_EOF;
  }
  *out = pf_rl_got;
  return IN_LINE;
}

/* ~/.pktframe_history, or $PKTFRAME_HISTORY ("" turns history off). */
static void history_open(void) {
  const char *p = getenv("PKTFRAME_HISTORY");
  const char *home = getenv("HOME");
  history_path[0] = 0;
  if (p != NULL) snprintf(history_path, sizeof history_path, "%s", p);
  else if (home != NULL && *home) snprintf(history_path, sizeof history_path, "%s/.pktframe_history", home);
  using_history();
  stifle_history(HISTORY_MAX);
  /* timestamps mark where an entry starts, so multi-line chunks come back whole */
  history_comment_char = '#';
  history_write_timestamps = 1;
  history_multiline_entries = 1;
  if (history_path[0] == 0) return;
  read_history(history_path);
  /* entries are appended one by one; a full history rewrites the file to
     its last HISTORY_MAX entries (history_truncate_file counts lines and
     would cut a multi-line entry) */
  if (history_length >= HISTORY_MAX) write_history(history_path);
}

static void history_save(const char *chunk) {
  if (!use_readline || chunk[0] == 0) return;
  HIST_ENTRY *last = history_length > 0 ? history_get(history_base + history_length - 1) : NULL;
  if (last && strcmp(last->line, chunk) == 0) return;
  add_history(chunk);
  char stamp[32];
  snprintf(stamp, sizeof stamp, "#%lld", (long long)time(NULL));
  add_history_time(stamp);
  if (history_path[0] == 0) return;
  /* appended at once, so that os.exit() or a kill loses nothing */
  if (append_history(1, history_path) != 0) {
    FILE *f = fopen(history_path, "a");
    if (f) {
      fclose(f);
      append_history(1, history_path);
    }
  }
}

/* ---- completion: pktframe.repl's complete(line, word) does the work ---- */

static int completion_n = 0;

static char *completion_next(const char *text, int state) {
  (void)text;
  lua_State *L = globalL;
  int top = lua_gettop(L);
  if (state == 0) completion_n = 0;
  lua_getfield(L, LUA_REGISTRYINDEX, "pktframe.completions");
  char *r = NULL;
  if (lua_istable(L, -1) && lua_geti(L, -1, ++completion_n) == LUA_TSTRING) r = strdup(lua_tostring(L, -1));
  lua_settop(L, top);
  return r;
}

static int complete_call(lua_State *L) {   /* [repl, line, word] */
  lua_getfield(L, 1, "complete");
  lua_insert(L, 2);
  lua_call(L, 2, 1);
  return 1;
}

/* The stack may hold a chunk being continued: everything here stays above it. */
static char **pf_rl_complete(const char *text, int start, int end) {
  (void)start;
  lua_State *L = globalL;
  int top = lua_gettop(L);
  char **m = NULL;
  rl_attempted_completion_over = 1;   /* no file names unless complete() says so */
  rl_completion_append_character = '\0';
  lua_pushcfunction(L, complete_call);
  lua_getfield(L, LUA_REGISTRYINDEX, "pktframe.repl");
  int ok = lua_istable(L, -1);
  lua_pushlstring(L, rl_line_buffer, (size_t)end);
  lua_pushstring(L, text);
  if (!ok || lua_pcall(L, 3, 1, 0) != LUA_OK) {
    lua_settop(L, top);
    return NULL;
  }
  if (lua_type(L, -1) == LUA_TSTRING && strcmp(lua_tostring(L, -1), "files") == 0) {
    lua_settop(L, top);
    return rl_completion_matches(text, rl_filename_completion_function);
  }
  if (lua_istable(L, -1)) {
    lua_setfield(L, LUA_REGISTRYINDEX, "pktframe.completions");
    m = rl_completion_matches(text, completion_next);
    lua_pushnil(L);
    lua_setfield(L, LUA_REGISTRYINDEX, "pktframe.completions");
  }
  lua_settop(L, top);
  return m;
}

static void readline_open(void) {
  rl_readline_name = "pktframe";
  rl_catch_signals = 0;   /* our SIGINT handler, not readline's */
  rl_attempted_completion_function = pf_rl_complete;
  /* '.', ':', '/', '-' and '~' stay inside a word: tcp.analysis.ack_rtt, cap:col, paths */
  rl_completer_word_break_characters = " \t\n\"'`<>=;|&{(,)}[]+*%^#";
  /* else a word that starts after a quote gets that quote appended when completed */
  rl_basic_quote_characters = "";
  /* the second Tab lists the candidates once the first completed what they share
     (bound before ~/.inputrc is read, so that the user's setting wins) */
  rl_variable_bind("show-all-if-unmodified", "on");
  history_open();
  use_readline = 1;
}

#else

static void history_save(const char *chunk) { (void)chunk; }

#endif

/* One line with the prompt: IN_LINE (*out malloc'd), IN_EOF or IN_INTR. */
static int read_input(const char *prompt, char **out) {
  int r;
  prompt_intr = 0;
  set_sigint(on_prompt_sigint, 0);
#ifdef PF_USE_READLINE
  if (use_readline) r = pf_rl_input(prompt, out);
  else
#endif
    r = plain_input(prompt, out);
  set_sigint(SIG_DFL, 1);
  return r;
}

/* ---- the loop (lua.c's loadline, addreturn, multiline) ---- */

#define LOAD_EOF (-1)
#define LOAD_INTR (-2)

static int incomplete(lua_State *L, int status) {
  static const char eof[] = "<eof>";
  const size_t k = sizeof eof - 1;
  if (status == LUA_ERRSYNTAX) {
    size_t n;
    const char *msg = lua_tolstring(L, -1, &n);
    if (n >= k && strcmp(msg + n - k, eof) == 0) {
      lua_pop(L, 1);
      return 1;
    }
  }
  return 0;
}

/* Pushes the next line; returns IN_*. */
static int pushline(lua_State *L, int first) {
  char *line;
  int r = read_input(first ? PROMPT1 : PROMPT2, &line);
  if (r != IN_LINE) return r;
  lua_pushstring(L, line);
  free(line);
  return IN_LINE;
}

/* Tries "return LINE;" so that an expression prints its value. */
static int addreturn(lua_State *L) {
  const char *line = lua_tostring(L, -1);
  const char *retline = lua_pushfstring(L, "return %s;", line);
  int status = luaL_loadbuffer(L, retline, strlen(retline), "=stdin");
  if (status == LUA_OK) {
    lua_remove(L, -2);
    history_save(line);
  } else {
    lua_pop(L, 2);
  }
  return status;
}

/* Reads continuation lines while the chunk is incomplete. Unlike lua.c, a
   chunk of several lines is tried as an expression too, so that "(3 +" and
   "4)" print 7. */
static int multiline(lua_State *L) {
  for (int first = 1;; first = 0) {
    size_t len;
    const char *chunk = lua_tolstring(L, 1, &len);
    if (!first) {
      const char *ret = lua_pushfstring(L, "return %s;", chunk);
      if (luaL_loadbuffer(L, ret, strlen(ret), "=stdin") == LUA_OK) {
        lua_remove(L, -2);
        history_save(chunk);
        return LUA_OK;
      }
      lua_pop(L, 2);
    }
    int status = luaL_loadbuffer(L, chunk, len, "=stdin");
    if (!incomplete(L, status)) {
      history_save(chunk);
      return status;
    }
    int r = pushline(L, 0);
    if (r == IN_INTR) return LOAD_INTR;
    if (r == IN_EOF) {
      history_save(chunk);
      /* the chunk ended unfinished: its error, as lua.c reports it */
      return luaL_loadbuffer(L, chunk, len, "=stdin");
    }
    lua_pushliteral(L, "\n");
    lua_insert(L, -2);
    lua_concat(L, 3);
  }
}

/* Leaves a compiled chunk (LUA_OK) or an error message on the stack, or
   returns LOAD_EOF or LOAD_INTR with the stack empty. */
static int loadline(lua_State *L) {
  lua_settop(L, 0);
  int r = pushline(L, 1);
  if (r == IN_EOF) return LOAD_EOF;
  if (r == IN_INTR) return LOAD_INTR;
  int status = addreturn(L);
  if (status != LUA_OK) status = multiline(L);
  if (status == LOAD_INTR) {
    lua_settop(L, 0);
    return LOAD_INTR;
  }
  lua_remove(L, 1);
  return status;
}

/* print_results helper, run protected: _ = first result; repl.show(...) to stdout. */
static int show_results(lua_State *L) {
  int n = lua_gettop(L);
  lua_pushvalue(L, 1);
  lua_setglobal(L, "_");
  if (lua_getfield(L, LUA_REGISTRYINDEX, "pktframe.repl") == LUA_TTABLE &&
      lua_getfield(L, -1, "show") == LUA_TFUNCTION) {
    for (int i = 1; i <= n; i++) lua_pushvalue(L, i);
    lua_call(L, n, 1);
    size_t len;
    const char *s = luaL_tolstring(L, -1, &len);
    fwrite(s, 1, len, stdout);
    fputc('\n', stdout);
    return 0;
  }
  for (int i = 1; i <= n; i++) {
    size_t len;
    const char *s = luaL_tolstring(L, i, &len);
    if (i > 1) fputc('\t', stdout);
    fwrite(s, 1, len, stdout);
    lua_pop(L, 1);
  }
  fputc('\n', stdout);
  return 0;
}

static int print_results(lua_State *L) {
  int n = lua_gettop(L);
  if (n == 0) return LUA_OK;
  lua_pushcfunction(L, show_results);
  lua_insert(L, 1);
  return pf_repl_docall(L, n, 0, 2);
}

/* Setup, run protected: pf, the REPL module, help and fields as globals,
   and the captures as cap. Upvalue: the options (light userdata). */
static int setup(lua_State *L) {
  const pf_repl_opts *o = (const pf_repl_opts *)lua_touserdata(L, 1);
  lua_getglobal(L, "require");
  lua_pushliteral(L, "pktframe");
  lua_call(L, 1, 1);
  lua_setglobal(L, "pf");
  lua_getglobal(L, "require");
  lua_pushliteral(L, "pktframe.repl");
  lua_call(L, 1, 1);
  lua_pushvalue(L, -1);
  lua_setfield(L, LUA_REGISTRYINDEX, "pktframe.repl");
  int repl = lua_gettop(L);
  lua_getfield(L, repl, "help");
  lua_setglobal(L, "help");
  lua_getfield(L, repl, "fields");
  lua_setglobal(L, "fields");
  /* arg as in scripts: arg[0] the program, arg[1..] the captures (cap:paths() after the read) */
  lua_createtable(L, o->ncaptures, 1);
  lua_pushliteral(L, "pktframe");
  lua_rawseti(L, -2, 0);
  for (int i = 0; i < o->ncaptures; i++) {
    lua_pushstring(L, o->captures[i]);
    lua_rawseti(L, -2, i + 1);
  }
  lua_setglobal(L, "arg");
  if (o->ncaptures == 0) return 0;
  lua_getfield(L, repl, "load");
  lua_createtable(L, o->ncaptures, 0);
  for (int i = 0; i < o->ncaptures; i++) {
    lua_pushstring(L, o->captures[i]);
    lua_rawseti(L, -2, i + 1);
  }
  lua_createtable(L, 0, 3);
  if (o->fields) {
    lua_pushstring(L, o->fields);
    lua_setfield(L, -2, "fields");
  }
  if (o->filter) {
    lua_pushstring(L, o->filter);
    lua_setfield(L, -2, "filter");
  }
  if (o->bpf) {
    lua_pushstring(L, o->bpf);
    lua_setfield(L, -2, "bpf");
  }
  lua_call(L, 2, 2);   /* cap, summary */
  if (!o->quiet) {
    fputs(lua_tostring(L, -1), stderr);
    fputc('\n', stderr);
  }
  lua_pop(L, 1);
  lua_setglobal(L, "cap");
  return 0;
}

/* Appends pktframe.repl's hint(msg, cap) to the error message on top, when it has one
   ("hint: cap was read without ...: cap = cap:reread{...}"). Never raises. */
static int hint_call(lua_State *L) {   /* [msg] -> [msg or msg .. "\n" .. hint] */
  lua_getfield(L, LUA_REGISTRYINDEX, "pktframe.repl");
  lua_getfield(L, -1, "hint");
  lua_pushvalue(L, 1);
  lua_getglobal(L, "cap");
  lua_call(L, 2, 1);
  if (lua_type(L, -1) == LUA_TSTRING) {
    lua_pushvalue(L, 1);
    lua_pushliteral(L, "\n");
    lua_pushvalue(L, -3);
    lua_concat(L, 3);
  } else {
    lua_pushvalue(L, 1);
  }
  return 1;
}

static void add_hint(lua_State *L) {
  if (lua_type(L, -1) != LUA_TSTRING) return;
  lua_pushcfunction(L, hint_call);
  lua_pushvalue(L, -2);
  if (lua_pcall(L, 1, 1, 0) == LUA_OK) lua_replace(L, -2);
  else lua_pop(L, 1);
}

int pf_repl_run(lua_State *L, const pf_repl_opts *o) {
  int tty = isatty(0);
  globalL = L;
  lua_pushcfunction(L, setup);
  lua_pushlightuserdata(L, (void *)o);
  if (pf_repl_docall(L, 1, 0, 1) != LUA_OK) {
    const char *msg = lua_tostring(L, -1);
    int rc = msg && is_interrupt(msg) ? 130 : 1;
    if (rc != 130 || !tty) {
      pf_repl_report(L, "pktframe");
      return rc;
    }
    /* Ctrl-C stopped the first read: the session goes on without cap (docs/repl.md) */
    lua_pop(L, 1);
    fflush(stdout);
    fprintf(stderr, "pktframe: interrupted: the read of %s stopped; cap is not set (cap = pf.read(%s%s%s) reads %s again)\n",
            o->ncaptures == 1 ? o->captures[0] : "the captures", o->ncaptures == 1 ? "\"" : "{...}",
            o->ncaptures == 1 ? o->captures[0] : "", o->ncaptures == 1 ? "\"" : "", o->ncaptures == 1 ? "it" : "them");
    fflush(stderr);
  }
  use_prompts = tty;
#ifdef PF_USE_READLINE
  if (tty) readline_open();
#endif
  if (tty)
    printf("pktframe %s (%s). help() for help, Ctrl-D to leave.\n", PF_VERSION, LUA_RELEASE);
  int failed = 0;
  for (;;) {
    int status = loadline(L);
    if (status == LOAD_EOF) break;
    if (status == LOAD_INTR) continue;
    if (status == LUA_OK) status = pf_repl_docall(L, 0, LUA_MULTRET, 2);
    if (status == LUA_OK) status = print_results(L);
    if (status != LUA_OK) {
      add_hint(L);
      pf_repl_report(L, NULL);
      failed = 1;
    }
    lua_settop(L, 0);
    fflush(stdout);
  }
  return !tty && failed ? 1 : 0;
}
