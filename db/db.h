#ifndef DB_DB_H
#define DB_DB_H

#include "quire-compat.h"
#include "strbuf.h"

/*
 * A lab database, as the export and import commands see it: statements
 * with bound values that give rows of typed values, and the schema
 * (tables, columns, keys, foreign keys). SQLite is built in; another
 * engine (PostgreSQL, MySQL) is one more struct db_backend.
 *
 * Errors are negative QERR_* codes with the database's own message in err.
 */

enum db_type {
	DB_NULL,
	DB_INTEGER,
	DB_REAL,
	DB_TEXT,
	DB_BLOB,
};

/* A value; text and blob bytes belong to whoever made the value. */
struct db_value {
	enum db_type type;
	int64_t i;
	double r;
	const char *p;		/* text (UTF-8, not NUL-terminated) or bytes */
	size_t len;
};

struct db;
struct db_stmt;

enum db_open_flags {
	DB_READONLY = (1 << 0),
	DB_CREATE = (1 << 1),	/* make the database if it does not exist */
};

/*
 * Open a database named by url:
 *   a path to an SQLite file, or "sqlite:<path>";
 *   mysql://[user@]host[:port]/db, mariadb://..., or
 *     mysql:///db?socket=<path> (MySQL or MariaDB);
 *   postgresql://[user@]host[:port]/db, postgres://..., or libpq's
 *     "host=... dbname=..." form.
 * A password in url is refused: servers take it from ~/.my.cnf or
 * MYSQL_PWD, ~/.pgpass or PGPASSWORD, so it is never on a command line
 * nor in a message. schema is the namespace a PostgreSQL source is read
 * from (NULL: public); other engines refuse one.
 */
int db_open(const char *url, unsigned flags, struct db **out,
	    struct strbuf *err);
int db_open_schema(const char *url, const char *schema, unsigned flags,
		   struct db **out, struct strbuf *err);
void db_close(struct db *db);
/* The local file a url names (a pointer into it), or NULL if none. */
const char *db_file(const char *url);
/* The name it was opened with, for messages. */
const char *db_name(const struct db *db);
/* "sqlite", "mysql" or "postgresql". */
const char *db_engine(const struct db *db);
int db_is_sqlite(const struct db *db);
/* Is url a server's (a scheme or libpq's keyword form)? */
int db_url_is_server(const char *url);

/* Start a transaction that writes (SQLite: BEGIN IMMEDIATE). */
int db_begin_write(struct db *db, struct strbuf *err);

/* Statements that give no rows (DDL, BEGIN, COMMIT, ...). */
int db_exec(struct db *db, const char *sql, struct strbuf *err);

int db_prepare(struct db *db, const char *sql, struct db_stmt **out,
	       struct strbuf *err);
/* Bind values to the ?s in order; the statement starts over. */
int db_bind(struct db_stmt *st, const struct db_value *v, int n,
	    struct strbuf *err);
/* 1 with a row, 0 at the end (the statement can then be bound again). */
int db_step(struct db_stmt *st, struct strbuf *err);
int db_columns(struct db_stmt *st);
const char *db_column_name(struct db_stmt *st, int i);
/*
 * The type of a result column in the engine's own words: SQLite's
 * declared type, MySQL's "decimal(10,2)", PostgreSQL's "numeric(10,2)"
 * ("" when none).
 */
const char *db_column_type(struct db_stmt *st, int i);
/* Column i of the current row; valid until the next step. */
void db_column_value(struct db_stmt *st, int i, struct db_value *v);
void db_finalize(struct db_stmt *st);

/*
 * Make table with n columns names[] of types[] ("" for none), and
 * prepare *ins, an INSERT of one row of them into it.
 */
int db_create_table(struct db *db, const char *table, int n,
		    const char **names, const char **types,
		    struct db_stmt **ins, struct strbuf *err);
/*
 * The type for db of a column whose type is type in engine from (its
 * name: "sqlite", "mysql", "postgresql"): the same in the same engine,
 * else through SQLite's (see the engines' sqlite_type).
 */
const char *db_type_of(const struct db *db, const char *from,
		       const char *type);
/* The SQLite type values of engine's type are kept as. */
const char *db_sqlite_type(const char *engine, const char *type);

/* "name" with inner quotes doubled, as an identifier in SQLite. */
void db_quote_ident(struct strbuf *sb, const char *name);
/* name as an identifier in db's engine ("name", or `name` in MySQL). */
void db_quote(const struct db *db, struct strbuf *sb, const char *name);
/* v as a literal of db's engine. */
void db_literal(const struct db *db, struct strbuf *sb,
		const struct db_value *v);
/* What a dump for db's engine starts and ends with (NULL: SQLite). */
const char *db_dump_head(const struct db *db);
const char *db_dump_tail(const struct db *db);
/* How db's engine takes a list of key tuples (see db_backend). */
enum db_rows_in {
	DB_ROWS_LIST,
	DB_ROWS_VALUES,
	DB_ROWS_VALUES_TYPED,
};
int db_row_in_values(const struct db *db);

/* The schema. */
struct db_column {
	char *name;
	char *type;		/* as declared, "" when none */
	int notnull;
	int pk;			/* position in the primary key from 1, or 0 */
};

/* A foreign key: child columns from[] name parent columns to[]. */
struct db_fkey {
	char *parent;
	int n;
	char **from, **to;
};

struct db_table {
	char *name;
	/*
	 * The engine's own CREATE TABLE (MySQL's SHOW CREATE TABLE), or
	 * NULL.
	 */
	char *create_sql;
	int ncols;
	struct db_column *cols;
	int nfkeys;
	struct db_fkey *fkeys;
	/*
	 * The columns that tell rows apart: the primary key, or for SQLite
	 * tables with a rowid, "rowid" (nident == 1, ident[0] == NULL); a
	 * server's table without a primary key: all its columns.
	 */
	int nident;
	const char **ident;
};

struct db_schema {
	int ntables;
	struct db_table *tables;
	/* Types and sequences the tables use, made before them. */
	int npre;
	char **pre_sql;
	/*
	 * Made after the rows: SQLite's indexes, views and triggers;
	 * PostgreSQL's foreign keys, indexes and sequence positions.
	 */
	int nextra;
	char **extra_sql;
};

int db_schema_read(struct db *db, struct db_schema *s, struct strbuf *err);
void db_schema_release(struct db_schema *s);
/* Table by name (case-insensitively, as SQL does), or NULL. */
struct db_table *db_schema_table(const struct db_schema *s,
				 const char *name);
/* Column index in t, or -1. */
int db_table_column(const struct db_table *t, const char *name);

#endif
