#include "quire-compat.h"
#include <pthread.h>
#include "redact.h"
#include "s3/s3.h"
#include "s3/credentials.h"
#include "s3/sigv4.h"
#include "s3/xml.h"
#include <curl/curl.h>
#include <sys/time.h>
#include <time.h>

int s3_verbose;

#define ERROR_BODY_MAX (64 << 10)

struct s3_client {
	struct aws_settings aws;
	/* from the chain; all NULL with --no-sign-request (unsigned) */
	struct aws_credentials creds;
	int refresh_failed;	/* warned once that a refresh failed */
	CURLM *multi;
	int concurrency;
	uint64_t max_inflight;	/* request bodies held in memory at once */
	uint64_t inflight;
	int attempts;		/* tries per request, the first included */
	long low_speed_time;	/* seconds under 1 byte/s before giving up */
	struct strbuf scheme_host;	/* "http://127.0.0.1:9000" */
	int path_style;
	pid_t pid;		/* the process it serves */
	pthread_t thread;	/* and the thread */
};

/*
 * One client per thread: a libcurl multi handle is used by one thread
 * at a time, and threads that fetch at once (quire mount's) each keep
 * their own connections. A thread's client is freed when it ends.
 */
static __thread struct s3_client *the_client;
static __thread uint64_t thread_serial;
static uint64_t serials;

uint64_t s3_thread_serial(void)
{
	if (!thread_serial)
		thread_serial = __atomic_add_fetch(&serials, 1,
						   __ATOMIC_RELAXED);
	return thread_serial;
}
static pthread_key_t client_key;
static pthread_once_t client_key_once = PTHREAD_ONCE_INIT;
static int cleanup_registered;

int s3_client_current(const struct s3_client *c)
{
	return c && c->pid == getpid() && pthread_equal(c->thread,
							pthread_self());
}

/* What s3/client.c keeps per request while it runs. */
struct rq_state {
	CURL *easy;
	struct curl_slist *hdrs;
	char *body;		/* loaded body (owned unless rq->data) */
	uint64_t sent;		/* body bytes handed to curl this attempt */
	uint64_t got;		/* response bytes this attempt */
	struct strbuf error_body;
	int attempt;
	double not_before;	/* monotonic seconds; 0: now */
	double started;
	int io_failed;		/* the sink refused bytes */
	int loaded;
};

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static long env_long(const char *name, long def, long min, long max)
{
	const char *v = getenv(name);
	char *end;
	long n;

	if (!v || !*v)
		return def;
	errno = 0;
	n = strtol(v, &end, 10);
	if (errno || *end || n < min || n > max)
		die("invalid %s '%s': a number from %ld to %ld", name, v, min,
		    max);
	return n;
}

static void cleanup_at_exit(void)
{
	s3_client_cleanup();
}

static void client_free(struct s3_client *c)
{
	curl_multi_cleanup(c->multi);
	aws_settings_release(&c->aws);
	aws_credentials_release(&c->creds);
	strbuf_release(&c->scheme_host);
	free(c);
	curl_global_cleanup();
}

/* A thread ends: free its client (unless fork() made it another's). */
static void client_at_thread_exit(void *p)
{
	struct s3_client *c = p;

	if (c && c->pid == getpid())
		client_free(c);
}

static void make_client_key(void)
{
	if (pthread_key_create(&client_key, client_at_thread_exit))
		die("cannot make a thread key");
}

static int setup_endpoint(struct s3_client *c, struct strbuf *err)
{
	const char *ep = c->aws.endpoint;
	size_t len;

	if (!ep) {
		strbuf_addf(&c->scheme_host, "https://s3.%s.amazonaws.com",
			    c->aws.region);
		return 0;
	}
	if (strncmp(ep, "http://", 7) && strncmp(ep, "https://", 8)) {
		strbuf_addstr(err, "the S3 endpoint must start with http:// "
			      "or https:// (AWS_ENDPOINT_URL, "
			      "AWS_ENDPOINT_URL_S3 or endpoint_url)");
		return QERR_USAGE;
	}
	strbuf_addstr(&c->scheme_host, ep);
	len = c->scheme_host.len;
	while (len && c->scheme_host.buf[len - 1] == '/')
		len--;
	strbuf_setlen(&c->scheme_host, len);
	if (strchr(c->scheme_host.buf + 8, '/')) {
		strbuf_addstr(err, "the S3 endpoint must be "
			      "scheme://host[:port] without a path");
		return QERR_USAGE;
	}
	if (strchr(c->scheme_host.buf, '@')) {
		strbuf_addstr(err, "the S3 endpoint must be "
			      "scheme://host[:port] without credentials; "
			      "set AWS_ACCESS_KEY_ID and "
			      "AWS_SECRET_ACCESS_KEY, or AWS_PROFILE");
		return QERR_USAGE;
	}
	c->path_style = 1;
	return 0;
}

struct s3_client *s3_client_get(struct strbuf *err)
{
	struct s3_client *c;

	if (s3_client_current(the_client))
		return the_client;
	/*
	 * One inherited across fork() (a DataLoader's workers) shares the
	 * parent's connections: answers would go to whichever process reads
	 * first. The child makes its own and leaves the parent's alone.
	 */
	the_client = NULL;
	if (curl_global_init(CURL_GLOBAL_DEFAULT)) {
		strbuf_addstr(err, "cannot initialise libcurl");
		return NULL;
	}
	c = xcalloc(1, sizeof(*c));
	strbuf_init(&c->scheme_host, 0);
	if (aws_settings_load(&c->aws, err) ||
	    setup_endpoint(c, err) ||
	    (!aws_no_sign_request() &&
	     aws_credentials_load(&c->aws, &c->creds, err))) {
		aws_settings_release(&c->aws);
		strbuf_release(&c->scheme_host);
		free(c);
		return NULL;
	}
	c->concurrency = env_long("QUIRE_S3_CONCURRENCY", 64, 1, 256);
	c->attempts = env_long("QUIRE_S3_ATTEMPTS", 6, 1, 100);
	c->max_inflight = (uint64_t)env_long("QUIRE_S3_MEMORY", 256, 16,
					     1 << 20) << 20;
	c->low_speed_time = env_long("QUIRE_S3_TIMEOUT", 60, 1, 86400);
	c->multi = curl_multi_init();
	if (!c->multi)
		die("out of memory");
	curl_multi_setopt(c->multi, CURLMOPT_MAX_HOST_CONNECTIONS,
			  (long)c->concurrency);
	curl_multi_setopt(c->multi, CURLMOPT_MAXCONNECTS,
			  (long)c->concurrency);
	if (getenv("QUIRE_VERBOSE") && *getenv("QUIRE_VERBOSE") &&
	    strcmp(getenv("QUIRE_VERBOSE"), "0"))
		s3_verbose = 1;
	c->pid = getpid();
	c->thread = pthread_self();
	if (!cleanup_registered++)
		atexit(cleanup_at_exit);
	pthread_once(&client_key_once, make_client_key);
	pthread_setspecific(client_key, c);
	the_client = c;
	return c;
}

void s3_client_cleanup(void)
{
	struct s3_client *c = the_client;

	if (!s3_client_current(c))
		return;
	the_client = NULL;
	pthread_setspecific(client_key, NULL);
	client_free(c);
}

int s3_client_concurrency(const struct s3_client *c)
{
	return c->concurrency;
}

void s3_request_init(struct s3_request *rq, const char *method,
		     const char *bucket, const char *key)
{
	memset(rq, 0, sizeof(*rq));
	rq->method = method;
	rq->bucket = bucket;
	rq->key = key;
	rq->body_fd = -1;
	rq->out_fd = -1;
	strbuf_init(&rq->etag, 0);
	strbuf_init(&rq->version_id, 0);
	strbuf_init(&rq->meta_hash, 0);
	strbuf_init(&rq->checksum, 0);
	strbuf_init(&rq->code, 0);
	strbuf_init(&rq->message, 0);
	strbuf_init(&rq->err, 0);
}

void s3_request_release(struct s3_request *rq)
{
	strbuf_release(&rq->etag);
	strbuf_release(&rq->version_id);
	strbuf_release(&rq->meta_hash);
	strbuf_release(&rq->checksum);
	strbuf_release(&rq->code);
	strbuf_release(&rq->message);
	strbuf_release(&rq->err);
}

/* The host (as sent in Host) and the encoded path of rq. */
static void target(struct s3_client *c, const struct s3_request *rq,
		   struct strbuf *host, struct strbuf *path)
{
	const char *h = strstr(c->scheme_host.buf, "://") + 3;
	int https = !strncmp(c->scheme_host.buf, "https", 5);
	size_t len = strlen(h);

	/* curl leaves the scheme's default port out of Host */
	if (https && len > 4 && !strcmp(h + len - 4, ":443"))
		len -= 4;
	else if (!https && len > 3 && !strcmp(h + len - 3, ":80"))
		len -= 3;
	if (c->path_style || strchr(rq->bucket, '.')) {
		strbuf_add(host, h, len);
		strbuf_addch(path, '/');
		sigv4_encode(path, rq->bucket, strlen(rq->bucket), 0);
		if (rq->key)
			strbuf_addch(path, '/');
	} else {
		strbuf_addf(host, "%s.%.*s", rq->bucket, (int)len, h);
		strbuf_addch(path, '/');
	}
	if (rq->key)
		sigv4_encode(path, rq->key, strlen(rq->key), 1);
}

static void request_name(const struct s3_request *rq, struct strbuf *sb)
{
	strbuf_addf(sb, "%s s3://%s/%s", rq->method, rq->bucket,
		    rq->key ? rq->key : "");
}

static int has_body_file(const struct s3_request *rq)
{
	return rq->body_fd >= 0 || (rq->body_path && !rq->data);
}

/* Read the body into memory and hash it, once for all attempts. */
static int load_body(struct s3_request *rq, struct rq_state *st)
{
	ssize_t n = -1;
	int fd = rq->body_fd, saved;

	st->loaded = 1;
	if (rq->data) {
		st->body = (char *)rq->data;
	} else if (has_body_file(rq)) {
		if (rq->body_len > SIZE_MAX / 2)
			BUG("S3 body too large for memory");
		st->body = xmalloc(rq->body_len ? rq->body_len : 1);
		if (fd < 0)
			fd = open(rq->body_path,
				  O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		if (fd >= 0)
			n = pread_in_full(fd, st->body, rq->body_len,
					  rq->body_off);
		saved = errno;
		if (fd >= 0 && fd != rq->body_fd)
			close(fd);
		if (n < 0 || (uint64_t)n != rq->body_len) {
			strbuf_addf(&rq->err, "cannot read the bytes to send "
				    "for s3://%s/%s: %s", rq->bucket,
				    rq->key ? rq->key : "",
				    n < 0 ? strerror(saved) : "file shrank");
			return QERR_GENERIC;
		}
	} else {
		rq->body_len = 0;
	}
	sha256_buf(st->body ? st->body : "", rq->body_len, rq->body_sha256);
	return 0;
}

static size_t read_cb(char *buf, size_t size, size_t nmemb, void *data)
{
	struct s3_request *rq = data;
	struct rq_state *st = rq->priv;
	size_t n = size * nmemb;

	if (n > rq->body_len - st->sent)
		n = rq->body_len - st->sent;
	memcpy(buf, st->body + st->sent, n);
	st->sent += n;
	return n;
}

static int seek_cb(void *data, curl_off_t off, int origin)
{
	struct s3_request *rq = data;
	struct rq_state *st = rq->priv;

	if (origin != SEEK_SET || off < 0 || (uint64_t)off > rq->body_len)
		return CURL_SEEKFUNC_CANTSEEK;
	st->sent = off;
	return CURL_SEEKFUNC_OK;
}

static size_t sink_bytes(struct s3_request *rq, struct rq_state *st,
			 const char *p, size_t n)
{
	ssize_t w;

	switch (rq->sink) {
	case S3_SINK_NONE:
		break;
	case S3_SINK_BUF:
		if (rq->out->len + n > rq->out_max) {
			st->io_failed = 1;
			return 0;
		}
		strbuf_add(rq->out, p, n);
		break;
	case S3_SINK_FD:
		w = pwrite(rq->out_fd, p, n, rq->out_off + st->got);
		if (w < 0 || (size_t)w != n) {
			st->io_failed = errno ? errno : EIO;
			return 0;
		}
		break;
	case S3_SINK_FN:
		if (rq->on_data(p, n, rq->payload) != n) {
			st->io_failed = 1;
			return 0;
		}
		break;
	}
	st->got += n;
	return n;
}

static size_t write_cb(char *p, size_t size, size_t nmemb, void *data)
{
	struct s3_request *rq = data;
	struct rq_state *st = rq->priv;
	size_t n = size * nmemb;
	long code = 0;

	curl_easy_getinfo(st->easy, CURLINFO_RESPONSE_CODE, &code);
	if (code >= 300) {
		if (st->error_body.len < ERROR_BODY_MAX)
			strbuf_add(&st->error_body, p, n);
		return n;
	}
	return sink_bytes(rq, st, p, n);
}

static void header_value(struct strbuf *out, const char *v, size_t len)
{
	while (len && (*v == ' ' || *v == '\t')) {
		v++;
		len--;
	}
	while (len && (v[len - 1] == '\r' || v[len - 1] == '\n' ||
		       v[len - 1] == ' '))
		len--;
	strbuf_reset(out);
	strbuf_add(out, v, len);
}

static int header_is(const char *h, size_t n, const char *name, size_t *vo)
{
	size_t l = strlen(name);

	if (n <= l || h[l] != ':' || strncasecmp(h, name, l))
		return 0;
	*vo = l + 1;
	return 1;
}

static size_t header_cb(char *h, size_t size, size_t nmemb, void *data)
{
	struct s3_request *rq = data;
	size_t n = size * nmemb, vo;
	struct strbuf v = STRBUF_INIT;

	if (n >= 5 && !strncmp(h, "HTTP/", 5)) {
		strbuf_reset(&rq->etag);
		strbuf_reset(&rq->version_id);
		strbuf_reset(&rq->meta_hash);
		strbuf_reset(&rq->checksum);
		rq->has_length = 0;
	} else if (header_is(h, n, "etag", &vo)) {
		header_value(&rq->etag, h + vo, n - vo);
	} else if (header_is(h, n, "x-amz-version-id", &vo)) {
		header_value(&rq->version_id, h + vo, n - vo);
		if (!strcmp(rq->version_id.buf, "null"))
			strbuf_reset(&rq->version_id);
	} else if (header_is(h, n, "x-amz-meta-quire-hash", &vo)) {
		header_value(&rq->meta_hash, h + vo, n - vo);
	} else if (header_is(h, n, "x-amz-checksum-sha256", &vo)) {
		header_value(&rq->checksum, h + vo, n - vo);
	} else if (header_is(h, n, "content-length", &vo)) {
		header_value(&v, h + vo, n - vo);
		rq->has_length = !parse_u64(v.buf, &rq->content_length);
	}
	strbuf_release(&v);
	return n;
}

static void add_header(struct curl_slist **list, const char *h)
{
	struct curl_slist *n = curl_slist_append(*list, h);

	if (!n)
		die("out of memory");
	*list = n;
}

/*
 * Temporary credentials are got again before they expire; the old ones
 * stay (and the server says if they no longer work) when that fails.
 */
static void refresh_credentials(struct s3_client *c)
{
	struct aws_credentials fresh;
	struct strbuf err = STRBUF_INIT;

	if (!c->creds.access_key_id ||
	    !aws_credentials_expiring(&c->creds, time(NULL)))
		return;
	if (aws_credentials_load(&c->aws, &fresh, &err)) {
		if (!c->refresh_failed)
			warning("cannot renew the AWS credentials from %s: %s",
				c->creds.source, err.buf);
		c->refresh_failed = 1;
	} else {
		aws_credentials_release(&c->creds);
		c->creds = fresh;
		c->refresh_failed = 0;
	}
	strbuf_release(&err);
}

static void sign(struct s3_client *c, struct s3_request *rq,
		 struct rq_state *st, const char *host, const char *path,
		 const char *query)
{
	struct sigv4_request sr = { 0 };
	struct sigv4_headers h;
	struct object_id body;
	char hex[HASH_HEXSZ + 1];
	const char *const *x;

	body.type = HASH_SHA256;
	memcpy(body.hash, rq->body_sha256, HASH_RAWSZ);
	memcpy(hex, oid_to_hex(&body), sizeof(hex));
	sr.method = rq->method;
	sr.host = host;
	sr.path = path;
	sr.query = query;
	sr.payload_hash = hex;
	sr.headers = rq->headers;
	sr.now = time(NULL);
	sigv4_headers_init(&h);
	refresh_credentials(c);
	if (c->creds.access_key_id) {
		sigv4_sign(&sr, "s3", c->aws.region, c->creds.access_key_id,
			   c->creds.secret_access_key, c->creds.session_token,
			   &h);
		add_header(&st->hdrs, h.date.buf);
		add_header(&st->hdrs, h.content_sha256.buf);
		add_header(&st->hdrs, h.authorization.buf);
		if (h.token.len)
			add_header(&st->hdrs, h.token.buf);
	}
	sigv4_headers_release(&h);
	for (x = rq->headers; x && *x; x++)
		add_header(&st->hdrs, *x);
	add_header(&st->hdrs, "Expect:");
	add_header(&st->hdrs, "Accept:");
}

static void setup_easy(struct s3_client *c, struct s3_request *rq,
		       struct rq_state *st)
{
	struct strbuf host = STRBUF_INIT, path = STRBUF_INIT,
		      query = STRBUF_INIT, url = STRBUF_INIT;
	CURL *e = st->easy;

	target(c, rq, &host, &path);
	if (rq->query)
		sigv4_query(&query, rq->query);
	strbuf_addf(&url, "%.*s%s%s%s",
		    (int)(strstr(c->scheme_host.buf, "://") + 3 -
			  c->scheme_host.buf), c->scheme_host.buf,
		    host.buf, path.buf, query.len ? "?" : "");
	strbuf_addbuf(&url, &query);
	sign(c, rq, st, host.buf, path.buf, query.buf);

	curl_easy_reset(e);
	curl_easy_setopt(e, CURLOPT_URL, url.buf);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, st->hdrs);
	curl_easy_setopt(e, CURLOPT_PRIVATE, rq);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, 20L);
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, c->low_speed_time);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, rq);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, header_cb);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, rq);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	if (!strcmp(rq->method, "HEAD")) {
		curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
	} else if (!strcmp(rq->method, "PUT") ||
		   !strcmp(rq->method, "POST")) {
		curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(e, CURLOPT_READFUNCTION, read_cb);
		curl_easy_setopt(e, CURLOPT_READDATA, rq);
		curl_easy_setopt(e, CURLOPT_SEEKFUNCTION, seek_cb);
		curl_easy_setopt(e, CURLOPT_SEEKDATA, rq);
		curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE,
				 (curl_off_t)rq->body_len);
		if (!strcmp(rq->method, "POST"))
			curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, "POST");
	} else if (strcmp(rq->method, "GET")) {
		curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, rq->method);
	}
	strbuf_release(&host);
	strbuf_release(&path);
	strbuf_release(&query);
	strbuf_release(&url);
}

static void start(struct s3_client *c, struct s3_request *rq)
{
	struct rq_state *st = rq->priv;

	if (!st->easy) {
		st->easy = curl_easy_init();
		if (!st->easy)
			die("out of memory");
	}
	curl_slist_free_all(st->hdrs);
	st->hdrs = NULL;
	st->sent = 0;
	st->got = 0;
	st->io_failed = 0;
	strbuf_reset(&st->error_body);
	if (rq->sink == S3_SINK_BUF)
		strbuf_reset(rq->out);
	if (rq->sink == S3_SINK_FN && rq->on_reset && st->attempt)
		rq->on_reset(rq->payload);
	setup_easy(c, rq, st);
	st->started = now_seconds();
	st->attempt++;
	if (curl_multi_add_handle(c->multi, st->easy))
		die("cannot start an S3 request");
}

static void error_element(const char *path, const char *text, size_t len,
			  void *payload)
{
	struct s3_request *rq = payload;

	if (!strcmp(path, "Error/Code"))
		strbuf_add(&rq->code, text, len);
	else if (!strcmp(path, "Error/Message"))
		strbuf_add(&rq->message, text, len);
}

static void parse_error_body(struct s3_request *rq, struct rq_state *st)
{
	struct xml_stream *x;

	strbuf_reset(&rq->code);
	strbuf_reset(&rq->message);
	if (!st->error_body.len)
		return;
	x = xml_stream_new(error_element, rq);
	xml_stream_feed(x, st->error_body.buf, st->error_body.len, 1);
	xml_stream_free(x);
}

static int retryable(CURLcode cc, long status, const struct s3_request *rq)
{
	if (cc != CURLE_OK)
		return cc != CURLE_WRITE_ERROR && cc != CURLE_READ_ERROR &&
		       cc != CURLE_OUT_OF_MEMORY &&
		       cc != CURLE_UNSUPPORTED_PROTOCOL &&
		       cc != CURLE_URL_MALFORMAT &&
		       cc != CURLE_PEER_FAILED_VERIFICATION &&
		       cc != CURLE_SSL_CACERT_BADFILE;
	if (status >= 500 && status != 501)
		return 1;
	if (status == 429)
		return 1;
	/* AWS: a conditional write raced another; try again */
	if (status == 409 &&
	    !strcmp(rq->code.buf, "ConditionalRequestConflict"))
		return 1;
	/*
	 * The body the server got is not the one signed (a byte changed or
	 * went missing on the way): nothing was stored; send it again.
	 */
	if (status == 400 && (!strcmp(rq->code.buf, "BadDigest") ||
			      !strcmp(rq->code.buf,
				      "XAmzContentSHA256Mismatch")))
		return 1;
	return status == 400 && !strcmp(rq->code.buf, "RequestTimeout");
}

/* Exponential backoff with full jitter: up to 0.1 s * 2^n, at most 10 s. */
static double backoff(int attempt)
{
	double cap = 0.1 * (1 << (attempt < 7 ? attempt : 7));

	if (cap > 10)
		cap = 10;
	return cap * (0.5 + 0.5 * ((double)rand() / RAND_MAX));
}

static void log_line(const struct s3_request *rq, const char *what)
{
	struct strbuf sb = STRBUF_INIT, line = STRBUF_INIT;
	const char *const *q;

	if (!s3_verbose)
		return;
	request_name(rq, &sb);
	for (q = rq->query; q && *q; q += 2)
		strbuf_addf(&sb, "%c%s=%s", q == rq->query ? '?' : '&', q[0],
			    q[1] ? q[1] : "");
	strbuf_addf(&sb, " %s", what);
	redact_text(&line, sb.buf);
	fprintf(stderr, "s3: %s\n", line.buf);
	strbuf_release(&sb);
	strbuf_release(&line);
}

static void fail_message(struct s3_client *c, struct s3_request *rq,
			 struct rq_state *st, CURLcode cc, long status)
{
	strbuf_reset(&rq->err);
	request_name(rq, &rq->err);
	if (st->io_failed && rq->sink == S3_SINK_FD)
		strbuf_addf(&rq->err, ": cannot write what arrived: %s",
			    strerror(st->io_failed));
	else if (st->io_failed)
		strbuf_addstr(&rq->err, ": the answer could not be read "
			      "(too large or malformed)");
	else if (cc != CURLE_OK)
		strbuf_addf(&rq->err, ": %s", curl_easy_strerror(cc));
	else
		strbuf_addf(&rq->err, ": HTTP %ld", status);
	if (rq->code.len)
		strbuf_addf(&rq->err, " %s", rq->code.buf);
	if (rq->message.len)
		strbuf_addf(&rq->err, " (%s)", rq->message.buf);
	if (st->attempt > 1)
		strbuf_addf(&rq->err, " after %d attempts", st->attempt);
	if ((status == 403 || status == 400) && c->creds.access_key_id &&
	    (status == 403 || !strcmp(rq->code.buf, "ExpiredToken")))
		strbuf_addf(&rq->err, "; check the AWS credentials (from %s)",
			    c->creds.source);
	else if (status == 403)
		strbuf_addstr(&rq->err, "; the request was sent unsigned "
			      "(--no-sign-request, QUIRE_NO_SIGN_REQUEST): to "
			      "sign it, leave that out and set AWS "
			      "credentials (see quire-credentials(7))");
}

static int status_ret(long status, const struct s3_request *rq)
{
	if (status == 404)
		return QERR_NOTFOUND;
	if (status == 412)
		return QERR_STALE;
	if (status == 501)
		return QERR_USAGE;
	return QERR_GENERIC;
}

/*
 * One attempt ended: 1 when rq is finished (rq->ret set), 0 when it is
 * to be tried again (not_before set).
 */
static int finish_attempt(struct s3_client *c, struct s3_request *rq,
			  CURLcode cc)
{
	struct rq_state *st = rq->priv;
	long status = 0;
	struct strbuf what = STRBUF_INIT;
	int again;

	curl_easy_getinfo(st->easy, CURLINFO_RESPONSE_CODE, &status);
	rq->status = status;
	parse_error_body(rq, st);
	if (cc == CURLE_OK && status >= 200 && status < 300 &&
	    !st->io_failed) {
		strbuf_addf(&what, "-> %ld (%.3f s)", status,
			    now_seconds() - st->started);
		log_line(rq, what.buf);
		strbuf_release(&what);
		rq->ret = 0;
		return 1;
	}
	again = !st->io_failed && retryable(cc, status, rq) &&
		st->attempt < c->attempts;
	if (cc != CURLE_OK)
		strbuf_addf(&what, "-> %s", curl_easy_strerror(cc));
	else
		strbuf_addf(&what, "-> %ld%s%s", status, rq->code.len ? " " :
			    "", rq->code.buf);
	if (again) {
		double wait = backoff(st->attempt);

		strbuf_addf(&what, "; retrying in %.2f s (attempt %d of %d)",
			    wait, st->attempt + 1, c->attempts);
		st->not_before = now_seconds() + wait;
	}
	log_line(rq, what.buf);
	strbuf_release(&what);
	if (again)
		return 0;
	fail_message(c, rq, st, cc, status);
	rq->ret = cc != CURLE_OK || st->io_failed ? QERR_GENERIC :
		  status_ret(status, rq);
	return 1;
}

static uint64_t held_bytes(const struct s3_request *rq)
{
	return has_body_file(rq) ? rq->body_len : 0;
}

static void release_state(struct s3_client *c, struct s3_request *rq)
{
	struct rq_state *st = rq->priv;

	if (!st)
		return;
	c->inflight -= held_bytes(rq);
	if (st->easy)
		curl_easy_cleanup(st->easy);
	curl_slist_free_all(st->hdrs);
	if (st->body && st->body != rq->data)
		free(st->body);
	strbuf_release(&st->error_body);
	free(st);
	rq->priv = NULL;
}

/* Pick the next request that may start now; -1 and *wait if none. */
static ssize_t next_ready(struct s3_request **rq, size_t nr, size_t *cursor,
			  size_t *waiting, double *wait)
{
	size_t i;
	double now = now_seconds();

	/* retries when due, then requests not yet started, in order */
	*wait = 1.0;
	for (i = 0; i < *cursor && *waiting; i++) {
		struct rq_state *st = rq[i]->priv;

		if (!st || !st->not_before)
			continue;
		if (st->not_before <= now) {
			st->not_before = 0;
			(*waiting)--;
			return i;
		}
		if (st->not_before - now < *wait)
			*wait = st->not_before - now;
	}
	if (*cursor < nr)
		return (*cursor)++;
	return -1;
}

static int begin(struct s3_client *c, struct s3_request *rq)
{
	struct rq_state *st = rq->priv;

	if (!st) {
		st = xcalloc(1, sizeof(*st));
		strbuf_init(&st->error_body, 0);
		rq->priv = st;
		rq->ret = 0;
		strbuf_reset(&rq->err);
		c->inflight += held_bytes(rq);
		rq->ret = load_body(rq, st);
		if (!rq->ret && rq->check_body)
			rq->ret = rq->check_body(rq, rq->check_payload);
		if (rq->ret) {
			release_state(c, rq);
			return 0;
		}
	}
	start(c, rq);
	return 1;
}

/* May rq start now, with what the running requests hold in memory? */
static int fits(struct s3_client *c, struct s3_request *rq, int running)
{
	return rq->priv || !running ||
	       c->inflight + held_bytes(rq) <= c->max_inflight;
}

/* Collect what finished: how many requests are done for good. */
static size_t reap(struct s3_client *c, size_t *waiting)
{
	CURLMsg *msg;
	int left;
	size_t done = 0;

	while ((msg = curl_multi_info_read(c->multi, &left))) {
		struct s3_request *r;
		CURL *e = msg->easy_handle;

		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(e, CURLINFO_PRIVATE, (char **)&r);
		curl_multi_remove_handle(c->multi, e);
		if (finish_attempt(c, r, msg->data.result)) {
			done++;
			release_state(c, r);
		} else {
			(*waiting)++;
		}
	}
	return done;
}

/*
 * Wait for the transfers, but no longer than until a request waiting to
 * be tried again is due, or curl's own next timer (timeouts, the low
 * speed check) is: a retry starts on time, and a stalled transfer is
 * given up when QUIRE_S3_TIMEOUT says.
 */
static void poll_until_due(struct s3_client *c, int running, size_t waiting,
			   double wait)
{
	long ms = running ? 1000 : (long)(wait * 1000) + 1, curl_ms = -1;

	if (waiting && (long)(wait * 1000) + 1 < ms)
		ms = (long)(wait * 1000) + 1;
	if (running && curl_multi_timeout(c->multi, &curl_ms) == CURLM_OK &&
	    curl_ms >= 0 && curl_ms < ms)
		ms = curl_ms;
	curl_multi_poll(c->multi, NULL, 0, (int)ms, NULL);
}

int s3_run(struct s3_client *c, struct s3_request **rq, size_t nr)
{
	size_t cursor = 0, waiting = 0, done = 0, i, n;
	ssize_t held = -1;
	int running = 0, first_ret = 0;

	while (done < nr) {
		double wait = 1.0;

		while (running < c->concurrency) {
			ssize_t k = held >= 0 ? held :
				    next_ready(rq, nr, &cursor, &waiting,
					       &wait);

			held = -1;
			if (k < 0)
				break;
			if (!fits(c, rq[k], running)) {
				held = k;	/* memory first */
				break;
			}
			if (begin(c, rq[k]))
				running++;
			else
				done++;
		}
		if (done >= nr)
			break;
		curl_multi_perform(c->multi, &running);
		n = reap(c, &waiting);
		done += n;
		if (n || done >= nr)
			continue;	/* slots freed: start more first */
		poll_until_due(c, running, waiting, wait);
	}
	for (i = 0; i < nr; i++)
		if (rq[i]->ret && !first_ret)
			first_ret = rq[i]->ret;
	return first_ret;
}

int s3_run1(struct s3_client *c, struct s3_request *rq)
{
	return s3_run(c, &rq, 1);
}

int s3_url_parse(const char *url, struct strbuf *bucket,
		 struct strbuf *prefix, struct strbuf *err)
{
	const char *p, *slash;

	if (strncmp(url, "s3://", 5))
		goto bad;
	p = url + 5;
	slash = strchrnul(p, '/');
	if (slash == p)
		goto bad;
	if (memchr(p, '@', strcspn(p, "/?#"))) {
		strbuf_addstr(err, "'");
		redact_url(err, url);
		strbuf_addstr(err, "' holds credentials: an s3:// URL names "
			      "a bucket and a prefix only; AWS credentials "
			      "come from the environment (AWS_ACCESS_KEY_ID, "
			      "AWS_SECRET_ACCESS_KEY) or a profile "
			      "(AWS_PROFILE, ~/.aws/credentials)");
		return QERR_USAGE;
	}
	strbuf_add(bucket, p, slash - p);
	while (*slash == '/')
		slash++;
	strbuf_addstr(prefix, slash);
	while (prefix->len && prefix->buf[prefix->len - 1] == '/')
		strbuf_setlen(prefix, prefix->len - 1);
	if (prefix->len)
		strbuf_addch(prefix, '/');
	if (strspn(bucket->buf, "abcdefghijklmnopqrstuvwxyz0123456789.-_") !=
	    bucket->len || strstr(prefix->buf, "//") || strchr(url, '?'))
		goto bad;
	return 0;
bad:
	strbuf_addstr(err, "invalid S3 URL '");
	redact_url(err, url);
	strbuf_addstr(err, "': use s3://bucket or s3://bucket/prefix");
	return QERR_USAGE;
}
