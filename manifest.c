#include "quire-compat.h"
#include "manifest.h"
#include "manifest-internal.h"
#include "disk-full.h"
#include "logical-key.h"
#include "physical-key.h"

void manifest_entry_init(struct manifest_entry *e)
{
	memset(e, 0, sizeof(*e));
	strbuf_init(&e->key, 0);
	strbuf_init(&e->physical, 0);
}

void manifest_entry_release(struct manifest_entry *e)
{
	strbuf_release(&e->key);
	strbuf_release(&e->physical);
	json_free(e->hash);
	json_free(e->meta);
	e->hash = e->meta = NULL;
}

static void entry_clear(struct manifest_entry *e)
{
	json_free(e->hash);
	json_free(e->meta);
	e->hash = e->meta = NULL;
	strbuf_reset(&e->key);
	strbuf_reset(&e->physical);
	e->is_dir = e->hash_known = 0;
	e->size = 0;
	e->line = NULL;
	e->line_len = 0;
}

int manifest_check_meta(struct json *meta, struct strbuf *err)
{
	if (meta->type != JSON_OBJECT) {
		strbuf_addstr(err, "package metadata (line 1) must be a JSON "
			      "object");
		return QERR_CORRUPT;
	}
	json_object_remove(meta, "top_hash");	/* obsolete, as in quilt3 */
	return 0;
}

static int parse_size(const struct json *j, uint64_t *out)
{
	if (!j || j->type != JSON_INT || j->u.str.s[0] == '-')
		return -1;
	return parse_u64(j->u.str.s, out);
}

static int parse_hash(struct manifest_entry *e, unsigned flags,
		      unsigned need, struct strbuf *err)
{
	const struct json *type, *value;
	enum hash_type t;

	if (!e->hash || e->hash->type != JSON_OBJECT) {
		strbuf_addstr(err, "missing \"hash\" object; every entry "
			      "needs a hash");
		return QERR_CORRUPT;
	}
	/* lax mode takes any hash object: only decode it for a caller */
	if ((flags & MANIFEST_READ_LAX) && !(need & MANIFEST_NEED_OID))
		return 0;
	type = json_object_get(e->hash, "type");
	value = json_object_get(e->hash, "value");
	if (type && type->type == JSON_STRING && value &&
	    value->type == JSON_STRING &&
	    !hash_type_from_name(type->u.str.s, type->u.str.len, &t) &&
	    t != HASH_MANIFEST &&
	    !oid_from_value(&e->oid, t, value->u.str.s, value->u.str.len)) {
		e->hash_known = 1;
		return 0;
	}
	if (flags & MANIFEST_READ_LAX)
		return 0;
	if (!type || type->type != JSON_STRING || !value ||
	    value->type != JSON_STRING)
		strbuf_addstr(err, "\"hash\" needs string \"type\" and "
			      "\"value\"");
	else if (hash_type_from_name(type->u.str.s, type->u.str.len, &t) ||
		 t == HASH_MANIFEST)
		strbuf_addf(err, "unsupported hash type '%s' (quire knows "
			    "sha2-256-chunked and SHA256)", type->u.str.s);
	else
		strbuf_addf(err, "malformed %s hash value '%s'",
			    hash_type_name(t), value->u.str.s);
	return QERR_CORRUPT;
}

/* The members of an entry line quire looks at (NULL: absent). */
struct entry_members {
	struct json_member *lk, *pks, *size, *hash, *meta;
};

/* One pass over obj's members (which json_parse() left unique). */
static void find_members(struct json *obj, struct entry_members *em)
{
	size_t i;

	memset(em, 0, sizeof(*em));
	for (i = 0; i < obj->u.obj.nr; i++) {
		struct json_member *m = &obj->u.obj.m[i];

#define IS(name) (m->key_len == sizeof(name) - 1 && \
		  !memcmp(m->key, name, sizeof(name) - 1))
		if (IS("logical_key"))
			em->lk = m;
		else if (IS("physical_keys"))
			em->pks = m;
		else if (IS("size"))
			em->size = m;
		else if (IS("hash"))
			em->hash = m;
		else if (IS("meta"))
			em->meta = m;
#undef IS
	}
}

/*
 * The value of m, borrowed; or taken out of the tree (null left behind)
 * for the caller to free.
 */
static struct json *member_value(struct json_member *m, int borrow)
{
	struct json *v;

	if (!m)
		return NULL;
	v = m->value;
	if (!borrow)
		m->value = json_new_null();
	return v;
}

/* Bytes urllib.parse.quote() never escapes: A-Z a-z 0-9 _ . - ~ */
static const unsigned char url_safe_byte[256] = {
	['0' ... '9'] = 1, ['A' ... 'Z'] = 1, ['a' ... 'z'] = 1,
	['_'] = 1, ['.'] = 1, ['-'] = 1, ['~'] = 1,
};

static int url_safe(unsigned char c)
{
	return url_safe_byte[c];
}

/*
 * Is url a physical key that physical_key_parse() takes and
 * physical_key_format() writes back as the same bytes? A quick answer
 * for the usual keys, which spares both; 0 means "ask them".
 *  - s3://B/K or s3://B/K?versionId=V: B without '/', '?', '#', NUL;
 *    K only of url_safe() bytes and '/'; V not empty, url_safe() only.
 *  - file:///P: P only of url_safe() bytes and '/', without empty, "."
 *    or ".." components (so normalizing changes nothing), or just "/".
 */
static int physical_is_normal(const char *url, size_t len)
{
	const char *p = url, *end = url + len;

	if (len > 5 && !memcmp(url, "s3://", 5)) {
		p += 5;
		while (p < end && *p != '/' && *p != '?' && *p != '#' && *p)
			p++;
		if (p == url + 5 || p == end || *p != '/')
			return 0;
		while (p < end && (*p == '/' || url_safe(*p)))
			p++;
		if (p == end)
			return 1;
		if (*p != '?' || end - p <= 11 ||
		    memcmp(p, "?versionId=", 11))
			return 0;
		for (p += 11; p < end; p++)
			if (!url_safe(*p))
				return 0;
		return 1;
	}
	if (len > 7 && !memcmp(url, "file://", 7)) {
		const char *comp;

		p += 7;
		if (p == end || *p != '/')
			return 0;
		if (end - p == 1)
			return 1;
		while (p < end) {
			p++;	/* the '/' */
			comp = p;
			while (p < end && url_safe(*p))
				p++;
			if (p == comp || (p < end && *p != '/'))
				return 0;
			if (*comp == '.' && (p - comp == 1 ||
					     (p - comp == 2 && comp[1] == '.')))
				return 0;
		}
		return 1;
	}
	return 0;
}

/* Check the first physical key and, when need says so, normalize it. */
static int parse_physical(const struct json *url, unsigned need,
			  struct manifest_entry *e, struct strbuf *err)
{
	struct physical_key pk = PHYSICAL_KEY_INIT;

	if (physical_is_normal(url->u.str.s, url->u.str.len)) {
		if (need & MANIFEST_NEED_PHYSICAL)
			strbuf_add(&e->physical, url->u.str.s,
				   url->u.str.len);
		return 0;
	}
	if (physical_key_parse(&pk, url->u.str.s, url->u.str.len, err) < 0)
		return QERR_CORRUPT;
	if (need & MANIFEST_NEED_PHYSICAL)
		physical_key_format(&e->physical, &pk);
	physical_key_release(&pk);
	return 0;
}

/* Read-only stand-ins for a missing meta in borrowed entries. */
static struct json borrowed_null = { JSON_NULL, { { NULL, 0 } } };
static struct json borrowed_empty = { JSON_OBJECT, { { NULL, 0 } } };

/*
 * Fill e from the line parsed into obj. When borrow is set, e's trees
 * are obj's own (in an arena); otherwise e takes hash and meta out of
 * obj, and the caller frees what is left of obj.
 */
static int entry_from_json(struct json *obj, unsigned flags, unsigned need,
			   int borrow, struct manifest_entry *e,
			   struct strbuf *err)
{
	struct entry_members em;
	struct json *lk, *pks, *meta;

	if (obj->type != JSON_OBJECT) {
		strbuf_addstr(err, "an entry must be a JSON object");
		return QERR_CORRUPT;
	}
	find_members(obj, &em);
	lk = em.lk ? em.lk->value : NULL;
	if (!lk) {
		strbuf_addstr(err, "missing \"logical_key\"");
		return QERR_CORRUPT;
	}
	if (lk->type != JSON_STRING) {
		strbuf_addstr(err, "\"logical_key\" must be a string");
		return QERR_CORRUPT;
	}
	strbuf_add(&e->key, lk->u.str.s, lk->u.str.len);

	meta = member_value(em.meta, borrow);
	pks = em.pks ? em.pks->value : NULL;
	if (!pks || !json_truthy(pks)) {
		/* folder metadata: quilt3 keeps it as the folder's user_meta */
		e->is_dir = 1;
		e->meta = meta ? meta :
			  borrow ? &borrowed_null : json_new_null();
		if (!e->key.len || e->key.buf[e->key.len - 1] != '/') {
			strbuf_addstr(err, "an entry without \"physical_keys\" "
				      "is folder metadata and needs a "
				      "logical_key ending in '/'");
			return QERR_CORRUPT;
		}
		if (!(flags & MANIFEST_READ_LAX) &&
		    logical_key_check(e->key.buf, e->key.len - 1, 0, err) < 0)
			return QERR_CORRUPT;
		return 0;
	}
	if (meta && json_truthy(meta))
		e->meta = meta;
	else
		e->meta = borrow ? &borrowed_empty : json_new_object();
	if (meta && e->meta != meta && !borrow)
		json_free(meta);
	if (!(flags & MANIFEST_READ_LAX) && e->meta->type != JSON_OBJECT) {
		strbuf_addstr(err, "\"meta\" must be a JSON object");
		return QERR_CORRUPT;
	}
	if (!(flags & MANIFEST_READ_LAX) &&
	    logical_key_check(e->key.buf, e->key.len, 0, err) < 0)
		return QERR_CORRUPT;
	if (pks->type != JSON_ARRAY || pks->u.arr.v[0]->type != JSON_STRING) {
		strbuf_addstr(err, "\"physical_keys\" must be a list of "
			      "strings");
		return QERR_CORRUPT;
	}
	if (parse_physical(pks->u.arr.v[0], need, e, err) < 0)
		return QERR_CORRUPT;
	if (parse_size(em.size ? em.size->value : NULL, &e->size) < 0) {
		strbuf_addstr(err, "\"size\" must be a non-negative integer");
		return QERR_CORRUPT;
	}
	e->hash = member_value(em.hash, borrow);
	return parse_hash(e, flags, need, err);
}

int manifest_parse_entry(const char *line, size_t len, unsigned flags,
			 struct manifest_entry *e, struct strbuf *err)
{
	struct json *obj = NULL;
	int ret;

	entry_clear(e);
	if (json_parse(line, len, &obj, err) < 0)
		return QERR_CORRUPT;
	ret = entry_from_json(obj, flags, MANIFEST_NEED_ALL, 0, e, err);
	json_free(obj);
	return ret;
}

int manifest_parse_entry_arena(struct json_arena *arena, const char *line,
			       size_t len, unsigned flags, unsigned need,
			       struct manifest_entry *e, struct strbuf *err)
{
	struct json *obj;

	e->hash = e->meta = NULL;	/* borrowed, never freed */
	entry_clear(e);
	if (json_parse_arena(arena, line, len, &obj, err) < 0)
		return QERR_CORRUPT;
	return entry_from_json(obj, flags, need, 1, e, err);
}

static int read_error(struct manifest_reader *r, struct strbuf *err,
		      const char *what)
{
	struct strbuf msg = STRBUF_INIT;

	strbuf_addf(&msg, "%s:%zu: %s", r->name, r->line_nr, what);
	strbuf_addbuf(err, &msg);
	strbuf_release(&msg);
	return QERR_CORRUPT;
}

/* Read the next line; 0, EOF, or QERR_CORRUPT (too long / I/O error). */
static int next_line(struct manifest_reader *r, struct strbuf *err)
{
	int nl = 0;
	int ret = strbuf_getline_max(&r->line, r->fp, MANIFEST_LINE_MAX, &nl);

	if (ret == EOF) {
		if (ferror(r->fp)) {
			strbuf_addf(err, "cannot read '%s': %s", r->name,
				    strerror(errno));
			return QERR_GENERIC;
		}
		return EOF;
	}
	r->line_nr++;
	r->unterminated = !nl;
	if (ret == QERR_CORRUPT)
		return read_error(r, err, "line is longer than 64 MiB");
	return 0;
}

int manifest_reader_open(struct manifest_reader *r, FILE *fp,
			 const char *name, unsigned flags, struct strbuf *err)
{
	struct strbuf why = STRBUF_INIT;
	int ret;

	memset(r, 0, sizeof(*r));
	r->fp = fp;
	r->name = xstrdup(name);
	r->flags = flags;
	strbuf_init(&r->line, 0);
	ret = next_line(r, err);
	if (ret == EOF) {
		strbuf_addf(err, "%s: empty manifest: line 1 must hold the "
			    "package metadata", name);
		return QERR_CORRUPT;
	}
	if (ret < 0)
		return ret;
	if (json_parse(r->line.buf, r->line.len, &r->meta, &why) < 0 ||
	    manifest_check_meta(r->meta, &why) < 0) {
		ret = read_error(r, err, why.buf);
		strbuf_release(&why);
		return ret;
	}
	if (!(flags & MANIFEST_READ_LAX) &&
	    !json_object_get(r->meta, "version")) {
		strbuf_release(&why);
		return read_error(r, err, "package metadata has no "
				  "\"version\" (quilt3 writes \"v0\")");
	}
	strbuf_release(&why);
	return 0;
}

int manifest_read_meta(FILE *fp, const char *name, struct json **meta,
		       struct strbuf *err)
{
	struct manifest_reader r;
	int ret = manifest_reader_open(&r, fp, name, MANIFEST_READ_LAX, err);

	*meta = ret ? NULL : r.meta;
	r.meta = NULL;
	manifest_reader_release(&r);
	return ret;
}

int manifest_reader_next(struct manifest_reader *r, struct manifest_entry *e,
			 struct strbuf *err)
{
	struct strbuf why = STRBUF_INIT;
	int ret;

	if (r->pipe)
		BUG("manifest_reader_next() on a reader read in parallel");
	ret = next_line(r, err);

	if (ret == EOF)
		return 0;
	if (ret < 0)
		return ret;
	if (!r->line.len)
		return read_error(r, err, "empty line (a manifest has one "
				  "JSON object per line)");
	e->line_nr = r->line_nr;
	if (manifest_parse_entry(r->line.buf, r->line.len, r->flags, e,
				 &why) < 0) {
		ret = read_error(r, err, why.buf);
		strbuf_release(&why);
		return ret;
	}
	strbuf_release(&why);
	return 1;
}

int manifest_reader_next_shared(struct manifest_reader *r,
				const struct manifest_entry **e,
				struct strbuf *err)
{
	if (!r->pipe)
		r->pipe = manifest_pipe_start(r, MANIFEST_PIPE_ENTRIES);
	return manifest_pipe_next_entry(r->pipe, e, err);
}

void manifest_reader_release(struct manifest_reader *r)
{
	manifest_pipe_stop(r->pipe);
	r->pipe = NULL;
	free(r->name);
	r->name = NULL;
	strbuf_release(&r->line);
	json_free(r->meta);
	r->meta = NULL;
}

void manifest_format_meta(struct strbuf *out, const struct json *meta)
{
	json_write_python(out, meta);
}

/* strbuf_addf(out, "%" PRIu64, v), without the printf machinery */
static void add_u64(struct strbuf *out, uint64_t v)
{
	char buf[24];
	size_t i = sizeof(buf);

	do {
		buf[--i] = '0' + v % 10;
		v /= 10;
	} while (v);
	strbuf_add(out, buf + i, sizeof(buf) - i);
}

#define ADD_LITERAL(out, s) strbuf_add((out), (s), sizeof(s) - 1)

void manifest_format_entry(struct strbuf *out, const struct manifest_entry *e)
{
	ADD_LITERAL(out, "{\"logical_key\": ");
	json_write_string_python(out, e->key.buf, e->key.len);
	if (e->is_dir) {
		ADD_LITERAL(out, ", \"meta\": ");
		json_write_python(out, e->meta);
		strbuf_addch(out, '}');
		return;
	}
	ADD_LITERAL(out, ", \"physical_keys\": [");
	json_write_string_python(out, e->physical.buf, e->physical.len);
	ADD_LITERAL(out, "], \"size\": ");
	add_u64(out, e->size);
	ADD_LITERAL(out, ", \"hash\": ");
	json_write_python(out, e->hash);
	ADD_LITERAL(out, ", \"meta\": ");
	json_write_python(out, e->meta);
	strbuf_addch(out, '}');
}

void manifest_format_hash_part(struct strbuf *out,
			       const struct manifest_entry *e)
{
	ADD_LITERAL(out, "{\"hash\":");
	json_write_canonical(out, e->hash);
	ADD_LITERAL(out, ",\"logical_key\":");
	json_write_string_canonical(out, e->key.buf, e->key.len);
	ADD_LITERAL(out, ",\"meta\":");
	json_write_canonical(out, e->meta);
	ADD_LITERAL(out, ",\"size\":");
	add_u64(out, e->size);
	strbuf_addch(out, '}');
}

void manifest_record_from_entry(struct manifest_record *rec,
				const struct manifest_entry *e,
				struct strbuf *line, struct strbuf *canon)
{
	strbuf_reset(canon);
	if (line) {
		strbuf_reset(line);
		manifest_format_entry(line, e);
	}
	if (!e->is_dir)
		manifest_format_hash_part(canon, e);
	rec->is_dir = e->is_dir;
	rec->dir_meta_truthy = e->is_dir && json_truthy(e->meta);
	rec->line_nr = e->line_nr;
	rec->key = e->key.buf;
	rec->key_len = e->key.len;
	rec->line = line ? line->buf : "";
	rec->line_len = line ? line->len : 0;
	rec->canon = canon->buf;
	rec->canon_len = canon->len;
}

int manifest_record_cmp(const struct manifest_record *a,
			const struct manifest_record *b)
{
	if (a->is_dir != b->is_dir)
		return a->is_dir ? -1 : 1;
	return logical_key_cmp(a->key, a->key_len, b->key, b->key_len);
}

/* Builder */

#define BUILDER_FLUSH (1u << 20)

static int builder_flush(struct manifest_builder *b)
{
	if (b->out >= 0 && b->obuf.len && !b->write_error &&
	    write_in_full(b->out, b->obuf.buf, b->obuf.len) < 0)
		b->write_error = errno ? errno : EIO;
	strbuf_reset(&b->obuf);
	return b->write_error ? -1 : 0;
}

static void builder_emit(struct manifest_builder *b, const char *line,
			 size_t len)
{
	if (b->out < 0)
		return;
	hash_ctx_update(&b->bytes, line, len);
	hash_ctx_update(&b->bytes, "\n", 1);
	strbuf_add(&b->obuf, line, len);
	strbuf_addch(&b->obuf, '\n');
	if (b->obuf.len >= BUILDER_FLUSH)
		builder_flush(b);
}

void manifest_builder_init(struct manifest_builder *b,
			   const struct json *meta, int out)
{
	struct strbuf sb = STRBUF_INIT;

	memset(b, 0, sizeof(*b));
	b->out = out;
	strbuf_init(&b->obuf, 0);
	strbuf_init(&b->prev_key, 0);
	strbuf_init(&b->pending, 0);
	hash_ctx_init(&b->top);
	hash_ctx_init(&b->bytes);
	json_write_canonical(&sb, meta);
	hash_ctx_update(&b->top, sb.buf, sb.len);
	strbuf_reset(&sb);
	manifest_format_meta(&sb, meta);
	builder_emit(b, sb.buf, sb.len);
	strbuf_release(&sb);
}

static void flush_pending(struct manifest_builder *b)
{
	if (b->have_pending && b->pending_truthy)
		builder_emit(b, b->pending.buf, b->pending.len);
	b->have_pending = 0;
}

static int key_error(struct manifest_builder *b, struct strbuf *err,
		     const char *fmt, const char *key, size_t len, size_t line1,
		     size_t line2)
{
	struct strbuf q = STRBUF_INIT;

	if (b->name)
		strbuf_addf(err, "%s: ", b->name);
	strbuf_add_quoted_name(&q, key, len);
	strbuf_addf(err, fmt, q.buf);
	if (line1 && line2)
		strbuf_addf(err, " (lines %zu and %zu)", line1, line2);
	strbuf_release(&q);
	return QERR_CORRUPT;
}

static int write_error(struct manifest_builder *b, struct strbuf *err)
{
	if (b->out_path)
		strbuf_addf(err, "cannot write '%s': ", b->out_path);
	else
		strbuf_addstr(err, "cannot write the manifest: ");
	disk_full_add_strerror(err, b->write_error, b->out_path);
	return QERR_GENERIC;
}

int manifest_builder_add(struct manifest_builder *b,
			 const struct manifest_record *rec,
			 struct strbuf *err)
{
	int cmp = 0;

	if (b->have_prev) {
		if (b->prev_is_dir != rec->is_dir)
			cmp = b->prev_is_dir ? -1 : 1;
		else
			cmp = logical_key_cmp(b->prev_key.buf,
					      b->prev_key.len, rec->key,
					      rec->key_len);
		if (cmp > 0)
			return MANIFEST_OUT_OF_ORDER;
	}
	if (rec->is_dir) {
		if (!(b->have_pending && cmp == 0))
			flush_pending(b);
		strbuf_reset(&b->pending);
		strbuf_add(&b->pending, rec->line, rec->line_len);
		b->pending_truthy = rec->dir_meta_truthy;
		b->have_pending = 1;
	} else {
		flush_pending(b);
		if (b->have_prev && !b->prev_is_dir) {
			if (!cmp)
				return key_error(b, err, "duplicate logical "
						 "key '%s'", rec->key,
						 rec->key_len, b->prev_line,
						 rec->line_nr);
			if (logical_key_is_parent(b->prev_key.buf,
						  b->prev_key.len, rec->key,
						  rec->key_len))
				return key_error(b, err, "logical key '%s' "
						 "is both a file and a folder",
						 b->prev_key.buf,
						 b->prev_key.len, b->prev_line,
						 rec->line_nr);
		}
		builder_emit(b, rec->line, rec->line_len);
		hash_ctx_update(&b->top, rec->canon, rec->canon_len);
		b->entries++;
	}
	strbuf_reset(&b->prev_key);
	strbuf_add(&b->prev_key, rec->key, rec->key_len);
	b->prev_is_dir = rec->is_dir;
	b->prev_line = rec->line_nr;
	b->have_prev = 1;
	if (b->write_error)
		return write_error(b, err);
	return 0;
}

int manifest_builder_finish(struct manifest_builder *b,
			    struct object_id *top_hash,
			    unsigned char *bytes_sha256, struct strbuf *err)
{
	flush_pending(b);
	if (builder_flush(b) < 0)
		return write_error(b, err);
	top_hash->type = HASH_MANIFEST;
	hash_ctx_final(&b->top, top_hash->hash);
	if (bytes_sha256)
		hash_ctx_final(&b->bytes, bytes_sha256);
	return 0;
}

void manifest_builder_release(struct manifest_builder *b)
{
	strbuf_release(&b->obuf);
	strbuf_release(&b->prev_key);
	strbuf_release(&b->pending);
	hash_ctx_release(&b->top);
	hash_ctx_release(&b->bytes);
}
