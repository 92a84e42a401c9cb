#ifndef SERVE_MARKDOWN_H
#define SERVE_MARKDOWN_H
#include "strbuf.h"

/* Append text (Markdown) rendered as safe HTML: no raw HTML, no scripts. */
void markdown_to_html(struct strbuf *out, const char *text, size_t len);

#endif
