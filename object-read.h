#ifndef OBJECT_READ_H
#define OBJECT_READ_H

#include "hash.h"
#include "strbuf.h"

struct workspace;

/*
 * Find the entry key in version rev and copy its bytes to out_fd,
 * through the user's cache (fetched there and verified when missing).
 * QERR_NOTFOUND when the version has no such key. A version from a
 * registry is read only from that registry's files, unless allow_local
 * (see checkout_opts): QERR_USAGE.
 */
int read_entry(struct workspace *ws, const char *registry, int allow_local,
	       const char *rev, const char *key, int out_fd,
	       struct strbuf *err);

#endif
