# lib-serve.sh: run 'quire serve' for real on loopback. Source it after
# test-lib.sh (and after lib-s3.sh when the registry is on S3):
#
#	. ./test-lib.sh
#	. "$TEST_DIRECTORY/lib-serve.sh"
#
#	test_expect_success 'the catalog lists the package' '
#		serve_start -r "$PWD/reg" &&
#		curl -sf "$SERVE_URL" >page &&
#		grep ns/pkg page
#	'
#
# serve_start [<quire serve options>]
#	Start 'quire serve --port 0' in the background (stdout in
#	serve-out, stderr in serve-err) and wait, up to $SERVE_TIMEOUT
#	seconds (30), for the line that says its URL. Sets SERVE_URL
#	("http://127.0.0.1:<port>/", with the slash) and SERVE_PID. A
#	server already running is stopped first. Fails, showing
#	serve-err, when the server exits or says nothing in time.
# serve_stop
#	Stop the server (SIGTERM), wait for it, and fail if it did not
#	exit 0; one still there 20 s later is killed, and that fails too.
#	It runs by itself when the script ends.
# serve_get <path> <file>
#	GET $SERVE_URL<path> (path without its leading slash) into <file>,
#	the response headers into <file>.h; prints the status code. Never
#	fails on an HTTP error status: compare what it prints.

: "${SERVE_TIMEOUT:=30}"
SERVE_PID=
SERVE_URL=

serve_stop () {
	test -n "$SERVE_PID" || return 0
	kill -TERM "$SERVE_PID" 2>/dev/null
	# the server gives answers under way 10 s; a wait beyond 20 s is
	# a hang: kill it, and fail
	serve__n=0
	while kill -0 "$SERVE_PID" 2>/dev/null &&
	      test "$(ps -o stat= -p "$SERVE_PID" 2>/dev/null | cut -c1)" != Z
	do
		if test $serve__n -ge 200
		then
			echo "quire serve did not exit 20 s after SIGTERM" >&2
			kill -KILL "$SERVE_PID"
			break
		fi
		sleep 0.1
		serve__n=$((serve__n + 1))
	done
	wait "$SERVE_PID"
	serve__rc=$?
	SERVE_PID=
	SERVE_URL=
	test "$serve__rc" = 0 || {
		echo "quire serve exited $serve__rc" >&2
		return 1
	}
}

serve_start () {
	serve_stop || return 1
	rm -f serve-out serve-err
	quire serve --port 0 "$@" >serve-out 2>serve-err &
	SERVE_PID=$!
	serve__n=0
	while :
	do
		SERVE_URL=$(sed -n 's/^serving .* at \(http:[^ ]*\)$/\1/p' \
			serve-out 2>/dev/null)
		test -n "$SERVE_URL" && return 0
		if ! kill -0 "$SERVE_PID" 2>/dev/null ||
		   test $serve__n -ge $((SERVE_TIMEOUT * 10))
		then
			echo "quire serve did not start:" >&2
			cat serve-out serve-err >&2
			kill "$SERVE_PID" 2>/dev/null
			SERVE_PID=
			return 1
		fi
		sleep 0.1
		serve__n=$((serve__n + 1))
	done
}

serve_get () {
	curl -s -o "$2" -D "$2.h" -w '%{http_code}' "$SERVE_URL$1"
}

# Stop the server however the script ends: sharness's cleanup runs
# before the trash directory is removed (on success); the exit trap,
# chained before the traps already set, covers failures and --immediate.
cleanup serve_stop
trap >"$SHARNESS_TRASH_DIRECTORY/.serve-traps"
serve__exit_trap=$(sed -n "s/^trap -- '\(.*\)' EXIT\$/\1/p" \
	"$SHARNESS_TRASH_DIRECTORY/.serve-traps")
rm -f "$SHARNESS_TRASH_DIRECTORY/.serve-traps"
trap 'serve__rc=$?; serve_stop; (exit $serve__rc); '"${serve__exit_trap:-die}" EXIT
