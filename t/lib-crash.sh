# lib-crash.sh: kill quire at chosen file operations, and check what it
# left behind. Source it after test-lib.sh. The killing is done by
# t/helper/preload/crash.c, loaded with LD_PRELOAD (see its header).
#
# crash_count CMD...
#	Run CMD (quire ...) to the end with every operation counted;
#	prints the count (write, rename, link, unlink, fsync and mkdir
#	calls). CMD's output goes to crash-out and crash-err.
# crash_at N [before|after] CMD...
#	Run CMD, killed by SIGKILL just before (or after) its Nth
#	operation; succeeds whether it was killed or finished (then
#	crash_killed is 0), fails only when CMD failed on its own.
# crash_points COUNT TRIALS
#	TRIALS operation numbers spread over 1..COUNT (all of them when
#	QUIRE_STRESS is set in the environment make stress gives).
# no_leftovers DIR
#	DIR holds no temporary file of quire's (.quire-tmp-*) outside
#	.quire/, and none is staged, listed or published.
# crash_trials
#	How many crash trials this script ran (for the final test's name).

CRASH_SO=$QUIRE_BUILD_DIR/t/helper/crash.so
CRASH_TRIALS=0

test_lazy_prereq CRASH 'test -r "$CRASH_SO"'

crash__env () {
	env LD_PRELOAD="$CRASH_SO" \
		ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
		"$@"
}

crash_count () {
	rm -f "$TRASH_DIRECTORY/.crash-count" &&
	crash__env QUIRE_CRASH_COUNT="$TRASH_DIRECTORY/.crash-count" "$@" \
		>crash-out 2>crash-err &&
	cat "$TRASH_DIRECTORY/.crash-count"
}

crash_at () {
	crash__n=$1
	shift
	crash__when=before
	case "$1" in
	before|after) crash__when=$1; shift ;;
	esac
	CRASH_TRIALS=$((CRASH_TRIALS + 1))
	crash__env QUIRE_CRASH_AT="$crash__n" QUIRE_CRASH_WHEN="$crash__when" \
		"$@" >crash-out 2>crash-err
	crash__rc=$?
	case $crash__rc in
	137) crash_killed=1; return 0 ;;
	0) crash_killed=0; return 0 ;;
	esac
	echo "error: '$*' failed on its own (exit $crash__rc) at crash point $crash__n:"
	cat crash-err
	return 1
}

crash_points () {
	if test -n "$(stress_level)" || test "$2" -ge "$1"
	then
		seq 1 "$1"
	else
		awk -v n="$1" -v k="$2" 'BEGIN {
			for (i = 0; i < k; i++) print int(1 + i * (n - 1) / (k - 1))
		}' | uniq
	fi
}

# QUIRE_STRESS, as make stress sets it (test-lib.sh keeps it).
stress_level () {
	echo "${QUIRE_STRESS-}"
}

no_leftovers () {
	find "$1" -name .quire -prune -o -name ".quire-tmp-*" -print >leftovers &&
	test_line_count = 0 leftovers
}
