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
