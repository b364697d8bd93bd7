# pktframe: plain Makefile. `make` builds build/pktframe (the command) and build/lib/pktframe/core.so (the Lua module).
PREFIX   ?= /usr/local
LUADIR    = $(PREFIX)/share/pktframe/lua
CC       ?= cc
CWARNS    = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wwrite-strings -Wundef
LUA_CFLAGS := $(shell pkg-config --cflags lua5.4 2>/dev/null || echo -I/usr/include/lua5.4)
LUA_LIBS   := $(shell pkg-config --libs lua5.4 2>/dev/null || echo -llua5.4)
OPT      ?= -O2
CFLAGS   += -std=c99 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -g $(OPT) $(CWARNS) -fPIC $(LUA_CFLAGS) -Isrc
LDLIBS    = -lpcap -lm
ifeq ($(SANITIZE),1)
BUILD    ?= build-san
CFLAGS   += -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
LDFLAGS  += -fsanitize=address,undefined
endif
ifeq ($(WERROR),1)
CFLAGS   += -Werror
endif
BUILD    ?= build

CORE_SRC  = src/pftime.c src/fields.c src/capture.c src/decode.c src/dissect_link.c \
            src/dissect_ip.c src/dissect_l4.c src/reasm.c src/conv.c src/scan.c \
            src/fieldsout.c src/table.c
LUA_SRC   = src/table_lua.c src/column_lua.c src/pktframe_lua.c
CORE_OBJ  = $(CORE_SRC:src/%.c=$(BUILD)/obj/%.o)
LUA_OBJ   = $(LUA_SRC:src/%.c=$(BUILD)/obj/%.o)
HDRS      = $(wildcard src/*.h) src/fields.def

all: $(BUILD)/pktframe $(BUILD)/lib/pktframe/core.so

$(BUILD)/obj/%.o: src/%.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/lib/pktframe/core.so: $(CORE_OBJ) $(LUA_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -shared -o $@ $^ $(LDLIBS)

$(BUILD)/obj/main.o: src/main.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -DPF_LUADIR='"$(LUADIR)"' -c -o $@ $<

$(BUILD)/pktframe: $(BUILD)/obj/main.o $(CORE_OBJ) $(LUA_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LUA_LIBS) $(LDLIBS)

.PHONY: all clean
clean:
	rm -rf build build-san
