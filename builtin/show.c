#include "builtin.h"
#include "diff.h"
#include "json-out.h"
#include "manifest.h"
#include "parse-options.h"
#include "porcelain.h"
#include "redact.h"
#include "refs/refs.h"
#include "registry.h"
#include "rev-url.h"

static const char * const show_usage[] = {
	"quire show [-r <registry>] [--json] <revision>",
	NULL
};

/* Entries and bytes of the whole version, or of a top-level folder. */
struct count {
	char *folder;		/* "data/"; NULL for the whole version */
	uint64_t entries, size;
};

/* What show prints about one version. */
struct shown {
	struct object_id top;
	char *name;		/* NULL: unknown */
	char *registry;		/* NULL: a workspace's own version */
	struct json *tags;	/* array of strings */
	uint64_t time;
	int have_time;
	struct json *meta;	/* the package metadata (line 1) */
	struct count total;
	struct count *folders;
	size_t nr, alloc;
};

static void shown_release(struct shown *v)
{
	size_t i;

	free(v->name);
	free(v->registry);
	json_free(v->tags);
	json_free(v->meta);
	for (i = 0; i < v->nr; i++)
		free(v->folders[i].folder);
	free(v->folders);
}

/* Count e in the whole and in its top-level folder (they come together). */
static void count_entry(struct shown *v, const struct manifest_entry *e)
{
	const char *slash = memchr(e->key.buf, '/', e->key.len);
	struct count *c;
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

static void read_version(struct workspace *ws, const char *reg,
			 const char *rev, struct shown *v)
{
	struct strbuf err = STRBUF_INIT;
	struct manifest_entry e;
	struct entry_stream *s;
	FILE *fp;
	int ret;

	if (porcelain_open_stream(ws, reg, rev, &v->top, &fp, &s, &err) < 0)
		die("%s", err.buf);
	v->meta = s->meta ? json_dup(s->meta) : json_new_object();
	manifest_entry_init(&e);
	while ((ret = s->next(s, &e, &err)) > 0)
		if (!e.is_dir)
			count_entry(v, &e);
	if (ret < 0)
		die("%s", err.buf);
	manifest_entry_release(&e);
	entry_stream_free(s);
	fclose(fp);
	strbuf_release(&err);
}

static int add_local_tag(const char *ref, const struct object_id *oid,
			 void *p)
{
	struct shown *v = p;

	if (!strncmp(ref, "refs/tags/", 10) && oideq(oid, &v->top))
		json_array_append(v->tags, json_str(ref + 10));
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
static void local_time(struct workspace *ws, struct shown *v)
{
	struct strbuf path = STRBUF_INIT, body = STRBUF_INIT;
	const char *hex = oid_to_hex(&v->top), *p;

	strbuf_addf(&path, "%s/logs/HEAD", ws->quire_dir);
	if (strbuf_read_file_max(&body, path.buf, 1 << 30) >= 0) {
		for (p = body.buf; (p = strstr(p, hex)); p += HASH_HEXSZ)
			if (p > body.buf && p[-1] == ' ' &&
			    p[HASH_HEXSZ] == ' ' &&
			    !line_time(p + HASH_HEXSZ + 1, &v->time)) {
				v->have_time = 1;
				break;
			}
	}
	strbuf_release(&path);
	strbuf_release(&body);
}

static void workspace_version(struct workspace *ws, struct shown *v)
{
	const char *name = workspace_package_name(ws);

	v->name = name ? xstrdup(name) : NULL;
	refs_for_each(ws->refs, add_local_tag, v);
	local_time(ws, v);
}

static int add_registry_tag(const char *tag, const struct object_id *oid,
			    void *p)
{
	struct shown *v = p;

	if (oideq(oid, &v->top))
		json_array_append(v->tags, json_str(tag));
	return 0;
}

/* The first push of the version. */
static int version_time(uint64_t t, const struct object_id *top, void *p)
{
	struct shown *v = p;

	if (!v->have_time && oideq(top, &v->top)) {
		v->time = t;
		v->have_time = 1;
	}
	return 0;
}

static void registry_version(struct workspace *ws, const char *reg_arg,
			     const char *rev, struct shown *v)
{
	struct strbuf err = STRBUF_INIT;
	struct package_rev prev;
	struct registry *reg;
	struct rev_url u;

	/* read_version() took it: neither can fail here */
	if (porcelain_rev_url(reg_arg, rev, &u, &err) < 0 ||
	    package_rev_parse(&prev, u.rev, &err) < 0)
		die("%s", err.buf);
	v->name = xstrdup(prev.name);
	if (porcelain_registry(ws, u.registry, 0, &reg, &err) < 0)
		die("%s", err.buf);
	v->registry = xstrdup(registry_url(reg));
	if (registry_for_each_tag(reg, v->name, add_registry_tag, v,
				  &err) < 0 ||
	    registry_for_each_version(reg, v->name, version_time, v,
				      &err) < 0)
		die("%s", err.buf);
	registry_free(reg);
	package_rev_release(&prev);
	rev_url_release(&u);
	strbuf_release(&err);
}

/* A member of the package metadata, borrowed; NULL when absent or null. */
static const struct json *meta_get(const struct shown *v, const char *key)
{
	const struct json *j = v->meta->type == JSON_OBJECT ?
			       json_object_get(v->meta, key) : NULL;

	return j && j->type != JSON_NULL ? j : NULL;
}

static struct json *meta_dup(const struct shown *v, const char *key)
{
	const struct json *j = meta_get(v, key);

	return j ? json_dup(j) : json_new_null();
}

static struct json *count_json(const struct count *c)
{
	struct json *o = json_new_object();

	json_set(o, "logical_key", json_str(c->folder));
	json_set(o, "entries", json_new_uint(c->entries));
	json_set(o, "size", json_new_uint(c->size));
	return o;
}

static void print_json(const struct shown *v)
{
	struct json *o = json_new_object(), *folders = json_new_array();
	const struct json *msg = meta_get(v, "message");
	size_t i;

	json_set(o, "name", json_str(v->name));
	json_set(o, "top_hash", json_top_hash(&v->top));
	json_set(o, "registry", json_url(v->registry));
	json_set(o, "tags", json_dup(v->tags));
	json_set(o, "message", msg ? json_dup(msg) : json_new_null());
	json_set(o, "time", v->have_time ? json_time(v->time) :
		 json_new_null());
	json_set(o, "user_meta", meta_dup(v, "user_meta"));
	json_set(o, "workflow", meta_dup(v, "workflow"));
	json_set(o, "provenance", meta_dup(v, "provenance"));
	json_set(o, "entries", json_new_uint(v->total.entries));
	json_set(o, "size", json_new_uint(v->total.size));
	for (i = 0; i < v->nr; i++)
		json_array_append(folders, count_json(&v->folders[i]));
	json_set(o, "folders", folders);
	json_print(o);
}

/* "label: <value as one line of JSON>", when the member is there. */
static void print_member(const struct shown *v, const char *key)
{
	const struct json *j = meta_get(v, key);
	struct strbuf sb = STRBUF_INIT;

	if (!j)
		return;
	json_write_python(&sb, j);
	printf("%-11s %s\n", key, sb.buf);
	strbuf_release(&sb);
}

static void print_text(const struct shown *v)
{
	const struct json *msg = meta_get(v, "message");
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	printf("top_hash    %s\n", oid_to_hex(&v->top));
	if (v->name)
		printf("name        %s\n", v->name);
	if (v->registry) {
		redact_url(&sb, v->registry);
		printf("registry    %s\n", sb.buf);
		strbuf_reset(&sb);
	}
	for (i = 0; i < v->tags->u.arr.nr; i++)
		printf("tag         %s\n", v->tags->u.arr.v[i]->u.str.s);
	if (v->have_time) {
		json_format_time(&sb, v->time);
		printf("time        %s\n", sb.buf);
		strbuf_reset(&sb);
	}
	printf("entries     %" PRIu64 " (%" PRIu64 " bytes)\n",
	       v->total.entries, v->total.size);
	for (i = 0; i < v->nr; i++) {
		strbuf_add_quoted_name(&sb, v->folders[i].folder,
				       strlen(v->folders[i].folder));
		printf("  %s\t%" PRIu64 " (%" PRIu64 " bytes)\n", sb.buf,
		       v->folders[i].entries, v->folders[i].size);
		strbuf_reset(&sb);
	}
	print_member(v, "user_meta");
	print_member(v, "workflow");
	print_member(v, "provenance");
	if (msg && msg->type == JSON_STRING)
		printf("\n%s\n", msg->u.str.s);
	else if (msg)
		print_member(v, "message");
	strbuf_release(&sb);
}

int cmd_show(int argc, const char **argv, const char *prefix,
	     struct workspace *ws)
{
	struct shown v;
	const char *reg = NULL;
	int json = 0;
	struct option options[] = {
		OPT__REGISTRY(&reg),
		OPT_BOOL(0, "json", &json, "print one JSON object"),
		OPT_END()
	};

	argc = parse_options(argc, argv, prefix, options, show_usage, 0);
	if (argc != 1)
		usage_with_options(show_usage, options);
	memset(&v, 0, sizeof(v));
	v.tags = json_new_array();
	read_version(ws, reg, argv[0], &v);
	if (package_rev_like(argv[0]) || rev_url_has_registry(argv[0]))
		registry_version(ws, reg, argv[0], &v);
	else
		workspace_version(ws, &v);
	if (json)
		print_json(&v);
	else
		print_text(&v);
	shown_release(&v);
	return 0;
}
