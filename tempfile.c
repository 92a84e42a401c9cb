#include "quire-compat.h"
#include "strbuf.h"
#include "tempfile.h"
#include <signal.h>

static struct tempfile *volatile tempfile_list;
static int cleanup_installed;

static void remove_tempfiles(int in_signal)
{
	struct tempfile *t;

	for (t = tempfile_list; t; t = t->next) {
		if (!t->active)
			continue;
		if (t->fd >= 0)
			close(t->fd);
		unlink(t->path);
		if (!in_signal)
			t->active = 0;
	}
}

static void remove_tempfiles_on_exit(void)
{
	remove_tempfiles(0);
}

static void remove_tempfiles_on_signal(int signo)
{
	remove_tempfiles(1);
	signal(signo, SIG_DFL);
	raise(signo);
}

static void install_cleanup(void)
{
	if (cleanup_installed)
		return;
	cleanup_installed = 1;
	atexit(remove_tempfiles_on_exit);
	signal(SIGINT, remove_tempfiles_on_signal);
	signal(SIGTERM, remove_tempfiles_on_signal);
	signal(SIGHUP, remove_tempfiles_on_signal);
	signal(SIGPIPE, remove_tempfiles_on_signal);
}

static struct tempfile *register_tempfile(int fd, char *path)
{
	struct tempfile *t = xcalloc(1, sizeof(*t));

	install_cleanup();
	t->fd = fd;
	t->path = path;
	t->active = 1;
	t->next = tempfile_list;
	tempfile_list = t;
	return t;
}

static void unregister_tempfile(struct tempfile *t)
{
	struct tempfile *volatile *p;

	t->active = 0;
	for (p = &tempfile_list; *p; p = &(*p)->next) {
		if (*p == t) {
			*p = t->next;
			break;
		}
	}
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
	if (close_tempfile_gently(t) < 0) {
		strbuf_addf(err, "cannot close '%s': %s", t->path,
			    strerror(errno));
		return QERR_GENERIC;
	}
	if (rename(t->path, path) < 0) {
		strbuf_addf(err, "cannot rename '%s' to '%s': %s", t->path,
			    path, strerror(errno));
		return QERR_GENERIC;
	}
	*tp = NULL;
	unregister_tempfile(t);
	if (fsync_dir_of(path) < 0) {
		strbuf_addf(err, "cannot fsync the folder of '%s': %s", path,
			    strerror(errno));
		return QERR_GENERIC;
	}
	return 0;
}

void delete_tempfile(struct tempfile **tp)
{
	struct tempfile *t = *tp;

	if (!t)
		return;
	*tp = NULL;
	close_tempfile_gently(t);
	unlink(t->path);
	unregister_tempfile(t);
}
