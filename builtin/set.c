#include "builtin.h"
#include "json.h"
#include "logical-key.h"
#include "parse-options.h"
#include "stage.h"

static const char * const set_usage[] = {
	"quire set [--meta <json>] <key> <path>",
	NULL
};

int cmd_set(int argc, const char **argv, const char *prefix,
	    struct workspace *ws)
{
	struct strbuf err = STRBUF_INIT, meta = STRBUF_INIT;
	struct stage_stats stats = { 0 };
	struct idx_entry e;
	struct json *user = NULL, *obj = NULL;
	const char *meta_arg = NULL;
	struct stat st;
	struct option options[] = {
		OPT_STRING(0, "meta", &meta_arg, "json",
			   "the entry's user metadata"),
		OPT_END()
	};

	argc = parse_options(argc, argv, prefix, options, set_usage, 0);
	if (argc != 2)
		usage_with_options(set_usage, options);
	if (logical_key_check(argv[0], strlen(argv[0]), 0, &err) < 0)
		die("%s", err.buf);
	if (stat(argv[1], &st) < 0 || !S_ISREG(st.st_mode))
		die("'%s' is not a file", argv[1]);
	if (meta_arg && json_parse(meta_arg, strlen(meta_arg), &user, &err) < 0)
		die("--meta is not valid JSON: %s", err.buf);
	if (user && user->type != JSON_OBJECT)
		die("--meta must be a JSON object, like '{\"key\": 1}'");
	begin_index_write(ws);
	if (stage_add(ws, argv[1], argv[0], &stats, &err) < 0)
		die("%s", err.buf);
	if (user) {
		if (idx_get_entry(ws->idx, argv[0], &e) < 0)
			BUG("entry just staged is missing");
		if (json_parse(e.meta, strlen(e.meta), &obj, &err) < 0)
			die("%s", err.buf);
		json_object_set(obj, "user_meta", 9, user);
		json_write_python(&meta, obj);
		free(e.meta);
		e.meta = strbuf_detach(&meta, NULL);
		if (idx_put_entry(ws->idx, &e, &err) < 0)
			die("%s", err.buf);
		idx_entry_release(&e);
		json_free(obj);
	}
	commit_index_write(ws);
	strbuf_release(&err);
	return 0;
}
