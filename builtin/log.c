#include "builtin.h"
#include "json-out.h"
#include "parse-options.h"
#include "version-log.h"
#include <time.h>

static const char * const log_usage[] = {
	"quire log [-n <count>] [--oneline | --format=<format> | --json]\n"
	"          [--registry <registry>] [<namespace>/<name>]",
	NULL
};

enum log_format { LOG_LONG, LOG_ONELINE, LOG_FORMAT, LOG_JSON };

struct log_opts {
	enum log_format format;
	const char *fmt;		/* --format */
	struct json_list list;		/* --json: the versions */
};

/* "HEAD, tag: v1" (or "" when there is nothing to say). */
static void decorations(const struct version_log_entry *v, struct strbuf *out)
{
	size_t i;

	if (v->ref)
		strbuf_addstr(out, v->ref);
	for (i = 0; i < v->tags.nr; i++)
		strbuf_addf(out, "%stag: %s", out->len ? ", " : "",
			    v->tags.items[i]);
}

static void format_time(uint64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M:%S UTC", &tm);
}

static void print_long(const struct version_log_entry *v)
{
	struct strbuf deco = STRBUF_INIT;
	char when[64];

	decorations(v, &deco);
	format_time(v->time, when, sizeof(when));
	printf("%s", oid_to_hex(&v->top));
	if (deco.len)
		printf(" (%s)", deco.buf);
	printf("\n\t%s\t%s\n", when, v->message);
	strbuf_release(&deco);
}

/* The first line of a message, for --oneline and %s. */
static void add_subject(struct strbuf *out, const char *msg)
{
	strbuf_add(out, msg, strcspn(msg, "\n"));
}

static void print_oneline(const struct version_log_entry *v)
{
	struct strbuf line = STRBUF_INIT, deco = STRBUF_INIT;

	strbuf_addstr(&line, short_hash(&v->top));
	decorations(v, &deco);
	if (deco.len)
		strbuf_addf(&line, " (%s)", deco.buf);
	strbuf_addch(&line, ' ');
	add_subject(&line, v->message);
	printf("%s\n", line.buf);
	strbuf_release(&line);
	strbuf_release(&deco);
}

/*
 * Expand the placeholder at fmt (just after its '%') into out; the
 * length of the placeholder, or 0 when it is not one.
 */
static size_t expand(struct strbuf *out, const char *fmt,
		     const struct version_log_entry *v)
{
	struct strbuf deco = STRBUF_INIT;
	char when[64];
	size_t n = 1;

	switch (*fmt) {
	case 'H':
		strbuf_addstr(out, oid_to_hex(&v->top));
		break;
	case 'h':
		strbuf_addstr(out, short_hash(&v->top));
		break;
	case 's':
		add_subject(out, v->message);
		break;
	case 'B':
		strbuf_addstr(out, v->message);
		break;
	case 'd':
	case 'D':
		decorations(v, &deco);
		if (deco.len)
			strbuf_addf(out, *fmt == 'd' ? " (%s)" : "%s",
				    deco.buf);
		break;
	case 'n':
		strbuf_addch(out, '\n');
		break;
	case '%':
		strbuf_addch(out, '%');
		break;
	case 'a':
		n = 2;
		if (fmt[1] == 't') {
			strbuf_addf(out, "%" PRIu64, v->time);
		} else if (fmt[1] == 'd') {
			format_time(v->time, when, sizeof(when));
			strbuf_addstr(out, when);
		} else if (fmt[1] == 'I') {
			json_format_time(out, v->time);
		} else {
			n = 0;
		}
		break;
	default:
		n = 0;
	}
	strbuf_release(&deco);
	return n;
}

static void bad_placeholder(const char *p)
{
	die("--format: unknown placeholder '%%%.1s'; use %%H %%h %%s %%B "
	    "%%d %%D %%ad %%at %%aI %%n or %%%%", p);
}

/* Expand fmt for v into out; dies at an unknown placeholder. */
static void format_version(struct strbuf *out, const char *fmt,
			   const struct version_log_entry *v)
{
	const char *p;

	for (p = fmt; *p; p++) {
		if (*p == '%') {
			size_t n = expand(out, p + 1, v);

			if (!n)
				bad_placeholder(p + 1);
			p += n;
		} else {
			strbuf_addch(out, *p);
		}
	}
}

static void print_format(const char *fmt, const struct version_log_entry *v)
{
	struct strbuf out = STRBUF_INIT;

	format_version(&out, fmt, v);
	printf("%s\n", out.buf);
	strbuf_release(&out);
}

/* Refuse a format with an unknown placeholder before printing anything. */
static void check_format(const char *fmt)
{
	struct version_log_entry v = { 0 };
	struct strbuf out = STRBUF_INIT;

	v.message = "";
	format_version(&out, fmt, &v);
	strbuf_release(&out);
}

/* Print version i of log in the chosen format, its message read first. */
static void show(struct workspace *ws, struct version_log *log, size_t i,
		 struct log_opts *o)
{
	struct strbuf err = STRBUF_INIT;
	const struct version_log_entry *v = &log->v[i];

	if (version_log_read_message(log, ws, i, &err) < 0)
		die("%s", err.buf);
	switch (o->format) {
	case LOG_LONG:
		print_long(v);
		break;
	case LOG_ONELINE:
		print_oneline(v);
		break;
	case LOG_FORMAT:
		print_format(o->fmt, v);
		break;
	case LOG_JSON:
		json_list_add(&o->list, version_log_entry_json(v));
		break;
	}
	strbuf_release(&err);
}

/*
 * Print the versions as they are read (each opens a manifest, maybe
 * afar): --json's object is begun first and ended last.
 */
static int print_log(struct workspace *ws, struct version_log *log,
		     struct log_opts *o)
{
	size_t i;

	if (o->format == LOG_JSON)
		json_list_begin(&o->list, version_log_head_json(log),
				"versions");
	for (i = 0; i < log->nr; i++)
		show(ws, log, i, o);
	if (o->format == LOG_JSON)
		json_list_end(&o->list, NULL);
	version_log_release(log);
	return 0;
}

int cmd_log(int argc, const char **argv, const char *prefix,
	    struct workspace *ws)
{
	const char *reg = NULL;
	unsigned long max = 0;
	int oneline = 0, json = 0;
	struct log_opts o = { LOG_LONG, NULL, { 0 } };
	struct strbuf err = STRBUF_INIT;
	struct version_log log;
	int ret;
	struct option options[] = {
		OPT_ULONG('n', "max-count", &max, "count",
			  "show at most this many versions"),
		OPT_BOOL(0, "oneline", &oneline,
			 "one line a version: short hash and message"),
		OPT_STRING(0, "format", &o.fmt, "format",
			   "print each version by this format (%H, %h, %s, "
			   "%ad, ...)"),
		OPT_BOOL(0, "json", &json,
			 "one JSON object holding the versions"),
		OPT__REGISTRY(&reg),
		OPT_END()
	};

	argc = parse_options(argc, argv, prefix, options, log_usage, 0);
	if (argc > 1 || oneline + json + !!o.fmt > 1)
		usage_with_options(log_usage, options);
	o.format = oneline ? LOG_ONELINE : json ? LOG_JSON :
		   o.fmt ? LOG_FORMAT : LOG_LONG;
	if (o.fmt)
		check_format(o.fmt);
	if (argc)
		ret = version_log_registry(&log, ws, reg, argv[0], max, &err);
	else if (!ws)
		die("not in a quire workspace; give a package: quire log "
		    "ns/name");
	else
		ret = version_log_workspace(&log, ws, max, &err);
	if (ret < 0)
		die("%s", err.buf);
	strbuf_release(&err);
	return print_log(ws, &log, &o);
}
