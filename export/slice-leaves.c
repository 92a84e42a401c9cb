#include "quire-compat.h"
#include "export/slice.h"
#include "lockfile.h"
#include "workspace.h"
#include <ctype.h>
#include <dirent.h>

/* Lists of leaves: JSON lines in a file, and named lists in a workspace. */

/* The longest line of a leaves file. */
#define SLICE_LINE_MAX (1 << 20)
#define SLICE_ID_MAX 100

void slice_leaves_add(struct slice_leaves *l, const char *table,
		      const char *restriction)
{
	ALLOC_GROW(l->v, l->nr + 1, l->alloc);
	l->v[l->nr].table = xstrdup(table);
	l->v[l->nr].restriction = xstrdup(restriction);
	l->nr++;
}

void slice_leaves_release(struct slice_leaves *l)
{
	size_t i;

	for (i = 0; i < l->nr; i++) {
		free(l->v[i].table);
		free(l->v[i].restriction);
	}
	free(l->v);
	l->v = NULL;
	l->nr = l->alloc = 0;
}

/* The string member key of obj, or NULL with why in err. */
static const struct json *member(const struct json *obj, const char *key,
				 struct strbuf *err)
{
	const struct json *j = json_object_get(obj, key);

	if (!j)
		strbuf_addf(err, "no \"%s\"", key);
	else if (j->type != JSON_STRING)
		strbuf_addf(err, "\"%s\" is not a string", key);
	else if (memchr(j->u.str.s, '\0', j->u.str.len))
		strbuf_addf(err, "\"%s\" holds a NUL character", key);
	else if (!j->u.str.len)
		strbuf_addf(err, "\"%s\" is empty", key);
	else
		return j;
	return NULL;
}

static int parse_line(struct slice_leaves *l, const struct strbuf *line,
		      struct strbuf *why)
{
	const struct json *table = NULL, *restr = NULL;
	struct json *j = NULL;

	if (json_parse(line->buf, line->len, &j, why) < 0)
		return QERR_CORRUPT;
	if (j->type != JSON_OBJECT)
		strbuf_addstr(why, "not a JSON object");
	else
		table = member(j, "table", why);
	if (table)
		restr = member(j, "restriction", why);
	if (restr)
		slice_leaves_add(l, table->u.str.s, restr->u.str.s);
	json_free(j);
	return restr ? 0 : QERR_CORRUPT;
}

static int blank(const struct strbuf *sb)
{
	size_t i;

	for (i = 0; i < sb->len; i++)
		if (!isspace((unsigned char)sb->buf[i]))
			return 0;
	return 1;
}

int slice_leaves_read(struct slice_leaves *l, const char *path,
		      struct strbuf *err)
{
	struct strbuf line = STRBUF_INIT, why = STRBUF_INIT;
	unsigned long nr = 0;
	int ret = 0, rc, seekable;
	FILE *fp;

	fp = fopen_input(path, &seekable);
	if (!fp) {
		strbuf_addf(err, "cannot open '%s': %s", path,
			    strerror(errno));
		return errno == ENOENT ? QERR_NOTFOUND : QERR_GENERIC;
	}
	while (!ret && (rc = strbuf_getline_max(&line, fp, SLICE_LINE_MAX,
						NULL)) != EOF) {
		nr++;
		if (rc < 0)
			strbuf_addstr(&why, "line too long");
		else if (blank(&line))
			continue;
		if (rc < 0 || parse_line(l, &line, &why) < 0) {
			strbuf_addf(err, "%s:%lu: not a leaf (%s); write "
				    "{\"table\": \"<table>\", "
				    "\"restriction\": \"<condition>\"}",
				    path, nr, why.buf);
			ret = QERR_CORRUPT;
		}
	}
	if (!ret && ferror(fp)) {
		strbuf_addf(err, "cannot read '%s': %s", path,
			    strerror(errno));
		ret = QERR_GENERIC;
	}
	fclose_input(fp);
	strbuf_release(&line);
	strbuf_release(&why);
	return ret;
}

void slice_leaf_write(struct strbuf *out, const struct slice_leaf *leaf)
{
	struct json *j = json_new_object();

	json_object_set(j, "table", 5,
			json_new_string(leaf->table, strlen(leaf->table)));
	json_object_set(j, "restriction", 11,
			json_new_string(leaf->restriction,
					strlen(leaf->restriction)));
	json_write_python(out, j);
	strbuf_addch(out, '\n');
	json_free(j);
}

int slice_id_check(const char *id, struct strbuf *err)
{
	size_t len = strlen(id), i;
	const char *why = NULL;

	if (!len || len > SLICE_ID_MAX)
		why = "it must have 1 to 100 characters";
	else if (!isalnum((unsigned char)id[0]))
		why = "it must start with a letter or digit";
	else if (len >= 5 && !strcmp(id + len - 5, ".lock"))
		why = "it must not end in '.lock'";
	for (i = 0; !why && i < len; i++)
		if (!isalnum((unsigned char)id[i]) && !strchr("._-", id[i]))
			why = "use letters, digits, '.', '_' and '-'";
	if (!why)
		return 0;
	strbuf_addf(err, "invalid slice id '%s': %s", id, why);
	return QERR_USAGE;
}

static void list_dir(struct strbuf *sb, struct workspace *ws)
{
	strbuf_addf(sb, "%s/slices", ws->quire_dir);
}

static int make_list_dir(struct workspace *ws, struct strbuf *err)
{
	struct strbuf dir = STRBUF_INIT;
	int ret = 0;

	list_dir(&dir, ws);
	if (mkdir_p(dir.buf, 0777) < 0) {
		strbuf_addf(err, "cannot make folder '%s': %s", dir.buf,
			    strerror(errno));
		ret = QERR_GENERIC;
	}
	strbuf_release(&dir);
	return ret;
}

static int list_path(struct strbuf *sb, struct workspace *ws, const char *id,
		     struct strbuf *err)
{
	int ret = slice_id_check(id, err);

	if (ret < 0)
		return ret;
	list_dir(sb, ws);
	strbuf_addf(sb, "/%s", id);
	return 0;
}

static int no_list(const char *id, struct strbuf *err)
{
	strbuf_addf(err, "no slice '%s'; 'quire slice start %s' makes one, "
		    "'quire slice list' shows those there are", id, id);
	return QERR_NOTFOUND;
}

/* Under the lock lk, write the leaves of l (and leaf, if not NULL). */
static int write_locked(struct lock_file *lk, const struct slice_leaves *l,
			const struct slice_leaf *leaf, struct strbuf *err)
{
	struct strbuf buf = STRBUF_INIT;
	size_t i;
	int ret = 0;

	for (i = 0; i < l->nr; i++)
		slice_leaf_write(&buf, &l->v[i]);
	if (leaf)
		slice_leaf_write(&buf, leaf);
	if (write_in_full(lock_file_fd(lk), buf.buf, buf.len) < 0) {
		strbuf_addf(err, "cannot write '%s.lock': %s", lk->path,
			    strerror(errno));
		ret = QERR_GENERIC;
	}
	if (!ret)
		ret = commit_lock_file(lk, err);
	strbuf_release(&buf);
	return ret;
}

int slice_list_create(struct workspace *ws, const char *id,
		      struct strbuf *err)
{
	struct strbuf path = STRBUF_INIT;
	struct slice_leaves none = SLICE_LEAVES_INIT;
	struct lock_file lk = LOCK_INIT;
	int ret;

	ret = list_path(&path, ws, id, err);
	if (!ret)
		ret = make_list_dir(ws, err);
	if (!ret)
		ret = hold_lock_file(&lk, path.buf, err);
	if (!ret && !access(path.buf, F_OK)) {
		strbuf_addf(err, "slice '%s' exists already; 'quire slice "
			    "add' adds leaves to it, 'quire slice drop' "
			    "deletes it", id);
		ret = QERR_EXISTS;
	}
	if (!ret)
		ret = write_locked(&lk, &none, NULL, err);
	rollback_lock_file(&lk);
	strbuf_release(&path);
	return ret;
}

int slice_list_path(struct workspace *ws, const char *id,
		    struct strbuf *path, struct strbuf *err)
{
	int ret = list_path(path, ws, id, err);

	if (!ret && access(path->buf, F_OK) < 0)
		ret = no_list(id, err);
	return ret;
}

int slice_list_read(struct workspace *ws, const char *id,
		    struct slice_leaves *l, struct strbuf *err)
{
	struct strbuf path = STRBUF_INIT;
	int ret;

	ret = slice_list_path(ws, id, &path, err);
	if (!ret)
		ret = slice_leaves_read(l, path.buf, err);
	strbuf_release(&path);
	return ret;
}

int slice_list_append(struct workspace *ws, const char *id,
		      const struct slice_leaf *leaf, struct strbuf *err)
{
	struct strbuf path = STRBUF_INIT;
	struct slice_leaves l = SLICE_LEAVES_INIT;
	struct lock_file lk = LOCK_INIT;
	int ret;

	ret = slice_list_path(ws, id, &path, err);
	if (!ret)
		ret = hold_lock_file(&lk, path.buf, err);
	if (!ret)
		ret = slice_list_read(ws, id, &l, err);
	if (!ret)
		ret = write_locked(&lk, &l, leaf, err);
	rollback_lock_file(&lk);
	slice_leaves_release(&l);
	strbuf_release(&path);
	return ret;
}

int slice_list_remove(struct workspace *ws, const char *id,
		      struct strbuf *err)
{
	struct strbuf path = STRBUF_INIT;
	struct lock_file lk = LOCK_INIT;
	int ret;

	ret = slice_list_path(ws, id, &path, err);
	if (!ret)
		ret = hold_lock_file(&lk, path.buf, err);
	if (!ret && unlink(path.buf) < 0) {
		if (errno == ENOENT) {
			ret = no_list(id, err);
		} else {
			strbuf_addf(err, "cannot delete '%s': %s", path.buf,
				    strerror(errno));
			ret = QERR_GENERIC;
		}
	}
	rollback_lock_file(&lk);
	strbuf_release(&path);
	return ret;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char * const *)a, *(char * const *)b);
}

int slice_list_names(struct workspace *ws, struct string_list *ids,
		     struct strbuf *err)
{
	struct strbuf dir = STRBUF_INIT, ignore = STRBUF_INIT;
	size_t first = ids->nr;
	struct dirent *de;
	DIR *d;

	list_dir(&dir, ws);
	d = opendir(dir.buf);
	if (!d && errno != ENOENT) {
		strbuf_addf(err, "cannot read '%s': %s", dir.buf,
			    strerror(errno));
		strbuf_release(&dir);
		return QERR_GENERIC;
	}
	while (d && (de = readdir(d))) {
		strbuf_reset(&ignore);
		if (!slice_id_check(de->d_name, &ignore))
			string_list_append(ids, de->d_name);
	}
	if (d)
		closedir(d);
	QSORT(ids->items + first, ids->nr - first, cmp_str);
	strbuf_release(&dir);
	strbuf_release(&ignore);
	return 0;
}
