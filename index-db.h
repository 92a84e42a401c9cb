#ifndef INDEX_DB_H
#define INDEX_DB_H

#include "hash.h"
#include "strbuf.h"

/*
 * .quire/index.db (SQLite, WAL): the workspace's staged package and the
 * stat cache that lets status answer without reading files.
 *
 * An entry maps a logical key to its content: a local file (path) and/or
 * a physical key the same bytes can be fetched from (a registry's copy),
 * with the size and hash last computed and the stat of path at that time.
 * Entries come back in quilt3 order (a "quire_key" collation), so a
 * manifest is built from them without sorting.
 */
struct idx_stat {
	int64_t size, mtime_ns, ctime_ns, ino;
};

struct idx_entry {
	char *key;		/* logical key */
	char *path;		/* local file, absolute; NULL if none */
	char *physical;		/* non-local physical key; NULL if none */
	int has_hash;
	struct object_id oid;
	uint64_t size;
	char *meta;		/* entry meta object, JSON text */
	int has_stat;		/* st describes path when oid was computed */
	struct idx_stat st;
};

void idx_entry_init(struct idx_entry *e);
void idx_entry_release(struct idx_entry *e);
/* Fill st from a struct stat. */
void idx_stat_from(struct idx_stat *st, const struct stat *sb);
/* 1 when the file's stat still matches, so the recorded hash holds. */
int idx_stat_matches(const struct idx_stat *st, const struct stat *sb);

struct index_db;

/*
 * Open (creating the schema if needed). Returns 0 or QERR_*. When the
 * disk holding it is full, or it is read-only (a read-only mount, a file
 * of someone else's), it is opened to be read only: the writes of a cache
 * transaction are then kept in memory, and idx_begin_write() fails,
 * saying why ("the disk holding '<folder>' is full (<n> bytes free); free
 * some space and retry"). Every failure of SQLite to write for want of
 * space is reported in those words. (On a full disk the WAL's index is
 * kept in memory, which takes an exclusive lock on the file until
 * idx_close(); a read-only index with no WAL beside it is read as
 * immutable.)
 */
int idx_open(const char *path, struct index_db **out, struct strbuf *err);
void idx_close(struct index_db *idx);

/* One write transaction per command; die() rolls an open one back. */
int idx_begin_write(struct index_db *idx, struct strbuf *err);
int idx_commit(struct index_db *idx, struct strbuf *err);
void idx_rollback(struct index_db *idx);

/*
 * A cache transaction, for commands that only read (status, diff,
 * verify): it refreshes the stat cache and the hashes of changed files
 * (stage_refresh(), idx_update_stat()), an optimisation whose writes may
 * be lost. Each entry it puts (only entries already in the index may be
 * put: one per file whose bytes changed) is also kept in memory until it
 * commits. When the index cannot take the writes -- the disk is full, it
 * is read-only -- they are rolled back and the command goes on:
 * idx_get_entry(), idx_for_each_entry(), idx_cursor_next() and
 * idx_clean_get() show the entries from memory until idx_close(), and
 * stat updates are dropped. The index file is left as it was, and from
 * then on this process does not write it.
 *
 * idx_commit_cache() is 0 when everything was written (or there was
 * nothing to write), 1 when writes were dropped, with the warning in err
 * ("cannot update the stat cache in '<path>': the disk holding it is
 * full", or "...: it is read-only"), or a negative qerr on any other
 * failure (the transaction is then rolled back).
 */
int idx_begin_cache(struct index_db *idx, struct strbuf *err);
int idx_commit_cache(struct index_db *idx, struct strbuf *err);

int idx_put_entry(struct index_db *idx, const struct idx_entry *e,
		  struct strbuf *err);
/*
 * Write e's physical key, hash, size and stat over those of its entry,
 * which must be in the index; its path and metadata stay. Cheaper than
 * idx_put_entry() for a file hashed anew.
 */
int idx_update_hash(struct index_db *idx, const struct idx_entry *e,
		    struct strbuf *err);
/* 0, or QERR_NOTFOUND. */
int idx_get_entry(struct index_db *idx, const char *key,
		  struct idx_entry *e);
int idx_delete_entry(struct index_db *idx, const char *key);
/* Does an entry stage the file at path (absolute)? */
int idx_has_path(struct index_db *idx, const char *path);
/*
 * Would key be both a file and a folder? 1 when an entry is named like
 * one of key's folders, or entries lie below key; other gets the key (or
 * "key/") in the way. 0 when key is free of such conflicts.
 */
int idx_key_conflict(struct index_db *idx, const char *key,
		     struct strbuf *other);
/* Number of entries; with a prefix "dir/", those below it. */
int64_t idx_count(struct index_db *idx, const char *prefix);

typedef int idx_entry_fn(const struct idx_entry *e, void *payload);
/*
 * Each entry (all, or those whose key starts with prefix) in quilt3
 * order; stops at fn's non-zero return and passes it back.
 */
int idx_for_each_entry(struct index_db *idx, const char *prefix,
		       idx_entry_fn *fn, void *payload);

/* A cursor over the entries, in quilt3 order (for streaming merges). */
struct idx_cursor;
int idx_cursor_open(struct index_db *idx, const char *prefix,
		    struct idx_cursor **out);
/*
 * The same over the index as last committed, on a connection of its own:
 * rows the command writes meanwhile (in its open transaction) are not
 * seen, so a walk that rewrites what it reads is safe.
 */
int idx_cursor_open_snapshot(struct index_db *idx, const char *prefix,
			     struct idx_cursor **out);
/* 1 with *e filled (release it), 0 at the end, QERR_GENERIC on error. */
int idx_cursor_next(struct idx_cursor *c, struct idx_entry *e);

/*
 * A row as it is stored, without copying: the strings (NUL-terminated,
 * with their lengths; NULL for a NULL column) point into the cursor and
 * hold until the next call. For a walk over many rows of which few are
 * needed whole (status).
 */
struct idx_row {
	const char *key, *path, *physical, *meta, *hash_type, *hash_value;
	size_t key_len, path_len, physical_len, meta_len, hash_type_len,
	       hash_value_len;
	int64_t size;		/* of the hashed bytes */
	int has_stat;
	struct idx_stat st;
};
/*
 * Like idx_cursor_next(), for a snapshot cursor (which shows no entries
 * held in memory; see idx_begin_cache()).
 */
int idx_cursor_next_row(struct idx_cursor *c, struct idx_row *r);
/* The entry a row holds (release it). */
void idx_row_to_entry(const struct idx_row *r, struct idx_entry *e);
void idx_cursor_close(struct idx_cursor *c);

/* Folder metadata ("dir/" -> JSON text). value NULL removes. */
int idx_set_dir_meta(struct index_db *idx, const char *key,
		     const char *json, struct strbuf *err);
typedef int idx_dir_fn(const char *key, const char *json, void *payload);
int idx_for_each_dir_meta(struct index_db *idx, idx_dir_fn *fn,
			  void *payload);

/* Folders added with 'quire add', so status can show new files in them. */
int idx_add_watch(struct index_db *idx, const char *prefix,
		  const char *path, struct strbuf *err);
int idx_remove_watch(struct index_db *idx, const char *prefix);
typedef int idx_watch_fn(const char *prefix, const char *path,
			 void *payload);
int idx_for_each_watch(struct index_db *idx, idx_watch_fn *fn,
		       void *payload);

/*
 * Claims, for a command that stages several paths at once: for each key
 * it staged, the source of the bytes (a file's absolute path, an S3 URL)
 * and the path, as the user gave it, that staged it. They live in a TEMP
 * table of this connection (on disk when large), go away with a rolled
 * back transaction, and are dropped by idx_claims_drop() or idx_close().
 * idx_claim() is 0 when key was free (now it is claimed), 1 when it was
 * claimed for the same source, and QERR_EXISTS when it was claimed for
 * another one: then other_by gets the path that claimed it.
 */
int idx_claim(struct index_db *idx, const char *key, const char *source,
	      const char *by, struct strbuf *other_by, struct strbuf *err);
void idx_claims_drop(struct index_db *idx);

/* Small named values: package metadata, the base version, ... */
int idx_get_meta(struct index_db *idx, const char *key, struct strbuf *out);
int idx_set_meta(struct index_db *idx, const char *key, const char *value,
		 struct strbuf *err);

/*
 * Update only the stat cache of key (its bytes did not change). Unlike
 * every other write, this keeps the "index equals HEAD" marker.
 */
int idx_update_stat(struct index_db *idx, const char *key,
		    const struct idx_stat *st, struct strbuf *err);

/*
 * The index holds exactly the version top (set after commit, checkout,
 * install); any change to entries, folder or package metadata clears it.
 * idx_clean_get() is 0 and fills top when set.
 */
int idx_clean_set(struct index_db *idx, const struct object_id *top,
		  struct strbuf *err);
int idx_clean_get(struct index_db *idx, struct object_id *top);

/*
 * Files a checkout kept although the version dropped them (recorded so a
 * later checkout with --force removes them). keep: 1 record, 0 forget.
 */
int idx_kept(struct index_db *idx, const char *key, int keep);
/* fn(key, key, payload) for each kept file. */
int idx_for_each_kept(struct index_db *idx, idx_dir_fn *fn, void *payload);

/* Remove every entry, folder line and watch (checkout of a version). */
int idx_clear(struct index_db *idx, struct strbuf *err);

/*
 * The "file:" URI that opens the SQLite database at path as immutable
 * (no locks, no journal looked for; with SQLITE_OPEN_URI): '%', '?' and
 * '#' of path escaped.
 */
void sqlite_immutable_uri(struct strbuf *uri, const char *path);

#endif
