#include "builtin.h"
#include "db/db.h"
#include "export/dsdb.h"
#include "export/export.h"
#include "parse-options.h"

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
	struct export_opts o = EXPORT_OPTS_INIT;
	struct export_pkg *p;
	struct object_id top;
	char *root_abs;
	struct option options[] = {
		OPT_STRING(0, "table", &x.table, "table", "export this table"),
		OPT_STRING(0, "query", &x.query, "sql",
			   "export the rows of this SELECT"),
		OPT_STRING_LIST(0, "file-column", &file_columns, "column",
				"a column whose values are paths of files "
				"(repeatable)"),
		OPT_EXPORT(&o),
		OPT_END()
	};

	argc = parse_options(argc, argv, prefix, options, export_dsdb_usage,
			     0);
	if (argc != 1)
		usage_with_options(export_dsdb_usage, options);
	if (!x.table == !x.query)
		usage_msg_opt("give exactly one of --table and --query",
			      export_dsdb_usage, options);
	if (!o.name)
		usage_msg_opt("--name is needed: the package to make, as "
			      "namespace/name", export_dsdb_usage, options);
	x.db = argv[0];
	x.schema = o.schema;
	x.file_columns = &file_columns;
	x.skip_missing = o.skip_missing;
	root_abs = o.root ? absolute_path(o.root) : export_default_root(x.db);
	x.root = root_abs;
	if (export_begin(ws, o.name, &p, &err) < 0 ||
	    export_set_provenance(p, &o.prov, &err) < 0 ||
	    dsdb_export(p, &x, o.name, &err) < 0 ||
	    export_add_input(p, db_file(x.db), &err) < 0 ||
	    export_publish(p, o.registry, o.message, o.quiet, &top, &url,
			   &err) < 0)
		die("%s", err.buf);
	export_end(p);
	if (!o.quiet) {
		fprintf(stderr, "exported %" PRIu64 " row%s and %" PRIu64
			" file%s as %s@%s in %s\n", x.rows,
			x.rows == 1 ? "" : "s", x.files,
			x.files == 1 ? "" : "s", o.name, short_hash(&top),
			url.buf);
		if (x.missing)
			fprintf(stderr, "left out %" PRIu64 " missing file%s "
				"(--skip-missing)\n", x.missing,
				x.missing == 1 ? "" : "s");
	}
	printf("%s\n", oid_to_hex(&top));
	free(root_abs);
	string_list_clear(&file_columns);
	provenance_opts_release(&o.prov);
	strbuf_release(&err);
	strbuf_release(&url);
	return 0;
}
