#include "quire-compat.h"
#include "s3/sigv4.h"
#include "hash.h"
#include <time.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

/*
 * AWS Signature Version 4, header signing. The steps follow
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
 * and botocore's S3SigV4Auth: the path is signed as sent (S3 does not
 * normalize or double-encode it), the query as sigv4_query() built it.
 * Nothing here prints: the secret and the keys derived from it are wiped
 * from memory once used.
 */

#define SIGV4_ALGORITHM "AWS4-HMAC-SHA256"
#define SIGV4_DATE_LEN 16	/* "20150830T123600Z" */

static int unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	       c == '~';
}

void sigv4_encode(struct strbuf *out, const char *s, size_t len,
		  int keep_slash)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;

	strbuf_grow(out, len);
	for (i = 0; i < len; i++) {
		unsigned char c = s[i];

		if (unreserved(c) || (keep_slash && c == '/')) {
			strbuf_addch(out, c);
			continue;
		}
		strbuf_addch(out, '%');
		strbuf_addch(out, hex[c >> 4]);
		strbuf_addch(out, hex[c & 15]);
	}
}

struct query_pair {
	char *name, *value;	/* encoded */
};

static int cmp_query_pair(const void *va, const void *vb)
{
	const struct query_pair *a = va, *b = vb;
	int c = strcmp(a->name, b->name);

	return c ? c : strcmp(a->value, b->value);
}

static char *encode_dup(const char *s)
{
	struct strbuf sb = STRBUF_INIT;

	if (s)
		sigv4_encode(&sb, s, strlen(s), 0);
	return strbuf_detach(&sb, NULL);
}

void sigv4_query(struct strbuf *out, const char *const *pairs)
{
	struct query_pair *p;
	size_t i, nr = 0;

	if (!pairs)
		return;
	while (pairs[2 * nr])
		nr++;
	p = xcalloc(nr ? nr : 1, sizeof(*p));
	for (i = 0; i < nr; i++) {
		p[i].name = encode_dup(pairs[2 * i]);
		p[i].value = encode_dup(pairs[2 * i + 1]);
	}
	QSORT(p, nr, cmp_query_pair);
	for (i = 0; i < nr; i++) {
		if (i)
			strbuf_addch(out, '&');
		strbuf_addf(out, "%s=%s", p[i].name, p[i].value);
		free(p[i].name);
		free(p[i].value);
	}
	free(p);
}

/* One header to sign: the name lower-cased, the value trimmed. */
struct canon_header {
	char *name, *value;
	size_t order;	/* keeps repeated names in the order given */
};

static int cmp_canon_header(const void *va, const void *vb)
{
	const struct canon_header *a = va, *b = vb;
	int c = strcmp(a->name, b->name);

	if (c)
		return c;
	return a->order < b->order ? -1 : a->order > b->order;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	       c == '\f';
}

/* Append s without leading and trailing white space, inner runs as one. */
static void add_trimmed(struct strbuf *out, const char *s)
{
	int pending = 0, started = 0;

	for (; *s; s++) {
		if (is_space(*s)) {
			pending = 1;
			continue;
		}
		if (pending && started)
			strbuf_addch(out, ' ');
		pending = 0;
		started = 1;
		strbuf_addch(out, *s);
	}
}

static void parse_header(struct canon_header *h, const char *line,
			 size_t order)
{
	struct strbuf name = STRBUF_INIT, value = STRBUF_INIT;
	const char *colon = strchr(line, ':');
	size_t i;

	if (!colon)
		BUG("header to sign has no ':'");
	strbuf_add(&name, line, colon - line);
	strbuf_trim(&name);
	for (i = 0; i < name.len; i++)
		if (name.buf[i] >= 'A' && name.buf[i] <= 'Z')
			name.buf[i] += 'a' - 'A';
	add_trimmed(&value, colon + 1);
	h->name = strbuf_detach(&name, NULL);
	h->value = strbuf_detach(&value, NULL);
	h->order = order;
}

void sigv4_canonical_request(struct strbuf *out,
			     struct strbuf *signed_headers,
			     const struct sigv4_request *rq,
			     const char *const *headers)
{
	struct canon_header *h;
	size_t i, nr = 0, start = signed_headers->len;

	while (headers && headers[nr])
		nr++;
	h = xcalloc(nr ? nr : 1, sizeof(*h));
	for (i = 0; i < nr; i++)
		parse_header(&h[i], headers[i], i);
	QSORT(h, nr, cmp_canon_header);

	strbuf_addf(out, "%s\n%s\n%s\n", rq->method,
		    rq->path && *rq->path ? rq->path : "/",
		    rq->query ? rq->query : "");
	for (i = 0; i < nr; i++) {
		int same = i && !strcmp(h[i - 1].name, h[i].name);

		if (same) {
			strbuf_addf(out, ",%s", h[i].value);
			continue;
		}
		if (i) {
			strbuf_addch(out, '\n');
			strbuf_addch(signed_headers, ';');
		}
		strbuf_addf(out, "%s:%s", h[i].name, h[i].value);
		strbuf_addstr(signed_headers, h[i].name);
	}
	if (nr)
		strbuf_addch(out, '\n');	/* ends the last header line */
	strbuf_addf(out, "\n%s\n%s", signed_headers->buf + start,
		    rq->payload_hash);
	for (i = 0; i < nr; i++) {
		free(h[i].name);
		OPENSSL_cleanse(h[i].value, strlen(h[i].value));
		free(h[i].value);
	}
	free(h);
}

static void add_scope(struct strbuf *out, const char *amz_date,
		      const char *region, const char *service)
{
	strbuf_add(out, amz_date, 8);
	strbuf_addf(out, "/%s/%s/aws4_request", region, service);
}

void sigv4_string_to_sign(struct strbuf *out, const char *amz_date,
			  const char *region, const char *service,
			  const char *canonical_request)
{
	unsigned char md[HASH_RAWSZ];

	if (strlen(amz_date) != SIGV4_DATE_LEN)
		BUG("not an x-amz-date: '%s'", amz_date);
	sha256_buf(canonical_request, strlen(canonical_request), md);
	strbuf_addf(out, SIGV4_ALGORITHM "\n%s\n", amz_date);
	add_scope(out, amz_date, region, service);
	strbuf_addch(out, '\n');
	strbuf_add_hex(out, md, sizeof(md));
}

/* out = HMAC-SHA256(key, data); out may be key. */
static void hmac_sha256(unsigned char *out, const void *key, size_t key_len,
			const void *data, size_t len)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int md_len = 0;

	if (key_len > INT_MAX ||
	    !HMAC(EVP_sha256(), key, (int)key_len, data, len, md, &md_len) ||
	    md_len != HASH_RAWSZ)
		BUG("HMAC-SHA256 failed");
	memcpy(out, md, HASH_RAWSZ);
	OPENSSL_cleanse(md, sizeof(md));
}

static void hmac_str(unsigned char *key, const char *s)
{
	hmac_sha256(key, key, HASH_RAWSZ, s, strlen(s));
}

void sigv4_signature(struct strbuf *out, const char *secret,
		     const char *amz_date, const char *region,
		     const char *service, const char *string_to_sign)
{
	struct strbuf k_secret = STRBUF_INIT;
	unsigned char key[HASH_RAWSZ];

	if (strlen(amz_date) != SIGV4_DATE_LEN)
		BUG("not an x-amz-date: '%s'", amz_date);
	strbuf_addf(&k_secret, "AWS4%s", secret);
	hmac_sha256(key, k_secret.buf, k_secret.len, amz_date, 8);
	hmac_str(key, region);
	hmac_str(key, service);
	hmac_str(key, "aws4_request");
	hmac_str(key, string_to_sign);
	strbuf_add_hex(out, key, sizeof(key));
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(k_secret.buf, k_secret.len);
	strbuf_release(&k_secret);
}

static void format_date(char *out, time_t now)
{
	struct tm tm;

	if (!gmtime_r(&now, &tm) ||
	    strftime(out, SIGV4_DATE_LEN + 1, "%Y%m%dT%H%M%SZ", &tm) !=
		    SIGV4_DATE_LEN)
		BUG("cannot format time %" PRIdMAX " as x-amz-date",
		    (intmax_t)now);
}

void sigv4_headers_init(struct sigv4_headers *h)
{
	strbuf_init(&h->date, 0);
	strbuf_init(&h->content_sha256, 0);
	strbuf_init(&h->authorization, 0);
	strbuf_init(&h->token, 0);
}

void sigv4_headers_release(struct sigv4_headers *h)
{
	OPENSSL_cleanse(h->token.buf, h->token.len);
	strbuf_release(&h->date);
	strbuf_release(&h->content_sha256);
	strbuf_release(&h->authorization);
	strbuf_release(&h->token);
}

void sigv4_sign(const struct sigv4_request *rq, const char *service,
		const char *region, const char *key_id, const char *secret,
		const char *token, struct sigv4_headers *out)
{
	struct strbuf host = STRBUF_INIT, creq = STRBUF_INIT,
		      signed_headers = STRBUF_INIT, sts = STRBUF_INIT;
	const char **all;
	char amz_date[SIGV4_DATE_LEN + 1];
	size_t i, nr = 0, extra = 0;

	format_date(amz_date, rq->now);
	strbuf_reset(&out->date);
	strbuf_reset(&out->content_sha256);
	strbuf_reset(&out->authorization);
	strbuf_reset(&out->token);
	strbuf_addf(&out->date, "x-amz-date: %s", amz_date);
	strbuf_addf(&out->content_sha256, "x-amz-content-sha256: %s",
		    rq->payload_hash);
	if (token)
		strbuf_addf(&out->token, "x-amz-security-token: %s", token);
	strbuf_addf(&host, "host: %s", rq->host);

	while (rq->headers && rq->headers[extra])
		extra++;
	all = xcalloc(st_add(extra, 5), sizeof(*all));
	all[nr++] = host.buf;
	all[nr++] = out->content_sha256.buf;
	all[nr++] = out->date.buf;
	if (token)
		all[nr++] = out->token.buf;
	for (i = 0; i < extra; i++)
		all[nr++] = rq->headers[i];
	all[nr] = NULL;

	sigv4_canonical_request(&creq, &signed_headers, rq, all);
	sigv4_string_to_sign(&sts, amz_date, region, service, creq.buf);
	strbuf_addf(&out->authorization,
		    "Authorization: " SIGV4_ALGORITHM " Credential=%s/",
		    key_id);
	add_scope(&out->authorization, amz_date, region, service);
	strbuf_addf(&out->authorization, ", SignedHeaders=%s, Signature=",
		    signed_headers.buf);
	sigv4_signature(&out->authorization, secret, amz_date, region,
			service, sts.buf);

	free(all);
	strbuf_release(&host);
	OPENSSL_cleanse(creq.buf, creq.len);	/* it holds the token */
	strbuf_release(&creq);
	strbuf_release(&signed_headers);
	strbuf_release(&sts);
}
