#include "builtin.h"
#include "logical-key.h"
#include "parse-options.h"
#include "stage.h"

static const char * const add_usage[] = {
	"quire add [-q] [-f] [--as <key>] <path>...",
	"quire add [-q] <folder-key>/ <path>",
	NULL
};

/*
 * Was arg meant as the <logical-prefix> of the old two-operand form
 * ('quire add <path> <logical-prefix>')? It names no file, and it is a
 * key, or a prefix ending in '/', or the empty prefix.
 */
static int looks_like_key(const char *arg)
{
	struct strbuf err = STRBUF_INIT;
	size_t len = strlen(arg);
	int ret;

	if (!strncmp(arg, "s3://", 5))
		return 0;
	if (len && arg[len - 1] == '/')
		len--;
	ret = !len || !logical_key_check(arg, len, 0, &err);
	strbuf_release(&err);
	return ret;
}

/*
 * The seeds' spelling 'quire add val2017/ s3://bucket/validation/': a
 * key prefix ending in '/' that names nothing on disk, then a source
 * that is an S3 URL or names something. Unambiguous: it means --as.
 */
static int prefix_first(int argc, const char **argv)
{
	struct stat st;
	size_t len = strlen(argv[0]);

	return argc == 2 && len > 1 && argv[0][len - 1] == '/' &&
	       stat(argv[0], &st) < 0 && looks_like_key(argv[0]) &&
	       (!strncmp(argv[1], "s3://", 5) || !stat(argv[1], &st));
}

int cmd_add(int argc, const char **argv, const char *prefix,
	    struct workspace *ws)
{
	struct strbuf err = STRBUF_INIT;
	struct stage_stats stats = { 0 };
	const char *as = NULL;
	int quiet = 0, force = 0, failed = 0, ret;
	struct option options[] = {
		OPT__QUIET(&quiet),
		OPT__PROGRESS(),
		OPT_BOOL('f', "force", &force,
			 "add files the .quireignore files exclude"),
		OPT_STRING(0, "as", &as, "key",
			   "the key (a folder: the prefix) of the one <path>"),
		OPT_END()
	};

	argc = parse_options(argc, argv, prefix, options, add_usage, 0);
	if (argc < 1)
		usage_with_options(add_usage, options);
	if (as && argc != 1)
		usage_msg_opt("--as takes exactly one <path>", add_usage,
			      options);
	if (!as && prefix_first(argc, argv)) {
		as = argv[0];
		argv++;
		argc--;
	}
	begin_index_write(ws);
	ret = stage_add_paths(ws, argv, argc, as,
			      force ? STAGE_ADD_FORCE : 0, &failed, &stats,
			      &err);
	if (ret == QERR_NOTFOUND && argc == 2 && failed == 1 &&
	    looks_like_key(argv[1]))
		strbuf_addf(&err, "; did you mean 'quire add --as %s %s'?",
			    argv[1], argv[0]);
	if (ret < 0)
		die("%s", err.buf);
	commit_index_write(ws);
	if (!quiet && argc == 1)
		fprintf(stderr, "staged %" PRIu64 " file%s from '%s'\n",
			stats.added, stats.added == 1 ? "" : "s", argv[0]);
	else if (!quiet)
		fprintf(stderr, "staged %" PRIu64 " file%s from %d paths\n",
			stats.added, stats.added == 1 ? "" : "s", argc);
	strbuf_release(&err);
	return 0;
}
