#ifndef WORKSPACE_H
#define WORKSPACE_H

#include "config.h"
#include "objects/odb.h"
#include "strbuf.h"

struct ref_store;
struct index_db;

/*
 * A workspace is a folder with .quire/ in it, as a git work tree has
 * .git/: .quire/objects (the object store), .quire/refs and HEAD, and
 * .quire/config.
 */
struct workspace {
	char *root;		/* absolute path of the folder */
	char *quire_dir;	/* root + "/.quire" */
	struct odb odb;
	struct ref_store *refs;
	struct config config;	/* the user's, then the workspace's */
	struct index_db *idx;	/* opened by workspace_index() */
};

/*
 * Find the workspace that holds dir (or a parent of it). Returns 0 with a
 * new workspace in *out (free with workspace_free()), or QERR_NOTFOUND.
 */
int workspace_discover(const char *dir, struct workspace **out,
		       struct strbuf *err);
/*
 * Make dir a workspace (creating dir if needed). An existing workspace is
 * left as it is and reported with QERR_EXISTS. pkg_name may be NULL.
 */
int workspace_create(const char *dir, const char *pkg_name,
		     struct strbuf *err);
/*
 * 'quire init': workspace_create(), then the default .quireignore in dir
 * (*wrote is 1 when it was written, 0 when one was there) and ".quire/"
 * in the exclude file of the git repository dir is in, if any (that
 * file's path appended to exclude when the line was added). 0, or a
 * negative qerr with err (QERR_EXISTS: dir is a workspace already).
 */
int workspace_init(const char *dir, const char *pkg_name, int *wrote,
		   struct strbuf *exclude, struct strbuf *err);
void workspace_free(struct workspace *ws);

/* Open ws->idx if needed. 0 or QERR_* with err. */
int workspace_index(struct workspace *ws, struct strbuf *err);
/* package.name from the config, or NULL. */
const char *workspace_package_name(const struct workspace *ws);
/* Set (or with value NULL, unset) key in the workspace's own config. */
int workspace_config_set(struct workspace *ws, const char *key,
			 const char *value, struct strbuf *err);
/* Make path (absolute or relative to the cwd) absolute and normalized. */
char *absolute_path(const char *path);

/* 0 when name is "ns/name" with valid parts, else -1 with why in err. */
int package_name_check(const char *name, struct strbuf *err);

#endif
