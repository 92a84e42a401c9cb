#!/bin/sh
test_description='quire remote: -v, set-url, rename, --json'
. ./test-lib.sh

test_expect_success 'setup: a workspace with two remotes' '
	mkdir w &&
	quire -C w init -q ns/pkg &&
	quire -C w remote add origin "$PWD/reg" &&
	quire -C w remote add backup "file://$PWD/reg2"
'

test_expect_success 'remote -v: each remote with its URL, a tab between' '
	quire -C w remote -v >actual &&
	printf "origin\t%s\nbackup\t%s\n" "$PWD/reg" "file://$PWD/reg2" >expect &&
	test_cmp expect actual
'

test_expect_success 'remote --json: remote and registry, one object' '
	quire -C w remote --json >out &&
	test_line_count = 1 out &&
	/usr/bin/python3 -c "
import json
d = json.load(open(\"out\"))
assert d == {\"remotes\": [
    {\"remote\": \"origin\", \"registry\": \"$PWD/reg\"},
    {\"remote\": \"backup\", \"registry\": \"file://$PWD/reg2\"}]}, d
"
'

test_expect_success 'remote --json with no remote: an empty list' '
	mkdir e &&
	quire -C e init -q ns/e &&
	quire -C e remote --json >out &&
	echo "{\"remotes\": []}" >expect &&
	test_cmp expect out
'

test_expect_success 'remote --json hides a password' '
	quire -C e config remote.s.url "s3://u:sekrit@bucket/x" &&
	quire -C e remote --json >out &&
	test_grep -v sekrit out &&
	test_grep "u:<redacted>@bucket" out
'

test_expect_success 'set-url changes the URL, the name stays' '
	quire -C w remote set-url backup "s3://bucket/prefix" &&
	quire -C w remote -v >actual &&
	printf "origin\t%s\nbackup\t%s\n" "$PWD/reg" s3://bucket/prefix >expect &&
	test_cmp expect actual &&
	quire -C w config remote.backup.url >actual &&
	echo s3://bucket/prefix >expect &&
	test_cmp expect actual
'

test_expect_success 'set-url refuses an unknown name and a URL that is no registry' '
	test_fatal 128 quire -C w remote set-url nope /x &&
	test_grep "no remote .nope." err &&
	test_fatal 128 quire -C w remote set-url backup http://example.com/x &&
	test_grep "not a registry URL" err &&
	quire -C w config remote.backup.url >actual &&
	echo s3://bucket/prefix >expect &&
	test_cmp expect actual
'

test_expect_success 'rename moves the URL to the new name' '
	quire -C w remote rename backup archive &&
	quire -C w remote -v >actual &&
	printf "origin\t%s\narchive\t%s\n" "$PWD/reg" s3://bucket/prefix >expect &&
	test_cmp expect actual &&
	test_expect_code 1 quire -C w config remote.backup.url &&
	test_grep -v backup w/.quire/config
'

test_expect_success 'rename refuses an unknown old name' '
	test_fatal 128 quire -C w remote rename nope other &&
	test_grep "no remote .nope." err
'

test_expect_success 'rename refuses a new name that exists, and changes nothing' '
	cp w/.quire/config before &&
	test_fatal 128 quire -C w remote rename archive origin &&
	test_grep "remote .origin. already exists" err &&
	test_cmp before w/.quire/config
'

test_expect_success 'rename refuses a bad new name' '
	test_fatal 128 quire -C w remote rename archive "a b" &&
	test_grep "invalid remote name" err &&
	test_fatal 128 quire -C w remote rename archive 1x &&
	test_grep "invalid remote name" err
'

test_expect_success 'a remote from the user'"'"'s file: listed, not changed here' '
	quire config --global remote.shared.url /srv/shared &&
	quire -C w remote >actual &&
	test_grep "^shared\$" actual &&
	test_fatal 128 quire -C w remote set-url shared /srv/other &&
	test_grep "in the user.s config file" err &&
	test_fatal 128 quire -C w remote rename shared mine &&
	test_fatal 128 quire -C w remote remove shared &&
	quire config --global remote.shared.url >actual &&
	echo /srv/shared >expect &&
	test_cmp expect actual &&
	quire config --global --unset remote.shared.url
'

test_expect_success 'the renamed remote works as a registry name' '
	echo hi >w/a.txt &&
	quire -C w add -q a.txt &&
	quire -C w commit -q -m one >/dev/null &&
	quire -C w remote set-url archive "$PWD/reg3" &&
	quire -C w push -q -r archive >/dev/null &&
	quire -C w list -r archive >actual &&
	test_grep "ns/pkg" actual
'

test_expect_success 'usage errors: 129' '
	test_expect_code 129 quire -C w remote set-url origin 2>err &&
	test_grep "^usage: quire remote" err &&
	test_expect_code 129 quire -C w remote rename a 2>err &&
	test_expect_code 129 quire -C w remote frobnicate 2>err &&
	test_grep "unknown subcommand" err &&
	test_expect_code 129 quire -C w remote -v --json 2>err &&
	test_expect_code 129 quire -C w remote add --json x /y 2>err
'

test_done
