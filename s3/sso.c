#include "quire-compat.h"
#include "s3/credentials.h"
#include "s3/aws-http.h"
#include "s3/sigv4.h"
#include "json.h"
#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <time.h>

/*
 * AWS IAM Identity Center (SSO): "aws sso login" leaves an access token
 * in ~/.aws/sso/cache/; the portal trades it for a role's credentials.
 * quire never logs in itself, and never writes that cache.
 */

#define CACHE_MAX (256 << 10)

static int cache_path(const struct sso_role *r, struct strbuf *path,
		      struct strbuf *err)
{
	const char *home = getenv("HOME");
	unsigned char sha[SHA_DIGEST_LENGTH];

	if (!home || !*home) {
		strbuf_addf(err, "profile '%s' uses SSO, but HOME is not set "
			    "to find ~/.aws/sso/cache", r->profile);
		return QERR_USAGE;
	}
	SHA1((const unsigned char *)r->cache_key, strlen(r->cache_key), sha);
	strbuf_addf(path, "%s/.aws/sso/cache/", home);
	strbuf_add_hex(path, sha, sizeof(sha));
	strbuf_addstr(path, ".json");
	return 0;
}

static int login_hint(const struct sso_role *r, struct strbuf *err,
		      const char *what, const char *path)
{
	strbuf_addf(err, "%s SSO token for profile '%s' (%s); run 'aws sso "
		    "login --profile %s'", what, r->profile, path,
		    r->profile);
	return QERR_USAGE;
}

/* The cached access token, unexpired, into token. */
static int read_token(const struct sso_role *r, struct strbuf *token,
		      struct strbuf *err)
{
	struct strbuf path = STRBUF_INIT, buf = STRBUF_INIT,
		      ignored = STRBUF_INIT;
	struct json *j = NULL, *tok, *exp;
	time_t expires;
	int ret;

	ret = cache_path(r, &path, err);
	if (ret)
		goto out;
	if (strbuf_read_file_max(&buf, path.buf, CACHE_MAX) < 0) {
		ret = login_hint(r, err, "no cached", path.buf);
		goto out;
	}
	if (json_parse(buf.buf, buf.len, &j, &ignored) ||
	    j->type != JSON_OBJECT) {
		ret = login_hint(r, err, "a malformed cached", path.buf);
		goto out;
	}
	tok = json_object_get(j, "accessToken");
	exp = json_object_get(j, "expiresAt");
	if (!tok || tok->type != JSON_STRING || !tok->u.str.len ||
	    !exp || exp->type != JSON_STRING ||
	    aws_parse_time(exp->u.str.s, &expires)) {
		ret = login_hint(r, err, "a malformed cached", path.buf);
		goto out;
	}
	if (expires <= time(NULL)) {
		ret = login_hint(r, err, "an expired", path.buf);
		goto out;
	}
	strbuf_add(token, tok->u.str.s, tok->u.str.len);
out:
	if (j && (tok = json_object_get(j, "accessToken")) &&
	    tok->type == JSON_STRING)
		OPENSSL_cleanse(tok->u.str.s, tok->u.str.len);
	json_free(j);
	OPENSSL_cleanse(buf.buf, buf.len);
	strbuf_release(&buf);
	strbuf_release(&path);
	strbuf_release(&ignored);
	return ret;
}

static const char *str_member(const struct json *o, const char *key)
{
	const struct json *v = json_object_get(o, key);

	return v && v->type == JSON_STRING && v->u.str.len ? v->u.str.s : NULL;
}

static int parse_role_credentials(const struct sso_role *r,
				  const struct aws_http *h,
				  struct aws_credentials *out,
				  struct strbuf *err)
{
	struct strbuf ignored = STRBUF_INIT;
	struct json *j = NULL, *rc = NULL, *exp;
	const char *id, *secret, *token;
	int ret = 0;

	if (json_parse(h->answer.buf, h->answer.len, &j, &ignored) ||
	    j->type != JSON_OBJECT)
		rc = NULL;
	else
		rc = json_object_get(j, "roleCredentials");
	id = rc ? str_member(rc, "accessKeyId") : NULL;
	secret = rc ? str_member(rc, "secretAccessKey") : NULL;
	token = rc ? str_member(rc, "sessionToken") : NULL;
	if (!id || !secret || !token) {
		strbuf_addf(err, "the SSO portal's answer for profile '%s' "
			    "holds no credentials", r->profile);
		ret = QERR_CORRUPT;
		goto out;
	}
	out->access_key_id = xstrdup(id);
	out->secret_access_key = xstrdup(secret);
	out->session_token = xstrdup(token);
	exp = json_object_get(rc, "expiration");
	if (exp && exp->type == JSON_INT)	/* milliseconds */
		out->expiration = (time_t)(strtoll(exp->u.str.s, NULL, 10) /
					   1000);
out:
	json_free(j);
	strbuf_release(&ignored);
	return ret;
}

int sso_credentials(const struct sso_role *r, struct aws_credentials *out,
		    struct strbuf *err)
{
	struct strbuf token = STRBUF_INIT, url = STRBUF_INIT,
		      auth = STRBUF_INIT;
	const char *hdrs[2] = { NULL, NULL };
	struct aws_http h;
	int ret;

	aws_http_init(&h, "GET", NULL);
	ret = read_token(r, &token, err);
	if (ret)
		goto out;
	strbuf_addf(&url, "%s/federation/credentials?account_id=",
		    r->endpoint);
	sigv4_encode(&url, r->account_id, strlen(r->account_id), 0);
	strbuf_addstr(&url, "&role_name=");
	sigv4_encode(&url, r->role_name, strlen(r->role_name), 0);
	strbuf_addf(&auth, "x-amz-sso_bearer_token: %s", token.buf);
	hdrs[0] = auth.buf;
	h.url = url.buf;
	h.headers = hdrs;
	h.timeout_ms = 30000;
	ret = aws_http_run(&h, "the SSO portal", err);
	if (!ret && (h.status == 401 || h.status == 403)) {
		strbuf_addf(err, "the SSO portal refused the cached token of "
			    "profile '%s' (HTTP %ld); run 'aws sso login "
			    "--profile %s'", r->profile, h.status,
			    r->profile);
		ret = QERR_USAGE;
	} else if (!ret && h.status != 200) {
		strbuf_addf(err, "the SSO portal answered HTTP %ld for "
			    "profile '%s' (account %s, role %s)", h.status,
			    r->profile, r->account_id, r->role_name);
		ret = QERR_GENERIC;
	}
	if (!ret)
		ret = parse_role_credentials(r, &h, out, err);
out:
	OPENSSL_cleanse(token.buf, token.len);
	OPENSSL_cleanse(auth.buf, auth.len);
	strbuf_release(&token);
	strbuf_release(&auth);
	strbuf_release(&url);
	aws_http_release(&h);
	return ret;
}
