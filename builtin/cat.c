#include "builtin.h"
#include "object-read.h"
#include "parse-options.h"

static const char * const cat_usage[] = {
	"quire cat [<options>] <revision> <key>",
	NULL
};

int cmd_cat(int argc, const char **argv, const char *prefix,
	    struct workspace *ws)
{
	struct strbuf err = STRBUF_INIT;
	const char *reg = NULL;
	int allow_local = 0;
	struct option options[] = {
		OPT__REGISTRY(&reg),
		OPT_BOOL(0, "allow-local-files", &allow_local,
			 "read entries from files on this machine outside "
			 "the registry"),
		OPT_END()
	};

	argc = parse_options(argc, argv, prefix, options, cat_usage, 0);
	if (argc != 2)
		usage_with_options(cat_usage, options);
	fflush(stdout);
	if (read_entry(ws, reg, allow_local, argv[0], argv[1], STDOUT_FILENO,
		       &err) < 0)
		die("%s", err.buf);
	strbuf_release(&err);
	return 0;
}
