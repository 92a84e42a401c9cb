#ifndef CWD_KEY_H
#define CWD_KEY_H

#include "strbuf.h"

/*
 * Logical keys typed in a subfolder of a workspace. As git takes paths,
 * the commands that name staged entries (rm, mv, meta, set) take a key
 * relative to the current folder: in <root>/train, "1.jpg" is the entry
 * "train/1.jpg" and "../val/" the folder "val/". A key that starts with
 * ":/" is from the root whatever the current folder ("":/README.md").
 */

/*
 * The key arg names from the folder prefix ("" at the root, else the
 * folder relative to the root with a trailing '/'), into out (reset
 * first): '.' and empty components dropped, ".." taking one off, a
 * trailing '/' kept. 0, or QERR_GENERIC with err when arg climbs above
 * the root.
 */
int cwd_key(const char *prefix, const char *arg, struct strbuf *out,
	    struct strbuf *err);

#endif
