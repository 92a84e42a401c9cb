#include "quire-compat.h"
#include "export/export.h"
#include "db/db.h"
#include "error.h"
#include "index-db.h"
#include "logical-key.h"
#include "package.h"
#include "porcelain.h"
#include "provenance.h"
#include "push.h"
#include "refs/refs.h"
#include "stage.h"
#include "tempfile.h"
#include "workspace.h"

struct export_pkg {
	struct workspace *caller;	/* may be NULL */
	struct workspace *scratch;
	const char *tmp;		/* the folder, as registered */
	const char *dir;		/* the scratch workspace's root */
	char *name;
	struct json *meta;		/* package metadata */
};

int export_begin(struct workspace *ws, const char *name,
		 struct export_pkg **out, struct strbuf *err)
{
	struct export_pkg *p;
	const char *dir;
	int ret;

	*out = NULL;
	if (package_name_check(name, err) < 0)
		return QERR_USAGE;
	dir = create_tempdir("quire-export-", err);
	if (!dir)
		return QERR_GENERIC;
	p = xcalloc(1, sizeof(*p));
	p->caller = ws;
	p->tmp = dir;
	p->name = xstrdup(name);
	ret = workspace_create(dir, name, err);
	if (!ret)
		ret = workspace_discover(dir, &p->scratch, err);
	if (!ret)
		ret = workspace_index(p->scratch, err);
	if (!ret)
		ret = idx_begin_write(p->scratch->idx, err);
	if (!ret)
		ret = package_meta_load(p->scratch, &p->meta, err);
	if (ret) {
		remove_tempdir(dir);
		workspace_free(p->scratch);
		free(p->name);
		free(p);
		return ret;
	}
	/* realpath of the folder: stat cache paths must match it */
	p->dir = p->scratch->root;
	*out = p;
	return 0;
}

const char *export_dir(const struct export_pkg *p)
{
	return p->dir;
}

int export_add_file(struct export_pkg *p, const char *key, const char *path,
		    const struct json *user_meta, struct strbuf *err)
{
	struct strbuf meta = STRBUF_INIT;
	struct json *obj = NULL;
	struct idx_entry e;
	int ret;

	if (logical_key_check(key, strlen(key), LOGICAL_KEY_PATH, err) < 0) {
		strbuf_addf(err, " (from '%s')", path);
		return QERR_CORRUPT;
	}
	idx_entry_init(&e);
	e.key = (char *)key;
	e.path = (char *)path;
	if (user_meta) {
		obj = json_new_object();
		json_object_set(obj, "user_meta", 9, json_dup(user_meta));
		json_write_python(&meta, obj);
		json_free(obj);
		e.meta = meta.buf;
	}
	ret = idx_put_entry(p->scratch->idx, &e, err);
	strbuf_release(&meta);
	return ret;
}

int export_add_generated(struct export_pkg *p, const char *key,
			 const struct json *user_meta, struct strbuf *err)
{
	struct strbuf path = STRBUF_INIT;
	int ret;

	strbuf_addf(&path, "%s/%s", p->dir, key);
	ret = export_add_file(p, key, path.buf, user_meta, err);
	strbuf_release(&path);
	return ret;
}

void export_set_meta(struct export_pkg *p, const char *field,
		     struct json *value)
{
	json_object_set(p->meta, field, strlen(field), value);
}

int export_set_provenance(struct export_pkg *p,
			  const struct provenance_opts *o, struct strbuf *err)
{
	struct json *prov = NULL;
	int ret = 0;

	if (provenance_opts_given(o))
		ret = provenance_build(p->caller, o, &prov, err);
	else
		prov = json_new_object();
	if (!ret)
		export_set_meta(p, "provenance", prov);
	return ret;
}

int export_add_input(struct export_pkg *p, const char *db_file,
		     struct strbuf *err)
{
	struct json *prov = json_object_get(p->meta, "provenance");

	if (!db_file)
		return 0;
	if (!prov) {
		prov = json_new_object();
		export_set_meta(p, "provenance", prov);
	}
	return provenance_add_input(prov, db_file, err);
}

static void note_missing(const char *key, const char *path,
			 enum stage_change what, void *payload)
{
	struct strbuf *missing = payload;

	if (what == STAGE_MISSING && !missing->len)
		strbuf_addf(missing, "'%s' went away while the export ran "
			    "(entry %s)", path, key);
}

/* Hash the entries and build the manifest; HEAD names it. */
static int build(struct export_pkg *p, const char *message, int quiet,
		 struct object_id *top, struct strbuf *err)
{
	struct workspace *ws = p->scratch;
	struct stage_stats stats = { 0 };
	struct strbuf missing = STRBUF_INIT;
	uint64_t entries;
	int ret;

	/* the hashing walks the index as committed */
	ret = package_meta_store(ws, p->meta, err);
	if (!ret)
		ret = idx_commit(ws->idx, err);
	if (!ret)
		ret = idx_begin_write(ws->idx, err);
	if (!ret)
		ret = stage_refresh(ws, NULL, note_missing, &missing, &stats,
				    err);
	if (!ret && missing.len) {
		strbuf_addbuf(err, &missing);
		ret = QERR_NOTFOUND;
	}
	if (!ret)
		ret = package_build(ws, message, PACKAGE_BUILD_MESSAGE |
				    (quiet ? 0 : PACKAGE_BUILD_PROGRESS), top,
				    &entries, err);
	if (!ret)
		ret = refs_update(ws->refs, "HEAD", top, NULL,
				  REFS_OLD_ABSENT, err);
	strbuf_release(&missing);
	return ret;
}

int export_publish(struct export_pkg *p, const char *registry,
		   const char *message, int quiet, struct object_id *top,
		   struct strbuf *registry_url_out, struct strbuf *err)
{
	struct push_request rq = { 0 };
	struct push_stats stats = { 0 };
	struct strbuf url = STRBUF_INIT;
	int ret;

	ret = build(p, message, quiet, top, err);
	/* the caller's remotes name registries, not the scratch's */
	if (!ret)
		ret = porcelain_registry_url(p->caller, registry, &url, err);
	if (!ret)
		ret = idx_commit(p->scratch->idx, err);
	rq.registry = url.buf;
	rq.name = p->name;
	rq.with_data = rq.with_manifest = 1;
	rq.quiet = quiet;
	rq.on_latest = 1;
	if (!ret)
		ret = push_run(p->scratch, &rq, top, &stats, registry_url_out,
			       err);
	strbuf_release(&url);
	return ret;
}

void export_end(struct export_pkg *p)
{
	if (!p)
		return;
	if (p->scratch->idx)
		idx_rollback(p->scratch->idx);
	workspace_free(p->scratch);
	remove_tempdir(p->tmp);
	json_free(p->meta);
	free(p->name);
	free(p);
}

char *export_default_root(const char *db_url)
{
	const char *file = db_file(db_url);
	char *abs, *slash;

	if (!file)	/* a server's: paths are the user's, from here */
		return absolute_path(".");
	abs = absolute_path(file);
	slash = strrchr(abs, '/');

	if (slash == abs)
		slash[1] = '\0';
	else if (slash)
		*slash = '\0';
	return abs;
}
