#include "builtin.h"
#include "ignore.h"
#include "index-db.h"
#include "parse-options.h"
#include "workspace.h"

static const char * const check_ignore_usage[] = {
	"quire check-ignore [-v [-n]] [--no-index] [-z] <path>...",
	NULL
};

struct check {
	struct workspace *ws;
	int verbose, non_matching, no_index, nul;
};

/* The pattern as its line says it: "!" and a trailing '/' back on. */
static void add_pattern_text(struct strbuf *sb, const struct ignore_pattern *p)
{
	if (p->flags & IGNORE_NEGATIVE)
		strbuf_addch(sb, '!');
	strbuf_addstr(sb, p->text);
	if (p->flags & IGNORE_DIR_ONLY)
		strbuf_addch(sb, '/');
}

/* Check one path: 1 it is ignored, 0 not. */
static int check_one(struct check *c, const char *arg)
{
	const struct ignore_pattern *p = NULL;
	const struct ignore_list *from = NULL;
	const char *root, *rel;
	struct strbuf line = STRBUF_INIT;
	char *abs = absolute_path(arg);
	size_t len = strlen(arg);
	struct ignore ig;
	struct stat st;
	int is_dir, ignored;

	is_dir = (len && arg[len - 1] == '/') ||
		 (!stat(abs, &st) && S_ISDIR(st.st_mode));
	ignore_root_of(c->ws->root, abs, is_dir, &root, &rel);
	if (root && *rel) {
		ignore_init(&ig, root);
		p = ignore_path(&ig, rel, is_dir, &from);
		/* a staged file stays: no rule holds for it */
		if (p && !c->no_index && !is_dir &&
		    idx_has_path(c->ws->idx, abs))
			p = NULL;
	}
	ignored = p && !(p->flags & IGNORE_NEGATIVE);
	if (c->verbose && p) {
		strbuf_addf(&line, "%s%c%d%c", from->src, c->nul ? '\0' : ':',
			    p->line, c->nul ? '\0' : ':');
		add_pattern_text(&line, p);
		strbuf_addch(&line, c->nul ? '\0' : '\t');
	} else if (c->verbose && c->non_matching) {
		strbuf_addstr(&line, c->nul ? "\0\0\0" : "::\t");
		if (c->nul)
			line.len = 3;	/* three empty fields */
	}
	if (ignored || (c->verbose && (p || c->non_matching))) {
		strbuf_addstr(&line, arg);
		strbuf_addch(&line, c->nul ? '\0' : '\n');
		fwrite(line.buf, 1, line.len, stdout);
	}
	if (root && *rel)
		ignore_release(&ig);
	strbuf_release(&line);
	free(abs);
	return ignored;
}

int cmd_check_ignore(int argc, const char **argv, const char *prefix,
		     struct workspace *ws)
{
	struct check c = { ws, 0, 0, 0, 0 };
	struct strbuf err = STRBUF_INIT;
	int i, any = 0;
	struct option options[] = {
		OPT_BOOL('v', "verbose", &c.verbose,
			 "show the ignore file, line and pattern that matched"),
		OPT_BOOL('n', "non-matching", &c.non_matching,
			 "with -v: show the paths no pattern matches too"),
		OPT_BOOL(0, "no-index", &c.no_index,
			 "check staged files too (they stay staged)"),
		OPT_BOOL('z', NULL, &c.nul,
			 "end each field with NUL, paths unquoted"),
		OPT_END()
	};

	argc = parse_options(argc, argv, prefix, options, check_ignore_usage,
			     0);
	if (argc < 1)
		usage_with_options(check_ignore_usage, options);
	if (c.non_matching && !c.verbose)
		usage_msg_opt("-n needs -v", check_ignore_usage, options);
	if (!c.no_index && workspace_index(ws, &err) < 0)
		die("%s", err.buf);
	for (i = 0; i < argc; i++) {
		if (!*argv[i])
			die("'' is not a path; name a file or folder");
		any |= check_one(&c, argv[i]);
	}
	strbuf_release(&err);
	return any ? 0 : 1;
}
