#include "builtin.h"
#include "parse-options.h"
#include "revision.h"
#include "workspace.h"

static const char * const cat_manifest_usage[] = {
	"quire cat-manifest <revision>",
	NULL
};

int cmd_cat_manifest(int argc, const char **argv, const char *prefix,
		     struct workspace *ws)
{
	struct strbuf err = STRBUF_INIT;
	struct object_id top;
	char *buf;
	FILE *fp;
	size_t n;
	struct option options[] = { OPT_END() };

	argc = parse_options(argc, argv, prefix, options, cat_manifest_usage,
			     0);
	if (argc != 1)
		usage_with_options(cat_manifest_usage, options);
	if (resolve_revision(ws, argv[0], &top, &err) < 0)
		die("%s", err.buf);
	if (odb_open_manifest(&ws->odb, &top, &fp, &err) < 0)
		die("%s", err.buf);
	buf = xmalloc(1 << 20);
	while ((n = fread(buf, 1, 1 << 20, fp)) > 0)
		if (fwrite(buf, 1, n, stdout) != n)
			die_errno("cannot write to standard output");
	if (ferror(fp))
		die_errno("cannot read the manifest of %s", oid_to_hex(&top));
	fclose(fp);
	free(buf);
	strbuf_release(&err);
	return 0;
}
