#!/bin/sh
test_description='quire init'
. ./test-lib.sh

test_expect_success 'init makes a workspace and says where' '
	mkdir w &&
	(cd w && quire init >../out) &&
	test_grep "^Initialized empty quire workspace in .*/w/.quire/\$" out &&
	test_path_is_dir w/.quire/objects &&
	test_path_is_dir w/.quire/refs/tags &&
	test_path_is_file w/.quire/config
'

test_expect_success 'init records the package name' '
	mkdir p &&
	quire -C p init -q ns/pkg &&
	test_grep "name = ns/pkg" p/.quire/config
'

test_expect_success 'init refuses a bad package name' '
	mkdir bad &&
	for name in nons ns/a/b /x ns/ .x/y "a b/c"
	do
		test_fatal 128 quire -C bad init "$name" &&
		test_grep "invalid package name" err || return 1
	done &&
	test_path_is_missing bad/.quire
'

test_expect_success 'init in a workspace leaves it alone' '
	cp w/.quire/config before &&
	test_fatal 128 quire -C w init ns/other &&
	test_grep "already a quire workspace" err &&
	test_cmp before w/.quire/config
'

test_expect_success 'commands find the workspace from a subfolder' '
	mkdir -p w/sub/dir &&
	h=$(quire -C w write-manifest <"$VECTORS/003.jsonl") &&
	quire -C w/sub/dir rev-parse $h >actual &&
	echo $h >expect &&
	test_cmp expect actual
'

test_expect_success '-C to a missing folder is fatal' '
	test_fatal 128 quire -C nowhere init
'

test_done
