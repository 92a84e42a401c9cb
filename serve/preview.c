#include "quire-compat.h"
#include "serve/preview.h"
#include "serve/html.h"
#include "json.h"
#include "utf8.h"
#include "vindex.h"

#define PREVIEW_BYTES (256 << 10)
#define PREVIEW_ROWS 100
/* Larger objects are not fetched just to be previewed. */
#define PREVIEW_FETCH_MAX ((uint64_t)16 << 20)

const char *image_type(const char *key, int fd)
{
	unsigned char b[12];
	ssize_t n = pread(fd, b, sizeof(b), 0);

	(void)key;
	if (n >= 8 && !memcmp(b, "\x89PNG\r\n\x1a\n", 8))
		return "image/png";
	if (n >= 3 && !memcmp(b, "\xff\xd8\xff", 3))
		return "image/jpeg";
	if (n >= 6 && (!memcmp(b, "GIF87a", 6) || !memcmp(b, "GIF89a", 6)))
		return "image/gif";
	if (n >= 12 && !memcmp(b, "RIFF", 4) && !memcmp(b + 8, "WEBP", 4))
		return "image/webp";
	return NULL;
}

static int has_ext(const char *key, const char *const *exts)
{
	const char *dot = strrchr(key, '.');

	if (!dot || strchr(dot, '/'))
		return 0;
	for (; *exts; exts++)
		if (!strcasecmp(dot + 1, *exts))
			return 1;
	return 0;
}

/* Text: no NUL and valid UTF-8 (a sequence cut at the end is fine). */
static int looks_like_text(const char *s, size_t len)
{
	size_t i = 0, n;

	while (i < len) {
		if (!s[i])
			return 0;
		if ((unsigned char)s[i] < 0x80) {
			i++;
			continue;
		}
		n = utf8_decode((const unsigned char *)s + i, len - i, NULL);
		if (!n)
			return len - i < 4;
		i += n;
	}
	return 1;
}

static void csv_cell(struct strbuf *o, int head, const struct strbuf *cell)
{
	strbuf_addstr(o, head ? "<th>" : "<td>");
	html_esc(o, cell->buf, cell->len);
	strbuf_addstr(o, head ? "</th>" : "</td>");
}

/* CSV (RFC 4180 quoting) or TSV as a table of its first rows. */
static void csv_table(struct strbuf *o, const char *s, size_t len, char sep,
		      int truncated)
{
	struct strbuf cell = STRBUF_INIT;
	size_t i = 0, rows = 0;
	int quoted = 0, row_open = 0;

	strbuf_addstr(o, "<table class=\"csv\">");
	/* the header, then PREVIEW_ROWS rows of data */
	while (i < len && rows <= PREVIEW_ROWS) {
		char c = s[i++];

		if (!row_open) {
			strbuf_addstr(o, "<tr>");
			row_open = 1;
		}
		if (quoted) {
			if (c == '"' && i < len && s[i] == '"')
				strbuf_addch(&cell, s[i++]);
			else if (c == '"')
				quoted = 0;
			else
				strbuf_addch(&cell, c);
		} else if (c == '"' && !cell.len && sep == ',') {
			quoted = 1;
		} else if (c == sep) {
			csv_cell(o, !rows, &cell);
			strbuf_reset(&cell);
		} else if (c == '\n' || c == '\r') {
			if (c == '\r' && i < len && s[i] == '\n')
				i++;
			csv_cell(o, !rows, &cell);
			strbuf_reset(&cell);
			strbuf_addstr(o, "</tr>\n");
			row_open = 0;
			rows++;
		} else {
			strbuf_addch(&cell, c);
		}
	}
	if (row_open) {
		csv_cell(o, !rows, &cell);
		strbuf_addstr(o, "</tr>\n");
		rows++;
	}
	strbuf_addstr(o, "</table>\n");
	if (i < len || truncated)
		strbuf_addf(o, "<p class=\"muted\">the first %zu rows</p>\n",
			    rows ? rows - 1 : 0);
	strbuf_release(&cell);
}

static void text_preview(struct strbuf *o, const char *key, const char *s,
			 size_t len, int whole)
{
	static const char *const json_ext[] = { "json", "geojson", "ipynb",
						NULL };
	struct strbuf err = STRBUF_INIT;
	struct json *j = NULL;

	strbuf_addstr(o, "<pre class=\"text\">");
	if (whole && has_ext(key, json_ext) && !json_parse(s, len, &j, &err))
		html_json(o, j);
	else
		html_esc(o, s, len);
	strbuf_addstr(o, "</pre>\n");
	if (!whole)
		strbuf_addstr(o, "<p class=\"muted\">the first 256 KiB</p>\n");
	json_free(j);
	strbuf_release(&err);
}

static void no_preview(struct strbuf *o, const char *why)
{
	strbuf_addstr(o, "<p class=\"no-preview\">");
	html_escs(o, why);
	strbuf_addstr(o, "</p>\n");
}

void preview(struct req *r, const struct version *v, const char *key,
	     const struct vnode *n, const char *raw_href)
{
	static const char *const csv_ext[] = { "csv", NULL };
	static const char *const tsv_ext[] = { "tsv", "tab", NULL };
	struct strbuf *o = &r->body, head = STRBUF_INIT, err = STRBUF_INIT;
	ssize_t len;
	int fd = -1;

	(void)v;
	if (n->size > PREVIEW_FETCH_MAX) {
		no_preview(o, "No preview: the file is too large; download "
			   "it instead.");
		return;
	}
	if (object_open(r->s, n->physical.buf, &n->oid, n->size, &fd, &err)) {
		strbuf_addstr(o, "<p class=\"error\">");
		html_redacted(o, err.buf);
		strbuf_addstr(o, "</p>\n");
		goto out;
	}
	if (image_type(key, fd)) {
		strbuf_addstr(o, "<img class=\"preview\" alt=\"\" src=\"");
		html_escs(o, raw_href);
		strbuf_addstr(o, "\">\n");
		goto out;
	}
	strbuf_grow(&head, PREVIEW_BYTES);
	len = read_in_full(fd, head.buf, PREVIEW_BYTES);
	if (len < 0) {
		no_preview(o, "No preview: the file could not be read.");
		goto out;
	}
	strbuf_setlen(&head, len);
	if (!looks_like_text(head.buf, head.len))
		no_preview(o, "No preview for this kind of file.");
	else if (has_ext(key, csv_ext) || has_ext(key, tsv_ext))
		csv_table(o, head.buf, head.len,
			  has_ext(key, csv_ext) ? ',' : '\t',
			  head.len < n->size);
	else
		text_preview(o, key, head.buf, head.len, head.len == n->size);
out:
	if (fd >= 0)
		close(fd);
	strbuf_release(&head);
	strbuf_release(&err);
}
