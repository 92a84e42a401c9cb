#include "builtin.h"
#include "cache.h"
#include "json-out.h"
#include "parse-options.h"
#include <dirent.h>

static const char * const cache_usage[] = {
	"quire cache ls [--json]",
	"quire cache clear [--json]",
	NULL
};

struct usage {
	uint64_t files, bytes;
};

/* Walk dir; count regular files, and delete them too when clear. */
static int walk(const char *dir, int clear, struct usage *u)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	struct strbuf path = STRBUF_INIT;
	int ret = 0;

	if (!d)
		return errno == ENOENT ? 0 : -1;
	while ((de = readdir(d))) {
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/%s", dir, de->d_name);
		if (lstat(path.buf, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			if (walk(path.buf, clear, u) < 0 ||
			    (clear && rmdir(path.buf) < 0))
				ret = -1;
			continue;
		}
		u->files++;
		u->bytes += st.st_size;
		if (clear && unlink(path.buf) < 0)
			ret = -1;
	}
	closedir(d);
	strbuf_release(&path);
	return ret;
}

static void print_json(const struct strbuf *path, const struct usage *u,
		       int clear)
{
	struct json *j = json_new_object();

	json_set(j, "path", json_new_string(path->buf, path->len));
	json_set(j, "files", json_new_uint(u->files));
	json_set(j, "size", json_new_uint(u->bytes));
	json_set(j, "cleared", json_new_bool(clear));
	json_print(j);
}

int cmd_cache(int argc, const char **argv, const char *prefix,
	      struct workspace *ws)
{
	struct strbuf path = STRBUF_INIT;
	struct usage u = { 0, 0 };
	int clear, json = 0;
	struct option options[] = {
		OPT_BOOL(0, "json", &json, "print one JSON object"),
		OPT_END()
	};

	argc = parse_options(argc, argv, prefix, options, cache_usage, 0);
	if (argc != 1 || (strcmp(argv[0], "ls") && strcmp(argv[0], "clear")))
		usage_with_options(cache_usage, options);
	clear = !strcmp(argv[0], "clear");
	cache_path(&path);
	if (walk(path.buf, clear, &u) < 0)
		die_errno("cannot %s the cache in '%s'",
			  clear ? "clear" : "read", path.buf);
	if (json)
		print_json(&path, &u, clear);
	else
		printf("%s%" PRIu64 " file%s, %" PRIu64 " bytes in %s\n",
		       clear ? "removed " : "", u.files,
		       u.files == 1 ? "" : "s", u.bytes, path.buf);
	strbuf_release(&path);
	return 0;
}
