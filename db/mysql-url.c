#include "db/mysql-internal.h"
#include "error.h"
#include "physical-key.h"
#include "wrapper.h"

/*
 * mysql://[user@]host[:port]/db[?socket=<path>], or mariadb://...: the
 * parts percent-decoded. What the url leaves out (user, host, port,
 * socket) Connector/C takes from the option files ([client] of
 * ~/.my.cnf), else its defaults: the login name, localhost, 3306.
 */

#define NOT_TEXT "decodes to no UTF-8 text (%00 or bytes)"

#define NO_PASSWORD "put the password in ~/.my.cnf ([client] password=...) " \
	"or MYSQL_PWD, not in the url"

/*
 * [s, end) percent-decoded (url_unquote()) into *out; -1 when that is
 * not UTF-8 or holds a NUL.
 */
static int decode(const char *s, const char *end, char **out)
{
	struct strbuf sb = STRBUF_INIT;

	if (url_unquote(&sb, s, end - s, 0) < 0 ||
	    memchr(sb.buf, '\0', sb.len)) {
		strbuf_release(&sb);
		return -1;
	}
	*out = strbuf_detach(&sb, NULL);
	return 0;
}

static int bad(const char *url, const char *what, struct strbuf *err)
{
	strbuf_addf(err, "cannot connect to %s: %s", url, what);
	return QERR_USAGE;
}

static int parse_port(const char *s, const char *end, unsigned *port)
{
	unsigned n = 0;

	if (s == end)
		return -1;
	for (; s < end; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		n = n * 10 + (*s - '0');
		if (n > 65535)
			return -1;
	}
	*port = n;
	return n ? 0 : -1;
}

/* host[:port] or [v6]:port in [s, end). */
static int parse_host(const char *url, const char *s, const char *end,
		      struct dbmysql_url *u, struct strbuf *err)
{
	const char *colon;

	if (*s == '[') {
		colon = memchr(s, ']', end - s);
		if (!colon)
			return bad(url, "no ']' after an IPv6 address", err);
		u->host = xstrndup(s + 1, colon - s - 1);
		colon = colon + 1 < end ? colon + 1 : NULL;
		if (colon && *colon != ':')
			return bad(url, "junk after the IPv6 address", err);
	} else {
		colon = memchr(s, ':', end - s);
		if ((colon ? colon : end) > s &&
		    decode(s, colon ? colon : end, &u->host) < 0)
			return bad(url, "the host " NOT_TEXT, err);
	}
	if (colon && parse_port(colon + 1, end, &u->port) < 0)
		return bad(url, "the port is not a number from 1 to 65535",
			   err);
	return 0;
}

/* [user@]host[:port] in [s, end). */
static int parse_authority(const char *url, const char *s, const char *end,
			   struct dbmysql_url *u, struct strbuf *err)
{
	const char *at = NULL, *p;

	for (p = s; p < end; p++)
		if (*p == '@')
			at = p;
	if (at) {
		if (at > s && decode(s, at, &u->user) < 0)
			return bad(url, "the user name " NOT_TEXT, err);
		s = at + 1;
	}
	return s < end ? parse_host(url, s, end, u, err) : 0;
}

static int parse_param(const char *url, const char *s, const char *end,
		       struct dbmysql_url *u, struct strbuf *err)
{
	const char *eq = memchr(s, '=', end - s);
	size_t klen = eq ? (size_t)(eq - s) : (size_t)(end - s);

	if (klen != 6 || strncmp(s, "socket", 6) || !eq) {
		strbuf_addf(err, "cannot connect to %s: unknown parameter "
			    "'%.*s' (quire knows socket=<path>)", url,
			    (int)klen, s);
		return QERR_USAGE;
	}
	free(u->socket);
	u->socket = NULL;
	if (decode(eq + 1, end, &u->socket) < 0 || !*u->socket)
		return bad(url, "bad socket path", err);
	return 0;
}

static int parse_query(const char *url, const char *s,
		       struct dbmysql_url *u, struct strbuf *err)
{
	const char *amp;
	int ret = 0;

	while (!ret && *s) {
		amp = s + strcspn(s, "&");
		if (amp > s)
			ret = parse_param(url, s, amp, u, err);
		s = *amp ? amp + 1 : amp;
	}
	return ret;
}

static int parse_db(const char *url, const char *s, const char *end,
		    struct dbmysql_url *u, struct strbuf *err)
{
	if (s == end || *s != '/' || s + 1 == end)
		return bad(url, "name the database in the url: "
			   "mysql://host/<database>", err);
	if (decode(s + 1, end, &u->db) < 0)
		return bad(url, "the database name " NOT_TEXT, err);
	if (strchr(u->db, '/'))
		return bad(url, "a database name has no '/'", err);
	return 0;
}

/*
 * A password as userinfo ("user:pw@") or as a parameter ("password=",
 * "pwd=", any case)? Checked before anything else, so that no message
 * about the url can show one.
 */
static int has_password(const char *s)
{
	const char *auth_end = s + strcspn(s, "/?#"), *p, *at = NULL;

	for (p = s; p < auth_end; p++)
		if (*p == '@')
			at = p;
	if (at && memchr(s, ':', at - s))
		return 1;
	for (p = strchr(auth_end, '?'); p; p = strchr(p, '&')) {
		p++;
		if (!strncasecmp(p, "password", 8) || !strncasecmp(p, "pwd", 3))
			return 1;
	}
	return 0;
}

int dbmysql_url_parse(const char *url, struct dbmysql_url *u,
		      struct strbuf *err)
{
	const char *s = strstr(url, "://"), *auth_end, *path_end;
	int ret;

	memset(u, 0, sizeof(*u));
	if (!s)
		BUG("not a url: %s", url);
	s += 3;
	if (has_password(s)) {
		strbuf_addstr(err, "a password in the url is refused: "
			      NO_PASSWORD);
		return QERR_USAGE;
	}
	auth_end = s + strcspn(s, "/?#");
	path_end = auth_end + strcspn(auth_end, "?#");
	ret = parse_authority(url, s, auth_end, u, err);
	if (!ret && *path_end == '?')
		ret = parse_query(url, path_end + 1, u, err);
	else if (!ret && *path_end == '#')
		ret = bad(url, "a url to a database has no '#'", err);
	if (!ret)
		ret = parse_db(url, auth_end, path_end, u, err);
	if (!ret && u->socket && !u->host)
		u->host = xstrdup("localhost");
	if (ret)
		dbmysql_url_release(u);
	return ret;
}

void dbmysql_url_release(struct dbmysql_url *u)
{
	free(u->host);
	free(u->user);
	free(u->db);
	free(u->socket);
	memset(u, 0, sizeof(*u));
}
