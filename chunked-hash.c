#include "quire-compat.h"
#include "chunked-hash.h"
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
static int open_job(struct hash_job *job, struct job_state *st)
{
	struct stat sb;

	st->fd = job->fd;
	if (st->fd < 0) {
		st->fd = open(job->path, O_RDONLY | O_CLOEXEC);
		if (st->fd < 0) {
			job_fail(job, errno == ENOENT ? QERR_NOTFOUND :
				 QERR_GENERIC, "cannot open '%s': %s",
				 job->path, strerror(errno));
			return -1;
		}
		st->close_fd = 1;
	}
	if (fstat(st->fd, &sb) < 0) {
		job_fail(job, QERR_GENERIC, "cannot stat '%s': %s", job->path,
			 strerror(errno));
		return -1;
	}
	if (!S_ISREG(sb.st_mode)) {
		job_fail(job, QERR_GENERIC, "'%s' is not a regular file",
			 job->path);
		return -1;
	}
	job->size = sb.st_size;
#ifdef POSIX_FADV_SEQUENTIAL
	posix_fadvise(st->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
	if (job->type == HASH_SHA2_256_CHUNKED) {
		st->part_size = chunked_hash_part_size(job->size);
		st->nparts = (job->size + st->part_size - 1) / st->part_size;
	} else {
		st->part_size = job->size;
		st->nparts = 1;
	}
	st->digests = xmalloc(st_mult(st->nparts ? st->nparts : 1,
				      HASH_RAWSZ));
	return 0;
}

static void finish_job(struct hash_job *job, struct job_state *st,
		       struct hash_ctx *ctx)
{
	if (!job->ret) {
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
	}
	if (st->close_fd && st->fd >= 0)
		close(st->fd);
	free(st->digests);
	st->digests = NULL;
}

/*
 * Take the next unit of work: a part of a file already open, else open
 * the next file. Returns 0 with *job_nr and *part set, or -1 when done.
 */
static int take_work(struct pool *p, size_t *job_nr, uint64_t *part)
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
		if (open_job(job, st) < 0) {
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

static void *worker(void *arg)
{
	struct pool *p = arg;
	struct hash_ctx ctx = HASH_CTX_INIT;
	char *buf = xmalloc(READ_BLOCK);
	size_t j;
	uint64_t part;

	hash_ctx_init(&ctx);
	while (!take_work(p, &j, &part)) {
		struct hash_job *job = &p->jobs[j];
		struct job_state *st = job->priv;
		uint64_t off = part * st->part_size;
		uint64_t len = st->part_size;
		int last, ok = 1;

		if (st->nparts == 0) {
			finish_job(job, st, &ctx);
			continue;
		}
		if (off + len > job->size)
			len = job->size - off;
		if (!st->failed &&
		    digest_range(st->fd, off, len, buf, &ctx,
				 st->digests + part * HASH_RAWSZ) < 0)
			ok = 0;
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
			finish_job(job, st, &ctx);
	}
	hash_ctx_release(&ctx);
	free(buf);
	return NULL;
}

int hash_files(struct hash_job *jobs, size_t nr, int nthreads)
{
	struct pool p;
	struct job_state *states;
	pthread_t *threads;
	size_t i;
	int n, started = 0, ret = 0;

	if (!nr)
		return 0;
	if (nthreads <= 0)
		nthreads = online_cpus();
	memset(&p, 0, sizeof(p));
	pthread_mutex_init(&p.lock, NULL);
	p.jobs = jobs;
	p.nr = nr;
	states = xcalloc(nr, sizeof(*states));
	for (i = 0; i < nr; i++) {
		states[i].fd = -1;
		jobs[i].priv = &states[i];
		jobs[i].ret = 0;
	}
	threads = xcalloc(nthreads, sizeof(*threads));
	for (n = 1; n < nthreads; n++) {
		if (pthread_create(&threads[n], NULL, worker, &p))
			break;
		started++;
	}
	worker(&p);
	for (n = 1; n <= started; n++)
		pthread_join(threads[n], NULL);
	for (i = 0; i < nr; i++) {
		jobs[i].priv = NULL;
		if (jobs[i].ret && !ret)
			ret = jobs[i].ret;
	}
	free(threads);
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
