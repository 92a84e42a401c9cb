#include "builtin.h"
#include "export/slice.h"
#include "parse-options.h"

static const char * const slice_usage[] = {
	"quire slice start <id>",
	"quire slice add <id> <table> <condition>",
	"quire slice show <id>",
	"quire slice list",
	"quire slice drop <id>",
	"quire slice export <id> [<options>] <db>",
	NULL
};

static const struct option no_options[] = { OPT_END() };

static void want_args(int argc, int n)
{
	if (argc != n)
		usage_with_options(slice_usage, no_options);
}

static int slice_start(struct workspace *ws, int argc, const char **argv)
{
	struct strbuf err = STRBUF_INIT;

	want_args(argc, 2);
	if (slice_list_create(ws, argv[1], &err) < 0)
		die("%s", err.buf);
	strbuf_release(&err);
	return 0;
}

static int slice_add(struct workspace *ws, int argc, const char **argv)
{
	struct strbuf err = STRBUF_INIT;
	struct slice_leaf leaf;

	want_args(argc, 4);
	leaf.table = (char *)argv[2];
	leaf.restriction = (char *)argv[3];
	if (!*leaf.table || !*leaf.restriction)
		die("give a table and a condition, neither empty");
	if (slice_list_append(ws, argv[1], &leaf, &err) < 0)
		die("%s", err.buf);
	strbuf_release(&err);
	return 0;
}

static int slice_show(struct workspace *ws, int argc, const char **argv)
{
	struct slice_leaves l = SLICE_LEAVES_INIT;
	struct strbuf err = STRBUF_INIT, out = STRBUF_INIT;
	size_t i;

	want_args(argc, 2);
	if (slice_list_read(ws, argv[1], &l, &err) < 0)
		die("%s", err.buf);
	for (i = 0; i < l.nr; i++)
		slice_leaf_write(&out, &l.v[i]);
	fwrite(out.buf, 1, out.len, stdout);
	slice_leaves_release(&l);
	strbuf_release(&out);
	strbuf_release(&err);
	return 0;
}

static int slice_list(struct workspace *ws, int argc, const char **argv)
{
	struct string_list ids = STRING_LIST_INIT;
	struct strbuf err = STRBUF_INIT;
	size_t i;

	want_args(argc, 1);
	if (slice_list_names(ws, &ids, &err) < 0)
		die("%s", err.buf);
	for (i = 0; i < ids.nr; i++)
		printf("%s\n", ids.items[i]);
	string_list_clear(&ids);
	strbuf_release(&err);
	return 0;
}

static int slice_drop(struct workspace *ws, int argc, const char **argv)
{
	struct strbuf err = STRBUF_INIT;

	want_args(argc, 2);
	if (slice_list_remove(ws, argv[1], &err) < 0)
		die("%s", err.buf);
	strbuf_release(&err);
	return 0;
}

/*
 * "slice export <id> <args>..." is "export-slice --leaves <the list's
 * file> <args>...": the list's leaves come first, then those given.
 */
static int slice_export(struct workspace *ws, int argc, const char **argv,
			const char *prefix)
{
	struct strbuf err = STRBUF_INIT, path = STRBUF_INIT;
	const char **args;
	int i, ret;

	if (argc < 2)
		usage_with_options(slice_usage, no_options);
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		const char *help[] = { "slice", "-h", NULL };

		return cmd_export_slice(2, help, prefix, ws);
	}
	if (slice_list_path(ws, argv[1], &path, &err) < 0)
		die("%s", err.buf);
	args = xcalloc(argc + 2, sizeof(*args));
	args[0] = "slice";
	args[1] = "--leaves";
	args[2] = path.buf;
	for (i = 2; i < argc; i++)
		args[i + 1] = argv[i];
	ret = cmd_export_slice(argc + 1, args, prefix, ws);
	free(args);
	strbuf_release(&path);
	strbuf_release(&err);
	return ret;
}

int cmd_slice(int argc, const char **argv, const char *prefix,
	      struct workspace *ws)
{
	const char *sub;

	argc = parse_options(argc, argv, prefix, no_options, slice_usage,
			     PARSE_OPT_STOP_AT_NON_OPTION);
	if (!argc)
		usage_with_options(slice_usage, no_options);
	sub = argv[0];
	if (!strcmp(sub, "start"))
		return slice_start(ws, argc, argv);
	if (!strcmp(sub, "add"))
		return slice_add(ws, argc, argv);
	if (!strcmp(sub, "show"))
		return slice_show(ws, argc, argv);
	if (!strcmp(sub, "list"))
		return slice_list(ws, argc, argv);
	if (!strcmp(sub, "drop"))
		return slice_drop(ws, argc, argv);
	if (!strcmp(sub, "export"))
		return slice_export(ws, argc, argv, prefix);
	usage_msg_opt("unknown subcommand", slice_usage, no_options);
}
