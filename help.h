#ifndef HELP_H
#define HELP_H

#include "string-list.h"
#include "strbuf.h"
#include <stdio.h>

/*
 * The commands as command-list.txt describes them (the Makefile turns
 * it into command-list.h): a group and a one-line description each.
 * quire help, quire(1)'s list and the shell completion come from it.
 */

/* The commands, one line each, under the title of their group. */
void help_list_groups(FILE *out);
/* Every command, sorted by name, with its description. */
void help_list_all(FILE *out);
/* The description of cmd (borrowed, static), or NULL if not listed. */
const char *help_description(const char *cmd);
/* Is name a guide (a page of concepts: json, revisions, ...)? */
int help_is_guide(const char *name);

/*
 * The Damerau-Levenshtein distance from a to b (its optimal string
 * alignment form): the least cost of turning a into b by swapping two
 * neighbouring characters (swap), replacing one (sub), adding one (add)
 * or deleting one (del).
 */
int help_distance(const char *a, const char *b, int swap, int sub, int add,
		  int del);

/*
 * The names among cands[0..nr) closest to typed, in their order, appended
 * to out: a candidate that typed starts is closest; none when nothing is
 * near enough to be a likely typo.
 */
void help_similar(const char *typed, const char *const *cands, size_t nr,
		  struct string_list *out);

/*
 * Where the manual of page (e.g. "quire-add") is. Returns 1 when man(1)
 * finds it (installed, or below QUIRE_MAN_PATH, which help_man_path()
 * adds to MANPATH); 0 with the path of the page built by 'make doc' in
 * path ($QUIRE_DOC_DIR, or the source tree's Documentation/);
 * QERR_NOTFOUND with err saying where it looked when there is neither.
 */
int help_find_manual(const char *page, struct strbuf *path,
		     struct strbuf *err);
/* MANPATH with the installed pages' folder added (for man to search). */
void help_man_path(struct strbuf *out);

#endif
