#include "quire-compat.h"
#include "dir-list.h"
#include "strbuf.h"
#include <dirent.h>

struct lister {
	unsigned flags;
	dir_list_skip_fn *skip;
	void *payload;
	struct path_list *out;
	size_t root_len;
	int error;		/* errno of the first folder not read */
};

static void add(struct path_list *pl, const char *path)
{
	ALLOC_GROW(pl->items, pl->nr + 1, pl->alloc);
	pl->items[pl->nr++] = xstrdup(path);
}

static int walk(struct lister *l, struct strbuf *path)
{
	DIR *d = opendir(path->buf);
	struct dirent *de;
	size_t plen = path->len;

	if (!d) {
		if (!l->error)
			l->error = errno ? errno : EIO;
		return -1;
	}
	while ((de = readdir(d))) {
		struct stat st;
		int is_dir;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		strbuf_setlen(path, plen);
		strbuf_addf(path, "/%s", de->d_name);
		/* the file system often says what it is: no stat needed */
		if (de->d_type == DT_REG)
			st.st_mode = S_IFREG;
		else if (de->d_type == DT_DIR)
			st.st_mode = S_IFDIR;
		else if (lstat(path->buf, &st) < 0)
			continue;
		if (S_ISLNK(st.st_mode) &&
		    (!(l->flags & DIR_LIST_FOLLOW_FILE_LINKS) ||
		     stat(path->buf, &st) < 0 || !S_ISREG(st.st_mode)))
			continue;
		is_dir = S_ISDIR(st.st_mode);
		if (!is_dir && !S_ISREG(st.st_mode))
			continue;
		if (l->skip && l->skip(de->d_name, is_dir, l->payload))
			continue;
		if (is_dir)
			walk(l, path);	/* going on: l->error remembers */
		else
			add(l->out, path->buf + l->root_len + 1);
	}
	closedir(d);
	strbuf_setlen(path, plen);
	return 0;
}

int dir_list(const char *root, const char *start, unsigned flags,
	     dir_list_skip_fn *skip, void *payload, struct path_list *out)
{
	struct lister l = { flags, skip, payload, out, 0, 0 };
	struct strbuf path = STRBUF_INIT;

	strbuf_addstr(&path, root);
	while (path.len > 1 && path.buf[path.len - 1] == '/')
		strbuf_setlen(&path, path.len - 1);
	l.root_len = path.len;
	if (*start)
		strbuf_addf(&path, "/%s", start);
	walk(&l, &path);
	strbuf_release(&path);
	if (l.error) {
		errno = l.error;
		return -1;
	}
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void path_list_sort(struct path_list *pl,
		    int (*cmp)(const void *, const void *))
{
	QSORT(pl->items, pl->nr, cmp ? cmp : cmp_str);
}

void path_list_release(struct path_list *pl)
{
	size_t i;

	for (i = 0; i < pl->nr; i++)
		free(pl->items[i]);
	free(pl->items);
	memset(pl, 0, sizeof(*pl));
}
