#include "quire-compat.h"
#include "registry.h"
#include "lockfile.h"
#include <sys/mman.h>
#include <sys/random.h>
#include <time.h>

/*
 * A package's lock in a registry whose store cannot write conditionally
 * (an S3 server without If-None-Match / If-Match): Fischer's timed mutual
 * exclusion over one object, .quire/locks/<ns>/<name>, which holds the
 * nonce of its holder.
 *
 *	repeat
 *		wait until the lock is free (absent, or the same nonce seen
 *		for longer than the lease: its holder died)
 *		write our nonce
 *		if more than GAP passed between the read and the write's
 *		answer, start again (a write that slow may land after
 *		another writer checked)
 *		wait WAIT (> GAP), read the lock again
 *	until it holds our nonce
 *
 * Two writers that both saw the lock free each write; every write lands
 * within GAP of its read, so after WAIT each reads the last one, and only
 * its writer goes ahead. Only GET and PUT of one object are used, which
 * every S3 server does atomically.
 */

#define LOCKS ".quire/locks/"
#define GAP_DEFAULT_MS 1000
#define LEASE_DEFAULT_MS 30000
#define WAIT_DEFAULT_MS 120000

static long setting(const char *name, long def)
{
	const char *v = getenv(name);
	uint64_t n;

	if (!v || !*v || parse_u64(v, &n) || n > LONG_MAX)
		return def;
	return (long)n;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void pause_ms(long ms)
{
	usleep((useconds_t)ms * 1000);
}

/* A little random wait, so that waiters do not move in step. */
static void back_off(void)
{
	unsigned char r;

	if (getrandom(&r, 1, 0) != 1)
		r = (unsigned char)getpid();
	pause_ms(100 + r % 200);
}

static int make_nonce(char *out, size_t len)
{
	unsigned char raw[16];
	size_t i;

	if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw))
		return -1;
	for (i = 0; i < sizeof(raw) && 2 * i + 2 < len; i++)
		xsnprintf(out + 2 * i, 3, "%02x", raw[i]);
	return 0;
}

/* What the lock holds now ("" when free), trimmed. */
static int read_lock(struct registry *reg, const char *key,
		     struct strbuf *cur, struct strbuf *err)
{
	struct strbuf why = STRBUF_INIT;
	int ret;

	strbuf_reset(cur);
	ret = transport_get_small(reg->t, key, cur, 256, &why);
	if (ret == QERR_NOTFOUND) {
		strbuf_reset(cur);
		ret = 0;
	}
	if (ret)
		strbuf_addbuf(err, &why);
	strbuf_trim(cur);
	strbuf_release(&why);
	return ret;
}

static int write_lock(struct registry *reg, const char *key,
		      const char *nonce, struct strbuf *err)
{
	int fd = memfd_create("quire-lock", MFD_CLOEXEC), ret;

	if (fd < 0 || write_in_full(fd, nonce, strlen(nonce)) < 0) {
		strbuf_addf(err, "cannot make a lock: %s", strerror(errno));
		ret = QERR_GENERIC;
	} else {
		ret = reg->t->ops->put(reg->t, key, fd, NULL, 0, NULL, err);
	}
	if (fd >= 0)
		close(fd);
	return ret;
}

int registry_lock_package(struct registry *reg, const char *name,
			  struct registry_lock *lk, struct strbuf *err)
{
	long gap = setting("QUIRE_S3_LOCK_GAP", GAP_DEFAULT_MS);
	long lease = setting("QUIRE_S3_LOCK_LEASE", LEASE_DEFAULT_MS);
	long wait = lockfile_timeout(WAIT_DEFAULT_MS);
	struct strbuf cur = STRBUF_INIT, seen = STRBUF_INIT;
	uint64_t start = now_ms(), seen_since = 0, t0;
	int ret;

	memset(lk, 0, sizeof(*lk));
	strbuf_init(&lk->key, 0);
	strbuf_addf(&lk->key, LOCKS "%s", name);
	if (make_nonce(lk->nonce, sizeof(lk->nonce)) < 0) {
		strbuf_addf(err, "cannot make a lock: %s", strerror(errno));
		strbuf_release(&lk->key);
		return QERR_GENERIC;
	}
	for (;;) {
		if (now_ms() - start > (uint64_t)wait) {
			strbuf_addf(err, "'%s' in %s is held by another quire "
				    "process (waited %.1f s); try again "
				    "later, or wait longer with "
				    "core.lockTimeout (milliseconds)",
				    lk->key.buf, registry_url(reg),
				    wait / 1000.0);
			ret = QERR_LOCKED;
			break;
		}
		t0 = now_ms();
		ret = read_lock(reg, lk->key.buf, &cur, err);
		if (ret)
			break;
		if (cur.len && strcmp(cur.buf, lk->nonce)) {
			if (strcmp(cur.buf, seen.buf)) {
				strbuf_reset(&seen);
				strbuf_addbuf(&seen, &cur);
				seen_since = now_ms();
			} else if (now_ms() - seen_since > (uint64_t)lease) {
				warning("taking over the lock '%s' in %s: it "
					"has not changed for %.0f s, so its "
					"holder is gone", lk->key.buf,
					registry_url(reg), lease / 1000.0);
				goto take;
			}
			back_off();
			continue;
		}
take:
		ret = write_lock(reg, lk->key.buf, lk->nonce, err);
		if (ret)
			break;
		if (now_ms() - t0 > (uint64_t)gap) {
			back_off();	/* too slow to be sure: again */
			continue;
		}
		pause_ms(gap + gap / 4);
		ret = read_lock(reg, lk->key.buf, &cur, err);
		if (ret || !strcmp(cur.buf, lk->nonce))
			break;
	}
	lk->held = !ret;
	if (ret)
		strbuf_release(&lk->key);
	strbuf_release(&cur);
	strbuf_release(&seen);
	return ret;
}

void registry_unlock_package(struct registry *reg, struct registry_lock *lk)
{
	struct strbuf cur = STRBUF_INIT, err = STRBUF_INIT;

	/* only ours: after a takeover the lock is someone else's */
	if (lk->held && !read_lock(reg, lk->key.buf, &cur, &err) &&
	    !strcmp(cur.buf, lk->nonce))
		reg->t->ops->del(reg->t, lk->key.buf, &err);
	lk->held = 0;
	strbuf_release(&lk->key);
	strbuf_release(&cur);
	strbuf_release(&err);
}
