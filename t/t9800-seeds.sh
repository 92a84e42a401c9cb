#!/bin/sh
test_description='the seeds'\'' command-line examples (002, 004), spelled the quire way

Every "$ quilt ..." line of /work/shared/seeds/002_*.txt and 004_*.txt runs
here, in the seeds'\'' order, with its quire spelling, on a small dataset
made by the test; each test names the seed file and line. The table of
examples, their spellings and classes is t/t9800-seeds.md. An example
quire cannot do yet, or a seed spelling it does not take yet, is a
test_expect_failure with the spelling issue 12 asks for.

The consumer examples and seed 002'\''s "near-term" session use a folder
registry (file://), so they always run; seed 004'\''s copy of that session
runs against the S3 test server, as the seed has it (a versioned
s3://bucket, a source in s3://otherbucket/abc/validation/), under the
S3 prerequisite.'
. ./test-lib.sh

# lib-s3.sh ends a script whose machine lacks the S3 server; most of this
# one needs no server, so it is sourced only where the server'\''s programs
# are (or where QUIRE_REQUIRE_S3=1 asks for it).
if test "${QUIRE_REQUIRE_S3-}" = 1 ||
	{ command -v swift-proxy-server && test -x /usr/bin/aws; } >/dev/null 2>&1
then
	. "$TEST_DIRECTORY/lib-s3.sh"
fi

# file_url DIR: the file:// URL of a folder.
file_url () {
	printf "file://%s" "$(cd "$1" && pwd -P | sed "s/ /%20/g")"
}

# head_of DIR: the top hash of the version the workspace DIR holds.
head_of () {
	quire -C "$1" rev-parse HEAD
}

# is_top_hash FILE: FILE holds one line, a top hash.
is_top_hash () {
	test_line_count = 1 "$1" &&
	grep -q "^[0-9a-f]\{64\}$" "$1"
}

# physical_keys DIR: the physical key of each entry of DIR'\''s HEAD.
physical_keys () {
	quire -C "$1" cat-manifest HEAD |
	sed -n "s/.*\"physical_keys\": \[\"\([^\"]*\)\"\].*/\1/p"
}

# make_dataset DIR: the seeds'\'' folders, a few files each.
make_dataset () {
	mkdir -p "$1/train2017" "$1/val2017" "$1/test2017" &&
	echo "# Dataset" >"$1/README.md" &&
	for i in 1 2 3
	do
		echo "train $i" >"$1/train2017/$i.jpg" &&
		echo "val $i" >"$1/val2017/$i.jpg" &&
		echo "test $i" >"$1/test2017/$i.jpg" || return 1
	done
}

# matches DIR REF: the files of DIR are those of the workspace REF, byte
# for byte (both without their .quire/ and .quireignore).
matches () {
	(cd "$1" && find . -name .quire -prune -o -type f -print |
		grep -v "^\./\.quireignore$" | sort) >got &&
	(cd "$2" && find . -name .quire -prune -o -type f -print |
		grep -v "^\./\.quireignore$" | sort) >want &&
	test_cmp want got &&
	while read f
	do
		cmp "$2/$f" "$1/$f" || return 1
	done <want
}

test_expect_success 'setup: bucket/dataset:tag in a folder registry' '
	mkdir reg &&
	REG=$(file_url reg) &&
	make_dataset src &&
	quire -C src init -q bucket/dataset &&
	quire -C src add -q README.md train2017/ val2017/ test2017/ &&
	quire -C src commit -q -m "first version" >top &&
	is_top_hash top &&
	quire -C src push -q -t tag -r "$REG" &&
	mkdir reg-session &&
	echo "REG=$REG SESSION_REG=$(file_url reg-session)" >env
'
. ./env 2>/dev/null
TOP=$(cat top 2>/dev/null)
SHORT=$(printf %.9s "$TOP")

test_expect_success S3 'setup: S3 server, s3://bucket (versioned), s3://otherbucket/abc/validation/' '
	s3_start &&
	s3_mkbucket bucket versioned &&
	s3_mkbucket otherbucket &&
	for i in 1 2 3
	do
		echo "validation $i" >v$i &&
		s3_aws s3 cp v$i s3://otherbucket/abc/validation/$i.jpg || return 1
	done
'

# Seed 002: Download.

test_expect_success '002:16 install bucket/dataset:tag --location ./dataset' '
	quire install bucket/dataset:tag --location ./dataset -r "$REG" 2>err &&
	test_grep "installed bucket/dataset@$(printf %.12s "$TOP")" err &&
	matches dataset src &&
	quire install bucket/dataset:tag --to ./dataset-to -r "$REG" &&
	quire install bucket/dataset:tag --dest ./dataset-dest -r "$REG" &&
	matches dataset-to src &&
	matches dataset-dest src
'

test_expect_success '002:19 status ./dataset: the version, nothing changed' '
	quire status ./dataset >out &&
	test_grep "bucket/dataset:tag" out &&
	test_grep "$(printf %.12s "$TOP")" out &&
	test_grep "nothing to commit" out
'

test_expect_success '002:23 hash ./dataset: the top hash of the version' '
	quire hash ./dataset >out &&
	echo "$TOP" >expect &&
	test_cmp expect out
'

# session SEED PREREQ LINE...: the near-term session of seed SEED, its
# 21 examples at these lines, with prerequisite PREREQ, in workspace $WS
# (test2017/ beside it), against registry $SREG of kind $KIND (file or
# s3).
session () {
	S=$1 P=$2
	shift 2

	test_expect_failure "$P" "$S:$1 install --location ./dataset --lazy-download" '
		quire install bucket/dataset:tag --location lazy --lazy-download \
			-r "$REG" &&
		matches lazy src
	'

	test_expect_success "$P" "$S:$2 init bucket/dataset" '
		mkdir -p "$WS" &&
		make_dataset "$WS" &&
		rm -r "$WS/val2017" "$WS/README.md" &&
		mv "$WS/test2017" "$WS/.." &&
		mkdir "$WS/replacement" &&
		echo "train 1, relabelled" >"$WS/replacement/1.jpg" &&
		(cd "$WS" && quire init bucket/dataset) >out &&
		test_grep "Initialized" out &&
		test_path_is_dir "$WS/.quire" &&
		quire -C "$WS" remote add origin "$SREG"
	'

	test_expect_success "$P" "$S:$3 add train2017/" '
		(cd "$WS" && quire add train2017/) 2>err &&
		test_grep "staged 3 files" err
	'

	test_expect_success "$P,S3" "$S:$4 add val2017/ s3://otherbucket/abc/validation/" '
		(cd "$WS" && quire add val2017/ s3://otherbucket/abc/validation/) 2>err &&
		test_grep "staged 3" err
	'

	test_expect_success "$P" "$S:$5 status: what is staged, from where" '
		quire -C "$WS" status >out &&
		test_grep "no commits yet" out &&
		test_grep "added *train2017/1.jpg" out &&
		test_grep "3 entries point to local files" out &&
		if test_have_prereq S3
		then
			test_grep "added *val2017/1.jpg" out
		fi
	'

	test_expect_success "$P" "$S:$6 build-manifest prints the top hash" '
		quire -C "$WS" build-manifest >top-$S &&
		is_top_hash top-$S &&
		head_of "$WS" >head &&
		test_cmp top-$S head &&
		quire -C "$WS" cat-manifest HEAD >m &&
		quire top-hash m >computed &&
		test_cmp top-$S computed
	'

	test_expect_success "$P" "$S:$7 status: the version built, local files" '
		quire -C "$WS" status >out &&
		test_grep "HEAD $(cut -c1-12 top-$S)" out &&
		test_grep "nothing to commit" out &&
		test_grep "3 entries point to local files" out
	'

	test_expect_success "$P" "$S:$8 push-data --prefix=data/dataset/v0/ --local-files-only" '
		(cd "$WS" &&
		 quire push-data --prefix=data/dataset/v0/ --local-files-only) 2>err &&
		test_grep "3 objects copied" err &&
		physical_keys "$WS" >keys &&
		grep "^$SREG/data/dataset/v0/train2017/1.jpg" keys &&
		if test_have_prereq S3
		then
			grep "^s3://otherbucket/abc/validation/1.jpg" keys
		fi
	'

	test_expect_success "$P" "$S:$9 status: the same version" '
		quire -C "$WS" status >out &&
		test_grep "HEAD $(cut -c1-12 top-$S)" out &&
		test_grep "nothing to commit" out
	'
	shift 9

	test_expect_success "$P" "$S:$1 push-data --prefix=data/dataset/v0/: S3 sources copied too" '
		(cd "$WS" && quire push-data --prefix=data/dataset/v0/) 2>err &&
		test_grep "objects\{0,1\} copied" err &&
		physical_keys "$WS" >keys &&
		! grep -v "^$SREG/data/dataset/v0/" keys &&
		grep "^$SREG/data/dataset/v0/train2017/1.jpg" keys &&
		(cd "$WS" && quire push-data --prefix=data/dataset/v0/) 2>err &&
		test_grep "0 objects copied" err
	'

	test_expect_success "$P" "$S:$2 status: no local files left" '
		quire -C "$WS" status >out &&
		test_grep -v "local files" out &&
		test_grep "HEAD $(cut -c1-12 top-$S)" out &&
		test_grep "nothing to commit" out
	'

	test_expect_success "$P" "$S:$3 push-manifest -t v0" '
		(cd "$WS" && quire push-manifest -t v0) >out &&
		test_cmp top-$S out &&
		quire log bucket/dataset -r "$SREG" >log &&
		head -n 1 log >first &&
		test_grep "^$(cat top-$S) (latest, tag: v0)" first
	'

	test_expect_success "$P" "$S:$4 status: data matches the version" '
		quire -C "$WS" status >out &&
		test_grep "HEAD $(cut -c1-12 top-$S)" out &&
		test_grep "nothing to commit" out
	'

	test_expect_success "$P" "$S:$5 add test2017/ ../test2017/" '
		(cd "$WS" && quire add test2017/ ../test2017/) 2>err &&
		test_grep "staged 3 files" err
	'

	test_expect_success "$P" "$S:$6 status: test2017/ staged" '
		quire -C "$WS" status >out &&
		test_grep "added *test2017/1.jpg" out &&
		test_grep "3 entries point to local files" out
	'

	test_expect_success "$P" "$S:$7 set train2017/1.jpg ./replacement/1.jpg" '
		(cd "$WS" && quire set train2017/1.jpg ./replacement/1.jpg)
	'

	test_expect_success "$P" "$S:$8 status: the replaced key" '
		quire -C "$WS" status >out &&
		test_grep "modified *train2017/1.jpg" out &&
		test_grep "added *test2017/1.jpg" out &&
		test_grep "4 entries point to local files" out
	'

	test_expect_success "$P" "$S:$9 commit: the version to push" '
		quire -C "$WS" commit >top2-$S &&
		is_top_hash top2-$S
	'

	if test $KIND = s3
	then
		# Refused for the tag v0 (another version) or for the local
		# files; moving the tag does not let the local files through.
		test_expect_success "$P" "$S:$9 push-manifest -t v0: local files refused" '
			(cd "$WS" && test_expect_code 128 quire push-manifest -t v0) 2>err &&
			test_grep "^fatal: .*\(point to files on this machine\|v0\)" err &&
			(cd "$WS" && test_expect_code 128 \
				quire push-manifest -t v0 --force-tag) 2>err &&
			test_grep "point to files on this machine" err &&
			test_grep "push-data" err &&
			quire log bucket/dataset -r "$SREG" >log &&
			test_grep "^$(cat top-$S) (latest, tag: v0)" log
		'
	else
		# A folder registry on this machine takes local files; what
		# stops this push there is the tag v0, which names another
		# version.
		test_expect_success "$P" "$S:$9 push-manifest -t v0: tag v0 is not moved" '
			(cd "$WS" && test_expect_code 128 quire push-manifest -t v0) 2>err &&
			test_grep "v0" err &&
			quire log bucket/dataset -r "$SREG" >log &&
			test_grep "^$(cat top-$S) (.*tag: v0)" log
		'
	fi
	shift 9

	if test $KIND = s3
	then
		test_expect_success "$P" "$S:$1 push-data --prefix=data/dataset/v0/" '
			(cd "$WS" && quire push-data --prefix=data/dataset/v0/) 2>err &&
			test_grep "4 objects copied" err &&
			physical_keys "$WS" >keys &&
			test_grep -v "^file:" keys &&
			grep "^$SREG/data/dataset/v0/train2017/1.jpg?versionId=" keys
		'
	else
		# Bytes an earlier version uses are never replaced in an
		# unversioned registry: the new bytes need a new prefix.
		test_expect_success "$P" "$S:$1 push-data --prefix=data/dataset/v1/" '
			(cd "$WS" && test_expect_code 128 \
				quire push-data --prefix=data/dataset/v0/) 2>err &&
			test_grep "train2017/1.jpg.*already holds other bytes" err &&
			test_grep "prefix" err &&
			(cd "$WS" && quire push-data --prefix=data/dataset/v1/) 2>err &&
			test_grep "4 objects copied" err &&
			physical_keys "$WS" >keys &&
			! grep -v "^$SREG/data/dataset/v[01]/" keys &&
			grep "^$SREG/data/dataset/v1/train2017/1.jpg" keys
		'
	fi

	test_expect_success "$P" "$S:$2 push-manifest" '
		(cd "$WS" && quire push-manifest) >out &&
		test_cmp top2-$S out &&
		quire log bucket/dataset -r "$SREG" >log &&
		test_grep "^$(cat top2-$S) (latest" log
	'

	test_expect_success "$P" "$S:$3 status: data matches the version" '
		quire -C "$WS" status >out &&
		test_grep "HEAD $(cut -c1-12 top2-$S)" out &&
		test_grep "nothing to commit" out &&
		test_grep -v "local files" out
	'
}

WS=session-002/ws SREG=$SESSION_REG KIND=file
session 002 "" 437 441 444 447 450 457 461 468 471 478 482 489 493 497 500 \
	508 511 520 523 529 535

# Seed 004: Stream training data to PyTorch jobs.

test_expect_success '004:60 copy bucket/dataset:hash --to DIR' '
	quire copy bucket/dataset:$SHORT --to copied -r "$REG" 2>err &&
	test_grep "installed bucket/dataset@$(printf %.12s "$TOP")" err &&
	matches copied src
'

test_expect_success '004:63 diff bucket/dataset:hash ./dataset: no changes' '
	quire diff bucket/dataset:$SHORT ./copied -r "$REG" >out &&
	test_must_be_empty out &&
	echo changed >>copied/val2017/2.jpg &&
	test_expect_code 1 quire diff bucket/dataset:$SHORT ./copied \
		-r "$REG" >out &&
	echo "val 2" >copied/val2017/2.jpg &&
	test_grep "modified *val2017/2.jpg" out
'

test_expect_success '004:66 hash ./dataset: the top hash of the version' '
	quire hash ./copied >out &&
	echo "$TOP" >expect &&
	test_cmp expect out
'

# Seed 004's near-term session: S3, as the seed has it.
WS=session-004/ws SREG=s3://bucket KIND=s3
session 004 S3 568 571 574 577 580 587 591 598 601 608 612 619 623 627 630 \
	638 641 650 653 659 665

test_done
