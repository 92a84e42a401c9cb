#ifndef EXPORT_SLICE_H
#define EXPORT_SLICE_H

#include "db/db.h"
#include "json.h"
#include "strbuf.h"
#include "string-list.h"

struct workspace;

/*
 * A vertical slice of a database: the rows some restrictions select (the
 * leaves: what an analysis used), and every row they depend on, found by
 * following each foreign key from child to parent until nothing new
 * turns up. Restrictions on one table, from several leaves or several
 * paths, add up to their union.
 *
 * The source is read only through db.h. The rows found are kept in a
 * working SQLite database of the slice's own (a private temporary file),
 * one table per source table with a unique index on the columns that
 * tell its rows apart, so that millions of rows fit and every row is
 * kept once. The cascade is a semi-naive fixpoint: each round follows
 * the foreign keys of the rows the previous round added, fetching the
 * parents in batches of key tuples; as rows are only ever added, it ends
 * on cycles and self-references too.
 */

/* A leaf: a table and an SQL condition on its rows. */
struct slice_leaf {
	char *table;
	char *restriction;
};

struct slice_leaves {
	struct slice_leaf *v;
	size_t nr, alloc;
};
#define SLICE_LEAVES_INIT { NULL, 0, 0 }

/* Append a copy of table and restriction. */
void slice_leaves_add(struct slice_leaves *l, const char *table,
		      const char *restriction);
void slice_leaves_release(struct slice_leaves *l);

/*
 * Read leaves as JSON lines, {"table": ..., "restriction": ...} each
 * (other members are ignored, blank lines skipped), from path ("-":
 * standard input) and append them to l. A bad line is QERR_CORRUPT with
 * "<path>:<line>: <why>" in err.
 */
int slice_leaves_read(struct slice_leaves *l, const char *path,
		      struct strbuf *err);
/* Append leaf as one JSON line, newline included. */
void slice_leaf_write(struct strbuf *out, const struct slice_leaf *leaf);

/*
 * Named lists of leaves in a workspace, for an analysis that runs over
 * days: .quire/slices/<id>, JSON lines as slice_leaves_read() reads them,
 * each change written whole under a lock and renamed into place.
 *
 * An id is 1 to 100 letters, digits, '.', '_' and '-', starting with a
 * letter or digit and not ending in ".lock"; QERR_USAGE otherwise.
 */
int slice_id_check(const char *id, struct strbuf *err);
/* A new empty list; QERR_EXISTS when there is one. */
int slice_list_create(struct workspace *ws, const char *id,
		      struct strbuf *err);
/* Append a leaf; QERR_NOTFOUND when there is no such list. */
int slice_list_append(struct workspace *ws, const char *id,
		      const struct slice_leaf *leaf, struct strbuf *err);
/* Append the leaves of list id to l; QERR_NOTFOUND when there is none. */
int slice_list_read(struct workspace *ws, const char *id,
		    struct slice_leaves *l, struct strbuf *err);
/* Delete the list; QERR_NOTFOUND when there is none. */
int slice_list_remove(struct workspace *ws, const char *id,
		      struct strbuf *err);
/* The file of list id, in path; QERR_NOTFOUND when there is none. */
int slice_list_path(struct workspace *ws, const char *id,
		    struct strbuf *path, struct strbuf *err);
/* Append the ids of the lists there are to ids, sorted. */
int slice_list_names(struct workspace *ws, struct string_list *ids,
		     struct strbuf *err);

/* The engine. */
struct slice;

/*
 * Read the schema of src (borrowed: it must outlive the slice) and make
 * the working database. The caller frees *out with slice_free().
 */
int slice_new(struct db *src, struct slice **out, struct strbuf *err);
void slice_free(struct slice *s);

/* The source's schema, borrowed from s. */
const struct db_schema *slice_schema(const struct slice *s);

/*
 * The table of the schema called name, or QERR_NOTFOUND with a message
 * naming it and suggesting a table of that name or listing the tables.
 */
int slice_find_table(const struct slice *s, const char *name,
		     const struct db_table **out, struct strbuf *err);

/*
 * Take the rows of leaf->table for which leaf->restriction holds. An
 * unknown table is QERR_NOTFOUND, a condition the database refuses is
 * QERR_USAGE with the database's own message.
 */
int slice_add_leaf(struct slice *s, const struct slice_leaf *leaf,
		   struct strbuf *err);
/* The leaves added, in order, borrowed from s. */
const struct slice_leaves *slice_leaves(const struct slice *s);

/* Follow the foreign keys until every row's parents are in. */
int slice_cascade(struct slice *s, struct strbuf *err);

/* The rows of table number i of the schema in the slice (after cascade). */
uint64_t slice_rows(const struct slice *s, int i);
uint64_t slice_total_rows(const struct slice *s);

/*
 * Call fn for the value of column col of each row of table number i in
 * the slice, with where naming the row and column for messages ("table
 * 'sample', row 12, column 'path'"). A non-zero return stops the walk
 * and is returned.
 */
typedef int slice_value_fn(const struct db_value *v, const char *where,
			   void *payload);
int slice_for_each_value(struct slice *s, int i, int col,
			 slice_value_fn *fn, void *payload,
			 struct strbuf *err);

/* The working database, borrowed from s: a place for temporary tables. */
struct db *slice_work_db(struct slice *s);

/*
 * Write the slice to a new SQLite file at path: the source's own CREATE
 * statements (a server's tables: their columns with the SQLite types
 * their values are kept as, primary and foreign keys), the rows in the
 * order of their keys (rowid tables keep their rowids), then an SQLite
 * source's indexes, views and triggers. Then the foreign keys
 * of the result are checked: rows whose parent is missing (the source
 * itself breaks its foreign keys) are counted per table, and
 * slice_bad_rows() gives the counts.
 */
int slice_write_sqlite(struct slice *s, const char *path,
		       struct strbuf *err);
/*
 * Rows of table number i whose parent slice_write_sqlite() found
 * missing, and the message of a check that could not be made (NULL if
 * none).
 */
uint64_t slice_bad_rows(const struct slice *s, int i);
const char *slice_check_error(const struct slice *s);

/*
 * Write a text dump to a new file at path. From an SQLite source, the
 * file at sqlite_path (made by slice_write_sqlite()), which 'sqlite3
 * x.db < path' makes into the same database: statements, then the rows
 * as INSERTs of SQL literals, in one transaction. From a server, a dump
 * its engine loads into an empty database ('mysql db < path', 'psql -f
 * path'): the engine's own statements, the rows as INSERTs of many rows
 * in its literals, then constraints and indexes made after them.
 * Streamed: rows are never all in memory.
 */
int slice_write_sql(struct slice *s, const char *sqlite_path,
		    const char *path, struct strbuf *err);

/*
 * The package's description of the slice. source is the database as the
 * user named it; file_columns are "table.column" strings; files is the
 * number of files in the package.
 */
struct slice_summary {
	const char *name;
	const char *source;
	const struct string_list *file_columns;
	uint64_t files;
};
/* A README.md: source, leaves, tables and rows, files, how to rebuild. */
void slice_readme(struct strbuf *out, const struct slice *s,
		  const struct slice_summary *sum);
/*
 * {"source": ..., "leaves": [{"table": ..., "restriction": ...}],
 *  "tables": {"<table>": <rows>, ...}, "files": <files>}, a new tree the
 * caller owns (json_free()).
 */
struct json *slice_meta(const struct slice *s,
			const struct slice_summary *sum);

#endif
