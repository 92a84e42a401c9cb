#include "builtin.h"
#include "cwd-key.h"
#include "error.h"
#include "handler.h"
#include "json.h"
#include "logical-key.h"
#include "parse-options.h"
#include "stage.h"

static const char * const set_usage[] = {
	"quire set [--meta <json>] [--spec <spec> [--spec-kwargs <json>] | "
	"--no-spec] <key> <path>",
	"quire set [--meta <json>] (--spec <spec> [--spec-kwargs <json>] | "
	"--no-spec) <key>",
	NULL
};

/*
 * The value of --spec before parsing, to tell "not given" (this) from
 * --no-spec (NULL): of the two, the last one given counts.
 */
static const char spec_unset[] = "";

static struct json *parse_object(const char *opt, const char *arg,
				 const char *example)
{
	struct strbuf err = STRBUF_INIT;
	struct json *j;

	if (json_parse(arg, strlen(arg), &j, &err) < 0)
		die("%s is not valid JSON: %s", opt, err.buf);
	if (j->type != JSON_OBJECT)
		die("%s must be a JSON object, like '%s'", opt, example);
	strbuf_release(&err);
	return j;
}

/*
 * 'quire set <path> <key>', the operands swapped: the first names a file
 * (or is an S3 URL) and the second names none. Say the other order.
 */
static void check_swapped(const char *key, const char *path)
{
	struct stat st;

	if ((!strncmp(key, "s3://", 5) ||
	     (!stat(key, &st) && S_ISREG(st.st_mode))) &&
	    stat(path, &st) < 0)
		die("'%s' is not a file; did you mean 'quire set %s %s'? "
		    "(the key comes first, then the file)", path, path, key);
}

int cmd_set(int argc, const char **argv, const char *prefix,
	    struct workspace *ws)
{
	struct strbuf err = STRBUF_INIT, key = STRBUF_INIT;
	struct stage_stats stats = { 0 };
	struct stage_set_meta m;
	struct json *user = NULL, *kwargs = NULL;
	const char *meta_arg = NULL, *spec = spec_unset, *kwargs_arg = NULL;
	int ret;
	struct stat st;
	struct option options[] = {
		OPT_STRING(0, "meta", &meta_arg, "json",
			   "the entry's user metadata"),
		OPT_STRING(0, "spec", &spec, "spec",
			   "the handler that reads it back (--no-spec: none)"),
		OPT_STRING(0, "spec-kwargs", &kwargs_arg, "json",
			   "the handler's arguments, a JSON object"),
		OPT_END()
	};

	argc = parse_options(argc, argv, prefix, options, set_usage, 0);
	if (argc < 1 || argc > 2)
		usage_with_options(set_usage, options);
	if (kwargs_arg && (!spec || spec == spec_unset))
		die("--spec-kwargs needs --spec; name the handler too, like "
		    "--spec npy --spec-kwargs '{\"mmap_mode\": \"r\"}'");
	if (argc == 1 && spec == spec_unset)
		usage_with_options(set_usage, options);
	if (argc == 2)
		check_swapped(argv[0], argv[1]);
	if (cwd_key(prefix, argv[0], &key, &err) < 0 ||
	    logical_key_check(key.buf, key.len, 0, &err) < 0)
		die("%s", err.buf);
	if (argc == 2 && (stat(argv[1], &st) < 0 || !S_ISREG(st.st_mode)))
		die("'%s' is not a file", argv[1]);
	if (meta_arg)
		user = parse_object("--meta", meta_arg, "{\"key\": 1}");
	if (spec && spec != spec_unset &&
	    handler_spec_check(spec, strlen(spec), &err) < 0)
		die("%s; a spec is up to %d printable ASCII characters "
		    "without spaces, like 'AD_TIFF' or 'npy'", err.buf,
		    HANDLER_SPEC_MAX);
	if (kwargs_arg)
		kwargs = parse_object("--spec-kwargs", kwargs_arg,
				      "{\"frame\": 0}");
	m.user = user;
	m.kwargs = kwargs;
	m.spec = spec != spec_unset ? spec : NULL;
	m.drop_spec = !spec;
	begin_index_write(ws);
	ret = stage_set(ws, key.buf, argc == 2 ? argv[1] : NULL, &m, &stats,
			&err);
	if (ret == QERR_NOTFOUND && argc == 1)
		die("%s; give the path of its file after the key to stage it",
		    err.buf);
	if (ret < 0)
		die("%s", err.buf);
	commit_index_write(ws);
	strbuf_release(&key);
	strbuf_release(&err);
	return 0;
}
