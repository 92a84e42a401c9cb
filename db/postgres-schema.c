#include "db/postgres-internal.h"
#include "error.h"
#include "string-list.h"
#include "wrapper.h"

/*
 * A PostgreSQL schema read from the catalogs: the namespace's ordinary
 * and partitioned tables (not partitions, whose rows their parent
 * gives), their columns, keys and foreign keys, and the SQL that makes
 * them again in an empty database, written with PostgreSQL's own
 * functions (format_type, pg_get_expr, pg_get_constraintdef,
 * pg_get_indexdef) under the search_path of the namespace, so that
 * names in it are not qualified. Needs PostgreSQL 12 or later.
 */

#define FROM_TABLES \
	"pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON " \
	"n.oid = c.relnamespace"
#define WHERE_TABLES \
	"n.nspname = $1 AND c.relkind IN ('r', 'p') AND " \
	"NOT c.relispartition"
#define BY_TABLE "c.relname COLLATE \"C\""

static const char tables_sql[] =
	"SELECT c.oid, c.relname FROM " FROM_TABLES " WHERE " WHERE_TABLES
	" ORDER BY " BY_TABLE;

/*
 * Columns: name, type, NOT NULL, place in the primary key, default,
 * identity, a collation other than the type's, and for an identity
 * column the last value of its sequence.
 */
static const char columns_sql[] =
	"SELECT a.attrelid, a.attname, "
	"pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull, "
	"coalesce(pg_catalog.array_position(k.conkey, a.attnum), 0), "
	"CASE WHEN a.attgenerated = '' THEN "
	"pg_catalog.pg_get_expr(d.adbin, d.adrelid) END, a.attidentity, "
	"CASE WHEN a.attcollation <> t.typcollation THEN co.collname END, "
	"CASE WHEN a.attidentity <> '' THEN (SELECT ps.last_value FROM "
	"pg_catalog.pg_sequences ps WHERE pg_catalog.format('%I.%I', "
	"ps.schemaname, ps.sequencename) = "
	"pg_catalog.pg_get_serial_sequence(pg_catalog.format('%I.%I', "
	"n.nspname, c.relname), a.attname)) END "
	"FROM pg_catalog.pg_attribute a JOIN " FROM_TABLES
	" ON c.oid = a.attrelid "
	"JOIN pg_catalog.pg_type t ON t.oid = a.atttypid "
	"LEFT JOIN pg_catalog.pg_constraint k ON k.conrelid = c.oid AND "
	"k.contype = 'p' "
	"LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND "
	"d.adnum = a.attnum "
	"LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation "
	"WHERE " WHERE_TABLES " AND a.attnum > 0 AND NOT a.attisdropped "
	"ORDER BY " BY_TABLE ", a.attnum";

/* Primary keys, unique, exclusion and check constraints. */
static const char constraints_sql[] =
	"SELECT k.conrelid, k.conname, k.contype, "
	"pg_catalog.pg_get_constraintdef(k.oid) "
	"FROM pg_catalog.pg_constraint k JOIN " FROM_TABLES
	" ON c.oid = k.conrelid "
	"WHERE " WHERE_TABLES " AND k.contype IN ('p', 'u', 'x', 'c') "
	"ORDER BY " BY_TABLE ", k.contype = 'p' DESC, k.conname COLLATE \"C\"";

/* Foreign keys to tables of the namespace, a row per column pair. */
static const char fkeys_sql[] =
	"SELECT k.conrelid, k.oid, k.conname, p.relname, ca.attname, "
	"pa.attname, pg_catalog.pg_get_constraintdef(k.oid) "
	"FROM pg_catalog.pg_constraint k JOIN " FROM_TABLES
	" ON c.oid = k.conrelid "
	"JOIN pg_catalog.pg_class p ON p.oid = k.confrelid "
	"CROSS JOIN LATERAL ROWS FROM (pg_catalog.unnest(k.conkey), "
	"pg_catalog.unnest(k.confkey)) WITH ORDINALITY AS u(ck, pk, ord) "
	"JOIN pg_catalog.pg_attribute ca ON ca.attrelid = k.conrelid AND "
	"ca.attnum = u.ck "
	"JOIN pg_catalog.pg_attribute pa ON pa.attrelid = k.confrelid AND "
	"pa.attnum = u.pk "
	"WHERE " WHERE_TABLES " AND k.contype = 'f' AND k.conparentid = 0 "
	"AND p.relnamespace = n.oid "
	"ORDER BY " BY_TABLE ", k.conname COLLATE \"C\", k.oid, u.ord";

/* Enum types the columns have, or have arrays of. */
static const char enums_sql[] =
	"WITH used AS (SELECT DISTINCT CASE WHEN ty.typcategory = 'A' "
	"THEN ty.typelem ELSE ty.oid END AS oid "
	"FROM pg_catalog.pg_attribute a JOIN " FROM_TABLES
	" ON c.oid = a.attrelid "
	"JOIN pg_catalog.pg_type ty ON ty.oid = a.atttypid "
	"WHERE " WHERE_TABLES " AND a.attnum > 0 AND NOT a.attisdropped) "
	"SELECT t.typname, pg_catalog.string_agg("
	"pg_catalog.quote_literal(e.enumlabel), ', ' ORDER BY "
	"e.enumsortorder) "
	"FROM used JOIN pg_catalog.pg_type t ON t.oid = used.oid "
	"JOIN pg_catalog.pg_enum e ON e.enumtypid = t.oid "
	"GROUP BY t.oid, t.typname ORDER BY t.typname COLLATE \"C\"";

/* Sequences of the namespace that the columns' defaults take from. */
static const char sequences_sql[] =
	"SELECT DISTINCT s.relname COLLATE \"C\", "
	"pg_catalog.format_type(q.seqtypid, NULL), q.seqincrement, "
	"q.seqmin, q.seqmax, q.seqstart, q.seqcycle, ps.last_value "
	"FROM pg_catalog.pg_attrdef d JOIN " FROM_TABLES
	" ON c.oid = d.adrelid "
	"JOIN pg_catalog.pg_depend dep ON dep.classid = "
	"'pg_catalog.pg_attrdef'::pg_catalog.regclass AND dep.objid = d.oid "
	"AND dep.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass "
	"JOIN pg_catalog.pg_class s ON s.oid = dep.refobjid AND "
	"s.relkind = 'S' AND s.relnamespace = n.oid "
	"JOIN pg_catalog.pg_sequence q ON q.seqrelid = s.oid "
	"LEFT JOIN pg_catalog.pg_sequences ps ON ps.schemaname = n.nspname "
	"AND ps.sequencename = s.relname "
	"WHERE " WHERE_TABLES " ORDER BY 1";

/* Indexes that no constraint made, and the namespace as it is quoted. */
static const char indexes_sql[] =
	"SELECT pg_catalog.pg_get_indexdef(i.indexrelid), "
	"pg_catalog.quote_ident(n.nspname) "
	"FROM pg_catalog.pg_index i JOIN " FROM_TABLES
	" ON c.oid = i.indrelid "
	"JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid "
	"WHERE " WHERE_TABLES " AND NOT EXISTS (SELECT 1 FROM "
	"pg_catalog.pg_constraint k WHERE k.conindid = i.indexrelid AND "
	"k.conrelid = i.indrelid AND k.contype IN ('p', 'u', 'x')) "
	"ORDER BY " BY_TABLE ", ic.relname COLLATE \"C\"";

struct reader {
	struct pg_db *db;
	struct db_schema *s;
	Oid *oids;		/* of s->tables[i] */
	struct strbuf *body;	/* its columns and constraints, as SQL */
	int at;			/* the table found last */
	struct string_list pre, checks, fkeys, indexes, setvals;
	Oid fkey;		/* the foreign key being read */
	int fkey_skipped;
};

typedef void row_fn(struct reader *r, const PGresult *res, int row);

static int each_row(struct reader *r, const char *sql, row_fn *fn,
		    struct strbuf *err)
{
	const char *schema = r->db->schema;
	PGresult *res = pg_query(r->db, sql, 1, &schema, err);
	int i;

	if (!res)
		return QERR_GENERIC;
	for (i = 0; i < PQntuples(res); i++)
		fn(r, res, i);
	PQclear(res);
	return 0;
}

static const char *val(const PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) ? NULL : PQgetvalue(res, row, col);
}

static Oid oid_val(const PGresult *res, int row, int col)
{
	return strtoul(PQgetvalue(res, row, col), NULL, 10);
}

/* s as a string literal: 's', quotes doubled. */
static void add_literal(struct strbuf *sb, const char *s)
{
	db_add_quoted(sb, s, strlen(s));
}

/* The table of oid, or NULL; rows come in the tables' order. */
static struct db_table *table_of(struct reader *r, Oid oid)
{
	int i, n = r->s->ntables;

	for (i = 0; i < n; i++) {
		int at = (r->at + i) % n;

		if (r->oids[at] == oid) {
			r->at = at;
			return &r->s->tables[at];
		}
	}
	return NULL;
}

static void add_table(struct reader *r, const PGresult *res, int row)
{
	struct db_schema *s = r->s;
	int alloc = s->ntables;

	ALLOC_GROW(s->tables, s->ntables + 1, alloc);
	memset(&s->tables[s->ntables], 0, sizeof(*s->tables));
	s->tables[s->ntables].name = xstrdup(PQgetvalue(res, row, 1));
	r->oids = xrealloc(r->oids, (s->ntables + 1) * sizeof(*r->oids));
	r->oids[s->ntables] = oid_val(res, row, 0);
	s->ntables++;
}

/* An identity column's sequence goes on from where the source's was. */
static void identity_setval(struct reader *r, const char *table,
			    const char *column, const char *last)
{
	struct strbuf sql = STRBUF_INIT, name = STRBUF_INIT;

	pg_quote(&name, table);
	strbuf_addstr(&sql, "SELECT pg_catalog.setval("
		      "pg_catalog.pg_get_serial_sequence(");
	add_literal(&sql, name.buf);
	strbuf_addstr(&sql, ", ");
	add_literal(&sql, column);
	strbuf_addf(&sql, "), %s, true)", last);
	string_list_append(&r->setvals, sql.buf);
	strbuf_release(&sql);
	strbuf_release(&name);
}

/*
 * The column as CREATE TABLE makes it. An identity column is GENERATED
 * BY DEFAULT, which takes the values a dump gives; a generated column
 * is a plain one holding the values it had.
 */
static void column_clause(struct reader *r, struct db_table *t,
			  const PGresult *res, int row)
{
	struct strbuf *sb = &r->body[r->at];
	const char *def = val(res, row, 5), *identity = val(res, row, 6);
	const char *coll = val(res, row, 7), *last = val(res, row, 8);
	int is_identity = identity && *identity;

	strbuf_addstr(sb, sb->len ? ",\n\t" : "\t");
	pg_quote(sb, PQgetvalue(res, row, 1));
	strbuf_addf(sb, " %s", PQgetvalue(res, row, 2));
	if (coll) {
		strbuf_addstr(sb, " COLLATE ");
		pg_quote(sb, coll);
	}
	if (is_identity)
		strbuf_addstr(sb, " GENERATED BY DEFAULT AS IDENTITY");
	else if (def)
		strbuf_addf(sb, " DEFAULT %s", def);
	if (*PQgetvalue(res, row, 3) == 't')
		strbuf_addstr(sb, " NOT NULL");
	if (is_identity && last)
		identity_setval(r, t->name, PQgetvalue(res, row, 1), last);
}

static void add_column(struct reader *r, const PGresult *res, int row)
{
	struct db_table *t = table_of(r, oid_val(res, row, 0));
	struct db_column *c;
	int alloc;

	if (!t)
		return;
	alloc = t->ncols;
	ALLOC_GROW(t->cols, t->ncols + 1, alloc);
	c = &t->cols[t->ncols++];
	c->name = xstrdup(PQgetvalue(res, row, 1));
	c->type = xstrdup(PQgetvalue(res, row, 2));
	c->notnull = *PQgetvalue(res, row, 3) == 't';
	c->pk = (int)strtol(PQgetvalue(res, row, 4), NULL, 10);
	column_clause(r, t, res, row);
}

/* "ALTER TABLE "t" ADD CONSTRAINT "name" <def>" */
static void add_alter(struct string_list *to, const char *table,
		      const char *name, const char *def)
{
	struct strbuf sql = STRBUF_INIT;

	strbuf_addstr(&sql, "ALTER TABLE ");
	pg_quote(&sql, table);
	strbuf_addstr(&sql, " ADD CONSTRAINT ");
	pg_quote(&sql, name);
	strbuf_addf(&sql, " %s", def);
	string_list_append(to, sql.buf);
	strbuf_release(&sql);
}

static void add_constraint(struct reader *r, const PGresult *res, int row)
{
	struct db_table *t = table_of(r, oid_val(res, row, 0));
	const char *name = PQgetvalue(res, row, 1);
	const char *def = PQgetvalue(res, row, 3);
	struct strbuf *sb;

	if (!t)
		return;
	if (*PQgetvalue(res, row, 2) == 'c') {
		add_alter(&r->checks, t->name, name, def);
		return;
	}
	sb = &r->body[r->at];
	strbuf_addstr(sb, ",\n\tCONSTRAINT ");
	pg_quote(sb, name);
	strbuf_addf(sb, " %s", def);
}

static void add_fkey(struct reader *r, const PGresult *res, int row)
{
	struct db_table *t = table_of(r, oid_val(res, row, 0));
	Oid key = oid_val(res, row, 1);
	struct db_fkey *fk;
	int alloc;

	if (!t)
		return;
	if (key != r->fkey) {
		r->fkey = key;
		alloc = t->nfkeys;
		ALLOC_GROW(t->fkeys, t->nfkeys + 1, alloc);
		fk = &t->fkeys[t->nfkeys++];
		memset(fk, 0, sizeof(*fk));
		fk->parent = xstrdup(PQgetvalue(res, row, 3));
		add_alter(&r->fkeys, t->name, PQgetvalue(res, row, 2),
			  PQgetvalue(res, row, 6));
	}
	fk = &t->fkeys[t->nfkeys - 1];
	fk->from = xrealloc(fk->from, (fk->n + 1) * sizeof(*fk->from));
	fk->to = xrealloc(fk->to, (fk->n + 1) * sizeof(*fk->to));
	fk->from[fk->n] = xstrdup(PQgetvalue(res, row, 4));
	fk->to[fk->n] = xstrdup(PQgetvalue(res, row, 5));
	fk->n++;
}

static void add_enum(struct reader *r, const PGresult *res, int row)
{
	struct strbuf sql = STRBUF_INIT;

	strbuf_addstr(&sql, "CREATE TYPE ");
	pg_quote(&sql, PQgetvalue(res, row, 0));
	strbuf_addf(&sql, " AS ENUM (%s)", PQgetvalue(res, row, 1));
	string_list_append(&r->pre, sql.buf);
	strbuf_release(&sql);
}

static void add_sequence(struct reader *r, const PGresult *res, int row)
{
	struct strbuf sql = STRBUF_INIT, name = STRBUF_INIT;
	const char *last = val(res, row, 7);

	pg_quote(&name, PQgetvalue(res, row, 0));
	strbuf_addf(&sql, "CREATE SEQUENCE IF NOT EXISTS %s AS %s "
		    "INCREMENT BY %s MINVALUE %s MAXVALUE %s START WITH %s%s",
		    name.buf, PQgetvalue(res, row, 1), PQgetvalue(res, row, 2),
		    PQgetvalue(res, row, 3), PQgetvalue(res, row, 4),
		    PQgetvalue(res, row, 5),
		    *PQgetvalue(res, row, 6) == 't' ? " CYCLE" : "");
	string_list_append(&r->pre, sql.buf);
	if (last) {
		strbuf_reset(&sql);
		strbuf_addstr(&sql, "SELECT pg_catalog.setval(");
		add_literal(&sql, name.buf);
		strbuf_addf(&sql, ", %s, true)", last);
		string_list_append(&r->setvals, sql.buf);
	}
	strbuf_release(&sql);
	strbuf_release(&name);
}

/*
 * pg_get_indexdef() names the table with its namespace ("ON lab.t",
 * "ON ONLY lab.t" for a partitioned one): the dump names none, and makes
 * a partitioned table as a plain one.
 */
static void add_index(struct reader *r, const PGresult *res, int row)
{
	const char *def = PQgetvalue(res, row, 0);
	const char *schema = PQgetvalue(res, row, 1);
	const char *on = strstr(def, " ON ");
	struct strbuf sql = STRBUF_INIT;
	const char *rest;

	if (!on) {
		string_list_append(&r->indexes, def);
		return;
	}
	rest = on + 4;
	if (!strncmp(rest, "ONLY ", 5))
		rest += 5;
	if (!strncmp(rest, schema, strlen(schema)) &&
	    rest[strlen(schema)] == '.')
		rest += strlen(schema) + 1;
	strbuf_add(&sql, def, on + 4 - def);
	strbuf_addstr(&sql, rest);
	string_list_append(&r->indexes, sql.buf);
	strbuf_release(&sql);
}

/* Foreign keys to a table that is not read (a partition) are dropped. */
static void drop_outside_fkeys(struct db_schema *s, struct db_table *t)
{
	int i, j, kept = 0;

	for (i = 0; i < t->nfkeys; i++) {
		struct db_fkey *fk = &t->fkeys[i];

		if (db_schema_table(s, fk->parent)) {
			t->fkeys[kept++] = *fk;
			continue;
		}
		for (j = 0; j < fk->n; j++) {
			free(fk->from[j]);
			free(fk->to[j]);
		}
		free(fk->from);
		free(fk->to);
		free(fk->parent);
	}
	t->nfkeys = kept;
}

static void finish_tables(struct reader *r)
{
	struct db_schema *s = r->s;
	struct strbuf sql = STRBUF_INIT;
	int i;

	for (i = 0; i < s->ntables; i++) {
		struct db_table *t = &s->tables[i];

		strbuf_reset(&sql);
		strbuf_addstr(&sql, "CREATE TABLE ");
		pg_quote(&sql, t->name);
		strbuf_addf(&sql, " (\n%s\n)", r->body[i].buf);
		t->create_sql = xstrdup(sql.buf);
		db_table_ident_from_pk(t);
		drop_outside_fkeys(s, t);
	}
	strbuf_release(&sql);
}

/* Move the strings of from to the end of *to (which has *n). */
static void take(char ***to, int *n, struct string_list *from)
{
	size_t i;

	if (!from->nr)
		return;
	*to = xrealloc(*to, (*n + from->nr + 1) * sizeof(**to));
	for (i = 0; i < from->nr; i++)
		(*to)[(*n)++] = from->items[i];
	from->nr = 0;
	string_list_clear(from);
}

static void reader_release(struct reader *r)
{
	int i;

	for (i = 0; r->body && i < r->s->ntables; i++)
		strbuf_release(&r->body[i]);
	free(r->body);
	free(r->oids);
	string_list_clear(&r->pre);
	string_list_clear(&r->checks);
	string_list_clear(&r->fkeys);
	string_list_clear(&r->indexes);
	string_list_clear(&r->setvals);
}

static int read_all(struct reader *r, struct strbuf *err)
{
	int i, ret = each_row(r, tables_sql, add_table, err);

	if (ret)
		return ret;
	r->body = xcalloc(r->s->ntables + 1, sizeof(*r->body));
	for (i = 0; i < r->s->ntables; i++)
		strbuf_init(&r->body[i], 0);
	ret = each_row(r, columns_sql, add_column, err);
	if (!ret)
		ret = each_row(r, constraints_sql, add_constraint, err);
	if (!ret)
		ret = each_row(r, fkeys_sql, add_fkey, err);
	if (!ret)
		ret = each_row(r, enums_sql, add_enum, err);
	if (!ret)
		ret = each_row(r, sequences_sql, add_sequence, err);
	if (!ret)
		ret = each_row(r, indexes_sql, add_index, err);
	return ret;
}

int pg_schema_read(struct db *db, struct db_schema *s, struct strbuf *err)
{
	struct reader r;
	int ret;

	memset(&r, 0, sizeof(r));
	r.db = pg_db_of(db);
	r.s = s;
	ret = read_all(&r, err);
	if (!ret) {
		finish_tables(&r);
		take(&s->pre_sql, &s->npre, &r.pre);
		take(&s->extra_sql, &s->nextra, &r.checks);
		take(&s->extra_sql, &s->nextra, &r.fkeys);
		take(&s->extra_sql, &s->nextra, &r.indexes);
		take(&s->extra_sql, &s->nextra, &r.setvals);
	}
	reader_release(&r);
	if (ret)
		db_schema_release(s);
	return ret;
}
