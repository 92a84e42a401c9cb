#ifndef COMMIT_H
#define COMMIT_H

#include "hash.h"
#include "json.h"
#include "strbuf.h"

struct workspace;

/*
 * Committing a workspace: what 'quire commit' (and 'build-manifest')
 * does, for the command and for the Python PackageBuilder alike.
 */

enum package_commit_flags {
	/* a progress meter while the manifest is written (not with -q) */
	PACKAGE_COMMIT_PROGRESS = (1 << 0),
	/* drop the staged "provenance" (prov must then be NULL) */
	PACKAGE_COMMIT_DROP_PROVENANCE = (1 << 1),
};

struct package_commit_result {
	struct object_id top;
	uint64_t entries;	/* in the new version */
	uint64_t hashed;	/* files hashed on the way */
	int unchanged;		/* HEAD was at top already */
};

/*
 * In one index transaction: bring the staged hashes up to date (a
 * missing file is an error naming every such entry), make user (if not
 * NULL) the package's "user_meta" and prov (if not NULL) its
 * "provenance", build the manifest with message (may be NULL), record
 * that the index holds it, and move HEAD to it (logged). user and prov
 * are consumed, whatever the outcome. 0 or a negative qerr with err.
 */
int package_commit(struct workspace *ws, const char *message,
		   struct json *user, struct json *prov, unsigned flags,
		   struct package_commit_result *res, struct strbuf *err);

/*
 * Make user (consumed) the staged package's "user_meta", inside the
 * caller's index write transaction. 0 or a negative qerr with err.
 */
int package_user_meta_set(struct workspace *ws, struct json *user,
			  struct strbuf *err);

#endif
