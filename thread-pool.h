#ifndef THREAD_POOL_H
#define THREAD_POOL_H

/*
 * One pool of worker threads per process, started on first use and kept
 * until exit: hashing, stat and I/O fan out over it instead of creating
 * and joining threads per call.
 *
 * Work is submitted to a group and waited for by group, so several
 * callers (and a task that itself submits work) can share the pool. The
 * thread that waits runs queued tasks itself meanwhile, so a group always
 * finishes even with no worker free (or none at all: after fork(), in
 * the child).
 *
 *	struct tp_group g = TP_GROUP_INIT;
 *	for (i = 0; i < n; i++)
 *		tp_submit(&g, stat_chunk, &chunks[i]);
 *	tp_wait(&g);
 *
 * A task must not die(); it reports its failure through its argument.
 */
struct tp_group {
	unsigned pending;	/* submitted, not yet finished */
};
#define TP_GROUP_INIT { 0 }

typedef void tp_task_fn(void *arg);

/* Queue fn(arg) as part of g. */
void tp_submit(struct tp_group *g, tp_task_fn *fn, void *arg);
/* Run queued tasks until every task of g has finished. */
void tp_wait(struct tp_group *g);

/*
 * How many threads work on a group: the pool's workers plus the waiting
 * thread (the number of CPUs; QUIRE_THREADS overrides it). Work split
 * into about this many pieces keeps every core busy.
 */
int tp_threads(void);

#endif
