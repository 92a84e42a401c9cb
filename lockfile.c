#include "quire-compat.h"
#include "strbuf.h"
#include "lockfile.h"
#include <sys/file.h>
#include <time.h>

#define LOCK_TIMEOUT_DEFAULT_MS 10000
#define LOCK_STALE_DEFAULT_S 600

static long lock_timeout_ms = -1;
static long lock_stale_s = -1;

/* A setting from the environment, or def when unset or not a number. */
static long env_number(const char *name, long def)
{
	const char *v = getenv(name);
	uint64_t n;

	if (!v || !*v || parse_u64(v, &n) || n > LONG_MAX)
		return def;
	return (long)n;
}

void lockfile_set_timeout(long ms)
{
	lock_timeout_ms = ms;
}

long lockfile_timeout(long def)
{
	if (lock_timeout_ms >= 0)
		return lock_timeout_ms;
	return env_number("QUIRE_LOCK_TIMEOUT", def);
}

static long timeout_ms(void)
{
	return lockfile_timeout(LOCK_TIMEOUT_DEFAULT_MS);
}

static long stale_seconds(void)
{
	if (lock_stale_s < 0)
		lock_stale_s = env_number("QUIRE_LOCK_STALE",
					  LOCK_STALE_DEFAULT_S);
	return lock_stale_s;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

enum lock_state {
	LOCK_HELD,	/* a live process holds it */
	LOCK_GONE,	/* nothing there any more */
	LOCK_REMOVED,	/* it was stale, and is removed now */
};

/*
 * Look at the lock file at lock. Its owner holds it with flock() from
 * just after creating it until it is renamed or removed; one that nobody
 * holds, older than a moment, is stale. Where flock() cannot tell (the
 * file system does not support it), only age can: older than the stale
 * bound. *why says which rule removed it.
 */
static enum lock_state inspect(const char *lock, const char **why)
{
	struct stat st, again;
	enum lock_state ret = LOCK_HELD;
	int fd, r;
	time_t now = time(NULL);

	fd = open(lock, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? LOCK_GONE : LOCK_HELD;
	if (fstat(fd, &st) < 0)
		goto out;
	r = flock(fd, LOCK_EX | LOCK_NB);
	if (!r && tempfile_settled(&st))
		*why = "the process that took it is gone";
	else if (r < 0 && errno != EWOULDBLOCK && errno != EINTR &&
		 st.st_mtime <= now - stale_seconds())
		*why = "it is older than the stale bound";
	else
		goto out;
	/* the same file still: another waiter may have removed it first */
	if (lstat(lock, &again) < 0 || again.st_ino != st.st_ino ||
	    again.st_dev != st.st_dev)
		ret = LOCK_GONE;
	else if (!unlink(lock))
		ret = LOCK_REMOVED;
out:
	close(fd);
	return ret;
}

int hold_lock_file_as(struct lock_file *lk, const char *path,
		      const char *lock, struct strbuf *err)
{
	uint64_t start = now_ms(), waited;
	long delay_ms = 1;
	const char *why = NULL;
	int e;

	for (;;) {
		lk->tempfile = create_tempfile_at(lock, 0444);
		if (lk->tempfile) {
			lk->path = xstrdup(path);
			return 0;
		}
		e = errno;
		if (e != EEXIST) {
			strbuf_addf(err, "cannot create '%s': %s", lock,
				    strerror(e));
			return QERR_GENERIC;
		}
		if (inspect(lock, &why) == LOCK_REMOVED) {
			warning("removed the stale lock '%s' (%s)", lock, why);
			continue;
		}
		waited = now_ms() - start;
		if (waited >= (uint64_t)timeout_ms())
			break;
		/* back off, up to a tenth of a second between looks */
		if (delay_ms > (long)(timeout_ms() - waited))
			delay_ms = timeout_ms() - waited;
		usleep(delay_ms * 1000 + (getpid() * 7919 + waited) % 1000);
		if (delay_ms < 100)
			delay_ms *= 2;
	}
	strbuf_addf(err, "'%s' is held by another quire process (waited "
		    "%.1f s); try again later, or wait longer with "
		    "core.lockTimeout (milliseconds)", lock,
		    timeout_ms() / 1000.0);
	return QERR_LOCKED;
}

int hold_lock_file(struct lock_file *lk, const char *path,
		   struct strbuf *err)
{
	struct strbuf lock = STRBUF_INIT;
	int ret;

	strbuf_addf(&lock, "%s.lock", path);
	ret = hold_lock_file_as(lk, path, lock.buf, err);
	strbuf_release(&lock);
	return ret;
}

int lock_file_fd(struct lock_file *lk)
{
	return lk->tempfile ? lk->tempfile->fd : -1;
}

int commit_lock_file(struct lock_file *lk, struct strbuf *err)
{
	int ret;

	if (!lk->tempfile)
		BUG("commit_lock_file() without a lock");
	ret = commit_tempfile(&lk->tempfile, lk->path, err);
	rollback_lock_file(lk);
	return ret;
}

void rollback_lock_file(struct lock_file *lk)
{
	delete_tempfile(&lk->tempfile);
	free(lk->path);
	lk->path = NULL;
}
