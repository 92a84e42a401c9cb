#ifndef EXPORT_DSDB_H
#define EXPORT_DSDB_H

#include "string-list.h"
#include "strbuf.h"

struct export_pkg;
struct json;

/*
 * A table (or a query's rows) whose columns name files, as a package:
 *   data.sqlite  table "data": the columns with their declared types, every
 *                row, file columns rewritten to the files' logical keys
 *   data.csv     the same rows, RFC 4180, with a header
 *   files/...    each file named by a file column, once
 *   README.md    what this is
 * Each file's entry has its row's other values as user metadata ("rows":
 * [...] when several rows name it). The package metadata's user_meta has
 * "dsdb": source, engine ("sqlite", "mysql", "postgresql"), table or
 * query, rows, columns (names and the engine's types), file columns.
 */
struct dsdb_export {
	const char *db;			/* the source, as given */
	const char *schema;		/* PostgreSQL's --schema, or NULL */
	const char *table, *query;	/* one of them */
	struct string_list *file_columns;
	const char *root;		/* relative paths are below it */
	int skip_missing;
	/* filled in */
	uint64_t rows, files, missing;
};

int dsdb_export(struct export_pkg *p, struct dsdb_export *x,
		const char *name, struct strbuf *err);

/*
 * The other way: the table of an installed export (folder dir, the
 * package metadata meta) into table in the database db, file columns
 * holding the installed files' absolute paths. Nothing is written to db
 * unless all of it is. table NULL: the exported table's name, or "data".
 * Columns get the types they had when db's engine is the source's, else
 * the engine's types for the values' SQLite types.
 */
struct dsdb_import {
	const char *dir;
	const struct json *meta;
	const char *db;
	const char *schema;
	const char *table;
	uint64_t rows;
	char *table_used;
};

int dsdb_import(struct dsdb_import *im, struct strbuf *err);
/*
 * Can db (a server's; an SQLite file is made when needed) be written
 * to? Checked before anything is installed, so that a wrong password or
 * an unknown database leaves nothing behind.
 */
int dsdb_import_check(const char *db, const char *schema, struct strbuf *err);

#endif
