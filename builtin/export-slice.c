#include "builtin.h"
#include "db/db.h"
#include "export/export.h"
#include "export/slice.h"
#include "parse-options.h"

static const char * const export_slice_usage[] = {
	"quire export-slice [<options>] <db> --name <ns>/<name>",
	"quire export-slice [<options>] <db> --preview",
	NULL
};

/* 'quire slice export' runs this command with its list as --leaves. */
static const char * const slice_export_usage[] = {
	"quire slice export <id> [<options>] <db>",
	NULL
};

struct file_column {
	int table, col;
};

struct export_slice {
	const char *db_path;
	struct export_opts o;
	struct string_list leaf_files, restricts, file_specs;
	int preview;
	struct db *db;
	struct slice *slice;
	struct file_column *fcols;
	struct export_files *files;	/* NULL without file columns */
	uint64_t nfiles;
};

/* The table and column "table.column" names; a dot may be in either. */
static void parse_file_column(struct export_slice *x, const char *spec,
			      struct file_column *fc)
{
	const struct db_schema *sc = slice_schema(x->slice);
	struct strbuf table = STRBUF_INIT, err = STRBUF_INIT;
	const struct db_table *t = NULL, *first = NULL;
	const char *dot;

	for (dot = strchr(spec, '.'); dot; dot = strchr(dot + 1, '.')) {
		strbuf_reset(&table);
		strbuf_add(&table, spec, dot - spec);
		t = db_schema_table(sc, table.buf);
		if (t && !first)
			first = t;
		if (t && db_table_column(t, dot + 1) >= 0)
			break;
	}
	if (!strchr(spec, '.'))
		die("--file-column '%s' names no column; write "
		    "<table>.<column>", spec);
	if (!dot && first)
		die("--file-column '%s': table '%s' has no column '%s'", spec,
		    first->name, spec + strlen(first->name) + 1);
	if (!dot) {
		strbuf_reset(&table);
		strbuf_add(&table, spec, strchr(spec, '.') - spec);
		slice_find_table(x->slice, table.buf, &t, &err);
		die("--file-column '%s': %s", spec, err.buf);
	}
	fc->table = t - sc->tables;
	fc->col = db_table_column(t, dot + 1);
	strbuf_release(&table);
}

static void collect_leaves(struct export_slice *x, struct slice_leaves *l)
{
	struct strbuf err = STRBUF_INIT;
	size_t i;

	for (i = 0; i < x->leaf_files.nr; i++)
		if (slice_leaves_read(l, x->leaf_files.items[i], &err) < 0)
			die("%s", err.buf);
	for (i = 0; i + 1 < x->restricts.nr; i += 2)
		slice_leaves_add(l, x->restricts.items[i],
				 x->restricts.items[i + 1]);
	if (!l->nr)
		die("no leaves in %s; a slice starts from at least one",
		    x->leaf_files.items[0]);
	strbuf_release(&err);
}

static void open_slice(struct export_slice *x)
{
	struct strbuf err = STRBUF_INIT;
	size_t i;

	if (db_open_schema(x->db_path, x->o.schema, DB_READONLY, &x->db,
			   &err) < 0)
		die("%s", err.buf);
	if (slice_new(x->db, &x->slice, &err) < 0)
		die("cannot read the schema of '%s': %s", x->db_path,
		    err.buf);
	x->fcols = xcalloc(x->file_specs.nr + 1, sizeof(*x->fcols));
	for (i = 0; i < x->file_specs.nr; i++)
		parse_file_column(x, x->file_specs.items[i], &x->fcols[i]);
	strbuf_release(&err);
}

static void cascade(struct export_slice *x, const struct slice_leaves *l)
{
	struct strbuf err = STRBUF_INIT;
	size_t i;

	for (i = 0; i < l->nr; i++)
		if (slice_add_leaf(x->slice, &l->v[i], &err) < 0)
			die("%s", err.buf);
	if (slice_cascade(x->slice, &err) < 0)
		die("cannot follow the foreign keys of '%s': %s", x->db_path,
		    err.buf);
	strbuf_release(&err);
}

static int note_file(const struct db_value *v, const char *where,
		     void *payload)
{
	struct export_slice *x = payload;
	struct strbuf err = STRBUF_INIT;

	if (export_files_note(x->files, v, where, &err) < 0)
		die("%s", err.buf);
	strbuf_release(&err);
	return 0;
}

/* Note the files the file columns name, then check them. */
static void find_files(struct export_slice *x)
{
	struct db *work = slice_work_db(x->slice);
	struct strbuf err = STRBUF_INIT;
	char *root = NULL;
	uint64_t missing = 0;
	size_t i;

	if (!x->file_specs.nr)
		return;
	if (export_files_init(work, &x->files, &err) < 0)
		die("%s", err.buf);
	for (i = 0; i < x->file_specs.nr; i++)
		if (slice_for_each_value(x->slice, x->fcols[i].table,
					 x->fcols[i].col, note_file, x,
					 &err) < 0)
			die("%s", err.buf);
	if (!x->o.root)
		x->o.root = root = export_default_root(x->db_path);
	if (export_files_resolve(x->files, x->o.root, x->o.skip_missing,
				 &missing, &err) < 0)
		die("%s", err.buf);
	if (missing && !x->o.quiet)
		fprintf(stderr, "left out %" PRIu64 " missing file%s "
			"(--skip-missing)\n", missing, missing == 1 ? "" : "s");
	free(root);
	strbuf_release(&err);
}

static int print_file(const char *raw, const char *path, const char *key,
		      void *payload)
{
	printf("file\t%s\n", path);
	return 0;
}

static void preview(struct export_slice *x)
{
	const struct db_schema *sc = slice_schema(x->slice);
	struct strbuf err = STRBUF_INIT;
	int i;

	for (i = 0; i < sc->ntables; i++)
		printf("%" PRIu64 "\t%s\n", slice_rows(x->slice, i),
		       sc->tables[i].name);
	if (x->files &&
	    export_files_for_each(x->files, print_file, NULL, &err) < 0)
		die("%s", err.buf);
	strbuf_release(&err);
}

static void warn_bad_rows(struct export_slice *x)
{
	const struct db_schema *sc = slice_schema(x->slice);
	uint64_t n;
	int i;

	for (i = 0; i < sc->ntables; i++) {
		n = slice_bad_rows(x->slice, i);
		if (n)
			warning("%" PRIu64 " row%s of table '%s' in the slice "
				"refer%s to rows that '%s' does not have: the "
				"database breaks its own foreign keys", n,
				n == 1 ? "" : "s", sc->tables[i].name,
				n == 1 ? "s" : "", x->db_path);
	}
	if (slice_check_error(x->slice))
		warning("cannot check the foreign keys of the slice: %s",
			slice_check_error(x->slice));
}

/* slice.sqlite and slice.sql, written in p's folder, as entries. */
static void write_slice(struct export_slice *x, struct export_pkg *p)
{
	struct strbuf db = STRBUF_INIT, sql = STRBUF_INIT;
	struct strbuf err = STRBUF_INIT;

	strbuf_addf(&db, "%s/slice.sqlite", export_dir(p));
	strbuf_addf(&sql, "%s/slice.sql", export_dir(p));
	if (slice_write_sqlite(x->slice, db.buf, &err) < 0)
		die("cannot write slice.sqlite: %s", err.buf);
	warn_bad_rows(x);
	if (slice_write_sql(x->slice, db.buf, sql.buf, &err) < 0)
		die("cannot write slice.sql: %s", err.buf);
	if (export_add_generated(p, "slice.sqlite", NULL, &err) < 0 ||
	    export_add_generated(p, "slice.sql", NULL, &err) < 0)
		die("%s", err.buf);
	strbuf_release(&db);
	strbuf_release(&sql);
	strbuf_release(&err);
}

struct add_files {
	struct export_pkg *p;
	uint64_t n;
};

static int add_file(const char *raw, const char *path, const char *key,
		    void *payload)
{
	struct add_files *af = payload;
	struct strbuf err = STRBUF_INIT;
	struct json *meta = json_new_object();

	json_object_set(meta, "path", 4, json_new_string(raw, strlen(raw)));
	if (export_add_file(af->p, key, path, meta, &err) < 0)
		die("%s", err.buf);
	json_free(meta);
	strbuf_release(&err);
	af->n++;
	return 0;
}

static void add_files(struct export_slice *x, struct export_pkg *p)
{
	struct add_files af = { p, 0 };
	struct strbuf err = STRBUF_INIT;

	if (x->files &&
	    export_files_for_each(x->files, add_file, &af, &err) < 0)
		die("%s", err.buf);
	x->nfiles = af.n;
	strbuf_release(&err);
}

static void describe(struct export_slice *x, struct export_pkg *p)
{
	struct slice_summary sum = { x->o.name, x->db_path, &x->file_specs,
				     x->nfiles };
	struct strbuf readme = STRBUF_INIT, path = STRBUF_INIT;
	struct strbuf err = STRBUF_INIT;
	struct json *user = json_new_object();
	int fd;

	slice_readme(&readme, x->slice, &sum);
	strbuf_addf(&path, "%s/README.md", export_dir(p));
	fd = open(path.buf, O_WRONLY | O_CREAT | O_EXCL, 0644);
	if (fd < 0 || write_in_full(fd, readme.buf, readme.len) < 0 ||
	    close(fd) < 0)
		die_errno("cannot write '%s'", path.buf);
	if (export_add_generated(p, "README.md", NULL, &err) < 0)
		die("%s", err.buf);
	json_object_set(user, "slice", 5, slice_meta(x->slice, &sum));
	export_set_meta(p, "user_meta", user);
	strbuf_release(&readme);
	strbuf_release(&path);
	strbuf_release(&err);
}

static void publish(struct export_slice *x, struct workspace *ws)
{
	struct strbuf err = STRBUF_INIT, url = STRBUF_INIT;
	const struct db_schema *sc = slice_schema(x->slice);
	struct export_pkg *p = NULL;
	struct object_id top;
	uint64_t rows;

	if (export_begin(ws, x->o.name, &p, &err) < 0 ||
	    export_set_provenance(p, &x->o.prov, &err) < 0)
		die("%s", err.buf);
	write_slice(x, p);
	add_files(x, p);
	describe(x, p);
	if (export_add_input(p, db_file(x->db_path), &err) < 0 ||
	    export_publish(p, x->o.registry, x->o.message, x->o.quiet, &top,
			   &url, &err) < 0)
		die("%s", err.buf);
	rows = slice_total_rows(x->slice);
	if (!x->o.quiet)
		fprintf(stderr, "exported %" PRIu64 " row%s of %d table%s and "
			"%" PRIu64 " file%s as %s@%s in %s\n", rows,
			rows == 1 ? "" : "s", sc->ntables,
			sc->ntables == 1 ? "" : "s", x->nfiles,
			x->nfiles == 1 ? "" : "s", x->o.name,
			short_hash(&top),
			url.buf);
	printf("%s\n", oid_to_hex(&top));
	export_end(p);
	strbuf_release(&err);
	strbuf_release(&url);
}

static void release(struct export_slice *x)
{
	export_files_free(x->files);
	slice_free(x->slice);
	db_close(x->db);
	free(x->fcols);
	string_list_clear(&x->leaf_files);
	string_list_clear(&x->restricts);
	string_list_clear(&x->file_specs);
	provenance_opts_release(&x->o.prov);
}

int cmd_export_slice(int argc, const char **argv, const char *prefix,
		     struct workspace *ws)
{
	struct export_slice x = { .o = EXPORT_OPTS_INIT };
	struct slice_leaves leaves = SLICE_LEAVES_INIT;
	struct strbuf err = STRBUF_INIT;
	const char * const *usage = strcmp(argv[0], "slice") ?
				    export_slice_usage : slice_export_usage;
	struct option options[] = {
		OPT_STRING_PAIRS("restrict", &x.restricts,
				 "table> <condition",
				 "take the rows of <table> for which the SQL "
				 "<condition> holds (repeatable)"),
		OPT_STRING_LIST(0, "leaves", &x.leaf_files, "file",
				"read leaves as JSON lines (repeatable)"),
		OPT_STRING_LIST(0, "file-column", &x.file_specs,
				"table>.<column",
				"the column holds paths of files to add "
				"(repeatable)"),
		OPT_BOOL(0, "preview", &x.preview,
			 "print the tables, rows and files; write nothing"),
		OPT_EXPORT(&x.o),
		OPT_END()
	};

	argc = parse_options(argc, argv, prefix, options, usage, 0);
	if (argc != 1)
		usage_with_options(usage, options);
	x.db_path = argv[0];
	if (!x.restricts.nr && !x.leaf_files.nr)
		usage_msg_opt("no leaves: give --restrict <table> <condition> "
			      "or --leaves <file>", usage, options);
	if (!x.preview && !x.o.name)
		usage_msg_opt("--name is needed: the package to make, as "
			      "namespace/name (or --preview)", usage, options);
	if (x.o.name && package_name_check(x.o.name, &err) < 0)
		die("%s", err.buf);
	collect_leaves(&x, &leaves);
	open_slice(&x);
	cascade(&x, &leaves);
	find_files(&x);
	if (x.preview)
		preview(&x);
	else
		publish(&x, ws);
	slice_leaves_release(&leaves);
	release(&x);
	strbuf_release(&err);
	return 0;
}
