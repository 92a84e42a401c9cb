#!/bin/sh
test_description='S3 faults on every kind of request: clean ends, whole versions

A proxy (t/helper/s3-proxy.py) between quire and Swift injects one fault
per command: an error status, a dropped connection, a request that took
effect but got no answer, an answer cut short, a flipped byte, a slow
answer, no answer at all. Each goes on each kind of request that a push
or an install makes. Every command must succeed or fail with "fatal:"
(exit 128), never crash or hang; afterwards the latest version installs
into a fresh folder and verifies; no byte that does not match its hash
is ever kept in the user cache or a target.'
. ./test-lib.sh
. "$TEST_DIRECTORY/lib-s3.sh"

# One fault needs one retry; a stalled answer is given up after 1 s
# without a byte; a package's lock in a registry that cannot write
# conditionally is sure of itself after 0.5 s.
QUIRE_S3_ATTEMPTS=3
QUIRE_S3_TIMEOUT=1
QUIRE_S3_LOCK_GAP=400
export QUIRE_S3_ATTEMPTS QUIRE_S3_TIMEOUT QUIRE_S3_LOCK_GAP

# The faults the server sees (acted, truncate, flip) go on each kind of
# request in both buckets. Those it never sees (503, drop, stall) and a
# slow answer (delay) do not depend on the bucket: each kind gets them in
# one bucket, the unversioned one for every other kind.
BOTH="acted truncate flip"
ONE="503 drop delay:300 stall"
PUSH_KINDS="object-put part-put complete manifest-put latest-put head
	latest-get object-list"
INSTALL_KINDS="manifest-get object-get ranged-get latest-get list"

# The trials run in lanes at once. A lane is a package of its own, ns/LANE,
# in the bucket its name starts with, with its own workspace w-LANE and
# its own rules beside the proxy's.
PUSH_LANES="plain1 plain2 vers1 vers2"
INSTALL_LANES="plain3 vers3"

bucket () {
	echo ${1%[0-9]}
}

# faults_for B KIND: the faults KIND gets in bucket B.
faults_for () {
	ff_i=0
	for ff_k in $PUSH_KINDS $INSTALL_KINDS
	do
		ff_i=$((ff_i + 1))
		test $ff_k = $2 && break
	done
	if test $1 = $(test $((ff_i % 2)) = 1 && echo plain || echo vers)
	then
		echo $BOTH $ONE
	else
		echo $BOTH
	fi
}

# plan push|install: each trial as "B N LANE KIND FAULT": N counts the
# trials of bucket B, which its lanes take in turn.
plan () {
	for p_b in plain vers
	do
		set -- $1 $(for l in $(eval echo \$$(echo $1 | tr a-z A-Z)_LANES)
			    do
				    test $(bucket $l) = $p_b && echo $l
			    done)
		p_n=0
		for p_k in $(eval echo \$$(echo $1 | tr a-z A-Z)_KINDS)
		do
			for p_f in $(faults_for $p_b $p_k)
			do
				eval "p_l=\${$((p_n % ($# - 1) + 2))}"
				p_n=$((p_n + 1))
				echo "$p_b $p_n $p_l $p_k $p_f"
			done
		done
	done
}

# kind LANE KIND [TOP]: what a request of KIND looks like in LANE (TOP:
# the version it is about): its METHOD and a regex RE for its target.
kind () {
	k_b=$(bucket $1)
	k_p=ns/$1
	case "$2" in
	object-put|head)
		RE="^/$k_b/reg/$k_p/(.*/)?data/a\\.txt\$" ;;
	object-list)
		# a push of many files looks for their keys in a listing
		RE="^/$k_b\\?list-type=2&prefix=reg%2F$(
			echo $k_p | sed "s|/|%2F|g")%2F" ;;
	part-put)
		RE="^/$k_b/reg/$k_p/(.*/)?data/big\\.bin\\?partNumber=1&" ;;
	complete)
		RE="^/$k_b/reg/$k_p/(.*/)?data/big\\.bin\\?uploadId=" ;;
	manifest-put|manifest-get)
		RE="^/$k_b/reg/\\.quilt/packages/$3\$" ;;
	latest-put|latest-get)
		RE="^/$k_b/reg/\\.quilt/named_packages/$k_p/latest\$" ;;
	object-get)
		RE="^/$k_b/reg/$k_p/(.*/)?data/a\\.txt(\\?|\$)" ;;
	ranged-get)
		RE="^/$k_b/reg/$k_p/(.*/)?data/huge\\.bin(\\?|\$)" ;;
	list)
		RE="^/$k_b\\?list-type=2&prefix=reg%2F\\.quilt%2Fpackages%2F$(
			echo $3 | cut -c1-12)" ;;
	*)
		echo >&2 "no kind $2"
		return 1 ;;
	esac
	case "$2" in
	complete) METHOD=POST ;;
	head) METHOD=HEAD ;;
	*-put) METHOD=PUT ;;
	*) METHOD=GET ;;
	esac
}

# fault LANE F METHOD RE PASS: LANE's rules: fault F on the next request
# like METHOD RE after PASS of them.
fault () {
	if test "$5" -gt 0
	then
		printf "%s\n" "$5 pass $3 $4" "1 $2 $3 $4"
	else
		printf "%s\n" "1 $2 $3 $4"
	fi >"$S3_PROXY_RULES.$1"
}

# via_proxy T CMD...: run CMD through the proxy, within 60 s; its output
# in T/out and T/err, its exit code in T/rc, the proxy's log meanwhile
# in T/log.
via_proxy () {
	vp_t=$1 &&
	shift &&
	vp_from=$(($(wc -l <"$S3_PROXY_LOG") + 1)) &&
	{
		AWS_ENDPOINT_URL=$S3_PROXY timeout 60 "$@" >$vp_t/out 2>$vp_t/err
		echo $? >$vp_t/rc
	} &&
	tail -n +$vp_from "$S3_PROXY_LOG" >$vp_t/log
}

# fault_run LANE T CMD...: via_proxy; CMD must end in 0, or in 128 with
# a "fatal:" message, and each of LANE's rules must have fired. Each run
# is one fault trial.
fault_run () {
	fr_l=$1 &&
	shift &&
	via_proxy "$@" &&
	echo "$1" >>trials &&
	case "$(cat $1/rc)" in
	0) ;;
	128) grep "^fatal: " $1/err ;;
	*) echo "exit $(cat $1/rc), not 0 or 128" && false ;;
	esac &&
	if grep -v "^0 " "$S3_PROXY_RULES.$fr_l"
	then
		echo "these rules did not fire" && false
	fi &&
	rm "$S3_PROXY_RULES.$fr_l"
}

# hit_write T METHOD RE F: of T's requests like METHOD RE, the first one
# that was not a conditional write (answered 501) got the fault F.
hit_write () {
	RE=$3 awk -v m="$2" '$1 == m && $2 ~ ENVIRON["RE"] && $3 != 501 {
		print $3
		exit
	}' $1/log >$1/first &&
	echo "$4" >$1/expect &&
	cmp $1/expect $1/first
}

# cache_ok DIR: each object in the quire cache under DIR (an
# XDG_CACHE_HOME) holds the bytes its name says; no temp file is left.
cache_ok () {
	"$S3_PYTHON" "$SHARNESS_TRASH_DIRECTORY/cache-ok.py" "$1/quire"
}

# shape KIND: what a push trial of KIND changes: the large file for a
# multipart upload, 40 small files for a listing, else the small one.
shape () {
	case $1 in
	part-put|complete) echo big ;;
	object-list) echo many ;;
	*) echo small ;;
	esac
}

# new_version LANE SHAPE N: change N of that shape in w-LANE, committed;
# its top hash in top-LANE.
new_version () {
	case $2 in
	big)
		cp big0 w-$1/data/big.bin &&
		echo "change $3" >>w-$1/data/big.bin ;;
	small)
		echo "change $3" >w-$1/data/a.txt ;;
	many)
		mkdir -p w-$1/data/many &&
		for nv_i in $(seq 10 49)
		do
			echo "change $3 $nv_i" >w-$1/data/many/f$nv_i.txt ||
			return 1
		done &&
		quire -C w-$1 add -q data ;;
	esac &&
	quire -C w-$1 commit -q -m "change $3" >top-$1
}

# latest_ok LANE DIR: the latest version of ns/LANE installs into a fresh
# folder DIR (no faults) and verifies, and is the version w-LANE holds.
latest_ok () {
	XDG_CACHE_HOME=$PWD/cache-chk-$1 quire install -q --link hardlink \
		--to $2 ns/$1 --registry s3://$(bucket $1)/reg &&
	quire -C $2 verify &&
	for f in a.txt big.bin huge.bin
	do
		cmp w-$1/data/$f $2/data/$f || return 1
	done
}

# calibrate LANE: a push of each shape through the proxy, no faults; its
# requests in calibrate-LANE-SHAPE/log, its version in .../top.
calibrate () {
	for c_s in small big
	do
		mkdir calibrate-$1-$c_s &&
		new_version $1 $c_s calibrate-$1 &&
		cp top-$1 calibrate-$1-$c_s/top &&
		via_proxy calibrate-$1-$c_s \
			quire -C w-$1 push s3://$(bucket $1)/reg &&
		test "$(cat calibrate-$1-$c_s/rc)" = 0 || return 1
	done
}

# passes LANE KIND: how many requests like KIND's go before the write
# itself in a push: conditional writes that Swift answers 501, as the
# calibration showed.
passes () {
	case $2 in
	head|latest-get|object-list)
		echo 0
		return ;;
	esac
	p_c=calibrate-$1-$(shape $2) &&
	kind $1 $2 $(cat $p_c/top) &&
	RE=$RE awk -v m=$METHOD '$1 == m && $2 ~ ENVIRON["RE"] {
		if ($3 != 501)
			exit
		n++
	}
	END { print n + 0 }' $p_c/log
}

# push_trial LANE KIND F T: a push with F on KIND, its files in T.
push_trial () {
	mkdir $4 &&
	pt_pass=$(passes $1 $2) &&
	new_version $1 $(shape $2) $4 &&
	kind $1 $2 $(cat top-$1) &&
	fault $1 $3 $METHOD "$RE" $pt_pass &&
	fault_run $1 $4 quire -C w-$1 push s3://$(bucket $1)/reg &&
	case $METHOD in
	PUT|POST) hit_write $4 $METHOD "$RE" $3 ;;
	esac &&
	if test "$(cat $4/rc)" != 0
	then
		# run again, it completes
		quire -C w-$1 push -q s3://$(bucket $1)/reg
	fi &&
	latest_ok $1 $4/chk
}

# install_trial LANE KIND F T: an install with F on KIND into a fresh
# folder, with a cache that holds every object but the one the fault is
# on; its files in T.
install_trial () {
	mkdir $4 &&
	kind $1 $2 $(cat top-$1) &&
	it_rev=ns/$1 &&
	if test $2 = list
	then
		it_rev=ns/$1@$(cut -c1-12 top-$1)
	fi &&
	cp -al cache-warm-$1 $4/cache &&
	case $2 in
	object-get)
		find $4/cache -type f -size $(wc -c <w-$1/data/a.txt)c \
			-exec rm {} + ;;
	ranged-get)
		find $4/cache -type f -size $(wc -c <w-$1/data/huge.bin)c \
			-exec rm {} + ;;
	esac &&
	fault $1 $3 $METHOD "$RE" 0 &&
	fault_run $1 $4 env "XDG_CACHE_HOME=$PWD/$4/cache" quire install \
		--link hardlink --to $4/inst $it_rev \
		--registry s3://$(bucket $1)/reg &&
	cache_ok $4/cache &&
	if test "$(cat $4/rc)" != 0
	then
		# latest installs with what the failed run left in the cache
		rm -rf $4/inst &&
		XDG_CACHE_HOME=$PWD/$4/cache quire install -q --link hardlink \
			--to $4/inst ns/$1 --registry s3://$(bucket $1)/reg &&
		cache_ok $4/cache
	fi &&
	quire -C $4/inst verify &&
	for f in a.txt big.bin huge.bin
	do
		cmp w-$1/data/$f $4/inst/data/$f || return 1
	done
}

# lane LANE: LANE's trials, one after another; for each, in T, named
# push-B-N or install-B-N, T.result says "ok" or "failed" and T.trace
# why.
lane () {
	for l_t in push install
	do
		grep " $1 " plan-$l_t |
		while read l_b l_n l_l l_k l_f
		do
			if ${l_t}_trial $l_l $l_k $l_f $l_t-$l_b-$l_n \
				>$l_t-$l_b-$l_n.trace 2>&1 </dev/null
			then
				echo ok
			else
				echo failed
			fi >$l_t-$l_b-$l_n.result
		done
	done
}

# every CMD push|install|all: CMD LANE for each such lane, all at once.
every () {
	e_pids=
	case $2 in
	push) e_lanes=$PUSH_LANES ;;
	install) e_lanes=$INSTALL_LANES ;;
	all) e_lanes="$PUSH_LANES $INSTALL_LANES" ;;
	esac
	for e_l in $e_lanes
	do
		$1 $e_l &
		e_pids="$e_pids $!"
	done
	e_ret=0
	for e_p in $e_pids
	do
		wait $e_p || e_ret=1
	done
	return $e_ret
}

# push_lane LANE: push w-LANE, no faults.
push_lane () {
	quire -C w-$1 push -q s3://$(bucket $1)/reg
}

test_expect_success 'setup: S3 server, buckets, proxy, cache checker' '
	s3_start &&
	s3_mkbucket plain &&
	s3_mkbucket vers versioned &&
	s3_proxy_start &&
	: >trials &&
	cat >cache-ok.py <<-\EOF
	import hashlib, os, sys
	objs = os.path.join(sys.argv[1], "objects")
	tmp = os.path.join(objs, "tmp")
	bad = ["left behind: " + os.path.join(tmp, f)
	       for f in (os.listdir(tmp) if os.path.isdir(tmp) else [])]
	for kind in ("sha2-256-chunked", "SHA256"):
	    for d, _, files in os.walk(os.path.join(objs, kind)):
	        for f in files:
	            path = os.path.join(d, f)
	            size = os.path.getsize(path)
	            part = 8 << 20
	            while size > part * 10000:
	                part *= 2
	            whole, outer = hashlib.sha256(), hashlib.sha256()
	            with open(path, "rb") as fp:
	                for b in iter(lambda: fp.read(part), b""):
	                    whole.update(b)
	                    outer.update(hashlib.sha256(b).digest())
	            got = (whole if kind == "SHA256" else outer).hexdigest()
	            if got != os.path.basename(d) + f:
	                bad.append("%s holds bytes that hash to %s" % (path, got))
	for b in bad:
	    print(b, file=sys.stderr)
	sys.exit(1 if bad else 0)
	EOF
'

test_expect_success 'the cache checker sees a wrong byte and a temp file' '
	empty=e3/b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 &&
	mkdir -p c/quire/objects/SHA256/e3 c/quire/objects/tmp &&
	printf x >c/quire/objects/SHA256/$empty &&
	! cache_ok c 2>err &&
	test_grep "hash to" err &&
	: >c/quire/objects/SHA256/$empty &&
	cache_ok c &&
	: >c/quire/objects/tmp/obj_123456 &&
	! cache_ok c 2>err &&
	test_grep "left behind" err &&
	rm -r c
'

test_expect_success 'setup: per lane, a small, an 8 MiB+ and a 16 MiB+ file' '
	mkdir -p w/data &&
	genfile 9000000 >big0 &&
	cp big0 w/data/big.bin &&
	genfile 17000000 >w/data/huge.bin &&
	for l in $PUSH_LANES $INSTALL_LANES
	do
		cp -R w w-$l &&
		echo "v1 of $l" >w-$l/data/a.txt &&
		quire -C w-$l init -q ns/$l &&
		quire -C w-$l add -q data &&
		quire -C w-$l commit -q -m v1 >top-$l || return 1
	done &&
	every push_lane all &&
	for l in $PUSH_LANES $INSTALL_LANES
	do
		latest_ok $l chk-$l || return 1
	done
'

test_expect_success 'setup: which requests go before the writes (no faults)' '
	every calibrate push &&
	for l in $PUSH_LANES
	do
		for k in object-put part-put complete manifest-put latest-put
		do
			echo "$l $k: $(passes $l $k) before the write" ||
			return 1
		done
	done
'

test_expect_success 'setup: the trials; caches that hold the latest versions' '
	plan push >plan-push &&
	plan install >plan-install &&
	for l in $INSTALL_LANES
	do
		mkdir i-$l &&
		XDG_CACHE_HOME=$PWD/cache-warm-$l quire install -q \
			--link hardlink --to i-$l ns/$l \
			--registry s3://$(bucket $l)/reg || return 1
	done
'

test_expect_success 'every trial, in its lane, the lanes at once' '
	every lane all
'

for t in push install
do
	test -f plan-$t &&
	while read B N L K F
	do
		test_expect_success "$B: $t with $F on $K" "
			cat $t-$B-$N.trace &&
			echo ok >expect &&
			test_cmp expect $t-$B-$N.result
		"
	done <plan-$t
done

# fetch_manifest_trial LANE T RULES...: install LANE's latest into T/inst
# through the proxy with these rules on its manifest (a warm cache).
fetch_manifest_trial () {
	fm_l=$1 fm_t=$2 &&
	shift 2 &&
	mkdir $fm_t &&
	kind $fm_l manifest-get $(cat top-$fm_l) &&
	for r
	do
		echo "1 $r GET $RE" || return 1
	done >"$S3_PROXY_RULES.$fm_l" &&
	cp -al cache-warm-$fm_l $fm_t/cache &&
	fault_run $fm_l $fm_t env "XDG_CACHE_HOME=$PWD/$fm_t/cache" \
		quire install --to $fm_t/inst ns/$fm_l \
		--registry s3://$(bucket $fm_l)/reg
}

# manifest_gets T: the statuses of T's GETs of manifests.
manifest_gets () {
	sed -n "s|^GET /[a-z]*/reg/\.quilt/packages/[0-9a-f]* ||p" $1/log
}

test_expect_success 'a manifest download with a flipped byte: fetched again' '
	quire -C w-plain3 cat-manifest HEAD >m &&
	at=$(grep -bo "\"message\": \"" m | head -n 1 | cut -d: -f1) &&
	fetch_manifest_trial plain3 flip-message flip@$((at + 12)) &&
	test "$(cat flip-message/rc)" = 0 &&
	! grep -i corrupt flip-message/err &&
	printf "%s\n" flip@$((at + 12)) 200 >expect &&
	manifest_gets flip-message >actual &&
	test_cmp expect actual &&
	quire -C flip-message/inst verify
'

test_expect_success 'a manifest download that is no manifest: fetched again' '
	fetch_manifest_trial plain3 flip-json flip@1 &&
	test "$(cat flip-json/rc)" = 0 &&
	! grep -i corrupt flip-json/err &&
	quire -C flip-json/inst verify
'

test_expect_success 'three manifest downloads, damaged three ways: try again' '
	fetch_manifest_trial vers3 flip-3 flip@10 flip@20 flip@30 &&
	test "$(cat flip-3/rc)" = 128 &&
	test_grep "the transfer of the manifest $(cat top-vers3) from" flip-3/err &&
	test_grep "s3://vers/reg was corrupted 3 times" flip-3/err &&
	test_grep "try again" flip-3/err &&
	! grep "copy is corrupt" flip-3/err &&
	test_path_is_missing flip-3/inst/data
'

# fetch_object_trial LANE T FILE RULES...: install LANE's latest into
# T/inst through the proxy with these rules on FILE's download (a cache
# without it).
fetch_object_trial () {
	fo_l=$1 fo_t=$2 fo_f=$3 &&
	shift 3 &&
	mkdir $fo_t &&
	for r
	do
		echo "1 $r GET ^/$(bucket $fo_l)/reg/ns/$fo_l/(.*/)?data/$fo_f" ||
		return 1
	done >"$S3_PROXY_RULES.$fo_l" &&
	cp -al cache-warm-$fo_l $fo_t/cache &&
	find $fo_t/cache -type f -size $(wc -c <w-$fo_l/data/$fo_f)c \
		-exec rm {} + &&
	fault_run $fo_l $fo_t env "XDG_CACHE_HOME=$PWD/$fo_t/cache" \
		quire install --to $fo_t/inst ns/$fo_l \
		--registry s3://$(bucket $fo_l)/reg &&
	cache_ok $fo_t/cache
}

test_expect_success 'an object download with a flipped byte: fetched again' '
	fetch_object_trial vers3 flip-object a.txt flip &&
	test "$(cat flip-object/rc)" = 0 &&
	! grep -i corrupt flip-object/err &&
	grep -c "^GET /vers/reg/ns/vers3/.*data/a\.txt" flip-object/log >n &&
	echo 2 >expect &&
	test_cmp expect n &&
	quire -C flip-object/inst verify
'

test_expect_success 'a ranged download with a flipped byte: fetched again' '
	fetch_object_trial plain3 flip-ranged huge.bin flip@1000 &&
	test "$(cat flip-ranged/rc)" = 0 &&
	! grep -i corrupt flip-ranged/err &&
	grep -c "^GET /plain/reg/ns/plain3/.*data/huge\.bin" flip-ranged/log >n &&
	echo 6 >expect &&
	test_cmp expect n &&
	quire -C flip-ranged/inst verify
'

test_expect_success 'three object downloads, damaged three ways: try again' '
	fetch_object_trial plain3 flip-object-3 a.txt flip@0 flip@1 flip@2 &&
	test "$(cat flip-object-3/rc)" = 128 &&
	test_grep "the transfer of s3://plain/reg/ns/plain3/.*data/a.txt was" \
		flip-object-3/err &&
	test_grep "corrupted 3 times" flip-object-3/err &&
	test_grep "try again" flip-object-3/err &&
	! grep "is corrupt" flip-object-3/err &&
	test_path_is_missing flip-object-3/inst/data/a.txt
'

test_expect_success 'setup: a package whose stored bytes go bad' '
	mkdir -p bad/data &&
	echo "good bytes" >bad/data/x.txt &&
	quire -C bad init -q ns/bad &&
	quire -C bad add -q data &&
	quire -C bad commit -q -m good >top-bad &&
	quire -C bad push -q s3://plain/reg &&
	quire -C bad cat-manifest HEAD >bad.manifest
'

test_expect_success 'a manifest corrupt in the registry: said so, fsck named' '
	sed "s/\"message\": \"good\"/\"message\": \"evil\"/" bad.manifest >evil &&
	! test_cmp bad.manifest evil &&
	quire top-hash evil >evil-top &&
	s3_aws s3 cp evil s3://plain/reg/.quilt/packages/$(cat top-bad) &&
	mkdir bad-1 &&
	via_proxy bad-1 quire install --to bad-1/inst ns/bad \
		--registry s3://plain/reg &&
	test "$(cat bad-1/rc)" = 128 &&
	m="the manifest $(cat top-bad) stored in s3://plain/reg" &&
	test_grep "^fatal: $m hashes to $(cat evil-top): the registry.s" bad-1/err &&
	test_grep "copy is corrupt; run .quire fsck --registry s3://plain/reg.$" \
		bad-1/err &&
	manifest_gets bad-1 >gets &&
	test_line_count = 2 gets &&
	test_path_is_missing bad-1/inst/data
'

test_expect_success 'a stored manifest that is no manifest is called corrupt' '
	echo "not a manifest" >junk &&
	s3_aws s3 cp junk s3://plain/reg/.quilt/packages/$(cat top-bad) &&
	mkdir bad-2 &&
	via_proxy bad-2 quire install --to bad-2/inst ns/bad \
		--registry s3://plain/reg &&
	test "$(cat bad-2/rc)" = 128 &&
	m="the manifest $(cat top-bad) stored in s3://plain/reg" &&
	test_grep "^fatal: $m is not a manifest (" bad-2/err &&
	test_grep "copy is corrupt; run .quire fsck --registry s3://plain/reg.$" \
		bad-2/err
'

test_expect_success 'an object corrupt in the registry: said so, both hashes' '
	s3_aws s3 cp bad.manifest s3://plain/reg/.quilt/packages/$(cat top-bad) &&
	echo "evil bytes" >evil.txt &&
	sed -n "s|.*\"physical_keys\": \[\"\([^\"]*\)\"\].*|\1|p" \
		bad.manifest >key &&
	s3_aws s3 cp evil.txt "$(cat key)" &&
	mkdir bad-3 &&
	via_proxy bad-3 env "XDG_CACHE_HOME=$PWD/bad-3/cache" \
		quire install --to bad-3/inst ns/bad --registry s3://plain/reg &&
	test "$(cat bad-3/rc)" = 128 &&
	test_grep "^fatal: the object stored at $(cat key) is corrupt: " bad-3/err &&
	evil=$(quire hash-object evil.txt) &&
	test_grep "two downloads agree that it hashes to $evil," bad-3/err &&
	test_grep "not to the $(quire hash-object bad/data/x.txt) of its entry" \
		bad-3/err &&
	cache_ok bad-3/cache &&
	test_path_is_missing bad-3/inst/data/x.txt
'

# Physical keys are not part of the top hash: a byte flipped in one on
# the way passes every check, and the wrong key is stored with the
# manifest (here, data/bhg.bin), to be read by every later command.
test_expect_success 'a manifest download with a physical key flipped: caught by the SHA-256 push recorded' '
	quire -C w-plain3 cat-manifest HEAD >m &&
	at=$(grep -bo "/data/big\.bin\"\]" m | head -n 1 | cut -d: -f1) &&
	fetch_manifest_trial plain3 flip-key flip@$((at + 7)) &&
	test "$(cat flip-key/rc)" = 0 &&
	! grep -i corrupt flip-key/err &&
	printf "%s\n" flip@$((at + 7)) 200 >expect &&
	manifest_gets flip-key >actual &&
	test_cmp expect actual &&
	quire -C flip-key/inst cat-manifest $(cat top-plain3) >got &&
	test_cmp m got
'

test_expect_success 'a pointer download with a flipped byte: read again, its ETag tells' '
	mkdir flip-latest &&
	echo "1 flip@3 GET ^/$(bucket plain3)/reg/.quilt/named_packages/ns/plain3/latest" \
		>"$S3_PROXY_RULES.plain3" &&
	fault_run plain3 flip-latest env "XDG_CACHE_HOME=$PWD/flip-latest/cache" \
		quire install --to flip-latest/inst ns/plain3 \
		--registry s3://$(bucket plain3)/reg &&
	test "$(cat flip-latest/rc)" = 0 &&
	grep "named_packages/ns/plain3/latest" flip-latest/log >gets &&
	test_line_count = 2 gets &&
	echo $(cat top-plain3) >expect &&
	test_cmp expect flip-latest/out
'

test_expect_success "fault trials run: $(cat trials 2>/dev/null | wc -l)" '
	test_line_count -ge 100 trials
'

test_done
