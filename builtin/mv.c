#include "builtin.h"
#include "cwd-key.h"
#include "logical-key.h"
#include "parse-options.h"

static const char * const mv_usage[] = {
	"quire mv [--overwrite] <source> <destination>",
	NULL
};

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
static void move_watches(struct workspace *ws, const struct move *m)
{
	struct watch_move w = { m, STRBUF_INIT };
	struct strbuf key = STRBUF_INIT, err = STRBUF_INIT;
	size_t off = 0;

	idx_for_each_watch(ws->idx, collect_watch, &w);
	while (off < w.pairs.len) {
		const char *prefix = w.pairs.buf + off;
		const char *path = prefix + strlen(prefix) + 1;

		off = path + strlen(path) + 1 - w.pairs.buf;
		strbuf_reset(&key);
		strbuf_addf(&key, "%s%s", m->dst, prefix + m->src_len);
		idx_remove_watch(ws->idx, prefix);
		if (idx_add_watch(ws->idx, key.buf, path, &err) < 0)
			die("%s", err.buf);
	}
	strbuf_release(&w.pairs);
	strbuf_release(&key);
	strbuf_release(&err);
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

int cmd_mv(int argc, const char **argv, const char *prefix,
	   struct workspace *ws)
{
	struct strbuf src = STRBUF_INIT, dst = STRBUF_INIT, key = STRBUF_INIT,
		      err = STRBUF_INIT, collisions = STRBUF_INIT;
	struct move m = { 0 };
	struct idx_entry e, *all = NULL;
	size_t off, moved = 0, nr = 0, alloc = 0;
	int overwrite = 0;
	struct option options[] = {
		OPT_BOOL(0, "overwrite", &overwrite,
			 "replace entries already at the destination"),
		OPT_END()
	};

	argc = parse_options(argc, argv, prefix, options, mv_usage, 0);
	if (argc != 2)
		usage_with_options(mv_usage, options);
	begin_index_write(ws);
	strbuf_init(&m.keys, 0);
	if (cwd_key(prefix, argv[0], &src, &err) < 0 ||
	    cwd_key(prefix, argv[1], &dst, &err) < 0)
		die("%s", err.buf);
	if (!idx_get_entry(ws->idx, src.buf, &e)) {
		idx_entry_release(&e);
		if (dst.len && dst.buf[dst.len - 1] == '/') {
			const char *base = strrchr(src.buf, '/');

			strbuf_addstr(&dst, base ? base + 1 : src.buf);
		}
		strbuf_add(&m.keys, src.buf, src.len + 1);
	} else {
		if (!src.len || src.buf[src.len - 1] != '/')
			strbuf_addch(&src, '/');
		if (dst.len && dst.buf[dst.len - 1] != '/')
			strbuf_addch(&dst, '/');
		m.folder = 1;
		idx_for_each_entry(ws->idx, src.buf, collect, &m);
		if (!m.keys.len)
			die("'%s' matches nothing staged", src.buf);
	}
	m.src = src.buf;
	m.src_len = src.len;
	m.dst = dst.buf;

	/* check every new key, and collisions, before changing anything */
	for (off = 0; off < m.keys.len; off += strlen(m.keys.buf + off) + 1) {
		target(&m, m.keys.buf + off, &key);
		if (logical_key_check(key.buf, key.len, 0, &err) < 0)
			die("%s", err.buf);
		if (!moving(&m, key.buf) &&
		    !idx_get_entry(ws->idx, key.buf, &e)) {
			strbuf_addf(&collisions, "\n\t%s", key.buf);
			idx_entry_release(&e);
		}
	}
	if (collisions.len && !overwrite)
		die("these entries are in the way; pass --overwrite to "
		    "replace them:%s", collisions.buf);

	/*
	 * Read every entry that moves, delete them all, then write them all
	 * back under their new keys: a move into a folder that itself moves
	 * cannot overwrite an entry that has not moved yet.
	 */
	for (off = 0; off < m.keys.len; off += strlen(m.keys.buf + off) + 1) {
		ALLOC_GROW(all, nr + 1, alloc);
		if (idx_get_entry(ws->idx, m.keys.buf + off, &all[nr]) < 0)
			BUG("staged entry '%s' vanished", m.keys.buf + off);
		idx_delete_entry(ws->idx, m.keys.buf + off);
		nr++;
	}
	for (moved = 0; moved < nr; moved++) {
		struct strbuf other = STRBUF_INIT;

		target(&m, all[moved].key, &key);
		if (idx_key_conflict(ws->idx, key.buf, &other))
			die("moving would make '%s' both a file and a folder "
			    "(because of '%s'); nothing was moved", key.buf,
			    other.buf);
		strbuf_release(&other);
		free(all[moved].key);
		all[moved].key = xstrdup(key.buf);
		if (idx_put_entry(ws->idx, &all[moved], &err) < 0)
			die("%s", err.buf);
		idx_entry_release(&all[moved]);
	}
	free(all);
	move_watches(ws, &m);
	commit_index_write(ws);
	fprintf(stderr, "moved %zu entr%s\n", moved, moved == 1 ? "y" : "ies");
	strbuf_release(&src);
	strbuf_release(&dst);
	strbuf_release(&key);
	strbuf_release(&err);
	strbuf_release(&collisions);
	strbuf_release(&m.keys);
	return 0;
}
