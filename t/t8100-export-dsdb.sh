#!/bin/sh
test_description='quire export-dsdb and import-dsdb: a table whose columns name files, as a package, and back'
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

test_expect_success 'setup: a lab database, its files, and helpers' '
	mkdir -p src/raw/img/sub src/raw/notes &&
	printf "\000\001\002binary\377" >src/raw/img/a.bin &&
	echo "sub file" >src/raw/img/sub/b.txt &&
	printf "c\r\nbytes" >src/raw/img/c.bin &&
	echo "first notes" >src/raw/notes/n1.txt &&
	cat >make-lab.py <<-\EOF &&
	import sqlite3, sys
	con = sqlite3.connect(sys.argv[1])
	con.execute("CREATE TABLE samples (id INTEGER, score REAL, "
	            "label TEXT, payload BLOB, image TEXT, notes TEXT)")
	con.execute("CREATE TABLE owners (sample INTEGER, name TEXT)")
	rows = [
	    (1, 1.5, "dög, \"quoted\"", b"\x00\xff\x00", "raw/img/a.bin",
	     "raw/notes/n1.txt"),
	    (2, None, "日本\r\nline", b"", "raw/img/a.bin", None),
	    (3, -2.25, "emoji 😀", None, "raw/img/sub/b.txt",
	     "raw/notes/n1.txt"),
	    (4, 0.1, None, b"\x80\xfe", None, None),
	]
	con.executemany("INSERT INTO samples VALUES (?, ?, ?, ?, ?, ?)", rows)
	# text that is not UTF-8 (bytes cast to TEXT), and a NULL id
	con.execute("INSERT INTO samples VALUES (NULL, 1e20, "
	            "CAST(? AS TEXT), ?, ?, NULL)",
	            (b"\xff\xfebad", b"\x00", "raw/img/c.bin"))
	con.executemany("INSERT INTO owners VALUES (?, ?)",
	                [(1, "ann"), (2, "bob"), (3, "cy")])
	con.commit()
	EOF
	cat >compare.py <<-\EOF &&
	# compare.py SRC SRCTABLE OUT OUTTABLE INSTALLDIR COMMON FILECOL...
	# The rows of SRCTABLE and OUTTABLE are the same, but for the file
	# columns: OUT holds INSTALLDIR/files/<path below COMMON>, a file
	# with the bytes of the source file.
	import os, sqlite3, sys
	src, stab, out, otab, inst, common = sys.argv[1:7]
	fcols = set(sys.argv[7:])
	inst = os.path.realpath(inst)
	common = os.path.realpath(common)
	srcdir = os.path.dirname(os.path.abspath(src))
	def rows(db, table):
	    con = sqlite3.connect(db)
	    con.text_factory = bytes
	    cur = con.execute("SELECT * FROM \"%s\" ORDER BY rowid" % table)
	    names = [d[0] for d in cur.description]
	    got = cur.fetchall()
	    typ = "SELECT " + ", ".join("typeof(\"%s\")" % n for n in names)
	    types = con.execute(typ + " FROM \"%s\" ORDER BY rowid" %
	                        table).fetchall()
	    decl = [(r[1], r[2]) for r in
	            con.execute("PRAGMA table_info(\"%s\")" % table)]
	    return names, got, types, decl
	sn, sr, st, sd = rows(src, stab)
	on, orow, ot, od = rows(out, otab)
	assert sn == on, (sn, on)
	assert sd == od, (sd, od)
	assert len(sr) == len(orow), (len(sr), len(orow))
	assert st == ot, (st, ot)
	for i, (a, b) in enumerate(zip(sr, orow)):
	    for name, x, y in zip(sn, a, b):
	        if name not in fcols or x is None:
	            assert x == y, (i, name, x, y)
	            continue
	        x = os.path.join(srcdir, x.decode())
	        rel = os.path.relpath(os.path.realpath(x), common)
	        want = os.path.join(inst, "files", rel)
	        assert y.decode() == want, (i, name, y, want)
	        with open(x, "rb") as f1, open(want, "rb") as f2:
	            assert f1.read() == f2.read(), (i, name)
	print("%d rows match" % len(sr))
	EOF
	cat >entry-meta.py <<-\EOF &&
	# entry-meta.py MANIFEST [KEY]: the user_meta of the entry KEY, or
	# of the package, as sorted JSON.
	import json, sys
	lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
	if len(sys.argv) == 2:
	    meta = json.loads(lines[0]).get("user_meta")
	else:
	    meta = None
	    for line in lines[1:]:
	        e = json.loads(line)
	        if e["logical_key"] == sys.argv[2]:
	            meta = e.get("meta", {}).get("user_meta")
	            break
	    else:
	        sys.exit("no entry " + sys.argv[2])
	print(json.dumps(meta, sort_keys=True, ensure_ascii=False))
	EOF
	cat >keys.py <<-\EOF &&
	# keys.py MANIFEST: the logical keys, one a line.
	import json, sys
	for line in open(sys.argv[1], encoding="utf-8").read().splitlines()[1:]:
	    print(json.loads(line)["logical_key"])
	EOF
	python3 make-lab.py src/lab.db &&
	sqlite3 src/lab.db "SELECT count(*) FROM samples" >out &&
	echo 5 >expect &&
	test_cmp expect out
'

test_expect_success 'export-dsdb -h and import-dsdb -h exit 0' '
	quire export-dsdb -h >out &&
	test_grep "^usage: quire export-dsdb " out &&
	quire import-dsdb -h >out &&
	test_grep "^usage: quire import-dsdb " out
'

test_expect_success 'export a table with two file columns' '
	quire export-dsdb src/lab.db --table samples --file-column image \
		--file-column notes --name lab/samples --registry ./reg \
		-m "first export" >top1 2>err &&
	test_line_count = 1 top1 &&
	test_grep "^[0-9a-f]\{64\}\$" top1 &&
	test_grep "^exported 5 rows and 4 files as lab/samples@$(cut -c1-12 top1) in file://.*/reg\$" err &&
	test_path_is_file "$(manifest $(cat top1))" &&
	printf "%s" $(cat top1) >expect &&
	test_cmp expect reg/.quilt/named_packages/lab/samples/latest
'

test_expect_success 'the package: README, data, each file once below the folder they share' '
	python3 keys.py "$(manifest $(cat top1))" >actual &&
	cat >expect <<-\EOF &&
	README.md
	data.csv
	data.sqlite
	files/img/a.bin
	files/img/c.bin
	files/img/sub/b.txt
	files/notes/n1.txt
	EOF
	test_cmp expect actual &&
	for f in img/a.bin img/c.bin img/sub/b.txt notes/n1.txt
	do
		quire cat --registry ./reg lab/samples files/$f >got &&
		cmp src/raw/$f got || return 1
	done
'

test_expect_success 'data.sqlite: table data, declared types, every row, file columns as keys' '
	quire cat --registry ./reg lab/samples data.sqlite >x.db &&
	sqlite3 x.db "SELECT name FROM sqlite_master WHERE type = \"table\"" >actual &&
	echo data >expect &&
	test_cmp expect actual &&
	sqlite3 x.db "PRAGMA table_info(data)" >actual &&
	cat >expect <<-\EOF &&
	0|id|INTEGER|0||0
	1|score|REAL|0||0
	2|label|TEXT|0||0
	3|payload|BLOB|0||0
	4|image|TEXT|0||0
	5|notes|TEXT|0||0
	EOF
	test_cmp expect actual &&
	sqlite3 x.db "SELECT quote(id), quote(score), typeof(label), hex(label), quote(payload), quote(image), quote(notes) FROM data ORDER BY rowid" >actual &&
	cat >expect <<-EOF &&
	1|1.5|text|$(printf "dög, \"quoted\"" | od -An -tx1 | tr -d " \n" | tr a-f A-F)|X${SQ}00FF00${SQ}|${SQ}files/img/a.bin${SQ}|${SQ}files/notes/n1.txt${SQ}
	2|NULL|text|$(printf "日本\r\nline" | od -An -tx1 | tr -d " \n" | tr a-f A-F)|X${SQ}${SQ}|${SQ}files/img/a.bin${SQ}|NULL
	3|-2.25|text|$(printf "emoji 😀" | od -An -tx1 | tr -d " \n" | tr a-f A-F)|NULL|${SQ}files/img/sub/b.txt${SQ}|${SQ}files/notes/n1.txt${SQ}
	4|0.1|null||X${SQ}80FE${SQ}|NULL|NULL
	NULL|1.0e+20|text|FFFE626164|X${SQ}00${SQ}|${SQ}files/img/c.bin${SQ}|NULL
	EOF
	test_cmp expect actual
'

test_expect_success 'data.csv: a header, the rows, base64 for bytes and text that is not UTF-8' '
	quire cat --registry ./reg lab/samples data.csv >actual &&
	printf "id,score,label,payload,image,notes\r\n" >expect &&
	printf "1,1.5,\"dög, \"\"quoted\"\"\",AP8A,files/img/a.bin,files/notes/n1.txt\r\n" >>expect &&
	printf "2,,\"日本\r\nline\",,files/img/a.bin,\r\n" >>expect &&
	printf "3,-2.25,emoji 😀,,files/img/sub/b.txt,files/notes/n1.txt\r\n" >>expect &&
	printf "4,0.1,,gP4=,,\r\n" >>expect &&
	printf ",1e+20,//5iYWQ=,AA==,files/img/c.bin,\r\n" >>expect &&
	test_cmp expect actual
'

test_expect_success 'README.md: source, table, rows, columns and types, file columns' '
	quire cat --registry ./reg lab/samples README.md >readme &&
	test_grep "^# lab/samples\$" readme &&
	test_grep "^- Source: \`src/lab.db\`\$" readme &&
	test_grep "^- Table: \`samples\`\$" readme &&
	test_grep "^- Rows: 5\$" readme &&
	test_grep "^- Files: 4 " readme &&
	sed -n "/^| column | type | file |\$/,/^\$/p" readme >actual &&
	cat >expect <<-\EOF &&
	| column | type | file |
	|---|---|---|
	| id | INTEGER |  |
	| score | REAL |  |
	| label | TEXT |  |
	| payload | BLOB |  |
	| image | TEXT | yes |
	| notes | TEXT | yes |

	EOF
	test_cmp expect actual &&
	test_grep "quire import-dsdb lab/samples " readme
'

test_expect_success 'a file one row names has that row (but the file column) as metadata' '
	python3 entry-meta.py "$(manifest $(cat top1))" files/img/sub/b.txt >actual &&
	cat >expect <<-\EOF &&
	{"id": 3, "label": "emoji 😀", "notes": "files/notes/n1.txt", "payload": null, "score": -2.25}
	EOF
	test_cmp expect actual &&
	python3 entry-meta.py "$(manifest $(cat top1))" files/img/c.bin >actual &&
	cat >expect <<-\EOF &&
	{"id": null, "label": "//5iYWQ=", "notes": null, "payload": "AA==", "score": 1e+20}
	EOF
	test_cmp expect actual
'

test_expect_success 'a file two rows name has both rows as metadata' '
	python3 entry-meta.py "$(manifest $(cat top1))" files/img/a.bin >actual &&
	cat >expect <<-\EOF &&
	{"rows": [{"id": 1, "label": "dög, \"quoted\"", "notes": "files/notes/n1.txt", "payload": "AP8A", "score": 1.5}, {"id": 2, "label": "日本\r\nline", "notes": null, "payload": "", "score": null}]}
	EOF
	test_cmp expect actual &&
	python3 entry-meta.py "$(manifest $(cat top1))" files/notes/n1.txt >actual &&
	cat >expect <<-\EOF &&
	{"rows": [{"id": 1, "image": "files/img/a.bin", "label": "dög, \"quoted\"", "payload": "AP8A", "score": 1.5}, {"id": 3, "image": "files/img/sub/b.txt", "label": "emoji 😀", "payload": null, "score": -2.25}]}
	EOF
	test_cmp expect actual
'

test_expect_success 'the generated entries have no user metadata' '
	for k in README.md data.csv data.sqlite
	do
		python3 entry-meta.py "$(manifest $(cat top1))" $k >actual &&
		echo null >expect &&
		test_cmp expect actual || return 1
	done
'

test_expect_success 'the package metadata records the export in user_meta.dsdb' '
	python3 entry-meta.py "$(manifest $(cat top1))" >actual &&
	cat >expect <<-\EOF &&
	{"dsdb": {"columns": [{"name": "id", "type": "INTEGER"}, {"name": "score", "type": "REAL"}, {"name": "label", "type": "TEXT"}, {"name": "payload", "type": "BLOB"}, {"name": "image", "type": "TEXT"}, {"name": "notes", "type": "TEXT"}], "engine": "sqlite", "file_columns": ["image", "notes"], "files": 4, "rows": 5, "source": "src/lab.db", "table": "samples"}}
	EOF
	test_cmp expect actual &&
	head -n 1 "$(manifest $(cat top1))" >pkg &&
	test_grep "\"message\": \"first export\"" pkg
'

test_expect_success 'provenance: the database is an input, with its size and hash' '
	head -n 1 "$(manifest $(cat top1))" >pkg &&
	python3 -c "import json, sys; p = json.load(open(sys.argv[1]))[\"provenance\"]; i = p[\"inputs\"][0]; print(i[\"path\"], i[\"size\"], i[\"hash\"][\"value\"], len(p[\"inputs\"]))" pkg >actual &&
	echo "$PWD/src/lab.db $(wc -c <src/lab.db) $(quire hash-object src/lab.db) 1" >expect &&
	test_cmp expect actual
'

test_expect_success 'provenance options: --env and --input go in beside the database' '
	echo "analysis" >script.py &&
	quire export-dsdb src/lab.db --table owners --name lab/owners \
		--registry ./reg --env image=lab:1.2 --input script.py \
		>top-prov 2>err &&
	head -n 1 "$(manifest $(cat top-prov))" >pkg &&
	python3 -c "import json, sys; p = json.load(open(sys.argv[1]))[\"provenance\"]; print(p[\"environment\"][\"image\"], [i[\"path\"].split(\"/\")[-1] for i in p[\"inputs\"]])" pkg >actual &&
	echo "lab:1.2 [${SQ}script.py${SQ}, ${SQ}lab.db${SQ}]" >expect &&
	test_cmp expect actual
'

test_expect_success 'a bad provenance option is refused before anything is written' '
	test_fatal 128 quire export-dsdb src/lab.db --table owners \
		--name lab/bad --registry ./reg --env novalue 2>err &&
	test_path_is_missing reg/.quilt/named_packages/lab/bad
'

test_expect_success 'import-dsdb gives back the same rows, file columns naming the installed files' '
	quire import-dsdb --registry ./reg lab/samples imp.db >out 2>err &&
	test_must_be_empty out &&
	test_grep "^installed lab/samples@$(cut -c1-12 top1) into .*/samples; table samples in imp.db: 5 rows\$" err &&
	test_path_is_file samples/files/img/a.bin &&
	python3 compare.py src/lab.db samples imp.db samples samples src/raw image notes
'

test_expect_success 'the comparison of rows can fail' '
	sqlite3 imp.db "CREATE TABLE changed (id INTEGER, score REAL, label TEXT, payload BLOB, image TEXT, notes TEXT);
		INSERT INTO changed SELECT * FROM samples;
		UPDATE changed SET label = ${SQ}x${SQ} WHERE id = 3" &&
	test_must_fail python3 compare.py src/lab.db samples imp.db changed samples src/raw image notes 2>err &&
	test_grep "AssertionError: (2, .label., " err &&
	sqlite3 imp.db "UPDATE changed SET label = ${SQ}emoji 😀${SQ} WHERE id = 3" &&
	python3 compare.py src/lab.db samples imp.db changed samples src/raw image notes &&
	sqlite3 imp.db "UPDATE changed SET image = ${SQ}$PWD/samples/files/img/c.bin${SQ} WHERE id = 3" &&
	test_must_fail python3 compare.py src/lab.db samples imp.db changed samples src/raw image notes 2>err &&
	test_grep "AssertionError: (2, .image., " err &&
	sqlite3 imp.db "DROP TABLE changed"
'

test_expect_success 'import-dsdb refuses an existing table and leaves the database alone' '
	sqlite3 imp.db .dump >before &&
	test_fatal 128 quire import-dsdb --registry ./reg lab/samples imp.db &&
	test_grep "table .samples. already exists in imp.db; choose another name with --table" err &&
	test_fatal 128 quire import-dsdb --registry ./reg --table SAMPLES lab/samples imp.db &&
	test_grep "table .SAMPLES. already exists" err &&
	sqlite3 imp.db .dump >after &&
	test_cmp before after
'

test_expect_success 'import-dsdb --table names the table; --to the folder' '
	quire import-dsdb --registry ./reg --table copy2 --to elsewhere/here lab/samples imp.db 2>err &&
	test_grep "into .*/elsewhere/here; table copy2 in imp.db: 5 rows\$" err &&
	python3 compare.py src/lab.db samples imp.db copy2 elsewhere/here src/raw image notes &&
	sqlite3 imp.db "SELECT name FROM sqlite_master WHERE type = \"table\" ORDER BY name" >actual &&
	printf "copy2\nsamples\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'import-dsdb -q prints nothing' '
	quire import-dsdb -q --registry ./reg --table quiet --to samples lab/samples imp.db >out 2>err &&
	test_must_be_empty out &&
	test_must_be_empty err &&
	sqlite3 imp.db "SELECT count(*) FROM quiet" >actual &&
	echo 5 >expect &&
	test_cmp expect actual
'

test_expect_success 'data.csv of a small table, byte for byte' '
	mkdir small &&
	echo x >small/x.txt &&
	sqlite3 small/small.db "CREATE TABLE s (n INTEGER, r REAL, t TEXT, b BLOB, f TEXT);
		INSERT INTO s VALUES (1, 2.5, ${SQ}a,b${SQ}, X${SQ}00FF${SQ}, ${SQ}x.txt${SQ});
		INSERT INTO s VALUES (NULL, 1e999, ${SQ}say \"hi\"${SQ}, NULL, NULL);
		INSERT INTO s VALUES (3, 0.1, ${SQ}two${SQ} || char(13, 10) || ${SQ}lines${SQ}, X${SQ}${SQ}, ${SQ}x.txt${SQ});
		INSERT INTO s VALUES (-4, 100.0, CAST(X${SQ}FF61${SQ} AS TEXT), X${SQ}61${SQ}, NULL);
		INSERT INTO s VALUES (5, 1e-5, ${SQ}dög${SQ}, NULL, NULL);" &&
	quire export-dsdb -q small/small.db --table s --file-column f \
		--name lab/small --registry ./reg >top-small 2>err &&
	test_must_be_empty err &&
	quire cat --registry ./reg lab/small data.csv >actual &&
	printf "n,r,t,b,f\r\n" >expect &&
	printf "1,2.5,\"a,b\",AP8=,files/x.txt\r\n" >>expect &&
	printf ",inf,\"say \"\"hi\"\"\",,\r\n" >>expect &&
	printf "3,0.1,\"two\r\nlines\",,files/x.txt\r\n" >>expect &&
	printf "%s\r\n" "-4,100.0,/2E=,YQ==," >>expect &&
	printf "5,1e-05,dög,,\r\n" >>expect &&
	test_cmp expect actual
'

test_expect_success 'a query with a JOIN and a WHERE' '
	q="SELECT s.id, s.image, o.name AS owner, s.score * 2 AS twice FROM samples s JOIN owners o ON o.sample = s.id WHERE s.id >= 2" &&
	quire export-dsdb src/lab.db --query "$q" --file-column image \
		--name lab/query --registry ./reg >top-q 2>err &&
	test_grep "^exported 2 rows and 2 files as lab/query@" err &&
	quire cat --registry ./reg lab/query data.sqlite >q.db &&
	sqlite3 q.db "PRAGMA table_info(data)" >actual &&
	cat >expect <<-\EOF &&
	0|id|INTEGER|0||0
	1|image|TEXT|0||0
	2|owner|TEXT|0||0
	3|twice||0||0
	EOF
	test_cmp expect actual &&
	sqlite3 q.db "SELECT * FROM data ORDER BY rowid" >actual &&
	cat >expect <<-\EOF &&
	2|files/a.bin|bob|
	3|files/sub/b.txt|cy|-4.5
	EOF
	test_cmp expect actual &&
	python3 entry-meta.py "$(manifest $(cat top-q))" >actual &&
	printf "%s\n" "{\"dsdb\": {\"columns\": [{\"name\": \"id\", \"type\": \"INTEGER\"}, {\"name\": \"image\", \"type\": \"TEXT\"}, {\"name\": \"owner\", \"type\": \"TEXT\"}, {\"name\": \"twice\", \"type\": \"\"}], \"engine\": \"sqlite\", \"file_columns\": [\"image\"], \"files\": 2, \"query\": \"$q\", \"rows\": 2, \"source\": \"src/lab.db\"}}" >expect &&
	test_cmp expect actual &&
	quire cat --registry ./reg lab/query README.md >readme &&
	test_grep "^- Query:" readme &&
	grep -F "$q" readme &&
	test_grep -v "^- Table:" readme &&
	test_grep "^- Rows: 2\$" readme
'

test_expect_success 'import-dsdb of a query export makes table data' '
	quire import-dsdb --registry ./reg --to qinst lab/query q-imp.db 2>err &&
	test_grep "table data in q-imp.db: 2 rows\$" err &&
	sqlite3 q-imp.db "SELECT id, image, owner FROM data ORDER BY rowid" >actual &&
	inst=$(cd qinst && pwd -P) &&
	cat >expect <<-EOF &&
	2|$inst/files/a.bin|bob
	3|$inst/files/sub/b.txt|cy
	EOF
	test_cmp expect actual &&
	cmp src/raw/img/a.bin qinst/files/a.bin
'

test_expect_success 'a query giving two columns of one name is refused' '
	test_fatal 128 quire export-dsdb src/lab.db --registry ./reg-none \
		--query "SELECT s.id, o.sample AS ID FROM samples s JOIN owners o ON o.sample = s.id" \
		--name lab/dup &&
	test_grep "two columns named .ID.; name them apart with AS in the query" err &&
	test_path_is_missing reg-none
'

test_expect_success 'a query SQLite cannot run shows its message' '
	test_fatal 128 quire export-dsdb src/lab.db --registry ./reg-none \
		--query "SELEC id FROM samples" --name lab/bad &&
	test_grep "the query does not run on src/lab.db: near \"SELEC\": syntax error" err &&
	test_fatal 128 quire export-dsdb src/lab.db --registry ./reg-none \
		--query "SELECT nope FROM samples" --name lab/bad &&
	test_grep "no such column: nope" err &&
	test_path_is_missing reg-none
'

test_expect_success 'the source is opened read-only' '
	test_fatal 128 quire export-dsdb src/lab.db --registry ./reg-none \
		--query "DELETE FROM owners" --name lab/bad &&
	sqlite3 src/lab.db "SELECT count(*) FROM owners" >actual &&
	echo 3 >expect &&
	test_cmp expect actual &&
	test_path_is_missing reg-none
'

test_expect_success '--table naming a missing table lists the tables' '
	test_fatal 128 quire export-dsdb src/lab.db --table nope \
		--name lab/bad --registry ./reg-none &&
	test_grep "no table .nope. in src/lab.db; its tables are: " err &&
	test_grep "samples" err &&
	test_grep "owners" err &&
	test_path_is_missing reg-none
'

test_expect_success 'a source that is not there' '
	test_fatal 128 quire export-dsdb src/none.db --table samples \
		--name lab/bad --registry ./reg-none &&
	test_grep "cannot open database .src/none.db." err &&
	test_path_is_missing src/none.db
'

test_expect_success 'both or neither of --table and --query is a usage error' '
	test_expect_code 129 quire export-dsdb src/lab.db --table samples \
		--query "SELECT 1" --name lab/bad --registry ./reg-none 2>err &&
	test_grep "give exactly one of --table and --query" err &&
	test_expect_code 129 quire export-dsdb src/lab.db --name lab/bad \
		--registry ./reg-none 2>err &&
	test_grep "give exactly one of --table and --query" err &&
	test_expect_code 129 quire export-dsdb src/lab.db --table samples \
		--registry ./reg-none 2>err &&
	test_grep "name is needed" err &&
	test_expect_code 129 quire export-dsdb --table samples \
		--name lab/bad --registry ./reg-none 2>err &&
	test_grep "^usage: quire export-dsdb" err &&
	test_path_is_missing reg-none
'

test_expect_success 'an invalid package name is refused' '
	test_fatal 128 quire export-dsdb src/lab.db --table samples \
		--name noslash --registry ./reg-none &&
	test_grep "invalid package name .noslash." err &&
	test_path_is_missing reg-none
'

test_expect_success '--file-column naming no column is refused' '
	test_fatal 128 quire export-dsdb src/lab.db --table samples \
		--file-column picture --name lab/bad --registry ./reg-none &&
	test_grep "no column .picture. in the rows; they have: id score label payload image notes" err &&
	test_path_is_missing reg-none
'

test_expect_success 'a file column holding a number is refused' '
	test_fatal 128 quire export-dsdb src/lab.db --table samples \
		--file-column score --name lab/bad --registry ./reg-none &&
	test_grep "row 1 (column score) holds a number, not the path of a file" err &&
	test_fatal 128 quire export-dsdb src/lab.db --table samples \
		--file-column payload --name lab/bad --registry ./reg-none &&
	test_grep "row 1 (column payload) holds bytes, not the path of a file" err &&
	test_fatal 128 quire export-dsdb src/lab.db --file-column f \
		--query "SELECT id, ${SQ}${SQ} AS f FROM samples" \
		--name lab/bad --registry ./reg-none &&
	test_grep "row 1 (column f) holds an empty string, not the path of a file" err &&
	test_path_is_missing reg-none
'

test_expect_success 'setup: rows naming a missing file and a folder' '
	sqlite3 src/missing.db "CREATE TABLE m (id INTEGER, f TEXT);
		INSERT INTO m VALUES (1, ${SQ}raw/img/a.bin${SQ});
		INSERT INTO m VALUES (2, NULL);
		INSERT INTO m VALUES (3, ${SQ}raw/gone.txt${SQ});
		INSERT INTO m VALUES (4, ${SQ}raw/gone.txt${SQ});
		INSERT INTO m VALUES (5, ${SQ}raw/img/c.bin${SQ});" &&
	find reg -type f | sort >reg-before
'

test_expect_success 'a missing file is an error naming the row and the path; nothing is written' '
	test_fatal 128 quire export-dsdb src/missing.db --table m --file-column f \
		--name lab/missing --registry ./reg-missing &&
	test_grep "row 3 (column f) names .$(cd src && pwd)/raw/gone.txt., which does not exist; fix the row, or leave such files out with --skip-missing" err &&
	test_path_is_missing reg-missing &&
	test_fatal 128 quire export-dsdb src/missing.db --table m --file-column f \
		--name lab/samples --registry ./reg &&
	test_grep "row 3 (column f)" err &&
	find reg -type f | sort >reg-after &&
	test_cmp reg-before reg-after &&
	printf "%s" $(cat top1) >expect &&
	test_cmp expect reg/.quilt/named_packages/lab/samples/latest
'

test_expect_success 'a row naming a folder is refused' '
	test_fatal 128 quire export-dsdb src/missing.db --file-column f \
		--query "SELECT id, ${SQ}raw/img${SQ} AS f FROM m" \
		--name lab/missing --registry ./reg-missing &&
	test_grep "row 1 (column f) names .*/raw/img., which is a folder, not a file" err &&
	test_path_is_missing reg-missing
'

test_expect_success '--skip-missing leaves the file out and its column NULL' '
	quire export-dsdb src/missing.db --table m --file-column f \
		--skip-missing --name lab/missing --registry ./reg >top-m 2>err &&
	test_grep "^exported 5 rows and 2 files as lab/missing@" err &&
	test_grep "^left out 1 missing file (--skip-missing)\$" err &&
	python3 keys.py "$(manifest $(cat top-m))" >actual &&
	printf "%s\n" README.md data.csv data.sqlite files/a.bin files/c.bin >expect &&
	test_cmp expect actual &&
	quire cat --registry ./reg lab/missing data.sqlite >m.db &&
	sqlite3 m.db "SELECT id, quote(f) FROM data ORDER BY rowid" >actual &&
	cat >expect <<-EOF &&
	1|${SQ}files/a.bin${SQ}
	2|NULL
	3|NULL
	4|NULL
	5|${SQ}files/c.bin${SQ}
	EOF
	test_cmp expect actual &&
	quire cat --registry ./reg lab/missing README.md >readme &&
	test_grep "^- Files missing at export, left out: 1\$" readme
'

test_expect_success 'one file named by different spellings of its path is stored once' '
	sqlite3 src/spell.db "CREATE TABLE s (id INTEGER, f TEXT);
		INSERT INTO s VALUES (1, ${SQ}raw/img/a.bin${SQ});
		INSERT INTO s VALUES (2, ${SQ}./raw/notes/../img/a.bin${SQ});
		INSERT INTO s VALUES (3, ${SQ}$(cd src && pwd)/raw/img/a.bin${SQ});
		INSERT INTO s VALUES (4, ${SQ}raw/img/sub/b.txt${SQ});" &&
	quire export-dsdb src/spell.db --table s --file-column f \
		--name lab/spell --registry ./reg >top-s 2>err &&
	test_grep "^exported 4 rows and 2 files as" err &&
	python3 keys.py "$(manifest $(cat top-s))" >actual &&
	printf "%s\n" README.md data.csv data.sqlite files/a.bin files/sub/b.txt >expect &&
	test_cmp expect actual &&
	quire cat --registry ./reg lab/spell data.sqlite >s.db &&
	sqlite3 s.db "SELECT f FROM data ORDER BY rowid" >actual &&
	printf "%s\n" files/a.bin files/a.bin files/a.bin files/sub/b.txt >expect &&
	test_cmp expect actual &&
	python3 entry-meta.py "$(manifest $(cat top-s))" files/a.bin >actual &&
	echo "{\"rows\": [{\"id\": 1}, {\"id\": 2}, {\"id\": 3}]}" >expect &&
	test_cmp expect actual
'

test_expect_success '--root: relative paths are below it, not the database folder' '
	mkdir -p dbs data/pics &&
	echo p1 >data/pics/p1.txt &&
	echo p2 >data/p2.txt &&
	sqlite3 dbs/r.db "CREATE TABLE r (id INTEGER, f TEXT);
		INSERT INTO r VALUES (1, ${SQ}pics/p1.txt${SQ});
		INSERT INTO r VALUES (2, ${SQ}p2.txt${SQ});" &&
	test_fatal 128 quire export-dsdb dbs/r.db --table r --file-column f \
		--name lab/root --registry ./reg &&
	test_grep "names .$(cd dbs && pwd)/pics/p1.txt., which does not exist" err &&
	quire export-dsdb dbs/r.db --table r --file-column f --root data \
		--name lab/root --registry ./reg >top-r 2>err &&
	python3 keys.py "$(manifest $(cat top-r))" >actual &&
	printf "%s\n" README.md data.csv data.sqlite files/p2.txt files/pics/p1.txt >expect &&
	test_cmp expect actual &&
	quire cat --registry ./reg lab/root files/pics/p1.txt >got &&
	test_cmp data/pics/p1.txt got
'

test_expect_success 'absolute paths in the rows: keys below the folder the files share' '
	mkdir -p abs/one abs/two/deep &&
	echo x >abs/one/x.txt &&
	echo y >abs/two/deep/y.txt &&
	sqlite3 src/abs.db "CREATE TABLE a (id INTEGER, f TEXT);
		INSERT INTO a VALUES (1, ${SQ}$PWD/abs/one/x.txt${SQ});
		INSERT INTO a VALUES (2, ${SQ}$PWD/abs/two/deep/y.txt${SQ});" &&
	quire export-dsdb src/abs.db --table a --file-column f \
		--name lab/abs --registry ./reg >top-a 2>err &&
	python3 keys.py "$(manifest $(cat top-a))" >actual &&
	printf "%s\n" README.md data.csv data.sqlite files/one/x.txt files/two/deep/y.txt >expect &&
	test_cmp expect actual &&
	quire import-dsdb --registry ./reg --to abs-inst lab/abs abs-imp.db 2>err &&
	python3 compare.py src/abs.db a abs-imp.db a abs-inst abs f
'

test_expect_success 'a database named sqlite:<path>: files below its folder' '
	quire export-dsdb sqlite:src/lab.db --table samples --file-column image \
		--name lab/prefixed --registry ./reg >top-p 2>err &&
	test_grep "^exported 5 rows and 3 files as lab/prefixed@" err &&
	quire import-dsdb --registry ./reg --to p-inst lab/prefixed sqlite:p.db 2>err &&
	test_grep "table samples in sqlite:p.db: 5 rows\$" err &&
	python3 compare.py src/lab.db samples p.db samples p-inst src/raw/img image &&
	test_fatal 128 quire import-dsdb --registry ./reg --to p-inst \
		--table sqlite_bad lab/prefixed sqlite:p-made.db &&
	test_path_is_missing p-made.db
'

test_expect_success 'a database quire cannot open' '
	test_fatal 128 quire export-dsdb oracle://host/db --table t \
		--name lab/bad --registry ./reg-none &&
	test_grep "not a database quire can open: give the path of an SQLite file, a mysql://host/db or a postgresql://host/db" err &&
	echo "not a database" >text.db &&
	test_fatal 128 quire export-dsdb text.db --table t \
		--name lab/bad --registry ./reg-none &&
	test_grep "cannot read database .text.db.: file is not a database" err &&
	test_fatal 128 quire export-dsdb src/lab.db --query "SELECT 1; SELECT 2" \
		--name lab/bad --registry ./reg-none &&
	test_grep "only one SQL statement may be given" err &&
	test_path_is_missing reg-none
'

test_expect_success 'a table with no file column: data only' '
	quire export-dsdb src/lab.db --table owners --name lab/owners \
		--registry ./reg >top-o 2>err &&
	test_grep "^exported 3 rows and 0 files as lab/owners@" err &&
	python3 keys.py "$(manifest $(cat top-o))" >actual &&
	printf "%s\n" README.md data.csv data.sqlite >expect &&
	test_cmp expect actual &&
	quire import-dsdb --registry ./reg --to owners-inst lab/owners imp.db 2>err &&
	sqlite3 imp.db "SELECT * FROM owners" >actual &&
	sqlite3 src/lab.db "SELECT * FROM owners" >expect &&
	test_cmp expect actual
'

test_expect_success 'an empty table exports and imports' '
	sqlite3 src/empty.db "CREATE TABLE e (id INTEGER, f TEXT)" &&
	quire export-dsdb src/empty.db --table e --file-column f \
		--name lab/empty --registry ./reg >top-e 2>err &&
	test_grep "^exported 0 rows and 0 files as lab/empty@" err &&
	quire cat --registry ./reg lab/empty data.csv >actual &&
	printf "id,f\r\n" >expect &&
	test_cmp expect actual &&
	quire import-dsdb --registry ./reg --to empty-inst lab/empty e.db 2>err &&
	test_grep "table e in e.db: 0 rows\$" err &&
	sqlite3 e.db "PRAGMA table_info(e)" >actual &&
	printf "0|id|INTEGER|0||0\n1|f|TEXT|0||0\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'without --registry: the embedded default registry' '
	quire export-dsdb -q src/lab.db --table owners --name lab/dflt >top-d &&
	test_path_is_file "$XDG_DATA_HOME/quire/registry/.quilt/packages/$(cat top-d)" &&
	test_path_is_missing reg/.quilt/named_packages/lab/dflt &&
	quire import-dsdb -q --to dflt lab/dflt d.db &&
	sqlite3 d.db "SELECT * FROM owners" >actual &&
	sqlite3 src/lab.db "SELECT * FROM owners" >expect &&
	test_cmp expect actual
'

test_expect_success 'export again after a change: a new latest, the first still there' '
	cp src/lab.db src/lab-v1.db &&
	sqlite3 src/lab.db "UPDATE samples SET label = ${SQ}changed${SQ} WHERE id = 1;
		INSERT INTO samples VALUES (6, 6.0, ${SQ}six${SQ}, NULL, ${SQ}raw/img/c.bin${SQ}, NULL)" &&
	quire export-dsdb src/lab.db --table samples --file-column image \
		--file-column notes --name lab/samples --registry ./reg \
		-m "second export" >top2 2>err &&
	test_grep "^exported 6 rows and 4 files as lab/samples@$(cut -c1-12 top2)" err &&
	! test_cmp top1 top2 &&
	printf "%s" $(cat top2) >expect &&
	test_cmp expect reg/.quilt/named_packages/lab/samples/latest &&
	quire log --registry ./reg lab/samples >log &&
	sed -n "/^[0-9a-f]/p" log >actual &&
	printf "%s (latest)\n%s\n" $(cat top2) $(cat top1) >expect &&
	test_cmp expect actual &&
	quire cat --registry ./reg lab/samples data.csv >actual &&
	test_grep "^6,6.0,six,,files/img/c.bin," actual &&
	test_grep "^1,1.5,changed," actual &&
	quire import-dsdb --registry ./reg --to v2 --table v2 lab/samples imp.db &&
	python3 compare.py src/lab.db samples imp.db v2 v2 src/raw image notes
'

test_expect_success 'the first version still imports with @hash' '
	quire import-dsdb --registry ./reg --to v1 --table v1 \
		lab/samples@$(cut -c1-12 top1) imp.db 2>err &&
	test_grep "^installed lab/samples@$(cut -c1-12 top1) " err &&
	python3 compare.py src/lab-v1.db samples imp.db v1 v1 src/raw image notes &&
	test_must_fail python3 compare.py src/lab.db samples imp.db v1 v1 src/raw image notes
'

test_expect_success 'import-dsdb again into the same folder: files no longer named are kept and listed' '
	sqlite3 src/k.db "CREATE TABLE k (id INTEGER, f TEXT);
		INSERT INTO k VALUES (1, ${SQ}raw/img/a.bin${SQ});
		INSERT INTO k VALUES (2, ${SQ}raw/img/c.bin${SQ});" &&
	quire export-dsdb -q src/k.db --table k --file-column f \
		--name lab/k --registry ./reg >top-k1 &&
	quire import-dsdb -q --registry ./reg --to kdir lab/k k.db &&
	sqlite3 src/k.db "DELETE FROM k WHERE id = 2" &&
	quire export-dsdb -q src/k.db --table k --file-column f \
		--name lab/k --registry ./reg >top-k2 &&
	quire import-dsdb --registry ./reg --to kdir --table k2 lab/k k.db 2>err &&
	test_grep "^these files are no longer in the package and were kept (--force removes them):\$" err &&
	test_grep "^files/c.bin\$" err &&
	test_path_is_file kdir/files/c.bin &&
	sqlite3 k.db "SELECT f FROM k2" >actual &&
	echo "$(cd kdir && pwd -P)/files/a.bin" >expect &&
	test_cmp expect actual
'

test_expect_success 'import-dsdb stops at a file changed locally, unless --force' '
	echo local >kdir/files/a.bin &&
	test_fatal 128 quire import-dsdb --registry ./reg --to kdir --table k3 lab/k k.db &&
	test_grep "1 file here would be overwritten" err &&
	test_grep "files/a.bin" err &&
	echo local >expect &&
	test_cmp expect kdir/files/a.bin &&
	sqlite3 k.db "SELECT count(*) FROM sqlite_master WHERE name = ${SQ}k3${SQ}" >actual &&
	echo 0 >expect &&
	test_cmp expect actual &&
	quire import-dsdb -q --force --registry ./reg --to kdir --table k3 lab/k k.db &&
	cmp src/raw/img/a.bin kdir/files/a.bin &&
	sqlite3 k.db "SELECT count(*) FROM k3" >actual &&
	echo 1 >expect &&
	test_cmp expect actual
'

test_expect_success 'setup: a package not made by export-dsdb' '
	mkdir plain &&
	echo hello >plain/hello.txt &&
	quire -C plain init -q lab/plain &&
	quire -C plain add -q hello.txt &&
	quire -C plain commit -q -m plain >top-plain &&
	quire -C plain push -q "$PWD/reg" >/dev/null
'

test_expect_success 'import-dsdb refuses a package not made by export-dsdb; no database is made' '
	test_fatal 128 quire import-dsdb --registry ./reg --to plain-inst \
		lab/plain new.db &&
	test_grep "this package was not made by .quire export-dsdb. (its metadata has no dsdb object); install it with .quire install." err &&
	test_path_is_missing new.db &&
	sqlite3 imp.db .dump >before &&
	test_fatal 128 quire import-dsdb --registry ./reg --to plain-inst \
		--table other lab/plain imp.db &&
	sqlite3 imp.db .dump >after &&
	test_cmp before after
'

test_expect_success 'a database made for a failed import is removed' '
	test_fatal 128 quire import-dsdb --registry ./reg --to fail-inst \
		--table sqlite_bad lab/samples made.db &&
	test_grep "sqlite_bad" err &&
	test_path_is_missing made.db &&
	test_path_is_missing made.db-journal
'

test_expect_success 'a database that was there is kept after a failed import' '
	echo "not a database" >notdb.db &&
	cp notdb.db notdb.orig &&
	test_fatal 128 quire import-dsdb --registry ./reg --to fail-inst \
		lab/samples notdb.db &&
	test_cmp notdb.orig notdb.db
'

test_expect_success 'import-dsdb of a package that is not in the registry' '
	test_fatal 128 quire import-dsdb --registry ./reg lab/nothing new.db &&
	test_grep "no package lab/nothing in " err &&
	test_path_is_missing new.db &&
	test_path_is_missing nothing
'

test_expect_success 'import-dsdb needs a package and a database' '
	test_expect_code 129 quire import-dsdb --registry ./reg lab/samples 2>err &&
	test_grep "^usage: quire import-dsdb" err
'

test_done
