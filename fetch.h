#ifndef FETCH_H
#define FETCH_H

#include "hash.h"
#include "strbuf.h"

struct odb;
struct registry;

/*
 * Fetch the manifest top from reg into dst, verified: it is read with
 * quire's checks, its top hash must be top, and dst stores it in quilt3's
 * bytes. A manifest already in dst is not fetched again. A download that
 * is no manifest or hashes to another top is fetched again (3 tries in
 * all): QERR_CORRUPT when two downloads bring the same wrong bytes (the
 * registry's copy is bad; err says to run fsck), QERR_GENERIC when each
 * brought other ones (the transfers were damaged; err says to retry).
 */
int fetch_manifest(struct odb *dst, struct registry *reg,
		   const struct object_id *top, struct strbuf *err);

/*
 * Make sure cache holds the object oid (of size bytes; UINT64_MAX when
 * unknown), fetching it from its physical key when needed; the bytes
 * are verified before they land, and no more than size are read.
 * *fetched says whether anything was transferred.
 */
int fetch_object(struct odb *cache, const char *physical,
		 const struct object_id *oid, uint64_t size, int *fetched,
		 struct strbuf *err);

/*
 * Many objects at once (S3 downloads run in parallel). Each item's ret
 * and err tell how it went; the first failure is returned, with its
 * message in err. Objects already in the cache are not fetched. An S3
 * download whose bytes do not match the hash is fetched again, as
 * fetch_manifest() does: QERR_CORRUPT when two downloads agree on the
 * wrong bytes (the object stored at the key is bad), QERR_GENERIC when
 * three all differ.
 */
struct fetch_item {
	const char *physical;
	struct object_id oid;
	uint64_t size;		/* expected; UINT64_MAX when unknown */
	int fetched;
	int ret;
	struct strbuf err;
};
void fetch_item_init(struct fetch_item *it, const char *physical,
		     const struct object_id *oid, uint64_t size);
void fetch_item_release(struct fetch_item *it);
int fetch_objects(struct odb *cache, struct fetch_item *items, size_t nr,
		  struct strbuf *err);

/*
 * The same, but each object is downloaded into a new temporary file in
 * tmpdir (with mode), verified there, and handed over in out[i] (NULL
 * for an item that failed): for bytes that go straight into place, with
 * no copy in a store. Nothing is synced.
 */
struct tempfile;
int fetch_objects_into(const char *tmpdir, mode_t mode,
		       struct fetch_item *items, size_t nr,
		       struct tempfile **out, struct strbuf *err);

/*
 * Parts of one object, unverified, for a reader that streams it and
 * hashes the whole itself: bytes [off, off + len) of the object at
 * physical (of size bytes) are written at the same offsets of fd. The
 * ranges of one call are fetched in parallel. 0, or the first failure
 * (err says which).
 */
struct fetch_range {
	uint64_t off, len;
};
int fetch_ranges(const char *physical, uint64_t size,
		 const struct fetch_range *r, size_t nr, int fd,
		 struct strbuf *err);

/*
 * Open the local (file://) object at path for reading: a regular file
 * only (never a device, FIFO or socket that a manifest names), holding
 * exactly size bytes (size may be UINT64_MAX: unknown), so a manifest
 * cannot make quire read without end. physical names it in messages.
 * QERR_CORRUPT when it is no such file.
 */
int fetch_open_local(const char *path, const char *physical, uint64_t size,
		     int *fd, struct strbuf *err);

#endif
