#ifndef STAGE_INTERNAL_H
#define STAGE_INTERNAL_H

#include "stage.h"

/*
 * What stage.c and stage-remote.c share for stage_add_paths(): when by
 * (the path as the user gave it) is not NULL, every key staged, and the
 * prefix of every folder, is first claimed for it in the index (see
 * idx_claim()), so that a key another path staged from another source
 * is refused instead of overwritten.
 */

/*
 * Claim key for source on behalf of by: 0 when it was free, 1 when by or
 * another path claimed it for the same source already (nothing to do
 * again), QERR_EXISTS with both paths named in err when another path
 * claimed it for another source.
 */
int stage_claim(struct workspace *ws, const char *key, const char *source,
		const char *by, struct strbuf *err);

/* stage_add_remote(), with claims made for by when it is not NULL. */
int stage_add_remote_by(struct workspace *ws, const char *url,
			const char *prefix, const char *by,
			struct stage_stats *stats, struct strbuf *err);

#endif
