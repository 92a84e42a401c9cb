#include "db/backend.h"
#include "error.h"
#include "wrapper.h"

int db_open(const char *url, unsigned flags, struct db **out,
	    struct strbuf *err)
{
	const char *where = db_file(url);
	int ret;

	*out = NULL;
	if (!where) {
		strbuf_addf(err, "'%s' is not a database quire can open: "
			    "give the path of an SQLite file", url);
		return QERR_USAGE;
	}
	ret = db_sqlite_backend.open(where, flags, out, err);
	if (!ret)
		(*out)->name = xstrdup(url);
	return ret;
}

const char *db_file(const char *url)
{
	if (!strncmp(url, "sqlite:", 7))
		return url + 7;
	return strstr(url, "://") ? NULL : url;
}

void db_close(struct db *db)
{
	char *name;

	if (!db)
		return;
	name = db->name;
	db->be->close(db);
	free(name);
}

const char *db_name(const struct db *db)
{
	return db->name;
}

int db_exec(struct db *db, const char *sql, struct strbuf *err)
{
	return db->be->exec(db, sql, err);
}

int db_prepare(struct db *db, const char *sql, struct db_stmt **out,
	       struct strbuf *err)
{
	return db->be->prepare(db, sql, out, err);
}

int db_bind(struct db_stmt *st, const struct db_value *v, int n,
	    struct strbuf *err)
{
	return st->be->bind(st, v, n, err);
}

int db_step(struct db_stmt *st, struct strbuf *err)
{
	return st->be->step(st, err);
}

int db_columns(struct db_stmt *st)
{
	return st->be->columns(st);
}

const char *db_column_name(struct db_stmt *st, int i)
{
	return st->be->column_name(st, i);
}

const char *db_column_type(struct db_stmt *st, int i)
{
	return st->be->column_type(st, i);
}

void db_column_value(struct db_stmt *st, int i, struct db_value *v)
{
	st->be->column_value(st, i, v);
}

void db_finalize(struct db_stmt *st)
{
	if (st)
		st->be->finalize(st);
}

void db_quote_ident(struct strbuf *sb, const char *name)
{
	strbuf_addch(sb, '"');
	for (; *name; name++) {
		if (*name == '"')
			strbuf_addch(sb, '"');
		strbuf_addch(sb, *name);
	}
	strbuf_addch(sb, '"');
}

int db_create_like(struct db *db, const char *table, struct db_stmt *rows,
		   struct db_stmt **ins, struct strbuf *err)
{
	struct strbuf sql = STRBUF_INIT;
	int i, n = db_columns(rows), ret;

	strbuf_addstr(&sql, "CREATE TABLE ");
	db_quote_ident(&sql, table);
	strbuf_addstr(&sql, " (");
	for (i = 0; i < n; i++) {
		const char *type = db_column_type(rows, i);

		if (i)
			strbuf_addstr(&sql, ", ");
		db_quote_ident(&sql, db_column_name(rows, i));
		if (*type)
			strbuf_addf(&sql, " %s", type);
	}
	strbuf_addch(&sql, ')');
	ret = db_exec(db, sql.buf, err);
	strbuf_reset(&sql);
	strbuf_addstr(&sql, "INSERT INTO ");
	db_quote_ident(&sql, table);
	strbuf_addstr(&sql, " VALUES (");
	for (i = 0; i < n; i++)
		strbuf_addf(&sql, "%s?%d", i ? ", " : "", i + 1);
	strbuf_addch(&sql, ')');
	*ins = NULL;
	if (!ret)
		ret = db_prepare(db, sql.buf, ins, err);
	strbuf_release(&sql);
	return ret;
}

int db_schema_read(struct db *db, struct db_schema *s, struct strbuf *err)
{
	memset(s, 0, sizeof(*s));
	return db->be->schema_read(db, s, err);
}

static void table_release(struct db_table *t)
{
	int i, j;

	free(t->name);
	free(t->create_sql);
	for (i = 0; i < t->ncols; i++) {
		free(t->cols[i].name);
		free(t->cols[i].type);
	}
	free(t->cols);
	for (i = 0; i < t->nfkeys; i++) {
		struct db_fkey *fk = &t->fkeys[i];

		free(fk->parent);
		for (j = 0; j < fk->n; j++) {
			free(fk->from[j]);
			free(fk->to[j]);
		}
		free(fk->from);
		free(fk->to);
	}
	free(t->fkeys);
	free(t->ident);
}

void db_schema_release(struct db_schema *s)
{
	int i;

	for (i = 0; i < s->ntables; i++)
		table_release(&s->tables[i]);
	free(s->tables);
	for (i = 0; i < s->nextra; i++)
		free(s->extra_sql[i]);
	free(s->extra_sql);
	memset(s, 0, sizeof(*s));
}

struct db_table *db_schema_table(const struct db_schema *s,
				 const char *name)
{
	int i;

	for (i = 0; i < s->ntables; i++)
		if (!strcasecmp(s->tables[i].name, name))
			return &s->tables[i];
	return NULL;
}

int db_table_column(const struct db_table *t, const char *name)
{
	int i;

	for (i = 0; i < t->ncols; i++)
		if (!strcasecmp(t->cols[i].name, name))
			return i;
	return -1;
}
