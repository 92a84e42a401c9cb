#include "builtin.h"
#include "help.h"
#include "lockfile.h"
#include "parse-options.h"
#include "strbuf.h"
#include "workspace.h"

#define QUIRE_VERSION "0.1.0"

struct cmd_struct {
	const char *name;
	command_fn *fn;
	int option;
};

static command_fn cmd_help;

/* Sorted by name; t0000 checks the order and that each has a man page. */
static struct cmd_struct commands[] = {
	{ "add", cmd_add, RUN_SETUP },
	{ "build-manifest", cmd_commit, RUN_SETUP },
	{ "cache", cmd_cache, 0 },
	{ "cat", cmd_cat, RUN_SETUP_GENTLY },
	{ "cat-manifest", cmd_cat_manifest, RUN_SETUP },
	{ "cat-object", cmd_cat_object, RUN_SETUP },
	{ "check-ignore", cmd_check_ignore, RUN_SETUP },
	{ "check-manifest", cmd_check_manifest, 0 },
	{ "checkout", cmd_checkout, RUN_SETUP },
	{ "commit", cmd_commit, RUN_SETUP },
	{ "config", cmd_config, RUN_SETUP_GENTLY },
	{ "copy", cmd_install, 0 },
	{ "diff", cmd_diff, RUN_SETUP_GENTLY },
	{ "diff-manifest", cmd_diff_manifest, RUN_SETUP_GENTLY },
	{ "export-dsdb", cmd_export_dsdb, RUN_SETUP_GENTLY },
	{ "export-slice", cmd_export_slice, RUN_SETUP_GENTLY },
	{ "fetch-manifest", cmd_fetch_manifest, RUN_SETUP_GENTLY },
	{ "filter", cmd_filter, RUN_SETUP_GENTLY },
	{ "fsck", cmd_fsck, RUN_SETUP_GENTLY },
	{ "hash", cmd_hash, 0 },
	{ "hash-object", cmd_hash_object, RUN_SETUP_GENTLY },
	{ "help", cmd_help, 0 },
	{ "import-dsdb", cmd_import_dsdb, RUN_SETUP_GENTLY },
	{ "init", cmd_init, 0 },
	{ "install", cmd_install, 0 },
	{ "lineage", cmd_lineage, RUN_SETUP_GENTLY },
	{ "list", cmd_list, RUN_SETUP_GENTLY },
	{ "log", cmd_log, RUN_SETUP_GENTLY },
	{ "ls", cmd_ls, RUN_SETUP_GENTLY },
	{ "ls-manifest", cmd_ls_manifest, RUN_SETUP },
	{ "merge", cmd_merge, RUN_SETUP },
	{ "meta", cmd_meta, RUN_SETUP_GENTLY },
	{ "mount", cmd_mount, RUN_SETUP_GENTLY },
	{ "mv", cmd_mv, RUN_SETUP },
	{ "pull", cmd_pull, RUN_SETUP },
	{ "push", cmd_push, RUN_SETUP },
	{ "push-data", cmd_push_data, RUN_SETUP },
	{ "push-manifest", cmd_push_manifest, RUN_SETUP },
	{ "readme", cmd_readme, RUN_SETUP_GENTLY },
	{ "remote", cmd_remote, RUN_SETUP },
	{ "rev-parse", cmd_rev_parse, RUN_SETUP },
	{ "rm", cmd_rm, RUN_SETUP },
	{ "rollback", cmd_rollback, RUN_SETUP_GENTLY },
	{ "serve", cmd_serve, RUN_SETUP_GENTLY },
	{ "set", cmd_set, RUN_SETUP },
	{ "show", cmd_show, RUN_SETUP_GENTLY },
	{ "show-ref", cmd_show_ref, RUN_SETUP },
	{ "slice", cmd_slice, RUN_SETUP },
	{ "status", cmd_status, RUN_SETUP_GENTLY },
	{ "tag", cmd_tag, RUN_SETUP },
	{ "top-hash", cmd_top_hash, 0 },
	{ "umount", cmd_umount, 0 },
	{ "update-ref", cmd_update_ref, RUN_SETUP },
	{ "verify", cmd_verify, 0 },
	{ "write-manifest", cmd_write_manifest, RUN_SETUP },
};

static const char quire_usage[] =
	"usage: quire [-C <path>] [-v | --verbose] [--no-sign-request] "
	"[--version] [--help] <command> [<args>]";

static void list_commands(FILE *out)
{
	fprintf(out, "%s\n\n", quire_usage);
	help_list_groups(out);
	fprintf(out, "\n'quire help -a' lists every command, 'quire help "
		"<command>' shows its manual\nand 'quire <command> -h' its "
		"options.\n");
}

static struct cmd_struct *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

/* Every command's name, a line each: the shell completion asks. */
static void list_command_names(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(commands); i++)
		printf("%s\n", commands[i].name);
}

/* The commands closest to a mistyped name, as git says them. */
static void suggest_commands(const char *typed)
{
	const char *names[ARRAY_SIZE(commands)];
	struct string_list similar = STRING_LIST_INIT;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(commands); i++)
		names[i] = commands[i].name;
	help_similar(typed, names, ARRAY_SIZE(commands), &similar);
	if (similar.nr)
		fprintf(stderr, "\nThe most similar command%s\n",
			similar.nr == 1 ? " is" : "s are");
	for (i = 0; i < similar.nr; i++)
		fprintf(stderr, "\t%s\n", similar.items[i]);
	string_list_clear(&similar);
}

/* Open the manual of a command (or of a page like quire-json) in man. */
static NORETURN void show_manual(const char *name)
{
	struct strbuf page = STRBUF_INIT, path = STRBUF_INIT;
	struct strbuf err = STRBUF_INIT, manpath = STRBUF_INIT;
	int ret;

	strbuf_addf(&page, "quire-%s", name);
	help_man_path(&manpath);
	if (setenv("MANPATH", manpath.buf, 1) < 0)
		die_errno("cannot set MANPATH");
	ret = help_find_manual(page.buf, &path, &err);
	if (ret < 0)
		die("%s; 'quire %s -h' shows its options", err.buf, name);
	fflush(stdout);
	if (ret)
		execlp("man", "man", page.buf, (char *)NULL);
	else
		execlp("man", "man", "-l", path.buf, (char *)NULL);
	die_errno("cannot run 'man' to show '%s'", ret ? page.buf : path.buf);
}

static const char * const help_usage[] = {
	"quire help [-a | --all] [<command>]",
	NULL
};

static int cmd_help(int argc, const char **argv, const char *prefix,
		    struct workspace *ws)
{
	int all = 0;
	struct option options[] = {
		OPT_BOOL('a', "all", &all, "list every command, by name"),
		OPT_END()
	};
	const char *p;

	argc = parse_options(argc, argv, prefix, options, help_usage, 0);
	if (argc > 1 || (all && argc))
		usage_with_options(help_usage, options);
	if (all) {
		printf("every quire command:\n");
		help_list_all(stdout);
		return 0;
	}
	if (!argc) {
		list_commands(stdout);
		return 0;
	}
	for (p = argv[0]; *p && ((*p >= 'a' && *p <= 'z') || *p == '-'); p++)
		;
	if (*p || !*argv[0] ||
	    (!find_command(argv[0]) && !help_description(argv[0]) &&
	     !help_is_guide(argv[0]))) {
		fprintf(stderr, "fatal: '%s' is not a quire command; see "
			"'quire help'\n", argv[0]);
		suggest_commands(argv[0]);
		exit(128);
	}
	show_manual(argv[0]);
}

/* The cwd relative to the workspace root, with a trailing '/' or "". */
static char *workspace_prefix(const struct workspace *ws)
{
	char *cwd = getcwd(NULL, 0);
	size_t len = strlen(ws->root);
	struct strbuf sb = STRBUF_INIT;

	if (cwd && !strncmp(cwd, ws->root, len) && cwd[len] == '/')
		strbuf_addf(&sb, "%s/", cwd + len + 1);
	free(cwd);
	return strbuf_detach(&sb, NULL);
}

/*
 * -h, --help or --list-options (the completion's question) among the
 * options: it works outside a workspace too.
 */
static int wants_help(int argc, const char **argv)
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help") ||
		    !strcmp(argv[i], "--list-options"))
			return 1;
	return 0;
}

/*
 * Process-wide settings from the config (the workspace's, else the
 * user's): the lock timeout, unless QUIRE_LOCK_TIMEOUT says otherwise.
 */
static void apply_core_config(const struct workspace *ws)
{
	struct config user = CONFIG_INIT;
	struct strbuf path = STRBUF_INIT, err = STRBUF_INIT;
	const char *v;
	uint64_t ms;

	if (getenv("QUIRE_LOCK_TIMEOUT"))
		return;
	if (!ws) {
		config_user_path(&path);
		config_read(&user, path.buf, &err);
	}
	v = config_get(ws ? &ws->config : &user, "core.locktimeout");
	if (v && parse_u64(v, &ms))
		die("core.lockTimeout is '%s'; set it to a number of "
		    "milliseconds", v);
	if (v)
		lockfile_set_timeout(ms > LONG_MAX ? LONG_MAX : (long)ms);
	config_release(&user);
	strbuf_release(&path);
	strbuf_release(&err);
}

static int run_command(struct cmd_struct *cmd, int argc, const char **argv)
{
	struct workspace *ws = NULL;
	struct strbuf err = STRBUF_INIT;
	char *prefix = NULL;
	int ret;

	if (cmd->option & (RUN_SETUP | RUN_SETUP_GENTLY)) {
		ret = workspace_discover(".", &ws, &err);
		if (ret && (cmd->option & RUN_SETUP) && !wants_help(argc, argv))
			die("%s", err.buf);
		strbuf_release(&err);
	}
	apply_core_config(ws);
	prefix = ws ? workspace_prefix(ws) : xstrdup("");
	ret = cmd->fn(argc, argv, prefix, ws);
	workspace_free(ws);
	free(prefix);

	if (fflush(stdout) || ferror(stdout))
		die_errno("write failure on standard output");
	if (fclose(stdout) && errno != EBADF)
		die_errno("close failed on standard output");
	return ret;
}

/*
 * Global options that set the process's environment, before the command
 * or after it (before any "--"): --verbose logs each request made to a
 * registry, never a secret; --no-sign-request reads public buckets
 * without credentials (quire-credentials(7)).
 */
static const struct {
	const char *opt, *env;
} env_options[] = {
	{ "--verbose", "QUIRE_VERBOSE" },
	{ "-v", "QUIRE_VERBOSE" },
	{ "--no-sign-request", "QUIRE_NO_SIGN_REQUEST" },
};

/* 1 when arg is one of them (now set), else 0. */
static int env_option(const char *arg, int after_command)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(env_options); i++) {
		/* after the command, -v may be the command's own */
		if (after_command && env_options[i].opt[1] != '-')
			continue;
		if (!strcmp(arg, env_options[i].opt)) {
			setenv(env_options[i].env, "1", 1);
			return 1;
		}
	}
	return 0;
}

static void take_env_options(int *argc, const char **argv)
{
	int i, j;

	for (i = 1; i < *argc && strcmp(argv[i], "--"); i++) {
		if (!env_option(argv[i], 1))
			continue;
		for (j = i; j < *argc; j++)
			argv[j] = argv[j + 1];
		(*argc)--;
		i--;
	}
}

int main(int argc, const char **argv)
{
	struct cmd_struct *cmd;

	argv++;
	argc--;
	while (argc && argv[0][0] == '-') {
		if (!strcmp(argv[0], "--version")) {
			printf("quire version %s\n", QUIRE_VERSION);
			return 0;
		}
		if (!strcmp(argv[0], "-h") || !strcmp(argv[0], "--help")) {
			list_commands(stdout);
			return 0;
		}
		if (!strcmp(argv[0], "--list-cmds")) {
			list_command_names();
			return 0;
		}
		if (env_option(argv[0], 0)) {
			argv++;
			argc--;
			continue;
		}
		if (!strcmp(argv[0], "-C")) {
			if (argc < 2) {
				fprintf(stderr, "error: -C needs a folder\n"
					"%s\n", quire_usage);
				return 129;
			}
			if (chdir(argv[1]) < 0)
				die_errno("cannot change to '%s'", argv[1]);
			argv += 2;
			argc -= 2;
			continue;
		}
		error("unknown option '%s'", argv[0]);
		fprintf(stderr, "%s\n", quire_usage);
		return 129;
	}
	if (!argc) {
		list_commands(stderr);
		return 129;
	}
	cmd = find_command(argv[0]);
	take_env_options(&argc, argv);
	if (!cmd) {
		fprintf(stderr, "quire: '%s' is not a quire command. See "
			"'quire help'.\n", argv[0]);
		suggest_commands(argv[0]);
		return 129;
	}
	return run_command(cmd, argc, argv);
}
