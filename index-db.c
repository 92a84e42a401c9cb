#include "quire-compat.h"
#include "index-db.h"
#include "logical-key.h"
#include <sqlite3.h>

/*
 * The schema. Bump user_version when it changes; idx_open() refuses a
 * newer one.
 */
#define IDX_VERSION 2
static const char schema[] =
	"CREATE TABLE IF NOT EXISTS entries ("
	"  logical_key TEXT PRIMARY KEY COLLATE quire_key,"
	"  path TEXT,"			/* local file, absolute */
	"  physical TEXT,"		/* where the same bytes are elsewhere */
	"  hash_type TEXT,"		/* NULL: not hashed yet */
	"  hash_value TEXT,"
	"  size INTEGER,"
	"  meta TEXT NOT NULL DEFAULT '{}',"
	"  st_size INTEGER,"		/* stat of path when hashed, or NULL */
	"  st_mtime_ns INTEGER,"
	"  st_ctime_ns INTEGER,"
	"  st_ino INTEGER"
	") WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS dir_meta ("
	"  logical_key TEXT PRIMARY KEY COLLATE quire_key,"
	"  meta TEXT NOT NULL"
	") WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS watch ("
	"  prefix TEXT PRIMARY KEY,"	/* logical prefix, "" or "dir/" */
	"  path TEXT NOT NULL"		/* the folder, absolute */
	");"
	"CREATE TABLE IF NOT EXISTS state ("
	"  key TEXT PRIMARY KEY,"
	"  value TEXT NOT NULL"
	");"
	/* version 2: which entry stages a file */
	"CREATE INDEX IF NOT EXISTS entries_path ON entries (path);"
	/* files a checkout left in place although their version dropped them */
	"CREATE TABLE IF NOT EXISTS kept ("
	"  logical_key TEXT PRIMARY KEY"
	");";

enum stmt_id {
	ST_PUT, ST_GET, ST_DEL, ST_ALL, ST_PREFIX, ST_COUNT, ST_COUNT_PREFIX,
	ST_DIR_PUT, ST_DIR_DEL, ST_DIR_ALL, ST_WATCH_PUT, ST_WATCH_DEL,
	ST_WATCH_ALL, ST_META_GET, ST_META_PUT, ST_META_DEL, ST_STAT,
	ST_BY_PATH, ST_KEPT_PUT, ST_KEPT_DEL, ST_KEPT_ALL, ST_NR
};

static const char *const stmt_sql[ST_NR] = {
	"INSERT OR REPLACE INTO entries VALUES (?,?,?,?,?,?,?,?,?,?,?)",
	"SELECT * FROM entries WHERE logical_key = ?",
	"DELETE FROM entries WHERE logical_key = ?",
	"SELECT * FROM entries ORDER BY logical_key",
	/*
	 * Below folder "d/": keys from "d/" up to "d" + 0x01. In quilt3 order
	 * '/' sorts before every other byte, so these are exactly the keys
	 * that start with "d/", and the primary key answers the range.
	 */
	"SELECT * FROM entries WHERE logical_key >= ?1 AND logical_key < ?2 "
	"ORDER BY logical_key",
	"SELECT count(*) FROM entries",
	"SELECT count(*) FROM entries WHERE logical_key >= ?1 AND "
	"logical_key < ?2",
	"INSERT OR REPLACE INTO dir_meta VALUES (?,?)",
	"DELETE FROM dir_meta WHERE logical_key = ?",
	"SELECT logical_key, meta FROM dir_meta ORDER BY logical_key",
	"INSERT OR REPLACE INTO watch VALUES (?,?)",
	"DELETE FROM watch WHERE prefix = ?",
	"SELECT prefix, path FROM watch ORDER BY prefix",
	"SELECT value FROM state WHERE key = ?",
	"INSERT OR REPLACE INTO state VALUES (?,?)",
	"DELETE FROM state WHERE key = ?",
	"UPDATE entries SET st_size = ?, st_mtime_ns = ?, st_ctime_ns = ?, "
	"st_ino = ? WHERE logical_key = ?",
	"SELECT 1 FROM entries WHERE path = ? LIMIT 1",
	"INSERT OR REPLACE INTO kept VALUES (?)",
	"DELETE FROM kept WHERE logical_key = ?",
	"SELECT logical_key, logical_key FROM kept ORDER BY logical_key",
};

struct index_db {
	sqlite3 *db;
	sqlite3 *snap;		/* read-only, for snapshot cursors */
	char *path;
	sqlite3_stmt *stmt[ST_NR];
	int in_tx;
};

/* die() rolls back the transaction of the index open in this process. */
static struct index_db *open_tx;

static void rollback_on_die(void)
{
	if (open_tx)
		idx_rollback(open_tx);
}

static int key_collation(void *unused, int alen, const void *a, int blen,
			 const void *b)
{
	return logical_key_cmp(a, alen, b, blen);
}

void idx_entry_init(struct idx_entry *e)
{
	memset(e, 0, sizeof(*e));
}

void idx_entry_release(struct idx_entry *e)
{
	free(e->key);
	free(e->path);
	free(e->physical);
	free(e->meta);
	idx_entry_init(e);
}

void idx_stat_from(struct idx_stat *st, const struct stat *sb)
{
	st->size = sb->st_size;
	st->mtime_ns = (int64_t)sb->st_mtim.tv_sec * 1000000000 +
		       sb->st_mtim.tv_nsec;
	st->ctime_ns = (int64_t)sb->st_ctim.tv_sec * 1000000000 +
		       sb->st_ctim.tv_nsec;
	st->ino = sb->st_ino;
}

int idx_stat_matches(const struct idx_stat *st, const struct stat *sb)
{
	struct idx_stat now;

	idx_stat_from(&now, sb);
	return st->size == now.size && st->mtime_ns == now.mtime_ns &&
	       st->ctime_ns == now.ctime_ns && st->ino == now.ino;
}

static int sql_error(struct index_db *idx, struct strbuf *err,
		     const char *what)
{
	strbuf_addf(err, "%s in '%s': %s", what, idx->path,
		    sqlite3_errmsg(idx->db));
	return QERR_GENERIC;
}

int idx_open(const char *path, struct index_db **out, struct strbuf *err)
{
	struct index_db *idx = xcalloc(1, sizeof(*idx));
	sqlite3_stmt *st = NULL;
	int version = 0, i;

	idx->path = xstrdup(path);
	if (sqlite3_open_v2(path, &idx->db, SQLITE_OPEN_READWRITE |
			    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK)
		goto fail;
	sqlite3_busy_timeout(idx->db, 10000);
	if (sqlite3_create_collation(idx->db, "quire_key", SQLITE_UTF8, NULL,
				     key_collation) != SQLITE_OK)
		goto fail;
	if (sqlite3_exec(idx->db, "PRAGMA journal_mode=WAL;"
			 "PRAGMA synchronous=NORMAL;", NULL, NULL,
			 NULL) != SQLITE_OK)
		goto fail;
	if (sqlite3_prepare_v2(idx->db, "PRAGMA user_version", -1, &st,
			       NULL) != SQLITE_OK)
		goto fail;
	if (sqlite3_step(st) == SQLITE_ROW)
		version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (version > IDX_VERSION) {
		strbuf_addf(err, "'%s' was written by a newer quire "
			    "(schema %d); upgrade quire", path, version);
		idx_close(idx);
		return QERR_CORRUPT;
	}
	if (version < IDX_VERSION &&
	    (sqlite3_exec(idx->db, schema, NULL, NULL, NULL) != SQLITE_OK ||
	     sqlite3_exec(idx->db, "PRAGMA user_version=2", NULL, NULL,
			  NULL) != SQLITE_OK))
		goto fail;
	for (i = 0; i < ST_NR; i++)
		if (sqlite3_prepare_v3(idx->db, stmt_sql[i], -1,
				       SQLITE_PREPARE_PERSISTENT,
				       &idx->stmt[i], NULL) != SQLITE_OK)
			goto fail;
	set_die_cleanup(rollback_on_die);
	*out = idx;
	return 0;
fail:
	sql_error(idx, err, "cannot open the index");
	idx_close(idx);
	return QERR_GENERIC;
}

void idx_close(struct index_db *idx)
{
	int i;

	if (!idx)
		return;
	if (idx->in_tx)
		idx_rollback(idx);
	for (i = 0; i < ST_NR; i++)
		sqlite3_finalize(idx->stmt[i]);
	sqlite3_close(idx->snap);
	sqlite3_close(idx->db);
	free(idx->path);
	free(idx);
}

int idx_begin_write(struct index_db *idx, struct strbuf *err)
{
	if (idx->in_tx)
		BUG("nested index transaction");
	if (sqlite3_exec(idx->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) !=
	    SQLITE_OK)
		return sql_error(idx, err, "cannot lock the index");
	idx->in_tx = 1;
	open_tx = idx;
	return 0;
}

int idx_commit(struct index_db *idx, struct strbuf *err)
{
	if (sqlite3_exec(idx->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		return sql_error(idx, err, "cannot commit the index");
	idx->in_tx = 0;
	open_tx = NULL;
	return 0;
}

void idx_rollback(struct index_db *idx)
{
	if (!idx->in_tx)
		return;
	sqlite3_exec(idx->db, "ROLLBACK", NULL, NULL, NULL);
	idx->in_tx = 0;
	open_tx = NULL;
}

/* Bind the range of folder prefix ("dir/") as ?1 and ?2. */
static void bind_folder(sqlite3_stmt *s, const char *prefix)
{
	size_t len = strlen(prefix);
	char *upper;

	if (!len || prefix[len - 1] != '/')
		BUG("index prefix '%s' is not a folder", prefix);
	upper = xstrdup(prefix);
	upper[len - 1] = '\001';
	sqlite3_bind_text(s, 1, prefix, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(s, 2, upper, -1, SQLITE_TRANSIENT);
	free(upper);
}

static sqlite3_stmt *stmt(struct index_db *idx, enum stmt_id id)
{
	sqlite3_reset(idx->stmt[id]);
	sqlite3_clear_bindings(idx->stmt[id]);
	return idx->stmt[id];
}

static void bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(s, i);
}

#define CLEAN_KEY "clean_head"

/* Any change to what the index holds: it no longer equals HEAD. */
static int dirty(struct index_db *idx)
{
	sqlite3_stmt *s = stmt(idx, ST_META_DEL);

	sqlite3_bind_text(s, 1, CLEAN_KEY, -1, SQLITE_STATIC);
	return sqlite3_step(s) == SQLITE_DONE ? 0 : QERR_GENERIC;
}

int idx_clean_set(struct index_db *idx, const struct object_id *top,
		  struct strbuf *err)
{
	return idx_set_meta(idx, CLEAN_KEY, oid_to_hex(top), err);
}

int idx_clean_get(struct index_db *idx, struct object_id *top)
{
	struct strbuf sb = STRBUF_INIT;
	int ret = idx_get_meta(idx, CLEAN_KEY, &sb);

	if (!ret && oid_from_value(top, HASH_MANIFEST, sb.buf, sb.len))
		ret = QERR_CORRUPT;
	strbuf_release(&sb);
	return ret;
}

int idx_update_stat(struct index_db *idx, const char *key,
		    const struct idx_stat *st, struct strbuf *err)
{
	sqlite3_stmt *s = stmt(idx, ST_STAT);

	sqlite3_bind_int64(s, 1, st->size);
	sqlite3_bind_int64(s, 2, st->mtime_ns);
	sqlite3_bind_int64(s, 3, st->ctime_ns);
	sqlite3_bind_int64(s, 4, st->ino);
	bind_text(s, 5, key);
	if (sqlite3_step(s) != SQLITE_DONE)
		return sql_error(idx, err, "cannot update the stat cache");
	return 0;
}

int idx_put_entry(struct index_db *idx, const struct idx_entry *e,
		  struct strbuf *err)
{
	struct strbuf value = STRBUF_INIT;
	sqlite3_stmt *s;

	if (dirty(idx))
		return sql_error(idx, err, "cannot write the index");
	s = stmt(idx, ST_PUT);

	bind_text(s, 1, e->key);
	bind_text(s, 2, e->path);
	bind_text(s, 3, e->physical);
	if (e->has_hash) {
		oid_add_value(&value, &e->oid);
		bind_text(s, 4, hash_type_name(e->oid.type));
		bind_text(s, 5, value.buf);
		sqlite3_bind_int64(s, 6, (int64_t)e->size);
	}
	bind_text(s, 7, e->meta ? e->meta : "{}");
	if (e->has_stat) {
		sqlite3_bind_int64(s, 8, e->st.size);
		sqlite3_bind_int64(s, 9, e->st.mtime_ns);
		sqlite3_bind_int64(s, 10, e->st.ctime_ns);
		sqlite3_bind_int64(s, 11, e->st.ino);
	}
	strbuf_release(&value);
	if (sqlite3_step(s) != SQLITE_DONE)
		return sql_error(idx, err, "cannot write an entry");
	return 0;
}

static char *column_dup(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	return t ? xstrdup((const char *)t) : NULL;
}

static void row_to_entry(sqlite3_stmt *s, struct idx_entry *e)
{
	const char *type = (const char *)sqlite3_column_text(s, 3);
	const char *value = (const char *)sqlite3_column_text(s, 4);
	enum hash_type t;

	idx_entry_init(e);
	e->key = column_dup(s, 0);
	e->path = column_dup(s, 1);
	e->physical = column_dup(s, 2);
	if (type && value &&
	    !hash_type_from_name(type, strlen(type), &t) &&
	    !oid_from_value(&e->oid, t, value, strlen(value))) {
		e->has_hash = 1;
		e->size = (uint64_t)sqlite3_column_int64(s, 5);
	}
	e->meta = column_dup(s, 6);
	if (sqlite3_column_type(s, 7) != SQLITE_NULL) {
		e->has_stat = 1;
		e->st.size = sqlite3_column_int64(s, 7);
		e->st.mtime_ns = sqlite3_column_int64(s, 8);
		e->st.ctime_ns = sqlite3_column_int64(s, 9);
		e->st.ino = sqlite3_column_int64(s, 10);
	}
}

int idx_get_entry(struct index_db *idx, const char *key,
		  struct idx_entry *e)
{
	sqlite3_stmt *s = stmt(idx, ST_GET);
	int ret = QERR_NOTFOUND;

	bind_text(s, 1, key);
	if (sqlite3_step(s) == SQLITE_ROW) {
		row_to_entry(s, e);
		ret = 0;
	}
	sqlite3_reset(s);
	return ret;
}

int idx_has_path(struct index_db *idx, const char *path)
{
	sqlite3_stmt *s = stmt(idx, ST_BY_PATH);
	int ret;

	bind_text(s, 1, path);
	ret = sqlite3_step(s) == SQLITE_ROW;
	sqlite3_reset(s);
	return ret;
}

int idx_key_conflict(struct index_db *idx, const char *key,
		     struct strbuf *other)
{
	struct strbuf sb = STRBUF_INIT;
	struct idx_entry e;
	const char *p;
	int ret = 0;

	/* an entry named like one of key's folders */
	for (p = strchr(key, '/'); !ret && p; p = strchr(p + 1, '/')) {
		strbuf_reset(&sb);
		strbuf_add(&sb, key, p - key);
		if (!idx_get_entry(idx, sb.buf, &e)) {
			strbuf_addbuf(other, &sb);
			idx_entry_release(&e);
			ret = 1;
		}
	}
	/* entries below key, as a folder */
	strbuf_reset(&sb);
	strbuf_addf(&sb, "%s/", key);
	if (!ret && idx_count(idx, sb.buf) > 0) {
		strbuf_addbuf(other, &sb);
		ret = 1;
	}
	strbuf_release(&sb);
	return ret;
}

int idx_delete_entry(struct index_db *idx, const char *key)
{
	sqlite3_stmt *s;

	if (dirty(idx))
		return QERR_GENERIC;
	s = stmt(idx, ST_DEL);

	bind_text(s, 1, key);
	return sqlite3_step(s) == SQLITE_DONE ? 0 : QERR_GENERIC;
}

int64_t idx_count(struct index_db *idx, const char *prefix)
{
	sqlite3_stmt *s = stmt(idx, prefix && *prefix ? ST_COUNT_PREFIX :
			       ST_COUNT);
	int64_t n = 0;

	if (prefix && *prefix)
		bind_folder(s, prefix);
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	sqlite3_reset(s);
	return n;
}

int idx_for_each_entry(struct index_db *idx, const char *prefix,
		       idx_entry_fn *fn, void *payload)
{
	sqlite3_stmt *s;
	int ret = 0, rc;

	/* a statement of its own: fn may use the index too */
	if (sqlite3_prepare_v2(idx->db, stmt_sql[prefix && *prefix ?
						   ST_PREFIX : ST_ALL],
			       -1, &s, NULL) != SQLITE_OK)
		return QERR_GENERIC;
	if (prefix && *prefix)
		bind_folder(s, prefix);
	while (!ret && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct idx_entry e;

		row_to_entry(s, &e);
		ret = fn(&e, payload);
		idx_entry_release(&e);
	}
	if (!ret && rc != SQLITE_DONE)
		ret = QERR_GENERIC;
	sqlite3_finalize(s);
	return ret;
}

struct idx_cursor {
	sqlite3_stmt *s;
	sqlite3 *snap;		/* its read transaction ends with it */
};

static int cursor_open(sqlite3 *db, const char *prefix,
		       struct idx_cursor **out)
{
	sqlite3_stmt *s;

	if (sqlite3_prepare_v2(db, stmt_sql[prefix && *prefix ?
					    ST_PREFIX : ST_ALL],
			       -1, &s, NULL) != SQLITE_OK)
		return QERR_GENERIC;
	if (prefix && *prefix)
		bind_folder(s, prefix);
	*out = xcalloc(1, sizeof(**out));
	(*out)->s = s;
	return 0;
}

int idx_cursor_open(struct index_db *idx, const char *prefix,
		    struct idx_cursor **out)
{
	return cursor_open(idx->db, prefix, out);
}

int idx_cursor_open_snapshot(struct index_db *idx, const char *prefix,
			     struct idx_cursor **out)
{
	if (!idx->snap &&
	    (sqlite3_open_v2(idx->path, &idx->snap, SQLITE_OPEN_READONLY |
			     SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK ||
	     sqlite3_create_collation(idx->snap, "quire_key", SQLITE_UTF8,
				      NULL, key_collation) != SQLITE_OK)) {
		sqlite3_close(idx->snap);
		idx->snap = NULL;
		return QERR_GENERIC;
	}
	sqlite3_busy_timeout(idx->snap, 10000);
	if (sqlite3_exec(idx->snap, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return QERR_GENERIC;
	if (cursor_open(idx->snap, prefix, out) < 0) {
		sqlite3_exec(idx->snap, "ROLLBACK", NULL, NULL, NULL);
		return QERR_GENERIC;
	}
	(*out)->snap = idx->snap;
	return 0;
}

int idx_cursor_next(struct idx_cursor *c, struct idx_entry *e)
{
	int rc = sqlite3_step(c->s);

	if (rc == SQLITE_ROW) {
		row_to_entry(c->s, e);
		return 1;
	}
	return rc == SQLITE_DONE ? 0 : QERR_GENERIC;
}

void idx_cursor_close(struct idx_cursor *c)
{
	if (!c)
		return;
	sqlite3_finalize(c->s);
	if (c->snap)
		sqlite3_exec(c->snap, "ROLLBACK", NULL, NULL, NULL);
	free(c);
}

int idx_set_dir_meta(struct index_db *idx, const char *key,
		     const char *json, struct strbuf *err)
{
	sqlite3_stmt *s;

	if (dirty(idx))
		return sql_error(idx, err, "cannot write the index");
	s = stmt(idx, json ? ST_DIR_PUT : ST_DIR_DEL);

	bind_text(s, 1, key);
	if (json)
		bind_text(s, 2, json);
	if (sqlite3_step(s) != SQLITE_DONE)
		return sql_error(idx, err, "cannot write folder metadata");
	return 0;
}

static int for_each_pair(struct index_db *idx, enum stmt_id id,
			 int (*fn)(const char *, const char *, void *),
			 void *payload)
{
	sqlite3_stmt *s;
	int ret = 0;

	if (sqlite3_prepare_v2(idx->db, stmt_sql[id], -1, &s, NULL) !=
	    SQLITE_OK)
		return QERR_GENERIC;
	while (!ret && sqlite3_step(s) == SQLITE_ROW)
		ret = fn((const char *)sqlite3_column_text(s, 0),
			 (const char *)sqlite3_column_text(s, 1), payload);
	sqlite3_finalize(s);
	return ret;
}

int idx_for_each_dir_meta(struct index_db *idx, idx_dir_fn *fn,
			  void *payload)
{
	return for_each_pair(idx, ST_DIR_ALL, fn, payload);
}

int idx_add_watch(struct index_db *idx, const char *prefix,
		  const char *path, struct strbuf *err)
{
	sqlite3_stmt *s = stmt(idx, ST_WATCH_PUT);

	bind_text(s, 1, prefix);
	bind_text(s, 2, path);
	if (sqlite3_step(s) != SQLITE_DONE)
		return sql_error(idx, err, "cannot record an added folder");
	return 0;
}

int idx_remove_watch(struct index_db *idx, const char *prefix)
{
	sqlite3_stmt *s = stmt(idx, ST_WATCH_DEL);

	bind_text(s, 1, prefix);
	return sqlite3_step(s) == SQLITE_DONE ? 0 : QERR_GENERIC;
}

int idx_for_each_watch(struct index_db *idx, idx_watch_fn *fn,
		       void *payload)
{
	return for_each_pair(idx, ST_WATCH_ALL, fn, payload);
}

int idx_get_meta(struct index_db *idx, const char *key, struct strbuf *out)
{
	sqlite3_stmt *s = stmt(idx, ST_META_GET);
	int ret = QERR_NOTFOUND;

	bind_text(s, 1, key);
	if (sqlite3_step(s) == SQLITE_ROW) {
		strbuf_addstr(out, (const char *)sqlite3_column_text(s, 0));
		ret = 0;
	}
	sqlite3_reset(s);
	return ret;
}

int idx_set_meta(struct index_db *idx, const char *key, const char *value,
		 struct strbuf *err)
{
	sqlite3_stmt *s = stmt(idx, value ? ST_META_PUT : ST_META_DEL);

	bind_text(s, 1, key);
	if (value)
		bind_text(s, 2, value);
	if (sqlite3_step(s) != SQLITE_DONE)
		return sql_error(idx, err, "cannot write the index");
	return 0;
}

int idx_kept(struct index_db *idx, const char *key, int keep)
{
	sqlite3_stmt *s = stmt(idx, keep ? ST_KEPT_PUT : ST_KEPT_DEL);

	bind_text(s, 1, key);
	return sqlite3_step(s) == SQLITE_DONE ? 0 : QERR_GENERIC;
}

int idx_for_each_kept(struct index_db *idx, idx_dir_fn *fn, void *payload)
{
	return for_each_pair(idx, ST_KEPT_ALL, fn, payload);
}

int idx_clear(struct index_db *idx, struct strbuf *err)
{
	dirty(idx);
	if (sqlite3_exec(idx->db, "DELETE FROM entries; DELETE FROM dir_meta;"
			 "DELETE FROM watch;", NULL, NULL, NULL) != SQLITE_OK)
		return sql_error(idx, err, "cannot clear the index");
	return 0;
}
