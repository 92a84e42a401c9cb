#include "quire-compat.h"
#include "checkout.h"
#include "chunked-hash.h"
#include "diff.h"
#include "fetch.h"
#include "index-db.h"
#include "logical-key.h"
#include "package.h"
#include "physical-key.h"
#include "place.h"
#include "progress.h"
#include "refs/refs.h"
#include "stage.h"
#include "tempfile.h"
#include "workspace.h"
#include "beneath.h"
#include <time.h>

int link_type_parse(const char *name, enum link_type *out)
{
	if (!strcmp(name, "copy"))
		*out = LINK_COPY;
	else if (!strcmp(name, "hardlink"))
		*out = LINK_HARDLINK;
	else if (!strcmp(name, "reflink"))
		*out = LINK_REFLINK;
	else
		return -1;
	return 0;
}

/* What to do with one entry of the new version. */
enum action {
	ACT_PLACE,	/* write the file */
	ACT_KEEP,	/* the file already holds these bytes */
	ACT_CONFLICT,	/* local bytes would be lost */
	ACT_ERROR,	/* the path cannot even be looked at (c->err) */
};

struct co {
	struct progress *progress;
	struct workspace *ws;
	struct odb *cache;
	const struct checkout_opts *opts;
	struct checkout_stats *stats;
	struct strbuf *kept, *err;
	struct strbuf conflicts;
	size_t nconflicts;
	int apply;
	struct strbuf path;
	struct strbuf missing;	/* "a/b/": a folder known to be missing */
	struct beneath b;	/* the workspace's root, for every write */
	/* files to place once their objects are fetched, together */
	struct later *later;
	size_t nlater, alater;
	/*
	 * the first walk's count of entries, of bytes to place, and of
	 * entries whose file or index entry would change
	 */
	uint64_t planned, planned_bytes, changes;
	/* the newest mtime of a file placed and recorded with its stat */
	struct timespec newest;
};

/* An entry whose object is not in the cache yet. */
struct later {
	char *key, *physical, *meta;
	struct object_id oid;
	uint64_t size;
};

#define LATER_BATCH 1024

static int in_scope(const struct co *c, const struct strbuf *key)
{
	const char *p = c->opts->path_prefix;

	return !p || logical_key_has_prefix(key->buf, key->len, p, strlen(p));
}

static int starts_with_buf(const char *s, const struct strbuf *prefix)
{
	return !strncmp(s, prefix->buf, prefix->len);
}

/* Decide for new entry n, with o the index entry (o->key NULL: none). */
static enum action decide(struct co *c, const struct manifest_entry *n,
			  const struct idx_entry *o, struct stat *st)
{
	struct object_id got;
	struct strbuf why = STRBUF_INIT;
	const char *base;
	int dirfd, fd, ret;

	strbuf_reset(&c->path);
	strbuf_addf(&c->path, "%s/%s", c->ws->root, n->key.buf);
	if (c->missing.len && starts_with_buf(n->key.buf, &c->missing))
		return ACT_PLACE;	/* its folder is known to be missing */
	ret = beneath_parent(&c->b, n->key.buf, 0, &dirfd, &base, &why);
	strbuf_release(&why);
	if (ret == QERR_NOTFOUND) {
		/* a folder on the way is missing: remember it */
		const char *slash = strrchr(n->key.buf, '/');

		strbuf_reset(&c->missing);
		if (slash)
			strbuf_add(&c->missing, n->key.buf,
				   slash + 1 - n->key.buf);
		return ACT_PLACE;
	}
	if (ret) {
		st->st_mode = 0;	/* a link or a file on the way */
		return ACT_CONFLICT;
	}
	if (fstatat(dirfd, base, st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT)
			return ACT_PLACE;
		strbuf_addf(c->err, "cannot look at '%s': %s", c->path.buf,
			    strerror(errno));
		return ACT_ERROR;
	}
	if (!S_ISREG(st->st_mode))
		return ACT_CONFLICT;
	if (o->key && o->path && o->has_hash && o->has_stat &&
	    !strcmp(o->path, c->path.buf) && idx_stat_matches(&o->st, st))
		/* unchanged since we put it there */
		return oideq(&o->oid, &n->oid) ? ACT_KEEP : ACT_PLACE;
	fd = openat(dirfd, base, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
		    O_CLOEXEC);
	ret = fd < 0 ? -1 : hash_fd(fd, c->path.buf, n->oid.type, &got, &why);
	if (fd >= 0)
		close(fd);
	strbuf_release(&why);
	if (!ret && oideq(&got, &n->oid))
		return ACT_KEEP;
	/* still the bytes we recorded: not a local change, replace it */
	if (!ret && o->key && o->has_hash && got.type == o->oid.type &&
	    oideq(&got, &o->oid))
		return ACT_PLACE;
	return ACT_CONFLICT;
}

/*
 * May the index vouch for the file by this stat? Every file recorded
 * with its stat was placed, or hashed, by this checkout (or its stat
 * matched what the index vouched for already). Where the file system
 * keeps fine timestamps, yes: settle() then waits out the clock's
 * granularity before the index is written, so any later change gives
 * the file a newer time. Where it keeps whole seconds (FAT), only a file
 * older than the command, as status judges it.
 */
static int stat_trusted(struct co *c, const struct stat *st)
{
	if (!st->st_mtim.tv_nsec)
		return !stat_is_racy(st);
	if (st->st_mtim.tv_sec > c->newest.tv_sec ||
	    (st->st_mtim.tv_sec == c->newest.tv_sec &&
	     st->st_mtim.tv_nsec > c->newest.tv_nsec))
		c->newest = st->st_mtim;
	return 1;
}

/* The file system's clock ticks at least this often (ns). */
#define CLOCK_GRAIN_NS 30000000L

/* Wait until the clock is past the newest placed file's time. */
static void settle(struct co *c)
{
	struct timespec now, wait;
	int64_t ns;

	if (!c->newest.tv_sec)
		return;
	clock_gettime(CLOCK_REALTIME, &now);
	ns = (int64_t)(c->newest.tv_sec - now.tv_sec) * 1000000000L +
	     (c->newest.tv_nsec - now.tv_nsec) + CLOCK_GRAIN_NS;
	if (ns <= 0)
		return;
	if (ns > 2 * CLOCK_GRAIN_NS)
		ns = 2 * CLOCK_GRAIN_NS;	/* a clock set back */
	wait.tv_sec = 0;
	wait.tv_nsec = ns;
	while (nanosleep(&wait, &wait) < 0 && errno == EINTR)
		;
}

static int record_fields(struct co *c, const char *key, const char *physical,
			 const struct object_id *oid, uint64_t size,
			 const char *meta, const char *path,
			 const struct stat *st)
{
	struct idx_entry e;

	idx_entry_init(&e);
	e.key = (char *)key;
	e.path = (char *)path;
	e.physical = physical && *physical ? (char *)physical : NULL;
	e.has_hash = 1;
	e.oid = *oid;
	e.size = size;
	e.meta = (char *)meta;
	if (path && st && stat_trusted(c, st)) {
		e.has_stat = 1;
		idx_stat_from(&e.st, st);
	}
	return idx_put_entry(c->ws->idx, &e, c->err);
}

static int record(struct co *c, const struct manifest_entry *n,
		  const char *path, const struct stat *st)
{
	struct strbuf meta = STRBUF_INIT;
	int ret;

	json_write_python(&meta, n->meta);
	ret = record_fields(c, n->key.buf, n->physical.buf, &n->oid, n->size,
			    meta.buf, path, st);
	strbuf_release(&meta);
	return ret;
}

/* Does the index entry o say all that recording n at path would? */
static int same_record(const struct manifest_entry *n,
		       const struct idx_entry *o, const char *path,
		       const struct stat *st, const struct strbuf *meta)
{
	const char *physical = n->physical.len ? n->physical.buf : NULL;

	return o->key && o->has_hash && oideq(&o->oid, &n->oid) &&
	       o->size == n->size && o->path && !strcmp(o->path, path) &&
	       !physical == !o->physical &&
	       (!physical || !strcmp(physical, o->physical)) &&
	       o->has_stat && idx_stat_matches(&o->st, st) &&
	       !strcmp(o->meta ? o->meta : "{}", meta->buf);
}

/* The same, with n's metadata written out first. */
static int same_entry(const struct manifest_entry *n,
		      const struct idx_entry *o, const char *path,
		      const struct stat *st)
{
	struct strbuf meta = STRBUF_INIT;
	int same;

	json_write_python(&meta, n->meta);
	same = same_record(n, o, path, st, &meta);
	strbuf_release(&meta);
	return same;
}

/* A file that stays: rewrite its entry only when something changed. */
static int record_unless_same(struct co *c, const struct manifest_entry *n,
			      const struct idx_entry *o, const char *path,
			      const struct stat *st)
{
	struct strbuf meta = STRBUF_INIT;
	int ret = 0;

	json_write_python(&meta, n->meta);
	if (!same_record(n, o, path, st, &meta))
		ret = record_fields(c, n->key.buf, n->physical.buf, &n->oid,
				    n->size, meta.buf, path, st);
	strbuf_release(&meta);
	return ret;
}

static void release_later(struct later *l)
{
	free(l->key);
	free(l->physical);
	free(l->meta);
}

/* Place the deferred entries' files together, then record each. */
static int flush_later(struct co *c)
{
	struct place_opts o = { c->cache, &c->b, c->ws->odb.tmpdir,
				c->opts->link, c->progress };
	struct place_item *items = xcalloc(c->nlater ? c->nlater : 1,
					   sizeof(*items));
	size_t i;
	int ret;

	for (i = 0; i < c->nlater; i++)
		place_item_init(&items[i], c->later[i].key,
				c->later[i].physical, &c->later[i].oid,
				c->later[i].size);
	ret = place_items(&o, items, c->nlater, c->err);
	strbuf_reset(&c->missing);	/* folders were made */
	for (i = 0; i < c->nlater; i++) {
		struct later *l = &c->later[i];

		c->stats->fetched += items[i].fetched;
		if (!ret) {
			c->stats->placed++;
			c->stats->bytes += l->size;
			strbuf_reset(&c->path);
			strbuf_addf(&c->path, "%s/%s", c->ws->root, l->key);
			ret = record_fields(c, l->key, l->physical, &l->oid,
					    l->size, l->meta, c->path.buf,
					    &items[i].st);
		}
		place_item_release(&items[i]);
		release_later(l);
	}
	free(items);
	c->nlater = 0;
	return ret;
}

static int defer(struct co *c, const struct manifest_entry *n)
{
	struct strbuf meta = STRBUF_INIT;
	struct later *l;

	json_write_python(&meta, n->meta);
	ALLOC_GROW(c->later, c->nlater + 1, c->alater);
	l = &c->later[c->nlater++];
	l->key = xstrdup(n->key.buf);
	l->physical = xstrdup(n->physical.buf);
	l->meta = strbuf_detach(&meta, NULL);
	l->oid = n->oid;
	l->size = n->size;
	return c->nlater >= LATER_BATCH ? flush_later(c) : 0;
}

static int new_entry(struct co *c, const struct manifest_entry *n,
		     const struct idx_entry *o)
{
	struct stat st;
	enum action act;

	c->stats->entries += c->apply;
	if (c->apply)
		progress_add(c->progress, 1, 0);
	else
		c->planned++;
	if (!in_scope(c, &n->key)) {
		/* not placed: a reference to the remote copy, or what is
		 * already here if it holds the same bytes */
		if (!c->apply) {
			c->changes++;
			return 0;
		}
		return record(c, n, o->key && o->path && o->has_hash &&
			      oideq(&o->oid, &n->oid) ? o->path : NULL, NULL);
	}
	act = decide(c, n, o, &st);
	if (act == ACT_ERROR)
		return QERR_GENERIC;
	if (act == ACT_CONFLICT && !c->opts->force) {
		if (c->nconflicts++ < 20)
			strbuf_addf(&c->conflicts, "\n\t%s", n->key.buf);
		return 0;
	}
	if (!c->apply) {
		if (act != ACT_KEEP)
			c->planned_bytes += n->size;
		if (act != ACT_KEEP || !same_entry(n, o, c->path.buf, &st))
			c->changes++;
		return 0;
	}
	if (act == ACT_CONFLICT && S_ISDIR(st.st_mode)) {
		strbuf_addf(c->err, "'%s' is a folder where the package has a "
			    "file; move it away", c->path.buf);
		return QERR_EXISTS;
	}
	if (act == ACT_KEEP) {
		c->stats->unchanged++;
		return record_unless_same(c, n, o, c->path.buf, &st);
	}
	return defer(c, n);
}

/* Is path where a checkout of key puts its file? */
static int placed_here(struct co *c, const char *key, const char *path)
{
	strbuf_reset(&c->path);
	strbuf_addf(&c->path, "%s/%s", c->ws->root, key);
	return path && !strcmp(path, c->path.buf);
}

/*
 * Remove the file a checkout put at root/key (nothing else, ever: not
 * a folder, not a link, nothing reached through a link).
 */
static int remove_placed(struct co *c, const char *key)
{
	struct strbuf why = STRBUF_INIT;
	struct stat st;
	const char *base;
	int dirfd, ret;

	ret = beneath_parent(&c->b, key, 0, &dirfd, &base, &why);
	strbuf_release(&why);
	if (ret || fstatat(dirfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
	    !S_ISREG(st.st_mode))
		return 0;
	if (unlinkat(dirfd, base, 0) < 0) {
		strbuf_addf(c->err, "cannot remove '%s/%s': %s", c->ws->root,
			    key, strerror(errno));
		return QERR_GENERIC;
	}
	c->stats->removed++;
	return 0;
}

static int gone_entry(struct co *c, const struct idx_entry *o)
{
	struct strbuf key = STRBUF_INIT;
	struct stat st;
	int in, ret = 0;

	if (!c->apply) {
		c->changes++;
		return 0;
	}
	strbuf_addstr(&key, o->key);
	in = in_scope(c, &key);
	strbuf_release(&key);
	/*
	 * Only a file this checkout machinery placed (at root/key) may go:
	 * the source of a staged entry (elsewhere, or moved) is the user's.
	 */
	if (in && placed_here(c, o->key, o->path) &&
	    !beneath_lstat(&c->b, o->key, &st)) {
		if (c->opts->force) {
			ret = remove_placed(c, o->key);
		} else {
			strbuf_addf(c->kept, "%s\n", o->key);
			c->stats->kept++;
			ret = idx_kept(c->ws->idx, o->key, 1);
		}
	}
	return ret ? ret : idx_delete_entry(c->ws->idx, o->key);
}

static int collect_kept(const char *key, const char *unused, void *p)
{
	strbuf_add(p, key, strlen(key) + 1);
	return 0;
}

/* --force: files kept by earlier checkouts go now, unless back in. */
static int remove_kept(struct co *c)
{
	struct strbuf keys = STRBUF_INIT;
	struct idx_entry e;
	size_t off;
	int ret = idx_for_each_kept(c->ws->idx, collect_kept, &keys);

	for (off = 0; !ret && off < keys.len;
	     off += strlen(keys.buf + off) + 1) {
		const char *key = keys.buf + off;

		if (!idx_get_entry(c->ws->idx, key, &e))
			idx_entry_release(&e);	/* the version has it again */
		else
			ret = remove_placed(c, key);
		if (!ret)
			ret = idx_kept(c->ws->idx, key, 0);
	}
	strbuf_release(&keys);
	return ret;
}

/*
 * Every key must be safe as a path, and every physical key one quire
 * may read (see checkout_opts), before anything is written: checked for
 * each entry (folder lines too) as the first walk reads it.
 */
static int check_key(struct co *c, const struct manifest_entry *e)
{
	const struct checkout_opts *opts = c->opts;
	size_t len = e->key.len - (e->is_dir ? 1 : 0);
	int ret;

	if (logical_key_check(e->key.buf, len, LOGICAL_KEY_PATH, c->err) < 0)
		return QERR_CORRUPT;
	if (!opts->from_registry || opts->allow_local_files || e->is_dir ||
	    !e->physical.len)
		return 0;
	ret = physical_key_local_allowed(e->physical.buf, opts->local_root,
					 c->err);
	if (ret)
		strbuf_addf(c->err, ", named by '%s'; quire reads such files "
			    "only when you trust the registry: pass "
			    "--allow-local-files", e->key.buf);
	return ret;
}

/* The next entry of r that is not a folder line (checked in the plan). */
static int next_file(struct co *c, struct manifest_reader *r,
		     struct manifest_entry *n)
{
	int rn, bad;

	while ((rn = manifest_reader_next(r, n, c->err)) > 0) {
		if (!c->apply && (bad = check_key(c, n)))
			return bad;
		if (!n->is_dir)
			break;
	}
	return rn;
}

/* One pass over the new version merged with the index. */
static int walk(struct co *c, FILE *fp, const char *name)
{
	struct manifest_reader r;
	struct manifest_entry n;
	struct idx_cursor *cur;
	struct idx_entry o;
	int rn, ro, ret = 0;

	if (fseeko(fp, 0, SEEK_SET) ||
	    manifest_reader_open(&r, fp, name, 0, c->err) < 0)
		return QERR_CORRUPT;
	/* the index as it was: this walk rewrites it */
	if (idx_cursor_open_snapshot(c->ws->idx, NULL, &cur) < 0) {
		manifest_reader_release(&r);
		return QERR_GENERIC;
	}
	manifest_entry_init(&n);
	idx_entry_init(&o);
	rn = next_file(c, &r, &n);
	ro = idx_cursor_next(cur, &o);
	while (!ret && rn >= 0 && ro >= 0 && (rn > 0 || ro > 0)) {
		int cmp = !rn ? 1 : !ro ? -1 :
			  logical_key_cmp(n.key.buf, n.key.len, o.key,
					  strlen(o.key));
		struct idx_entry none;

		idx_entry_init(&none);
		if (cmp <= 0)
			ret = new_entry(c, &n, cmp ? &none : &o);
		else
			ret = gone_entry(c, &o);
		if (cmp <= 0)
			rn = next_file(c, &r, &n);
		if (cmp >= 0) {
			idx_entry_release(&o);
			ro = idx_cursor_next(cur, &o);
		}
	}
	if (!ret && (rn < 0 || ro < 0))
		ret = rn < 0 ? rn : QERR_GENERIC;
	idx_entry_release(&o);
	manifest_entry_release(&n);
	idx_cursor_close(cur);
	manifest_reader_release(&r);
	return ret;
}

/* Folder metadata lines and the package metadata, as in the manifest. */
static int record_version_meta(struct co *c, FILE *fp, const char *name)
{
	struct manifest_reader r;
	struct manifest_entry e;
	struct strbuf json = STRBUF_INIT;
	int ret;

	if (fseeko(fp, 0, SEEK_SET) ||
	    manifest_reader_open(&r, fp, name, 0, c->err) < 0)
		return QERR_CORRUPT;
	ret = package_meta_store(c->ws, r.meta, c->err);
	manifest_entry_init(&e);
	while (!ret && (ret = manifest_reader_next(&r, &e, c->err)) > 0) {
		if (!e.is_dir)
			break;	/* folder lines come first */
		strbuf_reset(&json);
		json_write_python(&json, e.meta);
		ret = idx_set_dir_meta(c->ws->idx, e.key.buf, json.buf,
				       c->err);
	}
	manifest_entry_release(&e);
	manifest_reader_release(&r);
	strbuf_release(&json);
	return ret < 0 ? ret : 0;
}

static int clear_dir_meta(const char *key, const char *json, void *p)
{
	struct co *c = p;

	return idx_set_dir_meta(c->ws->idx, key, NULL, c->err);
}

struct staged_list {
	struct strbuf list;
	size_t nr;
};

static int note_staged(char code, const char *key, void *payload)
{
	static const char *const words[] = {
		"A", "added", "D", "removed", "M", "changed",
		"m", "metadata changed", "P", "metadata changed",
	};
	struct staged_list *l = payload;
	const char *word = "changed";
	size_t i;

	for (i = 0; i < ARRAY_SIZE(words); i += 2)
		if (*words[i] == code)
			word = words[i + 1];
	if (l->nr++ < 20)
		strbuf_addf(&l->list, "\n\t%s (%s)", key, word);
	return 0;
}

/* Refuse to drop what is staged and not committed (git does too). */
static int check_staged(struct co *c)
{
	struct staged_list l = { STRBUF_INIT, 0 };
	int ret = package_staged_changes(c->ws, note_staged, &l, c->err);

	if (!ret && l.nr) {
		strbuf_addf(c->err, "%zu staged change%s would be lost: %s "
			    "not committed; commit first, or pass --force to "
			    "drop %s:%s%s", l.nr, l.nr == 1 ? "" : "s",
			    l.nr == 1 ? "it is" : "they are",
			    l.nr == 1 ? "it" : "them", l.list.buf,
			    l.nr > 20 ? "\n\t..." : "");
		ret = QERR_EXISTS;
	}
	strbuf_release(&l.list);
	return ret;
}

int checkout_move_head(struct workspace *ws, const struct object_id *top,
		       const char *what, struct strbuf *err)
{
	struct object_id old;
	int have_old = !refs_read(ws->refs, "HEAD", &old), ret;

	if (have_old && oideq(&old, top))
		return 0;
	ret = refs_update(ws->refs, "HEAD", top, NULL, 0, err);
	if (!ret)
		ret = package_log_append(ws, have_old ? &old : NULL, top,
					 what ? what : "checkout", err);
	return ret;
}

int checkout_version(struct workspace *ws, const struct object_id *top,
		     struct odb *cache, const struct checkout_opts *opts,
		     struct checkout_stats *stats, struct strbuf *kept,
		     struct strbuf *err)
{
	struct co c;
	FILE *fp = NULL;
	int ret;

	memset(&c, 0, sizeof(c));
	c.ws = ws;
	c.cache = cache;
	c.opts = opts;
	c.stats = stats;
	c.kept = kept;
	c.err = err;
	strbuf_init(&c.conflicts, 0);
	strbuf_init(&c.path, 0);
	strbuf_init(&c.missing, 0);
	ret = beneath_open(&c.b, ws->root, err);
	if (!ret)
		ret = odb_create(&ws->odb, err);
	if (!ret)
		sweep_tempfiles(ws->odb.tmpdir, NULL);	/* from killed runs */
	if (!ret)
		ret = odb_open_manifest(&ws->odb, top, &fp, err);
	if (!ret && !opts->force)
		ret = check_staged(&c);
	if (!ret)
		ret = walk(&c, fp, oid_to_hex(top));	/* plan */
	if (!ret && c.nconflicts) {
		strbuf_addf(err, "%zu file%s here would be overwritten: they "
			    "differ from both versions (changed locally, or "
			    "not from this package); move them away or pass "
			    "--force:%s%s", c.nconflicts,
			    c.nconflicts == 1 ? "" : "s", c.conflicts.buf,
			    c.nconflicts > 20 ? "\n\t..." : "");
		ret = QERR_EXISTS;
	}
	c.apply = 1;
	c.progress = progress_start(opts->what &&
				    !strncmp(opts->what, "install", 7) ?
				    "Installing" : "Checking out", c.planned,
				    opts->quiet ? PROGRESS_QUIET : 0);
	progress_set_total_bytes(c.progress, c.planned_bytes);
	if (!ret && !c.changes && !opts->path_prefix) {
		/* every file and entry is as the version has it already */
		stats->entries = stats->unchanged = c.planned;
		progress_add(c.progress, c.planned, 0);
	} else if (!ret) {
		ret = walk(&c, fp, oid_to_hex(top));
	}
	if (!ret)
		ret = flush_later(&c);
	progress_stop(&c.progress);
	/* the placed files are on disk before the index vouches for them */
	if (!ret && c.stats->placed)
		ret = place_sync(c.b.root_fd, ws->root, err);
	if (!ret)
		settle(&c);
	if (!ret && opts->force)
		ret = remove_kept(&c);
	if (!ret)
		ret = idx_for_each_dir_meta(ws->idx, clear_dir_meta, &c);
	if (!ret)
		ret = record_version_meta(&c, fp, oid_to_hex(top));
	if (!ret)
		ret = idx_clean_set(ws->idx, top, err);
	if (fp)
		fclose(fp);
	beneath_close(&c.b);
	strbuf_release(&c.conflicts);
	strbuf_release(&c.path);
	strbuf_release(&c.missing);
	for (; c.nlater; c.nlater--)
		release_later(&c.later[c.nlater - 1]);
	free(c.later);
	return ret;
}
