#ifndef S3_SIGV4_H
#define S3_SIGV4_H

#include "strbuf.h"
#include <time.h>

/*
 * AWS Signature Version 4 for one HTTP request (header signing).
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
 */

/* "x-amz-content-sha256" of an empty body. */
#define SIGV4_EMPTY_SHA256 \
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

/*
 * Append s[0..len) percent-encoded as SigV4 wants: every byte but
 * A-Za-z0-9-._~ becomes %XX (upper-case hex); '/' is kept when keep_slash.
 */
void sigv4_encode(struct strbuf *out, const char *s, size_t len,
		  int keep_slash);

/*
 * Append the canonical query string of the pairs (name, value, name,
 * value, ..., NULL): names and values encoded (keep_slash 0), sorted by
 * encoded name then value, "name=value" joined by '&' (a NULL or empty
 * value gives "name="). The same string is the one to send.
 */
void sigv4_query(struct strbuf *out, const char *const *pairs);

struct sigv4_request {
	const char *method;	/* "GET", "PUT", ... */
	const char *host;	/* the Host header as sent: "h" or "h:port" */
	const char *path;	/* encoded path as sent: "/bucket/a%20b" */
	const char *query;	/* from sigv4_query; "" for none */
	const char *payload_hash; /* hex SHA-256 or "UNSIGNED-PAYLOAD" */
	/*
	 * Other headers to sign, "Name: value" each, NULL-terminated (may
	 * be NULL): content-md5, range, if-match, x-amz-meta-..., ...
	 */
	const char *const *headers;
	time_t now;
};

/*
 * Sign rq for service ("s3") in region with the given keys (token may
 * be NULL). Fills the headers the request must carry, each as a full
 * "Name: value" line: x-amz-date, x-amz-content-sha256, Authorization,
 * and x-amz-security-token when token is set (else left empty).
 */
struct sigv4_headers {
	struct strbuf date, content_sha256, authorization, token;
};
void sigv4_headers_init(struct sigv4_headers *h);
void sigv4_headers_release(struct sigv4_headers *h);
void sigv4_sign(const struct sigv4_request *rq, const char *service,
		const char *region, const char *key_id, const char *secret,
		const char *token, struct sigv4_headers *out);

/*
 * The steps sigv4_sign() takes, exposed so that tests can check each one
 * against published vectors. amz_date is an x-amz-date value
 * ("20150830T123600Z"); the scope is "<its date>/region/service/
 * aws4_request".
 *
 * sigv4_canonical_request() appends to out the canonical request of
 * rq->method, rq->path, rq->query and rq->payload_hash with exactly the
 * given headers ("Name: value", NULL-terminated; rq->headers, rq->host
 * and rq->now are not looked at), and appends their lower-cased names,
 * sorted and ';'-joined, to signed_headers.
 */
void sigv4_canonical_request(struct strbuf *out,
			     struct strbuf *signed_headers,
			     const struct sigv4_request *rq,
			     const char *const *headers);
/* Append "AWS4-HMAC-SHA256\n<amz_date>\n<scope>\n<hex SHA-256 of creq>". */
void sigv4_string_to_sign(struct strbuf *out, const char *amz_date,
			  const char *region, const char *service,
			  const char *canonical_request);
/* Append the hex signature of string_to_sign with the derived key. */
void sigv4_signature(struct strbuf *out, const char *secret,
		     const char *amz_date, const char *region,
		     const char *service, const char *string_to_sign);

#endif
