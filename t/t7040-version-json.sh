#!/bin/sh
test_description='show, log and lineage documents built by the library, from many threads, as quire serve builds them'
. ./test-lib.sh

# The library is called outside any workspace, as a server does; the
# command's --json output is the reference.

# vj ARGS...: test-tool version-json on 8 threads at once.
vj () {
	test-tool version-json --threads 8 "$@"
}

# same_as_cli WHAT REV [OPTS]: the library's document equals the command's.
same_as_cli () {
	vj $3 "$1" "$PWD/r1" "$2" >lib &&
	quire "$1" --json $3 -r "$PWD/r1" "$2" >cli &&
	test_cmp cli lib
}

test_expect_success 'setup: ns/a three times in r1, ns/b with parents in r1 and r2' '
	mkdir wa &&
	mkdir wa/data &&
	echo one >wa/data/x &&
	echo top >wa/top.txt &&
	quire -C wa init -q ns/a &&
	quire -C wa add -q . &&
	quire -C wa commit -q -m "first
with a body" >a1 &&
	quire -C wa push -q -t v1 "$PWD/r1" >/dev/null &&
	echo two >wa/top.txt &&
	quire -C wa commit -q -m second >a2 &&
	quire -C wa push -q -t v2 "$PWD/r1" >/dev/null &&
	echo three >wa/top.txt &&
	quire -C wa commit -q -m third >a3 &&
	quire -C wa push -q "$PWD/r1" >/dev/null &&
	quire -C wa push -q "$PWD/r2" >/dev/null &&
	mkdir wb &&
	echo b >wb/b.txt &&
	quire -C wb init -q ns/b &&
	quire -C wb add -q b.txt &&
	quire -C wb commit -q -m B --parent "$PWD/r1#ns/a:v1" \
		--parent "$PWD/r2#ns/a" --source-commit c0ffee >b &&
	quire -C wb push -q "$PWD/r1" >/dev/null
'

test_expect_success 'show: by name, tag, hash prefix and a URL, as show --json' '
	same_as_cli show ns/a &&
	same_as_cli show ns/a:v1 &&
	same_as_cli show "ns/a@$(cut -c1-8 a2)" &&
	same_as_cli show ns/b &&
	vj show - "file://$PWD/r1/ns/a:v2" >lib &&
	quire show --json "file://$PWD/r1/ns/a:v2" >cli &&
	test_cmp cli lib
'

test_expect_success 'log: every version newest first, or the last -n, as log --json' '
	same_as_cli log ns/a &&
	same_as_cli log ns/a "-n 2" &&
	same_as_cli log ns/b &&
	test_grep "\"refs\": \\[\"latest\"\\]" lib
'

test_expect_success 'lineage: the graph across two registries, as lineage --json' '
	same_as_cli lineage ns/b &&
	test_grep "\"message\": \"first\\\\nwith a body\"" lib &&
	test_grep "\"message\": \"third\"" lib &&
	same_as_cli lineage ns/a:v2
'

test_expect_success PYTHON3 'lineage may keep to the registry asked for, and stop early' '
	vj --same-registry lineage "$PWD/r1" ns/b >lib &&
	python3 -c "
import json, sys
doc = json.load(open(\"lib\"))
got = [(n[\"name\"], n.get(\"error\")) for n in doc[\"nodes\"]]
assert got == [(\"ns/b\", None), (\"ns/a\", None),
               (\"ns/a\", \"recorded in another registry; not opened here\")], got
" &&
	vj --max-nodes 2 lineage "$PWD/r1" ns/b >lib &&
	python3 -c "
import json
doc = json.load(open(\"lib\"))
assert [n[\"name\"] for n in doc[\"nodes\"]] == [\"ns/b\", \"ns/a\"], doc
"
'

# fails CODE WHAT REV: the library refuses with CODE, saying what the
# command says after "fatal: ".
fails () {
	test_expect_code 1 vj "$2" "$PWD/r1" "$3" 2>lib.err &&
	test_grep "^$1: " lib.err &&
	test_fatal 128 quire "$2" --json -r "$PWD/r1" "$3" &&
	sed "s/^fatal: /$1: /" err >expect &&
	test_cmp expect lib.err
}

test_expect_success 'an unknown package, tag or version is QERR_NOTFOUND' '
	for what in show lineage
	do
		fails QERR_NOTFOUND $what ns/nope &&
		fails QERR_NOTFOUND $what ns/a:nope &&
		fails QERR_NOTFOUND $what ns/a@000000 || return 1
	done &&
	fails QERR_NOTFOUND log ns/nope &&
	test_expect_code 1 vj show "$PWD/nowhere" ns/a 2>lib.err &&
	test_grep "^QERR_NOTFOUND: " lib.err
'

test_expect_success 'a revision not spelled as one is QERR_USAGE' '
	for what in show lineage
	do
		fails QERR_USAGE $what ns/a@zz &&
		fails QERR_USAGE $what "ns/a:bad tag" &&
		fails QERR_USAGE $what "n s/a" || return 1
	done &&
	fails QERR_USAGE log "n s/a" &&
	fails QERR_USAGE log ns/a:v1
'

test_expect_success 'a manifest missing from the registry is an error, not a death' '
	cp -R r1 broken &&
	rm "broken/.quilt/packages/$(cat a1)" &&
	test_expect_code 1 vj log "$PWD/broken" ns/a 2>lib.err &&
	test_grep "^QERR_NOTFOUND: .*$(cat a1)" lib.err &&
	XDG_CACHE_HOME=$PWD/new-cache &&
	export XDG_CACHE_HOME &&
	test_expect_code 1 vj show "$PWD/broken" ns/a:v1 2>lib.err &&
	test_grep "^QERR_NOTFOUND: .*$(cat a1)" lib.err &&
	test_fatal 128 quire show -r "$PWD/broken" ns/a:v1 &&
	sed "s/^fatal: /QERR_NOTFOUND: /" err >expect &&
	test_cmp expect lib.err
'

test_done
