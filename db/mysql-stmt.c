#include "db/mysql-internal.h"
#include "error.h"
#include "wrapper.h"
#include <ctype.h>
#include <mysqld_error.h>

/*
 * Statements of the MySQL engine. prepare has the server check the
 * statement and describe its rows without running it; bind writes the
 * values into the SQL as literals; step sends it over the text protocol
 * and streams its rows (mysql_use_result), so memory stays bounded
 * however many there are. One result streams at a time on a connection:
 * running anything else ends the one still streaming.
 *
 * In a transaction, the rows of an "INSERT INTO t ... VALUES (...)"
 * gather, to go as one INSERT of many rows once they make a megabyte or
 * the connection is needed for anything else: one round trip for many
 * rows rather than one for each. A server's refusal then comes at a
 * later step or statement (COMMIT at the latest), and the transaction
 * is not committed.
 */

#define BATCH_BYTES (1 << 20)

struct dbmysql_stmt {
	struct db_stmt base;
	struct dbmysql *db;
	char *sql;		/* as prepared */
	struct strbuf run;	/* with the bound values in it */
	int bound;
	size_t row_at;		/* an INSERT's "(...)" after VALUES, or 0 */
	int open;		/* run; res (if any) has rows coming */
	int fetched;		/* rows taken from res */
	int cut;		/* another statement ended res early */
	MYSQL_RES *res;
	MYSQL_ROW row;
	unsigned long *lens;
	/* the result's columns, known from prepare or from the first run */
	int described, ncols;
	char **names, **types;
	enum db_type *kinds;
};

static struct dbmysql_stmt *st_of(struct db_stmt *st)
{
	return (struct dbmysql_stmt *)st;
}

/*
 * End the rows still coming on db. A statement that gave none of them
 * yet (run only to learn its columns) runs again at its next step; one
 * cut in the middle refuses to go on.
 */
void dbmysql_stop_streaming(struct dbmysql *db)
{
	struct dbmysql_stmt *st = db->streaming;

	if (!st)
		return;
	mysql_free_result(st->res);	/* reads what is left */
	st->res = NULL;
	st->row = NULL;
	st->open = 0;
	if (st->fetched)
		st->cut = 1;
	db->streaming = NULL;
}

int dbmysql_send_batch(struct dbmysql *db, struct strbuf *err)
{
	int ret = 0;

	if (db->batch.len &&
	    mysql_real_query(db->conn, db->batch.buf, db->batch.len))
		ret = dbmysql_fail(db->conn, err);
	dbmysql_drop_batch(db);
	return ret;
}

void dbmysql_drop_batch(struct dbmysql *db)
{
	strbuf_reset(&db->batch);
	db->batch_of = NULL;
}

static const char *skip_space(const char *p)
{
	while (isspace((unsigned char)*p))
		p++;
	return p;
}

/* Past the "(...)" at p, or NULL when it does not close. */
static const char *past_parens(const char *p)
{
	int depth = 0;

	while (*p) {
		if (*p == '\'' || *p == '"' || *p == '`') {
			p = db_past_quoted(p, 1);
			continue;
		}
		if (*p == '(')
			depth++;
		else if (*p == ')' && !--depth)
			return p + 1;
		p++;
	}
	return NULL;
}

/* The keyword VALUES in sql, outside quotes, or NULL. */
static const char *values_keyword(const char *p)
{
	while (*p) {
		if (*p == '\'' || *p == '"' || *p == '`') {
			p = db_past_quoted(p, 1);
			continue;
		}
		if (!strncasecmp(p, "VALUES", 6) &&
		    !isalnum((unsigned char)p[-1]) && p[-1] != '_' &&
		    !isalnum((unsigned char)p[6]) && p[6] != '_')
			return p;
		p++;
	}
	return NULL;
}

/*
 * Where the row of "INSERT INTO t [(cols)] VALUES (...)" starts, when
 * sql is such a statement, with one row and the placeholders in it
 * only; else 0.
 */
static size_t insert_row_at(const char *sql)
{
	const char *p = skip_space(sql), *values, *end;

	if (strncasecmp(p, "INSERT", 6) || !isspace((unsigned char)p[6]))
		return 0;
	values = values_keyword(p + 6);
	if (!values)
		return 0;
	p = skip_space(values + 6);
	end = *p == '(' ? past_parens(p) : NULL;
	if (!end || *skip_space(end) || memchr(sql, '?', p - sql))
		return 0;
	return p - sql;
}

static int in_transaction(MYSQL *conn)
{
	unsigned int status = 0;

	if (mariadb_get_infov(conn, MARIADB_CONNECTION_SERVER_STATUS,
			      &status))
		return 0;
	return !!(status & SERVER_STATUS_IN_TRANS);
}

/* Add st's row to the INSERT being gathered; send it once it is big. */
static int batch_row(struct dbmysql_stmt *st, struct strbuf *err)
{
	struct dbmysql *db = st->db;
	int ret;

	if (db->batch_of != st) {
		ret = dbmysql_ready(db, NULL, err);
		if (ret)
			return ret;
		strbuf_add(&db->batch, st->run.buf, st->row_at);
		db->batch_of = st;
	} else {
		strbuf_addch(&db->batch, ',');
	}
	strbuf_add(&db->batch, st->run.buf + st->row_at,
		   st->run.len - st->row_at);
	if (db->batch.len < BATCH_BYTES)
		return 0;
	return dbmysql_ready(db, NULL, err);
}

static void forget_columns(struct dbmysql_stmt *st)
{
	int i;

	for (i = 0; i < st->ncols; i++) {
		free(st->names[i]);
		free(st->types[i]);
	}
	free(st->names);
	free(st->types);
	free(st->kinds);
	st->names = st->types = NULL;
	st->kinds = NULL;
	st->ncols = 0;
	st->described = 0;
}

static void learn_columns(struct dbmysql_stmt *st, MYSQL_RES *res)
{
	MYSQL_FIELD *f = res ? mysql_fetch_fields(res) : NULL;
	struct strbuf type = STRBUF_INIT;
	int i, n = res ? (int)mysql_num_fields(res) : 0;

	forget_columns(st);
	st->names = xcalloc(n + 1, sizeof(*st->names));
	st->types = xcalloc(n + 1, sizeof(*st->types));
	st->kinds = xcalloc(n + 1, sizeof(*st->kinds));
	for (i = 0; i < n; i++) {
		strbuf_reset(&type);
		dbmysql_field_type(&type, &f[i]);
		st->names[i] = xstrdup(f[i].name);
		st->types[i] = xstrdup(type.buf);
		st->kinds[i] = dbmysql_field_kind(&f[i]);
	}
	st->ncols = n;
	st->described = 1;
	strbuf_release(&type);
}

/*
 * The kinds of values the rows give, as the server sends them. Names and
 * types stay as first learned: callers hold them from prepare on.
 */
static void learn_kinds(struct dbmysql_stmt *st, MYSQL_RES *res)
{
	MYSQL_FIELD *f = mysql_fetch_fields(res);
	int i, n = (int)mysql_num_fields(res);

	for (i = 0; i < n && i < st->ncols; i++)
		st->kinds[i] = dbmysql_field_kind(&f[i]);
}

/*
 * The server checks the statement (syntax, tables, columns, a write in
 * a read-only transaction) and says what its rows will be, without
 * running it: as SQLite's prepare does. Statements it cannot prepare
 * so are checked when they run.
 */
static int describe(struct dbmysql_stmt *st, struct strbuf *err)
{
	MYSQL_STMT *ps;
	MYSQL_RES *meta;
	int ret = dbmysql_ready(st->db, NULL, err);

	if (ret)
		return ret;
	ps = mysql_stmt_init(st->db->conn);
	if (!ps)
		return dbmysql_fail(st->db->conn, err);
	if (mysql_stmt_prepare(ps, st->sql, strlen(st->sql))) {
		unsigned code = mysql_stmt_errno(ps);

		if (code != ER_UNSUPPORTED_PS && code != ER_PS_MANY_PARAM) {
			strbuf_addstr(err, mysql_stmt_error(ps));
			ret = QERR_GENERIC;
		}
	} else {
		meta = mysql_stmt_result_metadata(ps);
		learn_columns(st, meta);
		mysql_free_result(meta);
	}
	mysql_stmt_close(ps);
	return ret;
}

int dbmysql_prepare(struct db *db, const char *sql, struct db_stmt **out,
		    struct strbuf *err)
{
	struct dbmysql_stmt *st = xcalloc(1, sizeof(*st));
	int ret;

	st->base.be = &db_mysql_backend;
	st->db = (struct dbmysql *)db;
	st->sql = xstrdup(sql);
	strbuf_init(&st->run, 0);
	st->row_at = insert_row_at(sql);
	ret = describe(st, err);
	if (ret) {
		dbmysql_finalize(&st->base);
		st = NULL;
	}
	*out = st ? &st->base : NULL;
	return ret;
}

/* Forget the run in progress, if any. */
static void reset(struct dbmysql_stmt *st)
{
	if (st->db->streaming == st)
		dbmysql_stop_streaming(st->db);
	st->open = 0;
	st->cut = 0;
	st->fetched = 0;
	st->row = NULL;
}

int dbmysql_bind(struct db_stmt *dst, const struct db_value *v, int n,
		 struct strbuf *err)
{
	struct dbmysql_stmt *st = st_of(dst);

	reset(st);
	st->bound = 1;
	return db_fill_params(&st->run, st->sql, &db_mysql_backend, v, n,
			      err);
}

static int run(struct dbmysql_stmt *st, struct strbuf *err)
{
	MYSQL *conn = st->db->conn;
	int ret;

	if (st->bound)
		ret = dbmysql_query(st->db, st->run.buf, st->run.len, err);
	else
		ret = dbmysql_query(st->db, st->sql, strlen(st->sql), err);
	if (ret)
		return ret;
	st->res = mysql_field_count(conn) ? mysql_use_result(conn) : NULL;
	if (!st->res && mysql_field_count(conn))
		return dbmysql_fail(conn, err);
	if (!st->described)
		learn_columns(st, st->res);
	else if (st->res)
		learn_kinds(st, st->res);
	if (st->res)
		st->db->streaming = st;
	st->open = 1;
	st->fetched = 0;
	return 0;
}

int dbmysql_step(struct db_stmt *dst, struct strbuf *err)
{
	struct dbmysql_stmt *st = st_of(dst);
	MYSQL *conn = st->db->conn;
	int ret;

	if (st->cut) {
		strbuf_addstr(err, "another statement ran on the connection "
			      "while this one's rows were being read");
		return QERR_GENERIC;
	}
	if (st->row_at && st->bound && !st->open && in_transaction(conn))
		return batch_row(st, err);
	if (!st->open && (ret = run(st, err)) < 0)
		return ret;
	if (st->res && (st->row = mysql_fetch_row(st->res))) {
		st->lens = mysql_fetch_lengths(st->res);
		st->fetched++;
		return 1;
	}
	ret = st->res && mysql_errno(conn) ? dbmysql_fail(conn, err) : 0;
	reset(st);
	return ret;
}

int dbmysql_columns(struct db_stmt *dst)
{
	struct dbmysql_stmt *st = st_of(dst);
	struct strbuf ignore = STRBUF_INIT;

	/* not described at prepare: run it, and keep its rows for step */
	if (!st->described && !st->open)
		run(st, &ignore);
	strbuf_release(&ignore);
	return st->ncols;
}

const char *dbmysql_column_name(struct db_stmt *dst, int i)
{
	struct dbmysql_stmt *st = st_of(dst);

	return i >= 0 && i < st->ncols ? st->names[i] : "";
}

const char *dbmysql_column_type(struct db_stmt *dst, int i)
{
	struct dbmysql_stmt *st = st_of(dst);

	return i >= 0 && i < st->ncols ? st->types[i] : "";
}

void dbmysql_column_value(struct db_stmt *dst, int i, struct db_value *v)
{
	struct dbmysql_stmt *st = st_of(dst);

	if (!st->row || i < 0 || i >= st->ncols) {
		memset(v, 0, sizeof(*v));
		return;
	}
	dbmysql_value(st->kinds[i], st->row[i], st->lens[i], v);
}

/* Send st's gathered rows; a refusal waits for the next statement. */
static void send_late(struct dbmysql_stmt *st)
{
	struct dbmysql *db = st->db;
	struct strbuf err = STRBUF_INIT;
	int ret;

	if (db->batch_of != st)
		return;
	ret = dbmysql_ready(db, NULL, &err);
	if (ret) {
		strbuf_reset(&db->late_err);
		strbuf_addbuf(&db->late_err, &err);
		db->late_ret = ret;
	}
	strbuf_release(&err);
}

void dbmysql_finalize(struct db_stmt *dst)
{
	struct dbmysql_stmt *st = st_of(dst);

	send_late(st);
	reset(st);
	forget_columns(st);
	free(st->sql);
	strbuf_release(&st->run);
	free(st);
}
