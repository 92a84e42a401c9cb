#ifndef CHUNKED_HASH_H
#define CHUNKED_HASH_H

#include "hash.h"

/*
 * sha2-256-chunked: the file is cut into parts of 8 MiB, doubled until
 * there are at most 10,000 parts; the value is SHA-256 over the
 * concatenated SHA-256 digests of the parts (S3's multipart checksum).
 * A 0-byte file has no parts: SHA-256 of nothing.
 */
#define CHUNKED_HASH_MIN_PART (8u << 20)
#define CHUNKED_HASH_MAX_PARTS 10000

uint64_t chunked_hash_part_size(uint64_t size);

/*
 * One file to hash. Fill in path (or an open fd, with path used only in
 * messages) and type; hash_files() fills in oid and size, or ret < 0 with
 * the reason in err (QERR_NOTFOUND: there is no file at path).
 */
struct hash_job {
	const char *path;
	int fd;			/* -1: open path */
	enum hash_type type;
	/* results */
	struct object_id oid;
	uint64_t size;
	int ret;
	struct strbuf err;
	/*
	 * The file's fstat() when it was opened, and whether a second
	 * fstat() after the last byte was read gave the same size, times
	 * and inode (then the hash is of the bytes the stat describes).
	 * not_regular: ret is an error because it is no regular file.
	 */
	struct stat st;
	int unchanged, not_regular;
	/* private to chunked-hash.c */
	void *priv;
};

void hash_job_init(struct hash_job *job, const char *path, int fd,
		   enum hash_type type);
void hash_job_release(struct hash_job *job);

/*
 * Hash every job on up to nthreads threads (0: one per CPU), the caller's
 * and the process's thread pool's (thread-pool.h; no thread is created
 * per call). Large files are split so their parts are hashed in parallel
 * too; one file of one part is hashed on the caller's thread alone.
 * Files of a folder are opened relative to it. Returns 0 when every job
 * succeeded, else the first failing job's ret.
 */
int hash_files(struct hash_job *jobs, size_t nr, int nthreads);

/* Hash one file; returns 0 or a negative qerr with the reason in err. */
int hash_path(const char *path, enum hash_type type, struct object_id *oid,
	      uint64_t *size, struct strbuf *err);

/* Hash the open file fd (name for messages); 0 or a qerr with err. */
int hash_fd(int fd, const char *name, enum hash_type type,
	    struct object_id *oid, struct strbuf *err);

/*
 * sha2-256-chunked over bytes that arrive in pieces (a download): size
 * is the object's full size, which fixes the part size. final releases.
 */
struct chunked_stream {
	uint64_t part_size, in_part, total;
	struct hash_ctx part, outer;
};
void chunked_stream_init(struct chunked_stream *s, uint64_t size);
void chunked_stream_update(struct chunked_stream *s, const void *data,
			   size_t len);
void chunked_stream_final(struct chunked_stream *s, struct object_id *oid);

/* Hash a buffer in memory (for tests and small data). */
void hash_buffer(const void *data, size_t len, enum hash_type type,
		 struct object_id *oid);

#endif
