#include "quire-compat.h"
#include "redact.h"

#define REDACTED "<redacted>"

enum redact_flags {
	/* the input is free text: every URL in it, each ending early */
	REDACT_TEXT = (1 << 0),
	/* leave the whole userinfo out (for a manifest) */
	REDACT_DROP_USERINFO = (1 << 1),
};

/*
 * Where an authority ends, and in text where a URL ends. Only what
 * cannot be in a URL ends an authority in text, so that a password with
 * an odd character is not cut short (and shown).
 */
#define AUTH_END "/?#"
#define TEXT_BLANKS " \t\r\n\"\\"
#define TEXT_URL_END TEXT_BLANKS "'<>"

static const char *const secret_params[] = {
	"X-Amz-Signature", "X-Amz-Credential", "X-Amz-Security-Token",
	"Signature", NULL
};

static int is_secret_param(const char *name, size_t len)
{
	const char *const *p;

	for (p = secret_params; *p; p++)
		if (strlen(*p) == len && !strncasecmp(*p, name, len))
			return 1;
	return 0;
}

/* The authority [auth, end): its userinfo redacted or left out. */
static void add_authority(struct strbuf *out, const char *auth,
			  const char *end, unsigned flags)
{
	const char *at = NULL, *p, *colon;

	for (p = auth; p < end; p++)
		if (*p == '@')
			at = p;
	if (!at) {
		strbuf_add(out, auth, end - auth);
		return;
	}
	if (!(flags & REDACT_DROP_USERINFO)) {
		colon = memchr(auth, ':', at - auth);
		if (colon)
			strbuf_add(out, auth, colon + 1 - auth);
		strbuf_addstr(out, REDACTED "@");
	}
	strbuf_add(out, at + 1, end - (at + 1));
}

/* Path, query and fragment [s, end): secret query values redacted. */
static void add_rest(struct strbuf *out, const char *s, const char *end)
{
	const char *q = memchr(s, '?', end - s);
	const char *frag = memchr(s, '#', end - s);
	const char *qend, *p, *amp, *eq;

	if (!q || (frag && frag < q)) {
		strbuf_add(out, s, end - s);
		return;
	}
	qend = frag ? frag : end;
	strbuf_add(out, s, q + 1 - s);
	for (p = q + 1; p < qend; p = amp + 1) {
		amp = memchr(p, '&', qend - p);
		if (!amp)
			amp = qend;
		eq = memchr(p, '=', amp - p);
		if (eq && eq + 1 < amp && is_secret_param(p, eq - p)) {
			strbuf_add(out, p, eq + 1 - p);
			strbuf_addstr(out, REDACTED);
		} else {
			strbuf_add(out, p, amp - p);
		}
		if (amp == qend)
			break;
		strbuf_addch(out, '&');
	}
	strbuf_add(out, qend, end - qend);
}

/*
 * The one scanner: each "://" starts a URL whose authority runs to the
 * first of AUTH_END (or, in text, a blank) and whose rest runs to the
 * next "://" or the end of the string (in text: also to a blank or a
 * quote). There need not be a scheme before "://": any text that looks
 * like a URL's tail is treated as one.
 */
static void add_redacted(struct strbuf *out, const char *s, unsigned flags)
{
	int text = !!(flags & REDACT_TEXT);
	const char *sep, *auth, *end, *next;

	while ((sep = strstr(s, "://"))) {
		auth = sep + 3;
		strbuf_add(out, s, auth - s);
		end = auth + strcspn(auth, text ? AUTH_END TEXT_BLANKS :
				     AUTH_END);
		add_authority(out, auth, end, flags);
		s = end;
		end = s + strcspn(s, text ? TEXT_URL_END : "");
		next = memmem(s, end - s, "://", 3);
		if (next)
			end = next;
		add_rest(out, s, end);
		s = end;
	}
	strbuf_addstr(out, s);
}

void redact_url(struct strbuf *out, const char *url)
{
	add_redacted(out, url, 0);
}

void redact_text(struct strbuf *out, const char *text)
{
	add_redacted(out, text, REDACT_TEXT);
}

void redact_cut_text(char *text)
{
	char *p = text, *last = NULL;

	while ((p = strstr(p, "://"))) {
		last = p;
		p += 3;
	}
	if (last && !last[3 + strcspn(last + 3, AUTH_END TEXT_BLANKS)])
		last[3] = '\0';
}

void redact_url_to_record(struct strbuf *out, const char *url)
{
	add_redacted(out, url, REDACT_DROP_USERINFO);
}
