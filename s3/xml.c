#include "quire-compat.h"
#include "s3/xml.h"
#include <expat.h>

struct xml_stream {
	XML_Parser p;
	xml_element_fn fn;
	void *payload;
	struct strbuf path;	/* "a/b/c" of the open elements */
	struct strbuf text;	/* text of the innermost element */
	int failed;
};

static void on_start(void *data, const XML_Char *name, const XML_Char **attr)
{
	struct xml_stream *x = data;

	if (x->path.len)
		strbuf_addch(&x->path, '/');
	strbuf_addstr(&x->path, name);
	strbuf_reset(&x->text);
}

static void on_end(void *data, const XML_Char *name)
{
	struct xml_stream *x = data;
	char *slash;

	x->fn(x->path.buf, x->text.buf, x->text.len, x->payload);
	strbuf_reset(&x->text);
	slash = strrchr(x->path.buf, '/');
	strbuf_setlen(&x->path, slash ? (size_t)(slash - x->path.buf) : 0);
}

static void on_text(void *data, const XML_Char *s, int len)
{
	struct xml_stream *x = data;

	strbuf_add(&x->text, s, len);
}

static void setup(struct xml_stream *x)
{
	XML_SetUserData(x->p, x);
	XML_SetElementHandler(x->p, on_start, on_end);
	XML_SetCharacterDataHandler(x->p, on_text);
	strbuf_reset(&x->path);
	strbuf_reset(&x->text);
	x->failed = 0;
}

struct xml_stream *xml_stream_new(xml_element_fn fn, void *payload)
{
	struct xml_stream *x = xcalloc(1, sizeof(*x));

	x->p = XML_ParserCreate("UTF-8");
	if (!x->p)
		die("out of memory");
	x->fn = fn;
	x->payload = payload;
	strbuf_init(&x->path, 0);
	strbuf_init(&x->text, 0);
	setup(x);
	return x;
}

int xml_stream_feed(struct xml_stream *x, const char *p, size_t n, int final)
{
	if (x->failed)
		return -1;
	while (n || final) {
		int chunk = n > INT_MAX ? INT_MAX : (int)n;

		if (XML_Parse(x->p, p, chunk, final && (size_t)chunk == n) ==
		    XML_STATUS_ERROR) {
			x->failed = 1;
			return -1;
		}
		p += chunk;
		n -= chunk;
		if (!n)
			break;
	}
	return 0;
}

void xml_stream_reset(struct xml_stream *x)
{
	XML_ParserReset(x->p, "UTF-8");
	setup(x);
}

const char *xml_stream_error(struct xml_stream *x)
{
	return XML_ErrorString(XML_GetErrorCode(x->p));
}

void xml_stream_free(struct xml_stream *x)
{
	if (!x)
		return;
	XML_ParserFree(x->p);
	strbuf_release(&x->path);
	strbuf_release(&x->text);
	free(x);
}

void xml_escape(struct strbuf *out, const char *text)
{
	for (; *text; text++) {
		switch (*text) {
		case '&':
			strbuf_addstr(out, "&amp;");
			break;
		case '<':
			strbuf_addstr(out, "&lt;");
			break;
		case '>':
			strbuf_addstr(out, "&gt;");
			break;
		case '"':
			strbuf_addstr(out, "&quot;");
			break;
		case '\'':
			strbuf_addstr(out, "&apos;");
			break;
		default:
			strbuf_addch(out, *text);
		}
	}
}
