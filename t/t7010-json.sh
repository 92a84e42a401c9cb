#!/bin/sh
test_description='--json of ls, list, tag, cache, fsck, install, push and diff'
. ./test-lib.sh

PY=/usr/bin/python3

# The odd keys: a space, a tab, a newline, a double quote, non-ASCII (a
# backslash is forbidden by DESIGN).
test_expect_success PYTHON3 'setup: a package with odd keys, pushed' '
	mkdir w &&
	(
		cd w &&
		quire init -q ns/pkg &&
		mkdir -p "d ir/sub" &&
		cat >../mk.py <<-\EOF &&
		import os
		for n in ["tab\there", "new\nline", "q\"uote", "caf\u00e9"]:
		    open(os.path.join("d ir", n), "w").write(n + "\n")
		EOF
		$PY ../mk.py &&
		echo deep >"d ir/sub/x" &&
		echo top >top.txt &&
		quire add -q . &&
		quire meta top.txt "{\"k\": \"vé\"}" &&
		quire commit -q -m first >../v1 &&
		quire tag v1 &&
		quire push -q -r "$PWD/../reg" ns/pkg >/dev/null
	)
'

test_expect_success PYTHON3 'ls --json -R: every key survives, with its entry' '
	quire -C w ls --json -R HEAD >out &&
	test_line_count = 1 out &&
	cat >check.py <<-\EOF &&
	import json, sys
	KEYS = ["d ir/tab\there", "d ir/new\nline", "d ir/q\"uote",
	        "d ir/caf\u00e9", "d ir/sub/x", "top.txt"]
	d = json.load(open("out"))
	assert d["top_hash"] == sys.argv[1] and d["prefix"] == "", d
	e = d["entries"]
	assert sorted(x["logical_key"] for x in e) == sorted(KEYS), e
	for x in e:
	    assert x["type"] == "file", x
	    assert x["hash"]["type"] == "sha2-256-chunked", x
	    assert isinstance(x["physical_key"], str), x
	    assert isinstance(x["meta"], dict), x
	top = [x for x in e if x["logical_key"] == "top.txt"][0]
	assert top["size"] == 4, top
	assert "v\u00e9" in json.dumps(top["meta"], ensure_ascii=False), top
	EOF
	$PY check.py $(cat v1)
'

test_expect_success PYTHON3 'ls --json marks folders and takes a prefix' '
	quire -C w ls --json HEAD >out &&
	cat >check.py <<-\EOF &&
	import json
	d = json.load(open("out"))
	e = d["entries"]
	assert [(x["logical_key"], x["type"]) for x in e] == [
	    ("d ir/", "folder"), ("top.txt", "file")], e
	EOF
	$PY check.py &&
	quire -C w ls --json HEAD "d ir" >out &&
	cat >check.py <<-\EOF &&
	import json
	d = json.load(open("out"))
	assert d["prefix"] == "d ir/", d
	e = d["entries"]
	assert [x["logical_key"] for x in e if x["type"] == "folder"] == [
	    "d ir/sub/"], d
	assert len(e) == 5, d
	EOF
	$PY check.py
'

test_expect_success 'ls marks folders with a trailing slash; -m shows metadata' '
	quire -C w ls HEAD >out &&
	printf "%s\n" "d ir/" top.txt >expect &&
	test_cmp expect out &&
	quire -C w ls -m HEAD >out &&
	test_grep "^top.txt	{.*\"k\": \"vé\".*}\$" out &&
	test_grep "^d ir/\$" out &&
	quire -C w ls -R -m HEAD "d ir" >out &&
	test_grep "^\"d ir/tab\\\\there\"	{}\$" out &&
	test_grep "^\"d ir/new\\\\nline\"	{}\$" out
'

test_expect_success 'ls --json with -l or -m is a usage error; a missing folder prints nothing' '
	test_expect_code 129 quire -C w ls --json -l HEAD >out 2>err &&
	test_expect_code 129 quire -C w ls --json -m HEAD >out 2>err &&
	test_fatal 128 quire -C w ls --json HEAD nosuch >out &&
	test_must_be_empty out
'

test_expect_success PYTHON3 'diff --json: a summary even when equal; odd keys survive' '
	quire -C w diff --json HEAD v1 >out &&
	cat >check.py <<-\EOF &&
	import json
	d = json.load(open("out"))
	assert d == {"changes": [], "added": 0, "deleted": 0, "modified": 0,
	             "metadata": 0, "equal": True}, d
	EOF
	$PY check.py &&
	cat >mod.py <<-\EOF &&
	open("w/d ir/tab\there", "a").write("more\n")
	EOF
	$PY mod.py &&
	(
		cd w &&
		quire rm -q "$(printf "d ir/new\nline")"
	) &&
	test_expect_code 1 quire -C w diff --json >out &&
	cat >check.py <<-\EOF &&
	import json
	d = json.load(open("out"))
	c = {x["logical_key"]: x for x in d["changes"]}
	assert c["d ir/tab\there"]["status"] == "modified", d
	assert c["d ir/tab\there"]["new_size"] == 14, d
	assert c["d ir/new\nline"]["status"] == "deleted", d
	assert c["d ir/new\nline"]["new_size"] is None, d
	assert d["modified"] == 1 and d["deleted"] == 1, d
	assert d["equal"] is False, d
	EOF
	$PY check.py
'

test_expect_success PYTHON3 'list --json' '
	quire list --json -r ./reg >out &&
	cat >check.py <<-\EOF &&
	import json, sys
	d = json.load(open("out"))
	assert d["registry"].startswith("file:///"), d
	assert d["packages"] == [{"name": "ns/pkg", "top_hash": sys.argv[1]}], d
	EOF
	$PY check.py $(cat v1)
'

test_expect_success PYTHON3 'tag --json lists, and prints the tag it makes' '
	quire -C w tag --json >out &&
	cat >check.py <<-\EOF &&
	import json, sys
	d = json.load(open("out"))
	want = [{"tag": t, "top_hash": sys.argv[1]} for t in sys.argv[2:]]
	assert d == {"tags": want}, d
	EOF
	$PY check.py $(cat v1) v1 &&
	quire -C w tag --json v2 v1 >out &&
	$PY check.py $(cat v1) v2 &&
	quire -C w tag --json >out &&
	$PY check.py $(cat v1) v1 v2 &&
	test_expect_code 129 quire -C w tag -d v2 --json 2>err
'

test_expect_success PYTHON3 'cache ls --json and cache clear --json' '
	quire cache ls --json >out &&
	cat >check.py <<-\EOF &&
	import json, sys
	d = json.load(open("out"))
	assert d["path"].endswith("/quire"), d
	assert isinstance(d["files"], int) and isinstance(d["size"], int), d
	assert d["cleared"] is (sys.argv[1] == "1"), d
	print(d["files"], d["size"])
	EOF
	$PY check.py 0 >before &&
	quire cache clear --json >out &&
	$PY check.py 1 >cleared &&
	test_cmp before cleared &&
	quire cache ls --json >out &&
	echo "0 0" >expect &&
	$PY check.py 0 >actual &&
	test_cmp expect actual
'

test_expect_success PYTHON3 'fsck --json: counts, and each problem' '
	quire fsck --json -q -r ./reg >out &&
	cat >check.py <<-\EOF &&
	import json, sys
	d = json.load(open("out"))
	assert d["manifests"] == 1 and d["objects"] == 6, d
	assert d["hashed"] is False, d
	assert len(d["problems"]) == int(sys.argv[1]), d
	for p in d["problems"]:
	    assert p["kind"] and p["detail"], p
	EOF
	$PY check.py 0 &&
	cp -R reg reg-broken &&
	echo garbage >reg-broken/.quilt/named_packages/ns/pkg/latest &&
	test_expect_code 1 quire fsck --json -q -r ./reg-broken >out &&
	$PY check.py 2 &&
	test_grep "\"kind\": \"bad-pointer\", \"detail\": \"." out
'

test_expect_success PYTHON3 'install --json, with --dest and --location for --to' '
	quire install -q --json -r ./reg --dest inst ns/pkg >out &&
	test_path_is_dir inst &&
	cat >check.py <<-\EOF &&
	import json, os, sys
	d = json.load(open("out"))
	assert d["name"] == "ns/pkg" and d["top_hash"] == sys.argv[1], d
	assert d["registry"].startswith("file:///"), d
	assert os.path.samefile(d["path"], sys.argv[2]), d
	assert d["entries"] == 6 and d["written"] == 6, d
	assert d["kept"] == [], d
	EOF
	$PY check.py $(cat v1) inst &&
	quire install -q --json -r ./reg --location inst2 ns/pkg >out &&
	$PY check.py $(cat v1) inst2 &&
	quire install -q -r ./reg --to inst3 ns/pkg >out &&
	test_cmp v1 out
'

test_expect_success PYTHON3 'push, push-manifest and push-data --json' '
	(
		cd w &&
		quire add -q . &&
		quire commit -q -m second >../v2 &&
		quire push-data -q --json -r "$PWD/../reg2" >../data.json &&
		quire push-manifest -q --json -r "$PWD/../reg2" \
			>../manifest.json &&
		quire push -q --json -r "$PWD/../reg2" >../push.json
	) &&
	cat >check.py <<-\EOF &&
	import json, sys
	d = json.load(open(sys.argv[1]))
	assert d["name"] == "ns/pkg", d
	assert d["registry"].startswith("file:///"), d
	assert d["registry"].endswith("/reg2"), d
	want = None if sys.argv[2] == "-" else sys.argv[2]
	assert d["top_hash"] == want, d
	assert d["uploaded"] == int(sys.argv[3]), d
	assert d["reused"] == int(sys.argv[4]), d
	assert isinstance(d["size"], int), d
	EOF
	n=$($PY -c "import json; print(json.load(open(\"data.json\"))[\"uploaded\"])") &&
	test "$n" -gt 0 &&
	$PY check.py data.json - $n 0 &&
	$PY check.py manifest.json $(cat v2) 0 0 &&
	$PY check.py push.json $(cat v2) 0 0
'

test_done
