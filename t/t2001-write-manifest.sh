#!/bin/sh
test_description='quire write-manifest and cat-manifest write the bytes quilt3 writes'
. ./test-lib.sh

test_expect_success 'setup' '
	quire init -q
'

for th in "$VECTORS"/*.tophash
do
	id=$(basename "$th" .tophash)
	base=${id%i}
	case "$id" in
	044*) continue ;;	# keys quire refuses; see below
	esac
	test_expect_success "write-manifest of vector $id gives quilt3's bytes" '
		quire write-manifest <"$VECTORS/$id.jsonl" >actual &&
		test_cmp "$th" actual &&
		quire cat-manifest "$(cat actual)" >bytes &&
		test_cmp "$VECTORS/$base.jsonl" bytes
	'
done

test_expect_success 'write-manifest reads a file argument too' '
	quire write-manifest "$VECTORS/039i.jsonl" >actual &&
	test_cmp "$VECTORS/039.tophash" actual
'

test_expect_success 'the stored manifest is read-only, and no temporary file is left' '
	h=$(cat "$VECTORS/023.tophash") &&
	rec=.quire/objects/manifest/$(echo $h | cut -c1-2)/$(echo $h | cut -c3-) &&
	test_path_is_file "$rec" &&
	test "$(stat -c %a "$rec")" = 444 &&
	test_dir_is_empty .quire/objects/tmp
'

test_expect_success 'vector 044 (empty key components) is refused with the line' '
	test_fatal 128 quire write-manifest <"$VECTORS/044.jsonl" &&
	test_grep "<stdin>:2: invalid logical key ./lead." err &&
	test_grep "check-manifest" err
'

test_expect_success 'a refused manifest stores nothing' '
	find .quire/objects -type f | sort >before &&
	printf "%s\n" "{\"version\": \"v0\"}" \
		"{\"logical_key\": \"../x\", \"physical_keys\": [\"s3://b/x\"], \"size\": 1, \"hash\": {\"type\": \"SHA256\", \"value\": \"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\"}}" >bad.jsonl &&
	test_fatal 128 quire write-manifest bad.jsonl &&
	find .quire/objects -type f | sort >after &&
	test_cmp before after &&
	test_dir_is_empty .quire/objects/tmp
'

test_expect_success 'cat-manifest of a corrupt manifest is refused, not served' '
	h=$(cat "$VECTORS/011.tophash") &&
	rec=.quire/objects/manifest/$(echo $h | cut -c1-2)/$(echo $h | cut -c3-) &&
	obj=.quire/objects/SHA256/$(cut -c1-2 "$rec")/$(cut -c3-64 "$rec") &&
	chmod u+w "$obj" &&
	sed "s/example-bucket/examplx-bucket/" "$obj" >edited && cat edited >"$obj" &&
	test_fatal 128 quire cat-manifest $h >out &&
	test_grep "corrupt" err &&
	test_must_be_empty out
'

test_expect_success 'writing it again repairs it' '
	h=$(cat "$VECTORS/011.tophash") &&
	rec=.quire/objects/manifest/$(echo $h | cut -c1-2)/$(echo $h | cut -c3-) &&
	obj=.quire/objects/SHA256/$(cut -c1-2 "$rec")/$(cut -c3-64 "$rec") &&
	rm -f "$obj" &&
	quire write-manifest <"$VECTORS/011.jsonl" &&
	quire cat-manifest $h >out &&
	test_cmp "$VECTORS/011.jsonl" out
'

test_expect_success 'cat-manifest of an unknown revision is fatal' '
	test_fatal 128 quire cat-manifest 0000000 &&
	test_grep "unknown revision" err
'

test_done
