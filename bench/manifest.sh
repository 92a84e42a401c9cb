#!/bin/sh
# Top hash and diff of big manifests, on all cores and on one: figures,
# never pass/fail (issue 11). Run with 'sh bench/manifest.sh' after make.
#   BENCH_ENTRIES   entries per manifest (default 10000000; the files
#                   take about 290 bytes an entry, three of them)
#   BENCH_DIR       scratch folder (default bench/out)
#   BENCH_SERIAL    0 skips the runs with QUIRE_THREADS=1
#   BENCH_RUNS      runs of each command; the fastest is shown (default 1)
# Each line: wall seconds, CPU seconds (user + system), peak RSS. On a
# machine busy with other work, CPU seconds are the steadier figure.
# Beside quire, the floor of any tool: openssl reads the manifest and
# hashes it once with SHA-256 (top-hash also parses every line), and both
# versions for a diff (which quire's store does first anyway, to verify
# them).
set -e
BUILD=${QUIRE_BUILD_DIR:-$(cd "$(dirname "$0")/.." && pwd)/build}
QUIRE=$BUILD/quire
TOOL=$BUILD/t/helper/test-tool
DIR=${BENCH_DIR:-$(cd "$(dirname "$0")" && pwd)/out}
N=${BENCH_ENTRIES:-10000000}
RUNS=${BENCH_RUNS:-1}
mkdir -p "$DIR"
export TMPDIR="$DIR"
for tool in /usr/bin/time openssl; do
	command -v $tool >/dev/null 2>&1 || {
		echo "bench needs $tool: apt-get install time openssl" >&2
		exit 1
	}
done

# ratio LABEL A B: wall seconds of measured A over those of B
ratio () {
	awk -v l="$1" -v a="$(grep -F "$2|" "$DIR/walls" | tail -n 1)" \
		-v b="$(grep -F "$3|" "$DIR/walls" | tail -n 1)" 'BEGIN {
		split(a, x, "|"); split(b, y, "|")
		printf "%-34s %7.2f\n", l, x[2] / y[2] }'
}

# measure LABEL CMD...: the fastest of $RUNS runs (a diff exits 1)
measure () {
	label=$1
	shift
	best=
	i=0
	while test $i -lt "$RUNS"
	do
		/usr/bin/time -f "%e %U %S %M" -o "$DIR/time.out" "$@" \
			>"$DIR/cmd.out" 2>"$DIR/cmd.err" || :
		line=$(tail -n 1 "$DIR/time.out")
		if test -z "$best" ||
		   awk -v a="$line" -v b="$best" \
			'BEGIN { split(a, x); split(b, y); exit !(x[1] < y[1]) }'
		then
			best=$line
		fi
		i=$((i + 1))
	done
	echo "$best" | awk -v l="$label" '{
		printf "%-34s %7.2f s wall %7.2f s CPU %6d MiB peak RSS\n",
			l, $1, $2 + $3, $4 / 1024 }'
	echo "$label|${best%% *}" >>"$DIR/walls"
}
: >"$DIR/walls"

m=$DIR/manifest-$N.jsonl
s=$DIR/manifest-$N-shuffled.jsonl
b=$DIR/manifest-$N-b.jsonl
test -s "$m" || "$TOOL" gen-manifest "$N" >"$m"
test -s "$s" || "$TOOL" gen-manifest "$N" --shuffle >"$s"
# the second version: 10 entries of other sizes, spread over the file
test -s "$b" ||
	awk -v n="$N" 'BEGIN { step = int(n / 10); if (step < 1) step = 1 }
		NR > 1 && (NR - 2) % step == 0 && c++ < 10 {
			sub(/"size": [0-9]+/, "\"size\": 7")
		}
		{ print }' "$m" >"$b"
cat "$m" "$b" >/dev/null	# the page cache holds them, as for every run

mib=$(($(stat -c %s "$m") / 1048576))
echo "== top-hash of $N entries ($mib MiB), $(nproc) cores"
measure "top-hash" "$QUIRE" top-hash "$m"
a=$(cat "$DIR/cmd.out")
if test "${BENCH_SERIAL:-1}" != 0
then
	QUIRE_THREADS=1 measure "top-hash, QUIRE_THREADS=1" \
		"$QUIRE" top-hash "$m"
	test "$a" = "$(cat "$DIR/cmd.out")" || echo "MISMATCH with one thread"
fi
measure "top-hash, out of order" "$QUIRE" top-hash "$s"
test "$a" = "$(cat "$DIR/cmd.out")" || echo "MISMATCH out of order"
echo "top hash: $a"
measure "openssl dgst -sha256 (floor)" openssl dgst -sha256 "$m"
ratio "top-hash / openssl" "top-hash" "openssl dgst -sha256 (floor)"

echo "== diff of two $N-entry versions that differ in 10 entries"
ws=$DIR/manifest-ws
rm -rf "$ws" && mkdir -p "$ws" && (cd "$ws" && "$QUIRE" init -q)
cd "$ws"
measure "write-manifest" "$QUIRE" write-manifest "$m"
ha=$(cat "$DIR/cmd.out")
"$QUIRE" write-manifest "$b" >"$DIR/cmd.out"
hb=$(cat "$DIR/cmd.out")
measure "diff --stat" "$QUIRE" diff --stat "$ha" "$hb"
cat "$DIR/cmd.out"
measure "diff-manifest" "$QUIRE" diff-manifest "$ha" "$hb"
test "$(wc -l <"$DIR/cmd.out")" = 10 || echo "EXPECTED 10 CHANGES"
measure "openssl of both (floor)" openssl dgst -sha256 "$m" "$b"
ratio "diff --stat / openssl" "diff --stat" "openssl of both (floor)"
if test "${BENCH_SERIAL:-1}" != 0
then
	QUIRE_THREADS=1 measure "diff --stat, QUIRE_THREADS=1" \
		"$QUIRE" diff --stat "$ha" "$hb"
fi
