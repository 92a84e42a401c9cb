#include "quire-compat.h"
#include "serve/route.h"
#include "serve/html.h"
#include "registry.h"

/*
 * The package page: its versions newest first, as 'quire log' lists
 * them, with their tags, entries and size, and a form to compare two.
 */

#define VERSIONS_PAGE 100

struct vrow {
	struct object_id top;
	uint64_t time;
};

struct history {
	struct vrow *v;
	size_t nr, alloc;
	struct strbuf tags;	/* "tag\0hex\0" pairs */
	struct object_id latest;
	int has_latest;
};

static int add_version(uint64_t time, const struct object_id *top, void *p)
{
	struct history *h = p;

	ALLOC_GROW(h->v, h->nr + 1, h->alloc);
	h->v[h->nr].top = *top;
	h->v[h->nr++].time = time;
	return 0;
}

static int add_tag(const char *tag, const struct object_id *top, void *p)
{
	struct history *h = p;

	strbuf_addstr(&h->tags, tag);
	strbuf_addch(&h->tags, '\0');
	strbuf_addstr(&h->tags, oid_to_hex(top));
	strbuf_addch(&h->tags, '\0');
	return 0;
}

static int read_history(struct serve *s, const char *name,
			struct history *h, struct strbuf *err)
{
	struct registry *reg;
	int ret;

	memset(h, 0, sizeof(*h));
	strbuf_init(&h->tags, 0);
	if ((ret = serve_registry(s, &reg, err)))
		return ret;
	h->has_latest = !registry_read_latest(reg, name, &h->latest, err);
	strbuf_reset(err);
	ret = registry_for_each_version(reg, name, add_version, h, err);
	if (!ret)
		ret = registry_for_each_tag(reg, name, add_tag, h, err);
	serve_registry_put(s, reg);
	if (!ret && !h->nr && !h->has_latest) {
		strbuf_addf(err, "no package %s in %s", name,
			    serve_registry_url(s));
		ret = QERR_NOTFOUND;
	}
	return ret;
}

static void history_release(struct history *h)
{
	free(h->v);
	strbuf_release(&h->tags);
}

static void tags_of(struct strbuf *o, const struct history *h,
		    const struct object_id *top)
{
	const char *p = h->tags.buf, *end = p + h->tags.len, *hex;

	if (h->has_latest && oideq(&h->latest, top))
		strbuf_addstr(o, "<span class=\"tag latest\">latest</span>");
	while (p < end) {
		hex = p + strlen(p) + 1;
		if (!strcmp(hex, oid_to_hex(top))) {
			strbuf_addstr(o, "<span class=\"tag\">");
			html_escs(o, p);
			strbuf_addstr(o, "</span>");
		}
		p = hex + strlen(hex) + 1;
	}
}

static void version_row(struct req *r, const char *name,
			const struct history *h, size_t i)
{
	struct strbuf *o = &r->body, href = STRBUF_INIT, err = STRBUF_INIT;
	const struct vrow *v = &h->v[i];
	struct version_summary sum = { 0 };
	char hex[HASH_HEXSZ + 1];

	xsnprintf(hex, sizeof(hex), "%s", oid_to_hex(&v->top));
	href_version(&href, name, hex);
	strbuf_addstr(o, "<tr class=\"version\"><td><a class=\"version\" "
		      "href=\"");
	html_escs(o, href.buf);
	strbuf_addf(o, "\">%.12s</a> ", hex);
	tags_of(o, h, &v->top);
	strbuf_addstr(o, "</td><td>");
	html_time(o, v->time);
	strbuf_addstr(o, "</td>");
	if (!version_summary(r->s, name, &v->top, &sum, &err)) {
		strbuf_addstr(o, "<td class=\"message\">");
		html_escs(o, sum.message);
		strbuf_addf(o, "</td><td class=\"entries\">%" PRIu64 "</td>"
			    "<td class=\"size\">", sum.entries);
		human_size(o, sum.size);
		strbuf_addstr(o, "</td>");
	} else {
		strbuf_addstr(o, "<td class=\"message error\">");
		html_escs(o, err.buf);
		strbuf_addstr(o, "</td><td class=\"entries\"></td>"
			      "<td class=\"size\"></td>");
	}
	strbuf_addstr(o, "<td>");
	if (i > 0) {
		strbuf_reset(&href);
		href_package(&href, name);
		strbuf_addf(&href, "/diff?from=%s&to=%s",
			    oid_to_hex(&h->v[i - 1].top), hex);
		strbuf_addstr(o, "<a class=\"diff\" href=\"");
		html_escs(o, href.buf);
		strbuf_addstr(o, "\">diff</a>");
	}
	strbuf_addstr(o, "</td></tr>\n");
	version_summary_release(&sum);
	strbuf_release(&href);
	strbuf_release(&err);
}

static void option_list(struct strbuf *o, const struct history *h,
			size_t selected)
{
	size_t i;

	for (i = h->nr; i > 0; i--)
		strbuf_addf(o, "<option value=\"%s\"%s>%.12s</option>",
			    oid_to_hex(&h->v[i - 1].top),
			    i - 1 == selected ? " selected" : "",
			    oid_to_hex(&h->v[i - 1].top));
}

static void diff_form(struct strbuf *o, const char *name,
		      const struct history *h)
{
	struct strbuf href = STRBUF_INIT;

	if (h->nr < 2)
		return;
	href_package(&href, name);
	strbuf_addstr(&href, "/diff");
	strbuf_addstr(o, "<h2>Compare versions</h2><form id=\"diff-form\" "
		      "method=\"get\" action=\"");
	html_escs(o, href.buf);
	strbuf_addstr(o, "\"><label>from <select name=\"from\">");
	option_list(o, h, h->nr - 2);
	strbuf_addstr(o, "</select></label> <label>to <select name=\"to\">");
	option_list(o, h, h->nr - 1);
	strbuf_addstr(o, "</select></label> <button>Compare</button></form>\n");
	strbuf_release(&href);
}

void page_package(struct req *r, const struct target *t)
{
	struct strbuf *o = &r->body, err = STRBUF_INIT, href = STRBUF_INIT;
	struct strbuf crumbs = STRBUF_INIT;
	struct history h;
	uint64_t skip;
	size_t i, shown = 0;
	int ret;

	if (req_uint_arg(r, 0, "skip", 0, UINT32_MAX, &skip))
		return;
	ret = read_history(r->s, t->name, &h, &err);
	if (ret) {
		req_fail(r, 0, ret, &err);
		goto out;
	}
	r->type = "text/html; charset=utf-8";
	crumb(&crumbs, "registry", 8, "/");
	crumb(&crumbs, t->name, strlen(t->name), NULL);
	page_begin(o, t->name, &crumbs);
	strbuf_release(&crumbs);
	if (h.has_latest) {
		href_version(&href, t->name, oid_to_hex(&h.latest));
		strbuf_addstr(&href, "/lineage");
		strbuf_addstr(o, "<p><a id=\"lineage\" href=\"");
		html_escs(o, href.buf);
		strbuf_addstr(o, "\">lineage of the latest version</a></p>\n");
	}
	strbuf_addf(o, "<p class=\"count\">%zu version%s</p>\n<table "
		    "id=\"versions\"><thead><tr><th>version</th><th>time</th>"
		    "<th>message</th><th>entries</th><th>size</th><th></th>"
		    "</tr></thead><tbody>\n", h.nr, h.nr == 1 ? "" : "s");
	for (i = h.nr > skip ? h.nr - skip : 0; i > 0 && shown < VERSIONS_PAGE;
	     i--, shown++)
		version_row(r, t->name, &h, i - 1);
	strbuf_addstr(o, "</tbody></table>\n");
	if (skip + shown < h.nr) {
		strbuf_reset(&href);
		href_package(&href, t->name);
		strbuf_addf(&href, "?skip=%" PRIu64, skip + shown);
		strbuf_addstr(o, "<p class=\"pager\"><a class=\"next\" "
			      "href=\"");
		html_escs(o, href.buf);
		strbuf_addstr(o, "\">older versions</a></p>\n");
	}
	diff_form(o, t->name, &h);
	page_end(o);
out:
	history_release(&h);
	strbuf_release(&err);
	strbuf_release(&href);
}
