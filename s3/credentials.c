#include "quire-compat.h"
#include "s3/credentials.h"
#include "s3/aws-config.h"
#include "s3/aws-http.h"
#include "s3/sts.h"
#include "json.h"
#include "run-command.h"
#include "string-list.h"
#include <openssl/crypto.h>
#include <strings.h>
#include <time.h>

/*
 * The chain of s3/credentials.h. Each source answers 0 (credentials),
 * 1 (not configured here: go on) or a QERR (configured, but failing:
 * stop, as the AWS tools do). What was looked at is noted for the
 * message given when nothing is found.
 */

#define PROCESS_OUTPUT_MAX (64 << 10)
#define TOKEN_FILE_MAX (64 << 10)
#define SOURCE_DEPTH_MAX 16
#define EXPIRY_MARGIN (5 * 60)

struct chain {
	const struct aws_settings *s;
	char *cred_path, *conf_path;
	struct strbuf looked;	/* "\n  <place>: <why nothing>" each */
};

/* One profile: its sections of the credentials and the config file. */
struct profile {
	const char *name;
	struct string_list cred, conf;
	int found;
};

void aws_credentials_release(struct aws_credentials *c)
{
	aws_free_secret(&c->access_key_id);
	aws_free_secret(&c->secret_access_key);
	aws_free_secret(&c->session_token);
	free(c->source);
	memset(c, 0, sizeof(*c));
}

int aws_credentials_expiring(const struct aws_credentials *c, time_t now)
{
	return c->expiration && now + EXPIRY_MARGIN >= c->expiration;
}

int aws_no_sign_request(void)
{
	const char *v = aws_env("QUIRE_NO_SIGN_REQUEST");

	return v && (!strcmp(v, "1") || !strcasecmp(v, "true") ||
		     !strcasecmp(v, "yes"));
}

static void set_source(struct aws_credentials *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void set_source(struct aws_credentials *c, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	free(c->source);
	c->source = strbuf_detach(&sb, NULL);
}

static const char *str_member(const struct json *o, const char *key)
{
	const struct json *v = json_object_get(o, key);

	return v && v->type == JSON_STRING && v->u.str.len &&
	       strlen(v->u.str.s) == v->u.str.len ? v->u.str.s : NULL;
}

static void wipe_json_strings(struct json *j)
{
	size_t i;

	if (!j)
		return;
	if (j->type == JSON_STRING)
		OPENSSL_cleanse(j->u.str.s, j->u.str.len);
	else if (j->type == JSON_OBJECT)
		for (i = 0; i < j->u.obj.nr; i++)
			wipe_json_strings(j->u.obj.m[i].value);
}

int aws_credentials_from_json(const char *buf, size_t len, const char *what,
			      struct aws_credentials *out,
			      struct strbuf *err)
{
	struct strbuf ignored = STRBUF_INIT;
	struct json *j = NULL;
	const char *id, *secret, *token, *exp;
	int ret = 0;

	/* never quote the JSON, nor json_parse()'s message: secrets */
	if (json_parse(buf, len, &j, &ignored) || j->type != JSON_OBJECT) {
		strbuf_addf(err, "%s did not give a JSON object", what);
		ret = QERR_CORRUPT;
		goto out;
	}
	id = str_member(j, "AccessKeyId");
	secret = str_member(j, "SecretAccessKey");
	token = str_member(j, "SessionToken");
	if (!token)
		token = str_member(j, "Token");
	exp = str_member(j, "Expiration");
	if (!id || !secret) {
		strbuf_addf(err, "%s gave no AccessKeyId or no "
			    "SecretAccessKey", what);
		ret = QERR_CORRUPT;
		goto out;
	}
	if (exp && aws_parse_time(exp, &out->expiration)) {
		strbuf_addf(err, "%s gave an Expiration that is not an ISO "
			    "8601 time", what);
		ret = QERR_CORRUPT;
		goto out;
	}
	out->access_key_id = xstrdup(id);
	out->secret_access_key = xstrdup(secret);
	out->session_token = token ? xstrdup(token) : NULL;
out:
	wipe_json_strings(j);
	json_free(j);
	strbuf_release(&ignored);
	return ret;
}

/* Profiles */

static void profile_release(struct profile *p)
{
	aws_section_clear(&p->cred);
	aws_section_clear(&p->conf);
}

static int profile_load(struct chain *ch, const char *name,
			struct profile *p, struct strbuf *err)
{
	int found_cred = 0, found_conf = 0, ret;

	memset(p, 0, sizeof(*p));
	p->name = name;
	ret = aws_config_section(ch->cred_path, NULL, name, &p->cred,
				 &found_cred, err);
	if (!ret)
		ret = aws_config_section(ch->conf_path, "profile", name,
					 &p->conf, &found_conf, err);
	p->found = found_cred || found_conf;
	return ret;
}

/* A profile's setting: the credentials file's, else the config file's. */
static const char *pget(const struct profile *p, const char *key)
{
	const char *v = aws_section_get(&p->cred, key);

	return v ? v : aws_section_get(&p->conf, key);
}

static const char *path_or(const char *path, const char *def)
{
	return path ? path : def;
}

/*
 * The endpoint of service ("sts", "sso"): AWS_ENDPOINT_URL_<SERVICE>,
 * the profile's "services" section, AWS_ENDPOINT_URL, the profile's
 * endpoint_url, else AWS's own (def). The caller frees it.
 */
static char *endpoint_for(struct chain *ch, const struct profile *p,
			  const char *service, const char *def)
{
	struct strbuf var = STRBUF_INIT, key = STRBUF_INIT;
	struct strbuf ignored = STRBUF_INIT;	/* read once already */
	struct string_list sec = STRING_LIST_INIT;
	const char *v, *services = pget(p, "services");
	char *ret = NULL;
	int found, i;

	strbuf_addstr(&var, "AWS_ENDPOINT_URL_");
	for (i = 0; service[i]; i++)
		strbuf_addch(&var, service[i] >= 'a' && service[i] <= 'z' ?
					   service[i] - 'a' + 'A' : service[i]);
	v = aws_env(var.buf);
	if (!v && services &&
	    !aws_config_section(ch->conf_path, "services", services, &sec,
				&found, &ignored)) {
		strbuf_addf(&key, "%s.endpoint_url", service);
		v = aws_section_get(&sec, key.buf);
	}
	if (!v)
		v = aws_env("AWS_ENDPOINT_URL");
	if (!v)
		v = pget(p, "endpoint_url");
	ret = xstrdup(v ? v : def);
	while (*ret && ret[strlen(ret) - 1] == '/')
		ret[strlen(ret) - 1] = '\0';
	aws_section_clear(&sec);
	strbuf_release(&var);
	strbuf_release(&key);
	strbuf_release(&ignored);
	return ret;
}

/* Static keys */

/*
 * The keys are taken as a group, as aws_settings_load() does: from the
 * credentials file when it has either, else from the config file.
 */
static const struct string_list *keys_section(const struct profile *p)
{
	if (aws_section_get(&p->cred, "aws_access_key_id") ||
	    aws_section_get(&p->cred, "aws_secret_access_key"))
		return &p->cred;
	return &p->conf;
}

static int static_keys(const struct profile *p, struct aws_credentials *out,
		       struct strbuf *err)
{
	const struct string_list *kv = keys_section(p);
	const char *id = aws_section_get(kv, "aws_access_key_id");
	const char *secret = aws_section_get(kv, "aws_secret_access_key");

	if (!id && !secret)
		return 1;
	if (!id || !secret) {
		strbuf_addf(err, "profile '%s' sets %s but not %s; set both",
			    p->name,
			    id ? "aws_access_key_id" : "aws_secret_access_key",
			    id ? "aws_secret_access_key" : "aws_access_key_id");
		return QERR_USAGE;
	}
	out->access_key_id = xstrdup(id);
	out->secret_access_key = xstrdup(secret);
	id = aws_section_get(kv, "aws_session_token");
	out->session_token = id ? xstrdup(id) : NULL;
	set_source(out, "profile '%s' (keys)", p->name);
	return 0;
}

/* credential_process */

/*
 * Split a command line as botocore does (shlex): blanks separate words;
 * '...' is literal; "..." and a bare backslash escape. -1 when a quote
 * is not closed.
 */
static int split_command(const char *s, struct string_list *argv)
{
	struct strbuf word = STRBUF_INIT;
	int in_word = 0;
	char q = 0;

	for (; *s; s++) {
		if (q == '\'') {
			if (*s == '\'')
				q = 0;
			else
				strbuf_addch(&word, *s);
		} else if (q == '"') {
			if (*s == '"')
				q = 0;
			else if (*s == '\\' && s[1] && strchr("\"\\$`", s[1]))
				strbuf_addch(&word, *++s);
			else
				strbuf_addch(&word, *s);
		} else if (*s == ' ' || *s == '\t' || *s == '\n') {
			if (in_word)
				string_list_append(argv, word.buf);
			strbuf_reset(&word);
			in_word = 0;
		} else {
			in_word = 1;
			if (*s == '\'' || *s == '"')
				q = *s;
			else if (*s == '\\' && s[1])
				strbuf_addch(&word, *++s);
			else
				strbuf_addch(&word, *s);
		}
	}
	if (in_word && !q)
		string_list_append(argv, word.buf);
	strbuf_release(&word);
	return q ? -1 : 0;
}

static int check_version(const char *buf, size_t len, const char *who,
			 struct strbuf *err)
{
	struct strbuf ignored = STRBUF_INIT;
	struct json *j = NULL, *v;
	int ret = 0;

	if (json_parse(buf, len, &j, &ignored) || j->type != JSON_OBJECT) {
		strbuf_addf(err, "%s did not print a JSON object", who);
		ret = QERR_CORRUPT;
	} else if (!(v = json_object_get(j, "Version")) ||
		   v->type != JSON_INT || strcmp(v->u.str.s, "1")) {
		strbuf_addf(err, "%s printed no \"Version\": 1", who);
		ret = QERR_CORRUPT;
	}
	wipe_json_strings(j);
	json_free(j);
	strbuf_release(&ignored);
	return ret;
}

static int credential_process(const struct profile *p,
			      struct aws_credentials *out,
			      struct strbuf *err)
{
	const char *cmd = pget(p, "credential_process");
	struct string_list argv = STRING_LIST_INIT;
	struct strbuf output = STRBUF_INIT, who = STRBUF_INIT,
		      why = STRBUF_INIT;
	const char **args = NULL;
	size_t i;
	int ret;

	if (!cmd)
		return 1;
	strbuf_addf(&who, "the credential_process of profile '%s'", p->name);
	if (split_command(cmd, &argv) || !argv.nr) {
		strbuf_addf(err, "%s is not a command line (an unclosed "
			    "quote?)", who.buf);
		ret = QERR_USAGE;
		goto out;
	}
	args = xcalloc(argv.nr + 1, sizeof(*args));
	for (i = 0; i < argv.nr; i++)
		args[i] = argv.items[i];
	ret = run_command_capture(args, 0, &output, PROCESS_OUTPUT_MAX,
				  &why);
	if (ret < 0)
		strbuf_addf(err, "%s: %s", who.buf, why.buf);
	if (ret > 0) {
		strbuf_addf(err, "%s ('%s') exited with status %d", who.buf,
			    argv.items[0], ret);
		ret = QERR_GENERIC;
	}
	if (!ret)
		ret = check_version(output.buf, output.len, who.buf, err);
	if (!ret)
		ret = aws_credentials_from_json(output.buf, output.len,
						who.buf, out, err);
	if (!ret)
		set_source(out, "profile '%s' (credential_process)", p->name);
out:
	OPENSSL_cleanse(output.buf, output.len);
	strbuf_release(&output);
	strbuf_release(&who);
	strbuf_release(&why);
	string_list_clear(&argv);
	free(args);
	return ret;
}

/* Web identity */

static int web_identity(const char *token_file, const char *role_arn,
			const char *session, const char *endpoint,
			const char *region, struct aws_credentials *out,
			struct strbuf *err)
{
	struct strbuf token = STRBUF_INIT, name = STRBUF_INIT;
	struct sts_role r = { 0 };
	int ret;

	if (strbuf_read_file_max(&token, token_file, TOKEN_FILE_MAX) < 0) {
		strbuf_addf(err, "cannot read the web identity token file "
			    "'%s': %s", token_file, strerror(errno));
		ret = QERR_USAGE;
		goto out;
	}
	strbuf_trim(&token);
	if (!session)
		strbuf_addf(&name, "quire-%" PRIdMAX, (intmax_t)time(NULL));
	r.endpoint = endpoint;
	r.region = region;
	r.role_arn = role_arn;
	r.session_name = session ? session : name.buf;
	ret = sts_assume_role_web_identity(&r, token.buf, out, err);
out:
	OPENSSL_cleanse(token.buf, token.len);
	strbuf_release(&token);
	strbuf_release(&name);
	return ret;
}

static char *sts_default(const char *region)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addf(&sb, "https://sts.%s.amazonaws.com", region);
	return strbuf_detach(&sb, NULL);
}

static int env_web_identity(struct chain *ch, const struct profile *p,
			    struct aws_credentials *out, struct strbuf *err)
{
	const char *file = aws_env("AWS_WEB_IDENTITY_TOKEN_FILE");
	const char *arn = aws_env("AWS_ROLE_ARN");
	char *def, *ep;
	int ret;

	if (!file || !arn) {
		strbuf_addstr(&ch->looked, "\n  web identity: "
			      "AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN "
			      "are not both set");
		return 1;
	}
	def = sts_default(ch->s->region);
	ep = endpoint_for(ch, p, "sts", def);
	ret = web_identity(file, arn, aws_env("AWS_ROLE_SESSION_NAME"), ep,
			   ch->s->region, out, err);
	if (!ret)
		set_source(out, "web identity (AWS_WEB_IDENTITY_TOKEN_FILE)");
	free(def);
	free(ep);
	return ret;
}

/* SSO */

static int sso(struct chain *ch, const struct profile *p,
	       struct aws_credentials *out, struct strbuf *err)
{
	struct string_list sess = STRING_LIST_INIT;
	struct strbuf def = STRBUF_INIT;
	const char *session = pget(p, "sso_session");
	const char *start_url = pget(p, "sso_start_url");
	const char *region = pget(p, "sso_region");
	struct sso_role r = { 0 };
	char *ep = NULL;
	int found = 0, ret;

	if (!session && !start_url)
		return 1;
	if (session) {
		ret = aws_config_section(ch->conf_path, "sso-session",
					 session, &sess, &found, err);
		if (ret)
			goto out;
		if (!found) {
			strbuf_addf(err, "profile '%s' names sso_session '%s', "
				    "which '%s' has no [sso-session %s] for",
				    p->name, session,
				    path_or(ch->conf_path, "~/.aws/config"),
				    session);
			ret = QERR_USAGE;
			goto out;
		}
		if (aws_section_get(&sess, "sso_region"))
			region = aws_section_get(&sess, "sso_region");
	}
	r.profile = p->name;
	r.cache_key = session ? session : start_url;
	r.account_id = pget(p, "sso_account_id");
	r.role_name = pget(p, "sso_role_name");
	if (!r.account_id || !r.role_name || !region) {
		strbuf_addf(err, "SSO profile '%s' needs sso_account_id, "
			    "sso_role_name and sso_region", p->name);
		ret = QERR_USAGE;
		goto out;
	}
	strbuf_addf(&def, "https://portal.sso.%s.amazonaws.com", region);
	ep = endpoint_for(ch, p, "sso", def.buf);
	r.endpoint = ep;
	ret = sso_credentials(&r, out, err);
	if (!ret)
		set_source(out, "profile '%s' (sso)", p->name);
out:
	aws_section_clear(&sess);
	strbuf_release(&def);
	free(ep);
	return ret;
}

/* Roles */

static int resolve_profile(struct chain *ch, const char *name,
			   struct string_list *visited,
			   struct aws_credentials *out, struct strbuf *err);

static int env_keys(struct aws_credentials *out, struct strbuf *err)
{
	const char *id = aws_env("AWS_ACCESS_KEY_ID");
	const char *secret = aws_env("AWS_SECRET_ACCESS_KEY");

	if (!id || !secret) {
		strbuf_addstr(err, "credential_source Environment: "
			      "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
			      "are not set");
		return QERR_USAGE;
	}
	out->access_key_id = xstrdup(id);
	out->secret_access_key = xstrdup(secret);
	id = aws_env("AWS_SESSION_TOKEN");
	out->session_token = id ? xstrdup(id) : NULL;
	return 0;
}

static int credential_source(const struct profile *p, const char *what,
			     struct aws_credentials *out, struct strbuf *err)
{
	struct strbuf where = STRBUF_INIT;
	int ret;

	if (!strcmp(what, "Environment"))
		return env_keys(out, err);
	if (!strcmp(what, "EcsContainer"))
		ret = ecs_credentials(out, err);
	else if (!strcmp(what, "Ec2InstanceMetadata"))
		ret = imds_credentials(out, &where, err);
	else {
		strbuf_addf(err, "profile '%s': credential_source '%s' is "
			    "not Environment, EcsContainer or "
			    "Ec2InstanceMetadata", p->name, what);
		return QERR_USAGE;
	}
	if (ret == 1) {
		strbuf_addf(err, "profile '%s': credential_source %s has no "
			    "credentials here", p->name, what);
		ret = QERR_NOTFOUND;
	}
	strbuf_release(&where);
	return ret;
}

/* The credentials a role profile assumes its role with. */
static int role_source(struct chain *ch, const struct profile *p,
		       struct string_list *visited,
		       struct aws_credentials *src, struct strbuf *err)
{
	const char *sp = pget(p, "source_profile");
	const char *cs = pget(p, "credential_source");
	size_t i;
	int ret;

	if (sp && cs) {
		strbuf_addf(err, "profile '%s' sets both source_profile and "
			    "credential_source; keep one", p->name);
		return QERR_USAGE;
	}
	if (cs)
		return credential_source(p, cs, src, err);
	if (!sp) {
		strbuf_addf(err, "profile '%s' sets role_arn without "
			    "source_profile, credential_source or "
			    "web_identity_token_file", p->name);
		return QERR_USAGE;
	}
	if (!strcmp(sp, p->name)) {	/* its own keys assume the role */
		ret = static_keys(p, src, err);
		if (ret == 1) {
			strbuf_addf(err, "profile '%s' is its own "
				    "source_profile but has no keys", p->name);
			ret = QERR_USAGE;
		}
		return ret;
	}
	for (i = 0; i < visited->nr; i++)
		if (!strcmp(visited->items[i], sp))
			break;
	if (i < visited->nr || visited->nr >= SOURCE_DEPTH_MAX) {
		strbuf_addstr(err, "source_profile loop: ");
		for (i = 0; i < visited->nr; i++)
			strbuf_addf(err, "'%s' -> ", visited->items[i]);
		strbuf_addf(err, "'%s'", sp);
		return QERR_USAGE;
	}
	return resolve_profile(ch, sp, visited, src, err);
}

static int assume_role(struct chain *ch, const struct profile *p,
		       struct string_list *visited,
		       struct aws_credentials *out, struct strbuf *err)
{
	struct aws_credentials src = { 0 };
	struct strbuf name = STRBUF_INIT;
	const char *wif = pget(p, "web_identity_token_file");
	struct sts_role r = { 0 };
	char *def = sts_default(ch->s->region);
	char *ep = endpoint_for(ch, p, "sts", def);
	int ret;

	r.endpoint = ep;
	r.region = ch->s->region;
	r.role_arn = pget(p, "role_arn");
	r.session_name = pget(p, "role_session_name");
	r.external_id = pget(p, "external_id");
	r.duration = pget(p, "duration_seconds");
	if (!r.session_name) {
		strbuf_addf(&name, "quire-%" PRIdMAX, (intmax_t)time(NULL));
		r.session_name = name.buf;
	}
	if (wif && !pget(p, "source_profile") &&
	    !pget(p, "credential_source")) {
		ret = web_identity(wif, r.role_arn, r.session_name, ep,
				   r.region, out, err);
		if (!ret)
			set_source(out, "profile '%s' (web identity)",
				   p->name);
		goto out;
	}
	ret = role_source(ch, p, visited, &src, err);
	if (!ret)
		ret = sts_assume_role(&r, &src, out, err);
	if (!ret)
		set_source(out, "profile '%s' (role_arn)", p->name);
out:
	aws_credentials_release(&src);
	strbuf_release(&name);
	free(def);
	free(ep);
	return ret;
}

/* A profile: 1 when it has no credentials of any kind. */
static int from_profile(struct chain *ch, const struct profile *p,
			struct string_list *visited,
			struct aws_credentials *out, struct strbuf *err)
{
	int ret;

	if (pget(p, "role_arn"))
		return assume_role(ch, p, visited, out, err);
	ret = sso(ch, p, out, err);
	if (ret == 1)
		ret = static_keys(p, out, err);
	if (ret == 1)
		ret = credential_process(p, out, err);
	return ret;
}

static int resolve_profile(struct chain *ch, const char *name,
			   struct string_list *visited,
			   struct aws_credentials *out, struct strbuf *err)
{
	struct profile p;
	int ret;

	string_list_append(visited, name);
	ret = profile_load(ch, name, &p, err);
	if (!ret && !p.found) {
		strbuf_addf(err, "source_profile '%s' not found in '%s' or "
			    "'%s'", name,
			    path_or(ch->cred_path, "~/.aws/credentials"),
			    path_or(ch->conf_path, "~/.aws/config"));
		ret = QERR_USAGE;
	}
	if (!ret)
		ret = from_profile(ch, &p, visited, out, err);
	if (ret == 1) {
		strbuf_addf(err, "source_profile '%s' has no credentials",
			    name);
		ret = QERR_USAGE;
	}
	profile_release(&p);
	return ret;
}

/* The chain */

static int profile_step(struct chain *ch, const struct profile *p,
			struct aws_credentials *out, struct strbuf *err)
{
	struct string_list visited = STRING_LIST_INIT;
	int ret;

	string_list_append(&visited, p->name);
	ret = from_profile(ch, p, &visited, out, err);
	string_list_clear(&visited);
	if (ret == 1) {
		strbuf_addf(&ch->looked, "\n  profile '%s' in '%s' and '%s': "
			    "no keys, role_arn or credential_process",
			    p->name,
			    path_or(ch->cred_path, "~/.aws/credentials"),
			    path_or(ch->conf_path, "~/.aws/config"));
		strbuf_addf(&ch->looked, "\n  SSO: profile '%s' has no "
			    "sso_session or sso_start_url", p->name);
	}
	return ret;
}

static int machine_steps(struct chain *ch, struct aws_credentials *out,
			 struct strbuf *err)
{
	struct strbuf where = STRBUF_INIT;
	int ret = ecs_credentials(out, err);

	if (!ret)
		set_source(out, "ECS container credentials");
	if (ret != 1)
		return ret;
	strbuf_addstr(&ch->looked, "\n  ECS container credentials: "
		      "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI and "
		      "AWS_CONTAINER_CREDENTIALS_FULL_URI are not set");
	ret = imds_credentials(out, &where, err);
	if (!ret)
		set_source(out, "EC2 instance metadata");
	if (ret == 1 && imds_disabled())
		strbuf_addf(&ch->looked, "\n  EC2 instance metadata (%s): "
			    "skipped, AWS_EC2_METADATA_DISABLED is set",
			    where.buf);
	else if (ret == 1)
		strbuf_addf(&ch->looked, "\n  EC2 instance metadata (%s): "
			    "no answer", where.buf);
	strbuf_release(&where);
	return ret;
}

static void not_found(struct chain *ch, struct strbuf *err)
{
	strbuf_addstr(err, "no AWS credentials found; looked at:");
	strbuf_addbuf(err, &ch->looked);
	strbuf_addstr(err, "\nset AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, "
		      "or a profile (aws configure, aws sso login) and "
		      "AWS_PROFILE; see quire-credentials(7). For a public "
		      "bucket, pass --no-sign-request (or set "
		      "QUIRE_NO_SIGN_REQUEST=1)");
}

int aws_credentials_load(const struct aws_settings *s,
			 struct aws_credentials *out, struct strbuf *err)
{
	struct chain ch = { 0 };
	struct profile p = { 0 };
	int ret;

	memset(out, 0, sizeof(*out));
	ch.s = s;
	strbuf_init(&ch.looked, 0);
	if (s->creds_from && !strcmp(s->creds_from, "environment")) {
		out->access_key_id = xstrdup(s->access_key_id);
		out->secret_access_key = xstrdup(s->secret_access_key);
		if (s->session_token)
			out->session_token = xstrdup(s->session_token);
		set_source(out, "environment");
		return 0;
	}
	strbuf_addstr(&ch.looked, "\n  the environment: AWS_ACCESS_KEY_ID "
		      "and AWS_SECRET_ACCESS_KEY are not set");
	ch.cred_path = aws_file("AWS_SHARED_CREDENTIALS_FILE", "credentials");
	ch.conf_path = aws_file("AWS_CONFIG_FILE", "config");
	ret = profile_load(&ch, s->profile, &p, err);
	if (!ret)
		ret = env_web_identity(&ch, &p, out, err);
	if (ret == 1)
		ret = profile_step(&ch, &p, out, err);
	if (ret == 1)
		ret = machine_steps(&ch, out, err);
	if (ret == 1) {
		not_found(&ch, err);
		ret = QERR_NOTFOUND;
	}
	if (!ret && out->expiration && out->expiration <= time(NULL)) {
		strbuf_addf(err, "the AWS credentials from %s have expired",
			    out->source);
		ret = QERR_GENERIC;
	}
	if (ret)
		aws_credentials_release(out);
	profile_release(&p);
	free(ch.cred_path);
	free(ch.conf_path);
	strbuf_release(&ch.looked);
	return ret;
}
