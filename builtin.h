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

command_fn cmd_cat_manifest;
command_fn cmd_cat_object;
command_fn cmd_check_manifest;
command_fn cmd_hash_object;
command_fn cmd_init;
command_fn cmd_ls_manifest;
command_fn cmd_rev_parse;
command_fn cmd_show_ref;
command_fn cmd_top_hash;
command_fn cmd_update_ref;
command_fn cmd_write_manifest;

#endif
