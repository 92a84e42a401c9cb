#include "t/unit-tests/unit-test.h"
#include "s3/sigv4.h"

/*
 * SigV4 against published vectors: "get-vanilla" from AWS's SigV4 test
 * suite (which signs no x-amz-content-sha256, so it is checked step by
 * step) and the examples of the S3 documentation ("Signature
 * Calculations for the Authorization Header"), which sigv4_sign() must
 * reproduce whole. t9001 compares many more requests with botocore.
 */

#define DOC_KEY_ID "AKIAIOSFODNN7EXAMPLE"
#define DOC_SECRET "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
#define DOC_HOST "examplebucket.s3.amazonaws.com"
#define DOC_TIME 1369353600	/* 20130524T000000Z */
#define DOC_CRED "Authorization: AWS4-HMAC-SHA256 Credential=" \
	DOC_KEY_ID "/20130524/us-east-1/s3/aws4_request, "

static const char *encoded(const char *s, size_t len, int keep_slash)
{
	static struct strbuf sb = STRBUF_INIT;

	strbuf_reset(&sb);
	sigv4_encode(&sb, s, len, keep_slash);
	return sb.buf;
}
#define ENC(s, keep) encoded((s), sizeof(s) - 1, (keep))

static void test_encode(void)
{
	check_str(ENC("AZaz09-._~", 0), "AZaz09-._~");
	check_str(ENC("a b", 0), "a%20b");
	check_str(ENC("a/b c", 1), "a/b%20c");
	check_str(ENC("a/b", 0), "a%2Fb");
	check_str(ENC("~user", 1), "~user");
	check_str(ENC("caf\xc3\xa9", 1), "caf%C3%A9");
	check_str(ENC("\xe2\x82\xac/\xf0\x9f\x98\x80", 1),
		  "%E2%82%AC/%F0%9F%98%80");
	check_str(ENC("a+b", 0), "a%2Bb");
	check_str(ENC("k=v&x", 0), "k%3Dv%26x");
	check_str(ENC("100%", 0), "100%25");
	check_str(ENC("a\0b\xff", 0), "a%00b%FF");
	check_str(ENC("*'()!$,;:@?#[]\"", 1),
		  "%2A%27%28%29%21%24%2C%3B%3A%40%3F%23%5B%5D%22");
	check_str(ENC("", 0), "");
	check_str(encoded("ab", 1, 0), "a");
}

static const char *query(const char *const *pairs)
{
	static struct strbuf sb = STRBUF_INIT;

	strbuf_reset(&sb);
	sigv4_query(&sb, pairs);
	return sb.buf;
}

static void test_query(void)
{
	static const char *const list[] = {
		"prefix", "a/b/", "list-type", "2",
		"continuation-token", "1x+Yz=/w==", "delimiter", "/", NULL
	};
	static const char *const bare[] = {
		"uploads", NULL, "partNumber", "3", "uploadId", "", NULL
	};
	static const char *const repeated[] = {
		"b", "2", "a", "z", "a", "1", "a", "", NULL
	};
	/* sorted by the encoded name: "%C3%A9" before "~" and "a b" */
	static const char *const by_encoding[] = {
		"~x", "1", "\xc3\xa9", "2", "a b", "3", "a-b", "4", NULL
	};
	static const char *const none[] = { NULL };

	check_str(query(list),
		  "continuation-token=1x%2BYz%3D%2Fw%3D%3D&delimiter=%2F&"
		  "list-type=2&prefix=a%2Fb%2F");
	check_str(query(bare), "partNumber=3&uploadId=&uploads=");
	check_str(query(repeated), "a=&a=1&a=z&b=2");
	check_str(query(by_encoding), "%C3%A9=2&a%20b=3&a-b=4&~x=1");
	check_str(query(none), "");
	check_str(query(NULL), "");
}

/* aws-sig-v4-test-suite/get-vanilla */
static void test_get_vanilla(void)
{
	static const char *const headers[] = {
		"Host:example.amazonaws.com",
		"X-Amz-Date:20150830T123600Z",
		NULL
	};
	struct sigv4_request rq = {
		.method = "GET",
		.path = "/",
		.query = "",
		.payload_hash = SIGV4_EMPTY_SHA256,
	};
	struct strbuf creq = STRBUF_INIT, signed_headers = STRBUF_INIT,
		      sts = STRBUF_INIT, sig = STRBUF_INIT;

	sigv4_canonical_request(&creq, &signed_headers, &rq, headers);
	check_str(creq.buf, "GET\n/\n\n"
			    "host:example.amazonaws.com\n"
			    "x-amz-date:20150830T123600Z\n\n"
			    "host;x-amz-date\n" SIGV4_EMPTY_SHA256);
	check_str(signed_headers.buf, "host;x-amz-date");
	sigv4_string_to_sign(&sts, "20150830T123600Z", "us-east-1",
			     "service", creq.buf);
	check_str(sts.buf, "AWS4-HMAC-SHA256\n20150830T123600Z\n"
			   "20150830/us-east-1/service/aws4_request\n"
			   "bb579772317eb040ac9ed261061d46c1"
			   "f17a8133879d6129b6e1c25292927e63");
	sigv4_signature(&sig, "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
			"20150830T123600Z", "us-east-1", "service", sts.buf);
	check_str(sig.buf, "5fa00fa31553b73ebf1942676e86291e"
			   "8372ff2a2260956d9b8aae1d763fbf31");
	strbuf_release(&creq);
	strbuf_release(&signed_headers);
	strbuf_release(&sts);
	strbuf_release(&sig);
}

static void test_canonical_headers(void)
{
	static const char *const headers[] = {
		"X-Amz-Meta-B:   two   words\there  ",
		"Host: h:9000",
		"x-amz-meta-a:\tv",
		"x-amz-meta-b: again",
		" Content-MD5 : 1B2M2Y8AsgTpgAmY7PhCfg==",
		"x-amz-meta-empty:",
		NULL
	};
	struct sigv4_request rq = {
		.method = "PUT",
		.path = "",
		.query = "x=1",
		.payload_hash = "UNSIGNED-PAYLOAD",
	};
	struct strbuf creq = STRBUF_INIT, signed_headers = STRBUF_INIT;

	sigv4_canonical_request(&creq, &signed_headers, &rq, headers);
	check_str(creq.buf, "PUT\n/\nx=1\n"
			    "content-md5:1B2M2Y8AsgTpgAmY7PhCfg==\n"
			    "host:h:9000\n"
			    "x-amz-meta-a:v\n"
			    "x-amz-meta-b:two words here,again\n"
			    "x-amz-meta-empty:\n\n"
			    "content-md5;host;x-amz-meta-a;x-amz-meta-b;"
			    "x-amz-meta-empty\n"
			    "UNSIGNED-PAYLOAD");
	strbuf_release(&creq);
	strbuf_release(&signed_headers);
}

static void sign_doc(struct sigv4_headers *h, const char *path,
		     const char *query, const char *const *extra)
{
	struct sigv4_request rq = {
		.method = "GET",
		.host = DOC_HOST,
		.path = path,
		.query = query,
		.payload_hash = SIGV4_EMPTY_SHA256,
		.headers = extra,
		.now = DOC_TIME,
	};

	sigv4_sign(&rq, "s3", "us-east-1", DOC_KEY_ID, DOC_SECRET, NULL, h);
}

/* The S3 documentation's examples, signed whole. */
static void test_s3_examples(void)
{
	static const char *const range[] = { "Range: bytes=0-9", NULL };
	static const char *const list[] = {
		"prefix", "J", "max-keys", "2", NULL
	};
	static const char *const lifecycle[] = { "lifecycle", NULL, NULL };
	struct sigv4_headers h;
	struct strbuf q = STRBUF_INIT;

	sigv4_headers_init(&h);
	sign_doc(&h, "/test.txt", "", range);
	check_str(h.date.buf, "x-amz-date: 20130524T000000Z");
	check_str(h.content_sha256.buf,
		  "x-amz-content-sha256: " SIGV4_EMPTY_SHA256);
	check_str(h.token.buf, "");
	check_str(h.authorization.buf, DOC_CRED
		  "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
		  "Signature=f0e8bdb87c964420e857bd35b5d6ed31"
		  "0bd44f0170aba48dd91039c6036bdb41");

	sigv4_query(&q, lifecycle);
	check_str(q.buf, "lifecycle=");
	sign_doc(&h, "/", q.buf, NULL);
	check_str(h.authorization.buf, DOC_CRED
		  "SignedHeaders=host;x-amz-content-sha256;x-amz-date, "
		  "Signature=fea454ca298b7da1c68078a5d1bdbfbb"
		  "e0d65c699e0f91ac7a200a0136783543");

	strbuf_reset(&q);
	sigv4_query(&q, list);
	check_str(q.buf, "max-keys=2&prefix=J");
	sign_doc(&h, "/", q.buf, NULL);
	check_str(h.authorization.buf, DOC_CRED
		  "SignedHeaders=host;x-amz-content-sha256;x-amz-date, "
		  "Signature=34b48302e7b5fa45bde8084f4b7868a8"
		  "6f0a534bc59db6670ed5711ef69dc6f7");
	strbuf_release(&q);
	sigv4_headers_release(&h);
}

static void test_token_and_colon(void)
{
	struct sigv4_request rq = {
		.method = "HEAD",
		.host = "127.0.0.1:8080",
		.path = "/b/k",
		.query = "",
		.payload_hash = SIGV4_EMPTY_SHA256,
		.now = 0,
	};
	static const char want[] =
		"Authorization: AWS4-HMAC-SHA256 Credential="
		"test:tester/19700101/eu-west-1/s3/aws4_request, "
		"SignedHeaders=host;x-amz-content-sha256;x-amz-date;"
		"x-amz-security-token, Signature=";
	struct sigv4_headers h;
	struct strbuf first = STRBUF_INIT;
	const char *a;

	sigv4_headers_init(&h);
	sigv4_sign(&rq, "s3", "eu-west-1", "test:tester", "testing", "TOK",
		   &h);
	check_str(h.date.buf, "x-amz-date: 19700101T000000Z");
	check_str(h.token.buf, "x-amz-security-token: TOK");
	a = h.authorization.buf;
	check(!strncmp(a, want, sizeof(want) - 1));
	check(strlen(a) == sizeof(want) - 1 + 64);
	check(!strstr(a, "testing") && !strstr(a, "TOK"));

	/* signing again into the same headers replaces them */
	strbuf_addbuf(&first, &h.authorization);
	sigv4_sign(&rq, "s3", "eu-west-1", "test:tester", "testing", "TOK",
		   &h);
	check_str(h.authorization.buf, first.buf);
	sigv4_sign(&rq, "s3", "eu-west-1", "test:tester", "testing", NULL,
		   &h);
	check_str(h.token.buf, "");
	check(!strstr(h.authorization.buf, "x-amz-security-token"));
	strbuf_release(&first);
	sigv4_headers_release(&h);
}

int main(void)
{
	test_encode();
	test_query();
	test_get_vanilla();
	test_canonical_headers();
	test_s3_examples();
	test_token_and_colon();
	return unit_test_done();
}
