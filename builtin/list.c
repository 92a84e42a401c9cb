#include "builtin.h"
#include "json-out.h"
#include "parse-options.h"
#include "porcelain.h"
#include "registry.h"

static const char * const list_usage[] = {
	"quire list [--json] [[-r] <registry>]",
	NULL
};

struct lister {
	struct registry *reg;
	struct strbuf err;
	int json;
	struct json_list list;
};

static int show(const char *name, void *p)
{
	struct lister *l = p;
	struct object_id top;

	int have = !registry_read_latest(l->reg, name, &top, &l->err);
	struct json *j;

	if (l->json) {
		j = json_new_object();
		json_set(j, "name", json_str(name));
		json_set(j, "top_hash", json_top_hash(have ? &top : NULL));
		json_list_add(&l->list, j);
	} else {
		printf("%s\t%s\n", name, have ? oid_to_hex(&top) : "-");
	}
	strbuf_reset(&l->err);
	return 0;
}

int cmd_list(int argc, const char **argv, const char *prefix,
	     struct workspace *ws)
{
	struct lister l = { NULL, STRBUF_INIT, 0, { 0 } };
	const char *reg = NULL;
	struct json *head;
	struct option options[] = {
		OPT__REGISTRY(&reg),
		OPT_BOOL(0, "json", &l.json,
			 "one JSON object holding the packages"),
		OPT_END()
	};

	argc = parse_options(argc, argv, prefix, options, list_usage, 0);
	if (argc > !reg)
		usage_with_options(list_usage, options);
	if (argc)
		reg = argv[0];
	if (porcelain_registry(ws, reg, 0, &l.reg,
			       &l.err) < 0)
		die("%s", l.err.buf);
	if (l.json) {
		head = json_new_object();
		json_set(head, "registry", json_url(registry_url(l.reg)));
		json_list_begin(&l.list, head, "packages");
	}
	if (registry_for_each_package(l.reg, show, &l, &l.err) < 0)
		die("%s", l.err.buf);
	if (l.json)
		json_list_end(&l.list, NULL);
	registry_free(l.reg);
	strbuf_release(&l.err);
	return 0;
}
