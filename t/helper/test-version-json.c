#include "t/helper/test-tool.h"
#include "json.h"
#include "lineage.h"
#include "version-log.h"
#include "version-show.h"
#include <pthread.h>

/*
 * test-tool version-json [--threads <n>] [--same-registry]
 *                        [--max-nodes <n>] [-n <max>]
 *                        (show | log | lineage) <registry> <rev>
 *
 * Build the document of show --json, log --json (<rev> is the package)
 * or lineage --json with the library, outside any workspace, as quire
 * serve does (<registry> "-" is none: the default one, or the one <rev>
 * names): <n> threads (default 1) build it at once, and all must get the
 * same answer. Prints the document and a newline, or the error as
 * "<qerr name>: <message>" on standard error with exit status 1. Exit 2
 * when the threads disagree.
 */
struct job {
	const char *what, *registry, *rev;
	unsigned long max;
	struct lineage_opts opts;
	int ret;
	struct strbuf out;	/* the document, or the message */
	pthread_t thread;
};

static void *build(void *arg)
{
	struct job *j = arg;
	struct strbuf err = STRBUF_INIT;
	struct json *doc = NULL;

	if (!strcmp(j->what, "show"))
		j->ret = version_show_json(NULL, j->registry, j->rev, &doc,
					   &err);
	else if (!strcmp(j->what, "log"))
		j->ret = version_log_json(NULL, j->registry, j->rev, j->max,
					  &doc, &err);
	else
		j->ret = lineage_json(NULL, j->registry, j->rev, &j->opts,
				      &doc, &err);
	if (doc)
		json_write_python(&j->out, doc);
	else
		strbuf_addbuf(&j->out, &err);
	json_free(doc);
	strbuf_release(&err);
	return NULL;
}

static const char *qerr_name(int ret)
{
	switch (ret) {
	case QERR_NOTFOUND:
		return "QERR_NOTFOUND";
	case QERR_EXISTS:
		return "QERR_EXISTS";
	case QERR_LOCKED:
		return "QERR_LOCKED";
	case QERR_STALE:
		return "QERR_STALE";
	case QERR_CORRUPT:
		return "QERR_CORRUPT";
	case QERR_USAGE:
		return "QERR_USAGE";
	default:
		return "QERR_GENERIC";
	}
}

static int usage_exit(void)
{
	fprintf(stderr, "usage: test-tool version-json [--threads <n>] "
		"[--same-registry] [--max-nodes <n>] [-n <max>] "
		"(show | log | lineage) <registry> <rev>\n");
	return 129;
}

int cmd__version_json(int argc, const char **argv)
{
	struct job proto = { 0 }, *jobs;
	unsigned long threads = 1, n;
	uint64_t v;
	size_t i;
	int ret = 0;

	for (argv++, argc--; argc > 1 && argv[0][0] == '-'; argv++, argc--) {
		if (!strcmp(argv[0], "--same-registry")) {
			proto.opts.flags |= LINEAGE_SAME_REGISTRY;
			continue;
		}
		if (argc < 2 || parse_u64(argv[1], &v))
			return usage_exit();
		n = (unsigned long)v;
		if (!strcmp(argv[0], "--threads") && n)
			threads = n;
		else if (!strcmp(argv[0], "--max-nodes"))
			proto.opts.max_nodes = n;
		else if (!strcmp(argv[0], "-n"))
			proto.max = n;
		else
			return usage_exit();
		argv++, argc--;
	}
	if (argc != 3 || (strcmp(argv[0], "show") && strcmp(argv[0], "log") &&
			  strcmp(argv[0], "lineage")))
		return usage_exit();
	proto.what = argv[0];
	proto.registry = strcmp(argv[1], "-") ? argv[1] : NULL;
	proto.rev = argv[2];
	jobs = xcalloc(threads, sizeof(*jobs));
	for (i = 0; i < threads; i++) {
		jobs[i] = proto;
		strbuf_init(&jobs[i].out, 0);
		if (pthread_create(&jobs[i].thread, NULL, build, &jobs[i]))
			die("cannot start a thread");
	}
	for (i = 0; i < threads; i++)
		pthread_join(jobs[i].thread, NULL);
	for (i = 1; i < threads; i++)
		if (jobs[i].ret != jobs[0].ret ||
		    strcmp(jobs[i].out.buf, jobs[0].out.buf)) {
			fprintf(stderr, "thread %zu: %d %s\nthread 0: %d %s\n",
				i, jobs[i].ret, jobs[i].out.buf, jobs[0].ret,
				jobs[0].out.buf);
			ret = 2;
		}
	if (!ret && jobs[0].ret) {
		fprintf(stderr, "%s: %s\n", qerr_name(jobs[0].ret),
			jobs[0].out.buf);
		ret = 1;
	} else if (!ret) {
		printf("%s\n", jobs[0].out.buf);
	}
	for (i = 0; i < threads; i++)
		strbuf_release(&jobs[i].out);
	free(jobs);
	return ret;
}
