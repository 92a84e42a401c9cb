#include "builtin.h"
#include "commit.h"
#include "json.h"
#include "parse-options.h"
#include "porcelain.h"
#include "provenance.h"

static const char * const commit_usage[] = {
	"quire commit [-q] [-m <message>] [--meta <json>] "
	"[<provenance-options>]",
	NULL
};

/* 'build-manifest' is another name for commit, as quilt's users say it. */
static const char * const build_manifest_usage[] = {
	"quire build-manifest [-q] [-m <message>] [--meta <json>] "
	"[<provenance-options>]",
	NULL
};

static struct json *parse_meta(const char *arg)
{
	struct strbuf err = STRBUF_INIT;
	struct json *user;

	if (json_parse(arg, strlen(arg), &user, &err) < 0)
		die("--meta is not valid JSON: %s", err.buf);
	if (user->type != JSON_OBJECT)
		die("--meta must be a JSON object, like '{\"key\": 1}'");
	strbuf_release(&err);
	return user;
}

/* The provenance the options describe, or NULL when none were given. */
static struct json *build_provenance(struct workspace *ws,
				     const struct provenance_opts *o,
				     int drop_prov)
{
	struct strbuf err = STRBUF_INIT;
	struct json *prov = NULL;

	if (!provenance_opts_given(o))
		return NULL;
	if (drop_prov)
		die("--no-provenance cannot go with other provenance "
		    "options; give one or the other");
	if (provenance_build(ws, o, &prov, &err) < 0)
		die("%s", err.buf);
	strbuf_release(&err);
	return prov;
}

int cmd_commit(int argc, const char **argv, const char *prefix,
	       struct workspace *ws)
{
	struct strbuf err = STRBUF_INIT;
	struct package_commit_result res;
	const char *message = NULL, *meta_arg = NULL;
	struct provenance_opts popts = PROVENANCE_OPTS_INIT;
	const char * const *usage = commit_usage;
	struct json *user = NULL, *prov;
	int quiet = 0, no_prov = 0;
	struct option options[] = {
		OPT_STRING('m', "message", &message, "message",
			   "what this version is"),
		OPT_STRING(0, "meta", &meta_arg, "json",
			   "the package's user metadata"),
		OPT__QUIET(&quiet),
		OPT__PROGRESS(),
		OPT_PROVENANCE(&popts),
		OPT_BOOL(0, "no-provenance", &no_prov,
			 "drop the staged provenance"),
		OPT_END()
	};

	if (!strcmp(argv[0], "build-manifest"))
		usage = build_manifest_usage;
	argc = parse_options(argc, argv, prefix, options, usage, 0);
	if (argc)
		usage_with_options(usage, options);
	if (meta_arg)
		user = parse_meta(meta_arg);
	/* before the index is locked: this may hash and go to registries */
	prov = build_provenance(ws, &popts, no_prov);
	if (package_commit(ws, message, user, prov,
			   (quiet ? 0 : PACKAGE_COMMIT_PROGRESS) |
			   (no_prov ? PACKAGE_COMMIT_DROP_PROVENANCE : 0),
			   &res, &err) < 0)
		die("%s", err.buf);
	if (!quiet)
		fprintf(stderr, "%s %" PRIu64 " entr%s, %" PRIu64 " file%s "
			"hashed\n",
			res.unchanged ? "nothing changed:" : "committed",
			res.entries, res.entries == 1 ? "y" : "ies", res.hashed,
			res.hashed == 1 ? "" : "s");
	printf("%s\n", oid_to_hex(&res.top));
	provenance_opts_release(&popts);
	strbuf_release(&err);
	return 0;
}
