#include "quire-compat.h"
#include "t/unit-tests/unit-test.h"
#include "json.h"
#include <math.h>

/*
 * The expected strings come from Python 3's json.dumps (canonical:
 * sort_keys=True, separators=(',', ':'); python: ensure_ascii=False)
 * and repr(float).
 */

static struct strbuf out = STRBUF_INIT;
static struct strbuf err = STRBUF_INIT;

/* The canonical encoding of the JSON text in[0..len), or "error". */
static const char *canon_n(const char *in, size_t len)
{
	struct json *j = NULL;

	strbuf_reset(&out);
	strbuf_reset(&err);
	if (json_parse(in, len, &j, &err) < 0) {
		if (j)
			return "error: *out was written";
		if (!err.len)
			return "error: no message";
		return "error";
	}
	json_write_canonical(&out, j);
	json_free(j);
	return out.buf;
}

static const char *canon(const char *in)
{
	return canon_n(in, strlen(in));
}

/* The python-style encoding of in, or "error". */
static const char *py(const char *in)
{
	struct json *j = NULL;

	strbuf_reset(&out);
	strbuf_reset(&err);
	if (json_parse(in, strlen(in), &j, &err) < 0)
		return "error";
	json_write_python(&out, j);
	json_free(j);
	return out.buf;
}

static const char *fmt(double d)
{
	strbuf_reset(&out);
	json_format_double(&out, d);
	return out.buf;
}

static struct json *parse(const char *in)
{
	struct json *j = NULL;

	strbuf_reset(&err);
	if (json_parse(in, strlen(in), &j, &err) < 0)
		return NULL;
	return j;
}

static void test_floats(void)
{
	check_str(fmt(0.1), "0.1");
	check_str(fmt(1.0), "1.0");
	check_str(fmt(1e16), "1e+16");
	check_str(fmt(1e-05), "1e-05");
	check_str(fmt(1e-4), "0.0001");
	check_str(fmt(0.0001), "0.0001");
	check_str(fmt(1.2345678901234568e+17), "1.2345678901234568e+17");
	check_str(fmt(123456789012345680.0), "1.2345678901234568e+17");
	check_str(fmt(-0.0), "-0.0");
	check_str(fmt(0.0), "0.0");
	check_str(fmt(5e-324), "5e-324");
	check_str(fmt(ldexp(1, -1074)), "5e-324");
	check_str(fmt(ldexp(1, -1073)), "1e-323");
	check_str(fmt(ldexp(1, -1022)), "2.2250738585072014e-308");
	check_str(fmt(ldexp(1, 54)), "1.8014398509481984e+16");
	check_str(fmt(ldexp(1, 63)), "9.223372036854776e+18");
	check_str(fmt(ldexp(1, 1023)), "8.98846567431158e+307");
	check_str(fmt(1.7976931348623157e308), "1.7976931348623157e+308");
	check_str(fmt(1e22), "1e+22");
	check_str(fmt(1e23), "1e+23");
	check_str(fmt(100000.0), "100000.0");
	check_str(fmt(1234567890123456.0), "1234567890123456.0");
	check_str(fmt(9007199254740993.0), "9007199254740992.0");
	check_str(fmt(0.1 + 0.2), "0.30000000000000004");
	check_str(fmt(-1.5), "-1.5");
	check_str(fmt(1125899906842624.25), "1125899906842624.2");
	check_str(fmt(1125899906842624.75), "1125899906842624.8");
	check_str(fmt(NAN), "NaN");
	check_str(fmt(INFINITY), "Infinity");
	check_str(fmt(-INFINITY), "-Infinity");

	check_str(canon("1E400"), "Infinity");
	check_str(canon("-1e400"), "-Infinity");
	check_str(canon("1e-400"), "0.0");
	check_str(canon("-1e-400"), "-0.0");
	check_str(canon("[NaN, Infinity, -Infinity]"),
		  "[NaN,Infinity,-Infinity]");
	check_str(canon("-0.0"), "-0.0");
	check_str(canon("1.0e2"), "100.0");
	check_str(canon("1E+2"), "100.0");
	check_str(canon("0.5e-3"), "0.0005");
	check_str(canon("0.1000000000000000055511151231257827"), "0.1");
}

static void test_ints(void)
{
	struct json *j;

	check_str(canon("1180591620717411303424"), "1180591620717411303424");
	check_str(canon("-1180591620717411303424"),
		  "-1180591620717411303424");
	check_str(canon("-0"), "0");
	check_str(canon("0"), "0");
	check_str(canon(" 42 "), "42");
	j = json_new_int(INT64_MIN);
	strbuf_reset(&out);
	json_write_canonical(&out, j);
	check_str(out.buf, "-9223372036854775808");
	json_free(j);
	j = json_new_uint(UINT64_MAX);
	strbuf_reset(&out);
	json_write_canonical(&out, j);
	check_str(out.buf, "18446744073709551615");
	json_free(j);
}

static void test_escapes(void)
{
	struct strbuf in = STRBUF_INIT, want = STRBUF_INIT;
	int c;

	for (c = 0; c < 0x20; c++) {
		const char *shortesc = NULL;

		strbuf_reset(&in);
		strbuf_reset(&want);
		switch (c) {
		case '\b':
			shortesc = "\\b";
			break;
		case '\f':
			shortesc = "\\f";
			break;
		case '\n':
			shortesc = "\\n";
			break;
		case '\r':
			shortesc = "\\r";
			break;
		case '\t':
			shortesc = "\\t";
			break;
		}
		strbuf_addf(&in, "\"x\\u%04Xy\"", c);
		if (shortesc)
			strbuf_addf(&want, "\"x%sy\"", shortesc);
		else
			strbuf_addf(&want, "\"x\\u%04xy\"", c);
		if (!check_str(canon(in.buf), want.buf))
			printf("# control character %d\n", c);
		if (!check_str(py(in.buf), want.buf))
			printf("# control character %d\n", c);
	}
	strbuf_release(&in);
	strbuf_release(&want);

	check_str(canon("\"a\\\"b\\\\c\\/d/\""), "\"a\\\"b\\\\c/d/\"");
	check_str(py("\"a\\\"b\\\\c\\/d/\""), "\"a\\\"b\\\\c/d/\"");
	check_str(canon("\"\x7f\""), "\"\\u007f\"");
	check_str(py("\"\x7f\""), "\"\x7f\"");
	check_str(canon("\"\xc2\x85\""), "\"\\u0085\"");
	check_str(py("\"\\u0085\""), "\"\xc2\x85\"");
	check_str(canon("\"\xc3\xa9\""), "\"\\u00e9\"");
	check_str(py("\"\\u00E9\""), "\"\xc3\xa9\"");
	check_str(canon("\"\xf0\x9f\x98\x80\""), "\"\\ud83d\\ude00\"");
	check_str(canon("\"\\uD83D\\uDE00\""), "\"\\ud83d\\ude00\"");
	check_str(py("\"\\ud83d\\ude00\""), "\"\xf0\x9f\x98\x80\"");
	check_str(canon("\"\xef\xbf\xbf\xf4\x8f\xbf\xbf\""),
		  "\"\\uffff\\udbff\\udfff\"");
	check_str(canon("\"a\\u0000b\""), "\"a\\u0000b\"");
	check_str(py("\"a\\u0000b\""), "\"a\\u0000b\"");

	/* The NUL is kept inside a counted string. */
	{
		struct json *j = parse("[\"a\\u0000b\", \"\\u00e9\\t\"]");

		check(j && j->u.arr.nr == 2);
		if (j && j->u.arr.nr == 2) {
			check(j->u.arr.v[0]->u.str.len == 3);
			check(!memcmp(j->u.arr.v[0]->u.str.s, "a\0b", 4));
			check(j->u.arr.v[1]->u.str.len == 3);
			check(!strcmp(j->u.arr.v[1]->u.str.s, "\xc3\xa9\t"));
		}
		json_free(j);
	}
	strbuf_reset(&out);
	json_write_string_canonical(&out, "q\0\xe2\x82\xac", 5);
	check_str(out.buf, "\"q\\u0000\\u20ac\"");
	strbuf_reset(&out);
	json_write_string_python(&out, "q\0\xe2\x82\xac", 5);
	check_str(out.buf, "\"q\\u0000\xe2\x82\xac\"");
	/* Bytes that are not UTF-8 (only from constructors) become U+FFFD. */
	strbuf_reset(&out);
	json_write_string_canonical(&out, "a\xff", 2);
	check_str(out.buf, "\"a\\ufffd\"");
	strbuf_reset(&out);
	json_write_string_python(&out, "a\xe2\x82", 3);
	check_str(out.buf, "\"a\xef\xbf\xbd\xef\xbf\xbd\"");
}

static void test_containers(void)
{
	check_str(py("[]"), "[]");
	check_str(py("{}"), "{}");
	check_str(py(" [ 1 ,2,\t[ ], { } ] "), "[1, 2, [], {}]");
	check_str(py("{\"b\":1,\"a\":{\"y\":true,\"x\":null}}"),
		  "{\"b\": 1, \"a\": {\"y\": true, \"x\": null}}");
	check_str(canon("{\"b\":1,\"a\":{\"y\":true,\"x\":null}}"),
		  "{\"a\":{\"x\":null,\"y\":true},\"b\":1}");
	check_str(canon("[false, {\"k\": [1.5, \"s\"]}]"),
		  "[false,{\"k\":[1.5,\"s\"]}]");

	/* Code point order, shorter first on a common prefix. */
	check_str(canon("{\"z\":1,\"\xc3\xa9\":2,\"\xf0\x9f\x98\x80\":3,"
			"\"\\uffff\":4,\"a\":5,\"a\\u0000\":6,\"A\":7}"),
		  "{\"A\":7,\"a\":5,\"a\\u0000\":6,\"z\":1,\"\\u00e9\":2,"
		  "\"\\uffff\":4,\"\\ud83d\\ude00\":3}");

	/* Duplicate keys: position of the first, value of the last. */
	check_str(py("{\"a\":1,\"b\":2,\"a\":3}"), "{\"a\": 3, \"b\": 2}");
	check_str(py("{\"a\":[1],\"a\":{\"x\":1},\"b\":0,\"a\":null}"),
		  "{\"a\": null, \"b\": 0}");
	check_str(py("{\"a\":1,\"a\\u0000\":2,\"a\":3}"),
		  "{\"a\": 3, \"a\\u0000\": 2}");
}

/* Many keys, with duplicates, through the parser's hash index. */
static void test_big_object(void)
{
	struct strbuf in = STRBUF_INIT;
	struct json *j;
	int i, ok = 1, n = 100000;

	strbuf_addch(&in, '{');
	for (i = 0; i < n; i++)
		strbuf_addf(&in, "\"k%d\":%d,", i, i);
	for (i = 0; i < n; i += 7)
		strbuf_addf(&in, "\"k%d\":\"again\",", i);
	strbuf_addstr(&in, "\"last\":0}");
	j = parse(in.buf);
	check(j && j->u.obj.nr == (size_t)n + 1);
	for (i = 0; j && i < n && ok; i++) {
		struct json_member *m = &j->u.obj.m[i];
		char key[32];

		xsnprintf(key, sizeof(key), "k%d", i);
		ok = !strcmp(m->key, key) &&
		     m->value->type == (i % 7 ? JSON_INT : JSON_STRING);
	}
	check(ok);
	if (j)
		check(json_object_get(j, "k49") &&
		      json_object_get(j, "k49")->type == JSON_STRING);
	json_free(j);
	strbuf_release(&in);
}

static void check_error(const char *in, size_t len, const char *what)
{
	if (!check_str(canon_n(in, len), "error"))
		printf("# input: %s\n", what);
}

#define ERR(s) check_error(s, sizeof(s) - 1, #s)

static void test_errors(void)
{
	struct strbuf in = STRBUF_INIT;
	struct json *j;
	int i;

	ERR("01");
	ERR("-01");
	ERR("00");
	ERR("1.");
	ERR(".5");
	ERR("+1");
	ERR("-");
	ERR("1e");
	ERR("1e+");
	ERR("1.e5");
	ERR("0x10");
	ERR("[1,]");
	ERR("[,1]");
	ERR("[1 2]");
	ERR("[");
	ERR("]");
	ERR("{\"a\":1,}");
	ERR("{\"a\" 1}");
	ERR("{a:1}");
	ERR("{1:1}");
	ERR("{\"a\":}");
	ERR("\"\\x\"");
	ERR("\"\\U0041\"");
	ERR("\"\\u12\"");
	ERR("\"\\u12g4\"");
	ERR("\"a\tb\"");
	ERR("\"a\nb\"");
	ERR("\"a\0b\"");
	ERR("\"\\ud800\"");
	ERR("\"\\ud800x\"");
	ERR("\"\\ud800\\u0041\"");
	ERR("\"\\ud800\\ud800\"");
	ERR("\"\\udc00x\"");
	ERR("\"\\udfff\"");
	ERR("\"\xc0\x80\"");
	ERR("\"\xc1\xbf\"");
	ERR("\"\xe0\x80\xaf\"");
	ERR("\"\xed\xa0\x80\"");
	ERR("\"\xed\xbf\xbf\"");
	ERR("\"\xf4\x90\x80\x80\"");
	ERR("\"\xf5\x80\x80\x80\"");
	ERR("\"\xff\"");
	ERR("\"\x80\"");
	ERR("\"\xe2\x82\"");
	ERR("\"\xe2\x82");
	ERR("\"\xc3\"");
	ERR("\xef\xbb\xbf{}");
	ERR("nul");
	ERR("nulll");
	ERR("True");
	ERR("nan");
	ERR("inf");
	ERR("-NaN");
	ERR("-Inf");
	ERR("Infinit");
	ERR("1 2");
	ERR("{} x");
	ERR("\"abc");
	ERR("\"abc\\");
	ERR("");
	ERR("   ");
	ERR("\f1");
	ERR("\x0b" "1");
	ERR("[1]\xc2\xa0");

	/* A value cut short by len, though a NUL-terminated text goes on. */
	check_error("123", 0, "empty slice");
	check_error("\"ab\"", 3, "cut string");
	check_error("truex", 3, "cut literal");
	check_str(canon_n("1.5e3", 3), "1.5");
	check_str(canon_n("-0", 1), "error");

	/* Messages name the problem and the byte. */
	canon("[1, \"a\tb\"]");
	check_str(err.buf, "raw control character in string at byte 6");
	canon("\"\\u00e9\\q\"");
	check_str(err.buf, "invalid escape in string at byte 7");
	canon("{\"a\":1 \"b\":2}");
	check_str(err.buf, "expected ',' or '}' at byte 7");
	canon("[1] 2");
	check_str(err.buf, "extra data after the value at byte 4");
	canon("\"ab\xed\xa0\x80\"");
	check_str(err.buf, "invalid UTF-8 at byte 3");
	canon("\"x\\ud800\"");
	check_str(err.buf, "unpaired surrogate in \\u escape at byte 2");

	/* Nesting: JSON_MAX_DEPTH levels are fine, one more is not. */
	for (i = 0; i < JSON_MAX_DEPTH; i++)
		strbuf_addch(&in, '[');
	for (i = 0; i < JSON_MAX_DEPTH; i++)
		strbuf_addch(&in, ']');
	check(strcmp(canon(in.buf), "error"));
	strbuf_reset(&in);
	for (i = 0; i <= JSON_MAX_DEPTH; i++)
		strbuf_addch(&in, '[');
	for (i = 0; i <= JSON_MAX_DEPTH; i++)
		strbuf_addch(&in, ']');
	check_str(canon(in.buf), "error");
	strbuf_reset(&in);
	for (i = 0; i < 600; i++)
		strbuf_addstr(&in, "{\"a\":[");
	check_str(canon(in.buf), "error");
	strbuf_reset(&in);
	for (i = 0; i < 100000; i++)
		strbuf_addch(&in, '[');
	check_str(canon(in.buf), "error");

	/* On failure *out is left alone. */
	j = (struct json *)&in;
	check(json_parse("[1,", 3, &j, &err) == QERR_CORRUPT);
	check(j == (struct json *)&in);
	strbuf_release(&in);
}

static void test_equal_truthy(void)
{
	static const char *falsy[] = {
		"null", "false", "0", "-0", "0.0", "-0.0", "\"\"", "[]", "{}",
	};
	static const char *truthy[] = {
		"true", "1", "-1", "0.5", "NaN", "\" \"", "[0]", "{\"\":0}",
		"\"\\u0000\"",
	};
	static const char *same[][2] = {
		{ "1", "1.0" },
		{ "0", "-0.0" },
		{ "true", "1" },
		{ "false", "0.0" },
		{ "1180591620717411303424", "1.1805916207174113e21" },
		{ "9007199254740992", "9007199254740992.0" },
		{ "{\"a\":1,\"b\":[2,\"x\"]}", "{\"b\":[2.0,\"x\"],\"a\":1}" },
		{ "\"a\\u0000\"", "\"a\\u0000\"" },
		{ "[]", "[]" },
		{ "null", "null" },
	};
	static const char *differ[][2] = {
		{ "NaN", "NaN" },
		{ "1", "\"1\"" },
		{ "9007199254740993", "9007199254740992.0" },
		{ "1180591620717411303425", "1.1805916207174113e21" },
		{ "[1]", "[1,1]" },
		{ "{\"a\":1}", "{\"a\":1,\"b\":1}" },
		{ "{\"a\":1}", "{\"b\":1}" },
		{ "\"a\"", "\"a\\u0000\"" },
		{ "null", "false" },
		{ "[]", "{}" },
		{ "2", "true" },
		{ "1e400", "1" },
	};
	struct json *a, *b, *big1, *big2;
	struct strbuf in = STRBUF_INIT;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(falsy); i++) {
		a = parse(falsy[i]);
		if (!check(a && !json_truthy(a)))
			printf("# %s\n", falsy[i]);
		json_free(a);
	}
	for (i = 0; i < ARRAY_SIZE(truthy); i++) {
		a = parse(truthy[i]);
		if (!check(a && json_truthy(a)))
			printf("# %s\n", truthy[i]);
		json_free(a);
	}
	for (i = 0; i < ARRAY_SIZE(same); i++) {
		a = parse(same[i][0]);
		b = parse(same[i][1]);
		if (!check(a && b && json_equal(a, b) && json_equal(b, a)))
			printf("# %s == %s\n", same[i][0], same[i][1]);
		json_free(a);
		json_free(b);
	}
	for (i = 0; i < ARRAY_SIZE(differ); i++) {
		a = parse(differ[i][0]);
		b = parse(differ[i][1]);
		if (!check(a && b && !json_equal(a, b) && !json_equal(b, a)))
			printf("# %s != %s\n", differ[i][0], differ[i][1]);
		json_free(a);
		json_free(b);
	}

	/* Big objects in different orders. */
	strbuf_addch(&in, '{');
	for (i = 0; i < 100; i++)
		strbuf_addf(&in, "%s\"k%d\":%d", i ? "," : "", (int)i, (int)i);
	strbuf_addch(&in, '}');
	big1 = parse(in.buf);
	strbuf_reset(&in);
	strbuf_addch(&in, '{');
	for (i = 100; i-- > 0;)
		strbuf_addf(&in, "\"k%d\":%d%s", (int)i, (int)i, i ? "," : "");
	strbuf_addch(&in, '}');
	big2 = parse(in.buf);
	check(big1 && big2 && json_equal(big1, big2));
	json_object_set(big2, "k5", 2, json_new_int(6));
	check(!json_equal(big1, big2));
	json_free(big1);
	json_free(big2);
	strbuf_release(&in);
}

static void test_api(void)
{
	struct json *o = json_new_object(), *arr, *d;

	json_object_set(o, "b", 1, json_new_int(1));
	json_object_set(o, "a", 1, json_new_string("x\0y", 3));
	json_object_set(o, "c", 1, json_new_null());
	json_object_set(o, "b", 1, json_new_bool(1));
	strbuf_reset(&out);
	json_write_python(&out, o);
	check_str(out.buf, "{\"b\": true, \"a\": \"x\\u0000y\", \"c\": null}");
	check(json_object_get(o, "c") && json_object_get(o, "c")->type ==
	      JSON_NULL);
	check(!json_object_get(o, "d"));
	check(!json_object_getn(o, "a\0", 2));
	check(!json_object_get(NULL, "a"));

	arr = json_new_array();
	json_array_append(arr, json_new_float(0.5));
	json_array_append(arr, json_new_uint(7));
	json_object_set(o, "k\0z", 3, arr);
	check(json_object_getn(o, "k\0z", 3) == arr);

	d = json_dup(o);
	check(json_equal(o, d));
	strbuf_reset(&out);
	json_write_canonical(&out, d);
	check_str(out.buf, "{\"a\":\"x\\u0000y\",\"b\":true,\"c\":null,"
		  "\"k\\u0000z\":[0.5,7]}");

	check(json_object_remove(d, "b") == 1);
	check(json_object_remove(d, "b") == 0);
	check(!json_equal(o, d));
	strbuf_reset(&out);
	json_write_python(&out, d);
	check_str(out.buf, "{\"a\": \"x\\u0000y\", \"c\": null, "
		  "\"k\\u0000z\": [0.5, 7]}");
	json_free(o);
	json_free(d);
	json_free(NULL);
}

int main(void)
{
	test_floats();
	test_ints();
	test_escapes();
	test_containers();
	test_big_object();
	test_errors();
	test_equal_truthy();
	test_api();
	strbuf_release(&out);
	strbuf_release(&err);
	return unit_test_done();
}
