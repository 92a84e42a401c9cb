#include "builtin.h"
#include "fsck.h"
#include "parse-options.h"
#include "porcelain.h"
#include "registry.h"

static const char * const fsck_usage[] = {
	"quire fsck [-q] [--full] [--registry <registry>]",
	NULL
};

static void report(const char *kind, const char *detail, void *payload)
{
	progress_clear(payload);
	printf("%s: %s\n", kind, detail);
}

int cmd_fsck(int argc, const char **argv, const char *prefix,
	     struct workspace *ws)
{
	struct strbuf err = STRBUF_INIT;
	struct fsck_opts opts = { 0 };
	struct fsck_stats st = { 0 };
	struct registry *reg = NULL;
	const char *registry = NULL;
	int quiet = 0;
	struct option options[] = {
		OPT__REGISTRY(&registry),
		OPT_BOOL(0, "full", &opts.full,
			 "also download and hash every object"),
		OPT__QUIET(&quiet),
		OPT__PROGRESS(),
		OPT_END()
	};

	argc = parse_options(argc, argv, prefix, options, fsck_usage, 0);
	if (argc)
		usage_with_options(fsck_usage, options);
	if (porcelain_registry(ws, registry, 0, &reg, &err) < 0)
		die("%s", err.buf);
	opts.progress = progress_start("Checking objects", 0,
				       quiet ? PROGRESS_QUIET : 0);
	if (fsck_registry(reg, &opts, report, opts.progress, &st, &err) < 0)
		die("%s", err.buf);
	progress_stop(&opts.progress);
	if (!quiet)
		fprintf(stderr, "checked %s: %" PRIu64 " manifest%s, %" PRIu64
			" pointer%s and tag%s, %" PRIu64 " object%s%s; %" PRIu64
			" problem%s\n", registry_url(reg), st.manifests,
			st.manifests == 1 ? "" : "s", st.pointers + st.tags,
			st.pointers + st.tags == 1 ? "" : "s",
			st.pointers + st.tags == 1 ? "" : "s", st.objects,
			st.objects == 1 ? "" : "s",
			opts.full ? " (hashed)" : "",
			st.problems, st.problems == 1 ? "" : "s");
	registry_free(reg);
	strbuf_release(&err);
	return st.problems ? 1 : 0;
}
