/*
 * _quire.PackageBuilder: a workspace folder seen from Python, doing what
 * quire init, add, set, meta --package, commit (build-manifest),
 * push-data, push-manifest and push do, through the same library calls
 * and with the same messages. quire/builder.py wraps it (JSON in and
 * out, as_package()).
 *
 * The GIL is released around every library call that stages, hashes or
 * pushes. The library keeps process-wide state (the open index
 * transaction die() rolls back, progress meters), so those calls run one
 * at a time in the process, under library_lock.
 */
#include "pyquire.h"
#include "merge.h"
#include "pythread.h"
#include "commit.h"
#include "error.h"
#include "index-db.h"
#include "json.h"
#include "logical-key.h"
#include "package.h"
#include "porcelain.h"
#include "push.h"
#include "refs/refs.h"
#include "registry.h"
#include "stage.h"
#include "status.h"
#include "workspace.h"

struct builder {
	PyObject_HEAD
	struct workspace *ws;
	char *registry;		/* NULL: the origin remote, then the default */
};

static PyThread_type_lock library_lock;

/* Run stmt without the GIL, holding library_lock. */
#define UNLOCKED(stmt) do { \
	Py_BEGIN_ALLOW_THREADS \
	PyThread_acquire_lock(library_lock, WAIT_LOCK); \
	stmt; \
	PyThread_release_lock(library_lock); \
	Py_END_ALLOW_THREADS \
} while (0)

static int builder_ready(struct builder *b)
{
	if (b->ws)
		return 0;
	PyErr_SetString(pyquire_UsageError, "this PackageBuilder has no "
			"workspace; create it with PackageBuilder(\"ns/name\") "
			"or PackageBuilder.open(dir)");
	return -1;
}

/* A str argument that must be there, as UTF-8 borrowed from o. */
static int need_str(PyObject *o, const char *name, const char **out)
{
	if (pyquire_opt_str(o, name, out) < 0)
		return -1;
	if (*out)
		return 0;
	PyErr_Format(PyExc_TypeError, "%s must be a str", name);
	return -1;
}

/* A JSON object given as text (builder.py dumps it); NULL: none. */
static int parse_object(const char *text, const char *what,
			struct json **out)
{
	struct strbuf err = STRBUF_INIT;

	*out = NULL;
	if (!text)
		return 0;
	if (json_parse(text, strlen(text), out, &err) < 0) {
		pyquire_raise(QERR_USAGE, &err, "not valid JSON");
		strbuf_release(&err);
		return -1;
	}
	if ((*out)->type == JSON_OBJECT)
		return 0;
	json_free(*out);
	*out = NULL;
	PyErr_Format(pyquire_UsageError, "%s must be a dict", what);
	return -1;
}

/*
 * Open the workspace at dir for the package name: make dir one as
 * 'quire init <name>' does when it is none, else open it, refusing a
 * workspace of another package (one without a name takes this one).
 */
static int open_for(const char *dir, const char *name, struct workspace **ws,
		    struct strbuf *err)
{
	struct strbuf exclude = STRBUF_INIT;
	const char *have;
	int wrote = 0, ret;

	ret = workspace_init(dir, name, &wrote, &exclude, err);
	strbuf_release(&exclude);
	if (ret == QERR_EXISTS) {
		strbuf_reset(err);
		ret = 0;
	}
	if (!ret)
		ret = workspace_discover(dir, ws, err);
	if (ret < 0)
		return ret;
	have = workspace_package_name(*ws);
	if (!have)
		return workspace_config_set(*ws, "package.name", name, err);
	if (!strcmp(have, name))
		return 0;
	strbuf_addf(err, "'%s' is the workspace of %s, not %s; give another "
		    "dir, or open it with PackageBuilder.open()",
		    (*ws)->root, have, name);
	return QERR_USAGE;
}

/* PackageBuilder.open(dir): the workspace holding dir, named. */
static int open_existing(const char *dir, struct workspace **ws,
			 struct strbuf *err)
{
	int ret = workspace_discover(dir, ws, err);

	if (ret == QERR_NOTFOUND) {
		strbuf_reset(err);
		strbuf_addf(err, "'%s' is not in a quire workspace; create one "
			    "with PackageBuilder(\"ns/name\", dir=...)", dir);
		return ret;
	}
	if (!ret && !workspace_package_name(*ws)) {
		strbuf_addf(err, "the workspace '%s' has no package name; "
			    "create the builder with its name: "
			    "PackageBuilder(\"ns/name\", dir=...)",
			    (*ws)->root);
		ret = QERR_USAGE;
	}
	return ret;
}

static int builder_init(PyObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "name", "dir", "registry", NULL };
	struct builder *b = (struct builder *)self;
	struct strbuf err = STRBUF_INIT;
	PyObject *name_o = Py_None, *dir_o = Py_None, *reg_o = Py_None;
	const char *name, *dir, *registry;
	struct workspace *ws = NULL;
	int ret;

	if (!PyArg_ParseTupleAndKeywords(args, kw, "|OOO", kwlist, &name_o,
					 &dir_o, &reg_o) ||
	    pyquire_opt_str(name_o, "name", &name) < 0 ||
	    pyquire_opt_str(dir_o, "dir", &dir) < 0 ||
	    pyquire_opt_str(reg_o, "registry", &registry) < 0)
		return -1;
	if (!dir)
		dir = ".";
	if (name && package_name_check(name, &err) < 0) {
		pyquire_raise(QERR_USAGE, &err, "bad package name");
		strbuf_release(&err);
		return -1;
	}
	if (name)
		UNLOCKED(ret = open_for(dir, name, &ws, &err));
	else
		UNLOCKED(ret = open_existing(dir, &ws, &err));
	if (ret < 0) {
		if (ws)
			workspace_free(ws);
		pyquire_raise(ret, &err, "cannot open the workspace");
		strbuf_release(&err);
		return -1;
	}
	if (b->ws)
		workspace_free(b->ws);
	free(b->registry);
	b->ws = ws;
	b->registry = registry ? xstrdup(registry) : NULL;
	strbuf_release(&err);
	return 0;
}

static void builder_dealloc(PyObject *self)
{
	struct builder *b = (struct builder *)self;

	if (b->ws)
		workspace_free(b->ws);
	free(b->registry);
	Py_TYPE(self)->tp_free(self);
}

/* Run fn(ws, payload, err) in an index write transaction. */
typedef int staged_fn(struct workspace *ws, void *payload,
		      struct strbuf *err);

static int in_transaction(struct workspace *ws, staged_fn *fn, void *payload,
			  struct strbuf *err)
{
	int ret = workspace_index(ws, err);

	if (!ret)
		ret = idx_begin_write(ws->idx, err);
	if (ret < 0)
		return ret;
	ret = fn(ws, payload, err);
	if (!ret)
		ret = idx_commit(ws->idx, err);
	if (ret < 0)
		idx_rollback(ws->idx);
	return ret;
}

static PyObject *run_staged(struct builder *b, staged_fn *fn, void *payload)
{
	struct strbuf err = STRBUF_INIT;
	int ret;

	UNLOCKED(ret = in_transaction(b->ws, fn, payload, &err));
	if (ret < 0) {
		pyquire_raise(ret, &err, "cannot stage");
		strbuf_release(&err);
		return NULL;
	}
	strbuf_release(&err);
	Py_RETURN_NONE;
}

struct add_args {
	const char *path, *prefix;
	unsigned flags;
	struct stage_stats stats;
};

static int do_add(struct workspace *ws, void *payload, struct strbuf *err)
{
	struct add_args *a = payload;

	return stage_add_paths(ws, &a->path, 1, a->prefix, a->flags, NULL,
			       &a->stats, err);
}

/* add(path, prefix=None, force=False): quire add [--as prefix] path */
static PyObject *builder_add(PyObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "path", "prefix", "force", NULL };
	struct builder *b = (struct builder *)self;
	struct add_args a = { NULL, NULL, 0, { 0 } };
	PyObject *path_o, *prefix_o = Py_None, *ret;
	int force = 0;

	if (builder_ready(b) < 0 ||
	    !PyArg_ParseTupleAndKeywords(args, kw, "O|Op", kwlist, &path_o,
					 &prefix_o, &force) ||
	    need_str(path_o, "path", &a.path) < 0 ||
	    pyquire_opt_str(prefix_o, "prefix", &a.prefix) < 0)
		return NULL;
	a.flags = force ? STAGE_ADD_FORCE : 0;
	ret = run_staged(b, do_add, &a);
	if (!ret)
		return NULL;
	Py_DECREF(ret);
	return PyLong_FromUnsignedLongLong(a.stats.added);
}

struct set_args {
	const char *key, *path;
	struct stage_set_meta m;
};

static int do_set(struct workspace *ws, void *payload, struct strbuf *err)
{
	struct set_args *a = payload;
	int ret = stage_set(ws, a->key, a->path, &a->m, NULL, err);

	if (ret == QERR_NOTFOUND && !a->path)
		strbuf_addstr(err, "; give the path of its file to stage it");
	return ret;
}

/* A file to stage under key, as 'quire set' checks them. */
static int check_set(const char *key, const char *path)
{
	struct strbuf err = STRBUF_INIT;
	struct stat st;

	if (logical_key_check(key, strlen(key), 0, &err) < 0) {
		pyquire_raise(QERR_USAGE, &err, "bad logical key");
		strbuf_release(&err);
		return -1;
	}
	if (path && (stat(path, &st) < 0 || !S_ISREG(st.st_mode))) {
		PyErr_Format(pyquire_UsageError, "'%s' is not a file", path);
		return -1;
	}
	return 0;
}

/*
 * set(key, path=None, meta=None, spec=None, spec_kwargs=None,
 * drop_spec=False), meta and spec_kwargs as JSON text: quire set.
 */
static PyObject *builder_set(PyObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "key", "path", "meta", "spec",
				  "spec_kwargs", "drop_spec", NULL };
	struct builder *b = (struct builder *)self;
	struct set_args a = { NULL, NULL, { NULL, NULL, NULL, 0 } };
	PyObject *key_o, *path_o = Py_None, *meta_o = Py_None;
	PyObject *spec_o = Py_None, *kwargs_o = Py_None, *ret;
	const char *meta, *kwargs;

	if (builder_ready(b) < 0 ||
	    !PyArg_ParseTupleAndKeywords(args, kw, "O|OOOOp", kwlist, &key_o,
					 &path_o, &meta_o, &spec_o, &kwargs_o,
					 &a.m.drop_spec) ||
	    need_str(key_o, "key", &a.key) < 0 ||
	    pyquire_opt_str(path_o, "path", &a.path) < 0 ||
	    pyquire_opt_str(meta_o, "meta", &meta) < 0 ||
	    pyquire_opt_str(spec_o, "spec", &a.m.spec) < 0 ||
	    pyquire_opt_str(kwargs_o, "spec_kwargs", &kwargs) < 0 ||
	    check_set(a.key, a.path) < 0)
		return NULL;
	if (parse_object(meta, "meta", &a.m.user) < 0)
		return NULL;
	if (parse_object(kwargs, "spec_kwargs", &a.m.kwargs) < 0) {
		json_free(a.m.user);
		return NULL;
	}
	ret = run_staged(b, do_set, &a);
	/* stage_set() took them, unless the transaction did not start */
	json_free(a.m.user);
	json_free(a.m.kwargs);
	return ret;
}

static int do_set_meta(struct workspace *ws, void *payload,
		       struct strbuf *err)
{
	struct json **user = payload, *j = *user;

	*user = NULL;	/* taken */
	return package_user_meta_set(ws, j, err);
}

/* set_meta(meta), as JSON text: quire meta --package <json> */
static PyObject *builder_set_meta(PyObject *self, PyObject *arg)
{
	struct builder *b = (struct builder *)self;
	struct json *user;
	const char *text;
	PyObject *ret;

	if (builder_ready(b) < 0 || need_str(arg, "meta", &text) < 0 ||
	    parse_object(text, "meta", &user) < 0)
		return NULL;
	ret = run_staged(b, do_set_meta, &user);
	json_free(user);
	return ret;
}

/*
 * merge(revision, registry=None, prefix=None, overwrite=False): quire
 * merge; stages a version's entries with their physical keys (nothing is
 * copied). Returns the number of entries merged.
 */
static PyObject *builder_merge(PyObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "revision", "registry", "prefix",
				  "overwrite", NULL };
	struct builder *b = (struct builder *)self;
	struct strbuf err = STRBUF_INIT;
	struct merge_opts o = { 0 };
	struct merge_result res;
	PyObject *reg_o = Py_None, *prefix_o = Py_None;
	const char *rev;
	int ret;

	if (builder_ready(b) < 0 ||
	    !PyArg_ParseTupleAndKeywords(args, kw, "s|OOp", kwlist, &rev,
					 &reg_o, &prefix_o, &o.overwrite) ||
	    pyquire_opt_str(reg_o, "registry", &o.registry) < 0 ||
	    pyquire_opt_str(prefix_o, "prefix", &o.prefix) < 0)
		return NULL;
	UNLOCKED(ret = package_merge(b->ws, rev, &o, &res, &err));
	if (ret < 0) {
		pyquire_raise(ret, &err, "cannot merge");
		strbuf_release(&err);
		return NULL;
	}
	strbuf_release(&err);
	return PyLong_FromSize_t(res.merged);
}

/* build_manifest(message=None, meta=None): quire commit; the top hash */
static PyObject *builder_build(PyObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "message", "meta", NULL };
	struct builder *b = (struct builder *)self;
	struct strbuf err = STRBUF_INIT;
	struct package_commit_result res;
	PyObject *msg_o = Py_None, *meta_o = Py_None;
	const char *message, *meta;
	struct json *user;
	int ret;

	if (builder_ready(b) < 0 ||
	    !PyArg_ParseTupleAndKeywords(args, kw, "|OO", kwlist, &msg_o,
					 &meta_o) ||
	    pyquire_opt_str(msg_o, "message", &message) < 0 ||
	    pyquire_opt_str(meta_o, "meta", &meta) < 0 ||
	    parse_object(meta, "meta", &user) < 0)
		return NULL;
	UNLOCKED(ret = package_commit(b->ws, message, user, NULL, 0, &res,
				      &err));
	if (ret < 0) {
		pyquire_raise(ret, &err, "cannot build the manifest");
		strbuf_release(&err);
		return NULL;
	}
	strbuf_release(&err);
	return pyquire_hex(&res.top);
}

/* The push options of Python's keywords, into rq. */
static int push_args(struct builder *b, PyObject *args, PyObject *kw,
		     struct push_request *rq)
{
	static char *kwlist[] = { "registry", "prefix", "local_files_only",
				  "tag", "force", "force_tag",
				  "allow_local_files", "quiet", NULL };
	PyObject *reg_o = Py_None, *prefix_o = Py_None, *tag_o = Py_None;

	if (!PyArg_ParseTupleAndKeywords(args, kw, "|OOpOpppp", kwlist,
					 &reg_o, &prefix_o,
					 &rq->local_files_only, &tag_o,
					 &rq->opts.force, &rq->opts.force_tag,
					 &rq->opts.allow_local_files,
					 &rq->quiet) ||
	    pyquire_opt_str(reg_o, "registry", &rq->registry) < 0 ||
	    pyquire_opt_str(prefix_o, "prefix", &rq->data_prefix) < 0 ||
	    pyquire_opt_str(tag_o, "tag", &rq->opts.tag) < 0)
		return -1;
	if (!rq->registry)
		rq->registry = b->registry;
	return 0;
}

static int any_staged(char code, const char *key, void *payload)
{
	return 1;
}

/*
 * The seeds' push builds the manifest when it has not been built, or
 * changes were staged since (the CLI's push publishes the last commit
 * and warns): commit first then, with no message.
 */
static int build_if_staged(struct workspace *ws, struct strbuf *err)
{
	struct package_commit_result res;
	struct object_id head;
	int ret = 1;

	if (!refs_read(ws->refs, "HEAD", &head)) {
		ret = workspace_index(ws, err);
		if (!ret)
			ret = package_staged_changes(ws, any_staged, NULL, err);
	}
	if (ret <= 0)
		return ret;
	return package_commit(ws, NULL, NULL, NULL, 0, &res, err);
}

static int build_and_push(struct workspace *ws, struct push_request *rq,
			  struct object_id *top, struct push_stats *stats,
			  struct strbuf *url, struct strbuf *err)
{
	int ret = build_if_staged(ws, err);

	if (!ret)
		ret = push_run(ws, rq, top, stats, url, err);
	return ret;
}

/*
 * The push: {"top_hash": hex or None, "registry": url, "uploaded": n,
 * "reused": n, "bytes": n}.
 */
static PyObject *run_push(struct builder *b, struct push_request *rq)
{
	struct strbuf err = STRBUF_INIT, url = STRBUF_INIT;
	struct push_stats stats = { 0 };
	struct object_id top;
	PyObject *ret = NULL;
	int r;

	UNLOCKED(r = build_and_push(b->ws, rq, &top, &stats, &url, &err));
	if (r < 0) {
		pyquire_raise(r, &err, "cannot push");
		goto out;
	}
	ret = Py_BuildValue("{s:N,s:s,s:K,s:K,s:K}", "top_hash",
			    rq->with_manifest ? pyquire_hex(&top) :
			    Py_NewRef(Py_None), "registry", url.buf,
			    "uploaded", (unsigned long long)stats.uploaded,
			    "reused", (unsigned long long)stats.reused,
			    "bytes", (unsigned long long)stats.bytes);
out:
	strbuf_release(&err);
	strbuf_release(&url);
	return ret;
}

static PyObject *push_with(PyObject *self, PyObject *args, PyObject *kw,
			   int data, int manifest)
{
	struct builder *b = (struct builder *)self;
	struct push_request rq;

	memset(&rq, 0, sizeof(rq));
	if (builder_ready(b) < 0 || push_args(b, args, kw, &rq) < 0)
		return NULL;
	rq.with_data = data;
	rq.with_manifest = manifest;
	return run_push(b, &rq);
}

static PyObject *builder_push_data(PyObject *self, PyObject *args,
				   PyObject *kw)
{
	return push_with(self, args, kw, 1, 0);
}

static PyObject *builder_push_manifest(PyObject *self, PyObject *args,
				       PyObject *kw)
{
	return push_with(self, args, kw, 0, 1);
}

static PyObject *builder_push(PyObject *self, PyObject *args, PyObject *kw)
{
	return push_with(self, args, kw, 1, 1);
}

struct check_result {
	struct object_id top;
	uint64_t local;
	struct strbuf first, url;
	int pushed;
};

/*
 * What as_package() needs to know of HEAD in the registry: how many of
 * its entries point to files of this machine, and whether the registry
 * has its manifest.
 */
static int check_head(struct builder *b, const char *registry,
		      struct check_result *c, struct strbuf *err)
{
	struct registry *reg = NULL;
	int ret;

	if (refs_read(b->ws->refs, "HEAD", &c->top) < 0) {
		strbuf_addstr(err, "no manifest has been built yet; call "
			      "build_manifest() first");
		return QERR_USAGE;
	}
	ret = porcelain_registry(b->ws, registry, 0, &reg, err);
	if (ret == QERR_NOTFOUND) {
		/* a registry not made yet has nothing pushed */
		strbuf_reset(err);
		ret = porcelain_registry_url(b->ws, registry, &c->url, err);
	} else if (!ret) {
		strbuf_addstr(&c->url, registry_url(reg));
	}
	if (!ret)
		ret = push_count_local(b->ws, reg, &c->top, &c->local,
				       &c->first, err);
	if (!ret && reg)
		c->pushed = registry_has_manifest(reg, &c->top);
	registry_free(reg);
	return ret;
}

/*
 * A version only the workspace has, readable as a package all the same:
 * its manifest in a folder registry of the workspace's own,
 * .quire/local-registry (no pointers: only ns/name@hash names it),
 * whose URL goes to url.
 */
static int put_local(struct workspace *ws, const struct object_id *top,
		     struct strbuf *url, struct strbuf *err)
{
	struct strbuf dir = STRBUF_INIT;
	struct registry *reg = NULL;
	FILE *fp = NULL;
	int ret;

	strbuf_addf(&dir, "%s/local-registry", ws->quire_dir);
	ret = registry_open(dir.buf, TRANSPORT_CREATE, &reg, err);
	if (!ret)
		ret = odb_open_manifest(&ws->odb, top, &fp, err);
	if (!ret)
		ret = registry_put_manifest(reg, top, fileno(fp), err);
	if (!ret) {
		strbuf_reset(url);
		strbuf_addstr(url, registry_url(reg));
	}
	if (fp)
		fclose(fp);
	registry_free(reg);
	strbuf_release(&dir);
	return ret;
}

/* check_package()'s answer, once the checks passed */
static PyObject *checked(struct builder *b, struct check_result *c)
{
	struct strbuf err = STRBUF_INIT;
	int r = 0;

	if (!c->pushed)
		UNLOCKED(r = put_local(b->ws, &c->top, &c->url, &err));
	if (r < 0) {
		pyquire_raise(r, &err, "cannot keep the manifest");
		strbuf_release(&err);
		return NULL;
	}
	strbuf_release(&err);
	return Py_BuildValue("(NsO)", pyquire_hex(&c->top), c->url.buf,
			     c->pushed ? Py_True : Py_False);
}

/*
 * check_package(registry=None, allow_local_files=False,
 * allow_local_manifest=False) -> (top hash, registry URL, pushed): the
 * best-practice refusals of as_package() (seed 002's words).
 */
static PyObject *builder_check(PyObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "registry", "allow_local_files",
				  "allow_local_manifest", NULL };
	struct builder *b = (struct builder *)self;
	struct strbuf err = STRBUF_INIT;
	struct check_result c = { { 0 }, 0, STRBUF_INIT, STRBUF_INIT, 0 };
	PyObject *reg_o = Py_None, *ret = NULL;
	const char *registry;
	int local_files = 0, local_manifest = 0, r;

	if (builder_ready(b) < 0 ||
	    !PyArg_ParseTupleAndKeywords(args, kw, "|Opp", kwlist, &reg_o,
					 &local_files, &local_manifest) ||
	    pyquire_opt_str(reg_o, "registry", &registry) < 0)
		return NULL;
	UNLOCKED(r = check_head(b, registry ? registry : b->registry, &c,
				&err));
	if (r < 0)
		pyquire_raise(r, &err, "cannot read the manifest");
	else if (c.local && !local_files)
		PyErr_Format(pyquire_UsageError, "Manifest contains pointers "
			     "to local files. Use push_data() to first push "
			     "those files to s3 or use allow_local_files=True "
			     "if this is intentional (%llu entr%s, first: "
			     "'%s'; registry %s)",
			     (unsigned long long)c.local,
			     c.local == 1 ? "y" : "ies", c.first.buf,
			     c.url.buf);
	else if (!c.pushed && !local_manifest)
		PyErr_Format(pyquire_UsageError, "The manifest has not been "
			     "pushed to a remote repository. Use "
			     "push_manifest() to first push the manifest to s3 "
			     "or use allow_local_manifest=True if this is "
			     "intentional (%s is not in %s)",
			     oid_to_hex(&c.top), c.url.buf);
	else
		ret = checked(b, &c);
	strbuf_release(&c.first);
	strbuf_release(&c.url);
	strbuf_release(&err);
	return ret;
}

static int collect_json(struct workspace *ws, int ignored,
			struct strbuf *out, struct strbuf *err)
{
	struct status s;
	struct json *j;
	int ret;

	memset(&s, 0, sizeof(s));
	ret = status_collect(ws, ignored ? STATUS_IGNORED : 0, &s, err);
	if (!ret) {
		j = status_json(&s, workspace_package_name(ws));
		json_write_python(out, j);
		json_free(j);
	}
	status_release(&s);
	return ret;
}

struct move_args {
	const char *src, *dst;
	int overwrite;
	size_t moved;
};

static int do_move(struct workspace *ws, void *payload, struct strbuf *err)
{
	struct move_args *a = payload;

	return stage_move(ws, a->src, a->dst, a->overwrite, &a->moved, err);
}

/* move(src, dst, overwrite=False): quire mv; how many entries moved */
static PyObject *builder_move(PyObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "src", "dst", "overwrite", NULL };
	struct builder *b = (struct builder *)self;
	struct move_args a = { NULL, NULL, 0, 0 };
	PyObject *ret;

	if (builder_ready(b) < 0 ||
	    !PyArg_ParseTupleAndKeywords(args, kw, "ss|p", kwlist, &a.src,
					 &a.dst, &a.overwrite))
		return NULL;
	ret = run_staged(b, do_move, &a);
	if (!ret)
		return NULL;
	Py_DECREF(ret);
	return PyLong_FromSize_t(a.moved);
}

static int collect_key(const struct idx_entry *e, void *payload)
{
	strbuf_add(payload, e->key, strlen(e->key) + 1);
	return 0;
}

/* staged(prefix=""): the logical keys staged below prefix, in order */
static PyObject *builder_staged(PyObject *self, PyObject *args)
{
	struct builder *b = (struct builder *)self;
	struct strbuf err = STRBUF_INIT, keys = STRBUF_INIT;
	const char *prefix = "";
	PyObject *out = NULL;
	size_t off;
	int r;

	if (builder_ready(b) < 0 || !PyArg_ParseTuple(args, "|s", &prefix))
		return NULL;
	UNLOCKED(r = workspace_index(b->ws, &err);
		 if (!r)
			 r = idx_for_each_entry(b->ws->idx, prefix,
						collect_key, &keys));
	if (r < 0) {
		pyquire_raise(r, &err, "cannot read the index");
		goto out;
	}
	out = PyList_New(0);
	for (off = 0; out && off < keys.len;
	     off += strlen(keys.buf + off) + 1) {
		PyObject *k = PyUnicode_DecodeUTF8(keys.buf + off,
						   strlen(keys.buf + off),
						   "surrogatepass");

		if (!k || PyList_Append(out, k) < 0)
			Py_CLEAR(out);
		Py_XDECREF(k);
	}
out:
	strbuf_release(&err);
	strbuf_release(&keys);
	return out;
}

/* status(ignored=False): 'quire status --json', as JSON text */
static PyObject *builder_status(PyObject *self, PyObject *args, PyObject *kw)
{
	static char *kwlist[] = { "ignored", NULL };
	struct builder *b = (struct builder *)self;
	struct strbuf err = STRBUF_INIT, out = STRBUF_INIT;
	PyObject *ret = NULL;
	int ignored = 0, r;

	if (builder_ready(b) < 0 ||
	    !PyArg_ParseTupleAndKeywords(args, kw, "|p", kwlist, &ignored))
		return NULL;
	UNLOCKED(r = collect_json(b->ws, ignored, &out, &err));
	if (r < 0)
		pyquire_raise(r, &err, "cannot read the status");
	else
		ret = PyUnicode_DecodeUTF8(out.buf, out.len, "replace");
	strbuf_release(&err);
	strbuf_release(&out);
	return ret;
}

static PyObject *builder_get_top_hash(PyObject *self, void *closure)
{
	struct builder *b = (struct builder *)self;
	struct object_id top;

	if (builder_ready(b) < 0)
		return NULL;
	if (refs_read(b->ws->refs, "HEAD", &top) < 0)
		Py_RETURN_NONE;
	return pyquire_hex(&top);
}

static PyObject *builder_get_name(PyObject *self, void *closure)
{
	struct builder *b = (struct builder *)self;
	const char *name;

	if (builder_ready(b) < 0)
		return NULL;
	name = workspace_package_name(b->ws);
	if (!name)
		Py_RETURN_NONE;
	return PyUnicode_FromString(name);
}

static PyObject *builder_get_dir(PyObject *self, void *closure)
{
	struct builder *b = (struct builder *)self;

	if (builder_ready(b) < 0)
		return NULL;
	return PyUnicode_DecodeFSDefault(b->ws->root);
}

static PyObject *builder_get_registry(PyObject *self, void *closure)
{
	struct builder *b = (struct builder *)self;

	if (!b->registry)
		Py_RETURN_NONE;
	return PyUnicode_FromString(b->registry);
}

#define KW (METH_VARARGS | METH_KEYWORDS)
static PyMethodDef builder_methods[] = {
	{ "add", (PyCFunction)(void (*)(void))builder_add, KW,
	  "add(path, prefix=None, force=False): stage a file, a folder or "
	  "an s3:// URL (quire add)" },
	{ "set", (PyCFunction)(void (*)(void))builder_set, KW,
	  "set(key, path=None, meta=None, spec=None, spec_kwargs=None, "
	  "drop_spec=False): one entry (quire set); meta as JSON text" },
	{ "set_meta", builder_set_meta, METH_O,
	  "set_meta(meta): the package's user metadata, JSON text" },
	{ "move", (PyCFunction)(void (*)(void))builder_move, KW,
	  "move(src, dst, overwrite=False): quire mv; how many moved" },
	{ "staged", (PyCFunction)builder_staged, METH_VARARGS,
	  "staged(prefix=''): the logical keys staged below prefix" },
	{ "merge", (PyCFunction)(void (*)(void))builder_merge, KW,
	  "merge(revision, registry=None, prefix=None, overwrite=False): "
	  "quire merge; the number of entries merged" },
	{ "build_manifest", (PyCFunction)(void (*)(void))builder_build, KW,
	  "build_manifest(message=None, meta=None): quire commit; returns "
	  "the top hash" },
	{ "push_data", (PyCFunction)(void (*)(void))builder_push_data, KW,
	  "push_data(registry=None, prefix=None, local_files_only=False)" },
	{ "push_manifest", (PyCFunction)(void (*)(void))builder_push_manifest,
	  KW, "push_manifest(registry=None, tag=None, force=False, "
	  "force_tag=False, allow_local_files=False)" },
	{ "push", (PyCFunction)(void (*)(void))builder_push, KW,
	  "push(...): push_data() then push_manifest()" },
	{ "check_package", (PyCFunction)(void (*)(void))builder_check, KW,
	  "check_package(registry=None, allow_local_files=False, "
	  "allow_local_manifest=False) -> (top_hash, registry, pushed)" },
	{ "status", (PyCFunction)(void (*)(void))builder_status, KW,
	  "status(ignored=False): what quire status --json says, as text" },
	{ NULL, NULL, 0, NULL }
};

static PyGetSetDef builder_getset[] = {
	{ "top_hash", builder_get_top_hash, NULL,
	  "the last built manifest's top hash (HEAD), or None", NULL },
	{ "name", builder_get_name, NULL, "the package, ns/name", NULL },
	{ "dir", builder_get_dir, NULL, "the workspace folder", NULL },
	{ "registry", builder_get_registry, NULL,
	  "the registry pushes go to (None: the origin, else the default)",
	  NULL },
	{ NULL, NULL, NULL, NULL, NULL }
};

static PyTypeObject builder_type = {
	PyVarObject_HEAD_INIT(NULL, 0)
	.tp_name = "_quire.PackageBuilder",
	.tp_basicsize = sizeof(struct builder),
	.tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
	.tp_doc = "PackageBuilder(name=None, dir=None, registry=None): a "
		  "workspace folder to stage, build and push a package version",
	.tp_new = PyType_GenericNew,
	.tp_init = builder_init,
	.tp_dealloc = builder_dealloc,
	.tp_methods = builder_methods,
	.tp_getset = builder_getset,
};

int pyquire_add_builder(PyObject *module)
{
	if (!library_lock)
		library_lock = PyThread_allocate_lock();
	if (!library_lock) {
		PyErr_NoMemory();
		return -1;
	}
	if (PyType_Ready(&builder_type) < 0)
		return -1;
	Py_INCREF(&builder_type);
	if (PyModule_AddObject(module, "PackageBuilder",
			       (PyObject *)&builder_type) < 0) {
		Py_DECREF(&builder_type);
		return -1;
	}
	return 0;
}
