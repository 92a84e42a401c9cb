#!/bin/sh
# The slice-servers section of 'make bench' (BENCH_ONLY=slice-servers):
# quire export-slice from MariaDB and from PostgreSQL beside the same
# slice from SQLite, and beside what a lab does today: mysqldump --where
# of the leaf table alone (the script Spyglass writes: one mysqldump a
# table) and pg_dump -t. Wall time and peak RSS of each; figures, never
# pass/fail. Runs alone too:
#	QUIRE_BUILD_DIR=$PWD/build sh bench/db-servers.sh
#
#   BENCH_SLICE_ROWS  rows of the leaf table, spikes (default 1000000)
#   BENCH_DIR         scratch folder (default bench/out)
#
# The data is the slice section's (bench/db.sh, slice_data): the same
# six tables, keys and rows, kept in $BENCH_DIR/slice-N/lab.db, and
# written once as tab-separated files in $BENCH_DIR/slice-N/tsv for the
# servers. Two throwaway servers (bench/lib-dbserver.sh: private
# folders under /tmp, free loopback ports, stopped at the end) get the
# tables in database 'bench': MariaDB InnoDB tables with their foreign
# keys, loaded with LOAD DATA LOCAL INFILE (key checks off while
# loading), PostgreSQL tables loaded with COPY, then their foreign keys
# added; ANALYZE on both. Integers are bigint (SQLite's INTEGER), text
# is varchar(64) (MariaDB) or text (PostgreSQL), session.date is a date,
# the reals double. InnoDB indexes the columns of each foreign key by
# itself; PostgreSQL, like the SQLite file, does not.
#
# Measured, each with /usr/bin/time (wall seconds, peak RSS of the
# command; the server's own work is in the seconds, not in the RSS):
#   quire export-slice <db> --restrict spikes "1 = 1" --name ... -q
#	from the SQLite file, from mysql://quire@127.0.0.1:PORT/bench and
#	from postgresql://quire@127.0.0.1:PORT/bench, into a file://
#	registry; then the same with the leaf "unit_id % 100 = 0" (the
#	spikes of 1% of the units)
#   mysqldump --no-defaults --single-transaction --hex-blob
#	--where "<leaf>" bench spikes >file, both leaves (the table alone,
#	none of its parents)
#   pg_dump -t spikes bench >file (pg_dump has no --where)
# Each slice's row counts (user_meta.slice.tables of the version
# pushed) are compared across the three sources.
set -e
SRC=$(cd "$(dirname "$0")" && pwd)
BUILD=${QUIRE_BUILD_DIR:-$SRC/../build}
QUIRE=$BUILD/quire
DIR=${BENCH_DIR:-$SRC/out}
N=${BENCH_SLICE_ROWS:-1000000}
. "$SRC/lib.sh"
. "$SRC/lib-dbserver.sh"
. "$SRC/db.sh"

echo "== export-slice from MariaDB and PostgreSQL ($N leaf rows) beside" \
	"SQLite, mysqldump and pg_dump"
missing=$(dbs_missing)
test -x "$QUIRE" || missing="$missing $QUIRE"
for c in mysqldump sqlite3 python3 /usr/bin/time; do
	command -v $c >/dev/null 2>&1 || missing="$missing $c"
done
test -x "$DBS_PGBIN/pg_dump" || missing="$missing pg_dump"
if test -n "$missing"; then
	echo "   bench slice-servers: skipped, missing:$missing (make;" \
		"apt-get install mariadb-server mariadb-client postgresql" \
		"sqlite3 time)" >&2
	exit 0
fi

mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd -P)
D=$DIR/slice-$N
OUT=$DIR/slice-servers
# a HOME of our own: the client files hold the servers' password
export HOME="$OUT/home" XDG_DATA_HOME="$OUT/home/data" \
	XDG_CACHE_HOME="$OUT/home/cache" XDG_CONFIG_HOME="$OUT/home/config"
unset MYSQL_PWD PGPASSWORD PGPASSFILE PGHOST PGPORT PGUSER PGDATABASE \
	PGSERVICE
rm -rf "$OUT"
mkdir -p "$OUT/home"

trap 'dbs_stop_all' EXIT
trap 'exit 130' INT TERM

# run NAME COMMAND...: COMMAND with its stdout in $OUT/NAME.out, its
# stderr in $OUT/NAME.err; sets SECS and MIB, or FAILED to its exit code
# and first line of stderr
run () {
	name=$1
	shift
	FAILED= SECS= MIB=
	if /usr/bin/time -f "%e %M" -o "$OUT/$name.time" "$@" \
		>"$OUT/$name.out" 2>"$OUT/$name.err"
	then
		read SECS kb <"$OUT/$name.time"
		MIB=$((kb / 1024))
	else
		FAILED="exit $?: $(grep -v '^Command exited' "$OUT/$name.err" |
			head -n 1)"
	fi
}

# row LABEL NAME COMMAND...: run, print one line of the table, keep the
# figures in $OUT/figures (NAME SECS MIB)
row () {
	label=$1 name=$2
	shift 2
	run "$name" "$@"
	if test -n "$FAILED"; then
		printf '%-34s %s\n' "$label" "FAILED ($FAILED)"
		return 0
	fi
	case $name in
	quire-*)
		size= ;;
	*)
		size=$(stat -c %s "$OUT/$name.out")
		size=$(awk -v b="$size" \
		    'BEGIN { printf "  (output %.1f MiB)", b / 1048576 }') ;;
	esac
	printf '%-34s %8s s %6s MiB%s\n' "$label" "$SECS" "$MIB" "$size"
	echo "$name $SECS $MIB" >>"$OUT/figures"
}

# since T0: seconds from T0 (now_ms) to now
since () {
	awk -v a="$1" -v b="$(now_ms)" \
		'BEGIN { printf "%.1f s", (b - a) / 1000 }'
}

# counts REG NAME: the row counts of the slice pushed as NAME to REG
counts () {
	python3 - "$1" "$2" <<'PY'
import json, os, sys
reg, name = sys.argv[1], sys.argv[2]
q = os.path.join(reg, ".quilt")
top = open(os.path.join(q, "named_packages", name, "latest")).read().strip()
with open(os.path.join(q, "packages", top)) as f:
    meta = json.loads(f.readline())
t = meta["user_meta"]["slice"]["tables"]
print(" ".join("%s=%d" % (k, t[k]) for k in sorted(t)))
PY
}

slice_data "$D" "$N"
if ! test -f "$D/tsv/done"; then
	rm -rf "$D/tsv" && mkdir -p "$D/tsv"
	python3 - "$D/lab.db" "$D/tsv" <<'PY'
import os, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for t in ("lab", "subject", "session", "probe", "unit", "spikes"):
    with open(os.path.join(sys.argv[2], t + ".tsv"), "w") as f:
        for r in db.execute('SELECT * FROM "%s" ORDER BY rowid' % t):
            # repr: the shortest text that reads back as the same double
            f.write("\t".join(repr(v) if isinstance(v, float) else str(v)
                              for v in r) + "\n")
PY
	: >"$D/tsv/done"
fi

DBS_MYSQL_OPTS="--local-infile=1 --innodb-buffer-pool-size=512M
	--innodb-flush-log-at-trx-commit=0 --innodb-doublewrite=0"
DBS_PG_OPTS="-c shared_buffers=256MB -c max_wal_size=4GB"
t0=$(now_ms)
dbs_mysql_start
dbs_pg_start
dbs_client_files "$HOME"
echo "servers started:            $(since $t0)"

t0=$(now_ms)
{
	cat <<-\EOF
	CREATE DATABASE bench;
	USE bench;
	SET foreign_key_checks = 0, unique_checks = 0;
	CREATE TABLE lab (lab_id bigint PRIMARY KEY, name varchar(64))
		ENGINE=InnoDB;
	CREATE TABLE subject (subject_id bigint PRIMARY KEY, lab bigint,
		species varchar(64),
		FOREIGN KEY (lab) REFERENCES lab (lab_id)) ENGINE=InnoDB;
	CREATE TABLE session (subject_id bigint, session_no bigint,
		`date` date, PRIMARY KEY (subject_id, session_no),
		FOREIGN KEY (subject_id) REFERENCES subject (subject_id))
		ENGINE=InnoDB;
	CREATE TABLE probe (probe_id bigint PRIMARY KEY, kind varchar(64))
		ENGINE=InnoDB;
	CREATE TABLE unit (unit_id bigint PRIMARY KEY, subj bigint,
		sess bigint, probe bigint,
		FOREIGN KEY (probe) REFERENCES probe (probe_id),
		FOREIGN KEY (subj, sess)
			REFERENCES session (subject_id, session_no))
		ENGINE=InnoDB;
	CREATE TABLE spikes (spike_id bigint PRIMARY KEY, unit_id bigint,
		t double, amplitude double,
		FOREIGN KEY (unit_id) REFERENCES unit (unit_id)) ENGINE=InnoDB;
	EOF
	for t in lab subject session probe unit spikes; do
		echo "LOAD DATA LOCAL INFILE '$D/tsv/$t.tsv' INTO TABLE $t;"
	done
	echo "ANALYZE TABLE lab, subject, session, probe, unit, spikes;"
} | mysql_admin >/dev/null
echo "MariaDB loaded:             $(since $t0)"

t0=$(now_ms)
pg_admin -c "CREATE DATABASE bench OWNER quire"
{
	cat <<-\EOF
	SET ROLE quire;
	CREATE TABLE lab (lab_id bigint PRIMARY KEY, name text);
	CREATE TABLE subject (subject_id bigint PRIMARY KEY, lab bigint,
		species text);
	CREATE TABLE session (subject_id bigint, session_no bigint,
		date date, PRIMARY KEY (subject_id, session_no));
	CREATE TABLE probe (probe_id bigint PRIMARY KEY, kind text);
	CREATE TABLE unit (unit_id bigint PRIMARY KEY, subj bigint,
		sess bigint, probe bigint);
	CREATE TABLE spikes (spike_id bigint PRIMARY KEY, unit_id bigint,
		t double precision, amplitude double precision);
	EOF
	for t in lab subject session probe unit spikes; do
		printf '\\copy %s FROM '"'%s'"'\n' $t "$D/tsv/$t.tsv"
	done
	cat <<-\EOF
	ALTER TABLE subject ADD FOREIGN KEY (lab) REFERENCES lab (lab_id);
	ALTER TABLE session ADD FOREIGN KEY (subject_id)
		REFERENCES subject (subject_id);
	ALTER TABLE unit ADD FOREIGN KEY (probe) REFERENCES probe (probe_id);
	ALTER TABLE unit ADD FOREIGN KEY (subj, sess)
		REFERENCES session (subject_id, session_no);
	ALTER TABLE spikes ADD FOREIGN KEY (unit_id) REFERENCES unit (unit_id);
	RESET ROLE;
	VACUUM ANALYZE;
	EOF
} | pg_admin -d bench >/dev/null
echo "PostgreSQL loaded:          $(since $t0)"

my=$(mysql_admin -N -e "SELECT count(*) FROM bench.spikes")
pg=$(pg_admin -d bench -c "SELECT count(*) FROM spikes")
lite=$(sqlite3 "$D/lab.db" "SELECT count(*) FROM spikes")
if test "$my" != "$N" || test "$pg" != "$N" || test "$lite" != "$N"; then
	echo "spikes rows: MariaDB $my, PostgreSQL $pg, SQLite $lite;" \
		"expected $N" >&2
	exit 1
fi

REG=$OUT/reg
MYURL=$MYSQL_URL_BASE/bench
PGURL=$PG_URL_BASE/bench
: >"$OUT/figures"
for leaf in all 1pc; do
	if test $leaf = all; then
		cond="1 = 1"
		echo "leaf: all $N rows of spikes ($cond)"
	else
		cond="unit_id % 100 = 0"
		echo "leaf: the spikes of 1% of the units ($cond)"
	fi
	for src in sqlite mysql postgres; do
		case $src in
		sqlite) db=$D/lab.db label="quire export-slice, SQLite" ;;
		mysql) db=$MYURL label="quire export-slice, MariaDB" ;;
		postgres) db=$PGURL label="quire export-slice, PostgreSQL" ;;
		esac
		row "$label" "quire-$src-$leaf" "$QUIRE" export-slice "$db" \
			--restrict spikes "$cond" --name "bench/$src-$leaf" \
			--registry "$REG" -q
	done
	row "mysqldump --where, spikes alone" "mysqldump-$leaf" \
		env MYSQL_PWD=quire-secret mysqldump --no-defaults \
		--host=127.0.0.1 --port="$MYSQL_PORT" --user=quire \
		--single-transaction --hex-blob --where "$cond" bench spikes
	if test $leaf = all; then
		row "pg_dump -t spikes" "pg_dump-all" "$DBS_PGBIN/pg_dump" \
			-h 127.0.0.1 -p "$PG_PORT" -U quire -w -t spikes bench
	fi
	same=
	for src in sqlite mysql postgres; do
		c=$(counts "$REG" "bench/$src-$leaf" 2>/dev/null) || continue
		if test -z "$same"; then
			same=$c
			echo "  rows of the slice: $c"
		elif test "$c" != "$same"; then
			echo "  rows of the slice from $src DIFFER: $c"
		fi
	done
done

# quire from a server beside quire from SQLite, and beside mysqldump
python3 - "$OUT/figures" <<'PY'
import sys
f = {}
for line in open(sys.argv[1]):
    name, secs, mib = line.split()
    f[name] = (float(secs), int(mib))
for leaf, what in (("all", "all rows"), ("1pc", "1% leaf")):
    lite = f.get("quire-sqlite-" + leaf)
    dump = f.get("mysqldump-" + leaf)
    for src, label in (("mysql", "MariaDB"), ("postgres", "PostgreSQL")):
        q = f.get("quire-%s-%s" % (src, leaf))
        if not q:
            continue
        line = "%s, %s: %.2fx SQLite's time" % (label, what,
                                               q[0] / max(lite[0], 0.01)) \
            if lite else "%s, %s:" % (label, what)
        if dump:
            line += ", %.2fx mysqldump's" % (q[0] / max(dump[0], 0.01))
        print(line)
PY
