#include "builtin.h"
#include "handler.h"
#include "json.h"
#include "logical-key.h"
#include "package.h"
#include "parse-options.h"

static const char * const meta_usage[] = {
	"quire meta <key> [<json>]",
	"quire meta --handler <key>",
	"quire meta --package [<json>]",
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
		json_object_set(meta, "user_meta", 9, parse_arg(arg));
		if (package_meta_store(ws, meta, &err) < 0)
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

int cmd_meta(int argc, const char **argv, const char *prefix,
	     struct workspace *ws)
{
	struct strbuf err = STRBUF_INIT, out = STRBUF_INIT;
	struct idx_entry e;
	struct json *obj;
	int package = 0, handler = 0;
	struct option options[] = {
		OPT_BOOL(0, "handler", &handler,
			 "print the entry's handler (see quire set --spec)"),
		OPT_BOOL(0, "package", &package,
			 "the package's metadata instead of an entry's"),
		OPT_END()
	};

	argc = parse_options(argc, argv, prefix, options, meta_usage, 0);
	if (handler && package)
		usage_msg_opt("--handler and --package cannot be used together",
			      meta_usage, options);
	if (handler && argc != 1)
		usage_with_options(meta_usage, options);
	if (package)
		return argc > 1 ? (usage_with_options(meta_usage, options), 1)
				: package_meta(ws, argc ? argv[0] : NULL);
	if (argc < 1 || argc > 2)
		usage_with_options(meta_usage, options);
	if (argv[0][0] && argv[0][strlen(argv[0]) - 1] == '/') {
		if (handler)
			die("'%s' is a folder, and only entries have a "
			    "handler; name an entry", argv[0]);
		return dir_meta(ws, argv[0], argc > 1 ? argv[1] : NULL);
	}
	if (argc > 1)
		begin_index_write(ws);
	else
		open_index(ws);
	if (idx_get_entry(ws->idx, argv[0], &e) < 0)
		die("'%s' is not staged; 'quire status' lists what is",
		    argv[0]);
	if (json_parse(e.meta, strlen(e.meta), &obj, &err) < 0)
		die("%s", err.buf);
	if (handler) {
		print_handler(obj);
	} else if (argc == 1) {
		print_user_meta(obj);
	} else {
		json_object_set(obj, "user_meta", 9, parse_arg(argv[1]));
		json_write_python(&out, obj);
		free(e.meta);
		e.meta = strbuf_detach(&out, NULL);
		if (idx_put_entry(ws->idx, &e, &err) < 0)
			die("%s", err.buf);
		commit_index_write(ws);
	}
	json_free(obj);
	idx_entry_release(&e);
	strbuf_release(&err);
	return 0;
}
