#include "quire-compat.h"
#include <cmark-gfm.h>
#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm-extension_api.h>
#include <pthread.h>
#include "serve/markdown.h"

/*
 * README.md as HTML, with GitHub's tables, strikethrough and autolinks.
 * Without CMARK_OPT_UNSAFE, cmark-gfm drops raw HTML and links to
 * javascript:, vbscript:, file: and data: (but images) URLs: a README
 * can only be text and links.
 */

static pthread_once_t registered = PTHREAD_ONCE_INIT;

static void register_extensions(void)
{
	cmark_gfm_core_extensions_ensure_registered();
}

static void attach(cmark_parser *p, const char *name)
{
	cmark_syntax_extension *ext = cmark_find_syntax_extension(name);

	if (ext)
		cmark_parser_attach_syntax_extension(p, ext);
}

/* A README's "# Title" is an <h2>: the page has its own <h1>. */
static void demote_headings(cmark_node *doc)
{
	cmark_iter *it = cmark_iter_new(doc);
	cmark_event_type ev;
	cmark_node *n;
	int level;

	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		n = cmark_iter_get_node(it);
		if (ev != CMARK_EVENT_ENTER ||
		    cmark_node_get_type(n) != CMARK_NODE_HEADING)
			continue;
		level = cmark_node_get_heading_level(n);
		cmark_node_set_heading_level(n, level < 6 ? level + 1 : 6);
	}
	cmark_iter_free(it);
}

void markdown_to_html(struct strbuf *out, const char *text, size_t len)
{
	int opts = CMARK_OPT_DEFAULT | CMARK_OPT_VALIDATE_UTF8;
	cmark_parser *p;
	cmark_node *doc;
	char *html;

	pthread_once(&registered, register_extensions);
	p = cmark_parser_new(opts);
	attach(p, "table");
	attach(p, "strikethrough");
	attach(p, "autolink");
	attach(p, "tagfilter");
	cmark_parser_feed(p, text, len);
	doc = cmark_parser_finish(p);
	demote_headings(doc);
	html = cmark_render_html(doc, opts,
				 cmark_parser_get_syntax_extensions(p));
	strbuf_addstr(out, html);
	free(html);
	cmark_node_free(doc);
	cmark_parser_free(p);
}
