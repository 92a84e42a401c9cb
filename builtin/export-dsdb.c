#include "builtin.h"
#include "db/db.h"
#include "export/dsdb.h"
#include "export/export.h"
#include "parse-options.h"
#include "provenance.h"

static const char * const export_dsdb_usage[] = {
	"quire export-dsdb [<options>] <db> --table <table> --name <ns>/<name>",
	"quire export-dsdb [<options>] <db> --query <sql> --name <ns>/<name>",
	NULL
};

int cmd_export_dsdb(int argc, const char **argv, const char *prefix,
		    struct workspace *ws)
{
	struct strbuf err = STRBUF_INIT, url = STRBUF_INIT;
	struct string_list file_columns = STRING_LIST_INIT;
	struct dsdb_export x = { 0 };
	const char *name = NULL, *reg = NULL, *message = NULL, *root = NULL;
	struct provenance_opts prov = PROVENANCE_OPTS_INIT;
	struct export_pkg *p;
	struct object_id top;
	char *root_abs;
	int quiet = 0;
	struct option options[] = {
		OPT_STRING(0, "table", &x.table, "table", "export this table"),
		OPT_STRING(0, "query", &x.query, "sql",
			   "export the rows of this SELECT"),
		OPT_STRING_LIST(0, "file-column", &file_columns, "column",
				"a column whose values are paths of files "
				"(repeatable)"),
		OPT_STRING(0, "name", &name, "namespace/name",
			   "the package to make"),
		OPT_STRING(0, "registry", &reg, "registry",
			   "where to push it (default: origin, else the "
			   "default registry)"),
		OPT_STRING('m', "message", &message, "message",
			   "what this version is"),
		OPT_STRING(0, "root", &root, "dir",
			   "relative paths are below it (default: the "
			   "database's folder)"),
		OPT_BOOL(0, "skip-missing", &x.skip_missing,
			 "leave out files that do not exist"),
		OPT_PROVENANCE(&prov),
		OPT__QUIET(&quiet),
		OPT_END()
	};

	argc = parse_options(argc, argv, prefix, options, export_dsdb_usage,
			     0);
	if (argc != 1)
		usage_with_options(export_dsdb_usage, options);
	if (!x.table == !x.query)
		usage_msg_opt("give exactly one of --table and --query",
			      export_dsdb_usage, options);
	if (!name)
		usage_msg_opt("--name is needed: the package to make, as "
			      "namespace/name", export_dsdb_usage, options);
	x.db = argv[0];
	x.file_columns = &file_columns;
	root_abs = root ? absolute_path(root) : export_default_root(x.db);
	x.root = root_abs;
	if (export_begin(ws, name, &p, &err) < 0 ||
	    export_set_provenance(p, &prov, &err) < 0 ||
	    dsdb_export(p, &x, name, &err) < 0 ||
	    export_add_input(p, db_file(x.db), &err) < 0 ||
	    export_publish(p, reg, message, quiet, &top, &url, &err) < 0)
		die("%s", err.buf);
	export_end(p);
	if (!quiet) {
		fprintf(stderr, "exported %" PRIu64 " row%s and %" PRIu64
			" file%s as %s@%s in %s\n", x.rows,
			x.rows == 1 ? "" : "s", x.files,
			x.files == 1 ? "" : "s", name, short_hash(&top),
			url.buf);
		if (x.missing)
			fprintf(stderr, "left out %" PRIu64 " missing file%s "
				"(--skip-missing)\n", x.missing,
				x.missing == 1 ? "" : "s");
	}
	printf("%s\n", oid_to_hex(&top));
	free(root_abs);
	string_list_clear(&file_columns);
	provenance_opts_release(&prov);
	strbuf_release(&err);
	strbuf_release(&url);
	return 0;
}
