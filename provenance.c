#include "quire-compat.h"
#include "provenance.h"
#include "rev-url.h"
#include "chunked-hash.h"
#include "manifest.h"
#include "porcelain.h"
#include "redact.h"
#include "registry.h"
#include "run-command.h"
#include "workspace.h"

/* git's answers are short; git status may list many files */
#define GIT_OUTPUT_MAX (1u << 20)

int provenance_opts_given(const struct provenance_opts *o)
{
	return o->parents.nr || o->source_url || o->source_version ||
	       o->source_commit || o->from_git || o->allow_dirty ||
	       o->inputs.nr || o->env.nr;
}

void provenance_opts_release(struct provenance_opts *o)
{
	string_list_clear(&o->parents);
	string_list_clear(&o->inputs);
	string_list_clear(&o->env);
}

static void set_string(struct json *obj, const char *key, const char *val)
{
	json_object_set(obj, key, strlen(key),
			json_new_string(val, strlen(val)));
}

/* The documented order of the members; unknown ones go last. */
static size_t member_rank(const char *key)
{
	static const char *const order[] = {
		"parents", "source", "inputs", "environment"
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(order); i++)
		if (!strcmp(key, order[i]))
			return i;
	return ARRAY_SIZE(order);
}

/* Put prov's members in the documented order (a stable sort). */
static void order_members(struct json *prov)
{
	struct json_member *m = prov->u.obj.m, tmp;
	size_t i, j;

	for (i = 1; i < prov->u.obj.nr; i++) {
		tmp = m[i];
		for (j = i; j > 0 && member_rank(m[j - 1].key) >
				     member_rank(tmp.key); j--)
			m[j] = m[j - 1];
		m[j] = tmp;
	}
}

/* A URL as it may be recorded: nothing secret goes into a manifest. */
static void set_url(struct json *obj, const char *key, const char *url)
{
	struct strbuf sb = STRBUF_INIT;

	redact_url_to_record(&sb, url);
	set_string(obj, key, sb.buf);
	strbuf_release(&sb);
}

/* parents */

int provenance_parent_parse(const char *arg, char **registry, char **rev,
			    struct strbuf *err)
{
	struct rev_url u;
	int ret = rev_url_parse(&u, arg, err);

	*registry = *rev = NULL;
	if (ret)
		return ret;
	/* a URI to one entry (&path=) names its version as a parent */
	free(u.path);
	*registry = u.registry;
	*rev = u.rev;
	return 0;
}

static struct json *parent_record(const char *name, const char *registry,
				  const struct object_id *top)
{
	struct json *p = json_new_object();

	set_string(p, "name", name);
	set_url(p, "registry", registry);
	set_string(p, "top_hash", oid_to_hex(top));
	return p;
}

/* Resolve a package revision in an open registry, to a stored manifest. */
static int resolve_in(struct registry *reg, const char *rev_arg,
		      struct package_rev *rev, struct object_id *top,
		      struct strbuf *why)
{
	int ret;

	if (package_rev_parse(rev, rev_arg, why) < 0)
		return QERR_USAGE;
	ret = registry_resolve(reg, rev, top, why);
	if (!ret && !registry_has_manifest(reg, top)) {
		strbuf_addf(why, "%s has no manifest %s", registry_url(reg),
			    oid_to_hex(top));
		ret = QERR_NOTFOUND;
	}
	return ret;
}

static int resolve_parent(struct workspace *ws, const char *arg,
			  struct json **out, struct strbuf *err)
{
	struct strbuf why = STRBUF_INIT;
	struct package_rev rev;
	struct registry *reg = NULL;
	struct object_id top;
	char *reg_arg = NULL, *rev_arg = NULL;
	int ret;

	memset(&rev, 0, sizeof(rev));
	ret = provenance_parent_parse(arg, &reg_arg, &rev_arg, &why);
	if (!ret && !package_rev_like(rev_arg)) {
		strbuf_addf(&why, "'%s' is not a package; name it as "
			    "<ns>/<name>[:<tag>|@<hash>]", rev_arg);
		ret = QERR_USAGE;
	}
	if (!ret)
		ret = porcelain_registry(ws, reg_arg, 0, &reg, &why);
	if (!ret)
		ret = resolve_in(reg, rev_arg, &rev, &top, &why);
	if (ret) {
		strbuf_addstr(err, "parent '");
		redact_url(err, arg);
		strbuf_addf(err, "': %s%s", why.buf,
			    ret == QERR_USAGE || strchr(why.buf, ';') ? "" :
			    "; check it, or push the parent first");
	} else {
		*out = parent_record(rev.name, registry_url(reg), &top);
	}
	package_rev_release(&rev);
	registry_free(reg);
	free(reg_arg);
	free(rev_arg);
	strbuf_release(&why);
	return ret;
}

static int same_parent(const struct json *a, const struct json *b)
{
	return json_equal(json_object_get(a, "registry"),
			  json_object_get(b, "registry")) &&
	       json_equal(json_object_get(a, "top_hash"),
			  json_object_get(b, "top_hash"));
}

/* The parents, each once; *out stays NULL when none were given. */
static int build_parents(struct workspace *ws, const struct string_list *l,
			 struct json **out, struct strbuf *err)
{
	struct json *arr, *p;
	size_t i, j;
	int ret = 0;

	*out = NULL;
	if (!l->nr)
		return 0;
	arr = json_new_array();
	for (i = 0; !ret && i < l->nr; i++) {
		ret = resolve_parent(ws, l->items[i], &p, err);
		if (ret)
			break;
		for (j = 0; j < arr->u.arr.nr; j++)
			if (same_parent(arr->u.arr.v[j], p))
				break;
		if (j < arr->u.arr.nr)
			json_free(p);
		else
			json_array_append(arr, p);
	}
	if (ret)
		json_free(arr);
	else
		*out = arr;
	return ret;
}

/* source, from git */

struct git_source {
	struct strbuf url, version, commit;
	int dirty;
};

/* Run git; its output, trimmed, in out. Its exit status, or < 0. */
static int git_run(const char *const *argv, struct strbuf *out,
		   struct strbuf *err)
{
	struct strbuf why = STRBUF_INIT;
	int ret;

	strbuf_reset(out);
	ret = run_command_capture(argv, RUN_COMMAND_QUIET, out,
				  GIT_OUTPUT_MAX, &why);
	if (ret == QERR_NOTFOUND)
		strbuf_addf(err, "--from-git needs git: %s", why.buf);
	else if (ret < 0)
		strbuf_addbuf(err, &why);
	strbuf_trim(out);
	strbuf_release(&why);
	return ret;
}

static int git_in_work_tree(struct strbuf *out, struct strbuf *err)
{
	const char *argv[] = {
		"git", "rev-parse", "--is-inside-work-tree", NULL
	};
	int ret = git_run(argv, out, err);

	if (ret < 0)
		return ret;
	if (ret || strcmp(out->buf, "true")) {
		strbuf_addstr(err, "not in a git repository (or any of its "
			      "parent folders); leave out --from-git, or "
			      "give --source-url, --source-version and "
			      "--source-commit");
		return QERR_NOTFOUND;
	}
	return 0;
}

static int git_commit(struct git_source *g, struct strbuf *err)
{
	const char *argv[] = {
		"git", "rev-parse", "--verify", "-q", "HEAD^{commit}", NULL
	};
	int ret = git_run(argv, &g->commit, err);

	if (ret > 0 || (!ret && !g->commit.len)) {
		strbuf_addstr(err, "the git repository has no commit yet; "
			      "commit first, or leave out --from-git");
		return QERR_NOTFOUND;
	}
	return ret;
}

static int git_version(struct git_source *g, struct strbuf *err)
{
	const char *argv[] = {
		"git", "describe", "--tags", "--always", NULL
	};
	int ret = git_run(argv, &g->version, err);

	if (ret > 0) {
		strbuf_addstr(err, "'git describe --tags --always' failed; "
			      "give --source-version");
		return QERR_GENERIC;
	}
	return ret;
}

/* The URL of the origin remote; none (and no error) without one. */
static int git_url(struct git_source *g, struct strbuf *err)
{
	const char *argv[] = { "git", "remote", "get-url", "origin", NULL };
	struct strbuf raw = STRBUF_INIT;
	int ret = git_run(argv, &raw, err);

	if (!ret && raw.len)
		redact_url_to_record(&g->url, raw.buf);
	strbuf_release(&raw);
	return ret < 0 ? ret : 0;
}

/*
 * Does the work tree differ from HEAD (untracked files included)? quire
 * workspaces' own .quire folders do not count. The first line goes to
 * first. 1, 0, or < 0.
 */
static int git_dirty(struct strbuf *first, struct strbuf *err)
{
	const char *argv[] = {
		"git", "status", "--porcelain", "--untracked-files=normal",
		"--", ":/", ":(top,exclude,glob)**/.quire/**", NULL
	};
	struct strbuf out = STRBUF_INIT, why = STRBUF_INIT;
	int ret = run_command_capture(argv, RUN_COMMAND_QUIET, &out,
				      GIT_OUTPUT_MAX, &why);
	size_t len;

	if (ret == QERR_CORRUPT) {
		ret = 1;	/* pages of changes */
	} else if (ret < 0) {
		strbuf_addbuf(err, &why);
	} else if (ret > 0) {
		strbuf_addstr(err, "'git status' failed; run it to see why");
		ret = QERR_GENERIC;
	} else if (!ret && out.len) {
		len = strcspn(out.buf, "\n");
		if (len > 3)	/* "XY <path>" */
			strbuf_add(first, out.buf + 3, len - 3);
		ret = 1;
	}
	strbuf_release(&out);
	strbuf_release(&why);
	return ret;
}

static int git_source(int allow_dirty, struct git_source *g,
		      struct strbuf *err)
{
	struct strbuf tmp = STRBUF_INIT;
	int ret;

	ret = git_in_work_tree(&tmp, err);
	if (!ret)
		ret = git_commit(g, err);
	if (!ret)
		ret = git_version(g, err);
	if (!ret)
		ret = git_url(g, err);
	strbuf_reset(&tmp);
	if (!ret)
		ret = git_dirty(&tmp, err);
	if (ret == 1 && !allow_dirty) {
		strbuf_addstr(err, "the git work tree has uncommitted changes");
		if (tmp.len)
			strbuf_addf(err, " (first: '%s')", tmp.buf);
		strbuf_addstr(err, "; commit them, or pass --allow-dirty to "
			      "record that it was dirty");
		ret = QERR_STALE;
	} else if (ret == 1) {
		g->dirty = 1;
		ret = 0;
	}
	strbuf_release(&tmp);
	return ret;
}

/* The explicit value when given ("" leaves the field out), else git's. */
static const char *pick(const char *given, const struct strbuf *found)
{
	if (given)
		return *given ? given : NULL;
	return found->len ? found->buf : NULL;
}

static int build_source(const struct provenance_opts *o, struct json **out,
			struct strbuf *err)
{
	struct git_source g = { STRBUF_INIT, STRBUF_INIT, STRBUF_INIT, 0 };
	const char *url, *version, *commit;
	int ret = 0;

	*out = NULL;
	if (o->from_git)
		ret = git_source(o->allow_dirty, &g, err);
	url = pick(o->source_url, &g.url);
	version = pick(o->source_version, &g.version);
	commit = pick(o->source_commit, &g.commit);
	if (!ret && (url || version || commit || g.dirty)) {
		*out = json_new_object();
		if (url)
			set_url(*out, "url", url);
		if (version)
			set_string(*out, "version", version);
		if (commit)
			set_string(*out, "commit", commit);
		if (g.dirty)
			json_object_set(*out, "dirty", 5, json_new_bool(1));
	}
	strbuf_release(&g.url);
	strbuf_release(&g.version);
	strbuf_release(&g.commit);
	return ret;
}

/* inputs */

static int is_url(const char *s)
{
	return !!strstr(s, "://");
}

static int check_input(const char *path, struct strbuf *err)
{
	struct stat st;
	int e;

	if (stat(path, &st) < 0) {
		e = errno;
		strbuf_addf(err, "input '%s': %s; give an existing file, or "
			    "a URL", path, strerror(e));
		return e == ENOENT ? QERR_NOTFOUND : QERR_GENERIC;
	}
	if (S_ISDIR(st.st_mode)) {
		strbuf_addf(err, "input '%s' is a folder; give its files, "
			    "one --input each", path);
		return QERR_USAGE;
	}
	if (!S_ISREG(st.st_mode)) {
		strbuf_addf(err, "input '%s' is not a regular file", path);
		return QERR_USAGE;
	}
	return 0;
}

static struct json *url_input(const char *url)
{
	struct json *rec = json_new_object();

	set_url(rec, "url", url);
	return rec;
}

static struct json *file_input(const char *abs, uint64_t size,
			       const struct object_id *oid)
{
	struct json *rec = json_new_object(), *hash = json_new_object();

	set_string(rec, "path", abs);
	json_object_set(rec, "size", 4, json_new_uint(size));
	set_string(hash, "type", hash_type_name(oid->type));
	set_string(hash, "value", oid_to_value(oid));
	json_object_set(rec, "hash", 4, hash);
	return rec;
}

static void append_input(struct json *prov, struct json *rec)
{
	struct json *arr = json_object_get(prov, "inputs");

	if (!arr || arr->type != JSON_ARRAY) {
		arr = json_new_array();
		json_object_set(prov, "inputs", 6, arr);
		order_members(prov);
	}
	json_array_append(arr, rec);
}

int provenance_add_input(struct json *prov, const char *input,
			 struct strbuf *err)
{
	struct object_id oid;
	uint64_t size;
	char *abs;
	int ret;

	if (is_url(input)) {
		append_input(prov, url_input(input));
		return 0;
	}
	ret = check_input(input, err);
	if (ret)
		return ret;
	abs = absolute_path(input);
	ret = hash_path(abs, HASH_SHA2_256_CHUNKED, &oid, &size, err);
	if (!ret)
		append_input(prov, file_input(abs, size, &oid));
	free(abs);
	return ret;
}

/* Hash the local inputs (in parallel) and append every record. */
static int hash_inputs(struct json *prov, const struct string_list *l,
		       struct strbuf *err)
{
	struct hash_job *jobs = xcalloc(l->nr ? l->nr : 1, sizeof(*jobs));
	char **abs = xcalloc(l->nr ? l->nr : 1, sizeof(*abs));
	size_t i, nr = 0, k;
	int ret;

	for (i = 0; i < l->nr; i++) {
		if (is_url(l->items[i]))
			continue;
		abs[nr] = absolute_path(l->items[i]);
		hash_job_init(&jobs[nr], abs[nr], -1, HASH_SHA2_256_CHUNKED);
		nr++;
	}
	ret = nr ? hash_files(jobs, nr, 0) : 0;
	for (k = 0; ret && k < nr; k++)
		if (jobs[k].ret) {
			strbuf_addf(err, "input '%s': %s", abs[k],
				    jobs[k].err.buf);
			break;
		}
	for (i = 0, k = 0; !ret && i < l->nr; i++) {
		if (is_url(l->items[i])) {
			append_input(prov, url_input(l->items[i]));
			continue;
		}
		append_input(prov, file_input(abs[k], jobs[k].size,
					      &jobs[k].oid));
		k++;
	}
	for (k = 0; k < nr; k++) {
		hash_job_release(&jobs[k]);
		free(abs[k]);
	}
	free(jobs);
	free(abs);
	return ret;
}

static int check_inputs(const struct string_list *l, struct strbuf *err)
{
	size_t i;
	int ret = 0;

	for (i = 0; !ret && i < l->nr; i++)
		if (!is_url(l->items[i]))
			ret = check_input(l->items[i], err);
	return ret;
}

/* environment */

static int check_env(const struct string_list *l, struct strbuf *err)
{
	size_t i;

	for (i = 0; i < l->nr; i++) {
		const char *eq = strchr(l->items[i], '=');

		if (!eq || eq == l->items[i]) {
			strbuf_addf(err, "--env '%s' is not KEY=VALUE; write "
				    "it like --env image=python:3.12",
				    l->items[i]);
			return QERR_USAGE;
		}
	}
	return 0;
}

static struct json *build_env(const struct string_list *l)
{
	struct json *obj;
	size_t i;

	if (!l->nr)
		return NULL;
	obj = json_new_object();
	for (i = 0; i < l->nr; i++) {
		const char *eq = strchr(l->items[i], '=');

		json_object_set(obj, l->items[i], eq - l->items[i],
				json_new_string(eq + 1, strlen(eq + 1)));
	}
	return obj;
}

/* The checks that cost nothing, before git, registries and hashing. */
static int check_opts(const struct provenance_opts *o, struct strbuf *err)
{
	int ret = check_env(&o->env, err);

	if (!ret && o->allow_dirty && !o->from_git) {
		strbuf_addstr(err, "--allow-dirty goes with --from-git");
		ret = QERR_USAGE;
	}
	if (!ret)
		ret = check_inputs(&o->inputs, err);
	return ret;
}

int provenance_build(struct workspace *ws, const struct provenance_opts *o,
		     struct json **out, struct strbuf *err)
{
	struct json *prov = json_new_object(), *parents = NULL;
	struct json *source = NULL, *env;
	int ret;

	ret = check_opts(o, err);
	if (!ret)
		ret = build_source(o, &source, err);
	if (!ret)
		ret = build_parents(ws, &o->parents, &parents, err);
	if (parents)
		json_object_set(prov, "parents", 7, parents);
	if (source)
		json_object_set(prov, "source", 6, source);
	if (!ret)
		ret = hash_inputs(prov, &o->inputs, err);
	env = ret ? NULL : build_env(&o->env);
	if (env)
		json_object_set(prov, "environment", 11, env);
	if (ret)
		json_free(prov);
	else
		*out = prov;
	return ret;
}

/* reading and checking */

static const struct json *field_at(const struct json *prov, const char *path)
{
	const struct json *cur = prov;
	size_t len;

	while (cur && *path) {
		if (cur->type != JSON_OBJECT)
			return NULL;
		len = strcspn(path, ".");
		cur = json_object_getn(cur, path, len);
		path += len;
		if (*path)
			path++;
	}
	return cur;
}

int provenance_has(const struct json *prov, const char *path)
{
	const struct json *v = prov ? field_at(prov, path) : NULL;

	if (!v)
		return 0;
	switch (v->type) {
	case JSON_NULL:
		return 0;
	case JSON_STRING:
		return v->u.str.len > 0;
	case JSON_ARRAY:
		return v->u.arr.nr > 0;
	case JSON_OBJECT:
		return v->u.obj.nr > 0;
	default:
		return 1;
	}
}

/* The 'quire commit' option that records field, into out. */
static void field_option(const char *field, struct strbuf *out)
{
	static const char *const map[][2] = {
		{ "parents", "--parent ..." },
		{ "source.url", "--source-url ..." },
		{ "source.version", "--source-version ..." },
		{ "source.commit", "--source-commit ..." },
		{ "source.dirty", "--from-git --allow-dirty" },
		{ "source", "--from-git" },
		{ "inputs", "--input ..." },
	};
	size_t i, len;

	if (!strncmp(field, "environment.", 12)) {
		strbuf_addf(out, "--env %s=...", field + 12);
		return;
	}
	if (!strcmp(field, "environment")) {
		strbuf_addstr(out, "--env ...");
		return;
	}
	for (i = 0; i < ARRAY_SIZE(map); i++) {
		len = strlen(map[i][0]);
		if (!strncmp(field, map[i][0], len) &&
		    (!field[len] || field[len] == '.')) {
			strbuf_addstr(out, map[i][1]);
			return;
		}
	}
}

/* Append opt to the space-separated list opts, unless it is there. */
static void add_option(struct strbuf *opts, const struct strbuf *opt)
{
	const char *p = opts->buf;

	if (!opt->len)
		return;
	while ((p = strstr(p, opt->buf))) {
		if ((p == opts->buf || p[-1] == ' ') &&
		    (!p[opt->len] || p[opt->len] == ' '))
			return;
		p++;
	}
	if (opts->len)
		strbuf_addch(opts, ' ');
	strbuf_addbuf(opts, opt);
}

int provenance_check_required(const struct json *prov,
			      const struct string_list *required,
			      const char *where, struct strbuf *err)
{
	struct strbuf missing = STRBUF_INIT, opts = STRBUF_INIT;
	struct strbuf opt = STRBUF_INIT;
	size_t i;
	int ret = 0;

	for (i = 0; i < required->nr; i++) {
		if (provenance_has(prov, required->items[i]))
			continue;
		strbuf_addf(&missing, "%s%s", missing.len ? ", " : "",
			    required->items[i]);
		strbuf_reset(&opt);
		field_option(required->items[i], &opt);
		add_option(&opts, &opt);
	}
	if (missing.len) {
		strbuf_addf(err, "%s requires provenance: %s; ", where,
			    missing.buf);
		if (opts.len)
			strbuf_addf(err, "record them with 'quire commit %s'",
				    opts.buf);
		else
			strbuf_addstr(err, "record them in the package's "
				      "\"provenance\" (see quire-commit(1))");
		ret = QERR_USAGE;
	}
	strbuf_release(&missing);
	strbuf_release(&opts);
	strbuf_release(&opt);
	return ret;
}
