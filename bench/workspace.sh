#!/bin/sh
# Workspace benchmarks, quire beside git on the same trees (issue 11):
#   - init+add+commit of N files of S bytes: quire vs git init+add+commit
#   - status of the unchanged, committed workspace: quire vs git status
# Figures, never pass/fail. Run: sh bench/workspace.sh (after make).
#   BENCH_DIR       scratch folder (default bench/out; 1M files of 1 KiB
#                   take ~4.5 GB, twice that with git's objects)
#   BENCH_COMMIT    "N:S ..." trees to commit (default
#                   "20000:4096 1000000:1024")
#   BENCH_STATUS    "N:S ..." trees to run status on (default
#                   "100000:16 1000000:1024"; a tree the commit rows made
#                   is reused)
#   BENCH_RUNS      hyperfine runs for status and small commits (default 5)
#   BENCH_GIT       0: leave git out (default 1)
# Each tree holds N files in folders of 1000, like bench/run.sh's
# "workspace" section. Wall times; a 'sync' runs before each commit so
# that earlier writes are not billed to it. Trees of more than 100,000
# files are committed once per tool, not through hyperfine.
set -e
BUILD=${QUIRE_BUILD_DIR:-$(cd "$(dirname "$0")/.." && pwd)/build}
QUIRE=$BUILD/quire
DIR=${BENCH_DIR:-$(cd "$(dirname "$0")" && pwd)/out}
COMMIT=${BENCH_COMMIT-20000:4096 1000000:1024}
STATUS=${BENCH_STATUS-100000:16 1000000:1024}
RUNS=${BENCH_RUNS:-5}
GIT=${BENCH_GIT:-1}
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
export HOME="$DIR/home" XDG_DATA_HOME="$DIR/home/data" \
	XDG_CACHE_HOME="$DIR/home/cache" TMPDIR="$DIR"
export GIT_AUTHOR_NAME=b GIT_AUTHOR_EMAIL=b@b GIT_COMMITTER_NAME=b \
	GIT_COMMITTER_EMAIL=b@b
mkdir -p "$HOME"

for tool in hyperfine /usr/bin/time python3 git; do
	command -v $tool >/dev/null 2>&1 || {
		echo "bench needs $tool: apt-get install hyperfine time python3 git" >&2
		exit 1
	}
done

# tree N S: the folder of N files of S bytes (made once)
tree () {
	t=$DIR/tree-$1-$2
	if ! test -f "$t/.made"; then
		rm -rf "$t"
		python3 - "$t/data" "$1" "$2" <<'PY'
import os, sys
root, n, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rnd = os.urandom(size + 4096)
for i in range(n):
    d = os.path.join(root, "%03d" % (i // 1000))
    if i % 1000 == 0:
        os.makedirs(d, exist_ok=True)
    head = b"file %d\n" % i
    off = (i * 7919) % 4096
    with open(os.path.join(d, "%07d.txt" % i), "wb") as f:
        f.write((head + rnd[off:off + size])[:max(size, len(head))])
PY
		touch "$t/.made"
	fi
	echo "$t"
}

# seconds of one run of "sh -c CMD" in folder $1 (GNU time's %e)
timed () {
	(cd "$1" && /usr/bin/time -f "%e" -o "$DIR/time.out" sh -c "$2" \
		>/dev/null 2>"$DIR/cmd.err") || {
		cat "$DIR/cmd.err" >&2
		exit 1
	}
	tail -n 1 "$DIR/time.out"
}

qc="$QUIRE init -q bench/files && $QUIRE add -q data && $QUIRE commit -q -m bench"
gc="git init -q && git add -A data && git commit -qm bench"

ratio () {
	python3 -c "import sys; a, b = float(sys.argv[1]), float(sys.argv[2]); print('%.2f' % (a / b if b else 0))" "$1" "$2"
}

# commit_time TREE REPO CMD: median seconds of CMD in TREE, from no REPO
commit_time () {
	if test "$n" -le 100000; then
		(cd "$1" && hyperfine -N --runs "$RUNS" \
			--prepare "sh -c 'rm -rf $2 && sync'" \
			--export-json "$DIR/commit.json" "sh -c '$3'" >/dev/null)
		python3 -c "import json, sys; print('%.3f' % json.load(open(sys.argv[1]))['results'][0]['median'])" "$DIR/commit.json"
	else
		rm -rf "${1:?}/$2" && sync
		timed "$1" "$3"
	fi
}

for spec in $COMMIT; do
	n=${spec%%:*} s=${spec#*:}
	t=$(tree "$n" "$s")
	echo "== init+add+commit of $n files of $s bytes"
	cat "$t"/data/*/* >/dev/null	# the page cache, for both
	q=$(commit_time "$t" .quire "$qc")
	echo "quire init+add+commit: $q s"
	if test "$GIT" = 1; then
		g=$(commit_time "$t" .git "$gc")
		echo "git init+add+commit:   $g s"
		echo "quire / git:           $(ratio "$q" "$g")"
	fi
done

for spec in $STATUS; do
	n=${spec%%:*} s=${spec#*:}
	t=$(tree "$n" "$s")
	echo "== status of the unchanged workspace of $n files"
	test -d "$t/.quire" || (cd "$t" && sh -c "$qc" >/dev/null)
	if test "$GIT" = 1 && ! test -d "$t/.git"; then
		(cd "$t" && sh -c "$gc")
	fi
	sleep 2	# older than the racy window, so the stat cache is trusted
	# the first status of each settles its cache
	(cd "$t" && QUIRE_TRACE=1 "$QUIRE" status 2>"$DIR/trace" >/dev/null)
	(cd "$t" && QUIRE_TRACE=1 "$QUIRE" status 2>"$DIR/trace" >/dev/null)
	echo "quire files hashed:  $(sed -n 's/^trace: hashed-files \([0-9]*\).*/\1/p' "$DIR/trace")"
	if test "$GIT" = 1; then
		(cd "$t" && git status >/dev/null)
		(cd "$t" && hyperfine -N --warmup 1 --runs "$RUNS" \
			--export-json "$DIR/status.json" \
			"$QUIRE status" "git status" >/dev/null)
	else
		(cd "$t" && hyperfine -N --warmup 1 --runs "$RUNS" \
			--export-json "$DIR/status.json" "$QUIRE status" \
			>/dev/null)
	fi
	python3 - "$DIR/status.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
q = r[0]["median"]
print("quire status:        %.3f s" % q)
if len(r) > 1:
    g = r[1]["median"]
    print("git status:          %.3f s" % g)
    print("quire / git status:  %.2f" % (q / g))
PY
done
