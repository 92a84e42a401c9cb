#ifndef CACHE_H
#define CACHE_H

#include "objects/odb.h"

/*
 * The per-user cache, $XDG_CACHE_HOME/quire (~/.cache/quire): an object
 * store shared by every workspace and install of this user. Objects and
 * manifests fetched from registries land here, verified.
 */
void cache_path(struct strbuf *out);
/* Set up odb on the cache's store (creating it). 0 or QERR_GENERIC. */
int cache_odb(struct odb *odb, struct strbuf *err);

#endif
