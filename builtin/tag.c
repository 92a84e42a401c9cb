#include "builtin.h"
#include "json-out.h"
#include "parse-options.h"
#include "porcelain.h"
#include "refs/refs.h"
#include "registry.h"

static const char * const tag_usage[] = {
	"quire tag [-f] [--json] <name> [<revision>]",
	"quire tag -d <name>",
	"quire tag [--list] [--json]",
	NULL
};

static struct json *tag_json(const char *tag, const struct object_id *oid)
{
	struct json *j = json_new_object();

	json_set(j, "tag", json_str(tag));
	json_set(j, "top_hash", json_top_hash(oid));
	return j;
}

/* p: the JSON list, or NULL for text. */
static int show(const char *name, const struct object_id *oid, void *p)
{
	if (strncmp(name, "refs/tags/", 10))
		return 0;
	if (p)
		json_list_add(p, tag_json(name + 10, oid));
	else
		printf("%s\t%s\n", name + 10, oid_to_hex(oid));
	return 0;
}

static void list_tags(struct workspace *ws, int json)
{
	struct json_list l;

	if (!json) {
		refs_for_each(ws->refs, show, NULL);
		return;
	}
	json_list_begin(&l, NULL, "tags");
	refs_for_each(ws->refs, show, &l);
	json_list_end(&l, NULL);
}

int cmd_tag(int argc, const char **argv, const char *prefix,
	    struct workspace *ws)
{
	struct strbuf err = STRBUF_INIT, ref = STRBUF_INIT;
	struct object_id top;
	int force = 0, delete = 0, list = 0, json = 0;
	struct option options[] = {
		OPT_BOOL('f', "force", &force, "move an existing tag"),
		OPT_BOOL('d', "delete", &delete, "delete the tag"),
		OPT_BOOL('l', "list", &list, "list tags (the default)"),
		OPT_BOOL(0, "json", &json, "print the tags as one JSON object"),
		OPT_END()
	};

	argc = parse_options(argc, argv, prefix, options, tag_usage, 0);
	if (!argc || list) {
		if (argc)
			usage_with_options(tag_usage, options);
		list_tags(ws, json);
		return 0;
	}
	if (argc > (delete ? 1 : 2) || (delete && json))
		usage_with_options(tag_usage, options);
	if (tag_name_check(argv[0]) < 0)
		die("invalid tag name '%s': use letters, digits, '.', '_' "
		    "and '-'", argv[0]);
	strbuf_addf(&ref, "refs/tags/%s", argv[0]);
	if (delete) {
		if (refs_update(ws->refs, ref.buf, NULL, NULL, 0, &err) < 0)
			die("%s", err.buf);
		strbuf_release(&ref);
		return 0;
	}
	if (porcelain_resolve(ws, NULL, argc > 1 ? argv[1] : "HEAD", &top,
			      &err) < 0)
		die("%s", err.buf);
	if (refs_update(ws->refs, ref.buf, &top, NULL,
			force ? 0 : REFS_OLD_ABSENT, &err) < 0)
		die("%s; pass -f to move it", err.buf);
	if (json) {
		struct json *arr = json_new_array(), *doc = json_new_object();

		json_array_append(arr, tag_json(argv[0], &top));
		json_set(doc, "tags", arr);
		json_print(doc);
	}
	strbuf_release(&err);
	strbuf_release(&ref);
	return 0;
}
