/*
 * crash.so: kill the process at a chosen file operation, for the crash
 * tests (t/lib-crash.sh). Loaded with LD_PRELOAD into quire; never part
 * of quire itself.
 *
 *	QUIRE_CRASH_AT=N	the Nth operation (counting from 1) kills the
 *				process with SIGKILL, as a power cut or the
 *				OOM killer would: no cleanup runs
 *	QUIRE_CRASH_WHEN=after	kill just after the operation instead of
 *				just before it
 *	QUIRE_CRASH_OPS=LIST	which operations count (comma-separated:
 *				write, rename, link, unlink, fsync, mkdir;
 *				default all)
 *	QUIRE_CRASH_COUNT=FILE	at a normal exit, write how many operations
 *				counted to FILE (to choose N)
 *
 * Operations: write, pwrite (write); rename, renameat, renameat2
 * (rename); link, linkat (link); unlink, unlinkat (unlink); fsync,
 * fdatasync, syncfs (fsync); mkdir, mkdirat (mkdir). Writes to standard
 * output and standard error do not count.
 */
#define _GNU_SOURCE 1
#include <dlfcn.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

static long crash_at = -1;
static int after;
static unsigned mask = ~0u;
static long counted;
static const char *count_file;

enum op { OP_WRITE = 1, OP_RENAME = 2, OP_LINK = 4, OP_UNLINK = 8,
	  OP_FSYNC = 16, OP_MKDIR = 32 };

static unsigned op_bit(const char *name, size_t len)
{
	static const struct { const char *name; unsigned bit; } ops[] = {
		{ "write", OP_WRITE }, { "rename", OP_RENAME },
		{ "link", OP_LINK }, { "unlink", OP_UNLINK },
		{ "fsync", OP_FSYNC }, { "mkdir", OP_MKDIR },
	};
	size_t i;

	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (strlen(ops[i].name) == len &&
		    !strncmp(ops[i].name, name, len))
			return ops[i].bit;
	return 0;
}

static void save_count(void)
{
	FILE *fp = count_file ? fopen(count_file, "w") : NULL;

	if (fp) {
		fprintf(fp, "%ld\n", counted);
		fclose(fp);
	}
}

__attribute__((constructor)) static void setup(void)
{
	const char *at = getenv("QUIRE_CRASH_AT");
	const char *when = getenv("QUIRE_CRASH_WHEN");
	const char *ops = getenv("QUIRE_CRASH_OPS");

	if (at && *at)
		crash_at = atol(at);
	after = when && !strcmp(when, "after");
	if (ops && *ops) {
		mask = 0;
		while (*ops) {
			size_t len = strcspn(ops, ",");

			mask |= op_bit(ops, len);
			ops += len + (ops[len] == ',');
		}
	}
	count_file = getenv("QUIRE_CRASH_COUNT");
	if (count_file && *count_file)
		atexit(save_count);
}

/* Count op; 1 when it is the one to crash at. */
static int hit(unsigned op)
{
	long n;

	if (!(mask & op))
		return 0;
	n = __atomic_add_fetch(&counted, 1, __ATOMIC_SEQ_CST);
	return n == crash_at;
}

static void die_now(void)
{
	kill(getpid(), SIGKILL);
	for (;;)
		pause();
}

#define REAL(name) \
	static __typeof__(name) *real; \
	if (!real) \
		real = (__typeof__(name) *)dlsym(RTLD_NEXT, #name)

#define AROUND(op, call) \
	do { \
		int crash = hit(op); \
		__typeof__(call) r; \
		if (crash && !after) \
			die_now(); \
		r = call; \
		if (crash) \
			die_now(); \
		return r; \
	} while (0)

ssize_t write(int fd, const void *buf, size_t n)
{
	REAL(write);
	if (fd <= 2)
		return real(fd, buf, n);
	AROUND(OP_WRITE, real(fd, buf, n));
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
	REAL(pwrite);
	AROUND(OP_WRITE, real(fd, buf, n, off));
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off)
{
	REAL(pwrite64);
	AROUND(OP_WRITE, real(fd, buf, n, off));
}

ssize_t copy_file_range(int in, off_t *in_off, int out, off_t *out_off,
			size_t len, unsigned flags)
{
	REAL(copy_file_range);
	AROUND(OP_WRITE, real(in, in_off, out, out_off, len, flags));
}

int rename(const char *a, const char *b)
{
	REAL(rename);
	AROUND(OP_RENAME, real(a, b));
}

int renameat(int da, const char *a, int db, const char *b)
{
	REAL(renameat);
	AROUND(OP_RENAME, real(da, a, db, b));
}

int renameat2(int da, const char *a, int db, const char *b, unsigned fl)
{
	REAL(renameat2);
	AROUND(OP_RENAME, real(da, a, db, b, fl));
}

int link(const char *a, const char *b)
{
	REAL(link);
	AROUND(OP_LINK, real(a, b));
}

int linkat(int da, const char *a, int db, const char *b, int fl)
{
	REAL(linkat);
	AROUND(OP_LINK, real(da, a, db, b, fl));
}

int unlink(const char *p)
{
	REAL(unlink);
	AROUND(OP_UNLINK, real(p));
}

int unlinkat(int d, const char *p, int fl)
{
	REAL(unlinkat);
	AROUND(OP_UNLINK, real(d, p, fl));
}

int fsync(int fd)
{
	REAL(fsync);
	AROUND(OP_FSYNC, real(fd));
}

int fdatasync(int fd)
{
	REAL(fdatasync);
	AROUND(OP_FSYNC, real(fd));
}

int syncfs(int fd)
{
	REAL(syncfs);
	AROUND(OP_FSYNC, real(fd));
}

int mkdir(const char *p, mode_t m)
{
	REAL(mkdir);
	AROUND(OP_MKDIR, real(p, m));
}

int mkdirat(int d, const char *p, mode_t m)
{
	REAL(mkdirat);
	AROUND(OP_MKDIR, real(d, p, m));
}
