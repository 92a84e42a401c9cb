#include "quire-compat.h"
#include "t/helper/test-tool.h"
#include "json.h"

/*
 * test-tool json (canonical|python): read JSON texts from stdin, one a
 * line, and print each one's canonical (or python-style) encoding on a
 * line of its own, or "error" when it does not parse, so that a test can
 * compare the output line by line with what Python writes.
 */

#define TEST_JSON_LINE_MAX (64 << 20)

int cmd__json(int argc, const char **argv)
{
	struct strbuf line = STRBUF_INIT, out = STRBUF_INIT;
	struct strbuf err = STRBUF_INIT;
	struct json *j;
	int canonical, ret;

	if (argc != 2 || (strcmp(argv[1], "canonical") &&
			  strcmp(argv[1], "python"))) {
		fprintf(stderr, "usage: test-tool json (canonical|python)\n");
		return 129;
	}
	canonical = !strcmp(argv[1], "canonical");
	for (;;) {
		ret = strbuf_getline_max(&line, stdin, TEST_JSON_LINE_MAX,
					 NULL);
		if (ret == EOF)
			break;
		strbuf_reset(&out);
		strbuf_reset(&err);
		if (ret < 0 || json_parse(line.buf, line.len, &j, &err) < 0) {
			strbuf_addstr(&out, "error");
		} else {
			if (canonical)
				json_write_canonical(&out, j);
			else
				json_write_python(&out, j);
			json_free(j);
		}
		strbuf_addch(&out, '\n');
		fwrite(out.buf, 1, out.len, stdout);
	}
	strbuf_release(&line);
	strbuf_release(&out);
	strbuf_release(&err);
	if (fflush(stdout) || ferror(stdout))
		die_errno("cannot write to stdout");
	return 0;
}
