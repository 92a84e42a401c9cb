#include "quire-compat.h"
#include "error.h"
#include "handler.h"
#include "index-db.h"
#include "json.h"
#include "stage.h"
#include "workspace.h"

/* The entry's meta object, parsed; NULL with err when it is not one. */
static struct json *entry_meta(const struct idx_entry *e, struct strbuf *err)
{
	struct json *obj;

	if (json_parse(e->meta ? e->meta : "{}",
		       e->meta ? strlen(e->meta) : 2, &obj, err) < 0)
		return NULL;
	if (obj->type == JSON_OBJECT)
		return obj;
	json_free(obj);
	strbuf_addf(err, "the metadata of '%s' is not a JSON object; "
		    "'quire rm' it and set it again", e->key);
	return NULL;
}

static void meta_free(struct stage_set_meta *m)
{
	json_free(m->user);
	json_free(m->kwargs);
	m->user = m->kwargs = NULL;
}

/*
 * Change the handler and user_meta of obj as stage_set() says, taking
 * m's objects: changed?
 */
static int change_meta(struct json *obj, struct stage_set_meta *m)
{
	int changed = 0;

	/* before user_meta, when both are new */
	if (m->spec) {
		json_object_set(obj, "handler", 7,
				handler_new(m->spec, strlen(m->spec),
					    m->kwargs));
		changed = 1;
	} else if (m->drop_spec) {
		changed = json_object_remove(obj, "handler");
	}
	if (m->user) {
		json_object_set(obj, "user_meta", 9, m->user);
		changed = 1;
	}
	if (m->spec)
		m->kwargs = NULL;
	m->user = NULL;
	meta_free(m);
	return changed;
}

static int set_meta(struct workspace *ws, const char *key,
		    struct stage_set_meta *m, struct strbuf *err)
{
	struct strbuf text = STRBUF_INIT;
	struct idx_entry e;
	struct json *obj;
	int ret;

	if (idx_get_entry(ws->idx, key, &e) < 0) {
		strbuf_addf(err, "'%s' is not staged", key);
		return QERR_NOTFOUND;
	}
	obj = entry_meta(&e, err);
	if (!obj) {
		idx_entry_release(&e);
		return QERR_CORRUPT;
	}
	ret = 0;
	if (change_meta(obj, m)) {
		json_write_python(&text, obj);
		free(e.meta);
		e.meta = strbuf_detach(&text, NULL);
		ret = idx_put_entry(ws->idx, &e, err);
	}
	json_free(obj);
	idx_entry_release(&e);
	return ret;
}

int stage_set(struct workspace *ws, const char *key, const char *path,
	      struct stage_set_meta *m, struct stage_stats *stats,
	      struct strbuf *err)
{
	struct stage_stats ignored = { 0 };
	int ret = 0;

	if (path)
		ret = stage_add(ws, path, key, stats ? stats : &ignored, err);
	if (!ret && (m->user || m->spec || m->drop_spec))
		ret = set_meta(ws, key, m, err);
	meta_free(m);
	return ret;
}
