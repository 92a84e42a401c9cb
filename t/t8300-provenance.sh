#!/bin/sh
test_description='provenance: commit options, required provenance, lineage'
. ./test-lib.sh

# The trash directory lies inside quire's own git repository: git must
# not find it from here.
GIT_CEILING_DIRECTORIES=$(pwd -P)
export GIT_CEILING_DIRECTORIES

# file_url DIR: the file:// URL quire writes for a folder.
file_url () {
	printf "file://%s" "$(cd "$1" && pwd -P | sed "s/ /%20/g")"
}

# line1 WS: line 1 of the manifest of HEAD of workspace WS, into line1.
line1 () {
	quire -C "$1" cat-manifest HEAD >man &&
	head -n 1 man >line1
}

# prov EXPR: print the Python expression EXPR, where p is the provenance
# object of line1 (None when there is none).
prov () {
	python3 -c "import json; p = json.load(open('line1')).get('provenance'); print($1)"
}

git_commit () {
	git -c user.name=T -c user.email=t@example.org commit -q "$@"
}

short () {
	cut -c1-12 "$1"
}

test_expect_success 'setup: ns/a in registry r1, twice, the first tagged v1' '
	mkdir wa &&
	echo a >wa/a.txt &&
	quire -C wa init -q ns/a &&
	quire -C wa add -q a.txt &&
	quire -C wa commit -q -m A1 >a1 &&
	quire -C wa push -q -t v1 "$PWD/r1" >/dev/null &&
	echo a2 >wa/a.txt &&
	quire -C wa commit -q -m A >a2 &&
	quire -C wa push -q "$PWD/r1" >/dev/null &&
	R1=$(file_url r1) &&
	mkdir wb &&
	echo b >wb/b.txt &&
	quire -C wb init -q ns/b &&
	quire -C wb add -q b.txt &&
	printf "input data\n" >in.txt
'

test_expect_success '--parent <folder>#<ns>/<name> records name, registry URL, top hash' '
	quire -C wb commit -q -m B --parent "$PWD/r1#ns/a" >b &&
	line1 wb &&
	printf "{\"version\": \"v0\", \"provenance\": {\"parents\": [{\"name\": \"ns/a\", \"registry\": \"%s\", \"top_hash\": \"%s\"}]}, \"message\": \"B\"}\n" \
		"$R1" "$(cat a2)" >expect &&
	test_cmp expect line1
'

test_expect_success PYTHON3 'a tag, a prefix, a URL, a remote and quilt URIs resolve too' '
	quire -C wb remote add up "$R1" &&
	for rev in "$PWD/r1#ns/a:v1" "$R1#ns/a@$(cut -c1-8 a1)" "up#ns/a:v1" \
		"quilt+$R1#package=ns/a@$(cat a1)" \
		"quilt+$R1#package=ns/a@$(cut -c1-10 a1)&path=a.txt"
	do
		quire -C wb commit -q --parent "$rev" >/dev/null &&
		line1 wb &&
		prov "p[\"parents\"][0][\"top_hash\"], p[\"parents\"][0][\"registry\"]" >actual &&
		echo "$(cat a1) $R1" >expect &&
		test_cmp expect actual || return 1
	done &&
	quire -C wb commit -q --parent "quilt+$R1#package=ns/a:latest" >/dev/null &&
	line1 wb &&
	prov "p[\"parents\"][0][\"top_hash\"]" >actual &&
	test_cmp a2 actual
'

test_expect_success PYTHON3 'without <registry>#: the origin remote, else the default registry' '
	quire -C wa push -q >/dev/null &&
	quire -C wb commit -q --parent ns/a >/dev/null &&
	line1 wb &&
	prov "p[\"parents\"][0][\"registry\"], p[\"parents\"][0][\"top_hash\"]" >actual &&
	echo "$(file_url "$XDG_DATA_HOME/quire/registry") $(cat a2)" >expect &&
	test_cmp expect actual &&
	quire -C wa push -q "$PWD/ro" >/dev/null &&
	mkdir wo &&
	echo o >wo/o.txt &&
	quire -C wo init -q ns/o &&
	quire -C wo remote add origin "$PWD/ro" &&
	quire -C wo add -q o.txt &&
	quire -C wo commit -q --parent ns/a >/dev/null &&
	line1 wo &&
	prov "p[\"parents\"][0][\"registry\"]" >actual &&
	file_url ro >expect &&
	echo >>expect &&
	test_cmp expect actual
'

test_expect_success PYTHON3 'the same parent named twice is recorded once' '
	quire -C wb commit -q --parent "$PWD/r1#ns/a" --parent "up#ns/a" \
		--parent "up#ns/a:v1" >/dev/null &&
	line1 wb &&
	prov "[x[\"top_hash\"] for x in p[\"parents\"]] == [\"$(cat a2)\", \"$(cat a1)\"]" >actual &&
	echo True >expect &&
	test_cmp expect actual
'

test_expect_success 'a parent that cannot be found is fatal; HEAD stays' '
	quire -C wb rev-parse HEAD >head &&
	test_fatal 128 quire -C wb commit --parent "$PWD/r1#ns/nope" &&
	test_grep "parent .*#ns/nope.: no package ns/nope in $R1" err &&
	test_fatal 128 quire -C wb commit --parent "up#ns/a@000000000" &&
	test_grep "no package version 000000000\.\.\. in $R1; check it, or push the parent first" err &&
	test_fatal 128 quire -C wb commit --parent "up#ns/a:v9" &&
	test_grep "has no tag .v9." err &&
	test_fatal 128 quire -C wb commit --parent "$PWD/nowhere#ns/a" &&
	test_grep "registry .*nowhere. does not exist" err &&
	test_fatal 128 quire -C wb commit --parent "nosuchremote#ns/a" &&
	test_grep "no remote .nosuchremote." err &&
	test_fatal 128 quire -C wb commit --parent HEAD &&
	test_grep "is not a package; name it as <ns>/<name>" err &&
	test_fatal 128 quire -C wb commit --parent "quilt+s3://bucket" &&
	test_grep "is not a quilt URI: write quilt+s3:" err &&
	test_fatal 128 quire -C wb commit --parent "quilt+s3://bucket#path=x" &&
	test_grep "is not a quilt URI" err &&
	quire -C wb rev-parse HEAD >actual &&
	test_cmp head actual
'

test_expect_success 'source options: url, version, commit in that order' '
	quire -C wb commit -q --source-commit c0ffee --source-version v2.1 \
		--source-url https://example.org/code.git >/dev/null &&
	line1 wb &&
	echo "{\"version\": \"v0\", \"provenance\": {\"source\": {\"url\": \"https://example.org/code.git\", \"version\": \"v2.1\", \"commit\": \"c0ffee\"}}, \"message\": null}" >expect &&
	test_cmp expect line1
'

test_expect_success 'credentials in a URL are not recorded; an empty value is left out' '
	quire -C wb commit -q --source-url https://me:s3cret@example.org/x.git \
		--source-version "" --input "https://me:pw@example.org/d.csv" >/dev/null &&
	line1 wb &&
	echo "{\"version\": \"v0\", \"provenance\": {\"source\": {\"url\": \"https://example.org/x.git\"}, \"inputs\": [{\"url\": \"https://example.org/d.csv\"}]}, \"message\": null}" >expect &&
	test_cmp expect line1 &&
	test_grep -v s3cret man
'

test_expect_success '--input: a file by absolute path, size and chunked hash; a URL as it is' '
	quire -C wb commit -q --input ../in.txt \
		--input https://example.org/raw/d.csv >/dev/null &&
	line1 wb &&
	quire hash-object in.txt >hash &&
	printf "{\"version\": \"v0\", \"provenance\": {\"inputs\": [{\"path\": \"%s/in.txt\", \"size\": %d, \"hash\": {\"type\": \"sha2-256-chunked\", \"value\": \"%s\"}}, {\"url\": \"https://example.org/raw/d.csv\"}]}, \"message\": null}\n" \
		"$(pwd -P)" $(wc -c <in.txt) "$(cat hash)" >expect &&
	test_cmp expect line1
'

test_expect_success '--input of a large file hashes it in parts, as quilt3 does' '
	genfile 9000000 >big.bin &&
	quire -C wb commit -q --input ../big.bin --input ../in.txt >/dev/null &&
	line1 wb &&
	quire hash-object big.bin >hash &&
	test_grep "\"size\": 9000000, \"hash\": {\"type\": \"sha2-256-chunked\", \"value\": \"$(cat hash)\"}}, {\"path\": " line1
'

test_expect_success 'a missing input or a folder is fatal; HEAD stays' '
	quire -C wb rev-parse HEAD >head &&
	test_fatal 128 quire -C wb commit --input nope.txt &&
	test_grep "input .nope.txt.: No such file or directory; give an existing file, or a URL" err &&
	test_fatal 128 quire -C wb commit --input ../r1 &&
	test_grep "input .\.\./r1. is a folder" err &&
	quire -C wb rev-parse HEAD >actual &&
	test_cmp head actual
'

test_expect_success PYTHON3 '--env KEY=VALUE; the value may hold "="' '
	quire -C wb commit -q --env image=python:3.12 --env "ARGS=a=b c" \
		--env EMPTY= >/dev/null &&
	line1 wb &&
	prov "json.dumps(p)" >actual &&
	echo "{\"environment\": {\"image\": \"python:3.12\", \"ARGS\": \"a=b c\", \"EMPTY\": \"\"}}" >expect &&
	test_cmp expect actual
'

test_expect_success '--env without "=" or without a key is fatal' '
	test_fatal 128 quire -C wb commit --env novalue &&
	test_grep "\-\-env .novalue. is not KEY=VALUE" err &&
	test_fatal 128 quire -C wb commit --env =x &&
	test_grep "\-\-env .=x. is not KEY=VALUE" err
'

test_expect_success PYTHON3 'every part at once, in the documented order' '
	quire -C wb commit -q -m all --env image=x --input ../in.txt \
		--parent up#ns/a --source-commit 1234 >all &&
	line1 wb &&
	prov "\" \".join(p)" >actual &&
	echo "parents source inputs environment" >expect &&
	test_cmp expect actual
'

# The top hash by quilt3's rules (DESIGN.md section 2), in Python.
cat >top-hash.py <<\EOF
import hashlib, json, sys
lines = open(sys.argv[1]).read().splitlines()
enc = json.JSONEncoder(sort_keys=True, separators=(",", ":")).encode
h = hashlib.sha256(enc(json.loads(lines[0])).encode())
for l in lines[1:]:
    o = json.loads(l)
    h.update(enc({"hash": o["hash"], "logical_key": o["logical_key"],
                  "meta": o.get("meta") or {}, "size": o["size"]}).encode())
print(h.hexdigest())
EOF

test_expect_success PYTHON3 'the top hash covers the provenance as quilt3 computes it' '
	quire -C wb cat-manifest HEAD >man &&
	python3 top-hash.py man >actual &&
	test_cmp all actual &&
	sed "s/\"image\": \"x\"/\"image\": \"y\"/" man >man2 &&
	python3 top-hash.py man2 >other &&
	! test_cmp all other
'

test_expect_success 'a commit without provenance options keeps the staged provenance' '
	quire -C wb commit -m all >out 2>err &&
	test_cmp all out &&
	test_grep "^nothing changed" err &&
	line1 wb &&
	test_grep "\"provenance\": {\"parents\": " line1
'

test_expect_success PYTHON3 'provenance options replace the whole staged provenance' '
	quire -C wb commit -q --env only=1 >/dev/null &&
	line1 wb &&
	prov "\" \".join(p)" >actual &&
	echo environment >expect &&
	test_cmp expect actual
'

test_expect_success '--no-provenance drops it; with other provenance options it is fatal' '
	test_fatal 128 quire -C wb commit --no-provenance --env a=b &&
	test_grep "cannot go with other provenance options" err &&
	line1 wb &&
	test_grep "\"provenance\"" line1 &&
	quire -C wb commit -q --no-provenance >/dev/null &&
	line1 wb &&
	test_grep -v "provenance" line1 &&
	test_fatal 128 quire -C wb commit --allow-dirty &&
	test_grep "\-\-allow-dirty goes with --from-git" err
'

test_expect_success '--meta and provenance options go together' '
	quire -C wb commit -q --meta "{\"k\": 1}" --source-commit abc >/dev/null &&
	line1 wb &&
	echo "{\"version\": \"v0\", \"user_meta\": {\"k\": 1}, \"provenance\": {\"source\": {\"commit\": \"abc\"}}, \"message\": null}" >expect &&
	test_cmp expect line1
'

# --from-git

test_expect_success 'setup: a git repository with a tag and a workspace in it' '
	mkdir g &&
	(
		cd g &&
		git init -q &&
		echo "print(1)" >code.py &&
		echo data >data.txt &&
		quire init -q ns/g &&
		git add code.py data.txt .quireignore &&
		git_commit -m one &&
		git tag v1.0 &&
		quire add -q data.txt
	)
'

test_expect_success '--from-git records the commit and git describe; no origin, no url' '
	quire -C g commit -q --from-git >/dev/null &&
	line1 g &&
	printf "{\"version\": \"v0\", \"provenance\": {\"source\": {\"version\": \"v1.0\", \"commit\": \"%s\"}}, \"message\": null}\n" \
		"$(git -C g rev-parse HEAD)" >expect &&
	test_cmp expect line1
'

test_expect_success '--from-git records origin, without its credentials' '
	git -C g remote add origin https://me:s3cret@example.org/lab/code.git &&
	echo "print(2)" >g/code.py &&
	git -C g add code.py &&
	(cd g && git_commit -m two) &&
	quire -C g commit -q --from-git >/dev/null &&
	line1 g &&
	git -C g describe --tags --always >describe &&
	printf "{\"version\": \"v0\", \"provenance\": {\"source\": {\"url\": \"https://example.org/lab/code.git\", \"version\": \"%s\", \"commit\": \"%s\"}}, \"message\": null}\n" \
		"$(cat describe)" "$(git -C g rev-parse HEAD)" >expect &&
	test_cmp expect line1 &&
	test_grep "^v1.0-1-g" describe
'

test_expect_success '--from-git refuses a dirty tree: an untracked file, a change' '
	quire -C g rev-parse HEAD >head &&
	echo new >g/untracked.txt &&
	test_fatal 128 quire -C g commit --from-git &&
	test_grep "git work tree has uncommitted changes (first: .untracked.txt.); commit them, or pass --allow-dirty" err &&
	rm g/untracked.txt &&
	echo "print(3)" >g/code.py &&
	test_fatal 128 quire -C g commit --from-git &&
	test_grep "uncommitted changes (first: .code.py.)" err &&
	quire -C g rev-parse HEAD >actual &&
	test_cmp head actual
'

test_expect_success PYTHON3 '--allow-dirty records "dirty": true; --source-* override git' '
	quire -C g commit -q --from-git --allow-dirty >/dev/null &&
	line1 g &&
	prov "p[\"source\"][\"dirty\"], p[\"source\"][\"commit\"] == \"$(git -C g rev-parse HEAD)\"" >actual &&
	echo "True True" >expect &&
	test_cmp expect actual &&
	quire -C g commit -q --from-git --allow-dirty --source-commit abc \
		--source-url "" >/dev/null &&
	line1 g &&
	prov "json.dumps(p[\"source\"])" >actual &&
	echo "{\"version\": \"$(cat describe)\", \"commit\": \"abc\", \"dirty\": true}" >expect &&
	test_cmp expect actual &&
	git -C g checkout -q code.py
'

test_expect_success 'the workspace in the repository does not make it dirty' '
	test_grep "^\.quire/\$" g/.git/info/exclude &&
	git -C g status --porcelain --ignored >status &&
	test_grep "^!! .quire/" status &&
	quire -C g commit -q --from-git >/dev/null
'

test_expect_success '--from-git outside a git repository is fatal' '
	mkdir nogit &&
	echo x >nogit/x &&
	quire -C nogit init -q ns/nogit &&
	quire -C nogit add -q x &&
	test_fatal 128 quire -C nogit commit --from-git &&
	test_grep "not in a git repository (or any of its parent folders); leave out --from-git" err &&
	test_fatal 128 quire -C nogit rev-parse HEAD
'

test_expect_success '--from-git in a repository without a commit is fatal' '
	mkdir newgit &&
	git -C newgit init -q &&
	echo x >newgit/x &&
	quire -C newgit init -q ns/newgit &&
	quire -C newgit add -q x &&
	test_fatal 128 quire -C newgit commit --from-git &&
	test_grep "git repository has no commit yet" err
'

# required provenance

test_expect_success 'setup: a registry requiring a source commit and inputs' '
	mkdir -p rq/.quire &&
	cat >rq/.quire/required-provenance <<-\EOF &&
	# what this lab needs

	source.commit
	inputs   # the raw files
	EOF
	mkdir wq &&
	echo q >wq/q.txt &&
	quire -C wq init -q ns/q &&
	quire -C wq add -q q.txt &&
	quire -C wq commit -q -m q >/dev/null &&
	RQ=$(file_url rq)
'

# registry_files DIR: the files of a folder registry.
registry_files () {
	(cd "$1" && find . -type f | sort)
}

test_expect_success 'push, push-manifest and push-data refuse it, writing nothing' '
	printf "fatal: %s requires provenance: source.commit, inputs; record them with \047quire commit --source-commit ... --input ...\047\n" \
		"$RQ" >expect &&
	test_fatal 128 quire -C wq push "$PWD/rq" &&
	test_cmp expect err &&
	test_fatal 128 quire -C wq push-manifest "$PWD/rq" &&
	test_cmp expect err &&
	test_fatal 128 quire -C wq push-data "$PWD/rq" &&
	test_cmp expect err &&
	registry_files rq >actual &&
	echo ./.quire/required-provenance >expect &&
	test_cmp expect actual
'

test_expect_success 'a field still missing is named alone' '
	quire -C wq commit -q -m q --source-commit abc >/dev/null &&
	test_fatal 128 quire -C wq push "$PWD/rq" &&
	test_grep "requires provenance: inputs; record them with .quire commit --input \.\.\.." err &&
	registry_files rq >actual &&
	test_cmp expect actual
'

test_expect_success 'once the fields are there, push goes through' '
	quire -C wq commit -q -m q --source-commit abc --input ../in.txt >top &&
	quire -C wq push "$PWD/rq" >out 2>err &&
	test_cmp top out &&
	printf "%s" "$(cat top)" >expect &&
	test_cmp expect rq/.quilt/named_packages/ns/q/latest &&
	test_path_is_file rq/ns/q/q.txt
'

test_expect_success 'an empty value counts as missing; a nested field says which option' '
	mkdir -p rq2/.quire &&
	printf "environment.image\nparents\n" >rq2/.quire/required-provenance &&
	quire -C wq commit -q --env image= >/dev/null &&
	test_fatal 128 quire -C wq push-manifest "$PWD/rq2" &&
	test_grep "requires provenance: environment.image, parents; record them with .quire commit --env image=\.\.\. --parent \.\.\.." err &&
	quire -C wq commit -q --env image=python:3.12 \
		--parent "$PWD/r1#ns/a" >/dev/null &&
	quire -C wq push-manifest "$PWD/rq2" >/dev/null &&
	test_path_is_file rq2/.quilt/named_packages/ns/q/latest
'

test_expect_success 'a bad line in required-provenance is fatal, naming it' '
	mkdir -p rq3/.quire &&
	printf "inputs\nsource..commit\n" >rq3/.quire/required-provenance &&
	test_fatal 128 quire -C wq push "$PWD/rq3" &&
	test_grep "line 2 of .quire/required-provenance in $(file_url rq3): .source..commit. is not a provenance field" err &&
	test_path_is_missing rq3/.quilt
'

# lineage

test_expect_success 'setup: a diamond across two registries' '
	quire -C wb commit -q -m B --parent "$PWD/r1#ns/a" >b &&
	quire -C wb push -q "$PWD/r1" >/dev/null &&
	mkdir wc &&
	echo c >wc/c.txt &&
	quire -C wc init -q ns/c &&
	quire -C wc add -q c.txt &&
	quire -C wc commit -q -m C --parent "$PWD/r1#ns/a" \
		--source-commit c0ffee --input ../in.txt >c &&
	quire -C wc push -q "$PWD/r2" >/dev/null &&
	mkdir wd &&
	echo d >wd/d.txt &&
	quire -C wd init -q ns/d &&
	quire -C wd add -q d.txt &&
	quire -C wd commit -q -m D --parent "$R1#ns/b" \
		--parent "$PWD/r2#ns/c" >d &&
	quire -C wd push -q "$PWD/r2" >/dev/null &&
	R2=$(file_url r2)
'

test_expect_success 'lineage draws the tree; a version seen already is not walked again' '
	quire lineage --registry "$PWD/r2" ns/d >out &&
	cat >expect <<-EOF &&
	ns/d@$(short d) $R2: D
	├── ns/b@$(short b) $R1: B
	│   └── ns/a@$(short a2) $R1: A
	└── ns/c@$(short c) $R2: C
	    │   source: c0ffee
	    │   input: $(pwd -P)/in.txt ($(wc -c <in.txt) bytes)
	    └── ns/a@$(short a2) $R1 (see above)
	EOF
	test_cmp expect out &&
	quire lineage "$PWD/r2#ns/d@$(short d)" >out2 &&
	test_cmp expect out2
'

test_expect_success 'lineage of a workspace revision: its package name, no registry' '
	quire -C wd lineage HEAD >out &&
	quire lineage --registry "$PWD/r2" ns/d >full &&
	echo "ns/d@$(short d): D" >expect &&
	sed 1d full >>expect &&
	test_cmp expect out
'

test_expect_success 'lineage in a workspace without a package name: HEAD' '
	mkdir wn &&
	echo n >wn/n.txt &&
	quire -C wn init -q &&
	quire -C wn add -q n.txt &&
	quire -C wn commit -q -m N --parent "$PWD/r1#ns/a" >n &&
	quire -C wn lineage HEAD >out &&
	cat >expect <<-EOF &&
	HEAD@$(short n): N
	└── ns/a@$(short a2) $R1: A
	EOF
	test_cmp expect out
'

cat >check-json.py <<\EOF
import json, sys
doc = json.load(open(sys.argv[1]))
top = dict(zip("abcd", sys.argv[2:6]))
reg = {"a": sys.argv[6], "b": sys.argv[6], "c": sys.argv[7], "d": sys.argv[7]}
assert set(doc) == {"root", "nodes"}, doc
assert doc["root"] == top["d"], doc["root"]
nodes = doc["nodes"]
assert [n["name"] for n in nodes] == ["ns/d", "ns/b", "ns/a", "ns/c"], nodes
for n in nodes:
    k = n["name"][-1]
    assert n["top_hash"] == top[k], n
    assert n["registry"] == reg[k], n
    assert n["message"] == k.upper(), n
    assert "error" not in n, n
assert nodes[0]["parents"] == [top["b"], top["c"]], nodes[0]
assert nodes[1]["parents"] == [top["a"]]
assert nodes[2]["parents"] == [] and "provenance" not in nodes[2]
assert nodes[3]["provenance"]["source"] == {"commit": "c0ffee"}
assert nodes[3]["provenance"]["inputs"][0]["size"] == int(sys.argv[8])
assert nodes[0]["provenance"]["parents"][1] == {
    "name": "ns/c", "registry": reg["c"], "top_hash": top["c"]}
print("ok")
EOF

test_expect_success PYTHON3 'lineage --json: one document, each version once, first visited first' '
	quire lineage --json --registry "$PWD/r2" ns/d >out &&
	test_line_count = 1 out &&
	python3 check-json.py out $(cat a2 b c d) "$R1" "$R2" \
		$(wc -c <in.txt) >actual &&
	echo ok >expect &&
	test_cmp expect actual
'

test_expect_success 'a broken parent record is shown as unavailable; the walk goes on' '
	printf "{\"version\": \"v0\", \"provenance\": {\"parents\": [{\"name\": \"ns/x\", \"registry\": \"%s\", \"top_hash\": \"zz\"}, {\"name\": \"ns/a\", \"registry\": \"%s\", \"top_hash\": \"%s\"}]}}\n" \
		"$R1" "$R1" "$(cat a2)" >crafted.jsonl &&
	quire -C wn write-manifest ../crafted.jsonl >x &&
	quire -C wn lineage "$(cat x)" >out &&
	cat >expect <<-EOF &&
	workspace@$(short x)
	├── ns/x@zz $R1 (unavailable: the recorded top_hash is not 64 hex digits)
	└── ns/a@$(short a2) $R1: A
	EOF
	test_cmp expect out
'

test_expect_success 'lineage: unknown revisions and usage errors' '
	test_fatal 128 quire lineage --registry "$PWD/r2" ns/nope &&
	test_grep "no package ns/nope in $R2" err &&
	test_fatal 128 quire lineage --registry "$PWD/r2" "$PWD/r1#ns/a" &&
	test_grep "names its registry; leave out --registry" err &&
	test_expect_code 129 quire lineage 2>err &&
	test_expect_code 129 quire lineage a/b c/d 2>err &&
	test_grep "^usage: quire lineage" err
'

test_expect_success PYTHON3 'a parent whose registry is gone is unavailable; exit 0' '
	rm -rf r1 &&
	quire lineage --registry "$PWD/r2" ns/d >out &&
	test_line_count = 6 out &&
	test_grep "^ns/d@$(short d) $R2: D\$" out &&
	test_grep "^├── ns/b@$(short b) $R1 (unavailable: registry .*r1. does not exist" out &&
	test_grep "^└── ns/c@$(short c) $R2: C\$" out &&
	test_grep "^    └── ns/a@$(short a2) $R1 (unavailable: registry .*r1. does not exist" out &&
	quire lineage --json --registry "$PWD/r2" ns/d >json &&
	python3 -c "import json; print(\" \".join(\"%s:%d:%d\" % (n[\"name\"], \"error\" in n, len(n[\"parents\"])) for n in json.load(open(\"json\"))[\"nodes\"]))" >actual &&
	echo "ns/d:0:2 ns/b:1:0 ns/c:0:1 ns/a:1:0" >expect &&
	test_cmp expect actual
'

test_done
