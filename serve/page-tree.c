#include "quire-compat.h"
#include "serve/route.h"
#include "serve/html.h"
#include "serve/markdown.h"
#include "json-out.h"
#include "manifest.h"
#include "vindex.h"

/*
 * The version page (README, metadata, provenance, the root folder),
 * the folder page, and /api/.../ls. A folder is read a page at a time
 * from the version's index, by name: ?after=<node> for the next page,
 * ?before=<node> for the one before.
 */

#define FOLDER_PAGE 1000
#define API_PAGE_MAX 10000
#define README_MAX (1 << 20)

struct listing {
	struct vnode *v;
	size_t nr, limit;
	int more;		/* there is a node after the last one */
	int names_only;		/* no physical keys, no metadata (a page) */
};

static int take_node(const struct vnode *n, void *payload)
{
	struct listing *l = payload;
	struct vnode *c;

	if (l->nr == l->limit) {
		l->more = 1;
		return 1;
	}
	c = &l->v[l->nr++];
	c->id = n->id;
	c->parent = n->parent;
	c->is_dir = n->is_dir;
	c->size = n->size;
	c->nr_children = n->nr_children;
	c->files = n->files;
	c->oid = n->oid;
	strbuf_addbuf(&c->name, &n->name);
	if (l->names_only)
		return 0;
	strbuf_addbuf(&c->physical, &n->physical);
	strbuf_addbuf(&c->meta, &n->meta);
	return 0;
}

static void listing_init(struct listing *l, size_t limit)
{
	size_t i;

	memset(l, 0, sizeof(*l));
	l->limit = limit;
	l->v = xcalloc(limit ? limit : 1, sizeof(*l->v));
	for (i = 0; i < limit; i++)
		vnode_init(&l->v[i]);
}

static void listing_release(struct listing *l)
{
	size_t i;

	for (i = 0; i < l->limit; i++)
		vnode_release(&l->v[i]);
	free(l->v);
}

static int has_before(struct vindex *vx, uint64_t dir, uint64_t id)
{
	struct listing one;
	int ret;

	listing_init(&one, 1);
	ret = !vindex_list_before(vx, dir, id, 1, VINDEX_BRIEF, take_node,
				  &one) && one.nr;
	listing_release(&one);
	return ret;
}

/* A page of folder dir: after a node, before one, or from the start. */
static int read_page(struct vindex *vx, uint64_t dir, uint64_t after,
		     uint64_t before, struct listing *l)
{
	int ret;

	if (before) {
		ret = vindex_list_before(vx, dir, before, l->limit,
					 l->names_only ? VINDEX_BRIEF : 0,
					 take_node, l);
		l->more = 1;
	} else {
		ret = vindex_list(vx, dir, after,
				  l->names_only ? VINDEX_BRIEF : 0, take_node,
				  l);
	}
	return ret < 0 ? ret : 0;
}

/*
 * A row of a folder; href_dir is the link to the folder's own key in
 * the rows' action ("/pkg/ns/name@hex/entry/" + dir, URL-escaped): a
 * URL-escaped link holds nothing HTML escapes, so it is written as is.
 */
static void entry_row(struct strbuf *o, const struct strbuf *tree_dir,
		      const struct strbuf *entry_dir, const struct vnode *n)
{
	strbuf_addstr(o, n->is_dir ?
		      "<tr class=\"folder\"><td><a class=\"folder\" href=\"" :
		      "<tr class=\"file\"><td><a class=\"file\" href=\"");
	strbuf_addbuf(o, n->is_dir ? tree_dir : entry_dir);
	url_esc(o, n->name.buf);
	strbuf_addstr(o, n->is_dir ? "/\">" : "\">");
	html_esc(o, n->name.buf, n->name.len);
	strbuf_addstr(o, n->is_dir ? "/</a></td>" : "</a></td>");
	strbuf_addstr(o, "<td class=\"size\">");
	human_size(o, n->size);
	strbuf_addstr(o, "</td><td class=\"files\">");
	if (n->is_dir)
		strbuf_addf(o, "%" PRIu64 " file%s", n->files,
			    n->files == 1 ? "" : "s");
	strbuf_addstr(o, "</td></tr>\n");
}

static void pager(struct strbuf *o, const struct version *v, const char *dir,
		  const struct listing *l, int prev)
{
	struct strbuf href = STRBUF_INIT;

	if (!l->nr || (!prev && !l->more))
		return;
	strbuf_addstr(o, "<p class=\"pager\">");
	if (prev) {
		href_in(&href, v, "tree", dir);
		strbuf_addf(&href, "?before=%" PRIu64, l->v[0].id);
		strbuf_addstr(o, "<a class=\"prev\" href=\"");
		html_escs(o, href.buf);
		strbuf_addstr(o, "\">&larr; previous</a>");
	}
	if (l->more) {
		strbuf_reset(&href);
		href_in(&href, v, "tree", dir);
		strbuf_addf(&href, "?after=%" PRIu64, l->v[l->nr - 1].id);
		strbuf_addstr(o, "<a class=\"next\" href=\"");
		html_escs(o, href.buf);
		strbuf_addstr(o, "\">next &rarr;</a>");
	}
	strbuf_addstr(o, "</p>\n");
	strbuf_release(&href);
}

/* The rows of folder node dir (path dir_key, "" or ending in '/'). */
static int folder_table(struct req *r, const struct version *v,
			const struct vnode *dir, const char *dir_key)
{
	struct strbuf *o = &r->body, tree_dir = STRBUF_INIT;
	struct strbuf entry_dir = STRBUF_INIT;
	struct listing l;
	uint64_t after, before;
	size_t i;
	int prev;

	if (req_uint_arg(r, 0, "after", 0, UINT64_MAX, &after) ||
	    req_uint_arg(r, 0, "before", 0, UINT64_MAX, &before))
		return -1;
	listing_init(&l, FOLDER_PAGE);
	l.names_only = 1;
	if (read_page(v->vx, dir->id, after, before, &l)) {
		listing_release(&l);
		req_error(r, 0, 500, "cannot read the version's index");
		return -1;
	}
	prev = l.nr && has_before(v->vx, dir->id, l.v[0].id);
	strbuf_addf(o, "<p class=\"count\">%" PRIu64 " entr%s, %" PRIu64
		    " file%s below, ", dir->nr_children,
		    dir->nr_children == 1 ? "y" : "ies", dir->files,
		    dir->files == 1 ? "" : "s");
	human_size(o, dir->size);
	strbuf_addstr(o, "</p>\n");
	pager(o, v, dir_key, &l, prev);
	strbuf_addstr(o, "<table id=\"entries\"><thead><tr><th>name</th>"
		      "<th>size</th><th>files</th></tr></thead><tbody>\n");
	href_in(&tree_dir, v, "tree", dir_key);
	href_in(&entry_dir, v, "entry", dir_key);
	for (i = 0; i < l.nr; i++)
		entry_row(o, &tree_dir, &entry_dir, &l.v[i]);
	strbuf_addstr(o, "</tbody></table>\n");
	pager(o, v, dir_key, &l, prev);
	listing_release(&l);
	strbuf_release(&tree_dir);
	strbuf_release(&entry_dir);
	return 0;
}

static void readme(struct req *r, const struct version *v)
{
	static const char *const names[] = { "README.md", "readme.md",
					     "Readme.md" };
	struct strbuf text = STRBUF_INIT, err = STRBUF_INIT;
	struct vnode n;
	size_t i;
	int fd = -1, found = 0;

	vnode_init(&n);
	for (i = 0; !found && i < ARRAY_SIZE(names); i++)
		found = !vindex_lookup(v->vx, VINDEX_ROOT, names[i], &n) &&
			!n.is_dir;
	if (!found)
		goto out;
	strbuf_addstr(&r->body, "<section id=\"readme\">");
	if (n.size > README_MAX) {
		strbuf_addstr(&r->body, "<p class=\"muted\">README.md is too "
			      "large to show here.</p>");
	} else if (object_open(r->s, n.physical.buf, &n.oid, n.size, &fd,
			       &err)) {
		strbuf_addstr(&r->body, "<p class=\"error\">");
		html_redacted(&r->body, err.buf);
		strbuf_addstr(&r->body, "</p>");
	} else if (strbuf_read_fd_max(&text, fd, README_MAX) < 0) {
		strbuf_addstr(&r->body, "<p class=\"error\">cannot read "
			      "README.md</p>");
	} else {
		markdown_to_html(&r->body, text.buf, text.len);
	}
	strbuf_addstr(&r->body, "</section>\n");
out:
	if (fd >= 0)
		close(fd);
	vnode_release(&n);
	strbuf_release(&text);
	strbuf_release(&err);
}

static void parent_link(struct req *r, const struct json *p)
{
	const char *name = json_string_of(p, "name");
	const char *top = json_string_of(p, "top_hash");
	const char *reg = json_string_of(p, "registry");
	struct strbuf *o = &r->body, href = STRBUF_INIT;
	int here;

	if (!name || !top)
		return;
	here = !reg || !strcmp(reg, serve_registry_url(r->s));
	strbuf_addstr(o, "<li>");
	if (here) {
		href_package(&href, name);
		strbuf_addch(&href, '@');
		url_esc(&href, top);
		strbuf_addstr(o, "<a class=\"parent\" href=\"");
		html_escs(o, href.buf);
		strbuf_addstr(o, "\">");
	}
	html_escs(o, name);
	strbuf_addch(o, '@');
	html_esc(o, top, strlen(top) < 12 ? strlen(top) : 12);
	if (here)
		strbuf_addstr(o, "</a>");
	if (reg && !here) {
		strbuf_addstr(o, " <span class=\"muted\">");
		html_redacted(o, reg);
		strbuf_addstr(o, "</span>");
	}
	strbuf_addstr(o, "</li>");
	strbuf_release(&href);
}

static void provenance(struct req *r, const struct json *meta)
{
	const struct json *prov = json_object_get(meta, "provenance");
	const struct json *parents;
	struct strbuf *o = &r->body;
	size_t i;

	if (!prov || prov->type != JSON_OBJECT)
		return;
	strbuf_addstr(o, "<section id=\"provenance\"><h2>Provenance</h2>");
	parents = json_object_get(prov, "parents");
	if (parents && parents->type == JSON_ARRAY && parents->u.arr.nr) {
		strbuf_addstr(o, "<h3>Parents</h3><ul>");
		for (i = 0; i < parents->u.arr.nr; i++)
			parent_link(r, parents->u.arr.v[i]);
		strbuf_addstr(o, "</ul>");
	}
	strbuf_addstr(o, "<pre>");
	html_json(o, prov);
	strbuf_addstr(o, "</pre></section>\n");
}

static void version_head(struct req *r, const struct version *v,
			 const struct json *meta)
{
	struct strbuf *o = &r->body, href = STRBUF_INIT;
	const struct json *m = meta ? json_object_get(meta, "message") : NULL;

	strbuf_addf(o, "<p class=\"hash\">top hash <code>%s</code></p>\n",
		    oid_to_hex(&v->top));
	if (m && m->type == JSON_STRING) {
		strbuf_addstr(o, "<p class=\"message\">");
		html_esc(o, m->u.str.s, m->u.str.len);
		strbuf_addstr(o, "</p>\n");
	}
	href_in(&href, v, "lineage", "");
	strbuf_setlen(&href, href.len - 1);
	strbuf_addstr(o, "<p><a id=\"lineage\" href=\"");
	html_escs(o, href.buf);
	strbuf_addstr(o, "\">lineage</a></p>\n");
	strbuf_release(&href);
}

void page_version(struct req *r, const struct target *t)
{
	struct strbuf *o = &r->body, crumbs = STRBUF_INIT, title = STRBUF_INIT;
	struct strbuf err = STRBUF_INIT;
	struct json *meta = NULL;
	struct version v;
	struct vnode root;
	const char *text;

	if (target_version(r, 0, t, &v))
		return;
	vnode_init(&root);
	if (vindex_get(v.vx, VINDEX_ROOT, &root)) {
		req_error(r, 0, 500, "cannot read the version's index");
		goto out;
	}
	text = vindex_package_meta(v.vx);
	if (text && json_parse(text, strlen(text), &meta, &err))
		meta = NULL;
	r->type = "text/html; charset=utf-8";
	strbuf_addf(&title, "%s@%.12s", v.name, oid_to_hex(&v.top));
	version_crumbs(&crumbs, &v, "", NULL);
	page_begin(o, title.buf, &crumbs);
	version_head(r, &v, meta);
	readme(r, &v);
	strbuf_addstr(o, "<h2>Files</h2>\n");
	if (folder_table(r, &v, &root, ""))
		goto out;
	strbuf_addstr(o, "<section id=\"meta\"><h2>Package metadata</h2><pre>");
	if (meta)
		html_json(o, meta);
	strbuf_addstr(o, "</pre></section>\n");
	if (meta)
		provenance(r, meta);
	page_end(o);
out:
	json_free(meta);
	vnode_release(&root);
	version_release(r->s, &v);
	strbuf_release(&crumbs);
	strbuf_release(&title);
	strbuf_release(&err);
}

void page_folder(struct req *r, const struct target *t)
{
	struct strbuf *o = &r->body, crumbs = STRBUF_INIT, dir = STRBUF_INIT;
	struct version v;
	struct vnode n;

	if (target_version(r, 0, t, &v))
		return;
	vnode_init(&n);
	if (target_node(r, 0, v.vx, t->rest, 1, &n))
		goto out;
	strbuf_addstr(&dir, t->rest);
	if (dir.len && dir.buf[dir.len - 1] != '/')
		strbuf_addch(&dir, '/');
	r->type = "text/html; charset=utf-8";
	version_crumbs(&crumbs, &v, dir.buf, NULL);
	page_begin(o, dir.len ? dir.buf : "/", &crumbs);
	if (n.meta.len) {
		strbuf_addstr(o, "<pre id=\"meta\">");
		html_json_text(o, n.meta.buf);
		strbuf_addstr(o, "</pre>\n");
	}
	if (!folder_table(r, &v, &n, dir.buf))
		page_end(o);
out:
	vnode_release(&n);
	version_release(r->s, &v);
	strbuf_release(&crumbs);
	strbuf_release(&dir);
}

/* --- /api/.../ls ------------------------------------------------------ */

/* An entry as 'quire ls --json' gives it. */
struct json *vnode_json(const struct vnode *n, const char *dir);

struct json *vnode_json(const struct vnode *n, const char *dir)
{
	struct json *j = json_new_object(), *meta = NULL;
	struct strbuf key = STRBUF_INIT, err = STRBUF_INIT;

	strbuf_addstr(&key, dir);
	strbuf_addbuf(&key, &n->name);
	if (n->is_dir)
		strbuf_addch(&key, '/');
	json_set(j, "logical_key", json_new_string(key.buf, key.len));
	json_set(j, "type", json_str(n->is_dir ? "folder" : "file"));
	if (!n->is_dir) {
		struct json *h = json_new_object();

		json_set(j, "size", json_new_uint(n->size));
		json_set(h, "type", json_str(hash_type_name(n->oid.type)));
		json_set(h, "value", json_str(oid_to_value(&n->oid)));
		json_set(j, "hash", h);
		json_set(j, "physical_key", json_str(n->physical.buf));
		if (!n->meta.len ||
		    json_parse(n->meta.buf, n->meta.len, &meta, &err))
			meta = json_new_object();
		json_set(j, "meta", meta);
	}
	strbuf_release(&key);
	strbuf_release(&err);
	return j;
}

void api_ls(struct req *r, const struct target *t)
{
	struct strbuf dir = STRBUF_INIT;
	struct json *j, *arr;
	struct listing l;
	struct version v;
	struct vnode n;
	uint64_t after, limit;
	size_t i;

	if (req_uint_arg(r, 1, "after", 0, UINT64_MAX, &after) ||
	    req_uint_arg(r, 1, "limit", FOLDER_PAGE, API_PAGE_MAX, &limit))
		return;
	if (!limit) {
		req_error(r, 1, 400, "'limit' must be a number from 1 to "
			  "10000");
		return;
	}
	if (target_version(r, 1, t, &v))
		return;
	vnode_init(&n);
	listing_init(&l, limit);
	if (target_node(r, 1, v.vx, t->rest, 1, &n))
		goto out;
	strbuf_addstr(&dir, t->rest);
	if (dir.len && dir.buf[dir.len - 1] != '/')
		strbuf_addch(&dir, '/');
	if (read_page(v.vx, n.id, after, 0, &l)) {
		req_error(r, 1, 500, "cannot read the version's index");
		goto out;
	}
	j = json_new_object();
	arr = json_new_array();
	json_set(j, "top_hash", json_top_hash(&v.top));
	json_set(j, "prefix", json_new_string(dir.buf, dir.len));
	for (i = 0; i < l.nr; i++)
		json_array_append(arr, vnode_json(&l.v[i], dir.buf));
	json_set(j, "entries", arr);
	if (l.more && l.nr) {
		char next[32];

		xsnprintf(next, sizeof(next), "%" PRIu64, l.v[l.nr - 1].id);
		json_set(j, "next", json_str(next));
	} else {
		json_set(j, "next", json_str(NULL));
	}
	json_write_python(&r->body, j);
	strbuf_addch(&r->body, '\n');
	r->type = "application/json";
	json_free(j);
out:
	listing_release(&l);
	vnode_release(&n);
	version_release(r->s, &v);
	strbuf_release(&dir);
}
