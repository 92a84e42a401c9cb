#ifndef UTF8_H
#define UTF8_H

/*
 * Length of the valid UTF-8 sequence at s (at most len bytes), or 0 when
 * the bytes there are not valid UTF-8 (overlong, surrogate, beyond
 * U+10FFFF, truncated). *cp receives the code point when not NULL.
 */
size_t utf8_decode(const unsigned char *s, size_t len, uint32_t *cp);

/* 1 when all len bytes are valid UTF-8. */
int utf8_valid(const char *s, size_t len);

#endif
