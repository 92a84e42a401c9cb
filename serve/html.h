#ifndef SERVE_HTML_H
#define SERVE_HTML_H
#include <stdint.h>
#include "strbuf.h"

/*
 * Writing HTML safely. Every byte that came from a registry goes
 * through html_esc() (text and attribute values alike) and every part
 * of a URL through url_esc() or url_esc_path() before html_esc().
 */

/* Append s[0..len) with & < > " ' as entities; invalid UTF-8 as U+FFFD. */
void html_esc(struct strbuf *out, const char *s, size_t len);
void html_escs(struct strbuf *out, const char *s);
/* An error message, escaped, with any credentials in its URLs removed. */
void html_redacted(struct strbuf *out, const char *text);

/* Percent-encode all but unreserved characters (and '/' with _path). */
void url_esc(struct strbuf *out, const char *s);
void url_esc_path(struct strbuf *out, const char *s);

/* "1.5 MiB", "12 B": a size for people. */
void human_size(struct strbuf *out, uint64_t bytes);

/* "2026-12-05 10:41 UTC" in <time datetime="...">. */
void html_time(struct strbuf *out, uint64_t t);

/* The link to a version, package or path: /pkg/ns/name@hex... */
void href_package(struct strbuf *out, const char *name);
void href_version(struct strbuf *out, const char *name, const char *hex);

/* Append a crumb to c: a link, or the current page when href is NULL. */
void crumb(struct strbuf *c, const char *text, size_t len, const char *href);

/* A page: its <head>, the crumbs (HTML made by crumb()) and <h1>. */
void page_begin(struct strbuf *out, const char *title,
		const struct strbuf *crumbs);
void page_end(struct strbuf *out);

/* JSON, indented as Python's json.dumps(indent=2) does, escaped. */
struct json;
void html_json(struct strbuf *out, const struct json *j);
/* The same from JSON text (shown as it is when it does not parse). */
void html_json_text(struct strbuf *out, const char *text);

/* The stylesheet and script served under /static/. */
extern const char serve_css[];
extern const char serve_js[];
extern const char serve_icon[];

#endif
