#include "builtin.h"
#include "diff.h"
#include "logical-key.h"
#include "parse-options.h"
#include "porcelain.h"
#include "push.h"
#include "registry.h"
#include "rev-url.h"

static const char * const merge_usage[] = {
	"quire merge [<options>] <revision>",
	NULL
};

struct merge {
	struct workspace *ws;
	struct object_id top;	/* the version merged */
	struct strbuf key, collisions;
	size_t ncollisions, merged;
	uint64_t entries;	/* in the version, counted by the first pass */
	int apply;
};

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

static void pass(struct merge *m, const char *reg, const char *rev,
		 const char *pfx)
{
	struct strbuf err = STRBUF_INIT;
	struct entry_stream *s;
	struct manifest_entry e;
	struct progress *progress;
	uint64_t n = 0;
	FILE *fp;
	int ret;

	if (porcelain_open_stream(m->ws, reg, rev, &m->top, &fp, &s, &err) < 0)
		die("%s", err.buf);
	manifest_entry_init(&e);
	progress = progress_start(m->apply ? "Merging entries" :
				  "Checking entries", m->entries, 0);
	while ((ret = s->next(s, &e, &err)) > 0) {
		if (one(m, &e, pfx, &err) < 0)
			die("%s", err.buf);
		progress_add(progress, 1, 0);
		n++;
	}
	progress_stop(&progress);
	if (ret < 0)
		die("%s", err.buf);
	m->entries = n;
	manifest_entry_release(&e);
	entry_stream_free(s);
	fclose(fp);
	strbuf_release(&err);
}

/*
 * Merging a registry's version of this very package: pushes now build on
 * it (as after install), so the merged result may move its latest.
 */
static void record_base(struct merge *m, const char *reg_arg, const char *rev)
{
	struct strbuf err = STRBUF_INIT;
	struct package_rev prev;
	struct registry *reg;
	struct rev_url u;
	const char *name = workspace_package_name(m->ws);

	if (porcelain_rev_url(reg_arg, rev, &u, &err) < 0)
		die("%s", err.buf);
	if (!name || !(u.registry || package_rev_like(u.rev)) ||
	    package_rev_parse(&prev, u.rev, &err) < 0)
		goto out;
	if (!strcmp(prev.name, name) &&
	    (porcelain_registry(m->ws, u.registry, 0, &reg, &err) < 0 ||
	     push_base_set(m->ws, reg, name, &m->top, &err) < 0))
		die("%s", err.buf);
	if (!strcmp(prev.name, name))
		registry_free(reg);
	package_rev_release(&prev);
out:
	rev_url_release(&u);
	strbuf_release(&err);
}

int cmd_merge(int argc, const char **argv, const char *prefix,
	      struct workspace *ws)
{
	struct merge m;
	struct strbuf pfx = STRBUF_INIT;
	const char *reg = NULL, *at = NULL;
	int overwrite = 0;
	struct option options[] = {
		OPT_BOOL(0, "overwrite", &overwrite,
			 "replace staged entries with the same keys"),
		OPT_STRING(0, "prefix", &at, "prefix",
			   "put the entries below this logical prefix"),
		OPT__REGISTRY(&reg),
		OPT__PROGRESS(),
		OPT_END()
	};

	memset(&m, 0, sizeof(m));
	argc = parse_options(argc, argv, prefix, options, merge_usage, 0);
	if (argc != 1)
		usage_with_options(merge_usage, options);
	if (at && *at) {
		strbuf_addstr(&pfx, at);
		if (pfx.buf[pfx.len - 1] != '/')
			strbuf_addch(&pfx, '/');
	}
	m.ws = ws;
	strbuf_init(&m.key, 0);
	strbuf_init(&m.collisions, 0);
	begin_index_write(ws);
	pass(&m, reg, argv[0], pfx.buf);
	if (m.ncollisions && !overwrite)
		die("%zu entr%s already staged; pass --overwrite to replace "
		    "them:%s%s", m.ncollisions, m.ncollisions == 1 ? "y is" :
		    "ies are", m.collisions.buf,
		    m.ncollisions > 20 ? "\n\t..." : "");
	m.apply = 1;
	pass(&m, reg, argv[0], pfx.buf);
	record_base(&m, reg, argv[0]);
	commit_index_write(ws);
	fprintf(stderr, "merged %zu entr%s from %s (nothing copied)\n",
		m.merged, m.merged == 1 ? "y" : "ies", argv[0]);
	strbuf_release(&pfx);
	strbuf_release(&m.key);
	strbuf_release(&m.collisions);
	return 0;
}
