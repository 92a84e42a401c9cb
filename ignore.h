#ifndef IGNORE_H
#define IGNORE_H

#include "strbuf.h"

/*
 * .quireignore files: gitignore(5)'s syntax and rules. A file's patterns
 * apply below its folder; a deeper file's patterns, and later lines,
 * win over earlier ones; a path below an excluded folder stays excluded
 * whatever a later "!" says (the walk never goes into the folder).
 *
 * A walk keeps a struct ignore beside it: ignore_begin() for the folder
 * it starts in, ignore_enter() and ignore_leave() as it goes down and
 * back up, ignore_excluded() for each name in the current folder.
 * Patterns are parsed once, when a file is read. With no ignore file
 * anywhere, a check is a loop over no lists.
 */

#define IGNORE_FILE ".quireignore"

enum ignore_pattern_flags {
	IGNORE_NEGATIVE = (1 << 0),	/* "!pattern" */
	IGNORE_DIR_ONLY = (1 << 1),	/* "pattern/" */
	IGNORE_BASENAME = (1 << 2),	/* no '/': matched against the name */
	IGNORE_LITERAL = (1 << 3),	/* no wildcard: compared */
	IGNORE_SUFFIX = (1 << 4),	/* '*', then a literal: the end */
};

struct ignore_pattern {
	char *text;	/* as written: no '!', no trailing '/', escapes kept */
	char *match;	/* what is matched: text without a leading '/' */
	size_t match_len;
	unsigned flags;
	int line;
};

struct ignore_list {
	char *src;		/* the file, relative to the walk's root */
	size_t base_len;	/* its folder's length in ignore.path */
	struct ignore_pattern *p;
	size_t nr, alloc;
};

struct ignore_level {
	size_t path_len;
	struct ignore_list *list;	/* NULL: the folder has none */
	uint64_t sig;			/* of its ignore file; 0: none */
};

struct ignore {
	char *root;		/* absolute; the patterns' paths are below */
	struct strbuf path;	/* the current folder: "" or "a/b/" */
	struct ignore_level *levels;
	size_t nr, alloc;
	struct strbuf scratch;
	uint64_t begin_sig;	/* of the files ignore_begin() read */
};

#define IGNORE_INIT { NULL, STRBUF_INIT, NULL, 0, 0, STRBUF_INIT, 0 }

/* Take root (copied): the folder whose .quireignore is the outermost. */
void ignore_init(struct ignore *ig, const char *root);
void ignore_release(struct ignore *ig);

/*
 * Start a walk in the folder rel below the root ("" for the root, "a/b"
 * below it), reading the ignore files of the root, of each folder on the
 * way and of rel itself. 1 when rel or a folder on the way is excluded
 * (*hit, when hit is not NULL, is the pattern and *from its list), else
 * 0.
 */
int ignore_begin(struct ignore *ig, const char *rel,
		 const struct ignore_pattern **hit,
		 const struct ignore_list **from);

/*
 * Go down into the folder name of the current folder; dfd is that
 * folder, open. Its ignore file is read when probe is set (with probe
 * 0 the caller knows that it has none).
 */
void ignore_enter(struct ignore *ig, int dfd, const char *name, int probe);
/* Back up to the folder ignore_enter() left. */
void ignore_leave(struct ignore *ig);

/* Was an ignore file read for the current folder or one above it? */
int ignore_any(const struct ignore *ig);

/* The ignore file of the current folder, as a number (0: none). */
uint64_t ignore_sig(const struct ignore *ig);

/*
 * The last pattern that matches name (a folder when is_dir) in the
 * current folder, and its list in *from (when not NULL); NULL when none
 * does. The name is excluded when a pattern matches and is not negative.
 */
const struct ignore_pattern *ignore_lookup(struct ignore *ig,
					   const char *name, int is_dir,
					   const struct ignore_list **from);
int ignore_excluded(struct ignore *ig, const char *name, int is_dir);

/*
 * One path, not a walk: rel (below the root) is excluded by the pattern
 * returned (negative: a pattern says it is not), or by the pattern of a
 * folder on its way; NULL when no pattern matches. ig is begun afresh.
 */
const struct ignore_pattern *ignore_path(struct ignore *ig, const char *rel,
					 int is_dir,
					 const struct ignore_list **from);

/*
 * For a path (absolute) in or below ws_root: the root of the ignore
 * rules that apply to it (ws_root, or for a path outside the workspace
 * the folder itself) in *root, and the path below it in *rel ("" for
 * the root itself). Both borrowed from the arguments; NULL *root: no
 * rules apply (a file outside the workspace).
 */
void ignore_root_of(const char *ws_root, const char *abspath, int is_dir,
		    const char **root, const char **rel);

/* gitignore's matching of text against pattern: 0 on a match. */
int ignore_wildmatch(const char *pattern, const char *text);

/* The lines init writes into a new workspace's .quireignore. */
extern const char ignore_default_text[];

/*
 * Write dir/.quireignore with ignore_default_text unless one exists:
 * 1 written, 0 one was there, <0 with err.
 */
int ignore_write_default(const char *dir, struct strbuf *err);

/*
 * When dir is inside a git work tree (a ".git" folder, or a ".git" file
 * "gitdir: <path>", in dir or above it), add ".quire/" to that
 * repository's info/exclude unless a line says so already (kept whole:
 * a new file is renamed over it). 1 added (the exclude file's path in
 * *where, when not NULL),
 * 0 nothing to do, <0 with err.
 */
int ignore_git_exclude(const char *dir, struct strbuf *where,
		       struct strbuf *err);

#endif
