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
 * Take the lock, waiting for another process that holds it for up to
 * the lock timeout (core.lockTimeout or QUIRE_LOCK_TIMEOUT, in
 * milliseconds; 10 s by default). A lock left by a process that is gone
 * (nobody holds it with flock(); or, where the file system cannot tell,
 * older than QUIRE_LOCK_STALE seconds, 600 by default) is removed with
 * a warning. Returns 0, QERR_LOCKED when another process still holds it
 * (err names the lock file and what to do), or QERR_GENERIC.
 */
int hold_lock_file(struct lock_file *lk, const char *path,
		   struct strbuf *err);
/* The same with the lock file at lock instead of "<path>.lock". */
int hold_lock_file_as(struct lock_file *lk, const char *path,
		      const char *lock, struct strbuf *err);
/* Set the lock timeout for this process, in milliseconds. */
void lockfile_set_timeout(long ms);
/* The timeout set (core.lockTimeout, QUIRE_LOCK_TIMEOUT), or def. */
long lockfile_timeout(long def);
int lock_file_fd(struct lock_file *lk);
/* fsync, rename into place, fsync the folder; releases the lock. */
int commit_lock_file(struct lock_file *lk, struct strbuf *err);
/* Drop the lock and the new contents; no-op when not held. */
void rollback_lock_file(struct lock_file *lk);

#endif
