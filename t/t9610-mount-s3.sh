#!/bin/sh
test_description='quire mount over S3 (Swift s3api on loopback)

The same guarantees as over a file:// registry (t9600), with the data
and manifests fetched from an S3 server: the tree and its attributes
without data; bytes fetched on first read (a large object by ranges,
streamed), verified, EIO for bytes that do not match; no writes; pinned
versions; many readers at once; a 1,000,000-entry version in bounded
memory.'
. ./test-lib.sh
. "$TEST_DIRECTORY/lib-s3.sh"
. "$TEST_DIRECTORY/lib-fuse.sh"

VREG=s3://vers/reg
PREG=s3://plain/reg

# push_time BUCKET NAME TOP: the time the registry in BUCKET (prefix
# reg/) says version TOP of NAME was pushed: the name of the pointer
# file below named_packages that holds TOP.
push_time () {
	"$S3_PYTHON" - "$@" <<-\EOF
	import os, sys
	import boto3, botocore.config
	s3 = boto3.client("s3", endpoint_url=os.environ["S3_ENDPOINT"],
	                  config=botocore.config.Config(
	                      s3={"addressing_style": "path"}))
	bucket, name, top = sys.argv[1:]
	prefix = "reg/.quilt/named_packages/%s/" % name
	found = []
	for o in s3.list_objects_v2(Bucket=bucket, Prefix=prefix)["Contents"]:
	    stamp = o["Key"][len(prefix):]
	    if stamp.isdigit():
	        body = s3.get_object(Bucket=bucket, Key=o["Key"])["Body"].read()
	        if body.decode() == top:
	            found.append(stamp)
	if len(found) != 1:
	    sys.exit("push_time: %s of %s in %s: %r" % (top, name, bucket, found))
	print(found[0])
	EOF
}

# physical_key LSJSON KEY: the physical key 'quire ls --json' gives KEY.
physical_key () {
	"$FUSE_PYTHON" - "$@" <<-\EOF
	import json, sys
	for e in json.load(open(sys.argv[1], encoding="utf-8"))["entries"]:
	    if e["logical_key"] == sys.argv[2]:
	        print(e["physical_key"])
	EOF
}

not_mounted () {
	if fuse_mounted "$1"
	then
		echo "error: '$1' is mounted:"
		fuse_mount_line "$1"
		return 1
	fi
}

own_lines () {
	grep "	$(pwd -P)/" "$1" || :
}

test_expect_success 'setup: S3 server and buckets' '
	s3_start &&
	s3_mkbucket plain &&
	s3_mkbucket vers versioned
'

test_expect_success 'setup: v1 and v2 of ns/pkg in a versioned bucket' '
	mkdir -p w/data/sub w/data/deep/er &&
	echo alpha >w/data/a.txt &&
	echo beta >"w/data/sub/o b+j é.txt" &&
	: >w/data/empty &&
	echo deep >w/data/deep/er/f.txt &&
	head -c 20971520 /dev/urandom >w/data/big.bin &&
	echo "# ns/pkg" >w/README.md &&
	quire -C w init -q ns/pkg &&
	quire -C w add -q data README.md &&
	quire -C w set --meta "{\"label\": 3, \"name\": \"x y\", \"u\": \"é\"}" \
		data/a.txt data/a.txt &&
	quire -C w commit -q -m v1 >v1 &&
	quire -C w push -q -t v1 -r $VREG >/dev/null &&
	mkdir v1-files &&
	cp -R w/data w/README.md v1-files/ &&
	echo alpha2 >w/data/a.txt &&
	rm -r w/data/deep &&
	quire -C w rm -q data/deep/ &&
	echo new >w/data/new.txt &&
	quire -C w add -q data &&
	quire -C w commit -q -m v2 >v2 &&
	quire -C w push -q -t v2 -r $VREG >/dev/null &&
	push_time vers ns/pkg $(cat v1) >t1 &&
	push_time vers ns/pkg $(cat v2) >t2
'

test_expect_success 'mount from S3: pinned, listed as fuse.quire, tree and xattrs without data' '
	mkdir m-3 &&
	mount_quire -r $VREG ns/pkg:v1 m-3 &&
	test_grep "^mounted ns/pkg@$(cut -c1-12 v1) at .*/m-3\$" mount-err &&
	fuse_mount_line m-3 >line &&
	awk "{ print \$1, \$3, substr(\$4, 1, 3) }" line >actual &&
	echo "quire:ns/pkg@$(cat v1) fuse.quire ro," >expect &&
	test_cmp expect actual &&
	ls -lR m-3 >/dev/null &&
	(cd m-3 && find . | sort) >actual &&
	(cd v1-files && find . | sort) >expect &&
	test_cmp expect actual &&
	stat -c "%s %n" m-3/data/big.bin "m-3/data/sub/o b+j é.txt" >actual &&
	printf "%s\n" "20971520 m-3/data/big.bin" "5 m-3/data/sub/o b+j é.txt" >expect &&
	test_cmp expect actual &&
	quire ls --json -R -r $VREG ns/pkg:v1 >ls.json &&
	fuse_check_tree ls.json m-3 $(cat t1) &&
	getfattr --only-values -n user.quire.top_hash m-3 >actual &&
	printf %s "$(cat v1)" >expect &&
	test_cmp expect actual &&
	getfattr --only-values -n user.quire.package m-3 >actual &&
	printf %s ns/pkg >expect &&
	test_cmp expect actual &&
	getfattr --only-values -n user.quire.physical_key m-3/data/a.txt >actual &&
	grep "^s3://vers/reg/.*data/a.txt?versionId=" actual &&
	fuse_cache_files >cached &&
	test_line_count = 0 cached
'

test_expect_success 'a 20 MiB S3 object read at random offsets (cold, streamed) equals the source' '
	mkdir m-4 &&
	mount_quire -r $VREG ns/pkg:v1 m-4 &&
	fuse_random_reads v1-files/data/big.bin m-4/data/big.bin 400 30 &&
	cmp v1-files/data/big.bin m-4/data/big.bin
'

test_expect_success 'diff -r of the mount against an install of the same version' '
	XDG_CACHE_HOME=$PWD/icache quire install -q -r $VREG ns/pkg:v1 --to i1 &&
	mkdir m-5 &&
	mount_quire -r $VREG ns/pkg:v1 m-5 &&
	diff -r -x .quire i1 m-5 &&
	diff -r v1-files m-5
'

test_expect_success 'two versions side by side, one named by its URL' '
	XDG_CACHE_HOME=$PWD/icache quire install -q -r $VREG ns/pkg:v2 --to i2 &&
	mkdir m1-6 m2-6 &&
	mount_quire -r $VREG ns/pkg:v1 m1-6 &&
	mount_quire "$VREG/ns/pkg@$(cut -c1-10 v2)" m2-6 &&
	diff -r -x .quire i1 m1-6 &&
	diff -r -x .quire i2 m2-6 &&
	quire ls --json -R -r $VREG ns/pkg:v2 >ls2.json &&
	fuse_check_tree ls2.json m2-6 $(cat t2) &&
	quire mount --list >list &&
	own_lines list | sort >actual &&
	d=$(pwd -P) &&
	printf "%s\t%s\t%s\n" $(cat v1) ns/pkg "$d/m1-6" $(cat v2) ns/pkg "$d/m2-6" |
		sort >expect &&
	test_cmp expect actual
'

test_expect_success 'every kind of write is refused with EROFS' '
	mkdir m-7 &&
	mount_quire -r $VREG ns/pkg:v1 m-7 &&
	for op in "echo x >m-7/data/a.txt" ": >m-7/data/created" \
		"rm -f m-7/data/a.txt" "mv m-7/data/a.txt m-7/data/renamed" \
		"chmod 644 m-7/data/a.txt" "mkdir m-7/newdir" "touch m-7/data/a.txt"
	do
		if (eval "$op") 2>err
		then
			echo "error: $op succeeded"
			return 1
		fi &&
		test_grep "Read-only file system" err || return 1
	done &&
	diff -r v1-files m-7
'

test_expect_success 'setup: ns/bad in an unversioned bucket, its objects then overwritten' '
	mkdir -p b/d &&
	head -c 1000 /dev/urandom >b/d/small.bin &&
	head -c 17825792 /dev/urandom >b/d/large.bin &&
	echo fine >b/d/good.txt &&
	quire -C b init -q ns/bad &&
	quire -C b add -q d &&
	quire -C b commit -q -m bad >bad &&
	quire -C b push -q -r $PREG >/dev/null &&
	quire ls --json -R -r $PREG ns/bad >bad.json &&
	for f in small.bin large.bin
	do
		cp b/d/$f bad-$f &&
		printf "\\377\\377\\377\\377" |
		dd of=bad-$f bs=1 seek=500 conv=notrunc 2>/dev/null &&
		! cmp -s bad-$f b/d/$f &&
		key=$(physical_key bad.json d/$f) &&
		case "$key" in s3://plain/*) ;; *) false ;; esac &&
		s3_aws s3 cp --quiet bad-$f "$key" || return 1
	done
'

bad_copies () {
	fuse_cache_files --all | while read f
	do
		if cmp -s "$f" bad-small.bin || cmp -s "$f" bad-large.bin ||
			test $(wc -c <"$f") = 17825792
		then
			echo "$f"
		fi
	done
}

test_expect_success 'a corrupted small S3 object: EIO, no byte served, no copy cached' '
	mkdir m-bad-small &&
	mount_quire -r $PREG ns/bad m-bad-small &&
	fuse_read_fails m-bad-small/d/small.bin &&
	test_must_be_empty out &&
	test_grep "d/small.bin" "$XDG_CACHE_HOME/quire/logs/mount.log" &&
	fuse_read_fails m-bad-small/d/small.bin &&
	test_must_be_empty out &&
	bad_copies >copies &&
	test_line_count = 0 copies &&
	echo fine >expect &&
	test_cmp expect m-bad-small/d/good.txt
'

test_expect_success 'a corrupted large S3 object: never read whole, no copy cached' '
	mkdir m-bad-large &&
	mount_quire -r $PREG ns/bad m-bad-large &&
	{ timeout 30 cat m-bad-large/d/large.bin >out 2>err; :; } &&
	test $(wc -c <out) -lt 17825792 &&
	test_grep "d/large.bin" "$XDG_CACHE_HOME/quire/logs/mount.log" &&
	bad_copies >copies &&
	test_line_count = 0 copies &&
	echo fine >expect &&
	test_cmp expect m-bad-large/d/good.txt
'

# As in t9600: a read racing with the failed verification of a large
# object must get EIO, never 0 bytes (end of file).
test_expect_success 'reading a corrupted large S3 object ends in EIO, never early as if at its end (4 mounts)' '
	for round in 1 2 3 4
	do
		mkdir m-bad-eof-$round &&
		mount_quire -r $PREG ns/bad m-bad-eof-$round &&
		fuse_read_fails m-bad-eof-$round/d/large.bin &&
		fuse_umount "$(pwd -P)/m-bad-eof-$round" || return 1
	done
'

test_expect_success 'a corrupted large object read once it has failed: EIO, not end of file (4 mounts)' '
	for round in 1 2 3 4
	do
		mkdir m-bad-late-$round &&
		mount_quire -r $PREG ns/bad m-bad-late-$round &&
		fuse_late_read_fails m-bad-late-$round/d/large.bin d/large.bin &&
		fuse_umount "$(pwd -P)/m-bad-late-$round" || return 1
	done
'

test_expect_success 'no credential in the log, the mount table or --list' '
	test -n "$AWS_SECRET_ACCESS_KEY" &&
	mkdir m-10 &&
	mount_quire -r $VREG ns/pkg:v1 m-10 &&
	cat m-10/data/a.txt >/dev/null &&
	quire mount --list >list &&
	! grep -F "$AWS_SECRET_ACCESS_KEY" list /proc/self/mounts mount-err \
		"$XDG_CACHE_HOME/quire/logs/mount.log"
'

test_expect_success 'umount while a reader holds a file open: fatal; then it unmounts' '
	mkdir m-11 &&
	mount_quire_fg -r $VREG ns/pkg:v1 m-11 || return 1
	sleep 60 <m-11/data/a.txt >/dev/null 2>&1 3>&- 4>&- 5>&- 6<&- &
	holder=$! &&
	test_when_finished "kill $holder 2>/dev/null; wait $holder 2>/dev/null; :" &&
	test_fatal 128 quire umount m-11 &&
	test_grep "^fatal: cannot unmount .*/m-11.: .*busy" err &&
	test_cmp v1-files/data/a.txt m-11/data/a.txt &&
	quire umount --lazy m-11 &&
	not_mounted m-11 &&
	kill $holder &&
	{ wait $holder; :; } &&
	fuse_wait_exit $FUSE_PID
'

test_expect_success 'a mount of ns/name pins its version while a new one is pushed' '
	mkdir m-12 &&
	mount_quire -r $VREG ns/pkg m-12 &&
	test_grep "^mounted ns/pkg@$(cut -c1-12 v2) at " mount-err &&
	echo three >w/data/v3.txt &&
	echo alpha3 >w/data/a.txt &&
	quire -C w add -q data &&
	quire -C w commit -q -m v3 >v3 &&
	quire -C w push -q -r $VREG >/dev/null &&
	s3_aws s3 cp s3://vers/reg/.quilt/named_packages/ns/pkg/latest - >latest &&
	printf %s "$(cat v3)" >expect &&
	test_cmp expect latest &&
	test_path_is_missing m-12/data/v3.txt &&
	diff -r -x .quire i2 m-12 &&
	getfattr --only-values -n user.quire.top_hash m-12 >actual &&
	printf %s "$(cat v2)" >expect &&
	test_cmp expect actual
'

test_expect_success 'a bad revision: fatal, nothing mounted' '
	mkdir d-13 &&
	test_fatal 128 quire mount -r $VREG ns/nope d-13 &&
	not_mounted d-13 &&
	test_fatal 128 quire mount s3://no-such-bucket/reg/ns/pkg d-13 &&
	not_mounted d-13 &&
	test_dir_is_empty d-13
'

test_expect_success 'setup: ns/many, 200 small files and a 24 MiB one, in S3' '
	mkdir -p many/s &&
	"$FUSE_PYTHON" -c "
import os, random
r = random.Random(8)
for i in range(200):
    with open(\"many/s/f%03d\" % i, \"wb\") as f:
        f.write(os.urandom(r.choice((0, 1, 100, 4096, 5000, 70000))))
" &&
	head -c 25165824 /dev/urandom >many/large.bin &&
	quire -C many init -q ns/many &&
	quire -C many add -q s large.bin &&
	quire -C many commit -q -m many >many.top &&
	quire -C many push -q -r $VREG >/dev/null &&
	(cd many && find s large.bin -type f | sort | xargs sha256sum) >many.sums
'

test_expect_success '8 readers at once from S3, cold cache (3 rounds): every file has the right bytes' '
	for round in 1 2 3
	do
		mkdir mm-15-$round &&
		mount_quire -r $VREG ns/many mm-15-$round &&
		fuse_readers mm-15-$round many.sums large.bin &&
		fuse_umount "$(pwd -P)/mm-15-$round" &&
		rm -rf "$XDG_CACHE_HOME/quire/objects" || return 1
	done
'

test_expect_success 'a 1,000,000-entry version in S3: mounts, lists, stats in bounded memory' '
	test-tool gen-manifest 1000000 >million.jsonl &&
	top=$(quire top-hash million.jsonl) &&
	s3_aws s3 cp --quiet million.jsonl s3://plain/reg/.quilt/packages/$top &&
	printf %s $top >latest &&
	s3_aws s3 cp --quiet latest s3://plain/reg/.quilt/named_packages/lab/million/latest &&
	rm million.jsonl &&
	mkdir mx-16 &&
	t0=$(date +%s) &&
	mount_quire_fg -r $PREG lab/million mx-16 &&
	t1=$(date +%s) &&
	echo "first mount: $((t1 - t0)) s" &&
	ls mx-16/train/0500 >list &&
	test_line_count = 1000 list &&
	stat -c %s mx-16/train/0500/00500123.jpg >size &&
	echo $((1000 + 500123 % 50000)) >expect &&
	test_cmp expect size &&
	hwm=$(fuse_hwm_kib $FUSE_PID) &&
	echo "peak RSS of the mount: $((hwm / 1024)) MiB" &&
	if ! ldd "$QUIRE_BUILD_DIR/quire" | grep -q libasan
	then
		test "$hwm" -lt 102400
	fi &&
	db=$XDG_CACHE_HOME/quire/vindex/$(echo $top | cut -c1-2)/$(echo $top | cut -c3-).db &&
	test_path_is_file "$db" &&
	stat -c "%i %s" "$db" >index.1 &&
	fuse__stop_fg "$(pwd -P)/mx-16" $FUSE_PID &&
	mount_quire_fg -r $PREG lab/million mx-16 &&
	stat -c %s mx-16/train/0999/00999999.jpg >size &&
	echo $((1000 + 999999 % 50000)) >expect &&
	test_cmp expect size &&
	stat -c "%i %s" "$db" >index.2 &&
	test_cmp index.1 index.2
'

test_done
