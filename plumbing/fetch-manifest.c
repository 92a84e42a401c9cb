#include "builtin.h"
#include "parse-options.h"
#include "porcelain.h"

static const char * const fetch_manifest_usage[] = {
	"quire fetch-manifest [--registry <r>] <ns>/<name>[:<tag>|@<hash>]",
	NULL
};

int cmd_fetch_manifest(int argc, const char **argv, const char *prefix,
		       struct workspace *ws)
{
	struct strbuf err = STRBUF_INIT;
	struct object_id top;
	const char *reg = NULL;
	struct option options[] = {
		OPT__REGISTRY(&reg),
		OPT_END()
	};

	argc = parse_options(argc, argv, prefix, options,
			     fetch_manifest_usage, 0);
	if (argc != 1)
		usage_with_options(fetch_manifest_usage, options);
	if (porcelain_resolve(ws, reg, argv[0], &top, &err) < 0)
		die("%s", err.buf);
	printf("%s\n", oid_to_hex(&top));
	strbuf_release(&err);
	return 0;
}
