#include "db/postgres-internal.h"
#include "error.h"
#include "json.h"
#include "wrapper.h"
#include <ctype.h>

/*
 * The PostgreSQL engine behind db.h, over libpq: the connection, its
 * settings, and how values and types are written in PostgreSQL's words.
 */

/* What every session runs first, so values read and write one way. */
static const char session_sql[] =
	"SET client_encoding = 'UTF8'; SET DateStyle = 'ISO'; "
	"SET TimeZone = 'UTC'; SET IntervalStyle = 'postgres'; "
	"SET bytea_output = 'hex'; SET extra_float_digits = 3; "
	"SET standard_conforming_strings = on; "
	"SET cursor_tuple_fraction = 1";

int pg_error(PGconn *conn, const PGresult *res, struct strbuf *err)
{
	const char *primary = NULL, *detail = NULL, *hint = NULL;
	size_t start = err->len;

	if (res) {
		primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
		detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
		hint = PQresultErrorField(res, PG_DIAG_MESSAGE_HINT);
	}
	if (primary) {
		strbuf_addstr(err, primary);
		if (detail)
			strbuf_addf(err, " (%s)", detail);
		if (hint)
			strbuf_addf(err, "; %s", hint);
	} else if (res && *PQresultErrorMessage(res)) {
		strbuf_addstr(err, PQresultErrorMessage(res));
	} else {
		strbuf_addstr(err, PQerrorMessage(conn));
	}
	strbuf_rtrim(err);
	if (err->len == start)
		strbuf_addstr(err, "the server gave no answer");
	return QERR_GENERIC;
}

int pg_flush(struct pg_db *db, struct strbuf *err)
{
	PGconn *conn = db->conn;
	PGresult *res;
	int ret = 0, nulls = 0;

	if (!db->pipelined)
		return 0;
	db->pipelined = 0;
	if (!PQpipelineSync(conn)) {
		ret = pg_error(conn, NULL, err);
		PQexitPipelineMode(conn);
		return ret;
	}
	/* a NULL ends each INSERT's results; two: nothing is coming */
	for (;;) {
		res = PQgetResult(conn);
		if (!res) {
			if (++nulls == 2 || PQstatus(conn) == CONNECTION_BAD)
				break;
			continue;
		}
		nulls = 0;
		if (PQresultStatus(res) == PGRES_PIPELINE_SYNC) {
			PQclear(res);
			break;
		}
		if (PQresultStatus(res) == PGRES_FATAL_ERROR && !ret)
			ret = pg_error(conn, res, err);
		PQclear(res);
	}
	if (!PQexitPipelineMode(conn) && !ret)
		ret = pg_error(conn, NULL, err);
	return ret;
}

PGresult *pg_query(struct pg_db *db, const char *sql, int n,
		   const char *const *params, struct strbuf *err)
{
	PGresult *res;
	ExecStatusType st;

	if (pg_flush(db, err))
		return NULL;
	res = PQexecParams(db->conn, sql, n, NULL, params, NULL, NULL, 0);
	st = PQresultStatus(res);
	if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK)
		return res;
	pg_error(db->conn, res, err);
	PQclear(res);
	return NULL;
}

void pg_quote(struct strbuf *sb, const char *name)
{
	strbuf_addch(sb, '"');
	for (; *name; name++) {
		if (*name == '"')
			strbuf_addch(sb, '"');
		strbuf_addch(sb, *name);
	}
	strbuf_addch(sb, '"');
}

static const char *cached_type(struct pg_db *db, Oid oid, int mod)
{
	int i;

	for (i = 0; i < db->ntypes; i++)
		if (db->types[i].oid == oid && db->types[i].mod == mod)
			return db->types[i].name;
	return NULL;
}

static void cache_type(struct pg_db *db, Oid oid, int mod, const char *name)
{
	struct pg_type_name *t;

	ALLOC_GROW(db->types, db->ntypes + 1, db->alloc_types);
	t = &db->types[db->ntypes++];
	t->oid = oid;
	t->mod = mod;
	t->name = xstrdup(name);
}

static const char type_names_sql[] =
	"SELECT o, m, pg_catalog.format_type(o, m) FROM ROWS FROM "
	"(pg_catalog.unnest($1::pg_catalog.oid[]), "
	"pg_catalog.unnest($2::pg_catalog.int4[])) AS x(o, m)";

/* Ask the server the names of the types not known yet, in one query. */
static int learn_types(struct pg_db *db, int n, const Oid *oids,
		       const int *mods, struct strbuf *err)
{
	struct strbuf o = STRBUF_INIT, m = STRBUF_INIT;
	const char *params[2];
	PGresult *res;
	int i, missing = 0;

	for (i = 0; i < n; i++) {
		if (cached_type(db, oids[i], mods[i]))
			continue;
		strbuf_addf(&o, "%s%u", missing ? "," : "{", oids[i]);
		strbuf_addf(&m, "%s%d", missing++ ? "," : "{", mods[i]);
	}
	if (!missing)
		return 0;
	strbuf_addch(&o, '}');
	strbuf_addch(&m, '}');
	params[0] = o.buf;
	params[1] = m.buf;
	res = pg_query(db, type_names_sql, 2, params, err);
	for (i = 0; res && i < PQntuples(res); i++) {
		Oid oid = strtoul(PQgetvalue(res, i, 0), NULL, 10);
		int mod = (int)strtol(PQgetvalue(res, i, 1), NULL, 10);

		if (!cached_type(db, oid, mod))
			cache_type(db, oid, mod, PQgetvalue(res, i, 2));
	}
	strbuf_release(&o);
	strbuf_release(&m);
	if (!res)
		return QERR_GENERIC;
	PQclear(res);
	return 0;
}

int pg_type_names(struct pg_db *db, int n, const Oid *oids, const int *mods,
		  const char **names, struct strbuf *err)
{
	int i, ret = learn_types(db, n, oids, mods, err);

	for (i = 0; i < n; i++) {
		names[i] = cached_type(db, oids[i], mods[i]);
		if (!names[i])
			names[i] = "";
	}
	return ret;
}

/* "password" as a keyword of the connection string, or a URI's userinfo. */
static int names_password(const char *where)
{
	const char *p = where, *scheme = strstr(where, "://");
	size_t auth;

	while ((p = strstr(p, "password"))) {
		int starts = p == where || isspace((unsigned char)p[-1]) ||
			     p[-1] == '?' || p[-1] == '&';

		p += strlen("password");
		while (isspace((unsigned char)*p))
			p++;
		if (starts && *p == '=')
			return 1;
	}
	if (!scheme)
		return 0;
	scheme += 3;
	auth = strcspn(scheme, "/?#");
	p = scheme + auth;
	while (p > scheme && p[-1] != '@')
		p--;
	return p > scheme && memchr(scheme, ':', p - scheme) != NULL;
}

/*
 * A password in the url is refused, without saying it; what libpq
 * cannot parse is refused with its message (which holds no password,
 * as there is none).
 */
static int check_url(const char *where, struct strbuf *err)
{
	PQconninfoOption *opts, *o;
	char *why = NULL;
	int ret = 0;

	if (names_password(where)) {
		strbuf_addstr(err, "the connection string holds a password: "
			      "put it in ~/.pgpass or PGPASSWORD instead");
		return QERR_USAGE;
	}
	opts = PQconninfoParse(where, &why);
	if (!opts) {
		strbuf_addf(err, "cannot read the connection string '%s': %s",
			    where, why ? why : "out of memory");
		strbuf_rtrim(err);
		PQfreemem(why);
		return QERR_USAGE;
	}
	for (o = opts; o->keyword; o++)
		if (!strcmp(o->keyword, "password") && o->val && *o->val) {
			strbuf_addstr(err, "the connection string holds a "
				      "password: put it in ~/.pgpass or "
				      "PGPASSWORD instead");
			ret = QERR_USAGE;
		}
	PQconninfoFree(opts);
	return ret;
}

/* An unknown host or database is QERR_NOTFOUND; libpq says which. */
static int connect_error(PGconn *conn, const char *where, struct strbuf *err)
{
	const char *msg = conn ? PQerrorMessage(conn) : "out of memory";
	int notfound = strstr(msg, "could not translate host name") ||
		       (strstr(msg, "database \"") &&
			strstr(msg, "\" does not exist"));

	strbuf_addf(err, "cannot connect to %s: ", where);
	/* libpq's lines (one a host it tried, a hint) on one line */
	for (; *msg; msg++) {
		if (*msg != '\n')
			strbuf_addch(err, *msg);
		else if (msg[1])
			strbuf_addstr(err, "; ");
		while (*msg == '\n' && isspace((unsigned char)msg[1]))
			msg++;
	}
	strbuf_rtrim(err);
	return notfound ? QERR_NOTFOUND : QERR_GENERIC;
}

/* "no schema 'x' in db; its schemas are: a, b" */
static int no_schema(struct pg_db *db, const char *schema, struct strbuf *err)
{
	PGresult *res = pg_query(db, "SELECT pg_catalog.string_agg("
				 "nspname, ', ' ORDER BY nspname COLLATE \"C\")"
				 " FROM pg_catalog.pg_namespace WHERE nspname "
				 "NOT LIKE 'pg\\_%' AND nspname <> "
				 "'information_schema'", 0, NULL, err);

	if (!res)
		return QERR_GENERIC;
	strbuf_addf(err, "no schema '%s' in database %s; its schemas are: %s",
		    schema, PQdb(db->conn),
		    PQgetisnull(res, 0, 0) ? "(none)" : PQgetvalue(res, 0, 0));
	PQclear(res);
	return QERR_NOTFOUND;
}

static int use_schema(struct pg_db *db, const char *schema, int given,
		      struct strbuf *err)
{
	struct strbuf sql = STRBUF_INIT;
	PGresult *res;
	int ret = 0;

	db->schema = xstrdup(schema);
	if (given) {
		res = pg_query(db, "SELECT 1 FROM pg_catalog.pg_namespace"
			       " WHERE nspname = $1", 1, &schema, err);
		if (!res)
			return QERR_GENERIC;
		if (!PQntuples(res))
			ret = no_schema(db, schema, err);
		PQclear(res);
		if (ret)
			return ret;
	}
	strbuf_addstr(&sql, "SET search_path = ");
	pg_quote(&sql, schema);
	res = pg_query(db, sql.buf, 0, NULL, err);
	strbuf_release(&sql);
	if (!res)
		return QERR_GENERIC;
	PQclear(res);
	return 0;
}

static int pg_exec(struct db *db, const char *sql, struct strbuf *err)
{
	PGconn *conn = pg_db_of(db)->conn;
	PGresult *res;
	ExecStatusType st;
	int ret = pg_flush(pg_db_of(db), err);

	if (ret)
		return ret;
	res = PQexec(conn, sql);
	st = PQresultStatus(res);
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
		ret = pg_error(conn, res, err);
	PQclear(res);
	return ret;
}

static void pg_close(struct db *db)
{
	struct pg_db *pg = pg_db_of(db);
	struct strbuf ignore = STRBUF_INIT;
	int i;

	if (!db)
		return;
	pg_flush(pg, &ignore);
	strbuf_release(&ignore);
	PQfinish(pg->conn);
	for (i = 0; i < pg->ntypes; i++)
		free(pg->types[i].name);
	free(pg->types);
	free(pg->schema);
	free(pg);
}

/* Settings, the schema, and for a reader its one snapshot. */
static int start_session(struct pg_db *db, const char *schema,
			 struct strbuf *err)
{
	int ret = pg_exec(&db->base, session_sql, err);

	if (!ret)
		ret = use_schema(db, schema ? schema : "public", !!schema,
				 err);
	/* the snapshot is taken by the first query: now, not later */
	if (!ret && db->readonly)
		ret = pg_exec(&db->base, "BEGIN ISOLATION LEVEL REPEATABLE "
			      "READ READ ONLY; SELECT 1", err);
	return ret;
}

static int pg_open(const char *where, const char *schema, unsigned flags,
		   struct db **out, struct strbuf *err)
{
	/* the connection string comes last: what it says wins */
	static const char *const keys[] = {
		"connect_timeout", "fallback_application_name", "dbname",
		NULL
	};
	const char *values[4] = { "30", "quire", where, NULL };
	struct strbuf why = STRBUF_INIT;
	struct pg_db *db;
	int ret;

	*out = NULL;
	ret = check_url(where, err);
	if (ret)
		return ret;
	db = xcalloc(1, sizeof(*db));
	db->base.be = &db_postgres_backend;
	db->readonly = !!(flags & DB_READONLY);
	db->conn = PQconnectdbParams(keys, values, 1);
	if (PQstatus(db->conn) != CONNECTION_OK)
		ret = connect_error(db->conn, where, err);
	else if ((ret = start_session(db, schema, &why)) == QERR_NOTFOUND)
		strbuf_addbuf(err, &why);
	else if (ret)
		strbuf_addf(err, "cannot start a session on %s: %s", where,
			    why.buf);
	strbuf_release(&why);
	if (ret) {
		pg_close(&db->base);
		return ret;
	}
	*out = &db->base;
	return 0;
}

static const char *pg_sqlite_type(const char *type)
{
	static const char *const integers[] = {
		"smallint", "integer", "bigint", "boolean", "int", "int2",
		"int4", "int8", "bool", "oid", "smallserial", "serial",
		"bigserial", "serial2", "serial4", "serial8", NULL
	};
	static const char *const reals[] = {
		"real", "double precision", "float", "float4", "float8", NULL
	};
	size_t len;
	int i;

	if (!strncasecmp(type, "pg_catalog.", 11))
		type += 11;
	if (strchr(type, '['))
		return "TEXT";	/* an array, written as PostgreSQL does */
	len = strcspn(type, "(");
	while (len && type[len - 1] == ' ')
		len--;
	for (i = 0; integers[i]; i++)
		if (strlen(integers[i]) == len &&
		    !strncasecmp(type, integers[i], len))
			return "INTEGER";
	for (i = 0; reals[i]; i++)
		if (strlen(reals[i]) == len &&
		    !strncasecmp(type, reals[i], len))
			return "REAL";
	if (len == 5 && !strncasecmp(type, "bytea", 5))
		return "BLOB";
	return "TEXT";
}

static const char *pg_type_for(const char *sqlite_type)
{
	const char *affinity = db_sqlite_affinity(sqlite_type);

	if (!strcmp(affinity, "INTEGER"))
		return "bigint";
	if (!strcmp(affinity, "REAL"))
		return "double precision";
	if (!strcmp(affinity, "BLOB"))
		return "bytea";
	return "text";
}


/*
 * Every value but NULL is a quoted literal, whose type the server takes
 * from where it goes: '5' is a number in an integer column and text in
 * a text one. Text cannot hold a NUL in PostgreSQL: text with one is
 * written so that the server refuses it, naming the byte.
 */
static void pg_literal(struct strbuf *sb, const struct db_value *v)
{
	struct strbuf num = STRBUF_INIT;

	switch (v->type) {
	case DB_NULL:
		strbuf_addstr(sb, "NULL");
		return;
	case DB_INTEGER:
		strbuf_addf(sb, "'%" PRId64 "'", v->i);
		return;
	case DB_REAL:
		json_format_double(&num, v->r);
		db_add_quoted(sb, num.buf, num.len);
		strbuf_release(&num);
		return;
	case DB_TEXT:
		if (!memchr(v->p, '\0', v->len)) {
			db_add_quoted(sb, v->p, v->len);
			return;
		}
		strbuf_addstr(sb, "pg_catalog.convert_from('\\x");
		strbuf_add_hex(sb, (const unsigned char *)v->p, v->len);
		strbuf_addstr(sb, "'::pg_catalog.bytea, 'UTF8')");
		return;
	case DB_BLOB:
		strbuf_addstr(sb, "'\\x");
		strbuf_add_hex(sb, (const unsigned char *)v->p, v->len);
		strbuf_addch(sb, '\'');
		return;
	}
	BUG("bad value type %d", v->type);
}

const struct db_backend db_postgres_backend = {
	.name = "postgresql",
	.quote = '"',
	.row_in_values = DB_ROWS_VALUES_TYPED,
	.begin_write = "BEGIN",
	.dump_head = "SET client_encoding = 'UTF8';\n"
		     "SET standard_conforming_strings = on;\n"
		     "SET check_function_bodies = false;\n"
		     "SET client_min_messages = warning;\n"
		     "BEGIN;\n",
	.dump_tail = "COMMIT;\n",
	.open = pg_open,
	.close = pg_close,
	.exec = pg_exec,
	.prepare = pg_prepare,
	.bind = pg_bind,
	.step = pg_step,
	.columns = pg_columns,
	.column_name = pg_column_name,
	.column_type = pg_column_type,
	.column_value = pg_column_value,
	.finalize = pg_finalize,
	.schema_read = pg_schema_read,
	.sqlite_type = pg_sqlite_type,
	.type_for = pg_type_for,
	.literal = pg_literal,
};
