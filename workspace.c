#include "quire-compat.h"
#include "workspace.h"
#include "disk-full.h"
#include "ignore.h"
#include "refs/refs.h"
#include "index-db.h"
#include "physical-key.h"
#include "tempfile.h"

static int is_workspace(const char *dir)
{
	struct strbuf sb = STRBUF_INIT;
	struct stat st;
	int ret;

	strbuf_addf(&sb, "%s/.quire/objects", dir);
	ret = !stat(sb.buf, &st) && S_ISDIR(st.st_mode);
	strbuf_release(&sb);
	return ret;
}

static struct workspace *workspace_new(const char *root)
{
	struct workspace *ws = xcalloc(1, sizeof(*ws));
	struct strbuf sb = STRBUF_INIT;

	ws->root = xstrdup(root);
	strbuf_addf(&sb, "%s/.quire", root);
	ws->quire_dir = strbuf_detach(&sb, NULL);
	strbuf_addf(&sb, "%s/objects", ws->quire_dir);
	odb_init(&ws->odb, sb.buf);
	strbuf_release(&sb);
	ws->refs = refs_store_new(ws->quire_dir);
	return ws;
}

static int load_config(struct workspace *ws, struct strbuf *err)
{
	struct strbuf path = STRBUF_INIT;
	int ret;

	config_user_path(&path);
	ret = config_read(&ws->config, path.buf, err);
	strbuf_reset(&path);
	strbuf_addf(&path, "%s/config", ws->quire_dir);
	if (!ret)
		ret = config_read(&ws->config, path.buf, err);
	strbuf_release(&path);
	return ret;
}

int workspace_discover(const char *dir, struct workspace **out,
		       struct strbuf *err)
{
	char *abs = realpath(dir, NULL);
	char *slash;

	if (!abs) {
		strbuf_addf(err, "cannot resolve '%s': %s", dir,
			    strerror(errno));
		return QERR_GENERIC;
	}
	for (;;) {
		if (is_workspace(abs)) {
			*out = workspace_new(abs);
			free(abs);
			if (load_config(*out, err) < 0) {
				workspace_free(*out);
				*out = NULL;
				return QERR_CORRUPT;
			}
			return 0;
		}
		if (!strcmp(abs, "/"))
			break;
		slash = strrchr(abs, '/');
		if (slash == abs)
			abs[1] = '\0';
		else
			*slash = '\0';
	}
	free(abs);
	strbuf_addstr(err, "not in a quire workspace (or any of its parent "
		      "folders); run 'quire init' to make one");
	return QERR_NOTFOUND;
}

static int valid_name_part(const char *s, size_t len)
{
	size_t i;

	if (!len || s[0] == '.' || s[0] == '-')
		return 0;
	for (i = 0; i < len; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '-' ||
		      c == '.'))
			return 0;
	}
	return 1;
}

int package_name_check(const char *name, struct strbuf *err)
{
	const char *slash = strchr(name, '/');

	if (!slash || strchr(slash + 1, '/') ||
	    !valid_name_part(name, slash - name) ||
	    !valid_name_part(slash + 1, strlen(slash + 1))) {
		strbuf_addf(err, "invalid package name '%s': use "
			    "'namespace/name' (letters, digits, '_', '-', "
			    "'.')", name);
		return -1;
	}
	return 0;
}

static int write_config(const char *quire_dir, const char *pkg_name,
			struct strbuf *err)
{
	struct strbuf path = STRBUF_INIT, body = STRBUF_INIT;
	struct tempfile *t;
	int ret = 0;

	strbuf_addf(&path, "%s/config", quire_dir);
	strbuf_addstr(&body, "[core]\n\tformatversion = 0\n");
	if (pkg_name)
		strbuf_addf(&body, "[package]\n\tname = %s\n", pkg_name);
	t = create_tempfile_in(quire_dir, "config_", 0644, err);
	if (!t)
		ret = QERR_GENERIC;
	else if (write_in_full(t->fd, body.buf, body.len) < 0) {
		strbuf_addf(err, "cannot write '%s': ", t->path);
		disk_full_add_strerror(err, errno, t->path);
		ret = QERR_GENERIC;
	} else {
		ret = commit_tempfile(&t, path.buf, err);
	}
	delete_tempfile(&t);
	strbuf_release(&path);
	strbuf_release(&body);
	return ret;
}

int workspace_create(const char *dir, const char *pkg_name,
		     struct strbuf *err)
{
	struct strbuf sb = STRBUF_INIT;
	struct workspace *ws = NULL;
	char *abs = NULL;
	int ret = 0;

	if (pkg_name && package_name_check(pkg_name, err) < 0)
		return QERR_USAGE;
	if (mkdir_p(dir, 0755) < 0) {
		strbuf_addf(err, "cannot create '%s': %s", dir,
			    strerror(errno));
		return QERR_GENERIC;
	}
	abs = realpath(dir, NULL);
	if (!abs) {
		strbuf_addf(err, "cannot resolve '%s': %s", dir,
			    strerror(errno));
		return QERR_GENERIC;
	}
	if (is_workspace(abs)) {
		strbuf_addf(err, "'%s' is already a quire workspace", abs);
		free(abs);
		return QERR_EXISTS;
	}
	ws = workspace_new(abs);
	strbuf_addf(&sb, "%s/refs/tags", ws->quire_dir);
	if (mkdir_p(sb.buf, 0755) < 0) {
		strbuf_addf(err, "cannot create '%s': %s", sb.buf,
			    strerror(errno));
		ret = QERR_GENERIC;
	}
	if (!ret)
		ret = write_config(ws->quire_dir, pkg_name, err);
	if (!ret)
		ret = workspace_index(ws, err);
	/* objects/ last: its presence is what makes this a workspace */
	if (!ret)
		ret = odb_create(&ws->odb, err);
	if (!ret && fsync_dir(ws->quire_dir) < 0)
		ret = QERR_GENERIC;
	workspace_free(ws);
	strbuf_release(&sb);
	free(abs);
	return ret;
}

int workspace_init(const char *dir, const char *pkg_name, int *wrote,
		   struct strbuf *exclude, struct strbuf *err)
{
	int ret = workspace_create(dir, pkg_name, err);

	if (ret < 0)
		return ret;
	ret = ignore_write_default(dir, err);
	if (ret < 0)
		return ret;
	*wrote = ret;
	ret = ignore_git_exclude(dir, exclude, err);
	return ret < 0 ? ret : 0;
}

void workspace_free(struct workspace *ws)
{
	if (!ws)
		return;
	idx_close(ws->idx);
	config_release(&ws->config);
	refs_store_free(ws->refs);
	odb_release(&ws->odb);
	free(ws->root);
	free(ws->quire_dir);
	free(ws);
}

int workspace_index(struct workspace *ws, struct strbuf *err)
{
	struct strbuf path = STRBUF_INIT;
	int ret;

	if (ws->idx)
		return 0;
	strbuf_addf(&path, "%s/index.db", ws->quire_dir);
	ret = idx_open(path.buf, &ws->idx, err);
	strbuf_release(&path);
	return ret;
}

const char *workspace_package_name(const struct workspace *ws)
{
	return config_get(&ws->config, "package.name");
}

int workspace_config_set(struct workspace *ws, const char *key,
			 const char *value, struct strbuf *err)
{
	struct config own = CONFIG_INIT;
	struct strbuf path = STRBUF_INIT;
	int ret;

	strbuf_addf(&path, "%s/config", ws->quire_dir);
	ret = config_read(&own, path.buf, err);
	if (!ret) {
		config_set(&own, key, value);
		ret = config_write(&own, path.buf, err);
	}
	if (!ret)
		config_set(&ws->config, key, value);
	config_release(&own);
	strbuf_release(&path);
	return ret;
}

char *absolute_path(const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	struct physical_key pk;
	char *cwd;

	if (path[0] != '/') {
		cwd = getcwd(NULL, 0);
		if (!cwd)
			die_errno("cannot find the current folder");
		strbuf_addf(&sb, "%s/", cwd);
		free(cwd);
	}
	strbuf_addstr(&sb, path);
	physical_key_from_path(&pk, sb.buf);
	strbuf_release(&sb);
	cwd = pk.path;
	pk.path = NULL;
	physical_key_release(&pk);
	return cwd;
}
