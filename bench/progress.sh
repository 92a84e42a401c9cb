#!/bin/sh
# What a progress meter costs: figures, never pass/fail.
#   QUIRE_BUILD_DIR   the build to measure (default build)
#   BENCH_CALLS       progress_add() calls counted (default 10000000)
#   BENCH_FILES       files verified with and without a meter (default 20000)
#   BENCH_DIR         scratch folder (default bench/out)
#
# 1. The counting call alone: test-tool progress counts BENCH_CALLS
#    entries on 1 and on 2 threads into a meter that is drawn (forced,
#    on /dev/null), and with no meter (stderr not a terminal: NULL).
# 2. A real loop: 'quire verify' over BENCH_FILES small files with
#    --progress against --no-progress, and the ratio.
set -e
BUILD=${QUIRE_BUILD_DIR:-$(cd "$(dirname "$0")/.." && pwd)/build}
QUIRE=$BUILD/quire
TOOL=$BUILD/t/helper/test-tool
DIR=${BENCH_DIR:-$(cd "$(dirname "$0")" && pwd)/out}/progress
CALLS=${BENCH_CALLS:-10000000}
FILES=${BENCH_FILES:-20000}
mkdir -p "$DIR"

command -v hyperfine >/dev/null 2>&1 || {
	echo "bench needs hyperfine: apt-get install hyperfine" >&2
	exit 1
}

# mean [JSON] INDEX: the mean seconds of result INDEX of a hyperfine run
mean () {
	python3 -c 'import json, sys
print(json.load(open(sys.argv[1]))["results"][int(sys.argv[2])]["mean"])' \
		"$1" "$2"
}

echo "== progress_add(): $CALLS calls, meter drawn vs no meter"
hyperfine -N --warmup 1 --runs 5 --export-json "$DIR/add.json" \
	"$TOOL progress --force --bytes 4096 Count $CALLS $CALLS" \
	"$TOOL progress --force --threads 2 --bytes 4096 Count $CALLS $CALLS" \
	"$TOOL progress --bytes 4096 Count $CALLS $CALLS" \
	>/dev/null 2>&1
one=$(mean "$DIR/add.json" 0)
two=$(mean "$DIR/add.json" 1)
none=$(mean "$DIR/add.json" 2)
python3 - "$one" "$two" "$none" "$CALLS" <<'PY'
import sys
one, two, none, n = map(float, sys.argv[1:])
print("1 thread, meter:   %.3f s  (%.1f ns a call)" % (one, 1e9 * one / n))
print("2 threads, meter:  %.3f s  (%.1f ns a call)" % (two, 1e9 * two / n))
print("no meter (NULL):   %.3f s  (%.1f ns a call)" % (none, 1e9 * none / n))
PY

echo "== quire verify over $FILES files: --progress vs --no-progress"
W=$DIR/w
if ! test -f "$DIR/w-done-$FILES"; then
	rm -rf "$W" && mkdir -p "$W/data"
	i=0
	while test $i -lt "$FILES"; do
		echo "file $i" >"$W/data/f$i"
		i=$((i + 1))
	done
	"$QUIRE" -C "$W" init -q bench/progress
	"$QUIRE" -C "$W" add -q data
	"$QUIRE" -C "$W" commit -q -m bench >/dev/null
	touch "$DIR/w-done-$FILES"
fi
hyperfine -N --warmup 1 --runs 10 --export-json "$DIR/verify.json" \
	"$QUIRE -C $W verify -q --progress" \
	"$QUIRE -C $W verify -q --no-progress" >/dev/null 2>&1
with=$(mean "$DIR/verify.json" 0)
without=$(mean "$DIR/verify.json" 1)
python3 - "$with" "$without" <<'PY'
import sys
w, wo = map(float, sys.argv[1:])
print("verify --progress:     %.3f s" % w)
print("verify --no-progress:  %.3f s" % wo)
print("ratio:                 %.3f" % (w / wo))
PY
