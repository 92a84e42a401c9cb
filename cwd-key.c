#include "quire-compat.h"
#include "cwd-key.h"
#include "error.h"

/* Drop the last component of out (which ends in '/' or is empty). */
static int up_one(struct strbuf *out)
{
	size_t len = out->len;

	if (!len)
		return -1;
	len--;			/* its '/' */
	while (len && out->buf[len - 1] != '/')
		len--;
	strbuf_setlen(out, len);
	return 0;
}

int cwd_key(const char *prefix, const char *arg, struct strbuf *out,
	    struct strbuf *err)
{
	const char *p, *end;
	size_t n;
	int dir, dots = 0;

	strbuf_reset(out);
	if (!strncmp(arg, ":/", 2)) {
		arg += 2;
		prefix = "";
	}
	dir = *arg && arg[strlen(arg) - 1] == '/';
	strbuf_addstr(out, prefix);
	for (p = arg; *p; p = *end ? end + 1 : end) {
		end = strchrnul(p, '/');
		n = end - p;
		if (!n)
			continue;
		dots = n <= 2 && p[0] == '.' && p[n - 1] == '.';
		if (n == 1 && dots)
			continue;
		if (dots) {
			if (up_one(out) < 0) {
				strbuf_addf(err, "invalid logical key "
					    "'%s': it climbs above the "
					    "workspace's root", arg);
				return QERR_GENERIC;
			}
			continue;
		}
		strbuf_add(out, p, n);
		strbuf_addch(out, '/');
	}
	/* a file's key has no trailing '/'; a folder named as one keeps it */
	if (out->len && !dir && !dots && *arg)
		strbuf_setlen(out, out->len - 1);
	return 0;
}
