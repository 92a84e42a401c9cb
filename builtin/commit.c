#include "builtin.h"
#include "json.h"
#include "package.h"
#include "parse-options.h"
#include "porcelain.h"
#include "refs/refs.h"
#include "stage.h"

static const char * const commit_usage[] = {
	"quire commit [-q] [-m <message>] [--meta <json>]",
	NULL
};

static void report_missing(const char *key, const char *path,
			   enum stage_change what, void *payload)
{
	struct strbuf *missing = payload;

	if (what == STAGE_MISSING)
		strbuf_addf(missing, "\n\t%s (%s)", key, path);
}

int cmd_commit(int argc, const char **argv, const char *prefix,
	       struct workspace *ws)
{
	struct strbuf err = STRBUF_INIT, missing = STRBUF_INIT;
	struct stage_stats stats = { 0 };
	struct object_id top, old;
	const char *message = NULL, *meta_arg = NULL;
	struct json *meta, *user;
	uint64_t entries = 0;
	int quiet = 0, have_old;
	struct option options[] = {
		OPT_STRING('m', "message", &message, "message",
			   "what this version is"),
		OPT_STRING(0, "meta", &meta_arg, "json",
			   "the package's user metadata"),
		OPT__QUIET(&quiet),
		OPT_END()
	};

	argc = parse_options(argc, argv, prefix, options, commit_usage, 0);
	if (argc)
		usage_with_options(commit_usage, options);
	begin_index_write(ws);
	if (stage_refresh(ws, NULL, report_missing, &missing, &stats,
			  &err) < 0)
		die("%s", err.buf);
	if (missing.len)
		die("files of these entries are missing; restore them or "
		    "'quire rm' the entries:%s", missing.buf);
	if (meta_arg) {
		if (json_parse(meta_arg, strlen(meta_arg), &user, &err) < 0)
			die("--meta is not valid JSON: %s", err.buf);
		if (user->type != JSON_OBJECT)
			die("--meta must be a JSON object, like "
			    "'{\"key\": 1}'");
		if (package_meta_load(ws, &meta, &err) < 0)
			die("%s", err.buf);
		json_object_set(meta, "user_meta", 9, user);
		if (package_meta_store(ws, meta, &err) < 0)
			die("%s", err.buf);
		json_free(meta);
	}
	if (package_build(ws, message, PACKAGE_BUILD_MESSAGE, &top, &entries,
			  &err) < 0)
		die("%s", err.buf);
	have_old = !refs_read(ws->refs, "HEAD", &old);
	if (!have_old || !oideq(&old, &top)) {
		if (refs_update(ws->refs, "HEAD", &top, have_old ? &old : NULL,
				have_old ? 0 : REFS_OLD_ABSENT, &err) < 0)
			die("cannot move HEAD: %s", err.buf);
		if (package_log_append(ws, have_old ? &old : NULL, &top,
				       message ? message : "", &err) < 0)
			warning("%s", err.buf);
	}
	if (idx_clean_set(ws->idx, &top, &err) < 0)
		die("%s", err.buf);
	commit_index_write(ws);
	if (!quiet)
		fprintf(stderr, "%s %" PRIu64 " entr%s, %" PRIu64 " file%s "
			"hashed\n", have_old && oideq(&old, &top) ?
			"nothing changed:" : "committed", entries,
			entries == 1 ? "y" : "ies", stats.hashed,
			stats.hashed == 1 ? "" : "s");
	printf("%s\n", oid_to_hex(&top));
	strbuf_release(&err);
	strbuf_release(&missing);
	return 0;
}
