#include "quire-compat.h"
#include "package.h"
#include "diff.h"
#include "index-db.h"
#include "manifest.h"
#include "refs/refs.h"
#include "physical-key.h"
#include "progress.h"
#include "tempfile.h"
#include "workspace.h"
#include <time.h>

int package_meta_load(struct workspace *ws, struct json **meta,
		      struct strbuf *err)
{
	struct strbuf sb = STRBUF_INIT;
	int ret = idx_get_meta(ws->idx, "package_meta", &sb);

	if (ret == QERR_NOTFOUND) {
		*meta = json_new_object();
		json_object_set(*meta, "version", 7,
				json_new_string("v0", 2));
		ret = 0;
	} else if (!ret && json_parse(sb.buf, sb.len, meta, err) < 0) {
		ret = QERR_CORRUPT;
	}
	strbuf_release(&sb);
	return ret;
}

int package_meta_differs(const struct json *a, const struct json *b)
{
	struct json *x = json_dup(a), *y = json_dup(b);
	int ret;

	if (x->type == JSON_OBJECT)
		json_object_remove(x, "message");
	if (y->type == JSON_OBJECT)
		json_object_remove(y, "message");
	ret = !json_equal(x, y);
	json_free(x);
	json_free(y);
	return ret;
}

struct staged_walk {
	package_staged_fn *fn;
	void *payload;
};

static int on_staged(enum diff_kind kind, const struct manifest_entry *a,
		     const struct manifest_entry *b, void *payload)
{
	static const char codes[] = { 'A', 'D', 'M', 'm' };
	struct staged_walk *w = payload;

	return w->fn(codes[kind], (b ? b : a)->key.buf, w->payload);
}

int package_staged_changes(struct workspace *ws, package_staged_fn *fn,
			   void *payload, struct strbuf *err)
{
	static const char none[] = "{\"version\": \"v0\"}\n";
	struct staged_walk w = { fn, payload };
	struct entry_stream *a = NULL, *b = NULL;
	struct object_id head, clean;
	struct json *staged = NULL;
	FILE *fp = NULL;
	int ret = 0, have_head = !refs_read(ws->refs, "HEAD", &head);

	/*
	 * The index is exactly HEAD, or exactly another version in the
	 * store (a checkout killed between writing the index and moving
	 * HEAD): nothing staged would be lost.
	 */
	if (!idx_clean_get(ws->idx, &clean) &&
	    ((have_head && oideq(&clean, &head)) ||
	     odb_has_manifest(&ws->odb, &clean)))
		return 0;
	if (have_head)
		ret = odb_open_manifest(&ws->odb, &head, &fp, err);
	else
		fp = fmemopen((void *)none, strlen(none), "r");
	if (!ret && !fp) {
		strbuf_addstr(err, "cannot read the last commit");
		ret = QERR_GENERIC;
	}
	if (!ret) {
		a = entry_stream_manifest(fp, "HEAD", err);
		b = entry_stream_index_all(ws->idx, NULL, 1);
		if (!a || !b)
			ret = QERR_CORRUPT;
	}
	if (!ret)
		ret = diff_streams(a, b, on_staged, &w, err);
	if (!ret)
		ret = package_meta_load(ws, &staged, err);
	if (!ret && package_meta_differs(a->meta, staged))
		ret = fn('P', "(package)", payload);
	json_free(staged);
	entry_stream_free(a);
	entry_stream_free(b);
	if (fp)
		fclose(fp);
	return ret;
}

int package_meta_store(struct workspace *ws, const struct json *meta,
		       struct strbuf *err)
{
	struct strbuf sb = STRBUF_INIT;
	int ret;

	json_write_python(&sb, meta);
	ret = idx_set_meta(ws->idx, "package_meta", sb.buf, err);
	if (!ret)
		ret = idx_set_meta(ws->idx, "clean_head", NULL, err);
	strbuf_release(&sb);
	return ret;
}

struct build {
	struct manifest_builder b;
	struct strbuf line, canon;
	struct strbuf *err;
	uint64_t n;
	struct progress *progress;
};

static int add_dir_line(const char *key, const char *json, void *payload)
{
	struct build *bd = payload;
	struct manifest_entry e;
	struct manifest_record rec;
	int ret;

	manifest_entry_init(&e);
	e.is_dir = 1;
	strbuf_addstr(&e.key, key);
	if (json_parse(json, strlen(json), &e.meta, bd->err) < 0) {
		manifest_entry_release(&e);
		return QERR_CORRUPT;
	}
	manifest_record_from_entry(&rec, &e, &bd->line, &bd->canon);
	ret = manifest_builder_add(&bd->b, &rec, bd->err);
	manifest_entry_release(&e);
	return ret;
}

static int add_entry(const struct idx_entry *ie, void *payload)
{
	struct build *bd = payload;
	struct manifest_entry e;
	struct manifest_record rec;
	struct physical_key pk;
	int ret;

	if (!ie->has_hash) {
		strbuf_addf(bd->err, "'%s' has not been hashed; run 'quire "
			    "status' to see what changed", ie->key);
		return QERR_CORRUPT;
	}
	manifest_entry_init(&e);
	strbuf_addstr(&e.key, ie->key);
	if (ie->physical) {
		strbuf_addstr(&e.physical, ie->physical);
	} else {
		physical_key_from_path(&pk, ie->path);
		physical_key_format(&e.physical, &pk);
		physical_key_release(&pk);
	}
	e.size = ie->size;
	e.oid = ie->oid;
	e.hash_known = 1;
	e.hash = json_new_object();
	json_object_set(e.hash, "type", 4,
			json_new_string(hash_type_name(ie->oid.type),
					strlen(hash_type_name(ie->oid.type))));
	json_object_set(e.hash, "value", 5,
			json_new_string(oid_to_value(&ie->oid),
					strlen(oid_to_value(&ie->oid))));
	if (json_parse(ie->meta ? ie->meta : "{}",
		       ie->meta ? strlen(ie->meta) : 2, &e.meta, bd->err) < 0) {
		manifest_entry_release(&e);
		return QERR_CORRUPT;
	}
	manifest_record_from_entry(&rec, &e, &bd->line, &bd->canon);
	ret = manifest_builder_add(&bd->b, &rec, bd->err);
	if (ret == MANIFEST_OUT_OF_ORDER)
		BUG("index entries out of quilt3 order");
	manifest_entry_release(&e);
	bd->n++;
	progress_add(bd->progress, 1, 0);
	return ret;
}

int package_build(struct workspace *ws, const char *message, unsigned flags,
		  struct object_id *top, uint64_t *entries,
		  struct strbuf *err)
{
	struct build bd;
	struct json *meta = NULL;
	struct tempfile *tmp = NULL;
	unsigned char bytes[HASH_RAWSZ];
	int ret;

	memset(&bd, 0, sizeof(bd));
	strbuf_init(&bd.line, 0);
	strbuf_init(&bd.canon, 0);
	bd.err = err;
	ret = package_meta_load(ws, &meta, err);
	if (ret)
		goto out;
	if (flags & PACKAGE_BUILD_MESSAGE)
		json_object_set(meta, "message", 7, message ?
				json_new_string(message, strlen(message)) :
				json_new_null());
	ret = odb_create(&ws->odb, err);
	if (ret)
		goto out;
	tmp = create_tempfile_in(ws->odb.tmpdir, "manifest_", 0600, err);
	if (!tmp) {
		ret = QERR_GENERIC;
		goto out;
	}
	manifest_builder_init(&bd.b, meta, tmp->fd);
	bd.b.out_path = tmp->path;
	bd.progress = progress_start("Writing manifest", 0,
				     flags & PACKAGE_BUILD_PROGRESS ? 0 :
				     PROGRESS_QUIET);
	if (bd.progress) {
		int64_t n = idx_count(ws->idx, NULL);

		progress_set_total(bd.progress, n > 0 ? n : 0);
	}
	ret = idx_for_each_dir_meta(ws->idx, add_dir_line, &bd);
	if (!ret)
		ret = idx_for_each_entry(ws->idx, NULL, add_entry, &bd);
	if (!ret)
		ret = manifest_builder_finish(&bd.b, top, bytes, err);
	progress_stop(&bd.progress);
	manifest_builder_release(&bd.b);
	if (!ret)
		ret = odb_write_manifest(&ws->odb, &tmp, top, bytes, err);
	if (!ret && entries)
		*entries = bd.n;
out:
	delete_tempfile(&tmp);
	json_free(meta);
	strbuf_release(&bd.line);
	strbuf_release(&bd.canon);
	return ret;
}

int package_log_append(struct workspace *ws, const struct object_id *old,
		       const struct object_id *new_top, const char *what,
		       struct strbuf *err)
{
	struct strbuf path = STRBUF_INIT, line = STRBUF_INIT;
	int fd, ret = 0;
	const char *p;

	strbuf_addf(&path, "%s/logs", ws->quire_dir);
	mkdir_p(path.buf, 0755);
	strbuf_addstr(&path, "/HEAD");
	if (old)
		strbuf_addf(&line, "%s ", oid_to_hex(old));
	else
		strbuf_addf(&line, "%0*d ", HASH_HEXSZ, 0);
	strbuf_addf(&line, "%s %" PRIu64 "\t", oid_to_hex(new_top),
		    (uint64_t)time(NULL));
	for (p = what; *p; p++)
		strbuf_addch(&line, *p == '\n' || *p == '\t' ? ' ' : *p);
	strbuf_addch(&line, '\n');
	fd = open(path.buf, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0 || write_in_full(fd, line.buf, line.len) < 0 ||
	    fsync(fd) < 0) {
		strbuf_addf(err, "cannot write '%s': %s", path.buf,
			    strerror(errno));
		ret = QERR_GENERIC;
	}
	if (fd >= 0)
		close(fd);
	strbuf_release(&path);
	strbuf_release(&line);
	return ret;
}
