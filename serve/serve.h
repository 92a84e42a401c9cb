#ifndef SERVE_H
#define SERVE_H
#include <pthread.h>
#include "hash.h"
#include "strbuf.h"

/*
 * quire serve: a read-only web catalog of one registry.
 *
 * server.c runs libmicrohttpd (a thread a connection, a bounded number
 * of connections) and turns a request into a struct req; route.c
 * parses the URL and calls a page (page-*.c, HTML) or an API route
 * (api.c, JSON). A handler fills r->body (or r->fd, or r->pipe for a
 * streamed answer) and r->status; server.c sends it with the headers
 * every answer carries (Content-Security-Policy and others).
 *
 * Versions are read through the per-version index (vindex.c), kept in
 * the user's cache and opened once per process (state.c).
 */

struct vindex;
struct MHD_Connection;

struct serve_opts {
	const char *registry;	/* as the user gave it, or NULL */
	const char *bind;
	unsigned port;
	unsigned max_conns;
	unsigned timeout;	/* seconds a connection may idle */
	int quiet;
};

struct serve;

/* Open the registry and get ready; 0 or a negative qerr with err. */
struct workspace;
int serve_new(const struct serve_opts *o, struct workspace *ws,
	      struct serve **out, struct strbuf *err);
void serve_free(struct serve *s);
/* Its registry's URL, credentials removed. */
const char *serve_registry_url(const struct serve *s);
/*
 * Serve until SIGINT or SIGTERM; 0, QERR_GENERIC with err, or 1 when
 * answers were still under way 10 s after the signal (they were left:
 * do not serve_free() then).
 */
int serve_run(struct serve *s, const struct serve_opts *o,
	      struct strbuf *err);

/* --- one request ----------------------------------------------------- */

struct req {
	struct serve *s;
	struct MHD_Connection *conn;
	const char *path;	/* decoded, from the first '/' */
	int head;		/* a HEAD request */
	unsigned status;
	const char *type;	/* Content-Type */
	struct strbuf body;
	int fd;			/* or: send this file (closed for us) */
	uint64_t fd_size;
	int pipe;		/* or: send what is written here (streamed) */
	char *disposition;	/* Content-Disposition, or NULL */
	char *cache_control;	/* or NULL: no-cache */
};

/* A query argument of the request, or NULL. */
const char *req_arg(struct req *r, const char *name);

/* Route the request: fills r. */
void route(struct req *r);

/*
 * Answer with an error: an HTML page, or for the API {"error": msg}.
 * status from qerr: QERR_NOTFOUND 404, QERR_USAGE 400, else 500.
 */
void req_error(struct req *r, int api, unsigned status, const char *msg);
unsigned status_of(int qerr);

/*
 * Stream an answer: fn runs in a thread of its own and writes to fd
 * (a pipe; write_in_full), which it closes by returning. r->pipe is
 * set. 0, or -1 (r is answered with an error, payload freed).
 */
typedef void stream_fn(int fd, void *payload);
int req_stream(struct req *r, stream_fn *fn, void *payload,
	       void (*free_payload)(void *));

/* --- what the pages read (state.c) ------------------------------------ */

/*
 * A version, resolved from "ns/name", "ns/name:tag" or "ns/name@hex"
 * and opened through its index (built on first use). Released with
 * version_release().
 */
struct version {
	char *name;		/* "ns/name" */
	char *spelled;		/* "@hex", ":tag" or "" as in the URL */
	struct object_id top;
	char hex[HASH_HEXSZ + 1];	/* top in hex */
	struct vindex *vx;
	int owned;		/* vx is this request's alone */
};

/* 0, or a qerr: QERR_USAGE (a bad spelling), QERR_NOTFOUND, other. */
int version_open(struct serve *s, const char *name, const char *rev,
		 struct version *v, struct strbuf *err);
void version_release(struct serve *s, struct version *v);

/* Just the top hash of name+rev. */
int version_resolve(struct serve *s, const char *name, const char *rev,
		    struct object_id *top, struct strbuf *err);

/* Entries, bytes and message of a version (remembered once read). */
struct version_summary {
	uint64_t entries, size;
	char *message;		/* "" when none */
};
int version_summary(struct serve *s, const char *name,
		    const struct object_id *top, struct version_summary *out,
		    struct strbuf *err);
void version_summary_release(struct version_summary *sum);

/*
 * The bytes of an object, fetched into the user's cache if need be and
 * checked against oid: *fd open at 0. 0, or a qerr with err.
 */
int object_open(struct serve *s, const char *physical,
		const struct object_id *oid, uint64_t size, int *fd,
		struct strbuf *err);

/* The registry opened for this request's thread (do not free). */
struct registry;
int serve_registry(struct serve *s, struct registry **reg,
		   struct strbuf *err);
void serve_registry_put(struct serve *s, struct registry *reg);
/* The registry argument for porcelain_*() calls. */
const char *serve_registry_arg(const struct serve *s);

#endif
