#ifndef VERSION_SHOW_H
#define VERSION_SHOW_H

#include "hash.h"
#include "string-list.h"
#include "strbuf.h"

struct workspace;
struct json;

/*
 * What quire-show(1) says of one package version: its name, registry,
 * tags and time, its package metadata, and how many entries and bytes
 * it holds, in all and in each top-level folder. The manifest is read
 * entry by entry, so a version of millions of entries takes little
 * memory. Nothing here prints, dies on a registry's error, or keeps
 * state between calls: several threads may call it at once.
 */

/* Entries and bytes of the whole version, or of one top-level folder. */
struct version_count {
	char *folder;		/* "data/"; NULL for the whole version */
	uint64_t entries, size;
};

struct version_show {
	struct object_id top;
	char *name;		/* "ns/name"; NULL: unknown */
	/*
	 * The registry's URL as opened, credentials and all (print it
	 * through redact_url() or json_url()); NULL for a workspace's own
	 * version.
	 */
	char *registry;
	struct string_list tags;	/* the tags naming it, as listed */
	uint64_t time;		/* first pushed, or committed (have_time) */
	int have_time;
	struct json *meta;	/* the package metadata (line 1); never NULL */
	struct version_count total;
	struct version_count *folders;	/* top-level folders, in order */
	size_t nr, alloc;
};

enum version_show_flags {
	/*
	 * Only the metadata and the counts: leave name, registry, tags
	 * and time unset (a page that lists many versions knows them).
	 */
	VERSION_SHOW_COUNTS_ONLY = (1 << 0),
};

/*
 * Fill v (which it initializes first) with what show says of rev: a
 * package revision ns/name[:tag|@hash] in the registry registry_arg
 * (NULL: the default one, see porcelain_registry()) or one that names its
 * registry (rev-url.h), or, with a workspace ws, a local revision (HEAD,
 * a tag, a top hash or a prefix). ws may be NULL. The manifest is fetched
 * and verified when the version comes from afar (see
 * porcelain_open_version()).
 *
 * 0, or a negative qerr with err saying why: QERR_NOTFOUND for an
 * unknown package, tag or version, QERR_USAGE for a revision that is not
 * spelled as one, QERR_CORRUPT for a bad manifest, others for the
 * registry's failures. v is released with version_show_release() either
 * way.
 */
int version_show_read(struct version_show *v, struct workspace *ws,
		      const char *registry_arg, const char *rev,
		      unsigned flags, struct strbuf *err);
void version_show_release(struct version_show *v);

/*
 * A member of the package metadata, borrowed from v->meta; NULL when
 * absent or null.
 */
const struct json *version_show_meta(const struct version_show *v,
				     const char *key);

/*
 * The object show --json prints (Documentation/quire-json.adoc); the
 * caller frees it with json_free().
 */
struct json *version_show_to_json(const struct version_show *v);

/*
 * version_show_read() and version_show_to_json() in one: *out is what
 * 'quire show --json [-r registry_arg] rev' prints, or NULL on an error
 * (returned as version_show_read() returns it).
 */
int version_show_json(struct workspace *ws, const char *registry_arg,
		      const char *rev, struct json **out, struct strbuf *err);

#endif
