#include "builtin.h"
#include "parse-options.h"
#include "refs/refs.h"
#include "workspace.h"

static const char * const show_ref_usage[] = {
	"quire show-ref [--head] [--hash] [<pattern>...]",
	NULL
};

struct show {
	int hash_only;
	const char **patterns;
	int nr_patterns;
	int shown;
};

/* As git: a pattern matches the whole name or its last components. */
static int matches(const struct show *s, const char *name)
{
	size_t len = strlen(name);
	int i;

	if (!s->nr_patterns)
		return 1;
	for (i = 0; i < s->nr_patterns; i++) {
		size_t plen = strlen(s->patterns[i]);

		if (!strcmp(name, s->patterns[i]))
			return 1;
		if (len > plen && name[len - plen - 1] == '/' &&
		    !strcmp(name + len - plen, s->patterns[i]))
			return 1;
	}
	return 0;
}

static int show_one(const char *name, const struct object_id *oid,
		    void *payload)
{
	struct show *s = payload;

	if (!matches(s, name))
		return 0;
	if (s->hash_only)
		printf("%s\n", oid_to_hex(oid));
	else
		printf("%s %s\n", oid_to_hex(oid), name);
	s->shown++;
	return 0;
}

int cmd_show_ref(int argc, const char **argv, const char *prefix,
		 struct workspace *ws)
{
	struct show s = { 0 };
	struct object_id head;
	int show_head = 0;
	struct option options[] = {
		OPT_BOOL(0, "head", &show_head, "show HEAD too"),
		OPT_BOOL(0, "hash", &s.hash_only, "print hashes only"),
		OPT_END()
	};

	argc = parse_options(argc, argv, prefix, options, show_ref_usage, 0);
	s.patterns = argv;
	s.nr_patterns = argc;
	if (show_head && !refs_read(ws->refs, "HEAD", &head))
		show_one("HEAD", &head, &s);
	refs_for_each(ws->refs, show_one, &s);
	return s.shown ? 0 : 1;
}
