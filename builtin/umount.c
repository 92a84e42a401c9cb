#include "builtin.h"
#include "mount/mounts.h"
#include "parse-options.h"

static const char * const umount_usage[] = {
	"quire umount [-z | --lazy] <dir>",
	NULL
};

int cmd_umount(int argc, const char **argv, const char *prefix,
	       struct workspace *ws)
{
	struct strbuf err = STRBUF_INIT;
	int lazy = 0;
	char *dir;
	struct option options[] = {
		OPT_BOOL('z', "lazy", &lazy,
			 "detach now, even while files are open there"),
		OPT_END()
	};

	(void)ws;
	argc = parse_options(argc, argv, prefix, options, umount_usage, 0);
	if (argc != 1)
		usage_with_options(umount_usage, options);
	dir = realpath(argv[0], NULL);
	if (!dir)
		die("cannot unmount '%s': %s", argv[0], strerror(errno));
	if (!mounts_is_quire(dir))
		die("'%s' is not a quire mount; 'quire mount --list' lists "
		    "them", argv[0]);
	if (mounts_unmount(dir, lazy, &err))
		die("%s", err.buf);
	free(dir);
	strbuf_release(&err);
	return 0;
}
