#!/bin/sh
test_description='a folder registry: published bytes never change, every successful push stays listed

Manifests are immutable; locks are waited for and stale ones removed;
temporary files live in the registry'"'"'s .quire/ where no reader of
quilt3'"'"'s layout looks; quire fsck finds every kind of damage; and 20
pushes at once of versions that give one key different bytes all keep
their own bytes.'
. ./test-lib.sh
. "$TEST_DIRECTORY/lib-race.sh"

test_expect_success 'setup: a package in a folder registry' '
	mkdir src &&
	echo one >src/a.txt &&
	quire -C src init -q ns/pkg &&
	quire -C src add -q a.txt &&
	quire -C src commit -q -m v1 >v1 &&
	quire -C src push "$PWD/reg" 2>err &&
	quire fsck --registry "$PWD/reg" >out 2>err &&
	test_line_count = 0 out &&
	test_grep "0 problems" err
'

test_expect_success 'push-manifest never replaces a manifest the registry holds' '
	cp reg/.quilt/packages/$(cat v1) before &&
	mkdir other &&
	echo one >other/a.txt &&
	quire -C other init -q ns/pkg &&
	quire -C other add -q a.txt &&
	quire -C other commit -q -m v1 >v1-other &&
	test_cmp v1 v1-other &&
	quire -C other push-manifest --force "$PWD/reg" 2>err &&
	test_cmp before reg/.quilt/packages/$(cat v1) &&
	rm -rf other &&
	quire install -q --registry "$PWD/reg" ns/pkg --to i1 &&
	quire verify i1 2>/dev/null
'

test_expect_success 'a push leaves no temporary or lock file where quilt3 looks' '
	echo two >src/a.txt &&
	quire -C src commit -q -m v2 &&
	quire -C src push "$PWD/reg" 2>err &&
	find reg -name ".quire-tmp-*" -o -name "*.lock" >found &&
	test_line_count = 0 found &&
	test_path_is_dir reg/.quire/tmp
'

lock=reg/.quire/locks/.quilt/named_packages/ns/pkg/latest.lock

# hold_lock: a live process holds the lock for 3 s (pid in $holder).
hold_lock () {
	mkdir -p "${lock%/*}" &&
	{ flock "$lock" sleep 3 & } &&
	holder=$!
}

test_expect_success 'a lock held by a live process is waited for, then named' '
	hold_lock &&
	sleep 0.2 &&
	echo three >src/a.txt &&
	quire -C src commit -q -m v3 >v3 &&
	QUIRE_LOCK_TIMEOUT=400 test_fatal 128 quire -C src push "$PWD/reg" &&
	test_grep "latest.lock. is held by another quire process (waited 0.4 s)" err &&
	wait $holder &&
	rm -f "$lock"
'

test_expect_success 'a lock left by a process that died is removed, with a warning' '
	: >"$lock" &&
	touch -d "1 minute ago" "$lock" &&
	quire -C src push "$PWD/reg" 2>err &&
	test_grep "warning: removed the stale lock .*latest.lock. (the process that took it is gone)" err &&
	test_path_is_missing "$lock" &&
	quire log --registry "$PWD/reg" ns/pkg >log &&
	test_grep "^$(cat v3)" log
'

test_expect_success 'the lock timeout comes from core.lockTimeout too' '
	hold_lock &&
	sleep 0.2 &&
	echo four >src/a.txt &&
	quire -C src commit -q -m v4 &&
	quire -C src config core.lockTimeout 300 &&
	test_fatal 128 quire -C src push "$PWD/reg" &&
	test_grep "(waited 0.3 s)" err &&
	quire -C src config core.lockTimeout 10000 &&
	quire -C src push "$PWD/reg" 2>err &&
	wait $holder
'

test_expect_success 'concurrent push --force: each waits its turn, all are listed' '
	for i in 1 2 3 4 5 6
	do
		rm -rf c$i &&
		cp -R src c$i &&
		echo "force $i" >c$i/a.txt &&
		quire -C c$i commit -q -m "force $i" >top-$i || return 1
	done &&
	pids= &&
	for i in 1 2 3 4 5 6
	do
		{ quire -C c$i push --force "$PWD/reg" >out-$i 2>err-$i & } &&
		pids="$pids $!" || return 1
	done &&
	for p in $pids
	do
		wait $p || return 1
	done &&
	quire log --registry "$PWD/reg" ns/pkg >log &&
	for i in 1 2 3 4 5 6
	do
		test_grep "^$(cat top-$i)" log || { cat err-$i; return 1; }
	done &&
	quire fsck --registry "$PWD/reg" >out 2>err
'

test_expect_success 'leftovers of a killed push are swept by the next push' '
	echo "left" >reg/.quire/tmp/put-deadbeef &&
	touch -d "1 minute ago" reg/.quire/tmp/put-deadbeef &&
	old_lock=reg/.quire/locks/.quilt/named_packages/ns/pkg/1600000000.lock &&
	: >$old_lock &&
	touch -d "1 minute ago" $old_lock &&
	test_expect_code 1 quire fsck --registry "$PWD/reg" >out 2>err &&
	test_grep "^stray-file: .quire/tmp/put-deadbeef: a temporary file left by a process that died" out &&
	test_grep "^stale-lock: .quire/locks/.quilt/named_packages/ns/pkg/1600000000.lock: " out &&
	echo five >src/a.txt &&
	quire -C src commit -q -m v5 &&
	quire -C src push --force "$PWD/reg" 2>err &&
	test_path_is_missing reg/.quire/tmp/put-deadbeef &&
	test_path_is_missing $old_lock &&
	test_grep "warning: removed the stale lock .*1600000000.lock. (the process that took it is gone)" err &&
	quire fsck --registry "$PWD/reg" >out 2>err
'

test_expect_success 'fsck: each kind of damage is one line, exit 1' '
	mkdir bsrc &&
	echo aaa >bsrc/a.txt &&
	echo bbb >bsrc/b.txt &&
	quire -C bsrc init -q ns/pkg &&
	quire -C bsrc add -q a.txt b.txt &&
	quire -C bsrc commit -q -m b >btop &&
	quire -C bsrc push "$PWD/broken" 2>err &&
	quire fsck --registry "$PWD/broken" >out 2>err &&
	B=broken/.quilt/named_packages &&
	: >$B/ns/pkg/.quire-tmp-old &&
	touch -d "1 minute ago" $B/ns/pkg/.quire-tmp-old &&
	echo "not a hash" >$B/ns/pkg/1600000000 &&
	mkdir -p $B/ns/lonely broken/.quire/tags/ns/pkg broken/.quire/locks &&
	printf %s $(cat btop) >$B/ns/lonely/latest &&
	printf "%064d" 0 >broken/.quire/tags/ns/pkg/gone &&
	: >broken/.quire/locks/x.lock &&
	touch -d "1 minute ago" broken/.quire/locks/x.lock &&
	echo "{\"version\": \"v0\"}" >broken/.quilt/packages/$(printf "%064d" 1) &&
	rm broken/ns/pkg/b.txt &&
	echo "longer now" >broken/ns/pkg/a.txt &&
	test_expect_code 1 quire fsck --registry "$PWD/broken" >out 2>err &&
	test_grep "^stray-file: .quilt/named_packages/ns/pkg/.quire-tmp-old: " out &&
	test_grep "^bad-pointer: .*ns/pkg/1600000000" out &&
	test_grep "^unlisted-latest: .quilt/named_packages/ns/lonely/latest names $(cat btop), which no timestamp pointer lists" out &&
	test_grep "^dangling-pointer: .quire/tags/ns/pkg/gone names 0\{64\}" out &&
	test_grep "^stale-lock: .quire/locks/x.lock: " out &&
	test_grep "^bad-manifest: .quilt/packages/0\{63\}1: its contents hash to " out &&
	test_grep "^missing-object: file://.*/broken/ns/pkg/b.txt, named by .b.txt. in " out &&
	test_grep "^wrong-size: file://.*/broken/ns/pkg/a.txt holds 11 bytes, not the 4 of .a.txt. in " out &&
	test_line_count = 8 out &&
	test_grep "8 problems" err
'

test_expect_success 'fsck --full hashes: same size, other bytes' '
	rm -rf full && mkdir full &&
	echo abc >full-src.txt &&
	mkdir full-ws &&
	quire -C full-ws init -q ns/full &&
	cp full-src.txt full-ws/a.txt &&
	quire -C full-ws add -q a.txt &&
	quire -C full-ws commit -q -m f &&
	quire -C full-ws push "$PWD/full" 2>err &&
	quire fsck --registry "$PWD/full" >out 2>err &&
	echo xyz >full/ns/full/a.txt &&
	quire fsck --registry "$PWD/full" >out 2>err &&
	test_expect_code 1 quire fsck --full --registry "$PWD/full" >out 2>err &&
	test_grep "^wrong-hash: file://.*/full/ns/full/a.txt, named by .a.txt." out &&
	echo "xyzw" >full/ns/full/a.txt &&
	test_expect_code 1 quire fsck --registry "$PWD/full" >out 2>err &&
	test_grep "^wrong-size: .*holds 5 bytes, not the 4 of .a.txt." out
'

test_expect_success '20 pushes at once, each from the same latest: one wins' '
	race_round "$PWD/reg" 1 "" 1
'

test_expect_success '20 pushes at once with --force: all listed, each its own bytes' '
	race_round "$PWD/reg" 2 --force 20 &&
	for i in $(seq 1 20)
	do
		grep -q "^$(cat race/top-$i)" race/log || return 1
	done
'

test_done
