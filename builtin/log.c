#include "builtin.h"
#include "json-out.h"
#include "manifest.h"
#include "parse-options.h"
#include "porcelain.h"
#include "refs/refs.h"
#include "registry.h"
#include "rev-url.h"
#include <time.h>

static const char * const log_usage[] = {
	"quire log [-n <count>] [--oneline | --format=<format> | --json]\n"
	"          [--registry <registry>] [<namespace>/<name>]",
	NULL
};

enum log_format { LOG_LONG, LOG_ONELINE, LOG_FORMAT, LOG_JSON };

struct log_opts {
	enum log_format format;
	const char *fmt;		/* --format */
	struct json_list list;		/* --json: the versions */
};

struct tag_list {
	struct strbuf names;	/* "hash name\n" lines */
};

static int add_local_tag(const char *name, const struct object_id *oid,
			 void *p)
{
	struct tag_list *t = p;

	if (!strncmp(name, "refs/tags/", 10))
		strbuf_addf(&t->names, "%s %s\n", oid_to_hex(oid), name + 10);
	return 0;
}

static int add_registry_tag(const char *tag, const struct object_id *oid,
			    void *p)
{
	struct tag_list *t = p;

	strbuf_addf(&t->names, "%s %s\n", oid_to_hex(oid), tag);
	return 0;
}

/*
 * The next tag naming top after p in t (start with p = NULL): its name
 * in *len bytes, or NULL when there is no more.
 */
static const char *next_tag(const struct tag_list *t,
			    const struct object_id *top, const char **p,
			    size_t *len)
{
	const char *hex = oid_to_hex(top), *at, *nl;

	at = strstr(*p ? *p : t->names.buf, hex);
	if (!at)
		return NULL;
	nl = strchr(at, '\n');
	*len = nl - at - HASH_HEXSZ - 1;
	*p = nl;
	return at + HASH_HEXSZ + 1;
}

/* "HEAD, tag: v1" (or "" when there is nothing to say). */
static void decorations(const struct tag_list *t, const struct object_id *top,
			const char *extra, struct strbuf *out)
{
	const char *p = NULL, *tag;
	size_t len;

	strbuf_addstr(out, extra);
	while ((tag = next_tag(t, top, &p, &len)))
		strbuf_addf(out, "%stag: %.*s", out->len ? ", " : "",
			    (int)len, tag);
}

static void format_time(uint64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M:%S UTC", &tm);
}

/* The message from a manifest's first line ("" when none). */
/*
 * The message of version rev (a top hash, or name@hash in registry reg):
 * its manifest is opened (fetched and verified once if need be) and its
 * first line read. Dies when the version cannot be had.
 */
static void message_of(struct workspace *ws, const char *reg,
		       const char *rev, struct strbuf *msg)
{
	struct strbuf line = STRBUF_INIT, err = STRBUF_INIT;
	struct json *meta = NULL;
	const struct json *m;
	struct object_id top;
	FILE *fp;

	if (porcelain_open_version(ws, reg, rev, &top, &fp, &err) < 0)
		die("%s", err.buf);
	if (!strbuf_getline_max(&line, fp, MANIFEST_LINE_MAX, NULL) &&
	    !json_parse(line.buf, line.len, &meta, &err) &&
	    (m = json_object_get(meta, "message")) && m->type == JSON_STRING)
		strbuf_add(msg, m->u.str.s, m->u.str.len);
	fclose(fp);
	json_free(meta);
	strbuf_release(&line);
	strbuf_release(&err);
}

/* What log knows of one version. */
struct version {
	const struct object_id *top;
	uint64_t time;
	const char *extra;	/* "HEAD", "latest" or "" */
	const char *message;
};

static void print_long(const struct version *v, const struct tag_list *tags)
{
	struct strbuf deco = STRBUF_INIT;
	char when[64];

	decorations(tags, v->top, v->extra, &deco);
	format_time(v->time, when, sizeof(when));
	printf("%s", oid_to_hex(v->top));
	if (deco.len)
		printf(" (%s)", deco.buf);
	printf("\n\t%s\t%s\n", when, v->message);
	strbuf_release(&deco);
}

/* The first line of a message, for --oneline and %s. */
static void add_subject(struct strbuf *out, const char *msg)
{
	strbuf_add(out, msg, strcspn(msg, "\n"));
}

static void print_oneline(const struct version *v,
			  const struct tag_list *tags)
{
	struct strbuf line = STRBUF_INIT, deco = STRBUF_INIT;

	strbuf_addstr(&line, short_hash(v->top));
	decorations(tags, v->top, v->extra, &deco);
	if (deco.len)
		strbuf_addf(&line, " (%s)", deco.buf);
	strbuf_addch(&line, ' ');
	add_subject(&line, v->message);
	printf("%s\n", line.buf);
	strbuf_release(&line);
	strbuf_release(&deco);
}

/*
 * Expand the placeholder at fmt (just after its '%') into out; the
 * length of the placeholder, or 0 when it is not one.
 */
static size_t expand(struct strbuf *out, const char *fmt,
		     const struct version *v, const struct tag_list *tags)
{
	struct strbuf deco = STRBUF_INIT;
	char when[64];
	size_t n = 1;

	switch (*fmt) {
	case 'H':
		strbuf_addstr(out, oid_to_hex(v->top));
		break;
	case 'h':
		strbuf_addstr(out, short_hash(v->top));
		break;
	case 's':
		add_subject(out, v->message);
		break;
	case 'B':
		strbuf_addstr(out, v->message);
		break;
	case 'd':
	case 'D':
		decorations(tags, v->top, v->extra, &deco);
		if (deco.len)
			strbuf_addf(out, *fmt == 'd' ? " (%s)" : "%s",
				    deco.buf);
		break;
	case 'n':
		strbuf_addch(out, '\n');
		break;
	case '%':
		strbuf_addch(out, '%');
		break;
	case 'a':
		n = 2;
		if (fmt[1] == 't') {
			strbuf_addf(out, "%" PRIu64, v->time);
		} else if (fmt[1] == 'd') {
			format_time(v->time, when, sizeof(when));
			strbuf_addstr(out, when);
		} else if (fmt[1] == 'I') {
			json_format_time(out, v->time);
		} else {
			n = 0;
		}
		break;
	default:
		n = 0;
	}
	strbuf_release(&deco);
	return n;
}

static void bad_placeholder(const char *p)
{
	die("--format: unknown placeholder '%%%.1s'; use %%H %%h %%s %%B "
	    "%%d %%D %%ad %%at %%aI %%n or %%%%", p);
}

/* Expand fmt for v into out; dies at an unknown placeholder. */
static void format_version(struct strbuf *out, const char *fmt,
			   const struct version *v,
			   const struct tag_list *tags)
{
	const char *p;

	for (p = fmt; *p; p++) {
		if (*p == '%') {
			size_t n = expand(out, p + 1, v, tags);

			if (!n)
				bad_placeholder(p + 1);
			p += n;
		} else {
			strbuf_addch(out, *p);
		}
	}
}

static void print_format(const char *fmt, const struct version *v,
			 const struct tag_list *tags)
{
	struct strbuf out = STRBUF_INIT;

	format_version(&out, fmt, v, tags);
	printf("%s\n", out.buf);
	strbuf_release(&out);
}

/* Refuse a format with an unknown placeholder before printing anything. */
static void check_format(const char *fmt)
{
	struct object_id zero = { 0 };
	struct version v = { &zero, 0, "", "" };
	struct tag_list none = { STRBUF_INIT };
	struct strbuf out = STRBUF_INIT;

	format_version(&out, fmt, &v, &none);
	strbuf_release(&out);
}

static void print_json(struct log_opts *o, const struct version *v,
		       const struct tag_list *tags)
{
	struct json *j = json_new_object(), *arr = json_new_array();
	const char *p = NULL, *tag;
	size_t len;

	json_set(j, "top_hash", json_top_hash(v->top));
	json_set(j, "time", json_time(v->time));
	json_set(j, "message", json_str(*v->message ? v->message : NULL));
	while ((tag = next_tag(tags, v->top, &p, &len)))
		json_array_append(arr, json_new_string(tag, len));
	json_set(j, "tags", arr);
	arr = json_new_array();
	if (*v->extra)
		json_array_append(arr, json_str(v->extra));
	json_set(j, "refs", arr);
	json_list_add(&o->list, j);
}

static void show(struct workspace *ws, const char *reg, const char *rev,
		 struct version *v, const struct tag_list *tags,
		 struct log_opts *o)
{
	struct strbuf msg = STRBUF_INIT;

	message_of(ws, reg, rev, &msg);
	v->message = msg.buf;
	switch (o->format) {
	case LOG_LONG:
		print_long(v, tags);
		break;
	case LOG_ONELINE:
		print_oneline(v, tags);
		break;
	case LOG_FORMAT:
		print_format(o->fmt, v, tags);
		break;
	case LOG_JSON:
		print_json(o, v, tags);
		break;
	}
	strbuf_release(&msg);
}

/* --json: the object around the versions; url NULL for a workspace. */
static void json_begin(struct log_opts *o, const char *name,
		       const char *url)
{
	struct json *head = json_new_object();

	if (o->format != LOG_JSON) {
		json_free(head);
		return;
	}
	json_set(head, "name", json_str(name));
	json_set(head, "registry", json_url(url));
	json_list_begin(&o->list, head, "versions");
}

static void json_end(struct log_opts *o)
{
	if (o->format == LOG_JSON)
		json_list_end(&o->list, NULL);
}

static int local_log(struct workspace *ws, unsigned long max,
		     struct log_opts *o)
{
	struct strbuf path = STRBUF_INIT, body = STRBUF_INIT;
	struct tag_list tags = { STRBUF_INIT };
	struct object_id head;
	char *line;
	unsigned long shown = 0;
	int have_head = !refs_read(ws->refs, "HEAD", &head);

	refs_for_each(ws->refs, add_local_tag, &tags);
	strbuf_addf(&path, "%s/logs/HEAD", ws->quire_dir);
	if (strbuf_read_file_max(&body, path.buf, 1 << 30) < 0 || !have_head)
		die("nothing has been committed yet");
	json_begin(o, workspace_package_name(ws), NULL);
	/* newest first */
	while (body.len && (!max || shown < max)) {
		struct object_id top;
		uint64_t t = 0;
		char *sp, *tab;

		strbuf_setlen(&body, body.len - 1);	/* the newline */
		line = strrchr(body.buf, '\n');
		line = line ? line + 1 : body.buf;
		sp = strchr(line, ' ');
		tab = strchr(line, '\t');
		if (sp && tab && tab - sp > HASH_HEXSZ + 1 &&
		    !oid_from_value(&top, HASH_MANIFEST, sp + 1, HASH_HEXSZ)) {
			struct version v = { &top, 0, shown ? "" : "HEAD",
					     NULL };

			*tab = '\0';
			parse_u64(sp + 2 + HASH_HEXSZ, &t);
			v.time = t;
			show(ws, NULL, oid_to_hex(&top), &v, &tags, o);
			shown++;
		}
		strbuf_setlen(&body, line - body.buf);
	}
	json_end(o);
	strbuf_release(&path);
	strbuf_release(&body);
	strbuf_release(&tags.names);
	return 0;
}

struct version_list {
	struct object_id *tops;
	uint64_t *times;
	size_t nr, alloc;
};

static int collect(uint64_t t, const struct object_id *top, void *p)
{
	struct version_list *v = p;

	ALLOC_GROW(v->tops, v->nr + 1, v->alloc);
	v->times = xrealloc(v->times, v->alloc * sizeof(*v->times));
	v->tops[v->nr] = *top;
	v->times[v->nr++] = t;
	return 0;
}

static int registry_log(struct workspace *ws, const char *reg_arg,
			const char *arg, unsigned long max,
			struct log_opts *o)
{
	struct strbuf err = STRBUF_INIT;
	struct registry *reg;
	struct version_list v = { 0 };
	struct tag_list tags = { STRBUF_INIT };
	struct object_id latest;
	struct rev_url u;
	const char *name;
	size_t i;
	int have_latest;

	/* the package may name its registry: s3://bucket/ns/name */
	if (porcelain_rev_url(reg_arg, arg, &u, &err) < 0)
		die("%s", err.buf);
	name = u.rev;
	reg_arg = u.registry;
	if (package_name_check(name, &err) < 0)
		die("%s", err.buf);
	if (porcelain_registry(ws, reg_arg, 0, &reg, &err) < 0)
		die("%s", err.buf);
	have_latest = !registry_read_latest(reg, name, &latest, &err);
	if (registry_for_each_version(reg, name, collect, &v, &err) < 0 ||
	    registry_for_each_tag(reg, name, add_registry_tag, &tags,
				  &err) < 0)
		die("%s", err.buf);
	if (!v.nr && !have_latest)
		die("no package %s in %s", name, registry_url(reg));
	json_begin(o, name, registry_url(reg));
	for (i = v.nr; i > 0 && (!max || v.nr - i < max); i--) {
		struct object_id *top = &v.tops[i - 1];
		struct strbuf rev = STRBUF_INIT;
		struct version ver = { top, v.times[i - 1], have_latest &&
				       oideq(top, &latest) ? "latest" : "",
				       NULL };

		strbuf_addf(&rev, "%s@%s", name, oid_to_hex(top));
		show(ws, reg_arg, rev.buf, &ver, &tags, o);
		strbuf_release(&rev);
	}
	json_end(o);
	registry_free(reg);
	rev_url_release(&u);
	free(v.tops);
	free(v.times);
	strbuf_release(&tags.names);
	strbuf_release(&err);
	return 0;
}

int cmd_log(int argc, const char **argv, const char *prefix,
	    struct workspace *ws)
{
	const char *reg = NULL;
	unsigned long max = 0;
	int oneline = 0, json = 0;
	struct log_opts o = { LOG_LONG, NULL, { 0 } };
	struct option options[] = {
		OPT_ULONG('n', "max-count", &max, "count",
			  "show at most this many versions"),
		OPT_BOOL(0, "oneline", &oneline,
			 "one line a version: short hash and message"),
		OPT_STRING(0, "format", &o.fmt, "format",
			   "print each version by this format (%H, %h, %s, "
			   "%ad, ...)"),
		OPT_BOOL(0, "json", &json,
			 "one JSON object holding the versions"),
		OPT__REGISTRY(&reg),
		OPT_END()
	};

	argc = parse_options(argc, argv, prefix, options, log_usage, 0);
	if (argc > 1 || oneline + json + !!o.fmt > 1)
		usage_with_options(log_usage, options);
	o.format = oneline ? LOG_ONELINE : json ? LOG_JSON :
		   o.fmt ? LOG_FORMAT : LOG_LONG;
	if (o.fmt)
		check_format(o.fmt);
	if (argc)
		return registry_log(ws, reg, argv[0], max, &o);
	if (!ws)
		die("not in a quire workspace; give a package: quire log "
		    "ns/name");
	return local_log(ws, max, &o);
}
