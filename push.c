#include "quire-compat.h"
#include "push.h"
#include "progress.h"
#include "cache.h"
#include "chunked-hash.h"
#include "diff.h"
#include "fetch.h"
#include "index-db.h"
#include "json.h"
#include "logical-key.h"
#include "package.h"
#include "physical-key.h"
#include "porcelain.h"
#include "provenance.h"
#include "refs/refs.h"
#include "registry.h"
#include "tempfile.h"
#include "workspace.h"

static void base_key(struct registry *reg, const char *name,
		     struct strbuf *sb)
{
	strbuf_addf(sb, "base\t%s\t%s", registry_url(reg), name);
}

int push_base_get(struct workspace *ws, struct registry *reg,
		  const char *name, struct object_id *base)
{
	struct strbuf key = STRBUF_INIT, val = STRBUF_INIT;
	int ret;

	base_key(reg, name, &key);
	ret = idx_get_meta(ws->idx, key.buf, &val);
	if (!ret && oid_from_value(base, HASH_MANIFEST, val.buf, val.len))
		ret = QERR_CORRUPT;
	strbuf_release(&key);
	strbuf_release(&val);
	return ret;
}

int push_base_set(struct workspace *ws, struct registry *reg,
		  const char *name, const struct object_id *base,
		  struct strbuf *err)
{
	struct strbuf key = STRBUF_INIT;
	int ret;

	base_key(reg, name, &key);
	ret = idx_set_meta(ws->idx, key.buf, oid_to_hex(base), err);
	strbuf_release(&key);
	return ret;
}

/* Does the registry already hold oid's bytes under key? 1, 0 or <0. */
static int holds_same(struct registry *reg, const char *key,
		      const struct object_id *oid, const char *tmpdir,
		      struct strbuf *err)
{
	struct tempfile *tmp;
	struct hash_job job;
	uint64_t size;
	int ret;

	if (reg->t->ops->head(reg->t, key, &size, err) == QERR_NOTFOUND)
		return 0;
	tmp = create_tempfile_in(tmpdir, "check_", 0600, err);
	if (!tmp)
		return QERR_GENERIC;
	ret = reg->t->ops->get(reg->t, key, tmp->fd, err);
	if (!ret) {
		hash_job_init(&job, key, tmp->fd, oid->type);
		ret = hash_files(&job, 1, 0);
		if (ret)
			strbuf_addbuf(err, &job.err);
		else
			ret = oideq(&job.oid, oid);
		hash_job_release(&job);
	}
	delete_tempfile(&tmp);
	return ret;
}

struct uploader {
	struct workspace *ws;
	struct registry *reg;
	struct strbuf here;	/* physical keys in this registry start so */
	const char *prefix;
	/*
	 * "<prefix><top hash>/": the version's own folder, for bytes whose
	 * key is taken by other bytes, and, where the store cannot refuse
	 * an overwrite (unguarded), for all new bytes: no writer of other
	 * bytes ever chooses a key there. NULL: refuse instead.
	 */
	const char *fallback;
	int unguarded;
	int quiet, local_only;
	struct progress *progress;	/* objects and bytes done */
	struct push_stats *stats;
	struct strbuf *err;
	struct idx_entry *todo;
	size_t nr, alloc;
};

static int collect_local(const struct idx_entry *e, void *payload)
{
	struct uploader *u = payload;
	struct idx_entry *c;

	/* bytes already in this registry stay where they are */
	if (e->physical && !strncmp(e->physical, u->here.buf, u->here.len))
		return 0;
	/* --local-files-only: objects elsewhere stay where they are */
	if (u->local_only && !e->path && e->physical &&
	    strncmp(e->physical, "file://", 7))
		return 0;
	ALLOC_GROW(u->todo, u->nr + 1, u->alloc);
	c = &u->todo[u->nr++];
	*c = *e;
	c->key = xstrdup(e->key);
	c->path = e->path ? xstrdup(e->path) : NULL;
	c->physical = e->physical ? xstrdup(e->physical) : NULL;
	c->meta = e->meta ? xstrdup(e->meta) : NULL;
	return 0;
}

/*
 * Where the bytes of e to copy are, in path: its local file when it has
 * one that can be read (the put checks the bytes against the hash), else
 * the object from its physical key, fetched into the user's cache and
 * verified there. The put opens the file only when its turn comes.
 */
static int source_path(struct uploader *u, const struct idx_entry *e,
		       struct strbuf *path)
{
	struct odb cache;
	int ret, fetched, fd;

	if (e->path) {
		fd = open(e->path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		if (fd >= 0) {
			close(fd);
			strbuf_addstr(path, e->path);
			return 0;
		}
		if (!e->physical) {
			strbuf_addf(u->err, "cannot read '%s': %s", e->path,
				    strerror(errno));
			return QERR_GENERIC;
		}
	}
	ret = cache_odb(&cache, u->err);
	if (ret)
		return ret;
	ret = fetch_object(&cache, e->physical, &e->oid, e->size, &fetched,
			   u->err);
	if (!ret)
		odb_path(&cache, &e->oid, path);
	odb_release(&cache);
	return ret;
}

/* One entry of a batch on its way to the registry. */
struct upload {
	struct idx_entry *e;
	struct strbuf key;
	struct transfer x;
	int send;		/* to upload (else reused) */
	int moved;		/* at the fallback key now */
	struct strbuf src;	/* the file to upload, once known */
};

static int forbidden_key(struct uploader *u, const char *key)
{
	if (strncmp(key, ".quilt/", 7) && strncmp(key, ".quire/", 7))
		return 0;
	strbuf_addf(u->err, "'%s' would land in the registry's own '%.6s' "
		    "folder; push with --prefix <folder>/", key, key);
	return QERR_USAGE;
}

static void reuse(struct uploader *u, struct upload *p, const char *version)
{
	u->stats->reused++;
	p->send = 0;
	if (version && version != p->x.version_id.buf) {
		strbuf_reset(&p->x.version_id);
		strbuf_addstr(&p->x.version_id, version);
	}
	progress_add(u->progress, 1, p->e->size);
}

/* Does what stat found at p's key hold p's bytes? 1, 0 or <0. */
static int same_bytes(struct uploader *u, struct upload *p)
{
	if (p->x.has_hash)
		return oideq(&p->x.hash, &p->e->oid);
	if (p->x.size != p->e->size)
		return 0;
	return holds_same(u->reg, p->key.buf, &p->e->oid, u->ws->odb.tmpdir,
			  u->err);
}

/* p goes to the version's own folder instead; stat it again there. */
static void move_to_fallback(struct uploader *u, struct upload *p)
{
	strbuf_reset(&p->key);
	strbuf_addf(&p->key, "%s%s", u->fallback, p->e->key);
	transfer_release(&p->x);
	transfer_init(&p->x, p->key.buf, -1);
	p->x.size = p->e->size;	/* what the stat expects */
	p->moved = 1;
	p->send = 1;
}

/*
 * Decide for p after the stat: reuse, upload, or move (with moved, the
 * caller stats the new key and decides again). Refusals come later, at
 * the put, from the store or from sent().
 */
static int decide(struct uploader *u, struct upload *p)
{
	int ret;

	if (p->x.ret == QERR_NOTFOUND) {
		p->send = 1;
		/* free here, but nothing guards it against other writers */
		if (u->unguarded && !p->moved)
			move_to_fallback(u, p);
		return 0;
	}
	if (p->x.ret) {
		strbuf_addbuf(u->err, &p->x.err);
		return p->x.ret;
	}
	ret = same_bytes(u, p);
	if (ret == 1) {
		reuse(u, p, p->x.version_id.buf);
		return 0;
	}
	if (ret < 0)
		return ret;
	/* other bytes: a versioned bucket keeps them as an old version */
	p->send = 1;
	strbuf_reset(&p->x.version_id);
	if (u->reg->t->versioned || !u->fallback || p->moved)
		return 0;
	move_to_fallback(u, p);
	return 0;
}

/* Stat the keys of the moved entries among p[0..n), and decide again. */
static int decide_moved(struct uploader *u, struct upload *p, size_t n)
{
	struct transfer *x = xcalloc(n ? n : 1, sizeof(*x));
	size_t i, nx = 0;
	int ret = 0;

	for (i = 0; i < n; i++)
		if (p[i].moved && p[i].send)
			x[nx++] = p[i].x;
	transport_stat_many(u->reg->t, x, nx);
	for (i = 0, nx = 0; i < n; i++) {
		if (!p[i].moved || !p[i].send)
			continue;
		p[i].x = x[nx++];
		if (!ret)
			ret = decide(u, &p[i]);
	}
	free(x);
	return ret;
}

/*
 * After the put: a refusal (the key was taken meanwhile) is no error if
 * the bytes there are ours (our own write, acted on by the server but
 * its answer lost, or a racing push of the same version); with a
 * version folder, taken by other bytes, p moves there (*again).
 */
static int sent(struct uploader *u, struct upload *p, int *again)
{
	int ret;

	if (p->x.ret == QERR_EXISTS) {
		ret = holds_same(u->reg, p->key.buf, &p->e->oid,
				 u->ws->odb.tmpdir, u->err);
		if (ret == 1) {
			p->x.ret = 0;
			reuse(u, p, NULL);
			return 0;
		}
		if (ret < 0)
			return ret;
		if (u->fallback && !p->moved) {
			move_to_fallback(u, p);
			p->x.ret = QERR_NOTFOUND;	/* as good as seen */
			*again = 1;
			return 0;
		}
		strbuf_addf(u->err, "'%s' in %s already holds other bytes, "
			    "which an earlier version may use; push with "
			    "--prefix <new folder>/", p->key.buf,
			    registry_url(u->reg));
		return QERR_EXISTS;
	}
	strbuf_addbuf(u->err, &p->x.err);
	if (p->x.ret == QERR_CORRUPT && p->e->path)
		strbuf_addf(u->err, " ('%s' changed since it was committed; "
			    "run 'quire commit' again)", p->e->path);
	if (p->x.ret)
		return p->x.ret;
	p->send = 0;
	u->stats->uploaded++;
	u->stats->bytes += p->e->size;
	progress_add(u->progress, 1, p->e->size);
	return 0;
}

/* Upload what is to send among p[0..n); *again when some moved. */
static int upload_send(struct uploader *u, struct upload *p, size_t n,
		       int *again)
{
	struct transfer *x = xcalloc(n ? n : 1, sizeof(*x));
	size_t i, nx = 0, k;
	int ret = 0;

	for (i = 0; !ret && i < n; i++) {
		if (!p[i].send)
			continue;
		if (!p[i].src.len)
			ret = source_path(u, p[i].e, &p[i].src);
		transfer_init(&x[nx], p[i].key.buf, -1);
		x[nx].path = p[i].src.buf;
		x[nx].expect = &p[i].e->oid;
		/* unguarded: keys no writer of other bytes chooses */
		if (!u->unguarded)
			x[nx].flags = TRANSPORT_NO_OVERWRITE |
				      TRANSPORT_VERSIONS_KEEP;
		/* a listing may not show what another client just wrote */
		if (p[i].x.ret == QERR_NOTFOUND && !p[i].x.listed)
			x[nx].flags |= TRANSPORT_SEEN_ABSENT;
		nx++;
	}
	if (!ret)
		transport_put_many(u->reg->t, x, nx);
	for (i = 0, k = 0; i < n; i++) {
		if (!p[i].send)
			continue;
		if (!ret && k < nx) {
			p[i].x.ret = x[k].ret;
			strbuf_reset(&p[i].x.err);
			strbuf_addbuf(&p[i].x.err, &x[k].err);
			strbuf_reset(&p[i].x.version_id);
			strbuf_addbuf(&p[i].x.version_id, &x[k].version_id);
			ret = sent(u, &p[i], again);
		}
		if (k < nx)
			transfer_release(&x[k++]);
	}
	free(x);
	return ret;
}

/* Put a batch of entries in the registry and record where they went. */
static int upload_batch(struct uploader *u, struct idx_entry *e, size_t n)
{
	struct upload *p = xcalloc(n ? n : 1, sizeof(*p));
	struct transfer *x = xcalloc(n ? n : 1, sizeof(*x));
	struct strbuf phys = STRBUF_INIT;
	size_t i;
	int ret = 0, again = 0;

	for (i = 0; i < n; i++) {
		p[i].e = &e[i];
		strbuf_init(&p[i].src, 0);
		strbuf_init(&p[i].key, 0);
		strbuf_addf(&p[i].key, "%s%s", u->prefix, e[i].key);
		if (!ret)
			ret = forbidden_key(u, p[i].key.buf);
		transfer_init(&x[i], p[i].key.buf, -1);
		x[i].size = e[i].size;
	}
	if (!ret)
		transport_stat_many(u->reg->t, x, n);
	for (i = 0; i < n; i++) {
		p[i].x = x[i];
		if (!ret)
			ret = decide(u, &p[i]);
	}
	if (!ret)
		ret = decide_moved(u, p, n);
	if (!ret)
		ret = upload_send(u, p, n, &again);
	if (!ret && again)	/* taken meanwhile: the version's folder */
		ret = upload_send(u, p, n, &again);
	for (i = 0; !ret && i < n; i++) {
		strbuf_reset(&phys);
		u->reg->t->ops->physical_key(u->reg->t, p[i].key.buf,
					     p[i].x.version_id.len ?
					     p[i].x.version_id.buf : NULL,
					     &phys);
		free(e[i].physical);
		e[i].physical = strbuf_detach(&phys, NULL);
		ret = idx_put_entry(u->ws->idx, &e[i], u->err);
	}
	for (i = 0; i < n; i++) {
		strbuf_release(&p[i].src);
		strbuf_release(&p[i].key);
		transfer_release(&p[i].x);
	}
	free(p);
	free(x);
	strbuf_release(&phys);
	return ret;
}

/*
 * Entries per batch: their keys are looked for together (one listing
 * where the registry can list), then uploaded together, the files
 * opened one by one as their turn comes.
 */
#define UPLOAD_BATCH 4096

/*
 * The message of HEAD's manifest, to build it again the same way: *how is
 * 0 (no "message" key), 1 (a string, in msg) or 2 (null).
 */
static int head_message(struct workspace *ws, const struct object_id *head,
			struct strbuf *msg, int *how, struct strbuf *err)
{
	struct strbuf line = STRBUF_INIT;
	struct json *meta = NULL;
	const struct json *m;
	FILE *fp;
	int ret = odb_open_manifest(&ws->odb, head, &fp, err);

	if (ret)
		return ret;
	if (strbuf_getline_max(&line, fp, 64 << 20, NULL) ||
	    json_parse(line.buf, line.len, &meta, err) < 0)
		ret = QERR_CORRUPT;
	fclose(fp);
	m = meta ? json_object_get(meta, "message") : NULL;
	*how = !m ? 0 : m->type == JSON_STRING ? 1 : 2;
	if (*how == 1)
		strbuf_add(msg, m->u.str.s, m->u.str.len);
	json_free(meta);
	strbuf_release(&line);
	return ret;
}

/*
 * Where bytes go when their key is not theirs to take (see struct
 * uploader): asks the registry, once, whether it refuses overwrites.
 */
static int choose_fallback(struct uploader *u, const struct object_id *head,
			   int default_prefix, struct strbuf *fb)
{
	int ret = transport_conditional(u->reg->t, u->err);

	if (ret < 0) {
		strbuf_addf(u->err, " (asking whether %s refuses to "
			    "overwrite)", registry_url(u->reg));
		return ret;
	}
	u->unguarded = !ret && !u->reg->t->versioned;
	/* the whole top hash where nothing else tells writers apart */
	if (u->unguarded)
		strbuf_addf(fb, "%s%s/", u->prefix, oid_to_hex(head));
	else if (default_prefix)
		strbuf_addf(fb, "%s%.12s/", u->prefix, oid_to_hex(head));
	u->fallback = fb->len ? fb->buf : NULL;
	return 0;
}

int push_data(struct workspace *ws, struct registry *reg, const char *name,
	      const char *prefix, unsigned flags, struct push_stats *stats,
	      struct strbuf *err)
{
	int quiet = !!(flags & PUSH_DATA_QUIET);
	struct uploader u = { 0 };
	struct strbuf def = STRBUF_INIT, msg = STRBUF_INIT, fb = STRBUF_INIT;
	struct object_id head, top;
	size_t i;
	int ret, how = 0;

	if (refs_read(ws->refs, "HEAD", &head) < 0) {
		strbuf_addstr(err, "nothing has been committed yet; run "
			      "'quire commit' first");
		return QERR_NOTFOUND;
	}
	if (!prefix) {
		strbuf_addf(&def, "%s/", name);
		prefix = def.buf;
	}
	u.ws = ws;
	u.reg = reg;
	strbuf_init(&u.here, 0);
	reg->t->ops->physical_key(reg->t, "", NULL, &u.here);
	if (!u.here.len || u.here.buf[u.here.len - 1] != '/')
		strbuf_addch(&u.here, '/');
	u.prefix = prefix;
	u.quiet = quiet;
	u.local_only = !!(flags & PUSH_DATA_LOCAL_ONLY);
	u.stats = stats;
	u.err = err;
	ret = head_message(ws, &head, &msg, &how, err);
	/*
	 * The index must hold exactly HEAD. Its marker says so when nothing
	 * changed since commit or checkout; otherwise build it to see.
	 */
	if (!ret && (idx_clean_get(ws->idx, &top) || !oideq(&top, &head)))
		ret = package_build(ws, how == 1 ? msg.buf : NULL, how ?
				    PACKAGE_BUILD_MESSAGE : 0, &top, NULL, err);
	if (!ret && !oideq(&top, &head)) {
		strbuf_addstr(err, "the staged package differs from the last "
			      "commit; run 'quire commit' first");
		ret = QERR_STALE;
	}
	if (!ret)
		ret = idx_for_each_entry(ws->idx, NULL, collect_local, &u);
	if (!ret && u.nr)
		ret = choose_fallback(&u, &head, prefix == def.buf, &fb);
	if (!ret && u.nr) {
		uint64_t bytes = 0;

		for (i = 0; i < u.nr; i++)
			bytes += u.todo[i].size;
		u.progress = progress_start("Uploading objects", u.nr,
					    quiet ? PROGRESS_QUIET : 0);
		progress_set_total_bytes(u.progress, bytes);
	}
	for (i = 0; !ret && i < u.nr; i += UPLOAD_BATCH)
		ret = upload_batch(&u, u.todo + i, u.nr - i < UPLOAD_BATCH ?
				   u.nr - i : UPLOAD_BATCH);
	progress_stop(&u.progress);
	for (i = 0; i < u.nr; i++)
		idx_entry_release(&u.todo[i]);
	free(u.todo);
	strbuf_release(&u.here);
	/* the same package, its bytes now in the registry */
	if (!ret)
		ret = package_build(ws, how == 1 ? msg.buf : NULL, how ?
				    PACKAGE_BUILD_MESSAGE : 0, &top, NULL, err);
	if (!ret && !oideq(&top, &head))
		BUG("push-data changed the top hash");
	if (!ret)
		ret = idx_clean_set(ws->idx, &head, err);
	strbuf_release(&def);
	strbuf_release(&msg);
	strbuf_release(&fb);
	return ret;
}

struct local_scan {
	uint64_t count;
	struct strbuf first;
};

/* A file:// key outside root (NULL: any file:// key)? */
static int is_local_key(const char *key, const char *root)
{
	struct strbuf why = STRBUF_INIT;
	int ret;

	if (strncmp(key, "file://", 7))
		return 0;
	if (!root)
		return 1;
	ret = physical_key_local_allowed(key, root, &why) < 0;
	strbuf_release(&why);
	return ret;
}

static int count_local_keys(FILE *fp, const char *root,
			    struct local_scan *ls, struct strbuf *err)
{
	struct entry_stream *s = entry_stream_manifest(fp, "HEAD", err);
	struct manifest_entry e;
	int ret;

	if (!s)
		return QERR_CORRUPT;
	manifest_entry_init(&e);
	while ((ret = s->next(s, &e, err)) > 0) {
		if (!is_local_key(e.physical.buf, root))
			continue;
		if (!ls->count++)
			strbuf_addbuf(&ls->first, &e.key);
	}
	manifest_entry_release(&e);
	entry_stream_free(s);
	return ret;
}

int push_count_local(struct workspace *ws, struct registry *reg,
		     const struct object_id *top, uint64_t *count,
		     struct strbuf *first, struct strbuf *err)
{
	struct local_scan ls = { 0, STRBUF_INIT };
	FILE *fp = NULL;
	int ret = odb_open_manifest(&ws->odb, top, &fp, err);

	if (!ret)
		ret = count_local_keys(fp, reg && reg->t->local ?
				       reg->t->path : NULL, &ls, err);
	if (fp)
		fclose(fp);
	*count = ls.count;
	strbuf_addbuf(first, &ls.first);
	strbuf_release(&ls.first);
	return ret < 0 ? ret : 0;
}

/* The provenance of the version HEAD names, or NULL, in *prov. */
static int head_provenance(struct workspace *ws, const struct object_id *head,
			   struct json **prov, struct strbuf *err)
{
	struct json *meta = NULL, *p;
	FILE *fp;
	int ret = odb_open_manifest(&ws->odb, head, &fp, err);

	*prov = NULL;
	if (ret)
		return ret;
	ret = manifest_read_meta(fp, oid_to_hex(head), &meta, err);
	fclose(fp);
	p = meta ? json_object_get(meta, "provenance") : NULL;
	if (p)
		*prov = json_dup(p);
	json_free(meta);
	return ret;
}

int push_check_provenance(struct workspace *ws, struct registry *reg,
			  struct strbuf *err)
{
	struct string_list required = STRING_LIST_INIT;
	struct json *prov = NULL;
	struct object_id head;
	int ret = registry_required_provenance(reg, &required, err);

	/* without HEAD there is nothing to check, and push says so */
	if (ret || !required.nr || refs_read(ws->refs, "HEAD", &head) < 0)
		goto out;
	ret = head_provenance(ws, &head, &prov, err);
	if (!ret)
		ret = provenance_check_required(prov, &required,
						registry_url(reg), err);
out:
	json_free(prov);
	string_list_clear(&required);
	return ret;
}

/*
 * A registry's tag moves only with --force-tag: refuse before anything
 * is written (publish() moves it from what it was, so one moved in
 * between is refused too).
 */
static int check_tag(struct workspace *ws, struct registry *reg,
		     const char *name, const struct push_opts *opts,
		     struct strbuf *err)
{
	struct object_id head, tagged;
	int ret;

	if (!opts->tag || opts->force_tag ||
	    refs_read(ws->refs, "HEAD", &head) < 0)
		return 0;
	ret = registry_read_tag(reg, name, opts->tag, &tagged, err);
	if (ret == QERR_NOTFOUND) {
		strbuf_reset(err);
		return 0;
	}
	if (!ret && !oideq(&tagged, &head)) {
		strbuf_addf(err, "tag '%s' of %s in %s points to %s (pushing "
			    "%s); --force-tag moves it", opts->tag, name,
			    registry_url(reg), oid_to_hex(&tagged),
			    oid_to_hex(&head));
		ret = QERR_EXISTS;
	}
	return ret;
}

static int publish(struct workspace *ws, struct registry *reg,
		   const char *name, const struct push_opts *opts,
		   struct object_id *top, struct strbuf *err)
{
	struct local_scan ls = { 0, STRBUF_INIT };
	struct object_id latest, base, actual;
	FILE *fp = NULL;
	int ret, have_latest, have_base;

	if (refs_read(ws->refs, "HEAD", top) < 0) {
		strbuf_addstr(err, "nothing has been committed yet; run "
			      "'quire commit' first");
		return QERR_NOTFOUND;
	}
	ret = odb_open_manifest(&ws->odb, top, &fp, err);
	if (!ret && !reg->t->local && !opts->allow_local_files) {
		ret = count_local_keys(fp, NULL, &ls, err);
		if (!ret && ls.count) {
			strbuf_addf(err, "%" PRIu64 " entr%s (first: '%s') "
				    "point to files on this machine; run "
				    "'quire push-data' first, or pass "
				    "--allow-local-files", ls.count,
				    ls.count == 1 ? "y" : "ies", ls.first.buf);
			ret = QERR_USAGE;
		}
		if (!ret && fseeko(fp, 0, SEEK_SET))
			ret = QERR_GENERIC;
	}
	if (!ret)
		ret = registry_put_manifest(reg, top, fileno(fp), err);
	if (fp)
		fclose(fp);
	strbuf_release(&ls.first);
	if (ret)
		return ret;

	ret = registry_read_latest(reg, name, &latest, err);
	if (ret && ret != QERR_NOTFOUND)
		return ret;
	have_latest = !ret;
	have_base = !push_base_get(ws, reg, name, &base);
	if (have_latest && oideq(&latest, top)) {
		ret = 0;	/* already published */
	} else if (have_latest && !opts->force &&
		   (!have_base || !oideq(&base, &latest))) {
		strbuf_addf(err, "'latest' of %s in %s is %s, ", name,
			    registry_url(reg), oid_to_hex(&latest));
		if (have_base)
			strbuf_addf(err, "but this version was built from %s",
				    oid_to_hex(&base));
		else
			strbuf_addstr(err, "and this version was not built "
				      "from it");
		strbuf_addf(err, " (pushing %s); install or merge the "
			    "latest first, or pass --force", oid_to_hex(top));
		return QERR_STALE;
	} else {
		ret = registry_push_version(reg, name, top, have_latest ?
					    &latest : NULL, opts->force,
					    &actual, err);
		if (ret == QERR_STALE)
			strbuf_addf(err, "'latest' of %s moved to %s while "
				    "pushing %s; install or merge it first, or "
				    "pass --force", name, oid_to_hex(&actual),
				    oid_to_hex(top));
		if (ret)
			return ret;
	}
	if (opts->tag)
		ret = registry_set_tag(reg, name, opts->tag, top,
				       opts->force_tag, err);
	if (!ret)
		ret = push_base_set(ws, reg, name, top, err);
	return ret;
}

int push_manifest(struct workspace *ws, struct registry *reg,
		  const char *name, const struct push_opts *opts,
		  struct object_id *top, struct strbuf *err)
{
	int ret = push_check_provenance(ws, reg, err);

	return ret ? ret : publish(ws, reg, name, opts, top, err);
}

static int check_prefix(const char *arg, struct strbuf *out,
			struct strbuf *err)
{
	while (*arg == '/')
		arg++;
	strbuf_addstr(out, arg);
	if (out->len && out->buf[out->len - 1] != '/')
		strbuf_addch(out, '/');
	if (strstr(out->buf, "../") || !strcmp(out->buf, "./") ||
	    strstr(out->buf, "/./") || !strncmp(out->buf, "./", 2) ||
	    strstr(out->buf, "//") || !strncmp(out->buf, ".quilt/", 7) ||
	    !strncmp(out->buf, ".quire/", 7)) {
		strbuf_addf(err, "invalid --prefix '%s': a folder inside the "
			    "registry, outside .quilt/ and .quire/", arg);
		return QERR_USAGE;
	}
	return 0;
}

/* Make the registry's latest the version ws was built from. */
static int base_on_latest(struct workspace *ws, struct registry *reg,
			  const char *name, struct strbuf *err)
{
	struct strbuf ignore = STRBUF_INIT;
	struct object_id latest;
	int ret = registry_read_latest(reg, name, &latest, &ignore);

	strbuf_release(&ignore);
	if (ret == QERR_NOTFOUND)
		return 0;
	if (ret < 0) {
		strbuf_addf(err, "cannot read the latest version of %s in %s",
			    name, registry_url(reg));
		return ret;
	}
	return push_base_set(ws, reg, name, &latest, err);
}

/*
 * quilt3's best practice, as a warning: a package should have a
 * README.md at its top. The manifest's entries come in quilt3 order, so
 * the scan stops at the first key after it.
 */
static void warn_no_readme(struct workspace *ws)
{
	static const char readme[] = "README.md";
	struct strbuf err = STRBUF_INIT;
	struct object_id head;
	struct entry_stream *s = NULL;
	struct manifest_entry e;
	FILE *fp = NULL;
	int ret, cmp = 1;

	if (refs_read(ws->refs, "HEAD", &head) < 0 ||
	    odb_open_manifest(&ws->odb, &head, &fp, &err) < 0)
		goto out;
	s = entry_stream_manifest(fp, "HEAD", &err);
	if (!s)
		goto out;
	manifest_entry_init(&e);
	while ((ret = s->next(s, &e, &err)) > 0 &&
	       (cmp = logical_key_cmp(e.key.buf, e.key.len, readme,
				      strlen(readme))) < 0)
		;
	manifest_entry_release(&e);
	if (ret >= 0 && cmp)
		warning("the package has no README.md; add one to say what "
			"the data is ('quire set README.md <file>')");
out:
	entry_stream_free(s);
	if (fp)
		fclose(fp);
	strbuf_release(&err);
}

static int first_staged(char code, const char *key, void *payload)
{
	strbuf_addstr(payload, key);
	return 1;
}

/*
 * What is published is the last commit: say so when changes are staged
 * after it (the seeds expect push-manifest to build them; git users do
 * not), naming the first.
 */
static void warn_staged(struct workspace *ws)
{
	struct strbuf key = STRBUF_INIT, err = STRBUF_INIT;

	if (package_staged_changes(ws, first_staged, &key, &err) > 0)
		warning("changes staged since the last commit are not in "
			"this version (first: '%s'); 'quire commit' first to "
			"publish them", key.buf);
	strbuf_release(&key);
	strbuf_release(&err);
}

int push_run(struct workspace *ws, const struct push_request *rq,
	     struct object_id *top, struct push_stats *stats,
	     struct strbuf *registry_url_out, struct strbuf *err)
{
	struct registry *reg = NULL;
	struct strbuf prefix = STRBUF_INIT;
	const char *name = rq->name ? rq->name : workspace_package_name(ws);
	int ret;

	if (!name) {
		strbuf_addstr(err, "this workspace has no package name; give "
			      "one (ns/name) or run 'quire config "
			      "package.name ns/name'");
		return QERR_USAGE;
	}
	if (package_name_check(name, err) < 0)
		return QERR_USAGE;
	if (rq->opts.tag && tag_name_check(rq->opts.tag) < 0) {
		strbuf_addf(err, "invalid tag '%s'", rq->opts.tag);
		return QERR_USAGE;
	}
	if (rq->data_prefix &&
	    (ret = check_prefix(rq->data_prefix, &prefix, err))) {
		strbuf_release(&prefix);
		return ret;
	}
	ret = porcelain_registry(ws, rq->registry, TRANSPORT_CREATE, &reg,
				 err);
	if (!ret)
		strbuf_addstr(registry_url_out, registry_url(reg));
	/* before anything is written to the registry */
	if (!ret)
		ret = push_check_provenance(ws, reg, err);
	if (!ret && rq->with_manifest)
		ret = check_tag(ws, reg, name, &rq->opts, err);
	if (!ret)
		ret = workspace_index(ws, err);
	if (!ret)
		ret = idx_begin_write(ws->idx, err);
	if (!ret && rq->on_latest)
		ret = base_on_latest(ws, reg, name, err);
	if (!ret && rq->with_data)
		ret = push_data(ws, reg, name, rq->data_prefix ? prefix.buf :
				NULL, (rq->quiet ? PUSH_DATA_QUIET : 0) |
				(rq->local_files_only ? PUSH_DATA_LOCAL_ONLY :
				 0), stats, err);
	if (!ret && rq->with_manifest && !rq->quiet) {
		warn_no_readme(ws);
		warn_staged(ws);
	}
	if (!ret && rq->with_manifest)
		ret = publish(ws, reg, name, &rq->opts, top, err);
	if (!ret)
		ret = idx_commit(ws->idx, err);
	else if (ws->idx)
		idx_rollback(ws->idx);
	registry_free(reg);
	strbuf_release(&prefix);
	return ret;
}
