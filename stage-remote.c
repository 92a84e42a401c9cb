#include "quire-compat.h"
#include "stage-internal.h"
#include "chunked-hash.h"
#include "index-db.h"
#include "logical-key.h"
#include "physical-key.h"
#include "progress.h"
#include "s3/object.h"
#include "workspace.h"

/*
 * Staging objects that stay in S3: each entry records the object's
 * physical key (with its version, in a versioned bucket), size and hash.
 * The hash comes from S3's own SHA-256 checksum when the object has one
 * (a single-part upload's checksum gives sha2-256-chunked directly);
 * otherwise the object is downloaded and hashed as it streams by,
 * without being stored.
 */

#define REMOTE_BATCH 256

struct remote_obj {
	char *key;		/* S3 key */
	char *logical;
	uint64_t size;
	struct object_id oid;
	int has_hash;
	struct strbuf version;
	struct chunked_stream hs;
	struct progress *progress;	/* counts the bytes streamed */
};

struct remote_adder {
	struct workspace *ws;
	struct s3_client *c;
	const char *bucket;
	size_t skip;		/* bytes of the S3 prefix to drop */
	const char *prefix;	/* logical prefix, ends in '/' or empty */
	const char *by;		/* claim keys for this URL; NULL: no */
	uint64_t listed;	/* objects found below a folder */
	struct remote_obj *objs;
	size_t nr, alloc;
	struct stage_stats *stats;
	struct strbuf *err;
	int ret;
	struct progress *progress;
};

/*
 * S3's checksum of a single-part object is the SHA-256 of its bytes;
 * sha2-256-chunked of such an object (under 8 MiB, one part) is the
 * SHA-256 of that digest, and of an empty object the digest itself.
 */
static int from_checksum(struct remote_obj *o, const struct strbuf *sum)
{
	unsigned char raw[HASH_RAWSZ];

	if (!sum->len || strchr(sum->buf, '-') ||
	    o->size >= CHUNKED_HASH_MIN_PART ||
	    base64_decode_exact(sum->buf, sum->len, raw, HASH_RAWSZ))
		return 0;
	o->oid.type = HASH_SHA2_256_CHUNKED;
	if (o->size)
		sha256_buf(raw, HASH_RAWSZ, o->oid.hash);
	else
		memcpy(o->oid.hash, raw, HASH_RAWSZ);
	return 1;
}

static void heads(struct remote_adder *a)
{
	struct s3_request *rq = xcalloc(a->nr, sizeof(*rq));
	struct s3_request **rqs = xcalloc(a->nr, sizeof(*rqs));
	const char *headers[] = { "x-amz-checksum-mode: ENABLED", NULL };
	size_t i;

	for (i = 0; i < a->nr; i++) {
		s3_request_init(&rq[i], "HEAD", a->bucket, a->objs[i].key);
		rq[i].headers = headers;
		rqs[i] = &rq[i];
	}
	s3_run(a->c, rqs, a->nr);
	for (i = 0; i < a->nr; i++) {
		struct remote_obj *o = &a->objs[i];

		if (rq[i].ret && !a->ret) {
			strbuf_addbuf(a->err, &rq[i].err);
			a->ret = rq[i].ret;
		}
		if (!rq[i].ret) {
			o->size = rq[i].content_length;
			strbuf_addbuf(&o->version, &rq[i].version_id);
			o->has_hash = from_checksum(o, &rq[i].checksum);
		}
		s3_request_release(&rq[i]);
	}
	free(rq);
	free(rqs);
}

static size_t hash_data(const char *p, size_t n, void *payload)
{
	struct remote_obj *o = payload;

	chunked_stream_update(&o->hs, p, n);
	progress_add(o->progress, 0, n);
	return n;
}

static void hash_reset(void *payload)
{
	struct remote_obj *o = payload;
	struct object_id unused;

	chunked_stream_final(&o->hs, &unused);
	chunked_stream_init(&o->hs, o->size);
}

/* Download what has no checksum, hashing as the bytes arrive. */
static void stream_hash(struct remote_adder *a)
{
	struct s3_request *rq = xcalloc(a->nr, sizeof(*rq));
	struct s3_request **rqs = xcalloc(a->nr, sizeof(*rqs));
	const char **query = xcalloc(3 * a->nr, sizeof(*query));
	size_t i, n = 0;

	for (i = 0; i < a->nr; i++) {
		struct remote_obj *o = &a->objs[i];

		if (o->has_hash)
			continue;
		s3_request_init(&rq[n], "GET", a->bucket, o->key);
		if (o->version.len) {
			query[3 * n] = "versionId";
			query[3 * n + 1] = o->version.buf;
			rq[n].query = &query[3 * n];
		}
		rq[n].sink = S3_SINK_FN;
		rq[n].on_data = hash_data;
		rq[n].on_reset = hash_reset;
		rq[n].payload = o;
		o->progress = a->progress;
		chunked_stream_init(&o->hs, o->size);
		rqs[n] = &rq[n];
		n++;
	}
	s3_run(a->c, rqs, n);
	for (i = 0; i < n; i++) {
		struct remote_obj *o = rq[i].payload;

		chunked_stream_final(&o->hs, &o->oid);
		if (rq[i].ret && !a->ret) {
			strbuf_addbuf(a->err, &rq[i].err);
			a->ret = rq[i].ret;
		} else if (!rq[i].ret && o->hs.total != o->size && !a->ret) {
			strbuf_addf(a->err, "s3://%s/%s changed while it was "
				    "read (%" PRIu64 " bytes, not %" PRIu64
				    "); add it again", a->bucket, o->key,
				    o->hs.total, o->size);
			a->ret = QERR_STALE;
		}
		o->has_hash = !rq[i].ret;
		a->stats->hashed += !rq[i].ret;
		s3_request_release(&rq[i]);
	}
	free(rq);
	free(rqs);
	free(query);
}

static int record(struct remote_adder *a, struct remote_obj *o)
{
	struct physical_key pk = PHYSICAL_KEY_INIT;
	struct strbuf phys = STRBUF_INIT, other = STRBUF_INIT;
	struct idx_entry e, old;
	int ret;

	if (idx_key_conflict(a->ws->idx, o->logical, &other)) {
		strbuf_addf(a->err, "'%s' would make '%s' both a file and a "
			    "folder; rm or mv one of them first", o->logical,
			    other.buf);
		strbuf_release(&other);
		return QERR_EXISTS;
	}
	strbuf_release(&other);
	pk.scheme = PHYSICAL_KEY_S3;
	pk.bucket = (char *)a->bucket;
	pk.path = o->key;
	pk.version_id = o->version.len ? o->version.buf : NULL;
	physical_key_format(&phys, &pk);
	idx_entry_init(&e);
	if (!idx_get_entry(a->ws->idx, o->logical, &old)) {
		e.meta = old.meta;	/* keep its metadata */
		old.meta = NULL;
		idx_entry_release(&old);
	}
	e.key = o->logical;
	e.physical = phys.buf;
	e.has_hash = 1;
	e.oid = o->oid;
	e.size = o->size;
	ret = idx_put_entry(a->ws->idx, &e, a->err);
	free(e.meta);
	strbuf_release(&phys);
	a->stats->added++;
	progress_add(a->progress, 1, 0);
	return ret;
}

static void flush(struct remote_adder *a)
{
	size_t i;

	if (!a->ret && a->nr)
		heads(a);
	if (!a->ret && a->nr)
		stream_hash(a);
	for (i = 0; i < a->nr; i++) {
		if (!a->ret)
			a->ret = record(a, &a->objs[i]);
		free(a->objs[i].key);
		free(a->objs[i].logical);
		strbuf_release(&a->objs[i].version);
	}
	a->nr = 0;
}

static int queue(struct remote_adder *a, const char *key, const char *logical)
{
	struct remote_obj *o;

	if (logical_key_check(logical, strlen(logical), LOGICAL_KEY_PATH,
			      a->err) < 0) {
		strbuf_addf(a->err, " (from s3://%s/%s)", a->bucket, key);
		return QERR_CORRUPT;
	}
	if (a->by) {
		struct strbuf source = STRBUF_INIT;
		int ret;

		strbuf_addf(&source, "s3://%s/%s", a->bucket, key);
		ret = stage_claim(a->ws, logical, source.buf, a->by, a->err);
		strbuf_release(&source);
		if (ret)
			return ret < 0 ? ret : 0;	/* 1: queued before */
	}
	ALLOC_GROW(a->objs, a->nr + 1, a->alloc);
	o = &a->objs[a->nr++];
	memset(o, 0, sizeof(*o));
	o->key = xstrdup(key);
	o->logical = xstrdup(logical);
	strbuf_init(&o->version, 0);
	if (a->nr >= REMOTE_BATCH)
		flush(a);
	return a->ret;
}

static int each_object(const char *key, uint64_t size, void *payload)
{
	struct remote_adder *a = payload;
	struct strbuf logical = STRBUF_INIT;
	size_t len = strlen(key);
	int ret;

	if (len && key[len - 1] == '/')
		return 0;	/* a "folder" marker object */
	a->listed++;
	strbuf_addf(&logical, "%s%s", a->prefix, key + a->skip);
	ret = queue(a, key, logical.buf);
	strbuf_release(&logical);
	return ret;
}

int stage_add_remote(struct workspace *ws, const char *url,
		     const char *prefix, struct stage_stats *stats,
		     struct strbuf *err)
{
	return stage_add_remote_by(ws, url, prefix, NULL, stats, err);
}

int stage_add_remote_by(struct workspace *ws, const char *url,
			const char *prefix, const char *by,
			struct stage_stats *stats, struct strbuf *err)
{
	struct remote_adder a = { 0 };
	struct strbuf bucket = STRBUF_INIT, key = STRBUF_INIT,
		      lp = STRBUF_INIT, folder = STRBUF_INIT;
	int ret, is_folder = url[strlen(url) - 1] == '/';
	const char *base;

	ret = s3_url_parse(url, &bucket, &key, err);
	if (ret)
		return ret;
	a.c = s3_client_get(err);
	if (!a.c) {
		ret = QERR_USAGE;
		goto out;
	}
	a.ws = ws;
	a.bucket = bucket.buf;
	a.by = by;
	a.stats = stats;
	a.err = err;
	/* s3_url_parse leaves a trailing '/' on what it found */
	strbuf_addbuf(&folder, &key);
	if (key.len)
		strbuf_setlen(&key, key.len - 1);
	base = strrchr(key.buf, '/');
	base = base ? base + 1 : key.buf;
	if (!is_folder && key.len) {
		struct s3_head h;

		s3_head_init(&h);
		ret = s3_head_object(a.c, a.bucket, key.buf, NULL, &h, err);
		s3_head_release(&h);
		if (ret && ret != QERR_NOTFOUND)
			goto out;
		is_folder = ret == QERR_NOTFOUND;
		ret = 0;
	} else {
		is_folder = 1;
	}
	strbuf_addstr(&lp, prefix ? prefix : is_folder ? base : "");
	if (is_folder && lp.len && lp.buf[lp.len - 1] != '/')
		strbuf_addch(&lp, '/');
	a.prefix = lp.buf;
	if (is_folder && by) {
		struct strbuf source = STRBUF_INIT;

		/* the folder's own key: one folder may not take another's */
		strbuf_addf(&source, "s3://%s/%s", a.bucket, folder.buf);
		ret = stage_claim(ws, lp.buf, source.buf, by, err);
		strbuf_release(&source);
		if (ret < 0)
			goto out;
		ret = 0;
	}
	a.progress = progress_start("Adding objects", 0, 0);
	if (is_folder) {
		a.skip = folder.len;
		ret = s3_list(a.c, a.bucket, folder.buf, each_object, &a, err);
		if (!ret && !a.ret && !a.listed) {
			strbuf_addf(err, "nothing to add at %s: no object "
				    "there or below", url);
			ret = QERR_NOTFOUND;
		}
	} else {
		if (!lp.len || lp.buf[lp.len - 1] == '/')
			strbuf_addstr(&lp, base);
		ret = queue(&a, key.buf, lp.buf);
	}
	flush(&a);
	progress_stop(&a.progress);
	if (!ret)
		ret = a.ret;
out:
	free(a.objs);
	strbuf_release(&bucket);
	strbuf_release(&key);
	strbuf_release(&lp);
	strbuf_release(&folder);
	return ret;
}
