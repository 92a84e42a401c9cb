#include "db/backend.h"
#include "error.h"
#include "wrapper.h"
#include <ctype.h>

/* libpq's keyword form starts with one of its keywords and '='. */
static int libpq_keywords(const char *url)
{
	static const char *const words[] = {
		"host", "hostaddr", "port", "dbname", "user", "service",
		"sslmode", "connect_timeout", "application_name", NULL
	};
	int i;

	while (isspace((unsigned char)*url))
		url++;
	for (i = 0; words[i]; i++) {
		size_t len = strlen(words[i]);
		const char *p = url + len;

		if (strncmp(url, words[i], len))
			continue;
		while (*p == ' ')
			p++;
		if (*p == '=')
			return 1;
	}
	return 0;
}

static const struct db_backend *backend_of(const char *url)
{
	if (!strncmp(url, "mysql://", 8) || !strncmp(url, "mariadb://", 10))
		return &db_mysql_backend;
	if (!strncmp(url, "postgresql://", 13) ||
	    !strncmp(url, "postgres://", 11) || libpq_keywords(url))
		return &db_postgres_backend;
	if (db_file(url))
		return &db_sqlite_backend;
	return NULL;
}

int db_url_is_server(const char *url)
{
	const struct db_backend *be = backend_of(url);

	return be && be != &db_sqlite_backend;
}

int db_open_schema(const char *url, const char *schema, unsigned flags,
		   struct db **out, struct strbuf *err)
{
	const struct db_backend *be = backend_of(url);
	int ret;

	*out = NULL;
	if (!be) {
		strbuf_addf(err, "'%s' is not a database quire can open: "
			    "give the path of an SQLite file, a "
			    "mysql://host/db or a postgresql://host/db", url);
		return QERR_USAGE;
	}
	ret = be->open(be == &db_sqlite_backend ? db_file(url) : url, schema,
		       flags, out, err);
	if (!ret)
		(*out)->name = xstrdup(url);
	return ret;
}

int db_open(const char *url, unsigned flags, struct db **out,
	    struct strbuf *err)
{
	return db_open_schema(url, NULL, flags, out, err);
}

const char *db_file(const char *url)
{
	if (!strncmp(url, "sqlite:", 7))
		return url + 7;
	if (strstr(url, "://") || libpq_keywords(url))
		return NULL;
	return url;
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

const char *db_engine(const struct db *db)
{
	return db->be->name;
}

int db_is_sqlite(const struct db *db)
{
	return db->be == &db_sqlite_backend;
}

int db_begin_write(struct db *db, struct strbuf *err)
{
	return db_exec(db, db->be->begin_write, err);
}

static void quote_with(struct strbuf *sb, const char *name, char q)
{
	strbuf_addch(sb, q);
	for (; *name; name++) {
		if (*name == q)
			strbuf_addch(sb, q);
		strbuf_addch(sb, *name);
	}
	strbuf_addch(sb, q);
}

void db_quote_ident(struct strbuf *sb, const char *name)
{
	quote_with(sb, name, '"');
}

void db_quote(const struct db *db, struct strbuf *sb, const char *name)
{
	quote_with(sb, name, db->be->quote);
}

void db_literal(const struct db *db, struct strbuf *sb,
		const struct db_value *v)
{
	db->be->literal(sb, v);
}

const char *db_dump_head(const struct db *db)
{
	return db->be->dump_head;
}

const char *db_dump_tail(const struct db *db)
{
	return db->be->dump_tail;
}

int db_row_in_values(const struct db *db)
{
	return db->be->row_in_values;
}

static const struct db_backend *backend_named(const char *name)
{
	if (!strcmp(name, db_mysql_backend.name))
		return &db_mysql_backend;
	if (!strcmp(name, db_postgres_backend.name))
		return &db_postgres_backend;
	return &db_sqlite_backend;
}

const char *db_sqlite_type(const char *engine, const char *type)
{
	return backend_named(engine)->sqlite_type(type);
}

const char *db_type_of(const struct db *db, const char *from,
		       const char *type)
{
	const struct db_backend *src = backend_named(from);

	if (src == db->be)
		return type;
	return db->be->type_for(src->sqlite_type(type));
}

const char *db_sqlite_affinity(const char *declared)
{
	if (strcasestr(declared, "INT"))
		return "INTEGER";
	if (strcasestr(declared, "CHAR") || strcasestr(declared, "CLOB") ||
	    strcasestr(declared, "TEXT"))
		return "TEXT";
	if (!*declared || strcasestr(declared, "BLOB"))
		return "BLOB";
	if (strcasestr(declared, "REAL") || strcasestr(declared, "FLOA") ||
	    strcasestr(declared, "DOUB"))
		return "REAL";
	return "NUMERIC";
}

void db_add_quoted(struct strbuf *sb, const char *p, size_t len)
{
	size_t i;

	strbuf_addch(sb, '\'');
	for (i = 0; i < len; i++) {
		if (p[i] == '\'')
			strbuf_addch(sb, '\'');
		strbuf_addch(sb, p[i]);
	}
	strbuf_addch(sb, '\'');
}

const char *db_past_quoted(const char *p, int backslash)
{
	char q = *p;

	if (q == '-' && p[1] == '-')
		return p + strcspn(p, "\n");
	if (q == '/' && p[1] == '*') {
		const char *end = strstr(p + 2, "*/");

		return end ? end + 2 : p + strlen(p);
	}
	for (p++; *p; p++) {
		if (backslash && *p == '\\' && q != '`' && p[1])
			p++;
		else if (*p == q && p[1] == q)
			p++;
		else if (*p == q)
			return p + 1;
	}
	return p;
}

int db_fill_params(struct strbuf *out, const char *sql,
		   const struct db_backend *be, const struct db_value *v,
		   int n, struct strbuf *err)
{
	const char *p = sql, *start;
	int used = 0;

	strbuf_reset(out);
	while (*p) {
		start = p;
		while (*p && *p != '?' && *p != '\'' && *p != '"' &&
		       *p != '`' && !(p[0] == '-' && p[1] == '-') &&
		       !(p[0] == '/' && p[1] == '*'))
			p++;
		strbuf_add(out, start, p - start);
		if (!*p)
			break;
		if (*p != '?') {
			start = p;
			p = db_past_quoted(p, be->quote == '`');
			strbuf_add(out, start, p - start);
			continue;
		}
		if (used == n) {
			strbuf_addf(err, "the statement has more than %d "
				    "placeholder%s", n, n == 1 ? "" : "s");
			return QERR_USAGE;
		}
		be->literal(out, &v[used++]);
		p++;
	}
	if (used != n) {
		strbuf_addf(err, "%d value%s for %d placeholder%s", n,
			    n == 1 ? "" : "s", used, used == 1 ? "" : "s");
		return QERR_USAGE;
	}
	return 0;
}

int db_create_table(struct db *db, const char *table, int n,
		    const char **names, const char **types,
		    struct db_stmt **ins, struct strbuf *err)
{
	struct strbuf sql = STRBUF_INIT;
	int i, ret;

	strbuf_addstr(&sql, "CREATE TABLE ");
	db_quote(db, &sql, table);
	strbuf_addstr(&sql, " (");
	for (i = 0; i < n; i++) {
		if (i)
			strbuf_addstr(&sql, ", ");
		db_quote(db, &sql, names[i]);
		if (*types[i])
			strbuf_addf(&sql, " %s", types[i]);
	}
	strbuf_addch(&sql, ')');
	ret = db_exec(db, sql.buf, err);
	strbuf_reset(&sql);
	strbuf_addstr(&sql, "INSERT INTO ");
	db_quote(db, &sql, table);
	strbuf_addstr(&sql, " VALUES (");
	for (i = 0; i < n; i++)
		strbuf_addstr(&sql, i ? ", ?" : "?");
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
	for (i = 0; i < s->npre; i++)
		free(s->pre_sql[i]);
	free(s->pre_sql);
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

void db_table_ident_from_pk(struct db_table *t)
{
	int i, n = 0;

	for (i = 0; i < t->ncols; i++)
		if (t->cols[i].pk > n)
			n = t->cols[i].pk;
	t->ident = xcalloc(n ? n : t->ncols + 1, sizeof(*t->ident));
	t->nident = n ? n : t->ncols;
	for (i = 0; i < t->ncols; i++)
		if (!n)
			t->ident[i] = t->cols[i].name;
		else if (t->cols[i].pk)
			t->ident[t->cols[i].pk - 1] = t->cols[i].name;
}

int db_table_column(const struct db_table *t, const char *name)
{
	int i;

	for (i = 0; i < t->ncols; i++)
		if (!strcasecmp(t->cols[i].name, name))
			return i;
	return -1;
}
