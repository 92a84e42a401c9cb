#!/bin/sh
# The s3 section of 'make bench' (BENCH_ONLY=s3): quire push and install
# over S3 against two local servers, beside 'aws s3 sync' of the same
# data in the same run. Figures, never pass/fail. Runs alone too:
#	QUIRE_BUILD_DIR=$PWD/build sh bench/s3.sh
# and for the push of many small files alone (issue 11's table):
#	BENCH_S3_SERVERS=swift BENCH_S3_WORKLOADS=small BENCH_S3_OPS=push \
#	QUIRE_BUILD_DIR=$PWD/build sh bench/s3.sh
#
#   BENCH_S3_FILES        small workloads: how many files, a workload
#                         each (default "2000 10000")
#   BENCH_S3_FILE_KB      size of each small file, KiB (default 4)
#   BENCH_S3_BIG_MB       size of the one big file, MiB (default 1024)
#   BENCH_S3_SERVERS      servers to run: swift s3rver (default both)
#   BENCH_S3_WORKLOADS    small big (default both)
#   BENCH_S3_OPS          "push" or "push install" (default; install
#                         installs what the first push wrote)
#   BENCH_S3_REPEAT       pushes of each tool, taking turns; the table
#                         shows medians (default 1)
#   BENCH_S3_CONCURRENCY  QUIRE_S3_CONCURRENCY values, a row each
#                         (default $QUIRE_S3_CONCURRENCY, else quire's
#                         own default)
#   BENCH_DIR             scratch folder (default bench/out); the data
#                         (~6 GB at peak) goes under $BENCH_DIR/s3 and is
#                         removed at the end; logs stay in $BENCH_DIR/s3-logs
#
# Servers, both on 127.0.0.1, free ports, stopped by PID at the end:
#  - OpenStack Swift with s3api (Debian packages swift swift-proxy
#    swift-object swift-container swift-account python3-swift memcached),
#    the same setup as t/lib-s3.sh; user test:tester, secret testing.
#  - s3rver 3.7.1 from npm (bench/package.json; 'npm ci' into
#    bench/node_modules on first use), run by bench/s3rver.js, which fixes
#    its answer to GET ?versioning (see there). It only knows the key
#    S3RVER with secret S3RVER, and checks signatures made with them.
# aws is Debian's /usr/bin/aws (not a newer one on PATH), with defaults
# (10 concurrent requests, 8 MiB multipart chunks).
# Each time is one run's wall clock, from GNU time (%e, 10 ms steps).
set -e
SRC=$(cd "$(dirname "$0")" && pwd)
BUILD=${QUIRE_BUILD_DIR:-$SRC/../build}
QUIRE=$BUILD/quire
TOOL=$BUILD/t/helper/test-tool
DIR=${BENCH_DIR:-$SRC/out}
FILES=${BENCH_S3_FILES:-2000 10000}
FILE_KB=${BENCH_S3_FILE_KB:-4}
BIG_MB=${BENCH_S3_BIG_MB:-1024}
SERVERS=${BENCH_S3_SERVERS:-swift s3rver}
WORKLOADS=${BENCH_S3_WORKLOADS:-small big}
OPS=${BENCH_S3_OPS:-push install}
REPEAT=${BENCH_S3_REPEAT:-1}
CONC=${BENCH_S3_CONCURRENCY:-${QUIRE_S3_CONCURRENCY:-default}}
AWS=/usr/bin/aws
W=$DIR/s3
LOGS=$DIR/s3-logs
RES=$LOGS/results.tsv

for f in "$QUIRE" "$TOOL" /usr/bin/time "$AWS"; do
	test -x "$f" || {
		echo "bench s3: $f is missing (make; apt-get install time awscli)" >&2
		exit 1
	}
done

# The Python that has Swift's modules (Debian's; the first python3 on PATH
# may be another one).
SWIFT_PYTHON=$(sed -n '1s/^#! *\([^ ]*\).*/\1/p' "$(command -v swift-ring-builder 2>/dev/null || echo /dev/null)" 2>/dev/null)
: "${SWIFT_PYTHON:=/usr/bin/python3}"
S3RVER_JS=$SRC/node_modules/s3rver/bin/s3rver.js

swift_missing () {
	for c in swift-proxy-server swift-object-server swift-container-server \
		swift-account-server memcached
	do
		command -v "$c" >/dev/null 2>&1 || printf " %s" "$c"
	done
	"$SWIFT_PYTHON" -c "import swift.common.middleware.s3api.s3api" 2>/dev/null ||
	printf " %s" "python3-swift"
}

s3rver_missing () {
	command -v node >/dev/null 2>&1 || { printf " node"; return; }
	test -f "$S3RVER_JS" && return
	command -v npm >/dev/null 2>&1 || { printf " npm"; return; }
	echo "bench s3: installing s3rver into $SRC/node_modules (npm ci)" >&2
	npm ci --prefix "$SRC" --ignore-scripts --no-audit --no-fund \
		>"$LOGS/npm.log" 2>&1 && test -f "$S3RVER_JS" ||
	printf " s3rver (npm ci failed, see %s)" "$LOGS/npm.log"
}

# --- servers: started in the background, stopped by the PIDs kept here
PIDS=

spawn () {
	log=$1
	shift
	"$@" >"$log" 2>&1 </dev/null &
	PIDS="$PIDS $!"
}

alive () {
	kill -0 "$1" 2>/dev/null || return 1
	case "$(ps -o stat= -p "$1" 2>/dev/null)" in
	Z*) return 1 ;;
	esac
}

stop_servers () {
	pids=$PIDS
	PIDS=
	test -n "$pids" || return 0
	kill $pids 2>/dev/null || :
	i=0
	while test $i -lt 60; do
		left=
		for p in $pids; do
			alive $p && left="$left $p"
		done
		test -z "$left" && break
		sleep 0.05
		i=$((i + 1))
	done
	test -z "$left" || kill -9 $left 2>/dev/null || :
	wait $pids 2>/dev/null || :
}

# watchdog: if this shell dies without its trap (SIGKILL), stop the servers
watchdog () {
	sh -c 'while kill -0 $1 2>/dev/null; do sleep 1; done; shift; kill "$@" 2>/dev/null' \
		bench-s3-watchdog $$ $PIDS >/dev/null 2>&1 </dev/null &
	PIDS="$PIDS $!"
}

cleanup () {
	stop_servers
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

free_port () {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_port PORT SECONDS: until something listens on PORT
wait_port () {
	python3 - "$1" "$2" <<'EOF'
import socket, sys, time
deadline = time.monotonic() + float(sys.argv[2])
while True:
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1).close()
        sys.exit(0)
    except OSError:
        if time.monotonic() > deadline:
            sys.exit(1)
        time.sleep(0.05)
EOF
}

# start_swift: one Swift node with s3api under $W/swift (as t/lib-s3.sh)
start_swift () {
	sw=$W/swift
	rm -rf "$sw" && mkdir -p "$sw"
	ports=$(sh "$SRC/../t/helper/swift-setup.sh" "$sw" "$SWIFT_PYTHON") ||
		return 1
	set -- $ports
	port=$1
	user=$(id -un)
	spawn "$sw/log/memcached.log" memcached -l 127.0.0.1 -p $5 -U 0 -m 64 -u "$user"
	for s in object container account proxy; do
		spawn "$sw/log/$s-server.log" \
			swift-$s-server "$sw/etc/$s-server.conf" -v
	done
	watchdog
	"$SWIFT_PYTHON" - 30 "$port" <<'EOF' || { tail -n 20 "$sw"/log/*.log >&2; return 1; }
import http.client, sys, time
deadline = time.monotonic() + float(sys.argv[1])
while True:
    try:
        c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[2]), timeout=2)
        c.request("GET", "/healthcheck")
        if c.getresponse().status == 200:
            sys.exit(0)
    except (OSError, http.client.HTTPException):
        pass
    if time.monotonic() > deadline:
        print("swift: not ready after %s s" % sys.argv[1], file=sys.stderr)
        sys.exit(1)
    time.sleep(0.05)
EOF
	ENDPOINT=http://127.0.0.1:$port
	KEY=test:tester
	SECRET=testing
	VERSION="Swift $(dpkg-query -W -f '${Version}' swift 2>/dev/null || echo '?'), 1 node, workers = 0"
}

start_s3rver () {
	rm -rf "$W/s3rver" && mkdir -p "$W/s3rver/data"
	port=$(free_port)
	spawn "$W/s3rver/log" node --openssl-legacy-provider "$SRC/s3rver.js" \
		-d "$W/s3rver/data" -a 127.0.0.1 -p $port --silent
	watchdog
	wait_port $port 30 || { cat "$W/s3rver/log" >&2; return 1; }
	ENDPOINT=http://127.0.0.1:$port
	KEY=S3RVER
	SECRET=S3RVER
	VERSION="s3rver $(node -p "require('$SRC/node_modules/s3rver/package.json').version"), node $(node --version)"
}

# --- the clients
# s3vars HOME: export what both clients see: the server's address and
# credentials, no AWS config files, and quire's XDG folders under HOME
s3vars () {
	mkdir -p "$1"
	export AWS_ACCESS_KEY_ID="$KEY" AWS_SECRET_ACCESS_KEY="$SECRET" \
		AWS_DEFAULT_REGION=us-east-1 AWS_ENDPOINT_URL="$ENDPOINT" \
		AWS_EC2_METADATA_DISABLED=true \
		AWS_CONFIG_FILE="$W/no-aws-config" \
		AWS_SHARED_CREDENTIALS_FILE="$W/no-aws-credentials" \
		AWS_PAGER= AWS_CLI_AUTO_PROMPT=off \
		HOME="$1" XDG_DATA_HOME="$1/data" XDG_CACHE_HOME="$1/cache" \
		XDG_CONFIG_HOME="$1/config"
}

aws () {
	(s3vars "$W/home-aws" && "$AWS" --endpoint-url "$ENDPOINT" "$@")
}

# quire HOME ARGS...
quire () {
	(s3vars "$1" && shift && "$QUIRE" "$@")
}

# timed NAME IN-DIR HOME CMD...: run CMD once in IN-DIR with s3vars HOME;
# its output in $LOGS/NAME.log, wall/user/sys seconds and peak RSS in
# $LOGS/NAME.time
timed () {
	name=$1
	in=$2
	home=$3
	shift 3
	(cd "$in" && s3vars "$home" &&
	 /usr/bin/time -f "%e %U %S %M" -o "$LOGS/$name.time" "$@") \
		>"$LOGS/$name.log" 2>&1
}

# record NAME SERVER WORKLOAD OP TOOL CONC OK: a row of $RES
record () {
	if test "$7" = ok; then
		set -- "$@" $(tail -n 1 "$LOGS/$1.time")
	else
		set -- "$@" - - - -
		echo "   $5 $4 FAILED ($7); the end of $LOGS/$1.log:" >&2
		tail -n 5 "$LOGS/$1.log" | sed 's/^/     /' >&2
	fi
	printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n" "$2" "$3" "$4" "$5" \
		"$6" "$7" "$8" "$9" "${10}" "${11}" >>"$RES"
	test "$7" = ok && printf "   %-6s %-8s c=%-4s %8.2f s\n" "$5" "$4" "$6" "$8"
	return 0
}

# run NAME SERVER WORKLOAD OP TOOL CONC IN-DIR HOME CMD...
run () {
	r_name=$1 r_srv=$2 r_wl=$3 r_op=$4 r_tool=$5 r_conc=$6 r_in=$7 r_home=$8
	shift 8
	if timed "$r_name" "$r_in" "$r_home" "$@"; then
		record "$r_name" "$r_srv" "$r_wl" "$r_op" "$r_tool" "$r_conc" ok
	else
		record "$r_name" "$r_srv" "$r_wl" "$r_op" "$r_tool" "$r_conc" "exit $?"
	fi
}

# verify NAME WANT GOT: the downloaded tree is the uploaded one; if not,
# the row just recorded says BAD
verify () {
	if diff -rq "$2" "$3" >"$LOGS/$1.diff" 2>&1; then
		rm -f "$LOGS/$1.diff"
	else
		echo "   $1: DOWNLOAD DIFFERS from the data, see $LOGS/$1.diff" >&2
		sed -i '$ s/\tok\t/\tBAD\t/' "$RES"	# the row just recorded
	fi
}

# --- data
# make_small DIR N: N files of FILE_KB KiB of random bytes, 1,000 a folder
make_small () {
	python3 - "$1" "$2" "$FILE_KB" <<'EOF'
import os, random, sys
root, n, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]) * 1024
rnd = random.Random(1)
for i in range(n):
    d = os.path.join(root, "%03d" % (i // 1000))
    if i % 1000 == 0:
        os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "%06d.bin" % i), "wb") as f:
        f.write(rnd.randbytes(size))
EOF
}

# fresh_ws WORKLOAD: a new quire workspace over its data, committed. After
# a push, its entries point into the bucket, and a second push (to another
# server at the same s3:// address) would copy nothing.
fresh_ws () {
	rm -rf "$W/ws-$1/.quire" "$W/home-ws"
	quire "$W/home-ws" -C "$W/ws-$1" init -q ns/$1
	quire "$W/home-ws" -C "$W/ws-$1" add -q data
	quire "$W/home-ws" -C "$W/ws-$1" commit -q -m bench >/dev/null
}

make_big () {
	mkdir -p "$1"
	"$TOOL" genfile $((BIG_MB * 1048576)) >"$1/big.bin"
}

# --- main
rm -rf "$W" "$LOGS"
mkdir -p "$W" "$LOGS"
printf "server\tworkload\top\ttool\tconc\tstatus\twall\tuser\tsys\trss_kb\n" >"$RES"

has_op () {
	case " $OPS " in *" $1 "*) return 0 ;; esac
	return 1
}

avail=
for srv in $SERVERS; do
	case $srv in
	swift) why=$(swift_missing) ;;
	s3rver) why=$(s3rver_missing) ;;
	*) echo "bench s3: unknown server '$srv' (swift or s3rver)" >&2; exit 1 ;;
	esac
	if test -n "$why"; then
		echo "   skipping $srv, missing:$why" >&2
	else
		avail="$avail $srv"
	fi
done
if test -z "$avail"; then
	echo "   no S3 server can run here; skipped"
	exit 0
fi

# each small workload is small-N (N files); the big one is big
wls=
for wl in $WORKLOADS; do
	case $wl in
	small) for n in $FILES; do wls="$wls small-$n"; done ;;
	big) wls="$wls big" ;;
	*) echo "bench s3: unknown workload '$wl' (small or big)" >&2; exit 1 ;;
	esac
done
echo "   $(nproc) cores; quire QUIRE_S3_CONCURRENCY=$CONC; $("$AWS" --version 2>&1 | cut -d' ' -f1) (defaults); $REPEAT run(s) each"
for wl in $wls; do
	ws=$W/ws-$wl
	mkdir -p "$ws/data"
	case $wl in
	small-*) make_small "$ws/data" ${wl#small-} ;;
	big) make_big "$ws/data" ;;
	esac
	echo "   $wl: $(find "$ws/data" -type f | wc -l) files, $(du -sm --apparent-size "$ws/data" | cut -f1) MiB"
done

# quire_env C: how quire runs at concurrency C ("default": its own)
quire_env () {
	if test "$1" = default; then
		echo "env -u QUIRE_S3_CONCURRENCY"
	else
		echo "env QUIRE_S3_CONCURRENCY=$1"
	fi
}

for srv in $avail; do
	echo "   starting $srv..."
	start_$srv
	echo "   $srv: $VERSION at $ENDPOINT"
	aws s3api create-bucket --bucket bench-quire >/dev/null
	aws s3api create-bucket --bucket bench-aws >/dev/null
	for wl in $wls; do
		ws=$W/ws-$wl
		# quire and aws take turns, so that both see the same load
		r=1
		while test $r -le $REPEAT; do
			for c in $CONC; do
				fresh_ws $wl
				run $srv-$wl-push-quire-c$c-r$r $srv $wl push quire $c \
					"$ws" "$W/home-ws" $(quire_env $c) "$QUIRE" \
					--verbose push s3://bench-quire/reg-c$c-r$r
			done
			run $srv-$wl-push-aws-r$r $srv $wl push aws 10 "$ws" \
				"$W/home-aws" "$AWS" --endpoint-url "$ENDPOINT" s3 sync \
				--only-show-errors data s3://bench-aws/sync-$wl-r$r/
			r=$((r + 1))
		done
		has_op install || continue
		for c in $CONC; do
			out=$W/install-$srv-$wl-c$c
			rm -rf "$out" "$W/home-install" && mkdir -p "$out"
			# an empty cache: everything is downloaded
			run $srv-$wl-install-quire-c$c-r1 $srv $wl install quire $c \
				"$out" "$W/home-install" $(quire_env $c) "$QUIRE" \
				--verbose install ns/$wl \
				--registry s3://bench-quire/reg-c$c-r1
			verify $srv-$wl-install-quire-c$c-r1 "$ws/data" "$out/$wl/data"
			rm -rf "$out" "$W/home-install"
		done
		out=$W/sync-$srv-$wl
		rm -rf "$out" && mkdir -p "$out"
		run $srv-$wl-install-aws-r1 $srv $wl install aws 10 "$W" \
			"$W/home-aws" "$AWS" --endpoint-url "$ENDPOINT" s3 sync \
			--only-show-errors s3://bench-aws/sync-$wl-r1/ "$out"
		verify $srv-$wl-install-aws-r1 "$ws/data" "$out"
		rm -rf "$out"
	done
	stop_servers
	rm -rf "$W/$srv"
done

# the table: one row per server, workload, operation and quire
# concurrency; with several runs, the median of each
python3 - "$RES" "$LOGS" <<'EOF'
import collections, os, re, statistics, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])][1:]
runs = collections.OrderedDict()
for srv, wl, op, tool, conc, st, wall, user, sys_, rss in rows:
    runs.setdefault((srv, wl, op, tool, conc), []).append(
        (st, wall, user, sys_, rss))
def summary(rs):
    """median wall, median cpu, max rss (KiB), walls, failures"""
    ok = [r for r in rs if r[0] == "ok"]
    if not ok:
        return None, None, None, [], len(rs)
    walls = [float(r[1]) for r in ok]
    cpu = [float(r[2]) + float(r[3]) for r in ok]
    return (statistics.median(walls), statistics.median(cpu),
            max(int(r[4]) for r in ok), walls, len(rs) - len(ok))
aws = {}
for (srv, wl, op, tool, conc), rs in runs.items():
    if tool == "aws":
        aws[srv, wl, op] = summary(rs)
def fmt(x, spec="%.2f"):
    return spec % x if x is not None else "FAIL"
print()
print("%-7s %-19s %-7s %9s %9s %6s  %9s %9s %8s" % (
    "server", "workload", "conc", "quire s", "aws s", "q/aws",
    "quire cpu", "aws cpu", "quire MB"))
for (srv, wl, op, tool, conc), rs in runs.items():
    if tool != "quire":
        continue
    q, qc, rss, qw, qf = summary(rs)
    a, ac, _, aw, af = aws.get((srv, wl, op), (None, None, None, [], 1))
    ratio = "%.2f" % (q / a) if q is not None and a else "-"
    note = ""
    if len(qw) > 1 or len(aw) > 1:
        note = "  runs: quire %s, aws %s" % (
            " ".join("%.1f" % w for w in qw), " ".join("%.1f" % w for w in aw))
    if qf or af:
        note += "  (failed: quire %d, aws %d)" % (qf, af)
    print("%-7s %-19s %-7s %9s %9s %6s  %9s %9s %8s%s" % (
        srv, wl + " " + op, conc, fmt(q), fmt(a), ratio, fmt(qc), fmt(ac),
        "%d" % (rss // 1024) if rss is not None else "-", note))
print()
print("q/aws: quire's wall time over aws s3 sync's in the same run (lower is")
print("better for quire); with several runs, medians, quire and aws taking")
print("turns. cpu: user + sys seconds of the client; quire MB: its peak RSS.")
# what quire asked of the server, from its --verbose log (the first run)
pat = re.compile(r"^s3: (\w+) (\S+) -> (\d+)")
print("quire's requests (method status: count; LIST is GET ?list-type=2):")
for srv, wl, op, tool, conc in runs:
    name = "%s-%s-%s-quire-c%s-r1" % (srv, wl, op, conc)
    if tool != "quire" or not os.path.exists(
            os.path.join(sys.argv[2], name + ".log")):
        continue
    c = collections.Counter()
    for l in open(os.path.join(sys.argv[2], name + ".log"), errors="replace"):
        m = pat.match(l)
        if m:
            kind = m.group(1)
            if "partNumber=" in m.group(2):
                kind += " part"
            elif "list-type=" in m.group(2):
                kind = "LIST"
            c["%s %s" % (kind, m.group(3))] += 1
    print("  %-36s %d: %s" % (name, sum(c.values()),
          ", ".join("%s: %d" % kv for kv in sorted(c.items()))))
EOF
echo "   logs: $LOGS"
