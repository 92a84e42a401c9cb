#include "quire-compat.h"
#include "transport.h"
#include "physical-key.h"
#include "s3/object.h"
#include <time.h>

/*
 * A registry in an S3 bucket: keys live below s3://bucket/prefix/. In a
 * versioned bucket every write is a new version, named in physical keys,
 * so bytes an earlier version points to stay reachable; in an unversioned
 * one, TRANSPORT_NO_OVERWRITE is honoured with a conditional PUT, or a
 * HEAD first where the server cannot do conditional writes.
 */
struct s3_transport {
	struct transport t;
	struct s3_client *c;
	pid_t pid;		/* the process and thread c belongs to */
	uint64_t thread;	/* s3_thread_serial() */
	char *bucket;
	char *prefix;		/* "" or "a/b/" */
};

/*
 * The transport, with the client of this process and thread: a
 * transport opened before fork() (a Python object a DataLoader worker
 * inherits) must not talk over the parent's connections, nor one used
 * by another thread (a server's request) over the opener's, which is
 * freed when that thread ends: so the owner is remembered here, by a
 * number no later thread gets again (a pthread_t is reused), and the
 * client itself is not looked at unless it is this thread's.
 */
static struct s3_transport *st3(struct transport *t)
{
	struct s3_transport *s = (struct s3_transport *)t;
	struct strbuf err = STRBUF_INIT;
	struct s3_client *c;

	if ((s->pid != getpid() || s->thread != s3_thread_serial()) &&
	    (c = s3_client_get(&err))) {
		s->c = c;
		s->pid = getpid();
		s->thread = s3_thread_serial();
	}
	strbuf_release(&err);
	return s;
}

static void full_key(struct transport *t, const char *key, struct strbuf *sb)
{
	strbuf_addf(sb, "%s%s", st3(t)->prefix, key);
}

static int not_found(struct transport *t, const char *key, struct strbuf *err)
{
	strbuf_addf(err, "s3://%s/%s%s does not exist", st3(t)->bucket,
		    st3(t)->prefix, key);
	return QERR_NOTFOUND;
}

static int s3t_get(struct transport *t, const char *key, int out_fd,
		   struct strbuf *err)
{
	struct transfer x;
	int ret;

	transfer_init(&x, key, out_fd);
	ret = transport_get_many(t, &x, 1);
	strbuf_addbuf(err, &x.err);
	transfer_release(&x);
	return ret;
}

/* The S3 objects of the transfers: bucket, full key (in keys), fd. */
static struct s3_object *objects_of(struct transport *t, struct transfer *x,
				    size_t nr, struct strbuf **keys)
{
	struct s3_object *o = xcalloc(nr ? nr : 1, sizeof(*o));
	size_t i;

	*keys = xcalloc(nr ? nr : 1, sizeof(**keys));
	for (i = 0; i < nr; i++) {
		strbuf_init(&(*keys)[i], 0);
		full_key(t, x[i].key, &(*keys)[i]);
		s3_object_init(&o[i], st3(t)->bucket, (*keys)[i].buf,
			       x[i].fd);
	}
	return o;
}

static void parse_meta_hash(struct transfer *x, const struct strbuf *v)
{
	const char *colon = strchr(v->buf, ':');
	enum hash_type type;

	x->has_hash = 0;
	if (!colon || hash_type_from_name(v->buf, colon - v->buf, &type) ||
	    type == HASH_MANIFEST)
		return;
	x->has_hash = !oid_from_value(&x->hash, type, colon + 1,
				      v->len - (colon + 1 - v->buf));
}

/*
 * Hand the objects' answers to the transfers; the first failure. A read
 * of a missing key says so plainly.
 */
static int objects_done(struct transport *t, struct transfer *x,
			struct s3_object *o, struct strbuf *keys, size_t nr,
			int reading)
{
	size_t i;
	int ret = 0;

	for (i = 0; i < nr; i++) {
		x[i].ret = o[i].ret;
		if (reading && o[i].ret == QERR_NOTFOUND)
			not_found(t, x[i].key, &x[i].err);
		else
			strbuf_addbuf(&x[i].err, &o[i].err);
		strbuf_addbuf(&x[i].version_id, &o[i].version_id);
		if (reading && !o[i].ret)
			parse_meta_hash(&x[i], &o[i].meta_hash);
		strbuf_addbuf(&x[i].etag, &o[i].etag);
		if (x[i].ret && !ret)
			ret = x[i].ret;
		s3_object_release(&o[i]);
		strbuf_release(&keys[i]);
	}
	free(o);
	free(keys);
	return ret;
}

static int s3t_get_many(struct transport *t, struct transfer *x, size_t nr)
{
	struct strbuf *keys;
	struct s3_object *o = objects_of(t, x, nr, &keys);
	size_t i;

	for (i = 0; i < nr; i++) {
		o[i].version = x[i].version;
		o[i].size = x[i].size;
	}
	s3_get_objects(st3(t)->c, o, nr);
	return objects_done(t, x, o, keys, nr, 1);
}

/*
 * Some servers leave x-amz-version-id out of the answer to completing a
 * multipart upload: ask for it, and make sure it is our bytes' version.
 */
static int version_of(struct transport *t, struct s3_object *o)
{
	struct s3_head h;
	struct strbuf want = STRBUF_INIT;
	int ret;

	s3_head_init(&h);
	ret = s3_head_object(st3(t)->c, o->bucket, o->key, NULL, &h, &o->err);
	if (!ret && o->expect) {
		s3_meta_hash(&want, o->expect);
		if (strcmp(want.buf + strlen("x-amz-meta-quire-hash: "),
			   h.meta_hash.buf))
			ret = QERR_STALE;
	}
	if (!ret && !h.version_id.len)
		ret = QERR_GENERIC;
	if (!ret)
		strbuf_addbuf(&o->version_id, &h.version_id);
	else if (ret != QERR_GENERIC || !o->err.len)
		strbuf_addf(&o->err, "s3://%s/%s was replaced while it was "
			    "being written, or has no version id; push again",
			    o->bucket, o->key);
	s3_head_release(&h);
	strbuf_release(&want);
	return ret;
}

static int s3t_put_many(struct transport *t, struct transfer *x, size_t nr)
{
	struct strbuf *keys;
	struct s3_object *o = objects_of(t, x, nr, &keys);
	size_t i;

	for (i = 0; i < nr; i++) {
		o[i].path = x[i].path;	/* opened when its turn comes */
		o[i].expect = x[i].expect;
		/* a versioned bucket keeps what it replaces */
		o[i].if_absent = (x[i].flags & TRANSPORT_NO_OVERWRITE) &&
				 !(t->versioned &&
				   (x[i].flags & TRANSPORT_VERSIONS_KEEP));
		o[i].seen_absent = !!(x[i].flags & TRANSPORT_SEEN_ABSENT);
	}
	s3_put_objects(st3(t)->c, o, nr);
	for (i = 0; i < nr; i++)
		if (!o[i].ret && t->versioned && !o[i].version_id.len)
			o[i].ret = version_of(t, &o[i]);
	return objects_done(t, x, o, keys, nr, 0);
}

static int s3t_put(struct transport *t, const char *key, int in_fd,
		   const struct object_id *expect, unsigned flags,
		   struct strbuf *version_id, struct strbuf *err)
{
	struct transfer x;
	int ret;

	transfer_init(&x, key, in_fd);
	x.expect = expect;
	x.flags = flags;
	ret = s3t_put_many(t, &x, 1);
	strbuf_addbuf(err, &x.err);
	if (version_id)
		strbuf_addbuf(version_id, &x.version_id);
	transfer_release(&x);
	return ret;
}

/*
 * Compare and swap a small object: If-Match on the ETag read, or
 * If-None-Match when there is none. Where the server cannot write
 * conditionally, write, then read back: a racing writer that came in
 * between shows up there. The read-back waits a moment, longer than the
 * gap between another writer's read and its write (at least SETTLE_US,
 * and a few times our own read-to-write time), so that of two racing
 * writers the first sees the second's value and gives way.
 */
#define SETTLE_US 300000
static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int put_then_check(struct s3_transport *s, const char *key,
			  const char *data, size_t len, uint64_t start,
			  struct strbuf *current, struct strbuf *err)
{
	struct strbuf cur = STRBUF_INIT;
	uint64_t gap;
	int ret = s3_put_small(s->c, s->bucket, key, data, len, NULL, 0, err);

	if (ret)
		goto out;
	gap = now_us() - start;
	usleep(gap * 4 > SETTLE_US ? gap * 4 : SETTLE_US);
	ret = s3_get_small(s->c, s->bucket, key, &cur, 4096, NULL, err);
	if (ret == QERR_NOTFOUND)
		ret = QERR_STALE;	/* removed meanwhile: not ours */
	if (!ret && (cur.len != len || memcmp(cur.buf, data, len)))
		ret = QERR_STALE;
	if (ret == QERR_STALE) {
		strbuf_reset(err);
		strbuf_addbuf(current, &cur);
	}
out:
	strbuf_release(&cur);
	return ret;
}

static int s3t_put_if(struct transport *t, const char *key, const char *data,
		      size_t len, const char *expect, struct strbuf *current,
		      struct strbuf *err)
{
	struct s3_transport *s = st3(t);
	struct strbuf k = STRBUF_INIT, cur = STRBUF_INIT, etag = STRBUF_INIT;
	uint64_t start = now_us();
	int ret;

	full_key(t, key, &k);
	ret = s3_get_small(s->c, s->bucket, k.buf, &cur, 4096, &etag, err);
	if (ret && ret != QERR_NOTFOUND)
		goto out;
	strbuf_reset(err);
	if (expect ? (ret || strcmp(cur.buf, expect)) : !ret) {
		strbuf_addbuf(current, &cur);
		ret = QERR_STALE;
		goto out;
	}
	if (!t->conditional) {
		ret = put_then_check(s, k.buf, data, len, start, current, err);
		goto out;
	}
	ret = s3_put_small(s->c, s->bucket, k.buf, data, len,
			   expect ? etag.buf : NULL, !expect, err);
	if (ret == QERR_USAGE) {
		strbuf_reset(err);
		ret = put_then_check(s, k.buf, data, len, start, current, err);
	} else if (ret == QERR_STALE) {
		strbuf_reset(err);
		strbuf_reset(&cur);
		if (!s3_get_small(s->c, s->bucket, k.buf, &cur, 4096, NULL,
				  err))
			strbuf_addbuf(current, &cur);
		strbuf_reset(err);
	}
out:
	strbuf_release(&k);
	strbuf_release(&cur);
	strbuf_release(&etag);
	return ret;
}

/*
 * From how many keys on a stat_many asks a listing first (see
 * s3_list_keys()); fewer go by HEAD alone.
 */
#define STAT_LIST_MIN 32

/*
 * Answer what a listing can for x[0..nr): an absent key, or one listed
 * with another size than the caller expects (not its bytes); *head[i]
 * says which still need a HEAD (present, or not listed). A failed
 * listing leaves them all to HEADs.
 */
static void stat_from_listing(struct transport *t, struct transfer *x,
			      struct strbuf *keys, size_t nr, int *head)
{
	struct s3_key *k = xcalloc(nr, sizeof(*k));
	struct strbuf ignore = STRBUF_INIT;
	size_t i;

	for (i = 0; i < nr; i++)
		k[i].key = keys[i].buf;
	s3_list_keys(st3(t)->c, st3(t)->bucket, k, nr, &ignore);
	for (i = 0; i < nr; i++) {
		head[i] = 1;
		if (k[i].state == S3_KEY_ABSENT) {
			x[i].ret = QERR_NOTFOUND;
		} else if (k[i].state == S3_KEY_LISTED &&
			   x[i].size != TRANSFER_SIZE_UNKNOWN &&
			   x[i].size != k[i].size) {
			x[i].ret = 0;
			x[i].size = k[i].size;
		} else {
			continue;
		}
		x[i].listed = 1;
		head[i] = 0;
	}
	strbuf_release(&ignore);
	free(k);
}

static int s3t_stat_many(struct transport *t, struct transfer *x, size_t nr)
{
	struct s3_request *rq = xcalloc(nr ? nr : 1, sizeof(*rq));
	struct s3_request **rqs = xcalloc(nr ? nr : 1, sizeof(*rqs));
	struct strbuf *keys = xcalloc(nr ? nr : 1, sizeof(*keys));
	int *head = xcalloc(nr ? nr : 1, sizeof(*head));
	size_t i, n = 0;
	int ret = 0;

	for (i = 0; i < nr; i++) {
		strbuf_init(&keys[i], 0);
		full_key(t, x[i].key, &keys[i]);
		x[i].has_hash = 0;
		x[i].listed = 0;
		head[i] = 1;
	}
	if (nr >= STAT_LIST_MIN)
		stat_from_listing(t, x, keys, nr, head);
	for (i = 0; i < nr; i++) {
		if (!head[i])
			continue;
		s3_request_init(&rq[i], "HEAD", st3(t)->bucket, keys[i].buf);
		rqs[n++] = &rq[i];
	}
	s3_run(st3(t)->c, rqs, n);
	for (i = 0; i < nr; i++) {
		if (head[i]) {
			x[i].ret = rq[i].ret;
			if (!rq[i].ret) {
				x[i].size = rq[i].content_length;
				strbuf_addbuf(&x[i].version_id,
					      &rq[i].version_id);
				parse_meta_hash(&x[i], &rq[i].meta_hash);
			} else if (rq[i].ret != QERR_NOTFOUND) {
				strbuf_addbuf(&x[i].err, &rq[i].err);
			}
			s3_request_release(&rq[i]);
		}
		if (x[i].ret && !ret)
			ret = x[i].ret;
		strbuf_release(&keys[i]);
	}
	free(rq);
	free(rqs);
	free(keys);
	free(head);
	return ret;
}

static int s3t_head(struct transport *t, const char *key, uint64_t *size,
		    struct strbuf *err)
{
	struct transfer x;
	int ret;

	transfer_init(&x, key, -1);
	ret = s3t_stat_many(t, &x, 1);
	if (!ret && size)
		*size = x.size;
	strbuf_addbuf(err, &x.err);
	transfer_release(&x);
	return ret;
}

struct list_cb {
	size_t skip;
	int (*fn)(const char *key, void *payload);
	void *payload;
};

static int each_listed(const char *key, uint64_t size, void *payload)
{
	struct list_cb *l = payload;

	return l->fn(key + l->skip, l->payload);
}

static int s3t_list(struct transport *t, const char *prefix,
		    int (*fn)(const char *key, void *payload), void *payload,
		    struct strbuf *err)
{
	struct strbuf k = STRBUF_INIT;
	struct list_cb l;
	int ret;

	full_key(t, prefix, &k);
	l.skip = strlen(st3(t)->prefix);
	l.fn = fn;
	l.payload = payload;
	ret = s3_list(st3(t)->c, st3(t)->bucket, k.buf, each_listed, &l, err);
	strbuf_release(&k);
	return ret;
}

static int s3t_del(struct transport *t, const char *key, struct strbuf *err)
{
	struct strbuf k = STRBUF_INIT;
	int ret;

	full_key(t, key, &k);
	ret = s3_delete_object(st3(t)->c, st3(t)->bucket, k.buf, err);
	strbuf_release(&k);
	return ret;
}

static void s3t_physical_key(struct transport *t, const char *key,
			     const char *version_id, struct strbuf *out)
{
	struct physical_key pk = PHYSICAL_KEY_INIT;
	struct strbuf k = STRBUF_INIT;

	full_key(t, key, &k);
	pk.scheme = PHYSICAL_KEY_S3;
	pk.bucket = st3(t)->bucket;
	pk.path = k.buf;
	pk.version_id = (char *)version_id;
	physical_key_format(out, &pk);
	strbuf_release(&k);
}

/*
 * Ask the server whether it honours If-None-Match on PUT: write a small
 * object of quire's own with it, twice if need be. A refusal (412) says
 * yes; 501 says no; a second write that is not refused says the server
 * ignores the condition (as some lax servers do), which is a no too.
 */
#define PROBE_KEY ".quire/conditional-writes"
static int s3t_conditional(struct transport *t, struct strbuf *err)
{
	static const char body[] = "quire checks here whether this server "
				   "refuses to overwrite (If-None-Match)\n";
	struct s3_transport *s = st3(t);
	struct strbuf k = STRBUF_INIT;
	int ret = 0, i;

	full_key(t, PROBE_KEY, &k);
	for (i = 0; i < 2; i++) {
		ret = s3_put_small(s->c, s->bucket, k.buf, body,
				   sizeof(body) - 1, NULL, 1, err);
		if (ret == QERR_STALE || ret == QERR_USAGE)
			break;
		if (ret)
			goto out;
	}
	strbuf_reset(err);
	if (ret == QERR_USAGE)
		s3_no_conditional_put();	/* 501: no need to ask again */
	ret = ret == QERR_STALE;
out:
	strbuf_release(&k);
	return ret;
}

static void s3t_free(struct transport *t)
{
	struct s3_transport *s = (struct s3_transport *)t;

	free(s->bucket);
	free(s->prefix);
}

static const struct transport_ops s3_ops = {
	s3t_get, s3t_put, s3t_put_if, s3t_head, s3t_list, s3t_del,
	s3t_physical_key, s3t_get_many, s3t_put_many, s3t_stat_many,
	s3t_conditional, s3t_free,
};

int transport_s3_open(const char *url, unsigned flags,
		      struct transport **out, struct strbuf *err)
{
	struct strbuf bucket = STRBUF_INIT, prefix = STRBUF_INIT;
	struct s3_transport *s;
	struct s3_client *c;
	int ret;

	ret = s3_url_parse(url, &bucket, &prefix, err);
	if (ret)
		goto fail;
	c = s3_client_get(err);
	if (!c) {
		ret = QERR_USAGE;
		goto fail;
	}
	ret = s3_bucket_versioning(c, bucket.buf, err);
	if (ret < 0)
		goto fail;
	s = xcalloc(1, sizeof(*s));
	s->t.ops = &s3_ops;
	s->t.versioned = ret;
	s->t.conditional = -1;
	s->t.put_paths = 1;
	s->c = c;
	s->pid = getpid();
	s->thread = s3_thread_serial();
	s->bucket = strbuf_detach(&bucket, NULL);
	s->prefix = strbuf_detach(&prefix, NULL);
	strbuf_addf(&bucket, "s3://%s/%s", s->bucket, s->prefix);
	if (bucket.buf[bucket.len - 1] == '/')
		strbuf_setlen(&bucket, bucket.len - 1);
	s->t.url = strbuf_detach(&bucket, NULL);
	*out = &s->t;
	return 0;
fail:
	strbuf_release(&bucket);
	strbuf_release(&prefix);
	return ret;
}
