#ifndef PROGRESS_H
#define PROGRESS_H

/*
 * A progress line on stderr ("installing: 45% (450/1000)"), shown only
 * when stderr is a terminal, at most a few times a second. NULL-safe:
 * progress_start() returns NULL when nothing is to be shown.
 */
struct progress;

struct progress *progress_start(const char *title, uint64_t total, int quiet);
void progress_update(struct progress *p, uint64_t done);
/* Print the final count and a newline, and free p. */
void progress_stop(struct progress **p);

#endif
