#include "builtin.h"
#include "merge.h"
#include "parse-options.h"
#include "porcelain.h"

static const char * const merge_usage[] = {
	"quire merge [<options>] <revision>",
	NULL
};

int cmd_merge(int argc, const char **argv, const char *prefix,
	      struct workspace *ws)
{
	struct strbuf err = STRBUF_INIT;
	struct merge_opts o = { 0 };
	struct merge_result res;
	struct option options[] = {
		OPT_BOOL(0, "overwrite", &o.overwrite,
			 "replace staged entries with the same keys"),
		OPT_STRING(0, "prefix", &o.prefix, "prefix",
			   "put the entries below this logical prefix"),
		OPT__REGISTRY(&o.registry),
		OPT__PROGRESS(),
		OPT_END()
	};

	argc = parse_options(argc, argv, prefix, options, merge_usage, 0);
	if (argc != 1)
		usage_with_options(merge_usage, options);
	o.progress = 1;
	if (package_merge(ws, argv[0], &o, &res, &err) < 0)
		die("%s", err.buf);
	fprintf(stderr, "merged %zu entr%s from %s (nothing copied)\n",
		res.merged, res.merged == 1 ? "y" : "ies", argv[0]);
	strbuf_release(&err);
	return 0;
}
