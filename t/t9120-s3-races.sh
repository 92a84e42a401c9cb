#!/bin/sh
test_description='20 pushes at once to an S3 server: published bytes never change, every successful push stays listed

The test server (Swift) cannot refuse an overwrite (it answers 501 to
If-None-Match), so in an unversioned bucket quire writes new bytes only
to keys in the version'"'"'s own folder, and claims timestamp pointers by
writing and reading back; in a versioned bucket every write is a new
version. Either way each of 20 racing versions keeps its own bytes.'
. ./test-lib.sh
. "$TEST_DIRECTORY/lib-s3.sh"
. "$TEST_DIRECTORY/lib-race.sh"

test_expect_success 'setup: S3 server, a bucket of each kind' '
	s3_start &&
	s3_mkbucket plain &&
	s3_mkbucket vers versioned
'

for B in plain vers
do
	test_expect_success "$B: a first version" '
		rm -rf src-$B && mkdir src-$B &&
		echo one >src-$B/a.txt &&
		quire -C src-$B init -q ns/pkg &&
		quire -C src-$B add -q a.txt &&
		quire -C src-$B commit -q -m v1 &&
		quire -C src-$B push s3://$B/reg 2>err &&
		quire fsck --registry s3://$B/reg >out 2>err
	'

	test_expect_success "$B: $RACE_N pushes at once from the same latest: one wins" '
		race_round s3://$B/reg 1 "" 1
	'

	test_expect_success "$B: $RACE_N pushes at once with --force: all listed, own bytes" '
		race_round s3://$B/reg 2 --force $RACE_N
	'

	# Pushes of 40 files look for their keys in listings, not one HEAD
	# each; a listing may not show what another push just wrote.
	test_expect_success "$B: 8 pushes of 40 files each at once: all listed, own bytes" '
		rm -rf wide && mkdir wide &&
		quire install -q --registry s3://$B/reg ns/pkg --to wide/base &&
		for i in $(seq 1 8)
		do
			cp -R wide/base wide/w$i &&
			mkdir wide/w$i/many &&
			for j in $(seq 10 49)
			do
				echo "push $i file $j" >wide/w$i/many/f$j.txt ||
				return 1
			done &&
			quire -C wide/w$i add -q many &&
			quire -C wide/w$i commit -q -m "wide $i" >wide/top-$i ||
			return 1
		done &&
		pids= &&
		for i in $(seq 1 8)
		do
			{ quire -C wide/w$i push --force s3://$B/reg \
				>wide/out-$i 2>wide/err-$i & } &&
			pids="$pids $!" || return 1
		done &&
		failed= &&
		for p in $pids
		do
			wait $p || failed=1
		done &&
		test -z "$failed" &&
		quire log --registry s3://$B/reg ns/pkg >wide/log &&
		for i in $(seq 1 8)
		do
			grep -q "^$(cat wide/top-$i)" wide/log &&
			rm -rf wide/i &&
			quire install -q --registry s3://$B/reg \
				ns/pkg@$(cat wide/top-$i) --to wide/i &&
			quire -C wide/i verify &&
			test_cmp wide/w$i/many/f10.txt wide/i/many/f10.txt &&
			test_cmp wide/w$i/many/f49.txt wide/i/many/f49.txt ||
			{ echo "push $i:"; cat wide/err-$i; return 1; }
		done &&
		quire fsck --registry s3://$B/reg >wide/fsck 2>wide/fsck-err ||
		{ cat wide/fsck wide/fsck-err; return 1; }
	'
done

KILLS=0
test_expect_success 'plain: pushes killed at any moment leave no version with missing data' '
	for delay in 0.2 0.5 0.8 1.2 1.6 2.2
	do
		echo "killed at $delay" >src-plain/a.txt &&
		genfile 9000000 >src-plain/big.bin &&
		echo "$delay" >>src-plain/big.bin &&
		quire -C src-plain add -q a.txt big.bin &&
		quire -C src-plain commit -q -m "kill $delay" >top &&
		{ quire -C src-plain push --force s3://plain/reg >out 2>err & } &&
		pid=$! &&
		sleep $delay &&
		kill -9 $pid 2>/dev/null;
		wait $pid;
		KILLS=$((KILLS + 1)) &&
		{
			quire fsck --registry s3://plain/reg >fsck 2>fsck-err &&
			QUIRE_S3_LOCK_LEASE=1500 quire -C src-plain push \
				--force s3://plain/reg >out 2>err &&
			quire fsck --registry s3://plain/reg >fsck 2>fsck-err &&
			quire log --registry s3://plain/reg ns/pkg >log &&
			grep "^$(cat top)" log
		} || { echo "after a kill at $delay s:"; cat fsck fsck-err err; return 1; }
	done &&
	rm -rf k && quire install -q --registry s3://plain/reg ns/pkg --to k &&
	quire verify k 2>/dev/null
'

test_expect_success "race rounds run: $RACE_ROUNDS of $RACE_N pushes; $KILLS kills" '
	test $RACE_ROUNDS -gt 0 &&
	test $KILLS -gt 0
'

test_done
