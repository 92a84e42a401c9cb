#include "t/helper/test-tool.h"
#include "progress.h"
#include <pthread.h>
#include <time.h>

/*
 * test-tool progress [--force] [--lazy] [--delayed] [--threads <n>]
 *                    [--bytes <b>] [--sleep <ms>] [--total-bytes <b>]
 *                    <title> <total> <count>
 *
 * Run a progress meter titled <title> towards <total> (0: unknown) and
 * count <count> entries of <b> bytes each, split over <n> threads, each
 * sleeping <ms> milliseconds after every entry. --force is --progress;
 * --lazy and --delayed start the meter with PROGRESS_LAZY, and
 * PROGRESS_DELAYED.
 * With no sleep it measures what counting costs a loop.
 */
struct worker {
	struct progress *p;
	uint64_t count, bytes;
	long sleep_ms;
	pthread_t thread;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	struct timespec ts = { w->sleep_ms / 1000,
			       (w->sleep_ms % 1000) * 1000000L };
	uint64_t i;

	for (i = 0; i < w->count; i++) {
		progress_add(w->p, 1, w->bytes);
		if (w->sleep_ms)
			nanosleep(&ts, NULL);
	}
	return NULL;
}

int cmd__progress(int argc, const char **argv)
{
	uint64_t total, count, bytes = 0, total_bytes = 0, n = 1, ms = 0;
	struct worker *w;
	struct progress *p;
	unsigned flags = 0;
	uint64_t i;

	for (argv++, argc--; argc > 1 && !strncmp(argv[0], "--", 2);
	     argv++, argc--) {
		const char *o = argv[0] + 2;
		uint64_t *v = !strcmp(o, "threads") ? &n :
			      !strcmp(o, "bytes") ? &bytes :
			      !strcmp(o, "total-bytes") ? &total_bytes :
			      !strcmp(o, "sleep") ? &ms : NULL;

		if (!strcmp(o, "force")) {
			progress_option = 1;
			continue;
		}
		if (!strcmp(o, "lazy")) {
			flags |= PROGRESS_LAZY;
			continue;
		}
		if (!strcmp(o, "delayed")) {
			flags |= PROGRESS_DELAYED;
			continue;
		}
		if (!v || argc < 2 || parse_u64(argv[1], v))
			goto usage;
		argv++, argc--;
	}
	if (argc != 3 || parse_u64(argv[1], &total) ||
	    parse_u64(argv[2], &count) || !n)
		goto usage;
	p = progress_start(argv[0], total, flags);
	progress_set_total_bytes(p, total_bytes);
	w = xcalloc(n, sizeof(*w));
	for (i = 0; i < n; i++) {
		w[i].p = p;
		w[i].count = count / n + (i < count % n);
		w[i].bytes = bytes;
		w[i].sleep_ms = (long)ms;
		if (pthread_create(&w[i].thread, NULL, work, &w[i]))
			die("cannot start a thread");
	}
	for (i = 0; i < n; i++)
		pthread_join(w[i].thread, NULL);
	progress_stop(&p);
	free(w);
	return 0;
usage:
	fprintf(stderr, "usage: test-tool progress [--force] [--lazy] "
		"[--delayed] "
		"[--threads <n>] "
		"[--bytes <b>] [--total-bytes <b>] [--sleep <ms>] <title> "
		"<total> <count>\n");
	return 129;
}
