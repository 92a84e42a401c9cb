#define FUSE_USE_VERSION 312
#include "quire-compat.h"
#include <fuse_lowlevel.h>
#include <pthread.h>
#include <stdarg.h>
#include <sys/statvfs.h>
#include "mount/mount.h"
#include "cache.h"
#include "error.h"
#include "fetch.h"
#include "physical-key.h"
#include "vindex.h"
#include "wrapper.h"

/*
 * The FUSE file system of one mounted version (low level: inode numbers
 * are the index's node numbers). Nothing changes under a mount, so the
 * kernel may cache names, attributes and pages for as long as it likes;
 * open and opendir are left to the kernel (no message each), and a read
 * finds its bytes in the user's cache, fetching them there first.
 */
#define FOREVER 1e9

/* Objects a background fetch takes at once, and threads doing them. */
#define PREFETCH_BATCH 8
#define PREFETCH_THREADS 4
#define PREFETCH_QUEUE 1024
#define INFLIGHT_MAX (PREFETCH_THREADS * PREFETCH_BATCH + 64)

struct qfs {
	const struct mount_opts *o;
	struct vindex *vx;
	struct odb cache;
	struct fuse_session *se;
	uid_t uid;
	gid_t gid;

	/* objects being fetched, and the queue of files to fetch ahead */
	pthread_mutex_t lock;
	pthread_cond_t queued, fetched;
	struct object_id inflight[INFLIGHT_MAX];
	size_t nr_inflight;
	uint64_t queue[PREFETCH_QUEUE];
	size_t queue_head, queue_nr;
	int stopping;
	pthread_t workers[PREFETCH_THREADS];
	int nr_workers;

	/*
	 * One bit per node: its object in the cache was verified by this
	 * mount (fetched and checked, or hashed once on first read).
	 */
	unsigned char *verified;
};

static struct qfs the_fs;

/* --- the log ----------------------------------------------------------- */

static FILE *log_fp;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

void mount_log(const char *fmt, ...)
{
	FILE *fp = log_fp ? log_fp : stderr;
	char when[32];
	time_t now = time(NULL);
	struct tm tm;
	va_list ap;

	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S",
		 gmtime_r(&now, &tm));
	pthread_mutex_lock(&log_lock);
	fprintf(fp, "%sZ quire mount[%d] %s: ", when, (int)getpid(),
		the_fs.o ? the_fs.o->dir : "");
	va_start(ap, fmt);
	vfprintf(fp, fmt, ap);
	va_end(ap);
	fputc('\n', fp);
	fflush(fp);
	pthread_mutex_unlock(&log_lock);
}

void mount_forget_cache(uint64_t ino)
{
	if (the_fs.se)
		fuse_lowlevel_notify_inval_inode(the_fs.se, ino, 0, 0);
}

/* The logical key of node n, for messages. */
static void node_key(struct qfs *fs, const struct vnode *n, struct strbuf *out)
{
	struct vnode up;

	strbuf_reset(out);
	vnode_init(&up);
	if (n->parent > VINDEX_ROOT && !vindex_get(fs->vx, n->parent, &up)) {
		node_key(fs, &up, out);
		strbuf_addch(out, '/');
	}
	strbuf_addbuf(out, &n->name);
	vnode_release(&up);
}

/* --- attributes and names ---------------------------------------------- */

static void fill_attr(struct qfs *fs, const struct vnode *n, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_ino = n->id;
	st->st_mode = n->is_dir ? S_IFDIR | 0555 : S_IFREG | 0444;
	/* 1 for folders: tells find(1) not to count subfolders by links */
	st->st_nlink = 1;
	st->st_uid = fs->uid;
	st->st_gid = fs->gid;
	st->st_size = n->is_dir ? 0 : (off_t)n->size;
	st->st_blksize = 128 << 10;
	st->st_blocks = n->is_dir ? 0 : (blkcnt_t)((n->size + 511) / 512);
	st->st_atime = st->st_mtime = st->st_ctime = fs->o->mtime;
}

static void reply_err_or_missing(fuse_req_t req, int ret)
{
	fuse_reply_err(req, ret == QERR_NOTFOUND ? ENOENT : EIO);
}

static void qfs_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct fuse_entry_param e;
	struct vnode n;
	int ret;

	vnode_init(&n);
	ret = vindex_lookup(the_fs.vx, parent, name, &n);
	if (ret) {
		reply_err_or_missing(req, ret);
	} else {
		memset(&e, 0, sizeof(e));
		e.ino = n.id;
		e.generation = 1;
		e.attr_timeout = FOREVER;
		e.entry_timeout = FOREVER;
		fill_attr(&the_fs, &n, &e.attr);
		fuse_reply_entry(req, &e);
	}
	vnode_release(&n);
}

/*
 * Node ino into *n (initialized here; the caller releases it), or -1
 * once the request is answered with the error.
 */
static int get_node(fuse_req_t req, fuse_ino_t ino, struct vnode *n)
{
	int ret;

	vnode_init(n);
	ret = vindex_get(the_fs.vx, ino, n);
	if (!ret)
		return 0;
	reply_err_or_missing(req, ret);
	vnode_release(n);
	return -1;
}

static void qfs_getattr(fuse_req_t req, fuse_ino_t ino,
			struct fuse_file_info *fi)
{
	struct stat st;
	struct vnode n;

	(void)fi;
	if (get_node(req, ino, &n))
		return;
	fill_attr(&the_fs, &n, &st);
	fuse_reply_attr(req, &st, FOREVER);
	vnode_release(&n);
}

/* No message per open: the kernel opens by itself and keeps the pages. */
static void qfs_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	(void)ino;
	(void)fi;
	fuse_reply_err(req, ENOSYS);
}

/* --- folders ----------------------------------------------------------- */

struct dir_fill {
	fuse_req_t req;
	char *buf;
	size_t size, len;
};

/* Add one name; 1 when the buffer is full. */
static int add_dirent(struct dir_fill *d, const char *name, uint64_t ino,
		      int is_dir, off_t next)
{
	struct stat st;
	size_t need;

	memset(&st, 0, sizeof(st));
	st.st_ino = ino;
	st.st_mode = is_dir ? S_IFDIR : S_IFREG;
	need = fuse_add_direntry(d->req, d->buf + d->len, d->size - d->len,
				 name, &st, next);
	if (need > d->size - d->len)
		return 1;
	d->len += need;
	return 0;
}

/*
 * Offsets: "." is 0 -> 1, ".." 1 -> 2, then each child n ends at
 * n.id + 2 (node numbers of children are 2 and up).
 */
static int add_child(const struct vnode *n, void *payload)
{
	return add_dirent(payload, n->name.buf, n->id, n->is_dir,
			  (off_t)(n->id + 2));
}

static void qfs_readdir(fuse_req_t req, fuse_ino_t ino, size_t size,
			off_t off, struct fuse_file_info *fi)
{
	struct dir_fill d = { req, NULL, size, 0 };
	struct vnode n;
	int ret = 0, full = 0;

	(void)fi;
	if (get_node(req, ino, &n))
		return;
	if (!n.is_dir) {
		fuse_reply_err(req, ENOTDIR);
		vnode_release(&n);
		return;
	}
	d.buf = xmalloc(size);
	if (off < 1)
		full = add_dirent(&d, ".", ino, 1, 1);
	if (!full && off < 2)
		full = add_dirent(&d, "..", n.parent ? n.parent : ino, 1, 2);
	if (!full)
		ret = vindex_list(the_fs.vx, ino, off > 2 ? (uint64_t)off - 2 :
				  0, VINDEX_BRIEF, add_child, &d);
	if (ret < 0)
		fuse_reply_err(req, EIO);
	else
		fuse_reply_buf(req, d.buf, d.len);
	free(d.buf);
	vnode_release(&n);
}

static void qfs_opendir(fuse_req_t req, fuse_ino_t ino,
			struct fuse_file_info *fi)
{
	(void)ino;
	(void)fi;
	fuse_reply_err(req, ENOSYS);
}

/* --- fetching ---------------------------------------------------------- */

static int is_inflight(struct qfs *fs, const struct object_id *oid)
{
	size_t i;

	for (i = 0; i < fs->nr_inflight; i++)
		if (oideq(&fs->inflight[i], oid))
			return 1;
	return 0;
}

static void unmark_inflight(struct qfs *fs, const struct object_id *oid)
{
	size_t i;

	for (i = 0; i < fs->nr_inflight; i++)
		if (oideq(&fs->inflight[i], oid)) {
			fs->inflight[i] = fs->inflight[--fs->nr_inflight];
			break;
		}
}

static int is_verified(struct qfs *fs, uint64_t id)
{
	return __atomic_load_n(&fs->verified[id / 8], __ATOMIC_ACQUIRE) &
	       (1u << (id % 8));
}

static void mark_verified(struct qfs *fs, uint64_t id)
{
	unsigned char bit = 1u << (id % 8);

	__atomic_fetch_or(&fs->verified[id / 8], bit, __ATOMIC_RELEASE);
}

/*
 * Check every byte of n's object in the cache (once per mount). 0,
 * QERR_NOTFOUND when absent, QERR_CORRUPT when damaged: then it is
 * removed, to be fetched again.
 */
static int verify_cached(struct qfs *fs, const struct vnode *n,
			 struct strbuf *err)
{
	struct strbuf path = STRBUF_INIT;
	uint64_t size;
	int fd, ret = odb_open_verified(&fs->cache, &n->oid, &fd, &size, err);

	if (!ret) {
		close(fd);
		mark_verified(fs, n->id);
	} else if (ret == QERR_CORRUPT) {
		odb_path(&fs->cache, &n->oid, &path);
		unlink(path.buf);
		strbuf_release(&path);
	}
	return ret;
}

/* May this node's bytes be read (the rule on file:// keys)? */
static int local_allowed(struct qfs *fs, const struct vnode *n,
			 struct strbuf *err)
{
	if (!fs->o->from_registry || fs->o->allow_local_files)
		return 0;
	return physical_key_local_allowed(n->physical.buf, fs->o->local_root,
					  err);
}

/*
 * Make the cache hold n's object: fetched here (*fetched set), or by a
 * background fetch already under way (then wait for it).
 */
static int fetch_now(struct qfs *fs, const struct vnode *n, int *fetched,
		     struct strbuf *err)
{
	int ret = 0;

	*fetched = 0;
	pthread_mutex_lock(&fs->lock);
	while (is_inflight(fs, &n->oid))
		pthread_cond_wait(&fs->fetched, &fs->lock);
	if (odb_has(&fs->cache, &n->oid) ||
	    fs->nr_inflight == INFLIGHT_MAX) {
		pthread_mutex_unlock(&fs->lock);
		return odb_has(&fs->cache, &n->oid) ? 0 :
		       fetch_object(&fs->cache, n->physical.buf, &n->oid,
				    n->size, fetched, err);
	}
	fs->inflight[fs->nr_inflight++] = n->oid;
	pthread_mutex_unlock(&fs->lock);
	ret = fetch_object(&fs->cache, n->physical.buf, &n->oid, n->size,
			   fetched, err);
	pthread_mutex_lock(&fs->lock);
	unmark_inflight(fs, &n->oid);
	pthread_cond_broadcast(&fs->fetched);
	pthread_mutex_unlock(&fs->lock);
	return ret;
}

static ssize_t read_cached(struct qfs *fs, const struct vnode *n, char *buf,
			   size_t len, off_t off)
{
	struct strbuf path = STRBUF_INIT;
	ssize_t got;
	int fd;

	odb_path(&fs->cache, &n->oid, &path);
	fd = open(path.buf, O_RDONLY | O_CLOEXEC);
	strbuf_release(&path);
	if (fd < 0)
		return -errno;
	got = pread_in_full(fd, buf, len, off);
	if (got < 0)
		got = -errno;
	close(fd);
	return got;
}

static ssize_t read_streamed(struct qfs *fs, const struct vnode *n,
			     const char *key, char *buf, size_t len, off_t off,
			     struct strbuf *err)
{
	struct stream *s = stream_get(&fs->cache, n, key, err);
	ssize_t got;

	if (!s)
		return -EIO;
	got = stream_read(s, buf, len, (uint64_t)off);
	if (stream_verified(s))
		mark_verified(fs, n->id);
	stream_put(s);
	return got;
}

/* Fetch n's object (not in the cache) and read from it. */
static ssize_t read_fetched(struct qfs *fs, const struct vnode *n,
			    const char *key, char *buf, size_t len, off_t off,
			    struct strbuf *err)
{
	int fetched;

	if (n->size >= MOUNT_STREAM_MIN)
		return read_streamed(fs, n, key, buf, len, off, err);
	if (fetch_now(fs, n, &fetched, err))
		return -EIO;
	/* one that another fetch stored is checked here first */
	if (fetched)
		mark_verified(fs, n->id);
	else if (!is_verified(fs, n->id) && verify_cached(fs, n, err))
		return -EIO;
	return read_cached(fs, n, buf, len, off);
}

/* Bytes of n's object at off, fetched first when needed; or -errno. */
static ssize_t read_object(struct qfs *fs, const struct vnode *n, char *buf,
			   size_t len, off_t off)
{
	struct strbuf err = STRBUF_INIT, key = STRBUF_INIT;
	ssize_t got;
	int ret;

	if (is_verified(fs, n->id)) {
		got = read_cached(fs, n, buf, len, off);
		if (got != -ENOENT)
			return got;
	}
	node_key(fs, n, &key);
	ret = verify_cached(fs, n, &err);
	if (!ret) {
		got = read_cached(fs, n, buf, len, off);
		goto out;
	}
	if (ret == QERR_CORRUPT)
		mount_log("the cached copy of '%s' was damaged (%s); "
			  "fetching it again", key.buf, err.buf);
	strbuf_reset(&err);
	if (local_allowed(fs, n, &err)) {
		mount_log("will not read '%s': %s (mount with "
			  "--allow-local-files to read it)", key.buf, err.buf);
		got = -EACCES;
		goto out;
	}
	strbuf_reset(&err);
	got = read_fetched(fs, n, key.buf, buf, len, off, &err);
	if (got == -EIO && err.len)
		mount_log("cannot read '%s': %s", key.buf, err.buf);
out:
	strbuf_release(&err);
	strbuf_release(&key);
	return got;
}

/* --- fetching ahead ---------------------------------------------------- */

struct ahead {
	struct qfs *fs;
	unsigned left;
};

static int queue_one(const struct vnode *n, void *payload)
{
	struct ahead *a = payload;
	struct qfs *fs = a->fs;
	size_t i;

	if (!a->left--)
		return 1;
	if (n->size >= MOUNT_STREAM_MIN || odb_has(&fs->cache, &n->oid))
		return 0;
	pthread_mutex_lock(&fs->lock);
	for (i = 0; i < fs->queue_nr; i++)
		if (fs->queue[(fs->queue_head + i) % PREFETCH_QUEUE] == n->id)
			break;
	if (i == fs->queue_nr && fs->queue_nr < PREFETCH_QUEUE &&
	    !is_inflight(fs, &n->oid)) {
		fs->queue[(fs->queue_head + fs->queue_nr++) % PREFETCH_QUEUE] =
			n->id;
		pthread_cond_signal(&fs->queued);
	}
	pthread_mutex_unlock(&fs->lock);
	return 0;
}

/* A read from the start of n: fetch the next files of its folder too. */
static void read_ahead(struct qfs *fs, const struct vnode *n)
{
	struct ahead a = { fs, fs->o->prefetch };

	if (a.left)
		vindex_list(fs->vx, n->parent, n->id, VINDEX_FILES_ONLY,
			    queue_one, &a);
}

/* Take up to PREFETCH_BATCH queued files not cached nor being fetched. */
static size_t take_batch(struct qfs *fs, struct vnode *nodes)
{
	struct strbuf why = STRBUF_INIT;
	size_t nr = 0;

	while (nr < PREFETCH_BATCH && fs->queue_nr) {
		uint64_t id = fs->queue[fs->queue_head];

		fs->queue_head = (fs->queue_head + 1) % PREFETCH_QUEUE;
		fs->queue_nr--;
		if (vindex_get(fs->vx, id, &nodes[nr]) ||
		    is_inflight(fs, &nodes[nr].oid) ||
		    fs->nr_inflight == INFLIGHT_MAX ||
		    local_allowed(fs, &nodes[nr], &why) ||
		    odb_has(&fs->cache, &nodes[nr].oid))
			continue;
		fs->inflight[fs->nr_inflight++] = nodes[nr].oid;
		nr++;
	}
	/* a file not to be read is told about when it is read */
	strbuf_release(&why);
	return nr;
}

static void fetch_batch(struct qfs *fs, struct vnode *nodes, size_t nr)
{
	struct fetch_item items[PREFETCH_BATCH];
	struct strbuf err = STRBUF_INIT;
	size_t i;

	for (i = 0; i < nr; i++)
		fetch_item_init(&items[i], nodes[i].physical.buf,
				&nodes[i].oid, nodes[i].size);
	/* failures are told when the file is read and fetched again */
	fetch_objects(&fs->cache, items, nr, &err);
	for (i = 0; i < nr; i++) {
		if (!items[i].ret && items[i].fetched)
			mark_verified(fs, nodes[i].id);
		fetch_item_release(&items[i]);
	}
	strbuf_release(&err);
}

static void *prefetch_main(void *arg)
{
	struct qfs *fs = arg;
	struct vnode nodes[PREFETCH_BATCH];
	size_t i, nr;

	for (i = 0; i < PREFETCH_BATCH; i++)
		vnode_init(&nodes[i]);
	pthread_mutex_lock(&fs->lock);
	while (!fs->stopping) {
		if (!fs->queue_nr) {
			pthread_cond_wait(&fs->queued, &fs->lock);
			continue;
		}
		nr = take_batch(fs, nodes);
		pthread_mutex_unlock(&fs->lock);
		fetch_batch(fs, nodes, nr);
		pthread_mutex_lock(&fs->lock);
		for (i = 0; i < nr; i++)
			unmark_inflight(fs, &nodes[i].oid);
		pthread_cond_broadcast(&fs->fetched);
	}
	pthread_mutex_unlock(&fs->lock);
	for (i = 0; i < PREFETCH_BATCH; i++)
		vnode_release(&nodes[i]);
	return NULL;
}

/*
 * A read answered with fewer bytes than the file has there would make
 * the kernel believe the file ends early (and shrink it): such a read
 * fails instead.
 */
static ssize_t check_length(struct qfs *fs, const struct vnode *n,
			    size_t size, off_t off, ssize_t got)
{
	struct strbuf key = STRBUF_INIT;
	uint64_t want;

	if (got < 0 || (uint64_t)off >= n->size)
		return got;
	want = n->size - off < size ? n->size - off : size;
	if ((uint64_t)got == want)
		return got;
	node_key(fs, n, &key);
	mount_log("cannot read '%s': %zd bytes at %lld where %llu were due",
		  key.buf, got, (long long)off, (unsigned long long)want);
	strbuf_release(&key);
	return -EIO;
}

static void qfs_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		     struct fuse_file_info *fi)
{
	struct vnode n;
	char *buf = NULL;
	ssize_t got;

	(void)fi;
	if (get_node(req, ino, &n))
		return;
	if (n.is_dir) {
		fuse_reply_err(req, EISDIR);
	} else {
		if (!off)
			read_ahead(&the_fs, &n);
		buf = xmalloc(size ? size : 1);
		got = read_object(&the_fs, &n, buf, size, off);
		got = check_length(&the_fs, &n, size, off, got);
		if (got < 0)
			fuse_reply_err(req, (int)-got);
		else
			fuse_reply_buf(req, buf, got);
	}
	free(buf);
	vnode_release(&n);
}

/* --- extended attributes ------------------------------------------------ */

#define XATTR_PREFIX "user.quire."

/* The value of attribute name (without the prefix) of n: 0 or -1. */
static int xattr_value(struct qfs *fs, const struct vnode *n,
		       const char *name, struct strbuf *out)
{
	if (n->id == VINDEX_ROOT && !strcmp(name, "top_hash"))
		strbuf_addstr(out, oid_to_hex(vindex_top(fs->vx)));
	else if (n->id == VINDEX_ROOT && !strcmp(name, "package") &&
		 fs->o->package)
		strbuf_addstr(out, fs->o->package);
	else if (n->id == VINDEX_ROOT && !strcmp(name, "meta"))
		strbuf_addstr(out, vindex_package_meta(fs->vx));
	else if (!n->is_dir && !strcmp(name, "hash"))
		strbuf_addf(out, "%s:%s", hash_type_name(n->oid.type),
			    oid_to_value(&n->oid));
	else if (!n->is_dir && !strcmp(name, "physical_key"))
		strbuf_addbuf(out, &n->physical);
	else if (!strcmp(name, "meta") && (!n->is_dir || n->meta.len))
		strbuf_addstr(out, n->meta.len ? n->meta.buf : "{}");
	else
		return -1;
	return 0;
}

static void reply_sized(fuse_req_t req, const struct strbuf *v, size_t size)
{
	if (!size)
		fuse_reply_xattr(req, v->len);
	else if (size < v->len)
		fuse_reply_err(req, ERANGE);
	else
		fuse_reply_buf(req, v->buf, v->len);
}

static void qfs_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name,
			 size_t size)
{
	struct strbuf v = STRBUF_INIT;
	struct vnode n;

	if (get_node(req, ino, &n))
		return;
	if (strncmp(name, XATTR_PREFIX, strlen(XATTR_PREFIX)) ||
		 xattr_value(&the_fs, &n, name + strlen(XATTR_PREFIX), &v))
		fuse_reply_err(req, ENODATA);
	else
		reply_sized(req, &v, size);
	strbuf_release(&v);
	vnode_release(&n);
}

static void qfs_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size)
{
	static const char *const names[] = {
		"top_hash", "package", "hash", "physical_key", "meta",
	};
	struct strbuf v = STRBUF_INIT, scratch = STRBUF_INIT;
	struct vnode n;
	size_t i;

	if (get_node(req, ino, &n))
		return;
	for (i = 0; i < ARRAY_SIZE(names); i++) {
		strbuf_reset(&scratch);
		if (xattr_value(&the_fs, &n, names[i], &scratch))
			continue;
		strbuf_addf(&v, "%s%s", XATTR_PREFIX, names[i]);
		strbuf_addch(&v, '\0');
	}
	reply_sized(req, &v, size);
	strbuf_release(&v);
	strbuf_release(&scratch);
	vnode_release(&n);
}

static void qfs_statfs(fuse_req_t req, fuse_ino_t ino)
{
	struct statvfs st;

	(void)ino;
	memset(&st, 0, sizeof(st));
	st.f_bsize = st.f_frsize = 4096;
	st.f_files = vindex_entries(the_fs.vx);
	st.f_namemax = NAME_MAX;
	st.f_flag = ST_RDONLY;
	fuse_reply_statfs(req, &st);
}

static void qfs_init(void *userdata, struct fuse_conn_info *conn)
{
	(void)userdata;
	/* the bytes never change: drop pages only when told to */
	conn->want &= ~FUSE_CAP_AUTO_INVAL_DATA;
	if (conn->capable & FUSE_CAP_EXPLICIT_INVAL_DATA)
		conn->want |= FUSE_CAP_EXPLICIT_INVAL_DATA;
}

static const struct fuse_lowlevel_ops qfs_ops = {
	.init = qfs_init,
	.lookup = qfs_lookup,
	.getattr = qfs_getattr,
	.open = qfs_open,
	.read = qfs_read,
	.opendir = qfs_opendir,
	.readdir = qfs_readdir,
	.getxattr = qfs_getxattr,
	.listxattr = qfs_listxattr,
	.statfs = qfs_statfs,
};

/* --- the session ------------------------------------------------------- */

static void build_args(const struct mount_opts *o, struct fuse_args *args)
{
	struct strbuf opt = STRBUF_INIT;

	fuse_opt_add_arg(args, "quire");
	strbuf_addf(&opt, "ro,default_permissions,subtype=quire,"
		    "fsname=quire:%s@%s", o->package ? o->package : "-",
		    oid_to_hex(vindex_top(o->vx)));
	if (o->allow_other)
		strbuf_addstr(&opt, ",allow_other");
	fuse_opt_add_arg(args, "-o");
	fuse_opt_add_arg(args, opt.buf);
	if (o->debug)
		fuse_opt_add_arg(args, "-d");
	strbuf_release(&opt);
}

static int start_workers(struct qfs *fs)
{
	int i;

	pthread_mutex_init(&fs->lock, NULL);
	pthread_cond_init(&fs->queued, NULL);
	pthread_cond_init(&fs->fetched, NULL);
	for (i = 0; i < PREFETCH_THREADS; i++) {
		if (pthread_create(&fs->workers[i], NULL, prefetch_main, fs))
			break;
		fs->nr_workers++;
	}
	return fs->nr_workers ? 0 : -1;
}

static void stop_workers(struct qfs *fs)
{
	int i;

	pthread_mutex_lock(&fs->lock);
	fs->stopping = 1;
	pthread_cond_broadcast(&fs->queued);
	pthread_mutex_unlock(&fs->lock);
	for (i = 0; i < fs->nr_workers; i++)
		pthread_join(fs->workers[i], NULL);
}

/* In the daemon (or the foreground): serve until unmounted. */
static int serve(struct qfs *fs)
{
	struct fuse_loop_config *cfg = fuse_loop_cfg_create();
	int ret;

	if (start_workers(fs) < 0) {
		mount_log("cannot start threads");
		return QERR_GENERIC;
	}
	mount_log("serving %s@%s", fs->o->package ? fs->o->package : "-",
		  oid_to_hex(vindex_top(fs->vx)));
	fuse_loop_cfg_set_clone_fd(cfg, 0);
	fuse_loop_cfg_set_max_threads(cfg, 16);
	ret = fuse_session_loop_mt(fs->se, cfg);
	fuse_loop_cfg_destroy(cfg);
	stop_workers(fs);
	fuse_remove_signal_handlers(fs->se);
	fuse_session_unmount(fs->se);
	mount_log("unmounted");
	return ret ? QERR_GENERIC : 0;
}

static int open_log(const struct mount_opts *o, struct strbuf *err)
{
	struct strbuf dir = STRBUF_INIT;

	if (o->foreground)
		return 0;
	strbuf_add(&dir, o->log_path, strrchr(o->log_path, '/') - o->log_path);
	if (mkdir_p(dir.buf, 0700) < 0 ||
	    !(log_fp = fopen(o->log_path, "ae"))) {
		strbuf_addf(err, "cannot open the log '%s': %s", o->log_path,
			    strerror(errno));
		strbuf_release(&dir);
		return QERR_GENERIC;
	}
	strbuf_release(&dir);
	return 0;
}

/* The session, mounted: 0 or a qerr with err. */
static int session_start(struct qfs *fs, struct strbuf *err)
{
	struct fuse_args args = FUSE_ARGS_INIT(0, NULL);

	build_args(fs->o, &args);
	fs->se = fuse_session_new(&args, &qfs_ops, sizeof(qfs_ops), fs);
	fuse_opt_free_args(&args);
	if (!fs->se) {
		strbuf_addstr(err, "cannot start a FUSE session");
		return QERR_GENERIC;
	}
	if (fuse_set_signal_handlers(fs->se) ||
	    fuse_session_mount(fs->se, fs->o->dir)) {
		strbuf_addf(err, "cannot mount on '%s' (is FUSE available: "
			    "/dev/fuse and fusermount3?)", fs->o->dir);
		fuse_session_destroy(fs->se);
		fs->se = NULL;
		return QERR_GENERIC;
	}
	return 0;
}

static int serve_and_end(struct qfs *fs)
{
	int ret = serve(fs);

	fuse_session_destroy(fs->se);
	fs->se = NULL;
	return ret;
}

/* The daemon: mount, tell the parent how it went (on fd), serve. */
static void daemon_main(struct qfs *fs, int fd)
{
	struct strbuf err = STRBUF_INIT;
	int ret, null;

	setsid();
	ret = session_start(fs, &err);
	if (write_in_full(fd, ret ? "E" : "K", 1) < 0 ||
	    write_in_full(fd, err.buf, err.len) < 0)
		ret = QERR_GENERIC;
	close(fd);
	strbuf_release(&err);
	if (ret)
		_exit(1);
	null = open("/dev/null", O_RDWR);
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		if (null > 2)
			close(null);
	}
	if (chdir("/") < 0)
		mount_log("cannot chdir to /: %s", strerror(errno));
	exit(serve_and_end(fs) ? 1 : 0);
}

/* In the parent: wait until the daemon has mounted, or says why not. */
static int wait_daemon(int fd, struct strbuf *err)
{
	struct strbuf answer = STRBUF_INIT;
	int ret = 0;

	if (strbuf_read_fd_max(&answer, fd, 4096) < 0 || !answer.len) {
		strbuf_addstr(err, "the mount's daemon ended before mounting "
			      "(see its log)");
		ret = QERR_GENERIC;
	} else if (answer.buf[0] == 'E') {
		strbuf_add(err, answer.buf + 1, answer.len - 1);
		ret = QERR_GENERIC;
	}
	strbuf_release(&answer);
	close(fd);
	return ret;
}

int mount_run(const struct mount_opts *o, struct strbuf *err)
{
	struct qfs *fs = &the_fs;
	int ret, fds[2];
	pid_t pid;

	fs->o = o;
	fs->vx = o->vx;
	fs->uid = getuid();
	fs->gid = getgid();
	fs->verified = xcalloc(vindex_max_id(o->vx) / 8 + 1, 1);
	ret = cache_odb(&fs->cache, err);
	/* every object is verified on its first read by a mount */
	fs->cache.no_sync = 1;
	if (!ret)
		ret = open_log(o, err);
	if (ret)
		return ret;
	if (o->foreground) {
		ret = session_start(fs, err);
		return ret ? ret : serve_and_end(fs);
	}
	if (pipe(fds) < 0 || (pid = fork()) < 0) {
		strbuf_addf(err, "cannot start the mount's daemon: %s",
			    strerror(errno));
		return QERR_GENERIC;
	}
	if (!pid) {
		close(fds[0]);
		daemon_main(fs, fds[1]);
	}
	close(fds[1]);
	return wait_daemon(fds[0], err);
}
