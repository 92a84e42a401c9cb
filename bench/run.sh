#!/bin/sh
# quire's benchmarks: figures, never pass/fail. Run with 'make bench'.
#   BENCH_ENTRIES   entries in the big manifest (default 10000000)
#   BENCH_HASH_MB   size of the file to hash, MiB (default 1024)
#   BENCH_DIR       scratch folder (default bench/out; needs ~8 GB)
#   BENCH_FILES     small files for commit/status (default 100000)
#   BENCH_DIFF      entries of the two versions diffed (default 1000000)
#   BENCH_ONLY      run only these sections: hash tophash workspace diff
#                   install manifest dsdb slice slice-servers s3 mount
#                   serve python torch
#                   (slice-servers: export-slice from MariaDB and
#                   PostgreSQL beside SQLite and mysqldump, see
#                   bench/db-servers.sh)
#                   (workspace also runs bench/workspace.sh: status and
#                   commit beside git)
#                   (manifest: top hash and diff on all cores and on one,
#                   see bench/manifest.sh)
#   BENCH_INSTALL_* the install section's sizes: see bench/install.sh
#   BENCH_DSDB_ROWS, BENCH_SLICE_ROWS: see bench/db.sh
#   BENCH_S3_*      the s3 section's sizes and servers: see bench/s3.sh
#   BENCH_MOUNT_*   the mount section's sizes: see bench/mount.sh
#   BENCH_SERVE_*   the serve section's size and load: see bench/serve.sh
#   BENCH_TORCH_*   the torch section's sizes: see bench/python-torch.py
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

# the same for a command that may exit 1 (diff: "there are differences")
measure_rc () {
	/usr/bin/time -f "%e %M" -o "$DIR/time.out" "$@" >"$DIR/cmd.out" || :
	tail -n 1 "$DIR/time.out" >"$DIR/time.last"
	read secs kb <"$DIR/time.last"
	echo "$secs s, peak RSS $((kb / 1024)) MiB"
}

section () {
	test -z "$BENCH_ONLY" || case " $BENCH_ONLY " in *" $1 "*) ;; *) return 1 ;; esac
}

if section hash; then
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

fi

if section tophash; then
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
fi

FILES=${BENCH_FILES:-100000}
DIFF_N=${BENCH_DIFF:-1000000}
export HOME="$DIR/home" XDG_DATA_HOME="$DIR/home/data" XDG_CACHE_HOME="$DIR/home/cache"

if section workspace; then
echo "== commit of $FILES small files, then status of the unchanged workspace"
ws=$DIR/ws-$FILES
if ! test -d "$ws/data"; then
	mkdir -p "$ws/data"
	python3 - "$ws/data" "$FILES" <<'PY'
import os, sys
root, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    d = os.path.join(root, "%03d" % (i // 1000))
    if i % 1000 == 0:
        os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "%06d.txt" % i), "w") as f:
        f.write("file %d\n" % i)
PY
fi
rm -rf "$ws/.quire" "$ws/.git"
(cd "$ws" && "$QUIRE" init -q bench/files && "$QUIRE" add -q data)
sleep 2	# older than the racy window, so the stat cache is trusted
echo "quire commit:        $(cd "$ws" && measure "$QUIRE" commit -q -m bench)"
(cd "$ws" && "$QUIRE" status >/dev/null)	# first status settles the cache
(cd "$ws" && git init -q && git add -A data && git -c user.name=b -c user.email=b@b commit -qm bench && git status >/dev/null)
(cd "$ws" && hyperfine -N --warmup 1 --runs 5 --export-json "$DIR/status.json" \
	"$QUIRE status" "git status" >/dev/null)
python3 - "$DIR/status.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
q, g = r[0]["mean"], r[1]["mean"]
print("quire status:        %.3f s" % q)
print("git status:          %.3f s" % g)
print("quire / git status:  %.2f" % (q / g))
PY
fi

if section diff; then
echo "== diff of two $DIFF_N-entry versions that differ in 10 entries"
dws=$DIR/diff-ws
a=$DIR/diff-a-$DIFF_N.jsonl
b=$DIR/diff-b-$DIFF_N.jsonl
test -s "$a" || "$TOOL" gen-manifest "$DIFF_N" >"$a"
if ! test -s "$b"; then
	# change the size of 10 entries spread over the file
	awk -v n="$DIFF_N" 'NR > 1 && (NR - 2) % int(n / 10) == 0 { sub(/"size": [0-9]+/, "\"size\": 7") } { print }' "$a" >"$b"
fi
rm -rf "$dws" && mkdir -p "$dws" && (cd "$dws" && "$QUIRE" init -q)
ha=$(cd "$dws" && "$QUIRE" write-manifest "$a")
hb=$(cd "$dws" && "$QUIRE" write-manifest "$b")
echo "quire diff --stat:   $(cd "$dws" && measure_rc "$QUIRE" diff --stat "$ha" "$hb")"
cat "$DIR/cmd.out"
fi

if section workspace; then
QUIRE_BUILD_DIR=$BUILD BENCH_DIR=$DIR sh "$(dirname "$0")/workspace.sh"
fi

if section manifest; then
QUIRE_BUILD_DIR=$BUILD BENCH_DIR=$DIR BENCH_ENTRIES=$ENTRIES \
	sh "$(dirname "$0")/manifest.sh"
fi

if section install; then
QUIRE_BUILD_DIR=$BUILD BENCH_DIR=$DIR sh "$(dirname "$0")/install.sh"
fi

. "$(dirname "$0")/db.sh"
if section dsdb; then
dsdb_bench
fi

if section slice; then
slice_bench
fi

if section slice-servers; then
QUIRE_BUILD_DIR=$BUILD BENCH_DIR=$DIR sh "$(dirname "$0")/db-servers.sh"
fi

if section s3; then
echo "== push and install over S3 (local Swift and s3rver) beside aws s3 sync"
QUIRE_BUILD_DIR=$BUILD BENCH_DIR=$DIR sh "$(dirname "$0")/s3.sh"
fi

if section mount; then
echo "== quire mount beside quire install, s3fs, aws s3 cp and a plain folder"
QUIRE_BUILD_DIR=$BUILD BENCH_DIR=$DIR sh "$(dirname "$0")/mount.sh"
fi

if section serve; then
QUIRE_BUILD_DIR=$BUILD BENCH_DIR=$DIR sh "$(dirname "$0")/serve.sh"
fi

if section python; then
echo "== import quire: get_bytes() beside quilt3, browsing a big manifest"
QUIRE_BUILD_DIR=$BUILD BENCH_DIR=$DIR sh "$(dirname "$0")/python.sh"
fi

if section torch; then
echo "== quire.torch: DataLoader epochs beside a plain folder and aws s3 sync"
QUIRE_BUILD_DIR=$BUILD BENCH_DIR=$DIR \
	/usr/bin/python3 "$(dirname "$0")/python-torch.py"
fi
