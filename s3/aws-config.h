#ifndef S3_AWS_CONFIG_H
#define S3_AWS_CONFIG_H

#include "strbuf.h"

/*
 * Credentials and settings for S3, found the way the AWS tools find
 * them (environment, AWS_PROFILE, ~/.aws/credentials, ~/.aws/config).
 * Nothing here is ever printed: messages name where a setting came
 * from, never its value.
 */
struct aws_settings {
	char *access_key_id;	/* NULL: no credentials (unsigned requests) */
	char *secret_access_key;
	char *session_token;	/* NULL: none */
	char *region;		/* never NULL after a load: "us-east-1" */
	char *endpoint;		/* "http://127.0.0.1:9000"; NULL: AWS */
	char *profile;		/* the profile in use */
	/* "environment", "credentials file", "config file"; NULL: none */
	const char *creds_from;
};

/*
 * Fill s. Precedence, as the AWS CLI:
 * - keys: AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN),
 *   then the profile in the credentials file, then in the config file;
 * - profile: AWS_PROFILE, then AWS_DEFAULT_PROFILE, then "default";
 * - files: AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials, and
 *   AWS_CONFIG_FILE or ~/.aws/config ("[profile NAME]", or "[default]");
 *   a file that does not exist is skipped, and so are the ~/.aws ones
 *   when HOME is unset;
 * - region: AWS_REGION, AWS_DEFAULT_REGION, the profile's region,
 *   "us-east-1";
 * - endpoint: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, the profile's
 *   "endpoint_url" (also inside an "s3 =" sub-section), NULL.
 * QERR_USAGE with a message when a named profile does not exist, when
 * only one of the key id and the secret is set, or when a file cannot be
 * parsed (the file and line are named, never a value).
 */
int aws_settings_load(struct aws_settings *s, struct strbuf *err);
void aws_settings_release(struct aws_settings *s);

#endif
