#!/bin/sh
# quire's benchmarks: figures, never pass/fail. Run with 'make bench'.
#   BENCH_ENTRIES   entries in the big manifest (default 10000000)
#   BENCH_HASH_MB   size of the file to hash, MiB (default 1024)
#   BENCH_DIR       scratch folder (default bench/out; needs ~6 GB)
set -e
BUILD=${QUIRE_BUILD_DIR:-$(cd "$(dirname "$0")/.." && pwd)/build}
QUIRE=$BUILD/quire
TOOL=$BUILD/t/helper/test-tool
DIR=${BENCH_DIR:-$(cd "$(dirname "$0")" && pwd)/out}
ENTRIES=${BENCH_ENTRIES:-10000000}
HASH_MB=${BENCH_HASH_MB:-1024}
mkdir -p "$DIR"
export TMPDIR="$DIR"

for tool in hyperfine /usr/bin/time openssl; do
	command -v $tool >/dev/null 2>&1 || {
		echo "bench needs $tool: apt-get install hyperfine time openssl" >&2
		exit 1
	}
done

# peak RSS (MiB) and wall seconds of a command, via GNU time
measure () {
	/usr/bin/time -f "%e %M" -o "$DIR/time.out" "$@" >"$DIR/cmd.out"
	read secs kb <"$DIR/time.out"
	echo "$secs s, peak RSS $((kb / 1024)) MiB"
}

echo "== hash-object on a ${HASH_MB} MiB file vs openssl dgst -sha256 ($(nproc) cores)"
f=$DIR/hash-input.bin
test "$(stat -c %s "$f" 2>/dev/null)" = $((HASH_MB * 1048576)) ||
	"$TOOL" genfile $((HASH_MB * 1048576)) >"$f"
cat "$f" >/dev/null	# warm the page cache for both
hyperfine -N --warmup 1 --runs 5 --export-json "$DIR/hash.json" \
	"$QUIRE hash-object $f" "openssl dgst -sha256 $f" >/dev/null
python3 - "$DIR/hash.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
q, o = r[0]["mean"], r[1]["mean"]
print("quire hash-object:   %.3f s" % q)
print("openssl dgst sha256: %.3f s" % o)
print("quire / openssl:     %.2f (below 1.10 is within 10%%)" % (q / o))
PY

echo "== top-hash of a ${ENTRIES}-entry manifest"
m=$DIR/manifest-$ENTRIES.jsonl
s=$DIR/manifest-$ENTRIES-shuffled.jsonl
test -s "$m" || "$TOOL" gen-manifest "$ENTRIES" >"$m"
test -s "$s" || "$TOOL" gen-manifest "$ENTRIES" --shuffle >"$s"
echo "manifest: $(($(stat -c %s "$m") / 1048576)) MiB"
echo "in order:     $(measure "$QUIRE" top-hash "$m")"
a=$(cat "$DIR/cmd.out")
echo "out of order: $(measure "$QUIRE" top-hash "$s")"
b=$(cat "$DIR/cmd.out")
test "$a" = "$b" && echo "same top hash: $a" || echo "MISMATCH: $a vs $b"
