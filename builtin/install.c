#include "builtin.h"
#include "install.h"
#include "json-out.h"
#include "porcelain.h"
#include "registry.h"
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

/* kept: one path a line. */
static void print_json(const struct install_request *rq,
		       struct workspace *ws, const struct object_id *top,
		       const struct checkout_stats *st,
		       const struct strbuf *kept)
{
	struct strbuf err = STRBUF_INIT;
	struct json *j = json_new_object(), *arr = json_new_array();
	struct registry *reg = NULL;
	const char *p, *nl;

	json_set(j, "name", json_str(workspace_package_name(ws)));
	json_set(j, "top_hash", json_top_hash(top));
	json_set(j, "registry", porcelain_registry(NULL, rq->registry, 0, &reg,
						   &err) < 0 ? json_new_null() :
		 json_url(registry_url(reg)));
	json_set(j, "path", json_str(ws->root));
	json_set(j, "entries", json_new_uint(st->entries));
	json_set(j, "written", json_new_uint(st->placed));
	json_set(j, "fetched", json_new_uint(st->fetched));
	json_set(j, "unchanged", json_new_uint(st->unchanged));
	json_set(j, "removed", json_new_uint(st->removed));
	for (p = kept->buf; (nl = strchr(p, '\n')); p = nl + 1)
		json_array_append(arr, json_new_string(p, nl - p));
	json_set(j, "kept", arr);
	json_print(j);
	registry_free(reg);
	strbuf_release(&err);
}

int cmd_install(int argc, const char **argv, const char *prefix,
		struct workspace *unused)
{
	struct strbuf err = STRBUF_INIT, kept = STRBUF_INIT;
	struct install_request rq = { 0 };
	struct checkout_opts *opts = &rq.opts;
	struct checkout_stats stats = { 0 };
	struct workspace *ws;
	struct object_id top;
	int json = 0;
	struct option options[] = {
		OPT__REGISTRY(&rq.registry),
		OPT_STRING(0, "to", &rq.to, "dir",
			   "the folder to install into (default: ./<name>)"),
		OPT_STRING(0, "dest", &rq.to, "dir", "the same as --to"),
		OPT_STRING(0, "location", &rq.to, "dir", "the same as --to"),
		OPT_STRING(0, "path", &opts->path_prefix, "prefix",
			   "only the entries below this logical prefix"),
		OPT_STRING(0, "link", &rq.link, "type",
			   "copy (default), hardlink or reflink"),
		OPT_BOOL(0, "force", &opts->force,
			 "overwrite local changes, remove deleted files"),
		OPT_BOOL(0, "allow-local-files", &opts->allow_local_files,
			 "read entries from files on this machine outside "
			 "the registry"),
		OPT_BOOL(0, "json", &json, "print one JSON object"),
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
	if (json)
		print_json(&rq, ws, &top, &stats, &kept);
	else
		printf("%s\n", oid_to_hex(&top));
	workspace_free(ws);
	strbuf_release(&err);
	strbuf_release(&kept);
	return 0;
}
