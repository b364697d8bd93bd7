# fuzz.mk: libFuzzer harnesses (clang). Included by the Makefile.
#   make fuzz FUZZ_SECONDS=60     run each harness, seeded with ../shared/captures
#   make fuzz-replay              replay tests/fuzz/regress/* (part of make test)
FUZZ_SECONDS ?= 60
FUZZ_DIR     ?= $(BUILD)-fuzz
FUZZ_CC      ?= clang
FUZZ_CFLAGS   = -std=c99 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -g -O1 -fno-omit-frame-pointer \
                -fsanitize=address,undefined -fno-sanitize-recover=all $(LUA_CFLAGS) $(addprefix -Isrc/,$(LAYERS))
FUZZ_CORE     = $(CORE_SRC)
FUZZ_HARNESS  = read decode filter resolve
FUZZ_LIBS_filter = src/lua/filter_lua.c $(LUA_LIBS)
# the DNS reply parser of the stub resolver: src/net is not in FUZZ_CORE
FUZZ_LIBS_resolve = src/net/resolve.c
# input size caps: a capture of a few packets exercises every framing path (bigger inputs
# only slow the reader harness down: 4,000 runs/s at 64 KiB, 10,000+ at 8 KiB); one packet
# up to 64 KiB; a filter is a line; a DNS reply as the resolver receives it (its buffer is 4 KiB)
FUZZ_MAXLEN_read    = 8192
FUZZ_MAXLEN_decode  = 65536
FUZZ_MAXLEN_filter  = 4096
FUZZ_MAXLEN_resolve = 4096

$(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/coverage-ignore.txt $(CORE_SRC) $(HDRS)
	@mkdir -p $(FUZZ_DIR)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -fsanitize-coverage-ignorelist=tests/fuzz/coverage-ignore.txt \
	  -o $@ $< $(FUZZ_CORE) $(FUZZ_LIBS_$*) $(LDLIBS)

$(FUZZ_DIR)/replay_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c $(CORE_SRC) $(HDRS)
	@mkdir -p $(FUZZ_DIR)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< tests/fuzz/replay.c $(FUZZ_CORE) $(FUZZ_LIBS_$*) $(LDLIBS)

# the sources a harness takes besides FUZZ_CORE
$(FUZZ_DIR)/fuzz_resolve $(FUZZ_DIR)/replay_resolve: src/net/resolve.c

$(FUZZ_DIR)/seeds: tests/fuzz/seeds.c $(CORE_SRC) $(HDRS)
	@mkdir -p $(FUZZ_DIR)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_CORE) $(LDLIBS)

fuzz: $(foreach h,$(FUZZ_HARNESS),$(FUZZ_DIR)/fuzz_$(h)) $(FUZZ_DIR)/seeds
	@mkdir -p $(FUZZ_DIR)/corpus-read $(FUZZ_DIR)/corpus-decode $(FUZZ_DIR)/corpus-filter $(FUZZ_DIR)/corpus-resolve $(FUZZ_DIR)/crashes
	@cp $(SHARED)/captures/*.pcap* spec/fixtures/*.pcap* $(FUZZ_DIR)/corpus-read/ 2>/dev/null || true
	@LUA_PATH='lua/?.lua;lua/?/init.lua;spec/?.lua;;' lua5.4 tests/fuzz/hostile_seeds.lua $(FUZZ_DIR)/corpus-read >/dev/null
	@$(FUZZ_DIR)/seeds $(FUZZ_DIR)/corpus-decode $(SHARED)/captures/*.pcap* >/dev/null
	@lua5.4 tests/fuzz/resolve_seeds.lua $(FUZZ_DIR)/corpus-resolve
	@i=0; grep -v '^#' tests/filters.txt | while IFS= read -r f; do i=$$((i+1)); printf '%s' "$$f" > $(FUZZ_DIR)/corpus-filter/f$$i; done
	@for h in $(FUZZ_HARNESS); do \
	  echo "== fuzz_$$h for $(FUZZ_SECONDS) s"; \
	  case $$h in read) ml=$(FUZZ_MAXLEN_read);; decode) ml=$(FUZZ_MAXLEN_decode);; resolve) ml=$(FUZZ_MAXLEN_resolve);; *) ml=$(FUZZ_MAXLEN_filter);; esac; \
	  t0=$$(date +%s); \
	  PKTFRAME_LUA=lua $(FUZZ_DIR)/fuzz_$$h -max_total_time=$(FUZZ_SECONDS) -max_len=$$ml -rss_limit_mb=2048 \
	    -timeout=10 -artifact_prefix=$(FUZZ_DIR)/crashes/$$h- -print_final_stats=1 \
	    $(FUZZ_DIR)/corpus-$$h tests/fuzz/regress/$$h >$(FUZZ_DIR)/fuzz-$$h.log 2>&1; \
	  grep -E '^#[0-9]+.*DONE|ERROR|SUMMARY|Test unit written' $(FUZZ_DIR)/fuzz-$$h.log; \
	  echo "fuzz_$$h: $$(sed -n 's/^stat::number_of_executed_units: *//p' $(FUZZ_DIR)/fuzz-$$h.log) executions in $$(( $$(date +%s) - t0 )) s"; \
	done; \
	ls $(FUZZ_DIR)/crashes | sed 's/^/crash: /'; \
	[ -z "$$(ls $(FUZZ_DIR)/crashes)" ]

# replays every regression input; prints "fuzz-replay: N passed, M failed" (one test per harness)
fuzz-replay: $(foreach h,$(FUZZ_HARNESS),$(FUZZ_DIR)/replay_$(h))
	@pass=0; fail=0; for h in $(FUZZ_HARNESS); do \
	  mkdir -p tests/fuzz/regress/$$h; \
	  if PKTFRAME_LUA=lua $(FUZZ_DIR)/replay_$$h $$(find tests/fuzz/regress/$$h -type f ! -name .keep | sort); then \
	    pass=$$((pass+1)); else fail=$$((fail+1)); echo "FAIL replay $$h"; fi; \
	done; echo "fuzz-replay: $$pass passed, $$fail failed"; [ $$fail -eq 0 ]

.PHONY: fuzz fuzz-replay
