#!/bin/sh
test_description='quire cat-object: objects are verified before they are served'
. ./test-lib.sh

test_expect_success 'setup' '
	quire init -q &&
	printf "hello\n" >hello &&
	quire hash-object -w hello >h &&
	quire hash-object -w --type SHA256 hello >h256
'

test_expect_success 'cat-object prints the bytes of a chunked object' '
	quire cat-object "$(cat h)" >out &&
	test_cmp hello out
'

test_expect_success 'cat-object takes SHA256 hex and TYPE:VALUE' '
	quire cat-object "$(cat h256)" >out &&
	test_cmp hello out &&
	quire cat-object "SHA256:$(cat h256)" >out &&
	test_cmp hello out &&
	quire cat-object "sha2-256-chunked:$(cat h)" >out &&
	test_cmp hello out
'

test_expect_success 'cat-object -s prints the size, -e answers 0' '
	echo 6 >expect &&
	quire cat-object -s "$(cat h)" >out &&
	test_cmp expect out &&
	quire cat-object -e "$(cat h)"
'

test_expect_success 'a missing object is fatal and says how to store one' '
	printf "other\n" >other &&
	h=$(quire hash-object other) &&
	test_fatal 128 quire cat-object "$h" &&
	test_grep "not in the store" err &&
	test_grep "hash-object -w" err &&
	test_expect_code 1 quire cat-object -e "$h"
'

test_expect_success 'a corrupt object is reported, never served' '
	obj=$(find .quire/objects/sha2-256-chunked -type f) &&
	chmod u+w "$obj" &&
	printf "hellO\n" >"$obj" &&
	test_fatal 128 quire cat-object "$(cat h)" >out &&
	test_grep "corrupt" err &&
	test_must_be_empty out &&
	test_expect_code 1 quire cat-object -e "$(cat h)"
'

test_expect_success 'a truncated object is reported too' '
	obj=$(find .quire/objects/SHA256 -type f) &&
	chmod u+w "$obj" &&
	printf "hel" >"$obj" &&
	test_fatal 128 quire cat-object "$(cat h256)" >out &&
	test_grep "corrupt" err &&
	test_must_be_empty out
'

test_expect_success 'storing the object again after deleting it repairs it' '
	obj=$(find .quire/objects/SHA256 -type f) &&
	rm -f "$obj" &&
	quire hash-object -w --type SHA256 hello &&
	quire cat-object "$(cat h256)" >out &&
	test_cmp hello out
'

test_expect_success 'a malformed hash is refused' '
	test_fatal 128 quire cat-object not-a-hash &&
	test_grep "not an object hash" err &&
	test_fatal 128 quire cat-object "md5:abc" &&
	test_fatal 128 quire cat-object "sha2-256-chunked:!!!!"
'

test_done
