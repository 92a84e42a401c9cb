#ifndef MERGE_H
#define MERGE_H

#include "hash.h"
#include "strbuf.h"

struct workspace;

/*
 * Merging a package version into a workspace: what 'quire merge' does,
 * for the command and for the Python PackageBuilder's add(Package). Its
 * entries are staged with their physical keys (nothing is copied), under
 * prefix (NULL or "" for none; a '/' is added when missing). A version of
 * the workspace's own package read from a registry becomes the version
 * pushes build on there (as after install).
 */
struct merge_opts {
	const char *registry;	/* where rev lives; NULL as for any rev */
	const char *prefix;
	int overwrite;		/* replace staged entries of the same key */
	int progress;		/* a meter on stderr */
};

struct merge_result {
	struct object_id top;	/* the version merged */
	size_t merged;
};

/*
 * In one index transaction. QERR_EXISTS when entries of the same keys
 * are staged and not overwrite (err lists up to 20), or when a key would
 * be both a file and a folder; nothing is staged then.
 */
int package_merge(struct workspace *ws, const char *rev,
		  const struct merge_opts *o, struct merge_result *res,
		  struct strbuf *err);

#endif
