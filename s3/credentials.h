#ifndef S3_CREDENTIALS_H
#define S3_CREDENTIALS_H

#include "strbuf.h"
#include <time.h>

struct aws_settings;

/*
 * The AWS credential chain, as the AWS SDKs and CLI walk it; the first
 * source that has credentials gives them (Documentation/
 * quire-credentials.adoc tells the order and every variable):
 *
 *  1. the environment: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
 *     AWS_SESSION_TOKEN;
 *  2. web identity: AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN (and
 *     AWS_ROLE_SESSION_NAME), STS AssumeRoleWithWebIdentity;
 *  3. the profile (AWS_PROFILE, AWS_DEFAULT_PROFILE or "default") of
 *     ~/.aws/credentials and ~/.aws/config: role_arn (with
 *     source_profile, credential_source or web_identity_token_file:
 *     STS AssumeRole signed with the source's credentials), SSO
 *     (sso_session or sso_start_url: the AWS CLI's cached token, then
 *     the portal's GetRoleCredentials), static keys, credential_process;
 *  4. ECS container credentials (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI
 *     or _FULL_URI);
 *  5. EC2 instance metadata, IMDSv2 (unless AWS_EC2_METADATA_DISABLED).
 *
 * Secrets are never printed: messages name a source, never a value.
 */
struct aws_credentials {
	char *access_key_id;
	char *secret_access_key;
	char *session_token;	/* NULL: none */
	time_t expiration;	/* 0: never */
	char *source;		/* for messages: "profile 'x' (sso)" */
};

/*
 * Walk the chain with the settings s (the profile, region, files).
 * 0 with out filled; QERR_NOTFOUND when no source has credentials, err
 * naming every place looked at and how to set credentials; another
 * QERR when a source is configured but fails (a role that cannot be
 * assumed, an expired SSO token, a credential_process that fails): as
 * the AWS tools do, the chain stops there, err saying why.
 */
int aws_credentials_load(const struct aws_settings *s,
			 struct aws_credentials *out, struct strbuf *err);

/* Wipe and free what is inside c. */
void aws_credentials_release(struct aws_credentials *c);

/* Temporary credentials to get again: they expire within 5 minutes. */
int aws_credentials_expiring(const struct aws_credentials *c, time_t now);

/*
 * Requests are to go unsigned (public buckets), no credentials looked
 * for: QUIRE_NO_SIGN_REQUEST is true ("1", "true", "yes"), as the AWS
 * CLI's --no-sign-request.
 */
int aws_no_sign_request(void);

/* Internal to the chain (s3/credentials.c, s3/imds.c, s3/sso.c). */

/*
 * Parse the JSON object that ECS, IMDS and credential_process give:
 * AccessKeyId, SecretAccessKey, Token or SessionToken, Expiration.
 * QERR_CORRUPT with err naming `what` (never the JSON) when malformed.
 */
int aws_credentials_from_json(const char *buf, size_t len, const char *what,
			      struct aws_credentials *out,
			      struct strbuf *err);

/*
 * ECS container credentials; 1 when not configured (nothing set), 0
 * with out filled, or a QERR with err.
 */
int ecs_credentials(struct aws_credentials *out, struct strbuf *err);
/*
 * EC2 instance metadata (IMDSv2); 1 when disabled or nothing answers
 * (no instance), 0 with out filled, or a QERR with err (an instance
 * without a role, a malformed answer). *where is set to the endpoint.
 */
int imds_credentials(struct aws_credentials *out, struct strbuf *where,
		     struct strbuf *err);
/* AWS_EC2_METADATA_DISABLED is "true" (or "1"): IMDS is not asked. */
int imds_disabled(void);


/* An SSO profile's role, as sso_credentials() wants it. */
struct sso_role {
	const char *profile;	/* for messages */
	const char *cache_key;	/* sso_session's name, else sso_start_url */
	const char *endpoint;	/* https://portal.sso.REGION.amazonaws.com */
	const char *account_id;
	const char *role_name;
};

/*
 * The AWS CLI's cached token for r (~/.aws/sso/cache/<SHA-1 of
 * cache_key>.json, written by "aws sso login"), then the portal's
 * GetRoleCredentials. QERR_USAGE when there is no token or it has
 * expired, err saying to run "aws sso login".
 */
int sso_credentials(const struct sso_role *r, struct aws_credentials *out,
		    struct strbuf *err);

#endif
