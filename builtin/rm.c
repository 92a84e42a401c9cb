#include "builtin.h"
#include "cwd-key.h"
#include "parse-options.h"

static const char * const rm_usage[] = {
	"quire rm [-q] <key>|<folder>/...",
	NULL
};

static int collect(const struct idx_entry *e, void *payload)
{
	struct strbuf *keys = payload;

	strbuf_add(keys, e->key, strlen(e->key) + 1);
	return 0;
}

int cmd_rm(int argc, const char **argv, const char *prefix,
	   struct workspace *ws)
{
	struct strbuf keys = STRBUF_INIT, key = STRBUF_INIT, err = STRBUF_INIT;
	int quiet = 0, i;
	size_t off, removed = 0;
	struct option options[] = {
		OPT__QUIET(&quiet),
		OPT_END()
	};

	argc = parse_options(argc, argv, prefix, options, rm_usage, 0);
	if (argc < 1)
		usage_with_options(rm_usage, options);
	begin_index_write(ws);
	for (i = 0; i < argc; i++) {
		struct idx_entry e;

		if (cwd_key(prefix, argv[i], &key, &err) < 0)
			die("%s", err.buf);
		if (!key.len)
			die("'%s' names every entry of the package; name the "
			    "folders to remove (a folder ends with '/')",
			    argv[i]);
		strbuf_reset(&keys);
		if (!key.len || key.buf[key.len - 1] == '/') {
			idx_for_each_entry(ws->idx, key.buf, collect, &keys);
			idx_remove_watch(ws->idx, key.buf);
		} else if (!idx_get_entry(ws->idx, key.buf, &e)) {
			strbuf_add(&keys, key.buf, key.len + 1);
			idx_entry_release(&e);
		}
		if (!keys.len)
			die("'%s' matches nothing staged (a folder ends with "
			    "'/')", key.buf);
		for (off = 0; off < keys.len;
		     off += strlen(keys.buf + off) + 1) {
			idx_delete_entry(ws->idx, keys.buf + off);
			removed++;
		}
	}
	commit_index_write(ws);
	if (!quiet)
		fprintf(stderr, "removed %zu entr%s (files on disk are kept)\n",
			removed, removed == 1 ? "y" : "ies");
	strbuf_release(&keys);
	strbuf_release(&key);
	strbuf_release(&err);
	return 0;
}
