#include "quire-compat.h"
#include "strbuf.h"
#include "parse-options.h"

static void print_usage(FILE *out, const char * const usagestr[],
			const struct option *opts)
{
	const struct option *o;
	int i;

	for (i = 0; usagestr[i]; i++)
		fprintf(out, "%s%s\n", i ? "   or: " : "usage: ", usagestr[i]);
	if (opts->type == OPTION_END)
		return;
	fputc('\n', out);
	for (o = opts; o->type != OPTION_END; o++) {
		struct strbuf sb = STRBUF_INIT;

		strbuf_addstr(&sb, "    ");
		if (o->short_name)
			strbuf_addf(&sb, "-%c", o->short_name);
		if (o->short_name && o->long_name)
			strbuf_addstr(&sb, ", ");
		if (o->long_name)
			strbuf_addf(&sb, "--%s", o->long_name);
		if (o->argh)
			strbuf_addf(&sb, " <%s>", o->argh);
		if (sb.len < 26)
			fprintf(out, "%-26s%s\n", sb.buf, o->help);
		else
			fprintf(out, "%s\n%26s%s\n", sb.buf, "", o->help);
		strbuf_release(&sb);
	}
}

void usage_with_options(const char * const usagestr[],
			const struct option *options)
{
	print_usage(stderr, usagestr, options);
	exit(129);
}

void usage_msg_opt(const char *msg, const char * const usagestr[],
		   const struct option *options)
{
	error("%s", msg);	/* the reporter redacts URLs */
	fputc('\n', stderr);
	usage_with_options(usagestr, options);
}

static NORETURN void bad_option(const char *what, const char * const u[],
				const struct option *opts)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addf(&sb, "unknown option '%s'", what);
	usage_msg_opt(sb.buf, u, opts);
}

/* Store arg (NULL for a flag) into the option; 0 or -1 on a bad value. */
static int apply(const struct option *o, const char *arg, int unset,
		 const char * const u[], const struct option *opts)
{
	struct strbuf msg = STRBUF_INIT;
	uint64_t n;

	switch (o->type) {
	case OPTION_BOOL:
		*(int *)o->value = unset ? 0 : 1;
		return 0;
	case OPTION_COUNTUP:
		*(int *)o->value = unset ? 0 : *(int *)o->value + 1;
		if (o->defval == PARSE_OPT_QUIETS_PROGRESS)
			progress_set_quiet(*(int *)o->value);
		return 0;
	case OPTION_SET_INT:
		*(int *)o->value = unset ? 0 : (int)o->defval;
		return 0;
	case OPTION_STRING:
		*(const char **)o->value = unset ? NULL : arg;
		return 0;
	case OPTION_ULONG:
		if (parse_u64(arg, &n) || n > ULONG_MAX) {
			strbuf_addf(&msg, "option '%s' expects a number, not "
				    "'%s'", o->long_name ? o->long_name : "",
				    arg);
			usage_msg_opt(msg.buf, u, opts);
		}
		*(unsigned long *)o->value = (unsigned long)n;
		return 0;
	case OPTION_CALLBACK:
		return o->callback(o, unset ? NULL : arg);
	case OPTION_STRING_LIST:
	case OPTION_STRING_PAIRS:
		if (unset)
			string_list_clear(o->value);
		else
			string_list_append(o->value, arg);
		return 0;
	case OPTION_END:
		break;
	}
	BUG("bad option type %d", o->type);
}

static int takes_arg(const struct option *o)
{
	return o->type == OPTION_STRING || o->type == OPTION_ULONG ||
	       o->type == OPTION_STRING_LIST ||
	       o->type == OPTION_STRING_PAIRS ||
	       (o->type == OPTION_CALLBACK && o->argh);
}

static const struct option *find_long(const struct option *opts,
				      const char *name, size_t len)
{
	const struct option *o;

	for (o = opts; o->type != OPTION_END; o++)
		if (o->long_name && strlen(o->long_name) == len &&
		    !memcmp(o->long_name, name, len))
			return o;
	return NULL;
}

static const struct option *find_short(const struct option *opts, int c)
{
	const struct option *o;

	for (o = opts; o->type != OPTION_END; o++)
		if (o->short_name == c)
			return o;
	return NULL;
}

static void need_arg(const struct option *o, const char * const u[],
		     const struct option *opts)
{
	struct strbuf msg = STRBUF_INIT;

	if (o->type == OPTION_STRING_PAIRS)
		strbuf_addf(&msg, "option '--%s' requires two values",
			    o->long_name);
	else if (o->long_name)
		strbuf_addf(&msg, "option '--%s' requires a value",
			    o->long_name);
	else
		strbuf_addf(&msg, "switch '-%c' requires a value",
			    o->short_name);
	usage_msg_opt(msg.buf, u, opts);
}

static int parse_long(const char *arg, int *i, int argc, const char **argv,
		      const char * const u[], const struct option *opts)
{
	const char *eq = strchr(arg, '=');
	size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
	const struct option *o = find_long(opts, arg, len);
	int unset = 0;

	if (!o && len > 3 && !memcmp(arg, "no-", 3)) {
		o = find_long(opts, arg + 3, len - 3);
		if (o && takes_arg(o) && o->type != OPTION_STRING)
			o = NULL;
		unset = 1;
	}
	if (!o)
		bad_option(argv[*i], u, opts);
	if (unset || !takes_arg(o)) {
		if (eq)
			usage_msg_opt("this option takes no value", u, opts);
		return apply(o, NULL, unset, u, opts);
	}
	if (!eq) {
		if (*i + 1 >= argc)
			need_arg(o, u, opts);
		(*i)++;
	}
	if (o->type == OPTION_STRING_PAIRS) {
		if (*i + 1 >= argc)
			need_arg(o, u, opts);
		string_list_append(o->value, eq ? eq + 1 : argv[*i]);
		(*i)++;
	}
	return apply(o, eq ? eq + 1 : argv[*i], 0, u, opts);
}

static int parse_short(const char *arg, int *i, int argc, const char **argv,
		       const char * const u[], const struct option *opts)
{
	for (; *arg; arg++) {
		const struct option *o = find_short(opts, *arg);
		char bad[3] = { '-', *arg, '\0' };

		if (!o)
			bad_option(bad, u, opts);
		if (!takes_arg(o)) {
			if (apply(o, NULL, 0, u, opts) < 0)
				return -1;
			continue;
		}
		if (arg[1])
			return apply(o, arg + 1, 0, u, opts);
		if (*i + 1 >= argc)
			need_arg(o, u, opts);
		(*i)++;
		return apply(o, argv[*i], 0, u, opts);
	}
	return 0;
}

/*
 * --list-options, the shell completion's question: every long option on
 * one line, "--name=" for those that take a value.
 */
static NORETURN void list_options(const struct option *opts)
{
	const struct option *o;
	const char *sep = "";

	for (o = opts; o->type != OPTION_END; o++) {
		if (!o->long_name)
			continue;
		printf("%s--%s%s", sep, o->long_name, takes_arg(o) ? "=" : "");
		sep = " ";
	}
	putchar('\n');
	exit(fflush(stdout) || ferror(stdout) ? 128 : 0);
}

int parse_options(int argc, const char **argv, const char *prefix,
		  const struct option *options,
		  const char * const usagestr[], int flags)
{
	int i, out = 0;

	for (i = 1; i < argc; i++) {
		const char *arg = argv[i];
		int ret;

		if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
			print_usage(stdout, usagestr, options);
			exit(0);
		}
		if (!strcmp(arg, "--list-options"))
			list_options(options);
		if (!strcmp(arg, "--")) {
			for (i++; i < argc; i++)
				argv[out++] = argv[i];
			break;
		}
		if (arg[0] != '-' || !arg[1]) {
			if (flags & PARSE_OPT_STOP_AT_NON_OPTION) {
				for (; i < argc; i++)
					argv[out++] = argv[i];
				break;
			}
			argv[out++] = arg;
			continue;
		}
		if (arg[1] == '-')
			ret = parse_long(arg + 2, &i, argc, argv, usagestr,
					 options);
		else
			ret = parse_short(arg + 1, &i, argc, argv, usagestr,
					  options);
		if (ret < 0)
			usage_with_options(usagestr, options);
	}
	argv[out] = NULL;
	return out;
}
