#include "builtin.h"
#include "json-out.h"
#include "lineage.h"
#include "parse-options.h"
#include "redact.h"

static const char * const lineage_usage[] = {
	"quire lineage [--registry <registry>] [--json] <revision>",
	NULL
};

/*
 * Where the lines of the tree go: the branches drawn before a line at
 * each depth ("│   ├── "), from whether each version on the way down to
 * it was the last parent of its child.
 */
struct tree {
	int *last;		/* [depth]: the line at that depth was last */
	size_t alloc;
};

/* The lead of a line ("│   ├── "), or with own, the indent below it. */
static void add_branches(struct strbuf *sb, const struct tree *t,
			 size_t depth, int own)
{
	size_t d;

	for (d = 1; d < depth; d++)
		strbuf_addstr(sb, t->last[d] ? "    " : "│   ");
	if (depth && own)
		strbuf_addstr(sb, t->last[depth] ? "    " : "│   ");
	else if (depth)
		strbuf_addstr(sb, t->last[depth] ? "└── " : "├── ");
}

/* A message on one line: control characters become spaces. */
static void add_one_line(struct strbuf *sb, const char *s)
{
	for (; *s; s++)
		strbuf_addch(sb, (unsigned char)*s < 0x20 ? ' ' : *s);
}

static void print_line(const struct tree *t, const struct lineage_line *l)
{
	struct strbuf sb = STRBUF_INIT, shown = STRBUF_INIT;
	const struct lineage_node *n = l->node;
	const char *msg = lineage_node_message(n);

	add_branches(&sb, t, l->depth, 0);
	strbuf_addf(&sb, "%s@%.12s", l->label, l->top ? l->top : "?");
	if (n->registry)
		strbuf_addf(&sb, " %s", n->registry);
	if (l->seen) {
		strbuf_addstr(&sb, " (see above)");
	} else if (n->error) {
		strbuf_addstr(&sb, " (unavailable: ");
		add_one_line(&sb, n->error);
		strbuf_addch(&sb, ')');
	} else if (msg && *msg) {
		strbuf_addstr(&sb, ": ");
		add_one_line(&sb, msg);
	}
	/* a recorded registry, or one in an error, may hold credentials */
	redact_text(&shown, sb.buf);
	printf("%s\n", shown.buf);
	strbuf_release(&sb);
	strbuf_release(&shown);
}

/* Print a recorded value with the credentials of its URLs redacted. */
static void print_redacted(const char *s)
{
	struct strbuf sb = STRBUF_INIT;

	redact_text(&sb, s);
	fputs(sb.buf, stdout);
	strbuf_release(&sb);
}

static void print_source(const char *pre, const struct json *src)
{
	const char *url = json_string_of(src, "url");
	const char *commit = json_string_of(src, "commit");
	const char *version = json_string_of(src, "version");
	int dirty = !!json_member_of(src, "dirty", JSON_TRUE);

	if (!url && !commit && !version && !dirty)
		return;
	printf("%ssource:", pre);
	if (url) {
		printf(" ");
		print_redacted(url);
	}
	if (commit) {
		printf(" ");
		print_redacted(commit);
	}
	if (version || dirty) {
		printf(" (");
		print_redacted(version ? version : "");
		printf("%s%s)", version && dirty ? ", " : "",
		       dirty ? "dirty" : "");
	}
	printf("\n");
}

static void print_inputs(const char *pre, const struct json *arr)
{
	const struct json *size, *rec;
	const char *where;
	size_t i;

	for (i = 0; arr && i < arr->u.arr.nr; i++) {
		rec = arr->u.arr.v[i];
		where = json_string_of(rec, "path");
		if (!where)
			where = json_string_of(rec, "url");
		size = json_member_of(rec, "size", JSON_INT);
		printf("%sinput: ", pre);
		print_redacted(where ? where : "?");
		if (size)
			printf(" (%s bytes)", size->u.str.s);
		printf("\n");
	}
}

static void print_env(const char *pre, const struct json *env)
{
	const struct json_member *m;
	size_t i;

	for (i = 0; env && i < env->u.obj.nr; i++) {
		m = &env->u.obj.m[i];
		if (m->value->type != JSON_STRING)
			continue;
		printf("%senv: ", pre);
		print_redacted(m->key);
		printf("=");
		print_redacted(m->value->u.str.s);
		printf("\n");
	}
}

/* Source, inputs and environment, on lines of their own below n's. */
static void print_details(const struct tree *t, const struct lineage_line *l)
{
	const struct json *prov = lineage_node_provenance(l->node);
	const struct json *parents = lineage_node_parents(l->node);
	struct strbuf pre = STRBUF_INIT;

	if (!prov)
		return;
	add_branches(&pre, t, l->depth, 1);
	strbuf_addstr(&pre, parents && parents->u.arr.nr ? "│   " : "    ");
	print_source(pre.buf, json_member_of(prov, "source", JSON_OBJECT));
	print_inputs(pre.buf, json_member_of(prov, "inputs", JSON_ARRAY));
	print_env(pre.buf, json_member_of(prov, "environment", JSON_OBJECT));
	strbuf_release(&pre);
}

/* Each line of the tree as the walk meets it. */
static int show(const struct lineage_line *l, void *payload)
{
	struct tree *t = payload;

	ALLOC_GROW(t->last, l->depth + 1, t->alloc);
	t->last[l->depth] = l->last;
	print_line(t, l);
	if (!l->seen)
		print_details(t, l);
	return 0;
}

int cmd_lineage(int argc, const char **argv, const char *prefix,
		struct workspace *ws)
{
	struct strbuf err = STRBUF_INIT;
	struct lineage lg;
	struct tree t = { NULL, 0 };
	const char *reg = NULL;
	int json = 0;
	struct option options[] = {
		OPT__REGISTRY(&reg),
		OPT_BOOL(0, "json", &json, "print the graph as JSON"),
		OPT_END()
	};

	argc = parse_options(argc, argv, prefix, options, lineage_usage, 0);
	if (argc != 1)
		usage_with_options(lineage_usage, options);
	if (lineage_walk(&lg, ws, reg, argv[0], NULL, json ? NULL : show, &t,
			 &err) < 0)
		die("%s", err.buf);
	if (json)
		json_print(lineage_to_json(&lg));
	lineage_release(&lg);
	free(t.last);
	strbuf_release(&err);
	return 0;
}
