#ifndef CHECKOUT_H
#define CHECKOUT_H

#include "hash.h"
#include "strbuf.h"

struct workspace;
struct odb;

/*
 * Making a folder (a workspace) hold the files of a package version, as
 * install and checkout do: incrementally, verified, and safely.
 *
 * Files come from the user's cache (fetched there, verified, when
 * missing) and land by copy, hard link or reflink through a temporary
 * file and a rename; every placed byte is checked against its hash.
 * Files that did not change are left alone. A file changed locally, or an
 * untracked file in the way, stops the checkout before anything is
 * written unless force. Files the version no longer has are removed only
 * with force; otherwise they are reported and kept.
 */
enum link_type {
	LINK_COPY,
	LINK_HARDLINK,
	LINK_REFLINK,
};

/* "copy", "hardlink" or "reflink"; -1 for anything else. */
int link_type_parse(const char *name, enum link_type *out);

struct checkout_opts {
	const char *path_prefix;	/* only entries below it; NULL: all */
	enum link_type link;
	int force;
	int quiet;
	const char *what;		/* for the log, e.g. "install ns/x" */
	/*
	 * A version from a registry names its bytes: file:// physical keys
	 * may only point into the registry's own folder (local_root; NULL
	 * for an S3 registry), unless allow_local_files. A version of the
	 * workspace's own (HEAD, a hash) is not checked.
	 */
	int from_registry;
	const char *local_root;
	int allow_local_files;
};

struct checkout_stats {
	uint64_t entries, placed, fetched, unchanged, removed, kept;
	uint64_t bytes;
};

/*
 * Make ws's files and index match the version top (its manifest must be
 * in ws's store); the caller commits the index, then moves HEAD with
 * checkout_move_head() (killed between the two, the index is exactly a
 * version in the store: nothing staged, and a re-run completes). Kept
 * files (deleted upstream, not removed) are listed in kept, one key per
 * line. QERR_EXISTS when
 * local changes are in the way, or changes staged and not committed
 * would be lost (err lists them), unless force. Nothing below ws's root
 * is written, renamed or removed through a symbolic link.
 */
int checkout_version(struct workspace *ws, const struct object_id *top,
		     struct odb *cache, const struct checkout_opts *opts,
		     struct checkout_stats *stats, struct strbuf *kept,
		     struct strbuf *err);

/* Point HEAD at top (unless it is there), and log it as what. */
int checkout_move_head(struct workspace *ws, const struct object_id *top,
		       const char *what, struct strbuf *err);

#endif
