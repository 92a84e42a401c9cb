#ifndef S3_S3_H
#define S3_S3_H

#include "hash.h"
#include "strbuf.h"
#include "s3/aws-config.h"

/*
 * An S3 client: requests signed with SigV4, run many at once over one
 * libcurl multi handle (connections are reused from request to request),
 * retried with exponential backoff and jitter on 5xx, 429, timeouts and
 * dropped connections.
 *
 * One client serves each thread (s3_client_get()): every bucket, every
 * registry and every physical key share its connections. Another thread,
 * or a child made by fork(), gets a client of its own on first use.
 */
struct s3_client;

/*
 * The client, made on first use from the AWS settings of the
 * environment (s3/aws-config.h). NULL with the reason in err.
 */
struct s3_client *s3_client_get(struct strbuf *err);
/*
 * Is c the client of this thread of this process (not another thread's,
 * nor one inherited across fork())?
 */
int s3_client_current(const struct s3_client *c);
/* Release this thread's client (at exit; safe when never made). */
void s3_client_cleanup(void);

/*
 * A number naming this thread of this process, never given to another
 * (unlike a pthread_t, which a thread started later may get again): a
 * holder of a client compares it to know the client is still its
 * thread's, without looking at a client another thread may have freed.
 */
uint64_t s3_thread_serial(void);

/*
 * How many requests run at once (QUIRE_S3_CONCURRENCY, default 64): a
 * small object's request is mostly waiting for the server, so many in
 * flight keep it busy; bodies in memory are capped by QUIRE_S3_MEMORY.
 */
int s3_client_concurrency(const struct s3_client *c);

/* Where a response body goes. */
enum s3_sink {
	S3_SINK_NONE,
	S3_SINK_BUF,	/* into out (up to out_max bytes) */
	S3_SINK_FD,	/* pwrite into out_fd from out_off */
	S3_SINK_FN,	/* to on_data, with on_reset before each retry */
};

struct s3_request {
	/* what to send */
	const char *method;		/* "GET", "PUT", "HEAD", ... */
	const char *bucket;
	const char *key;		/* raw, not encoded; NULL: bucket */
	const char *const *query;	/* name, value, ..., NULL; or NULL */
	const char *const *headers;	/* "Name: value", ..., NULL; or NULL */
	/*
	 * body: data/len in memory, or len bytes of body_fd at body_off,
	 * or of the file body_path (when body_fd is -1), which is opened
	 * only when the request starts: a batch of any size holds no more
	 * files open than it has requests running.
	 */
	const char *data;
	int body_fd;			/* -1: none */
	const char *body_path;
	uint64_t body_off, body_len;

	/* where the answer goes (2xx only; an error body is kept apart) */
	enum s3_sink sink;
	struct strbuf *out;
	size_t out_max;
	int out_fd;
	uint64_t out_off;
	size_t (*on_data)(const char *p, size_t n, void *payload);
	void (*on_reset)(void *payload);
	void *payload;

	/* answers */
	long status;			/* HTTP status of the last attempt */
	uint64_t content_length;	/* with has_length */
	int has_length;
	struct strbuf etag, version_id, meta_hash, checksum, code, message;
	int ret;			/* 0, or a QERR with err filled */
	struct strbuf err;
	/* the SHA-256 of the body sent (filled when the body is loaded) */
	unsigned char body_sha256[HASH_RAWSZ];
	/*
	 * Called once the body is loaded and hashed, before anything is
	 * sent: non-zero (a QERR, with err filled) refuses the request.
	 */
	int (*check_body)(struct s3_request *rq, void *check_payload);
	void *check_payload;

	/* private to s3/client.c */
	void *priv;
};

void s3_request_init(struct s3_request *rq, const char *method,
		     const char *bucket, const char *key);
void s3_request_release(struct s3_request *rq);

/*
 * Run nr requests, at most s3_client_concurrency() at a time. Each one's
 * ret tells how it went: 0 for a 2xx answer; QERR_NOTFOUND for 404
 * (NoSuchKey, NoSuchBucket); QERR_STALE for 412; QERR_USAGE for 501 (not
 * implemented); QERR_GENERIC otherwise, with a message naming the
 * request, the status and the server's code. Returns the first failing
 * request's ret, or 0.
 */
int s3_run(struct s3_client *c, struct s3_request **rq, size_t nr);
/* The same for one request. */
int s3_run1(struct s3_client *c, struct s3_request *rq);

/* Verbose request log on stderr (quire --verbose, QUIRE_VERBOSE=1). */
extern int s3_verbose;

/*
 * s3://bucket/prefix into bucket and prefix (without leading '/',
 * with a trailing '/' unless empty). QERR_USAGE when malformed.
 */
int s3_url_parse(const char *url, struct strbuf *bucket,
		 struct strbuf *prefix, struct strbuf *err);

#endif
