#!/bin/sh
test_description='quire serve over S3 in a real browser

The walk of t9720 (t/browser/walk.js) over a registry in a versioned S3
bucket (Swift s3api on loopback): registry, filter, package, version,
folders, entries with their previews (text, CSV, an image the browser
decodes), downloads hashed against the files pushed (keys with spaces,
plus signs and accents among them), diffs by link and by form, lineage
and a parent; every page with no console error and no Content Security
Policy violation.'
. ./test-lib.sh
. "$TEST_DIRECTORY/lib-s3.sh"
. "$TEST_DIRECTORY/lib-serve.sh"
. "$TEST_DIRECTORY/lib-browser.sh"

# See t9720.
GIT_CEILING_DIRECTORIES=$(pwd -P)
export GIT_CEILING_DIRECTORIES

REG=s3://vers/reg

test_expect_success 'setup: S3 server and a versioned bucket' '
	s3_start &&
	s3_mkbucket vers versioned
'

test_expect_success 'setup: ns/pkg v1 and v2, ns/derived with it as parent' '
	mkdir -p w/data/sub w/data/img &&
	printf "# ns/pkg on S3\n\nSome *test* data in a bucket.\n" >w/README.md &&
	printf "alpha\n" >w/data/a.txt &&
	printf "beta é\n" >"w/data/sub/o b+j é.txt" &&
	awk "BEGIN { print \"x,y\"; for (i = 0; i < 30; i++) print i \",\" i * i }" \
		>w/data/t.csv &&
	node "$TEST_DIRECTORY/browser/make-png.js" 17 9 w/data/img/p.png &&
	head -c 3000000 /dev/urandom >w/data/big.bin &&
	quire -C w init -q ns/pkg &&
	quire -C w add -q data README.md &&
	quire -C w set --meta "{\"on\": \"s3\"}" data/a.txt data/a.txt &&
	quire -C w commit -q -m "first version" --meta "{\"where\": \"bucket\"}" >v1 &&
	quire -C w push -q -t v1 -r $REG >/dev/null &&
	mkdir v1-files &&
	cp -R w/data w/README.md v1-files/ &&
	printf "alpha two\n" >w/data/a.txt &&
	echo new >w/data/new.txt &&
	quire -C w add -q data &&
	quire -C w commit -q -m "second version" >v2 &&
	quire -C w push -q -t v2 -r $REG >/dev/null &&
	mkdir wd &&
	echo derived >wd/d.txt &&
	quire -C wd init -q ns/derived &&
	quire -C wd add -q d.txt &&
	quire -C wd commit -q -m derived --parent "$REG#ns/pkg" >/dev/null &&
	quire -C wd push -q -r $REG >/dev/null
'

test_expect_success 'a person walks ns/pkg v1 in the bucket' '
	cat >plan.json <<-EOF &&
	{"registry": "$REG", "filter": "pkg", "package": "ns/pkg",
	 "version": "$(cat v1)", "readme": "Some test data in a bucket.",
	 "folder": "data/",
	 "entries": [
	  {"key": "data/a.txt", "file": "v1-files/data/a.txt", "preview": "text"},
	  {"key": "data/sub/o b+j é.txt", "file": "v1-files/data/sub/o b+j é.txt",
	   "preview": "text"},
	  {"key": "data/t.csv", "file": "v1-files/data/t.csv", "preview": "csv"},
	  {"key": "data/img/p.png", "file": "v1-files/data/img/p.png", "preview": "image",
	   "width": 17, "height": 9},
	  {"key": "data/big.bin", "file": "v1-files/data/big.bin", "preview": "none"}
	 ],
	 "diff": {"from": "$(cat v1)", "to": "$(cat v2)"},
	 "derived": "ns/derived"}
	EOF
	serve_start -r $REG &&
	browser_run --as walk-s3 walk.js "$SERVE_URL" plan.json &&
	serve_stop
'

test_done
