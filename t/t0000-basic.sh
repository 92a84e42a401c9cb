#!/bin/sh
test_description='quire basics: the harness, --help, usage errors, man pages'
. ./test-lib.sh

test_expect_success 'the harness runs quire from the build' '
	quire --version >out &&
	test_grep "^quire version " out
'

test_expect_success 'quire with no command prints usage and exits 129' '
	test_expect_code 129 quire 2>err &&
	test_grep "^usage: quire" err
'

test_expect_success 'an unknown command exits 129' '
	test_expect_code 129 quire no-such-command 2>err &&
	test_grep "not a quire command" err
'

test_expect_success 'quire help lists every command' '
	quire help >out &&
	for c in $(quire_commands)
	do
		test_grep "^   $c  " out || return 1
	done
'

test_expect_success 'commands[] is sorted' '
	quire_commands >cmds &&
	sort cmds >sorted &&
	test_cmp sorted cmds
'

test_expect_success 'every command is in command-list.txt and has a man page' '
	for c in $(quire_commands)
	do
		test_grep "^quire-$c " "$TEST_DIRECTORY/../command-list.txt" &&
		test -f "$TEST_DIRECTORY/../Documentation/quire-$c.adoc" ||
		return 1
	done
'

# The SYNOPSIS of a man page, as "usage:" lines.
synopsis () {
	sed -n "/^SYNOPSIS/,/^DESCRIPTION/p" "$1" |
	sed -n "s/^'\(quire [a-z-]*\)'\(.*\)/\1\2/p" |
	sed "1s/^/usage: /; 2,\$s/^/   or: /"
}

test_expect_success '-h prints exactly the SYNOPSIS of the man page' '
	for c in $(quire_commands)
	do
		quire $c -h >out &&
		sed -n "/^usage: /p; /^   or: /p" out >actual &&
		synopsis "$TEST_DIRECTORY/../Documentation/quire-$c.adoc" >expect &&
		test_cmp expect actual || return 1
	done
'

test_expect_success '--help works outside a workspace and exits 0' '
	for c in $(quire_commands)
	do
		quire $c --help >out &&
		test_grep "^usage: quire $c" out || return 1
	done
'

test_expect_success '--help after other options works outside a workspace' '
	quire rev-parse --short --help >out &&
	test_grep "^usage: quire rev-parse" out
'

test_expect_success 'an unknown option is a usage error (129)' '
	mkdir ws &&
	quire -C ws init -q &&
	for c in $(quire_commands)
	do
		test_expect_code 129 quire -C ws $c --no-such-option 2>err &&
		test_grep "unknown option" err || return 1
	done
'

test_expect_success 'commands that need a workspace say how to make one' '
	for c in cat-manifest cat-object ls-manifest rev-parse show-ref \
		 update-ref write-manifest
	do
		test_fatal 128 quire $c x y &&
		test_grep "run .quire init." err || return 1
	done
'

test_expect_success 'a write error on stdout is fatal' '
	echo data >file &&
	test_fatal 128 quire hash-object file >/dev/full &&
	test_grep "write failure on standard output" err
'

test_done
