#include "quire-compat.h"
#include "diff.h"
#include "json-out.h"
#include "index-db.h"
#include "logical-key.h"

struct manifest_stream {
	struct entry_stream s;
	struct manifest_reader r;
	int opened;
};

static int manifest_next(struct entry_stream *s, struct manifest_entry *e,
			 struct strbuf *err)
{
	struct manifest_stream *m = (struct manifest_stream *)s;
	int ret;

	do {
		ret = manifest_reader_next(&m->r, e, err);
	} while (ret > 0 && e->is_dir);
	return ret;
}

static int manifest_next_shared(struct entry_stream *s,
				const struct manifest_entry **e,
				struct strbuf *err)
{
	struct manifest_stream *m = (struct manifest_stream *)s;
	int ret;

	do {
		ret = manifest_reader_next_shared(&m->r, e, err);
	} while (ret > 0 && (*e)->is_dir);
	return ret;
}

static void manifest_free(struct entry_stream *s)
{
	struct manifest_stream *m = (struct manifest_stream *)s;

	manifest_reader_release(&m->r);
	free(m);
}

struct entry_stream *entry_stream_manifest(FILE *fp, const char *name,
					   struct strbuf *err)
{
	struct manifest_stream *m = xcalloc(1, sizeof(*m));

	m->s.next = manifest_next;
	m->s.next_shared = manifest_next_shared;
	m->s.free = manifest_free;
	if (manifest_reader_open(&m->r, fp, name, 0, err) < 0) {
		manifest_free(&m->s);
		return NULL;
	}
	m->s.meta = m->r.meta;
	return &m->s;
}

struct index_stream {
	struct entry_stream s;
	struct idx_cursor *c;
	int all;	/* also entries never hashed */
};

static int index_next(struct entry_stream *s, struct manifest_entry *e,
		      struct strbuf *err)
{
	struct index_stream *is = (struct index_stream *)s;
	struct idx_entry ie;
	int ret;

	/* entries never hashed (their file vanished) are not content */
	while ((ret = idx_cursor_next(is->c, &ie)) > 0 && !ie.has_hash &&
	       !is->all)
		idx_entry_release(&ie);
	if (ret <= 0) {
		if (ret < 0)
			strbuf_addstr(err, "cannot read the index");
		return ret;
	}
	manifest_entry_release(e);
	manifest_entry_init(e);
	strbuf_addstr(&e->key, ie.key);
	if (ie.physical)
		strbuf_addstr(&e->physical, ie.physical);
	/* unknown bytes: a size no entry has, so they differ from any */
	e->size = ie.has_hash ? ie.size : UINT64_MAX;
	e->oid = ie.oid;
	e->hash_known = ie.has_hash;
	e->hash = json_new_object();
	json_object_set(e->hash, "type", 4,
			json_new_string(hash_type_name(ie.oid.type),
					strlen(hash_type_name(ie.oid.type))));
	json_object_set(e->hash, "value", 5,
			json_new_string(oid_to_value(&ie.oid),
					strlen(oid_to_value(&ie.oid))));
	ret = json_parse(ie.meta ? ie.meta : "{}",
			 ie.meta ? strlen(ie.meta) : 2, &e->meta, err);
	idx_entry_release(&ie);
	return ret < 0 ? ret : 1;
}

static void index_free(struct entry_stream *s)
{
	struct index_stream *is = (struct index_stream *)s;

	idx_cursor_close(is->c);
	free(is);
}

struct entry_stream *entry_stream_index(struct index_db *idx,
					const char *prefix)
{
	return entry_stream_index_all(idx, prefix, 0);
}

struct entry_stream *entry_stream_index_all(struct index_db *idx,
					    const char *prefix, int all)
{
	struct index_stream *is = xcalloc(1, sizeof(*is));

	is->all = all;
	is->s.next = index_next;
	is->s.free = index_free;
	if (idx_cursor_open(idx, prefix, &is->c) < 0) {
		free(is);
		return NULL;
	}
	return &is->s;
}

void entry_stream_free(struct entry_stream *s)
{
	if (s)
		s->free(s);
}

/* Entries read from lines of the same bytes are equal (see line). */
static int same_line(const struct manifest_entry *a,
		     const struct manifest_entry *b)
{
	return a->line && b->line && a->line_len == b->line_len &&
	       !memcmp(a->line, b->line, a->line_len);
}

int entry_same_bytes(const struct manifest_entry *a,
		     const struct manifest_entry *b)
{
	if (a->size != b->size)
		return 0;
	if (a->hash_known && b->hash_known && a->oid.type == b->oid.type)
		return oideq(&a->oid, &b->oid);
	/* different hash types: compare what was written */
	return json_equal(a->hash, b->hash);
}

/* The next entry of s, lent when s lends, else read into own. */
static int stream_next(struct entry_stream *s, struct manifest_entry *own,
		       const struct manifest_entry **e, struct strbuf *err)
{
	if (s->next_shared)
		return s->next_shared(s, e, err);
	*e = own;
	return s->next(s, own, err);
}

int diff_streams(struct entry_stream *a, struct entry_stream *b,
		 diff_fn *fn, void *payload, struct strbuf *err)
{
	struct manifest_entry own_a, own_b;
	const struct manifest_entry *ea = NULL, *eb = NULL;
	int ra, rb, ret = 0;

	manifest_entry_init(&own_a);
	manifest_entry_init(&own_b);
	ra = stream_next(a, &own_a, &ea, err);
	rb = ra < 0 ? 0 : stream_next(b, &own_b, &eb, err);
	while (!ret && ra >= 0 && rb >= 0 && (ra > 0 || rb > 0)) {
		int cmp;

		if (!ra)
			cmp = 1;
		else if (!rb)
			cmp = -1;
		else
			cmp = logical_key_cmp(ea->key.buf, ea->key.len,
					      eb->key.buf, eb->key.len);
		if (cmp < 0) {
			ret = fn(DIFF_DELETED, ea, NULL, payload);
			ra = stream_next(a, &own_a, &ea, err);
		} else if (cmp > 0) {
			ret = fn(DIFF_ADDED, NULL, eb, payload);
			rb = stream_next(b, &own_b, &eb, err);
		} else {
			if (same_line(ea, eb))
				ret = 0;	/* nothing changed */
			else if (!entry_same_bytes(ea, eb))
				ret = fn(DIFF_MODIFIED, ea, eb, payload);
			else if (!json_equal(ea->meta, eb->meta))
				ret = fn(DIFF_META, ea, eb, payload);
			ra = stream_next(a, &own_a, &ea, err);
			rb = stream_next(b, &own_b, &eb, err);
		}
	}
	if (!ret && (ra < 0 || rb < 0))
		ret = ra < 0 ? ra : rb;
	manifest_entry_release(&own_a);
	manifest_entry_release(&own_b);
	return ret;
}

const char *diff_kind_name(enum diff_kind kind)
{
	static const char *const word[] = {
		"added", "deleted", "modified", "metadata",
	};

	return word[kind];
}

struct json *diff_change_json(enum diff_kind kind, const struct strbuf *key,
			      const struct manifest_entry *a,
			      const struct manifest_entry *b)
{
	struct json *c = json_new_object();

	json_set(c, "status", json_str(diff_kind_name(kind)));
	json_set(c, "logical_key", key ?
		 json_new_string(key->buf, key->len) : json_new_null());
	json_set(c, "old_size", a ? json_new_uint(a->size) : json_new_null());
	json_set(c, "new_size", b ? json_new_uint(b->size) : json_new_null());
	return c;
}
