#include "quire-compat.h"
#include "progress.h"
#include "redact.h"

static void (*die_cleanup)(void);
static int dying;

void set_die_cleanup(void (*fn)(void))
{
	die_cleanup = fn;
}

/*
 * Every die(), error() and warning() passes here: a URL in the message
 * loses its credentials (redact.h), whoever forgot to redact it. Only a
 * message holding "://" allocates, so "out of memory" still gets out.
 */
static void vreport(const char *prefix, const char *fmt, va_list ap,
		    int errnum)
{
	char msg[4096];
	struct strbuf sb = STRBUF_INIT;
	const char *shown = msg;

	if (vsnprintf(msg, sizeof(msg), fmt, ap) >= (int)sizeof(msg))
		redact_cut_text(msg);
	if (strstr(msg, "://")) {
		redact_text(&sb, msg);
		shown = sb.buf;
	}
	/* a progress meter on the line: out of the way (for good if fatal) */
	progress_interrupt(!strcmp(prefix, "fatal: "));
	fflush(stdout);
	if (errnum)
		fprintf(stderr, "%s%s: %s\n", prefix, shown,
			strerror(errnum));
	else
		fprintf(stderr, "%s%s\n", prefix, shown);
	strbuf_release(&sb);
}

static NORETURN void die_exit(void)
{
	if (!dying++ && die_cleanup)
		die_cleanup();
	exit(128);
}

void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("fatal: ", fmt, ap, 0);
	va_end(ap);
	die_exit();
}

void die_errno(const char *fmt, ...)
{
	va_list ap;
	int e = errno;

	va_start(ap, fmt);
	vreport("fatal: ", fmt, ap, e);
	va_end(ap);
	die_exit();
}

int error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("error: ", fmt, ap, 0);
	va_end(ap);
	return QERR_GENERIC;
}

int error_errno(const char *fmt, ...)
{
	va_list ap;
	int e = errno;

	va_start(ap, fmt);
	vreport("error: ", fmt, ap, e);
	va_end(ap);
	return QERR_GENERIC;
}

void warning(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("warning: ", fmt, ap, 0);
	va_end(ap);
}

void BUG_fl(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	char msg[1024];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	progress_interrupt(1);
	fprintf(stderr, "BUG: %s:%d: %s\n", file, line, msg);
	abort();
}
