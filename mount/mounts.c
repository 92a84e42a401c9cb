#include "quire-compat.h"
#include <mntent.h>
#include <sys/mount.h>
#include "mount/mounts.h"
#include "error.h"
#include "run-command.h"

#define QUIRE_FSTYPE "fuse.quire"
#define QUIRE_SOURCE "quire:"

typedef int mount_fn(const struct mntent *m, void *payload);

/* fn for each mount, until it returns non-zero (returned). */
static int for_each_mount(mount_fn *fn, void *payload)
{
	FILE *fp = setmntent("/proc/self/mounts", "r");
	struct mntent *m;
	int ret = 0;

	if (!fp)
		return -1;
	while (!ret && (m = getmntent(fp)))
		ret = fn(m, payload);
	endmntent(fp);
	return ret;
}

static int is_quire(const struct mntent *m)
{
	return !strcmp(m->mnt_type, QUIRE_FSTYPE) &&
	       !strncmp(m->mnt_fsname, QUIRE_SOURCE, strlen(QUIRE_SOURCE));
}

static int print_one(const struct mntent *m, void *payload)
{
	const char *src, *at;

	if (!is_quire(m))
		return 0;
	src = m->mnt_fsname + strlen(QUIRE_SOURCE);
	at = strrchr(src, '@');
	if (!at)
		return 0;
	fprintf(payload, "%s\t%.*s\t%s\n", at + 1, (int)(at - src), src,
		m->mnt_dir);
	return 0;
}

int mounts_list(FILE *out, struct strbuf *err)
{
	if (for_each_mount(print_one, out) < 0) {
		strbuf_addf(err, "cannot read /proc/self/mounts: %s",
			    strerror(errno));
		return QERR_GENERIC;
	}
	return 0;
}

static int at_dir(const struct mntent *m, void *payload)
{
	return !strcmp(m->mnt_dir, payload);
}

static int quire_at_dir(const struct mntent *m, void *payload)
{
	return is_quire(m) && at_dir(m, payload);
}

int mounts_is_mount_point(const char *dir)
{
	return for_each_mount(at_dir, (void *)dir) > 0;
}

int mounts_is_quire(const char *dir)
{
	return for_each_mount(quire_at_dir, (void *)dir) > 0;
}

static int unmount_unprivileged(const char *dir, int lazy,
				struct strbuf *err)
{
	const char *argv[] = { "fusermount3", "-u", "-q", dir, NULL, NULL };
	struct strbuf out = STRBUF_INIT;
	int ret;

	if (lazy) {
		argv[2] = "-z";
		argv[3] = "-q";
		argv[4] = dir;
	}
	ret = run_command_capture(argv, RUN_COMMAND_QUIET, &out, 4096, err);
	strbuf_release(&out);
	if (ret > 0) {
		strbuf_addf(err, "cannot unmount '%s': it is busy (a process "
			    "has a file or folder open there) or not yours; "
			    "close what uses it, or detach it now with 'quire "
			    "umount --lazy'", dir);
		return QERR_GENERIC;
	}
	return ret < 0 ? QERR_GENERIC : 0;
}

int mounts_unmount(const char *dir, int lazy, struct strbuf *err)
{
	if (geteuid())
		return unmount_unprivileged(dir, lazy, err);
	if (!umount2(dir, lazy ? MNT_DETACH : 0))
		return 0;
	if (errno == EBUSY)
		strbuf_addf(err, "cannot unmount '%s': it is busy (a process "
			    "has a file or folder open there); close what uses "
			    "it, or detach it now with 'quire umount --lazy'",
			    dir);
	else
		strbuf_addf(err, "cannot unmount '%s': %s", dir,
			    strerror(errno));
	return QERR_GENERIC;
}
