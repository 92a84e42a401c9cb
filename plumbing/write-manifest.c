#include "builtin.h"
#include "manifest.h"
#include "parse-options.h"
#include "tempfile.h"
#include "workspace.h"

static const char * const write_manifest_usage[] = {
	"quire write-manifest [<file>]",
	NULL
};

int cmd_write_manifest(int argc, const char **argv, const char *prefix,
		       struct workspace *ws)
{
	struct strbuf err = STRBUF_INIT;
	struct manifest_load_opts opts = { 0 };
	struct tempfile *tmp;
	struct object_id top;
	unsigned char bytes[HASH_RAWSZ];
	const char *path;
	FILE *fp;
	int seekable;
	struct option options[] = { OPT_END() };

	argc = parse_options(argc, argv, prefix, options,
			     write_manifest_usage, 0);
	if (argc > 1)
		usage_with_options(write_manifest_usage, options);
	path = argc ? argv[0] : "-";
	fp = fopen_input(path, &seekable);
	if (!fp)
		die_errno("cannot open '%s'", path);
	if (odb_create(&ws->odb, &err) < 0)
		die("%s", err.buf);
	tmp = create_tempfile_in(ws->odb.tmpdir, "manifest_", 0600, &err);
	if (!tmp)
		die("%s", err.buf);
	opts.name = strcmp(path, "-") ? path : "<stdin>";
	opts.read_flags = 0;
	opts.seekable = seekable;
	opts.tmpdir = ws->odb.tmpdir;
	opts.out = tmp->fd;
	if (manifest_load(fp, &opts, &top, bytes, NULL, &err) < 0)
		die("%s; run 'quire check-manifest' on it to list every "
		    "problem", err.buf);
	fclose_input(fp);
	if (odb_write_manifest(&ws->odb, &tmp, &top, bytes, &err) < 0)
		die("%s", err.buf);
	printf("%s\n", oid_to_hex(&top));
	strbuf_release(&err);
	return 0;
}
