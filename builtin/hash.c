#include "builtin.h"
#include "folder.h"
#include "parse-options.h"

static const char * const hash_usage[] = {
	"quire hash [<dir>]",
	NULL
};

int cmd_hash(int argc, const char **argv, const char *prefix,
	     struct workspace *ws)
{
	struct strbuf err = STRBUF_INIT;
	struct object_id top;
	struct option options[] = { OPT_END() };
	struct stat st;
	const char *dir;

	argc = parse_options(argc, argv, prefix, options, hash_usage, 0);
	if (argc > 1)
		usage_with_options(hash_usage, options);
	dir = argc ? argv[0] : ".";
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
		die("'%s' is not a folder", dir);
	if (folder_build(dir, -1, &top, NULL, &err) < 0)
		die("%s", err.buf);
	printf("%s\n", oid_to_hex(&top));
	strbuf_release(&err);
	return 0;
}
