#ifndef FOLDER_CHECK_H
#define FOLDER_CHECK_H

#include "strbuf.h"

struct workspace;
struct entry_stream;
struct progress;

/*
 * Does a workspace's folder hold a version, byte for byte? What 'quire
 * verify' and 'quire hash' ask: every file an entry names is hashed and
 * compared with the entry's hash, and files no entry names are extra.
 */
struct folder_check_counts {
	uint64_t ok, changed, missing, extra;
	uint64_t skipped;	/* entries a partial install did not place */
};

/* One finding: what is "missing", "changed" or "extra"; key its key. */
typedef void folder_check_fn(const char *what, const char *key,
			     void *payload);

/*
 * Compare ws's folder with the entries of s (in quilt3 order), calling
 * fn (may be NULL) for each file that is not as the entry says, after
 * clearing the meter progress (may be NULL; it counts entries and
 * bytes). Files found intact refresh the stat cache on the way; when it
 * cannot be updated, why is put in warn (once) and the check goes on.
 * The index must be open. Returns 0 with the counts, or a negative qerr
 * with err.
 */
int folder_check(struct workspace *ws, struct entry_stream *s,
		 struct progress *progress, folder_check_fn *fn,
		 void *payload, struct folder_check_counts *counts,
		 struct strbuf *warn, struct strbuf *err);

/*
 * The workspace of the folder dir (the folder or one above it) for the
 * commands that take a folder operand (status, verify, hash): 0 with it
 * in *out (free with workspace_free()), or a negative qerr with err
 * saying that dir is no folder, or no quire folder, and what makes one.
 */
int folder_check_workspace(const char *dir, struct workspace **out,
			   struct strbuf *err);

/* 1 when counts say the folder holds the version exactly. */
int folder_check_matches(const struct folder_check_counts *counts);

#endif
