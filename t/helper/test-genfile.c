#include "t/helper/test-tool.h"

/*
 * test-tool genfile <size> [<modulus>]: write <size> bytes to stdout where
 * byte i is i % modulus (251 by default, as in the reference vectors).
 */
int cmd__genfile(int argc, const char **argv)
{
	uint64_t size, mod = 251, i, done = 0;
	unsigned char *buf;
	size_t blk;

	if (argc < 2 || parse_u64(argv[1], &size) ||
	    (argc > 2 && (parse_u64(argv[2], &mod) || !mod || mod > 256))) {
		fprintf(stderr, "usage: test-tool genfile <size> [<mod>]\n");
		return 129;
	}
	/* a multiple of mod, so each block continues the pattern */
	blk = (size_t)mod * 4096;
	buf = xmalloc(blk);
	for (i = 0; i < blk; i++)
		buf[i] = i % mod;
	while (done < size) {
		size_t n = size - done < blk ? (size_t)(size - done) : blk;

		if (write_in_full(STDOUT_FILENO, buf, n) < 0)
			die_errno("write");
		done += n;
	}
	free(buf);
	return 0;
}
