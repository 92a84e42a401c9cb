#!/bin/sh
test_description='quire add: several paths, --as, all or nothing'
. ./test-lib.sh

# fresh DIR: a new workspace DIR holding a.csv b.csv c.csv top.txt x.csv
# and data/{x.txt,sub/y.txt}, each file with bytes of its own.
fresh () {
	rm -rf "$1" &&
	mkdir -p "$1/data/sub" &&
	for f in a.csv b.csv c.csv top.txt x.csv data/x.txt data/sub/y.txt
	do
		echo "$1 $f" >"$1/$f" || return 1
	done &&
	quire -C "$1" init -q ns/add
}

# staged_is DIR: the staged keys of DIR, sorted, equal stdin.
staged_is () {
	sort >expect &&
	quire -C "$1" status --porcelain >out &&
	sed -n "s/^A //p" out | sort >actual &&
	test_cmp expect actual
}

# hashes_are DIR: commit DIR; each line "key file" of stdin names the
# file whose bytes the entry key must have.
hashes_are () {
	while read key file
	do
		quire hash-object "$file" >h &&
		echo "$(cat h) $key" || return 1
	done >expect &&
	quire -C "$1" commit -q -m t >/dev/null &&
	quire -C "$1" ls -R -l HEAD >out &&
	awk "{ print \$2, \$3 }" out >actual &&
	test_cmp expect actual
}

test_expect_success 'setup: files outside the workspaces' '
	mkdir -p dir1 dir2 o1/data o2/data &&
	echo one >dir1/x.csv &&
	echo two >dir2/x.csv &&
	echo y >dir1/y.csv &&
	echo p >o1/data/p &&
	echo q >o2/data/q
'

test_expect_success 'add of two files stages each under its own name' '
	fresh w &&
	quire -C w add a.csv b.csv 2>err &&
	hashes_are w <<-\EOF &&
	a.csv w/a.csv
	b.csv w/b.csv
	EOF
	test_grep "^staged 2 files from 2 paths\$" err
'

test_expect_success 'add of a glob stages every file it matches' '
	fresh w &&
	(cd w && quire add *.csv 2>../err) &&
	test_grep "^staged 4 files from 4 paths\$" err &&
	hashes_are w <<-\EOF
	a.csv w/a.csv
	b.csv w/b.csv
	c.csv w/c.csv
	x.csv w/x.csv
	EOF
'

test_expect_success 'add of a file and a folder together, from a subfolder' '
	fresh w &&
	(cd w/data && quire add ../top.txt sub 2>../../err) &&
	test_grep "^staged 2 files from 2 paths\$" err &&
	hashes_are w <<-\EOF
	data/sub/y.txt w/data/sub/y.txt
	top.txt w/top.txt
	EOF
'

test_expect_success '--as gives a file its key' '
	fresh w &&
	quire -C w add --as docs/readme.txt top.txt 2>err &&
	test_grep "^staged 1 file from .top.txt.\$" err &&
	hashes_are w <<-\EOF
	docs/readme.txt w/top.txt
	EOF
'

test_expect_success '--as ending in / puts the file in that folder' '
	fresh w &&
	quire -C w add --as copies/ top.txt &&
	quire -C w add --as copies/more/ x.csv &&
	hashes_are w <<-\EOF
	copies/more/x.csv w/x.csv
	copies/top.txt w/top.txt
	EOF
'

test_expect_success '--as is the prefix of a folder; empty is the top' '
	fresh w &&
	quire -C w add --as raw data 2>err &&
	test_grep "^staged 2 files from .data.\$" err &&
	staged_is w <<-\EOF &&
	raw/sub/y.txt
	raw/x.txt
	EOF
	fresh v &&
	quire -C v add --as "" data &&
	staged_is v <<-\EOF
	sub/y.txt
	x.txt
	EOF
'

test_expect_success '--as with more than one path, or none, is a usage error' '
	fresh w &&
	test_expect_code 129 quire -C w add --as k a.csv b.csv 2>err &&
	test_grep "^error: --as takes exactly one <path>" err &&
	test_expect_code 129 quire -C w add --as k 2>err &&
	test_expect_code 129 quire -C w add 2>err &&
	staged_is w </dev/null
'

test_expect_success 'a missing path is fatal and stages nothing' '
	fresh w &&
	test_fatal 128 quire -C w add a.csv b.csv nope &&
	test_grep "^fatal: cannot add .nope.: No such file or directory\$" err &&
	test_fatal 128 quire -C w add nope a.csv &&
	test_grep "^fatal: cannot add .nope.: No such file or directory\$" err &&
	test_fatal 128 quire -C w add nope &&
	test_grep "^fatal: cannot add .nope.: No such file or directory\$" err &&
	test_fatal 128 quire -C w add "" &&
	test_grep "^fatal: cannot add ..: No such file or directory\$" err &&
	staged_is w </dev/null
'

test_expect_success 'the old <path> <logical-prefix> form is refused with a hint' '
	fresh w &&
	for key in copies/ docs/readme.txt raw ""
	do
		test_fatal 128 quire -C w add top.txt "$key" &&
		test_grep "^fatal: cannot add .$key.: No such file or directory; did you mean .quire add --as $key top.txt.?\$" err ||
		return 1
	done &&
	test_fatal 128 quire -C w add top.txt /no/such/file &&
	test_grep -v "did you mean" err &&
	test_fatal 128 quire -C w add top.txt a.csv copies/ &&
	test_grep -v "did you mean" err &&
	staged_is w </dev/null
'

test_expect_success 'two files with the same key are refused, naming both' '
	fresh w &&
	test_fatal 128 quire -C w add ../dir1/x.csv ../dir2/x.csv &&
	test_grep "^fatal: .x.csv. would be staged from both .\.\./dir1/x.csv. and .\.\./dir2/x.csv.; add one of them on its own with --as <key>\$" err &&
	staged_is w </dev/null &&
	test_fatal 128 quire -C w add a.csv "$PWD/dir1/x.csv" "$PWD/dir2/x.csv" &&
	test_grep "would be staged from both" err &&
	staged_is w </dev/null
'

test_expect_success 'a key staged before is not taken over by a second path' '
	fresh w &&
	quire -C w add -q ../dir1/x.csv &&
	test_fatal 128 quire -C w add ../dir1/x.csv ../dir2/x.csv &&
	test_grep "would be staged from both" err &&
	hashes_are w <<-\EOF
	x.csv dir1/x.csv
	EOF
'

test_expect_success 'two folders with the same key are refused' '
	fresh w &&
	test_fatal 128 quire -C w add ../o1/data ../o2/data &&
	test_grep "^fatal: .data/. would be staged from both .\.\./o1/data. and .\.\./o2/data." err &&
	staged_is w </dev/null
'

test_expect_success 'a folder and a file that fall on one key are refused' '
	fresh w &&
	test_fatal 128 quire -C w add . ../dir1/x.csv &&
	test_grep "^fatal: .x.csv. would be staged from both .\.. and .\.\./dir1/x.csv." err &&
	staged_is w </dev/null &&
	quire -C w add . ../dir1/y.csv 2>err &&
	test_grep "^staged 8 files from 2 paths\$" err &&
	staged_is w <<-\EOF
	a.csv
	b.csv
	c.csv
	data/sub/y.txt
	data/x.txt
	top.txt
	x.csv
	y.csv
	EOF
'

test_expect_success 'a path given twice, or inside a folder also given, is staged once' '
	fresh w &&
	quire -C w add a.csv a.csv 2>err &&
	test_grep "^staged 1 file from 2 paths\$" err &&
	quire -C w add data data/x.txt data 2>err &&
	test_grep "^staged 2 files from 3 paths\$" err &&
	hashes_are w <<-\EOF
	a.csv w/a.csv
	data/sub/y.txt w/data/sub/y.txt
	data/x.txt w/data/x.txt
	EOF
'

test_done
