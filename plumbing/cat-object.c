#include "builtin.h"
#include "parse-options.h"
#include "workspace.h"

static const char * const cat_object_usage[] = {
	"quire cat-object [-e | -s] <hash>",
	NULL
};

static void copy_fd_to_stdout(int fd)
{
	char *buf = xmalloc(1 << 20);

	fflush(stdout);
	for (;;) {
		ssize_t n = read_in_full(fd, buf, 1 << 20);

		if (n < 0)
			die_errno("cannot read object");
		if (!n)
			break;
		if (write_in_full(STDOUT_FILENO, buf, n) < 0)
			die_errno("cannot write to standard output");
	}
	free(buf);
}

int cmd_cat_object(int argc, const char **argv, const char *prefix,
		   struct workspace *ws)
{
	int exists = 0, size_only = 0, fd = -1, ret;
	struct strbuf err = STRBUF_INIT;
	struct object_id oid;
	uint64_t size = 0;
	struct option options[] = {
		OPT_BOOL('e', NULL, &exists,
			 "exit 0 if the object is present and intact, else 1"),
		OPT_BOOL('s', NULL, &size_only, "print the object's size"),
		OPT_END()
	};

	argc = parse_options(argc, argv, prefix, options, cat_object_usage,
			     0);
	if (argc != 1 || (exists && size_only))
		usage_with_options(cat_object_usage, options);
	if (oid_parse_arg(&oid, argv[0], HASH_SHA256) < 0 ||
	    oid.type == HASH_MANIFEST)
		die("'%s' is not an object hash: give a sha2-256-chunked "
		    "value (base64), a SHA256 value (hex) or TYPE:VALUE",
		    argv[0]);
	ret = odb_open_verified(&ws->odb, &oid, &fd, &size, &err);
	if (exists) {
		strbuf_release(&err);
		if (!ret)
			close(fd);
		return ret ? 1 : 0;
	}
	if (ret == QERR_NOTFOUND)
		die("%s; store it with 'quire hash-object -w'", err.buf);
	if (ret)
		die("%s", err.buf);
	if (size_only)
		printf("%" PRIu64 "\n", size);
	else
		copy_fd_to_stdout(fd);
	close(fd);
	strbuf_release(&err);
	return 0;
}
