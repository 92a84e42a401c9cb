#include "builtin.h"
#include "logical-key.h"
#include "manifest.h"
#include "parse-options.h"
#include "revision.h"
#include "workspace.h"

static const char * const ls_manifest_usage[] = {
	"quire ls-manifest [-z] [--name-only] <revision> [<prefix>]",
	NULL
};

int cmd_ls_manifest(int argc, const char **argv, const char *prefix,
		    struct workspace *ws)
{
	struct strbuf err = STRBUF_INIT, out = STRBUF_INIT;
	struct manifest_reader r;
	struct manifest_entry e;
	struct object_id top;
	const char *filter = "";
	int nul = 0, name_only = 0, ret;
	FILE *fp;
	struct option options[] = {
		OPT_BOOL('z', NULL, &nul,
			 "end lines with NUL and do not quote names"),
		OPT_BOOL(0, "name-only", &name_only,
			 "print logical keys only"),
		OPT_END()
	};

	argc = parse_options(argc, argv, prefix, options, ls_manifest_usage,
			     0);
	if (argc < 1 || argc > 2)
		usage_with_options(ls_manifest_usage, options);
	if (argc == 2)
		filter = argv[1];
	if (resolve_revision(ws, argv[0], &top, &err) < 0)
		die("%s", err.buf);
	if (odb_open_manifest(&ws->odb, &top, &fp, &err) < 0)
		die("%s", err.buf);
	if (manifest_reader_open(&r, fp, oid_to_hex(&top), 0, &err) < 0)
		die("%s", err.buf);
	manifest_entry_init(&e);
	while ((ret = manifest_reader_next(&r, &e, &err)) > 0) {
		if (e.is_dir || !logical_key_has_prefix(e.key.buf, e.key.len,
							filter, strlen(filter)))
			continue;
		strbuf_reset(&out);
		if (!name_only)
			strbuf_addf(&out, "%s %s %" PRIu64 "\t",
				    hash_type_name(e.oid.type),
				    oid_to_value(&e.oid), e.size);
		if (nul)
			strbuf_add(&out, e.key.buf, e.key.len);
		else
			strbuf_add_quoted_name(&out, e.key.buf, e.key.len);
		strbuf_addch(&out, nul ? '\0' : '\n');
		fwrite(out.buf, 1, out.len, stdout);
	}
	if (ret < 0)
		die("%s", err.buf);
	manifest_entry_release(&e);
	manifest_reader_release(&r);
	fclose(fp);
	strbuf_release(&out);
	strbuf_release(&err);
	return 0;
}
