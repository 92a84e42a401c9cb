#include "builtin.h"
#include "fsck.h"
#include "json-out.h"
#include "parse-options.h"
#include "porcelain.h"
#include "registry.h"

static const char * const fsck_usage[] = {
	"quire fsck [-q] [--full] [--json] [--registry <registry>]",
	NULL
};

struct reporter {
	struct progress *progress;
	struct json *problems;	/* --json: an array; NULL: text */
};

static void report(const char *kind, const char *detail, void *payload)
{
	struct reporter *r = payload;
	struct json *j;

	if (r->problems) {
		j = json_new_object();
		json_set(j, "kind", json_str(kind));
		json_set(j, "detail", json_str(detail));
		json_array_append(r->problems, j);
		return;
	}
	progress_clear(r->progress);
	printf("%s: %s\n", kind, detail);
}

static void print_json(struct registry *reg, const struct fsck_stats *st,
		       int full, struct json *problems)
{
	struct json *j = json_new_object();

	json_set(j, "registry", json_url(registry_url(reg)));
	json_set(j, "manifests", json_new_uint(st->manifests));
	json_set(j, "pointers", json_new_uint(st->pointers));
	json_set(j, "tags", json_new_uint(st->tags));
	json_set(j, "objects", json_new_uint(st->objects));
	json_set(j, "hashed", json_new_bool(full));
	json_set(j, "problems", problems);
	json_print(j);
}

int cmd_fsck(int argc, const char **argv, const char *prefix,
	     struct workspace *ws)
{
	struct strbuf err = STRBUF_INIT;
	struct fsck_opts opts = { 0 };
	struct fsck_stats st = { 0 };
	struct registry *reg = NULL;
	const char *registry = NULL;
	struct reporter r = { NULL, NULL };
	int quiet = 0, json = 0;
	struct option options[] = {
		OPT__REGISTRY(&registry),
		OPT_BOOL(0, "full", &opts.full,
			 "also download and hash every object"),
		OPT_BOOL(0, "json", &json, "print one JSON object"),
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
	r.progress = opts.progress;
	if (json)
		r.problems = json_new_array();
	if (fsck_registry(reg, &opts, report, &r, &st, &err) < 0)
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
	if (json)
		print_json(reg, &st, opts.full, r.problems);
	registry_free(reg);
	strbuf_release(&err);
	return st.problems ? 1 : 0;
}
