#include "quire-compat.h"
#include "run-command.h"
#include <sys/wait.h>

/*
 * In the child, between fork and exec: only async-signal-safe calls.
 * When exec fails, errno goes to the parent through report_fd (closed by
 * a successful exec, since it is close-on-exec).
 */
static NORETURN void exec_child(const char *const *argv, unsigned flags,
				int out_fd, int report_fd)
{
	int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC), e;

	if (null_fd < 0 || dup2(null_fd, STDIN_FILENO) < 0 ||
	    dup2(out_fd, STDOUT_FILENO) < 0 ||
	    ((flags & RUN_COMMAND_QUIET) &&
	     dup2(null_fd, STDERR_FILENO) < 0))
		goto fail;
	execvp(argv[0], (char *const *)argv);
fail:
	e = errno;
	if (write(report_fd, &e, sizeof(e)) != sizeof(e))
		_exit(126);
	_exit(127);
}

/* Read fd to its end: up to max bytes into out, the rest drained. */
static int read_capped(int fd, struct strbuf *out, size_t max,
		       int *too_long)
{
	char buf[8192];
	ssize_t n;

	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -1 : 0;
		if (out->len + n > max)
			*too_long = 1;
		else
			strbuf_add(out, buf, n);
	}
}

/* The errno of a failed exec, or 0 when the program started. */
static int exec_error(int report_fd)
{
	int e = 0;
	ssize_t n;

	do {
		n = read(report_fd, &e, sizeof(e));
	} while (n < 0 && errno == EINTR);
	return n == sizeof(e) ? e : 0;
}

static int wait_child(pid_t pid, int *status)
{
	while (waitpid(pid, status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return 0;
}

int run_command_capture(const char *const *argv, unsigned flags,
			struct strbuf *out, size_t max, struct strbuf *err)
{
	int out_pipe[2] = { -1, -1 }, report[2] = { -1, -1 };
	int too_long = 0, read_failed, exec_errno, status = 0, ret;
	pid_t pid;

	if (pipe2(out_pipe, O_CLOEXEC) < 0 || pipe2(report, O_CLOEXEC) < 0) {
		strbuf_addf(err, "cannot make a pipe to run '%s': %s",
			    argv[0], strerror(errno));
		ret = QERR_GENERIC;
		goto out;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		strbuf_addf(err, "cannot run '%s': %s", argv[0],
			    strerror(errno));
		ret = QERR_GENERIC;
		goto out;
	}
	if (!pid)
		exec_child(argv, flags, out_pipe[1], report[1]);
	close(out_pipe[1]);
	close(report[1]);
	out_pipe[1] = report[1] = -1;
	read_failed = read_capped(out_pipe[0], out, max, &too_long);
	exec_errno = exec_error(report[0]);
	if (wait_child(pid, &status) < 0) {
		strbuf_addf(err, "cannot wait for '%s': %s", argv[0],
			    strerror(errno));
		ret = QERR_GENERIC;
	} else if (exec_errno) {
		strbuf_addf(err, "cannot run '%s': %s", argv[0],
			    strerror(exec_errno));
		ret = QERR_NOTFOUND;
	} else if (read_failed) {
		strbuf_addf(err, "cannot read the output of '%s'", argv[0]);
		ret = QERR_GENERIC;
	} else if (too_long) {
		strbuf_addf(err, "'%s' wrote more than %lu bytes", argv[0],
			    (unsigned long)max);
		ret = QERR_CORRUPT;
	} else if (WIFSIGNALED(status)) {
		strbuf_addf(err, "'%s' was killed by signal %d", argv[0],
			    WTERMSIG(status));
		ret = QERR_GENERIC;
	} else {
		ret = WEXITSTATUS(status);
	}
out:
	if (out_pipe[0] >= 0)
		close(out_pipe[0]);
	if (out_pipe[1] >= 0)
		close(out_pipe[1]);
	if (report[0] >= 0)
		close(report[0]);
	if (report[1] >= 0)
		close(report[1]);
	return ret;
}
