#!/bin/sh
test_description='quire rev-parse: revisions to top hashes'
. ./test-lib.sh

test_expect_success 'setup' '
	quire init -q &&
	quire write-manifest <"$VECTORS/023.jsonl" >A &&
	quire write-manifest <"$VECTORS/025.jsonl" >B
'

test_expect_success 'a full hash, a prefix of 6 or more, and --short' '
	quire rev-parse $(cat A) $(cut -c1-6 A) >actual &&
	cat A A >expect &&
	test_cmp expect actual &&
	quire rev-parse --short $(cat B) >actual &&
	cut -c1-12 B >expect &&
	test_cmp expect actual
'

test_expect_success 'a prefix is case-insensitive' '
	quire rev-parse $(cut -c1-8 A | tr a-f A-F) >actual &&
	test_cmp A actual
'

test_expect_success 'a prefix shorter than 6 is not a revision' '
	test_fatal 128 quire rev-parse $(cut -c1-5 A) &&
	test_grep "unknown revision" err
'

test_expect_success 'an ambiguous prefix names the candidates' '
	a=$(cat A) &&
	dir=.quire/objects/manifest/$(echo $a | cut -c1-2) &&
	case $(echo $a | cut -c7) in f) c=0 ;; *) c=f ;; esac &&
	twin=$(echo $a | cut -c1-6)$c$(echo $a | cut -c8-) &&
	cp "$dir/$(echo $a | cut -c3-)" "$dir/$(echo $twin | cut -c3-)" &&
	test_fatal 128 quire rev-parse $(echo $a | cut -c1-6) &&
	test_grep "ambiguous" err &&
	test_grep "$a" err &&
	test_grep "$twin" err &&
	quire rev-parse $(echo $a | cut -c1-7) >actual &&
	test_cmp A actual &&
	rm "$dir/$(echo $twin | cut -c3-)"
'

test_expect_success 'HEAD before any commit says so' '
	test_fatal 128 quire rev-parse HEAD &&
	test_grep "nothing has been committed yet" err
'

test_expect_success 'tags and refs resolve; refs win over prefixes' '
	quire update-ref refs/tags/v1 $(cat A) &&
	quire update-ref HEAD $(cat B) &&
	quire rev-parse v1 refs/tags/v1 HEAD >actual &&
	cat A A B >expect &&
	test_cmp expect actual &&
	quire update-ref refs/tags/$(cut -c1-6 B) $(cat A) &&
	quire rev-parse $(cut -c1-6 B) >actual &&
	test_cmp A actual
'

test_expect_success 'a full hash not in the store is refused' '
	test_fatal 128 quire rev-parse 1111111111111111111111111111111111111111111111111111111111111111 &&
	test_grep "not in the local store" err
'

test_expect_success 'a corrupt ref is reported' '
	echo garbage >.quire/refs/tags/bad &&
	test_fatal 128 quire rev-parse bad &&
	test_grep "corrupt" err
'

test_done
