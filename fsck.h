#ifndef FSCK_H
#define FSCK_H

#include "strbuf.h"

struct registry;

/*
 * Checking a registry the way 'git fsck' checks a repository:
 *   - every manifest in .quilt/packages/ is named by its own top hash
 *     and reads as a manifest;
 *   - every pointer (latest, timestamps) and tag holds a top hash the
 *     registry has a manifest for; latest is listed by a timestamp;
 *   - every physical key of every manifest exists with the entry's size
 *     (and, with full, its bytes hash to the entry's hash);
 *   - in a folder registry, no temporary or lock file is left over.
 * Each problem is handed to fn as a kind ("bad-manifest", "bad-pointer",
 * "unreadable-pointer", "dangling-pointer", "unlisted-latest",
 * "no-latest", "missing-object", "wrong-size", "wrong-hash",
 * "unreadable-object", "stray-file", "stale-lock") and a line that says
 * what and where; the walk goes on after a problem.
 */
struct fsck_opts {
	int full;	/* download and hash every object */
	/*
	 * A meter (progress.h) or NULL: it counts the objects checked and,
	 * with full, the bytes downloaded and hashed.
	 */
	struct progress *progress;
};

struct fsck_stats {
	uint64_t manifests, pointers, tags, objects, problems;
};

typedef void fsck_problem_fn(const char *kind, const char *detail,
			     void *payload);

/*
 * 0 when the walk finished (problems or not: see stats->problems), or
 * a negative qerr when the registry could not be read (err says why).
 */
int fsck_registry(struct registry *reg, const struct fsck_opts *opts,
		  fsck_problem_fn *fn, void *payload,
		  struct fsck_stats *stats, struct strbuf *err);

#endif
