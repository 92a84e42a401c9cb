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
	html = cmark_render_html(doc, opts,
				 cmark_parser_get_syntax_extensions(p));
	strbuf_addstr(out, html);
	free(html);
	cmark_node_free(doc);
	cmark_parser_free(p);
}
