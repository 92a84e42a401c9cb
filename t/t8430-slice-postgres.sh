#!/bin/sh
test_description='quire export-slice from PostgreSQL: a DataJoint-shaped schema

The DataJoint-shaped lab of t8420 in PostgreSQL (t/db/datajoint-
postgres.sql): slices from leaves given with --restrict and --leaves,
by URL and by libpq keywords, from public and from another --schema,
checked row by row against a slice computed without quire
(t/helper/slice-check.py), in slice.sqlite and in slice.sql loaded by
psql into an empty database; ~log and ~jobs, a file column, refusals
that write nothing, and rows written while a slice runs.'
. ./test-lib.sh
. "$TEST_DIRECTORY/lib-db.sh"
db_require postgres psycopg2

if ! command -v sqlite3 >/dev/null
then
	skip_all='the sqlite3 command is needed'
	test_done
fi

SQ="'"

# The leaves of the first slice: sortings of one subject's later
# sessions (whose sorter session is an earlier one), and all sessions
# of another subject, its column named as a quoted identifier.
SORT="sorter = 'kilosort4' AND subject_id = 'm15' AND session_date >= '2024-02-06'"
SESS="\"subject_id\" = 'm1'"

# shown <url>: a pattern of <url> as quire's messages show it (the user
# name may be redacted).
shown () {
	echo "$1" | sed "s|//[^@/]*@|//[^@/ ]*@|"
}

# slice_check [<slice-check.py options>]: the slice of the database lab
# computed without quire, checked against quire's files; prints
# "<slice rows><TAB><all rows><TAB><table>" by table.
slice_check () {
	"$DB_PYTHON" "$TEST_DIRECTORY/helper/slice-check.py" postgres \
		--port "$PG_PORT" --db lab "$@"
}

# psql_quire [<psql options>]: psql as quire over TCP (~/.pgpass).
psql_quire () {
	psql -X -q -v ON_ERROR_STOP=1 -w -h 127.0.0.1 -p "$PG_PORT" -U quire "$@"
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

test_expect_success 'setup: PostgreSQL with a DataJoint schema and its files' '
	pg_start &&
	pg_createdb lab &&
	psql_quire -d lab -f "$TEST_DIRECTORY/db/datajoint-postgres.sql" &&
	URL=$PG_URL_BASE/lab &&
	psql_quire -d lab -At -c "SELECT nwb_path FROM _recording
		WHERE nwb_path IS NOT NULL" >paths &&
	test_line_count = 280 paths &&
	while read p
	do
		mkdir -p "data/$(dirname "$p")" &&
		echo "recording $p" >"data/$p" || return 1
	done <paths
'

test_expect_success '--preview: every table and its rows in the slice, nothing written' '
	quire export-slice "$URL" --restrict __spike_sorting "$SORT" \
		--restrict session "$SESS" --preview -r "$PWD/reg" >out 2>err &&
	test_must_be_empty err &&
	test_path_is_missing reg &&
	slice_check --restrict __spike_sorting "$SORT" \
		--restrict session "$SESS" >check &&
	cut -f1,3 check | sort >expect &&
	sort out >actual &&
	test_cmp expect actual &&
	test_line_count = 11 out
'

test_expect_success '--preview of libpq keywords: the same slice' '
	quire export-slice \
		"host=127.0.0.1 port=$PG_PORT dbname=lab user=quire" \
		--restrict __spike_sorting "$SORT" \
		--restrict session "$SESS" --preview >out2 &&
	test_cmp out out2
'

test_expect_success 'export a slice from two leaves, with DataJoint names' '
	quire export-slice "$URL" --restrict __spike_sorting "$SORT" \
		--restrict session "$SESS" \
		--name lab/fig3 -r "$PWD/reg" -m "figure 3" >top 2>err &&
	test_grep "^[0-9a-f]\{64\}\$" top &&
	test_grep "^exported 18 rows of 11 tables and 0 files as lab/fig3@$(cut -c1-12 top) in file://" err &&
	quire ls -r "$PWD/reg" lab/fig3 >out &&
	printf "%s\n" README.md slice.sql slice.sqlite >expect &&
	test_cmp expect out
'

test_expect_success 'slice.sqlite holds exactly the slice computed without quire' '
	get lab/fig3 &&
	slice_check --restrict __spike_sorting "$SORT" \
		--restrict session "$SESS" --sqlite lab-fig3.sqlite >check &&
	test "$(sums check)" = 18 &&
	awk -F"	" "\$2 > 0 && \$1 >= \$2" check >whole &&
	test_must_be_empty whole
'

test_expect_success 'slice.sql loads into an empty PostgreSQL: the same tables and rows' '
	slice_check --restrict __spike_sorting "$SORT" \
		--restrict session "$SESS" \
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
		SELECT typeof(weight), weight, typeof(sex), sex FROM subject
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
	text|20.35|text|F
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
	pg_admin -d fig3 -c "SELECT COUNT(*) FROM \"~log\"" \
		-c "SELECT COUNT(*) FROM \"~jobs\"" >actual &&
	printf "0\n0\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'a leaf that names ~jobs takes its rows, and still none of ~log' '
	quire export-slice "$URL" \
		--restrict "~jobs" "status = ${SQ}error${SQ}" \
		--restrict "#species" "species LIKE ${SQ}%jacchus${SQ}" \
		--name lab/jobs -r "$PWD/reg" >top 2>err &&
	get lab/jobs &&
	slice_check --restrict "~jobs" "status = ${SQ}error${SQ}" \
		--restrict "#species" "species LIKE ${SQ}%jacchus${SQ}" \
		--sqlite lab-jobs.sqlite >check &&
	grep "~" check >actual &&
	printf "7\t20\t~jobs\n0\t30\t~log\n" >expect &&
	test_cmp expect actual &&
	test "$(sums check)" = 8
'

test_expect_success 'slice.sql of a leaf on ~jobs loads: the same tables and rows' '
	slice_check --restrict "~jobs" "status = ${SQ}error${SQ}" \
		--restrict "#species" "species LIKE ${SQ}%jacchus${SQ}" \
		--load lab-jobs.sql --into jobs >check &&
	test "$(sums check)" = 8
'

test_expect_success '--leaves with DataJoint names, and a file column' '
	cat >leaves.jsonl <<-\EOF &&
	{"table": "__spike_sorting__unit", "restriction": "label = '"'good'"' AND snr >= 9 AND subject_id IN ('"'m22', 'm30'"')"}

	{"table": "_recording__channel", "restriction": "subject_id = '"'m36'"' AND channel = 3"}
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

test_expect_success 'setup: the same schema in a schema of its own, ephys' '
	pg_createdb lab2 &&
	psql_quire -d lab2 -c "CREATE SCHEMA ephys" &&
	PGOPTIONS="-c search_path=ephys" psql_quire -d lab2 \
		-f "$TEST_DIRECTORY/db/datajoint-postgres.sql" &&
	psql_quire -d lab2 -c "CREATE TABLE public.other (id integer)"
'

test_expect_success '--schema: a slice of the tables of that schema only' '
	quire export-slice "$PG_URL_BASE/lab2" --schema ephys \
		--restrict __spike_sorting "$SORT" --restrict session "$SESS" \
		--name lab/ephys -r "$PWD/reg" >top 2>err &&
	get lab/ephys &&
	slice_check --db lab2 --schema ephys \
		--restrict __spike_sorting "$SORT" --restrict session "$SESS" \
		--sqlite lab-ephys.sqlite >check &&
	test "$(sums check)" = 18 &&
	test_line_count = 11 check
'

test_expect_success 'slice.sql of --schema loads into public of an empty database' '
	slice_check --db lab2 --schema ephys \
		--restrict __spike_sorting "$SORT" --restrict session "$SESS" \
		--load lab-ephys.sql --into ephys >check &&
	test "$(sums check)" = 18
'

test_expect_success 'a leaf table that does not exist: nothing written' '
	test_fatal 128 quire export-slice "$URL" \
		--restrict __spike_sorting__units "true" \
		--name lab/bad -r "$PWD/reg-bad" &&
	test_grep "^fatal: no table ${SQ}__spike_sorting__units${SQ} in ${SQ}$(shown "$URL")${SQ}; did you mean ${SQ}__spike_sorting__unit${SQ}?\$" err &&
	test_fatal 128 quire export-slice "$URL" --restrict "~nothing" "true" \
		--name lab/bad -r "$PWD/reg-bad" &&
	test_grep "^fatal: no table ${SQ}~nothing${SQ} in " err &&
	test_fatal 128 quire export-slice "$PG_URL_BASE/lab2" --schema ephys \
		--restrict other "true" --name lab/bad -r "$PWD/reg-bad" &&
	test_grep "^fatal: no table ${SQ}other${SQ} in " err &&
	test_path_is_missing reg-bad
'

test_expect_success 'a condition the server refuses: its own message, nothing written' '
	test_fatal 128 quire export-slice "$URL" \
		--restrict session "no_such_column = 1" \
		--name lab/bad -r "$PWD/reg-bad" &&
	test_grep "^fatal: restriction \"no_such_column = 1\" on table ${SQ}session${SQ} fails: .*column \"no_such_column\" does not exist" err &&
	test_fatal 128 quire export-slice "$URL" \
		--restrict session "subject_id = = 1" \
		--name lab/bad -r "$PWD/reg-bad" &&
	test_grep "fails: .*syntax error at or near \"=\"" err &&
	test_fatal 128 quire export-slice "$URL" --restrict session "1" \
		--name lab/bad -r "$PWD/reg-bad" &&
	test_grep "fails: .*argument of WHERE must be type boolean" err &&
	test_path_is_missing reg-bad
'

test_expect_success 'a wrong password: refused, never printed, nothing written' '
	mkdir badhome &&
	echo "127.0.0.1:$PG_PORT:*:quire:not-the-secret-4711" >badhome/.pgpass &&
	chmod 600 badhome/.pgpass &&
	test_fatal 128 env HOME="$PWD/badhome" quire export-slice "$URL" \
		--restrict session "true" --name lab/bad -r "$PWD/reg-bad" &&
	test_grep "^fatal: cannot connect to $(shown "$URL"): .*password authentication failed for user \"quire\"" err &&
	test_grep -v "not-the-secret" err &&
	test_path_is_missing reg-bad
'

test_expect_success 'an unknown host or database: refused, nothing written' '
	test_fatal 128 quire export-slice \
		"postgresql://quire@no-such-host.invalid:$PG_PORT/lab" \
		--restrict session "true" --name lab/bad -r "$PWD/reg-bad" &&
	test_grep "^fatal: cannot connect to $(shown "postgresql://quire@no-such-host.invalid:$PG_PORT/lab"): .*no-such-host.invalid" err &&
	test_fatal 128 quire export-slice "$PG_URL_BASE/nosuchdb" \
		--restrict session "true" --name lab/bad -r "$PWD/reg-bad" &&
	test_grep "^fatal: cannot connect to $(shown "$PG_URL_BASE/nosuchdb"): .*database \"nosuchdb\" does not exist" err &&
	test_path_is_missing reg-bad
'

# wait_for_sleep: wait until a connection sleeps in pg_sleep() (the
# query it shows may be a FETCH from a cursor), while process $pid lives.
wait_for_sleep () {
	n=0
	while test "$(pg_admin -c "SELECT count(*) FROM pg_stat_activity
		WHERE wait_event = ${SQ}PgSleep${SQ}")" = 0
	do
		if ! kill -0 $pid 2>/dev/null || test $n -ge 300
		then
			echo "no connection slept in pg_sleep()"
			return 1
		fi
		sleep 0.1
		n=$((n + 1))
	done
}

test_expect_success 'rows written while a slice runs are not in it, nor half of them' '
	quire export-slice "$URL" \
		--restrict subject "subject_id = ${SQ}m3${SQ} AND (SELECT true FROM pg_sleep(2))" \
		--restrict session "subject_id IN (${SQ}m3${SQ}, ${SQ}m99${SQ})" \
		--name lab/live -r "$PWD/reg" >top 2>err &
	pid=$! &&
	wait_for_sleep &&
	sed "s/\"/$SQ/g" >writes.sql <<-\EOF &&
	INSERT INTO subject (subject_id, species) VALUES ("m99", "Mus musculus");
	INSERT INTO session VALUES
	  ("m99", "2024-05-01", "2024-05-01 10:00:00", "ana", NULL, 21),
	  ("m3", "2024-05-02", "2024-05-02 10:00:00", "ana", NULL, 21);
	UPDATE subject SET subject_notes = "changed" WHERE subject_id = "m3";
	EOF
	pg_admin -d lab -f writes.sql &&
	wait $pid &&
	get lab/live &&
	rows lab-live.sqlite "SELECT subject_id, quote(subject_notes)
		FROM subject ORDER BY 1;
		SELECT COUNT(*) FROM session WHERE session_date >= ${SQ}2024-05-01${SQ}" >actual &&
	printf "%s\n" "m3|${SQ}${SQ}" 0 >expect &&
	test_cmp expect actual &&
	sed "s/\"/$SQ/g" >undo.sql <<-\EOF &&
	DELETE FROM session WHERE session_date >= "2024-05-01";
	DELETE FROM subject WHERE subject_id = "m99";
	UPDATE subject SET subject_notes = "" WHERE subject_id = "m3";
	EOF
	pg_admin -d lab -f undo.sql &&
	slice_check --restrict subject "subject_id = ${SQ}m3${SQ}" \
		--restrict session "subject_id IN (${SQ}m3${SQ}, ${SQ}m99${SQ})" \
		--sqlite lab-live.sqlite >check &&
	test "$(sums check)" = 6
'

test_expect_success 'slice.sql of the slice taken under writes loads: the same rows' '
	slice_check --restrict subject "subject_id = ${SQ}m3${SQ}" \
		--restrict session "subject_id IN (${SQ}m3${SQ}, ${SQ}m99${SQ})" \
		--load lab-live.sql --into live >check &&
	test "$(sums check)" = 6
'

test_done
