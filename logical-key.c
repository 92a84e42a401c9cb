#include "quire-compat.h"
#include "logical-key.h"

static int bad(struct strbuf *err, const char *key, size_t len,
	       const char *why)
{
	strbuf_addstr(err, "invalid logical key '");
	strbuf_add_quoted_name(err, key, len);
	strbuf_addf(err, "': %s", why);
	return QERR_CORRUPT;
}

int logical_key_check(const char *key, size_t len, unsigned flags,
		      struct strbuf *err)
{
	size_t start = 0, i;

	if (!len)
		return bad(err, key, len, "it is empty");
	if (key[0] == '/')
		return bad(err, key, len, "absolute paths are not allowed");
	if (memchr(key, '\0', len))
		return bad(err, key, len, "it contains a NUL byte");
	if ((flags & LOGICAL_KEY_PATH) && memchr(key, '\\', len))
		return bad(err, key, len, "it contains a backslash");
	for (i = 0; i <= len; i++) {
		size_t n;

		if (i < len && key[i] != '/')
			continue;
		n = i - start;
		if (!n)
			return bad(err, key, len, i == len ?
				   "it ends with '/'" :
				   "it has an empty path component");
		if (n == 1 && key[start] == '.')
			return bad(err, key, len, "it has a '.' component");
		if (n == 2 && !memcmp(key + start, "..", 2))
			return bad(err, key, len, "it has a '..' component");
		if (n == 6 && !memcmp(key + start, ".quire", 6))
			return bad(err, key, len, "'.quire' is reserved "
				   "for quire's own state");
		start = i + 1;
	}
	return 0;
}

int logical_key_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t n = alen < blen ? alen : blen, i;

	for (i = 0; i < n; i++) {
		unsigned char ca = a[i], cb = b[i];

		if (ca == cb)
			continue;
		if (ca == '/')
			return -1;
		if (cb == '/')
			return 1;
		return ca < cb ? -1 : 1;
	}
	return alen < blen ? -1 : alen > blen;
}

int logical_key_is_parent(const char *a, size_t alen, const char *b,
			  size_t blen)
{
	return blen > alen && b[alen] == '/' && !memcmp(a, b, alen);
}

int logical_key_has_prefix(const char *key, size_t len, const char *prefix,
			   size_t plen)
{
	if (!plen)
		return 1;
	if (prefix[plen - 1] == '/')
		return len >= plen && !memcmp(key, prefix, plen);
	if (len == plen)
		return !memcmp(key, prefix, plen);
	return logical_key_is_parent(prefix, plen, key, len);
}
