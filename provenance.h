#ifndef PROVENANCE_H
#define PROVENANCE_H

#include "json.h"
#include "parse-options.h"
#include "string-list.h"
#include "strbuf.h"

struct workspace;

/*
 * Where a package version came from. It is kept in the package metadata
 * (line 1 of the manifest) under the top-level key "provenance", so it is
 * part of the top hash:
 *
 *   {"parents": [{"name": "ns/name", "registry": "<url>",
 *                 "top_hash": "<64 hex>"}, ...],
 *    "source": {"url": "...", "version": "...", "commit": "...",
 *               "dirty": true},
 *    "inputs": [{"path": "/abs/file", "size": N,
 *                "hash": {"type": "sha2-256-chunked", "value": "..."}},
 *               {"url": "https://..."}, ...],
 *    "environment": {"KEY": "VALUE", ...}}
 *
 * Only the parts that were given are written, in this order; "dirty" only
 * when it is true.
 */

/*
 * What the provenance options of a command collected. The strings are
 * borrowed from argv; the lists are the options' own (release them).
 */
struct provenance_opts {
	struct string_list parents;	/* [<registry>#]<ns>/<name>[...] */
	const char *source_url;
	const char *source_version;
	const char *source_commit;
	int from_git;
	int allow_dirty;
	struct string_list inputs;	/* local files, or URLs */
	struct string_list env;		/* KEY=VALUE */
};

#define PROVENANCE_OPTS_INIT { \
	STRING_LIST_INIT, NULL, NULL, NULL, 0, 0, \
	STRING_LIST_INIT, STRING_LIST_INIT \
}

/*
 * The options, for a command's option table:
 *
 *	struct provenance_opts prov = PROVENANCE_OPTS_INIT;
 *	struct option options[] = {
 *		...,
 *		OPT_PROVENANCE(&prov),
 *		OPT_END()
 *	};
 *	...
 *	if (provenance_opts_given(&prov) &&
 *	    provenance_build(ws, &prov, &obj, &err) < 0)
 *		die("%s", err.buf);
 *
 * and "[<provenance-options>]" in the usage line; see quire-commit(1) for
 * the text a man page can take over.
 */
#define OPT_PROVENANCE(o) \
	OPT_STRING_LIST(0, "parent", &(o)->parents, "rev", \
			"a package version it was made from (repeatable)"), \
	OPT_STRING(0, "source-url", &(o)->source_url, "url", \
		   "where the code that made it lives"), \
	OPT_STRING(0, "source-version", &(o)->source_version, "version", \
		   "the version of that code"), \
	OPT_STRING(0, "source-commit", &(o)->source_commit, "commit", \
		   "the commit of that code"), \
	OPT_BOOL(0, "from-git", &(o)->from_git, \
		 "take the source from the git repository here"), \
	OPT_BOOL(0, "allow-dirty", &(o)->allow_dirty, \
		 "with --from-git: accept uncommitted changes"), \
	OPT_STRING_LIST(0, "input", &(o)->inputs, "path", \
			"a file or URL it was made from (repeatable)"), \
	OPT_STRING_LIST(0, "env", &(o)->env, "key=value", \
			"a fact about the environment (repeatable)")

/* Was any provenance option given? 1 or 0. */
int provenance_opts_given(const struct provenance_opts *o);
void provenance_opts_release(struct provenance_opts *o);

/*
 * Build the provenance object that o describes, into *out (a new object
 * the caller frees with json_free()). Everything is checked before it is
 * recorded:
 *  - each parent is resolved in its registry (opened through ws's remotes
 *    when ws is not NULL; see porcelain_registry()) and must exist there;
 *  - with from_git, git is run in the current folder (not in a git
 *    repository, no commit yet, or uncommitted changes without
 *    allow_dirty are errors); explicit source_* values override what git
 *    says, and an empty one leaves that field out;
 *  - each input that is not a URL must be a regular file, and is hashed;
 *  - each env item must be KEY=VALUE with a KEY.
 * Returns 0 or a negative qerr with err saying what is wrong and what to
 * do (QERR_USAGE for malformed options).
 */
int provenance_build(struct workspace *ws, const struct provenance_opts *o,
		     struct json **out, struct strbuf *err);

/*
 * Record one more input in prov (a provenance object, maybe empty): a
 * URL (anything with "://") as {"url": ...}, else a local regular file,
 * hashed, as {"path": <absolute path>, "size": N, "hash": {...}}. The
 * members of prov stay in the documented order. 0 or a negative qerr.
 */
int provenance_add_input(struct json *prov, const char *input,
			 struct strbuf *err);

/*
 * Split a parent reference, any revision that may name its registry
 * (rev-url.h: "[<registry>#]<ns>/<name>[:<tag>|@<hash>]", an s3:// or
 * file:// URL ending in the package, or quilt's "quilt+s3://<bucket>
 * #package=<ns>/<name>[@<hash>]"), into *registry (NULL when none was
 * given) and *rev ("<ns>/<name>..."); both
 * are new strings the caller frees. QERR_USAGE when arg is malformed.
 */
int provenance_parent_parse(const char *arg, char **registry, char **rev,
			    struct strbuf *err);

/*
 * Does prov have the field at the dotted path ("source.commit")? A field
 * that is absent, null, "", [] or {} counts as missing. prov may be NULL.
 */
int provenance_has(const struct json *prov, const char *path);

/*
 * Check prov (may be NULL) against the fields a registry requires (see
 * registry_required_provenance()). 0 when all are there, else QERR_USAGE
 * with err: "<where> requires provenance: <missing fields>; record them
 * with 'quire commit <options>'".
 */
int provenance_check_required(const struct json *prov,
			      const struct string_list *required,
			      const char *where, struct strbuf *err);

#endif
