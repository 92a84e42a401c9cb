#include "quire-compat.h"
#include "serve/route.h"
#include "serve/html.h"
#include "json-out.h"
#include "registry.h"
#include "string-list.h"

/* The registry page and /api/packages: its packages and their latest. */

struct pkg {
	char *name;
	struct object_id top;
	int has_top;
	uint64_t time;
};

struct pkg_list {
	struct pkg *v;
	size_t nr, alloc;
	const char *q;
	struct registry *reg;
};

static int add_pkg(const char *name, void *payload)
{
	struct pkg_list *l = payload;
	struct strbuf err = STRBUF_INIT;
	struct pkg *p;

	if (l->q && !strstr(name, l->q))
		return 0;
	ALLOC_GROW(l->v, l->nr + 1, l->alloc);
	p = &l->v[l->nr++];
	memset(p, 0, sizeof(*p));
	p->name = xstrdup(name);
	p->has_top = !registry_read_latest(l->reg, name, &p->top, &err);
	strbuf_release(&err);
	return 0;
}

static void pkgs_release(struct pkg_list *l)
{
	size_t i;

	for (i = 0; i < l->nr; i++)
		free(l->v[i].name);
	free(l->v);
}

static int read_pkgs(struct req *r, struct pkg_list *l, int api)
{
	struct strbuf err = STRBUF_INIT;
	int ret;

	memset(l, 0, sizeof(*l));
	l->q = req_arg(r, "q");
	if (l->q && !*l->q)
		l->q = NULL;
	ret = serve_registry(r->s, &l->reg, &err);
	if (!ret) {
		ret = registry_for_each_package(l->reg, add_pkg, l, &err);
		serve_registry_put(r->s, l->reg);
	}
	if (ret)
		req_fail(r, api, ret, &err);
	strbuf_release(&err);
	return ret;
}

void api_packages(struct req *r, const struct target *t)
{
	struct json *j = json_new_object(), *arr = json_new_array();
	struct pkg_list l;
	size_t i;

	(void)t;
	if (read_pkgs(r, &l, 1)) {
		json_free(j);
		json_free(arr);
		return;
	}
	json_set(j, "registry", json_url(serve_registry_url(r->s)));
	for (i = 0; i < l.nr; i++) {
		struct json *p = json_new_object();

		json_set(p, "name", json_str(l.v[i].name));
		json_set(p, "top_hash",
			 json_top_hash(l.v[i].has_top ? &l.v[i].top : NULL));
		json_array_append(arr, p);
	}
	json_set(j, "packages", arr);
	json_write_python(&r->body, j);
	strbuf_addch(&r->body, '\n');
	r->type = "application/json";
	json_free(j);
	pkgs_release(&l);
}

/* When the registry says top was pushed as a version of name. */
struct when {
	const struct object_id *top;
	uint64_t time;
};

static int find_time(uint64_t time, const struct object_id *top, void *p)
{
	struct when *w = p;

	if (oideq(top, w->top) && time > w->time)
		w->time = time;
	return 0;
}

static void pkg_row(struct req *r, const struct pkg *p)
{
	struct strbuf *o = &r->body, href = STRBUF_INIT, err = STRBUF_INIT;
	struct version_summary sum = { 0 };
	struct when w = { &p->top, 0 };
	struct registry *reg;

	strbuf_addstr(o, "<tr class=\"package\"><td><a class=\"package\" "
		      "href=\"");
	href_package(&href, p->name);
	html_escs(o, href.buf);
	strbuf_addstr(o, "\">");
	html_escs(o, p->name);
	strbuf_addstr(o, "</a></td>");
	if (!p->has_top) {
		strbuf_addstr(o, "<td class=\"muted\">no latest</td><td></td>"
			      "<td></td></tr>\n");
		strbuf_release(&href);
		return;
	}
	strbuf_reset(&href);
	href_version(&href, p->name, oid_to_hex(&p->top));
	strbuf_addstr(o, "<td><a class=\"version\" href=\"");
	html_escs(o, href.buf);
	strbuf_addf(o, "\">%.12s</a></td><td>", oid_to_hex(&p->top));
	if (!serve_registry(r->s, &reg, &err)) {
		registry_for_each_version(reg, p->name, find_time, &w, &err);
		serve_registry_put(r->s, reg);
	}
	if (w.time)
		html_time(o, w.time);
	strbuf_addstr(o, "</td><td class=\"message\">");
	if (!version_summary(r->s, p->name, &p->top, &sum, &err))
		html_escs(o, sum.message);
	strbuf_addstr(o, "</td></tr>\n");
	version_summary_release(&sum);
	strbuf_release(&href);
	strbuf_release(&err);
}

void page_registry(struct req *r, const struct target *t)
{
	struct strbuf *o = &r->body, crumbs = STRBUF_INIT;
	struct pkg_list l;
	size_t i;

	(void)t;
	if (read_pkgs(r, &l, 0))
		return;
	r->type = "text/html; charset=utf-8";
	crumb(&crumbs, "registry", 8, NULL);
	page_begin(o, serve_registry_url(r->s), &crumbs);
	strbuf_release(&crumbs);
	strbuf_addstr(o, "<form class=\"filter\" method=\"get\" action=\"/\">"
		      "<input name=\"q\" placeholder=\"filter packages\" "
		      "value=\"");
	if (l.q)
		html_escs(o, l.q);
	strbuf_addf(o, "\"> <button>Filter</button></form>\n"
		    "<p class=\"count\">%zu package%s</p>\n"
		    "<table id=\"packages\"><thead><tr><th>package</th>"
		    "<th>latest</th><th>time</th><th>message</th></tr></thead>"
		    "<tbody>\n", l.nr, l.nr == 1 ? "" : "s");
	for (i = 0; i < l.nr; i++)
		pkg_row(r, &l.v[i]);
	strbuf_addstr(o, "</tbody></table>\n");
	page_end(o);
	pkgs_release(&l);
}
