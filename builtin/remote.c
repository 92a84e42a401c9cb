#include "builtin.h"
#include "config.h"
#include "json-out.h"
#include "parse-options.h"
#include "redact.h"

static const char * const remote_usage[] = {
	"quire remote add <name> <url>",
	"quire remote remove <name>",
	"quire remote set-url <name> <url>",
	"quire remote rename <old> <new>",
	"quire remote [list] [-v] [--json]",
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

/* The remote's name when key is "remote.<name>.url", else NULL. */
static const char *remote_of(const char *key, size_t *len)
{
	size_t n = strlen(key);

	if (strncmp(key, "remote.", 7) || n < 12 || strcmp(key + n - 4, ".url"))
		return NULL;
	*len = n - 11;
	return key + 7;
}

static void list_remotes(struct workspace *ws, int verbose, int json)
{
	struct json *arr = json ? json_new_array() : NULL, *o;
	struct strbuf shown = STRBUF_INIT;
	size_t i, len;

	for (i = 0; i < ws->config.nr; i++) {
		const char *name = remote_of(ws->config.entries[i].key, &len);
		const char *url = ws->config.entries[i].value;

		if (!name)
			continue;
		if (json) {
			o = json_new_object();
			json_set(o, "remote", json_new_string(name, len));
			json_set(o, "registry", json_url(url));
			json_array_append(arr, o);
			continue;
		}
		strbuf_reset(&shown);
		if (verbose)
			redact_url(&shown, url);
		printf("%.*s%s%s\n", (int)len, name, verbose ? "\t" : "",
		       shown.buf);
	}
	if (json) {
		o = json_new_object();
		json_set(o, "remotes", arr);
		json_print(o);
	}
	strbuf_release(&shown);
}

static void check_name(const char *name)
{
	if (!valid_remote_name(name))
		die("invalid remote name '%s': use letters, digits, '-' and "
		    "'_'", name);
}

static void check_url(const char *url)
{
	struct strbuf shown = STRBUF_INIT;

	if (!config_check_url(url))
		return;
	redact_url(&shown, url);
	die("'%s' is not a registry URL: use s3://bucket/prefix, "
	    "file:///path or an absolute path", shown.buf);
}

/*
 * The URL of a remote the workspace's own file defines (borrowed from
 * ws); dies when there is no such remote, or when only the user's file
 * has it (this command changes the workspace's file alone).
 */
static const char *own_remote(struct workspace *ws, const char *name)
{
	struct config own = CONFIG_INIT;
	struct strbuf path = STRBUF_INIT, key = STRBUF_INIT, err = STRBUF_INIT;
	const char *url;
	int mine;

	remote_key(&key, name);
	url = config_get(&ws->config, key.buf);
	if (!url)
		die("no remote '%s'; 'quire remote' lists them", name);
	strbuf_addf(&path, "%s/config", ws->quire_dir);
	if (config_read(&own, path.buf, &err) < 0)
		die("%s", err.buf);
	mine = config_get(&own, key.buf) != NULL;
	config_release(&own);
	if (!mine)
		die("remote '%s' is in the user's config file; change it with "
		    "'quire config --global %s'", name, key.buf);
	strbuf_release(&path);
	strbuf_release(&key);
	strbuf_release(&err);
	return url;
}

static void set_url(struct workspace *ws, const char *name, const char *url)
{
	struct strbuf key = STRBUF_INIT, err = STRBUF_INIT;

	remote_key(&key, name);
	if (workspace_config_set(ws, key.buf, url, &err) < 0)
		die("%s", err.buf);
	strbuf_release(&key);
	strbuf_release(&err);
}

static void add_remote(struct workspace *ws, const char *name,
		       const char *url)
{
	struct strbuf key = STRBUF_INIT;

	check_name(name);
	remote_key(&key, name);
	if (config_get(&ws->config, key.buf))
		die("remote '%s' already exists; remove it first, or change "
		    "its URL with 'quire remote set-url'", name);
	check_url(url);
	set_url(ws, name, url);
	strbuf_release(&key);
}

static void rename_remote(struct workspace *ws, const char *old,
			  const char *new)
{
	struct strbuf key = STRBUF_INIT;
	char *url = xstrdup(own_remote(ws, old));

	check_name(new);
	remote_key(&key, new);
	if (config_get(&ws->config, key.buf))
		die("remote '%s' already exists; remove it first", new);
	/* the new name first: an interruption leaves both, never none */
	set_url(ws, new, url);
	set_url(ws, old, NULL);
	free(url);
	strbuf_release(&key);
}

int cmd_remote(int argc, const char **argv, const char *prefix,
	       struct workspace *ws)
{
	int verbose = 0, json = 0;
	struct option options[] = {
		OPT_BOOL('v', "verbose", &verbose, "show the URLs too"),
		OPT_BOOL(0, "json", &json, "list as one JSON object"),
		OPT_END()
	};
	const char *sub;

	argc = parse_options(argc, argv, prefix, options, remote_usage, 0);
	sub = argc ? argv[0] : "list";
	if (strcmp(sub, "list") && (verbose || json))
		usage_msg_opt("-v and --json go with listing", remote_usage,
			      options);
	if (!strcmp(sub, "list") && argc <= 1) {
		if (verbose && json)
			usage_msg_opt("-v and --json: choose one",
				      remote_usage, options);
		list_remotes(ws, verbose, json);
	} else if (!strcmp(sub, "add") && argc == 3) {
		add_remote(ws, argv[1], argv[2]);
	} else if ((!strcmp(sub, "remove") || !strcmp(sub, "rm")) &&
		   argc == 2) {
		own_remote(ws, argv[1]);
		set_url(ws, argv[1], NULL);
	} else if (!strcmp(sub, "set-url") && argc == 3) {
		own_remote(ws, argv[1]);
		check_url(argv[2]);
		set_url(ws, argv[1], argv[2]);
	} else if (!strcmp(sub, "rename") && argc == 3) {
		rename_remote(ws, argv[1], argv[2]);
	} else if (!strcmp(sub, "list") || !strcmp(sub, "add") ||
		   !strcmp(sub, "remove") || !strcmp(sub, "rm") ||
		   !strcmp(sub, "set-url") || !strcmp(sub, "rename")) {
		usage_with_options(remote_usage, options);
	} else {
		usage_msg_opt("unknown subcommand", remote_usage, options);
	}
	return 0;
}
