#include "builtin.h"
#include "json-out.h"
#include "parse-options.h"
#include "porcelain.h"
#include "push.h"

static const char * const push_usage[] = {
	"quire push [<options>] [-r <registry>] [<ns>/<name>]",
	NULL
};

int cmd_push(int argc, const char **argv, const char *prefix,
	     struct workspace *ws)
{
	struct strbuf err = STRBUF_INIT, url = STRBUF_INIT;
	struct push_request rq = { 0 };
	struct push_stats stats = { 0 };
	struct object_id top;
	int json = 0;
	struct option options[] = {
		OPT__REGISTRY(&rq.registry),
		OPT_PUSH_MANIFEST(&rq),
		OPT_STRING(0, "prefix", &rq.data_prefix, "prefix",
			   "where the data goes (default: <ns>/<name>/)"),
		OPT_BOOL(0, "json", &json, "print one JSON object"),
		OPT__QUIET(&rq.quiet),
		OPT__PROGRESS(),
		OPT_END()
	};

	argc = parse_options(argc, argv, prefix, options, push_usage, 0);
	if (argc > (rq.registry ? 1 : 2))
		usage_with_options(push_usage, options);
	if (rq.registry)
		rq.name = argc ? argv[0] : NULL;
	else
		porcelain_registry_and_name(ws, argc, argv, &rq.registry,
					    &rq.name);
	rq.with_data = rq.with_manifest = 1;
	if (push_run(ws, &rq, &top, &stats, &url, &err) < 0)
		die("%s", err.buf);
	if (!rq.quiet)
		fprintf(stderr, "pushed %s@%s to %s: %" PRIu64 " object%s "
			"copied, %" PRIu64 " already there\n", rq.name ?
			rq.name : workspace_package_name(ws), short_hash(&top),
			url.buf, stats.uploaded, stats.uploaded == 1 ? "" : "s",
			stats.reused);
	if (json)
		json_print_push(rq.name ? rq.name : workspace_package_name(ws),
				&top, url.buf, stats.uploaded, stats.reused,
				stats.bytes);
	else
		printf("%s\n", oid_to_hex(&top));
	strbuf_release(&err);
	strbuf_release(&url);
	return 0;
}
