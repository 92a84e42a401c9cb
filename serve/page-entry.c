#include "quire-compat.h"
#include "serve/route.h"
#include "serve/html.h"
#include "serve/preview.h"
#include "handler.h"
#include "json-out.h"
#include "vindex.h"

/*
 * The entry page (what the manifest says of one entry, a preview, a
 * download link), its bytes (/raw/, checked against the entry's hash
 * before the first byte goes out) and /api/.../entry/.
 */

struct json *vnode_json(const struct vnode *n, const char *dir);

/* Open t's version and the entry t->rest names. */
static int open_entry(struct req *r, int api, const struct target *t,
		      struct version *v, struct vnode *n)
{
	vnode_init(n);
	if (target_version(r, api, t, v))
		return -1;	/* n holds nothing yet */
	if (target_node(r, api, v->vx, t->rest, 0, n)) {
		vnode_release(n);
		version_release(r->s, v);
		return -1;
	}
	return 0;
}

static void dl_row(struct strbuf *o, const char *dt, const char *dd,
		   size_t len)
{
	strbuf_addf(o, "<dt>%s</dt><dd>", dt);
	html_esc(o, dd, len);
	strbuf_addstr(o, "</dd>");
}

static void entry_facts(struct strbuf *o, const struct vnode *n,
			const char *key, const struct json *meta)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addstr(o, "<dl id=\"entry\">");
	dl_row(o, "logical key", key, strlen(key));
	strbuf_addf(&sb, "%" PRIu64 " bytes (", n->size);
	human_size(&sb, n->size);
	strbuf_addch(&sb, ')');
	dl_row(o, "size", sb.buf, sb.len);
	strbuf_reset(&sb);
	strbuf_addf(&sb, "%s:%s", hash_type_name(n->oid.type),
		    oid_to_value(&n->oid));
	dl_row(o, "hash", sb.buf, sb.len);
	dl_row(o, "physical key", n->physical.buf, n->physical.len);
	strbuf_reset(&sb);
	if (meta && handler_format_spec(&sb, meta))
		dl_row(o, "handler", sb.buf, sb.len);
	strbuf_addstr(o, "</dl>\n");
	strbuf_release(&sb);
}

void page_entry(struct req *r, const struct target *t)
{
	struct strbuf *o = &r->body, crumbs = STRBUF_INIT, href = STRBUF_INIT;
	struct strbuf err = STRBUF_INIT;
	struct json *meta = NULL;
	const char *base;
	struct version v;
	struct vnode n;

	if (open_entry(r, 0, t, &v, &n))
		return;
	if (n.meta.len && json_parse(n.meta.buf, n.meta.len, &meta, &err))
		meta = NULL;
	r->type = "text/html; charset=utf-8";
	version_crumbs(&crumbs, &v, t->rest, NULL);
	base = strrchr(t->rest, '/');
	page_begin(o, base ? base + 1 : t->rest, &crumbs);
	entry_facts(o, &n, t->rest, meta);
	href_in(&href, &v, "raw", t->rest);
	strbuf_addstr(o, "<p><a id=\"download\" download href=\"");
	html_escs(o, href.buf);
	strbuf_addstr(o, "\">Download</a></p>\n<h2>Metadata</h2>"
		      "<pre id=\"meta\">");
	if (meta)
		html_json(o, meta);
	else
		strbuf_addstr(o, "{}");
	strbuf_addstr(o, "</pre>\n<h2>Preview</h2><section id=\"preview\">");
	preview(r, &v, t->rest, &n, href.buf);
	strbuf_addstr(o, "</section>\n");
	page_end(o);
	json_free(meta);
	vnode_release(&n);
	version_release(r->s, &v);
	strbuf_release(&crumbs);
	strbuf_release(&href);
	strbuf_release(&err);
}

/* filename="..." for Content-Disposition: the base name, plain ASCII. */
static char *disposition(const char *key)
{
	struct strbuf sb = STRBUF_INIT;
	const char *base = strrchr(key, '/'), *p;

	base = base ? base + 1 : key;
	strbuf_addstr(&sb, "attachment; filename=\"");
	for (p = base; *p; p++)
		strbuf_addch(&sb, (*p < 0x20 || *p > 0x7e || *p == '"' ||
				   *p == '\\') ? '_' : *p);
	strbuf_addstr(&sb, "\"; filename*=UTF-8''");
	url_esc(&sb, base);
	return strbuf_detach(&sb, NULL);
}

void page_raw(struct req *r, const struct target *t)
{
	struct strbuf err = STRBUF_INIT;
	struct version v;
	struct vnode n;
	int fd, ret;

	if (open_entry(r, 0, t, &v, &n))
		return;
	ret = object_open(r->s, n.physical.buf, &n.oid, n.size, &fd, &err);
	if (ret) {
		req_error(r, 0, ret == QERR_CORRUPT ? 502 : status_of(ret),
			  err.buf);
	} else {
		r->fd = fd;
		r->fd_size = n.size;
		r->type = image_type(t->rest, fd);
		if (!r->type) {
			r->type = "application/octet-stream";
			r->disposition = disposition(t->rest);
		}
		r->cache_control = xstrdup("private, max-age=31536000, "
					   "immutable");
	}
	vnode_release(&n);
	version_release(r->s, &v);
	strbuf_release(&err);
}

void api_entry(struct req *r, const struct target *t)
{
	struct strbuf dir = STRBUF_INIT;
	const char *slash = strrchr(t->rest, '/');
	struct version v;
	struct vnode n;
	struct json *j;

	if (open_entry(r, 1, t, &v, &n))
		return;
	if (slash)
		strbuf_add(&dir, t->rest, slash + 1 - t->rest);
	j = vnode_json(&n, dir.buf);
	json_write_python(&r->body, j);
	strbuf_addch(&r->body, '\n');
	r->type = "application/json";
	json_free(j);
	vnode_release(&n);
	version_release(r->s, &v);
	strbuf_release(&dir);
}
