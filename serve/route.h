#ifndef SERVE_ROUTE_H
#define SERVE_ROUTE_H
#include "serve/serve.h"

/* What a package URL names: /pkg/<name><rev>/<action>/<rest>. */
struct target {
	char *name;	/* "ns/name" */
	char *rev;	/* "@hash", ":tag" or "" */
	char *action;	/* "", "tree", "entry", "raw", ... */
	char *rest;	/* the folder or key, may be "" */
	int slash;	/* a '/' came after the action */
};

/* Parse path (after "/pkg/"); 0, or -1 when it names no package. */
int target_parse(const char *path, struct target *t);
void target_release(struct target *t);

/* A folder or key from a URL has no empty, "." or ".." component. */
int path_ok(const char *p);

/* A page or an API route; t is NULL for the registry's. */
typedef void page_fn(struct req *r, const struct target *t);

page_fn page_registry, page_package, page_version, page_folder,
	page_entry, page_raw, page_lineage, page_diff;
page_fn api_packages, api_log, api_show, api_ls, api_entry, api_lineage,
	api_diff;

/* Parse a number argument: 0, or -1 (r answered with 400). */
int req_uint_arg(struct req *r, int api, const char *name, uint64_t dflt,
		 uint64_t max, uint64_t *out);

/* Answer r with the error of a failed call (ret a qerr). */
void req_fail(struct req *r, int api, int ret, const struct strbuf *err);

/* Open the version t names: 0, or -1 (r answered with the error). */
int target_version(struct req *r, int api, const struct target *t,
		   struct version *v);

/*
 * The node at path (a folder ending in '/' or "", or a key) in vx:
 * 0, or -1 with r answered 404 (also when it is not of the kind asked).
 */
struct vnode;
int target_node(struct req *r, int api, struct vindex *vx, const char *path,
		int want_dir, struct vnode *n);

/* Links inside a version: /pkg/<name>@<hex>/<action>/<path>. */
void href_in(struct strbuf *out, const struct version *v, const char *action,
	     const char *path);

/*
 * Crumbs of a page in version v: registry / package / version / each
 * folder of path ("" for the version; "a/b/" a folder; "a/b/c" a key).
 * With label, one more crumb, the current page (e.g. "lineage").
 */
void version_crumbs(struct strbuf *c, const struct version *v,
		    const char *path, const char *label);

#endif
