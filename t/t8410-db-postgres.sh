#!/bin/sh
test_description='quire export-dsdb and import-dsdb with PostgreSQL

A throwaway PostgreSQL (t/lib-db.sh): a table of every type exported
and imported into PostgreSQL and SQLite, value by value against the
source read by psycopg2; connection strings and where passwords come
from; refusals that write nothing; --schema; DataJoint table names;
one snapshot while another connection changes the table.'
. ./test-lib.sh
. "$TEST_DIRECTORY/lib-db.sh"
db_require postgres psycopg2

SQ="'"
PY=/usr/bin/python3

# pg <db>: psql as quire (the password of ~/.pgpass), SQL on stdin or -c.
pg () {
	db=$1
	shift
	psql -X -w -q -v ON_ERROR_STOP=1 -A -t -h 127.0.0.1 -p "$PG_PORT" \
		-U quire -d "$db" "$@"
}

# manifest TOP: the manifest of version TOP in the folder registry reg.
manifest () {
	echo "reg/.quilt/packages/$1"
}

test_expect_success 'setup: a PostgreSQL, a table of every type, checkers' '
	pg_start &&
	pg_createdb src &&
	pg_createdb dst &&
	pg_createdb empty &&
	SRC=$PG_URL_BASE/src &&
	DST=$PG_URL_BASE/dst &&
	sed "s/QQ/$SQ/g" <<-\EOF | pg src &&
	CREATE TYPE mood AS ENUM ($$sad$$, $$ok$$, $$happy$$, $$itQQs$$);
	CREATE TABLE alltypes (
		id integer PRIMARY KEY,
		sm smallint, i integer, bi bigint, n numeric(30,10),
		r real, d double precision, bo boolean,
		da date, ti time, ts timestamp(6), tz timestamptz,
		iv interval, c char(5), vc varchar(20), tx text, m mood,
		j json, jb jsonb, u uuid, by bytea, arr integer[]
	);
	INSERT INTO alltypes VALUES
	(1, -32768, -2147483648, -9223372036854775808,
	 -12345678901234567890.0123456789, -3.4028235e38,
	 -1.7976931348623157e308, true, $$4713-01-01 BC$$,
	 $$00:00:00$$, $$1970-01-01 00:00:00$$,
	 $$2024-06-30 23:59:59.999999+05:30$$,
	 $$-1 days -00:00:00.000001$$, $$ab$$, $$vé$$,
	 EQQquote QQQQ double " back \\ tab \t cr \r nl \n endQQ, $$sad$$,
	 $${"a": [1, 2.50],  "z": null}$$, $${"b": 1, "a": [true]}$$,
	 $$a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11$$,
	 $$\x00ff00$$, $${1,NULL,-3}$$),
	(2, 32767, 2147483647, 9223372036854775807,
	 99999999999999999999.9999999999, 3.4028235e38,
	 1.7976931348623157e308, false, $$5874897-12-31$$,
	 $$23:59:59.999999$$, $$294276-12-31 23:59:59.999999$$,
	 $$infinity$$, $$178000000 years 11 mons 30 days$$,
	 $$xyzzy$$, $$€ 😀 ñ$$, $$日本語 emoji 😀 Ünïcödé$$, $$happy$$,
	 $$[]$$, $$"text"$$, $$ffffffff-ffff-ffff-ffff-ffffffffffff$$,
	 $$\xff00ff0a$$, $${}$$),
	(3, 0, 0, 0, 0.0000000001, $$NaN$$, $$-Infinity$$, NULL,
	 $$2024-02-29$$, $$12:34:56.5$$, $$2024-01-02 03:04:05.123456$$,
	 $$-infinity$$, $$0$$, $$ $$, $$$$, $$$$, $$itQQs$$,
	 $$null$$, $${}$$, $$00000000-0000-0000-0000-000000000000$$,
	 $$\x$$, $${{1,2},{3,4}}$$),
	(4, NULL, NULL, NULL, NULL, 1.17549435e-38, 5e-324, NULL, NULL,
	 NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	 NULL, NULL),
	(5, 1, 1, 1, 0.1, 0.1, 0.1, true, NULL, NULL, NULL, NULL, NULL,
	 NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
	EOF
	pg src -c "SELECT count(*) FROM alltypes" >actual &&
	echo 5 >expect &&
	test_cmp expect actual &&

	cat >pgtext.py <<-\EOF &&
	# The way quire reads: its session settings, every value as text.
	import psycopg2
	def connect(dsn):
	    con = psycopg2.connect(dsn)
	    cur = con.cursor()
	    cur.execute("SET TimeZone = $$UTC$$; SET DateStyle = $$ISO$$; "
	                "SET IntervalStyle = $$postgres$$; "
	                "SET extra_float_digits = 3; "
	                "SET bytea_output = $$hex$$".replace("$$", "\x27"))
	    return con
	def columns(con, table, schema="public"):
	    cur = con.cursor()
	    cur.execute("SELECT a.attname, pg_catalog.format_type(a.atttypid, "
	                "a.atttypmod) FROM pg_attribute a JOIN pg_class c ON "
	                "c.oid = a.attrelid JOIN pg_namespace n ON n.oid = "
	                "c.relnamespace WHERE n.nspname = %s AND c.relname = %s "
	                "AND a.attnum > 0 AND NOT a.attisdropped ORDER BY "
	                "a.attnum", (schema, table))
	    return cur.fetchall()
	# Each value as its type writes it (format %s), bytea as bytes.
	def rows(con, table, cols, schema="public"):
	    sel = ", ".join("\"%s\"" % n if t == "bytea" else
	                    "CASE WHEN \"%s\" IS NOT NULL THEN "
	                    "pg_catalog.format(%%s, \"%s\") END" % (n, n)
	                    for n, t in cols)
	    fmt = tuple("%s" for n, t in cols if t != "bytea")
	    cur = con.cursor()
	    cur.execute("SELECT %s FROM \"%s\".\"%s\" ORDER BY 1" %
	                (sel, schema, table), fmt)
	    return [[bytes(v) if isinstance(v, memoryview) else v for v in r]
	            for r in cur.fetchall()]
	EOF
	cat >pg-vs-sqlite.py <<-\EOF &&
	# pg-vs-sqlite.py DSN TABLE SQLITE STABLE: the rows of STABLE are
	# those of TABLE as quire-databases(7) keeps them in SQLite, with
	# the declared types it gives, ordered by the first column.
	import math, sqlite3, sys
	sys.path.insert(0, ".")
	import pgtext
	dsn, table, db, stable = sys.argv[1:5]
	con = pgtext.connect(dsn)
	cols = pgtext.columns(con, table)
	def kind(t):
	    if t.endswith("]"):
	        return "TEXT"
	    base = t.split("(")[0]
	    if base in ("smallint", "integer", "bigint", "boolean"):
	        return "INTEGER"
	    if base in ("real", "double precision"):
	        return "REAL"
	    return "BLOB" if base == "bytea" else "TEXT"
	kinds = [kind(t) for n, t in cols]
	def want(k, v):
	    if v is None:
	        return None
	    if k == "INTEGER":
	        return {"t": 1, "f": 0}[v] if v in ("t", "f") else int(v)
	    if k == "REAL":
	        return None if v == "NaN" else float(v)
	    return v
	lite = sqlite3.connect(db)
	decl = [(r[1], r[2]) for r in
	        lite.execute("PRAGMA table_info(\"%s\")" % stable)]
	assert decl == [(n, k) for (n, t), k in zip(cols, kinds)], decl
	got = lite.execute("SELECT * FROM \"%s\" ORDER BY 1" % stable).fetchall()
	src = pgtext.rows(con, table, cols)
	assert len(got) == len(src), (len(got), len(src))
	n = 0
	for a, b in zip(src, got):
	    for (name, t), k, x, y in zip(cols, kinds, a, b):
	        w = want(k, x)
	        assert type(w) is type(y) and (w == y or
	                (isinstance(w, float) and math.isnan(w))), \
	            (a[0], name, t, x, w, y)
	        n += 1
	print("%d values match" % n)
	EOF
	cat >pg-vs-pg.py <<-\EOF
	# pg-vs-pg.py DSN1 TABLE1 DSN2 TABLE2 [SCHEMA2]: same column names
	# and types, same values, but NaN, which SQLite (data.sqlite) keeps
	# as NULL.
	import sys
	sys.path.insert(0, ".")
	import pgtext
	d1, t1, d2, t2 = sys.argv[1:5]
	s2 = sys.argv[5] if len(sys.argv) > 5 else "public"
	c1, c2 = pgtext.connect(d1), pgtext.connect(d2)
	cols1, cols2 = pgtext.columns(c1, t1), pgtext.columns(c2, t2, s2)
	assert cols1 == cols2, (cols1, cols2)
	r1, r2 = pgtext.rows(c1, t1, cols1), pgtext.rows(c2, t2, cols2, s2)
	assert len(r1) == len(r2), (len(r1), len(r2))
	n = 0
	for a, b in zip(r1, r2):
	    for (name, t), x, y in zip(cols1, a, b):
	        if x == "NaN":
	            x = None
	        assert x == y, (a[0], name, t, x, y)
	        n += 1
	print("%d values match" % n)
	EOF
'

test_expect_success 'export-dsdb of the table: data.sqlite holds every value as documented' '
	quire export-dsdb "$SRC" --table alltypes --name pg/all \
		--registry ./reg >top 2>err &&
	test_grep "^exported 5 rows and 0 files as pg/all@" err &&
	quire cat --registry ./reg pg/all data.sqlite >all.db &&
	$PY pg-vs-sqlite.py "$SRC" alltypes all.db data >out &&
	test_grep "^110 values match" out
'

test_expect_success 'the package records the engine and the columns types in PostgreSQL words' '
	cat >meta.py <<-\EOF &&
	import json, sys
	meta = json.loads(open(sys.argv[1], encoding="utf-8").readline())
	d = meta["user_meta"]["dsdb"]
	print(d["engine"], d.get("table", "(query)"), d["rows"])
	for c in d["columns"]:
	    print(c["name"], c["type"])
	EOF
	$PY meta.py "$(manifest $(cat top))" >actual &&
	cat >expect <<-\EOF &&
	postgresql alltypes 5
	id integer
	sm smallint
	i integer
	bi bigint
	n numeric(30,10)
	r real
	d double precision
	bo boolean
	da date
	ti time without time zone
	ts timestamp(6) without time zone
	tz timestamp with time zone
	iv interval
	c character(5)
	vc character varying(20)
	tx text
	m mood
	j json
	jb jsonb
	u uuid
	by bytea
	arr integer[]
	EOF
	test_cmp expect actual
'

test_expect_success 'data.csv: numbers, texts and bytes as the server wrote them' '
	quire cat --registry ./reg pg/all data.csv >csv &&
	grep "^3,0," csv >actual &&
	printf "3,0,0,0,0.0000000001,,-inf,,2024-02-29,12:34:56.5,2024-01-02 03:04:05.123456,-infinity,00:00:00,     ,,,it${SQ}s,null,{},00000000-0000-0000-0000-000000000000,,\"{{1,2},{3,4}}\"\r\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'import-dsdb into PostgreSQL: the same types, the same values' '
	pg dst -c "CREATE TYPE mood AS ENUM (${SQ}sad$SQ, ${SQ}ok$SQ, ${SQ}happy$SQ, ${SQ}it$SQ${SQ}s$SQ)" &&
	quire import-dsdb --registry ./reg --to all pg/all "$DST" 2>err &&
	test_grep "table alltypes in .*/dst: 5 rows\$" err &&
	$PY pg-vs-pg.py "$SRC" alltypes "$DST" alltypes >out &&
	test_grep "^110 values match" out
'

test_expect_success 'import-dsdb into SQLite: the values of data.sqlite' '
	quire import-dsdb --registry ./reg --to all pg/all "$PWD/imp.db" &&
	$PY pg-vs-sqlite.py "$SRC" alltypes imp.db alltypes >out &&
	test_grep "^110 values match" out
'

test_expect_success 'import-dsdb: a type the target lacks is refused, no table is left' '
	pg_createdb notype &&
	test_fatal 128 quire import-dsdb --registry ./reg --to all pg/all \
		"$PG_URL_BASE/notype" &&
	test_grep "type \"mood\" does not exist" err &&
	pg notype -c "SELECT count(*) FROM pg_tables WHERE schemaname = ${SQ}public$SQ" >actual &&
	echo 0 >expect &&
	test_cmp expect actual
'

test_expect_success 'import-dsdb: a row the server refuses halfway leaves no table' '
	pg_createdb half &&
	pg half -c "CREATE TYPE mood AS ENUM (${SQ}sad$SQ)" &&
	test_fatal 128 quire import-dsdb --registry ./reg --to all pg/all \
		"$PG_URL_BASE/half" &&
	test_grep "invalid input value for enum mood: \"happy\"" err &&
	pg half -c "SELECT count(*) FROM pg_tables WHERE schemaname = ${SQ}public$SQ" >actual &&
	echo 0 >expect &&
	test_cmp expect actual
'

test_expect_success 'import-dsdb from SQLite into PostgreSQL: bigint, double precision, text, bytea' '
	cat >make-lite.py <<-\EOF &&
	import sqlite3, sys
	con = sqlite3.connect(sys.argv[1])
	con.execute("CREATE TABLE t (id INTEGER, n INTEGER, r REAL, "
	            "s TEXT, b BLOB)")
	con.executemany("INSERT INTO t VALUES (?, ?, ?, ?, ?)", [
	    (1, -9223372036854775808, 0.1, "it\x27s \\ \"q\" 😀\r\n",
	     b"\x00\xff\x00"),
	    (2, 9223372036854775807, 1e20, "", b""),
	    (3, 0, -0.0, "\\x41", b"\\x41"),
	    (4, None, float("inf"), None, None),
	    (5, 7, -2.5e-300, "tab\there", b"\x27"),
	])
	con.commit()
	EOF
	cat >lite-vs-pg.py <<-\EOF &&
	import math, sqlite3, sys
	sys.path.insert(0, ".")
	import pgtext
	lite = sqlite3.connect(sys.argv[1])
	con = pgtext.connect(sys.argv[2])
	cols = pgtext.columns(con, "t")
	assert cols == [("id", "bigint"), ("n", "bigint"),
	                ("r", "double precision"), ("s", "text"),
	                ("b", "bytea")], cols
	cur = con.cursor()
	cur.execute("SELECT * FROM t ORDER BY id")
	got = [[bytes(v) if isinstance(v, memoryview) else v for v in r]
	       for r in cur.fetchall()]
	want = [list(r) for r in
	        lite.execute("SELECT * FROM t ORDER BY id").fetchall()]
	assert got == want, (got, want)
	print("%d rows match" % len(got))
	EOF
	$PY make-lite.py lite.db &&
	quire export-dsdb lite.db --table t --name lite/t --registry ./reg &&
	quire import-dsdb --registry ./reg --to lite-t lite/t "$DST" &&
	$PY lite-vs-pg.py lite.db "$DST" >out &&
	test_grep "^5 rows match" out
'

# The rows go to the server many at a time: the one refused is in the
# middle of a batch, the rows before it and after it fine.
test_expect_success 'import-dsdb: text with a NUL, which PostgreSQL cannot hold, is refused' '
	cat >nul.py <<-\EOF &&
	import sqlite3, sys
	con = sqlite3.connect(sys.argv[1])
	con.execute("CREATE TABLE nul (s TEXT)")
	fine = [("fine %d" % i,) for i in range(1000)]
	con.executemany("INSERT INTO nul VALUES (?)", fine)
	con.execute("INSERT INTO nul VALUES (CAST(? AS TEXT))", (b"a\0b",))
	con.executemany("INSERT INTO nul VALUES (?)", fine)
	con.commit()
	EOF
	$PY nul.py nul.db &&
	quire export-dsdb nul.db --table nul --name lite/nul --registry ./reg &&
	test_fatal 128 quire import-dsdb --registry ./reg --to nul lite/nul \
		"$DST" &&
	test_grep "invalid byte sequence for encoding \"UTF8\": 0x00" err &&
	pg dst -c "SELECT count(*) FROM pg_tables WHERE tablename = ${SQ}nul$SQ" >actual &&
	echo 0 >expect &&
	test_cmp expect actual
'

test_expect_success 'import-dsdb: a table that exists already is refused' '
	test_fatal 128 quire import-dsdb --registry ./reg --to all pg/all \
		"$DST" &&
	test_grep "table ${SQ}alltypes$SQ already exists in " err
'

test_expect_success 'connection strings: postgres://, and libpq keywords' '
	quire export-dsdb "postgres://quire@127.0.0.1:$PG_PORT/src" \
		--table alltypes --name pg/k1 --registry ./reg 2>err &&
	test_grep "^exported 5 rows " err &&
	quire export-dsdb "host=127.0.0.1 port=$PG_PORT dbname=src user=quire" \
		--table alltypes --name pg/k2 --registry ./reg 2>err &&
	test_grep "^exported 5 rows " err &&
	quire cat --registry ./reg pg/k2 data.sqlite >k2.db &&
	$PY pg-vs-sqlite.py "$SRC" alltypes k2.db data >out &&
	test_grep "^110 values match" out
'

test_expect_success 'the password from PGPASSWORD, without ~/.pgpass' '
	mv .pgpass pgpass.away &&
	test_when_finished "mv pgpass.away .pgpass" &&
	test_fatal 128 quire export-dsdb "$SRC" --table alltypes \
		--name pg/pw --registry ./none &&
	test_grep "no password supplied" err &&
	env PGPASSWORD="$DB_PASSWORD" quire export-dsdb "$SRC" \
		--table alltypes --name pg/pw --registry ./reg 2>err &&
	test_grep "^exported 5 rows " err &&
	test_path_is_missing none
'

test_expect_success 'a password in the connection string is refused, and not repeated' '
	for url in "postgresql://quire:Sekr1t-pw@127.0.0.1:$PG_PORT/src" \
		"postgres://quire:Sekr1t-pw@127.0.0.1:$PG_PORT/src" \
		"postgresql://quire@127.0.0.1:$PG_PORT/src?password=Sekr1t-pw" \
		"host=127.0.0.1 port=$PG_PORT dbname=src user=quire password=Sekr1t-pw" \
		"host=127.0.0.1 dbname=src password = ${SQ}Sekr1t-pw$SQ"
	do
		test_fatal 128 quire export-dsdb "$url" --table alltypes \
			--name pg/pw2 --registry ./none &&
		test_grep "holds a password: put it in ~/.pgpass or PGPASSWORD" err &&
		test_grep -v Sekr1t err || return 1
	done &&
	test_fatal 128 quire import-dsdb --registry ./reg --to pw pg/all \
		"postgresql://quire:Sekr1t-pw@127.0.0.1:$PG_PORT/dst" &&
	test_grep -v Sekr1t err &&
	test_path_is_missing pw &&
	test_path_is_missing none
'

test_expect_success 'a wrong password is refused, and not printed' '
	mv .pgpass pgpass.away &&
	test_when_finished "mv pgpass.away .pgpass" &&
	test_fatal 128 env PGPASSWORD=Wr0ng-pw quire export-dsdb "$SRC" \
		--table alltypes --name pg/pw3 --registry ./none &&
	test_grep "^fatal: cannot connect to .*password authentication failed for user \"quire\"" err &&
	test_grep -v Wr0ng err &&
	test_path_is_missing none
'

test_expect_success 'an unknown host, database, schema or table is refused; nothing is written' '
	test_fatal 128 quire export-dsdb "postgresql://quire@nosuch.invalid/src" \
		--table alltypes --name pg/e --registry ./none &&
	test_grep "^fatal: cannot connect to .*nosuch.invalid.*could not translate host name" err &&
	test_fatal 128 quire export-dsdb "$PG_URL_BASE/nosuch" \
		--table alltypes --name pg/e --registry ./none &&
	test_grep "database \"nosuch\" does not exist" err &&
	test_fatal 128 quire export-dsdb "$SRC" --schema nosuch \
		--table alltypes --name pg/e --registry ./none &&
	test_grep "^fatal: no schema ${SQ}nosuch$SQ in database src; its schemas are: public\$" err &&
	test_fatal 128 quire export-dsdb "$SRC" --table nosuch --name pg/e \
		--registry ./none &&
	test_grep "^fatal: no table ${SQ}nosuch$SQ in .*; its tables are: alltypes\$" err &&
	test_fatal 128 quire import-dsdb --registry ./reg --to e pg/all \
		"$PG_URL_BASE/nosuch" &&
	test_grep "database \"nosuch\" does not exist" err &&
	test_path_is_missing e &&
	test_path_is_missing none
'

test_expect_success 'a query the server refuses: its own message, nothing written' '
	test_fatal 128 quire export-dsdb "$SRC" --name pg/e --registry ./none \
		--query "SELECT nosuch FROM alltypes" &&
	test_grep "^fatal: the query does not run on .*: column \"nosuch\" does not exist\$" err &&
	test_fatal 128 quire export-dsdb "$SRC" --name pg/e --registry ./none \
		--query "SELECT 1; SELECT 2" &&
	test_grep "cannot insert multiple commands into a prepared statement" err &&
	test_fatal 128 quire export-dsdb "$SRC" --name pg/e --registry ./none \
		--query "SELECT 1 / (id - 3) FROM alltypes ORDER BY id" &&
	test_grep "division by zero" err &&
	test_fatal 128 quire export-dsdb "$SRC" --name pg/e --registry ./none \
		--query "DELETE FROM alltypes RETURNING id" &&
	test_grep "cannot execute DELETE in a read-only transaction" err &&
	pg src -c "SELECT count(*) FROM alltypes" >actual &&
	echo 5 >expect &&
	test_cmp expect actual &&
	test_path_is_missing none
'

test_expect_success 'a query: expressions get the types of their values' '
	quire export-dsdb "$SRC" --name pg/q --registry ./reg --query \
		"SELECT id, n * 2 AS n2, m, arr, bo, r::float8 AS r8, ${SQ}x$SQ AS lit, NULL AS nothing FROM alltypes WHERE id < 4 ORDER BY id DESC" \
		>top 2>err &&
	$PY meta.py "$(manifest $(cat top))" >actual &&
	cat >expect <<-\EOF &&
	id integer
	n2 numeric
	m mood
	arr integer[]
	bo boolean
	r8 double precision
	lit text
	nothing text
	EOF
	sed 1d actual >types &&
	test_cmp expect types &&
	quire cat --registry ./reg pg/q data.sqlite >q.db &&
	sqlite3 q.db "SELECT id, n2, typeof(n2), m, arr, bo, r8, lit FROM data" >actual &&
	cat >expect <<-EOF &&
	3|0.0000000002|text|it${SQ}s|{{1,2},{3,4}}|||x
	2|199999999999999999999.9999999998|text|happy|{}|0|3.40282346638529e+38|x
	1|-24691357802469135780.0246913578|text|sad|{1,NULL,-3}|1|-3.40282346638529e+38|x
	EOF
	test_cmp expect actual
'

test_expect_success '--schema: a schema whose name needs quoting, DataJoint table names' '
	pg src <<-\EOF &&
	CREATE SCHEMA "Lab Data";
	SET search_path = "Lab Data";
	CREATE TYPE "Stage" AS ENUM ($$pre$$, $$post$$);
	CREATE TABLE "#subject" (subject_id int PRIMARY KEY, stage "Stage");
	CREATE TABLE "_session" (subject_id int REFERENCES "#subject",
		session_id serial, PRIMARY KEY (subject_id, session_id));
	CREATE TABLE "__computed__part" ("we""ird" text);
	CREATE TABLE "~log" (t timestamp, msg text);
	INSERT INTO "#subject" VALUES (1, $$pre$$), (2, $$post$$), (3, NULL);
	INSERT INTO "_session" (subject_id) VALUES (1), (1), (2);
	INSERT INTO "__computed__part" VALUES ($$a"b$$);
	INSERT INTO "~log" VALUES ($$2024-01-01 00:00:00.5$$, $$started$$);
	EOF
	test_fatal 128 quire export-dsdb "$SRC" --schema "Lab Data" \
		--table alltypes --name pg/e --registry ./none &&
	test_grep "no table ${SQ}alltypes$SQ in .*; its tables are: #subject, __computed__part, _session, ~log\$" err &&
	for t in "#subject" _session __computed__part "~log"
	do
		quire export-dsdb "$SRC" --schema "Lab Data" --table "$t" \
			--name "lab/t$(echo "$t" | tr -d "#~")" --registry ./reg \
			2>err || return 1
	done &&
	quire cat --registry ./reg lab/tsubject data.csv >actual &&
	printf "subject_id,stage\r\n1,pre\r\n2,post\r\n3,\r\n" >expect &&
	test_cmp expect actual &&
	quire cat --registry ./reg lab/t__computed__part data.csv >actual &&
	printf "\"we\"\"ird\"\r\n\"a\"\"b\"\r\n" >expect &&
	test_cmp expect actual &&
	quire cat --registry ./reg lab/tlog data.csv >actual &&
	printf "t,msg\r\n2024-01-01 00:00:00.5,started\r\n" >expect &&
	test_cmp expect actual &&
	pg dst -c "CREATE SCHEMA \"Lab Data\"" &&
	pg dst -c "CREATE TYPE \"Lab Data\".\"Stage\" AS ENUM (${SQ}pre$SQ, ${SQ}post$SQ)" &&
	quire import-dsdb --registry ./reg --to tsubject --schema "Lab Data" \
		lab/tsubject "$DST" &&
	pg dst -c "SELECT subject_id, stage FROM \"Lab Data\".\"#subject\" ORDER BY 1" >actual &&
	printf "1|pre\n2|post\n3|\n" >expect &&
	test_cmp expect actual &&
	test_fatal 128 quire import-dsdb --registry ./reg --to tsubject \
		--schema nosuch lab/tsubject "$DST" &&
	test_grep "no schema ${SQ}nosuch$SQ in database dst" err
'

test_expect_success 'big values: bytea and text of megabytes, fetched whole' '
	pg src <<-\EOF &&
	CREATE TABLE big (id int, b bytea, t text);
	INSERT INTO big SELECT g, pg_catalog.decode(repeat(
		pg_catalog.lpad(to_hex(g), 2, $$0$$) || $$00ff$$, 1000000),
		$$hex$$), repeat($$é$$, 1500000) FROM generate_series(1, 4) g;
	EOF
	quire export-dsdb "$SRC" --table big --name pg/big --registry ./reg &&
	quire cat --registry ./reg pg/big data.sqlite >big.db &&
	$PY pg-vs-sqlite.py "$SRC" big big.db data >out &&
	test_grep "^12 values match" out
'

# hold.py DSN TABLE ROWS READY: lock TABLE (of table "live", ROWS rows),
# say so in the file READY, wait until quire waits for the lock (in
# the transaction it has started), then change "live" and commit: rows
# added, deleted and changed while quire's transaction is open, before
# it reads a row.
test_expect_success 'setup: a live table, and a client that changes it while quire waits' '
	pg src <<-\EOF &&
	CREATE TABLE live (id int PRIMARY KEY, label text);
	INSERT INTO live SELECT g, $$first$$ FROM generate_series(1, 100000) g;
	CREATE TABLE gate (one int);
	INSERT INTO gate VALUES (1);
	EOF
	cat >hold.py <<-\EOF
	import sys, time, psycopg2
	dsn, table, nrows, ready = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
	con = psycopg2.connect(dsn)
	cur = con.cursor()
	cur.execute("LOCK TABLE \"%s\" IN ACCESS EXCLUSIVE MODE" % table)
	open(ready, "w").close()
	watch = psycopg2.connect(dsn)
	watch.autocommit = True
	deadline = time.time() + 60
	while True:
	    w = watch.cursor()
	    w.execute("SELECT count(*) FROM pg_stat_activity WHERE "
	              "application_name = %s AND wait_event_type = %s AND "
	              "xact_start IS NOT NULL", ("quire", "Lock"))
	    if w.fetchone()[0]:
	        break
	    if time.time() > deadline:
	        sys.exit("quire never waited for the lock")
	    time.sleep(0.05)
	cur.execute("INSERT INTO live SELECT g, %s FROM "
	            "generate_series(%s, %s) g", ("late", nrows + 1, nrows + 5000))
	cur.execute("DELETE FROM live WHERE id <= 100")
	cur.execute("UPDATE live SET label = %s WHERE id BETWEEN 101 AND 200",
	            ("changed",))
	con.commit()
	print("changed while quire waited")
	EOF
'

# snapshot_export <lock> <export-dsdb args>: export while hold.py
# changes "live" behind <lock>; check what hold.py did.
snapshot_export () {
	lock=$1 &&
	shift &&
	rm -f ready &&
	{
		$PY hold.py "$SRC" "$lock" 100000 ready >hold.out 2>&1 \
			</dev/null 3>&- 4>&- 5>&- &
	} &&
	hold=$! &&
	n=0 &&
	while ! test -f ready && test $n -lt 300
	do
		sleep 0.1
		n=$((n + 1))
	done &&
	quire export-dsdb "$SRC" "$@" --registry ./reg >/dev/null 2>err
	ret=$?
	wait $hold &&
	test_grep "^changed while quire waited" hold.out &&
	test $ret = 0
}

# snapshot_check <db>: data.sqlite holds the 100000 rows as they were,
# while the table now holds others.
snapshot_check () {
	sqlite3 "$1" "SELECT count(*), min(id), max(id), sum(id), count(DISTINCT label), min(label) FROM data" >actual &&
	echo "100000|1|100000|5000050000|1|first" >expect &&
	test_cmp expect actual &&
	pg src -c "SELECT count(*), min(id), max(id) FROM live" >actual &&
	echo "104900|101|105000" >expect &&
	test_cmp expect actual
}

test_expect_success 'one snapshot: --table, the table changed between the schema and the rows' '
	snapshot_export live --table live --name pg/live1 &&
	quire cat --registry ./reg pg/live1 data.sqlite >live1.db &&
	snapshot_check live1.db
'

test_expect_success 'one snapshot: --query, the table changed after quire began' '
	pg src <<-\EOF &&
	DELETE FROM live;
	INSERT INTO live SELECT g, $$first$$ FROM generate_series(1, 100000) g;
	EOF
	snapshot_export gate --name pg/live2 \
		--query "SELECT l.* FROM live l CROSS JOIN gate ORDER BY l.id" &&
	quire cat --registry ./reg pg/live2 data.sqlite >live2.db &&
	snapshot_check live2.db
'

test_done
