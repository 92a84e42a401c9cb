#include "builtin.h"
#include "parse-options.h"
#include "refs/refs.h"
#include "revision.h"
#include "workspace.h"

static const char * const update_ref_usage[] = {
	"quire update-ref <name> <new-revision> [<old-hash>]",
	"quire update-ref -d <name> [<old-hash>]",
	NULL
};

/* "" or 64 zeros: the ref must not exist yet. */
static int parse_old(const char *arg, struct object_id *oid)
{
	if (!*arg || !strcmp(arg, "0000000000000000000000000000000000000000"
				  "000000000000000000000000"))
		return 1;
	if (oid_from_value(oid, HASH_MANIFEST, arg, strlen(arg)))
		die("'%s' is not a full top hash: give all 64 hex digits, or "
		    "\"\" for a ref that must not exist yet", arg);
	return 0;
}

int cmd_update_ref(int argc, const char **argv, const char *prefix,
		   struct workspace *ws)
{
	struct object_id new_oid, old_oid;
	struct strbuf err = STRBUF_INIT;
	const struct object_id *old = NULL;
	unsigned flags = 0;
	int delete = 0, nargs, ret;
	struct option options[] = {
		OPT_BOOL('d', "delete", &delete, "delete the ref"),
		OPT_END()
	};

	argc = parse_options(argc, argv, prefix, options, update_ref_usage, 0);
	nargs = delete ? 1 : 2;
	if (argc < nargs || argc > nargs + 1)
		usage_with_options(update_ref_usage, options);
	if (refs_name_check(argv[0]))
		die("invalid ref name '%s': use HEAD or refs/<name> (letters, "
		    "digits, '.', '_', '-', '+', '@')", argv[0]);
	if (!delete && resolve_revision(ws, argv[1], &new_oid, &err) < 0)
		die("%s", err.buf);
	if (argc == nargs + 1) {
		if (parse_old(argv[nargs], &old_oid))
			flags |= REFS_OLD_ABSENT;
		else
			old = &old_oid;
	}
	ret = refs_update(ws->refs, argv[0], delete ? NULL : &new_oid, old,
			  flags, &err);
	if (ret == QERR_STALE)
		die("cannot update ref '%s': %s; read it again and retry",
		    argv[0], err.buf);
	if (ret)
		die("%s", err.buf);
	strbuf_release(&err);
	return 0;
}
