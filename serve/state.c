#include "quire-compat.h"
#include <pthread.h>
#include "serve/serve.h"
#include "cache.h"
#include "fetch.h"
#include "json.h"
#include "objects/odb.h"
#include "porcelain.h"
#include "redact.h"
#include "registry.h"
#include "string-list.h"
#include "version-show.h"
#include "vindex.h"
#include "workspace.h"

/*
 * What the server keeps between requests: a pool of opened registries
 * (one a thread at a time), the open per-version indexes (a version is
 * immutable: an index once open serves every later request for it)
 * and what the package pages show of each version.
 */

#define VCACHE_SLOTS 32

struct vslot {
	struct object_id top;
	struct vindex *vx;
	unsigned refs;
	uint64_t used;
};

struct summary_item {
	struct object_id top;
	struct version_summary sum;
};

struct serve {
	char *arg;		/* the registry argument, for porcelain */
	char *url;		/* its URL without credentials */
	pthread_mutex_t lock;
	struct registry **pool;
	size_t pool_nr, pool_alloc;
	struct vslot slots[VCACHE_SLOTS];
	uint64_t clock;
	pthread_mutex_t build_lock;	/* one index is built at a time */
	struct summary_item *sums;
	size_t sums_nr, sums_alloc;
	struct string_list members;	/* "ns/name@hex" known to be so */
	struct odb cache;
};

int serve_new(const struct serve_opts *o, struct workspace *ws,
	      struct serve **out, struct strbuf *err)
{
	struct serve *s;
	struct registry *reg;
	struct strbuf url = STRBUF_INIT;
	int ret;

	if ((ret = porcelain_registry_url(ws, o->registry, &url, err)))
		return ret;
	if ((ret = registry_open(url.buf, 0, &reg, err))) {
		strbuf_release(&url);
		return ret;
	}
	s = xcalloc(1, sizeof(*s));
	if (cache_odb(&s->cache, err) < 0) {
		registry_free(reg);
		strbuf_release(&url);
		free(s);
		return QERR_GENERIC;
	}
	s->arg = strbuf_detach(&url, NULL);
	strbuf_init(&url, 0);
	redact_url(&url, registry_url(reg));
	s->url = strbuf_detach(&url, NULL);
	pthread_mutex_init(&s->lock, NULL);
	pthread_mutex_init(&s->build_lock, NULL);
	serve_registry_put(s, reg);
	*out = s;
	return 0;
}

void serve_free(struct serve *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->pool_nr; i++)
		registry_free(s->pool[i]);
	free(s->pool);
	for (i = 0; i < VCACHE_SLOTS; i++)
		vindex_close(s->slots[i].vx);
	for (i = 0; i < s->sums_nr; i++)
		version_summary_release(&s->sums[i].sum);
	free(s->sums);
	string_list_clear(&s->members);
	odb_release(&s->cache);
	pthread_mutex_destroy(&s->lock);
	pthread_mutex_destroy(&s->build_lock);
	free(s->arg);
	free(s->url);
	free(s);
}

const char *serve_registry_url(const struct serve *s)
{
	return s->url;
}

const char *serve_registry_arg(const struct serve *s)
{
	return s->arg;
}

int serve_registry(struct serve *s, struct registry **reg,
		   struct strbuf *err)
{
	pthread_mutex_lock(&s->lock);
	*reg = s->pool_nr ? s->pool[--s->pool_nr] : NULL;
	pthread_mutex_unlock(&s->lock);
	if (*reg)
		return 0;
	return registry_open(s->arg, 0, reg, err);
}

void serve_registry_put(struct serve *s, struct registry *reg)
{
	pthread_mutex_lock(&s->lock);
	ALLOC_GROW(s->pool, s->pool_nr + 1, s->pool_alloc);
	s->pool[s->pool_nr++] = reg;
	pthread_mutex_unlock(&s->lock);
}

/* --- versions ----------------------------------------------------------- */

/* Split name+rev into a package_rev; QERR_USAGE when misspelled. */
static int parse_rev(const char *name, const char *rev,
		     struct package_rev *pr, struct strbuf *err)
{
	struct strbuf arg = STRBUF_INIT;
	int ret = 0;

	if (package_name_check(name, err) < 0)
		ret = QERR_USAGE;
	/* ":latest", as quilt3 spells it, is what "latest" points to */
	if (!strcmp(rev, ":latest"))
		rev = "";
	strbuf_addf(&arg, "%s%s", name, rev);
	if (!ret && package_rev_parse(pr, arg.buf, err) < 0)
		ret = QERR_USAGE;
	strbuf_release(&arg);
	return ret;
}

struct member_check {
	const struct object_id *top;
	int found;
};

static int match_top(uint64_t time, const struct object_id *top, void *p)
{
	struct member_check *m = p;

	(void)time;
	if (oideq(top, m->top))
		m->found = 1;
	return m->found;
}

static int match_tag(const char *tag, const struct object_id *top, void *p)
{
	(void)tag;
	return match_top(0, top, p);
}

static int is_member(struct serve *s, const char *key)
{
	size_t i;
	int found = 0;

	pthread_mutex_lock(&s->lock);
	for (i = 0; !found && i < s->members.nr; i++)
		found = !strcmp(s->members.items[i], key);
	pthread_mutex_unlock(&s->lock);
	return found;
}

/*
 * A registry keeps manifests by top hash alone: a version named by its
 * hash is served under a package only when that package has it (was
 * pushed as it, or is tagged so). QERR_NOTFOUND otherwise.
 */
static int check_member(struct serve *s, const char *name,
			const struct object_id *top, struct strbuf *err)
{
	struct member_check m = { top, 0 };
	struct strbuf key = STRBUF_INIT;
	struct registry *reg;
	int ret;

	strbuf_addf(&key, "%s@%s", name, oid_to_hex(top));
	if (is_member(s, key.buf)) {
		strbuf_release(&key);
		return 0;
	}
	ret = serve_registry(s, &reg, err);
	if (!ret) {
		ret = registry_for_each_version(reg, name, match_top, &m, err);
		if (ret >= 0 && !m.found)
			ret = registry_for_each_tag(reg, name, match_tag, &m,
						    err);
		serve_registry_put(s, reg);
	}
	if (ret >= 0 && m.found) {
		pthread_mutex_lock(&s->lock);
		string_list_append(&s->members, key.buf);
		pthread_mutex_unlock(&s->lock);
		ret = 0;
	} else if (ret >= 0 || ret == QERR_NOTFOUND) {
		strbuf_reset(err);
		strbuf_addf(err, "package %s has no version %s in %s", name,
			    oid_to_hex(top), s->url);
		ret = QERR_NOTFOUND;
	}
	strbuf_release(&key);
	return ret;
}

int version_resolve(struct serve *s, const char *name, const char *rev,
		    struct object_id *top, struct strbuf *err)
{
	struct package_rev pr;
	struct registry *reg;
	int ret = parse_rev(name, rev, &pr, err);

	if (ret)
		return ret;
	if (!(ret = serve_registry(s, &reg, err))) {
		ret = registry_resolve(reg, &pr, top, err);
		serve_registry_put(s, reg);
	}
	package_rev_release(&pr);
	/* an ambiguous prefix is the asker's to fix */
	if (ret == QERR_GENERIC && strstr(err->buf, "ambiguous"))
		return QERR_USAGE;
	if (!ret && rev[0] == '@')
		ret = check_member(s, name, top, err);
	return ret;
}

/* The open index of top, with a reference, or NULL. Under s->lock. */
static struct vindex *vcache_find(struct serve *s,
				  const struct object_id *top)
{
	size_t i;

	for (i = 0; i < VCACHE_SLOTS; i++)
		if (s->slots[i].vx && oideq(&s->slots[i].top, top)) {
			s->slots[i].refs++;
			s->slots[i].used = ++s->clock;
			return s->slots[i].vx;
		}
	return NULL;
}

/*
 * Keep vx (referenced once); the least used idle index makes room.
 * 0, or -1 when every slot is in use: the caller keeps vx.
 */
static int vcache_add(struct serve *s, const struct object_id *top,
		       struct vindex *vx)
{
	struct vslot *victim = NULL, *sl;
	size_t i;

	pthread_mutex_lock(&s->lock);
	for (i = 0; i < VCACHE_SLOTS; i++) {
		sl = &s->slots[i];
		if (!sl->vx) {
			victim = sl;
			break;
		}
		if (!sl->refs && (!victim || sl->used < victim->used))
			victim = sl;
	}
	if (victim) {
		vindex_close(victim->vx);
		victim->top = *top;
		victim->vx = vx;
		victim->refs = 1;
		victim->used = ++s->clock;
		vx = NULL;
	}
	pthread_mutex_unlock(&s->lock);
	return vx ? -1 : 0;
}

/* Open (or build) the index of top; the manifest is fetched if need be. */
static int build_index(struct serve *s, const char *name,
		       const struct object_id *top, struct vindex **vx,
		       struct strbuf *err)
{
	struct registry *reg;
	FILE *fp = NULL;
	int ret, built;

	ret = vindex_open(top, NULL, name, vx, &built, err);
	if (ret != QERR_NOTFOUND)
		return ret;
	strbuf_reset(err);
	if (!odb_has_manifest(&s->cache, top)) {
		if ((ret = serve_registry(s, &reg, err)))
			return ret;
		ret = fetch_manifest(&s->cache, reg, top, err);
		serve_registry_put(s, reg);
		if (ret)
			return ret;
	}
	if ((ret = odb_open_manifest(&s->cache, top, &fp, err)))
		return ret;
	ret = vindex_open(top, fp, name, vx, &built, err);
	fclose(fp);
	return ret;
}

/* An index in the cache, with a reference; built once if need be. */
static int vcache_get(struct serve *s, const char *name,
		      const struct object_id *top, struct vindex **out,
		      int *owned, struct strbuf *err)
{
	int ret = 0;

	*owned = 0;
	pthread_mutex_lock(&s->lock);
	*out = vcache_find(s, top);
	pthread_mutex_unlock(&s->lock);
	if (*out)
		return 0;
	pthread_mutex_lock(&s->build_lock);
	pthread_mutex_lock(&s->lock);
	*out = vcache_find(s, top);
	pthread_mutex_unlock(&s->lock);
	/* every slot in use: this one lives for this request only */
	if (!*out && !(ret = build_index(s, name, top, out, err)))
		*owned = !!vcache_add(s, top, *out);
	pthread_mutex_unlock(&s->build_lock);
	return ret;
}

static int is_full_hash(const char *rev, struct object_id *top)
{
	return rev[0] == '@' && strlen(rev + 1) == HASH_HEXSZ &&
	       !oid_from_value(top, HASH_MANIFEST, rev + 1, HASH_HEXSZ);
}

int version_open(struct serve *s, const char *name, const char *rev,
		 struct version *v, struct strbuf *err)
{
	struct package_rev pr;
	int ret;

	memset(v, 0, sizeof(*v));
	/* a full top hash names one version for good: no lookup */
	if (!is_full_hash(rev, &v->top)) {
		ret = version_resolve(s, name, rev, &v->top, err);
	} else if (!(ret = parse_rev(name, rev, &pr, err))) {
		package_rev_release(&pr);
		ret = check_member(s, name, &v->top, err);
	}
	if (!ret)
		ret = vcache_get(s, name, &v->top, &v->vx, &v->owned, err);
	if (ret)
		return ret;
	v->name = xstrdup(name);
	v->spelled = xstrdup(rev);
	xsnprintf(v->hex, sizeof(v->hex), "%s", oid_to_hex(&v->top));
	return 0;
}

void version_release(struct serve *s, struct version *v)
{
	size_t i;

	if (v->vx && v->owned) {
		vindex_close(v->vx);
	} else if (v->vx) {
		pthread_mutex_lock(&s->lock);
		for (i = 0; i < VCACHE_SLOTS; i++)
			if (s->slots[i].vx == v->vx)
				s->slots[i].refs--;
		pthread_mutex_unlock(&s->lock);
	}
	free(v->name);
	free(v->spelled);
	memset(v, 0, sizeof(*v));
}

/* --- what a package page shows of a version -------------------------- */

void version_summary_release(struct version_summary *sum)
{
	free(sum->message);
	sum->message = NULL;
}

static void message_from(const char *meta_text, const struct json *meta,
			 struct version_summary *sum)
{
	struct json *parsed = NULL;
	const struct json *m;
	struct strbuf err = STRBUF_INIT;

	if (!meta && meta_text &&
	    !json_parse(meta_text, strlen(meta_text), &parsed, &err))
		meta = parsed;
	m = meta ? json_object_get(meta, "message") : NULL;
	sum->message = xstrdup(m && m->type == JSON_STRING ? m->u.str.s : "");
	json_free(parsed);
	strbuf_release(&err);
}

/* Count the manifest's entries as show does, as they stream past. */
static int summarize(struct serve *s, const char *name,
		     const struct object_id *top, struct version_summary *sum,
		     struct strbuf *err)
{
	struct strbuf rev = STRBUF_INIT;
	struct version_show vs;
	int ret;

	strbuf_addf(&rev, "%s@%s", name, oid_to_hex(top));
	ret = version_show_read(&vs, NULL, s->arg, rev.buf,
				VERSION_SHOW_COUNTS_ONLY, err);
	if (!ret) {
		sum->entries = vs.total.entries;
		sum->size = vs.total.size;
		message_from(NULL, vs.meta, sum);
	}
	version_show_release(&vs);
	strbuf_release(&rev);
	return ret;
}

/* From the index when there is one already (its root holds it all). */
static int summarize_index(const struct object_id *top,
			   struct version_summary *sum)
{
	struct strbuf err = STRBUF_INIT;
	struct vindex *vx;
	struct vnode root;
	int built, ret;

	ret = vindex_open(top, NULL, "", &vx, &built, &err);
	strbuf_release(&err);
	if (ret)
		return ret;
	vnode_init(&root);
	ret = vindex_get(vx, VINDEX_ROOT, &root);
	if (!ret) {
		sum->entries = root.files;
		sum->size = root.size;
		message_from(vindex_package_meta(vx), NULL, sum);
	}
	vnode_release(&root);
	vindex_close(vx);
	return ret;
}

int version_summary(struct serve *s, const char *name,
		    const struct object_id *top, struct version_summary *out,
		    struct strbuf *err)
{
	struct version_summary sum = { 0 };
	size_t i;
	int ret = 0;

	pthread_mutex_lock(&s->lock);
	for (i = 0; i < s->sums_nr; i++)
		if (oideq(&s->sums[i].top, top)) {
			*out = s->sums[i].sum;
			out->message = xstrdup(out->message);
			pthread_mutex_unlock(&s->lock);
			return 0;
		}
	pthread_mutex_unlock(&s->lock);
	if (summarize_index(top, &sum) &&
	    (ret = summarize(s, name, top, &sum, err)))
		return ret;
	*out = sum;
	out->message = xstrdup(sum.message);
	pthread_mutex_lock(&s->lock);
	ALLOC_GROW(s->sums, s->sums_nr + 1, s->sums_alloc);
	s->sums[s->sums_nr].top = *top;
	s->sums[s->sums_nr++].sum = sum;
	pthread_mutex_unlock(&s->lock);
	return 0;
}

/* --- bytes --------------------------------------------------------------- */

int object_open(struct serve *s, const char *physical,
		const struct object_id *oid, uint64_t size, int *fd,
		struct strbuf *err)
{
	struct strbuf path = STRBUF_INIT;
	uint64_t got;
	int fetched, ret, tries;

	for (tries = 0; tries < 2; tries++) {
		ret = fetch_object(&s->cache, physical, oid, size, &fetched,
				   err);
		if (ret)
			return ret;
		/* a copy already there may be torn: every byte is checked */
		ret = odb_open_verified(&s->cache, oid, fd, &got, err);
		if (ret != QERR_CORRUPT)
			break;
		odb_path(&s->cache, oid, &path);
		unlink(path.buf);
		strbuf_release(&path);
		if (tries == 0)
			strbuf_reset(err);
	}
	if (!ret && got != size) {
		close(*fd);
		strbuf_addf(err, "the object of %s has %" PRIu64 " bytes, not "
			    "the %" PRIu64 " its entry says", physical, got,
			    size);
		ret = QERR_CORRUPT;
	}
	return ret;
}
