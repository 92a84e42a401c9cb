#include "quire-compat.h"
#include "strbuf.h"

char strbuf_slopbuf[1];

void strbuf_init(struct strbuf *sb, size_t hint)
{
	sb->alloc = sb->len = 0;
	sb->buf = strbuf_slopbuf;
	if (hint)
		strbuf_grow(sb, hint);
}

void strbuf_release(struct strbuf *sb)
{
	if (sb->alloc)
		free(sb->buf);
	strbuf_init(sb, 0);
}

char *strbuf_detach(struct strbuf *sb, size_t *len)
{
	char *res;

	strbuf_grow(sb, 0);
	res = sb->buf;
	if (len)
		*len = sb->len;
	strbuf_init(sb, 0);
	return res;
}

void strbuf_grow_slow(struct strbuf *sb, size_t extra)
{
	size_t need = st_add(st_add(sb->len, extra), 1);
	int new_buf = !sb->alloc;

	if (need <= sb->alloc)
		return;
	if (new_buf)
		sb->buf = NULL;
	if (need < 64)
		need = 64;
	if (sb->alloc && need < sb->alloc / 2 * 3)
		need = sb->alloc / 2 * 3;
	sb->buf = xrealloc(sb->buf, need);
	sb->alloc = need;
	if (new_buf)
		sb->buf[0] = '\0';
}

void strbuf_setlen(struct strbuf *sb, size_t len)
{
	if (len > (sb->alloc ? sb->alloc - 1 : 0))
		BUG("strbuf_setlen() beyond buffer");
	sb->len = len;
	if (sb->alloc)
		sb->buf[len] = '\0';
}

void strbuf_add(struct strbuf *sb, const void *data, size_t len)
{
	if (!len)
		return;
	strbuf_grow(sb, len);
	memcpy(sb->buf + sb->len, data, len);
	strbuf_setlen(sb, sb->len + len);
}

void strbuf_addstr(struct strbuf *sb, const char *s)
{
	strbuf_add(sb, s, strlen(s));
}

void strbuf_addbuf(struct strbuf *sb, const struct strbuf *other)
{
	strbuf_add(sb, other->buf, other->len);
}

void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
{
	va_list cp;
	int len;

	va_copy(cp, ap);
	len = vsnprintf(sb->buf + sb->len, sb->alloc ? sb->alloc - sb->len : 0,
			fmt, cp);
	va_end(cp);
	if (len < 0)
		BUG("vsnprintf failed");
	if ((size_t)len >= (sb->alloc ? sb->alloc - sb->len : 0)) {
		strbuf_grow(sb, len);
		len = vsnprintf(sb->buf + sb->len, sb->alloc - sb->len, fmt,
				ap);
	}
	strbuf_setlen(sb, sb->len + len);
}

void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(sb, fmt, ap);
	va_end(ap);
}

void strbuf_add_hex(struct strbuf *sb, const unsigned char *data, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	strbuf_grow(sb, len * 2);
	for (i = 0; i < len; i++) {
		sb->buf[sb->len++] = hex[data[i] >> 4];
		sb->buf[sb->len++] = hex[data[i] & 15];
	}
	sb->buf[sb->len] = '\0';
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

void strbuf_rtrim(struct strbuf *sb)
{
	while (sb->len && is_space(sb->buf[sb->len - 1]))
		sb->len--;
	if (sb->alloc)
		sb->buf[sb->len] = '\0';
}

void strbuf_trim(struct strbuf *sb)
{
	size_t skip = 0;

	strbuf_rtrim(sb);
	while (skip < sb->len && is_space(sb->buf[skip]))
		skip++;
	if (skip) {
		memmove(sb->buf, sb->buf + skip, sb->len - skip);
		strbuf_setlen(sb, sb->len - skip);
	}
}

/*
 * Read with fgets() into a buffer pre-filled with '\n', so the end of what
 * it read can be found even when the line holds NUL bytes: a real newline
 * is followed by fgets's NUL; after a partial read, the NUL that ends the
 * data is followed by the filler.
 */
static int read_chunk(struct strbuf *sb, FILE *fp, size_t room, int *eol)
{
	char *p = sb->buf + sb->len, *nl;

	memset(p, '\n', room);
	if (!fgets(p, (int)room, fp)) {
		*p = '\0';
		return -1;
	}
	nl = memchr(p, '\n', room);
	if (nl && nl + 1 < p + room && nl[1] == '\0') {
		*eol = 1;
		sb->len += nl - p;		/* without the newline */
	} else {
		*eol = 0;
		sb->len += (nl ? nl - p : (ptrdiff_t)room) - 1;
	}
	sb->buf[sb->len] = '\0';
	return 0;
}

int strbuf_getline_max(struct strbuf *sb, FILE *fp, size_t max,
		       int *had_newline)
{
	int eol = 0, got = 0, too_long = 0;

	strbuf_reset(sb);
	if (had_newline)
		*had_newline = 0;
	while (!eol) {
		/*
		 * read_chunk() fills all of room first: start small (most
		 * lines are short) and double, not 8 KiB for every line
		 */
		size_t room = sb->len < 256 ? 256 : sb->len;

		if (room > INT_MAX)
			room = INT_MAX;
		strbuf_grow(sb, room);
		if (read_chunk(sb, fp, room, &eol) < 0)
			break;
		got = 1;
		if (sb->len > max) {
			too_long = 1;
			strbuf_reset(sb);
		}
	}
	if (eol && had_newline)
		*had_newline = 1;
	if (too_long) {
		strbuf_reset(sb);
		return QERR_CORRUPT;
	}
	if (!got)
		return EOF;
	return 0;
}

int strbuf_read_fd_max(struct strbuf *sb, int fd, size_t max)
{
	size_t start = sb->len;

	for (;;) {
		ssize_t n;

		strbuf_grow(sb, 65536);
		n = read(fd, sb->buf + sb->len, sb->alloc - sb->len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			strbuf_setlen(sb, start);
			return -1;
		}
		if (!n)
			break;
		strbuf_setlen(sb, sb->len + n);
		if (sb->len - start > max) {
			strbuf_setlen(sb, start);
			return QERR_CORRUPT;
		}
	}
	return 0;
}

int strbuf_read_file_max(struct strbuf *sb, const char *path, size_t max)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int ret, e;

	if (fd < 0)
		return -1;
	ret = strbuf_read_fd_max(sb, fd, max);
	e = errno;
	close(fd);
	errno = e;
	return ret;
}

void strbuf_add_quoted_name(struct strbuf *sb, const char *s, size_t len)
{
	size_t i;
	int need = 0;

	for (i = 0; i < len; i++) {
		unsigned char c = s[i];

		if (c < 0x20 || c == '"' || c == '\\' || c == 0x7f)
			need = 1;
	}
	if (!need) {
		strbuf_add(sb, s, len);
		return;
	}
	strbuf_addch(sb, '"');
	for (i = 0; i < len; i++) {
		unsigned char c = s[i];

		switch (c) {
		case '"': strbuf_addstr(sb, "\\\""); break;
		case '\\': strbuf_addstr(sb, "\\\\"); break;
		case '\n': strbuf_addstr(sb, "\\n"); break;
		case '\t': strbuf_addstr(sb, "\\t"); break;
		case '\r': strbuf_addstr(sb, "\\r"); break;
		default:
			if (c < 0x20 || c == 0x7f)
				strbuf_addf(sb, "\\%03o", c);
			else
				strbuf_addch(sb, c);
		}
	}
	strbuf_addch(sb, '"');
}
