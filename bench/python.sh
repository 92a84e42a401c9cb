#!/bin/sh
# import quire's figures (issue 13), never pass/fail: entry.get_bytes()
# over small entries, cold and warm cache, beside quilt3's when quilt3
# runs here; browsing a big manifest and iterating its keys, time and
# peak RSS. Run with 'sh bench/python.sh' after make and make python.
#   BENCH_PY_GET      entries read with get_bytes() (default 2000)
#   BENCH_PY_SIZE     bytes per entry (default 4096)
#   BENCH_PY_ENTRIES  entries of the browsed manifest (default 1000000)
#   BENCH_QUILT3      PYTHONPATH entries where quilt3 6.0.0a3 and what
#                     Debian lacks of its dependencies are: api/python of
#                     quiltdata/quilt at tag 6.0.0a3, and wbolster/jsonlines
#                     at tag 1.2.0 (quire-python(7) says how); never copied
#                     into this repository
#   BENCH_DIR         scratch folder (default bench/out)
# Python is Debian's /usr/bin/python3 with the module from $BUILD/python.
set -e
BUILD=${QUIRE_BUILD_DIR:-$(cd "$(dirname "$0")/.." && pwd)/build}
QUIRE=$BUILD/quire
TOOL=$BUILD/t/helper/test-tool
DIR=${BENCH_DIR:-$(cd "$(dirname "$0")" && pwd)/out}
GET_N=${BENCH_PY_GET:-2000}
SIZE=${BENCH_PY_SIZE:-4096}
BIG_N=${BENCH_PY_ENTRIES:-1000000}
PY=/usr/bin/python3
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
export TMPDIR="$DIR"
export HOME="$DIR/py-home" XDG_DATA_HOME="$DIR/py-home/data" \
	XDG_CONFIG_HOME="$DIR/py-home/config"
export XDG_CACHE_HOME="$DIR/py-home/cache"
unset QUIRE_REGISTRY
PYPATH=$BUILD/python
. "$(dirname "$0")/lib.sh"

if ! PYTHONPATH=$PYPATH $PY -c "import quire; quire.Package.browse" \
	2>"$DIR/py-import.err"
then
	echo "no quire.Package with $PY and PYTHONPATH=$PYPATH (make" \
		"python first): $(tail -n 1 "$DIR/py-import.err")"
	exit 0
fi

# url DIR: the file:// URL of a folder
url () {
	printf "file://%s" "$(cd "$1" && pwd -P)"
}

echo "== entry.get_bytes() over $GET_N entries of $SIZE bytes (file:// registry)"
reg=$DIR/py-reg
src=$DIR/py-get-$GET_N-$SIZE
if ! test -s "$reg/.quilt/named_packages/bench/getbytes/latest" ||
	! test -d "$src"
then
	rm -rf "$reg" "$src"
	mkdir -p "$reg" "$src"
	$PY - "$src" "$GET_N" "$SIZE" <<-'PY'
	import os, sys
	root, n, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
	for i in range(n):
	    d = os.path.join(root, "data", "%02d" % (i // 100))
	    os.makedirs(d, exist_ok=True)
	    with open(os.path.join(d, "%05d.bin" % i), "wb") as f:
	        f.write((b"%08d" % i) * (size // 8) + b"x" * (size % 8))
	PY
	(cd "$src" && "$QUIRE" init -q bench/getbytes &&
		"$QUIRE" add -q data && "$QUIRE" commit -q -m bench >/dev/null &&
		"$QUIRE" push -q -r "$(url "$reg")" >/dev/null)
fi
REG_URL=$(url "$reg")

# the reader: one process per run, so "cold" starts from an empty cache
cat >"$DIR/py-get.py" <<'PY'
import resource, sys, time
mod, reg = sys.argv[1], sys.argv[2]
if mod == "quire":
    import quire
    t0 = time.perf_counter()
    pkg = quire.Package.browse("bench/getbytes", registry=reg)
    n = nbytes = 0
    for _, entry in pkg.walk():
        nbytes += len(entry.get_bytes())
        n += 1
else:
    import quilt3
    t0 = time.perf_counter()
    pkg = quilt3.Package.browse("bench/getbytes", registry=reg)
    n = nbytes = 0
    for _, entry in pkg.walk():
        nbytes += len(entry.get_bytes())
        n += 1
secs = time.perf_counter() - t0
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
print("%d %d %.3f %d" % (n, nbytes, secs, rss))
PY

# get_run LABEL MODULE [PYTHONPATH]: one timed run, one line of figures
get_run () {
	PYTHONPATH=${3:-$PYPATH} $PY "$DIR/py-get.py" "$2" "$REG_URL" \
		>"$DIR/py-get.out"
	read n nbytes secs rss <"$DIR/py-get.out"
	echo "$1|$secs" >>"$DIR/py-walls"
	awk -v l="$1" -v n="$n" -v s="$secs" -v r="$rss" 'BEGIN {
		printf "%-20s %6d entries %7.3f s %8.0f entries/s", l, n, s, n / s
		printf "  peak RSS %d MiB\n", r }'
}

: >"$DIR/py-walls"
rm -rf "$XDG_CACHE_HOME"
get_run "quire, cold cache:" quire
get_run "quire, warm cache:" quire

# quilt3 6.0.0a3 runs here from source trees: its own, and jsonlines
# 1.2.0's (no Debian package; PyPI is out of reach); the rest of what it
# imports are Debian packages. It reads its version from its installed
# metadata, which a source tree lacks: a METADATA file stands for it.
mkdir -p "$DIR/quilt3-dist/quilt3-6.0.0a3.dist-info"
printf 'Metadata-Version: 2.1\nName: quilt3\nVersion: 6.0.0a3\n' \
	>"$DIR/quilt3-dist/quilt3-6.0.0a3.dist-info/METADATA"
Q3PATH=${BENCH_QUILT3:+$BENCH_QUILT3:}$DIR/quilt3-dist
export QUILT_DISABLE_USAGE_METRICS=true QUILT_MINIMIZE_STDOUT=true
# say which of quilt3's imports are missing
quilt3_missing () {
	PYTHONPATH=$Q3PATH $PY - <<-'PY'
	import importlib
	missing = []
	for mod in ("quilt3", "boto3", "jsonlines", "platformdirs", "yaml",
	            "requests", "tenacity", "tqdm", "requests_futures",
	            "jsonschema"):
	    try:
	        importlib.import_module(mod)
	    except Exception as e:
	        missing.append("%s (%s)" % (mod, type(e).__name__))
	print(", ".join(missing))
	PY
}
missing=$(quilt3_missing)
if test -z "$missing"
then
	get_run "quilt3 6.0.0a3:" quilt3 "$Q3PATH"
	awk -F'|' '/^quire, cold/ { c = $2 } /^quire, warm/ { w = $2 }
		/^quilt3/ { p = $2 } END {
		printf "quilt3 / quire, warm: %.2f  (above 1: quire faster)\n", p / w
		printf "quilt3 / quire, cold: %.2f\n", p / c }' "$DIR/py-walls"
	echo "(quilt3 reads each file where it is, unverified; quire" \
		"verifies it and keeps it in its cache, with a fsync)"
else
	echo "quilt3 6.0.0a3: not run: cannot import $missing;" \
		"set BENCH_QUILT3 and install its Debian dependencies as" \
		"quire-python(7) says"
fi

echo "== browse and iterate the keys of a $BIG_N-entry manifest"
m=$DIR/py-manifest-$BIG_N.jsonl
test -s "$m" || "$TOOL" gen-manifest "$BIG_N" >"$m"
big=$DIR/py-big-reg
bench_registry "$m" "$big" bench/million
echo "manifest: $(($(stat -c %s "$m") / 1048576)) MiB"
cat >"$DIR/py-browse.py" <<'PY'
import resource, sys, time
import quire
reg = sys.argv[1]
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
t0 = time.perf_counter()
pkg = quire.Package.browse("bench/million", registry=reg)
t1 = time.perf_counter()
n = 0
for key in pkg.keys():
    n += 1
t2 = time.perf_counter()
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
print("keys: %d; browse %.3f s, keys %.3f s; peak RSS %d MiB"
      " (%d MiB after import quire)" % (n, t1 - t0, t2 - t1, rss, base))
PY
rm -rf "$XDG_CACHE_HOME"
PYTHONPATH=$PYPATH /usr/bin/time -f "%e %M" -o "$DIR/py-time.out" \
	$PY "$DIR/py-browse.py" "$(url "$big")"
read secs kb <"$DIR/py-time.out"
echo "whole process, empty cache: $secs s, peak RSS $((kb / 1024)) MiB"
PYTHONPATH=$PYPATH /usr/bin/time -f "%e %M" -o "$DIR/py-time.out" \
	$PY "$DIR/py-browse.py" "$(url "$big")"
read secs kb <"$DIR/py-time.out"
echo "whole process, warm cache:  $secs s, peak RSS $((kb / 1024)) MiB"
