#!/bin/sh
# The mount section of 'make bench' (BENCH_ONLY=mount): reading a package
# version through 'quire mount' beside the other ways to get at the same
# bytes, in the same run. Figures, never pass/fail. Runs alone too:
#	QUIRE_BUILD_DIR=$PWD/build sh bench/mount.sh
#
#   BENCH_MOUNT_FILES    small files, read through the mount cold (empty
#                        cache, from the S3 test server) and warm, beside
#                        'quire install' of the same version, an s3fs
#                        mount of the same objects and the installed
#                        plain folder (default 10000)
#   BENCH_MOUNT_FILE_KB  size of each small file, KiB (default 4)
#   BENCH_MOUNT_BIG_MB   one big file read sequentially through the mount,
#                        cold and warm, beside 'aws s3 cp' to a file and
#                        s3fs (default 1024)
#   BENCH_MOUNT_ENTRIES  entries of the package mounted to time the
#                        mount and an 'ls' of its root, first mount
#                        (builds the index) and second (reuses it), with
#                        the mount process's peak RSS (default 1000000)
#   BENCH_MOUNT_RUNS     runs of each warm read, the median shown
#                        (default 3)
#   BENCH_MOUNT_PARTS    which of small big index to run (default all)
#   BENCH_MOUNT_OPTS     more options for every 'quire mount' (say
#                        "--prefetch 64")
#   BENCH_MOUNT_DROP     "no": do not drop the page cache for cold runs
#   BENCH_DIR            scratch folder (default bench/out); the data goes
#                        under $BENCH_DIR/mount and is removed at the end;
#                        logs stay in $BENCH_DIR/mount-logs
#
# Every side reads with the same command, 'find DIR -type f -print0 |
# xargs -0 cat >/dev/null' (one file: 'cat FILE >/dev/null'), timed by
# the shell around it. Cold means a fresh XDG_CACHE_HOME for quire, a
# fresh s3fs mount (s3fs keeps no disk cache by default), and, where this
# shell may (root, writable /proc/sys), the kernel's page cache dropped
# first (echo 3 >/proc/sys/vm/drop_caches); the run says whether it could.
#
# The server: one OpenStack Swift node with s3api on 127.0.0.1, set up by
# t/helper/swift-setup.sh as t/lib-s3.sh and bench/s3.sh do (Debian
# packages swift swift-proxy swift-object swift-container swift-account
# python3-swift memcached); user test:tester, secret testing; stopped by
# PID at the end. Clients: quire (its own S3 client), Debian's aws cli
# (/usr/bin/aws, defaults) and Debian's s3fs (s3fs-fuse), path-style, with
# a passwd file holding the same credentials. Every mount is taken down
# when the script ends, passed or failed (fusermount3 -u -z).
set -e
SRC=$(cd "$(dirname "$0")" && pwd)
BUILD=${QUIRE_BUILD_DIR:-$SRC/../build}
QUIRE=$BUILD/quire
TOOL=$BUILD/t/helper/test-tool
DIR=${BENCH_DIR:-$SRC/out}
FILES=${BENCH_MOUNT_FILES:-10000}
FILE_KB=${BENCH_MOUNT_FILE_KB:-4}
BIG_MB=${BENCH_MOUNT_BIG_MB:-1024}
ENTRIES=${BENCH_MOUNT_ENTRIES:-1000000}
PARTS=${BENCH_MOUNT_PARTS:-small big index}
RUNS=${BENCH_MOUNT_RUNS:-3}
MOPTS=${BENCH_MOUNT_OPTS:-}
AWS=/usr/bin/aws
W=$DIR/mount
LOGS=$DIR/mount-logs
BUCKET=bench-mount
. "$SRC/lib.sh"

missing=
for f in "$QUIRE" "$TOOL" /usr/bin/time "$AWS" /usr/bin/s3fs \
	/usr/bin/fusermount3 /usr/bin/mountpoint
do
	test -x "$f" || missing="$missing $f"
done
test -c /dev/fuse || missing="$missing /dev/fuse"
if test -n "$missing"; then
	echo "   bench mount: skipped, missing:$missing (make; apt-get install" \
		"time awscli s3fs fuse3; a machine or container with FUSE)" >&2
	exit 0
fi
if ! "$QUIRE" mount -h 2>&1 | grep -q "quire mount"; then
	echo "   bench mount: skipped, this quire has no mount command" >&2
	exit 0
fi

# The Python that has Swift's modules (Debian's; the first python3 on PATH
# may be another one).
SWIFT_PYTHON=$(command -v swift-ring-builder 2>/dev/null) &&
SWIFT_PYTHON=$(sed -n '1s/^#! *\([^ ]*\).*/\1/p' "$SWIFT_PYTHON")
: "${SWIFT_PYTHON:=/usr/bin/python3}"

swift_missing () {
	for c in swift-proxy-server swift-object-server swift-container-server \
		swift-account-server memcached
	do
		command -v "$c" >/dev/null 2>&1 || printf " %s" "$c"
	done
	"$SWIFT_PYTHON" -c "import swift.common.middleware.s3api.s3api" 2>/dev/null ||
	printf " %s" "python3-swift"
}

# --- processes and mounts: every one this script starts is kept here
PIDS=
MOUNTS=

spawn () {
	log=$1
	shift
	"$@" >"$log" 2>&1 </dev/null &
	PIDS="$PIDS $!"
	LAST_PID=$!
}

is_mounted () {
	awk -v d="$1" '$2 == d { found = 1 } END { exit !found }' /proc/self/mounts
}

# unmount_all: whatever is still mounted, lazily (a reader may hold it)
unmount_all () {
	for m in $MOUNTS; do
		is_mounted "$m" || continue
		fusermount3 -u -z "$m" 2>/dev/null || umount -l "$m" 2>/dev/null ||
			echo "   bench mount: cannot unmount $m" >&2
	done
	MOUNTS=
}

cleanup () {
	unmount_all
	stop $PIDS
	PIDS=
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

# watchdog: if this shell dies without its trap (SIGKILL), stop the servers
watchdog () {
	sh -c 'while kill -0 $1 2>/dev/null; do sleep 1; done
		shift; kill "$@" 2>/dev/null' \
		bench-mount-watchdog $$ $PIDS >/dev/null 2>&1 </dev/null &
	PIDS="$PIDS $!"
}

# start_swift: one Swift node with s3api under $W/swift (as t/lib-s3.sh)
start_swift () {
	sw=$W/swift
	rm -rf "$sw" && mkdir -p "$sw"
	ports=$(sh "$SRC/../t/helper/swift-setup.sh" "$sw" "$SWIFT_PYTHON") ||
		return 1
	set -- $ports
	port=$1
	spawn "$sw/log/memcached.log" memcached -l 127.0.0.1 -p $5 -U 0 -m 64 \
		-u "$(id -un)"
	for s in object container account proxy; do
		spawn "$sw/log/$s-server.log" \
			swift-$s-server "$sw/etc/$s-server.conf" -v
	done
	watchdog
	if ! "$SWIFT_PYTHON" - 30 "$port" <<'EOF'
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
	then
		tail -n 20 "$sw"/log/*.log >&2
		return 1
	fi
	ENDPOINT=http://127.0.0.1:$port
	KEY=test:tester
	SECRET=testing
}

# s3vars HOME: the server's address and credentials, no AWS config
# files, and quire's XDG folders under HOME
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

# --- the page cache
# drop_caches: sync, then drop the page cache, when this shell may. Both
# wait for every mounted file system, so a FUSE mount that hangs anywhere
# on the machine hangs them (in the kernel, where no signal ends them):
# after 60 s the bench leaves that one behind and drops nothing more.
DROP=no
drop_caches () {
	test "$DROP" = yes || return 0
	# (its output nowhere: a hung one must not hold a pipe open)
	sh -c 'sync && echo 3 >/proc/sys/vm/drop_caches' </dev/null \
		>/dev/null 2>&1 &
	d_pid=$!
	d_i=0
	while alive $d_pid; do
		if test $d_i -ge 600; then
			DROP=hung
			echo "   page cache: sync and drop_caches hung for" \
				"60 s (a stuck mount on this machine?);" \
				"from here on cold runs do NOT drop it" >&2
			return 0
		fi
		sleep 0.1
		d_i=$((d_i + 1))
	done
	wait $d_pid || {
		DROP=failed
		echo "   page cache: cannot drop it; from here on cold" \
			"runs do NOT drop it" >&2
	}
}
if test "${BENCH_MOUNT_DROP:-yes}" = no; then
	echo "   page cache: NOT dropped (BENCH_MOUNT_DROP=no)"
elif test "$(id -u)" = 0 && test -w /proc/sys/vm/drop_caches; then
	DROP=yes
	echo "   page cache: dropped before every cold run" \
		"(sync; echo 3 >/proc/sys/vm/drop_caches)"
else
	echo "   page cache: NOT dropped (cannot write" \
		"/proc/sys/vm/drop_caches here: not root, or /proc/sys is" \
		"read-only); cold runs may read the server's files from memory"
fi

# --- timing: wall milliseconds of a command, kept in $LOGS/NAME.ms
# ("FAIL" when it failed), its output in $LOGS/NAME.log
# timed NAME CMD...
timed () {
	t_name=$1
	shift
	t0=$(now_ms)
	if "$@" >"$LOGS/$t_name.log" 2>&1; then
		echo $(($(now_ms) - t0)) >"$LOGS/$t_name.ms"
	else
		echo "   $t_name FAILED (exit $?); the end of $LOGS/$t_name.log:" >&2
		tail -n 5 "$LOGS/$t_name.log" | sed 's/^/     /' >&2
		echo FAIL >"$LOGS/$t_name.ms"
	fi
}

# timed_median NAME CMD...: RUNS runs of CMD, NAME's time their median
timed_median () {
	tm_name=$1
	shift
	tm_i=1
	: >"$LOGS/$tm_name.runs"
	while test $tm_i -le $RUNS; do
		timed $tm_name-$tm_i "$@"
		ms $tm_name-$tm_i >>"$LOGS/$tm_name.runs"
		tm_i=$((tm_i + 1))
	done
	sort -n "$LOGS/$tm_name.runs" | awk '{ v[NR] = $1 } /FAIL/ { f = 1 }
		END { print f ? "FAIL" : v[int((NR + 1) / 2)] }' >"$LOGS/$tm_name.ms"
}

# ms NAME: the milliseconds timed NAME took, or FAIL / - (not run)
ms () {
	cat "$LOGS/$1.ms" 2>/dev/null || echo -
}

# secs NAME: the same in seconds (NAME may be a number of ms)
secs () {
	case "$1" in
	*[!0-9]*|"") s_v=$(ms "$1") ;;
	*) s_v=$1 ;;
	esac
	awk -v v="$s_v" 'BEGIN {
		if (v ~ /^[0-9]+$/) printf "%.2f", v / 1000; else printf "%s", v }'
}

# rate NAME MIB: MiB/s of a read of MIB MiB that took NAME's time
rate () {
	awk -v v="$(ms "$1")" -v m="$2" 'BEGIN {
		if (v ~ /^[0-9]+$/ && v > 0) printf "%.1f", m * 1000 / v;
		else printf "-" }'
}

# ratio A B: A's time over B's (A and B names, or numbers of ms)
ratio () {
	a=$1 b=$2
	case "$a" in *[!0-9]*|"") a=$(ms "$a") ;; esac
	case "$b" in *[!0-9]*|"") b=$(ms "$b") ;; esac
	awk -v a="$a" -v b="$b" 'BEGIN {
		if (a ~ /^[0-9]+$/ && b ~ /^[0-9]+$/ && b > 0)
			printf "%.2f", a / b; else printf "-" }'
}

# sum A B: the ms of two timings together (FAIL if either failed)
sum () {
	awk -v a="$(ms "$1")" -v b="$(ms "$2")" 'BEGIN {
		if (a ~ /^[0-9]+$/ && b ~ /^[0-9]+$/) printf "%d", a + b;
		else printf "FAIL" }'
}

# same NAME CMD...: CMD (diff -r, cmp) finds what was read the same as
# the data pushed; if not, say so (the difference in $LOGS/NAME.diff)
same () {
	s_name=$1
	shift
	if "$@" >"$LOGS/$s_name.diff" 2>&1; then
		rm -f "$LOGS/$s_name.diff"
	else
		echo "   $s_name: THE DATA DIFFERS, see $LOGS/$s_name.diff" >&2
	fi
}

# readall DIR: what every side runs to read a tree
readall () {
	find "$1" -type f -print0 | xargs -0 cat >/dev/null
}

# readfile FILE: and to read one file
readfile () {
	cat "$1" >/dev/null
}

# --- mounts
# wait_mount DIR PID: until DIR is a mount point (and answers), or PID
# has exited
wait_mount () {
	while ! mountpoint -q "$1"; do
		alive "$2" || return 1
		sleep 0.01
	done
}

# mount_quire NAME HOME REV DIR [OPTION...]: 'quire mount --foreground'
# in the background, under GNU time (its peak RSS in $LOGS/NAME.rss at
# the end); the time until DIR answers is NAME's. The mount's PID is
# in QPID, its HOME in QHOME.
mount_quire () {
	m_name=$1 m_home=$2 m_rev=$3 m_dir=$4
	QHOME=$m_home
	shift 4
	mkdir -p "$m_dir"
	MOUNTS="$MOUNTS $m_dir"
	t0=$(now_ms)
	(s3vars "$m_home" && exec /usr/bin/time -f "%e %M" \
		-o "$LOGS/$m_name.time" "$QUIRE" mount --foreground $MOPTS \
		"$@" "$m_rev" "$m_dir") >"$LOGS/$m_name.log" 2>&1 </dev/null &
	QPID=$!
	PIDS="$PIDS $QPID"
	if wait_mount "$m_dir" $QPID; then
		echo $(($(now_ms) - t0)) >"$LOGS/$m_name.ms"
	else
		echo FAIL >"$LOGS/$m_name.ms"
		echo "   quire mount FAILED; the end of $LOGS/$m_name.log:" >&2
		tail -n 5 "$LOGS/$m_name.log" | sed 's/^/     /' >&2
		return 1
	fi
}

# umount_quire NAME DIR: 'quire umount DIR', then the mount process's
# peak RSS (MiB) into $LOGS/NAME.rss
umount_quire () {
	quire "$QHOME" umount "$2" >>"$LOGS/$1.log" 2>&1 ||
		fusermount3 -u -z "$2" 2>/dev/null || :
	wait $QPID 2>/dev/null || :
	tail -n 1 "$LOGS/$1.time" 2>/dev/null |
	awk '{ printf "%d", $2 / 1024 }' >"$LOGS/$1.rss"
}

rss () {
	cat "$LOGS/$1.rss" 2>/dev/null || echo -
}

# mount_s3fs NAME DIR: a fresh s3fs mount of the bucket, in the
# foreground (its PID kept), path-style, the credentials in a passwd
# file; the time until DIR answers is NAME's
mount_s3fs () {
	mkdir -p "$2"
	MOUNTS="$MOUNTS $2"
	# the access key holds a colon: name the bucket, so that s3fs
	# splits "bucket:key:secret" at the first and the last colon
	printf "%s:%s:%s\n" "$BUCKET" "$KEY" "$SECRET" >"$W/s3fs.passwd"
	chmod 600 "$W/s3fs.passwd"
	t0=$(now_ms)
	spawn "$LOGS/$1.log" s3fs "$BUCKET" "$2" -f \
		-o "url=$ENDPOINT,use_path_request_style,endpoint=us-east-1" \
		-o "passwd_file=$W/s3fs.passwd,ro"
	SPID=$LAST_PID
	if wait_mount "$2" $SPID; then
		echo $(($(now_ms) - t0)) >"$LOGS/$1.ms"
	else
		echo FAIL >"$LOGS/$1.ms"
		echo "   s3fs FAILED; the end of $LOGS/$1.log:" >&2
		tail -n 5 "$LOGS/$1.log" | sed 's/^/     /' >&2
		return 1
	fi
}

umount_s3fs () {
	fusermount3 -u "$1" 2>/dev/null || fusermount3 -u -z "$1" || :
	stop $SPID
}

# s3_prefix PATH: the key, in the bucket, of the object quire pushed for
# logical key PATH (quire picks the folder: see quire-push(1))
s3_prefix () {
	aws s3 ls --recursive "s3://$BUCKET/" |
	awk -v p="$1" '{ k = $4 } !found && k !~ /^\.quilt/ &&
		substr(k, length(k) - length(p) + 1) == p { print k; found = 1 }'
}

# row LABEL NAME [MIB]: a table row: NAME's wall seconds, and MiB/s
# when it read MIB MiB
row () {
	printf "   %-40s %8s %8s\n" "$1" "$(secs "$2")" \
		"${3:+$(rate "$2" "$3")}"
}

version () {
	dpkg-query -W -f '${Version}' "$1" 2>/dev/null || echo '?'
}

has_part () {
	case " $PARTS " in *" $1 "*) return 0 ;; esac
	return 1
}

# --- main
rm -rf "$W" "$LOGS"
mkdir -p "$W" "$LOGS"
why=$(swift_missing)
if (has_part small || has_part big) && test -n "$why"; then
	echo "   no S3 test server here, missing:$why; small and big skipped"
	PARTS=$(echo " $PARTS " | sed 's/ small / /; s/ big / /')
fi
if has_part small || has_part big; then
	start_swift
	echo "   Swift $(version swift) with s3api at $ENDPOINT" \
		"(1 node, workers = 0); s3fs $(version s3fs);" \
		"$("$AWS" --version 2>&1 | cut -d' ' -f1); $(nproc) cores"
	aws s3api create-bucket --bucket $BUCKET >/dev/null
fi

if has_part small; then
	mib=$(awk -v n="$FILES" -v k="$FILE_KB" \
		'BEGIN { printf "%.1f", n * k / 1024 }')
	echo "== quire mount: read all of $FILES files x $FILE_KB KiB" \
		"($mib MiB) from S3"
	ws=$W/ws-small
	mkdir -p "$ws/data"
	python3 - "$ws/data" "$FILES" "$FILE_KB" <<'EOF'
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
	quire "$W/home-ws" -C "$ws" init -q ns/small
	quire "$W/home-ws" -C "$ws" add -q data
	quire "$W/home-ws" -C "$ws" commit -q -m bench >/dev/null
	quire "$W/home-ws" -C "$ws" push -q "s3://$BUCKET" >"$LOGS/small-push.log" 2>&1
	first=$(s3_prefix data/000/000000.bin)
	s3dir=${first%/000/000000.bin}
	reg=s3://$BUCKET

	# quire install, empty cache
	rm -rf "$W/home-install" "$W/installed"
	drop_caches
	timed small-install quire "$W/home-install" install -q ns/small \
		--registry "$reg" --to "$W/installed"

	# quire mount: cold, then warm
	rm -rf "$W/home-mount"
	drop_caches
	mount_quire small-mount "$W/home-mount" ns/small "$W/mnt" \
		--registry "$reg" &&
	timed small-mount-cold readall "$W/mnt/data" &&
	timed_median small-mount-warm readall "$W/mnt/data" &&
	same small-mount diff -r "$W/mnt/data" "$ws/data"
	umount_quire small-mount "$W/mnt"

	# the installed folder: cold, then warm
	drop_caches
	timed small-plain-cold readall "$W/installed/data"
	timed_median small-plain-warm readall "$W/installed/data"

	# s3fs: a fresh mount, cold, then warm
	drop_caches
	mount_s3fs small-s3fs "$W/s3fs" &&
	timed small-s3fs-cold readall "$W/s3fs/$s3dir" &&
	timed small-s3fs-warm readall "$W/s3fs/$s3dir"
	# (no diff -r: through s3fs it takes as long as a cold read)
	n=$(find "$W/s3fs/$s3dir" -type f 2>/dev/null | wc -l)
	test "$n" = "$FILES" ||
		echo "   s3fs: $n files under $s3dir, not $FILES" >&2
	umount_s3fs "$W/s3fs"

	printf "   %-40s %8s %8s\n" "" "wall s" "MiB/s"
	row "quire install, empty cache" small-install $mib
	row "quire mount: mount" small-mount
	row "quire mount: read, cold (empty cache)" small-mount-cold $mib
	row "quire mount: read, warm (second read)" small-mount-warm $mib
	row "installed plain folder: read, cold" small-plain-cold $mib
	row "installed plain folder: read, warm" small-plain-warm $mib
	row "s3fs: mount" small-s3fs
	row "s3fs: read, cold (fresh mount)" small-s3fs-cold $mib
	row "s3fs: read, warm (second read, 1 run)" small-s3fs-warm $mib
	echo "   quire mount's peak RSS: $(rss small-mount) MiB"
	mc=$(sum small-mount small-mount-cold)
	sc=$(sum small-s3fs small-s3fs-cold)
	r=$(ratio small-plain-warm small-mount-warm)
	echo "   mount + cold read / quire install:      $(ratio "$mc" small-install)"
	r2=$(ratio "$mc" "$sc")
	echo "   mount + cold read / s3fs mount + read:  $r2" \
		"(goal: below 1, cold ahead of s3fs: $(goal "$r2" "<" 1))"
	echo "   warm read speed / plain folder's:       ${r}x" \
		"(goal: >= 0.8x: $(goal "$r" ">=" 0.8))"
	echo "   cold read / s3fs cold read:            " \
		"$(ratio small-mount-cold small-s3fs-cold)"
	rm -rf "$ws" "$W/installed" "$W/home-install" "$W/home-mount"
fi

if has_part big; then
	echo "== quire mount: sequential read of one $BIG_MB MiB file from S3"
	ws=$W/ws-big
	mkdir -p "$ws/data"
	"$TOOL" genfile $((BIG_MB * 1048576)) >"$ws/data/big.bin"
	quire "$W/home-ws" -C "$ws" init -q ns/big
	quire "$W/home-ws" -C "$ws" add -q data
	quire "$W/home-ws" -C "$ws" commit -q -m bench >/dev/null
	quire "$W/home-ws" -C "$ws" push -q "s3://$BUCKET" >"$LOGS/big-push.log" 2>&1
	key=$(s3_prefix data/big.bin)
	reg=s3://$BUCKET

	rm -rf "$W/home-mount"
	drop_caches
	mount_quire big-mount "$W/home-mount" ns/big "$W/mnt" \
		--registry "$reg" &&
	timed big-mount-cold readfile "$W/mnt/data/big.bin" &&
	timed_median big-mount-warm readfile "$W/mnt/data/big.bin" &&
	same big-mount cmp "$W/mnt/data/big.bin" "$ws/data/big.bin"
	umount_quire big-mount "$W/mnt"
	rm -rf "$W/home-mount"

	drop_caches
	timed big-aws aws s3 cp --only-show-errors "s3://$BUCKET/$key" \
		"$W/aws-big.bin"
	same big-aws cmp "$W/aws-big.bin" "$ws/data/big.bin"
	rm -f "$W/aws-big.bin"

	drop_caches
	mount_s3fs big-s3fs "$W/s3fs" &&
	timed big-s3fs-cold readfile "$W/s3fs/$key" &&
	timed_median big-s3fs-warm readfile "$W/s3fs/$key" &&
	same big-s3fs cmp "$W/s3fs/$key" "$ws/data/big.bin"
	umount_s3fs "$W/s3fs"

	drop_caches
	timed big-local readfile "$ws/data/big.bin"

	printf "   %-40s %8s %8s\n" "" "wall s" "MiB/s"
	row "quire mount: mount" big-mount
	row "quire mount: read, cold (empty cache)" big-mount-cold $BIG_MB
	row "quire mount: read, warm (second read)" big-mount-warm $BIG_MB
	row "aws s3 cp to a file" big-aws $BIG_MB
	row "s3fs: mount" big-s3fs
	row "s3fs: read, cold (fresh mount)" big-s3fs-cold $BIG_MB
	row "s3fs: read, warm (second read)" big-s3fs-warm $BIG_MB
	row "the file on local disk, cold" big-local $BIG_MB
	echo "   quire mount's peak RSS: $(rss big-mount) MiB"
	echo "   cold read / aws s3 cp:   $(ratio big-mount-cold big-aws)"
	echo "   cold read / s3fs read:   $(ratio big-mount-cold big-s3fs-cold)"
	rm -rf "$ws"
fi

if has_part index; then
	echo "== quire mount of a $ENTRIES-entry package: mount and ls its root"
	m=$DIR/mount-manifest-$ENTRIES.jsonl
	test -s "$m" || "$TOOL" gen-manifest "$ENTRIES" >"$m"
	reg=$W/index-reg
	bench_registry "$m" "$reg" bench/big
	echo "   manifest: $(($(stat -c %s "$m") / 1048576)) MiB"
	# one folder of the package and one file in it
	sub=train/$(printf "%04d" $((ENTRIES / 2000)))
	file=$sub/$(printf "%08d" $((ENTRIES / 2000 * 1000))).jpg
	rm -rf "$W/home-index"
	for run in first second; do
		drop_caches
		mount_quire index-$run "$W/home-index" bench/big "$W/mnt" \
			--registry "file://$reg" &&
		timed index-$run-ls ls "$W/mnt" &&
		timed index-$run-lsdir ls -l "$W/mnt/$sub" &&
		timed index-$run-stat stat "$W/mnt/$file"
		umount_quire index-$run "$W/mnt"
	done
	# as users run it: without --foreground, it returns once ready
	t0=$(now_ms)
	if quire "$W/home-index" mount -q $MOPTS --registry "file://$reg" \
		bench/big "$W/mnt" >"$LOGS/index-daemon.log" 2>&1 &&
		ls "$W/mnt" >/dev/null
	then
		echo $(($(now_ms) - t0)) >"$LOGS/index-daemon.ms"
	else
		echo FAIL >"$LOGS/index-daemon.ms"
	fi
	MOUNTS="$MOUNTS $W/mnt"
	quire "$W/home-index" umount "$W/mnt" >>"$LOGS/index-daemon.log" 2>&1 || :

	printf "   %-40s %8s %8s\n" "" "first" "second"
	printf "   %-40s %8s %8s\n" "mount, until the root answers (s)" \
		"$(secs index-first)" "$(secs index-second)"
	printf "   %-40s %8s %8s\n" "ls of the root (s)" \
		"$(secs index-first-ls)" "$(secs index-second-ls)"
	printf "   %-40s %8s %8s\n" "mount + ls of the root (s)" \
		"$(secs "$(sum index-first index-first-ls)")" \
		"$(secs "$(sum index-second index-second-ls)")"
	n=$(grep -c '^-' "$LOGS/index-second-lsdir.log" 2>/dev/null || :)
	printf "   %-40s %8s %8s\n" "ls -l of $sub ($n files) (s)" \
		"$(secs index-first-lsdir)" "$(secs index-second-lsdir)"
	printf "   %-40s %8s %8s\n" "stat of one file (s)" \
		"$(secs index-first-stat)" "$(secs index-second-stat)"
	printf "   %-40s %8s %8s\n" "peak RSS of the mount process (MiB)" \
		"$(rss index-first)" "$(rss index-second)"
	echo "   second mount without --foreground, + ls of the root:" \
		"$(secs index-daemon) s"
	idx=$(find "$W/home-index/cache/quire/vindex" -name '*.db' 2>/dev/null |
		head -n 1)
	test -z "$idx" ||
	echo "   the version's index: $(($(stat -c %s "$idx") / 1048576)) MiB"
fi
case $DROP in
yes) echo "   page cache: dropped before every cold run" ;;
hung|failed) echo "   page cache: NOT dropped before some cold runs" \
	"(drop_caches $DROP)" ;;
esac
echo "   logs: $LOGS"
