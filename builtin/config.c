#include "builtin.h"
#include "config.h"
#include "help.h"
#include "json-out.h"
#include "parse-options.h"
#include "redact.h"

static const char * const config_usage[] = {
	"quire config [--global | --local] <key> [<value>]",
	"quire config [--global | --local] --unset <key>",
	"quire config [--global | --local] --list [--show-origin] "
	"[--show-scope] [--json]",
	NULL
};

/* A config file and what it holds: the user's ("global") or "local". */
struct scope {
	const char *name;
	struct strbuf path;
	struct config cfg;
};

static void scope_read(struct scope *s, const char *name,
		       struct workspace *ws)
{
	struct strbuf err = STRBUF_INIT;

	s->name = name;
	strbuf_init(&s->path, 0);
	s->cfg = (struct config)CONFIG_INIT;
	if (ws)
		strbuf_addf(&s->path, "%s/config", ws->quire_dir);
	else
		config_user_path(&s->path);
	if (config_read(&s->cfg, s->path.buf, &err) < 0)
		die("%s", err.buf);
	strbuf_release(&err);
}

static void scope_release(struct scope *s)
{
	strbuf_release(&s->path);
	config_release(&s->cfg);
}

static struct json *json_setting(const struct scope *s,
				 const struct config_entry *e,
				 const char *shown)
{
	struct json *o = json_new_object();

	json_set(o, "key", json_str(e->key));
	json_set(o, "value", json_str(shown));
	json_set(o, "scope", json_str(s->name));
	json_set(o, "path", json_str(s->path.buf));
	return o;
}

/* Every entry of the scopes, in order; values with URLs redacted. */
static void list_scopes(const struct scope *scopes, size_t nr,
			int origin, int scope, int json)
{
	struct json *arr = json ? json_new_array() : NULL, *top;
	struct strbuf shown = STRBUF_INIT;
	size_t i, j;

	for (i = 0; i < nr; i++) {
		for (j = 0; j < scopes[i].cfg.nr; j++) {
			const struct config_entry *e;

			e = &scopes[i].cfg.entries[j];
			strbuf_reset(&shown);
			redact_text(&shown, e->value);
			if (json) {
				json_array_append(arr, json_setting(
					&scopes[i], e, shown.buf));
				continue;
			}
			if (scope)
				printf("%s\t", scopes[i].name);
			if (origin)
				printf("file:%s\t", scopes[i].path.buf);
			printf("%s=%s\n", e->key, shown.buf);
		}
	}
	if (json) {
		top = json_new_object();
		json_set(top, "config", arr);
		json_print(top);
	}
	strbuf_release(&shown);
}

/*
 * name with its "<...>" part replaced by the subsection of key, if both
 * have one ("remote.<name>.url", "remote.x.ulr": "remote.x.url"), so
 * that a typo there is still close. The caller frees it.
 */
static char *with_subsection(const char *name, const char *key)
{
	const char *lt = strchr(name, '<'), *gt = lt ? strchr(lt, '>') : NULL;
	const char *first = strchr(key, '.'), *last = strrchr(key, '.');
	struct strbuf sb = STRBUF_INIT;

	if (!gt || !first || first == last)
		return xstrdup(name);
	strbuf_add(&sb, name, lt - name);
	strbuf_add(&sb, first + 1, last - first - 1);
	strbuf_addstr(&sb, gt + 1);
	return strbuf_detach(&sb, NULL);
}

/* Die on a key quire does not know, naming the close ones and all. */
static NORETURN void unknown_key(const char *given, const char *key)
{
	struct strbuf msg = STRBUF_INIT;
	struct string_list similar = STRING_LIST_INIT;
	const struct config_key *keys;
	const char **names;
	char **cands;
	size_t nr, i;

	keys = config_keys(&nr);
	names = xcalloc(nr, sizeof(*names));
	cands = xcalloc(nr, sizeof(*cands));
	for (i = 0; i < nr; i++) {
		names[i] = keys[i].name;
		cands[i] = with_subsection(names[i], key);
	}
	help_similar(key, (const char *const *)cands, nr, &similar);
	strbuf_addf(&msg, "unknown key '%s'", given);
	for (i = 0; i < similar.nr; i++)
		strbuf_addf(&msg, "%s'%s'", i ? " or " : "; did you mean ",
			    similar.items[i]);
	strbuf_addstr(&msg, similar.nr ? "? the" : "; the");
	strbuf_addstr(&msg, " keys quire knows:");
	for (i = 0; i < nr; i++)
		strbuf_addf(&msg, "%s %s", i ? "," : "", names[i]);
	strbuf_addstr(&msg, " (see 'quire help config')");
	for (i = 0; i < nr; i++)
		free(cands[i]);
	free(cands);
	free(names);
	string_list_clear(&similar);
	die("%s", msg.buf);
}

/* The key as given, refused unless quire knows it and the value fits. */
static void check_setting(const char *given, const char *key,
			  const char *value)
{
	const struct config_key *k = config_key_find(key);
	struct strbuf err = STRBUF_INIT, shown = STRBUF_INIT;

	if (!k)
		unknown_key(given, key);
	if (config_check_value(k, key, value, &err) < 0) {
		redact_text(&shown, err.buf);
		die("%s", shown.buf);
	}
	strbuf_release(&err);
	strbuf_release(&shown);
}

static int read_key(struct workspace *ws, const struct scope *own,
		    int one_scope, const char *key)
{
	struct strbuf shown = STRBUF_INIT;
	const char *value;

	/* reading: the workspace's value wins over the user's */
	value = ws && !one_scope ? config_get(&ws->config, key) :
		config_get(&own->cfg, key);
	if (value) {
		redact_text(&shown, value);
		printf("%s\n", shown.buf);
	}
	strbuf_release(&shown);
	return value ? 0 : 1;
}

static void write_key(struct scope *own, int global, const char *key,
		      const char *value)
{
	struct strbuf err = STRBUF_INIT;

	if (global) {
		char *dir = xstrdup(own->path.buf);

		*strrchr(dir, '/') = '\0';
		if (mkdir_p(dir, 0755) < 0)
			die_errno("cannot create '%s'", dir);
		free(dir);
	}
	config_set(&own->cfg, key, value);
	if (config_write(&own->cfg, own->path.buf, &err) < 0)
		die("%s", err.buf);
	strbuf_release(&err);
}

int cmd_config(int argc, const char **argv, const char *prefix,
	       struct workspace *ws)
{
	int global = 0, local = 0, unset = 0, list = 0, origin = 0;
	int show_scope = 0, json = 0, ret = 0;
	struct scope scopes[2];
	size_t nr = 0;
	struct strbuf key = STRBUF_INIT;
	struct option options[] = {
		OPT_BOOL(0, "global", &global, "the user's config file"),
		OPT_BOOL(0, "local", &local, "the workspace's config file"),
		OPT_BOOL(0, "unset", &unset, "remove the key"),
		OPT_BOOL('l', "list", &list, "print every key and value"),
		OPT_BOOL(0, "show-origin", &origin,
			 "with --list: the file of each setting"),
		OPT_BOOL(0, "show-scope", &show_scope,
			 "with --list: global or local before each"),
		OPT_BOOL(0, "json", &json, "with --list: one JSON object"),
		OPT_END()
	};

	argc = parse_options(argc, argv, prefix, options, config_usage, 0);
	if (list ? argc != 0 : unset ? argc != 1 : (argc < 1 || argc > 2))
		usage_with_options(config_usage, options);
	if ((origin || show_scope || json) && !list)
		usage_msg_opt("--show-origin, --show-scope and --json go with "
			      "--list", config_usage, options);
	if (global && local)
		usage_msg_opt("--global and --local: choose one",
			      config_usage, options);
	if (!ws && !global)
		die("not in a quire workspace; use --global for the user's "
		    "settings, or run 'quire init'");
	if (!local)
		scope_read(&scopes[nr++], "global", NULL);
	if (ws && !global)
		scope_read(&scopes[nr++], "local", ws);
	if (list) {
		list_scopes(scopes, nr, origin, show_scope, json);
		goto out;
	}
	if (config_key_normalize(argv[0], &key) < 0)
		die("invalid key '%s': use section.name or "
		    "section.subsection.name", argv[0]);
	if (argc == 1 && !unset)
		ret = read_key(ws, &scopes[nr - 1], global || local, key.buf);
	else if (unset)
		write_key(&scopes[nr - 1], global, key.buf, NULL);
	else {
		check_setting(argv[0], key.buf, argv[1]);
		write_key(&scopes[nr - 1], global, key.buf, argv[1]);
	}
out:
	while (nr)
		scope_release(&scopes[--nr]);
	strbuf_release(&key);
	return ret;
}
