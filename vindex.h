#ifndef VINDEX_H
#define VINDEX_H

#include <stdio.h>
#include "hash.h"
#include "strbuf.h"

/*
 * The per-version index: one package version's tree as a SQLite file in
 * the user's cache, $XDG_CACHE_HOME/quire/vindex/<2 hex>/<62 hex>.db,
 * named by its top hash. It is built once from the manifest, streamed
 * (bounded memory whatever the number of entries), written under a
 * temporary name and renamed, and shared by every later reader of that
 * version (quire mount). A folder's listing or a lookup by name is a
 * B-tree search, not a scan of the manifest.
 *
 * Nodes are numbered from VINDEX_ROOT (the version's root folder); every
 * folder a key passes through is a node, files are the manifest's
 * entries. A handle may be used by many threads at once.
 */
#define VINDEX_ROOT 1

struct vindex;

struct vnode {
	uint64_t id, parent;
	int is_dir;
	uint64_t size;		/* file: its size; folder: bytes below it */
	uint64_t nr_children;	/* folder: entries and folders in it */
	uint64_t files;		/* folder: files below it; file: 1 */
	struct object_id oid;	/* file */
	struct strbuf name;	/* "" for the root */
	struct strbuf physical;	/* file: its physical key */
	struct strbuf meta;	/* its metadata as compact JSON, or "" */
};
void vnode_init(struct vnode *n);
void vnode_release(struct vnode *n);

/*
 * Open the index of version top, building it first from the manifest fp
 * (read from its start; name for messages) when the cache has none; fp
 * may be NULL when the caller knows it exists. Keys must be valid paths
 * (logical_key_check() with LOGICAL_KEY_PATH); a key that is both a file
 * and a folder, or twice a file, is refused: QERR_CORRUPT naming the key,
 * and no index is kept. *built says whether it was built now.
 */
int vindex_open(const struct object_id *top, FILE *fp, const char *name,
		struct vindex **out, int *built, struct strbuf *err);
void vindex_close(struct vindex *vx);
/* Where the index of top lives (it may not exist). */
void vindex_path(const struct object_id *top, struct strbuf *out);

/* The version's package metadata (manifest line 1) and entry count. */
const char *vindex_package_meta(struct vindex *vx);
uint64_t vindex_entries(struct vindex *vx);
/* The highest node number (nodes are numbered densely from 1). */
uint64_t vindex_max_id(struct vindex *vx);
const struct object_id *vindex_top(struct vindex *vx);

/* A node by number, or by its folder and name: 0 or QERR_NOTFOUND. */
int vindex_get(struct vindex *vx, uint64_t id, struct vnode *n);
int vindex_lookup(struct vindex *vx, uint64_t parent, const char *name,
		  struct vnode *n);

enum vindex_list_flags {
	VINDEX_FILES_ONLY = 1 << 0,	/* no folders */
	/* name, kind, size and counts only: no hash, physical key, meta */
	VINDEX_BRIEF = 1 << 1,
};

/*
 * The nodes of folder dir in name order, from the one after the node
 * numbered after (0: from the first), while fn returns 0 (its non-zero
 * is returned). flags: enum vindex_list_flags. The node passed to fn is
 * reused for the next.
 */
typedef int vindex_node_fn(const struct vnode *n, void *payload);
int vindex_list(struct vindex *vx, uint64_t dir, uint64_t after,
		unsigned flags, vindex_node_fn *fn, void *payload);

/*
 * The (up to) limit nodes of folder dir whose names come just before
 * that of node before, handed to fn in name order: the page before a
 * page that starts at before (flags: VINDEX_BRIEF or 0). 0, or what fn
 * returned.
 */
int vindex_list_before(struct vindex *vx, uint64_t dir, uint64_t before,
		       size_t limit, unsigned flags, vindex_node_fn *fn,
		       void *payload);

#endif
