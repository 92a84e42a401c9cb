#include "quire-compat.h"
#include <ctype.h>
#include <time.h>
#include "serve/html.h"
#include "redact.h"
#include "utf8.h"

/* Bytes copied as they are: printable ASCII but & < > " ' (and NUL). */
static inline int html_plain(unsigned char c)
{
	return c >= 0x20 && c < 0x80 && c != '&' && c != '<' && c != '>' &&
	       c != '"' && c != '\'';
}

void html_esc(struct strbuf *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len, *q;
	size_t n;

	while (p < end) {
		for (q = p; q < end && html_plain(*q); q++)
			;
		strbuf_add(out, p, q - p);
		if ((p = q) == end)
			break;
		switch (*p) {
		case '&': strbuf_addstr(out, "&amp;"); p++; continue;
		case '<': strbuf_addstr(out, "&lt;"); p++; continue;
		case '>': strbuf_addstr(out, "&gt;"); p++; continue;
		case '"': strbuf_addstr(out, "&quot;"); p++; continue;
		case '\'': strbuf_addstr(out, "&#39;"); p++; continue;
		case '\0': strbuf_addstr(out, "\xef\xbf\xbd"); p++; continue;
		}
		if (*p < 0x80) {
			strbuf_addch(out, *p++);	/* a control byte */
			continue;
		}
		n = utf8_decode(p, end - p, NULL);
		if (!n) {
			strbuf_addstr(out, "\xef\xbf\xbd");
			p++;
			continue;
		}
		strbuf_add(out, p, n);
		p += n;
	}
}

void html_escs(struct strbuf *out, const char *s)
{
	html_esc(out, s, strlen(s));
}

void html_redacted(struct strbuf *out, const char *text)
{
	struct strbuf clean = STRBUF_INIT;

	redact_text(&clean, text);
	html_esc(out, clean.buf, clean.len);
	strbuf_release(&clean);
}

static inline int url_plain(unsigned char c, int keep_slash)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	       c == '~' || (keep_slash && c == '/');
}

static void url_esc_1(struct strbuf *out, const char *s, int keep_slash)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p = (const unsigned char *)s, *q;

	while (*p) {
		for (q = p; *q && url_plain(*q, keep_slash); q++)
			;
		strbuf_add(out, p, q - p);
		for (p = q; *p && !url_plain(*p, keep_slash); p++) {
			strbuf_addch(out, '%');
			strbuf_addch(out, hex[*p >> 4]);
			strbuf_addch(out, hex[*p & 15]);
		}
	}
}

void url_esc(struct strbuf *out, const char *s)
{
	url_esc_1(out, s, 0);
}

void url_esc_path(struct strbuf *out, const char *s)
{
	url_esc_1(out, s, 1);
}

static void add_uint(struct strbuf *out, uint64_t v)
{
	char buf[24], *p = buf + sizeof(buf);

	do {
		*--p = '0' + v % 10;
		v /= 10;
	} while (v);
	strbuf_add(out, p, buf + sizeof(buf) - p);
}

void human_size(struct strbuf *out, uint64_t bytes)
{
	static const char *const unit[] = { " B", " KiB", " MiB", " GiB",
					    " TiB", " PiB", " EiB" };
	uint64_t div = 1, tenths;
	int i = 0;

	while (i < 6 && bytes / div >= 1024) {
		div *= 1024;
		i++;
	}
	/* one decimal under 10 (rounded), none above, as "1.5 MiB" */
	tenths = (uint64_t)((long double)bytes * 10 / div + 0.5L);
	if (!i || tenths >= 100) {
		add_uint(out, i ? (tenths + 5) / 10 : bytes);
	} else {
		add_uint(out, tenths / 10);
		strbuf_addch(out, '.');
		add_uint(out, tenths % 10);
	}
	strbuf_addstr(out, unit[i]);
}

void html_time(struct strbuf *out, uint64_t t)
{
	time_t tt = (time_t)t;
	char iso[32], shown[32];
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(iso, sizeof(iso), "%Y-%m-%dT%H:%M:%SZ", &tm);
	strftime(shown, sizeof(shown), "%Y-%m-%d %H:%M UTC", &tm);
	strbuf_addf(out, "<time datetime=\"%s\">%s</time>", iso, shown);
}

void href_package(struct strbuf *out, const char *name)
{
	strbuf_addstr(out, "/pkg/");
	url_esc_path(out, name);
}

void href_version(struct strbuf *out, const char *name, const char *hex)
{
	href_package(out, name);
	strbuf_addch(out, '@');
	strbuf_addstr(out, hex);
}

void crumb(struct strbuf *c, const char *text, size_t len, const char *href)
{
	if (c->len)
		strbuf_addstr(c, "<span class=\"sep\">/</span>");
	if (href) {
		strbuf_addstr(c, "<a href=\"");
		html_escs(c, href);
		strbuf_addstr(c, "\">");
		html_esc(c, text, len);
		strbuf_addstr(c, "</a>");
	} else {
		strbuf_addstr(c, "<span>");
		html_esc(c, text, len);
		strbuf_addstr(c, "</span>");
	}
}

void page_begin(struct strbuf *out, const char *title,
		const struct strbuf *crumbs)
{
	strbuf_addstr(out, "<!DOCTYPE html>\n<html lang=\"en\"><head>"
		      "<meta charset=\"utf-8\">"
		      "<meta name=\"viewport\" content=\"width=device-width,"
		      " initial-scale=1\">"
		      "<link rel=\"stylesheet\" href=\"/static/quire.css\">"
		      "<link rel=\"icon\" href=\"/static/quire.svg\">"
		      "<script src=\"/static/quire.js\" defer></script>"
		      "<title>");
	html_escs(out, title);
	strbuf_addstr(out, " \xe2\x80\x94 quire</title></head>\n<body>"
		      "<header><a class=\"home\" href=\"/\">quire</a>"
		      "<nav class=\"crumbs\">");
	if (crumbs)
		strbuf_addbuf(out, crumbs);
	strbuf_addstr(out, "</nav></header>\n<main><h1>");
	html_escs(out, title);
	strbuf_addstr(out, "</h1>\n");
}

void page_end(struct strbuf *out)
{
	strbuf_addstr(out, "</main>\n<footer>served by quire</footer>"
		      "</body></html>\n");
}
