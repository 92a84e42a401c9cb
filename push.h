#ifndef PUSH_H
#define PUSH_H

#include "hash.h"
#include "strbuf.h"

struct workspace;
struct registry;

/*
 * Publishing a workspace's last commit (HEAD) to a registry.
 *
 * push_data() copies every entry whose bytes are not in this registry yet
 * (only local, or in another registry) into it under <prefix><logical
 * key> and records the registry's physical key. An object already there
 * with the same bytes is reused; one with other bytes is never
 * overwritten: with the default prefix ("<ns>/<name>/") the version's
 * own folder "<ns>/<name>/<top hash, 12 digits>/" is used instead, with
 * a prefix given it is refused (QERR_EXISTS, naming it). Where the store
 * cannot refuse an overwrite by itself (transport_conditional() is 0, in
 * an unversioned bucket), all new bytes go to "<prefix><whole top
 * hash>/", which no push of other bytes chooses. The manifest is written
 * again with the new physical keys (its top hash does not change).
 *
 * push_manifest() writes the manifest and the quilt3 pointers, and moves
 * latest only from the version this workspace was built from.
 */
struct push_stats {
	uint64_t uploaded, reused, bytes;
};

enum push_data_flags {
	PUSH_DATA_QUIET = (1 << 0),
	/* only entries whose bytes are local files; S3 objects stay put */
	PUSH_DATA_LOCAL_ONLY = (1 << 1),
};

int push_data(struct workspace *ws, struct registry *reg, const char *name,
	      const char *prefix, unsigned flags, struct push_stats *stats,
	      struct strbuf *err);

struct push_opts {
	const char *tag;
	int force_tag;	/* move the tag when it points elsewhere */
	int force;
	int allow_local_files;
};

/*
 * QERR_STALE when the registry's latest moved (err names both hashes),
 * QERR_USAGE when the manifest has local physical keys and the registry
 * is not on this machine, or when it lacks provenance the registry
 * requires (see push_check_provenance()).
 */
int push_manifest(struct workspace *ws, struct registry *reg,
		  const char *name, const struct push_opts *opts,
		  struct object_id *top, struct strbuf *err);

/*
 * How many entries of the version top (in ws's store) point to files of
 * this machine, other than the files of reg when it is a folder
 * registry (reg may be NULL): *count, and the first one's logical key
 * appended to first. 0 or a negative qerr with err.
 */
int push_count_local(struct workspace *ws, struct registry *reg,
		     const struct object_id *top, uint64_t *count,
		     struct strbuf *first, struct strbuf *err);

/*
 * Does HEAD have the provenance fields the registry requires (its
 * .quire/required-provenance; see registry_required_provenance())? 0
 * when it does, when nothing is required, or when there is no HEAD;
 * QERR_USAGE naming what is missing otherwise. Nothing is written.
 */
int push_check_provenance(struct workspace *ws, struct registry *reg,
			  struct strbuf *err);

/*
 * The whole of push-data, push-manifest and push: open the registry
 * (created when it is a folder that does not exist yet), check the
 * operands and the provenance the registry requires, then push the
 * data (when with_data) and the manifest, all in one index transaction.
 * registry and name may be NULL (the origin remote or the embedded
 * default registry; the workspace's package).
 */
struct push_request {
	const char *registry;
	const char *name;
	struct push_opts opts;
	int with_data, with_manifest;
	const char *data_prefix;
	int local_files_only;	/* push_data(): PUSH_DATA_LOCAL_ONLY */
	int quiet;
	/*
	 * Build on whatever the registry's latest is, not on the version
	 * the workspace came from (an export's scratch workspace came from
	 * none); latest still moves only from it.
	 */
	int on_latest;
};

/* The options of push and push-manifest for rq->opts (parse-options.h). */
#define OPT_PUSH_MANIFEST(rq) \
	OPT_STRING('t', "tag", &(rq)->opts.tag, "tag", "also tag it"), \
	OPT_BOOL(0, "force-tag", &(rq)->opts.force_tag, \
		 "move the tag if it points to another version"), \
	OPT_BOOL(0, "force", &(rq)->opts.force, \
		 "move latest even if it moved since this was built"), \
	OPT_BOOL(0, "allow-local-files", &(rq)->opts.allow_local_files, \
		 "push even if entries point to local files")

int push_run(struct workspace *ws, const struct push_request *rq,
	     struct object_id *top, struct push_stats *stats,
	     struct strbuf *registry_url_out, struct strbuf *err);

/* The version a workspace was built from, in a registry (base). */
int push_base_get(struct workspace *ws, struct registry *reg,
		  const char *name, struct object_id *base);
int push_base_set(struct workspace *ws, struct registry *reg,
		  const char *name, const struct object_id *base,
		  struct strbuf *err);

#endif
