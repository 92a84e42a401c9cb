#ifndef TEST_TOOL_H
#define TEST_TOOL_H

#include "quire-compat.h"

/* Subcommands of t/helper/test-tool, one file each. */
int cmd__json(int argc, const char **argv);
int cmd__genfile(int argc, const char **argv);
int cmd__gen_manifest(int argc, const char **argv);
int cmd__aws_config(int argc, const char **argv);
int cmd__sigv4(int argc, const char **argv);
int cmd__progress(int argc, const char **argv);
int cmd__fuse_probe(int argc, const char **argv);
int cmd__version_json(int argc, const char **argv);

#endif
