#include "quire-compat.h"
#include "progress.h"
#include <pthread.h>
#include <sys/ioctl.h>
#include <time.h>

/*
 * The meter's thread wakes every TICK_MS, samples the counters and draws
 * the line: at most 1000 / TICK_MS lines a second, however often the
 * counters move, and a line that keeps moving (the rate, the ETA) while
 * one large file holds the counters still.
 */
#define TICK_MS 250
/* the throughput is measured over the last WINDOW ticks (5 s) */
#define WINDOW 20
/* no ETA before this much work, no rate before half of it */
#define ETA_AFTER 1.0
/* PROGRESS_DELAYED: nothing drawn before this much work */
#define DELAY 1.0
#define LINE_MAX_COLS 400

int progress_option = -1;
static int quiet;

struct sample {
	double t;
	uint64_t count, bytes;
};

struct progress {
	char *title;
	unsigned flags;
	/* written by any thread: __atomic, relaxed */
	uint64_t count, bytes, total, total_bytes;

	pthread_t thread;
	pthread_mutex_t lock;	/* stopping, with cond */
	pthread_cond_t cond;
	int stopping;

	struct timespec start;
	struct sample win[WINDOW];	/* a ring, the newest at win_pos */
	unsigned win_nr, win_pos;

	/* under screen_lock */
	size_t shown;		/* columns of our line on screen, 0: none */
	char last[1024];	/* ...and its text */
	int drawn;		/* something was drawn once */
	double hold_until;	/* progress_clear(): not before this */
	struct progress *below;	/* the meter this one was started in */
};

/* One screen: which meter owns the line, and who is drawing. */
static pthread_mutex_t screen_lock = PTHREAD_MUTEX_INITIALIZER;
static struct progress *top;
static int silenced;

static uint64_t get(const uint64_t *v)
{
	return __atomic_load_n(v, __ATOMIC_RELAXED);
}

static void set(uint64_t *v, uint64_t n)
{
	__atomic_store_n(v, n, __ATOMIC_RELAXED);
}

static double since(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) +
	       (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

void progress_set_quiet(int q)
{
	quiet = q;
}

int progress_wanted(unsigned flags)
{
	if (progress_option >= 0)
		return progress_option > 0;
	return !quiet && !(flags & PROGRESS_QUIET) && isatty(STDERR_FILENO);
}

/* The columns the line may take: the terminal's width less one. */
static size_t line_width(void)
{
	struct winsize ws;
	const char *env;
	long cols = 0;

	if (!ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) && ws.ws_col)
		cols = ws.ws_col;
	else if ((env = getenv("COLUMNS")))
		cols = strtol(env, NULL, 10);
	if (cols <= 0)
		cols = 80;
	/* writing the last column wraps on some terminals */
	cols--;
	if (cols < 1)
		cols = 1;
	if (cols > LINE_MAX_COLS)
		cols = LINE_MAX_COLS;
	return cols;
}

/* Columns of s: one per UTF-8 character. */
static size_t columns(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* Cut s (in place) to at most cols columns, ending it with "...". */
static void cut(char *s, size_t cols)
{
	size_t keep = cols > 3 ? cols - 3 : cols, n = 0, at;

	if (columns(s) <= cols)
		return;
	for (at = 0; s[at]; at++) {
		if (((unsigned char)s[at] & 0xc0) == 0x80)
			continue;
		if (n++ == keep)
			break;
	}
	/* at least four characters went: room for the dots */
	if (cols > 3)
		memcpy(s + at, "...", 4);
	else
		s[at] = '\0';
}

/* 1234 -> "1234"; 12345678 -> "12.3M" when compact. */
static void fmt_count(char *buf, size_t size, uint64_t n, int compact)
{
	static const char units[] = "kMGTPE";
	double v = (double)n;
	int u = -1;

	if (!compact || n < 10000) {
		snprintf(buf, size, "%" PRIu64, n);
		return;
	}
	while (v >= 999.5 && u < 5) {
		v /= 1000;
		u++;
	}
	snprintf(buf, size, v < 9.995 ? "%.2f%c" : v < 99.95 ? "%.1f%c" :
		 "%.0f%c", v, units[u]);
}

/* 1536 -> "1.50 KiB", git's way: three figures. */
static void fmt_bytes(char *buf, size_t size, double v)
{
	static const char *const units[] = {
		"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"
	};
	int u = -1;

	if (v < 1024) {
		snprintf(buf, size, "%.0f bytes", v);
		return;
	}
	while (v >= 1023.5 && u < 5) {
		v /= 1024;
		u++;
	}
	snprintf(buf, size, v < 9.995 ? "%.2f %s" : v < 99.95 ? "%.1f %s" :
		 "%.0f %s", v, units[u]);
}

static void fmt_duration(char *buf, size_t size, double secs)
{
	uint64_t s = (uint64_t)(secs + 0.5);

	if (s >= 3600)
		snprintf(buf, size, "%" PRIu64 ":%02u:%02u", s / 3600,
			 (unsigned)(s / 60 % 60), (unsigned)(s % 60));
	else
		snprintf(buf, size, "%u:%02u", (unsigned)(s / 60),
			 (unsigned)(s % 60));
}

/* What one line shows. rate < 0: unknown; eta < 0: none. */
struct view {
	uint64_t count, total, bytes;
	double rate, eta;
	int done;
};

/*
 * Render the line for v into out, within width columns: the more it
 * has to shed, the more goes, least useful first.
 */
static void render(const struct progress *p, const struct view *v,
		   size_t width, char *out, size_t size)
{
	char title[LINE_MAX_COLS + 4], nums[96], bytes[32], rate[40];
	char tail[40], a[32], b[32];
	int level;

	for (level = 0; level <= 7; level++) {
		int compact = level >= 2;

		snprintf(title, sizeof(title), "%s", p->title);
		if (level >= 1)
			cut(title, level >= 6 ? 10 : 24);
		fmt_count(a, sizeof(a), v->count, compact);
		fmt_count(b, sizeof(b), v->total, compact);
		if (v->total) {
			uint64_t pct = v->count >= v->total ? 100 :
				       (uint64_t)((double)v->count * 100 /
						  (double)v->total);

			if (pct == 100 && v->count < v->total)
				pct = 99;
			snprintf(nums, sizeof(nums), "%3u%% (%s/%s)",
				 (unsigned)pct, a, b);
		} else {
			snprintf(nums, sizeof(nums), "%s", a);
		}
		bytes[0] = rate[0] = tail[0] = '\0';
		if (v->bytes && level < 5)
			fmt_bytes(bytes, sizeof(bytes), (double)v->bytes);
		if (v->bytes && v->rate >= 0 && level < 4) {
			fmt_bytes(a, sizeof(a), v->rate);
			snprintf(rate, sizeof(rate), " | %s/s", a);
		}
		if (v->done) {
			snprintf(tail, sizeof(tail), ", done.");
		} else if (v->eta >= 0 && level < 3) {
			fmt_duration(a, sizeof(a), v->eta);
			snprintf(tail, sizeof(tail), ", ETA %s", a);
		}
		snprintf(out, size, "%s: %s%s%s%s%s", title, nums,
			 *bytes ? ", " : "", bytes, rate, tail);
		if (columns(out) <= width)
			return;
	}
	cut(out, width);
}

/* The newest sample, and the rates over the window (-1: unknown). */
static void take_sample(struct progress *p, struct sample *now,
			double *count_rate, double *byte_rate)
{
	const struct sample *old;
	double span;

	now->t = since(&p->start);
	now->count = get(&p->count);
	now->bytes = get(&p->bytes);
	p->win_pos = (p->win_pos + 1) % WINDOW;
	p->win[p->win_pos] = *now;
	if (p->win_nr < WINDOW)
		p->win_nr++;
	/* the oldest sample kept; before a full window, the start */
	old = p->win_nr < WINDOW ? NULL :
	      &p->win[(p->win_pos + 1) % WINDOW];
	span = old ? now->t - old->t : now->t;
	*count_rate = *byte_rate = -1;
	if (span < ETA_AFTER / 2)
		return;
	/* progress_update() may have set the count back: no negative rate */
	*count_rate = ((double)now->count - (old ? (double)old->count : 0)) /
		      span;
	*byte_rate = ((double)now->bytes - (old ? (double)old->bytes : 0)) /
		     span;
	if (*count_rate < 0)
		*count_rate = 0;
	if (*byte_rate < 0)
		*byte_rate = 0;
}

/* Fill v from the newest sample; the ETA only after ETA_AFTER seconds. */
static void make_view(struct progress *p, struct view *v, int done)
{
	struct sample s;
	double count_rate, byte_rate;
	uint64_t total_bytes = get(&p->total_bytes);

	take_sample(p, &s, &count_rate, &byte_rate);
	v->count = s.count;
	v->bytes = s.bytes;
	v->total = get(&p->total);
	v->done = done;
	v->rate = byte_rate;
	v->eta = -1;
	if (done) {
		/* the whole run's average: the last window may be idle */
		v->rate = s.t >= ETA_AFTER / 4 ? (double)s.bytes / s.t : -1;
		return;
	}
	if (s.t < ETA_AFTER)
		return;
	if (total_bytes && byte_rate > 0 && s.bytes < total_bytes)
		v->eta = (double)(total_bytes - s.bytes) / byte_rate;
	else if (!total_bytes && v->total && count_rate > 0 &&
		 s.count < v->total)
		v->eta = (double)(v->total - s.count) / count_rate;
	/* days away: no use, and no room */
	if (v->eta > 99 * 3600)
		v->eta = -1;
}

/* Write to stderr, leaving errno as it was: callers report errors. */
static void write_all(const char *buf, size_t len)
{
	int saved = errno;

	while (len) {
		ssize_t n = write(STDERR_FILENO, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		buf += n;
		len -= n;
	}
	errno = saved;
}

/* Overwrite p's line with line (and end it with final). Under the lock. */
static void put_line(struct progress *p, const char *line, int final)
{
	char buf[1024 + LINE_MAX_COLS + 16];
	size_t len = strlen(line), cols = columns(line), n = 0;

	if (!final && p->shown && !strcmp(line, p->last))
		return;		/* nothing moved */
	buf[n++] = '\r';
	memcpy(buf + n, line, len);
	n += len;
	/* blank what is left of a longer line before it */
	while (p->shown > cols && n < sizeof(buf) - 2) {
		buf[n++] = ' ';
		cols++;
	}
	if (final)
		buf[n++] = '\n';
	write_all(buf, n);
	p->shown = final ? 0 : columns(line);
	p->drawn = 1;
	xsnprintf(p->last, sizeof(p->last), "%s", line);
}

/*
 * A job in the background (the shell's '&', or ^Z then bg) draws no
 * meter on the terminal; its final line still comes. A stderr that is
 * not a terminal (--progress, piped) counts as in the foreground.
 */
static int in_foreground(void)
{
	pid_t fg = tcgetpgrp(STDERR_FILENO);

	return fg < 0 || fg == getpgrp();
}

static int nothing_yet(struct progress *p)
{
	if ((p->flags & PROGRESS_DELAYED) && !p->drawn &&
	    since(&p->start) < DELAY)
		return 1;
	return (p->flags & PROGRESS_LAZY) && !get(&p->count) &&
	       !get(&p->bytes);
}

/* Draw p's line now, if it owns the screen. */
static void draw(struct progress *p, int final)
{
	char line[1024];
	struct view v;

	pthread_mutex_lock(&screen_lock);
	if (!silenced && top == p && !nothing_yet(p) &&
	    (final || (since(&p->start) >= p->hold_until &&
		       in_foreground()))) {
		make_view(p, &v, final);
		render(p, &v, line_width(), line, sizeof(line));
		put_line(p, line, final);
	}
	pthread_mutex_unlock(&screen_lock);
}

static void *meter_thread(void *arg)
{
	struct progress *p = arg;
	struct timespec at;

	pthread_mutex_lock(&p->lock);
	clock_gettime(CLOCK_MONOTONIC, &at);
	while (!p->stopping) {
		at.tv_nsec += TICK_MS * 1000000L;
		if (at.tv_nsec >= 1000000000L) {
			at.tv_sec++;
			at.tv_nsec -= 1000000000L;
		}
		while (!p->stopping &&
		       pthread_cond_timedwait(&p->cond, &p->lock, &at) == 0)
			;	/* woken early (or spuriously): wait on */
		if (p->stopping)
			break;
		pthread_mutex_unlock(&p->lock);
		draw(p, 0);
		pthread_mutex_lock(&p->lock);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

struct progress *progress_start(const char *title, uint64_t total,
				unsigned flags)
{
	struct progress *p;
	pthread_condattr_t attr;

	if (!progress_wanted(flags))
		return NULL;
	p = xcalloc(1, sizeof(*p));
	p->title = xstrdup(title);
	p->flags = flags;
	p->total = total;
	clock_gettime(CLOCK_MONOTONIC, &p->start);
	pthread_mutex_init(&p->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&p->cond, &attr);
	pthread_condattr_destroy(&attr);

	pthread_mutex_lock(&screen_lock);
	/* a meter inside another: the outer one's line stays above */
	if (top && top->shown) {
		write_all("\n", 1);
		top->shown = 0;
	}
	p->below = top;
	top = p;
	pthread_mutex_unlock(&screen_lock);

	if (pthread_create(&p->thread, NULL, meter_thread, p)) {
		/* no thread: the final line alone */
		p->stopping = -1;
	}
	return p;
}

void progress_add(struct progress *p, uint64_t count, uint64_t bytes)
{
	if (!p)
		return;
	if (count)
		__atomic_add_fetch(&p->count, count, __ATOMIC_RELAXED);
	if (bytes)
		__atomic_add_fetch(&p->bytes, bytes, __ATOMIC_RELAXED);
}

void progress_update(struct progress *p, uint64_t done)
{
	if (p)
		set(&p->count, done);
}

void progress_set_total(struct progress *p, uint64_t total)
{
	if (p)
		set(&p->total, total);
}

void progress_set_total_bytes(struct progress *p, uint64_t total_bytes)
{
	if (p)
		set(&p->total_bytes, total_bytes);
}

void progress_stop(struct progress **pp)
{
	struct progress *p = *pp, **at;

	if (!p)
		return;
	*pp = NULL;
	if (p->stopping >= 0) {
		pthread_mutex_lock(&p->lock);
		p->stopping = 1;
		pthread_cond_signal(&p->cond);
		pthread_mutex_unlock(&p->lock);
		pthread_join(p->thread, NULL);
	}
	draw(p, 1);

	pthread_mutex_lock(&screen_lock);
	/* meters stop inside out, but not necessarily */
	for (at = &top; *at; at = &(*at)->below)
		if (*at == p) {
			*at = p->below;
			break;
		}
	if (p->shown)	/* stopped while another meter owned the screen */
		write_all("\n", 1);
	pthread_mutex_unlock(&screen_lock);

	pthread_cond_destroy(&p->cond);
	pthread_mutex_destroy(&p->lock);
	free(p->title);
	free(p);
}

/* Blank the line of the meter on screen. Under the lock. */
static void blank(struct progress *p)
{
	char buf[LINE_MAX_COLS + 2];
	size_t n = 0;

	buf[n++] = '\r';
	while (n <= p->shown && n < sizeof(buf) - 1)
		buf[n++] = ' ';
	buf[n++] = '\r';
	write_all(buf, n);
	p->shown = 0;
}

void progress_clear(struct progress *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&screen_lock);
	if (top == p && p->shown) {
		blank(p);
		/* let the caller print before the line comes back */
		p->hold_until = since(&p->start) + TICK_MS / 1000.0;
	}
	pthread_mutex_unlock(&screen_lock);
}

void progress_interrupt(int last)
{
	pthread_mutex_lock(&screen_lock);
	if (top && top->shown) {
		if (last) {
			/* what was done stays in sight above the message */
			write_all("\n", 1);
			top->shown = 0;
		} else {
			blank(top);
			top->hold_until = since(&top->start) +
					  TICK_MS / 1000.0;
		}
	}
	if (last)
		silenced = 1;
	pthread_mutex_unlock(&screen_lock);
}
