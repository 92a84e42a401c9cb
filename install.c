#include "quire-compat.h"
#include "install.h"
#include "cache.h"
#include "error.h"
#include "fetch.h"
#include "index-db.h"
#include "porcelain.h"
#include "push.h"
#include "refs/refs.h"
#include "registry.h"
#include "rev-url.h"
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

/*
 * The folder remembers where it came from, as git clone does: its
 * "origin" remote becomes the registry installed from (not the embedded
 * default, which is where a folder with no origin goes anyway). An
 * origin it has already stays; a note says so when it differs.
 */
static int record_origin(struct workspace *ws, struct registry *reg,
			 const struct install_request *rq, struct strbuf *err)
{
	const char *have = config_get(&ws->config, "remote.origin.url");
	struct strbuf def = STRBUF_INIT;
	int ret = 0, is_default;

	registry_default_path(&def);
	is_default = reg->t->path && !strcmp(reg->t->path, def.buf);
	strbuf_release(&def);
	if (!have && !is_default)
		ret = workspace_config_set(ws, "remote.origin.url",
					   registry_url(reg), err);
	else if (have && strcmp(have, registry_url(reg)) && !rq->opts.quiet)
		fprintf(stderr, "note: %s keeps its origin %s (installed from "
			"%s); 'quire remote set-url origin' changes it\n",
			ws->root, have, registry_url(reg));
	return ret;
}

/*
 * Installing ns/name:<tag> tags the version in the folder too (when it
 * has no tag of that name), so that status names it as the seeds show:
 * "ns/name:v1". Only a registry tag counts, not ":<hash prefix>": the tag
 * is read again only when it could have been one.
 */
static void record_tag(struct workspace *ws, struct registry *reg,
		       const struct package_rev *rev,
		       const struct object_id *top)
{
	struct strbuf ref = STRBUF_INIT, why = STRBUF_INIT;
	struct object_id tagged;

	if (rev->tag &&
	    (!tag_may_be_hash(rev->tag) ||
	     (!registry_read_tag(reg, rev->name, rev->tag, &tagged, &why) &&
	      oideq(&tagged, top)))) {
		strbuf_addf(&ref, "refs/tags/%s", rev->tag);
		refs_update(ws->refs, ref.buf, top, NULL, REFS_OLD_ABSENT,
			    &why);
	}
	strbuf_release(&ref);
	strbuf_release(&why);
}

int install_package(struct install_request *rq, struct workspace **out,
		    struct object_id *top, struct checkout_stats *stats,
		    struct strbuf *kept, struct strbuf *err)
{
	struct workspace *existing, *ws = NULL;
	struct registry *reg = NULL;
	struct package_rev rev;
	struct rev_url u;
	const char *to = rq->to;
	const char *path_prefix = rq->opts.path_prefix;
	int ret;

	*out = NULL;
	if (porcelain_rev_url(rq->registry, rq->rev, &u, err) < 0)
		return QERR_USAGE;
	if (package_rev_parse(&rev, u.rev, err) < 0) {
		rev_url_release(&u);
		return QERR_USAGE;
	}
	if (u.path && !rq->opts.path_prefix)
		rq->opts.path_prefix = u.path;	/* quilt's &path= */
	if (!to)
		to = strchr(rev.name, '/') + 1;
	ret = 0;
	if (rq->link && link_type_parse(rq->link, &rq->opts.link) < 0) {
		strbuf_addf(err, "unknown link type '%s': use copy, hardlink "
			    "or reflink", rq->link);
		ret = QERR_USAGE;
	}
	existing = ret ? NULL : existing_workspace(to);
	if (!ret)
		ret = porcelain_registry(existing, u.registry, 0, &reg, err);
	workspace_free(existing);
	if (!ret)
		ret = registry_resolve(reg, &rev, top, err);
	if (!ret)
		ret = target(to, rev.name, &ws, err);
	if (!ret)
		ret = link_type(ws, rq, err);
	if (!ret)
		ret = place(ws, reg, rev.name, top, rq, stats, kept, err);
	if (!ret)
		ret = record_origin(ws, reg, rq, err);
	if (!ret)
		record_tag(ws, reg, &rev, top);
	if (ret)
		workspace_free(ws);
	else
		*out = ws;
	rq->opts.path_prefix = path_prefix;
	registry_free(reg);
	package_rev_release(&rev);
	rev_url_release(&u);
	return ret;
}
