#ifndef MOUNT_MOUNT_H
#define MOUNT_MOUNT_H

#include <time.h>
#include "strbuf.h"

struct vindex;

/*
 * quire mount: a package version as a read-only FUSE folder. The tree
 * comes from the version's index (vindex.h); a file's bytes from the
 * user's cache, fetched there and verified on first read.
 */
struct mount_opts {
	const char *dir;		/* the mount point */
	const char *package;		/* "ns/name", or NULL */
	struct vindex *vx;
	time_t mtime;			/* of every file and folder */
	/* the rule on file:// physical keys: see checkout_opts */
	int from_registry;
	const char *local_root;
	int allow_local_files;
	unsigned prefetch;		/* files of a folder fetched ahead */
	int foreground;			/* else a daemon, logging to log_path */
	int allow_other;
	const char *log_path;
	int debug;			/* libfuse's own tracing */
};

/*
 * Mount, then serve until unmounted (in the background unless
 * o->foreground: the call returns in the parent once the mount is in
 * place, and the daemon child never returns). 0 once unmounted, or a
 * negative qerr with err when the mount could not be made.
 */
int mount_run(const struct mount_opts *o, struct strbuf *err);

/* Files this large or larger are streamed: served as they arrive. */
#define MOUNT_STREAM_MIN (16u << 20)

/* The log of a mount: stderr in the foreground, else its log file. */
void mount_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A large object being fetched, served while it arrives (stream.c). */
struct stream;
struct odb;
struct vnode;
/*
 * The stream of node n's object (started when new; one per object; key
 * names it in the log). Holds a reference: stream_put() drops it. NULL
 * with err when it cannot start.
 */
struct stream *stream_get(struct odb *cache, const struct vnode *n,
			  const char *key, struct strbuf *err);
void stream_put(struct stream *s);
/*
 * Copy up to len bytes at off into buf once they have arrived; a read
 * that reaches the object's last byte waits for the whole object to be
 * verified. The bytes read, or -errno (EIO when verification failed).
 */
ssize_t stream_read(struct stream *s, char *buf, size_t len, uint64_t off);
/* Has the stream ended with its bytes verified and in the cache? */
int stream_verified(struct stream *s);
/*
 * Make the kernel drop what it cached of file ino (bytes that failed
 * verification after some were served).
 */
void mount_forget_cache(uint64_t ino);

#endif
