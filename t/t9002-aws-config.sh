#!/bin/sh

test_description='AWS credentials and settings are found as the AWS CLI finds them

test-tool aws-config prints what aws_settings_load() found: the key id,
whether a secret and a token are set (never their values), the region,
the endpoint, the profile and where the keys came from.'

. ./test-lib.sh

CONF=$HOME/.aws/config
CREDS=$HOME/.aws/credentials
SECRET=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY

# expect_settings KEY_ID SECRET TOKEN REGION ENDPOINT PROFILE FROM
expect_settings () {
	printf "key_id=%s\nsecret=%s\ntoken=%s\nregion=%s\nendpoint=%s\n" \
		"$1" "$2" "$3" "$4" "$5" >expect &&
	printf "profile=%s\nfrom=%s\n" "$6" "$7" >>expect
}

# no_files: remove both files
no_files () {
	rm -f "$CONF" "$CREDS"
}

test_expect_success 'nothing set: no keys, us-east-1, AWS itself' '
	test-tool aws-config >out &&
	expect_settings "" unset unset us-east-1 "" default "" &&
	test_cmp expect out
'

test_expect_success 'keys from the environment' '
	env AWS_ACCESS_KEY_ID=AKIDENV AWS_SECRET_ACCESS_KEY="$SECRET" \
		test-tool aws-config >out &&
	expect_settings AKIDENV set unset us-east-1 "" default environment &&
	test_cmp expect out &&
	env AWS_ACCESS_KEY_ID=test:tester AWS_SECRET_ACCESS_KEY=testing \
		AWS_SESSION_TOKEN=tok test-tool aws-config >out &&
	expect_settings test:tester set set us-east-1 "" default environment &&
	test_cmp expect out
'

test_expect_success 'empty variables count as unset' '
	env AWS_ACCESS_KEY_ID= AWS_SECRET_ACCESS_KEY= AWS_REGION= \
		AWS_PROFILE= test-tool aws-config >out &&
	expect_settings "" unset unset us-east-1 "" default "" &&
	test_cmp expect out
'

test_expect_success 'setup files with several profiles' '
	mkdir -p "$HOME/.aws" &&
	cat >"$CREDS" <<-EOF &&
	[default]
	aws_access_key_id = AKIDCREDDEFAULT
	aws_secret_access_key = $SECRET

	[work]
	aws_access_key_id = AKIDCREDWORK
	aws_secret_access_key = $SECRET
	aws_session_token = credtoken

	[profile work]
	aws_access_key_id = AKIDWRONG
	aws_secret_access_key = $SECRET
	EOF
	cat >"$CONF" <<-EOF
	[default]
	region = eu-west-1
	aws_access_key_id = AKIDCONFDEFAULT
	aws_secret_access_key = $SECRET

	[work]
	region = wrong-1
	aws_access_key_id = AKIDWRONG
	aws_secret_access_key = $SECRET

	[profile work]
	region = us-west-2
	aws_access_key_id = AKIDCONFWORK
	aws_secret_access_key = $SECRET
	aws_session_token = conftoken

	[profile confonly]
	region = ap-south-1
	aws_access_key_id = AKIDCONFONLY
	aws_secret_access_key = $SECRET
	aws_session_token = conftoken

	[profile nokeys]
	region = sa-east-1
	EOF
'

test_expect_success 'the credentials file beats the config file' '
	test-tool aws-config >out &&
	expect_settings AKIDCREDDEFAULT set unset eu-west-1 "" default \
		"credentials file" &&
	test_cmp expect out
'

test_expect_success 'the environment beats the files' '
	env AWS_ACCESS_KEY_ID=AKIDENV AWS_SECRET_ACCESS_KEY="$SECRET" \
		test-tool aws-config >out &&
	expect_settings AKIDENV set unset eu-west-1 "" default environment &&
	test_cmp expect out
'

test_expect_success 'AWS_PROFILE: [profile x] in config, [x] in credentials' '
	env AWS_PROFILE=work test-tool aws-config >out &&
	expect_settings AKIDCREDWORK set set us-west-2 "" work \
		"credentials file" &&
	test_cmp expect out
'

test_expect_success 'keys come from one place: no token from another' '
	env AWS_PROFILE=confonly test-tool aws-config >out &&
	expect_settings AKIDCONFONLY set set ap-south-1 "" confonly \
		"config file" &&
	test_cmp expect out &&
	cat >>"$CREDS" <<-EOF &&
	[confonly]
	aws_access_key_id = AKIDCREDONLY
	aws_secret_access_key = $SECRET
	EOF
	env AWS_PROFILE=confonly test-tool aws-config >out &&
	expect_settings AKIDCREDONLY set unset ap-south-1 "" confonly \
		"credentials file" &&
	test_cmp expect out
'

test_expect_success 'a profile without keys means unsigned requests' '
	env AWS_PROFILE=nokeys test-tool aws-config >out &&
	expect_settings "" unset unset sa-east-1 "" nokeys "" &&
	test_cmp expect out
'

test_expect_success 'AWS_DEFAULT_PROFILE, and AWS_PROFILE before it' '
	env AWS_DEFAULT_PROFILE=work test-tool aws-config >out &&
	test_grep "^key_id=AKIDCREDWORK$" out &&
	test_grep "^profile=work$" out &&
	env AWS_DEFAULT_PROFILE=work AWS_PROFILE=confonly \
		test-tool aws-config >out &&
	test_grep "^profile=confonly$" out
'

test_expect_success 'a named profile that does not exist is an error' '
	test_fatal 128 env AWS_PROFILE=nosuch test-tool aws-config >out &&
	test_grep "profile .nosuch. not found" err &&
	test_grep "$CONF" err &&
	test_must_be_empty out &&
	test_fatal 128 env AWS_DEFAULT_PROFILE=nosuch test-tool aws-config &&
	test_grep "nosuch" err
'

test_expect_success 'a named profile must exist even with keys in the environment' '
	test_fatal 128 env AWS_PROFILE=nosuch AWS_ACCESS_KEY_ID=AKIDENV \
		AWS_SECRET_ACCESS_KEY="$SECRET" test-tool aws-config &&
	test_grep "nosuch" err
'

test_expect_success 'an explicit "default" must exist; the implicit one need not' '
	(
		CONF=$HOME/none/config &&
		AWS_CONFIG_FILE=$CONF &&
		AWS_SHARED_CREDENTIALS_FILE=$HOME/none/credentials &&
		export AWS_CONFIG_FILE AWS_SHARED_CREDENTIALS_FILE &&
		test-tool aws-config >out &&
		test_grep "^profile=default$" out &&
		test_fatal 128 env AWS_PROFILE=default test-tool aws-config &&
		test_grep "profile .default. not found" err
	)
'

test_expect_success 'only one of the key id and the secret is an error' '
	test_fatal 128 env AWS_ACCESS_KEY_ID=AKIDENV test-tool aws-config &&
	test_grep "AWS_SECRET_ACCESS_KEY is not" err &&
	test_fatal 128 env AWS_SECRET_ACCESS_KEY="$SECRET" \
		test-tool aws-config >out &&
	test_grep "AWS_ACCESS_KEY_ID is not" err &&
	test_grep -v "$SECRET" err &&
	test_must_be_empty out &&
	cat >>"$CONF" <<-EOF &&
	[profile half]
	aws_secret_access_key = $SECRET
	[profile otherhalf]
	aws_access_key_id = AKIDHALF
	aws_secret_access_key =
	EOF
	test_fatal 128 env AWS_PROFILE=half test-tool aws-config &&
	test_grep "profile .half. in .$CONF. sets aws_secret_access_key" err &&
	test_grep -v "$SECRET" err &&
	test_fatal 128 env AWS_PROFILE=otherhalf test-tool aws-config &&
	test_grep "sets aws_access_key_id but not aws_secret_access_key" err
'

test_expect_success 'region: AWS_REGION, AWS_DEFAULT_REGION, profile, us-east-1' '
	env AWS_REGION=r1 AWS_DEFAULT_REGION=r2 test-tool aws-config >out &&
	test_grep "^region=r1$" out &&
	env AWS_DEFAULT_REGION=r2 test-tool aws-config >out &&
	test_grep "^region=r2$" out &&
	test-tool aws-config >out &&
	test_grep "^region=eu-west-1$" out &&
	env AWS_PROFILE=half AWS_ACCESS_KEY_ID=AKIDENV \
		AWS_SECRET_ACCESS_KEY="$SECRET" test-tool aws-config >out &&
	test_grep "^region=us-east-1$" out
'

test_expect_success 'setup endpoints' '
	cat >>"$CONF" <<-\EOF
	[profile ep]
	endpoint_url = http://profile:1
	s3 =
	    endpoint_url = http://nested:2
	    addressing_style = path
	[profile nested]
	s3 =
	  # a comment inside the sub-section
	  addressing_style = path

	  endpoint_url = http://nested:3
	region = eu-north-1
	EOF
'

test_expect_success 'endpoint: _S3 variable, generic variable, profile, s3 =' '
	env AWS_PROFILE=ep AWS_ENDPOINT_URL_S3=http://s3var:4 \
		AWS_ENDPOINT_URL=http://var:5 test-tool aws-config >out &&
	test_grep "^endpoint=http://s3var:4$" out &&
	env AWS_PROFILE=ep AWS_ENDPOINT_URL=http://var:5 \
		test-tool aws-config >out &&
	test_grep "^endpoint=http://var:5$" out &&
	env AWS_PROFILE=ep test-tool aws-config >out &&
	test_grep "^endpoint=http://profile:1$" out &&
	env AWS_PROFILE=nested test-tool aws-config >out &&
	test_grep "^endpoint=http://nested:3$" out &&
	test_grep "^region=eu-north-1$" out &&
	test-tool aws-config >out &&
	test_grep "^endpoint=$" out
'

test_expect_success 'comments, and values that hold # or ;' '
	cat >"$CREDS" <<-EOF &&
	# a comment
	; another one
	[default]
	    # an indented comment
	aws_access_key_id = AKID#not;a;comment
	; aws_access_key_id = AKIDCOMMENTED
	aws_secret_access_key = $SECRET
	EOF
	test-tool aws-config >out &&
	test_grep "^key_id=AKID#not;a;comment$" out
'

test_expect_success 'odd white space: tabs, CRLF, indents, no spaces, colons' '
	printf "\r\n  [  profile \t odd ]  \r\n" >"$CONF" &&
	printf "\t aws_access_key_id=AKIDODD \t\r\n" >>"$CONF" &&
	printf "\t aws_secret_access_key:%s\r\n" "$SECRET" >>"$CONF" &&
	printf "   \t \r\n" >>"$CONF" &&
	printf "REGION\t=\tus-west-1 \r\n" >>"$CONF" &&
	printf "endpoint_url = http://h:9000/path?x=1\r\n" >>"$CONF" &&
	env AWS_PROFILE=odd test-tool aws-config >out &&
	expect_settings AKIDODD set unset us-west-1 "http://h:9000/path?x=1" \
		odd "config file" &&
	test_cmp expect out
'

test_expect_success '[profile default] names the default profile too' '
	no_files &&
	printf "[profile default]\nregion = af-south-1\n" >"$CONF" &&
	test-tool aws-config >out &&
	test_grep "^region=af-south-1$" out
'

# broken NAME CONTENT LINE: a config file holding CONTENT is refused
# with an error naming the file and LINE, and nothing shows the secret.
broken () {
	no_files &&
	printf "$2" "$SECRET" >"$CONF" &&
	test_fatal 128 test-tool aws-config >out &&
	test_grep "^fatal: $CONF:$3: " err &&
	test_must_be_empty out &&
	test_grep -v "$SECRET" err &&
	test_grep -v "wJalr" err
}

test_expect_success 'broken lines name the file and the line, never a value' '
	broken no-equals "[default]\n%s\n" 2 &&
	broken no-bracket "[default]\nregion = x\n[profile y %s\n" 3 &&
	broken no-section "aws_secret_access_key = %s\n" 1 &&
	broken empty-key "[default]\n= %s\n" 2 &&
	broken text-after "[default] %s\n" 1 &&
	broken empty-section "[]\nx = %s\n" 1 &&
	broken nested-no-equals "[default]\ns3 =\n  %s\n" 3 &&
	broken continued "[default]\nregion = x\n  %s\n" 3 &&
	broken later "[default]\nregion = x\n\n[profile y]\nk = v\n%s\n" 6
'

test_expect_success 'a broken line in another profile still is an error' '
	broken elsewhere "[profile other]\nkey %s\n[default]\nregion = x\n" 2
'

test_expect_success 'an over-long line is an error, and the secret stays hidden' '
	no_files &&
	printf "[default]\naws_secret_access_key = %s" "$SECRET" >"$CREDS" &&
	test-tool genfile 70000 26 | tr "\000-\031" a-z >>"$CREDS" &&
	printf "\n" >>"$CREDS" &&
	test_fatal 128 test-tool aws-config >out &&
	test_grep "^fatal: $CREDS:2: line too long" err &&
	test_grep -v "$SECRET" err &&
	test_must_be_empty out
'

test_expect_success 'the secret never shows, whatever fails' '
	printf "[default]\naws_secret_access_key = %s\n" "$SECRET" >"$CREDS" &&
	printf "[default]\nregion = x\n" >"$CONF" &&
	test_fatal 128 test-tool aws-config >out &&
	test_grep -v "$SECRET" err &&
	env AWS_ACCESS_KEY_ID=AKIDENV AWS_SECRET_ACCESS_KEY="$SECRET" \
		AWS_SESSION_TOKEN="$SECRET" test-tool aws-config >out 2>err &&
	test_grep -v "$SECRET" out &&
	test_must_be_empty err
'

test_expect_success 'files that do not exist are skipped' '
	no_files &&
	env AWS_CONFIG_FILE="$HOME/nope/config" \
		AWS_SHARED_CREDENTIALS_FILE="$HOME/nope/credentials" \
		test-tool aws-config >out &&
	expect_settings "" unset unset us-east-1 "" default "" &&
	test_cmp expect out
'

test_expect_success 'an unreadable file is an error' '
	mkdir "$CONF" &&
	test_fatal 128 test-tool aws-config &&
	test_grep "$CONF" err &&
	rmdir "$CONF"
'

test_expect_success '"~/" in AWS_CONFIG_FILE is the home folder' '
	printf "[profile tilde]\nregion = me-south-1\n" >"$HOME/tilde-config" &&
	env AWS_CONFIG_FILE="~/tilde-config" AWS_PROFILE=tilde \
		test-tool aws-config >out &&
	test_grep "^region=me-south-1$" out
'

test_expect_success 'HOME unset: the named files are still read' '
	printf "[default]\nregion = ca-central-1\n" >"$CONF" &&
	env -u HOME test-tool aws-config >out &&
	test_grep "^region=ca-central-1$" out
'

test_expect_success 'HOME unset and no file named: environment only' '
	env -u HOME -u AWS_CONFIG_FILE -u AWS_SHARED_CREDENTIALS_FILE \
		AWS_ACCESS_KEY_ID=AKIDENV AWS_SECRET_ACCESS_KEY="$SECRET" \
		test-tool aws-config >out &&
	expect_settings AKIDENV set unset us-east-1 "" default environment &&
	test_cmp expect out &&
	env -u HOME -u AWS_CONFIG_FILE -u AWS_SHARED_CREDENTIALS_FILE \
		test-tool aws-config >out &&
	test_grep "^key_id=$" out &&
	test_fatal 128 env -u HOME -u AWS_CONFIG_FILE \
		-u AWS_SHARED_CREDENTIALS_FILE AWS_PROFILE=x test-tool aws-config &&
	test_grep "profile .x. not found" err
'

test_done
