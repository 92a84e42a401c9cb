#include "quire-compat.h"
#include "manifest.h"
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
		      struct strbuf *err)
{
	const struct json *type, *value;
	enum hash_type t;

	if (!e->hash || e->hash->type != JSON_OBJECT) {
		strbuf_addstr(err, "missing \"hash\" object; every entry "
			      "needs a hash");
		return QERR_CORRUPT;
	}
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

/* Detach the value of key from obj (leaving null behind); caller frees. */
static struct json *take_member(struct json *obj, const char *key)
{
	size_t i, len = strlen(key);

	for (i = 0; i < obj->u.obj.nr; i++) {
		struct json_member *m = &obj->u.obj.m[i];
		struct json *v;

		if (m->key_len != len || memcmp(m->key, key, len))
			continue;
		v = m->value;
		m->value = json_new_null();
		return v;
	}
	return NULL;
}

int manifest_parse_entry(const char *line, size_t len, unsigned flags,
			 struct manifest_entry *e, struct strbuf *err)
{
	struct json *obj = NULL, *lk, *pks, *meta;
	struct physical_key pk = PHYSICAL_KEY_INIT;
	int ret = QERR_CORRUPT;

	entry_clear(e);
	if (json_parse(line, len, &obj, err) < 0)
		return QERR_CORRUPT;
	if (obj->type != JSON_OBJECT) {
		strbuf_addstr(err, "an entry must be a JSON object");
		goto out;
	}
	lk = json_object_get(obj, "logical_key");
	if (!lk) {
		strbuf_addstr(err, "missing \"logical_key\"");
		goto out;
	}
	if (lk->type != JSON_STRING) {
		strbuf_addstr(err, "\"logical_key\" must be a string");
		goto out;
	}
	strbuf_add(&e->key, lk->u.str.s, lk->u.str.len);

	meta = take_member(obj, "meta");
	pks = json_object_get(obj, "physical_keys");
	if (!pks || !json_truthy(pks)) {
		/* folder metadata: quilt3 keeps it as the folder's user_meta */
		e->is_dir = 1;
		e->meta = meta ? meta : json_new_null();
		if (!e->key.len || e->key.buf[e->key.len - 1] != '/') {
			strbuf_addstr(err, "an entry without \"physical_keys\" "
				      "is folder metadata and needs a "
				      "logical_key ending in '/'");
			goto out;
		}
		if (!(flags & MANIFEST_READ_LAX) &&
		    logical_key_check(e->key.buf, e->key.len - 1, 0, err) < 0)
			goto out;
		ret = 0;
		goto out;
	}
	e->meta = (meta && json_truthy(meta)) ? meta : json_new_object();
	if (meta && e->meta != meta)
		json_free(meta);
	if (!(flags & MANIFEST_READ_LAX) && e->meta->type != JSON_OBJECT) {
		strbuf_addstr(err, "\"meta\" must be a JSON object");
		goto out;
	}
	if (!(flags & MANIFEST_READ_LAX) &&
	    logical_key_check(e->key.buf, e->key.len, 0, err) < 0)
		goto out;
	if (pks->type != JSON_ARRAY || pks->u.arr.v[0]->type != JSON_STRING) {
		strbuf_addstr(err, "\"physical_keys\" must be a list of "
			      "strings");
		goto out;
	}
	if (physical_key_parse(&pk, pks->u.arr.v[0]->u.str.s,
			       pks->u.arr.v[0]->u.str.len, err) < 0)
		goto out;
	physical_key_format(&e->physical, &pk);
	if (parse_size(json_object_get(obj, "size"), &e->size) < 0) {
		strbuf_addstr(err, "\"size\" must be a non-negative integer");
		goto out;
	}
	e->hash = take_member(obj, "hash");
	ret = parse_hash(e, flags, err);
out:
	physical_key_release(&pk);
	json_free(obj);
	return ret;
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
	int ret = next_line(r, err);

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

void manifest_reader_release(struct manifest_reader *r)
{
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

void manifest_format_entry(struct strbuf *out, const struct manifest_entry *e)
{
	strbuf_addstr(out, "{\"logical_key\": ");
	json_write_string_python(out, e->key.buf, e->key.len);
	if (e->is_dir) {
		strbuf_addstr(out, ", \"meta\": ");
		json_write_python(out, e->meta);
		strbuf_addch(out, '}');
		return;
	}
	strbuf_addstr(out, ", \"physical_keys\": [");
	json_write_string_python(out, e->physical.buf, e->physical.len);
	strbuf_addf(out, "], \"size\": %" PRIu64 ", \"hash\": ", e->size);
	json_write_python(out, e->hash);
	strbuf_addstr(out, ", \"meta\": ");
	json_write_python(out, e->meta);
	strbuf_addch(out, '}');
}

void manifest_format_hash_part(struct strbuf *out,
			       const struct manifest_entry *e)
{
	strbuf_addstr(out, "{\"hash\":");
	json_write_canonical(out, e->hash);
	strbuf_addstr(out, ",\"logical_key\":");
	json_write_string_canonical(out, e->key.buf, e->key.len);
	strbuf_addstr(out, ",\"meta\":");
	json_write_canonical(out, e->meta);
	strbuf_addf(out, ",\"size\":%" PRIu64 "}", e->size);
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
