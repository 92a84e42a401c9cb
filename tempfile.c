#include "quire-compat.h"
#include "strbuf.h"
#include "tempfile.h"
#include <dirent.h>
#include <ftw.h>
#include <pthread.h>
#include <signal.h>
#include <sys/file.h>
#include <time.h>

static struct tempfile *volatile tempfile_list;
static int cleanup_installed;
static int leave_signals;
/* threads (parallel puts) make and drop temporary files at once */
static pthread_mutex_t list_lock = PTHREAD_MUTEX_INITIALIZER;

static void remove_tempfiles(int in_signal)
{
	struct tempfile *t;

	for (t = tempfile_list; t; t = t->next) {
		if (!t->active)
			continue;
		unlink(t->path);	/* while still held: see hold() */
		if (t->fd >= 0)
			close(t->fd);
		if (!in_signal)
			t->active = 0;
	}
}

struct tempdir {
	char *path;
	struct tempdir *next;
};
static struct tempdir *tempdir_list;

static void remove_tempdirs(void)
{
	while (tempdir_list)
		remove_tempdir(tempdir_list->path);
}

static void remove_tempfiles_on_exit(void)
{
	remove_tempfiles(0);
	remove_tempdirs();
}

static void remove_tempfiles_on_signal(int signo)
{
	remove_tempfiles(1);
	signal(signo, SIG_DFL);
	raise(signo);
}

void tempfile_leave_signals(void)
{
	leave_signals = 1;
}

static void install_cleanup(void)
{
	if (cleanup_installed)
		return;
	cleanup_installed = 1;
	atexit(remove_tempfiles_on_exit);
	if (leave_signals)
		return;
	signal(SIGINT, remove_tempfiles_on_signal);
	signal(SIGTERM, remove_tempfiles_on_signal);
	signal(SIGHUP, remove_tempfiles_on_signal);
	signal(SIGPIPE, remove_tempfiles_on_signal);
}

/*
 * A live temporary file is always locked (flock) by the process that
 * made it, from just after it is created until it is renamed or removed:
 * a file in a temporary folder that nobody holds was left by a process
 * that is gone, and may be swept away (see sweep_tempfiles()).
 */
static void hold(int fd)
{
	while (flock(fd, LOCK_EX | LOCK_NB) < 0 && errno == EINTR)
		;
}

static struct tempfile *register_tempfile(int fd, char *path)
{
	struct tempfile *t = xcalloc(1, sizeof(*t));

	hold(fd);

	t->fd = fd;
	t->path = path;
	t->active = 1;
	pthread_mutex_lock(&list_lock);
	install_cleanup();
	t->next = tempfile_list;
	tempfile_list = t;
	pthread_mutex_unlock(&list_lock);
	return t;
}

static void unregister_tempfile(struct tempfile *t)
{
	struct tempfile *volatile *p;

	t->active = 0;
	pthread_mutex_lock(&list_lock);
	for (p = &tempfile_list; *p; p = &(*p)->next) {
		if (*p == t) {
			*p = t->next;
			break;
		}
	}
	pthread_mutex_unlock(&list_lock);
	free(t->path);
	free(t);
}

struct tempfile *create_tempfile_in(const char *dir, const char *prefix,
				    mode_t mode, struct strbuf *err)
{
	struct strbuf path = STRBUF_INIT;
	int fd;

	strbuf_addf(&path, "%s/%sXXXXXX", dir, prefix);
	fd = mkostemp(path.buf, O_CLOEXEC);
	if (fd < 0) {
		strbuf_addf(err, "cannot create a temporary file in '%s': %s",
			    dir, strerror(errno));
		strbuf_release(&path);
		return NULL;
	}
	if (fchmod(fd, mode) < 0) {
		strbuf_addf(err, "cannot chmod '%s': %s", path.buf,
			    strerror(errno));
		close(fd);
		unlink(path.buf);
		strbuf_release(&path);
		return NULL;
	}
	return register_tempfile(fd, strbuf_detach(&path, NULL));
}

struct tempfile *create_tempfile_at(const char *path, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);

	if (fd < 0)
		return NULL;
	return register_tempfile(fd, xstrdup(path));
}

int close_tempfile_gently(struct tempfile *t)
{
	int fd = t->fd;

	t->fd = -1;
	return fd >= 0 ? close(fd) : 0;
}

int commit_tempfile(struct tempfile **tp, const char *path,
		    struct strbuf *err)
{
	struct tempfile *t = *tp;

	if (t->fd >= 0 && fsync(t->fd) < 0) {
		strbuf_addf(err, "cannot fsync '%s': %s", t->path,
			    strerror(errno));
		return QERR_GENERIC;
	}
	/* renamed while still held: never a moment when it looks left over */
	if (rename(t->path, path) < 0) {
		strbuf_addf(err, "cannot rename '%s' to '%s': %s", t->path,
			    path, strerror(errno));
		return QERR_GENERIC;
	}
	*tp = NULL;
	t->active = 0;
	if (close_tempfile_gently(t) < 0) {
		strbuf_addf(err, "cannot close '%s': %s", path,
			    strerror(errno));
		unregister_tempfile(t);
		return QERR_GENERIC;
	}
	unregister_tempfile(t);
	if (fsync_dir_of(path) < 0) {
		strbuf_addf(err, "cannot fsync the folder of '%s': %s", path,
			    strerror(errno));
		return QERR_GENERIC;
	}
	return 0;
}

int rename_tempfile_at(struct tempfile **tp, int dirfd, const char *name,
		       const char *shown, struct strbuf *err)
{
	struct tempfile *t = *tp;

	if (renameat(AT_FDCWD, t->path, dirfd, name) < 0) {
		strbuf_addf(err, "cannot rename '%s' to '%s': %s", t->path,
			    shown, strerror(errno));
		return QERR_GENERIC;
	}
	*tp = NULL;
	t->active = 0;
	close_tempfile_gently(t);
	unregister_tempfile(t);
	return 0;
}

int commit_tempfile_at(struct tempfile **tp, int dirfd, const char *name,
		       const char *shown, struct strbuf *err)
{
	struct tempfile *t = *tp;
	int ret;

	if (t->fd >= 0 && fsync(t->fd) < 0) {
		strbuf_addf(err, "cannot fsync '%s': %s", t->path,
			    strerror(errno));
		return QERR_GENERIC;
	}
	ret = rename_tempfile_at(tp, dirfd, name, shown, err);
	if (!ret && fsync(dirfd) < 0 && errno != EINVAL && errno != EROFS) {
		strbuf_addf(err, "cannot fsync the folder of '%s': %s", shown,
			    strerror(errno));
		return QERR_GENERIC;
	}
	return ret;
}

void delete_tempfile(struct tempfile **tp)
{
	struct tempfile *t = *tp;

	if (!t)
		return;
	*tp = NULL;
	unlink(t->path);	/* while still held: see hold() */
	close_tempfile_gently(t);
	unregister_tempfile(t);
}

/*
 * Is the file at name (in the folder dirfd) left over: no process holds
 * it, and it is older than a moment (a file is held from just after it
 * is created)? 1 when it was, and is now, removed.
 */
#define SETTLE_NS 200000000LL

int tempfile_settled(const struct stat *st)
{
	struct timespec now;
	long long age;

	clock_gettime(CLOCK_REALTIME, &now);
	age = (now.tv_sec - st->st_mtim.tv_sec) * 1000000000LL +
	      (now.tv_nsec - st->st_mtim.tv_nsec);
	return age >= SETTLE_NS;
}

static int sweep_one(int dirfd, const char *name)
{
	struct stat st, again;
	int fd, ret = 0;

	fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
		    O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    !tempfile_settled(&st) ||
	    flock(fd, LOCK_EX | LOCK_NB) < 0)
		goto out;
	/* still the same file: another sweeper may have been first */
	if (!fstatat(dirfd, name, &again, AT_SYMLINK_NOFOLLOW) &&
	    again.st_ino == st.st_ino && again.st_dev == st.st_dev &&
	    !unlinkat(dirfd, name, 0))
		ret = 1;
out:
	close(fd);
	return ret;
}

static int sweep_dir(const char *dir, const char *prefix, int locks)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t plen = prefix ? strlen(prefix) : 0;
	int n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' &&
		    (!de->d_name[1] || !strcmp(de->d_name, "..")))
			continue;
		if (plen && strncmp(de->d_name, prefix, plen))
			continue;
		if (!sweep_one(dirfd(d), de->d_name))
			continue;
		n++;
		if (locks)
			warning("removed the stale lock '%s/%s' (the process "
				"that took it is gone)", dir, de->d_name);
	}
	closedir(d);
	return n;
}

int sweep_tempfiles(const char *dir, const char *prefix)
{
	return sweep_dir(dir, prefix, 0);
}

int sweep_stale_locks(const char *dir)
{
	return sweep_dir(dir, NULL, 1);
}

int is_quire_leftover(const char *name)
{
	return !strncmp(name, ".quire-tmp-", 11);
}

int tempfile_is_left_over(const char *path)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	int ret = 0;

	if (fd < 0)
		return 0;
	if (!fstat(fd, &st) && S_ISREG(st.st_mode) &&
	    tempfile_settled(&st) &&
	    !flock(fd, LOCK_SH | LOCK_NB))
		ret = 1;
	close(fd);
	return ret;
}

static int remove_one(const char *path, const struct stat *st, int flag,
		      struct FTW *ftw)
{
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

int remove_tree(const char *path)
{
	return nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

const char *create_tempdir(const char *prefix, struct strbuf *err)
{
	struct strbuf path = STRBUF_INIT;
	const char *tmp = getenv("TMPDIR");
	struct tempdir *d;

	strbuf_addf(&path, "%s/%sXXXXXX", tmp && *tmp ? tmp : "/tmp", prefix);
	if (!mkdtemp(path.buf)) {
		strbuf_addf(err, "cannot make a folder like '%s': %s",
			    path.buf, strerror(errno));
		strbuf_release(&path);
		return NULL;
	}
	install_cleanup();
	d = xcalloc(1, sizeof(*d));
	d->path = strbuf_detach(&path, NULL);
	d->next = tempdir_list;
	tempdir_list = d;
	return d->path;
}

void remove_tempdir(const char *path)
{
	struct tempdir **p, *d;

	for (p = &tempdir_list; *p; p = &(*p)->next) {
		if ((*p)->path != path)
			continue;
		d = *p;
		*p = d->next;
		remove_tree(d->path);
		free(d->path);
		free(d);
		return;
	}
}
