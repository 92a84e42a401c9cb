#include "quire-compat.h"
#include "help.h"
#include "run-command.h"

struct help_group {
	const char *id;
	const char *title;
};

struct help_cmd {
	const char *name;
	const char *group;
	const char *help;
};

#include "command-list.h"	/* made from command-list.txt */

#ifndef QUIRE_MAN_PATH
#define QUIRE_MAN_PATH "/usr/local/share/man"
#endif
#ifndef QUIRE_DOC_DIR
#define QUIRE_DOC_DIR "Documentation"
#endif

/* Two blanks after the widest name, as git's help does. */
static int name_width(void)
{
	size_t i;
	int w = 0;

	for (i = 0; i < ARRAY_SIZE(help_cmds); i++)
		if ((int)strlen(help_cmds[i].name) > w)
			w = strlen(help_cmds[i].name);
	return w + 2;
}

/* The pages that are no command: 'quire help <guide>' opens them too. */
static const struct {
	const char *name, *help;
} guides[] = {
	{ "revisions", "how to name a version, and which registry" },
	{ "credentials", "where S3 credentials come from" },
	{ "ignore", "the .quireignore file" },
	{ "json", "the fields of every --json output" },
	{ "python", "import quire: packages, builders, torch, quire://" },
	{ "databases", "lab databases: SQLite, MySQL/MariaDB, PostgreSQL" },
};

int help_is_guide(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(guides); i++)
		if (!strcmp(name, guides[i].name))
			return 1;
	return 0;
}

static void list_guides(FILE *out, int w)
{
	size_t i;

	fprintf(out, "\nguides ('quire help <guide>')\n");
	for (i = 0; i < ARRAY_SIZE(guides); i++)
		fprintf(out, "   %-*s%s\n", w, guides[i].name, guides[i].help);
}

void help_list_groups(FILE *out)
{
	int w = name_width();
	size_t g, i;

	for (g = 0; g < ARRAY_SIZE(help_groups); g++) {
		const char *id = help_groups[g].id;

		fprintf(out, "%s%s\n", g ? "\n" : "", help_groups[g].title);
		for (i = 0; i < ARRAY_SIZE(help_cmds); i++)
			if (!strcmp(help_cmds[i].group, id))
				fprintf(out, "   %-*s%s\n", w,
					help_cmds[i].name, help_cmds[i].help);
	}
	list_guides(out, w);
}

void help_list_all(FILE *out)
{
	int w = name_width();
	size_t i;

	for (i = 0; i < ARRAY_SIZE(help_cmds); i++)
		fprintf(out, "   %-*s%s\n", w, help_cmds[i].name,
			help_cmds[i].help);
}

const char *help_description(const char *cmd)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(help_cmds); i++)
		if (!strcmp(help_cmds[i].name, cmd))
			return help_cmds[i].help;
	return NULL;
}

static int min2(int a, int b)
{
	return a < b ? a : b;
}

int help_distance(const char *a, const char *b, int swap, int sub, int add,
		  int del)
{
	size_t la = strlen(a), lb = strlen(b), i, j, cols = lb + 1;
	int *d = xcalloc((la + 1) * cols, sizeof(*d));
	int ret;

	/* d[i * cols + j]: the cost of turning a[0..i) into b[0..j) */
	for (i = 0; i <= la; i++)
		d[i * cols] = i * del;
	for (j = 0; j <= lb; j++)
		d[j] = j * add;
	for (i = 1; i <= la; i++) {
		for (j = 1; j <= lb; j++) {
			int c = d[(i - 1) * cols + j - 1] +
				(a[i - 1] == b[j - 1] ? 0 : sub);

			c = min2(c, d[(i - 1) * cols + j] + del);
			c = min2(c, d[i * cols + j - 1] + add);
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1])
				c = min2(c, d[(i - 2) * cols + j - 2] + swap);
			d[i * cols + j] = c;
		}
	}
	ret = d[la * cols + lb];
	free(d);
	return ret;
}

/* At this distance or more, a name is no longer a likely typo. */
#define SIMILARITY_FLOOR 7

void help_similar(const char *typed, const char *const *cands, size_t nr,
		  struct string_list *out)
{
	int *dist = xcalloc(nr ? nr : 1, sizeof(*dist));
	int best = SIMILARITY_FLOOR;
	size_t i, len = strlen(typed);

	for (i = 0; i < nr; i++) {
		/* a prefix is the closest; a swap costs nothing, as in git */
		if (len && !strncmp(cands[i], typed, len))
			dist[i] = 0;
		else
			dist[i] = help_distance(typed, cands[i], 0, 2, 1, 3) +
				  1;
		best = min2(best, dist[i]);
	}
	for (i = 0; i < nr; i++)
		if (dist[i] == best && best < SIMILARITY_FLOOR)
			string_list_append(out, cands[i]);
	free(dist);
}

void help_man_path(struct strbuf *out)
{
	const char *old = getenv("MANPATH");

	/* a trailing ':' keeps man's own search path after ours */
	strbuf_addf(out, "%s:%s", QUIRE_MAN_PATH, old ? old : "");
}

static int man_finds(const char *page)
{
	const char *argv[] = { "man", "-w", NULL, NULL };
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	int ret;

	argv[2] = page;
	ret = run_command_capture(argv, RUN_COMMAND_QUIET, &out, 65536, &err);
	strbuf_release(&out);
	strbuf_release(&err);
	return ret == 0;
}

int help_find_manual(const char *page, struct strbuf *path,
		     struct strbuf *err)
{
	static const char sections[] = "157";
	const char *dir = getenv("QUIRE_DOC_DIR");
	size_t i;

	if (man_finds(page))
		return 1;
	/* commands are in section 1; the file's format 5, concepts 7 */
	for (i = 0; sections[i]; i++) {
		strbuf_reset(path);
		strbuf_addf(path, "%s/%s.%c", dir && *dir ? dir : QUIRE_DOC_DIR,
			    page, sections[i]);
		if (!access(path->buf, R_OK))
			return 0;
	}
	strbuf_reset(path);
	strbuf_addf(path, "%s/%s.1", dir && *dir ? dir : QUIRE_DOC_DIR, page);
	strbuf_addf(err, "no manual for '%s': man finds none (MANPATH, %s) "
		    "and '%s' is not built; run 'make doc' or 'make install'",
		    page, QUIRE_MAN_PATH, path->buf);
	return QERR_NOTFOUND;
}
