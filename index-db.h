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

/* Open (creating the schema if needed). Returns 0 or QERR_*. */
int idx_open(const char *path, struct index_db **out, struct strbuf *err);
void idx_close(struct index_db *idx);

/* One write transaction per command; die() rolls an open one back. */
int idx_begin_write(struct index_db *idx, struct strbuf *err);
int idx_commit(struct index_db *idx, struct strbuf *err);
void idx_rollback(struct index_db *idx);

int idx_put_entry(struct index_db *idx, const struct idx_entry *e,
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

#endif
