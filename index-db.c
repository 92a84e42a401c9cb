#include "quire-compat.h"
#include "index-db.h"
#include "disk-full.h"
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
	ST_BY_PATH, ST_KEPT_PUT, ST_KEPT_DEL, ST_KEPT_ALL, ST_HASH, ST_NR
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
	/* the columns a hash changes: not path, meta, nor their index */
	"UPDATE entries SET physical = ?2, hash_type = ?3, hash_value = ?4, "
	"size = ?5, st_size = ?6, st_mtime_ns = ?7, st_ctime_ns = ?8, "
	"st_ino = ?9 WHERE logical_key = ?1",
};

struct index_db {
	sqlite3 *db;
	sqlite3 *snap;		/* read-only, for snapshot cursors */
	char *path;
	sqlite3_stmt *stmt[ST_NR];
	sqlite3_stmt *claim_get, *claim_put;	/* NULL: no claim table */
	int in_tx;
	int dirtied;		/* this tx removed the "equals HEAD" marker */
	char *dir;		/* the folder that holds it */
	/*
	 * Why the index cannot be written, when it cannot: it was opened
	 * so, or a write of a cache transaction failed so. why says it.
	 */
	enum idx_ro { IDX_WRITABLE, IDX_FULL, IDX_READONLY } ro;
	struct strbuf why;
	/* in a cache transaction; the writes it could not make */
	int cache;
	uint64_t dropped;
	/*
	 * The entries the cache transactions put, in quilt3 order: what
	 * readers see in place of the index's rows when it could not keep
	 * them (over_dirty: and so it no longer equals HEAD).
	 */
	struct idx_entry *over;
	size_t over_nr, over_alloc;
	int over_dirty;
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

static void entry_copy(struct idx_entry *dst, const struct idx_entry *src)
{
	*dst = *src;
	dst->key = xstrdup(src->key);
	dst->path = src->path ? xstrdup(src->path) : NULL;
	dst->physical = src->physical ? xstrdup(src->physical) : NULL;
	dst->meta = xstrdup(src->meta ? src->meta : "{}");
}

/* The overlay's slot of key, or where it would go (then *found is 0). */
static size_t over_find(struct index_db *idx, const char *key, int *found)
{
	size_t lo = 0, hi = idx->over_nr, len = strlen(key);

	*found = 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *k = idx->over[mid].key;
		int cmp = logical_key_cmp(k, strlen(k), key, len);

		if (!cmp) {
			*found = 1;
			return mid;
		}
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void over_put(struct index_db *idx, const struct idx_entry *e)
{
	int found;
	size_t i = over_find(idx, e->key, &found);

	if (found) {
		idx_entry_release(&idx->over[i]);
	} else {
		ALLOC_GROW(idx->over, idx->over_nr + 1, idx->over_alloc);
		memmove(idx->over + i + 1, idx->over + i,
			(idx->over_nr - i) * sizeof(*idx->over));
		idx->over_nr++;
	}
	entry_copy(&idx->over[i], e);
	idx->over_dirty = 1;
}

/* *e, a row of the index, as the overlay has it. */
static void over_apply(struct index_db *idx, struct idx_entry *e)
{
	int found;
	size_t i;

	if (!idx || !idx->over_nr)
		return;
	i = over_find(idx, e->key, &found);
	if (found) {
		idx_entry_release(e);
		entry_copy(e, &idx->over[i]);
	}
}

static void over_clear(struct index_db *idx)
{
	size_t i;

	for (i = 0; i < idx->over_nr; i++)
		idx_entry_release(&idx->over[i]);
	free(idx->over);
	idx->over = NULL;
	idx->over_nr = idx->over_alloc = 0;
	idx->over_dirty = 0;
}

static int sql_error(struct index_db *idx, struct strbuf *err,
		     const char *what)
{
	strbuf_addf(err, "%s in '%s': ", what, idx->path);
	if (!idx->db)
		strbuf_addstr(err, "out of memory");
	else if (disk_full_sqlite(idx->db))
		disk_full_explain(err, idx->dir);
	else if (idx->ro && (sqlite3_errcode(idx->db) == SQLITE_READONLY ||
			     sqlite3_errcode(idx->db) == SQLITE_CANTOPEN))
		strbuf_addbuf(err, &idx->why);
	else
		strbuf_addstr(err, sqlite3_errmsg(idx->db));
	return QERR_GENERIC;
}

/* Does the last failure on the index say it cannot be written? */
static enum idx_ro failure_kind(struct index_db *idx)
{
	int e = sqlite3_system_errno(idx->db);

	if (disk_full_sqlite(idx->db))
		return IDX_FULL;
	switch (sqlite3_errcode(idx->db)) {
	case SQLITE_READONLY:
		return IDX_READONLY;
	case SQLITE_CANTOPEN:
	case SQLITE_IOERR:
	case SQLITE_PERM:
		/* a -wal or -shm file that cannot be made beside it */
		if (e == EROFS || e == EACCES || e == EPERM ||
		    sqlite3_db_readonly(idx->db, "main") > 0)
			return IDX_READONLY;
		break;
	}
	return IDX_WRITABLE;
}

/* Say in idx->why why the index cannot be written (e: errno, or 0). */
static void set_why(struct index_db *idx, enum idx_ro kind, int e)
{
	strbuf_reset(&idx->why);
	if (kind == IDX_FULL) {
		disk_full_explain(&idx->why, idx->dir);
	} else {
		strbuf_addstr(&idx->why, "it is read-only");
		if (e == EROFS || e == EACCES || e == EPERM)
			strbuf_addf(&idx->why, " (%s)", strerror(e));
	}
}

/* From now on the index is not written; no statement may write it. */
static void set_ro(struct index_db *idx, enum idx_ro kind, int e)
{
	idx->ro = kind;
	set_why(idx, kind, e);
	sqlite3_exec(idx->db, "PRAGMA query_only=1", NULL, NULL, NULL);
}

/*
 * How a connection is opened: as usual; or, when the disk is full, with
 * the WAL's index in memory (exclusive locking mode: no -shm file to
 * grow), or, when the index is read-only and no WAL is beside it,
 * immutable (no -wal or -shm file to create).
 */
enum open_mode { OPEN_NORMAL, OPEN_HEAP_WAL, OPEN_IMMUTABLE };

void sqlite_immutable_uri(struct strbuf *uri, const char *path)
{
	const char *p;

	strbuf_addstr(uri, *path == '/' ? "file://" : "file:");
	for (p = path; *p; p++)
		if (*p == '%' || *p == '?' || *p == '#')
			strbuf_addf(uri, "%%%02X", (unsigned char)*p);
		else
			strbuf_addch(uri, *p);
	strbuf_addstr(uri, "?immutable=1");
}

/* Open idx->db; its schema version, or -1 (the reason is on idx->db). */
static int connect_db(struct index_db *idx, enum open_mode mode)
{
	struct strbuf uri = STRBUF_INIT;
	int flags = SQLITE_OPEN_NOMUTEX, rc, version = -1;
	sqlite3_stmt *st = NULL;
	/*
	 * A cache of up to 32 MiB: a commit that hashes many files
	 * rewrites most pages of the index, and a page pushed out of a
	 * small cache mid-transaction is written to the WAL again and again.
	 */
	const char *setup = "PRAGMA journal_mode=WAL;"
			    "PRAGMA synchronous=NORMAL;"
			    "PRAGMA cache_size=-32768;";

	if (mode == OPEN_IMMUTABLE) {
		sqlite_immutable_uri(&uri, idx->path);
		flags |= SQLITE_OPEN_READONLY | SQLITE_OPEN_URI;
	} else {
		strbuf_addstr(&uri, idx->path);
		flags |= SQLITE_OPEN_READWRITE;
		if (mode == OPEN_NORMAL)
			flags |= SQLITE_OPEN_CREATE;
	}
	if (mode == OPEN_HEAP_WAL)
		setup = "PRAGMA locking_mode=EXCLUSIVE";
	else if (mode == OPEN_IMMUTABLE)
		setup = NULL;
	rc = sqlite3_open_v2(uri.buf, &idx->db, flags, NULL);
	strbuf_release(&uri);
	if (rc != SQLITE_OK)
		return -1;
	sqlite3_busy_timeout(idx->db, 10000);
	if (sqlite3_create_collation(idx->db, "quire_key", SQLITE_UTF8, NULL,
				     key_collation) != SQLITE_OK ||
	    (setup && sqlite3_exec(idx->db, setup, NULL, NULL, NULL) !=
	     SQLITE_OK) ||
	    sqlite3_prepare_v2(idx->db, "PRAGMA user_version", -1, &st,
			       NULL) != SQLITE_OK)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return version;
}

/* Is there a WAL file beside path with something in it? */
static int wal_has_frames(const char *path)
{
	struct strbuf wal = STRBUF_INIT;
	struct stat st;
	int ret;

	strbuf_addf(&wal, "%s-wal", path);
	ret = !stat(wal.buf, &st) && st.st_size > 0;
	strbuf_release(&wal);
	return ret;
}

int idx_open(const char *path, struct index_db **out, struct strbuf *err)
{
	struct index_db *idx = xcalloc(1, sizeof(*idx));
	const char *slash = strrchr(path, '/');
	enum idx_ro kind;
	int version, i;

	idx->path = xstrdup(path);
	idx->dir = slash ? xstrndup(path, slash == path ? 1 : slash - path) :
		   xstrdup(".");
	strbuf_init(&idx->why, 0);
	version = connect_db(idx, OPEN_NORMAL);
	kind = version < 0 && idx->db ? failure_kind(idx) : IDX_WRITABLE;
	/* a full disk or a read-only index can still be read */
	if (kind == IDX_FULL ||
	    (kind == IDX_READONLY && !wal_has_frames(path))) {
		int e = sqlite3_system_errno(idx->db);

		if (kind == IDX_READONLY && access(path, W_OK) < 0)
			e = errno;

		sqlite3_close(idx->db);
		idx->db = NULL;
		version = connect_db(idx, kind == IDX_FULL ? OPEN_HEAP_WAL :
				     OPEN_IMMUTABLE);
		if (version < 0) {
			/* what made it try: the disk is full, or read-only */
			set_why(idx, kind, e);
			strbuf_addf(err, "cannot open the index in '%s': %s",
				    path, idx->why.buf);
			idx_close(idx);
			return QERR_GENERIC;
		}
		set_ro(idx, kind, e);
	} else if (version >= 0 && sqlite3_db_readonly(idx->db, "main") > 0) {
		set_ro(idx, IDX_READONLY, access(path, W_OK) ? errno : 0);
	}
	if (version < 0)
		goto fail;
	if (version > IDX_VERSION) {
		strbuf_addf(err, "'%s' was written by a newer quire "
			    "(schema %d); upgrade quire", path, version);
		idx_close(idx);
		return QERR_CORRUPT;
	}
	if (version < IDX_VERSION && idx->ro) {
		strbuf_addf(err, "cannot set up the index in '%s': %s", path,
			    idx->why.buf);
		idx_close(idx);
		return QERR_GENERIC;
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
	idx_claims_drop(idx);
	for (i = 0; i < ST_NR; i++)
		sqlite3_finalize(idx->stmt[i]);
	sqlite3_close(idx->snap);
	sqlite3_close(idx->db);
	over_clear(idx);
	strbuf_release(&idx->why);
	free(idx->dir);
	free(idx->path);
	free(idx);
}

int idx_begin_write(struct index_db *idx, struct strbuf *err)
{
	if (idx->in_tx || idx->cache)
		BUG("nested index transaction");
	if (idx->ro) {
		strbuf_addf(err, "cannot write the index in '%s': %s",
			    idx->path, idx->why.buf);
		return QERR_GENERIC;
	}
	if (sqlite3_exec(idx->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) !=
	    SQLITE_OK)
		return sql_error(idx, err, "cannot lock the index");
	idx->in_tx = 1;
	idx->dirtied = 0;
	open_tx = idx;
	return 0;
}

int idx_commit(struct index_db *idx, struct strbuf *err)
{
	if (sqlite3_exec(idx->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		return sql_error(idx, err, "cannot commit the index");
	idx->in_tx = 0;
	idx->dirtied = 0;
	open_tx = NULL;
	return 0;
}

void idx_rollback(struct index_db *idx)
{
	if (!idx->in_tx)
		return;
	sqlite3_exec(idx->db, "ROLLBACK", NULL, NULL, NULL);
	idx->in_tx = 0;
	idx->dirtied = 0;
	open_tx = NULL;
}

int idx_begin_cache(struct index_db *idx, struct strbuf *err)
{
	enum idx_ro kind;
	int e;

	if (idx->in_tx || idx->cache)
		BUG("nested index transaction");
	idx->dropped = 0;
	if (!idx->ro) {
		if (sqlite3_exec(idx->db, "BEGIN IMMEDIATE", NULL, NULL,
				 NULL) == SQLITE_OK) {
			idx->in_tx = 1;
			idx->dirtied = 0;
			open_tx = idx;
		} else {
			kind = failure_kind(idx);
			e = sqlite3_system_errno(idx->db);
			if (!kind)
				return sql_error(idx, err,
						 "cannot lock the index");
			set_ro(idx, kind, e);
		}
	}
	idx->cache = 1;
	return 0;
}

/* A write of a cache transaction that cannot be made: count it, go on. */
static int cache_drop(struct index_db *idx)
{
	idx->dropped++;
	return 0;
}

/*
 * A write failed. In a cache transaction on a full or read-only index,
 * roll back what it wrote (the overlay keeps its entries) and go on
 * without writing; any other failure is an error.
 */
static int write_failed(struct index_db *idx, struct strbuf *err,
			const char *what)
{
	enum idx_ro kind = failure_kind(idx);
	int e = sqlite3_system_errno(idx->db);

	if (!idx->cache || !kind)
		return sql_error(idx, err, what);
	idx_rollback(idx);
	set_ro(idx, kind, e);
	return cache_drop(idx);
}

int idx_commit_cache(struct index_db *idx, struct strbuf *err)
{
	enum idx_ro kind;
	int e, ret;

	if (!idx->cache)
		BUG("no cache transaction to commit");
	idx->cache = 0;
	if (idx->in_tx) {
		if (sqlite3_exec(idx->db, "COMMIT", NULL, NULL, NULL) ==
		    SQLITE_OK) {
			idx->in_tx = 0;
			idx->dirtied = 0;
			open_tx = NULL;
			over_clear(idx);
			return 0;
		}
		kind = failure_kind(idx);
		e = sqlite3_system_errno(idx->db);
		if (!kind) {
			ret = sql_error(idx, err, "cannot commit the index");
			idx_rollback(idx);
			return ret;
		}
		idx_rollback(idx);
		set_ro(idx, kind, e);
		idx->dropped++;
	}
	if (!idx->dropped)
		return 0;
	strbuf_addf(err, "cannot update the stat cache in '%s': %s",
		    idx->path, idx->ro == IDX_FULL ?
		    "the disk holding it is full" : "it is read-only");
	return 1;
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
	sqlite3_stmt *s;

	if (idx->dirtied && idx->in_tx)
		return 0;	/* once a transaction: not once an entry */
	s = stmt(idx, ST_META_DEL);
	sqlite3_bind_text(s, 1, CLEAN_KEY, -1, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_DONE)
		return QERR_GENERIC;
	idx->dirtied = 1;
	return 0;
}

int idx_clean_set(struct index_db *idx, const struct object_id *top,
		  struct strbuf *err)
{
	return idx_set_meta(idx, CLEAN_KEY, oid_to_hex(top), err);
}

int idx_clean_get(struct index_db *idx, struct object_id *top)
{
	struct strbuf sb = STRBUF_INIT;
	int ret;

	if (idx->over_dirty)
		return QERR_NOTFOUND;	/* the overlay changed entries */
	ret = idx_get_meta(idx, CLEAN_KEY, &sb);
	if (!ret && oid_from_value(top, HASH_MANIFEST, sb.buf, sb.len))
		ret = QERR_CORRUPT;
	strbuf_release(&sb);
	return ret;
}

int idx_update_stat(struct index_db *idx, const char *key,
		    const struct idx_stat *st, struct strbuf *err)
{
	sqlite3_stmt *s;
	int found;
	size_t i;

	if (idx->cache && idx->over_nr) {
		i = over_find(idx, key, &found);
		if (found) {
			idx->over[i].has_stat = 1;
			idx->over[i].st = *st;
		}
	}
	if (idx->cache && idx->ro)
		return cache_drop(idx);
	s = stmt(idx, ST_STAT);
	sqlite3_bind_int64(s, 1, st->size);
	sqlite3_bind_int64(s, 2, st->mtime_ns);
	sqlite3_bind_int64(s, 3, st->ctime_ns);
	sqlite3_bind_int64(s, 4, st->ino);
	bind_text(s, 5, key);
	if (sqlite3_step(s) != SQLITE_DONE)
		return write_failed(idx, err, "cannot update the stat cache");
	return 0;
}

/*
 * What every write of an entry does first: the read cache learns it (a
 * read-only index then just forgets its cache: 1, done), and a failed
 * transaction refuses. 0 to go on, 1 done, or a negative qerr.
 */
static int entry_write_begin(struct index_db *idx, const struct idx_entry *e,
			     struct strbuf *err)
{
	if (idx->cache) {
		over_put(idx, e);
		if (idx->ro)
			return cache_drop(idx) < 0 ? -1 : 1;
	}
	if (dirty(idx))
		return write_failed(idx, err, "cannot write the index");
	return 0;
}

/* The hash type, value and size at columns col..col+2 (when hashed). */
static void bind_hash(sqlite3_stmt *s, int col, const struct idx_entry *e,
		      struct strbuf *value)
{
	if (!e->has_hash)
		return;
	oid_add_value(value, &e->oid);
	bind_text(s, col, hash_type_name(e->oid.type));
	bind_text(s, col + 1, value->buf);
	sqlite3_bind_int64(s, col + 2, (int64_t)e->size);
}

/* The stat at columns col..col+3 (when there is one). */
static void bind_stat(sqlite3_stmt *s, int col, const struct idx_entry *e)
{
	if (!e->has_stat)
		return;
	sqlite3_bind_int64(s, col, e->st.size);
	sqlite3_bind_int64(s, col + 1, e->st.mtime_ns);
	sqlite3_bind_int64(s, col + 2, e->st.ctime_ns);
	sqlite3_bind_int64(s, col + 3, e->st.ino);
}

static int entry_write_step(struct index_db *idx, sqlite3_stmt *s,
			    struct strbuf *value, struct strbuf *err)
{
	strbuf_release(value);
	if (sqlite3_step(s) != SQLITE_DONE)
		return write_failed(idx, err, "cannot write an entry");
	return 0;
}

int idx_put_entry(struct index_db *idx, const struct idx_entry *e,
		  struct strbuf *err)
{
	struct strbuf value = STRBUF_INIT;
	sqlite3_stmt *s;
	int ret = entry_write_begin(idx, e, err);

	if (ret)
		return ret < 0 ? ret : 0;
	s = stmt(idx, ST_PUT);
	bind_text(s, 1, e->key);
	bind_text(s, 2, e->path);
	bind_text(s, 3, e->physical);
	bind_hash(s, 4, e, &value);
	bind_text(s, 7, e->meta ? e->meta : "{}");
	bind_stat(s, 8, e);
	return entry_write_step(idx, s, &value, err);
}

static const char *column_str(sqlite3_stmt *s, int i, size_t *len)
{
	const char *t = (const char *)sqlite3_column_text(s, i);

	*len = t ? (size_t)sqlite3_column_bytes(s, i) : 0;
	return t;
}

/* The columns of an entries row, as pointers into the statement. */
static void stmt_to_row(sqlite3_stmt *s, struct idx_row *r)
{
	r->key = column_str(s, 0, &r->key_len);
	r->path = column_str(s, 1, &r->path_len);
	r->physical = column_str(s, 2, &r->physical_len);
	r->hash_type = column_str(s, 3, &r->hash_type_len);
	r->hash_value = column_str(s, 4, &r->hash_value_len);
	r->size = sqlite3_column_int64(s, 5);
	r->meta = column_str(s, 6, &r->meta_len);
	r->has_stat = sqlite3_column_type(s, 7) != SQLITE_NULL;
	if (r->has_stat) {
		r->st.size = sqlite3_column_int64(s, 7);
		r->st.mtime_ns = sqlite3_column_int64(s, 8);
		r->st.ctime_ns = sqlite3_column_int64(s, 9);
		r->st.ino = sqlite3_column_int64(s, 10);
	} else {
		memset(&r->st, 0, sizeof(r->st));
	}
}

int idx_update_hash(struct index_db *idx, const struct idx_entry *e,
		    struct strbuf *err)
{
	struct strbuf value = STRBUF_INIT;
	sqlite3_stmt *s;
	int ret = entry_write_begin(idx, e, err);

	if (ret)
		return ret < 0 ? ret : 0;
	s = stmt(idx, ST_HASH);
	bind_text(s, 1, e->key);
	bind_text(s, 2, e->physical);
	bind_hash(s, 3, e, &value);
	bind_stat(s, 6, e);
	return entry_write_step(idx, s, &value, err);
}

static char *str_dup_len(const char *s, size_t len)
{
	return s ? xstrndup(s, len) : NULL;
}

void idx_row_to_entry(const struct idx_row *r, struct idx_entry *e)
{
	enum hash_type t;

	idx_entry_init(e);
	e->key = str_dup_len(r->key, r->key_len);
	e->path = str_dup_len(r->path, r->path_len);
	e->physical = str_dup_len(r->physical, r->physical_len);
	if (r->hash_type && r->hash_value &&
	    !hash_type_from_name(r->hash_type, r->hash_type_len, &t) &&
	    !oid_from_value(&e->oid, t, r->hash_value, r->hash_value_len)) {
		e->has_hash = 1;
		e->size = (uint64_t)r->size;
	}
	e->meta = str_dup_len(r->meta, r->meta_len);
	e->has_stat = r->has_stat;
	e->st = r->st;
}

static void row_to_entry(sqlite3_stmt *s, struct idx_entry *e)
{
	struct idx_row r;

	stmt_to_row(s, &r);
	idx_row_to_entry(&r, e);
}

int idx_get_entry(struct index_db *idx, const char *key,
		  struct idx_entry *e)
{
	sqlite3_stmt *s = stmt(idx, ST_GET);
	int ret = QERR_NOTFOUND;

	bind_text(s, 1, key);
	if (sqlite3_step(s) == SQLITE_ROW) {
		row_to_entry(s, e);
		over_apply(idx, e);
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
		over_apply(idx, &e);
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
	struct index_db *idx;	/* whose overlay it shows; NULL: none */
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
	int ret = cursor_open(idx->db, prefix, out);

	if (!ret)
		(*out)->idx = idx;
	return ret;
}

int idx_cursor_open_snapshot(struct index_db *idx, const char *prefix,
			     struct idx_cursor **out)
{
	/* not written by this process: as committed, with no overlay */
	if (idx->ro)
		return cursor_open(idx->db, prefix, out);
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

int idx_cursor_next_row(struct idx_cursor *c, struct idx_row *r)
{
	int rc = sqlite3_step(c->s);

	if (c->idx && c->idx->over_nr)
		BUG("raw rows of an index with entries in memory");
	if (rc == SQLITE_ROW) {
		stmt_to_row(c->s, r);
		return 1;
	}
	return rc == SQLITE_DONE ? 0 : QERR_GENERIC;
}

int idx_cursor_next(struct idx_cursor *c, struct idx_entry *e)
{
	int rc = sqlite3_step(c->s);

	if (rc == SQLITE_ROW) {
		row_to_entry(c->s, e);
		over_apply(c->idx, e);
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

/* The claim table exists only while a multi-path add runs. */
static const char claim_schema[] =
	"CREATE TEMP TABLE IF NOT EXISTS claim ("
	"  logical_key TEXT PRIMARY KEY,"
	"  source TEXT NOT NULL,"	/* absolute path, or s3:// URL */
	"  claimant TEXT NOT NULL"	/* the path the user gave */
	") WITHOUT ROWID";
#define CLAIM_ERROR "cannot track the keys being staged"

static int claims_open(struct index_db *idx, struct strbuf *err)
{
	if (idx->claim_put)
		return 0;
	if (sqlite3_exec(idx->db, claim_schema, NULL, NULL, NULL) !=
		    SQLITE_OK ||
	    sqlite3_prepare_v2(idx->db, "SELECT source, claimant FROM "
			       "temp.claim WHERE logical_key = ?", -1,
			       &idx->claim_get, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(idx->db, "INSERT INTO temp.claim VALUES "
			       "(?,?,?)", -1, &idx->claim_put,
			       NULL) != SQLITE_OK) {
		sql_error(idx, err, CLAIM_ERROR);
		idx_claims_drop(idx);
		return QERR_GENERIC;
	}
	return 0;
}

int idx_claim(struct index_db *idx, const char *key, const char *source,
	      const char *by, struct strbuf *other_by, struct strbuf *err)
{
	sqlite3_stmt *s;
	int rc, ret;

	ret = claims_open(idx, err);
	if (ret)
		return ret;
	s = idx->claim_get;
	sqlite3_reset(s);
	bind_text(s, 1, key);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		ret = !strcmp((const char *)sqlite3_column_text(s, 0),
			      source) ? 1 : QERR_EXISTS;
		if (ret == QERR_EXISTS)
			strbuf_addstr(other_by,
				      (const char *)sqlite3_column_text(s, 1));
		sqlite3_reset(s);
		return ret;
	}
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return sql_error(idx, err, CLAIM_ERROR);
	s = idx->claim_put;
	sqlite3_reset(s);
	bind_text(s, 1, key);
	bind_text(s, 2, source);
	bind_text(s, 3, by);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc != SQLITE_DONE)
		return sql_error(idx, err, CLAIM_ERROR);
	return 0;
}

void idx_claims_drop(struct index_db *idx)
{
	if (!idx->claim_put && !idx->claim_get)
		return;
	sqlite3_finalize(idx->claim_get);
	sqlite3_finalize(idx->claim_put);
	idx->claim_get = idx->claim_put = NULL;
	sqlite3_exec(idx->db, "DROP TABLE IF EXISTS temp.claim", NULL, NULL,
		     NULL);
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

	if (!strcmp(key, CLEAN_KEY))
		idx->dirtied = !value;	/* set: the next change clears it */
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
