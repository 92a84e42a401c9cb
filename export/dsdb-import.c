#include "quire-compat.h"
#include "db/db.h"
#include "error.h"
#include "export/dsdb.h"
#include "json.h"
#include "progress.h"

/* What the export recorded: its "dsdb" object, checked. */
static const struct json *export_info(const struct json *meta,
				      struct strbuf *err)
{
	const struct json *um = json_object_get(meta, "user_meta");
	const struct json *d = um ? json_object_get(um, "dsdb") : NULL;
	const struct json *fc = d ? json_object_get(d, "file_columns") : NULL;

	if (!d || d->type != JSON_OBJECT || !fc || fc->type != JSON_ARRAY) {
		strbuf_addstr(err, "this package was not made by 'quire "
			      "export-dsdb' (its metadata has no dsdb "
			      "object); install it with 'quire install'");
		return NULL;
	}
	return d;
}

static int is_file_column(const struct json *fc, const char *name)
{
	size_t i;

	for (i = 0; i < fc->u.arr.nr; i++)
		if (fc->u.arr.v[i]->type == JSON_STRING &&
		    !strcasecmp(fc->u.arr.v[i]->u.str.s, name))
			return 1;
	return 0;
}

static const char *table_name(struct dsdb_import *im, const struct json *d)
{
	const struct json *t = json_object_get(d, "table");

	if (im->table)
		return im->table;
	return t && t->type == JSON_STRING ? t->u.str.s : "data";
}

static int refuse_existing(struct db *db, const char *table,
			   struct strbuf *err)
{
	struct db_schema s;
	int ret = db_schema_read(db, &s, err);

	if (ret)
		return ret;
	if (db_schema_table(&s, table)) {
		strbuf_addf(err, "table '%s' already exists in %s; choose "
			    "another name with --table", table, db_name(db));
		ret = QERR_EXISTS;
	}
	db_schema_release(&s);
	return ret;
}

struct copy {
	struct db_stmt *rows, *ins;
	int ncols;
	int *is_file;
	struct strbuf *paths;	/* one per column: a row may name two files */
};

/* A file column's logical key becomes the installed file's path. */
static void to_path(struct strbuf *path, const char *dir, struct db_value *v)
{
	if (v->type != DB_TEXT)
		return;
	strbuf_reset(path);
	strbuf_addf(path, "%s/", dir);
	strbuf_add(path, v->p, v->len);
	v->p = path->buf;
	v->len = path->len;
}

static int copy_rows(struct dsdb_import *im, struct copy *c,
		     struct strbuf *err)
{
	struct db_value *v = xcalloc(c->ncols, sizeof(*v));
	struct progress *progress = progress_start("Copying rows", 0, 0);
	int ret, i;

	while ((ret = db_step(c->rows, err)) > 0) {
		for (i = 0; i < c->ncols; i++) {
			db_column_value(c->rows, i, &v[i]);
			if (c->is_file[i])
				to_path(&c->paths[i], im->dir, &v[i]);
		}
		ret = db_bind(c->ins, v, c->ncols, err);
		if (!ret)
			ret = db_step(c->ins, err);
		if (ret < 0)
			break;
		im->rows++;
		progress_add(progress, 1, 0);
	}
	progress_stop(&progress);
	free(v);
	return ret;
}

static int open_rows(struct dsdb_import *im, const struct json *d,
		     struct db **data, struct copy *c, struct strbuf *err)
{
	const struct json *fc = json_object_get(d, "file_columns");
	struct strbuf path = STRBUF_INIT;
	int ret, i;

	strbuf_addf(&path, "%s/data.sqlite", im->dir);
	ret = db_open(path.buf, DB_READONLY, data, err);
	strbuf_release(&path);
	if (!ret)
		ret = db_prepare(*data, "SELECT * FROM data ORDER BY rowid",
				 &c->rows, err);
	if (ret)
		return ret;
	c->ncols = db_columns(c->rows);
	c->is_file = xcalloc(c->ncols, sizeof(*c->is_file));
	c->paths = xcalloc(c->ncols, sizeof(*c->paths));
	for (i = 0; i < c->ncols; i++)
		strbuf_init(&c->paths[i], 0);
	for (i = 0; i < c->ncols; i++)
		c->is_file[i] = is_file_column(fc,
					       db_column_name(c->rows, i));
	return 0;
}

int dsdb_import_check(const char *db, const char *schema, struct strbuf *err)
{
	struct db *conn = NULL;
	int ret;

	if (!db_url_is_server(db))
		return 0;
	ret = db_open_schema(db, schema, 0, &conn, err);
	db_close(conn);
	return ret;
}

/* The type column name had in the source, in engine's words, or NULL. */
static const char *recorded_type(const struct json *d, const char *name)
{
	const struct json *cols = json_object_get(d, "columns");
	const struct json *n, *t;
	size_t i;

	for (i = 0; cols && cols->type == JSON_ARRAY && i < cols->u.arr.nr;
	     i++) {
		n = json_object_get(cols->u.arr.v[i], "name");
		t = json_object_get(cols->u.arr.v[i], "type");
		if (n && n->type == JSON_STRING && t &&
		    t->type == JSON_STRING && !strcmp(n->u.str.s, name))
			return t->u.str.s;
	}
	return NULL;
}

/*
 * Make the table: each column with the type it had when db's engine is
 * the source's, else the engine's type for its values' SQLite type.
 */
static int make_table(struct db *db, const char *table, const struct json *d,
		      struct copy *c, struct strbuf *err)
{
	const struct json *e = json_object_get(d, "engine");
	const char *engine = e && e->type == JSON_STRING ? e->u.str.s :
			     "sqlite";
	const char **names = xcalloc(c->ncols + 1, sizeof(*names));
	const char **types = xcalloc(c->ncols + 1, sizeof(*types));
	const char *had;
	int i, ret;

	for (i = 0; i < c->ncols; i++) {
		names[i] = db_column_name(c->rows, i);
		had = recorded_type(d, names[i]);
		if (had)
			types[i] = db_type_of(db, engine, had);
		else
			types[i] = db_type_of(db, "sqlite",
					      db_column_type(c->rows, i));
	}
	ret = db_create_table(db, table, c->ncols, names, types, &c->ins,
			      err);
	free(names);
	free(types);
	return ret;
}

/*
 * Undo a failed import: MySQL has made the table for good (its CREATE
 * ends the transaction), so drop it; elsewhere ROLLBACK undid it.
 */
static void undo(struct db *db, const char *table, int created)
{
	struct strbuf ignore = STRBUF_INIT, sql = STRBUF_INIT;

	db_exec(db, "ROLLBACK", &ignore);
	if (created && !db_is_sqlite(db)) {
		strbuf_addstr(&sql, "DROP TABLE IF EXISTS ");
		db_quote(db, &sql, table);
		db_exec(db, sql.buf, &ignore);
	}
	strbuf_release(&ignore);
	strbuf_release(&sql);
}

int dsdb_import(struct dsdb_import *im, struct strbuf *err)
{
	const struct json *d = export_info(im->meta, err);
	struct copy c = { NULL, NULL, 0, NULL, NULL };
	struct db *data = NULL, *db = NULL;
	const char *table, *file = db_file(im->db);
	int ret, made, i, created = 0;

	if (!d)
		return QERR_USAGE;
	table = table_name(im, d);
	ret = open_rows(im, d, &data, &c, err);
	made = file && access(file, F_OK) < 0;
	if (!ret)
		ret = db_open_schema(im->db, im->schema, DB_CREATE, &db, err);
	if (!ret)
		ret = db_begin_write(db, err);
	if (!ret) {
		ret = refuse_existing(db, table, err);
		if (!ret)
			ret = make_table(db, table, d, &c, err);
		created = !ret;
		/* MySQL's CREATE TABLE ended the transaction: rows need one */
		if (!ret && !strcmp(db_engine(db), "mysql"))
			ret = db_begin_write(db, err);
		if (!ret)
			ret = copy_rows(im, &c, err);
		db_finalize(c.ins);
		c.ins = NULL;
		/* a server may refuse a row only when the last batch goes */
		if (!ret)
			ret = db_exec(db, "COMMIT", err);
		if (ret)
			undo(db, table, created);
	}
	if (!ret)
		im->table_used = xstrdup(table);
	db_finalize(c.rows);
	db_close(data);
	db_close(db);
	if (ret && made && db)
		unlink(file);	/* a database made for nothing */
	free(c.is_file);
	for (i = 0; c.paths && i < c.ncols; i++)
		strbuf_release(&c.paths[i]);
	free(c.paths);
	return ret;
}
