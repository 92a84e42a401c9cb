#!/bin/sh
test_description='the S3 test server (Swift + s3api) and the fault-injecting proxy'
. ./test-lib.sh
. "$TEST_DIRECTORY/lib-s3.sh"

KEY="dir/o b+j é"

test_expect_success 'setup: start the S3 server' '
	s3_start &&
	case "$S3_ENDPOINT" in
	http://127.0.0.1:[0-9]*) ;;
	*) false ;;
	esac &&
	test "$AWS_ENDPOINT_URL" = "$S3_ENDPOINT" &&
	test_path_is_missing "$AWS_CONFIG_FILE" &&
	test_path_is_missing "$AWS_SHARED_CREDENTIALS_FILE" &&
	s3_aws s3api list-buckets >out &&
	test_grep "\"ID\": \"test:tester\"" out
'

test_expect_success 'setup: an unversioned and a versioned bucket' '
	s3_mkbucket plain &&
	s3_mkbucket vers versioned &&
	s3_aws s3api list-buckets --query "Buckets[].Name" --output text >out &&
	printf "plain\tvers\n" >expect &&
	test_cmp expect out
'

test_expect_success 's3 server: put and get round-trip an object'\''s bytes' '
	genfile 300000 >obj &&
	s3_aws s3api put-object --bucket plain --key "$KEY" --body obj >out &&
	s3_aws s3api get-object --bucket plain --key "$KEY" got >out &&
	cmp obj got
'

test_expect_success 's3 server: versioning is on in one bucket, keeping old versions' '
	s3_aws s3api get-bucket-versioning --bucket plain \
		--query Status --output text >out &&
	echo None >expect &&
	test_cmp expect out &&
	echo one >v1 &&
	echo two >v2 &&
	s3_aws s3api put-object --bucket vers --key k --body v1 \
		--query VersionId --output text >id1 &&
	s3_aws s3api put-object --bucket vers --key k --body v2 \
		--query VersionId --output text >id2 &&
	test "$(cat id1)" != "$(cat id2)" &&
	s3_aws s3api get-object --bucket vers --key k got >out &&
	test_cmp v2 got &&
	s3_aws s3api get-object --bucket vers --key k \
		--version-id "$(cat id1)" got >out &&
	test_cmp v1 got
'

test_expect_success 's3 server: signatures are checked (a wrong secret gets 403)' '
	(
		AWS_SECRET_ACCESS_KEY=wrong &&
		test_must_fail s3_aws s3api list-objects-v2 --bucket plain
	) 2>err &&
	test_grep SignatureDoesNotMatch err
'

test_expect_success 'proxy: forwards requests unchanged and logs each' '
	s3_proxy_start &&
	case "$S3_PROXY" in
	http://127.0.0.1:[0-9]*) ;;
	*) false ;;
	esac &&
	s3_aws --endpoint-url "$S3_PROXY" s3api get-object \
		--bucket plain --key "$KEY" got >out &&
	cmp obj got &&
	s3_aws --endpoint-url "$S3_PROXY" s3api put-object \
		--bucket vers --key "a/b c" --body obj >out &&
	s3_aws --endpoint-url "$S3_PROXY" s3api head-object \
		--bucket vers --key "a/b c" >out &&
	test_grep "\"ContentLength\": 300000" out &&
	cat >expect <<-\EOF &&
	GET /plain/dir/o%20b%2Bj%20%C3%A9 200
	PUT /vers/a/b%20c 200
	HEAD /vers/a/b%20c 200
	EOF
	test_cmp expect "$S3_PROXY_LOG"
'

test_expect_success 'proxy: a 503 rule fails one request; aws retries it' '
	: >"$S3_PROXY_LOG" &&
	s3_proxy_rules "1 503 GET ^/plain/dir/" &&
	s3_aws --endpoint-url "$S3_PROXY" s3api get-object \
		--bucket plain --key "$KEY" got >out &&
	cmp obj got &&
	cat >expect <<-\EOF &&
	GET /plain/dir/o%20b%2Bj%20%C3%A9 503
	GET /plain/dir/o%20b%2Bj%20%C3%A9 200
	EOF
	test_cmp expect "$S3_PROXY_LOG" &&
	echo "0 503 GET ^/plain/dir/" >expect &&
	test_cmp expect "$S3_PROXY_RULES"
'

test_expect_success 'proxy: injected errors are S3 errors, not forwarded' '
	: >"$S3_PROXY_LOG" &&
	s3_proxy_rules "1 500 * ^/plain/dir/" "1 503 HEAD ^/plain/dir/" &&
	(
		AWS_MAX_ATTEMPTS=1 &&
		export AWS_MAX_ATTEMPTS &&
		test_must_fail s3_aws --endpoint-url "$S3_PROXY" s3api \
			get-object --bucket plain --key "$KEY" got 2>err &&
		test_grep "(InternalError) when calling the GetObject" err &&
		test_grep "We encountered an internal error" err &&
		test_must_fail s3_aws --endpoint-url "$S3_PROXY" s3api \
			head-object --bucket plain --key "$KEY" 2>err &&
		test_grep "(503) when calling the HeadObject" err
	) &&
	cat >expect <<-\EOF &&
	GET /plain/dir/o%20b%2Bj%20%C3%A9 500
	HEAD /plain/dir/o%20b%2Bj%20%C3%A9 503
	EOF
	test_cmp expect "$S3_PROXY_LOG"
'

test_expect_success 'proxy: a dropped connection is survived by retries' '
	: >"$S3_PROXY_LOG" &&
	s3_proxy_rules "# comment" "1 drop PUT ^/vers/dropped\$" &&
	s3_aws --endpoint-url "$S3_PROXY" s3api put-object \
		--bucket vers --key dropped --body obj >out &&
	cat >expect <<-\EOF &&
	PUT /vers/dropped drop
	PUT /vers/dropped 200
	EOF
	test_cmp expect "$S3_PROXY_LOG" &&
	s3_aws s3api get-object --bucket vers --key dropped got >out &&
	cmp obj got
'

test_expect_success 'proxy: parallel keep-alive connections (aws s3 cp, 10 threads)' '
	mkdir up &&
	for i in 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19
	do
		echo "file $i" >up/f$i || return 1
	done &&
	: >"$S3_PROXY_LOG" &&
	s3_aws --endpoint-url "$S3_PROXY" s3 cp --quiet --recursive \
		up s3://plain/many/ &&
	s3_aws --endpoint-url "$S3_PROXY" s3 cp --quiet --recursive \
		s3://plain/many/ down &&
	diff -r up down &&
	grep -c "^PUT /plain/many/f[0-9]* 200\$" "$S3_PROXY_LOG" >count &&
	echo 20 >expect &&
	test_cmp expect count &&
	grep -c "^GET /plain/many/f[0-9]* 200\$" "$S3_PROXY_LOG" >count &&
	test_cmp expect count
'

test_done
