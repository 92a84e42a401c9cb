# quire: one non-recursive Makefile.
#   make                  build ./quire (objects under $(BUILD))
#   make test             the whole test suite (prove)
#   make asan             the test suite under ASan + UBSan (the Python
#                         tests load the runtime with LD_PRELOAD)
#   make stress           crash, race and fault tests at full strength
#   make bench            benchmarks (never part of make test)
#   make doc              man pages (asciidoctor)
#   make install PREFIX=  binary, man pages, shell completion and the
#                         Python package (when python3-dev is there)
#   make python           the Python package (_quire over libquire) in
#                         $(BUILD)/python/quire, for /usr/bin/python3
#   make DEVELOPER=1      warnings as errors

PREFIX ?= /usr/local
BUILD ?= build
CC ?= cc
CFLAGS ?= -O2 -g
PROVE ?= prove
PKGS = libcurl sqlite3 openssl expat fuse3 libmicrohttpd libcmark-gfm \
       libmariadb libpq

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
LIBS = $(PKG_LIBS) -lcmark-gfm-extensions -lm

LIB_SRC = $(filter-out quire.c,$(wildcard *.c)) \
	  $(wildcard objects/*.c refs/*.c s3/*.c db/*.c export/*.c mount/*.c \
		    serve/*.c)
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

.PHONY: all test asan stress bench doc install install-completion clean deps \
	check-style demo python install-python
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

# help.c's groups and commands, made from command-list.txt (its one
# source); where help looks for the manual pages.
$(BUILD)/command-list.h: command-list.txt
	@mkdir -p $(dir $@)
	{ echo '/* made from command-list.txt by the Makefile */'; \
	  echo 'static const struct help_group help_groups[] = {'; \
	  sed -n -e 's/[\\"]/\\&/g' \
	      -e 's/^group  *\([a-z]*\)  *\(.*\)/\t{ "\1", "\2" },/p' $<; \
	  echo '};'; \
	  echo 'static const struct help_cmd help_cmds[] = {'; \
	  sed -n -e 's/[\\"]/\\&/g' -e 's/^quire-\([a-z-]*\)  *\([a-z]*\)  *'\
'\(.*\)/\t{ "\1", "\2", "\3" },/p' $<; \
	  echo '};'; } >$@+ && mv $@+ $@
$(BUILD)/help.o: $(BUILD)/command-list.h
$(BUILD)/help.o: ALL_CFLAGS += -I$(BUILD) \
	-DQUIRE_MAN_PATH='"$(PREFIX)/share/man"' \
	-DQUIRE_DOC_DIR='"$(CURDIR)/Documentation"'

$(LIB): $(LIB_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

$(QUIRE): $(BUILD)/quire.o $(CMD_OBJS) $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $(BUILD)/quire.o $(CMD_OBJS) $(LIB) $(LIBS)

$(TEST_TOOL): $(HELPER_OBJS) $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $(HELPER_OBJS) $(LIB) $(LIBS)

# LD_PRELOAD helper of the crash tests (t/lib-crash.sh): never
# instrumented, so that it loads beside a sanitized quire too.
CRASH_SO = $(BUILD)/t/helper/crash.so
$(CRASH_SO): t/helper/preload/crash.c
	@mkdir -p $(dir $@)
	$(CC) -shared -fPIC -O1 -g $(WARNINGS) -o $@ $< -ldl

UNIT_LIB = $(BUILD)/t/unit-tests/unit-test.o
$(BUILD)/t/unit-tests/bin/%: $(BUILD)/t/unit-tests/%.o $(UNIT_LIB) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(UNIT_LIB) $(LIB) $(LIBS)

# The longest scripts start first, so that on two cores none of them is
# left running alone at the end.
SLOW_TESTS = t9120-s3-races.sh t9100-s3-registry.sh t9110-s3-faults.sh \
	     t9720-serve-browser.sh t9950-python.sh t9600-mount.sh
TESTS = $(SLOW_TESTS) \
	$(filter-out $(SLOW_TESTS),$(notdir $(wildcard t/t[0-9]*.sh)))

test: $(QUIRE) $(TEST_TOOL) $(CRASH_SO) $(UNIT_BINS)
	cd t && QUIRE_BUILD_DIR=$(abspath $(BUILD)) \
		$(PROVE) -j$$(nproc) $(PROVE_OPTS) $(TESTS) \
		$(UNIT_BINS:%=../%)

asan:
	$(MAKE) BUILD=build/asan SANITIZE=address,undefined CFLAGS="-O1 -g" test

# The crash, race and fault tests at full strength: every crash point,
# and more racing pushes (make test runs a spread of them).
STRESS_TESTS = t6240-crash.sh t6220-registry-safety.sh t9120-s3-races.sh \
	       t9110-s3-faults.sh
stress: $(QUIRE) $(TEST_TOOL) $(CRASH_SO)
	cd t && QUIRE_BUILD_DIR=$(abspath $(BUILD)) QUIRE_STRESS=1 \
		RACE_N=$${RACE_N:-40} $(PROVE) $(PROVE_OPTS) $(STRESS_TESTS)

bench: $(QUIRE) $(TEST_TOOL)
	QUIRE_BUILD_DIR=$(abspath $(BUILD)) sh bench/run.sh

demo: $(QUIRE)
	sh contrib/demo.sh

doc:
	$(MAKE) -C Documentation

install: $(QUIRE) install-completion
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 755 $(QUIRE) $(DESTDIR)$(PREFIX)/bin/quire
	if command -v asciidoctor >/dev/null 2>&1; then \
		$(MAKE) -C Documentation install PREFIX=$(PREFIX) DESTDIR=$(DESTDIR); \
	fi

# bash and zsh completion (contrib/completion), where each shell looks
install-completion:
	install -d '$(DESTDIR)$(PREFIX)/share/bash-completion/completions' \
		'$(DESTDIR)$(PREFIX)/share/zsh/site-functions'
	install -m 644 contrib/completion/quire-completion.bash \
		'$(DESTDIR)$(PREFIX)/share/bash-completion/completions/quire'
	install -m 644 contrib/completion/_quire \
		'$(DESTDIR)$(PREFIX)/share/zsh/site-functions/_quire'

deps:
	sh contrib/install-deps.sh

check-style:
	sh contrib/check-style.sh

clean:
	rm -rf build quire
	$(MAKE) -C Documentation clean

# --- Fuzzing (t/fuzz/README) ------------------------------------------
#   make fuzz             build the libFuzzer targets with clang (ASan +
#                         UBSan) and run each for FUZZ_TIME seconds
#                         (default 60) on a copy of its seed corpus in
#                         $(BUILD)/fuzz-corpus/<target>; fails on a crash
#   FUZZ_TARGETS=json     only some targets; FUZZ_JOBS=N: N jobs each
#   make test             also replays t/fuzz/corpus/<target>/ through the
#                         same targets built with $(CC) and t/fuzz/replay.c
FUZZ_TARGETS ?= manifest json revision s3-xml
FUZZ_TIME ?= 60
FUZZ_JOBS ?=
FUZZ_CC ?= clang
FUZZ_DIR = $(BUILD)/fuzz-obj
FUZZ_SAN = -fsanitize=address,undefined -fno-sanitize-recover=all \
	   -fno-omit-frame-pointer
FUZZ_CFLAGS = -std=gnu99 -I. $(filter-out -Werror,$(WARNINGS)) \
	      $(PKG_CFLAGS) $(FUZZ_SAN) -pthread -MMD -MP -O1 -g
FUZZ_LIB = $(FUZZ_DIR)/libquire.a
FUZZ_BINS = $(FUZZ_TARGETS:%=$(FUZZ_DIR)/bin/fuzz-%)
FUZZ_ALL = $(patsubst t/fuzz/fuzz-%.c,%,$(wildcard t/fuzz/fuzz-*.c))
FUZZ_REPLAY = $(FUZZ_ALL:%=$(BUILD)/t/fuzz/bin/fuzz-%)

.PHONY: fuzz fuzz-deps
fuzz: $(FUZZ_BINS)
	sh t/fuzz/run.sh $(abspath $(FUZZ_DIR)/bin) \
		$(abspath $(BUILD)/fuzz-corpus) $(FUZZ_TIME) '$(FUZZ_JOBS)' \
		$(FUZZ_TARGETS)

fuzz-deps:
	@sh contrib/install-deps.sh --fuzz

$(FUZZ_DIR)/%.o: %.c | fuzz-deps
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ_DIR)/help.o: $(BUILD)/command-list.h
$(FUZZ_DIR)/help.o: FUZZ_CFLAGS += -I$(BUILD)

$(FUZZ_LIB): $(LIB_SRC:%.c=$(FUZZ_DIR)/%.o)
	@rm -f $@
	$(AR) rcs $@ $^

$(FUZZ_DIR)/bin/fuzz-%: $(FUZZ_DIR)/t/fuzz/fuzz-%.o $(FUZZ_LIB)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -pthread -o $@ $< \
		$(FUZZ_LIB) $(LIBS)

# The replay binaries: plain $(CC), part of "make test".
$(BUILD)/t/fuzz/replay.o: ALL_CFLAGS += \
	-DFUZZ_CORPUS_ROOT='"$(CURDIR)/t/fuzz/corpus"'
$(BUILD)/t/fuzz/bin/fuzz-%: $(BUILD)/t/fuzz/fuzz-%.o \
			    $(BUILD)/t/fuzz/replay.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(BUILD)/t/fuzz/replay.o $(LIB) $(LIBS)

UNIT_BINS += $(FUZZ_REPLAY)
test: $(FUZZ_REPLAY)
# --- end of fuzzing ----------------------------------------------------

# --- Python (contrib/python) -------------------------------------------
# The _quire extension, built for Debian's /usr/bin/python3 only, over
# the library compiled again position-independent under $(BUILD)/pic/
# (the quire binary keeps its own objects), and the pure-Python files
# beside it in $(BUILD)/python/quire, importable with
# PYTHONPATH=$(BUILD)/python.
PYTHON = /usr/bin/python3
PYTHON_CONFIG = /usr/bin/python3-config
PY_INCLUDES := $(shell $(PYTHON_CONFIG) --includes 2>/dev/null)
PY_SUFFIX := $(shell $(PYTHON_CONFIG) --extension-suffix 2>/dev/null)
QUIRE_VERSION := $(shell sed -n 's/^\#define QUIRE_VERSION "\(.*\)"/\1/p' \
	quire.c)
PIC = $(BUILD)/pic
PIC_LIB = $(PIC)/libquire.a
PY_EXT_SRC = $(wildcard contrib/python/_quire/*.c)
PY_EXT_OBJS = $(PY_EXT_SRC:%.c=$(PIC)/%.o)
PY_SRC = $(wildcard contrib/python/quire/*.py)
PY_PKG = $(BUILD)/python/quire
PY_EXT = $(PY_PKG)/_quire$(PY_SUFFIX)
PY_FILES = $(PY_SRC:contrib/python/quire/%=$(PY_PKG)/%)

$(PIC)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -fPIC -c -o $@ $<
$(PIC)/help.o: $(BUILD)/command-list.h
$(PIC)/help.o: ALL_CFLAGS += -I$(BUILD) \
	-DQUIRE_MAN_PATH='"$(PREFIX)/share/man"' \
	-DQUIRE_DOC_DIR='"$(CURDIR)/Documentation"'
$(PY_EXT_OBJS): ALL_CFLAGS += $(PY_INCLUDES) -Icontrib/python/_quire \
	-DPYQUIRE_VERSION='"$(QUIRE_VERSION)"'

$(PIC_LIB): $(LIB_SRC:%.c=$(PIC)/%.o)
	@rm -f $@
	$(AR) rcs $@ $^

$(PY_EXT): $(PY_EXT_OBJS) $(PIC_LIB)
	@mkdir -p $(dir $@)
	$(CC) -shared $(ALL_LDFLAGS) -o $@ $(PY_EXT_OBJS) $(PIC_LIB) $(LIBS)

$(PY_PKG)/%.py: contrib/python/quire/%.py
	@mkdir -p $(dir $@)
	cp $< $@

python: $(PY_EXT) $(PY_FILES)
	@if test -z '$(PY_INCLUDES)'; then \
		echo 'make python: $(PYTHON_CONFIG) is missing;' \
		     'run contrib/install-deps.sh --test' >&2; exit 1; fi

# Where /usr/bin/python3 finds it: /usr/local/lib/python3.11/dist-packages
# for PREFIX=/usr/local (Debian's site.py maps .../python3/dist-packages
# only under /usr), .../lib/python3/dist-packages under /usr. The
# dist-info names the fsspec protocol's entry point.
PY_VER := $(shell $(PYTHON) -c \
	'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
ifeq ($(PREFIX),/usr)
PY_SITE = $(PREFIX)/lib/python3/dist-packages
else
PY_SITE = $(PREFIX)/lib/python$(PY_VER)/dist-packages
endif
PY_DIST = quire-$(QUIRE_VERSION).dist-info
ifneq ($(PY_INCLUDES),)
install: install-python
endif
# t9950-python.sh runs the Python tests on what make python built.
test: python
install-python: python
	install -d '$(DESTDIR)$(PY_SITE)/quire' \
		'$(DESTDIR)$(PY_SITE)/$(PY_DIST)'
	install -m 644 $(PY_FILES) '$(DESTDIR)$(PY_SITE)/quire'
	install -m 755 $(PY_EXT) '$(DESTDIR)$(PY_SITE)/quire'
	printf 'Metadata-Version: 2.1\nName: quire\nVersion: %s\n' \
		'$(QUIRE_VERSION)' >'$(DESTDIR)$(PY_SITE)/$(PY_DIST)/METADATA'
	printf '[fsspec.specs]\nquire = quire.fsspec:QuireFileSystem\n' \
		>'$(DESTDIR)$(PY_SITE)/$(PY_DIST)/entry_points.txt'
	printf 'quire\n' >'$(DESTDIR)$(PY_SITE)/$(PY_DIST)/top_level.txt'
	printf 'make\n' >'$(DESTDIR)$(PY_SITE)/$(PY_DIST)/INSTALLER'
# --- end of Python -----------------------------------------------------

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
