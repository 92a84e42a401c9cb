#include "t/helper/test-tool.h"
#include "hash.h"
#include "strbuf.h"

/*
 * test-tool gen-manifest <count> [--shuffle] [--seed N]: a manifest of
 * <count> entries named like an image data set (train/NNNN/NNNNNNNN.jpg),
 * in quilt3 order unless --shuffle. For benchmarks and scale tests.
 */
static uint64_t rng_state;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void entry(struct strbuf *sb, uint64_t i)
{
	unsigned char digest[HASH_RAWSZ];
	uint64_t seed = i * 2654435761u + 1;

	memset(digest, 0, sizeof(digest));
	memcpy(digest, &seed, sizeof(seed));
	strbuf_addf(sb, "{\"logical_key\": \"train/%04" PRIu64 "/%08" PRIu64
		    ".jpg\", \"physical_keys\": [\"s3://bench-bucket/train/"
		    "%04" PRIu64 "/%08" PRIu64 ".jpg?versionId=v%" PRIu64
		    "\"], \"size\": %" PRIu64 ", \"hash\": {\"type\": "
		    "\"sha2-256-chunked\", \"value\": \"",
		    i / 1000, i, i / 1000, i, i, 1000 + i % 50000);
	base64_encode(sb, digest, HASH_RAWSZ);
	strbuf_addf(sb, "\"}, \"meta\": {\"user_meta\": {\"label\": %" PRIu64
		    ", \"w\": %" PRIu64 ".5}}}\n", i % 10, i % 100);
}

int cmd__gen_manifest(int argc, const char **argv)
{
	struct strbuf sb = STRBUF_INIT;
	uint64_t count, i, *order = NULL;
	int shuffle = 0, a;

	rng_state = 88172645463325252ull;
	if (argc < 2 || parse_u64(argv[1], &count)) {
		fprintf(stderr, "usage: test-tool gen-manifest <count> "
			"[--shuffle] [--seed <n>]\n");
		return 129;
	}
	for (a = 2; a < argc; a++) {
		if (!strcmp(argv[a], "--shuffle"))
			shuffle = 1;
		else if (!strcmp(argv[a], "--seed") && a + 1 < argc &&
			 !parse_u64(argv[a + 1], &rng_state) && rng_state)
			a++;
		else
			die("bad argument '%s'", argv[a]);
	}
	if (shuffle) {
		order = xmalloc(st_mult(count ? count : 1, sizeof(*order)));
		for (i = 0; i < count; i++)
			order[i] = i;
		for (i = count; i > 1; i--) {
			uint64_t j = rng() % i, t = order[i - 1];

			order[i - 1] = order[j];
			order[j] = t;
		}
	}
	strbuf_addstr(&sb, "{\"version\": \"v0\", \"message\": \"bench\"}\n");
	for (i = 0; i < count; i++) {
		entry(&sb, order ? order[i] : i);
		if (sb.len > (1 << 20)) {
			if (write_in_full(1, sb.buf, sb.len) < 0)
				die_errno("write");
			strbuf_reset(&sb);
		}
	}
	if (write_in_full(1, sb.buf, sb.len) < 0)
		die_errno("write");
	strbuf_release(&sb);
	free(order);
	return 0;
}
