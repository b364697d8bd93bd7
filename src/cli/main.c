/* main.c: the pktframe command: `fields` and `info` in pure C, scripts, one-liners and the REPL under Lua. */
#include <errno.h>
#include <pcap/pcap.h>
#include <limits.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lauxlib.h"
#include "lua.h"
#include "lualib.h"

#include "fields.h"
#include "budget.h"
#include "fieldsout.h"
#include "filter_lua.h"
#include "info.h"
#include "pf.h"
#include "repl.h"
#include "scan.h"
#include "exec_lua.h"

/* the C half of the Lua module (src/pktframe_lua.c), linked in */
int luaopen_pktframe_core(lua_State *L);

#ifndef PF_EXAMPLESDIR
#define PF_EXAMPLESDIR "/usr/local/share/pktframe/examples"
#endif
#ifndef PF_LUADIR
#define PF_LUADIR "/usr/local/share/lua/5.4"
#endif

static const char *progname = "pktframe";
static const char *max_memory = NULL;   /* --max-memory SIZE: the budget of every pf.read and pf.scan */
static volatile sig_atomic_t interrupted = 0;

static void on_sigint(int sig) {
  (void)sig;
  interrupted = 1;
}

static const char usage_main[] =
  "usage: pktframe [CAPTURE...] [--fields A,B,C] [-Y FILTER] [-f BPF] [-q]\n"
  "       pktframe COMMAND [ARGS...]\n"
  "\n"
  "Packet captures as fast columnar tables, with Wireshark's field names and values.\n"
  "With no command, starts the Lua REPL, the captures (read as one) loaded as `cap`.\n"
  "\n"
  "commands:\n"
  "  fields FILE... -e FIELD...   print fields as tshark -T fields does\n"
  "  fields --list [REGEX]        list the fields pktframe decodes\n"
  "  info FILE...                 file format, link types, packets, times, rates, protocols\n"
  "  stats -z NAME[,ARGS] CAPTURE...  tshark's -z statistics (conv, endpoints, io,stat, ...)\n"
  "  run SCRIPT [ARGS...]         run a Lua script (arg is set as lua does); SCRIPT may name a\n"
  "                               shipped example: run streams CAPTURE\n"
  "  -e CODE [ARGS...]            run a Lua chunk\n"
  "  help [COMMAND]               this text, or a command's (fields, info, stats, run, repl)\n"
  "  --version                    print the version\n"
  "\n"
  "--max-memory SIZE before the command (512M, 1.5G, 4G) caps what each pf.read or\n"
  "pf.scan of run, -e or the REPL holds: past it the read stops with an error.\n"
  "\n"
  "Scripts use: local pf = require \"pktframe\"; local t = pf.read(\"x.pcap\", {fields = {...}})\n"
  "Exit status: 0 ok, 1 runtime error (unreadable or damaged file, Lua error),\n"
  "2 usage error, 130 interrupted. The manual: man pktframe.\n";

static const char usage_repl[] =
  "usage: pktframe [CAPTURE...] [--fields A,B,C] [-Y FILTER] [-f BPF] [-q]\n"
  "\n"
  "The Lua REPL. With captures, reads them as one with pf.read and sets the global\n"
  "`cap` to the table, saying how many packets, what time span and which columns.\n"
  "Globals: pf (the module), cap, help(x), fields(pattern), _ (the last value).\n"
  "Expressions print their value; a chunk continues on the next line while it is\n"
  "incomplete; Tab completes names, methods and field names in strings; Ctrl-C\n"
  "stops what runs; Ctrl-D leaves. History: ~/.pktframe_history ($PKTFRAME_HISTORY).\n"
  "With stdin not a terminal, the lines are run the same way, without prompts;\n"
  "the exit status is then 1 if any chunk failed.\n"
  "\n"
  "options:\n"
  "  --fields A,B,C      the columns of cap (default pf.default_fields)\n"
  "  -Y FILTER           keep the packets matching a Wireshark display filter\n"
  "  -f BPF              libpcap capture filter applied while reading\n"
  "  -q, --quiet         no load summary, no progress bar\n";

static const char usage_run[] =
  "usage: pktframe run [-q] [--threads N] SCRIPT [ARGS...]\n"
  "       pktframe -e CODE [ARGS...]\n"
  "\n"
  "Runs a Lua 5.4 script, or a chunk given on the command line, with\n"
  "require \"pktframe\" available and the global pf (the module). arg is set as lua sets\n"
  "it: arg[0] the script, arg[1...] and ... its arguments. An error prints\n"
  "script.lua:LINE: message and a traceback of the script's own frames, exit status 1.\n"
  "pf.read draws a progress bar on stderr when it is a terminal; -q turns it off.\n"
  "--threads N makes N (1 or 2) the default of pf.read's threads option.\n"
  "These options go before SCRIPT: what follows SCRIPT is the script's own.\n"
  "SCRIPT that names no file may name a shipped example, with or without .lua:\n"
  "pktframe run streams CAPTURE runs examples/streams.lua (beside the binary in a\n"
  "build tree, or PREFIX/share/pktframe/examples once installed).\n";

static const char usage_info[] =
  "usage: pktframe info [-q] FILE...\n"
  "\n"
  "Says of each capture what capinfos says: file format, link types, file size,\n"
  "packets, data size, first and last packet time, duration, average rates and\n"
  "packet size; then how many packets and bytes are IP (IPv4, IPv6), TCP, UDP,\n"
  "other IP and non-IP. A damaged file is reported up to the damage (exit status 1).\n"
  "  -q, --quiet         no progress bar\n";

static const char usage_fields[] =
  "usage: pktframe fields [-r] FILE... -e FIELD... [options]\n"
  "\n"
  "Prints one line per frame with the values of the fields, exactly as\n"
  "`tshark -r FILE -T fields -E header=y -e FIELD...` prints them.\n"
  "Several files are read in order as one capture (frame numbers and streams continue).\n"
  "\n"
  "options:\n"
  "  -e FIELD            a field to print (repeatable); see --list\n"
  "  -f BPF              libpcap capture-filter expression applied while reading\n"
  "  -Y FILTER           Wireshark display filter (tshark -Y): print matching frames only\n"
  "  -E header=y|n       print the field names first (default y)\n"
  "  -E separator=/t|/s|C  between fields: tab (default), space or a character\n"
  "  -E occurrence=f|l|a first, last or all occurrences of a field (default a)\n"
  "  -E aggregator=C     between occurrences (default ,)\n"
  "  -q, --quiet         no progress bar\n"
  "  --threads N         2: decode in one thread while another formats (same output; default 1)\n"
  "  --list [REGEX]      list field names, types and descriptions, optionally matching REGEX\n"
  "  --load SCRIPT       run a Lua script first, as `pktframe run` would (repeatable):\n"
  "                      the fields it defines with pf.define_field work in -e, -Y and --list\n"
  "  -T fields, -n       accepted and ignored, for tshark command lines\n";

static int usage_error(const char *fmt, const char *arg) {
  fprintf(stderr, "%s: ", progname);
  fprintf(stderr, fmt, arg);
  fprintf(stderr, "\nTry '%s help' for more information.\n", progname);
  return 2;
}

static lua_State *new_state(void);
static int require_pf(lua_State *L);

/* ---- fields ---- */

/* Runs every --load SCRIPT of argv in *L (made on first use), before any
   field name is looked up: the scripts define user fields. 0, or 1 after
   printing the script's error. */
static int load_scripts(lua_State **L, int argc, char **argv) {
  for (int i = 0; i + 1 < argc; i++) {
    if (strcmp(argv[i], "--load") != 0) continue;
    const char *script = argv[++i];
    if (*L == NULL) {
      *L = new_state();
      if (*L == NULL) { fprintf(stderr, "%s: out of memory\n", progname); return 1; }
      lua_pushcfunction(*L, require_pf);
      if (pf_repl_docall(*L, 0, 0, 1) != LUA_OK) { pf_repl_report(*L, progname); return 1; }
    }
    int status = luaL_loadfile(*L, script);
    if (status == LUA_OK) status = pf_repl_docall(*L, 0, 0, 1);
    if (status != LUA_OK) {
      pf_repl_report(*L, status == LUA_ERRFILE ? progname : NULL);
      return 1;
    }
  }
  return 0;
}

static int list_fields(const char *pattern) {
  regex_t re;
  if (pattern && regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB | REG_ICASE) != 0)
    return usage_error("bad regular expression '%s'", pattern);
  for (int i = 0; i < pf_field_count(); i++) {
    if (pf_field_retired(i)) continue;
    const pf_field_info *f = &pf_fields[i];
    if (pattern && regexec(&re, f->name, 0, NULL, 0) != 0 && regexec(&re, f->doc, 0, NULL, 0) != 0)
      continue;
    printf("%-32s %-9s %s\n", f->name, pf_ftype_name(f->type), f->doc);
  }
  if (pattern) regfree(&re);
  return 0;
}

static int unknown_field(const char *name) {
  char msg[512];
  pf_field_unknown(name, msg, sizeof msg);
  fprintf(stderr, "%s: %s\nTry '%s fields --list' for the fields pktframe knows.\n", progname, msg, progname);
  return 2;
}

static int parse_E(pf_fields_opts *o, const char *spec) {
  const char *eq = strchr(spec, '=');
  if (eq == NULL) return -1;
  size_t k = (size_t)(eq - spec);
  const char *v = eq + 1;
  if (k == 6 && strncmp(spec, "header", 6) == 0) {
    if (strcmp(v, "y") == 0) o->header = 1;
    else if (strcmp(v, "n") == 0) o->header = 0;
    else return -1;
  } else if (k == 9 && strncmp(spec, "separator", 9) == 0) {
    if (strcmp(v, "/t") == 0) o->separator = '\t';
    else if (strcmp(v, "/s") == 0) o->separator = ' ';
    else if (strlen(v) == 1) o->separator = v[0];
    else return -1;
  } else if (k == 10 && strncmp(spec, "occurrence", 10) == 0) {
    if ((v[0] == 'f' || v[0] == 'l' || v[0] == 'a') && v[1] == 0) o->occurrence = v[0];
    else return -1;
  } else if (k == 10 && strncmp(spec, "aggregator", 10) == 0) {
    if (strcmp(v, "/s") == 0) o->aggregator = ' ';
    else if (strlen(v) == 1) o->aggregator = v[0];
    else return -1;
  } else if (k == 5 && strncmp(spec, "quote", 5) == 0) {
    if (strcmp(v, "n") != 0) return -1;   /* only tshark's default */
  } else {
    return -1;
  }
  return 0;
}

/* --threads N: 1 to 64 (more than 2 decode as 2 do); -1 after a usage error. */
static int parse_threads(const char *v) {
  char *end;
  long n = strtol(v, &end, 10);
  if (*v == 0 || *end != 0 || n < 1 || n > 64) {
    usage_error("bad --threads value '%s' (1 to 64)", v);
    return -1;
  }
  return (int)n;
}

static int cmd_fields(int argc, char **argv) {
  pf_fields_opts o = { 1, '\t', 'a', ',' };
  int threads = 1;
  const char **files = calloc((size_t)argc + 1, sizeof *files);
  int *fids = calloc((size_t)argc + 1, sizeof *fids);
  int nfiles = 0, nfids = 0, quiet = 0, rc = 0;
  const char *bpf = NULL, *yfilter = NULL;
  lua_State *L = NULL;
  pf_filter *filter = NULL;
  if (files == NULL || fids == NULL) { fprintf(stderr, "%s: out of memory\n", progname); return 1; }
  if (load_scripts(&L, argc, argv)) { rc = 1; goto out; }
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
      fputs(usage_fields, stdout);
      goto out;
    } else if (strcmp(a, "--load") == 0) {
      if (i + 1 >= argc) { rc = usage_error("option %s needs an argument", a); goto out; }
      i++;   /* run by load_scripts */
    } else if (strcmp(a, "--list") == 0) {
      rc = list_fields(i + 1 < argc ? argv[i + 1] : NULL);
      goto out;
    } else if (strcmp(a, "-e") == 0 || strcmp(a, "-f") == 0 || strcmp(a, "-E") == 0 ||
               strcmp(a, "-r") == 0 || strcmp(a, "-T") == 0 || strcmp(a, "-Y") == 0) {
      if (i + 1 >= argc) { rc = usage_error("option %s needs an argument", a); goto out; }
      const char *v = argv[++i];
      if (a[1] == 'e') {
        int fid = pf_field_lookup(v);
        if (fid < 0) { rc = unknown_field(v); goto out; }
        fids[nfids++] = fid;
      } else if (a[1] == 'f') {
        bpf = v;
      } else if (a[1] == 'Y') {
        yfilter = v;
      } else if (a[1] == 'E') {
        if (parse_E(&o, v) < 0) { rc = usage_error("bad -E option '%s'", v); goto out; }
      } else if (a[1] == 'r') {
        files[nfiles++] = v;
      } else if (strcmp(v, "fields") != 0) {
        rc = usage_error("only -T fields is supported, not '%s'", v);
        goto out;
      }
    } else if (strcmp(a, "-n") == 0) {
      continue;
    } else if (strcmp(a, "--threads") == 0) {
      if (i + 1 >= argc) { rc = usage_error("option %s needs an argument", a); goto out; }
      if ((threads = parse_threads(argv[++i])) < 0) { rc = 2; goto out; }
    } else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
      quiet = 1;
    } else if (a[0] == '-' && a[1] != 0) {
      rc = usage_error("unknown option '%s'", a);
      goto out;
    } else {
      files[nfiles++] = a;
    }
  }
  if (nfiles == 0) { rc = usage_error("%s", "fields: no capture file given"); goto out; }
  if (nfids == 0) { rc = usage_error("%s", "fields: no field given (use -e FIELD)"); goto out; }
  if (yfilter) {
    char ferr[512];
    if (L == NULL) L = new_state();
    if (L == NULL) { fprintf(stderr, "%s: out of memory\n", progname); rc = 1; goto out; }
    filter = pf_lua_filter_compile(L, yfilter, ferr, sizeof ferr);
    if (filter == NULL) {
      fprintf(stderr, "%s: bad filter '%s': %s\n", progname, yfilter, ferr);
      rc = 2;
      goto out;
    }
  }
  /* one read (exec.h): the fields printed, the filter's, user fields (--load) decoded in L */
  pf_bar pg;
  pf_exec_opts eo;
  memset(&eo, 0, sizeof eo);
  eo.paths = files;
  eo.npaths = nfiles;
  eo.bpf = bpf;
  eo.filters = (const pf_filter *const *)&filter;
  eo.nfilters = filter != NULL;
  eo.threads = threads;
  eo.interrupted = &interrupted;
  eo.progress = pf_bar_step;
  eo.progress_ud = &pg;
  pf_lua_execuser eu;
  if (L) {
    pf_lua_execuser_init(&eu, L);
    eo.user = &eu.hook;
  }
  pf_exec_verb v;
  memset(&v, 0, sizeof v);
  v.kind = PF_EXEC_ROWS;
  v.fids = fids;
  v.nfids = nfids;
  v.bucket = -1;
  v.rows = pf_fields_out_row;   /* rows need no p->data */
  pf_exec x;
  pf_exec_init(&x);
  if (pf_exec_plan(&x, &eo, &v, 1) != PF_EXEC_OK) {
    fprintf(stderr, "%s: %s\n", progname, x.err);
    rc = 1;
    pf_exec_free(&x);
    goto out;
  }
  pf_fields_out *w = pf_fields_out_new(stdout, fids, nfids, &o);
  if (w == NULL) { fprintf(stderr, "%s: out of memory\n", progname); rc = 1; pf_exec_free(&x); goto out; }
  v.ud = w;
  pf_bar_start(&pg, !quiet && isatty(2));
  signal(SIGINT, on_sigint);
  int sr = pf_exec_run(&x);
  signal(SIGINT, SIG_DFL);
  pf_bar_end(&pg);
  const pf_diag *diag = &x.diag;
  if (sr != PF_EXEC_FAIL || diag->n > 0) {
    if (pf_fields_out_finish(w) && sr != PF_EXEC_STOPPED) {
      fprintf(stderr, "%s: error writing output: %s\n", progname, strerror(errno));
      rc = 1;
    }
  }
  if (sr == PF_EXEC_STOPPED && rc == 0) {
    fprintf(stderr, "%s: error writing output\n", progname);
    rc = 1;
  }
  for (int i = 0; i < diag->n; i++) fprintf(stderr, "%s: %s\n", progname, diag->msgs[i]);
  if (diag->n) rc = 1;
  if (sr == PF_EXEC_FAIL) {
    fprintf(stderr, "%s: %s\n", progname, x.err);
    rc = strncmp(x.err, "bad capture filter", 18) == 0 ? 2 : 1;
  } else if (sr == PF_EXEC_INTERRUPTED) {
    fprintf(stderr, "%s: interrupted\n", progname);
    rc = 130;
  }
  pf_exec_free(&x);
  pf_fields_out_free(w);
out:
  pf_filter_free(filter);
  if (L) lua_close(L);
  free(files);
  free(fids);
  return rc;
}

/* ---- info ---- */

static int cmd_info(int argc, char **argv) {
  int quiet = 0, nfiles = 0, rc = 0;
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
      fputs(usage_info, stdout);
      return 0;
    } else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
      quiet = 1;
    } else if (a[0] == '-' && a[1] != 0) {
      return usage_error("unknown option '%s'", a);
    } else {
      nfiles++;
    }
  }
  if (nfiles == 0) return usage_error("%s", "info: no capture file given");
  int first = 1;
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i];
    if (a[0] == '-' && a[1] != 0) continue;
    pf_bar pg;
    pf_bar_start(&pg, !quiet && isatty(2));
    pf_scan_opts so = { NULL, &interrupted, pf_bar_step, &pg, NULL, NULL, 0, 0, 0 };
    pf_info inf;
    pf_diag diag;
    pf_diag_init(&diag);
    char err[512];
    signal(SIGINT, on_sigint);
    int sr = pf_info_scan(a, &so, &inf, &diag, err, sizeof err);
    signal(SIGINT, SIG_DFL);
    pf_bar_end(&pg);
    if (sr == PF_SCAN_INTERRUPTED) {
      pf_diag_free(&diag);
      fprintf(stderr, "%s: interrupted\n", progname);
      return 130;
    }
    if (sr == PF_SCAN_ERROR) {
      fprintf(stderr, "%s: %s\n", progname, err);
      rc = 1;
    } else {
      if (!first) fputc('\n', stdout);
      first = 0;
      pf_info_write(stdout, a, &inf);
      fflush(stdout);
      for (int k = 0; k < diag.n; k++) fprintf(stderr, "%s: %s\n", progname, diag.msgs[k]);
      if (diag.n) rc = 1;
    }
    pf_diag_free(&diag);
  }
  return rc;
}

/* ---- Lua: run, -e and the REPL ---- */

/* The Lua module folder, found from the binary so that a build tree and any
   install prefix work as they are: BIN/../lua in a build tree,
   PREFIX/bin/../share/lua/5.4 once installed, else the PF_LUADIR compiled in. */
static void lua_dir(char *out, size_t n) {
  static const char *const rel[] = { "/../lua", "/../share/lua/5.4" };
  char exe[PATH_MAX];
  ssize_t k = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (k > 0) {
    exe[k] = 0;
    char *slash = strrchr(exe, '/');
    if (slash) {
      *slash = 0;
      for (size_t i = 0; i < sizeof rel / sizeof rel[0]; i++) {
        snprintf(out, n, "%s%s/pktframe/init.lua", exe, rel[i]);
        if (access(out, R_OK) == 0) {
          snprintf(out, n, "%s%s", exe, rel[i]);
          return;
        }
      }
    }
  }
  snprintf(out, n, "%s", PF_LUADIR);
}

/* A shipped example by name, for `pktframe run streams CAPTURE`: when name is
   no file and holds no '/', NAME or NAME.lua in the examples folder beside the
   binary (BIN/../examples in a build tree, BIN/../share/pktframe/examples once
   installed) or in the compiled-in PF_EXAMPLESDIR. The path into out, or 0. */
static int find_example(const char *name, char *out, size_t n) {
  if (access(name, F_OK) == 0 || strchr(name, '/') != NULL || name[0] == 0 || name[0] == '-') return 0;
  size_t len = strlen(name);
  const char *ext = len > 4 && strcmp(name + len - 4, ".lua") == 0 ? "" : ".lua";
  char exe[PATH_MAX];
  const char *dirs[3] = { NULL, NULL, PF_EXAMPLESDIR };
  char d0[PATH_MAX + 32], d1[PATH_MAX + 32];
  ssize_t k = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (k > 0) {
    exe[k] = 0;
    char *slash = strrchr(exe, '/');
    if (slash) {
      *slash = 0;
      snprintf(d0, sizeof d0, "%s/../examples", exe);
      snprintf(d1, sizeof d1, "%s/../share/pktframe/examples", exe);
      dirs[0] = d0;
      dirs[1] = d1;
    }
  }
  for (int i = 0; i < 3; i++) {
    if (dirs[i] == NULL) continue;
    if ((size_t)snprintf(out, n, "%s/%s%s", dirs[i], name, ext) >= n) continue;
    if (access(out, R_OK) == 0) {
      char real[PATH_MAX];   /* arg[0] and messages name the file without "bin/../" */
      if (realpath(out, real) != NULL && strlen(real) < n) strcpy(out, real);
      return 1;
    }
  }
  return 0;
}

/* Adds "D/?.lua;D/?/init.lua;" for the folder D (n bytes at d). A folder whose
   name has ';' or '?' cannot be written as a Lua path template and is left out;
   an entry that already holds a '?' is taken as a template as it is. */
static void add_dir_templates(luaL_Buffer *b, const char *d, size_t n) {
  if (n == 0 && d[0] != 0 && d[0] != '/') return;   /* an empty PKTFRAME_PATH entry */
  if (memchr(d, ';', n) != NULL) return;
  if (memchr(d, '?', n) != NULL) {
    luaL_addlstring(b, d, n);
    luaL_addchar(b, ';');
    return;
  }
  for (int k = 0; k < 2; k++) {
    luaL_addlstring(b, d, n);
    luaL_addstring(b, k == 0 ? "/?.lua;" : "/?/init.lua;");
  }
}

static lua_State *new_state(void) {
  lua_State *L = luaL_newstate();
  if (L == NULL) return NULL;
  luaL_openlibs(L);
  if (max_memory) {   /* read by pf.read and pf.scan (PF_LUA_MAXMEM_KEY of pktframe_lua.h) */
    lua_pushstring(L, max_memory);
    lua_setfield(L, LUA_REGISTRYINDEX, "pktframe.max_memory");
  }
  luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
  lua_pushcfunction(L, luaopen_pktframe_core);
  lua_setfield(L, -2, "pktframe.core");
  lua_pop(L, 1);
  char dir[PATH_MAX + 64];
  lua_dir(dir, sizeof dir);
  /* tracebacks leave out frames of the modules found here */
  lua_pushstring(L, dir);
  lua_setfield(L, LUA_REGISTRYINDEX, "pktframe.luadir");
  /* package.path: every PKTFRAME_PATH directory, ~/.pktframe/lua, pktframe's
     own modules, then Lua's default (a script's folder goes first: add_script_dir) */
  lua_getglobal(L, "package");
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  const char *extra = getenv("PKTFRAME_PATH");
  while (extra && *extra) {
    size_t n = strcspn(extra, ":");
    add_dir_templates(&b, extra, n);
    extra += n;
    if (*extra == ':') extra++;
  }
  const char *home = getenv("HOME");
  char hd[PATH_MAX];
  if (home && *home && (size_t)snprintf(hd, sizeof hd, "%s/.pktframe/lua", home) < sizeof hd)
    add_dir_templates(&b, hd, strlen(hd));
  add_dir_templates(&b, dir, strlen(dir));
  luaL_pushresult(&b);
  lua_getfield(L, -2, "path");
  lua_concat(L, 2);
  lua_setfield(L, -2, "path");
  lua_pop(L, 1);
  return L;
}

/* Puts the folder of a script first in package.path, so that it can require
   the modules next to it. */
static void add_script_dir(lua_State *L, const char *script) {
  const char *slash = strrchr(script, '/');
  luaL_Buffer b;
  lua_getglobal(L, "package");
  luaL_buffinit(L, &b);
  if (slash == NULL) add_dir_templates(&b, ".", 1);
  else if (slash == script) add_dir_templates(&b, "", 0);   /* "/x.lua": the root */
  else add_dir_templates(&b, script, (size_t)(slash - script));
  luaL_pushresult(&b);
  lua_getfield(L, -2, "path");
  lua_concat(L, 2);
  lua_setfield(L, -2, "path");
  lua_pop(L, 1);
}

static int is_interrupted(lua_State *L) {
  const char *msg = lua_tostring(L, -1);
  size_t n = msg ? strlen(msg) : 0;
  return n >= 11 && strcmp(msg + n - 11, "interrupted") == 0;
}

/* The global pf for scripts, one-liners and the REPL alike, run protected. */
static int require_pf(lua_State *L) {
  lua_getglobal(L, "require");
  lua_pushliteral(L, "pktframe");
  lua_call(L, 1, 1);
  lua_setglobal(L, "pf");
  return 0;
}

static int cmd_lua(int argc, char **argv, int is_code, int quiet, int threads) {
  lua_State *L = new_state();
  if (L == NULL) { fprintf(stderr, "%s: cannot create Lua state: out of memory\n", progname); return 1; }
  if (threads > 0) {   /* pf.read's default for threads = N */
    lua_pushinteger(L, threads);
    lua_setfield(L, LUA_REGISTRYINDEX, PF_LUA_THREADS_KEY);
  }
  pf_repl_progress(L, !quiet && isatty(2));
  /* arg as lua.c sets it: arg[0] the script, arg[1..] its arguments */
  lua_createtable(L, argc, 1);
  for (int i = 0; i < argc; i++) {
    lua_pushstring(L, argv[i]);
    lua_rawseti(L, -2, i);
  }
  lua_setglobal(L, "arg");
  int status = LUA_OK;
  if (!is_code) add_script_dir(L, argv[0]);
  /* the global pf in scripts too, as in -e and the REPL */
  lua_pushcfunction(L, require_pf);
  status = pf_repl_docall(L, 0, 0, 1);
  if (status == LUA_OK)
    status = is_code ? luaL_loadbuffer(L, argv[0], strlen(argv[0]), "=(command line)") : luaL_loadfile(L, argv[0]);
  if (status == LUA_OK && !lua_checkstack(L, argc + 3)) {   /* Lua guarantees only LUA_MINSTACK (20) slots */
    lua_pushliteral(L, "too many arguments to script");
    status = LUA_ERRMEM;
  }
  if (status == LUA_OK) {
    for (int i = 1; i < argc; i++) lua_pushstring(L, argv[i]);
    status = pf_repl_docall(L, argc - 1, 0, 1);
  }
  int rc = 0;
  if (status != LUA_OK) {
    rc = is_interrupted(L) ? 130 : 1;
    /* a script's error carries its own position: script.lua:LINE: message */
    pf_repl_report(L, status == LUA_ERRFILE ? progname : NULL);
  }
  lua_close(L);
  return rc;
}

/* 0 for a field list "a,b,c" of known names, each once; else a usage error (returns 2). */
static int check_field_list(const char *list) {
  char name[256];
  unsigned char seen[PF_MAXFIELDS];
  memset(seen, 0, sizeof seen);
  const char *p = list;
  for (;;) {
    const char *comma = strchr(p, ',');
    size_t n = comma ? (size_t)(comma - p) : strlen(p);
    if (n == 0 || n >= sizeof name) return usage_error("bad --fields list '%s'", list);
    memcpy(name, p, n);
    name[n] = 0;
    int fid = pf_field_lookup(name);
    if (fid < 0) return unknown_field(name);
    if (seen[fid]++) return usage_error("field '%s' given twice in --fields", name);
    if (comma == NULL) return 0;
    p = comma + 1;
  }
}

static int cmd_repl(int argc, char **argv) {
  pf_repl_opts o;
  memset(&o, 0, sizeof o);
  const char **caps = calloc((size_t)argc + 1, sizeof *caps);
  if (caps == NULL) { fprintf(stderr, "%s: out of memory\n", progname); return 1; }
  int rc = 0;
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
      o.quiet = 1;
    } else if (strncmp(a, "--fields=", 9) == 0) {
      o.fields = a + 9;
    } else if (strcmp(a, "--fields") == 0 || strcmp(a, "-Y") == 0 || strcmp(a, "-f") == 0) {
      if (i + 1 >= argc) { rc = usage_error("option %s needs an argument", a); goto out; }
      const char *v = argv[++i];
      if (a[1] == '-') o.fields = v;
      else if (a[1] == 'Y') o.filter = v;
      else o.bpf = v;
    } else if (strcmp(a, "--") == 0) {
      for (i++; i < argc; i++) caps[o.ncaptures++] = argv[i];
    } else if (a[0] == '-' && a[1] != 0) {
      rc = usage_error("unknown option '%s'", a);
      goto out;
    } else if (o.ncaptures == 0 && i == 0 && strchr(a, '/') == NULL && strchr(a, '.') == NULL &&
               access(a, F_OK) != 0) {
      /* a word that names no file is a mistyped command, not a capture */
      rc = usage_error("unknown command '%s'", a);
      goto out;
    } else {
      caps[o.ncaptures++] = a;
    }
  }
  if (o.fields && (rc = check_field_list(o.fields)) != 0) goto out;
  o.captures = caps;
  lua_State *L = new_state();
  if (L == NULL) { fprintf(stderr, "%s: cannot create Lua state: out of memory\n", progname); rc = 1; goto out; }
  /* a bad filter is the caller's mistake (status 2), found before any reading */
  char err[512];
  if (o.filter) {
    pf_filter *f = pf_lua_filter_compile(L, o.filter, err, sizeof err);
    if (f == NULL) {
      fprintf(stderr, "%s: bad filter '%s': %s\n", progname, o.filter, err);
      lua_close(L);
      rc = 2;
      goto out;
    }
    pf_filter_free(f);
  }
  if (o.bpf && *o.bpf) {
    if (pf_exec_check_bpf(o.bpf, err, sizeof err) < 0) {
      fprintf(stderr, "%s: %s\n", progname, err);
      lua_close(L);
      rc = 2;
      goto out;
    }
  }
  pf_repl_progress(L, !o.quiet && isatty(2));
  rc = pf_repl_run(L, &o);
  lua_close(L);
out:
  free(caps);
  return rc;
}

/* ---- stats: tshark's -z statistics, in Lua (lua/pktframe/stats.lua) ---- */

static int cmd_stats(int argc, char **argv) {
  static const char code[] = "os.exit(require('pktframe.stats').main({...}))";
  char **av = calloc((size_t)argc + 2, sizeof *av);
  if (av == NULL) { fprintf(stderr, "%s: out of memory\n", progname); return 1; }
  av[0] = (char *)code;
  for (int i = 0; i < argc; i++) av[i + 1] = argv[i];
  int rc = cmd_lua(argc + 1, av, 1, 1, 0);
  free(av);
  return rc;
}

static int help(const char *topic) {
  if (topic == NULL) fputs(usage_main, stdout);
  else if (strcmp(topic, "fields") == 0) fputs(usage_fields, stdout);
  else if (strcmp(topic, "info") == 0) fputs(usage_info, stdout);
  else if (strcmp(topic, "run") == 0 || strcmp(topic, "-e") == 0) fputs(usage_run, stdout);
  else if (strcmp(topic, "repl") == 0) fputs(usage_repl, stdout);
  else if (strcmp(topic, "stats") == 0) { static char h[] = "--help"; char *a[] = { h }; return cmd_stats(1, a); }
  else return usage_error("no help for '%s' (commands: fields, info, stats, run, repl)", topic);
  return 0;
}

int main(int argc, char **argv) {
  /* --max-memory SIZE (or =SIZE) before the command, for every command */
  while (argc >= 2 && strncmp(argv[1], "--max-memory", 12) == 0 && (argv[1][12] == 0 || argv[1][12] == '=')) {
    int eq = argv[1][12] == '=';
    const char *v = eq ? argv[1] + 13 : argc >= 3 ? argv[2] : NULL;
    size_t bytes;
    if (v == NULL) return usage_error("%s", "option --max-memory needs a size");
    if (pf_budget_parse(v, &bytes) < 0)
      return usage_error("bad --max-memory size '%s' (bytes, or a number and K, M, G or T: 512M, 1.5G)", v);
    max_memory = v;
    int used = eq ? 1 : 2;
    argv[used] = argv[0];
    argv += used;
    argc -= used;
  }
  if (argc < 2) return cmd_repl(0, argv + 1);
  const char *cmd = argv[1];
  if (strcmp(cmd, "fields") == 0) return cmd_fields(argc - 2, argv + 2);
  if (strcmp(cmd, "info") == 0) return cmd_info(argc - 2, argv + 2);
  if (strcmp(cmd, "stats") == 0) return cmd_stats(argc - 2, argv + 2);
  if (strcmp(cmd, "run") == 0) {
    int i = 2, quiet = 0, threads = 0;
    if (i < argc && (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)) return help("run");
    for (; i < argc; i++) {
      if (strcmp(argv[i], "-q") == 0 || strcmp(argv[i], "--quiet") == 0) {
        quiet = 1;
      } else if (strcmp(argv[i], "--threads") == 0) {
        if (i + 1 >= argc) return usage_error("option %s needs an argument", argv[i]);
        if ((threads = parse_threads(argv[++i])) < 0) return 2;
      } else {
        break;
      }
    }
    if (i >= argc) return usage_error("%s", "run: no script given");
    static char example[PATH_MAX + 64];
    if (find_example(argv[i], example, sizeof example)) argv[i] = example;   /* `run streams CAPTURE` */
    return cmd_lua(argc - i, argv + i, 0, quiet, threads);
  }
  if (strcmp(cmd, "-e") == 0) {
    if (argc < 3) return usage_error("%s", "-e needs a chunk of Lua");
    return cmd_lua(argc - 2, argv + 2, 1, 0, 0);
  }
  if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-v") == 0) {
    printf("pktframe %s (%s, %s%s)\n", PF_VERSION, LUA_RELEASE, pcap_lib_version(),
#ifdef PF_USE_READLINE
           ", readline"
#else
           ""
#endif
    );
    return 0;
  }
  if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0)
    return help(argc > 2 ? argv[2] : NULL);
  return cmd_repl(argc - 1, argv + 1);
}
