#ifndef MOUNT_MOUNTS_H
#define MOUNT_MOUNTS_H

#include <stdio.h>
#include "strbuf.h"

/*
 * The quire mounts of this machine, as the kernel lists them
 * (/proc/self/mounts): type "fuse.quire", source
 * "quire:<ns/name or ->@<top hash>".
 */

/* One line per quire mount on out: "<top>\t<package or ->\t<dir>". */
int mounts_list(FILE *out, struct strbuf *err);
/* Is something (anything) mounted at the absolute path dir? */
int mounts_is_mount_point(const char *dir);
/* Is a quire mount at the absolute path dir? */
int mounts_is_quire(const char *dir);
/*
 * Unmount the quire mount at dir (lazy: detach it now, even while in
 * use). 0, or QERR_GENERIC with why in err.
 */
int mounts_unmount(const char *dir, int lazy, struct strbuf *err);

#endif
