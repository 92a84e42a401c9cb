#ifndef STRBUF_H
#define STRBUF_H

/*
 * A growable byte buffer (git's rules): buf is never NULL, always ends in
 * NUL, and len is exact. The bytes may contain NUL themselves.
 */
struct strbuf {
	size_t alloc;
	size_t len;
	char *buf;
};

extern char strbuf_slopbuf[];
#define STRBUF_INIT { 0, 0, strbuf_slopbuf }

void strbuf_init(struct strbuf *sb, size_t hint);
/* Frees what is inside and leaves sb empty but usable. */
void strbuf_release(struct strbuf *sb);
/* The caller owns the returned string (free()); sb is left empty. */
char *strbuf_detach(struct strbuf *sb, size_t *len);
void strbuf_grow_slow(struct strbuf *sb, size_t extra);
/* Make room for extra more bytes (and the NUL). */
static inline void strbuf_grow(struct strbuf *sb, size_t extra)
{
	if (sb->alloc && extra < sb->alloc - sb->len)
		return;
	strbuf_grow_slow(sb, extra);
}
void strbuf_setlen(struct strbuf *sb, size_t len);
#define strbuf_reset(sb) strbuf_setlen((sb), 0)

void strbuf_add(struct strbuf *sb, const void *data, size_t len);
void strbuf_addstr(struct strbuf *sb, const char *s);
static inline void strbuf_addch(struct strbuf *sb, int c)
{
	strbuf_grow(sb, 1);
	sb->buf[sb->len++] = c;
	sb->buf[sb->len] = '\0';
}
void strbuf_addbuf(struct strbuf *sb, const struct strbuf *other);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...) PRINTF_LIKE(2, 3);
void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap);
/* Lowercase hex of len bytes. */
void strbuf_add_hex(struct strbuf *sb, const unsigned char *data, size_t len);

void strbuf_rtrim(struct strbuf *sb);
void strbuf_trim(struct strbuf *sb);

/*
 * Read one line (without its "\n") from fp. Returns 0, EOF at end of
 * input, or QERR_CORRUPT when the line is longer than max bytes (the rest
 * of that line is skipped so the next call starts on the next line).
 * *had_newline (may be NULL) says whether the line was terminated.
 */
int strbuf_getline_max(struct strbuf *sb, FILE *fp, size_t max,
		       int *had_newline);

/*
 * Append everything from fd or from the file at path, at most max bytes.
 * Return 0, -1 with errno set, or QERR_CORRUPT when longer than max.
 */
int strbuf_read_fd_max(struct strbuf *sb, int fd, size_t max);
int strbuf_read_file_max(struct strbuf *sb, const char *path, size_t max);

/* Append s, quoted in C style when it holds '"', '\\' or a control byte. */
void strbuf_add_quoted_name(struct strbuf *sb, const char *s, size_t len);

#endif
