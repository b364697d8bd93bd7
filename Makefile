# pktframe: plain Makefile.
#   make            build/pktframe (the command) and build/lib/pktframe/core.so (the Lua module)
#   make deps       install missing Debian packages (apt-get, non-interactive; sudo when not root)
#   make test       C unit tests, the layers check, busted specs, CLI tests and the differential test against tshark
#   make demo       build, generate a capture, run a shipped analysis on it
#   make SANITIZE=1 test    the same suite built with AddressSanitizer and UBSan (in build-san/)
#   make install PREFIX=... the command, the Lua modules, the C module and the man page
#   make READLINE=0         the REPL without GNU readline (no line editing, completion, history)
PREFIX   ?= /usr/local
LUA_SHARE = $(PREFIX)/share/lua/5.4
LUA_LIB   = $(PREFIX)/lib/lua/5.4
SHARED   ?= ../shared
CC       ?= cc
CWARNS    = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wwrite-strings -Wundef
LUA_CFLAGS := $(shell pkg-config --cflags lua5.4 2>/dev/null || echo -I/usr/include/lua5.4)
LUA_LIBS   := $(shell pkg-config --libs lua5.4 2>/dev/null || echo -llua5.4)
OPT      ?= -O2
CFLAGS   += -std=c99 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -g $(CWARNS) -fPIC $(LUA_CFLAGS)
LDLIBS    = -lpcap -lpcre2-8 -lz -lm
ifeq ($(SANITIZE),1)
BUILD    ?= build-san
CFLAGS   += -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
LDFLAGS  += -fsanitize=address,undefined
# stock lua5.4 and busted load the instrumented module: the runtimes must come first.
# LeakSanitizer checks the specs too: lua5.4 and busted free all they allocate, so no
# suppressions are needed (a leak report fails the suite)
SAN_ENV   = LD_PRELOAD=$$($(CC) -print-file-name=libasan.so) ASAN_OPTIONS=detect_leaks=1
else
CFLAGS   += $(OPT)
endif
ifeq ($(WERROR),1)
CFLAGS   += -Werror
endif
BUILD    ?= build

# src/ in folders by layer (docs/hacking.md): each uses only those before it.
#   core     types, the fields registry, times, the memory budget
#   dissect  the decoders, conversations, reassembly
#   read     capture files, the scan loop, display filters, info, tshark-style output
#   frame    columns, tables and their verbs, groupby, resample, query, the read executor
#   net      the DNS stub resolver, live capture
#   lua      the Lua bindings (pktframe.core): the only folder besides cli that includes lua.h
#   cli      the command: main, the REPL
LAYERS    = core dissect read frame net lua cli
CFLAGS   += $(addprefix -Isrc/,$(LAYERS))
CORE_SRC  = $(sort $(wildcard src/core/*.c src/dissect/*.c src/read/*.c))
# the table verbs' kernels and the executor: pure C like CORE_SRC (kept apart: the fuzz harnesses leave them out)
VERB_SRC  = $(sort $(wildcard src/frame/*.c src/net/*.c))
# every src/lua/*.c is a binding compiled into core.so (a new one needs no edit here)
LUA_SRC   = $(sort $(wildcard src/lua/*.c))
CORE_OBJ  = $(CORE_SRC:src/%.c=$(BUILD)/obj/%.o) $(VERB_SRC:src/%.c=$(BUILD)/obj/%.o)
LUA_OBJ   = $(LUA_SRC:src/%.c=$(BUILD)/obj/%.o)
HOST_SRC  = src/cli/repl.c
HOST_OBJ  = $(HOST_SRC:src/%.c=$(BUILD)/obj/%.o)
READLINE ?= 1
ifeq ($(READLINE),1)
HOST_CFLAGS = -DPF_USE_READLINE
HOST_LIBS   = -lreadline
endif
HDRS      = $(wildcard src/*/*.h src/*/*.inc) src/core/fields.def
UNIT_SRC  = $(wildcard tests/test_*.c)
UNIT_BIN  = $(UNIT_SRC:tests/%.c=$(BUILD)/tests/%)

DEPS_PKGS = gcc make pkg-config lua5.4 liblua5.4-dev libpcap-dev libpcre2-dev zlib1g-dev lua-lpeg lua-busted tshark libreadline-dev tmux clang python3-pandas librsvg2-bin ieee-data

all: $(BUILD)/pktframe $(BUILD)/lib/pktframe/core.so

$(BUILD)/obj/%.o: src/%.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/lib/pktframe/core.so: $(CORE_OBJ) $(LUA_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -shared -o $@ $^ $(LDLIBS)

$(BUILD)/obj/cli/main.o: src/cli/main.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -DPF_LUADIR='"$(LUA_SHARE)"' -DPF_EXAMPLESDIR='"$(PREFIX)/share/pktframe/examples"' -c -o $@ $<

$(BUILD)/obj/cli/main.o $(BUILD)/obj/cli/repl.o: CFLAGS += $(HOST_CFLAGS)

$(BUILD)/pktframe: $(BUILD)/obj/cli/main.o $(HOST_OBJ) $(CORE_OBJ) $(LUA_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LUA_LIBS) $(LDLIBS) $(HOST_LIBS)

$(BUILD)/tests/%: tests/%.c tests/check.h $(CORE_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(CORE_OBJ) $(LDLIBS)

# ---- set-up ----
deps:
	@missing=""; for p in $(DEPS_PKGS); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then echo "make deps: all packages present"; exit 0; fi; \
	echo "make deps: installing$$missing"; \
	SUDO=""; if [ "$$(id -u)" -ne 0 ]; then SUDO=sudo; fi; \
	$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing

# ---- tests ----
UNIT_SUITES = $(foreach t,$(UNIT_BIN),'$(notdir $(t)) $(t)')
test: deps all $(UNIT_BIN)
	@sh tests/run.sh \
	  $(UNIT_SUITES) \
	  "layers sh tests/layers_test.sh $(BUILD)" \
	  "specs $(SAN_ENV) PKTFRAME_SHARED=$(SHARED) busted -o plainTerminal --cpath='$(BUILD)/lib/?.so'" \
	  "cli sh tests/cli_test.sh $(BUILD)/pktframe $(SHARED)" \
	  "stats sh tests/stats_test.sh $(BUILD)/pktframe $(SHARED)" \
	  "injection sh tests/injection_test.sh $(BUILD)/pktframe" \
	  "repl sh tests/repl_test.sh $(BUILD)/pktframe $(SHARED)" \
	  "difftest lua5.4 tests/difftest.lua $(BUILD)/pktframe $(SHARED)/captures $(SHARED)/fields-core.txt" \
	  "filtertest lua5.4 tests/filtertest.lua $(BUILD)/pktframe $(SHARED)/captures tests/filters.txt" \
	  "oracle python3 tests/oracle_test.py $(BUILD)/pktframe $(SHARED)/captures" \
	  "analyses2 /usr/bin/python3 tests/analyses2_test.py $(BUILD)/pktframe $(SHARED)/captures" \
	  "resolve /usr/bin/python3 tests/resolve_test.py $(BUILD)/pktframe" \
	  "live sh tests/live_test.sh $(BUILD)/pktframe" \
	  "plot sh tests/plot_test.sh $(BUILD)/pktframe" \
	  "analyses /usr/bin/python3 tests/analyses_test.py $(BUILD)/pktframe $(SHARED)/captures" \
	  "fuzz-replay $(MAKE) -s fuzz-replay"

# ---- demo ----
# A tour of the analyses on a capture the project writes itself (examples/make_demo_capture.lua):
# each prints its tables; all CSV, SVG and HTML files land in one folder, listed at the end.
DEMO_CAP = $(BUILD)/demo/office.pcap
DEMO_OUT = $(BUILD)/demo/out
DEMO_RUN = $(BUILD)/pktframe run -q
demo: deps all
	@rm -rf $(DEMO_OUT) && mkdir -p $(DEMO_OUT)
	$(BUILD)/pktframe run examples/make_demo_capture.lua $(DEMO_CAP)
	$(DEMO_RUN) examples/capinfo.lua $(DEMO_CAP) --out $(DEMO_OUT)
	$(DEMO_RUN) examples/streams.lua $(DEMO_CAP) --top 5 --ip 192.168.10.22 --out $(DEMO_OUT)
	$(DEMO_RUN) examples/bandwidth.lua $(DEMO_CAP) --interval 500ms --out $(DEMO_OUT)
	$(DEMO_RUN) examples/stevens.lua $(DEMO_CAP) --rows 3 --out $(DEMO_OUT)
	$(DEMO_RUN) examples/stream_bytes.lua $(DEMO_CAP) --top 5 --out $(DEMO_OUT)
	$(DEMO_RUN) examples/padding.lua $(DEMO_CAP) --out $(DEMO_OUT)
	$(DEMO_RUN) examples/volume.lua $(DEMO_CAP) --top 8 --out $(DEMO_OUT)
	$(DEMO_RUN) examples/rtt.lua $(DEMO_CAP) --top 5 --out $(DEMO_OUT)
	$(DEMO_RUN) examples/graph.lua $(DEMO_CAP) --top 5 --out $(DEMO_OUT)
	$(DEMO_RUN) examples/payload.lua $(DEMO_CAP) --top 3 --out $(DEMO_OUT)
	$(DEMO_RUN) examples/payload_time.lua $(DEMO_CAP) --top 3 --out $(DEMO_OUT)
	$(DEMO_RUN) examples/interarrival.lua $(DEMO_CAP) --top 5 --out $(DEMO_OUT)
	$(DEMO_RUN) examples/bursts.lua $(DEMO_CAP) --top 5 --out $(DEMO_OUT)
	@echo; echo "demo capture: $(DEMO_CAP)"; echo "demo pictures and tables in $(DEMO_OUT):"
	@for f in $(DEMO_OUT)/*.svg $(DEMO_OUT)/*.html; do [ -e "$$f" ] && echo "  $$f"; done; true

# ---- install ----
install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(LUA_SHARE)/pktframe $(DESTDIR)$(LUA_SHARE)/pktframe/repl $(DESTDIR)$(LUA_LIB)/pktframe
	install -m 755 $(BUILD)/pktframe $(DESTDIR)$(PREFIX)/bin/pktframe
	install -m 644 lua/pktframe/*.lua $(DESTDIR)$(LUA_SHARE)/pktframe/
	install -m 644 lua/pktframe/repl/*.lua $(DESTDIR)$(LUA_SHARE)/pktframe/repl/
	@# the REPL's modules were pktframe/repl.lua and help.lua before pktframe/repl/: an old
	@# repl.lua left from an earlier install would shadow repl/init.lua
	rm -f $(DESTDIR)$(LUA_SHARE)/pktframe/repl.lua $(DESTDIR)$(LUA_SHARE)/pktframe/help.lua
	install -m 755 $(BUILD)/lib/pktframe/core.so $(DESTDIR)$(LUA_LIB)/pktframe/core.so
	install -d $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/doc/pktframe
	install -m 644 docs/pktframe.1 $(DESTDIR)$(PREFIX)/share/man/man1/pktframe.1
	install -m 644 docs/api.md $(DESTDIR)$(PREFIX)/share/doc/pktframe/api.md   # help() reads it
	@# the shipped analyses: `pktframe run streams CAPTURE` finds them here by name
	install -d $(DESTDIR)$(PREFIX)/share/pktframe/examples
	install -m 644 examples/*.lua $(DESTDIR)$(PREFIX)/share/pktframe/examples/

# ---- benchmarks (never part of make test; see bench/README.md) ----
BENCH_PKGS = python3-pandas python3-dpkt python3-scapy tcpreplay time wireshark-common
bench-deps:
	@missing=""; for p in $(BENCH_PKGS); do \
	  dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then echo "make bench-deps: all packages present"; exit 0; fi; \
	echo "make bench-deps: installing$$missing"; \
	SUDO=""; if [ "$$(id -u)" -ne 0 ]; then SUDO=sudo; fi; \
	$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	$$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing

bench: deps bench-deps all
	bash bench/run.sh
.PHONY: bench-deps

clean:
	rm -rf build build-san

.PHONY: all deps test demo install bench clean
-include tests/fuzz/fuzz.mk
