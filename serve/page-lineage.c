#include "quire-compat.h"
#include "serve/route.h"
#include "serve/html.h"
#include "json.h"
#include "lineage.h"
#include "redact.h"

/*
 * The lineage page and /api/.../lineage: a version's parents, theirs,
 * and so on, as quire-lineage(1) walks them. Only parents recorded in
 * this registry are opened (the server reads nothing else with its
 * access), and a walk stops after LINEAGE_MAX versions.
 */

#define LINEAGE_MAX 1000

static const struct lineage_opts opts = {
	LINEAGE_SAME_REGISTRY, LINEAGE_MAX
};

struct tree {
	struct req *r;
	struct strbuf list;
	long cur;		/* the depth of the last line, -1: none */
};

static int is_hex_top(const char *s)
{
	return s && strlen(s) == HASH_HEXSZ &&
	       strspn(s, "0123456789abcdef") == HASH_HEXSZ;
}

static void node_item(struct strbuf *o, const struct serve *s,
		      const struct lineage_line *l)
{
	const struct lineage_node *n = l->node;
	const char *msg = lineage_node_message(n);
	struct strbuf href = STRBUF_INIT, label = STRBUF_INIT;
	int here = n->name && is_hex_top(l->top) && !n->error;

	strbuf_addf(&label, "%s@%.12s", l->label, l->top ? l->top : "?");
	if (here) {
		href_version(&href, n->name, l->top);
		strbuf_addstr(o, "<a class=\"version\" href=\"");
		html_escs(o, href.buf);
		strbuf_addstr(o, "\">");
		html_esc(o, label.buf, label.len);
		strbuf_addstr(o, "</a>");
	} else {
		strbuf_addstr(o, "<span class=\"version\">");
		html_esc(o, label.buf, label.len);
		strbuf_addstr(o, "</span>");
	}
	if (n->registry) {
		strbuf_reset(&href);
		redact_text(&href, n->registry);
		strbuf_addstr(o, " <span class=\"registry\">");
		html_esc(o, href.buf, href.len);
		strbuf_addstr(o, "</span>");
	}
	if (msg && *msg) {
		strbuf_addstr(o, " <span class=\"message\">");
		html_escs(o, msg);
		strbuf_addstr(o, "</span>");
	}
	if (l->seen)
		strbuf_addstr(o, " <span class=\"muted\">(shown above)</span>");
	if (n->error) {
		strbuf_reset(&href);
		redact_text(&href, n->error);
		strbuf_addstr(o, " <span class=\"error\">");
		html_esc(o, href.buf, href.len);
		strbuf_addstr(o, "</span>");
	}
	strbuf_release(&href);
	strbuf_release(&label);
}

/*
 * Nested lists: a parent's line comes right after its child's, one
 * deeper, and opens a list inside the child's item.
 */
static int line_html(const struct lineage_line *l, void *payload)
{
	struct tree *t = payload;
	struct strbuf *o = &t->list;
	long d = (long)l->depth;

	if (d > t->cur && t->cur >= 0)
		strbuf_addstr(o, "<ul>");
	for (; t->cur > d; t->cur--)
		strbuf_addstr(o, "</li></ul>");
	if (t->cur == d)
		strbuf_addstr(o, "</li>");
	t->cur = d;
	strbuf_addstr(o, "<li>");
	node_item(o, t->r->s, l);
	strbuf_addch(o, '\n');
	return 0;
}

void page_lineage(struct req *r, const struct target *t)
{
	struct strbuf *o = &r->body, crumbs = STRBUF_INIT, err = STRBUF_INIT;
	struct strbuf title = STRBUF_INIT;
	struct tree tree = { r, STRBUF_INIT, -1 };
	struct lineage lg;
	struct version v;
	int ret;

	if (target_version(r, 0, t, &v))
		return;
	strbuf_addf(&title, "%s@%s", v.name, oid_to_hex(&v.top));
	ret = lineage_walk(&lg, NULL, serve_registry_arg(r->s), title.buf,
			   &opts, line_html, &tree, &err);
	if (ret) {
		req_fail(r, 0, ret, &err);
		goto out;
	}
	r->type = "text/html; charset=utf-8";
	strbuf_reset(&title);
	strbuf_addf(&title, "lineage of %s@%.12s", v.name,
		    oid_to_hex(&v.top));
	version_crumbs(&crumbs, &v, "", "lineage");
	page_begin(o, title.buf, &crumbs);
	strbuf_addstr(o, "<ul id=\"lineage\">");
	strbuf_addbuf(o, &tree.list);
	for (; tree.cur > 0; tree.cur--)
		strbuf_addstr(o, "</li></ul>");
	if (!tree.cur)
		strbuf_addstr(o, "</li>");
	strbuf_addstr(o, "</ul>\n");
	if (lg.truncated)
		strbuf_addf(o, "<p class=\"muted\">Only the first %d versions "
			    "are shown.</p>\n", LINEAGE_MAX);
	page_end(o);
out:
	lineage_release(&lg);
	version_release(r->s, &v);
	strbuf_release(&tree.list);
	strbuf_release(&crumbs);
	strbuf_release(&err);
	strbuf_release(&title);
}

void api_lineage(struct req *r, const struct target *t)
{
	struct strbuf err = STRBUF_INIT, rev = STRBUF_INIT;
	struct object_id top;
	struct json *j = NULL;
	int ret;

	ret = version_resolve(r->s, t->name, t->rev, &top, &err);
	strbuf_addf(&rev, "%s@%s", t->name, oid_to_hex(&top));
	if (!ret)
		ret = lineage_json(NULL, serve_registry_arg(r->s), rev.buf,
				   &opts, &j, &err);
	if (ret) {
		req_fail(r, 1, ret, &err);
	} else {
		json_write_python(&r->body, j);
		strbuf_addch(&r->body, '\n');
		r->type = "application/json";
	}
	json_free(j);
	strbuf_release(&err);
	strbuf_release(&rev);
}
