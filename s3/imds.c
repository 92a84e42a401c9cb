#include "quire-compat.h"
#include "s3/credentials.h"
#include "s3/aws-config.h"
#include "s3/aws-http.h"
#include <openssl/crypto.h>
#include <strings.h>

/*
 * Credentials from the machine quire runs on: an ECS (or EKS Pod
 * Identity) container's credentials endpoint, and EC2's instance
 * metadata service, version 2 (a session token first, by PUT).
 */

#define ECS_HOST "http://169.254.170.2"
#define IMDS_ENDPOINT "http://169.254.169.254"
#define IMDS_ENDPOINT_IPV6 "http://[fd00:ec2::254]"
#define IMDS_TIMEOUT_MS 1000
#define TOKEN_MAX 16384

int imds_disabled(void)
{
	const char *v = aws_env("AWS_EC2_METADATA_DISABLED");

	return v && (!strcasecmp(v, "true") || !strcmp(v, "1"));
}

/*
 * A full URI may name only loopback or the container hosts, unless it
 * is https: a token is sent to it.
 */
static int allowed_full_uri(const char *uri)
{
	static const char *const hosts[] = {
		"127.0.0.1", "localhost", "[::1]", "169.254.170.2",
		"169.254.170.23", "[fd00:ec2::23]", NULL
	};
	const char *h, *end;
	size_t i, len;

	if (!strncmp(uri, "https://", 8))
		return 1;
	if (strncmp(uri, "http://", 7))
		return 0;
	h = uri + 7;
	end = h + strcspn(h, "/?#");
	len = end - h;
	if (h[0] != '[' && memchr(h, ':', len))
		len = (const char *)memchr(h, ':', len) - h;
	else if (h[0] == '[' && memchr(h, ']', len))
		len = (const char *)memchr(h, ']', len) - h + 1;
	for (i = 0; hosts[i]; i++)
		if (strlen(hosts[i]) == len && !strncmp(h, hosts[i], len))
			return 1;
	return !strncmp(h, "127.", 4);
}

/* The authorization token: AWS_CONTAINER_AUTHORIZATION_TOKEN[_FILE]. */
static int ecs_token(struct strbuf *token, struct strbuf *err)
{
	const char *path = aws_env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
	const char *v = aws_env("AWS_CONTAINER_AUTHORIZATION_TOKEN");

	if (path) {
		if (strbuf_read_file_max(token, path, TOKEN_MAX) < 0) {
			strbuf_addf(err, "cannot read "
				    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE "
				    "'%s': %s", path, strerror(errno));
			return QERR_USAGE;
		}
		strbuf_trim(token);
	} else if (v) {
		strbuf_addstr(token, v);
	}
	if (strchr(token->buf, '\n') || strchr(token->buf, '\r')) {
		strbuf_addstr(err, "the container authorization token holds "
			      "a line break");
		return QERR_USAGE;
	}
	return 0;
}

int ecs_credentials(struct aws_credentials *out, struct strbuf *err)
{
	const char *rel = aws_env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
	const char *full = aws_env("AWS_CONTAINER_CREDENTIALS_FULL_URI");
	struct strbuf url = STRBUF_INIT, token = STRBUF_INIT,
		      auth = STRBUF_INIT;
	const char *hdrs[2] = { NULL, NULL };
	struct aws_http h;
	int ret;

	if (!rel && !full)
		return 1;
	aws_http_init(&h, "GET", NULL);
	if (rel) {
		strbuf_addf(&url, "%s%s%s", ECS_HOST, *rel == '/' ? "" : "/",
			    rel);
	} else if (!allowed_full_uri(full)) {
		strbuf_addstr(err, "AWS_CONTAINER_CREDENTIALS_FULL_URI must "
			      "be https, or http to a loopback address or "
			      "the container host");
		ret = QERR_USAGE;
		goto out;
	} else {
		strbuf_addstr(&url, full);
		ret = ecs_token(&token, err);
		if (ret)
			goto out;
		if (token.len) {
			strbuf_addf(&auth, "Authorization: %s", token.buf);
			hdrs[0] = auth.buf;
		}
	}
	h.url = url.buf;
	h.headers = hdrs;
	h.timeout_ms = 5000;
	ret = aws_http_run(&h, "the container credentials endpoint", err);
	if (!ret && h.status != 200) {
		strbuf_addf(err, "the container credentials endpoint "
			    "answered HTTP %ld", h.status);
		ret = QERR_GENERIC;
	}
	if (!ret)
		ret = aws_credentials_from_json(h.answer.buf, h.answer.len,
						"the container credentials "
						"endpoint", out, err);
out:
	OPENSSL_cleanse(token.buf, token.len);
	OPENSSL_cleanse(auth.buf, auth.len);
	strbuf_release(&token);
	strbuf_release(&auth);
	strbuf_release(&url);
	aws_http_release(&h);
	return ret;
}

/* One request to IMDS; 1 when nothing answers in time (no instance). */
static int imds_call(const char *method, const char *url,
		     const char *const *hdrs, struct aws_http *h,
		     struct strbuf *err)
{
	struct strbuf ignored = STRBUF_INIT;
	int ret;

	aws_http_release(h);
	aws_http_init(h, method, url);
	h->headers = hdrs;
	h->timeout_ms = IMDS_TIMEOUT_MS;
	ret = aws_http_run(h, "EC2 instance metadata", &ignored);
	strbuf_release(&ignored);
	if (ret)
		return 1;
	if (h->status == 200)
		return 0;
	strbuf_addf(err, "EC2 instance metadata at %s answered HTTP %ld",
		    url, h->status);
	return QERR_GENERIC;
}

static void first_line(struct strbuf *sb)
{
	char *nl = memchr(sb->buf, '\n', sb->len);

	if (nl)
		strbuf_setlen(sb, nl - sb->buf);
	strbuf_trim(sb);
}

int imds_credentials(struct aws_credentials *out, struct strbuf *where,
		     struct strbuf *err)
{
	const char *ep = aws_env("AWS_EC2_METADATA_SERVICE_ENDPOINT");
	const char *mode = aws_env("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE");
	struct strbuf url = STRBUF_INIT, tok = STRBUF_INIT,
		      role = STRBUF_INIT;
	const char *hdrs[2] = { NULL, NULL };
	struct aws_http h;
	int ret;

	if (!ep)
		ep = mode && !strcasecmp(mode, "IPv6") ? IMDS_ENDPOINT_IPV6 :
							 IMDS_ENDPOINT;
	strbuf_addstr(where, ep);
	while (where->len && where->buf[where->len - 1] == '/')
		strbuf_setlen(where, where->len - 1);
	if (imds_disabled())
		return 1;
	aws_http_init(&h, "PUT", NULL);
	strbuf_addf(&url, "%s/latest/api/token", where->buf);
	hdrs[0] = "X-aws-ec2-metadata-token-ttl-seconds: 21600";
	ret = imds_call("PUT", url.buf, hdrs, &h, err);
	if (ret)
		goto out;
	strbuf_addf(&tok, "X-aws-ec2-metadata-token: %.*s",
		    (int)h.answer.len, h.answer.buf);
	strbuf_trim(&tok);
	hdrs[0] = tok.buf;
	strbuf_reset(&url);
	strbuf_addf(&url, "%s/latest/meta-data/iam/security-credentials/",
		    where->buf);
	ret = imds_call("GET", url.buf, hdrs, &h, err);
	if (ret == 1 || (ret && h.status == 404)) {
		strbuf_reset(err);
		strbuf_addf(err, "EC2 instance metadata at %s names no IAM "
			    "role (attach one to the instance)", where->buf);
		ret = QERR_NOTFOUND;
	}
	if (ret)
		goto out;
	strbuf_addbuf(&role, &h.answer);
	first_line(&role);
	if (!role.len || strchr(role.buf, '/')) {
		strbuf_addf(err, "EC2 instance metadata at %s names no IAM "
			    "role (attach one to the instance)", where->buf);
		ret = QERR_NOTFOUND;
		goto out;
	}
	strbuf_addbuf(&url, &role);
	ret = imds_call("GET", url.buf, hdrs, &h, err);
	if (ret == 1) {
		strbuf_addf(err, "EC2 instance metadata at %s stopped "
			    "answering", where->buf);
		ret = QERR_GENERIC;
	}
	if (!ret)
		ret = aws_credentials_from_json(h.answer.buf, h.answer.len,
						"EC2 instance metadata", out,
						err);
out:
	OPENSSL_cleanse(tok.buf, tok.len);
	strbuf_release(&tok);
	strbuf_release(&url);
	strbuf_release(&role);
	aws_http_release(&h);
	return ret;
}
