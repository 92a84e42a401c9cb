#include "quire-compat.h"
#include <pthread.h>
#include "mount/mount.h"
#include "chunked-hash.h"
#include "error.h"
#include "fetch.h"
#include "objects/odb.h"
#include "tempfile.h"
#include "vindex.h"
#include "wrapper.h"

/*
 * A large object fetched into a temporary file of the cache, a window
 * of parts at a time (the parts of a window in parallel), hashed as it
 * arrives. Readers are served bytes below the high-water mark; a read
 * that reaches the last byte waits for the hash. Verified, the file
 * becomes the cache's object; otherwise it is deleted, every reader
 * gets EIO, and the kernel forgets what it cached of the file.
 */
#define STREAM_WINDOW_PARTS 4

/*
 * A stream that failed stays listed this long, so the kernel's retries
 * of a read get EIO at once rather than another download each.
 */
#define STREAM_FAILED_SECONDS 30

enum stream_state {
	STREAM_RUNNING,
	STREAM_VERIFIED,
	STREAM_FAILED,
};

struct stream {
	struct stream *next;
	uint64_t ino;
	struct object_id oid;
	uint64_t size;
	char *physical;
	char *key;
	struct odb *cache;
	struct tempfile *tmp;
	int fd;			/* the bytes, for readers (a dup of tmp's) */
	pthread_mutex_t lock;
	pthread_cond_t moved;
	uint64_t avail;		/* bytes [0, avail) have arrived */
	enum stream_state state;
	time_t failed_at;
	int refs;		/* streams holds one while s is listed */
};

static pthread_mutex_t streams_lock = PTHREAD_MUTEX_INITIALIZER;
static struct stream *streams;

/* The whole-object hash of either type, fed in order. */
struct whole_hash {
	enum hash_type type;
	struct chunked_stream chunked;
	struct hash_ctx plain;
};

static void whole_hash_init(struct whole_hash *h, enum hash_type type,
			    uint64_t size)
{
	h->type = type;
	if (type == HASH_SHA256)
		hash_ctx_init(&h->plain);
	else
		chunked_stream_init(&h->chunked, size);
}

static void whole_hash_update(struct whole_hash *h, const void *p, size_t n)
{
	if (h->type == HASH_SHA256)
		hash_ctx_update(&h->plain, p, n);
	else
		chunked_stream_update(&h->chunked, p, n);
}

static void whole_hash_final(struct whole_hash *h, struct object_id *oid)
{
	if (h->type == HASH_SHA256) {
		oid->type = HASH_SHA256;
		hash_ctx_final(&h->plain, oid->hash);
		hash_ctx_release(&h->plain);
	} else {
		chunked_stream_final(&h->chunked, oid);
	}
}

/* Hash bytes [off, end) of the temp file. */
static int hash_window(struct stream *s, struct whole_hash *h, uint64_t off,
		       uint64_t end, char *buf, size_t bufsz,
		       struct strbuf *err)
{
	while (off < end) {
		size_t want = end - off < bufsz ? end - off : bufsz;
		ssize_t n = pread_in_full(s->fd, buf, want, (off_t)off);

		if (n != (ssize_t)want) {
			strbuf_addf(err, "cannot read back '%s': %s",
				    s->tmp->path, n < 0 ? strerror(errno) :
				    "short read");
			return QERR_GENERIC;
		}
		whole_hash_update(h, buf, n);
		off += n;
	}
	return 0;
}

static void set_state(struct stream *s, uint64_t avail,
		      enum stream_state state)
{
	pthread_mutex_lock(&s->lock);
	s->avail = avail;
	s->state = state;
	pthread_cond_broadcast(&s->moved);
	pthread_mutex_unlock(&s->lock);
}

/* Fetch and hash every window; 0 when the bytes hash to s->oid. */
static int fetch_all(struct stream *s, struct strbuf *err)
{
	uint64_t part = chunked_hash_part_size(s->size), off = 0;
	size_t bufsz = 1 << 20;
	char *buf = xmalloc(bufsz);
	struct whole_hash h;
	struct object_id got;
	int ret = 0;

	whole_hash_init(&h, s->oid.type, s->size);
	while (!ret && off < s->size) {
		struct fetch_range r[STREAM_WINDOW_PARTS];
		uint64_t at = off;
		size_t n;

		for (n = 0; n < STREAM_WINDOW_PARTS && at < s->size; n++) {
			r[n].off = at;
			r[n].len = s->size - at < part ? s->size - at : part;
			at += r[n].len;
		}
		ret = fetch_ranges(s->physical, s->size, r, n, s->fd, err);
		if (!ret)
			ret = hash_window(s, &h, off, at, buf, bufsz, err);
		if (!ret)
			set_state(s, at, STREAM_RUNNING);
		off = at;
	}
	whole_hash_final(&h, &got);
	if (!ret && !oideq(&got, &s->oid)) {
		strbuf_addf(err, "data does not match its hash: expected %s, "
			    "got ", oid_to_value(&s->oid));
		oid_add_value(err, &got);
		ret = QERR_CORRUPT;
	}
	free(buf);
	return ret;
}

/* Take s out of streams (under streams_lock); drops the list's ref. */
static void unlist_locked(struct stream *s)
{
	struct stream **p;

	for (p = &streams; *p && *p != s; p = &(*p)->next)
		;
	if (*p) {
		*p = s->next;
		stream_put(s);
	}
}

static void unlist(struct stream *s)
{
	pthread_mutex_lock(&streams_lock);
	unlist_locked(s);
	pthread_mutex_unlock(&streams_lock);
}

static void *stream_main(void *arg)
{
	struct stream *s = arg;
	struct strbuf err = STRBUF_INIT;
	int ret = fetch_all(s, &err);

	if (!ret)
		ret = odb_write_hashed_tempfile(s->cache, &s->tmp, &s->oid,
						&err);
	delete_tempfile(&s->tmp);
	if (ret) {
		mount_log("cannot read '%s': %s", s->key, err.buf);
		s->failed_at = time(NULL);
	}
	set_state(s, ret ? 0 : s->size, ret ? STREAM_FAILED :
		  STREAM_VERIFIED);
	/*
	 * Its bytes must not be read again, nor hold the disk. Readers
	 * read under the lock after looking at the state, so none is
	 * reading now.
	 */
	if (ret && ftruncate(s->fd, 0) < 0)
		mount_log("cannot truncate a failed download: %s",
			  strerror(errno));
	/*
	 * Only now that waiting readers have been answered (they hold the
	 * kernel's page locks, which dropping the pages waits for).
	 */
	if (ret)
		mount_forget_cache(s->ino);
	/* from now on a new reader finds the object in the cache */
	if (!ret)
		unlist(s);
	strbuf_release(&err);
	stream_put(s);
	return NULL;
}

static struct stream *stream_new(struct odb *cache, const struct vnode *n,
				 const char *key, struct strbuf *err)
{
	struct stream *s = xcalloc(1, sizeof(*s));

	s->tmp = create_tempfile_in(cache->tmpdir, "stream_", 0600, err);
	s->fd = s->tmp ? dup(s->tmp->fd) : -1;
	if (s->fd < 0) {
		if (s->tmp)
			strbuf_addf(err, "cannot dup: %s", strerror(errno));
		delete_tempfile(&s->tmp);
		free(s);
		return NULL;
	}
	s->ino = n->id;
	s->oid = n->oid;
	s->size = n->size;
	s->physical = xstrdup(n->physical.buf);
	s->key = xstrdup(key);
	s->cache = cache;
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->moved, NULL);
	s->refs = 3;	/* the caller's, the thread's and the list's */
	return s;
}

static int stream_failed_long_ago(struct stream *s)
{
	int ret;

	pthread_mutex_lock(&s->lock);
	ret = s->state == STREAM_FAILED &&
	      time(NULL) - s->failed_at >= STREAM_FAILED_SECONDS;
	pthread_mutex_unlock(&s->lock);
	return ret;
}

struct stream *stream_get(struct odb *cache, const struct vnode *n,
			  const char *key, struct strbuf *err)
{
	struct stream *s;
	pthread_t th;

	pthread_mutex_lock(&streams_lock);
	for (s = streams; s && !oideq(&s->oid, &n->oid); s = s->next)
		;
	if (s && stream_failed_long_ago(s)) {
		unlist_locked(s);	/* long enough: try again */
		s = NULL;
	}
	if (s) {
		pthread_mutex_lock(&s->lock);
		s->refs++;
		pthread_mutex_unlock(&s->lock);
	} else if ((s = stream_new(cache, n, key, err))) {
		if (pthread_create(&th, NULL, stream_main, s)) {
			strbuf_addf(err, "cannot start a thread");
			s->refs = 1;
			delete_tempfile(&s->tmp);
			stream_put(s);
			s = NULL;
		} else {
			pthread_detach(th);
			s->next = streams;
			streams = s;
		}
	}
	pthread_mutex_unlock(&streams_lock);
	return s;
}

void stream_put(struct stream *s)
{
	int last;

	pthread_mutex_lock(&s->lock);
	last = !--s->refs;
	pthread_mutex_unlock(&s->lock);
	if (!last)
		return;
	close(s->fd);
	free(s->physical);
	free(s->key);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->moved);
	free(s);
}

ssize_t stream_read(struct stream *s, char *buf, size_t len, uint64_t off)
{
	uint64_t end;
	ssize_t n;

	if (off >= s->size)
		return 0;
	end = s->size - off < len ? s->size : off + len;
	pthread_mutex_lock(&s->lock);
	while (s->state == STREAM_RUNNING &&
	       (end == s->size || s->avail < end))
		pthread_cond_wait(&s->moved, &s->lock);
	/* under the lock: a failure cannot truncate the file meanwhile */
	if (s->state == STREAM_FAILED)
		n = -EIO;
	else if ((n = pread_in_full(s->fd, buf, end - off, (off_t)off)) < 0)
		n = -errno;
	pthread_mutex_unlock(&s->lock);
	return n;
}

int stream_verified(struct stream *s)
{
	int ret;

	pthread_mutex_lock(&s->lock);
	ret = s->state == STREAM_VERIFIED;
	pthread_mutex_unlock(&s->lock);
	return ret;
}
