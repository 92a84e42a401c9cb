#ifndef CONFIG_H
#define CONFIG_H

#include "strbuf.h"

/*
 * Configuration files in git's ini style:
 *
 *	[package]
 *		name = ns/name
 *	[remote "origin"]
 *		url = file:///srv/registry
 *
 * Keys are "section.name" or "section.subsection.name"; section and name
 * are case-insensitive, the subsection is not. A workspace reads its own
 * .quire/config first, then the user's $XDG_CONFIG_HOME/quire/config.
 */
struct config_entry {
	char *key;	/* canonical: lowercase section and name */
	char *value;
};

struct config {
	struct config_entry *entries;
	size_t nr, alloc;
};
#define CONFIG_INIT { NULL, 0, 0 }

/*
 * Read path into cfg (a missing file is an empty config). 0, or
 * QERR_CORRUPT with "path:line: what" in err.
 */
int config_read(struct config *cfg, const char *path, struct strbuf *err);
void config_release(struct config *cfg);

/* The last value of key, borrowed from cfg; NULL when not set. */
const char *config_get(const struct config *cfg, const char *key);
/* Set (value != NULL) or remove every occurrence of key. */
void config_set(struct config *cfg, const char *key, const char *value);
/* Write cfg to path atomically (lock, fsync, rename). */
int config_write(const struct config *cfg, const char *path,
		 struct strbuf *err);

/* Canonicalize key into out; -1 when it is not a valid key. */
int config_key_normalize(const char *key, struct strbuf *out);

/* The user's config file: $XDG_CONFIG_HOME/quire/config. */
void config_user_path(struct strbuf *out);

/* Parse a boolean value (true/false/yes/no/on/off/1/0); -1 if neither. */
int config_parse_bool(const char *value);

/*
 * The keys quire knows (config.c has the table, quire-config(1) the
 * words): a name in canonical form, where "<name>" stands for any
 * subsection ("remote.<name>.url"), a type, a default and a line.
 */
enum config_type {
	CONFIG_TYPE_STRING,
	CONFIG_TYPE_BOOL,	/* true/false/yes/no/on/off/1/0 */
	CONFIG_TYPE_INT,	/* a whole number, 0 or more */
	CONFIG_TYPE_ENUM,	/* one of values */
	CONFIG_TYPE_PACKAGE,	/* <namespace>/<name> */
	CONFIG_TYPE_URL,	/* s3://, file:// or an absolute path */
};

struct config_key {
	const char *name;
	enum config_type type;
	const char *values;	/* CONFIG_TYPE_ENUM: "a b c" */
	const char *def;	/* the default as text, or NULL: none */
	const char *help;
};

/* The table of known keys (static, borrowed), its length in *nr. */
const struct config_key *config_keys(size_t *nr);
/* The row of a canonical key, or NULL when quire does not know it. */
const struct config_key *config_key_find(const char *key);
/*
 * 0 when value suits the type of k (key is the key as given, for the
 * message); QERR_USAGE with "bad value ...: use ..." in err otherwise.
 */
int config_check_value(const struct config_key *k, const char *key,
		       const char *value, struct strbuf *err);
/* 0 when url names a registry (s3://, file://, /path); -1 if not. */
int config_check_url(const char *url);

#endif
