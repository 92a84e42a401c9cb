#include "builtin.h"
#include "parse-options.h"
#include "porcelain.h"
#include "registry.h"
#include "rev-url.h"

static const char * const rollback_usage[] = {
	"quire rollback [-r <registry>] <revision>",
	"quire rollback [-r <registry>] <namespace>/<name> <hash>",
	NULL
};

static int is_version(uint64_t t, const struct object_id *v, void *p)
{
	return oideq(v, p) ? 1 : 0;
}

/*
 * The package and version rev names: a package revision (ns/name,
 * ns/name:tag, ns/name@hash) resolved in the registry, or in a workspace
 * a local one (a top hash or prefix, a tag, HEAD) of its package.
 */
static void resolve(struct workspace *ws, struct registry *reg,
		    const char *reg_arg, const char *rev, char **name,
		    struct object_id *top)
{
	struct strbuf err = STRBUF_INIT;
	struct package_rev prev;

	if (package_rev_like(rev)) {
		if (package_rev_parse(&prev, rev, &err) < 0 ||
		    registry_resolve(reg, &prev, top, &err) < 0)
			die("%s", err.buf);
		*name = xstrdup(prev.name);
		package_rev_release(&prev);
	} else if (ws) {
		*name = xstrdup(need_package_name(ws));
		if (porcelain_resolve(ws, reg_arg, rev, top, &err) < 0)
			die("%s", err.buf);
	} else {
		die("'%s' names no package; write <namespace>/<name>@<hash> "
		    "or <namespace>/<name>:<tag>, or run it in the package's "
		    "workspace", rev);
	}
	strbuf_release(&err);
}

int cmd_rollback(int argc, const char **argv, const char *prefix,
		 struct workspace *ws)
{
	struct strbuf err = STRBUF_INIT, rev = STRBUF_INIT;
	struct registry *reg;
	char *name;
	struct object_id top, cur, actual;
	const char *reg_arg = NULL;
	struct rev_url u;
	int ret;
	struct option options[] = {
		OPT__REGISTRY(&reg_arg),
		OPT_END()
	};

	argc = parse_options(argc, argv, prefix, options, rollback_usage, 0);
	if (argc != 1 && argc != 2)
		usage_with_options(rollback_usage, options);
	if (argc == 2)
		strbuf_addf(&rev, "%s@%s", argv[0], argv[1]);
	else
		strbuf_addstr(&rev, argv[0]);
	/* the revision may name its registry: that one's latest moves */
	if (porcelain_rev_url(reg_arg, rev.buf, &u, &err) < 0 ||
	    porcelain_registry(ws, u.registry, 0, &reg, &err) < 0)
		die("%s", err.buf);
	resolve(ws, reg, u.registry, u.rev, &name, &top);
	ret = registry_read_latest(reg, name, &cur, &err);
	if (ret == QERR_NOTFOUND)
		die("no package %s in %s", name, registry_url(reg));
	if (ret)
		die("%s", err.buf);
	if (registry_for_each_version(reg, name, is_version, &top,
				      &err) != 1)
		die("%s is not a version of %s in %s; 'quire log %s' lists "
		    "them", oid_to_hex(&top), name, registry_url(reg),
		    name);
	if (oideq(&cur, &top)) {
		fprintf(stderr, "latest of %s is already %s\n", name,
			short_hash(&top));
	} else {
		ret = registry_set_latest(reg, name, &top, &cur, &actual,
					  &err);
		if (ret == QERR_STALE)
			die("'latest' of %s moved to %s meanwhile; run again",
			    name, oid_to_hex(&actual));
		if (ret)
			die("%s", err.buf);
		fprintf(stderr, "latest of %s: %s -> %s\n", name,
			short_hash(&cur), short_hash(&top));
	}
	printf("%s\n", oid_to_hex(&top));
	registry_free(reg);
	rev_url_release(&u);
	free(name);
	strbuf_release(&err);
	strbuf_release(&rev);
	return 0;
}
