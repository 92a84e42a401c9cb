#include "quire-compat.h"
#include "s3/aws-config.h"
#include "string-list.h"
#include <openssl/crypto.h>

/*
 * The AWS CLI's files are INI files that Python's configparser reads:
 *
 *	# a comment
 *	[default]
 *	region = us-west-2
 *	s3 =
 *	    endpoint_url = http://127.0.0.1:9000
 *
 * A comment is a whole line starting with '#' or ';' (a value may hold
 * either: secrets often do). Key and value split at the first '=' or
 * ':', and both are trimmed. An empty value opens a sub-section: the
 * lines indented deeper than its key belong to it ("s3.endpoint_url").
 *
 * The credentials file names a profile "[NAME]"; the config file names
 * it "[profile NAME]", and the default one "[default]" (or "[profile
 * default]"). As botocore does, the credentials file's profile is laid
 * over the config file's: its region or endpoint_url win too. The keys
 * are taken as a group, though, from the first place that has any.
 *
 * Only the wanted profile's values are kept, but a line that does not
 * parse anywhere in a file is an error. Messages name the file and the
 * line; they never quote a line, since it may hold a secret.
 */

#define AWS_CONFIG_LINE_MAX (64 * 1024)
#define AWS_DEFAULT_REGION_NAME "us-east-1"

/* The settings one file gives the wanted profile. */
struct aws_profile {
	int found;	/* the file has the profile's section */
	char *id, *secret, *token, *region, *endpoint, *s3_endpoint;
};

enum last_key {
	LAST_NONE,	/* no key yet in this section */
	LAST_VALUE,	/* "key = value" */
	LAST_SUB,	/* "key =": a sub-section */
};

struct aws_parse {
	const char *path;
	int line_nr;
	int is_config;		/* "[profile NAME]", not "[NAME]" */
	const char *kind;	/* config: "profile", "sso-session", ... */
	const char *profile;
	int in_section;		/* some section has been opened */
	int in_profile;		/* ... and it is the wanted one */
	enum last_key last;
	size_t key_indent;
	struct strbuf sub;	/* the open sub-section's name */
	struct aws_profile *out;
	struct string_list *all;	/* every key of the section, or NULL */
};

void aws_free_secret(char **p)
{
	if (*p)
		OPENSSL_cleanse(*p, strlen(*p));
	free(*p);
	*p = NULL;
}

static void aws_profile_release(struct aws_profile *p)
{
	aws_free_secret(&p->id);
	aws_free_secret(&p->secret);
	aws_free_secret(&p->token);
	free(p->region);
	free(p->endpoint);
	free(p->s3_endpoint);
	memset(p, 0, sizeof(*p));
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

static int parse_error(struct aws_parse *ps, struct strbuf *err,
		       const char *what)
{
	strbuf_addf(err, "%s:%d: %s", ps->path, ps->line_nr, what);
	return QERR_USAGE;
}

/* s[0..len) without white space at either end. */
static void trim(const char **s, size_t *len)
{
	while (*len && is_blank(**s)) {
		(*s)++;
		(*len)--;
	}
	while (*len && is_blank((*s)[*len - 1]))
		(*len)--;
}

static int name_is(const char *s, size_t len, const char *name)
{
	return len == strlen(name) && !memcmp(s, name, len);
}

/* Does the section name s[0..len) (trimmed) name the wanted profile? */
static int wanted_section(struct aws_parse *ps, const char *s, size_t len)
{
	size_t k = strlen(ps->kind);

	if (!ps->is_config)
		return name_is(s, len, ps->profile);
	if (!strcmp(ps->kind, "profile") && name_is(s, len, "default"))
		return !strcmp(ps->profile, "default");
	if (len < k + 1 || memcmp(s, ps->kind, k) || !is_blank(s[k]))
		return 0;
	s += k + 1;
	len -= k + 1;
	trim(&s, &len);
	return name_is(s, len, ps->profile);
}

static int parse_section(struct aws_parse *ps, const char *s, size_t len,
			 struct strbuf *err)
{
	const char *end = memchr(s, ']', len);
	const char *rest, *name = s + 1;
	size_t rest_len, name_len;

	if (!end)
		return parse_error(ps, err, "section header without ']'");
	rest = end + 1;
	rest_len = len - (rest - s);
	trim(&rest, &rest_len);
	if (rest_len && *rest != '#' && *rest != ';')
		return parse_error(ps, err, "text after a section header");
	name_len = end - name;
	trim(&name, &name_len);
	if (!name_len)
		return parse_error(ps, err, "empty section name");
	ps->in_section = 1;
	ps->in_profile = wanted_section(ps, name, name_len);
	if (ps->in_profile)
		ps->out->found = 1;
	ps->last = LAST_NONE;
	return 0;
}

static void set_value(char **slot, const char *value, size_t len)
{
	aws_free_secret(slot);
	*slot = xmemdupz(value, len);
}

/* Keep key (lower-case, "sub.key" inside a sub-section) if it matters. */
static void store(struct aws_parse *ps, const char *key,
		  const char *value, size_t len)
{
	struct aws_profile *p = ps->out;

	if (!ps->in_profile)
		return;
	if (ps->all) {
		string_list_append(ps->all, key);
		string_list_append(ps->all, "");
		set_value(&ps->all->items[ps->all->nr - 1], value, len);
		return;
	}
	if (!strcmp(key, "aws_access_key_id"))
		set_value(&p->id, value, len);
	else if (!strcmp(key, "aws_secret_access_key"))
		set_value(&p->secret, value, len);
	else if (!strcmp(key, "aws_session_token"))
		set_value(&p->token, value, len);
	else if (!strcmp(key, "region"))
		set_value(&p->region, value, len);
	else if (!strcmp(key, "endpoint_url"))
		set_value(&p->endpoint, value, len);
	else if (!strcmp(key, "s3.endpoint_url"))
		set_value(&p->s3_endpoint, value, len);
}

/*
 * "key = value" (or "key: value"; only '=' inside a sub-section, as
 * botocore reads those lines itself). Sets *value to the value.
 */
static int parse_key(struct aws_parse *ps, const char *s, size_t len,
		     int in_sub, struct strbuf *key, const char **value,
		     size_t *value_len, struct strbuf *err)
{
	const char *eq = memchr(s, '=', len), *colon, *k = s;
	size_t k_len, i;

	colon = in_sub ? NULL : memchr(s, ':', len);
	if (colon && (!eq || colon < eq))
		eq = colon;
	if (!eq)
		return parse_error(ps, err,
				   "expected '[section]' or 'key = value'");
	k_len = eq - s;
	trim(&k, &k_len);
	if (!k_len)
		return parse_error(ps, err, "a value without a key");
	strbuf_reset(key);
	if (in_sub)
		strbuf_addf(key, "%s.", ps->sub.buf);
	for (i = 0; i < k_len; i++)
		strbuf_addch(key, (k[i] >= 'A' && k[i] <= 'Z') ?
					  k[i] - 'A' + 'a' : k[i]);
	*value = eq + 1;
	*value_len = len - (eq + 1 - s);
	trim(value, value_len);
	return 0;
}

static int parse_line(struct aws_parse *ps, const char *line, size_t len,
		      struct strbuf *key, struct strbuf *err)
{
	const char *s = line, *value;
	size_t indent, value_len, n = len;
	int ret;

	trim(&s, &n);
	indent = s - line;
	if (!n || *s == '#' || *s == ';')
		return 0;
	if (ps->last != LAST_NONE && indent > ps->key_indent) {
		if (ps->last != LAST_SUB)
			return parse_error(ps, err,
					   "indented line after a value");
		ret = parse_key(ps, s, n, 1, key, &value, &value_len, err);
		if (!ret)
			store(ps, key->buf, value, value_len);
		return ret;
	}
	if (*s == '[')
		return parse_section(ps, s, n, err);
	if (!ps->in_section)
		return parse_error(ps, err, "a key before any [section]");
	ret = parse_key(ps, s, n, 0, key, &value, &value_len, err);
	if (ret)
		return ret;
	store(ps, key->buf, value, value_len);
	ps->key_indent = indent;
	ps->last = value_len ? LAST_VALUE : LAST_SUB;
	strbuf_reset(&ps->sub);
	if (!value_len)
		strbuf_addbuf(&ps->sub, key);
	return 0;
}

static int parse_file(struct aws_parse *ps, FILE *fp, struct strbuf *err)
{
	struct strbuf line = STRBUF_INIT, key = STRBUF_INIT;
	int ret = 0, got;

	for (;;) {
		ps->line_nr++;
		got = strbuf_getline_max(&line, fp, AWS_CONFIG_LINE_MAX, NULL);
		if (got == EOF)
			break;
		if (got < 0) {
			ret = parse_error(ps, err, "line too long");
			break;
		}
		if (strlen(line.buf) != line.len) {
			ret = parse_error(ps, err, "NUL byte in line");
			break;
		}
		ret = parse_line(ps, line.buf, line.len, &key, err);
		if (ret)
			break;
	}
	if (!ret && ferror(fp)) {
		strbuf_addf(err, "cannot read '%s': %s", ps->path,
			    strerror(errno));
		ret = QERR_GENERIC;
	}
	if (line.alloc)
		OPENSSL_cleanse(line.buf, line.alloc);
	strbuf_release(&line);
	strbuf_release(&key);
	return ret;
}

/*
 * Read one section of the file at path into out (the known keys) and,
 * when all is not NULL, every key into all; a file that is not there
 * is empty.
 */
static int read_section(const char *path, int is_config, const char *kind,
			const char *name, struct aws_profile *out,
			struct string_list *all, struct strbuf *err)
{
	struct aws_parse ps = { 0 };
	FILE *fp;
	int ret;

	if (!path)
		return 0;
	fp = fopen(path, "r");
	if (!fp) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		strbuf_addf(err, "cannot open '%s': %s", path,
			    strerror(errno));
		return QERR_GENERIC;
	}
	ps.path = path;
	ps.is_config = is_config;
	ps.kind = kind;
	ps.profile = name;
	ps.out = out;
	ps.all = all;
	strbuf_init(&ps.sub, 0);
	ret = parse_file(&ps, fp, err);
	strbuf_release(&ps.sub);
	fclose(fp);
	return ret;
}

static int read_profile(const char *path, int is_config, const char *profile,
			struct aws_profile *out, struct strbuf *err)
{
	return read_section(path, is_config, "profile", profile, out, NULL,
			    err);
}

const char *aws_env(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

/*
 * The file the variable names ("~/" is the home folder), else
 * $HOME/.aws/<name>; NULL when neither is known.
 */
char *aws_file(const char *var, const char *name)
{
	const char *path = aws_env(var), *home = aws_env("HOME");
	struct strbuf sb = STRBUF_INIT;

	if (path && home && !strncmp(path, "~/", 2))
		strbuf_addf(&sb, "%s/%s", home, path + 2);
	else if (path)
		strbuf_addstr(&sb, path);
	else if (home)
		strbuf_addf(&sb, "%s/.aws/%s", home, name);
	else
		return NULL;
	return strbuf_detach(&sb, NULL);
}

static char *dup_or_null(const char *s)
{
	return s && *s ? xstrdup(s) : NULL;
}

/* Take the keys from a file's profile, if it has any. */
static int keys_from_profile(struct aws_settings *s,
			     const struct aws_profile *p, const char *path,
			     const char *from, struct strbuf *err)
{
	int has_id = p->id && *p->id, has_secret = p->secret && *p->secret;

	if (!has_id && !has_secret)
		return 0;
	if (!has_id || !has_secret) {
		strbuf_addf(err,
			    "profile '%s' in '%s' sets %s but not %s; set both",
			    s->profile, path,
			    has_id ? "aws_access_key_id" :
				     "aws_secret_access_key",
			    has_id ? "aws_secret_access_key" :
				     "aws_access_key_id");
		return QERR_USAGE;
	}
	s->access_key_id = xstrdup(p->id);
	s->secret_access_key = xstrdup(p->secret);
	s->session_token = dup_or_null(p->token);
	s->creds_from = from;
	return 1;
}

static int load_keys(struct aws_settings *s, const struct aws_profile *cred,
		     const char *cred_path, const struct aws_profile *conf,
		     const char *conf_path, struct strbuf *err)
{
	const char *id = aws_env("AWS_ACCESS_KEY_ID");
	const char *secret = aws_env("AWS_SECRET_ACCESS_KEY");
	int ret;

	if (id && secret) {
		s->access_key_id = xstrdup(id);
		s->secret_access_key = xstrdup(secret);
		s->session_token = dup_or_null(aws_env("AWS_SESSION_TOKEN"));
		s->creds_from = "environment";
		return 0;
	}
	if (id || secret) {
		strbuf_addf(err, "%s is set but %s is not; set both or neither",
			    id ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY",
			    id ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID");
		return QERR_USAGE;
	}
	ret = keys_from_profile(s, cred, cred_path, "credentials file", err);
	if (!ret)
		ret = keys_from_profile(s, conf, conf_path, "config file", err);
	return ret < 0 ? ret : 0;
}

static const char *first_of(const char *a, const char *b, const char *c,
			    const char *d)
{
	if (a && *a)
		return a;
	if (b && *b)
		return b;
	if (c && *c)
		return c;
	return d && *d ? d : NULL;
}

int aws_settings_load(struct aws_settings *s, struct strbuf *err)
{
	struct aws_profile cred = { 0 }, conf = { 0 };
	char *cred_path, *conf_path;
	const char *profile, *v;
	int ret;

	memset(s, 0, sizeof(*s));
	profile = aws_env("AWS_PROFILE");
	if (!profile)
		profile = aws_env("AWS_DEFAULT_PROFILE");
	s->profile = xstrdup(profile ? profile : "default");
	cred_path = aws_file("AWS_SHARED_CREDENTIALS_FILE", "credentials");
	conf_path = aws_file("AWS_CONFIG_FILE", "config");

	ret = read_profile(cred_path, 0, s->profile, &cred, err);
	if (!ret)
		ret = read_profile(conf_path, 1, s->profile, &conf, err);
	if (ret)
		goto out;
	if (profile && !cred.found && !conf.found) {
		strbuf_addf(err, "AWS profile '%s' not found in '%s' or '%s'",
			    profile,
			    cred_path ? cred_path : "~/.aws/credentials",
			    conf_path ? conf_path : "~/.aws/config");
		ret = QERR_USAGE;
		goto out;
	}
	ret = load_keys(s, &cred, cred_path, &conf, conf_path, err);
	if (ret)
		goto out;

	v = first_of(aws_env("AWS_REGION"), aws_env("AWS_DEFAULT_REGION"),
		     cred.region, conf.region);
	s->region = xstrdup(v ? v : AWS_DEFAULT_REGION_NAME);
	v = first_of(aws_env("AWS_ENDPOINT_URL_S3"),
		     aws_env("AWS_ENDPOINT_URL"), cred.endpoint, conf.endpoint);
	if (!v)
		v = first_of(cred.s3_endpoint, conf.s3_endpoint, NULL, NULL);
	s->endpoint = dup_or_null(v);
out:
	aws_profile_release(&cred);
	aws_profile_release(&conf);
	free(cred_path);
	free(conf_path);
	if (ret)
		aws_settings_release(s);
	return ret;
}

void aws_settings_release(struct aws_settings *s)
{
	aws_free_secret(&s->access_key_id);
	aws_free_secret(&s->secret_access_key);
	aws_free_secret(&s->session_token);
	free(s->region);
	free(s->endpoint);
	free(s->profile);
	memset(s, 0, sizeof(*s));
}

int aws_config_section(const char *path, const char *kind, const char *name,
		       struct string_list *out, int *found,
		       struct strbuf *err)
{
	struct aws_profile p = { 0 };
	int ret;

	ret = read_section(path, !!kind, kind ? kind : "", name, &p, out,
			   err);
	*found = p.found;
	aws_profile_release(&p);
	return ret;
}

const char *aws_section_get(const struct string_list *kv, const char *key)
{
	size_t i;

	for (i = kv->nr; i >= 2; i -= 2)
		if (!strcmp(kv->items[i - 2], key))
			return *kv->items[i - 1] ? kv->items[i - 1] : NULL;
	return NULL;
}

void aws_section_clear(struct string_list *kv)
{
	size_t i;

	for (i = 0; i < kv->nr; i++)
		OPENSSL_cleanse(kv->items[i], strlen(kv->items[i]));
	string_list_clear(kv);
}
