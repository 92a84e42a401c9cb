#include "builtin.h"
#include "diff.h"
#include "handler.h"
#include "json-out.h"
#include "logical-key.h"
#include "parse-options.h"
#include "porcelain.h"

static const char * const ls_usage[] = {
	"quire ls [-R] [-l] [-m] [--json] [--registry <registry>] <revision> "
	"[<prefix>]",
	NULL
};

struct ls_opts {
	int recursive, lng, meta, json;
	struct json_list list;
};

/* The document's head, once it is sure there is something to list. */
static void json_begin(struct ls_opts *o, const struct object_id *top,
		       const struct strbuf *dir)
{
	struct json *head = json_new_object();

	json_set(head, "top_hash", json_top_hash(top));
	json_set(head, "prefix", json_new_string(dir->buf, dir->len));
	json_list_begin(&o->list, head, "entries");
}

/* A folder below the prefix, once: rest is its name and the '/'. */
static void print_folder(struct ls_opts *o, const struct strbuf *dir,
			 const char *rest, size_t len, struct strbuf *out)
{
	struct json *j;

	if (o->json) {
		j = json_new_object();
		strbuf_addbuf(out, dir);
		strbuf_add(out, rest, len);
		json_set(j, "logical_key", json_new_string(out->buf,
							   out->len));
		json_set(j, "type", json_str("folder"));
		json_list_add(&o->list, j);
		return;
	}
	if (o->lng)
		strbuf_addf(out, "%-16s %44s ", "-", "-");
	strbuf_add_quoted_name(out, rest, len);
	printf("%s\n", out->buf);
}

static void print_file(struct ls_opts *o, const struct manifest_entry *e,
		       const char *rest, struct strbuf *out)
{
	size_t len;

	if (o->json) {
		json_list_add(&o->list, json_entry(e));
		return;
	}
	if (o->lng)
		strbuf_addf(out, "%16" PRIu64 " %44s ", e->size,
			    oid_to_value(&e->oid));
	if (o->recursive)
		strbuf_add_quoted_name(out, e->key.buf, e->key.len);
	else
		strbuf_add_quoted_name(out, rest, strlen(rest));
	/* a tab: names holding one are quoted */
	if (o->lng) {
		len = out->len;
		strbuf_addstr(out, "\thandler=");
		if (!handler_format_spec(out, e->meta))
			strbuf_setlen(out, len);
	}
	if (o->meta) {
		strbuf_addch(out, '\t');
		json_write_python(out, e->meta);
	}
	printf("%s\n", out->buf);
}

int cmd_ls(int argc, const char **argv, const char *prefix,
	   struct workspace *ws)
{
	struct strbuf err = STRBUF_INIT, dir = STRBUF_INIT, last = STRBUF_INIT,
		      out = STRBUF_INIT;
	struct entry_stream *s;
	struct manifest_entry e;
	struct object_id top;
	struct ls_opts o = { 0 };
	const char *reg = NULL;
	int ret, found = 0;
	FILE *fp;
	struct option options[] = {
		OPT_BOOL('R', "recursive", &o.recursive,
			 "every entry below, with its full key"),
		OPT_BOOL('l', "long", &o.lng,
			 "show size, hash and handler spec too"),
		OPT_BOOL('m', "meta", &o.meta,
			 "show each entry's metadata, as JSON"),
		OPT_BOOL(0, "json", &o.json,
			 "one JSON object holding the entries"),
		OPT__REGISTRY(&reg),
		OPT_END()
	};

	argc = parse_options(argc, argv, prefix, options, ls_usage, 0);
	if (argc < 1 || argc > 2 || (o.json && (o.lng || o.meta)))
		usage_with_options(ls_usage, options);
	if (argc == 2 && *argv[1]) {
		strbuf_addstr(&dir, argv[1]);
		if (dir.buf[dir.len - 1] != '/')
			strbuf_addch(&dir, '/');
	}
	if (porcelain_open_stream(ws, reg, argv[0], &top, &fp, &s, &err) < 0)
		die("%s", err.buf);
	manifest_entry_init(&e);
	while ((ret = s->next(s, &e, &err)) > 0) {
		const char *rest, *slash;

		if (dir.len && (e.key.len <= dir.len ||
				memcmp(e.key.buf, dir.buf, dir.len)))
			continue;
		if (!found++ && o.json)
			json_begin(&o, &top, &dir);
		rest = e.key.buf + dir.len;
		slash = o.recursive ? NULL : strchr(rest, '/');
		strbuf_reset(&out);
		if (slash) {
			size_t len = slash - rest + 1;

			if (last.len == len && !memcmp(last.buf, rest, len))
				continue;	/* children come together */
			strbuf_reset(&last);
			strbuf_add(&last, rest, len);
			print_folder(&o, &dir, rest, len, &out);
		} else {
			print_file(&o, &e, rest, &out);
		}
	}
	if (ret < 0)
		die("%s", err.buf);
	if (dir.len && !found)
		die("'%s' has no folder '%s'", argv[0], dir.buf);
	if (o.json && !found)
		json_begin(&o, &top, &dir);
	if (o.json)
		json_list_end(&o.list, NULL);
	entry_stream_free(s);
	manifest_entry_release(&e);
	fclose(fp);
	strbuf_release(&err);
	strbuf_release(&dir);
	strbuf_release(&last);
	strbuf_release(&out);
	return 0;
}
