#include "t/helper/test-tool.h"

/*
 * test-tool: internals exposed to the shell tests and benchmarks. Never
 * installed; never part of quire itself.
 */
struct test_cmd {
	const char *name;
	int (*fn)(int argc, const char **argv);
};

static const struct test_cmd cmds[] = {
	{ "aws-config", cmd__aws_config },
	{ "fuse-probe", cmd__fuse_probe },
	{ "gen-manifest", cmd__gen_manifest },
	{ "genfile", cmd__genfile },
	{ "json", cmd__json },
	{ "progress", cmd__progress },
	{ "sigv4", cmd__sigv4 },
	{ "version-json", cmd__version_json },
};

int main(int argc, const char **argv)
{
	size_t i;

	if (argc < 2) {
		fprintf(stderr, "usage: test-tool <command> [<args>]\n");
		return 129;
	}
	for (i = 0; i < ARRAY_SIZE(cmds); i++)
		if (!strcmp(cmds[i].name, argv[1]))
			return cmds[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "test-tool: unknown command '%s'\n", argv[1]);
	return 129;
}
