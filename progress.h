#ifndef PROGRESS_H
#define PROGRESS_H

/*
 * One progress meter for every long operation, drawn on stderr like git's:
 *
 *	Installing:  45% (4500/10000), 17.6 MiB | 12.3 MiB/s, ETA 0:04
 *	Installing: 100% (10000/10000), 39.1 MiB | 12.3 MiB/s, done.
 *
 * A meter is shown when stderr is a terminal and the command was not
 * given -q, or whenever --progress was given; never with --no-progress.
 * All three are process-wide (the command's options set them), so code
 * anywhere may start a meter with flags 0. A job in the background of a
 * shell draws only the final line.
 * When it is not shown, progress_start() returns NULL and every call below
 * does nothing, so callers need no test of their own.
 *
 * Drawing is done by a thread of the meter's own, at most four times a
 * second, on one line that fits the terminal (80 columns when its width
 * is unknown): long titles and numbers are shortened, never wrapped. The
 * counting calls are two relaxed atomic additions: call them per entry
 * from a loop over millions, or from several worker threads at once.
 *
 * Use:
 *
 *	struct progress *p = progress_start("Installing", nr_entries,
 *					     quiet ? PROGRESS_QUIET : 0);
 *	progress_set_total_bytes(p, total_size);	(optional: the ETA
 *							 then follows bytes)
 *	for (each entry) {
 *		... place it ...
 *		progress_add(p, 1, entry_size);
 *	}
 *	progress_stop(&p);		(the final line, ", done.")
 *
 * A total of 0 is "unknown": the meter shows the count without a percent
 * or an ETA ("Hashing: 1234, 1.20 GiB | 300 MiB/s"). Library code that
 * gets no meter from its caller may start its own; while one meter is on
 * screen another one started inside it waits and takes the next line.
 * die(), error() and warning() first move the meter out of their way.
 */
struct progress;

enum progress_flags {
	/*
	 * quiet for this meter only: no meter unless --progress was given
	 * (the command's -q already does this for every meter)
	 */
	PROGRESS_QUIET = (1 << 0),
	/*
	 * Draw nothing (not even the final line) until something was
	 * counted: for work that may turn out to be none (status hashing
	 * only the files that changed).
	 */
	PROGRESS_LAZY = (1 << 1),
	/*
	 * Draw nothing before the work has taken a second (git's delayed
	 * progress): work done sooner leaves no line at all. For walks that
	 * are quick but for the largest workspaces (status's stat walk).
	 */
	PROGRESS_DELAYED = (1 << 2),
};

/*
 * The process-wide choice of --progress (1) and --no-progress (0);
 * -1 (the default): when stderr is a terminal. OPT__PROGRESS() in
 * parse-options.h sets it.
 */
extern int progress_option;

/*
 * The command's -q (OPT__QUIET() calls this): no meter unless --progress
 * was given, as if every meter had PROGRESS_QUIET.
 */
void progress_set_quiet(int quiet);

/* Would a meter started with these flags be shown? */
int progress_wanted(unsigned flags);

/* A meter titled title (copied) counting to total (0: unknown), or NULL. */
struct progress *progress_start(const char *title, uint64_t total,
				unsigned flags);

/* Count count more entries and bytes more bytes done. Thread-safe. */
void progress_add(struct progress *p, uint64_t count, uint64_t bytes);

/* Set the count of entries done (not the bytes). Thread-safe. */
void progress_update(struct progress *p, uint64_t done);

/* The total, once it is known or when it changes (0: unknown). */
void progress_set_total(struct progress *p, uint64_t total);

/* The total of bytes: percent and ETA then follow the bytes. */
void progress_set_total_bytes(struct progress *p, uint64_t total_bytes);

/*
 * Draw the final line (with ", done."), end the meter's line, free the
 * meter and set *p to NULL. A NULL *p is fine.
 */
void progress_stop(struct progress **p);

/*
 * Clear the meter's line so that the caller can print a line of its own
 * (on stdout or stderr) on a terminal; the meter is drawn again below it
 * at its next update. die(), error() and warning() do this themselves.
 */
void progress_clear(struct progress *p);

/*
 * For usage.c: clear the meter on screen before a message; with last,
 * draw no meter again in this process (die() is on its way out).
 */
void progress_interrupt(int last);

#endif
