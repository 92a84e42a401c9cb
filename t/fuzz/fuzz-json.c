#include "quire-compat.h"
#include "t/fuzz/fuzz.h"
#include "json.h"
#include "utf8.h"
#include <math.h>

/*
 * json_parse() and the two writers (canon-json.c). For an input that
 * parses:
 *  - every string and key is valid, NUL-terminated UTF-8, integers are
 *    canonical decimal text, an object's keys are unique and found by
 *    json_object_getn();
 *  - the python form (what a manifest holds) and the canonical form (what
 *    a top hash digests) both parse again; the python form of the first
 *    and both forms of the second are what they were (a fixed point);
 *  - the canonical form is printable ASCII with its keys sorted;
 *  - every double is written with the fewest significant digits that read
 *    back as it, the nearest such decimal, and does read back (sign of
 *    zero included), as Python's repr(float) does;
 *  - json_dup() gives the same text; json_equal() holds between the tree,
 *    its copy and the trees parsed back (unless a NaN is in there).
 * For an input that does not parse: err says why and *out is untouched.
 * json_parse_arena() (into a fresh arena, and into one reused after
 * clearing) accepts and refuses the same inputs with the same messages,
 * and its trees write the same bytes and are equal to json_parse()'s.
 */

static struct json_arena *arena;

static int has_nan;

/* The decimal dig[0..nd) x 10^(e - nd + 1) reads back as v. */
static int reads_back(double v, const char *dig, int nd, int e)
{
	char buf[64];

	xsnprintf(buf, sizeof(buf), "%.*se%d", nd, dig, e - nd + 1);
	return strtod(buf, NULL) == v;
}

/* v rounded to nd significant digits: the digits and their exponent. */
static int nearest_digits(double v, int nd, char *dig)
{
	char buf[64];
	const char *s;
	int n = 0;

	xsnprintf(buf, sizeof(buf), "%.*e", nd - 1, v);
	for (s = buf; *s != 'e'; s++)
		if (*s != '.')
			dig[n++] = *s;
	return (int)strtol(s + 1, NULL, 10);
}

/* The next nd-digit decimal up (or down) from dig x 10^e. */
static int step_digits(char *dig, int nd, int e, int up)
{
	int i;

	for (i = nd - 1; i >= 0; i--) {
		if (up && dig[i] == '9') {
			dig[i] = '0';
		} else if (!up && dig[i] == '0') {
			dig[i] = '9';
		} else {
			dig[i] += up ? 1 : -1;
			break;
		}
	}
	if (i < 0) {		/* 99..9 + 1: 10..0, one exponent up */
		dig[0] = '1';
		return e + 1;
	}
	if (!up && dig[0] == '0') {	/* 10..0 - 1: 99..9, one down */
		memset(dig, '9', nd);
		return e - 1;
	}
	return e;
}

/*
 * The significant digits of a number as json_format_double() writes it,
 * without leading or trailing zeros; *exp10 is the exponent of the first.
 */
static int written_digits(const char *s, char *dig, int *exp10)
{
	int nd = 0, int_digits = 0, point = 0, x = 0;

	if (*s == '-')
		s++;
	for (; *s && *s != 'e'; s++) {
		if (*s == '.') {
			point = 1;
			continue;
		}
		FUZZ_ASSERT(*s >= '0' && *s <= '9');
		FUZZ_ASSERT(nd < 40);
		dig[nd++] = *s;
		if (!point)
			int_digits++;
	}
	if (*s == 'e')
		x = (int)strtol(s + 1, NULL, 10);
	while (nd && dig[0] == '0') {
		memmove(dig, dig + 1, --nd);
		int_digits--;
	}
	while (nd && dig[nd - 1] == '0')
		nd--;
	*exp10 = int_digits - 1 + x;
	return nd;
}

/* dig x 10^e as text strtod() reads, for a comparison. */
static double decimal_value(const char *dig, int nd, int e)
{
	char buf[64];

	xsnprintf(buf, sizeof(buf), "%.*se%d", nd, dig, e - nd + 1);
	return strtod(buf, NULL);
}

/*
 * The decimal written for v (finite, > 0) is Python's repr(): the fewest
 * significant digits that read back as v, and of those the nearest to v.
 * The decimals of p digits that read back lie in an interval around v, so
 * when any does, one of the two that bracket v does: the nearest to v
 * (printf rounds exactly) and the next one on the other side of v.
 */
static void check_shortest(double v, const char *text)
{
	char got[40], near[20], other[20];
	int nd, e, ne, oe, p, below;

	nd = written_digits(text, got, &e);
	FUZZ_ASSERT(nd >= 1 && nd <= 17);
	FUZZ_ASSERT(reads_back(v, got, nd, e));

	/* one digit fewer: neither bracketing decimal reads back */
	p = nd - 1;
	if (p >= 1) {
		ne = nearest_digits(v, p, near);
		if (reads_back(v, near, p, ne)) {
			fuzz_show("written", text, strlen(text));
			FUZZ_ASSERT(!"a shorter decimal reads back");
		}
		below = decimal_value(near, p, ne) < v;
		memcpy(other, near, p);
		oe = step_digits(other, p, ne, below);
		if (reads_back(v, other, p, oe)) {
			fuzz_show("written", text, strlen(text));
			FUZZ_ASSERT(!"a shorter decimal reads back");
		}
	}

	/* as many digits: the nearest one when it reads back, else the other */
	ne = nearest_digits(v, nd, near);
	if (!reads_back(v, near, nd, ne)) {
		below = decimal_value(near, nd, ne) < v;
		ne = step_digits(near, nd, ne, below);
	}
	if (ne != e || memcmp(near, got, nd)) {
		fuzz_show("written", text, strlen(text));
		fuzz_show("nearest", near, nd);
		FUZZ_ASSERT(!"the nearest shortest decimal is written");
	}
}

static void check_float(double d)
{
	struct strbuf sb = STRBUF_INIT;
	char *end;
	double back;

	if (isnan(d)) {
		has_nan = 1;
		return;
	}
	json_format_double(&sb, d);
	back = strtod(sb.buf, &end);
	if (*end || back != d || !signbit(back) != !signbit(d)) {
		fuzz_show("double written as", sb.buf, sb.len);
		FUZZ_ASSERT(!"a double reads back as itself");
	}
	if (isfinite(d) && d != 0)
		check_shortest(fabs(d), sb.buf);
	strbuf_release(&sb);
}

static void check_int_text(const char *s, size_t len)
{
	size_t i = 0;

	FUZZ_ASSERT(len && strlen(s) == len);
	if (s[0] == '-')
		i++;
	FUZZ_ASSERT(i < len);
	FUZZ_ASSERT(s[i] != '0' || len == i + 1);
	FUZZ_ASSERT(strcmp(s, "-0"));
	for (; i < len; i++)
		FUZZ_ASSERT(s[i] >= '0' && s[i] <= '9');
}

static void check_object(const struct json *j, int sorted)
{
	const struct json_member **m;
	size_t i, nr = j->u.obj.nr;

	m = xmalloc(st_mult(nr ? nr : 1, sizeof(*m)));
	for (i = 0; i < nr; i++) {
		m[i] = &j->u.obj.m[i];
		FUZZ_ASSERT(utf8_valid(m[i]->key, m[i]->key_len));
		FUZZ_ASSERT(m[i]->key[m[i]->key_len] == '\0');
		FUZZ_ASSERT(m[i]->value);
		/* the getter is a linear search: only on small objects */
		if (nr <= 64)
			FUZZ_ASSERT(json_object_getn(j, m[i]->key,
						     m[i]->key_len) ==
				    m[i]->value);
	}
	for (i = 1; sorted && i < nr; i++)
		FUZZ_ASSERT(json_member_cmp(&m[i - 1], &m[i]) < 0);
	QSORT(m, nr, json_member_cmp);
	for (i = 1; i < nr; i++)
		FUZZ_ASSERT(json_member_cmp(&m[i - 1], &m[i]) < 0);
	free(m);
}

/* The invariants of a parsed tree; sorted: keys must be in order. */
static void check_tree(const struct json *j, int sorted)
{
	size_t i;

	switch (j->type) {
	case JSON_NULL:
	case JSON_FALSE:
	case JSON_TRUE:
		break;
	case JSON_INT:
		check_int_text(j->u.str.s, j->u.str.len);
		break;
	case JSON_FLOAT:
		check_float(j->u.num);
		break;
	case JSON_STRING:
		FUZZ_ASSERT(utf8_valid(j->u.str.s, j->u.str.len));
		FUZZ_ASSERT(j->u.str.s[j->u.str.len] == '\0');
		break;
	case JSON_ARRAY:
		for (i = 0; i < j->u.arr.nr; i++)
			check_tree(j->u.arr.v[i], sorted);
		break;
	case JSON_OBJECT:
		check_object(j, sorted);
		for (i = 0; i < j->u.obj.nr; i++)
			check_tree(j->u.obj.m[i].value, sorted);
		break;
	default:
		FUZZ_ASSERT(!"a known type");
	}
}

static void check_ascii(const struct strbuf *sb)
{
	size_t i;

	for (i = 0; i < sb->len; i++)
		FUZZ_ASSERT(sb->buf[i] >= 0x20 && sb->buf[i] < 0x7f);
}

/* Parse text that a writer produced; it must parse. */
static struct json *reparse(const struct strbuf *text, const char *what)
{
	struct strbuf err = STRBUF_INIT;
	struct json *j = NULL;

	if (json_parse(text->buf, text->len, &j, &err) < 0) {
		fuzz_show(what, text->buf, text->len);
		fuzz_show("error", err.buf, err.len);
		FUZZ_ASSERT(!"written JSON parses again");
	}
	strbuf_release(&err);
	return j;
}

static void check_round_trip(const struct json *j)
{
	struct strbuf py = STRBUF_INIT, canon = STRBUF_INIT;
	struct strbuf py2 = STRBUF_INIT, canon2 = STRBUF_INIT;
	struct json *from_py, *from_canon, *dup;

	json_write_python(&py, j);
	json_write_canonical(&canon, j);
	FUZZ_ASSERT(utf8_valid(py.buf, py.len));
	check_ascii(&canon);

	from_py = reparse(&py, "python form");
	json_write_python(&py2, from_py);
	check_same_bytes(&py, &py2, "python form is a fixed point");
	json_write_canonical(&canon2, from_py);
	check_same_bytes(&canon, &canon2,
			 "canonical form survives python form");

	from_canon = reparse(&canon, "canonical form");
	check_tree(from_canon, 1);
	strbuf_reset(&canon2);
	json_write_canonical(&canon2, from_canon);
	check_same_bytes(&canon, &canon2, "canonical form is a fixed point");

	dup = json_dup(j);
	strbuf_reset(&py2);
	json_write_python(&py2, dup);
	check_same_bytes(&py, &py2, "json_dup() copies everything");

	FUZZ_ASSERT(json_truthy(j) == json_truthy(from_py));
	FUZZ_ASSERT(json_truthy(j) == json_truthy(from_canon));
	if (!has_nan) {
		FUZZ_ASSERT(json_equal(j, dup));
		FUZZ_ASSERT(json_equal(j, from_py));
		FUZZ_ASSERT(json_equal(from_py, j));
		FUZZ_ASSERT(json_equal(j, from_canon));
	}
	json_free(from_py);
	json_free(from_canon);
	json_free(dup);
	strbuf_release(&py);
	strbuf_release(&canon);
	strbuf_release(&py2);
	strbuf_release(&canon2);
}

/* The arena parser does what json_parse() did: same answer, same tree. */
static void check_arena(const uint8_t *data, size_t size, int ret,
			const struct strbuf *err, const struct json *j)
{
	struct strbuf err2 = STRBUF_INIT, a = STRBUF_INIT, b = STRBUF_INIT;
	struct json *k = NULL;
	int round, ret2;

	if (!arena)
		arena = json_arena_new();
	for (round = 0; round < 2; round++) {
		json_arena_clear(arena);
		strbuf_reset(&err2);
		ret2 = json_parse_arena(arena, (const char *)data, size, &k,
					&err2);
		FUZZ_ASSERT(ret2 == ret);
		check_same_bytes(err, &err2, "the arena parser's message");
		if (ret2 < 0)
			continue;
		strbuf_reset(&a);
		strbuf_reset(&b);
		json_write_python(&a, j);
		json_write_python(&b, k);
		check_same_bytes(&a, &b, "the arena parser's tree");
		strbuf_reset(&a);
		strbuf_reset(&b);
		json_write_canonical(&a, j);
		json_write_canonical(&b, k);
		check_same_bytes(&a, &b, "the arena parser's tree");
		FUZZ_ASSERT(has_nan || (json_equal(j, k) && json_equal(k, j)));
	}
	strbuf_release(&err2);
	strbuf_release(&a);
	strbuf_release(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strbuf err = STRBUF_INIT;
	struct json *j = NULL;
	int ret;

	has_nan = 0;
	ret = json_parse((const char *)data, size, &j, &err);
	if (ret < 0) {
		FUZZ_ASSERT(ret == QERR_CORRUPT);
		FUZZ_ASSERT(!j);
		FUZZ_ASSERT(err.len);
		check_arena(data, size, ret, &err, NULL);
	} else {
		FUZZ_ASSERT(!ret && j && !err.len);
		check_tree(j, 0);
		check_round_trip(j);
		check_arena(data, size, ret, &err, j);
		json_free(j);
	}
	strbuf_release(&err);
	return 0;
}
