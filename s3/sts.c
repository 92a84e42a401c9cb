#include "quire-compat.h"
#include "s3/sts.h"
#include "s3/aws-http.h"
#include "s3/sigv4.h"
#include "s3/xml.h"
#include "hash.h"
#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <time.h>

/* What STS answered: "<Action>Response/<Action>Result/Credentials/..." */
struct sts_answer {
	struct strbuf id, secret, token, expiration, code, message;
};

static const char *leaf(const char *path, const char *parent)
{
	size_t n = strlen(path), p = strlen(parent);
	const char *slash;

	slash = strrchr(path, '/');
	if (!slash || (size_t)(slash - path) < p ||
	    memcmp(slash - p, parent, p) || n == p)
		return NULL;
	return slash + 1;
}

static void on_element(const char *path, const char *text, size_t len,
		       void *payload)
{
	struct sts_answer *a = payload;
	const char *name = leaf(path, "Result/Credentials");

	if (name && !strcmp(name, "AccessKeyId"))
		strbuf_add(&a->id, text, len);
	else if (name && !strcmp(name, "SecretAccessKey"))
		strbuf_add(&a->secret, text, len);
	else if (name && !strcmp(name, "SessionToken"))
		strbuf_add(&a->token, text, len);
	else if (name && !strcmp(name, "Expiration"))
		strbuf_add(&a->expiration, text, len);
	else if (!strcmp(path, "ErrorResponse/Error/Code"))
		strbuf_add(&a->code, text, len);
	else if (!strcmp(path, "ErrorResponse/Error/Message"))
		strbuf_add(&a->message, text, len);
}

static void answer_release(struct sts_answer *a)
{
	OPENSSL_cleanse(a->secret.buf, a->secret.len);
	OPENSSL_cleanse(a->token.buf, a->token.len);
	strbuf_release(&a->id);
	strbuf_release(&a->secret);
	strbuf_release(&a->token);
	strbuf_release(&a->expiration);
	strbuf_release(&a->code);
	strbuf_release(&a->message);
}

/* Append "&name=value", the value form-encoded. */
static void add_param(struct strbuf *body, const char *name,
		      const char *value)
{
	if (!value)
		return;
	strbuf_addf(body, "%s%s=", body->len ? "&" : "", name);
	sigv4_encode(body, value, strlen(value), 0);
}

static void body_of(struct strbuf *body, const char *action,
		    const struct sts_role *r)
{
	add_param(body, "Action", action);
	add_param(body, "Version", "2011-06-15");
	add_param(body, "RoleArn", r->role_arn);
	add_param(body, "RoleSessionName", r->session_name);
	add_param(body, "ExternalId", r->external_id);
	add_param(body, "DurationSeconds", r->duration);
}

/* The Host header curl will send for url: "host" or "host:port". */
static int host_of(const char *url, struct strbuf *host, struct strbuf *path)
{
	const char *p = strstr(url, "://"), *end;

	if (!p || (strncmp(url, "http://", 7) && strncmp(url, "https://", 8)))
		return -1;
	p += 3;
	end = strchr(p, '/');
	if (!end)
		end = p + strlen(p);
	if (end == p || memchr(p, '@', end - p))
		return -1;
	strbuf_add(host, p, end - p);
	strbuf_addstr(path, *end ? end : "/");
	return 0;
}

static void sign_post(const struct sts_role *r, const struct strbuf *body,
		      const struct aws_credentials *src, const char *host,
		      const char *path, struct sigv4_headers *h)
{
	static const char *const signed_headers[] = {
		"content-type: application/x-www-form-urlencoded; "
		"charset=utf-8",
		NULL
	};
	struct sigv4_request sr = { 0 };
	unsigned char sha[SHA256_DIGEST_LENGTH];
	struct strbuf hex = STRBUF_INIT;

	SHA256((const unsigned char *)body->buf, body->len, sha);
	strbuf_add_hex(&hex, sha, sizeof(sha));
	sr.method = "POST";
	sr.host = host;
	sr.path = path;
	sr.query = "";
	sr.payload_hash = hex.buf;
	sr.headers = signed_headers;
	sr.now = time(NULL);
	sigv4_sign(&sr, "sts", r->region, src->access_key_id,
		   src->secret_access_key, src->session_token, h);
	strbuf_release(&hex);
}

static int parse_answer(const struct sts_role *r, const char *action,
			struct aws_http *h, struct aws_credentials *out,
			struct strbuf *err)
{
	struct sts_answer a;
	struct xml_stream *x;
	int ret = 0;

	strbuf_init(&a.id, 0);
	strbuf_init(&a.secret, 0);
	strbuf_init(&a.token, 0);
	strbuf_init(&a.expiration, 0);
	strbuf_init(&a.code, 0);
	strbuf_init(&a.message, 0);
	x = xml_stream_new(on_element, &a);
	if (xml_stream_feed(x, h->answer.buf, h->answer.len, 1) < 0)
		strbuf_reset(&a.id);
	xml_stream_free(x);
	if (h->status != 200) {
		strbuf_addf(err, "STS %s of role '%s' failed: HTTP %ld",
			    action, r->role_arn, h->status);
		if (a.code.len)
			strbuf_addf(err, " %s", a.code.buf);
		if (a.message.len)
			strbuf_addf(err, " (%s)", a.message.buf);
		ret = QERR_GENERIC;
	} else if (!a.id.len || !a.secret.len || !a.token.len) {
		strbuf_addf(err, "STS %s of role '%s': the answer holds no "
			    "credentials", action, r->role_arn);
		ret = QERR_GENERIC;
	} else {
		out->access_key_id = strbuf_detach(&a.id, NULL);
		out->secret_access_key = strbuf_detach(&a.secret, NULL);
		out->session_token = strbuf_detach(&a.token, NULL);
		if (aws_parse_time(a.expiration.buf, &out->expiration))
			out->expiration = 0;
	}
	answer_release(&a);
	return ret;
}

static int sts_call(const struct sts_role *r, const char *action,
		    const char *token, const struct aws_credentials *src,
		    struct aws_credentials *out, struct strbuf *err)
{
	struct strbuf body = STRBUF_INIT, host = STRBUF_INIT,
		      path = STRBUF_INIT;
	struct sigv4_headers sh;
	const char *hdrs[8];
	struct aws_http h;
	int ret, n = 0;

	sigv4_headers_init(&sh);
	aws_http_init(&h, "POST", r->endpoint);
	if (host_of(r->endpoint, &host, &path)) {
		strbuf_addf(err, "the STS endpoint '%s' is not "
			    "http[s]://host[:port][/path]", r->endpoint);
		ret = QERR_USAGE;
		goto out;
	}
	body_of(&body, action, r);
	add_param(&body, "WebIdentityToken", token);
	hdrs[n++] = "Content-Type: application/x-www-form-urlencoded; "
		    "charset=utf-8";
	hdrs[n++] = "Accept: application/xml";
	if (src) {
		sign_post(r, &body, src, host.buf, path.buf, &sh);
		hdrs[n++] = sh.date.buf;
		hdrs[n++] = sh.content_sha256.buf;
		hdrs[n++] = sh.authorization.buf;
		if (sh.token.len)
			hdrs[n++] = sh.token.buf;
	}
	hdrs[n] = NULL;
	h.headers = hdrs;
	h.body = body.buf;
	h.body_len = body.len;
	h.timeout_ms = 30000;
	ret = aws_http_run(&h, "STS", err);
	if (!ret)
		ret = parse_answer(r, action, &h, out, err);
out:
	OPENSSL_cleanse(body.buf, body.len);
	strbuf_release(&body);
	strbuf_release(&host);
	strbuf_release(&path);
	sigv4_headers_release(&sh);
	aws_http_release(&h);
	return ret;
}

int sts_assume_role(const struct sts_role *r, const struct aws_credentials *src,
		    struct aws_credentials *out, struct strbuf *err)
{
	return sts_call(r, "AssumeRole", NULL, src, out, err);
}

int sts_assume_role_web_identity(const struct sts_role *r, const char *token,
				 struct aws_credentials *out,
				 struct strbuf *err)
{
	return sts_call(r, "AssumeRoleWithWebIdentity", token, NULL, out, err);
}
