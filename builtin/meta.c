#include "builtin.h"
#include "commit.h"
#include "cwd-key.h"
#include "diff.h"
#include "handler.h"
#include "json.h"
#include "logical-key.h"
#include "package.h"
#include "parse-options.h"
#include "stage.h"

static const char * const meta_usage[] = {
	"quire meta <key> [<json>]",
	"quire meta --handler <key>",
	"quire meta --package [<json>]",
	"quire meta [-r <registry>] [--handler] <revision> <key>",
	"quire meta [-r <registry>] --package <revision>",
	NULL
};

static struct json *parse_arg(const char *arg)
{
	struct strbuf err = STRBUF_INIT;
	struct json *j;

	if (json_parse(arg, strlen(arg), &j, &err) < 0)
		die("not valid JSON: %s", err.buf);
	if (j->type != JSON_OBJECT)
		die("metadata must be a JSON object, like '{\"key\": 1}'");
	strbuf_release(&err);
	return j;
}

static void print_user_meta(const struct json *obj)
{
	struct strbuf out = STRBUF_INIT;
	const struct json *um = json_object_get(obj, "user_meta");

	if (um)
		json_write_python(&out, um);
	else
		strbuf_addstr(&out, "{}");
	printf("%s\n", out.buf);
	strbuf_release(&out);
}

static void print_handler(const struct json *obj)
{
	struct strbuf out = STRBUF_INIT;
	const struct json *h = handler_get(obj);

	if (h)
		json_write_python(&out, h);
	else
		strbuf_addstr(&out, "{}");
	printf("%s\n", out.buf);
	strbuf_release(&out);
}

static int package_meta(struct workspace *ws, const char *arg)
{
	struct strbuf err = STRBUF_INIT;
	struct json *meta;

	if (arg)
		begin_index_write(ws);
	else
		open_index(ws);
	if (package_meta_load(ws, &meta, &err) < 0)
		die("%s", err.buf);
	if (!arg) {
		print_user_meta(meta);
	} else {
		if (package_user_meta_set(ws, parse_arg(arg), &err) < 0)
			die("%s", err.buf);
		commit_index_write(ws);
	}
	json_free(meta);
	strbuf_release(&err);
	return 0;
}

/* Folder metadata: keys ending in '/' ("train/"). */
static int dir_meta(struct workspace *ws, const char *key, const char *arg)
{
	struct strbuf err = STRBUF_INIT, out = STRBUF_INIT;
	struct json *j;

	if (!arg)
		die("reading folder metadata is done with 'quire ls'; give "
		    "JSON to set it");
	if (logical_key_check(key, strlen(key) - 1, 0, &err) < 0)
		die("%s", err.buf);
	j = parse_arg(arg);
	json_write_python(&out, j);
	begin_index_write(ws);
	if (idx_set_dir_meta(ws->idx, key, out.buf, &err) < 0)
		die("%s", err.buf);
	commit_index_write(ws);
	json_free(j);
	strbuf_release(&out);
	strbuf_release(&err);
	return 0;
}

/* The entry (or folder line) key of the version s, into e: 0, or -1. */
static int find_entry(struct entry_stream *s, const char *key,
		      struct manifest_entry *e)
{
	struct strbuf err = STRBUF_INIT;
	int ret;

	while ((ret = s->next(s, e, &err)) > 0)
		if (!strcmp(e->key.buf, key))
			break;
	if (ret < 0)
		die("%s", err.buf);
	strbuf_release(&err);
	return ret > 0 ? 0 : -1;
}

/* 'quire meta <revision> <key>': read an entry's metadata of a version. */
static int rev_meta(struct workspace *ws, const char *registry,
		    const char *rev, const char *key, int handler)
{
	struct strbuf err = STRBUF_INIT;
	struct manifest_entry e;
	struct entry_stream *s;
	struct object_id top;
	FILE *fp;

	if (porcelain_open_stream(ws, registry, rev, &top, &fp, &s, &err) < 0)
		die("%s", err.buf);
	manifest_entry_init(&e);
	if (find_entry(s, key, &e) < 0)
		die("'%s' is not an entry of %s (%s); 'quire ls %s' lists "
		    "them", key, rev, short_hash(&top), rev);
	if (handler)
		print_handler(e.meta);
	else
		print_user_meta(e.meta);
	manifest_entry_release(&e);
	entry_stream_free(s);
	fclose(fp);
	strbuf_release(&err);
	return 0;
}

/* 'quire meta --package <revision>': a version's package metadata. */
static int rev_package_meta(struct workspace *ws, const char *registry,
			    const char *rev)
{
	struct strbuf err = STRBUF_INIT;
	struct object_id top;
	struct json *meta;

	if (porcelain_version_meta(ws, registry, rev, &top, &meta, &err) < 0)
		die("%s", err.buf);
	print_user_meta(meta);
	json_free(meta);
	strbuf_release(&err);
	return 0;
}

/*
 * Two operands: "<key> <json>" sets an entry's metadata in the
 * workspace, "<revision> <key>" reads one from a version. JSON, or what
 * was meant as JSON (it starts with '{' or '['), is the first kind.
 */
static int is_json(const char *arg)
{
	struct strbuf err = STRBUF_INIT;
	struct json *j;
	int ret;

	arg += strspn(arg, " \t\n\r");
	if (*arg == '{' || *arg == '[')
		return 1;
	ret = !json_parse(arg, strlen(arg), &j, &err);
	if (ret)
		json_free(j);
	strbuf_release(&err);
	return ret;
}

/* 'quire meta <key> <json>': key (consumed) gets the user metadata arg. */
static int set_entry_meta(struct workspace *ws, struct strbuf *key,
			  const char *arg)
{
	struct strbuf err = STRBUF_INIT;
	struct stage_set_meta m = { NULL, NULL, NULL, 0 };
	int ret;

	m.user = parse_arg(arg);
	begin_index_write(ws);
	ret = stage_set(ws, key->buf, NULL, &m, NULL, &err);
	if (ret == QERR_NOTFOUND)
		die("%s; 'quire status' lists what is", err.buf);
	if (ret < 0)
		die("%s", err.buf);
	commit_index_write(ws);
	strbuf_release(key);
	strbuf_release(&err);
	return 0;
}

static struct workspace *need_workspace(struct workspace *ws)
{
	if (!ws)
		die("not in a quire workspace (or any of its parent folders); "
		    "read a version's metadata with 'quire meta <revision> "
		    "<key>'");
	return ws;
}

int cmd_meta(int argc, const char **argv, const char *prefix,
	     struct workspace *ws)
{
	const char *registry = NULL;
	struct strbuf key = STRBUF_INIT;
	struct strbuf err = STRBUF_INIT;
	struct idx_entry e;
	struct json *obj;
	int package = 0, handler = 0, ret;
	struct option options[] = {
		OPT_BOOL(0, "handler", &handler,
			 "print the entry's handler (see quire set --spec)"),
		OPT_BOOL(0, "package", &package,
			 "the package's metadata instead of an entry's"),
		OPT__REGISTRY(&registry),
		OPT_END()
	};

	argc = parse_options(argc, argv, prefix, options, meta_usage, 0);
	if (handler && package)
		usage_msg_opt("--handler and --package cannot be used together",
			      meta_usage, options);
	if (argc > 2 || (!argc && !package))
		usage_with_options(meta_usage, options);
	if (package && argc == 1 && (registry || !ws || !is_json(argv[0])))
		return rev_package_meta(ws, registry, argv[0]);
	if (argc == 2 && !package && (registry || !is_json(argv[1])))
		return rev_meta(ws, registry, argv[0], argv[1], handler);
	if (registry)
		die("--registry reads a version's metadata; name it: 'quire "
		    "meta -r <registry> <revision> <key>'");
	if (handler && argc != 1)
		usage_with_options(meta_usage, options);
	ws = need_workspace(ws);
	if (package)
		return argc > 1 ? (usage_with_options(meta_usage, options), 1)
				: package_meta(ws, argc ? argv[0] : NULL);
	if (cwd_key(prefix, argv[0], &key, &err) < 0)
		die("%s", err.buf);
	if (key.len && key.buf[key.len - 1] == '/') {
		if (handler)
			die("'%s' is a folder, and only entries have a "
			    "handler; name an entry", argv[0]);
		ret = dir_meta(ws, key.buf, argc > 1 ? argv[1] : NULL);
		strbuf_release(&key);
		return ret;
	}
	if (argc > 1)
		return set_entry_meta(ws, &key, argv[1]);
	open_index(ws);
	if (idx_get_entry(ws->idx, key.buf, &e) < 0)
		die("'%s' is not staged; 'quire status' lists what is",
		    key.buf);
	if (json_parse(e.meta, strlen(e.meta), &obj, &err) < 0)
		die("%s", err.buf);
	if (handler)
		print_handler(obj);
	else
		print_user_meta(obj);
	json_free(obj);
	idx_entry_release(&e);
	strbuf_release(&key);
	strbuf_release(&err);
	return 0;
}
