#include "quire-compat.h"
#include "stage-internal.h"
#include "chunked-hash.h"
#include "index-db.h"
#include "logical-key.h"
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
	static time_t start;

	if (!start)
		start = time(NULL);
	return st->st_mtim.tv_sec >= start - 1;
}

struct pending {
	struct idx_entry e;
	struct stat st;
};

struct refresh {
	struct workspace *ws;
	stage_report_fn *fn;
	void *payload;
	struct stage_stats *stats;
	struct strbuf *err;
	struct pending *batch;
	size_t nr;
};

static int flush_batch(struct refresh *r)
{
	struct hash_job *jobs = xcalloc(r->nr ? r->nr : 1, sizeof(*jobs));
	size_t i;
	int ret = 0;

	for (i = 0; i < r->nr; i++)
		hash_job_init(&jobs[i], r->batch[i].e.path, -1,
			      HASH_SHA2_256_CHUNKED);
	hash_files(jobs, r->nr, 0);
	for (i = 0; i < r->nr; i++) {
		struct pending *p = &r->batch[i];
		struct stat now;

		if (!ret && jobs[i].ret == QERR_NOTFOUND) {
			r->stats->missing++;
			if (r->fn)
				r->fn(p->e.key, p->e.path, STAGE_MISSING,
				      r->payload);
		} else if (!ret && jobs[i].ret) {
			strbuf_addbuf(r->err, &jobs[i].err);
			ret = jobs[i].ret;
		} else if (!ret) {
			int changed = !p->e.has_hash ||
				      !oideq(&p->e.oid, &jobs[i].oid) ||
				      p->e.size != jobs[i].size;

			r->stats->hashed++;
			if (changed && p->e.has_hash) {
				r->stats->modified++;
				if (r->fn)
					r->fn(p->e.key, p->e.path,
					      STAGE_MODIFIED, r->payload);
			}
			if (changed && p->e.physical) {
				free(p->e.physical);
				p->e.physical = NULL;
				r->stats->local++;	/* only local now */
			}
			p->e.has_hash = 1;
			p->e.oid = jobs[i].oid;
			p->e.size = jobs[i].size;
			/*
			 * Trust the stat only if the file did not change
			 * while it was hashed and is not too recent.
			 */
			idx_stat_from(&p->e.st, &p->st);
			p->e.has_stat = !stat(p->e.path, &now) &&
					idx_stat_matches(&p->e.st, &now) &&
					now.st_size == (off_t)jobs[i].size &&
					!stat_is_racy(&now);
			if (changed)
				ret = idx_put_entry(r->ws->idx, &p->e, r->err);
			else if (p->e.has_stat)
				ret = idx_update_stat(r->ws->idx, p->e.key,
						      &p->e.st, r->err);
		}
		hash_job_release(&jobs[i]);
		idx_entry_release(&p->e);
	}
	free(jobs);
	r->nr = 0;
	return ret;
}

static int check_entry(const struct idx_entry *e, void *payload)
{
	struct refresh *r = payload;
	struct stat st;
	struct pending *p;

	r->stats->entries++;
	if (!e->path)
		return 0;
	if (!e->physical)
		r->stats->local++;
	if (stat(e->path, &st) < 0 || !S_ISREG(st.st_mode)) {
		r->stats->missing++;
		if (r->fn)
			r->fn(e->key, e->path, STAGE_MISSING, r->payload);
		return 0;
	}
	if (e->has_hash && e->has_stat && idx_stat_matches(&e->st, &st))
		return 0;
	p = &r->batch[r->nr++];
	p->e = *e;
	p->e.key = xstrdup(e->key);
	p->e.path = xstrdup(e->path);
	p->e.physical = e->physical ? xstrdup(e->physical) : NULL;
	p->e.meta = e->meta ? xstrdup(e->meta) : NULL;
	p->st = st;
	if (r->nr == HASH_BATCH)
		return flush_batch(r);
	return 0;
}

int stage_refresh(struct workspace *ws, const char *prefix,
		  stage_report_fn *fn, void *payload,
		  struct stage_stats *stats, struct strbuf *err)
{
	struct refresh r = { 0 };
	struct idx_cursor *cur;
	struct idx_entry e;
	int ret = 0, rc = 0;

	r.ws = ws;
	r.fn = fn;
	r.payload = payload;
	r.stats = stats;
	r.err = err;
	r.batch = xcalloc(HASH_BATCH, sizeof(*r.batch));
	/* the committed index: the batches rewrite rows behind the walk */
	if (idx_cursor_open_snapshot(ws->idx, prefix, &cur) < 0) {
		strbuf_addstr(err, "cannot read the index");
		free(r.batch);
		return QERR_GENERIC;
	}
	while (!ret && (rc = idx_cursor_next(cur, &e)) > 0) {
		ret = check_entry(&e, &r);
		idx_entry_release(&e);
	}
	if (!ret && rc < 0)
		ret = QERR_GENERIC;
	idx_cursor_close(cur);
	if (!ret && r.nr)
		ret = flush_batch(&r);
	free(r.batch);
	return ret;
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

struct adder {
	struct workspace *ws;
	struct stage_stats *stats;
	struct strbuf *err;
	const char *by;		/* claim keys for this path; NULL: no */
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
	return ret;
}

static int is_quire_dir(const char *path)
{
	const char *base = strrchr(path, '/');

	return !strcmp(base ? base + 1 : path, ".quire");
}

static int add_dir(struct adder *a, struct strbuf *path, struct strbuf *key)
{
	DIR *d = opendir(path->buf);
	struct dirent *de;
	size_t plen = path->len, klen = key->len;
	int ret = 0;

	if (!d) {
		strbuf_addf(a->err, "cannot read folder '%s': %s", path->buf,
			    strerror(errno));
		return QERR_GENERIC;
	}
	while (!ret && (de = readdir(d))) {
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		strbuf_setlen(path, plen);
		strbuf_setlen(key, klen);
		strbuf_addf(path, "/%s", de->d_name);
		strbuf_addstr(key, de->d_name);
		if (lstat(path->buf, &st) < 0)
			continue;
		if (S_ISLNK(st.st_mode) && stat(path->buf, &st) < 0)
			continue;	/* a dangling link */
		if (S_ISDIR(st.st_mode)) {
			if (is_quire_dir(path->buf))
				continue;
			/* folder links are not followed: no cycles */
			if (lstat(path->buf, &st) == 0 && S_ISLNK(st.st_mode))
				continue;
			strbuf_addch(key, '/');
			ret = add_dir(a, path, key);
		} else if (S_ISREG(st.st_mode) &&
			   !is_quire_leftover(de->d_name)) {
			ret = add_file(a, path->buf, key->buf);
		}
	}
	closedir(d);
	strbuf_setlen(path, plen);
	strbuf_setlen(key, klen);
	return ret;
}

static int add_local(struct workspace *ws, const char *path,
		     const char *prefix, const char *by,
		     struct stage_stats *stats, struct strbuf *err)
{
	struct adder a = { ws, stats, err, by };
	struct strbuf p = STRBUF_INIT, key = STRBUF_INIT;
	char *abs = absolute_path(path), *def = NULL;
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
		if (ret >= 0)
			ret = add_dir(&a, &p, &key);
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
	strbuf_release(&p);
	strbuf_release(&key);
	free(def);
	free(abs);
	return ret;
}

int stage_add(struct workspace *ws, const char *path, const char *prefix,
	      struct stage_stats *stats, struct strbuf *err)
{
	return add_local(ws, path, prefix, NULL, stats, err);
}

int stage_add_paths(struct workspace *ws, const char *const *paths,
		    int nr, const char *as, int *failed,
		    struct stage_stats *stats, struct strbuf *err)
{
	const char *by;
	int i, ret = 0;

	if (as && nr != 1)
		BUG("a logical prefix for %d paths", nr);
	for (i = 0; !ret && i < nr; i++) {
		/* one path cannot collide with itself: no claims needed */
		by = nr > 1 ? paths[i] : NULL;
		if (!strncmp(paths[i], "s3://", 5))
			ret = stage_add_remote_by(ws, paths[i], as, by, stats,
						  err);
		else
			ret = add_local(ws, paths[i], as, by, stats, err);
		if (ret < 0 && failed)
			*failed = i;
		else if (ret > 0)
			ret = 0;
	}
	if (nr > 1)
		idx_claims_drop(ws->idx);
	return ret;
}
