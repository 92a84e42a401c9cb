#!/bin/sh
test_description='one way to name a registry: -r, revisions that carry their registry, QUIRE_REGISTRY, :<hash>, origin, pull and registry tags'
. ./test-lib.sh

# file_url DIR: the file:// URL of a folder.
file_url () {
	printf "file://%s" "$(cd "$1" && pwd -P | sed "s/ /%20/g")"
}

test_expect_success 'setup: two versions pushed with -r to a folder registry' '
	mkdir -p w/data &&
	echo alpha >w/data/a.txt &&
	echo beta >w/data/b.txt &&
	quire -C w init -q ns/pkg &&
	quire -C w add -q data &&
	quire -C w commit -q -m v1 >v1 &&
	quire -C w push -q -r "$PWD/reg" -t v1 >pushed &&
	test_cmp v1 pushed &&
	echo gamma >w/data/c.txt &&
	quire -C w add -q data &&
	quire -C w commit -q -m v2 >v2 &&
	quire -C w push -q --registry "$PWD/reg" >pushed &&
	test_cmp v2 pushed &&
	REG=$(file_url reg) &&
	echo "$REG" >regurl
'

test_expect_success '-r is --registry for push-data, push-manifest, list, ls and log' '
	quire -C w push-data -q -r "$PWD/reg" &&
	quire -C w push-manifest -q -r "$PWD/reg" ns/pkg >out &&
	test_cmp v2 out &&
	quire list -r "$PWD/reg" >out &&
	printf "ns/pkg\t%s\n" "$(cat v2)" >expect &&
	test_cmp expect out &&
	quire ls -r "$PWD/reg" ns/pkg:v1 data/ >out &&
	grep "a.txt" out &&
	! grep "c.txt" out &&
	quire log -r "$PWD/reg" ns/pkg >out &&
	grep "$(cut -c1-12 v1)" out &&
	grep "$(cut -c1-12 v2)" out
'

test_expect_success 'push takes -r and a package name, or the old positional registry' '
	quire -C w push -q -r "$PWD/reg2" ns/other >out &&
	test_cmp v2 out &&
	test_path_is_file reg2/.quilt/named_packages/ns/other/latest &&
	quire -C w push -q "$PWD/reg3" >out &&
	test_path_is_file reg3/.quilt/named_packages/ns/pkg/latest &&
	test_expect_code 129 quire -C w push -r "$PWD/reg" a/b c/d
'

test_expect_success 'a file:// revision names its registry: install, ls, cat, diff' '
	quire install -q "$(cat regurl)/ns/pkg:v1" --to i1 >out &&
	test_cmp v1 out &&
	test_cmp w/data/a.txt i1/data/a.txt &&
	test_path_is_missing i1/data/c.txt &&
	quire ls -R "$(cat regurl)/ns/pkg@$(cut -c1-10 v2)" >out &&
	grep "^data/c.txt$" out &&
	quire cat "$(cat regurl)/ns/pkg" data/c.txt >out &&
	test_cmp w/data/c.txt out &&
	test_expect_code 1 quire diff "$(cat regurl)/ns/pkg:v1" \
		"$(cat regurl)/ns/pkg" >out &&
	grep "c.txt" out
'

test_expect_success 'log and show take a package that names its registry' '
	quire log "$(cat regurl)/ns/pkg" >out &&
	grep "$(cut -c1-12 v1)" out &&
	quire show --json "$(cat regurl)/ns/pkg:v1" >out &&
	/usr/bin/python3 -c "import json,sys; d=json.load(open(\"out\")); \
		print(d[\"name\"], d[\"registry\"], d[\"top_hash\"])" >actual &&
	echo "ns/pkg $(cat regurl) $(cat v1)" >expect &&
	test_cmp expect actual
'

test_expect_success '<registry>#<rev> and quilt URIs name their registry too' '
	quire ls -R "$PWD/reg#ns/pkg:v1" >out &&
	! grep c.txt out &&
	quire ls -R "quilt+$(cat regurl)#package=ns/pkg@$(cat v1)" >out &&
	! grep c.txt out &&
	quire ls -R "quilt+$(cat regurl)#package=ns/pkg:latest&catalog=x.org" \
		>out &&
	grep c.txt out
'

test_expect_success 'a quilt URI with &path= installs that part only; elsewhere it names its version' '
	quire install -q "quilt+$(cat regurl)#package=ns/pkg&path=data/c.txt" \
		--to ip >out &&
	test_cmp v2 out &&
	test_path_is_file ip/data/c.txt &&
	test_path_is_missing ip/data/a.txt &&
	quire ls -R "quilt+$(cat regurl)#package=ns/pkg&path=data/c.txt" >out &&
	grep "^data/a.txt$" out
'

test_expect_success 'malformed registry revisions are refused' '
	test_expect_code 128 quire ls "quilt+$(cat regurl)#pkg=ns/pkg" 2>err &&
	grep "fatal: .*pkg=ns/pkg.*is not a part of a quilt URI" err &&
	test_expect_code 128 quire ls "quilt+$(cat regurl)" 2>err &&
	grep "fatal: .*is not a quilt URI" err &&
	test_expect_code 128 quire ls "file:///ns/pkg" 2>err &&
	grep "fatal: .*names no registry and package" err &&
	test_expect_code 128 quire ls "s3://pkg:v1" 2>err &&
	grep "fatal: .*names no registry and package" err
'

test_expect_success 'a registry in the revision and another in -r: refused' '
	test_expect_code 128 quire ls -r "$PWD/reg2" "$(cat regurl)/ns/pkg" \
		2>err &&
	grep "fatal: .*give only one" err &&
	quire ls -r "$(cat regurl)" "$(cat regurl)/ns/pkg" >out &&
	grep data/ out
'

test_expect_success ':<hash prefix> is a version when no tag has that name' '
	quire install -q -r "$PWD/reg" "ns/pkg:$(cut -c1-9 v1)" --to i2 >out &&
	test_cmp v1 out &&
	quire ls -r "$PWD/reg" "ns/pkg:$(cut -c1-12 v2 | tr a-f A-F)" >out &&
	grep data/ out
'

test_expect_success 'an unknown tag names @; a hex one says neither matched' '
	test_expect_code 128 quire ls -r "$PWD/reg" ns/pkg:nosuch 2>err &&
	grep "fatal: package ns/pkg has no tag .nosuch.*ns/pkg@<hash>" err &&
	test_expect_code 128 quire ls -r "$PWD/reg" ns/pkg:abcdef0 2>err &&
	grep "fatal: .*no tag .abcdef0., nor a version whose top hash" err
'

test_expect_success 'a tag wins over a hash prefix of the same spelling' '
	prefix=$(cut -c1-8 v1) &&
	quire -C w push -q -r "$PWD/reg" -t "$prefix" >/dev/null &&
	quire ls -R -r "$PWD/reg" "ns/pkg:$prefix" >out &&
	grep c.txt out
'

test_expect_success 'QUIRE_REGISTRY is the registry when nothing else names one' '
	QUIRE_REGISTRY=$PWD/reg quire ls ns/pkg:v1 >out &&
	grep data/ out &&
	QUIRE_REGISTRY=$PWD/nowhere test_expect_code 128 quire ls ns/pkg 2>err &&
	grep "fatal: .*nowhere" err
'

test_expect_success 'QUIRE_REGISTRY may name a remote; a workspace origin comes first' '
	quire -C w remote add mine "$PWD/reg" &&
	(cd w && QUIRE_REGISTRY=mine quire ls ns/pkg:v1 >../out) &&
	grep data/ out &&
	quire -C w remote add origin "$PWD/reg2" &&
	(cd w && QUIRE_REGISTRY=mine quire ls -R ns/other >../out) &&
	grep c.txt out &&
	quire -C w remote remove origin &&
	(cd w && QUIRE_REGISTRY=nosuchremote test_expect_code 128 \
		quire ls ns/pkg 2>../err) &&
	grep "fatal: no remote .nosuchremote.*QUIRE_REGISTRY" err
'

test_expect_success 'install from a registry records it as the folder origin' '
	quire -C i1 config remote.origin.url >out &&
	echo "$(cat regurl)" >expect &&
	test_cmp expect out
'

test_expect_success 'install of ns/name:<tag> tags the version in the folder' '
	quire -C i1 tag >out &&
	grep "^v1	$(cat v1)" out &&
	quire status i1 >out &&
	grep "ns/pkg:v1" out &&
	quire install -q -r "$PWD/reg" "ns/pkg:$(cut -c1-9 v2)" --to i2h &&
	quire -C i2h tag >out &&
	test_must_be_empty out
'

test_expect_success 'install from the embedded default records no origin' '
	quire -C w push -q >/dev/null &&
	quire install -q ns/pkg --to idef >/dev/null &&
	test_expect_code 1 quire -C idef config remote.origin.url
'

test_expect_success 'push, log and merge in an installed folder talk to its origin' '
	test_must_fail quire -C i1 push -q 2>err &&
	grep "latest. of ns/pkg in $(cat regurl) is $(cat v2)" err &&
	quire -C i1 merge --overwrite ns/pkg >/dev/null &&
	quire install -q ns/pkg --to i1 --force >/dev/null &&
	echo delta >i1/data/d.txt &&
	quire -C i1 add -q data &&
	quire -C i1 commit -q -m v3 >v3 &&
	quire -C i1 push -q >out &&
	test_cmp v3 out &&
	printf "%s" "$(cat v3)" >expect &&
	test_cmp expect reg/.quilt/named_packages/ns/pkg/latest &&
	quire -C i1 log -n 1 ns/pkg >out &&
	grep "$(cut -c1-12 v3)" out
'

test_expect_success 'an origin already there stays, with a note' '
	quire install -q -r "$PWD/reg2" ns/other --to io >/dev/null &&
	mkdir w4 &&
	echo other >w4/o.txt &&
	quire -C w4 init -q ns/other &&
	quire -C w4 add -q o.txt &&
	quire -C w4 commit -q -m other >/dev/null &&
	quire -C w4 push -q -r "$PWD/reg3" >/dev/null &&
	quire install -r "$PWD/reg3" ns/other --to io 2>err >/dev/null &&
	grep "note: .* keeps its origin .*reg2" err &&
	quire -C io config remote.origin.url >out &&
	grep "reg2\$" out
'

test_expect_success 'pull brings a folder up to its origin latest' '
	quire install -q -r "$PWD/reg" ns/pkg:v1 --to ipull >/dev/null &&
	quire -C ipull pull >out 2>err &&
	test_cmp v3 out &&
	grep "pulled ns/pkg@" err &&
	test_cmp i1/data/d.txt ipull/data/d.txt &&
	(cd ipull/data && quire pull >../../out 2>../../err) &&
	test_cmp v3 out &&
	grep "already up to date" err &&
	quire -C ipull verify
'

test_expect_success 'pull keeps local changes unless --force' '
	echo mine >ipull/data/a.txt &&
	echo epsilon >i1/data/e.txt &&
	quire -C i1 add -q data &&
	quire -C i1 commit -q -m v4 >v4 &&
	quire -C i1 push -q >/dev/null &&
	test_expect_code 128 quire -C ipull pull 2>err &&
	grep "fatal:" err &&
	echo mine >expect &&
	test_cmp expect ipull/data/a.txt &&
	quire -C ipull pull -q --force >out &&
	test_cmp v4 out &&
	test_cmp i1/data/a.txt ipull/data/a.txt
'

test_expect_success 'pull refuses to leave an unpushed commit behind' '
	echo zeta >ipull/data/z.txt &&
	quire -C ipull add -q data &&
	quire -C ipull commit -q -m local >local &&
	test_expect_code 128 quire -C ipull pull 2>err &&
	grep "fatal: HEAD (.*) is a version of ns/pkg not in" err &&
	quire -C ipull rev-parse HEAD >out &&
	test_cmp local out
'

test_expect_success 'push -t refuses to move a registry tag; --force-tag moves it' '
	before=$(cat reg/.quilt/named_packages/ns/pkg/latest) &&
	ls reg/.quilt/named_packages/ns/pkg >versions-before &&
	echo eta >i1/data/h.txt &&
	quire -C i1 add -q data &&
	quire -C i1 commit -q -m v5 >v5 &&
	test_expect_code 128 quire -C i1 push -t v1 2>err &&
	grep "fatal: tag .v1. of ns/pkg in .* points to $(cat v1).*--force-tag" err &&
	printf "%s" "$(cat v1)" >expect &&
	test_cmp expect reg/.quire/tags/ns/pkg/v1 &&
	test "$before" = "$(cat reg/.quilt/named_packages/ns/pkg/latest)" &&
	ls reg/.quilt/named_packages/ns/pkg >versions-after &&
	test_cmp versions-before versions-after &&
	quire -C i1 push -q -t v1 --force-tag >out &&
	test_cmp v5 out &&
	printf "%s" "$(cat v5)" >expect &&
	test_cmp expect reg/.quire/tags/ns/pkg/v1
'

test_expect_success 'push -t of the version a tag already names is no move' '
	quire -C i1 push -q -t v1 >out &&
	test_cmp v5 out
'

test_expect_success 'push-manifest -t refuses the same way' '
	test_expect_code 128 quire -C w push-manifest -r "$PWD/reg" -t v1 \
		--force 2>err &&
	grep "fatal: tag .v1." err
'

test_expect_success 'rollback moves latest in the registry the revision names' '
	DEF=$XDG_DATA_HOME/quire/registry/.quilt/named_packages/ns/pkg/latest &&
	before=$(cat "$DEF") &&
	quire rollback "$(cat regurl)/ns/pkg@$(cat v3)" >out 2>err &&
	test_cmp v3 out &&
	printf "%s" "$(cat v3)" >expect &&
	test_cmp expect reg/.quilt/named_packages/ns/pkg/latest &&
	test "$before" = "$(cat "$DEF")" &&
	quire rollback -r "$PWD/reg" ns/pkg:v1 >out &&
	test_cmp v5 out &&
	test_expect_code 128 quire rollback -r "$PWD/reg2" \
		"$(cat regurl)/ns/pkg:v1" 2>err &&
	grep "give only one" err
'

test_expect_success 'push-manifest warns when changes are staged after the commit' '
	echo later >w/data/later.txt &&
	quire -C w add -q data &&
	quire -C w push-manifest -r "$PWD/reg5" >out 2>err &&
	test_cmp v2 out &&
	test_grep "warning: changes staged since the last commit are not in this version (first: .data/later.txt.)" err &&
	quire -C w push-manifest -q -r "$PWD/reg5" 2>err &&
	test_must_be_empty err
'

test_done
