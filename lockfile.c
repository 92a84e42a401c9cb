#include "quire-compat.h"
#include "strbuf.h"
#include "lockfile.h"

int hold_lock_file(struct lock_file *lk, const char *path,
		   struct strbuf *err)
{
	struct strbuf lock = STRBUF_INIT;

	strbuf_addf(&lock, "%s.lock", path);
	lk->tempfile = create_tempfile_at(lock.buf, 0444);
	if (!lk->tempfile) {
		int e = errno;

		if (e == EEXIST)
			strbuf_addf(err, "'%s' is locked by another quire "
				    "process; if none is running, remove it "
				    "and retry", lock.buf);
		else
			strbuf_addf(err, "cannot create '%s': %s", lock.buf,
				    strerror(e));
		strbuf_release(&lock);
		return e == EEXIST ? QERR_LOCKED : QERR_GENERIC;
	}
	strbuf_release(&lock);
	lk->path = xstrdup(path);
	return 0;
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
