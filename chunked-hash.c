#include "quire-compat.h"
#include "chunked-hash.h"
#include "thread-pool.h"
#include "trace.h"
#include <pthread.h>

#define READ_BLOCK (1u << 20)

uint64_t chunked_hash_part_size(uint64_t size)
{
	uint64_t part = CHUNKED_HASH_MIN_PART;

	while ((size + part - 1) / part > CHUNKED_HASH_MAX_PARTS)
		part *= 2;
	return part;
}

/* What is known about a job once its file is open. */
struct job_state {
	int fd, close_fd;
	uint64_t nparts, part_size;
	uint64_t next_part;	/* next part to hand out */
	uint64_t parts_done;
	unsigned char *digests;	/* nparts * HASH_RAWSZ */
	unsigned char one[HASH_RAWSZ];	/* digests of a one-part file */
	int failed;
};

struct pool {
	pthread_mutex_t lock;
	struct hash_job *jobs;
	size_t nr;
	size_t next_job;	/* next job nobody has opened */
	/* jobs with parts still to hand out, in job order */
	size_t *open_jobs;
	size_t open_nr, open_alloc;
};

/*
 * A worker's open folder: files of the folder it opened last are opened
 * relative to it, so the kernel looks up one name, not the whole path.
 * It lives for one hash_files() call (a folder replaced later is not
 * seen through a stale descriptor).
 */
struct dir_cache {
	struct strbuf dir;
	int fd;
};
#define DIR_CACHE_INIT { STRBUF_INIT, -1 }

static void dir_cache_release(struct dir_cache *dc)
{
	if (dc->fd >= 0)
		close(dc->fd);
	dc->fd = -1;
	strbuf_release(&dc->dir);
}

/* open(path, flags), relative to the cached folder when path is in it. */
static int open_in(struct dir_cache *dc, const char *path, int flags)
{
	const char *slash = strrchr(path, '/');
	size_t len;

	if (!slash || slash == path)
		return open(path, flags);
	len = slash - path;
	if (dc->fd < 0 || dc->dir.len != len ||
	    memcmp(dc->dir.buf, path, len)) {
		if (dc->fd >= 0)
			close(dc->fd);
		strbuf_reset(&dc->dir);
		strbuf_add(&dc->dir, path, len);
		dc->fd = open(dc->dir.buf, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (dc->fd < 0) {
			strbuf_reset(&dc->dir);
			return open(path, flags);
		}
	}
	return openat(dc->fd, slash + 1, flags);
}

void hash_job_init(struct hash_job *job, const char *path, int fd,
		   enum hash_type type)
{
	memset(job, 0, sizeof(*job));
	job->path = path;
	job->fd = fd;
	job->type = type;
	strbuf_init(&job->err, 0);
}

void hash_job_release(struct hash_job *job)
{
	strbuf_release(&job->err);
}

static void job_fail(struct hash_job *job, int ret, const char *fmt, ...)
	PRINTF_LIKE(3, 4);
static void job_fail(struct hash_job *job, int ret, const char *fmt, ...)
{
	va_list ap;

	if (job->ret)
		return;
	job->ret = ret;
	va_start(ap, fmt);
	strbuf_vaddf(&job->err, fmt, ap);
	va_end(ap);
}

/* Digest bytes [off, off + len) of fd; 0 or -1 (errno, or 0 if short). */
static int digest_range(int fd, uint64_t off, uint64_t len, char *buf,
			struct hash_ctx *ctx, unsigned char *out)
{
	while (len) {
		size_t want = len < READ_BLOCK ? (size_t)len : READ_BLOCK;
		ssize_t n = pread_in_full(fd, buf, want, (off_t)off);

		if (n < 0)
			return -1;
		if ((size_t)n < want) {
			errno = 0;
			return -1;
		}
		hash_ctx_update(ctx, buf, want);
		off += want;
		len -= want;
	}
	hash_ctx_final(ctx, out);
	return 0;
}

static void range_error(struct hash_job *job)
{
	if (errno)
		job_fail(job, QERR_GENERIC, "cannot read '%s': %s", job->path,
			 strerror(errno));
	else
		job_fail(job, QERR_CORRUPT, "'%s' changed size while it was "
			 "being hashed; try again when it is not being written",
			 job->path);
}

/* Open the job's file and work out its parts. 0 or -1 (job->ret set). */
static int open_job(struct hash_job *job, struct job_state *st,
		    struct dir_cache *dc)
{
	struct stat *sb = &job->st;

	st->fd = job->fd;
	if (st->fd < 0) {
		/* O_NONBLOCK: a FIFO put in a file's place does not hang us */
		st->fd = open_in(dc, job->path,
				 O_RDONLY | O_CLOEXEC | O_NONBLOCK);
		if (st->fd < 0) {
			/* no file there, as stat() would say */
			int gone = errno == ENOENT || errno == ENOTDIR ||
				   errno == ELOOP;

			job_fail(job, gone ? QERR_NOTFOUND : QERR_GENERIC,
				 "cannot open '%s': %s", job->path,
				 strerror(errno));
			return -1;
		}
		st->close_fd = 1;
	}
	if (fstat(st->fd, sb) < 0) {
		job_fail(job, QERR_GENERIC, "cannot stat '%s': %s", job->path,
			 strerror(errno));
		return -1;
	}
	if (!S_ISREG(sb->st_mode)) {
		job->not_regular = 1;
		job_fail(job, QERR_GENERIC, "'%s' is not a regular file",
			 job->path);
		return -1;
	}
	job->size = sb->st_size;
#ifdef POSIX_FADV_SEQUENTIAL
	if (job->size > READ_BLOCK)
		posix_fadvise(st->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
	if (job->type == HASH_SHA2_256_CHUNKED) {
		st->part_size = chunked_hash_part_size(job->size);
		st->nparts = (job->size + st->part_size - 1) / st->part_size;
	} else {
		st->part_size = job->size;
		st->nparts = 1;
	}
	st->digests = st->nparts <= 1 ? st->one :
		      xmalloc(st_mult(st->nparts, HASH_RAWSZ));
	return 0;
}

static int same_stat(const struct stat *a, const struct stat *b)
{
	return a->st_size == b->st_size && a->st_ino == b->st_ino &&
	       a->st_dev == b->st_dev &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	       a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	       a->st_ctim.tv_sec == b->st_ctim.tv_sec &&
	       a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

static void finish_job(struct hash_job *job, struct job_state *st,
		       struct hash_ctx *ctx)
{
	if (!job->ret) {
		struct stat after;

		trace_add(TRACE_HASHED_FILES, 1);
		trace_add(TRACE_HASHED_BYTES, job->size);
		job->oid.type = job->type;
		if (job->type == HASH_SHA2_256_CHUNKED) {
			hash_ctx_update(ctx, st->digests,
					st->nparts * HASH_RAWSZ);
			hash_ctx_final(ctx, job->oid.hash);
		} else {
			memcpy(job->oid.hash, st->digests, HASH_RAWSZ);
		}
		/* did the file change while we read it? */
		job->unchanged = !fstat(st->fd, &after) &&
				 same_stat(&job->st, &after);
	}
	if (st->close_fd && st->fd >= 0)
		close(st->fd);
	if (st->digests != st->one)
		free(st->digests);
	st->digests = NULL;
}

/*
 * Take the next unit of work: a part of a file already open, else open
 * the next file. Returns 0 with *job_nr and *part set, or -1 when done.
 */
static int take_work(struct pool *p, struct dir_cache *dc, size_t *job_nr,
		     uint64_t *part)
{
	for (;;) {
		struct hash_job *job;
		struct job_state *st;

		pthread_mutex_lock(&p->lock);
		while (p->open_nr) {
			size_t j = p->open_jobs[0];

			st = p->jobs[j].priv;
			if (st->next_part < st->nparts && !st->failed) {
				*job_nr = j;
				*part = st->next_part++;
				pthread_mutex_unlock(&p->lock);
				return 0;
			}
			memmove(p->open_jobs, p->open_jobs + 1,
				--p->open_nr * sizeof(*p->open_jobs));
		}
		if (p->next_job >= p->nr) {
			pthread_mutex_unlock(&p->lock);
			return -1;
		}
		*job_nr = p->next_job++;
		pthread_mutex_unlock(&p->lock);

		job = &p->jobs[*job_nr];
		st = job->priv;
		if (open_job(job, st, dc) < 0) {
			finish_job(job, st, NULL);
			continue;
		}
		if (st->nparts <= 1) {
			st->next_part = st->nparts;
			*part = 0;
			return 0;
		}
		pthread_mutex_lock(&p->lock);
		st->next_part = 1;
		ALLOC_GROW(p->open_jobs, p->open_nr + 1, p->open_alloc);
		p->open_jobs[p->open_nr++] = *job_nr;
		pthread_mutex_unlock(&p->lock);
		*part = 0;
		return 0;
	}
}

/*
 * One read buffer per thread, kept: the pool's threads live long. Other
 * threads (a transport's workers) call in too, and end: the key's
 * destructor frees their buffer then.
 */
static pthread_key_t read_buf_key;
static pthread_once_t read_buf_once = PTHREAD_ONCE_INIT;

static void read_buf_key_create(void)
{
	if (pthread_key_create(&read_buf_key, free))
		die("cannot create a thread-specific key");
}

static char *thread_read_buf(void)
{
	char *buf;

	pthread_once(&read_buf_once, read_buf_key_create);
	buf = pthread_getspecific(read_buf_key);
	if (!buf) {
		buf = xmalloc(READ_BLOCK);
		pthread_setspecific(read_buf_key, buf);
	}
	return buf;
}

/* Hash part of job j (the whole file when it has one part). */
static void do_part(struct pool *p, size_t j, uint64_t part,
		    struct hash_ctx *ctx)
{
	struct hash_job *job = &p->jobs[j];
	struct job_state *st = job->priv;
	uint64_t off = part * st->part_size;
	uint64_t len = st->part_size;
	char *read_buf;
	int last, ok = 1;

	if (st->nparts == 0) {
		finish_job(job, st, ctx);
		return;
	}
	read_buf = thread_read_buf();
	if (off + len > job->size)
		len = job->size - off;
	if (!st->failed &&
	    digest_range(st->fd, off, len, read_buf, ctx,
			 st->digests + part * HASH_RAWSZ) < 0)
		ok = 0;
	if (st->nparts == 1) {
		/* nobody else has a part of it: no lock to take */
		if (!ok) {
			st->failed = 1;
			range_error(job);
		}
		st->parts_done = 1;
		finish_job(job, st, ctx);
		return;
	}
	pthread_mutex_lock(&p->lock);
	if (!ok && !st->failed) {
		st->failed = 1;
		range_error(job);
	}
	st->parts_done++;
	last = st->parts_done == st->nparts ||
	       (st->failed && st->parts_done == st->next_part);
	pthread_mutex_unlock(&p->lock);
	if (last)
		finish_job(job, st, ctx);
}

static void worker(void *arg)
{
	struct pool *p = arg;
	struct hash_ctx ctx = HASH_CTX_INIT;
	struct dir_cache dc = DIR_CACHE_INIT;
	size_t j;
	uint64_t part;

	hash_ctx_init(&ctx);
	while (!take_work(p, &dc, &j, &part))
		do_part(p, j, part, &ctx);
	hash_ctx_release(&ctx);
	dir_cache_release(&dc);
}

int hash_files(struct hash_job *jobs, size_t nr, int nthreads)
{
	struct pool p;
	struct tp_group g = TP_GROUP_INIT;
	struct job_state one_state, *states;
	size_t i, units = nr;
	int n, ret = 0;

	if (!nr)
		return 0;
	if (nthreads <= 0)
		nthreads = tp_threads();
	memset(&p, 0, sizeof(p));
	pthread_mutex_init(&p.lock, NULL);
	p.jobs = jobs;
	p.nr = nr;
	memset(&one_state, 0, sizeof(one_state));
	states = nr == 1 ? &one_state : xcalloc(nr, sizeof(*states));
	for (i = 0; i < nr; i++) {
		states[i].fd = -1;
		jobs[i].priv = &states[i];
		jobs[i].ret = 0;
		jobs[i].unchanged = 0;
		jobs[i].not_regular = 0;
	}
	if (nr == 1) {
		/* one file: threads only for a file of several parts */
		struct dir_cache dc = DIR_CACHE_INIT;
		size_t j;
		uint64_t part;

		if (!take_work(&p, &dc, &j, &part)) {
			units = states[0].nparts;
			if (units <= 1) {
				struct hash_ctx ctx = HASH_CTX_INIT;

				hash_ctx_init(&ctx);
				do_part(&p, j, part, &ctx);
				hash_ctx_release(&ctx);
				units = 0;
			} else {
				/* part 0 is ours: give it back to the pool */
				pthread_mutex_lock(&p.lock);
				states[0].next_part = 0;
				pthread_mutex_unlock(&p.lock);
			}
		}
		dir_cache_release(&dc);
	}
	/* the caller works too; helpers from the pool for the rest */
	for (n = 1; units > 1 && n < nthreads && (size_t)n < units; n++)
		tp_submit(&g, worker, &p);
	if (units)
		worker(&p);
	tp_wait(&g);
	for (i = 0; i < nr; i++) {
		jobs[i].priv = NULL;
		if (jobs[i].ret && !ret)
			ret = jobs[i].ret;
	}
	if (states != &one_state)
		free(states);
	free(p.open_jobs);
	pthread_mutex_destroy(&p.lock);
	return ret;
}

int hash_path(const char *path, enum hash_type type, struct object_id *oid,
	      uint64_t *size, struct strbuf *err)
{
	struct hash_job job;
	int ret;

	hash_job_init(&job, path, -1, type);
	ret = hash_files(&job, 1, 0);
	if (ret)
		strbuf_addbuf(err, &job.err);
	else {
		*oid = job.oid;
		if (size)
			*size = job.size;
	}
	hash_job_release(&job);
	return ret;
}

void hash_buffer(const void *data, size_t len, enum hash_type type,
		 struct object_id *oid)
{
	const unsigned char *p = data;
	uint64_t part = chunked_hash_part_size(len);
	struct hash_ctx outer = HASH_CTX_INIT;
	size_t off;

	oid->type = type;
	if (type != HASH_SHA2_256_CHUNKED) {
		sha256_buf(data, len, oid->hash);
		return;
	}
	hash_ctx_init(&outer);
	for (off = 0; off < len; off += part) {
		unsigned char d[HASH_RAWSZ];
		size_t n = len - off < part ? len - off : (size_t)part;

		sha256_buf(p + off, n, d);
		hash_ctx_update(&outer, d, HASH_RAWSZ);
	}
	hash_ctx_final(&outer, oid->hash);
	hash_ctx_release(&outer);
}

int hash_fd(int fd, const char *name, enum hash_type type,
	    struct object_id *oid, struct strbuf *err)
{
	struct hash_job job;
	int ret;

	hash_job_init(&job, name, fd, type);
	ret = hash_files(&job, 1, 0);
	if (ret)
		strbuf_addbuf(err, &job.err);
	else
		*oid = job.oid;
	hash_job_release(&job);
	return ret;
}

void chunked_stream_init(struct chunked_stream *s, uint64_t size)
{
	s->part_size = chunked_hash_part_size(size);
	s->in_part = 0;
	s->total = 0;
	hash_ctx_init(&s->part);
	hash_ctx_init(&s->outer);
}

void chunked_stream_update(struct chunked_stream *s, const void *data,
			   size_t len)
{
	const unsigned char *p = data;
	unsigned char digest[HASH_RAWSZ];

	while (len) {
		size_t n = len;

		if (n > s->part_size - s->in_part)
			n = s->part_size - s->in_part;
		hash_ctx_update(&s->part, p, n);
		s->in_part += n;
		s->total += n;
		p += n;
		len -= n;
		if (s->in_part == s->part_size) {
			hash_ctx_final(&s->part, digest);
			hash_ctx_update(&s->outer, digest, HASH_RAWSZ);
			s->in_part = 0;
		}
	}
}

void chunked_stream_final(struct chunked_stream *s, struct object_id *oid)
{
	unsigned char digest[HASH_RAWSZ];

	oid->type = HASH_SHA2_256_CHUNKED;
	if (s->in_part) {
		hash_ctx_final(&s->part, digest);
		hash_ctx_update(&s->outer, digest, HASH_RAWSZ);
	}
	hash_ctx_final(&s->outer, oid->hash);
	hash_ctx_release(&s->part);
	hash_ctx_release(&s->outer);
}
