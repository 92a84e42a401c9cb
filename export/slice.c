#include "quire-compat.h"
#include "export/export.h"
#include "export/slice-internal.h"
#include <ctype.h>

/*
 * The working database has, for source table number i,
 *
 *	CREATE TABLE w<i> (seq INTEGER PRIMARY KEY, r, c0, c1, ...)
 *
 * with the source's rowid in r (NULL for tables without one) and its
 * columns in c0.. (no declared type: values are kept exactly as the
 * source gives them), a unique index on the columns that tell rows apart
 * (r, or the primary key), and seq growing as rows come in, so that "the
 * rows added since the last round" is a range of seq. Table k holds the
 * key tuples of one foreign key while their parents are fetched.
 */

/* The columns the source gives for a row: rowid (or NULL), then all. */
static void source_columns(struct strbuf *sql, const struct slice *s,
			   const struct slice_table *st)
{
	int j;

	strbuf_addstr(sql, st->has_rowid ? "rowid" : "NULL");
	for (j = 0; j < st->t->ncols; j++) {
		strbuf_addstr(sql, ", ");
		db_quote(s->src, sql, st->t->cols[j].name);
	}
}

/* Working columns: "c3, c5", or with an alias "p.c3, p.c5". */
static void col_list(struct strbuf *sql, const char *alias, const int *cols,
		     int n)
{
	int j;

	for (j = 0; j < n; j++)
		strbuf_addf(sql, "%s%s%sc%d", j ? ", " : "",
			    alias ? alias : "", alias ? "." : "", cols[j]);
}

static int make_work_table(struct slice *s, int i, struct strbuf *err)
{
	struct slice_table *st = &s->tables[i];
	struct strbuf sql = STRBUF_INIT;
	int j, ret;

	strbuf_addf(&sql, "CREATE TABLE w%d (seq INTEGER PRIMARY KEY, r", i);
	for (j = 0; j < st->t->ncols; j++)
		strbuf_addf(&sql, ", c%d", j);
	strbuf_addf(&sql, "); CREATE UNIQUE INDEX wu%d ON w%d (", i, i);
	if (st->has_rowid)
		strbuf_addch(&sql, 'r');
	for (j = 0; !st->has_rowid && j < st->t->nident; j++) {
		int c = db_table_column(st->t, st->t->ident[j]);

		strbuf_addf(&sql, "%sc%d", j ? ", " : "", c);
	}
	strbuf_addch(&sql, ')');
	ret = db_exec(s->work, sql.buf, err);
	strbuf_reset(&sql);
	strbuf_addf(&sql, "INSERT OR IGNORE INTO w%d (r", i);
	for (j = 0; j < st->t->ncols; j++)
		strbuf_addf(&sql, ", c%d", j);
	strbuf_addstr(&sql, ") VALUES (?");
	for (j = 0; j < st->t->ncols; j++)
		strbuf_addstr(&sql, ", ?");
	strbuf_addch(&sql, ')');
	if (!ret)
		ret = db_prepare(s->work, sql.buf, &st->insert, err);
	strbuf_reset(&sql);
	strbuf_addf(&sql, "SELECT coalesce(max(seq), 0) FROM w%d", i);
	if (!ret)
		ret = db_prepare(s->work, sql.buf, &st->max_seq, err);
	strbuf_release(&sql);
	return ret;
}

/* Column numbers of names in t, or QERR_CORRUPT naming the missing one. */
static int column_numbers(const struct db_table *t, char **names, int n,
			  int *out, struct strbuf *err)
{
	int j;

	for (j = 0; j < n; j++) {
		out[j] = db_table_column(t, names[j]);
		if (out[j] < 0) {
			strbuf_addf(err, "a foreign key names column '%s' "
				    "of table '%s', which has no such column",
				    names[j], t->name);
			return QERR_CORRUPT;
		}
	}
	return 0;
}

/* An index on the parent's key columns, so new keys are found fast. */
static int index_parent_key(struct slice *s, const struct slice_fkey *fk,
			    struct strbuf *err)
{
	struct strbuf sql = STRBUF_INIT;
	int j, ret;

	strbuf_addf(&sql, "CREATE INDEX IF NOT EXISTS wk%d", fk->parent);
	for (j = 0; j < fk->n; j++)
		strbuf_addf(&sql, "_%d", fk->to[j]);
	strbuf_addf(&sql, " ON w%d (", fk->parent);
	col_list(&sql, NULL, fk->to, fk->n);
	strbuf_addch(&sql, ')');
	ret = db_exec(s->work, sql.buf, err);
	strbuf_release(&sql);
	return ret;
}

/*
 * The distinct key tuples of the rows of child i with seq in (?1, ?2]
 * that have no NULL in them and whose parent is not in yet, into k; and
 * the statement that reads them back.
 */
static int prepare_keys(struct slice *s, int i, struct slice_fkey *fk,
			struct strbuf *err)
{
	struct strbuf sql = STRBUF_INIT, cols = STRBUF_INIT;
	int j, ret;

	for (j = 0; j < fk->n; j++)
		strbuf_addf(&cols, "%sk%d", j ? ", " : "", j);
	strbuf_addf(&sql, "INSERT INTO k (%s) SELECT DISTINCT ", cols.buf);
	col_list(&sql, "c", fk->from, fk->n);
	strbuf_addf(&sql, " FROM w%d AS c WHERE c.seq > ?1 AND c.seq <= ?2",
		    i);
	for (j = 0; j < fk->n; j++)
		strbuf_addf(&sql, " AND c.c%d IS NOT NULL", fk->from[j]);
	strbuf_addf(&sql, " AND NOT EXISTS (SELECT 1 FROM w%d AS p WHERE ",
		    fk->parent);
	for (j = 0; j < fk->n; j++)
		strbuf_addf(&sql, "%sp.c%d = c.c%d", j ? " AND " : "",
			    fk->to[j], fk->from[j]);
	strbuf_addch(&sql, ')');
	ret = db_prepare(s->work, sql.buf, &fk->keys, err);
	strbuf_reset(&sql);
	strbuf_addf(&sql, "SELECT %s FROM k", cols.buf);
	if (!ret)
		ret = db_prepare(s->work, sql.buf, &fk->read, err);
	strbuf_release(&sql);
	strbuf_release(&cols);
	return ret;
}

static int setup_fkey(struct slice *s, int i, int f, struct strbuf *err)
{
	const struct db_table *t = s->tables[i].t;
	const struct db_fkey *dk = &t->fkeys[f];
	struct slice_fkey *fk = &s->tables[i].fkeys[f];
	const struct db_table *p = db_schema_table(&s->schema, dk->parent);
	int ret;

	fk->parent = p - s->schema.tables;
	fk->n = dk->n;
	fk->from = xcalloc(dk->n, sizeof(*fk->from));
	fk->to = xcalloc(dk->n, sizeof(*fk->to));
	fk->batch = (db_is_sqlite(s->src) ? SLICE_BATCH_PARAMS :
		     SLICE_BATCH_PARAMS_SERVER) / dk->n;
	if (!fk->batch)
		fk->batch = 1;
	if (dk->n > s->key_cols)
		s->key_cols = dk->n;
	ret = column_numbers(t, dk->from, dk->n, fk->from, err);
	if (!ret)
		ret = column_numbers(p, dk->to, dk->n, fk->to, err);
	return ret;
}

static int make_key_table(struct slice *s, struct strbuf *err)
{
	struct strbuf sql = STRBUF_INIT;
	int j, ret;

	strbuf_addstr(&sql, "CREATE TABLE k (");
	for (j = 0; j < s->key_cols; j++)
		strbuf_addf(&sql, "%sk%d", j ? ", " : "", j);
	strbuf_addch(&sql, ')');
	ret = db_exec(s->work, sql.buf, err);
	strbuf_release(&sql);
	return ret;
}

static int setup_tables(struct slice *s, struct strbuf *err)
{
	int i, f, ret = 0;

	s->tables = xcalloc(s->schema.ntables + 1, sizeof(*s->tables));
	s->key_cols = 1;
	for (i = 0; !ret && i < s->schema.ntables; i++) {
		struct slice_table *st = &s->tables[i];

		st->t = &s->schema.tables[i];
		st->has_rowid = st->t->nident == 1 && !st->t->ident[0];
		st->nfkeys = st->t->nfkeys;
		st->fkeys = xcalloc(st->nfkeys + 1, sizeof(*st->fkeys));
		ret = make_work_table(s, i, err);
		for (f = 0; !ret && f < st->nfkeys; f++)
			ret = setup_fkey(s, i, f, err);
	}
	if (!ret)
		ret = make_key_table(s, err);
	for (i = 0; !ret && i < s->schema.ntables; i++)
		for (f = 0; !ret && f < s->tables[i].nfkeys; f++) {
			ret = index_parent_key(s, &s->tables[i].fkeys[f], err);
			if (!ret)
				ret = prepare_keys(s, i, &s->tables[i].fkeys[f],
						   err);
		}
	return ret;
}

int slice_new(struct db *src, struct slice **out, struct strbuf *err)
{
	struct slice *s = xcalloc(1, sizeof(*s));
	int ret;

	*out = NULL;
	s->src = src;
	ret = db_schema_read(src, &s->schema, err);
	if (ret < 0) {
		free(s);
		return ret;
	}
	/* "": a private temporary file, gone when it is closed */
	ret = db_open("", DB_CREATE, &s->work, err);
	if (!ret)
		ret = db_exec(s->work, "PRAGMA journal_mode = OFF; "
			      "PRAGMA synchronous = OFF; "
			      "PRAGMA cache_size = -65536; BEGIN", err);
	if (!ret)
		ret = setup_tables(s, err);
	if (ret < 0) {
		slice_free(s);
		return ret;
	}
	*out = s;
	return 0;
}

void slice_free(struct slice *s)
{
	int i, f;

	if (!s)
		return;
	for (i = 0; s->tables && i < s->schema.ntables; i++) {
		struct slice_table *st = &s->tables[i];

		for (f = 0; f < st->nfkeys; f++) {
			db_finalize(st->fkeys[f].keys);
			db_finalize(st->fkeys[f].read);
			db_finalize(st->fkeys[f].fetch);
			free(st->fkeys[f].from);
			free(st->fkeys[f].to);
		}
		free(st->fkeys);
		db_finalize(st->insert);
		db_finalize(st->max_seq);
	}
	free(s->tables);
	db_close(s->work);
	db_schema_release(&s->schema);
	slice_leaves_release(&s->leaves);
	free(s->check_error);
	free(s);
}

const struct db_schema *slice_schema(const struct slice *s)
{
	return &s->schema;
}

const struct slice_leaves *slice_leaves(const struct slice *s)
{
	return &s->leaves;
}

struct db *slice_work_db(struct slice *s)
{
	return s->work;
}

/* Levenshtein distance of a and b (case-insensitive), capped at 9. */
static int distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	int row[64], prev, cur, d;

	if (la > 60 || lb > 60)
		return 9;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			cur = row[j];
			d = prev + (tolower((unsigned char)a[i - 1]) !=
				    tolower((unsigned char)b[j - 1]));
			if (row[j] + 1 < d)
				d = row[j] + 1;
			if (row[j - 1] + 1 < d)
				d = row[j - 1] + 1;
			row[j] = d;
			prev = cur;
		}
	}
	return row[lb] > 9 ? 9 : row[lb];
}

static void suggest_table(struct strbuf *err, const struct db_schema *sc,
			  const char *name)
{
	int i, best = -1, best_d = 3;

	for (i = 0; i < sc->ntables; i++) {
		int d = distance(name, sc->tables[i].name);

		if (d < best_d) {
			best_d = d;
			best = i;
		}
	}
	if (best >= 0) {
		strbuf_addf(err, "; did you mean '%s'?",
			    sc->tables[best].name);
		return;
	}
	if (!sc->ntables) {
		strbuf_addstr(err, "; it has no tables");
		return;
	}
	strbuf_addstr(err, "; its tables are:");
	for (i = 0; i < sc->ntables && i < 20; i++)
		strbuf_addf(err, " %s", sc->tables[i].name);
	if (i < sc->ntables)
		strbuf_addf(err, " and %d more", sc->ntables - i);
}

int slice_find_table(const struct slice *s, const char *name,
		     const struct db_table **out, struct strbuf *err)
{
	*out = db_schema_table(&s->schema, name);
	if (*out)
		return 0;
	strbuf_addf(err, "no table '%s' in '%s'", name, db_name(s->src));
	suggest_table(err, &s->schema, name);
	return QERR_NOTFOUND;
}

/* Copy each row that st (a source statement) gives into table i. */
static int take_rows(struct slice *s, int i, struct db_stmt *st,
		     struct strbuf *err)
{
	struct slice_table *wt = &s->tables[i];
	int n = wt->t->ncols + 1, j, ret;
	struct db_value *v = xcalloc(n, sizeof(*v));

	while ((ret = db_step(st, err)) > 0) {
		for (j = 0; j < n; j++)
			db_column_value(st, j, &v[j]);
		ret = db_bind(wt->insert, v, n, err);
		if (!ret)
			ret = db_step(wt->insert, err);
		if (ret < 0)
			break;
	}
	free(v);
	return ret;
}

int slice_add_leaf(struct slice *s, const struct slice_leaf *leaf,
		   struct strbuf *err)
{
	const struct db_table *t;
	struct strbuf sql = STRBUF_INIT;
	struct db_stmt *st = NULL;
	int i, ret;

	ret = slice_find_table(s, leaf->table, &t, err);
	if (ret < 0)
		return ret;
	i = t - s->schema.tables;
	strbuf_addstr(&sql, "SELECT ");
	source_columns(&sql, s, &s->tables[i]);
	strbuf_addstr(&sql, " FROM ");
	db_quote(s->src, &sql, t->name);
	/* the newline ends a trailing "-- comment" */
	strbuf_addf(&sql, " WHERE (%s\n)", leaf->restriction);
	ret = db_prepare(s->src, sql.buf, &st, err);
	if (!ret)
		ret = take_rows(s, i, st, err);
	if (ret < 0) {
		/* the database's message is in err; say which leaf */
		struct strbuf msg = STRBUF_INIT;

		strbuf_addf(&msg, "restriction \"%s\" on table '%s' fails: ",
			    leaf->restriction, t->name);
		strbuf_addbuf(&msg, err);
		strbuf_reset(err);
		strbuf_addbuf(err, &msg);
		strbuf_release(&msg);
		ret = QERR_USAGE;
	} else {
		slice_leaves_add(&s->leaves, t->name, leaf->restriction);
	}
	db_finalize(st);
	strbuf_release(&sql);
	return ret;
}

static int max_seq(struct slice *s, int i, int64_t *out, struct strbuf *err)
{
	struct db_stmt *st = s->tables[i].max_seq;
	struct db_value v;
	int ret;

	ret = db_step(st, err);
	if (ret < 0)
		return ret;
	if (!ret) {
		strbuf_addstr(err, "the working database gave no row count");
		return QERR_GENERIC;
	}
	db_column_value(st, 0, &v);
	*out = v.i;
	return db_step(st, err) < 0 ? QERR_GENERIC : 0;
}

/* A batch of key tuples, with copies of their bytes. */
struct key_batch {
	struct db_value *v;
	int n, tuples;
};

static void batch_add(struct key_batch *b, struct db_stmt *st)
{
	int j;

	for (j = 0; j < b->n; j++) {
		struct db_value *v = &b->v[b->tuples * b->n + j];

		db_column_value(st, j, v);
		if (v->type == DB_TEXT || v->type == DB_BLOB)
			v->p = xmemdupz(v->p, v->len);
	}
	b->tuples++;
}

static void batch_clear(struct key_batch *b)
{
	int j;

	for (j = 0; j < b->tuples * b->n; j++)
		if (b->v[j].type == DB_TEXT || b->v[j].type == DB_BLOB)
			free((char *)b->v[j].p);
	b->tuples = 0;
}

/*
 * A '?' for column j of a key tuple. Where a VALUES list takes its
 * types from its first row (PostgreSQL), that row's are cast to the
 * parent's columns' types, so that a date is compared as a date.
 */
static void key_placeholder(struct strbuf *sql, const struct slice *s,
			    const char *type, int j, int first)
{
	strbuf_addstr(sql, j ? ", " : "");
	if (first && db_row_in_values(s->src) == DB_ROWS_VALUES_TYPED &&
	    *type)
		strbuf_addf(sql, "CAST(? AS %s)", type);
	else
		strbuf_addch(sql, '?');
}

/*
 * SELECT ... FROM parent WHERE key IN (tuples placeholders): for keys of
 * several columns "(a, b) IN (VALUES (?, ?), ...)" in SQLite and
 * PostgreSQL (which plans it as a join, where it scans for a list of row
 * constructors), and "(a, b) IN ((?, ?), ...)" in MySQL.
 */
static int prepare_fetch(struct slice *s, const struct slice_fkey *fk,
			 int tuples, struct db_stmt **out, struct strbuf *err)
{
	const struct slice_table *p = &s->tables[fk->parent];
	struct strbuf sql = STRBUF_INIT;
	int j, k, ret;

	strbuf_addstr(&sql, "SELECT ");
	source_columns(&sql, s, p);
	strbuf_addstr(&sql, " FROM ");
	db_quote(s->src, &sql, p->t->name);
	strbuf_addstr(&sql, fk->n > 1 ? " WHERE (" : " WHERE ");
	for (j = 0; j < fk->n; j++) {
		if (j)
			strbuf_addstr(&sql, ", ");
		db_quote(s->src, &sql, p->t->cols[fk->to[j]].name);
	}
	if (fk->n == 1)
		strbuf_addstr(&sql, " IN (");
	else if (db_row_in_values(s->src))
		strbuf_addstr(&sql, ") IN (VALUES ");
	else
		strbuf_addstr(&sql, ") IN (");
	for (k = 0; k < tuples; k++) {
		strbuf_addstr(&sql, k ? ", " : "");
		if (fk->n > 1)
			strbuf_addch(&sql, '(');
		for (j = 0; j < fk->n; j++)
			key_placeholder(&sql, s, p->t->cols[fk->to[j]].type,
					j, fk->n > 1 && !k);
		if (fk->n > 1)
			strbuf_addch(&sql, ')');
	}
	strbuf_addch(&sql, ')');
	ret = db_prepare(s->src, sql.buf, out, err);
	strbuf_release(&sql);
	return ret;
}

/* Fetch the parents of the tuples in b into the parent's table. */
static int fetch_parents(struct slice *s, struct slice_fkey *fk,
			 struct key_batch *b, struct strbuf *err)
{
	struct db_stmt *st = NULL;
	int ret = 0;

	if (!b->tuples)
		return 0;
	if (b->tuples == fk->batch) {
		if (!fk->fetch)
			ret = prepare_fetch(s, fk, fk->batch, &fk->fetch, err);
		st = fk->fetch;
	} else {
		ret = prepare_fetch(s, fk, b->tuples, &st, err);
	}
	if (!ret)
		ret = db_bind(st, b->v, b->tuples * b->n, err);
	if (!ret)
		ret = take_rows(s, fk->parent, st, err);
	if (st != fk->fetch)
		db_finalize(st);
	batch_clear(b);
	return ret;
}

/* Follow one foreign key of the rows of table i with seq in (lo, hi]. */
static int follow(struct slice *s, struct slice_fkey *fk, int64_t lo,
		  int64_t hi, struct strbuf *err)
{
	struct db_value range[2] = { { .type = DB_INTEGER, .i = lo },
				     { .type = DB_INTEGER, .i = hi } };
	struct key_batch b = { NULL, fk->n, 0 };
	int ret;

	ret = db_bind(fk->keys, range, 2, err);
	if (!ret)
		ret = db_step(fk->keys, err);
	b.v = xcalloc((size_t)fk->batch * fk->n, sizeof(*b.v));
	while (!ret && (ret = db_step(fk->read, err)) > 0) {
		batch_add(&b, fk->read);
		ret = b.tuples == fk->batch ? fetch_parents(s, fk, &b, err) : 0;
	}
	if (!ret)
		ret = fetch_parents(s, fk, &b, err);
	batch_clear(&b);
	free(b.v);
	if (!ret)
		ret = db_exec(s->work, "DELETE FROM k", err);
	return ret;
}

/* One round: follow the keys of every row added since the last one. */
static int cascade_round(struct slice *s, int *added, struct strbuf *err)
{
	int i, f, ret;
	int64_t hi;

	*added = 0;
	for (i = 0; i < s->schema.ntables; i++) {
		struct slice_table *st = &s->tables[i];

		ret = max_seq(s, i, &hi, err);
		if (ret < 0)
			return ret;
		if (hi <= st->done)
			continue;
		*added = 1;
		for (f = 0; f < st->nfkeys; f++) {
			ret = follow(s, &st->fkeys[f], st->done, hi, err);
			if (ret < 0)
				return ret;
		}
		st->done = hi;
	}
	return 0;
}

static int count_rows(struct slice *s, struct strbuf *err)
{
	int i, ret = 0;
	int64_t n;

	for (i = 0; !ret && i < s->schema.ntables; i++) {
		ret = max_seq(s, i, &n, err);
		s->tables[i].rows = n;
	}
	return ret;
}

int slice_cascade(struct slice *s, struct strbuf *err)
{
	int added = 1, ret = 0;

	while (!ret && added)
		ret = cascade_round(s, &added, err);
	if (!ret)
		ret = count_rows(s, err);
	return ret;
}

uint64_t slice_rows(const struct slice *s, int i)
{
	return s->tables[i].rows;
}

uint64_t slice_total_rows(const struct slice *s)
{
	uint64_t n = 0;
	int i;

	for (i = 0; i < s->schema.ntables; i++)
		n += s->tables[i].rows;
	return n;
}

/* "table 't', row 12" or "table 't', row (1, 'x')", then the column. */
static void row_where(struct strbuf *sb, const struct slice_table *st,
		      struct db_stmt *row, int col)
{
	struct db_value v;
	int j;

	strbuf_reset(sb);
	strbuf_addf(sb, "table '%s', row ", st->t->name);
	if (st->has_rowid) {
		db_column_value(row, 1, &v);
		export_value_sql(sb, &v);
	} else {
		strbuf_addch(sb, '(');
		for (j = 0; j < st->t->nident; j++) {
			db_column_value(row, 2 + j, &v);
			strbuf_addstr(sb, j ? ", " : "");
			export_value_sql(sb, &v);
		}
		strbuf_addch(sb, ')');
	}
	strbuf_addf(sb, ", column '%s'", st->t->cols[col].name);
}

int slice_for_each_value(struct slice *s, int i, int col,
			 slice_value_fn *fn, void *payload,
			 struct strbuf *err)
{
	const struct slice_table *st = &s->tables[i];
	struct strbuf sql = STRBUF_INIT, where = STRBUF_INIT;
	struct db_stmt *row = NULL;
	struct db_value v;
	int j, ret;

	strbuf_addf(&sql, "SELECT c%d, r", col);
	for (j = 0; !st->has_rowid && j < st->t->nident; j++)
		strbuf_addf(&sql, ", c%d",
			    db_table_column(st->t, st->t->ident[j]));
	strbuf_addf(&sql, " FROM w%d ORDER BY seq", i);
	ret = db_prepare(s->work, sql.buf, &row, err);
	while (!ret && (ret = db_step(row, err)) > 0) {
		db_column_value(row, 0, &v);
		row_where(&where, st, row, col);
		ret = fn(&v, where.buf, payload);
	}
	db_finalize(row);
	strbuf_release(&sql);
	strbuf_release(&where);
	return ret;
}

int slice_read_rows(struct slice *s, int i, struct db_stmt **out,
		    struct strbuf *err)
{
	const struct slice_table *st = &s->tables[i];
	struct strbuf sql = STRBUF_INIT;
	int j, ret;

	strbuf_addstr(&sql, "SELECT r");
	for (j = 0; j < st->t->ncols; j++)
		strbuf_addf(&sql, ", c%d", j);
	strbuf_addf(&sql, " FROM w%d ORDER BY ", i);
	if (st->has_rowid)
		strbuf_addch(&sql, 'r');
	for (j = 0; !st->has_rowid && j < st->t->nident; j++)
		strbuf_addf(&sql, "%sc%d", j ? ", " : "",
			    db_table_column(st->t, st->t->ident[j]));
	ret = db_prepare(s->work, sql.buf, out, err);
	strbuf_release(&sql);
	return ret;
}
