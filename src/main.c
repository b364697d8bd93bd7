/* main.c: the pktframe command: `fields` in pure C, scripts and one-liners under Lua. */
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

#include "fieldsout.h"
#include "filter_lua.h"
#include "pf.h"
#include "scan.h"

/* the C half of the Lua module (src/pktframe_lua.c), linked in */
int luaopen_pktframe_core(lua_State *L);

#ifndef PF_LUADIR
#define PF_LUADIR "/usr/local/share/pktframe/lua"
#endif

static const char *progname = "pktframe";
static volatile sig_atomic_t interrupted = 0;

static void on_sigint(int sig) {
  (void)sig;
  interrupted = 1;
}

static const char usage_main[] =
  "usage: pktframe COMMAND [ARGS...]\n"
  "\n"
  "Packet captures as fast columnar tables, with Wireshark's field names and values.\n"
  "\n"
  "commands:\n"
  "  fields FILE... -e FIELD...   print fields as tshark -T fields does\n"
  "  fields --list [REGEX]        list the fields pktframe decodes\n"
  "  run SCRIPT [ARGS...]         run a Lua script (arg is set as lua does)\n"
  "  -e CODE                      run a Lua chunk\n"
  "  help [COMMAND]               this text, or a command's\n"
  "  --version                    print the version\n"
  "\n"
  "Scripts use: local pf = require \"pktframe\"; local t = pf.read(\"x.pcap\", {fields = {...}})\n"
  "Exit status: 0 ok, 1 runtime error (unreadable or damaged file), 2 usage error.\n";

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
  "  --list [REGEX]      list field names, types and descriptions, optionally matching REGEX\n"
  "  -T fields, -n       accepted and ignored, for tshark command lines\n";

static int usage_error(const char *fmt, const char *arg) {
  fprintf(stderr, "%s: ", progname);
  fprintf(stderr, fmt, arg);
  fprintf(stderr, "\nTry '%s help' for more information.\n", progname);
  return 2;
}

/* ---- progress bar (stderr, terminals only) ---- */

typedef struct progress {
  int on;
  struct timespec start;
  double last;
  int drawn;
} progress;

static double now_since(const struct timespec *t0) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

static void progress_cb(void *ud, uint64_t done, uint64_t total, uint64_t packets) {
  progress *pg = ud;
  if (!pg->on) return;
  double el = now_since(&pg->start);
  if (el < 0.5 || (el - pg->last < 0.2 && done < total)) return;
  pg->last = el;
  double frac = total ? (double)done / (double)total : 0;
  if (frac > 1) frac = 1;
  int width = 30, fill = (int)(frac * width);
  char bar[64];
  for (int i = 0; i < width; i++) bar[i] = i < fill ? '#' : '.';
  bar[width] = 0;
  double rate = (double)packets / el, eta = frac > 0 ? el * (1 - frac) / frac : 0;
  fprintf(stderr, "\r[%s] %3.0f%% %7.1f MB %10llu pkts %8.0f pkt/s ETA %4.0fs", bar, frac * 100,
          (double)done / 1e6, (unsigned long long)packets, rate, eta);
  pg->drawn = 1;
}

static void progress_end(progress *pg) {
  if (pg->drawn) fprintf(stderr, "\r%*s\r", 79, "");
}

static void progress_start(progress *pg, int quiet) {
  memset(pg, 0, sizeof *pg);
  pg->on = !quiet && isatty(2);
  clock_gettime(CLOCK_MONOTONIC, &pg->start);
}

static lua_State *new_state(void);

/* ---- fields ---- */

static int list_fields(const char *pattern) {
  regex_t re;
  if (pattern && regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB | REG_ICASE) != 0)
    return usage_error("bad regular expression '%s'", pattern);
  for (int i = 0; i < PF_NFIELDS; i++) {
    const pf_field_info *f = &pf_fields[i];
    if (pattern && regexec(&re, f->name, 0, NULL, 0) != 0 && regexec(&re, f->doc, 0, NULL, 0) != 0)
      continue;
    printf("%-32s %-9s %s\n", f->name, pf_ftype_name(f->type), f->doc);
  }
  if (pattern) regfree(&re);
  return 0;
}

static int unknown_field(const char *name) {
  const char *sug[3];
  int n = pf_field_suggest(name, sug, 3);
  fprintf(stderr, "%s: unknown field '%s'", progname, name);
  for (int i = 0; i < n; i++) fprintf(stderr, "%s'%s'", i ? " or " : "; did you mean ", sug[i]);
  fprintf(stderr, "%s\nTry '%s fields --list' for the fields pktframe knows.\n", n ? "?" : "", progname);
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

static int cmd_fields(int argc, char **argv) {
  pf_fields_opts o = { 1, '\t', 'a', ',' };
  const char **files = calloc((size_t)argc + 1, sizeof *files);
  int *fids = calloc((size_t)argc + 1, sizeof *fids);
  int nfiles = 0, nfids = 0, quiet = 0, rc = 0;
  const char *bpf = NULL, *yfilter = NULL;
  lua_State *L = NULL;
  pf_filter *filter = NULL;
  if (files == NULL || fids == NULL) { fprintf(stderr, "%s: out of memory\n", progname); return 1; }
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
      fputs(usage_fields, stdout);
      goto out;
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
  /* decode what is printed and what the filter reads */
  int ndec = nfids;
  int *dec = calloc((size_t)nfids + PF_NFIELDS, sizeof *dec);
  if (dec == NULL) { fprintf(stderr, "%s: out of memory\n", progname); rc = 1; goto out; }
  memcpy(dec, fids, sizeof(int) * (size_t)nfids);
  if (yfilter) {
    char ferr[512];
    L = new_state();
    if (L == NULL) { fprintf(stderr, "%s: out of memory\n", progname); rc = 1; free(dec); goto out; }
    filter = pf_lua_filter_compile(L, yfilter, ferr, sizeof ferr);
    if (filter == NULL) {
      fprintf(stderr, "%s: bad filter '%s': %s\n", progname, yfilter, ferr);
      rc = 2;
      free(dec);
      goto out;
    }
    ndec += pf_filter_fields(filter, dec + nfids, PF_NFIELDS);
  }
  pf_fields_out *w = pf_fields_out_new(stdout, fids, nfids, &o);
  if (w == NULL) { fprintf(stderr, "%s: out of memory\n", progname); rc = 1; free(dec); goto out; }
  progress pg;
  progress_start(&pg, quiet);
  pf_scan_opts so = { bpf, &interrupted, progress_cb, &pg, filter };
  pf_diag diag;
  pf_diag_init(&diag);
  char err[512];
  int sr = pf_scan(files, nfiles, dec, ndec, &so, pf_fields_out_row, w, &diag, err, sizeof err);
  free(dec);
  progress_end(&pg);
  if (sr != PF_SCAN_ERROR || diag.n > 0) {
    if (pf_fields_out_finish(w) && sr != PF_SCAN_STOPPED) {
      fprintf(stderr, "%s: error writing output: %s\n", progname, strerror(errno));
      rc = 1;
    }
  }
  if (sr == PF_SCAN_STOPPED && rc == 0) {
    fprintf(stderr, "%s: error writing output\n", progname);
    rc = 1;
  }
  for (int i = 0; i < diag.n; i++) fprintf(stderr, "%s: %s\n", progname, diag.msgs[i]);
  if (diag.n) rc = 1;
  if (sr == PF_SCAN_ERROR) {
    fprintf(stderr, "%s: %s\n", progname, err);
    rc = strncmp(err, "bad capture filter", 18) == 0 ? 2 : 1;
  } else if (sr == PF_SCAN_INTERRUPTED) {
    fprintf(stderr, "%s: interrupted\n", progname);
    rc = 130;
  }
  pf_diag_free(&diag);
  pf_fields_out_free(w);
out:
  pf_filter_free(filter);
  if (L) lua_close(L);
  free(files);
  free(fids);
  return rc;
}

/* ---- Lua: run and -e ---- */

static int msghandler(lua_State *L) {
  const char *msg = lua_tostring(L, 1);
  if (msg == NULL) {
    if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING) return 1;
    msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
  }
  luaL_traceback(L, L, msg, 1);
  return 1;
}

/* The Lua module folder: next to the binary in a build tree (build/../lua),
   else the installed PF_LUADIR. */
static void lua_dir(char *out, size_t n) {
  char exe[PATH_MAX];
  ssize_t k = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (k > 0) {
    exe[k] = 0;
    char *slash = strrchr(exe, '/');
    if (slash) {
      *slash = 0;
      snprintf(out, n, "%s/../lua/pktframe/init.lua", exe);
      if (access(out, R_OK) == 0) {
        snprintf(out, n, "%s/../lua", exe);
        return;
      }
    }
  }
  snprintf(out, n, "%s", PF_LUADIR);
}

static lua_State *new_state(void) {
  lua_State *L = luaL_newstate();
  if (L == NULL) return NULL;
  luaL_openlibs(L);
  luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_PRELOAD_TABLE);
  lua_pushcfunction(L, luaopen_pktframe_core);
  lua_setfield(L, -2, "pktframe.core");
  lua_pop(L, 1);
  char dir[PATH_MAX + 64];
  lua_dir(dir, sizeof dir);
  lua_getglobal(L, "package");
  const char *extra = getenv("PKTFRAME_PATH");
  lua_pushfstring(L, "%s%s%s/?.lua;%s/?/init.lua;", extra ? extra : "", extra ? ";" : "", dir, dir);
  lua_getfield(L, -2, "path");
  lua_concat(L, 2);
  lua_setfield(L, -2, "path");
  lua_pop(L, 1);
  return L;
}

static int report(lua_State *L, int status) {
  if (status != LUA_OK) {
    const char *msg = lua_tostring(L, -1);
    fprintf(stderr, "%s: %s\n", progname, msg ? msg : "(error)");
    lua_pop(L, 1);
  }
  return status;
}

static int docall(lua_State *L, int narg) {
  int base = lua_gettop(L) - narg;
  lua_pushcfunction(L, msghandler);
  lua_insert(L, base);
  signal(SIGINT, on_sigint);
  int status = lua_pcall(L, narg, 0, base);
  signal(SIGINT, SIG_DFL);
  lua_remove(L, base);
  return status;
}

static int cmd_lua(int argc, char **argv, int is_code) {
  lua_State *L = new_state();
  if (L == NULL) { fprintf(stderr, "%s: cannot create Lua state: out of memory\n", progname); return 1; }
  /* arg as lua.c sets it: arg[0] the script, arg[1..] its arguments */
  lua_createtable(L, argc, 1);
  for (int i = 0; i < argc; i++) {
    lua_pushstring(L, argv[i]);
    lua_rawseti(L, -2, i);
  }
  lua_setglobal(L, "arg");
  int status = is_code ? luaL_loadbuffer(L, argv[0], strlen(argv[0]), "=(command line)")
                       : luaL_loadfile(L, argv[0]);
  if (status == LUA_OK) {
    for (int i = 1; i < argc; i++) lua_pushstring(L, argv[i]);
    status = docall(L, argc - 1);
  }
  report(L, status);
  lua_close(L);
  return status == LUA_OK ? 0 : 1;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fputs(usage_main, stdout);
    return 0;
  }
  const char *cmd = argv[1];
  if (strcmp(cmd, "fields") == 0) return cmd_fields(argc - 2, argv + 2);
  if (strcmp(cmd, "run") == 0) {
    if (argc < 3) return usage_error("%s", "run: no script given");
    return cmd_lua(argc - 2, argv + 2, 0);
  }
  if (strcmp(cmd, "-e") == 0) {
    if (argc < 3) return usage_error("%s", "-e needs a chunk of Lua");
    return cmd_lua(argc - 2, argv + 2, 1);
  }
  if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-v") == 0) {
    printf("pktframe %s (%s, %s)\n", PF_VERSION, LUA_RELEASE, pcap_lib_version());
    return 0;
  }
  if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
    if (argc > 2 && strcmp(argv[2], "fields") == 0) fputs(usage_fields, stdout);
    else fputs(usage_main, stdout);
    return 0;
  }
  return usage_error("unknown command '%s'", cmd);
}
