#ifndef LINEAGE_H
#define LINEAGE_H

#include "strbuf.h"

struct workspace;
struct json;

/*
 * The graph quire-lineage(1) shows: a package version, the parents its
 * provenance records (each in the registry it records), theirs, and so
 * on. It is walked depth first from the version asked for, parents in
 * their recorded order, without recursion; each version (registry and
 * top hash) is opened once, so a cycle ends where it comes back. A
 * parent that cannot be opened is kept, with the reason, and the walk
 * goes on. Nothing here prints, dies on a registry's error, or keeps
 * state between calls: several threads may walk at once.
 */

/* A version of the graph. */
struct lineage_node {
	char *name;		/* "ns/name"; NULL: none recorded, or an
				   unnamed workspace */
	/*
	 * Its registry's URL as recorded (or as opened, for the version
	 * asked for); it may hold credentials: show it through
	 * redact_text(). NULL for a workspace's own version.
	 */
	char *registry;
	char *top;		/* the top hash (as recorded: NULL when the
				   record lacks it, and maybe not hex) */
	struct json *meta;	/* line 1 of its manifest; NULL when
				   unavailable */
	char *error;		/* why it is unavailable, else NULL */
};

/* A line of the tree: a version where the walk met it. */
struct lineage_line {
	/* "ns/name"; for the root without one "HEAD", a tag, "workspace" */
	const char *label;
	const char *top;	/* as recorded; NULL when missing */
	size_t depth;		/* 0 for the root, 1 for its parents, ... */
	int last;		/* the last parent of the line above it */
	const struct lineage_node *node;
	int seen;		/* node was met on an earlier line (its
				   parents are not walked again) */
};

/* Called for every line in order; a non-zero return stops the walk. */
typedef int lineage_line_fn(const struct lineage_line *line, void *payload);

struct lineage_pending;

struct lineage {
	struct lineage_node *nodes;	/* first met first; [0] the root */
	size_t nr, alloc;
	int truncated;		/* max_nodes stopped the walk */
	/* private: the versions still to walk */
	struct lineage_pending *stack;
	size_t depth, stack_alloc;
};

enum lineage_flags {
	/*
	 * Open a parent only when it is recorded in the registry of the
	 * version asked for (its URL as opened, byte for byte); the others
	 * are kept unopened, with an error. For a server, which should not
	 * read whatever registry a manifest names with its own access.
	 */
	LINEAGE_SAME_REGISTRY = (1 << 0),
};

struct lineage_opts {
	unsigned flags;
	/*
	 * At most this many versions (0: no limit); the walk stops when it
	 * meets one more, and sets truncated.
	 */
	size_t max_nodes;
};

/*
 * Walk the graph from rev: a package revision ns/name[:tag|@hash] in the
 * registry registry_arg (NULL: the default one, see porcelain_registry()),
 * one that names its registry (rev-url.h), or, with a workspace ws, a
 * local revision (HEAD, a tag, a top hash). ws may be NULL. opts may be
 * NULL (as quire lineage: every parent, no limit). fn (may be NULL) is
 * called for each line of the tree as it is met: each version once in
 * full, then with seen set where it comes again.
 *
 * 0; fn's non-zero return; or a negative qerr when rev cannot be opened,
 * with err saying why: QERR_NOTFOUND for an unknown package, tag or
 * version, QERR_USAGE for a revision that is not spelled as one (or
 * that names a registry other than registry_arg), others for the
 * registry's failures. lg is initialized first; release it with
 * lineage_release() either way.
 */
int lineage_walk(struct lineage *lg, struct workspace *ws,
		 const char *registry_arg, const char *rev,
		 const struct lineage_opts *opts, lineage_line_fn *fn,
		 void *payload, struct strbuf *err);
void lineage_release(struct lineage *lg);

/* Borrowed from n->meta; NULL when absent or not of the right type. */
const struct json *lineage_node_provenance(const struct lineage_node *n);
const struct json *lineage_node_parents(const struct lineage_node *n);
const char *lineage_node_message(const struct lineage_node *n);

/*
 * What lineage --json prints (Documentation/quire-json.adoc) for a
 * walked graph, credentials of every URL in it redacted as
 * redact_text() does; the caller frees it with json_free().
 */
struct json *lineage_to_json(const struct lineage *lg);

/*
 * lineage_walk() and lineage_to_json() in one: *out is what
 * 'quire lineage --json [-r registry_arg] rev' prints (with opts NULL),
 * or NULL on an error (returned as lineage_walk() returns it).
 */
int lineage_json(struct workspace *ws, const char *registry_arg,
		 const char *rev, const struct lineage_opts *opts,
		 struct json **out, struct strbuf *err);

#endif
