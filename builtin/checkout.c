#include "builtin.h"
#include "cache.h"
#include "checkout.h"
#include "parse-options.h"
#include "porcelain.h"
#include "push.h"
#include "registry.h"

static const char * const checkout_usage[] = {
	"quire checkout [<options>] [<revision>]",
	NULL
};

int cmd_checkout(int argc, const char **argv, const char *prefix,
		 struct workspace *ws)
{
	struct strbuf err = STRBUF_INIT, kept = STRBUF_INIT, what = STRBUF_INIT;
	struct checkout_opts opts = { 0 };
	struct checkout_stats stats = { 0 };
	struct object_id top;
	struct odb cache;
	const char *link = NULL, *rev;
	struct version_origin origin = { 0 };
	FILE *fp;
	struct option options[] = {
		OPT_BOOL(0, "force", &opts.force,
			 "overwrite local changes, remove files not in it"),
		OPT_STRING(0, "link", &link, "type",
			   "copy (default), hardlink or reflink"),
		OPT_BOOL(0, "allow-local-files", &opts.allow_local_files,
			 "read entries from files on this machine outside "
			 "the registry"),
		OPT__QUIET(&opts.quiet),
		OPT__PROGRESS(),
		OPT_END()
	};

	argc = parse_options(argc, argv, prefix, options, checkout_usage, 0);
	if (argc > 1)
		usage_with_options(checkout_usage, options);
	rev = argc ? argv[0] : "HEAD";
	if (!link)
		link = config_get(&ws->config, "install.link");
	if (link && link_type_parse(link, &opts.link) < 0)
		die("unknown link type '%s': use copy, hardlink or reflink",
		    link);
	if (porcelain_open_version_origin(ws, NULL, rev, &top, &fp, &origin,
					  &err) < 0 ||
	    cache_odb(&cache, &err) < 0)
		die("%s", err.buf);
	fclose(fp);
	opts.from_registry = origin.from_registry;
	opts.local_root = origin.local_root;
	strbuf_addf(&what, "checkout %s", rev);
	opts.what = what.buf;
	begin_index_write(ws);
	if (checkout_version(ws, &top, &cache, &opts, &stats, &kept,
			     &err) < 0)
		die("%s", err.buf);
	if (package_rev_like(rev)) {
		/* a registry's version: pushes build on it */
		struct package_rev prev;
		struct registry *reg;

		if (package_rev_parse(&prev, rev, &err) < 0 ||
		    porcelain_registry(ws, NULL, 0, &reg, &err) < 0 ||
		    push_base_set(ws, reg, prev.name, &top, &err) < 0)
			die("%s", err.buf);
		registry_free(reg);
		package_rev_release(&prev);
	}
	commit_index_write(ws);
	if (checkout_move_head(ws, &top, opts.what, &err) < 0)
		die("%s", err.buf);
	if (!opts.quiet)
		fprintf(stderr, "checked out %s: %" PRIu64 " written, %" PRIu64
			" unchanged, %" PRIu64 " removed\n", short_hash(&top),
			stats.placed, stats.unchanged, stats.removed);
	if (kept.len)
		fprintf(stderr, "these files are not in that version and were "
			"kept (--force removes them):\n%s", kept.buf);
	odb_release(&cache);
	version_origin_release(&origin);
	strbuf_release(&err);
	strbuf_release(&kept);
	strbuf_release(&what);
	return 0;
}
