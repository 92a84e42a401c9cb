#include "builtin.h"
#include "json-out.h"
#include "parse-options.h"
#include "redact.h"
#include "version-show.h"

static const char * const show_usage[] = {
	"quire show [-r <registry>] [--json] <revision>",
	NULL
};

/* "label: <value as one line of JSON>", when the member is there. */
static void print_member(const struct version_show *v, const char *key)
{
	const struct json *j = version_show_meta(v, key);
	struct strbuf sb = STRBUF_INIT;

	if (!j)
		return;
	json_write_python(&sb, j);
	printf("%-11s %s\n", key, sb.buf);
	strbuf_release(&sb);
}

static void print_text(const struct version_show *v)
{
	const struct json *msg = version_show_meta(v, "message");
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	printf("top_hash    %s\n", oid_to_hex(&v->top));
	if (v->name)
		printf("name        %s\n", v->name);
	if (v->registry) {
		redact_url(&sb, v->registry);
		printf("registry    %s\n", sb.buf);
		strbuf_reset(&sb);
	}
	for (i = 0; i < v->tags.nr; i++)
		printf("tag         %s\n", v->tags.items[i]);
	if (v->have_time) {
		json_format_time(&sb, v->time);
		printf("time        %s\n", sb.buf);
		strbuf_reset(&sb);
	}
	printf("entries     %" PRIu64 " (%" PRIu64 " bytes)\n",
	       v->total.entries, v->total.size);
	for (i = 0; i < v->nr; i++) {
		strbuf_add_quoted_name(&sb, v->folders[i].folder,
				       strlen(v->folders[i].folder));
		printf("  %s\t%" PRIu64 " (%" PRIu64 " bytes)\n", sb.buf,
		       v->folders[i].entries, v->folders[i].size);
		strbuf_reset(&sb);
	}
	print_member(v, "user_meta");
	print_member(v, "workflow");
	print_member(v, "provenance");
	if (msg && msg->type == JSON_STRING)
		printf("\n%s\n", msg->u.str.s);
	else if (msg)
		print_member(v, "message");
	strbuf_release(&sb);
}

int cmd_show(int argc, const char **argv, const char *prefix,
	     struct workspace *ws)
{
	struct version_show v;
	struct strbuf err = STRBUF_INIT;
	const char *reg = NULL;
	int json = 0;
	struct option options[] = {
		OPT__REGISTRY(&reg),
		OPT_BOOL(0, "json", &json, "print one JSON object"),
		OPT_END()
	};

	argc = parse_options(argc, argv, prefix, options, show_usage, 0);
	if (argc != 1)
		usage_with_options(show_usage, options);
	if (version_show_read(&v, ws, reg, argv[0], 0, &err) < 0)
		die("%s", err.buf);
	if (json)
		json_print(version_show_to_json(&v));
	else
		print_text(&v);
	version_show_release(&v);
	strbuf_release(&err);
	return 0;
}
