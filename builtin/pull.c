#include "builtin.h"
#include "install.h"
#include "parse-options.h"
#include "push.h"
#include "refs/refs.h"
#include "registry.h"

static const char * const pull_usage[] = {
	"quire pull [<options>] [-r <registry>]",
	NULL
};

/*
 * Refuse to drop versions committed here and not pushed: HEAD must be
 * the version the workspace last installed or pushed in that registry
 * (or there is no HEAD yet).
 */
static void check_unpushed(struct workspace *ws, const char *reg_arg,
			   const char *name)
{
	struct strbuf err = STRBUF_INIT;
	struct registry *reg;
	struct object_id head, base;

	if (refs_read(ws->refs, "HEAD", &head) < 0)
		return;
	if (porcelain_registry(ws, reg_arg, 0, &reg, &err) < 0)
		die("%s", err.buf);
	open_index(ws);
	if (push_base_get(ws, reg, name, &base) || !oideq(&base, &head))
		die("HEAD (%s) is a version of %s not in %s; push it, or "
		    "'quire merge %s' to build on the latest, or pull --force "
		    "to leave it behind", short_hash(&head), name,
		    registry_url(reg), name);
	registry_free(reg);
	strbuf_release(&err);
}

int cmd_pull(int argc, const char **argv, const char *prefix,
	     struct workspace *ws)
{
	struct strbuf err = STRBUF_INIT, kept = STRBUF_INIT;
	struct install_request rq = { 0 };
	struct checkout_stats stats = { 0 };
	struct workspace *to;
	struct object_id top, head;
	int had_head;
	struct option options[] = {
		OPT__REGISTRY(&rq.registry),
		OPT_BOOL(0, "force", &rq.opts.force,
			 "overwrite local changes and unpushed versions"),
		OPT__QUIET(&rq.opts.quiet),
		OPT__PROGRESS(),
		OPT_END()
	};

	argc = parse_options(argc, argv, prefix, options, pull_usage, 0);
	if (argc)
		usage_with_options(pull_usage, options);
	rq.rev = workspace_package_name(ws);
	if (!rq.rev)
		die("this workspace has no package name; run 'quire config "
		    "package.name ns/name' first");
	if (!rq.opts.force)
		check_unpushed(ws, rq.registry, rq.rev);
	had_head = !refs_read(ws->refs, "HEAD", &head);
	rq.to = ws->root;
	if (install_package(&rq, &to, &top, &stats, &kept, &err) < 0)
		die("%s", err.buf);
	if (!rq.opts.quiet && had_head && oideq(&head, &top))
		fprintf(stderr, "already up to date: %s@%s\n", rq.rev,
			short_hash(&top));
	else if (!rq.opts.quiet)
		fprintf(stderr, "pulled %s@%s into %s: %" PRIu64 " written, "
			"%" PRIu64 " fetched, %" PRIu64 " unchanged, %" PRIu64
			" removed\n", rq.rev, short_hash(&top), to->root,
			stats.placed, stats.fetched, stats.unchanged,
			stats.removed);
	if (kept.len)
		fprintf(stderr, "these files are no longer in the package and "
			"were kept (--force removes them):\n%s", kept.buf);
	printf("%s\n", oid_to_hex(&top));
	workspace_free(to);
	strbuf_release(&err);
	strbuf_release(&kept);
	return 0;
}
