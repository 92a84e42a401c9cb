#!/bin/sh
test_description='quire export-slice from MariaDB: a DataJoint-shaped schema

A DataJoint pipeline on a real MariaDB (t/db/datajoint-mysql.sql): slices
from leaves given with --restrict and --leaves, under DataJoint table
names and its double-quoted strings, checked row by row against a slice
computed without quire (t/helper/slice-check.py), in slice.sqlite and in
slice.sql loaded by the mariadb client into an empty database; ~log and
~jobs, a file column, refusals that write nothing, and rows written
while a slice runs.'
. ./test-lib.sh
. "$TEST_DIRECTORY/lib-db.sh"
db_require mysql pymysql

if ! command -v sqlite3 >/dev/null
then
	skip_all='the sqlite3 command is needed'
	test_done
fi

SQ="'"

# shown <url>: a pattern of <url> as quire's messages show it (the user
# name may be redacted).
shown () {
	echo "$1" | sed "s|//[^@/]*@|//[^@/ ]*@|"
}

# slice_check [<slice-check.py options>]: the slice of the database lab
# computed without quire, checked against quire's files; prints
# "<slice rows><TAB><all rows><TAB><table>" by table.
slice_check () {
	"$DB_PYTHON" "$TEST_DIRECTORY/helper/slice-check.py" mysql \
		--port "$MYSQL_PORT" --db lab "$@"
}

# get <package>: its slice.sqlite and slice.sql, as <file-name>.sqlite
# and <file-name>.sql (the package's name with - for /).
get () {
	quire cat -r "$PWD/reg" "$1" slice.sqlite >"$(echo "$1" | tr / -).sqlite" &&
	quire cat -r "$PWD/reg" "$1" slice.sql >"$(echo "$1" | tr / -).sql"
}

# rows <file.sqlite> <sql>: sqlite3's answer.
rows () {
	sqlite3 "$1" "$2"
}

# sums <check output>: the total of its first column.
sums () {
	awk -F"	" "{ n += \$1 } END { print n }" "$1"
}

test_expect_success 'setup: MariaDB with a DataJoint schema and its files' '
	mysql_start &&
	mysql_createdb lab &&
	mariadb -h 127.0.0.1 -P "$MYSQL_PORT" lab \
		<"$TEST_DIRECTORY/db/datajoint-mysql.sql" &&
	URL=$MYSQL_URL_BASE/lab &&
	mysql_admin -e "SELECT nwb_path FROM _recording
		WHERE nwb_path IS NOT NULL" lab >paths &&
	test_line_count = 280 paths &&
	while read p
	do
		mkdir -p "data/$(dirname "$p")" &&
		echo "recording $p" >"data/$p" || return 1
	done <paths
'

test_expect_success '--preview: every table and its rows in the slice, nothing written' '
	quire export-slice "$URL" \
		--restrict __spike_sorting "sorter = \"kilosort4\" AND subject_id = \"m15\" AND session_date >= \"2024-02-06\"" \
		--restrict session "subject_id=\"m1\"" \
		--preview -r "$PWD/reg" >out 2>err &&
	test_must_be_empty err &&
	test_path_is_missing reg &&
	slice_check \
		--restrict __spike_sorting "sorter = \"kilosort4\" AND subject_id = \"m15\" AND session_date >= \"2024-02-06\"" \
		--restrict session "subject_id=\"m1\"" >check &&
	cut -f1,3 check | sort >expect &&
	sort out >actual &&
	test_cmp expect actual &&
	test_line_count = 11 out
'

test_expect_success 'export a slice from two leaves, with DataJoint names and strings' '
	quire export-slice "$URL" \
		--restrict __spike_sorting "sorter = \"kilosort4\" AND subject_id = \"m15\" AND session_date >= \"2024-02-06\"" \
		--restrict session "subject_id=\"m1\"" \
		--name lab/fig3 -r "$PWD/reg" -m "figure 3" >top 2>err &&
	test_grep "^[0-9a-f]\{64\}\$" top &&
	test_grep "^exported 18 rows of 11 tables and 0 files as lab/fig3@$(cut -c1-12 top) in file://" err &&
	quire ls -r "$PWD/reg" lab/fig3 >out &&
	printf "%s\n" README.md slice.sql slice.sqlite >expect &&
	test_cmp expect out
'

test_expect_success 'slice.sqlite holds exactly the slice computed without quire' '
	get lab/fig3 &&
	slice_check \
		--restrict __spike_sorting "sorter = \"kilosort4\" AND subject_id = \"m15\" AND session_date >= \"2024-02-06\"" \
		--restrict session "subject_id=\"m1\"" \
		--sqlite lab-fig3.sqlite >check &&
	test "$(sums check)" = 18 &&
	awk -F"	" "\$2 > 0 && \$1 >= \$2" check >whole &&
	test_must_be_empty whole
'

test_expect_success 'slice.sql loads into an empty MariaDB: the same tables and rows' '
	slice_check \
		--restrict __spike_sorting "sorter = \"kilosort4\" AND subject_id = \"m15\" AND session_date >= \"2024-02-06\"" \
		--restrict session "subject_id=\"m1\"" \
		--load lab-fig3.sql --into fig3 >check &&
	test "$(sums check)" = 18
'

test_expect_success 'the rows: projected key, diamond, self-reference, odd values' '
	rows lab-fig3.sqlite "SELECT session_date FROM session
		WHERE subject_id = ${SQ}m15${SQ} ORDER BY 1;
		SELECT subject_id FROM subject ORDER BY 1;
		SELECT subject_id, surgery_id FROM surgery;
		SELECT quote(subject_notes) FROM subject
		WHERE subject_id = ${SQ}m1${SQ};
		SELECT typeof(sorting_hash), sorting_hash, typeof(quality)
		FROM __spike_sorting ORDER BY session_date LIMIT 1;
		SELECT typeof(weight), weight FROM subject
		WHERE subject_id = ${SQ}m1${SQ}" >actual &&
	cat >expect <<-EOF &&
	2024-01-23
	2024-02-06
	2024-02-13
	m1
	m15
	m8
	m15|1
	${SQ}O${SQ}${SQ}Brien${SQ}${SQ}s "first" mouse \\ naïve 🐭, tab:	end${SQ}
	text|9223372036854791179|real
	text|20.35
	EOF
	test_cmp expect actual
'

test_expect_success 'the ~log and ~jobs tables: in the slice, with no rows' '
	rows lab-fig3.sqlite "SELECT COUNT(*) FROM \"~log\";
		SELECT COUNT(*) FROM \"~jobs\"" >actual &&
	printf "0\n0\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'the ~log and ~jobs tables: in slice.sql, with no rows' '
	mysql_admin -e "SELECT COUNT(*) FROM \`~log\`;
		SELECT COUNT(*) FROM \`~jobs\`" fig3 >actual &&
	printf "0\n0\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'a leaf that names ~jobs takes its rows, and still none of ~log' '
	quire export-slice "$URL" --restrict "~jobs" "status = \"error\"" \
		--restrict "#species" "species LIKE \"%jacchus\"" \
		--name lab/jobs -r "$PWD/reg" >top 2>err &&
	get lab/jobs &&
	slice_check --restrict "~jobs" "status = \"error\"" \
		--restrict "#species" "species LIKE \"%jacchus\"" \
		--sqlite lab-jobs.sqlite >check &&
	grep "~" check >actual &&
	printf "7\t20\t~jobs\n0\t30\t~log\n" >expect &&
	test_cmp expect actual &&
	test "$(sums check)" = 8
'

test_expect_success 'slice.sql of a leaf on ~jobs loads: the same tables and rows' '
	slice_check --restrict "~jobs" "status = \"error\"" \
		--restrict "#species" "species LIKE \"%jacchus\"" \
		--load lab-jobs.sql --into jobs >check &&
	test "$(sums check)" = 8
'

test_expect_success '--leaves with DataJoint names, and a file column' '
	cat >leaves.jsonl <<-\EOF &&
	{"table": "__spike_sorting__unit", "restriction": "label = '"'good'"' AND snr >= 9 AND subject_id IN ('"'m22', 'm30'"')"}

	{"table": "_recording__channel", "restriction": "subject_id = \"m36\" AND channel = 3"}
	EOF
	quire export-slice "$URL" --leaves leaves.jsonl \
		--file-column _recording.nwb_path --root "$PWD/data" \
		--name lab/units -r "$PWD/reg" >top 2>err &&
	get lab/units &&
	slice_check --leaves leaves.jsonl --sqlite lab-units.sqlite >check &&
	test "$(sums check)" = 69 &&
	rows lab-units.sqlite "SELECT nwb_path FROM _recording
		WHERE nwb_path IS NOT NULL ORDER BY 1" >paths &&
	test_line_count = 14 paths &&
	test_grep "^exported 69 rows of 11 tables and 14 files as lab/units@" err
'

test_expect_success 'slice.sql of the --leaves slice loads: the same tables and rows' '
	slice_check --leaves leaves.jsonl --load lab-units.sql --into units \
		>check &&
	test "$(sums check)" = 69
'

test_expect_success 'the file column: each file of the slice once, below files/' '
	quire ls -R -r "$PWD/reg" lab/units >out &&
	sed -n "s|^files/||p" out >actual &&
	sed "s|^raw/||" paths >expect &&
	test_cmp expect actual &&
	while read p
	do
		quire cat -r "$PWD/reg" lab/units "files/${p#raw/}" >got &&
		test_cmp "data/$p" got || return 1
	done <paths &&
	quire export-slice "$URL" --leaves leaves.jsonl \
		--file-column _recording.nwb_path --root "$PWD/data" \
		--preview >out &&
	sed -n "s|^file	$PWD/data/||p" out >actual &&
	test_cmp paths actual
'

test_expect_success 'metadata: the source as given, the leaves, the rows per table' '
	"$DB_PYTHON" - "reg/.quilt/packages/$(cat top)" "$URL" check <<-\EOF
	import json, sys
	meta = json.loads(open(sys.argv[1]).readline())["user_meta"]["slice"]
	assert meta["source"] == sys.argv[2], meta["source"]
	want = {}
	for line in open(sys.argv[3]):
	    n, _, t = line.rstrip("\n").split("\t")
	    want[t] = int(n)
	assert meta["tables"] == want, (meta["tables"], want)
	assert meta["files"] == 14, meta["files"]
	assert [l["table"] for l in meta["leaves"]] == [
	    "__spike_sorting__unit", "_recording__channel"], meta["leaves"]
	EOF
'

test_expect_success 'a leaf table that does not exist: nothing written' '
	test_fatal 128 quire export-slice "$URL" \
		--restrict __spike_sorting__units 1 \
		--name lab/bad -r "$PWD/reg-bad" &&
	test_grep "^fatal: no table ${SQ}__spike_sorting__units${SQ} in ${SQ}$(shown "$URL")${SQ}; did you mean ${SQ}__spike_sorting__unit${SQ}?\$" err &&
	test_fatal 128 quire export-slice "$URL" --restrict "~nothing" 1 \
		--name lab/bad -r "$PWD/reg-bad" &&
	test_grep "^fatal: no table ${SQ}~nothing${SQ} in " err &&
	test_path_is_missing reg-bad
'

test_expect_success 'a condition the server refuses: its own message, nothing written' '
	test_fatal 128 quire export-slice "$URL" \
		--restrict session "no_such_column = 1" \
		--name lab/bad -r "$PWD/reg-bad" &&
	test_grep "^fatal: restriction \"no_such_column = 1\" on table ${SQ}session${SQ} fails: Unknown column ${SQ}no_such_column${SQ} in " err &&
	test_fatal 128 quire export-slice "$URL" \
		--restrict session "subject_id = = 1" \
		--name lab/bad -r "$PWD/reg-bad" &&
	test_grep "fails: .*You have an error in your SQL syntax" err &&
	test_path_is_missing reg-bad
'

test_expect_success 'a wrong password: refused, never printed, nothing written' '
	mkdir badhome &&
	printf "[client]\nuser=quire\npassword=not-the-secret-4711\n" \
		>badhome/.my.cnf &&
	chmod 600 badhome/.my.cnf &&
	test_fatal 128 env HOME="$PWD/badhome" quire export-slice "$URL" \
		--restrict session 1 --name lab/bad -r "$PWD/reg-bad" &&
	test_grep "^fatal: cannot connect to $(shown "$URL"): Access denied for user ${SQ}quire${SQ}" err &&
	test_grep -v "not-the-secret" err &&
	test_path_is_missing reg-bad
'

test_expect_success 'an unknown host or database: refused, nothing written' '
	test_fatal 128 quire export-slice \
		"mysql://quire@no-such-host.invalid:$MYSQL_PORT/lab" \
		--restrict session 1 --name lab/bad -r "$PWD/reg-bad" &&
	test_grep "^fatal: cannot connect to $(shown "mysql://quire@no-such-host.invalid:$MYSQL_PORT/lab"): .*no-such-host.invalid" err &&
	test_fatal 128 quire export-slice "$MYSQL_URL_BASE/nosuchdb" \
		--restrict session 1 --name lab/bad -r "$PWD/reg-bad" &&
	test_grep "^fatal: cannot connect to $(shown "$MYSQL_URL_BASE/nosuchdb"): .*Unknown database ${SQ}nosuchdb${SQ}" err &&
	test_path_is_missing reg-bad
'

# wait_for_query <text>: wait until a query holding <text> runs on the
# server, in another connection than ours, while process $pid lives.
wait_for_query () {
	n=0
	while test "$(mysql_admin -e "SELECT COUNT(*)
		FROM information_schema.PROCESSLIST
		WHERE ID <> CONNECTION_ID() AND INFO LIKE ${SQ}%$1%${SQ}")" = 0
	do
		if ! kill -0 $pid 2>/dev/null || test $n -ge 300
		then
			echo "no query holding $1 ran"
			return 1
		fi
		sleep 0.1
		n=$((n + 1))
	done
}

test_expect_success 'rows written while a slice runs are not in it, nor half of them' '
	quire export-slice "$URL" \
		--restrict subject "subject_id = \"m3\" AND SLEEP(2) = 0" \
		--restrict session "subject_id IN (\"m3\", \"m99\")" \
		--name lab/live -r "$PWD/reg" >top 2>err &
	pid=$! &&
	wait_for_query "SLEEP(2)" &&
	mysql_admin lab <<-\EOF &&
	INSERT INTO subject (subject_id, species) VALUES ("m99", "Mus musculus");
	INSERT INTO session VALUES
	  ("m99", "2024-05-01", "2024-05-01 10:00:00", "ana", NULL, 21),
	  ("m3", "2024-05-02", "2024-05-02 10:00:00", "ana", NULL, 21);
	UPDATE subject SET subject_notes = "changed" WHERE subject_id = "m3";
	EOF
	wait $pid &&
	get lab/live &&
	rows lab-live.sqlite "SELECT subject_id, quote(subject_notes)
		FROM subject ORDER BY 1;
		SELECT COUNT(*) FROM session WHERE session_date >= ${SQ}2024-05-01${SQ}" >actual &&
	printf "%s\n" "m3|${SQ}${SQ}" 0 >expect &&
	test_cmp expect actual &&
	mysql_admin lab <<-\EOF &&
	DELETE FROM session WHERE session_date >= "2024-05-01";
	DELETE FROM subject WHERE subject_id = "m99";
	UPDATE subject SET subject_notes = "" WHERE subject_id = "m3";
	EOF
	slice_check --restrict subject "subject_id = \"m3\"" \
		--restrict session "subject_id IN (\"m3\", \"m99\")" \
		--sqlite lab-live.sqlite >check &&
	test "$(sums check)" = 6
'

test_expect_success 'slice.sql of the slice taken under writes loads: the same rows' '
	slice_check --restrict subject "subject_id = \"m3\"" \
		--restrict session "subject_id IN (\"m3\", \"m99\")" \
		--load lab-live.sql --into live >check &&
	test "$(sums check)" = 6
'

test_done
