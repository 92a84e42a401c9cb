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
 * Open a database named by url: a path to an SQLite file (or
 * "sqlite:<path>"). Other schemes are refused, naming what is supported.
 */
int db_open(const char *url, unsigned flags, struct db **out,
	    struct strbuf *err);
void db_close(struct db *db);
/* The local file a url names (a pointer into it), or NULL if none. */
const char *db_file(const char *url);
/* The name it was opened with, for messages. */
const char *db_name(const struct db *db);

/* Statements that give no rows (DDL, BEGIN, COMMIT, ...). */
int db_exec(struct db *db, const char *sql, struct strbuf *err);

int db_prepare(struct db *db, const char *sql, struct db_stmt **out,
	       struct strbuf *err);
/* Bind values to ?1..?n; the statement starts over. */
int db_bind(struct db_stmt *st, const struct db_value *v, int n,
	    struct strbuf *err);
/* 1 with a row, 0 at the end (the statement can then be bound again). */
int db_step(struct db_stmt *st, struct strbuf *err);
int db_columns(struct db_stmt *st);
const char *db_column_name(struct db_stmt *st, int i);
/* The declared type of a result column from a table ("" when none). */
const char *db_column_type(struct db_stmt *st, int i);
/* Column i of the current row; valid until the next step. */
void db_column_value(struct db_stmt *st, int i, struct db_value *v);
void db_finalize(struct db_stmt *st);

/*
 * Make table with the result columns of rows (their names and declared
 * types), and prepare *ins, an INSERT of one row of them into it.
 */
int db_create_like(struct db *db, const char *table, struct db_stmt *rows,
		   struct db_stmt **ins, struct strbuf *err);

/* "name" with inner quotes doubled, as an identifier in SQL. */
void db_quote_ident(struct strbuf *sb, const char *name);

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
	char *create_sql;	/* the engine's own statement, or NULL */
	int ncols;
	struct db_column *cols;
	int nfkeys;
	struct db_fkey *fkeys;
	/*
	 * The columns that tell rows apart: the primary key, or for SQLite
	 * tables with a rowid, "rowid" (nident == 1, ident[0] == NULL).
	 */
	int nident;
	const char **ident;
};

struct db_schema {
	int ntables;
	struct db_table *tables;
	/* Indexes, views and triggers, to be made after the rows. */
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
