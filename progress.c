#include "quire-compat.h"
#include "progress.h"
#include <time.h>

struct progress {
	char *title;
	uint64_t total, done;
	struct timespec last;
};

struct progress *progress_start(const char *title, uint64_t total, int quiet)
{
	struct progress *p;

	if (quiet || !isatty(STDERR_FILENO))
		return NULL;
	p = xcalloc(1, sizeof(*p));
	p->title = xstrdup(title);
	p->total = total;
	return p;
}

static void show(struct progress *p)
{
	if (p->total)
		fprintf(stderr, "\r%s: %3u%% (%" PRIu64 "/%" PRIu64 ")",
			p->title, (unsigned)(p->done * 100 / p->total),
			p->done, p->total);
	else
		fprintf(stderr, "\r%s: %" PRIu64, p->title, p->done);
}

void progress_update(struct progress *p, uint64_t done)
{
	struct timespec now;

	if (!p)
		return;
	p->done = done;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if ((now.tv_sec - p->last.tv_sec) * 1000000000L +
	    (now.tv_nsec - p->last.tv_nsec) < 200000000L)
		return;
	p->last = now;
	show(p);
}

void progress_stop(struct progress **pp)
{
	struct progress *p = *pp;

	if (!p)
		return;
	show(p);
	fputc('\n', stderr);
	free(p->title);
	free(p);
	*pp = NULL;
}
