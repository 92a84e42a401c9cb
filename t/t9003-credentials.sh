#!/bin/sh

test_description='the AWS credential chain, every source against loopback stand-ins

t/helper/aws-endpoints.py stands in for STS (it checks the SigV4
signature of AssumeRole with the source key'"'"'s secret), the SSO portal,
the ECS container endpoint and EC2 instance metadata (IMDSv2). Each hands
out the keys the S3 test server (Swift s3api, one static user) accepts,
with a session token that server ignores; so a quire command that works
against the server with no other credentials set got its keys from the
source under test.'

. ./test-lib.sh
. "$TEST_DIRECTORY/lib-s3.sh"

EP_DIR=$SHARNESS_TRASH_DIRECTORY/.endpoints
EP_LOG=$EP_DIR/log
ROLE=arn:aws:iam::123456789012:role/reader
ROLE2=arn:aws:iam::123456789012:role/writer
SRC_SECRET=srcSecretKeyExample0123456789abcdef
EXPIRES=$(date -u -d "+1 hour" +%Y-%m-%dT%H:%M:%SZ)

# ep_config [SECRET [EXPIRATION [IMDS_ROLE]]]: what the stand-ins hand
# out and expect.
ep_config () {
	cat >"$EP_DIR/config.tmp" <<-EOF &&
	{"issue": {"AccessKeyId": "test:tester",
	           "SecretAccessKey": "${1:-testing}",
	           "SessionToken": "issued-session-token",
	           "Expiration": "${2:-$EXPIRES}"},
	 "sources": {"AKIDSOURCE": {"secret": "$SRC_SECRET"}},
	 "web_identity_token": "the-oidc-token",
	 "sso_token": "the-sso-access-token",
	 "ecs_token": "the-ecs-token",
	 "imds_role": "${3-instance-role}",
	 "sts_region": "us-east-1",
	 "s3_upstream": {"url": "$S3_ENDPOINT", "key": "test:tester",
	                 "secret": "testing"}}
	EOF
	mv "$EP_DIR/config.tmp" "$EP_DIR/config"
}

# ep_start: start the stand-ins; EP is their URL. A watchdog stops them
# if this shell dies without cleaning up.
ep_start () {
	mkdir -p "$EP_DIR" &&
	ep_config &&
	: >"$EP_LOG" &&
	/usr/bin/python3 "$TEST_DIRECTORY/helper/aws-endpoints.py" \
		--config "$EP_DIR/config" --log "$EP_LOG" \
		--port-file "$EP_DIR/port" >"$EP_DIR/out" 2>&1 </dev/null \
		3>&- 4>&- 5>&- 6<&- &
	EP_PID=$!
	sh -c 'while kill -0 $1 2>/dev/null && kill -0 $2 2>/dev/null
		do sleep 1; done; kill $2 2>/dev/null' ep-watchdog $$ $EP_PID \
		>/dev/null 2>&1 </dev/null 3>&- 4>&- 5>&- 6<&- &
	i=0
	while ! test -s "$EP_DIR/port"
	do
		if test $i -ge 200 || ! kill -0 $EP_PID 2>/dev/null
		then
			cat "$EP_DIR/out" >&2
			return 1
		fi
		sleep 0.05
		i=$((i + 1))
	done
	EP=http://127.0.0.1:$(cat "$EP_DIR/port")
}

ep_stop () {
	if test -n "$EP_PID"
	then
		kill $EP_PID 2>/dev/null
		wait $EP_PID 2>/dev/null
		EP_PID=
	fi
	return 0
}
cleanup ep_stop

# bare CMD...: CMD without the S3 user's keys in the environment.
bare () {
	env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY \
		-u AWS_SESSION_TOKEN "$@"
}

# profiles: the config file from stdin, and no credentials file; a
# fresh stand-in log.
profiles () {
	cat >"$AWS_CONFIG_FILE" &&
	rm -f "$AWS_SHARED_CREDENTIALS_FILE" &&
	: >"$EP_LOG"
}

# role_profiles: the profiles "src" (keys the STS stand-in knows) and
# "reader" (a role assumed with them), then those from stdin.
role_profiles () {
	{
		printf "[profile src]\naws_access_key_id = AKIDSOURCE\n" &&
		printf "aws_secret_access_key = %s\n" "$SRC_SECRET" &&
		printf "[profile reader]\nrole_arn = %s\n" "$ROLE" &&
		echo "source_profile = src" &&
		cat
	} | profiles
}

# listed: quire list's output names the package pushed in setup.
listed () {
	test_grep "^ns/pkg	$(cat top)" out
}

# no_secret FILE...: none of the secrets the tests use is in the files.
no_secret () {
	for f
	do
		test_grep -v "testing\|$SRC_SECRET\|issued-session-token" "$f" &&
		test_grep -v "the-oidc-token\|the-sso-access-token" "$f" &&
		test_grep -v "the-ecs-token" "$f" || return 1
	done
}

test_expect_success 'setup: S3 server, a package in a bucket, stand-ins' '
	s3_start &&
	s3_mkbucket creds &&
	mkdir -p w "$HOME/.aws" &&
	echo hello >w/a.txt &&
	quire -C w init -q ns/pkg &&
	quire -C w add -q a.txt &&
	quire -C w commit -q -m v1 >top &&
	quire -C w push -q s3://creds/reg &&
	quire list s3://creds/reg >out &&
	listed &&
	ep_start
'

test_expect_success 'no credentials anywhere: refused, naming every place' '
	profiles </dev/null &&
	test_expect_code 128 bare quire list s3://creds/reg >out 2>err &&
	test_grep "^fatal: no AWS credentials found; looked at:" err &&
	test_grep "the environment: AWS_ACCESS_KEY_ID" err &&
	test_grep "web identity: AWS_WEB_IDENTITY_TOKEN_FILE" err &&
	test_grep "profile .default. in .$AWS_SHARED_CREDENTIALS_FILE. and .$AWS_CONFIG_FILE." err &&
	test_grep "SSO: profile .default. has no sso_session" err &&
	test_grep "ECS container credentials: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI" err &&
	test_grep "EC2 instance metadata (http://169.254.169.254): skipped, AWS_EC2_METADATA_DISABLED" err &&
	test_grep "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY" err &&
	test_grep "quire-credentials(7)" err &&
	test_grep "pass --no-sign-request (or set QUIRE_NO_SIGN_REQUEST=1)" err &&
	test_must_be_empty out
'

test_expect_success 'no credentials: nothing unsigned reached the server' '
	s3_proxy_start &&
	: >"$S3_PROXY_LOG" &&
	test_expect_code 128 bare env AWS_ENDPOINT_URL=$S3_PROXY \
		quire list s3://creds/reg >out 2>err &&
	test_must_be_empty "$S3_PROXY_LOG"
'

test_expect_success 'no credentials, IMDS enabled but nothing answers' '
	profiles </dev/null &&
	test_expect_code 128 bare env AWS_EC2_METADATA_DISABLED=false \
		AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:1/ \
		quire list s3://creds/reg >out 2>err &&
	test_grep "EC2 instance metadata (http://127.0.0.1:1): no answer" err
'

test_expect_success 'public bucket: QUIRE_NO_SIGN_REQUEST=1 reads it' '
	profiles </dev/null &&
	bare env QUIRE_NO_SIGN_REQUEST=1 AWS_ENDPOINT_URL=$EP \
		quire list s3://creds/reg >out 2>err &&
	listed &&
	test_grep "^s3 GET /creds unsigned 200" "$EP_LOG" &&
	test_grep -v "refused" "$EP_LOG" &&
	rm -rf pub &&
	bare env QUIRE_NO_SIGN_REQUEST=true AWS_ENDPOINT_URL=$EP \
		XDG_CACHE_HOME="$PWD/pub-cache" \
		quire install -q --to pub ns/pkg --registry s3://creds/reg &&
	echo hello >expect &&
	test_cmp expect pub/a.txt
'

test_expect_success 'public bucket: --no-sign-request, before or after the command' '
	profiles </dev/null &&
	bare env AWS_ENDPOINT_URL=$EP \
		quire --no-sign-request list s3://creds/reg >out 2>err &&
	listed &&
	test_grep "^s3 GET /creds unsigned 200" "$EP_LOG" &&
	rm -rf pub2 &&
	bare env AWS_ENDPOINT_URL=$EP XDG_CACHE_HOME="$PWD/pub-cache2" \
		quire install -q --to pub2 ns/pkg --no-sign-request \
		--registry s3://creds/reg &&
	echo hello >expect &&
	test_cmp expect pub2/a.txt
'

test_expect_success 'public bucket: a write refused (403) says it went unsigned' '
	: >"$EP_LOG" &&
	test_must_fail bare env QUIRE_NO_SIGN_REQUEST=1 AWS_ENDPOINT_URL=$EP \
		QUIRE_S3_ATTEMPTS=1 quire -C w push s3://creds/reg2 >out 2>err &&
	test_grep "^fatal: .*403" err &&
	test_grep "sent unsigned (--no-sign-request, QUIRE_NO_SIGN_REQUEST)" err
'

test_expect_success 'static keys of a profile' '
	profiles </dev/null &&
	cat >"$AWS_SHARED_CREDENTIALS_FILE" <<-\EOF &&
	[default]
	aws_access_key_id = test:tester
	aws_secret_access_key = testing
	EOF
	bare quire list s3://creds/reg >out 2>err &&
	listed
'

test_expect_success 'web identity: AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN' '
	profiles </dev/null &&
	echo the-oidc-token >oidc &&
	bare env AWS_WEB_IDENTITY_TOKEN_FILE="$PWD/oidc" AWS_ROLE_ARN=$ROLE \
		AWS_ENDPOINT_URL_STS=$EP/sts \
		quire list s3://creds/reg >out 2>err &&
	listed &&
	test_grep "^sts AssumeRoleWithWebIdentity $ROLE session quire-[0-9]* ok$" "$EP_LOG" &&
	: >"$EP_LOG" &&
	bare env AWS_WEB_IDENTITY_TOKEN_FILE="$PWD/oidc" AWS_ROLE_ARN=$ROLE \
		AWS_ROLE_SESSION_NAME=ci-run AWS_ENDPOINT_URL_STS=$EP/sts \
		quire list s3://creds/reg >out 2>err &&
	test_grep "^sts AssumeRoleWithWebIdentity $ROLE session ci-run ok$" "$EP_LOG"
'

test_expect_success 'web identity: a refused token, a missing token file' '
	echo another-token >bad-oidc &&
	test_expect_code 128 bare env AWS_WEB_IDENTITY_TOKEN_FILE="$PWD/bad-oidc" \
		AWS_ROLE_ARN=$ROLE AWS_ENDPOINT_URL_STS=$EP/sts \
		quire list s3://creds/reg >out 2>err &&
	test_grep "^fatal: STS AssumeRoleWithWebIdentity of role .$ROLE. failed: HTTP 403 AccessDenied (wrong WebIdentityToken)" err &&
	test_grep -v another-token err &&
	test_expect_code 128 bare env AWS_WEB_IDENTITY_TOKEN_FILE="$PWD/nope" \
		AWS_ROLE_ARN=$ROLE AWS_ENDPOINT_URL_STS=$EP/sts \
		quire list s3://creds/reg >out 2>err &&
	test_grep "^fatal: cannot read the web identity token file .$PWD/nope." err
'

test_expect_success 'setup: a credential_process script' '
	mkdir -p "bin dir" &&
	cat >"bin dir/cred proc" <<-\EOF &&
	#!/bin/sh
	case "$1" in
	good)
		printf "{\"Version\": 1, \"AccessKeyId\": \"test:tester\", "
		printf "\"SecretAccessKey\": \"testing\", "
		printf "\"SessionToken\": \"issued-session-token\", "
		printf "\"Expiration\": \"%s\"}\n" "$2" ;;
	v2)
		echo "{\"Version\": 2, \"AccessKeyId\": \"x\", \"SecretAccessKey\": \"testing\"}" ;;
	junk)
		echo "testing is not JSON" ;;
	fail)
		echo "cred proc: no session" >&2
		exit 3 ;;
	esac
	EOF
	chmod +x "bin dir/cred proc"
'

test_expect_success 'credential_process: its JSON gives the keys' '
	profiles <<-EOF &&
	[default]
	credential_process = "$PWD/bin dir/cred proc" good $EXPIRES
	EOF
	bare quire list s3://creds/reg >out 2>err &&
	listed &&
	no_secret err
'

test_expect_success 'credential_process: failures, never its output' '
	profiles <<-EOF &&
	[profile fail]
	credential_process = "$PWD/bin dir/cred proc" fail
	[profile v2]
	credential_process = "$PWD/bin dir/cred proc" v2
	[profile junk]
	credential_process = '"'"'$PWD/bin dir/cred proc'"'"' junk
	[profile unclosed]
	credential_process = "$PWD/bin dir/cred proc junk
	[profile missing]
	credential_process = "$PWD/no-such-program"
	[profile old]
	credential_process = "$PWD/bin dir/cred proc" good 2020-01-01T00:00:00Z
	EOF
	test_expect_code 128 bare env AWS_PROFILE=fail \
		quire list s3://creds/reg >out 2>err &&
	test_grep "^fatal: the credential_process of profile .fail. (.*cred proc.) exited with status 3" err &&
	test_grep "^cred proc: no session" err &&
	test_expect_code 128 bare env AWS_PROFILE=v2 \
		quire list s3://creds/reg >out 2>err &&
	test_grep "^fatal: the credential_process of profile .v2. printed no \"Version\": 1" err &&
	no_secret err &&
	test_expect_code 128 bare env AWS_PROFILE=junk \
		quire list s3://creds/reg >out 2>err &&
	test_grep "^fatal: the credential_process of profile .junk. did not print a JSON object" err &&
	no_secret err &&
	test_expect_code 128 bare env AWS_PROFILE=unclosed \
		quire list s3://creds/reg >out 2>err &&
	test_grep "^fatal: the credential_process of profile .unclosed. is not a command line" err &&
	test_expect_code 128 bare env AWS_PROFILE=missing \
		quire list s3://creds/reg >out 2>err &&
	test_grep "^fatal: .*no-such-program" err &&
	test_expect_code 128 bare env AWS_PROFILE=old \
		quire list s3://creds/reg >out 2>err &&
	test_grep "^fatal: the AWS credentials from profile .old. (credential_process) have expired$" err
'

test_expect_success 'assume role: role_arn + source_profile, signed by quire' '
	role_profiles </dev/null &&
	bare env AWS_PROFILE=reader AWS_ENDPOINT_URL_STS=$EP/sts \
		quire list s3://creds/reg >out 2>err &&
	listed &&
	echo "sts AssumeRole $ROLE by AKIDSOURCE ok" >expect &&
	test_cmp expect "$EP_LOG" &&
	no_secret err
'

test_expect_success 'assume role: a chain of roles, each signed by the last; --verbose shows no secret' '
	role_profiles <<-EOF &&
	[profile writer]
	role_arn = $ROLE2
	source_profile = reader
	role_session_name = nightly
	EOF
	bare env AWS_PROFILE=writer AWS_ENDPOINT_URL_STS=$EP/sts \
		quire --verbose list s3://creds/reg >out 2>err &&
	listed &&
	test_grep "^s3: GET s3://creds/" err &&
	no_secret err &&
	cat >expect <<-EOF &&
	sts AssumeRole $ROLE by AKIDSOURCE ok
	sts AssumeRole $ROLE2 by test:tester ok
	EOF
	test_cmp expect "$EP_LOG"
'

test_expect_success 'assume role: the STS endpoint from a services section' '
	role_profiles <<-EOF &&
	[profile svc]
	role_arn = $ROLE
	source_profile = src
	services = local
	[services local]
	sts =
	  endpoint_url = $EP/sts
	EOF
	bare env AWS_PROFILE=svc quire list s3://creds/reg >out 2>err &&
	listed &&
	test_grep "^sts AssumeRole $ROLE by AKIDSOURCE ok" "$EP_LOG"
'

test_expect_success 'assume role: credential_source EcsContainer' '
	profiles <<-EOF &&
	[profile reader]
	role_arn = $ROLE
	credential_source = EcsContainer
	EOF
	bare env AWS_PROFILE=reader AWS_ENDPOINT_URL_STS=$EP/sts \
		AWS_CONTAINER_CREDENTIALS_FULL_URI=$EP/ecs/v2 \
		AWS_CONTAINER_AUTHORIZATION_TOKEN=the-ecs-token \
		quire list s3://creds/reg >out 2>err &&
	listed &&
	cat >expect <<-EOF &&
	ecs /ecs/v2 ok
	sts AssumeRole $ROLE by test:tester ok
	EOF
	test_cmp expect "$EP_LOG"
'

test_expect_success 'assume role: credential_source Ec2InstanceMetadata' '
	profiles <<-EOF &&
	[profile reader]
	role_arn = $ROLE
	credential_source = Ec2InstanceMetadata
	EOF
	bare env AWS_PROFILE=reader AWS_ENDPOINT_URL_STS=$EP/sts \
		AWS_EC2_METADATA_DISABLED=false \
		AWS_EC2_METADATA_SERVICE_ENDPOINT=$EP \
		quire list s3://creds/reg >out 2>err &&
	listed &&
	cat >expect <<-EOF &&
	imds token ok
	imds role ok
	imds credentials ok
	sts AssumeRole $ROLE by test:tester ok
	EOF
	test_cmp expect "$EP_LOG" &&
	test_expect_code 128 bare env AWS_PROFILE=reader \
		AWS_ENDPOINT_URL_STS=$EP/sts quire list s3://creds/reg >out 2>err &&
	test_grep "^fatal: profile .reader.: credential_source Ec2InstanceMetadata has no credentials here" err
'

test_expect_success 'assume role: a wrong source key, a loop, no source' '
	profiles <<-EOF &&
	[profile src]
	aws_access_key_id = AKIDSOURCE
	aws_secret_access_key = not-the-secret
	[profile reader]
	role_arn = $ROLE
	source_profile = src
	[profile a]
	role_arn = $ROLE
	source_profile = b
	[profile b]
	role_arn = $ROLE2
	source_profile = a
	[profile lonely]
	role_arn = $ROLE
	[profile ghost]
	role_arn = $ROLE
	source_profile = nobody
	EOF
	test_expect_code 128 bare env AWS_PROFILE=reader \
		AWS_ENDPOINT_URL_STS=$EP/sts quire list s3://creds/reg >out 2>err &&
	test_grep "^fatal: STS AssumeRole of role .$ROLE. failed: HTTP 403 AccessDenied (bad signature)" err &&
	test_grep -v not-the-secret err &&
	test_expect_code 128 bare env AWS_PROFILE=a \
		AWS_ENDPOINT_URL_STS=$EP/sts quire list s3://creds/reg >out 2>err &&
	test_grep "^fatal: source_profile loop: .a. -> .b. -> .a.$" err &&
	test_expect_code 128 bare env AWS_PROFILE=lonely \
		AWS_ENDPOINT_URL_STS=$EP/sts quire list s3://creds/reg >out 2>err &&
	test_grep "^fatal: profile .lonely. sets role_arn without source_profile" err &&
	test_expect_code 128 bare env AWS_PROFILE=ghost \
		AWS_ENDPOINT_URL_STS=$EP/sts quire list s3://creds/reg >out 2>err &&
	test_grep "^fatal: source_profile .nobody. not found in" err
'

# sso_cache KEY TOKEN EXPIRES: the token "aws sso login" would leave.
sso_cache () {
	mkdir -p "$HOME/.aws/sso/cache" &&
	name=$(printf "%s" "$1" | sha1sum | cut -d" " -f1) &&
	printf "{\"startUrl\": \"https://d-1234.awsapps.com/start\", \"region\": \"eu-west-1\", \"accessToken\": \"%s\", \"expiresAt\": \"%s\"}\n" \
		"$2" "$3" >"$HOME/.aws/sso/cache/$name.json"
}

test_expect_success 'SSO: an sso-session and the cached token' '
	profiles <<-EOF &&
	[profile dev]
	sso_session = corp
	sso_account_id = 111122223333
	sso_role_name = ReadOnly
	[sso-session corp]
	sso_start_url = https://d-1234.awsapps.com/start
	sso_region = eu-west-1
	EOF
	sso_cache corp the-sso-access-token "$EXPIRES" &&
	bare env AWS_PROFILE=dev AWS_ENDPOINT_URL_SSO=$EP/sso \
		quire list s3://creds/reg >out 2>err &&
	listed &&
	echo "sso GetRoleCredentials 111122223333 ReadOnly ok" >expect &&
	test_cmp expect "$EP_LOG"
'

test_expect_success 'SSO: a legacy profile (sso_start_url), its cache key' '
	profiles <<-EOF &&
	[default]
	sso_start_url = https://d-9999.awsapps.com/start
	sso_region = eu-west-1
	sso_account_id = 444455556666
	sso_role_name = Admin
	EOF
	sso_cache https://d-9999.awsapps.com/start the-sso-access-token \
		"$EXPIRES" &&
	bare env AWS_ENDPOINT_URL_SSO=$EP/sso \
		quire list s3://creds/reg >out 2>err &&
	listed &&
	test_grep "^sso GetRoleCredentials 444455556666 Admin ok" "$EP_LOG"
'

test_expect_success 'SSO: expired, missing and refused tokens: run aws sso login' '
	profiles <<-EOF &&
	[profile dev]
	sso_session = corp
	sso_account_id = 111122223333
	sso_role_name = ReadOnly
	[profile other]
	sso_session = elsewhere
	sso_account_id = 111122223333
	sso_role_name = ReadOnly
	[sso-session corp]
	sso_start_url = https://d-1234.awsapps.com/start
	sso_region = eu-west-1
	[sso-session elsewhere]
	sso_start_url = https://d-5678.awsapps.com/start
	sso_region = eu-west-1
	EOF
	sso_cache corp the-sso-access-token 2020-01-01T00:00:00Z &&
	test_expect_code 128 bare env AWS_PROFILE=dev \
		AWS_ENDPOINT_URL_SSO=$EP/sso quire list s3://creds/reg >out 2>err &&
	test_grep "^fatal: an expired SSO token for profile .dev. (.*/.aws/sso/cache/[0-9a-f]*\.json); run .aws sso login --profile dev.$" err &&
	test_must_be_empty "$EP_LOG" &&
	test_expect_code 128 bare env AWS_PROFILE=other \
		AWS_ENDPOINT_URL_SSO=$EP/sso quire list s3://creds/reg >out 2>err &&
	test_grep "^fatal: no cached SSO token for profile .other." err &&
	sso_cache corp stale-token "$EXPIRES" &&
	test_expect_code 128 bare env AWS_PROFILE=dev \
		AWS_ENDPOINT_URL_SSO=$EP/sso quire list s3://creds/reg >out 2>err &&
	test_grep "^fatal: the SSO portal refused the cached token of profile .dev. (HTTP 401); run .aws sso login --profile dev.$" err &&
	test_grep -v stale-token err
'

test_expect_success 'ECS: full URI with a token, or a token file' '
	profiles </dev/null &&
	bare env AWS_CONTAINER_CREDENTIALS_FULL_URI=$EP/ecs/creds \
		AWS_CONTAINER_AUTHORIZATION_TOKEN=the-ecs-token \
		quire list s3://creds/reg >out 2>err &&
	listed &&
	echo "ecs /ecs/creds ok" >expect &&
	test_cmp expect "$EP_LOG" &&
	echo the-ecs-token >ecs-token &&
	bare env AWS_CONTAINER_CREDENTIALS_FULL_URI=$EP/ecs/creds \
		AWS_CONTAINER_AUTHORIZATION_TOKEN=wrong \
		AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE="$PWD/ecs-token" \
		quire list s3://creds/reg >out 2>err &&
	listed
'

test_expect_success 'ECS: a wrong token; a full URI that is not loopback' '
	test_expect_code 128 bare env AWS_CONTAINER_CREDENTIALS_FULL_URI=$EP/ecs/creds \
		AWS_CONTAINER_AUTHORIZATION_TOKEN=wrong-token \
		quire list s3://creds/reg >out 2>err &&
	test_grep "^fatal: the container credentials endpoint answered HTTP 401" err &&
	test_grep -v wrong-token err &&
	test_expect_code 128 bare env \
		AWS_CONTAINER_CREDENTIALS_FULL_URI=http://192.0.2.1/creds \
		quire list s3://creds/reg >out 2>err &&
	test_grep "^fatal: AWS_CONTAINER_CREDENTIALS_FULL_URI must be https, or http to a loopback address" err
'

test_expect_success 'IMDSv2: token, role, credentials' '
	profiles </dev/null &&
	bare env AWS_EC2_METADATA_DISABLED=false \
		AWS_EC2_METADATA_SERVICE_ENDPOINT=$EP \
		quire list s3://creds/reg >out 2>err &&
	listed &&
	cat >expect <<-\EOF &&
	imds token ok
	imds role ok
	imds credentials ok
	EOF
	test_cmp expect "$EP_LOG"
'

test_expect_success 'IMDSv2: an instance without a role' '
	ep_config testing "$EXPIRES" "" &&
	test_expect_code 128 bare env AWS_EC2_METADATA_DISABLED=false \
		AWS_EC2_METADATA_SERVICE_ENDPOINT=$EP \
		quire list s3://creds/reg >out 2>err &&
	test_grep "^fatal: EC2 instance metadata at $EP names no IAM role" err &&
	ep_config
'

test_expect_success 'temporary credentials are kept, and got again near expiry' '
	profiles </dev/null &&
	bare env AWS_CONTAINER_CREDENTIALS_FULL_URI=$EP/ecs/creds \
		AWS_CONTAINER_AUTHORIZATION_TOKEN=the-ecs-token \
		quire list s3://creds/reg >out 2>err &&
	test_line_count = 1 "$EP_LOG" &&
	ep_config testing "$(date -u -d "+2 minutes" +%Y-%m-%dT%H:%M:%SZ)" &&
	: >"$EP_LOG" &&
	bare env AWS_CONTAINER_CREDENTIALS_FULL_URI=$EP/ecs/creds \
		AWS_CONTAINER_AUTHORIZATION_TOKEN=the-ecs-token \
		quire list s3://creds/reg >out 2>err &&
	listed &&
	grep -c "^ecs /ecs/creds ok" "$EP_LOG" >n &&
	test "$(cat n)" -ge 2 &&
	ep_config
'

test_expect_success 'keys the server refuses: the error names their source' '
	ep_config wrong-secret &&
	test_expect_code 128 bare env AWS_CONTAINER_CREDENTIALS_FULL_URI=$EP/ecs/creds \
		AWS_CONTAINER_AUTHORIZATION_TOKEN=the-ecs-token \
		QUIRE_S3_ATTEMPTS=1 quire list s3://creds/reg >out 2>err &&
	test_grep "403.*check the AWS credentials (from ECS container credentials)" err &&
	test_grep -v wrong-secret err &&
	ep_config
'

test_expect_success 'the environment comes first; then web identity, then the profile' '
	profiles <<-EOF &&
	[default]
	credential_process = "$PWD/bin dir/cred proc" fail
	EOF
	quire list s3://creds/reg >out 2>err &&
	listed &&
	bare env AWS_WEB_IDENTITY_TOKEN_FILE="$PWD/oidc" AWS_ROLE_ARN=$ROLE \
		AWS_ENDPOINT_URL_STS=$EP/sts \
		quire list s3://creds/reg >out 2>err &&
	listed &&
	test_grep "^sts AssumeRoleWithWebIdentity" "$EP_LOG"
'

test_done
