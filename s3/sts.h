#ifndef S3_STS_H
#define S3_STS_H

#include "s3/credentials.h"

/*
 * AWS STS: temporary credentials for a role.
 * https://docs.aws.amazon.com/STS/latest/APIReference/
 */
struct sts_role {
	const char *endpoint;	/* "https://sts.us-east-1.amazonaws.com" */
	const char *region;	/* the region to sign for */
	const char *role_arn;
	const char *session_name;
	const char *external_id;	/* NULL: none */
	const char *duration;		/* seconds, as text; NULL: STS's */
};

/*
 * AssumeRole, signed (SigV4, service "sts") with the credentials src.
 * Fills out (its source left to the caller). QERR_GENERIC with err
 * naming the role and STS's error code and message.
 */
int sts_assume_role(const struct sts_role *r, const struct aws_credentials *src,
		    struct aws_credentials *out, struct strbuf *err);

/* AssumeRoleWithWebIdentity with the token (unsigned, as AWS has it). */
int sts_assume_role_web_identity(const struct sts_role *r, const char *token,
				 struct aws_credentials *out,
				 struct strbuf *err);

#endif
