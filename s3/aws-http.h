#ifndef S3_AWS_HTTP_H
#define S3_AWS_HTTP_H

#include "strbuf.h"

/*
 * One small HTTP exchange with an AWS service that hands out
 * credentials (STS, the SSO portal, ECS's and EC2's metadata services):
 * no retries, a deadline for the whole request, the answer in memory.
 * Nothing is logged: both the request (a token) and the answer (keys)
 * are secrets.
 */
struct aws_http {
	const char *method;		/* "GET", "PUT", "POST" */
	const char *url;
	const char *const *headers;	/* "Name: value", ..., NULL; or NULL */
	const char *body;		/* NULL: none */
	size_t body_len;
	long timeout_ms;		/* the whole exchange */
	size_t max;			/* the most of an answer kept */

	long status;			/* the HTTP status */
	struct strbuf answer;		/* the body of the answer */
};

void aws_http_init(struct aws_http *h, const char *method, const char *url);
/* Frees the answer (wiped first: it may hold keys). */
void aws_http_release(struct aws_http *h);

/*
 * Send h. 0 when an answer came back, whatever its status (in
 * h->status); QERR_GENERIC with err saying why (no connection, timed
 * out, an answer larger than h->max), naming the service as `what`.
 */
int aws_http_run(struct aws_http *h, const char *what, struct strbuf *err);

/*
 * An ISO 8601 UTC time as AWS writes it ("2026-12-05T03:14:00Z",
 * with optional fractional seconds, "Z" or "+00:00") as seconds since
 * the epoch; -1 when it is not one.
 */
int aws_parse_time(const char *s, time_t *out);

#endif
