#include "quire-compat.h"
#include "s3/aws-http.h"
#include <curl/curl.h>
#include <openssl/crypto.h>
#include <time.h>

void aws_http_init(struct aws_http *h, const char *method, const char *url)
{
	memset(h, 0, sizeof(*h));
	h->method = method;
	h->url = url;
	h->timeout_ms = 5000;
	h->max = 64 << 10;
	strbuf_init(&h->answer, 0);
}

void aws_http_release(struct aws_http *h)
{
	OPENSSL_cleanse(h->answer.buf, h->answer.len);
	strbuf_release(&h->answer);
}

struct upload {
	const char *p;
	size_t left;
};

static size_t write_cb(char *p, size_t size, size_t n, void *payload)
{
	struct aws_http *h = payload;

	if (h->answer.len + n > h->max)
		return 0;	/* too large: curl fails the transfer */
	strbuf_add(&h->answer, p, n * size);
	return n * size;
}

static size_t read_cb(char *p, size_t size, size_t n, void *payload)
{
	struct upload *u = payload;
	size_t len = size * n < u->left ? size * n : u->left;

	memcpy(p, u->p, len);
	u->p += len;
	u->left -= len;
	return len;
}

static struct curl_slist *header_list(const struct aws_http *h)
{
	struct curl_slist *list = NULL, *n;
	const char *const *x;

	for (x = h->headers; x && *x; x++) {
		n = curl_slist_append(list, *x);
		if (!n)
			die("out of memory");
		list = n;
	}
	n = curl_slist_append(list, "Expect:");
	if (!n)
		die("out of memory");
	return n;
}

int aws_http_run(struct aws_http *h, const char *what, struct strbuf *err)
{
	struct upload up = { h->body, h->body_len };
	struct curl_slist *list;
	CURLcode cc;
	CURL *e;

	if (curl_global_init(CURL_GLOBAL_DEFAULT)) {
		strbuf_addf(err, "cannot initialise libcurl to ask %s", what);
		return QERR_GENERIC;
	}
	e = curl_easy_init();
	if (!e)
		die("out of memory");
	list = header_list(h);
	strbuf_reset(&h->answer);
	curl_easy_setopt(e, CURLOPT_URL, h->url);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, list);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, h->timeout_ms);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, h->timeout_ms);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, h);
	if (h->body || strcmp(h->method, "GET")) {
		curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(e, CURLOPT_READFUNCTION, read_cb);
		curl_easy_setopt(e, CURLOPT_READDATA, &up);
		curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE,
				 (curl_off_t)h->body_len);
		curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, h->method);
	}
	cc = curl_easy_perform(e);
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &h->status);
	curl_easy_cleanup(e);
	curl_slist_free_all(list);
	curl_global_cleanup();
	if (cc == CURLE_WRITE_ERROR) {
		strbuf_addf(err, "%s answered more than %zu bytes", what,
			    h->max);
		return QERR_GENERIC;
	}
	if (cc != CURLE_OK) {
		strbuf_addf(err, "%s: %s", what, curl_easy_strerror(cc));
		return QERR_GENERIC;
	}
	return 0;
}

static int digits(const char **s, int n, int *out)
{
	int v = 0;

	while (n--) {
		if (**s < '0' || **s > '9')
			return -1;
		v = v * 10 + *(*s)++ - '0';
	}
	*out = v;
	return 0;
}

static int expect(const char **s, char c)
{
	if (**s != c)
		return -1;
	(*s)++;
	return 0;
}

int aws_parse_time(const char *s, time_t *out)
{
	struct tm tm = { 0 };
	int y, mo, d, h, mi, sec;

	if (digits(&s, 4, &y) || expect(&s, '-') || digits(&s, 2, &mo) ||
	    expect(&s, '-') || digits(&s, 2, &d) ||
	    (*s != 'T' && *s != 't' && *s != ' ') || !s++ ||
	    digits(&s, 2, &h) || expect(&s, ':') || digits(&s, 2, &mi) ||
	    expect(&s, ':') || digits(&s, 2, &sec))
		return -1;
	if (*s == '.') {
		s++;
		if (*s < '0' || *s > '9')
			return -1;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	if (strcmp(s, "Z") && strcmp(s, "z") && strcmp(s, "+00:00") &&
	    strcmp(s, "UTC"))
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
	    sec > 60)
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	*out = timegm(&tm);
	return *out == (time_t)-1 ? -1 : 0;
}
