#include "quire-compat.h"
#include "registry.h"
#include "chunked-hash.h"
#include "workspace.h"
#include <sys/mman.h>
#include <time.h>

#define PACKAGES ".quilt/packages/"
#define NAMED ".quilt/named_packages/"
#define TAGS ".quire/tags/"

void registry_default_path(struct strbuf *out)
{
	const char *xdg = getenv("XDG_DATA_HOME");
	const char *home = getenv("HOME");

	if (xdg && *xdg)
		strbuf_addf(out, "%s/quire/registry", xdg);
	else
		strbuf_addf(out, "%s/.local/share/quire/registry",
			    home ? home : ".");
}

int registry_open(const char *url, unsigned flags, struct registry **out,
		  struct strbuf *err)
{
	struct transport *t;
	int ret = transport_open(url, flags, &t, err);

	if (ret)
		return ret;
	*out = xcalloc(1, sizeof(**out));
	(*out)->t = t;
	return 0;
}

void registry_free(struct registry *reg)
{
	if (!reg)
		return;
	transport_free(reg->t);
	free(reg);
}

const char *registry_url(const struct registry *reg)
{
	return reg->t->url;
}

int tag_name_check(const char *tag)
{
	const char *p;

	if (!*tag || *tag == '.' || *tag == '-' || strlen(tag) > 128)
		return -1;
	for (p = tag; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' ||
		      *p == '-'))
			return -1;
	return 0;
}

int package_rev_like(const char *arg)
{
	const char *slash = strchr(arg, '/');

	return slash && strncmp(arg, "refs/", 5) && !strchr(slash + 1, '/');
}

int package_rev_parse(struct package_rev *rev, const char *arg,
		      struct strbuf *err)
{
	const char *sep = strpbrk(arg, ":@");
	char *name = sep ? xstrndup(arg, sep - arg) : xstrdup(arg);

	memset(rev, 0, sizeof(*rev));
	if (package_name_check(name, err) < 0) {
		free(name);
		return -1;
	}
	rev->name = name;
	if (sep && *sep == ':') {
		if (tag_name_check(sep + 1) < 0) {
			strbuf_addf(err, "invalid tag '%s'", sep + 1);
			package_rev_release(rev);
			return -1;
		}
		rev->tag = xstrdup(sep + 1);
	} else if (sep) {
		size_t i, len = strlen(sep + 1);

		for (i = 0; i < len; i++)
			if (hexval(sep[1 + i]) < 0)
				break;
		if (len < 6 || len > HASH_HEXSZ || i < len) {
			strbuf_addf(err, "'%s' is not a top hash or a prefix "
				    "of at least 6 hex digits", sep + 1);
			package_rev_release(rev);
			return -1;
		}
		rev->hash = xstrdup(sep + 1);
		for (i = 0; i < len; i++)
			if (rev->hash[i] >= 'A' && rev->hash[i] <= 'F')
				rev->hash[i] += 'a' - 'A';
	}
	return 0;
}

void package_rev_release(struct package_rev *rev)
{
	free(rev->name);
	free(rev->tag);
	free(rev->hash);
	memset(rev, 0, sizeof(*rev));
}

/* The bytes of the small object at key, and its ETag (S3). */
static int get_small(struct registry *reg, const char *key,
		     struct strbuf *out, struct strbuf *etag,
		     struct strbuf *err)
{
	int fd = memfd_create("quire-pointer", MFD_CLOEXEC), ret;
	struct transfer x;

	if (fd < 0) {
		strbuf_addf(err, "cannot create a memory file: %s",
			    strerror(errno));
		return QERR_GENERIC;
	}
	strbuf_reset(out);
	strbuf_reset(etag);
	transfer_init(&x, key, fd);
	ret = transport_get_many(reg->t, &x, 1);
	if (!ret && (lseek(fd, 0, SEEK_SET) < 0 ||
		     strbuf_read_fd_max(out, fd, 1024)))
		ret = QERR_CORRUPT;
	if (ret == QERR_CORRUPT)
		strbuf_addf(err, "'%s' in %s is not a pointer", key,
			    registry_url(reg));
	else if (ret && ret != QERR_NOTFOUND)
		strbuf_addbuf(err, &x.err);
	strbuf_addbuf(etag, &x.etag);
	transfer_release(&x);
	close(fd);
	return ret;
}

/* Is etag the plain MD5 of body: the bytes the server holds, unharmed? */
static int etag_confirms(const struct strbuf *etag, const struct strbuf *body)
{
	char md5[33];
	const char *e = etag->buf;
	size_t len = etag->len;

	if (len && *e == '"')
		e++, len -= 2;
	if (len != 32)
		return 0;
	md5_hex(body->buf, body->len, md5);
	return !strncasecmp(md5, e, 32);
}

int registry_read_pointer(struct registry *reg, const char *key,
			  struct object_id *top, struct strbuf *err)
{
	struct strbuf sb = STRBUF_INIT, prev = STRBUF_INIT, etag = STRBUF_INIT;
	int ret, tries;

	/*
	 * Over a network a byte may change on the way, and a pointer has no
	 * hash of its own: take it when the ETag (the MD5 of what the server
	 * holds) confirms it, or when two reads in a row agree.
	 */
	for (tries = 0; tries < 5; tries++) {
		ret = get_small(reg, key, &sb, &etag, err);
		if (ret || reg->t->local || etag_confirms(&etag, &sb) ||
		    (tries && sb.len == prev.len &&
		     !memcmp(sb.buf, prev.buf, sb.len)))
			break;
		strbuf_reset(&prev);
		strbuf_addbuf(&prev, &sb);
	}
	if (!ret) {
		strbuf_trim(&sb);
		if (oid_from_value(top, HASH_MANIFEST, sb.buf, sb.len)) {
			strbuf_addf(err, "'%s' in %s does not hold a top hash",
				    key, registry_url(reg));
			ret = QERR_CORRUPT;
		}
	}
	strbuf_release(&sb);
	strbuf_release(&prev);
	strbuf_release(&etag);
	return ret;
}

int registry_read_latest(struct registry *reg, const char *name,
			 struct object_id *top, struct strbuf *err)
{
	struct strbuf key = STRBUF_INIT;
	int ret;

	strbuf_addf(&key, NAMED "%s/latest", name);
	ret = registry_read_pointer(reg, key.buf, top, err);
	strbuf_release(&key);
	return ret;
}

struct prefix_match {
	const char *prefix;
	size_t found;
	struct object_id top;
	struct strbuf *err;
};

static int match_prefix(const char *key, void *payload)
{
	struct prefix_match *m = payload;
	const char *hex = key + strlen(PACKAGES);
	struct object_id oid;

	if (oid_from_value(&oid, HASH_MANIFEST, hex, strlen(hex)))
		return 0;
	if (m->found++)
		strbuf_addf(m->err, "%s%s", m->found == 2 ? "" : ", ", hex);
	else
		m->top = oid;
	return 0;
}

int tag_may_be_hash(const char *s)
{
	size_t i, len = strlen(s);

	for (i = 0; i < len; i++)
		if (hexval(s[i]) < 0)
			return 0;
	return len >= 6 && len <= HASH_HEXSZ;
}

/*
 * ns/name:<tag> when there is no such tag but <tag> is hex: the version
 * with that top hash prefix, as ns/name@<tag> would be.
 */
static int resolve_tag_as_hash(struct registry *reg,
			       const struct package_rev *rev,
			       struct object_id *top, struct strbuf *err)
{
	struct package_rev as_hash = { rev->name, NULL, NULL };
	struct strbuf why = STRBUF_INIT;
	size_t i;
	int ret;

	as_hash.hash = xstrdup(rev->tag);
	for (i = 0; as_hash.hash[i]; i++)
		if (as_hash.hash[i] >= 'A' && as_hash.hash[i] <= 'F')
			as_hash.hash[i] += 'a' - 'A';
	ret = registry_resolve(reg, &as_hash, top, &why);
	if (ret == QERR_NOTFOUND)
		strbuf_addf(err, "package %s has no tag '%s', nor a version "
			    "whose top hash starts with it, in %s", rev->name,
			    rev->tag, registry_url(reg));
	else if (ret)
		strbuf_addbuf(err, &why);
	free(as_hash.hash);
	strbuf_release(&why);
	return ret;
}

int registry_resolve(struct registry *reg, const struct package_rev *rev,
		     struct object_id *top, struct strbuf *err)
{
	struct strbuf key = STRBUF_INIT, cands = STRBUF_INIT;
	struct prefix_match m = { 0 };
	int ret;

	if (rev->hash) {
		strbuf_addf(&key, PACKAGES "%s", rev->hash);
		m.prefix = rev->hash;
		m.err = &cands;
		ret = reg->t->ops->list(reg->t, key.buf, match_prefix, &m, err);
		strbuf_release(&key);
		if (ret)
			goto out;
		if (m.found == 1) {
			*top = m.top;
		} else if (!m.found) {
			strbuf_addf(err, "no package version %s... in %s",
				    rev->hash, registry_url(reg));
			ret = QERR_NOTFOUND;
		} else {
			strbuf_addf(err, "'%s' is ambiguous in %s: it matches "
				    "%s and %s; give more digits", rev->hash,
				    registry_url(reg), oid_to_hex(&m.top),
				    cands.buf);
			ret = QERR_GENERIC;
		}
		goto out;
	}
	if (rev->tag)
		strbuf_addf(&key, TAGS "%s/%s", rev->name, rev->tag);
	else
		strbuf_addf(&key, NAMED "%s/latest", rev->name);
	ret = registry_read_pointer(reg, key.buf, top, err);
	if (ret == QERR_NOTFOUND && rev->tag && tag_may_be_hash(rev->tag)) {
		strbuf_reset(err);
		ret = resolve_tag_as_hash(reg, rev, top, err);
	} else if (ret == QERR_NOTFOUND) {
		if (rev->tag)
			strbuf_addf(err, "package %s has no tag '%s' in %s "
				    "(a version by its top hash is written "
				    "%s@<hash>)", rev->name, rev->tag,
				    registry_url(reg), rev->name);
		else
			strbuf_addf(err, "no package %s in %s; 'quire list' "
				    "shows what it holds", rev->name,
				    registry_url(reg));
	}
	strbuf_release(&key);
out:
	strbuf_release(&cands);
	return ret;
}

static void manifest_key(const struct object_id *top, struct strbuf *sb)
{
	strbuf_addf(sb, PACKAGES "%s", oid_to_hex(top));
}

int registry_get_manifest(struct registry *reg, const struct object_id *top,
			  int fd, struct object_id *recorded,
			  struct strbuf *err)
{
	struct strbuf key = STRBUF_INIT;
	struct transfer x;
	int ret;

	manifest_key(top, &key);
	transfer_init(&x, key.buf, fd);
	ret = transport_get_many(reg->t, &x, 1);
	if (ret == QERR_NOTFOUND)
		strbuf_addf(err, "%s has no manifest %s", registry_url(reg),
			    oid_to_hex(top));
	else if (ret)
		strbuf_addbuf(err, &x.err);
	if (recorded)
		recorded->type = x.has_hash && x.hash.type == HASH_SHA256 ?
				 HASH_SHA256 : HASH_MANIFEST;
	if (recorded && recorded->type == HASH_SHA256)
		*recorded = x.hash;
	transfer_release(&x);
	strbuf_release(&key);
	return ret;
}

int registry_has_manifest(struct registry *reg, const struct object_id *top)
{
	struct strbuf key = STRBUF_INIT, err = STRBUF_INIT;
	int ret;

	manifest_key(top, &key);
	ret = !reg->t->ops->head(reg->t, key.buf, NULL, &err);
	strbuf_release(&key);
	strbuf_release(&err);
	return ret;
}

int registry_put_manifest(struct registry *reg, const struct object_id *top,
			  int fd, struct strbuf *err)
{
	struct strbuf key = STRBUF_INIT, why = STRBUF_INIT;
	struct object_id bytes;
	int ret;

	manifest_key(top, &key);
	/*
	 * The SHA-256 of its bytes goes with it (x-amz-meta-quire-hash on
	 * S3), so a reader tells a download damaged on its way from the
	 * bytes stored (physical keys are not in the top hash).
	 */
	ret = hash_fd(fd, key.buf, HASH_SHA256, &bytes, &why);
	/*
	 * A manifest in a registry never changes: the same top hash is the
	 * same package, and the one already there stays, with the physical
	 * keys that readers of it rely on (another copy may name bytes
	 * that are only on some machine).
	 */
	if (!ret)
		ret = reg->t->ops->put(reg->t, key.buf, fd, &bytes,
				       TRANSPORT_NO_OVERWRITE, NULL, &why);
	if (ret == QERR_EXISTS)
		ret = 0;
	else if (ret)
		strbuf_addbuf(err, &why);
	strbuf_release(&key);
	strbuf_release(&why);
	return ret;
}

/*
 * The transport's put_if; or, while the package's lock is held (see
 * registry_lock_package()), a plain read, compare and write: no other
 * writer of the package's pointers runs then.
 */
static int reg_put_if(struct registry *reg, const char *key,
		      const char *data, size_t len, const char *expect,
		      struct strbuf *current, struct strbuf *err)
{
	struct strbuf cur = STRBUF_INIT, why = STRBUF_INIT;
	int fd = -1, ret;

	if (!reg->locked)
		return reg->t->ops->put_if(reg->t, key, data, len, expect,
					   current, err);
	ret = transport_get_small(reg->t, key, &cur, 4096, &why);
	if (ret && ret != QERR_NOTFOUND) {
		strbuf_addbuf(err, &why);
		goto out;
	}
	if (expect ? (ret || strcmp(cur.buf, expect)) : !ret) {
		strbuf_addbuf(current, &cur);
		ret = QERR_STALE;
		goto out;
	}
	fd = memfd_create("quire-pointer", MFD_CLOEXEC);
	if (fd < 0 || write_in_full(fd, data, len) < 0) {
		strbuf_addf(err, "cannot make a pointer file: %s",
			    strerror(errno));
		ret = QERR_GENERIC;
	} else {
		ret = reg->t->ops->put(reg->t, key, fd, NULL, 0, NULL, err);
	}
out:
	if (fd >= 0)
		close(fd);
	strbuf_release(&cur);
	strbuf_release(&why);
	return ret;
}

/*
 * Point the pointer at key to top, from expect (NULL: only when it does
 * not exist yet), or from whatever it holds with force. QERR_STALE with
 * *actual when it held something else (all zero: nothing).
 */
static int move_pointer(struct registry *reg, struct strbuf *key,
			const struct object_id *top,
			const struct object_id *expect, int force,
			struct object_id *actual, struct strbuf *err)
{
	struct strbuf cur = STRBUF_INIT, exp = STRBUF_INIT;
	char new_hex[HASH_HEXSZ + 1];
	int ret, tries, absent = !expect;

	xsnprintf(new_hex, sizeof(new_hex), "%s", oid_to_hex(top));
	if (expect)
		strbuf_addstr(&exp, oid_to_hex(expect));
	for (tries = 0; tries < 5; tries++) {
		struct strbuf trimmed = STRBUF_INIT;

		strbuf_reset(&cur);
		ret = reg_put_if(reg, key->buf, new_hex, HASH_HEXSZ,
				 absent ? NULL : exp.buf, &cur, err);
		if (ret != QERR_STALE)
			break;
		strbuf_addbuf(&trimmed, &cur);
		strbuf_trim(&trimmed);
		if (!trimmed.len) {
			memset(actual, 0, sizeof(*actual));
			actual->type = HASH_MANIFEST;
		} else if (oid_from_value(actual, HASH_MANIFEST, trimmed.buf,
					  trimmed.len)) {
			strbuf_addf(err, "'%s' in %s does not hold a top hash",
				    key->buf, registry_url(reg));
			ret = QERR_CORRUPT;
		}
		strbuf_release(&trimmed);
		if (ret == QERR_CORRUPT)
			break;
		/* already ours: a write the server did, its answer lost */
		if (cur.len && oideq(actual, top)) {
			strbuf_reset(err);
			ret = 0;
			break;
		}
		/*
		 * Another writer may spell the pointer with a newline: the
		 * same hash is no conflict, so compare against its exact
		 * bytes. With --force, move from whatever is there now.
		 */
		if (!(expect && cur.len && oideq(actual, expect)) && !force)
			break;
		absent = !cur.len;
		strbuf_reset(&exp);
		strbuf_addbuf(&exp, &cur);
	}
	strbuf_release(&cur);
	strbuf_release(&exp);
	return ret;
}

static int move_latest(struct registry *reg, const char *name,
		       const struct object_id *top,
		       const struct object_id *expect, int force,
		       struct object_id *actual, struct strbuf *err)
{
	struct strbuf key = STRBUF_INIT;
	int ret;

	strbuf_addf(&key, NAMED "%s/latest", name);
	ret = move_pointer(reg, &key, top, expect, force, actual, err);
	strbuf_release(&key);
	return ret;
}

/*
 * The timestamp pointer of a new version: the next free second from now
 * (two pushes in one second must not overwrite each other's pointer, or
 * history is lost), taken with put_if so that of two writers of one
 * second only one gets it. key receives the pointer's key.
 */
static int list_version(struct registry *reg, const char *name,
			const struct object_id *top, struct strbuf *key,
			int *created, struct strbuf *err)
{
	const char *hex = oid_to_hex(top);
	uint64_t t = (uint64_t)time(NULL), i;
	struct strbuf cur = STRBUF_INIT;
	int ret = QERR_EXISTS;

	for (i = 0; ret && i < 1000; i++) {
		strbuf_reset(key);
		strbuf_addf(key, NAMED "%s/%" PRIu64, name, t + i);
		strbuf_reset(&cur);
		strbuf_reset(err);
		ret = reg_put_if(reg, key->buf, hex, HASH_HEXSZ, NULL, &cur,
				 err);
		*created = !ret;
		if (ret != QERR_STALE)
			break;
		strbuf_trim(&cur);
		if (!strcmp(cur.buf, hex))
			ret = 0;	/* listed already */
	}
	if (ret == QERR_STALE) {
		strbuf_reset(err);
		strbuf_addf(err, "no free second to list %s of %s in %s",
			    hex, name, registry_url(reg));
	}
	strbuf_release(&cur);
	return ret;
}

/* Take the package's lock where the store cannot refuse by itself. */
static int lock_if_needed(struct registry *reg, const char *name,
			  struct registry_lock *lk, struct strbuf *err)
{
	int ret = transport_conditional(reg->t, err);

	lk->held = 0;
	if (ret)
		return ret < 0 ? ret : 0;
	ret = registry_lock_package(reg, name, lk, err);
	reg->locked = !ret;
	return ret;
}

static void unlock_if_held(struct registry *reg, struct registry_lock *lk)
{
	if (!lk->held)
		return;
	reg->locked = 0;
	registry_unlock_package(reg, lk);
}

int registry_push_version(struct registry *reg, const char *name,
			  const struct object_id *top,
			  const struct object_id *expect, int force,
			  struct object_id *actual, struct strbuf *err)
{
	struct strbuf key = STRBUF_INIT, why = STRBUF_INIT;
	struct registry_lock lk;
	int ret, created = 0;

	ret = lock_if_needed(reg, name, &lk, err);
	/* the timestamp pointer first: latest never names an unlisted one */
	if (!ret)
		ret = list_version(reg, name, top, &key, &created, err);
	if (!ret)
		ret = move_latest(reg, name, top, expect, force, actual, err);
	/* refused: then this push is no version of the package's history */
	if (ret == QERR_STALE && created)
		reg->t->ops->del(reg->t, key.buf, &why);
	unlock_if_held(reg, &lk);
	strbuf_release(&key);
	strbuf_release(&why);
	return ret;
}

int registry_set_latest(struct registry *reg, const char *name,
			const struct object_id *top,
			const struct object_id *expect,
			struct object_id *actual, struct strbuf *err)
{
	struct registry_lock lk;
	int ret = lock_if_needed(reg, name, &lk, err);

	if (!ret)
		ret = move_latest(reg, name, top, expect, 0, actual, err);
	unlock_if_held(reg, &lk);
	return ret;
}

int registry_read_tag(struct registry *reg, const char *name,
		      const char *tag, struct object_id *top,
		      struct strbuf *err)
{
	struct strbuf key = STRBUF_INIT;
	int ret;

	strbuf_addf(&key, TAGS "%s/%s", name, tag);
	ret = registry_read_pointer(reg, key.buf, top, err);
	strbuf_release(&key);
	return ret;
}

int registry_set_tag(struct registry *reg, const char *name,
		     const char *tag, const struct object_id *top, int force,
		     struct strbuf *err)
{
	struct strbuf key = STRBUF_INIT;
	struct registry_lock lk;
	struct object_id actual;
	int ret = lock_if_needed(reg, name, &lk, err);

	strbuf_addf(&key, TAGS "%s/%s", name, tag);
	if (!ret)
		ret = move_pointer(reg, &key, top, NULL, force, &actual, err);
	if (ret == QERR_STALE) {
		strbuf_reset(err);
		strbuf_addf(err, "tag '%s' of %s in %s points to %s; "
			    "--force-tag moves it", tag, name,
			    registry_url(reg), oid_to_hex(&actual));
		ret = QERR_EXISTS;
	}
	unlock_if_held(reg, &lk);
	strbuf_release(&key);
	return ret;
}

struct name_walk {
	registry_name_fn *fn;
	void *payload;
	struct strbuf last;
};

static int each_package_key(const char *key, void *payload)
{
	struct name_walk *w = payload;
	const char *rest = key + strlen(NAMED), *slash1, *slash2;
	size_t len;

	slash1 = strchr(rest, '/');
	slash2 = slash1 ? strchr(slash1 + 1, '/') : NULL;
	if (!slash2 || strchr(slash2 + 1, '/'))
		return 0;
	len = slash2 - rest;
	if (w->last.len == len && !memcmp(w->last.buf, rest, len))
		return 0;
	strbuf_reset(&w->last);
	strbuf_add(&w->last, rest, len);
	return w->fn(w->last.buf, w->payload);
}

int registry_for_each_package(struct registry *reg, registry_name_fn *fn,
			      void *payload, struct strbuf *err)
{
	struct name_walk w = { fn, payload, STRBUF_INIT };
	int ret = reg->t->ops->list(reg->t, NAMED, each_package_key, &w, err);

	strbuf_release(&w.last);
	return ret;
}

struct version {
	uint64_t time;
	struct object_id top;
};

struct version_walk {
	struct registry *reg;
	struct version *v;
	size_t nr, alloc;
	size_t skip;
	struct strbuf *err;
	int ret;
};

static int each_version_key(const char *key, void *payload)
{
	struct version_walk *w = payload;
	const char *base = strrchr(key, '/') + 1;
	uint64_t t;

	if (parse_u64(base, &t))
		return 0;	/* "latest" and anything else */
	ALLOC_GROW(w->v, w->nr + 1, w->alloc);
	w->ret = registry_read_pointer(w->reg, key, &w->v[w->nr].top, w->err);
	if (w->ret)
		return w->ret;
	w->v[w->nr++].time = t;
	return 0;
}

static int cmp_version(const void *a, const void *b)
{
	const struct version *x = a, *y = b;

	return x->time < y->time ? -1 : x->time > y->time;
}

int registry_for_each_version(struct registry *reg, const char *name,
			      registry_version_fn *fn, void *payload,
			      struct strbuf *err)
{
	struct version_walk w = { 0 };
	struct strbuf prefix = STRBUF_INIT;
	size_t i;
	int ret;

	w.reg = reg;
	w.err = err;
	strbuf_addf(&prefix, NAMED "%s/", name);
	ret = reg->t->ops->list(reg->t, prefix.buf, each_version_key, &w, err);
	if (!ret && w.nr)
		qsort(w.v, w.nr, sizeof(*w.v), cmp_version);
	for (i = 0; !ret && i < w.nr; i++)
		ret = fn(w.v[i].time, &w.v[i].top, payload);
	free(w.v);
	strbuf_release(&prefix);
	return ret;
}

struct tag_walk {
	struct registry *reg;
	registry_tag_fn *fn;
	void *payload;
	struct strbuf *err;
};

static int each_tag_key(const char *key, void *payload)
{
	struct tag_walk *w = payload;
	struct object_id top;
	int ret = registry_read_pointer(w->reg, key, &top, w->err);

	if (ret)
		return ret;
	return w->fn(strrchr(key, '/') + 1, &top, w->payload);
}

int registry_for_each_tag(struct registry *reg, const char *name,
			  registry_tag_fn *fn, void *payload,
			  struct strbuf *err)
{
	struct tag_walk w = { reg, fn, payload, err };
	struct strbuf prefix = STRBUF_INIT;
	int ret;

	strbuf_addf(&prefix, TAGS "%s/", name);
	ret = reg->t->ops->list(reg->t, prefix.buf, each_tag_key, &w, err);
	strbuf_release(&prefix);
	return ret;
}

#define REQUIRED_PROVENANCE ".quire/required-provenance"
#define REQUIRED_PROVENANCE_MAX (64u << 10)

/* A dotted path: components without dots or white space, none empty. */
static int dotted_path_ok(const char *s)
{
	const char *p;

	if (!*s || *s == '.')
		return 0;
	for (p = s; *p; p++)
		if ((*p == '.' && (p[1] == '.' || !p[1])) ||
		    *p == ' ' || *p == '\t')
			return 0;
	return 1;
}

/* One line of the file: a comment, blank, or a field to append. */
static int required_line(struct registry *reg, char *line, size_t nr,
			 struct string_list *fields, struct strbuf *err)
{
	struct strbuf sb = STRBUF_INIT;
	char *hash = strchr(line, '#');
	int ret = 0;

	if (hash)
		*hash = '\0';
	strbuf_addstr(&sb, line);
	strbuf_trim(&sb);
	if (sb.len && !dotted_path_ok(sb.buf)) {
		strbuf_addf(err, "line %lu of %s in %s: '%s' is not a "
			    "provenance field (like 'source.commit')",
			    (unsigned long)nr, REQUIRED_PROVENANCE,
			    registry_url(reg), sb.buf);
		ret = QERR_CORRUPT;
	} else if (sb.len) {
		string_list_append(fields, sb.buf);
	}
	strbuf_release(&sb);
	return ret;
}

int registry_required_provenance(struct registry *reg,
				 struct string_list *fields,
				 struct strbuf *err)
{
	struct strbuf body = STRBUF_INIT, why = STRBUF_INIT;
	char *line, *nl;
	size_t nr = 0;
	int ret;

	ret = transport_get_small(reg->t, REQUIRED_PROVENANCE, &body,
				  REQUIRED_PROVENANCE_MAX, &why);
	if (ret == QERR_NOTFOUND) {
		ret = 0;
		goto out;
	}
	if (ret) {
		strbuf_addf(err, "cannot read %s in %s: %s",
			    REQUIRED_PROVENANCE, registry_url(reg), why.buf);
		goto out;
	}
	for (line = body.buf; !ret && line < body.buf + body.len;
	     line = nl + 1) {
		nl = memchr(line, '\n', body.buf + body.len - line);
		if (!nl)
			nl = body.buf + body.len;
		*nl = '\0';
		ret = required_line(reg, line, ++nr, fields, err);
	}
out:
	strbuf_release(&body);
	strbuf_release(&why);
	return ret;
}
