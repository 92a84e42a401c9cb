#ifndef FUZZ_H
#define FUZZ_H

#include "quire-compat.h"
#include "strbuf.h"

/*
 * What every fuzz target defines (libFuzzer's entry point) and the few
 * helpers they share. A target is built twice: with clang and
 * -fsanitize=fuzzer for "make fuzz", and with the plain compiler and
 * replay.c, which feeds it the committed corpus in "make test".
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * An invariant that must hold for every input. A failure prints what
 * failed and aborts, so that libFuzzer keeps the input as a crash and
 * the replay of a corpus stops with a failed test.
 */
#define FUZZ_ASSERT(cond) \
	((cond) ? (void)0 : fuzz_fail(__FILE__, __LINE__, #cond))

static inline NORETURN void fuzz_fail(const char *file, int line,
				      const char *what)
{
	fprintf(stderr, "%s:%d: invariant failed: %s\n", file, line, what);
	fflush(stderr);
	abort();
}

/* Print a labelled buffer to stderr before an assertion fails. */
static inline void fuzz_show(const char *label, const char *buf, size_t len)
{
	fprintf(stderr, "%s (%" PRIuMAX " bytes): '%.*s'\n", label,
		(uintmax_t)len, len > 4096 ? 4096 : (int)len, buf);
}

/* Two results that must be the same bytes; else show both and fail. */
static inline void check_same_bytes(const struct strbuf *a,
				    const struct strbuf *b, const char *what)
{
	if (a->len == b->len && !memcmp(a->buf, b->buf, a->len))
		return;
	fuzz_show("first", a->buf, a->len);
	fuzz_show("again", b->buf, b->len);
	fuzz_fail(__FILE__, __LINE__, what);
}

#endif
