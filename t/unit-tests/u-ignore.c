#include "t/unit-tests/unit-test.h"
#include "ignore.h"
#include "tempfile.h"

/* pattern, text, 1 when they match (gitignore's wildmatch, pathname) */
static const struct {
	const char *pattern, *text;
	int match;
} cases[] = {
	{ "foo", "foo", 1 },
	{ "foo", "foox", 0 },
	{ "*", "", 1 },
	{ "*", "a/b", 0 },
	{ "*.pyc", "x.pyc", 1 },
	{ "*.pyc", "d/x.pyc", 0 },
	{ "a?c", "abc", 1 },
	{ "a?c", "a/c", 0 },
	{ "a*c", "a/c", 0 },
	{ "a*/c", "ab/c", 1 },
	{ "a*/c", "ab/x/c", 0 },
	{ "[abc]x", "bx", 1 },
	{ "[abc]x", "dx", 0 },
	{ "[!abc]x", "dx", 1 },
	{ "[^abc]x", "ax", 0 },
	{ "[a-c]", "b", 1 },
	{ "[a-c]", "d", 0 },
	{ "[]]", "]", 1 },
	{ "[!]]", "a", 1 },
	{ "[!]]", "]", 0 },
	{ "[a-]", "-", 1 },
	{ "[[:digit:]]x", "7x", 1 },
	{ "[[:digit:]]x", "ax", 0 },
	{ "[[:upper:][:digit:]]", "Q", 1 },
	{ "[[:nope:]]", "a", 0 },
	{ "a[/]b", "a/b", 0 },
	{ "[abc", "a", 0 },
	{ "\\*x", "*x", 1 },
	{ "\\*x", "ax", 0 },
	{ "\\#a", "#a", 1 },
	{ "\\!a", "!a", 1 },
	{ "a\\ ", "a ", 1 },
	{ "a\\", "a", 0 },
	{ "**/foo", "foo", 1 },
	{ "**/foo", "a/b/foo", 1 },
	{ "**/foo", "afoo", 0 },
	{ "**/foo/bar", "x/foo/bar", 1 },
	{ "foo/**", "foo/a", 1 },
	{ "foo/**", "foo/a/b", 1 },
	{ "foo/**", "foo", 0 },
	{ "a/**/b", "a/b", 1 },
	{ "a/**/b", "a/x/b", 1 },
	{ "a/**/b", "a/x/y/b", 1 },
	{ "a/**/b", "a/xb", 0 },
	{ "a**b", "axxb", 1 },
	{ "a**b", "a/b", 0 },
	{ "**", "a/b/c", 1 },
	{ "a/**/*.txt", "a/b/c.txt", 1 },
	{ "a/**/*.txt", "a/c.txt", 1 },
	{ "a/**/*.txt", "a/b/c.csv", 0 },
	{ "*/b", "a/b", 1 },
	{ "*/b", "a/x/b", 0 },
};

static void test_wildmatch(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		int got = !ignore_wildmatch(cases[i].pattern, cases[i].text);

		if (!check(got == cases[i].match))
			fprintf(stderr, "# '%s' against '%s': %d\n",
				cases[i].pattern, cases[i].text, got);
	}
}

static void write_file(const char *dir, const char *name, const char *body)
{
	struct strbuf path = STRBUF_INIT;
	FILE *fp;

	strbuf_addf(&path, "%s/%s", dir, name);
	fp = fopen(path.buf, "w");
	if (!fp || fputs(body, fp) < 0 || fclose(fp))
		die("cannot write %s", path.buf);
	strbuf_release(&path);
}

static int excluded(struct ignore *ig, const char *rel, int is_dir)
{
	const struct ignore_pattern *p = ignore_path(ig, rel, is_dir, NULL);

	return p && !(p->flags & IGNORE_NEGATIVE);
}

static void test_rules(void)
{
	struct strbuf err = STRBUF_INIT, sub = STRBUF_INIT;
	const char *dir = create_tempdir("u-ignore-", &err);
	const struct ignore_list *from = NULL;
	const struct ignore_pattern *p;
	struct ignore ig;

	if (!dir)
		die("%s", err.buf);
	strbuf_addf(&sub, "%s/d", dir);
	if (mkdir(sub.buf, 0755) < 0)
		die("mkdir");
	write_file(dir, IGNORE_FILE,
		   "\xef\xbb\xbf# a comment\n"
		   "\n"
		   "*.log\n"
		   "!keep.log\n"
		   "trail   \n"
		   "esc\\ \n"
		   "\\#hash\n"
		   "/top\n"
		   "build/\n"
		   "d/mid/x\n"
		   "gone/\n"
		   "!gone/back\n");
	write_file(sub.buf, IGNORE_FILE, "*.csv\n!keep.log\n/only-here\n");
	ignore_init(&ig, dir);
	check(excluded(&ig, "a.log", 0));
	check(excluded(&ig, "x/y/a.log", 0));
	check(!excluded(&ig, "keep.log", 0));
	check(excluded(&ig, "trail", 0));
	check(!excluded(&ig, "trail   ", 0));
	check(excluded(&ig, "esc ", 0));
	check(!excluded(&ig, "esc", 0));
	check(excluded(&ig, "#hash", 0));
	check(!excluded(&ig, "# a comment", 0));
	check(excluded(&ig, "top", 0));
	check(!excluded(&ig, "x/top", 0));
	check(excluded(&ig, "build", 1));
	check(!excluded(&ig, "build", 0));
	check(excluded(&ig, "x/build", 1));
	check(excluded(&ig, "build/file", 0));	/* below an excluded folder */
	check(excluded(&ig, "d/mid/x", 0));
	check(!excluded(&ig, "d/x", 0));
	check(excluded(&ig, "gone/back", 0));	/* no way back in */
	check(excluded(&ig, "d/a.csv", 0));	/* d's own file */
	check(!excluded(&ig, "a.csv", 0));
	check(excluded(&ig, "d/only-here", 0));
	check(!excluded(&ig, "d/e/only-here", 0));
	check(!excluded(&ig, "d/keep.log", 0));
	p = ignore_path(&ig, "d/keep.log", 0, &from);
	check(p && (p->flags & IGNORE_NEGATIVE) && p->line == 2);
	check(from && !strcmp(from->src, "d/" IGNORE_FILE));
	p = ignore_path(&ig, "build/x", 0, &from);
	check(p && !strcmp(p->text, "build") && p->line == 9);
	check(from && !strcmp(from->src, IGNORE_FILE));
	ignore_release(&ig);
	remove_tempdir(dir);
	strbuf_release(&sub);
	strbuf_release(&err);
}

int main(void)
{
	test_wildmatch();
	test_rules();
	return unit_test_done();
}
