#include "db/postgres-internal.h"
#include "error.h"
#include "wrapper.h"
#include <ctype.h>

/*
 * PostgreSQL statements. A reader (DB_READONLY) runs its queries as
 * cursors of its one transaction and FETCHes their rows in batches, so
 * memory stays bounded however many rows come, and several statements
 * can give rows at once on the one connection. Otherwise a statement's
 * result comes whole (a writer's queries are of the schema, or none).
 */

/* How a column's text becomes a db_value. */
enum pg_kind {
	PG_TEXT,
	PG_INTEGER,
	PG_BOOL,
	PG_REAL,
	PG_BLOB,
};

/* Type oids that are the same in every PostgreSQL (pg_type.dat). */
#define PG_BOOLOID 16
#define PG_BYTEAOID 17
#define PG_INT8OID 20
#define PG_INT2OID 21
#define PG_INT4OID 23
#define PG_OIDOID 26
#define PG_FLOAT4OID 700
#define PG_FLOAT8OID 701

/* Rows per FETCH: few at first, then about FETCH_BYTES of them. */
#define FETCH_FIRST 64
#define FETCH_MAX 10000
#define FETCH_BYTES (8 << 20)

/* INSERTs sent before their results are read (which are small). */
#define PIPELINE_MAX 256

struct pg_stmt {
	struct db_stmt base;
	struct pg_db *db;
	char *sql;
	struct strbuf filled;	/* sql with the bound values */
	int bound;
	/* the result's columns, known once described or run */
	int described, ncols;
	char **names;
	Oid *oids;
	int *mods;
	enum pg_kind *kinds;
	const char **types;	/* asked of the server when first wanted */
	struct strbuf *blobs;	/* each column's bytea value, decoded */
	/* the rows being read */
	int running, cursor;
	unsigned cursor_id;
	PGresult *res;
	int row, nrows, more, fetch;
	struct strbuf failed;	/* why a run in columns() failed */
};

static struct pg_stmt *stmt_of(struct db_stmt *st)
{
	return (struct pg_stmt *)st;
}

static enum pg_kind kind_of(Oid oid)
{
	switch (oid) {
	case PG_BOOLOID:
		return PG_BOOL;
	case PG_INT2OID:
	case PG_INT4OID:
	case PG_INT8OID:
	case PG_OIDOID:
		return PG_INTEGER;
	case PG_FLOAT4OID:
	case PG_FLOAT8OID:
		return PG_REAL;
	case PG_BYTEAOID:
		return PG_BLOB;
	default:
		return PG_TEXT;
	}
}

static void set_columns(struct pg_stmt *st, const PGresult *res)
{
	int i, n = PQnfields(res);

	if (st->described)
		return;
	st->described = 1;
	st->ncols = n;
	st->names = xcalloc(n + 1, sizeof(*st->names));
	st->oids = xcalloc(n + 1, sizeof(*st->oids));
	st->mods = xcalloc(n + 1, sizeof(*st->mods));
	st->kinds = xcalloc(n + 1, sizeof(*st->kinds));
	st->blobs = xcalloc(n + 1, sizeof(*st->blobs));
	for (i = 0; i < n; i++) {
		st->names[i] = xstrdup(PQfname(res, i));
		st->oids[i] = PQftype(res, i);
		st->mods[i] = PQfmod(res, i);
		st->kinds[i] = kind_of(st->oids[i]);
		strbuf_init(&st->blobs[i], 0);
	}
}

/* Does sql hold a '?' for a value (outside quotes and comments)? */
static int has_placeholders(const char *sql)
{
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	int ret = db_fill_params(&out, sql, &db_postgres_backend, NULL, 0,
				 &err);

	strbuf_release(&out);
	strbuf_release(&err);
	return ret < 0;
}

/*
 * Parse sql without running it, so a query the server refuses is
 * refused now, with its message, and its columns are known before the
 * first row. One statement only: the extended protocol takes no more.
 */
static int describe(struct pg_stmt *st, struct strbuf *err)
{
	PGconn *conn = st->db->conn;
	PGresult *res;
	int ret = pg_flush(st->db, err);

	if (ret)
		return ret;
	res = PQprepare(conn, "", st->sql, 0, NULL);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		ret = pg_error(conn, res, err);
		PQclear(res);
		return ret;
	}
	PQclear(res);
	res = PQdescribePrepared(conn, "");
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		ret = pg_error(conn, res, err);
	else
		set_columns(st, res);
	PQclear(res);
	return ret;
}

int pg_prepare(struct db *db, const char *sql, struct db_stmt **out,
	       struct strbuf *err)
{
	struct pg_stmt *st = xcalloc(1, sizeof(*st));
	int ret = 0;

	st->base.be = &db_postgres_backend;
	st->db = pg_db_of(db);
	st->sql = xstrdup(sql);
	strbuf_init(&st->filled, 0);
	strbuf_init(&st->failed, 0);
	if (!has_placeholders(sql))
		ret = describe(st, err);
	if (ret) {
		pg_finalize(&st->base);
		st = NULL;
	}
	*out = st ? &st->base : NULL;
	return ret;
}

/* Does sql start with the keyword word (after blanks and comments)? */
static int starts_with_word(const char *sql, const char *word)
{
	size_t len = strlen(word);

	for (;;) {
		while (isspace((unsigned char)*sql) || *sql == '(')
			sql++;
		if (sql[0] == '-' && sql[1] == '-')
			sql += strcspn(sql, "\n");
		else if (sql[0] == '/' && sql[1] == '*' && strstr(sql, "*/"))
			sql = strstr(sql, "*/") + 2;
		else
			break;
	}
	return !strncasecmp(sql, word, len) &&
	       !isalnum((unsigned char)sql[len]) && sql[len] != '_';
}

/* A query that gives rows, which a cursor can read? */
static int is_row_query(const char *sql)
{
	return starts_with_word(sql, "select") ||
	       starts_with_word(sql, "with") ||
	       starts_with_word(sql, "values") ||
	       starts_with_word(sql, "table");
}

/*
 * A writer's INSERT in a transaction gives no rows and needs no answer
 * before the next statement: it goes in a pipeline, a round trip for
 * many rows instead of one each. Its error, if any, comes with the
 * next statement (and the transaction is then undone).
 */
static int can_pipeline(struct pg_db *db, const char *sql)
{
	return !db->readonly && starts_with_word(sql, "insert") &&
	       !strcasestr(sql, "returning") &&
	       (db->pipelined ||
		PQtransactionStatus(db->conn) == PQTRANS_INTRANS);
}

static int send_insert(struct pg_db *db, const char *sql, struct strbuf *err)
{
	struct strbuf ignore = STRBUF_INIT;
	int ret;

	if (!db->pipelined && !PQenterPipelineMode(db->conn))
		return pg_error(db->conn, NULL, err);
	if (!PQsendQueryParams(db->conn, sql, 0, NULL, NULL, NULL, NULL, 0)) {
		ret = pg_error(db->conn, NULL, err);
		if (db->pipelined)
			pg_flush(db, &ignore);
		else
			PQexitPipelineMode(db->conn);
		strbuf_release(&ignore);
		return ret;
	}
	if (++db->pipelined >= PIPELINE_MAX)
		return pg_flush(db, err);
	return 0;
}

static void finish(struct pg_stmt *st)
{
	struct strbuf sql = STRBUF_INIT;

	PQclear(st->res);
	st->res = NULL;
	if (st->running && st->cursor) {
		strbuf_addf(&sql, "CLOSE quire_%u", st->cursor_id);
		PQclear(PQexec(st->db->conn, sql.buf));
	}
	strbuf_release(&sql);
	st->running = st->cursor = 0;
	st->nrows = st->row = 0;
}

/* About FETCH_BYTES of rows like those of res. */
static int next_fetch(const PGresult *res, int nrows, int ncols)
{
	size_t bytes = 0, per_row;
	int i, j;

	for (i = 0; i < nrows; i++)
		for (j = 0; j < ncols; j++)
			bytes += PQgetlength(res, i, j) + 8;
	if (!nrows)
		return FETCH_MAX;
	per_row = bytes / nrows + 1;
	if (per_row >= FETCH_BYTES)
		return 1;
	if (FETCH_BYTES / per_row >= FETCH_MAX)
		return FETCH_MAX;
	return (int)(FETCH_BYTES / per_row);
}

static int fetch(struct pg_stmt *st, struct strbuf *err)
{
	struct strbuf sql = STRBUF_INIT;

	PQclear(st->res);
	strbuf_addf(&sql, "FETCH FORWARD %d FROM quire_%u", st->fetch,
		    st->cursor_id);
	st->res = pg_query(st->db, sql.buf, 0, NULL, err);
	strbuf_release(&sql);
	if (!st->res)
		return QERR_GENERIC;
	set_columns(st, st->res);
	st->nrows = PQntuples(st->res);
	st->more = st->nrows == st->fetch;
	st->row = -1;
	st->fetch = next_fetch(st->res, st->nrows, PQnfields(st->res));
	return 0;
}

static int run(struct pg_stmt *st, struct strbuf *err)
{
	const char *sql = st->bound ? st->filled.buf : st->sql;
	struct strbuf declare = STRBUF_INIT;
	PGresult *res;

	st->running = 1;
	st->more = st->nrows = 0;
	st->row = -1;
	if (can_pipeline(st->db, sql)) {
		if (!send_insert(st->db, sql, err))
			return 0;
		st->running = 0;
		return QERR_GENERIC;
	}
	if (st->db->readonly && is_row_query(sql)) {
		st->cursor = 1;
		st->cursor_id = st->db->cursors++;
		st->fetch = FETCH_FIRST;
		strbuf_addf(&declare, "DECLARE quire_%u NO SCROLL CURSOR FOR "
			    "%s", st->cursor_id, sql);
		res = pg_query(st->db, declare.buf, 0, NULL, err);
		strbuf_release(&declare);
		if (!res) {
			st->cursor = st->running = 0;
			return QERR_GENERIC;
		}
		PQclear(res);
		return fetch(st, err);
	}
	st->res = pg_query(st->db, sql, 0, NULL, err);
	if (!st->res) {
		st->running = 0;
		return QERR_GENERIC;
	}
	set_columns(st, st->res);
	st->nrows = PQntuples(st->res);
	st->more = 0;
	st->row = -1;
	return 0;
}

int pg_bind(struct db_stmt *base, const struct db_value *v, int n,
	    struct strbuf *err)
{
	struct pg_stmt *st = stmt_of(base);

	finish(st);
	strbuf_reset(&st->failed);
	st->bound = 1;
	return db_fill_params(&st->filled, st->sql, &db_postgres_backend, v,
			      n, err);
}

int pg_step(struct db_stmt *base, struct strbuf *err)
{
	struct pg_stmt *st = stmt_of(base);
	int ret;

	if (st->failed.len) {
		strbuf_addbuf(err, &st->failed);
		strbuf_reset(&st->failed);
		return QERR_GENERIC;
	}
	if (!st->running && (ret = run(st, err)) < 0)
		return ret;
	while (++st->row >= st->nrows) {
		if (!st->more) {
			finish(st);
			return 0;
		}
		if ((ret = fetch(st, err)) < 0) {
			finish(st);
			return ret;
		}
	}
	return 1;
}

int pg_columns(struct db_stmt *base)
{
	struct pg_stmt *st = stmt_of(base);

	if (!st->described && !st->running && run(st, &st->failed) < 0)
		return 0;
	return st->ncols;
}

const char *pg_column_name(struct db_stmt *base, int i)
{
	struct pg_stmt *st = stmt_of(base);

	return i >= 0 && i < st->ncols ? st->names[i] : NULL;
}

const char *pg_column_type(struct db_stmt *base, int i)
{
	struct pg_stmt *st = stmt_of(base);
	struct strbuf err = STRBUF_INIT;

	if (i < 0 || i >= st->ncols)
		return "";
	if (!st->types) {
		st->types = xcalloc(st->ncols + 1, sizeof(*st->types));
		pg_type_names(st->db, st->ncols, st->oids, st->mods,
			      st->types, &err);
		strbuf_release(&err);
	}
	return st->types[i];
}

/* bytea as the server writes it ("\x0aff") into its bytes. */
static void unhex(struct strbuf *out, const char *p, size_t len)
{
	unsigned char *raw;
	size_t i, n;

	strbuf_reset(out);
	if (len < 2 || p[0] != '\\' || p[1] != 'x') {
		raw = PQunescapeBytea((const unsigned char *)p, &n);
		if (raw)
			strbuf_add(out, raw, n);
		PQfreemem(raw);
		return;
	}
	strbuf_grow(out, len / 2);
	for (i = 2; i + 1 < len; i += 2)
		strbuf_addch(out, hexval(p[i]) << 4 | hexval(p[i + 1]));
}

void pg_column_value(struct db_stmt *base, int i, struct db_value *v)
{
	struct pg_stmt *st = stmt_of(base);
	const char *p;
	int len;

	memset(v, 0, sizeof(*v));
	if (!st->res || st->row < 0 || st->row >= st->nrows || i < 0 ||
	    i >= st->ncols || PQgetisnull(st->res, st->row, i)) {
		v->type = DB_NULL;
		return;
	}
	p = PQgetvalue(st->res, st->row, i);
	len = PQgetlength(st->res, st->row, i);
	switch (st->kinds[i]) {
	case PG_INTEGER:
		v->type = DB_INTEGER;
		v->i = strtoll(p, NULL, 10);
		return;
	case PG_BOOL:
		v->type = DB_INTEGER;
		v->i = *p == 't';
		return;
	case PG_REAL:
		v->type = DB_REAL;
		v->r = strtod(p, NULL);
		return;
	case PG_BLOB:
		unhex(&st->blobs[i], p, len);
		v->type = DB_BLOB;
		v->p = st->blobs[i].buf;
		v->len = st->blobs[i].len;
		return;
	case PG_TEXT:
		v->type = DB_TEXT;
		v->p = p;
		v->len = len;
		return;
	}
}

void pg_finalize(struct db_stmt *base)
{
	struct pg_stmt *st = stmt_of(base);
	int i;

	finish(st);
	for (i = 0; i < st->ncols; i++) {
		free(st->names[i]);
		strbuf_release(&st->blobs[i]);
	}
	free(st->names);
	free(st->oids);
	free(st->mods);
	free(st->kinds);
	free(st->types);
	free(st->blobs);
	free(st->sql);
	strbuf_release(&st->filled);
	strbuf_release(&st->failed);
	free(st);
}
