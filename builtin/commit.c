#include "builtin.h"
#include "json.h"
#include "package.h"
#include "parse-options.h"
#include "porcelain.h"
#include "provenance.h"
#include "refs/refs.h"
#include "stage.h"

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

static void report_missing(const char *key, const char *path,
			   enum stage_change what, void *payload)
{
	struct strbuf *missing = payload;

	if (what == STAGE_MISSING)
		strbuf_addf(missing, "\n\t%s (%s)", key, path);
}

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

/*
 * Change the staged package metadata: user (if not NULL) becomes its
 * "user_meta"; prov (if not NULL) replaces its "provenance", which
 * drop_prov removes. Both are consumed.
 */
static void stage_package_meta(struct workspace *ws, struct json *user,
			       struct json *prov, int drop_prov)
{
	struct strbuf err = STRBUF_INIT;
	struct json *meta;

	if (!user && !prov && !drop_prov)
		return;
	if (package_meta_load(ws, &meta, &err) < 0)
		die("%s", err.buf);
	if (user)
		json_object_set(meta, "user_meta", 9, user);
	if (prov)
		json_object_set(meta, "provenance", 10, prov);
	else if (drop_prov)
		json_object_remove(meta, "provenance");
	if (package_meta_store(ws, meta, &err) < 0)
		die("%s", err.buf);
	json_free(meta);
	strbuf_release(&err);
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
	struct strbuf err = STRBUF_INIT, missing = STRBUF_INIT;
	struct stage_stats stats = { 0 };
	struct object_id top, old;
	const char *message = NULL, *meta_arg = NULL;
	struct provenance_opts popts = PROVENANCE_OPTS_INIT;
	const char * const *usage = commit_usage;
	struct json *user = NULL, *prov;
	uint64_t entries = 0;
	int quiet = 0, have_old, no_prov = 0;
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
	begin_index_write(ws);
	if (stage_refresh(ws, NULL, report_missing, &missing, &stats,
			  &err) < 0)
		die("%s", err.buf);
	if (missing.len)
		die("files of these entries are missing; restore them or "
		    "'quire rm' the entries:%s", missing.buf);
	stage_package_meta(ws, user, prov, no_prov);
	if (package_build(ws, message, PACKAGE_BUILD_MESSAGE |
			  (quiet ? 0 : PACKAGE_BUILD_PROGRESS), &top, &entries,
			  &err) < 0)
		die("%s", err.buf);
	have_old = !refs_read(ws->refs, "HEAD", &old);
	/*
	 * The index first: it is the write most likely to fail (a full
	 * disk), and HEAD must not move to a version the index then fails
	 * to record. Should moving HEAD fail after it, the index holds what
	 * it held, refreshed; its "equals HEAD" marker names a version HEAD
	 * is not at, which only makes status compare in full.
	 */
	if (idx_clean_set(ws->idx, &top, &err) < 0)
		die("%s", err.buf);
	commit_index_write(ws);
	if (!have_old || !oideq(&old, &top)) {
		if (refs_update(ws->refs, "HEAD", &top, have_old ? &old : NULL,
				have_old ? 0 : REFS_OLD_ABSENT, &err) < 0)
			die("cannot move HEAD: %s", err.buf);
		if (package_log_append(ws, have_old ? &old : NULL, &top,
				       message ? message : "", &err) < 0)
			warning("%s", err.buf);
	}
	if (!quiet)
		fprintf(stderr, "%s %" PRIu64 " entr%s, %" PRIu64 " file%s "
			"hashed\n", have_old && oideq(&old, &top) ?
			"nothing changed:" : "committed", entries,
			entries == 1 ? "y" : "ies", stats.hashed,
			stats.hashed == 1 ? "" : "s");
	printf("%s\n", oid_to_hex(&top));
	provenance_opts_release(&popts);
	strbuf_release(&err);
	strbuf_release(&missing);
	return 0;
}
