#include "quire-compat.h"
#include "t/fuzz/fuzz.h"
#include "registry.h"
#include "provenance.h"
#include "workspace.h"
#include "logical-key.h"

/*
 * Names a user or a manifest gives quire, checked before anything is
 * looked up: package revisions (package_rev_parse(): "ns/name",
 * "ns/name:tag", "ns/name@<hash prefix>"), parent references
 * (provenance_parent_parse() over rev_url_parse(): "[<registry>#]ns/
 * name...", "s3://bucket/prefix/ns/name...", quilt's
 * "quilt+s3://<bucket>#package=ns/name@<hash>"), and logical keys
 * (logical_key_check() and the order and prefix rules of logical-key.h).
 * The input is the text up to its first NUL for the string APIs, and all
 * its bytes (cut into two or three keys at newlines) for the key APIs.
 *  - A revision that parses is made of a valid name and a valid tag or a
 *    lowercase hex prefix of 6 to 64 digits, and spells arg again; one
 *    that does not leaves nothing behind and says why.
 *  - logical_key_check() agrees with a plain reading of its rules.
 *  - logical_key_cmp() agrees with comparing the keys' components one by
 *    one, as quilt3 walks its tree; it is antisymmetric and transitive; a
 *    folder sorts before what it holds; the prefix rule agrees with its
 *    plain reading.
 */

static int sign(int x)
{
	return (x > 0) - (x < 0);
}

static int is_lower_hex(const char *s)
{
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return 0;
	return 1;
}

static void check_package_rev(const char *arg)
{
	struct package_rev rev;
	struct strbuf err = STRBUF_INIT, again = STRBUF_INIT;
	int ret = package_rev_parse(&rev, arg, &err);

	if (ret) {
		FUZZ_ASSERT(ret == -1 && err.len);
		FUZZ_ASSERT(!rev.name && !rev.tag && !rev.hash);
		strbuf_release(&err);
		return;
	}
	FUZZ_ASSERT(!err.len && rev.name);
	FUZZ_ASSERT(!package_name_check(rev.name, &err));
	FUZZ_ASSERT(!(rev.tag && rev.hash));
	FUZZ_ASSERT(!rev.tag || !tag_name_check(rev.tag));
	if (rev.hash) {
		size_t len = strlen(rev.hash);

		FUZZ_ASSERT(len >= 6 && len <= HASH_HEXSZ);
		FUZZ_ASSERT(is_lower_hex(rev.hash));
	}
	strbuf_addstr(&again, rev.name);
	if (rev.tag)
		strbuf_addf(&again, ":%s", rev.tag);
	if (rev.hash)
		strbuf_addf(&again, "@%s", rev.hash);
	FUZZ_ASSERT(!strcasecmp(again.buf, arg));
	FUZZ_ASSERT(!strncmp(again.buf, arg, strlen(rev.name) + 1));
	FUZZ_ASSERT(package_rev_like(arg) || !strncmp(arg, "refs/", 5));
	package_rev_release(&rev);
	FUZZ_ASSERT(!rev.name && !rev.tag && !rev.hash);
	strbuf_release(&err);
	strbuf_release(&again);
}

static void check_parent(const char *arg)
{
	struct strbuf err = STRBUF_INIT;
	char *registry = NULL, *rev = NULL;
	int ret = provenance_parent_parse(arg, &registry, &rev, &err);

	if (ret) {
		FUZZ_ASSERT(ret == QERR_USAGE && err.len);
		FUZZ_ASSERT(!registry && !rev);
		strbuf_release(&err);
		return;
	}
	FUZZ_ASSERT(!err.len && rev);
	FUZZ_ASSERT(!registry || strchr(arg, '#') ||
		    !strncmp(arg, "s3://", 5) || !strncmp(arg, "file://", 7));
	FUZZ_ASSERT(!registry || strstr(arg, registry));
	check_package_rev(rev);
	free(registry);
	free(rev);
}

/* The rules of logical-key.h, read plainly. */
static int key_ok(const char *key, size_t len, unsigned flags)
{
	size_t start = 0, i, n;

	if (!len || memchr(key, '\0', len))
		return 0;
	if ((flags & LOGICAL_KEY_PATH) && memchr(key, '\\', len))
		return 0;
	for (i = 0; i <= len; i++) {
		if (i < len && key[i] != '/')
			continue;
		n = i - start;
		if (!n || (n == 1 && key[start] == '.') ||
		    (n == 2 && !memcmp(key + start, "..", 2)) ||
		    (n == 6 && !memcmp(key + start, ".quire", 6)))
			return 0;
		start = i + 1;
	}
	return 1;
}

static void check_key(const char *key, size_t len)
{
	struct strbuf err = STRBUF_INIT;
	unsigned flags;
	int ret;

	for (flags = 0; flags <= LOGICAL_KEY_PATH; flags += LOGICAL_KEY_PATH) {
		strbuf_reset(&err);
		ret = logical_key_check(key, len, flags, &err);
		FUZZ_ASSERT(ret == 0 || ret == QERR_CORRUPT);
		FUZZ_ASSERT(!ret == !err.len);
		FUZZ_ASSERT((ret == 0) == key_ok(key, len, flags));
	}
	strbuf_release(&err);
}

/* Length of the component at s[*pos..len), stepping *pos past its '/'. */
static size_t next_component(const char *s, size_t len, size_t *pos)
{
	const char *slash = memchr(s + *pos, '/', len - *pos);
	size_t n = slash ? (size_t)(slash - s) - *pos : len - *pos;

	*pos += n + 1;
	return n;
}

/*
 * quilt3's order, read plainly: the lists of components ("a/" is "a"
 * and ""), compared one component at a time by code point.
 */
static int components_cmp(const char *a, size_t alen, const char *b,
			  size_t blen)
{
	size_t i = 0, j = 0, na, nb;
	int r;

	for (;;) {
		const char *ca, *cb;

		if (i > alen || j > blen)
			return i > alen ? (j > blen ? 0 : -1) : 1;
		ca = a + i;
		cb = b + j;
		na = next_component(a, alen, &i);
		nb = next_component(b, blen, &j);
		r = memcmp(ca, cb, na < nb ? na : nb);
		if (r)
			return r;
		if (na != nb)
			return na < nb ? -1 : 1;
	}
}

static int prefix_ok(const char *key, size_t len, const char *prefix,
		     size_t plen)
{
	if (!plen)
		return 1;
	if (len < plen || memcmp(key, prefix, plen))
		return 0;
	return prefix[plen - 1] == '/' || len == plen || key[plen] == '/';
}

static void check_order(const char *a, size_t alen, const char *b,
			size_t blen)
{
	int ab = logical_key_cmp(a, alen, b, blen);

	FUZZ_ASSERT(sign(ab) == -sign(logical_key_cmp(b, blen, a, alen)));
	FUZZ_ASSERT(sign(ab) == sign(components_cmp(a, alen, b, blen)));
	FUZZ_ASSERT(!logical_key_cmp(a, alen, a, alen));
	if (logical_key_is_parent(a, alen, b, blen))
		FUZZ_ASSERT(ab < 0);
	FUZZ_ASSERT(logical_key_has_prefix(b, blen, a, alen) ==
		    prefix_ok(b, blen, a, alen));
}

static void check_keys(const char *data, size_t size)
{
	const char *k[3];
	size_t len[3], nr = 0, start = 0, i;
	const char *nl;

	check_key(data, size);
	while (nr < 2 && (nl = memchr(data + start, '\n', size - start))) {
		k[nr] = data + start;
		len[nr++] = nl - (data + start);
		start = nl - data + 1;
	}
	k[nr] = data + start;
	len[nr++] = size - start;
	for (i = 0; i < nr; i++) {
		if (nr > 1)
			check_key(k[i], len[i]);
		check_order(k[i], len[i], k[(i + 1) % nr], len[(i + 1) % nr]);
	}
	if (nr == 3 &&
	    logical_key_cmp(k[0], len[0], k[1], len[1]) <= 0 &&
	    logical_key_cmp(k[1], len[1], k[2], len[2]) <= 0)
		FUZZ_ASSERT(logical_key_cmp(k[0], len[0], k[2], len[2]) <= 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = xmemdupz(data, size);

	check_package_rev(text);
	check_parent(text);
	check_keys((const char *)data, size);
	free(text);
	return 0;
}
