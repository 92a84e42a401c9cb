#!/bin/sh
# quire's test library: Debian's sharness (git's test library, packaged),
# plus quire's own helpers. Each test script runs in its own trash
# directory, with HOME, XDG_* and AWS_* pointed inside it.

SHARNESS_TEST_EXTENSION=sh
: "${QUIRE_BUILD_DIR:=$(cd "$(dirname "$0")/.." && pwd)/build}"
SHARNESS_BUILD_DIRECTORY=$QUIRE_BUILD_DIR
export QUIRE_BUILD_DIR SHARNESS_BUILD_DIRECTORY

if ! test -x "$QUIRE_BUILD_DIR/quire"
then
	echo "Bail out! no quire binary in $QUIRE_BUILD_DIR; run make first"
	exit 1
fi
SHARNESS_LIB=${SHARNESS_LIB:-/usr/share/sharness/sharness.sh}
if ! test -r "$SHARNESS_LIB"
then
	echo "Bail out! sharness is missing; run contrib/install-deps.sh"
	exit 1
fi

# Nothing from the caller's environment may leak into a test.
for v in $(env | sed -n 's/^\(AWS_[A-Z_]*\)=.*/\1/p; s/^\(QUIRE_[A-Z_]*\)=.*/\1/p')
do
	case "$v" in
	# the harness's own settings, not quire's
	QUIRE_BUILD_DIR|QUIRE_REQUIRE_*|QUIRE_STRESS) ;;
	*) unset "$v" ;;
	esac
done
unset XDG_DATA_HOME XDG_CACHE_HOME XDG_CONFIG_HOME TMPDIR

# Trash directories live beside the build they test, so that several
# builds (make BUILD=...) can run their tests at once.
: "${root:=$QUIRE_BUILD_DIR/trash}"
mkdir -p "$root"

. "$SHARNESS_LIB"

PATH="$QUIRE_BUILD_DIR/t/helper:$PATH"
TEST_DIRECTORY=$SHARNESS_TEST_DIRECTORY
VECTORS=$TEST_DIRECTORY/vectors
XDG_DATA_HOME=$HOME/.local/share
XDG_CACHE_HOME=$HOME/.cache
XDG_CONFIG_HOME=$HOME/.config
AWS_CONFIG_FILE=$HOME/.aws/config
AWS_SHARED_CREDENTIALS_FILE=$HOME/.aws/credentials
TMPDIR=$HOME/tmp
mkdir -p "$TMPDIR"
export TEST_DIRECTORY VECTORS XDG_DATA_HOME XDG_CACHE_HOME XDG_CONFIG_HOME
export AWS_CONFIG_FILE AWS_SHARED_CREDENTIALS_FILE TMPDIR

# test_lazy_prereq NAME 'script': NAME holds when the script succeeds;
# the script runs at most once, and only if a test needs NAME.
test_lazy_prereq () {
	eval "lazy_prereq_$1=\$2"
}

quire_check_lazy_prereqs () {
	for p in $(echo "$1" | tr ',' ' ')
	do
		p=${p#!}
		eval "script=\${lazy_prereq_$p}"
		test -n "$script" || continue
		eval "unset lazy_prereq_$p"
		if (cd "$TMPDIR" && eval "$script") >/dev/null 2>&1
		then
			test_set_prereq "$p"
		fi
	done
}

# sharness checks prerequisites with test_have_prereq; quire's version
# first runs the lazy ones it names. PREREQ,!OTHER works as in sharness.
test_have_prereq () {
	quire_check_lazy_prereqs "$1"
	missing_prereq=
	for p in $(echo "$1" | tr ',' ' ')
	do
		want=t
		case "$p" in
		!*) want= ; p=${p#!} ;;
		esac
		case "$satisfied_prereq" in
		*" $p "*) have=t ;;
		*) have= ;;
		esac
		if test "$have" != "$want"
		then
			missing_prereq="${missing_prereq:+$missing_prereq,}$p"
		fi
	done
	test -z "$missing_prereq"
}

# test_grep [-v] PATTERN FILE: grep that shows the file when it fails.
test_grep () {
	if test "$1" = "-v"
	then
		shift
		! grep -e "$1" "$2" && return 0
		echo "error: '$2' matches '$1' but should not:"
	else
		grep -e "$1" "$2" >/dev/null && return 0
		echo "error: '$2' does not match '$1':"
	fi
	cat "$2"
	return 1
}

# test_fatal EXPECTED_CODE CMD...: run a quire command that must fail
# with that exit code and a "fatal: " message on stderr (in file err).
test_fatal () {
	code=$1
	shift
	"$@" 2>err
	got=$?
	if test "$got" != "$code"
	then
		echo "error: '$*' exited $got, expected $code"
		cat err
		return 1
	fi
	test_grep "^fatal: " err
}

# Path assertions (git's test-lib has them; sharness 1.0 does not).
test_path_is_file () {
	test -f "$1" || { echo "error: '$1' is not a file"; return 1; }
}
test_path_is_dir () {
	test -d "$1" || { echo "error: '$1' is not a folder"; return 1; }
}
test_path_is_missing () {
	test ! -e "$1" || { echo "error: '$1' exists"; ls -ld "$1"; return 1; }
}
test_dir_is_empty () {
	test -z "$(ls -A "$1")" || { echo "error: '$1' is not empty:"; ls -A "$1"; return 1; }
}
# test_line_count OP N FILE, e.g. test_line_count = 3 out
test_line_count () {
	n=$(wc -l <"$3")
	test "$n" "$1" "$2" || { echo "error: $3 has $n lines, want $1 $2"; cat "$3"; return 1; }
}

# The commands in quire.c's table, in table order.
quire_commands () {
	sed -n 's/^	{ "\([a-z-]*\)", cmd_.*/\1/p' "$TEST_DIRECTORY/../quire.c"
}

# genfile SIZE: a file whose byte i is i % 251 (the vectors' pattern).
genfile () {
	test-tool genfile "$@"
}

test_lazy_prereq PYTHON3 'python3 -c "import json, hashlib"'
