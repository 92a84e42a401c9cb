#!/bin/sh
test_description='quire push, install, verify and checkout over file:// registries'
. ./test-lib.sh

# backdate FILE...: an mtime well in the past, so that the stat cache
# trusts the file (one changed in the last second is always hashed).
backdate () {
	touch -d "1 hour ago" "$@"
}

# settle DIR: backdate the files of DIR and let 'quire status' record
# them in the stat cache, so that a test can tell the files an install
# rewrites (recent) from those it leaves alone (an hour old).
settle () {
	find "$1" -name .quire -prune -o -type f -exec touch -d "1 hour ago" {} + &&
	quire -C "$1" status >/dev/null
}

# file_url DIR: the file:// URL quire writes for a folder.
file_url () {
	printf "file://%s" "$(cd "$1" && pwd -P | sed "s/ /%20/g")"
}

# physical_keys MANIFEST: the first physical key of each entry, in order.
physical_keys () {
	sed -n "s/.*\"physical_keys\": \[\"\([^\"]*\)\"\].*/\1/p" "$1"
}

# installed WS DIR: the files of folder DIR (outside .quire) are those of
# HEAD of workspace WS, each with the bytes of the file of WS at its key.
installed () {
	quire -C "$1" ls-manifest --name-only HEAD >keys &&
	(cd "$2" && find . -name .quire -prune -o -type f -print) |
		sed "s|^\./||" | sort >files &&
	sort keys >expect-files &&
	test_cmp expect-files files &&
	while read f
	do
		cmp "$1/$f" "$2/$f" || return 1
	done <keys
}

test_expect_success 'setup: a workspace with a first commit' '
	REG=$XDG_DATA_HOME/quire/registry &&
	mkdir -p w/data/sub &&
	echo alpha >w/data/a.txt &&
	echo beta >w/data/b.txt &&
	echo gamma >w/data/sub/c.txt &&
	backdate w/data/a.txt w/data/b.txt w/data/sub/c.txt &&
	quire -C w init -q ns/pkg &&
	quire -C w add -q data &&
	quire -C w commit -q -m v1 >v1 &&
	quire -C w tag v1 &&
	cp w/data/a.txt a-v1
'

test_expect_success 'push to the embedded default registry writes quilt3 layout' '
	before=$(date +%s) &&
	quire -C w push -t v1 >out 2>err &&
	after=$(date +%s) &&
	test_cmp v1 out &&
	test_grep "^pushed ns/pkg@$(cut -c1-12 v1) to $(file_url "$REG"): 3 objects copied, 0 already there\$" err &&
	ls "$REG/.quilt/named_packages/ns/pkg" >names &&
	grep -v "^latest\$" names >stamp &&
	test_line_count = 1 stamp &&
	stamp=$(cat stamp) &&
	test "$stamp" -ge "$before" &&
	test "$stamp" -le "$after" &&
	(cd "$REG" && find . -type f) | sort >actual &&
	printf "./%s\n" .quilt/named_packages/ns/pkg/$stamp \
		.quilt/named_packages/ns/pkg/latest .quilt/packages/$(cat v1) \
		.quire/tags/ns/pkg/v1 ns/pkg/data/a.txt ns/pkg/data/b.txt \
		ns/pkg/data/sub/c.txt | sort >expect &&
	test_cmp expect actual
'

test_expect_success 'latest, the timestamp file and the tag hold the top hash, no newline' '
	printf "%s" $(cat v1) >expect &&
	test_cmp expect "$REG/.quilt/named_packages/ns/pkg/latest" &&
	test_cmp expect "$REG/.quilt/named_packages/ns/pkg/$(cat stamp)" &&
	test_cmp expect "$REG/.quire/tags/ns/pkg/v1" &&
	test $(wc -c <"$REG/.quilt/named_packages/ns/pkg/latest") = 64
'

test_expect_success 'the registry manifest is HEAD, named by its top hash' '
	quire -C w cat-manifest HEAD >man &&
	test_cmp man "$REG/.quilt/packages/$(cat v1)" &&
	quire top-hash "$REG/.quilt/packages/$(cat v1)" >actual &&
	test_cmp v1 actual
'

test_expect_success 'after push the physical keys point into the registry' '
	physical_keys man >actual &&
	url=$(file_url "$REG") &&
	for k in data/a.txt data/b.txt data/sub/c.txt
	do
		echo "$url/ns/pkg/$k" || return 1
	done >expect &&
	test_cmp expect actual &&
	for f in a.txt b.txt sub/c.txt
	do
		cmp w/data/$f "$REG/ns/pkg/data/$f" || return 1
	done &&
	quire -C w status --json >out &&
	test_grep "\"local_entries\": 0}" out &&
	quire -C w status --porcelain >out &&
	test_must_be_empty out
'

test_expect_success 'push to a folder registry given as an argument' '
	mkdir wa &&
	echo one >wa/one.txt &&
	quire -C wa init -q ns/arg &&
	quire -C wa add -q one.txt &&
	quire -C wa commit -q >top-a &&
	quire -C wa push "$PWD/rega" >out &&
	test_cmp top-a out &&
	test_path_is_file rega/.quilt/packages/$(cat top-a) &&
	printf "%s" $(cat top-a) >expect &&
	test_cmp expect rega/.quilt/named_packages/ns/arg/latest &&
	cmp wa/one.txt rega/ns/arg/one.txt &&
	test_path_is_missing "$REG/.quilt/named_packages/ns/arg"
'

test_expect_success 'push to the origin remote' '
	mkdir wo &&
	echo two >wo/two.txt &&
	quire -C wo init -q ns/origin &&
	quire -C wo remote add origin "file://$PWD/rego" &&
	quire -C wo add -q two.txt &&
	quire -C wo commit -q >top-o &&
	quire -C wo push >out &&
	test_cmp top-o out &&
	printf "%s" $(cat top-o) >expect &&
	test_cmp expect rego/.quilt/named_packages/ns/origin/latest &&
	cmp wo/two.txt rego/ns/origin/two.txt &&
	quire -C wo cat-manifest HEAD >man-o &&
	test_cmp man-o rego/.quilt/packages/$(cat top-o) &&
	test_path_is_missing "$REG/.quilt/named_packages/ns/origin"
'

test_expect_success 'install into another folder; verify says all is well' '
	quire install ns/pkg --to inst >out 2>err &&
	test_cmp v1 out &&
	test_grep "^installed ns/pkg@$(cut -c1-12 v1) into .*/inst: 3 entries, 3 written, 3 fetched, 0 unchanged\$" err &&
	installed w inst &&
	quire verify inst >out 2>err &&
	test_must_be_empty out &&
	test_grep "^3 files match $(cut -c1-12 v1); 0 changed, 0 missing, 0 extra\$" err &&
	quire -C inst status >out &&
	test_grep "^nothing to commit\$" out
'

test_expect_success 'a new version keeps a changed file under its key: new bytes in the version folder' '
	cp "$REG/ns/pkg/data/a.txt" a-in-registry &&
	echo alpha2 >w/data/a.txt &&
	backdate w/data/a.txt &&
	quire -C w commit -q -m v2 >v2 &&
	quire -C w push >out 2>err &&
	test_cmp v2 out &&
	test_grep "1 object copied, 0 already there" err &&
	dir=$(cut -c1-12 v2) &&
	cmp w/data/a.txt "$REG/ns/pkg/$dir/data/a.txt" &&
	test_cmp a-in-registry "$REG/ns/pkg/data/a.txt" &&
	test_cmp a-v1 "$REG/ns/pkg/data/a.txt" &&
	quire -C w cat-manifest HEAD >man &&
	physical_keys man >actual &&
	url=$(file_url "$REG") &&
	for k in $dir/data/a.txt data/b.txt data/sub/c.txt
	do
		echo "$url/ns/pkg/$k" || return 1
	done >expect &&
	test_cmp expect actual
'

test_expect_success 'install again: only the changed file is written and fetched' '
	settle inst &&
	quire install ns/pkg --to inst >out 2>err &&
	test_cmp v2 out &&
	test_grep "^installed ns/pkg@$(cut -c1-12 v2) into .*/inst: 3 entries, 1 written, 1 fetched, 2 unchanged\$" err &&
	(cd inst && find data -type f -mmin -30) >actual &&
	echo data/a.txt >expect &&
	test_cmp expect actual &&
	installed w inst &&
	quire verify inst 2>err
'

test_expect_success 'install right after an install moves to the new version' '
	quire install ns/pkg:v1 --to quick >out 2>err &&
	test_cmp v1 out &&
	quire install ns/pkg --to quick >out 2>err &&
	test_cmp v2 out &&
	test_grep "3 entries, 1 written, 1 fetched, 2 unchanged" err &&
	installed w quick
'

test_expect_success 'files deleted upstream are kept and reported' '
	quire -C w rm -q data/b.txt &&
	quire -C w commit -q -m v3 >v3 &&
	quire -C w push -q >/dev/null &&
	settle inst &&
	quire install ns/pkg --to inst >out 2>err &&
	test_cmp v3 out &&
	test_grep "were kept (--force removes them)" err &&
	test_grep "^data/b.txt\$" err &&
	test_path_is_file inst/data/b.txt &&
	test_expect_code 1 quire verify inst >out 2>/dev/null &&
	echo "extra: data/b.txt" >expect &&
	test_cmp expect out &&
	rm inst/data/b.txt
'

test_expect_success '... and removed with --force' '
	quire -C w rm -q data/sub/ &&
	quire -C w commit -q -m v4 >v4 &&
	quire -C w push -q >/dev/null &&
	settle inst &&
	quire install --force ns/pkg --to inst >out 2>err &&
	test_cmp v4 out &&
	test_grep "^removed 1 file no longer in the package\$" err &&
	test_grep -v "were kept" err &&
	test_path_is_missing inst/data/sub/c.txt &&
	quire verify inst 2>/dev/null
'

test_expect_success 'a local change stops install, naming the file; nothing is written' '
	echo alpha5 >w/data/a.txt &&
	echo delta >w/data/d.txt &&
	backdate w/data/a.txt w/data/d.txt &&
	quire -C w add -q data/d.txt &&
	quire -C w commit -q -m v5 >v5 &&
	quire -C w push -q >/dev/null &&
	settle inst &&
	echo local >inst/data/a.txt &&
	test_fatal 128 quire install ns/pkg --to inst &&
	test_grep "would be overwritten" err &&
	test_grep "^	data/a.txt\$" err &&
	echo local >expect &&
	test_cmp expect inst/data/a.txt &&
	test_path_is_missing inst/data/d.txt &&
	quire -C inst rev-parse HEAD >actual &&
	test_cmp v4 actual
'

test_expect_success '... unless --force' '
	quire install --force ns/pkg --to inst >out 2>err &&
	test_cmp v5 out &&
	installed w inst &&
	quire verify inst 2>/dev/null
'

test_expect_success 'each pushed version has its timestamp file, even within a second' '
	(cd "$REG/.quilt/named_packages/ns/pkg" && ls | grep -v "^latest\$" |
		sort -n | while read t
		do
			cat $t && echo || exit 1
		done) >actual &&
	cat v1 v2 v3 v4 v5 >expect &&
	test_cmp expect actual
'

test_expect_success 'log of the package in the registry lists every version' '
	quire log ns/pkg >out &&
	grep -v "^	" out >actual &&
	printf "%s (latest)\n%s\n%s\n%s\n%s (tag: v1)\n" \
		$(cat v5 v4 v3 v2 v1) >expect &&
	test_cmp expect actual &&
	sed -n "s/^	[0-9-]* [0-9:]* UTC	//p" out >actual &&
	printf "%s\n" v5 v4 v3 v2 v1 >expect &&
	test_cmp expect actual
'

test_expect_success 'verify exits 1 and lists changed, missing and extra files' '
	echo tampered >inst/data/a.txt &&
	rm inst/data/d.txt &&
	echo extra >inst/extra.txt &&
	test_expect_code 1 quire verify inst >out 2>err &&
	sort out >actual &&
	sort >expect <<-\EOF &&
	changed: data/a.txt
	extra: extra.txt
	missing: data/d.txt
	EOF
	test_cmp expect actual &&
	test_grep "^0 files match $(cut -c1-12 v5); 1 changed, 1 missing, 1 extra\$" err &&
	test_expect_code 1 quire verify -q inst >out 2>err &&
	test_must_be_empty out
'

test_expect_success 'checkout refuses to overwrite a tampered file, --force restores it' '
	test_fatal 128 quire -C inst checkout &&
	test_grep "^	data/a.txt\$" err &&
	echo tampered >expect &&
	test_cmp expect inst/data/a.txt &&
	quire -C inst checkout --force 2>err &&
	test_grep "^checked out $(cut -c1-12 v5): 2 written" err &&
	rm inst/extra.txt &&
	installed w inst &&
	quire verify inst 2>/dev/null
'

test_expect_success 'install --path installs only that folder; verify still exits 0' '
	quire install ns/pkg:v1 --path data/sub --to part >out 2>err &&
	test_cmp v1 out &&
	(cd part && find . -name .quire -prune -o -type f -print) >actual &&
	echo ./data/sub/c.txt >expect &&
	test_cmp expect actual &&
	test_cmp w/data/sub/c.txt part/data/sub/c.txt &&
	quire verify part 2>err &&
	test_grep "^1 file match $(cut -c1-12 v1); 0 changed, 0 missing, 0 extra (entries not installed are not checked)\$" err
'

test_expect_success 'a copy from a folder registry reads its file, not the cache' '
	rm -rf "$XDG_CACHE_HOME/quire/objects" &&
	quire install ns/pkg --to copied 2>err &&
	installed w copied &&
	test_grep " \([0-9]*\) written, \1 fetched, 0 unchanged" err &&
	find "$XDG_CACHE_HOME/quire/objects" -type f >objects &&
	test_line_count = 0 objects
'

# Hard links are made from the cache, so it holds what they need.
test_expect_success 'a corrupt object in the cache is fetched again during install' '
	quire install ns/pkg --link hardlink --to seed 2>err &&
	find "$XDG_CACHE_HOME/quire/objects" -type f >objects &&
	while read obj
	do
		if cmp -s "$obj" w/data/d.txt
		then
			echo "$obj"
		fi || return 1
	done <objects >cached &&
	test_line_count = 1 cached &&
	obj=$(cat cached) &&
	chmod u+w "$obj" &&
	echo garbage >"$obj" &&
	quire install ns/pkg --link hardlink --to again >out 2>err &&
	test_grep "^warning: the cached copy of .data/d.txt. (.*) is corrupt; fetching it again\$" err &&
	installed w again &&
	cmp w/data/d.txt "$obj" &&
	quire verify again 2>/dev/null
'

test_expect_success '... and during checkout' '
	obj=$(cat cached) &&
	chmod u+w "$obj" &&
	echo garbage >"$obj" &&
	rm again/data/d.txt &&
	quire -C again checkout --link hardlink 2>err &&
	test_grep "^warning: the cached copy of .data/d.txt. (.*) is corrupt; fetching it again\$" err &&
	cmp w/data/d.txt again/data/d.txt &&
	cmp w/data/d.txt "$obj" &&
	quire verify again 2>/dev/null
'

test_expect_success 'install --link hardlink: files share the cache, read-only' '
	quire install ns/pkg --link hardlink --to linked >out 2>err &&
	test_cmp v5 out &&
	installed w linked &&
	for f in data/a.txt data/d.txt
	do
		test $(stat -c %h linked/$f) -ge 2 &&
		test -z "$(find linked/$f -perm /222)" || return 1
	done &&
	quire verify linked 2>/dev/null
'

test_expect_success 'checkout of an older tag rewrites the folder' '
	quire -C w checkout v1 2>err &&
	test_grep "^checked out $(cut -c1-12 v1): " err &&
	test_cmp a-v1 w/data/a.txt &&
	echo beta >expect &&
	test_cmp expect w/data/b.txt &&
	echo gamma >expect &&
	test_cmp expect w/data/sub/c.txt &&
	test_grep "^data/d.txt\$" err &&
	quire -C w rev-parse HEAD >actual &&
	test_cmp v1 actual &&
	quire -C w status --porcelain >out &&
	echo "? data/d.txt" >expect &&
	test_cmp expect out
'

test_expect_success 'a second workspace of the same name cannot push over latest' '
	mkdir w2 &&
	echo other >w2/other.txt &&
	quire -C w2 init -q ns/pkg &&
	quire -C w2 add -q other.txt &&
	quire -C w2 commit -q -m elsewhere >top2 &&
	test_fatal 128 quire -C w2 push &&
	test_grep "$(cat v5)" err &&
	test_grep "$(cat top2)" err &&
	test_grep "pass --force" err &&
	printf "%s" $(cat v5) >expect &&
	test_cmp expect "$REG/.quilt/named_packages/ns/pkg/latest"
'

test_expect_success '... unless --force, which moves latest' '
	quire -C w2 push --force >out &&
	test_cmp top2 out &&
	printf "%s" $(cat top2) >expect &&
	test_cmp expect "$REG/.quilt/named_packages/ns/pkg/latest"
'

test_expect_success 'push-manifest with local files to a file:// registry is allowed' '
	mkdir wl &&
	echo local >wl/l.txt &&
	quire -C wl init -q ns/local &&
	quire -C wl add -q l.txt &&
	quire -C wl commit -q >top-l &&
	quire -C wl push-manifest "file://$PWD/regl" >out &&
	test_cmp top-l out &&
	quire -C wl cat-manifest HEAD >man-l &&
	test_cmp man-l regl/.quilt/packages/$(cat top-l) &&
	physical_keys man-l >actual &&
	printf "%s/l.txt\n" "$(file_url wl)" >expect &&
	test_cmp expect actual &&
	test_path_is_missing regl/ns
'

test_expect_success 'push-data --prefix puts the data there' '
	mkdir wp &&
	echo first >wp/x.txt &&
	quire -C wp init -q ns/prefixed &&
	quire -C wp add -q x.txt &&
	quire -C wp commit -q >/dev/null &&
	quire -C wp push-data --prefix data/v1/ "$PWD/regp" 2>err &&
	test_grep "^1 object copied to .* ($(wc -c <wp/x.txt) bytes), 0 already there\$" err &&
	cmp wp/x.txt regp/data/v1/x.txt &&
	cp regp/data/v1/x.txt x-pushed
'

test_expect_success 'a conflicting push-data with the same prefix is refused' '
	echo second >wp/x.txt &&
	quire -C wp commit -q >/dev/null &&
	test_fatal 128 quire -C wp push-data --prefix data/v1/ "$PWD/regp" &&
	test_grep "data/v1/x.txt. in .* already holds other bytes" err &&
	test_cmp x-pushed regp/data/v1/x.txt
'

test_expect_success 'a bad logical key in a registry manifest stops install first' '
	mkdir -p rege/.quilt/packages rege/.quilt/named_packages/ev/il tgt &&
	echo payload >payload &&
	quire hash-object payload >hash &&
	url=$(file_url .)/payload &&
	for key in ok.txt ../evil
	do
		printf "{\"logical_key\": \"%s\", \"physical_keys\": [\"%s\"], \"size\": %d, \"hash\": {\"type\": \"sha2-256-chunked\", \"value\": \"%s\"}, \"meta\": {}}\n" \
			"$key" "$url" $(wc -c <payload) $(cat hash) || return 1
	done >entries &&
	{ echo "{\"version\": \"v0\"}" && cat entries; } >evil.jsonl &&
	quire top-hash evil.jsonl >top-e &&
	cp evil.jsonl rege/.quilt/packages/$(cat top-e) &&
	printf "%s" $(cat top-e) >rege/.quilt/named_packages/ev/il/latest &&
	test_fatal 128 quire install ev/il --registry "$PWD/rege" --to tgt/inst &&
	test_grep "invalid logical key .\.\./evil." err &&
	test_path_is_missing tgt/evil &&
	test_path_is_missing evil &&
	ls -A tgt >actual &&
	echo inst >expect &&
	test_cmp expect actual &&
	ls -A tgt/inst >actual &&
	echo .quire >expect &&
	test_cmp expect actual
'

test_expect_success 'install of an unknown package or from a missing registry is fatal' '
	test_fatal 128 quire install no/such --to x1 &&
	test_grep "no package no/such in" err &&
	test_fatal 128 quire install ns/pkg:nosuchtag --to x2 &&
	test_grep "has no tag .nosuchtag." err &&
	test_fatal 128 quire install ns/pkg --registry "$PWD/nowhere" --to x3 &&
	test_grep "registry .*/nowhere. does not exist" err &&
	test_fatal 128 quire install ns/pkg --registry "file://$PWD/nowhere" --to x4 &&
	test_grep "registry .*/nowhere. does not exist" err &&
	test_path_is_missing nowhere
'

test_expect_success 'checkout --force never removes files it did not place' '
	mkdir -p safe/ws safe/ext &&
	echo outside >safe/ext/q.txt &&
	(
		cd safe/ws &&
		quire init -q ns/safe &&
		mkdir data &&
		echo d >data/d.txt &&
		quire add -q data &&
		quire commit -q -m one >/dev/null &&
		quire add -q ../ext/q.txt &&
		quire mv data train &&
		quire checkout --force -q
	) &&
	test_path_is_file safe/ext/q.txt &&
	test_path_is_file safe/ws/data/d.txt
'

test_expect_success 'a kept file is removed by a later --force' '
	mkdir -p kp/src &&
	(
		cd kp/src &&
		quire init -q ns/kept &&
		echo a >a && echo b >b &&
		quire add -q a && quire add -q b &&
		quire commit -q -m one >/dev/null &&
		quire push -q -t v1 >/dev/null &&
		quire rm -q b &&
		quire commit -q -m two >/dev/null &&
		quire push -q >/dev/null
	) &&
	quire install -q ns/kept:v1 --to kp/inst >/dev/null &&
	test_path_is_file kp/inst/b &&
	quire install ns/kept --to kp/inst >/dev/null 2>err &&
	test_grep "no longer in the package" err &&
	test_path_is_file kp/inst/b &&
	quire install -q --force ns/kept --to kp/inst >/dev/null &&
	test_path_is_missing kp/inst/b &&
	test_path_is_file kp/inst/a &&
	quire verify -q kp/inst
'

test_expect_success 'a failed install leaves no folder behind to block the next one' '
	test_fatal 128 quire install no/such --to x5 &&
	test_path_is_missing x5 &&
	quire install ns/pkg --to x5 >out &&
	test_cmp top2 out
'

test_done
