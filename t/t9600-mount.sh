#!/bin/sh
test_description='quire mount and umount over a file:// registry

Versions mounted for real with FUSE: the tree, sizes, modes, times and
extended attributes come from the manifest without fetching data; bytes
come from the registry on first read, verified (EIO, never wrong bytes,
when they do not match); nothing can be written; a mount pins its
version; bad revisions, folders and manifests are refused before
anything is mounted; many readers at once get the right bytes; a
1,000,000-entry version mounts in bounded memory through an index kept
in the cache.'
. ./test-lib.sh
. "$TEST_DIRECTORY/lib-fuse.sh"

REG=$(pwd -P)/reg
# The push times the registry gives v1 and v2 (see setup).
T1=1700000000
T2=1700000100

# entry KEY PHYSICAL SIZE HASH: one manifest line, as quilt3 writes it.
entry () {
	printf '{"logical_key": "%s", "physical_keys": ["%s"], "size": %s, "hash": {"type": "sha2-256-chunked", "value": "%s"}, "meta": {}}\n' "$@"
}

# publish NAME MANIFEST: put MANIFEST in $REG as the latest version of
# NAME, as another tool could; prints its top hash.
publish () {
	top=$(quire top-hash "$2") &&
	mkdir -p "$REG/.quilt/packages" "$REG/.quilt/named_packages/$1" &&
	cp "$2" "$REG/.quilt/packages/$top" &&
	printf %s $top >"$REG/.quilt/named_packages/$1/latest" &&
	echo $top
}

# stamp_as NAME TOP SECONDS: the registry says version TOP of NAME was
# pushed at SECONDS (the push wrote the time it ran).
stamp_as () {
	for f in "$REG/.quilt/named_packages/$1"/[0-9]*
	do
		if test "$(cat "$f")" = "$2"
		then
			mv "$f" "$REG/.quilt/named_packages/$1/$3" || return 1
		fi
	done &&
	test "$(cat "$REG/.quilt/named_packages/$1/$3")" = "$2"
}

# not_mounted DIR: nothing is mounted at DIR, and it is as empty as before.
not_mounted () {
	if fuse_mounted "$1"
	then
		echo "error: '$1' is mounted:"
		fuse_mount_line "$1"
		return 1
	fi
}

# own_lines FILE: the lines of 'quire mount --list' output FILE about
# mounts of this script (other scripts may mount at the same time).
own_lines () {
	grep "	$(pwd -P)/" "$1" || :
}

test_expect_success 'setup: v1 and v2 of ns/pkg with small, odd-named, empty and large files' '
	mkdir -p w/data/sub w/data/deep/er/est &&
	echo alpha >w/data/a.txt &&
	echo beta >"w/data/sub/o b+j é.txt" &&
	: >w/data/empty &&
	echo deep >w/data/deep/er/est/f.txt &&
	head -c 20971520 /dev/urandom >w/data/big.bin &&
	echo "# ns/pkg" >w/README.md &&
	quire -C w init -q ns/pkg &&
	quire -C w add -q data README.md &&
	quire -C w set --meta "{\"label\": 3, \"name\": \"x y\", \"w\": 0.5, \"u\": \"é\"}" \
		data/a.txt data/a.txt &&
	quire -C w commit -q -m v1 >v1 &&
	quire -C w push -q -t v1 -r "$REG" >/dev/null &&
	stamp_as ns/pkg $(cat v1) $T1 &&
	mkdir v1-files &&
	cp -R w/data w/README.md v1-files/ &&
	echo alpha2 >w/data/a.txt &&
	rm -r w/data/deep &&
	quire -C w rm -q data/deep/ &&
	echo new >w/data/new.txt &&
	quire -C w add -q data &&
	quire -C w commit -q -m v2 >v2 &&
	quire -C w push -q -t v2 -r "$REG" >/dev/null &&
	stamp_as ns/pkg $(cat v2) $T2 &&
	! test_cmp v1 v2
'

test_expect_success 'mount prints what it pinned; the kernel lists it as fuse.quire' '
	mkdir m-2 &&
	mount_quire -r "$REG" ns/pkg:v1 m-2 &&
	test_grep "^mounted ns/pkg@$(cut -c1-12 v1) at .*/m-2\$" mount-err &&
	fuse_mount_line m-2 >line &&
	awk "{ print \$1, \$3, substr(\$4, 1, 3) }" line >actual &&
	echo "quire:ns/pkg@$(cat v1) fuse.quire ro," >expect &&
	test_cmp expect actual &&
	ls m-2 >actual &&
	printf "%s\n" README.md data >expect &&
	test_cmp expect actual
'

test_expect_success 'quire umount unmounts; the folder is empty again' '
	mkdir m-um &&
	mount_quire -r "$REG" ns/pkg:v1 m-um &&
	quire umount m-um &&
	not_mounted m-um &&
	test_dir_is_empty m-um
'

test_expect_success 'ls -lR, find, stat and du show the version and fetch no data' '
	fuse_cache_files >before &&
	test_line_count = 0 before &&
	mkdir m-4 &&
	mount_quire -r "$REG" ns/pkg:v1 m-4 &&
	ls -lR m-4 >/dev/null &&
	(cd m-4 && find . | sort) >actual &&
	(cd v1-files && find . | sort) >expect &&
	test_cmp expect actual &&
	stat -c "%s %n" m-4/data/big.bin m-4/data/empty "m-4/data/sub/o b+j é.txt" >actual &&
	printf "%s\n" "20971520 m-4/data/big.bin" "0 m-4/data/empty" \
		"5 m-4/data/sub/o b+j é.txt" >expect &&
	test_cmp expect actual &&
	du -s --apparent-size --block-size=1 m-4/data/big.bin >du &&
	test "$(cut -f1 du)" = 20971520 &&
	quire ls --json -R -r "$REG" ns/pkg:v1 >ls.json &&
	fuse_check_tree ls.json m-4 $T1 &&
	fuse_cache_files >after &&
	test_line_count = 0 after
'

test_expect_success 'getfattr: the root names the version, a file its entry' '
	mkdir m-5 &&
	mount_quire -r "$REG" ns/pkg:v1 m-5 &&
	getfattr --only-values -n user.quire.top_hash m-5 >actual &&
	printf %s "$(cat v1)" >expect &&
	test_cmp expect actual &&
	getfattr --only-values -n user.quire.package m-5 >actual &&
	printf %s ns/pkg >expect &&
	test_cmp expect actual &&
	getfattr -d m-5/data/a.txt >dump &&
	sed -n "s/=.*//p" dump | sort >names &&
	printf "%s\n" user.quire.hash user.quire.meta user.quire.physical_key >expect &&
	test_cmp expect names &&
	getfattr --only-values -n user.quire.hash m-5/data/a.txt >actual &&
	printf "sha2-256-chunked:%s" "$(quire hash-object v1-files/data/a.txt)" >expect &&
	test_cmp expect actual &&
	quire ls --json -r "$REG" ns/pkg:v1 data/ >ls.json &&
	"$FUSE_PYTHON" -c "
import json, sys
e = [e for e in json.load(open(\"ls.json\"))[\"entries\"]
     if e[\"logical_key\"] == \"data/a.txt\"][0]
sys.stdout.write(e[\"physical_key\"])" >expect &&
	getfattr --only-values -n user.quire.physical_key m-5/data/a.txt >actual &&
	test_cmp expect actual &&
	getfattr --only-values -n user.quire.meta m-5/data/a.txt >meta &&
	"$FUSE_PYTHON" -c "
import json, sys
got = json.load(open(\"meta\", encoding=\"utf-8\"))
want = {\"user_meta\": {\"label\": 3, \"name\": \"x y\", \"w\": 0.5, \"u\": \"\\u00e9\"}}
sys.exit(got != want)"
'

test_expect_success 'a 20 MiB object read at random offsets (cold cache, streamed) equals the source' '
	fuse_cache_files >before &&
	test_line_count = 0 before &&
	mkdir m-6 &&
	mount_quire -r "$REG" ns/pkg:v1 m-6 &&
	fuse_random_reads v1-files/data/big.bin m-6/data/big.bin 400 20 &&
	cmp v1-files/data/big.bin m-6/data/big.bin &&
	fuse_cache_files >cached &&
	while read f
	do
		if cmp -s "$f" v1-files/data/big.bin
		then
			echo "$f"
		fi
	done <cached >verified &&
	test_line_count = 1 verified
'

test_expect_success 'a read served from the cache: random offsets again, and the whole' '
	mkdir m-7 &&
	mount_quire -r "$REG" ns/pkg:v1 m-7 &&
	fuse_random_reads v1-files/data/big.bin m-7/data/big.bin 200 21 &&
	cmp v1-files/data/big.bin m-7/data/big.bin
'

test_expect_success 'diff -r of the mount against an install of the same version' '
	XDG_CACHE_HOME=$PWD/icache quire install -q -r "$REG" ns/pkg:v1 --to i1 &&
	mkdir m-8 &&
	mount_quire -r "$REG" ns/pkg:v1 m-8 &&
	test_path_is_missing m-8/.quire &&
	diff -r -x .quire i1 m-8 &&
	diff -r v1-files m-8
'

test_expect_success 'two mounts of different versions side by side' '
	XDG_CACHE_HOME=$PWD/icache quire install -q -r "$REG" ns/pkg:v2 --to i2 &&
	test_path_is_dir i1 &&
	mkdir m1-9 m2-9 &&
	mount_quire -r "$REG" ns/pkg:v1 m1-9 &&
	mount_quire -q -r "$REG" ns/pkg@$(cut -c1-10 v2) m2-9 &&
	test_must_be_empty mount-err &&
	diff -r -x .quire i1 m1-9 &&
	diff -r -x .quire i2 m2-9 &&
	! diff -r m1-9 m2-9 >/dev/null &&
	echo alpha >expect &&
	test_cmp expect m1-9/data/a.txt &&
	echo alpha2 >expect &&
	test_cmp expect m2-9/data/a.txt &&
	test_path_is_missing m2-9/data/deep &&
	test_path_is_file m1-9/data/deep/er/est/f.txt &&
	quire ls --json -R -r "$REG" ns/pkg:v2 >ls2.json &&
	fuse_check_tree ls2.json m2-9 $T2 &&
	getfattr --only-values -n user.quire.top_hash m2-9 >actual &&
	printf %s "$(cat v2)" >expect &&
	test_cmp expect actual
'

test_expect_success 'quire mount --list: one line per mount, gone once unmounted' '
	mkdir m1-10 m2-10 m3-10 &&
	mount_quire -r "$REG" ns/pkg:v1 m1-10 &&
	mount_quire -r "$REG" ns/pkg:v2 m2-10 &&
	mount_quire "file://$REG/ns/pkg@$(cut -c1-8 v1)" m3-10 &&
	quire mount --list >list &&
	own_lines list | sort >actual &&
	d=$(pwd -P) &&
	printf "%s\t%s\t%s\n" $(cat v1) ns/pkg "$d/m1-10" $(cat v2) ns/pkg "$d/m2-10" \
		$(cat v1) ns/pkg "$d/m3-10" | sort >expect &&
	test_cmp expect actual &&
	quire umount m2-10 &&
	quire mount --list >list &&
	own_lines list | sort >actual &&
	printf "%s\t%s\t%s\n" $(cat v1) ns/pkg "$d/m1-10" \
		$(cat v1) ns/pkg "$d/m3-10" | sort >expect &&
	test_cmp expect actual
'

test_expect_success 'every kind of write is refused with EROFS' '
	mkdir m-11 &&
	mount_quire -r "$REG" ns/pkg:v1 m-11 &&
	for op in "echo x >m-11/data/a.txt" "echo x >>m-11/data/a.txt" \
		": >m-11/data/created" "mkdir m-11/data/newdir" "rm -f m-11/data/a.txt" \
		"mv m-11/data/a.txt m-11/data/renamed" "mv m-11/data/sub m-11/data/sub2" \
		"chmod 644 m-11/data/a.txt" "chmod 755 m-11/data" \
		"touch m-11/data/a.txt" "truncate -s 0 m-11/data/a.txt" \
		"ln -s a.txt m-11/data/link" "ln m-11/data/a.txt m-11/data/hard" \
		"setfattr -n user.x -v 1 m-11/data/a.txt" \
		"chown 1:1 m-11/data/a.txt" "cp v1-files/data/a.txt m-11/data/copy"
	do
		if (eval "$op") 2>err
		then
			echo "error: $op succeeded"
			return 1
		fi &&
		test_grep "Read-only file system" err || return 1
	done &&
	"$FUSE_PYTHON" - m-11 <<-\EOF &&
	import errno, os, sys
	top = sys.argv[1]
	f = os.path.join(top, "data", "a.txt")
	tries = [
	    ("open O_WRONLY", lambda: os.open(f, os.O_WRONLY)),
	    ("open O_RDWR", lambda: os.open(f, os.O_RDWR)),
	    ("open O_APPEND", lambda: os.open(f, os.O_WRONLY | os.O_APPEND)),
	    ("open O_TRUNC", lambda: os.open(f, os.O_RDONLY | os.O_TRUNC)),
	    ("create", lambda: os.open(os.path.join(top, "n"),
	                               os.O_WRONLY | os.O_CREAT | os.O_EXCL)),
	    ("unlink", lambda: os.unlink(f)),
	    ("rename", lambda: os.rename(f, f + ".2")),
	    ("chmod", lambda: os.chmod(f, 0o644)),
	    ("truncate", lambda: os.truncate(f, 0)),
	    ("mkdir", lambda: os.mkdir(os.path.join(top, "d"))),
	    ("rmdir", lambda: os.rmdir(os.path.join(top, "data", "sub"))),
	    ("utime", lambda: os.utime(f, (0, 0))),
	]
	bad = 0
	for name, fn in tries:
	    try:
	        fn()
	        print("%s succeeded" % name)
	        bad = 1
	    except OSError as e:
	        if e.errno != errno.EROFS:
	            print("%s: %s, not EROFS" % (name, e))
	            bad = 1
	sys.exit(bad)
	EOF
	diff -r v1-files m-11
'

test_expect_success 'setup: ns/bad, whose small and large objects are corrupted in the registry' '
	mkdir -p b/d &&
	head -c 1000 /dev/urandom >b/d/small.bin &&
	head -c 17825792 /dev/urandom >b/d/large.bin &&
	echo fine >b/d/good.txt &&
	quire -C b init -q ns/bad &&
	quire -C b add -q d &&
	quire -C b commit -q -m bad >bad &&
	quire -C b push -q -r "$REG" &&
	for f in small.bin large.bin
	do
		test_path_is_file "$REG/ns/bad/d/$f" &&
		chmod u+w "$REG/ns/bad/d/$f" &&
		printf "\\377\\377\\377\\377" |
		dd of="$REG/ns/bad/d/$f" bs=1 seek=500 conv=notrunc 2>/dev/null &&
		! cmp -s "$REG/ns/bad/d/$f" b/d/$f &&
		cp "$REG/ns/bad/d/$f" bad-$f || return 1
	done &&
	test $(wc -c <bad-large.bin) = 17825792
'

# bad_copies: the files of the cache (finished or not) that hold the
# corrupted bytes, or are as long as the large object.
bad_copies () {
	fuse_cache_files --all | while read f
	do
		if cmp -s "$f" bad-small.bin || cmp -s "$f" bad-large.bin ||
			test $(wc -c <"$f") = 17825792
		then
			echo "$f"
		fi
	done
}

# last_read_fails FILE SIZE: a read of the last 4 KiB of FILE, through a
# descriptor of its own, fails with EIO.
last_read_fails () {
	timeout 30 "$FUSE_PYTHON" - "$@" <<-\EOF
	import errno, os, sys
	fd = os.open(sys.argv[1], os.O_RDONLY)
	try:
	    got = os.pread(fd, 4096, int(sys.argv[2]) - 4096)
	except OSError as e:
	    sys.exit(e.errno != errno.EIO and "%s, not EIO" % e)
	sys.exit("the last %d bytes of a corrupted object were read" % len(got))
	EOF
}

test_expect_success 'a corrupted small object: EIO, no byte served, no copy cached' '
	mkdir m-bad-small &&
	mount_quire -r "$REG" ns/bad m-bad-small &&
	fuse_read_fails m-bad-small/d/small.bin &&
	test_must_be_empty out &&
	test_grep "d/small.bin" "$XDG_CACHE_HOME/quire/logs/mount.log" &&
	fuse_read_fails m-bad-small/d/small.bin &&
	test_must_be_empty out &&
	bad_copies >copies &&
	test_line_count = 0 copies &&
	echo fine >expect &&
	test_cmp expect m-bad-small/d/good.txt
'

test_expect_success 'a corrupted small object fails again in a second mount' '
	mkdir m-bad-again &&
	mount_quire -r "$REG" ns/bad m-bad-again &&
	fuse_read_fails m-bad-again/d/small.bin &&
	test_must_be_empty out &&
	bad_copies >copies &&
	test_line_count = 0 copies
'

test_expect_success 'a corrupted large (streamed) object: never read whole, its end gets EIO, no copy cached' '
	mkdir m-bad-large &&
	mount_quire -r "$REG" ns/bad m-bad-large &&
	{ timeout 30 cat m-bad-large/d/large.bin >out 2>err; :; } &&
	test $(wc -c <out) -lt 17825792 &&
	test_grep "d/large.bin" "$XDG_CACHE_HOME/quire/logs/mount.log" &&
	last_read_fails m-bad-large/d/large.bin 17825792 &&
	bad_copies >copies &&
	test_line_count = 0 copies &&
	echo fine >expect &&
	test_cmp expect m-bad-large/d/good.txt
'

# A read racing with the failed verification must not get 0 bytes (end
# of file, a truncated copy for the reader) where EIO is due.
test_expect_success 'reading a corrupted large object ends in EIO, never early as if at its end (4 mounts)' '
	for round in 1 2 3 4
	do
		mkdir m-bad-eof-$round &&
		mount_quire -r "$REG" ns/bad m-bad-eof-$round &&
		fuse_read_fails m-bad-eof-$round/d/large.bin &&
		fuse_umount "$(pwd -P)/m-bad-eof-$round" || return 1
	done
'

test_expect_success 'a corrupted large object read once it has failed: EIO, not end of file (4 mounts)' '
	for round in 1 2 3 4
	do
		mkdir m-bad-late-$round &&
		mount_quire -r "$REG" ns/bad m-bad-late-$round &&
		fuse_late_read_fails m-bad-late-$round/d/large.bin d/large.bin &&
		fuse_umount "$(pwd -P)/m-bad-late-$round" || return 1
	done
'

test_expect_success 'umount while a reader holds a file open: fatal, the mount goes on' '
	mkdir m-15 &&
	mount_quire_fg -r "$REG" ns/pkg:v1 m-15 || return 1
	sleep 60 <m-15/data/a.txt >/dev/null 2>&1 3>&- 4>&- 5>&- 6<&- &
	holder=$! &&
	test_when_finished "kill $holder 2>/dev/null; wait $holder 2>/dev/null; :" &&
	test_fatal 128 quire umount m-15 &&
	test_grep "^fatal: cannot unmount .*/m-15.: .*busy" err &&
	fuse_mounted m-15 &&
	test_cmp v1-files/data/a.txt m-15/data/a.txt &&
	kill $holder &&
	{ wait $holder; :; } &&
	quire umount m-15 &&
	not_mounted m-15 &&
	fuse_wait_exit $FUSE_PID
'

test_expect_success 'umount --lazy detaches at once; an open file reads on, then the daemon ends' '
	mkdir m-16 &&
	mount_quire_fg -r "$REG" ns/pkg:v1 m-16 || return 1
	"$FUSE_PYTHON" - m-16/data/big.bin reader >reader.out 2>&1 3>&- 4>&- 5>&- 6<&- <<-\EOF &
	import hashlib, os, sys, time
	path, tag = sys.argv[1], sys.argv[2]
	with open(path, "rb") as f:
	    h = hashlib.sha256(f.read(1 << 20))
	    open(tag + ".ready", "w").close()
	    deadline = time.monotonic() + 60
	    while not os.path.exists(tag + ".go"):
	        if time.monotonic() > deadline:
	            sys.exit("no go")
	        time.sleep(0.05)
	    while True:
	        b = f.read(1 << 20)
	        if not b:
	            break
	        h.update(b)
	print(h.hexdigest())
	EOF
	reader=$! &&
	test_when_finished "kill $reader 2>/dev/null; wait $reader 2>/dev/null; :" &&
	fuse__wait 30 test -f reader.ready &&
	quire umount --lazy m-16 &&
	not_mounted m-16 &&
	test_dir_is_empty m-16 &&
	touch reader.go &&
	fuse_wait_exit $reader &&
	sha256sum <v1-files/data/big.bin | cut -c1-64 >expect &&
	test_cmp expect reader.out &&
	fuse_wait_exit $FUSE_PID
'

test_expect_success 'quire umount -z is --lazy' '
	mkdir m-17 &&
	mount_quire -r "$REG" ns/pkg:v1 m-17 &&
	quire umount -z m-17 &&
	not_mounted m-17
'

test_expect_success 'a mount of ns/name pins the version it found: a push does not move it' '
	XDG_CACHE_HOME=$PWD/icache quire install -q -r "$REG" ns/pkg:v2 --to i2p &&
	mkdir m-18 &&
	mount_quire -r "$REG" ns/pkg m-18 &&
	test_grep "^mounted ns/pkg@$(cut -c1-12 v2) at " mount-err &&
	echo three >w/data/v3.txt &&
	echo alpha3 >w/data/a.txt &&
	quire -C w add -q data &&
	quire -C w commit -q -m v3 >v3 &&
	quire -C w push -q -r "$REG" &&
	test "$(cat "$REG/.quilt/named_packages/ns/pkg/latest")" = "$(cat v3)" &&
	test_path_is_missing m-18/data/v3.txt &&
	echo alpha2 >expect &&
	test_cmp expect m-18/data/a.txt &&
	diff -r -x .quire i2p m-18 &&
	getfattr --only-values -n user.quire.top_hash m-18 >actual &&
	printf %s "$(cat v2)" >expect &&
	test_cmp expect actual &&
	quire mount --list >list &&
	own_lines list >actual &&
	printf "%s\t%s\t%s\n" $(cat v2) ns/pkg "$(pwd -P)/m-18" >expect &&
	test_cmp expect actual &&
	mkdir m3-18 &&
	mount_quire -r "$REG" ns/pkg m3-18 &&
	test_grep "^mounted ns/pkg@$(cut -c1-12 v3) at " mount-err &&
	echo three >expect &&
	test_cmp expect m3-18/data/v3.txt
'

test_expect_success '--foreground: the log goes to stderr, not to the log file' '
	log=$XDG_CACHE_HOME/quire/logs/mount.log &&
	mkdir -p "$(dirname "$log")" &&
	touch "$log" &&
	cp "$log" log.before &&
	mkdir m-fg &&
	mount_quire_fg -r "$REG" ns/bad m-fg &&
	fuse_read_fails m-fg/d/small.bin &&
	quire umount m-fg &&
	fuse_wait_exit $FUSE_PID &&
	test_grep "d/small.bin" fg-err &&
	test_cmp log.before "$log"
'

test_expect_success 'a version without a push time in the registry has the time of its mount' '
	echo "{\"version\": \"v0\"}" >m.jsonl &&
	printf "hi\n" >"$REG/hi.txt" &&
	entry hi "file://$REG/hi.txt" 3 $(quire hash-object "$REG/hi.txt") >>m.jsonl &&
	publish ns/nostamp m.jsonl >/dev/null &&
	mkdir m-nostamp &&
	before=$(date +%s) &&
	mount_quire -r "$REG" ns/nostamp m-nostamp &&
	after=$(date +%s) &&
	stat -c %Y m-nostamp m-nostamp/hi >times &&
	while read t
	do
		test $t -ge $before && test $t -le $after || return 1
	done <times &&
	printf "hi\n" >expect &&
	test_cmp expect m-nostamp/hi
'

test_expect_success '--allow-other mounts with allow_other' '
	mkdir m-other &&
	mount_quire --allow-other -r "$REG" ns/pkg:v1 m-other &&
	fuse_mount_line m-other >line &&
	test_grep "[ ,]allow_other[ ,]" line &&
	test_cmp v1-files/data/a.txt m-other/data/a.txt
'

test_expect_success 'HEAD in a workspace mounts the last commit' '
	mkdir mh-19 &&
	(cd w && mount_quire HEAD ../mh-19) &&
	getfattr --only-values -n user.quire.top_hash mh-19 >actual &&
	printf %s "$(cat v3)" >expect &&
	test_cmp expect actual &&
	diff -r -x .quire -x README.md w/data mh-19/data
'

test_expect_success 'a revision that names nothing: fatal, nothing mounted' '
	mkdir d-20 &&
	for rev in ns/nope ns/pkg:nosuchtag ns/pkg@000000 "not a revision"
	do
		test_fatal 128 quire mount -r "$REG" "$rev" d-20 &&
		not_mounted d-20 &&
		test_dir_is_empty d-20 || return 1
	done
'

test_expect_success '--prefetch beyond its bound: fatal, nothing mounted' '
	mkdir d-pf &&
	test_fatal 128 quire mount --prefetch 5000 -r "$REG" ns/pkg:v1 d-pf &&
	test_grep "prefetch" err &&
	not_mounted d-pf
'

test_expect_success 'a missing folder, or a file: fatal, nothing made or mounted' '
	test_fatal 128 quire mount -r "$REG" ns/pkg:v1 nodir &&
	test_path_is_missing nodir &&
	echo x >afile &&
	test_fatal 128 quire mount -r "$REG" ns/pkg:v1 afile &&
	echo x >expect &&
	test_cmp expect afile
'

test_expect_success 'a folder that is not empty: fatal, nothing mounted over it' '
	mkdir full &&
	echo mine >full/f &&
	test_fatal 128 quire mount -r "$REG" ns/pkg:v1 full &&
	not_mounted full &&
	echo mine >expect &&
	test_cmp expect full/f
'

test_expect_success 'a folder already mounted: fatal, the first mount stays as it was' '
	mkdir m-23 &&
	mount_quire -r "$REG" ns/pkg:v1 m-23 &&
	test_fatal 128 quire mount -r "$REG" ns/pkg:v2 m-23 &&
	fuse_mount_line m-23 >lines &&
	test_line_count = 1 lines &&
	getfattr --only-values -n user.quire.top_hash m-23 >actual &&
	printf %s "$(cat v1)" >expect &&
	test_cmp expect actual &&
	echo alpha >expect &&
	test_cmp expect m-23/data/a.txt
'

test_expect_success 'logical keys that are not paths: fatal before anything is mounted' '
	echo hi >"$REG/hi" &&
	h=$(quire hash-object "$REG/hi") &&
	mkdir d-24 &&
	for k in "../escape" "/abs/file" "a/../../x" "a/./b" "a//b" "a/" \
		 ".quire/config" "sub/.quire/x" "a\\\\b"
	do
		echo "{\"version\": \"v0\"}" >m.jsonl &&
		entry ok "file://$REG/hi" 3 $h >>m.jsonl &&
		entry "$k" "file://$REG/hi" 3 $h >>m.jsonl &&
		publish evil/keys m.jsonl >/dev/null &&
		test_fatal 128 quire mount -r "$REG" evil/keys d-24 &&
		test_grep "invalid logical key" err &&
		not_mounted d-24 &&
		test_dir_is_empty d-24 || return 1
	done
'

test_expect_success 'a key that is both a file and a folder: fatal, nothing mounted' '
	h=$(quire hash-object "$REG/hi") &&
	echo "{\"version\": \"v0\"}" >m.jsonl &&
	entry a "file://$REG/hi" 3 $h >>m.jsonl &&
	entry a/b "file://$REG/hi" 3 $h >>m.jsonl &&
	top=$(sha256sum m.jsonl | cut -c1-64) &&
	mkdir -p "$REG/.quilt/named_packages/evil/both" &&
	cp m.jsonl "$REG/.quilt/packages/$top" &&
	printf %s $top >"$REG/.quilt/named_packages/evil/both/latest" &&
	mkdir d2-25 &&
	test_fatal 128 quire mount -r "$REG" evil/both d2-25 &&
	test_grep "both a file and a folder" err &&
	not_mounted d2-25 &&
	test_dir_is_empty d2-25
'

test_expect_success 'a file outside the registry is not served without --allow-local-files' '
	echo "the secret" >secret.txt &&
	echo "{\"version\": \"v0\"}" >m.jsonl &&
	entry secret.txt "file://$(pwd -P)/secret.txt" 11 \
		"$(quire hash-object secret.txt)" >>m.jsonl &&
	publish evil/secret m.jsonl >/dev/null &&
	mkdir m-26 ma-26 &&
	mount_quire -r "$REG" evil/secret m-26 &&
	test_expect_code 1 timeout 30 cat m-26/secret.txt >out 2>err &&
	test_must_be_empty out &&
	mount_quire --allow-local-files -r "$REG" evil/secret ma-26 &&
	test_cmp secret.txt ma-26/secret.txt
'

test_expect_success '--help prints the usage; usage errors exit 129' '
	quire mount --help >out &&
	test_grep "^usage: quire mount " out &&
	test_expect_code 129 quire mount 2>err &&
	test_grep "^usage: quire mount" err &&
	test_expect_code 129 quire mount ns/pkg 2>err &&
	test_expect_code 129 quire mount --no-such-option ns/pkg d-27 2>err &&
	test_expect_code 129 quire mount --list extra 2>err &&
	quire umount --help >out &&
	test_grep "^usage: quire umount " out &&
	test_expect_code 129 quire umount 2>err &&
	test_expect_code 129 quire umount a b 2>err
'

test_expect_success 'umount of a folder nothing is mounted on: fatal' '
	mkdir plain &&
	test_fatal 128 quire umount plain &&
	test_fatal 128 quire umount no-such-dir
'

test_expect_success 'setup: ns/many, 300 small files and a 24 MiB one' '
	mkdir -p many/s &&
	"$FUSE_PYTHON" -c "
import os, random
r = random.Random(7)
for i in range(300):
    with open(\"many/s/f%03d\" % i, \"wb\") as f:
        f.write(os.urandom(r.choice((0, 1, 100, 4096, 5000, 70000))))
" &&
	head -c 25165824 /dev/urandom >many/large.bin &&
	quire -C many init -q ns/many &&
	quire -C many add -q s large.bin &&
	quire -C many commit -q -m many >many.top &&
	quire -C many push -q -r "$REG" &&
	(cd many && find s large.bin -type f | sort | xargs sha256sum) >many.sums
'

test_expect_success '8 readers at once, cold cache (2 rounds): every file has the right bytes' '
	for round in 1 2
	do
		mkdir mm-30-$round &&
		mount_quire -r "$REG" ns/many mm-30-$round &&
		fuse_readers mm-30-$round many.sums large.bin &&
		fuse_umount "$(pwd -P)/mm-30-$round" &&
		rm -rf "$XDG_CACHE_HOME/quire/objects" || return 1
	done
'

test_expect_success '--prefetch 0 and --prefetch 64: every file has the right bytes' '
	grep -v "  large.bin\$" many.sums >expect &&
	sed "s/^[0-9a-f]*  //" expect >small.list &&
	for n in 0 64
	do
		rm -rf "$XDG_CACHE_HOME/quire/objects" &&
		mkdir mp-$n &&
		mount_quire --prefetch $n -r "$REG" ns/many mp-$n &&
		(cd mp-$n && xargs sha256sum <../small.list) >sums &&
		test_cmp expect sums &&
		fuse_umount "$(pwd -P)/mp-$n" || return 1
	done
'

test_expect_success 'a 1,000,000-entry version: mounts, lists, stats in bounded memory' '
	test-tool gen-manifest 1000000 >million.jsonl &&
	top=$(publish lab/million million.jsonl) &&
	rm million.jsonl &&
	mkdir mx-31 &&
	t0=$(date +%s) &&
	mount_quire_fg -r "$REG" lab/million mx-31 &&
	t1=$(date +%s) &&
	echo "first mount: $((t1 - t0)) s" &&
	ls mx-31 >root &&
	echo train >expect &&
	test_cmp expect root &&
	ls mx-31/train/0500 >list &&
	test_line_count = 1000 list &&
	test "$(sed -n 1p list)" = 00500000.jpg &&
	test "$(sed -n 1000p list)" = 00500999.jpg &&
	stat -c %s mx-31/train/0500/00500123.jpg >size &&
	echo $((1000 + 500123 % 50000)) >expect &&
	test_cmp expect size &&
	test_path_is_missing mx-31/train/0500/00501000.jpg &&
	ls mx-31/train >dirs &&
	test_line_count = 1000 dirs &&
	hwm=$(fuse_hwm_kib $FUSE_PID) &&
	echo "peak RSS of the mount: $((hwm / 1024)) MiB" &&
	if ! ldd "$QUIRE_BUILD_DIR/quire" | grep -q libasan
	then
		test "$hwm" -lt 102400
	fi &&
	db=$XDG_CACHE_HOME/quire/vindex/$(echo $top | cut -c1-2)/$(echo $top | cut -c3-).db &&
	test_path_is_file "$db" &&
	stat -c "%i %s" "$db" >index.1 &&
	fuse__stop_fg "$(pwd -P)/mx-31" $FUSE_PID &&
	t0=$(date +%s) &&
	mount_quire_fg -r "$REG" lab/million@$(echo $top | cut -c1-8) mx-31 &&
	t1=$(date +%s) &&
	echo "second mount: $((t1 - t0)) s" &&
	stat -c %s mx-31/train/0999/00999999.jpg >size &&
	echo $((1000 + 999999 % 50000)) >expect &&
	test_cmp expect size &&
	stat -c "%i %s" "$db" >index.2 &&
	test_cmp index.1 index.2 &&
	hwm=$(fuse_hwm_kib $FUSE_PID) &&
	echo "peak RSS of the second mount: $((hwm / 1024)) MiB"
'

test_done
