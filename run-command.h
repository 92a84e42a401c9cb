#ifndef RUN_COMMAND_H
#define RUN_COMMAND_H

#include "strbuf.h"

/*
 * Running another program: fork and exec (argv[0] is looked up in PATH),
 * never through a shell, so no argument is ever interpreted. The child's
 * standard input is /dev/null, its standard output is captured, and its
 * standard error goes where quire's goes (or nowhere, on request). It
 * runs in the current folder with quire's environment.
 */

enum run_command_flags {
	RUN_COMMAND_QUIET = (1 << 0),	/* its standard error to /dev/null */
};

/*
 * Run argv (NULL-terminated) and append what it writes to its standard
 * output, at most max bytes, to out. Returns its exit status (0 to 255)
 * when it ran to the end, else a negative qerr with err saying why:
 * QERR_NOTFOUND when the program cannot be started (not installed),
 * QERR_CORRUPT when it wrote more than max bytes, QERR_GENERIC when it
 * was killed by a signal or a pipe or fork failed.
 */
int run_command_capture(const char *const *argv, unsigned flags,
			struct strbuf *out, size_t max, struct strbuf *err);

#endif
