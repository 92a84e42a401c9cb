#!/bin/sh
test_description='quire config: scopes, --show-origin, known keys and values'
. ./test-lib.sh

USER_CONFIG=$XDG_CONFIG_HOME/quire/config

test_expect_success 'setup: a workspace, a user setting' '
	mkdir w && quire -C w init -q ns/pkg &&
	quire config --global core.lockTimeout 30000
'

test_expect_success '--list shows every scope, the user'"'"'s first' '
	quire -C w config --list >actual &&
	cat >expect <<-\EOF &&
	core.locktimeout=30000
	core.formatversion=0
	package.name=ns/pkg
	EOF
	test_cmp expect actual
'

test_expect_success '--list --show-origin names the file of each line' '
	quire -C w config --list --show-origin >actual &&
	printf "file:%s\t%s\n" \
		"$USER_CONFIG" core.locktimeout=30000 \
		"$PWD/w/.quire/config" core.formatversion=0 \
		"$PWD/w/.quire/config" package.name=ns/pkg >expect &&
	test_cmp expect actual
'

test_expect_success '--show-scope puts the scope first' '
	quire -C w config --list --show-scope --show-origin >actual &&
	printf "global\tfile:%s\tcore.locktimeout=30000\n" "$USER_CONFIG" >expect &&
	head -n 1 actual >first &&
	test_cmp expect first &&
	test_grep "^local	file:.*	package.name=ns/pkg\$" actual
'

test_expect_success '--global and --local list one scope' '
	quire -C w config --list --global >actual &&
	echo core.locktimeout=30000 >expect &&
	test_cmp expect actual &&
	quire -C w config --list --local >actual &&
	test_grep -v locktimeout actual &&
	test_grep "^package.name=ns/pkg\$" actual
'

test_expect_success '--local reads the workspace alone' '
	quire -C w config core.locktimeout >actual &&
	echo 30000 >expect &&
	test_cmp expect actual &&
	test_expect_code 1 quire -C w config --local core.locktimeout >actual &&
	test_must_be_empty actual
'

test_expect_success '--list --json: one object, the common field names' '
	quire -C w config --list --json >out &&
	test_line_count = 1 out &&
	/usr/bin/python3 -c "
import json, sys
d = json.load(open(\"out\"))
c = d[\"config\"]
assert [e[\"key\"] for e in c] == [\"core.locktimeout\", \"core.formatversion\", \"package.name\"], c
assert [e[\"scope\"] for e in c] == [\"global\", \"local\", \"local\"], c
assert c[0][\"path\"] == \"$USER_CONFIG\", c
assert c[2][\"value\"] == \"ns/pkg\", c
assert list(c[0]) == [\"key\", \"value\", \"scope\", \"path\"], c
"
'

test_expect_success '--json redacts a URL with a password, as --list does' '
	quire -C w config remote.r.url "s3://u:sekrit@b/x" &&
	quire -C w config --list --json >out &&
	test_grep -v sekrit out &&
	test_grep "u:<redacted>@b" out &&
	quire -C w config --unset remote.r.url
'

test_expect_success 'an unknown key is refused with the close one and the list' '
	test_fatal 128 quire -C w config install.lnk copy &&
	test_grep "unknown key .install.lnk.; did you mean .install.link.?" err &&
	test_grep "core.formatversion, core.locktimeout, install.link, package.name, remote.<name>.url" err &&
	test_fatal 128 quire -C w config --global zzz.qqq 1 &&
	test_grep "unknown key .zzz.qqq.; the keys quire knows" err &&
	test_grep -v "did you mean" err &&
	test_path_is_missing zzz &&
	test_grep -v zzz "$USER_CONFIG" &&
	test_grep -v lnk w/.quire/config
'

test_expect_success 'a patterned key: remote.<name>.url for any name, not others' '
	quire -C w config remote.Any-Name.url /srv/r &&
	quire -C w config remote.Any-Name.url >actual &&
	echo /srv/r >expect &&
	test_cmp expect actual &&
	test_fatal 128 quire -C w config remote.Any-Name.ulr /srv/r &&
	test_grep "did you mean .remote.Any-Name.url.?" err &&
	test_fatal 128 quire -C w config remote.url /srv/r
'

test_expect_success 'bad values are refused with the values that fit' '
	test_fatal 128 quire -C w config install.link symlink &&
	test_grep "bad value .symlink. for .install.link.: use copy, hardlink, reflink\$" err &&
	test_fatal 128 quire -C w config core.lockTimeout soon &&
	test_grep "bad value .soon. for .core.locktimeout.: use a whole number" err &&
	test_fatal 128 quire -C w config core.lockTimeout -- -5 &&
	test_fatal 128 quire -C w config package.name nons &&
	test_grep "use <namespace>/<name>" err &&
	test_fatal 128 quire -C w config remote.x.url relative/dir &&
	test_grep "use a URL" err &&
	quire -C w config --local --list >actual &&
	test_grep -v "symlink\|soon\|nons\|relative" actual
'

test_expect_success 'good values of each kind are kept' '
	quire -C w config install.link reflink &&
	quire -C w config core.lockTimeout 500 &&
	quire -C w config package.name other/name &&
	quire -C w config remote.y.url file:///srv/y &&
	quire -C w config --local --list >actual &&
	test_grep "^install.link=reflink\$" actual &&
	test_grep "^core.locktimeout=500\$" actual &&
	test_grep "^package.name=other/name\$" actual &&
	test_grep "^remote.y.url=file:///srv/y\$" actual
'

test_expect_success 'a key written by hand can still be read and unset' '
	printf "[data]\n\towner = lab\n" >>w/.quire/config &&
	quire -C w config data.owner >actual &&
	echo lab >expect &&
	test_cmp expect actual &&
	quire -C w config --unset data.owner &&
	test_grep -v owner w/.quire/config
'

test_expect_success 'listing options need --list; --global with --local: 129' '
	test_expect_code 129 quire -C w config --show-origin core.locktimeout 2>err &&
	test_expect_code 129 quire -C w config --json package.name 2>err &&
	test_expect_code 129 quire -C w config --global --local --list 2>err
'

test_expect_success 'outside a workspace: --global lists the user'"'"'s file' '
	quire config --global --list --show-origin >actual &&
	printf "file:%s\tcore.locktimeout=30000\n" "$USER_CONFIG" >expect &&
	test_cmp expect actual &&
	test_fatal 128 quire config --list
'

test_expect_success 'quire help config: the keys in the man page match config.c' '
	doc="$TEST_DIRECTORY/../Documentation/quire-config.adoc" &&
	for k in core.formatversion core.lockTimeout install.link package.name \
		 "remote.<name>.url"
	do
		grep -q "^\`$k\` (" "$doc" || { echo "undocumented: $k"; return 1; }
	done &&
	test_fatal 128 quire -C w config no.such 1 &&
	sed -n "s/.*keys quire knows: \(.*\) (see.*/\1/p" err | tr -d " " |
		tr , "\n" >known &&
	sed -n "s/^\`\([a-z<>.A-Z]*\)\` (.*/\1/p" "$doc" |
		tr A-Z a-z >documented &&
	test_cmp known documented
'

test_done
