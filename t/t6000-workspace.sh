#!/bin/sh
test_description='quire workspace porcelain: init, config, remote, add, set, meta, rm, mv, status'
. ./test-lib.sh

# JSON arguments, kept out of the single-quoted test bodies.
META_SET='{"label": "cat", "n": 2}'
META_COMPACT='{"z":[1,2],"a":{"b":null}}'
META_PYTHON='{"z": [1, 2], "a": {"b": null}}'
META_DIR='{"d": 1}'
META_PKG='{"project": "quire", "v": 1}'
META_FROM='{"from": "d"}'

# backdate FILE...: an mtime well in the past. The stat cache never trusts
# a file changed in the last second (it is hashed again every time).
backdate () {
	touch -d "1 hour ago" "$@"
}

# status_is DIR: 'quire status --porcelain' in DIR, sorted, equals stdin.
status_is () {
	sort >expect &&
	quire -C "$1" status --porcelain >out &&
	sort out >actual &&
	test_cmp expect actual
}

# staged_is DIR: the same without the "?" lines (files not staged).
staged_is () {
	sort >expect &&
	quire -C "$1" status --porcelain >out &&
	sed "/^?/d" out | sort >actual &&
	test_cmp expect actual
}

test_expect_success 'init makes .quire with its index, config and objects' '
	mkdir w &&
	(cd w && quire init ns/pkg >../out) &&
	test_grep "^Initialized empty quire workspace in .*/w/.quire/\$" out &&
	test_path_is_file w/.quire/index.db &&
	test_path_is_file w/.quire/config &&
	test_path_is_dir w/.quire/objects &&
	echo "SQLite format 3" >expect &&
	head -c 15 w/.quire/index.db >actual &&
	echo >>actual &&
	test_cmp expect actual &&
	quire -C w config package.name >actual &&
	echo ns/pkg >expect &&
	test_cmp expect actual
'

test_expect_success 'config sets, gets, lists and unsets a workspace key' '
	quire -C w config install.link hardlink &&
	quire -C w config install.link >actual &&
	echo hardlink >expect &&
	test_cmp expect actual &&
	test_grep "link = hardlink" w/.quire/config &&
	quire -C w config --local --list >actual &&
	test_grep "^install.link=hardlink\$" actual &&
	test_grep "^package.name=ns/pkg\$" actual &&
	quire -C w config install.link reflink &&
	quire -C w config install.link >actual &&
	echo reflink >expect &&
	test_cmp expect actual &&
	quire -C w config --unset install.link &&
	test_expect_code 1 quire -C w config install.link >actual &&
	test_must_be_empty actual &&
	quire -C w config --list >actual &&
	test_grep -v "link" actual
'

test_expect_success 'config: section and name are case-blind, a subsection is not' '
	quire -C w config Remote.Sub.URL /v &&
	quire -C w config remote.Sub.url >actual &&
	echo /v >expect &&
	test_cmp expect actual &&
	test_expect_code 1 quire -C w config remote.sub.url >actual &&
	test_must_be_empty actual &&
	quire -C w config --unset remote.Sub.url
'

test_expect_success 'config --global writes the user file; the workspace value wins' '
	quire config --global install.link hardlink &&
	test_grep "link = hardlink" "$XDG_CONFIG_HOME/quire/config" &&
	quire -C w config install.link >actual &&
	echo hardlink >expect &&
	test_cmp expect actual &&
	quire -C w config install.link copy &&
	quire -C w config install.link >actual &&
	echo copy >expect &&
	test_cmp expect actual &&
	quire -C w config --global install.link >actual &&
	echo hardlink >expect &&
	test_cmp expect actual &&
	quire config --global --list >actual &&
	echo install.link=hardlink >expect &&
	test_cmp expect actual &&
	quire -C w config --unset install.link &&
	quire config --global --unset install.link
'

test_expect_success 'config outside a workspace needs --global' '
	test_fatal 128 quire config install.link &&
	test_grep "not in a quire workspace" err
'

test_expect_success 'config refuses a malformed key; a missing key is a usage error' '
	for key in nodot .x x. 1a.b "a b.c"
	do
		test_fatal 128 quire -C w config "$key" v &&
		test_grep "invalid key" err || return 1
	done &&
	test_expect_code 129 quire -C w config >out 2>err
'

test_expect_success 'remote add, list, list -v and remove' '
	quire -C w remote add origin "$PWD/reg" &&
	quire -C w remote add backup "file://$PWD/reg2" &&
	quire -C w remote >actual &&
	printf "%s\n" origin backup >expect &&
	test_cmp expect actual &&
	quire -C w remote list >actual &&
	test_cmp expect actual &&
	quire -C w remote -v >actual &&
	printf "origin\t%s\nbackup\t%s\n" "$PWD/reg" "file://$PWD/reg2" >expect &&
	test_cmp expect actual &&
	quire -C w config remote.origin.url >actual &&
	echo "$PWD/reg" >expect &&
	test_cmp expect actual &&
	quire -C w remote remove backup &&
	quire -C w remote >actual &&
	echo origin >expect &&
	test_cmp expect actual
'

test_expect_success 'remote add refuses a bad name and keeps the config' '
	cp w/.quire/config before &&
	for name in 1x "a b" a.b "" "x/y"
	do
		test_fatal 128 quire -C w remote add "$name" /tmp/x &&
		test_grep "invalid remote name" err || return 1
	done &&
	test_cmp before w/.quire/config
'

test_expect_success 'remote add refuses an existing name' '
	cp w/.quire/config before &&
	test_fatal 128 quire -C w remote add origin /elsewhere &&
	test_grep "remote .origin. already exists" err &&
	test_cmp before w/.quire/config
'

test_expect_success 'remote add refuses what is not a registry URL' '
	cp w/.quire/config before &&
	for url in relative/path http://host/x ftp://h/x ""
	do
		test_fatal 128 quire -C w remote add other "$url" &&
		test_grep "is not a registry URL" err || return 1
	done &&
	test_cmp before w/.quire/config
'

test_expect_success 'remote remove of an unknown name is fatal' '
	test_fatal 128 quire -C w remote remove nope &&
	test_grep "no remote .nope." err
'

test_expect_success 'setup: files to stage' '
	mkdir -p w/data/sub outside/o &&
	echo a >w/data/a.txt &&
	echo b >w/data/sub/b.txt &&
	echo top >w/top.txt &&
	echo o >outside/o/f.txt
'

test_expect_success 'add of a folder from a subfolder: keys are relative to the root' '
	(cd w/data && quire add sub 2>../../err) &&
	test_grep "staged 1 file from .sub." err &&
	status_is w <<-\EOF &&
	A data/sub/b.txt
	EOF
	quire -C w add data 2>err &&
	status_is w <<-\EOF
	A data/a.txt
	A data/sub/b.txt
	EOF
'

test_expect_success 'add of a file; --as gives its key, or a prefix with /' '
	quire -C w add top.txt &&
	quire -C w add --as docs/readme.txt top.txt &&
	quire -C w add --as copies/ top.txt &&
	quire -C w add --as raw data &&
	status_is w <<-\EOF
	A copies/top.txt
	A data/a.txt
	A data/sub/b.txt
	A docs/readme.txt
	A raw/a.txt
	A raw/sub/b.txt
	A top.txt
	EOF
'

test_expect_success 'a path outside the workspace gets its base name as the prefix' '
	quire -C w add ../outside/o &&
	quire -C w add "$PWD/outside/o/f.txt" &&
	quire -C w status --porcelain >out &&
	test_grep "^A o/f.txt\$" out &&
	test_grep "^A f.txt\$" out &&
	test_grep -v "outside" out
'

test_expect_success 'a missing path is fatal and stages nothing' '
	quire -C w status --porcelain >before &&
	test_fatal 128 quire -C w add nope &&
	test_grep "cannot add .nope." err &&
	test_fatal 128 quire -C w add --as some/key nope &&
	quire -C w status --porcelain >after &&
	test_cmp before after
'

test_expect_success 'add refuses a bad logical key' '
	quire -C w status --porcelain >before &&
	for key in "a//b" "../x" ".quire/x" "/abs"
	do
		test_fatal 128 quire -C w add --as "$key" top.txt &&
		test_grep "invalid logical key" err || return 1
	done &&
	quire -C w status --porcelain >after &&
	test_cmp before after
'

test_expect_success 'set stages a file under a key, with --meta' '
	quire -C w set --meta "$META_SET" labels/t.txt top.txt &&
	quire -C w meta labels/t.txt >actual &&
	echo "$META_SET" >expect &&
	test_cmp expect actual &&
	quire -C w status --porcelain >out &&
	test_grep "^A labels/t.txt\$" out
'

test_expect_success 'set refuses a folder, bad JSON and a bad key' '
	quire -C w status --porcelain >before &&
	test_fatal 128 quire -C w set dir/x data &&
	test_grep "is not a file" err &&
	test_fatal 128 quire -C w set --meta "{oops" labels/u.txt top.txt &&
	test_grep "not valid JSON" err &&
	test_fatal 128 quire -C w set ../x top.txt &&
	test_grep "invalid logical key" err &&
	quire -C w status --porcelain >after &&
	test_cmp before after
'

test_expect_success 'meta replaces an entry user metadata, written as quilt3 writes it' '
	quire -C w meta data/a.txt >actual &&
	echo "{}" >expect &&
	test_cmp expect actual &&
	quire -C w meta data/a.txt "$META_COMPACT" &&
	quire -C w meta data/a.txt >actual &&
	echo "$META_PYTHON" >expect &&
	test_cmp expect actual
'

test_expect_success 'meta of a key not staged, or with bad JSON, is fatal' '
	test_fatal 128 quire -C w meta nope.txt &&
	test_grep "nope.txt. is not staged" err &&
	test_fatal 128 quire -C w meta data/a.txt "[1," &&
	test_grep "not valid JSON" err &&
	quire -C w meta data/a.txt >actual &&
	echo "$META_PYTHON" >expect &&
	test_cmp expect actual
'

test_expect_success 'meta --package reads and sets the package metadata' '
	quire -C w meta --package >actual &&
	echo "{}" >expect &&
	test_cmp expect actual &&
	quire -C w meta --package "$META_PKG" &&
	quire -C w meta --package >actual &&
	echo "$META_PKG" >expect &&
	test_cmp expect actual
'

test_expect_success 'folder metadata "dir/" lands in the manifest, not in the top hash' '
	quire -C w commit -q >before &&
	quire -C w meta data/ "$META_DIR" &&
	quire -C w commit -q >after &&
	test_cmp before after &&
	quire -C w cat-manifest HEAD >man &&
	echo "{\"logical_key\": \"data/\", \"meta\": $META_DIR}" >expect &&
	grep "\"logical_key\": \"data/\"" man >actual &&
	test_cmp expect actual &&
	test_fatal 128 quire -C w meta data/
'

test_expect_success 'rm removes an entry and keeps the file' '
	quire -C w rm docs/readme.txt 2>err &&
	test_grep "removed 1 entry" err &&
	quire -C w status --porcelain >out &&
	grep "docs/" out >actual &&
	echo "D docs/readme.txt" >expect &&
	test_cmp expect actual &&
	test_path_is_file w/top.txt
'

test_expect_success 'rm "dir/" removes every entry below it and stops watching it' '
	quire -C w rm raw/ 2>err &&
	test_grep "removed 2 entries" err &&
	echo new >w/data/new.txt &&
	quire -C w status --porcelain >out &&
	grep "raw/" out >actual &&
	printf "D raw/%s\n" a.txt sub/b.txt >expect &&
	test_cmp expect actual &&
	test_grep "^? data/new.txt\$" out &&
	test_path_is_file w/data/sub/b.txt &&
	rm w/data/new.txt
'

test_expect_success 'rm of something not staged is fatal and removes nothing' '
	quire -C w status --porcelain >before &&
	test_fatal 128 quire -C w rm nope &&
	test_grep "matches nothing staged" err &&
	test_fatal 128 quire -C w rm data &&
	test_grep "a folder ends with" err &&
	test_fatal 128 quire -C w rm top.txt nope &&
	quire -C w status --porcelain >after &&
	test_cmp before after
'

test_expect_success 'setup: a workspace for mv' '
	mkdir -p m/d/sub m/e &&
	echo 1 >m/d/a &&
	echo 2 >m/d/b &&
	echo 3 >m/d/sub/c &&
	echo 4 >m/e/a &&
	echo 5 >m/e/b &&
	echo 6 >m/top &&
	quire -C m init -q ns/mv &&
	quire -C m add -q d &&
	quire -C m add -q e &&
	quire -C m add -q top &&
	quire -C m meta d/a "$META_FROM"
'

test_expect_success 'mv renames a key; into "dir/" it keeps its base name' '
	quire -C m mv top renamed 2>err &&
	test_grep "moved 1 entry" err &&
	quire -C m mv renamed f/ &&
	staged_is m <<-\EOF
	A d/a
	A d/b
	A d/sub/c
	A e/a
	A e/b
	A f/renamed
	EOF
'

test_expect_success 'mv of a folder moves every entry below it, metadata too' '
	quire -C m mv d/sub x/y 2>err &&
	test_grep "moved 1 entry" err &&
	quire -C m mv x/ z &&
	staged_is m <<-\EOF &&
	A d/a
	A d/b
	A e/a
	A e/b
	A f/renamed
	A z/y/c
	EOF
	quire -C m meta d/a >actual &&
	echo "$META_FROM" >expect &&
	test_cmp expect actual
'

test_expect_success 'mv refuses collisions, naming every colliding key; nothing moves' '
	quire -C m status --porcelain >before &&
	test_fatal 128 quire -C m mv d e &&
	test_grep "pass --overwrite" err &&
	test_grep "^	e/a\$" err &&
	test_grep "^	e/b\$" err &&
	quire -C m status --porcelain >after &&
	test_cmp before after &&
	test_fatal 128 quire -C m mv f/renamed e/a &&
	test_grep "^	e/a\$" err
'

test_expect_success 'mv --overwrite replaces the entries in the way' '
	quire -C m mv --overwrite d/ e/ 2>err &&
	test_grep "moved 2 entries" err &&
	staged_is m <<-\EOF &&
	A e/a
	A e/b
	A f/renamed
	A z/y/c
	EOF
	quire -C m meta e/a >actual &&
	echo "$META_FROM" >expect &&
	test_cmp expect actual &&
	quire -C m commit -q >/dev/null &&
	quire -C m cat-manifest HEAD >man &&
	grep "\"logical_key\": \"e/a\"" man >line &&
	test_grep "/m/d/a\"\]" line
'

test_expect_success 'mv into a subfolder of itself' '
	quire -C m mv e e/inner 2>err &&
	test_grep "moved 2 entries" err &&
	staged_is m <<-\EOF
	A e/inner/a
	A e/inner/b
	D e/a
	D e/b
	EOF
'

test_expect_success 'files of moved entries are not reported as new files' '
	quire -C m status --porcelain >out &&
	test_grep -v "^?" out
'

test_expect_success 'setup: a file "a" and a folder "b/"' '
	mkdir -p ff/b &&
	echo 1 >ff/a &&
	echo 2 >ff/b/c &&
	quire -C ff init -q ns/ff &&
	quire -C ff add -q a &&
	quire -C ff add -q b
'

test_expect_success 'mv refuses to make a key both a file and a folder' '
	test_fatal 128 quire -C ff mv b/ a/ &&
	staged_is ff <<-\EOF &&
	A a
	A b/c
	EOF
	quire -C ff commit -q >/dev/null
'

test_expect_success 'add and set refuse to make a key both a file and a folder' '
	echo x >ff/x &&
	test_fatal 128 quire -C ff set a/x x &&
	test_grep "both a file and a folder" err &&
	test_fatal 128 quire -C ff set b x &&
	test_grep "both a file and a folder" err &&
	mkdir -p ff/dir/a &&
	echo y >ff/dir/a/y &&
	test_fatal 128 quire -C ff add --as "" dir &&
	test_grep "both a file and a folder" err &&
	quire -C ff status --porcelain >out &&
	test_must_be_empty out
'

test_expect_success 'mv of something not staged is fatal' '
	test_fatal 128 quire -C m mv nope other &&
	test_grep "matches nothing staged" err
'

test_expect_success 'setup: a committed workspace for status' '
	mkdir -p s/d &&
	for f in a b c e
	do
		echo $f >s/d/$f || return 1
	done &&
	echo other >s/other.txt &&
	backdate s/d/* s/other.txt &&
	quire -C s init -q ns/status &&
	quire -C s add -q d
'

test_expect_success 'status before the first commit: every entry is added' '
	quire -C s status >out &&
	test_grep "^On package ns/status, no commits yet\$" out &&
	test_grep "^Changes to commit:\$" out &&
	test_grep "^	added     d/a\$" out &&
	test_grep "^4 entries point to local files" out &&
	quire -C s status --json >out &&
	test_grep "^{\"name\": \"ns/status\", \"top_hash\": null, \"changes\": \[{\"status\": \"added\", \"logical_key\": \"d/a\"}" out &&
	test_line_count = 1 out
'

test_expect_success 'status after a commit: nothing to commit, from the stat cache' '
	quire -C s status >/dev/null &&
	quire -C s commit -m one >head 2>err &&
	test_grep "committed 4 entries, 0 files hashed" err &&
	quire -C s status >out &&
	test_grep "^On package ns/status, HEAD $(cut -c1-12 head)\$" out &&
	test_grep "^nothing to commit\$" out &&
	test_grep -v "^Changes" out &&
	quire -C s status --porcelain >out &&
	test_must_be_empty out &&
	quire -C s commit -m one >again 2>err &&
	test_grep "nothing changed: 4 entries, 0 files hashed" err &&
	test_cmp head again
'

test_expect_success 'the stat cache notices a changed file' '
	echo changed >s/d/c &&
	backdate s/d/c &&
	quire -C s status --porcelain >out &&
	echo "M d/c" >expect &&
	test_cmp expect out &&
	quire -C s commit -q -m two >/dev/null &&
	quire -C s commit -m two >/dev/null 2>err &&
	test_grep "nothing changed: 4 entries, 0 files hashed" err
'

test_expect_success 'status --porcelain: A D M m ! ?' '
	echo more >>s/d/a &&
	rm s/d/b &&
	quire -C s meta d/c "$META_SET" &&
	quire -C s rm -q d/e &&
	quire -C s add -q other.txt &&
	mkdir s/d/deep &&
	echo n >s/d/new.txt &&
	echo z >s/d/deep/z.txt &&
	status_is s <<-\EOF
	! d/b
	? d/deep/z.txt
	? d/e
	? d/new.txt
	A other.txt
	D d/e
	M d/a
	m d/c
	EOF
'

test_expect_success 'status in words' '
	quire -C s status >out &&
	test_grep "^	modified  d/a\$" out &&
	test_grep "^	metadata  d/c\$" out &&
	test_grep "^	deleted   d/e\$" out &&
	test_grep "^	added     other.txt\$" out &&
	test_grep "^Files missing" out &&
	test_grep "^	d/b\$" out &&
	test_grep "^New files in added folders" out &&
	test_grep "^	d/deep/z.txt\$" out &&
	test_grep -v "nothing to commit" out
'

test_expect_success 'status --json' '
	quire -C s status --json >out &&
	test_line_count = 1 out &&
	quire -C s rev-parse HEAD >head &&
	test_grep "\"top_hash\": \"$(cat head)\"" out &&
	for item in "missing\", \"logical_key\": \"d/b" \
		    "modified\", \"logical_key\": \"d/a" \
		    "metadata\", \"logical_key\": \"d/c" \
		    "deleted\", \"logical_key\": \"d/e" \
		    "added\", \"logical_key\": \"other.txt" \
		    "new\", \"logical_key\": \"d/new.txt"
	do
		test_grep "{\"status\": \"$item\"}" out || return 1
	done &&
	test_grep "\"local_entries\": 4}\$" out
'

test_expect_success PYTHON3 'status --json is JSON' '
	quire -C s status --json >out &&
	python3 -c "import json, sys; d = json.load(open(\"out\")); sys.exit(len(d[\"changes\"]) != 8)"
'

test_expect_success 'status --porcelain and --json together is a usage error' '
	test_expect_code 129 quire -C s status --porcelain --json >out 2>err
'

test_done
