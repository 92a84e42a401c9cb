#include "builtin.h"
#include "diff.h"
#include "folder.h"
#include "json-out.h"
#include "package.h"
#include "parse-options.h"
#include "porcelain.h"
#include "refs/refs.h"
#include "stage.h"

static const char * const diff_usage[] = {
	"quire diff [<options>] [<revision> [<revision> | <folder>]]",
	NULL
};

enum format { LONG, STAT, NAME_ONLY, JSON };

struct out {
	enum format format;
	uint64_t count[4];
	struct json_list list;	/* JSON: the changes */
};

/* One change in the list of --json; key NULL: the package metadata. */
static void json_change(struct out *o, enum diff_kind kind,
			const struct strbuf *key,
			const struct manifest_entry *a,
			const struct manifest_entry *b)
{
	json_list_add(&o->list, diff_change_json(kind, key, a, b));
}

/* The counts that end the document of --json. */
static void json_summary(struct out *o, uint64_t total)
{
	struct json *t = json_new_object();
	enum diff_kind k;

	for (k = DIFF_ADDED; k <= DIFF_META; k++)
		json_set(t, diff_kind_name(k), json_new_uint(o->count[k]));
	json_set(t, "equal", json_new_bool(!total));
	json_list_end(&o->list, t);
}

static int print_change(enum diff_kind kind, const struct manifest_entry *a,
			const struct manifest_entry *b, void *payload)
{
	struct out *o = payload;
	const struct manifest_entry *e = b ? b : a;
	struct strbuf sb = STRBUF_INIT;

	o->count[kind]++;
	switch (o->format) {
	case STAT:
		break;
	case NAME_ONLY:
		strbuf_add_quoted_name(&sb, e->key.buf, e->key.len);
		printf("%s\n", sb.buf);
		break;
	case JSON:
		json_change(o, kind, &e->key, a, b);
		break;
	case LONG:
		strbuf_addf(&sb, "%-9s ", diff_kind_name(kind));
		strbuf_add_quoted_name(&sb, e->key.buf, e->key.len);
		printf("%s\n", sb.buf);
		break;
	}
	strbuf_release(&sb);
	return 0;
}

/* The package metadata (line 1) changed: one more change, keyless. */
static void meta_change(struct out *o, const struct json *a,
			const struct json *b, struct workspace *ws,
			int two_versions)
{
	struct strbuf err = STRBUF_INIT;
	struct json *staged = NULL;

	if (!b && !two_versions && ws) {
		if (package_meta_load(ws, &staged, &err) < 0)
			die("%s", err.buf);
		b = staged;
	}
	if (b && package_meta_differs(a, b)) {
		o->count[DIFF_META]++;
		if (o->format == LONG)
			printf("%-9s (package)\n", diff_kind_name(DIFF_META));
		else if (o->format == JSON)
			json_change(o, DIFF_META, NULL, NULL, NULL);
	}
	json_free(staged);
	strbuf_release(&err);
}

/* A folder as the package it would be (its files hashed). */
static struct entry_stream *folder(const char *dir, FILE **fp)
{
	struct strbuf err = STRBUF_INIT;
	struct object_id top;
	struct entry_stream *s;

	*fp = tmpfile();
	if (!*fp)
		die_errno("cannot create a temporary file");
	if (folder_build(dir, fileno(*fp), &top, NULL, &err) < 0)
		die("%s", err.buf);
	rewind(*fp);
	s = entry_stream_manifest(*fp, dir, &err);
	if (!s)
		die("%s", err.buf);
	strbuf_release(&err);
	return s;
}

static int is_folder(const char *arg)
{
	struct stat st;

	return !stat(arg, &st) && S_ISDIR(st.st_mode) &&
	       (strchr(arg, '/') || !strcmp(arg, ".") || !strcmp(arg, ".."));
}

/* The workspace as it is now: hashes refreshed, the index as a stream. */
static struct entry_stream *working(struct workspace *ws)
{
	struct strbuf err = STRBUF_INIT;
	struct stage_stats stats = { 0 };
	struct entry_stream *s;

	begin_cache_write(ws);
	if (stage_refresh(ws, NULL, NULL, NULL, &stats, &err) < 0)
		die("%s", err.buf);
	commit_cache_write(ws);
	s = entry_stream_index(ws->idx, NULL);
	if (!s)
		die("cannot read the index");
	strbuf_release(&err);
	return s;
}

int cmd_diff(int argc, const char **argv, const char *prefix,
	     struct workspace *ws)
{
	struct strbuf err = STRBUF_INIT;
	struct entry_stream *a, *b;
	struct out o = { LONG, { 0 }, { 0 } };
	const char *reg = NULL;
	FILE *fa = NULL, *fb = NULL;
	int stat = 0, names = 0, json = 0, to_folder;
	uint64_t total;
	struct option options[] = {
		OPT_BOOL(0, "stat", &stat, "only count the changes"),
		OPT_BOOL(0, "name-only", &names, "print logical keys only"),
		OPT_BOOL(0, "json", &json,
			 "one JSON object: the changes and their counts"),
		OPT__REGISTRY(&reg),
		OPT_END()
	};

	argc = parse_options(argc, argv, prefix, options, diff_usage, 0);
	if (argc > 2 || stat + names + json > 1)
		usage_with_options(diff_usage, options);
	o.format = stat ? STAT : names ? NAME_ONLY : json ? JSON : LONG;
	if (argc < 2 && !ws)
		die("not in a quire workspace; give two revisions");
	a = open_stream(ws, reg, argc ? argv[0] : "HEAD", &fa);
	to_folder = argc == 2 && is_folder(argv[1]);
	if (to_folder)
		b = folder(argv[1], &fb);
	else
		b = argc == 2 ? open_stream(ws, reg, argv[1], &fb) :
		    working(ws);
	if (o.format == JSON)
		json_list_begin(&o.list, NULL, "changes");
	if (diff_streams(a, b, print_change, &o, &err) < 0)
		die("%s", err.buf);
	/* a folder has no package metadata to compare */
	if (!to_folder)
		meta_change(&o, a->meta, b->meta, ws, argc == 2);
	entry_stream_free(a);
	entry_stream_free(b);
	if (fa)
		fclose(fa);
	if (fb)
		fclose(fb);
	total = o.count[0] + o.count[1] + o.count[2] + o.count[3];
	if (o.format == STAT)
		printf("%" PRIu64 " added, %" PRIu64 " deleted, %" PRIu64
		       " modified, %" PRIu64 " metadata only\n", o.count[0],
		       o.count[1], o.count[2], o.count[3]);
	else if (o.format == JSON)
		json_summary(&o, total);
	strbuf_release(&err);
	return total ? 1 : 0;
}
