#!/bin/sh
test_description='merge one package into another, filter a subset into a new one'
. ./test-lib.sh

test_expect_success 'setup: two packages in the default registry' '
	mkdir a b &&
	(
		cd a &&
		quire init -q ns/a &&
		mkdir -p img &&
		i=0 &&
		while test $i -lt 40
		do
			echo "image $i" >img/$i.jpg || return 1
			i=$((i + 1))
		done &&
		quire add -q img &&
		quire meta img/1.jpg "{\"label\": \"cat\"}" &&
		quire meta img/2.jpg "{\"label\": \"cat\"}" &&
		quire meta img/3.jpg "{\"label\": \"dog\"}" &&
		quire commit -q -m a >../topa &&
		quire push -q >/dev/null
	) &&
	(
		cd b &&
		quire init -q ns/b &&
		echo readme >README.md &&
		echo "image 0 of b" >0.jpg &&
		quire add -q README.md &&
		quire set img/0.jpg 0.jpg &&
		quire commit -q -m b >/dev/null
	)
'

test_expect_success 'merge with a colliding key fails, naming it, and changes nothing' '
	(
		cd b &&
		test_fatal 128 quire merge ns/a &&
		test_grep "already staged" err &&
		test_grep "img/0.jpg" err &&
		quire status --porcelain >out &&
		test_must_be_empty out
	)
'

test_expect_success 'merge --prefix puts the entries below it, copying nothing' '
	(
		cd b &&
		quire merge --prefix from-a ns/a 2>err &&
		test_grep "merged 40 entries" err &&
		quire status --porcelain >out &&
		grep -c "^A from-a/img/" out >count &&
		echo 40 >expect &&
		test_cmp expect count &&
		quire commit -q -m merged >/dev/null &&
		quire cat-manifest HEAD >m &&
		grep "from-a/img/5.jpg" m >line &&
		test_grep "registry/ns/a/img/5.jpg" line &&
		test_path_is_missing from-a
	)
'

test_expect_success 'merge --overwrite replaces the colliding entries' '
	(
		cd b &&
		quire merge --overwrite ns/a 2>err &&
		test_grep "merged 40 entries" err &&
		quire commit -q -m overwritten >/dev/null &&
		quire cat --registry "$XDG_DATA_HOME/quire/registry" ns/a img/0.jpg >want &&
		quire cat-manifest HEAD >m &&
		grep "\"img/0.jpg\"" m >line &&
		test_grep "registry/ns/a/img/0.jpg" line
	)
'

test_expect_success 'merging the latest of this very package lets push move it' '
	mkdir c &&
	(
		cd c &&
		quire init -q ns/a &&
		echo new >new.txt &&
		quire add -q new.txt &&
		quire commit -q -m mine >/dev/null &&
		test_fatal 128 quire push &&
		test_grep "not built from it" err &&
		quire merge ns/a 2>/dev/null &&
		quire commit -q -m merged >/dev/null &&
		quire push -q >/dev/null
	)
'

test_expect_success 'filter --prefix makes a new package of that folder' '
	quire filter --prefix img -o ns/imgs ns/a >top 2>err &&
	test_grep "ns/imgs: 40 of 40" err &&
	quire ls -R ns/imgs >keys &&
	test_line_count = 40 keys
'

test_expect_success 'filter --meta keeps entries whose user_meta matches' '
	quire filter --meta label=cat -o ns/cats ns/a@$(cut -c1-12 topa) >/dev/null &&
	quire ls -R ns/cats >keys &&
	printf "%s\n" img/1.jpg img/2.jpg >expect &&
	test_cmp expect keys
'

test_expect_success 'filter --sample is exact and the same for the same seed' '
	quire filter --sample 7 --seed 3 -o ns/s1 ns/a@$(cut -c1-12 topa) >t1 &&
	quire filter --sample 7 --seed 3 -o ns/s2 ns/a@$(cut -c1-12 topa) >t2 &&
	test_cmp t1 t2 &&
	quire ls -R ns/s1 >k1 &&
	test_line_count = 7 k1 &&
	quire filter --sample 7 --seed 4 -o ns/s3 ns/a@$(cut -c1-12 topa) >/dev/null &&
	quire ls -R ns/s3 >k3 &&
	! test_cmp k1 k3 >/dev/null
'

test_expect_success 'a filtered package points at the same data' '
	quire cat ns/cats img/1.jpg >out &&
	echo "image 1" >expect &&
	test_cmp expect out &&
	quire install -q ns/cats --to cats >/dev/null &&
	quire verify -q cats
'

test_expect_success 'filter into an existing package needs --force' '
	test_fatal 128 quire filter --meta label=dog -o ns/cats ns/a &&
	test_grep "already exists" err &&
	quire filter --force --meta label=dog -o ns/cats ns/a >/dev/null &&
	quire ls -R ns/cats >keys &&
	echo img/3.jpg >expect &&
	test_cmp expect keys
'

test_expect_success 'filter usage errors' '
	test_expect_code 129 quire filter ns/a 2>err &&
	test_expect_code 129 quire filter --meta nolabel -o ns/x ns/a 2>err &&
	test_grep "KEY=VALUE" err
'

test_done
