#!/bin/sh
test_description='the Python package (contrib/python): pytest, one test per file

Runs Debian'"'"'s /usr/bin/python3 -m pytest on each file of
contrib/python/tests with PYTHONPATH=$QUIRE_BUILD_DIR/python (make python
builds it there) and QUIRE_BUILD_DIR (the tests run the CLI from it).
The S3 test server (lib-s3.sh) is started when this machine has it, and
its endpoint, credentials and a bucket are passed to pytest through the
environment (S3_ENDPOINT, AWS_*, QUIRE_TEST_S3_BUCKET); the S3 tests skip
without it, unless QUIRE_REQUIRE_S3=1. QUIRE_REQUIRE_PYTHON=1 makes a
missing pytest, extension or optional module (torch, pandas, dask,
fsspec) a failure rather than a skip.'
. ./test-lib.sh

PY=/usr/bin/python3
PY_TESTS=$TEST_DIRECTORY/../contrib/python/tests
PY_PATH=$QUIRE_BUILD_DIR/python

# An extension built with ASan (make asan) loads into CPython only with
# the runtime preloaded; CPython leaks by design, so no leak check.
# PY_ENV holds what the Python runs get (and only they: not the S3
# server's Python).
PY_ENV=
if ldd "$PY_PATH"/quire/_quire*.so 2>/dev/null | grep -q libasan
then
	PY_ENV="LD_PRELOAD=$(gcc -print-file-name=libasan.so)"
	PY_ENV="$PY_ENV ASAN_OPTIONS=detect_leaks=0"
fi

py__missing () {
	test -x $PY || { echo "$PY"; return; }
	$PY -c "import pytest" 2>/dev/null || { echo python3-pytest; return; }
	test -d "$PY_PATH/quire" ||
		{ echo "the extension ('make python' builds it)"; return; }
	env $PY_ENV PYTHONPATH="$PY_PATH" $PY -c "import quire" 2>/dev/null ||
		echo "an importable quire in $PY_PATH"
}

missing=$(py__missing)
if test -n "$missing"
then
	if test "${QUIRE_REQUIRE_PYTHON-}" = 1
	then
		test_expect_success "QUIRE_REQUIRE_PYTHON=1: missing $missing" '
			env $PY_ENV PYTHONPATH="$PY_PATH" $PY -c "import quire"
		'
		test_done
	fi
	skip_all="missing $missing (contrib/install-deps.sh --test)"
	test_done
fi

# The S3 server, when this machine can run it (lib-s3.sh skips the
# whole script otherwise, which would lose the file:// tests).
if test "${QUIRE_REQUIRE_S3-}" = 1 || command -v swift-proxy-server \
	>/dev/null 2>&1
then
	. "$TEST_DIRECTORY/lib-s3.sh"
	test_expect_success 'setup: S3 server and its bucket' '
		s3_start &&
		s3_mkbucket pyplain
	'
	QUIRE_TEST_S3_BUCKET=pyplain
	export QUIRE_TEST_S3_BUCKET
fi

# py_test FILE: pytest on FILE; its exit code 5 (every test skipped at
# collection) passes, unless QUIRE_REQUIRE_PYTHON=1.
py_test () {
	env $PY_ENV PYTHONPATH="$PY_PATH" QUIRE_BUILD_DIR="$QUIRE_BUILD_DIR" \
	$PY -m pytest -q -rs -p no:cacheprovider \
		--basetemp="$SHARNESS_TRASH_DIRECTORY/pytest-$(basename "$1" .py)" \
		"$1" >out 2>&1
	py_rc=$?
	if test $py_rc = 5 && test "${QUIRE_REQUIRE_PYTHON-}" != 1
	then
		py_rc=0
	fi
	if test $py_rc != 0
	then
		cat out
		return 1
	fi
	tail -n 3 out
}

for f in "$PY_TESTS"/test_*.py
do
	test_expect_success "pytest $(basename "$f")" 'py_test "$f"'
done

# make install-python: the package where /usr/bin/python3 looks under
# the prefix, and a dist-info whose entry point names the fsspec protocol.
test_expect_success 'make install-python installs an importable package' '
	make -C "$TEST_DIRECTORY/.." -s BUILD="$QUIRE_BUILD_DIR" \
		DESTDIR="$PWD/inst" PREFIX=/usr/local install-python \
		>make.out 2>&1 ||
	{ cat make.out; false; } &&
	v=$($PY -c "import sys; print(\"%d.%d\" % sys.version_info[:2])") &&
	site="$PWD/inst/usr/local/lib/python$v/dist-packages" &&
	test -f "$site/quire/__init__.py" &&
	ls "$site"/quire/_quire.*.so &&
	env $PY_ENV PYTHONPATH="$site" $PY -c "
import sys, importlib.metadata as md
import quire
assert quire.__file__.startswith(sys.argv[1]), quire.__file__
eps = md.entry_points(group=\"fsspec.specs\")
assert [e.value for e in eps if e.name == \"quire\"] == \
	[\"quire.fsspec:QuireFileSystem\"], list(eps)
assert md.version(\"quire\") == quire.__version__
" "$site"
'

test_done
