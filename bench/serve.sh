#!/bin/sh
# The serve section of 'make bench' (BENCH_ONLY=serve): the pages of
# 'quire serve' over a big package, requests per second and p99 latency
# under wrk, on loopback. Figures, never pass/fail (the goal is printed:
# every page's p99 under 50 ms). Runs alone too:
#	QUIRE_BUILD_DIR=$PWD/build sh bench/serve.sh
#
#   BENCH_SERVE_ENTRIES   entries of the package (default 1000000);
#                         BENCH_SERVE_ENTRIES=20000 is a quick check
#   BENCH_SERVE_WIDE      children of its one wide folder (default a
#                         tenth of the entries: 100000)
#   BENCH_SERVE_DURATION  how long wrk loads each page (default 10s)
#   BENCH_SERVE_CONNS     wrk's open connections (default 16)
#   BENCH_SERVE_THREADS   wrk's threads (default 2)
#   BENCH_DIR             scratch folder (default bench/out); the package
#                         is kept in $BENCH_DIR/serve-reg for the next run,
#                         the server's HOME (its index) is made afresh in
#                         $BENCH_DIR/serve-home and removed at the end,
#                         logs stay in $BENCH_DIR/serve-logs
#
# The package (bench/serve), in a file:// registry written by
# bench_registry (bench/lib.sh): README.md at the root (real bytes,
# rendered on the version page), flat/ holding BENCH_SERVE_WIDE files,
# and train/NNNN/ folders of 1000 files each holding the rest
# (test-tool gen-manifest's names; their physical keys point nowhere,
# which no page measured here reads).
#
# 'quire serve --port 0' starts with an empty cache. The first request
# for the version page builds the version's on-disk index: its time
# (curl's time_total) is shown apart. Every page is then requested once
# more by curl (its status must be 200) before wrk loads it with
# 'wrk --latency --timeout 30s -tTHREADS -cCONNS -dDURATION' (the long
# timeout so that slow answers count in the latency, not as errors).
# The server's peak RSS is VmHWM of /proc/PID/status after the runs.
set -e
SRC=$(cd "$(dirname "$0")" && pwd)
BUILD=${QUIRE_BUILD_DIR:-$SRC/../build}
QUIRE=$BUILD/quire
TOOL=$BUILD/t/helper/test-tool
DIR=${BENCH_DIR:-$SRC/out}
ENTRIES=${BENCH_SERVE_ENTRIES:-1000000}
WIDE=${BENCH_SERVE_WIDE:-$((ENTRIES / 10))}
DURATION=${BENCH_SERVE_DURATION:-10s}
CONNS=${BENCH_SERVE_CONNS:-16}
THREADS=${BENCH_SERVE_THREADS:-2}
GOAL_MS=50
. "$SRC/lib.sh"

missing=
for f in "$QUIRE" "$TOOL"; do
	test -x "$f" || missing="$missing $f"
done
for c in wrk curl; do
	command -v $c >/dev/null 2>&1 || missing="$missing $c"
done
if test -n "$missing"; then
	echo "   bench serve: skipped, missing:$missing (make; apt-get" \
		"install wrk curl)" >&2
	exit 0
fi
if ! "$QUIRE" serve -h 2>&1 | grep -q "quire serve"; then
	echo "   bench serve: skipped, this quire has no serve command" >&2
	exit 0
fi
if test $((WIDE + 2001)) -gt "$ENTRIES"; then
	echo "   bench serve: BENCH_SERVE_ENTRIES=$ENTRIES leaves no" \
		"folder of 1000 beside $WIDE wide ones; give more" >&2
	exit 1
fi

mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd -P)
REG=$DIR/serve-reg
H=$DIR/serve-home
LOGS=$DIR/serve-logs
rm -rf "$H" "$LOGS"
mkdir -p "$REG" "$H" "$LOGS"

SPID=
cleanup () {
	test -z "$SPID" || stop $SPID
	SPID=
	rm -rf "$H"
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

# --- the package
# write_readme FILE: a README of a few KiB with what a README holds
write_readme () {
	{
		echo "# bench/serve"
		echo
		echo "A generated package of **$ENTRIES entries** for" \
			"benchmarking \`quire serve\`."
		for s in 1 2 3 4 5 6 7 8; do
			echo
			echo "## Section $s"
			echo
			echo "Images of the *training set*, split $s, as" \
				"[the paper](https://example.org/p$s) has" \
				"them; see \`train/\` and \`flat/\`."
			echo
			echo "| split | files | size |"
			echo "|-------|------:|-----:|"
			echo "| train-$s | 1000 | 25 MiB |"
			echo "| flat-$s | $WIDE | 2.5 GiB |"
			echo
			echo "- one item"
			echo "- another, with \`code\`"
			echo
			echo '```python'
			echo "import quire"
			echo "pkg = quire.Package.browse(\"bench/serve\")"
			echo '```'
		done
	} >"$1"
}

# entry_line KEY FILE: the manifest line of an entry KEY whose bytes are
# FILE, in the registry
entry_line () {
	echo "{\"logical_key\": \"$1\", \"physical_keys\":" \
		"[\"file://$2\"], \"size\": $(stat -c %s "$2"), \"hash\":" \
		"{\"type\": \"sha2-256-chunked\", \"value\":" \
		"\"$("$QUIRE" hash-object "$2")\"}, \"meta\": {}}"
}

# The folder of 1000 and the entry measured, in the middle of train/
mid=$(((WIDE + ENTRIES - 1) / 2 / 1000))
folder=train/$(printf "%04d" $mid)
key=$folder/$(printf "%08d" $((mid * 1000 + 500))).jpg

# The manifest: gen-manifest's header, README.md's entry, then
# ENTRIES - 1 generated entries, the first WIDE moved into flat/ (the
# order stays that of the logical keys: README.md, flat/, train/). Two
# entries have bytes in the registry, for the pages that read them:
# README.md, and the entry measured (64 KiB that start as a JPEG does,
# so that its preview is an image, as its name says).
m=$DIR/serve-manifest-$ENTRIES-$WIDE.jsonl
data=$REG/bench/serve/$ENTRIES-$WIDE
if ! test -s "$m" || ! test -s "$data/README.md" ||
	! test -s "$data/$key"
then
	mkdir -p "$data/$folder"
	write_readme "$data/README.md"
	{ printf '\377\330\377\340'; "$TOOL" genfile 65532; } >"$data/$key"
	entry_line README.md "$data/README.md" >"$LOGS/readme.jsonl"
	entry_line "$key" "$data/$key" >"$LOGS/entry.jsonl"
	lk='{"logical_key": "'
	"$TOOL" gen-manifest $((ENTRIES - 1)) |
	sed -e "1r $LOGS/readme.jsonl" \
		-e "2,$((WIDE + 1))s|^$lk""train/[0-9]*/|$lk""flat/|" \
		-e "\|^$lk$key\"|{" -e "r $LOGS/entry.jsonl" -e "d" -e "}" \
		>"$m.tmp"
	mv "$m.tmp" "$m"
fi
bench_registry "$m" "$REG" bench/serve
echo "== quire serve: pages of a $ENTRIES-entry package, wrk" \
	"-t$THREADS -c$CONNS -d$DURATION on loopback ($(nproc) cores)"
echo "   manifest: $(($(stat -c %s "$m") / 1048576)) MiB"

# --- the server
# start_server: 'quire serve --port 0' on the registry, its HOME fresh;
# its PID in SPID, its URL (with the slash) in URL
start_server () {
	(
		export HOME="$H" XDG_DATA_HOME="$H/data" \
			XDG_CACHE_HOME="$H/cache" XDG_CONFIG_HOME="$H/config"
		unset QUIRE_REGISTRY
		exec "$QUIRE" serve --port 0 --registry "file://$REG"
	) >"$LOGS/serve.out" 2>"$LOGS/serve.err" </dev/null &
	SPID=$!
	t0=$(now_ms)
	n=0
	while :; do
		URL=$(sed -n 's/^serving .* at \(http:[^ ]*\)$/\1/p' \
			"$LOGS/serve.out")
		test -z "$URL" || break
		if ! alive $SPID || test $n -ge 300; then
			echo "   quire serve did not start; the end of" \
				"$LOGS/serve.err:" >&2
			tail -n 5 "$LOGS/serve.err" | sed 's/^/     /' >&2
			exit 1
		fi
		sleep 0.1
		n=$((n + 1))
	done
	START_MS=$(($(now_ms) - t0))
}

# get NAME PATH: one GET of URL/PATH by curl, the body in $LOGS/NAME.html;
# prints "STATUS SECONDS"
get () {
	curl -s -o "$LOGS/$1.html" -w '%{http_code} %{time_total}' "$URL$2" ||
		echo "000 -"
}

# warm NAME PATH: the request before wrk's; its ms into $LOGS/NAME.warm
warm () {
	set -- "$1" "$2" $(get "$1" "$2")
	echo "$4" | awk '{ if ($1 ~ /^[0-9.]+$/) printf "%d", $1 * 1000;
		else printf "-" }' >"$LOGS/$1.warm"
	if test "$3" != 200; then
		echo "   $1: status $3 for $URL$2 (see $LOGS/$1.html);" \
			"its figures say nothing" >&2
	fi
}

# load NAME PATH: wrk on URL/PATH, its report in $LOGS/NAME.wrk
load () {
	wrk --latency --timeout 30s -t"$THREADS" -c"$CONNS" -d"$DURATION" \
		"$URL$2" >"$LOGS/$1.wrk" 2>&1 ||
		echo "   $1: wrk failed, see $LOGS/$1.wrk" >&2
}

# wrk_field NAME rps|p50|p99|bad: from NAME's wrk report, requests per
# second, a latency percentile in ms, or the requests that failed
# (errors, timeouts, statuses other than 2xx and 3xx)
wrk_field () {
	awk -v f="$2" '
	function ms(v) {
		if (v ~ /us$/) return v / 1000
		if (v ~ /ms$/) return v + 0
		if (v ~ /m$/) return v * 60000
		if (v ~ /s$/) return v * 1000
		return "-"
	}
	$1 == "50%" { p50 = ms($2) }
	$1 == "99%" { p99 = ms($2) }
	$1 == "Requests/sec:" { rps = $2 }
	/^ *Non-2xx or 3xx responses:/ { bad += $NF }
	/^ *Socket errors:/ {
		gsub(/,/, "")
		bad += $4 + $6 + $8 + $10
	}
	END {
		if (f == "rps") v = rps
		else if (f == "p50") v = p50
		else if (f == "p99") v = p99
		else v = bad + 0
		if (v == "") v = "-"
		if (f == "rps" || f == "bad") printf "%s", v
		else if (v == "-") printf "-"
		else printf "%.1f", v
	}' "$LOGS/$1.wrk" 2>/dev/null || printf -
}

# --- main
start_server
test ${#TOP} = 64 || {
	echo "   bench serve: no top hash for the package" >&2
	exit 1
}
pkg=pkg/bench/serve@$TOP
VERSION=$pkg
FOLDER=$pkg/tree/$folder/
WIDEF=$pkg/tree/flat/
ENTRY=$pkg/entry/$key

set -- $(get first "$VERSION")
FIRST_STATUS=$1
FIRST_S=$2
test "$FIRST_STATUS" = 200 ||
	echo "   first request: status $FIRST_STATUS for $URL$VERSION" \
		"(see $LOGS/first.html)" >&2

for page in version:$VERSION folder:$FOLDER wide:$WIDEF entry:$ENTRY; do
	warm "${page%%:*}" "${page#*:}"
	load "${page%%:*}" "${page#*:}"
done

HWM=$(awk '$1 == "VmHWM:" { printf "%d", $2 / 1024 }' /proc/$SPID/status \
	2>/dev/null || :)
RSS=$(awk '$1 == "VmRSS:" { printf "%d", $2 / 1024 }' /proc/$SPID/status \
	2>/dev/null || :)
kill -TERM $SPID 2>/dev/null || :
rc=0
wait $SPID || rc=$?
SPID=
test $rc = 0 || echo "   quire serve exited $rc on SIGTERM (not 0)" >&2

row () {
	p99=$(wrk_field $1 p99)
	bad=$(wrk_field $1 bad)
	printf "   %-38s %8s %9s %8s %8s  %s\n" "$2" "$(cat "$LOGS/$1.warm")" \
		"$(wrk_field $1 rps)" "$(wrk_field $1 p50)" "$p99" \
		"$(goal "$p99" "<" $GOAL_MS)$(test "$bad" = 0 ||
			echo ", $bad FAILED")"
}

echo "   server up and its URL said: $START_MS ms"
echo "   first request, version page (builds the index):" \
	"$(awk -v s="$FIRST_S" 'BEGIN { if (s ~ /^[0-9.]+$/)
		printf "%d ms", s * 1000; else printf "-" }')"
printf "   %-38s %8s %9s %8s %8s  %s\n" "page" "once ms" "req/s" \
	"p50 ms" "p99 ms" "p99 < $GOAL_MS ms"
row version "version page"
row folder "folder of 1000 ($folder/)"
row wide "folder of $WIDE, first page (flat/)"
row entry "entry page"
echo "   peak RSS of the server (VmHWM): ${HWM:--} MiB (VmRSS at the" \
	"end: ${RSS:--} MiB)"
idx=$(find "$H/cache" -name '*.db' 2>/dev/null | head -n 1)
test -z "$idx" ||
echo "   the version's index: $(($(stat -c %s "$idx") / 1048576)) MiB"
echo "   (once ms: one request by curl, after the first; version" \
	"@${TOP%${TOP#????????????}})"
echo "   URLs: $URL$VERSION"
echo "         $URL$FOLDER"
echo "         $URL$WIDEF"
echo "         $URL$ENTRY"
echo "   logs: $LOGS"
