# lib-serve-http.sh: check what 'quire serve' answers, over HTTP with
# curl. Source it after test-lib.sh and lib-serve.sh:
#
#	. ./test-lib.sh
#	. "$TEST_DIRECTORY/lib-serve.sh"
#	. "$TEST_DIRECTORY/lib-serve-http.sh"
#
# Needs curl and /usr/bin/python3 (the script is skipped without them).
# Pages and answers go into files of the trash directory; PATHs are
# URL paths without their leading slash, as serve_get takes them.
# t/helper/serve-check.py checks headers and bodies ($CHECK answer),
# reads the HTML ($CHECK select/lint/join) and compares JSON ($CHECK
# json-eq).

if ! command -v curl >/dev/null 2>&1 || ! test -x /usr/bin/python3
then
	skip_all='curl and /usr/bin/python3 are needed'
	test_done
fi

PY=/usr/bin/python3
CHECK="$PY $TEST_DIRECTORY/helper/serve-check.py"

# hdr HEADERS NAME: the values of header NAME in the HEADERS file that
# curl -D wrote, one a line.
hdr () {
	tr -d '\r' <"$1" | sed -n "s/^$2: *//Ip"
}

# check_headers HEADERS [KIND [BODY STATUS [--top]]]: the headers every
# answer carries (Content-Security-Policy exactly as the catalog's
# contract gives it, X-Content-Type-Options: nosniff); with KIND html
# or json, the Content-Type and body of that kind (see serve-check.py
# answer). One Python, not a pipeline a header: this machine may be
# loaded, and a script checks hundreds of answers.
check_headers () {
	$CHECK answer "$1" "${2:-any}" "${3:-/dev/null}" "${4:-200}" $5
}

# get PATH FILE [STATUS [KIND]]: GET PATH (no leading slash), the answer
# in FILE and its headers in FILE.h; it must have status STATUS (200)
# and the headers check_headers checks for KIND (any).
get () {
	got=$(serve_get "$1" "$2")
	if test "$got" != "${3:-200}"
	then
		echo "error: GET /$1 answered $got, expected ${3:-200}:"
		cat "$2.h" 2>/dev/null
		head -c 2000 "$2" 2>/dev/null
		echo
		return 1
	fi
	case "$4,$1" in
	html,|html,"?"*) check_headers "$2.h" html "$2" "${3:-200}" --top ;;
	*) check_headers "$2.h" "${4:-any}" "$2" "${3:-200}" ;;
	esac
}

# ctype HEADERS REGEX: the one Content-Type matches the extended REGEX
# (anchored, case-insensitive).
ctype () {
	hdr "$1" content-type >ctype.got &&
	test_line_count = 1 ctype.got &&
	if ! grep -Eqix "$2" ctype.got
	then
		echo "error: Content-Type $(cat ctype.got), expected $2"
		return 1
	fi
}

# page PATH FILE [STATUS]: an HTML page (text/html; charset=utf-8),
# checked against the contract every page keeps (one h1, crumbs, main,
# no inline script or style; see serve-check.py lint).
page () {
	get "$1" "$2" "${3:-200}" html
}

# api PATH FILE [STATUS]: a JSON answer (application/json); an error is
# {"error": "..."}.
api () {
	get "$1" "$2" "${3:-200}" json
}

# status METHOD PATH [CURL OPTIONS...]: print the status of a request.
status () {
	st_method=$1
	st_path=$2
	shift 2
	curl -s --path-as-is -X "$st_method" -o st.body -D st.h \
		-w '%{http_code}' "$@" "$SERVE_URL$st_path"
}

# expect_status CODES METHOD PATH [CURL OPTIONS...]: the status is one
# of CODES ("404" or "400|404"), with the security headers, and the
# body holds nothing of /etc/passwd.
expect_status () {
	es_codes=$1
	shift
	es_got=$(status "$@")
	case "|$es_codes|" in
	*"|$es_got|"*) ;;
	*)
		echo "error: $1 /$2 answered $es_got, expected $es_codes:"
		cat st.h
		head -c 2000 st.body
		echo
		return 1
		;;
	esac
	check_headers st.h &&
	if grep -q "root:.*:0:0:" st.body
	then
		echo "error: $1 /$2 answered /etc/passwd"
		return 1
	fi
}

# batch CODES KIND METHOD PATH... [-- CURL OPTIONS...]: METHOD each PATH
# (as it is: curl --path-as-is), all with one curl; each answer must
# have a status among CODES ("404" or "400|404"), the headers every
# answer carries, a Content-Type and body of KIND (html, json or any;
# pages are not linted) and nothing of /etc/passwd. Bodies in
# batch.N, statuses in batch.codes.
batch () {
	b_codes=$1
	b_kind=$2
	b_method=$3
	shift 3
	rm -f batch.* &&
	: >batch.paths &&
	b_n=0 &&
	b_set=
	for b_p
	do
		shift
		test "$b_p" = -- && break
		printf "%s\n" "$b_p" >>batch.paths
		b_n=$((b_n + 1))
	done
	# "$@" is left with the curl options; the URLs and their files
	# follow them.
	b_i=0
	while read -r b_p
	do
		b_i=$((b_i + 1))
		set -- "$@" -o batch.$b_i "$SERVE_URL$b_p"
		b_set="$b_set batch.$b_i"
	done <batch.paths
	curl -s --path-as-is -X "$b_method" -D batch.h \
		-w "%{http_code}\n" "$@" >batch.codes
	$CHECK batch "$b_codes" "$b_kind" batch.h batch.codes batch.paths $b_set
}

# follow PAGE_PATH HREF FILE [page|api|raw]: GET the link HREF found on
# the page at PAGE_PATH.
follow () {
	case "$2" in
	/[!/]*) fl_path=${2#/} ;;
	*) fl_path=$($CHECK join "/$1" "$2") ;;
	esac &&
	case "${4:-page}" in
	page) page "$fl_path" "$3" ;;
	*) get "$fl_path" "$3" ;;
	esac
}

# sel FILE SELECTOR [WHAT]: see t/helper/serve-check.py.
sel () {
	$CHECK select "$@"
}

# one_sel FILE SELECTOR [WHAT]: the one match, printed.
one_sel () {
	sel "$@" >one.sel &&
	test_line_count = 1 one.sel &&
	cat one.sel
}

# same_sel FILE SELECTOR [WHAT]: one or more matches, all the same (a
# pager above and below a table), printed once.
same_sel () {
	sel "$@" | sort -u >one.sel &&
	test_line_count = 1 one.sel &&
	cat one.sel
}

# json_eq EXPECTED ACTUAL [--drop MEMBER]
json_eq () {
	$CHECK json-eq "$@"
}

# jq_py FILE EXPR: print the Python expression EXPR of the JSON in FILE
# (as d).
jq_py () {
	$PY -c "import json, sys
d = json.load(open(sys.argv[1], encoding='utf-8'))
r = $2
print(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False))" "$1"
}

# pct STRING: STRING percent-encoded as one path segment of a URL,
# slashes kept.
pct () {
	$PY -c "import sys, urllib.parse
print(urllib.parse.quote(sys.argv[1], safe='/'))" "$1"
}

# short FILE: the first 12 hex digits of the hash in FILE.
short () {
	cut -c1-12 "$1"
}

# meta_is WANT GOT: the metadata a page shows (GOT, its text) is the
# JSON in WANT: the user metadata, or the whole meta object holding it.
meta_is () {
	$PY - "$@" <<-\EOF
	import json, sys
	want = json.load(open(sys.argv[1], encoding="utf-8"))
	got = json.load(open(sys.argv[2], encoding="utf-8"))
	if got != want and not (isinstance(got, dict)
	                        and got.get("user_meta") == want):
	    sys.exit("metadata shown: %r, expected %r" % (got, want))
	EOF
}

# serve_line_is URLFILE: serve-out is the one line that says the
# registry URL in URLFILE and the URL of the server, $SERVE_URL.
serve_line_is () {
	sed -n "s|^serving \(.*\) at http://127\.0\.0\.1:[0-9][0-9]*/\$|\1|p" \
		serve-out >line.reg &&
	test_cmp "$1" line.reg &&
	test "$SERVE_URL" = "$(sed "s/.* at //" serve-out)"
}

# entry_of LSJSON KEY: the entry object of KEY in a quire ls --json
# output; fails when there is none.
entry_of () {
	$PY - "$@" <<-\EOF
	import json, sys
	for e in json.load(open(sys.argv[1], encoding="utf-8"))["entries"]:
	    if e["logical_key"] == sys.argv[2]:
	        print(json.dumps(e, ensure_ascii=False))
	        sys.exit(0)
	sys.exit("no entry %r in %s" % (sys.argv[2], sys.argv[1]))
	EOF
}
