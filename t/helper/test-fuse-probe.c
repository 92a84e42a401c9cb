#include "t/helper/test-tool.h"
#ifndef FUSE_USE_VERSION
#define FUSE_USE_VERSION 31
#endif
#include <fuse.h>

/*
 * test-tool fuse-probe <dir>: mount at <dir>, in the foreground and
 * single-threaded, a read-only file system holding one file, "probe",
 * whose bytes are PROBE_TEXT; return when it is unmounted
 * (fusermount3 -u <dir>). t/lib-fuse.sh mounts it to learn whether
 * this machine can mount FUSE file systems at all, with a program
 * other than the one under test, so that a broken 'quire mount' fails
 * its tests rather than skipping them.
 */
#define PROBE_TEXT "quire fuse probe\n"

static int probe_getattr(const char *path, struct stat *st,
			 struct fuse_file_info *fi)
{
	memset(st, 0, sizeof(*st));
	if (!strcmp(path, "/")) {
		st->st_mode = S_IFDIR | 0555;
		st->st_nlink = 2;
	} else if (!strcmp(path, "/probe")) {
		st->st_mode = S_IFREG | 0444;
		st->st_nlink = 1;
		st->st_size = strlen(PROBE_TEXT);
	} else {
		return -ENOENT;
	}
	return 0;
}

static int probe_readdir(const char *path, void *buf, fuse_fill_dir_t fill,
			 off_t off, struct fuse_file_info *fi,
			 enum fuse_readdir_flags flags)
{
	if (strcmp(path, "/"))
		return -ENOENT;
	fill(buf, ".", NULL, 0, 0);
	fill(buf, "..", NULL, 0, 0);
	fill(buf, "probe", NULL, 0, 0);
	return 0;
}

static int probe_open(const char *path, struct fuse_file_info *fi)
{
	if (strcmp(path, "/probe"))
		return -ENOENT;
	if ((fi->flags & O_ACCMODE) != O_RDONLY)
		return -EROFS;
	return 0;
}

static int probe_read(const char *path, char *buf, size_t size, off_t off,
		      struct fuse_file_info *fi)
{
	size_t len = strlen(PROBE_TEXT);

	if (off < 0 || (size_t)off >= len)
		return 0;
	if (size > len - off)
		size = len - off;
	memcpy(buf, PROBE_TEXT + off, size);
	return size;
}

static const struct fuse_operations probe_ops = {
	.getattr = probe_getattr,
	.readdir = probe_readdir,
	.open = probe_open,
	.read = probe_read,
};

int cmd__fuse_probe(int argc, const char **argv)
{
	char *args[] = { "test-tool fuse-probe", "-f", "-s", "-o",
			 "ro,fsname=quire-fuse-probe", NULL, NULL };

	if (argc != 2) {
		fprintf(stderr, "usage: test-tool fuse-probe <dir>\n");
		return 129;
	}
	args[5] = (char *)argv[1];
	return fuse_main(ARRAY_SIZE(args) - 1, args, &probe_ops, NULL);
}
