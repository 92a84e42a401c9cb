# lib-s3.sh: run tests against a real S3 server on 127.0.0.1, OpenStack
# Swift with its s3api layer (Debian packages; contrib/install-deps.sh
# --test installs them). Source it after test-lib.sh:
#
#	. ./test-lib.sh
#	. "$TEST_DIRECTORY/lib-s3.sh"
#
#	test_expect_success 'setup: start the S3 server' '
#		s3_start &&
#		s3_mkbucket plain &&
#		s3_mkbucket vers versioned
#	'
#
# Without the server's programs (prereq S3) the script skips all its
# tests, unless QUIRE_REQUIRE_S3=1 (CI sets it): then it fails.
#
# s3_start
#	Start one Swift node with s3api (2-3 s; 4 servers and memcached on
#	free ports); all its state is under $S3_DIR (.s3 in the trash
#	directory), its servers' output under $S3_DIR/log. Exports S3_ENDPOINT
#	(http://127.0.0.1:PORT) and the AWS settings of its one user:
#	AWS_ACCESS_KEY_ID=test:tester AWS_SECRET_ACCESS_KEY=testing
#	AWS_DEFAULT_REGION=us-east-1 AWS_ENDPOINT_URL=$S3_ENDPOINT, with
#	AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE naming files that do
#	not exist and AWS_EC2_METADATA_DISABLED=true. Buckets are addressed
#	path-style. Does nothing when the server runs already.
# s3_aws ARGS...
#	Debian's aws cli (/usr/bin/aws, not a newer one on PATH) against
#	$S3_ENDPOINT, or against the --endpoint-url given in ARGS; no pager,
#	no network look-ups; retry mode standard with 3 attempts unless
#	AWS_RETRY_MODE or AWS_MAX_ATTEMPTS say otherwise.
# s3_mkbucket NAME [versioned]
#	Create bucket NAME; with "versioned", turn versioning on and check
#	that it is on (with boto3, Debian's python3-boto3).
# "$S3_PYTHON"
#	The Python that has Swift's modules and boto3 (Debian's
#	/usr/bin/python3; the first python3 on PATH may be another one).
# s3_proxy_start
#	Start t/helper/s3-proxy.py in front of the server: exports S3_PROXY
#	(http://127.0.0.1:PORT), S3_PROXY_LOG (one line per request:
#	"METHOD TARGET STATUS") and S3_PROXY_RULES (fault injection; see the
#	helper, or s3_proxy_rules).
# s3_proxy_rules [LINE...]
#	Replace the proxy's rules with these lines, e.g.
#	s3_proxy_rules "1 503 GET ^/plain/" "1 drop PUT ^/vers/"
# s3_proxy_stop, s3_stop
#	Stop the proxy; stop everything. Both also happen by themselves when
#	the script ends, passed or failed; if the script's shell dies
#	without cleaning up (SIGKILL), a watchdog stops the servers within
#	a second. Processes are only ever stopped by the PIDs this file
#	started.

S3_DIR=$SHARNESS_TRASH_DIRECTORY/.s3
unset S3_ENDPOINT S3_PROXY S3_PROXY_LOG S3_PROXY_RULES

# The Python that has Swift's modules (Debian's; the first python3 on PATH
# may be another one).
S3_PYTHON=$(command -v swift-ring-builder 2>/dev/null) &&
S3_PYTHON=$(sed -n '1s/^#! *\([^ ]*\).*/\1/p' "$S3_PYTHON")
: "${S3_PYTHON:=/usr/bin/python3}"

# s3__missing: what the S3 server needs and this machine lacks.
s3__missing () {
	for c in swift-proxy-server swift-object-server swift-container-server \
		swift-account-server swift-ring-builder memcached python3
	do
		command -v "$c" >/dev/null 2>&1 || printf " %s" "$c"
	done
	test -x /usr/bin/aws || printf " %s" /usr/bin/aws
	test -x "$S3_PYTHON" &&
	"$S3_PYTHON" -c "import swift.common.middleware.s3api.s3api, boto3" 2>/dev/null ||
	printf " %s" "python3-swift python3-boto3"
}

test_lazy_prereq S3 'test -z "$(s3__missing)"'

# s3__required: QUIRE_REQUIRE_S3 as the caller set it (test-lib.sh
# keeps the QUIRE_REQUIRE_* settings of the harness).
s3__required () {
	echo "${QUIRE_REQUIRE_S3-}"
}

if ! test_have_prereq S3
then
	s3__why="no S3 test server, missing:$(s3__missing)"
	s3__why="$s3__why; contrib/install-deps.sh --test installs it"
	if test "$(s3__required)" = 1
	then
		echo >&2 "error: QUIRE_REQUIRE_S3=1 but $s3__why"
		test_expect_success "QUIRE_REQUIRE_S3=1: $s3__why" 'false'
		test_done
	fi
	skip_all=$s3__why
	test_done
fi

# The PIDs of what we started, by group: the Swift servers, the proxy.
# They live in variables, so that nothing in the trash directory can
# make us lose track of them.
S3__SWIFT_PIDS=
S3__PROXY_PIDS=

# s3__spawn GROUP LOGFILE CMD...: start CMD in the background, its output
# in LOGFILE, its PID added to S3__<GROUP>_PIDS. It inherits none of
# sharness's descriptors, so that nothing waits on it for end of file.
s3__spawn () {
	s3__group=$1
	s3__logfile=$2
	shift 2
	"$@" >"$s3__logfile" 2>&1 </dev/null 3>&- 4>&- 5>&- 6<&- &
	eval "S3__${s3__group}_PIDS=\"\$S3__${s3__group}_PIDS $!\""
}

# s3__watch GROUP: a watchdog that stops the processes of GROUP if this
# shell dies without running its exit trap (say, SIGKILL). It joins the
# group, so that it goes when they go.
s3__watch () {
	eval "s3__pids=\$S3__${1}_PIDS"
	s3__spawn "$1" /dev/null sh -c '
		shell=$1
		shift
		while kill -0 $shell 2>/dev/null
		do
			sleep 1
		done
		kill "$@" 2>/dev/null
	' s3-watchdog $$ $s3__pids
}

# s3__alive PID: the process runs (is not gone, nor a zombie).
s3__alive () {
	kill -0 "$1" 2>/dev/null || return 1
	case "$(ps -o stat= -p "$1" 2>/dev/null)" in
	Z*) return 1 ;;
	esac
	return 0
}

# s3__kill GROUP: stop the processes of GROUP (TERM, then KILL after 3
# seconds) and reap them.
s3__kill () {
	eval "s3__pids=\$S3__${1}_PIDS; S3__${1}_PIDS="
	test -n "$s3__pids" || return 0
	kill $s3__pids 2>/dev/null
	s3__i=0
	while test $s3__i -lt 60
	do
		s3__left=
		for s3__p in $s3__pids
		do
			s3__alive $s3__p && s3__left="$s3__left $s3__p"
		done
		test -z "$s3__left" && break
		sleep 0.05
		s3__i=$((s3__i + 1))
	done
	test -z "$s3__left" || kill -9 $s3__left 2>/dev/null
	wait $s3__pids 2>/dev/null
	return 0
}

# s3__start_swift: one attempt at starting the servers on free ports.
s3__start_swift () {
	s3__ports=$("$TEST_DIRECTORY/helper/swift-setup.sh" "$S3_DIR" \
		"$S3_PYTHON") || return 1
	set -- $s3__ports
	s3__port=$1
	s3__user=$(id -un) || return 1
	s3__spawn SWIFT "$S3_DIR/log/memcached.log" \
		memcached -l 127.0.0.1 -p $5 -U 0 -m 64 -u "$s3__user" || return 1
	for s3__srv in object container account proxy
	do
		s3__spawn SWIFT "$S3_DIR/log/$s3__srv-server.log" \
			swift-$s3__srv-server "$S3_DIR/etc/$s3__srv-server.conf" -v ||
		return 1
	done
	# Ready when memcached and the backends answer and the proxy's
	# /healthcheck says OK, each on a socket of its own (not another
	# script's server on the same port: exit 3, try other ports); give
	# up early when one of them has exited.
	"$S3_PYTHON" - 20 "$S3__SWIFT_PIDS" "$s3__ports" <<-\EOF
	import http.client, os, socket, sys, time
	deadline = time.monotonic() + float(sys.argv[1])
	pids = [int(p) for p in sys.argv[2].split()]
	s3, obj, con, acc, mc = [int(p) for p in sys.argv[3].split()]
	owner = {mc: pids[0], obj: pids[1], con: pids[2], acc: pids[3], s3: pids[4]}
	def listening():
	    """{port: socket inodes} of the listening TCP sockets (Linux)."""
	    found = {}
	    with open("/proc/net/tcp") as f:
	        for line in list(f)[1:]:
	            field = line.split()
	            if field[3] == "0A":
	                port = int(field[1].rsplit(":", 1)[1], 16)
	                found.setdefault(port, set()).add(field[9])
	    return found
	def sockets(pid):
	    found = set()
	    for fd in os.listdir("/proc/%d/fd" % pid):
	        try:
	            link = os.readlink("/proc/%d/fd/%s" % (pid, fd))
	        except OSError:
	            continue
	        if link.startswith("socket:["):
	            found.add(link[8:-1])
	    return found
	def ours():
	    """Are the ports held by our servers? None: cannot tell (yet)."""
	    try:
	        held = listening()
	        for port, pid in owner.items():
	            if port in held and not held[port] & sockets(pid):
	                print("s3_start: port %d is not ours" % port, file=sys.stderr)
	                sys.exit(3)
	        return all(port in held for port in owner)
	    except OSError:
	        return None
	def alive(pid):
	    try:
	        os.kill(pid, 0)
	    except ProcessLookupError:
	        return False
	    except OSError:
	        return True
	    try:
	        with open("/proc/%d/stat" % pid) as f:
	            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
	    except OSError:
	        return not os.path.isdir("/proc/self")
	def status(port, path):
	    c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
	    try:
	        c.request("GET", path)
	        r = c.getresponse()
	        r.read()
	        return r.status
	    except (OSError, http.client.HTTPException):
	        return None
	    finally:
	        c.close()
	def listens(port):
	    try:
	        socket.create_connection(("127.0.0.1", port), timeout=2).close()
	        return True
	    except OSError:
	        return False
	def all_alive():
	    dead = [p for p in pids if not alive(p)]
	    if dead:
	        print("s3_start: exited early: %s" % dead, file=sys.stderr)
	        sys.exit(2)
	while True:
	    all_alive()
	    if (listens(mc) and all(status(p, "/") for p in (obj, con, acc))
	            and status(s3, "/healthcheck") == 200 and ours() is not False):
	        all_alive()
	        sys.exit(0)
	    if time.monotonic() > deadline:
	        print("s3_start: not ready after %s s" % sys.argv[1], file=sys.stderr)
	        sys.exit(1)
	    time.sleep(0.05)
	EOF
}

s3_start () {
	test -z "$S3__SWIFT_PIDS" || return 0
	if ! test_have_prereq S3
	then
		echo >&2 "s3_start: cannot run, missing:$(s3__missing)"
		return 1
	fi
	mkdir -p "$S3_DIR" || return 1
	s3__try=1
	s3__t0=$(date +%s%N)
	while :
	do
		s3__start_swift
		s3__status=$?
		test $s3__status = 0 && break
		s3__kill SWIFT
		# Another script may have taken a port between our choosing it
		# and the server binding it: choose again.
		if test $s3__try -lt 3 &&
			{
				test $s3__status = 3 ||
				cat "$S3_DIR"/log/*.log |
				grep -qi "address already in use\|could not bind"
			}
		then
			s3__try=$((s3__try + 1))
			continue
		fi
		echo >&2 "s3_start: Swift did not start; its logs:"
		tail -n 30 "$S3_DIR"/log/*.log >&2
		return 1
	done
	s3__watch SWIFT
	echo "$S3__SWIFT_PIDS" >"$S3_DIR/pids"
	S3_ENDPOINT=http://127.0.0.1:$s3__port
	AWS_ACCESS_KEY_ID=test:tester
	AWS_SECRET_ACCESS_KEY=testing
	AWS_DEFAULT_REGION=us-east-1
	AWS_ENDPOINT_URL=$S3_ENDPOINT
	AWS_EC2_METADATA_DISABLED=true
	: "${AWS_CONFIG_FILE:=$HOME/.aws/config}"
	: "${AWS_SHARED_CREDENTIALS_FILE:=$HOME/.aws/credentials}"
	export S3_DIR S3_ENDPOINT AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY \
		AWS_DEFAULT_REGION AWS_ENDPOINT_URL AWS_EC2_METADATA_DISABLED \
		AWS_CONFIG_FILE AWS_SHARED_CREDENTIALS_FILE
	echo "s3_start: Swift at $S3_ENDPOINT, ready after $((($(date +%s%N) - s3__t0) / 1000000)) ms"
	return 0
}

s3_aws () {
	s3__ep=--endpoint-url=$S3_ENDPOINT
	for s3__a
	do
		case "$s3__a" in
		--endpoint-url|--endpoint-url=*) s3__ep= ;;
		esac
	done
	AWS_PAGER= AWS_CLI_AUTO_PROMPT=off AWS_EC2_METADATA_DISABLED=true \
	AWS_RETRY_MODE=${AWS_RETRY_MODE:-standard} \
	AWS_MAX_ATTEMPTS=${AWS_MAX_ATTEMPTS:-3} \
		/usr/bin/aws ${s3__ep:+"$s3__ep"} "$@"
}

# (boto3 in one Python: a third of the time of three aws commands)
s3_mkbucket () {
	case "$#,$2" in
	1,|2,versioned) ;;
	*) echo >&2 "usage: s3_mkbucket NAME [versioned]"; return 1 ;;
	esac
	"$S3_PYTHON" - "$@" <<-\EOF
	import os, sys
	import boto3, botocore.config, botocore.exceptions
	s3 = boto3.client("s3", endpoint_url=os.environ["S3_ENDPOINT"],
	                  config=botocore.config.Config(
	                      s3={"addressing_style": "path"},
	                      retries={"mode": "standard", "max_attempts": 3}))
	name = sys.argv[1]
	try:
	    s3.create_bucket(Bucket=name)
	    if sys.argv[2:] == ["versioned"]:
	        s3.put_bucket_versioning(
	            Bucket=name, VersioningConfiguration={"Status": "Enabled"})
	        got = s3.get_bucket_versioning(Bucket=name).get("Status")
	        if got != "Enabled":
	            sys.exit("s3_mkbucket: versioning of %s is %r, not Enabled"
	                     % (name, got))
	except botocore.exceptions.BotoCoreError as e:
	    sys.exit("s3_mkbucket: %s: %s" % (name, e))
	except botocore.exceptions.ClientError as e:
	    sys.exit("s3_mkbucket: %s: %s" % (name, e))
	EOF
}

s3_proxy_start () {
	test -z "$S3__PROXY_PIDS" || return 0
	if test -z "$S3__SWIFT_PIDS"
	then
		echo >&2 "s3_proxy_start: no S3 server; run s3_start first"
		return 1
	fi
	S3_PROXY_LOG=$S3_DIR/proxy.log
	S3_PROXY_RULES=$S3_DIR/proxy.rules
	: >"$S3_PROXY_LOG" &&
	: >"$S3_PROXY_RULES" &&
	rm -f "$S3_DIR/proxy.port" &&
	s3__spawn PROXY "$S3_DIR/log/s3-proxy.log" \
		"$S3_PYTHON" "$TEST_DIRECTORY/helper/s3-proxy.py" \
		--upstream "$S3_ENDPOINT" --log "$S3_PROXY_LOG" \
		--rules "$S3_PROXY_RULES" --port-file "$S3_DIR/proxy.port" ||
	return 1
	s3__i=0
	while ! test -s "$S3_DIR/proxy.port"
	do
		if test $s3__i -ge 200 || ! s3__alive $S3__PROXY_PIDS
		then
			echo >&2 "s3_proxy_start: the proxy did not start:"
			cat >&2 "$S3_DIR/log/s3-proxy.log"
			s3__kill PROXY
			return 1
		fi
		sleep 0.05
		s3__i=$((s3__i + 1))
	done
	s3__watch PROXY
	S3_PROXY=http://127.0.0.1:$(cat "$S3_DIR/proxy.port")
	export S3_PROXY S3_PROXY_LOG S3_PROXY_RULES
}

s3_proxy_rules () {
	if test $# = 0
	then
		: >"$S3_PROXY_RULES"
	else
		printf "%s\n" "$@" >"$S3_PROXY_RULES"
	fi
}

s3_proxy_stop () {
	s3__kill PROXY
	unset S3_PROXY
}

s3_stop () {
	s3_proxy_stop
	s3__kill SWIFT
	unset S3_ENDPOINT AWS_ENDPOINT_URL
}

# Stop the servers however the script ends: sharness's cleanup runs
# before the trash directory is removed (on success); the exit trap,
# chained before sharness's own, covers failures and --immediate.
cleanup s3_stop
mkdir -p "$S3_DIR" &&
trap >"$S3_DIR/traps"
s3__exit_trap=$(sed -n "s/^trap -- '\(.*\)' EXIT\$/\1/p" "$S3_DIR/traps")
rm -f "$S3_DIR/traps"
trap 's3__rc=$?; s3_stop; (exit $s3__rc); '"${s3__exit_trap:-die}" EXIT
trap 's3_stop; exit 129' HUP
trap 's3_stop; exit 130' INT
trap 's3_stop; exit 143' TERM
