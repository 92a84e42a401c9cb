#!/bin/sh
test_description='provenance over S3: required provenance, parents, lineage'
. ./test-lib.sh
. "$TEST_DIRECTORY/lib-s3.sh"

test_expect_success 'setup: S3 server, a bucket registry that requires provenance' '
	s3_start &&
	s3_mkbucket prov &&
	printf "# lab policy\nsource.commit\ninputs\n" >required &&
	s3_aws s3 cp required s3://prov/reg/.quire/required-provenance \
		>/dev/null &&
	mkdir w &&
	echo w >w/w.txt &&
	quire -C w init -q ns/w &&
	quire -C w add -q w.txt &&
	quire -C w commit -q -m w >/dev/null &&
	echo input >in.txt
'

test_expect_success 'push refuses a package without them, writing nothing' '
	test_fatal 128 quire -C w push s3://prov/reg &&
	printf "fatal: s3://prov/reg requires provenance: source.commit, inputs; record them with \047quire commit --source-commit ... --input ...\047\n" >expect &&
	test_cmp expect err &&
	s3_aws s3 ls --recursive s3://prov/ >ls &&
	test_line_count = 1 ls &&
	test_grep " reg/.quire/required-provenance\$" ls
'

test_expect_success 'with the fields recorded, the push goes through' '
	quire -C w commit -q -m w --source-commit abc --input ../in.txt >top &&
	quire -C w push -q s3://prov/reg >out &&
	test_cmp top out &&
	s3_aws s3 cp s3://prov/reg/.quilt/named_packages/ns/w/latest - >latest &&
	printf "%s" "$(cat top)" >expect &&
	test_cmp expect latest
'

test_expect_success 'a parent in the bucket is recorded, and lineage opens it there' '
	mkdir c &&
	echo c >c/c.txt &&
	quire -C c init -q ns/c &&
	quire -C c add -q c.txt &&
	quire -C c commit -q -m C --parent "s3://prov/reg#ns/w" >c-top &&
	quire -C c cat-manifest HEAD >man &&
	head -n 1 man >line1 &&
	test_grep "\"parents\": \[{\"name\": \"ns/w\", \"registry\": \"s3://prov/reg\", \"top_hash\": \"$(cat top)\"}\]" line1 &&
	quire -C c lineage HEAD >out &&
	cat >expect <<-EOF &&
	ns/c@$(cut -c1-12 c-top): C
	└── ns/w@$(cut -c1-12 top) s3://prov/reg: w
	        source: abc
	        input: $(pwd -P)/in.txt (6 bytes)
	EOF
	test_cmp expect out
'

test_done
