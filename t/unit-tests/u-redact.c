#include "quire-compat.h"
#include "t/unit-tests/unit-test.h"
#include "redact.h"

static struct strbuf out = STRBUF_INIT;

static const char *url(const char *s)
{
	strbuf_reset(&out);
	redact_url(&out, s);
	return out.buf;
}

static const char *text(const char *s)
{
	strbuf_reset(&out);
	redact_text(&out, s);
	return out.buf;
}

static const char *record(const char *s)
{
	strbuf_reset(&out);
	redact_url_to_record(&out, s);
	return out.buf;
}

static void test_url(void)
{
	check_str(url("s3://bucket/x"), "s3://bucket/x");
	check_str(url("/srv/reg"), "/srv/reg");
	check_str(url(""), "");
	check_str(url("s3://user:pw@bucket/x"),
		  "s3://user:<redacted>@bucket/x");
	check_str(url("file://user:pw@host/srv/x"),
		  "file://user:<redacted>@host/srv/x");
	check_str(url("https://user:tok@host:8443"),
		  "https://user:<redacted>@host:8443");
	check_str(url("https://TOKEN@host/x"), "https://<redacted>@host/x");
	check_str(url("https://:pw@host/x"), "https://:<redacted>@host/x");
	/* the last '@' of the authority ends the userinfo */
	check_str(url("https://u:p@ss@host/x@y"),
		  "https://u:<redacted>@host/x@y");
	check_str(url("https://host/a@b?c@d#e@f"), "https://host/a@b?c@d#e@f");
	check_str(url("quilt+s3://u:pw@b#package=ns/a"),
		  "quilt+s3://u:<redacted>@b#package=ns/a");
	check_str(url("https://b.s3.amazonaws.com/k?X-Amz-Algorithm=A"
		      "&X-Amz-Credential=AKID%2F2024&X-Amz-Signature=ab12"
		      "&x-amz-security-token=T0K&versionId=v1#frag"),
		  "https://b.s3.amazonaws.com/k?X-Amz-Algorithm=A"
		  "&X-Amz-Credential=<redacted>&X-Amz-Signature=<redacted>"
		  "&x-amz-security-token=<redacted>&versionId=v1#frag");
	check_str(url("https://h/k?AWSAccessKeyId=A&Signature=S&Expires=1"),
		  "https://h/k?AWSAccessKeyId=A&Signature=<redacted>"
		  "&Expires=1");
	check_str(url("https://h/k#?X-Amz-Signature=s"),
		  "https://h/k#?X-Amz-Signature=s");
	check_str(url("https://h/k?a&&X-Amz-Signature&b="),
		  "https://h/k?a&&X-Amz-Signature&b=");
	check_str(url("https://h/r?to=http://u:p@i/"),
		  "https://h/r?to=http://u:<redacted>@i/");
}

static void test_text(void)
{
	check_str(text("no URL here: a@b, x:y"), "no URL here: a@b, x:y");
	check_str(text("fatal: invalid S3 URL 's3://alice:pw@bucket/x': use "
		       "s3://bucket"),
		  "fatal: invalid S3 URL 's3://alice:<redacted>@bucket/x': "
		  "use s3://bucket");
	check_str(text("'https://TOKEN@host' and 'https://h' by me@x"),
		  "'https://<redacted>@host' and 'https://h' by me@x");
	check_str(text("a https://u:p@h b file://v:q@localhost/x c"),
		  "a https://u:<redacted>@h b "
		  "file://v:<redacted>@localhost/x c");
	check_str(text("{\"registry\": \"s3://u:p@b\", \"n\": \"a@b\"}"),
		  "{\"registry\": \"s3://u:<redacted>@b\", \"n\": \"a@b\"}");
	check_str(text("'https://h/k?X-Amz-Signature=ab12' failed"),
		  "'https://h/k?X-Amz-Signature=<redacted>' failed");
	check_str(text("://x:y@z"), "://x:<redacted>@z");
	check_str(text("'s3://u:p<w>'d@b/x'"), "'s3://u:<redacted>@b/x'");
}

/* Redacting what is redacted changes nothing. */
static void test_twice(void)
{
	const char *in[] = {
		"'s3://u:pw@b/x?X-Amz-Signature=ab&X-Amz-Credential=' x",
		"https://TOKEN@host/x?Signature=s#f",
		"{\"url\": \"https://u:p@h/d.csv?x-amz-security-token=T\"}",
		NULL
	};
	struct strbuf once = STRBUF_INIT, twice = STRBUF_INIT;
	const char **p;

	for (p = in; *p; p++) {
		strbuf_reset(&once);
		strbuf_reset(&twice);
		redact_text(&once, *p);
		redact_text(&twice, once.buf);
		check_str(twice.buf, once.buf);
		check(!strstr(once.buf, "pw") && !strstr(once.buf, "TOKEN"));
	}
	strbuf_reset(&once);
	strbuf_reset(&twice);
	redact_url(&once, "s3://u:pw@b/x?X-Amz-Signature=ab&y=1");
	redact_url(&twice, once.buf);
	check_str(twice.buf, once.buf);
	strbuf_release(&once);
	strbuf_release(&twice);
}

static const char *cut(const char *s)
{
	strbuf_reset(&out);
	strbuf_addstr(&out, s);
	redact_cut_text(out.buf);
	strbuf_setlen(&out, strlen(out.buf));
	return out.buf;
}

static void test_cut(void)
{
	check_str(cut("fatal: 'https://user:s3cr"), "fatal: 'https://");
	check_str(cut("fatal: 'https://TOK"), "fatal: 'https://");
	check_str(cut("a s3://b/x b s3://u:p"), "a s3://b/x b s3://");
	check_str(cut("a s3://b/x and so"), "a s3://b/x and so");
	check_str(cut("a s3://u:p@b and so"), "a s3://u:p@b and so");
	check_str(cut("no URL"), "no URL");
}

static void test_record(void)
{
	check_str(record("https://me:s3cret@example.org/x.git"),
		  "https://example.org/x.git");
	check_str(record("https://TOKEN@example.org/x.git"),
		  "https://example.org/x.git");
	check_str(record("https://example.org/x.git"),
		  "https://example.org/x.git");
	check_str(record("git@github.com:o/r.git"), "git@github.com:o/r.git");
	check_str(record("https://h/d.csv?X-Amz-Signature=ab12"),
		  "https://h/d.csv?X-Amz-Signature=<redacted>");
}

int main(void)
{
	test_url();
	test_text();
	test_twice();
	test_cut();
	test_record();
	strbuf_release(&out);
	return unit_test_done();
}
