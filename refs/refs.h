#ifndef REFS_H
#define REFS_H

#include "hash.h"
#include "strbuf.h"

/*
 * Refs name package versions (top hashes) in a workspace: "HEAD" (the
 * last commit) and "refs/..." (e.g. refs/tags/v1). Each is a file under
 * .quire holding a top hash in hex; updates take "<file>.lock", check the
 * old value (compare-and-swap) and rename the new file into place.
 */
struct ref_store;

struct ref_store *refs_store_new(const char *quire_dir);
void refs_store_free(struct ref_store *refs);

/* 0 when name is "HEAD" or "refs/<component>/..." with safe components. */
int refs_name_check(const char *name);

/* 0, or QERR_NOTFOUND, or QERR_CORRUPT (file does not hold a hash). */
int refs_read(struct ref_store *refs, const char *name,
	      struct object_id *oid);

enum refs_update_flags {
	REFS_OLD_ABSENT = (1 << 0),	/* the ref must not exist yet */
};

/*
 * Point name at new_oid, or delete it when new_oid is NULL. When old_oid
 * is given, the ref must currently hold it; with REFS_OLD_ABSENT it must
 * not exist. Returns 0, QERR_LOCKED, QERR_STALE (err names both values),
 * QERR_NOTFOUND (deleting a missing ref) or QERR_GENERIC.
 */
int refs_update(struct ref_store *refs, const char *name,
		const struct object_id *new_oid,
		const struct object_id *old_oid, unsigned flags,
		struct strbuf *err);

typedef int each_ref_fn(const char *name, const struct object_id *oid,
			void *payload);
/* Every ref under "refs/", sorted by name; stops at fn's non-zero. */
int refs_for_each(struct ref_store *refs, each_ref_fn *fn, void *payload);

#endif
