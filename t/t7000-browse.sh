#!/bin/sh
test_description='browsing a registry without installing: list, ls, cat, readme, log, rollback, cache, hash'
. ./test-lib.sh

test_expect_success 'setup: two versions of a package in a folder registry' '
	mkdir src &&
	(
		cd src &&
		quire init -q ns/browse &&
		mkdir -p data/sub &&
		echo one >data/a.txt &&
		echo two >data/sub/b.txt &&
		printf "# Browse\nhello\n" >README.md &&
		quire add -q data &&
		quire set README.md README.md &&
		quire commit -q -m first >../v1 &&
		quire push -q -t v1 "$PWD/../reg" >/dev/null &&
		echo ONE >data/a.txt &&
		quire commit -q -m second >../v2 &&
		quire push -q "$PWD/../reg" >/dev/null
	)
'

test_expect_success 'list shows each package and its latest' '
	quire list ./reg >out &&
	printf "ns/browse\t%s\n" $(cat v2) >expect &&
	test_cmp expect out
'

test_expect_success 'ls shows the top level; a folder argument goes inside' '
	quire ls --registry ./reg ns/browse >out &&
	printf "%s\n" README.md data/ >expect &&
	test_cmp expect out &&
	quire ls --registry ./reg ns/browse data >out &&
	printf "%s\n" a.txt sub/ >expect &&
	test_cmp expect out
'

test_expect_success 'ls -R lists every key; -l adds size and hash' '
	quire ls -R --registry ./reg ns/browse >out &&
	printf "%s\n" README.md data/a.txt data/sub/b.txt >expect &&
	test_cmp expect out &&
	quire ls -R -l --registry ./reg ns/browse data/sub >out &&
	echo two >b &&
	h=$(quire hash-object b) &&
	test_grep " 4 $h data/sub/b.txt\$" out
'

test_expect_success 'ls of a folder the package lacks is fatal' '
	test_fatal 128 quire ls --registry ./reg ns/browse nothing &&
	test_grep "has no folder .nothing/." err
'

test_expect_success 'cat prints one entry, of any version' '
	quire cat --registry ./reg ns/browse data/a.txt >out &&
	echo ONE >expect &&
	test_cmp expect out &&
	quire cat --registry ./reg ns/browse:v1 data/a.txt >out &&
	echo one >expect &&
	test_cmp expect out &&
	test_fatal 128 quire cat --registry ./reg ns/browse nope.txt &&
	test_grep "has no entry .nope.txt." err
'

test_expect_success 'cat fetches only that object into the cache' '
	rm -rf "$XDG_CACHE_HOME" &&
	quire cat --registry ./reg ns/browse data/sub/b.txt >/dev/null &&
	find "$XDG_CACHE_HOME/quire/objects/sha2-256-chunked" -type f >objs &&
	test_line_count = 1 objs
'

test_expect_success 'readme prints README.md; a package without one says so' '
	quire readme --registry ./reg ns/browse >out &&
	test_cmp src/README.md out &&
	(
		cd src &&
		quire rm -q README.md &&
		quire commit -q -m noreadme >/dev/null &&
		quire push -q "$PWD/../reg" >/dev/null
	) &&
	test_fatal 128 quire readme --registry ./reg ns/browse &&
	test_grep "has no README.md" err
'

test_expect_success 'log of a registry package lists versions newest first' '
	quire log --registry ./reg ns/browse >out &&
	grep -v "^	" out | cut -c1-64 >tops &&
	test_line_count = 3 tops &&
	sed -n 3p tops >third &&
	test_cmp v1 third &&
	test_grep "(tag: v1)" out
'

test_expect_success 'rollback moves latest back to a version of the package' '
	quire rollback --registry ./reg ns/browse $(cut -c1-10 v2) >out &&
	test_cmp v2 out &&
	printf "%s\n" "$(cat reg/.quilt/named_packages/ns/browse/latest)" >latest &&
	test_cmp v2 latest
'

test_expect_success 'rollback refuses a hash that is not one of its versions' '
	mkdir other &&
	(
		cd other &&
		quire init -q ns/other &&
		echo x >x &&
		quire add -q x &&
		quire commit -q -m x >../vo &&
		quire push -q "$PWD/../reg" >/dev/null
	) &&
	test_fatal 128 quire rollback --registry ./reg ns/browse $(cat vo) &&
	test_grep "is not a version of ns/browse" err
'

test_expect_success 'cache ls counts, cache clear empties' '
	quire cache ls >out &&
	test_grep "^[1-9][0-9]* files\\{0,1\\}, [0-9]* bytes in $XDG_CACHE_HOME/quire\$" out &&
	quire cache clear >out &&
	test_grep "^removed " out &&
	quire cache ls >out &&
	test_grep "^0 files, 0 bytes" out
'

test_expect_success 'hash gives the top hash a folder would have' '
	mkdir -p h/sub &&
	echo a >h/a &&
	echo b >h/sub/b &&
	quire hash --files h >out &&
	(
		cd h &&
		quire init -q ns/h &&
		quire add -q a &&
		quire add -q sub &&
		quire commit -q --meta "{}" >/dev/null &&
		quire cat-manifest HEAD >../m
	) &&
	printf "{\"version\": \"v0\"}\n" >want &&
	sed 1d m >>want &&
	quire top-hash want >expect &&
	test_cmp expect out
'

test_expect_success 'diff-manifest prints code and key; 1 when they differ' '
	test_expect_code 1 quire diff-manifest --registry ./reg ns/browse:v1 ns/browse@$(cat v2) >out &&
	printf "M\tdata/a.txt\n" >expect &&
	test_cmp expect out &&
	quire diff-manifest --registry ./reg ns/browse:v1 ns/browse:v1 >out &&
	test_must_be_empty out &&
	test_expect_code 1 quire diff-manifest -z --registry ./reg ns/browse:v1 ns/browse@$(cat v2) >out &&
	printf "M\tdata/a.txt\0" >expect &&
	test_cmp expect out
'

test_expect_success 'fetch-manifest brings a version into the workspace store' '
	mkdir fm &&
	(
		cd fm &&
		quire init -q &&
		quire fetch-manifest --registry ../reg ns/browse:v1 >out &&
		test_cmp ../v1 out &&
		quire ls-manifest --name-only $(cat ../v1) >keys &&
		test_line_count = 3 keys
	)
'

test_done
