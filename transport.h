#ifndef TRANSPORT_H
#define TRANSPORT_H

#include "hash.h"
#include "strbuf.h"

/*
 * Where a registry's bytes live. A transport reads and writes objects by
 * key (a '/'-separated path below the registry's root). file:// is here;
 * s3:// drops in beside it with the same operations.
 */
struct transport;

enum transport_put_flags {
	TRANSPORT_NO_OVERWRITE = (1 << 0),	/* QERR_EXISTS if present */
	/* ... unless the store is versioned: the old bytes stay there */
	TRANSPORT_VERSIONS_KEEP = (1 << 1),
	/*
	 * The caller found no object at the key just now: where the store
	 * cannot refuse to overwrite by itself, it need not look again.
	 */
	TRANSPORT_SEEN_ABSENT = (1 << 2),
};

/*
 * One object to move, for the batch operations: many objects at once,
 * in parallel where the transport can.
 */
struct transfer {
	const char *key;
	const char *version;	/* get: a version id, or NULL */
	int fd;			/* get: written; put: read from offset 0 */
	/*
	 * put, with fd -1: the file to read. A transport opens it only
	 * when its bytes are sent, so a batch of any size holds few files
	 * open at once.
	 */
	const char *path;
	uint64_t size;		/* get: expected (or TRANSFER_SIZE_UNKNOWN);
				 * stat: expected (or unknown), then found */
	const struct object_id *expect;	/* put: the bytes' hash */
	unsigned flags;		/* put: enum transport_put_flags */
	/* answers */
	struct object_id hash;	/* stat, get: recorded by quire, if has_hash */
	int has_hash;
	struct strbuf version_id;	/* put, stat: the version, if any */
	struct strbuf etag;		/* get: the server's ETag, if any */
	/*
	 * stat: answered from a listing of many keys, not by the object:
	 * absent when listed, or of another size than expected (with
	 * size, without hash and version). A listing may lag behind a
	 * write another client just made.
	 */
	int listed;
	int ret;
	struct strbuf err;
};
#define TRANSFER_SIZE_UNKNOWN UINT64_MAX
void transfer_init(struct transfer *x, const char *key, int fd);
void transfer_release(struct transfer *x);

struct transport_ops {
	/* Copy the object's bytes to out_fd. QERR_NOTFOUND if absent. */
	int (*get)(struct transport *t, const char *key, int out_fd,
		   struct strbuf *err);
	/*
	 * Store the bytes of in_fd (from offset 0) under key, atomically.
	 * When expect is given, the bytes stored must hash to it, or
	 * nothing is stored (QERR_CORRUPT). version_id (may be NULL)
	 * receives the server's version, if any.
	 */
	int (*put)(struct transport *t, const char *key, int in_fd,
		   const struct object_id *expect, unsigned flags,
		   struct strbuf *version_id, struct strbuf *err);
	/*
	 * Replace the small object at key with data only if it currently
	 * holds expect (expect NULL: only if it does not exist). QERR_STALE
	 * with the current contents in current otherwise.
	 */
	int (*put_if)(struct transport *t, const char *key, const char *data,
		      size_t len, const char *expect, struct strbuf *current,
		      struct strbuf *err);
	/* 0 with *size, or QERR_NOTFOUND. */
	int (*head)(struct transport *t, const char *key, uint64_t *size,
		    struct strbuf *err);
	/* Each key below prefix, in byte order; stops at fn's non-zero. */
	int (*list)(struct transport *t, const char *prefix,
		    int (*fn)(const char *key, void *payload), void *payload,
		    struct strbuf *err);
	int (*del)(struct transport *t, const char *key, struct strbuf *err);
	/* The physical key (URL) of key, with its version when given. */
	void (*physical_key)(struct transport *t, const char *key,
			     const char *version_id, struct strbuf *out);
	/*
	 * Batches (may be NULL: one at a time through get, put, head).
	 * Each transfer's ret tells how it went; the first failure is
	 * returned. stat: 0 with size (and the hash quire recorded, if
	 * any), or QERR_NOTFOUND; a size the caller gives lets a store
	 * that lists many keys at once skip asking for objects listed
	 * with another size.
	 */
	int (*get_many)(struct transport *t, struct transfer *x, size_t nr);
	int (*put_many)(struct transport *t, struct transfer *x, size_t nr);
	int (*stat_many)(struct transport *t, struct transfer *x, size_t nr);
	/*
	 * Does the store refuse, by itself and atomically, to write an
	 * object where one exists (TRANSPORT_NO_OVERWRITE, put_if)? 1 or
	 * 0, or a negative qerr when it cannot tell (err says why). May
	 * ask the server once; see transport_conditional().
	 */
	int (*conditional)(struct transport *t, struct strbuf *err);
	void (*free)(struct transport *t);
};

struct transport {
	const struct transport_ops *ops;
	char *url;		/* for messages: never holds credentials */
	int local;		/* on this machine (file://) */
	char *path;		/* local: the registry's folder (absolute) */
	int conditional;	/* transport_conditional(); -1: not asked */
	int versioned;		/* old bytes stay reachable by version id */
	int put_paths;		/* put_many opens transfer paths itself */
};

/*
 * Can concurrent writers of different bytes to one key be told apart by
 * the store itself (1)? Where not (0: an unversioned S3 bucket on a
 * server without conditional writes), a writer must choose keys that
 * no writer of other bytes can choose. Asked once per transport.
 */
int transport_conditional(struct transport *t, struct strbuf *err);

int transport_get_many(struct transport *t, struct transfer *x, size_t nr);
int transport_put_many(struct transport *t, struct transfer *x, size_t nr);
int transport_stat_many(struct transport *t, struct transfer *x, size_t nr);

/*
 * Open the registry at url: "file:///abs", an absolute or relative path,
 * or "s3://bucket/prefix". QERR_NOTFOUND when a file:// root does not
 * exist (create it with TRANSPORT_CREATE).
 */
enum transport_open_flags {
	TRANSPORT_CREATE = (1 << 0),
};
int transport_open(const char *url, unsigned flags, struct transport **out,
		   struct strbuf *err);
void transport_free(struct transport *t);

/* Read a small object (at most max bytes) into out. */
int transport_get_small(struct transport *t, const char *key,
			struct strbuf *out, size_t max, struct strbuf *err);

/* The file:// transport (transport-file.c). */
int transport_file_open(const char *root, unsigned flags,
			struct transport **out, struct strbuf *err);
/* The s3:// transport (transport-s3.c). */
int transport_s3_open(const char *url, unsigned flags,
		      struct transport **out, struct strbuf *err);

#endif
