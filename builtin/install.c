#include "builtin.h"
#include "cache.h"
#include "checkout.h"
#include "fetch.h"
#include "parse-options.h"
#include "porcelain.h"
#include "push.h"
#include "registry.h"

static const char * const install_usage[] = {
	"quire install [<options>] <namespace>/<name>[:<tag>|@<hash>]",
	NULL
};

/* 'copy' is another name for install. */
static const char * const copy_usage[] = {
	"quire copy [<options>] <namespace>/<name>[:<tag>|@<hash>]",
	NULL
};

/* The workspace at dir itself (not a parent's), made when missing. */
static struct workspace *target(const char *dir, const char *name)
{
	struct strbuf err = STRBUF_INIT, q = STRBUF_INIT;
	struct workspace *ws = NULL;
	const char *have;
	char *abs;

	strbuf_addf(&q, "%s/.quire/objects", dir);
	if (access(q.buf, F_OK) &&
	    workspace_create(dir, name, &err) < 0)
		die("%s", err.buf);
	if (workspace_discover(dir, &ws, &err) < 0)
		die("%s", err.buf);
	abs = realpath(dir, NULL);
	if (!abs || strcmp(abs, ws->root))
		die("'%s' is inside the workspace '%s'; install into a folder "
		    "of its own", dir, ws->root);
	free(abs);
	have = workspace_package_name(ws);
	if (have && strcmp(have, name))
		die("'%s' holds package %s, not %s; install into another "
		    "folder", dir, have, name);
	if (!have && workspace_config_set(ws, "package.name", name, &err) < 0)
		die("%s", err.buf);
	strbuf_release(&err);
	strbuf_release(&q);
	return ws;
}

/* The workspace at dir itself, if there is one (NULL otherwise). */
static struct workspace *existing_workspace(const char *dir)
{
	struct strbuf err = STRBUF_INIT, q = STRBUF_INIT;
	struct workspace *ws = NULL;
	char *abs;

	strbuf_addf(&q, "%s/.quire/objects", dir);
	if (!access(q.buf, F_OK) && !workspace_discover(dir, &ws, &err)) {
		abs = realpath(dir, NULL);
		if (!abs || strcmp(abs, ws->root)) {
			workspace_free(ws);
			ws = NULL;
		}
		free(abs);
	}
	strbuf_release(&err);
	strbuf_release(&q);
	return ws;
}

int cmd_install(int argc, const char **argv, const char *prefix,
		struct workspace *unused)
{
	struct strbuf err = STRBUF_INIT, kept = STRBUF_INIT, what = STRBUF_INIT;
	struct checkout_opts opts = { 0 };
	struct checkout_stats stats = { 0 };
	struct package_rev rev;
	struct registry *reg;
	struct workspace *ws, *existing;
	struct object_id top;
	struct odb cache;
	const char *reg_arg = NULL, *to = NULL, *link = NULL;
	struct option options[] = {
		OPT_STRING(0, "registry", &reg_arg, "registry",
			   "where the package lives (a URL or folder)"),
		OPT_STRING(0, "to", &to, "dir",
			   "the folder to install into (default: ./<name>)"),
		OPT_STRING(0, "path", &opts.path_prefix, "prefix",
			   "only the entries below this logical prefix"),
		OPT_STRING(0, "link", &link, "type",
			   "copy (default), hardlink or reflink"),
		OPT_BOOL(0, "force", &opts.force,
			 "overwrite local changes, remove deleted files"),
		OPT__QUIET(&opts.quiet),
		OPT_END()
	};

	const char * const *usage = strcmp(argv[0], "copy") ? install_usage :
				    copy_usage;

	argc = parse_options(argc, argv, prefix, options, usage, 0);
	if (argc != 1)
		usage_with_options(usage, options);
	if (package_rev_parse(&rev, argv[0], &err) < 0)
		die("%s", err.buf);
	if (!to)
		to = strchr(rev.name, '/') + 1;
	if (link && link_type_parse(link, &opts.link) < 0)
		die("unknown link type '%s': use copy, hardlink or reflink",
		    link);
	/*
	 * Find the package before making anything: a failed install leaves
	 * no workspace behind. An existing one's remotes count.
	 */
	existing = existing_workspace(to);
	if (porcelain_registry(existing, reg_arg, 0, &reg, &err) < 0 ||
	    registry_resolve(reg, &rev, &top, &err) < 0)
		die("%s", err.buf);
	workspace_free(existing);
	ws = target(to, rev.name);
	if (!link && (link = config_get(&ws->config, "install.link")) &&
	    link_type_parse(link, &opts.link) < 0)
		die("unknown link type '%s' in install.link: use copy, "
		    "hardlink or reflink", link);
	if (fetch_manifest(&ws->odb, reg, &top, &err) < 0 ||
	    cache_odb(&cache, &err) < 0)
		die("%s", err.buf);
	strbuf_addf(&what, "install %s@%s", rev.name, oid_to_hex(&top));
	opts.what = what.buf;
	begin_index_write(ws);
	if (checkout_version(ws, &top, &cache, &opts, &stats, &kept,
			     &err) < 0 ||
	    push_base_set(ws, reg, rev.name, &top, &err) < 0)
		die("%s", err.buf);
	commit_index_write(ws);
	if (!opts.quiet) {
		fprintf(stderr, "installed %s@%s into %s: %" PRIu64 " entr%s, "
			"%" PRIu64 " written, %" PRIu64 " fetched, %" PRIu64
			" unchanged\n", rev.name, short_hash(&top), ws->root,
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
	odb_release(&cache);
	registry_free(reg);
	workspace_free(ws);
	package_rev_release(&rev);
	strbuf_release(&err);
	strbuf_release(&kept);
	strbuf_release(&what);
	return 0;
}
