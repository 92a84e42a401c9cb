#!/bin/sh
test_description='quire ls-manifest: entries of a stored manifest, for scripts'
. ./test-lib.sh

test_expect_success 'setup' '
	quire init -q &&
	quire write-manifest <"$VECTORS/021.jsonl" >h21 &&
	quire write-manifest <"$VECTORS/025.jsonl" >h25
'

test_expect_success 'ls-manifest lists type, value, size and key in quilt3 order' '
	quire ls-manifest $(cat h25) >out &&
	test_line_count = 9 out &&
	head -n 1 out >first &&
	printf "sha2-256-chunked hoFRcr2MCLmTeNjoFpbOcCwTui0IK3ybtFmBwf/8lD0= 10\tREADME.md\n" >expect &&
	test_cmp expect first &&
	cut -f2 out >keys &&
	cat >expect <<-\EOF &&
	README.md
	a/b
	a-c
	a.c
	data/a.csv
	data/b.json
	data/sub/c.bin
	empty.txt
	my folder/ünicöde 😀.txt
	EOF
	test_cmp expect keys
'

test_expect_success 'ls-manifest PREFIX limits to a folder' '
	quire ls-manifest --name-only $(cat h25) data >out &&
	printf "data/a.csv\ndata/b.json\ndata/sub/c.bin\n" >expect &&
	test_cmp expect out &&
	quire ls-manifest --name-only $(cat h25) data/sub/ >out &&
	echo data/sub/c.bin >expect &&
	test_cmp expect out &&
	quire ls-manifest --name-only $(cat h25) a >out &&
	echo a/b >expect &&
	test_cmp expect out
'

cat >expect.quoted <<\EOF
"back\\slash"
"quote'apos\"dq"
"tab\tkey"
EOF

test_expect_success 'names with special characters are quoted, or not with -z' '
	quire ls-manifest --name-only $(cat h21) >out &&
	grep "^\"" out >quoted &&
	test_cmp expect.quoted quoted &&
	quire ls-manifest -z --name-only $(cat h21) >out.z &&
	tr "\000" "\n" <out.z >out.nl &&
	grep -c "^back.slash\$" out.nl >count &&
	echo 1 >one &&
	test_cmp one count &&
	test_line_count = 20 out.nl
'

test_expect_success 'a short prefix of the top hash works as a revision' '
	quire ls-manifest --name-only $(cut -c1-8 h25) >out &&
	test_line_count = 9 out
'

test_expect_success 'an unknown revision is fatal' '
	test_fatal 128 quire ls-manifest deadbeef &&
	test_grep "unknown revision" err
'

test_done
