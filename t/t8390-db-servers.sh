#!/bin/sh
test_description='t/lib-db.sh: throwaway MariaDB and PostgreSQL servers

The library the database tests stand on: both servers start, the quire
user connects with the password of ~/.my.cnf and ~/.pgpass through the
servers own clients, a wrong password is refused, and the servers and
their folders are gone when a script ends, passed, failed or killed.'
. ./test-lib.sh
. "$TEST_DIRECTORY/lib-db.sh"
db_require mysql postgres

test_expect_success 'setup: start both servers' '
	mysql_start &&
	pg_start &&
	mysql_createdb lab &&
	pg_createdb lab
'

test_expect_success 'the password files are private' '
	echo "-rw-------" >expect &&
	ls -l .my.cnf | cut -c1-10 >actual &&
	ls -l .pgpass | cut -c1-10 >>actual &&
	echo "-rw-------" >>expect &&
	test_cmp expect actual
'

test_expect_success 'MariaDB: quire connects with the password of ~/.my.cnf' '
	mariadb -h 127.0.0.1 -P "$MYSQL_PORT" -N -B \
		-e "SELECT CURRENT_USER(), @@character_set_server" lab >actual &&
	printf "quire@127.0.0.1\tutf8mb4\n" >expect &&
	test_cmp expect actual &&
	mariadb -S "$MYSQL_SOCKET" -N -B -e "SELECT CURRENT_USER()" >actual &&
	echo quire@localhost >expect &&
	test_cmp expect actual
'

test_expect_success 'MariaDB: quire makes tables in a test database' '
	mariadb -h 127.0.0.1 -P "$MYSQL_PORT" lab <<-\EOF &&
	CREATE TABLE `#t` (id int unsigned PRIMARY KEY) ENGINE=InnoDB;
	INSERT INTO `#t` VALUES (1), (2);
	EOF
	mysql_admin -e "SELECT COUNT(*) FROM \`#t\`" lab >actual &&
	echo 2 >expect &&
	test_cmp expect actual
'

test_expect_success 'MariaDB: a wrong password, or none, is refused' '
	! mariadb --no-defaults -h 127.0.0.1 -P "$MYSQL_PORT" \
		-u quire -pwrong -e "SELECT 1" 2>err &&
	test_grep "Access denied for user .quire." err &&
	! mariadb --no-defaults -h 127.0.0.1 -P "$MYSQL_PORT" \
		-u quire -e "SELECT 1" 2>err &&
	test_grep "Access denied" err &&
	! mariadb --no-defaults -h 127.0.0.1 -P "$MYSQL_PORT" \
		-u root -e "SELECT 1" 2>err &&
	test_grep "Access denied\|not allowed to connect" err
'

test_expect_success 'PostgreSQL: quire connects with the password of ~/.pgpass' '
	psql -X -w -h 127.0.0.1 -p "$PG_PORT" -U quire -d lab -At \
		-c "SELECT current_user" -c "SHOW server_encoding" >actual &&
	printf "quire\nUTF8\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'PostgreSQL: quire owns the test database' '
	psql -X -w -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U quire \
		-d lab <<-\EOF &&
	CREATE TABLE "#t" (id integer PRIMARY KEY);
	INSERT INTO "#t" VALUES (1), (2);
	EOF
	pg_admin -d lab -c "SELECT count(*) FROM \"#t\"" >actual &&
	echo 2 >expect &&
	test_cmp expect actual
'

test_expect_success 'PostgreSQL: a wrong password, or none, is refused' '
	! env PGPASSWORD=wrong psql -X -w -h 127.0.0.1 \
		-p "$PG_PORT" -U quire -d lab -c "SELECT 1" 2>err &&
	test_grep "password authentication failed for user \"quire\"" err &&
	! env PGPASSFILE=/dev/null psql -X -w -h 127.0.0.1 \
		-p "$PG_PORT" -U quire -d lab -c "SELECT 1" 2>err &&
	test_grep "password" err &&
	! psql -X -w -h 127.0.0.1 -p "$PG_PORT" -U postgres \
		-d lab -c "SELECT 1" 2>err &&
	test_grep "password" err
'

# A script of its own that starts both servers, records their processes
# and folders in the file info, then ends as $1 says: pass, fail or
# kill (SIGKILL of its own shell: no trap runs).
write_sub () {
	cat >"sub-$1.sh" <<-EOF
	#!/bin/sh
	test_description="lib-db.sh ends: $1"
	. "\$SHARNESS_TEST_DIRECTORY/test-lib.sh"
	. "\$TEST_DIRECTORY/lib-db.sh"
	db_require mysql postgres
	test_expect_success 'start' '
		mysql_start && pg_start &&
		{
			echo "\$DB__MYSQL_PID \$DB__PG_PID" &&
			echo \$(cat /proc/\$DB__PG_PID/task/*/children) &&
			echo "\$DB__MYSQL_DIR \$DB__PG_DIR"
		} >"$PWD/info-$1"
	'
	test_expect_success 'end' '
		case $1 in
		fail) false ;;
		kill) kill -9 \$\$ ;;
		esac
	'
	test_done
	EOF
}

# run_sub <how>: run sub-<how>.sh (in a trash directory below ours).
run_sub () {
	write_sub "$1" &&
	HARNESS_ACTIVE=t sh "sub-$1.sh" --root="$PWD/sub" >"out-$1" 2>&1
}

# servers_gone <how>: within <tenths> tenths of a second, none of the
# processes sub-<how>.sh recorded runs, no process names its folders,
# and the folders are gone.
servers_gone () {
	pids=$(sed -n "1,2p" "info-$1") &&
	dirs=$(sed -n 3p "info-$1") &&
	test -n "$pids" && test -n "$dirs" &&
	n=0 &&
	while :
	do
		left=
		for p in $pids
		do
			test -r /proc/$p/stat &&
			case "$(sed "s/.*) //" /proc/$p/stat)" in
			Z*) ;;
			*) left="$left $p" ;;
			esac
		done
		for d in $dirs
		do
			test ! -e "$d" || left="$left $d"
			echo "$d" >pattern &&
			grep -lFf pattern /proc/[0-9]*/cmdline >named 2>/dev/null
			test ! -s named || left="$left $(cat named | tr "\n" " ")"
		done
		test -z "$left" && return 0
		if test $n -ge $2
		then
			echo "left after $1:$left"
			return 1
		fi
		sleep 0.1
		n=$((n + 1))
	done
}

test_expect_success 'a script that passes leaves no server behind' '
	run_sub pass &&
	test_grep "^ok 2 - end" out-pass &&
	servers_gone pass 0
'

test_expect_success 'a script that fails leaves no server behind' '
	! run_sub fail &&
	test_grep "^not ok 2 - end" out-fail &&
	servers_gone fail 0
'

test_expect_success 'a script killed by SIGKILL: the watchdog stops its servers' '
	! run_sub kill &&
	test_path_is_file info-kill &&
	servers_gone kill 150
'

test_done
