#!/bin/sh
test_description='quire show: one version, its metadata, provenance and counts'
. ./test-lib.sh

PY=/usr/bin/python3

test_expect_success 'setup: a workspace with folders, metadata, a parent' '
	mkdir w &&
	(
		cd w &&
		quire init -q ns/pkg &&
		mkdir -p data/sub "odd dir" &&
		echo one >data/a.txt &&
		echo twotwo >data/sub/b.txt &&
		echo x >"odd dir/c" &&
		echo top >top.txt &&
		quire add -q . &&
		quire commit -q -m first >../v1 &&
		quire tag v1 &&
		quire push -q -t rel "$PWD/../reg" ns/pkg >/dev/null &&
		echo more >>top.txt &&
		quire meta --package "{\"owner\": \"lab\", \"n\": 2}" &&
		quire commit -q -m "second
with body" --parent "$PWD/../reg#ns/pkg" >../v2
	)
'

test_expect_success 'show HEAD: the text output' '
	quire -C w show HEAD >out &&
	test_grep "^top_hash    $(cat v2)\$" out &&
	test_grep "^name        ns/pkg\$" out &&
	test_grep "^time        [0-9-]*T[0-9:]*Z\$" out &&
	test_grep "^entries     4 ($(cat w/data/a.txt w/data/sub/b.txt w/odd\ dir/c w/top.txt | wc -c | tr -d " ") bytes)\$" out &&
	test_grep "^  data/	2 (11 bytes)\$" out &&
	test_grep "^  odd dir/	1 (2 bytes)\$" out &&
	test_grep "^user_meta   {\"owner\": \"lab\", \"n\": 2}\$" out &&
	test_grep "^provenance  {" out &&
	test_grep "^second\$" out &&
	test_grep "^with body\$" out &&
	test_grep -v "^registry" out
'

test_expect_success 'show of a tag names the tag' '
	quire -C w show v1 >out &&
	test_grep "^top_hash    $(cat v1)\$" out &&
	test_grep "^tag         v1\$" out &&
	test_grep -v "^user_meta" out &&
	test_grep -v "^provenance" out
'

test_expect_success PYTHON3 'show --json of a workspace revision' '
	quire -C w show --json HEAD >out &&
	test_line_count = 1 out &&
	cat >check.py <<-\EOF &&
	import json, sys
	d = json.load(open("out"))
	assert d["name"] == "ns/pkg", d
	assert d["top_hash"] == sys.argv[1], d
	assert d["registry"] is None and d["tags"] == [], d
	assert d["message"] == "second\nwith body", d
	assert d["user_meta"] == {"owner": "lab", "n": 2}, d
	assert d["workflow"] is None, d
	parents = d["provenance"]["parents"]
	assert parents[0]["top_hash"] == sys.argv[2], parents
	assert d["entries"] == 4 and d["size"] == 22, d
	assert d["folders"] == [
	    {"logical_key": "data/", "entries": 2, "size": 11},
	    {"logical_key": "odd dir/", "entries": 1, "size": 2}], d
	assert d["time"].endswith("Z") and len(d["time"]) == 20, d
	EOF
	$PY check.py $(cat v2 v1)
'

test_expect_success PYTHON3 'show --json of a package revision, outside a workspace' '
	quire show --json -r ./reg ns/pkg:rel >out &&
	cat >check.py <<-\EOF &&
	import json, sys
	d = json.load(open("out"))
	assert d["name"] == "ns/pkg", d
	assert d["top_hash"] == sys.argv[1], d
	assert d["registry"].startswith("file:///"), d
	assert d["tags"] == ["rel"], d
	assert d["message"] == "first" and d["provenance"] is None, d
	assert d["entries"] == 4 and d["size"] == 17, d
	assert d["time"] is not None, d
	EOF
	$PY check.py $(cat v1) &&
	quire show -r ./reg ns/pkg >out &&
	test_grep "^registry    file:///" out &&
	test_grep "^tag         rel\$" out
'

test_expect_success 'show refuses what it cannot show' '
	test_fatal 128 quire show HEAD &&
	test_grep "revision of a workspace" err &&
	test_fatal 128 quire -C w show nosuch &&
	test_fatal 128 quire show -r ./reg ns/none &&
	test_expect_code 129 quire -C w show 2>err &&
	test_expect_code 129 quire -C w show HEAD v1 2>err
'

test_done
