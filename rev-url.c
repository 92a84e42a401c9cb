#include "quire-compat.h"
#include "rev-url.h"
#include "physical-key.h"

static int is_url_with_package(const char *arg)
{
	return !strncmp(arg, "s3://", 5) || !strncmp(arg, "file://", 7);
}

int rev_url_has_registry(const char *arg)
{
	return !strncmp(arg, "quilt+", 6) || strchr(arg, '#') ||
	       is_url_with_package(arg);
}

/* A URL fragment's value, %XX-decoded (checked where it is used). */
static char *decode(const char *s, size_t len)
{
	struct strbuf sb = STRBUF_INIT;

	url_unquote(&sb, s, len, 0);
	return strbuf_detach(&sb, NULL);
}

static int quilt_usage(const char *arg, struct strbuf *err)
{
	strbuf_addf(err, "'%s' is not a quilt URI: write quilt+s3://<bucket>"
		    "#package=<ns>/<name>[@<hash>|:<tag>][&path=<key>]", arg);
	return QERR_USAGE;
}

/* quilt's "package=ns/name[@hash|:tag]": ":latest" is the plain name. */
static void set_package(struct rev_url *u, const char *v, size_t len)
{
	if (len > 7 && !strncmp(v + len - 7, ":latest", 7))
		len -= 7;
	free(u->rev);
	u->rev = decode(v, len);
}

static int parse_fragment(struct rev_url *u, const char *arg,
			  const char *frag, struct strbuf *err)
{
	const char *p = frag, *end;

	while (*p) {
		end = p + strcspn(p, "&");
		if (!strncmp(p, "package=", 8)) {
			set_package(u, p + 8, end - p - 8);
		} else if (!strncmp(p, "path=", 5)) {
			free(u->path);
			u->path = decode(p + 5, end - p - 5);
		} else if (strncmp(p, "catalog=", 8) && end != p) {
			strbuf_addf(err, "'%.*s' in '%s' is not a part of a "
				    "quilt URI (package=, path=, catalog=)",
				    (int)(end - p), p, arg);
			return QERR_USAGE;
		}
		p = *end ? end + 1 : end;
	}
	if (!u->rev || !*u->rev)
		return quilt_usage(arg, err);
	return 0;
}

static int parse_quilt(struct rev_url *u, const char *arg,
		       struct strbuf *err)
{
	const char *s = arg + 6, *hash = strchr(s, '#');

	if (!hash || hash == s || !strstr(s, "://") ||
	    strstr(s, "://") + 3 >= hash)
		return quilt_usage(arg, err);
	u->registry = xstrndup(s, hash - s);
	if (u->registry[hash - s - 1] == '/')
		u->registry[hash - s - 1] = '\0';
	return parse_fragment(u, arg, hash + 1, err);
}

/* "<registry>#<rev>" (or "<registry>#package=..."). */
static int parse_hash(struct rev_url *u, const char *arg,
		      struct strbuf *err)
{
	const char *hash = strrchr(arg, '#');

	if (hash == arg || !hash[1]) {
		strbuf_addf(err, "'%s' is not <registry>#<ns>/<name>"
			    "[:<tag>|@<hash>]", arg);
		return QERR_USAGE;
	}
	u->registry = xstrndup(arg, hash - arg);
	if (!strncmp(hash + 1, "package=", 8))
		return parse_fragment(u, arg, hash + 1, err);
	u->rev = xstrdup(hash + 1);
	return 0;
}

/* "<scheme>://<registry>/<ns>/<name>[:<tag>|@<hash>]". */
static int parse_url(struct rev_url *u, const char *arg, struct strbuf *err)
{
	const char *root = strstr(arg, "://") + 3, *name, *ns;

	name = strrchr(root, '/');
	for (ns = name ? name - 1 : NULL; ns && ns >= root && *ns != '/'; ns--)
		;
	if (!name || !ns || ns <= root || ns + 1 == name || !name[1]) {
		strbuf_addf(err, "'%s' names no registry and package: write "
			    "%.*s<registry>/<ns>/<name>[:<tag>|@<hash>]",
			    arg, (int)(root - arg), arg);
		return QERR_USAGE;
	}
	u->registry = xstrndup(arg, ns - arg);
	u->rev = xstrdup(ns + 1);
	return 0;
}

int rev_url_parse(struct rev_url *u, const char *arg, struct strbuf *err)
{
	int ret = 0;

	memset(u, 0, sizeof(*u));
	if (!strncmp(arg, "quilt+", 6))
		ret = parse_quilt(u, arg, err);
	else if (strchr(arg, '#'))
		ret = parse_hash(u, arg, err);
	else if (is_url_with_package(arg))
		ret = parse_url(u, arg, err);
	else
		u->rev = xstrdup(arg);
	if (ret)
		rev_url_release(u);
	return ret;
}

void rev_url_release(struct rev_url *u)
{
	free(u->registry);
	free(u->rev);
	free(u->path);
	memset(u, 0, sizeof(*u));
}
