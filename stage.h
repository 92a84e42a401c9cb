#ifndef STAGE_H
#define STAGE_H

#include "strbuf.h"

struct workspace;
struct json;

/*
 * The staged package in a workspace's index: what 'add', 'set', 'rm' and
 * 'mv' change, and what 'commit' builds.
 */

enum stage_change {
	STAGE_MODIFIED,		/* the file's bytes changed */
	STAGE_MISSING,		/* the file is gone */
};
typedef void stage_report_fn(const char *key, const char *path,
			     enum stage_change what, void *payload);

struct stage_stats {
	uint64_t entries, hashed, modified, missing, added;
	uint64_t local;		/* entries whose bytes are only local */
};

/*
 * Bring the recorded hashes up to date with the files: an entry whose file
 * changed since it was hashed (by its stat), or was never hashed, is hashed
 * again on all cores. The files are statted on all cores too, each
 * relative to its folder (git's core.preloadIndex), while the index is
 * read; a batch is hashed while the results of the one before are
 * written. A changed hash drops the entry's remote copy (the bytes are
 * now only local). Missing files are reported and left alone.
 * Runs inside the caller's index write transaction, or a cache
 * transaction (idx_begin_cache()) for a command that only reads. prefix
 * may be NULL.
 */
int stage_refresh(struct workspace *ws, const char *prefix,
		  stage_report_fn *fn, void *payload,
		  struct stage_stats *stats, struct strbuf *err);

/*
 * The same, calling seen(key, len, path, seen_payload) for every entry
 * walked, in key order, before fn reports it (path is NULL for an entry
 * without a local file): status learns what is staged from the walk it
 * makes anyway.
 */
typedef void stage_seen_fn(const char *key, size_t len, const char *path,
			   void *payload);
int stage_refresh_seen(struct workspace *ws, const char *prefix,
		       stage_report_fn *fn, void *payload,
		       stage_seen_fn *seen, void *seen_payload,
		       struct stage_stats *stats, struct strbuf *err);

/*
 * Stage the file or folder at path under logical key prefix (a folder's
 * files go below it; for a file, a prefix ending in '/' gets the file's
 * name, any other prefix is the key). prefix NULL: the path relative to
 * the workspace root when inside it, else the file or folder's name.
 * Entries already staged from the same file keep their hash and metadata.
 */
int stage_add(struct workspace *ws, const char *path, const char *prefix,
	      struct stage_stats *stats, struct strbuf *err);

/*
 * Stage the S3 object or every object below the S3 folder at url
 * ("s3://bucket/key" or "s3://bucket/folder/") without downloading it when
 * S3 gives its checksum; otherwise it is hashed as it streams by. Keys
 * follow the rule of stage_add, with the object's name for a path's.
 */
int stage_add_remote(struct workspace *ws, const char *url,
		     const char *prefix, struct stage_stats *stats,
		     struct strbuf *err);

enum stage_add_flags {
	STAGE_ADD_FORCE = (1 << 0),	/* no ignore rules ('add -f') */
};

/*
 * Stage paths[0..nr) as one change ('quire add a b c'): each a local file
 * or folder as stage_add() stages it, or an "s3://" URL as
 * stage_add_remote() does, under its default key; as, when not NULL, is
 * the prefix of the one path (nr must be 1). Unless flags has
 * STAGE_ADD_FORCE, the .quireignore rules hold (see ignore.h): a
 * folder's walk passes over what they exclude, and a path they exclude
 * (a folder, or a file not staged already) is refused, with every such
 * path named. Two paths that would stage one key from different sources
 * (files, objects, or for a folder's own key, folders) are refused,
 * naming both; a path given twice, or a file inside a folder also given,
 * is staged once. On an error, *failed (when
 * failed is not NULL) is the index of the path that failed; entries
 * staged before it are left to the caller's transaction to roll back.
 */
int stage_add_paths(struct workspace *ws, const char *const *paths,
		    int nr, const char *as, unsigned flags, int *failed,
		    struct stage_stats *stats, struct strbuf *err);

/*
 * What 'quire set' changes in an entry's metadata: user (when not
 * NULL) becomes its "user_meta"; spec (when not NULL) its handler, with
 * kwargs (NULL: {}), or with drop_spec the handler goes. stage_set()
 * takes the objects.
 */
struct stage_set_meta {
	struct json *user;
	const char *spec;
	struct json *kwargs;
	int drop_spec;
};

/*
 * 'quire set': stage the file path (when not NULL) under key, as
 * stage_add() does, then change the entry's metadata as m says, inside
 * the caller's index write transaction. QERR_NOTFOUND ("'<key>' is not
 * staged") when path is NULL and key is not staged; QERR_CORRUPT when
 * its metadata is not a JSON object. m's objects are consumed. stats
 * may be NULL.
 */
int stage_set(struct workspace *ws, const char *key, const char *path,
	      struct stage_set_meta *m, struct stage_stats *stats,
	      struct strbuf *err);

/*
 * 'quire mv': move the staged entry src to dst (dst ending in '/': into
 * that folder), or every entry below the folder src to below dst, inside
 * the caller's index write transaction; added folders inside a moved one
 * keep watching under the new name. Every new key is checked, and entries
 * in the way (not moving themselves) are refused unless overwrite,
 * before anything changes: QERR_EXISTS listing them; QERR_NOTFOUND when
 * src matches nothing staged. *moved gets how many entries moved.
 */
int stage_move(struct workspace *ws, const char *src, const char *dst,
	       int overwrite, size_t *moved, struct strbuf *err);

/* The logical key for path by the rule above (caller frees). */
char *stage_default_key(struct workspace *ws, const char *abspath,
			int is_dir);

/*
 * A file's mtime too close to now cannot be trusted by the stat cache (it
 * may change again within the clock's granularity): such files are hashed
 * again next time. Safe to call from any thread.
 */
int stat_is_racy(const struct stat *st);

#endif
