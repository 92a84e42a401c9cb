#include "builtin.h"
#include "json.h"
#include "manifest.h"
#include "parse-options.h"
#include "porcelain.h"
#include "refs/refs.h"
#include "registry.h"
#include <time.h>

static const char * const log_usage[] = {
	"quire log [-n <count>] [--registry <registry>] [<namespace>/<name>]",
	NULL
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

static void tags_of(const struct tag_list *t, const struct object_id *top,
		    struct strbuf *out)
{
	const char *hex = oid_to_hex(top), *p = t->names.buf;

	while ((p = strstr(p, hex))) {
		const char *nl = strchr(p, '\n');

		strbuf_addf(out, ", tag: %.*s", (int)(nl - p - HASH_HEXSZ - 1),
			    p + HASH_HEXSZ + 1);
		p = nl;
	}
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

static void show(struct workspace *ws, const char *reg, const char *rev,
		 const struct object_id *top, uint64_t t, const char *extra,
		 const struct tag_list *tags)
{
	struct strbuf deco = STRBUF_INIT, msg = STRBUF_INIT;
	char when[64];

	strbuf_addstr(&deco, extra);
	tags_of(tags, top, &deco);
	format_time(t, when, sizeof(when));
	message_of(ws, reg, rev, &msg);
	printf("%s", oid_to_hex(top));
	if (deco.len)
		printf(" (%s)", deco.buf[0] == ',' ? deco.buf + 2 : deco.buf);
	printf("\n\t%s\t%s\n", when, msg.buf);
	strbuf_release(&deco);
	strbuf_release(&msg);
}

static int local_log(struct workspace *ws, unsigned long max)
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
			*tab = '\0';
			parse_u64(sp + 2 + HASH_HEXSZ, &t);
			show(ws, NULL, oid_to_hex(&top), &top, t,
			     shown ? "" : "HEAD", &tags);
			shown++;
		}
		strbuf_setlen(&body, line - body.buf);
	}
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
			const char *name, unsigned long max)
{
	struct strbuf err = STRBUF_INIT;
	struct registry *reg;
	struct version_list v = { 0 };
	struct tag_list tags = { STRBUF_INIT };
	struct object_id latest;
	size_t i;
	int have_latest;

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
	for (i = v.nr; i > 0 && (!max || v.nr - i < max); i--) {
		struct object_id *top = &v.tops[i - 1];
		struct strbuf rev = STRBUF_INIT;

		strbuf_addf(&rev, "%s@%s", name, oid_to_hex(top));
		show(ws, reg_arg, rev.buf, top, v.times[i - 1], have_latest &&
		     oideq(top, &latest) ? "latest" : "", &tags);
		strbuf_release(&rev);
	}
	registry_free(reg);
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
	struct option options[] = {
		OPT_ULONG('n', "max-count", &max, "count",
			  "show at most this many versions"),
		OPT__REGISTRY(&reg),
		OPT_END()
	};

	argc = parse_options(argc, argv, prefix, options, log_usage, 0);
	if (argc > 1)
		usage_with_options(log_usage, options);
	if (argc)
		return registry_log(ws, reg, argv[0], max);
	if (!ws)
		die("not in a quire workspace; give a package: quire log "
		    "ns/name");
	return local_log(ws, max);
}
