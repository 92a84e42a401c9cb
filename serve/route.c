#include "quire-compat.h"
#include <ctype.h>
#include "serve/route.h"
#include "serve/html.h"
#include "vindex.h"

/*
 * URLs:
 *   /                                  the registry
 *   /static/quire.css, /static/quire.js
 *   /pkg/<ns>/<name>                   a package
 *   /pkg/<ns>/<name><rev>              a version (rev: @hash, :tag)
 *   /pkg/<ns>/<name><rev>/tree/<dir>/  a folder
 *   /pkg/<ns>/<name><rev>/entry/<key>  an entry
 *   /pkg/<ns>/<name><rev>/raw/<key>    its bytes
 *   /pkg/<ns>/<name><rev>/lineage      its parents
 *   /pkg/<ns>/<name>/diff?from=&to=    two versions compared
 *   /api/...                           the same as JSON (api.c)
 */

static int skip_prefix(const char *s, const char *prefix, const char **out)
{
	size_t n = strlen(prefix);

	if (strncmp(s, prefix, n))
		return 0;
	*out = s + n;
	return 1;
}

static void send_static(struct req *r, const char *text, const char *type)
{
	strbuf_addstr(&r->body, text);
	r->type = type;
	r->cache_control = xstrdup("public, max-age=3600");
}

/* Split "ns/name<rev>" off p into t; p points past it. -1 if not one. */
static int split_package(const char **pp, struct target *t)
{
	const char *p = *pp, *slash = strchr(p, '/'), *end, *rev;

	if (!slash || slash == p)
		return -1;
	end = strchrnul(slash + 1, '/');
	rev = slash + 1 + strcspn(slash + 1, "@:");
	if (rev > end)
		rev = end;
	if (rev == slash + 1)
		return -1;
	t->name = xstrndup(p, rev - p);
	t->rev = xstrndup(rev, end - rev);
	*pp = *end ? end + 1 : end;
	return 0;
}

void target_release(struct target *t)
{
	free(t->name);
	free(t->rev);
	free(t->action);
	free(t->rest);
	memset(t, 0, sizeof(*t));
}

/* A key or folder from the URL: no empty, "." or ".." components. */
int path_ok(const char *p)
{
	const char *c = p;

	while (*c) {
		size_t n = strcspn(c, "/");

		if (!n || (n == 1 && c[0] == '.') ||
		    (n == 2 && c[0] == '.' && c[1] == '.'))
			return 0;
		c += n;
		if (*c == '/')
			c++;
	}
	return 1;
}

int req_uint_arg(struct req *r, int api, const char *name, uint64_t dflt,
		 uint64_t max, uint64_t *out)
{
	const char *v = req_arg(r, name);
	char *end;

	*out = dflt;
	if (!v)
		return 0;
	errno = 0;
	*out = strtoull(v, &end, 10);
	if (!*v || *end || errno || !isdigit(*v) || *out > max) {
		struct strbuf msg = STRBUF_INIT;

		strbuf_addf(&msg, "'%s' must be a number from 0 to %" PRIu64,
			    name, max);
		req_error(r, api, 400, msg.buf);
		strbuf_release(&msg);
		return -1;
	}
	return 0;
}

void req_fail(struct req *r, int api, int ret, const struct strbuf *err)
{
	req_error(r, api, status_of(ret), err->len ? err->buf :
		  "the registry could not be read");
}

int target_version(struct req *r, int api, const struct target *t,
		   struct version *v)
{
	struct strbuf err = STRBUF_INIT;
	int ret = version_open(r->s, t->name, t->rev, v, &err);

	if (ret)
		req_fail(r, api, ret, &err);
	strbuf_release(&err);
	return ret ? -1 : 0;
}

int target_node(struct req *r, int api, struct vindex *vx, const char *path,
		int want_dir, struct vnode *n)
{
	struct strbuf key = STRBUF_INIT, name = STRBUF_INIT;
	uint64_t at = VINDEX_ROOT;
	const char *p, *end, *slash;
	int ret = 0;

	strbuf_addstr(&key, path);
	if (want_dir && key.len && key.buf[key.len - 1] == '/')
		strbuf_setlen(&key, key.len - 1);
	if ((key.len || !want_dir) && (!key.len || !path_ok(key.buf)))
		ret = QERR_NOTFOUND;
	else if (!key.len)
		ret = vindex_get(vx, VINDEX_ROOT, n);
	for (p = key.buf, end = p + key.len; !ret && p < end; p = slash + 1) {
		slash = memchr(p, '/', end - p);
		if (!slash)
			slash = end;
		strbuf_reset(&name);
		strbuf_add(&name, p, slash - p);
		ret = vindex_lookup(vx, at, name.buf, n);
		at = n->id;
		if (!ret && slash < end && !n->is_dir)
			ret = QERR_NOTFOUND;
	}
	strbuf_release(&key);
	strbuf_release(&name);
	if (!ret && !!n->is_dir != !!want_dir)
		ret = QERR_NOTFOUND;
	if (ret) {
		req_error(r, api, ret == QERR_NOTFOUND ? 404 : 500,
			  want_dir ? "no such folder in this version" :
			  "no such entry in this version");
		return -1;
	}
	return 0;
}

void href_in(struct strbuf *out, const struct version *v, const char *action,
	     const char *path)
{
	href_version(out, v->name, v->hex);
	if (*action) {
		strbuf_addch(out, '/');
		strbuf_addstr(out, action);
		strbuf_addch(out, '/');
		url_esc_path(out, path);
	}
}

void version_crumbs(struct strbuf *c, const struct version *v,
		    const char *path, const char *label)
{
	struct strbuf href = STRBUF_INIT, dir = STRBUF_INIT;
	const char *p, *slash;
	char at[16];

	href_package(&href, v->name);
	crumb(c, "registry", 8, "/");
	crumb(c, v->name, strlen(v->name), href.buf);
	strbuf_reset(&href);
	href_in(&href, v, "", "");
	xsnprintf(at, sizeof(at), "@%.12s", oid_to_hex(&v->top));
	crumb(c, at, strlen(at), *path || label ? href.buf : NULL);
	for (p = path; *p; p = slash + 1) {
		slash = strchr(p, '/');
		if (!slash) {
			crumb(c, p, strlen(p), NULL);
			break;
		}
		strbuf_reset(&dir);
		strbuf_add(&dir, path, slash + 1 - path);
		strbuf_reset(&href);
		href_in(&href, v, "tree", dir.buf);
		crumb(c, p, slash - p, slash[1] || label ? href.buf : NULL);
	}
	if (label)
		crumb(c, label, strlen(label), NULL);
	strbuf_release(&href);
	strbuf_release(&dir);
}

int target_parse(const char *path, struct target *t)
{
	const char *p = path, *slash;

	memset(t, 0, sizeof(*t));
	if (split_package(&p, t))
		return -1;
	slash = strchrnul(p, '/');
	t->action = xstrndup(p, slash - p);
	t->slash = *slash == '/';
	t->rest = xstrdup(*slash ? slash + 1 : "");
	return 0;
}

static const struct route {
	const char *action;
	int needs_rev;		/* 1: a version's; 0: a package's */
	int takes_path;		/* a folder or key follows the action */
	page_fn *page, *api;
} routes[] = {
	{ "", 0, 0, page_package, NULL },
	{ "", 1, 0, page_version, api_show },
	{ "tree", 1, 1, page_folder, NULL },
	{ "ls", 1, 1, NULL, api_ls },
	{ "entry", 1, 1, page_entry, api_entry },
	{ "raw", 1, 1, page_raw, NULL },
	{ "lineage", 1, 0, page_lineage, api_lineage },
	{ "diff", 0, 0, page_diff, api_diff },
	{ "log", 0, 0, NULL, api_log },
};

static void route_package(struct req *r, const char *path, int api)
{
	struct target t;
	size_t i;

	if (target_parse(path, &t)) {
		req_error(r, api, 404, "no such page: a package's pages are "
			  "/pkg/<namespace>/<name>");
		return;
	}
	for (i = 0; i < ARRAY_SIZE(routes); i++) {
		page_fn *fn = api ? routes[i].api : routes[i].page;

		if (!fn || strcmp(routes[i].action, t.action) ||
		    routes[i].needs_rev != !!*t.rev ||
		    (!routes[i].takes_path && (*t.rest || t.slash)))
			continue;
		fn(r, &t);
		target_release(&t);
		return;
	}
	req_error(r, api, 404, "no such page");
	target_release(&t);
}

void route(struct req *r)
{
	const char *p = r->path;

	if (!strcmp(p, "/")) {
		page_registry(r, NULL);
	} else if (!strcmp(p, "/static/quire.css")) {
		send_static(r, serve_css, "text/css; charset=utf-8");
	} else if (!strcmp(p, "/static/quire.svg") ||
		   !strcmp(p, "/favicon.ico")) {
		send_static(r, serve_icon, "image/svg+xml");
	} else if (!strcmp(p, "/static/quire.js")) {
		send_static(r, serve_js, "text/javascript; charset=utf-8");
	} else if (skip_prefix(p, "/pkg/", &p)) {
		route_package(r, p, 0);
	} else if (!strcmp(p, "/api/packages")) {
		api_packages(r, NULL);
	} else if (skip_prefix(p, "/api/pkg/", &p)) {
		route_package(r, p, 1);
	} else {
		req_error(r, !strncmp(p, "/api/", 5), 404, "no such page");
	}
}
