#!/bin/sh
# Benchmarks of the database exports, run by bench/run.sh (sections dsdb
# and slice) with QUIRE, DIR and measure() set; bench/db-servers.sh
# (section slice-servers) takes slice_data from here.
#   BENCH_DSDB_ROWS   rows (and small files) of the export-dsdb table
#                     (default 100000)
#   BENCH_SLICE_ROWS  rows of the export-slice leaf table (default 1000000)

dsdb_bench () {
	n=${BENCH_DSDB_ROWS:-100000}
	d=$DIR/dsdb-$n
	echo "== export-dsdb of a $n-row table naming $n small files"
	if ! test -s "$d/lab.db"; then
		rm -rf "$d" && mkdir -p "$d/files"
		python3 - "$d" "$n" <<'PY'
import os, sqlite3, sys
root, n = sys.argv[1], int(sys.argv[2])
db = sqlite3.connect(os.path.join(root, "lab.db"))
db.execute("CREATE TABLE samples (id INTEGER PRIMARY KEY, subject TEXT, "
           "label TEXT, score REAL, path TEXT)")
rows = []
for i in range(n):
    sub = os.path.join("files", "%03d" % (i // 1000))
    if i % 1000 == 0:
        os.makedirs(os.path.join(root, sub), exist_ok=True)
    p = os.path.join(sub, "%06d.txt" % i)
    with open(os.path.join(root, p), "w") as f:
        f.write("sample %d\n" % i)
    rows.append((i, "s%d" % (i % 97), ("cat", "dog")[i % 2], i / 7.0, p))
db.executemany("INSERT INTO samples VALUES (?, ?, ?, ?, ?)", rows)
db.commit()
PY
	fi
	rm -rf "$d/reg" "$d/inst" "$d/new.db"
	echo "quire export-dsdb:   $(measure "$QUIRE" export-dsdb "$d/lab.db" \
		--table samples --file-column path --name bench/dsdb \
		--registry "$d/reg" -q)"
	rm -rf "$d/reg"
	echo "  second run:        $(measure "$QUIRE" export-dsdb "$d/lab.db" \
		--table samples --file-column path --name bench/dsdb \
		--registry "$d/reg" -q)"
	rm -rf "$XDG_CACHE_HOME"	# every object is fetched again
	echo "quire import-dsdb:   $(measure "$QUIRE" import-dsdb \
		--registry "$d/reg" --to "$d/inst" bench/dsdb "$d/new.db" -q)"
	echo "rows imported:       $(sqlite3 "$d/new.db" 'SELECT count(*) FROM samples')"
	rm -rf "$XDG_CACHE_HOME" "$d/inst2"
	echo "reference: install:  $(measure "$QUIRE" install -q \
		--registry "$d/reg" --to "$d/inst2" bench/dsdb)"
	# the same files as a plain package, for scale: add, commit, push
	rm -rf "$d/ws" "$d/reg2" && mkdir -p "$d/ws"
	(cd "$d/ws" && "$QUIRE" init -q bench/plain &&
	 "$QUIRE" add -q --as files "$d/files")
	echo "reference: commit:   $(cd "$d/ws" && measure "$QUIRE" commit -q -m b)"
	echo "reference: push:     $(cd "$d/ws" && measure "$QUIRE" push -q \
		--allow-local-files "$d/reg2" bench/plain)"
}

# slice_data D N: D/lab.db, the slice benchmarks' SQLite database (six
# tables; N rows in the leaf, spikes), made once and kept
slice_data () {
	d=$1 n=$2
	if ! test -s "$d/lab.db"; then
		rm -rf "$d" && mkdir -p "$d"
		python3 - "$d/lab.db" "$n" <<'PY'
import sqlite3, sys
path, n = sys.argv[1], int(sys.argv[2])
db = sqlite3.connect(path)
db.executescript("""
CREATE TABLE lab (lab_id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE subject (subject_id INTEGER PRIMARY KEY, lab INTEGER
    REFERENCES lab(lab_id), species TEXT);
CREATE TABLE session (subject_id INTEGER REFERENCES subject, session_no
    INTEGER, date TEXT, PRIMARY KEY (subject_id, session_no));
CREATE TABLE probe (probe_id INTEGER PRIMARY KEY, kind TEXT);
CREATE TABLE unit (unit_id INTEGER PRIMARY KEY, subj INTEGER, sess INTEGER,
    probe INTEGER REFERENCES probe, FOREIGN KEY (subj, sess)
    REFERENCES session (subject_id, session_no));
CREATE TABLE spikes (spike_id INTEGER PRIMARY KEY, unit_id INTEGER
    REFERENCES unit, t REAL, amplitude REAL);
""")
db.executemany("INSERT INTO lab VALUES (?, ?)", [(i, "lab%d" % i) for i in range(10)])
db.executemany("INSERT INTO subject VALUES (?, ?, ?)",
               [(i, i % 10, "mouse") for i in range(1000)])
db.executemany("INSERT INTO session VALUES (?, ?, ?)",
               [(s, k, "2024-01-%02d" % (k + 1)) for s in range(1000) for k in range(10)])
db.executemany("INSERT INTO probe VALUES (?, ?)", [(i, "np%d" % i) for i in range(100)])
db.executemany("INSERT INTO unit VALUES (?, ?, ?, ?)",
               [(u, u % 1000, (u // 1000) % 10, u % 100) for u in range(100000)])
db.executemany("INSERT INTO spikes VALUES (?, ?, ?, ?)",
               ((i, i % 100000, i * 0.001, (i % 97) / 10.0) for i in range(n)))
db.commit()
PY
	fi
}

slice_bench () {
	n=${BENCH_SLICE_ROWS:-1000000}
	d=$DIR/slice-$n
	echo "== export-slice of a database with $n rows in its leaf table"
	slice_data "$d" "$n"
	rm -rf "$d/reg"
	echo "leaf: all $n rows of spikes"
	echo "quire export-slice --preview: $(measure "$QUIRE" export-slice \
		"$d/lab.db" --restrict spikes "1 = 1" --preview)"
	cat "$DIR/cmd.out"
	echo "quire export-slice:  $(measure "$QUIRE" export-slice "$d/lab.db" \
		--restrict spikes "1 = 1" --name bench/slice \
		--registry "$d/reg" -q)"
	echo "leaf: the spikes of 1% of the units"
	echo "quire export-slice:  $(measure "$QUIRE" export-slice "$d/lab.db" \
		--restrict spikes "unit_id % 100 = 0" --name bench/slice1 \
		--registry "$d/reg" -q)"
}
