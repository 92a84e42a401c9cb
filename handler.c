#include "quire-compat.h"
#include "handler.h"

static int bad(struct strbuf *err, const char *spec, size_t len,
	       const char *why)
{
	strbuf_addstr(err, "invalid handler spec '");
	strbuf_add_quoted_name(err, spec, len);
	strbuf_addf(err, "': %s", why);
	return QERR_USAGE;
}

int handler_spec_check(const char *spec, size_t len, struct strbuf *err)
{
	size_t i;

	if (!len)
		return bad(err, spec, len, "it is empty");
	if (len > HANDLER_SPEC_MAX) {
		strbuf_addf(err, "invalid handler spec: it is %" PRIuMAX
			    " characters long, more than %d",
			    (uintmax_t)len, HANDLER_SPEC_MAX);
		return QERR_USAGE;
	}
	for (i = 0; i < len; i++) {
		unsigned char c = spec[i];

		if (c == ' ')
			return bad(err, spec, len, "it contains a space");
		if (c < 0x21 || c > 0x7e)
			return bad(err, spec, len, "it contains a byte that "
				   "is not printable ASCII");
	}
	return 0;
}

struct json *handler_new(const char *spec, size_t len, struct json *kwargs)
{
	struct json *h = json_new_object();

	if (kwargs && kwargs->type != JSON_OBJECT)
		BUG("handler kwargs must be an object");
	json_object_set(h, "spec", 4, json_new_string(spec, len));
	json_object_set(h, "kwargs", 6, kwargs ? kwargs : json_new_object());
	return h;
}

const struct json *handler_get(const struct json *meta)
{
	if (!meta || meta->type != JSON_OBJECT)
		return NULL;
	return json_object_get(meta, "handler");
}

int handler_format_spec(struct strbuf *out, const struct json *meta)
{
	const struct json *h = handler_get(meta), *spec;
	struct strbuf ignore = STRBUF_INIT;

	if (!h || h->type != JSON_OBJECT)
		return 0;
	spec = json_object_get(h, "spec");
	if (!spec || spec->type != JSON_STRING)
		return 0;
	if (!handler_spec_check(spec->u.str.s, spec->u.str.len, &ignore))
		strbuf_add(out, spec->u.str.s, spec->u.str.len);
	else
		json_write_string_canonical(out, spec->u.str.s,
					    spec->u.str.len);
	strbuf_release(&ignore);
	return 1;
}
