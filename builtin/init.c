#include "builtin.h"
#include "ignore.h"
#include "parse-options.h"
#include "workspace.h"

static const char * const init_usage[] = {
	"quire init [-q] [<namespace>/<name>]",
	NULL
};

int cmd_init(int argc, const char **argv, const char *prefix,
	     struct workspace *ws)
{
	struct strbuf err = STRBUF_INIT, exclude = STRBUF_INIT;
	char *cwd;
	int quiet = 0, ret, wrote = 0;
	struct option options[] = {
		OPT__QUIET(&quiet),
		OPT_END()
	};

	argc = parse_options(argc, argv, prefix, options, init_usage, 0);
	if (argc > 1)
		usage_with_options(init_usage, options);
	ret = workspace_init(".", argc ? argv[0] : NULL, &wrote, &exclude,
			     &err);
	if (ret == QERR_EXISTS)
		die("%s; nothing to do", err.buf);
	if (ret)
		die("%s", err.buf);
	cwd = getcwd(NULL, 0);
	if (!quiet)
		printf("Initialized empty quire workspace in %s/.quire/\n",
		       cwd ? cwd : ".");
	if (!quiet && wrote)
		printf("Wrote " IGNORE_FILE " (it ignores .git/, __pycache__/ "
		       "and the like; see quire-ignore(5))\n");
	if (!quiet && exclude.len)
		printf("Added .quire/ to %s\n", exclude.buf);
	free(cwd);
	strbuf_release(&exclude);
	strbuf_release(&err);
	return 0;
}
