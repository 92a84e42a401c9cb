#include "db/mysql-internal.h"
#include "error.h"
#include "wrapper.h"

/*
 * The schema of the database the connection uses (a DataJoint schema is
 * one such database): its base tables by name, their columns, primary
 * keys and foreign keys from information_schema, and each table's SHOW
 * CREATE TABLE. A foreign key to a table of another database is left
 * out: that table is not part of anything exported from this one.
 */

#define TABLES_SQL \
	"SELECT TABLE_NAME FROM information_schema.TABLES " \
	"WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE' " \
	"ORDER BY BINARY TABLE_NAME"

#define COLUMNS_SQL \
	"SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE = 'NO' " \
	"FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() " \
	"ORDER BY BINARY TABLE_NAME, ORDINAL_POSITION"

#define PRIMARY_SQL \
	"SELECT TABLE_NAME, COLUMN_NAME, SEQ_IN_INDEX " \
	"FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() " \
	"AND INDEX_NAME = 'PRIMARY'"

#define FKEYS_SQL \
	"SELECT TABLE_NAME, CONSTRAINT_NAME, REFERENCED_TABLE_NAME, " \
	"COLUMN_NAME, REFERENCED_COLUMN_NAME " \
	"FROM information_schema.KEY_COLUMN_USAGE " \
	"WHERE TABLE_SCHEMA = DATABASE() " \
	"AND REFERENCED_TABLE_SCHEMA = DATABASE() " \
	"AND REFERENCED_TABLE_NAME IS NOT NULL " \
	"ORDER BY BINARY TABLE_NAME, BINARY CONSTRAINT_NAME, ORDINAL_POSITION"

/* The schema being read, and where the rows read last went. */
struct reading {
	struct db_schema *s;
	int last;			/* table found last */
	struct db_table *fk_table;	/* the key being read: its table */
	char *fk_name;			/* and its constraint's name */
};

/*
 * A table by its exact name (MySQL on Linux tells "T" from "t"); rows
 * come table by table, so the last one found is tried first.
 */
static struct db_table *find_table(struct reading *r, const char *name)
{
	struct db_schema *s = r->s;
	int i;

	if (r->last < s->ntables && !strcmp(s->tables[r->last].name, name))
		return &s->tables[r->last];
	for (i = 0; i < s->ntables; i++)
		if (!strcmp(s->tables[i].name, name)) {
			r->last = i;
			return &s->tables[i];
		}
	return NULL;
}

static int find_column(const struct db_table *t, const char *name)
{
	int i;

	for (i = 0; i < t->ncols; i++)
		if (!strcmp(t->cols[i].name, name))
			return i;
	return -1;
}

/* Each row of sql, given to fn. */
typedef void row_fn(struct reading *r, MYSQL_ROW row);

static int each_row(struct dbmysql *db, const char *sql, row_fn *fn,
		    struct reading *r, struct strbuf *err)
{
	MYSQL_RES *res;
	MYSQL_ROW row;
	int ret = dbmysql_rows(db, sql, &res, err);

	if (ret)
		return ret;
	while ((row = mysql_fetch_row(res)))
		fn(r, row);
	mysql_free_result(res);
	return 0;
}

static void add_table(struct reading *r, MYSQL_ROW row)
{
	struct db_schema *s = r->s;
	int alloc = s->ntables;

	ALLOC_GROW(s->tables, s->ntables + 1, alloc);
	memset(&s->tables[s->ntables], 0, sizeof(s->tables[0]));
	s->tables[s->ntables++].name = xstrdup(row[0]);
}

static void add_column(struct reading *r, MYSQL_ROW row)
{
	struct db_table *t = find_table(r, row[0]);
	struct db_column *c;
	int alloc;

	if (!t)
		return;		/* a view's */
	alloc = t->ncols;
	ALLOC_GROW(t->cols, t->ncols + 1, alloc);
	c = &t->cols[t->ncols++];
	c->name = xstrdup(row[1]);
	c->type = xstrdup(row[2] ? row[2] : "");
	c->notnull = row[3] && !strcmp(row[3], "1");
	c->pk = 0;
}

static void add_primary(struct reading *r, MYSQL_ROW row)
{
	struct db_table *t = find_table(r, row[0]);
	int i = t ? find_column(t, row[1]) : -1;

	if (i >= 0 && row[2])
		t->cols[i].pk = (int)strtol(row[2], NULL, 10);
}

/* Rows come in key order: a new constraint name starts a new key. */
static void add_fkey_column(struct reading *r, MYSQL_ROW row)
{
	struct db_table *t = find_table(r, row[0]);
	struct db_fkey *fk;
	int alloc;

	if (!t || !find_table(r, row[2]))
		return;
	if (t != r->fk_table || strcmp(r->fk_name, row[1])) {
		alloc = t->nfkeys;
		ALLOC_GROW(t->fkeys, t->nfkeys + 1, alloc);
		fk = &t->fkeys[t->nfkeys++];
		memset(fk, 0, sizeof(*fk));
		fk->parent = xstrdup(row[2]);
		free(r->fk_name);
		r->fk_name = xstrdup(row[1]);
		r->fk_table = t;
	}
	fk = &t->fkeys[t->nfkeys - 1];
	fk->from = xrealloc(fk->from, (fk->n + 1) * sizeof(*fk->from));
	fk->to = xrealloc(fk->to, (fk->n + 1) * sizeof(*fk->to));
	fk->from[fk->n] = xstrdup(row[3]);
	fk->to[fk->n] = xstrdup(row[4]);
	fk->n++;
}

static int read_create(struct dbmysql *db, struct db_table *t,
		       struct strbuf *err)
{
	struct strbuf sql = STRBUF_INIT;
	MYSQL_RES *res;
	MYSQL_ROW row;
	int ret;

	strbuf_addstr(&sql, "SHOW CREATE TABLE ");
	db_quote(&db->base, &sql, t->name);
	ret = dbmysql_rows(db, sql.buf, &res, err);
	if (!ret) {
		row = mysql_fetch_row(res);
		if (row && mysql_num_fields(res) >= 2 && row[1])
			t->create_sql = xstrdup(row[1]);
		mysql_free_result(res);
	}
	strbuf_release(&sql);
	return ret;
}

int dbmysql_schema_read(struct db *base, struct db_schema *s,
			struct strbuf *err)
{
	struct dbmysql *db = (struct dbmysql *)base;
	struct reading r = { s, 0, NULL, NULL };
	int i, ret;

	ret = each_row(db, TABLES_SQL, add_table, &r, err);
	if (!ret)
		ret = each_row(db, COLUMNS_SQL, add_column, &r, err);
	if (!ret)
		ret = each_row(db, PRIMARY_SQL, add_primary, &r, err);
	if (!ret)
		ret = each_row(db, FKEYS_SQL, add_fkey_column, &r, err);
	free(r.fk_name);
	for (i = 0; !ret && i < s->ntables; i++) {
		db_table_ident_from_pk(&s->tables[i]);
		ret = read_create(db, &s->tables[i], err);
	}
	if (ret)
		db_schema_release(s);
	return ret;
}
