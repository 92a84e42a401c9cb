#include "quire-compat.h"
#include "stage-internal.h"
#include "chunked-hash.h"
#include "ignore.h"
#include "index-db.h"
#include "logical-key.h"
#include "progress.h"
#include "thread-pool.h"
#include "workspace.h"
#include <dirent.h>
#include <time.h>

#define HASH_BATCH 4096

int stat_is_racy(const struct stat *st)
{
	/*
	 * The clock once per process: a file changed since (just before)
	 * this command started is racy, which is all that matters.
	 */
	static int64_t start;	/* set once, by whichever thread is first */
	int64_t t = __atomic_load_n(&start, __ATOMIC_ACQUIRE), zero = 0;

	if (!t) {
		t = time(NULL);
		if (!__atomic_compare_exchange_n(&start, &zero, t, 0,
						 __ATOMIC_ACQ_REL,
						 __ATOMIC_ACQUIRE))
			t = zero;	/* another thread's */
	}
	return st->st_mtim.tv_sec >= t - 1;
}

/*
 * The refresh walks the index in batches: a batch of rows is read from
 * a snapshot of the index while the pool stats the batch before (each
 * file relative to its folder, which stays open while the names in it
 * go by), then the main thread goes through the results in key order.
 */
#define STAT_BATCH 8192
#define STAT_CHUNK 512		/* rows a task stats */
#define NO_STR ((size_t)-1)

enum row_state {
	ROW_SKIP,		/* no local file */
	ROW_FRESH,		/* the recorded hash holds */
	ROW_MISSING,		/* gone, or no regular file */
	ROW_HASH,		/* changed, or never hashed: hash it */
};

struct row {
	size_t key, path;	/* offsets into the batch's strings */
	size_t key_len;
	int has_physical, has_hash, has_stat;
	enum row_state state;
	struct idx_stat st;
	/* the rest of the entry, for the rows to hash */
	size_t physical, meta, hash_type, hash_value;
	int64_t size;
};

struct batch {
	struct row *rows;
	size_t nr;
	struct strbuf strs;
};

struct stat_task {
	struct batch *b;
	size_t from, to;
};

static size_t put_str(struct strbuf *sb, const char *s, size_t len)
{
	size_t at = sb->len;

	if (!s)
		return NO_STR;
	strbuf_add(sb, s, len);
	strbuf_addch(sb, '\0');
	return at;
}

static const char *str_at(const struct batch *b, size_t at)
{
	return at == NO_STR ? NULL : b->strs.buf + at;
}

/* Stat rows [from, to) of a batch: one task of the pool. */
static void stat_rows(void *arg)
{
	struct stat_task *t = arg;
	struct batch *b = t->b;
	struct strbuf dir = STRBUF_INIT;
	int dfd = -1;
	size_t i;

	for (i = t->from; i < t->to; i++) {
		struct row *r = &b->rows[i];
		const char *path = str_at(b, r->path), *slash;
		struct stat st;
		int rc;

		if (r->state != ROW_FRESH)
			continue;	/* nothing to check */
		slash = strrchr(path, '/');
		if (slash && slash != path &&
		    (dfd < 0 || dir.len != (size_t)(slash - path) ||
		     memcmp(dir.buf, path, dir.len))) {
			if (dfd >= 0)
				close(dfd);
			strbuf_reset(&dir);
			strbuf_add(&dir, path, slash - path);
			dfd = open(dir.buf, O_PATH | O_DIRECTORY | O_CLOEXEC);
		}
		if (slash && slash != path && dfd >= 0)
			rc = fstatat(dfd, slash + 1, &st, 0);
		else
			rc = stat(path, &st);
		if (rc < 0 || !S_ISREG(st.st_mode))
			r->state = ROW_MISSING;
		else if (!idx_stat_matches(&r->st, &st))
			r->state = ROW_HASH;
	}
	if (dfd >= 0)
		close(dfd);
	strbuf_release(&dir);
}

/*
 * Read up to STAT_BATCH rows into b: 1 with rows, 0 when there are no
 * more (*done is set at the end: the cursor is not stepped again), <0.
 */
static int read_batch(struct idx_cursor *cur, struct batch *b, int *done)
{
	struct idx_row raw;
	int rc = 0;

	b->nr = 0;
	strbuf_reset(&b->strs);
	if (*done)
		return 0;
	while (b->nr < STAT_BATCH &&
	       (rc = idx_cursor_next_row(cur, &raw)) > 0) {
		struct row *r = &b->rows[b->nr++];

		r->key = put_str(&b->strs, raw.key, raw.key_len);
		r->key_len = raw.key_len;
		r->path = put_str(&b->strs, raw.path, raw.path_len);
		r->has_physical = !!raw.physical;
		r->has_hash = raw.hash_type && raw.hash_value;
		r->has_stat = raw.has_stat;
		r->st = raw.st;
		if (!raw.path)
			r->state = ROW_SKIP;
		else if (r->has_hash && r->has_stat)
			r->state = ROW_FRESH;	/* unless its stat says not */
		else
			r->state = ROW_HASH;	/* hashing finds it missing */
		r->size = raw.size;
		/*
		 * The rest of the entry, for a row to hash; a row the stat
		 * may vouch for is read again the few times it does not.
		 */
		if (r->state != ROW_HASH) {
			r->physical = r->meta = NO_STR;
			r->hash_type = r->hash_value = NO_STR;
			continue;
		}
		r->physical = put_str(&b->strs, raw.physical,
				      raw.physical_len);
		r->meta = put_str(&b->strs, raw.meta, raw.meta_len);
		r->hash_type = put_str(&b->strs, raw.hash_type,
				       raw.hash_type_len);
		r->hash_value = put_str(&b->strs, raw.hash_value,
					raw.hash_value_len);
	}
	if (rc <= 0)
		*done = 1;
	if (rc < 0)
		return rc;
	return b->nr > 0;
}

/* The whole entry of a row (0), or QERR_NOTFOUND. */
static int row_entry(struct index_db *idx, const struct batch *b,
		     const struct row *r, struct idx_entry *e)
{
	struct idx_row raw;

	if (r->hash_type == NO_STR && r->hash_value == NO_STR &&
	    r->meta == NO_STR)
		/* not kept: from the index (this transaction writes no row
		 * of a key the walk has not passed yet) */
		return idx_get_entry(idx, str_at(b, r->key), e);
	memset(&raw, 0, sizeof(raw));
	raw.key = str_at(b, r->key);
	raw.key_len = r->key_len;
	raw.path = str_at(b, r->path);
	raw.physical = str_at(b, r->physical);
	raw.meta = str_at(b, r->meta);
	raw.hash_type = str_at(b, r->hash_type);
	raw.hash_value = str_at(b, r->hash_value);
	raw.path_len = raw.path ? strlen(raw.path) : 0;
	raw.physical_len = raw.physical ? strlen(raw.physical) : 0;
	raw.meta_len = raw.meta ? strlen(raw.meta) : 0;
	raw.hash_type_len = raw.hash_type ? strlen(raw.hash_type) : 0;
	raw.hash_value_len = raw.hash_value ? strlen(raw.hash_value) : 0;
	raw.size = r->size;
	raw.has_stat = r->has_stat;
	raw.st = r->st;
	idx_row_to_entry(&raw, e);
	return 0;
}

/* Start stat tasks for the rows of b that need one. */
static void submit_stats(struct tp_group *g, struct batch *b,
			 struct stat_task *tasks)
{
	size_t i, n = 0;

	for (i = 0; i < b->nr; i += STAT_CHUNK) {
		tasks[n].b = b;
		tasks[n].from = i;
		tasks[n].to = i + STAT_CHUNK < b->nr ? i + STAT_CHUNK : b->nr;
		tp_submit(g, stat_rows, &tasks[n++]);
	}
}

/*
 * Files to hash, HASH_BATCH at a time: one batch is hashed in the pool
 * while the main thread writes the results of the one before to the
 * index (and reads on), so neither waits for the other.
 */
struct hash_batch {
	struct idx_entry *e;
	struct hash_job *jobs;
	size_t nr;
	struct tp_group g;
};

struct refresh {
	struct workspace *ws;
	stage_report_fn *fn;
	void *payload;
	stage_seen_fn *seen;
	void *seen_payload;
	struct stage_stats *stats;
	struct strbuf *err;
	struct hash_batch hb[2];
	struct hash_batch *filling;	/* taking entries to hash */
	struct hash_batch *flying;	/* being hashed; NULL: none */
	struct progress *progress;	/* files hashed, once there is one */
};

static void hash_task(void *arg)
{
	struct hash_batch *b = arg;

	hash_files(b->jobs, b->nr, 0);
}

/*
 * Record what a hashed batch found (in key order); ret: an error met
 * before, after which its entries are only released. Returns ret, or
 * the first error.
 */
static int apply_batch(struct refresh *r, struct hash_batch *b, int ret)
{
	size_t i;

	for (i = 0; i < b->nr; i++) {
		struct idx_entry *e = &b->e[i];
		struct hash_job *job = &b->jobs[i];

		if (!ret && (job->ret == QERR_NOTFOUND || job->not_regular)) {
			r->stats->missing++;
			if (r->fn)
				r->fn(e->key, e->path, STAGE_MISSING,
				      r->payload);
		} else if (!ret && job->ret) {
			strbuf_addbuf(r->err, &job->err);
			ret = job->ret;
		} else if (!ret) {
			int changed = !e->has_hash ||
				      !oideq(&e->oid, &job->oid) ||
				      e->size != job->size;

			r->stats->hashed++;
			progress_add(r->progress, 1, job->size);
			if (changed && e->has_hash) {
				r->stats->modified++;
				if (r->fn)
					r->fn(e->key, e->path,
					      STAGE_MODIFIED, r->payload);
			}
			if (changed && e->physical) {
				free(e->physical);
				e->physical = NULL;
				r->stats->local++;	/* only local now */
			}
			e->has_hash = 1;
			e->oid = job->oid;
			e->size = job->size;
			/*
			 * Trust the stat (taken on the open file) only if
			 * the file did not change while it was hashed, and
			 * is not too recent to tell a later change by it.
			 */
			idx_stat_from(&e->st, &job->st);
			e->has_stat = job->unchanged &&
				      !stat_is_racy(&job->st);
			if (changed)
				ret = idx_update_hash(r->ws->idx, e, r->err);
			else if (e->has_stat)
				ret = idx_update_stat(r->ws->idx, e->key,
						      &e->st, r->err);
		}
		hash_job_release(job);
		idx_entry_release(e);
	}
	b->nr = 0;
	return ret;
}

/* Wait for the batch in flight, if any, and apply it. */
static int land(struct refresh *r, int ret)
{
	struct hash_batch *b = r->flying;

	if (!b)
		return ret;
	tp_wait(&b->g);
	r->flying = NULL;
	return apply_batch(r, b, ret);
}

/*
 * Send the batch being filled to the pool, and apply the one in flight
 * meanwhile. The batch applied takes entries next.
 */
static int launch(struct refresh *r)
{
	struct hash_batch *b = r->filling;
	size_t i;
	int ret;

	for (i = 0; i < b->nr; i++)
		hash_job_init(&b->jobs[i], b->e[i].path, -1,
			      HASH_SHA2_256_CHUNKED);
	tp_submit(&b->g, hash_task, b);
	ret = land(r, 0);
	r->filling = b == &r->hb[0] ? &r->hb[1] : &r->hb[0];
	r->flying = b;
	return ret;
}

/* Go through a statted batch in key order. */
static int take_batch(struct refresh *r, const struct batch *b)
{
	size_t i;
	int ret = 0;

	for (i = 0; !ret && i < b->nr; i++) {
		const struct row *row = &b->rows[i];
		const char *key = str_at(b, row->key);

		r->stats->entries++;
		if (r->seen)
			r->seen(key, row->key_len, str_at(b, row->path),
				r->seen_payload);
		if (row->state == ROW_SKIP)
			continue;
		if (!row->has_physical)
			r->stats->local++;
		if (row->state == ROW_MISSING) {
			r->stats->missing++;
			if (r->fn)
				r->fn(key, str_at(b, row->path),
				      STAGE_MISSING, r->payload);
		} else if (row->state == ROW_HASH) {
			struct hash_batch *hb = r->filling;

			if (row_entry(r->ws->idx, b, row, &hb->e[hb->nr])) {
				strbuf_addf(r->err, "cannot read the index "
					    "entry of '%s'", key);
				return QERR_GENERIC;
			}
			if (++hb->nr == HASH_BATCH)
				ret = launch(r);
		}
	}
	return ret;
}

int stage_refresh_seen(struct workspace *ws, const char *prefix,
		       stage_report_fn *fn, void *payload,
		       stage_seen_fn *seen, void *seen_payload,
		       struct stage_stats *stats, struct strbuf *err)
{
	struct refresh r = { 0 };
	struct batch bufs[2], *cur_b = &bufs[0], *next_b = &bufs[1], *t;
	struct stat_task *tasks[2];
	struct idx_cursor *cur;
	int ret = 0, rc, i, done = 0;

	r.ws = ws;
	r.fn = fn;
	r.payload = payload;
	r.seen = seen;
	r.seen_payload = seen_payload;
	r.stats = stats;
	r.err = err;
	/* the committed index: the batches rewrite rows behind the walk */
	if (idx_cursor_open_snapshot(ws->idx, prefix, &cur) < 0) {
		strbuf_addstr(err, "cannot read the index");
		return QERR_GENERIC;
	}
	for (i = 0; i < 2; i++) {
		r.hb[i].e = xcalloc(HASH_BATCH, sizeof(*r.hb[i].e));
		r.hb[i].jobs = xcalloc(HASH_BATCH, sizeof(*r.hb[i].jobs));
	}
	r.filling = &r.hb[0];
	/* a meter only when files are hashed: a stat walk needs none */
	r.progress = progress_start("Hashing files", 0, PROGRESS_LAZY);
	for (i = 0; i < 2; i++) {
		bufs[i].rows = xcalloc(STAT_BATCH, sizeof(*bufs[i].rows));
		bufs[i].nr = 0;
		strbuf_init(&bufs[i].strs, 0);
		tasks[i] = xcalloc(STAT_BATCH / STAT_CHUNK + 1,
				   sizeof(*tasks[i]));
	}
	rc = read_batch(cur, cur_b, &done);
	while (rc > 0 && !ret) {
		struct tp_group g = TP_GROUP_INIT;

		submit_stats(&g, cur_b, tasks[cur_b == &bufs[1]]);
		rc = read_batch(cur, next_b, &done); /* while the pool stats */
		tp_wait(&g);
		ret = take_batch(&r, cur_b);
		t = cur_b;
		cur_b = next_b;
		next_b = t;
	}
	if (!ret && rc < 0) {
		strbuf_addstr(err, "cannot read the index");
		ret = QERR_GENERIC;
	}
	idx_cursor_close(cur);
	if (!ret && r.filling->nr)
		ret = launch(&r);
	ret = land(&r, ret);
	progress_stop(&r.progress);
	for (i = 0; i < (int)r.filling->nr; i++)
		idx_entry_release(&r.filling->e[i]);
	for (i = 0; i < 2; i++) {
		free(r.hb[i].e);
		free(r.hb[i].jobs);
	}
	for (i = 0; i < 2; i++) {
		free(bufs[i].rows);
		strbuf_release(&bufs[i].strs);
		free(tasks[i]);
	}
	return ret;
}

int stage_refresh(struct workspace *ws, const char *prefix,
		  stage_report_fn *fn, void *payload,
		  struct stage_stats *stats, struct strbuf *err)
{
	return stage_refresh_seen(ws, prefix, fn, payload, NULL, NULL,
				  stats, err);
}

char *stage_default_key(struct workspace *ws, const char *abspath,
			int is_dir)
{
	size_t len = strlen(ws->root);
	const char *base;
	struct strbuf sb = STRBUF_INIT;

	if (!strncmp(abspath, ws->root, len) &&
	    (abspath[len] == '/' || !abspath[len])) {
		strbuf_addstr(&sb, abspath[len] ? abspath + len + 1 : "");
	} else {
		base = strrchr(abspath, '/');
		strbuf_addstr(&sb, base ? base + 1 : abspath);
	}
	if (is_dir && sb.len)
		strbuf_addch(&sb, '/');
	return strbuf_detach(&sb, NULL);
}

/* stage_add_paths()'s meter: files staged (add runs on one thread) */
static struct progress *add_progress;

struct adder {
	struct workspace *ws;
	struct stage_stats *stats;
	struct strbuf *err;
	const char *by;		/* claim keys for this path; NULL: no */
	struct ignore *ig;	/* what a folder walk leaves out; NULL: none */
	/*
	 * Nothing was staged below the folder's prefix, nor under a key
	 * named like one of its folders: no key of the folder can meet an
	 * old entry, nor another of its keys (a folder cannot hold a file
	 * and a folder of one name), so there is nothing to look up.
	 */
	int fresh;
};

int stage_claim(struct workspace *ws, const char *key, const char *source,
		const char *by, struct strbuf *err)
{
	struct strbuf other = STRBUF_INIT;
	int ret = idx_claim(ws->idx, key, source, by, &other, err);

	if (ret == QERR_EXISTS)
		strbuf_addf(err, "'%s' would be staged from both '%s' and "
			    "'%s'; add one of them on its own with --as <key>",
			    key, other.buf, by);
	strbuf_release(&other);
	return ret;
}

static int add_file(struct adder *a, const char *path, const char *key)
{
	struct idx_entry e, old;
	struct strbuf other = STRBUF_INIT;
	int ret;

	if (logical_key_check(key, strlen(key), LOGICAL_KEY_PATH, a->err) < 0) {
		strbuf_addf(a->err, " (from '%s')", path);
		return QERR_CORRUPT;
	}
	if (a->by) {
		ret = stage_claim(a->ws, key, path, a->by, a->err);
		if (ret < 0)
			return ret;
	}
	idx_entry_init(&e);
	if (a->fresh) {
		e.key = (char *)key;
		e.path = (char *)path;
		a->stats->added++;
		progress_add(add_progress, 1, 0);
		return idx_put_entry(a->ws->idx, &e, a->err);
	}
	if (idx_key_conflict(a->ws->idx, key, &other)) {
		strbuf_addf(a->err, "'%s' would make '%s' both a file and a "
			    "folder; rm or mv one of them first", key,
			    other.buf);
		strbuf_release(&other);
		return QERR_EXISTS;
	}
	strbuf_release(&other);
	if (!idx_get_entry(a->ws->idx, key, &old)) {
		if (old.path && !strcmp(old.path, path)) {
			idx_entry_release(&old);
			return 0;	/* already staged from this file */
		}
		e.meta = old.meta;	/* keep its metadata */
		old.meta = NULL;
		idx_entry_release(&old);
	}
	e.key = (char *)key;
	e.path = (char *)path;
	ret = idx_put_entry(a->ws->idx, &e, a->err);
	free(e.meta);
	a->stats->added++;
	progress_add(add_progress, 1, 0);
	return ret;
}

struct dir_item {
	size_t off, len;	/* the name; "name/" for a folder */
	const char *key;
};

static int cmp_dir_item(const void *a, const void *b)
{
	const struct dir_item *x = a, *y = b;

	return logical_key_cmp(x->key, x->len, y->key, y->len);
}

/*
 * Stage the files below a folder (name: its name in the folder above,
 * NULL for the first). Its names are taken in key order, so the index
 * grows at its end (no page is split twice) and a folder of a million
 * files is staged in one sweep. What the ignore rules exclude is passed
 * over, and an excluded folder is not read.
 */
static int add_dir(struct adder *a, struct strbuf *path, struct strbuf *key,
		   const char *name)
{
	DIR *d = opendir(path->buf);
	struct dirent *de;
	struct strbuf names = STRBUF_INIT;
	struct dir_item *items = NULL;
	size_t nr = 0, alloc = 0, i, plen = path->len, klen = key->len;
	int ret = 0, dfd;

	if (!d) {
		strbuf_addf(a->err, "cannot read folder '%s': %s", path->buf,
			    strerror(errno));
		return QERR_GENERIC;
	}
	dfd = dirfd(d);
	if (a->ig && name)
		ignore_enter(a->ig, dfd, name, 1);
	while ((de = readdir(d))) {
		const char *name = de->d_name;
		struct stat st;

		if (name[0] == '.' && (!name[1] ||
				       (name[1] == '.' && !name[2])))
			continue;
		/* the file system often says what it is: no stat needed */
		if (de->d_type == DT_REG)
			st.st_mode = S_IFREG;
		else if (de->d_type == DT_DIR)
			st.st_mode = S_IFDIR;
		else if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (S_ISLNK(st.st_mode)) {
			if (fstatat(dfd, name, &st, 0) < 0)
				continue;	/* a dangling link */
			/* folder links are not followed: no cycles */
			if (S_ISDIR(st.st_mode))
				continue;
		}
		if (S_ISDIR(st.st_mode) ? !strcmp(name, ".quire") :
		    !S_ISREG(st.st_mode) || is_quire_leftover(name))
			continue;
		if (a->ig && ignore_excluded(a->ig, name, S_ISDIR(st.st_mode)))
			continue;
		ALLOC_GROW(items, nr + 1, alloc);
		items[nr].off = names.len;
		strbuf_addstr(&names, name);
		if (S_ISDIR(st.st_mode))
			strbuf_addch(&names, '/');
		items[nr].len = names.len - items[nr].off;
		strbuf_addch(&names, '\0');
		nr++;
	}
	closedir(d);
	for (i = 0; i < nr; i++)
		items[i].key = names.buf + items[i].off;
	QSORT(items, nr, cmp_dir_item);
	for (i = 0; !ret && i < nr; i++) {
		const char *name = items[i].key;
		size_t len = items[i].len;
		int is_dir = name[len - 1] == '/';

		strbuf_setlen(path, plen);
		strbuf_setlen(key, klen);
		strbuf_addch(path, '/');
		strbuf_add(path, name, is_dir ? len - 1 : len);
		strbuf_add(key, name, len);
		if (is_dir)
			ret = add_dir(a, path, key, path->buf + plen + 1);
		else
			ret = add_file(a, path->buf, key->buf);
	}
	if (a->ig && name)
		ignore_leave(a->ig);
	free(items);
	strbuf_release(&names);
	strbuf_setlen(path, plen);
	strbuf_setlen(key, klen);
	return ret;
}

/* Is anything staged below prefix ("dir/"), or as one of its folders? */
static int prefix_taken(struct workspace *ws, const char *prefix)
{
	struct strbuf other = STRBUF_INIT;
	size_t len = strlen(prefix);
	int ret;

	if (!len)
		return idx_count(ws->idx, NULL) > 0;
	if (prefix[len - 1] != '/')
		return 1;
	ret = idx_count(ws->idx, prefix) > 0;
	if (!ret) {
		/* "a/b/": is there an entry "a" or "a/b"? */
		char *k = xstrndup(prefix, len - 1);
		struct idx_entry e;

		ret = idx_key_conflict(ws->idx, k, &other);
		if (!ret && !idx_get_entry(ws->idx, k, &e)) {
			idx_entry_release(&e);
			ret = 1;
		}
		free(k);
	}
	strbuf_release(&other);
	return ret;
}

/*
 * Is the file or folder at abspath excluded by the ignore rules, and
 * not staged already (a staged file stays)?
 */
static int ignored_path(struct workspace *ws, const char *abspath,
			int is_dir)
{
	const struct ignore_pattern *p;
	const char *root, *rel;
	struct ignore ig;
	int ret;

	ignore_root_of(ws->root, abspath, is_dir, &root, &rel);
	if (!root || !*rel)
		return 0;
	ignore_init(&ig, root);
	p = ignore_path(&ig, rel, is_dir, NULL);
	ret = p && !(p->flags & IGNORE_NEGATIVE) &&
	      (is_dir || !idx_has_path(ws->idx, abspath));
	ignore_release(&ig);
	return ret;
}

/* Refuse the paths the ignore rules exclude, naming them all. */
static int refuse_ignored(struct workspace *ws, const char *const *paths,
			  int nr, struct strbuf *err)
{
	struct strbuf names = STRBUF_INIT;
	struct stat st;
	int i, ret = 0;

	for (i = 0; i < nr; i++) {
		char *abs;

		if (!strncmp(paths[i], "s3://", 5) || !*paths[i])
			continue;
		abs = absolute_path(paths[i]);
		if (!stat(abs, &st) &&
		    ignored_path(ws, abs, S_ISDIR(st.st_mode)))
			strbuf_addf(&names, "%s\n", paths[i]);
		free(abs);
	}
	if (names.len) {
		strbuf_addf(err, "the following paths are ignored by one of "
			    "your " IGNORE_FILE " files:\n%suse -f/--force "
			    "if you really want to add them", names.buf);
		ret = QERR_GENERIC;
	}
	strbuf_release(&names);
	return ret;
}

static int add_local(struct workspace *ws, const char *path,
		     const char *prefix, const char *by, unsigned flags,
		     struct stage_stats *stats, struct strbuf *err)
{
	struct adder a = { ws, stats, err, by, NULL, 0 };
	struct strbuf p = STRBUF_INIT, key = STRBUF_INIT;
	char *abs = absolute_path(path), *def = NULL;
	struct ignore ig = IGNORE_INIT;
	struct stat st;
	int ret;

	/* "" names no file (as for stat()), not the current folder */
	if (!*path || stat(abs, &st) < 0) {
		strbuf_addf(err, "cannot add '%s': %s", path,
			    strerror(*path ? errno : ENOENT));
		free(abs);
		return QERR_NOTFOUND;
	}
	if (!prefix)
		prefix = def = stage_default_key(ws, abs, S_ISDIR(st.st_mode));
	if (S_ISDIR(st.st_mode)) {
		strbuf_addstr(&key, prefix);
		if (key.len && key.buf[key.len - 1] != '/')
			strbuf_addch(&key, '/');
		strbuf_addstr(&p, abs);
		/* the folder's own key: one folder may not take another's */
		ret = by ? stage_claim(ws, key.buf, abs, by, err) : 0;
		a.fresh = !by && !prefix_taken(ws, key.buf);
		if (!(flags & STAGE_ADD_FORCE)) {
			const char *root, *rel;

			ignore_root_of(ws->root, abs, 1, &root, &rel);
			ignore_init(&ig, root);
			ignore_begin(&ig, rel, NULL, NULL);
			a.ig = &ig;
		}
		if (ret >= 0)
			ret = add_dir(&a, &p, &key, NULL);
		if (!ret)
			ret = idx_add_watch(ws->idx, key.buf, abs, err);
	} else if (S_ISREG(st.st_mode)) {
		strbuf_addstr(&key, prefix);
		if (!key.len || key.buf[key.len - 1] == '/') {
			const char *base = strrchr(abs, '/');

			strbuf_addstr(&key, base ? base + 1 : abs);
		}
		ret = add_file(&a, abs, key.buf);
	} else {
		strbuf_addf(err, "cannot add '%s': not a file or folder",
			    path);
		ret = QERR_GENERIC;
	}
	ignore_release(&ig);
	strbuf_release(&p);
	strbuf_release(&key);
	free(def);
	free(abs);
	return ret;
}

int stage_add(struct workspace *ws, const char *path, const char *prefix,
	      struct stage_stats *stats, struct strbuf *err)
{
	return add_local(ws, path, prefix, NULL, STAGE_ADD_FORCE, stats,
			 err);
}

int stage_add_paths(struct workspace *ws, const char *const *paths,
		    int nr, const char *as, unsigned flags, int *failed,
		    struct stage_stats *stats, struct strbuf *err)
{
	const char *by;
	int i, ret = 0;

	if (as && nr != 1)
		BUG("a logical prefix for %d paths", nr);
	if (!(flags & STAGE_ADD_FORCE) && refuse_ignored(ws, paths, nr, err))
		return QERR_GENERIC;
	add_progress = progress_start("Adding files", 0, PROGRESS_LAZY);
	for (i = 0; !ret && i < nr; i++) {
		/* one path cannot collide with itself: no claims needed */
		by = nr > 1 ? paths[i] : NULL;
		if (!strncmp(paths[i], "s3://", 5))
			ret = stage_add_remote_by(ws, paths[i], as, by, stats,
						  err);
		else
			ret = add_local(ws, paths[i], as, by, flags, stats,
					err);
		if (ret < 0 && failed)
			*failed = i;
		else if (ret > 0)
			ret = 0;
	}
	progress_stop(&add_progress);
	if (nr > 1)
		idx_claims_drop(ws->idx);
	return ret;
}
