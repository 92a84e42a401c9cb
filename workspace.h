#ifndef WORKSPACE_H
#define WORKSPACE_H

#include "objects/odb.h"
#include "strbuf.h"

struct ref_store;

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
void workspace_free(struct workspace *ws);

/* 0 when name is "ns/name" with valid parts, else -1 with why in err. */
int package_name_check(const char *name, struct strbuf *err);

#endif
