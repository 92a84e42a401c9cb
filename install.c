#include "quire-compat.h"
#include "install.h"
#include "cache.h"
#include "error.h"
#include "fetch.h"
#include "index-db.h"
#include "porcelain.h"
#include "push.h"
#include "registry.h"
#include "workspace.h"

/* The workspace at dir itself (not a parent's), made when missing. */
static int target(const char *dir, const char *name, struct workspace **out,
		  struct strbuf *err)
{
	struct strbuf q = STRBUF_INIT;
	struct workspace *ws = NULL;
	const char *have;
	char *abs;
	int ret = 0;

	strbuf_addf(&q, "%s/.quire/objects", dir);
	if (access(q.buf, F_OK))
		ret = workspace_create(dir, name, err);
	strbuf_release(&q);
	if (!ret)
		ret = workspace_discover(dir, &ws, err);
	if (ret)
		return ret;
	abs = realpath(dir, NULL);
	if (!abs || strcmp(abs, ws->root)) {
		strbuf_addf(err, "'%s' is inside the workspace '%s'; install "
			    "into a folder of its own", dir, ws->root);
		ret = QERR_EXISTS;
	}
	free(abs);
	have = workspace_package_name(ws);
	if (!ret && have && strcmp(have, name)) {
		strbuf_addf(err, "'%s' holds package %s, not %s; install "
			    "into another folder", dir, have, name);
		ret = QERR_EXISTS;
	}
	if (!ret && !have)
		ret = workspace_config_set(ws, "package.name", name, err);
	if (ret)
		workspace_free(ws);
	else
		*out = ws;
	return ret;
}

/* The workspace at dir itself, if there is one (NULL otherwise). */
static struct workspace *existing_workspace(const char *dir)
{
	struct strbuf err = STRBUF_INIT, q = STRBUF_INIT;
	struct workspace *ws = NULL;
	char *abs;

	strbuf_addf(&q, "%s/.quire/objects", dir);
	if (!access(q.buf, F_OK) && !workspace_discover(dir, &ws, &err)) {
		abs = realpath(dir, NULL);
		if (!abs || strcmp(abs, ws->root)) {
			workspace_free(ws);
			ws = NULL;
		}
		free(abs);
	}
	strbuf_release(&err);
	strbuf_release(&q);
	return ws;
}

static int link_type(struct workspace *ws, struct install_request *rq,
		     struct strbuf *err)
{
	const char *link;

	if (rq->link)
		return 0;	/* parsed already */
	link = config_get(&ws->config, "install.link");
	if (link && link_type_parse(link, &rq->opts.link) < 0) {
		strbuf_addf(err, "unknown link type '%s' in install.link: use "
			    "copy, hardlink or reflink", link);
		return QERR_USAGE;
	}
	return 0;
}

static int place(struct workspace *ws, struct registry *reg,
		 const char *name, const struct object_id *top,
		 struct install_request *rq, struct checkout_stats *stats,
		 struct strbuf *kept, struct strbuf *err)
{
	struct strbuf what = STRBUF_INIT;
	struct odb cache;
	int ret;

	ret = fetch_manifest(&ws->odb, reg, top, err);
	if (ret)
		return ret;
	ret = cache_odb(&cache, err);
	if (ret)
		return ret;
	strbuf_addf(&what, "install %s@%s", name, oid_to_hex(top));
	rq->opts.what = what.buf;
	rq->opts.from_registry = 1;
	rq->opts.local_root = reg->t->path;
	ret = workspace_index(ws, err);
	if (!ret)
		ret = idx_begin_write(ws->idx, err);
	if (!ret)
		ret = checkout_version(ws, top, &cache, &rq->opts, stats, kept,
				       err);
	if (!ret)
		ret = push_base_set(ws, reg, name, top, err);
	if (!ret)
		ret = idx_commit(ws->idx, err);
	else if (ws->idx)
		idx_rollback(ws->idx);
	if (!ret)
		ret = checkout_move_head(ws, top, rq->opts.what, err);
	rq->opts.what = NULL;
	odb_release(&cache);
	strbuf_release(&what);
	return ret;
}

int install_package(struct install_request *rq, struct workspace **out,
		    struct object_id *top, struct checkout_stats *stats,
		    struct strbuf *kept, struct strbuf *err)
{
	struct workspace *existing, *ws = NULL;
	struct registry *reg = NULL;
	struct package_rev rev;
	const char *to = rq->to;
	int ret;

	*out = NULL;
	if (package_rev_parse(&rev, rq->rev, err) < 0)
		return QERR_USAGE;
	if (!to)
		to = strchr(rev.name, '/') + 1;
	if (rq->link && link_type_parse(rq->link, &rq->opts.link) < 0) {
		strbuf_addf(err, "unknown link type '%s': use copy, hardlink "
			    "or reflink", rq->link);
		package_rev_release(&rev);
		return QERR_USAGE;
	}
	existing = existing_workspace(to);
	ret = porcelain_registry(existing, rq->registry, 0, &reg, err);
	workspace_free(existing);
	if (!ret)
		ret = registry_resolve(reg, &rev, top, err);
	if (!ret)
		ret = target(to, rev.name, &ws, err);
	if (!ret)
		ret = link_type(ws, rq, err);
	if (!ret)
		ret = place(ws, reg, rev.name, top, rq, stats, kept, err);
	if (ret)
		workspace_free(ws);
	else
		*out = ws;
	registry_free(reg);
	package_rev_release(&rev);
	return ret;
}
