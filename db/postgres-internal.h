#ifndef DB_POSTGRES_INTERNAL_H
#define DB_POSTGRES_INTERNAL_H

#include "db/backend.h"
#include <libpq-fe.h>

/*
 * The PostgreSQL engine's parts: the connection (postgres.c), statements
 * (postgres-stmt.c) and the schema (postgres-schema.c).
 */

/* A type's name as format_type() gives it, for a result column. */
struct pg_type_name {
	Oid oid;
	int mod;
	char *name;
};

struct pg_db {
	struct db base;
	PGconn *conn;
	/* one read-only transaction on one snapshot: rows come by cursor */
	int readonly;
	unsigned cursors;	/* cursor names handed out so far */
	/* a writer's INSERTs sent in a pipeline, their results not read */
	int pipelined;
	char *schema;		/* the namespace read and written */
	int ntypes, alloc_types;
	struct pg_type_name *types;
};

static inline struct pg_db *pg_db_of(struct db *db)
{
	return (struct pg_db *)db;
}

/*
 * The server's message for a failed res (its primary message, detail
 * and hint), or the connection's, into err. Returns QERR_GENERIC.
 */
int pg_error(PGconn *conn, const PGresult *res, struct strbuf *err);

/*
 * Read the results of the INSERTs sent in a pipeline: the first error
 * among them into err. Anything else sent on the connection waits for
 * this first.
 */
int pg_flush(struct pg_db *db, struct strbuf *err);

/*
 * Run one statement with n text parameters. The result (rows or none),
 * or NULL with the server's message in err. The caller PQclear()s it.
 */
PGresult *pg_query(struct pg_db *db, const char *sql, int n,
		   const char *const *params, struct strbuf *err);

/* The names of types oids[i] with modifiers mods[i], kept in db. */
int pg_type_names(struct pg_db *db, int n, const Oid *oids, const int *mods,
		  const char **names, struct strbuf *err);

/* name as a quoted identifier: "name", inner quotes doubled. */
void pg_quote(struct strbuf *sb, const char *name);

int pg_prepare(struct db *db, const char *sql, struct db_stmt **out,
	       struct strbuf *err);
int pg_bind(struct db_stmt *st, const struct db_value *v, int n,
	    struct strbuf *err);
int pg_step(struct db_stmt *st, struct strbuf *err);
int pg_columns(struct db_stmt *st);
const char *pg_column_name(struct db_stmt *st, int i);
const char *pg_column_type(struct db_stmt *st, int i);
void pg_column_value(struct db_stmt *st, int i, struct db_value *v);
void pg_finalize(struct db_stmt *st);

int pg_schema_read(struct db *db, struct db_schema *s, struct strbuf *err);

#endif
