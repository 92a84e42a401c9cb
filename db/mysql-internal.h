#ifndef DB_MYSQL_INTERNAL_H
#define DB_MYSQL_INTERNAL_H

#include "db/backend.h"
#include <mysql.h>

/*
 * The parts of the MySQL engine (db/mysql*.c) share these. Their names
 * start with "dbmysql" to stay clear of Connector/C's "mysql_".
 */

struct dbmysql {
	struct db base;
	MYSQL *conn;
	/* The statement whose rows are coming, if any: one at a time. */
	struct dbmysql_stmt *streaming;
	/* Rows of batch_of's INSERT, to be sent as one statement. */
	struct strbuf batch;
	struct dbmysql_stmt *batch_of;
	/* What sending them said when no caller was there to hear it. */
	struct strbuf late_err;
	int late_ret;
};

/* Where a url points; NULL and 0 leave it to Connector/C's defaults. */
struct dbmysql_url {
	char *host, *user, *db, *socket;
	unsigned port;
};

/*
 * Parse a mysql:// or mariadb:// url into u (decoded; release with
 * dbmysql_url_release()). A password in it is refused with QERR_USAGE,
 * and the message does not hold it.
 */
int dbmysql_url_parse(const char *url, struct dbmysql_url *u,
		      struct strbuf *err);
void dbmysql_url_release(struct dbmysql_url *u);

/* db/mysql.c */

/* Append the server's message to err; QERR_GENERIC. */
int dbmysql_fail(MYSQL *conn, struct strbuf *err);

/*
 * Make the connection free for sql (NULL: a statement to prepare): end
 * the rows still streaming, and send the rows gathered for an INSERT
 * (a ROLLBACK drops them instead). An error that sending them gave
 * earlier, when no caller could be told, is given now, once.
 */
int dbmysql_ready(struct dbmysql *db, const char *sql, struct strbuf *err);

/* Send sql (len bytes) once the connection is ready for it. */
int dbmysql_query(struct dbmysql *db, const char *sql, size_t len,
		  struct strbuf *err);

/* Run sql, one statement that gives no rows (or whose rows are dropped). */
int dbmysql_run(struct dbmysql *db, const char *sql, struct strbuf *err);

/*
 * Run sql and keep all of its rows (small answers: the schema); the
 * caller frees *out with mysql_free_result().
 */
int dbmysql_rows(struct dbmysql *db, const char *sql, MYSQL_RES **out,
		 struct strbuf *err);

/* db/mysql-stmt.c: statements, and the connection's one stream */
void dbmysql_stop_streaming(struct dbmysql *db);
/* Send the INSERT rows gathered on db, or drop them. */
int dbmysql_send_batch(struct dbmysql *db, struct strbuf *err);
void dbmysql_drop_batch(struct dbmysql *db);
int dbmysql_prepare(struct db *db, const char *sql, struct db_stmt **out,
		    struct strbuf *err);
int dbmysql_bind(struct db_stmt *st, const struct db_value *v, int n,
		 struct strbuf *err);
int dbmysql_step(struct db_stmt *st, struct strbuf *err);
int dbmysql_columns(struct db_stmt *st);
const char *dbmysql_column_name(struct db_stmt *st, int i);
const char *dbmysql_column_type(struct db_stmt *st, int i);
void dbmysql_column_value(struct db_stmt *st, int i, struct db_value *v);
void dbmysql_finalize(struct db_stmt *st);

/* db/mysql-types.c */

/* The type of a result column as CREATE TABLE writes it, into sb. */
void dbmysql_field_type(struct strbuf *sb, const MYSQL_FIELD *f);
/* The kind of value (DB_INTEGER ... DB_BLOB) a result column gives. */
enum db_type dbmysql_field_kind(const MYSQL_FIELD *f);
/*
 * A value of that kind from the server's text, len bytes at s (NULL for
 * NULL), into v; text and bytes point into s.
 */
void dbmysql_value(enum db_type kind, const char *s, unsigned long len,
		   struct db_value *v);
const char *dbmysql_sqlite_type(const char *type);
const char *dbmysql_type_for(const char *sqlite_type);
void dbmysql_literal(struct strbuf *sb, const struct db_value *v);

/* db/mysql-schema.c */
int dbmysql_schema_read(struct db *db, struct db_schema *s,
			struct strbuf *err);

#endif
