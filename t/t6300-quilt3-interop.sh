#!/bin/sh
test_description='quire installs, logs and diffs packages from a registry quilt3 wrote'
. ./test-lib.sh

. "$TEST_DIRECTORY/lib-quilt3-fixture.sh"
REG_URL=file://$FIXTURE/reg
B_SIZE=9437184

# settle DIR: backdate the files of DIR and let 'quire status' record
# them in the stat cache, so that a test can tell the files an install
# rewrites (recent) from those it leaves alone (an hour old).
settle () {
	find "$1" -name .quire -prune -o -type f -exec touch -d "1 hour ago" {} + &&
	quire -C "$1" status >/dev/null
}

# files_of DIR: the files below DIR (outside .quire), sorted.
files_of () {
	(cd "$1" && find . -name .quire -prune -o -type f -print) | sort
}

# same_files A B: folders A and B hold the same files, byte for byte.
same_files () {
	files_of "$1" >files-a &&
	files_of "$2" >files-b &&
	test_cmp files-a files-b &&
	while read f
	do
		cmp "$1/$f" "$2/$f" || return 1
	done <files-a
}

# message_of TOP: the message in the first line of a fixture manifest.
message_of () {
	sed -n "1s/.*\"message\": \"\([^\"]*\)\".*/\1/p" "$FIXTURE/reg/.quilt/packages/$1"
}

# stamp_of NAME TOP: the timestamp file of NAME that names TOP.
stamp_of () {
	(cd "$FIXTURE/reg/.quilt/named_packages/$1" && grep -l "^$2\$" [0-9]*)
}

test_expect_success FIXTURE 'setup: the fixture in place, its big files generated' '
	cp -R "$VECTORS/quilt3-registry/." "$FIXTURE/" &&
	chmod -R u+w "$FIXTURE" &&
	for v in v1 v2
	do
		mkdir -p "$FIXTURE/data/$v/sub" &&
		genfile $B_SIZE >"$FIXTURE/data/$v/sub/b.bin" || return 1
	done &&
	V1=$(sed -n "s|^fixture/pkg v1 ||p" "$FIXTURE/expected.txt") &&
	V2=$(sed -n "s|^fixture/pkg v2 ||p" "$FIXTURE/expected.txt") &&
	SINGLE=$(sed -n "s|^other/single ||p" "$FIXTURE/expected.txt") &&
	test -n "$V1" && test -n "$V2" && test -n "$SINGLE"
'

test_expect_success FIXTURE 'the generated files have the hash the manifests give' '
	quire hash-object "$FIXTURE/data/v1/sub/b.bin" >actual &&
	for top in $V1 $V2
	do
		sed -n "s|.*\"logical_key\": \"sub/b.bin\".*\"value\": \"\([^\"]*\)\".*|\1|p" \
			"$FIXTURE/reg/.quilt/packages/$top" >expect &&
		test_cmp expect actual || return 1
	done &&
	cmp "$FIXTURE/data/v1/sub/b.bin" "$FIXTURE/data/v2/sub/b.bin"
'

test_expect_success FIXTURE 'quire finds the top hashes quilt3 named its manifests by' '
	ls "$FIXTURE/reg/.quilt/packages" >actual &&
	printf "%s\n" $V1 $V2 $SINGLE | sort >expect &&
	test_cmp expect actual &&
	for top in $V1 $V2 $SINGLE
	do
		quire top-hash "$FIXTURE/reg/.quilt/packages/$top" >actual &&
		echo $top >expect &&
		test_cmp expect actual || return 1
	done
'

test_expect_success FIXTURE 'quilt3 local registries name files outside them: install asks first' '
	test_fatal 128 quire install fixture/pkg --registry "$REG_URL" --to refused &&
	test_grep "file:///tmp/quire-quilt3-fixture/data/v2/.* outside the registry" err &&
	test_grep "pass --allow-local-files" err &&
	test_path_is_missing refused/README.md
'

test_expect_success FIXTURE 'install takes latest (v2); verify exits 0; the files are v2' '
	printf "%s" $V2 >expect &&
	test_cmp expect "$FIXTURE/reg/.quilt/named_packages/fixture/pkg/latest" &&
	quire install --allow-local-files fixture/pkg --registry "$REG_URL" --to inst >out 2>err &&
	echo $V2 >expect &&
	test_cmp expect out &&
	quire verify inst 2>err &&
	test_grep "^5 files match $(echo $V2 | cut -c1-12); 0 changed, 0 missing, 0 extra\$" err &&
	same_files "$FIXTURE/data/v2" inst &&
	quire -C inst status >out &&
	test_grep "^nothing to commit\$" out
'

test_expect_success FIXTURE 'install @<prefix of v1> installs v1' '
	quire install --allow-local-files fixture/pkg@$(echo $V1 | cut -c1-8) --registry "$REG_URL" --to inst1 >out &&
	echo $V1 >expect &&
	test_cmp expect out &&
	quire verify inst1 2>/dev/null &&
	same_files "$FIXTURE/data/v1" inst1
'

test_expect_success FIXTURE 'the package metadata of the version is kept' '
	sed -n "1s/.*\"user_meta\": \({[^}]*}\).*/\1/p" "$FIXTURE/reg/.quilt/packages/$V1" >expect &&
	test_line_count = 1 expect &&
	quire -C inst1 meta --package >actual &&
	test_cmp expect actual
'

test_expect_success FIXTURE 'log lists both versions, newest first, with times and messages' '
	quire log fixture/pkg --registry "$REG_URL" >out &&
	t1=$(stamp_of fixture/pkg $V1) &&
	t2=$(stamp_of fixture/pkg $V2) &&
	{
		echo "$V2 (latest)" &&
		printf "\t%s\t%s\n" "$(date -u -d @$t2 "+%Y-%m-%d %H:%M:%S UTC")" "$(message_of $V2)" &&
		echo "$V1" &&
		printf "\t%s\t%s\n" "$(date -u -d @$t1 "+%Y-%m-%d %H:%M:%S UTC")" "$(message_of $V1)"
	} >expect &&
	test_cmp expect out &&
	test -n "$(message_of $V1)" &&
	test -n "$(message_of $V2)"
'

test_expect_success FIXTURE 'other/single installs too' '
	quire install --allow-local-files other/single --registry "$FIXTURE/reg" --to single >out &&
	echo $SINGLE >expect &&
	test_cmp expect out &&
	quire verify single 2>/dev/null &&
	files_of single >actual &&
	echo ./only.txt >expect &&
	test_cmp expect actual &&
	cmp "$FIXTURE/data/v1/a.txt" single/only.txt
'

test_expect_success FIXTURE 'diff of the two quilt3 versions, outside any workspace' '
	files_of "$FIXTURE/data/v1" >f1 &&
	files_of "$FIXTURE/data/v2" >f2 &&
	comm -12 f1 f2 >both &&
	while read f
	do
		if ! cmp -s "$FIXTURE/data/v1/$f" "$FIXTURE/data/v2/$f"
		then
			echo "modified $f"
		fi || return 1
	done <both >modified &&
	comm -13 f1 f2 | sed "s/^/added /" >added &&
	comm -23 f1 f2 | sed "s/^/deleted /" >deleted &&
	cat added deleted modified | sed "s|\./||" | sort -k 2 >changes &&
	while read kind key
	do
		printf "%-9s %s\n" $kind "$key" || return 1
	done <changes >expect &&
	test_line_count = 3 expect &&
	# and the package metadata: user_meta "version" 1, then 2
	printf "%-9s %s\n" metadata "(package)" >>expect &&
	test_expect_code 1 quire diff --registry "$REG_URL" fixture/pkg@$V1 fixture/pkg@$V2 >out &&
	test_cmp expect out
'

test_expect_success FIXTURE 'v2 over v1 in the same folder writes only what changed' '
	quire install --allow-local-files fixture/pkg@$V1 --registry "$REG_URL" --to upd >out &&
	settle upd &&
	quire install --allow-local-files fixture/pkg --registry "$REG_URL" --to upd >out 2>err &&
	echo $V2 >expect &&
	test_cmp expect out &&
	grep -v "^deleted" changes | sed "s/^[a-z]* /.\//" | sort >expect &&
	(cd upd && find . -name .quire -prune -o -type f -mmin -30 -print) | sort >actual &&
	test_cmp expect actual &&
	test_grep "$(wc -l <expect) written" err &&
	sed -n "s/^deleted //p" changes >expect &&
	test_grep "were kept" err &&
	test_grep "^$(cat expect)\$" err &&
	rm "upd/$(cat expect)" &&
	same_files "$FIXTURE/data/v2" upd &&
	quire verify upd 2>/dev/null
'

test_expect_success FIXTURE 'installs never write into the quilt3 registry' '
	test_when_finished "rm -rf \"$FIXTURE\"" &&
	files_of "$VECTORS/quilt3-registry/reg" >expect &&
	files_of "$FIXTURE/reg" >actual &&
	test_cmp expect actual &&
	while read f
	do
		cmp "$VECTORS/quilt3-registry/reg/$f" "$FIXTURE/reg/$f" || return 1
	done <expect
'

test_done
