#include "builtin.h"
#include "diff.h"
#include "folder-check.h"
#include "folder.h"
#include "parse-options.h"
#include "progress.h"
#include "refs/refs.h"

static const char * const hash_usage[] = {
	"quire hash [-q] [--files] [<dir>]",
	NULL
};

/* The old meaning: the top hash the files of dir would have. */
static int hash_files_there(const char *dir)
{
	struct strbuf err = STRBUF_INIT;
	struct object_id top;
	struct stat st;

	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
		die("'%s' is not a folder", dir);
	if (folder_build(dir, -1, &top, NULL, &err) < 0)
		die("%s", err.buf);
	printf("%s\n", oid_to_hex(&top));
	strbuf_release(&err);
	return 0;
}

static void say_differs(const char *dir, struct workspace *ws,
			const struct object_id *head,
			const struct folder_check_counts *n)
{
	const char *name = workspace_package_name(ws);

	fprintf(stderr, "'%s' does not match version %s%s%s: %" PRIu64
		" changed, %" PRIu64 " missing, %" PRIu64 " extra\n"
		"'quire verify' lists them; 'quire hash --files' hashes the "
		"files as they are\n", dir, short_hash(head),
		name ? " of " : "", name ? name : "", n->changed, n->missing,
		n->extra);
}

/* The new meaning: the top hash of the version the folder holds. */
static int hash_version_held(const char *dir, int quiet)
{
	struct strbuf err = STRBUF_INIT, warn = STRBUF_INIT;
	struct folder_check_counts n;
	struct workspace *ws;
	struct entry_stream *s;
	struct progress *progress;
	struct object_id head;
	FILE *fp;
	struct stat st;

	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
		die("'%s' is not a folder", dir);
	if (folder_check_workspace(dir, &ws, &err) < 0)
		die("%s; 'quire hash --files' hashes any folder", err.buf);
	open_index(ws);
	if (refs_read(ws->refs, "HEAD", &head) < 0)
		die("'%s' holds no package version yet (nothing installed "
		    "or committed); 'quire hash --files' hashes its files",
		    dir);
	if (odb_open_manifest(&ws->odb, &head, &fp, &err) < 0)
		die("%s", err.buf);
	s = entry_stream_manifest(fp, "HEAD", &err);
	if (!s)
		die("%s", err.buf);
	progress = progress_start("Hashing", 0, quiet ? PROGRESS_QUIET : 0);
	if (folder_check(ws, s, progress, NULL, NULL, &n, &warn, &err) < 0)
		die("%s", err.buf);
	progress_stop(&progress);
	entry_stream_free(s);
	fclose(fp);
	if (warn.len && !quiet)
		warning("%s", warn.buf);
	if (folder_check_matches(&n))
		printf("%s\n", oid_to_hex(&head));
	else if (!quiet)
		say_differs(dir, ws, &head, &n);
	workspace_free(ws);
	strbuf_release(&warn);
	strbuf_release(&err);
	return folder_check_matches(&n) ? 0 : 1;
}

int cmd_hash(int argc, const char **argv, const char *prefix,
	     struct workspace *unused)
{
	int files = 0, quiet = 0;
	struct option options[] = {
		OPT__QUIET(&quiet),
		OPT__PROGRESS(),
		OPT_BOOL(0, "files", &files,
			 "hash the files as they are (any folder), not the "
			 "version the folder holds"),
		OPT_END()
	};

	argc = parse_options(argc, argv, prefix, options, hash_usage, 0);
	if (argc > 1)
		usage_with_options(hash_usage, options);
	if (files)
		return hash_files_there(argc ? argv[0] : ".");
	return hash_version_held(argc ? argv[0] : ".", quiet);
}
