#ifndef TEMPFILE_H
#define TEMPFILE_H

/*
 * Temporary files that disappear when the process exits or dies from
 * SIGINT, SIGTERM, SIGHUP or SIGPIPE, unless renamed into place first.
 *
 *	struct tempfile *t = create_tempfile_in(dir, "tmp_", &err);
 *	write_in_full(t->fd, ...);
 *	if (commit_tempfile(&t, final_path, &err) < 0) ... (fsync + rename)
 *	delete_tempfile(&t);                          (no-op after commit)
 *
 * A struct tempfile is owned by the registry; never free it yourself.
 */
struct tempfile {
	int fd;
	char *path;	/* where it is now */
	int active;
	struct tempfile *next;
};

/*
 * Create "<dir>/<prefix>XXXXXX" with O_EXCL and the given mode. Returns
 * NULL (and explains in err) on failure.
 */
struct tempfile *create_tempfile_in(const char *dir, const char *prefix,
				    mode_t mode, struct strbuf *err);
/* Create exactly path (O_EXCL); NULL with errno EEXIST if it exists. */
struct tempfile *create_tempfile_at(const char *path, mode_t mode);

/*
 * fsync the file, rename it to path, close it; then fsync path's dir.
 * *tp becomes NULL once the rename is done (even if the final directory
 * fsync fails).
 */
int commit_tempfile(struct tempfile **tp, const char *path,
		    struct strbuf *err);
/* The same, into name in the folder dirfd (shown in messages). */
int commit_tempfile_at(struct tempfile **tp, int dirfd, const char *name,
		       const char *shown, struct strbuf *err);
/*
 * Rename it to name in dirfd and close it, with no fsync at all: for
 * callers that make many files durable at once (syncfs) before anything
 * relies on them.
 */
int rename_tempfile_at(struct tempfile **tp, int dirfd, const char *name,
		       const char *shown, struct strbuf *err);
/* Close and unlink, and forget it. *tp becomes NULL; NULL is fine. */
void delete_tempfile(struct tempfile **tp);

/*
 * Leave SIGINT, SIGTERM, SIGHUP and SIGPIPE to the program quire's library
 * lives in (Python: Ctrl-C is KeyboardInterrupt, not death): temporary
 * files are then removed at exit, and ones a signal leaves behind are
 * swept by a later run (each is flock()ed while it lives). Call it before
 * the first temporary file is made.
 */
void tempfile_leave_signals(void);
/* Close the fd but keep the file (and its cleanup) registered. */
int close_tempfile_gently(struct tempfile *t);

/*
 * A new folder "$TMPDIR/<prefix>XXXXXX" (or /tmp) whose whole tree is
 * removed when the process exits, unless remove_tempdir() came first.
 * Returns its path (owned by the registry) or NULL with err.
 */
const char *create_tempdir(const char *prefix, struct strbuf *err);
/* Remove the tree now, and forget it. */
void remove_tempdir(const char *path);
/*
 * Leftovers. A process holds each of its temporary files (and lock
 * files) with flock() while it lives; a file that nobody holds and that
 * is older than a moment (tempfile_settled(): modified more than 0.2 s
 * ago; a live file is held from microseconds after it is created) was
 * left by a process that died.
 * sweep_tempfiles() removes such files in dir (those whose name starts
 * with prefix, or all when prefix is NULL) and returns how many it
 * removed; tempfile_is_left_over() tells whether path is one.
 */
int tempfile_settled(const struct stat *st);
int sweep_tempfiles(const char *dir, const char *prefix);
/* The same for the lock files in dir, each removal with a warning. */
int sweep_stale_locks(const char *dir);
/*
 * Is name a temporary file an older quire left in a target folder
 * (".quire-tmp-*")? Such files are never staged, listed or published.
 */
int is_quire_leftover(const char *name);
int tempfile_is_left_over(const char *path);

/* Remove a folder and everything below it; 0 or -1 with errno. */
int remove_tree(const char *path);

#endif
