#include "builtin.h"
#include <dirent.h>
#include "cache.h"
#include "mount/mount.h"
#include "mount/mounts.h"
#include "parse-options.h"
#include "porcelain.h"
#include "registry.h"
#include "rev-url.h"
#include "vindex.h"
#include "workspace.h"

static const char * const mount_usage[] = {
	"quire mount [<options>] <revision> <dir>",
	"quire mount --list",
	NULL
};

/* The package a revision names ("ns/name"), or NULL (HEAD and such). */
static char *package_of(struct workspace *ws, const char *reg,
			const char *rev, char **registry)
{
	struct strbuf err = STRBUF_INIT;
	struct package_rev pr = { 0 };
	struct rev_url u = { 0 };
	char *name = NULL;

	*registry = NULL;
	if (!porcelain_rev_url(reg, rev, &u, &err) && package_rev_like(u.rev) &&
	    !package_rev_parse(&pr, u.rev, &err)) {
		name = xstrdup(pr.name);
		*registry = u.registry ? xstrdup(u.registry) : NULL;
		package_rev_release(&pr);
	} else if (ws && workspace_package_name(ws)) {
		name = xstrdup(workspace_package_name(ws));
	}
	rev_url_release(&u);
	strbuf_release(&err);
	return name;
}

struct version_time {
	const struct object_id *top;
	uint64_t time;
};

static int match_version(uint64_t time, const struct object_id *top,
			 void *payload)
{
	struct version_time *v = payload;

	if (!oideq(top, v->top))
		return 0;
	v->time = time;
	return 1;
}

/*
 * When the version was pushed to its registry (the first time), else
 * now: the time every file and folder of the mount shows.
 */
static time_t version_time(struct workspace *ws, const char *registry,
			   const char *package, const struct object_id *top)
{
	struct version_time v = { top, 0 };
	struct strbuf err = STRBUF_INIT;
	struct registry *r;

	if (package && !porcelain_registry(ws, registry, 0, &r, &err)) {
		registry_for_each_version(r, package, match_version, &v, &err);
		registry_free(r);
	}
	strbuf_release(&err);
	return v.time ? (time_t)v.time : time(NULL);
}

/* dir must be an empty folder that is no mount point yet. */
static void check_mount_point(const char *arg, const char *dir)
{
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d)
		die("cannot mount on '%s': %s", arg, strerror(errno));
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			die("cannot mount on '%s': it is not empty; mount on "
			    "an empty folder", arg);
	closedir(d);
	if (mounts_is_mount_point(dir))
		die("cannot mount on '%s': something is mounted there "
		    "already; 'quire umount %s' first", arg, arg);
}

static void list_mounts(void)
{
	struct strbuf err = STRBUF_INIT;

	if (mounts_list(stdout, &err) < 0)
		die("%s", err.buf);
	strbuf_release(&err);
}

int cmd_mount(int argc, const char **argv, const char *prefix,
	      struct workspace *ws)
{
	struct strbuf err = STRBUF_INIT, log = STRBUF_INIT;
	struct version_origin origin = { 0 };
	struct mount_opts o = { 0 };
	const char *reg = NULL;
	unsigned long prefetch = 16;
	int list = 0, quiet = 0, built;
	char *dir, *package, *registry;
	struct object_id top;
	FILE *fp;
	struct option options[] = {
		OPT__REGISTRY(&reg),
		OPT_BOOL('f', "foreground", &o.foreground,
			 "stay in the foreground and log to stderr"),
		OPT_ULONG(0, "prefetch", &prefetch, "n",
			  "files of a folder to fetch ahead of a reader "
			  "(default 16; 0: none)"),
		OPT_BOOL(0, "allow-other", &o.allow_other,
			 "let other users read the mount"),
		OPT_BOOL(0, "allow-local-files", &o.allow_local_files,
			 "read entries from files on this machine outside "
			 "the registry"),
		OPT_BOOL(0, "list", &list, "list the active quire mounts"),
		OPT_BOOL(0, "debug", &o.debug, "trace FUSE requests (with -f)"),
		OPT__QUIET(&quiet),
		OPT_END()
	};

	argc = parse_options(argc, argv, prefix, options, mount_usage, 0);
	if (list && !argc) {
		list_mounts();
		return 0;
	}
	if (list || argc != 2)
		usage_with_options(mount_usage, options);
	if (prefetch > 4096)
		die("--prefetch %lu is too many; give at most 4096", prefetch);
	/*
	 * The daemon outlives this command: it must not hold open what the
	 * caller gave it (a pipe a script waits on to close, say).
	 */
	if (!o.foreground)
		close_range(3, ~0U, 0);
	dir = realpath(argv[1], NULL);
	if (!dir)
		die("cannot mount on '%s': %s", argv[1], strerror(errno));
	check_mount_point(argv[1], dir);

	if (porcelain_open_version_origin(ws, reg, argv[0], &top, &fp,
					  &origin, &err))
		die("%s", err.buf);
	package = package_of(ws, reg, argv[0], &registry);
	if (vindex_open(&top, fp, argv[0], &o.vx, &built, &err))
		die("cannot mount %s: %s", argv[0], err.buf);
	fclose(fp);

	o.dir = dir;
	o.package = package;
	o.mtime = version_time(ws, registry ? registry : reg, package, &top);
	o.from_registry = origin.from_registry;
	o.local_root = origin.local_root;
	o.prefetch = prefetch;
	cache_path(&log);
	strbuf_addstr(&log, "/logs/mount.log");
	o.log_path = log.buf;
	if (!quiet && o.foreground)
		fprintf(stderr, "mounting %s@%s at %s (Ctrl-C or 'quire umount"
			" %s' ends it)\n", package ? package : argv[0],
			short_hash(&top), dir, argv[1]);
	if (mount_run(&o, &err))
		die("%s", err.buf);
	if (!quiet && !o.foreground)
		fprintf(stderr, "mounted %s@%s at %s\n",
			package ? package : argv[0], short_hash(&top), dir);
	vindex_close(o.vx);
	version_origin_release(&origin);
	strbuf_release(&log);
	free(package);
	free(registry);
	free(dir);
	return 0;
}
