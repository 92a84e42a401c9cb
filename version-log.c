#include "quire-compat.h"
#include "version-log.h"
#include "json-out.h"
#include "manifest.h"
#include "porcelain.h"
#include "refs/refs.h"
#include "registry.h"
#include "rev-url.h"
#include "workspace.h"

/* The tags of a package or workspace, in the order they were listed. */
struct tag {
	struct object_id top;
	char *name;
};

struct tag_list {
	struct tag *v;
	size_t nr, alloc;
};

static void tag_list_add(struct tag_list *t, const char *name,
			 const struct object_id *top)
{
	ALLOC_GROW(t->v, t->nr + 1, t->alloc);
	t->v[t->nr].top = *top;
	t->v[t->nr++].name = xstrdup(name);
}

static void tag_list_release(struct tag_list *t)
{
	size_t i;

	for (i = 0; i < t->nr; i++)
		free(t->v[i].name);
	free(t->v);
}

static int add_local_tag(const char *name, const struct object_id *oid,
			 void *p)
{
	if (!strncmp(name, "refs/tags/", 10))
		tag_list_add(p, name + 10, oid);
	return 0;
}

static int add_registry_tag(const char *tag, const struct object_id *oid,
			    void *p)
{
	tag_list_add(p, tag, oid);
	return 0;
}

/* A version at the end of the log, with the tags naming it. */
static void add_version(struct version_log *log, const struct object_id *top,
			uint64_t time, const char *ref,
			const struct tag_list *tags)
{
	struct version_log_entry *e;
	size_t i;

	ALLOC_GROW(log->v, log->nr + 1, log->alloc);
	e = &log->v[log->nr++];
	memset(e, 0, sizeof(*e));
	e->top = *top;
	e->time = time;
	e->ref = ref;
	for (i = 0; i < tags->nr; i++)
		if (oideq(&tags->v[i].top, top))
			string_list_append(&e->tags, tags->v[i].name);
}

void version_log_release(struct version_log *log)
{
	size_t i;

	for (i = 0; i < log->nr; i++) {
		string_list_clear(&log->v[i].tags);
		free(log->v[i].message);
	}
	free(log->v);
	free(log->name);
	free(log->registry);
	free(log->registry_arg);
	memset(log, 0, sizeof(*log));
}

/* A registry's versions as it lists them, oldest first. */
struct listing {
	struct object_id *tops;
	uint64_t *times;
	size_t nr, alloc;
};

static int collect(uint64_t t, const struct object_id *top, void *p)
{
	struct listing *l = p;

	ALLOC_GROW(l->tops, l->nr + 1, l->alloc);
	l->times = xrealloc(l->times, l->alloc * sizeof(*l->times));
	l->tops[l->nr] = *top;
	l->times[l->nr++] = t;
	return 0;
}

/* Every version, tag and the latest of a package in an open registry. */
static int read_registry(struct version_log *log, struct registry *reg,
			 const char *name, unsigned long max,
			 struct strbuf *err)
{
	struct strbuf ignored = STRBUF_INIT;
	struct tag_list tags = { 0 };
	struct listing l = { 0 };
	struct object_id latest;
	const char *ref;
	int have_latest, ret;
	size_t i;

	/* a package may have versions and no latest, or the reverse */
	have_latest = !registry_read_latest(reg, name, &latest, &ignored);
	ret = registry_for_each_version(reg, name, collect, &l, err);
	if (!ret)
		ret = registry_for_each_tag(reg, name, add_registry_tag, &tags,
					    err);
	if (!ret && !l.nr && !have_latest) {
		strbuf_addf(err, "no package %s in %s", name,
			    registry_url(reg));
		ret = QERR_NOTFOUND;
	}
	for (i = l.nr; !ret && i > 0 && (!max || l.nr - i < max); i--) {
		ref = have_latest && oideq(&l.tops[i - 1], &latest) ?
		      "latest" : NULL;
		add_version(log, &l.tops[i - 1], l.times[i - 1], ref, &tags);
	}
	free(l.tops);
	free(l.times);
	tag_list_release(&tags);
	strbuf_release(&ignored);
	return ret;
}

int version_log_registry(struct version_log *log, struct workspace *ws,
			 const char *registry_arg, const char *arg,
			 unsigned long max, struct strbuf *err)
{
	struct registry *reg = NULL;
	struct rev_url u = { 0 };
	int ret;

	memset(log, 0, sizeof(*log));
	/* the package may name its registry: s3://bucket/ns/name */
	ret = porcelain_rev_url(registry_arg, arg, &u, err);
	if (ret)
		return ret;
	if (package_name_check(u.rev, err) < 0)
		ret = QERR_USAGE;
	else
		ret = porcelain_registry(ws, u.registry, 0, &reg, err);
	if (!ret)
		ret = read_registry(log, reg, u.rev, max, err);
	if (!ret) {
		log->name = xstrdup(u.rev);
		log->registry = xstrdup(registry_url(reg));
		log->registry_arg = u.registry ? xstrdup(u.registry) : NULL;
	}
	registry_free(reg);
	rev_url_release(&u);
	return ret;
}

/*
 * The versions in the lines "<old> SP <new> SP <time> HT <what>\n" of
 * body, newest (last) first; body is cut up on the way.
 */
static void read_head_log(struct version_log *log, struct strbuf *body,
			  const struct tag_list *tags, unsigned long max)
{
	struct object_id top;
	char *line, *sp, *tab;
	uint64_t t;

	while (body->len && (!max || log->nr < max)) {
		strbuf_setlen(body, body->len - 1);	/* the newline */
		line = strrchr(body->buf, '\n');
		line = line ? line + 1 : body->buf;
		sp = strchr(line, ' ');
		tab = strchr(line, '\t');
		if (sp && tab && tab - sp > HASH_HEXSZ + 1 &&
		    !oid_from_value(&top, HASH_MANIFEST, sp + 1, HASH_HEXSZ)) {
			*tab = '\0';
			t = 0;
			parse_u64(sp + 2 + HASH_HEXSZ, &t);
			add_version(log, &top, t, log->nr ? NULL : "HEAD",
				    tags);
		}
		strbuf_setlen(body, line - body->buf);
	}
}

int version_log_workspace(struct version_log *log, struct workspace *ws,
			  unsigned long max, struct strbuf *err)
{
	struct strbuf path = STRBUF_INIT, body = STRBUF_INIT;
	struct tag_list tags = { 0 };
	struct object_id head;
	const char *name = workspace_package_name(ws);
	int ret = 0;

	memset(log, 0, sizeof(*log));
	refs_for_each(ws->refs, add_local_tag, &tags);
	strbuf_addf(&path, "%s/logs/HEAD", ws->quire_dir);
	if (strbuf_read_file_max(&body, path.buf, 1 << 30) < 0 ||
	    refs_read(ws->refs, "HEAD", &head)) {
		strbuf_addstr(err, "nothing has been committed yet");
		ret = QERR_NOTFOUND;
	} else {
		log->name = name ? xstrdup(name) : NULL;
		read_head_log(log, &body, &tags, max);
	}
	tag_list_release(&tags);
	strbuf_release(&path);
	strbuf_release(&body);
	return ret;
}

/* The message in the package metadata, the first line of fp. */
static void read_message(FILE *fp, struct strbuf *msg)
{
	struct strbuf line = STRBUF_INIT, ignored = STRBUF_INIT;
	struct json *meta = NULL;
	const struct json *m;

	if (!strbuf_getline_max(&line, fp, MANIFEST_LINE_MAX, NULL) &&
	    !json_parse(line.buf, line.len, &meta, &ignored) &&
	    (m = json_object_get(meta, "message")) && m->type == JSON_STRING)
		strbuf_add(msg, m->u.str.s, m->u.str.len);
	json_free(meta);
	strbuf_release(&line);
	strbuf_release(&ignored);
}

int version_log_read_message(struct version_log *log, struct workspace *ws,
			     size_t i, struct strbuf *err)
{
	struct version_log_entry *e = &log->v[i];
	struct strbuf rev = STRBUF_INIT, msg = STRBUF_INIT;
	struct object_id top;
	FILE *fp;
	int ret;

	if (e->message)
		return 0;
	/* a registry's version is name@hash there; a workspace's, a hash */
	if (log->registry)
		strbuf_addf(&rev, "%s@", log->name);
	oid_add_hex(&rev, &e->top);
	ret = porcelain_open_version(ws, log->registry ?
				     log->registry_arg : NULL, rev.buf,
				     &top, &fp, err);
	if (!ret) {
		read_message(fp, &msg);
		fclose(fp);
		e->message = strbuf_detach(&msg, NULL);
	}
	strbuf_release(&rev);
	return ret;
}

int version_log_read_messages(struct version_log *log, struct workspace *ws,
			      struct strbuf *err)
{
	size_t i;
	int ret = 0;

	for (i = 0; !ret && i < log->nr; i++)
		ret = version_log_read_message(log, ws, i, err);
	return ret;
}

struct json *version_log_head_json(const struct version_log *log)
{
	struct json *head = json_new_object();

	json_set(head, "name", json_str(log->name));
	json_set(head, "registry", json_url(log->registry));
	return head;
}

struct json *version_log_entry_json(const struct version_log_entry *e)
{
	struct json *j = json_new_object(), *arr = json_new_array();
	size_t i;

	json_set(j, "top_hash", json_top_hash(&e->top));
	json_set(j, "time", json_time(e->time));
	json_set(j, "message", json_str(e->message && *e->message ?
					e->message : NULL));
	for (i = 0; i < e->tags.nr; i++)
		json_array_append(arr, json_str(e->tags.items[i]));
	json_set(j, "tags", arr);
	arr = json_new_array();
	if (e->ref)
		json_array_append(arr, json_str(e->ref));
	json_set(j, "refs", arr);
	return j;
}

struct json *version_log_to_json(const struct version_log *log)
{
	struct json *doc = version_log_head_json(log);
	struct json *arr = json_new_array();
	size_t i;

	for (i = 0; i < log->nr; i++)
		json_array_append(arr, version_log_entry_json(&log->v[i]));
	json_set(doc, "versions", arr);
	return doc;
}

int version_log_json(struct workspace *ws, const char *registry_arg,
		     const char *name, unsigned long max, struct json **out,
		     struct strbuf *err)
{
	struct version_log log;
	int ret = version_log_registry(&log, ws, registry_arg, name, max, err);

	if (!ret)
		ret = version_log_read_messages(&log, ws, err);
	*out = ret ? NULL : version_log_to_json(&log);
	version_log_release(&log);
	return ret;
}
