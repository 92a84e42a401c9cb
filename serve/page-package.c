#include "quire-compat.h"
#include "serve/route.h"
#include "serve/html.h"
#include "version-log.h"

/*
 * The package page: its versions newest first, as 'quire log' lists
 * them, with their tags, entries and size, and a form to compare two.
 */

#define VERSIONS_PAGE 100

static void tags_of(struct strbuf *o, const struct version_log_entry *e)
{
	size_t i;

	if (e->ref)
		strbuf_addf(o, "<span class=\"tag latest\">%s</span>", e->ref);
	for (i = 0; i < e->tags.nr; i++) {
		strbuf_addstr(o, "<span class=\"tag\">");
		html_escs(o, e->tags.items[i]);
		strbuf_addstr(o, "</span>");
	}
}

/* Row i of the log (newest first); the one after it is older. */
static void version_row(struct req *r, const char *name,
			const struct version_log *h, size_t i)
{
	struct strbuf *o = &r->body, href = STRBUF_INIT, err = STRBUF_INIT;
	const struct version_log_entry *v = &h->v[i];
	struct version_summary sum = { 0 };
	char hex[HASH_HEXSZ + 1];

	xsnprintf(hex, sizeof(hex), "%s", oid_to_hex(&v->top));
	href_version(&href, name, hex);
	strbuf_addstr(o, "<tr class=\"version\"><td><a class=\"version\" "
		      "href=\"");
	html_escs(o, href.buf);
	strbuf_addf(o, "\">%.12s</a> ", hex);
	tags_of(o, v);
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
		html_redacted(o, err.buf);
		strbuf_addstr(o, "</td><td class=\"entries\"></td>"
			      "<td class=\"size\"></td>");
	}
	strbuf_addstr(o, "<td>");
	if (i + 1 < h->nr) {
		strbuf_reset(&href);
		href_package(&href, name);
		strbuf_addf(&href, "/diff?from=%s&to=%s",
			    oid_to_hex(&h->v[i + 1].top), hex);
		strbuf_addstr(o, "<a class=\"diff\" href=\"");
		html_escs(o, href.buf);
		strbuf_addstr(o, "\">diff</a>");
	}
	strbuf_addstr(o, "</td></tr>\n");
	version_summary_release(&sum);
	strbuf_release(&href);
	strbuf_release(&err);
}

static void option_list(struct strbuf *o, const struct version_log *h,
			size_t selected)
{
	size_t i;

	for (i = 0; i < h->nr; i++)
		strbuf_addf(o, "<option value=\"%s\"%s>%.12s</option>",
			    oid_to_hex(&h->v[i].top),
			    i == selected ? " selected" : "",
			    oid_to_hex(&h->v[i].top));
}

static void diff_form(struct strbuf *o, const char *name,
		      const struct version_log *h)
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
	option_list(o, h, 1);
	strbuf_addstr(o, "</select></label> <label>to <select name=\"to\">");
	option_list(o, h, 0);
	strbuf_addstr(o, "</select></label> <button>Compare</button></form>\n");
	strbuf_release(&href);
}

void page_package(struct req *r, const struct target *t)
{
	struct strbuf *o = &r->body, err = STRBUF_INIT, href = STRBUF_INIT;
	struct strbuf crumbs = STRBUF_INIT;
	struct version_log h;
	uint64_t skip, i;
	int ret;

	if (req_uint_arg(r, 0, "skip", 0, UINT32_MAX, &skip))
		return;
	ret = version_log_registry(&h, NULL, serve_registry_arg(r->s),
				   t->name, 0, &err);
	if (ret) {
		req_fail(r, 0, ret, &err);
		goto out;
	}
	r->type = "text/html; charset=utf-8";
	crumb(&crumbs, "registry", 8, "/");
	crumb(&crumbs, t->name, strlen(t->name), NULL);
	page_begin(o, t->name, &crumbs);
	for (i = 0; i < h.nr; i++)
		if (h.v[i].ref) {
			href_version(&href, t->name, oid_to_hex(&h.v[i].top));
			strbuf_addstr(&href, "/lineage");
			strbuf_addstr(o, "<p><a id=\"lineage\" href=\"");
			html_escs(o, href.buf);
			strbuf_addstr(o, "\">lineage of the latest version"
				      "</a></p>\n");
			break;
		}
	strbuf_addf(o, "<p class=\"count\">%zu version%s</p>\n<table "
		    "id=\"versions\"><thead><tr><th>version</th><th>time</th>"
		    "<th>message</th><th>entries</th><th>size</th><th></th>"
		    "</tr></thead><tbody>\n", h.nr, h.nr == 1 ? "" : "s");
	for (i = skip; i < h.nr && i < skip + VERSIONS_PAGE; i++)
		version_row(r, t->name, &h, i);
	strbuf_addstr(o, "</tbody></table>\n");
	if (i < h.nr) {
		strbuf_reset(&href);
		href_package(&href, t->name);
		strbuf_addf(&href, "?skip=%" PRIu64, i);
		strbuf_addstr(o, "<p class=\"pager\"><a class=\"next\" "
			      "href=\"");
		html_escs(o, href.buf);
		strbuf_addstr(o, "\">older versions</a></p>\n");
	}
	diff_form(o, t->name, &h);
	page_end(o);
out:
	version_log_release(&h);
	strbuf_release(&err);
	strbuf_release(&href);
	strbuf_release(&crumbs);
}
