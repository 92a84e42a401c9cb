#include "builtin.h"
#include "parse-options.h"
#include "stage.h"

static const char * const add_usage[] = {
	"quire add [-q] (<path> | s3://<bucket>/<key>) [<logical-prefix>]",
	NULL
};

int cmd_add(int argc, const char **argv, const char *prefix,
	    struct workspace *ws)
{
	struct strbuf err = STRBUF_INIT;
	struct stage_stats stats = { 0 };
	int quiet = 0, ret;
	struct option options[] = {
		OPT__QUIET(&quiet),
		OPT_END()
	};

	argc = parse_options(argc, argv, prefix, options, add_usage, 0);
	if (argc < 1 || argc > 2)
		usage_with_options(add_usage, options);
	begin_index_write(ws);
	if (!strncmp(argv[0], "s3://", 5))
		ret = stage_add_remote(ws, argv[0], argc > 1 ? argv[1] : NULL,
				       &stats, &err);
	else
		ret = stage_add(ws, argv[0], argc > 1 ? argv[1] : NULL,
				&stats, &err);
	if (ret < 0)
		die("%s", err.buf);
	commit_index_write(ws);
	if (!quiet)
		fprintf(stderr, "staged %" PRIu64 " file%s from '%s'\n",
			stats.added, stats.added == 1 ? "" : "s", argv[0]);
	strbuf_release(&err);
	return 0;
}
