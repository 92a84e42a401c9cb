#include "builtin.h"
#include "parse-options.h"
#include "porcelain.h"
#include "registry.h"

static const char * const list_usage[] = {
	"quire list [[-r] <registry>]",
	NULL
};

struct lister {
	struct registry *reg;
	struct strbuf err;
};

static int show(const char *name, void *p)
{
	struct lister *l = p;
	struct object_id top;

	if (!registry_read_latest(l->reg, name, &top, &l->err))
		printf("%s\t%s\n", name, oid_to_hex(&top));
	else
		printf("%s\t-\n", name);
	strbuf_reset(&l->err);
	return 0;
}

int cmd_list(int argc, const char **argv, const char *prefix,
	     struct workspace *ws)
{
	struct lister l = { NULL, STRBUF_INIT };
	const char *reg = NULL;
	struct option options[] = {
		OPT__REGISTRY(&reg),
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
	if (registry_for_each_package(l.reg, show, &l, &l.err) < 0)
		die("%s", l.err.buf);
	registry_free(l.reg);
	strbuf_release(&l.err);
	return 0;
}
