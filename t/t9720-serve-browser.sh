#!/bin/sh
test_description='quire serve in a real browser

Headless Chromium, driven by Playwright, clicks through the catalog as
a person would: registry, filter, package, version, folders, entries
(text, CSV and TSV tables, an image the browser decodes), downloads
(their bytes hashed), paging of a large folder, diffs by link and by
form, lineage and parents; each page checked against what the CLI says
of the same registry, with no console error and no Content Security
Policy violation. The same walk over the registry quilt3 wrote (in
t/vectors). Then a package full of HTML and script in its keys,
metadata, messages, README and CSV cells, every page of it crawled
with and without the policy: nothing runs, all shows as text.'
. ./test-lib.sh
. "$TEST_DIRECTORY/lib-serve.sh"
. "$TEST_DIRECTORY/lib-browser.sh"

# The trash directory lies inside quire's own git repository: a commit's
# provenance must not find it.
GIT_CEILING_DIRECTORIES=$(pwd -P)
export GIT_CEILING_DIRECTORIES

REG=$(pwd -P)/reg
HREG=$(pwd -P)/hreg

# What the hostile package holds everywhere (t/browser/hostile.js knows
# them too).
S1='<script>window.__pwned=1</script>'
S2='"><img src=x onerror="window.__pwned=1">'
S3='[x](javascript:window.__pwned=1)'

# make_csv ROWS SEP: a header and ROWS rows, SEP between the cells.
make_csv () {
	awk -v n="$1" -v sep="$2" 'BEGIN {
		print "id" sep "name" sep "score"
		for (i = 1; i <= n; i++)
			printf "%d%sitem %03d%s%.1f\n", i, sep, i, sep, i / 4
	}'
}

test_expect_success 'setup: ns/pkg v1 and v2, ns/other, more/thing, ns/derived' '
	mkdir -p w/data/sub w/data/img w/data/many &&
	printf "# ns/pkg\n\nSome **test** data for the catalog.\n" >w/README.md &&
	printf "alpha\nbeta é\n" >w/data/a.txt &&
	make_csv 150 , >w/data/table.csv &&
	make_csv 20 "	" >w/data/sub/t.tsv &&
	printf "{\"k\": [1, 2, 3], \"s\": \"é\"}\n" >w/data/sub/conf.json &&
	node "$TEST_DIRECTORY/browser/make-png.js" 40 30 w/data/img/dot.png &&
	head -c 300000 /dev/urandom >w/data/blob.bin &&
	awk "BEGIN { for (i = 0; i < 10000; i++) printf \"line %05d of a long text file\\n\", i }" \
		>w/data/long.txt &&
	test $(wc -c <w/data/long.txt) -gt 262144 &&
	i=0 &&
	while test $i -lt 1205
	do
		echo $i >w/data/many/f$i.txt &&
		i=$((i + 1)) || return 1
	done &&
	quire -C w init -q ns/pkg &&
	quire -C w add -q data README.md &&
	quire -C w set --meta "{\"label\": \"greeting\", \"n\": 3}" \
		data/a.txt data/a.txt &&
	quire -C w commit -q -m "first version" \
		--meta "{\"project\": \"browser walk\", \"v\": 1}" >v1 &&
	quire -C w push -q -t v1 -r "$REG" >/dev/null &&
	mkdir v1-files &&
	cp -R w/data w/README.md v1-files/ &&
	printf "alpha, changed\n" >w/data/a.txt &&
	rm w/data/sub/conf.json &&
	quire -C w rm -q data/sub/conf.json &&
	echo new >w/data/new.txt &&
	quire -C w add -q data &&
	quire -C w set --meta "{\"rows\": 150}" data/table.csv data/table.csv &&
	quire -C w commit -q -m "second version" >v2 &&
	quire -C w push -q -t v2 -r "$REG" >/dev/null &&
	mkdir wo &&
	echo other >wo/o.txt &&
	quire -C wo init -q ns/other &&
	quire -C wo add -q o.txt &&
	quire -C wo commit -q -m other >/dev/null &&
	quire -C wo push -q -r "$REG" >/dev/null &&
	mkdir wt &&
	echo thing >wt/t.txt &&
	quire -C wt init -q more/thing &&
	quire -C wt add -q t.txt &&
	quire -C wt commit -q -m thing >/dev/null &&
	quire -C wt push -q -r "$REG" >/dev/null &&
	mkdir wd &&
	echo derived >wd/d.txt &&
	quire -C wd init -q ns/derived &&
	quire -C wd add -q d.txt &&
	quire -C wd commit -q -m derived --parent "$REG#ns/pkg" >/dev/null &&
	quire -C wd push -q -r "$REG" >/dev/null
'

test_expect_success 'a person walks ns/pkg v1: registry to entries, downloads, paging, diff, lineage' '
	cat >plan.json <<-EOF &&
	{"registry": "$REG", "filter": "ns/", "package": "ns/pkg",
	 "version": "$(cat v1)", "readme": "Some test data for the catalog.",
	 "folder": "data/",
	 "entries": [
	  {"key": "data/a.txt", "file": "v1-files/data/a.txt", "preview": "text"},
	  {"key": "data/table.csv", "file": "v1-files/data/table.csv", "preview": "csv"},
	  {"key": "data/sub/t.tsv", "file": "v1-files/data/sub/t.tsv", "preview": "tsv"},
	  {"key": "data/sub/conf.json", "file": "v1-files/data/sub/conf.json", "preview": "json"},
	  {"key": "data/img/dot.png", "file": "v1-files/data/img/dot.png", "preview": "image",
	   "width": 40, "height": 30},
	  {"key": "data/blob.bin", "file": "v1-files/data/blob.bin", "preview": "none"},
	  {"key": "data/long.txt", "file": "v1-files/data/long.txt", "preview": "text"},
	  {"key": "README.md", "file": "v1-files/README.md", "preview": "text"}
	 ],
	 "paging": "data/many/",
	 "diff": {"from": "$(cat v1)", "to": "$(cat v2)"},
	 "derived": "ns/derived"}
	EOF
	serve_start -r "$REG" &&
	browser_run walk.js "$SERVE_URL" plan.json &&
	test_path_is_file "screenshots/walk/01-registry.png" &&
	serve_stop
'

test_expect_success 'every page has one h1 (a README heading too); the favicon is no 404' '
	serve_start -r "$REG" &&
	browser_run frame.js "$SERVE_URL" / "pkg/ns/pkg@$(cat v1)" &&
	serve_stop
'

. "$TEST_DIRECTORY/lib-quilt3-fixture.sh"

test_expect_success FIXTURE 'a person walks the registry quilt3 wrote' '
	test_when_finished "rm -rf \"$FIXTURE\"" &&
	cp -R "$VECTORS/quilt3-registry/." "$FIXTURE/" &&
	chmod -R u+w "$FIXTURE" &&
	for v in v1 v2
	do
		mkdir -p "$FIXTURE/data/$v/sub" &&
		genfile 9437184 >"$FIXTURE/data/$v/sub/b.bin" || return 1
	done &&
	V1=$(sed -n "s|^fixture/pkg v1 ||p" "$FIXTURE/expected.txt") &&
	V2=$(sed -n "s|^fixture/pkg v2 ||p" "$FIXTURE/expected.txt") &&
	D=$FIXTURE/data/v1 &&
	cat >fplan.json <<-EOF &&
	{"registry": "file://$FIXTURE/reg", "filter": "fixture", "package": "fixture/pkg",
	 "version": "$V1", "folder": "é/",
	 "entries": [
	  {"key": "a.txt", "file": "$D/a.txt", "preview": "text"},
	  {"key": "é/日本 語.txt", "file": "$D/é/日本 語.txt", "preview": "text"},
	  {"key": "sub/b.bin", "file": "$D/sub/b.bin", "preview": "none"},
	  {"key": "empty", "file": "$D/empty", "preview": "text"}
	 ],
	 "diff": {"from": "$V1", "to": "$V2"}}
	EOF
	serve_start -r "file://$FIXTURE/reg" &&
	browser_run --as walk-quilt3 walk.js "$SERVE_URL" fplan.json &&
	serve_stop
'

test_expect_success 'setup: ns/hostile, HTML and script everywhere' '
	mkdir -p h/data "h/<script>window.__pwned=1<" &&
	cat >h/README.md <<-\EOF &&
	# hostile <script>window.__pwned=1</script>

	Raw: <script>window.__pwned=1</script> and "><img src=x onerror="window.__pwned=1">

	<img src=x onerror="window.__pwned=1">

	<script>window.__pwned=1</script>

	Code: `<script>window.__pwned=1</script>` and `"><img src=x onerror="window.__pwned=1">`

	Links: [x](javascript:window.__pwned=1) [y](JaVaScRiPt:window.__pwned=1)
	<javascript:window.__pwned=1> [z](data:text/html,<script>window.__pwned=1</script>)

	<a href="javascript:window.__pwned=1">raw link</a>
	EOF
	cat >h/data/cells.csv <<-\EOF &&
	name,value
	"<script>window.__pwned=1</script>","""><img src=x onerror=""window.__pwned=1"">"
	[x](javascript:window.__pwned=1),plain
	EOF
	echo "$S1" >"h/$S2" &&
	echo "$S2" >"h/$S1" &&
	echo "$S3" >"h/data/$S3" &&
	echo "<html><body>$S1$S2</body></html>" >h/data/evil.html &&
	echo "<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"window.__pwned=1\">$S1</svg>" \
		>h/data/evil.svg &&
	cat >meta.json <<-\EOF &&
	{"a": "<script>window.__pwned=1</script>", "b": "\"><img src=x onerror=\"window.__pwned=1\">", "c": "[x](javascript:window.__pwned=1)", "<script>window.__pwned=1</script>": ["\"><img src=x onerror=\"window.__pwned=1\">"]}
	EOF
	quire -C h init -q ns/hostile &&
	quire -C h add -q . &&
	quire -C h set --meta "$(cat meta.json)" data/cells.csv data/cells.csv &&
	quire -C h set --meta "$(cat meta.json)" "$S1" "$S1" &&
	quire -C h commit -q -m "$S1 $S2 $S3" --meta "$(cat meta.json)" >h1 &&
	quire -C h push -q -r "$HREG" >/dev/null &&
	echo "x,$S3" >>h/data/cells.csv &&
	echo "$S3" >"h/data/$S2.txt" &&
	rm "h/data/$S3" &&
	quire -C h rm -q "data/$S3" &&
	quire -C h add -q . &&
	quire -C h commit -q -m "$S2 again" >h2 &&
	quire -C h push -q -r "$HREG" >/dev/null &&
	quire ls -R -r "$HREG" ns/hostile >keys &&
	test_line_count = 7 keys
'

test_expect_success 'nothing of ns/hostile runs or becomes markup, in any page' '
	echo "{\"registry\": \"$HREG\", \"package\": \"ns/hostile\"}" >hplan.json &&
	serve_start -r "$HREG" &&
	browser_run hostile.js "$SERVE_URL" hplan.json &&
	serve_stop
'

test_done
