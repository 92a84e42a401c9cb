#!/bin/sh
test_description='quire log --oneline, --format and --json'
. ./test-lib.sh

PY=/usr/bin/python3

test_expect_success 'setup: three versions, a tag, a registry' '
	mkdir w &&
	(
		cd w &&
		quire init -q ns/pkg &&
		echo one >a.txt &&
		quire add -q a.txt &&
		quire commit -q -m first >../v1 &&
		quire tag v1 &&
		echo two >a.txt &&
		quire commit -q -m "second
body line" >../v2 &&
		echo three >a.txt &&
		quire commit -q -m "third: \"quoted\" é" >../v3 &&
		quire push -q "$PWD/../reg" ns/pkg >/dev/null
	)
'

short () {
	cut -c1-12 "$1"
}

test_expect_success 'log --oneline: short hash, decorations, subject' '
	quire -C w log --oneline >out &&
	cat >expect <<-EOF &&
	$(short v3) (HEAD) third: "quoted" é
	$(short v2) second
	$(short v1) (tag: v1) first
	EOF
	test_cmp expect out
'

test_expect_success 'log --format: each placeholder' '
	quire -C w log -n 1 --format="%H|%h|%s|%d|%D|%%|x%ny" >out &&
	printf "%s|%s|%s| (HEAD)|HEAD|%%|x\ny\n" $(cat v3) $(short v3) \
		"third: \"quoted\" é" >expect &&
	test_cmp expect out &&
	quire -C w log --format="%h %B" >out &&
	test_grep "^$(short v2) second\$" out &&
	test_grep "^body line\$" out
'

test_expect_success 'log --format: the times agree with each other' '
	quire -C w log -n 1 --format="%at %aI %ad" >out &&
	read at iso day clock utc <out &&
	test "$utc" = UTC &&
	test "$(date -u -d @$at +%Y-%m-%dT%H:%M:%SZ)" = "$iso" &&
	test "$(date -u -d @$at "+%Y-%m-%d %H:%M:%S")" = "$day $clock"
'

test_expect_success 'log --format of a registry marks latest' '
	quire log -r ./reg --format="%h%d" ns/pkg >out &&
	echo "$(short v3) (latest)" >expect &&
	test_cmp expect out
'

test_expect_success 'log --format refuses an unknown placeholder, printing nothing' '
	test_fatal 128 quire -C w log --format="%h %an" >out &&
	test_grep "unknown placeholder .%a" err &&
	test_must_be_empty out &&
	test_fatal 128 quire -C w log --format="%q" >out &&
	test_must_be_empty out
'

test_expect_success 'two formats at once are a usage error' '
	test_expect_code 129 quire -C w log --oneline --json >out 2>err &&
	test_expect_code 129 quire -C w log --format=%H --oneline >out 2>err &&
	test_expect_code 129 quire -C w log --json --format=%H >out 2>err
'

test_expect_success PYTHON3 'log --json of a workspace: one document' '
	quire -C w log --json >out &&
	test_line_count = 1 out &&
	cat >check.py <<-\EOF &&
	import json, re, sys
	d = json.load(open("out"))
	assert d["name"] == "ns/pkg" and d["registry"] is None, d
	v = d["versions"]
	assert [x["top_hash"] for x in v] == sys.argv[1:4], v
	assert v[0]["refs"] == ["HEAD"] and v[1]["refs"] == [], v
	assert v[2]["tags"] == ["v1"] and v[0]["tags"] == [], v
	assert v[0]["message"] == "third: \"quoted\" \u00e9", v[0]
	assert v[1]["message"] == "second\nbody line", v[1]
	for x in v:
	    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", x["time"]), x
	EOF
	$PY check.py $(cat v3 v2 v1)
'

test_expect_success PYTHON3 'log --json of a registry names the package and registry' '
	quire log --json -n 2 -r ./reg ns/pkg >out &&
	cat >check.py <<-\EOF &&
	import json, sys
	d = json.load(open("out"))
	assert d["name"] == "ns/pkg", d
	assert d["registry"].startswith("file:///"), d
	assert d["registry"].endswith("/reg"), d
	assert len(d["versions"]) == 1, d
	assert d["versions"][0]["refs"] == ["latest"], d
	assert d["versions"][0]["top_hash"] == sys.argv[1], d
	EOF
	$PY check.py $(cat v3)
'

test_done
