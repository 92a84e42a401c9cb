#ifndef EXPORT_EXPORT_H
#define EXPORT_EXPORT_H

#include "hash.h"
#include "json.h"
#include "parse-options.h"
#include "provenance.h"
#include "strbuf.h"

struct workspace;
struct db;
struct db_value;

/*
 * Turning what a database holds into a package: files the export writes
 * (a table, a CSV, a README), files the database names by path, and the
 * package metadata, built in a scratch workspace of its own and pushed
 * to a registry like 'quire push' does. The scratch folder goes away
 * when the export ends, however it ends.
 */
struct export_pkg;

/* The options every export command takes, and their table entries. */
struct export_opts {
	const char *name, *registry, *message, *root, *schema;
	int skip_missing, quiet;
	struct provenance_opts prov;
};

#define EXPORT_OPTS_INIT \
	{ NULL, NULL, NULL, NULL, NULL, 0, 0, PROVENANCE_OPTS_INIT }

#define OPT_EXPORT(o) \
	OPT_STRING(0, "name", &(o)->name, "ns>/<name", \
		   "the package to make"), \
	OPT__REGISTRY(&(o)->registry), \
	OPT_STRING('m', "message", &(o)->message, "message", \
		   "what this version is"), \
	OPT_STRING(0, "root", &(o)->root, "dir", \
		   "relative paths are below it (default: the database's " \
		   "folder)"), \
	OPT_STRING(0, "schema", &(o)->schema, "name", \
		   "PostgreSQL: the schema to read (default: public)"), \
	OPT_BOOL(0, "skip-missing", &(o)->skip_missing, \
		 "leave out files that do not exist"), \
	OPT_PROVENANCE(&(o)->prov), \
	OPT__QUIET(&(o)->quiet), \
	OPT__PROGRESS()

/*
 * Start a package for name ("ns/name"). ws (may be NULL) is the caller's
 * workspace: its remotes name registries.
 */
int export_begin(struct workspace *ws, const char *name,
		 struct export_pkg **out, struct strbuf *err);
/* The folder to write generated files into (as <dir>/<logical key>). */
const char *export_dir(const struct export_pkg *p);
/* The generated file <dir>/<key> is an entry (with user_meta if given). */
int export_add_generated(struct export_pkg *p, const char *key,
			 const struct json *user_meta, struct strbuf *err);
/* The file at path (absolute) is the entry key. user_meta may be NULL. */
int export_add_file(struct export_pkg *p, const char *key, const char *path,
		    const struct json *user_meta, struct strbuf *err);
/*
 * The package's "provenance": what the provenance options o say (see
 * provenance.h); then, once it was read, the database file the export
 * came from as one more input (hashed; db_file NULL: none).
 */
struct provenance_opts;
int export_set_provenance(struct export_pkg *p,
			  const struct provenance_opts *o, struct strbuf *err);
int export_add_input(struct export_pkg *p, const char *db_file,
		     struct strbuf *err);
/* Set a top-level field of the package metadata (user_meta, ...). */
void export_set_meta(struct export_pkg *p, const char *field,
		     struct json *value);
/*
 * Hash every entry (on all cores), build the manifest, and push data and
 * manifest to registry (a remote's name, URL or folder; NULL: origin or
 * the embedded default registry) as a new latest.
 */
int export_publish(struct export_pkg *p, const char *registry,
		   const char *message, int quiet, struct object_id *top,
		   struct strbuf *registry_url, struct strbuf *err);
void export_end(struct export_pkg *p);

/*
 * Where relative paths in a database start: its file's folder, or for a
 * server's the current folder.
 */
char *export_default_root(const char *db_url);

/*
 * Files named by file columns, kept in a temporary table of the output
 * database (so millions fit): noted as the rows go by, then resolved to
 * absolute paths (relative ones against root), checked, and given
 * logical keys "files/<path below the folder all of them share>".
 */
struct export_files;

int export_files_init(struct db *out, struct export_files **files,
		      struct strbuf *err);
/*
 * Note the value v of a file column; where says which row and column for
 * messages ("row 12, column image"). NULL names no file; a value that is
 * not text is refused.
 */
int export_files_note(struct export_files *f, const struct db_value *v,
		      const char *where, struct strbuf *err);
/*
 * Resolve and check every noted file. A missing one is an error naming
 * where it was first seen, unless skip_missing: then it is dropped and
 * counted in *missing (and names no key).
 */
int export_files_resolve(struct export_files *f, const char *root,
			 int skip_missing, uint64_t *missing,
			 struct strbuf *err);
/*
 * An SQL expression, for the output database, giving the logical key of
 * the file a column expression names (NULL when it names none).
 */
void export_files_key_sql(struct strbuf *sql, const char *expr);
/* Each resolved file, by key: a value naming it, its path and key. */
typedef int export_file_fn(const char *raw, const char *path,
			   const char *key, void *payload);
int export_files_for_each(struct export_files *f, export_file_fn *fn,
			  void *payload, struct strbuf *err);
uint64_t export_files_count(struct export_files *f);
void export_files_free(struct export_files *f);

/*
 * A value as JSON, as CSV text (NULL empty), or as an SQL literal. Blobs,
 * and text that is not UTF-8, are base64 text in JSON and CSV.
 */
struct json *export_value_json(const struct db_value *v);
void export_value_text(struct strbuf *sb, const struct db_value *v);
void export_value_sql(struct strbuf *sb, const struct db_value *v);

#endif
