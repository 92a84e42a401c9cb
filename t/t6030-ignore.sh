#!/bin/sh
test_description='.quireignore: add and status pass over ignored paths; init writes one; check-ignore'
. ./test-lib.sh

# keys DIR: the staged keys of DIR, sorted, equal stdin.
keys_are () {
	sort >expect &&
	quire -C "$1" status --porcelain >out &&
	sed -n "s/^A //p" out | sort >actual &&
	test_cmp expect actual
}

# old DIR...: make the folders below DIR old enough for the folder cache.
old () {
	find "$@" -type d -exec touch -d "2001-01-01 00:00" {} +
}

test_expect_success 'init writes a .quireignore and says so' '
	mkdir w &&
	(cd w && quire init ns/ign >../out) &&
	test_grep "^Wrote .quireignore" out &&
	test_grep "^__pycache__/\$" w/.quireignore &&
	test_grep "^\.git/\$" w/.quireignore &&
	test_grep "^\.DS_Store\$" w/.quireignore
'

test_expect_success 'init keeps a .quireignore that is there' '
	mkdir w2 &&
	echo "mine" >w2/.quireignore &&
	(cd w2 && quire init >../out) &&
	echo mine >expect &&
	test_cmp expect w2/.quireignore &&
	! grep "^Wrote" out
'

test_expect_success 'init in a git work tree adds .quire/ to info/exclude once' '
	mkdir -p repo/sub &&
	git init -q repo &&
	printf "keep-me" >repo/.git/info/exclude &&
	(cd repo/sub && quire init >../../out) &&
	test_grep "^Added .quire/ to .*repo/.git/info/exclude\$" out &&
	printf "keep-me\n.quire/\n" >expect &&
	test_cmp expect repo/.git/info/exclude &&
	rm -rf repo/sub/.quire &&
	(cd repo/sub && quire init >../../out) &&
	! grep "^Added" out &&
	test_cmp expect repo/.git/info/exclude &&
	git -C repo status --porcelain --ignored >st &&
	test_grep "^!! sub/.quire/" st
'

test_expect_success 'init follows a .git file (worktree or submodule)' '
	mkdir -p gitdirs/real/info linked &&
	echo "gitdir: ../gitdirs/real" >linked/.git &&
	(cd linked && quire init -q) &&
	test_grep "^\.quire/\$" gitdirs/real/info/exclude
'

test_expect_success 'setup: a tree with things to ignore' '
	mkdir -p w/d/sub/deep w/d/__pycache__ w/d/logs w/d/keep &&
	for f in d/a.txt d/b.pyc d/__pycache__/m.py d/sub/s.txt d/sub/t.log \
		 d/sub/deep/u.txt d/logs/l.txt d/keep/k.log d/top.csv \
		 d/sub/top.csv d/.DS_Store
	do
		echo "$f" >"w/$f" || return 1
	done &&
	cat >>w/.quireignore <<-\EOF
	*.log
	!d/keep/*.log
	/d/top.csv
	logs/
	EOF
	echo "deep/" >w/d/sub/.quireignore
'

test_expect_success 'add of a folder passes over what is ignored' '
	quire -C w add d &&
	keys_are w <<-\EOF
	d/a.txt
	d/keep/k.log
	d/sub/.quireignore
	d/sub/s.txt
	d/sub/top.csv
	EOF
'

test_expect_success 'an ignored path on the command line is refused, all named' '
	test_fatal 128 quire -C w add d/b.pyc d/a.txt d/logs &&
	test_grep "^fatal: the following paths are ignored by one of your .quireignore files:\$" err &&
	test_grep "^d/b.pyc\$" err &&
	test_grep "^d/logs\$" err &&
	test_grep "^use -f/--force if you really want to add them\$" err &&
	test_fatal 128 quire -C w/d add sub/t.log &&
	test_grep "^sub/t.log\$" err
'

test_expect_success 'add -f adds an ignored file; a staged file stays staged' '
	quire -C w add -f d/b.pyc &&
	quire -C w add d/b.pyc &&
	quire -C w add d &&
	keys_are w <<-\EOF
	d/a.txt
	d/b.pyc
	d/keep/k.log
	d/sub/.quireignore
	d/sub/s.txt
	d/sub/top.csv
	EOF
'

test_expect_success 'add -f of a folder takes everything' '
	quire -C w add -q -f --as f/ d/logs &&
	quire -C w status --porcelain >out &&
	test_grep "^A f/l.txt\$" out
'

test_expect_success 'status: ignored files are not new; --ignored lists them' '
	quire -C w commit -q -m one &&
	echo new >w/d/new.txt &&
	echo x >w/d/x.pyc &&
	echo x >w/d/sub/more.log &&
	quire -C w status --porcelain >out &&
	printf "? d/new.txt\n" >expect &&
	test_cmp expect out &&
	quire -C w status --porcelain --ignored >out &&
	cat >expect <<-\EOF &&
	? d/new.txt
	I d/.DS_Store
	I d/__pycache__/
	I d/logs/
	I d/sub/deep/
	I d/sub/more.log
	I d/sub/t.log
	I d/top.csv
	I d/x.pyc
	I f/
	EOF
	test_cmp expect out &&
	quire -C w status --ignored >out &&
	test_grep "^Ignored files" out
'

test_expect_success 'status: a staged ignored file is still compared' '
	echo changed >w/d/b.pyc &&
	quire -C w status --porcelain >out &&
	test_grep "^M d/b.pyc\$" out
'

test_expect_success 'status: staged ignored files do not hide a new file' '
	quire -C w add -q d/new.txt &&
	quire -C w commit -q -m two &&
	echo y >w/d/another.txt &&
	rm w/d/x.pyc &&
	old w/d &&
	quire -C w status --porcelain >out &&
	printf "? d/another.txt\n" >expect &&
	test_cmp expect out &&
	quire -C w status --porcelain >out &&
	test_cmp expect out
'

test_expect_success 'status: editing .quireignore changes what is new (folder cache)' '
	rm w/d/another.txt &&
	old w/d &&
	quire -C w status --porcelain >out &&
	test_must_be_empty out &&
	quire -C w status --porcelain >out &&
	test_must_be_empty out &&
	sed -i "/^\*\.log\$/d" w/.quireignore &&
	quire -C w status --porcelain >out &&
	printf "? d/sub/more.log\n? d/sub/t.log\n" >expect &&
	test_cmp expect out &&
	echo "*.log" >>w/.quireignore &&
	quire -C w status --porcelain >out &&
	test_must_be_empty out
'

test_expect_success 'status: a nested .quireignore edited in place is seen' '
	old w/d &&
	quire -C w status --porcelain >out &&
	test_must_be_empty out &&
	echo "!more.log" >>w/d/sub/.quireignore &&
	quire -C w status --porcelain >out &&
	printf "M d/sub/.quireignore\n? d/sub/more.log\n" >expect &&
	test_cmp expect out
'

test_expect_success 'check-ignore: exit status and the pattern with -v' '
	quire -C w check-ignore d/x.pyc d/a.txt >out &&
	echo d/x.pyc >expect &&
	test_cmp expect out &&
	test_expect_code 1 quire -C w check-ignore d/a.txt >out &&
	test_must_be_empty out &&
	quire -C w check-ignore -v d/logs/new.txt d/keep/o.log d/sub/deep/z \
		>out &&
	# the last line that matches wins: "*.log", added again at the end
	logs=$(grep -n "^logs/\$" w/.quireignore | cut -d: -f1) &&
	log=$(grep -n "^\*\.log\$" w/.quireignore | cut -d: -f1) &&
	test "$log" -gt "$(grep -n "^!d/keep" w/.quireignore | cut -d: -f1)" &&
	printf ".quireignore:%s:logs/\td/logs/new.txt\n" $logs >expect &&
	printf ".quireignore:%s:*.log\td/keep/o.log\n" $log >>expect &&
	printf "d/sub/.quireignore:1:deep/\td/sub/deep/z\n" >>expect &&
	test_cmp expect out &&
	printf "%s\n" "!o.log" >w/d/keep/.quireignore &&
	test_expect_code 1 quire -C w check-ignore -v d/keep/o.log >out &&
	printf "d/keep/.quireignore:1:!o.log\td/keep/o.log\n" >expect &&
	test_cmp expect out &&
	test_expect_code 1 quire -C w check-ignore d/keep/o.log &&
	test_expect_code 1 quire -C w check-ignore -v -n d/a.txt >out &&
	printf "::\td/a.txt\n" >expect &&
	test_cmp expect out
'

test_expect_success 'check-ignore: a staged file is not ignored unless --no-index' '
	test_expect_code 1 quire -C w check-ignore d/b.pyc &&
	quire -C w check-ignore --no-index d/b.pyc >out &&
	echo d/b.pyc >expect &&
	test_cmp expect out
'

test_expect_success 'check-ignore: the corners of the syntax' '
	mkdir c &&
	(cd c && quire init -q) &&
	cat >c/.quireignore <<-\EOF &&
	\#hash
	\!bang
	trail   
	esc\ 
	**/any
	a/**/z
	tail/**
	[!x]y
	/root-only
	EOF
	for p in "#hash" "!bang" trail "esc " q/any any a/z a/b/c/z \
		 tail/t ay root-only
	do
		quire -C c check-ignore "$p" >/dev/null || return 1
	done &&
	for p in "trail   " esc a/bz tail xy q/root-only
	do
		test_expect_code 1 quire -C c check-ignore "$p" || return 1
	done
'

test_expect_success 'no negation back into an excluded folder' '
	printf "gone/\n!gone/back\n" >c/.quireignore &&
	mkdir -p c/gone &&
	echo b >c/gone/back &&
	quire -C c check-ignore -v gone/back >out &&
	printf ".quireignore:1:gone/\tgone/back\n" >expect &&
	test_cmp expect out &&
	quire -C c add -q . &&
	quire -C c status --porcelain >out &&
	! grep "gone" out
'

test_expect_success 'the workspace store is never added, with no ignore file' '
	rm c/.quireignore &&
	quire -C c add -q . &&
	quire -C c status --porcelain >out &&
	test_grep "^A gone/back\$" out &&
	! grep "\.quire/" out
'

test_expect_success 'check-ignore from a subfolder takes paths relative to it' '
	mkdir -p sub/deep &&
	quire -C sub init -q ns/sub &&
	printf "deep/*.tmp\n" >sub/.quireignore &&
	(cd sub/deep && quire check-ignore x.tmp y.txt >../../out;
	 echo $? >../../rc) &&
	echo 0 >expect-rc &&
	test_cmp expect-rc rc &&
	echo x.tmp >expect &&
	test_cmp expect out
'

test_expect_success 'usage errors and refusals of check-ignore' '
	test_expect_code 129 quire -C c check-ignore &&
	test_expect_code 129 quire -C c check-ignore -n x &&
	mkdir nows &&
	test_fatal 128 quire -C nows check-ignore x
'

test_expect_success 'init'"'"'s file keeps itself out; verify passes over what it ignores' '
	mkdir v &&
	echo data >v/d.txt &&
	quire -C v init -q ns/v &&
	quire -C v add -q . &&
	quire -C v commit -q -m one >top &&
	quire -C v ls-manifest --name-only HEAD >keys &&
	echo d.txt >expect &&
	test_cmp expect keys &&
	mkdir v/__pycache__ &&
	echo junk >v/__pycache__/m.pyc &&
	quire verify v &&
	quire hash v >out &&
	test_cmp top out &&
	echo extra >v/extra.txt &&
	test_expect_code 1 quire verify v >out 2>&1 &&
	test_grep "extra.txt" out &&
	! grep "m.pyc" out
'

test_done
