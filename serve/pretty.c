#include "quire-compat.h"
#include "serve/html.h"
#include "json.h"

/* JSON as json.dumps(indent=2, ensure_ascii=False) writes it. */
static void pretty(struct strbuf *out, const struct json *j, int depth)
{
	size_t i, nr;

	switch (j->type) {
	case JSON_ARRAY:
		nr = j->u.arr.nr;
		if (!nr) {
			strbuf_addstr(out, "[]");
			return;
		}
		strbuf_addstr(out, "[\n");
		for (i = 0; i < nr; i++) {
			strbuf_addf(out, "%*s", 2 * (depth + 1), "");
			pretty(out, j->u.arr.v[i], depth + 1);
			strbuf_addstr(out, i + 1 < nr ? ",\n" : "\n");
		}
		strbuf_addf(out, "%*s]", 2 * depth, "");
		return;
	case JSON_OBJECT:
		nr = j->u.obj.nr;
		if (!nr) {
			strbuf_addstr(out, "{}");
			return;
		}
		strbuf_addstr(out, "{\n");
		for (i = 0; i < nr; i++) {
			const struct json_member *m = &j->u.obj.m[i];

			strbuf_addf(out, "%*s", 2 * (depth + 1), "");
			json_write_string_python(out, m->key, m->key_len);
			strbuf_addstr(out, ": ");
			pretty(out, m->value, depth + 1);
			strbuf_addstr(out, i + 1 < nr ? ",\n" : "\n");
		}
		strbuf_addf(out, "%*s}", 2 * depth, "");
		return;
	default:
		json_write_python(out, j);
	}
}

void html_json(struct strbuf *out, const struct json *j)
{
	struct strbuf text = STRBUF_INIT;

	pretty(&text, j, 0);
	html_esc(out, text.buf, text.len);
	strbuf_release(&text);
}

void html_json_text(struct strbuf *out, const char *text)
{
	struct strbuf err = STRBUF_INIT;
	struct json *j = NULL;

	if (!json_parse(text, strlen(text), &j, &err))
		html_json(out, j);
	else
		html_escs(out, text);
	json_free(j);
	strbuf_release(&err);
}
