#!/bin/sh
test_description='the stat cache: status hashes nothing it can trust, and
misses no change the racy-git rule says it must look for'
. ./test-lib.sh

# backdate FILE...: an mtime well in the past, out of the racy window.
backdate () {
	touch -d "1 hour ago" "$@"
}

# hashed CMD...: run quire with QUIRE_TRACE=1; print how many files it
# hashed (the "trace: hashed-files N" line at exit).
hashed () {
	QUIRE_TRACE=1 quire "$@" >out 2>trace &&
	sed -n "s/^trace: hashed-files \([0-9]*\) .*/\1/p" trace
}

# status_is DIR: 'quire status --porcelain' in DIR, sorted, equals stdin.
status_is () {
	sort >expect &&
	quire -C "$1" status --porcelain >out &&
	sort out >actual &&
	test_cmp expect actual
}

test_expect_success 'setup: a committed workspace of 3 folders x 40 files' '
	for d in 0 1 2
	do
		mkdir -p w/data/$d &&
		for i in $(seq 10 49)
		do
			echo "file $d $i" >w/data/$d/f$i.txt || return 1
		done || return 1
	done &&
	backdate w/data/*/* &&
	quire -C w init -q ns/cache &&
	quire -C w add -q data &&
	quire -C w commit -q -m one >/dev/null
'

test_expect_success 'status of the unchanged workspace hashes nothing' '
	test "$(hashed -C w status --porcelain)" = 0 &&
	test_must_be_empty out &&
	test "$(hashed -C w status)" = 0 &&
	test_grep "^nothing to commit\$" out
'

# folders QUIRE_TRACE counted as listed (read-folders N)
folders_read () {
	sed -n "s/^trace: .* read-folders \([0-9]*\).*/\1/p" trace
}

test_expect_success 'status of the unchanged workspace lists no folder' '
	backdate w/data w/data/* &&
	quire -C w status >/dev/null &&
	QUIRE_TRACE=1 quire -C w status --porcelain >out 2>trace &&
	test_must_be_empty out &&
	test "$(folders_read)" = 0
'

test_expect_success 'the same with the pool off (QUIRE_THREADS=1)' '
	QUIRE_THREADS=1 QUIRE_TRACE=1 quire -C w status --porcelain \
		>out 2>trace &&
	test_must_be_empty out &&
	test_grep "hashed-files 0 " trace
'

test_expect_success 'commit of the unchanged workspace hashes no file' '
	quire -C w commit -m again >/dev/null 2>err &&
	test_grep "committed 120 entries, 0 files hashed" err
'

test_expect_success 'files just written are trusted once out of the racy window' '
	mkdir -p r &&
	echo one >r/a &&
	echo two >r/b &&
	quire -C r init -q ns/racy &&
	quire -C r add -q a b &&
	quire -C r commit -q -m one >/dev/null &&
	# written within the second: the stat is not trusted yet
	test "$(hashed -C r status --porcelain)" = 2 &&
	test_must_be_empty out &&
	sleep 2 &&
	# hashed once more, now that their mtime is old enough ...
	test "$(hashed -C r status --porcelain)" = 2 &&
	test_must_be_empty out &&
	# ... and from then on trusted
	test "$(hashed -C r status --porcelain)" = 0 &&
	test_must_be_empty out
'

test_expect_success 'a change of the same size and mtime is found' '
	mkdir -p s &&
	echo aaaa >s/f &&
	quire -C s init -q ns/same &&
	quire -C s add -q f &&
	quire -C s commit -q -m one >/dev/null &&
	# the same size, and the mtime put back to what was hashed: only
	# the racy rule (never trust a stat of this second) can tell
	mtime=$(stat -c %y s/f) &&
	echo bbbb >s/f &&
	touch -d "$mtime" s/f &&
	test "$(stat -c %y s/f)" = "$mtime" &&
	echo "M f" >expect &&
	quire -C s status --porcelain >actual &&
	test_cmp expect actual
'

# A file system whose times tick once a second (t/helper/preload/
# coarse-time.c): a file rewritten within the second it was committed in
# keeps the size, times and inode it was hashed with.
# LD_PRELOAD takes no path with a space: it is built beside test-tool.
COARSE_SO=$QUIRE_BUILD_DIR/t/helper/coarse-time.so
test_lazy_prereq CC 'command -v "${CC:-cc}"'
coarse () {
	env LD_PRELOAD="$COARSE_SO" \
		ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
		"$@"
}

test_expect_success CC 'setup: a clock of whole seconds' '
	case "$COARSE_SO" in *[" :"]*) false ;; esac &&
	"${CC:-cc}" -shared -fPIC -o "$COARSE_SO.$$" \
		"$TEST_DIRECTORY/helper/preload/coarse-time.c" -ldl &&
	mv -f "$COARSE_SO.$$" "$COARSE_SO" &&
	echo x >probe &&
	coarse quire hash-object probe >/dev/null 2>err &&
	test_must_be_empty err &&
	test_set_prereq COARSE
'

test_expect_success COARSE 'with whole-second times, a change in the second of the commit is found' '
	# write, commit and rewrite f within one second (try again if
	# the clock ticks meanwhile): its stat then says nothing changed
	tries=0 &&
	while :
	do
		rm -rf c && mkdir c &&
		coarse quire -C c init -q ns/coarse &&
		t0=$(date +%s) &&
		echo aaaa >c/f &&
		coarse quire -C c add -q f &&
		coarse quire -C c commit -q -m one >/dev/null &&
		echo bbbb >c/f &&
		test "$(date +%s)" = "$t0" && break
		tries=$((tries + 1)) &&
		test $tries -lt 10 || return 1
	done &&
	echo "M f" >expect &&
	coarse quire -C c status --porcelain >actual &&
	test_cmp expect actual
'

test_expect_success 'a change of the same size and mtime to a trusted file is found' '
	# out of the racy window, the stat is trusted: the ctime (and for
	# a replaced file, the inode) still tells of the change
	mtime=$(stat -c %y w/data/1/f20.txt) &&
	echo "file 1 99" >w/data/1/f20.txt &&
	touch -d "$mtime" w/data/1/f20.txt &&
	test "$(stat -c %y w/data/1/f20.txt)" = "$mtime" &&
	cp -p w/data/2/f30.txt w/f30.new &&
	echo "file 2 77" >w/f30.new &&
	touch -d "$(stat -c %y w/data/2/f30.txt)" w/f30.new &&
	mv w/f30.new w/data/2/f30.txt &&
	status_is w <<-\EOF
	M data/1/f20.txt
	M data/2/f30.txt
	EOF
'

test_expect_success 'a new file in a folder listed before is found' '
	quire -C w commit -q -m mid >/dev/null &&
	backdate w/data w/data/* &&
	quire -C w status >/dev/null &&
	echo new >w/data/1/new.txt &&
	QUIRE_TRACE=1 quire -C w status --porcelain >out 2>trace &&
	echo "? data/1/new.txt" >expect &&
	test_cmp expect out &&
	test "$(folders_read)" = 1 &&
	rm w/data/1/new.txt &&
	backdate w/data w/data/* &&
	quire -C w status >/dev/null &&
	mkdir w/data/0/sub &&
	echo deeper >w/data/0/sub/z.txt &&
	QUIRE_TRACE=1 quire -C w status --porcelain >out 2>trace &&
	echo "? data/0/sub/z.txt" >expect &&
	test_cmp expect out &&
	test "$(folders_read)" = 2 &&
	rm -r w/data/0/sub
'

test_expect_success 'a file unstaged in an unchanged folder is new' '
	backdate w/data w/data/* &&
	quire -C w status >/dev/null &&
	quire -C w rm -q data/2/f40.txt &&
	QUIRE_TRACE=1 quire -C w status --porcelain >out 2>trace &&
	test "$(folders_read)" = 0 &&
	test_grep "^? data/2/f40.txt\$" out &&
	quire -C w add -q data &&
	quire -C w status --porcelain >out &&
	test_must_be_empty out
'

test_expect_success 'a folder with a link in it is listed every time' '
	echo target >w/target.txt &&
	ln -s ../../target.txt w/data/2/link.txt &&
	backdate w/data w/data/* &&
	quire -C w status >/dev/null &&
	QUIRE_TRACE=1 quire -C w status --porcelain >out 2>trace &&
	echo "? data/2/link.txt" >expect &&
	test_cmp expect out &&
	test "$(folders_read)" = 1 &&
	rm w/data/2/link.txt w/target.txt
'

test_expect_success 'missing, changed and new files, folder by folder' '
	quire -C w commit -q -m two >/dev/null &&
	rm w/data/0/f11.txt &&
	echo "new in 0" >w/data/0/new.txt &&
	echo "more" >>w/data/1/f12.txt &&
	backdate w/data/1/f12.txt &&
	mkdir w/data/2/deep &&
	echo deep >w/data/2/deep/z.txt &&
	echo top >w/data/top.txt &&
	status_is w <<-\EOF
	! data/0/f11.txt
	? data/0/new.txt
	? data/2/deep/z.txt
	? data/top.txt
	M data/1/f12.txt
	EOF
'

test_expect_success 'a folder or a FIFO in place of a file is missing' '
	rm w/data/0/f13.txt &&
	mkdir w/data/0/f13.txt &&
	rm w/data/0/f14.txt &&
	mkfifo w/data/0/f14.txt &&
	quire -C w status --porcelain >out &&
	test_grep "^! data/0/f13.txt\$" out &&
	test_grep "^! data/0/f14.txt\$" out &&
	rmdir w/data/0/f13.txt &&
	rm w/data/0/f14.txt &&
	echo "file 0 13" >w/data/0/f13.txt &&
	echo "file 0 14" >w/data/0/f14.txt
'

test_expect_success 'a file staged under another key is not new' '
	rm w/data/0/new.txt w/data/top.txt &&
	rm -r w/data/2/deep &&
	quire -C w mv data/0/f15.txt moved/f15.txt &&
	quire -C w status --porcelain >out &&
	test_grep "^A moved/f15.txt\$" out &&
	test_grep "^D data/0/f15.txt\$" out &&
	test_grep -v "^? data/0/f15.txt" out &&
	quire -C w rm -q data/0/f11.txt
'

test_expect_success 'commit trusts what it hashed: the next status hashes nothing' '
	backdate w/data/*/* &&
	quire -C w status >/dev/null &&
	quire -C w commit -q -m three >/dev/null &&
	test "$(hashed -C w status --porcelain)" = 0 &&
	test_must_be_empty out
'

test_done
