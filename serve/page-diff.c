#include "quire-compat.h"
#include "serve/route.h"
#include "serve/html.h"
#include "diff.h"
#include "json-out.h"
#include "package.h"
#include "porcelain.h"

/*
 * Two versions of a package compared (?from=&to=), as 'quire diff'
 * does: the two manifests are streamed side by side and each change
 * is written to the client as it is found, so a diff of two
 * ten-million-entry versions needs no more memory than one of two.
 */

struct side {
	struct object_id top;
	FILE *fp;
	struct entry_stream *es;
};

struct diff_job {
	char *name;
	struct side a, b;
	int api;
	uint64_t count[4];
	size_t nr;
	int fd, failed;
	struct strbuf out;
};

static void side_release(struct side *s)
{
	entry_stream_free(s->es);
	if (s->fp)
		fclose(s->fp);
}

static void job_free(void *p)
{
	struct diff_job *j = p;

	side_release(&j->a);
	side_release(&j->b);
	strbuf_release(&j->out);
	free(j->name);
	free(j);
}

/* "@hex", ":tag", or a bare hash: the revision of name it spells. */
static int open_side(struct req *r, const char *name, const char *arg,
		     struct side *s, struct strbuf *err)
{
	struct strbuf rev = STRBUF_INIT;
	int ret;

	if (!arg || !*arg) {
		strbuf_addstr(err, "give two versions: ?from=<rev>&to=<rev> "
			      "(a top hash, @hash or :tag)");
		return QERR_USAGE;
	}
	if (*arg != '@' && *arg != ':')
		strbuf_addch(&rev, '@');
	strbuf_addstr(&rev, arg);
	ret = version_resolve(r->s, name, rev.buf, &s->top, err);
	strbuf_reset(&rev);
	strbuf_addf(&rev, "%s@%s", name, oid_to_hex(&s->top));
	if (!ret)
		ret = porcelain_open_stream(NULL, serve_registry_arg(r->s),
					    rev.buf, &s->top, &s->fp, &s->es,
					    err);
	strbuf_release(&rev);
	return ret;
}

/* Send what is in j->out; a client gone stops the diff. */
static int flush(struct diff_job *j)
{
	if (j->out.len && write_in_full(j->fd, j->out.buf, j->out.len) < 0)
		j->failed = 1;
	strbuf_reset(&j->out);
	return j->failed;
}

static void change_row(struct diff_job *j, enum diff_kind kind,
		       const struct strbuf *key, const struct manifest_entry *a,
		       const struct manifest_entry *b)
{
	struct strbuf *o = &j->out, href = STRBUF_INIT;

	strbuf_addf(o, "<tr class=\"%s\"><td>%s</td><td>",
		    diff_kind_name(kind), diff_kind_name(kind));
	if (key) {
		href_version(&href, j->name,
			     oid_to_hex(b ? &j->b.top : &j->a.top));
		strbuf_addstr(&href, "/entry/");
		url_esc_path(&href, key->buf);
		strbuf_addstr(o, "<a class=\"key\" href=\"");
		html_escs(o, href.buf);
		strbuf_addstr(o, "\">");
		html_esc(o, key->buf, key->len);
		strbuf_addstr(o, "</a>");
	} else {
		strbuf_addstr(o, "<em>package metadata</em>");
	}
	strbuf_addstr(o, "</td><td class=\"size\">");
	if (a)
		human_size(o, a->size);
	strbuf_addstr(o, "</td><td class=\"size\">");
	if (b)
		human_size(o, b->size);
	strbuf_addstr(o, "</td></tr>\n");
	strbuf_release(&href);
}

static void change(struct diff_job *j, enum diff_kind kind,
		   const struct strbuf *key, const struct manifest_entry *a,
		   const struct manifest_entry *b)
{
	j->count[kind]++;
	if (j->api) {
		struct json *c = diff_change_json(kind, key, a, b);

		if (j->nr++)
			strbuf_addstr(&j->out, ", ");
		json_write_python(&j->out, c);
		json_free(c);
	} else {
		change_row(j, kind, key, a, b);
	}
}

static int on_change(enum diff_kind kind, const struct manifest_entry *a,
		     const struct manifest_entry *b, void *payload)
{
	struct diff_job *j = payload;

	change(j, kind, &(b ? b : a)->key, a, b);
	return j->out.len >= (64 << 10) ? flush(j) : 0;
}

static void html_head(struct diff_job *j)
{
	struct strbuf *o = &j->out, crumbs = STRBUF_INIT, href = STRBUF_INIT;
	struct strbuf title = STRBUF_INIT;

	href_package(&href, j->name);
	crumb(&crumbs, "registry", 8, "/");
	crumb(&crumbs, j->name, strlen(j->name), href.buf);
	crumb(&crumbs, "diff", 4, NULL);
	strbuf_addf(&title, "%.12s \xe2\x86\x92 %.12s", oid_to_hex(&j->a.top),
		    oid_to_hex(&j->b.top));
	page_begin(o, title.buf, &crumbs);
	strbuf_addstr(o, "<p>from ");
	strbuf_reset(&href);
	href_version(&href, j->name, oid_to_hex(&j->a.top));
	strbuf_addstr(o, "<a class=\"version\" id=\"from\" href=\"");
	html_escs(o, href.buf);
	strbuf_addf(o, "\">%.12s</a> to ", oid_to_hex(&j->a.top));
	strbuf_reset(&href);
	href_version(&href, j->name, oid_to_hex(&j->b.top));
	strbuf_addstr(o, "<a class=\"version\" id=\"to\" href=\"");
	html_escs(o, href.buf);
	strbuf_addf(o, "\">%.12s</a></p>\n<table id=\"changes\"><thead><tr>"
		    "<th>change</th><th>logical key</th><th>old size</th>"
		    "<th>new size</th></tr></thead><tbody>\n",
		    oid_to_hex(&j->b.top));
	strbuf_release(&crumbs);
	strbuf_release(&href);
	strbuf_release(&title);
}

static void html_tail(struct diff_job *j, const struct strbuf *err)
{
	struct strbuf *o = &j->out;
	uint64_t total = j->count[0] + j->count[1] + j->count[2] + j->count[3];

	strbuf_addstr(o, "</tbody></table>\n");
	if (err->len) {
		strbuf_addstr(o, "<p class=\"error\">");
		html_redacted(o, err->buf);
		strbuf_addstr(o, "</p>\n");
	}
	if (!total && !err->len)
		strbuf_addstr(o, "<p class=\"equal\">The two versions hold the "
			      "same entries.</p>\n");
	strbuf_addf(o, "<p id=\"summary\">%" PRIu64 " added, %" PRIu64
		    " deleted, %" PRIu64 " modified, %" PRIu64
		    " metadata</p>\n",
		    j->count[0], j->count[1], j->count[2], j->count[3]);
	page_end(o);
}

static void json_tail(struct diff_job *j)
{
	uint64_t total = j->count[0] + j->count[1] + j->count[2] + j->count[3];
	enum diff_kind k;

	strbuf_addstr(&j->out, "]");
	for (k = DIFF_ADDED; k <= DIFF_META; k++)
		strbuf_addf(&j->out, ", \"%s\": %" PRIu64, diff_kind_name(k),
			    j->count[k]);
	strbuf_addf(&j->out, ", \"equal\": %s}\n", total ? "false" : "true");
}

static void run_diff(int fd, void *payload)
{
	struct diff_job *j = payload;
	struct strbuf err = STRBUF_INIT;
	int ret;

	j->fd = fd;
	if (j->api)
		strbuf_addstr(&j->out, "{\"changes\": [");
	else
		html_head(j);
	ret = diff_streams(j->a.es, j->b.es, on_change, j, &err);
	if (!ret && package_meta_differs(j->a.es->meta, j->b.es->meta))
		change(j, DIFF_META, NULL, NULL, NULL);
	if (j->failed)
		goto out;
	/* a failure now can only cut the answer short: the client sees it */
	if (j->api && ret < 0)
		goto out;
	if (j->api)
		json_tail(j);
	else
		html_tail(j, &err);
	flush(j);
out:
	strbuf_release(&err);
}

static void diff(struct req *r, const struct target *t, int api)
{
	struct diff_job *j = xcalloc(1, sizeof(*j));
	struct strbuf err = STRBUF_INIT;
	int ret;

	strbuf_init(&j->out, 0);
	j->name = xstrdup(t->name);
	j->api = api;
	ret = open_side(r, t->name, req_arg(r, "from"), &j->a, &err);
	if (!ret)
		ret = open_side(r, t->name, req_arg(r, "to"), &j->b, &err);
	if (ret) {
		req_fail(r, api, ret, &err);
		job_free(j);
	} else if (!req_stream(r, run_diff, j, job_free)) {
		r->type = api ? "application/json" :
			  "text/html; charset=utf-8";
	}
	strbuf_release(&err);
}

void page_diff(struct req *r, const struct target *t)
{
	diff(r, t, 0);
}

void api_diff(struct req *r, const struct target *t)
{
	diff(r, t, 1);
}
