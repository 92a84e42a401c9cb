#include "builtin.h"
#include "manifest.h"
#include "parse-options.h"

static const char * const top_hash_usage[] = {
	"quire top-hash <manifest>...",
	NULL
};

static const char *tmpdir(void)
{
	const char *t = getenv("TMPDIR");

	return t && *t ? t : "/tmp";
}

int cmd_top_hash(int argc, const char **argv, const char *prefix,
		 struct workspace *ws)
{
	struct strbuf err = STRBUF_INIT;
	struct option options[] = { OPT_END() };
	int i;

	argc = parse_options(argc, argv, prefix, options, top_hash_usage, 0);
	if (argc < 1)
		usage_with_options(top_hash_usage, options);
	for (i = 0; i < argc; i++) {
		struct manifest_load_opts opts = { 0 };
		struct object_id top;
		int seekable;
		FILE *fp = fopen_input(argv[i], &seekable);

		if (!fp)
			die_errno("cannot open '%s'", argv[i]);
		opts.name = strcmp(argv[i], "-") ? argv[i] : "<stdin>";
		opts.read_flags = MANIFEST_READ_LAX;
		opts.seekable = seekable;
		opts.tmpdir = tmpdir();
		opts.out = -1;
		if (manifest_load(fp, &opts, &top, NULL, NULL, &err) < 0)
			die("%s; run 'quire check-manifest' on it to list "
			    "every problem", err.buf);
		fclose_input(fp);
		printf("%s\n", oid_to_hex(&top));
	}
	strbuf_release(&err);
	return 0;
}
