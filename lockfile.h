#ifndef LOCKFILE_H
#define LOCKFILE_H

#include "tempfile.h"

/*
 * A lock on path is the file "<path>.lock", created with O_EXCL. New
 * contents are written to it, and commit_lock_file() fsyncs it and renames
 * it over path, so readers see either the old or the new contents.
 */
struct lock_file {
	struct tempfile *tempfile;
	char *path;	/* the file being locked */
};
#define LOCK_INIT { NULL, NULL }

/*
 * Take the lock. Returns 0, QERR_LOCKED when another process holds it
 * (err names the lock file and what to do), or QERR_GENERIC.
 */
int hold_lock_file(struct lock_file *lk, const char *path,
		   struct strbuf *err);
int lock_file_fd(struct lock_file *lk);
/* fsync, rename into place, fsync the folder; releases the lock. */
int commit_lock_file(struct lock_file *lk, struct strbuf *err);
/* Drop the lock and the new contents; no-op when not held. */
void rollback_lock_file(struct lock_file *lk);

#endif
