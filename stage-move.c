#include "quire-compat.h"
#include "stage.h"
#include "index-db.h"
#include "logical-key.h"
#include "workspace.h"

struct move {
	const char *src, *dst;
	size_t src_len;
	int folder;
	struct strbuf keys;	/* NUL-separated keys to move */
};

struct watch_move {
	const struct move *m;
	struct strbuf pairs;	/* old prefix, NUL, path, NUL, ... */
};

static int collect_watch(const char *prefix, const char *path, void *p)
{
	struct watch_move *w = p;

	if (w->m->folder && !strncmp(prefix, w->m->src, w->m->src_len)) {
		strbuf_add(&w->pairs, prefix, strlen(prefix) + 1);
		strbuf_add(&w->pairs, path, strlen(path) + 1);
	}
	return 0;
}

/* Added folders inside the moved one keep watching under the new name. */
static int move_watches(struct workspace *ws, const struct move *m,
			struct strbuf *err)
{
	struct watch_move w = { m, STRBUF_INIT };
	struct strbuf key = STRBUF_INIT;
	size_t off = 0;
	int ret = 0;

	idx_for_each_watch(ws->idx, collect_watch, &w);
	while (off < w.pairs.len) {
		const char *prefix = w.pairs.buf + off;
		const char *path = prefix + strlen(prefix) + 1;

		off = path + strlen(path) + 1 - w.pairs.buf;
		strbuf_reset(&key);
		strbuf_addf(&key, "%s%s", m->dst, prefix + m->src_len);
		idx_remove_watch(ws->idx, prefix);
		ret = idx_add_watch(ws->idx, key.buf, path, err);
		if (ret < 0)
			break;
	}
	strbuf_release(&w.pairs);
	strbuf_release(&key);
	return ret < 0 ? ret : 0;
}

static int collect(const struct idx_entry *e, void *payload)
{
	struct move *m = payload;

	strbuf_add(&m->keys, e->key, strlen(e->key) + 1);
	return 0;
}

/* Is key one of those being moved away? */
static int moving(const struct move *m, const char *key)
{
	if (m->folder)
		return !strncmp(key, m->src, m->src_len);
	return !strcmp(key, m->src);
}

static void target(const struct move *m, const char *key, struct strbuf *out)
{
	strbuf_reset(out);
	if (m->folder)
		strbuf_addf(out, "%s%s", m->dst, key + m->src_len);
	else
		strbuf_addstr(out, m->dst);
}

/* What moves: src itself when staged, else every entry below it. */
static int what_moves(struct workspace *ws, struct move *m,
		      struct strbuf *src, struct strbuf *dst,
		      struct strbuf *err)
{
	struct idx_entry e;

	if (!idx_get_entry(ws->idx, src->buf, &e)) {
		idx_entry_release(&e);
		if (dst->len && dst->buf[dst->len - 1] == '/') {
			const char *base = strrchr(src->buf, '/');

			strbuf_addstr(dst, base ? base + 1 : src->buf);
		}
		strbuf_add(&m->keys, src->buf, src->len + 1);
	} else {
		if (!src->len || src->buf[src->len - 1] != '/')
			strbuf_addch(src, '/');
		if (dst->len && dst->buf[dst->len - 1] != '/')
			strbuf_addch(dst, '/');
		m->folder = 1;
		idx_for_each_entry(ws->idx, src->buf, collect, m);
		if (!m->keys.len) {
			strbuf_addf(err, "'%s' matches nothing staged",
				    src->buf);
			return QERR_NOTFOUND;
		}
	}
	m->src = src->buf;
	m->src_len = src->len;
	m->dst = dst->buf;
	return 0;
}

/* Every new key valid, and the ones in the way (not moving) listed. */
static int check_targets(struct workspace *ws, const struct move *m,
			 struct strbuf *collisions, struct strbuf *err)
{
	struct strbuf key = STRBUF_INIT;
	struct idx_entry e;
	size_t off;
	int ret = 0;

	for (off = 0; off < m->keys.len;
	     off += strlen(m->keys.buf + off) + 1) {
		target(m, m->keys.buf + off, &key);
		if (logical_key_check(key.buf, key.len, 0, err) < 0) {
			ret = QERR_USAGE;
			break;
		}
		if (!moving(m, key.buf) &&
		    !idx_get_entry(ws->idx, key.buf, &e)) {
			strbuf_addf(collisions, "\n\t%s", key.buf);
			idx_entry_release(&e);
		}
	}
	strbuf_release(&key);
	return ret;
}

/*
 * Read every entry that moves, delete them all, then write them all back
 * under their new keys: a move into a folder that itself moves cannot
 * overwrite an entry that has not moved yet.
 */
static int move_all(struct workspace *ws, const struct move *m,
		    size_t *moved, struct strbuf *err)
{
	struct strbuf key = STRBUF_INIT;
	struct idx_entry *all = NULL;
	size_t off, i, nr = 0, alloc = 0;
	int ret = 0;

	for (off = 0; off < m->keys.len;
	     off += strlen(m->keys.buf + off) + 1) {
		ALLOC_GROW(all, nr + 1, alloc);
		if (idx_get_entry(ws->idx, m->keys.buf + off, &all[nr]) < 0)
			BUG("staged entry '%s' vanished", m->keys.buf + off);
		idx_delete_entry(ws->idx, m->keys.buf + off);
		nr++;
	}
	for (i = 0; i < nr; i++) {
		struct strbuf other = STRBUF_INIT;

		target(m, all[i].key, &key);
		if (!ret && idx_key_conflict(ws->idx, key.buf, &other)) {
			strbuf_addf(err, "moving would make '%s' both a file "
				    "and a folder (because of '%s'); nothing "
				    "was moved", key.buf, other.buf);
			ret = QERR_EXISTS;
		}
		strbuf_release(&other);
		if (!ret) {
			free(all[i].key);
			all[i].key = xstrdup(key.buf);
			ret = idx_put_entry(ws->idx, &all[i], err);
		}
		idx_entry_release(&all[i]);
	}
	free(all);
	strbuf_release(&key);
	*moved = nr;
	return ret < 0 ? ret : 0;
}

int stage_move(struct workspace *ws, const char *src_key,
	       const char *dst_key, int overwrite, size_t *moved,
	       struct strbuf *err)
{
	struct strbuf src = STRBUF_INIT, dst = STRBUF_INIT,
		      collisions = STRBUF_INIT;
	struct move m = { 0 };
	int ret;

	*moved = 0;
	strbuf_addstr(&src, src_key);
	strbuf_addstr(&dst, dst_key);
	strbuf_init(&m.keys, 0);
	ret = what_moves(ws, &m, &src, &dst, err);
	if (!ret)
		ret = check_targets(ws, &m, &collisions, err);
	if (!ret && collisions.len && !overwrite) {
		strbuf_addf(err, "these entries are in the way; pass "
			    "--overwrite to replace them:%s", collisions.buf);
		ret = QERR_EXISTS;
	}
	if (!ret)
		ret = move_all(ws, &m, moved, err);
	if (!ret)
		ret = move_watches(ws, &m, err);
	strbuf_release(&src);
	strbuf_release(&dst);
	strbuf_release(&collisions);
	strbuf_release(&m.keys);
	return ret;
}
