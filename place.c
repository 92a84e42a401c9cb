#include "quire-compat.h"
#include "place.h"
#include "beneath.h"
#include "chunked-hash.h"
#include "disk-full.h"
#include "fetch.h"
#include "objects/odb.h"
#include "physical-key.h"
#include "progress.h"
#include "tempfile.h"
#include "thread-pool.h"
#include "trace.h"
#include <linux/fs.h>
#include <pthread.h>
#include <sys/ioctl.h>

#define PLACE_BUF (1 << 20)

void place_item_init(struct place_item *it, const char *key,
		     const char *physical, const struct object_id *oid,
		     uint64_t size)
{
	memset(it, 0, sizeof(*it));
	it->key = key;
	it->physical = physical;
	it->oid = *oid;
	it->size = size;
	it->dirfd = -1;
	strbuf_init(&it->err, 0);
}

void place_item_release(struct place_item *it)
{
	if (it->dirfd >= 0)
		close(it->dirfd);
	it->dirfd = -1;
	strbuf_release(&it->err);
}

/* The hash of bytes as they stream past, of either file hash type. */
struct stream_hash {
	enum hash_type type;
	struct chunked_stream chunked;
	struct hash_ctx plain;
	uint64_t bytes;
};

static void stream_hash_init(struct stream_hash *s, enum hash_type type,
			     uint64_t size)
{
	s->type = type;
	s->bytes = 0;
	if (type == HASH_SHA2_256_CHUNKED)
		chunked_stream_init(&s->chunked, size);
	else
		hash_ctx_init(&s->plain);
}

static void stream_hash_update(struct stream_hash *s, const void *data,
			       size_t len)
{
	s->bytes += len;
	if (s->type == HASH_SHA2_256_CHUNKED)
		chunked_stream_update(&s->chunked, data, len);
	else
		hash_ctx_update(&s->plain, data, len);
}

static void stream_hash_final(struct stream_hash *s, struct object_id *oid)
{
	trace_add(TRACE_HASHED_FILES, 1);
	trace_add(TRACE_HASHED_BYTES, s->bytes);
	if (s->type == HASH_SHA2_256_CHUNKED) {
		chunked_stream_final(&s->chunked, oid);
		return;
	}
	oid->type = s->type;
	hash_ctx_final(&s->plain, oid->hash);
	hash_ctx_release(&s->plain);
}

/*
 * Read in (from its current offset) to the end, but never more than
 * size + 1 bytes, hashing what passes and writing it to out (out < 0:
 * only hash). 0 with *got and *n, or -1 with errno.
 */
static int pass_through(int in, int out, uint64_t size, enum hash_type type,
			char *buf, struct object_id *got, uint64_t *n)
{
	struct stream_hash s;
	uint64_t max = size == UINT64_MAX ? size : size + 1;
	ssize_t r = 0;

	stream_hash_init(&s, type, size);
	*n = 0;
	while (*n < max) {
		size_t want = max - *n < PLACE_BUF ? max - *n : PLACE_BUF;

		r = read_in_full(in, buf, want);
		if (r <= 0)
			break;
		stream_hash_update(&s, buf, r);
		if (out >= 0 && write_in_full(out, buf, r) < 0) {
			r = -1;
			break;
		}
		*n += r;
	}
	stream_hash_final(&s, got);
	return r < 0 ? -1 : 0;
}

/* Does the cache hold oid? Then *fd is its copy, open for reading. */
static int open_cached(const struct place_opts *o, const struct object_id *oid,
		       struct strbuf *path, int *fd)
{
	strbuf_reset(path);
	odb_path(o->cache, oid, path);
	*fd = open(path->buf, O_RDONLY | O_CLOEXEC);
	return *fd >= 0;
}

/* Are the item's bytes in a local file, to be copied from there? */
static int is_local(const struct place_item *it)
{
	return it->physical && !strncmp(it->physical, "file:", 5);
}

/* The item's bytes, from its local physical key; 0 or a qerr. */
static int open_local(struct place_item *it, int *fd)
{
	struct physical_key pk = PHYSICAL_KEY_INIT;
	int ret;

	if (!it->physical || !*it->physical) {
		strbuf_addf(&it->err, "object %s is not in the cache",
			    oid_to_value(&it->oid));
		return QERR_NOTFOUND;
	}
	ret = physical_key_parse(&pk, it->physical, strlen(it->physical),
				 &it->err);
	if (!ret && pk.scheme != PHYSICAL_KEY_FILE) {
		strbuf_addf(&it->err, "%s was not fetched", it->physical);
		ret = QERR_NOTFOUND;
	}
	if (!ret)
		ret = fetch_open_local(pk.path, it->physical, it->size, fd,
				       &it->err);
	physical_key_release(&pk);
	return ret;
}

/*
 * Fill tmp with the bytes open at in (the cache's file src, or NULL: the
 * item's local key), by copy or reflink; verify them.
 */
static int fill(struct place_item *it, int in, const char *src,
		struct tempfile *tmp, enum link_type link, char *buf)
{
	int from_cache = !!src;
	struct object_id got;
	uint64_t n;
	int cloned = link == LINK_REFLINK && !ioctl(tmp->fd, FICLONE, in);
	int r;

	/* a clone shares the bytes: hash what the new file holds */
	r = cloned ? pass_through(tmp->fd, -1, it->size, it->oid.type, buf,
				  &got, &n) :
		     pass_through(in, tmp->fd, it->size, it->oid.type, buf,
				  &got, &n);
	if (r < 0) {
		strbuf_addf(&it->err, "cannot write '%s': %s", it->key,
			    strerror(errno));
		return QERR_GENERIC;
	}
	if (n != it->size && !from_cache) {
		strbuf_addf(&it->err, "'%s' changed size while it was read",
			    it->physical);
		return QERR_CORRUPT;
	}
	if (oideq(&got, &it->oid) && (n == it->size || from_cache))
		return 0;
	if (from_cache)
		strbuf_addf(&it->err, "the cached copy of '%s' (%s) is "
			    "corrupt", it->key, src);
	else
		strbuf_addf(&it->err, "'%s' does not match its hash: "
			    "expected %s", it->physical,
			    oid_to_value(&it->oid));
	return QERR_CORRUPT;
}

/* Do the cache's bytes open at in (its file src) match the item? */
static int check_cached(struct place_item *it, int in, const char *src,
			char *buf)
{
	struct object_id got;
	uint64_t n;

	if (pass_through(in, -1, UINT64_MAX - 1, it->oid.type, buf, &got,
			 &n) < 0) {
		strbuf_addf(&it->err, "cannot read '%s': %s", src,
			    strerror(errno));
		return QERR_GENERIC;
	}
	if (oideq(&got, &it->oid))
		return 0;
	strbuf_addf(&it->err, "the cached copy of '%s' (%s) is corrupt",
		    it->key, src);
	return QERR_CORRUPT;
}

/* Make tmp a hard link to the cache's own file src. */
static int link_tmp(struct place_item *it, const char *src,
		    struct tempfile *tmp)
{
	if (unlink(tmp->path) < 0 || link(src, tmp->path) < 0) {
		strbuf_addf(&it->err, "cannot link '%s': %s", it->key,
			    strerror(errno));
		return QERR_GENERIC;
	}
	/* new, for sweep_tempfiles(): it is nobody's leftover */
	utimensat(AT_FDCWD, tmp->path, NULL, 0);
	return 0;
}

/*
 * Store the item's local file in the cache (for a hard link to it):
 * copied into the cache's tmp/, hashed on the way, checked, made
 * read-only and linked to its name. Not synced here: place_sync() does
 * it for the whole batch, and readers of the cache verify what they
 * read. *fd is then the stored copy, src its path.
 */
static int cache_local(const struct place_opts *o, struct place_item *it,
		       char *buf, struct strbuf *src, int *fd)
{
	struct tempfile *tmp;
	struct object_id got;
	uint64_t n;
	char *slash;
	int in, ret = open_local(it, &in);

	if (ret)
		return ret;
	tmp = create_tempfile_in(o->cache->tmpdir, "obj_", 0444, &it->err);
	if (!tmp) {
		close(in);
		return QERR_GENERIC;
	}
	if (pass_through(in, tmp->fd, it->size, it->oid.type, buf, &got,
			 &n) < 0) {
		strbuf_addf(&it->err, "cannot copy '%s' into the cache: ",
			    it->physical);
		disk_full_add_strerror(&it->err, errno, tmp->path);
		ret = QERR_GENERIC;
	} else if (n != it->size || !oideq(&got, &it->oid)) {
		strbuf_addf(&it->err, "'%s' does not match its hash: "
			    "expected %s", it->physical,
			    oid_to_value(&it->oid));
		ret = QERR_CORRUPT;
	}
	close(in);
	strbuf_reset(src);
	odb_path(o->cache, &it->oid, src);
	slash = strrchr(src->buf, '/');
	*slash = '\0';
	if (!ret && mkdir_p(src->buf, 0755) < 0) {
		strbuf_addf(&it->err, "cannot create '%s': %s", src->buf,
			    strerror(errno));
		ret = QERR_GENERIC;
	}
	*slash = '/';
	/* the same verified bytes may replace a copy stored meanwhile */
	if (!ret && (*fd = dup(tmp->fd)) < 0)
		ret = QERR_GENERIC;
	if (!ret && rename_tempfile_at(&tmp, AT_FDCWD, src->buf, src->buf,
				       &it->err)) {
		close(*fd);
		ret = QERR_GENERIC;
	}
	delete_tempfile(&tmp);
	return ret;
}

/* The stat of the file just placed, for the index. */
static int stat_placed(struct place_item *it)
{
	if (!fstatat(it->dirfd, it->base, &it->st, AT_SYMLINK_NOFOLLOW))
		return 0;
	strbuf_addf(&it->err, "cannot look at '%s': %s", it->key,
		    strerror(errno));
	return QERR_GENERIC;
}

/* Rename the verified temporary file *tmp to the item's place. */
static int finish(struct place_item *it, struct tempfile **tmp)
{
	int ret = rename_tempfile_at(tmp, it->dirfd, it->base, it->key,
				     &it->err);

	if (!ret)
		ret = stat_placed(it);
	if (ret == QERR_GENERIC && errno == EXDEV)
		strbuf_addf(&it->err, " (a folder of the target is another "
			    "file system than its .quire folder)");
	delete_tempfile(tmp);
	return ret;
}

/*
 * Place one item by hard link to the cache's copy (stored first, from a
 * local key, when missing): a new file is linked in place at once, an
 * existing one replaced through a temporary link and a rename.
 */
static int place_link(const struct place_opts *o, struct place_item *it,
		      char *buf, struct strbuf *src, int *from_cache)
{
	struct tempfile *tmp;
	int in = -1, ret = 0;

	*from_cache = open_cached(o, &it->oid, src, &in);
	if (*from_cache)
		ret = check_cached(it, in, src->buf, buf);
	else if (is_local(it) && !(ret = cache_local(o, it, buf, src, &in)))
		it->fetched = 1;
	else if (!ret) {
		strbuf_addf(&it->err, "object %s is not in the cache",
			    oid_to_value(&it->oid));
		ret = QERR_NOTFOUND;
	}
	if (in >= 0)
		close(in);
	if (ret)
		return ret;
	if (!linkat(AT_FDCWD, src->buf, it->dirfd, it->base, 0))
		return stat_placed(it);
	/* in the workspace's own folder: never a leftover in the target */
	tmp = create_tempfile_in(o->tmpdir, "place-", 0644, &it->err);
	ret = tmp ? link_tmp(it, src->buf, tmp) : QERR_GENERIC;
	if (!ret)
		ret = finish(it, &tmp);
	delete_tempfile(&tmp);
	return ret;
}

/*
 * Place one item (its folder already open at it->dirfd). *from_cache
 * says where the bytes came from, for a retry of a corrupt cached copy.
 */
static int place_one(const struct place_opts *o, struct place_item *it,
		     char *buf, struct strbuf *src, int *from_cache)
{
	struct tempfile *tmp = NULL;
	int in = -1, ret;

	*from_cache = 0;
	if (it->download)	/* downloaded and verified: only to move */
		return finish(it, &it->download);
	if (o->link == LINK_HARDLINK)
		return place_link(o, it, buf, src, from_cache);
	/* a local key is read where it is; the cache serves the rest */
	*from_cache = !is_local(it) && open_cached(o, &it->oid, src, &in);
	ret = *from_cache ? 0 : open_local(it, &in);
	if (ret)
		return ret;
	it->fetched |= !*from_cache;	/* read from the registry */
	/* in the workspace's own folder: never a leftover in the target */
	tmp = create_tempfile_in(o->tmpdir, "place-", 0644, &it->err);
	if (!tmp)
		ret = QERR_GENERIC;
	else
		ret = fill(it, in, *from_cache ? src->buf : NULL, tmp,
			   o->link, buf);
	if (!ret)
		ret = finish(it, &tmp);
	delete_tempfile(&tmp);
	close(in);
	return ret;
}

struct pool {
	const struct place_opts *o;
	struct place_item *items;
	int *corrupt_cache;	/* per item: a cached copy failed its hash */
	size_t nr, next;
	pthread_mutex_t lock;
};

static void *worker(void *arg)
{
	struct pool *p = arg;
	struct strbuf src = STRBUF_INIT;
	char *buf = xmalloc(PLACE_BUF);

	for (;;) {
		struct place_item *it;
		size_t i;
		int from_cache;

		pthread_mutex_lock(&p->lock);
		i = p->next < p->nr ? p->next++ : p->nr;
		pthread_mutex_unlock(&p->lock);
		if (i == p->nr)
			break;
		it = &p->items[i];
		if (it->ret)
			continue;	/* no folder, no object */
		it->ret = place_one(p->o, it, buf, &src, &from_cache);
		p->corrupt_cache[i] = it->ret == QERR_CORRUPT && from_cache;
		if (!it->ret)
			progress_add(p->o->progress, 0, it->size);
	}
	strbuf_release(&src);
	free(buf);
	return NULL;
}

static void worker_task(void *arg)
{
	worker(arg);
}

/* The process's pool works through the items, this thread too. */
static void run_pool(struct pool *p)
{
	struct tp_group g = TP_GROUP_INIT;
	size_t n = tp_threads();

	if (n > p->nr)
		n = p->nr;
	while (n-- > 1)
		tp_submit(&g, worker_task, p);
	worker(p);
	tp_wait(&g);
}

/* Does the item need its object in the cache before it can be placed? */
static int needs_fetch(const struct place_opts *o, const struct place_item *it)
{
	if (!it->physical || !*it->physical || is_local(it) ||
	    o->link != LINK_HARDLINK)
		return 0;
	return !odb_has(o->cache, &it->oid);
}

/* Is the item to be downloaded straight into place (not in the cache)? */
static int needs_download(const struct place_opts *o,
			  const struct place_item *it)
{
	return it->physical && *it->physical && !is_local(it) &&
	       o->link != LINK_HARDLINK && !odb_has(o->cache, &it->oid);
}

/*
 * Fetch the objects of the items want marks, verified: into the cache,
 * or (direct) straight into temporary files in tmpdir that the items
 * keep, to be renamed into place.
 */
static void fetch_marked(const struct place_opts *o, struct place_item *items,
			 size_t nr, const int *want, int direct)
{
	struct fetch_item *f = xcalloc(nr ? nr : 1, sizeof(*f));
	struct tempfile **out = xcalloc(nr ? nr : 1, sizeof(*out));
	size_t *at = xcalloc(nr ? nr : 1, sizeof(*at));
	struct strbuf ignored = STRBUF_INIT;
	size_t i, n = 0;

	for (i = 0; i < nr; i++) {
		if (!want[i])
			continue;
		fetch_item_init(&f[n], items[i].physical, &items[i].oid,
				items[i].size);
		at[n++] = i;
	}
	if (n && direct)
		fetch_objects_into(o->tmpdir, 0644, f, n, out, &ignored);
	else if (n)
		fetch_objects(o->cache, f, n, &ignored);
	for (i = 0; i < n; i++) {
		struct place_item *it = &items[at[i]];

		it->fetched |= f[i].fetched;
		it->download = out[i];
		if (f[i].ret) {
			it->ret = f[i].ret;
			strbuf_reset(&it->err);
			strbuf_addbuf(&it->err, &f[i].err);
		}
		fetch_item_release(&f[i]);
	}
	strbuf_release(&ignored);
	free(f);
	free(out);
	free(at);
}

/* Open each item's folder (made where missing), in order, on this thread. */
static void open_folders(const struct place_opts *o, struct place_item *items,
			 size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++) {
		struct place_item *it = &items[i];
		int dirfd;

		if (it->ret)
			continue;
		it->ret = beneath_parent(o->b, it->key, 1, &dirfd, &it->base,
					 &it->err);
		if (it->ret)
			continue;
		it->dirfd = fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
		if (it->dirfd < 0) {
			strbuf_addf(&it->err, "cannot open the folder of "
				    "'%s': %s", it->key, strerror(errno));
			it->ret = QERR_GENERIC;
		}
	}
}

/* Cached copies that failed their hash: drop them, fetch, place again. */
static void retry_corrupt(const struct place_opts *o, struct pool *p)
{
	struct strbuf path = STRBUF_INIT;
	int *fetch = xcalloc(p->nr, sizeof(*fetch));
	char *buf = NULL;
	size_t i, n = 0;

	for (i = 0; i < p->nr; i++) {
		struct place_item *it = &p->items[i];

		if (!p->corrupt_cache[i])
			continue;
		warning("%s; fetching it again", it->err.buf);
		strbuf_reset(&it->err);
		it->ret = 0;
		strbuf_reset(&path);
		odb_path(o->cache, &it->oid, &path);
		unlink(path.buf);
		/* a local key is read where it is: no fetch */
		fetch[i] = needs_fetch(o, it);
		n++;
	}
	if (n) {
		fetch_marked(o, p->items, p->nr, fetch, 0);
		buf = xmalloc(PLACE_BUF);
	}
	for (i = 0; n && i < p->nr; i++) {
		struct place_item *it = &p->items[i];
		int from_cache;

		if (p->corrupt_cache[i] && !it->ret)
			it->ret = place_one(o, it, buf, &path, &from_cache);
	}
	free(buf);
	free(fetch);
	strbuf_release(&path);
}

int place_items(const struct place_opts *o, struct place_item *items,
		size_t nr, struct strbuf *err)
{
	struct pool p;
	size_t i;
	int ret = 0, *want;

	if (!nr)
		return 0;
	for (i = 0; i < nr; i++)
		items[i].st.st_mode = 0;
	if (o->link == LINK_HARDLINK && (ret = odb_create(o->cache, err)))
		return ret;
	want = xcalloc(nr, sizeof(*want));
	for (i = 0; i < nr; i++)
		want[i] = !items[i].ret && needs_fetch(o, &items[i]);
	fetch_marked(o, items, nr, want, 0);
	for (i = 0; i < nr; i++)
		want[i] = !items[i].ret && needs_download(o, &items[i]);
	fetch_marked(o, items, nr, want, 1);
	free(want);
	open_folders(o, items, nr);
	memset(&p, 0, sizeof(p));
	p.o = o;
	p.items = items;
	p.nr = nr;
	p.corrupt_cache = xcalloc(nr, sizeof(*p.corrupt_cache));
	pthread_mutex_init(&p.lock, NULL);
	run_pool(&p);
	retry_corrupt(o, &p);
	pthread_mutex_destroy(&p.lock);
	free(p.corrupt_cache);
	for (i = 0; i < nr; i++) {
		if (items[i].dirfd >= 0)
			close(items[i].dirfd);
		items[i].dirfd = -1;
		delete_tempfile(&items[i].download);
		if (items[i].ret && !ret) {
			ret = items[i].ret;
			strbuf_addbuf(err, &items[i].err);
		}
	}
	return ret;
}

int place_sync(int root_fd, const char *shown, struct strbuf *err)
{
	if (syncfs(root_fd) < 0) {
		strbuf_addf(err, "cannot sync the files placed in '%s': %s",
			    shown, strerror(errno));
		return QERR_GENERIC;
	}
	return 0;
}
