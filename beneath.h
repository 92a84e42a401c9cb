#ifndef BENEATH_H
#define BENEATH_H

#include "strbuf.h"

/*
 * Files below a root folder, reached one component at a time with
 * O_NOFOLLOW: nothing that writes, renames or removes a file below the
 * root ever follows a symbolic link, whatever the folder holds (a link
 * to elsewhere planted in a target folder is refused, never written
 * through). The root itself may be anything the user named.
 *
 *	struct beneath b;
 *	beneath_open(&b, root, &err);
 *	beneath_parent(&b, "a/b/c.txt", 1, &dirfd, &base, &err);
 *	... openat(dirfd, base, ...), renameat(..., dirfd, base) ...
 *	beneath_close(&b);
 *
 * The folders of the last key stay open, so keys in the order of a
 * walk cost one openat() per folder, not one per component per file.
 */
struct beneath {
	int root_fd;
	struct strbuf dir;	/* the open folders' key: "" or "a/b/" */
	int *fds;		/* fds[i]: the folder at depth i + 1 */
	size_t nr, alloc;
};

int beneath_open(struct beneath *b, const char *root, struct strbuf *err);
void beneath_close(struct beneath *b);

/*
 * The folder that holds key, as a file descriptor borrowed until the
 * next call (do not close it), and *base, the last component of key.
 * With create, missing folders are made. QERR_NOTFOUND when a folder is
 * missing (without create); QERR_EXISTS when a component is a symbolic
 * link or not a folder (err names it, and what to do).
 */
int beneath_parent(struct beneath *b, const char *key, int create,
		   int *dirfd, const char **base, struct strbuf *err);

/*
 * lstat() of the file at key: 0, or -1 with errno (ENOENT also when a
 * folder on the way is missing; ELOOP when one is a symbolic link).
 */
int beneath_lstat(struct beneath *b, const char *key, struct stat *st);

#endif
