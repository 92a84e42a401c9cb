#ifndef PARSE_OPTIONS_H
#define PARSE_OPTIONS_H

#include "progress.h"
#include "string-list.h"

/*
 * Command-line options, git style. A command declares
 *
 *	struct option options[] = {
 *		OPT_BOOL('w', "write", &write, "store the object"),
 *		OPT_STRING(0, "type", &type, "T", "hash type"),
 *		OPT_STRING_LIST(0, "input", &inputs, "path", "repeatable"),
 *		OPT_END()
 *	};
 *	argc = parse_options(argc, argv, prefix, options, usage, 0);
 *
 * and gets back its operands in argv[0..argc). "-h" and "--help" print
 * the usage to stdout and exit 0; "--list-options" (for the shell
 * completion) prints the long options on one line and exits 0; a bad
 * option prints the usage to stderr and exits 129. Long options take
 * "--name=value" or "--name value"; a bool also takes "--no-name"; short
 * options bundle ("-wz").
 */
enum parse_opt_type {
	OPTION_END,
	OPTION_BOOL,	/* int: 1 (or 0 with --no-) */
	OPTION_COUNTUP,	/* int: +1 each time (e.g. -q -q) */
	OPTION_SET_INT,	/* int: defval */
	OPTION_STRING,	/* const char *: the argument */
	OPTION_ULONG,	/* unsigned long: a checked number */
	OPTION_CALLBACK,	/* fn(opt, arg) */
	OPTION_STRING_LIST,	/* struct string_list: one item each time */
	OPTION_STRING_PAIRS,	/* struct string_list: two items each time */
};

struct option;
typedef int parse_opt_cb(const struct option *opt, const char *arg);

struct option {
	enum parse_opt_type type;
	int short_name;
	const char *long_name;
	void *value;
	const char *argh;	/* name of the argument in help, NULL: none */
	const char *help;
	intptr_t defval;
	parse_opt_cb *callback;
};

#define OPT_END() { OPTION_END, 0, NULL, NULL, NULL, NULL, 0, NULL }
#define OPT_BOOL(s, l, v, h) { OPTION_BOOL, (s), (l), (v), NULL, (h), 1, NULL }
/*
 * The command's -q, counted into v. It also quiets progress meters for
 * the whole process (progress_set_quiet()), unless --progress is given.
 */
#define OPT__QUIET(v) \
	{ OPTION_COUNTUP, 'q', "quiet", (v), NULL, "say less", \
	  PARSE_OPT_QUIETS_PROGRESS, NULL }
/*
 * --progress: a progress meter on stderr even when it is not a terminal
 * (and despite -q); --no-progress: none. Process-wide (progress.h).
 */
#define OPT__PROGRESS() \
	OPT_BOOL(0, "progress", &progress_option, \
		 "force the progress meter (--no-progress: none)")
/*
 * -r, --registry: the registry a command talks to -- a remote's name, a
 * URL or a folder -- on every command that talks to one (porcelain.h).
 */
#define OPT__REGISTRY(v) \
	OPT_STRING('r', "registry", (v), "registry", \
		   "the registry: a remote, a URL or a folder")
#define OPT_COUNTUP(s, l, v, h) \
	{ OPTION_COUNTUP, (s), (l), (v), NULL, (h), 0, NULL }
#define OPT_SET_INT(s, l, v, h, i) \
	{ OPTION_SET_INT, (s), (l), (v), NULL, (h), (i), NULL }
#define OPT_STRING(s, l, v, a, h) \
	{ OPTION_STRING, (s), (l), (v), (a), (h), 0, NULL }
#define OPT_ULONG(s, l, v, a, h) \
	{ OPTION_ULONG, (s), (l), (v), (a), (h), 0, NULL }
#define OPT_STRING_LIST(s, l, v, a, h) \
	{ OPTION_STRING_LIST, (s), (l), (v), (a), (h), 0, NULL }
/* "--name <a> <b>" (long only); a is written "a> <b" for the help. */
#define OPT_STRING_PAIRS(l, v, a, h) \
	{ OPTION_STRING_PAIRS, 0, (l), (v), (a), (h), 0, NULL }
#define OPT_CALLBACK(s, l, v, a, h, f) \
	{ OPTION_CALLBACK, (s), (l), (v), (a), (h), 0, (f) }

/* OPT__QUIET()'s defval: the option is the command's -q */
#define PARSE_OPT_QUIETS_PROGRESS 1

enum parse_options_flags {
	PARSE_OPT_STOP_AT_NON_OPTION = (1 << 0),
};

int parse_options(int argc, const char **argv, const char *prefix,
		  const struct option *options,
		  const char * const usagestr[], int flags);

/* Print the usage and the options to stderr and exit 129. */
NORETURN void usage_with_options(const char * const usagestr[],
				 const struct option *options);
/* Print a message, then the usage, and exit 129. */
NORETURN void usage_msg_opt(const char *msg, const char * const usagestr[],
			    const struct option *options);

#endif
