#!/bin/sh
test_description='quire commit, log, tag and diff'
. ./test-lib.sh

# JSON arguments, kept out of the single-quoted test bodies.
META_PKG='{"author": "A. N. Other", "n": 3}'
META_025='{"source": "set_dir", "x": 1.5}'
META_README='{"readme": true}'
META_CSV='{"rows": 1, "cols": ["x", "y"]}'
META_K='{"k": 1}'

# backdate FILE...: an mtime well in the past, so that the stat cache
# trusts the file (one changed in the last second is always hashed).
backdate () {
	touch -d "1 hour ago" "$@"
}

# The manifest without its physical keys (they name where files are).
strip_physical () {
	sed "s/\"physical_keys\": \[[^]]*\], //" "$1"
}

test_expect_success 'setup: a workspace with three files' '
	mkdir -p w/data/sub &&
	echo alpha >w/data/a.txt &&
	echo beta >w/data/b.txt &&
	echo gamma >w/data/sub/c.txt &&
	backdate w/data/a.txt w/data/b.txt w/data/sub/c.txt &&
	quire -C w init -q ns/pkg &&
	quire -C w add -q data
'

test_expect_success 'commit prints the top hash of the manifest it wrote' '
	quire -C w commit -m first >out 2>err &&
	test_grep "^committed 3 entries, 3 files hashed\$" err &&
	quire -C w cat-manifest HEAD >man &&
	quire top-hash man >expect &&
	test_cmp expect out &&
	quire -C w rev-parse HEAD >actual &&
	test_cmp expect actual &&
	cp out first &&
	test_line_count = 4 man
'

test_expect_success 'the first line is {"version": "v0", "message": ...}' '
	head -n 1 man >actual &&
	echo "{\"version\": \"v0\", \"message\": \"first\"}" >expect &&
	test_cmp expect actual
'

test_expect_success 'entries are written as quilt3 writes them' '
	quire hash-object w/data/a.txt >hash &&
	sed -n 2p man >actual &&
	printf "{\"logical_key\": \"data/a.txt\", \"physical_keys\": [\"file://%s/w/data/a.txt\"], \"size\": %d, \"hash\": {\"type\": \"sha2-256-chunked\", \"value\": \"%s\"}, \"meta\": {}}\n" \
		"$(pwd -P | sed "s/ /%20/g")" $(wc -c <w/data/a.txt) $(cat hash) >expect &&
	test_cmp expect actual
'

test_expect_success 'without -m the message is null, as quilt3 builds it' '
	mkdir nomsg &&
	echo x >nomsg/x &&
	quire -C nomsg init -q ns/nomsg &&
	quire -C nomsg add -q x &&
	quire -C nomsg commit -q >/dev/null &&
	quire -C nomsg cat-manifest HEAD >man2 &&
	head -n 1 man2 >actual &&
	echo "{\"version\": \"v0\", \"message\": null}" >expect &&
	test_cmp expect actual
'

test_expect_success '--meta puts user_meta before the message' '
	quire -C nomsg commit -q -m second --meta "$META_PKG" >/dev/null &&
	quire -C nomsg cat-manifest HEAD >man2 &&
	head -n 1 man2 >actual &&
	echo "{\"version\": \"v0\", \"user_meta\": $META_PKG, \"message\": \"second\"}" >expect &&
	test_cmp expect actual
'

test_expect_success 'the same files and metadata give the package quilt3 built (025)' '
	mkdir v25 &&
	quire -C v25 init -q ns/v25 &&
	quire -C v25 add -q --as "" "$VECTORS/025.files" &&
	quire -C v25 meta README.md "$META_README" &&
	quire -C v25 meta data/a.csv "$META_CSV" &&
	quire -C v25 commit -q -m v1 --meta "$META_025" >actual &&
	test_cmp "$VECTORS/025.tophash" actual &&
	quire -C v25 cat-manifest HEAD >man25 &&
	head -n 1 man25 >actual &&
	head -n 1 "$VECTORS/025.jsonl" >expect &&
	test_cmp expect actual &&
	strip_physical man25 >actual &&
	strip_physical "$VECTORS/025.jsonl" >expect &&
	test_cmp expect actual
'

test_expect_success 'committing again without a change gives the same top hash' '
	quire -C w commit -m first >out 2>err &&
	test_cmp first out &&
	test_grep "^nothing changed: 3 entries" err &&
	quire -C w rev-parse HEAD >actual &&
	test_cmp first actual
'

test_expect_success 'a changed file shows as M, then changes the top hash' '
	echo alpha2 >w/data/a.txt &&
	backdate w/data/a.txt &&
	quire -C w status --porcelain >out &&
	echo "M data/a.txt" >expect &&
	test_cmp expect out &&
	quire -C w commit -m second >second 2>err &&
	test_grep "^committed 3 entries" err &&
	! test_cmp first second &&
	quire -C w cat-manifest HEAD >man &&
	quire top-hash man >expect &&
	test_cmp expect second &&
	quire -C w status --porcelain >out &&
	test_must_be_empty out
'

test_expect_success 'a missing file makes commit fatal, naming it; HEAD stays' '
	mv w/data/b.txt saved-b &&
	test_fatal 128 quire -C w commit -m broken &&
	test_grep "files of these entries are missing" err &&
	test_grep "^	data/b.txt (.*/w/data/b.txt)\$" err &&
	quire -C w rev-parse HEAD >actual &&
	test_cmp second actual &&
	mv saved-b w/data/b.txt
'

test_expect_success 'log before any commit is fatal' '
	mkdir empty &&
	quire -C empty init -q &&
	test_fatal 128 quire -C empty log &&
	test_grep "nothing has been committed yet" err
'

test_expect_success 'setup: a third commit' '
	quire -C w rm -q data/sub/ &&
	quire -C w commit -m third >third
'

test_expect_success 'log lists commits newest first, with messages, and marks HEAD' '
	quire -C w log >out &&
	test_line_count = 6 out &&
	grep -v "^	" out >actual &&
	printf "%s (HEAD)\n%s\n%s\n" $(cat third second first) >expect &&
	test_cmp expect actual &&
	sed -n "s/^	[0-9-]* [0-9:]* UTC	//p" out >actual &&
	printf "%s\n" third second first >expect &&
	test_cmp expect actual
'

test_expect_success 'log -n limits the count' '
	quire -C w log -n 1 >out &&
	test_line_count = 2 out &&
	test_grep "^$(cat third) (HEAD)\$" out
'

test_expect_success 'tag creates a tag at HEAD or at a revision, and lists them' '
	quire -C w tag v3 &&
	quire -C w tag v1 $(cut -c1-10 first) &&
	quire -C w tag >actual &&
	printf "v1\t%s\nv3\t%s\n" $(cat first third) >expect &&
	test_cmp expect actual &&
	quire -C w tag --list >actual &&
	test_cmp expect actual &&
	quire -C w rev-parse v1 >actual &&
	test_cmp first actual
'

test_expect_success 'log shows the tags of each version' '
	quire -C w log >out &&
	test_grep "^$(cat third) (HEAD, tag: v3)\$" out &&
	test_grep "^$(cat first) (tag: v1)\$" out
'

test_expect_success 'tag of an existing name needs -f' '
	test_fatal 128 quire -C w tag v1 HEAD &&
	test_grep "already exists" err &&
	test_grep "pass -f" err &&
	quire -C w rev-parse v1 >actual &&
	test_cmp first actual &&
	quire -C w tag -f v1 $(cat second) &&
	quire -C w rev-parse v1 >actual &&
	test_cmp second actual &&
	quire -C w tag -f v1 $(cat first)
'

test_expect_success 'tag -d deletes; a second delete is fatal' '
	quire -C w tag gone &&
	quire -C w tag -d gone &&
	quire -C w tag >out &&
	test_grep -v "^gone" out &&
	test_fatal 128 quire -C w tag -d gone &&
	test_grep "does not exist" err
'

test_expect_success 'tag refuses a bad name and an unknown revision' '
	test_fatal 128 quire -C w tag "bad name" &&
	test_grep "invalid tag name" err &&
	test_fatal 128 quire -C w tag x 0123456789abcdef &&
	quire -C w tag >out &&
	test_grep -v "^x	" out
'

test_expect_success 'diff with no argument compares HEAD with the workspace' '
	quire -C w diff >out &&
	test_must_be_empty out &&
	echo alpha3 >w/data/a.txt &&
	test_expect_code 1 quire -C w diff >out &&
	echo "modified  data/a.txt" >expect &&
	test_cmp expect out &&
	echo alpha2 >w/data/a.txt &&
	quire -C w diff >out &&
	test_must_be_empty out
'

test_expect_success 'diff of two revisions: added, deleted, modified, metadata' '
	echo delta >w/data/d.txt &&
	quire -C w add -q data/d.txt &&
	quire -C w meta data/b.txt "$META_K" &&
	quire -C w commit -q -m fourth >fourth &&
	test_expect_code 1 quire -C w diff v1 HEAD >out &&
	cat >expect <<-\EOF &&
	modified  data/a.txt
	metadata  data/b.txt
	added     data/d.txt
	deleted   data/sub/c.txt
	EOF
	test_cmp expect out
'

test_expect_success 'diff --stat counts, --name-only names' '
	test_expect_code 1 quire -C w diff --stat v1 HEAD >out &&
	echo "1 added, 1 deleted, 1 modified, 1 metadata only" >expect &&
	test_cmp expect out &&
	test_expect_code 1 quire -C w diff --name-only v1 HEAD >out &&
	printf "%s\n" data/a.txt data/b.txt data/d.txt data/sub/c.txt >expect &&
	test_cmp expect out
'

test_expect_success 'diff --json: one document, the changes with sizes' '
	test_expect_code 1 quire -C w diff --json v1 HEAD >out &&
	test_line_count = 1 out &&
	size_a1=$(echo alpha | wc -c) &&
	size_a2=$(wc -c <w/data/a.txt) &&
	test_grep "{\"status\": \"modified\", \"logical_key\": \"data/a.txt\", \"old_size\": $size_a1, \"new_size\": $size_a2}" out &&
	test_grep "{\"status\": \"added\", \"logical_key\": \"data/d.txt\", \"old_size\": null, \"new_size\": $(wc -c <w/data/d.txt)}" out &&
	test_grep "{\"status\": \"deleted\", \"logical_key\": \"data/sub/c.txt\", \"old_size\": $(wc -c <w/data/sub/c.txt), \"new_size\": null}" out &&
	test_grep "\"added\": 1, \"deleted\": 1, \"modified\": 1, \"metadata\": 1, \"equal\": false}\$" out
'

test_expect_success 'diff exits 0 and prints nothing when there is no difference' '
	quire -C w diff HEAD $(cat fourth) >out &&
	test_must_be_empty out &&
	quire -C w diff --stat v3 v3 >out &&
	echo "0 added, 0 deleted, 0 modified, 0 metadata only" >expect &&
	test_cmp expect out
'

test_expect_success 'diff refuses two formats at once' '
	test_expect_code 129 quire -C w diff --stat --json >out 2>err
'

test_expect_success 'setup: two versions of 1000 entries, a few apart' '
	mkdir -p big/f &&
	i=1 &&
	while test $i -le 1000
	do
		echo $i >big/f/$(printf %04d $i) &&
		i=$(($i + 1)) || return 1
	done &&
	quire -C big init -q ns/big &&
	quire -C big add -q f &&
	quire -C big commit -q -m one >one &&
	quire -C big cat-manifest HEAD >man &&
	test_line_count = 1001 man &&
	echo x >>big/f/0007 &&
	echo y >>big/f/0500 &&
	quire -C big rm -q f/0999 &&
	echo n >big/f/new &&
	quire -C big add -q f/new &&
	quire -C big meta f/0123 "$META_K" &&
	quire -C big commit -q -m two >two
'

test_expect_success 'diff of two 1000-entry versions lists exactly those entries' '
	test_expect_code 1 quire -C big diff $(cat one two) >out &&
	cat >expect <<-\EOF &&
	modified  f/0007
	metadata  f/0123
	modified  f/0500
	deleted   f/0999
	added     f/new
	EOF
	test_cmp expect out &&
	test_expect_code 1 quire -C big diff --stat $(cat one two) >out &&
	echo "1 added, 1 deleted, 2 modified, 1 metadata only" >expect &&
	test_cmp expect out
'

test_done
