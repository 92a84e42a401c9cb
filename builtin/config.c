#include "builtin.h"
#include "config.h"
#include "parse-options.h"
#include "redact.h"

static const char * const config_usage[] = {
	"quire config [--global] <key> [<value>]",
	"quire config [--global] --unset <key>",
	"quire config [--global] --list",
	NULL
};

int cmd_config(int argc, const char **argv, const char *prefix,
	       struct workspace *ws)
{
	int global = 0, unset = 0, list = 0, ret;
	struct config own = CONFIG_INIT;
	struct strbuf path = STRBUF_INIT, key = STRBUF_INIT, err = STRBUF_INIT;
	struct strbuf shown = STRBUF_INIT;
	const char *value;
	size_t i;
	struct option options[] = {
		OPT_BOOL(0, "global", &global, "the user's config file"),
		OPT_BOOL(0, "unset", &unset, "remove the key"),
		OPT_BOOL('l', "list", &list, "print every key and value"),
		OPT_END()
	};

	argc = parse_options(argc, argv, prefix, options, config_usage, 0);
	if (list ? argc != 0 : unset ? argc != 1 : (argc < 1 || argc > 2))
		usage_with_options(config_usage, options);
	if (!global && !ws)
		die("not in a quire workspace; use --global for the user's "
		    "settings, or run 'quire init'");
	if (global)
		config_user_path(&path);
	else
		strbuf_addf(&path, "%s/config", ws->quire_dir);
	if (config_read(&own, path.buf, &err) < 0)
		die("%s", err.buf);
	/* values are shown with the URLs in them redacted, kept as given */
	if (list) {
		for (i = 0; i < own.nr; i++) {
			strbuf_reset(&shown);
			redact_text(&shown, own.entries[i].value);
			printf("%s=%s\n", own.entries[i].key, shown.buf);
		}
		ret = 0;
		goto out;
	}
	if (config_key_normalize(argv[0], &key) < 0)
		die("invalid key '%s': use section.name or "
		    "section.subsection.name", argv[0]);
	if (argc == 1 && !unset) {
		/* reading: the workspace's value wins over the user's */
		value = ws && !global ? config_get(&ws->config, key.buf) :
			config_get(&own, key.buf);
		if (value) {
			redact_text(&shown, value);
			printf("%s\n", shown.buf);
		}
		ret = value ? 0 : 1;
		goto out;
	}
	if (global) {
		char *dir = xstrdup(path.buf);

		*strrchr(dir, '/') = '\0';
		if (mkdir_p(dir, 0755) < 0)
			die_errno("cannot create '%s'", dir);
		free(dir);
	}
	config_set(&own, key.buf, unset ? NULL : argv[1]);
	if (config_write(&own, path.buf, &err) < 0)
		die("%s", err.buf);
	ret = 0;
out:
	config_release(&own);
	strbuf_release(&path);
	strbuf_release(&key);
	strbuf_release(&err);
	strbuf_release(&shown);
	return ret;
}
