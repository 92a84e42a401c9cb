#include "builtin.h"
#include "diff.h"
#include "parse-options.h"
#include "porcelain.h"

static const char * const diff_manifest_usage[] = {
	"quire diff-manifest [-z] [--registry <registry>] <rev> <rev>",
	NULL
};

struct out {
	int nul;
	uint64_t n;
};

static int show(enum diff_kind kind, const struct manifest_entry *a,
		const struct manifest_entry *b, void *payload)
{
	static const char codes[] = { 'A', 'D', 'M', 'm' };
	struct out *o = payload;
	const struct manifest_entry *e = b ? b : a;
	struct strbuf sb = STRBUF_INIT;

	strbuf_addf(&sb, "%c\t", codes[kind]);
	if (o->nul)
		strbuf_add(&sb, e->key.buf, e->key.len);
	else
		strbuf_add_quoted_name(&sb, e->key.buf, e->key.len);
	strbuf_addch(&sb, o->nul ? '\0' : '\n');
	fwrite(sb.buf, 1, sb.len, stdout);
	strbuf_release(&sb);
	o->n++;
	return 0;
}

int cmd_diff_manifest(int argc, const char **argv, const char *prefix,
		      struct workspace *ws)
{
	struct strbuf err = STRBUF_INIT;
	struct out o = { 0, 0 };
	struct entry_stream *a, *b;
	const char *reg = NULL;
	FILE *fa, *fb;
	struct option options[] = {
		OPT_BOOL('z', NULL, &o.nul,
			 "end lines with NUL and do not quote keys"),
		OPT__REGISTRY(&reg),
		OPT_END()
	};

	argc = parse_options(argc, argv, prefix, options, diff_manifest_usage,
			     0);
	if (argc != 2)
		usage_with_options(diff_manifest_usage, options);
	a = open_stream(ws, reg, argv[0], &fa);
	b = open_stream(ws, reg, argv[1], &fb);
	if (diff_streams(a, b, show, &o, &err) < 0)
		die("%s", err.buf);
	entry_stream_free(a);
	entry_stream_free(b);
	fclose(fa);
	fclose(fb);
	strbuf_release(&err);
	return o.n ? 1 : 0;
}
