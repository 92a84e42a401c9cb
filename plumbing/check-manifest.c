#include "builtin.h"
#include "manifest.h"
#include "parse-options.h"

static const char * const check_manifest_usage[] = {
	"quire check-manifest [-q] <manifest>",
	NULL
};

struct check {
	const char *name;
	int quiet;
	size_t problems;
	struct manifest_builder b;
	struct strbuf err;
};

static void problem(struct check *c, const char *msg)
{
	c->problems++;
	if (!c->quiet)
		printf("%s\n", msg);
}

static int check_record(const struct manifest_record *rec, void *payload)
{
	struct check *c = payload;

	strbuf_reset(&c->err);
	if (manifest_builder_add(&c->b, rec, &c->err) < 0)
		problem(c, c->err.buf);
	return 0;
}

static const char *tmpdir(void)
{
	const char *t = getenv("TMPDIR");

	return t && *t ? t : "/tmp";
}

int cmd_check_manifest(int argc, const char **argv, const char *prefix,
		       struct workspace *ws)
{
	struct check c = { 0 };
	struct manifest_reader r;
	struct manifest_entry e;
	struct manifest_record rec;
	struct manifest_sorter *s;
	struct strbuf canon = STRBUF_INIT;
	struct object_id top;
	int seekable, ret;
	FILE *fp;
	struct option options[] = {
		OPT__QUIET(&c.quiet),
		OPT_END()
	};

	argc = parse_options(argc, argv, prefix, options, check_manifest_usage,
			     0);
	if (argc != 1)
		usage_with_options(check_manifest_usage, options);
	fp = fopen_input(argv[0], &seekable);
	if (!fp)
		die_errno("cannot open '%s'", argv[0]);
	c.name = strcmp(argv[0], "-") ? argv[0] : "<stdin>";
	strbuf_init(&c.err, 0);

	ret = manifest_reader_open(&r, fp, c.name, 0, &c.err);
	if (ret == QERR_GENERIC)
		die("%s", c.err.buf);
	if (ret < 0) {
		problem(&c, c.err.buf);
		if (!r.line_nr)
			goto done;
		json_free(r.meta);
		r.meta = json_new_object();
	}
	s = manifest_sorter_new(tmpdir(), manifest_sort_memory());
	manifest_entry_init(&e);
	for (;;) {
		strbuf_reset(&c.err);
		ret = manifest_reader_next(&r, &e, &c.err);
		if (!ret)
			break;
		if (ret == QERR_GENERIC)
			die("%s", c.err.buf);
		if (ret < 0) {
			problem(&c, c.err.buf);
			continue;
		}
		manifest_record_from_entry(&rec, &e, NULL, &canon);
		if (manifest_sorter_add(s, &rec, &c.err) < 0)
			die("%s", c.err.buf);
	}
	if (r.unterminated && !c.quiet)
		warning("%s:%zu: the last line has no newline; was the file "
			"cut short?", c.name, r.line_nr);
	manifest_builder_init(&c.b, r.meta, -1);
	c.b.name = c.name;
	strbuf_reset(&c.err);
	if (manifest_sorter_finish(s, check_record, &c, &c.err) < 0)
		die("%s", c.err.buf);
	manifest_builder_finish(&c.b, &top, NULL, &c.err);
	manifest_builder_release(&c.b);
	manifest_sorter_free(s);
	manifest_entry_release(&e);
done:
	manifest_reader_release(&r);
	fclose_input(fp);
	strbuf_release(&canon);
	strbuf_release(&c.err);
	return c.problems ? 1 : 0;
}
