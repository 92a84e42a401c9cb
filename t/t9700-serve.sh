#!/bin/sh
test_description='quire serve over a file:// registry, tested with curl

A real server on loopback answers every page and API route of the
catalog: status codes (404 for what is not there, 400 for a bad
revision or query value, 405 for methods other than GET and HEAD, 413
for a request body), the security headers on every answer, content
types; the JSON API answers what the CLI says with --json; pages hold
what the HTML contract names, escaped; raw downloads are the bytes, and
never the wrong bytes of a corrupted object as a complete answer; no
path leaves the registry; folders are paged by 1000 rows; many clients
and idle connections do not stop it; its options, its line on stdout
and its exit on SIGTERM and SIGINT.'
. ./test-lib.sh
. "$TEST_DIRECTORY/lib-serve.sh"
. "$TEST_DIRECTORY/lib-serve-http.sh"

REG=$(pwd -P)/reg
XSS1='<script>alert(1)</script>'
XSS2='"><img src=x onerror=alert(1)>'
XSS3='[x](javascript:alert(1))'

# csv_rows N: a CSV file, a header and N rows.
csv_rows () {
	echo "name,count,note" &&
	i=0 &&
	while test $i -lt $1
	do
		echo "r$i,$i,row $i"
		i=$((i + 1))
	done
}

# count_is N FILE: the text of a p.count in FILE says "N entries" (and
# maybe more after a comma).
count_is () {
	if ! grep -Eq "^$1 entries(,|\$)" "$2"
	then
		echo "error: the count says \"$(cat "$2")\", not \"$1 entries\""
		return 1
	fi
}

# physical_path LSJSON KEY: the file a file:// physical key names.
physical_path () {
	$PY - "$@" <<-\EOF
	import json, sys, urllib.parse
	for e in json.load(open(sys.argv[1], encoding="utf-8"))["entries"]:
	    if e["logical_key"] == sys.argv[2]:
	        u = urllib.parse.urlsplit(e["physical_key"])
	        assert u.scheme == "file", e["physical_key"]
	        print(urllib.parse.unquote(u.path))
	EOF
}

# flip_byte FILE OFFSET: change one byte of FILE in place (same size).
flip_byte () {
	$PY - "$@" <<-\EOF
	import sys
	with open(sys.argv[1], "r+b") as f:
	    f.seek(int(sys.argv[2]))
	    b = f.read(1)
	    f.seek(int(sys.argv[2]))
	    f.write(bytes([b[0] ^ 0x55]))
	EOF
}

# walk_ls PATH LIMIT: follow the API's "next" from the folder listing
# PATH, LIMIT entries a page: the keys into walked, page sizes into pages.
walk_ls () {
	: >walked &&
	: >pages &&
	wl_after= &&
	wl_n=0 &&
	while :
	do
		api "$1?limit=$2${wl_after:+&after=$wl_after}" wl.json &&
		$PY - wl.json <<-\EOF &&
		import json, sys, urllib.parse
		d = json.load(open(sys.argv[1], encoding="utf-8"))
		keys = [e["logical_key"] for e in d["entries"]]
		with open("walked", "a", encoding="utf-8") as f:
		    f.writelines(k + "\n" for k in keys)
		with open("pages", "a") as f:
		    f.write("%d\n" % len(keys))
		n = d["next"]
		assert n is None or isinstance(n, str), n
		with open("next", "w", encoding="utf-8") as f:
		    f.write("" if n is None else urllib.parse.quote(n, safe=""))
		EOF
		wl_after=$(cat next) &&
		test -n "$wl_after" || break
		wl_n=$((wl_n + 1))
		if test $wl_n -gt 50
		then
			echo "error: 'next' does not end"
			return 1
		fi
	done
}

test_expect_success 'setup: ns/pkg v1 and v2, ns/child with ns/pkg:v1 as parent' '
	mkdir -p w/data/sub &&
	echo alpha >w/data/a.txt &&
	echo gone >w/data/gone.txt &&
	echo beta >"w/data/sub/o b+j é.txt" &&
	: >w/data/empty &&
	printf "{\"k\": [1, 2]}\n" >w/data/d.json &&
	csv_rows 150 >w/data/t.csv &&
	$CHECK png >w/data/img.png &&
	head -c 12582917 /dev/urandom >w/data/big.bin &&
	printf "%s\n" "# The title" "" \
		"Hello **world**, see [the site](https://example.org/)." >w/README.md &&
	quire -C w init -q ns/pkg &&
	quire -C w add -q data README.md &&
	quire -C w set --spec pandas.read_csv data/t.csv &&
	quire -C w meta --package "{\"p\": 1}" &&
	quire -C w commit -q -m "first version" >v1 &&
	quire -C w push -q -t v1 -r "$REG" >/dev/null &&
	cp -R w v1-files &&
	echo alpha2 >w/data/a.txt &&
	rm w/data/gone.txt &&
	quire -C w rm -q data/gone.txt &&
	echo new >w/data/new.txt &&
	quire -C w add -q data &&
	quire -C w set --meta "{\"k\": 1}" data/d.json data/d.json &&
	quire -C w meta --package "{\"p\": 2, \"q\": \"é\"}" &&
	quire -C w commit -q -m "second version" >v2 &&
	quire -C w push -q -t v2 -r "$REG" >/dev/null &&
	mkdir -p wc &&
	echo c >wc/c.txt &&
	quire -C wc init -q ns/child &&
	quire -C wc add -q c.txt &&
	quire -C wc commit -q -m child --parent "$REG#ns/pkg:v1" >child &&
	quire -C wc push -q -r "$REG" >/dev/null &&
	! test_cmp v1 v2
'

test_expect_success 'setup: ns/many (2,500 files in one folder), ns/bad, ns/evil' '
	mkdir -p wm/many &&
	$PY -c "
for i in range(2500):
    open(\"wm/many/f%04d.txt\" % i, \"w\").write(\"%d\\n\" % i)
" &&
	echo top >wm/top.txt &&
	quire -C wm init -q ns/many &&
	quire -C wm add -q many top.txt &&
	quire -C wm commit -q -m many >many &&
	quire -C wm push -q -r "$REG" >/dev/null &&
	mkdir -p wb &&
	echo "small and intact" >wb/ok.txt &&
	echo "small, to be corrupted" >wb/small.txt &&
	echo "a preview, to be corrupted" >wb/shown.txt &&
	head -c 12582917 /dev/urandom >wb/big.bin &&
	quire -C wb init -q ns/bad &&
	quire -C wb add -q . &&
	quire -C wb commit -q -m bad >bad &&
	quire -C wb push -q -r "$REG" >/dev/null &&
	mkdir -p we &&
	echo plain >we/plain.txt &&
	quire -C we init -q ns/evil &&
	quire -C we add -q plain.txt &&
	quire -C we commit -q -m plain >evil1 &&
	quire -C we push -q -r "$REG" >/dev/null &&
	mkdir -p "we/<script>alert(1)<" &&
	printf "%s\n" "$XSS1" "$XSS2" >"we/$XSS1" &&
	printf "%s\n" "$XSS1" >"we/$XSS2" &&
	printf "%s\n" "h,$XSS1" "1,\"$XSS2\"" >we/x.csv &&
	printf "%s\n\n" "$XSS1" "$XSS2" "$XSS3 and [y](JaVaScRiPt:alert(2))" \
		"<a href=\"javascript:alert(3)\">z</a>" >we/README.md &&
	quire -C we add -q . &&
	$PY -c "import json, sys
print(json.dumps({\"v\": sys.argv[1], \"w\": sys.argv[2]}))" \
		"$XSS1" "$XSS2" >evil-meta &&
	quire -C we set --meta "$(cat evil-meta)" "$XSS2" "$XSS2" &&
	quire -C we meta --package "$(cat evil-meta)" &&
	quire -C we commit -q -m "$XSS1 $XSS2" >evil2 &&
	quire -C we push -q -r "$REG" >/dev/null &&
	quire list --json -r "$REG" >list.json &&
	jq_py list.json "d[\"registry\"]" >regurl &&
	echo "file://$REG" | sed "s/ /%20/g" >expect &&
	test_cmp expect regurl
'

test_expect_success 'serve prints one line: the registry and its URL' '
	serve_start -r "$REG" &&
	test_line_count = 1 serve-out &&
	serve_line_is regurl
'

test_expect_success 'setup: idle connections that send nothing, watched until closed' '
	"$PY" - "$SERVE_URL" 50 idle-closed idle-ready \
		>idle.log 2>&1 3>&- 4>&- 5>&- 6>&- <<-\EOF &
	# Open 5 connections, send nothing on two, half a request on the
	# others; write how many seconds after opening the server closed
	# each, or "open" for those still open after argv[2] seconds.
	import os, select, socket, sys, time, urllib.parse
	u = urllib.parse.urlsplit(sys.argv[1])
	t0 = time.monotonic()
	socks = []
	for i in range(5):
	    s = socket.create_connection((u.hostname, u.port), timeout=5)
	    if i >= 2:
	        s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
	    socks.append(s)
	open(sys.argv[4], "w").close()
	closed = {}
	deadline = t0 + float(sys.argv[2])
	while len(closed) < len(socks) and time.monotonic() < deadline:
	    live = [s for s in socks if s not in closed]
	    r, _, _ = select.select(live, [], [], 0.5)
	    for s in r:
	        try:
	            data = s.recv(65536)
	        except OSError:
	            data = b""
	        if not data:
	            closed[s] = time.monotonic() - t0
	with open(sys.argv[3] + ".tmp", "w") as f:
	    for s in socks:
	        f.write("%.1f\n" % closed[s] if s in closed else "open\n")
	os.rename(sys.argv[3] + ".tmp", sys.argv[3])
	EOF
	echo $! >idle.pid &&
	n=0 &&
	while ! test -f idle-ready
	do
		test $n -lt 100 || { cat idle.log; return 1; }
		sleep 0.1
		n=$((n + 1))
	done
'

test_expect_success 'registry page: the packages table, their latest versions' '
	page "" reg.html &&
	sel reg.html "form.filter[method=get] input[name=q]" count >n &&
	echo 1 >one &&
	test_cmp one n &&
	sel reg.html "table#packages tr.package a.package" >names &&
	jq_py list.json "\"\\n\".join(p[\"name\"] for p in d[\"packages\"])" >expect &&
	sort expect >expect.sorted &&
	sort names >names.sorted &&
	test_cmp expect.sorted names.sorted &&
	sel reg.html "table#packages tr.package a.package" @href >hrefs &&
	sed "s|^|/pkg/|" expect.sorted >expect &&
	sort hrefs >hrefs.sorted &&
	test_cmp expect hrefs.sorted &&
	sel reg.html "table#packages tr.package a.version" @href | sort >got &&
	jq_py list.json "\"\\n\".join(sorted(\"/pkg/%s@%s\" % (p[\"name\"], p[\"top_hash\"]) for p in d[\"packages\"]))" >expect &&
	test_cmp expect got &&
	sel reg.html "table#packages tr.package a.version" | sort >got &&
	jq_py list.json "\"\\n\".join(sorted(p[\"top_hash\"][:12] for p in d[\"packages\"]))" >expect &&
	test_cmp expect got &&
	sel reg.html "table#packages tr.package time" count >n &&
	echo 5 >five &&
	test_cmp five n &&
	grep "second version" reg.html &&
	for h in $(sort -u hrefs)
	do
		follow "" "$h" p.html || return 1
	done
'

test_expect_success 'registry page and API: ?q= filters the names' '
	page "?q=chi" q.html &&
	sel q.html "table#packages tr.package a.package" >got &&
	echo ns/child >expect &&
	test_cmp expect got &&
	api "api/packages?q=a" qa.json &&
	$PY - list.json qa.json <<-\EOF
	import json, sys
	want = json.load(open(sys.argv[1], encoding="utf-8"))
	want["packages"] = [p for p in want["packages"] if "a" in p["name"]]
	assert [p["name"] for p in want["packages"]] == ["ns/bad", "ns/many"], want
	json.dump(want, open("qa.want", "w", encoding="utf-8"))
	EOF
	json_eq qa.want qa.json
'

test_expect_success 'API packages = quire list --json' '
	api api/packages packages.json &&
	json_eq list.json packages.json
'

test_expect_success 'package page: versions newest first, tags, counts, diff and lineage links' '
	page pkg/ns/pkg pkg.html &&
	sel pkg.html "table#versions tr.version" count >n &&
	echo 2 >two &&
	test_cmp two n &&
	sel pkg.html "table#versions tr.version a.version" @href >got &&
	printf "/pkg/ns/pkg@%s\n" "$(cat v2)" "$(cat v1)" >expect &&
	test_cmp expect got &&
	sel pkg.html "table#versions tr.version a.version" >got &&
	printf "%s\n" "$(short v2)" "$(short v1)" >expect &&
	test_cmp expect got &&
	sel pkg.html "table#versions tr.version span.tag" | sort >got &&
	printf "%s\n" latest v1 v2 >expect &&
	test_cmp expect got &&
	sel pkg.html "table#versions tr.version time" count >n &&
	test_cmp two n &&
	quire show --json -r "$REG" ns/pkg:v2 >show2.json &&
	quire show --json -r "$REG" ns/pkg:v1 >show1.json &&
	sel pkg.html "table#versions tr.version td.entries" >got &&
	printf "%s\n" "$(jq_py show2.json "d[\"entries\"]")" \
		"$(jq_py show1.json "d[\"entries\"]")" >expect &&
	test_cmp expect got &&
	sel pkg.html "table#versions tr.version td.size" count >n &&
	test_cmp two n &&
	grep "second version" pkg.html &&
	grep "first version" pkg.html &&
	one_sel pkg.html "table#versions a.diff" @href >diff.href &&
	follow pkg/ns/pkg "$(cat diff.href)" d.html &&
	sel d.html "table#changes tr" count >n &&
	test "$(cat n)" -gt 0 &&
	one_sel pkg.html "a#lineage" @href >lin.href &&
	follow pkg/ns/pkg "$(cat lin.href)" l.html &&
	sel l.html "ul#lineage a.version" count >n &&
	test "$(cat n)" -gt 0
'

test_expect_success 'package page: the diff form submits to the diff page' '
	one_sel pkg.html "form#diff-form" @action >action &&
	echo /pkg/ns/pkg/diff >expect &&
	test_cmp expect action &&
	sel pkg.html "form#diff-form select[name=from] option" @value >from &&
	sel pkg.html "form#diff-form select[name=to] option" @value >to &&
	test_line_count -ge 2 from &&
	test_line_count -ge 2 to &&
	sel pkg.html "form#diff-form button" count >nb &&
	sel pkg.html "form#diff-form input[type=submit]" count >ni &&
	test $(($(cat nb) + $(cat ni))) -ge 1 &&
	f=$(tail -n 1 from) &&
	t=$(head -n 1 to) &&
	page "pkg/ns/pkg/diff?from=$(pct "$f")&to=$(pct "$t")" form.html &&
	sel form.html "table#changes tr" count >n &&
	test "$(cat n)" -gt 0
'

test_expect_success 'API log = quire log --json' '
	quire log --json -r "$REG" ns/pkg >log.json &&
	api api/pkg/ns/pkg/log log.api &&
	json_eq log.json log.api &&
	quire log --json -r "$REG" ns/evil >elog.json &&
	api api/pkg/ns/evil/log elog.api &&
	json_eq elog.json elog.api
'

test_expect_success 'API show = quire show --json, for every way to name a version' '
	for rev in "@$(cat v1)" "@$(short v1)" "@$(cut -c1-6 v1)" ":v1"
	do
		api "api/pkg/ns/pkg$rev" show.api &&
		json_eq show1.json show.api || return 1
	done &&
	quire show --json -r "$REG" ns/pkg >latest.json &&
	json_eq show2.json latest.json &&
	for rev in "@$(cat v2)" ":v2" ":latest"
	do
		api "api/pkg/ns/pkg$rev" show.api &&
		json_eq show2.json show.api || return 1
	done &&
	quire show --json -r "$REG" "ns/child@$(cat child)" >showc.json &&
	api "api/pkg/ns/child@$(cat child)" showc.api &&
	json_eq showc.json showc.api &&
	quire show --json -r "$REG" "ns/evil@$(cat evil2)" >showe.json &&
	api "api/pkg/ns/evil@$(cat evil2)" showe.api &&
	json_eq showe.json showe.api
'

test_expect_success 'version page: README, metadata, the root folder, lineage link' '
	page "pkg/ns/pkg@$(cat v2)" ver.html &&
	one_sel ver.html "section#readme strong" >got &&
	echo world >expect &&
	test_cmp expect got &&
	# the page has one h1 (checked by lint): the README is below it
	one_sel ver.html "section#readme h2" >got &&
	echo "The title" >expect &&
	test_cmp expect got &&
	one_sel ver.html "section#readme a" @href >got &&
	echo https://example.org/ >expect &&
	test_cmp expect got &&
	one_sel ver.html "section#meta pre" >meta.txt &&
	jq_py show2.json "d[\"user_meta\"]" >want-meta &&
	meta_is want-meta meta.txt &&
	sel ver.html "section#provenance" count >n &&
	echo 0 >zero &&
	test_cmp zero n &&
	sel ver.html "table#entries tr.folder a.folder" >got &&
	echo data/ >expect &&
	test_cmp expect got &&
	sel ver.html "table#entries tr.file a.file" >got &&
	echo README.md >expect &&
	test_cmp expect got &&
	one_sel ver.html "a#lineage" @href >lin.href &&
	follow "pkg/ns/pkg@$(cat v2)" "$(cat lin.href)" l.html &&
	one_sel ver.html "table#entries tr.folder a.folder" @href >f.href &&
	follow "pkg/ns/pkg@$(cat v2)" "$(cat f.href)" f.html &&
	one_sel f.html "p.count" >count &&
	count_is 8 count
'

test_expect_success 'version page by tag, by prefix, :latest; crumbs lead back up' '
	for rev in ":v1" "@$(short v1)" "@$(cut -c1-6 v1)" ":latest"
	do
		page "pkg/ns/pkg$rev" vr.html &&
		sel vr.html "table#entries tr" count >n &&
		test "$(cat n)" -gt 0 || return 1
	done &&
	page "pkg/ns/pkg:v1/tree/data/sub/" sub.html &&
	sel sub.html "nav.crumbs a" @href >crumbs &&
	grep -x / crumbs &&
	grep -x /pkg/ns/pkg crumbs &&
	grep "^/pkg/ns/pkg[@:]" crumbs &&
	grep "/tree/data/$" crumbs &&
	while read -r h
	do
		follow "pkg/ns/pkg:v1/tree/data/sub/" "$h" c.html || return 1
	done <crumbs
'

test_expect_success 'provenance: the parent is linked on the child version page' '
	page "pkg/ns/child@$(cat child)" child.html &&
	one_sel child.html "section#provenance a.parent" @href >p.href &&
	grep "$(cat v1)" p.href &&
	follow "pkg/ns/child@$(cat child)" "$(cat p.href)" parent.html
'

test_expect_success 'folder page: folders and files, counts, links' '
	page "pkg/ns/pkg@$(cat v2)/tree/data/" data.html &&
	quire ls --json -r "$REG" "ns/pkg@$(cat v2)" data/ >ls-data.json &&
	one_sel data.html "p.count" >got &&
	count_is "$(jq_py ls-data.json "len(d[\"entries\"])")" got &&
	sel data.html "table#entries tr.folder a.folder" >got &&
	echo sub/ >expect &&
	test_cmp expect got &&
	sel data.html "table#entries tr.file a.file" | sort >got &&
	jq_py ls-data.json "\"\\n\".join(sorted(e[\"logical_key\"][5:] for e in d[\"entries\"] if e[\"type\"] == \"file\"))" >expect &&
	test_cmp expect got &&
	sel data.html "table#entries tr.file" count >nf &&
	test "$(cat nf)" = "$(wc -l <expect)" &&
	one_sel data.html "table#entries tr.folder a.folder" @href >sub.href &&
	follow "pkg/ns/pkg@$(cat v2)/tree/data/" "$(cat sub.href)" sub.html &&
	sel sub.html "table#entries tr.file a.file" >got &&
	echo "o b+j é.txt" >expect &&
	test_cmp expect got &&
	for h in $(sel data.html "table#entries tr.file a.file" @href)
	do
		follow "pkg/ns/pkg@$(cat v2)/tree/data/" "$h" e.html &&
		sel e.html "dl#entry" count >n &&
		echo 1 >one &&
		test_cmp one n || return 1
	done
'

test_expect_success 'API ls = quire ls --json (one level), with "next": null' '
	api "api/pkg/ns/pkg@$(cat v2)/ls/data/" ls.api &&
	json_eq ls-data.json ls.api --drop next &&
	jq_py ls.api "d[\"next\"]" >next &&
	echo null >expect &&
	test_cmp expect next &&
	quire ls --json -r "$REG" "ns/pkg@$(cat v2)" >ls-root.json &&
	api "api/pkg/ns/pkg@$(cat v2)/ls/" root.api &&
	json_eq ls-root.json root.api --drop next &&
	quire ls --json -r "$REG" "ns/pkg@$(cat v1)" data/sub/ >ls-sub.json &&
	api "api/pkg/ns/pkg:v1/ls/data/sub/" sub.api &&
	json_eq ls-sub.json sub.api --drop next &&
	quire ls --json -r "$REG" "ns/evil@$(cat evil2)" >ls-evil.json &&
	api "api/pkg/ns/evil@$(cat evil2)/ls/" evil.api &&
	json_eq ls-evil.json evil.api --drop next
'

test_expect_success 'API entry = its object in quire ls --json' '
	quire ls --json -R -r "$REG" "ns/pkg@$(cat v2)" >lsR.json &&
	for k in data/a.txt "data/sub/o b+j é.txt" data/empty data/t.csv \
		data/d.json README.md
	do
		entry_of lsR.json "$k" >entry.want &&
		api "api/pkg/ns/pkg@$(cat v2)/entry/$(pct "$k")" entry.api &&
		json_eq entry.want entry.api || return 1
	done &&
	quire ls --json -R -r "$REG" "ns/evil@$(cat evil2)" >lsR-evil.json &&
	for k in "$XSS1" "$XSS2"
	do
		entry_of lsR-evil.json "$k" >entry.want &&
		api "api/pkg/ns/evil@$(cat evil2)/entry/$(pct "$k")" entry.api &&
		json_eq entry.want entry.api || return 1
	done
'

test_expect_success 'entry page: key, size, hash, physical key, handler, metadata, download' '
	page "pkg/ns/pkg@$(cat v2)/entry/data/t.csv" t.html &&
	sel t.html "dl#entry dd" >dd &&
	jq_py ls-data.json "[e for e in d[\"entries\"] if e[\"logical_key\"] == \"data/t.csv\"][0]" >t.json &&
	grep -x "data/t.csv" dd &&
	grep -F "$(jq_py t.json "d[\"hash\"][\"value\"]")" dd &&
	grep -F "$(jq_py t.json "d[\"physical_key\"]")" dd &&
	grep -F pandas.read_csv dd &&
	sel t.html "dl#entry dt" count >n &&
	test "$(cat n)" -ge 5 &&
	page "pkg/ns/pkg@$(cat v2)/entry/data/d.json" dj.html &&
	one_sel dj.html "pre#meta" >meta.txt &&
	echo "{\"k\": 1}" >want-meta &&
	meta_is want-meta meta.txt &&
	sel dj.html "dl#entry dt" count >n &&
	test "$(cat n)" -ge 4 &&
	one_sel dj.html "a#download" @href >dl.href &&
	case "$(cat dl.href)" in
	*/raw/data/d.json) ;;
	*) echo "download link: $(cat dl.href)"; false ;;
	esac &&
	follow "pkg/ns/pkg@$(cat v2)/entry/data/d.json" "$(cat dl.href)" dj.raw raw &&
	test_cmp w/data/d.json dj.raw
'

test_expect_success 'entry page previews: text, JSON, CSV (100 rows), image, none' '
	page "pkg/ns/pkg@$(cat v2)/entry/data/a.txt" a.html &&
	one_sel a.html "section#preview pre.text" >got &&
	echo alpha2 >expect &&
	test_cmp expect got &&
	one_sel dj.html "section#preview pre.text" >got &&
	$PY -c "import json; assert json.load(open(\"got\")) == {\"k\": [1, 2]}" &&
	sel t.html "section#preview table.csv th" >got &&
	printf "%s\n" name count note >expect &&
	test_cmp expect got &&
	$PY - t.html <<-\EOF &&
	import html.parser, sys
	class P(html.parser.HTMLParser):
	    def __init__(self):
	        super().__init__()
	        self.rows, self.cur, self.csv = [], None, 0
	    def handle_starttag(self, t, a):
	        if t == "table" and "csv" in (dict(a).get("class") or "").split():
	            self.csv = 1
	        elif self.csv and t == "tr":
	            self.cur = []
	        elif self.csv and t == "td" and self.cur is not None:
	            self.cur.append("")
	    def handle_endtag(self, t):
	        if t == "table" and self.csv:
	            self.csv = 0
	        elif t == "tr" and self.cur:
	            self.rows.append(self.cur)
	            self.cur = None
	    def handle_data(self, d):
	        if self.csv and self.cur:
	            self.cur[-1] += d
	p = P()
	p.feed(open(sys.argv[1], encoding="utf-8").read())
	rows = [[c.strip() for c in r] for r in p.rows]
	assert len(rows) in (99, 100), len(rows)
	assert rows[0] == ["r0", "0", "row 0"], rows[0]
	assert rows[-1][0] == "r%d" % (len(rows) - 1), rows[-1]
	EOF
	page "pkg/ns/pkg@$(cat v2)/entry/data/img.png" img.html &&
	one_sel img.html "section#preview img.preview" @src >src &&
	case "$(cat src)" in
	*/raw/data/img.png) ;;
	*) echo "img src: $(cat src)"; false ;;
	esac &&
	follow "pkg/ns/pkg@$(cat v2)/entry/data/img.png" "$(cat src)" img.raw raw &&
	test_cmp w/data/img.png img.raw &&
	page "pkg/ns/pkg@$(cat v2)/entry/data/big.bin" big.html &&
	sel big.html "section#preview p.no-preview" count >n &&
	echo 1 >one &&
	test_cmp one n &&
	sel big.html "section#preview pre" count >n &&
	echo 0 >zero &&
	test_cmp zero n
'

test_expect_success 'raw: the bytes, as an attachment' '
	get "pkg/ns/pkg@$(cat v2)/raw/data/a.txt" a.raw &&
	test_cmp w/data/a.txt a.raw &&
	hdr a.raw.h content-disposition >cd &&
	test_line_count = 1 cd &&
	grep -i "^attachment" cd &&
	get "pkg/ns/pkg:v1/raw/data/a.txt" a1.raw &&
	test_cmp v1-files/data/a.txt a1.raw &&
	get "pkg/ns/pkg:v1/raw/data/gone.txt" gone.raw &&
	test_cmp v1-files/data/gone.txt gone.raw &&
	get "pkg/ns/pkg@$(cat v2)/raw/data/empty" empty.raw &&
	test_cmp w/data/empty empty.raw &&
	get "pkg/ns/pkg@$(cat v2)/raw/$(pct "data/sub/o b+j é.txt")" o.raw &&
	test_cmp "w/data/sub/o b+j é.txt" o.raw &&
	get "pkg/ns/pkg@$(cat v2)/raw/data/sub/o%20b+j%20%C3%A9.txt" o.raw &&
	test_cmp "w/data/sub/o b+j é.txt" o.raw &&
	get "pkg/ns/pkg@$(cat v2)/raw/data/big.bin" big.raw &&
	cmp w/data/big.bin big.raw &&
	hdr big.raw.h content-disposition >cd &&
	grep -i "^attachment" cd
'

test_expect_success 'HEAD: the status and headers of GET, no body' '
	for p in "" pkg/ns/pkg "pkg/ns/pkg@$(cat v2)" api/packages \
		"pkg/ns/pkg@$(cat v2)/raw/data/a.txt" static/quire.css pkg/ns/nope
	do
		curl -s -o get.body -D get.h -w "%{http_code}" "$SERVE_URL$p" >get.code &&
		curl -s -I -o /dev/null -D head.h -w "%{http_code}" "$SERVE_URL$p" >head.code &&
		test_cmp get.code head.code &&
		check_headers head.h &&
		hdr get.h content-type >get.ct &&
		hdr head.h content-type >head.ct &&
		test_cmp get.ct head.ct || return 1
	done &&
	curl -s -I -o /dev/null -D head.h "${SERVE_URL}pkg/ns/pkg@$(cat v2)/raw/data/a.txt" &&
	hdr head.h content-disposition | grep -i "^attachment" &&
	hdr head.h content-length >len &&
	if test -s len
	then
		echo 7 >expect &&
		test_cmp expect len
	fi &&
	$PY - "$SERVE_URL" <<-\EOF
	# After a HEAD, the next answer on the same connection is read
	# right: the HEAD sent no body.
	import http.client, sys, urllib.parse
	u = urllib.parse.urlsplit(sys.argv[1])
	c = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
	c.request("HEAD", "/api/packages")
	r = c.getresponse()
	assert r.status == 200, r.status
	r.read()
	c.request("GET", "/api/packages")
	r = c.getresponse()
	assert r.status == 200, r.status
	assert r.read().startswith(b"{"), "GET after HEAD"
	EOF
'

test_expect_success 'static files: CSS and JS, their types; the pages use them' '
	get static/quire.css css &&
	ctype css.h "text/css(; *charset=utf-8)?" &&
	test -s css &&
	get static/quire.js js &&
	ctype js.h "(text|application)/javascript(; *charset=utf-8)?" &&
	test -s js &&
	sel reg.html "script" @src >srcs &&
	sel reg.html "link[rel=stylesheet]" @href >>srcs &&
	grep -x /static/quire.css srcs &&
	while read -r s
	do
		follow "" "$s" s.out raw || return 1
	done <srcs
'

test_expect_success 'diff page: counts, rows by status, links to the entries' '
	test_expect_code 1 quire diff --json -r "$REG" ns/pkg:v1 ns/pkg:v2 >diff.json &&
	jq_py diff.json "\"%d added, %d deleted, %d modified, %d metadata\" % (d[\"added\"], d[\"deleted\"], d[\"modified\"], d[\"metadata\"])" >expect &&
	echo "1 added, 1 deleted, 1 modified, 2 metadata" >expect.literal &&
	test_cmp expect.literal expect &&
	page "pkg/ns/pkg/diff?from=:v1&to=:v2" diff.html &&
	one_sel diff.html "p#summary" >got &&
	test_cmp expect got &&
	for s in added deleted modified metadata
	do
		jq_py diff.json "\"\\n\".join(c[\"logical_key\"] for c in d[\"changes\"] if c[\"status\"] == \"$s\" and c[\"logical_key\"])" >want.$s &&
		sel diff.html "table#changes tr.$s a" >got.$s &&
		while read -r k
		do
			test -z "$k" || grep -xF "$k" got.$s || return 1
		done <want.$s &&
		sel diff.html "table#changes tr.$s" count >n.$s &&
		jq_py diff.json "d[\"$s\"]" >want.n.$s &&
		test_cmp want.n.$s n.$s || return 1
	done &&
	sel diff.html "table#changes tr.deleted a" @href >del.href &&
	grep "@$(cat v1)/entry/data/gone.txt$" del.href &&
	sel diff.html "table#changes tr.added a" @href >add.href &&
	grep "@$(cat v2)/entry/data/new.txt$" add.href &&
	sel diff.html "table#changes tr.modified a" @href >mod.href &&
	grep "@$(cat v2)/entry/data/a.txt$" mod.href &&
	for h in $(cat del.href add.href mod.href)
	do
		follow "pkg/ns/pkg/diff?from=:v1&to=:v2" "$h" de.html || return 1
	done &&
	sel diff.html "p.equal" count >n &&
	echo 0 >zero &&
	test_cmp zero n
'

test_expect_success 'diff page: equal versions say so' '
	page "pkg/ns/pkg/diff?from=:v2&to=@$(cat v2)" eq.html &&
	sel eq.html "p.equal" count >n &&
	echo 1 >one &&
	test_cmp one n &&
	sel eq.html "table#changes tr.added" count >n &&
	echo 0 >zero &&
	test_cmp zero n
'

test_expect_success 'API diff = quire diff --json, revisions spelled every way' '
	for q in "from=:v1&to=:v2" "from=@$(cat v1)&to=@$(cat v2)" \
		"from=$(cat v1)&to=$(cat v2)" "from=$(short v1)&to=:latest"
	do
		api "api/pkg/ns/pkg/diff?$q" diff.api &&
		json_eq diff.json diff.api || return 1
	done &&
	test_expect_code 1 quire diff --json -r "$REG" ns/pkg:v2 ns/pkg:v1 >rdiff.json &&
	api "api/pkg/ns/pkg/diff?from=:v2&to=:v1" rdiff.api &&
	json_eq rdiff.json rdiff.api &&
	quire diff --json -r "$REG" ns/pkg:v2 ns/pkg:v2 >eq.json &&
	api "api/pkg/ns/pkg/diff?from=:v2&to=:v2" eq.api &&
	json_eq eq.json eq.api
'

test_expect_success 'lineage page and API (a version with a parent)' '
	quire lineage --json -r "$REG" "ns/child@$(cat child)" >lin.json &&
	api "api/pkg/ns/child@$(cat child)/lineage" lin.api &&
	json_eq lin.json lin.api &&
	quire lineage --json -r "$REG" ns/pkg:v2 >lin2.json &&
	api "api/pkg/ns/pkg:v2/lineage" lin2.api &&
	json_eq lin2.json lin2.api &&
	page "pkg/ns/child@$(cat child)/lineage" lin.html &&
	sel lin.html "ul#lineage li a.version" >got &&
	printf "%s\n" "ns/child@$(short child)" "ns/pkg@$(short v1)" >expect &&
	test_cmp expect got &&
	sel lin.html "ul#lineage li li a.version" >got &&
	echo "ns/pkg@$(short v1)" >expect &&
	test_cmp expect got &&
	for h in $(sel lin.html "ul#lineage a.version" @href)
	do
		follow "pkg/ns/child@$(cat child)/lineage" "$h" lv.html || return 1
	done
'

test_expect_success 'lineage page: each version says its registry' '
	sel lin.html "ul#lineage li" owntext >lis &&
	test_line_count = 2 lis &&
	while read -r li
	do
		case "$li" in
		*"$(cat regurl)"*) ;;
		*) echo "no registry in: $li"; return 1 ;;
		esac
	done <lis
'

test_expect_success '404: unknown package, version, tag, key, folder, route' '
	V=$(cat v2) &&
	batch 404 html GET pkg/ns/nope pkg/nope/pkg pkg/ns/nope:v1 pkg/ns/nope:latest \
		pkg/ns/pkg@ffffff "pkg/ns/pkg@ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff" \
		pkg/ns/pkg:nope pkg/ns/pkg:nope/tree/data/ \
		"pkg/ns/pkg@$V/entry/nope.txt" "pkg/ns/pkg@$V/raw/nope.txt" \
		"pkg/ns/pkg@$V/entry/data/nope.txt" "pkg/ns/pkg@$V/raw/data" \
		"pkg/ns/pkg@$V/tree/nope/" "pkg/ns/pkg@$V/tree/data/nope/" \
		"pkg/ns/pkg:v1/entry/data/new.txt" "pkg/ns/pkg:v2/raw/data/gone.txt" \
		"pkg/ns/pkg/diff?from=:nope&to=:v1" "pkg/ns/pkg/diff?from=ffffff&to=:v1" \
		nope pkg pkg/ns pkg/ns/pkg/nope "pkg/ns/pkg@$V/nope" \
		static/nope.css static/ &&
	batch 404 any GET api &&
	batch 404 json GET api/pkg/ns/nope/log api/pkg/ns/nope:latest api/pkg/ns/pkg@ffffff \
		api/pkg/ns/pkg:nope "api/pkg/ns/pkg@$V/ls/nope/" \
		"api/pkg/ns/pkg@$V/entry/nope" "api/pkg/ns/pkg@$V/entry/data/nope" \
		"api/pkg/ns/pkg:nope/lineage" "api/pkg/ns/pkg/diff?from=:nope&to=:v1" \
		"api/pkg/ns/pkg/diff?from=:v1&to=ffffff" "api/pkg/ns/pkg@$V/nope" \
		api/nope api/pkg/ns/pkg/nope api/pkg/ns/pkg
'

test_expect_success '404: more path after a route that ends' '
	V=$(cat v2) &&
	batch 404 html GET "pkg/ns/pkg@$V/lineage/x" \
		"pkg/ns/pkg/diff/x?from=:v1&to=:v2" &&
	batch 404 json GET "api/pkg/ns/pkg@$V/lineage/x" api/pkg/ns/pkg/log/x \
		"api/pkg/ns/pkg/diff/x?from=:v1&to=:v2"
'

# The registry keeps manifests by top hash alone: the version of
# another package, or of none, must not be served under a name the
# registry does not have.
test_expect_success '404: a version by its hash under a package that does not exist' '
	V=$(cat v2) &&
	batch 404 html GET "pkg/ns/nope@$V" "pkg/ns/child@$V" \
		"pkg/ns/nope@$V/tree/data/" "pkg/ns/nope@$V/lineage" &&
	batch 404 any GET "pkg/ns/nope@$V/raw/data/a.txt" &&
	batch 404 json GET "api/pkg/ns/nope@$V" "api/pkg/ns/nope@$V/ls/" \
		"api/pkg/ns/nope@$V/entry/data/a.txt" "api/pkg/ns/child@$V/lineage"
'

test_expect_success '400: bad revision spellings and query values' '
	batch 400 html GET pkg/ns/pkg@xyz pkg/ns/pkg@12 pkg/ns/pkg@12345 pkg/ns/pkg@ \
		pkg/ns/pkg: "pkg/ns/pkg:bad%20tag" "pkg/ns/pkg:bad%20tag/tree/data/" \
		"pkg/ns/pkg@xyz/entry/data/a.txt" "pkg/ns/pkg@12/raw/data/a.txt" \
		"pkg/ns/pkg@$(cat v1)0/lineage" \
		"pkg/ns/pkg/diff?from=@xyz&to=:v1" "pkg/ns/pkg/diff?from=:v1&to=12" \
		"pkg/ns/pkg/diff?from=:v1" &&
	batch 400 json GET api/pkg/ns/pkg@xyz api/pkg/ns/pkg@12 "api/pkg/ns/pkg:bad%20tag" \
		api/pkg/ns/pkg@xyz/lineage "api/pkg/ns/pkg@zzzzzz/ls/data/" \
		"api/pkg/ns/pkg/diff?from=@xyz&to=:v1" "api/pkg/ns/pkg/diff?to=:v1" \
		"api/pkg/ns/many@$(cat many)/ls/many/?limit=abc" \
		"api/pkg/ns/many@$(cat many)/ls/many/?limit=-1" \
		"api/pkg/ns/many@$(cat many)/ls/many/?limit=1x"
'

# An empty page whose "next" is null says the folder is empty.
test_expect_success '400: ?limit=0' '
	api "api/pkg/ns/many@$(cat many)/ls/many/?limit=0" br.json 400
'

test_expect_success '405 for every method but GET and HEAD' '
	for m in POST PUT DELETE PATCH OPTIONS
	do
		batch 405 any $m "" api/packages pkg/ns/pkg \
			"pkg/ns/pkg@$(cat v2)/raw/data/a.txt" static/quire.css nope ||
		return 1
	done &&
	expect_status "405|413" POST api/packages --data-binary @w/data/a.txt &&
	expect_status "405|413" PUT "pkg/ns/pkg@$(cat v2)/raw/data/a.txt" \
		--data-binary @w/data/a.txt &&
	get "pkg/ns/pkg@$(cat v2)/raw/data/a.txt" a.raw &&
	test_cmp w/data/a.txt a.raw
'

test_expect_success '405 on the API: a JSON error' '
	for m in POST DELETE OPTIONS
	do
		batch 405 json $m api/packages "api/pkg/ns/pkg@$(cat v2)" || return 1
	done
'

# RFC 9110, 15.5.6: a 405 answer must say the methods that are allowed.
test_expect_success '405 says what is allowed: Allow: GET, HEAD' '
	expect_status 405 DELETE "pkg/ns/pkg@$(cat v2)/raw/data/a.txt" &&
	hdr st.h allow >allow &&
	grep -i GET allow &&
	grep -i HEAD allow
'

test_expect_success '413: a request with a body is refused' '
	expect_status 413 GET "" --data-binary @w/data/a.txt &&
	expect_status 413 GET api/packages --data-binary @w/data/a.txt &&
	expect_status "400|413" GET api/packages -H "Transfer-Encoding: chunked" \
		--data-binary @w/data/a.txt &&
	head -c 1048576 w/data/big.bin >mib &&
	expect_status "405|413" POST "" --data-binary @mib &&
	api api/packages packages.json
'

test_expect_success 'no path leaves the registry: dots, encoded slashes, NUL' '
	V=$(cat v2) &&
	echo "SECRET-OUTSIDE" >secret.txt &&
	batch "400|404" any GET "pkg/ns/pkg@$V/raw/../../../etc/passwd" \
		"pkg/ns/pkg@$V/raw/../../../../../../../../etc/passwd" \
		"pkg/ns/pkg@$V/raw/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd" \
		"pkg/ns/pkg@$V/raw/..%2f..%2f..%2f..%2f..%2fetc%2fpasswd" \
		"pkg/ns/pkg@$V/raw/data/..%2F..%2F..%2F..%2Fsecret.txt" \
		"pkg/ns/pkg@$V/raw/data/%2e%2e/a.txt" \
		"pkg/ns/pkg@$V/raw/data/sub/../a.txt" \
		"pkg/ns/pkg@$V/raw/data/./a.txt" \
		"pkg/ns/pkg@$V/raw/./data/a.txt" \
		"pkg/ns/pkg@$V/raw/data//a.txt" \
		"pkg/ns/pkg@$V/raw//data/a.txt" \
		"pkg/ns/pkg@$V/raw/data%2F%2Fa.txt" \
		"pkg/ns/pkg@$V/raw/data/%2Fa.txt" \
		"pkg/ns/pkg@$V/raw/%2Fetc%2Fpasswd" \
		"pkg/ns/pkg@$V/raw/%00" \
		"pkg/ns/pkg@$V/entry/../../../etc/passwd" \
		"pkg/ns/pkg@$V/entry/data/..%2f..%2fREADME.md" \
		"pkg/ns/pkg@$V/tree/../../../etc/" \
		"pkg/ns/pkg@$V/tree/data/../" \
		"pkg/ns/pkg@$V/tree/data/%2e%2e/" \
		"pkg/ns/pkg@$V/tree/data//sub/" \
		"pkg/ns/pkg@$V/raw/../../../.quilt/packages/$V" \
		"pkg/ns/pkg@$V/raw/..%2f..%2f..%2f.quilt%2fpackages%2f$V" \
		"api/pkg/ns/pkg@$V/entry/../../../etc/passwd" \
		"api/pkg/ns/pkg@$V/entry/data/%2e%2e/README.md" \
		"api/pkg/ns/pkg@$V/ls/data/../" \
		"api/pkg/ns/pkg@$V/ls/..%2f..%2f" \
		"pkg/../../../../etc/passwd" "pkg/ns/..%2f..%2fetc/passwd" \
		"pkg/..%2f..%2f..%2fetc/passwd" "pkg/%2e%2e/%2e%2e/etc/passwd" \
		"pkg/ns/.." "pkg/../pkg" "pkg/ns/%2e%2e" \
		"static/../../../../etc/passwd" "static/%2e%2e/%2e%2e/%2e%2e/etc/passwd" \
		"static/..%2f..%2f..%2f..%2fetc%2fpasswd" "static/%2e%2e/quire.c" \
		"static//quire.css" "static/./quire.css" \
		"../../../../etc/passwd" "%2e%2e/%2e%2e/etc/passwd" "//etc/passwd" &&
	for f in batch.[0-9]*
	do
		if grep -q "SECRET-OUTSIDE\|hash_type\|\"version\": \"v0\"" $f
		then
			echo "error: $f answered something outside the entries"
			return 1
		fi
	done
'

# A NUL in a path is no key: what comes before it is not to be served
# in its place (a.txt%00.png would come as a.txt).
test_expect_success 'a NUL (%00) in a path: 404 or 400' '
	V=$(cat v2) &&
	batch "400|404" any GET "pkg/ns/pkg@$V/raw/data/a.txt%00" \
		"pkg/ns/pkg@$V/raw/data/a.txt%00.png" \
		"pkg/ns/pkg@$V/entry/data/a.txt%00" \
		"api/pkg/ns/pkg@$V/entry/data/a.txt%00" \
		"pkg/ns/pkg%00@$V" "static/quire.css%00" "%00"
'

test_expect_success 'a folder of 2,500 files: pages of 1000 rows, next and prev' '
	M=$(cat many) &&
	page "pkg/ns/many@$M/tree/many/" p1.html &&
	one_sel p1.html "p.count" >got &&
	count_is 2500 got &&
	sel p1.html "table#entries tr.file a.file" >rows1 &&
	test_line_count = 1000 rows1 &&
	sel p1.html "a.prev" count >n &&
	echo 0 >zero &&
	test_cmp zero n &&
	same_sel p1.html "a.next" @href >next1 &&
	p2=$($CHECK join "/pkg/ns/many@$M/tree/many/" "$(cat next1)") &&
	page "$p2" p2.html &&
	sel p2.html "table#entries tr.file a.file" >rows2 &&
	test_line_count = 1000 rows2 &&
	same_sel p2.html "a.prev" @href >/dev/null &&
	same_sel p2.html "a.next" @href >next2 &&
	p3=$($CHECK join "/$p2" "$(cat next2)") &&
	page "$p3" p3.html &&
	sel p3.html "table#entries tr.file a.file" >rows3 &&
	test_line_count = 500 rows3 &&
	sel p3.html "a.next" count >n &&
	test_cmp zero n &&
	cat rows1 rows2 rows3 >all &&
	$PY -c "
for i in range(2500):
    print(\"f%04d.txt\" % i)" >expect &&
	test_cmp expect all &&
	same_sel p3.html "a.prev" @href >prev3 &&
	follow "$p3" "$(cat prev3)" back.html &&
	sel back.html "table#entries tr.file a.file" >rows.back &&
	test_cmp rows2 rows.back &&
	same_sel back.html "a.prev" @href >prev2 &&
	follow "$($CHECK join "/$p3" "$(cat prev3)")" "$(cat prev2)" back1.html &&
	sel back1.html "table#entries tr.file a.file" >rows.back1 &&
	test_cmp rows1 rows.back1
'

test_expect_success 'API ls pages: limit and after walk all 2,500 once' '
	M=$(cat many) &&
	quire ls --json -r "$REG" "ns/many@$M" many/ >ls-many.json &&
	jq_py ls-many.json "\"\\n\".join(e[\"logical_key\"] for e in d[\"entries\"])" >expect &&
	test_line_count = 2500 expect &&
	walk_ls "api/pkg/ns/many@$M/ls/many/" 700 &&
	test_cmp expect walked &&
	printf "%s\n" 700 700 700 400 >expect.pages &&
	test_cmp expect.pages pages &&
	api "api/pkg/ns/many@$M/ls/many/" dflt.json &&
	jq_py dflt.json "len(d[\"entries\"])" >n &&
	echo 1000 >expect.n &&
	test_cmp expect.n n &&
	jq_py dflt.json "str(d[\"next\"] is not None)" >has &&
	echo True >true &&
	test_cmp true has &&
	api "api/pkg/ns/many@$M/ls/many/?limit=10000" all.json &&
	json_eq ls-many.json all.json --drop next &&
	jq_py all.json "d[\"next\"]" >nx &&
	echo null >null &&
	test_cmp null nx &&
	walk_ls "api/pkg/ns/many@$M/ls/many/" 2500 &&
	test_cmp expect walked &&
	echo 2500 >expect.pages &&
	test_cmp expect.pages pages
'

# evil_pages: the pages of ns/evil, into evil-pages (path and file).
evil_pages () {
	E=$(cat evil2) &&
	: >evil-pages &&
	: >ev.files &&
	ev_i=0 &&
	for p in "" "?q=evil" pkg/ns/evil "pkg/ns/evil@$E" "pkg/ns/evil@$E/lineage" \
		"pkg/ns/evil/diff?from=@$(cat evil1)&to=@$E" \
		"pkg/ns/evil@$E/entry/x.csv" "pkg/ns/evil@$E/entry/README.md"
	do
		ev_i=$((ev_i + 1)) &&
		page "$p" ev$ev_i.html &&
		echo "$p	ev$ev_i.html" >>evil-pages || return 1
	done &&
	sel ev4.html "table#entries a.folder" @href >ev.folders &&
	test_line_count = 1 ev.folders &&
	for h in $(cat ev.folders)
	do
		ev_i=$((ev_i + 1)) &&
		fp=$($CHECK join "/pkg/ns/evil@$E" "$h") &&
		page "$fp" ev$ev_i.html &&
		echo "$fp	ev$ev_i.html" >>evil-pages &&
		sel ev$ev_i.html "table#entries a.file" @href >>ev.files || return 1
	done &&
	sel ev4.html "table#entries a.file" @href >>ev.files &&
	sel ev6.html "table#changes a" @href >>ev.files &&
	for h in $(cat ev.files)
	do
		ev_i=$((ev_i + 1)) &&
		fp=$($CHECK join "/pkg/ns/evil@$E" "$h") &&
		page "$fp" ev$ev_i.html &&
		echo "$fp	ev$ev_i.html" >>evil-pages || return 1
	done
}

test_expect_success 'escaping: keys, metadata, messages, README and CSV never reach the HTML raw' '
	evil_pages &&
	test_line_count -ge 12 evil-pages &&
	for f in ev*.html
	do
		if grep -F "<script>alert" $f || grep -F "<img src=x" $f ||
			grep -i "href=\"javascript:" $f || grep -i "href=javascript:" $f ||
			grep -i "src=\"javascript:" $f
		then
			echo "error: $f ($(grep "	$f\$" evil-pages)) holds them raw"
			return 1
		fi
	done &&
	for f in ev1.html ev3.html ev4.html ev6.html ev7.html
	do
		grep -F "&lt;script&gt;alert(1)&lt;/script&gt;" $f || {
			echo "error: $f does not show the text escaped"
			return 1
		}
	done &&
	sel ev4.html "section#readme a" @href >readme.hrefs &&
	test_grep -v -i "script:" readme.hrefs &&
	sel ev4.html "section#readme" count >n &&
	echo 1 >one &&
	test_cmp one n &&
	one_sel ev4.html "section#meta pre" >meta.txt &&
	meta_is evil-meta meta.txt
'

test_expect_success 'escaping: the entries with hostile keys have their pages and bytes' '
	E=$(cat evil2) &&
	for k in "$XSS1" "$XSS2"
	do
		page "pkg/ns/evil@$E/entry/$(pct "$k")" ek.html &&
		sel ek.html "dl#entry dd" >dd &&
		grep -xF "$k" dd &&
		one_sel ek.html "a#download" @href >dl.href &&
		follow "pkg/ns/evil@$E/entry/$(pct "$k")" "$(cat dl.href)" ek.raw raw &&
		test_cmp "we/$k" ek.raw &&
		one_sel ek.html "section#preview pre.text" >got &&
		echo $(cat "we/$k") >expect &&
		test_cmp expect got || return 1
	done &&
	page "pkg/ns/evil@$E/entry/$(pct "$XSS2")" ek.html &&
	one_sel ek.html "pre#meta" >meta.txt &&
	meta_is evil-meta meta.txt
'

test_expect_success 'a corrupted object: an error, never its wrong bytes as a complete 200' '
	B=$(cat bad) &&
	quire ls --json -r "$REG" "ns/bad@$B" >ls-bad.json &&
	get "pkg/ns/bad@$B/raw/ok.txt" ok.raw &&
	test_cmp wb/ok.txt ok.raw &&
	small=$(physical_path ls-bad.json small.txt) &&
	big=$(physical_path ls-bad.json big.bin) &&
	test -f "$small" && test -f "$big" &&
	rm -rf "$XDG_CACHE_HOME/quire" &&
	flip_byte "$small" 3 &&
	flip_byte "$big" 12582910 &&
	for k in small.txt big.bin
	do
		curl -s -o bad.out -D bad.h -w "%{http_code}" \
			"${SERVE_URL}pkg/ns/bad@$B/raw/$k" >bad.code
		rc=$?
		echo "$k: status $(cat bad.code), curl exit $rc, $(wc -c <bad.out) bytes" &&
		if test "$(cat bad.code)" = 200 && test $rc = 0
		then
			echo "error: the corrupted $k came as a complete 200"
			cmp "wb/$k" bad.out
			return 1
		fi
	done &&
	get "pkg/ns/bad@$B/raw/ok.txt" ok.raw &&
	test_cmp wb/ok.txt ok.raw
'

test_expect_success 'a corrupted object is not previewed as its text' '
	B=$(cat bad) &&
	shown=$(physical_path ls-bad.json shown.txt) &&
	rm -rf "$XDG_CACHE_HOME/quire" &&
	flip_byte "$shown" 2 &&
	code=$(serve_get "pkg/ns/bad@$B/entry/shown.txt" shown.html) &&
	echo "status $code" &&
	if test "$code" = 200
	then
		sel shown.html "section#preview pre.text" >pre &&
		tr -d "\n" <"$shown" >corrupt &&
		! grep -F "$(cat corrupt)" pre
	fi
'

test_expect_success 'many clients at once: all answered, the server lives on' '
	V=$(cat v2) &&
	i=0 &&
	: >urls &&
	while test $i -lt 50
	do
		printf "%s\n" "$SERVE_URL" "${SERVE_URL}api/packages" \
			"${SERVE_URL}pkg/ns/pkg@$V/tree/data/" \
			"${SERVE_URL}pkg/ns/pkg@$V/raw/data/a.txt" >>urls &&
		i=$((i + 1)) || return 1
	done &&
	test_line_count = 200 urls &&
	xargs -P 200 -n 1 curl -s -o /dev/null --max-time 60 \
		-w "%{http_code}\n" <urls >codes &&
	sort codes | uniq -c &&
	test_line_count = 200 codes &&
	! grep -v -x 200 codes &&
	seq 8 | xargs -P 8 -I{} curl -s -o big.{} --max-time 60 \
		"${SERVE_URL}pkg/ns/pkg@$V/raw/data/big.bin" &&
	for n in $(seq 8)
	do
		cmp w/data/big.bin big.$n || return 1
	done &&
	kill -0 $SERVE_PID &&
	api api/packages packages.json
'

test_expect_success 'idle and slow connections do not stop others being served' '
	$PY - "$SERVE_URL" <<-\EOF
	import socket, sys, time, urllib.parse, urllib.request
	u = urllib.parse.urlsplit(sys.argv[1])
	idle = []
	for i in range(50):
	    s = socket.create_connection((u.hostname, u.port), timeout=5)
	    if i % 2:
	        # a request begun and never finished
	        s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
	    idle.append(s)
	time.sleep(0.5)
	for i in range(20):
	    t = time.monotonic()
	    with urllib.request.urlopen(sys.argv[1] + "api/packages", timeout=10) as r:
	        assert r.status == 200, r.status
	        r.read()
	    took = time.monotonic() - t
	    assert took < 5, "a request took %.1f s with 50 idle connections" % took
	for s in idle:
	    s.close()
	EOF
'

test_expect_success 'idle connections are closed by the server in time' '
	n=0 &&
	while ! test -s idle-closed && kill -0 $(cat idle.pid) 2>/dev/null
	do
		test $n -lt 600 || break
		sleep 0.1
		n=$((n + 1))
	done &&
	cat idle.log &&
	cat idle-closed &&
	test_line_count = 5 idle-closed &&
	! grep open idle-closed
'

test_expect_success 'serve --help; -h' '
	quire serve --help >out &&
	test_grep "^usage: quire serve" out &&
	test_grep "[-]-port" out &&
	test_grep "[-]-bind" out &&
	quire serve -h >out &&
	test_grep "^usage: quire serve" out
'

test_expect_success 'bad --port: fatal, no server' '
	for p in 70000 65536
	do
		test_fatal 128 timeout 10 quire serve -r "$REG" --port $p >out &&
		! test -s out || return 1
	done &&
	for p in abc -1 ""
	do
		# not a number: a usage error, as parse-options gives it
		timeout 10 quire serve -r "$REG" --port "$p" >out 2>err
		rc=$?
		case $rc in
		128) test_grep "^fatal: " err ;;
		129) test_grep "^error: " err ;;
		*) echo "--port $p: exit $rc"; false ;;
		esac &&
		! grep "^serving" out || return 1
	done
'

test_expect_success '--bind: an address not on this host is fatal; 127.0.0.1 works' '
	test_fatal 128 timeout 10 quire serve -r "$REG" --port 0 --bind 192.0.2.1 >out &&
	! test -s out &&
	test_fatal 128 timeout 10 quire serve -r "$REG" --port 0 --bind not-an-address >out &&
	! test -s out &&
	serve_start -r "$REG" --bind 127.0.0.1 &&
	serve_line_is regurl &&
	api api/packages packages.json
'

test_expect_success 'a port in use, a registry that does not exist: fatal' '
	port=$(echo "$SERVE_URL" | sed "s|.*:\([0-9]*\)/\$|\1|") &&
	test_fatal 128 timeout 10 quire serve -r "$REG" --port $port >out &&
	! test -s out &&
	test_fatal 128 timeout 10 quire serve -r "$PWD/nowhere" --port 0 >out &&
	! test -s out &&
	test_path_is_missing nowhere &&
	api api/packages packages.json
'

test_expect_success 'SIGTERM: exit 0' '
	serve_start -r "$REG" &&
	pid=$SERVE_PID &&
	serve_stop &&
	! kill -0 $pid 2>/dev/null &&
	test_line_count = 1 serve-out
'

test_expect_success 'SIGINT: exit 0, nothing more on stdout' '
	$PY - "$(cat regurl)" <<-\EOF
	# Started from Python with SIGINT at its default (a shell starts
	# background jobs with SIGINT ignored), as a terminal would.
	import re, signal, subprocess, sys, urllib.request
	signal.signal(signal.SIGINT, signal.SIG_DFL)
	p = subprocess.Popen(["quire", "serve", "-r", sys.argv[1], "--port", "0"],
	                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
	try:
	    line = p.stdout.readline().decode()
	    m = re.fullmatch(r"serving (.*) at (http://127\.0\.0\.1:\d+/)\n", line)
	    assert m and m.group(1) == sys.argv[1], line
	    with urllib.request.urlopen(m.group(2) + "api/packages", timeout=10) as r:
	        assert r.status == 200
	    p.send_signal(signal.SIGINT)
	    rc = p.wait(timeout=10)
	    rest = p.stdout.read()
	    assert rc == 0, "exit %d: %s" % (rc, p.stderr.read())
	    assert rest == b"", rest
	finally:
	    if p.poll() is None:
	        p.kill()
	        p.wait()
	EOF
'

test_done
