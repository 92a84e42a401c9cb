#ifndef USAGE_H
#define USAGE_H

/*
 * Reporting. die() prints "fatal: ..." and exits 128; it belongs in cmd_*
 * code and in the x-wrappers only. error() prints "error: ..." and returns
 * QERR_GENERIC so leaf code can "return error(...)". BUG() aborts.
 */
NORETURN void die(const char *fmt, ...) PRINTF_LIKE(1, 2);
NORETURN void die_errno(const char *fmt, ...) PRINTF_LIKE(1, 2);
int error(const char *fmt, ...) PRINTF_LIKE(1, 2);
int error_errno(const char *fmt, ...) PRINTF_LIKE(1, 2);
void warning(const char *fmt, ...) PRINTF_LIKE(1, 2);
NORETURN void BUG_fl(const char *file, int line, const char *fmt, ...)
	PRINTF_LIKE(3, 4);
#define BUG(...) BUG_fl(__FILE__, __LINE__, __VA_ARGS__)

/* Called by die() before it exits (e.g. to roll back a transaction). */
void set_die_cleanup(void (*fn)(void));

#endif
