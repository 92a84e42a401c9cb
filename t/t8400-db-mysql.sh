#!/bin/sh
test_description='MySQL/MariaDB as a source and a target of export-dsdb and import-dsdb

A throwaway MariaDB (t/lib-db.sh). Every MySQL type goes out with
export-dsdb and comes back with import-dsdb, into MariaDB (the same
types, each value compared by pymysql against the source) and into
SQLite (the documented mapping). The connection strings and where the
password comes from; refusals that name the cause, never show a
password and write nothing; and an export that reads one consistent
state while another connection inserts.'
. ./test-lib.sh
. "$TEST_DIRECTORY/lib-db.sh"
db_require mysql pymysql

if ! command -v sqlite3 >/dev/null
then
	skip_all='the sqlite3 command is needed'
	test_done
fi

SQ="'"

# no_secret FILE: FILE shows neither the server's password nor those the
# tests make up.
no_secret () {
	! grep -e "$DB_PASSWORD" -e hunter2 -e not-the-password "$1"
}

# table_exists DB TABLE: prints 1 or 0.
table_exists () {
	mysql_admin -e "SELECT COUNT(*) FROM information_schema.TABLES
		WHERE TABLE_SCHEMA = '$1' AND TABLE_NAME = '$2'"
}

test_expect_success 'setup: a MariaDB, a database with every type, helpers' '
	mysql_start &&
	mysql_createdb lab &&
	mysql_createdb copy &&
	mysql_createdb empty &&
	cat >db.py <<-\EOF &&
	# What the helpers share: a pymysql connection to database sys.argv[1]
	# as quire, in UTC, and the type table.
	import os, sys, pymysql
	def connect(db):
	    return pymysql.connect(unix_socket=os.environ["MYSQL_SOCKET"],
	                           user="quire", password=os.environ["QPW"],
	                           database=db, charset="utf8mb4",
	                           init_command="SET time_zone = \x27+00:00\x27")
	# name, type, SQLite type it is kept as
	COLUMNS = [
	    ("ti", "tinyint(4)", "INTEGER"),
	    ("tiu", "tinyint(3) unsigned", "INTEGER"),
	    ("si", "smallint(6)", "INTEGER"),
	    ("siu", "smallint(5) unsigned", "INTEGER"),
	    ("mi", "mediumint(9)", "INTEGER"),
	    ("miu", "mediumint(8) unsigned", "INTEGER"),
	    ("i", "int(11)", "INTEGER"),
	    ("iu", "int(10) unsigned", "INTEGER"),
	    ("bi", "bigint(20)", "INTEGER"),
	    ("biu", "bigint(20) unsigned", "TEXT"),
	    ("bo", "tinyint(1)", "INTEGER"),
	    ("de", "decimal(30,10)", "TEXT"),
	    ("deu", "decimal(10,2) unsigned", "TEXT"),
	    ("f", "float", "REAL"),
	    ("d", "double", "REAL"),
	    ("dt", "date", "TEXT"),
	    ("tm", "time(3)", "TEXT"),
	    ("dtm", "datetime(6)", "TEXT"),
	    ("ts", "timestamp(6)", "TEXT"),
	    ("yr", "year(4)", "INTEGER"),
	    ("c", "char(10)", "TEXT"),
	    ("vc", "varchar(255)", "TEXT"),
	    ("tx", "text", "TEXT"),
	    ("l1", "varchar(20)", "TEXT"),
	    ("l1t", "text", "TEXT"),
	    ("en", "enum(\x27a\x27,\x27b\x27,\x27c d\x27)", "TEXT"),
	    ("st", "set(\x27x\x27,\x27y\x27,\x27z\x27)", "TEXT"),
	    ("js", "longtext", "TEXT"),
	    ("bn", "binary(4)", "BLOB"),
	    ("vb", "varbinary(300)", "BLOB"),
	    ("bl", "blob", "BLOB"),
	    ("lb", "longblob", "BLOB"),
	    ("bt", "bit(8)", "BLOB"),
	]
	EOF
	cat >make-lab.py <<-\EOF &&
	# make-lab.py: the table of every type, its rows, and DataJoint-named
	# tables with a file column.
	import sys
	sys.path.insert(0, ".")
	from db import connect
	con = connect("lab")
	cur = con.cursor()
	cur.execute("""CREATE TABLE alltypes (
	  id int NOT NULL PRIMARY KEY,
	  ti tinyint, tiu tinyint unsigned, si smallint, siu smallint unsigned,
	  mi mediumint, miu mediumint unsigned, i int, iu int unsigned,
	  bi bigint, biu bigint unsigned, bo boolean,
	  de decimal(30,10), deu decimal(10,2) unsigned,
	  f float, d double,
	  dt date, tm time(3), dtm datetime(6), ts timestamp(6) NULL, yr year,
	  c char(10), vc varchar(255), tx text,
	  l1 varchar(20) CHARACTER SET latin1 COLLATE latin1_swedish_ci,
	  l1t text CHARACTER SET latin1 COLLATE latin1_bin,
	  en enum(\x27a\x27,\x27b\x27,\x27c d\x27), st set(\x27x\x27,\x27y\x27,\x27z\x27),
	  js json,
	  bn binary(4), vb varbinary(300), bl blob, lb longblob, bt bit(8)
	) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4""")
	top = (1, 127, 255, 32767, 65535, 8388607, 16777215, 2147483647,
	       4294967295, 9223372036854775807, 18446744073709551615, 1,
	       "12345678901234567890.0123456789", "99999999.99",
	       1.1, 0.1, "2024-02-29", "838:59:59.999",
	       "9999-12-31 23:59:59.999999", "2038-01-19 03:14:07.999999",
	       2155, "abc", "dög 😀 日本 \u00e9\u0301",
	       "it\x27s a \\ \"quoted\"\r\nline\ttab \x01 end",
	       "héllo ÿ", "Ångström «latin1»",
	       "c d", "x,z", "{\"a\": [1, 2.5e-7], \"é\": null, \"s\": \"\\\\u0000\"}",
	       b"\x00\xff\x00\x01", bytes(range(256))[:300], b"\xff\x00\xff",
	       bytes(range(256)) * 4, b"\xa5")
	low = (2, -128, 0, -32768, 0, -8388608, 0, -2147483648, 0,
	       -9223372036854775808, 0, 0,
	       "-0.0000000001", "0.00", -3.5, -1.7976931348623157e308,
	       "1000-01-01", "-838:59:59.000", "1000-01-01 00:00:00.000001",
	       "1970-01-01 00:00:01.000000", 1901, "", "", "", "", "",
	       "a", "", "[]", b"\x00\x00\x00\x00", b"", b"", b"", b"\x00")
	odd = (3, 0, 1, 0, 1, 0, 1, 0, 1, 0, 9223372036854775808, 0,
	       "0.5000000000", "1.10", 5e-39, 5e-324,
	       "2000-01-01", "00:00:00.001", "2000-01-01 00:00:00.000000",
	       "2000-01-01 12:00:00.500000", 2000, "\\", "\x27", "\\\x27",
	       "\x27", "\\", "b", "x,y,z", "\"\\\\\"", b"\x5c\x27\x00\x00",
	       b"\x27", b"\\", b"\x00", b"\xff")
	marks = ", ".join(["%s"] * len(top))
	cur.executemany("INSERT INTO alltypes VALUES (" + marks + ")",
	                [top, low, odd])
	cur.execute("INSERT INTO alltypes (id) VALUES (4)")
	cur.execute("""CREATE TABLE `#subject` (subject_id varchar(16)
	  NOT NULL, sex enum(\x27F\x27,\x27M\x27,\x27U\x27) NOT NULL,
	  PRIMARY KEY (subject_id)) ENGINE=InnoDB""")
	cur.execute("""CREATE TABLE `__recording` (subject_id varchar(16)
	  NOT NULL, rec smallint unsigned NOT NULL, path varchar(255),
	  PRIMARY KEY (subject_id, rec), FOREIGN KEY (subject_id)
	  REFERENCES `#subject` (subject_id)) ENGINE=InnoDB""")
	cur.executemany("INSERT INTO `#subject` VALUES (%s, %s)",
	                [("m1", "M"), ("f1", "F")])
	cur.executemany("INSERT INTO `__recording` VALUES (%s, %s, %s)",
	                [("m1", 1, "raw/m1-1.nwb"), ("m1", 2, "raw/m1-2.nwb"),
	                 ("f1", 1, None)])
	con.commit()
	EOF
	cat >same-rows.py <<-\EOF &&
	# same-rows.py SRCDB SRCTABLE DSTDB DSTTABLE [--values]: the columns
	# have the same types (unless --values), and the rows the same values,
	# compared one by one.
	import sys
	sys.path.insert(0, ".")
	from db import connect
	sdb, stab, ddb, dtab = sys.argv[1:5]
	types = sys.argv[5:] != ["--values"]
	def table(db, t):
	    con = connect(db)
	    cur = con.cursor()
	    cur.execute("SELECT COLUMN_NAME, COLUMN_TYPE FROM "
	                "information_schema.COLUMNS WHERE TABLE_SCHEMA = %s "
	                "AND TABLE_NAME = %s ORDER BY ORDINAL_POSITION", (db, t))
	    cols = cur.fetchall()
	    cur.execute("SELECT * FROM `%s` ORDER BY 1" % t)
	    return cols, cur.fetchall()
	scols, srows = table(sdb, stab)
	dcols, drows = table(ddb, dtab)
	assert [c[0] for c in scols] == [c[0] for c in dcols], (scols, dcols)
	assert scols == dcols or not types, (scols, dcols)
	assert len(srows) == len(drows) and srows, (len(srows), len(drows))
	n = 0
	for a, b in zip(srows, drows):
	    for (name, _), x, y in zip(scols, a, b):
	        assert type(x) == type(y) and x == y, (a[0], name, x, y)
	        n += 1
	print("%d rows, %d values match" % (len(srows), n))
	EOF
	cat >sqlite-mapping.py <<-\EOF &&
	# sqlite-mapping.py FILE TABLE: the table in the SQLite FILE holds the
	# rows of lab.alltypes as quire-databases(7) says: each column declared
	# with its SQLite type; integers as integers, bigint unsigned as its
	# digits, reals as reals, decimals, dates and times as the server
	# writes them, text as UTF-8 text, bytes as blobs, NULL as NULL.
	import sqlite3, sys
	sys.path.insert(0, ".")
	from db import connect, COLUMNS
	lite = sqlite3.connect(sys.argv[1])
	lite.text_factory = bytes
	t = sys.argv[2]
	decl = [(r[1].decode(), r[2].decode())
	        for r in lite.execute("PRAGMA table_info(\"%s\")" % t)]
	want = [("id", "INTEGER")] + [(n, s) for n, _, s in COLUMNS]
	assert decl == want, (decl, want)
	con = connect("lab")
	cur = con.cursor()
	# the server writes each value as text: what TEXT columns must hold
	cur.execute("SELECT " + ", ".join("CAST(`%s` AS CHAR)" % n
	            for n, _ in want) + " FROM alltypes ORDER BY id")
	texts = cur.fetchall()
	cur.execute("SELECT * FROM alltypes ORDER BY id")
	values = cur.fetchall()
	got = lite.execute("SELECT * FROM \"%s\" ORDER BY id" % t).fetchall()
	kinds = lite.execute("SELECT " + ", ".join("typeof(\"%s\")" % n
	        for n, _ in want) + " FROM \"%s\" ORDER BY id" % t).fetchall()
	assert len(got) == len(values) == 4, (len(got), len(values))
	n = 0
	for row, text, value, kind in zip(got, texts, values, kinds):
	    for (name, sq), g, s, v, k in zip(want, row, text, value, kind):
	        k = k.decode()
	        if v is None:
	            assert g is None and k == "null", (row[0], name, g)
	        elif sq == "INTEGER":
	            assert k == "integer" and g == v, (row[0], name, g, v)
	        elif sq == "REAL":
	            assert k == "real" and g == v, (row[0], name, g, v)
	        elif sq == "TEXT":
	            assert k == "text" and g == s.encode(), (row[0], name, g, s)
	        else:
	            assert k == "blob" and g == v, (row[0], name, g, v)
	        n += 1
	print("%d values as documented" % n)
	EOF
	QPW=$DB_PASSWORD && export QPW &&
	"$DB_PYTHON" make-lab.py &&
	mkdir -p raw &&
	echo one >raw/m1-1.nwb &&
	echo two >raw/m1-2.nwb &&
	mysql_admin -e "SELECT COUNT(*) FROM alltypes" lab >actual &&
	echo 4 >expect &&
	test_cmp expect actual
'

test_expect_success 'export-dsdb of a table of every type' '
	quire export-dsdb "$MYSQL_URL_BASE/lab" --table alltypes \
		--name lab/types --registry ./reg >top 2>err &&
	test_grep "^exported 4 rows and 0 files as lab/types@" err &&
	quire cat --registry ./reg lab/types data.sqlite >types.sqlite &&
	"$DB_PYTHON" sqlite-mapping.py types.sqlite data
'

test_expect_success 'the package records the engine and the columns as MySQL declares them' '
	quire cat --registry ./reg lab/types README.md >readme &&
	test_grep "^| biu | bigint(20) unsigned |  |\$" readme &&
	test_grep "^| en | enum(.a.,.b.,.c d.) |  |\$" readme &&
	test_grep "^| de | decimal(30,10) |  |\$" readme &&
	quire cat --registry ./reg lab/types data.csv >data.csv &&
	sed -n 2p data.csv >row1 &&
	test_grep ",18446744073709551615,1,12345678901234567890.0123456789,99999999.99,1.1,0.1,2024-02-29,838:59:59.999,9999-12-31 23:59:59.999999,2038-01-19 03:14:07.999999,2155,abc," row1
'

test_expect_success 'import-dsdb into MariaDB makes the same types and the same values' '
	quire import-dsdb --registry ./reg --to types lab/types \
		"$MYSQL_URL_BASE/copy" 2>err &&
	test_grep "table alltypes in mysql://.*/copy: 4 rows\$" err &&
	"$DB_PYTHON" same-rows.py lab alltypes copy alltypes
'

test_expect_success 'import-dsdb into SQLite keeps the values as documented' '
	quire import-dsdb --registry ./reg --to types lab/types types.db &&
	"$DB_PYTHON" sqlite-mapping.py types.db alltypes
'

test_expect_success 'a query: columns as the server describes them, values alike' '
	quire export-dsdb "$MYSQL_URL_BASE/lab" --name lab/q --registry ./reg \
		--query "SELECT * FROM alltypes WHERE id <> \"nope\" ORDER BY id" &&
	quire cat --registry ./reg lab/q data.sqlite >q.sqlite &&
	"$DB_PYTHON" sqlite-mapping.py q.sqlite data &&
	quire cat --registry ./reg lab/q README.md >readme &&
	test_grep "^| en | varchar(3) |  |\$" readme &&
	test_grep "^| tm | time(3) |  |\$" readme &&
	test_grep "^| vb | varbinary(300) |  |\$" readme &&
	quire import-dsdb --registry ./reg --to q lab/q "$MYSQL_URL_BASE/copy" &&
	"$DB_PYTHON" same-rows.py lab alltypes copy data --values
'

test_expect_success 'DataJoint names and a file column' '
	quire export-dsdb "$MYSQL_URL_BASE/lab" --table __recording \
		--file-column path --root . --name lab/rec --registry ./reg \
		2>err &&
	test_grep "^exported 3 rows and 2 files as lab/rec@" err &&
	quire cat --registry ./reg lab/rec files/m1-2.nwb >got &&
	test_cmp raw/m1-2.nwb got &&
	quire export-dsdb "$MYSQL_URL_BASE/lab" --table "#subject" \
		--name lab/subj --registry ./reg 2>err &&
	test_grep "^exported 2 rows" err &&
	quire import-dsdb --registry ./reg --to rec lab/rec \
		"$MYSQL_URL_BASE/copy" &&
	mysql_admin -e "SELECT rec, path FROM __recording ORDER BY subject_id, rec" copy >actual &&
	cat >expect <<-EOF &&
	1	NULL
	1	$(pwd -P)/rec/files/m1-1.nwb
	2	$(pwd -P)/rec/files/m1-2.nwb
	EOF
	test_cmp expect actual &&
	quire import-dsdb --registry ./reg --to subj lab/subj \
		"$MYSQL_URL_BASE/copy" &&
	mysql_admin -e "SELECT * FROM \`#subject\` ORDER BY 1" copy >actual &&
	printf "f1\tF\nm1\tM\n" >expect &&
	test_cmp expect actual
'

# export_ok URL: export-dsdb of #subject from URL works.
export_ok () {
	rm -rf reg-url &&
	quire export-dsdb "$1" --table "#subject" --name lab/url \
		--registry ./reg-url 2>err &&
	test_grep "^exported 2 rows" err
}

test_expect_success 'connection strings: mysql://, mariadb://, a socket, %-escapes' '
	export_ok "$MYSQL_URL_BASE/lab" &&
	export_ok "mariadb://quire@127.0.0.1:$MYSQL_PORT/lab" &&
	export_ok "mysql://127.0.0.1:$MYSQL_PORT/lab" &&
	export_ok "mysql:///lab?socket=$MYSQL_SOCKET" &&
	export_ok "mariadb://quire@localhost/lab?socket=$(echo "$MYSQL_SOCKET" | sed "s|/|%2F|g")" &&
	export_ok "mysql://qu%69re@127.0.0.1:$MYSQL_PORT/l%61b"
'

test_expect_success 'without a port in the url, the option files port' '
	cp .my.cnf my.cnf.saved &&
	test_when_finished "cp my.cnf.saved .my.cnf" &&
	echo "port=$MYSQL_PORT" >>.my.cnf &&
	export_ok "mysql://quire@127.0.0.1/lab"
'

test_expect_success 'the password from MYSQL_PWD when no option file has one' '
	mv .my.cnf my.cnf.saved &&
	test_when_finished "mv my.cnf.saved .my.cnf" &&
	test_must_fail quire export-dsdb "$MYSQL_URL_BASE/lab" \
		--table "#subject" --name lab/url --registry ./reg-none 2>err &&
	test_grep "^fatal: cannot connect to mysql://.*/lab: Access denied for user .quire.*(using password: NO)" err &&
	test_path_is_missing reg-none &&
	MYSQL_PWD=$DB_PASSWORD &&
	export MYSQL_PWD &&
	test_when_finished "unset MYSQL_PWD" &&
	export_ok "$MYSQL_URL_BASE/lab"
'

test_expect_success 'a password in the url is refused and not shown' '
	for url in "mysql://quire:hunter2@127.0.0.1:$MYSQL_PORT/lab" \
		"mariadb://quire:hunter2@127.0.0.1:$MYSQL_PORT/lab" \
		"mysql://quire:@127.0.0.1:$MYSQL_PORT/lab" \
		"mysql://127.0.0.1:$MYSQL_PORT/lab?password=hunter2" \
		"mysql://127.0.0.1:99999/lab?socket=/x&Password=hunter2"
	do
		test_expect_code 128 quire export-dsdb "$url" \
			--table "#subject" --name lab/pw --registry ./reg-pw \
			2>err &&
		test_grep "^fatal: a password in the url is refused: put the password in ~/.my.cnf" err &&
		no_secret err &&
		test_path_is_missing reg-pw || return 1
	done &&
	test_expect_code 128 quire import-dsdb --registry ./reg --to pw \
		lab/subj "mysql://quire:hunter2@127.0.0.1:$MYSQL_PORT/copy" \
		2>err &&
	test_grep "^fatal: a password in the url is refused" err &&
	no_secret err &&
	test_path_is_missing pw
'

test_expect_success 'a wrong password is refused and not shown' '
	cp .my.cnf my.cnf.saved &&
	test_when_finished "cp my.cnf.saved .my.cnf" &&
	printf "[client]\nuser=quire\npassword=not-the-password\n" >.my.cnf &&
	test_expect_code 128 quire export-dsdb "$MYSQL_URL_BASE/lab" \
		--table "#subject" --name lab/pw --registry ./reg-pw 2>err &&
	test_grep "^fatal: cannot connect to mysql://.*/lab: Access denied for user .quire.*(using password: YES)" err &&
	no_secret err &&
	test_path_is_missing reg-pw &&
	cp my.cnf.saved .my.cnf &&
	MYSQL_PWD=not-the-password test_expect_code 128 quire import-dsdb \
		--registry ./reg --to pw lab/subj \
		"mysql://nobody@127.0.0.1:$MYSQL_PORT/copy" 2>err &&
	test_grep "Access denied for user .nobody." err &&
	no_secret err &&
	test_path_is_missing pw
'

test_expect_success 'an unknown host, database or table is named' '
	test_expect_code 128 quire export-dsdb "mysql://quire@nohost.invalid/lab" \
		--table "#subject" --name lab/x --registry ./reg-x 2>err &&
	test_grep "^fatal: cannot connect to mysql://.*nohost.invalid/lab: Unknown server host .nohost.invalid." err &&
	test_expect_code 128 quire export-dsdb "$MYSQL_URL_BASE/nodb" \
		--table "#subject" --name lab/x --registry ./reg-x 2>err &&
	test_grep "^fatal: cannot connect to mysql://.*/nodb: Unknown database .nodb." err &&
	test_expect_code 128 quire export-dsdb "$MYSQL_URL_BASE/lab" \
		--table nope --name lab/x --registry ./reg-x 2>err &&
	test_grep "^fatal: no table .nope. in mysql://.*/lab; its tables are: #subject, __recording, alltypes\$" err &&
	test_expect_code 128 quire export-dsdb "$MYSQL_URL_BASE" \
		--table nope --name lab/x --registry ./reg-x 2>err &&
	test_grep "^fatal: cannot connect to mysql://.*: name the database in the url" err &&
	test_path_is_missing reg-x
'

test_expect_success 'a query the server refuses: its message, nothing written' '
	test_expect_code 128 quire export-dsdb "$MYSQL_URL_BASE/lab" \
		--query "SELECT nocol FROM alltypes" --name lab/x \
		--registry ./reg-x 2>err &&
	test_grep "^fatal: the query does not run on mysql://.*/lab: Unknown column .nocol." err &&
	test_expect_code 128 quire export-dsdb "$MYSQL_URL_BASE/lab" \
		--query "SELECT 1; DROP TABLE alltypes" --name lab/x \
		--registry ./reg-x 2>err &&
	test_grep "^fatal: the query does not run on .*: You have an error in your SQL syntax" err &&
	test_expect_code 128 quire export-dsdb "$MYSQL_URL_BASE/lab" \
		--query "SELECT (SELECT id FROM alltypes) AS x" \
		--name lab/x --registry ./reg-x 2>err &&
	test_grep "^fatal: Subquery returns more than 1 row" err &&
	test_path_is_missing reg-x &&
	table_exists lab alltypes >actual &&
	echo 1 >expect &&
	test_cmp expect actual
'

test_expect_success 'an export only reads: a read-only transaction' '
	test_expect_code 128 quire export-dsdb "$MYSQL_URL_BASE/lab" \
		--query "INSERT INTO \`#subject\` VALUES (\"z\", \"U\") RETURNING subject_id" \
		--name lab/x --registry ./reg-x 2>err &&
	test_grep "^fatal: .*READ ONLY transaction" err &&
	test_expect_code 128 quire export-dsdb "$MYSQL_URL_BASE/lab" \
		--query "INSERT INTO \`#subject\` VALUES (\"z\", \"U\")" \
		--name lab/x --registry ./reg-x 2>err &&
	test_grep "^fatal: .*READ ONLY transaction" err &&
	mysql_admin -e "SELECT COUNT(*) FROM \`#subject\`" lab >actual &&
	echo 2 >expect &&
	test_cmp expect actual &&
	test_path_is_missing reg-x
'

test_expect_success 'an import the server refuses leaves no table behind' '
	cat >bad.py <<-\EOF &&
	import sqlite3
	con = sqlite3.connect("bad.db")
	con.execute("CREATE TABLE bad (id INTEGER, r REAL, t TEXT)")
	# megabytes of good rows before the one MySQL cannot hold
	con.executemany("INSERT INTO bad VALUES (?, ?, ?)",
	                [(i, i / 7, "fine %d " % i + "x" * 200)
	                 for i in range(15000)])
	con.execute("INSERT INTO bad VALUES (15000, 1e999, \x27inf\x27)")
	con.execute("INSERT INTO bad VALUES (15001, 1, \x27late\x27)")
	con.commit()
	EOF
	"$DB_PYTHON" bad.py &&
	quire export-dsdb bad.db --table bad --name lab/bad --registry ./reg &&
	test_expect_code 128 quire import-dsdb --registry ./reg --to bad \
		lab/bad "$MYSQL_URL_BASE/copy" 2>err &&
	test_grep "^fatal: .*1e999" err &&
	table_exists copy bad >actual &&
	echo 0 >expect &&
	test_cmp expect actual
'

test_expect_success 'an import into a table that exists, or a database that does not, is refused' '
	mysql_admin -e "SELECT COUNT(*) FROM alltypes" copy >before &&
	test_expect_code 128 quire import-dsdb --registry ./reg --to types \
		lab/types "$MYSQL_URL_BASE/copy" 2>err &&
	test_grep "^fatal: table .alltypes. already exists in mysql://.*/copy; choose another name with --table" err &&
	mysql_admin -e "SELECT COUNT(*) FROM alltypes" copy >after &&
	test_cmp before after &&
	test_expect_code 128 quire import-dsdb --registry ./reg --to nodb \
		lab/types "$MYSQL_URL_BASE/nodb" 2>err &&
	test_grep "^fatal: cannot connect to mysql://.*/nodb: Unknown database .nodb." err &&
	test_path_is_missing nodb
'

test_expect_success 'setup: a big table' '
	mysql_admin lab <<-\EOF &&
	CREATE TABLE big (id int NOT NULL PRIMARY KEY,
		v varchar(40) NOT NULL, x double) ENGINE=InnoDB;
	INSERT INTO big SELECT seq, CONCAT("row ", seq), seq / 7
		FROM seq_1_to_200000;
	EOF
	cat >writer.py <<-\EOF
	# writer.py: lock table big, and once quire waits for it (so that its
	# snapshot is taken), insert rows and let quire go on; then keep
	# inserting, a commit each time, until the file "stop" appears.
	# Prints how many rows it inserted; fails if quire never waited.
	import os, sys, time
	sys.path.insert(0, ".")
	from db import connect
	con = connect("lab")
	con.autocommit(True)
	cur = con.cursor()
	cur.execute("LOCK TABLES big WRITE")
	open("locked", "w").close()
	me = con.thread_id()
	for _ in range(600):
	    cur.execute("SELECT COUNT(*) FROM information_schema.PROCESSLIST "
	                "WHERE ID <> %s AND USER = \x27quire\x27 AND "
	                "STATE LIKE \x27%%metadata lock%%\x27", (me,))
	    if cur.fetchone()[0]:
	        break
	    time.sleep(0.1)
	else:
	    sys.exit("quire never waited for the lock")
	n = 200000
	for _ in range(1000):
	    n += 1
	    cur.execute("INSERT INTO big VALUES (%s, %s, NULL)", (n, "new"))
	cur.execute("UPDATE big SET v = \x27changed\x27 WHERE id <= 1000")
	cur.execute("DELETE FROM big WHERE id BETWEEN 1001 AND 2000")
	cur.execute("UNLOCK TABLES")
	while not os.path.exists("stop"):
	    n += 1
	    cur.execute("INSERT INTO big VALUES (%s, %s, NULL)", (n, "late"))
	print(n - 200000)
	EOF
'

test_expect_success 'an export holds the rows of one moment while another connection writes' '
	rm -f locked stop &&
	{ "$DB_PYTHON" writer.py >inserted 2>writer.err 3>&- 4>&- 5>&- 6<&- & } &&
	writer=$! &&
	test_when_finished "touch stop" &&
	i=0 &&
	while ! test -f locked && test $i -lt 300
	do
		sleep 0.1 &&
		i=$((i + 1))
	done &&
	test -f locked &&
	quire export-dsdb "$MYSQL_URL_BASE/lab" --table big --name lab/big \
		--registry ./reg 2>err &&
	touch stop &&
	wait $writer &&
	test_grep "^exported 200000 rows " err &&
	cat writer.err &&
	test $(cat inserted) -gt 1000 &&
	quire cat --registry ./reg lab/big data.sqlite >big.sqlite &&
	sqlite3 big.sqlite "SELECT COUNT(*), MIN(id), MAX(id), SUM(v = ${SQ}row ${SQ} || id), COUNT(DISTINCT id) FROM data" >actual &&
	echo "200000|1|200000|200000|200000" >expect &&
	test_cmp expect actual &&
	mysql_admin -e "SELECT COUNT(*) > 200000, SUM(v = \"changed\") FROM big" lab >actual &&
	printf "1\t1000\n" >expect &&
	test_cmp expect actual
'

test_done
