#include "quire-compat.h"
#include "version-show.h"
#include "diff.h"
#include "json-out.h"
#include "manifest.h"
#include "porcelain.h"
#include "refs/refs.h"
#include "registry.h"
#include "rev-url.h"
#include "workspace.h"

void version_show_release(struct version_show *v)
{
	size_t i;

	free(v->name);
	free(v->registry);
	string_list_clear(&v->tags);
	json_free(v->meta);
	for (i = 0; i < v->nr; i++)
		free(v->folders[i].folder);
	free(v->folders);
	memset(v, 0, sizeof(*v));
}

/* Count e in the whole and in its top-level folder (they come together). */
static void count_entry(struct version_show *v,
			const struct manifest_entry *e)
{
	const char *slash = memchr(e->key.buf, '/', e->key.len);
	struct version_count *c;
	size_t len;

	v->total.entries++;
	v->total.size += e->size;
	if (!slash)
		return;
	len = slash - e->key.buf + 1;
	c = v->nr ? &v->folders[v->nr - 1] : NULL;
	if (!c || strlen(c->folder) != len ||
	    memcmp(c->folder, e->key.buf, len)) {
		ALLOC_GROW(v->folders, v->nr + 1, v->alloc);
		c = &v->folders[v->nr++];
		c->folder = xstrndup(e->key.buf, len);
		c->entries = c->size = 0;
	}
	c->entries++;
	c->size += e->size;
}

/* Open rev, keep its metadata and count its entries. */
static int read_counts(struct workspace *ws, const char *reg,
		       const char *rev, struct version_show *v,
		       struct strbuf *err)
{
	struct manifest_entry e;
	struct entry_stream *s;
	FILE *fp;
	int ret;

	ret = porcelain_open_stream(ws, reg, rev, &v->top, &fp, &s, err);
	if (ret < 0)
		return ret;
	v->meta = s->meta ? json_dup(s->meta) : json_new_object();
	manifest_entry_init(&e);
	while ((ret = s->next(s, &e, err)) > 0)
		if (!e.is_dir)
			count_entry(v, &e);
	manifest_entry_release(&e);
	entry_stream_free(s);
	fclose(fp);
	return ret < 0 ? ret : 0;
}

static int add_local_tag(const char *ref, const struct object_id *oid,
			 void *p)
{
	struct version_show *v = p;

	if (!strncmp(ref, "refs/tags/", 10) && oideq(oid, &v->top))
		string_list_append(&v->tags, ref + 10);
	return 0;
}

/* The time of a line "<old> SP <new> SP <time> HT ..." at the time. */
static int line_time(const char *p, uint64_t *t)
{
	char digits[24];
	size_t len = strspn(p, "0123456789");

	if (!len || len >= sizeof(digits) || p[len] != '\t')
		return -1;
	memcpy(digits, p, len);
	digits[len] = '\0';
	return parse_u64(digits, t);
}

/* When HEAD first moved to the version, from .quire/logs/HEAD. */
static void local_time(struct workspace *ws, struct version_show *v)
{
	struct strbuf path = STRBUF_INIT, body = STRBUF_INIT, hex = STRBUF_INIT;
	const char *p;

	oid_add_hex(&hex, &v->top);
	strbuf_addf(&path, "%s/logs/HEAD", ws->quire_dir);
	if (strbuf_read_file_max(&body, path.buf, 1 << 30) >= 0) {
		for (p = body.buf; (p = strstr(p, hex.buf)); p += HASH_HEXSZ)
			if (p > body.buf && p[-1] == ' ' &&
			    p[HASH_HEXSZ] == ' ' &&
			    !line_time(p + HASH_HEXSZ + 1, &v->time)) {
				v->have_time = 1;
				break;
			}
	}
	strbuf_release(&path);
	strbuf_release(&body);
	strbuf_release(&hex);
}

/* Name, tags and time of a version of the workspace ws. */
static void workspace_version(struct workspace *ws, struct version_show *v)
{
	const char *name = workspace_package_name(ws);

	v->name = name ? xstrdup(name) : NULL;
	refs_for_each(ws->refs, add_local_tag, v);
	local_time(ws, v);
}

static int add_registry_tag(const char *tag, const struct object_id *oid,
			    void *p)
{
	struct version_show *v = p;

	if (oideq(oid, &v->top))
		string_list_append(&v->tags, tag);
	return 0;
}

/* The first push of the version. */
static int version_time(uint64_t t, const struct object_id *top, void *p)
{
	struct version_show *v = p;

	if (!v->have_time && oideq(top, &v->top)) {
		v->time = t;
		v->have_time = 1;
	}
	return 0;
}

/* Name, registry, tags and time of a version in a registry. */
static int registry_version(struct workspace *ws, const char *reg_arg,
			    const char *rev, struct version_show *v,
			    struct strbuf *err)
{
	struct package_rev prev = { 0 };
	struct registry *reg = NULL;
	struct rev_url u = { 0 };
	int ret;

	/* read_counts() took rev already: neither fails here */
	ret = porcelain_rev_url(reg_arg, rev, &u, err);
	if (!ret && package_rev_parse(&prev, u.rev, err) < 0)
		ret = QERR_USAGE;
	if (ret)
		goto out;
	v->name = xstrdup(prev.name);
	ret = porcelain_registry(ws, u.registry, 0, &reg, err);
	if (ret)
		goto out;
	v->registry = xstrdup(registry_url(reg));
	ret = registry_for_each_tag(reg, v->name, add_registry_tag, v, err);
	if (!ret)
		ret = registry_for_each_version(reg, v->name, version_time, v,
						err);
out:
	registry_free(reg);
	package_rev_release(&prev);
	rev_url_release(&u);
	return ret;
}

int version_show_read(struct version_show *v, struct workspace *ws,
		      const char *registry_arg, const char *rev,
		      unsigned flags, struct strbuf *err)
{
	int ret;

	memset(v, 0, sizeof(*v));
	ret = read_counts(ws, registry_arg, rev, v, err);
	if (ret || (flags & VERSION_SHOW_COUNTS_ONLY))
		return ret;
	if (package_rev_like(rev) || rev_url_has_registry(rev))
		return registry_version(ws, registry_arg, rev, v, err);
	if (ws)		/* a local revision opened: there is one */
		workspace_version(ws, v);
	return 0;
}

const struct json *version_show_meta(const struct version_show *v,
				     const char *key)
{
	const struct json *j = v->meta && v->meta->type == JSON_OBJECT ?
			       json_object_get(v->meta, key) : NULL;

	return j && j->type != JSON_NULL ? j : NULL;
}

static struct json *meta_dup(const struct version_show *v, const char *key)
{
	const struct json *j = version_show_meta(v, key);

	return j ? json_dup(j) : json_new_null();
}

static struct json *count_json(const struct version_count *c)
{
	struct json *o = json_new_object();

	json_set(o, "logical_key", json_str(c->folder));
	json_set(o, "entries", json_new_uint(c->entries));
	json_set(o, "size", json_new_uint(c->size));
	return o;
}

struct json *version_show_to_json(const struct version_show *v)
{
	struct json *o = json_new_object(), *arr = json_new_array();
	size_t i;

	json_set(o, "name", json_str(v->name));
	json_set(o, "top_hash", json_top_hash(&v->top));
	json_set(o, "registry", json_url(v->registry));
	for (i = 0; i < v->tags.nr; i++)
		json_array_append(arr, json_str(v->tags.items[i]));
	json_set(o, "tags", arr);
	json_set(o, "message", meta_dup(v, "message"));
	json_set(o, "time", v->have_time ? json_time(v->time) :
		 json_new_null());
	json_set(o, "user_meta", meta_dup(v, "user_meta"));
	json_set(o, "workflow", meta_dup(v, "workflow"));
	json_set(o, "provenance", meta_dup(v, "provenance"));
	json_set(o, "entries", json_new_uint(v->total.entries));
	json_set(o, "size", json_new_uint(v->total.size));
	arr = json_new_array();
	for (i = 0; i < v->nr; i++)
		json_array_append(arr, count_json(&v->folders[i]));
	json_set(o, "folders", arr);
	return o;
}

int version_show_json(struct workspace *ws, const char *registry_arg,
		      const char *rev, struct json **out, struct strbuf *err)
{
	struct version_show v;
	int ret = version_show_read(&v, ws, registry_arg, rev, 0, err);

	*out = ret ? NULL : version_show_to_json(&v);
	version_show_release(&v);
	return ret;
}
