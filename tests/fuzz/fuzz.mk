# fuzz.mk: libFuzzer harnesses (clang). Included by the Makefile.
#   make fuzz FUZZ_SECONDS=60     run each harness, seeded with ../shared/captures
#   make fuzz-replay              replay tests/fuzz/regress/* (part of make test)
FUZZ_SECONDS ?= 60
FUZZ_DIR      = build-fuzz
FUZZ_CC      ?= clang
FUZZ_CFLAGS   = -std=c99 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -g -O1 -fno-omit-frame-pointer \
                -fsanitize=address,undefined -fno-sanitize-recover=all $(LUA_CFLAGS) -Isrc
FUZZ_CORE     = $(filter-out src/table.c,$(CORE_SRC))
FUZZ_HARNESS  = read decode filter
FUZZ_LIBS_filter = src/filter_lua.c $(LUA_LIBS)

$(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c $(CORE_SRC) $(HDRS)
	@mkdir -p $(FUZZ_DIR)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_CORE) $(FUZZ_LIBS_$*) $(LDLIBS)

$(FUZZ_DIR)/replay_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c $(CORE_SRC) $(HDRS)
	@mkdir -p $(FUZZ_DIR)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< tests/fuzz/replay.c $(FUZZ_CORE) $(FUZZ_LIBS_$*) $(LDLIBS)

$(FUZZ_DIR)/seeds: tests/fuzz/seeds.c $(CORE_SRC) $(HDRS)
	@mkdir -p $(FUZZ_DIR)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_CORE) $(LDLIBS)

fuzz: $(foreach h,$(FUZZ_HARNESS),$(FUZZ_DIR)/fuzz_$(h)) $(FUZZ_DIR)/seeds
	@mkdir -p $(FUZZ_DIR)/corpus-read $(FUZZ_DIR)/corpus-decode $(FUZZ_DIR)/corpus-filter $(FUZZ_DIR)/crashes
	@cp $(SHARED)/captures/*.pcap* $(FUZZ_DIR)/corpus-read/ 2>/dev/null || true
	@$(FUZZ_DIR)/seeds $(FUZZ_DIR)/corpus-decode $(SHARED)/captures/*.pcap* >/dev/null
	@i=0; grep -v '^#' tests/filters.txt | while IFS= read -r f; do i=$$((i+1)); printf '%s' "$$f" > $(FUZZ_DIR)/corpus-filter/f$$i; done
	@for h in $(FUZZ_HARNESS); do \
	  echo "== fuzz_$$h for $(FUZZ_SECONDS) s"; \
	  PKTFRAME_LUA=lua $(FUZZ_DIR)/fuzz_$$h -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -rss_limit_mb=4096 \
	    -artifact_prefix=$(FUZZ_DIR)/crashes/$$h- -print_final_stats=1 $(FUZZ_DIR)/corpus-$$h tests/fuzz/regress/$$h 2>&1 \
	    | grep -E '^#[0-9]+.*DONE|stat::number_of_executed_units|ERROR|SUMMARY|Test unit written' ; \
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
