#include "quire-compat.h"
#include "status.h"
#include "dir-list.h"
#include "diff.h"
#include "error.h"
#include "folder.h"
#include "ignore.h"
#include "index-db.h"
#include "json.h"
#include "logical-key.h"
#include "manifest.h"
#include "package.h"
#include "refs/refs.h"
#include "stage.h"
#include "tempfile.h"
#include "thread-pool.h"
#include "trace.h"
#include "workspace.h"
#include <dirent.h>

static void add_item(struct status *s, char code, const char *key,
		     const char *path)
{
	ALLOC_GROW(s->items, s->nr + 1, s->alloc);
	s->items[s->nr].code = code;
	s->items[s->nr].key = xstrdup(key);
	s->items[s->nr].path = path ? xstrdup(path) : NULL;
	s->nr++;
}


static int on_diff(enum diff_kind kind, const struct manifest_entry *a,
		   const struct manifest_entry *b, void *payload)
{
	static const char codes[] = { 'A', 'D', 'M', 'm' };

	add_item(payload, codes[kind], (b ? b : a)->key.buf, NULL);
	return 0;
}

/*
 * New files in added folders ("watches"), found without a lookup per
 * file: the refresh's walk of the index counts, for each folder below a
 * watch, the staged files in it (entries whose file is there by the
 * watch's layout, key = prefix + the path below the folder, and is
 * present). Every one of those is listed when the folder is read, so a
 * folder that lists as many files as that has no new file; only a folder
 * that lists more is looked at file by file.
 */
struct dir_slot {
	uint64_t hash;
	size_t off;		/* offset + 1 into strs; 0: empty */
	size_t len;
	int64_t n;		/* files */
};

struct dir_map {
	struct strbuf strs;	/* the folders (below the watch) */
	struct dir_slot *slots;
	size_t nr, alloc;	/* alloc: a power of two */
	size_t last;		/* slot + 1 found last, or 0 */
};

/*
 * A folder below a watch as it was last listed: its stat then, and how
 * many files it held. While its stat is the same, the names in it are
 * (every name made, removed or renamed in a folder gives it a new mtime
 * and ctime), so it is not listed again: git's untracked cache. A folder
 * is trusted only when every name in it is a file or a folder (a link's
 * target can change with no sign on the folder), every folder in it
 * could be opened, and its mtime is out of the racy window (see
 * stat_is_racy()); the others are recorded with no stat, to be listed
 * every time. A folder with a newline in its name is not recorded, and
 * so its parent is listed every time.
 */
struct folder_rec {
	char *rel;		/* below the watch's folder; "" for it */
	int64_t mtime_ns, ctime_ns, ino, files;
	int64_t ignored;	/* files its ignore rules exclude */
	uint64_t ign_sig;	/* its .quireignore (ignore_sig()); 0: none */
	size_t *kids, nkids, akids;	/* its folders, as records */
};

struct folder_cache {
	struct folder_rec *recs;
	size_t nr, alloc;
	struct dir_map by_rel;	/* rel -> record + 1 */
};

struct watch {
	char *prefix, *dir;
	size_t prefix_len, dir_len;
	struct dir_map dirs;	/* the staged files of each folder */
	/* a pool task's, while the index is read: */
	struct dir_map disk;	/* the files on disk of each folder */
	struct folder_cache old, now;	/* as last listed; as listed now */
	int changed;		/* now differs from old */
	/*
	 * The ignore rules, from the workspace's root (or the folder
	 * itself when it is outside) down; ig_rel is the folder below
	 * that root. A change in the ignore files of the folders on the
	 * way (ig_sig: as last listed) lists everything again.
	 */
	struct ignore ig;
	const char *ig_rel;
	uint64_t ig_sig;
	int ig_any;		/* an ignore file was read */
	int ig_out;		/* the folder itself is excluded */
	struct dir_map ign;	/* the ignored files of each folder */
};

struct watches {
	struct status *s;
	struct watch *w;
	size_t nr, alloc;
	struct strbuf key, path;	/* scratch */
	struct watch *cur;
	int64_t staged_ignored;	/* count_ignored()'s answer */
};

static uint64_t str_hash(const char *s, size_t len)
{
	uint64_t h = 14695981039346656037ull;	/* FNV-1a, then mixed */

	while (len--)
		h = (h ^ (unsigned char)*s++) * 1099511628211ull;
	h ^= h >> 32;
	h *= 0xd6e8feb86659fd93ull;
	return h ^ (h >> 32);
}

static struct dir_slot *dir_find(struct dir_map *m, uint64_t hash,
				 const char *d, size_t len)
{
	size_t i = hash & (m->alloc - 1);

	for (;; i = (i + 1) & (m->alloc - 1)) {
		struct dir_slot *slot = &m->slots[i];

		if (!slot->off ||
		    (slot->hash == hash && slot->len == len &&
		     !memcmp(m->strs.buf + slot->off - 1, d, len)))
			return slot;
	}
}

/* The count of folder d (below the watch), made if new. */
static struct dir_slot *dir_counts(struct dir_map *m, const char *d,
				   size_t len)
{
	struct dir_slot *slot;
	uint64_t hash;

	/* the files of a folder mostly come one after another */
	if (m->last) {
		slot = &m->slots[m->last - 1];
		if (slot->len == len &&
		    !memcmp(m->strs.buf + slot->off - 1, d, len))
			return slot;
	}
	if (2 * (m->nr + 1) > m->alloc) {
		struct dir_slot *old = m->slots;
		size_t n = m->alloc, i, j;

		m->alloc = n ? 2 * n : 64;
		m->slots = xcalloc(m->alloc, sizeof(*m->slots));
		for (i = 0; i < n; i++) {
			if (!old[i].off)
				continue;
			j = old[i].hash & (m->alloc - 1);
			while (m->slots[j].off)
				j = (j + 1) & (m->alloc - 1);
			m->slots[j] = old[i];
		}
		free(old);
	}
	hash = str_hash(d, len);
	slot = dir_find(m, hash, d, len);
	if (!slot->off) {
		slot->hash = hash;
		slot->off = m->strs.len + 1;
		slot->len = len;
		strbuf_add(&m->strs, d, len);
		strbuf_addch(&m->strs, '\0');
		m->nr++;
	}
	m->last = slot - m->slots + 1;
	return slot;
}

/* The ignore rules of a watch's folder (see struct watch). */
static void watch_ignore_init(struct watch *w, const char *ws_root)
{
	const char *root, *rel;

	ignore_root_of(ws_root, w->dir, 1, &root, &rel);
	ignore_init(&w->ig, root);
	w->ig_rel = rel;	/* within w->dir, or "" */
}

static int load_watch(const char *prefix, const char *dir, void *payload)
{
	struct watches *ws = payload;
	struct watch *w;

	ALLOC_GROW(ws->w, ws->nr + 1, ws->alloc);
	w = &ws->w[ws->nr++];
	memset(w, 0, sizeof(*w));
	w->prefix = xstrdup(prefix);
	w->prefix_len = strlen(prefix);
	w->dir = xstrdup(dir);
	w->dir_len = strlen(dir);
	while (w->dir_len && w->dir[w->dir_len - 1] == '/')
		w->dir[--w->dir_len] = '\0';
	strbuf_init(&w->dirs.strs, 0);
	strbuf_init(&w->disk.strs, 0);
	strbuf_init(&w->ign.strs, 0);
	watch_ignore_init(w, ws->s->ws->root);
	return 0;
}

/* Count the file of an entry in its folder under each watch: by delta. */
static void count_staged(struct watches *ws, const char *key, size_t len,
			 const char *path, int delta)
{
	size_t i;

	if (!path)
		return;
	for (i = 0; i < ws->nr; i++) {
		struct watch *w = &ws->w[i];
		const char *tail = key + w->prefix_len, *slash;

		if (len <= w->prefix_len || memcmp(key, w->prefix,
						   w->prefix_len) ||
		    strncmp(path, w->dir, w->dir_len) ||
		    path[w->dir_len] != '/' ||
		    strcmp(path + w->dir_len + 1, tail))
			continue;
		slash = strrchr(tail, '/');
		dir_counts(&w->dirs, tail, slash ? slash - tail : 0)->n +=
			delta;
	}
}

static void on_seen(const char *key, size_t len, const char *path,
		    void *payload)
{
	count_staged(payload, key, len, path, 1);
}

static void on_refresh(const char *key, const char *path,
		       enum stage_change what, void *payload)
{
	struct watches *ws = payload;

	if (what == STAGE_MISSING) {
		add_item(ws->s, '!', key, path);
		count_staged(ws, key, strlen(key), path, -1);
	}
}

static int skip_quire(const char *name, int is_dir, void *payload)
{
	return is_dir ? !strcmp(name, ".quire") : is_quire_leftover(name);
}

static void folder_cache_add(struct folder_cache *fc, const char *rel,
			     size_t len, const struct stat *st, int64_t files,
			     int64_t ignored, uint64_t ign_sig)
{
	struct folder_rec *r;

	ALLOC_GROW(fc->recs, fc->nr + 1, fc->alloc);
	r = &fc->recs[fc->nr];
	memset(r, 0, sizeof(*r));
	r->rel = xstrndup(rel, len);
	if (st) {
		r->mtime_ns = (int64_t)st->st_mtim.tv_sec * 1000000000 +
			      st->st_mtim.tv_nsec;
		r->ctime_ns = (int64_t)st->st_ctim.tv_sec * 1000000000 +
			      st->st_ctim.tv_nsec;
		r->ino = st->st_ino;
	}
	r->files = files;
	r->ignored = ignored;
	r->ign_sig = ign_sig;
	dir_counts(&fc->by_rel, rel, len)->n = ++fc->nr;
}

static struct folder_rec *folder_cache_get(struct folder_cache *fc,
					   const char *rel, size_t len)
{
	struct dir_slot *slot;

	if (!fc->by_rel.alloc)
		return NULL;
	slot = dir_find(&fc->by_rel, str_hash(rel, len), rel, len);
	return slot->off && slot->n > 0 ? &fc->recs[slot->n - 1] : NULL;
}

/* Link each record to its parent's list of folders. */
static void folder_cache_link(struct folder_cache *fc)
{
	size_t i;

	for (i = 0; i < fc->nr; i++) {
		const char *rel = fc->recs[i].rel, *slash;
		struct folder_rec *parent;

		if (!*rel)
			continue;
		slash = strrchr(rel, '/');
		parent = folder_cache_get(fc, rel, slash ? slash - rel : 0);
		if (!parent)
			continue;
		ALLOC_GROW(parent->kids, parent->nkids + 1, parent->akids);
		parent->kids[parent->nkids++] = i;
	}
}

static void folder_cache_release(struct folder_cache *fc)
{
	size_t i;

	for (i = 0; i < fc->nr; i++) {
		free(fc->recs[i].rel);
		free(fc->recs[i].kids);
	}
	free(fc->recs);
	strbuf_release(&fc->by_rel.strs);
	free(fc->by_rel.slots);
	memset(fc, 0, sizeof(*fc));
}

static int same_folder(const struct folder_rec *r, const struct stat *st)
{
	return r->ino == (int64_t)st->st_ino &&
	       r->mtime_ns == (int64_t)st->st_mtim.tv_sec * 1000000000 +
			      st->st_mtim.tv_nsec &&
	       r->ctime_ns == (int64_t)st->st_ctim.tv_sec * 1000000000 +
			      st->st_ctim.tv_nsec;
}

/*
 * Count the files in the open folder dfd (rel below the watch; closed
 * here) and below: from the cache for a folder whose stat it holds,
 * else by listing it. Files and folders the ignore rules exclude are
 * not counted (a folder is not read); anew: the rules of a folder above
 * changed, so nothing below is taken from the cache.
 */
static void count_folder(struct watch *w, int dfd, struct strbuf *rel,
			 int anew)
{
	size_t rlen = rel->len;
	struct folder_rec *r;
	struct stat st;
	struct dirent *de;
	DIR *d;
	int64_t files = 0, ignored = 0;
	int clean = 1, same;

	if (fstat(dfd, &st) < 0) {
		close(dfd);
		return;
	}
	r = anew ? NULL : folder_cache_get(&w->old, rel->buf, rel->len);
	same = r && same_folder(r, &st);
	if (rlen) {
		/* an unchanged folder that had no ignore file has none */
		const char *slash = strrchr(rel->buf, '/');

		ignore_enter(&w->ig, dfd, slash ? slash + 1 : rel->buf,
			     !same || r->ign_sig);
	}
	if (ignore_sig(&w->ig))
		w->ig_any = 1;
	if (same && r->ign_sig != ignore_sig(&w->ig))
		anew = 1;	/* its rules changed: list it and below */
	if (same && !anew) {
		size_t i;
		int all = 1;

		dir_counts(&w->disk, rel->buf, rel->len)->n += r->files;
		if (r->ignored)
			dir_counts(&w->ign, rel->buf, rel->len)->n +=
				r->ignored;
		for (i = 0; i < r->nkids; i++) {
			const char *kid = w->old.recs[r->kids[i]].rel;
			const char *name = kid + (rlen ? rlen + 1 : 0);
			int sub = openat(dfd, name, O_RDONLY | O_DIRECTORY |
					 O_NOFOLLOW | O_CLOEXEC);

			if (sub < 0) {
				all = 0;	/* list it next time */
				w->changed = 1;
				continue;
			}
			strbuf_setlen(rel, rlen);
			if (rlen)
				strbuf_addch(rel, '/');
			strbuf_addstr(rel, name);
			count_folder(w, sub, rel, 0);
		}
		strbuf_setlen(rel, rlen);
		folder_cache_add(&w->now, rel->buf, rel->len, all ? &st : NULL,
				 r->files, r->ignored, r->ign_sig);
		close(dfd);
		goto out;
	}
	w->changed = 1;
	trace_add(TRACE_READ_FOLDERS, 1);
	d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		goto out;
	}
	while ((de = readdir(d))) {
		const char *name = de->d_name;
		struct stat sub_st;
		int is_dir, sub;

		if (name[0] == '.' && (!name[1] ||
				       (name[1] == '.' && !name[2])))
			continue;
		if (de->d_type == DT_REG) {
			sub_st.st_mode = S_IFREG;
		} else if (de->d_type == DT_DIR) {
			sub_st.st_mode = S_IFDIR;
		} else {
			/* a link (it counts as the file it names), or a
			 * file system that does not say */
			clean = 0;
			if (fstatat(dfd, name, &sub_st,
				    AT_SYMLINK_NOFOLLOW) < 0)
				continue;
			if (S_ISLNK(sub_st.st_mode) &&
			    (fstatat(dfd, name, &sub_st, 0) < 0 ||
			     !S_ISREG(sub_st.st_mode)))
				continue;
		}
		is_dir = S_ISDIR(sub_st.st_mode);
		if (!is_dir && !S_ISREG(sub_st.st_mode))
			continue;
		if (skip_quire(name, is_dir, NULL))
			continue;
		if (ignore_excluded(&w->ig, name, is_dir)) {
			ignored += !is_dir;	/* a folder is not read */
			continue;
		}
		if (!is_dir) {
			files++;
			continue;
		}
		if (strchr(name, '\n'))
			clean = 0;	/* see struct folder_rec */
		sub = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
			     O_CLOEXEC);
		if (sub < 0) {
			clean = 0;	/* list it next time */
			continue;
		}
		strbuf_setlen(rel, rlen);
		if (rlen)
			strbuf_addch(rel, '/');
		strbuf_addstr(rel, name);
		count_folder(w, sub, rel, anew);
		strbuf_setlen(rel, rlen);
	}
	closedir(d);
	dir_counts(&w->disk, rel->buf, rel->len)->n += files;
	if (ignored)
		dir_counts(&w->ign, rel->buf, rel->len)->n += ignored;
	/*
	 * Every folder is recorded, so that its parent, trusted, still
	 * leads to it; a folder not to be trusted with no stat (it is
	 * listed next time).
	 */
	if (!strchr(rel->buf, '\n'))
		folder_cache_add(&w->now, rel->buf, rel->len,
				 clean && !stat_is_racy(&st) ? &st : NULL,
				 files, ignored, ignore_sig(&w->ig));
out:
	if (rlen)
		ignore_leave(&w->ig);
}

/* A pool task: count the files of a watch's folders, as the index is read. */
static void count_disk(void *arg)
{
	struct watch *w = arg;
	struct strbuf rel = STRBUF_INIT;
	int dfd, anew;

	w->ig_out = ignore_begin(&w->ig, w->ig_rel, NULL, NULL);
	w->ig_any = ignore_any(&w->ig);
	anew = w->ig.begin_sig != w->ig_sig;
	if (anew)
		w->changed = 1;
	w->ig_sig = w->ig.begin_sig;
	/* an excluded folder has nothing new (what is staged stays) */
	dfd = w->ig_out ? -1 : open(w->dir, O_RDONLY | O_DIRECTORY |
				    O_CLOEXEC);
	if (dfd >= 0)
		count_folder(w, dfd, &rel, anew);
	if (w->now.nr != w->old.nr)
		w->changed = 1;
	strbuf_release(&rel);
}

#define FOLDER_CACHE "folder-cache"
#define FOLDER_CACHE_HEAD "quire folder cache 2\n"

/*
 * .quire/folder-cache: for each watch, a line "W <prefix>TAB<folder>TAB
 * <ignore signature>", then a line "<mtime_ns> <ctime_ns> <ino> <files>
 * <ignored files> <.quireignore signature> <rel>" for each of its
 * folders that may be trusted. Only an optimisation: a file that
 * cannot be read, or is not what it should be, is as good as none.
 */
static void load_folder_cache(struct workspace *ws, struct watches *wl)
{
	struct strbuf path = STRBUF_INIT, sb = STRBUF_INIT;
	struct watch *w = NULL;
	char *line, *end;
	size_t i;

	strbuf_addf(&path, "%s/" FOLDER_CACHE, ws->quire_dir);
	if (strbuf_read_file_max(&sb, path.buf, 1u << 30) < 0 ||
	    strncmp(sb.buf, FOLDER_CACHE_HEAD, strlen(FOLDER_CACHE_HEAD)))
		goto out;
	for (line = sb.buf + strlen(FOLDER_CACHE_HEAD);
	     line < sb.buf + sb.len; line = end + 1) {
		long long m, c, ino, files, ign;
		unsigned long long sig;
		int n = 0;

		end = memchr(line, '\n', sb.buf + sb.len - line);
		if (!end)
			break;
		*end = '\0';
		if (!strncmp(line, "W ", 2)) {
			char *tab = strchr(line + 2, '\t'), *tab2;

			w = NULL;
			if (!tab || !(tab2 = strchr(tab + 1, '\t')))
				continue;
			*tab = *tab2 = '\0';
			for (i = 0; i < wl->nr; i++)
				if (!strcmp(wl->w[i].prefix, line + 2) &&
				    !strcmp(wl->w[i].dir, tab + 1))
					w = &wl->w[i];
			if (w && sscanf(tab2 + 1, "%llu", &sig) == 1)
				w->ig_sig = sig;
		} else if (w && sscanf(line, "%lld %lld %lld %lld %lld %llu %n",
				       &m, &c, &ino, &files, &ign, &sig,
				       &n) == 6 && n) {
			struct folder_rec *r;

			folder_cache_add(&w->old, line + n, strlen(line + n),
					 NULL, files, ign, sig);
			r = &w->old.recs[w->old.nr - 1];
			r->mtime_ns = m;
			r->ctime_ns = c;
			r->ino = ino;
		}
	}
	for (i = 0; i < wl->nr; i++)
		folder_cache_link(&wl->w[i].old);
out:
	strbuf_release(&path);
	strbuf_release(&sb);
}

/* Write the folders as listed now, if that changed anything. */
static void save_folder_cache(struct workspace *ws, struct watches *wl)
{
	struct strbuf sb = STRBUF_INIT, err = STRBUF_INIT, path = STRBUF_INIT;
	struct tempfile *t;
	size_t i, j;
	int changed = 0;

	for (i = 0; i < wl->nr; i++)
		changed |= wl->w[i].changed;
	if (!changed)
		return;
	strbuf_addstr(&sb, FOLDER_CACHE_HEAD);
	for (i = 0; i < wl->nr; i++) {
		struct watch *w = &wl->w[i];

		if (strpbrk(w->prefix, "\t\n") || strpbrk(w->dir, "\t\n"))
			continue;
		strbuf_addf(&sb, "W %s\t%s\t%llu\n", w->prefix, w->dir,
			    (unsigned long long)w->ig_sig);
		for (j = 0; j < w->now.nr; j++) {
			struct folder_rec *r = &w->now.recs[j];

			strbuf_addf(&sb, "%lld %lld %lld %lld %lld %llu %s\n",
				    (long long)r->mtime_ns,
				    (long long)r->ctime_ns, (long long)r->ino,
				    (long long)r->files, (long long)r->ignored,
				    (unsigned long long)r->ign_sig, r->rel);
		}
	}
	strbuf_addf(&path, "%s/" FOLDER_CACHE, ws->quire_dir);
	t = create_tempfile_in(ws->odb.tmpdir, "folder-cache_", 0644, &err);
	if (t && (write_in_full(t->fd, sb.buf, sb.len) < 0 ||
		  rename_tempfile_at(&t, AT_FDCWD, path.buf, path.buf,
				     &err) < 0))
		delete_tempfile(&t);
	strbuf_release(&sb);
	strbuf_release(&err);
	strbuf_release(&path);
}

/* One folder, not the folders in it. */
static int skip_folders(const char *name, int is_dir, void *payload)
{
	return is_dir || is_quire_leftover(name);
}

/* A file of a folder that lists more files than are staged in it. */
static int check_file(const char *rel, size_t len, void *payload)
{
	struct watches *ws = payload;
	struct watch *w = ws->cur;
	struct idx_entry e;

	strbuf_reset(&ws->key);
	strbuf_add(&ws->key, w->prefix, w->prefix_len);
	strbuf_add(&ws->key, rel, len);
	if (!idx_get_entry(ws->s->ws->idx, ws->key.buf, &e)) {
		idx_entry_release(&e);
		return 0;
	}
	/* staged under another key (moved)? then not new */
	strbuf_reset(&ws->path);
	strbuf_add(&ws->path, w->dir, w->dir_len);
	strbuf_addch(&ws->path, '/');
	strbuf_add(&ws->path, rel, len);
	if (!idx_has_path(ws->s->ws->idx, ws->path.buf))
		add_item(ws->s, '?', ws->key.buf, ws->path.buf);
	return 0;
}

/*
 * New files under the added folders: on disk, not staged. A folder that
 * is gone has nothing new; one that cannot be read all through shows
 * what could be read. The folders were counted (count_disk()) while the
 * index was read: only those with more files than staged are listed
 * again and looked at file by file.
 */
/* Begin the watch's ignore rules at its folder name; 1: excluded. */
static int begin_folder(struct watch *w, const char *name)
{
	struct strbuf rel = STRBUF_INIT;
	int ret;

	strbuf_addstr(&rel, w->ig_rel);
	if (rel.len && *name)
		strbuf_addch(&rel, '/');
	strbuf_addstr(&rel, name);
	ret = ignore_begin(&w->ig, rel.buf, NULL, NULL);
	strbuf_release(&rel);
	return ret;
}

/* Is the file rel (below the watch's folder) staged from there? */
static int staged_here(struct watches *ws, const char *rel, size_t len)
{
	struct watch *w = ws->cur;
	struct idx_entry e;
	int ret;

	strbuf_reset(&ws->key);
	strbuf_add(&ws->key, w->prefix, w->prefix_len);
	strbuf_add(&ws->key, rel, len);
	if (idx_get_entry(ws->s->ws->idx, ws->key.buf, &e))
		return 0;
	strbuf_reset(&ws->path);
	strbuf_add(&ws->path, w->dir, w->dir_len);
	strbuf_addch(&ws->path, '/');
	strbuf_add(&ws->path, rel, len);
	ret = e.path && !strcmp(e.path, ws->path.buf);
	idx_entry_release(&e);
	return ret;
}

static int no_file(const char *rel, size_t len, void *payload)
{
	return 0;
}

/* An ignored file: counted when it is staged (count_staged() did). */
static int count_ignored(const char *rel, size_t len, int is_dir,
			 void *payload)
{
	struct watches *ws = payload;

	if (!is_dir && staged_here(ws, rel, len))
		ws->staged_ignored++;
	return 0;
}

static int64_t count_of(struct dir_map *m, const struct dir_slot *d,
			const char *name)
{
	struct dir_slot *slot;

	if (!m->alloc)
		return 0;
	slot = dir_find(m, d->hash, name, d->len);
	return slot->off ? slot->n : 0;
}

/*
 * A folder holds new files when fewer of its files are staged than it
 * has files that are not ignored. Its staged files may include ignored
 * ones (they stay staged): when the count cannot tell, those are
 * counted by listing it, with a lookup for each ignored file only.
 */
static void find_new(struct watches *ws)
{
	size_t i, j;

	for (i = 0; i < ws->nr; i++) {
		struct watch *w = ws->cur = &ws->w[i];

		for (j = 0; j < w->disk.alloc; j++) {
			struct dir_slot *d = &w->disk.slots[j];
			const char *name = w->disk.strs.buf + d->off - 1;
			struct ignore *ig = NULL;
			int64_t staged, ign;

			if (!d->off)
				continue;
			staged = count_of(&w->dirs, d, name);
			ign = count_of(&w->ign, d, name);
			if (staged >= d->n + ign)
				continue;
			if (w->ig_any) {
				if (begin_folder(w, name))
					continue;
				ig = &w->ig;
			}
			if (staged >= d->n) {
				ws->staged_ignored = 0;
				dir_walk_ignore(w->dir, name,
						DIR_LIST_FOLLOW_FILE_LINKS, ig,
						skip_folders, no_file,
						count_ignored, ws);
				if (staged - ws->staged_ignored >= d->n)
					continue;
			}
			dir_walk_ignore(w->dir, name,
					DIR_LIST_FOLLOW_FILE_LINKS, ig,
					skip_folders, check_file, NULL, ws);
		}
	}
}

/* --ignored: an ignored file, or folder, not staged. */
static int add_ignored(const char *rel, size_t len, int is_dir,
		       void *payload)
{
	struct watches *ws = payload;
	struct watch *w = ws->cur;

	strbuf_reset(&ws->path);
	strbuf_add(&ws->path, w->dir, w->dir_len);
	strbuf_addch(&ws->path, '/');
	strbuf_add(&ws->path, rel, len);
	if (!is_dir && idx_has_path(ws->s->ws->idx, ws->path.buf))
		return 0;	/* staged: it stays, and is not ignored */
	strbuf_reset(&ws->key);
	strbuf_add(&ws->key, w->prefix, w->prefix_len);
	strbuf_add(&ws->key, rel, len);
	if (is_dir)
		strbuf_addch(&ws->key, '/');
	add_item(ws->s, 'I', ws->key.buf, ws->path.buf);
	return 0;
}

/* The ignored files and folders of the added folders. */
static void find_ignored(struct watches *ws)
{
	size_t i;

	for (i = 0; i < ws->nr; i++) {
		struct watch *w = ws->cur = &ws->w[i];

		if (begin_folder(w, ""))
			add_item(ws->s, 'I', w->prefix, w->dir);
		else
			dir_walk_ignore(w->dir, "", DIR_LIST_FOLLOW_FILE_LINKS,
					&w->ig, skip_quire, no_file,
					add_ignored, ws);
	}
}

static void watches_release(struct watches *ws)
{
	size_t i;

	for (i = 0; i < ws->nr; i++) {
		free(ws->w[i].prefix);
		free(ws->w[i].dir);
		strbuf_release(&ws->w[i].dirs.strs);
		free(ws->w[i].dirs.slots);
		strbuf_release(&ws->w[i].disk.strs);
		free(ws->w[i].disk.slots);
		strbuf_release(&ws->w[i].ign.strs);
		free(ws->w[i].ign.slots);
		ignore_release(&ws->w[i].ig);
		folder_cache_release(&ws->w[i].old);
		folder_cache_release(&ws->w[i].now);
	}
	free(ws->w);
	strbuf_release(&ws->key);
	strbuf_release(&ws->path);
}

static int cmp_item(const void *a, const void *b)
{
	const struct status_item *x = a, *y = b;

	return logical_key_cmp(x->key, strlen(x->key), y->key,
			       strlen(y->key));
}

const char *status_word(char code)
{
	switch (code) {
	case 'A': return "added";
	case 'D': return "deleted";
	case 'M': return "modified";
	case 'm': return "metadata";
	case 'P': return "metadata";
	case '!': return "missing";
	case 'I': return "ignored";
	default: return "new";
	}
}

/*
 * The index's stat cache refreshed, in a cache transaction, while the
 * added folders are counted on disk (in disk_counted: wait for it).
 */
static int refresh(struct workspace *ws, struct watches *wl,
		   struct tp_group *disk_counted, struct stage_stats *stats,
		   struct strbuf *err)
{
	struct strbuf why = STRBUF_INIT;
	size_t i;
	int done, ret = workspace_index(ws, err);

	if (!ret)
		ret = idx_begin_cache(ws->idx, err);
	if (ret < 0)
		return ret;
	idx_for_each_watch(ws->idx, load_watch, wl);
	if (wl->nr)
		load_folder_cache(ws, wl);
	for (i = 0; i < wl->nr; i++)
		tp_submit(disk_counted, count_disk, &wl->w[i]);
	ret = stage_refresh_seen(ws, NULL, on_refresh, wl,
				 wl->nr ? on_seen : NULL, wl, stats, err);
	if (ret < 0)
		idx_rollback(ws->idx);	/* idx_commit_cache() only ends it */
	done = idx_commit_cache(ws->idx, &why);
	if (!ret && done < 0) {
		strbuf_addbuf(err, &why);
		ret = done;
	} else if (!ret && done > 0) {
		warning("%s", why.buf);
	}
	strbuf_release(&why);
	return ret;
}

/* What is staged: the index against HEAD (or nothing before a commit). */
static int staged(struct status *s, struct strbuf *err)
{
	static const char none[] = "{\"version\": \"v0\"}\n";
	struct workspace *ws = s->ws;
	struct entry_stream *a = NULL, *b = NULL;
	struct json *staged_meta = NULL;
	FILE *fp = NULL;
	int ret = 0;

	if (s->have_head)
		ret = odb_open_manifest(&ws->odb, &s->head, &fp, err);
	else
		fp = fmemopen((void *)none, strlen(none), "r");
	if (!ret && !fp)
		ret = error_errno("cannot read the empty manifest");
	if (!ret) {
		a = entry_stream_manifest(fp, s->have_head ? "HEAD" :
					  "nothing", err);
		b = a ? entry_stream_index(ws->idx, NULL) : NULL;
		if (!a || !b)
			ret = QERR_CORRUPT;
	}
	if (!ret)
		ret = diff_streams(a, b, on_diff, s, err);
	if (!ret)
		ret = package_meta_load(ws, &staged_meta, err);
	if (!ret && package_meta_differs(a->meta, staged_meta))
		add_item(s, 'P', "(package)", NULL);
	json_free(staged_meta);
	entry_stream_free(a);
	entry_stream_free(b);
	if (fp)
		fclose(fp);
	return ret < 0 ? ret : 0;
}

int status_collect(struct workspace *ws, unsigned flags, struct status *s,
		   struct strbuf *err)
{
	struct stage_stats stats = { 0 };
	struct watches watches = { NULL, NULL, 0, 0, STRBUF_INIT,
				   STRBUF_INIT, NULL, 0 };
	struct tp_group disk_counted = TP_GROUP_INIT;
	struct object_id clean;
	size_t new_from;
	int ret;

	s->ws = ws;
	watches.s = s;
	ret = refresh(ws, &watches, &disk_counted, &stats, err);
	s->local = stats.local;
	s->have_head = !refs_read(ws->refs, "HEAD", &s->head);
	/* an index that is exactly HEAD has nothing staged to compare */
	if (!ret && !(s->have_head && !stats.modified &&
		      !idx_clean_get(ws->idx, &clean) &&
		      oideq(&clean, &s->head)))
		ret = staged(s, err);
	tp_wait(&disk_counted);
	if (!ret) {
		new_from = s->nr;
		save_folder_cache(ws, &watches);
		find_new(&watches);
		QSORT(s->items + new_from, s->nr - new_from, cmp_item);
		new_from = s->nr;
		if (flags & STATUS_IGNORED)
			find_ignored(&watches);	/* after the new files */
		QSORT(s->items + new_from, s->nr - new_from, cmp_item);
	}
	watches_release(&watches);
	return ret;
}

void status_release(struct status *s)
{
	size_t i;

	for (i = 0; i < s->nr; i++) {
		free(s->items[i].key);
		free(s->items[i].path);
	}
	free(s->items);
	s->items = NULL;
	s->nr = s->alloc = 0;
}

struct json *status_json(const struct status *s, const char *name)
{
	struct json *o = json_new_object(), *arr = json_new_array();
	size_t i;

	json_object_set(o, "name", 4, name ?
			json_new_string(name, strlen(name)) : json_new_null());
	json_object_set(o, "top_hash", 8, s->have_head ?
			json_new_string(oid_to_hex(&s->head), HASH_HEXSZ) :
			json_new_null());
	for (i = 0; i < s->nr; i++) {
		struct json *it = json_new_object();
		const char *w = status_word(s->items[i].code);

		json_object_set(it, "status", 6, json_new_string(w, strlen(w)));
		json_object_set(it, "logical_key", 11,
				json_new_string(s->items[i].key,
						strlen(s->items[i].key)));
		json_array_append(arr, it);
	}
	json_object_set(o, "changes", 7, arr);
	json_object_set(o, "local_entries", 13, json_new_uint(s->local));
	return o;
}
