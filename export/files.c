#include "quire-compat.h"
#include "db/db.h"
#include "error.h"
#include "export/export.h"
#include "progress.h"
#include "workspace.h"

/*
 * temp.quire_files: raw (the value as the rows hold it), at (where it was
 * first seen), path (absolute, once resolved) and key.
 */
struct export_files {
	struct db *out;
	struct db_stmt *note;
	uint64_t count;
};

int export_files_init(struct db *out, struct export_files **files,
		      struct strbuf *err)
{
	struct export_files *f;
	int ret;

	*files = NULL;
	ret = db_exec(out, "CREATE TEMP TABLE quire_files (raw TEXT PRIMARY "
		      "KEY, at TEXT, path TEXT, key TEXT)", err);
	if (ret)
		return ret;
	f = xcalloc(1, sizeof(*f));
	f->out = out;
	ret = db_prepare(out, "INSERT OR IGNORE INTO temp.quire_files (raw, "
			 "at) VALUES (?1, ?2)", &f->note, err);
	if (ret) {
		free(f);
		return ret;
	}
	*files = f;
	return 0;
}

int export_files_note(struct export_files *f, const struct db_value *v,
		      const char *where, struct strbuf *err)
{
	struct db_value args[2];
	int ret;

	if (v->type == DB_NULL)
		return 0;
	if (v->type != DB_TEXT || !v->len) {
		strbuf_addf(err, "%s holds %s, not the path of a file", where,
			    v->type == DB_TEXT ? "an empty string" :
			    v->type == DB_BLOB ? "bytes" : "a number");
		return QERR_USAGE;
	}
	args[0] = *v;
	memset(&args[1], 0, sizeof(args[1]));
	args[1].type = DB_TEXT;
	args[1].p = where;
	args[1].len = strlen(where);
	ret = db_bind(f->note, args, 2, err);
	if (!ret)
		ret = db_step(f->note, err);
	return ret;
}

/* The folder both prefix (ending in '/') and path lie in. */
static void shrink_common(struct strbuf *common, const char *path)
{
	size_t i, keep = 0;

	for (i = 0; i < common->len && path[i] == common->buf[i]; i++)
		if (path[i] == '/')
			keep = i + 1;
	strbuf_setlen(common, keep);
}

struct resolver {
	struct export_files *f;
	const char *root;
	int skip_missing;
	uint64_t missing;
	struct strbuf common;
	struct db_stmt *set, *drop;
};

static char *resolve_path(const char *root, const char *raw)
{
	struct strbuf sb = STRBUF_INIT;
	char *abs;

	if (raw[0] != '/')
		strbuf_addf(&sb, "%s/", root);
	strbuf_addstr(&sb, raw);
	abs = absolute_path(sb.buf);
	strbuf_release(&sb);
	return abs;
}

static int text_arg(struct db_value *v, const char *s)
{
	memset(v, 0, sizeof(*v));
	v->type = DB_TEXT;
	v->p = s;
	v->len = strlen(s);
	return 0;
}

static int resolve_one(struct resolver *r, const char *raw, const char *at,
		       struct strbuf *err)
{
	char *path = resolve_path(r->root, raw);
	struct db_value args[2];
	struct stat st;
	int ret, found = !stat(path, &st);

	text_arg(&args[0], raw);
	if (!found || !S_ISREG(st.st_mode)) {
		int gone = !found && (errno == ENOENT || errno == ENOTDIR);

		if (gone && r->skip_missing) {
			r->missing++;
			free(path);
			return db_bind(r->drop, args, 1, err) ||
			       db_step(r->drop, err) < 0 ? QERR_GENERIC : 0;
		}
		strbuf_addf(err, "%s names '%s', which %s", at, path,
			    gone ? "does not exist; fix the row, or leave "
			    "such files out with --skip-missing" :
			    !found ? "cannot be read" : S_ISDIR(st.st_mode) ?
			    "is a folder, not a file" : "is not a file");
		free(path);
		return QERR_NOTFOUND;
	}
	if (!r->f->count++)
		strbuf_addstr(&r->common, path);
	shrink_common(&r->common, path);	/* the first: its folder */
	text_arg(&args[1], path);
	ret = db_bind(r->set, args, 2, err);
	if (!ret)
		ret = db_step(r->set, err);
	free(path);
	return ret < 0 ? ret : 0;
}

/* Distinct files (two values may name one file). */
static int count_files(struct export_files *f, struct strbuf *err)
{
	struct db_stmt *st;
	struct db_value v;
	int ret;

	ret = db_prepare(f->out, "SELECT count(DISTINCT path) FROM "
			 "temp.quire_files", &st, err);
	if (!ret && (ret = db_step(st, err)) > 0) {
		db_column_value(st, 0, &v);
		f->count = v.i;
		ret = 0;
	}
	db_finalize(st);
	return ret;
}

int export_files_resolve(struct export_files *f, const char *root,
			 int skip_missing, uint64_t *missing,
			 struct strbuf *err)
{
	struct resolver r = { f, root, skip_missing, 0, STRBUF_INIT, NULL,
			      NULL };
	struct db_stmt *all = NULL;
	struct strbuf sql = STRBUF_INIT;
	struct db_value v, at, cut;
	struct progress *progress;
	int ret;

	f->count = 0;
	ret = db_prepare(f->out, "SELECT raw, at FROM temp.quire_files "
			 "ORDER BY rowid", &all, err);
	if (!ret)
		ret = db_prepare(f->out, "UPDATE temp.quire_files SET path = "
				 "?2 WHERE raw = ?1", &r.set, err);
	if (!ret)
		ret = db_prepare(f->out, "DELETE FROM temp.quire_files WHERE "
				 "raw = ?1", &r.drop, err);
	progress = progress_start("Finding files", 0, 0);
	while (!ret && (ret = db_step(all, err)) > 0) {
		char *raw, *where;

		db_column_value(all, 0, &v);
		db_column_value(all, 1, &at);
		raw = xmemdupz(v.p, v.len);
		where = xmemdupz(at.p, at.len);
		ret = resolve_one(&r, raw, where, err);
		free(raw);
		free(where);
		progress_add(progress, 1, 0);
	}
	progress_stop(&progress);
	memset(&cut, 0, sizeof(cut));
	cut.type = DB_INTEGER;
	cut.i = (int64_t)r.common.len + 1;
	strbuf_addstr(&sql, "UPDATE temp.quire_files SET key = 'files/' || "
		      "substr(path, ?1)");
	db_finalize(all);
	all = NULL;
	if (!ret)
		ret = db_prepare(f->out, sql.buf, &all, err);
	if (!ret)
		ret = db_bind(all, &cut, 1, err);
	if (!ret)
		ret = db_step(all, err);
	db_finalize(all);
	if (!ret)
		ret = count_files(f, err);
	db_finalize(r.set);
	db_finalize(r.drop);
	strbuf_release(&r.common);
	strbuf_release(&sql);
	*missing = r.missing;
	return ret < 0 ? ret : 0;
}

void export_files_key_sql(struct strbuf *sql, const char *expr)
{
	strbuf_addf(sql, "(SELECT key FROM temp.quire_files WHERE raw = %s)",
		    expr);
}

int export_files_for_each(struct export_files *f, export_file_fn *fn,
			  void *payload, struct strbuf *err)
{
	struct db_stmt *st;
	struct db_value v[3];
	int ret, i;
	char *s[3];

	ret = db_prepare(f->out, "SELECT min(raw), path, key FROM "
			 "temp.quire_files WHERE key IS NOT NULL GROUP BY "
			 "path ORDER BY key", &st, err);
	while (!ret && (ret = db_step(st, err)) > 0) {
		for (i = 0; i < 3; i++) {
			db_column_value(st, i, &v[i]);
			s[i] = xmemdupz(v[i].p, v[i].len);
		}
		ret = fn(s[0], s[1], s[2], payload);
		for (i = 0; i < 3; i++)
			free(s[i]);
	}
	db_finalize(st);
	return ret < 0 ? ret : 0;
}

uint64_t export_files_count(struct export_files *f)
{
	return f->count;
}

void export_files_free(struct export_files *f)
{
	if (!f)
		return;
	db_finalize(f->note);
	free(f);
}
