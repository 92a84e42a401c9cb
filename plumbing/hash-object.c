#include "builtin.h"
#include "chunked-hash.h"
#include "parse-options.h"
#include "workspace.h"

static const char * const hash_object_usage[] = {
	"quire hash-object [-w] [--type <type>] [--] <file>...",
	"quire hash-object [-w] [--type <type>] --stdin-paths",
	NULL
};

/* Files hashed (or stored) at once; output keeps the order given. */
#define BATCH 4096

static enum hash_type parse_type(const char *name)
{
	enum hash_type t;

	if (!name)
		return HASH_SHA2_256_CHUNKED;
	if (hash_type_from_name(name, strlen(name), &t) || t == HASH_MANIFEST)
		die("unknown hash type '%s': use sha2-256-chunked or SHA256",
		    name);
	return t;
}

static void hash_batch(struct workspace *ws, int write, enum hash_type type,
		       const char **paths, size_t nr)
{
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;
	struct object_id *oids = xcalloc(nr, sizeof(*oids));
	size_t i;

	if (write) {
		if (odb_write_files(&ws->odb, paths, nr, type, oids, NULL,
				    &err) < 0)
			die("%s", err.buf);
	} else {
		struct hash_job *jobs = xcalloc(nr, sizeof(*jobs));

		for (i = 0; i < nr; i++)
			hash_job_init(&jobs[i], paths[i], -1, type);
		if (hash_files(jobs, nr, 0)) {
			for (i = 0; i < nr; i++)
				if (jobs[i].ret)
					die("%s", jobs[i].err.buf);
		}
		for (i = 0; i < nr; i++) {
			oids[i] = jobs[i].oid;
			hash_job_release(&jobs[i]);
		}
		free(jobs);
	}
	for (i = 0; i < nr; i++) {
		oid_add_value(&out, &oids[i]);
		strbuf_addch(&out, '\n');
	}
	fwrite(out.buf, 1, out.len, stdout);
	strbuf_release(&out);
	strbuf_release(&err);
	free(oids);
}

static void hash_stdin_paths(struct workspace *ws, int write,
			     enum hash_type type)
{
	struct strbuf line = STRBUF_INIT;
	char **paths = xcalloc(BATCH, sizeof(*paths));
	size_t nr = 0, i;
	int ret;

	for (;;) {
		ret = strbuf_getline_max(&line, stdin, PATH_MAX, NULL);
		if (ret == QERR_CORRUPT)
			die("a path on standard input is longer than %d bytes",
			    PATH_MAX);
		if (ret != EOF)
			paths[nr++] = strbuf_detach(&line, NULL);
		if (nr == BATCH || (ret == EOF && nr)) {
			hash_batch(ws, write, type, (const char **)paths, nr);
			for (i = 0; i < nr; i++)
				free(paths[i]);
			nr = 0;
		}
		if (ret == EOF)
			break;
	}
	free(paths);
	strbuf_release(&line);
}

int cmd_hash_object(int argc, const char **argv, const char *prefix,
		    struct workspace *ws)
{
	int write = 0, stdin_paths = 0;
	const char *type_name = NULL;
	enum hash_type type;
	int i;
	struct option options[] = {
		OPT_BOOL('w', "write", &write,
			 "store the file in the object store"),
		OPT_STRING(0, "type", &type_name, "type",
			   "sha2-256-chunked (default) or SHA256"),
		OPT_BOOL(0, "stdin-paths", &stdin_paths,
			 "read file paths from standard input, one a line"),
		OPT_END()
	};

	argc = parse_options(argc, argv, prefix, options, hash_object_usage,
			     0);
	if (stdin_paths ? argc != 0 : argc == 0)
		usage_with_options(hash_object_usage, options);
	type = parse_type(type_name);
	if (write && !ws)
		die("-w stores objects in a workspace, and this is not one; "
		    "run 'quire init' first");
	if (stdin_paths) {
		hash_stdin_paths(ws, write, type);
		return 0;
	}
	for (i = 0; i < argc; i += BATCH)
		hash_batch(ws, write, type, argv + i,
			   argc - i < BATCH ? argc - i : BATCH);
	return 0;
}
