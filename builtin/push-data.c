#include "builtin.h"
#include "json-out.h"
#include "parse-options.h"
#include "porcelain.h"
#include "push.h"

static const char * const push_data_usage[] = {
	"quire push-data [-q] [--json] [--prefix <prefix>] "
	"[--local-files-only] "
	"[-r <registry>]",
	NULL
};

int cmd_push_data(int argc, const char **argv, const char *prefix,
		  struct workspace *ws)
{
	struct strbuf err = STRBUF_INIT, url = STRBUF_INIT;
	struct push_request rq = { 0 };
	struct push_stats stats = { 0 };
	struct object_id top;
	int json = 0;
	struct option options[] = {
		OPT__REGISTRY(&rq.registry),
		OPT_STRING(0, "prefix", &rq.data_prefix, "prefix",
			   "where the data goes (default: <ns>/<name>/)"),
		OPT_BOOL(0, "local-files-only", &rq.local_files_only,
			 "copy only local files; leave S3 objects where they "
			 "are"),
		OPT_BOOL(0, "json", &json, "print one JSON object"),
		OPT__QUIET(&rq.quiet),
		OPT__PROGRESS(),
		OPT_END()
	};

	argc = parse_options(argc, argv, prefix, options, push_data_usage, 0);
	if (argc > !rq.registry)
		usage_with_options(push_data_usage, options);
	if (argc)
		rq.registry = argv[0];
	rq.with_data = 1;
	if (push_run(ws, &rq, &top, &stats, &url, &err) < 0)
		die("%s", err.buf);
	if (!rq.quiet)
		fprintf(stderr, "%" PRIu64 " object%s copied to %s (%" PRIu64
			" bytes), %" PRIu64 " already there\n", stats.uploaded,
			stats.uploaded == 1 ? "" : "s", url.buf, stats.bytes,
			stats.reused);
	if (json)
		json_print_push(rq.name ? rq.name : workspace_package_name(ws),
				NULL, url.buf, stats.uploaded, stats.reused,
				stats.bytes);
	strbuf_release(&err);
	strbuf_release(&url);
	return 0;
}
