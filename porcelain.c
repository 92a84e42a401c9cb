#include "quire-compat.h"
#include "porcelain.h"
#include "cache.h"
#include "diff.h"
#include "fetch.h"
#include "manifest.h"
#include "registry.h"
#include "rev-url.h"
#include "revision.h"
#include "workspace.h"

/* QUIRE_REGISTRY, when it names one. */
static const char *arg_from_env(void)
{
	const char *env = getenv("QUIRE_REGISTRY");

	return env && *env ? env : NULL;
}

int porcelain_registry_url(struct workspace *ws, const char *arg,
			   struct strbuf *url, struct strbuf *err)
{
	struct strbuf key = STRBUF_INIT;
	struct config user = CONFIG_INIT;
	const struct config *cf = ws ? &ws->config : &user;
	const char *found = NULL;
	int ret = 0;

	if (!ws) {
		struct strbuf path = STRBUF_INIT, ignored = STRBUF_INIT;

		/* outside a workspace, the user's own remotes count */
		config_user_path(&path);
		config_read(&user, path.buf, &ignored);
		strbuf_release(&path);
		strbuf_release(&ignored);
	}
	if (arg && !strchr(arg, '/') && !strchr(arg, ':')) {
		strbuf_addf(&key, "remote.%s.url", arg);
		found = config_get(cf, key.buf);
		if (!found && strcmp(arg, ".") && strcmp(arg, "..")) {
			strbuf_addf(err, "no remote '%s'; 'quire remote list' "
				    "shows them", arg);
			ret = QERR_NOTFOUND;
		}
	}
	if (!found)
		found = arg;
	if (!found)
		found = config_get(cf, "remote.origin.url");
	if (!ret && found) {
		strbuf_addstr(url, found);
	} else if (!ret && arg_from_env()) {
		/* a remote's name, a URL or a folder, as for --registry */
		ret = porcelain_registry_url(ws, arg_from_env(), url, err);
		if (ret)
			strbuf_addstr(err, " (from QUIRE_REGISTRY)");
	} else if (!ret) {
		registry_default_path(url);
	}
	strbuf_release(&key);
	config_release(&user);
	return ret;
}

int porcelain_registry(struct workspace *ws, const char *arg, unsigned flags,
		       struct registry **out, struct strbuf *err)
{
	struct strbuf url = STRBUF_INIT;
	int ret = porcelain_registry_url(ws, arg, &url, err);

	if (!ret)
		ret = registry_open(url.buf, flags, out, err);
	if (ret == QERR_NOTFOUND && !(flags & TRANSPORT_CREATE) && url.len)
		strbuf_addstr(err, "; check the name, or push to it first");
	strbuf_release(&url);
	return ret;
}

/* Open top from the workspace store, else the cache; QERR_NOTFOUND. */
static int open_local(struct workspace *ws, const struct object_id *top,
		      FILE **fp, struct strbuf *err)
{
	struct odb cache;
	int ret = QERR_NOTFOUND;

	if (ws && odb_has_manifest(&ws->odb, top))
		return odb_open_manifest(&ws->odb, top, fp, err);
	if (cache_odb(&cache, err) < 0)
		return QERR_GENERIC;
	if (odb_has_manifest(&cache, top))
		ret = odb_open_manifest(&cache, top, fp, err);
	odb_release(&cache);
	return ret;
}

int porcelain_rev_url(const char *registry_arg, const char *arg,
		      struct rev_url *u, struct strbuf *err)
{
	int ret = rev_url_parse(u, arg, err);

	if (ret)
		return ret;
	if (u->registry && registry_arg && strcmp(u->registry, registry_arg)) {
		strbuf_addf(err, "'%s' names the registry %s, and --registry "
			    "names %s: give only one", arg, u->registry,
			    registry_arg);
		rev_url_release(u);
		return QERR_USAGE;
	}
	if (!u->registry && registry_arg)
		u->registry = xstrdup(registry_arg);
	return 0;
}

static int resolve(struct workspace *ws, const char *registry_arg,
		   const char *arg, struct object_id *top,
		   struct registry **reg_out, struct strbuf *err)
{
	struct package_rev prev;
	struct registry *reg = NULL;
	struct rev_url u;
	int ret;

	*reg_out = NULL;
	if (!rev_url_has_registry(arg) && !package_rev_like(arg)) {
		if (!ws) {
			strbuf_addf(err, "'%s' is a revision of a workspace, "
				    "and this is not one; name a package as "
				    "ns/name[:tag|@hash]", arg);
			return QERR_NOTFOUND;
		}
		return resolve_revision(ws, arg, top, err);
	}
	/* a quilt URI to one entry (&path=) names its version here */
	ret = porcelain_rev_url(registry_arg, arg, &u, err);
	if (!ret && package_rev_parse(&prev, u.rev, err) < 0)
		ret = QERR_USAGE;
	else if (!ret) {
		ret = porcelain_registry(ws, u.registry, 0, &reg, err);
		if (!ret)
			ret = registry_resolve(reg, &prev, top, err);
		package_rev_release(&prev);
	}
	rev_url_release(&u);
	if (ret)
		registry_free(reg);
	else
		*reg_out = reg;
	return ret;
}

void version_origin_release(struct version_origin *o)
{
	free(o->local_root);
	memset(o, 0, sizeof(*o));
}

int porcelain_open_version(struct workspace *ws, const char *registry_arg,
			   const char *rev, struct object_id *top, FILE **fp,
			   struct strbuf *err)
{
	return porcelain_open_version_origin(ws, registry_arg, rev, top, fp,
					     NULL, err);
}

int porcelain_open_version_origin(struct workspace *ws,
				  const char *registry_arg, const char *rev,
				  struct object_id *top, FILE **fp,
				  struct version_origin *origin,
				  struct strbuf *err)
{
	struct registry *reg = NULL;
	struct odb cache;
	int ret = resolve(ws, registry_arg, rev, top, &reg, err);

	if (ret)
		return ret;
	if (origin && reg) {
		origin->from_registry = 1;
		origin->local_root = reg->t->path ? xstrdup(reg->t->path) :
				     NULL;
	}
	/* a registry's version goes into the workspace's own store */
	ret = ws && reg && !odb_has_manifest(&ws->odb, top) ? QERR_NOTFOUND :
	      open_local(ws, top, fp, err);
	if (ret != QERR_NOTFOUND || !reg) {
		registry_free(reg);
		return ret;
	}
	if (ws) {
		ret = fetch_manifest(&ws->odb, reg, top, err);
		if (!ret)
			ret = odb_open_manifest(&ws->odb, top, fp, err);
	} else if (!(ret = cache_odb(&cache, err))) {
		ret = fetch_manifest(&cache, reg, top, err);
		if (!ret)
			ret = odb_open_manifest(&cache, top, fp, err);
		odb_release(&cache);
	}
	registry_free(reg);
	return ret;
}

int porcelain_open_stream(struct workspace *ws, const char *registry_arg,
			  const char *rev, struct object_id *top, FILE **fp,
			  struct entry_stream **s, struct strbuf *err)
{
	int ret = porcelain_open_version(ws, registry_arg, rev, top, fp, err);

	if (ret)
		return ret;
	*s = entry_stream_manifest(*fp, rev, err);
	if (!*s) {
		fclose(*fp);
		*fp = NULL;
		return QERR_CORRUPT;
	}
	return 0;
}

int porcelain_resolve(struct workspace *ws, const char *registry_arg,
		      const char *rev, struct object_id *top,
		      struct strbuf *err)
{
	FILE *fp = NULL;
	int ret = porcelain_open_version(ws, registry_arg, rev, top, &fp, err);

	if (fp)
		fclose(fp);
	return ret;
}

void porcelain_registry_and_name(struct workspace *ws, int argc,
				 const char **argv, const char **registry,
				 const char **name)
{
	struct strbuf key = STRBUF_INIT;

	*registry = *name = NULL;
	if (argc >= 2) {
		*registry = argv[0];
		*name = argv[1];
	} else if (argc == 1) {
		strbuf_addf(&key, "remote.%s.url", argv[0]);
		if (strstr(argv[0], "://") || argv[0][0] == '/' ||
		    argv[0][0] == '.' ||
		    (ws && config_get(&ws->config, key.buf)))
			*registry = argv[0];
		else
			*name = argv[0];
	}
	strbuf_release(&key);
}

const char *short_hash(const struct object_id *top)
{
	/* a few buffers, so one printf can show several; one set a thread */
	static __thread char buf[4][13];
	static __thread int next;
	char *b = buf[next++ % 4];

	xsnprintf(b, 13, "%.12s", oid_to_hex(top));
	return b;
}

int porcelain_version_meta(struct workspace *ws, const char *registry_arg,
			   const char *rev, struct object_id *top,
			   struct json **meta, struct strbuf *err)
{
	FILE *fp;
	int ret;

	*meta = NULL;
	ret = porcelain_open_version(ws, registry_arg, rev, top, &fp, err);
	if (ret)
		return ret;
	ret = manifest_read_meta(fp, oid_to_hex(top), meta, err);
	fclose(fp);
	return ret;
}
