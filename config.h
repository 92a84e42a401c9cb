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

#endif
