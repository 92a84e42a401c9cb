#include "quire-compat.h"
#include "thread-pool.h"
#include <pthread.h>

struct task {
	tp_task_fn *fn;
	void *arg;
	struct tp_group *g;
};

/* The pool: a ring of queued tasks, and the workers that take them. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t have_work = PTHREAD_COND_INITIALIZER;
static pthread_cond_t group_done = PTHREAD_COND_INITIALIZER;
static struct task *ring;
static size_t ring_alloc, head, count;
static int nthreads, started, atfork_set;

int tp_threads(void)
{
	/* asked from any thread: each finds the same, once it is stored */
	int threads = __atomic_load_n(&nthreads, __ATOMIC_RELAXED);

	if (!threads) {
		const char *env = getenv("QUIRE_THREADS");
		long n = env ? strtol(env, NULL, 10) : 0;

		threads = n > 0 ? n : online_cpus();
		if (threads > 256)
			threads = 256;
		__atomic_store_n(&nthreads, threads, __ATOMIC_RELAXED);
	}
	return threads;
}

static void push(const struct task *t)
{
	if (count == ring_alloc) {
		size_t n = ring_alloc ? 2 * ring_alloc : 64, i;
		struct task *r = xcalloc(n, sizeof(*r));

		for (i = 0; i < count; i++)
			r[i] = ring[(head + i) % ring_alloc];
		free(ring);
		ring = r;
		ring_alloc = n;
		head = 0;
	}
	ring[(head + count++) % ring_alloc] = *t;
}

static struct task pop(void)
{
	struct task t = ring[head];

	head = (head + 1) % ring_alloc;
	count--;
	return t;
}

/* Run t with the lock dropped; account for it after. Lock held. */
static void run(struct task t)
{
	pthread_mutex_unlock(&lock);
	t.fn(t.arg);
	pthread_mutex_lock(&lock);
	if (!--t.g->pending)
		pthread_cond_broadcast(&group_done);
}

static void *worker(void *unused)
{
	pthread_mutex_lock(&lock);
	for (;;) {
		while (!count)
			pthread_cond_wait(&have_work, &lock);
		run(pop());
	}
	return NULL;
}

/* In a forked child only the forking thread lives: start over. */
static void after_fork_child(void)
{
	pthread_mutex_init(&lock, NULL);
	pthread_cond_init(&have_work, NULL);
	pthread_cond_init(&group_done, NULL);
	ring = NULL;	/* the parent's; not ours to free */
	ring_alloc = head = count = 0;
	started = 0;
}

/* Start the workers (lock held). Any that cannot start: fewer work. */
static void start_workers(void)
{
	pthread_attr_t attr;
	pthread_t t;
	int i;

	started = 1;
	if (!atfork_set++)
		pthread_atfork(NULL, NULL, after_fork_child);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	for (i = 1; i < tp_threads(); i++)
		if (pthread_create(&t, &attr, worker, NULL))
			break;
	pthread_attr_destroy(&attr);
}

void tp_submit(struct tp_group *g, tp_task_fn *fn, void *arg)
{
	struct task t = { fn, arg, g };

	pthread_mutex_lock(&lock);
	if (!started && tp_threads() > 1)
		start_workers();
	g->pending++;
	push(&t);
	pthread_cond_signal(&have_work);
	pthread_mutex_unlock(&lock);
}

void tp_wait(struct tp_group *g)
{
	pthread_mutex_lock(&lock);
	while (g->pending) {
		if (count)
			run(pop());
		else
			pthread_cond_wait(&group_done, &lock);
	}
	pthread_mutex_unlock(&lock);
}
