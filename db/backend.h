#ifndef DB_BACKEND_H
#define DB_BACKEND_H

#include "db/db.h"

/*
 * What an engine provides behind db.h. Each struct db and db_stmt starts
 * with the common part below; the engine keeps its own state after it.
 *
 * Statements use '?' for bound values, in order (SQLite also takes
 * ?N). An engine that has no such placeholders puts each bound value in
 * as a literal (db_value_literal()) where a '?' stands outside quotes
 * and comments; a statement never bound is sent as it is written.
 */
struct db_backend {
	const char *name;	/* "sqlite", "mysql", "postgresql" */
	char quote;		/* around identifiers: '"' or '`' */
	/*
	 * Key tuples as "(a, b) IN ((?, ?), ...)" (DB_ROWS_LIST), "(a, b)
	 * IN (VALUES (?, ?), ...)" (DB_ROWS_VALUES), or the same with the
	 * first row's values cast to the columns' types
	 * (DB_ROWS_VALUES_TYPED), for an engine that types a VALUES list
	 * by its first row.
	 */
	int row_in_values;
	/* Starts a transaction that will write. */
	const char *begin_write;
	/*
	 * A dump the engine loads (slice.sql) starts and ends with these;
	 * NULL for SQLite, whose dump is made from slice.sqlite.
	 */
	const char *dump_head, *dump_tail;

	/*
	 * where is what the user gave (the url); schema the namespace to
	 * read (PostgreSQL's --schema), NULL for the default. DB_READONLY
	 * opens a read-only transaction on one consistent snapshot, which
	 * lasts until close.
	 */
	int (*open)(const char *where, const char *schema, unsigned flags,
		    struct db **out, struct strbuf *err);
	void (*close)(struct db *db);
	int (*exec)(struct db *db, const char *sql, struct strbuf *err);
	int (*prepare)(struct db *db, const char *sql, struct db_stmt **out,
		       struct strbuf *err);
	int (*bind)(struct db_stmt *st, const struct db_value *v, int n,
		    struct strbuf *err);
	int (*step)(struct db_stmt *st, struct strbuf *err);
	int (*columns)(struct db_stmt *st);
	const char *(*column_name)(struct db_stmt *st, int i);
	/* The engine's own type of result column i, "" when unknown. */
	const char *(*column_type)(struct db_stmt *st, int i);
	void (*column_value)(struct db_stmt *st, int i, struct db_value *v);
	void (*finalize)(struct db_stmt *st);
	int (*schema_read)(struct db *db, struct db_schema *s,
			   struct strbuf *err);
	/*
	 * The SQLite type a column of the engine's type is declared as in
	 * slice.sqlite and data.sqlite: "INTEGER", "REAL", "TEXT" or
	 * "BLOB" (SQLite: the type as it is). column_value() gives values
	 * of that kind (or NULL).
	 */
	const char *(*sqlite_type)(const char *type);
	/* The engine's type for values of an SQLite declared type. */
	const char *(*type_for)(const char *sqlite_type);
	/* v as an SQL literal the engine reads back as the same value. */
	void (*literal)(struct strbuf *sb, const struct db_value *v);
};

struct db {
	const struct db_backend *be;
	char *name;
};

struct db_stmt {
	const struct db_backend *be;
};

extern const struct db_backend db_sqlite_backend;
extern const struct db_backend db_mysql_backend;
extern const struct db_backend db_postgres_backend;

/*
 * sql with each '?' outside quotes and comments replaced by the literal
 * of the next of v[0..n-1], into out. QERR_USAGE when the counts differ.
 * quote is the engine's identifier quote.
 */
int db_fill_params(struct strbuf *out, const char *sql,
		   const struct db_backend *be, const struct db_value *v,
		   int n, struct strbuf *err);

/*
 * Past the quoted string or identifier that starts at p, or the comment
 * ("--", or a slash-star one). With backslash (MySQL), a backslash in a
 * string escapes the next character.
 */
const char *db_past_quoted(const char *p, int backslash);
/* p as a string literal: '...' with its quotes doubled. */
void db_add_quoted(struct strbuf *sb, const char *p, size_t len);

/*
 * A server's table: its rows are told apart by the primary key's columns
 * in key order, or without one by every column.
 */
void db_table_ident_from_pk(struct db_table *t);

/* SQLite's affinity rules: "INTEGER", "REAL", "TEXT", "BLOB", "NUMERIC". */
const char *db_sqlite_affinity(const char *declared);

#endif
