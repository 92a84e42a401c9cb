#!/bin/sh
test_description='progress meters: on a terminal, in 80 columns, never piped'
. ./test-lib.sh

# Widths come from the terminal, else $COLUMNS, else 80.
unset COLUMNS
SQ="'"

test_lazy_prereq SCRIPT 'script -qfec true /dev/null </dev/null'

# on_tty CMDLINE: run the shell command line CMDLINE with its stderr on a
# pseudo-terminal (script(1)), and what the terminal showed in "tty".
# Redirect stdout inside CMDLINE to keep it off the terminal.
on_tty () {
	script -qfec "$1" /dev/null >tty </dev/null
}

# lines FILE: FILE's lines as a terminal draws them, cut at \r and \n.
lines () {
	tr '\r' '\n' <"$1" | sed '/^ *$/d'
}

# fits FILE [COLS]: no meter line of FILE (what follows a \r: a pty ends
# lines with \r\n) is wider than COLS (80) columns.
fits () {
	awk -v max="${2:-80}" '{
		sub(/\r$/, "")
		n = split($0, seg, "\r")
		for (i = 2; i <= n; i++)
			if (length(seg[i]) > max) {
				print "too wide: " seg[i]
				bad = 1
			}
	}
	END { exit bad }' "$1"
}

# meter FILE TITLE: FILE shows TITLE's meter ending in ", done.".
meter () {
	lines "$1" >drawn &&
	grep "^$2: .*, done\. *\$" drawn >/dev/null || {
		echo "no finished '$2' meter in:" && cat "$1"
		return 1
	}
}

# no_meter FILE: FILE holds no meter at all (no ", done.", and no \r but
# those of a pty's line ends).
no_meter () {
	cr=$(printf '\r') &&
	if sed "s/$cr\$//" "$1" | grep "done\.\|$cr" >/dev/null
	then
		echo "a meter in:" && cat "$1"
		return 1
	fi
}

test_expect_success 'setup: a workspace of 60 files, committed' '
	mkdir -p w/data &&
	for i in $(test_seq 1 60)
	do
		echo "file $i" >w/data/f$i.txt || return 1
	done &&
	touch -d "1 hour ago" w/data/* &&
	quire -C w init -q ns/pkg &&
	quire -C w add -q data &&
	quire -C w commit -q -m v1 >/dev/null &&
	mkdir reg &&
	REG="file://$(pwd)/reg" &&
	quire -C w remote add origin "$REG"
'

test_expect_success SCRIPT 'verify: a meter on a terminal, within 80 columns' '
	on_tty "quire -C w verify >out" &&
	meter tty Verifying &&
	grep "^Verifying: 100% (60/60), .*done\." drawn &&
	fits tty &&
	grep "^60 files match" drawn
'

test_expect_success 'verify piped: only the summary' '
	quire -C w verify 2>err &&
	no_meter err &&
	test_line_count = 1 err &&
	grep "^60 files match" err
'

test_expect_success 'verify --progress: the meter even when piped' '
	quire -C w verify --progress 2>err &&
	meter err Verifying &&
	grep "^60 files match" err
'

test_expect_success SCRIPT 'verify --no-progress and -q: no meter on a tty' '
	on_tty "quire -C w verify --no-progress" &&
	no_meter tty &&
	grep "^60 files match" tty &&
	on_tty "quire -C w verify -q" &&
	no_meter tty &&
	test_must_be_empty tty
'

test_expect_success SCRIPT '-q --progress: the meter, without the summary' '
	on_tty "quire -C w verify -q --progress" &&
	meter tty Verifying &&
	! grep "files match" tty
'

test_expect_success SCRIPT 'verify reports a change below the meter' '
	test_when_finished "echo file 7 >w/data/f7.txt" &&
	echo changed >w/data/f7.txt &&
	test_expect_code 1 on_tty "quire -C w verify" &&
	lines tty >drawn &&
	grep "^changed: data/f7.txt\$" drawn &&
	fits tty
'

test_expect_success SCRIPT 'add: a meter on a terminal' '
	mkdir -p w/more &&
	for i in $(test_seq 1 30)
	do
		echo "more $i" >w/more/m$i.txt || return 1
	done &&
	on_tty "quire -C w add more" &&
	fits tty &&
	grep "^staged 30 files" tty
'

test_expect_success SCRIPT 'add: a meter counts the files staged; none when none is' '
	meter tty "Adding files" &&
	grep "^Adding files: 30, done\." drawn &&
	on_tty "quire -C w add more" &&
	grep "^staged 0 files" tty &&
	! grep "done\." tty
'

test_expect_success SCRIPT 'commit: a meter on a terminal; piped, the summary' '
	on_tty "quire -C w commit -m v2 >out" &&
	meter tty "Writing manifest" &&
	grep "^Writing manifest: 100% (90/90), done\." drawn &&
	fits tty &&
	test_line_count = 1 out &&
	echo again >w/more/m1.txt &&
	quire -C w commit -m v3 >out 2>err &&
	no_meter err &&
	test_line_count = 1 err &&
	grep "^committed 90 entries" err
'

test_expect_success SCRIPT 'status that hashes: no meter when piped' '
	echo and again >w/more/m1.txt &&
	quire -C w status >out 2>err &&
	test_must_be_empty err
'

test_expect_success SCRIPT 'push to a file:// registry: within 80 columns' '
	quire -C w commit -q -m v4 >/dev/null &&
	on_tty "quire -C w push >out" &&
	fits tty &&
	grep "^pushed ns/pkg@" tty &&
	quire -C w push 2>err >out &&
	no_meter err
'

test_expect_success SCRIPT 'push to a file:// registry: a meter on a terminal' '
	on_tty "quire -C w push \"file://$PWD/reg2\" ns/pkg >out" &&
	meter tty "Uploading objects" &&
	grep "^Uploading objects: 100% (90/90), " drawn &&
	fits tty &&
	grep "^pushed ns/pkg@.*: 90 objects copied" tty
'

test_expect_success SCRIPT 'install: a meter within 80 columns; piped, none' '
	on_tty "quire install ns/pkg --registry \"$REG\" --to inst >out" &&
	lines tty >drawn &&
	grep ", done\.\$" drawn &&
	fits tty &&
	grep "^installed ns/pkg@" drawn &&
	quire install ns/pkg --registry "$REG" --to inst2 >out 2>err &&
	no_meter err &&
	test_line_count = 1 err
'

test_expect_success SCRIPT 'fsck, merge and filter: a meter each' '
	on_tty "quire fsck --registry \"$REG\" >out" &&
	meter tty "Checking objects" &&
	grep "^Checking objects: 90, done\." drawn &&
	fits tty &&
	on_tty "quire -C w filter --registry \"$REG\" --prefix data/ \
		-o ns/small ns/pkg >out" &&
	meter tty "Filtering entries" &&
	grep "^Filtering entries: 90, done\." drawn &&
	fits tty &&
	quire -C w rm -q data/f1.txt &&
	on_tty "quire -C w merge --overwrite --registry \"$REG\" ns/pkg" &&
	meter tty "Checking entries" &&
	meter tty "Merging entries" &&
	grep "^Merging entries: 100% (90/90), done\." drawn &&
	fits tty
'

test_lazy_prereq SQLITE3 'command -v sqlite3'

test_expect_success SCRIPT,SQLITE3 'export-dsdb and import-dsdb: meters' '
	sqlite3 w/lab.db "CREATE TABLE s (id INTEGER, image TEXT);
		INSERT INTO s VALUES (1, ${SQ}data/f2.txt${SQ}),
		(2, ${SQ}data/f3.txt${SQ});" &&
	on_tty "quire export-dsdb w/lab.db --table s --file-column image \
		--name lab/s --registry \"$REG\" >out" &&
	fits tty &&
	meter tty "Finding files" &&
	grep "^Finding files: 2, done\." drawn &&
	meter tty "Writing manifest" &&
	grep "^exported 2 rows" drawn &&
	on_tty "quire import-dsdb --registry \"$REG\" --to imp lab/s \
		imp.db >out" &&
	fits tty &&
	meter tty "Copying rows" &&
	grep "^Copying rows: 2, done\." drawn &&
	quire import-dsdb --registry "$REG" --to imp2 lab/s imp2.db \
		>out 2>err &&
	no_meter err
'

test_expect_success SCRIPT 'long titles and large numbers are shortened' '
	zeros=$(printf "%064d" 0) &&
	title="install example/a-package-with-a-long-name@$zeros" &&
	on_tty "test-tool progress --bytes 123456789012 --sleep 300 \
		--total-bytes 99999999999999999 \"$title\" 12345678901 5" &&
	fits tty &&
	lines tty >drawn &&
	grep "^install example/a-.*\.\.\.: .*, done\." drawn &&
	! grep "$zeros" drawn
'

test_expect_success SCRIPT 'the meter fits a narrower terminal (COLUMNS)' '
	on_tty "COLUMNS=32 test-tool progress --bytes 1234567 --sleep 260 \
		Hashing 0 4" &&
	fits tty 32 &&
	meter tty Hashing
'

test_expect_success SCRIPT 'rate and ETA after a second; a few lines a second' '
	on_tty "test-tool progress --bytes 1048576 --sleep 20 \
		--total-bytes 104857600 Copying 100 100" &&
	fits tty &&
	lines tty >drawn &&
	grep "^Copying: .*MiB | .*MiB/s, ETA [0-9]*:[0-9][0-9]\$" drawn &&
	grep "^Copying: 100% (100/100), 100 MiB | .*/s, done\." drawn &&
	# 100 updates: far fewer lines (4 a second over 2 s or more)
	test $(wc -l <drawn) -lt 50
'

test_expect_success 'threads count into one meter' '
	test-tool progress --force --threads 4 --bytes 10 Counting 400000 \
		400000 2>err &&
	lines err >drawn &&
	grep "^Counting: 100% (400000/400000), 3.81 MiB.*, done\." drawn
'

test_expect_success 'no meter when stderr is not a terminal' '
	test-tool progress --sleep 1 Counting 10 10 2>err &&
	test_must_be_empty err
'

test_expect_success 'a lazy meter with nothing counted draws nothing' '
	test-tool progress --force --lazy Hashing 0 0 2>err &&
	test_must_be_empty err &&
	test-tool progress --force --lazy Hashing 0 3 2>err &&
	lines err >drawn &&
	grep "^Hashing: 3, done\." drawn
'

test_expect_success 'a delayed meter: nothing for quick work, then drawn' '
	test-tool progress --force --delayed Walking 1000 1000 2>err &&
	test_must_be_empty err &&
	test-tool progress --force --delayed --sleep 300 Walking 6 6 2>err &&
	lines err >drawn &&
	grep "^Walking: 100% (6/6), done\." drawn
'

test_expect_success SCRIPT 'status: a meter only when it hashes' '
	mkdir -p hs/d &&
	for i in $(test_seq 1 20)
	do
		echo "hs $i" >hs/d/f$i.txt || return 1
	done &&
	quire -C hs init -q ns/hs &&
	quire -C hs add -q d &&
	quire -C hs commit -q -m hs >/dev/null &&
	touch -d "2020-01-01 00:00" hs/d/* &&
	on_tty "quire -C hs status >out" &&
	meter tty "Hashing files" &&
	grep "^Hashing files: 20, " drawn &&
	fits tty &&
	on_tty "quire -C hs status >out" &&
	! grep "Hashing files" tty
'

test_done
