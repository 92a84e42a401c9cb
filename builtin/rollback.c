#include "builtin.h"
#include "parse-options.h"
#include "porcelain.h"
#include "registry.h"

static const char * const rollback_usage[] = {
	"quire rollback [--registry <registry>] <namespace>/<name> <hash>",
	NULL
};

static int is_version(uint64_t t, const struct object_id *v, void *p)
{
	return oideq(v, p) ? 1 : 0;
}

int cmd_rollback(int argc, const char **argv, const char *prefix,
		 struct workspace *ws)
{
	struct strbuf err = STRBUF_INIT, rev = STRBUF_INIT;
	struct package_rev prev;
	struct registry *reg;
	struct object_id top, cur, actual;
	const char *reg_arg = NULL;
	int ret;
	struct option options[] = {
		OPT__REGISTRY(&reg_arg),
		OPT_END()
	};

	argc = parse_options(argc, argv, prefix, options, rollback_usage, 0);
	if (argc != 2)
		usage_with_options(rollback_usage, options);
	strbuf_addf(&rev, "%s@%s", argv[0], argv[1]);
	if (package_rev_parse(&prev, rev.buf, &err) < 0 ||
	    porcelain_registry(ws, reg_arg, 0, &reg, &err) < 0 ||
	    registry_resolve(reg, &prev, &top, &err) < 0)
		die("%s", err.buf);
	ret = registry_read_latest(reg, prev.name, &cur, &err);
	if (ret == QERR_NOTFOUND)
		die("no package %s in %s", prev.name, registry_url(reg));
	if (ret)
		die("%s", err.buf);
	if (registry_for_each_version(reg, prev.name, is_version, &top,
				      &err) != 1)
		die("%s is not a version of %s in %s; 'quire log %s' lists "
		    "them", oid_to_hex(&top), prev.name, registry_url(reg),
		    prev.name);
	if (oideq(&cur, &top)) {
		fprintf(stderr, "latest of %s is already %s\n", prev.name,
			short_hash(&top));
	} else {
		ret = registry_set_latest(reg, prev.name, &top, &cur, &actual,
					  &err);
		if (ret == QERR_STALE)
			die("'latest' of %s moved to %s meanwhile; run again",
			    prev.name, oid_to_hex(&actual));
		if (ret)
			die("%s", err.buf);
		fprintf(stderr, "latest of %s: %s -> %s\n", prev.name,
			short_hash(&cur), short_hash(&top));
	}
	printf("%s\n", oid_to_hex(&top));
	registry_free(reg);
	package_rev_release(&prev);
	strbuf_release(&err);
	strbuf_release(&rev);
	return 0;
}
