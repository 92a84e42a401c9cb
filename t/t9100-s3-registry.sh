#!/bin/sh
test_description='push, install and browse over S3 (Swift s3api on loopback)'
. ./test-lib.sh
. "$TEST_DIRECTORY/lib-s3.sh"

# manifest_of BUCKET TOP: the manifest quire wrote, read back with aws.
manifest_of () {
	s3_aws s3 cp "s3://$1/reg/.quilt/packages/$2" -
}

# physical_keys MANIFEST: the first physical key of each entry, in order.
physical_keys () {
	sed -n "s/.*\"physical_keys\": \[\"\([^\"]*\)\"\].*/\1/p" "$1"
}

# data_gets: the GETs of package data (not .quilt/) in the proxy's log.
data_gets () {
	grep "^GET " "$S3_PROXY_LOG" | grep -v "/\.quilt/" |
		grep -v "?list-type\|?versioning" | { grep " 20[06]$" || :; }
}

# via_proxy CMD...: run CMD with quire talking to the proxy, a fresh log.
via_proxy () {
	: >"$S3_PROXY_LOG" &&
	AWS_ENDPOINT_URL=$S3_PROXY "$@"
}

test_expect_success 'setup: S3 server, buckets, proxy' '
	s3_start &&
	s3_mkbucket plain &&
	s3_mkbucket vers versioned &&
	s3_proxy_start
'

test_expect_success 'setup: a workspace with small, odd-named and large files' '
	mkdir -p w/data/sub &&
	echo alpha >w/data/a.txt &&
	echo beta >"w/data/sub/o b+j é.txt" &&
	genfile 9000000 >w/data/big.bin &&
	quire -C w init -q ns/pkg &&
	quire -C w add -q data &&
	quire -C w commit -q -m v1 >v1
'

# Where new bytes go: in a versioned bucket, below <ns>/<name>/ (every
# write is a new version); in an unversioned one on a server that cannot
# refuse an overwrite (Swift), in the version's own folder, named by the
# whole top hash, which no push of other bytes chooses.
data_dir () {
	if test "$1" = vers
	then
		echo reg/ns/pkg/
	else
		echo "reg/ns/pkg/$2/"
	fi
}

for B in plain vers
do
	test_expect_success "$B: push writes the quilt3 layout (checked with aws)" '
		mkdir w-$B &&
		cp -R w/data w-$B/ &&
		quire -C w-$B init -q ns/pkg &&
		quire -C w-$B add -q data &&
		quire -C w-$B commit -q -m v1 >h &&
		test_cmp v1 h &&
		quire -C w-$B push s3://$B/reg >out 2>err &&
		test_grep "pushed ns/pkg@$(cut -c1-12 v1) to s3://$B/reg: 3 objects copied" err &&
		manifest_of $B $(cat v1) >got &&
		quire -C w-$B cat-manifest HEAD >expect &&
		test_cmp expect got &&
		s3_aws s3 cp s3://$B/reg/.quilt/named_packages/ns/pkg/latest - >latest &&
		printf "%s" "$(cat v1)" >expect &&
		test_cmp expect latest &&
		D=$(data_dir $B $(cat v1)) &&
		s3_aws s3api head-object --bucket $B --key "${D}data/sub/o b+j é.txt" \
			--query ContentLength --output text >size &&
		echo 5 >expect &&
		test_cmp expect size
	'

	test_expect_success "$B: the large file went up in parts cut like its hash" '
		D=$(data_dir $B $(cat v1)) &&
		s3_aws s3api head-object --bucket $B --key ${D}data/big.bin \
			--query ETag --output text >etag &&
		grep -e "-2\"*$" etag &&
		s3_aws s3 cp s3://$B/${D}data/big.bin got.bin &&
		cmp w-$B/data/big.bin got.bin
	'

	test_expect_success "$B: physical keys point into the bucket" '
		quire -C w-$B cat-manifest HEAD >m &&
		physical_keys m >keys &&
		test_line_count = 3 keys &&
		! grep -v "^s3://$B/$(data_dir $B $(cat v1))data/" keys &&
		if test $B = vers
		then
			test_line_count = 3 keys &&
			grep -c "?versionId=" keys >n &&
			echo 3 >expect &&
			test_cmp expect n
		else
			! grep "versionId" keys
		fi
	'

	test_expect_success "$B: install elsewhere, then verify" '
		rm -rf i-$B &&
		mkdir i-$B &&
		XDG_CACHE_HOME=$PWD/cache-$B quire install --to i-$B ns/pkg \
			--registry s3://$B/reg >out 2>err &&
		test_grep "3 fetched" err &&
		quire -C i-$B verify &&
		cmp w-$B/data/big.bin i-$B/data/big.bin &&
		cmp "w-$B/data/sub/o b+j é.txt" "i-$B/data/sub/o b+j é.txt"
	'

	test_expect_success "$B: one changed file: push uploads one object, install fetches one" '
		echo "alpha 2" >w-$B/data/a.txt &&
		quire -C w-$B commit -q -m v2 >v2-$B &&
		quire -C w-$B push s3://$B/reg >out 2>err &&
		test_grep "1 object copied" err &&
		via_proxy env "XDG_CACHE_HOME=$PWD/cache-$B" \
			quire install --to i-$B ns/pkg --registry s3://$B/reg \
			>out 2>err &&
		data_gets >gets &&
		test_line_count = 1 gets &&
		test_grep "^GET /$B/$(data_dir $B $(cat v2-$B))data/a.txt" gets &&
		quire -C i-$B verify &&
		cmp w-$B/data/a.txt i-$B/data/a.txt
	'

	test_expect_success "$B: the first version still installs, with its own bytes" '
		rm -rf old-$B && mkdir old-$B &&
		XDG_CACHE_HOME=$PWD/cache-old-$B quire install --to old-$B \
			ns/pkg@$(cat v1) --registry s3://$B/reg >out 2>err &&
		echo alpha >expect &&
		test_cmp expect old-$B/data/a.txt
	'
done

test_expect_success 'unversioned, no conditional writes: each version has its own folder' '
	quire -C w-plain cat-manifest HEAD >m &&
	physical_keys m >keys &&
	grep "^s3://plain/reg/ns/pkg/$(cat v2-plain)/data/a.txt$" keys &&
	grep "^s3://plain/reg/ns/pkg/$(cat v1)/data/big.bin$" keys &&
	s3_aws s3 cp s3://plain/reg/ns/pkg/$(cat v1)/data/a.txt - >got &&
	echo alpha >expect &&
	test_cmp expect got &&
	! s3_aws s3api head-object --bucket plain --key reg/ns/pkg/data/a.txt
'

test_expect_success 'versioned: the key holds the new bytes, the old version the old' '
	quire -C w-vers push s3://vers/reg >out 2>err &&
	quire -C w-vers cat-manifest HEAD >m &&
	grep "data/a.txt" m | physical_keys /dev/stdin >key &&
	sed -n "s/.*versionId=//p" key >vid &&
	test -s vid &&
	s3_aws s3api get-object --bucket vers --key reg/ns/pkg/data/a.txt \
		--version-id "$(cat vid)" got >/dev/null &&
	test_cmp w-vers/data/a.txt got
'

test_expect_success 'boto3 reads what quire wrote: sizes and SHA-256 of every entry' '
	quire -C w-plain cat-manifest HEAD >m &&
	python3 - m <<-\EOF
	import base64, hashlib, json, os, sys, urllib.parse
	import boto3
	s3 = boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL"])
	lines = open(sys.argv[1], encoding="utf-8").read().splitlines()[1:]
	for line in lines:
	    e = json.loads(line)
	    u = urllib.parse.urlparse(e["physical_keys"][0])
	    q = urllib.parse.parse_qs(u.query)
	    kw = {"VersionId": q["versionId"][0]} if "versionId" in q else {}
	    key = urllib.parse.unquote(u.path[1:])
	    body = s3.get_object(Bucket=u.netloc, Key=key, **kw)["Body"].read()
	    assert len(body) == e["size"], key
	    part = 8 << 20
	    parts = [hashlib.sha256(body[i:i + part]).digest()
	             for i in range(0, len(body), part)]
	    want = base64.b64encode(hashlib.sha256(b"".join(parts)).digest())
	    assert want.decode() == e["hash"]["value"], key
	EOF
'

test_expect_success 'browsing fetches the manifest once and no data' '
	mkdir browse &&
	: >"$S3_PROXY_LOG" &&
	(
		cd browse &&
		export XDG_CACHE_HOME="$PWD/../cache-browse" &&
		export AWS_ENDPOINT_URL=$S3_PROXY &&
		quire ls --registry s3://plain/reg ns/pkg data/ >../out &&
		data_gets >../gets &&
		test_line_count = 0 ../gets &&
		quire ls -l --registry s3://plain/reg ns/pkg >>../out &&
		quire cat --registry s3://plain/reg ns/pkg data/a.txt >../cat
	) &&
	test_grep "a.txt" out &&
	test_cmp w-plain/data/a.txt cat &&
	data_gets >gets &&
	test_line_count = 1 gets &&
	grep "/\.quilt/packages/" "$S3_PROXY_LOG" >n &&
	test_line_count = 1 n
'

test_expect_success 'log, list and diff over S3' '
	quire -C w-plain log --registry s3://plain/reg ns/pkg >out &&
	test_grep "^$(cat v2-plain)" out &&
	test_grep "^$(cat v1)" out &&
	quire list s3://plain/reg >out &&
	test_grep "^ns/pkg	$(cat v2-plain)" out &&
	test_expect_code 1 quire -C w-plain diff --name-only $(cat v1) $(cat v2-plain) >out &&
	test_grep "data/a.txt" out
'

test_expect_success 'verify --rev checks files against a version in S3' '
	quire -C i-plain/ verify --rev ns/pkg --registry s3://plain/reg &&
	test_expect_code 1 quire -C i-plain/ verify \
		--rev ns/pkg@$(cat v1) --registry s3://plain/reg >out &&
	test_grep "changed: data/a.txt" out
'

test_expect_success 'rollback moves latest in S3' '
	quire -C w-plain rollback --registry s3://plain/reg ns/pkg $(cat v1) &&
	s3_aws s3 cp s3://plain/reg/.quilt/named_packages/ns/pkg/latest - >latest &&
	printf "%s" "$(cat v1)" >expect &&
	test_cmp expect latest &&
	quire -C w-plain rollback --registry s3://plain/reg ns/pkg $(cat v2-plain)
'

test_expect_success 'a server that fails some requests: retried, then done' '
	echo "retry 1" >w-plain/data/a.txt &&
	quire -C w-plain commit -q -m retry &&
	s3_proxy_rules "2 503 PUT ^/plain/reg/ns/" "1 drop PUT ^/plain/reg/ns/" \
		"1 500 GET ^/plain/reg/.quilt/named" &&
	via_proxy quire -C w-plain --verbose push s3://plain/reg >out 2>err &&
	test_grep "1 object copied" err &&
	grep -c "^PUT /plain/reg/ns/.* 503$" "$S3_PROXY_LOG" >n &&
	echo 2 >expect &&
	test_cmp expect n &&
	test_grep "^PUT /plain/reg/ns/.* drop$" "$S3_PROXY_LOG" &&
	test_grep "retrying in" err &&
	s3_aws s3 cp s3://plain/reg/ns/pkg/$(quire -C w-plain rev-parse HEAD)/data/a.txt - >/dev/null
'

test_expect_success 'a push that keeps failing names the key; run again, it completes' '
	for i in 1 2 3 4 5 6
	do
		echo "file $i" >w-plain/data/new-$i.txt || return 1
	done &&
	quire -C w-plain add -q data &&
	quire -C w-plain commit -q -m many &&
	s3_proxy_rules "1000 503 PUT ^/plain/reg/ns/pkg/[0-9a-f]+/data/new-4" &&
	test_expect_code 128 env QUIRE_S3_ATTEMPTS=3 AWS_ENDPOINT_URL=$S3_PROXY \
		quire -C w-plain push s3://plain/reg >out 2>err &&
	test_grep "fatal: PUT s3://plain/reg/ns/pkg/[0-9a-f]*/data/new-4.txt: HTTP 503" err &&
	test_grep "after 3 attempts" err &&
	s3_proxy_rules &&
	: >"$S3_PROXY_LOG" &&
	AWS_ENDPOINT_URL=$S3_PROXY quire -C w-plain push s3://plain/reg >out 2>err &&
	test_grep "1 object copied, 5 already there" err &&
	grep "^PUT /plain/reg/ns/pkg/[0-9a-f]*/data/.* 200$" "$S3_PROXY_LOG" >puts &&
	test_line_count = 1 puts
'

test_expect_success 'wrong credentials: a clear error, nothing written' '
	s3_aws s3 ls --recursive s3://plain/ >before &&
	echo "bad creds" >w-plain/data/a.txt &&
	quire -C w-plain commit -q -m bad &&
	test_expect_code 128 env AWS_SECRET_ACCESS_KEY=wrong-secret-zz \
		quire -C w-plain --verbose push s3://plain/reg >out 2>err &&
	test_grep "403" err &&
	test_grep "check the AWS credentials" err &&
	! grep "wrong-secret-zz" out err &&
	s3_aws s3 ls --recursive s3://plain/ >after &&
	test_cmp before after
'

test_expect_success 'a missing bucket is named' '
	test_expect_code 128 quire -C w-plain push s3://no-such-bucket/reg 2>err &&
	test_grep "bucket .no-such-bucket. does not exist" err
'

test_expect_success 'credentials never appear in any output, even with --verbose' '
	AWS_SESSION_TOKEN= &&
	unset AWS_SESSION_TOKEN &&
	quire -C w-plain --verbose push s3://plain/reg >out 2>err &&
	rm -rf iv && mkdir iv &&
	XDG_CACHE_HOME=$PWD/cache-iv quire --verbose install --to iv ns/pkg \
		--registry s3://plain/reg >>out 2>>err &&
	test_grep "^s3: PUT" err &&
	test_grep "^s3: GET" err &&
	for secret in "$AWS_SECRET_ACCESS_KEY" "Signature=" "Credential=" \
		"AWS4-HMAC"
	do
		! grep -F -- "$secret" out err iv/.quire/config || return 1
	done
'

test_expect_success 'two pushes racing for latest: one wins, the other names both' '
	rm -rf r1 r2 &&
	mkdir r1 r2 &&
	quire install --to r1 -q ns/pkg --registry s3://vers/reg &&
	quire install --to r2 -q ns/pkg --registry s3://vers/reg &&
	echo one >r1/data/a.txt &&
	echo two >r2/data/a.txt &&
	quire -C r1 commit -q -m one >t1 &&
	quire -C r2 commit -q -m two >t2 &&
	quire -C r1 push-data -q s3://vers/reg &&
	quire -C r2 push-data -q s3://vers/reg || return 1
	(quire -C r1 push-manifest s3://vers/reg >o1 2>e1; echo $? >c1) &
	p1=$!
	(quire -C r2 push-manifest s3://vers/reg >o2 2>e2; echo $? >c2) &
	p2=$!
	wait $p1 $p2 &&
	cat c1 c2 | sort >codes &&
	printf "0\n128\n" >expect &&
	test_cmp expect codes &&
	s3_aws s3 cp s3://vers/reg/.quilt/named_packages/ns/pkg/latest - >latest &&
	if test "$(cat c1)" = 0
	then
		win=t1 lose=t2 err=e2
	else
		win=t2 lose=t1 err=e1
	fi &&
	printf "%s" "$(cat $win)" >expect &&
	test_cmp expect latest &&
	test_grep "$(cat $win)" $err &&
	test_grep "$(cat $lose)" $err
'

# proxy_count METHOD REGEX: the requests like these in the proxy's log.
proxy_count () {
	RE=$2 awk -v m="$1" '$1 == m && $2 ~ ENVIRON["RE"] { n++ }
		END { print n + 0 }' "$S3_PROXY_LOG"
}

# wide_ws DIR NAME: a workspace of package NAME with 40 small files in
# data/many/, committed; its top hash in DIR.top.
wide_ws () {
	rm -rf $1 && mkdir -p $1/data/many &&
	for i in $(seq 10 49)
	do
		echo "wide $i" >$1/data/many/f$i.txt || return 1
	done &&
	quire -C $1 init -q $2 &&
	quire -C $1 add -q data &&
	quire -C $1 commit -q -m wide >$1.top
}

for B in plain vers
do
	test_expect_success "$B: a push of many files lists their folder, no HEAD per key" '
		wide_ws wide-$B ns/wide &&
		via_proxy quire -C wide-$B push s3://$B/reg >out 2>err &&
		test_grep "40 objects copied, 0 already there" err &&
		proxy_count HEAD "^/$B/reg/ns/wide/" >n &&
		echo 0 >expect &&
		test_cmp expect n &&
		# the keys named as asked, and in the version folder where
		# new bytes go there
		proxy_count GET "^/$B\\?list-type=2&prefix=reg%2Fns%2Fwide%2F" >n &&
		if test $B = plain
		then
			echo 2 >expect
		else
			echo 1 >expect
		fi &&
		test_cmp expect n &&
		proxy_count PUT "^/$B/reg/ns/wide/.*data/many/f[0-9]+\\.txt\$" >n &&
		echo 40 >expect &&
		test_cmp expect n &&
		rm -rf wide-i-$B &&
		XDG_CACHE_HOME=$PWD/cache-wide-$B quire install -q --to wide-i-$B \
			ns/wide --registry s3://$B/reg &&
		quire -C wide-i-$B verify &&
		cmp wide-$B/data/many/f49.txt wide-i-$B/data/many/f49.txt
	'

	test_expect_success "$B: the same version from another workspace: what the listing shows is checked, nothing uploaded" '
		wide_ws wide2-$B ns/wide &&
		test_cmp wide-$B.top wide2-$B.top &&
		via_proxy quire -C wide2-$B push-data s3://$B/reg >out 2>err &&
		test_grep "0 objects copied .*, 40 already there" err &&
		proxy_count HEAD "^/$B/reg/ns/wide/" >n &&
		echo 40 >expect &&
		test_cmp expect n &&
		proxy_count PUT "^/$B/reg/ns/wide/" >n &&
		echo 0 >expect &&
		test_cmp expect n &&
		quire -C wide-$B cat-manifest HEAD >m1 &&
		quire -C wide2-$B cat-manifest HEAD >m2 &&
		physical_keys m1 >expect &&
		physical_keys m2 >keys &&
		test_cmp expect keys
	'

	test_expect_success "$B: other bytes at the keys: another size is taken from the listing, the same size checked" '
		rm -rf other && mkdir other &&
		for i in $(seq 10 49)
		do
			if test $i -lt 30
			then
				echo "longer, other bytes $i"
			else
				echo "WIDE $i"
			fi >other/f$i.txt &&
			echo "not sought" >other/f$i.txt.old || return 1
		done &&
		s3_aws s3 cp --recursive other s3://$B/reg/ns/wide3/data/many/ \
			>/dev/null &&
		wide_ws wide3-$B ns/wide3 &&
		via_proxy quire -C wide3-$B push s3://$B/reg >out 2>err &&
		test_grep "40 objects copied, 0 already there" err &&
		proxy_count HEAD "^/$B/reg/ns/wide3/data/many/f[12][0-9]\\.txt\$" >n &&
		echo 0 >expect &&
		test_cmp expect n &&
		proxy_count HEAD "^/$B/reg/ns/wide3/data/many/f[34][0-9]\\.txt\$" >n &&
		test $(cat n) -ge 20 &&
		rm -rf wide3-i-$B &&
		XDG_CACHE_HOME=$PWD/cache-wide3-$B quire install -q --to wide3-i-$B \
			ns/wide3 --registry s3://$B/reg &&
		quire -C wide3-i-$B verify &&
		cmp wide3-$B/data/many/f10.txt wide3-i-$B/data/many/f10.txt &&
		cmp wide3-$B/data/many/f30.txt wide3-i-$B/data/many/f30.txt &&
		if test $B = plain
		then
			s3_aws s3 cp s3://plain/reg/ns/wide3/data/many/f10.txt got &&
			test_cmp other/f10.txt got &&
			s3_aws s3 cp s3://plain/reg/ns/wide3/data/many/f30.txt got &&
			test_cmp other/f30.txt got
		fi
	'
done

test_expect_success 'add s3://: remote objects staged by reference and hashed' '
	mkdir -p src/sub &&
	echo one >src/1.txt &&
	genfile 300000 >src/sub/2.bin &&
	s3_aws s3 cp --recursive src s3://plain/raw/ >/dev/null &&
	rm -rf a && mkdir a && quire -C a init -q ns/remote &&
	quire -C a add --as data/ s3://plain/raw/ 2>err &&
	test_grep "staged 2 files" err &&
	quire -C a add -q --as one.txt s3://plain/raw/1.txt &&
	quire -C a commit -q -m remote &&
	quire -C a cat-manifest HEAD >m &&
	physical_keys m >keys &&
	printf "%s\n" s3://plain/raw/1.txt s3://plain/raw/sub/2.bin \
		s3://plain/raw/1.txt >expect &&
	test_cmp expect keys &&
	quire hash-object src/sub/2.bin >h &&
	test_grep "$(cat h)" m &&
	test_path_is_missing a/data
'

test_expect_success 'add s3://: a missing object or folder is an error' '
	test_expect_code 128 quire -C a add s3://plain/nothing-here 2>err &&
	test_grep "nothing to add at s3://plain/nothing-here" err
'

test_expect_success 'add s3://: a progress meter with --progress, none piped' '
	rm -rf p && mkdir p && quire -C p init -q ns/remote &&
	quire -C p add --as data/ s3://plain/raw/ 2>err &&
	test_grep -v "Adding objects" err &&
	rm -rf p && mkdir p && quire -C p init -q ns/remote &&
	quire -C p add --progress --as data/ s3://plain/raw/ 2>err &&
	tr "\r" "\n" <err >lines &&
	test_grep "^Adding objects: 2.*, done\.\$" lines &&
	test_grep "^staged 2 files" lines
'

test_expect_success 'add s3://: several URLs and files at once, each under its name' '
	rm -rf b && mkdir b && quire -C b init -q ns/remote &&
	echo local >b/local.txt &&
	quire -C b add s3://plain/raw/1.txt s3://plain/raw/sub/ local.txt \
		s3://plain/raw/1.txt 2>err &&
	test_grep "^staged 3 files from 4 paths\$" err &&
	quire -C b commit -q -m several &&
	quire -C b ls -R HEAD >actual &&
	printf "%s\n" 1.txt local.txt sub/2.bin >expect &&
	test_cmp expect actual &&
	quire -C b cat-manifest HEAD >m &&
	physical_keys m >keys &&
	test_grep "^s3://plain/raw/1.txt\$" keys &&
	test_grep "^s3://plain/raw/sub/2.bin\$" keys
'

test_expect_success 'add s3://: --as takes one URL; one key from two sources is refused' '
	rm -rf c && mkdir c && quire -C c init -q ns/remote &&
	test_expect_code 129 quire -C c add --as k s3://plain/raw/1.txt \
		s3://plain/raw/sub/ 2>err &&
	test_grep "^error: --as takes exactly one <path>" err &&
	test_expect_code 128 quire -C c add s3://plain/raw/1.txt \
		../src/1.txt 2>err &&
	test_grep "^fatal: .1.txt. would be staged from both .s3://plain/raw/1.txt. and .\.\./src/1.txt." err &&
	test_expect_code 128 quire -C c add ../src/sub s3://plain/raw/sub 2>err &&
	test_grep "^fatal: .sub/. would be staged from both .\.\./src/sub. and .s3://plain/raw/sub." err &&
	quire -C c status --porcelain >out &&
	test_must_be_empty out &&
	quire -C c add --as copy/ s3://plain/raw/sub/ &&
	quire -C c status --porcelain >out &&
	test_grep "^A copy/2.bin\$" out
'

test_done
