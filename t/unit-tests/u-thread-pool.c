#include "t/unit-tests/unit-test.h"
#include "thread-pool.h"
#include <pthread.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int ran;

static void count(void *arg)
{
	int *slot = arg;

	(*slot)++;
	pthread_mutex_lock(&lock);
	ran++;
	pthread_mutex_unlock(&lock);
}

/* Every task of a group runs once, and tp_wait() waits for them all. */
static void test_group(void)
{
	struct tp_group g = TP_GROUP_INIT;
	int slots[1000] = { 0 };
	int i, once = 1;

	ran = 0;
	for (i = 0; i < 1000; i++)
		tp_submit(&g, count, &slots[i]);
	tp_wait(&g);
	check(ran == 1000);
	for (i = 0; i < 1000; i++)
		once &= slots[i] == 1;
	check(once);
	check(g.pending == 0);
	tp_wait(&g);	/* nothing left: returns at once */
}

struct nested {
	int slots[50];
};

/* A task that submits a group of its own and waits for it. */
static void fan_out(void *arg)
{
	struct nested *n = arg;
	struct tp_group g = TP_GROUP_INIT;
	int i;

	for (i = 0; i < 50; i++)
		tp_submit(&g, count, &n->slots[i]);
	tp_wait(&g);
}

static void test_nested(void)
{
	struct tp_group g = TP_GROUP_INIT;
	struct nested *n = xcalloc(20, sizeof(*n));
	int i, j, once = 1;

	ran = 0;
	for (i = 0; i < 20; i++)
		tp_submit(&g, fan_out, &n[i]);
	tp_wait(&g);
	check(ran == 20 * 50);
	for (i = 0; i < 20; i++)
		for (j = 0; j < 50; j++)
			once &= n[i].slots[j] == 1;
	check(once);
	free(n);
}

/* Two groups in flight at once: each waits only for its own. */
static void test_two_groups(void)
{
	struct tp_group a = TP_GROUP_INIT, b = TP_GROUP_INIT;
	int sa[100] = { 0 }, sb[100] = { 0 };
	int i, once = 1;

	for (i = 0; i < 100; i++) {
		tp_submit(&a, count, &sa[i]);
		tp_submit(&b, count, &sb[i]);
	}
	tp_wait(&b);
	for (i = 0; i < 100; i++)
		once &= sb[i] == 1;
	check(once);
	tp_wait(&a);
	for (i = 0; i < 100; i++)
		once &= sa[i] == 1;
	check(once);
}

int main(void)
{
	check(tp_threads() >= 1);
	test_group();
	test_nested();
	test_two_groups();
	return unit_test_done();
}
