#include "quire-compat.h"
#include "config.h"
#include "lockfile.h"
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
