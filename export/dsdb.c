#include "quire-compat.h"
#include "db/db.h"
#include "error.h"
#include "export/dsdb.h"
#include "export/export.h"
#include "json.h"

/* The rows being exported: a statement on the source and its columns. */
struct source {
	struct db *db;
	struct db_schema schema;
	const struct db_table *table;	/* with --table */
	struct db_stmt *rows;
	int ncols;
	const char **names, **types;
	int *is_file;
};

static void list_tables(const struct db_schema *s, struct strbuf *sb)
{
	int i;

	for (i = 0; i < s->ntables; i++)
		strbuf_addf(sb, "%s%s", i ? ", " : "", s->tables[i].name);
	if (!s->ntables)
		strbuf_addstr(sb, "(none)");
}

static int check_table(struct source *src, const char *table,
		       struct strbuf *err)
{
	int ret = db_schema_read(src->db, &src->schema, err);

	if (ret)
		return ret;
	src->table = db_schema_table(&src->schema, table);
	if (!src->table) {
		strbuf_addf(err, "no table '%s' in %s; its tables are: ",
			    table, db_name(src->db));
		list_tables(&src->schema, err);
		ret = QERR_NOTFOUND;
	}
	return ret;
}

/* A table's column keeps the type it is declared with. */
static const char *type_of(struct source *src, int i)
{
	int col = src->table ? db_table_column(src->table, src->names[i]) : -1;

	if (col >= 0)
		return src->table->cols[col].type;
	return db_column_type(src->rows, i);
}

static int check_columns(struct source *src, struct dsdb_export *x,
			 struct strbuf *err)
{
	size_t i;
	int j, k;

	for (j = 0; j < src->ncols; j++)
		for (k = 0; k < j; k++)
			if (!strcasecmp(src->names[j], src->names[k])) {
				strbuf_addf(err, "the rows have two columns "
					    "named '%s'; name them apart with "
					    "AS in the query", src->names[j]);
				return QERR_USAGE;
			}
	for (i = 0; i < x->file_columns->nr; i++) {
		const char *want = x->file_columns->items[i];

		for (j = 0; j < src->ncols; j++)
			if (!strcasecmp(src->names[j], want))
				break;
		if (j == src->ncols) {
			strbuf_addf(err, "no column '%s' in the rows; they "
				    "have:", want);
			for (k = 0; k < src->ncols; k++)
				strbuf_addf(err, " %s", src->names[k]);
			return QERR_NOTFOUND;
		}
		src->is_file[j] = 1;
	}
	return 0;
}

static int open_source(struct dsdb_export *x, struct source *src,
		       struct strbuf *err)
{
	struct strbuf sql = STRBUF_INIT, why = STRBUF_INIT;
	int ret, i;

	memset(src, 0, sizeof(*src));
	ret = db_open_schema(x->db, x->schema, DB_READONLY, &src->db, err);
	if (!ret && x->table)
		ret = check_table(src, x->table, err);
	if (!ret && x->table) {
		/* the name as the database spells it, not as it was typed */
		strbuf_addstr(&sql, "SELECT * FROM ");
		db_quote(src->db, &sql, src->table->name);
	}
	if (!ret)
		ret = db_prepare(src->db, x->table ? sql.buf : x->query,
				 &src->rows, &why);
	if (!ret) {
		src->ncols = db_columns(src->rows);
		/* no columns: a query that failed says why when it runs */
		if (!src->ncols && db_step(src->rows, &why) < 0)
			ret = QERR_USAGE;
	}
	if (ret && why.len)
		strbuf_addf(err, "the query does not run on %s: %s", x->db,
			    why.buf);
	strbuf_release(&sql);
	strbuf_release(&why);
	if (ret)
		return ret;
	if (!src->ncols) {
		strbuf_addstr(err, "the query gives no columns");
		return QERR_USAGE;
	}
	src->names = xcalloc(src->ncols, sizeof(*src->names));
	src->types = xcalloc(src->ncols, sizeof(*src->types));
	src->is_file = xcalloc(src->ncols, sizeof(*src->is_file));
	for (i = 0; i < src->ncols; i++) {
		src->names[i] = db_column_name(src->rows, i);
		src->types[i] = type_of(src, i);
	}
	return check_columns(src, x, err);
}

static void close_source(struct source *src)
{
	db_schema_release(&src->schema);
	db_finalize(src->rows);
	db_close(src->db);
	free(src->names);
	free(src->types);
	free(src->is_file);
}

static int open_output(const char *path, struct source *src, struct db **out,
		       struct db_stmt **ins, struct strbuf *err)
{
	const char **types = xcalloc(src->ncols + 1, sizeof(*types));
	int ret = db_open(path, DB_CREATE, out, err), i;

	for (i = 0; i < src->ncols; i++)
		types[i] = db_sqlite_type(db_engine(src->db), src->types[i]);
	if (!ret)
		ret = db_create_table(*out, "data", src->ncols, src->names,
				      types, ins, err);
	free(types);
	return ret;
}

/* Copy every row; note the files they name. */
static int copy_rows(struct source *src, struct db *out, struct db_stmt *ins,
		     struct export_files *files, uint64_t *rows,
		     struct strbuf *err)
{
	struct strbuf where = STRBUF_INIT;
	struct db_value *v = xcalloc(src->ncols, sizeof(*v));
	int ret, i;

	ret = db_exec(out, "BEGIN", err);
	while (!ret && (ret = db_step(src->rows, err)) > 0) {
		ret = 0;
		++*rows;
		for (i = 0; !ret && i < src->ncols; i++) {
			db_column_value(src->rows, i, &v[i]);
			if (!src->is_file[i])
				continue;
			strbuf_reset(&where);
			strbuf_addf(&where, "row %" PRIu64 " (column %s)",
				    *rows, src->names[i]);
			ret = export_files_note(files, &v[i], where.buf, err);
		}
		if (!ret)
			ret = db_bind(ins, v, src->ncols, err);
		if (!ret && (ret = db_step(ins, err)) > 0)
			ret = 0;
	}
	if (ret < 0 && !err->len)
		strbuf_addstr(err, "reading the rows failed");
	if (!ret)
		ret = db_exec(out, "COMMIT", err);
	free(v);
	strbuf_release(&where);
	return ret;
}

/* File columns hold logical keys from now on. */
static int rewrite_file_columns(struct source *src, struct db *out,
				struct strbuf *err)
{
	struct strbuf sql = STRBUF_INIT, col = STRBUF_INIT;
	int ret = 0, i;

	for (i = 0; !ret && i < src->ncols; i++) {
		if (!src->is_file[i])
			continue;
		strbuf_reset(&col);
		strbuf_reset(&sql);
		strbuf_addstr(&col, "data.");
		db_quote_ident(&col, src->names[i]);
		strbuf_addstr(&sql, "UPDATE data SET ");
		db_quote_ident(&sql, src->names[i]);
		strbuf_addstr(&sql, " = ");
		export_files_key_sql(&sql, col.buf);
		strbuf_addf(&sql, " WHERE %s IS NOT NULL", col.buf);
		ret = db_exec(out, sql.buf, err);
	}
	strbuf_release(&sql);
	strbuf_release(&col);
	return ret;
}

static void csv_field(struct strbuf *sb, const char *s, size_t len)
{
	size_t i;

	if (!memchr(s, ',', len) && !memchr(s, '"', len) &&
	    !memchr(s, '\r', len) && !memchr(s, '\n', len)) {
		strbuf_add(sb, s, len);
		return;
	}
	strbuf_addch(sb, '"');
	for (i = 0; i < len; i++) {
		if (s[i] == '"')
			strbuf_addch(sb, '"');
		strbuf_addch(sb, s[i]);
	}
	strbuf_addch(sb, '"');
}

static int flush_to(FILE *fp, struct strbuf *sb)
{
	int ok = fwrite(sb->buf, 1, sb->len, fp) == sb->len;

	strbuf_reset(sb);
	return ok ? 0 : -1;
}

/* data.csv: RFC 4180, CRLF line ends, NULL as an empty field. */
static int write_csv(struct db *out, struct source *src, const char *path,
		     struct strbuf *err)
{
	struct strbuf line = STRBUF_INIT, text = STRBUF_INIT;
	struct db_stmt *st = NULL;
	struct db_value v;
	FILE *fp = fopen(path, "w");
	int ret, i;

	if (!fp) {
		strbuf_addf(err, "cannot write '%s': %s", path,
			    strerror(errno));
		return QERR_GENERIC;
	}
	for (i = 0; i < src->ncols; i++) {
		if (i)
			strbuf_addch(&line, ',');
		csv_field(&line, src->names[i], strlen(src->names[i]));
	}
	strbuf_addstr(&line, "\r\n");
	ret = db_prepare(out, "SELECT * FROM data ORDER BY rowid", &st, err);
	while (!ret && (ret = db_step(st, err)) > 0) {
		ret = 0;
		for (i = 0; i < src->ncols; i++) {
			db_column_value(st, i, &v);
			strbuf_reset(&text);
			export_value_text(&text, &v);
			if (i)
				strbuf_addch(&line, ',');
			csv_field(&line, text.buf, text.len);
		}
		strbuf_addstr(&line, "\r\n");
		if (line.len > 65536 && flush_to(fp, &line) < 0)
			ret = QERR_GENERIC;
	}
	if (!ret && flush_to(fp, &line) < 0)
		ret = QERR_GENERIC;
	if (fclose(fp) && !ret)
		ret = QERR_GENERIC;
	if (ret == QERR_GENERIC && !err->len)
		strbuf_addf(err, "cannot write '%s': %s", path,
			    strerror(errno));
	db_finalize(st);
	strbuf_release(&line);
	strbuf_release(&text);
	return ret;
}

/* The row's values but the column that names this file. */
static struct json *row_meta(struct db_stmt *st, int first, int skip,
			     struct source *src)
{
	struct json *obj = json_new_object();
	struct db_value v;
	int i;

	for (i = 0; i < src->ncols; i++) {
		if (i == skip)
			continue;
		db_column_value(st, first + i, &v);
		json_object_set(obj, src->names[i], strlen(src->names[i]),
				export_value_json(&v));
	}
	return obj;
}

static struct json *file_meta(struct json *rows)
{
	struct json *obj;

	if (rows->type == JSON_ARRAY && rows->u.arr.nr == 1) {
		obj = json_dup(rows->u.arr.v[0]);
		json_free(rows);
		return obj;
	}
	obj = json_new_object();
	json_object_set(obj, "rows", 4, rows);
	return obj;
}

static int add_entry(struct export_pkg *p, const char *key, const char *path,
		     struct json *rows, struct strbuf *err)
{
	struct json *meta = file_meta(rows);
	int ret = export_add_file(p, key, path, meta, err);

	json_free(meta);
	return ret;
}

static int name_files(struct db *out, struct source *src, struct strbuf *err)
{
	struct strbuf sql = STRBUF_INIT;
	int ret, i;

	ret = db_exec(out, "CREATE TEMP TABLE quire_named (key TEXT, rid "
		      "INTEGER, col INTEGER)", err);
	for (i = 0; !ret && i < src->ncols; i++) {
		if (!src->is_file[i])
			continue;
		strbuf_reset(&sql);
		strbuf_addstr(&sql, "INSERT INTO temp.quire_named SELECT ");
		db_quote_ident(&sql, src->names[i]);
		strbuf_addf(&sql, ", rowid, %d FROM data WHERE ", i);
		db_quote_ident(&sql, src->names[i]);
		strbuf_addstr(&sql, " IS NOT NULL");
		ret = db_exec(out, sql.buf, err);
	}
	strbuf_release(&sql);
	return ret;
}

/* Each file once, with the values of the rows that name it. */
static int add_files(struct export_pkg *p, struct db *out, struct source *src,
		     struct strbuf *err)
{
	struct strbuf key = STRBUF_INIT, path = STRBUF_INIT;
	struct json *rows = NULL;
	struct db_stmt *st = NULL;
	struct db_value k, f, c;
	int ret;

	ret = name_files(out, src, err);
	if (!ret)
		ret = db_prepare(out, "SELECT n.key, f.path, n.col, d.* FROM "
				 "temp.quire_named n JOIN data d ON d.rowid = "
				 "n.rid JOIN (SELECT key, min(path) AS path "
				 "FROM temp.quire_files GROUP BY key) f ON "
				 "f.key = n.key ORDER BY n.key, n.rid", &st,
				 err);
	while (!ret && (ret = db_step(st, err)) > 0) {
		ret = 0;
		db_column_value(st, 0, &k);
		if (rows && (k.len != key.len || memcmp(k.p, key.buf, k.len))) {
			ret = add_entry(p, key.buf, path.buf, rows, err);
			rows = NULL;
		}
		if (!rows) {
			db_column_value(st, 1, &f);
			strbuf_reset(&key);
			strbuf_add(&key, k.p, k.len);
			strbuf_reset(&path);
			strbuf_add(&path, f.p, f.len);
			rows = json_new_array();
		}
		db_column_value(st, 2, &c);
		json_array_append(rows, row_meta(st, 3, (int)c.i, src));
	}
	if (!ret && rows) {
		ret = add_entry(p, key.buf, path.buf, rows, err);
		rows = NULL;
	}
	json_free(rows);
	db_finalize(st);
	strbuf_release(&key);
	strbuf_release(&path);
	return ret;
}

static void readme_columns(struct strbuf *md, struct source *src)
{
	int i;

	strbuf_addstr(md, "\n## Columns\n\n| column | type | file |\n"
		      "|---|---|---|\n");
	for (i = 0; i < src->ncols; i++)
		strbuf_addf(md, "| %s | %s | %s |\n", src->names[i],
			    src->types[i], src->is_file[i] ? "yes" : "");
}

static int write_readme(const char *path, const char *name,
			struct dsdb_export *x, struct source *src,
			struct strbuf *err)
{
	struct strbuf md = STRBUF_INIT;
	FILE *fp;
	int ret = 0;

	strbuf_addf(&md, "# %s\n\nRows of a database exported by quire "
		    "export-dsdb.\n\n- Source: `%s`\n", name, x->db);
	if (x->table)
		strbuf_addf(&md, "- Table: `%s`\n", src->table->name);
	else
		strbuf_addf(&md, "- Query:\n\n  ```sql\n  %s\n  ```\n\n",
			    x->query);
	strbuf_addf(&md, "- Rows: %" PRIu64 "\n- Files: %" PRIu64
		    " (under `files/`)\n", x->rows, x->files);
	if (x->missing)
		strbuf_addf(&md, "- Files missing at export, left out: %"
			    PRIu64 "\n", x->missing);
	readme_columns(&md, src);
	strbuf_addstr(&md, "\n## What is here\n\n"
		      "- `data.sqlite`: table `data`, every row; a file "
		      "column holds the file's logical key (`files/...`).\n"
		      "- `data.csv`: the same rows as CSV (RFC 4180).\n"
		      "- `files/`: each file once; its entry's metadata holds "
		      "the other values of the row that names it.\n"
		      "\nTo load the table into a database of your own, with "
		      "file columns holding the paths of the installed "
		      "files:\n\n");
	strbuf_addf(&md, "    quire import-dsdb %s my.db\n", name);
	fp = fopen(path, "w");
	if (!fp || fwrite(md.buf, 1, md.len, fp) != md.len || fclose(fp)) {
		strbuf_addf(err, "cannot write '%s': %s", path,
			    strerror(errno));
		ret = QERR_GENERIC;
	}
	strbuf_release(&md);
	return ret;
}

static struct json *jstr(const char *s)
{
	return json_new_string(s, strlen(s));
}

static struct json *package_user_meta(struct dsdb_export *x,
				      struct source *src)
{
	struct json *d = json_new_object(), *cols = json_new_array();
	struct json *fcols = json_new_array(), *um = json_new_object(), *c;
	int i;

	json_object_set(d, "source", 6, jstr(x->db));
	json_object_set(d, "engine", 6, jstr(db_engine(src->db)));
	if (x->table)
		json_object_set(d, "table", 5, jstr(src->table->name));
	else
		json_object_set(d, "query", 5, jstr(x->query));
	json_object_set(d, "rows", 4, json_new_uint(x->rows));
	for (i = 0; i < src->ncols; i++) {
		c = json_new_object();
		json_object_set(c, "name", 4, jstr(src->names[i]));
		json_object_set(c, "type", 4, jstr(src->types[i]));
		json_array_append(cols, c);
		if (src->is_file[i])
			json_array_append(fcols, jstr(src->names[i]));
	}
	json_object_set(d, "columns", 7, cols);
	json_object_set(d, "file_columns", 12, fcols);
	json_object_set(d, "files", 5, json_new_uint(x->files));
	json_object_set(um, "dsdb", 4, d);
	return um;
}

static int generate(struct export_pkg *p, struct dsdb_export *x,
		    struct source *src, const char *name, struct strbuf *err)
{
	struct strbuf path = STRBUF_INIT;
	int ret;

	strbuf_addf(&path, "%s/README.md", export_dir(p));
	ret = write_readme(path.buf, name, x, src, err);
	if (!ret)
		ret = export_add_generated(p, "README.md", NULL, err);
	if (!ret)
		ret = export_add_generated(p, "data.csv", NULL, err);
	if (!ret)
		ret = export_add_generated(p, "data.sqlite", NULL, err);
	if (!ret)
		export_set_meta(p, "user_meta", package_user_meta(x, src));
	strbuf_release(&path);
	return ret;
}

int dsdb_export(struct export_pkg *p, struct dsdb_export *x,
		const char *name, struct strbuf *err)
{
	struct strbuf path = STRBUF_INIT;
	struct export_files *files = NULL;
	struct db_stmt *ins = NULL;
	struct db *out = NULL;
	struct source src;
	int ret;

	ret = open_source(x, &src, err);
	strbuf_addf(&path, "%s/data.sqlite", export_dir(p));
	if (!ret)
		ret = open_output(path.buf, &src, &out, &ins, err);
	if (!ret)
		ret = export_files_init(out, &files, err);
	if (!ret)
		ret = copy_rows(&src, out, ins, files, &x->rows, err);
	db_finalize(ins);
	if (!ret)
		ret = export_files_resolve(files, x->root, x->skip_missing,
					   &x->missing, err);
	if (!ret) {
		x->files = export_files_count(files);
		ret = rewrite_file_columns(&src, out, err);
	}
	strbuf_reset(&path);
	strbuf_addf(&path, "%s/data.csv", export_dir(p));
	if (!ret)
		ret = write_csv(out, &src, path.buf, err);
	if (!ret)
		ret = add_files(p, out, &src, err);
	if (!ret)
		ret = generate(p, x, &src, name, err);
	export_files_free(files);
	db_close(out);
	close_source(&src);
	strbuf_release(&path);
	return ret;
}
