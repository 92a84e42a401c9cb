#!/bin/sh
test_description='quire hash-object: sha2-256-chunked and SHA256 as quilt3 computes them'
. ./test-lib.sh

test_expect_success 'empty file has the chunked hash of nothing' '
	: >empty &&
	quire hash-object empty >actual &&
	echo "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=" >expect &&
	test_cmp expect actual
'

# Every size in the reference checksums (made by quilt3), both types.
test_expect_success PYTHON3 'agrees with quilt3 on every reference size' '
	python3 -c "
import json
for c in json.load(open(\"$VECTORS/checksums.json\")):
    if c[\"content\"].startswith(\"byte\"):
        print(c[\"size\"], c[\"sha2-256-chunked\"], c[\"SHA256\"])
" >cases &&
	test_line_count -gt 5 cases &&
	while read size chunked sha
	do
		genfile $size >f.bin &&
		echo "$chunked" >expect &&
		quire hash-object f.bin >actual &&
		test_cmp expect actual &&
		echo "$sha" >expect &&
		quire hash-object --type SHA256 f.bin >actual &&
		test_cmp expect actual || return 1
	done <cases
'

test_expect_success 'agrees with quilt3 on small literal contents' '
	printf "hello\n" >hello &&
	printf abc >abc &&
	quire hash-object hello abc >actual &&
	cat >expect <<-\EOF &&
	7LZbuY+dkFtwRYmGw5/LrXcV5fL8w7Hwd2fXyD4kOMw=
	T4tCwi3TcptRm6b2jS2nzFstYG0F2u1a1RKMwD5sY1g=
	EOF
	test_cmp expect actual
'

# An independent implementation of the rule, for sizes the vectors lack.
cat >chunked.py <<\EOF
import base64, hashlib, sys
def part_size(n):
    p = 8 << 20
    while (n + p - 1) // p > 10000:
        p *= 2
    return p
for path in sys.argv[1:]:
    data = open(path, "rb").read()
    p = part_size(len(data))
    parts = b"".join(hashlib.sha256(data[i:i + p]).digest()
                     for i in range(0, len(data), p))
    print(base64.b64encode(hashlib.sha256(parts).digest()).decode())
EOF

test_expect_success PYTHON3 '8 MiB, 8 MiB + 1 and 100 MiB files hash as the rule says' '
	genfile 8388608 >8m &&
	genfile 8388609 >8m1 &&
	genfile 104857600 >100m &&
	python3 chunked.py 8m 8m1 100m >expect &&
	quire hash-object 8m 8m1 100m >actual &&
	test_cmp expect actual
'

test_expect_success PYTHON3 '--stdin-paths hashes the same, in the order given' '
	printf "%s\n" 100m empty 8m >paths &&
	quire hash-object --stdin-paths <paths >actual &&
	sed -n 3p expect >want &&
	echo "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=" >>want &&
	sed -n 1p expect >>want &&
	test_cmp want actual
'

test_expect_success 'hashing without -w needs no workspace and stores nothing' '
	test_path_is_missing .quire &&
	quire hash-object hello >/dev/null &&
	test_path_is_missing .quire
'

test_expect_success 'a missing file is fatal, not a crash' '
	test_fatal 128 quire hash-object nope &&
	test_grep "nope" err
'

test_expect_success 'a folder is refused' '
	mkdir dir &&
	test_fatal 128 quire hash-object dir &&
	test_grep "not a regular file" err
'

test_expect_success 'an unknown hash type is refused' '
	test_fatal 128 quire hash-object --type md5 hello &&
	test_grep "unknown hash type .md5." err
'

test_expect_success '-w outside a workspace says what to do' '
	test_fatal 128 quire hash-object -w hello &&
	test_grep "quire init" err
'

test_expect_success 'no file is a usage error' '
	test_expect_code 129 quire hash-object 2>err &&
	test_grep "^usage: quire hash-object" err
'

test_expect_success '-w stores a read-only object named by its hash' '
	mkdir ws &&
	(
		cd ws &&
		quire init -q &&
		quire hash-object -w ../hello >actual &&
		echo "7LZbuY+dkFtwRYmGw5/LrXcV5fL8w7Hwd2fXyD4kOMw=" >expect &&
		test_cmp expect actual &&
		obj=$(find .quire/objects/sha2-256-chunked -type f) &&
		test_cmp ../hello "$obj" &&
		test "$(stat -c %a "$obj")" = 444 &&
		quire hash-object -w --type SHA256 ../hello >actual &&
		echo 5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03 >expect &&
		test_cmp expect actual &&
		test_cmp ../hello .quire/objects/SHA256/58/91b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03
	)
'

test_expect_success '-w twice is harmless and leaves no temporary files' '
	(
		cd ws &&
		quire hash-object -w ../hello ../hello ../abc >/dev/null &&
		test_dir_is_empty .quire/objects/tmp
	)
'

test_expect_success '-w refuses what is not a regular file' '
	(
		cd ws &&
		test_fatal 128 quire hash-object -w /dev/null &&
		test_grep "not a regular file" err &&
		echo data | test_fatal 128 quire hash-object -w /dev/stdin
	)
'

test_expect_success '-w recreates a missing tmp folder' '
	(
		cd ws &&
		rmdir .quire/objects/tmp &&
		quire hash-object -w ../abc &&
		test_path_is_dir .quire/objects/tmp
	)
'

test_expect_success '-w of a large file stores the same bytes' '
	(
		cd ws &&
		h=$(quire hash-object -w ../8m1) &&
		quire cat-object "$h" >got &&
		test_cmp ../8m1 got
	)
'

test_done
