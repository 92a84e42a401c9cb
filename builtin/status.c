#include "builtin.h"
#include "diff.h"
#include "folder.h"
#include "json.h"
#include "logical-key.h"
#include "package.h"
#include "parse-options.h"
#include "porcelain.h"
#include "refs/refs.h"
#include "stage.h"

static const char * const status_usage[] = {
	"quire status [--porcelain | --json]",
	NULL
};

enum format { HUMAN, PORCELAIN, JSON };

struct item {
	char code;	/* A D M m ! ? */
	char *key;
	char *path;
};

struct status {
	struct workspace *ws;
	struct item *items;
	size_t nr, alloc;
	uint64_t local;
};

static void add_item(struct status *s, char code, const char *key,
		     const char *path)
{
	ALLOC_GROW(s->items, s->nr + 1, s->alloc);
	s->items[s->nr].code = code;
	s->items[s->nr].key = xstrdup(key);
	s->items[s->nr].path = path ? xstrdup(path) : NULL;
	s->nr++;
}

static void on_refresh(const char *key, const char *path,
		       enum stage_change what, void *payload)
{
	if (what == STAGE_MISSING)
		add_item(payload, '!', key, path);
}

static int on_diff(enum diff_kind kind, const struct manifest_entry *a,
		   const struct manifest_entry *b, void *payload)
{
	static const char codes[] = { 'A', 'D', 'M', 'm' };

	add_item(payload, codes[kind], (b ? b : a)->key.buf, NULL);
	return 0;
}

struct staged_walk {
	struct status *s;
	struct idx_cursor *cur;
	struct idx_entry e;
	int have;
};

/*
 * New files under an added folder: on disk, not staged. The folder's
 * listing and the index are both in quilt3 order, so they merge.
 */
static int each_watch(const char *prefix, const char *dir, void *payload)
{
	struct status *s = payload;
	struct strbuf err = STRBUF_INIT, key = STRBUF_INIT;
	struct path_list fl;
	struct idx_cursor *cur;
	struct idx_entry e;
	size_t i;
	int have;

	if (folder_list(dir, &fl, &err) < 0 ||
	    idx_cursor_open(s->ws->idx, prefix, &cur) < 0) {
		strbuf_release(&err);
		path_list_release(&fl);
		return 0;	/* a vanished folder has nothing new */
	}
	have = idx_cursor_next(cur, &e) > 0;
	for (i = 0; i < fl.nr; i++) {
		int cmp = 1;

		strbuf_reset(&key);
		strbuf_addf(&key, "%s%s", prefix, fl.items[i]);
		while (have && (cmp = logical_key_cmp(e.key, strlen(e.key),
						      key.buf, key.len)) < 0) {
			idx_entry_release(&e);
			have = idx_cursor_next(cur, &e) > 0;
		}
		if (!have || cmp) {
			struct strbuf path = STRBUF_INIT;

			/* staged under another key (moved)? then not new */
			strbuf_addf(&path, "%s/%s", dir, fl.items[i]);
			if (!idx_has_path(s->ws->idx, path.buf))
				add_item(s, '?', key.buf, path.buf);
			strbuf_release(&path);
		}
	}
	if (have)
		idx_entry_release(&e);
	idx_cursor_close(cur);
	path_list_release(&fl);
	strbuf_release(&err);
	strbuf_release(&key);
	return 0;
}

static int cmp_item(const void *a, const void *b)
{
	const struct item *x = a, *y = b;

	return logical_key_cmp(x->key, strlen(x->key), y->key,
			       strlen(y->key));
}

static const char *word(char code)
{
	switch (code) {
	case 'A': return "added";
	case 'D': return "deleted";
	case 'M': return "modified";
	case 'm': return "metadata";
	case 'P': return "metadata";
	case '!': return "missing";
	default: return "new";
	}
}

static void print_human(struct status *s, const char *name, int have_head,
			const struct object_id *head)
{
	static const char *const titles[] = {
		"Changes to commit:",
		"Files missing (restore them or 'quire rm' the entries):",
		"New files in added folders (not staged; 'quire add' them):",
	};
	static const char *const codes[] = { "ADMmP", "!", "?" };
	size_t i;
	int g, clean = 1;

	printf("On package %s, ", name ? name : "(no name)");
	if (have_head)
		printf("HEAD %s\n", short_hash(head));
	else
		printf("no commits yet\n");
	for (g = 0; g < 3; g++) {
		int shown = 0;

		for (i = 0; i < s->nr; i++) {
			if (!strchr(codes[g], s->items[i].code))
				continue;
			if (!shown++)
				printf("\n%s\n", titles[g]);
			if (g == 0)
				printf("\t%-9s %s\n", word(s->items[i].code),
				       s->items[i].key);
			else
				printf("\t%s\n", s->items[i].key);
			clean = 0;
		}
	}
	if (s->local)
		printf("\n%" PRIu64 " entr%s point%s to local files; 'quire "
		       "push' copies them to a registry.\n", s->local,
		       s->local == 1 ? "y" : "ies", s->local == 1 ? "s" : "");
	if (clean)
		printf("\nnothing to commit\n");
}

static void print_json(struct status *s, const char *name, int have_head,
		       const struct object_id *head)
{
	struct json *o = json_new_object(), *arr = json_new_array();
	struct strbuf out = STRBUF_INIT;
	size_t i;

	json_object_set(o, "package", 7, name ?
			json_new_string(name, strlen(name)) : json_new_null());
	json_object_set(o, "head", 4, have_head ?
			json_new_string(oid_to_hex(head), HASH_HEXSZ) :
			json_new_null());
	for (i = 0; i < s->nr; i++) {
		struct json *it = json_new_object();
		const char *w = word(s->items[i].code);

		json_object_set(it, "status", 6, json_new_string(w, strlen(w)));
		json_object_set(it, "key", 3,
				json_new_string(s->items[i].key,
						strlen(s->items[i].key)));
		json_array_append(arr, it);
	}
	json_object_set(o, "changes", 7, arr);
	json_object_set(o, "local_entries", 13, json_new_uint(s->local));
	json_write_python(&out, o);
	printf("%s\n", out.buf);
	json_free(o);
	strbuf_release(&out);
}

int cmd_status(int argc, const char **argv, const char *prefix,
	       struct workspace *ws)
{
	struct strbuf err = STRBUF_INIT;
	struct stage_stats stats = { 0 };
	struct status s = { 0 };
	struct object_id head, clean;
	struct entry_stream *a = NULL, *b;
	struct json *staged_meta;
	int porcelain = 0, json = 0, have_head;
	FILE *fp = NULL;
	size_t i, new_from;
	struct option options[] = {
		OPT_BOOL(0, "porcelain", &porcelain,
			 "stable output for scripts: a code and a key a line"),
		OPT_BOOL(0, "json", &json, "output as a JSON object"),
		OPT__PROGRESS(),
		OPT_END()
	};

	argc = parse_options(argc, argv, prefix, options, status_usage, 0);
	if (argc || (porcelain && json))
		usage_with_options(status_usage, options);
	s.ws = ws;
	begin_cache_write(ws);
	if (stage_refresh(ws, NULL, on_refresh, &s, &stats, &err) < 0)
		die("%s", err.buf);
	commit_cache_write(ws);	/* the refreshed stat cache */

	s.local = stats.local;
	have_head = !refs_read(ws->refs, "HEAD", &head);
	/* an index that is exactly HEAD has nothing staged to compare */
	if (have_head && !stats.modified && !idx_clean_get(ws->idx, &clean) &&
	    oideq(&clean, &head))
		goto staged_done;
	if (have_head && odb_open_manifest(&ws->odb, &head, &fp, &err) < 0)
		die("%s", err.buf);
	if (fp) {
		a = entry_stream_manifest(fp, "HEAD", &err);
		if (!a)
			die("%s", err.buf);
	} else {
		/* nothing committed: every staged entry is new */
		static const char none[] = "{\"version\": \"v0\"}\n";
		FILE *empty = fmemopen((void *)none, strlen(none), "r");

		a = entry_stream_manifest(empty, "nothing", &err);
		fp = empty;
	}
	b = entry_stream_index(ws->idx, NULL);
	if (!a || !b || diff_streams(a, b, on_diff, &s, &err) < 0)
		die("%s", err.buf);
	if (package_meta_load(ws, &staged_meta, &err) < 0)
		die("%s", err.buf);
	if (package_meta_differs(a->meta, staged_meta))
		add_item(&s, 'P', "(package)", NULL);
	json_free(staged_meta);
	entry_stream_free(a);
	entry_stream_free(b);
	fclose(fp);
staged_done:
	new_from = s.nr;
	idx_for_each_watch(ws->idx, each_watch, &s);
	QSORT(s.items + new_from, s.nr - new_from, cmp_item);

	if (json) {
		print_json(&s, workspace_package_name(ws), have_head, &head);
	} else if (porcelain) {
		for (i = 0; i < s.nr; i++)
			printf("%c %s\n", s.items[i].code, s.items[i].key);
	} else {
		print_human(&s, workspace_package_name(ws), have_head, &head);
	}
	for (i = 0; i < s.nr; i++) {
		free(s.items[i].key);
		free(s.items[i].path);
	}
	free(s.items);
	strbuf_release(&err);
	return 0;
}
