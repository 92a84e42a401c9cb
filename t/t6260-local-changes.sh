#!/bin/sh
test_description='what was changed or staged in a folder is never overwritten or dropped silently

A local edit stops install and checkout, whether or not a command that
only reads (status, diff, verify) looked at the folder in between; what is
staged and not committed stops checkout, as in git. --force overrides.'
. ./test-lib.sh

test_expect_success 'setup: two versions in a registry' '
	mkdir src &&
	echo one >src/a.txt &&
	echo keep >src/b.txt &&
	quire -C src init -q ns/pkg &&
	quire -C src add -q a.txt b.txt &&
	quire -C src commit -q -m v1 >v1 &&
	quire -C src push "$PWD/reg" 2>err &&
	echo two >src/a.txt &&
	quire -C src commit -q -m v2 >v2 &&
	quire -C src push "$PWD/reg" 2>err
'

for reader in "" status "verify" "diff"
do
	test_expect_success "an edit ${reader:+after $reader }stops install into the folder" '
		rm -rf d &&
		quire install -q --registry "$PWD/reg" ns/pkg@$(cat v1) --to d &&
		echo "my edit" >d/a.txt &&
		if test -n "$reader"
		then
			(cd d && quire $reader >/dev/null 2>&1 || :)
		fi &&
		test_fatal 128 quire install --registry "$PWD/reg" ns/pkg --to d &&
		test_grep "would be overwritten\|staged change" err &&
		test_grep "a.txt" err &&
		echo "my edit" >expect &&
		test_cmp expect d/a.txt
	'

	test_expect_success "an edit ${reader:+after $reader }stops checkout" '
		test_fatal 128 quire -C d checkout $(cat v2) &&
		test_cmp expect d/a.txt &&
		test_fatal 128 quire -C d checkout &&
		test_cmp expect d/a.txt
	'
done

test_expect_success '--force overwrites the edit' '
	quire install -q --force --registry "$PWD/reg" ns/pkg --to d &&
	echo two >expect &&
	test_cmp expect d/a.txt &&
	quire verify d 2>/dev/null
'

test_expect_success 'staged and not committed: checkout refuses, naming what' '
	echo new >d/new.txt &&
	quire -C d add -q new.txt &&
	quire -C d meta b.txt "{\"k\": 1}" &&
	test_fatal 128 quire -C d checkout $(cat v1) &&
	test_grep "staged changes* would be lost" err &&
	test_grep "new.txt (added)" err &&
	test_grep "b.txt (metadata changed)" err &&
	test_path_is_file d/new.txt &&
	quire -C d status --porcelain >st &&
	test_grep "^A new.txt" st
'

test_expect_success 'install into the folder refuses too' '
	test_fatal 128 quire install --registry "$PWD/reg" ns/pkg@$(cat v1) --to d &&
	test_grep "new.txt (added)" err
'

test_expect_success 'staged package metadata is a staged change' '
	rm -rf e &&
	quire install -q --registry "$PWD/reg" ns/pkg --to e &&
	quire -C e meta --package "{\"about\": \"mine\"}" &&
	test_fatal 128 quire -C e checkout &&
	test_grep "(package) (metadata changed)" err
'

test_expect_success 'after commit the checkout goes ahead' '
	quire -C d commit -q -m mine >mine &&
	quire -C d checkout -q $(cat v1) &&
	echo one >expect &&
	test_cmp expect d/a.txt &&
	quire -C d checkout -q $(cat mine) &&
	test_path_is_file d/new.txt
'

test_expect_success 'checkout --force drops what is staged' '
	echo newer >d/newer.txt &&
	quire -C d add -q newer.txt &&
	quire -C d checkout -q --force $(cat v2) &&
	quire -C d status --porcelain >st &&
	! grep newer.txt st
'

test_done
