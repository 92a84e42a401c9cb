#include "quire-compat.h"
#include "t/helper/test-tool.h"
#include "s3/aws-config.h"

/*
 * test-tool aws-config: load the AWS settings as quire would and print
 * them, one "name=value" a line. The secret and the session token are
 * never printed, only whether they are set:
 *
 *	key_id=AKID		(empty when there are no credentials)
 *	secret=set		(or unset)
 *	token=unset		(or set)
 *	region=us-east-1
 *	endpoint=		(empty: AWS itself)
 *	profile=default
 *	from=environment	(empty when there are no credentials)
 *
 * An error is printed as "fatal: <message>" and exits 128.
 */

static const char *or_empty(const char *s)
{
	return s ? s : "";
}

int cmd__aws_config(int argc, const char **argv)
{
	struct aws_settings s;
	struct strbuf err = STRBUF_INIT;

	if (argc != 1) {
		fprintf(stderr, "usage: test-tool aws-config\n");
		return 129;
	}
	if (aws_settings_load(&s, &err) < 0)
		die("%s", err.buf);
	printf("key_id=%s\n", or_empty(s.access_key_id));
	printf("secret=%s\n", s.secret_access_key ? "set" : "unset");
	printf("token=%s\n", s.session_token ? "set" : "unset");
	printf("region=%s\n", or_empty(s.region));
	printf("endpoint=%s\n", or_empty(s.endpoint));
	printf("profile=%s\n", or_empty(s.profile));
	printf("from=%s\n", or_empty(s.creds_from));
	aws_settings_release(&s);
	strbuf_release(&err);
	if (fflush(stdout) || ferror(stdout))
		die_errno("cannot write to stdout");
	return 0;
}
