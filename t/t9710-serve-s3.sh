#!/bin/sh
test_description='quire serve over S3 (Swift s3api on loopback), tested with curl

The catalog of a registry in an S3 bucket: the API answers what the CLI
says with --json, the pages hold what the HTML contract names, raw
downloads are the bytes of the objects (a 12 MiB one too, and keys with
spaces, plus signs and accents); unknown packages, versions, tags, keys
and folders are 404 and bad spellings 400; an object overwritten in the
bucket, or whose bytes the network flips or cuts, is never sent as a
complete answer; a registry the server cannot read is 500; a bucket
that does not answer or does not exist is fatal at start.'
. ./test-lib.sh
. "$TEST_DIRECTORY/lib-s3.sh"
. "$TEST_DIRECTORY/lib-serve.sh"
. "$TEST_DIRECTORY/lib-serve-http.sh"

REG=s3://vers/reg
PREG=s3://plain/reg

# s3_flip_object URL OFFSET: overwrite the object at s3://bucket/key
# (any ?versionId= dropped: a plain bucket keeps one version) with its
# bytes, one of them changed: same size, other bytes.
s3_flip_object () {
	"$S3_PYTHON" - "$@" <<-\EOF
	import os, sys, urllib.parse
	import boto3, botocore.config
	s3 = boto3.client("s3", endpoint_url=os.environ["S3_ENDPOINT"],
	                  config=botocore.config.Config(
	                      s3={"addressing_style": "path"}))
	u = urllib.parse.urlsplit(sys.argv[1])
	bucket, key = u.netloc, urllib.parse.unquote(u.path[1:])
	body = bytearray(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
	i = int(sys.argv[2])
	body[i] ^= 0x55
	s3.put_object(Bucket=bucket, Key=key, Body=bytes(body))
	EOF
}

# physical_key LSJSON KEY
physical_key () {
	entry_of "$1" "$2" >pk.json &&
	jq_py pk.json "d[\"physical_key\"]"
}

# expect_broken PATH: GET PATH must not come as a complete 200: a
# status that is not 200, or a transfer curl reports broken.
expect_broken () {
	curl -s -o broken.out -D broken.h -w "%{http_code}" --max-time 60 \
		"$SERVE_URL$1" >broken.code
	eb_rc=$?
	echo "/$1: status $(cat broken.code), curl exit $eb_rc, $(wc -c <broken.out) bytes"
	if test "$(cat broken.code)" = 200 && test $eb_rc = 0
	then
		echo "error: /$1 came as a complete 200"
		return 1
	fi
}

# serve_restart OPTIONS...: a fresh server, also when the last one died
# (a failure its own test has reported).
serve_restart () {
	serve_stop || echo "(the server had died)"
	serve_start "$@"
}

# serve_via_proxy: a fresh server of $REG that reaches S3 through the
# fault-injecting proxy, and tries each request twice, not six times.
serve_via_proxy () {
	vp_ep=$AWS_ENDPOINT_URL &&
	AWS_ENDPOINT_URL=$S3_PROXY &&
	QUIRE_S3_ATTEMPTS=2 &&
	export QUIRE_S3_ATTEMPTS &&
	serve_restart -r $REG
	vp_rc=$?
	AWS_ENDPOINT_URL=$vp_ep
	unset QUIRE_S3_ATTEMPTS
	return $vp_rc
}

test_expect_success 'setup: S3 server and buckets' '
	s3_start &&
	s3_mkbucket plain &&
	s3_mkbucket vers versioned
'

test_expect_success 'setup: ns/pkg v1 and v2, ns/child with a parent, in a versioned bucket' '
	mkdir -p w/data/sub &&
	echo alpha >w/data/a.txt &&
	echo gone >w/data/gone.txt &&
	echo beta >"w/data/sub/o b+j é.txt" &&
	: >w/data/empty &&
	head -c 12582917 /dev/urandom >w/data/big.bin &&
	printf "%s\n" "Hello **world**." >w/README.md &&
	quire -C w init -q ns/pkg &&
	quire -C w add -q data README.md &&
	quire -C w meta --package "{\"p\": 1}" &&
	quire -C w commit -q -m "first version" >v1 &&
	quire -C w push -q -t v1 -r $REG >/dev/null &&
	echo alpha2 >w/data/a.txt &&
	rm w/data/gone.txt &&
	quire -C w rm -q data/gone.txt &&
	echo new >w/data/new.txt &&
	quire -C w add -q data &&
	quire -C w set --meta "{\"k\": 1}" data/empty data/empty &&
	quire -C w meta --package "{\"p\": 2}" &&
	quire -C w commit -q -m "second version" >v2 &&
	quire -C w push -q -t v2 -r $REG >/dev/null &&
	mkdir wc &&
	echo c >wc/c.txt &&
	quire -C wc init -q ns/child &&
	quire -C wc add -q c.txt &&
	quire -C wc commit -q -m child --parent "$REG#ns/pkg:v1" >child &&
	quire -C wc push -q -r $REG >/dev/null &&
	mkdir wf &&
	echo "flipped on the way" >wf/flip.txt &&
	head -c 9437189 /dev/urandom >wf/big.bin &&
	quire -C wf init -q ns/flip &&
	quire -C wf add -q . &&
	quire -C wf commit -q -m flip >flip &&
	quire -C wf push -q -r $REG >/dev/null &&
	quire list --json -r $REG >list.json &&
	jq_py list.json "d[\"registry\"]" >regurl &&
	echo $REG >expect &&
	test_cmp expect regurl
'

test_expect_success 'setup: ns/bad in a plain bucket' '
	mkdir wb &&
	echo "small and intact" >wb/ok.txt &&
	echo "small, to be overwritten" >wb/small.txt &&
	head -c 9437189 /dev/urandom >wb/big.bin &&
	quire -C wb init -q ns/bad &&
	quire -C wb add -q . &&
	quire -C wb commit -q -m bad >bad &&
	quire -C wb push -q -r $PREG >/dev/null
'

test_expect_success 'serve prints one line: the bucket and its URL' '
	serve_start -r $REG &&
	test_line_count = 1 serve-out &&
	serve_line_is regurl
'

test_expect_success 'API = CLI --json: list, log, show, ls, entry, diff, lineage' '
	api api/packages packages.json &&
	json_eq list.json packages.json &&
	quire log --json -r $REG ns/pkg >log.json &&
	api api/pkg/ns/pkg/log log.api &&
	json_eq log.json log.api &&
	quire show --json -r $REG ns/pkg:v1 >show1.json &&
	for rev in ":v1" "@$(cat v1)" "@$(short v1)"
	do
		api "api/pkg/ns/pkg$rev" show.api &&
		json_eq show1.json show.api || return 1
	done &&
	quire show --json -r $REG ns/pkg >show2.json &&
	api "api/pkg/ns/pkg:latest" show.api &&
	json_eq show2.json show.api &&
	quire ls --json -r $REG ns/pkg:v2 data/ >ls.json &&
	api "api/pkg/ns/pkg:v2/ls/data/" ls.api &&
	json_eq ls.json ls.api --drop next &&
	jq_py ls.api "d[\"next\"]" >next &&
	echo null >expect &&
	test_cmp expect next &&
	quire ls --json -r $REG ns/pkg:v2 >lsroot.json &&
	api "api/pkg/ns/pkg:v2/ls/" lsroot.api &&
	json_eq lsroot.json lsroot.api --drop next &&
	quire ls --json -R -r $REG ns/pkg:v2 >lsR.json &&
	for k in data/a.txt "data/sub/o b+j é.txt" data/empty
	do
		entry_of lsR.json "$k" >entry.want &&
		api "api/pkg/ns/pkg:v2/entry/$(pct "$k")" entry.api &&
		json_eq entry.want entry.api || return 1
	done &&
	test_expect_code 1 quire diff --json -r $REG ns/pkg:v1 ns/pkg:v2 >diff.json &&
	api "api/pkg/ns/pkg/diff?from=:v1&to=:v2" diff.api &&
	json_eq diff.json diff.api &&
	quire lineage --json -r $REG "ns/child@$(cat child)" >lin.json &&
	api "api/pkg/ns/child@$(cat child)/lineage" lin.api &&
	json_eq lin.json lin.api
'

test_expect_success 'pages: registry, package, version, folder, entry, diff, lineage' '
	page "" reg.html &&
	sel reg.html "table#packages tr.package a.package" | sort >got &&
	printf "%s\n" ns/child ns/flip ns/pkg >expect &&
	test_cmp expect got &&
	page pkg/ns/pkg pkg.html &&
	sel pkg.html "table#versions tr.version a.version" @href >got &&
	printf "/pkg/ns/pkg@%s\n" "$(cat v2)" "$(cat v1)" >expect &&
	test_cmp expect got &&
	page "pkg/ns/pkg:v2" ver.html &&
	one_sel ver.html "section#readme strong" >got &&
	echo world >expect &&
	test_cmp expect got &&
	one_sel ver.html "section#meta pre" >meta.txt &&
	echo "{\"p\": 2}" >want-meta &&
	meta_is want-meta meta.txt &&
	page "pkg/ns/pkg:v2/tree/data/" data.html &&
	sel data.html "table#entries tr.file a.file" | sort >got &&
	printf "%s\n" a.txt big.bin empty new.txt >expect &&
	test_cmp expect got &&
	sel data.html "table#entries tr.folder a.folder" >got &&
	echo sub/ >expect &&
	test_cmp expect got &&
	page "pkg/ns/pkg:v2/entry/data/a.txt" a.html &&
	one_sel a.html "section#preview pre.text" >got &&
	echo alpha2 >expect &&
	test_cmp expect got &&
	sel a.html "dl#entry dd" >dd &&
	grep -F "$(physical_key lsR.json data/a.txt)" dd &&
	page "pkg/ns/pkg/diff?from=:v1&to=:v2" diff.html &&
	one_sel diff.html "p#summary" >got &&
	echo "1 added, 1 deleted, 1 modified, 2 metadata" >expect &&
	test_cmp expect got &&
	page "pkg/ns/child@$(cat child)" child.html &&
	one_sel child.html "section#provenance a.parent" @href >p.href &&
	grep "$(cat v1)" p.href &&
	page "pkg/ns/child@$(cat child)/lineage" lin.html &&
	sel lin.html "ul#lineage li li a.version" >got &&
	echo "ns/pkg@$(short v1)" >expect &&
	test_cmp expect got &&
	sel lin.html "ul#lineage li" owntext >lis &&
	test_line_count = 2 lis &&
	while read -r li
	do
		case "$li" in
		*"$REG"*) ;;
		*) echo "no registry in: $li"; return 1 ;;
		esac
	done <lis
'

test_expect_success 'raw: the bytes of the objects, as attachments' '
	get "pkg/ns/pkg:v2/raw/data/a.txt" a.raw &&
	test_cmp w/data/a.txt a.raw &&
	hdr a.raw.h content-disposition | grep -i "^attachment" &&
	get "pkg/ns/pkg:v1/raw/data/gone.txt" gone.raw &&
	echo gone >expect &&
	test_cmp expect gone.raw &&
	get "pkg/ns/pkg:v2/raw/$(pct "data/sub/o b+j é.txt")" o.raw &&
	test_cmp "w/data/sub/o b+j é.txt" o.raw &&
	get "pkg/ns/pkg:v2/raw/data/empty" e.raw &&
	test_cmp w/data/empty e.raw &&
	get "pkg/ns/pkg:v2/raw/data/big.bin" big.raw &&
	cmp w/data/big.bin big.raw &&
	curl -s -I -o /dev/null -D head.h "${SERVE_URL}pkg/ns/pkg:v2/raw/data/big.bin" &&
	check_headers head.h &&
	hdr head.h content-disposition | grep -i "^attachment"
'

# Each connection is a thread of the server, which ends with it; a
# later thread may get the same pthread_t, and the registries the
# server keeps between requests go from thread to thread: nothing a
# thread owned (its S3 client) may be used once it has ended. A few
# requests at once, then one at a time, a few rounds.
test_expect_success 'requests at once and one by one, each on a connection of its own: the server lives on' '
	# glibc fills freed memory with bytes that are no pointers: a
	# use of freed memory crashes at once rather than by chance
	MALLOC_PERTURB_=165 &&
	export MALLOC_PERTURB_ &&
	serve_restart -r $REG &&
	unset MALLOC_PERTURB_ &&
	V=$(cat v2) &&
	: >codes &&
	for i in 1 2 3 4 5
	do
		for p in pkg/ns/pkg:v1 "api/pkg/ns/pkg@$V" pkg/ns/pkg:v2/raw/data/a.txt
		do
			curl -s -o /dev/null -w "%{http_code}\n" "$SERVE_URL$p" >>codes &
		done
		wait $! &&
		sleep 0.2 &&
		for p in api/packages api/pkg/ns/pkg/log api/pkg/ns/pkg:v1 \
			pkg/ns/nope pkg/ns/pkg:nope "pkg/ns/pkg@$V/tree/nope/" \
			pkg/ns/pkg:v2/raw/data/gone.txt
		do
			curl -s -o /dev/null -w "%{http_code} $p\n" "$SERVE_URL$p" >>codes &&
			# time for the thread of the connection to end, and
			# for the next to reuse its pthread_t
			sleep 0.2 || return 1
		done &&
		kill -0 $SERVE_PID || return 1
	done &&
	sleep 1 &&
	grep -c "^200\$" codes >n &&
	echo 15 >expect &&
	test_cmp expect n &&
	grep -c "^200 " codes >n &&
	echo 15 >expect &&
	test_cmp expect n &&
	grep -c "^404 " codes >n &&
	echo 20 >expect &&
	test_cmp expect n
'

test_expect_success '404 and 400 over S3; 405' '
	serve_restart -r $REG &&
	V=$(cat v2) &&
	for p in pkg/ns/nope pkg/ns/pkg@ffffff pkg/ns/pkg:nope \
		"pkg/ns/pkg@$V/entry/nope.txt" "pkg/ns/pkg@$V/raw/nope.txt" \
		"pkg/ns/pkg@$V/tree/nope/" "pkg/ns/pkg:v2/raw/data/gone.txt"
	do
		page "$p" nf.html 404 || return 1
	done &&
	for p in api/pkg/ns/nope/log api/pkg/ns/pkg@ffffff api/pkg/ns/pkg:nope \
		"api/pkg/ns/pkg@$V/ls/nope/" "api/pkg/ns/pkg@$V/entry/nope"
	do
		api "$p" nf.json 404 || return 1
	done &&
	for p in pkg/ns/pkg@xyz pkg/ns/pkg@12 "pkg/ns/pkg:bad%20tag"
	do
		page "$p" br.html 400 || return 1
	done &&
	api api/pkg/ns/pkg@xyz br.json 400 &&
	expect_status 405 POST api/packages &&
	expect_status 405 DELETE "pkg/ns/pkg@$V/raw/data/a.txt" &&
	expect_status "400|404" GET "pkg/ns/pkg@$V/raw/../../../etc/passwd" &&
	expect_status "400|404" GET "pkg/ns/pkg@$V/raw/..%2f..%2f.quilt%2fpackages%2f$V"
'

test_expect_success 'an object overwritten in the bucket: never its wrong bytes as a complete 200' '
	serve_restart -r $PREG &&
	B=$(cat bad) &&
	quire ls --json -r $PREG "ns/bad@$B" >ls-bad.json &&
	get "pkg/ns/bad@$B/raw/ok.txt" ok.raw &&
	test_cmp wb/ok.txt ok.raw &&
	rm -rf "$XDG_CACHE_HOME/quire" &&
	s3_flip_object "$(physical_key ls-bad.json small.txt)" 3 &&
	s3_flip_object "$(physical_key ls-bad.json big.bin)" 9437180 &&
	expect_broken "pkg/ns/bad@$B/raw/small.txt" &&
	expect_broken "pkg/ns/bad@$B/raw/big.bin" &&
	get "pkg/ns/bad@$B/raw/ok.txt" ok.raw &&
	test_cmp wb/ok.txt ok.raw
'

test_expect_success 'bytes flipped or cut on the way: never a complete 200' '
	s3_proxy_start &&
	rm -rf "$XDG_CACHE_HOME/quire" &&
	serve_via_proxy &&
	F=$(cat flip) &&
	api "api/pkg/ns/flip@$F" show.api &&
	s3_proxy_rules "1000 flip GET ^/vers/reg/ns/flip/" &&
	expect_broken "pkg/ns/flip@$F/raw/flip.txt" &&
	expect_broken "pkg/ns/flip@$F/raw/big.bin" &&
	rm -rf "$XDG_CACHE_HOME/quire" &&
	s3_proxy_rules "1000 truncate GET ^/vers/reg/ns/flip/" &&
	expect_broken "pkg/ns/flip@$F/raw/flip.txt" &&
	expect_broken "pkg/ns/flip@$F/raw/big.bin" &&
	s3_proxy_rules &&
	get "pkg/ns/flip@$F/raw/big.bin" big.raw &&
	cmp wf/big.bin big.raw
'

test_expect_success 'a registry that fails to answer: 500, and the server lives on' '
	rm -rf "$XDG_CACHE_HOME/quire" &&
	serve_via_proxy &&
	s3_proxy_rules "100000 500 GET ^/vers/" &&
	api api/pkg/ns/pkg/log err.json 500 &&
	page pkg/ns/pkg err.html 500 &&
	s3_proxy_rules &&
	api api/pkg/ns/pkg/log log.api &&
	json_eq log.json log.api
'

test_expect_success 'a bucket that does not exist or does not answer: fatal at start' '
	{ serve_stop || echo "(the server had died)"; } &&
	test_fatal 128 timeout 60 quire serve -r s3://nosuchbucket/reg --port 0 >out &&
	! test -s out &&
	(
		AWS_ENDPOINT_URL=http://127.0.0.1:1 &&
		QUIRE_S3_ATTEMPTS=1 &&
		export AWS_ENDPOINT_URL QUIRE_S3_ATTEMPTS &&
		test_fatal 128 timeout 60 quire serve -r $REG --port 0 >out
	) &&
	! test -s out
'

test_done
