#include "builtin.h"
#include "diff.h"
#include "handler.h"
#include "logical-key.h"
#include "parse-options.h"
#include "porcelain.h"

static const char * const ls_usage[] = {
	"quire ls [-r] [-l] [--registry <registry>] <revision> [<prefix>]",
	NULL
};

int cmd_ls(int argc, const char **argv, const char *prefix,
	   struct workspace *ws)
{
	struct strbuf err = STRBUF_INIT, dir = STRBUF_INIT, last = STRBUF_INIT,
		      out = STRBUF_INIT;
	struct entry_stream *s;
	struct manifest_entry e;
	const char *reg = NULL;
	int recursive = 0, lng = 0, ret, found = 0;
	FILE *fp;
	struct option options[] = {
		OPT_BOOL('R', "recursive", &recursive,
			 "every entry below, with its full key"),
		OPT_BOOL('l', "long", &lng,
			 "show size, hash and handler spec too"),
		OPT__REGISTRY(&reg),
		OPT_END()
	};

	argc = parse_options(argc, argv, prefix, options, ls_usage, 0);
	if (argc < 1 || argc > 2)
		usage_with_options(ls_usage, options);
	if (argc == 2 && *argv[1]) {
		strbuf_addstr(&dir, argv[1]);
		if (dir.buf[dir.len - 1] != '/')
			strbuf_addch(&dir, '/');
	}
	s = open_stream(ws, reg, argv[0], &fp);
	manifest_entry_init(&e);
	while ((ret = s->next(s, &e, &err)) > 0) {
		const char *rest, *slash;

		if (dir.len && (e.key.len <= dir.len ||
				memcmp(e.key.buf, dir.buf, dir.len)))
			continue;
		found = 1;
		rest = e.key.buf + dir.len;
		slash = recursive ? NULL : strchr(rest, '/');
		strbuf_reset(&out);
		if (slash) {
			size_t len = slash - rest + 1;

			if (last.len == len && !memcmp(last.buf, rest, len))
				continue;	/* children come together */
			strbuf_reset(&last);
			strbuf_add(&last, rest, len);
			if (lng)
				strbuf_addf(&out, "%-16s %44s ", "-", "-");
			strbuf_add_quoted_name(&out, rest, len);
		} else {
			if (lng)
				strbuf_addf(&out, "%16" PRIu64 " %44s ", e.size,
					    oid_to_value(&e.oid));
			if (recursive)
				strbuf_add_quoted_name(&out, e.key.buf,
						       e.key.len);
			else
				strbuf_add_quoted_name(&out, rest,
						       strlen(rest));
			/* a tab: names holding one are quoted */
			if (lng) {
				size_t len = out.len;

				strbuf_addstr(&out, "\thandler=");
				if (!handler_format_spec(&out, e.meta))
					strbuf_setlen(&out, len);
			}
		}
		printf("%s\n", out.buf);
	}
	if (ret < 0)
		die("%s", err.buf);
	if (dir.len && !found)
		die("'%s' has no folder '%s'", argv[0], dir.buf);
	entry_stream_free(s);
	manifest_entry_release(&e);
	fclose(fp);
	strbuf_release(&err);
	strbuf_release(&dir);
	strbuf_release(&last);
	strbuf_release(&out);
	return 0;
}
