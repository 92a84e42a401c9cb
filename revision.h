#ifndef REVISION_H
#define REVISION_H

#include "hash.h"
#include "strbuf.h"

struct workspace;

/*
 * Resolve a revision to the top hash of a package version in the local
 * store. Accepted, in this order:
 *   a full 64-digit top hash; "HEAD"; "refs/..."; a tag name
 *   (refs/tags/<rev>); a unique top-hash prefix of at least 6 digits.
 * Returns 0, QERR_NOTFOUND or QERR_GENERIC (ambiguous), with err saying
 * what to try.
 */
int resolve_revision(struct workspace *ws, const char *rev,
		     struct object_id *top, struct strbuf *err);

#endif
