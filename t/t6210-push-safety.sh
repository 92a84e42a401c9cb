#!/bin/sh
test_description='push and checkout: what they must never do, and the second registry'
. ./test-lib.sh

test_expect_success 'setup: a package pushed to the default registry' '
	mkdir src &&
	(
		cd src &&
		quire init -q ns/safe &&
		echo a >a.txt &&
		echo b >b.txt &&
		quire add -q a.txt &&
		quire add -q b.txt &&
		quire commit -q -m one >../top1 &&
		quire push -q >/dev/null
	)
'

test_expect_success 'push-manifest with a tag and a remote; a stale base is refused' '
	(
		cd src &&
		quire remote add origin "$PWD/../pm-reg" &&
		quire remote -v >out &&
		test_grep "^origin	" out &&
		quire tag local-one &&
		quire tag >out &&
		test_grep "^local-one	" out &&
		quire push-manifest -q -t first >top &&
		test_cmp ../top1 top
	) &&
	test_path_is_file pm-reg/.quilt/packages/$(cat top1) &&
	test_path_is_file pm-reg/.quire/tags/ns/safe/first &&
	(
		cd src &&
		quire remote remove origin &&
		quire remote >out &&
		test_must_be_empty out
	)
'

test_expect_success 'push-data never writes into the registry own folders' '
	(
		cd src &&
		echo evil >evil &&
		quire set .quilt/named_packages/x/y/latest evil &&
		quire commit -q -m evil >/dev/null &&
		test_fatal 128 quire push-data --prefix / &&
		test_grep "the registry.s own .\\.quilt. folder" err
	) &&
	test_path_is_missing "$XDG_DATA_HOME/quire/registry/.quilt/named_packages/x" &&
	(cd src && quire rm -q .quilt/named_packages/x/y/latest && quire commit -q -m back >/dev/null)
'

test_expect_success 'a bad folder key for meta is refused' '
	(
		cd src &&
		test_fatal 128 quire meta ../ "{\"a\": 1}" &&
		test_grep "invalid logical key" err
	)
'

test_expect_success 'user metadata must be a JSON object' '
	(
		cd src &&
		test_fatal 128 quire meta a.txt 5 &&
		test_grep "must be a JSON object" err &&
		test_fatal 128 quire meta --package "[1]" &&
		test_fatal 128 quire commit --meta "\"s\"" &&
		test_grep "must be a JSON object" err
	)
'

test_expect_success 'status and diff show a change of package metadata' '
	(
		cd src &&
		quire meta --package "{\"owner\": \"lab\"}" &&
		quire status --porcelain >out &&
		echo "P (package)" >expect &&
		test_cmp expect out &&
		test_expect_code 1 quire diff >out &&
		test_grep "^metadata  (package)" out &&
		quire commit -q -m meta >/dev/null &&
		quire diff >out &&
		test_must_be_empty out
	)
'

test_expect_success 'push-data to a second registry copies every object into it' '
	(
		cd src &&
		quire push -q >/dev/null &&
		quire push -q "$PWD/../second" >/dev/null
	) &&
	(cd src && quire cat-manifest HEAD >../m) &&
	sed -n "2,\$p" m >entries &&
	test_line_count = 2 entries &&
	grep -c "/second/ns/safe/" entries >count &&
	echo 2 >expect &&
	test_cmp expect count &&
	test_path_is_file second/ns/safe/a.txt &&
	test_path_is_file second/ns/safe/b.txt
'

test_expect_success 'checkout of a registry version fetches it and pushes build on it' '
	quire install -q ns/safe --to inst >/dev/null &&
	(
		cd src &&
		echo c >c.txt &&
		quire add -q c.txt &&
		quire commit -q -m three >/dev/null &&
		quire push -q >/dev/null
	) &&
	(
		cd inst &&
		quire checkout -q ns/safe &&
		test_path_is_file c.txt &&
		echo d >d.txt &&
		quire add -q d.txt &&
		quire commit -q -m four >/dev/null &&
		quire push -q >/dev/null
	)
'

test_done
