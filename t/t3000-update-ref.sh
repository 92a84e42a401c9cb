#!/bin/sh
test_description='quire update-ref and show-ref: locked, compare-and-swap ref updates'
. ./test-lib.sh

test_expect_success 'setup: two package versions' '
	quire init -q &&
	A=$(quire write-manifest <"$VECTORS/003.jsonl") &&
	B=$(quire write-manifest <"$VECTORS/023.jsonl") &&
	echo $A >A && echo $B >B
'

test_expect_success 'update-ref creates a ref; show-ref lists it' '
	quire update-ref refs/tags/v1 $(cat A) &&
	echo "$(cat A) refs/tags/v1" >expect &&
	quire show-ref >actual &&
	test_cmp expect actual &&
	test_path_is_file .quire/refs/tags/v1
'

test_expect_success 'update-ref takes any revision for the new value' '
	quire update-ref HEAD refs/tags/v1 &&
	quire rev-parse HEAD >actual &&
	test_cmp A actual &&
	quire update-ref refs/tags/short $(cut -c1-10 B) &&
	quire rev-parse short >actual &&
	test_cmp B actual
'

test_expect_success 'compare-and-swap: moves only from the expected value' '
	quire update-ref refs/tags/v1 $(cat B) $(cat A) &&
	quire rev-parse v1 >actual &&
	test_cmp B actual
'

test_expect_success 'compare-and-swap: a stale old value is refused, ref unchanged' '
	test_fatal 128 quire update-ref refs/tags/v1 $(cat A) $(cat A) &&
	test_grep "is at $(cat B)" err &&
	test_grep "not at $(cat A)" err &&
	quire rev-parse v1 >actual &&
	test_cmp B actual
'

test_expect_success 'an empty old value means the ref must not exist' '
	test_fatal 128 quire update-ref refs/tags/v1 $(cat A) "" &&
	test_grep "already exists" err &&
	quire update-ref refs/tags/new $(cat A) "" &&
	quire rev-parse new >actual &&
	test_cmp A actual
'

test_expect_success 'a held lock is waited for, then reported; the ref is not touched' '
	{ flock .quire/refs/tags/v1.lock sleep 3 & } &&
	holder=$! &&
	sleep 0.2 &&
	QUIRE_LOCK_TIMEOUT=300 test_fatal 128 quire update-ref refs/tags/v1 $(cat A) &&
	test_grep "held by another quire process (waited 0.3 s)" err &&
	test_grep "core.lockTimeout" err &&
	kill $holder && wait $holder;
	rm -f .quire/refs/tags/v1.lock &&
	quire rev-parse v1 >actual &&
	test_cmp B actual
'

test_expect_success 'a version not in the store is refused' '
	test_fatal 128 quire update-ref refs/tags/x 1111111111111111111111111111111111111111111111111111111111111111 &&
	test_grep "not in the local store" err &&
	test_path_is_missing .quire/refs/tags/x
'

test_expect_success 'bad ref names are refused' '
	for name in tags/v1 refs/../x refs/tags/.hidden refs/tags/a.lock "refs/a b" refs/ refs//x
	do
		test_fatal 128 quire update-ref "$name" $(cat A) &&
		test_grep "invalid ref name" err || return 1
	done
'

test_expect_success 'a malformed old value is refused' '
	test_fatal 128 quire update-ref refs/tags/v1 $(cat A) abc &&
	test_grep "not a full top hash" err
'

test_expect_success 'update-ref -d deletes, with compare-and-swap' '
	test_fatal 128 quire update-ref -d refs/tags/new $(cat B) &&
	quire update-ref -d refs/tags/new $(cat A) &&
	test_path_is_missing .quire/refs/tags/new &&
	test_fatal 128 quire update-ref -d refs/tags/new &&
	test_grep "does not exist" err &&
	test_fatal 128 quire update-ref -d refs/no/such/folder &&
	test_grep "ref .refs/no/such/folder. does not exist" err
'

test_expect_success 'show-ref --head, --hash and patterns' '
	quire show-ref --head >actual &&
	head -n 1 actual >first &&
	echo "$(cat A) HEAD" >expect &&
	test_cmp expect first &&
	quire show-ref --hash v1 >actual &&
	test_cmp B actual &&
	quire show-ref tags/short >actual &&
	echo "$(cat B) refs/tags/short" >expect &&
	test_cmp expect actual
'

test_expect_success 'show-ref answers 1 when nothing matches' '
	test_expect_code 1 quire show-ref no-such-ref >out &&
	test_must_be_empty out
'

test_expect_success 'refs hold the full hash and a newline, written atomically' '
	cat B >expect &&
	test_cmp expect .quire/refs/tags/v1 &&
	ls .quire/refs/tags >names &&
	test_grep -v "lock" names
'

test_done
