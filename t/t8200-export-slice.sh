#!/bin/sh
test_description='quire export-slice and quire slice: a vertical slice of a database, its ancestors by foreign keys, as a package'
. ./test-lib.sh

if ! test_have_prereq PYTHON3 || ! command -v sqlite3 >/dev/null
then
	skip_all='python3 and the sqlite3 command are needed'
	test_done
fi

SQ="'"

# manifest TOP: the manifest of version TOP in the folder registry reg.
manifest () {
	echo "reg/.quilt/packages/$1"
}

test_expect_success 'setup: a lab database of seven tables, its files, and helpers' '
	mkdir -p raw &&
	echo first >raw/a.bin &&
	printf "\000second\377" >raw/b.bin &&
	echo fourth >raw/d.bin &&
	cat >lab.sql <<-EOF &&
	CREATE TABLE lab (lab_id INTEGER PRIMARY KEY, name TEXT NOT NULL);
	CREATE TABLE subject (subject_id TEXT PRIMARY KEY,
	    lab_id INTEGER NOT NULL REFERENCES lab, species TEXT) WITHOUT ROWID;
	CREATE TABLE session (subj TEXT REFERENCES subject (subject_id),
	    session_no INTEGER, started TEXT, PRIMARY KEY (subj, session_no));
	CREATE TABLE probe (probe_id INTEGER PRIMARY KEY,
	    owner INTEGER REFERENCES lab (lab_id), serial BLOB);
	CREATE TABLE recording (rec_id INTEGER PRIMARY KEY, animal TEXT,
	    sess INTEGER, probe_id INTEGER REFERENCES probe, path TEXT,
	    FOREIGN KEY (animal, sess) REFERENCES session (subj, session_no));
	CREATE TABLE unit (unit_id INTEGER PRIMARY KEY,
	    rec INTEGER NOT NULL REFERENCES recording (rec_id), quality REAL,
	    note TEXT);
	CREATE TABLE protocol (name TEXT PRIMARY KEY, body TEXT);
	CREATE INDEX unit_by_rec ON unit (rec);
	CREATE VIEW good_units AS SELECT * FROM unit WHERE quality > 0.5;
	INSERT INTO lab VALUES (1, ${SQ}north${SQ}), (2, ${SQ}south${SQ}),
	    (3, ${SQ}east${SQ}), (4, ${SQ}west${SQ});
	INSERT INTO subject VALUES (${SQ}m1${SQ}, 1, ${SQ}mouse${SQ}),
	    (${SQ}m2${SQ}, 2, ${SQ}mouse${SQ}), (${SQ}r1${SQ}, 3, ${SQ}rat${SQ}),
	    (${SQ}r2${SQ}, 4, NULL);
	INSERT INTO session (rowid, subj, session_no, started) VALUES
	    (10, ${SQ}m1${SQ}, 1, ${SQ}2024-01-01${SQ}),
	    (20, ${SQ}m1${SQ}, 2, ${SQ}2024-01-02${SQ}),
	    (30, ${SQ}m2${SQ}, 1, ${SQ}2024-02-01${SQ}),
	    (40, ${SQ}r1${SQ}, 1, ${SQ}2024-03-01${SQ}),
	    (50, ${SQ}r2${SQ}, 1, ${SQ}2024-04-01${SQ});
	INSERT INTO probe VALUES (10, 2, X${SQ}00ff${SQ}), (11, 3, X${SQ}${SQ}),
	    (12, 1, NULL);
	INSERT INTO recording VALUES
	    (100, ${SQ}m1${SQ}, 1, 10, ${SQ}raw/a.bin${SQ}),
	    (101, ${SQ}m1${SQ}, 2, 12, ${SQ}raw/b.bin${SQ}),
	    (102, ${SQ}m2${SQ}, 1, 11, NULL),
	    (103, ${SQ}r1${SQ}, 1, 12, ${SQ}raw/c.bin${SQ}),
	    (104, NULL, NULL, NULL, ${SQ}raw/d.bin${SQ});
	INSERT INTO unit VALUES (1000, 100, 0.9, ${SQ}it${SQ}${SQ}s${SQ}),
	    (1001, 100, 0.1, NULL),
	    (1002, 101, 0.85, ${SQ}two
	lines${SQ}),
	    (1003, 102, 1e-7, NULL), (1004, 103, 0.3, NULL),
	    (1005, 104, 0.95, NULL);
	UPDATE unit SET note = ${SQ}given${SQ} WHERE unit_id = 1005;
	CREATE TRIGGER unit_note AFTER INSERT ON unit BEGIN
	    UPDATE unit SET note = ${SQ}trigger ran${SQ} WHERE unit_id = new.unit_id;
	END;
	EOF
	sqlite3 lab.db <lab.sql &&
	sqlite3 lab.db "PRAGMA foreign_key_check" >out &&
	test_must_be_empty out &&
	cat >fixpoint.py <<-\EOF &&
	# fixpoint.py DB LEAVES.jsonl: the rows a slice of DB must hold, as
	# rows.py prints them, found naively: start from the leaves, then
	# add the parent rows of every row for every foreign key, again and
	# again, until nothing changes.
	import json, sqlite3, sys
	con = sqlite3.connect(sys.argv[1])
	q = lambda n: "\"" + n.replace("\"", "\"\"") + "\""
	tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master "
	          "WHERE type = ? AND name NOT LIKE ?", ("table", "sqlite_%"))]
	def key_cols(t):
	    try:
	        con.execute("SELECT rowid FROM " + q(t) + " LIMIT 0")
	        return ["rowid"]
	    except sqlite3.OperationalError:
	        pk = [r for r in con.execute("PRAGMA table_info(" + q(t) + ")")
	              if r[5]]
	        return [q(r[1]) for r in sorted(pk, key=lambda r: r[5])]
	def pk_cols(t):
	    pk = [r for r in con.execute("PRAGMA table_info(" + q(t) + ")")
	          if r[5]]
	    return [r[1] for r in sorted(pk, key=lambda r: r[5])]
	keys = {t: key_cols(t) for t in tables}
	fks = {}
	for t in tables:
	    by_id = {}
	    for r in con.execute("PRAGMA foreign_key_list(" + q(t) + ")"):
	        by_id.setdefault(r[0], []).append(r)
	    fks[t] = []
	    for rs in by_id.values():
	        rs.sort(key=lambda r: r[1])
	        parent = rs[0][2]
	        to = [r[4] for r in rs]
	        if to[0] is None:
	            to = pk_cols(parent)
	        fks[t].append((parent, [r[3] for r in rs], to))
	have = {t: set() for t in tables}
	def where(cols):
	    return " AND ".join(c + " IS ?" for c in cols)
	for line in open(sys.argv[2]):
	    leaf = json.loads(line)
	    t = [n for n in tables if n.lower() == leaf["table"].lower()][0]
	    sql = "SELECT %s FROM %s WHERE (%s)" % (", ".join(keys[t]), q(t),
	                                            leaf["restriction"])
	    have[t].update(con.execute(sql).fetchall())
	changed = True
	while changed:
	    changed = False
	    for t in tables:
	        for k in list(have[t]):
	            for parent, frm, to in fks[t]:
	                vals = con.execute("SELECT %s FROM %s WHERE %s" % (
	                    ", ".join(q(c) for c in frm), q(t), where(keys[t])),
	                    k).fetchone()
	                if None in vals:
	                    continue
	                for p in con.execute("SELECT %s FROM %s WHERE %s" % (
	                        ", ".join(keys[parent]), q(parent),
	                        " AND ".join(q(c) + " = ?" for c in to)), vals):
	                    if p not in have[parent]:
	                        have[parent].add(p)
	                        changed = True
	out = []
	for t in tables:
	    rowid = "rowid, " if keys[t] == ["rowid"] else ""
	    for k in have[t]:
	        for r in con.execute("SELECT %s* FROM %s WHERE %s" % (
	                rowid, q(t), where(keys[t])), k):
	            out.append("%s\t%r" % (t, r))
	print("\n".join(sorted(out)))
	EOF
	cat >rows.py <<-\EOF &&
	# rows.py DB: every row of every table, rowid first where there is
	# one, as "<table>\t<row>", sorted.
	import sqlite3, sys
	con = sqlite3.connect(sys.argv[1])
	out = []
	for (t,) in con.execute("SELECT name FROM sqlite_master WHERE type = ? "
	                        "AND name NOT LIKE ?", ("table", "sqlite_%")):
	    qt = "\"" + t.replace("\"", "\"\"") + "\""
	    try:
	        cur = con.execute("SELECT rowid, * FROM " + qt)
	    except sqlite3.OperationalError:
	        cur = con.execute("SELECT * FROM " + qt)
	    out += ["%s\t%r" % (t, r) for r in cur]
	print("\n".join(sorted(out)))
	EOF
	cat >meta.py <<-\EOF &&
	# meta.py MANIFEST [KEY]: the user_meta of the package, or of the
	# entry KEY, as sorted JSON.
	import json, sys
	lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
	if len(sys.argv) == 2:
	    print(json.dumps(json.loads(lines[0])["user_meta"], sort_keys=True))
	for line in lines[1:]:
	    e = json.loads(line)
	    if len(sys.argv) > 2 and e["logical_key"] == sys.argv[2]:
	        print(json.dumps(e["meta"].get("user_meta"), sort_keys=True))
	EOF
	cat >leaves.jsonl <<-EOF
	{"table": "unit", "restriction": "quality > 0.8"}
	{"table": "session", "restriction": "subj = ${SQ}r2${SQ}"}
	EOF
'

test_expect_success 'export-slice -h prints the usage' '
	quire export-slice -h >out &&
	test_grep "^usage: quire export-slice " out &&
	test_grep "restrict <table> <condition>" out
'

test_expect_success '--preview prints every table with its rows, then the files' '
	quire export-slice lab.db --restrict unit "quality > 0.8" \
		--restrict session "subj = ${SQ}r2${SQ}" \
		--file-column recording.path --preview >out &&
	cat >expect <<-EOF &&
	3	lab
	2	subject
	3	session
	2	probe
	3	recording
	3	unit
	0	protocol
	file	$PWD/raw/a.bin
	file	$PWD/raw/b.bin
	file	$PWD/raw/d.bin
	EOF
	test_cmp expect out
'

test_expect_success '--preview writes nothing, and needs no --name' '
	quire export-slice lab.db --leaves leaves.jsonl --preview \
		--registry "$PWD/reg" >out &&
	test_path_is_missing reg &&
	test_path_is_missing "$XDG_DATA_HOME/quire" &&
	test_line_count = 7 out
'

test_expect_success 'export a slice from two leaves, with a file column' '
	quire export-slice lab.db --restrict unit "quality > 0.8" \
		--restrict session "subj = ${SQ}r2${SQ}" \
		--file-column recording.path --name lab/fig3 \
		--registry "$PWD/reg" -m "figure 3" >top 2>err &&
	test_grep "^[0-9a-f]\{64\}\$" top &&
	test_grep "^exported 16 rows of 7 tables and 3 files as lab/fig3@$(cut -c1-12 top) in file://.*/reg\$" err &&
	printf "%s" $(cat top) >expect &&
	test_cmp expect reg/.quilt/named_packages/lab/fig3/latest
'

test_expect_success 'the package holds the slice, its dump, the files and a README' '
	quire ls --registry "$PWD/reg" lab/fig3 >out &&
	printf "%s\n" README.md files/ slice.sql slice.sqlite >expect &&
	test_cmp expect out &&
	quire ls -R --registry "$PWD/reg" lab/fig3 >out &&
	cat >expect <<-\EOF &&
	README.md
	files/a.bin
	files/b.bin
	files/d.bin
	slice.sql
	slice.sqlite
	EOF
	test_cmp expect out &&
	for f in a b d
	do
		quire cat --registry "$PWD/reg" lab/fig3 files/$f.bin >got &&
		test_cmp raw/$f.bin got || return 1
	done &&
	python3 meta.py "$(manifest $(cat top))" files/b.bin >out &&
	echo "{\"path\": \"raw/b.bin\"}" >expect &&
	test_cmp expect out
'

test_expect_success 'slice.sqlite holds exactly the rows the fixpoint gives' '
	quire cat --registry "$PWD/reg" lab/fig3 slice.sqlite >slice.db &&
	python3 fixpoint.py lab.db leaves.jsonl >expect &&
	python3 rows.py slice.db >actual &&
	test_cmp expect actual &&
	test_line_count = 16 actual
'

test_expect_success 'the rows, written out: diamond, composite and renamed keys, NULL keys' '
	sqlite3 slice.db "SELECT lab_id FROM lab; SELECT subject_id FROM subject;
		SELECT rowid, subj, session_no FROM session;
		SELECT probe_id FROM probe; SELECT rec_id FROM recording;
		SELECT unit_id, quote(note) FROM unit" >actual &&
	cat >expect <<-EOF &&
	1
	2
	4
	m1
	r2
	10|m1|1
	20|m1|2
	50|r2|1
	10
	12
	100
	101
	104
	1000|${SQ}it${SQ}${SQ}s${SQ}
	1002|${SQ}two
	lines${SQ}
	1005|${SQ}given${SQ}
	EOF
	test_cmp expect actual
'

test_expect_success 'slice.sqlite: the same schema, foreign keys intact' '
	sqlite3 lab.db "SELECT type, name, tbl_name, sql FROM sqlite_master
		ORDER BY name" >expect &&
	sqlite3 slice.db "SELECT type, name, tbl_name, sql FROM sqlite_master
		ORDER BY name" >actual &&
	test_cmp expect actual &&
	sqlite3 slice.db "PRAGMA foreign_key_check" >out &&
	test_must_be_empty out &&
	sqlite3 slice.db "PRAGMA integrity_check" >out &&
	echo ok >expect &&
	test_cmp expect out
'

test_expect_success 'slice.sql rebuilds the same database with sqlite3' '
	quire cat --registry "$PWD/reg" lab/fig3 slice.sql >slice.sql &&
	head -n 2 slice.sql >out &&
	printf "PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\n" >expect &&
	test_cmp expect out &&
	tail -n 1 slice.sql >out &&
	echo "COMMIT;" >expect &&
	test_cmp expect out &&
	sqlite3 rebuilt.db <slice.sql &&
	python3 rows.py slice.db >expect &&
	python3 rows.py rebuilt.db >actual &&
	test_cmp expect actual &&
	sqlite3 slice.db "SELECT type, name, sql FROM sqlite_master
		ORDER BY name" >expect &&
	sqlite3 rebuilt.db "SELECT type, name, sql FROM sqlite_master
		ORDER BY name" >actual &&
	test_cmp expect actual &&
	sqlite3 rebuilt.db "SELECT quote(serial) FROM probe" >actual &&
	printf "X${SQ}00FF${SQ}\nNULL\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'metadata: source, leaves, rows per table, files' '
	python3 meta.py "$(manifest $(cat top))" >actual &&
	cat >expect.json <<-EOF &&
	{"slice": {"source": "lab.db", "leaves": [
	  {"table": "unit", "restriction": "quality > 0.8"},
	  {"table": "session", "restriction": "subj = ${SQ}r2${SQ}"}],
	 "tables": {"lab": 3, "subject": 2, "session": 3, "probe": 2,
	  "recording": 3, "unit": 3, "protocol": 0}, "files": 3}}
	EOF
	python3 -c "import json, sys; print(json.dumps(json.load(sys.stdin), sort_keys=True))" \
		<expect.json >expect &&
	test_cmp expect actual
'

test_expect_success 'provenance: the database is an input; the options add to it' '
	head -n 1 "$(manifest $(cat top))" >pkg &&
	python3 -c "import json, sys; i = json.load(open(sys.argv[1]))[\"provenance\"][\"inputs\"]; print(len(i), i[0][\"path\"], i[0][\"size\"], i[0][\"hash\"][\"value\"])" pkg >actual &&
	echo "1 $PWD/lab.db $(wc -c <lab.db) $(quire hash-object lab.db)" >expect &&
	test_cmp expect actual &&
	quire export-slice lab.db --restrict unit "quality > 0.8" \
		--name lab/fig3-prov --registry "$PWD/reg" \
		--env image=lab:2 --source-commit abc123 >top-prov &&
	head -n 1 "$(manifest $(cat top-prov))" >pkg &&
	python3 -c "import json, sys; p = json.load(open(sys.argv[1]))[\"provenance\"]; print(p[\"environment\"][\"image\"], p[\"source\"][\"commit\"], len(p[\"inputs\"]))" pkg >actual &&
	echo "lab:2 abc123 1" >expect &&
	test_cmp expect actual
'

test_expect_success 'README.md: source, leaves, tables and rows, files, how to rebuild' '
	quire readme --registry "$PWD/reg" lab/fig3 >readme &&
	test_grep "^# lab/fig3\$" readme &&
	test_grep "^A vertical slice of the database \`lab.db\`" readme &&
	test_grep "^| \`unit\` | \`quality > 0.8\` |\$" readme &&
	test_grep "^| \`session\` | \`subj = ${SQ}r2${SQ}\` |\$" readme &&
	test_grep "^| \`lab\` | 3 |\$" readme &&
	test_grep "^| \`protocol\` | 0 |\$" readme &&
	test_grep "^| total | 16 |\$" readme &&
	test_grep "\`recording.path\` name" readme &&
	test_grep "(3 files)" readme &&
	test_grep "^      sqlite3 slice.db < slice.sql\$" readme
'

test_expect_success 'install the slice and use it' '
	quire install --registry "$PWD/reg" lab/fig3 --to inst >out 2>err &&
	test_cmp top out &&
	test_cmp raw/b.bin inst/files/b.bin &&
	sqlite3 inst/slice.sqlite "SELECT count(*) FROM good_units" >out &&
	echo 3 >expect &&
	test_cmp expect out
'

test_expect_success '--leaves reads JSON lines; the same slice as --restrict' '
	quire export-slice lab.db --leaves leaves.jsonl --preview >out &&
	head -n 7 out >actual &&
	quire export-slice lab.db --preview --restrict unit "quality > 0.8" \
		--restrict session "subj = ${SQ}r2${SQ}" >expect &&
	test_cmp expect actual
'

test_expect_success 'restrictions on one table from several leaves add up' '
	quire export-slice lab.db --preview \
		--restrict unit "unit_id = 1000 -- a trailing comment" \
		--restrict unit "unit_id IN (1000, 1003)" \
		--restrict recording "rec_id = 101" >out &&
	cat >expect <<-\EOF &&
	3	lab
	2	subject
	3	session
	3	probe
	3	recording
	2	unit
	0	protocol
	EOF
	test_cmp expect out
'

test_expect_success 'a bad line in a leaves file is fatal, naming file and line' '
	printf "{\"table\": \"unit\", \"restriction\": \"1\"}\n\n{\"table\": \"unit\"}\n" >bad.jsonl &&
	test_fatal 128 quire export-slice lab.db --leaves bad.jsonl --preview &&
	test_grep "^fatal: bad.jsonl:3: not a leaf (no \"restriction\")" err &&
	echo "[1]" >bad.jsonl &&
	test_fatal 128 quire export-slice lab.db --leaves bad.jsonl --preview &&
	test_grep "^fatal: bad.jsonl:1: not a leaf (not a JSON object)" err &&
	echo "{\"table\": 1, \"restriction\": \"1\"}" >bad.jsonl &&
	test_fatal 128 quire export-slice lab.db --leaves bad.jsonl --preview &&
	test_grep "\"table\" is not a string" err
'

test_expect_success 'a restriction that is not valid SQL shows the message of the database' '
	test_fatal 128 quire export-slice lab.db --restrict unit "quality >>> 1" \
		--name lab/bad --registry "$PWD/reg-bad" &&
	test_grep "^fatal: restriction \"quality >>> 1\" on table ${SQ}unit${SQ} fails: near \">\": syntax error\$" err &&
	test_fatal 128 quire export-slice lab.db --restrict unit "nosuch = 1" \
		--name lab/bad --registry "$PWD/reg-bad" &&
	test_grep "no such column: nosuch" err &&
	test_path_is_missing reg-bad
'

test_expect_success 'a table that does not exist is refused, with a suggestion' '
	test_fatal 128 quire export-slice lab.db --restrict units "1" \
		--name lab/bad --registry "$PWD/reg-bad" &&
	test_grep "^fatal: no table ${SQ}units${SQ} in ${SQ}lab.db${SQ}; did you mean ${SQ}unit${SQ}?\$" err &&
	test_fatal 128 quire export-slice lab.db --restrict zzzzzzzz "1" \
		--name lab/bad --registry "$PWD/reg-bad" &&
	test_grep "^fatal: no table ${SQ}zzzzzzzz${SQ} in ${SQ}lab.db${SQ}; its tables are: lab subject session probe recording unit protocol\$" err &&
	test_path_is_missing reg-bad
'

test_expect_success 'a file column naming a missing file is refused' '
	test_fatal 128 quire export-slice lab.db --restrict unit "unit_id = 1004" \
		--file-column recording.path --name lab/bad \
		--registry "$PWD/reg-bad" &&
	test_grep "^fatal: table ${SQ}recording${SQ}, row 103, column ${SQ}path${SQ} names ${SQ}$PWD/raw/c.bin${SQ}, which does not exist" err &&
	test_path_is_missing reg-bad
'

test_expect_success '--skip-missing leaves the missing file out, and keeps its row' '
	quire export-slice lab.db --restrict unit "unit_id >= 1004" \
		--file-column recording.path --skip-missing --name lab/skip \
		--registry "$PWD/reg" >top2 2>err &&
	test_grep "^left out 1 missing file (--skip-missing)\$" err &&
	quire ls -R --registry "$PWD/reg" lab/skip >out &&
	test_grep "^files/d.bin\$" out &&
	test_grep -v "c.bin" out &&
	quire cat --registry "$PWD/reg" lab/skip slice.sqlite >skip.db &&
	sqlite3 skip.db "SELECT path FROM recording ORDER BY rec_id" >out &&
	printf "raw/c.bin\nraw/d.bin\n" >expect &&
	test_cmp expect out
'

test_expect_success 'bad file columns are refused' '
	test_fatal 128 quire export-slice lab.db --restrict unit 1 \
		--file-column recording --preview &&
	test_grep "names no column; write <table>.<column>" err &&
	test_fatal 128 quire export-slice lab.db --restrict unit 1 \
		--file-column recording.nope --preview &&
	test_grep "table ${SQ}recording${SQ} has no column ${SQ}nope${SQ}" err &&
	test_fatal 128 quire export-slice lab.db --restrict unit 1 \
		--file-column recordings.path --preview &&
	test_grep "no table ${SQ}recordings${SQ}" err &&
	test_fatal 128 quire export-slice lab.db --restrict unit 1 \
		--file-column unit.quality --preview &&
	test_grep "holds a number, not the path of a file" err
'

test_expect_success '--root says where relative paths start' '
	mkdir elsewhere &&
	cp lab.db elsewhere/ &&
	test_fatal 128 quire export-slice elsewhere/lab.db --restrict unit \
		"unit_id = 1000" --file-column recording.path --preview &&
	quire export-slice elsewhere/lab.db --restrict unit "unit_id = 1000" \
		--file-column recording.path --root "$PWD" --preview >out &&
	test_grep "^file	$PWD/raw/a.bin\$" out
'

test_expect_success 'no leaves, no name, or a bad name is refused' '
	test_expect_code 129 quire export-slice lab.db --preview 2>err &&
	test_grep "^error: no leaves" err &&
	: >empty.jsonl &&
	test_fatal 128 quire export-slice lab.db --leaves empty.jsonl --preview &&
	test_grep "^fatal: no leaves in empty.jsonl" err &&
	test_expect_code 129 quire export-slice lab.db --restrict unit 1 2>err &&
	test_grep "^error: --name is needed" err &&
	test_fatal 128 quire export-slice lab.db --restrict unit 1 --name bad &&
	test_fatal 128 quire export-slice nosuch.db --restrict unit 1 --preview &&
	test_grep "nosuch.db" err &&
	test_expect_code 129 quire export-slice --restrict unit 1 --preview &&
	test_expect_code 129 quire export-slice lab.db --restrict unit
'

test_expect_success 'setup: foreign key cycles, a self-reference, a broken key' '
	cat >cycle.sql <<-EOF &&
	CREATE TABLE a (id INTEGER PRIMARY KEY, b_id INTEGER REFERENCES b (id));
	CREATE TABLE b (id INTEGER PRIMARY KEY, a_id INTEGER REFERENCES a (id));
	CREATE TABLE emp (id INTEGER PRIMARY KEY, boss INTEGER REFERENCES emp,
	    name TEXT);
	INSERT INTO a VALUES (1, 1), (2, 2), (3, 3);
	INSERT INTO b VALUES (1, 2), (2, 1), (3, 3);
	INSERT INTO emp VALUES (1, 1, ${SQ}ceo${SQ}), (2, 1, ${SQ}cto${SQ}),
	    (3, 1, ${SQ}vp${SQ}), (4, 3, ${SQ}lead${SQ}), (5, 4, ${SQ}dev${SQ}),
	    (6, 2, ${SQ}ops${SQ});
	EOF
	sqlite3 cycle.db <cycle.sql &&
	sqlite3 cycle.db "PRAGMA foreign_key_check" >out &&
	test_must_be_empty out
'

test_expect_success 'a foreign key cycle and a self-reference end, with the right rows' '
	quire export-slice cycle.db --restrict a "id = 1" \
		--restrict emp "id = 5" --name cy/cle --registry "$PWD/reg" \
		-q >top3 &&
	quire cat --registry "$PWD/reg" cy/cle slice.sqlite >cycle-slice.db &&
	sqlite3 cycle-slice.db "SELECT * FROM a; SELECT * FROM b;
		SELECT * FROM emp" >actual &&
	cat >expect <<-\EOF &&
	1|1
	2|2
	1|2
	2|1
	1|1|ceo
	3|1|vp
	4|3|lead
	5|4|dev
	EOF
	test_cmp expect actual &&
	printf "%s\n" "{\"table\": \"a\", \"restriction\": \"id = 1\"}" \
		"{\"table\": \"emp\", \"restriction\": \"id = 5\"}" >cy.jsonl &&
	python3 fixpoint.py cycle.db cy.jsonl >expect &&
	python3 rows.py cycle-slice.db >actual &&
	test_cmp expect actual &&
	sqlite3 cycle-slice.db "PRAGMA foreign_key_check" >out &&
	test_must_be_empty out
'

test_expect_success 'a database that breaks its own foreign keys: a warning, not an error' '
	sqlite3 broken.db "CREATE TABLE p (id INTEGER PRIMARY KEY);
		CREATE TABLE c (id INTEGER PRIMARY KEY, p INTEGER REFERENCES p);
		INSERT INTO p VALUES (1); INSERT INTO c VALUES (1, 1), (2, 7), (3, 8);" &&
	quire export-slice broken.db --restrict c 1 --name br/oken \
		--registry "$PWD/reg" >out 2>err &&
	test_grep "^warning: 2 rows of table ${SQ}c${SQ} in the slice refer to rows that ${SQ}broken.db${SQ} does not have" err
'

test_expect_success 'slice start, add, show, list: a named list of leaves in the workspace' '
	mkdir ws &&
	(
		cd ws &&
		quire init -q &&
		quire slice start fig3 &&
		quire slice add fig3 unit "quality > 0.8" &&
		quire slice add fig3 session "subj = ${SQ}r2${SQ}" &&
		quire slice show fig3 >../out &&
		quire slice start other-1.x &&
		quire slice list >../list
	) &&
	test_cmp leaves.jsonl out &&
	test_cmp leaves.jsonl ws/.quire/slices/fig3 &&
	printf "fig3\nother-1.x\n" >expect &&
	test_cmp expect list
'

test_expect_success 'slice refuses an id that exists, is unknown, or is malformed' '
	test_fatal 128 quire -C ws slice start fig3 &&
	test_grep "slice ${SQ}fig3${SQ} exists already" err &&
	test_fatal 128 quire -C ws slice add nosuch unit 1 &&
	test_grep "^fatal: no slice ${SQ}nosuch${SQ}; ${SQ}quire slice start nosuch${SQ} makes one" err &&
	test_fatal 128 quire -C ws slice show nosuch &&
	test_fatal 128 quire -C ws slice drop nosuch &&
	test_fatal 128 quire -C ws slice start "a/b" &&
	test_grep "invalid slice id" err &&
	test_fatal 128 quire -C ws slice start ".hidden" &&
	test_fatal 128 quire -C ws slice start "x.lock" &&
	test_expect_code 129 quire -C ws slice add fig3 unit &&
	test_expect_code 129 quire -C ws slice nosuch &&
	test_fatal 128 quire slice list &&
	test_grep "quire init" err
'

test_expect_success 'slice export: the list, then any --restrict given' '
	quire -C ws slice export fig3 ../lab.db --preview >out &&
	quire export-slice lab.db --leaves leaves.jsonl --preview >expect &&
	test_cmp expect out &&
	quire -C ws slice export fig3 ../lab.db --preview \
		--restrict protocol 1 >out &&
	test_grep "^0	protocol\$" out &&
	quire -C ws slice export fig3 "$PWD/lab.db" --name lab/fig3-ws \
		--registry "$PWD/reg" -q >top4 &&
	python3 meta.py "$(manifest $(cat top4))" >actual &&
	test_grep "\"leaves\": \[{\"restriction\": \"quality > 0.8\", \"table\": \"unit\"}, {\"restriction\": \"subj = ${SQ}r2${SQ}\", \"table\": \"session\"}\]" actual &&
	quire cat --registry "$PWD/reg" lab/fig3-ws slice.sqlite >ws.db &&
	python3 rows.py ws.db >actual &&
	python3 rows.py slice.db >expect &&
	test_cmp expect actual &&
	test_fatal 128 quire -C ws slice export nosuch ../lab.db --preview &&
	test_grep "no slice ${SQ}nosuch${SQ}" err &&
	quire -C ws slice export -h >out &&
	test_grep "^usage: quire slice export <id>" out
'

test_expect_success 'slice drop deletes the list' '
	quire -C ws slice drop other-1.x &&
	quire -C ws slice list >out &&
	echo fig3 >expect &&
	test_cmp expect out &&
	test_path_is_missing ws/.quire/slices/other-1.x &&
	quire -C ws slice drop fig3 &&
	quire -C ws slice list >out &&
	test_must_be_empty out
'

test_done
