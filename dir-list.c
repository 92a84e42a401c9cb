#include "quire-compat.h"
#include "dir-list.h"
#include "ignore.h"
#include "strbuf.h"
#include <dirent.h>

struct lister {
	unsigned flags;
	dir_list_skip_fn *skip;
	dir_walk_fn *fn;
	void *payload;
	struct ignore *ig;	/* NULL: nothing is ignored */
	dir_ignored_fn *ignored;
	struct strbuf rel;	/* the path below the root */
	int error;		/* errno of the first folder not read */
	int stop;		/* fn's non-zero return */
};

/*
 * Walk the open folder dfd (rel names it below the root; closed here).
 * Names are looked up relative to their folder, never by whole path.
 */
static void walk(struct lister *l, int dfd)
{
	DIR *d = fdopendir(dfd);
	struct dirent *de;
	size_t rlen = l->rel.len;

	if (!d) {
		if (!l->error)
			l->error = errno ? errno : EIO;
		close(dfd);
		return;
	}
	while (!l->stop && (de = readdir(d))) {
		const char *name = de->d_name;
		struct stat st;
		int is_dir;

		if (name[0] == '.' && (!name[1] ||
				       (name[1] == '.' && !name[2])))
			continue;
		/* the file system often says what it is: no stat needed */
		if (de->d_type == DT_REG)
			st.st_mode = S_IFREG;
		else if (de->d_type == DT_DIR)
			st.st_mode = S_IFDIR;
		else if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (S_ISLNK(st.st_mode) &&
		    (!(l->flags & DIR_LIST_FOLLOW_FILE_LINKS) ||
		     fstatat(dfd, name, &st, 0) < 0 || !S_ISREG(st.st_mode)))
			continue;
		is_dir = S_ISDIR(st.st_mode);
		if (!is_dir && !S_ISREG(st.st_mode))
			continue;
		if (l->skip && l->skip(name, is_dir, l->payload))
			continue;
		strbuf_setlen(&l->rel, rlen);
		if (rlen)
			strbuf_addch(&l->rel, '/');
		strbuf_addstr(&l->rel, name);
		if (l->ig && ignore_excluded(l->ig, name, is_dir)) {
			if (l->ignored)
				l->stop = l->ignored(l->rel.buf, l->rel.len,
						     is_dir, l->payload);
			continue;	/* and never into its folder */
		}
		if (is_dir) {
			int sub = openat(dfd, name, O_RDONLY | O_DIRECTORY |
					 O_NOFOLLOW | O_CLOEXEC);

			if (sub < 0) {
				if (!l->error)
					l->error = errno ? errno : EIO;
			} else {
				if (l->ig)
					ignore_enter(l->ig, sub, name, 1);
				walk(l, sub);	/* going on: l->error tells */
				if (l->ig)
					ignore_leave(l->ig);
			}
		} else {
			l->stop = l->fn(l->rel.buf, l->rel.len, l->payload);
		}
	}
	closedir(d);
	strbuf_setlen(&l->rel, rlen);
}

int dir_walk_ignore(const char *root, const char *start, unsigned flags,
		    struct ignore *ig, dir_list_skip_fn *skip,
		    dir_walk_fn *fn, dir_ignored_fn *ignored, void *payload)
{
	struct lister l = { flags, skip, fn, payload, ig, ignored,
			    STRBUF_INIT, 0, 0 };
	struct strbuf path = STRBUF_INIT;
	int dfd;

	strbuf_addstr(&path, root);
	while (path.len > 1 && path.buf[path.len - 1] == '/')
		strbuf_setlen(&path, path.len - 1);
	if (*start) {
		strbuf_addf(&path, "/%s", start);
		strbuf_addstr(&l.rel, start);
	}
	dfd = open(path.buf, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		l.error = errno ? errno : EIO;
	else
		walk(&l, dfd);
	strbuf_release(&path);
	strbuf_release(&l.rel);
	if (l.stop)
		return l.stop;
	if (l.error) {
		errno = l.error;
		return -1;
	}
	return 0;
}

int dir_walk(const char *root, const char *start, unsigned flags,
	     dir_list_skip_fn *skip, dir_walk_fn *fn, void *payload)
{
	return dir_walk_ignore(root, start, flags, NULL, skip, fn, NULL,
			       payload);
}

/* dir_walk() passes one payload to skip and fn: dir_list() has two. */
struct adapter {
	dir_list_skip_fn *skip;
	void *payload;
	struct path_list *out;
};

static int skip_through(const char *name, int is_dir, void *payload)
{
	struct adapter *a = payload;

	return a->skip(name, is_dir, a->payload);
}

static int add_through(const char *rel, size_t len, void *payload)
{
	struct path_list *pl = ((struct adapter *)payload)->out;

	ALLOC_GROW(pl->items, pl->nr + 1, pl->alloc);
	pl->items[pl->nr++] = xstrndup(rel, len);
	return 0;
}

int dir_list(const char *root, const char *start, unsigned flags,
	     dir_list_skip_fn *skip, void *payload, struct path_list *out)
{
	struct adapter a = { skip, payload, out };

	return dir_walk(root, start, flags, skip ? skip_through : NULL,
			add_through, &a);
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
