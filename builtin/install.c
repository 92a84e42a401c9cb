#include "builtin.h"
#include "install.h"
#include "parse-options.h"

static const char * const install_usage[] = {
	"quire install [<options>] <namespace>/<name>[:<tag>|@<hash>]",
	NULL
};

/* 'copy' is another name for install. */
static const char * const copy_usage[] = {
	"quire copy [<options>] <namespace>/<name>[:<tag>|@<hash>]",
	NULL
};

int cmd_install(int argc, const char **argv, const char *prefix,
		struct workspace *unused)
{
	struct strbuf err = STRBUF_INIT, kept = STRBUF_INIT;
	struct install_request rq = { 0 };
	struct checkout_opts *opts = &rq.opts;
	struct checkout_stats stats = { 0 };
	struct workspace *ws;
	struct object_id top;
	struct option options[] = {
		OPT__REGISTRY(&rq.registry),
		OPT_STRING(0, "to", &rq.to, "dir",
			   "the folder to install into (default: ./<name>)"),
		OPT_STRING(0, "path", &opts->path_prefix, "prefix",
			   "only the entries below this logical prefix"),
		OPT_STRING(0, "link", &rq.link, "type",
			   "copy (default), hardlink or reflink"),
		OPT_BOOL(0, "force", &opts->force,
			 "overwrite local changes, remove deleted files"),
		OPT_BOOL(0, "allow-local-files", &opts->allow_local_files,
			 "read entries from files on this machine outside "
			 "the registry"),
		OPT__QUIET(&opts->quiet),
		OPT__PROGRESS(),
		OPT_END()
	};
	const char * const *usage = strcmp(argv[0], "copy") ? install_usage :
				    copy_usage;

	argc = parse_options(argc, argv, prefix, options, usage, 0);
	if (argc != 1)
		usage_with_options(usage, options);
	rq.rev = argv[0];
	if (install_package(&rq, &ws, &top, &stats, &kept, &err) < 0)
		die("%s", err.buf);
	if (!opts->quiet) {
		fprintf(stderr, "installed %s@%s into %s: %" PRIu64 " entr%s, "
			"%" PRIu64 " written, %" PRIu64 " fetched, %" PRIu64
			" unchanged\n", workspace_package_name(ws),
			short_hash(&top), ws->root,
			stats.entries, stats.entries == 1 ? "y" : "ies",
			stats.placed, stats.fetched, stats.unchanged);
		if (stats.removed)
			fprintf(stderr, "removed %" PRIu64 " file%s no longer "
				"in the package\n", stats.removed,
				stats.removed == 1 ? "" : "s");
	}
	if (kept.len)
		fprintf(stderr, "these files are no longer in the package and "
			"were kept (--force removes them):\n%s", kept.buf);
	printf("%s\n", oid_to_hex(&top));
	workspace_free(ws);
	strbuf_release(&err);
	strbuf_release(&kept);
	return 0;
}
