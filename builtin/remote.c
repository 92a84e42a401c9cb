#include "builtin.h"
#include "parse-options.h"
#include "redact.h"

static const char * const remote_usage[] = {
	"quire remote add <name> <url>",
	"quire remote remove <name>",
	"quire remote [list] [-v]",
	NULL
};

static int valid_remote_name(const char *name)
{
	const char *p;

	if (!*name || !((*name >= 'a' && *name <= 'z') ||
			(*name >= 'A' && *name <= 'Z')))
		return 0;
	for (p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'))
			return 0;
	return 1;
}

static void remote_key(struct strbuf *sb, const char *name)
{
	strbuf_reset(sb);
	strbuf_addf(sb, "remote.%s.url", name);
}

int cmd_remote(int argc, const char **argv, const char *prefix,
	       struct workspace *ws)
{
	struct strbuf key = STRBUF_INIT, err = STRBUF_INIT;
	struct strbuf shown = STRBUF_INIT;
	int verbose = 0;
	size_t i;
	struct option options[] = {
		OPT_BOOL('v', "verbose", &verbose, "show the URLs too"),
		OPT_END()
	};

	argc = parse_options(argc, argv, prefix, options, remote_usage, 0);
	if (!argc || !strcmp(argv[0], "list")) {
		if (argc > 1)
			usage_with_options(remote_usage, options);
		for (i = 0; i < ws->config.nr; i++) {
			const char *k = ws->config.entries[i].key;
			size_t len = strlen(k);

			if (strncmp(k, "remote.", 7) || len < 12 ||
			    strcmp(k + len - 4, ".url"))
				continue;
			strbuf_reset(&shown);
			if (verbose)
				redact_url(&shown, ws->config.entries[i].value);
			printf("%.*s%s%s\n", (int)(len - 11), k + 7,
			       verbose ? "\t" : "", shown.buf);
		}
		strbuf_release(&shown);
		return 0;
	}
	if (!strcmp(argv[0], "add")) {
		if (argc != 3)
			usage_with_options(remote_usage, options);
		if (!valid_remote_name(argv[1]))
			die("invalid remote name '%s': use letters, digits, "
			    "'-' and '_'", argv[1]);
		remote_key(&key, argv[1]);
		if (config_get(&ws->config, key.buf))
			die("remote '%s' already exists; remove it first",
			    argv[1]);
		if (strncmp(argv[2], "s3://", 5) &&
		    strncmp(argv[2], "file://", 7) && argv[2][0] != '/') {
			redact_url(&shown, argv[2]);
			die("'%s' is not a registry URL: use "
			    "s3://bucket/prefix, file:///path or an absolute "
			    "path", shown.buf);
		}
		if (workspace_config_set(ws, key.buf, argv[2], &err) < 0)
			die("%s", err.buf);
	} else if (!strcmp(argv[0], "remove") || !strcmp(argv[0], "rm")) {
		if (argc != 2)
			usage_with_options(remote_usage, options);
		remote_key(&key, argv[1]);
		if (!config_get(&ws->config, key.buf))
			die("no remote '%s'", argv[1]);
		if (workspace_config_set(ws, key.buf, NULL, &err) < 0)
			die("%s", err.buf);
	} else {
		usage_msg_opt("unknown subcommand", remote_usage, options);
	}
	strbuf_release(&key);
	strbuf_release(&err);
	strbuf_release(&shown);
	return 0;
}
