#include "quire-compat.h"
#include "t/helper/test-tool.h"
#include "physical-key.h"
#include "s3/sigv4.h"

/*
 * test-tool sigv4 [--region=R] [--service=S] METHOD HOST PATH QUERY
 *	PAYLOAD_HASH EPOCH KEYID SECRET [TOKEN] [-- 'Name: value'...]
 *
 * Sign one request as quire would send it and print its Authorization
 * header line. PATH ("/bucket/key") and QUERY ("a=1&b&c=x y") are given
 * decoded, with "%XX" standing for a byte (so that a value may hold '&'
 * as "%26", and '%' is "%25"): the tool encodes them itself, the path
 * with sigv4_encode() and '/' kept, the query with sigv4_query(). The
 * region defaults to us-east-1 and the service to s3.
 */

static const char usage_str[] =
	"usage: test-tool sigv4 [--region=R] [--service=S] METHOD HOST PATH"
	" QUERY PAYLOAD_HASH EPOCH KEYID SECRET [TOKEN] [-- HEADER...]\n";

static void decode(struct strbuf *out, const char *s, size_t len)
{
	if (url_unquote(out, s, len, 0) < 0)
		die("not UTF-8 once decoded: '%.*s'", (int)len, s);
}

/* "a=1&b&c=" into the pairs sigv4_query() takes; free with free_pairs. */
static char **split_query(const char *q)
{
	struct strbuf sb = STRBUF_INIT;
	char **pairs = NULL;
	size_t nr = 0, alloc = 0;

	while (*q) {
		const char *end = strchrnul(q, '&');
		const char *eq = memchr(q, '=', end - q);

		ALLOC_GROW(pairs, nr + 3, alloc);
		decode(&sb, q, (eq ? eq : end) - q);
		pairs[nr++] = strbuf_detach(&sb, NULL);
		if (eq) {
			decode(&sb, eq + 1, end - eq - 1);
			pairs[nr++] = strbuf_detach(&sb, NULL);
		} else {
			pairs[nr++] = NULL;
		}
		q = *end ? end + 1 : end;
	}
	ALLOC_GROW(pairs, nr + 1, alloc);
	pairs[nr] = NULL;
	return pairs;
}

static void free_pairs(char **pairs)
{
	size_t i;

	for (i = 0; pairs[i]; i += 2) {
		free(pairs[i]);
		free(pairs[i + 1]);
	}
	free(pairs);
}

int cmd__sigv4(int argc, const char **argv)
{
	const char *region = "us-east-1", *service = "s3";
	struct strbuf path = STRBUF_INIT, raw = STRBUF_INIT,
		      query = STRBUF_INIT;
	struct sigv4_request rq = { 0 };
	struct sigv4_headers h;
	char **pairs;
	uint64_t epoch;
	int nr;

	argc--;
	argv++;
	for (; argc && !strncmp(argv[0], "--", 2) && argv[0][2]; argc--, argv++)
		if (!strncmp(argv[0], "--region=", 9))
			region = argv[0] + 9;
		else if (!strncmp(argv[0], "--service=", 10))
			service = argv[0] + 10;
		else
			break;
	for (nr = 0; nr < argc && strcmp(argv[nr], "--"); nr++)
		;
	if ((nr != 8 && nr != 9) || parse_u64(argv[5], &epoch) ||
	    (time_t)epoch < 0 || (uint64_t)(time_t)epoch != epoch) {
		fputs(usage_str, stderr);
		return 129;
	}

	decode(&raw, argv[2], strlen(argv[2]));
	sigv4_encode(&path, raw.buf, raw.len, 1);
	pairs = split_query(argv[3]);
	sigv4_query(&query, (const char *const *)pairs);
	rq.method = argv[0];
	rq.host = argv[1];
	rq.path = path.buf;
	rq.query = query.buf;
	rq.payload_hash = argv[4];
	rq.now = (time_t)epoch;
	rq.headers = nr < argc ? argv + nr + 1 : NULL;

	sigv4_headers_init(&h);
	sigv4_sign(&rq, service, region, argv[6], argv[7],
		   nr == 9 ? argv[8] : NULL, &h);
	printf("%s\n", h.authorization.buf);
	sigv4_headers_release(&h);
	free_pairs(pairs);
	strbuf_release(&path);
	strbuf_release(&raw);
	strbuf_release(&query);
	if (fflush(stdout) || ferror(stdout))
		die_errno("cannot write to stdout");
	return 0;
}
