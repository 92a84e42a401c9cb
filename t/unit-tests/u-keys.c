#include "t/unit-tests/unit-test.h"
#include "logical-key.h"
#include "physical-key.h"
#include "strbuf.h"

static int key_ok(const char *key, unsigned flags)
{
	struct strbuf err = STRBUF_INIT;
	int ret = logical_key_check(key, strlen(key), flags, &err);

	strbuf_release(&err);
	return !ret;
}

static int cmp(const char *a, const char *b)
{
	return logical_key_cmp(a, strlen(a), b, strlen(b));
}

static void test_logical_keys(void)
{
	check(key_ok("train/0001.jpg", 0));
	check(key_ok("a b/ünï 😀", 0));
	check(key_ok(".hidden/x", 0));
	check(key_ok("a..b", 0));
	check(key_ok("back\\slash", 0));
	check(!key_ok("back\\slash", LOGICAL_KEY_PATH));
	check(!key_ok("", 0));
	check(!key_ok("/abs", 0));
	check(!key_ok("../x", 0));
	check(!key_ok("a/../b", 0));
	check(!key_ok("a/..", 0));
	check(!key_ok("./a", 0));
	check(!key_ok("a/./b", 0));
	check(!key_ok("a//b", 0));
	check(!key_ok("a/", 0));
	check(!key_ok(".quire", 0));
	check(!key_ok("x/.quire/y", 0));
	check(key_ok(".quirex/y", 0));
	check(logical_key_check("a\0b", 3, 0, &(struct strbuf)STRBUF_INIT));
}

static void test_order(void)
{
	/* component-wise: a/b < a-c < a.c < a0 < ab, and a < a/b */
	check(cmp("a/b", "a-c") < 0);
	check(cmp("a-c", "a.c") < 0);
	check(cmp("a.c", "a0") < 0);
	check(cmp("a/b", "a!") < 0);
	check(cmp("a", "a/b") < 0);
	check(cmp("a/c/d", "a/c-d") < 0);
	check(cmp("x", "x") == 0);
	/* code point order, not UTF-16: U+FFFD < U+10000 */
	check(cmp("\xef\xbf\xbd", "\xf0\x90\x80\x80") < 0);
	check(cmp("\xee\x80\x80", "\xf0\x9f\x98\x80") < 0);
	check(logical_key_is_parent("a", 1, "a/b", 3));
	check(!logical_key_is_parent("a", 1, "ab", 2));
	check(logical_key_has_prefix("data/x", 6, "data", 4));
	check(logical_key_has_prefix("data", 4, "data", 4));
	check(!logical_key_has_prefix("database", 8, "data", 4));
	check(logical_key_has_prefix("data/x", 6, "data/", 5));
	check(!logical_key_has_prefix("data", 4, "data/", 5));
}

static const char *roundtrip(const char *url)
{
	static struct strbuf out = STRBUF_INIT;
	struct strbuf err = STRBUF_INIT;
	struct physical_key pk;

	strbuf_reset(&out);
	if (physical_key_parse(&pk, url, strlen(url), &err) < 0)
		strbuf_addstr(&out, "ERROR");
	else
		physical_key_format(&out, &pk);
	physical_key_release(&pk);
	strbuf_release(&err);
	return out.buf;
}

static void test_physical_keys(void)
{
	/* quilt3 (PhysicalKey.from_url, then str) */
	check_str(roundtrip("s3://b/a%20b"), "s3://b/a%20b");
	check_str(roundtrip("s3://b/a b"), "s3://b/a%20b");
	check_str(roundtrip("s3://b/a+b"), "s3://b/a%2Bb");
	check_str(roundtrip("s3://b/caf%C3%A9/x"), "s3://b/caf%C3%A9/x");
	check_str(roundtrip("s3://b/tilde~"), "s3://b/tilde~");
	check_str(roundtrip("s3://b/k?versionId=a%2Fb+c"),
		  "s3://b/k?versionId=a%2Fb+c");
	check_str(roundtrip("s3://b/k?versionId="), "s3://b/k");
	check_str(roundtrip("s3://b/k#frag"), "s3://b/k");
	check_str(roundtrip("s3://b/pct%2520.txt"), "s3://b/pct%2520.txt");
	check_str(roundtrip("s3://b/k?other=1"), "ERROR");
	check_str(roundtrip("s3:///k"), "ERROR");
	check_str(roundtrip("file:///tmp/a%20b"), "file:///tmp/a%20b");
	check_str(roundtrip("file://localhost/tmp/x"), "file:///tmp/x");
	check_str(roundtrip("file:///tmp//a/./b/../c"), "file:///tmp/a/c");
	check_str(roundtrip("file://host/tmp/x"), "ERROR");
	check_str(roundtrip("file:///tmp/x?q=1"), "ERROR");
	check_str(roundtrip("file:tmp"), "ERROR");
	check_str(roundtrip("http://x/y"), "ERROR");
	check_str(roundtrip("s3://b/%ff"), "ERROR");
}

int main(void)
{
	test_logical_keys();
	test_order();
	test_physical_keys();
	return unit_test_done();
}
