#ifndef DB_BACKEND_H
#define DB_BACKEND_H

#include "db/db.h"

/*
 * What an engine provides behind db.h. Each struct db and db_stmt starts
 * with the common part below; the engine keeps its own state after it.
 */
struct db_backend {
	const char *name;
	int (*open)(const char *where, unsigned flags, struct db **out,
		    struct strbuf *err);
	void (*close)(struct db *db);
	int (*exec)(struct db *db, const char *sql, struct strbuf *err);
	int (*prepare)(struct db *db, const char *sql, struct db_stmt **out,
		       struct strbuf *err);
	int (*bind)(struct db_stmt *st, const struct db_value *v, int n,
		    struct strbuf *err);
	int (*step)(struct db_stmt *st, struct strbuf *err);
	int (*columns)(struct db_stmt *st);
	const char *(*column_name)(struct db_stmt *st, int i);
	const char *(*column_type)(struct db_stmt *st, int i);
	void (*column_value)(struct db_stmt *st, int i, struct db_value *v);
	void (*finalize)(struct db_stmt *st);
	int (*schema_read)(struct db *db, struct db_schema *s,
			   struct strbuf *err);
};

struct db {
	const struct db_backend *be;
	char *name;
};

struct db_stmt {
	const struct db_backend *be;
};

extern const struct db_backend db_sqlite_backend;

#endif
