#ifndef LOGICAL_KEY_H
#define LOGICAL_KEY_H

#include "strbuf.h"

/*
 * Logical keys name entries inside a package: "train/0001.jpg". Every key
 * in a manifest quire reads or writes must be: not empty, no leading "/",
 * no empty, "." or ".." component, no NUL, no ".quire" component.
 * LOGICAL_KEY_PATH adds the rule for keys that become paths on disk
 * (install, checkout): no backslash, a separator on some systems. quilt3
 * itself allows backslashes, so a manifest may hold them.
 * Returns 0, or QERR_CORRUPT with the reason appended to err.
 */
enum logical_key_flags {
	LOGICAL_KEY_PATH = (1 << 0),
};
int logical_key_check(const char *key, size_t len, unsigned flags,
		      struct strbuf *err);

/*
 * quilt3's entry order: component by component, each compared by code
 * point (so "a/b" < "a-c" < "a.c"). For UTF-8 this is byte order with
 * '/' sorting before every other byte. Returns <0, 0 or >0.
 */
int logical_key_cmp(const char *a, size_t alen, const char *b, size_t blen);

/* 1 when b lies inside the folder a (b starts with a + "/"). */
int logical_key_is_parent(const char *a, size_t alen, const char *b,
			  size_t blen);

/*
 * Does key match the prefix of ls-manifest and friends? A prefix ending
 * in "/" matches the keys below it; any other prefix matches the key
 * itself and the keys below it as a folder. An empty prefix matches all.
 */
int logical_key_has_prefix(const char *key, size_t len, const char *prefix,
			   size_t plen);

#endif
