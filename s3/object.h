#ifndef S3_OBJECT_H
#define S3_OBJECT_H

#include "s3/s3.h"

/*
 * Moving whole objects, many at once. Objects of 8 MiB and more go up
 * as multipart uploads cut like the sha2-256-chunked hash, and come down
 * as ranged GETs of the same parts, in parallel. Every byte sent is
 * checked against the expected hash before the upload is completed.
 */
struct s3_object {
	const char *bucket;
	const char *key;
	const char *version;	/* get: a version id, or NULL */
	int fd;			/* get: written from 0; put: read from 0 */
	const char *path;	/* put, fd -1: the file to read, opened
				 * only while it is read */
	uint64_t size;		/* put: bytes of fd (or path); get:
				 * expected, or S3_SIZE_UNKNOWN */
	const struct object_id *expect;	/* put: the bytes' hash, or NULL */
	/* get: only bytes [range_off, range_off + range_len), written at
	 * the same offsets of fd, in one request (range_len 0: all) */
	uint64_t range_off, range_len;
	int if_absent;		/* put: never replace an object at key */
	int seen_absent;	/* put: the caller just found none there */
	/* answers */
	struct strbuf version_id;	/* put: the new version, if any */
	struct strbuf meta_hash;	/* get: x-amz-meta-quire-hash, if any */
	struct strbuf etag;		/* get: the ETag of a whole object */
	int ret;		/* QERR_EXISTS when if_absent found one */
	struct strbuf err;
};
#define S3_SIZE_UNKNOWN UINT64_MAX

void s3_object_init(struct s3_object *o, const char *bucket, const char *key,
		    int fd);
void s3_object_release(struct s3_object *o);

/*
 * The server answered 501 to If-None-Match on a PUT: from now on, a put
 * with if_absent looks with a HEAD first instead of asking again.
 */
void s3_no_conditional_put(void);

/* Each object's ret says how it went; the first failure is returned. */
int s3_get_objects(struct s3_client *c, struct s3_object *o, size_t nr);
int s3_put_objects(struct s3_client *c, struct s3_object *o, size_t nr);

struct s3_head {
	uint64_t size;
	struct strbuf etag, version_id, meta_hash;
};
void s3_head_init(struct s3_head *h);
void s3_head_release(struct s3_head *h);
/* 0, QERR_NOTFOUND, or another QERR with err. version may be NULL. */
int s3_head_object(struct s3_client *c, const char *bucket, const char *key,
		   const char *version, struct s3_head *h, struct strbuf *err);

/* Small objects: read into out (at most max bytes), with the ETag. */
int s3_get_small(struct s3_client *c, const char *bucket, const char *key,
		 struct strbuf *out, size_t max, struct strbuf *etag,
		 struct strbuf *err);
/*
 * Write a small object from memory. if_match: replace only the object
 * with that ETag; if_none_match: only when there is none (QERR_STALE
 * otherwise; QERR_USAGE when the server cannot do conditional writes).
 */
int s3_put_small(struct s3_client *c, const char *bucket, const char *key,
		 const char *data, size_t len, const char *if_match,
		 int if_none_match, struct strbuf *err);
int s3_delete_object(struct s3_client *c, const char *bucket,
		     const char *key, struct strbuf *err);

/*
 * Each object below prefix (ListObjectsV2, page by page, parsed as it
 * arrives), in the server's (byte) order; stops at fn's non-zero.
 */
int s3_list(struct s3_client *c, const char *bucket, const char *prefix,
	    int (*fn)(const char *key, uint64_t size, void *payload),
	    void *payload, struct strbuf *err);

/*
 * Which of the keys k[0..nr) (distinct, in any order) exist: answered
 * by listing the folder they share (ListObjectsV2), in place of a HEAD
 * each. For many keys in one folder a page answers up to 1,000 of them;
 * pages start just before the next key sought, so other keys between
 * them are skipped. Each state becomes S3_KEY_ABSENT, or S3_KEY_LISTED
 * with the size listed, or stays S3_KEY_UNKNOWN where listing would cost
 * the server more than a HEAD each (the keys are sparse among others),
 * or when the listing failed (its error is returned, in err too). A
 * listing tells nothing of an object's metadata, and a server whose
 * listings lag behind its writes may call an object absent that was
 * just written: rely on it only where that costs an upload, not bytes.
 */
enum s3_key_state {
	S3_KEY_UNKNOWN,
	S3_KEY_ABSENT,
	S3_KEY_LISTED,
};
struct s3_key {
	const char *key;
	enum s3_key_state state;
	uint64_t size;		/* listed */
};
int s3_list_keys(struct s3_client *c, const char *bucket, struct s3_key *k,
		 size_t nr, struct strbuf *err);

/* 1 when the bucket keeps versions, 0 when not; QERR_NOTFOUND if absent. */
int s3_bucket_versioning(struct s3_client *c, const char *bucket,
			 struct strbuf *err);

/* "x-amz-meta-quire-hash" value for oid: "<type>:<value>". */
void s3_meta_hash(struct strbuf *out, const struct object_id *oid);

#endif
