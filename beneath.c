#include "quire-compat.h"
#include "beneath.h"

int beneath_open(struct beneath *b, const char *root, struct strbuf *err)
{
	memset(b, 0, sizeof(*b));
	strbuf_init(&b->dir, 0);
	b->root_fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (b->root_fd >= 0)
		return 0;
	strbuf_addf(err, "cannot open the folder '%s': %s", root,
		    strerror(errno));
	return errno == ENOENT ? QERR_NOTFOUND : QERR_GENERIC;
}

/* Close the folders below depth keep, and forget their part of dir. */
static void drop_to(struct beneath *b, size_t keep)
{
	const char *p = b->dir.buf;
	size_t i;

	while (b->nr > keep)
		close(b->fds[--b->nr]);
	for (i = 0; i < keep; i++)
		p = strchr(p, '/') + 1;
	strbuf_setlen(&b->dir, p - b->dir.buf);
}

void beneath_close(struct beneath *b)
{
	drop_to(b, 0);
	free(b->fds);
	strbuf_release(&b->dir);
	if (b->root_fd >= 0)
		close(b->root_fd);
	b->root_fd = -1;
}

/* How many whole folders of key's path are open already. */
static size_t common_depth(const struct beneath *b, const char *key)
{
	const char *open = b->dir.buf, *k = key;
	size_t depth = 0;

	while (*open) {
		const char *end = strchr(open, '/');
		size_t len = end - open;

		if (strncmp(open, k, len) || k[len] != '/')
			break;
		depth++;
		open = end + 1;
		k += len + 1;
	}
	return depth;
}

static int refuse(int at, const char *name, const char *key, size_t len,
		  int e, struct strbuf *err)
{
	struct stat st;

	/* O_NOFOLLOW with O_DIRECTORY says ENOTDIR for a link: which? */
	if ((e == ENOTDIR || e == ELOOP) &&
	    !fstatat(at, name, &st, AT_SYMLINK_NOFOLLOW))
		e = S_ISLNK(st.st_mode) ? ELOOP : ENOTDIR;
	if (e == ENOENT) {
		strbuf_addf(err, "'%.*s' does not exist", (int)len, key);
		return QERR_NOTFOUND;
	}
	if (e == ELOOP || e == ENOTDIR) {
		strbuf_addf(err, "'%.*s' is %s; move it away", (int)len, key,
			    e == ELOOP ? "a symbolic link, which quire never "
			    "writes through" : "not a folder");
		return QERR_EXISTS;
	}
	strbuf_addf(err, "cannot open the folder '%.*s': %s", (int)len, key,
		    strerror(e));
	return QERR_GENERIC;
}

/* Open (and with create, make) the folder name in at; -1 with errno. */
static int open_folder(int at, const char *name, int create)
{
	int fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
			O_CLOEXEC);

	if (fd >= 0 || errno != ENOENT || !create)
		return fd;
	if (mkdirat(at, name, 0755) < 0 && errno != EEXIST)
		return -1;
	return openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		      O_CLOEXEC);
}

int beneath_parent(struct beneath *b, const char *key, int create,
		   int *dirfd, const char **base, struct strbuf *err)
{
	const char *p = key, *slash;
	char *name;
	size_t i, depth = common_depth(b, key);
	int fd;

	drop_to(b, depth);
	for (i = 0; i < depth; i++)
		p = strchr(p, '/') + 1;
	while ((slash = strchr(p, '/'))) {
		int at = b->nr ? b->fds[b->nr - 1] : b->root_fd, ret;

		name = xstrndup(p, slash - p);
		fd = open_folder(at, name, create);
		ret = fd < 0 ? refuse(at, name, key, slash - key, errno, err) :
		      0;
		free(name);
		if (ret)
			return ret;
		ALLOC_GROW(b->fds, b->nr + 1, b->alloc);
		b->fds[b->nr++] = fd;
		strbuf_add(&b->dir, p, slash - p + 1);
		p = slash + 1;
	}
	*dirfd = b->nr ? b->fds[b->nr - 1] : b->root_fd;
	*base = p;
	return 0;
}

int beneath_lstat(struct beneath *b, const char *key, struct stat *st)
{
	struct strbuf why = STRBUF_INIT;
	const char *base;
	int fd, ret;

	ret = beneath_parent(b, key, 0, &fd, &base, &why);
	strbuf_release(&why);
	if (ret) {
		errno = ret == QERR_NOTFOUND ? ENOENT :
			ret == QERR_EXISTS ? ELOOP : EIO;
		return -1;
	}
	return fstatat(fd, base, st, AT_SYMLINK_NOFOLLOW);
}
