#include "quire-compat.h"
#include "folder-check.h"
#include "chunked-hash.h"
#include "diff.h"
#include "folder.h"
#include "index-db.h"
#include "logical-key.h"
#include "manifest.h"
#include "progress.h"
#include "stage.h"
#include "workspace.h"

#define BATCH 1024
/*
 * ...or fewer files, when they are large: hash_files() splits a large
 * file over the cores anyway, and the meter moves once a batch.
 */
#define BATCH_BYTES (256u << 20)

struct check {
	struct workspace *ws;
	struct progress *progress;
	folder_check_fn *fn;
	void *payload;
	struct folder_check_counts *n;
	struct hash_job jobs[BATCH];
	struct object_id want[BATCH];
	char *keys[BATCH];
	/* the file is staged with the hash it should have: refresh its stat */
	char refresh[BATCH];
	struct idx_stat st[BATCH];	/* ...taken before it was hashed */
	size_t nr;
	uint64_t nr_bytes;		/* what the batch's entries weigh */
	struct strbuf *warning;		/* the stat cache was not updated */
	int no_refresh;			/* ...and will not be: it is locked */
};

static void report(struct check *c, const char *what, const char *key)
{
	if (!c->fn)
		return;
	progress_clear(c->progress);
	c->fn(what, key, c->payload);
}

/*
 * A file found intact whose entry has the same bytes but an older stat:
 * record its stat, so that status need not hash it again. Only if it did
 * not change while it was hashed, and is staged as it was.
 */
static int refresh_stat(struct check *c, size_t i, struct strbuf *err)
{
	struct idx_entry ie;
	struct stat now;
	int ret = 0;

	if (stat(c->jobs[i].path, &now) < 0 ||
	    !idx_stat_matches(&c->st[i], &now) || stat_is_racy(&now) ||
	    (uint64_t)now.st_size != c->jobs[i].size)
		return 0;
	if (idx_get_entry(c->ws->idx, c->keys[i], &ie))
		return 0;
	if (ie.path && !strcmp(ie.path, c->jobs[i].path) && ie.has_hash &&
	    oideq(&ie.oid, &c->want[i]))
		ret = idx_update_stat(c->ws->idx, c->keys[i], &c->st[i], err);
	idx_entry_release(&ie);
	return ret;
}

/* Job i hashed a file that is intact and whose stat may be recorded. */
static int intact_and_stale(struct check *c, size_t i)
{
	return c->refresh[i] && !c->jobs[i].ret &&
	       oideq(&c->jobs[i].oid, &c->want[i]);
}

static int refresh_stats(struct check *c, struct strbuf *err)
{
	struct strbuf why = STRBUF_INIT;
	size_t i;
	int ret = 0;

	for (i = 0; i < c->nr && !intact_and_stale(c, i); i++)
		;
	if (i == c->nr || c->no_refresh)
		return 0;
	/*
	 * One short transaction a batch: a check may run for hours. The
	 * cache is an optimisation: locked by another command, it waits.
	 */
	if (idx_begin_cache(c->ws->idx, &why) < 0) {
		if (!c->warning->len)
			strbuf_addf(c->warning, "cannot update the stat "
				    "cache: %s", why.buf);
		strbuf_release(&why);
		c->no_refresh = 1;
		return 0;
	}
	for (; !ret && i < c->nr; i++)
		if (intact_and_stale(c, i))
			ret = refresh_stat(c, i, err);
	if (ret < 0) {
		idx_rollback(c->ws->idx);
		return ret;
	}
	ret = idx_commit_cache(c->ws->idx, &why);
	if (ret > 0 && !c->warning->len)
		strbuf_addbuf(c->warning, &why);
	else if (ret < 0)
		strbuf_addbuf(err, &why);
	strbuf_release(&why);
	return ret < 0 ? ret : 0;
}

static int flush(struct check *c, struct strbuf *err)
{
	uint64_t bytes = 0;
	size_t i;
	int ret;

	hash_files(c->jobs, c->nr, 0);
	for (i = 0; i < c->nr; i++)
		bytes += c->jobs[i].ret ? 0 : c->jobs[i].size;
	progress_add(c->progress, c->nr, bytes);
	ret = refresh_stats(c, err);
	for (i = 0; i < c->nr; i++) {
		if (ret < 0) {
			;	/* release the rest */
		} else if (c->jobs[i].ret == QERR_NOTFOUND) {
			c->n->missing++;
			report(c, "missing", c->keys[i]);
		} else if (c->jobs[i].ret) {
			strbuf_addbuf(err, &c->jobs[i].err);
			ret = c->jobs[i].ret;
		} else if (!oideq(&c->jobs[i].oid, &c->want[i])) {
			c->n->changed++;
			report(c, "changed", c->keys[i]);
		} else {
			c->n->ok++;
		}
		free((char *)c->jobs[i].path);
		free(c->keys[i]);
		hash_job_release(&c->jobs[i]);
	}
	c->nr = 0;
	c->nr_bytes = 0;
	return ret;
}

static void drop_batch(struct check *c)
{
	size_t i;

	for (i = 0; i < c->nr; i++) {
		free((char *)c->jobs[i].path);
		free(c->keys[i]);
		hash_job_release(&c->jobs[i]);
	}
	c->nr = 0;
}

static int check_entry(struct check *c, const struct manifest_entry *e,
		       struct strbuf *err)
{
	struct strbuf path = STRBUF_INIT;
	struct idx_entry ie;
	struct stat st;

	strbuf_addf(&path, "%s/%s", c->ws->root, e->key.buf);
	c->refresh[c->nr] = 0;
	/* entries a partial install did not place are not expected here */
	if (!idx_get_entry(c->ws->idx, e->key.buf, &ie)) {
		int placed = ie.path != NULL;

		if (placed && !strcmp(ie.path, path.buf) && ie.has_hash &&
		    oideq(&ie.oid, &e->oid) && !stat(path.buf, &st) &&
		    S_ISREG(st.st_mode) &&
		    !(ie.has_stat && idx_stat_matches(&ie.st, &st))) {
			c->refresh[c->nr] = 1;
			idx_stat_from(&c->st[c->nr], &st);
		}
		idx_entry_release(&ie);
		if (!placed) {
			strbuf_release(&path);
			c->n->skipped++;
			progress_add(c->progress, 1, 0);
			return 0;
		}
	}
	hash_job_init(&c->jobs[c->nr], strbuf_detach(&path, NULL), -1,
		      e->oid.type);
	c->want[c->nr] = e->oid;
	c->keys[c->nr] = xstrdup(e->key.buf);
	c->nr_bytes += e->size;
	if (++c->nr == BATCH || c->nr_bytes >= BATCH_BYTES)
		return flush(c, err);
	return 0;
}

int folder_check(struct workspace *ws, struct entry_stream *s,
		 struct progress *progress, folder_check_fn *fn,
		 void *payload, struct folder_check_counts *counts,
		 struct strbuf *warn, struct strbuf *err)
{
	struct check *c = xcalloc(1, sizeof(*c));
	struct path_list fl;
	struct manifest_entry e;
	size_t i = 0;
	int ret, cmp;

	memset(counts, 0, sizeof(*counts));
	c->ws = ws;
	c->progress = progress;
	c->fn = fn;
	c->payload = payload;
	c->n = counts;
	c->warning = warn;
	ret = folder_list(ws->root, &fl, err);
	if (ret < 0) {
		free(c);
		return ret;
	}
	manifest_entry_init(&e);
	while ((ret = s->next(s, &e, err)) > 0) {
		cmp = 1;
		while (i < fl.nr &&
		       (cmp = logical_key_cmp(fl.items[i], strlen(fl.items[i]),
					      e.key.buf, e.key.len)) < 0) {
			counts->extra++;
			report(c, "extra", fl.items[i++]);
		}
		if (i < fl.nr && !cmp)
			i++;
		ret = check_entry(c, &e, err);
		if (ret < 0)
			break;
	}
	for (; !ret && i < fl.nr; i++) {
		counts->extra++;
		report(c, "extra", fl.items[i]);
	}
	if (!ret)
		ret = flush(c, err);
	else
		drop_batch(c);
	manifest_entry_release(&e);
	path_list_release(&fl);
	free(c);
	return ret;
}

int folder_check_matches(const struct folder_check_counts *counts)
{
	return !counts->changed && !counts->missing && !counts->extra;
}

int folder_check_workspace(const char *dir, struct workspace **out,
			   struct strbuf *err)
{
	struct strbuf why = STRBUF_INIT;
	struct stat st;
	int ret;

	*out = NULL;
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		strbuf_addf(err, "'%s' is not a folder", dir);
		return QERR_NOTFOUND;
	}
	ret = workspace_discover(dir, out, &why);
	if (ret == QERR_NOTFOUND)
		strbuf_addf(err, "'%s' is not a quire folder (no .quire in "
			    "it or above it); 'quire install <revision> --to "
			    "%s' or 'quire init' makes one", dir, dir);
	else if (ret < 0)
		strbuf_addbuf(err, &why);
	strbuf_release(&why);
	return ret;
}
