#include "builtin.h"
#include "cwd-key.h"
#include "parse-options.h"
#include "stage.h"

static const char * const mv_usage[] = {
	"quire mv [--overwrite] <source> <destination>",
	NULL
};

int cmd_mv(int argc, const char **argv, const char *prefix,
	   struct workspace *ws)
{
	struct strbuf src = STRBUF_INIT, dst = STRBUF_INIT, err = STRBUF_INIT;
	size_t moved;
	int overwrite = 0;
	struct option options[] = {
		OPT_BOOL(0, "overwrite", &overwrite,
			 "replace entries already at the destination"),
		OPT_END()
	};

	argc = parse_options(argc, argv, prefix, options, mv_usage, 0);
	if (argc != 2)
		usage_with_options(mv_usage, options);
	begin_index_write(ws);
	if (cwd_key(prefix, argv[0], &src, &err) < 0 ||
	    cwd_key(prefix, argv[1], &dst, &err) < 0 ||
	    stage_move(ws, src.buf, dst.buf, overwrite, &moved, &err) < 0)
		die("%s", err.buf);
	commit_index_write(ws);
	fprintf(stderr, "moved %zu entr%s\n", moved, moved == 1 ? "y" : "ies");
	strbuf_release(&src);
	strbuf_release(&dst);
	strbuf_release(&err);
	return 0;
}
