#include "quire-compat.h"
#include "fsck.h"
#include "diff.h"
#include "fetch.h"
#include "manifest.h"
#include "objects/odb.h"
#include "physical-key.h"
#include "progress.h"
#include "registry.h"
#include "s3/object.h"
#include "string-list.h"
#include "tempfile.h"
#include <dirent.h>
#include <sqlite3.h>

#define PACKAGES ".quilt/packages/"
#define NAMED ".quilt/named_packages/"
#define TAGS ".quire/tags/"
#define CHECK_BATCH 256

/* A physical key to look at, and who names it (for the message). */
struct check {
	char *physical;
	char *key;
	char top[13];
	struct object_id oid;
	uint64_t size;
	int bad;	/* a problem was found already */
};

struct fsck {
	struct registry *reg;
	const struct fsck_opts *opts;
	fsck_problem_fn *fn;
	void *payload;
	struct fsck_stats *st;
	struct strbuf *err;
	const char *tmpdir;
	/* the manifests the registry holds, sorted */
	struct object_id *tops;
	size_t ntops, atops;
	/* physical keys seen already: a table on disk, not in memory */
	sqlite3 *db;
	sqlite3_stmt *seen;
	struct check batch[CHECK_BATCH];
	size_t nbatch;
	/* --full: objects are fetched into a scratch store, then dropped */
	const char *scratch;
};

static void problem(struct fsck *f, const char *kind, const char *fmt, ...)
	PRINTF_LIKE(3, 4);
static void problem(struct fsck *f, const char *kind, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	f->st->problems++;
	f->fn(kind, sb.buf, f->payload);
	strbuf_release(&sb);
}

static int cmp_oid(const void *a, const void *b)
{
	const struct object_id *x = a, *y = b;

	return memcmp(x->hash, y->hash, HASH_RAWSZ);
}

static int have_manifest(struct fsck *f, const struct object_id *top)
{
	return f->ntops && bsearch(top, f->tops, f->ntops, sizeof(*top),
				   cmp_oid);
}

static int collect_key(const char *key, void *payload)
{
	string_list_append(payload, key);
	return 0;
}

/* Physical keys. */

/* 1 when physical has not been queued before (in any manifest). */
static int first_time(struct fsck *f, const char *physical)
{
	int ret;

	sqlite3_bind_text(f->seen, 1, physical, -1, SQLITE_STATIC);
	ret = sqlite3_step(f->seen);
	sqlite3_reset(f->seen);
	return ret == SQLITE_DONE && sqlite3_changes(f->db) > 0;
}

static void check_release(struct check *c)
{
	free(c->physical);
	free(c->key);
}

static void verdict(struct fsck *f, struct check *c, int ret,
		    uint64_t size, const char *why)
{
	c->bad = !!ret;
	if (ret == QERR_NOTFOUND)
		problem(f, "missing-object", "%s, named by '%s' in %s",
			c->physical, c->key, c->top);
	else if (ret == QERR_CORRUPT && size != UINT64_MAX)
		problem(f, "wrong-size", "%s holds %" PRIu64 " bytes, not the "
			"%" PRIu64 " of '%s' in %s", c->physical, size,
			c->size, c->key, c->top);
	else if (ret == QERR_CORRUPT)
		problem(f, "wrong-hash", "%s, named by '%s' in %s: %s",
			c->physical, c->key, c->top, why);
	else if (ret)
		problem(f, "unreadable-object", "%s, named by '%s' in %s: %s",
			c->physical, c->key, c->top, why);
}

static void stat_file(struct fsck *f, struct check *c,
		      const struct physical_key *pk)
{
	struct stat st;

	if (lstat(pk->path, &st) < 0 || !S_ISREG(st.st_mode))
		verdict(f, c, QERR_NOTFOUND, 0, NULL);
	else if ((uint64_t)st.st_size != c->size)
		verdict(f, c, QERR_CORRUPT, st.st_size, NULL);
}

/* HEAD the S3 objects among c[0..n) (pk[i] parsed) together. */
static int stat_s3(struct fsck *f, struct check *c,
		   struct physical_key *pk, size_t n)
{
	struct s3_request *rq = xcalloc(n, sizeof(*rq));
	struct s3_request **rqs = xcalloc(n, sizeof(*rqs));
	const char *(*q)[3] = xcalloc(n, sizeof(*q));
	struct s3_client *client = NULL;
	size_t i, nr = 0;
	int ret = 0;

	for (i = 0; i < n; i++)
		if (pk[i].scheme == PHYSICAL_KEY_S3)
			nr++;
	if (nr && !(client = s3_client_get(f->err)))
		ret = QERR_USAGE;
	for (i = 0, nr = 0; !ret && i < n; i++) {
		if (pk[i].scheme != PHYSICAL_KEY_S3)
			continue;
		s3_request_init(&rq[nr], "HEAD", pk[i].bucket, pk[i].path);
		q[i][0] = "versionId";
		q[i][1] = pk[i].version_id;
		if (pk[i].version_id)
			rq[nr].query = q[i];
		rqs[nr] = &rq[nr];
		nr++;
	}
	if (!ret)
		s3_run(client, rqs, nr);
	for (i = 0, nr = 0; !ret && i < n; i++) {
		if (pk[i].scheme != PHYSICAL_KEY_S3)
			continue;
		if (!rq[nr].ret && rq[nr].content_length != c[i].size)
			verdict(f, &c[i], QERR_CORRUPT,
				rq[nr].content_length, NULL);
		else if (rq[nr].ret)
			verdict(f, &c[i], rq[nr].ret == QERR_NOTFOUND ?
				QERR_NOTFOUND : QERR_GENERIC, 0,
				rq[nr].err.buf);
		nr++;
	}
	for (i = 0; i < nr; i++)
		s3_request_release(&rq[i]);
	free(rq);
	free(rqs);
	free(q);
	return ret;
}

/* --full: fetch every object into the scratch store, verified there. */
static int fetch_all(struct fsck *f, struct check *c, size_t n)
{
	struct fetch_item *it = xcalloc(n, sizeof(*it));
	struct odb scratch;
	size_t i;
	int ret;

	size_t nit = 0;

	odb_init(&scratch, f->scratch);
	ret = odb_create(&scratch, f->err);
	for (i = 0; i < n; i++)
		if (!c[i].bad)
			fetch_item_init(&it[nit++], c[i].physical, &c[i].oid,
					c[i].size);
	if (!ret)
		fetch_objects(&scratch, it, nit, f->err);
	strbuf_reset(f->err);
	for (i = 0, nit = 0; !ret && i < n; i++)
		if (!c[i].bad) {
			verdict(f, &c[i], it[nit].ret, UINT64_MAX,
				it[nit].err.buf);
			nit++;
		}
	for (i = 0; i < nit; i++)
		fetch_item_release(&it[i]);
	free(it);
	odb_release(&scratch);
	remove_tree(f->scratch);	/* the bytes were only to be checked */
	return ret;
}

static int flush_checks(struct fsck *f)
{
	struct physical_key *pk = xcalloc(f->nbatch ? f->nbatch : 1,
					  sizeof(*pk));
	size_t i;
	int ret = 0;

	f->st->objects += f->nbatch;
	for (i = 0; i < f->nbatch; i++) {
		struct strbuf why = STRBUF_INIT;

		pk[i].scheme = PHYSICAL_KEY_FILE;
		if (physical_key_parse(&pk[i], f->batch[i].physical,
				       strlen(f->batch[i].physical), &why))
			verdict(f, &f->batch[i], QERR_GENERIC, 0, why.buf);
		else if (pk[i].scheme == PHYSICAL_KEY_FILE)
			stat_file(f, &f->batch[i], &pk[i]);
		strbuf_release(&why);
	}
	ret = stat_s3(f, f->batch, pk, f->nbatch);
	/* --full: the bytes of what has the right size */
	if (!ret && f->opts->full)
		ret = fetch_all(f, f->batch, f->nbatch);
	for (i = 0; f->opts->full && i < f->nbatch; i++)
		progress_add(f->opts->progress, 0, f->batch[i].size);
	progress_add(f->opts->progress, f->nbatch, 0);
	for (i = 0; i < f->nbatch; i++) {
		physical_key_release(&pk[i]);
		check_release(&f->batch[i]);
	}
	free(pk);
	f->nbatch = 0;
	return ret;
}

static int queue_check(struct fsck *f, const struct manifest_entry *e,
		       const struct object_id *top)
{
	struct check *c;

	if (!first_time(f, e->physical.buf))
		return 0;
	c = &f->batch[f->nbatch++];
	c->physical = xstrdup(e->physical.buf);
	c->key = xstrdup(e->key.buf);
	xsnprintf(c->top, sizeof(c->top), "%.12s", oid_to_hex(top));
	c->oid = e->oid;
	c->size = e->size;
	c->bad = 0;
	return f->nbatch == CHECK_BATCH ? flush_checks(f) : 0;
}

/* Manifests. */

static int check_entries(struct fsck *f, FILE *fp, const struct object_id *top)
{
	struct entry_stream *s;
	struct manifest_entry e;
	struct strbuf why = STRBUF_INIT;
	int ret = 0, r;

	if (fseeko(fp, 0, SEEK_SET) ||
	    !(s = entry_stream_manifest(fp, oid_to_hex(top), &why))) {
		strbuf_release(&why);
		return 0;	/* reported already by the load */
	}
	manifest_entry_init(&e);
	while (!ret && (r = s->next(s, &e, &why)) > 0)
		if (e.physical.len)
			ret = queue_check(f, &e, top);
	manifest_entry_release(&e);
	entry_stream_free(s);
	strbuf_release(&why);
	return ret;
}

static int check_manifest(struct fsck *f, const char *key)
{
	struct manifest_load_opts lo = { 0 };
	struct strbuf why = STRBUF_INIT;
	const char *name = key + strlen(PACKAGES);
	struct tempfile *tmp = NULL;
	struct object_id top, got;
	FILE *fp = NULL;
	int ret, fd;

	if (oid_from_value(&top, HASH_MANIFEST, name, strlen(name))) {
		problem(f, "stray-file", "%s: not a manifest's name", key);
		return 0;
	}
	ALLOC_GROW(f->tops, f->ntops + 1, f->atops);
	f->tops[f->ntops++] = top;
	f->st->manifests++;
	tmp = create_tempfile_in(f->tmpdir, "fsck-", 0600, f->err);
	if (!tmp)
		return QERR_GENERIC;
	ret = registry_get_manifest(f->reg, &top, tmp->fd, NULL, f->err);
	fd = ret ? -1 : dup(tmp->fd);
	fp = fd < 0 ? NULL : fdopen(fd, "r");
	if (!ret && (!fp || fseeko(fp, 0, SEEK_SET))) {
		strbuf_addf(f->err, "cannot read back '%s'", tmp->path);
		ret = QERR_GENERIC;
	}
	if (ret)
		goto out;
	lo.name = key;
	lo.seekable = 1;
	lo.tmpdir = f->tmpdir;
	lo.out = -1;
	if (manifest_load(fp, &lo, &got, NULL, NULL, &why) < 0)
		problem(f, "bad-manifest", "%s", why.buf);
	else if (!oideq(&got, &top))
		problem(f, "bad-manifest", "%s: its contents hash to %s", key,
			oid_to_hex(&got));
	else
		ret = check_entries(f, fp, &top);
out:
	if (fp)
		fclose(fp);
	delete_tempfile(&tmp);
	strbuf_release(&why);
	return ret;
}

static int check_manifests(struct fsck *f)
{
	struct string_list keys = STRING_LIST_INIT;
	size_t i;
	int ret = f->reg->t->ops->list(f->reg->t, PACKAGES, collect_key,
				       &keys, f->err);

	for (i = 0; !ret && i < keys.nr; i++)
		ret = check_manifest(f, keys.items[i]);
	if (!ret)
		ret = flush_checks(f);
	QSORT(f->tops, f->ntops, cmp_oid);
	string_list_clear(&keys);
	return ret;
}

/* Pointers and tags. */

/* Read the pointer at key; 1 with *top when it holds one. */
static int pointer(struct fsck *f, const char *key, struct object_id *top)
{
	struct strbuf why = STRBUF_INIT;
	int ret = registry_read_pointer(f->reg, key, top, &why);

	f->st->pointers++;
	if (ret == QERR_CORRUPT)
		problem(f, "bad-pointer", "%s", why.buf);
	else if (ret && ret != QERR_NOTFOUND)
		problem(f, "unreadable-pointer", "%s: %s", key, why.buf);
	else if (!ret && !have_manifest(f, top))
		problem(f, "dangling-pointer", "%s names %s, which the "
			"registry holds no manifest for", key,
			oid_to_hex(top));
	strbuf_release(&why);
	return !ret;
}

/* The pointers of one package: keys[from..to) share "ns/name/". */
static void check_package(struct fsck *f, struct string_list *keys,
			  size_t from, size_t to, size_t plen)
{
	struct object_id *listed = NULL, top, latest;
	size_t nlisted = 0, alisted = 0, i, j;
	int have_latest = 0;
	uint64_t secs;

	for (i = from; i < to; i++) {
		const char *ptr = keys->items[i] + plen;

		if (!strcmp(ptr, "latest")) {
			have_latest = pointer(f, keys->items[i], &latest);
		} else if (!parse_u64(ptr, &secs)) {
			if (!pointer(f, keys->items[i], &top))
				continue;
			ALLOC_GROW(listed, nlisted + 1, alisted);
			listed[nlisted++] = top;
		} else {
			problem(f, "stray-file", "%s: neither latest nor a "
				"timestamp pointer", keys->items[i]);
		}
	}
	for (j = 0; have_latest && j < nlisted; j++)
		if (oideq(&listed[j], &latest))
			break;
	if (have_latest && j == nlisted)
		problem(f, "unlisted-latest", "%.*slatest names %s, which no "
			"timestamp pointer lists", (int)plen,
			keys->items[from], oid_to_hex(&latest));
	else if (!have_latest && nlisted)
		problem(f, "no-latest", "%.*s lists %zu version%s and has no "
			"latest", (int)plen - 1, keys->items[from], nlisted,
			nlisted == 1 ? "" : "s");
	free(listed);
}

/* Length of "<prefix>ns/name/" in key, or 0 when not so deep exactly. */
static size_t package_len(const char *key, size_t skip)
{
	const char *s1 = strchr(key + skip, '/');
	const char *s2 = s1 ? strchr(s1 + 1, '/') : NULL;

	if (!s2 || strchr(s2 + 1, '/') || !s2[1])
		return 0;
	return s2 + 1 - key;
}

static int check_pointers(struct fsck *f)
{
	struct string_list keys = STRING_LIST_INIT;
	size_t i, j, plen;
	int ret = f->reg->t->ops->list(f->reg->t, NAMED, collect_key, &keys,
				       f->err);

	for (i = 0; !ret && i < keys.nr; i = j) {
		plen = package_len(keys.items[i], strlen(NAMED));
		if (!plen) {
			problem(f, "stray-file", "%s: not a package's pointer",
				keys.items[i]);
			j = i + 1;
			continue;
		}
		for (j = i + 1; j < keys.nr; j++)
			if (package_len(keys.items[j], strlen(NAMED)) != plen ||
			    strncmp(keys.items[j], keys.items[i], plen))
				break;
		check_package(f, &keys, i, j, plen);
	}
	string_list_clear(&keys);
	return ret;
}

static int check_tags(struct fsck *f)
{
	struct string_list keys = STRING_LIST_INIT;
	struct object_id top;
	size_t i;
	int ret = f->reg->t->ops->list(f->reg->t, TAGS, collect_key, &keys,
				       f->err);

	for (i = 0; !ret && i < keys.nr; i++) {
		f->st->tags++;
		if (!package_len(keys.items[i], strlen(TAGS)))
			problem(f, "stray-file", "%s: not a tag",
				keys.items[i]);
		else
			pointer(f, keys.items[i], &top);
	}
	string_list_clear(&keys);
	return ret;
}

/* Left-over files of a folder registry. */

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

/* What is the file at rel (relative to the root), named name? */
static void look_at(struct fsck *f, const char *path, const char *rel,
		    const char *name)
{
	int own = !strncmp(rel, ".quire/tmp/", 11) ||
		  !strncmp(rel, ".quire/locks/", 13);
	int old_tmp = !strncmp(name, ".quire-tmp-", 11);
	int old_lock = !strncmp(rel, ".quilt/", 7) && ends_with(name, ".lock");

	if (!own && !old_tmp && !old_lock)
		return;
	if (!tempfile_is_left_over(path))
		return;		/* a live process's */
	if (ends_with(name, ".lock"))
		problem(f, "stale-lock", "%s: left by a process that is gone",
			rel);
	else
		problem(f, "stray-file", "%s: a temporary file left by a "
			"process that died", rel);
}

static void walk_folder(struct fsck *f, struct strbuf *path, size_t root_len)
{
	DIR *d = opendir(path->buf);
	struct dirent *de;
	size_t len = path->len;

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		strbuf_setlen(path, len);
		strbuf_addf(path, "/%s", de->d_name);
		if (de->d_type == DT_DIR)
			walk_folder(f, path, root_len);
		else if (de->d_type == DT_REG || de->d_type == DT_UNKNOWN)
			look_at(f, path->buf, path->buf + root_len + 1,
				de->d_name);
	}
	closedir(d);
	strbuf_setlen(path, len);
}

static int open_seen(struct fsck *f)
{
	/* "": a private temporary database on disk, not in memory */
	if (sqlite3_open("", &f->db) != SQLITE_OK ||
	    sqlite3_exec(f->db, "CREATE TABLE seen (k TEXT PRIMARY KEY)",
			 NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(f->db, "INSERT OR IGNORE INTO seen VALUES (?)",
			       -1, &f->seen, NULL) != SQLITE_OK) {
		strbuf_addf(f->err, "cannot make a scratch database: %s",
			    f->db ? sqlite3_errmsg(f->db) : "out of memory");
		return QERR_GENERIC;
	}
	return 0;
}

int fsck_registry(struct registry *reg, const struct fsck_opts *opts,
		  fsck_problem_fn *fn, void *payload,
		  struct fsck_stats *stats, struct strbuf *err)
{
	struct fsck f = { 0 };
	const char *t = getenv("TMPDIR");
	int ret;

	f.reg = reg;
	f.opts = opts;
	f.fn = fn;
	f.payload = payload;
	f.st = stats;
	f.err = err;
	f.tmpdir = t && *t ? t : "/tmp";
	ret = open_seen(&f);
	if (!ret && opts->full && !(f.scratch = create_tempdir("quire-fsck-",
								err)))
		ret = QERR_GENERIC;
	if (!ret)
		ret = check_manifests(&f);
	if (!ret)
		ret = check_pointers(&f);
	if (!ret)
		ret = check_tags(&f);
	if (!ret && reg->t->path) {
		struct strbuf path = STRBUF_INIT;

		strbuf_addstr(&path, reg->t->path);
		walk_folder(&f, &path, path.len);
		strbuf_release(&path);
	}
	for (; f.nbatch; f.nbatch--)
		check_release(&f.batch[f.nbatch - 1]);
	if (f.scratch)
		remove_tempdir(f.scratch);
	sqlite3_finalize(f.seen);
	sqlite3_close(f.db);
	free(f.tops);
	return ret;
}
