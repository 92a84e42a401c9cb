#include "db/backend.h"
#include "disk-full.h"
#include "error.h"
#include "wrapper.h"
#include "json.h"
#include <ctype.h>
#include <math.h>
#include <sqlite3.h>

/* The SQLite engine behind db.h. */

struct sqlite_db {
	struct db base;
	sqlite3 *conn;
};

struct sqlite_stmt {
	struct db_stmt base;
	struct sqlite_db *db;
	sqlite3_stmt *st;
};

static sqlite3 *conn_of(struct db *db)
{
	return ((struct sqlite_db *)db)->conn;
}

static int fail(sqlite3 *conn, struct strbuf *err)
{
	const char *file = sqlite3_db_filename(conn, "main");

	if (file && *file && disk_full_sqlite(conn))
		disk_full_explain_path(err, file);
	else
		strbuf_addstr(err, sqlite3_errmsg(conn));
	return QERR_GENERIC;
}

static int sq_open(const char *where, const char *schema, unsigned flags,
		   struct db **out, struct strbuf *err)
{
	struct sqlite_db *db;
	int mode = SQLITE_OPEN_READWRITE;

	if (schema && strcmp(schema, "main")) {
		strbuf_addf(err, "an SQLite database has no schema '%s': "
			    "leave out --schema", schema);
		return QERR_USAGE;
	}
	db = xcalloc(1, sizeof(*db));

	if (flags & DB_READONLY)
		mode = SQLITE_OPEN_READONLY;
	else if (flags & DB_CREATE)
		mode |= SQLITE_OPEN_CREATE;
	db->base.be = &db_sqlite_backend;
	if (sqlite3_open_v2(where, &db->conn, mode, NULL) != SQLITE_OK) {
		strbuf_addf(err, "cannot open database '%s': %s", where,
			    db->conn ? sqlite3_errmsg(db->conn) :
			    "out of memory");
		sqlite3_close(db->conn);
		free(db);
		return QERR_NOTFOUND;
	}
	sqlite3_busy_timeout(db->conn, 10000);
	sqlite3_extended_result_codes(db->conn, 1);
	/* a database that is not one says so now, not at the first query */
	if (sqlite3_exec(db->conn, "SELECT count(*) FROM sqlite_schema",
			 NULL, NULL, NULL) != SQLITE_OK ||
	    ((flags & DB_READONLY) &&
	     sqlite3_exec(db->conn, "PRAGMA query_only = 1", NULL, NULL,
			  NULL) != SQLITE_OK)) {
		strbuf_addf(err, "cannot read database '%s': %s", where,
			    sqlite3_errmsg(db->conn));
		sqlite3_close(db->conn);
		free(db);
		return QERR_CORRUPT;
	}
	*out = &db->base;
	return 0;
}

static void sq_close(struct db *db)
{
	sqlite3_close(conn_of(db));
	free(db);
}

static int sq_exec(struct db *db, const char *sql, struct strbuf *err)
{
	if (sqlite3_exec(conn_of(db), sql, NULL, NULL, NULL) != SQLITE_OK)
		return fail(conn_of(db), err);
	return 0;
}

static int sq_prepare(struct db *db, const char *sql, struct db_stmt **out,
		      struct strbuf *err)
{
	struct sqlite_stmt *st;
	sqlite3_stmt *raw;
	const char *tail;

	*out = NULL;
	if (sqlite3_prepare_v2(conn_of(db), sql, -1, &raw, &tail) !=
	    SQLITE_OK)
		return fail(conn_of(db), err);
	if (!raw) {
		strbuf_addstr(err, "no SQL statement given");
		return QERR_USAGE;
	}
	while (*tail && isspace((unsigned char)*tail))
		tail++;
	if (*tail == ';')
		tail++;
	while (*tail && isspace((unsigned char)*tail))
		tail++;
	if (*tail) {
		sqlite3_finalize(raw);
		strbuf_addf(err, "only one SQL statement may be given; this "
			    "follows it: %.40s", tail);
		return QERR_USAGE;
	}
	st = xcalloc(1, sizeof(*st));
	st->base.be = &db_sqlite_backend;
	st->db = (struct sqlite_db *)db;
	st->st = raw;
	*out = &st->base;
	return 0;
}

static sqlite3_stmt *raw_of(struct db_stmt *st)
{
	return ((struct sqlite_stmt *)st)->st;
}

static int bind_one(sqlite3_stmt *st, int i, const struct db_value *v)
{
	switch (v->type) {
	case DB_NULL:
		return sqlite3_bind_null(st, i);
	case DB_INTEGER:
		return sqlite3_bind_int64(st, i, v->i);
	case DB_REAL:
		return sqlite3_bind_double(st, i, v->r);
	case DB_TEXT:
		return sqlite3_bind_text64(st, i, v->p, v->len,
					   SQLITE_TRANSIENT, SQLITE_UTF8);
	case DB_BLOB:
		return sqlite3_bind_blob64(st, i, v->p, v->len,
					   SQLITE_TRANSIENT);
	}
	BUG("bad value type %d", v->type);
}

static int sq_bind(struct db_stmt *st, const struct db_value *v, int n,
		   struct strbuf *err)
{
	sqlite3_stmt *raw = raw_of(st);
	int i;

	sqlite3_reset(raw);
	for (i = 0; i < n; i++)
		if (bind_one(raw, i + 1, &v[i]) != SQLITE_OK)
			return fail(sqlite3_db_handle(raw), err);
	return 0;
}

static int sq_step(struct db_stmt *st, struct strbuf *err)
{
	sqlite3_stmt *raw = raw_of(st);

	switch (sqlite3_step(raw)) {
	case SQLITE_ROW:
		return 1;
	case SQLITE_DONE:
		sqlite3_reset(raw);
		return 0;
	default:
		fail(sqlite3_db_handle(raw), err);
		sqlite3_reset(raw);
		return QERR_GENERIC;
	}
}

static int sq_columns(struct db_stmt *st)
{
	return sqlite3_column_count(raw_of(st));
}

static const char *sq_column_name(struct db_stmt *st, int i)
{
	return sqlite3_column_name(raw_of(st), i);
}

static const char *sq_column_type(struct db_stmt *st, int i)
{
	const char *t = sqlite3_column_decltype(raw_of(st), i);

	return t ? t : "";
}

static void sq_column_value(struct db_stmt *st, int i, struct db_value *v)
{
	sqlite3_stmt *raw = raw_of(st);

	memset(v, 0, sizeof(*v));
	switch (sqlite3_column_type(raw, i)) {
	case SQLITE_INTEGER:
		v->type = DB_INTEGER;
		v->i = sqlite3_column_int64(raw, i);
		break;
	case SQLITE_FLOAT:
		v->type = DB_REAL;
		v->r = sqlite3_column_double(raw, i);
		break;
	case SQLITE_TEXT:
		v->type = DB_TEXT;
		v->p = (const char *)sqlite3_column_text(raw, i);
		v->len = sqlite3_column_bytes(raw, i);
		break;
	case SQLITE_BLOB:
		v->type = DB_BLOB;
		v->p = sqlite3_column_blob(raw, i);
		v->len = sqlite3_column_bytes(raw, i);
		if (!v->p)
			v->p = "";
		break;
	default:
		v->type = DB_NULL;
	}
}

static void sq_finalize(struct db_stmt *st)
{
	sqlite3_finalize(raw_of(st));
	free(st);
}

/* Run sql with one text parameter; fn gets each row. */
typedef int row_fn(sqlite3_stmt *st, void *payload);

static int each_row(sqlite3 *conn, const char *sql, const char *param,
		    row_fn *fn, void *payload, struct strbuf *err)
{
	sqlite3_stmt *st;
	int rc, ret = 0;

	if (sqlite3_prepare_v2(conn, sql, -1, &st, NULL) != SQLITE_OK)
		return fail(conn, err);
	if (param)
		sqlite3_bind_text(st, 1, param, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if ((ret = fn(st, payload)) < 0)
			break;
	if (!ret && rc != SQLITE_DONE)
		ret = fail(conn, err);
	sqlite3_finalize(st);
	return ret;
}

static char *col_text(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	return s ? xstrdup((const char *)s) : NULL;
}

static int add_table(sqlite3_stmt *st, void *payload)
{
	struct db_schema *s = payload;
	struct db_table *t;
	int alloc = s->ntables;

	ALLOC_GROW(s->tables, s->ntables + 1, alloc);
	t = &s->tables[s->ntables++];
	memset(t, 0, sizeof(*t));
	t->name = col_text(st, 0);
	t->create_sql = col_text(st, 1);
	return 0;
}

static int add_extra(sqlite3_stmt *st, void *payload)
{
	struct db_schema *s = payload;
	int alloc = s->nextra;

	ALLOC_GROW(s->extra_sql, s->nextra + 1, alloc);
	s->extra_sql[s->nextra++] = col_text(st, 0);
	return 0;
}

static int add_column(sqlite3_stmt *st, void *payload)
{
	struct db_table *t = payload;
	struct db_column *c;
	int alloc = t->ncols;
	char *type;

	ALLOC_GROW(t->cols, t->ncols + 1, alloc);
	c = &t->cols[t->ncols++];
	c->name = col_text(st, 0);
	type = col_text(st, 1);
	c->type = type ? type : xstrdup("");
	c->notnull = sqlite3_column_int(st, 2);
	c->pk = sqlite3_column_int(st, 3);
	return 0;
}

static int add_fkey_column(sqlite3_stmt *st, void *payload)
{
	struct db_table *t = payload;
	struct db_fkey *fk;
	int alloc = t->nfkeys;

	if (!sqlite3_column_int(st, 1)) {	/* seq 0: a new key */
		ALLOC_GROW(t->fkeys, t->nfkeys + 1, alloc);
		fk = &t->fkeys[t->nfkeys++];
		memset(fk, 0, sizeof(*fk));
		fk->parent = col_text(st, 2);
	}
	fk = &t->fkeys[t->nfkeys - 1];
	fk->from = xrealloc(fk->from, (fk->n + 1) * sizeof(*fk->from));
	fk->to = xrealloc(fk->to, (fk->n + 1) * sizeof(*fk->to));
	fk->from[fk->n] = col_text(st, 3);
	fk->to[fk->n] = col_text(st, 4);	/* NULL: the parent's key */
	fk->n++;
	return 0;
}

/*
 * Does table have a rowid? pragma_table_list says so (SQLite 3.37 on);
 * before it, a table without one refuses to select it (a column named
 * "rowid" can fool that).
 */
static int has_rowid(sqlite3 *conn, const char *table)
{
	struct strbuf sql = STRBUF_INIT;
	sqlite3_stmt *st;
	int ok;

	if (sqlite3_prepare_v2(conn, "SELECT NOT wr FROM pragma_table_list "
			       "WHERE schema = 'main' AND name = ?1", -1, &st,
			       NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
		ok = sqlite3_step(st) == SQLITE_ROW &&
		     sqlite3_column_int(st, 0);
		sqlite3_finalize(st);
		return ok;
	}
	strbuf_addstr(&sql, "SELECT rowid FROM ");
	db_quote_ident(&sql, table);
	ok = sqlite3_prepare_v2(conn, sql.buf, -1, &st, NULL) == SQLITE_OK;
	sqlite3_finalize(st);
	strbuf_release(&sql);
	return ok;
}

static void set_ident(sqlite3 *conn, struct db_table *t)
{
	int i, n = 0;

	for (i = 0; i < t->ncols; i++)
		if (t->cols[i].pk > n)
			n = t->cols[i].pk;
	if (!n || has_rowid(conn, t->name)) {
		t->nident = 1;
		t->ident = xcalloc(1, sizeof(*t->ident));
		return;
	}
	t->nident = n;
	t->ident = xcalloc(n, sizeof(*t->ident));
	for (i = 0; i < t->ncols; i++)
		if (t->cols[i].pk)
			t->ident[t->cols[i].pk - 1] = t->cols[i].name;
}

/* A key naming no parent columns means the parent's primary key. */
static int resolve_fkeys(struct db_schema *s, struct db_table *t,
			 struct strbuf *err)
{
	int i, j, k;

	for (i = 0; i < t->nfkeys; i++) {
		struct db_fkey *fk = &t->fkeys[i];
		struct db_table *p = db_schema_table(s, fk->parent);

		if (!p) {
			strbuf_addf(err, "table %s has a foreign key to %s, "
				    "which does not exist", t->name,
				    fk->parent);
			return QERR_CORRUPT;
		}
		for (j = 0; j < fk->n; j++) {
			if (fk->to[j])
				continue;
			for (k = 0; k < p->ncols; k++)
				if (p->cols[k].pk == j + 1)
					fk->to[j] = xstrdup(p->cols[k].name);
			if (!fk->to[j]) {
				strbuf_addf(err, "table %s has a foreign key "
					    "to %s, which has no primary key "
					    "to match it", t->name, p->name);
				return QERR_CORRUPT;
			}
		}
	}
	return 0;
}

/*
 * Plain tables, in the order they were made: not SQLite's own, not
 * virtual ones, nor the shadow tables that hold a virtual table's data
 * (which pragma_table_list tells apart from SQLite 3.37 on).
 */
static const char *tables_sql(sqlite3 *conn)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(conn, "SELECT type FROM pragma_table_list",
			       -1, &st, NULL) == SQLITE_OK) {
		sqlite3_finalize(st);
		return "SELECT s.name, s.sql FROM sqlite_schema s JOIN "
		       "pragma_table_list l ON l.schema = 'main' AND l.name = "
		       "s.name WHERE s.type = 'table' AND l.type = 'table' "
		       "AND s.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
		       "ORDER BY s.rowid";
	}
	return "SELECT name, sql FROM sqlite_schema WHERE type = 'table' "
	       "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND sql NOT "
	       "LIKE 'CREATE VIRTUAL%' ORDER BY rowid";
}

static int sq_schema_read(struct db *db, struct db_schema *s,
			  struct strbuf *err)
{
	sqlite3 *conn = conn_of(db);
	int i, ret;

	ret = each_row(conn, tables_sql(conn), NULL, add_table, s, err);
	if (!ret)
		ret = each_row(conn, "SELECT sql FROM sqlite_schema WHERE "
			       "type IN ('index', 'trigger', 'view') AND "
			       "sql IS NOT NULL ORDER BY rowid", NULL,
			       add_extra, s, err);
	for (i = 0; !ret && i < s->ntables; i++) {
		struct db_table *t = &s->tables[i];

		ret = each_row(conn, "SELECT name, type, \"notnull\", pk "
			       "FROM pragma_table_info(?1)", t->name,
			       add_column, t, err);
		if (!ret)
			ret = each_row(conn, "SELECT id, seq, \"table\", "
				       "\"from\", \"to\" FROM "
				       "pragma_foreign_key_list(?1) "
				       "ORDER BY id, seq", t->name,
				       add_fkey_column, t, err);
		if (!ret)
			set_ident(conn, t);
	}
	for (i = 0; !ret && i < s->ntables; i++)
		ret = resolve_fkeys(s, &s->tables[i], err);
	if (ret)
		db_schema_release(s);
	return ret;
}

static const char *sq_same_type(const char *type)
{
	return type;
}

static void blob_literal(struct strbuf *sb, const struct db_value *v)
{
	strbuf_addstr(sb, "X'");
	strbuf_add_hex(sb, (const unsigned char *)v->p, v->len);
	strbuf_addch(sb, '\'');
}

static void sq_literal(struct strbuf *sb, const struct db_value *v)
{
	switch (v->type) {
	case DB_NULL:
		strbuf_addstr(sb, "NULL");
		return;
	case DB_INTEGER:
		strbuf_addf(sb, "%" PRId64, v->i);
		return;
	case DB_REAL:
		if (isinf(v->r))
			strbuf_addstr(sb, v->r < 0 ? "-1e999" : "1e999");
		else
			json_format_double(sb, v->r);
		return;
	case DB_TEXT:
		if (memchr(v->p, '\0', v->len)) {
			/* a NUL would end the literal: write the bytes */
			strbuf_addstr(sb, "CAST(");
			blob_literal(sb, v);
			strbuf_addstr(sb, " AS TEXT)");
			return;
		}
		db_add_quoted(sb, v->p, v->len);
		return;
	case DB_BLOB:
		blob_literal(sb, v);
		return;
	}
	BUG("bad value type %d", v->type);
}

const struct db_backend db_sqlite_backend = {
	.name = "sqlite",
	.quote = '"',
	.row_in_values = DB_ROWS_VALUES,
	.begin_write = "BEGIN IMMEDIATE",
	.open = sq_open,
	.close = sq_close,
	.exec = sq_exec,
	.prepare = sq_prepare,
	.bind = sq_bind,
	.step = sq_step,
	.columns = sq_columns,
	.column_name = sq_column_name,
	.column_type = sq_column_type,
	.column_value = sq_column_value,
	.finalize = sq_finalize,
	.schema_read = sq_schema_read,
	.sqlite_type = sq_same_type,
	.type_for = sq_same_type,
	.literal = sq_literal,
};
