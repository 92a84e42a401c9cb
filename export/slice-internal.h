#ifndef EXPORT_SLICE_INTERNAL_H
#define EXPORT_SLICE_INTERNAL_H

#include "export/slice.h"

/* What the parts of the slice engine (slice*.c) share. */

/*
 * Bound values in one batched statement, at most: SQLite's old limit is
 * 999; a server takes them as literals, and fewer round trips are faster.
 */
#define SLICE_BATCH_PARAMS 900
#define SLICE_BATCH_PARAMS_SERVER 8000

/* A foreign key of a child table, with its statements. */
struct slice_fkey {
	int parent;		/* table number */
	int n;
	int *from, *to;		/* column numbers in child and parent */
	struct db_stmt *keys;	/* new key tuples into k */
	struct db_stmt *read;	/* ... and out of it */
	struct db_stmt *fetch;	/* parents of a full batch, from the source */
	int batch;		/* tuples in a full batch */
};

struct slice_table {
	const struct db_table *t;
	int has_rowid;
	int nfkeys;
	struct slice_fkey *fkeys;
	struct db_stmt *insert;	/* a source row into w<i> */
	struct db_stmt *max_seq;
	int64_t done;		/* rows up to this seq have been followed */
	uint64_t rows, bad;
};

struct slice {
	struct db *src;
	struct db *work;
	struct db_schema schema;
	struct slice_table *tables;
	struct slice_leaves leaves;
	int key_cols;		/* columns of table k */
	char *check_error;
};

/* Rows of table i of the working database in key order: r, then c0... */
int slice_read_rows(struct slice *s, int i, struct db_stmt **out,
		    struct strbuf *err);

#endif
