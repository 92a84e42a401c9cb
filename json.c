#include "quire-compat.h"
#include "json.h"
#include "utf8.h"
#include <float.h>
#include <math.h>

/*
 * The value tree and its parser. The parser follows Python's json.loads
 * (strict mode) byte for byte in what it accepts, except that it refuses
 * unpaired surrogates, which cannot be written back as UTF-8. Byte offsets
 * in error messages count from 0, like Python's "(char N)".
 */

/* Objects with more members than this get a hash index while parsed. */
#define SMALL_OBJECT 16

/*
 * The members and elements of the objects and arrays being parsed,
 * innermost last: a finished object or array is copied out of it in one
 * allocation of its exact size.
 */
struct parse_stack {
	struct json_member *m;
	size_t m_nr, m_alloc;
	struct json **v;
	size_t v_nr, v_alloc;
};

struct parser {
	const unsigned char *buf;
	size_t len;
	size_t pos;
	struct strbuf *err;
	struct json_arena *arena;	/* where the tree goes; NULL: malloc */
	struct parse_stack *st;
};

/*
 * An arena is a list of blocks; clearing it starts again at the first
 * one. A block bigger than the usual size (made for one big value) is
 * freed when the arena is cleared, so an arena keeps no more than its
 * high-water mark in usual blocks.
 */
#define ARENA_BLOCK ((size_t)64 << 10)

struct arena_block {
	struct arena_block *next;
	size_t size;
	/* the bytes follow at BLOCK_HEADER, aligned like malloc()'s */
};
#define BLOCK_HEADER ((sizeof(struct arena_block) + 15) & ~(size_t)15)

struct json_arena {
	struct arena_block *first, *cur;
	char *next, *end;
	struct parse_stack st;
};

static void arena_next_block(struct json_arena *a, size_t n)
{
	struct arena_block *b = a->cur ? a->cur->next : a->first;

	if (!b || b->size < n) {
		size_t size = n > ARENA_BLOCK ? n : ARENA_BLOCK;
		struct arena_block *nb = xmalloc(st_add(BLOCK_HEADER, size));

		nb->size = size;
		nb->next = b;
		if (a->cur)
			a->cur->next = nb;
		else
			a->first = nb;
		b = nb;
	}
	a->cur = b;
	a->next = (char *)b + BLOCK_HEADER;
	a->end = a->next + b->size;
}

static inline void *arena_alloc(struct json_arena *a, size_t n)
{
	char *p;

	if (n > SIZE_MAX - 8)
		die("size overflow: %zu bytes", n);
	n = (n + 7) & ~(size_t)7;
	if ((size_t)(a->end - a->next) < n)
		arena_next_block(a, n);
	p = a->next;
	a->next += n;
	return p;
}

struct json_arena *json_arena_new(void)
{
	return xcalloc(1, sizeof(struct json_arena));
}

void json_arena_clear(struct json_arena *a)
{
	struct arena_block **pb = &a->first;

	while (*pb) {
		struct arena_block *b = *pb;

		if (b->size > ARENA_BLOCK) {
			*pb = b->next;
			free(b);
		} else {
			pb = &b->next;
		}
	}
	a->cur = NULL;
	a->next = a->end = NULL;
}

void json_arena_free(struct json_arena *a)
{
	struct arena_block *b, *next;

	if (!a)
		return;
	for (b = a->first; b; b = next) {
		next = b->next;
		free(b);
	}
	free(a->st.m);
	free(a->st.v);
	free(a);
}

static inline void *parse_alloc(struct parser *p, size_t n)
{
	return p->arena ? arena_alloc(p->arena, n) : xmalloc(n);
}

static inline char *parse_strdup(struct parser *p, const void *s, size_t n)
{
	char *d = parse_alloc(p, n + 1);	/* n < the input's length */

	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

/* Drop what the parser made and no longer needs (nothing in an arena). */
static void parse_discard(struct parser *p, struct json *j, char *key)
{
	if (p->arena)
		return;
	json_free(j);
	free(key);
}

static struct json *parse_node(struct parser *p, enum json_type type)
{
	struct json *j = parse_alloc(p, sizeof(*j));

	j->type = type;
	memset(&j->u, 0, sizeof(j->u));
	return j;
}

/* A temporary hash of an object's keys: member index + 1, 0 if empty. */
struct key_index {
	size_t *slot;
	size_t size;	/* a power of 2, or 0 while not in use */
};

#define R4(x) x, x, x, x
#define R16(x) R4(x), R4(x), R4(x), R4(x)

/*
 * Bytes a string scan must stop at: control characters, '"', '\\' and
 * everything that starts or continues a multi-byte UTF-8 sequence.
 */
static const unsigned char str_stop[256] = {
	R16(1), R16(1),					/* 0x00, 0x10 */
	0, 0, 1, 0, R4(0), R4(0), R4(0),		/* 0x20: '"' */
	R16(0), R16(0),					/* 0x30, 0x40 */
	R4(0), R4(0), R4(0), 1, 0, 0, 0,		/* 0x50: '\\' */
	R16(0), R16(0),					/* 0x60, 0x70 */
	R16(1), R16(1), R16(1), R16(1),			/* 0x80 */
	R16(1), R16(1), R16(1), R16(1),
};

/*
 * Step over the bytes from s[i] that str_stop lets through, eight at a
 * time while no word of eight holds a '"', a '\\', a control character
 * or a byte >= 0x80 (each test is exact for "any byte of the word"); the
 * byte loop after it finds where exactly the run ends.
 */
static size_t skip_plain(const unsigned char *s, size_t i, size_t end)
{
	const uint64_t ones = 0x0101010101010101ULL;
	const uint64_t highs = 0x8080808080808080ULL;

	while (end - i >= 8) {
		uint64_t w, q, b;

		memcpy(&w, s + i, 8);
		q = w ^ (ones * '"');
		b = w ^ (ones * '\\');
		if ((((q - ones) & ~q) | ((b - ones) & ~b) |
		     ((w - ones * 0x20) & ~w) | w) & highs)
			break;
		i += 8;
	}
	while (i < end && !str_stop[s[i]])
		i++;
	return i;
}

static int parse_error(struct parser *p, size_t at, const char *what)
{
	strbuf_addf(p->err, "%s at byte %" PRIuMAX, what, (uintmax_t)at);
	return QERR_CORRUPT;
}

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static inline void skip_ws(struct parser *p)
{
	while (p->pos < p->len) {
		unsigned char c = p->buf[p->pos];

		if (c > ' ' ||
		    (c != ' ' && c != '\t' && c != '\n' && c != '\r'))
			break;
		p->pos++;
	}
}

/* The 4 hex digits at s as a number, or -1. */
static long hex4(const unsigned char *s)
{
	long v = 0;
	int i, h;

	for (i = 0; i < 4; i++) {
		h = hexval(s[i]);
		if (h < 0)
			return -1;
		v = (v << 4) | h;
	}
	return v;
}

/*
 * Check the escape at p->buf[*i] (a backslash) and step over it; a
 * surrogate pair is stepped over as one. Stores the code point of a \u
 * escape in *cp (or of the escaped character otherwise).
 */
static int check_escape(struct parser *p, size_t *i, uint32_t *cp)
{
	const unsigned char *s = p->buf + *i;
	size_t avail = p->len - *i;
	long hi, lo;

	if (avail < 2)
		return parse_error(p, *i, "unterminated string");
	switch (s[1]) {
	case '"':
	case '\\':
	case '/':
		*cp = s[1];
		*i += 2;
		return 0;
	case 'b':
		*cp = '\b';
		*i += 2;
		return 0;
	case 'f':
		*cp = '\f';
		*i += 2;
		return 0;
	case 'n':
		*cp = '\n';
		*i += 2;
		return 0;
	case 'r':
		*cp = '\r';
		*i += 2;
		return 0;
	case 't':
		*cp = '\t';
		*i += 2;
		return 0;
	case 'u':
		break;
	default:
		return parse_error(p, *i, "invalid escape in string");
	}
	hi = avail < 6 ? -1 : hex4(s + 2);
	if (hi < 0)
		return parse_error(p, *i, "invalid \\u escape");
	if (hi >= 0xdc00 && hi <= 0xdfff)
		return parse_error(p, *i, "unpaired surrogate in \\u escape");
	if (hi < 0xd800 || hi > 0xdbff) {
		*cp = hi;
		*i += 6;
		return 0;
	}
	if (avail < 12 || s[6] != '\\' || s[7] != 'u')
		return parse_error(p, *i, "unpaired surrogate in \\u escape");
	lo = hex4(s + 8);
	if (lo < 0)
		return parse_error(p, *i + 6, "invalid \\u escape");
	if (lo < 0xdc00 || lo > 0xdfff)
		return parse_error(p, *i, "unpaired surrogate in \\u escape");
	*cp = 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
	*i += 12;
	return 0;
}

static size_t utf8_put(char *dst, uint32_t c)
{
	if (c < 0x80) {
		dst[0] = c;
		return 1;
	}
	if (c < 0x800) {
		dst[0] = 0xc0 | (c >> 6);
		dst[1] = 0x80 | (c & 0x3f);
		return 2;
	}
	if (c < 0x10000) {
		dst[0] = 0xe0 | (c >> 12);
		dst[1] = 0x80 | ((c >> 6) & 0x3f);
		dst[2] = 0x80 | (c & 0x3f);
		return 3;
	}
	dst[0] = 0xf0 | (c >> 18);
	dst[1] = 0x80 | ((c >> 12) & 0x3f);
	dst[2] = 0x80 | ((c >> 6) & 0x3f);
	dst[3] = 0x80 | (c & 0x3f);
	return 4;
}

/*
 * Parse the string whose opening quote is at p->pos into a new NUL-
 * terminated buffer (*out, freed by the caller). A first pass finds the
 * closing quote and validates; escapes never make the text longer, so the
 * second pass decodes into one allocation of the raw length.
 */
static int parse_string(struct parser *p, char **out, size_t *out_len)
{
	const unsigned char *s = p->buf;
	size_t start = p->pos + 1, i = start, end = p->len, n;
	size_t span, o, run;
	int escapes = 0, ret;
	uint32_t cp;
	char *dst;

	for (;;) {
		unsigned char c;

		i = skip_plain(s, i, end);
		if (i >= end)
			return parse_error(p, p->pos,
					   "unterminated string starting");
		c = s[i];
		if (c == '"')
			break;
		if (c == '\\') {
			ret = check_escape(p, &i, &cp);
			if (ret < 0)
				return ret;
			escapes = 1;
			continue;
		}
		if (c < 0x20)
			return parse_error(p, i,
					   "raw control character in string");
		n = utf8_decode(s + i, end - i, &cp);
		if (!n)
			return parse_error(p, i, "invalid UTF-8");
		i += n;
	}
	span = i - start;
	p->pos = i + 1;
	if (!escapes) {
		*out = parse_strdup(p, s + start, span);
		*out_len = span;
		return 0;
	}

	dst = parse_alloc(p, st_add(span, 1));
	o = 0;
	i = start;
	while (i < start + span) {
		const unsigned char *bs = memchr(s + i, '\\', start + span - i);

		run = bs ? (size_t)(bs - s) - i : start + span - i;
		memcpy(dst + o, s + i, run);
		o += run;
		i += run;
		if (!bs)
			break;
		if (check_escape(p, &i, &cp) < 0)
			BUG("escape accepted once, refused later");
		o += utf8_put(dst + o, cp);
	}
	dst[o] = '\0';
	*out = dst;
	*out_len = o;
	return 0;
}

static struct json *new_node(enum json_type type)
{
	struct json *j = xmalloc(sizeof(*j));

	j->type = type;
	memset(&j->u, 0, sizeof(j->u));
	return j;
}

/* Match the literal word at p->pos; 1 (and step over it) if it is there. */
static int match_word(struct parser *p, const char *word)
{
	size_t n = strlen(word);

	if (p->len - p->pos < n || memcmp(p->buf + p->pos, word, n))
		return 0;
	p->pos += n;
	return 1;
}

/*
 * The double of the number text s[0..n) (its grammar checked) without
 * strtod(), in the cases where that is exact (Clinger's fast path): m x
 * 10^e with at most 15 significant digits in m (so m < 2^53) and |e| <=
 * 22. Then m and 10^|e| are exact doubles, and the one multiplication or
 * division rounds correctly, to what strtod() gives. 0 with *out set, or
 * -1: ask strtod().
 */
static int fast_double(const unsigned char *s, size_t n, double *out)
{
	static const double pow10[] = {
		1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
		1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
		1e21, 1e22,
	};
	size_t i = 0;
	uint64_t m = 0;
	int neg = 0, sig = 0, exp_neg = 0;
	long frac = 0, e = 0, x;

#if !defined(FLT_EVAL_METHOD) || FLT_EVAL_METHOD != 0
	return -1;	/* wider intermediates would round twice */
#endif
	if (s[i] == '-') {
		neg = 1;
		i++;
	}
	for (; i < n && (is_digit(s[i]) || s[i] == '.'); i++) {
		if (s[i] == '.') {
			frac = -1;
			continue;
		}
		if (frac < 0)
			frac--;
		if (m || s[i] != '0')
			sig++;
		if (sig > 15)
			return -1;
		m = m * 10 + (s[i] - '0');
	}
	if (frac < 0)
		frac = -frac - 1;	/* digits after the point */
	if (i < n) {		/* the exponent */
		i++;
		if (s[i] == '+' || s[i] == '-')
			exp_neg = s[i++] == '-';
		if (n - i > 4)
			return -1;
		for (; i < n; i++)
			e = e * 10 + (s[i] - '0');
		if (exp_neg)
			e = -e;
	}
	x = e - frac;
	if (x >= 0 && x <= 22)
		*out = (double)m * pow10[x];
	else if (x < 0 && x >= -22)
		*out = (double)m / pow10[-x];
	else
		return -1;
	if (neg)
		*out = -*out;
	return 0;
}

static int parse_number(struct parser *p, struct json **out)
{
	const unsigned char *s = p->buf;
	size_t start = p->pos, i = start, end = p->len, n;
	int is_float = 0;
	struct json *j;

	if (s[i] == '-') {
		i++;
		if (i < end && s[i] == 'I') {
			p->pos = i;
			if (!match_word(p, "Infinity"))
				return parse_error(p, start, "invalid literal");
			*out = parse_node(p, JSON_FLOAT);
			(*out)->u.num = -INFINITY;
			return 0;
		}
	}
	if (i >= end || !is_digit(s[i]))
		return parse_error(p, start, "invalid number");
	if (s[i] == '0') {
		i++;
		if (i < end && is_digit(s[i]))
			return parse_error(p, start,
					   "leading zero in number");
	} else {
		while (i < end && is_digit(s[i]))
			i++;
	}
	if (i < end && s[i] == '.') {
		i++;
		if (i >= end || !is_digit(s[i]))
			return parse_error(p, start,
					   "no digit after '.' in number");
		while (i < end && is_digit(s[i]))
			i++;
		is_float = 1;
	}
	if (i < end && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < end && (s[i] == '+' || s[i] == '-'))
			i++;
		if (i >= end || !is_digit(s[i]))
			return parse_error(p, start,
					   "no digit in exponent of number");
		while (i < end && is_digit(s[i]))
			i++;
		is_float = 1;
	}
	n = i - start;
	p->pos = i;

	if (!is_float) {
		j = parse_node(p, JSON_INT);
		if (n == 2 && s[start] == '-' && s[start + 1] == '0') {
			start++;
			n--;
		}
		j->u.str.s = parse_strdup(p, s + start, n);
		j->u.str.len = n;
	} else {
		/*
		 * The grammar is checked, so strtod() sees only digits, '.',
		 * 'e' and signs (never hex, "inf" or "nan"). It needs a NUL
		 * after the text, which buf may not have.
		 */
		char small[64], *text, *endp;

		j = parse_node(p, JSON_FLOAT);
		if (!fast_double(s + start, n, &j->u.num)) {
			*out = j;
			return 0;
		}
		text = n < sizeof(small) ? small : xmalloc(n + 1);
		memcpy(text, s + start, n);
		text[n] = '\0';
		j->u.num = strtod(text, &endp);
		if (endp != text + n)
			BUG("strtod stopped early on '%s'", text);
		if (text != small)
			free(text);
	}
	*out = j;
	return 0;
}

static int parse_value(struct parser *p, int depth, struct json **out);

static int parse_array(struct parser *p, int depth, struct json **out)
{
	struct parse_stack *st = p->st;
	size_t base = st->v_nr, i, n;
	struct json *arr, *v;
	int ret;

	if (depth > JSON_MAX_DEPTH)
		return parse_error(p, p->pos, "nesting too deep");
	p->pos++;
	skip_ws(p);
	if (p->pos < p->len && p->buf[p->pos] == ']') {
		p->pos++;
		*out = parse_node(p, JSON_ARRAY);
		return 0;
	}
	for (;;) {
		ret = parse_value(p, depth, &v);
		if (ret < 0)
			goto fail;
		ALLOC_GROW(st->v, st->v_nr + 1, st->v_alloc);
		st->v[st->v_nr++] = v;
		skip_ws(p);
		if (p->pos < p->len && p->buf[p->pos] == ',') {
			p->pos++;
			continue;
		}
		if (p->pos < p->len && p->buf[p->pos] == ']') {
			p->pos++;
			break;
		}
		ret = parse_error(p, p->pos, "expected ',' or ']'");
		goto fail;
	}
	arr = parse_node(p, JSON_ARRAY);
	n = st->v_nr - base;
	arr->u.arr.v = parse_alloc(p, st_mult(n, sizeof(*arr->u.arr.v)));
	memcpy(arr->u.arr.v, st->v + base, n * sizeof(*arr->u.arr.v));
	arr->u.arr.nr = arr->u.arr.alloc = n;
	st->v_nr = base;
	*out = arr;
	return 0;
fail:
	for (i = base; i < st->v_nr; i++)
		parse_discard(p, st->v[i], NULL);
	st->v_nr = base;
	return ret;
}

static uint64_t key_hash(const char *key, size_t len)
{
	uint64_t h = 14695981039346656037ULL;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)key[i];
		h *= 1099511628211ULL;
	}
	return h ^ (h >> 29);
}

static int key_eq(const struct json_member *m, const char *key, size_t len)
{
	return m->key_len == len && !memcmp(m->key, key, len);
}

static void index_put(struct key_index *ix, const struct json_member *m,
		      size_t idx)
{
	size_t mask = ix->size - 1;
	size_t h = key_hash(m[idx].key, m[idx].key_len) & mask;

	while (ix->slot[h])
		h = (h + 1) & mask;
	ix->slot[h] = idx + 1;
}

static void index_rebuild(struct key_index *ix, const struct json_member *m,
			  size_t nr)
{
	size_t i, want = 64;

	while (want < st_mult(nr, 2) + 2)
		want = st_mult(want, 2);
	free(ix->slot);
	ix->slot = xcalloc(want, sizeof(*ix->slot));
	ix->size = want;
	for (i = 0; i < nr; i++)
		index_put(ix, m, i);
}

/*
 * Add a parsed member to the object whose members start at st->m[base],
 * taking ownership of key and value: a repeated key keeps its first
 * position and takes the new value (Python's dict). Small objects are
 * searched linearly; bigger ones through ix.
 */
static void object_add(struct parser *p, size_t base, struct key_index *ix,
		       char *key, size_t key_len, struct json *value)
{
	struct parse_stack *st = p->st;
	struct json_member *m;
	size_t i, nr = st->m_nr - base;

	if (nr < SMALL_OBJECT) {
		for (i = 0; i < nr; i++) {
			m = &st->m[base + i];
			if (key_eq(m, key, key_len))
				goto replace;
		}
	} else {
		size_t mask, h;

		if (!ix->size)
			index_rebuild(ix, st->m + base, nr);
		mask = ix->size - 1;
		h = key_hash(key, key_len) & mask;
		while (ix->slot[h]) {
			m = &st->m[base + ix->slot[h] - 1];
			if (key_eq(m, key, key_len))
				goto replace;
			h = (h + 1) & mask;
		}
	}
	ALLOC_GROW(st->m, st->m_nr + 1, st->m_alloc);
	m = &st->m[st->m_nr++];
	m->key = key;
	m->key_len = key_len;
	m->value = value;
	if (ix->size) {
		if (st_mult(nr + 1, 2) > ix->size)
			index_rebuild(ix, st->m + base, nr + 1);
		else
			index_put(ix, st->m + base, nr);
	}
	return;
replace:
	parse_discard(p, m->value, key);
	m->value = value;
}

static int parse_object(struct parser *p, int depth, struct json **out)
{
	struct parse_stack *st = p->st;
	struct key_index ix = { NULL, 0 };
	size_t base = st->m_nr, i, n;
	struct json *obj, *v;
	char *key;
	size_t key_len;
	int ret;

	if (depth > JSON_MAX_DEPTH)
		return parse_error(p, p->pos, "nesting too deep");
	p->pos++;
	skip_ws(p);
	if (p->pos < p->len && p->buf[p->pos] == '}') {
		p->pos++;
		*out = parse_node(p, JSON_OBJECT);
		return 0;
	}
	for (;;) {
		skip_ws(p);
		if (p->pos >= p->len || p->buf[p->pos] != '"') {
			ret = parse_error(p, p->pos, "expected a string key");
			goto fail;
		}
		ret = parse_string(p, &key, &key_len);
		if (ret < 0)
			goto fail;
		skip_ws(p);
		if (p->pos >= p->len || p->buf[p->pos] != ':') {
			parse_discard(p, NULL, key);
			ret = parse_error(p, p->pos, "expected ':'");
			goto fail;
		}
		p->pos++;
		ret = parse_value(p, depth, &v);
		if (ret < 0) {
			parse_discard(p, NULL, key);
			goto fail;
		}
		object_add(p, base, &ix, key, key_len, v);
		skip_ws(p);
		if (p->pos < p->len && p->buf[p->pos] == ',') {
			p->pos++;
			continue;
		}
		if (p->pos < p->len && p->buf[p->pos] == '}') {
			p->pos++;
			break;
		}
		ret = parse_error(p, p->pos, "expected ',' or '}'");
		goto fail;
	}
	free(ix.slot);
	obj = parse_node(p, JSON_OBJECT);
	n = st->m_nr - base;
	obj->u.obj.m = parse_alloc(p, st_mult(n, sizeof(*obj->u.obj.m)));
	memcpy(obj->u.obj.m, st->m + base, n * sizeof(*obj->u.obj.m));
	obj->u.obj.nr = obj->u.obj.alloc = n;
	st->m_nr = base;
	*out = obj;
	return 0;
fail:
	free(ix.slot);
	for (i = base; i < st->m_nr; i++)
		parse_discard(p, st->m[i].value, st->m[i].key);
	st->m_nr = base;
	return ret;
}

/* A literal word: null, true, false, NaN, Infinity. */
static int parse_literal(struct parser *p, const char *word,
			 enum json_type type, double num, struct json **out)
{
	if (!match_word(p, word))
		return parse_error(p, p->pos, "invalid literal");
	*out = parse_node(p, type);
	if (type == JSON_FLOAT)
		(*out)->u.num = num;
	return 0;
}

static int parse_value(struct parser *p, int depth, struct json **out)
{
	struct json *j;
	char *s;
	size_t len;
	int ret;

	skip_ws(p);
	if (p->pos >= p->len)
		return parse_error(p, p->pos, "expected a value");
	switch (p->buf[p->pos]) {
	case '{':
		return parse_object(p, depth + 1, out);
	case '[':
		return parse_array(p, depth + 1, out);
	case '"':
		ret = parse_string(p, &s, &len);
		if (ret < 0)
			return ret;
		j = parse_node(p, JSON_STRING);
		j->u.str.s = s;
		j->u.str.len = len;
		*out = j;
		return 0;
	case 'n':
		return parse_literal(p, "null", JSON_NULL, 0, out);
	case 't':
		return parse_literal(p, "true", JSON_TRUE, 0, out);
	case 'f':
		return parse_literal(p, "false", JSON_FALSE, 0, out);
	case 'N':
		return parse_literal(p, "NaN", JSON_FLOAT, NAN, out);
	case 'I':
		return parse_literal(p, "Infinity", JSON_FLOAT, INFINITY,
				     out);
	case '-':
	case '0': case '1': case '2': case '3': case '4':
	case '5': case '6': case '7': case '8': case '9':
		return parse_number(p, out);
	default:
		if (p->len - p->pos >= 3 && !memcmp(p->buf + p->pos,
						     "\xef\xbb\xbf", 3))
			return parse_error(p, p->pos,
					   "unexpected UTF-8 byte order mark");
		return parse_error(p, p->pos, "expected a value");
	}
}

static int parse_text(struct parser *p, struct json **out)
{
	struct json *j;
	int ret = parse_value(p, 0, &j);

	if (ret < 0)
		return ret;
	skip_ws(p);
	if (p->pos < p->len) {
		parse_discard(p, j, NULL);
		return parse_error(p, p->pos, "extra data after the value");
	}
	*out = j;
	return 0;
}

int json_parse(const char *buf, size_t len, struct json **out,
	       struct strbuf *err)
{
	struct parse_stack st = { NULL, 0, 0, NULL, 0, 0 };
	struct parser p;
	int ret;

	p.buf = (const unsigned char *)buf;
	p.len = len;
	p.pos = 0;
	p.err = err;
	p.arena = NULL;
	p.st = &st;
	ret = parse_text(&p, out);
	free(st.m);
	free(st.v);
	return ret;
}

int json_parse_arena(struct json_arena *a, const char *buf, size_t len,
		     struct json **out, struct strbuf *err)
{
	struct parser p;

	p.buf = (const unsigned char *)buf;
	p.len = len;
	p.pos = 0;
	p.err = err;
	p.arena = a;
	p.st = &a->st;
	return parse_text(&p, out);
}

void json_free(struct json *j)
{
	size_t i;

	if (!j)
		return;
	switch (j->type) {
	case JSON_INT:
	case JSON_STRING:
		free(j->u.str.s);
		break;
	case JSON_ARRAY:
		for (i = 0; i < j->u.arr.nr; i++)
			json_free(j->u.arr.v[i]);
		free(j->u.arr.v);
		break;
	case JSON_OBJECT:
		for (i = 0; i < j->u.obj.nr; i++) {
			free(j->u.obj.m[i].key);
			json_free(j->u.obj.m[i].value);
		}
		free(j->u.obj.m);
		break;
	default:
		break;
	}
	free(j);
}

struct json *json_new_null(void)
{
	return new_node(JSON_NULL);
}

struct json *json_new_bool(int value)
{
	return new_node(value ? JSON_TRUE : JSON_FALSE);
}

struct json *json_new_string(const char *s, size_t len)
{
	struct json *j = new_node(JSON_STRING);

	j->u.str.s = xmemdupz(s, len);
	j->u.str.len = len;
	return j;
}

static struct json *new_int_text(const char *text)
{
	struct json *j = new_node(JSON_INT);

	j->u.str.len = strlen(text);
	j->u.str.s = xmemdupz(text, j->u.str.len);
	return j;
}

struct json *json_new_int(int64_t value)
{
	char buf[32];

	xsnprintf(buf, sizeof(buf), "%" PRId64, value);
	return new_int_text(buf);
}

struct json *json_new_uint(uint64_t value)
{
	char buf[32];

	xsnprintf(buf, sizeof(buf), "%" PRIu64, value);
	return new_int_text(buf);
}

struct json *json_new_float(double value)
{
	struct json *j = new_node(JSON_FLOAT);

	j->u.num = value;
	return j;
}

struct json *json_new_array(void)
{
	return new_node(JSON_ARRAY);
}

struct json *json_new_object(void)
{
	return new_node(JSON_OBJECT);
}

struct json *json_dup(const struct json *j)
{
	struct json *d;
	size_t i, nr;

	if (!j)
		return NULL;
	d = new_node(j->type);
	switch (j->type) {
	case JSON_INT:
	case JSON_STRING:
		d->u.str.s = xmemdupz(j->u.str.s, j->u.str.len);
		d->u.str.len = j->u.str.len;
		break;
	case JSON_FLOAT:
		d->u.num = j->u.num;
		break;
	case JSON_ARRAY:
		nr = j->u.arr.nr;
		if (!nr)
			break;
		d->u.arr.v = xmalloc(st_mult(nr, sizeof(*d->u.arr.v)));
		for (i = 0; i < nr; i++)
			d->u.arr.v[i] = json_dup(j->u.arr.v[i]);
		d->u.arr.nr = d->u.arr.alloc = nr;
		break;
	case JSON_OBJECT:
		nr = j->u.obj.nr;
		if (!nr)
			break;
		d->u.obj.m = xmalloc(st_mult(nr, sizeof(*d->u.obj.m)));
		for (i = 0; i < nr; i++) {
			const struct json_member *m = &j->u.obj.m[i];

			d->u.obj.m[i].key = xmemdupz(m->key, m->key_len);
			d->u.obj.m[i].key_len = m->key_len;
			d->u.obj.m[i].value = json_dup(m->value);
		}
		d->u.obj.nr = d->u.obj.alloc = nr;
		break;
	default:
		break;
	}
	return d;
}

void json_array_append(struct json *arr, struct json *value)
{
	if (arr->type != JSON_ARRAY)
		BUG("json_array_append() on a non-array");
	ALLOC_GROW(arr->u.arr.v, arr->u.arr.nr + 1, arr->u.arr.alloc);
	arr->u.arr.v[arr->u.arr.nr++] = value;
}

static struct json_member *find_member(const struct json *obj,
				       const char *key, size_t key_len)
{
	size_t i;

	if (!obj || obj->type != JSON_OBJECT)
		return NULL;
	for (i = 0; i < obj->u.obj.nr; i++)
		if (key_eq(&obj->u.obj.m[i], key, key_len))
			return &obj->u.obj.m[i];
	return NULL;
}

void json_object_set(struct json *obj, const char *key, size_t key_len,
		     struct json *value)
{
	struct json_member *m;

	if (obj->type != JSON_OBJECT)
		BUG("json_object_set() on a non-object");
	m = find_member(obj, key, key_len);
	if (m) {
		json_free(m->value);
		m->value = value;
		return;
	}
	ALLOC_GROW(obj->u.obj.m, obj->u.obj.nr + 1, obj->u.obj.alloc);
	m = &obj->u.obj.m[obj->u.obj.nr++];
	m->key = xmemdupz(key, key_len);
	m->key_len = key_len;
	m->value = value;
}

/* Both getters also answer NULL when obj is NULL or not an object. */
struct json *json_object_get(const struct json *obj, const char *key)
{
	return json_object_getn(obj, key, strlen(key));
}

struct json *json_object_getn(const struct json *obj, const char *key,
			      size_t key_len)
{
	struct json_member *m = find_member(obj, key, key_len);

	return m ? m->value : NULL;
}

int json_object_remove(struct json *obj, const char *key)
{
	struct json_member *m = find_member(obj, key, strlen(key));
	size_t i;

	if (!m)
		return 0;
	i = m - obj->u.obj.m;
	free(m->key);
	json_free(m->value);
	memmove(m, m + 1, (obj->u.obj.nr - i - 1) * sizeof(*m));
	obj->u.obj.nr--;
	return 1;
}

int json_truthy(const struct json *j)
{
	if (!j)
		return 0;
	switch (j->type) {
	case JSON_NULL:
	case JSON_FALSE:
		return 0;
	case JSON_TRUE:
		return 1;
	case JSON_INT:
		return strcmp(j->u.str.s, "0") != 0;
	case JSON_FLOAT:
		return j->u.num != 0;	/* NaN is true, as in Python */
	case JSON_STRING:
		return j->u.str.len != 0;
	case JSON_ARRAY:
		return j->u.arr.nr != 0;
	case JSON_OBJECT:
		return j->u.obj.nr != 0;
	}
	return 0;
}

/*
 * Whether the integer text equals the double exactly. A double that
 * holds an integer prints exactly with "%.0f" (glibc prints the exact
 * value), so compare the texts; strtod() rejects most cases cheaply.
 */
static int int_equals_double(const char *text, double d)
{
	struct strbuf sb = STRBUF_INIT;
	int eq;

	if (!isfinite(d) || d != floor(d))
		return 0;
	if (d == 0)
		return !strcmp(text, "0");
	if (strtod(text, NULL) != d)
		return 0;
	strbuf_addf(&sb, "%.0f", d);
	eq = !strcmp(sb.buf, text);
	strbuf_release(&sb);
	return eq;
}

/* In Python, False == 0 and True == 1 (and 1.0). */
static const char *number_text(const struct json *j)
{
	switch (j->type) {
	case JSON_FALSE:
		return "0";
	case JSON_TRUE:
		return "1";
	case JSON_INT:
		return j->u.str.s;
	default:
		return NULL;
	}
}

int json_member_cmp(const void *a, const void *b)
{
	const struct json_member *x = *(const struct json_member *const *)a;
	const struct json_member *y = *(const struct json_member *const *)b;
	size_t n = x->key_len < y->key_len ? x->key_len : y->key_len;
	int r = memcmp(x->key, y->key, n);

	if (r)
		return r;
	return x->key_len < y->key_len ? -1 : x->key_len > y->key_len;
}

static int objects_equal(const struct json *a, const struct json *b)
{
	const struct json_member **sa, **sb;
	size_t i, nr = a->u.obj.nr;
	int eq = 1;

	if (nr != b->u.obj.nr)
		return 0;
	/* the same keys in the same order (the usual case): pairwise */
	for (i = 0; i < nr; i++) {
		const struct json_member *x = &a->u.obj.m[i];

		if (!key_eq(&b->u.obj.m[i], x->key, x->key_len))
			break;
	}
	if (i == nr) {
		for (i = 0; i < nr; i++)
			if (!json_equal(a->u.obj.m[i].value,
					b->u.obj.m[i].value))
				return 0;
		return 1;
	}
	if (nr <= SMALL_OBJECT) {
		for (i = 0; i < nr; i++) {
			const struct json_member *m = &a->u.obj.m[i];
			const struct json *other;

			other = json_object_getn(b, m->key, m->key_len);
			if (!other || !json_equal(m->value, other))
				return 0;
		}
		return 1;
	}
	/* Keys are unique in each object: compare them sorted. */
	sa = xmalloc(st_mult(nr, sizeof(*sa)));
	sb = xmalloc(st_mult(nr, sizeof(*sb)));
	for (i = 0; i < nr; i++) {
		sa[i] = &a->u.obj.m[i];
		sb[i] = &b->u.obj.m[i];
	}
	qsort(sa, nr, sizeof(*sa), json_member_cmp);
	qsort(sb, nr, sizeof(*sb), json_member_cmp);
	for (i = 0; eq && i < nr; i++)
		eq = !json_member_cmp(&sa[i], &sb[i]) &&
		     json_equal(sa[i]->value, sb[i]->value);
	free(sa);
	free(sb);
	return eq;
}

int json_equal(const struct json *a, const struct json *b)
{
	const char *ta, *tb;
	size_t i;

	if (!a || !b)
		return a == b;
	ta = number_text(a);
	tb = number_text(b);
	if (ta && tb)
		return !strcmp(ta, tb);
	if (ta && b->type == JSON_FLOAT)
		return int_equals_double(ta, b->u.num);
	if (tb && a->type == JSON_FLOAT)
		return int_equals_double(tb, a->u.num);
	if (a->type != b->type)
		return 0;
	switch (a->type) {
	case JSON_NULL:
		return 1;
	case JSON_FLOAT:
		return a->u.num == b->u.num;
	case JSON_STRING:
		return a->u.str.len == b->u.str.len &&
		       !memcmp(a->u.str.s, b->u.str.s, a->u.str.len);
	case JSON_ARRAY:
		if (a->u.arr.nr != b->u.arr.nr)
			return 0;
		for (i = 0; i < a->u.arr.nr; i++)
			if (!json_equal(a->u.arr.v[i], b->u.arr.v[i]))
				return 0;
		return 1;
	case JSON_OBJECT:
		return objects_equal(a, b);
	default:
		return 0;
	}
}

const struct json *json_member_of(const struct json *obj, const char *key,
				  enum json_type type)
{
	const struct json *v = obj && obj->type == JSON_OBJECT ?
			       json_object_get(obj, key) : NULL;

	return v && v->type == type ? v : NULL;
}

const char *json_string_of(const struct json *obj, const char *key)
{
	const struct json *v = json_member_of(obj, key, JSON_STRING);

	return v ? v->u.str.s : NULL;
}
