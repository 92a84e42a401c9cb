#include "builtin.h"
#include "parse-options.h"
#include "revision.h"
#include "workspace.h"

static const char * const rev_parse_usage[] = {
	"quire rev-parse [--short] <revision>...",
	NULL
};

int cmd_rev_parse(int argc, const char **argv, const char *prefix,
		  struct workspace *ws)
{
	struct strbuf err = STRBUF_INIT;
	int short_hash = 0, i;
	struct option options[] = {
		OPT_BOOL(0, "short", &short_hash,
			 "print the first 12 digits only"),
		OPT_END()
	};

	argc = parse_options(argc, argv, prefix, options, rev_parse_usage, 0);
	if (argc < 1)
		usage_with_options(rev_parse_usage, options);
	for (i = 0; i < argc; i++) {
		struct object_id top;

		if (resolve_revision(ws, argv[i], &top, &err) < 0)
			die("%s", err.buf);
		printf("%.*s\n", short_hash ? 12 : HASH_HEXSZ,
		       oid_to_hex(&top));
	}
	strbuf_release(&err);
	return 0;
}
