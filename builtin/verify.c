#include "builtin.h"
#include "chunked-hash.h"
#include "diff.h"
#include "folder.h"
#include "logical-key.h"
#include "parse-options.h"
#include "porcelain.h"
#include "refs/refs.h"
#include "stage.h"

static const char * const verify_usage[] = {
	"quire verify [-q] [--rev <revision> [--registry <registry>]] [<dir>]",
	NULL
};

#define BATCH 1024
/*
 * ...or fewer files, when they are large: hash_files() splits a large
 * file over the cores anyway, and the meter moves once a batch.
 */
#define BATCH_BYTES (256u << 20)

struct verify {
	struct workspace *ws;
	int quiet;
	struct progress *progress;
	uint64_t missing, changed, extra, ok, skipped;
	struct hash_job jobs[BATCH];
	struct object_id want[BATCH];
	char *keys[BATCH];
	/* the file is staged with the hash it should have: refresh its stat */
	char refresh[BATCH];
	struct idx_stat st[BATCH];	/* ...taken before it was hashed */
	size_t nr;
	uint64_t nr_bytes;		/* what the batch's entries weigh */
	struct strbuf warning;		/* the stat cache was not updated */
	int no_refresh;			/* ...and will not be: it is locked */
};

static void report(struct verify *v, const char *what, const char *key)
{
	struct strbuf sb = STRBUF_INIT;

	if (v->quiet)
		return;
	progress_clear(v->progress);
	strbuf_add_quoted_name(&sb, key, strlen(key));
	printf("%s: %s\n", what, sb.buf);
	strbuf_release(&sb);
}

/*
 * A file found intact whose entry has the same bytes but an older stat:
 * record its stat, so that status need not hash it again. Only if it did
 * not change while it was hashed, and is staged as it was.
 */
static int refresh_stat(struct verify *v, size_t i, struct strbuf *err)
{
	struct idx_entry ie;
	struct stat now;
	int ret = 0;

	if (stat(v->jobs[i].path, &now) < 0 ||
	    !idx_stat_matches(&v->st[i], &now) || stat_is_racy(&now) ||
	    (uint64_t)now.st_size != v->jobs[i].size)
		return 0;
	if (idx_get_entry(v->ws->idx, v->keys[i], &ie))
		return 0;
	if (ie.path && !strcmp(ie.path, v->jobs[i].path) && ie.has_hash &&
	    oideq(&ie.oid, &v->want[i]))
		ret = idx_update_stat(v->ws->idx, v->keys[i], &v->st[i], err);
	idx_entry_release(&ie);
	return ret;
}

/* Job i hashed a file that is intact and whose stat may be recorded. */
static int intact_and_stale(struct verify *v, size_t i)
{
	return v->refresh[i] && !v->jobs[i].ret &&
	       oideq(&v->jobs[i].oid, &v->want[i]);
}

static void refresh_stats(struct verify *v)
{
	struct strbuf err = STRBUF_INIT;
	size_t i;

	for (i = 0; i < v->nr && !intact_and_stale(v, i); i++)
		;
	if (i == v->nr || v->no_refresh)
		return;
	/*
	 * One short transaction a batch: verify may run for hours. The
	 * cache is an optimisation: locked by another command, it waits.
	 */
	if (idx_begin_cache(v->ws->idx, &err) < 0) {
		if (!v->warning.len)
			strbuf_addf(&v->warning, "cannot update the stat "
				    "cache: %s", err.buf);
		strbuf_release(&err);
		v->no_refresh = 1;
		return;
	}
	for (; i < v->nr; i++)
		if (intact_and_stale(v, i) && refresh_stat(v, i, &err) < 0)
			die("%s", err.buf);
	strbuf_reset(&err);
	switch (idx_commit_cache(v->ws->idx, &err)) {
	case 0:
		break;
	case 1:
		if (!v->warning.len)
			strbuf_addbuf(&v->warning, &err);
		break;
	default:
		die("%s", err.buf);
	}
	strbuf_release(&err);
}

static void flush(struct verify *v)
{
	uint64_t bytes = 0;
	size_t i;

	hash_files(v->jobs, v->nr, 0);
	for (i = 0; i < v->nr; i++)
		bytes += v->jobs[i].ret ? 0 : v->jobs[i].size;
	progress_add(v->progress, v->nr, bytes);
	refresh_stats(v);
	for (i = 0; i < v->nr; i++) {
		if (v->jobs[i].ret == QERR_NOTFOUND) {
			v->missing++;
			report(v, "missing", v->keys[i]);
		} else if (v->jobs[i].ret) {
			die("%s", v->jobs[i].err.buf);
		} else if (!oideq(&v->jobs[i].oid, &v->want[i])) {
			v->changed++;
			report(v, "changed", v->keys[i]);
		} else {
			v->ok++;
		}
		free((char *)v->jobs[i].path);
		free(v->keys[i]);
		hash_job_release(&v->jobs[i]);
	}
	v->nr = 0;
	v->nr_bytes = 0;
}

static void check(struct verify *v, const struct manifest_entry *e)
{
	struct strbuf path = STRBUF_INIT;
	struct idx_entry ie;
	struct stat st;

	strbuf_addf(&path, "%s/%s", v->ws->root, e->key.buf);
	v->refresh[v->nr] = 0;
	/* entries a partial install did not place are not expected here */
	if (!idx_get_entry(v->ws->idx, e->key.buf, &ie)) {
		int placed = ie.path != NULL;

		if (placed && !strcmp(ie.path, path.buf) && ie.has_hash &&
		    oideq(&ie.oid, &e->oid) && !stat(path.buf, &st) &&
		    S_ISREG(st.st_mode) &&
		    !(ie.has_stat && idx_stat_matches(&ie.st, &st))) {
			v->refresh[v->nr] = 1;
			idx_stat_from(&v->st[v->nr], &st);
		}
		idx_entry_release(&ie);
		if (!placed) {
			strbuf_release(&path);
			v->skipped++;
			progress_add(v->progress, 1, 0);
			return;
		}
	}
	hash_job_init(&v->jobs[v->nr], strbuf_detach(&path, NULL), -1,
		      e->oid.type);
	v->want[v->nr] = e->oid;
	v->keys[v->nr] = xstrdup(e->key.buf);
	v->nr_bytes += e->size;
	if (++v->nr == BATCH || v->nr_bytes >= BATCH_BYTES)
		flush(v);
}

int cmd_verify(int argc, const char **argv, const char *prefix,
	       struct workspace *unused)
{
	struct strbuf err = STRBUF_INIT;
	struct verify v;
	struct path_list fl;
	struct entry_stream *s;
	struct manifest_entry e;
	struct object_id head, clean;
	int64_t total = 0;
	size_t i = 0;
	FILE *fp;
	int ret;
	const char *rev = NULL, *registry = NULL;
	struct option options[] = {
		OPT__QUIET(&v.quiet),
		OPT__PROGRESS(),
		OPT_STRING(0, "rev", &rev, "revision",
			   "check against this version, here or in a registry"),
		OPT__REGISTRY(&registry),
		OPT_END()
	};

	memset(&v, 0, sizeof(v));
	strbuf_init(&v.warning, 0);
	argc = parse_options(argc, argv, prefix, options, verify_usage, 0);
	if (argc > 1)
		usage_with_options(verify_usage, options);
	if (workspace_discover(argc ? argv[0] : ".", &v.ws, &err) < 0)
		die("%s", err.buf);
	open_index(v.ws);
	if (registry && !rev)
		die("--registry needs --rev <revision>");
	if (rev) {
		if (porcelain_open_stream(v.ws, registry, rev, &head, &fp, &s,
					  &err) < 0)
			die("%s", err.buf);
	} else {
		if (refs_read(v.ws->refs, "HEAD", &head) < 0)
			die("'%s' has no package version to verify against; "
			    "install or commit one first, or give --rev",
			    v.ws->root);
		if (odb_open_manifest(&v.ws->odb, &head, &fp, &err) < 0)
			die("%s", err.buf);
		s = entry_stream_manifest(fp, "HEAD", &err);
		if (!s)
			die("%s", err.buf);
	}
	if (folder_list(v.ws->root, &fl, &err) < 0)
		die("%s", err.buf);
	/* an index that is exactly HEAD counts the entries to come */
	if (!rev && !idx_clean_get(v.ws->idx, &clean) && oideq(&clean, &head))
		total = idx_count(v.ws->idx, NULL);
	v.progress = progress_start("Verifying", total > 0 ? total : 0,
				    v.quiet ? PROGRESS_QUIET : 0);
	manifest_entry_init(&e);
	while ((ret = s->next(s, &e, &err)) > 0) {
		int cmp = 1;

		while (i < fl.nr &&
		       (cmp = logical_key_cmp(fl.items[i], strlen(fl.items[i]),
					      e.key.buf, e.key.len)) < 0) {
			v.extra++;
			report(&v, "extra", fl.items[i++]);
		}
		if (i < fl.nr && !cmp)
			i++;
		check(&v, &e);
	}
	if (ret < 0)
		die("%s", err.buf);
	for (; i < fl.nr; i++) {
		v.extra++;
		report(&v, "extra", fl.items[i]);
	}
	flush(&v);
	progress_stop(&v.progress);
	entry_stream_free(s);
	manifest_entry_release(&e);
	fclose(fp);
	if (v.warning.len)
		warning("%s", v.warning.buf);
	if (!v.quiet)
		fprintf(stderr, "%" PRIu64 " file%s match %s; %" PRIu64
			" changed, %" PRIu64 " missing, %" PRIu64 " extra%s\n",
			v.ok, v.ok == 1 ? "" : "s", short_hash(&head),
			v.changed, v.missing, v.extra, v.skipped ?
			" (entries not installed are not checked)" : "");
	path_list_release(&fl);
	workspace_free(v.ws);
	strbuf_release(&v.warning);
	strbuf_release(&err);
	return v.changed || v.missing || v.extra ? 1 : 0;
}
