#include "builtin.h"
#include "object-read.h"
#include "parse-options.h"

static const char * const readme_usage[] = {
	"quire readme [<options>] <revision>",
	NULL
};

int cmd_readme(int argc, const char **argv, const char *prefix,
	       struct workspace *ws)
{
	struct strbuf err = STRBUF_INIT;
	const char *reg = NULL;
	int ret;
	int allow_local = 0;
	struct option options[] = {
		OPT__REGISTRY(&reg),
		OPT_BOOL(0, "allow-local-files", &allow_local,
			 "read entries from files on this machine outside "
			 "the registry"),
		OPT_END()
	};

	argc = parse_options(argc, argv, prefix, options, readme_usage, 0);
	if (argc != 1)
		usage_with_options(readme_usage, options);
	fflush(stdout);
	ret = read_entry(ws, reg, allow_local, argv[0], "README.md",
			 STDOUT_FILENO, &err);
	if (ret == QERR_NOTFOUND && strstr(err.buf, "no entry"))
		die("%s has no README.md", argv[0]);
	if (ret < 0)
		die("%s", err.buf);
	strbuf_release(&err);
	return 0;
}
