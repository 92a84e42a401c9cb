#!/bin/sh
test_description='bad manifests: check-manifest lists every problem, others refuse'
. ./test-lib.sh

entry () {
	printf '{"logical_key": "%s", "physical_keys": ["s3://b/k"], "size": 1, "hash": {"type": "SHA256", "value": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}, "meta": {}}\n' "$1"
}

meta () {
	echo '{"version": "v0"}'
}

test_expect_success 'a good manifest passes quietly' '
	quire check-manifest "$VECTORS/023.jsonl" >out &&
	test_must_be_empty out
'

# key, then a pattern the problem must match
while read key why
do
	test_expect_success "logical key '$key' is refused" '
		{ meta && entry "$key"; } >m.jsonl &&
		test_expect_code 1 quire check-manifest m.jsonl >out &&
		test_grep "m.jsonl:2: invalid logical key" out &&
		test_grep "$why" out
	'
done <<\EOF
../x '..' component
a/../b '..' component
/abs absolute paths
a//b empty path component
a/./b '.' component
./a '.' component
.quire/x reserved
a/.quire reserved
a/ ends with
EOF

test_expect_success 'the refused keys also stop write-manifest, with the line' '
	quire init -q &&
	for key in ../x /abs a//b a/./b .quire/x
	do
		{ meta && entry "$key"; } >m.jsonl &&
		test_fatal 128 quire write-manifest <m.jsonl &&
		test_grep "<stdin>:2: invalid logical key" err || return 1
	done
'

test_expect_success 'top-hash still answers for them, as quilt3 loads them' '
	{ meta && entry "a//b"; } >m.jsonl &&
	quire top-hash m.jsonl >out &&
	test_line_count = 1 out
'

test_expect_success 'a NUL in a key is refused' '
	{ meta && entry "a\\u0000b"; } >m.jsonl &&
	test_expect_code 1 quire check-manifest m.jsonl >out &&
	test_grep "NUL" out
'

test_expect_success 'the same key twice is refused, naming both lines' '
	{ meta && entry x && entry y && entry x; } >m.jsonl &&
	test_expect_code 1 quire check-manifest m.jsonl >out &&
	test_grep "duplicate logical key .x. (lines 2 and 4)" out &&
	test_fatal 128 quire write-manifest <m.jsonl &&
	test_grep "^fatal: <stdin>: duplicate logical key" err &&
	test_fatal 128 quire top-hash m.jsonl &&
	test_grep "^fatal: m.jsonl: duplicate logical key" err
'

test_expect_success 'a last line without its newline is a warning only' '
	{ meta && entry a; } >full.jsonl &&
	head -c $(($(wc -c <full.jsonl) - 1)) full.jsonl >m.jsonl &&
	quire check-manifest m.jsonl >out 2>err &&
	test_must_be_empty out &&
	test_grep "^warning: m.jsonl:2: the last line has no newline" err &&
	quire top-hash m.jsonl >a &&
	quire top-hash full.jsonl >b &&
	test_cmp a b
'

test_expect_success 'a key that is also a folder is refused' '
	{ meta && entry a/b && entry a; } >m.jsonl &&
	test_expect_code 1 quire check-manifest m.jsonl >out &&
	test_grep "logical key .a. is both a file and a folder" out
'

test_expect_success 'malformed JSON is reported with its line; later lines still checked' '
	{ meta && entry ok && echo "{\"logical_key\": \"x\", " && entry "../y"; } >m.jsonl &&
	test_expect_code 1 quire check-manifest m.jsonl >out &&
	test_grep "m.jsonl:3: " out &&
	test_grep "m.jsonl:4: invalid logical key" out &&
	test_line_count = 2 out
'

test_expect_success 'invalid UTF-8 is refused' '
	{ meta && printf "{\"logical_key\": \"a\\377b\", \"physical_keys\": [\"s3://b/k\"], \"size\": 1, \"hash\": {\"type\": \"SHA256\", \"value\": \"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\"}}\n"; } >m.jsonl &&
	test_expect_code 1 quire check-manifest m.jsonl >out &&
	test_grep "m.jsonl:2: .*UTF-8" out &&
	test_fatal 128 quire top-hash m.jsonl
'

test_expect_success 'a missing hash or size is refused' '
	{ meta && echo "{\"logical_key\": \"a\", \"physical_keys\": [\"s3://b/k\"], \"size\": 1}" &&
	  echo "{\"logical_key\": \"b\", \"physical_keys\": [\"s3://b/k\"], \"hash\": {\"type\": \"SHA256\", \"value\": \"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\"}}" &&
	  echo "{\"logical_key\": \"c\", \"physical_keys\": [\"s3://b/k\"], \"size\": -1, \"hash\": {\"type\": \"SHA256\", \"value\": \"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\"}}"; } >m.jsonl &&
	test_expect_code 1 quire check-manifest m.jsonl >out &&
	test_grep "m.jsonl:2: missing \"hash\"" out &&
	test_grep "m.jsonl:3: \"size\" must be" out &&
	test_grep "m.jsonl:4: \"size\" must be" out
'

test_expect_success 'a bad hash value or type is refused by check-manifest' '
	{ meta &&
	  echo "{\"logical_key\": \"a\", \"physical_keys\": [\"s3://b/k\"], \"size\": 1, \"hash\": {\"type\": \"SHA256\", \"value\": \"xyz\"}}" &&
	  echo "{\"logical_key\": \"b\", \"physical_keys\": [\"s3://b/k\"], \"size\": 1, \"hash\": {\"type\": \"md5\", \"value\": \"xyz\"}}"; } >m.jsonl &&
	test_expect_code 1 quire check-manifest m.jsonl >out &&
	test_grep "m.jsonl:2: malformed SHA256 hash value" out &&
	test_grep "m.jsonl:3: unsupported hash type .md5." out
'

test_expect_success 'a bad physical key is refused' '
	{ meta && echo "{\"logical_key\": \"a\", \"physical_keys\": [\"http://x/y\"], \"size\": 1, \"hash\": {\"type\": \"SHA256\", \"value\": \"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\"}}"; } >m.jsonl &&
	test_expect_code 1 quire check-manifest m.jsonl >out &&
	test_grep "invalid physical key" out
'

test_expect_success 'a truncated file is reported' '
	head -c 300 "$VECTORS/023.jsonl" >m.jsonl &&
	test_expect_code 1 quire check-manifest m.jsonl >out 2>err &&
	test_grep "m.jsonl:2: " out &&
	test_grep "cut short" err &&
	test_fatal 128 quire top-hash m.jsonl &&
	test_fatal 128 quire write-manifest <m.jsonl
'

test_expect_success 'an empty file and a bad first line are reported' '
	: >empty.jsonl &&
	test_expect_code 1 quire check-manifest empty.jsonl >out &&
	test_grep "empty manifest" out &&
	{ echo "[1]" && entry a; } >m.jsonl &&
	test_expect_code 1 quire check-manifest m.jsonl >out &&
	test_grep "m.jsonl:1: package metadata" out &&
	{ echo "{}" && entry a; } >m.jsonl &&
	test_expect_code 1 quire check-manifest m.jsonl >out &&
	test_grep "version" out
'

test_expect_success 'a blank line in the middle is refused' '
	{ meta && entry a && echo && entry b; } >m.jsonl &&
	test_expect_code 1 quire check-manifest m.jsonl >out &&
	test_grep "m.jsonl:3: empty line" out
'

test_expect_success 'check-manifest -q says nothing but still answers' '
	{ meta && entry x && entry x; } >m.jsonl &&
	test_expect_code 1 quire check-manifest -q m.jsonl >out &&
	test_must_be_empty out
'

test_expect_success 'a missing manifest file is fatal (128), not a "no" (1)' '
	test_fatal 128 quire check-manifest nothing-here &&
	test_fatal 128 quire top-hash nothing-here
'

test_done
