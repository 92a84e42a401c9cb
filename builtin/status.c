#include "builtin.h"
#include "folder-check.h"
#include "json.h"
#include "parse-options.h"
#include "porcelain.h"
#include "refs/refs.h"
#include "status.h"

static const char * const status_usage[] = {
	"quire status [--porcelain [-z] | --json] [--ignored] [<dir>]",
	NULL
};

struct tag_at {
	const struct object_id *head;
	char *tag;
};

static int find_tag(const char *name, const struct object_id *oid,
		    void *payload)
{
	struct tag_at *t = payload;

	if (strncmp(name, "refs/tags/", 10) || !oideq(oid, t->head))
		return 0;
	t->tag = xstrdup(name + 10);
	return 1;
}

/* A local tag at head (the first by name), or NULL; caller frees. */
static char *tag_at(struct workspace *ws, const struct object_id *head)
{
	struct tag_at t = { head, NULL };

	refs_for_each(ws->refs, find_tag, &t);
	return t.tag;
}

static void print_human(const struct status *s, const char *name)
{
	char *tag = s->have_head ? tag_at(s->ws, &s->head) : NULL;

	static const char *const titles[] = {
		"Changes to commit:",
		"Files missing (restore them or 'quire rm' the entries):",
		"New files in added folders (not staged; 'quire add' them):",
		"Ignored files (not staged; 'quire add -f' adds them):",
	};
	static const char *const codes[] = { "ADMmP", "!", "?", "I" };
	size_t i;
	int g, clean = 1;

	printf("On package %s%s%s, ", name ? name : "(no name)",
	       tag ? ":" : "", tag ? tag : "");
	free(tag);
	if (s->have_head)
		printf("HEAD %s\n", short_hash(&s->head));
	else
		printf("no commits yet\n");
	for (g = 0; g < 4; g++) {
		int shown = 0;

		for (i = 0; i < s->nr; i++) {
			if (!strchr(codes[g], s->items[i].code))
				continue;
			if (!shown++)
				printf("\n%s\n", titles[g]);
			if (g == 0)
				printf("\t%-9s %s\n",
				       status_word(s->items[i].code),
				       s->items[i].key);
			else
				printf("\t%s\n", s->items[i].key);
			if (g < 3)
				clean = 0;	/* ignored files do not count */
		}
	}
	if (s->local)
		printf("\n%" PRIu64 " entr%s point%s to local files; 'quire "
		       "push' copies them to a registry.\n", s->local,
		       s->local == 1 ? "y" : "ies", s->local == 1 ? "s" : "");
	if (clean)
		printf("\nnothing to commit\n");
}

static void print_json(const struct status *s, const char *name)
{
	struct json *o = status_json(s, name);
	struct strbuf out = STRBUF_INIT;

	json_write_python(&out, o);
	printf("%s\n", out.buf);
	json_free(o);
	strbuf_release(&out);
}

/* One item a line, the key quoted when it must be; -z: NUL-terminated. */
static void print_porcelain(const struct status *s, int nul)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	for (i = 0; i < s->nr; i++) {
		const char *key = s->items[i].key;

		strbuf_reset(&sb);
		strbuf_addch(&sb, s->items[i].code);
		strbuf_addch(&sb, ' ');
		if (nul)
			strbuf_addstr(&sb, key);
		else
			strbuf_add_quoted_name(&sb, key, strlen(key));
		strbuf_addch(&sb, nul ? '\0' : '\n');
		fwrite(sb.buf, 1, sb.len, stdout);
	}
	strbuf_release(&sb);
}

/* The workspace of the <dir> operand, else the one found from here. */
static struct workspace *status_workspace(int argc, const char **argv,
					  struct workspace *found,
					  struct workspace **opened)
{
	struct strbuf err = STRBUF_INIT;

	*opened = NULL;
	if (argc && folder_check_workspace(argv[0], opened, &err) < 0)
		die("%s", err.buf);
	if (argc)
		return *opened;
	if (!found)
		die("not in a quire workspace (or any of its parent folders); "
		    "run 'quire init' to make one, or name one: 'quire "
		    "status <dir>'");
	return found;
}

int cmd_status(int argc, const char **argv, const char *prefix,
	       struct workspace *found)
{
	struct workspace *ws, *opened;
	struct strbuf err = STRBUF_INIT;
	struct status s = { 0 };
	int porcelain = 0, json = 0, nul = 0, show_ignored = 0;
	struct option options[] = {
		OPT_BOOL(0, "porcelain", &porcelain,
			 "stable output for scripts: a code and a key a line"),
		OPT_BOOL('z', NULL, &nul,
			 "with --porcelain: end each line with NUL, keys "
			 "unquoted"),
		OPT_BOOL(0, "json", &json,
			 "output as a JSON object (see quire-json(7))"),
		OPT_BOOL(0, "ignored", &show_ignored,
			 "also list the ignored files of added folders"),
		OPT__PROGRESS(),
		OPT_END()
	};

	argc = parse_options(argc, argv, prefix, options, status_usage, 0);
	if (nul)
		porcelain = 1;
	if (argc > 1 || (porcelain && json))
		usage_with_options(status_usage, options);
	ws = status_workspace(argc, argv, found, &opened);
	if (status_collect(ws, show_ignored ? STATUS_IGNORED : 0, &s,
			   &err) < 0)
		die("%s", err.buf);
	if (json)
		print_json(&s, workspace_package_name(ws));
	else if (porcelain)
		print_porcelain(&s, nul);
	else
		print_human(&s, workspace_package_name(ws));
	status_release(&s);
	workspace_free(opened);
	strbuf_release(&err);
	return 0;
}
