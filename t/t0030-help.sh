#!/bin/sh
test_description='quire help: groups, manuals, did you mean, --list-options'
. ./test-lib.sh

LIST=$TEST_DIRECTORY/../command-list.txt

# The commands of command-list.txt, and "name group description" lines.
listed_commands () {
	sed -n 's/^quire-\([a-z-]*\) .*/\1/p' "$LIST"
}
listed_groups () {
	sed -n 's/^group  *\([a-z]*\) .*/\1/p' "$LIST"
}
description () {
	sed -n "s/^quire-$1  *[a-z]*  *//p" "$LIST"
}

test_expect_success 'every command of quire.c is in command-list.txt, with a man page' '
	for c in $(quire_commands)
	do
		test_grep "^quire-$c  *[a-z][a-z]*  *[a-z]" "$LIST" &&
		test_path_is_file "$TEST_DIRECTORY/../Documentation/quire-$c.adoc" ||
		return 1
	done
'

test_expect_success 'every command of command-list.txt is in quire.c' '
	quire_commands >table &&
	for c in $(listed_commands)
	do
		grep -qx "$c" table || {
			echo "quire-$c is listed but not in commands[]"
			return 1
		}
	done
'

test_expect_success 'command-list.txt: sorted, in declared groups, short lines' '
	listed_commands >cmds &&
	sort cmds >sorted &&
	test_cmp sorted cmds &&
	listed_groups >groups &&
	sed -n "s/^quire-[a-z-]*  *\([a-z]*\) .*/\1/p" "$LIST" | sort -u >used &&
	for g in $(cat used)
	do
		grep -qx "$g" groups || { echo "undeclared group $g"; return 1; }
	done &&
	for c in $(cat cmds)
	do
		d=$(description $c) &&
		test -n "$d" && test ${#d} -le 61 || {
			echo "quire-$c: description empty or longer than 61"
			return 1
		}
	done
'

test_expect_success 'quire help shows each group and each command with its line' '
	quire help >out &&
	test_grep "^usage: quire " out &&
	sed -n "s/^group  *[a-z]*  *//p" "$LIST" >titles &&
	while read t
	do
		grep -qx "$t" out || { echo "no group title: $t"; return 1; }
	done <titles &&
	for c in $(quire_commands)
	do
		grep -q "^   $c  *$(description $c)\$" out ||
		{ echo "help lacks: $c"; cat out; return 1; }
	done
'

test_expect_success 'commands appear under the title of their group' '
	quire help >out &&
	awk "/^[a-z]/ { t = \$0 } /^   init / { print t }" out >got &&
	echo "start a workspace" >expect &&
	test_cmp expect got &&
	awk "/^[a-z]/ { t = \$0 } /^   hash-object / { print t }" out >got &&
	sed -n "s/^group  *plumbing  *//p" "$LIST" >expect &&
	test_cmp expect got
'

test_expect_success 'quire --help and quire -h print what quire help does' '
	quire help >expect &&
	quire --help >actual &&
	test_cmp expect actual &&
	quire -h >actual &&
	test_cmp expect actual
'

test_expect_success 'quire alone prints the same on stderr and exits 129' '
	quire help >expect &&
	test_expect_code 129 quire 2>actual &&
	test_cmp expect actual
'

test_expect_success 'quire help -a lists every command by name' '
	quire help -a >out &&
	sed -n "s/^   \([a-z-]*\)  .*/\1/p" out >got &&
	listed_commands >expect &&
	test_cmp expect got &&
	quire help --all >out2 &&
	test_cmp out out2
'

test_expect_success 'a mistyped command: the most similar one, exit 129' '
	test_expect_code 129 quire stauts 2>err &&
	printf "%s\n" \
		"quire: '"'"'stauts'"'"' is not a quire command. See '"'"'quire help'"'"'." \
		"" "The most similar command is" "	status" >expect &&
	test_cmp expect err
'

test_expect_success 'a letter missing, added or replaced' '
	test_expect_code 129 quire comit 2>err &&
	test_grep "^	commit\$" err &&
	test_expect_code 129 quire innit 2>err &&
	test_grep "^	init\$" err &&
	test_expect_code 129 quire verifx 2>err &&
	test_grep "^	verify\$" err
'

test_expect_success 'a prefix names every command it starts' '
	test_expect_code 129 quire pus 2>err &&
	test_grep "most similar commands are" err &&
	test_grep "^	push\$" err &&
	test_grep "^	push-data\$" err &&
	test_grep "^	push-manifest\$" err &&
	test_grep -v "^	pull\$" err
'

test_expect_success 'nothing close: no suggestion' '
	test_expect_code 129 quire xyzzyplugh 2>err &&
	test_grep "not a quire command" err &&
	test_grep -v "similar" err
'

test_expect_success 'quire help <unknown>: fatal with the suggestion, 128' '
	test_fatal 128 quire help stauts &&
	test_grep "^	status\$" err &&
	test_fatal 128 quire help ../../etc/passwd &&
	test_fatal 128 quire help ""
'

test_expect_success 'usage errors exit 129' '
	test_expect_code 129 quire help add commit 2>err &&
	test_grep "^usage: quire help" err &&
	test_expect_code 129 quire help -a add 2>err &&
	test_expect_code 129 quire help --nope 2>err
'

# A stand-in for man: records its arguments and MANPATH, and with -w
# answers as if the page were installed only when MAN_FINDS is set.
test_expect_success 'set up a man stand-in' '
	mkdir bin &&
	cat >bin/man <<-\EOF &&
	#!/bin/sh
	echo "args: $*" >>"$HOME/man.log"
	echo "MANPATH=$MANPATH" >>"$HOME/man.log"
	if test "$1" = -w
	then
		test -n "$MAN_FINDS" || exit 16
		echo "/somewhere/$2.1"
	fi
	exit 0
	EOF
	chmod +x bin/man
'

test_expect_success 'quire help CMD opens quire-CMD in man' '
	rm -f man.log &&
	PATH="$PWD/bin:$PATH" MAN_FINDS=1 quire help add &&
	test_grep "^args: -w quire-add\$" man.log &&
	test_grep "^args: quire-add\$" man.log &&
	test_grep "^MANPATH=.*/share/man:" man.log
'

test_expect_success 'MANPATH given by the user is kept after quire'"'"'s' '
	rm -f man.log &&
	PATH="$PWD/bin:$PATH" MAN_FINDS=1 MANPATH=/my/man quire help add &&
	test_grep "^MANPATH=.*/share/man:/my/man\$" man.log
'

test_expect_success 'not installed: the page built in QUIRE_DOC_DIR, with man -l' '
	mkdir doc &&
	echo ".TH QUIRE-ADD 1" >doc/quire-add.1 &&
	rm -f man.log &&
	PATH="$PWD/bin:$PATH" QUIRE_DOC_DIR="$PWD/doc" quire help add &&
	test_grep "^args: -l $PWD/doc/quire-add.1\$" man.log
'

test_expect_success 'not installed: a concept page built in its own section' '
	echo ".TH QUIRE-CREDENTIALS 7" >doc/quire-credentials.7 &&
	rm -f man.log &&
	PATH="$PWD/bin:$PATH" QUIRE_DOC_DIR="$PWD/doc" quire help credentials &&
	test_grep "^args: -l $PWD/doc/quire-credentials.7\$" man.log
'

test_expect_success 'no page anywhere: fatal, saying how to build them' '
	PATH="$PWD/bin:$PATH" QUIRE_DOC_DIR="$PWD/nothing" \
		test_fatal 128 quire help commit &&
	test_grep "no manual for .quire-commit." err &&
	test_grep "make doc" err
'

test_expect_success 'quire help json opens the JSON page' '
	rm -f man.log &&
	PATH="$PWD/bin:$PATH" MAN_FINDS=1 quire help json &&
	test_grep "^args: quire-json\$" man.log
'

test_expect_success 'quire help lists the guides; help <guide> opens its page' '
	quire help >out &&
	for g in revisions credentials ignore json python databases
	do
		test_grep "^   $g  *[a-z]" out || return 1
	done &&
	rm -f man.log &&
	PATH="$PWD/bin:$PATH" MAN_FINDS=1 quire help revisions &&
	test_grep "^args: quire-revisions\$" man.log &&
	for g in revisions credentials ignore json python databases
	do
		test_path_is_file "$TEST_DIRECTORY/../Documentation/quire-$g.adoc" ||
		return 1
	done
'

test_lazy_prereq MAN_DB 'man -l --help && asciidoctor --version'

# CI sets QUIRE_REQUIRE_MAN=1: there the real man must be tried.
test_expect_success 'man and asciidoctor are there when required' '
	test -z "$QUIRE_REQUIRE_MAN" || test_have_prereq MAN_DB
'

test_expect_success MAN_DB 'the real man shows a page built from its .adoc' '
	asciidoctor -b manpage -o doc/quire-help.1 \
		"$TEST_DIRECTORY/../Documentation/quire-help.adoc" &&
	QUIRE_DOC_DIR="$PWD/doc" MANPATH=/nonexistent MANPAGER=cat \
		quire help help >out &&
	test_grep "quire-help - show the commands by group" out
'

test_expect_success 'quire --list-cmds prints the table, a name a line' '
	quire --list-cmds >got &&
	quire_commands >expect &&
	test_cmp expect got
'

test_expect_success '--list-options: the long options, "=" when they take a value' '
	quire help --list-options >out &&
	echo "--all" >expect &&
	test_cmp expect out &&
	quire config --list-options >out &&
	test_grep " --unset" out &&
	test_grep "^--global " out
'

test_expect_success '--list-options works outside a workspace for every command' '
	for c in $(quire_commands)
	do
		quire $c --list-options >out &&
		test_line_count = 1 out || return 1
	done
'

# quire(1)'s list of commands, as command-list.txt gives it.
doc_list () {
	awk '
	/^group / {
		t = $0
		sub(/^group +[a-z]+ +/, "", t)
		order[++n] = $2
		title[$2] = toupper(substr(t, 1, 1)) substr(t, 2)
	}
	/^quire-/ {
		d = $0
		sub(/^[^ ]+ +[^ ]+ +/, "", d)
		d = toupper(substr(d, 1, 1)) substr(d, 2)
		cmds[$2] = cmds[$2] $1 "(1)::\n\t" d ".\n"
	}
	END {
		for (i = 1; i <= n; i++) {
			u = title[order[i]]
			gsub(/./, "~", u)
			printf "%s%s\n%s\n%s", (i > 1 ? "\n" : ""),
				title[order[i]], u, cmds[order[i]]
		}
	}' "$1"
}

test_expect_success 'quire(1) lists every command, by group, with its line' '
	doc_list "$LIST" >expect &&
	sed -n "/^\/\/ Made from command-list.txt/,/^\/\/ End of the list/p" \
		"$TEST_DIRECTORY/../Documentation/quire.adoc" |
		sed "1d; \$d" >actual &&
	test_cmp expect actual
'

test_done
