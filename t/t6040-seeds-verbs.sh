#!/bin/sh
test_description='the seeds verbs: status DIR, verify DIR, hash DIR, meta REV KEY, rollback REV, push-data --local-files-only, the README warning'
. ./test-lib.sh

test_expect_success 'setup: two pushed versions, the first installed' '
	mkdir -p w/data &&
	echo alpha >w/data/a.txt &&
	echo beta >w/data/b.txt &&
	quire -C w init -q ns/pkg &&
	quire -C w add -q data &&
	quire -C w commit -q -m v1 >v1 &&
	quire -C w push -q -t v1 &&
	quire -C w meta data/a.txt "{\"label\": \"cat\"}" &&
	quire -C w commit -q -m v2 >v2 &&
	quire -C w push -q -t v2 &&
	quire install -q ns/pkg:v1 --to inst
'

test_expect_success 'status DIR reports on that folder from anywhere' '
	quire status inst >out &&
	test_grep "^On package ns/pkg:v1, HEAD $(cut -c1-12 v1)\$" out &&
	test_grep "^nothing to commit\$" out &&
	quire status --porcelain inst >out &&
	test_must_be_empty out
'

test_expect_success 'status names a tag that points at HEAD' '
	quire -C inst tag -d v1 &&
	quire status inst >out &&
	test_grep "^On package ns/pkg, HEAD $(cut -c1-12 v1)\$" out &&
	quire -C inst tag v1 &&
	quire status inst >out &&
	test_grep "^On package ns/pkg:v1, HEAD $(cut -c1-12 v1)\$" out
'

test_expect_success 'status and verify refuse a folder that is not quire'"'"'s' '
	mkdir plain &&
	test_fatal 128 quire status plain &&
	test_grep "^fatal: .plain. is not a quire folder" err &&
	test_fatal 128 quire verify plain &&
	test_grep "^fatal: .plain. is not a quire folder" err &&
	test_fatal 128 quire status nowhere &&
	test_grep "^fatal: .nowhere. is not a folder" err &&
	test_fatal 128 quire status &&
	test_grep "name one: .quire status <dir>." err
'

test_expect_success 'hash DIR is the top hash of the version it holds' '
	quire hash inst >out &&
	test_cmp v1 out &&
	(cd inst && quire hash >../out) &&
	test_cmp v1 out
'

test_expect_success 'hash DIR that differs: exit 1, says so, prints nothing' '
	echo changed >inst/data/a.txt &&
	echo extra >inst/extra.txt &&
	test_expect_code 1 quire hash inst >out 2>err &&
	test_must_be_empty out &&
	test_grep "^.inst. does not match version $(cut -c1-12 v1) of ns/pkg: 1 changed, 0 missing, 1 extra\$" err &&
	test_grep "quire hash --files" err
'

test_expect_success 'hash --files hashes the files as they are, in any folder' '
	mkdir -p h &&
	echo a >h/a &&
	quire hash --files h >out &&
	test_line_count = 1 out &&
	test_grep "^[0-9a-f]\{64\}\$" out &&
	test_fatal 128 quire hash h &&
	test_grep "hash --files" err
'

test_expect_success 'verify DIR and verify --json list what differs' '
	test_expect_code 1 quire verify inst >out 2>err &&
	test_grep "^changed: data/a.txt\$" out &&
	test_grep "^extra: extra.txt\$" out &&
	test_expect_code 1 quire verify --json inst >out 2>err &&
	test_line_count = 1 out &&
	test_grep "^{\"name\": \"ns/pkg\", \"top_hash\": \"$(cat v1)\", \"status\": \"problem\", \"entries\": 2, \"problems\": \[" out &&
	test_grep "{\"status\": \"modified\", \"logical_key\": \"data/a.txt\", \"path\": \"[^\"]*/inst/data/a.txt\"}" out &&
	test_grep "{\"status\": \"new\", \"logical_key\": \"extra.txt\"" out
'

test_expect_success PYTHON3 'verify --json is one JSON document' '
	test_expect_code 1 quire verify --json inst >out 2>err &&
	/usr/bin/python3 -c "import json, sys
d = json.load(open(\"out\"))
assert d[\"status\"] == \"problem\", d
assert sorted(p[\"status\"] for p in d[\"problems\"]) == [\"modified\", \"new\"]" &&
	rm inst/extra.txt &&
	echo alpha >inst/data/a.txt &&
	quire verify --json inst >out 2>err &&
	test_grep "\"status\": \"ok\", \"entries\": 2, \"problems\": \[\]}\$" out
'

test_expect_success 'status --porcelain and -z survive any key' '
	mkdir -p z &&
	quire -C z init -q ns/z &&
	printf x >"z/with space" &&
	printf x >"z/tab	key" &&
	printf x >"z/quo\"te" &&
	printf x >"z/caf$(printf "\303\251")" &&
	printf x >"z/new
line" &&
	quire -C z add -q . &&
	quire -C z status --porcelain >out &&
	test_grep "^A with space\$" out &&
	test_grep "^A \"tab\\\\tkey\"\$" out &&
	test_grep "^A \"quo\\\\\"te\"\$" out &&
	test_grep "^A \"new\\\\nline\"\$" out &&
	test_line_count = 5 out &&
	quire -C z status -z >out &&
	tr "\000" "@" <out >got &&
	test_grep "A new
line@" got &&
	test_grep "A tab	key@" got &&
	test $(tr -cd "\000" <out | wc -c) = 5
'

test_expect_success 'meta REV KEY reads an entry of a version, anywhere' '
	quire meta ns/pkg:v2 data/a.txt >out &&
	echo "{\"label\": \"cat\"}" >expect &&
	test_cmp expect out &&
	quire meta ns/pkg:v1 data/a.txt >out &&
	echo "{}" >expect &&
	test_cmp expect out &&
	quire meta -r "$XDG_DATA_HOME/quire/registry" ns/pkg@$(cut -c1-8 v2) data/a.txt >out &&
	echo "{\"label\": \"cat\"}" >expect &&
	test_cmp expect out &&
	test_fatal 128 quire meta ns/pkg:v2 data/nope.txt &&
	test_grep "^fatal: .data/nope.txt. is not an entry of ns/pkg:v2" err &&
	test_fatal 128 quire meta data/a.txt &&
	test_grep "quire meta <revision> <key>" err
'

test_expect_success 'rollback takes any revision' '
	quire rollback ns/pkg:v1 >out 2>err &&
	test_cmp v1 out &&
	quire rollback ns/pkg@$(cut -c1-8 v2) >out 2>err &&
	test_cmp v2 out &&
	(cd w && quire rollback $(cut -c1-8 ../v1) >../out 2>../err) &&
	test_cmp v1 out &&
	quire rollback ns/pkg $(cat v2) >out 2>err &&
	test_cmp v2 out &&
	test_fatal 128 quire rollback $(cut -c1-8 v1) &&
	test_grep "names no package" err
'

test_expect_success 'push warns (not refuses) when there is no README.md' '
	quire -C w push -r ./reg2 >out 2>err &&
	test_grep "^warning: the package has no README.md" err &&
	quire -C w push -q -r ./reg3 >out 2>err &&
	test_must_be_empty err &&
	echo "# pkg" >w/README.md &&
	quire -C w add -q README.md &&
	quire -C w commit -q -m readme >/dev/null &&
	quire -C w push -r ./reg2 >out 2>err &&
	test_grep -v "README" err
'

test_expect_success 'push-data --local-files-only copies the local files' '
	quire -C w push-data --local-files-only -r ./reg4 2>err &&
	test_grep "^3 objects copied" err &&
	quire -C w push-data -h >out &&
	test_grep "local-files-only" out
'

test_done
