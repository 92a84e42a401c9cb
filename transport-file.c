#include "quire-compat.h"
#include <dirent.h>
#include <pthread.h>
#include "transport.h"
#include "chunked-hash.h"
#include "dir-list.h"
#include "lockfile.h"
#include "physical-key.h"
#include "tempfile.h"

/*
 * A registry in a folder. quire's own files live in <root>/.quire/,
 * where no reader of quilt3's layout looks: temporary files in
 * .quire/tmp/ (then linked or renamed into place), locks in
 * .quire/locks/<key>.lock. Temporary files left by a process that died
 * are swept away by the next process that writes.
 */
#define REG_TMP ".quire/tmp"
#define REG_LOCKS ".quire/locks/"

struct file_transport {
	struct transport t;
	char *root;
	int swept;
};

static struct file_transport *ft(struct transport *t)
{
	return (struct file_transport *)t;
}

static void key_path(struct transport *t, const char *key, struct strbuf *sb)
{
	strbuf_addf(sb, "%s/%s", ft(t)->root, key);
}

static int copy_fd(int in, int out, const char *what, struct strbuf *err)
{
	if (!copy_fd_all(in, out))
		return 0;
	strbuf_addf(err, "cannot copy '%s': %s", what, strerror(errno));
	return QERR_GENERIC;
}

static int file_get(struct transport *t, const char *key, int out_fd,
		    struct strbuf *err)
{
	struct strbuf path = STRBUF_INIT;
	int fd, ret;

	key_path(t, key, &path);
	fd = open(path.buf, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = errno == ENOENT ? QERR_NOTFOUND : QERR_GENERIC;
		strbuf_addf(err, "cannot read '%s': %s", path.buf,
			    strerror(errno));
		strbuf_release(&path);
		return ret;
	}
	ret = copy_fd(fd, out_fd, path.buf, err);
	close(fd);
	strbuf_release(&path);
	return ret;
}

static int make_parent(const char *path, struct strbuf *err)
{
	char *dir = xstrdup(path), *slash = strrchr(dir, '/');
	int ret = 0;

	if (slash) {
		*slash = '\0';
		if (mkdir_p(dir, 0755) < 0) {
			strbuf_addf(err, "cannot create '%s': %s", dir,
				    strerror(errno));
			ret = QERR_GENERIC;
		}
	}
	free(dir);
	return ret;
}

static int check_bytes(struct tempfile *tmp, const struct object_id *expect,
		       const char *key, struct strbuf *err)
{
	struct hash_job job;
	int ret;

	hash_job_init(&job, tmp->path, tmp->fd, expect->type);
	ret = hash_files(&job, 1, 0);
	if (ret) {
		strbuf_addbuf(err, &job.err);
	} else if (!oideq(&job.oid, expect)) {
		strbuf_addf(err, "the bytes for '%s' hash to ", key);
		oid_add_value(err, &job.oid);
		strbuf_addf(err, ", not %s; nothing was stored",
			    oid_to_value(expect));
		ret = QERR_CORRUPT;
	}
	hash_job_release(&job);
	return ret;
}

/* Locks below dir (recursively) whose process is gone. */
static void sweep_locks(struct strbuf *dir)
{
	DIR *d = opendir(dir->buf);
	struct dirent *de;
	size_t len = dir->len;

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_type != DT_DIR || !strcmp(de->d_name, ".") ||
		    !strcmp(de->d_name, ".."))
			continue;
		strbuf_addf(dir, "/%s", de->d_name);
		sweep_locks(dir);
		strbuf_setlen(dir, len);
	}
	closedir(d);
	sweep_stale_locks(dir->buf);
}

/* What writers that died left in .quire/tmp/ and .quire/locks/. */
static void sweep(struct transport *t)
{
	struct strbuf dir = STRBUF_INIT;

	key_path(t, REG_TMP, &dir);
	sweep_tempfiles(dir.buf, NULL);
	strbuf_reset(&dir);
	key_path(t, REG_LOCKS, &dir);
	strbuf_setlen(&dir, dir.len - 1);	/* no final '/' */
	sweep_locks(&dir);
	strbuf_release(&dir);
}

/* A new temporary file in the registry's .quire/tmp/. */
static struct tempfile *reg_tempfile(struct transport *t, struct strbuf *err)
{
	struct strbuf dir = STRBUF_INIT;
	struct tempfile *tmp = NULL;

	key_path(t, REG_TMP, &dir);
	if (mkdir_p(dir.buf, 0755) < 0)
		strbuf_addf(err, "cannot create '%s': %s", dir.buf,
			    strerror(errno));
	else
		tmp = create_tempfile_in(dir.buf, "put-", 0644, err);
	/* once per process: what writers that died left behind */
	if (tmp && !__atomic_exchange_n(&ft(t)->swept, 1, __ATOMIC_SEQ_CST))
		sweep(t);
	strbuf_release(&dir);
	return tmp;
}

static int file_put(struct transport *t, const char *key, int in_fd,
		    const struct object_id *expect, unsigned flags,
		    struct strbuf *version_id, struct strbuf *err)
{
	struct strbuf path = STRBUF_INIT, dir = STRBUF_INIT;
	struct tempfile *tmp = NULL;
	int ret;

	key_path(t, key, &path);
	ret = make_parent(path.buf, err);
	if (ret)
		goto out;
	strbuf_add(&dir, path.buf, strrchr(path.buf, '/') - path.buf);
	tmp = reg_tempfile(t, err);
	if (!tmp) {
		ret = QERR_GENERIC;
		goto out;
	}
	if (lseek(in_fd, 0, SEEK_SET) < 0) {
		strbuf_addf(err, "cannot rewind the data for '%s'", key);
		ret = QERR_GENERIC;
		goto out;
	}
	ret = copy_fd(in_fd, tmp->fd, key, err);
	if (ret)
		goto out;
	if (fsync(tmp->fd) < 0) {
		strbuf_addf(err, "cannot fsync '%s': %s", tmp->path,
			    strerror(errno));
		ret = QERR_GENERIC;
		goto out;
	}
	if (expect) {
		ret = check_bytes(tmp, expect, key, err);
		if (ret)
			goto out;
	}
	if (flags & TRANSPORT_NO_OVERWRITE) {
		/* link() fails rather than replace: no window for a race */
		if (link(tmp->path, path.buf) < 0) {
			ret = errno == EEXIST ? QERR_EXISTS : QERR_GENERIC;
			strbuf_addf(err, "cannot write '%s': %s", path.buf,
				    strerror(errno));
		} else if (fsync_dir(dir.buf) < 0) {
			ret = QERR_GENERIC;
			strbuf_addf(err, "cannot fsync '%s'", dir.buf);
		}
	} else {
		ret = commit_tempfile(&tmp, path.buf, err);
	}
out:
	delete_tempfile(&tmp);
	strbuf_release(&path);
	strbuf_release(&dir);
	return ret;
}

static int file_put_if(struct transport *t, const char *key,
		       const char *data, size_t len, const char *expect,
		       struct strbuf *current, struct strbuf *err)
{
	struct lock_file lk = LOCK_INIT;
	struct strbuf path = STRBUF_INIT, cur = STRBUF_INIT;
	struct strbuf lock = STRBUF_INIT;
	int ret, r;

	key_path(t, key, &path);
	strbuf_addf(&lock, "%s/" REG_LOCKS "%s.lock", ft(t)->root, key);
	ret = make_parent(path.buf, err);
	if (!ret)
		ret = make_parent(lock.buf, err);
	if (!ret)
		ret = hold_lock_file_as(&lk, path.buf, lock.buf, err);
	if (ret)
		goto out;
	r = strbuf_read_file_max(&cur, path.buf, 4096);
	if (r == -1 && errno != ENOENT) {
		strbuf_addf(err, "cannot read '%s': %s", path.buf,
			    strerror(errno));
		ret = QERR_GENERIC;
		goto out;
	}
	if (expect ? (r || strcmp(cur.buf, expect)) : !r) {
		strbuf_addbuf(current, &cur);
		ret = QERR_STALE;
		goto out;
	}
	if (write_in_full(lock_file_fd(&lk), data, len) < 0) {
		strbuf_addf(err, "cannot write '%s': %s", path.buf,
			    strerror(errno));
		ret = QERR_GENERIC;
		goto out;
	}
	ret = commit_lock_file(&lk, err);
out:
	rollback_lock_file(&lk);
	strbuf_release(&path);
	strbuf_release(&cur);
	strbuf_release(&lock);
	return ret;
}

static int file_head(struct transport *t, const char *key, uint64_t *size,
		     struct strbuf *err)
{
	struct strbuf path = STRBUF_INIT;
	struct stat st;
	int ret = 0;

	key_path(t, key, &path);
	if (stat(path.buf, &st) < 0 || !S_ISREG(st.st_mode))
		ret = QERR_NOTFOUND;
	else if (size)
		*size = st.st_size;
	strbuf_release(&path);
	return ret;
}

/* Temporary and lock files are not objects of the registry. */
static int skip_internal(const char *name, int is_dir, void *payload)
{
	size_t len = strlen(name);

	return !is_dir && (!strncmp(name, ".quire-tmp-", 11) ||
			   (len > 5 && !strcmp(name + len - 5, ".lock")));
}

static int file_list(struct transport *t, const char *prefix,
		     int (*fn)(const char *key, void *payload), void *payload,
		     struct strbuf *err)
{
	struct path_list names = { 0 };
	char *start;
	size_t i, plen = strlen(prefix);
	int ret = 0;

	/* walk the deepest folder that holds everything under prefix */
	start = xstrdup(prefix);
	if (strrchr(start, '/'))
		*strrchr(start, '/') = '\0';
	else
		*start = '\0';
	dir_list(ft(t)->root, start, 0, skip_internal, NULL, &names);
	free(start);
	path_list_sort(&names, NULL);
	for (i = 0; !ret && i < names.nr; i++)
		if (!strncmp(names.items[i], prefix, plen))
			ret = fn(names.items[i], payload);
	path_list_release(&names);
	return ret;
}

static int file_del(struct transport *t, const char *key, struct strbuf *err)
{
	struct strbuf path = STRBUF_INIT;
	int ret = 0;

	key_path(t, key, &path);
	if (unlink(path.buf) < 0) {
		ret = errno == ENOENT ? QERR_NOTFOUND : QERR_GENERIC;
		strbuf_addf(err, "cannot delete '%s': %s", path.buf,
			    strerror(errno));
	} else {
		fsync_dir_of(path.buf);
	}
	strbuf_release(&path);
	return ret;
}

static void file_physical_key(struct transport *t, const char *key,
			      const char *version_id, struct strbuf *out)
{
	struct physical_key pk;
	struct strbuf path = STRBUF_INIT;

	key_path(t, key, &path);
	physical_key_from_path(&pk, path.buf);
	physical_key_format(out, &pk);
	physical_key_release(&pk);
	strbuf_release(&path);
}

/*
 * Puts in parallel: most of a small file's put is waiting for fsync, and
 * the file system commits the waits of several threads together.
 */
#define FILE_PUT_THREADS 8

struct put_pool {
	struct transport *t;
	struct transfer *x;
	size_t nr, next;
	pthread_mutex_t lock;
};

static void *put_worker(void *arg)
{
	struct put_pool *p = arg;
	struct transfer *x;
	size_t i;

	for (;;) {
		pthread_mutex_lock(&p->lock);
		i = p->next++;
		pthread_mutex_unlock(&p->lock);
		if (i >= p->nr)
			return NULL;
		x = &p->x[i];
		x->ret = file_put(p->t, x->key, x->fd, x->expect, x->flags,
				  &x->version_id, &x->err);
	}
}

static int file_put_many(struct transport *t, struct transfer *x, size_t nr)
{
	struct put_pool pool = { t, x, nr, 0, PTHREAD_MUTEX_INITIALIZER };
	pthread_t th[FILE_PUT_THREADS];
	size_t i, n = nr < FILE_PUT_THREADS ? nr : FILE_PUT_THREADS;
	size_t started = 0;

	for (i = 0; i < n; i++)
		if (!pthread_create(&th[started], NULL, put_worker, &pool))
			started++;
	if (!started)
		put_worker(&pool);
	for (i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	for (i = 0; i < nr; i++)
		if (x[i].ret)
			return x[i].ret;
	return 0;
}

/* link() and a lock refuse to replace: always. */
static int file_conditional(struct transport *t, struct strbuf *err)
{
	return 1;
}

static void file_free(struct transport *t)
{
	/* a writer sweeps again at the end: leftovers too new at first */
	if (ft(t)->swept)
		sweep(t);
	free(ft(t)->root);
}

static const struct transport_ops file_ops = {
	file_get, file_put, file_put_if, file_head, file_list, file_del,
	file_physical_key, NULL, file_put_many, NULL, file_conditional,
	file_free,
};

int transport_file_open(const char *root, unsigned flags,
			struct transport **out, struct strbuf *err)
{
	struct file_transport *f;
	struct strbuf url = STRBUF_INIT;
	struct stat st;
	char *abs;

	if ((flags & TRANSPORT_CREATE) && mkdir_p(root, 0755) < 0) {
		strbuf_addf(err, "cannot create registry '%s': %s", root,
			    strerror(errno));
		return QERR_GENERIC;
	}
	if (stat(root, &st) < 0 || !S_ISDIR(st.st_mode)) {
		strbuf_addf(err, "registry '%s' does not exist", root);
		return QERR_NOTFOUND;
	}
	abs = realpath(root, NULL);
	if (!abs) {
		strbuf_addf(err, "cannot resolve '%s': %s", root,
			    strerror(errno));
		return QERR_GENERIC;
	}
	f = xcalloc(1, sizeof(*f));
	f->t.ops = &file_ops;
	f->t.local = 1;
	f->t.path = xstrdup(abs);
	f->t.conditional = -1;
	f->root = abs;
	strbuf_addstr(&url, "file://");
	url_quote(&url, abs, strlen(abs), "/");
	f->t.url = strbuf_detach(&url, NULL);
	*out = &f->t;
	return 0;
}
