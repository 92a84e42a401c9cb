#include "builtin.h"
#include "parse-options.h"
#include "serve/serve.h"

static const char * const serve_usage[] = {
	"quire serve [-r <registry>] [--bind <address>] [--port <port>] "
	"[--open] [-q]",
	NULL
};

/* Open the catalog in the user's browser, as git instaweb does. */
static void open_browser(const char *url)
{
	const char *argv[] = { "xdg-open", url, NULL };
	pid_t pid = fork();

	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		if (null >= 0) {
			dup2(null, 0);
			dup2(null, 1);
			dup2(null, 2);
		}
		execvp(argv[0], (char **)argv);
		_exit(127);
	}
}

int cmd_serve(int argc, const char **argv, const char *prefix,
	      struct workspace *ws)
{
	struct serve_opts o = { NULL, "127.0.0.1", 8080, 64, 30, 0 };
	struct strbuf err = STRBUF_INIT, url = STRBUF_INIT;
	struct serve *s;
	unsigned long port = 8080;
	int open_it = 0, ret;
	struct option options[] = {
		OPT__REGISTRY(&o.registry),
		OPT_STRING(0, "bind", &o.bind, "address",
			   "the address to listen on (default 127.0.0.1)"),
		OPT_ULONG(0, "port", &port, "port",
			  "the port (default 8080; 0 picks a free one)"),
		OPT_BOOL(0, "open", &open_it,
			 "open the catalog in a web browser"),
		OPT__QUIET(&o.quiet),
		OPT_END()
	};

	argc = parse_options(argc, argv, prefix, options, serve_usage, 0);
	if (argc)
		usage_with_options(serve_usage, options);
	if (port > 65535)
		die("--port must be from 0 to 65535, not %lu", port);
	if (!*o.bind)
		die("--bind needs an address, such as 127.0.0.1");
	o.port = (unsigned)port;
	if (serve_new(&o, ws, &s, &err) < 0)
		die("%s", err.buf);
	if (open_it) {
		strbuf_addf(&url, "http://%s:%u/", o.bind, o.port);
		open_browser(url.buf);
	}
	ret = serve_run(s, &o, &err);
	if (ret < 0)
		die("%s", err.buf);
	if (!ret)
		serve_free(s);
	strbuf_release(&err);
	strbuf_release(&url);
	return 0;
}
