#include "builtin.h"
#include "parse-options.h"
#include "porcelain.h"
#include "refs/refs.h"
#include "registry.h"

static const char * const tag_usage[] = {
	"quire tag [-f] <name> [<revision>]",
	"quire tag -d <name>",
	"quire tag [--list]",
	NULL
};

static int show(const char *name, const struct object_id *oid, void *p)
{
	if (!strncmp(name, "refs/tags/", 10))
		printf("%s\t%s\n", name + 10, oid_to_hex(oid));
	return 0;
}

int cmd_tag(int argc, const char **argv, const char *prefix,
	    struct workspace *ws)
{
	struct strbuf err = STRBUF_INIT, ref = STRBUF_INIT;
	struct object_id top;
	int force = 0, delete = 0, list = 0;
	struct option options[] = {
		OPT_BOOL('f', "force", &force, "move an existing tag"),
		OPT_BOOL('d', "delete", &delete, "delete the tag"),
		OPT_BOOL('l', "list", &list, "list tags (the default)"),
		OPT_END()
	};

	argc = parse_options(argc, argv, prefix, options, tag_usage, 0);
	if (!argc || list) {
		if (argc)
			usage_with_options(tag_usage, options);
		refs_for_each(ws->refs, show, NULL);
		return 0;
	}
	if (argc > (delete ? 1 : 2))
		usage_with_options(tag_usage, options);
	if (tag_name_check(argv[0]) < 0)
		die("invalid tag name '%s': use letters, digits, '.', '_' "
		    "and '-'", argv[0]);
	strbuf_addf(&ref, "refs/tags/%s", argv[0]);
	if (delete) {
		if (refs_update(ws->refs, ref.buf, NULL, NULL, 0, &err) < 0)
			die("%s", err.buf);
		strbuf_release(&ref);
		return 0;
	}
	if (porcelain_resolve(ws, NULL, argc > 1 ? argv[1] : "HEAD", &top,
			      &err) < 0)
		die("%s", err.buf);
	if (refs_update(ws->refs, ref.buf, &top, NULL,
			force ? 0 : REFS_OLD_ABSENT, &err) < 0)
		die("%s; pass -f to move it", err.buf);
	strbuf_release(&err);
	strbuf_release(&ref);
	return 0;
}
