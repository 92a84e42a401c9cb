#include "builtin.h"
#include "diff.h"
#include "folder-check.h"
#include "json.h"
#include "parse-options.h"
#include "porcelain.h"
#include "progress.h"
#include "refs/refs.h"

static const char * const verify_usage[] = {
	"quire verify [-q] [--json] [--rev <revision> [--registry <registry>]] "
	"[<dir>]",
	NULL
};

struct verify {
	struct workspace *ws;
	int quiet, json;
	struct json *problems;
};

/* The words of quire-json(7) for what folder_check() finds. */
static const char *json_word(const char *what)
{
	if (!strcmp(what, "changed"))
		return "modified";
	if (!strcmp(what, "extra"))
		return "new";
	return what;
}

static void report(const char *what, const char *key, void *payload)
{
	struct verify *v = payload;
	struct strbuf sb = STRBUF_INIT;

	if (v->json) {
		struct json *it = json_new_object();
		const char *w = json_word(what);

		strbuf_addf(&sb, "%s/%s", v->ws->root, key);
		json_object_set(it, "status", 6, json_new_string(w, strlen(w)));
		json_object_set(it, "logical_key", 11,
				json_new_string(key, strlen(key)));
		json_object_set(it, "path", 4, json_new_string(sb.buf, sb.len));
		json_array_append(v->problems, it);
	} else if (!v->quiet) {
		strbuf_add_quoted_name(&sb, key, strlen(key));
		printf("%s: %s\n", what, sb.buf);
	}
	strbuf_release(&sb);
}

static void print_json(struct verify *v, const struct object_id *top,
		       const struct folder_check_counts *n)
{
	struct json *o = json_new_object();
	struct strbuf out = STRBUF_INIT;
	const char *name = workspace_package_name(v->ws);
	int ok = folder_check_matches(n);

	json_object_set(o, "name", 4, name ?
			json_new_string(name, strlen(name)) : json_new_null());
	json_object_set(o, "top_hash", 8,
			json_new_string(oid_to_hex(top), HASH_HEXSZ));
	json_object_set(o, "status", 6, json_new_string(ok ? "ok" : "problem",
							ok ? 2 : 7));
	json_object_set(o, "entries", 7,
			json_new_uint(n->ok + n->changed + n->missing +
				      n->skipped));
	json_object_set(o, "problems", 8, v->problems);
	v->problems = NULL;
	json_write_python(&out, o);
	printf("%s\n", out.buf);
	json_free(o);
	strbuf_release(&out);
}

/* The version to check against, as a stream; *fp closed by the caller. */
static struct entry_stream *open_version(struct workspace *ws,
					 const char *registry, const char *rev,
					 struct object_id *head, FILE **fp)
{
	struct strbuf err = STRBUF_INIT;
	struct entry_stream *s;

	if (rev) {
		if (porcelain_open_stream(ws, registry, rev, head, fp, &s,
					  &err) < 0)
			die("%s", err.buf);
		return s;
	}
	if (refs_read(ws->refs, "HEAD", head) < 0)
		die("'%s' has no package version to verify against; "
		    "install or commit one first, or give --rev", ws->root);
	if (odb_open_manifest(&ws->odb, head, fp, &err) < 0)
		die("%s", err.buf);
	s = entry_stream_manifest(*fp, "HEAD", &err);
	if (!s)
		die("%s", err.buf);
	strbuf_release(&err);
	return s;
}

int cmd_verify(int argc, const char **argv, const char *prefix,
	       struct workspace *unused)
{
	struct strbuf err = STRBUF_INIT, warn = STRBUF_INIT;
	struct verify v = { 0 };
	struct folder_check_counts n;
	struct progress *progress;
	struct entry_stream *s;
	struct object_id head, clean;
	int64_t total = 0;
	FILE *fp;
	const char *rev = NULL, *registry = NULL;
	struct option options[] = {
		OPT__QUIET(&v.quiet),
		OPT__PROGRESS(),
		OPT_BOOL(0, "json", &v.json,
			 "output as a JSON object (see quire-json(7))"),
		OPT_STRING(0, "rev", &rev, "revision",
			   "check against this version, here or in a registry"),
		OPT__REGISTRY(&registry),
		OPT_END()
	};

	argc = parse_options(argc, argv, prefix, options, verify_usage, 0);
	if (argc > 1)
		usage_with_options(verify_usage, options);
	if (folder_check_workspace(argc ? argv[0] : ".", &v.ws, &err) < 0)
		die("%s", err.buf);
	open_index(v.ws);
	if (registry && !rev)
		die("--registry needs --rev <revision>");
	s = open_version(v.ws, registry, rev, &head, &fp);
	/* an index that is exactly HEAD counts the entries to come */
	if (!rev && !idx_clean_get(v.ws->idx, &clean) && oideq(&clean, &head))
		total = idx_count(v.ws->idx, NULL);
	progress = progress_start("Verifying", total > 0 ? total : 0,
				  v.quiet ? PROGRESS_QUIET : 0);
	if (v.json)
		v.problems = json_new_array();
	if (folder_check(v.ws, s, progress, report, &v, &n, &warn, &err) < 0)
		die("%s", err.buf);
	progress_stop(&progress);
	entry_stream_free(s);
	fclose(fp);
	if (warn.len)
		warning("%s", warn.buf);
	if (v.json)
		print_json(&v, &head, &n);
	if (!v.quiet)
		fprintf(stderr, "%" PRIu64 " file%s match %s; %" PRIu64
			" changed, %" PRIu64 " missing, %" PRIu64 " extra%s\n",
			n.ok, n.ok == 1 ? "" : "s", short_hash(&head),
			n.changed, n.missing, n.extra, n.skipped ?
			" (entries not installed are not checked)" : "");
	workspace_free(v.ws);
	strbuf_release(&warn);
	strbuf_release(&err);
	return folder_check_matches(&n) ? 0 : 1;
}
