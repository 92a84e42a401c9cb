#!/bin/sh
test_description='revisions that name an S3 registry: s3://bucket/ns/name:tag and quilt+s3 URIs'
. ./test-lib.sh
. "$TEST_DIRECTORY/lib-s3.sh"

test_expect_success 'setup: S3 server, a bucket, two versions pushed with -r' '
	s3_start &&
	s3_mkbucket names &&
	mkdir -p w/data &&
	echo alpha >w/data/a.txt &&
	quire -C w init -q ns/pkg &&
	quire -C w add -q data &&
	quire -C w commit -q -m v1 >v1 &&
	quire -C w push -q -r s3://names/reg -t v1 >out &&
	test_cmp v1 out &&
	echo beta >w/data/b.txt &&
	quire -C w add -q data &&
	quire -C w commit -q -m v2 >v2 &&
	quire -C w push -q -r s3://names >out &&
	test_cmp v2 out &&
	s3_aws s3 ls s3://names/reg/.quire/tags/ns/pkg/ >ls &&
	grep " v1$" ls
'

test_expect_success 's3://bucket/prefix/ns/name:tag installs that version' '
	quire install -q s3://names/reg/ns/pkg:v1 --to i1 >out &&
	test_cmp v1 out &&
	test_cmp w/data/a.txt i1/data/a.txt &&
	test_path_is_missing i1/data/b.txt &&
	echo s3://names/reg >expect &&
	quire -C i1 config remote.origin.url >actual &&
	test_cmp expect actual
'

test_expect_success 's3://bucket/ns/name@hash and :hash at the bucket root' '
	quire ls -R "s3://names/ns/pkg@$(cut -c1-8 v2)" >out &&
	grep "^data/b.txt$" out &&
	quire ls -R "s3://names/ns/pkg:$(cut -c1-8 v2)" >out &&
	grep "^data/b.txt$" out
'

test_expect_success 'quilt+s3://bucket#package=ns/name@hash' '
	quire ls -R "quilt+s3://names#package=ns/pkg@$(cat v2)&path=data/b.txt" \
		>out &&
	grep "^data/a.txt$" out &&
	quire install -q "quilt+s3://names#package=ns/pkg:latest" --to i2 >out &&
	test_cmp v2 out &&
	test_cmp w/data/b.txt i2/data/b.txt
'

test_expect_success 'push -t to S3 refuses to move a tag; --force-tag moves it' '
	test_expect_code 128 quire -C w push-manifest -r s3://names/reg -t v1 \
		--force 2>err &&
	grep "fatal: tag .v1. of ns/pkg in s3://names/reg points to $(cat v1)" err &&
	quire -C w push-manifest -q -r s3://names/reg -t v1 --force \
		--force-tag >out &&
	test_cmp v2 out &&
	s3_aws s3 cp s3://names/reg/.quire/tags/ns/pkg/v1 - >tag &&
	printf "%s" "$(cat v2)" >expect &&
	test_cmp expect tag
'

test_expect_success 'pull in an installed folder reads its S3 origin' '
	quire -C i1 pull -q >out &&
	test_cmp v2 out &&
	test_cmp w/data/b.txt i1/data/b.txt
'

test_expect_success 'cleanup' '
	s3_stop
'

test_done
