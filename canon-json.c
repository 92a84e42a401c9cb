#include "quire-compat.h"
#include "json.h"
#include "utf8.h"
#include <math.h>

/*
 * The writers: the canonical form hashed into a top hash and the form
 * quilt3 writes into a manifest, both byte for byte as Python's json.dumps
 * writes them. Strings from json_parse() are always valid UTF-8; bytes
 * that are not (only possible through the constructors) are written as
 * U+FFFD, one per bad byte.
 */

static const char hex_digits[] = "0123456789abcdef";

#define R4(x) x, x, x, x
#define R16(x) R4(x), R4(x), R4(x), R4(x)

/*
 * Bytes that end a run of bytes copied as they are: control characters,
 * '"', '\\' and (in the canonical form) DEL and all non-ASCII bytes; in
 * the python style, non-ASCII bytes are only checked to be UTF-8.
 */
static const unsigned char canon_stop[256] = {
	R16(1), R16(1),					/* 0x00, 0x10 */
	0, 0, 1, 0, R4(0), R4(0), R4(0),		/* 0x20: '"' */
	R16(0), R16(0),					/* 0x30, 0x40 */
	R4(0), R4(0), R4(0), 1, 0, 0, 0,		/* 0x50: '\\' */
	R16(0),						/* 0x60 */
	R4(0), R4(0), R4(0), 0, 0, 0, 1,		/* 0x70: DEL */
	R16(1), R16(1), R16(1), R16(1),			/* 0x80 */
	R16(1), R16(1), R16(1), R16(1),
};

static const unsigned char python_stop[256] = {
	R16(1), R16(1),					/* 0x00, 0x10 */
	0, 0, 1, 0, R4(0), R4(0), R4(0),		/* 0x20: '"' */
	R16(0), R16(0),					/* 0x30, 0x40 */
	R4(0), R4(0), R4(0), 1, 0, 0, 0,		/* 0x50: '\\' */
	R16(0), R16(0),					/* 0x60, 0x70 */
	R16(1), R16(1), R16(1), R16(1),			/* 0x80 */
	R16(1), R16(1), R16(1), R16(1),
};

/*
 * Step over the bytes from s[i] that stop (canon_stop or python_stop)
 * lets through: eight at a time while a word of eight holds no '"', '\\',
 * control character, byte >= 0x80 or (with del) DEL, each test being
 * exact for "any byte of the word"; then byte by byte.
 */
static inline size_t skip_plain(const unsigned char *s, size_t i, size_t len,
				const unsigned char *stop, int del)
{
	const uint64_t ones = 0x0101010101010101ULL;
	const uint64_t highs = 0x8080808080808080ULL;

	while (len - i >= 8) {
		uint64_t w, q, b, d, t;

		memcpy(&w, s + i, 8);
		q = w ^ (ones * '"');
		b = w ^ (ones * '\\');
		d = w ^ (ones * 0x7f);
		t = ((q - ones) & ~q) | ((b - ones) & ~b) |
		    ((w - ones * 0x20) & ~w) | w;
		if (del)
			t |= (d - ones) & ~d;
		if (t & highs)
			break;
		i += 8;
	}
	while (i < len && !stop[s[i]])
		i++;
	return i;
}

/* strbuf_add() and strbuf_addch() without a call when there is room. */
static inline void put_mem(struct strbuf *out, const void *data, size_t n)
{
	if (out->alloc - out->len <= n)
		strbuf_grow(out, n);
	memcpy(out->buf + out->len, data, n);
	out->len += n;
	out->buf[out->len] = '\0';
}

static inline void put_ch(struct strbuf *out, char c)
{
	if (out->alloc - out->len <= 1)
		strbuf_grow(out, 1);
	out->buf[out->len++] = c;
	out->buf[out->len] = '\0';
}

/* The short escape of a control character, or 0 when it has none. */
static char short_escape(unsigned char c)
{
	switch (c) {
	case '\b':
		return 'b';
	case '\f':
		return 'f';
	case '\n':
		return 'n';
	case '\r':
		return 'r';
	case '\t':
		return 't';
	default:
		return 0;
	}
}

static void add_u_escape(struct strbuf *out, uint32_t c)
{
	char b[6];

	b[0] = '\\';
	b[1] = 'u';
	b[2] = hex_digits[(c >> 12) & 0xf];
	b[3] = hex_digits[(c >> 8) & 0xf];
	b[4] = hex_digits[(c >> 4) & 0xf];
	b[5] = hex_digits[c & 0xf];
	put_mem(out, b, 6);
}

/* '"', '\\' and control characters, escaped the same in both styles. */
static void add_ascii_escape(struct strbuf *out, unsigned char c)
{
	char b[2];

	b[0] = '\\';
	b[1] = short_escape(c);
	if (c == '"' || c == '\\')
		b[1] = c;
	if (b[1])
		put_mem(out, b, 2);
	else
		add_u_escape(out, c);
}

void json_write_string_canonical(struct strbuf *out, const char *str,
				 size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, run, n;
	uint32_t cp;

	strbuf_grow(out, len + 2);
	put_ch(out, '"');
	while (i < len) {
		run = i;
		i = skip_plain(s, i, len, canon_stop, 1);
		put_mem(out, s + run, i - run);
		if (i >= len)
			break;
		if (s[i] < 0x80) {
			if (s[i] == 0x7f)
				add_u_escape(out, 0x7f);
			else
				add_ascii_escape(out, s[i]);
			i++;
			continue;
		}
		n = utf8_decode(s + i, len - i, &cp);
		if (!n) {
			cp = 0xfffd;
			n = 1;
		}
		i += n;
		if (cp < 0x10000) {
			add_u_escape(out, cp);
		} else {
			cp -= 0x10000;
			add_u_escape(out, 0xd800 | (cp >> 10));
			add_u_escape(out, 0xdc00 | (cp & 0x3ff));
		}
	}
	put_ch(out, '"');
}

void json_write_string_python(struct strbuf *out, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, run, n;
	uint32_t cp;

	strbuf_grow(out, len + 2);
	put_ch(out, '"');
	while (i < len) {
		run = i;
		for (;;) {
			i = skip_plain(s, i, len, python_stop, 0);
			if (i >= len || s[i] < 0x80)
				break;
			n = utf8_decode(s + i, len - i, &cp);
			if (!n)
				break;
			i += n;
		}
		put_mem(out, s + run, i - run);
		if (i >= len)
			break;
		if (s[i] < 0x80)
			add_ascii_escape(out, s[i]);
		else
			put_mem(out, "\xef\xbf\xbd", 3);	/* U+FFFD */
		i++;
	}
	put_ch(out, '"');
}

/*
 * v (finite, > 0) rounded to p significant digits, correctly (glibc's
 * printf is exact): the digits go to dig (no point, no NUL), the decimal
 * exponent of the first digit is returned.
 */
static int round_digits(double v, int p, char *dig)
{
	char buf[40];
	const char *s = buf;
	int n = 0, e = 0, neg = 0;

	xsnprintf(buf, sizeof(buf), "%.*e", p - 1, v);
	for (; *s != 'e'; s++)
		if (*s != '.')
			dig[n++] = *s;
	s++;
	if (*s == '-')
		neg = 1;
	for (s++; *s; s++)
		e = e * 10 + (*s - '0');
	return neg ? -e : e;
}

/* Whether the decimal dig[0..nd) x 10^(e - nd + 1) reads back as v. */
static int reads_back(double v, const char *dig, int nd, int e)
{
	char buf[48];

	xsnprintf(buf, sizeof(buf), "%.*se%d", nd, dig, e - nd + 1);
	return strtod(buf, NULL) == v;
}

static const double pow10_exact[] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

/* The digits of m > 0 without its trailing zeros; their count. */
static int u64_digits(uint64_t m, char *dig, int *len)
{
	char buf[24];
	int n = 0, zeros = 0, i;

	while (m % 10 == 0) {
		m /= 10;
		zeros++;
	}
	while (m) {
		buf[n++] = '0' + m % 10;
		m /= 10;
	}
	for (i = 0; i < n; i++)
		dig[i] = buf[n - 1 - i];
	*len = n + zeros;	/* digits before the zeros were dropped */
	return n;
}

/*
 * The fast path of shortest_digits() for the common short values (0.5,
 * 1.25, 3600.0, 1e+16). The decimals with at most 15 significant digits
 * lie farther apart than a double's rounding interval is wide, so at most
 * one of them reads back as v, and when one does it is Python's answer.
 * When it exists it is m x 10^-k (or m x 10^k) with m < 10^15, and v x
 * 10^k rounds to m (the two roundings err by less than 0.25). m and 10^k
 * are exact doubles, so m / 10^k rounds correctly, as strtod() would.
 * Returns the digit count, 0 when no such decimal reads back as v, -1 when
 * v is too small or too big to tell this way.
 */
static int short_digits(double v, char *dig, int *exp10)
{
	double x;
	uint64_t m;
	int k, nd, len;

	if (v < 1e15) {
		for (k = 0; k < (int)ARRAY_SIZE(pow10_exact); k++) {
			x = v * pow10_exact[k];
			if (x >= 1e15)
				return 0;
			m = (uint64_t)(x + 0.5);
			if (m && (double)m / pow10_exact[k] == v) {
				nd = u64_digits(m, dig, &len);
				*exp10 = len - 1 - k;
				return nd;
			}
		}
		return -1;
	}
	for (k = 1; k < (int)ARRAY_SIZE(pow10_exact); k++) {
		x = v / pow10_exact[k];
		if (x >= 1e15)
			continue;
		m = (uint64_t)(x + 0.5);
		if ((double)m * pow10_exact[k] == v) {
			nd = u64_digits(m, dig, &len);
			*exp10 = len - 1 + k;
			return nd;
		}
		if (x < 1e14)
			return 0;
	}
	return -1;
}

/*
 * Python's repr() digits of v (finite, > 0): the fewest significant
 * digits that read back as v and, among those, the closest to v. The
 * p-digit decimal nearest to v gets no farther from v as p grows, so the
 * shortest p for which it reads back is found by bisection (17 digits
 * always do). When v is a power of two, the doubles below it are twice
 * as close as those above, so a shorter decimal may read back that is not
 * the nearest one: the next one up (the one above v when the nearest is
 * below; the next one down would be farther still, on the tight side).
 * Returns the number of digits (trailing zeros dropped); *exp10 is the
 * decimal exponent of the first digit.
 */
static int shortest_digits(double v, char *dig, int *exp10)
{
	char cand[20];
	int lo = 1, hi = 17, first, mid, p, e, i, nd, bits;

	nd = short_digits(v, dig, exp10);
	if (nd > 0)
		return nd;
	if (!nd)
		lo = 16;	/* none of 15 digits or fewer reads back */
	first = lo;

	nd = 0;
	while (lo < hi) {
		mid = (lo + hi) / 2;
		e = round_digits(v, mid, cand);
		if (reads_back(v, cand, mid, e)) {
			hi = mid;
			memcpy(dig, cand, mid);
			nd = mid;
			*exp10 = e;
		} else {
			lo = mid + 1;
		}
	}
	if (nd != lo) {
		nd = lo;
		*exp10 = round_digits(v, nd, dig);
	}

	if (frexp(v, &bits) == 0.5) {
		for (p = first; p < nd; p++) {
			e = round_digits(v, p, cand);
			for (i = p - 1; i >= 0 && cand[i] == '9'; i--)
				cand[i] = '0';
			if (i < 0) {
				cand[0] = '1';
				e++;
			} else {
				cand[i]++;
			}
			if (reads_back(v, cand, p, e)) {
				memcpy(dig, cand, p);
				nd = p;
				*exp10 = e;
				break;
			}
		}
	}
	while (nd > 1 && dig[nd - 1] == '0')
		nd--;
	return nd;
}

static void add_zeros(struct strbuf *out, int n)
{
	while (n-- > 0)
		put_ch(out, '0');
}

void json_format_double(struct strbuf *out, double d)
{
	char dig[20];
	int nd, e = 0;

	if (isnan(d)) {
		strbuf_addstr(out, "NaN");
		return;
	}
	if (isinf(d)) {
		strbuf_addstr(out, d > 0 ? "Infinity" : "-Infinity");
		return;
	}
	if (signbit(d))
		put_ch(out, '-');
	if (d == 0) {
		strbuf_addstr(out, "0.0");
		return;
	}
	nd = shortest_digits(fabs(d), dig, &e);
	if (e < -4 || e >= 16) {
		put_ch(out, dig[0]);
		if (nd > 1) {
			put_ch(out, '.');
			put_mem(out, dig + 1, nd - 1);
		}
		strbuf_addf(out, "e%c%02d", e < 0 ? '-' : '+', e < 0 ? -e : e);
	} else if (e < 0) {
		strbuf_addstr(out, "0.");
		add_zeros(out, -e - 1);
		put_mem(out, dig, nd);
	} else if (nd <= e + 1) {
		put_mem(out, dig, nd);
		add_zeros(out, e + 1 - nd);
		strbuf_addstr(out, ".0");
	} else {
		put_mem(out, dig, e + 1);
		put_ch(out, '.');
		put_mem(out, dig + e + 1, nd - e - 1);
	}
}

static void write_canonical_object(struct strbuf *out, const struct json *j)
{
	const struct json_member *small[32], **m = small;
	size_t i, k, nr = j->u.obj.nr;

	if (nr > ARRAY_SIZE(small))
		m = xmalloc(st_mult(nr, sizeof(*m)));
	for (i = 0; i < nr; i++)
		m[i] = &j->u.obj.m[i];
	if (nr > ARRAY_SIZE(small)) {
		qsort(m, nr, sizeof(*m), json_member_cmp);
	} else {
		for (i = 1; i < nr; i++) {
			const struct json_member *x = m[i];

			for (k = i;
			     k > 0 && json_member_cmp(&m[k - 1], &x) > 0; k--)
				m[k] = m[k - 1];
			m[k] = x;
		}
	}
	put_ch(out, '{');
	for (i = 0; i < nr; i++) {
		if (i)
			put_ch(out, ',');
		json_write_string_canonical(out, m[i]->key, m[i]->key_len);
		put_ch(out, ':');
		json_write_canonical(out, m[i]->value);
	}
	put_ch(out, '}');
	if (m != small)
		free(m);
}

void json_write_canonical(struct strbuf *out, const struct json *j)
{
	size_t i;

	switch (j->type) {
	case JSON_NULL:
		strbuf_addstr(out, "null");
		break;
	case JSON_FALSE:
		strbuf_addstr(out, "false");
		break;
	case JSON_TRUE:
		strbuf_addstr(out, "true");
		break;
	case JSON_INT:
		put_mem(out, j->u.str.s, j->u.str.len);
		break;
	case JSON_FLOAT:
		json_format_double(out, j->u.num);
		break;
	case JSON_STRING:
		json_write_string_canonical(out, j->u.str.s, j->u.str.len);
		break;
	case JSON_ARRAY:
		put_ch(out, '[');
		for (i = 0; i < j->u.arr.nr; i++) {
			if (i)
				put_ch(out, ',');
			json_write_canonical(out, j->u.arr.v[i]);
		}
		put_ch(out, ']');
		break;
	case JSON_OBJECT:
		write_canonical_object(out, j);
		break;
	}
}

void json_write_python(struct strbuf *out, const struct json *j)
{
	const struct json_member *m;
	size_t i;

	switch (j->type) {
	case JSON_ARRAY:
		put_ch(out, '[');
		for (i = 0; i < j->u.arr.nr; i++) {
			if (i)
				put_mem(out, ", ", 2);
			json_write_python(out, j->u.arr.v[i]);
		}
		put_ch(out, ']');
		break;
	case JSON_OBJECT:
		put_ch(out, '{');
		for (i = 0; i < j->u.obj.nr; i++) {
			m = &j->u.obj.m[i];
			if (i)
				put_mem(out, ", ", 2);
			json_write_string_python(out, m->key, m->key_len);
			put_mem(out, ": ", 2);
			json_write_python(out, m->value);
		}
		put_ch(out, '}');
		break;
	case JSON_STRING:
		json_write_string_python(out, j->u.str.s, j->u.str.len);
		break;
	default:
		json_write_canonical(out, j);
		break;
	}
}
