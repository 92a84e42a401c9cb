#!/bin/sh
test_description='manifests out of order are sorted, also beyond memory (external sort)'
. ./test-lib.sh

test_expect_success 'setup: the same entries in order and shuffled' '
	quire init -q &&
	test-tool gen-manifest 20000 >sorted.jsonl &&
	test-tool gen-manifest 20000 --shuffle >shuffled.jsonl &&
	! test_cmp sorted.jsonl shuffled.jsonl >/dev/null
'

test_expect_success 'top-hash is the same for both' '
	quire top-hash sorted.jsonl >a &&
	quire top-hash shuffled.jsonl >b &&
	test_cmp a b
'

test_expect_success 'a tiny sort memory forces spills to disk; same answer' '
	QUIRE_SORT_MEMORY=1 quire top-hash shuffled.jsonl >c &&
	test_cmp a c &&
	QUIRE_SORT_MEMORY=1 quire top-hash - <shuffled.jsonl >d &&
	test_cmp a d
'

test_expect_success 'write-manifest of the shuffled file stores the sorted bytes' '
	QUIRE_SORT_MEMORY=1 quire write-manifest <shuffled.jsonl >h &&
	test_cmp a h &&
	quire cat-manifest $(cat h) >out &&
	test_cmp sorted.jsonl out &&
	test_dir_is_empty .quire/objects/tmp
'

test_expect_success 'a duplicate far apart is found after sorting' '
	sed -n 2p shuffled.jsonl >dup &&
	cat shuffled.jsonl dup >withdup.jsonl &&
	test_fatal 128 env QUIRE_SORT_MEMORY=1 quire top-hash withdup.jsonl &&
	test_grep "duplicate logical key" err &&
	test_expect_code 1 env QUIRE_SORT_MEMORY=1 quire check-manifest withdup.jsonl >out &&
	test_grep "duplicate logical key" out
'

test_expect_success 'temporary sort files are removed' '
	test_dir_is_empty "$TMPDIR"
'

test_done
