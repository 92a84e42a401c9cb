#ifndef PORCELAIN_H
#define PORCELAIN_H

#include "hash.h"
#include "strbuf.h"

struct workspace;
struct registry;
struct rev_url;
struct entry_stream;
struct json;

/*
 * What porcelain commands share: finding the registry a command talks to
 * and the package version a revision names.
 */

/*
 * The registry for arg: a remote's name, a URL or a folder. NULL: the
 * workspace's "origin" remote (outside a workspace, the user's), else
 * $QUIRE_REGISTRY (any of the three), else the embedded default registry
 * (created when flags has TRANSPORT_CREATE).
 */
int porcelain_registry(struct workspace *ws, const char *arg, unsigned flags,
		       struct registry **out, struct strbuf *err);
/* Only the URL or folder that would be opened, into url. */
int porcelain_registry_url(struct workspace *ws, const char *arg,
			   struct strbuf *url, struct strbuf *err);

/*
 * arg, a revision that may name its registry (rev-url.h), with the
 * registry it names -- else registry_arg (may be NULL) -- in
 * u->registry. QERR_USAGE when both name one and they differ.
 */
int porcelain_rev_url(const char *registry_arg, const char *arg,
		      struct rev_url *u, struct strbuf *err);

/*
 * Resolve rev -- a local revision (HEAD, a tag, a top hash or a prefix)
 * in a workspace, or a package revision ns/name[:tag|@hash] in the
 * registry registry_arg -- and open its manifest, verified: from the
 * workspace's store, the user's cache, or fetched from the registry into
 * one of them. *fp is closed by the caller. ws may be NULL.
 */
int porcelain_open_version(struct workspace *ws, const char *registry_arg,
			   const char *rev, struct object_id *top, FILE **fp,
			   struct strbuf *err);
/*
 * Where a version came from, for the rule on the file:// physical keys
 * of a registry's versions (see checkout_opts): from a registry, and a
 * folder registry's own folder (NULL for others).
 */
struct version_origin {
	int from_registry;
	char *local_root;
};
void version_origin_release(struct version_origin *o);
/* porcelain_open_version(), telling where the version came from. */
int porcelain_open_version_origin(struct workspace *ws,
				  const char *registry_arg, const char *rev,
				  struct object_id *top, FILE **fp,
				  struct version_origin *origin,
				  struct strbuf *err);

/*
 * The same, as a stream of entries in *s; the caller frees it with
 * entry_stream_free() and then fcloses *fp. 0 or a negative qerr.
 */
int porcelain_open_stream(struct workspace *ws, const char *registry_arg,
			  const char *rev, struct object_id *top, FILE **fp,
			  struct entry_stream **s, struct strbuf *err);

/* The same, for just the package metadata (line 1) in *meta. */
int porcelain_version_meta(struct workspace *ws, const char *registry_arg,
			   const char *rev, struct object_id *top,
			   struct json **meta, struct strbuf *err);
/* Just the top hash (the manifest is fetched when it comes from afar). */
int porcelain_resolve(struct workspace *ws, const char *registry_arg,
		      const char *rev, struct object_id *top,
		      struct strbuf *err);

/*
 * Split the optional "[<registry>] [<ns>/<name>]" operands of push and
 * friends: with two, the first is the registry; with one, it is the
 * registry when it is a remote, a URL or a path (starts with '/' or '.'),
 * else a package name. Missing ones stay NULL.
 */
void porcelain_registry_and_name(struct workspace *ws, int argc,
				 const char **argv, const char **registry,
				 const char **name);

/*
 * Short form of a top hash for people: the first 12 digits, in one of
 * four static buffers of the calling thread (so up to four can appear in
 * one printf).
 */
const char *short_hash(const struct object_id *top);

#endif
