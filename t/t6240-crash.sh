#!/bin/sh
test_description='a crash at any file operation loses nothing and leaves nothing behind

quire is killed (SIGKILL, no cleanup) just before or just after one of its
writes, renames, links, unlinks, fsyncs or mkdirs, during commit, push to
a folder registry, install and checkout. After each crash the registry
holds only complete versions (quire fsck finds no missing data, dangling
or unlisted pointer), the target holds no temporary file, and the same
command run again completes and cleans up. make stress tries every
operation; make test a spread of them.'
. ./test-lib.sh
. "$TEST_DIRECTORY/lib-crash.sh"

# make test builds the helper: without it this is a broken build, not
# a machine that lacks something, so it fails rather than skips.
if ! test_have_prereq CRASH
then
	test_expect_success "the crash helper $CRASH_SO is built" 'false'
	test_done
fi

TRIALS=${CRASH_SPREAD:-8}

# After a crash a registry may hold leftovers (the next writer sweeps
# them), but never a version with missing data.
fsck_after_crash () {
	quire fsck --registry "$1" >fsck-out 2>fsck-err
	test $? -le 1 &&
	! grep -v "^stray-file: \|^stale-lock: " fsck-out
}

fsck_clean () {
	quire fsck --registry "$1" >fsck-out 2>fsck-err ||
	{ cat fsck-out fsck-err; return 1; }
}

test_expect_success 'setup: a workspace with folders, small files and a large one' '
	mkdir -p w/data/a w/data/b &&
	for i in 1 2 3 4 5 6 7 8
	do
		echo "a $i" >w/data/a/f$i.txt &&
		echo "b $i" >w/data/b/g$i.txt || return 1
	done &&
	genfile 3000000 >w/data/big.bin &&
	quire -C w init -q ns/pkg &&
	quire -C w add -q data &&
	quire -C w commit -q -m v0 >v0 &&
	quire -C w push "$PWD/reg" 2>err
'

# change N: a new version of the workspace, different for each N.
change () {
	echo "changed $1" >w/data/a/f1.txt &&
	echo "new $1" >w/data/b/new-$1.txt &&
	quire -C w add -q data
}

test_expect_success 'commit: killed anywhere, the workspace stays consistent' '
	change count &&
	n=$(crash_count quire -C w commit -q -m count) &&
	test "$n" -gt 10 &&
	for at in $(crash_points $n $TRIALS)
	do
		for when in before after
		do
			change $at-$when &&
			crash_at $at $when quire -C w commit -q -m "trial $at" &&
			quire -C w status >/dev/null &&
			quire -C w commit -q -m "again $at" >/dev/null &&
			quire -C w status --porcelain >st &&
			test_line_count = 0 st &&
			quire -C w verify 2>/dev/null &&
			no_leftovers w || return 1
		done
	done
'

test_expect_success 'push to a folder: killed anywhere, no version with missing data' '
	change count-push &&
	quire -C w commit -q -m count-push &&
	n=$(crash_count quire -C w push "$PWD/reg") &&
	test "$n" -gt 10 &&
	for at in $(crash_points $n $TRIALS)
	do
		for when in before after
		do
			change push-$at-$when &&
			quire -C w commit -q -m "push $at $when" >top &&
			crash_at $at $when quire -C w push "$PWD/reg" &&
			fsck_after_crash "$PWD/reg" &&
			no_leftovers reg &&
			sleep 0.3 &&
			quire -C w push "$PWD/reg" 2>err &&
			fsck_clean "$PWD/reg" &&
			quire log --registry "$PWD/reg" ns/pkg >log &&
			test_grep "^$(cat top)" log || return 1
		done
	done
'

test_expect_success 'the last version pushed installs and verifies' '
	quire install --registry "$PWD/reg" ns/pkg --to check 2>err &&
	quire verify check 2>err
'

test_expect_success 'setup: v0 and the latest (v2) for install and checkout' '
	quire -C w rev-parse HEAD >v2 &&
	quire log --registry "$PWD/reg" ns/pkg >log &&
	test_grep "^$(cat v2)" log &&
	test_grep "^$(cat v0)" log
'

# cache_objects: the objects in the crash tests' cache (not its tmp/).
empty_cache () {
	find cache-crash/quire/objects -mindepth 1 -maxdepth 1 \
		! -name tmp -exec rm -rf {} + 2>/dev/null || :
}

test_expect_success 'install over an older version: killed anywhere, re-run completes' '
	rm -rf t0 && quire install --registry "$PWD/reg" ns/pkg@$(cat v0) --to t0 2>err &&
	n=$(XDG_CACHE_HOME=$PWD/cache-count crash_count quire install \
		--registry "$PWD/reg" ns/pkg --to t0) &&
	test "$n" -gt 10 &&
	for at in $(crash_points $n $TRIALS)
	do
		for when in before after
		do
			rm -rf t1 &&
			quire install -q --registry "$PWD/reg" ns/pkg@$(cat v0) --to t1 &&
			empty_cache &&
			XDG_CACHE_HOME=$PWD/cache-crash crash_at $at $when \
				quire install --registry "$PWD/reg" ns/pkg --to t1 &&
			no_leftovers t1 &&
			XDG_CACHE_HOME=$PWD/cache-crash quire install -q \
				--registry "$PWD/reg" ns/pkg --to t1 >top &&
			test_cmp v2 top &&
			quire verify t1 2>/dev/null &&
			quire -C t1 status --porcelain >st &&
			test_line_count = 0 st &&
			no_leftovers t1 || return 1
		done
	done
'

test_expect_success 'install into a new folder: killed anywhere, re-run completes' '
	n=$(XDG_CACHE_HOME=$PWD/cache-new crash_count quire install \
		--registry "$PWD/reg" ns/pkg --to new-count) &&
	for at in $(crash_points $n $TRIALS)
	do
		rm -rf t2 &&
		empty_cache &&
		XDG_CACHE_HOME=$PWD/cache-crash crash_at $at before \
			quire install --registry "$PWD/reg" ns/pkg --to t2 &&
		XDG_CACHE_HOME=$PWD/cache-crash quire install -q \
			--registry "$PWD/reg" ns/pkg --to t2 >top &&
		test_cmp v2 top &&
		quire verify t2 2>/dev/null &&
		no_leftovers t2 || return 1
	done
'

test_expect_success 'what the killed installs left in the cache goes with the next run' '
	sleep 0.3 &&
	XDG_CACHE_HOME=$PWD/cache-crash quire install -q \
		--registry "$PWD/reg" ns/pkg --to t2 >top &&
	ls cache-crash/quire/objects/tmp >tmps &&
	test_line_count = 0 tmps
'

test_expect_success 'checkout between versions: killed anywhere, re-run completes' '
	quire -C w checkout -q --force $(cat v0) &&
	n=$(crash_count quire -C w checkout $(cat v2)) &&
	for at in $(crash_points $n $TRIALS)
	do
		for when in before after
		do
			quire -C w checkout -q --force $(cat v0) &&
			crash_at $at $when quire -C w checkout $(cat v2) &&
			no_leftovers w &&
			quire -C w checkout -q $(cat v2) &&
			quire -C w verify 2>/dev/null &&
			quire -C w status --porcelain >st &&
			test_line_count = 0 st &&
			no_leftovers w || return 1
		done
	done &&
	sleep 0.3 &&
	quire -C w checkout -q $(cat v2) &&
	ls w/.quire/objects/tmp >tmps &&
	test_line_count = 0 tmps
'

# Placement runs on several threads and syncs once: a kill while many
# files are in flight must leave nothing the index vouches for wrongly.
test_expect_success 'setup: 10,000 small files' '
	mkdir -p many/d0 many/d1 many/d2 many/d3 &&
	i=0 &&
	while test $i -lt 10000
	do
		echo "file $i" >many/d$((i % 4))/f$i.txt &&
		i=$((i + 1)) || return 1
	done &&
	quire -C many init -q ns/many &&
	quire -C many add -q d0 d1 d2 d3 &&
	quire -C many commit -q -m many >vmany &&
	quire -C many push "$PWD/reg-many" 2>err
'

# HEAD, if the killed run got that far, names a version that verifies;
# every file the index vouches for holds its bytes.
nothing_claimed () {
	if quire -C "$1" rev-parse HEAD >/dev/null 2>&1
	then
		quire -C "$1" verify 2>/dev/null
	fi &&
	quire -C "$1" status --porcelain >claimed 2>/dev/null || :
	! grep "^M " claimed
}

test_expect_success 'placing 10,000 files in parallel: killed mid-way, re-run completes' '
	n=$(QUIRE_CRASH_OPS=rename crash_count quire install \
		--registry "$PWD/reg-many" ns/many --to many-count) &&
	test "$n" -ge 10000 &&
	for at in $((n / 3)) $((n / 2)) $((n - 2))
	do
		rm -rf tm &&
		QUIRE_CRASH_OPS=rename crash_at $at before quire install \
			--registry "$PWD/reg-many" ns/many --to tm &&
		test $crash_killed = 1 &&
		no_leftovers tm &&
		nothing_claimed tm &&
		quire install -q --registry "$PWD/reg-many" ns/many --to tm >top &&
		test_cmp vmany top &&
		quire verify tm 2>/dev/null &&
		QUIRE_TRACE=1 quire -C tm status --porcelain >st 2>trace &&
		test_line_count = 0 st &&
		test_grep "hashed-files 0 " trace &&
		no_leftovers tm || return 1
	done
'

# The last syncs of an install: the one syncfs() of the placed files,
# the index's commit, HEAD's update.
test_expect_success '... and killed at each of its last syncs' '
	n=$(QUIRE_CRASH_OPS=fsync crash_count quire install \
		--registry "$PWD/reg-many" ns/many --to many-count2) &&
	for at in $(seq $((n - 4)) $n)
	do
		rm -rf tm &&
		QUIRE_CRASH_OPS=fsync crash_at $at after quire install \
			--registry "$PWD/reg-many" ns/many --to tm &&
		no_leftovers tm &&
		nothing_claimed tm &&
		quire install -q --registry "$PWD/reg-many" ns/many --to tm >top &&
		test_cmp vmany top &&
		quire verify tm 2>/dev/null || return 1
	done
'

test_expect_success 'a leftover of an older quire is never staged, listed or published' '
	echo half >w/data/a/.quire-tmp-AbC123 &&
	quire -C w status --porcelain >st &&
	test_line_count = 0 st &&
	quire -C w verify 2>err &&
	quire -C w add -q data &&
	quire -C w status --porcelain >st &&
	test_line_count = 0 st &&
	quire -C w ls-manifest HEAD >keys &&
	! grep quire-tmp keys &&
	rm w/data/a/.quire-tmp-AbC123
'

test_expect_success "crash trials run: $CRASH_TRIALS (see the names above)" '
	echo "crash trials: $CRASH_TRIALS" &&
	test "$CRASH_TRIALS" -gt 0
'

test_done
