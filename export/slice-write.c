#include "quire-compat.h"
#include "export/export.h"
#include "export/slice-internal.h"
#include <ctype.h>

/* Writing a slice out: as an SQLite file, and as an SQL text dump. */

/* Flush the dump buffer to the file when it holds this much. */
#define DUMP_FLUSH 65536

/* Is the rowid of t another name for its INTEGER PRIMARY KEY column? */
static int rowid_is_alias(const struct slice_table *st)
{
	int j, n = 0, integer = 0;

	for (j = 0; j < st->t->ncols; j++) {
		if (!st->t->cols[j].pk)
			continue;
		n++;
		integer = !strcasecmp(st->t->cols[j].type, "INTEGER");
	}
	return st->has_rowid && n == 1 && integer;
}

/*
 * 'INSERT INTO "t" (rowid, "a", "b") VALUES (', without the rowid for
 * tables that have none.
 */
static void insert_head(struct strbuf *sql, const struct slice_table *st,
			int with_rowid)
{
	int j;

	strbuf_addstr(sql, "INSERT INTO ");
	db_quote_ident(sql, st->t->name);
	strbuf_addstr(sql, " (");
	if (with_rowid)
		strbuf_addstr(sql, "rowid, ");
	for (j = 0; j < st->t->ncols; j++) {
		strbuf_addstr(sql, j ? ", " : "");
		db_quote_ident(sql, st->t->cols[j].name);
	}
	strbuf_addstr(sql, ") VALUES (");
}

static int copy_rows(struct slice *s, struct db *out, int i,
		     struct strbuf *err)
{
	const struct slice_table *st = &s->tables[i];
	int n = st->t->ncols + 1, skip = st->has_rowid ? 0 : 1, j, ret;
	struct strbuf sql = STRBUF_INIT;
	struct db_stmt *rows = NULL, *ins = NULL;
	struct db_value *v = xcalloc(n, sizeof(*v));

	insert_head(&sql, st, st->has_rowid);
	for (j = skip; j < n; j++)
		strbuf_addstr(&sql, j > skip ? ", ?" : "?");
	strbuf_addch(&sql, ')');
	ret = db_prepare(out, sql.buf, &ins, err);
	if (!ret)
		ret = slice_read_rows(s, i, &rows, err);
	while (!ret && (ret = db_step(rows, err)) > 0) {
		for (j = 0; j < n; j++)
			db_column_value(rows, j, &v[j]);
		ret = db_bind(ins, v + skip, n - skip, err);
		if (!ret)
			ret = db_step(ins, err);
	}
	if (ret < 0 && !strstr(err->buf, st->t->name))
		strbuf_addf(err, " (copying the rows of table '%s')",
			    st->t->name);
	db_finalize(rows);
	db_finalize(ins);
	strbuf_release(&sql);
	free(v);
	return ret;
}

/* Count the rows PRAGMA foreign_key_check finds, per table. */
static void check_fkeys(struct slice *s, struct db *out)
{
	struct strbuf err = STRBUF_INIT, name = STRBUF_INIT;
	struct db_stmt *st = NULL;
	const struct db_table *t;
	struct db_value v;
	int ret;

	ret = db_prepare(out, "PRAGMA foreign_key_check", &st, &err);
	while (!ret && (ret = db_step(st, &err)) > 0) {
		db_column_value(st, 0, &v);
		strbuf_reset(&name);
		if (v.type == DB_TEXT)
			strbuf_add(&name, v.p, v.len);
		t = db_schema_table(&s->schema, name.buf);
		if (t)
			s->tables[t - s->schema.tables].bad++;
		ret = 0;
	}
	if (ret < 0)
		s->check_error = strbuf_detach(&err, NULL);
	db_finalize(st);
	strbuf_release(&err);
	strbuf_release(&name);
}

static int exists(const char *path, struct strbuf *err)
{
	struct stat st;

	if (lstat(path, &st) < 0 && errno == ENOENT)
		return 0;
	strbuf_addf(err, "'%s' exists already", path);
	return QERR_EXISTS;
}

/* The names of columns n[0..k-1] of t, quoted for SQLite: "a", "b". */
static void name_list(struct strbuf *sql, const struct db_table *t,
		      char **names, int k)
{
	int j;

	for (j = 0; j < k; j++) {
		strbuf_addstr(sql, j ? ", " : "");
		db_quote_ident(sql, names ? names[j] : t->ident[j]);
	}
}

/*
 * A CREATE TABLE for SQLite of a server's table: its columns with the
 * SQLite types their values are kept as, NOT NULL, the primary key and
 * the foreign keys.
 */
static void sqlite_create(struct strbuf *sql, const struct slice *s,
			  const struct db_table *t)
{
	const char *engine = db_engine(s->src);
	int j, pk = 0;

	strbuf_addstr(sql, "CREATE TABLE ");
	db_quote_ident(sql, t->name);
	strbuf_addstr(sql, " (\n");
	for (j = 0; j < t->ncols; j++) {
		const struct db_column *c = &t->cols[j];

		strbuf_addstr(sql, j ? ",\n  " : "  ");
		db_quote_ident(sql, c->name);
		strbuf_addf(sql, " %s", db_sqlite_type(engine, c->type));
		if (c->notnull)
			strbuf_addstr(sql, " NOT NULL");
		pk |= c->pk > 0;
	}
	if (pk) {
		strbuf_addstr(sql, ",\n  PRIMARY KEY (");
		name_list(sql, t, NULL, t->nident);
		strbuf_addch(sql, ')');
	}
	for (j = 0; j < t->nfkeys; j++) {
		const struct db_fkey *fk = &t->fkeys[j];

		strbuf_addstr(sql, ",\n  FOREIGN KEY (");
		name_list(sql, t, fk->from, fk->n);
		strbuf_addstr(sql, ") REFERENCES ");
		db_quote_ident(sql, fk->parent);
		strbuf_addstr(sql, " (");
		name_list(sql, t, fk->to, fk->n);
		strbuf_addch(sql, ')');
	}
	strbuf_addstr(sql, "\n)");
}

static int create_tables(struct slice *s, struct db *out, struct strbuf *err)
{
	struct strbuf sql = STRBUF_INIT;
	int i, ret = 0;

	for (i = 0; !ret && i < s->schema.ntables; i++) {
		const char *create = s->schema.tables[i].create_sql;

		if (!db_is_sqlite(s->src)) {
			strbuf_reset(&sql);
			sqlite_create(&sql, s, &s->schema.tables[i]);
			ret = db_exec(out, sql.buf, err);
		} else if (!create) {
			strbuf_addf(err, "the database gives no CREATE "
				    "statement for table '%s'",
				    s->schema.tables[i].name);
			ret = QERR_GENERIC;
		} else {
			ret = db_exec(out, create, err);
		}
	}
	strbuf_release(&sql);
	return ret;
}

int slice_write_sqlite(struct slice *s, const char *path,
		       struct strbuf *err)
{
	struct db *out = NULL;
	int i, ret;

	ret = exists(path, err);
	if (!ret)
		ret = db_open(path, DB_CREATE, &out, err);
	if (!ret)
		ret = db_exec(out, "PRAGMA journal_mode = OFF; "
			      "PRAGMA synchronous = OFF; BEGIN", err);
	if (!ret)
		ret = create_tables(s, out, err);
	for (i = 0; !ret && i < s->schema.ntables; i++)
		ret = copy_rows(s, out, i, err);
	/* a server's indexes and triggers are in slice.sql only */
	for (i = 0; !ret && db_is_sqlite(s->src) && i < s->schema.nextra; i++)
		ret = db_exec(out, s->schema.extra_sql[i], err);
	if (!ret)
		ret = db_exec(out, "COMMIT", err);
	if (!ret)
		check_fkeys(s, out);
	db_close(out);
	return ret;
}

uint64_t slice_bad_rows(const struct slice *s, int i)
{
	return s->tables[i].bad;
}

const char *slice_check_error(const struct slice *s)
{
	return s->check_error;
}

/* A text dump being streamed to a file. */
struct dump {
	int fd;
	const char *path;
	struct strbuf buf;
};

static int dump_flush(struct dump *d, size_t at_least, struct strbuf *err)
{
	if (d->buf.len < at_least)
		return 0;
	if (write_in_full(d->fd, d->buf.buf, d->buf.len) < 0) {
		strbuf_addf(err, "cannot write '%s': %s", d->path,
			    strerror(errno));
		return QERR_GENERIC;
	}
	strbuf_reset(&d->buf);
	return 0;
}

/* A statement of the schema, ending in exactly one ";\n". */
static void dump_statement(struct dump *d, const char *sql)
{
	size_t len = strlen(sql);

	while (len && (sql[len - 1] == ';' ||
		       isspace((unsigned char)sql[len - 1])))
		len--;
	strbuf_add(&d->buf, sql, len);
	strbuf_addstr(&d->buf, ";\n");
}

/*
 * What each row's INSERT starts with, as sqlite3's .dump writes it:
 * 'INSERT INTO "t" VALUES(', or with the rowid kept where it is not a
 * column, 'INSERT INTO "t"(rowid,"a","b") VALUES('.
 */
static void dump_head(struct strbuf *head, const struct slice_table *st,
		      int with_rowid)
{
	int j;

	strbuf_addstr(head, "INSERT INTO ");
	db_quote_ident(head, st->t->name);
	if (with_rowid) {
		strbuf_addstr(head, "(rowid");
		for (j = 0; j < st->t->ncols; j++) {
			strbuf_addch(head, ',');
			db_quote_ident(head, st->t->cols[j].name);
		}
		strbuf_addch(head, ')');
	}
	strbuf_addstr(head, " VALUES(");
}

static int dump_rows(struct dump *d, struct db *db,
		     const struct slice_table *st, struct strbuf *err)
{
	int alias = rowid_is_alias(st), skip = st->has_rowid && !alias ? 0 : 1;
	int n = st->t->ncols + 1, j, ret;
	struct strbuf sql = STRBUF_INIT, head = STRBUF_INIT;
	struct db_stmt *rows = NULL;
	struct db_value v;

	strbuf_addstr(&sql, "SELECT ");
	strbuf_addstr(&sql, st->has_rowid ? "rowid" : "NULL");
	for (j = 0; j < st->t->ncols; j++) {
		strbuf_addstr(&sql, ", ");
		db_quote_ident(&sql, st->t->cols[j].name);
	}
	strbuf_addstr(&sql, " FROM ");
	db_quote_ident(&sql, st->t->name);
	if (st->has_rowid)
		strbuf_addstr(&sql, " ORDER BY rowid");
	dump_head(&head, st, !skip);
	ret = db_prepare(db, sql.buf, &rows, err);
	while (!ret && (ret = db_step(rows, err)) > 0) {
		strbuf_addbuf(&d->buf, &head);
		for (j = skip; j < n; j++) {
			db_column_value(rows, j, &v);
			strbuf_addstr(&d->buf, j > skip ? "," : "");
			export_value_sql(&d->buf, &v);
		}
		strbuf_addstr(&d->buf, ");\n");
		ret = dump_flush(d, DUMP_FLUSH, err);
	}
	db_finalize(rows);
	strbuf_release(&sql);
	strbuf_release(&head);
	return ret;
}

static int dump_all(struct slice *s, struct db *db, struct dump *d,
		    struct strbuf *err)
{
	int i, ret = 0;

	strbuf_addstr(&d->buf, "PRAGMA foreign_keys=OFF;\n"
		      "BEGIN TRANSACTION;\n");
	for (i = 0; !ret && i < s->schema.ntables; i++) {
		dump_statement(d, s->schema.tables[i].create_sql);
		ret = dump_rows(d, db, &s->tables[i], err);
	}
	for (i = 0; !ret && i < s->schema.nextra; i++)
		dump_statement(d, s->schema.extra_sql[i]);
	strbuf_addstr(&d->buf, "COMMIT;\n");
	if (!ret)
		ret = dump_flush(d, 0, err);
	return ret;
}

/* One INSERT of many rows holds this much SQL, at most (and one row). */
#define SERVER_INSERT_MAX (1024 * 1024)

/* 'INSERT INTO `t` (`a`, `b`) VALUES\n' in the source's dialect. */
static void server_insert_head(struct strbuf *head, const struct slice *s,
			       const struct db_table *t)
{
	int j;

	strbuf_addstr(head, "INSERT INTO ");
	db_quote(s->src, head, t->name);
	strbuf_addstr(head, " (");
	for (j = 0; j < t->ncols; j++) {
		strbuf_addstr(head, j ? ", " : "");
		db_quote(s->src, head, t->cols[j].name);
	}
	strbuf_addstr(head, ") VALUES\n");
}

/*
 * The rows of table i, from the working database, as INSERTs of many
 * rows each, in the source's own literals.
 */
static int server_dump_rows(struct slice *s, int i, struct dump *d,
			    struct strbuf *err)
{
	const struct db_table *t = s->tables[i].t;
	struct strbuf head = STRBUF_INIT;
	struct db_stmt *rows = NULL;
	struct db_value v;
	size_t start = 0;
	int j, ret, open = 0;

	server_insert_head(&head, s, t);
	ret = slice_read_rows(s, i, &rows, err);
	while (!ret && (ret = db_step(rows, err)) > 0) {
		ret = 0;
		if (open && d->buf.len - start > SERVER_INSERT_MAX) {
			strbuf_addstr(&d->buf, ";\n");
			open = 0;
		}
		if (!open) {
			ret = dump_flush(d, DUMP_FLUSH, err);
			start = d->buf.len;
			strbuf_addbuf(&d->buf, &head);
		}
		strbuf_addstr(&d->buf, open ? ",\n(" : "(");
		open = 1;
		for (j = 0; j < t->ncols; j++) {
			db_column_value(rows, j + 1, &v);
			strbuf_addstr(&d->buf, j ? ", " : "");
			db_literal(s->src, &d->buf, &v);
		}
		strbuf_addch(&d->buf, ')');
	}
	if (open)
		strbuf_addstr(&d->buf, ";\n");
	db_finalize(rows);
	strbuf_release(&head);
	return ret;
}

/*
 * A dump the source's engine loads into an empty database: its own
 * statements for types, tables, then the rows, then what comes after
 * them (PostgreSQL's foreign keys and indexes).
 */
static int server_dump(struct slice *s, struct dump *d, struct strbuf *err)
{
	const struct db_schema *sc = &s->schema;
	int i, ret = 0;

	strbuf_addstr(&d->buf, db_dump_head(s->src));
	for (i = 0; i < sc->npre; i++)
		dump_statement(d, sc->pre_sql[i]);
	for (i = 0; i < sc->ntables; i++)
		if (sc->tables[i].create_sql)
			dump_statement(d, sc->tables[i].create_sql);
	for (i = 0; !ret && i < sc->ntables; i++)
		ret = server_dump_rows(s, i, d, err);
	for (i = 0; !ret && i < sc->nextra; i++)
		dump_statement(d, sc->extra_sql[i]);
	strbuf_addstr(&d->buf, db_dump_tail(s->src));
	if (!ret)
		ret = dump_flush(d, 0, err);
	return ret;
}

int slice_write_sql(struct slice *s, const char *sqlite_path,
		    const char *path, struct strbuf *err)
{
	struct dump d = { -1, path, STRBUF_INIT };
	struct db *db = NULL;
	int ret = 0;

	if (db_is_sqlite(s->src))
		ret = db_open(sqlite_path, DB_READONLY, &db, err);
	if (ret < 0)
		return ret;
	d.fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
	if (d.fd < 0) {
		strbuf_addf(err, "cannot create '%s': %s", path,
			    strerror(errno));
		ret = QERR_GENERIC;
	} else if (!db) {
		ret = server_dump(s, &d, err);
	} else {
		ret = dump_all(s, db, &d, err);
	}
	if (d.fd >= 0 && close(d.fd) < 0 && !ret) {
		strbuf_addf(err, "cannot write '%s': %s", path,
			    strerror(errno));
		ret = QERR_GENERIC;
	}
	strbuf_release(&d.buf);
	db_close(db);
	return ret;
}
