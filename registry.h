#ifndef REGISTRY_H
#define REGISTRY_H

#include "hash.h"
#include "string-list.h"
#include "strbuf.h"
#include "transport.h"

/*
 * A registry in quilt3's layout, over a transport:
 *   .quilt/packages/<top hash>                      manifest
 *   .quilt/named_packages/<ns>/<name>/latest         a top hash
 *   .quilt/named_packages/<ns>/<name>/<unix seconds> one per pushed version
 *   .quire/tags/<ns>/<name>/<tag>                    quire's tags
 * Pointer files hold the 64 hex digits and no newline, as quilt3 writes.
 */
struct registry {
	struct transport *t;
	int locked;	/* its package lock is held (registry_lock_package) */
};

/* The embedded default registry: $XDG_DATA_HOME/quire/registry. */
void registry_default_path(struct strbuf *out);

/* Open url (see transport_open). *out is freed with registry_free(). */
int registry_open(const char *url, unsigned flags, struct registry **out,
		  struct strbuf *err);
void registry_free(struct registry *reg);
const char *registry_url(const struct registry *reg);

/* "ns/name", "ns/name:tag" or "ns/name@<hash prefix>". */
struct package_rev {
	char *name;
	char *tag;	/* NULL unless ":tag" */
	char *hash;	/* NULL unless "@prefix" */
};
/* 0, or -1 when arg is not of that form (err says why). */
int package_rev_parse(struct package_rev *rev, const char *arg,
		      struct strbuf *err);
void package_rev_release(struct package_rev *rev);
/* Does arg look like a package revision (rather than a local one)? */
int package_rev_like(const char *arg);

/* latest, a tag, or a unique prefix; QERR_NOTFOUND with advice. */
int registry_resolve(struct registry *reg, const struct package_rev *rev,
		     struct object_id *top, struct strbuf *err);
int registry_read_latest(struct registry *reg, const char *name,
			 struct object_id *top, struct strbuf *err);
/*
 * A pointer file at key (below the registry's root) holding a top hash:
 * 0, QERR_NOTFOUND, or QERR_CORRUPT when it holds something else.
 */
int registry_read_pointer(struct registry *reg, const char *key,
			  struct object_id *top, struct strbuf *err);

/*
 * The manifest's bytes into fd (not verified here). recorded (may be
 * NULL) gets the SHA-256 of the bytes as quire recorded them when it
 * pushed the manifest (type HASH_SHA256), when the store keeps it (S3);
 * otherwise its type is HASH_MANIFEST.
 */
int registry_get_manifest(struct registry *reg, const struct object_id *top,
			  int fd, struct object_id *recorded,
			  struct strbuf *err);
/* Store a manifest; one already there (same top hash) stays as it is. */
int registry_put_manifest(struct registry *reg, const struct object_id *top,
			  int fd, struct strbuf *err);
int registry_has_manifest(struct registry *reg, const struct object_id *top);

/*
 * Record top as a new version of name: the timestamp pointer, then
 * latest, moved only from expect (NULL: name must have no latest yet)
 * unless force. QERR_STALE when latest is elsewhere; *actual gets it.
 */
int registry_push_version(struct registry *reg, const char *name,
			  const struct object_id *top,
			  const struct object_id *expect, int force,
			  struct object_id *actual, struct strbuf *err);
/* Move latest to top, from expect (rollback); QERR_STALE as above. */
int registry_set_latest(struct registry *reg, const char *name,
			const struct object_id *top,
			const struct object_id *expect,
			struct object_id *actual, struct strbuf *err);
/*
 * Point a tag at top. One that points elsewhere is moved only with
 * force: QERR_EXISTS otherwise, naming where it points.
 */
int registry_set_tag(struct registry *reg, const char *name,
		     const char *tag, const struct object_id *top, int force,
		     struct strbuf *err);
/* What a tag points to: 0, QERR_NOTFOUND or QERR_CORRUPT. */
int registry_read_tag(struct registry *reg, const char *name,
		      const char *tag, struct object_id *top,
		      struct strbuf *err);

typedef int registry_name_fn(const char *name, void *payload);
int registry_for_each_package(struct registry *reg, registry_name_fn *fn,
			      void *payload, struct strbuf *err);
/* Versions of name, oldest first: unix time and top hash. */
typedef int registry_version_fn(uint64_t time, const struct object_id *top,
				void *payload);
int registry_for_each_version(struct registry *reg, const char *name,
			      registry_version_fn *fn, void *payload,
			      struct strbuf *err);
typedef int registry_tag_fn(const char *tag, const struct object_id *top,
			    void *payload);
int registry_for_each_tag(struct registry *reg, const char *name,
			  registry_tag_fn *fn, void *payload,
			  struct strbuf *err);

/*
 * The provenance fields (dotted paths into a package's "provenance"
 * object, like "source.commit") that this registry requires of what is
 * pushed to it: the registry's file .quire/required-provenance, one a
 * line, '#' starting a comment. They are appended to fields; an absent
 * file requires nothing. QERR_CORRUPT when a line is not a field.
 */
int registry_required_provenance(struct registry *reg,
				 struct string_list *fields,
				 struct strbuf *err);

/*
 * Where the store cannot write conditionally (transport_conditional()
 * is 0), writers of a package's pointers take its lock first: an object
 * .quire/locks/<ns>/<name>, taken with Fischer's timed protocol (see
 * registry-lock.c). Waits up to core.lockTimeout (120 s by default);
 * QERR_LOCKED then. A lock left by a process that died is taken over
 * once it has not changed for QUIRE_S3_LOCK_LEASE ms (30 s).
 */
struct registry_lock {
	struct strbuf key;
	char nonce[33];
	int held;
};
int registry_lock_package(struct registry *reg, const char *name,
			  struct registry_lock *lk, struct strbuf *err);
void registry_unlock_package(struct registry *reg, struct registry_lock *lk);

/*
 * Could ns/name:<tag> also be read as a top hash prefix (the seeds write
 * name:hash)? registry_resolve() reads it so when no such tag exists.
 */
int tag_may_be_hash(const char *tag);

/* Tag names: like a ref component (letters, digits, '.', '_', '-'). */
int tag_name_check(const char *tag);

#endif
