#!/bin/sh
test_description='a password in a URL is never printed'
. ./test-lib.sh

# The trash directory lies inside quire's own git repository: git must
# not find it from here.
GIT_CEILING_DIRECTORIES=$(pwd -P)
export GIT_CEILING_DIRECTORIES

PW=s3cr3tPW

# A registry URL of each kind, with a password or a token in it.
S3_URL="s3://alice:$PW@bucket/x"
FILE_URL="file://alice:$PW@host.example/srv/x"
HTTPS_URL="https://alice:$PW@host.example/x"
TOKEN_URL="https://$PW@host.example/x"

# hidden [SHOWN]: out and err (a command's stdout and stderr) do not
# hold the password; err shows SHOWN, the URL's user name (or, for a
# token, "<redacted>") and host.
hidden () {
	test_grep -v "$PW" out &&
	test_grep -v "$PW" err &&
	{ test -z "$1" || test_grep "$1" err; }
}

# each_url CMD...: run the quire command CMD once for each URL, the URL
# in place of the word URL; each must fail and keep the password hidden.
each_url () {
	for u in "$S3_URL" "$FILE_URL" "$HTTPS_URL" "$TOKEN_URL"
	do
		case "$u" in
		"$S3_URL") shown="alice:<redacted>@bucket" ;;
		"$TOKEN_URL") shown="<redacted>@host.example" ;;
		*) shown="alice:<redacted>@host.example" ;;
		esac
		set_url=
		for a in "$@"
		do
			case "$a" in
			*URL*) a=${a%%URL*}$u${a#*URL} ;;
			esac
			set_url="$set_url '$a'"
		done
		eval "test_must_fail $set_url" >out 2>err &&
		hidden "$shown" || return 1
	done
}

test_expect_success 'setup: a package in the default registry' '
	mkdir w &&
	echo a >w/a.txt &&
	quire -C w init -q ns/p &&
	quire -C w add -q a.txt &&
	quire -C w commit -q -m one >top &&
	quire -C w push -q >/dev/null
'

test_expect_success '--registry: ls, log, cat, list' '
	each_url quire ls --registry URL ns/p &&
	each_url quire log --registry URL ns/p &&
	each_url quire cat --registry URL ns/p a.txt &&
	each_url quire list URL
'

test_expect_success 'install --registry' '
	each_url quire install --registry URL --to inst ns/p &&
	test_path_is_missing inst
'

test_expect_success 'push <registry>' '
	each_url quire -C w push URL &&
	each_url quire -C w push-manifest URL
'

test_expect_success 'commit --parent' '
	echo b >w/b.txt &&
	quire -C w add -q b.txt &&
	each_url quire -C w commit -m two --parent "URL#ns/p"
'

test_expect_success 'lineage: a registry named, and one only in the revision' '
	each_url quire lineage --registry URL ns/p &&
	each_url quire lineage "URL#ns/p" &&
	each_url quire lineage "quilt+URL#package=ns/p"
'

test_expect_success 'a URL quoted where no URL is expected (the reporter)' '
	each_url quire -C w rev-parse URL &&
	each_url quire lineage URL &&
	each_url quire --registry=URL list &&
	each_url quire ls --no-such-option=URL ns/p
'

test_expect_success 'a message cut to fit does not end in a password' '
	long=$(printf "%4063s" "" | tr " " x) &&
	test_must_fail quire -C w rev-parse "${long}s3://alice:$PW@b" \
		>out 2>err &&
	test_grep "^fatal: unknown revision .xxx*s3://$" err &&
	test_grep -v "alice:s3" err
'

test_expect_success 'an s3:// URL with credentials says where they belong' '
	test_must_fail quire ls --registry "$S3_URL" ns/p 2>err &&
	test_grep "AWS_ACCESS_KEY_ID" err &&
	test_grep -v "$PW" err
'

test_expect_success 'lineage: recorded registry, source and inputs' '
	printf "{\"version\": \"v0\", \"provenance\": {\"source\": {\"url\": \"%s\"}, \"inputs\": [{\"url\": \"%s\"}], \"environment\": {\"DB\": \"%s\"}, \"parents\": [{\"name\": \"ns/x\", \"registry\": \"%s\", \"top_hash\": \"%s\"}, {\"name\": \"ns/y\", \"registry\": \"%s\", \"top_hash\": \"%s\"}]}}\n" \
		"$HTTPS_URL" "$TOKEN_URL" "postgres://alice:$PW@db.example/d" \
		"$S3_URL" "$(cat top)" "$FILE_URL" "$(cat top)" >crafted.jsonl &&
	quire -C w write-manifest ../crafted.jsonl >x &&
	quire -C w lineage "$(cat x)" >out 2>err &&
	test_grep -v "$PW" out &&
	test_grep -v "$PW" err &&
	test_grep "ns/x@.* s3://alice:<redacted>@bucket/x (unavailable" out &&
	test_grep "ns/y@.* file://alice:<redacted>@host.example/srv/x" out &&
	test_grep "source: https://alice:<redacted>@host.example/x" out &&
	test_grep "input: https://<redacted>@host.example/x" out &&
	test_grep "env: DB=postgres://alice:<redacted>@db.example/d" out &&
	quire -C w lineage --json "$(cat x)" >out 2>err &&
	test_grep -v "$PW" out &&
	test_grep -v "$PW" err &&
	test_grep "s3://alice:<redacted>@bucket/x" out
'

test_expect_success 'remote -v and remote add' '
	quire -C w remote add origin "$S3_URL" &&
	quire -C w remote add other "$FILE_URL" &&
	quire -C w remote -v >out 2>err &&
	hidden &&
	test_grep "^origin	s3://alice:<redacted>@bucket/x$" out &&
	test_grep "^other	file://alice:<redacted>@host.example/srv/x$" out &&
	test_must_fail quire -C w remote add bad "$HTTPS_URL" >out 2>err &&
	hidden "alice:<redacted>@host.example"
'

test_expect_success 'config: a stored URL is shown back redacted, kept as given' '
	quire -C w config --list >out 2>err &&
	hidden &&
	test_grep "^remote.origin.url=s3://alice:<redacted>@bucket/x$" out &&
	quire -C w config remote.other.url >out 2>err &&
	hidden &&
	echo "file://alice:<redacted>@host.example/srv/x" >expect &&
	test_cmp expect out &&
	quire config --global remote.g.url "$TOKEN_URL" &&
	quire config --global --list >out 2>err &&
	hidden &&
	test_grep "^remote.g.url=https://<redacted>@host.example/x$" out &&
	grep -q "$PW" w/.quire/config &&
	grep -q "$PW" "$XDG_CONFIG_HOME/quire/config"
'

test_expect_success 'a remote holding credentials: its URL is hidden in errors' '
	test_must_fail quire -C w push origin >out 2>err &&
	hidden "alice:<redacted>@bucket" &&
	test_must_fail quire -C w ls --registry other ns/p >out 2>err &&
	hidden "alice:<redacted>@host.example" &&
	test_must_fail quire -C w lineage ns/p >out 2>err &&
	hidden "alice:<redacted>@bucket"
'

test_expect_success '--verbose: no credentials in the request log' '
	AWS_ACCESS_KEY_ID=AKIDEXAMPLE &&
	AWS_SECRET_ACCESS_KEY=$PW &&
	AWS_EC2_METADATA_DISABLED=true &&
	QUIRE_S3_ATTEMPTS=1 &&
	export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY \
		AWS_EC2_METADATA_DISABLED QUIRE_S3_ATTEMPTS &&
	test_must_fail env AWS_ENDPOINT_URL=http://127.0.0.1:1 \
		quire --verbose ls --registry s3://bucket/x ns/p >out 2>err &&
	test_grep "^s3: GET s3://bucket/" err &&
	test_grep -v "$PW" err &&
	test_must_fail env AWS_ENDPOINT_URL=http://127.0.0.1:1 \
		quire --verbose ls --registry "$S3_URL" ns/p >out 2>err &&
	hidden "alice:<redacted>@bucket" &&
	test_must_fail env AWS_ENDPOINT_URL="http://alice:$PW@127.0.0.1:1" \
		quire --verbose ls --registry s3://bucket/x ns/p >out 2>err &&
	test_grep -v "$PW" out &&
	test_grep -v "$PW" err &&
	test_grep "endpoint" err
'

test_done
