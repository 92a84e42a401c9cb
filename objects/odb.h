#ifndef ODB_H
#define ODB_H

#include "hash.h"
#include "strbuf.h"
#include "tempfile.h"

/*
 * The content-addressed object store, .quire/objects:
 *   <type>/<2 hex>/<62 hex>     read-only object, named by its digest
 *   manifest/<2 hex>/<62 hex>   a manifest's top hash -> the SHA-256 (hex)
 *                               of its bytes, which are stored as a
 *                               SHA256 object
 *   tmp/                        temporary files, renamed into place
 * Bytes enter only through odb_write_*(), which hash what they store and
 * never keep lying bytes; readers verify before they serve.
 */
struct odb {
	char *dir;
	char *tmpdir;
	/*
	 * Objects are stored without an fsync each: for a cache whose
	 * readers all verify what they read, where an object lost or torn
	 * by a crash is only fetched again (quire mount's).
	 */
	int no_sync;
};

void odb_init(struct odb *odb, const char *dir);
void odb_release(struct odb *odb);
/* Create the folders of a new store. */
int odb_create(struct odb *odb, struct strbuf *err);

void odb_path(const struct odb *odb, const struct object_id *oid,
	      struct strbuf *path);
int odb_has(const struct odb *odb, const struct object_id *oid);

/*
 * Store copies of files: each is copied into tmp/, the copy is hashed
 * (in parallel) and moved to its name. oids[i] and sizes[i] (may be
 * NULL) receive the results. 0, or the first error (err says which file).
 */
int odb_write_files(struct odb *odb, const char **paths, size_t nr,
		    enum hash_type type, struct object_id *oids,
		    uint64_t *sizes, struct strbuf *err);

/*
 * Store a finished temporary file (not yet synced) as an object of type.
 * When expect is given and the bytes do not match, nothing is stored and
 * QERR_CORRUPT is returned. *tmp is consumed either way.
 */
int odb_write_tempfile(struct odb *odb, struct tempfile **tmp,
		       enum hash_type type, const struct object_id *expect,
		       struct object_id *oid, struct strbuf *err);

/*
 * The same for a file whose every byte the caller hashed to oid as it
 * wrote them (a stream that was verified on the way), without reading
 * it again. The caller's own descriptors of the file stay open.
 */
int odb_write_hashed_tempfile(struct odb *odb, struct tempfile **tmp,
			      const struct object_id *oid,
			      struct strbuf *err);

/*
 * Open an object after checking every byte against its name. Returns 0
 * with *fd open at offset 0 (caller closes), QERR_NOTFOUND, or
 * QERR_CORRUPT (err says what to do).
 */
int odb_open_verified(const struct odb *odb, const struct object_id *oid,
		      int *fd, uint64_t *size, struct strbuf *err);

/*
 * Manifests. odb_write_manifest() stores the manifest in *tmp (whose
 * bytes have the SHA-256 bytes_sha256 and whose top hash is top) and
 * records it under its top hash.
 */
int odb_write_manifest(struct odb *odb, struct tempfile **tmp,
		       const struct object_id *top,
		       const unsigned char *bytes_sha256, struct strbuf *err);
int odb_has_manifest(const struct odb *odb, const struct object_id *top);
/* A verified manifest open for reading (caller fcloses). */
int odb_open_manifest(const struct odb *odb, const struct object_id *top,
		      FILE **fp, struct strbuf *err);
/*
 * The manifest whose top hash starts with hex (at least 6 digits).
 * QERR_NOTFOUND, or QERR_GENERIC when ambiguous (err lists candidates).
 */
int odb_find_manifest(const struct odb *odb, const char *hex,
		      struct object_id *top, struct strbuf *err);

#endif
