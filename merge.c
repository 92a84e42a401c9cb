#include "quire-compat.h"
#include "merge.h"
#include "diff.h"
#include "index-db.h"
#include "json.h"
#include "logical-key.h"
#include "manifest.h"
#include "porcelain.h"
#include "progress.h"
#include "push.h"
#include "registry.h"
#include "rev-url.h"
#include "workspace.h"

struct merge {
	struct workspace *ws;
	struct object_id top;	/* the version merged */
	struct strbuf key, collisions;
	size_t ncollisions, merged;
	uint64_t entries;	/* in the version, counted by the first pass */
	int apply, progress;
};

/* The first pass checks an entry; the second stages it. */
static int one(struct merge *m, const struct manifest_entry *e,
	       const char *pfx, struct strbuf *err)
{
	struct idx_entry ie, old;
	struct strbuf meta = STRBUF_INIT;
	int ret;

	strbuf_reset(&m->key);
	strbuf_addf(&m->key, "%s%s", pfx, e->key.buf);
	if (logical_key_check(m->key.buf, m->key.len, 0, err) < 0)
		return QERR_CORRUPT;
	if (!m->apply) {
		struct strbuf other = STRBUF_INIT;

		if (idx_key_conflict(m->ws->idx, m->key.buf, &other)) {
			strbuf_addf(err, "merging would make '%s' both a file "
				    "and a folder (because of '%s')",
				    m->key.buf, other.buf);
			strbuf_release(&other);
			return QERR_EXISTS;
		}
		strbuf_release(&other);
		if (!idx_get_entry(m->ws->idx, m->key.buf, &old)) {
			if (m->ncollisions++ < 20)
				strbuf_addf(&m->collisions, "\n\t%s",
					    m->key.buf);
			idx_entry_release(&old);
		}
		return 0;
	}
	idx_entry_init(&ie);
	ie.key = m->key.buf;
	ie.physical = (char *)e->physical.buf;
	ie.has_hash = 1;
	ie.oid = e->oid;
	ie.size = e->size;
	json_write_python(&meta, e->meta);
	ie.meta = meta.buf;
	ret = idx_put_entry(m->ws->idx, &ie, err);
	m->merged++;
	strbuf_release(&meta);
	return ret;
}

static int pass(struct merge *m, const char *reg, const char *rev,
		const char *pfx, struct strbuf *err)
{
	struct entry_stream *s;
	struct manifest_entry e;
	struct progress *progress = NULL;
	uint64_t n = 0;
	FILE *fp;
	int ret;

	ret = porcelain_open_stream(m->ws, reg, rev, &m->top, &fp, &s, err);
	if (ret)
		return ret;
	manifest_entry_init(&e);
	if (m->progress)
		progress = progress_start(m->apply ? "Merging entries" :
					  "Checking entries", m->entries, 0);
	while ((ret = s->next(s, &e, err)) > 0) {
		ret = one(m, &e, pfx, err);
		if (ret < 0)
			break;
		progress_add(progress, 1, 0);
		n++;
	}
	progress_stop(&progress);
	m->entries = n;
	manifest_entry_release(&e);
	entry_stream_free(s);
	fclose(fp);
	return ret < 0 ? ret : 0;
}

/*
 * Merging a registry's version of this very package: pushes now build on
 * it (as after install), so the merged result may move its latest.
 */
static int record_base(struct merge *m, const char *reg_arg,
		       const char *rev, struct strbuf *err)
{
	struct package_rev prev;
	struct registry *reg;
	struct rev_url u;
	const char *name = workspace_package_name(m->ws);
	int ret = porcelain_rev_url(reg_arg, rev, &u, err);

	if (ret)
		return ret;
	if (!name || !(u.registry || package_rev_like(u.rev)) ||
	    package_rev_parse(&prev, u.rev, err) < 0) {
		strbuf_reset(err);	/* a local revision: no base */
		goto out;
	}
	if (!strcmp(prev.name, name)) {
		ret = porcelain_registry(m->ws, u.registry, 0, &reg, err);
		if (!ret) {
			ret = push_base_set(m->ws, reg, name, &m->top, err);
			registry_free(reg);
		}
	}
	package_rev_release(&prev);
out:
	rev_url_release(&u);
	return ret;
}

static int merge_in(struct merge *m, const char *rev,
		    const struct merge_opts *o, const char *pfx,
		    struct strbuf *err)
{
	int ret = pass(m, o->registry, rev, pfx, err);

	if (!ret && m->ncollisions && !o->overwrite) {
		strbuf_addf(err, "%zu entr%s already staged; pass --overwrite "
			    "to replace them:%s%s", m->ncollisions,
			    m->ncollisions == 1 ? "y is" : "ies are",
			    m->collisions.buf,
			    m->ncollisions > 20 ? "\n\t..." : "");
		ret = QERR_EXISTS;
	}
	m->apply = 1;
	if (!ret)
		ret = pass(m, o->registry, rev, pfx, err);
	if (!ret)
		ret = record_base(m, o->registry, rev, err);
	return ret;
}

int package_merge(struct workspace *ws, const char *rev,
		  const struct merge_opts *o, struct merge_result *res,
		  struct strbuf *err)
{
	struct merge m;
	struct strbuf pfx = STRBUF_INIT;
	int ret;

	memset(&m, 0, sizeof(m));
	m.ws = ws;
	m.progress = o->progress;
	strbuf_init(&m.key, 0);
	strbuf_init(&m.collisions, 0);
	if (o->prefix && *o->prefix) {
		strbuf_addstr(&pfx, o->prefix);
		if (pfx.buf[pfx.len - 1] != '/')
			strbuf_addch(&pfx, '/');
	}
	ret = workspace_index(ws, err);
	if (!ret)
		ret = idx_begin_write(ws->idx, err);
	if (!ret) {
		ret = merge_in(&m, rev, o, pfx.buf, err);
		if (!ret)
			ret = idx_commit(ws->idx, err);
		else
			idx_rollback(ws->idx);
	}
	if (!ret && res) {
		res->top = m.top;
		res->merged = m.merged;
	}
	strbuf_release(&pfx);
	strbuf_release(&m.key);
	strbuf_release(&m.collisions);
	return ret;
}
