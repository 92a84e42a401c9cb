/*
 * coarse-time.so: a file system whose clock ticks once a second, as
 * FAT's, HFS+'s or an old NFS server's does, for the stat cache's racy
 * test (t/t6020-stat-cache.sh). Loaded with LD_PRELOAD into quire; never
 * part of quire itself. Every stat quire makes sees its mtime and ctime
 * cut down to the whole second, so a file rewritten within the second
 * it was hashed in keeps the size, times and inode it was hashed with,
 * and only the racy-git rule (never trust a stat of a file changed in
 * the second the command started) can tell it changed.
 *
 * It wraps stat, lstat, fstat and fstatat (and their 64 variants), the
 * calls quire makes; statx is left alone (quire does not use it).
 */
#define _GNU_SOURCE 1
#include <dlfcn.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/types.h>

static void coarse(struct stat *st)
{
	st->st_mtim.tv_nsec = 0;
	st->st_ctim.tv_nsec = 0;
	st->st_atim.tv_nsec = 0;
}

#define WRAP(name, params, args, ...) \
int name params; \
int name params \
{ \
	static int (*real) params; \
	int ret; \
	if (!real) \
		real = (int (*) params)dlsym(RTLD_NEXT, #name); \
	ret = real args; \
	if (!ret) \
		coarse(__VA_ARGS__); \
	return ret; \
}

WRAP(stat, (const char *p, struct stat *st), (p, st), st)
WRAP(lstat, (const char *p, struct stat *st), (p, st), st)
WRAP(fstat, (int fd, struct stat *st), (fd, st), st)
WRAP(fstatat, (int dfd, const char *p, struct stat *st, int fl),
     (dfd, p, st, fl), st)
#ifdef __USE_LARGEFILE64
WRAP(stat64, (const char *p, struct stat64 *st), (p, st), (struct stat *)st)
WRAP(lstat64, (const char *p, struct stat64 *st), (p, st), (struct stat *)st)
WRAP(fstat64, (int fd, struct stat64 *st), (fd, st), (struct stat *)st)
WRAP(fstatat64, (int dfd, const char *p, struct stat64 *st, int fl),
     (dfd, p, st, fl), (struct stat *)st)
#endif
