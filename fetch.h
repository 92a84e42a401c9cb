#ifndef FETCH_H
#define FETCH_H

#include "hash.h"
#include "strbuf.h"

struct odb;
struct registry;

/*
 * Fetch the manifest top from reg into dst, verified: it is read with
 * quire's checks, its top hash must be top, and dst stores it in quilt3's
 * bytes. A manifest already in dst is not fetched again.
 */
int fetch_manifest(struct odb *dst, struct registry *reg,
		   const struct object_id *top, struct strbuf *err);

/*
 * Make sure cache holds the object oid (of size bytes), fetching it from
 * its physical key when needed; the bytes are verified before they land.
 * *fetched says whether anything was transferred.
 */
int fetch_object(struct odb *cache, const char *physical,
		 const struct object_id *oid, int *fetched,
		 struct strbuf *err);

/* Open the bytes at a physical key for reading (file:// only for now). */
int open_physical(const char *physical, int *fd, struct strbuf *err);

#endif
