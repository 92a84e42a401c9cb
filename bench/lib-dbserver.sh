# lib-dbserver.sh: throwaway MariaDB and PostgreSQL servers for the
# benchmarks, started the way the test suite starts them (t/lib-db.sh)
# but without sharness. Source it from a script that stops them at exit:
#
#	. "$SRC/lib-dbserver.sh"
#	trap 'dbs_stop_all' EXIT
#	trap 'exit 130' INT TERM
#	dbs_mysql_start && dbs_pg_start
#
# Each server lives in its own private folder made by mktemp under /tmp
# (a unix socket path holds at most 107 bytes), listens on 127.0.0.1 on
# a free port (picked again when the server could not bind it) and on a
# socket in that folder. Every wait is bounded: 30 s for a start, 10 s
# for a stop, then SIGKILL. Only the processes this file started are
# ever signalled, by their PIDs. A watchdog stops them within a second
# when the calling shell dies without cleaning up (SIGKILL).
#
# dbs_mysql_start
#	mariadb-install-db, then mariadbd --no-defaults (--user=root when
#	root) with the options in DBS_MYSQL_OPTS. Creates user 'quire' with
#	password 'quire-secret' on 'localhost' and '127.0.0.1', all
#	privileges. Sets MYSQL_PORT, MYSQL_SOCKET and
#	MYSQL_URL_BASE=mysql://quire@127.0.0.1:$MYSQL_PORT (append /<db>).
# mysql_admin [ARGS...]
#	The mariadb client as root over the socket, --no-defaults, batch
#	mode (SQL on stdin or -e SQL).
# dbs_pg_start
#	initdb and postgres (as the 'postgres' system user when root, which
#	postgres insists on), fsync off, options in DBS_PG_OPTS. Creates
#	role 'quire' LOGIN CREATEDB PASSWORD 'quire-secret'; host
#	127.0.0.1 asks for it (scram-sha-256), the socket trusts the
#	superuser. Sets PG_PORT, PG_HOST=127.0.0.1 and
#	PG_URL_BASE=postgresql://quire@127.0.0.1:$PG_PORT (append /<db>).
# pg_admin [ARGS...]
#	psql as the superuser over the socket: -X -v ON_ERROR_STOP=1 -q -A -t.
# dbs_client_files HOME
#	Writes HOME/.my.cnf ([client] user and password of 'quire') and
#	HOME/.pgpass, mode 600, so quire, mysqldump and pg_dump connect.
# dbs_stop_all
#	Stops both servers (SIGTERM / pg_ctl stop -m fast, ≤10 s, then
#	SIGKILL) and removes their folders. Safe to call twice.
#
# dbs_missing prints what this machine lacks for the two servers.

DBS_PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
DBS_MY_DIR= DBS_MY_PID= DBS_PG_DIR= DBS_PG_PID= DBS_WATCHDOG= DBS_WATCH_LIST=
: "${DBS_MYSQL_OPTS:=}" "${DBS_PG_OPTS:=}"

dbs_missing () {
	for c in mariadbd mariadb-install-db mariadb; do
		command -v $c >/dev/null 2>&1 || printf " %s" $c
	done
	for c in initdb postgres pg_ctl psql; do
		test -x "$DBS_PGBIN/$c" || printf " %s" $c
	done
	if test "$(id -u)" = 0 && ! id postgres >/dev/null 2>&1; then
		printf " %s" "the postgres user"
	fi
}

dbs_free_port () {
	python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# dbs_wait SECONDS PID COMMAND...: run COMMAND every 0.2 s until it
# succeeds (0), PID dies (1) or SECONDS pass (1)
dbs_wait () {
	n=$(($1 * 5)) pid=$2
	shift 2
	while test $n -gt 0; do
		"$@" >/dev/null 2>&1 && return 0
		test -z "$pid" || kill -0 "$pid" 2>/dev/null || return 1
		sleep 0.2
		n=$((n - 1))
	done
	return 1
}

# dbs_kill SECONDS PID: TERM, wait up to SECONDS, then KILL
dbs_kill () {
	test -n "$2" || return 0
	kill "$2" 2>/dev/null || return 0
	n=$(($1 * 10))
	while test $n -gt 0 && kill -0 "$2" 2>/dev/null; do
		case "$(ps -o stat= -p "$2" 2>/dev/null)" in Z*) break ;; esac
		sleep 0.1
		n=$((n - 1))
	done
	kill -9 "$2" 2>/dev/null || :
	wait "$2" 2>/dev/null || :
}

# dbs_watch pid PID | dbs_watch dir DIR: when the calling shell is gone,
# the watchdog (started on the first call) kills PID with SIGKILL and
# removes DIR
dbs_watch () {
	if test -z "$DBS_WATCHDOG"; then
		DBS_WATCH_LIST=$(mktemp /tmp/quire-bench-watch.XXXXXX) ||
			return 1
		parent=$$
		(
			trap '' INT
			while kill -0 $parent 2>/dev/null; do
				sleep 1
			done
			kill -9 $(sed -n 's/^pid //p' "$DBS_WATCH_LIST")
			sleep 1
			sed -n 's/^dir //p' "$DBS_WATCH_LIST" |
			while read -r dir; do
				rm -rf "$dir"
			done
			rm -f "$DBS_WATCH_LIST"
		) >/dev/null 2>&1 &
		DBS_WATCHDOG=$!
	fi
	echo "$1 $2" >>"$DBS_WATCH_LIST"
}

mysql_admin () {
	mariadb --no-defaults -uroot --socket="$MYSQL_SOCKET" --batch \
		--local-infile=1 "$@"
}

dbs_mysql_start () {
	DBS_MY_DIR=$(mktemp -d /tmp/quire-bench-my.XXXXXX) || return 1
	dbs_watch dir "$DBS_MY_DIR"
	d=$DBS_MY_DIR
	user=
	test "$(id -u)" != 0 || user=--user=root
	mariadb-install-db --no-defaults $user --datadir="$d/data" \
		--auth-root-authentication-method=normal --skip-test-db \
		--skip-name-resolve >"$d/install.log" 2>&1 || {
		cat "$d/install.log" >&2
		return 1
	}
	MYSQL_SOCKET=$d/sock
	tries=0
	while :; do
		MYSQL_PORT=$(dbs_free_port)
		mariadbd --no-defaults $user --datadir="$d/data" \
			--socket="$MYSQL_SOCKET" --port="$MYSQL_PORT" \
			--bind-address=127.0.0.1 --pid-file="$d/pid" \
			--log-error="$d/err.log" --skip-name-resolve \
			$DBS_MYSQL_OPTS >/dev/null 2>&1 &
		DBS_MY_PID=$!
		dbs_watch pid $DBS_MY_PID
		dbs_wait 30 $DBS_MY_PID mysql_admin -e "SELECT 1" && break
		dbs_kill 10 $DBS_MY_PID
		DBS_MY_PID=
		tries=$((tries + 1))
		if test $tries -ge 3 ||
			! grep -q "Bind on TCP/IP" "$d/err.log"
		then
			echo "mariadbd did not start:" >&2
			tail -n 20 "$d/err.log" >&2
			return 1
		fi
	done
	mysql_admin <<-\EOF || return 1
	CREATE USER 'quire'@'localhost' IDENTIFIED BY 'quire-secret';
	CREATE USER 'quire'@'127.0.0.1' IDENTIFIED BY 'quire-secret';
	GRANT ALL PRIVILEGES ON *.* TO 'quire'@'localhost';
	GRANT ALL PRIVILEGES ON *.* TO 'quire'@'127.0.0.1';
	EOF
	MYSQL_URL_BASE=mysql://quire@127.0.0.1:$MYSQL_PORT
	export MYSQL_PORT MYSQL_SOCKET MYSQL_URL_BASE
}

# dbs_as_pg COMMAND...: COMMAND as the postgres user when root
dbs_as_pg () {
	if test "$(id -u)" = 0; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

dbs_pg_super () {
	if test "$(id -u)" = 0; then
		echo postgres
	else
		id -un
	fi
}

pg_admin () {
	"$DBS_PGBIN/psql" -X -v ON_ERROR_STOP=1 -q -A -t -h "$DBS_PG_DIR" \
		-p "$PG_PORT" -U "$(dbs_pg_super)" "$@"
}

dbs_pg_start () {
	DBS_PG_DIR=$(mktemp -d /tmp/quire-bench-pg.XXXXXX) || return 1
	dbs_watch dir "$DBS_PG_DIR"
	d=$DBS_PG_DIR
	test "$(id -u)" != 0 || chown postgres "$d" || return 1
	dbs_as_pg "$DBS_PGBIN/initdb" -D "$d/data" -U "$(dbs_pg_super)" \
		--auth-local=trust --auth-host=scram-sha-256 -E UTF8 \
		--no-sync --no-locale >"$d/initdb.log" 2>&1 || {
		cat "$d/initdb.log" >&2
		return 1
	}
	tries=0
	while :; do
		PG_PORT=$(dbs_free_port)
		# postgres runs in the foreground of a background job (not
		# pg_ctl's daemon), so $! is its PID
		dbs_as_pg "$DBS_PGBIN/postgres" -D "$d/data" -p "$PG_PORT" \
			-c listen_addresses=127.0.0.1 \
			-c unix_socket_directories="$d" \
			-c fsync=off -c synchronous_commit=off \
			-c full_page_writes=off $DBS_PG_OPTS \
			>"$d/server.log" 2>&1 &
		DBS_PG_PID=$!
		if dbs_wait 30 $DBS_PG_PID pg_admin -c "SELECT 1"; then
			# the postmaster itself (runuser forks it)
			DBS_PG_PID=$(head -n 1 "$d/data/postmaster.pid")
			dbs_watch pid $DBS_PG_PID
			break
		fi
		dbs_kill 10 $DBS_PG_PID
		DBS_PG_PID=
		tries=$((tries + 1))
		if test $tries -ge 3 ||
			! grep -q "could not bind" "$d/server.log"
		then
			echo "postgres did not start:" >&2
			tail -n 20 "$d/server.log" >&2
			return 1
		fi
	done
	pg_admin -c "CREATE ROLE quire LOGIN CREATEDB
		PASSWORD 'quire-secret'" || return 1
	PG_HOST=127.0.0.1
	PG_URL_BASE=postgresql://quire@127.0.0.1:$PG_PORT
	export PG_PORT PG_HOST PG_URL_BASE
}

dbs_client_files () {
	printf '[client]\nuser=quire\npassword=quire-secret\n' >"$1/.my.cnf" &&
	chmod 600 "$1/.my.cnf" &&
	echo "127.0.0.1:$PG_PORT:*:quire:quire-secret" >"$1/.pgpass" &&
	chmod 600 "$1/.pgpass"
}

dbs_stop_all () {
	if test -n "$DBS_MY_PID"; then
		dbs_kill 10 $DBS_MY_PID
		DBS_MY_PID=
	fi
	if test -n "$DBS_PG_PID"; then
		dbs_as_pg "$DBS_PGBIN/pg_ctl" stop -D "$DBS_PG_DIR/data" \
			-m fast -t 10 >/dev/null 2>&1 || :
		dbs_kill 1 $DBS_PG_PID
		DBS_PG_PID=
	fi
	if test -n "$DBS_WATCHDOG"; then
		kill $DBS_WATCHDOG 2>/dev/null || :
		wait $DBS_WATCHDOG 2>/dev/null || :
		DBS_WATCHDOG=
		rm -f "$DBS_WATCH_LIST"
	fi
	test -z "$DBS_MY_DIR" || rm -rf "$DBS_MY_DIR"
	test -z "$DBS_PG_DIR" || rm -rf "$DBS_PG_DIR"
	DBS_MY_DIR= DBS_PG_DIR=
}
