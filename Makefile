# quire: one non-recursive Makefile.
#   make                  build ./quire (objects under $(BUILD))
#   make test             the whole test suite (prove)
#   make asan             the test suite under ASan + UBSan
#   make bench            benchmarks (never part of make test)
#   make doc              man pages (asciidoctor)
#   make install PREFIX=  binary and man pages
#   make DEVELOPER=1      warnings as errors

PREFIX ?= /usr/local
BUILD ?= build
CC ?= cc
CFLAGS ?= -O2 -g
PROVE ?= prove
PKGS = libcurl sqlite3 openssl expat

ifeq ($(SANITIZE),)
SAN_FLAGS =
else
SAN_FLAGS = -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
endif

WARNINGS = -Wall -Wextra -Wno-unused-parameter -Wno-sign-compare \
	   -Wdeclaration-after-statement -Wvla -Wmissing-prototypes \
	   -Wstrict-prototypes -Wformat-security
ifdef DEVELOPER
WARNINGS += -Werror
endif

DEPS_OK := $(shell pkg-config --exists $(PKGS) 2>/dev/null && echo yes)
ifneq ($(DEPS_OK),yes)
ifeq ($(filter deps clean,$(MAKECMDGOALS)),)
$(info quire: missing build dependencies; running contrib/install-deps.sh)
$(shell sh contrib/install-deps.sh >&2)
endif
endif
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

ALL_CFLAGS = -std=gnu99 -I. $(WARNINGS) $(PKG_CFLAGS) $(SAN_FLAGS) \
	     -pthread -MMD -MP $(CFLAGS)
ALL_LDFLAGS = $(SAN_FLAGS) -pthread $(LDFLAGS)
LIBS = $(PKG_LIBS) -lm

LIB_SRC = $(filter-out quire.c,$(wildcard *.c)) \
	  $(wildcard objects/*.c refs/*.c s3/*.c db/*.c export/*.c)
CMD_SRC = $(wildcard builtin/*.c plumbing/*.c)
LIB_OBJS = $(LIB_SRC:%.c=$(BUILD)/%.o)
CMD_OBJS = $(CMD_SRC:%.c=$(BUILD)/%.o)
LIB = $(BUILD)/libquire.a

UNIT_SRC = $(wildcard t/unit-tests/u-*.c)
UNIT_BINS = $(UNIT_SRC:t/unit-tests/%.c=$(BUILD)/t/unit-tests/bin/%)
HELPER_SRC = $(wildcard t/helper/*.c)
HELPER_OBJS = $(HELPER_SRC:%.c=$(BUILD)/%.o)
TEST_TOOL = $(BUILD)/t/helper/test-tool

QUIRE = $(BUILD)/quire

.PHONY: all test asan bench doc install clean deps check-style demo
.SECONDARY:
all: $(QUIRE)
ifneq ($(BUILD),build)
	@:
else
	@ln -sf $(QUIRE) quire
endif

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(LIB): $(LIB_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

$(QUIRE): $(BUILD)/quire.o $(CMD_OBJS) $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $(BUILD)/quire.o $(CMD_OBJS) $(LIB) $(LIBS)

$(TEST_TOOL): $(HELPER_OBJS) $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $(HELPER_OBJS) $(LIB) $(LIBS)

UNIT_LIB = $(BUILD)/t/unit-tests/unit-test.o
$(BUILD)/t/unit-tests/bin/%: $(BUILD)/t/unit-tests/%.o $(UNIT_LIB) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(UNIT_LIB) $(LIB) $(LIBS)

test: $(QUIRE) $(TEST_TOOL) $(UNIT_BINS)
	cd t && QUIRE_BUILD_DIR=$(abspath $(BUILD)) \
		$(PROVE) -j$$(nproc) $(PROVE_OPTS) t[0-9]*.sh \
		$(UNIT_BINS:%=../%)

asan:
	$(MAKE) BUILD=build/asan SANITIZE=address,undefined CFLAGS="-O1 -g" test

bench: $(QUIRE) $(TEST_TOOL)
	QUIRE_BUILD_DIR=$(abspath $(BUILD)) sh bench/run.sh

demo: $(QUIRE)
	sh contrib/demo.sh

doc:
	$(MAKE) -C Documentation

install: $(QUIRE)
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 755 $(QUIRE) $(DESTDIR)$(PREFIX)/bin/quire
	if command -v asciidoctor >/dev/null 2>&1; then \
		$(MAKE) -C Documentation install PREFIX=$(PREFIX) DESTDIR=$(DESTDIR); \
	fi

deps:
	sh contrib/install-deps.sh

check-style:
	sh contrib/check-style.sh

clean:
	rm -rf build quire
	$(MAKE) -C Documentation clean

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
