#include "quire-compat.h"

static NORETURN void out_of_memory(size_t size)
{
	die("out of memory allocating %zu bytes", size);
}

void *xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (!p)
		out_of_memory(size);
	return p;
}

void *xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

	if (!p)
		out_of_memory(st_mult(nmemb, size));
	return p;
}

void *xrealloc(void *ptr, size_t size)
{
	void *p = realloc(ptr, size ? size : 1);

	if (!p)
		out_of_memory(size);
	return p;
}

char *xstrdup(const char *s)
{
	return xmemdupz(s, strlen(s));
}

char *xstrndup(const char *s, size_t len)
{
	const char *end = memchr(s, '\0', len);

	return xmemdupz(s, end ? (size_t)(end - s) : len);
}

void *xmemdupz(const void *data, size_t len)
{
	char *p = xmalloc(st_add(len, 1));

	if (len)
		memcpy(p, data, len);
	p[len] = '\0';
	return p;
}

int xsnprintf(char *dst, size_t max, const char *fmt, ...)
{
	va_list ap;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(dst, max, fmt, ap);
	va_end(ap);
	if (len < 0 || (size_t)len >= max)
		BUG("attempt to snprintf into too-small buffer");
	return len;
}

size_t st_mult(size_t a, size_t b)
{
	if (b && a > SIZE_MAX / b)
		die("size overflow: %zu * %zu", a, b);
	return a * b;
}

size_t st_add(size_t a, size_t b)
{
	if (a > SIZE_MAX - b)
		die("size overflow: %zu + %zu", a, b);
	return a + b;
}

ssize_t read_in_full(int fd, void *buf, size_t len)
{
	char *p = buf;
	size_t total = 0;

	while (total < len) {
		ssize_t n = read(fd, p + total, len - total);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (!n)
			break;
		total += n;
	}
	return total;
}

ssize_t write_in_full(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	size_t total = 0;

	while (total < len) {
		ssize_t n = write(fd, p + total, len - total);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (!n) {
			errno = ENOSPC;
			return -1;
		}
		total += n;
	}
	return total;
}

ssize_t pread_in_full(int fd, void *buf, size_t len, off_t off)
{
	char *p = buf;
	size_t total = 0;

	while (total < len) {
		ssize_t n = pread(fd, p + total, len - total, off + total);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (!n)
			break;
		total += n;
	}
	return total;
}

ssize_t pwrite_in_full(int fd, const void *buf, size_t len, off_t off)
{
	const char *p = buf;
	size_t total = 0;

	while (total < len) {
		ssize_t n = pwrite(fd, p + total, len - total, off + total);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		total += n;
	}
	return total;
}

int64_t copy_fd_max(int in, int out, uint64_t max)
{
	uint64_t done = 0;
	char *buf;
	ssize_t n = 0;

	while (done < max) {
		size_t want = max - done < (1 << 30) ? max - done : 1 << 30;

		n = copy_file_range(in, NULL, out, NULL, want, 0);
		if (n > 0) {
			done += n;
			continue;
		}
		if (!n)
			return done;
		if (done || (errno != EXDEV && errno != ENOSYS &&
			     errno != EINVAL && errno != EOPNOTSUPP &&
			     errno != EBADF))
			return -1;
		break;	/* not here: read and write */
	}
	buf = xmalloc(1 << 20);
	while (done < max) {
		size_t want = max - done < (1 << 20) ? max - done : 1 << 20;

		n = read_in_full(in, buf, want);
		if (n <= 0)
			break;
		if (write_in_full(out, buf, n) < 0) {
			n = -1;
			break;
		}
		done += n;
	}
	free(buf);
	return n < 0 ? -1 : (int64_t)done;
}

int copy_fd_all(int in, int out)
{
	return copy_fd_max(in, out, UINT64_MAX) < 0 ? -1 : 0;
}

int fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return -1;
	ret = fsync(fd);
	if (ret < 0 && (errno == EINVAL || errno == EROFS))
		ret = 0;	/* the file system cannot sync directories */
	close(fd);
	return ret;
}

int fsync_dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	int ret;

	if (!slash)
		return fsync_dir(".");
	if (slash == path)
		return fsync_dir("/");
	dir = xstrndup(path, slash - path);
	ret = fsync_dir(dir);
	free(dir);
	return ret;
}

/*
 * Make the folder buf[0..len) and, when that fails for a missing
 * parent, its parents first: the folder that already exists (the usual
 * case) costs one mkdir() and one stat(), not one mkdir() per component.
 */
static int mkdir_walk(char *buf, mode_t mode)
{
	char *slash;
	int ret;

	if (!mkdir(buf, mode) || errno == EEXIST)
		return 0;
	if (errno != ENOENT)
		return -1;
	slash = strrchr(buf, '/');
	while (slash && slash > buf && slash[-1] == '/')
		slash--;
	if (!slash || slash == buf)
		return -1;
	*slash = '\0';
	ret = mkdir_walk(buf, mode);
	*slash = '/';
	if (ret)
		return ret;
	return mkdir(buf, mode) < 0 && errno != EEXIST ? -1 : 0;
}

int mkdir_p(const char *path, mode_t mode)
{
	char *buf = xstrdup(path);
	size_t len = strlen(buf);
	struct stat st;
	int ret;

	while (len > 1 && buf[len - 1] == '/')
		buf[--len] = '\0';
	ret = mkdir_walk(buf, mode);
	if (!ret) {
		if (stat(buf, &st) < 0)
			ret = -1;
		else if (!S_ISDIR(st.st_mode)) {
			errno = ENOTDIR;
			ret = -1;
		}
	}
	free(buf);
	return ret;
}

int parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		unsigned d;

		if (*s < '0' || *s > '9')
			return -1;
		d = *s - '0';
		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

int parse_int(const char *s, int *out)
{
	uint64_t v;
	int neg = 0;

	if (*s == '-') {
		neg = 1;
		s++;
	}
	if (parse_u64(s, &v) || v > (uint64_t)INT_MAX + neg)
		return -1;
	*out = neg ? (int)-(int64_t)v : (int)v;
	return 0;
}

int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : (int)n;
}

FILE *fopen_input(const char *path, int *seekable)
{
	FILE *fp;
	struct stat st;

	fp = strcmp(path, "-") ? fopen(path, "r") : stdin;
	if (!fp)
		return NULL;
	if (fstat(fileno(fp), &st) < 0) {
		fclose_input(fp);
		return NULL;
	}
	if (S_ISDIR(st.st_mode)) {
		fclose_input(fp);
		errno = EISDIR;
		return NULL;
	}
	*seekable = S_ISREG(st.st_mode);
	return fp;
}

void fclose_input(FILE *fp)
{
	if (fp && fp != stdin)
		fclose(fp);
}
