#include "quire-compat.h"
#include "t/fuzz/fuzz.h"
#include "s3/xml.h"

/*
 * The streaming reader of S3's XML answers (s3/xml.c over expat), as
 * listings, multipart uploads and error bodies use it. Each input is fed
 * whole, then (after xml_stream_reset(), as a retried request does) in
 * one-byte pieces, then in pieces of sizes drawn from a generator seeded
 * by the input, as curl hands over what arrives. Every way must give the
 * same elements (path and text, in order) and the same verdict. Each
 * element's path is "a/b/c" without an empty component; its text holds no
 * NUL (XML cannot carry one); elements end in an order a tree allows (an
 * element is the parent of the one that ended before it, or lies below
 * that parent); a document read to its end ends with its root.
 */

struct events {
	struct strbuf log;	/* path, NUL, text length, text, per element */
	struct strbuf prev;	/* path of the element that ended last */
	size_t nr;
};

/* The parent part of path ("" for the root). */
static size_t parent_len(const char *path, size_t len)
{
	const char *slash = memrchr(path, '/', len);

	return slash ? (size_t)(slash - path) : 0;
}

static void check_path(const char *path, size_t len)
{
	size_t i;

	FUZZ_ASSERT(len && path[0] != '/' && path[len - 1] != '/');
	for (i = 1; i < len; i++)
		FUZZ_ASSERT(path[i] != '/' || path[i - 1] != '/');
}

static void on_element(const char *path, const char *text, size_t len,
		       void *payload)
{
	struct events *ev = payload;
	size_t plen = strlen(path), qp;

	check_path(path, plen);
	FUZZ_ASSERT(!memchr(text, '\0', len) && !text[len]);
	if (ev->nr) {
		/*
		 * When prev ended, its parent was the innermost open
		 * element: this one is that parent, or lies below it.
		 */
		qp = parent_len(ev->prev.buf, ev->prev.len);
		FUZZ_ASSERT(qp && plen >= qp);
		FUZZ_ASSERT(!memcmp(path, ev->prev.buf, qp));
		FUZZ_ASSERT(plen == qp || path[qp] == '/');
	}
	strbuf_reset(&ev->prev);
	strbuf_add(&ev->prev, path, plen);
	strbuf_add(&ev->log, path, plen + 1);
	strbuf_addf(&ev->log, "%" PRIuMAX ":", (uintmax_t)len);
	strbuf_add(&ev->log, text, len);
	ev->nr++;
}

static void events_reset(struct events *ev)
{
	strbuf_reset(&ev->log);
	strbuf_reset(&ev->prev);
	ev->nr = 0;
}

/* A small generator (xorshift64), seeded from the input (FNV-1a). */
static uint64_t next_random(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *state = x;
}

static uint64_t seed_of(const uint8_t *data, size_t size)
{
	uint64_t h = 14695981039346656037ULL;
	size_t i;

	for (i = 0; i < size; i++) {
		h ^= data[i];
		h *= 1099511628211ULL;
	}
	return h ? h : 1;
}

/*
 * Feed data in pieces: whole when step is 0, one byte at a time when it
 * is 1, else pieces of 1 to 64 bytes (now and then up to 4 KiB, or none).
 * The verdict: 0, or -1 when a piece (or the end) was refused.
 */
static int feed(struct xml_stream *x, const uint8_t *data, size_t size,
		int step)
{
	uint64_t state = seed_of(data, size);
	size_t off = 0, n;
	const char *p = (const char *)data;

	while (off < size) {
		if (!step) {
			n = size;
		} else if (step == 1) {
			n = 1;
		} else {
			uint64_t r = next_random(&state);

			if ((r & 0xff) < 8)
				n = (r >> 8) % 4097;
			else
				n = 1 + (r >> 8) % 64;
		}
		if (n > size - off)
			n = size - off;
		if (xml_stream_feed(x, p + off, n, 0) < 0)
			return -1;
		off += n;
	}
	return xml_stream_feed(x, "", 0, 1);
}

static void check_same(const struct events *a, int ra,
		       const struct events *b, int rb, const char *what)
{
	if (ra == rb && a->nr == b->nr && a->log.len == b->log.len &&
	    !memcmp(a->log.buf, b->log.buf, a->log.len))
		return;
	fprintf(stderr, "verdicts %d and %d, %" PRIuMAX " and %" PRIuMAX
		" elements\n", ra, rb, (uintmax_t)a->nr, (uintmax_t)b->nr);
	fuzz_fail(__FILE__, __LINE__, what);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct events whole = { STRBUF_INIT, STRBUF_INIT, 0 };
	struct events piece = { STRBUF_INIT, STRBUF_INIT, 0 };
	struct xml_stream *x = xml_stream_new(on_element, &whole);
	int ret, ret2;

	ret = xml_stream_feed(x, (const char *)data, size, 1);
	if (ret < 0) {
		FUZZ_ASSERT(ret == -1);
		FUZZ_ASSERT(xml_stream_error(x));
		FUZZ_ASSERT(xml_stream_feed(x, "<", 1, 0) == -1);
	} else {
		FUZZ_ASSERT(!ret && whole.nr);
		FUZZ_ASSERT(!strchr(whole.prev.buf, '/'));
	}
	xml_stream_free(x);

	x = xml_stream_new(on_element, &piece);
	ret2 = feed(x, data, size, 1);
	check_same(&whole, ret, &piece, ret2, "byte by byte, same elements");

	xml_stream_reset(x);
	events_reset(&piece);
	ret2 = feed(x, data, size, 2);
	check_same(&whole, ret, &piece, ret2, "in pieces, same elements");

	xml_stream_reset(x);
	events_reset(&piece);
	ret2 = feed(x, data, size, 0);
	check_same(&whole, ret, &piece, ret2, "after a reset, the same");
	xml_stream_free(x);

	strbuf_release(&whole.log);
	strbuf_release(&whole.prev);
	strbuf_release(&piece.log);
	strbuf_release(&piece.prev);
	return 0;
}
