# lib-db.sh: run tests against real database servers, a throwaway
# MariaDB and a throwaway PostgreSQL (Debian's mariadb-server and
# postgresql; contrib/install-deps.sh --test installs them). Source it
# after test-lib.sh, say which servers the script needs, and start them
# in a test:
#
#	. ./test-lib.sh
#	. "$TEST_DIRECTORY/lib-db.sh"
#	db_require mysql postgres
#
#	test_expect_success 'setup: start the servers' '
#		mysql_start &&
#		mysql_admin -e "CREATE DATABASE lab" &&
#		pg_start &&
#		pg_createdb lab
#	'
#
# db_require <what>...
#	<what> is mysql (the programs mariadbd, mariadb-install-db and
#	mariadb), postgres (postgres, initdb and pg_ctl of the newest
#	/usr/lib/postgresql/*/bin, and psql), pymysql or psycopg2 (the
#	Python modules, in Debian's /usr/bin/python3). Call it before the
#	first test. When something is missing the script skips all its
#	tests and says what, unless QUIRE_REQUIRE_DB=1 (CI sets it): then
#	it fails. Sets the prereqs MYSQL, POSTGRES, PYMYSQL, PSYCOPG2.
#
# mysql_start
#	Start a MariaDB of our own (about 2 s): data in a fresh
#	/tmp/quire-my.XXXXXX (short: a unix socket path has at most 107
#	bytes), listening on 127.0.0.1 on a free port and on a socket in
#	that folder, with real authentication (root by the socket without
#	a password, and not over TCP; user quire, password quire-secret,
#	for localhost and 127.0.0.1, with all privileges). Server
#	character set utf8mb4, as Debian's configuration has it. Writes
#	$HOME/.my.cnf (mode 600, group [client]: user quire and its
#	password), so that quire and the mariadb client, run without
#	options, connect as quire.
#	Exports MYSQL_PORT, MYSQL_SOCKET and
#	MYSQL_URL_BASE=mysql://quire@127.0.0.1:$MYSQL_PORT (append /<db>).
#	Does nothing when the server runs already. $DB_PASSWORD is the
#	password (of quire on both servers).
# mysql_admin [<mariadb options>]
#	The mariadb client as root over the socket, with --no-defaults
#	(no option file is read), utf8mb4, in batch mode without column
#	names (tab-separated rows): SQL on stdin or with -e; a database
#	name as its last argument.
# mysql_createdb <db>
#	CREATE DATABASE <db> (utf8mb4).
# mysql_stop
#	Stop the server (SIGTERM; SIGKILL if it is still there 10 s later)
#	and remove its folder. Runs by itself when the script ends.
#
# pg_start
#	Start a PostgreSQL of our own (about 1.5 s): initdb into a fresh
#	/tmp/quire-pg.XXXXXX, superuser postgres, UTF8, locale C; postgres
#	refuses to run as root, so as root both run as the postgres system
#	user (Debian's package makes it) and the folder is theirs. Listens
#	on 127.0.0.1 on a free port (scram-sha-256: a wrong password is
#	refused) and on a unix socket in that folder (trust: only root and
#	the server's user can enter it); fsync off. Creates the role quire
#	(LOGIN CREATEDB, password quire-secret) and writes $HOME/.pgpass
#	(mode 600) for it. Exports PG_PORT, PG_HOST=127.0.0.1 and
#	PG_URL_BASE=postgresql://quire@127.0.0.1:$PG_PORT (append /<db>).
#	Does nothing when the server runs already.
# pg_admin [<psql options>]
#	psql as the superuser over the socket: -X -v ON_ERROR_STOP=1 -q
#	-A -t, database postgres unless a later -d names another; SQL on
#	stdin or with -c.
# pg_createdb <db>
#	CREATE DATABASE <db> OWNER quire.
# pg_stop
#	Stop the server (pg_ctl stop -m immediate; SIGKILL if it is still
#	there 10 s later) and remove its folder. Runs by itself when the
#	script ends.
#
# The servers stop however the script ends: passed, failed, --immediate,
# or a signal; if the script's shell dies without cleaning up (SIGKILL),
# a watchdog stops them and removes their folders within a few seconds.
# Processes are only ever stopped by the PIDs this file started. Several
# scripts can run at once (prove -j): each has its own folders and ports.
# Nothing of the caller's environment that the MySQL and PostgreSQL
# clients read (MYSQL_*, MARIADB_*, PG*) reaches the tests.

: "${DB_TIMEOUT:=30}"
DB_PYTHON=/usr/bin/python3
DB_PASSWORD=quire-secret

for db__v in $(env | sed -n 's/^\(MYSQL_[A-Za-z0-9_]*\)=.*/\1/p
	s/^\(MARIADB_[A-Za-z0-9_]*\)=.*/\1/p
	s/^\(PG[A-Z0-9_]*\)=.*/\1/p')
do
	unset "$db__v"
done
unset LIBMYSQL_ENABLE_CLEARTEXT_PLUGIN LIBMYSQL_PLUGINS LIBMYSQL_PLUGIN_DIR

DB__MYSQL_PID=
DB__MYSQL_DIR=
DB__MYSQL_WATCH=
DB__PG_PID=
DB__PG_DIR=
DB__PG_WATCH=

# db__pg_bin: the bin folder of the newest PostgreSQL server installed.
db__pg_bin () {
	for db__d in /usr/lib/postgresql/*/bin
	do
		test -x "$db__d/postgres" && echo "$db__d"
	done | sort -t/ -k5,5n | tail -n 1
}

# db__missing <what>: what <what> needs and this machine lacks.
db__missing () {
	case "$1" in
	mysql)
		for db__c in mariadbd mariadb-install-db mariadb
		do
			command -v "$db__c" >/dev/null 2>&1 || printf " %s" "$db__c"
		done ;;
	postgres)
		db__b=$(db__pg_bin)
		if test -z "$db__b"
		then
			printf " %s" /usr/lib/postgresql/*/bin/postgres
		else
			for db__c in initdb pg_ctl
			do
				test -x "$db__b/$db__c" || printf " %s" "$db__b/$db__c"
			done
		fi
		command -v psql >/dev/null 2>&1 || printf " %s" psql
		if test "$(id -u)" = 0 && ! id postgres >/dev/null 2>&1
		then
			printf " %s" "the postgres user"
		fi ;;
	pymysql|psycopg2)
		"$DB_PYTHON" -c "import $1" 2>/dev/null ||
		printf " %s" "python3-$1" ;;
	*)
		echo >&2 "BUG: db_require: unknown '$1'"
		printf " %s" "'$1' (unknown)" ;;
	esac
}

db_require () {
	db__why=
	for db__w
	do
		db__why="$db__why$(db__missing "$db__w")"
	done
	if test -n "$db__why"
	then
		db__why="no database test server, missing:$db__why"
		db__why="$db__why; contrib/install-deps.sh --test installs it"
		if test "${QUIRE_REQUIRE_DB-}" = 1
		then
			echo >&2 "error: QUIRE_REQUIRE_DB=1 but $db__why"
			test_expect_success "QUIRE_REQUIRE_DB=1: $db__why" 'false'
			test_done
		fi
		skip_all=$db__why
		test_done
	fi
	for db__w
	do
		test_set_prereq "$(echo "$db__w" | tr a-z A-Z)"
	done
}

# db__free_port: a TCP port of 127.0.0.1 that nothing listens on now
# (another script may take it before our server does: callers retry).
db__free_port () {
	"$DB_PYTHON" -c '
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# db__alive <pid>: the process runs (is not gone, nor a zombie).
db__alive () {
	test -r "/proc/$1/stat" || return 1
	case "$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null)" in
	Z*|X*|"") return 1 ;;
	esac
	return 0
}

# db__spawn <cmd>...: start <cmd> in the background, without any of
# sharness's descriptors (nothing must wait on it for end of file).
db__spawn () {
	"$@" </dev/null >/dev/null 2>&1 3>&- 4>&- 5>&- 6<&- &
}

# db__watch <signal> <pid> <dir>: a watchdog that, once this shell is
# gone without stopping the server <pid>, sends it <signal> (SIGKILL 10 s
# later) and removes <dir>. Sets db__watch_pid.
db__watch () {
	db__spawn sh -c '
		while kill -0 "$1" 2>/dev/null
		do
			sleep 1
		done
		kill -"$2" "$3" 2>/dev/null
		n=0
		while kill -0 "$3" 2>/dev/null && test $n -lt 100
		do
			sleep 0.1
			n=$((n + 1))
		done
		kill -9 "$3" 2>/dev/null
		rm -rf "$4"
	' db-watchdog $$ "$@"
	db__watch_pid=$!
}

# db__wait_gone <pid> <tenths>: wait until <pid> is gone; fails when it
# is still there after <tenths> tenths of a second.
db__wait_gone () {
	db__n=0
	while db__alive "$1"
	do
		test $db__n -lt "$2" || return 1
		sleep 0.1
		db__n=$((db__n + 1))
	done
	return 0
}

# db__stop_pid <pid> <signal>: <signal>, then SIGKILL after 10 s.
db__stop_pid () {
	kill -"$2" "$1" 2>/dev/null
	db__wait_gone "$1" 100 && return 0
	echo >&2 "lib-db: $1 still there 10 s after SIG$2: killed"
	kill -9 "$1" 2>/dev/null
	db__wait_gone "$1" 100
}

# db__port_taken <log>: the server's log says its port was taken.
db__port_taken () {
	grep -qi "address already in use\|could not bind\|could not create any TCP" \
		"$1" 2>/dev/null
}

mysql_admin () {
	mariadb --no-defaults --socket="$MYSQL_SOCKET" --user=root \
		--default-character-set=utf8mb4 --batch --skip-column-names "$@"
}

mysql_createdb () {
	mysql_admin -e "CREATE DATABASE \`$1\` CHARACTER SET utf8mb4"
}

# mysql__try: one attempt at starting mariadbd on a free port; 0 when it
# answers, 2 when its port was taken, 1 when it failed otherwise.
mysql__try () {
	MYSQL_PORT=$(db__free_port) || return 1
	db__as_root=
	test "$(id -u)" != 0 || db__as_root=--user=root
	: >"$DB__MYSQL_DIR/error.log"
	db__spawn mariadbd --no-defaults $db__as_root \
		--datadir="$DB__MYSQL_DIR/data" --tmpdir="$DB__MYSQL_DIR" \
		--socket="$MYSQL_SOCKET" --port="$MYSQL_PORT" \
		--bind-address=127.0.0.1 --skip-name-resolve \
		--pid-file="$DB__MYSQL_DIR/mariadbd.pid" \
		--log-error="$DB__MYSQL_DIR/error.log" \
		--character-set-server=utf8mb4 \
		--collation-server=utf8mb4_general_ci \
		--performance-schema=OFF --innodb-buffer-pool-size=32M \
		--innodb-log-file-size=16M --innodb-doublewrite=0 \
		--innodb-flush-log-at-trx-commit=0
	DB__MYSQL_PID=$!
	db__n=0
	until mysql_admin -e "SELECT 1" >/dev/null 2>&1
	do
		if ! db__alive $DB__MYSQL_PID
		then
			wait $DB__MYSQL_PID
			DB__MYSQL_PID=
			db__port_taken "$DB__MYSQL_DIR/error.log" && return 2
			return 1
		fi
		if test $db__n -ge $((DB_TIMEOUT * 10))
		then
			echo >&2 "mysql_start: no answer after $DB_TIMEOUT s"
			return 1
		fi
		sleep 0.1
		db__n=$((db__n + 1))
	done
	return 0
}

mysql__fail () {
	echo >&2 "mysql_start: $1; the server's log:"
	tail -n 30 "$DB__MYSQL_DIR/$2" >&2
	mysql_stop
	return 1
}

mysql_start () {
	test -z "$DB__MYSQL_PID" || return 0
	db__t0=$(date +%s%N)
	DB__MYSQL_DIR=$(mktemp -d /tmp/quire-my.XXXXXX) || return 1
	MYSQL_SOCKET=$DB__MYSQL_DIR/mysqld.sock
	db__as_root=
	test "$(id -u)" != 0 || db__as_root=--user=root
	mariadb-install-db --no-defaults $db__as_root \
		--datadir="$DB__MYSQL_DIR/data" \
		--auth-root-authentication-method=normal --skip-test-db \
		--skip-name-resolve >"$DB__MYSQL_DIR/install.log" 2>&1 </dev/null ||
	mysql__fail "mariadb-install-db failed" install.log || return 1
	db__try=1
	while :
	do
		mysql__try
		db__rc=$?
		test $db__rc = 0 && break
		test -z "$DB__MYSQL_PID" || db__stop_pid $DB__MYSQL_PID TERM
		DB__MYSQL_PID=
		if test $db__rc = 2 && test $db__try -lt 3
		then
			db__try=$((db__try + 1))
			continue
		fi
		mysql__fail "mariadbd did not start" error.log
		return 1
	done
	db__watch TERM $DB__MYSQL_PID "$DB__MYSQL_DIR"
	DB__MYSQL_WATCH=$db__watch_pid
	mysql_admin <<-EOF || { mysql__fail "cannot create user quire" error.log; return 1; }
	CREATE USER 'quire'@'localhost' IDENTIFIED BY '$DB_PASSWORD';
	CREATE USER 'quire'@'127.0.0.1' IDENTIFIED BY '$DB_PASSWORD';
	GRANT ALL PRIVILEGES ON *.* TO 'quire'@'localhost';
	GRANT ALL PRIVILEGES ON *.* TO 'quire'@'127.0.0.1';
	DELETE FROM mysql.global_priv WHERE User = 'root' AND Host <> 'localhost';
	FLUSH PRIVILEGES;
	EOF
	(umask 077 && printf "[client]\nuser=quire\npassword=%s\n" \
		"$DB_PASSWORD" >"$HOME/.my.cnf") || return 1
	MYSQL_URL_BASE=mysql://quire@127.0.0.1:$MYSQL_PORT
	export MYSQL_PORT MYSQL_SOCKET MYSQL_URL_BASE
	echo "mysql_start: MariaDB at 127.0.0.1:$MYSQL_PORT, ready after $((($(date +%s%N) - db__t0) / 1000000)) ms"
}

mysql_stop () {
	if test -n "$DB__MYSQL_PID"
	then
		db__stop_pid $DB__MYSQL_PID TERM
		wait $DB__MYSQL_PID 2>/dev/null
	fi
	if test -n "$DB__MYSQL_WATCH"
	then
		kill $DB__MYSQL_WATCH 2>/dev/null
		wait $DB__MYSQL_WATCH 2>/dev/null
	fi
	test -z "$DB__MYSQL_DIR" || rm -rf "$DB__MYSQL_DIR"
	DB__MYSQL_PID=
	DB__MYSQL_WATCH=
	DB__MYSQL_DIR=
	unset MYSQL_PORT MYSQL_SOCKET MYSQL_URL_BASE
	return 0
}

# pg__as <cmd>...: run <cmd> as the server's user, in its folder.
pg__as () {
	if test "$(id -u)" = 0
	then
		(cd "$DB__PG_DIR" && runuser -u postgres -- "$@")
	else
		(cd "$DB__PG_DIR" && "$@")
	fi
}

pg_admin () {
	psql -X -v ON_ERROR_STOP=1 -q -A -t -h "$DB__PG_DIR" -p "$PG_PORT" \
		-U postgres -d postgres "$@"
}

pg_createdb () {
	pg_admin -c "CREATE DATABASE \"$1\" OWNER quire"
}

# pg__try: one attempt at starting postgres on a free port; 0 when it
# answers, 2 when its port was taken, 1 when it failed otherwise.
pg__try () {
	PG_PORT=$(db__free_port) || return 1
	rm -f "$DB__PG_DIR/postgres.log" &&
	pg__as "$DB__PG_BIN/pg_ctl" -D "$DB__PG_DIR/data" -w -t "$DB_TIMEOUT" \
		-s -l "$DB__PG_DIR/postgres.log" -o "-p $PG_PORT -k $DB__PG_DIR \
-c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off \
-c synchronous_commit=off -c shared_buffers=16MB -c max_connections=30" \
		start </dev/null >/dev/null 2>&1 3>&- 4>&- 5>&- 6<&-
	db__rc=$?
	DB__PG_PID=$(sed -n 1p "$DB__PG_DIR/data/postmaster.pid" 2>/dev/null)
	if test $db__rc = 0 && test -n "$DB__PG_PID" &&
	   pg_admin -c "SELECT 1" >/dev/null 2>&1
	then
		return 0
	fi
	db__port_taken "$DB__PG_DIR/postgres.log" && return 2
	return 1
}

pg__fail () {
	echo >&2 "pg_start: $1; the server's log:"
	tail -n 30 "$DB__PG_DIR/$2" >&2
	pg_stop
	return 1
}

pg_start () {
	test -z "$DB__PG_PID" || return 0
	db__t0=$(date +%s%N)
	DB__PG_BIN=$(db__pg_bin)
	DB__PG_DIR=$(mktemp -d /tmp/quire-pg.XXXXXX) || return 1
	if test "$(id -u)" = 0
	then
		chown postgres "$DB__PG_DIR" || return 1
	fi
	pg__as "$DB__PG_BIN/initdb" -D "$DB__PG_DIR/data" -U postgres \
		--auth-local=trust --auth-host=scram-sha-256 --no-sync \
		--no-locale -E UTF8 >"$DB__PG_DIR/initdb.log" 2>&1 </dev/null ||
	pg__fail "initdb failed" initdb.log || return 1
	db__try=1
	while :
	do
		pg__try
		db__rc=$?
		test $db__rc = 0 && break
		if test -n "$DB__PG_PID"
		then
			pg__as "$DB__PG_BIN/pg_ctl" -D "$DB__PG_DIR/data" \
				-m immediate -t 10 -s stop >/dev/null 2>&1
			db__stop_pid $DB__PG_PID KILL
		fi
		DB__PG_PID=
		if test $db__rc = 2 && test $db__try -lt 3
		then
			db__try=$((db__try + 1))
			continue
		fi
		pg__fail "postgres did not start" postgres.log
		return 1
	done
	db__watch QUIT $DB__PG_PID "$DB__PG_DIR"
	DB__PG_WATCH=$db__watch_pid
	pg_admin -c "CREATE ROLE quire LOGIN CREATEDB PASSWORD '$DB_PASSWORD'" ||
	{ pg__fail "cannot create role quire" postgres.log; return 1; }
	(umask 077 && printf "%s:%s:*:quire:%s\n" \
		127.0.0.1 "$PG_PORT" "$DB_PASSWORD" \
		localhost "$PG_PORT" "$DB_PASSWORD" >"$HOME/.pgpass") || return 1
	PG_HOST=127.0.0.1
	PG_URL_BASE=postgresql://quire@127.0.0.1:$PG_PORT
	export PG_PORT PG_HOST PG_URL_BASE
	echo "pg_start: PostgreSQL at 127.0.0.1:$PG_PORT, ready after $((($(date +%s%N) - db__t0) / 1000000)) ms"
}

pg_stop () {
	if test -n "$DB__PG_PID"
	then
		pg__as "$DB__PG_BIN/pg_ctl" -D "$DB__PG_DIR/data" -m immediate \
			-t 10 -s stop >/dev/null 2>&1 </dev/null 3>&- 4>&- 5>&- 6<&-
		db__alive $DB__PG_PID && db__stop_pid $DB__PG_PID KILL
	fi
	if test -n "$DB__PG_WATCH"
	then
		kill $DB__PG_WATCH 2>/dev/null
		wait $DB__PG_WATCH 2>/dev/null
	fi
	test -z "$DB__PG_DIR" || rm -rf "$DB__PG_DIR"
	DB__PG_PID=
	DB__PG_WATCH=
	DB__PG_DIR=
	unset PG_PORT PG_HOST PG_URL_BASE
	return 0
}

db__final () {
	mysql_stop
	pg_stop
	return 0
}

# Stop the servers however the script ends: sharness's cleanup runs
# before the trash directory is removed (on success); the exit trap,
# chained before those set already (sharness's, other libraries'),
# covers failures and --immediate; a signal ends the script through the
# exit trap.
cleanup db__final
trap >"$SHARNESS_TRASH_DIRECTORY/.db-traps"
db__exit_trap=$(sed -n "s/^trap -- '\(.*\)' EXIT\$/\1/p" \
	"$SHARNESS_TRASH_DIRECTORY/.db-traps")
rm -f "$SHARNESS_TRASH_DIRECTORY/.db-traps"
trap 'db__rc=$?; db__final; (exit $db__rc); '"${db__exit_trap:-die}" EXIT
trap >"$SHARNESS_TRASH_DIRECTORY/.db-traps"
for db__sig in HUP:129 INT:130 TERM:143
do
	grep -q " ${db__sig%:*}\$" "$SHARNESS_TRASH_DIRECTORY/.db-traps" ||
	trap "exit ${db__sig#*:}" ${db__sig%:*}
done
rm -f "$SHARNESS_TRASH_DIRECTORY/.db-traps"
