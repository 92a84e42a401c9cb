#!/bin/sh
# The install section of 'make bench' (BENCH_ONLY=install): quire install
# from a folder registry beside cp -r and rsync -a of the same files, in
# the same run, and the no-op re-install that follows an install.
#   BENCH_INSTALL_SETS  "<files>x<bytes> ..." (default "10000x4096
#                       100000x1024")
#   BENCH_INSTALL_RUNS  hyperfine runs per command (default 3)
#   BENCH_DIR           scratch folder (default bench/out)
# Figures, never pass/fail. quire syncs what it installs (one syncfs);
# cp -r and rsync -a do not, so "cp -r; sync" is shown too.
set -e
BUILD=${QUIRE_BUILD_DIR:-$(cd "$(dirname "$0")/.." && pwd)/build}
QUIRE=$BUILD/quire
DIR=${BENCH_DIR:-$(cd "$(dirname "$0")" && pwd)/out}/install
SETS=${BENCH_INSTALL_SETS:-10000x4096 100000x1024}
RUNS=${BENCH_INSTALL_RUNS:-3}
mkdir -p "$DIR"
export HOME="$DIR/home" XDG_DATA_HOME="$DIR/home/data" \
	XDG_CACHE_HOME="$DIR/home/cache" TMPDIR="$DIR"

for tool in hyperfine rsync python3; do
	command -v $tool >/dev/null 2>&1 || {
		echo "bench install needs $tool: apt-get install $tool" >&2
		exit 1
	}
done

# make_set N SIZE DIR: N files of SIZE random bytes, 1000 per folder
make_set () {
	python3 - "$1" "$2" "$3" <<'PY'
import os, sys
n, size, root = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
for i in range(n):
    d = os.path.join(root, "%04d" % (i // 1000))
    if i % 1000 == 0:
        os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "%07d.bin" % i), "wb") as f:
        f.write(os.urandom(size))
PY
}

for set in $SETS; do
	n=${set%x*}
	size=${set#*x}
	ws=$DIR/ws-$set
	reg=$DIR/reg-$set
	out=$DIR/out-$set
	if ! test -s "$ws/.pushed"; then
		rm -rf "$ws" "$reg"
		make_set "$n" "$size" "$ws/data"
		(cd "$ws" && "$QUIRE" init -q bench/s$set &&
			"$QUIRE" add -q data && "$QUIRE" commit -q -m bench &&
			"$QUIRE" push -q "file://$reg" >.pushed)
	fi
	echo "== install of $n files x $size bytes from a folder registry" \
	     "(empty cache)"
	hyperfine -N --runs "$RUNS" --export-json "$DIR/install.json" \
		--prepare "rm -rf $out $DIR/home/cache" \
		"$QUIRE install -q --registry file://$reg bench/s$set --to $out" \
		"$QUIRE install -q --link hardlink --registry file://$reg bench/s$set --to $out" \
		"cp -r $ws/data $out" \
		"sh -c 'cp -r $ws/data $out && sync'" \
		"rsync -a $ws/data $out" >/dev/null
	rm -rf "$out"
	"$QUIRE" install -q --registry "file://$reg" "bench/s$set" --to "$out" \
		>/dev/null
	hyperfine -N --runs "$RUNS" --export-json "$DIR/noop.json" \
		"$QUIRE install -q --registry file://$reg bench/s$set --to $out" \
		>/dev/null
	(cd "$out" && hyperfine -N --runs "$RUNS" --export-json \
		"$DIR/status.json" "$QUIRE status" >/dev/null)
	python3 - "$DIR/install.json" "$DIR/noop.json" "$DIR/status.json" <<'PY'
import json, sys
r = [x["median"] for x in json.load(open(sys.argv[1]))["results"]]
noop = json.load(open(sys.argv[2]))["results"][0]["median"]
st = json.load(open(sys.argv[3]))["results"][0]["median"]
q, ql, cp, cps, rs = r
print("quire install (copy):     %7.2f s" % q)
print("quire install (hardlink): %7.2f s" % ql)
print("cp -r:                    %7.2f s" % cp)
print("cp -r; sync:              %7.2f s" % cps)
print("rsync -a:                 %7.2f s" % rs)
print("quire / cp -r:            %7.2f   (goal <= 3)" % (q / cp))
print("quire / cp -r; sync:      %7.2f" % (q / cps))
print("quire / rsync -a:         %7.2f   (goal <= 1.5)" % (q / rs))
print("hardlink / copy:          %7.2f" % (ql / q))
print("no-op re-install:         %7.2f s (goal <= 0.5)" % noop)
print("status after install:     %7.2f s" % st)
PY
	rm -rf "$out"
done
