# lib-fuse.sh: mount package versions for real with FUSE ('quire mount').
# Source it after test-lib.sh (and after lib-s3.sh, if the script uses
# both: the mounts then go before the S3 server does):
#
#	. ./test-lib.sh
#	. "$TEST_DIRECTORY/lib-fuse.sh"
#
#	test_expect_success 'the mount shows the version' '
#		mount_quire -r "$PWD/reg" ns/pkg:v1 mnt &&
#		cat mnt/data/a.txt
#	'
#
# Prereq FUSE holds when /dev/fuse can be opened, fusermount3 and getfattr
# exist, and a trial mount of a file system other than quire's
# (test-tool fuse-probe) works. Without it the script skips all its tests
# and says why, unless QUIRE_REQUIRE_FUSE=1 (CI sets it): then it fails.
# Debian's fuse3 and attr packages give the programs; root, or a
# container given /dev/fuse and the right to mount, gives the rest.
#
# mount_quire [<quire mount options>] <revision> <dir>
#	Run 'quire mount' (it returns once the mount is ready) with its
#	stderr in the file mount-err (also shown on failure), and unmount
#	<dir> when the current test ends, passed or failed. Call it inside
#	a test.
# mount_quire_fg [<quire mount options>] <revision> <dir>
#	The same with --foreground, in the background: FUSE_PID is the
#	mount process (a daemon of our own, so /proc/$FUSE_PID/status is
#	its memory), its stderr goes to fg-err. Waits until <dir> is
#	mounted; when the test ends, unmounts it and waits for the process.
# fuse_mounted <dir>
#	<dir> is a mount point now (any file system).
# fuse_mount_line <dir>
#	The line of /proc/self/mounts for <dir>.
# fuse_wait_mounted <dir> [<pid>] / fuse_wait_unmounted <dir>
#	Wait (up to $FUSE_TIMEOUT seconds, 30 by default) until <dir> is
#	(not) a mount point; with <pid>, give up at once when the process
#	it names is gone.
# fuse_wait_exit <pid>
#	Wait up to $FUSE_TIMEOUT seconds for a process we started in the
#	background to end; return its exit code (124 if it did not end).
# fuse_umount <dir>
#	Unmount <dir> if it is mounted: fusermount3 -u (retried while busy),
#	else lazily (-u -z). Never looks inside <dir>. Success when nothing
#	is mounted there afterwards. A daemon that hangs cannot hang us:
#	after 10 s its FUSE connection is aborted (through the fusectl file
#	system, mounted if need be), and that is a failure.
# fuse_umount_all
#	fuse_umount every FUSE mount below the trash directory. It runs by
#	itself when the script ends, passed or failed, so that no mount
#	outlives its script (and the trash directory can be removed).
# fuse_hwm_kib <pid>
#	The peak resident memory (VmHWM) of process <pid>, in KiB.
# fuse_cache_files [--all]
#	The files of data objects below $XDG_CACHE_HOME/quire/objects, one
#	a line, finished or not: all but the manifests (manifest/, and the
#	SHA256/ objects they name, which would also hold the data of
#	entries of the legacy SHA256 hash type: the tests' packages have
#	none). With --all, every file there.
# fuse_check_tree <ls-json> <dir> [<mtime>]
#	Check the mount <dir> against 'quire ls --json -R' output in file
#	<ls-json>: each entry a regular file of its size, mode 0444, owned
#	by us, its xattrs user.quire.hash ("<type>:<value>"),
#	user.quire.physical_key and user.quire.meta (compact JSON) those of
#	the entry; each folder a folder, mode 0555; nothing else in the
#	tree. With <mtime> (seconds), every file's and folder's mtime is it.
# fuse_random_reads <source> <file> [<count>] [<seed>]
#	Read <file> at <count> (400) random offsets and lengths (and at its
#	ends) through one descriptor; each read must equal the bytes of
#	<source> there.
# fuse_read_fails <file>
#	cat <file> fails with EIO ("Input/output error"), within 30 s; its
#	output is in the file out, its stderr in err.
# fuse_readers <dir> <sums> <big>
#	8 readers at once (background processes) hash the files named in
#	<sums> (sha256sum output, names relative to <dir>): four of them
#	start with <big> then read the others in order, four read the
#	others backwards then <big>. Each reader's sums, and its stderr,
#	must be those of <sums>, with nothing on stderr.
# fuse_late_read_fails <file> <key>
#	Open <file> (the entry <key> of a mount whose object does not match
#	its hash) and read its first byte, wait until the mount's log says
#	the object failed verification (and half a second more), then read
#	it at its start, in its middle and at its end: each read must fail
#	with EIO (not return bytes, nor end of file).
# "$FUSE_PYTHON"
#	Debian's python3, which the helpers above use.

FUSE_PYTHON=/usr/bin/python3
FUSE__UMOUNT_ERR=$SHARNESS_TRASH_DIRECTORY/.fuse-umount.err
: "${FUSE_TIMEOUT:=30}"

# fuse__required: QUIRE_REQUIRE_FUSE as the caller set it (test-lib.sh
# keeps the QUIRE_REQUIRE_* settings of the harness).
fuse__required () {
	echo "${QUIRE_REQUIRE_FUSE-}"
}

# fuse__abs <path>: <path> made absolute and physical, without looking
# at <path> itself (a mount point whose daemon hangs would hang us).
fuse__abs () {
	fuse__base=$(basename "$1") &&
	fuse__parent=$(cd "$(dirname "$1")" && pwd -P) &&
	case "$fuse__parent" in
	/) echo "/$fuse__base" ;;
	*) echo "$fuse__parent/$fuse__base" ;;
	esac
}

# fuse__escape: stdin's path as /proc/self/mounts writes it.
fuse__escape () {
	sed 's/\\/\\134/g; s/ /\\040/g; s/	/\\011/g'
}

# fuse__unescape: the reverse (for the paths we make: no newlines).
fuse__unescape () {
	sed 's/\\040/ /g; s/\\011/	/g; s/\\134/\\/g'
}

fuse_mount_line () {
	FUSE__WANT=$(fuse__abs "$1" | fuse__escape) || return 1
	export FUSE__WANT
	awk '$2 == ENVIRON["FUSE__WANT"]' /proc/self/mounts
}

fuse_mounted () {
	test -n "$(fuse_mount_line "$1")"
}

# fuse__alive PID: the process runs (is not gone, nor a zombie).
fuse__alive () {
	kill -0 "$1" 2>/dev/null || return 1
	case "$(ps -o stat= -p "$1" 2>/dev/null)" in
	Z*) return 1 ;;
	esac
	return 0
}

# fuse__wait SECONDS CMD...: poll CMD every 50 ms until it succeeds.
fuse__wait () {
	fuse__n=$(($1 * 20))
	shift
	while ! "$@"
	do
		test $fuse__n -gt 0 || return 1
		fuse__n=$((fuse__n - 1))
		sleep 0.05
	done
}

fuse_wait_mounted () {
	fuse__n=$((FUSE_TIMEOUT * 20))
	while ! fuse_mounted "$1"
	do
		if test -n "$2" && ! fuse__alive "$2"
		then
			echo >&2 "fuse_wait_mounted: process $2 ended, '$1' not mounted"
			return 1
		fi
		if test $fuse__n -le 0
		then
			echo >&2 "fuse_wait_mounted: '$1' not mounted after $FUSE_TIMEOUT s"
			return 1
		fi
		fuse__n=$((fuse__n - 1))
		sleep 0.05
	done
}

fuse__not_mounted () {
	! fuse_mounted "$1"
}

fuse_wait_unmounted () {
	fuse__wait "$FUSE_TIMEOUT" fuse__not_mounted "$1" && return 0
	echo >&2 "fuse_wait_unmounted: '$1' still mounted after $FUSE_TIMEOUT s"
	return 1
}

fuse__gone () {
	! fuse__alive "$1"
}

fuse_wait_exit () {
	if ! fuse__wait "$FUSE_TIMEOUT" fuse__gone "$1"
	then
		echo >&2 "fuse_wait_exit: process $1 still runs after $FUSE_TIMEOUT s"
		return 124
	fi
	wait "$1"
}

# fuse__conn DIR: the number of the FUSE connection mounted at DIR (its
# name below /sys/fs/fuse/connections): the minor of its device.
fuse__conn () {
	FUSE__WANT=$(fuse__abs "$1" | fuse__escape) || return 1
	export FUSE__WANT
	awk '$5 == ENVIRON["FUSE__WANT"] { split($3, d, ":"); print d[2] }' \
		/proc/self/mountinfo | tail -n 1
}

# fuse__abort CONN: abort FUSE connection CONN, as a daemon that hangs
# leaves no other way out: every request of it fails at once with
# ENOTCONN, and its threads stuck in the kernel are let go. Mounts the
# fuse control file system first if it is not (root only).
fuse__abort () {
	if ! test -d /sys/fs/fuse/connections/"$1" &&
		test -d /sys/fs/fuse/connections &&
		! grep -q " /sys/fs/fuse/connections fusectl " /proc/self/mounts
	then
		mount -t fusectl fusectl /sys/fs/fuse/connections 2>/dev/null
	fi
	test -w /sys/fs/fuse/connections/"$1"/abort &&
	echo 1 >/sys/fs/fuse/connections/"$1"/abort
}

# fuse__detach DIR: fusermount3 -u [-z] DIR, in the background: it can
# hang in the kernel (in D state, deaf to signals) when the daemon does;
# after 10 s, abort the connection CONN, which lets it go.
fuse__detach () {
	fuse__conn=$(fuse__conn "$1")
	fusermount3 -u $2 "$1" >"$FUSE__UMOUNT_ERR" 2>&1 </dev/null \
		3>&- 4>&- 5>&- 6<&- &
	fuse__um=$!
	if ! fuse__wait 10 fuse__gone $fuse__um
	then
		echo >&2 "fuse_umount: 'fusermount3 -u${2:+ $2}' hangs on '$1';" \
			"aborting its FUSE connection ${fuse__conn:-(unknown)}"
		test -n "$fuse__conn" && fuse__abort "$fuse__conn"
		fuse__wait 10 fuse__gone $fuse__um
		FUSE__HUNG=t
	fi
	wait $fuse__um
}

fuse_umount () {
	fuse_mounted "$1" || return 0
	FUSE__HUNG=
	fuse__i=0
	while test $fuse__i -lt 20
	do
		fuse__detach "$1" && break
		fuse_mounted "$1" || break
		fuse__i=$((fuse__i + 1))
		sleep 0.1
	done
	if fuse_mounted "$1"
	then
		echo >&2 "fuse_umount: '$1' stays busy; detaching it lazily"
		fuse__detach "$1" -z
	fi
	fuse__wait 5 fuse__not_mounted "$1" && test -z "$FUSE__HUNG" && return 0
	echo >&2 "fuse_umount: cannot unmount '$1' cleanly:"
	cat >&2 "$FUSE__UMOUNT_ERR"
	fuse_mount_line "$1" >&2
	return 1
}

# fuse__mounts_below DIR: the FUSE mount points below DIR, deepest first.
fuse__mounts_below () {
	FUSE__BELOW=$(fuse__abs "$1" | fuse__escape)/ || return 1
	export FUSE__BELOW
	awk '$3 ~ /^fuse/ && index($2, ENVIRON["FUSE__BELOW"]) == 1 { print $2 }' \
		/proc/self/mounts | fuse__unescape | sort -r
}

fuse_umount_all () {
	fuse__left=$(fuse__mounts_below "$SHARNESS_TRASH_DIRECTORY")
	test -n "$fuse__left" || return 0
	while IFS= read -r fuse__m
	do
		fuse_umount "$fuse__m"
	done <<-EOF
	$fuse__left
	EOF
	test -z "$(fuse__mounts_below "$SHARNESS_TRASH_DIRECTORY")"
}

mount_quire () {
	eval "fuse__dir=\${$#}"
	fuse__dir=$(fuse__abs "$fuse__dir") || return 1
	test_when_finished "fuse_umount '$fuse__dir'"
	if ! quire mount "$@" 2>mount-err </dev/null 3>&- 4>&- 5>&- 6<&-
	then
		echo >&2 "mount_quire: 'quire mount $*' failed:"
		cat >&2 mount-err
		return 1
	fi
	if ! fuse_mounted "$fuse__dir"
	then
		echo >&2 "mount_quire: 'quire mount $*' returned before '$fuse__dir' was mounted"
		cat >&2 mount-err
		return 1
	fi
}

# fuse__stop_fg DIR PID: the end of a mount_quire_fg: unmount, then the
# process must end by itself (else it is stopped, and that is an error).
fuse__stop_fg () {
	fuse_umount "$1"
	fuse__rc=$?
	if ! fuse__wait 10 fuse__gone "$2"
	then
		echo >&2 "quire mount --foreground ($2) did not end after the unmount"
		kill "$2" 2>/dev/null
		fuse__wait 5 fuse__gone "$2" || kill -9 "$2" 2>/dev/null
		fuse__rc=1
	fi
	wait "$2" 2>/dev/null
	return $fuse__rc
}

mount_quire_fg () {
	eval "fuse__dir=\${$#}"
	fuse__dir=$(fuse__abs "$fuse__dir") || return 1
	quire mount --foreground "$@" >fg-out 2>fg-err </dev/null \
		3>&- 4>&- 5>&- 6<&- &
	FUSE_PID=$!
	test_when_finished "fuse__stop_fg '$fuse__dir' $FUSE_PID"
	if ! fuse_wait_mounted "$fuse__dir" $FUSE_PID
	then
		cat >&2 fg-err
		return 1
	fi
}

fuse_hwm_kib () {
	sed -n 's/^VmHWM:[	 ]*\([0-9]*\) kB$/\1/p' "/proc/$1/status"
}

fuse_cache_files () {
	test -d "$XDG_CACHE_HOME/quire/objects" || return 0
	if test "$1" = --all
	then
		find "$XDG_CACHE_HOME/quire/objects" -type f
	else
		find "$XDG_CACHE_HOME/quire/objects" \
			-path "$XDG_CACHE_HOME/quire/objects/manifest" -prune -o \
			-path "$XDG_CACHE_HOME/quire/objects/SHA256" -prune -o \
			-type f -print
	fi
}

fuse_check_tree () {
	"$FUSE_PYTHON" - "$@" <<-\EOF
	import json, os, stat, sys
	listing, top = sys.argv[1], sys.argv[2]
	mtime = sys.argv[3] if len(sys.argv) > 3 else None
	with open(listing, encoding="utf-8") as f:
	    entries = json.load(f)["entries"]
	bad = []
	def check(cond, what):
	    if not cond:
	        bad.append(what)
	want_files, want_dirs = {}, {""}
	for e in entries:
	    if e.get("type", "file") != "file":
	        continue
	    key = e["logical_key"]
	    want_files[key] = e
	    parts = key.split("/")
	    for i in range(1, len(parts)):
	        want_dirs.add("/".join(parts[:i]))
	def compact(value, meta):
	    for ascii in (False, True):
	        if value == json.dumps(meta, separators=(",", ":"),
	                               ensure_ascii=ascii):
	            return True
	    return False
	for key, e in sorted(want_files.items()):
	    path = os.path.join(top, key)
	    st = os.lstat(path)
	    check(stat.S_ISREG(st.st_mode), "%s: not a regular file" % key)
	    check(stat.S_IMODE(st.st_mode) == 0o444,
	          "%s: mode %o, not 444" % (key, stat.S_IMODE(st.st_mode)))
	    check(st.st_size == e["size"],
	          "%s: size %d, not %d" % (key, st.st_size, e["size"]))
	    check(st.st_uid == os.getuid(), "%s: owner %d" % (key, st.st_uid))
	    if mtime:
	        check(int(st.st_mtime) == int(mtime),
	              "%s: mtime %d, not %s" % (key, st.st_mtime, mtime))
	    names = os.listxattr(path)
	    for n in ("user.quire.hash", "user.quire.physical_key",
	              "user.quire.meta"):
	        check(n in names, "%s: listxattr lacks %s: %s" % (key, n, names))
	    h = os.getxattr(path, "user.quire.hash").decode()
	    want = "%s:%s" % (e["hash"]["type"], e["hash"]["value"])
	    check(h == want, "%s: user.quire.hash %r, not %r" % (key, h, want))
	    pk = os.getxattr(path, "user.quire.physical_key").decode()
	    check(pk == e["physical_key"],
	          "%s: user.quire.physical_key %r, not %r"
	          % (key, pk, e["physical_key"]))
	    m = os.getxattr(path, "user.quire.meta").decode()
	    check(json.loads(m) == e.get("meta", {}),
	          "%s: user.quire.meta %r, not %r" % (key, m, e.get("meta")))
	    check(compact(m, json.loads(m)),
	          "%s: user.quire.meta %r is not compact JSON" % (key, m))
	for d in sorted(want_dirs):
	    path = os.path.join(top, d) if d else top
	    st = os.lstat(path)
	    check(stat.S_ISDIR(st.st_mode), "%s/: not a folder" % d)
	    check(stat.S_IMODE(st.st_mode) == 0o555,
	          "%s/: mode %o, not 555" % (d, stat.S_IMODE(st.st_mode)))
	    check(st.st_uid == os.getuid(), "%s/: owner %d" % (d, st.st_uid))
	    if mtime:
	        check(int(st.st_mtime) == int(mtime),
	              "%s/: mtime %d, not %s" % (d, st.st_mtime, mtime))
	seen_files, seen_dirs = set(), {""}
	for root, dirs, files in os.walk(top):
	    rel = os.path.relpath(root, top)
	    rel = "" if rel == "." else rel
	    for d in dirs:
	        seen_dirs.add(os.path.join(rel, d))
	    for f in files:
	        seen_files.add(os.path.join(rel, f))
	for extra in sorted(seen_files - set(want_files)):
	    bad.append("%s: in the mount, not in the version" % extra)
	for extra in sorted(seen_dirs - want_dirs):
	    bad.append("%s/: in the mount, not in the version" % extra)
	for missing in sorted(set(want_files) - seen_files):
	    bad.append("%s: not listed by the mount" % missing)
	for line in bad:
	    print(line, file=sys.stderr)
	sys.exit(1 if bad else 0)
	EOF
}

fuse_read_fails () {
	timeout 30 cat "$1" >out 2>err
	fuse__rc=$?
	if test $fuse__rc != 1
	then
		echo "error: 'cat $1' exited $fuse__rc (1 and EIO wanted)" \
			"after $(wc -c <out) bytes:"
		cat err
		return 1
	fi
	test_grep "Input/output error" err
}

fuse_readers () {
	sed "s/^[0-9a-f]*  //" "$2" | grep -vxF "$3" >fuse-readers.list &&
	sort "$2" >fuse-readers.want &&
	fuse__pids= &&
	fuse__here=$(pwd) &&
	for fuse__r in 1 2 3 4 5 6 7 8
	do
		case $fuse__r in
		[1357]) { echo "$3"; cat fuse-readers.list; } ;;
		*) { sort -r fuse-readers.list; echo "$3"; } ;;
		esac >fuse-readers.order.$fuse__r || return 1
	done &&
	for fuse__r in 1 2 3 4 5 6 7 8
	do
		(cd "$1" && xargs -d "\n" sha256sum \
			<"$fuse__here/fuse-readers.order.$fuse__r" \
			>"$fuse__here/fuse-readers.got.$fuse__r" \
			2>"$fuse__here/fuse-readers.err.$fuse__r") \
			</dev/null 3>&- 4>&- 5>&- 6<&- &
		fuse__pids="$fuse__pids $!"
	done &&
	fuse__bad= &&
	for fuse__p in $fuse__pids
	do
		fuse_wait_exit $fuse__p || fuse__bad=t
	done &&
	for fuse__r in 1 2 3 4 5 6 7 8
	do
		sort fuse-readers.got.$fuse__r >fuse-readers.sorted &&
		test_must_be_empty fuse-readers.err.$fuse__r &&
		test_cmp fuse-readers.want fuse-readers.sorted || return 1
	done &&
	test -z "$fuse__bad"
}

fuse_late_read_fails () {
	timeout 60 "$FUSE_PYTHON" - "$1" "$2" \
		"$XDG_CACHE_HOME/quire/logs/mount.log" <<-\EOF
	import errno, os, sys, time
	path, key, log = sys.argv[1:4]
	seen = os.path.getsize(log) if os.path.exists(log) else 0
	fd = os.open(path, os.O_RDONLY)
	size = os.fstat(fd).st_size
	try:
	    os.pread(fd, 1, 0)  # starts the download, if the open did not
	except OSError:
	    pass
	deadline = time.monotonic() + 30
	while True:
	    with open(log, "rb") as f:
	        f.seek(seen)
	        if ("cannot read '%s'" % key).encode() in f.read():
	            break
	    if time.monotonic() > deadline:
	        sys.exit("%s: no failure of '%s' in the log after 30 s"
	                 % (log, key))
	    time.sleep(0.05)
	# the log may come just before the kernel is told to drop the pages
	# it holds of the file: give that a moment
	time.sleep(0.5)
	for off in (0, size // 2, size - 4096):
	    try:
	        got = os.pread(fd, 4096, off)
	    except OSError as e:
	        if e.errno != errno.EIO:
	            sys.exit("read at %d of %s: %s, not EIO" % (off, path, e))
	        continue
	    sys.exit("read at %d of %s after its verification failed: %d "
	             "bytes, not EIO" % (off, path, len(got)))
	EOF
}

fuse_random_reads () {
	"$FUSE_PYTHON" - "$@" <<-\EOF
	import os, random, sys
	src, path = sys.argv[1], sys.argv[2]
	count = int(sys.argv[3]) if len(sys.argv) > 3 else 400
	seed = int(sys.argv[4]) if len(sys.argv) > 4 else 20
	with open(src, "rb") as f:
	    data = f.read()
	size = len(data)
	rng = random.Random(seed)
	reads = [(0, 1), (size - 1, 1), (size - 100, 4096), (size, 10),
	         (size + 5000, 10)]
	for _ in range(count):
	    reads.append((rng.randrange(size), rng.choice(
	        (1, 7, 4096, 65536, 131072, rng.randrange(1, 1 << 20)))))
	# the ends last: a read that reaches the last byte waits for the
	# whole object, and the others should run before it arrives
	reads = reads[5:] + reads[:5]
	fd = os.open(path, os.O_RDONLY)
	try:
	    for i, (off, n) in enumerate(reads):
	        got = os.pread(fd, n, off)
	        want = data[off:off + n]
	        if got != want:
	            sys.exit("read %d of %s (seed %d): %d bytes at %d: got %d "
	                     "bytes, not the source's %d%s" %
	                     (i, path, seed, n, off, len(got), len(want),
	                      "" if len(got) != len(want) else " (they differ)"))
	finally:
	    os.close(fd)
	EOF
}

# fuse__missing: what FUSE mounts need and this machine lacks.
fuse__missing () {
	if ! test -c /dev/fuse
	then
		printf " /dev/fuse (no such device)"
	elif ! (: <>/dev/fuse) 2>/dev/null
	then
		printf " /dev/fuse (cannot be opened)"
	fi
	command -v fusermount3 >/dev/null 2>&1 || printf " fusermount3 (fuse3)"
	command -v getfattr >/dev/null 2>&1 || printf " getfattr (attr)"
	test -x "$FUSE_PYTHON" || printf " %s" "$FUSE_PYTHON"
}

# fuse__trial: mount test-tool fuse-probe and read its file; on failure
# say why on stdout.
fuse__trial () {
	fuse__probe=$SHARNESS_TRASH_DIRECTORY/.fuse-probe
	mkdir -p "$fuse__probe" || return 1
	test-tool fuse-probe "$fuse__probe" >"$fuse__probe.log" 2>&1 \
		</dev/null 3>&- 4>&- 5>&- 6<&- &
	fuse__pid=$!
	fuse__got=
	fuse__n=200
	while test $fuse__n -gt 0 && fuse__alive $fuse__pid
	do
		if fuse_mounted "$fuse__probe"
		then
			fuse__got=$(timeout 10 cat "$fuse__probe/probe" 2>&1)
			break
		fi
		fuse__n=$((fuse__n - 1))
		sleep 0.05
	done
	fuse_umount "$fuse__probe" >/dev/null 2>&1
	fuse__wait 5 fuse__gone $fuse__pid || kill $fuse__pid 2>/dev/null
	wait $fuse__pid 2>/dev/null
	rmdir "$fuse__probe" 2>/dev/null
	test "$fuse__got" = "quire fuse probe" && return 0
	printf "a trial FUSE mount (test-tool fuse-probe) failed: %s" \
		"$(tail -n 3 "$fuse__probe.log" | tr '\n' ' ')${fuse__got:+read '$fuse__got'}"
	return 1
}

fuse__why=$(fuse__missing)
if test -n "$fuse__why"
then
	fuse__why="cannot mount FUSE file systems, missing:$fuse__why"
else
	fuse__why=$(fuse__trial) && fuse__why=
fi
rm -f "$SHARNESS_TRASH_DIRECTORY/.fuse-probe.log"
if test -n "$fuse__why"
then
	if test "$(fuse__required)" = 1
	then
		echo >&2 "error: QUIRE_REQUIRE_FUSE=1 but $fuse__why"
		test_expect_success "QUIRE_REQUIRE_FUSE=1: $fuse__why" 'false'
		test_done
	fi
	skip_all="$fuse__why (Debian: fuse3 attr; root or a container with /dev/fuse)"
	test_done
fi
test_set_prereq FUSE

# Unmount everything below the trash directory however the script ends:
# sharness's cleanup runs before the trash directory is removed (on
# success); the exit trap, chained before those set already (sharness's,
# lib-s3.sh's), covers failures and --immediate.
fuse__final () {
	fuse_umount_all ||
	echo >&2 "error: mounts left below $SHARNESS_TRASH_DIRECTORY"
	return 0
}
cleanup fuse__final
trap >"$SHARNESS_TRASH_DIRECTORY/.fuse-traps"
fuse__exit_trap=$(sed -n "s/^trap -- '\(.*\)' EXIT\$/\1/p" \
	"$SHARNESS_TRASH_DIRECTORY/.fuse-traps")
rm -f "$SHARNESS_TRASH_DIRECTORY/.fuse-traps"
trap 'fuse__rc=$?; fuse__final; (exit $fuse__rc); '"${fuse__exit_trap:-die}" EXIT
# A signal ends the script through the exit trap (lib-s3.sh's traps, if
# set, end in 'exit' too).
trap >"$SHARNESS_TRASH_DIRECTORY/.fuse-traps"
for fuse__sig in HUP:129 INT:130 TERM:143
do
	grep -q " ${fuse__sig%:*}\$" "$SHARNESS_TRASH_DIRECTORY/.fuse-traps" ||
	trap "exit ${fuse__sig#*:}" ${fuse__sig%:*}
done
rm -f "$SHARNESS_TRASH_DIRECTORY/.fuse-traps"
