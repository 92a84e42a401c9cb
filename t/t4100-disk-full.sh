#!/bin/sh
test_description='a full disk: read-only commands answer, writers say so

A workspace on a 2 MB tmpfs, filled to the last block. The commands that
only read refresh the stat cache as an optimisation: they must still give
the right answer (and exit code), with one warning that the cache could
not be updated. The commands that must write fail, say that the disk is
full and where, and leave the workspace as it was.'
. ./test-lib.sh

# tmpfs__required: QUIRE_REQUIRE_TMPFS as the caller set it (test-lib.sh
# keeps the QUIRE_REQUIRE_* settings of the harness).
tmpfs__required () {
	echo "${QUIRE_REQUIRE_TMPFS-}"
}

test_lazy_prereq TMPFS '
	mkdir tmpfs-probe &&
	mount -t tmpfs -o size=64k tmpfs tmpfs-probe &&
	umount tmpfs-probe &&
	rmdir tmpfs-probe
'

if ! test_have_prereq TMPFS
then
	tmpfs__why="cannot mount a tmpfs (needs root, or a container that may)"
	if test "$(tmpfs__required)" = 1
	then
		echo >&2 "error: QUIRE_REQUIRE_TMPFS=1 but $tmpfs__why"
		test_expect_success "QUIRE_REQUIRE_TMPFS=1: $tmpfs__why" 'false'
		test_done
	fi
	skip_all=$tmpfs__why
	test_done
fi

DISK=$(pwd -P)/disk
W=$DISK/w
INDEX=$W/.quire/index.db

# Unmount the tmpfs however the script ends: sharness's cleanup runs
# before the trash directory is removed (on success); the exit trap,
# chained before sharness's own, covers failures and --immediate.
disk_umount () {
	cd "$SHARNESS_TRASH_DIRECTORY" 2>/dev/null
	if mountpoint -q "$DISK" 2>/dev/null
	then
		umount "$DISK" || umount -l "$DISK"
	fi
	return 0
}
cleanup disk_umount
trap >traps
disk__exit_trap=$(sed -n "s/^trap -- '\(.*\)' EXIT\$/\1/p" traps)
rm -f traps
trap 'disk__rc=$?; disk_umount; (exit $disk__rc); '"${disk__exit_trap:-die}" EXIT

backdate () {
	touch -d "1 hour ago" "$@"
}

# fill: write zeros until the disk is full; check that not one block is
# left.
fill () {
	dd if=/dev/zero of="$DISK/fill" bs=4k 2>/dev/null
	test "$(stat -f -c %a "$DISK")" = 0
}

# snapshot: what is in .quire (the files and their bytes), but the
# -shm and -wal files SQLite keeps beside an open index.
snapshot () {
	(cd "$W/.quire" && find . -type f ! -name "index.db-*" | sort |
		while read f; do cksum "$f"; done)
}

# index_ok: SQLite's integrity check of the index (with quire's collation)
# prints "ok".
index_ok () {
	python3 - "$INDEX" >actual <<-\EOF &&
	import sqlite3, sys
	def quire_key(a, b):
	    a = a.encode().replace(b"/", b"\0")
	    b = b.encode().replace(b"/", b"\0")
	    return (a > b) - (a < b)
	db = sqlite3.connect(sys.argv[1])
	db.create_collation("quire_key", quire_key)
	for row in db.execute("PRAGMA integrity_check"):
	    print(row[0])
	EOF
	echo ok >expect &&
	test_cmp expect actual
}

# no_leftovers: no lock or temporary file under .quire.
no_leftovers () {
	find "$W/.quire" \( -name "*.lock" -o -name "tmp_*" -o \
		-name "*.tmp" -o -name ".tmp*" \) >leftovers &&
	test_line_count = 0 leftovers
}

# warned REASON: err holds exactly one warning, that the stat cache of
# the index could not be updated, for REASON.
warned () {
	echo "warning: cannot update the stat cache in '$INDEX': $1" >expect &&
	grep "^warning: " err >actual &&
	test_cmp expect actual
}

# full_fatal: err says, fatally, that the disk holding .quire (or a
# folder in it) is full.
full_fatal () {
	test_grep "^fatal: .*the disk holding '$W/.quire[^']*' is full ([0-9]* bytes free); free some space and retry\$" err
}

test_expect_success 'setup: a committed workspace on a 2 MB tmpfs' '
	REG=$XDG_DATA_HOME/quire/registry &&
	mkdir disk &&
	mount -t tmpfs -o size=2m tmpfs disk &&
	mkdir -p "$W/data/sub" &&
	echo alpha >"$W/data/a.txt" &&
	echo beta >"$W/data/b.txt" &&
	echo gamma >"$W/data/sub/c.txt" &&
	backdate "$W/data/a.txt" "$W/data/b.txt" "$W/data/sub/c.txt" &&
	quire -C "$W" init -q ns/pkg &&
	quire -C "$W" add -q data &&
	quire -C "$W" commit -q -m v1 >v1 &&
	quire -C "$W" push -q >/dev/null &&
	quire -C "$W" status --porcelain >out 2>err &&
	test_line_count = 0 out &&
	test_line_count = 0 err &&
	echo ALPHA >"$DISK/a.new" &&
	test_path_is_missing "$INDEX-wal"
'

test_expect_success 'setup: a file touched (same bytes), then the disk filled' '
	touch -d "30 minutes ago" "$W/data/b.txt" &&
	fill &&
	snapshot >before
'

test_expect_success 'status answers on a full disk, with one warning' '
	quire -C "$W" status --porcelain >out 2>err &&
	test_line_count = 0 out &&
	warned "the disk holding it is full" &&
	quire -C "$W" status >out 2>err &&
	test_grep "^nothing to commit\$" out &&
	warned "the disk holding it is full" &&
	snapshot >after &&
	test_cmp before after
'

test_expect_success 'verify answers 0 on a full disk, with one warning' '
	quire -C "$W" verify >out 2>err &&
	test_line_count = 0 out &&
	test_grep "^3 files match $(cut -c1-12 v1); 0 changed" err &&
	warned "the disk holding it is full" &&
	snapshot >after &&
	test_cmp before after
'

test_expect_success 'status shows a file changed on a full disk' '
	mv "$DISK/a.new" "$W/data/a.txt" &&
	touch -d "20 minutes ago" "$W/data/a.txt" &&
	quire -C "$W" status --porcelain >out 2>err &&
	echo "M data/a.txt" >expect &&
	test_cmp expect out &&
	warned "the disk holding it is full" &&
	snapshot >after &&
	test_cmp before after
'

test_expect_success 'verify exits 1 for the changed file, with one warning' '
	test_expect_code 1 quire -C "$W" verify >out 2>err &&
	echo "changed: data/a.txt" >expect &&
	test_cmp expect out &&
	warned "the disk holding it is full"
'

test_expect_success 'diff of the workspace answers 1, with one warning' '
	test_expect_code 1 quire -C "$W" diff --name-only >out 2>err &&
	echo "data/a.txt" >expect &&
	test_cmp expect out &&
	warned "the disk holding it is full"
'

test_expect_success 'commit fails: the disk is full, nothing changes' '
	test_fatal 128 quire -C "$W" commit -m v2 &&
	full_fatal &&
	quire -C "$W" rev-parse HEAD >actual 2>err &&
	test_cmp v1 actual &&
	snapshot >after &&
	test_cmp before after &&
	no_leftovers &&
	! test -s "$INDEX-wal"
'

test_expect_success 'add fails: the disk is full, nothing changes' '
	test_fatal 128 quire -C "$W" add "$W/data" &&
	full_fatal &&
	snapshot >after &&
	test_cmp before after &&
	no_leftovers &&
	! test -s "$INDEX-wal"
'

test_expect_success 'install into the workspace fails: the disk is full' '
	test_fatal 128 quire install -q --registry "$REG" --to "$W" ns/pkg &&
	full_fatal &&
	snapshot >after &&
	test_cmp before after &&
	no_leftovers &&
	! test -s "$INDEX-wal"
'

test_expect_success 'install into a new folder fails: the disk is full' '
	test_fatal 128 quire install -q --registry "$REG" --to "$DISK/copy" \
		ns/pkg &&
	test_grep "^fatal: cannot write .*: the disk holding .$DISK/copy/.quire. is full" err &&
	find "$DISK/copy" -type f >files &&
	test_line_count = 0 files
'

test_expect_success 'with space again: the index is intact, all works' '
	rm "$DISK/fill" &&
	index_ok &&
	quire -C "$W" status --porcelain >out 2>err &&
	echo "M data/a.txt" >expect &&
	test_cmp expect out &&
	test_line_count = 0 err &&
	quire -C "$W" commit -m v2 >v2 2>err &&
	test_grep "^committed 3 entries, 0 files hashed\$" err &&
	quire -C "$W" verify >out 2>err &&
	test_grep "^3 files match $(cut -c1-12 v2)" err &&
	test_grep -v "^warning" err &&
	quire -C "$W" status --porcelain >out 2>err &&
	test_line_count = 0 out &&
	test_line_count = 0 err &&
	index_ok &&
	no_leftovers &&
	quire install -q --registry "$REG" --to "$DISK/copy" ns/pkg >out &&
	test_cmp v1 out
'

test_expect_success 'verify records the stat of the files it found intact' '
	touch -d "15 minutes ago" "$W/data/b.txt" &&
	quire -C "$W" verify >out 2>err &&
	test_line_count = 0 out &&
	test_grep -v "^warning" err &&
	quire -C "$W" commit -m v2 >out 2>err &&
	test_grep "^nothing changed: 3 entries, 0 files hashed\$" err
'

test_expect_success 'setup: files changed, the disk filled but for 36 KB' '
	echo ALPHA2 >"$W/data/a.txt" &&
	touch -d "5 minutes ago" "$W/data/a.txt" "$W/data/b.txt" &&
	fill &&
	size=$(stat -c %s "$DISK/fill") &&
	truncate -s $((size - 36 * 1024)) "$DISK/fill" &&
	snapshot >before
'

# 36 KB: room for the index to open (its -shm file takes 32 KB), but not
# for its WAL to take one page (4 KB and a header): the refreshed stat
# cache is written, and rolled back, when the transaction commits.
test_expect_success 'status, verify, diff answer when the index cannot grow' '
	quire -C "$W" status --porcelain >out 2>err &&
	echo "M data/a.txt" >expect &&
	test_cmp expect out &&
	warned "the disk holding it is full" &&
	test_expect_code 1 quire -C "$W" verify >out 2>err &&
	echo "changed: data/a.txt" >expect &&
	test_cmp expect out &&
	warned "the disk holding it is full" &&
	test_expect_code 1 quire -C "$W" diff --name-only >out 2>err &&
	echo "data/a.txt" >expect &&
	test_cmp expect out &&
	warned "the disk holding it is full" &&
	test_fatal 128 quire -C "$W" commit -m v3 &&
	full_fatal &&
	quire -C "$W" rev-parse HEAD >actual 2>err &&
	test_cmp v2 actual &&
	# the manifest may be stored whole (an object no ref names yet);
	# nothing else changed
	snapshot | grep -v " ./objects/SHA256/" >after &&
	grep -v " ./objects/SHA256/" before >expect &&
	test_cmp expect after &&
	no_leftovers &&
	rm "$DISK/fill" &&
	index_ok &&
	quire -C "$W" commit -q -m v3 >v3
'

test_expect_success 'a read-only index: status and verify answer, warned' '
	touch -d "10 minutes ago" "$W/data/b.txt" &&
	mount -o remount,ro "$DISK" &&
	test_when_finished "mount -o remount,rw \"$DISK\"" &&
	quire -C "$W" status --porcelain >out 2>err &&
	test_line_count = 0 out &&
	warned "it is read-only" &&
	quire -C "$W" verify >out 2>err &&
	test_line_count = 0 out &&
	warned "it is read-only" &&
	test_fatal 128 quire -C "$W" commit -m v3 &&
	test_grep "^fatal: .*$INDEX.* read-only" err
'

# as_nobody CMD...: run CMD as user nobody (with no configuration).
as_nobody () {
	env HOME=/nonexistent XDG_CONFIG_HOME=/nonexistent \
		XDG_CACHE_HOME=/nonexistent \
		setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
}

test_lazy_prereq NOBODY '
	test "$(id -u)" = 0 &&
	as_nobody test -r "$INDEX"
'

test_expect_success NOBODY 'an index of another user: status, verify answer' '
	touch -d "8 minutes ago" "$W/data/b.txt" &&
	as_nobody quire -C "$W" status --porcelain >out 2>err &&
	test_line_count = 0 out &&
	warned "it is read-only" &&
	as_nobody quire -C "$W" verify >out 2>err &&
	test_line_count = 0 out &&
	warned "it is read-only" &&
	echo ALPHA3 >"$W/data/a.txt" &&
	touch -d "7 minutes ago" "$W/data/a.txt" &&
	as_nobody quire -C "$W" status --porcelain >out 2>err &&
	echo "M data/a.txt" >expect &&
	test_cmp expect out &&
	warned "it is read-only" &&
	test_fatal 128 as_nobody quire -C "$W" commit -m v4 &&
	test_grep "^fatal: .*read-only (Permission denied)\$" err &&
	index_ok &&
	no_leftovers
'

test_expect_success 'cleanup: unmount the tmpfs' '
	umount "$DISK" &&
	rmdir "$DISK"
'

test_done
