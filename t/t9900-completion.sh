#!/bin/sh
test_description='bash completion: commands, options, remotes, keys, packages'
. ./test-lib.sh

COMPLETION=$TEST_DIRECTORY/../contrib/completion/quire-completion.bash

test_lazy_prereq BASH 'bash -c "compgen -W a a"'

# complete WORD...: run _quire with COMP_WORDS set to the words, the
# cursor on the last one ("" for a new word), as git's t9902 does; the
# candidates, sorted, go to file "out".
complete () {
	bash -c '
		. "$1" && shift &&
		COMP_WORDS=("$@") &&
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1)) &&
		_quire &&
		if [ ${#COMPREPLY[@]} -gt 0 ]; then
			printf "%s\n" "${COMPREPLY[@]}"
		fi
	' - "$COMPLETION" "$@" >unsorted &&
	sort unsorted >out
}

test_expect_success BASH 'the command names, from the binary' '
	complete quire "" &&
	quire --list-cmds | sort >expect &&
	test_cmp expect out
'

test_expect_success BASH 'a prefix of a command name' '
	complete quire push &&
	printf "%s\n" push push-data push-manifest >expect &&
	test_cmp expect out &&
	complete quire -C . sta &&
	echo status >expect &&
	test_cmp expect out
'

test_expect_success BASH 'global options before the command' '
	complete quire --ver &&
	printf "%s\n" --verbose --version >expect &&
	test_cmp expect out
'

test_expect_success BASH 'a command'"'"'s long options, asked from quire' '
	complete quire add --a &&
	echo "--as=" >expect &&
	test_cmp expect out &&
	complete quire config --show &&
	printf "%s\n" --show-origin --show-scope >expect &&
	test_cmp expect out
'

test_expect_success BASH 'every command answers --list-options to the completion' '
	for c in $(quire --list-cmds)
	do
		complete quire $c -- &&
		quire $c --list-options | tr " " "\n" | sed "/^$/d" | sort >expect &&
		test_cmp expect out || return 1
	done
'

test_expect_success BASH 'help completes command names' '
	complete quire help che &&
	quire --list-cmds | grep "^che" >expect &&
	test_cmp expect out
'

test_expect_success BASH 'setup: a workspace with remotes, a pushed package, a tag' '
	mkdir w &&
	quire -C w init -q ns/pkg &&
	quire -C w remote add origin "$PWD/reg" &&
	quire -C w remote add other "$PWD/reg2" &&
	echo hi >w/a.txt &&
	quire -C w add -q a.txt &&
	quire -C w commit -q -m one >/dev/null &&
	quire -C w tag v1 &&
	quire -C w push -q >/dev/null
'

test_expect_success BASH 'remote: subcommands, then remote names' '
	complete quire -C w remote "" &&
	printf "%s\n" add list remove rename rm set-url >expect &&
	test_cmp expect out &&
	complete quire -C w remote set-url o &&
	printf "%s\n" origin other >expect &&
	test_cmp expect out &&
	complete quire -C w remote rename ot &&
	echo other >expect &&
	test_cmp expect out
'

test_expect_success BASH 'remote names after -r' '
	complete quire -C w push -r "" &&
	printf "%s\n" origin other >expect &&
	test_cmp expect out
'

test_expect_success BASH 'config keys: the known ones and the remotes'"'"' urls' '
	complete quire -C w config "" &&
	cat >expect <<-\EOF &&
	core.formatversion
	core.locktimeout
	install.link
	package.name
	remote.origin.url
	remote.other.url
	EOF
	test_cmp expect out &&
	complete quire -C w config install.link h &&
	echo hardlink >expect &&
	test_cmp expect out
'

test_expect_success BASH 'the config keys of the completion are config.c'"'"'s' '
	test_must_fail quire -C w config no.such 1 2>err &&
	sed -n "s/.*keys quire knows: \(.*\) (see.*/\1/p" err | tr -d " " |
		tr , "\n" | grep -v "<" >known &&
	complete quire -C w config "" &&
	grep -v "^remote\." out >listed &&
	test_cmp known listed
'

test_expect_success BASH 'package names from quire list, then tags' '
	complete quire -C w install n &&
	echo ns/pkg >expect &&
	test_cmp expect out &&
	complete quire -C w ls ns/pkg: &&
	echo ns/pkg:v1 >expect &&
	test_cmp expect out
'

test_expect_success BASH 'package names of the registry given with -r' '
	complete quire -C w ls -r other "" &&
	test_must_be_empty out &&
	quire -C w push -q -r other >/dev/null &&
	complete quire -C w ls -r other "" &&
	echo ns/pkg >expect &&
	test_cmp expect out
'

test_expect_success BASH 'tags for a local revision' '
	complete quire -C w checkout v &&
	echo v1 >expect &&
	test_cmp expect out
'

test_expect_success BASH 'a path operand: nothing, so bash completes files' '
	complete quire -C w add "" &&
	test_must_be_empty out
'

test_lazy_prereq ZSH 'zsh -f -c "autoload -U compinit && compinit -u -D"'

# CI sets QUIRE_REQUIRE_ZSH=1: there the zsh tests must run, not skip.
test_expect_success 'zsh is there when it is required' '
	test -z "$QUIRE_REQUIRE_ZSH" || test_have_prereq ZSH
'

# zcomplete WORD...: the same through zsh, which loads _quire (bashcompinit
# and the bash script) and runs _quire as its _bash_complete does.
zcomplete () {
	zsh -f -c '
		autoload -U compinit && compinit -u -D &&
		source "$1" && shift &&
		COMP_WORDS=("$@") &&
		COMP_CWORD=$(($# - 1)) &&
		emulate sh -c "_quire; for w in \"\${COMPREPLY[@]}\"; do
			echo \"\$w\"; done"
	' - "$TEST_DIRECTORY/../contrib/completion/_quire" "$@" >unsorted &&
	sort unsorted >out
}

test_expect_success ZSH 'zsh: command names, options and remotes' '
	zcomplete quire push &&
	printf "%s\n" push push-data push-manifest >expect &&
	test_cmp expect out &&
	zcomplete quire add --a &&
	echo "--as=" >expect &&
	test_cmp expect out &&
	zcomplete quire -C w remote set-url o &&
	printf "%s\n" origin other >expect &&
	test_cmp expect out
'

test_expect_success 'make install installs the completion for bash and zsh' '
	grep "^install: .*install-completion" "$TEST_DIRECTORY/../Makefile" &&
	dest=$PWD/dest &&
	(cd "$TEST_DIRECTORY/.." && make -s DESTDIR="$dest" PREFIX=/usr \
		install-completion) >log 2>&1 || { cat log; false; } &&
	test_cmp "$COMPLETION" dest/usr/share/bash-completion/completions/quire &&
	test_cmp "$TEST_DIRECTORY/../contrib/completion/_quire" \
		dest/usr/share/zsh/site-functions/_quire
'

test_done
