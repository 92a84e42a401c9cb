#include "builtin.h"
#include "export/dsdb.h"
#include "install.h"
#include "json.h"
#include "parse-options.h"

static const char * const import_dsdb_usage[] = {
	"quire import-dsdb [<options>] <namespace>/<name>[:<tag>|@<hash>] <db>",
	NULL
};

int cmd_import_dsdb(int argc, const char **argv, const char *prefix,
		    struct workspace *unused)
{
	struct strbuf err = STRBUF_INIT, kept = STRBUF_INIT;
	struct install_request rq = { 0 };
	struct checkout_stats stats = { 0 };
	struct dsdb_import im = { 0 };
	struct workspace *ws;
	struct object_id top;
	struct json *meta;
	struct option options[] = {
		OPT__REGISTRY(&rq.registry),
		OPT_STRING(0, "to", &rq.to, "dir",
			   "the folder to install into (default: ./<name>)"),
		OPT_STRING(0, "table", &im.table, "name",
			   "the table to make (default: the exported one's "
			   "name)"),
		OPT_STRING(0, "schema", &im.schema, "name",
			   "PostgreSQL: the schema to make the table in "
			   "(default: public)"),
		OPT_BOOL(0, "force", &rq.opts.force,
			 "overwrite local changes, remove files no longer in "
			 "the package"),
		OPT__QUIET(&rq.opts.quiet),
		OPT__PROGRESS(),
		OPT_END()
	};

	argc = parse_options(argc, argv, prefix, options, import_dsdb_usage,
			     0);
	if (argc != 2)
		usage_with_options(import_dsdb_usage, options);
	rq.rev = argv[0];
	if (dsdb_import_check(argv[1], im.schema, &err) < 0)
		die("%s", err.buf);
	if (install_package(&rq, &ws, &top, &stats, &kept, &err) < 0)
		die("%s", err.buf);
	if (porcelain_version_meta(ws, NULL, oid_to_hex(&top), &top, &meta,
				   &err) < 0)
		die("%s", err.buf);
	im.dir = ws->root;
	im.meta = meta;
	im.db = argv[1];
	if (dsdb_import(&im, &err) < 0)
		die("%s", err.buf);
	if (!rq.opts.quiet)
		fprintf(stderr, "installed %s@%s into %s; table %s in %s: %"
			PRIu64 " row%s\n", workspace_package_name(ws),
			short_hash(&top), ws->root, im.table_used, im.db,
			im.rows, im.rows == 1 ? "" : "s");
	if (kept.len)
		fprintf(stderr, "these files are no longer in the package and "
			"were kept (--force removes them):\n%s", kept.buf);
	json_free(meta);
	free(im.table_used);
	workspace_free(ws);
	strbuf_release(&err);
	strbuf_release(&kept);
	return 0;
}
