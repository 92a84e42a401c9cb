#include "quire-compat.h"
#include "s3/object.h"
#include "chunked-hash.h"
#include "s3/xml.h"

/* Does the server honour If-None-Match on PUT? 1 yes, -1 no, 0 unknown. */
static int conditional_put;

void s3_no_conditional_put(void)
{
	conditional_put = -1;
}

void s3_object_init(struct s3_object *o, const char *bucket, const char *key,
		    int fd)
{
	memset(o, 0, sizeof(*o));
	o->bucket = bucket;
	o->key = key;
	o->fd = fd;
	o->size = S3_SIZE_UNKNOWN;
	strbuf_init(&o->version_id, 0);
	strbuf_init(&o->meta_hash, 0);
	strbuf_init(&o->etag, 0);
	strbuf_init(&o->err, 0);
}

void s3_object_release(struct s3_object *o)
{
	strbuf_release(&o->version_id);
	strbuf_release(&o->meta_hash);
	strbuf_release(&o->etag);
	strbuf_release(&o->err);
}

void s3_meta_hash(struct strbuf *out, const struct object_id *oid)
{
	strbuf_addf(out, "x-amz-meta-quire-hash: %s:",
		    hash_type_name(oid->type));
	oid_add_value(out, oid);
}

void s3_head_init(struct s3_head *h)
{
	h->size = 0;
	strbuf_init(&h->etag, 0);
	strbuf_init(&h->version_id, 0);
	strbuf_init(&h->meta_hash, 0);
}

void s3_head_release(struct s3_head *h)
{
	strbuf_release(&h->etag);
	strbuf_release(&h->version_id);
	strbuf_release(&h->meta_hash);
}

static void finish(struct s3_object *o, struct s3_request *rq)
{
	o->ret = rq->ret;
	if (rq->ret)
		strbuf_addbuf(&o->err, &rq->err);
}

/* Downloads. */

static int use_ranges(const struct s3_object *o)
{
	return o->size != S3_SIZE_UNKNOWN &&
	       o->size >= 2 * (uint64_t)CHUNKED_HASH_MIN_PART;
}

struct get_part {
	struct s3_request rq;
	struct s3_object *o;
	char range[80];
	const char *headers[2];
	const char *query[3];
};

static void setup_get(struct get_part *p, struct s3_object *o, uint64_t off,
		      uint64_t len)
{
	memset(p, 0, sizeof(*p));
	s3_request_init(&p->rq, "GET", o->bucket, o->key);
	p->o = o;
	p->rq.sink = S3_SINK_FD;
	p->rq.out_fd = o->fd;
	p->rq.out_off = off;
	if (len) {
		snprintf(p->range, sizeof(p->range), "Range: bytes=%" PRIu64
			 "-%" PRIu64, off, off + len - 1);
		p->headers[0] = p->range;
		p->rq.headers = p->headers;
	}
	if (o->version) {
		p->query[0] = "versionId";
		p->query[1] = o->version;
		p->rq.query = p->query;
	}
}

int s3_get_objects(struct s3_client *c, struct s3_object *o, size_t nr)
{
	struct get_part *parts = NULL;
	struct s3_request **rqs;
	size_t n = 0, alloc = 0, i;
	int ret = 0;

	for (i = 0; i < nr; i++) {
		uint64_t part, off;

		o[i].ret = 0;
		if (o[i].range_len) {
			ALLOC_GROW(parts, n + 1, alloc);
			setup_get(&parts[n++], &o[i], o[i].range_off,
				  o[i].range_len);
			continue;
		}
		if (!use_ranges(&o[i])) {
			ALLOC_GROW(parts, n + 1, alloc);
			setup_get(&parts[n++], &o[i], 0, 0);
			continue;
		}
		part = chunked_hash_part_size(o[i].size);
		for (off = 0; off < o[i].size; off += part) {
			uint64_t len = o[i].size - off < part ?
				       o[i].size - off : part;

			ALLOC_GROW(parts, n + 1, alloc);
			setup_get(&parts[n++], &o[i], off, len);
		}
	}
	rqs = xcalloc(n ? n : 1, sizeof(*rqs));
	for (i = 0; i < n; i++) {
		/* headers and query point into the array: fix them up */
		if (parts[i].rq.headers)
			parts[i].rq.headers = parts[i].headers;
		if (parts[i].rq.query)
			parts[i].rq.query = parts[i].query;
		parts[i].headers[0] = parts[i].range[0] ? parts[i].range :
				      NULL;
		rqs[i] = &parts[i].rq;
	}
	s3_run(c, rqs, n);
	for (i = 0; i < n; i++) {
		struct s3_object *ob = parts[i].o;

		if (parts[i].rq.ret && !ob->ret)
			finish(ob, &parts[i].rq);
		if (!ob->meta_hash.len)
			strbuf_addbuf(&ob->meta_hash, &parts[i].rq.meta_hash);
		if (!parts[i].range[0])
			strbuf_addbuf(&ob->etag, &parts[i].rq.etag);
		s3_request_release(&parts[i].rq);
	}
	for (i = 0; i < nr; i++)
		if (o[i].ret && !ret)
			ret = o[i].ret;
	free(rqs);
	free(parts);
	return ret;
}

/* Uploads. */

/* got must be o's expected hash; else QERR_CORRUPT, saying what. */
static int check_hash(const struct s3_object *o, const struct object_id *got,
		      const char *what, struct strbuf *err)
{
	if (oideq(got, o->expect))
		return 0;
	strbuf_addf(err, "the bytes for s3://%s/%s hash to %s, not the "
		    "expected %s; %s", o->bucket, o->key, oid_to_value(got),
		    oid_to_value(o->expect), what);
	return QERR_CORRUPT;
}

/* Do the bytes about to be sent in one PUT hash to what is expected? */
static int check_single(struct s3_request *rq, void *payload)
{
	struct s3_object *o = payload;
	struct object_id got;

	if (!o->expect)
		return 0;
	got.type = o->expect->type;
	if (got.type == HASH_SHA2_256_CHUNKED && rq->body_len)
		sha256_buf(rq->body_sha256, HASH_RAWSZ, got.hash);
	else
		memcpy(got.hash, rq->body_sha256, HASH_RAWSZ);
	return check_hash(o, &got, "nothing was uploaded", &rq->err);
}

struct put_one {
	struct s3_request rq;
	struct strbuf meta;
	const char *headers[3];
};

static void setup_put(struct put_one *p, struct s3_object *o, int cond)
{
	size_t h = 0;

	s3_request_init(&p->rq, "PUT", o->bucket, o->key);
	strbuf_init(&p->meta, 0);
	p->rq.body_fd = o->fd;
	p->rq.body_path = o->path;
	p->rq.body_len = o->size;
	p->rq.check_body = check_single;
	p->rq.check_payload = o;
	if (o->expect) {
		s3_meta_hash(&p->meta, o->expect);
		p->headers[h++] = p->meta.buf;
	}
	if (cond)
		p->headers[h++] = "If-None-Match: *";
	p->headers[h] = NULL;
	p->rq.headers = p->headers;
}

static void release_put(struct put_one *p)
{
	s3_request_release(&p->rq);
	strbuf_release(&p->meta);
}

/* Run single PUTs of the objects in todo[0..n); cond: If-None-Match. */
static void put_singles(struct s3_client *c, struct s3_object **todo,
			size_t n, int cond)
{
	struct put_one *p = xcalloc(n ? n : 1, sizeof(*p));
	struct s3_request **rqs = xcalloc(n ? n : 1, sizeof(*rqs));
	size_t i;

	for (i = 0; i < n; i++) {
		setup_put(&p[i], todo[i], cond);
		rqs[i] = &p[i].rq;
	}
	s3_run(c, rqs, n);
	for (i = 0; i < n; i++) {
		struct s3_object *o = todo[i];

		if (cond && p[i].rq.status == 412) {
			o->ret = QERR_EXISTS;
			strbuf_addf(&o->err, "s3://%s/%s already exists",
				    o->bucket, o->key);
		} else if (cond && p[i].rq.status == 501) {
			o->ret = QERR_USAGE;	/* try again without */
		} else {
			finish(o, &p[i].rq);
			strbuf_addbuf(&o->version_id, &p[i].rq.version_id);
		}
		release_put(&p[i]);
	}
	free(p);
	free(rqs);
}

/* Without conditional PUT: HEAD each, and put only those not there. */
static void put_checked(struct s3_client *c, struct s3_object **todo,
			size_t n)
{
	struct s3_request *h = xcalloc(n ? n : 1, sizeof(*h));
	struct s3_request **rqs = xcalloc(n ? n : 1, sizeof(*rqs));
	struct s3_object **absent = xcalloc(n ? n : 1, sizeof(*absent));
	size_t i, na = 0;

	for (i = 0; i < n; i++) {
		s3_request_init(&h[i], "HEAD", todo[i]->bucket, todo[i]->key);
		rqs[i] = &h[i];
	}
	s3_run(c, rqs, n);
	for (i = 0; i < n; i++) {
		struct s3_object *o = todo[i];

		if (h[i].ret == QERR_NOTFOUND) {
			absent[na++] = o;
		} else if (!h[i].ret) {
			o->ret = QERR_EXISTS;
			strbuf_addf(&o->err, "s3://%s/%s already exists",
				    o->bucket, o->key);
		} else {
			finish(o, &h[i]);
		}
		s3_request_release(&h[i]);
	}
	put_singles(c, absent, na, 0);
	free(h);
	free(rqs);
	free(absent);
}

static void put_many_single(struct s3_client *c, struct s3_object **todo,
			    size_t n)
{
	struct s3_object **plain = xcalloc(n ? n : 1, sizeof(*plain)),
			 **cond = xcalloc(n ? n : 1, sizeof(*cond));
	size_t i, np = 0, nc = 0, start = 0, nc2;

	for (i = 0; i < n; i++) {
		if (todo[i]->if_absent)
			cond[nc++] = todo[i];
		else
			plain[np++] = todo[i];
	}
	put_singles(c, plain, np, 0);
	/* learn from one request whether the server does If-None-Match */
	if (nc && !conditional_put) {
		put_singles(c, cond, 1, 1);
		conditional_put = cond[0]->ret == QERR_USAGE ? -1 : 1;
		start = conditional_put > 0;
		if (conditional_put < 0)
			cond[0]->ret = 0;
	}
	if (conditional_put > 0) {
		put_singles(c, cond + start, nc - start, 1);
	} else {
		/* what the caller just found absent is not looked at again */
		for (i = start, np = 0, nc2 = 0; i < nc; i++) {
			if (cond[i]->seen_absent)
				plain[np++] = cond[i];
			else
				cond[start + nc2++] = cond[i];
		}
		put_singles(c, plain, np, 0);
		put_checked(c, cond + start, nc2);
	}
	free(plain);
	free(cond);
}

/* Multipart: one large object, its parts in parallel. */

static void initiate_element(const char *path, const char *text, size_t len,
			     void *payload)
{
	struct strbuf *id = payload;

	if (!strcmp(path, "InitiateMultipartUploadResult/UploadId"))
		strbuf_add(id, text, len);
}

static int parse_xml(struct strbuf *body, xml_element_fn fn, void *payload,
		     struct s3_object *o)
{
	struct xml_stream *x = xml_stream_new(fn, payload);
	int ret = xml_stream_feed(x, body->buf, body->len, 1);

	if (ret < 0)
		strbuf_addf(&o->err, "s3://%s/%s: the server's answer is not "
			    "XML (%s)", o->bucket, o->key, xml_stream_error(x));
	xml_stream_free(x);
	return ret < 0 ? QERR_GENERIC : 0;
}

static int initiate(struct s3_client *c, struct s3_object *o,
		    struct strbuf *id)
{
	struct s3_request rq;
	struct strbuf body = STRBUF_INIT, meta = STRBUF_INIT;
	const char *query[] = { "uploads", "", NULL };
	const char *headers[2] = { NULL, NULL };
	int ret;

	s3_request_init(&rq, "POST", o->bucket, o->key);
	rq.query = query;
	if (o->expect) {
		s3_meta_hash(&meta, o->expect);
		headers[0] = meta.buf;
		rq.headers = headers;
	}
	rq.sink = S3_SINK_BUF;
	rq.out = &body;
	rq.out_max = 1 << 20;
	ret = s3_run1(c, &rq);
	if (ret)
		finish(o, &rq);
	else
		ret = parse_xml(&body, initiate_element, id, o);
	if (!ret && !id->len) {
		strbuf_addf(&o->err, "s3://%s/%s: no UploadId in the answer to "
			    "starting a multipart upload", o->bucket, o->key);
		ret = QERR_GENERIC;
	}
	s3_request_release(&rq);
	strbuf_release(&body);
	strbuf_release(&meta);
	return ret;
}

static void abort_upload(struct s3_client *c, struct s3_object *o,
			 const char *id)
{
	struct s3_request rq;
	const char *query[] = { "uploadId", id, NULL };

	s3_request_init(&rq, "DELETE", o->bucket, o->key);
	rq.query = query;
	s3_run1(c, &rq);
	s3_request_release(&rq);
}

struct complete_answer {
	struct strbuf code, message;
	int ok;
};

static void complete_element(const char *path, const char *text, size_t len,
			     void *payload)
{
	struct complete_answer *a = payload;

	if (!strcmp(path, "CompleteMultipartUploadResult"))
		a->ok = 1;
	else if (!strcmp(path, "Error/Code"))
		strbuf_add(&a->code, text, len);
	else if (!strcmp(path, "Error/Message"))
		strbuf_add(&a->message, text, len);
}

static int complete(struct s3_client *c, struct s3_object *o, const char *id,
		    struct s3_request *parts, size_t n)
{
	struct s3_request rq;
	struct strbuf xml = STRBUF_INIT, body = STRBUF_INIT;
	struct complete_answer a = { STRBUF_INIT, STRBUF_INIT, 0 };
	const char *query[] = { "uploadId", id, NULL };
	size_t i;
	int ret;

	strbuf_addstr(&xml, "<CompleteMultipartUpload>");
	for (i = 0; i < n; i++) {
		strbuf_addf(&xml, "<Part><PartNumber>%zu</PartNumber><ETag>",
			    i + 1);
		xml_escape(&xml, parts[i].etag.buf);
		strbuf_addstr(&xml, "</ETag></Part>");
	}
	strbuf_addstr(&xml, "</CompleteMultipartUpload>");
	s3_request_init(&rq, "POST", o->bucket, o->key);
	rq.query = query;
	rq.data = xml.buf;
	rq.body_len = xml.len;
	rq.sink = S3_SINK_BUF;
	rq.out = &body;
	rq.out_max = 1 << 20;
	ret = s3_run1(c, &rq);
	if (ret)
		finish(o, &rq);
	/* S3 may answer 200 and put the error in the body */
	if (!ret)
		ret = parse_xml(&body, complete_element, &a, o);
	if (!ret && !a.ok) {
		strbuf_addf(&o->err, "completing the upload of s3://%s/%s "
			    "failed: %s (%s)", o->bucket, o->key,
			    a.code.len ? a.code.buf : "no answer",
			    a.message.buf);
		ret = QERR_GENERIC;
	}
	if (!ret)
		strbuf_addbuf(&o->version_id, &rq.version_id);
	s3_request_release(&rq);
	strbuf_release(&xml);
	strbuf_release(&body);
	strbuf_release(&a.code);
	strbuf_release(&a.message);
	return ret;
}

/* The parts' digests must give the expected sha2-256-chunked hash. */
static int check_parts(struct s3_object *o, struct s3_request *parts,
		       size_t n)
{
	struct hash_ctx ctx = HASH_CTX_INIT;
	struct object_id got;
	size_t i;

	if (!o->expect)
		return 0;
	got.type = o->expect->type;
	if (got.type != HASH_SHA2_256_CHUNKED) {
		/* a whole-file SHA-256: hash the file itself */
		struct strbuf why = STRBUF_INIT;
		int ret = hash_fd(o->fd, o->key, got.type, &got, &why);

		strbuf_release(&why);
		if (ret)
			memset(got.hash, 0, sizeof(got.hash));
	} else {
		hash_ctx_init(&ctx);
		for (i = 0; i < n; i++)
			hash_ctx_update(&ctx, parts[i].body_sha256,
					HASH_RAWSZ);
		hash_ctx_final(&ctx, got.hash);
		hash_ctx_release(&ctx);
	}
	return check_hash(o, &got, "the upload was abandoned", &o->err);
}

static int put_multipart(struct s3_client *c, struct s3_object *o)
{
	struct strbuf id = STRBUF_INIT;
	uint64_t part = chunked_hash_part_size(o->size), off;
	size_t n = (o->size + part - 1) / part, i;
	struct s3_request *parts;
	struct s3_request **rqs;
	char (*num)[24];
	const char **query;
	int ret;

	if (o->if_absent && !o->seen_absent) {
		struct s3_head h;

		s3_head_init(&h);
		ret = s3_head_object(c, o->bucket, o->key, NULL, &h, &o->err);
		s3_head_release(&h);
		if (!ret) {
			strbuf_addf(&o->err, "s3://%s/%s already exists",
				    o->bucket, o->key);
			return QERR_EXISTS;
		}
		if (ret != QERR_NOTFOUND)
			return ret;
		strbuf_reset(&o->err);
	}
	ret = initiate(c, o, &id);
	if (ret)
		goto out;
	parts = xcalloc(n, sizeof(*parts));
	rqs = xcalloc(n, sizeof(*rqs));
	num = xcalloc(n, sizeof(*num));
	query = xcalloc(n * 5, sizeof(*query));
	for (i = 0, off = 0; i < n; i++, off += part) {
		s3_request_init(&parts[i], "PUT", o->bucket, o->key);
		snprintf(num[i], sizeof(num[i]), "%zu", i + 1);
		query[5 * i] = "partNumber";
		query[5 * i + 1] = num[i];
		query[5 * i + 2] = "uploadId";
		query[5 * i + 3] = id.buf;
		parts[i].query = &query[5 * i];
		parts[i].body_fd = o->fd;
		parts[i].body_off = off;
		parts[i].body_len = o->size - off < part ? o->size - off : part;
		rqs[i] = &parts[i];
	}
	ret = s3_run(c, rqs, n);
	for (i = 0; ret && i < n; i++)
		if (parts[i].ret) {
			finish(o, &parts[i]);
			break;
		}
	if (!ret)
		ret = check_parts(o, parts, n);
	if (!ret)
		ret = complete(c, o, id.buf, parts, n);
	if (ret)
		abort_upload(c, o, id.buf);
	for (i = 0; i < n; i++)
		s3_request_release(&parts[i]);
	free(parts);
	free(rqs);
	free(num);
	free(query);
out:
	strbuf_release(&id);
	return ret;
}

/* The size of o's bytes, when not given; o->ret says if it failed. */
static void size_of(struct s3_object *o)
{
	struct stat st;

	if (o->size != S3_SIZE_UNKNOWN)
		return;
	if (o->fd < 0 && !o->path)
		BUG("an upload without bytes");
	if (o->fd >= 0 ? fstat(o->fd, &st) : stat(o->path, &st)) {
		strbuf_addf(&o->err, "cannot read the bytes to send for "
			    "s3://%s/%s: %s", o->bucket, o->key,
			    strerror(errno));
		o->ret = QERR_GENERIC;
		return;
	}
	o->size = st.st_size;
}

/* A large object from its path: the file is open while it is sent. */
static int put_large(struct s3_client *c, struct s3_object *o)
{
	int ret;

	if (o->fd >= 0)
		return put_multipart(c, o);
	o->fd = open(o->path, O_RDONLY | O_CLOEXEC);
	if (o->fd < 0) {
		strbuf_addf(&o->err, "cannot read the bytes to send for "
			    "s3://%s/%s: %s", o->bucket, o->key,
			    strerror(errno));
		return QERR_GENERIC;
	}
	ret = put_multipart(c, o);
	close(o->fd);
	o->fd = -1;
	return ret;
}

int s3_put_objects(struct s3_client *c, struct s3_object *o, size_t nr)
{
	struct s3_object **small = xcalloc(nr ? nr : 1, sizeof(*small));
	size_t i, ns = 0;
	int ret = 0;

	for (i = 0; i < nr; i++) {
		o[i].ret = 0;
		size_of(&o[i]);
		if (!o[i].ret && o[i].size < CHUNKED_HASH_MIN_PART)
			small[ns++] = &o[i];
	}
	put_many_single(c, small, ns);
	for (i = 0; i < nr; i++)
		if (!o[i].ret && o[i].size >= CHUNKED_HASH_MIN_PART)
			o[i].ret = put_large(c, &o[i]);
	for (i = 0; i < nr; i++)
		if (o[i].ret && !ret)
			ret = o[i].ret;
	free(small);
	return ret;
}

/* Small single requests. */

int s3_head_object(struct s3_client *c, const char *bucket, const char *key,
		   const char *version, struct s3_head *h, struct strbuf *err)
{
	struct s3_request rq;
	const char *query[] = { "versionId", version, NULL };
	int ret;

	s3_request_init(&rq, "HEAD", bucket, key);
	if (version)
		rq.query = query;
	ret = s3_run1(c, &rq);
	if (!ret) {
		h->size = rq.content_length;
		strbuf_addbuf(&h->etag, &rq.etag);
		strbuf_addbuf(&h->version_id, &rq.version_id);
		strbuf_addbuf(&h->meta_hash, &rq.meta_hash);
	} else if (ret != QERR_NOTFOUND) {
		strbuf_addbuf(err, &rq.err);
	}
	s3_request_release(&rq);
	return ret;
}

int s3_get_small(struct s3_client *c, const char *bucket, const char *key,
		 struct strbuf *out, size_t max, struct strbuf *etag,
		 struct strbuf *err)
{
	struct s3_request rq;
	int ret;

	s3_request_init(&rq, "GET", bucket, key);
	rq.sink = S3_SINK_BUF;
	rq.out = out;
	rq.out_max = max;
	ret = s3_run1(c, &rq);
	if (ret && ret != QERR_NOTFOUND)
		strbuf_addbuf(err, &rq.err);
	if (!ret && etag)
		strbuf_addbuf(etag, &rq.etag);
	s3_request_release(&rq);
	return ret;
}

int s3_put_small(struct s3_client *c, const char *bucket, const char *key,
		 const char *data, size_t len, const char *if_match,
		 int if_none_match, struct strbuf *err)
{
	struct s3_request rq;
	struct strbuf m = STRBUF_INIT;
	const char *headers[2] = { NULL, NULL };
	int ret;

	s3_request_init(&rq, "PUT", bucket, key);
	rq.data = data;
	rq.body_len = len;
	if (if_match) {
		strbuf_addf(&m, "If-Match: %s", if_match);
		headers[0] = m.buf;
	} else if (if_none_match) {
		headers[0] = "If-None-Match: *";
	}
	rq.headers = headers;
	ret = s3_run1(c, &rq);
	if (ret)
		strbuf_addbuf(err, &rq.err);
	s3_request_release(&rq);
	strbuf_release(&m);
	return ret;
}

int s3_delete_object(struct s3_client *c, const char *bucket,
		     const char *key, struct strbuf *err)
{
	struct s3_request rq;
	int ret;

	s3_request_init(&rq, "DELETE", bucket, key);
	ret = s3_run1(c, &rq);
	if (ret && ret != QERR_NOTFOUND)
		strbuf_addbuf(err, &rq.err);
	s3_request_release(&rq);
	return ret == QERR_NOTFOUND ? 0 : ret;
}

/* Listing. */

struct lister {
	struct xml_stream *x;
	struct strbuf keys;	/* this page's keys, NUL-terminated each */
	uint64_t *sizes;
	size_t nr, alloc;
	struct strbuf key, token;
	uint64_t size;
	int truncated;
};

static void list_element(const char *path, const char *text, size_t len,
			 void *payload)
{
	struct lister *l = payload;

	if (!strcmp(path, "ListBucketResult/Contents/Key")) {
		strbuf_reset(&l->key);
		strbuf_add(&l->key, text, len);
	} else if (!strcmp(path, "ListBucketResult/Contents/Size")) {
		char buf[32];

		snprintf(buf, sizeof(buf), "%.*s", (int)(len < 31 ? len : 31),
			 text);
		if (parse_u64(buf, &l->size))
			l->size = 0;
	} else if (!strcmp(path, "ListBucketResult/Contents")) {
		strbuf_add(&l->keys, l->key.buf, l->key.len + 1);
		ALLOC_GROW(l->sizes, l->nr + 1, l->alloc);
		l->sizes[l->nr++] = l->size;
		l->size = 0;
	} else if (!strcmp(path, "ListBucketResult/NextContinuationToken")) {
		strbuf_reset(&l->token);
		strbuf_add(&l->token, text, len);
	} else if (!strcmp(path, "ListBucketResult/IsTruncated")) {
		l->truncated = len == 4 && !strncmp(text, "true", 4);
	}
}

static size_t list_data(const char *p, size_t n, void *payload)
{
	struct lister *l = payload;

	return xml_stream_feed(l->x, p, n, 0) ? 0 : n;
}

static void list_reset(void *payload)
{
	struct lister *l = payload;

	xml_stream_reset(l->x);
	l->truncated = 0;
	l->nr = 0;
	strbuf_reset(&l->keys);
	strbuf_reset(&l->token);
}

/*
 * One page of the listing: parsed as it arrives, kept until it ends. It
 * goes on from token, or else starts after the key start_after ("": from
 * the first key below prefix).
 */
static int list_page(struct s3_client *c, const char *bucket,
		     const char *prefix, const char *token,
		     const char *start_after, struct lister *l,
		     struct strbuf *err)
{
	struct s3_request rq;
	const char *query[7] = { "list-type", "2", "prefix", prefix, NULL };
	int ret;

	if (*token) {
		query[4] = "continuation-token";
		query[5] = token;
	} else if (*start_after) {
		query[4] = "start-after";
		query[5] = start_after;
	}
	s3_request_init(&rq, "GET", bucket, NULL);
	rq.query = query;
	rq.sink = S3_SINK_FN;
	rq.on_data = list_data;
	rq.on_reset = list_reset;
	rq.payload = l;
	list_reset(l);
	ret = s3_run1(c, &rq);
	if (!ret && xml_stream_feed(l->x, "", 0, 1)) {
		strbuf_addf(err, "listing s3://%s/%s: the answer is not XML "
			    "(%s)", bucket, prefix, xml_stream_error(l->x));
		ret = QERR_GENERIC;
	} else if (ret) {
		strbuf_addbuf(err, &rq.err);
	}
	s3_request_release(&rq);
	return ret;
}

int s3_list(struct s3_client *c, const char *bucket, const char *prefix,
	    int (*fn)(const char *key, uint64_t size, void *payload),
	    void *payload, struct strbuf *err)
{
	struct lister l = { 0 };
	struct strbuf token = STRBUF_INIT;
	int ret = 0, stop = 0;

	strbuf_init(&l.keys, 0);
	strbuf_init(&l.key, 0);
	strbuf_init(&l.token, 0);
	l.x = xml_stream_new(list_element, &l);
	do {
		size_t i, off;

		ret = list_page(c, bucket, prefix, token.buf, "", &l, err);
		/* callbacks may make requests of their own: not in a page */
		for (i = 0, off = 0; !ret && !stop && i < l.nr; i++) {
			stop = fn(l.keys.buf + off, l.sizes[i], payload);
			off += strlen(l.keys.buf + off) + 1;
		}
		strbuf_reset(&token);
		strbuf_addbuf(&token, &l.token);
	} while (!ret && !stop && l.truncated && token.len);
	xml_stream_free(l.x);
	strbuf_release(&l.keys);
	free(l.sizes);
	strbuf_release(&l.key);
	strbuf_release(&l.token);
	strbuf_release(&token);
	return ret ? ret : stop;
}

/*
 * Which keys exist, from listings. A page costs a server about as much as
 * fifteen HEADs (Swift: 60 ms of CPU for 1,000 keys, 4 ms for a HEAD),
 * so the listing goes on only while its pages answer at least this many
 * of the keys sought each, on average.
 */
#define LIST_KEYS_PER_PAGE 16

static int cmp_key_ptr(const void *a, const void *b)
{
	const struct s3_key *const *x = a, *const *y = b;

	return strcmp((*x)->key, (*y)->key);
}

/* The folder (up to a '/') that all of the sorted s[0..nr) are in. */
static void common_folder(struct s3_key **s, size_t nr, struct strbuf *out)
{
	const char *a = s[0]->key, *b = s[nr - 1]->key;
	size_t i, slash = 0;

	for (i = 0; a[i] && a[i] == b[i]; i++)
		if (a[i] == '/')
			slash = i + 1;
	strbuf_add(out, a, slash);
}

/*
 * Where a listing that is to show key starts: after key without its last
 * character (a whole UTF-8 one), or after *last when that is further on.
 */
static void start_before(const char *key, const struct strbuf *last,
			 struct strbuf *out)
{
	size_t len = strlen(key);

	if (len)
		len--;
	while (len && ((unsigned char)key[len] & 0xc0) == 0x80)
		len--;
	strbuf_reset(out);
	strbuf_add(out, key, len);
	if (strcmp(last->buf, out->buf) > 0) {
		strbuf_reset(out);
		strbuf_addbuf(out, last);
	}
}

int s3_list_keys(struct s3_client *c, const char *bucket, struct s3_key *k,
		 size_t nr, struct strbuf *err)
{
	struct lister l = { 0 };
	struct s3_key **s;
	struct strbuf folder = STRBUF_INIT, after = STRBUF_INIT,
		      last = STRBUF_INIT;
	size_t i = 0, pages = 0, j, off;
	int ret = 0;

	if (!nr)
		return 0;
	s = xcalloc(nr, sizeof(*s));
	for (j = 0; j < nr; j++) {
		k[j].state = S3_KEY_UNKNOWN;
		s[j] = &k[j];
	}
	QSORT(s, nr, cmp_key_ptr);
	common_folder(s, nr, &folder);
	strbuf_init(&l.keys, 0);
	strbuf_init(&l.key, 0);
	strbuf_init(&l.token, 0);
	l.x = xml_stream_new(list_element, &l);
	/*
	 * A merge of two sorted lists. Each page starts just before the
	 * next key sought, so stretches of other keys are skipped, not
	 * read; every key sought up to the last one listed is answered.
	 */
	while (i < nr) {
		start_before(s[i]->key, &last, &after);
		ret = list_page(c, bucket, folder.buf, "", after.buf, &l, err);
		if (ret)
			break;
		pages++;
		for (j = 0, off = 0; j < l.nr && i < nr; j++) {
			const char *key = l.keys.buf + off;

			off += strlen(key) + 1;
			while (i < nr && strcmp(s[i]->key, key) < 0)
				s[i++]->state = S3_KEY_ABSENT;
			if (i < nr && !strcmp(s[i]->key, key)) {
				s[i]->state = S3_KEY_LISTED;
				s[i++]->size = l.sizes[j];
			}
		}
		if (!l.truncated) {
			while (i < nr)
				s[i++]->state = S3_KEY_ABSENT;
			break;
		}
		/* a page without keys to go on from, or not worth it */
		if (!l.nr || (pages >= 2 && i < pages * LIST_KEYS_PER_PAGE))
			break;
		strbuf_reset(&last);
		for (j = 0, off = 0; j + 1 < l.nr; j++)
			off += strlen(l.keys.buf + off) + 1;
		strbuf_addstr(&last, l.keys.buf + off);
	}
	xml_stream_free(l.x);
	strbuf_release(&l.keys);
	free(l.sizes);
	strbuf_release(&l.key);
	strbuf_release(&l.token);
	strbuf_release(&folder);
	strbuf_release(&after);
	strbuf_release(&last);
	free(s);
	return ret;
}

static void versioning_element(const char *path, const char *text,
			       size_t len, void *payload)
{
	int *on = payload;

	if (!strcmp(path, "VersioningConfiguration/Status"))
		*on = len == 7 && !strncmp(text, "Enabled", 7);
}

/* Keep the start of an answer, drop the rest. */
static size_t keep_head(const char *p, size_t n, void *payload)
{
	struct strbuf *sb = payload;

	if (sb->len < (1 << 16))
		strbuf_add(sb, p, n);
	return n;
}

static void clear_head(void *payload)
{
	strbuf_reset(payload);
}

int s3_bucket_versioning(struct s3_client *c, const char *bucket,
			 struct strbuf *err)
{
	struct s3_request rq;
	struct strbuf body = STRBUF_INIT;
	const char *query[] = { "versioning", "", NULL };
	struct xml_stream *x;
	int ret, on = 0;

	s3_request_init(&rq, "GET", bucket, NULL);
	rq.query = query;
	rq.sink = S3_SINK_FN;
	rq.on_data = keep_head;
	rq.on_reset = clear_head;
	rq.payload = &body;
	ret = s3_run1(c, &rq);
	if (rq.status == 403 && !strcmp(rq.code.buf, "AccessDenied"))
		ret = 0;	/* may read, may not ask: take it as not */
	if (ret == QERR_NOTFOUND)
		strbuf_addf(err, "the bucket '%s' does not exist (%s)", bucket,
			    rq.code.len ? rq.code.buf : "404");
	else if (ret)
		strbuf_addbuf(err, &rq.err);
	if (!ret) {
		/* a server that answers something else: not versioned */
		x = xml_stream_new(versioning_element, &on);
		xml_stream_feed(x, body.buf, body.len, 1);
		xml_stream_free(x);
		ret = on;
	}
	s3_request_release(&rq);
	strbuf_release(&body);
	return ret;
}
