#include "quire-compat.h"
#include "physical-key.h"
#include "redact.h"
#include "utf8.h"

static int always_safe(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-' ||
	       c == '~';
}

void url_quote(struct strbuf *out, const char *s, size_t len,
	       const char *safe)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = s[i];

		if (always_safe(c) || (c && strchr(safe, c)))
			strbuf_addch(out, c);
		else
			strbuf_addf(out, "%%%02X", c);
	}
}

void url_quote_plus(struct strbuf *out, const char *s, size_t len)
{
	size_t i, start = 0;

	for (i = 0; i <= len; i++) {
		if (i < len && s[i] != ' ')
			continue;
		url_quote(out, s + start, i - start, "");
		if (i < len)
			strbuf_addch(out, '+');
		start = i + 1;
	}
}

int url_unquote(struct strbuf *out, const char *s, size_t len, int plus)
{
	size_t start = out->len, i;

	for (i = 0; i < len; i++) {
		if (s[i] == '%' && i + 2 < len && hexval(s[i + 1]) >= 0 &&
		    hexval(s[i + 2]) >= 0) {
			strbuf_addch(out, hexval(s[i + 1]) << 4 |
				     hexval(s[i + 2]));
			i += 2;
		} else if (plus && s[i] == '+') {
			strbuf_addch(out, ' ');
		} else {
			strbuf_addch(out, s[i]);
		}
	}
	return utf8_valid(out->buf + start, out->len - start) ? 0 : -1;
}

/* Collapse "//" and "/./", resolve "/../"; path starts with '/'. */
static void normalize_path(struct strbuf *out, const char *p, size_t len)
{
	size_t i = 0, base = out->len;

	while (i < len) {
		size_t j, n;

		while (i < len && p[i] == '/')
			i++;
		for (j = i; j < len && p[j] != '/'; j++)
			;
		n = j - i;
		if (n == 1 && p[i] == '.') {
			/* skip */
		} else if (n == 2 && p[i] == '.' && p[i + 1] == '.') {
			while (out->len > base && out->buf[out->len - 1] != '/')
				out->len--;
			if (out->len > base)
				out->len--;
			out->buf[out->len] = '\0';
		} else if (n) {
			strbuf_addch(out, '/');
			strbuf_add(out, p + i, n);
		}
		i = j;
	}
	if (out->len == base)
		strbuf_addch(out, '/');
}

static int fail(struct strbuf *err, const char *url, size_t len,
		const char *why)
{
	struct strbuf shown = STRBUF_INIT;
	char *copy = xmemdupz(url, len), *p = copy;

	for (;;) {	/* redact each part between NUL bytes */
		redact_url(&shown, p);
		p += strlen(p);
		if (p == copy + len)
			break;
		strbuf_addch(&shown, '\0');
		p++;
	}
	strbuf_addstr(err, "invalid physical key '");
	strbuf_add_quoted_name(err, shown.buf, shown.len);
	strbuf_addf(err, "': %s", why);
	strbuf_release(&shown);
	free(copy);
	return QERR_CORRUPT;
}

/* parse_qs for the only parameter S3 keys may carry: versionId */
static int parse_s3_query(struct physical_key *pk, const char *q, size_t len,
			  const char *url, size_t url_len, struct strbuf *err)
{
	size_t i = 0;

	while (i < len) {
		const char *amp = memchr(q + i, '&', len - i);
		size_t end = amp ? (size_t)(amp - q) : len;
		const char *eq = memchr(q + i, '=', end - i);
		struct strbuf name = STRBUF_INIT, value = STRBUF_INIT;
		int ret = 0;

		if (end == i) {
			i = end + 1;
			continue;
		}
		if (!eq)
			return fail(err, url, url_len, "bad query string");
		if (url_unquote(&name, q + i, eq - (q + i), 1) < 0 ||
		    url_unquote(&value, eq + 1, q + end - (eq + 1), 1) < 0)
			ret = fail(err, url, url_len, "bad query string");
		else if (name.len != 9 || strcmp(name.buf, "versionId"))
			ret = fail(err, url, url_len,
				   "unexpected S3 query string");
		else if (memchr(value.buf, '\0', value.len))
			ret = fail(err, url, url_len,
				   "versionId contains a NUL byte");
		else if (value.len && !pk->version_id)
			pk->version_id = strbuf_detach(&value, NULL);
		strbuf_release(&name);
		strbuf_release(&value);
		if (ret)
			return ret;
		i = end + 1;
	}
	return 0;
}

int physical_key_parse(struct physical_key *pk, const char *url, size_t len,
		       struct strbuf *err)
{
	const char *end = url + len, *p, *netloc, *path, *query = NULL;
	const char *hash = memchr(url, '#', len);
	size_t netloc_len, path_len, query_len = 0;
	struct strbuf sb = STRBUF_INIT;
	int ret = 0;

	memset(pk, 0, sizeof(*pk));
	if (memchr(url, '\0', len))
		return fail(err, url, len, "it contains a NUL byte");
	if (hash)
		end = hash;	/* a fragment is dropped, as urlparse does */
	if (len > 5 && !memcmp(url, "s3://", 5)) {
		pk->scheme = PHYSICAL_KEY_S3;
		p = url + 5;
	} else if (len > 7 && !memcmp(url, "file://", 7)) {
		pk->scheme = PHYSICAL_KEY_FILE;
		p = url + 7;
	} else {
		return fail(err, url, len, "expected s3:// or file://");
	}
	netloc = p;
	while (p < end && *p != '/' && *p != '?')
		p++;
	netloc_len = p - netloc;
	path = p;
	while (p < end && *p != '?')
		p++;
	path_len = p - path;
	if (p < end) {
		query = p + 1;
		query_len = end - query;
	}

	if (pk->scheme == PHYSICAL_KEY_S3) {
		if (!netloc_len)
			return fail(err, url, len, "missing bucket");
		pk->bucket = xmemdupz(netloc, netloc_len);
		if (url_unquote(&sb, path, path_len, 0) < 0)
			ret = fail(err, url, len, "key is not UTF-8");
		else if (memchr(sb.buf, '\0', sb.len))
			ret = fail(err, url, len, "key contains a NUL byte");
		else
			pk->path = xstrdup(sb.len ? sb.buf + 1 : "");
		if (!ret && query)
			ret = parse_s3_query(pk, query, query_len, url, len,
					     err);
	} else {
		if (netloc_len && !(netloc_len == 9 &&
				    !memcmp(netloc, "localhost", 9)))
			ret = fail(err, url, len, "unexpected host name");
		else if (!path_len)
			ret = fail(err, url, len, "missing path");
		else if (query && query_len)
			ret = fail(err, url, len, "unexpected query");
		else if (url_unquote(&sb, path, path_len, 0) < 0)
			ret = fail(err, url, len, "path is not UTF-8");
		else if (memchr(sb.buf, '\0', sb.len))
			ret = fail(err, url, len, "path contains a NUL byte");
		else
			physical_key_from_path(pk, sb.buf);
	}
	strbuf_release(&sb);
	if (ret)
		physical_key_release(pk);
	return ret;
}

void physical_key_from_path(struct physical_key *pk, const char *abspath)
{
	struct strbuf sb = STRBUF_INIT;

	memset(pk, 0, sizeof(*pk));
	pk->scheme = PHYSICAL_KEY_FILE;
	normalize_path(&sb, abspath, strlen(abspath));
	pk->path = strbuf_detach(&sb, NULL);
}

void physical_key_format(struct strbuf *out, const struct physical_key *pk)
{
	if (pk->scheme == PHYSICAL_KEY_FILE) {
		strbuf_addstr(out, "file://");
		url_quote(out, pk->path, strlen(pk->path), "/");
		return;
	}
	strbuf_addf(out, "s3://%s/", pk->bucket);
	url_quote(out, pk->path, strlen(pk->path), "/");
	if (pk->version_id) {
		strbuf_addstr(out, "?versionId=");
		url_quote_plus(out, pk->version_id, strlen(pk->version_id));
	}
}

void physical_key_release(struct physical_key *pk)
{
	free(pk->bucket);
	free(pk->path);
	free(pk->version_id);
	memset(pk, 0, sizeof(*pk));
}

/* Has the absolute path a "." or ".." component, or an empty one? */
static int path_has_dots(const char *path)
{
	const char *p = path;

	while (*p == '/')
		p++;
	while (*p) {
		size_t len = strcspn(p, "/");

		if (!len || (len == 1 && *p == '.') ||
		    (len == 2 && p[0] == '.' && p[1] == '.'))
			return 1;
		p += len;
		if (*p == '/')
			p++;
	}
	return 0;
}

int physical_key_local_allowed(const char *url, const char *root,
			       struct strbuf *err)
{
	struct physical_key pk = PHYSICAL_KEY_INIT;
	size_t rlen = root ? strlen(root) : 0;
	int ret = physical_key_parse(&pk, url, strlen(url), err);

	if (ret || pk.scheme != PHYSICAL_KEY_FILE)
		goto out;
	while (rlen > 1 && root[rlen - 1] == '/')
		rlen--;
	if (root && !path_has_dots(pk.path) &&
	    !strncmp(pk.path, root, rlen) && pk.path[rlen] == '/')
		goto out;
	strbuf_addf(err, "'%s' is a file on this machine%s", url,
		    root ? " outside the registry's folder" : "");
	ret = QERR_USAGE;
out:
	physical_key_release(&pk);
	return ret;
}
