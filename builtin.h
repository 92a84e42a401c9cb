#ifndef BUILTIN_H
#define BUILTIN_H

#include "quire-compat.h"

struct workspace;

/*
 * Every command: cmd_<name>(argc, argv, prefix, ws). argv[0] is the
 * command's name. ws is the workspace for RUN_SETUP commands, and may be
 * NULL for RUN_SETUP_GENTLY ones (and is NULL for the others). prefix is
 * the current folder relative to the workspace root ("" at the root).
 */
#define RUN_SETUP (1 << 0)
#define RUN_SETUP_GENTLY (1 << 1)

typedef int command_fn(int argc, const char **argv, const char *prefix,
		       struct workspace *ws);

/* Helpers for commands (they may die; the library may not). */
#include "index-db.h"
#include "porcelain.h"
#include "strbuf.h"
#include "workspace.h"

/* Open the index and start the command's write transaction. */
static inline void begin_index_write(struct workspace *ws)
{
	struct strbuf err = STRBUF_INIT;

	if (workspace_index(ws, &err) < 0 || idx_begin_write(ws->idx, &err) < 0)
		die("%s", err.buf);
	strbuf_release(&err);
}

static inline void open_index(struct workspace *ws)
{
	struct strbuf err = STRBUF_INIT;

	if (workspace_index(ws, &err) < 0)
		die("%s", err.buf);
	strbuf_release(&err);
}

static inline void commit_index_write(struct workspace *ws)
{
	struct strbuf err = STRBUF_INIT;

	if (idx_commit(ws->idx, &err) < 0)
		die("%s", err.buf);
	strbuf_release(&err);
}

/*
 * The same for a command that only reads and refreshes the stat cache on
 * the way (idx_begin_cache()): when the disk is full or the index is
 * read-only, the command still answers, with one warning.
 */
static inline void begin_cache_write(struct workspace *ws)
{
	struct strbuf err = STRBUF_INIT;

	if (workspace_index(ws, &err) < 0 || idx_begin_cache(ws->idx, &err) < 0)
		die("%s", err.buf);
	strbuf_release(&err);
}

static inline void commit_cache_write(struct workspace *ws)
{
	struct strbuf err = STRBUF_INIT;
	int ret = idx_commit_cache(ws->idx, &err);

	if (ret < 0)
		die("%s", err.buf);
	if (ret > 0)
		warning("%s", err.buf);
	strbuf_release(&err);
}

/* The workspace's package name, or die saying how to set one. */
static inline const char *need_package_name(struct workspace *ws)
{
	const char *name = workspace_package_name(ws);

	if (!name)
		die("this workspace has no package name; run 'quire config "
		    "package.name ns/name' or give one");
	return name;
}

/* Open a version as an entry stream, or die saying why. */
static inline struct entry_stream *open_stream(struct workspace *ws,
					       const char *reg,
					       const char *rev, FILE **fp)
{
	struct strbuf err = STRBUF_INIT;
	struct object_id top;
	struct entry_stream *s;

	if (porcelain_open_stream(ws, reg, rev, &top, fp, &s, &err) < 0)
		die("%s", err.buf);
	return s;
}

command_fn cmd_add;
command_fn cmd_cache;
command_fn cmd_cat;
command_fn cmd_cat_manifest;
command_fn cmd_cat_object;
command_fn cmd_check_ignore;
command_fn cmd_check_manifest;
command_fn cmd_checkout;
command_fn cmd_commit;
command_fn cmd_config;
command_fn cmd_diff;
command_fn cmd_diff_manifest;
command_fn cmd_export_dsdb;
command_fn cmd_export_slice;
command_fn cmd_fetch_manifest;
command_fn cmd_filter;
command_fn cmd_fsck;
command_fn cmd_hash;
command_fn cmd_hash_object;
command_fn cmd_import_dsdb;
command_fn cmd_init;
command_fn cmd_install;
command_fn cmd_lineage;
command_fn cmd_list;
command_fn cmd_log;
command_fn cmd_ls;
command_fn cmd_ls_manifest;
command_fn cmd_merge;
command_fn cmd_meta;
command_fn cmd_mount;
command_fn cmd_mv;
command_fn cmd_pull;
command_fn cmd_push;
command_fn cmd_push_data;
command_fn cmd_push_manifest;
command_fn cmd_readme;
command_fn cmd_remote;
command_fn cmd_rev_parse;
command_fn cmd_rm;
command_fn cmd_rollback;
command_fn cmd_serve;
command_fn cmd_set;
command_fn cmd_show;
command_fn cmd_show_ref;
command_fn cmd_slice;
command_fn cmd_status;
command_fn cmd_tag;
command_fn cmd_top_hash;
command_fn cmd_umount;
command_fn cmd_update_ref;
command_fn cmd_verify;
command_fn cmd_write_manifest;

#endif
