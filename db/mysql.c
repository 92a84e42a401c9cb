#include "db/mysql-internal.h"
#include "error.h"
#include "wrapper.h"
#include <ctype.h>
#include <errmsg.h>
#include <mysqld_error.h>

/*
 * The MySQL/MariaDB engine behind db.h, over Connector/C: connections
 * (the url, the option files, the session) and statements that give no
 * rows. Statements are in mysql-stmt.c, the schema in mysql-schema.c,
 * types and values in mysql-types.c.
 */

static struct dbmysql *db_of(struct db *db)
{
	return (struct dbmysql *)db;
}

int dbmysql_fail(MYSQL *conn, struct strbuf *err)
{
	strbuf_addstr(err, mysql_error(conn));
	return QERR_GENERIC;
}

/* Does sql undo the transaction? Then rows gathered for it are dropped. */
static int is_rollback(const char *sql)
{
	while (isspace((unsigned char)*sql))
		sql++;
	return !strncasecmp(sql, "ROLLBACK", 8) &&
	       !isalnum((unsigned char)sql[8]) && sql[8] != '_';
}

int dbmysql_ready(struct dbmysql *db, const char *sql, struct strbuf *err)
{
	dbmysql_stop_streaming(db);
	if (sql && is_rollback(sql)) {
		dbmysql_drop_batch(db);
		strbuf_reset(&db->late_err);
		return 0;
	}
	if (db->late_err.len) {
		strbuf_addbuf(err, &db->late_err);
		strbuf_reset(&db->late_err);
		return db->late_ret;
	}
	return dbmysql_send_batch(db, err);
}

int dbmysql_query(struct dbmysql *db, const char *sql, size_t len,
		  struct strbuf *err)
{
	int ret = dbmysql_ready(db, sql, err);

	if (!ret && mysql_real_query(db->conn, sql, len))
		ret = dbmysql_fail(db->conn, err);
	return ret;
}

int dbmysql_run(struct dbmysql *db, const char *sql, struct strbuf *err)
{
	int ret = dbmysql_query(db, sql, strlen(sql), err);

	if (!ret && mysql_field_count(db->conn)) {
		MYSQL_RES *res = mysql_use_result(db->conn);

		if (!res)
			return dbmysql_fail(db->conn, err);
		mysql_free_result(res);
	}
	return ret;
}

int dbmysql_rows(struct dbmysql *db, const char *sql, MYSQL_RES **out,
		 struct strbuf *err)
{
	int ret = dbmysql_query(db, sql, strlen(sql), err);

	*out = NULL;
	if (!ret && !(*out = mysql_store_result(db->conn)))
		ret = dbmysql_fail(db->conn, err);
	return ret;
}

static int connect_error(MYSQL *conn, const char *where, struct strbuf *err)
{
	unsigned code = mysql_errno(conn);

	strbuf_addf(err, "cannot connect to %s: %s", where, mysql_error(conn));
	if (code == CR_UNKNOWN_HOST || code == ER_BAD_DB_ERROR)
		return QERR_NOTFOUND;
	if (code == ER_ACCESS_DENIED_ERROR || code == ER_DBACCESS_DENIED_ERROR)
		return QERR_USAGE;
	return QERR_GENERIC;
}

/*
 * The session as the engine reads and writes: UTF-8 (utf8mb4) text,
 * times in UTC; a writer in strict mode, so that a value a column
 * cannot hold is refused rather than cut; a reader on one consistent
 * snapshot, read-only, until it closes.
 */
static int setup_session(struct dbmysql *db, unsigned flags,
			 struct strbuf *err)
{
	int ret;

	if (mysql_set_character_set(db->conn, "utf8mb4"))
		return dbmysql_fail(db->conn, err);
	ret = dbmysql_run(db, "SET time_zone = '+00:00'", err);
	if (!ret && !(flags & DB_READONLY))
		ret = dbmysql_run(db, "SET SESSION sql_mode = CONCAT_WS(',', "
				  "NULLIF(@@SESSION.sql_mode, ''), "
				  "'STRICT_ALL_TABLES')", err);
	if (!ret && (flags & DB_READONLY))
		ret = dbmysql_run(db, "SET SESSION TRANSACTION ISOLATION "
				  "LEVEL REPEATABLE READ", err);
	if (!ret && (flags & DB_READONLY))
		ret = dbmysql_run(db, "START TRANSACTION WITH CONSISTENT "
				  "SNAPSHOT, READ ONLY", err);
	return ret;
}

static MYSQL *connect_to(const char *where, const struct dbmysql_url *u,
			 struct strbuf *err, int *ret)
{
	MYSQL *conn = mysql_init(NULL);
	unsigned timeout = 30;

	if (!conn)
		die("out of memory");
	/* the option files may say otherwise: they are read at connect */
	mysql_optionsv(conn, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
	mysql_optionsv(conn, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	mysql_optionsv(conn, MYSQL_READ_DEFAULT_GROUP, "client");
	/* no password here: ~/.my.cnf's, else MYSQL_PWD */
	if (mysql_real_connect(conn, u->host, u->user, NULL, u->db, u->port,
			       u->socket, 0)) {
		*ret = 0;
		return conn;
	}
	*ret = connect_error(conn, where, err);
	mysql_close(conn);
	return NULL;
}

/* Rows gathered and not sent go: without a COMMIT, they are undone. */
static void my_close(struct db *base)
{
	struct dbmysql *db = db_of(base);

	dbmysql_stop_streaming(db);
	dbmysql_drop_batch(db);
	strbuf_release(&db->batch);
	strbuf_release(&db->late_err);
	mysql_close(db->conn);
	free(db);
}

static int my_open(const char *where, const char *schema, unsigned flags,
		   struct db **out, struct strbuf *err)
{
	struct dbmysql_url u;
	struct dbmysql *db;
	MYSQL *conn;
	int ret;

	*out = NULL;
	if (schema) {
		strbuf_addf(err, "a MySQL database is its own schema: name it "
			    "in the url, not as schema '%s'", schema);
		return QERR_USAGE;
	}
	ret = dbmysql_url_parse(where, &u, err);
	if (ret)
		return ret;
	conn = connect_to(where, &u, err, &ret);
	dbmysql_url_release(&u);
	if (!conn)
		return ret;
	db = xcalloc(1, sizeof(*db));
	db->base.be = &db_mysql_backend;
	db->conn = conn;
	strbuf_init(&db->batch, 0);
	strbuf_init(&db->late_err, 0);
	ret = setup_session(db, flags, err);
	if (ret) {
		my_close(&db->base);
		return ret;
	}
	*out = &db->base;
	return 0;
}

/* The end of the statement at sql: its ';' outside quotes, or its NUL. */
static const char *statement_end(const char *p)
{
	const char *end;

	while (*p && *p != ';') {
		if (*p == '\'' || *p == '"' || *p == '`') {
			p = db_past_quoted(p, 1);
		} else if (*p == '#' || (p[0] == '-' && p[1] == '-')) {
			p += strcspn(p, "\n");
		} else if (p[0] == '/' && p[1] == '*') {
			end = strstr(p + 2, "*/");
			p = end ? end + 2 : p + strlen(p);
		} else {
			p++;
		}
	}
	return p;
}

/* Statements separated by ';' run one after the other. */
static int my_exec(struct db *db, const char *sql, struct strbuf *err)
{
	const char *p = sql, *end, *s;
	char *one;
	int ret = 0;

	while (!ret && *p) {
		end = statement_end(p);
		for (s = p; s < end && isspace((unsigned char)*s); s++)
			;
		if (s < end) {
			one = xstrndup(s, end - s);
			ret = dbmysql_run(db_of(db), one, err);
			free(one);
		}
		p = *end ? end + 1 : end;
	}
	return ret;
}

/*
 * What slice.sql starts and ends with, as mysqldump writes them: foreign
 * keys not checked while it loads (tables come in any order), values as
 * UTF-8 and in UTC, a 0 in an AUTO_INCREMENT column kept as 0; then the
 * session's settings back as they were.
 */
#define DUMP_HEAD \
	"SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT;\n" \
	"SET @OLD_CHARACTER_SET_RESULTS=@@CHARACTER_SET_RESULTS;\n" \
	"SET @OLD_COLLATION_CONNECTION=@@COLLATION_CONNECTION;\n" \
	"SET NAMES utf8mb4;\n" \
	"SET @OLD_TIME_ZONE=@@TIME_ZONE, TIME_ZONE='+00:00';\n" \
	"SET @OLD_UNIQUE_CHECKS=@@UNIQUE_CHECKS, UNIQUE_CHECKS=0;\n" \
	"SET @OLD_FOREIGN_KEY_CHECKS=@@FOREIGN_KEY_CHECKS, " \
	"FOREIGN_KEY_CHECKS=0;\n" \
	"SET @OLD_SQL_MODE=@@SQL_MODE, SQL_MODE='NO_AUTO_VALUE_ON_ZERO';\n"

#define DUMP_TAIL \
	"SET SQL_MODE=@OLD_SQL_MODE;\n" \
	"SET FOREIGN_KEY_CHECKS=@OLD_FOREIGN_KEY_CHECKS;\n" \
	"SET UNIQUE_CHECKS=@OLD_UNIQUE_CHECKS;\n" \
	"SET TIME_ZONE=@OLD_TIME_ZONE;\n" \
	"SET CHARACTER_SET_CLIENT=@OLD_CHARACTER_SET_CLIENT;\n" \
	"SET CHARACTER_SET_RESULTS=@OLD_CHARACTER_SET_RESULTS;\n" \
	"SET COLLATION_CONNECTION=@OLD_COLLATION_CONNECTION;\n"

const struct db_backend db_mysql_backend = {
	.name = "mysql",
	.quote = '`',
	.row_in_values = 0,
	.begin_write = "START TRANSACTION",
	.dump_head = DUMP_HEAD,
	.dump_tail = DUMP_TAIL,
	.open = my_open,
	.close = my_close,
	.exec = my_exec,
	.prepare = dbmysql_prepare,
	.bind = dbmysql_bind,
	.step = dbmysql_step,
	.columns = dbmysql_columns,
	.column_name = dbmysql_column_name,
	.column_type = dbmysql_column_type,
	.column_value = dbmysql_column_value,
	.finalize = dbmysql_finalize,
	.schema_read = dbmysql_schema_read,
	.sqlite_type = dbmysql_sqlite_type,
	.type_for = dbmysql_type_for,
	.literal = dbmysql_literal,
};
