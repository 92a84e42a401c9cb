#ifndef VERSION_LOG_H
#define VERSION_LOG_H

#include "hash.h"
#include "string-list.h"
#include "strbuf.h"

struct workspace;
struct json;

/*
 * The versions quire-log(1) shows, newest first: a package's in a
 * registry (each push, with the tags and "latest" that name it), or a
 * workspace's own (each move of HEAD). Reading the list costs a few
 * listings; a version's message costs opening its manifest, so it is
 * read on demand. Nothing here prints, dies on a registry's error, or
 * keeps state between calls: several threads may call it at once.
 *
 *	struct version_log log;
 *	if (version_log_registry(&log, ws, registry, "ns/name", 0, &err) ||
 *	    version_log_read_messages(&log, ws, &err))
 *		... error ...
 *	for (i = 0; i < log.nr; i++)
 *		... log.v[i] ...
 *	version_log_release(&log);
 */

struct version_log_entry {
	struct object_id top;
	uint64_t time;		/* unix seconds: pushed, or HEAD moved */
	const char *ref;	/* "latest" or "HEAD" when it names it, else
				   NULL (a static string) */
	struct string_list tags;	/* the tags naming it, as listed */
	char *message;		/* NULL until read; "" when it has none */
};

struct version_log {
	char *name;		/* "ns/name"; NULL for an unnamed workspace */
	/*
	 * The registry's URL as opened, credentials and all (print it
	 * through redact_url() or json_url()); NULL for a workspace's log.
	 */
	char *registry;
	struct version_log_entry *v;	/* newest first */
	size_t nr, alloc;
	char *registry_arg;	/* private: how the registry was named */
};

/*
 * The versions of package name in the registry registry_arg (NULL: the
 * default one, see porcelain_registry()); name may name its registry
 * (rev-url.h: s3://bucket/ns/name). At most max of them (0: all), newest
 * first, without their messages. ws (may be NULL) gives the remotes a
 * registry_arg may name.
 *
 * 0, or a negative qerr with err saying why: QERR_USAGE when name is not
 * a package name, QERR_NOTFOUND when the registry has no such package
 * (or no such registry), others for the registry's failures. log is
 * initialized first and released with version_log_release() either way.
 */
int version_log_registry(struct version_log *log, struct workspace *ws,
			 const char *registry_arg, const char *name,
			 unsigned long max, struct strbuf *err);

/*
 * The same for the commits of the workspace ws, from .quire/logs/HEAD.
 * QERR_NOTFOUND when nothing has been committed yet.
 */
int version_log_workspace(struct version_log *log, struct workspace *ws,
			  unsigned long max, struct strbuf *err);

/*
 * Read the message of log->v[i] into its message member (nothing to do
 * when it is there), opening its manifest (fetched and verified once if
 * need be; see porcelain_open_version()). ws is the one the log was read
 * with. 0, or a negative qerr with err saying why the version could not
 * be had. A version whose metadata does not parse has message "".
 */
int version_log_read_message(struct version_log *log, struct workspace *ws,
			     size_t i, struct strbuf *err);
/* The same for every version, newest first; stops at the first error. */
int version_log_read_messages(struct version_log *log, struct workspace *ws,
			      struct strbuf *err);

void version_log_release(struct version_log *log);

/*
 * What log --json prints (Documentation/quire-json.adoc), each a new
 * tree the caller frees with json_free():
 *
 *   version_log_head_json(): {"name": ..., "registry": ...}, the
 *	members before "versions" (for a printer that streams them);
 *   version_log_entry_json(): one item of "versions" (its message read);
 *   version_log_to_json(): the whole object (every message read).
 */
struct json *version_log_head_json(const struct version_log *log);
struct json *version_log_entry_json(const struct version_log_entry *e);
struct json *version_log_to_json(const struct version_log *log);

/*
 * All of it for a package in a registry: *out is what
 * 'quire log --json [-r registry_arg] [-n max] name' prints (max 0: every
 * version), or NULL on an error (returned as version_log_registry() and
 * version_log_read_message() return it).
 */
int version_log_json(struct workspace *ws, const char *registry_arg,
		     const char *name, unsigned long max, struct json **out,
		     struct strbuf *err);

#endif
