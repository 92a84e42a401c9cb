#ifndef WRAPPER_H
#define WRAPPER_H

/*
 * Allocation wrappers die on out-of-memory; callers never check them.
 * Everything they return is freed with free().
 */
void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *ptr, size_t size);
char *xstrdup(const char *s);
/* A copy of len bytes plus a terminating NUL. */
void *xmemdupz(const void *data, size_t len);
char *xstrndup(const char *s, size_t len);
/* snprintf that BUG()s when the buffer is too small. */
int xsnprintf(char *dst, size_t max, const char *fmt, ...) PRINTF_LIKE(3, 4);

/* Multiply or add, dying on overflow. */
size_t st_mult(size_t a, size_t b);
size_t st_add(size_t a, size_t b);

/* Grow x (with alloc slots) so that at least nr items fit. */
#define ALLOC_GROW(x, nr, alloc) \
	do { \
		if ((nr) > (alloc)) { \
			if ((((alloc) + 16) * 3 / 2) < (nr)) \
				(alloc) = (nr); \
			else \
				(alloc) = ((alloc) + 16) * 3 / 2; \
			(x) = xrealloc((x), st_mult(sizeof(*(x)), (alloc))); \
		} \
	} while (0)

/*
 * Full reads and writes that retry on EINTR and short counts. They return
 * the byte count (read_in_full: less than len only at end of file) or -1
 * with errno set.
 */
ssize_t read_in_full(int fd, void *buf, size_t len);
ssize_t write_in_full(int fd, const void *buf, size_t len);
ssize_t pread_in_full(int fd, void *buf, size_t len, off_t off);
/* Write all len bytes at off; -1 with errno on failure. */
ssize_t pwrite_in_full(int fd, const void *buf, size_t len, off_t off);

/*
 * Copy everything from in (at its offset) to out: copy_file_range when
 * the kernel can, read and write otherwise. 0, or -1 with errno set.
 */
int copy_fd_all(int in, int out);
/* The same, stopping after max bytes: the count copied, or -1. */
int64_t copy_fd_max(int in, int out, uint64_t max);

/* fsync the directory that holds path (or path itself if it is one). */
int fsync_dir_of(const char *path);
int fsync_dir(const char *dir);

/* mkdir -p; returns 0 or -1 with errno set. */
int mkdir_p(const char *path, mode_t mode);

/*
 * Checked number parsing: the whole string must be a number that fits.
 * Return 0 or -1 (nothing stored on failure).
 */
int parse_u64(const char *s, uint64_t *out);
int parse_int(const char *s, int *out);

/* The value of a hex digit (either case), or -1. */
int hexval(int c);

/* The number of online CPUs, at least 1. */
int online_cpus(void);

#endif

/*
 * Open path for reading, or stdin when path is "-". *seekable says whether
 * it can be read twice. Returns NULL with errno set on failure.
 */
FILE *fopen_input(const char *path, int *seekable);
/* Close what fopen_input() opened (stdin is left open). */
void fclose_input(FILE *fp);
