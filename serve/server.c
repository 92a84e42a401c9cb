#include "quire-compat.h"
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <sys/socket.h>
#include "serve/serve.h"
#include "json.h"
#include "redact.h"
#include "serve/html.h"

/*
 * Every answer carries these. The policy allows only quire's own
 * stylesheet, script and images: text from a registry that slipped
 * through escaping still could not run.
 */
static const char csp[] =
	"default-src 'none'; script-src 'self'; style-src 'self'; "
	"img-src 'self'; base-uri 'none'; form-action 'self'; "
	"frame-ancestors 'none'";

/*
 * "%HH" decoded in paths and arguments, as libmicrohttpd does, but for
 * "%00": a NUL would end the C string early and make "a.txt%00.png"
 * name "a.txt". It is left as written, so it names nothing.
 */
static size_t unescape(void *cls, struct MHD_Connection *c, char *s)
{
	char *in = s, *out = s;
	int hi, lo;

	(void)cls;
	(void)c;
	while (*in) {
		if (in[0] == '%' && (hi = hexval(in[1])) >= 0 &&
		    (lo = hexval(in[2])) >= 0 && (hi || lo)) {
			*out++ = (char)(hi << 4 | lo);
			in += 3;
		} else {
			*out++ = *in++;
		}
	}
	*out = '\0';
	return out - s;
}

/* Requests that carry a body are refused before it is read. */
static int has_body(struct MHD_Connection *conn)
{
	const char *len = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						      "Content-Length");
	const char *te = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						     "Transfer-Encoding");

	return te || (len && strcmp(len, "0"));
}

const char *req_arg(struct req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND,
					   name);
}

static struct MHD_Response *make_response(struct req *r)
{
	struct MHD_Response *resp;
	size_t len;
	char *buf;

	if (r->fd >= 0) {
		resp = MHD_create_response_from_fd64(r->fd_size, r->fd);
		if (resp)
			r->fd = -1;
		return resp;
	}
	if (r->pipe >= 0) {
		resp = MHD_create_response_from_pipe(r->pipe);
		if (resp)
			r->pipe = -1;
		return resp;
	}
	buf = strbuf_detach(&r->body, &len);
	resp = MHD_create_response_from_buffer(len, buf,
					       MHD_RESPMEM_MUST_FREE);
	if (!resp)
		free(buf);
	return resp;
}

static enum MHD_Result send_req(struct req *r)
{
	struct MHD_Response *resp = make_response(r);
	enum MHD_Result ret;

	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, "Content-Security-Policy", csp);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Cache-Control", r->cache_control ?
				r->cache_control : "no-cache");
	if (r->type)
		MHD_add_response_header(resp, "Content-Type", r->type);
	if (r->disposition)
		MHD_add_response_header(resp, "Content-Disposition",
					r->disposition);
	if (r->status == 405)
		MHD_add_response_header(resp, "Allow", "GET, HEAD");
	ret = MHD_queue_response(r->conn, r->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static void req_release(struct req *r)
{
	strbuf_release(&r->body);
	if (r->fd >= 0)
		close(r->fd);
	if (r->pipe >= 0)
		close(r->pipe);
	free(r->disposition);
	free(r->cache_control);
}

static enum MHD_Result refuse(struct serve *s, struct MHD_Connection *conn,
			      const char *url, unsigned status, const char *msg)
{
	struct req r = { s, conn, "", 0, 0, NULL, STRBUF_INIT, -1, 0, -1,
			 NULL, NULL };
	enum MHD_Result ret;

	req_error(&r, !strncmp(url, "/api/", 5), status, msg);
	ret = send_req(&r);
	req_release(&r);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
				  const char *url, const char *method,
				  const char *version, const char *upload,
				  size_t *upload_size, void **con_cls)
{
	struct serve *s = cls;
	struct req r = { s, conn, url, 0, 200, NULL, STRBUF_INIT, -1, 0, -1,
			 NULL, NULL };
	static int marker;
	enum MHD_Result ret;

	(void)version;
	(void)upload;
	if (!*con_cls) {
		/* the headers are in; answer before any body is read */
		*con_cls = &marker;
		if (strcmp(method, "GET") && strcmp(method, "HEAD"))
			return refuse(s, conn, url, 405, "only GET and HEAD "
				      "are served: the catalog is read-only");
		if (has_body(conn))
			return refuse(s, conn, url, 413, "a request body is "
				      "not accepted");
		/* answered on the next call, once the request is whole */
		return MHD_YES;
	}
	if (*upload_size)
		return refuse(s, conn, url, 413, "a request body is not "
			      "accepted");
	r.head = !strcmp(method, "HEAD");
	route(&r);
	ret = send_req(&r);
	req_release(&r);
	return ret;
}

/* The listening socket on bind:port; -1 with err. */
static int listen_on(const struct serve_opts *o, struct strbuf *err)
{
	struct addrinfo hints = { 0 }, *res = NULL, *ai;
	char port[16];
	int fd = -1, rc, one = 1, saved = 0;

	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	xsnprintf(port, sizeof(port), "%u", o->port);
	rc = getaddrinfo(o->bind, port, &hints, &res);
	if (rc) {
		strbuf_addf(err, "cannot bind to '%s': %s; give an address "
			    "of this machine with --bind", o->bind,
			    gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai && fd < 0; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
			    ai->ai_protocol);
		if (fd < 0)
			continue;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) ||
		    listen(fd, 128)) {
			saved = errno;
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(res);
	if (fd < 0)
		strbuf_addf(err, "cannot listen on %s port %u: %s; pick "
			    "another --port or --bind", o->bind, o->port,
			    strerror(saved ? saved : errno));
	return fd;
}

/* The port the socket got (for --port 0). */
static unsigned bound_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len))
		return 0;
	if (ss.ss_family == AF_INET6)
		return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

static void print_url(const struct serve *s, const struct serve_opts *o,
		      unsigned port)
{
	int v6 = strchr(o->bind, ':') != NULL;

	printf("serving %s at http://%s%s%s:%u/\n", serve_registry_url(s),
	       v6 ? "[" : "", o->bind, v6 ? "]" : "", port);
	fflush(stdout);
}

/* Seconds the answers under way get to finish once a signal came. */
#define STOP_GRACE 10

static void *stop_main(void *d)
{
	MHD_stop_daemon(d);
	return NULL;
}

/*
 * Stop the daemon, which waits for every connection's thread; one that
 * does not end (a download to a client that reads nothing) must not
 * keep the process alive: after STOP_GRACE seconds it is left, and
 * 1 says so (the caller then frees nothing such a thread may use).
 */
static int stop_daemon(struct MHD_Daemon *d)
{
	struct timespec until;
	pthread_t th;

	if (pthread_create(&th, NULL, stop_main, d)) {
		MHD_stop_daemon(d);
		return 0;
	}
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += STOP_GRACE;
	if (!pthread_timedjoin_np(th, NULL, &until))
		return 0;
	fprintf(stderr, "quire serve: answers still under way after %d s; "
		"stopping without them\n", STOP_GRACE);
	return 1;
}

int serve_run(struct serve *s, const struct serve_opts *o,
	      struct strbuf *err)
{
	struct MHD_Daemon *d;
	sigset_t set;
	int fd, sig, ret;

	fd = listen_on(o, err);
	if (fd < 0)
		return QERR_GENERIC;
	/* the threads MHD starts inherit this: only sigwait() sees them */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	d = MHD_start_daemon(MHD_USE_THREAD_PER_CONNECTION |
			     MHD_USE_INTERNAL_POLLING_THREAD |
			     MHD_USE_POLL, 0, NULL, NULL, on_request, s,
			     MHD_OPTION_LISTEN_SOCKET, fd,
			     MHD_OPTION_CONNECTION_LIMIT, o->max_conns,
			     MHD_OPTION_CONNECTION_TIMEOUT, o->timeout,
			     MHD_OPTION_CONNECTION_MEMORY_LIMIT,
			     (size_t)(64 << 10),
			     MHD_OPTION_UNESCAPE_CALLBACK, unescape, NULL,
			     MHD_OPTION_END);
	if (!d) {
		close(fd);
		strbuf_addstr(err, "cannot start the HTTP server");
		return QERR_GENERIC;
	}
	print_url(s, o, bound_port(fd));
	while (sigwait(&set, &sig))
		;
	if (!o->quiet)
		fprintf(stderr, "quire serve: stopping (signal %d)\n", sig);
	ret = stop_daemon(d);
	close(fd);
	return ret;
}

/* --- answers ---------------------------------------------------------- */

unsigned status_of(int qerr)
{
	switch (qerr) {
	case QERR_NOTFOUND:
		return 404;
	case QERR_USAGE:
		return 400;
	default:
		return 500;
	}
}

static const char *reason(unsigned status)
{
	switch (status) {
	case 400: return "Bad request";
	case 404: return "Not found";
	case 405: return "Method not allowed";
	case 413: return "Request body not accepted";
	default: return "Server error";
	}
}

void req_error(struct req *r, int api, unsigned status, const char *text)
{
	struct strbuf clean = STRBUF_INIT;
	const char *msg;

	/* a registry's URL in a message may carry credentials */
	redact_text(&clean, text);
	msg = clean.buf;
	strbuf_reset(&r->body);
	r->status = status;
	if (api) {
		struct json *j = json_new_object();

		json_object_set(j, "error", 5,
				json_new_string(msg, strlen(msg)));
		json_write_python(&r->body, j);
		strbuf_addch(&r->body, '\n');
		json_free(j);
		r->type = "application/json";
		strbuf_release(&clean);
		return;
	}
	r->type = "text/html; charset=utf-8";
	page_begin(&r->body, reason(status), NULL);
	strbuf_addstr(&r->body, "<p class=\"error\">");
	html_escs(&r->body, msg);
	strbuf_addstr(&r->body, "</p><p><a href=\"/\">Back to the registry"
		      "</a></p>");
	page_end(&r->body);
	strbuf_release(&clean);
}

struct stream {
	stream_fn *fn;
	void *payload;
	void (*free_payload)(void *);
	int fd;
};

static void *stream_main(void *arg)
{
	struct stream *st = arg;

	st->fn(st->fd, st->payload);
	close(st->fd);
	if (st->free_payload)
		st->free_payload(st->payload);
	free(st);
	return NULL;
}

int req_stream(struct req *r, stream_fn *fn, void *payload,
	       void (*free_payload)(void *))
{
	struct stream *st;
	pthread_attr_t attr;
	pthread_t th;
	int p[2];

	if (pipe2(p, O_CLOEXEC)) {
		if (free_payload)
			free_payload(payload);
		req_error(r, 0, 500, strerror(errno));
		return -1;
	}
	st = xcalloc(1, sizeof(*st));
	st->fn = fn;
	st->payload = payload;
	st->free_payload = free_payload;
	st->fd = p[1];
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&th, &attr, stream_main, st)) {
		pthread_attr_destroy(&attr);
		close(p[0]);
		close(p[1]);
		free(st);
		if (free_payload)
			free_payload(payload);
		req_error(r, 0, 500, "cannot start a thread");
		return -1;
	}
	pthread_attr_destroy(&attr);
	r->pipe = p[0];
	return 0;
}
