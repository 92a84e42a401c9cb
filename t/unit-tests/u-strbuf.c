#include "t/unit-tests/unit-test.h"
#include "strbuf.h"

static FILE *input(const char *data, size_t len)
{
	FILE *fp = tmpfile();

	if (!fp || fwrite(data, 1, len, fp) != len)
		die("tmpfile");
	rewind(fp);
	return fp;
}

static void test_getline(void)
{
	static const char data[] = "a\0b\n\nxyz";
	struct strbuf sb = STRBUF_INIT;
	FILE *fp = input(data, sizeof(data) - 1);
	int nl;

	check(!strbuf_getline_max(&sb, fp, 100, &nl));
	check(sb.len == 3 && !memcmp(sb.buf, "a\0b", 3) && nl);
	check(!strbuf_getline_max(&sb, fp, 100, &nl));
	check(sb.len == 0 && nl);
	check(!strbuf_getline_max(&sb, fp, 100, &nl));
	check_str(sb.buf, "xyz");
	check(!nl);
	check(strbuf_getline_max(&sb, fp, 100, &nl) == EOF);
	fclose(fp);
	strbuf_release(&sb);
}

static void test_getline_long(void)
{
	struct strbuf sb = STRBUF_INIT, data = STRBUF_INIT;
	size_t i;
	FILE *fp;

	/* 100000 bytes (longer than one read), then a short line */
	for (i = 0; i < 100000; i++)
		strbuf_addch(&data, 'a' + i % 26);
	strbuf_addstr(&data, "\nok\n");
	fp = input(data.buf, data.len);
	check(!strbuf_getline_max(&sb, fp, 200000, NULL));
	check(sb.len == 100000 && sb.buf[99999] == 'a' + 99999 % 26);
	check(!strbuf_getline_max(&sb, fp, 200000, NULL));
	check_str(sb.buf, "ok");
	rewind(fp);
	/* over the limit: refused, and the next line is read normally */
	check(strbuf_getline_max(&sb, fp, 1000, NULL) == QERR_CORRUPT);
	check(!strbuf_getline_max(&sb, fp, 1000, NULL));
	check_str(sb.buf, "ok");
	check(strbuf_getline_max(&sb, fp, 1000, NULL) == EOF);
	fclose(fp);
	strbuf_release(&sb);
	strbuf_release(&data);
}

static void test_basics(void)
{
	struct strbuf sb = STRBUF_INIT;
	char *p;
	size_t len;

	check(sb.buf[0] == '\0' && sb.len == 0);
	strbuf_addf(&sb, "%s-%d", "x", 42);
	strbuf_add_hex(&sb, (const unsigned char *)"\x01\xab", 2);
	check_str(sb.buf, "x-4201ab");
	strbuf_reset(&sb);
	strbuf_add_quoted_name(&sb, "a\tb\"c", 5);
	check_str(sb.buf, "\"a\\tb\\\"c\"");
	strbuf_reset(&sb);
	strbuf_addstr(&sb, "  pad \n");
	strbuf_trim(&sb);
	check_str(sb.buf, "pad");
	p = strbuf_detach(&sb, &len);
	check(len == 3 && !strcmp(p, "pad"));
	check(sb.len == 0 && sb.buf[0] == '\0');
	free(p);
}

int main(void)
{
	test_getline();
	test_getline_long();
	test_basics();
	return unit_test_done();
}
