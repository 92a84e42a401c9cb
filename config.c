#include "quire-compat.h"
#include "config.h"
#include "lockfile.h"
#include "workspace.h"
#include <ctype.h>

static int valid_name(const char *s, size_t len)
{
	size_t i;

	if (!len || !isalpha((unsigned char)s[0]))
		return 0;
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-')
			return 0;
	return 1;
}

static void add_lower(struct strbuf *out, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		strbuf_addch(out, tolower((unsigned char)s[i]));
}

int config_key_normalize(const char *key, struct strbuf *out)
{
	const char *first = strchr(key, '.'), *last = strrchr(key, '.');

	if (!first || !valid_name(key, first - key) ||
	    !valid_name(last + 1, strlen(last + 1)))
		return -1;
	add_lower(out, key, first - key);
	if (first != last) {
		strbuf_addch(out, '.');
		strbuf_add(out, first + 1, last - first - 1);
	}
	strbuf_addch(out, '.');
	add_lower(out, last + 1, strlen(last + 1));
	return 0;
}

static void add_entry(struct config *cfg, const char *key, const char *value)
{
	ALLOC_GROW(cfg->entries, cfg->nr + 1, cfg->alloc);
	cfg->entries[cfg->nr].key = xstrdup(key);
	cfg->entries[cfg->nr].value = xstrdup(value);
	cfg->nr++;
}

/* "[section]" or "[section \"sub\"]" into section ("sec" or "sec.sub"). */
static int parse_section(const char *line, struct strbuf *section)
{
	const char *end = strchr(line, ']'), *sp, *q;

	strbuf_reset(section);
	if (!end)
		return -1;
	sp = memchr(line + 1, ' ', end - line - 1);
	if (!sp) {
		if (!valid_name(line + 1, end - line - 1))
			return -1;
		add_lower(section, line + 1, end - line - 1);
		return 0;
	}
	if (!valid_name(line + 1, sp - line - 1) || sp[1] != '"')
		return -1;
	q = strchr(sp + 2, '"');
	if (!q || q + 1 != end)
		return -1;
	add_lower(section, line + 1, sp - line - 1);
	strbuf_addch(section, '.');
	strbuf_add(section, sp + 2, q - sp - 2);
	return 0;
}

int config_read(struct config *cfg, const char *path, struct strbuf *err)
{
	struct strbuf line = STRBUF_INIT, section = STRBUF_INIT,
		      key = STRBUF_INIT, norm = STRBUF_INIT;
	size_t nr = 0;
	int ret = 0;
	FILE *fp = fopen(path, "r");

	if (!fp)
		return errno == ENOENT ? 0 : (strbuf_addf(err, "cannot read "
			"'%s': %s", path, strerror(errno)), QERR_GENERIC);
	while (!ret && strbuf_getline_max(&line, fp, 65536, NULL) != EOF) {
		char *eq;

		nr++;
		strbuf_trim(&line);
		if (!line.len || line.buf[0] == '#' || line.buf[0] == ';')
			continue;
		if (line.buf[0] == '[') {
			if (parse_section(line.buf, &section) < 0)
				ret = QERR_CORRUPT;
			continue;
		}
		eq = strchr(line.buf, '=');
		if (!section.len || !eq) {
			ret = QERR_CORRUPT;
			continue;
		}
		*eq = '\0';
		strbuf_reset(&key);
		strbuf_addf(&key, "%s.", section.buf);
		strbuf_addstr(&key, line.buf);
		strbuf_rtrim(&key);
		strbuf_reset(&norm);
		if (config_key_normalize(key.buf, &norm) < 0) {
			ret = QERR_CORRUPT;
			continue;
		}
		eq++;
		while (*eq == ' ' || *eq == '\t')
			eq++;
		add_entry(cfg, norm.buf, eq);
	}
	if (ret)
		strbuf_addf(err, "%s:%zu: bad config line; fix or remove it",
			    path, nr);
	fclose(fp);
	strbuf_release(&line);
	strbuf_release(&section);
	strbuf_release(&key);
	strbuf_release(&norm);
	return ret;
}

void config_release(struct config *cfg)
{
	size_t i;

	for (i = 0; i < cfg->nr; i++) {
		free(cfg->entries[i].key);
		free(cfg->entries[i].value);
	}
	free(cfg->entries);
	cfg->entries = NULL;
	cfg->nr = cfg->alloc = 0;
}

const char *config_get(const struct config *cfg, const char *key)
{
	size_t i;

	for (i = cfg->nr; i > 0; i--)
		if (!strcmp(cfg->entries[i - 1].key, key))
			return cfg->entries[i - 1].value;
	return NULL;
}

void config_set(struct config *cfg, const char *key, const char *value)
{
	size_t i, out = 0;
	int done = 0;

	for (i = 0; i < cfg->nr; i++) {
		struct config_entry *e = &cfg->entries[i];

		if (strcmp(e->key, key)) {
			cfg->entries[out++] = *e;
			continue;
		}
		if (value && !done) {
			free(e->value);
			e->value = xstrdup(value);
			cfg->entries[out++] = *e;
			done = 1;
			continue;
		}
		free(e->key);
		free(e->value);
	}
	cfg->nr = out;
	if (value && !done)
		add_entry(cfg, key, value);
}

static size_t section_len(const char *key)
{
	return strrchr(key, '.') - key;
}

static void write_section_header(struct strbuf *out, const char *key)
{
	size_t len = section_len(key);
	const char *dot = memchr(key, '.', len);

	if (!dot)
		strbuf_addf(out, "[%.*s]\n", (int)len, key);
	else
		strbuf_addf(out, "[%.*s \"%.*s\"]\n", (int)(dot - key), key,
			    (int)(len - (dot - key) - 1), dot + 1);
}

int config_write(const struct config *cfg, const char *path,
		 struct strbuf *err)
{
	struct lock_file lk = LOCK_INIT;
	struct strbuf out = STRBUF_INIT;
	char *done = xcalloc(cfg->nr ? cfg->nr : 1, 1);
	size_t i, j;
	int ret;

	/* group by section, sections in order of first appearance */
	for (i = 0; i < cfg->nr; i++) {
		const char *k = cfg->entries[i].key;
		size_t len = section_len(k);

		if (done[i])
			continue;
		write_section_header(&out, k);
		for (j = i; j < cfg->nr; j++) {
			const char *kj = cfg->entries[j].key;

			if (done[j] || section_len(kj) != len ||
			    memcmp(kj, k, len))
				continue;
			strbuf_addf(&out, "\t%s = %s\n", kj + len + 1,
				    cfg->entries[j].value);
			done[j] = 1;
		}
	}
	free(done);
	ret = hold_lock_file(&lk, path, err);
	if (!ret && write_in_full(lock_file_fd(&lk), out.buf, out.len) < 0) {
		strbuf_addf(err, "cannot write '%s': %s", path,
			    strerror(errno));
		ret = QERR_GENERIC;
	}
	if (!ret)
		ret = commit_lock_file(&lk, err);
	rollback_lock_file(&lk);
	strbuf_release(&out);
	return ret;
}

void config_user_path(struct strbuf *out)
{
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");

	if (xdg && *xdg)
		strbuf_addf(out, "%s/quire/config", xdg);
	else
		strbuf_addf(out, "%s/.config/quire/config", home ? home : ".");
}

int config_parse_bool(const char *v)
{
	if (!strcasecmp(v, "true") || !strcasecmp(v, "yes") ||
	    !strcasecmp(v, "on") || !strcmp(v, "1"))
		return 1;
	if (!strcasecmp(v, "false") || !strcasecmp(v, "no") ||
	    !strcasecmp(v, "off") || !strcmp(v, "0"))
		return 0;
	return -1;
}

/*
 * Every key quire reads, in one place: quire-config(1) documents them,
 * 'quire config' refuses others and checks values by their type. A
 * "<name>" part stands for any subsection.
 */
static const struct config_key known_keys[] = {
	{ "core.formatversion", CONFIG_TYPE_INT, NULL, "0",
	  "the format of the workspace, written by quire init" },
	{ "core.locktimeout", CONFIG_TYPE_INT, NULL, "10000",
	  "milliseconds to wait for a lock another quire holds" },
	{ "install.link", CONFIG_TYPE_ENUM, "copy hardlink reflink", "copy",
	  "how install and checkout place files" },
	{ "package.name", CONFIG_TYPE_PACKAGE, NULL, NULL,
	  "the package the workspace builds, <namespace>/<name>" },
	{ "remote.<name>.url", CONFIG_TYPE_URL, NULL, NULL,
	  "the registry of the remote <name>" },
};

const struct config_key *config_keys(size_t *nr)
{
	*nr = ARRAY_SIZE(known_keys);
	return known_keys;
}

/* key matches name, where a "<...>" part of name is any subsection */
static int key_matches(const char *name, const char *key)
{
	const char *lt = strchr(name, '<'), *gt;
	size_t pre, post, len = strlen(key);

	if (!lt)
		return !strcmp(name, key);
	gt = strchr(lt, '>');
	pre = lt - name;
	post = strlen(gt + 1);
	return len > pre + post && !strncmp(key, name, pre) &&
	       !strcmp(key + len - post, gt + 1);
}

const struct config_key *config_key_find(const char *key)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(known_keys); i++)
		if (key_matches(known_keys[i].name, key))
			return &known_keys[i];
	return NULL;
}

int config_check_url(const char *url)
{
	return !strncmp(url, "s3://", 5) || !strncmp(url, "file://", 7) ||
	       url[0] == '/' ? 0 : -1;
}

/* Is word one of the blank-separated words of list? */
static int in_list(const char *list, const char *word)
{
	size_t len = strlen(word);

	while (*list) {
		size_t n = strcspn(list, " ");

		if (n == len && !strncmp(list, word, n))
			return 1;
		list += n;
		list += strspn(list, " ");
	}
	return 0;
}

int config_check_value(const struct config_key *k, const char *key,
		       const char *value, struct strbuf *err)
{
	uint64_t n;
	struct strbuf why = STRBUF_INIT;
	const char *want = NULL;

	switch (k->type) {
	case CONFIG_TYPE_STRING:
		return 0;
	case CONFIG_TYPE_BOOL:
		if (config_parse_bool(value) < 0)
			want = "true or false";
		break;
	case CONFIG_TYPE_INT:
		if (parse_u64(value, &n))
			want = "a whole number";
		break;
	case CONFIG_TYPE_ENUM:
		if (!in_list(k->values, value))
			want = k->values;
		break;
	case CONFIG_TYPE_PACKAGE:
		if (package_name_check(value, &why) < 0)
			want = "<namespace>/<name> (letters, digits, '_', '-', "
			       "'.')";
		break;
	case CONFIG_TYPE_URL:
		/* any URL here; quire remote add takes only registries */
		if (value[0] != '/' && !strstr(value, "://"))
			want = "a URL (s3://bucket/prefix, file:///path) or an "
			       "absolute path";
		break;
	}
	strbuf_release(&why);
	if (!want)
		return 0;
	strbuf_addf(err, "bad value '%s' for '%s': use ", value, key);
	if (k->type != CONFIG_TYPE_ENUM)
		strbuf_addstr(err, want);
	for (; k->type == CONFIG_TYPE_ENUM && *want; want++)
		if (*want == ' ')
			strbuf_addstr(err, ", ");
		else
			strbuf_addch(err, *want);
	return QERR_USAGE;
}
