#ifndef STATUS_H
#define STATUS_H

#include "hash.h"
#include "strbuf.h"

struct workspace;
struct json;

/*
 * What 'quire status' finds in a workspace: what is staged and not
 * committed (the index against HEAD), files of entries that are gone,
 * new files in added folders and, when asked, the ignored ones.
 */
struct status_item {
	/*
	 * A added, D deleted, M modified, m metadata, P the package's
	 * metadata ("(package)"), ! missing, ? new, I ignored
	 */
	char code;
	char *key;
	char *path;	/* the file, for ! ? I; else NULL */
};

struct status {
	struct workspace *ws;
	struct status_item *items;	/* staged, then new, then ignored */
	size_t nr, alloc;
	uint64_t local;		/* entries whose bytes are only local */
	int have_head;
	struct object_id head;
};

enum status_flags {
	STATUS_IGNORED = (1 << 0),	/* also the ignored files (I) */
};

/*
 * Fill s (zeroed by the caller) for ws, refreshing the index's stat
 * cache on the way (the refreshed hashes are kept when the index can
 * take them, else a warning says why). 0 or a negative qerr with err;
 * release s with status_release() either way.
 */
int status_collect(struct workspace *ws, unsigned flags, struct status *s,
		   struct strbuf *err);
void status_release(struct status *s);

/* The word of an item's code: "added", "missing", "new"... */
const char *status_word(char code);

/*
 * The object 'quire status --json' prints (quire-json(7)): name,
 * top_hash, changes [{status, logical_key}], local_entries. name may be
 * NULL. The caller frees it with json_free().
 */
struct json *status_json(const struct status *s, const char *name);

#endif
