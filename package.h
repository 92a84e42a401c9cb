#ifndef PACKAGE_H
#define PACKAGE_H

#include "hash.h"
#include "json.h"
#include "strbuf.h"

struct workspace;

/*
 * The staged package of a workspace as a whole: its metadata (line 1 of
 * the manifest, kept in the index) and building it into a manifest.
 */

/* The package metadata object; {"version": "v0"} when none is staged. */
int package_meta_load(struct workspace *ws, struct json **meta,
		      struct strbuf *err);
int package_meta_store(struct workspace *ws, const struct json *meta,
		       struct strbuf *err);

enum package_build_flags {
	/* set "message" (quilt3's build always writes it, null if none) */
	PACKAGE_BUILD_MESSAGE = (1 << 0),
	/*
	 * a progress meter, "Writing manifest", as progress_start() decides;
	 * without it, only with --progress (the caller's -q: leave it out)
	 */
	PACKAGE_BUILD_PROGRESS = (1 << 1),
};

/*
 * Build the staged entries (hashes must be fresh: see stage_refresh())
 * into a manifest stored in the workspace's store, and give its top hash.
 * Entries without a remote copy get a file:// physical key naming their
 * local file. QERR_CORRUPT when an entry has no hash (err names it).
 */
int package_build(struct workspace *ws, const char *message, unsigned flags,
		  struct object_id *top, uint64_t *entries,
		  struct strbuf *err);

/*
 * Do two package metadata objects differ in more than their "message"
 * (each commit has its own)? 1 or 0.
 */
int package_meta_differs(const struct json *a, const struct json *b);

/*
 * What is staged and not committed: the index compared with HEAD (or
 * with nothing, before the first commit), as recorded, without looking
 * at the files. fn(code, key, payload) for each difference, in key
 * order: 'A' added, 'D' deleted, 'M' other bytes (or not hashed yet),
 * 'm' other metadata; then 'P' with "(package)" when the package
 * metadata differs. A non-zero return from fn stops the walk and is
 * returned.
 */
typedef int package_staged_fn(char code, const char *key, void *payload);
int package_staged_changes(struct workspace *ws, package_staged_fn *fn,
			   void *payload, struct strbuf *err);

/* Append "old new time message" to .quire/logs/HEAD. */
int package_log_append(struct workspace *ws, const struct object_id *old,
		       const struct object_id *new_top, const char *what,
		       struct strbuf *err);

#endif
