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

struct string_list;

/* The value of an environment variable, NULL when unset or empty. */
const char *aws_env(const char *name);
/* Wipe the string *p, free it, and set *p to NULL. */
void aws_free_secret(char **p);

/*
 * The file the variable var names ("~/" is the home folder), else
 * $HOME/.aws/<name>; NULL when neither is known. The caller frees it.
 * aws_file("AWS_CONFIG_FILE", "config") is the config file.
 */
char *aws_file(const char *var, const char *name);

/*
 * Append every "key = value" of one section of the file at path to out,
 * as pairs (key, value, key, value, ...): keys lower-cased, "sub.key"
 * inside a sub-section. kind NULL reads the credentials file's "[name]";
 * else the config file's "[kind name]" (and "[default]" for the kind
 * "profile" and the name "default"): "profile", "sso-session",
 * "services". *found says whether the section exists; a file that does
 * not exist has none. Errors as aws_settings_load(). Values may be
 * secrets: free out with aws_section_clear().
 */
int aws_config_section(const char *path, const char *kind, const char *name,
		       struct string_list *out, int *found,
		       struct strbuf *err);
/* The last value of key in pairs from aws_config_section(); NULL: unset. */
const char *aws_section_get(const struct string_list *kv, const char *key);
/* Wipe and free pairs from aws_config_section(). */
void aws_section_clear(struct string_list *kv);

#endif
